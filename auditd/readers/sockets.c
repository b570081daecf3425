// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockets.c - listening sockets via NETLINK_SOCK_DIAG, owners via /proc.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "nldump.h"
#include "sockets.h"
#include "util.h"

/* TCP states as sock_diag reports them (include/net/tcp_states.h). */
#define SK_TCP_LISTEN	10
#define SK_TCP_CLOSE	7

struct sockets_parse {
	struct host *h;
	bool have_sctp;
};

static int sockets_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	switch (type) {
	case INET_DIAG_SKV6ONLY:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		break;
	case INET_DIAG_LOCALS:
		if (mnl_attr_validate(a, MNL_TYPE_BINARY) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_OK;
	}
	tb[type] = a;
	return MNL_CB_OK;
}

static int sockets_add(struct host *h, const struct host_listener *l)
{
	struct host_listener *nl;

	nl = host_array_add((void **)&h->listeners, &h->nlisteners,
			    sizeof(*nl), HOST_LISTENERS_MAX);
	if (!nl)
		return -errno;
	*nl = *l;
	return 0;
}

/* An SCTP endpoint bound to several addresses lists them all in
 * INET_DIAG_LOCALS, one struct sockaddr_storage each. */
static int sockets_add_locals(struct host *h, struct host_listener *l,
			      const struct nlattr *locals)
{
	const uint8_t *p = mnl_attr_get_payload(locals);
	size_t len = mnl_attr_get_payload_len(locals);
	size_t i, n = len / sizeof(struct sockaddr_storage);
	int ret;

	if (len % sizeof(struct sockaddr_storage) || n > SOCKETS_LOCALS_MAX)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		const uint8_t *ss = p + i * sizeof(struct sockaddr_storage);
		sa_family_t fam;

		memcpy(&fam, ss, sizeof(fam));
		if (fam == AF_INET) {
			struct sockaddr_in sin;

			memcpy(&sin, ss, sizeof(sin));
			l->family = AF_INET;
			l->addr = host_addr_from_bytes(AF_INET, &sin.sin_addr);
		} else if (fam == AF_INET6) {
			struct sockaddr_in6 sin6;

			memcpy(&sin6, ss, sizeof(sin6));
			l->family = AF_INET6;
			l->addr = host_addr_from_bytes(AF_INET6,
						       &sin6.sin6_addr);
		} else {
			return -EBADMSG;
		}
		ret = sockets_add(h, l);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int sockets_msg(const struct nlmsghdr *req, const struct nlmsghdr *nlh,
		       void *data)
{
	const struct inet_diag_req_v2 *r = mnl_nlmsg_get_payload(req);
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[INET_DIAG_MAX + 1] = { NULL };
	struct sockets_parse *sp = data;
	struct host_listener l = { 0 };
	size_t alen;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return 0;
	if (mnl_nlmsg_get_payload_len(req) < sizeof(*r) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(*m), sockets_attr_cb, tb) != MNL_CB_OK)
		return -EBADMSG;
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -EBADMSG;
	alen = m->idiag_family == AF_INET ? 4 : 16;

	switch (r->sdiag_protocol) {
	case IPPROTO_TCP:
	case IPPROTO_SCTP:
		if (m->idiag_state != SK_TCP_LISTEN)
			return 0;
		break;
	case IPPROTO_UDP: {
		static const uint8_t zero[16];

		/* A connected UDP socket only takes its peer's datagrams. */
		if (m->idiag_state != SK_TCP_CLOSE || m->id.idiag_dport ||
		    memcmp(m->id.idiag_dst, zero, alen) != 0)
			return 0;
		break;
	}
	default:
		return 0;
	}
	l.port = ntohs(m->id.idiag_sport);
	if (!l.port)
		return 0;	/* not bound: nothing can reach it */
	l.family = m->idiag_family;
	l.protocol = r->sdiag_protocol;
	l.addr = host_addr_from_bytes(l.family, m->id.idiag_src);
	l.bound_ifindex = (int)m->id.idiag_if;
	l.inode = m->idiag_inode;
	l.uid = m->idiag_uid;
	l.nsockets = 1;
	if (tb[INET_DIAG_SKV6ONLY] && l.family == AF_INET6) {
		l.v6only_known = true;
		l.v6only = mnl_attr_get_u8(tb[INET_DIAG_SKV6ONLY]);
	}
	if (l.protocol == IPPROTO_SCTP && tb[INET_DIAG_LOCALS])
		return sockets_add_locals(sp->h, &l, tb[INET_DIAG_LOCALS]);
	return sockets_add(sp->h, &l);
}

static int sockets_done(const struct nlmsghdr *req, int err, void *data)
{
	const struct inet_diag_req_v2 *r = mnl_nlmsg_get_payload(req);
	struct sockets_parse *sp = data;

	if (mnl_nlmsg_get_payload_len(req) < sizeof(*r))
		return -EBADMSG;
	if (r->sdiag_protocol != IPPROTO_SCTP)
		return err;
	/* No sctp_diag handler (sctp not loaded, or not built): no SCTP
	 * endpoint can exist either. */
	if (err == -ENOENT || err == -EPROTONOSUPPORT || err == -EOPNOTSUPP)
		return 0;
	if (err == 0)
		sp->have_sctp = true;
	return err;
}

static void sockets_facts_free(struct host *h)
{
	size_t i;

	for (i = 0; i < h->nlisteners; i++) {
		free(h->listeners[i].comm);
		free(h->listeners[i].cgroup);
	}
	free(h->listeners);
	h->listeners = NULL;
	h->nlisteners = 0;
	h->have_sctp = false;
}

static void sockets_facts_move(struct host *dst, struct host *src,
			       bool have_sctp)
{
	sockets_facts_free(dst);
	dst->listeners = src->listeners;
	dst->nlisteners = src->nlisteners;
	dst->have_sctp = have_sctp;
	src->listeners = NULL;
	src->nlisteners = 0;
	host_listeners_dedupe(dst);
}

static int sockets_read_once(struct sockets_parse *sp, FILE *rec)
{
	static const struct {
		uint8_t proto;
		uint32_t states;
	} dumps[] = {
		{ IPPROTO_TCP, 1u << SK_TCP_LISTEN },
		{ IPPROTO_UDP, 1u << SK_TCP_CLOSE },
		{ IPPROTO_SCTP, 1u << SK_TCP_LISTEN },
	};
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	struct nld_handler hd = { sockets_msg, sockets_done, sp };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	size_t i, j;
	int ret = 0;

	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(dumps); i++) {
		for (j = 0; j < sizeof(families); j++) {
			struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
			struct inet_diag_req_v2 *r;

			nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
			r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
			r->sdiag_family = families[j];
			r->sdiag_protocol = dumps[i].proto;
			r->idiag_states = dumps[i].states;
			ret = nld_dump(nl, nlh, &hd, rec);
			if (ret < 0)
				goto out;
		}
	}
out:
	mnl_socket_close(nl);
	return ret;
}

static int sockets_read_cb(struct host *tmp, FILE *rec, void *data)
{
	struct sockets_parse *sp = data;

	sp->h = tmp;
	sp->have_sctp = false;
	return sockets_read_once(sp, rec);
}

int sockets_read(struct host *h)
{
	struct sockets_parse sp = { 0 };
	struct host *tmp;
	int ret;

	ret = host_read_retry("FWAUDIT_DIAG_RECORD", sockets_read_cb, &sp,
			      &tmp);
	if (ret < 0)
		return ret;
	sockets_facts_move(h, tmp, sp.have_sctp);
	host_free(tmp);
	return 0;
}

int sockets_replay(struct host *h, const char *path)
{
	struct sockets_parse sp = { 0 };
	struct nld_handler hd = { sockets_msg, sockets_done, &sp };
	int ret;

	sp.h = host_new();
	if (!sp.h)
		return -ENOMEM;
	ret = nld_replay(path, &hd);
	if (ret < 0)
		goto out;
	sockets_facts_move(h, sp.h, sp.have_sctp);
out:
	host_free(sp.h);
	return ret;
}

/* ---- owners ---- */

struct inode_ref {
	uint32_t inode;
	size_t idx;		/* into h->listeners */
};

static int inode_ref_cmp(const void *a, const void *b)
{
	const struct inode_ref *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* "123" -> 123; anything else (".", "self", "12a") -> 0. */
static pid_t proc_pid(const char *name)
{
	unsigned long v = 0;
	const char *p;

	if (!*name)
		return 0;
	for (p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > INT32_MAX)
			return 0;
	}
	return (pid_t)v;
}

static char *proc_comm(int pidfd)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = openat(pidfd, "comm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

/* Lowest pid wins, except that pid 1 (systemd holding a socket it
 * activates a service with) loses to anyone; readdir order is not relied
 * on. */
static bool owner_better(pid_t cur, pid_t pid)
{
	if (!cur)
		return true;
	if (pid == 1 || pid == cur)
		return false;
	return cur == 1 || pid < cur;
}

/* Scan one process's fds; returns the number of listeners newly owned. */
static int proc_scan_pid(struct host *h, int procfd, const char *name,
			 pid_t pid, const struct inode_ref *refs, size_t nrefs,
			 size_t *budget)
{
	char link[64];
	struct dirent *de;
	int pidfd, fdfd, found = 0;
	char *comm = NULL;
	DIR *d;

	pidfd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pidfd < 0)
		return 0;
	fdfd = openat(pidfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdfd < 0)
		goto out;
	d = fdopendir(fdfd);
	if (!d) {
		close(fdfd);
		goto out;
	}
	while (*budget && (de = readdir(d))) {
		struct inode_ref key = { 0 }, *ref;
		unsigned long long ino;
		ssize_t n;
		char end;

		if (de->d_name[0] == '.')
			continue;
		(*budget)--;
		n = readlinkat(fdfd, de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%llu%c", &ino, &end) != 2 ||
		    end != ']' || ino > UINT32_MAX)
			continue;
		key.inode = (uint32_t)ino;
		ref = bsearch(&key, refs, nrefs, sizeof(*refs), inode_ref_cmp);
		if (!ref)
			continue;
		/* Every listener sharing this inode (none after dedupe, but
		 * cheap to be right). */
		while (ref > refs && ref[-1].inode == key.inode)
			ref--;
		for (; ref < refs + nrefs && ref->inode == key.inode; ref++) {
			struct host_listener *l = &h->listeners[ref->idx];

			if (!owner_better(l->pid, pid))
				continue;
			if (!comm)
				comm = proc_comm(pidfd);
			if (!l->pid)
				found++;
			free(l->comm);
			l->comm = comm ? strdup(comm) : NULL;
			l->pid = pid;
		}
	}
	closedir(d);
out:
	free(comm);
	close(pidfd);
	return found;
}

int sockets_find_owners(struct host *h, const char *proc_root)
{
	size_t budget = SOCKETS_PROC_FDS_MAX, npids = 0, nrefs = 0, i;
	struct inode_ref *refs;
	struct dirent *de;
	int procfd, found = 0;
	DIR *d;

	if (!h->nlisteners)
		return 0;
	refs = calloc(h->nlisteners, sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	for (i = 0; i < h->nlisteners; i++) {
		if (!h->listeners[i].inode)
			continue;
		refs[nrefs].inode = h->listeners[i].inode;
		refs[nrefs].idx = i;
		nrefs++;
	}
	qsort(refs, nrefs, sizeof(*refs), inode_ref_cmp);

	procfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0) {
		found = -errno;
		goto out;
	}
	d = fdopendir(procfd);
	if (!d) {
		found = -errno;
		close(procfd);
		goto out;
	}
	while (budget && npids < SOCKETS_PROC_PIDS_MAX && (de = readdir(d))) {
		pid_t pid = proc_pid(de->d_name);

		if (!pid)
			continue;
		npids++;
		found += proc_scan_pid(h, procfd, de->d_name, pid, refs, nrefs,
				       &budget);
	}
	closedir(d);
out:
	free(refs);
	return found;
}
