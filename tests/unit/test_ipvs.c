// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ipvs.c - IPVS services and real servers read from the conversation
 * ipvs_read() records (auditd/readers/ipvs.c).  This machine's kernel has
 * no IPVS, so the requests and the kernel's answers are made here as
 * net/netfilter/ipvs/ip_vs_ctl.c fills them (ip_vs_genl_fill_service(),
 * ip_vs_genl_fill_dest(): a genlmsghdr and one nest; addresses as a
 * 16-byte union nf_inet_addr; ports and the netmask in network order).
 *
 * With IPVS_SEED_OUT set, the NAT/DR recording is written there (the
 * fuzzer's seed, tests/fixtures/ipvs/services.bin).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netfilter.h>

#include <libmnl/libmnl.h>

#include "host.h"
#include "ipvs.h"
#include "ruleset.h"
#include "swarm.h"
#include "unit.h"

#define FAMILY_ID	0x1c	/* what the controller gave; any will do */

/* A recording being built. */
static char rec[65536];
static size_t reclen;

static struct nlmsghdr *put(uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(rec + reclen);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = IPVS_GENL_VERSION;
	return nlh;
}

static void end(struct nlmsghdr *nlh)
{
	reclen += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void done(int err)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(rec + reclen);

	if (err) {
		struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh,
								sizeof(*e));

		nlh->nlmsg_type = NLMSG_ERROR;
		e->error = err;
	} else {
		int *v = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

		nlh->nlmsg_type = NLMSG_DONE;
		nlh->nlmsg_flags = NLM_F_MULTI;
		*v = 0;
	}
	end(nlh);
}

struct svc {
	uint16_t af, proto;
	const char *addr;
	uint16_t port;
	uint32_t fwmark;
};

static void addr_put(struct nlmsghdr *nlh, uint16_t type, uint16_t af,
		     const char *text)
{
	uint8_t b[16] = { 0 };

	CHECK(inet_pton(af, text, b) == 1);
	mnl_attr_put(nlh, type, sizeof(b), b);
}

/* The service's identity (what a GET_DEST request nests) and, for an
 * answer, the rest ip_vs_genl_fill_service() adds. */
static void svc_nest(struct nlmsghdr *nlh, const struct svc *s, bool answer)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);

	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, s->af);
	if (s->fwmark) {
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_FWMARK, s->fwmark);
	} else {
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PROTOCOL, s->proto);
		addr_put(nlh, IPVS_SVC_ATTR_ADDR, s->af, s->addr);
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PORT, htons(s->port));
	}
	if (answer) {
		struct ip_vs_flags f = { 0, ~0u };
		struct nlattr *st;

		mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_SCHED_NAME, "wlc");
		mnl_attr_put(nlh, IPVS_SVC_ATTR_FLAGS, sizeof(f), &f);
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_TIMEOUT, 0);
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_NETMASK, 0xffffffff);
		st = mnl_attr_nest_start(nlh, IPVS_SVC_ATTR_STATS);
		mnl_attr_put_u32(nlh, IPVS_STATS_ATTR_CONNS, 7);
		mnl_attr_nest_end(nlh, st);
	}
	mnl_attr_nest_end(nlh, n);
}

static void svc_dump(const struct svc *s, size_t n)
{
	size_t i;

	end(put(FAMILY_ID, NLM_F_REQUEST | NLM_F_DUMP, IPVS_CMD_GET_SERVICE));
	for (i = 0; i < n; i++) {
		struct nlmsghdr *nlh = put(FAMILY_ID, NLM_F_MULTI,
					   IPVS_CMD_NEW_SERVICE);

		svc_nest(nlh, &s[i], true);
		end(nlh);
	}
	done(0);
}

static void dest_req(const struct svc *s)
{
	struct nlmsghdr *nlh = put(FAMILY_ID, NLM_F_REQUEST | NLM_F_DUMP,
				   IPVS_CMD_GET_DEST);

	svc_nest(nlh, s, false);
	end(nlh);
}

/* A real server as ip_vs_genl_fill_dest() fills it; tun_type -1: as
 * before Linux 5.3, without the tunnel attributes. */
static void dest_ans_tun(uint16_t af, const char *addr, uint16_t port,
			 uint32_t fwd, uint32_t weight, int tun_type,
			 uint16_t tun_port, uint16_t tun_flags)
{
	struct nlmsghdr *nlh = put(FAMILY_ID, NLM_F_MULTI, IPVS_CMD_NEW_DEST);
	struct nlattr *n = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DEST);

	addr_put(nlh, IPVS_DEST_ATTR_ADDR, af, addr);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_PORT, htons(port));
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_FWD_METHOD, fwd);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_WEIGHT, weight);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_U_THRESH, 0);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_L_THRESH, 0);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_ACTIVE_CONNS, 1);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_ADDR_FAMILY, af);
	if (tun_type >= 0) {
		mnl_attr_put_u8(nlh, IPVS_DEST_ATTR_TUN_TYPE,
				(uint8_t)tun_type);
		mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_PORT,
				 htons(tun_port));
		mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_FLAGS, tun_flags);
	}
	mnl_attr_nest_end(nlh, n);
	end(nlh);
}

static void dest_ans(uint16_t af, const char *addr, uint16_t port,
		     uint32_t fwd, uint32_t weight)
{
	dest_ans_tun(af, addr, port, fwd, weight, 0, 0, 0);
}

static const struct svc svcs[] = {
	{ AF_INET, IPPROTO_TCP, "198.51.100.10", 80, 0 },
	{ AF_INET6, IPPROTO_UDP, "2001:db8::10", 53, 0 },
	{ AF_INET, 0, NULL, 0, 7 },
	{ AF_INET, IPPROTO_TCP, "198.51.100.10", 443, 0 },
};

/* NAT (masq) and DR services, IPv4 and IPv6, a fwmark service, and a
 * service without real servers. */
static void build_all(void)
{
	reclen = 0;
	svc_dump(svcs, 4);
	dest_req(&svcs[0]);
	dest_ans(AF_INET, "10.0.0.2", 8080, IP_VS_CONN_F_MASQ, 1);
	dest_ans(AF_INET, "10.0.0.3", 8080, IP_VS_CONN_F_MASQ, 0);
	done(0);
	dest_req(&svcs[1]);
	dest_ans(AF_INET6, "2001:db8:1::2", 53, IP_VS_CONN_F_DROUTE, 5);
	done(0);
	dest_req(&svcs[2]);
	dest_ans(AF_INET, "10.0.0.9", 0, IP_VS_CONN_F_TUNNEL, 1);
	done(0);
	dest_req(&svcs[3]);
	done(0);
}

static void test_services(void)
{
	struct host *h = host_new();
	const struct host_ipvs_svc *s;

	build_all();
	CHECK_EQ(ipvs_replay_buf(h, rec, reclen), 0);
	CHECK_EQ(h->nipvs, 4);
	CHECK_EQ(h->ipvs_error, 0);
	s = &h->ipvs[0];
	CHECK_EQ(s->family, AF_INET);
	CHECK_EQ(s->proto, IPPROTO_TCP);
	CHECK(s->addr == 0xc633640a);	/* 198.51.100.10 */
	CHECK_EQ(s->port, 80);
	CHECK_EQ(s->fwmark, 0);
	CHECK_STR(s->sched, "wlc");
	CHECK_EQ(s->ndests, 2);
	CHECK(s->dests[0].addr == 0x0a000002);
	CHECK_EQ(s->dests[0].port, 8080);
	CHECK_EQ(s->dests[0].fwd, HOST_IPVS_MASQ);
	CHECK_STR(ipvs_fwd_name(s->dests[0].fwd), "masq");
	CHECK_EQ(s->dests[0].weight, 1);
	CHECK_EQ(s->dests[1].weight, 0);
	s = &h->ipvs[1];
	CHECK_EQ(s->family, AF_INET6);
	CHECK_EQ(s->proto, IPPROTO_UDP);
	CHECK(s->addr == (((rs_u128)0x20010db8 << 96) | 0x10));
	CHECK_EQ(s->port, 53);
	CHECK_EQ(s->ndests, 1);
	CHECK_EQ(s->dests[0].family, AF_INET6);
	CHECK_EQ(s->dests[0].fwd, HOST_IPVS_ROUTE);
	CHECK_STR(ipvs_fwd_name(s->dests[0].fwd), "route");
	CHECK(s->dests[0].addr == (((rs_u128)0x20010db8 << 96) |
				   ((rs_u128)1 << 80) | 2));
	s = &h->ipvs[2];
	CHECK_EQ(s->fwmark, 7);
	CHECK_EQ(s->proto, 0);
	CHECK_EQ(s->ndests, 1);
	CHECK_EQ(s->dests[0].fwd, HOST_IPVS_TUNNEL);
	CHECK_EQ(h->ipvs[3].ndests, 0);
	host_free(h);
}

/* Tunnel real servers: GUE to a UDP port, GRE with checksums, IPIP as
 * Linux 5.3 says it and as older kernels (no attribute) leave it, and a
 * type newer than this code (kept: the engine leaves it undecided). */
static void test_tunnel_types(void)
{
	struct host *h = host_new();
	const struct host_ipvs_dest *d;

	reclen = 0;
	svc_dump(&svcs[2], 1);
	dest_req(&svcs[2]);
	dest_ans_tun(AF_INET, "10.0.0.9", 0, IP_VS_CONN_F_TUNNEL, 1,
		     IP_VS_CONN_F_TUNNEL_TYPE_GUE, 6080,
		     IP_VS_TUNNEL_ENCAP_FLAG_CSUM);
	dest_ans_tun(AF_INET, "10.0.0.10", 0, IP_VS_CONN_F_TUNNEL, 1,
		     IP_VS_CONN_F_TUNNEL_TYPE_GRE, 0,
		     IP_VS_TUNNEL_ENCAP_FLAG_CSUM);
	dest_ans_tun(AF_INET, "10.0.0.11", 0, IP_VS_CONN_F_TUNNEL, 1,
		     IP_VS_CONN_F_TUNNEL_TYPE_IPIP, 0, 0);
	dest_ans_tun(AF_INET, "10.0.0.12", 0, IP_VS_CONN_F_TUNNEL, 1, -1, 0,
		     0);
	dest_ans_tun(AF_INET, "10.0.0.13", 0, IP_VS_CONN_F_TUNNEL, 1, 9, 0,
		     0);
	done(0);
	CHECK_EQ(ipvs_replay_buf(h, rec, reclen), 0);
	CHECK_EQ(h->nipvs, 1);
	CHECK_EQ(h->ipvs[0].ndests, 5);
	if (h->nipvs != 1 || h->ipvs[0].ndests != 5)
		goto out;
	d = h->ipvs[0].dests;
	CHECK_EQ(d[0].tun_type, IP_VS_CONN_F_TUNNEL_TYPE_GUE);
	CHECK_EQ(d[0].tun_port, 6080);
	CHECK_EQ(d[0].tun_flags, IP_VS_TUNNEL_ENCAP_FLAG_CSUM);
	CHECK(strstr(d[0].what, "(tunnel gue udp/6080)") != NULL);
	CHECK_EQ(d[1].tun_type, IP_VS_CONN_F_TUNNEL_TYPE_GRE);
	CHECK(strstr(d[1].what, "(tunnel gre)") != NULL);
	CHECK_EQ(d[2].tun_type, IP_VS_CONN_F_TUNNEL_TYPE_IPIP);
	CHECK_EQ(d[3].tun_type, IP_VS_CONN_F_TUNNEL_TYPE_IPIP);
	CHECK_EQ(d[3].tun_port, 0);
	/* IPIP reads as every tunnel did before the types */
	CHECK(strstr(d[2].what, "(tunnel)") != NULL);
	CHECK(strstr(d[3].what, "(tunnel)") != NULL);
	CHECK_EQ(d[4].tun_type, 9);
	CHECK(strstr(d[4].what, "(tunnel type 9)") != NULL);
out:
	host_free(h);
}

static void test_empty_and_refused(void)
{
	struct host *h = host_new();

	/* an empty table: the service dump answers DONE at once */
	reclen = 0;
	svc_dump(NULL, 0);
	CHECK_EQ(ipvs_replay_buf(h, rec, reclen), 0);
	CHECK_EQ(h->nipvs, 0);
	CHECK_EQ(h->ipvs_error, 0);
	/* no IPVS in the kernel: nothing was recorded */
	CHECK_EQ(ipvs_replay_buf(h, rec, 0), 0);
	CHECK_EQ(h->nipvs, 0);
	/* refused: kept for a note, no services */
	reclen = 0;
	end(put(FAMILY_ID, NLM_F_REQUEST | NLM_F_DUMP, IPVS_CMD_GET_SERVICE));
	done(-EPERM);
	CHECK_EQ(ipvs_replay_buf(h, rec, reclen), 0);
	CHECK_EQ(h->nipvs, 0);
	CHECK_EQ(h->ipvs_error, -EPERM);
	host_free(h);
}

/* A copy of the NAT/DR recording with one byte changed at off. */
static int replay_with(size_t len, size_t off, uint8_t v)
{
	static char copy[sizeof(rec)];
	struct host *h = host_new();
	int ret;

	memcpy(copy, rec, len);
	if (off < len)
		copy[off] = (char)v;
	ret = ipvs_replay_buf(h, copy, len);
	if (ret == 0)
		CHECK(h->nipvs <= 4);
	else
		CHECK_EQ(h->nipvs, 0);
	host_free(h);
	return ret;
}

static void test_malformed(void)
{
	struct host *h = host_new();
	struct svc bad = { AF_INET, IPPROTO_ICMP, "198.51.100.1", 1, 0 };
	size_t full, off;
	FILE *f;

	build_all();
	full = reclen;
	if (getenv("IPVS_SEED_OUT")) {
		f = fopen(getenv("IPVS_SEED_OUT"), "w");
		CHECK(f && fwrite(rec, full, 1, f) == 1);
		if (f)
			fclose(f);
	}
	/* cut short anywhere: never a partial answer */
	CHECK_EQ(replay_with(full - 1, full, 0), -EBADMSG);
	CHECK_EQ(replay_with(full - 20, full, 0), -EBADMSG);
	CHECK_EQ(replay_with(full / 2, full, 0), -EBADMSG);
	/* every byte flipped: an error or an answer, never a crash */
	for (off = 0; off < full; off++)
		replay_with(full, off, (uint8_t)(rec[off] ^ 0xff));
	/* an ICMP service: no such thing */
	reclen = 0;
	svc_dump(&bad, 1);
	CHECK_EQ(ipvs_replay_buf(h, rec, reclen), -EBADMSG);
	/* a real server of a service the dump did not name */
	reclen = 0;
	svc_dump(svcs, 1);
	dest_req(&svcs[3]);
	dest_ans(AF_INET, "10.0.0.2", 80, 0, 1);
	done(0);
	CHECK_EQ(ipvs_replay_buf(h, rec, reclen), -EBADMSG);
	/* the same service twice */
	reclen = 0;
	{
		struct svc two[2] = { svcs[0], svcs[0] };

		svc_dump(two, 2);
	}
	CHECK_EQ(ipvs_replay_buf(h, rec, reclen), -EBADMSG);
	/* a service answer without its nest */
	reclen = 0;
	end(put(FAMILY_ID, NLM_F_REQUEST | NLM_F_DUMP, IPVS_CMD_GET_SERVICE));
	end(put(FAMILY_ID, NLM_F_MULTI, IPVS_CMD_NEW_SERVICE));
	done(0);
	CHECK_EQ(ipvs_replay_buf(h, rec, reclen), -EBADMSG);
	CHECK_EQ(h->nipvs, 0);
	host_free(h);
}

/* A rule of c that sets mark m (whole) after matching proto and dport. */
static struct rs_rule *mark_rule(struct rs_chain *c, uint8_t proto,
				 uint16_t port, uint32_t m)
{
	struct rs_rule *r = rs_chain_add_rule(c);
	struct rs_stmt *st;

	if (proto)
		rs_match_set_range(rs_rule_add_match(r), RS_F_L4PROTO, proto,
				   proto, false);
	if (port)
		rs_match_set_range(rs_rule_add_match(r), RS_F_DPORT, port,
				   port, false);
	st = rs_rule_add_stmt(r);
	st->name = strdup("MARK");
	st->sets_mark = true;
	st->mark_mask = 0xffffffffu;
	st->mark_value = m;
	return r;
}

/* swarm.c's reading of the sandbox's mangle PREROUTING: Docker's mark
 * rules followed, anything else that may mark makes it inexact. */
static void test_swarm_marks(void)
{
	struct ruleset *rs = ruleset_new();
	struct host_swarm s = { 0 };
	struct rs_chain *c;
	struct rs_rule *r;
	struct rs_stmt *st;

	c = ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "mangle",
			      "PREROUTING");
	c->base = true;
	c->hook = NF_INET_PRE_ROUTING;
	mark_rule(c, IPPROTO_TCP, 8080, 256);
	r = mark_rule(c, 0, 0, 257);
	rs_match_set_range(rs_rule_add_match(r), RS_F_IP_DADDR, 0x0a000005u,
			   0x0a000005u, false);
	/* a counter only: not a mark rule */
	st = rs_rule_add_stmt(rs_chain_add_rule(c));
	st->name = strdup("counter");
	CHECK_EQ(swarm_marks(rs, &s), 0);
	CHECK(s.marks_exact);
	CHECK_EQ(s.nmarks, 2);
	CHECK(s.marks[0].proto == IPPROTO_TCP && s.marks[0].port_lo == 8080 &&
	      s.marks[0].port_hi == 8080 && s.marks[0].mark == 256 &&
	      s.marks[0].daddr_lo == 0 && s.marks[0].daddr_hi == 0xffffffffu);
	CHECK(s.marks[1].proto == 0 && s.marks[1].port_lo == 0 &&
	      s.marks[1].port_hi == 65535 && s.marks[1].mark == 257 &&
	      s.marks[1].daddr_lo == 0x0a000005u);
	CHECK(strstr(s.marks[0].what, "tcp ports 8080-8080 with 256") != NULL);
	/* a match it does not follow: that rule is not taken, inexact */
	r = mark_rule(c, IPPROTO_UDP, 53, 300);
	rs_match_set_ifname(rs_rule_add_match(r), RS_F_IIFNAME, "eth0",
			    false, false);
	CHECK_EQ(swarm_marks(rs, &s), 0);
	CHECK(!s.marks_exact);
	CHECK_EQ(s.nmarks, 2);
	ruleset_free(rs);
	/* a mark from the conntrack mark; a jump: inexact */
	rs = ruleset_new();
	c = ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "t", "pre");
	c->base = true;
	c->hook = NF_INET_PRE_ROUTING;
	st = rs_rule_add_stmt(rs_chain_add_rule(c));
	st->name = strdup("meta mark set");
	st->text = strdup("ct mark");
	CHECK_EQ(swarm_marks(rs, &s), 0);
	CHECK(!s.marks_exact && s.nmarks == 0);
	ruleset_free(rs);
	rs = ruleset_new();
	c = ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "mangle",
			      "PREROUTING");
	c->base = true;
	c->hook = NF_INET_PRE_ROUTING;
	r = rs_chain_add_rule(c);
	r->verdict.kind = RS_V_JUMP;
	r->verdict.chain = strdup("X");
	CHECK_EQ(swarm_marks(rs, &s), 0);
	CHECK(!s.marks_exact);
	/* the forward and output hooks and IPv6 are not the sandbox's way in */
	c->hook = NF_INET_FORWARD;
	CHECK_EQ(swarm_marks(rs, &s), 0);
	CHECK(s.marks_exact);
	ruleset_free(rs);
	swarm_release(&s);
}

int main(void)
{
	test_swarm_marks();
	test_services();
	test_tunnel_types();
	test_empty_and_refused();
	test_malformed();
	return unit_done();
}
