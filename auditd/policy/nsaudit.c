// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nsaudit.c - the own namespaces of macvlan and ipvlan containers, audited
 * with the host's readers and added to its report.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "nsaudit.h"
#include "region.h"
#include "runtimes.h"
#include "snapfile.h"
#include "strbuf.h"

static bool bypass_kind(const char *k)
{
	return !strcmp(k, "macvlan") || !strcmp(k, "macvtap") ||
	       !strcmp(k, "ipvlan") || !strcmp(k, "ipvtap");
}

const char *nsaudit_link_kind(const struct host_link *l)
{
	return strncmp(l->kind, "ip", 2) ? "macvlan" : "ipvlan";
}

static bool named(const char *const *ifaces, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(ifaces[i], name))
			return true;
	return false;
}

/* The parent's name for a row's interface name inside the namespace. */
static const char *parent_of(const char *name, const char *const *in,
			     const char *const *par, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(in[i], name))
			return par[i];
	return NULL;
}

/* "198.51.100.50, 2001:db8::50": the global addresses of ifindex. */
static void link_addrs(struct strbuf *b, const struct host *h, int ifindex)
{
	char buf[INET6_ADDRSTRLEN];
	size_t i, k = 0;

	for (i = 0; i < h->naddrs; i++) {
		if (h->addrs[i].ifindex != ifindex ||
		    h->addrs[i].scope != RT_SCOPE_UNIVERSE)
			continue;
		host_addr_str(h->addrs[i].family, h->addrs[i].addr, buf,
			      sizeof(buf));
		strbuf_addf(b, "%s%s", k++ ? ", " : "", buf);
	}
	if (!k)
		strbuf_add(b, "no global address");
}

/* "*" in the namespace: each address of family there but its loopback
 * ones, which a neighbour on a parent link can send to (the weak host
 * model: the macvlan link's own and any other). */
/* The namespace's own addresses of family (not host-scoped) as the
 * row's addresses; none leaves the row at every address ("*"). */
static int own_addrs(const struct host *h, struct report_row *row)
{
	struct rs_interval *iv;
	size_t i, n = 0;

	iv = calloc(h->naddrs + 1, sizeof(*iv));
	if (!iv)
		return -ENOMEM;
	for (i = 0; i < h->naddrs; i++) {
		if (h->addrs[i].family != row->family ||
		    h->addrs[i].scope == RT_SCOPE_HOST)
			continue;
		iv[n].lo = iv[n].hi = h->addrs[i].addr;
		n++;
	}
	if (!n) {
		free(iv);
		return 0;
	}
	free(row->addrs);
	row->addrs = iv;
	row->naddrs = region_ivs_merge(iv, n);
	return 0;
}

/* Move the rows of from to the end of to; the listeners' rows that
 * to->filtered points at move with the array. */
static int move_rows(struct report *to, struct report *from)
{
	struct report_row *rows;
	size_t i, *at;

	if (!from->nrows)
		return 0;
	at = calloc(to->nfiltered + 1, sizeof(*at));
	if (!at)
		return -ENOMEM;
	for (i = 0; i < to->nfiltered; i++)
		at[i] = to->filtered[i].dnat ?
			(size_t)(to->filtered[i].dnat - to->rows) : SIZE_MAX;
	rows = realloc(to->rows, (to->nrows + from->nrows + 1) *
		       sizeof(*rows));
	if (!rows) {
		free(at);
		return -ENOMEM;
	}
	to->rows = rows;
	memcpy(rows + to->nrows, from->rows, from->nrows * sizeof(*rows));
	memset(rows + to->nrows + from->nrows, 0, sizeof(*rows));
	to->nrows += from->nrows;
	from->nrows = 0;	/* the strings are to's now */
	for (i = 0; i < to->nfiltered; i++)
		if (at[i] != SIZE_MAX)
			to->filtered[i].dnat = &rows[at[i]];
	free(at);
	return 0;
}

/* Name the rows of ns by the container and the parent links. */
static int name_rows(struct nsaudit_ns *ns, const char *const *in,
		     const char *const *par, size_t nl, const char *kind)
{
	struct report *r = ns->report;
	const char *p;
	char *s;
	size_t i, k;

	for (i = 0; i < r->nrows; i++) {
		struct report_row *row = &r->rows[i];

		for (k = 0; k < row->nifaces; k++) {
			p = parent_of(row->ifaces[k], in, par, nl);
			if (!p)
				continue;
			s = strdup(p);
			if (!s)
				return -ENOMEM;
			free(row->ifaces[k]);
			row->ifaces[k] = s;
		}
		if (!row->naddrs && own_addrs(ns->snap.host, row) < 0)
			return -ENOMEM;
		row->inside = strdup(ns->sb.name);
		row->inside_image = strdup(ns->sb.image ? ns->sb.image : "");
		if (!row->inside || !row->inside_image)
			return -ENOMEM;
		row->inside_runtime = docker_runtime_name(ns->sb.runtime);
		if (ns->sb.project &&
		    !(row->inside_project = strdup(ns->sb.project)))
			return -ENOMEM;
		row->inside_link = kind;
	}
	return 0;
}

size_t nsaudit_links(const struct nsaudit_ns *ns, const struct host *host,
		     const char *const *ifaces, size_t nifaces,
		     const struct host_link **in, const char **par,
		     size_t max)
{
	const struct host *h = ns->snap.host;
	const struct host_link *l, *p;
	size_t i, nl = 0;

	if (!h || !host || ns->error)
		return 0;
	for (i = 0; i < h->nlinks && nl < max; i++) {
		l = &h->links[i];
		if (!bypass_kind(l->kind) || !l->parent)
			continue;
		p = host_link_by_index(host, l->parent);
		if (!p || p->loopback ||
		    (nifaces && !named(ifaces, nifaces, p->name)))
			continue;
		in[nl] = l;
		par[nl++] = p->name;
	}
	return nl;
}

int nsaudit_walk(struct nsaudit_ns *ns, const struct host *host,
		 const char *const *ifaces, size_t nifaces,
		 const struct docker_map *dm, struct report *rep)
{
	const char *in[NSAUDIT_LINKS_MAX], *par[NSAUDIT_LINKS_MAX];
	const struct host_link *links[NSAUDIT_LINKS_MAX];
	const struct host *h = ns->snap.host;
	struct engine_input ei = { 0 };
	struct strbuf b = STRBUF_INIT;
	const char *kind = NULL;
	size_t i, nl;
	char *s;
	int ret;

	nl = nsaudit_links(ns, host, ifaces, nifaces, links, par,
			   NSAUDIT_LINKS_MAX);
	for (i = 0; i < nl; i++) {
		const struct host_link *l = links[i];

		in[i] = l->name;
		/* "macvlan" or "ipvlan": what a person knows it by */
		if (!kind)
			kind = nsaudit_link_kind(l);
		strbuf_addf(&b, "container %s: its %s link %s on %s (",
			    ns->sb.name, l->kind, l->name, par[i]);
		link_addrs(&b, h, l->ifindex);
		strbuf_add(&b, ") takes packets past this host's netfilter: "
			   "its own namespace was audited\n");
	}
	if (!nl) {
		strbuf_release(&b);
		return 0;
	}
	ei.rs = ns->snap.rs;
	ei.host = h;
	ei.ifaces = in;
	ei.nifaces = nl;
	ret = engine_run(&ei, &ns->engine);
	if (!ret)
		ret = report_build(ns->engine, ns->snap.rs, h, dm,
				   &ns->report);
	if (!ret)
		ret = name_rows(ns, in, par, nl, kind);
	if (!ret)
		ret = move_rows(rep, ns->report);
	s = strbuf_take(&b);
	if (!ret && !s)
		ret = -ENOMEM;
	for (char *line = s, *nlp; !ret && line && (nlp = strchr(line, '\n'));
	     line = nlp + 1) {
		*nlp = '\0';
		ret = report_add_note(rep, "%s", line);
	}
	free(s);
	for (i = 0; !ret && ns->report && i < ns->report->nnotes; i++)
		ret = report_add_note(rep, "container %s: %s", ns->sb.name,
			   ns->report->notes[i]);
	return ret < 0 ? ret : (int)nl;
}

/* Enter the namespace of sb: its sandbox key, else /proc/PID/ns/net (a
 * dockerd in its own mount namespace binds the key where we do not see
 * it).  0 or a negative errno. */
static int enter(const struct sandbox *sb)
{
	char path[64];
	int fd, ret = -ENOENT;

	if (sb->key) {
		fd = open(sb->key, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ret = setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
			close(fd);
			if (!ret)
				return 0;
		}
	}
	if (!sb->pid)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)sb->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

/* Run inside(sb, data) in the namespace of sb: its return, or a negative
 * errno with *why set; -EEXIST for a container sharing ours (nothing of
 * its own to audit); -EIO when we could not come back to home (whatever
 * inside made is the caller's to undo). */
static int in_ns(const struct sandbox *sb, int home, const struct stat *hst,
		 int (*inside)(const struct sandbox *sb, void *data),
		 void *data, const char **why)
{
	struct stat st;
	int ret, fd;

	ret = enter(sb);
	if (ret < 0) {
		*why = "entering its namespace";
		return ret;
	}
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !fstat(fd, &st) && st.st_ino == hst->st_ino &&
	    st.st_dev == hst->st_dev)
		ret = -EEXIST;
	if (fd >= 0)
		close(fd);
	if (!ret) {
		ret = inside(sb, data);
		*why = "reading its namespace";
	}
	if (setns(home, CLONE_NEWNET) < 0)
		return -EIO;
	return ret;
}

struct read_ctx {
	struct snapshot *snap;		/* what was read */
	struct snapfile_rec *rec;	/* NULL: record nothing */
	char err[1024];
};

/* A container's namespace read as the host's is.  A recording under way
 * (fwauditd's) is the host's and must not get the container's
 * conversations too: with rec, snapfile_netns_add() reads it with
 * recordings of its own, as `fwaudit snapshot` does, and this audit
 * walks what it recorded; without, nothing is recorded. */
static int read_inside(const struct sandbox *sb, void *data)
{
	char *saved[SNAPFILE_NRECS];
	struct read_ctx *c = data;
	int ret, r2;

	if (c->rec)
		return snapfile_netns_add(c->rec, sb, c->snap, c->err,
					  sizeof(c->err));
	ret = snapfile_record_pause(saved);
	if (ret < 0)
		return ret;
	ret = snapshot_read(c->snap, true, NULL);
	r2 = snapfile_record_resume(saved);
	if (!ret && r2 < 0) {
		snapshot_release(c->snap);
		ret = r2;
	}
	return ret;
}

/* The note of a namespace that was not audited: the live audit's and a
 * snapshot file's (nsaudit_replay()) are the same words. */
static int not_audited(struct report *rep, const char *name,
		       const char *driver, const char *why, int err)
{
	return report_add_note(rep, "container %s (%s): %s: %s: packets to "
			       "it pass no netfilter of this host and were "
			       "not audited", name, driver, why,
			       strerror(-err));
}

/* Read the namespace of every container of l into a (an entry whose
 * namespace could not be read keeps its error and why); l's strings move
 * to a.  With rec, each is recorded into it (read_inside()), a failed one
 * as its note (the kept snapshot replays the same).  0, -ENOMEM, -EIO;
 * or -EBADF when this process's own namespace could not be opened (errno
 * says why). */
static int read_live(struct sandbox_list *l, struct nsaudit *a,
		     struct snapfile_rec *rec)
{
	struct read_ctx c = { .rec = rec };
	const char *why = NULL;
	struct stat hst;
	int home, ret = 0;
	size_t i;

	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0 || fstat(home, &hst) < 0) {
		int e = errno;

		if (home >= 0)
			close(home);
		errno = e;
		return -EBADF;
	}
	for (i = 0; i < l->n; i++) {
		struct nsaudit_ns *ns = &a->ns[a->n];

		c.snap = &ns->snap;
		ret = in_ns(&l->s[i], home, &hst, read_inside, &c, &why);
		if (ret == -EIO || ret == -ENOMEM) {
			snapshot_release(&ns->snap);
			break;
		}
		if (ret == -EEXIST) {
			ret = 0;
			continue;
		}
		if (ret < 0) {
			ns->error = ret;
			ns->why = strdup(why);
			ret = ns->why ? 0 : -ENOMEM;
			if (!ret && rec)
				ret = snapfile_netns_failed(rec, &l->s[i],
							    ns->error, why);
		}
		ns->sb = l->s[i];
		memset(&l->s[i], 0, sizeof(l->s[i]));
		a->n++;
		if (ret < 0)
			break;
	}
	close(home);
	return ret;
}

/* A snapshot file's namespaces (snap->netns) moved into a. */
static void take_replay(struct snapshot *snap, struct nsaudit *a)
{
	size_t i;

	for (i = 0; i < snap->nnetns; i++) {
		struct snapshot_netns *e = &snap->netns[i];
		struct nsaudit_ns *ns = &a->ns[a->n++];

		/* the strings and the snapshot move to ns */
		ns->sb.name = e->name;
		ns->sb.image = e->image;
		ns->sb.runtime = e->runtime;
		ns->sb.project = e->project;
		memcpy(ns->sb.driver, e->driver, sizeof(ns->sb.driver));
		ns->error = e->error;
		ns->why = e->why;
		ns->snap = e->snap;
		e->name = e->image = e->why = e->project = NULL;
		memset(&e->snap, 0, sizeof(e->snap));
	}
}

/* nsaudit_load(), recording into rec (may be NULL) what is read live. */
static int load(struct snapshot *snap, bool live, struct report *rep,
		struct snapfile_rec *rec, struct nsaudit **out)
{
	struct sandbox_list l = { 0, NULL };
	struct nsaudit *a = NULL;
	size_t n;
	int ret = 0;

	*out = NULL;
	if (live) {
		ret = runtimes_sandboxes(&l);
		n = l.n;
	} else {
		n = snap->nnetns;
	}
	/* no macvlan container: nothing to say */
	if (ret < 0 || !n)
		goto out;
	a = calloc(1, sizeof(*a));
	if (a)
		a->ns = calloc(n, sizeof(*a->ns));
	if (!a || !a->ns) {
		ret = -ENOMEM;
		goto out;
	}
	if (!live) {
		take_replay(snap, a);
		goto out;
	}
	ret = read_live(&l, a, rec);
	if (ret == -EBADF)
		ret = !rep ? 0 : report_add_note(rep, "macvlan and ipvlan "
						 "containers were not audited: "
						 "this process's namespace: %s",
						 strerror(errno));
out:
	sandbox_release(&l);
	if (ret < 0 || (a && !a->n)) {
		nsaudit_free(a);
		return ret;
	}
	*out = a;
	return 0;
}

int nsaudit_load(struct snapshot *snap, bool live, struct report *rep,
		 struct nsaudit **out)
{
	return load(snap, live, rep, NULL, out);
}

/* nsaudit_walk() each namespace of a in its order, a note for each that
 * could not be read. */
static int walk_all(struct nsaudit *a, const struct host *host,
		    const char *const *ifaces, size_t nifaces,
		    const struct docker_map *dm, struct report *rep)
{
	size_t i;
	int ret = 0;

	for (i = 0; a && i < a->n && ret >= 0; i++) {
		struct nsaudit_ns *ns = &a->ns[i];

		if (ns->error)
			ret = not_audited(rep, ns->sb.name, ns->sb.driver,
					  ns->why ? ns->why : "", ns->error);
		else
			ret = nsaudit_walk(ns, host, ifaces, nifaces, dm, rep);
	}
	return ret < 0 ? ret : 0;
}

int nsaudit_run(const struct host *host, const char *const *ifaces,
		size_t nifaces, const struct docker_map *dm,
		struct report *rep, struct snapfile_rec *rec,
		struct nsaudit **out)
{
	struct nsaudit *a;
	int ret;

	*out = NULL;
	ret = load(NULL, true, rep, rec, &a);
	if (!ret)
		ret = walk_all(a, host, ifaces, nifaces, dm, rep);
	if (ret < 0) {
		nsaudit_free(a);
		return ret;
	}
	*out = a;
	return 0;
}

int nsaudit_each(int (*inside)(const struct sandbox *sb, void *data),
		 int (*failed)(const struct sandbox *sb, int err,
			       const char *why, void *data),
		 void *data)
{
	struct sandbox_list l = { 0, NULL };
	const char *why = NULL;
	struct stat hst;
	int home, ret;
	size_t i;

	ret = runtimes_sandboxes(&l);
	if (ret < 0 || !l.n) {
		sandbox_release(&l);
		return ret;
	}
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0 || fstat(home, &hst) < 0) {
		ret = -errno;
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		ret = in_ns(&l.s[i], home, &hst, inside, data, &why);
		if (ret == -EIO || ret == -ENOMEM)
			break;
		if (ret == -EEXIST)
			ret = 0;
		else if (ret < 0)
			ret = failed(&l.s[i], ret, why, data);
		if (ret < 0)
			break;
	}
out:
	if (home >= 0)
		close(home);
	sandbox_release(&l);
	return ret < 0 ? ret : 0;
}

int nsaudit_replay(struct snapshot *snap, const char *const *ifaces,
		   size_t nifaces, const struct docker_map *dm,
		   struct report *rep, struct nsaudit **out)
{
	struct nsaudit *a;
	int ret;

	*out = NULL;
	ret = nsaudit_load(snap, false, rep, &a);
	if (!ret)
		ret = walk_all(a, snap->host, ifaces, nifaces, dm, rep);
	if (ret < 0) {
		nsaudit_free(a);
		return ret;
	}
	*out = a;
	return 0;
}

void nsaudit_free(struct nsaudit *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n; i++) {
		report_free(a->ns[i].report);
		engine_result_free(a->ns[i].engine);
		snapshot_release(&a->ns[i].snap);
		sandbox_clear(&a->ns[i].sb);
		free(a->ns[i].why);
	}
	free(a->ns);
	free(a);
}
