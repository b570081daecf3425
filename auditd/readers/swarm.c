// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * swarm.c - Docker Swarm's ingress sandbox: its addresses, mark rules and
 * IPVS services, read from inside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "host_read.h"
#include "ipvs.h"
#include "legacy.h"
#include "nft.h"
#include "nldump.h"
#include "swarm.h"

void swarm_release(struct host_swarm *s)
{
	if (!s)
		return;
	free(s->addrs);
	free(s->marks);
	ipvs_svcs_free(s->ipvs, s->nipvs);
	memset(s, 0, sizeof(*s));
}

/* ---- the mark rules ---- */

void swarm_mark_text(struct host_swarm_mark *m)
{
	snprintf(m->what, sizeof(m->what), "Swarm's ingress sandbox marks "
		 "%s ports %u-%u with %u (its PREROUTING)",
		 m->proto == IPPROTO_TCP ? "tcp" : m->proto == IPPROTO_UDP ?
		 "udp" : m->proto == IPPROTO_SCTP ? "sctp" : "any protocol's",
		 m->port_lo, m->port_hi, m->mark);
}

static bool stmt_marks(const struct rs_stmt *st)
{
	if (!st->name)
		return false;
	return st->sets_mark || !strcmp(st->name, "meta mark set") ||
	       (!strcmp(st->name, "CONNMARK") && st->text &&
		strstr(st->text, "restore"));
}

/* One interval of a single-field match of field f, or false. */
static bool one_interval(const struct rs_match *m, struct rs_interval *iv)
{
	const struct rs_interval *el;
	size_t n;

	if (m->op != RS_OP_IN || m->nfields != 1)
		return false;
	el = rs_match_elems(m, &n);
	if (n != 1)
		return false;
	*iv = el[0];
	return true;
}

/* Rule r as a mark entry: false when it is not one fwaudit follows. */
static bool rule_mark(const struct rs_rule *r, struct host_swarm_mark *e)
{
	const struct rs_stmt *mark = NULL;
	struct rs_interval iv;
	size_t i;

	memset(e, 0, sizeof(*e));
	e->port_hi = 65535;
	e->daddr_hi = 0xffffffffu;
	for (i = 0; i < r->nstmts; i++) {
		if (!stmt_marks(&r->stmts[i]))
			continue;
		/* the last one decides; one fwaudit cannot follow, never */
		if (!r->stmts[i].sets_mark)
			return false;
		mark = &r->stmts[i];
	}
	/* a new packet's mark is 0 here: only a whole-mark set is exact */
	if (!mark || mark->mark_mask != 0xffffffffu)
		return false;
	e->mark = mark->mark_value;
	for (i = 0; i < r->nmatches; i++) {
		const struct rs_match *m = &r->matches[i];

		if (!one_interval(m, &iv))
			return false;
		switch (m->fields[0]) {
		case RS_F_L4PROTO:
			if (iv.lo != iv.hi || iv.lo > 255)
				return false;
			e->proto = (uint8_t)iv.lo;
			break;
		case RS_F_DPORT:
			if (iv.hi > 65535)
				return false;
			e->port_lo = (uint16_t)iv.lo;
			e->port_hi = (uint16_t)iv.hi;
			break;
		case RS_F_IP_DADDR:
			e->daddr_lo = iv.lo;
			e->daddr_hi = iv.hi;
			break;
		default:
			return false;
		}
	}
	swarm_mark_text(e);
	return true;
}

int swarm_marks(const struct ruleset *rs, struct host_swarm *s)
{
	struct host_swarm_mark e, *ne;
	size_t i, k, j;

	free(s->marks);
	s->marks = NULL;
	s->nmarks = 0;
	s->marks_exact = true;
	for (i = 0; rs && i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (!c->base || c->hook != NF_INET_PRE_ROUTING ||
		    (c->family != NFPROTO_IPV4 && c->family != NFPROTO_INET))
			continue;
		for (k = 0; k < c->nrules; k++) {
			const struct rs_rule *r = &c->rules[k];
			bool marks = false;

			if (r->verdict.kind == RS_V_JUMP ||
			    r->verdict.kind == RS_V_GOTO ||
			    r->verdict.map.set) {
				/* what the chain it goes to marks is not
				 * followed */
				s->marks_exact = false;
				continue;
			}
			for (j = 0; j < r->nstmts; j++)
				marks |= stmt_marks(&r->stmts[j]);
			if (!marks)
				continue;
			if (!rule_mark(r, &e)) {
				s->marks_exact = false;
				continue;
			}
			ne = host_array_add((void **)&s->marks, &s->nmarks,
					    sizeof(*ne), SWARM_MARKS_MAX);
			if (!ne)
				return -errno;
			*ne = e;
		}
	}
	return 0;
}

/* ---- inside the sandbox ---- */

static int addr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t t = mnl_attr_get_type(a);

	if ((t == IFA_LOCAL || t == IFA_ADDRESS) &&
	    mnl_attr_get_payload_len(a) == 4)
		tb[t] = a;
	return MNL_CB_OK;
}

static int addr_msg(const struct nlmsghdr *req, const struct nlmsghdr *nlh,
		    void *data)
{
	const struct nlattr *tb[IFA_MAX + 1] = { NULL };
	struct host_swarm *s = data;
	const struct ifaddrmsg *ifa;
	const struct nlattr *a;
	rs_u128 *na;

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return 0;
	ifa = mnl_nlmsg_get_payload(nlh);
	/* (loopback: no DNAT sends anything there) */
	if (ifa->ifa_family != AF_INET || ifa->ifa_scope == RT_SCOPE_HOST)
		return 0;
	mnl_attr_parse(nlh, sizeof(*ifa), addr_cb, tb);
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a)
		return 0;
	na = host_array_add((void **)&s->addrs, &s->naddrs, sizeof(*na),
			    SWARM_ADDRS_MAX);
	if (!na)
		return -errno;
	*na = host_addr_from_bytes(AF_INET, mnl_attr_get_payload(a));
	return 0;
}

static int addr_done(const struct nlmsghdr *req, int err, void *data)
{
	return err;
}

static int sbox_addrs(struct host_swarm *s)
{
	struct nld_handler hd = { addr_msg, addr_done, s };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	unsigned int attempt;
	int ret = -EINTR;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	for (attempt = 0; attempt < NLD_INTR_RETRIES && ret == -EINTR;
	     attempt++) {
		free(s->addrs);
		s->addrs = NULL;
		s->naddrs = 0;
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETADDR;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = AF_INET;
		ret = nld_dump(nl, nlh, &hd, NULL);
	}
out:
	mnl_socket_close(nl);
	return ret;
}

/* The sandbox's rules with the ordinary readers, recording nothing (the
 * host's own recordings may be open: they must not be touched). */
static int sbox_rules(struct host_swarm *s)
{
	static const char *const envs[] = { "FWAUDIT_NFT_RECORD" };
	char *saved[1] = { NULL };
	struct ruleset *rs;
	size_t i;
	int ret;

	rs = ruleset_new();
	if (!rs)
		return -ENOMEM;
	for (i = 0; i < 1; i++) {
		const char *v = getenv(envs[i]);

		if (v && !(saved[i] = strdup(v))) {
			ret = -ENOMEM;
			goto out;
		}
		unsetenv(envs[i]);
	}
	ret = nft_dump_ruleset(rs);
	if (!ret)
		ret = legacy_dump_ruleset(rs);
	if (!ret)
		ret = swarm_marks(rs, s);
out:
	for (i = 0; i < 1; i++) {
		if (saved[i] && setenv(envs[i], saved[i], 1) < 0 && !ret)
			ret = -ENOMEM;
		free(saved[i]);
	}
	ruleset_free(rs);
	return ret;
}

int swarm_read(struct host *h)
{
	struct host_swarm *s = &h->swarm;
	const char *path = secure_getenv(SWARM_SBOX_ENV);
	int fd, self = -1, ret = 0;

	swarm_release(s);
	if (!path || !*path)
		path = SWARM_SBOX_PATH;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT) {
			s->present = true;
			s->error = -errno;
		}
		return 0;
	}
	s->present = true;
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		s->error = -errno;
		goto out;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		s->error = -errno;
		goto out;
	}
	ret = sbox_addrs(s);
	if (!ret)
		ret = sbox_rules(s);
	if (!ret)
		ret = ipvs_read_into(SWARM_IPVS_RECORD_ENV, &s->ipvs, &s->nipvs,
				     &s->ipvs_error);
	if (setns(self, CLONE_NEWNET) < 0) {
		ret = -EIO;
		goto out;
	}
	if (ret == -ENOMEM)
		goto out;
	if (ret < 0) {
		/* what was read is no answer: only the error, for a note */
		s->error = ret;
		ret = 0;
		free(s->addrs);
		free(s->marks);
		s->addrs = NULL;
		s->marks = NULL;
		s->naddrs = s->nmarks = 0;
	}
out:
	if (self >= 0)
		close(self);
	close(fd);
	return ret;
}
