// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * watch.c - kernel event sources and the cheap fingerprint of what has
 * none.
 */
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "ebtleg.h"
#include "fnv.h"
#include "host.h"
#include "ipset.h"
#include "ipvs.h"
#include "legacy.h"
#include "sockets.h"
#include "util.h"
#include "watch.h"

struct watch_src {
	struct watch *w;
	int fd;
	sd_event_source *io;
	const char *name;
};

struct watch {
	struct watch_src nft, rtnl;
	watch_changed_fn fn;
	void *data;
	watch_filter_fn filter;		/* nftables messages only */
	void *filter_data;
	int raw4, raw6;		/* for IPT_SO_GET_* (raw4 also EBT_SO_GET_*),
				 * opened when needed */
};

/* FNV-1a (fnv.h), then a final mix so that sums of element hashes
 * spread well */
#define fnv fnv1a64
static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define FNV_INIT FNV1A64_INIT

/* Whether a datagram of src is a change: every message of it judged by the
 * filter (nftables), or any datagram at all. */
static bool src_counts(const struct watch_src *src, const void *buf, size_t n)
{
	const struct watch *w = src->w;
	const struct nlmsghdr *nlh = buf;
	int len = (int)n;
	bool counts = false;

	if (src != &w->nft || !w->filter)
		return true;
	/* every message is shown to the filter, also after one that
	 * counts: it keeps track of what they name */
	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		if (w->filter(w->filter_data, nlh, (size_t)len))
			counts = true;
	/* a truncated tail cannot be judged */
	return counts || len != 0;
}

static int src_read(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct watch_src *src = data;
	static char buf[65536];
	const char *why = NULL;
	unsigned int i;

	(void)s;
	(void)revents;
	for (i = 0; i < WATCH_READS_MAX; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n >= 0) {
			if (src_counts(src, buf, (size_t)n) && !why)
				why = src->name;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS) {
			/* the kernel dropped events: whatever they said, a
			 * full audit reads the current state */
			why = "events lost";
			continue;
		}
		break;
	}
	if (why)
		src->w->fn(src->w->data, why);
	return 0;
}

static void set_rcvbuf(int fd, unsigned int bytes)
{
	int v = (int)bytes;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
}

static int src_open(struct watch *w, struct watch_src *src, sd_event *e,
		    int proto, uint32_t groups, const unsigned int *extra,
		    size_t nextra, unsigned int rcvbuf, const char *name)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	size_t i;
	int ret;

	src->w = w;
	src->name = name;
	src->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			 proto);
	if (src->fd < 0)
		return -errno;
	set_rcvbuf(src->fd, rcvbuf);
	if (bind(src->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (i = 0; i < nextra; i++) {
		if (setsockopt(src->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			       &extra[i], sizeof(extra[i])) < 0)
			return -errno;
	}
	ret = sd_event_add_io(e, &src->io, src->fd, EPOLLIN, src_read, src);
	if (ret < 0)
		return ret;
	return 0;
}

static void src_close(struct watch_src *src)
{
	sd_event_source_disable_unref(src->io);
	src->io = NULL;
	if (src->fd >= 0)
		close(src->fd);
	src->fd = -1;
}

int watch_new(sd_event *e, unsigned int rcvbuf, watch_changed_fn fn,
	      void *data, struct watch **out)
{
	static const unsigned int nft_groups[] = { NFNLGRP_NFTABLES };
	static const unsigned int rt_groups[] = {
		RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
		RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV4_RULE,
		RTNLGRP_IPV6_RULE,
		/* tc filters on an ingress qdisc run before netfilter: a
		 * new one makes what arrives there possible (link.c) */
		RTNLGRP_TC,
	};
	struct watch *w;
	int ret;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->nft.fd = w->rtnl.fd = w->raw4 = w->raw6 = -1;
	w->fn = fn;
	w->data = data;
	ret = src_open(w, &w->nft, e, NETLINK_NETFILTER, 0, nft_groups, 1,
		       rcvbuf, "nftables");
	if (ret < 0)
		goto fail;
	ret = src_open(w, &w->rtnl, e, NETLINK_ROUTE, 0, rt_groups,
		       ARRAY_SIZE(rt_groups), rcvbuf,
		       "rtnetlink");
	if (ret < 0)
		goto fail;
	*out = w;
	return 0;
fail:
	watch_free(w);
	return ret;
}

void watch_set_nft_filter(struct watch *w, watch_filter_fn fn, void *data)
{
	w->filter = fn;
	w->filter_data = data;
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	src_close(&w->nft);
	src_close(&w->rtnl);
	if (w->raw4 >= 0)
		close(w->raw4);
	if (w->raw6 >= 0)
		close(w->raw6);
	free(w);
}

static uint64_t fp_listeners(void)
{
	struct host *h = host_new();
	uint64_t sum = 0;
	size_t i;
	int ret;

	if (!h)
		return mix(ENOMEM);
	ret = sockets_read(h);
	if (ret < 0) {
		host_free(h);
		return mix((uint64_t)-ret);
	}
	/* order-independent: a sum of per-listener hashes */
	for (i = 0; i < h->nlisteners; i++) {
		const struct host_listener *l = &h->listeners[i];
		uint64_t x = FNV_INIT;

		x = fnv(x, &l->family, sizeof(l->family));
		x = fnv(x, &l->protocol, sizeof(l->protocol));
		x = fnv(x, &l->addr, sizeof(l->addr));
		x = fnv(x, &l->port, sizeof(l->port));
		x = fnv(x, &l->v6only, sizeof(l->v6only));
		x = fnv(x, &l->bound_ifindex, sizeof(l->bound_ifindex));
		sum += mix(x);
	}
	host_free(h);
	return sum;
}

static uint64_t fp_file(uint64_t h, const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fnv(h, &errno, sizeof(errno));
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return fnv(h, &errno, sizeof(errno));
	return fnv(h, buf, (size_t)n);
}

static uint64_t fp_xt(int *raw, int family, const char *names_path)
{
	char buf[512], *save = NULL, *tok;
	uint64_t h = FNV_INIT;
	ssize_t n;
	int fd;

	fd = open(names_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : fnv(h, &errno, sizeof(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? fnv(h, &errno, sizeof(errno)) : 0;
	buf[n] = '\0';
	if (*raw < 0) {
		/* any inet socket carries the x_tables getsockopts; a
		 * datagram one needs no CAP_NET_RAW */
		*raw = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (*raw < 0)
			return fnv(h, &errno, sizeof(errno));
	}
	/* the names file lists tables in load order: hash them as a set */
	for (tok = strtok_r(buf, "\n", &save); tok;
	     tok = strtok_r(NULL, "\n", &save)) {
		uint64_t x;
		int err = legacy_table_hash(*raw, family == AF_INET ?
					    NFPROTO_IPV4 : NFPROTO_IPV6, tok,
					    &x);

		/* a table that cannot be read contributes its error */
		h += mix(err == 0 ? x : fnv(fnv(FNV_INIT, tok, strlen(tok)),
					    &err, sizeof(err)));
	}
	return h;
}

/* ebtables-legacy has no events either: its tables (ebtleg.h says which
 * are asked for, and what asking may create), as a set.  A kernel
 * without them answers the first GET_INFO with ENOPROTOOPT: one
 * getsockopt, nothing hashed. */
static uint64_t fp_ebt(int *raw)
{
	uint64_t h = 0, x;
	size_t i;
	int err;

	if (*raw < 0) {
		*raw = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (*raw < 0)
			return mix((uint64_t)errno);
	}
	for (i = 0; i < EBTLEG_NTABLES; i++) {
		const char *name = ebtleg_tables[i];

		err = ebtleg_table_hash(*raw, name, &x);
		if (err == -ENOPROTOOPT)
			break;
		h += mix(err == 0 ? x : fnv(fnv(FNV_INIT, name, strlen(name)),
					    &err, sizeof(err)));
	}
	return h;
}

/* IPVS has no multicast group: its services and real servers (what the
 * audit reads of them), as a set, or the error that kept them unread */
static uint64_t fp_ipvs(void)
{
	struct host *h = host_new();
	uint64_t sum = 0;
	size_t i, k;
	int ret;

	if (!h)
		return mix(ENOMEM);
	ret = ipvs_read(h);
	if (ret < 0 || h->ipvs_error) {
		sum = mix((uint64_t)-(ret < 0 ? ret : h->ipvs_error));
		host_free(h);
		return sum;
	}
	for (i = 0; i < h->nipvs; i++) {
		const struct host_ipvs_svc *s = &h->ipvs[i];
		uint64_t x = FNV_INIT;

		x = fnv(x, &s->family, sizeof(s->family));
		x = fnv(x, &s->proto, sizeof(s->proto));
		x = fnv(x, &s->addr, sizeof(s->addr));
		x = fnv(x, &s->port, sizeof(s->port));
		x = fnv(x, &s->fwmark, sizeof(s->fwmark));
		for (k = 0; k < s->ndests; k++) {
			const struct host_ipvs_dest *d = &s->dests[k];
			uint64_t y = FNV_INIT;

			y = fnv(y, &d->family, sizeof(d->family));
			y = fnv(y, &d->addr, sizeof(d->addr));
			y = fnv(y, &d->port, sizeof(d->port));
			y = fnv(y, &d->fwd, sizeof(d->fwd));
			y = fnv(y, &d->weight, sizeof(d->weight));
			/* a tunnel's encapsulation is what OUTPUT sees */
			if (d->fwd == HOST_IPVS_TUNNEL) {
				y = fnv(y, &d->tun_type, sizeof(d->tun_type));
				y = fnv(y, &d->tun_port, sizeof(d->tun_port));
			}
			x += mix(y);
		}
		sum += mix(x);
	}
	host_free(h);
	return sum;
}

static uint64_t fp_rset(uint64_t x, const struct rs_set *s)
{
	if (!s)
		return x;
	x = fnv(x, &s->nelems, sizeof(s->nelems));
	return fnv(x, s->elems, s->nelems * s->nfields * sizeof(*s->elems));
}

/* ipsets change without nftables events: what the audit reads of them
 * (never the raw dump: an element's timeout counts down in it), or the
 * error.  Nothing to read without the ip_set module (ipset.c). */
static uint64_t fp_ipset(void)
{
	struct ruleset *rs = ruleset_new();
	uint64_t h = FNV_INIT;
	size_t i, k;
	int ret;

	if (!rs)
		return mix(ENOMEM);
	ret = ipset_dump_ruleset(rs);
	if (ret < 0) {
		ruleset_free(rs);
		return mix((uint64_t)-ret);
	}
	for (i = 0; i < rs->nnotes; i++)
		h = fnv(h, rs->notes[i], strlen(rs->notes[i]));
	for (i = 0; i < rs->nipsets; i++) {
		const struct rs_ipset *s = &rs->ipsets[i];

		h = fnv(h, s->name, strlen(s->name) + 1);
		h = fnv(h, s->type, strlen(s->type) + 1);
		h = fnv(h, &s->index, sizeof(s->index));
		h = fnv(h, &s->family, sizeof(s->family));
		h = fnv(h, &s->decided, sizeof(s->decided));
		h = fp_rset(h, s->in);
		h = fp_rset(h, s->nomatch);
		for (k = 0; k < s->nmembers; k++)
			h = fnv(h, &s->members[k], sizeof(s->members[k]));
	}
	ruleset_free(rs);
	return h;
}

int watch_fingerprint(struct watch *w, uint64_t *fp)
{
	uint64_t h = FNV_INIT, x;

	x = fp_listeners();
	h = fnv(h, &x, sizeof(x));
	x = fp_xt(&w->raw4, AF_INET, "/proc/net/ip_tables_names");
	h = fnv(h, &x, sizeof(x));
	x = fp_xt(&w->raw6, AF_INET6, "/proc/net/ip6_tables_names");
	h = fnv(h, &x, sizeof(x));
	h = fp_file(h, "/proc/sys/net/ipv4/ip_forward");
	h = fp_file(h, "/proc/sys/net/ipv6/conf/all/forwarding");
	h = fp_file(h, "/proc/sys/net/ipv4/conf/all/route_localnet");
	x = fp_ipvs();
	h = fnv(h, &x, sizeof(x));
	/* the same AF_INET socket as the IPv4 x_tables */
	x = fp_ebt(&w->raw4);
	h = fnv(h, &x, sizeof(x));
	x = fp_ipset();
	h = fnv(h, &x, sizeof(x));
	*fp = h;
	return 0;
}
