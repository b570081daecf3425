// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * snapfile.c - a snapshot in a file: written from the readers' recordings,
 * read back through their replay seams (doc/snapshot.md).
 *
 * The readers record to and replay from files named by path; the
 * recordings live in memfds here and are named /proc/self/fd/N, so the
 * readers need no change and replay exactly the bytes they would have
 * received.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "base64.h"
#include "docker.h"
#include "ebtleg.h"
#include "ipset.h"
#include "legacy.h"
#include "link.h"
#include "nft.h"
#include "nldump.h"
#include "rsfile.h"
#include "runtimes.h"
#include "snapfile.h"
#include "bpfq.h"
#include "ipaddr.h"
#include "ipvs.h"
#include "swarm.h"
#include "sockets.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define ENV_NFT		"FWAUDIT_NFT_RECORD"
#define ENV_RTNL	"FWAUDIT_RTNL_RECORD"
#define ENV_DIAG	"FWAUDIT_DIAG_RECORD"
#define ENV_IPVS	IPVS_RECORD_ENV
#define ENV_SWARM	SWARM_IPVS_RECORD_ENV
#define ENV_EBT		EBTLEG_RECORD_ENV
#define NRECS		SNAPFILE_NRECS

/* The legacy families, in the order legacy.c reads them. */
static const struct {
	const char *key;	/* in the file */
	const char *source;	/* rs_source_status.name */
	const char *save;	/* the tool that prints it */
	const char *prefix;	/* rsfile_load's kind */
} legacy_fams[] = {
	{ "ipv4", "iptables-legacy", "iptables-legacy-save", "lg4:" },
	{ "ipv6", "ip6tables-legacy", "ip6tables-legacy-save", "lg6:" },
};

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static int memfd_new(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static void fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

/* The whole content of fd (at most max bytes) in a new buffer. */
static int fd_slurp(int fd, size_t max, char **bufp, size_t *lenp)
{
	struct stat st;
	size_t len = 0;
	char *buf;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size > max)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (len < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + len, (size_t)st.st_size - len,
				  (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return n < 0 ? -errno : -EIO;
		}
		len += (size_t)n;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

static int fd_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- writing ---- */

static const char *const rec_envs[NRECS] = { ENV_NFT, ENV_RTNL, ENV_DIAG,
					     ENV_IPVS, ENV_SWARM, ENV_EBT,
					     IPSET_RECORD_ENV };

/* The readers stop recording. */
static void rec_unsetenv(void)
{
	size_t i;

	for (i = 0; i < NRECS; i++)
		unsetenv(rec_envs[i]);
}

int snapfile_record_pause(char *saved[SNAPFILE_NRECS])
{
	const char *v;
	size_t i;

	for (i = 0; i < NRECS; i++) {
		v = getenv(rec_envs[i]);
		saved[i] = v ? strdup(v) : NULL;
		if (v && !saved[i]) {
			while (i--)
				free(saved[i]);
			return -ENOMEM;
		}
	}
	rec_unsetenv();
	return 0;
}

int snapfile_record_resume(char *saved[SNAPFILE_NRECS])
{
	size_t i;
	int ret = 0;

	for (i = 0; i < NRECS; i++) {
		if (saved[i] && setenv(rec_envs[i], saved[i], 1) < 0)
			ret = -errno;
		free(saved[i]);
		saved[i] = NULL;
	}
	return ret;
}

int snapfile_record_begin(struct snapfile_rec *rec)
{
	const char *const *envs = rec_envs;
	int *fds[NRECS] = { &rec->nft_fd, &rec->rtnl_fd, &rec->diag_fd,
			    &rec->ipvs_fd, &rec->swarm_fd, &rec->ebt_fd,
			    &rec->ipset_fd };
	char path[64];
	size_t i;
	int ret;

	rec->nft_fd = rec->rtnl_fd = rec->diag_fd = rec->ipvs_fd = -1;
	rec->swarm_fd = rec->ebt_fd = rec->ipset_fd = -1;
	rec->netns = NULL;
	rec->taken_usec = now_usec();
	for (i = 0; i < NRECS; i++) {
		ret = memfd_new(envs[i]);
		if (ret < 0)
			goto fail;
		*fds[i] = ret;
		fd_path(ret, path, sizeof(path));
		if (setenv(envs[i], path, 1) < 0) {
			ret = -errno;
			goto fail;
		}
	}
	return 0;
fail:
	for (i = 0; i < NRECS; i++) {
		unsetenv(envs[i]);
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	return ret;
}

/*
 * The big strings of a document written as a stream (snapfile_record_write):
 * each recording or text is a placeholder in the tree (an empty string,
 * known by its address) and is base64-encoded from its memfd or buffer
 * straight into the output, in chunks, when the writer reaches it.  Neither
 * the recording nor its base64 is then held in memory (doc/snapshot.md,
 * "Streamed recordings").  NULL: the tree holds real strings (--redact
 * maps them in place; verify's bundle holds the document).
 */
struct big_str {
	json_t *ph;		/* the placeholder in the tree */
	int fd;			/* the bytes are in this file... */
	const char *buf;	/* ...or here */
	size_t len;
	char *own;		/* buf, when it is ours to free */
};

struct bigs {
	struct big_str *v;
	size_t n, cap;
};

static void bigs_free(struct bigs *b)
{
	size_t i;

	for (i = 0; b && i < b->n; i++) {
		free(b->v[i].own);
		if (b->v[i].fd >= 0)
			close(b->v[i].fd);
	}
	if (b)
		free(b->v);
}

static const struct big_str *bigs_find(const struct bigs *b, const json_t *v)
{
	size_t i;

	for (i = 0; b && i < b->n; i++)
		if (b->v[i].ph == v)
			return &b->v[i];
	return NULL;
}

/* A placeholder for the bytes of fd (dup'ed) or buf[0..len) (own: ours to
 * free, also on failure). */
static json_t *big_new(struct bigs *b, int fd, const char *buf, size_t len,
		       char *own)
{
	struct big_str *e;
	json_t *ph;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;

		e = realloc(b->v, cap * sizeof(*e));
		if (!e)
			goto fail;
		b->v = e;
		b->cap = cap;
	}
	ph = json_string("");
	if (!ph)
		goto fail;
	if (fd >= 0) {
		fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0) {
			json_decref(ph);
			goto fail;
		}
	}
	b->v[b->n++] = (struct big_str){ ph, fd, buf, len, own };
	return ph;
fail:
	free(own);
	return NULL;
}

/* buf[0..len) as a base64 JSON string. */
static json_t *b64_new(const void *buf, size_t len)
{
	size_t size = BASE64_ENCODED_LEN(len) + 1;
	json_t *s = NULL;
	char *out;
	int n;

	out = malloc(size);
	if (!out)
		return NULL;
	n = base64_encode(buf, len, out, size);
	if (n >= 0)
		s = json_stringn_nocheck(out, (size_t)n);
	free(out);
	return s;
}

static json_t *recording_new(struct bigs *bigs, int fd, int *ret)
{
	size_t len = 0;
	char *buf = NULL;
	json_t *o = NULL;
	struct stat st;

	if (bigs) {
		if (fstat(fd, &st) < 0) {
			*ret = -errno;
			return NULL;
		}
		if ((uint64_t)st.st_size > NLD_REPLAY_MAX) {
			*ret = -EFBIG;
			return NULL;
		}
		o = json_pack("{s:o}", "recording",
			      big_new(bigs, fd, NULL, (size_t)st.st_size,
				      NULL));
		*ret = o ? 0 : -ENOMEM;
		return o;
	}
	*ret = fd_slurp(fd, NLD_REPLAY_MAX, &buf, &len);
	if (*ret < 0)
		return NULL;
	o = json_pack("{s:o}", "recording", b64_new(buf, len));
	free(buf);
	if (!o)
		*ret = -ENOMEM;
	return o;
}

/* Run a *-save tool with its standard output into a memfd: its text in a
 * new buffer.  -ENOENT when it cannot be run, -EINVAL when it fails. */
static int run_save(const char *tool, char **bufp, size_t *lenp)
{
	int fd, status, ret;
	pid_t pid;

	fd = memfd_new(tool);
	if (fd < 0)
		return fd;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(fd, 1);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 2);
		}
		execlp(tool, tool, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			ret = -errno;
			close(fd);
			return ret;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		close(fd);
		return WIFEXITED(status) && WEXITSTATUS(status) == 127 ?
		       -ENOENT : -EINVAL;
	}
	ret = fd_slurp(fd, SNAPFILE_SAVE_MAX, bufp, lenp);
	close(fd);
	return ret;
}

static const struct rs_source_status *source_find(const struct ruleset *rs,
						  const char *name)
{
	size_t i;

	for (i = 0; i < rs->nsources; i++)
		if (rs->sources[i].name && strcmp(rs->sources[i].name,
						  name) == 0)
			return &rs->sources[i];
	return NULL;
}

static json_t *legacy_new(struct bigs *bigs, const struct ruleset *rs,
			  char *err, size_t errlen, int *ret)
{
	json_t *o = json_object(), *fam;
	size_t i, len;
	char *buf;

	*ret = -ENOMEM;
	if (!o)
		return NULL;
	for (i = 0; i < 2; i++) {
		const struct rs_source_status *s =
			source_find(rs, legacy_fams[i].source);
		bool present = s && s->present;

		fam = json_pack("{s:b}", "present", present);
		if (!fam || json_object_set_new(o, legacy_fams[i].key, fam))
			goto fail;
		if (!present)
			continue;
		/* libiptc has no seam; what its reader reads back from a
		 * namespace loaded with this text is the same model */
		*ret = run_save(legacy_fams[i].save, &buf, &len);
		if (*ret < 0) {
			fail(err, errlen, *ret, "cannot record the legacy "
			     "x_tables: %s %s", legacy_fams[i].save,
			     *ret == -ENOENT ? "cannot be run" : "failed");
			goto fail;
		}
		*ret = json_object_set_new(fam, "save", bigs ?
					   big_new(bigs, -1, buf, len, buf) :
					   b64_new(buf, len)) ? -ENOMEM : 0;
		if (!bigs)
			free(buf);
		if (*ret < 0)
			goto fail;
	}
	*ret = 0;
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* The texts of the ruleset `fwaudit fix` loads (format version 2): those
 * the caller put in snap->text (cmd_snapshot.c, from prove.h), by the keys
 * of text_keys; the legacy ones are in "legacy". */
static const char *const text_keys[SNAPSHOT_TEXT_N] = {
	[SNAPSHOT_TEXT_NFT] = "nft",
	[SNAPSHOT_TEXT_IP4] = "ip4",
	[SNAPSHOT_TEXT_IP6] = "ip6",
	[SNAPSHOT_TEXT_EBT] = "ebt",
	[SNAPSHOT_TEXT_EBL] = "ebl",
};

static json_t *ruleset_text_new(struct bigs *bigs,
				const struct snapshot *snap)
{
	json_t *o = json_object();
	size_t k;

	for (k = 0; o && k < SNAPSHOT_TEXT_N; k++) {
		if (!text_keys[k] || !snap->text[k])
			continue;
		if (json_object_set_new(o, text_keys[k], bigs ?
				big_new(bigs, -1, snap->text[k],
					snap->text_len[k], NULL) :
				b64_new(snap->text[k], snap->text_len[k]))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *owners_new(const struct host *h)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; a && i < h->nlisteners; i++) {
		const struct host_listener *l = &h->listeners[i];

		if (!l->pid && !l->comm)
			continue;
		/* s*: no "comm" at all when it is not known */
		o = json_pack("{s:I,s:I,s:s*}", "inode", (json_int_t)l->inode,
			      "pid", (json_int_t)l->pid, "comm", l->comm);
		/* the cgroup ingress programs of its cgroup (bpfq.c), only
		 * when there are some */
		if (o && l->cgroup_progs &&
		    (json_object_set_new(o, "cgroup", json_string(
				l->cgroup ? l->cgroup : "")) ||
		     json_object_set_new(o, "cgroup_progs", json_integer(
				l->cgroup_progs)) ||
		     json_object_set_new(o, "cgroup_prog", json_integer(
				l->cgroup_prog))))
			o = (json_decref(o), NULL);
		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* "netfilter" (bpfq.c's netfilter BPF links, in h->nfbpf's order) and
 * "netfilter_error" into o. */
static int nfbpf_add(const struct host *h, json_t *o)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < h->nnfbpf; i++) {
		const struct host_nfbpf *p = &h->nfbpf[i];

		if (json_array_append_new(a, json_pack(
				"{s:I,s:I,s:i,s:i,s:i,s:I,s:s,s:s}",
				"link", (json_int_t)p->link_id,
				"prog", (json_int_t)p->prog_id,
				"pf", p->pf, "hook", p->hooknum,
				"priority", (int)p->priority,
				"flags", (json_int_t)p->flags,
				"name", p->name, "tag", p->tag)))
			a = (json_decref(a), NULL);
	}
	if (!a || json_object_set_new(o, "netfilter", a) ||
	    json_object_set_new(o, "netfilter_error",
				json_integer(h->nfbpf_error)))
		return -ENOMEM;
	return 0;
}

/* What bpfq.c found on the links, and the query it could not make:
 * NULL (no member) when there is nothing, as on most hosts. */
static json_t *bpf_new(const struct host *h, int *err)
{
	json_t *o, *links = json_array();
	size_t i;

	*err = 0;
	for (i = 0; links && i < h->nlinks; i++) {
		const struct host_link *l = &h->links[i];

		if (!l->tcx_progs)
			continue;
		if (json_array_append_new(links, json_pack("{s:i,s:I,s:I}",
				"ifindex", l->ifindex,
				"progs", (json_int_t)l->tcx_progs,
				"first", (json_int_t)l->tcx_prog)))
			links = (json_decref(links), NULL);
	}
	if (!links) {
		*err = -ENOMEM;
		return NULL;
	}
	if (!json_array_size(links) && !h->bpf_error && !h->nnfbpf &&
	    !h->nfbpf_error) {
		json_decref(links);
		return NULL;
	}
	o = json_pack("{s:i,s:o}", "error", h->bpf_error, "links", links);
	/* the netfilter BPF links, only when there are some (or their
	 * reading failed): older snapshots stay as they were */
	if (o && (h->nnfbpf || h->nfbpf_error) && nfbpf_add(h, o) < 0)
		o = (json_decref(o), NULL);
	if (!o)
		*err = -ENOMEM;
	return o;
}

/* Swarm's ingress sandbox (swarm.c): what was read there, or why not;
 * its IPVS conversation when there was one. */
static json_t *swarm_new(struct bigs *bigs, const struct host_swarm *s,
			 int fd, int *err)
{
	json_t *o, *addrs = json_array(), *marks = json_array(), *v;
	char buf[INET6_ADDRSTRLEN], lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	size_t i;

	*err = -ENOMEM;
	for (i = 0; addrs && i < s->naddrs; i++)
		if (json_array_append_new(addrs, json_string(
			ipaddr_str(AF_INET, s->addrs[i], buf, sizeof(buf)))))
			addrs = (json_decref(addrs), NULL);
	for (i = 0; marks && i < s->nmarks; i++) {
		const struct host_swarm_mark *m = &s->marks[i];

		ipaddr_str(AF_INET, m->daddr_lo, lo, sizeof(lo));
		ipaddr_str(AF_INET, m->daddr_hi, hi, sizeof(hi));
		if (json_array_append_new(marks, json_pack(
				"{s:i,s:[i,i],s:[s,s],s:I}", "protocol",
				m->proto, "ports", m->port_lo, m->port_hi,
				"daddr", lo, hi, "mark", (json_int_t)m->mark)))
			marks = (json_decref(marks), NULL);
	}
	if (!addrs || !marks) {
		json_decref(addrs);
		json_decref(marks);
		return NULL;
	}
	o = json_pack("{s:i,s:o,s:o,s:b}", "error", s->error, "addrs", addrs,
		      "marks", marks, "marks_exact", s->marks_exact);
	if (o && lseek(fd, 0, SEEK_END) > 0) {
		v = recording_new(bigs, fd, err);
		if (!v || json_object_set_new(o, "ipvs", v))
			o = (json_decref(o), NULL);
		return o;
	}
	if (o)
		*err = 0;
	return o;
}

static json_t *sysctl_new(const struct host *h)
{
	const struct host_sysctl *s = &h->sysctl;
	json_t *o, *links;
	size_t i;

	links = json_array();
	for (i = 0; links && i < h->nlinks; i++) {
		const struct host_link *l = &h->links[i];

		if (json_array_append_new(links, json_pack(
				"{s:i,s:s,s:i,s:i,s:i,s:i}",
				"ifindex", l->ifindex, "name", l->name,
				"forwarding", l->sysctl.forwarding,
				"route_localnet", l->sysctl.route_localnet,
				"rp_filter", l->sysctl.rp_filter,
				"ipv6_force_forwarding",
				l->sysctl.ipv6_force_forwarding))) {
			json_decref(links);
			return NULL;
		}
	}
	o = json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:o}",
		      "ip_forward", s->ip_forward,
		      "ipv6_forwarding", s->ipv6_forwarding,
		      "route_localnet_all", s->route_localnet_all,
		      "rp_filter_all", s->rp_filter_all,
		      "bridge_nf_call_iptables", s->bridge_nf_call_iptables,
		      "bridge_nf_call_ip6tables", s->bridge_nf_call_ip6tables,
		      "links", links);
	/* optional (format 3): only where the kernel has IPVS */
	if (o && s->ipvs_conntrack != HOST_SYSCTL_UNKNOWN &&
	    json_object_set_new(o, "ipvs_conntrack",
				json_integer(s->ipvs_conntrack))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *docker_new(const struct host *h)
{
	struct docker_map m = { 0 };
	char addr[INET6_ADDRSTRLEN];
	json_t *a, *o;
	size_t i;
	int err;

	/* no runtime is an answer too: the live audit then names nothing */
	if (runtimes_read(h, &m) < 0)
		return NULL;
	err = m.error[DOCKER_RT_DOCKER];
	a = json_array();
	for (i = 0; a && i < m.n; i++) {
		const struct docker_container *c = &m.c[i];

		host_addr_str(c->family, c->addr, addr, sizeof(addr));
		o = json_pack("{s:i,s:s,s:s,s:s}",
				"family", c->family == AF_INET6 ? 6 : 4,
				"addr", addr, "name", c->name,
				"image", c->image);
		if (o && c->runtime != DOCKER_RT_DOCKER &&
		    json_object_set_new(o, "runtime", json_string(
				docker_runtime_name(c->runtime))))
			o = (json_decref(o), NULL);
		if (json_array_append_new(a, o)) {
			json_decref(a);
			a = NULL;
		}
	}
	o = json_pack("{s:i,s:o}", "error", err, "containers", a);
	/* the other runtimes' part only when there is one: a snapshot of a
	 * host without them reads as before */
	if (o && m.nports && json_object_set_new(o, "ports",
						 runtimes_ports_json(&m)))
		o = (json_decref(o), NULL);
	a = o ? runtimes_errors_json(&m) : NULL;
	if (a && json_object_size(a) && json_object_set_new(o, "errors", a))
		o = (json_decref(o), NULL);
	else if (a && !json_object_size(a))
		json_decref(a);
	docker_release(&m);
	return o;
}

/* The document of snapfile_record_end(), with placeholders for its big
 * strings when bigs is not NULL.  Leaves rec's files open. */
static int record_doc(struct snapfile_rec *rec, const struct snapshot *snap,
		      struct bigs *bigs, json_t **out, char *err,
		      size_t errlen)
{
	char host[SNAPFILE_NAME_MAX] = "", stamp[32];
	time_t t = (time_t)(rec->taken_usec / 1000000u);
	json_t *doc = NULL, *v;
	int ret = -ENOMEM;

	rec_unsetenv();
	if (!snap->rs || !snap->host) {
		ret = fail(err, errlen, -EINVAL, "a snapshot file needs the "
			   "ruleset and the host facts");
		goto out;
	}
	gethostname(host, sizeof(host) - 1);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	doc = json_pack("{s:s,s:i,s:s,s:s,s:I,s:s}",
			"format", SNAPFILE_FORMAT,
			"version", SNAPFILE_VERSION,
			"fwaudit", PACKAGE_VERSION,
			"taken", stamp,
			"taken_usec", (json_int_t)rec->taken_usec,
			"hostname", host);
	if (!doc)
		goto out;
	v = recording_new(bigs, rec->nft_fd, &ret);
	if (!v || json_object_set_new(doc, "nftables", v))
		goto rec_fail;
	v = legacy_new(bigs, snap->rs, err, errlen, &ret);
	if (!v)
		goto out;
	if (json_object_set_new(doc, "legacy", v) ||
	    json_object_set_new(doc, "ruleset_text",
				ruleset_text_new(bigs, snap)))
		goto nomem;
	v = recording_new(bigs, rec->rtnl_fd, &ret);
	if (!v || json_object_set_new(doc, "rtnetlink", v))
		goto rec_fail;
	v = recording_new(bigs, rec->diag_fd, &ret);
	if (!v || json_object_set_new(doc, "sock_diag", v))
		goto rec_fail;
	if (json_object_set_new(doc, "owners", owners_new(snap->host)) ||
	    json_object_set_new(doc, "sysctl", sysctl_new(snap->host)) ||
	    json_object_set_new(doc, "docker", docker_new(snap->host)))
		goto nomem;
	v = bpf_new(snap->host, &ret);
	if (ret < 0 || (v && json_object_set_new(doc, "bpf", v)))
		goto nomem;
	if (snap->host->swarm.present) {
		v = swarm_new(bigs, &snap->host->swarm, rec->swarm_fd, &ret);
		if (!v || json_object_set_new(doc, "swarm_ingress_sbox", v))
			goto rec_fail;
	}
	/* only where the kernel has IPVS (ipvs.c records nothing else) */
	if (lseek(rec->ipvs_fd, 0, SEEK_END) > 0) {
		v = recording_new(bigs, rec->ipvs_fd, &ret);
		if (!v || json_object_set_new(doc, "ipvs", v))
			goto rec_fail;
	}
	/* and where it has ebtables-legacy tables (ebtleg.c) */
	if (lseek(rec->ebt_fd, 0, SEEK_END) > 0) {
		v = recording_new(bigs, rec->ebt_fd, &ret);
		if (!v || json_object_set_new(doc, "ebtables", v))
			goto rec_fail;
	}
	/* and where the namespace has ipsets (ipset.c) */
	if (lseek(rec->ipset_fd, 0, SEEK_END) > 0) {
		v = recording_new(bigs, rec->ipset_fd, &ret);
		if (!v || json_object_set_new(doc, "ipset", v))
			goto rec_fail;
	}
	/* and where macvlan or ipvlan containers have their own */
	if (json_array_size(rec->netns) &&
	    json_object_set(doc, "container_netns", rec->netns))
		goto nomem;
	*out = doc;
	doc = NULL;
	ret = 0;
	goto out;
rec_fail:
	fail(err, errlen, ret, "cannot keep a recording: %s", strerror(-ret));
	goto out;
nomem:
	ret = fail(err, errlen, -ENOMEM, "out of memory");
out:
	json_decref(doc);
	return ret;
}

int snapfile_record_end(struct snapfile_rec *rec, const struct snapshot *snap,
			json_t **out, char *err, size_t errlen)
{
	int ret = record_doc(rec, snap, NULL, out, err, errlen);

	snapfile_record_abort(rec);
	return ret;
}

/* Where a value of the document goes: jansson's layout, at depth. */
struct dump_to {
	FILE *f;
	size_t depth;
};

/* json_dump_callback() of a value at depth 0, shifted to its depth: its
 * line breaks are the only '\n' it writes (strings escape theirs). */
static int dump_shifted(const char *buf, size_t len, void *data)
{
	const struct dump_to *d = data;
	const char *nl;
	size_t i;

	while ((nl = memchr(buf, '\n', len))) {
		if (fwrite(buf, 1, (size_t)(nl - buf) + 1, d->f) !=
		    (size_t)(nl - buf) + 1)
			return -1;
		for (i = 0; i < d->depth; i++)
			if (fputc(' ', d->f) == EOF)
				return -1;
		len -= (size_t)(nl - buf) + 1;
		buf = nl + 1;
	}
	return len && fwrite(buf, 1, len, d->f) != len ? -1 : 0;
}

static bool has_big(const struct bigs *b, const json_t *v)
{
	const char *key;
	json_t *m;

	if (bigs_find(b, v))
		return true;
	if (!json_is_object(v))
		return false;
	json_object_foreach((json_t *)v, key, m)
		if (has_big(b, m))
			return true;
	return false;
}

#define B64_CHUNK	(3 * 16384)	/* bytes encoded at a time */

/* The bytes of e as base64, in chunks of a multiple of 3 bytes (so that
 * the chunks' base64 joined is the whole's), between quotes. */
static int dump_big(FILE *f, const struct big_str *e)
{
	uint8_t *in = malloc(B64_CHUNK);
	char *out = malloc(BASE64_ENCODED_LEN(B64_CHUNK) + 1);
	size_t off = 0, n;
	int len, ret = -ENOMEM;
	ssize_t r;

	if (!in || !out)
		goto out;
	ret = fputc('"', f) == EOF ? -EIO : 0;
	while (!ret && off < e->len) {
		n = e->len - off < B64_CHUNK ? e->len - off : B64_CHUNK;
		if (e->fd >= 0) {
			r = pread(e->fd, in, n, (off_t)off);
			if (r < 0 && errno == EINTR)
				continue;
			/* a short read ends mid-group only at the end */
			n = r > 0 ? (size_t)r : 0;
			if (off + n < e->len)
				n -= n % 3;
			if (!n) {
				ret = r < 0 ? -errno : -EIO;
				break;
			}
			len = base64_encode(in, n, out,
					    BASE64_ENCODED_LEN(B64_CHUNK) + 1);
		} else {
			len = base64_encode(e->buf + off, n, out,
					    BASE64_ENCODED_LEN(B64_CHUNK) + 1);
		}
		if (len < 0 || fwrite(out, 1, (size_t)len, f) != (size_t)len)
			ret = -EIO;
		off += n;
	}
	if (!ret && fputc('"', f) == EOF)
		ret = -EIO;
out:
	free(in);
	free(out);
	return ret;
}

/* v at depth as json_dumpf(JSON_INDENT(1) | JSON_PRESERVE_ORDER) writes
 * it, the placeholders of b streamed.  Only objects hold placeholders. */
static int dump_value(FILE *f, const struct bigs *b, const json_t *v,
		      size_t depth)
{
	struct dump_to d = { f, depth };
	const struct big_str *e = bigs_find(b, v);
	const char *key;
	size_t i, n = 0;
	json_t *m;
	int ret;

	if (e)
		return dump_big(f, e);
	if (!has_big(b, v))
		return json_dump_callback(v, dump_shifted, &d, JSON_INDENT(1) |
					  JSON_PRESERVE_ORDER |
					  JSON_ENCODE_ANY) < 0 ? -EIO : 0;
	if (fputc('{', f) == EOF)
		return -EIO;
	json_object_foreach((json_t *)v, key, m) {
		json_t *k = json_string(key);

		if (!k)
			return -ENOMEM;
		if (n++ && fputc(',', f) == EOF)
			ret = -EIO;
		else if (fputc('\n', f) == EOF)
			ret = -EIO;
		else
			ret = 0;
		for (i = 0; !ret && i <= depth; i++)
			if (fputc(' ', f) == EOF)
				ret = -EIO;
		if (!ret && (json_dump_callback(k, dump_shifted, &d,
						JSON_ENCODE_ANY) < 0 ||
			     fputs(": ", f) == EOF))
			ret = -EIO;
		json_decref(k);
		if (!ret)
			ret = dump_value(f, b, m, depth + 1);
		if (ret)
			return ret;
	}
	if (n && fputc('\n', f) == EOF)
		return -EIO;
	for (i = 0; n && i < depth; i++)
		if (fputc(' ', f) == EOF)
			return -EIO;
	return fputc('}', f) == EOF ? -EIO : 0;
}

static int write_doc(const json_t *doc, const struct bigs *b, const char *path)
{
	char *tmp = NULL;
	FILE *f;
	int fd, ret = 0;

	if (!path || strcmp(path, "-") == 0) {
		ret = dump_value(stdout, b, doc, 0);
		if (!ret && (fputc('\n', stdout) == EOF ||
			     fflush(stdout) == EOF))
			ret = -EIO;
		return ret;
	}
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	/* mode 0600: what a snapshot holds (process names, addresses) is
	 * root's */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(tmp);
		return ret;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		goto out;
	}
	errno = 0;
	ret = dump_value(f, b, doc, 0);
	if (!ret && (fputc('\n', f) == EOF || fflush(f) == EOF ||
		     fsync(fd) < 0))
		ret = errno ? -errno : -EIO;
	if (fclose(f) == EOF && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
out:
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

int snapfile_write(const json_t *doc, const char *path)
{
	return write_doc(doc, NULL, path);
}

int snapfile_record_write(struct snapfile_rec *rec,
			  const struct snapshot *snap, const char *path,
			  char *err, size_t errlen)
{
	struct bigs bigs = { NULL, 0, 0 };
	json_t *doc = NULL;
	int ret;

	ret = record_doc(rec, snap, &bigs, &doc, err, errlen);
	snapfile_record_abort(rec);
	if (!ret) {
		ret = write_doc(doc, &bigs, path);
		if (ret < 0)
			fail(err, errlen, ret, "cannot write %s: %s",
			     path && strcmp(path, "-") ? path : "the snapshot",
			     strerror(-ret));
	}
	json_decref(doc);
	bigs_free(&bigs);
	return ret;
}

void snapfile_record_abort(struct snapfile_rec *rec)
{
	rec_unsetenv();
	if (rec->ebt_fd >= 0)
		close(rec->ebt_fd);
	if (rec->ipset_fd >= 0)
		close(rec->ipset_fd);
	if (rec->ipvs_fd >= 0)
		close(rec->ipvs_fd);
	if (rec->swarm_fd >= 0)
		close(rec->swarm_fd);
	if (rec->nft_fd >= 0)
		close(rec->nft_fd);
	if (rec->rtnl_fd >= 0)
		close(rec->rtnl_fd);
	if (rec->diag_fd >= 0)
		close(rec->diag_fd);
	rec->nft_fd = rec->rtnl_fd = rec->diag_fd = rec->ipvs_fd = -1;
	rec->swarm_fd = rec->ebt_fd = rec->ipset_fd = -1;
	json_decref(rec->netns);
	rec->netns = NULL;
}

/* {"name", "image", "runtime", "driver"[, "project"]}: who a namespace's
 * rows name (an LXD or Incus project only when not "default"). */
static json_t *netns_head(const struct sandbox *sb)
{
	json_t *o = json_pack("{s:s,s:s,s:i,s:s}", "name", sb->name,
			      "image", sb->image ? sb->image : "",
			      "runtime", (int)sb->runtime, "driver",
			      sb->driver);

	if (o && sb->project &&
	    json_object_set_new(o, "project", json_string(sb->project))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int netns_append(struct snapfile_rec *rec, json_t *o)
{
	if (!o)
		return -ENOMEM;
	if (!rec->netns)
		rec->netns = json_array();
	if (!rec->netns || json_array_append_new(rec->netns, o))
		return -ENOMEM;
	return 0;
}

int snapfile_netns_add(struct snapfile_rec *rec, const struct sandbox *sb,
		       struct snapshot *out, char *err, size_t errlen)
{
	char *saved[SNAPFILE_NRECS];
	struct snapfile_rec r;
	struct snapshot snap = { .rs = NULL };
	json_t *o = NULL, *v;
	int ret, r2;

	/* a recording under way (rec's, while fwauditd audits) is the
	 * host's: the container's conversations go to recordings of its own */
	ret = snapfile_record_pause(saved);
	if (ret < 0)
		return ret;
	ret = snapfile_record_begin(&r);
	if (ret < 0)
		goto resume;
	ret = snapshot_read(&snap, true, NULL);
	if (ret < 0)
		goto out;
	rec_unsetenv();
	ret = -ENOMEM;
	o = netns_head(sb);
	if (!o)
		goto out;
	/* the members of the top level that a namespace has, as there */
	v = recording_new(NULL, r.nft_fd, &ret);
	if (!v || json_object_set_new(o, "nftables", v))
		goto out;
	/* its legacy tables are saved here, in its namespace */
	v = legacy_new(NULL, snap.rs, err, errlen, &ret);
	if (!v || json_object_set_new(o, "legacy", v))
		goto out;
	v = recording_new(NULL, r.rtnl_fd, &ret);
	if (!v || json_object_set_new(o, "rtnetlink", v))
		goto out;
	v = recording_new(NULL, r.diag_fd, &ret);
	if (!v || json_object_set_new(o, "sock_diag", v))
		goto out;
	ret = -ENOMEM;
	if (json_object_set_new(o, "owners", owners_new(snap.host)) ||
	    json_object_set_new(o, "sysctl", sysctl_new(snap.host)))
		goto out;
	v = bpf_new(snap.host, &ret);
	if (ret < 0 || (v && json_object_set_new(o, "bpf", v))) {
		ret = -ENOMEM;
		goto out;
	}
	if (lseek(r.ipvs_fd, 0, SEEK_END) > 0) {
		v = recording_new(NULL, r.ipvs_fd, &ret);
		if (!v || json_object_set_new(o, "ipvs", v))
			goto out;
	}
	if (lseek(r.ebt_fd, 0, SEEK_END) > 0) {
		v = recording_new(NULL, r.ebt_fd, &ret);
		if (!v || json_object_set_new(o, "ebtables", v))
			goto out;
	}
	if (lseek(r.ipset_fd, 0, SEEK_END) > 0) {
		v = recording_new(NULL, r.ipset_fd, &ret);
		if (!v || json_object_set_new(o, "ipset", v))
			goto out;
	}
	if (snap.host->swarm.present) {
		v = swarm_new(NULL, &snap.host->swarm, r.swarm_fd, &ret);
		if (!v || json_object_set_new(o, "swarm_ingress_sbox", v)) {
			ret = ret < 0 ? ret : -ENOMEM;
			goto out;
		}
	}
	ret = netns_append(rec, o);
	o = NULL;
	if (!ret && out) {
		*out = snap;
		memset(&snap, 0, sizeof(snap));
	}
out:
	json_decref(o);
	snapfile_record_abort(&r);
	snapshot_release(&snap);
resume:
	r2 = snapfile_record_resume(saved);
	if (!ret && r2 < 0) {
		if (out)
			snapshot_release(out);
		ret = r2;
	}
	return ret;
}

int snapfile_netns_failed(struct snapfile_rec *rec, const struct sandbox *sb,
			  int error, const char *why)
{
	json_t *o = netns_head(sb);

	if (o && (json_object_set_new(o, "error", json_integer(-error)) ||
		  json_object_set_new(o, "why", json_string(why)))) {
		json_decref(o);
		return -ENOMEM;
	}
	return netns_append(rec, o);
}

/* ---- reading ---- */

/* A big base64 string left in the file text (scan_doc()): the tree holds
 * an empty string in its place, known by its address. */
struct big_in {
	const json_t *ph;
	size_t off, len;	/* its characters, without the quotes */
	/* decoded ahead (snapfile_load(), so that the text can go before
	 * the replay): a memfd, or bad_b64; fd -1: not */
	int fd;
	bool bad_b64;
};

struct snapfile_ctx {
	const char *name;
	long long version;	/* of the file, once known */
	char *err;
	size_t errlen;
	const char *text;	/* the file, for the big strings */
	const struct big_in *big;
	size_t nbig;
};

static const struct big_in *big_of(const struct snapfile_ctx *c,
				   const json_t *v)
{
	size_t i;

	for (i = 0; i < c->nbig; i++)
		if (c->big[i].ph == v)
			return &c->big[i];
	return NULL;
}

static int bad(struct snapfile_ctx *c, const char *path, const char *why)
{
	return fail(c->err, c->errlen, -EBADMSG, "%s: %s: %s", c->name, path,
		    why);
}

/* Only the keys of keys[] (NULL-terminated) in o: a field this version
 * does not know is a corrupt file or a newer one that kept the version. */
static int check_keys(struct snapfile_ctx *c, const json_t *o,
		      const char *path, const char *const *keys)
{
	const char *key;
	char p[128], why[64];
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)o, key, v) {
		for (i = 0; keys[i]; i++)
			if (strcmp(key, keys[i]) == 0)
				break;
		if (!keys[i]) {
			snprintf(p, sizeof(p), "%s%s%.64s", path,
				 *path ? "." : "", key);
			snprintf(why, sizeof(why), "no such field in "
				 "snapshot format version %lld", c->version);
			return bad(c, p, why);
		}
	}
	return 0;
}

static int get_obj(struct snapfile_ctx *c, const json_t *o, const char *key,
		   const char *path, json_t **out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_object(v))
		return bad(c, path, v ? "not an object" : "missing");
	*out = v;
	return 0;
}

static int get_int(struct snapfile_ctx *c, const json_t *o, const char *key,
		   const char *path, long long min, long long max,
		   long long *out)
{
	json_t *v = json_object_get(o, key);
	char why[96];

	if (!json_is_integer(v))
		return bad(c, path, v ? "not an integer" : "missing");
	if (json_integer_value(v) < min || json_integer_value(v) > max) {
		snprintf(why, sizeof(why), "%lld is outside %lld..%lld",
			 (long long)json_integer_value(v), min, max);
		return bad(c, path, why);
	}
	*out = json_integer_value(v);
	return 0;
}

static int get_str(struct snapfile_ctx *c, const json_t *o, const char *key,
		   const char *path, size_t max, const char **out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return bad(c, path, v ? "not a string" : "missing");
	if (json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return bad(c, path, "too long or holds a NUL");
	*out = json_string_value(v);
	return 0;
}

/* A base64 field decoded into a new buffer of at most max bytes. */
static int get_blob(struct snapfile_ctx *c, const json_t *o, const char *key,
		    const char *path, size_t max, char **bufp, size_t *lenp)
{
	json_t *v = json_object_get(o, key);
	const struct big_in *e;
	size_t len, size;
	uint8_t *buf;
	int ret;

	if (!json_is_string(v))
		return bad(c, path, v ? "not a string" : "missing");
	e = big_of(c, v);
	len = e ? e->len : json_string_length(v);
	if (len / 4 * 3 > max)
		return fail(c->err, c->errlen, -EFBIG, "%s: %s: larger than "
			    "%zu bytes", c->name, path, max);
	if (e && e->fd >= 0) {
		/* decoded ahead (big_decode_all()) */
		if (e->bad_b64)
			return bad(c, path, "not base64");
		ret = fd_slurp(e->fd, max, bufp, lenp);
		if (ret < 0)
			return fail(c->err, c->errlen, ret, "%s: %s: %s",
				    c->name, path, strerror(-ret));
		return 0;
	}
	size = len / 4 * 3 + 3;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	ret = base64_decode(e ? c->text + e->off : json_string_value(v), len,
			    buf, size, &len);
	if (ret < 0) {
		free(buf);
		return bad(c, path, "not base64");
	}
	*bufp = (char *)buf;
	*lenp = len;
	return 0;
}

/* A decoded blob in a memfd the readers can open by path. */
static int blob_fd(const char *buf, size_t len, char *path, size_t pathlen)
{
	int fd, ret;

	fd = memfd_new("fwaudit-snapshot");
	if (fd < 0)
		return fd;
	ret = fd_write_all(fd, buf, len);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	fd_path(fd, path, pathlen);
	return fd;
}

/*
 * A big string (scan_doc()) decoded from the file text straight into a
 * memfd, in chunks: neither a decoded copy nor jansson's is held in memory.
 * The chunks are whole quanta and padding may only end the last one, so
 * what decodes is what base64_decode() of the whole accepts (the string
 * holds nothing but the alphabet and '='), with get_blob()'s messages.
 */
static int big_decode(const char *in, size_t inlen, int fd, size_t *dlen)
{
	uint8_t *out = malloc(B64_CHUNK);
	size_t off = 0, n, len;
	int ret = out ? 0 : -ENOMEM;

	*dlen = 0;
	while (!ret && off < inlen) {
		n = inlen - off > BASE64_ENCODED_LEN(B64_CHUNK) ?
		    BASE64_ENCODED_LEN(B64_CHUNK) : inlen - off;
		if ((off + n < inlen && memchr(in + off, '=', n)) ||
		    base64_decode(in + off, n, out, B64_CHUNK, &len) < 0) {
			ret = -EINVAL;	/* "not base64" to the callers */
			break;
		}
		ret = fd_write_all(fd, out, len);
		if (ret == -EINVAL)
			ret = -EIO;
		*dlen += len;
		off += n;
	}
	free(out);
	return ret;
}

/* The recording e in a memfd the replay opens by path: decoded now, or
 * ahead (a new descriptor of that memfd). */
static int big_fd(struct snapfile_ctx *c, const struct big_in *e,
		  const char *p, size_t max, char *path, size_t pathlen)
{
	size_t dlen;
	int fd, ret;

	if (e->len / 4 * 3 > max)
		return fail(c->err, c->errlen, -EFBIG, "%s: %s: larger than "
			    "%zu bytes", c->name, p, max);
	if (e->fd >= 0 && e->bad_b64)
		return bad(c, p, "not base64");
	fd = e->fd >= 0 ? fcntl(e->fd, F_DUPFD_CLOEXEC, 3) :
	     memfd_new("fwaudit-snapshot");
	if (fd < 0) {
		ret = e->fd >= 0 ? -errno : fd;
		return fail(c->err, c->errlen, ret, "%s: %s: %s", c->name, p,
			    strerror(-ret));
	}
	ret = e->fd >= 0 ? 0 : big_decode(c->text + e->off, e->len, fd,
					  &dlen);
	if (ret < 0) {
		close(fd);
		if (ret == -EINVAL)
			return bad(c, p, "not base64");
		return fail(c->err, c->errlen, ret, "%s: %s: %s", c->name, p,
			    strerror(-ret));
	}
	fd_path(fd, path, pathlen);
	return fd;
}

/* Replay the recording at key of o through replay(). */
static int replay_blob(struct snapfile_ctx *c, const json_t *root,
		       const char *key, void *target,
		       int (*replay)(void *target, const char *path))
{
	char path[64], p[64], *buf = NULL;
	const struct big_in *e;
	json_t *o = NULL;
	size_t len;
	int fd, ret;

	snprintf(p, sizeof(p), "%s.recording", key);
	ret = get_obj(c, root, key, key, &o);
	if (!ret)
		ret = check_keys(c, o, key, (const char *const[]){
				 "recording", NULL });
	e = ret ? NULL : big_of(c, json_object_get(o, "recording"));
	if (e) {
		fd = big_fd(c, e, p, NLD_REPLAY_MAX, path, sizeof(path));
		if (fd < 0)
			return fd;
	} else {
		if (!ret)
			ret = get_blob(c, o, "recording", p, NLD_REPLAY_MAX,
				       &buf, &len);
		if (ret < 0)
			return ret;
		fd = blob_fd(buf, len, path, sizeof(path));
		free(buf);
		if (fd < 0)
			return fail(c->err, c->errlen, fd, "%s: %s: %s",
				    c->name, p, strerror(-fd));
	}
	ret = replay(target, path);
	close(fd);
	if (ret < 0)
		return fail(c->err, c->errlen, ret == -ENOMEM ? ret : -EBADMSG,
			    "%s: %s: the recorded conversation does not "
			    "replay: %s", c->name, p, strerror(-ret));
	return 0;
}

/* A recording read whole (at most NLD_REPLAY_MAX, as replay_blob()
 * bounds it), then replayed into the ruleset by fn. */
static int replay_rs_buf(void *target, const char *path,
			 int (*fn)(struct ruleset *, const void *, size_t))
{
	char *buf = NULL;
	size_t len = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = fd_slurp(fd, NLD_REPLAY_MAX, &buf, &len);
	close(fd);
	if (ret < 0)
		return ret;
	ret = fn(target, buf, len);
	free(buf);
	return ret;
}

/* ebtleg.c's recording */
static int replay_ebt(void *target, const char *path)
{
	return replay_rs_buf(target, path, ebtleg_replay_buf);
}

/* ipset.c's recording, after the rules (a -j SET rule makes its set
 * undecided) */
static int replay_ipset(void *target, const char *path)
{
	return replay_rs_buf(target, path, ipset_replay_buf);
}

static int replay_nft(void *target, const char *path)
{
	return nft_replay_ruleset(target, path);
}

static int replay_rtnl(void *target, const char *path)
{
	return link_replay(target, path);
}

static int replay_diag(void *target, const char *path)
{
	return sockets_replay(target, path);
}

static int replay_ipvs(void *target, const char *path)
{
	return ipvs_replay(target, path);
}

static int replay_swarm_ipvs(void *target, const char *path)
{
	struct host_swarm *s = target;

	return ipvs_replay_file(path, &s->ipvs, &s->nipvs, &s->ipvs_error);
}

/* "swarm_ingress_sbox": what swarm.c read in Swarm's ingress sandbox
 * (optional). */
static int parse_swarm(struct snapfile_ctx *c, const json_t *root,
		       struct host_swarm *s)
{
	json_t *o = json_object_get(root, "swarm_ingress_sbox"), *a, *v;
	long long err, x;
	size_t i;
	int ret;

	if (!o)
		return 0;
	if (!json_is_object(o))
		return bad(c, "swarm_ingress_sbox", "not an object");
	ret = check_keys(c, o, "swarm_ingress_sbox", (const char *const[]){
			 "error", "addrs", "marks", "marks_exact", "ipvs",
			 NULL });
	if (!ret)
		ret = get_int(c, o, "error", "swarm_ingress_sbox.error", -4095,
			      0, &err);
	if (ret)
		return ret;
	s->present = true;
	s->error = (int)err;
	s->marks_exact = json_is_true(json_object_get(o, "marks_exact"));
	a = json_object_get(o, "addrs");
	if (!json_is_array(a) || json_array_size(a) > SWARM_ADDRS_MAX)
		return bad(c, "swarm_ingress_sbox.addrs", "not an array of at "
			   "most 256 addresses");
	json_array_foreach(a, i, v) {
		rs_u128 *na;
		rs_u128 ad;

		if (!json_is_string(v) ||
		    ipaddr_parse(AF_INET, json_string_value(v), &ad) < 0)
			return bad(c, "swarm_ingress_sbox.addrs", "not an "
				   "IPv4 address");
		na = host_array_add((void **)&s->addrs, &s->naddrs,
				    sizeof(*na), SWARM_ADDRS_MAX);
		if (!na)
			return -ENOMEM;
		*na = ad;
	}
	a = json_object_get(o, "marks");
	if (!json_is_array(a) || json_array_size(a) > SWARM_MARKS_MAX)
		return bad(c, "swarm_ingress_sbox.marks", "not an array");
	json_array_foreach(a, i, v) {
		struct host_swarm_mark *m;
		json_t *p = json_object_get(v, "ports");
		json_t *d = json_object_get(v, "daddr");
		long long plo, phi;

		if (check_keys(c, v, "swarm_ingress_sbox.marks",
			       (const char *const[]){ "protocol", "ports",
			       "daddr", "mark", NULL }))
			return -EBADMSG;
		m = host_array_add((void **)&s->marks, &s->nmarks,
				   sizeof(*m), SWARM_MARKS_MAX);
		if (!m)
			return -ENOMEM;
		ret = get_int(c, v, "protocol", "swarm_ingress_sbox.marks", 0,
			      255, &x);
		if (ret)
			return ret;
		m->proto = (uint8_t)x;
		ret = get_int(c, v, "mark", "swarm_ingress_sbox.marks", 0,
			      0xffffffffll, &x);
		if (ret)
			return ret;
		m->mark = (uint32_t)x;
		if (!json_is_array(p) || json_array_size(p) != 2 ||
		    !json_is_integer(json_array_get(p, 0)) ||
		    !json_is_integer(json_array_get(p, 1)))
			return bad(c, "swarm_ingress_sbox.marks", "ports");
		plo = json_integer_value(json_array_get(p, 0));
		phi = json_integer_value(json_array_get(p, 1));
		if (plo < 0 || phi > 65535 || plo > phi)
			return bad(c, "swarm_ingress_sbox.marks", "ports");
		m->port_lo = (uint16_t)plo;
		m->port_hi = (uint16_t)phi;
		if (!json_is_array(d) || json_array_size(d) != 2 ||
		    !json_is_string(json_array_get(d, 0)) ||
		    !json_is_string(json_array_get(d, 1)) ||
		    ipaddr_parse(AF_INET, json_string_value(json_array_get(d, 0)),
				 &m->daddr_lo) < 0 ||
		    ipaddr_parse(AF_INET, json_string_value(json_array_get(d, 1)),
				 &m->daddr_hi) < 0 ||
		    m->daddr_lo > m->daddr_hi)
			return bad(c, "swarm_ingress_sbox.marks", "daddr");
		swarm_mark_text(m);
	}
	if (json_object_get(o, "ipvs"))
		return replay_blob(c, o, "ipvs", s, replay_swarm_ipvs);
	return 0;
}

/* The `ipset restore` script of the recorded sets (ipset_restore_script())
 * in a new memfd: *fd, its "ips:"-prefixed path in path.  1, 0 without
 * sets, or a negative errno. */
static int legacy_ipsets(struct snapfile_ctx *c, const json_t *root,
			 int *fd, char *path, size_t pathlen)
{
	char *buf = NULL, *script = NULL;
	json_t *o = NULL;
	size_t len, slen = 0;
	int ret;

	ret = get_obj(c, root, "ipset", "ipset", &o);
	if (!ret)
		ret = get_blob(c, o, "recording", "ipset.recording",
			       NLD_REPLAY_MAX, &buf, &len);
	if (ret)
		return ret;
	ret = ipset_restore_script(buf, len, &script, &slen);
	free(buf);
	if (ret < 0)
		return bad(c, "ipset.recording", "not an ipset conversation");
	if (!slen) {
		free(script);
		return 0;
	}
	ret = blob_fd(script, slen, path + 4, pathlen - 4);
	free(script);
	if (ret < 0)
		return ret;
	*fd = ret;
	memcpy(path, "ips:", 4);
	return 1;
}

static int parse_legacy(struct snapfile_ctx *c, const json_t *root,
			unsigned int flags, struct snapshot *s)
{
	struct ruleset *rs = s->rs;
	char *files[3], paths[3][64], p[64], lerr[1024], lockpath[64];
	bool present[2] = { false, false };
	int fds[3] = { -1, -1, -1 }, lockfd = -1;
	size_t i, n = 0, len;
	json_t *o = NULL, *fam = NULL;
	char *buf;
	int ret;

	ret = get_obj(c, root, "legacy", "legacy", &o);
	if (!ret)
		ret = check_keys(c, o, "legacy", (const char *const[]){
				 "ipv4", "ipv6", NULL });
	for (i = 0; !ret && i < 2; i++) {
		snprintf(p, sizeof(p), "legacy.%s", legacy_fams[i].key);
		ret = get_obj(c, o, legacy_fams[i].key, p, &fam);
		if (!ret)
			ret = check_keys(c, fam, p, (const char *const[]){
					 "present", "save", NULL });
		if (ret)
			break;
		snprintf(p, sizeof(p), "legacy.%s.present",
			 legacy_fams[i].key);
		if (!json_is_boolean(json_object_get(fam, "present"))) {
			ret = bad(c, p, "not true or false");
			break;
		}
		present[i] = json_is_true(json_object_get(fam, "present"));
		snprintf(p, sizeof(p), "legacy.%s.save", legacy_fams[i].key);
		if (!json_object_get(fam, "save")) {
			if (present[i])
				ret = bad(c, p, "missing for tables that "
					  "were present");
			continue;
		}
		ret = get_blob(c, fam, "save", p, SNAPFILE_SAVE_MAX, &buf,
			       &len);
		if (ret)
			break;
		if (memchr(buf, '\0', len)) {
			ret = bad(c, p, "holds a NUL: not iptables-save "
				  "text");
		} else if (flags & SNAPFILE_RULESET) {
			/* `fwaudit fix` loads the same text (prove.c) */
			enum snapshot_text k = i ? SNAPSHOT_TEXT_LG6 :
						   SNAPSHOT_TEXT_LG4;

			s->text[k] = strndup(buf, len);
			s->text_len[k] = len;
			if (!s->text[k])
				ret = -ENOMEM;
		}
		if (!ret && !(flags & SNAPFILE_NO_LEGACY) &&
		    (flags & SNAPFILE_RULESET)) {
			ret = blob_fd(buf, len, paths[n] + 4,
				      sizeof(paths[n]) - 4);
			if (ret >= 0) {
				fds[n] = ret;
				memcpy(paths[n], legacy_fams[i].prefix, 4);
				files[n] = paths[n];
				n++;
				ret = 0;
			}
		}
		free(buf);
	}
	if (ret < 0 || (flags & SNAPFILE_NO_LEGACY) ||
	    !(flags & SNAPFILE_RULESET))
		goto out;
	/* legacy "set" matches name their sets: the recorded names at the
	 * recorded indexes first (ipset.c) */
	if (n && json_object_get(root, "ipset")) {
		ret = legacy_ipsets(c, root, &fds[n], paths[n],
				    sizeof(paths[n]));
		if (ret < 0)
			goto out;
		if (ret > 0) {
			memmove(files + 1, files, n * sizeof(*files));
			files[0] = paths[n];
			n++;
		}
		ret = 0;
	}
	/* The restorers take xtables' lock, /run/xtables.lock by default:
	 * root's file, so an unprivileged reader cannot open it, and pointless
	 * in a namespace nobody else uses.  A memfd left open across exec
	 * serves as the lock file instead (the restorers honour
	 * XTABLES_LOCKFILE). */
	if (n && !getenv("XTABLES_LOCKFILE")) {
		lockfd = memfd_create("xtables.lock", 0);
		if (lockfd >= 0) {
			fd_path(lockfd, lockpath, sizeof(lockpath));
			setenv("XTABLES_LOCKFILE", lockpath, 1);
		}
	}
	/* an empty private namespace even without tables: the reader must
	 * not see this host's */
	ret = rsfile_load(files, n, lerr, sizeof(lerr));
	if (lockfd >= 0) {
		unsetenv("XTABLES_LOCKFILE");
		close(lockfd);
	}
	if (ret < 0) {
		fail(c->err, c->errlen, ret, "%s: legacy: the recorded "
		     "x_tables do not load: %s", c->name, lerr);
		goto out;
	}
	ret = legacy_dump_ruleset(rs);
	if (ret < 0) {
		fail(c->err, c->errlen, ret, "%s: legacy: cannot read the "
		     "recorded x_tables back: %s", c->name, strerror(-ret));
		goto out;
	}
	for (i = 0; i < 2; i++) {
		const struct rs_source_status *st =
			source_find(rs, legacy_fams[i].source);

		if (!st || st->present != present[i]) {
			snprintf(p, sizeof(p), "legacy.%s", legacy_fams[i].key);
			ret = bad(c, p, "the tables read back differ from "
				  "the recorded ones");
			goto out;
		}
	}
out:
	for (i = 0; i < n; i++)
		close(fds[i]);
	return ret;
}

struct inode_idx {
	uint32_t inode;
	size_t idx;
};

static int inode_idx_cmp(const void *a, const void *b)
{
	const struct inode_idx *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* An owner's cgroup ingress programs (bpfq.c): all three members or
 * none. */
static int parse_owner_cgroup(struct snapfile_ctx *c, const json_t *v,
			      const char *p, struct host_listener *l)
{
	const char *cg;
	long long n, id;
	int ret;

	if (!json_object_get(v, "cgroup") && !json_object_get(v, "cgroup_progs")
	    && !json_object_get(v, "cgroup_prog"))
		return 0;
	ret = get_str(c, v, "cgroup", p, 4096, &cg);
	if (!ret)
		ret = get_int(c, v, "cgroup_progs", p, 1, 1 << 16, &n);
	if (!ret)
		ret = get_int(c, v, "cgroup_prog", p, 0, UINT32_MAX, &id);
	if (ret)
		return ret;
	l->cgroup = strdup(cg);
	if (!l->cgroup)
		return -ENOMEM;
	l->cgroup_progs = (unsigned int)n;
	l->cgroup_prog = (uint32_t)id;
	return 0;
}

/* A program's name (at most 15 printable bytes, no blank) or tag (16
 * lower-case hex digits), or empty: what bpfq.c records. */
static bool nfbpf_text_ok(const char *t, bool tag)
{
	size_t i, n = strlen(t);

	if (tag && n && n != 16)
		return false;
	for (i = 0; i < n; i++)
		if (tag ? !strchr("0123456789abcdef", t[i]) :
			  (t[i] <= ' ' || t[i] >= 127))
			return false;
	return true;
}

/* "bpf.netfilter" and "bpf.netfilter_error" (optional, together). */
static int parse_nfbpf(struct snapfile_ctx *c, const json_t *o,
		       struct host *h)
{
	json_t *a = json_object_get(o, "netfilter"), *v;
	long long err, link, prog, pf, hook, prio, flags;
	const char *name, *tag;
	char p[64];
	size_t i;
	int ret;

	if (!a && !json_object_get(o, "netfilter_error"))
		return 0;
	ret = get_int(c, o, "netfilter_error", "bpf.netfilter_error", -4095,
		      0, &err);
	if (ret)
		return ret;
	if (!json_is_array(a))
		return bad(c, "bpf.netfilter", a ? "not an array" : "missing");
	if (json_array_size(a) > HOST_NFBPF_MAX)
		return bad(c, "bpf.netfilter", "too many links");
	if (json_array_size(a)) {
		h->nfbpf = calloc(json_array_size(a), sizeof(*h->nfbpf));
		if (!h->nfbpf)
			return -ENOMEM;
	}
	json_array_foreach(a, i, v) {
		struct host_nfbpf *n = &h->nfbpf[i];

		snprintf(p, sizeof(p), "bpf.netfilter[%zu]", i);
		if (!json_is_object(v))
			return bad(c, p, "not an object");
		ret = check_keys(c, v, p, (const char *const[]){ "link",
				 "prog", "pf", "hook", "priority", "flags",
				 "name", "tag", NULL });
		if (!ret)
			ret = get_int(c, v, "link", p, 1, UINT32_MAX, &link);
		if (!ret)
			ret = get_int(c, v, "prog", p, 0, UINT32_MAX, &prog);
		if (!ret)
			ret = get_int(c, v, "pf", p, 0, 255, &pf);
		if (!ret)
			ret = get_int(c, v, "hook", p, 0, 255, &hook);
		if (!ret)
			ret = get_int(c, v, "priority", p, INT32_MIN,
				      INT32_MAX, &prio);
		if (!ret)
			ret = get_int(c, v, "flags", p, 0, UINT32_MAX, &flags);
		if (!ret)
			ret = get_str(c, v, "name", p, sizeof(n->name) - 1,
				      &name);
		if (!ret)
			ret = get_str(c, v, "tag", p, sizeof(n->tag) - 1, &tag);
		if (ret)
			return ret;
		if (!nfbpf_text_ok(name, false) || !nfbpf_text_ok(tag, true))
			return bad(c, p, "a name or tag bpfq.c does not write");
		if (i && h->nfbpf[i - 1].link_id >= (uint32_t)link)
			return bad(c, p, "links out of order");
		n->link_id = (uint32_t)link;
		n->prog_id = (uint32_t)prog;
		n->pf = (uint8_t)pf;
		n->hooknum = (uint8_t)hook;
		n->priority = (int32_t)prio;
		n->flags = (uint32_t)flags;
		strcpy(n->name, name);
		strcpy(n->tag, tag);
		h->nnfbpf = i + 1;
	}
	h->nfbpf_error = (int)err;
	return 0;
}

/* "bpf": what bpfq.c found on the links (optional). */
static int parse_bpf(struct snapfile_ctx *c, const json_t *root,
		     struct host *h)
{
	json_t *o = json_object_get(root, "bpf"), *a, *v;
	long long err, ifindex, n, id;
	char p[64];
	size_t i, k;
	int ret;

	if (!o)
		return 0;
	if (!json_is_object(o))
		return bad(c, "bpf", "not an object");
	ret = check_keys(c, o, "bpf", (const char *const[]){ "error", "links",
				"netfilter", "netfilter_error", NULL });
	if (!ret)
		ret = get_int(c, o, "error", "bpf.error", -4095, 0, &err);
	if (ret)
		return ret;
	h->bpf_error = (int)err;
	ret = parse_nfbpf(c, o, h);
	if (ret)
		return ret;
	a = json_object_get(o, "links");
	if (!json_is_array(a))
		return bad(c, "bpf.links", a ? "not an array" : "missing");
	json_array_foreach(a, i, v) {
		struct host_link *l = NULL;

		snprintf(p, sizeof(p), "bpf.links[%zu]", i);
		if (!json_is_object(v))
			return bad(c, p, "not an object");
		ret = check_keys(c, v, p, (const char *const[]){ "ifindex",
				 "progs", "first", NULL });
		if (!ret)
			ret = get_int(c, v, "ifindex", p, 1, INT_MAX, &ifindex);
		if (!ret)
			ret = get_int(c, v, "progs", p, 1, 1 << 16, &n);
		if (!ret)
			ret = get_int(c, v, "first", p, 0, UINT32_MAX, &id);
		if (ret)
			return ret;
		for (k = 0; k < h->nlinks && !l; k++)
			if (h->links[k].ifindex == (int)ifindex)
				l = &h->links[k];
		if (!l)
			return bad(c, p, "no recorded link has this ifindex");
		if (l->tcx_progs)
			return bad(c, p, "a second entry for one link");
		bpfq_link_set(l, (unsigned int)n, (uint32_t)id);
	}
	return 0;
}

static int parse_owners(struct snapfile_ctx *c, const json_t *root,
			struct host *h)
{
	json_t *a = json_object_get(root, "owners"), *v;
	struct inode_idx *idx = NULL, key, *hit;
	long long inode, pid;
	const char *comm;
	char p[64];
	size_t i;
	int ret = 0;

	if (!json_is_array(a))
		return bad(c, "owners", a ? "not an array" : "missing");
	if (json_array_size(a) > h->nlisteners)
		return bad(c, "owners", "more owners than listeners");
	if (!json_array_size(a))
		return 0;
	idx = calloc(h->nlisteners, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < h->nlisteners; i++) {
		idx[i].inode = h->listeners[i].inode;
		idx[i].idx = i;
	}
	qsort(idx, h->nlisteners, sizeof(*idx), inode_idx_cmp);
	json_array_foreach(a, i, v) {
		struct host_listener *l;

		snprintf(p, sizeof(p), "owners[%zu]", i);
		if (!json_is_object(v)) {
			ret = bad(c, p, "not an object");
			break;
		}
		ret = check_keys(c, v, p, (const char *const[]){
				 "inode", "pid", "comm", "cgroup",
				 "cgroup_progs", "cgroup_prog", NULL });
		if (!ret)
			ret = get_int(c, v, "inode", p, 0, UINT32_MAX, &inode);
		if (!ret)
			ret = get_int(c, v, "pid", p, 0, INT_MAX, &pid);
		comm = NULL;
		if (!ret && json_object_get(v, "comm") &&
		    !json_is_null(json_object_get(v, "comm")))
			ret = get_str(c, v, "comm", p, SNAPFILE_COMM_MAX,
				      &comm);
		if (ret)
			break;
		key.inode = (uint32_t)inode;
		hit = bsearch(&key, idx, h->nlisteners, sizeof(*idx),
			      inode_idx_cmp);
		if (!hit) {
			ret = bad(c, p, "no recorded listener has this inode");
			break;
		}
		l = &h->listeners[hit->idx];
		if (l->pid || l->comm) {
			ret = bad(c, p, "a second owner for one listener");
			break;
		}
		l->pid = (pid_t)pid;
		if (comm) {
			l->comm = strdup(comm);
			if (!l->comm) {
				ret = -ENOMEM;
				break;
			}
		}
		ret = parse_owner_cgroup(c, v, p, l);
		if (ret)
			break;
	}
	free(idx);
	return ret;
}

static int get_sysctl(struct snapfile_ctx *c, const json_t *o,
		      const char *key, const char *path, int *out)
{
	char p[128];
	long long v;
	int ret;

	snprintf(p, sizeof(p), "%s.%s", path, key);
	ret = get_int(c, o, key, p, HOST_SYSCTL_UNKNOWN, INT_MAX, &v);
	if (!ret)
		*out = (int)v;
	return ret;
}

static int parse_sysctl(struct snapfile_ctx *c, const json_t *root,
			struct host *h)
{
	static const char *const lkeys[] = { "ifindex", "name", "forwarding",
		"route_localnet", "rp_filter", "ipv6_force_forwarding", NULL };
	struct host_sysctl *s = &h->sysctl;
	json_t *o = NULL, *a, *v;
	long long ifindex;
	const char *name;
	char p[64];
	size_t i;
	int ret;

	ret = get_obj(c, root, "sysctl", "sysctl", &o);
	if (!ret)
		ret = check_keys(c, o, "sysctl", (const char *const[]){
				 "ip_forward", "ipv6_forwarding",
				 "route_localnet_all", "rp_filter_all",
				 "bridge_nf_call_iptables",
				 "bridge_nf_call_ip6tables", "ipvs_conntrack",
				 "links", NULL });
	if (!ret)
		ret = get_sysctl(c, o, "ip_forward", "sysctl",
				 &s->ip_forward);
	if (!ret)
		ret = get_sysctl(c, o, "ipv6_forwarding", "sysctl",
				 &s->ipv6_forwarding);
	if (!ret)
		ret = get_sysctl(c, o, "route_localnet_all", "sysctl",
				 &s->route_localnet_all);
	if (!ret)
		ret = get_sysctl(c, o, "rp_filter_all", "sysctl",
				 &s->rp_filter_all);
	if (!ret)
		ret = get_sysctl(c, o, "bridge_nf_call_iptables", "sysctl",
				 &s->bridge_nf_call_iptables);
	if (!ret)
		ret = get_sysctl(c, o, "bridge_nf_call_ip6tables", "sysctl",
				 &s->bridge_nf_call_ip6tables);
	if (!ret && json_object_get(o, "ipvs_conntrack"))
		ret = get_sysctl(c, o, "ipvs_conntrack", "sysctl",
				 &s->ipvs_conntrack);
	if (ret)
		return ret;
	a = json_object_get(o, "links");
	if (!json_is_array(a))
		return bad(c, "sysctl.links", a ? "not an array" : "missing");
	json_array_foreach(a, i, v) {
		struct host_link *l;

		snprintf(p, sizeof(p), "sysctl.links[%zu]", i);
		if (!json_is_object(v))
			return bad(c, p, "not an object");
		ret = check_keys(c, v, p, lkeys);
		if (!ret)
			ret = get_int(c, v, "ifindex", p, 1, INT_MAX, &ifindex);
		if (!ret)
			ret = get_str(c, v, "name", p, HOST_IFNAMSIZ, &name);
		if (ret)
			return ret;
		l = (struct host_link *)host_link_by_index(h, (int)ifindex);
		if (!l || strcmp(l->name, name) != 0)
			return bad(c, p, "no recorded link has this ifindex "
				   "and name");
		ret = get_sysctl(c, v, "forwarding", p, &l->sysctl.forwarding);
		if (!ret)
			ret = get_sysctl(c, v, "route_localnet", p,
					 &l->sysctl.route_localnet);
		if (!ret)
			ret = get_sysctl(c, v, "rp_filter", p,
					 &l->sysctl.rp_filter);
		if (!ret)
			ret = get_sysctl(c, v, "ipv6_force_forwarding", p,
					 &l->sysctl.ipv6_force_forwarding);
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_docker(struct snapfile_ctx *c, const json_t *root,
			struct snapshot *snap)
{
	struct docker_map *m = &snap->docker;
	const char *addr, *name, *image;
	long long err, family;
	json_t *o = NULL, *a, *v;
	char p[64];
	size_t i;
	int ret;

	ret = get_obj(c, root, "docker", "docker", &o);
	if (!ret)
		ret = check_keys(c, o, "docker", (const char *const[]){
				 "error", "containers", "ports", "errors",
				 NULL });
	if (!ret)
		ret = get_int(c, o, "error", "docker.error", -4095, 0, &err);
	if (ret)
		return ret;
	a = json_object_get(o, "containers");
	if (!json_is_array(a))
		return bad(c, "docker.containers", a ? "not an array" :
			   "missing");
	if (json_array_size(a) > SNAPFILE_CONTAINERS_MAX)
		return fail(c->err, c->errlen, -EFBIG, "%s: docker.containers:"
			    " more than %u", c->name, SNAPFILE_CONTAINERS_MAX);
	m->c = calloc(json_array_size(a) + 1, sizeof(*m->c));
	if (!m->c)
		return -ENOMEM;
	json_array_foreach(a, i, v) {
		struct docker_container *dc = &m->c[m->n];

		snprintf(p, sizeof(p), "docker.containers[%zu]", i);
		if (!json_is_object(v))
			return bad(c, p, "not an object");
		ret = check_keys(c, v, p, (const char *const[]){
				 "family", "addr", "name", "image", "runtime",
				 NULL });
		if (!ret)
			ret = get_int(c, v, "family", p, 4, 6, &family);
		if (!ret && family == 5)
			ret = bad(c, p, "family is neither 4 nor 6");
		if (!ret)
			ret = get_str(c, v, "addr", p, INET6_ADDRSTRLEN, &addr);
		if (!ret)
			ret = get_str(c, v, "name", p, SNAPFILE_NAME_MAX,
				      &name);
		if (!ret)
			ret = get_str(c, v, "image", p, SNAPFILE_NAME_MAX,
				      &image);
		if (ret)
			return ret;
		dc->family = family == 6 ? AF_INET6 : AF_INET;
		if (host_addr_parse(dc->family, addr, &dc->addr) < 0)
			return bad(c, p, "addr is not an address of its "
				   "family");
		/* a snapshot before other runtimes were read: Docker's */
		if (json_object_get(v, "runtime")) {
			ret = get_str(c, v, "runtime", p, 16, &name);
			if (!ret && docker_runtime_parse(name) < 0)
				ret = bad(c, p, "runtime is not one fwaudit "
					  "reads");
			if (ret)
				return ret;
			dc->runtime = (uint8_t)docker_runtime_parse(name);
			get_str(c, v, "name", p, SNAPFILE_NAME_MAX, &name);
		}
		dc->name = strdup(name);
		dc->image = strdup(image);
		m->n++;
		if (!dc->name || !dc->image)
			return -ENOMEM;
	}
	ret = runtimes_from_json(json_object_get(o, "ports"),
				 json_object_get(o, "errors"), m, p,
				 sizeof(p));
	if (ret == -EBADMSG)
		return bad(c, "docker", p);
	if (ret)
		return ret;
	snap->have_docker = true;
	snap->docker_error = (int)err;
	return 0;
}

/* One entry of "container_netns": the member's of the top level that a
 * namespace has, replayed as the top level's are, into e. */
static int parse_netns_one(struct snapfile_ctx *c, const json_t *o,
			   unsigned int flags, struct snapshot_netns *e)
{
	const char *str;
	long long v;
	int ret;

	if (!json_is_object(o))
		return bad(c, "(entry)", "not an object");
	ret = check_keys(c, o, "", (const char *const[]){ "name", "image",
			 "runtime", "driver", "error", "why", "nftables",
			 "legacy", "rtnetlink", "sock_diag", "owners",
			 "sysctl", "bpf", "ipvs", "ebtables", "ipset",
			 "swarm_ingress_sbox", "project", NULL });
	if (!ret)
		ret = get_str(c, o, "name", "name", SNAPFILE_NAME_MAX, &str);
	if (!ret && !(e->name = strdup(str)))
		return -ENOMEM;
	if (!ret)
		ret = get_str(c, o, "image", "image", SNAPFILE_NAME_MAX, &str);
	if (!ret && !(e->image = strdup(str)))
		return -ENOMEM;
	if (!ret)
		ret = get_str(c, o, "driver", "driver",
			      sizeof(e->driver) - 1, &str);
	if (!ret)
		memcpy(e->driver, str, strlen(str) + 1);
	if (!ret)
		ret = get_int(c, o, "runtime", "runtime", 0, DOCKER_RT_N - 1,
			      &v);
	if (!ret && json_object_get(o, "project")) {
		ret = get_str(c, o, "project", "project", SNAPFILE_NAME_MAX,
			      &str);
		if (!ret && !(e->project = strdup(str)))
			return -ENOMEM;
	}
	if (ret)
		return ret;
	e->runtime = (uint8_t)v;
	/* a namespace that could not be read then: its note, nothing else */
	if (json_object_get(o, "error")) {
		ret = get_int(c, o, "error", "error", 1, 4095, &v);
		if (!ret)
			ret = get_str(c, o, "why", "why", SNAPFILE_NAME_MAX,
				      &str);
		if (ret)
			return ret;
		if (json_object_size(o) != 6u + !!e->project)
			return bad(c, "error", "a namespace that could not be "
				   "read holds nothing else");
		e->error = -(int)v;
		e->why = strdup(str);
		return e->why ? 0 : -ENOMEM;
	}
	if (json_object_get(o, "why"))
		return bad(c, "why", "without an error");
	e->snap.rs = ruleset_new();
	e->snap.host = host_new();
	if (!e->snap.rs || !e->snap.host)
		return -ENOMEM;
	ret = replay_blob(c, o, "nftables", e->snap.rs, replay_nft);
	if (!ret)
		ret = parse_legacy(c, o, flags, &e->snap);
	if (!ret && json_object_get(o, "ebtables"))
		ret = replay_blob(c, o, "ebtables", e->snap.rs, replay_ebt);
	if (!ret && json_object_get(o, "ipset"))
		ret = replay_blob(c, o, "ipset", e->snap.rs, replay_ipset);
	if (!ret)
		ret = replay_blob(c, o, "rtnetlink", e->snap.host,
				  replay_rtnl);
	if (!ret)
		ret = replay_blob(c, o, "sock_diag", e->snap.host,
				  replay_diag);
	if (!ret)
		ret = parse_owners(c, o, e->snap.host);
	if (!ret)
		ret = parse_bpf(c, o, e->snap.host);
	if (!ret && json_object_get(o, "ipvs"))
		ret = replay_blob(c, o, "ipvs", e->snap.host, replay_ipvs);
	if (!ret)
		ret = parse_sysctl(c, o, e->snap.host);
	/* swarm.c reads the ingress sandbox by its path, from any namespace:
	 * a container's read found it too */
	if (!ret)
		ret = parse_swarm(c, o, &e->snap.host->swarm);
	return ret;
}

/* "container_netns" (optional): the own namespaces of the macvlan and
 * ipvlan containers (nsaudit.h), each in the words of the top level;
 * messages name the entry as "FILE: container_netns[i]". */
static int parse_netns(struct snapfile_ctx *c, const json_t *root,
		       unsigned int flags, struct snapshot *s)
{
	json_t *a = json_object_get(root, "container_netns");
	const char *name = c->name;
	char where[512];
	size_t i, n;
	int ret = 0;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return bad(c, "container_netns", "not an array");
	n = json_array_size(a);
	if (!n || n > SANDBOX_MAX)
		return bad(c, "container_netns", "empty, or more entries than "
			   "containers are audited");
	s->netns = calloc(n, sizeof(*s->netns));
	if (!s->netns)
		return -ENOMEM;
	for (i = 0; i < n && !ret; i++) {
		snprintf(where, sizeof(where), "%s: container_netns[%zu]",
			 name, i);
		c->name = where;
		s->nnetns++;
		ret = parse_netns_one(c, json_array_get(a, i), flags,
				      &s->netns[i]);
	}
	c->name = name;
	return ret;
}

/* Version 2's "ruleset_text": what `fwaudit fix` loads, each text
 * optional (present when the host had such tables). */
static int parse_ruleset_text(struct snapfile_ctx *c, const json_t *root,
			      unsigned int flags, struct snapshot *s)
{
	json_t *o = NULL;
	char p[64], *buf;
	size_t k, len;
	int ret;

	ret = get_obj(c, root, "ruleset_text", "ruleset_text", &o);
	if (!ret)
		ret = check_keys(c, o, "ruleset_text", (const char *const[]){
				 "nft", "ip4", "ip6", "ebt", "ebl", NULL });
	for (k = 0; !ret && k < SNAPSHOT_TEXT_N; k++) {
		if (!text_keys[k] || !json_object_get(o, text_keys[k]))
			continue;
		snprintf(p, sizeof(p), "ruleset_text.%s", text_keys[k]);
		ret = get_blob(c, o, text_keys[k], p, SNAPFILE_SAVE_MAX, &buf,
			       &len);
		if (ret)
			break;
		if (memchr(buf, '\0', len)) {
			free(buf);
			ret = bad(c, p, "holds a NUL: not a ruleset text");
			break;
		}
		if (!(flags & SNAPFILE_RULESET)) {
			free(buf);
			continue;
		}
		/* get_blob leaves room for the NUL */
		buf[len] = '\0';
		s->text[k] = buf;
		s->text_len[k] = len;
	}
	return ret;
}

/* An optional member replayed into s's ruleset; checked even when the
 * ruleset is not wanted (a file is whole or refused). */
static int replay_rs_opt(struct snapfile_ctx *c, const json_t *root,
			 const char *key, struct snapshot *s,
			 int (*replay)(void *target, const char *path))
{
	struct ruleset *rs;
	int ret;

	if (!json_object_get(root, key))
		return 0;
	rs = s->rs ? s->rs : ruleset_new();
	ret = rs ? replay_blob(c, root, key, rs, replay) : -ENOMEM;
	if (rs != s->rs)
		ruleset_free(rs);
	return ret;
}

static int parse_root(struct snapfile_ctx *c, const json_t *root,
		      unsigned int flags, struct snapshot *s)
{
	static const char *const keys[] = { "format", "version", "fwaudit",
		"taken", "taken_usec", "hostname", "nftables", "legacy",
		"rtnetlink", "sock_diag", "owners", "sysctl", "docker",
		"ruleset_text", "redaction", "bpf", "ipvs",
		"swarm_ingress_sbox", "ebtables", "container_netns", "ipset",
		NULL };
	const char *str;
	long long v;
	int ret;

	if (!json_is_object(root))
		return bad(c, "(top)", "not a JSON object");
	if (get_str(c, root, "format", "format", 64, &str) < 0 ||
	    strcmp(str, SNAPFILE_FORMAT) != 0)
		return fail(c->err, c->errlen, -EBADMSG, "%s: not an fwaudit "
			    "snapshot (no \"format\": \"%s\")", c->name,
			    SNAPFILE_FORMAT);
	ret = get_int(c, root, "version", "version", LLONG_MIN, LLONG_MAX, &v);
	if (ret)
		return ret;
	if (v > SNAPFILE_VERSION)
		return fail(c->err, c->errlen, -EPROTONOSUPPORT, "%s: snapshot "
			    "format version %lld is newer than this fwaudit "
			    "reads (%d): read it with the fwaudit that wrote "
			    "it, or a newer one", c->name, v,
			    SNAPFILE_VERSION);
	if (v < 1)
		return fail(c->err, c->errlen, -EPROTONOSUPPORT, "%s: snapshot "
			    "format version %lld was never written by fwaudit"
			    " (versions 1..%d exist)", c->name, v,
			    SNAPFILE_VERSION);
	c->version = v;
	if (v == 1 && json_object_get(root, "ruleset_text"))
		return bad(c, "ruleset_text", "no such field in snapshot "
			   "format version 1");
	if (v == 1 && json_object_get(root, "redaction"))
		return bad(c, "redaction", "no such field in snapshot "
			   "format version 1");
	/* for people: what --redact kept; nothing reads it back */
	if (json_object_get(root, "redaction")) {
		json_t *o = NULL;

		ret = get_obj(c, root, "redaction", "redaction", &o);
		if (!ret)
			ret = check_keys(c, o, "redaction", (const char *const[]){
					 "map", "bounds_kept", "bounds", NULL });
		if (ret)
			return ret;
	}
	ret = check_keys(c, root, "", keys);
	if (!ret)
		ret = get_str(c, root, "fwaudit", "fwaudit", 64, &str);
	if (!ret)
		ret = get_str(c, root, "taken", "taken", 64, &str);
	if (!ret)
		ret = get_str(c, root, "hostname", "hostname",
			      SNAPFILE_NAME_MAX, &str);
	if (!ret)
		ret = get_int(c, root, "taken_usec", "taken_usec", 1,
			      LLONG_MAX, &v);
	if (ret)
		return ret;
	s->taken_usec = (uint64_t)v;
	/* replayed even when not wanted: a file is whole or refused */
	s->rs = ruleset_new();
	if (!s->rs)
		return -ENOMEM;
	ret = replay_blob(c, root, "nftables", s->rs, replay_nft);
	if (ret)
		return ret;
	if (!(flags & SNAPFILE_RULESET)) {
		ruleset_free(s->rs);
		s->rs = NULL;
	}
	ret = parse_legacy(c, root, flags, s);
	/* "ebtables": ebtables-legacy's blobs (optional: most kernels have
	 * none), after the legacy x_tables as snapshot_read() reads them;
	 * "ipset": the ipset conversation (optional: only where the
	 * namespace has sets), after every rule */
	if (!ret)
		ret = replay_rs_opt(c, root, "ebtables", s, replay_ebt);
	if (!ret)
		ret = replay_rs_opt(c, root, "ipset", s, replay_ipset);
	if (!ret && c->version >= 2)
		ret = parse_ruleset_text(c, root, flags, s);
	if (ret)
		return ret;
	s->have_text = (flags & SNAPFILE_RULESET) != 0;
	if (!(flags & SNAPFILE_HOST))
		return 0;
	s->host = host_new();
	if (!s->host)
		return -ENOMEM;
	ret = replay_blob(c, root, "rtnetlink", s->host, replay_rtnl);
	if (!ret)
		ret = replay_blob(c, root, "sock_diag", s->host, replay_diag);
	if (!ret)
		ret = parse_owners(c, root, s->host);
	if (!ret)
		ret = parse_bpf(c, root, s->host);
	/* "ipvs": the IPVS dumps (optional: a kernel without IPVS) */
	if (!ret && json_object_get(root, "ipvs"))
		ret = replay_blob(c, root, "ipvs", s->host, replay_ipvs);
	if (!ret)
		ret = parse_swarm(c, root, &s->host->swarm);
	if (!ret)
		ret = parse_sysctl(c, root, s->host);
	if (!ret)
		ret = parse_docker(c, root, s);
	if (!ret)
		ret = parse_netns(c, root, flags, s);
	return ret;
}

/*
 * Reading without the big strings in jansson.  json_loadb() of a snapshot
 * holds each recording three times at once: the file text, the lexer's
 * buffer (grown by doubling to the longest token) and the string in the
 * tree; kube-10000's 44 MB nftables recording made that 168 MiB.  So the
 * objects of the file are walked here, down to SCAN_DEPTH, and the value
 * of a member only get_blob() reads (scan_blob_key()) that is a string of
 * at least SCAN_BIG characters, only base64 characters, stays in the
 * text: the tree gets a placeholder (struct big_in) that
 * get_blob() and replay_blob() decode from the text.  Everything else -
 * every key, every other value - is parsed by jansson, piece by piece,
 * with the flags of the whole-file parse, so the tree is the one
 * json_loadb() builds.  Whatever the walk does not take as it expects
 * (bad syntax, a duplicate key, deep nesting) makes it give up, and the
 * file is parsed whole by json_loadb() as before: the same result and the
 * same messages (tests/fuzz/snapshot.fuzz compares the two trees).
 */
#define SCAN_BIG	1024
#define SCAN_DEPTH	4	/* objects: top, "legacy", "ipv4", ... */
#define SCAN_NEST	64	/* brackets in a piece given to jansson */

struct scan {
	const char *text, *p, *end;
	struct big_in *big;
	size_t nbig, cap;
};

static bool scan_is_ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static void scan_ws(struct scan *sc)
{
	while (sc->p < sc->end && scan_is_ws(*sc->p))
		sc->p++;
}

/* The end of the string token at p (after its closing quote), or NULL. */
static const char *scan_str_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* The end of the value at p as a scanner sees it (jansson judges it), or
 * NULL. */
static const char *scan_value_end(const char *p, const char *end)
{
	unsigned int nest = 0;

	if (p < end && *p == '"')
		return scan_str_end(p, end);
	if (p < end && *p != '{' && *p != '[') {
		while (p < end && !scan_is_ws(*p) && *p != ',' && *p != '}' &&
		       *p != ']')
			p++;
		return p;
	}
	while (p < end) {
		if (*p == '"') {
			p = scan_str_end(p, end);
			if (!p)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[') {
			if (++nest > SCAN_NEST)
				return NULL;
		} else if (*p == '}' || *p == ']') {
			if (!nest)
				return NULL;
			if (!--nest)
				return p + 1;
		}
		p++;
	}
	return NULL;
}

static json_t *scan_piece(const char *p, const char *q)
{
	return json_loadb(p, (size_t)(q - p), JSON_DECODE_ANY |
			  JSON_REJECT_DUPLICATES, NULL);
}

/* The string token p..q: a big base64 string? */
static bool scan_is_big(const char *p, const char *q)
{
	if (q - p - 2 < SCAN_BIG)
		return false;
	for (p++; p < q - 1; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '+' || *p == '/' ||
		      *p == '='))
			return false;
	return true;
}

static json_t *scan_big(struct scan *sc, const char *p, const char *q)
{
	json_t *ph;

	/* bounded by the file's size: one per KiB at the most */
	if (array_grow(&sc->big, &sc->cap, sc->nbig, sizeof(*sc->big),
		       SIZE_MAX, 8) < 0)
		return NULL;
	ph = json_string("");
	if (ph)
		sc->big[sc->nbig++] = (struct big_in){ ph,
			(size_t)(p + 1 - sc->text), (size_t)(q - p - 2), -1,
			false };
	return ph;
}

static json_t *scan_value(struct scan *sc, unsigned int depth,
			  const char *key);

/* The object at sc->p, or NULL to give up. */
static json_t *scan_object(struct scan *sc, unsigned int depth)
{
	json_t *o = json_object(), *k = NULL, *v;
	const char *q;

	if (!o)
		return NULL;
	sc->p++;
	scan_ws(sc);
	if (sc->p < sc->end && *sc->p == '}') {
		sc->p++;
		return o;
	}
	for (;;) {
		if (sc->p == sc->end || *sc->p != '"')
			goto fail;
		q = scan_str_end(sc->p, sc->end);
		k = q ? scan_piece(sc->p, q) : NULL;
		if (!json_is_string(k) || json_object_get(o,
						json_string_value(k)))
			goto fail;
		sc->p = q;
		scan_ws(sc);
		if (sc->p == sc->end || *sc->p++ != ':')
			goto fail;
		scan_ws(sc);
		v = scan_value(sc, depth + 1, json_string_value(k));
		if (!v || json_object_set_new(o, json_string_value(k), v))
			goto fail;
		json_decref(k);
		k = NULL;
		scan_ws(sc);
		if (sc->p < sc->end && *sc->p == '}') {
			sc->p++;
			return o;
		}
		if (sc->p == sc->end || *sc->p++ != ',')
			goto fail;
		scan_ws(sc);
	}
fail:
	json_decref(k);
	json_decref(o);
	return NULL;
}

/* The members only get_blob() reads (a recording, a legacy save, a
 * ruleset text): any other string, a host name say, must stay in the tree
 * for the checks that read it. */
static bool scan_blob_key(const char *key)
{
	static const char *const keys[] = { "recording", "save", "nft",
					    "ip4", "ip6", NULL };
	size_t i;

	for (i = 0; keys[i]; i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return false;
}

/* The value of member key at sc->p. */
static json_t *scan_value(struct scan *sc, unsigned int depth,
			  const char *key)
{
	const char *p = sc->p, *q;

	if (p == sc->end)
		return NULL;
	if (*p == '{' && depth < SCAN_DEPTH)
		return scan_object(sc, depth);
	q = scan_value_end(p, sc->end);
	if (!q)
		return NULL;
	sc->p = q;
	if (*p == '"' && scan_blob_key(key) && scan_is_big(p, q))
		return scan_big(sc, p, q);
	return scan_piece(p, q);
}

/* The tree of the file, its big strings left in the text; NULL: parse it
 * whole instead. */
static json_t *scan_doc(struct scan *sc, const char *buf, size_t len)
{
	json_t *root = NULL;

	*sc = (struct scan){ buf, buf, buf + len, NULL, 0, 0 };
	scan_ws(sc);
	if (sc->p < sc->end && *sc->p == '{')
		root = scan_object(sc, 0);
	scan_ws(sc);
	if (root && sc->p == sc->end)
		return root;
	json_decref(root);
	free(sc->big);
	sc->big = NULL;
	sc->nbig = 0;
	return NULL;
}

bool snapfile_scan_agrees(const char *buf, size_t len)
{
	struct scan sc;
	json_t *a = scan_doc(&sc, buf, len), *b;
	bool same = true;
	size_t i;

	if (!a)
		return true;
	b = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	/* the placeholders by what they stand for */
	for (i = 0; i < sc.nbig; i++)
		if (json_string_setn((json_t *)sc.big[i].ph,
				     buf + sc.big[i].off, sc.big[i].len))
			same = false;
	same = same && b && json_equal(a, b);
	json_decref(a);
	json_decref(b);
	free(sc.big);
	return same;
}

/* Decode every big string of sc into a memfd of its own (a string that is
 * not base64 is marked so, for the message at its place in the parse);
 * -1, with none decoded, when memfds cannot be had. */
static int big_decode_all(struct scan *sc)
{
	size_t i, j, dlen;
	int fd, ret;

	for (i = 0; i < sc->nbig; i++) {
		struct big_in *e = &sc->big[i];

		fd = memfd_new("fwaudit-snapshot");
		ret = fd < 0 ? fd : big_decode(sc->text + e->off, e->len, fd,
					       &dlen);
		if (ret < 0 && ret != -EINVAL) {
			if (fd >= 0)
				close(fd);
			for (j = 0; j < i; j++) {
				close(sc->big[j].fd);
				sc->big[j].fd = -1;
				sc->big[j].bad_b64 = false;
			}
			return -1;
		}
		e->fd = fd;
		e->bad_b64 = ret == -EINVAL;
	}
	return 0;
}

/* snapfile_parse(); with own (the caller's buf, which it frees), the text
 * is freed (*own NULL) as soon as nothing needs it any more: after the
 * whole-file parse, or once the walk's big strings are decoded. */
static int parse_text(const char *buf, size_t len, const char *name,
		      unsigned int flags, struct snapshot *snap, char *err,
		      size_t errlen, char **own)
{
	struct snapfile_ctx c = { name, 0, err, errlen, buf, NULL, 0 };
	struct snapshot s = { .rs = NULL };
	json_error_t jerr;
	struct scan sc;
	json_t *root;
	size_t i;
	int ret;

	if (len > SNAPFILE_MAX)
		return fail(err, errlen, -EFBIG, "%s: larger than %u bytes",
			    name, SNAPFILE_MAX);
	if (flags & SNAPFILE_WHOLE)
		sc = (struct scan){ buf, buf, buf + len, NULL, 0, 0 };
	root = flags & SNAPFILE_WHOLE ? NULL : scan_doc(&sc, buf, len);
	if (!root)
		root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return fail(err, errlen, -EBADMSG, "%s:%d:%d: not a snapshot "
			    "(byte %d): %s", name, jerr.line, jerr.column,
			    jerr.position, jerr.text);
	if (own && (!sc.nbig || big_decode_all(&sc) == 0)) {
		free(*own);
		*own = NULL;
		c.text = NULL;
	}
	c.big = sc.big;
	c.nbig = sc.nbig;
	ret = parse_root(&c, root, flags, &s);
	json_decref(root);
	for (i = 0; i < sc.nbig; i++)
		if (sc.big[i].fd >= 0)
			close(sc.big[i].fd);
	free(sc.big);
	if (ret < 0) {
		if (ret == -ENOMEM)
			fail(err, errlen, ret, "%s: out of memory", name);
		snapshot_release(&s);
		return ret;
	}
	*snap = s;
	return 0;
}

int snapfile_parse(const char *buf, size_t len, const char *name,
		   unsigned int flags, struct snapshot *snap, char *err,
		   size_t errlen)
{
	return parse_text(buf, len, name, flags, snap, err, errlen, NULL);
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
			   *p == '\r'))
		p++;
	return p;
}

bool snapfile_is_snapshot(const char *buf, size_t len)
{
	static const char key[] = "\"format\"", val[] = "\"" SNAPFILE_FORMAT
							  "\"";
	const char *p = buf, *end = buf + len;

	p = skip_ws(p, end);
	if (p == end || *p++ != '{')
		return false;
	p = skip_ws(p, end);
	if ((size_t)(end - p) < sizeof(key) - 1 ||
	    memcmp(p, key, sizeof(key) - 1))
		return false;
	p = skip_ws(p + sizeof(key) - 1, end);
	if (p == end || *p++ != ':')
		return false;
	p = skip_ws(p, end);
	return (size_t)(end - p) >= sizeof(val) - 1 &&
	       memcmp(p, val, sizeof(val) - 1) == 0;
}

int snapfile_load(const char *path, unsigned int flags, struct snapshot *snap,
		  char *err, size_t errlen)
{
	const char *name = strcmp(path, "-") == 0 ? "(stdin)" : path;
	size_t len = 0, cap = 0;
	char *buf = NULL, *nb;
	int fd, ret = 0;
	ssize_t n;

	fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, -errno, "%s: %s", name,
			    strerror(errno));
	for (;;) {
		if (len == cap) {
			if (cap > SNAPFILE_MAX) {
				ret = fail(err, errlen, -EFBIG, "%s: larger "
					   "than %u bytes", name,
					   SNAPFILE_MAX);
				break;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				ret = fail(err, errlen, -ENOMEM, "%s: out of "
					   "memory", name);
				break;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = fail(err, errlen, -errno, "%s: %s", name,
				   strerror(errno));
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (fd > 0)
		close(fd);
	if (!ret)
		ret = parse_text(buf, len, name, flags, snap, err, errlen,
				 &buf);
	free(buf);
	return ret;
}
