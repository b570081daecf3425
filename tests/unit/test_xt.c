// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_xt.c - the x_tables blob decoders, fed kernel structs filled the way
 * iptables fills them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_connmark.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_dscp.h>
#include <linux/netfilter/xt_ecn.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_length.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_mac.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_owner.h>
#include <linux/netfilter/xt_physdev.h>
#include <linux/netfilter_bridge/ebt_ip.h>
#include <linux/netfilter_bridge/ebt_ip6.h>
#include <linux/netfilter/xt_pkttype.h>
#include <linux/netfilter/xt_rpfilter.h>
#include <linux/netfilter/xt_recent.h>
#include <linux/netfilter/xt_sctp.h>
#include <linux/netfilter/xt_set.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_statistic.h>
#include <linux/netfilter/xt_tcpmss.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter/xt_CHECKSUM.h>
#include <linux/netfilter/xt_CT.h>
#include <linux/netfilter/xt_LOG.h>
#include <linux/netfilter/xt_NFLOG.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <linux/netfilter/xt_TCPMSS.h>
#include <linux/netfilter/xt_TPROXY.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv4/ipt_ttl.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/netfilter_ipv6/ip6t_frag.h>
#include <linux/netfilter_ipv6/ip6t_hl.h>
#include <linux/netfilter_ipv6/ip6t_ipv6header.h>
#include <linux/netfilter_ipv6/ip6t_mh.h>
#include <linux/netfilter_ipv6/ip6t_opts.h>
#include <linux/netfilter_ipv6/ip6t_rt.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>

#include "ruleset.h"
#include "xt.h"
#include "unit.h"
#include "util.h"

#define V4	NFPROTO_IPV4
#define V6	NFPROTO_IPV6

static struct ruleset *rs;
static struct rs_chain *chain;

/* A fresh rule; valid until the next call. */
static struct rs_rule *rule(void)
{
	struct rs_rule *r = rs_chain_add_rule(chain);

	if (!r) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	return r;
}

static struct rs_rule *mt(uint8_t family, const char *name, uint8_t rev,
			  const void *blob, size_t len)
{
	struct rs_rule *r = rule();

	CHECK_EQ(xt_decode_match(r, family, name, rev, blob, len), 0);
	return r;
}

static struct rs_rule *tg(uint8_t family, const char *name, uint8_t rev,
			  const void *blob, size_t len)
{
	struct rs_rule *r = rule();

	CHECK_EQ(xt_decode_target(r, family, name, rev, blob, len), 0);
	return r;
}

static bool is_range(const struct rs_match *m, enum rs_field f, rs_u128 lo,
		     rs_u128 hi, bool invert)
{
	return m->op == (invert ? RS_OP_NOT_IN : RS_OP_IN) &&
	       m->nfields == 1 && m->fields[0] == f && m->nelems == 1 &&
	       m->elems[0].lo == lo && m->elems[0].hi == hi;
}

static bool is_mask(const struct rs_match *m, enum rs_field f, rs_u128 mask,
		    rs_u128 value, enum rs_op op)
{
	return m->op == op && m->nfields == 1 && m->fields[0] == f &&
	       m->mask == mask && m->value == value;
}

static bool is_other(const struct rs_match *m, enum rs_field f,
		     const char *name, const char *text, bool invert)
{
	return m->op == RS_OP_OTHER && m->nfields == 1 && m->fields[0] == f &&
	       m->name && strcmp(m->name, name) == 0 && m->text &&
	       strcmp(m->text, text) == 0 && m->invert == invert;
}

static bool is_unknown(const struct rs_rule *r, const char *name, uint8_t rev)
{
	const struct rs_match *m = &r->matches[0];

	return r->nmatches == 1 && r->nstmts == 0 && !r->comment &&
	       m->op == RS_OP_OTHER && m->fields[0] == RS_F_UNKNOWN &&
	       m->name && strcmp(m->name, name) == 0 && m->revision == rev;
}

static bool is_other_target(const struct rs_rule *r, const char *name,
			    uint8_t rev)
{
	return r->verdict.kind == RS_V_OTHER && r->verdict.name &&
	       strcmp(r->verdict.name, name) == 0 &&
	       r->verdict.revision == rev && r->nmatches == 0 &&
	       r->nstmts == 0;
}

static bool is_stmt(const struct rs_rule *r, size_t i, const char *name,
		    const char *text)
{
	const struct rs_stmt *s = &r->stmts[i];

	if (i >= r->nstmts || !s->name || strcmp(s->name, name) != 0)
		return false;
	if (!text)
		return !s->text;
	return s->text && strcmp(s->text, text) == 0;
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static rs_u128 ip4h(const char *s)
{
	return ntohl(ip4(s));
}

static struct in6_addr ip6(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

static rs_u128 ip6h(const char *s)
{
	struct in6_addr a = ip6(s);
	rs_u128 v = 0;
	int i;

	for (i = 0; i < 16; i++)
		v = v << 8 | a.s6_addr[i];
	return v;
}

/* ------------------------------------------------------------------ */

static void test_tcp(void)
{
	struct xt_tcp t = { .spts = { 0, 0xffff }, .dpts = { 22, 22 } };
	struct rs_rule *r;

	/* -p tcp --dport 22 */
	r = mt(V4, "tcp", 0, &t, sizeof(t));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_DPORT, 22, 22, false));

	/* XT_ALIGN'ed length, as in an ipt_entry */
	r = mt(V4, "tcp", 0, &t, XT_ALIGN(sizeof(t)));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_DPORT, 22, 22, false));

	/* --sport 1024:65535 ! --dport 80:90 --syn */
	t.spts[0] = 1024;
	t.dpts[0] = 80;
	t.dpts[1] = 90;
	t.flg_mask = 0x17;
	t.flg_cmp = 0x02;
	t.invflags = XT_TCP_INV_DSTPT;
	r = mt(V4, "tcp", 0, &t, sizeof(t));
	CHECK_EQ(r->nmatches, 3);
	CHECK(is_range(&r->matches[0], RS_F_SPORT, 1024, 0xffff, false));
	CHECK(is_range(&r->matches[1], RS_F_DPORT, 80, 90, true));
	CHECK(is_mask(&r->matches[2], RS_F_TCP_FLAGS, 0x17, 0x02,
		      RS_OP_MASK_EQ));

	/* ! --syn, --tcp-option 8 */
	memset(&t, 0, sizeof(t));
	t.spts[1] = t.dpts[1] = 0xffff;
	t.flg_mask = 0x17;
	t.flg_cmp = 0x02;
	t.option = 8;
	t.invflags = XT_TCP_INV_FLAGS;
	r = mt(V4, "tcp", 0, &t, sizeof(t));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_mask(&r->matches[0], RS_F_TCP_FLAGS, 0x17, 0x02,
		      RS_OP_MASK_NE));
	CHECK(is_mask(&r->matches[1], RS_F_TCP_OPTIONS, 1u << 8, 1u << 8,
		      RS_OP_MASK_EQ));

	/* an empty range never matches */
	memset(&t, 0, sizeof(t));
	t.spts[1] = 0xffff;
	t.dpts[0] = 10;
	t.dpts[1] = 5;
	r = mt(V4, "tcp", 0, &t, sizeof(t));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_DPORT, 0, 0xffff, true));

	/* sizes */
	r = mt(V4, "tcp", 0, &t, sizeof(t) - 1);
	CHECK(is_unknown(r, "tcp", 0));
	r = mt(V4, "tcp", 0, &t, XT_ALIGN(sizeof(t)) + 8);
	CHECK(is_unknown(r, "tcp", 0));
	r = mt(V4, "tcp", 1, &t, sizeof(t));
	CHECK(is_unknown(r, "tcp", 1));
	t.invflags = 0x80;
	r = mt(V4, "tcp", 0, &t, sizeof(t));
	CHECK(is_unknown(r, "tcp", 0));
}

static void test_udp_sctp(void)
{
	struct xt_udp u = { .spts = { 53, 53 }, .dpts = { 0, 0xffff },
			    .invflags = XT_UDP_INV_SRCPT };
	struct xt_sctp_info s;
	struct rs_rule *r;

	r = mt(V6, "udp", 0, &u, sizeof(u));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_SPORT, 53, 53, true));
	r = mt(V4, "udplite", 0, &u, sizeof(u));
	CHECK_EQ(r->nmatches, 1);
	r = mt(V4, "udp", 0, &u, sizeof(u) + 4);
	CHECK_EQ(r->nmatches, 1);
	r = mt(V4, "udp", 0, &u, XT_ALIGN(sizeof(u)) + 1);
	CHECK(is_unknown(r, "udp", 0));

	/* -p sctp --dport 5060 --chunk-types any INIT */
	memset(&s, 0, sizeof(s));
	s.dpts[0] = s.dpts[1] = 5060;
	s.flags = XT_SCTP_DEST_PORTS | XT_SCTP_CHUNK_TYPES;
	s.chunk_match_type = SCTP_CHUNK_MATCH_ANY;
	SCTP_CHUNKMAP_SET(s.chunkmap, 1);
	r = mt(V4, "sctp", 0, &s, sizeof(s));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_range(&r->matches[0], RS_F_DPORT, 5060, 5060, false));
	CHECK(is_other(&r->matches[1], RS_F_OTHER, "sctp",
		       "sctp: chunk-types any 1", false));
}

static void test_icmp(void)
{
	struct ipt_icmp i = { .type = 8, .code = { 0, 0xff } };
	struct ip6t_icmp i6 = { .type = 128, .code = { 0, 0xff } };
	const struct rs_match *m;
	struct rs_rule *r;

	r = mt(V4, "icmp", 0, &i, sizeof(i));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_ICMP_TYPE, 8, 8, false));

	/* --icmp-type any */
	i.type = 0xff;
	r = mt(V4, "icmp", 0, &i, sizeof(i));
	CHECK_EQ(r->nmatches, 0);
	i.invflags = IPT_ICMP_INV;
	r = mt(V4, "icmp", 0, &i, sizeof(i));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_ICMP_TYPE, 0, 0xff, true));

	/* --icmp-type port-unreachable (3/3) */
	i.type = 3;
	i.code[0] = i.code[1] = 3;
	i.invflags = 0;
	r = mt(V4, "icmp", 0, &i, sizeof(i));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_range(&r->matches[0], RS_F_ICMP_TYPE, 3, 3, false));
	CHECK(is_range(&r->matches[1], RS_F_ICMP_CODE, 3, 3, false));

	/* ! --icmp-type 3/3: not (type 3 and code 3) */
	i.invflags = IPT_ICMP_INV;
	r = mt(V4, "icmp", 0, &i, sizeof(i));
	CHECK_EQ(r->nmatches, 1);
	m = &r->matches[0];
	CHECK(m->op == RS_OP_NOT_IN && m->nfields == 2 && m->nelems == 1);
	CHECK(m->fields[0] == RS_F_ICMP_TYPE && m->fields[1] == RS_F_ICMP_CODE);
	CHECK(m->elems[0].lo == 3 && m->elems[0].hi == 3 &&
	      m->elems[1].lo == 3 && m->elems[1].hi == 3);

	/* icmp is IPv4 only */
	r = mt(V6, "icmp", 0, &i, sizeof(i));
	CHECK(is_unknown(r, "icmp", 0));

	r = mt(V6, "icmp6", 0, &i6, sizeof(i6));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_ICMPV6_TYPE, 128, 128, false));
	/* no "any" type in IPv6: 255 is a type */
	i6.type = 255;
	i6.invflags = IP6T_ICMP_INV;
	r = mt(V6, "icmp6", 0, &i6, sizeof(i6));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_ICMPV6_TYPE, 255, 255, true));
	r = mt(V4, "icmp6", 0, &i6, sizeof(i6));
	CHECK(is_unknown(r, "icmp6", 0));
}

static void test_multiport(void)
{
	struct xt_multiport m0 = { .flags = XT_MULTIPORT_DESTINATION,
				   .count = 2, .ports = { 80, 443 } };
	struct xt_multiport_v1 m1;
	const struct rs_match *m;
	struct rs_rule *r;

	r = mt(V4, "multiport", 0, &m0, sizeof(m0));
	CHECK_EQ(r->nmatches, 1);
	m = &r->matches[0];
	CHECK(m->op == RS_OP_IN && m->nfields == 1 &&
	      m->fields[0] == RS_F_DPORT && m->nelems == 2);
	CHECK(m->elems[0].lo == 80 && m->elems[0].hi == 80);
	CHECK(m->elems[1].lo == 443 && m->elems[1].hi == 443);

	/* ! --sports 1000:2000,53 */
	memset(&m1, 0, sizeof(m1));
	m1.flags = XT_MULTIPORT_SOURCE;
	m1.count = 3;
	m1.ports[0] = 1000;
	m1.ports[1] = 2000;
	m1.pflags[0] = 1;
	m1.ports[2] = 53;
	m1.invert = 1;
	r = mt(V4, "multiport", 1, &m1, sizeof(m1));
	CHECK_EQ(r->nmatches, 1);
	m = &r->matches[0];
	CHECK(m->op == RS_OP_NOT_IN && m->fields[0] == RS_F_SPORT &&
	      m->nelems == 2);
	CHECK(m->elems[0].lo == 1000 && m->elems[0].hi == 2000);
	CHECK(m->elems[1].lo == 53 && m->elems[1].hi == 53);

	/* --ports 22,8000:8080: sport or dport, as a concatenation */
	memset(&m1, 0, sizeof(m1));
	m1.flags = XT_MULTIPORT_EITHER;
	m1.count = 3;
	m1.ports[0] = 22;
	m1.ports[1] = 8000;
	m1.ports[2] = 8080;
	m1.pflags[1] = 1;
	r = mt(V4, "multiport", 1, &m1, sizeof(m1));
	CHECK_EQ(r->nmatches, 1);
	m = &r->matches[0];
	CHECK(m->op == RS_OP_IN && m->nfields == 2 && m->nelems == 4);
	CHECK(m->fields[0] == RS_F_SPORT && m->fields[1] == RS_F_DPORT);
	CHECK(m->elems[0].lo == 22 && m->elems[0].hi == 22 &&
	      m->elems[1].lo == 0 && m->elems[1].hi == 0xffff);
	CHECK(m->elems[2].lo == 0 && m->elems[2].hi == 0xffff &&
	      m->elems[3].lo == 22 && m->elems[3].hi == 22);
	CHECK(m->elems[4].lo == 8000 && m->elems[4].hi == 8080 &&
	      m->elems[5].hi == 0xffff);
	CHECK(m->elems[7].lo == 8000 && m->elems[7].hi == 8080);

	/* a range whose end is not in the list; a count over 15 */
	m1.pflags[1] = 0;
	m1.pflags[2] = 1;
	r = mt(V4, "multiport", 1, &m1, sizeof(m1));
	CHECK(is_unknown(r, "multiport", 1));
	m0.count = 16;
	r = mt(V4, "multiport", 0, &m0, sizeof(m0));
	CHECK(is_unknown(r, "multiport", 0));
	r = mt(V4, "multiport", 2, &m1, sizeof(m1));
	CHECK(is_unknown(r, "multiport", 2));
	r = mt(V4, "multiport", 1, &m0, sizeof(m0));
	CHECK(is_unknown(r, "multiport", 1));
}

static void test_addrtype(void)
{
	struct xt_addrtype_info a0 = { .dest = XT_ADDRTYPE_LOCAL };
	struct xt_addrtype_info_v1 a1 = {
		.source = XT_ADDRTYPE_LOCAL,
		.dest = XT_ADDRTYPE_BROADCAST | XT_ADDRTYPE_ANYCAST |
			XT_ADDRTYPE_MULTICAST,
		.flags = XT_ADDRTYPE_INVERT_SOURCE |
			 XT_ADDRTYPE_LIMIT_IFACE_IN,
	};
	const struct rs_match *m;
	struct rs_rule *r;

	/* -m addrtype --dst-type LOCAL */
	r = mt(V4, "addrtype", 0, &a0, sizeof(a0));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_FIB_DADDR_TYPE, RTN_LOCAL,
		       RTN_LOCAL, false));
	a0.invert_dest = 1;
	r = mt(V4, "addrtype", 0, &a0, sizeof(a0));
	CHECK(is_range(&r->matches[0], RS_F_FIB_DADDR_TYPE, RTN_LOCAL,
		       RTN_LOCAL, true));
	r = mt(V6, "addrtype", 0, &a0, sizeof(a0));
	CHECK(is_unknown(r, "addrtype", 0));

	r = mt(V6, "addrtype", 1, &a1, sizeof(a1));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_range(&r->matches[0], RS_F_FIB_SADDR_TYPE, RTN_LOCAL,
		       RTN_LOCAL, true));
	CHECK_STR(r->matches[0].text, "addrtype: limit-iface-in");
	m = &r->matches[1];
	CHECK(m->op == RS_OP_IN && m->fields[0] == RS_F_FIB_DADDR_TYPE &&
	      m->nelems == 1 && m->elems[0].lo == RTN_BROADCAST &&
	      m->elems[0].hi == RTN_MULTICAST);
}

static void conntrack_v4(struct xt_conntrack_mtinfo3 *c)
{
	memset(c, 0, sizeof(*c));
}

static void test_conntrack(void)
{
	struct xt_conntrack_mtinfo1 c1;
	struct xt_conntrack_mtinfo2 c2;
	struct xt_conntrack_mtinfo3 c3;
	struct rs_rule *r;

	/* rev 1: --ctstate NEW,ESTABLISHED --ctorigdstport 6379 */
	memset(&c1, 0, sizeof(c1));
	c1.match_flags = XT_CONNTRACK_STATE | XT_CONNTRACK_ORIGDST_PORT;
	c1.state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_NEW) |
			XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED);
	c1.origdst_port = htons(6379);
	r = mt(V4, "conntrack", 1, &c1, sizeof(c1));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_mask(&r->matches[0], RS_F_CT_STATE,
		      RS_CT_STATE_NEW | RS_CT_STATE_ESTABLISHED, 0,
		      RS_OP_MASK_NE));
	CHECK(is_range(&r->matches[1], RS_F_CT_ORIG_DPORT, 6379, 6379,
		       false));

	/* rev 2: ! --ctstate INVALID,UNTRACKED ! --ctstatus ASSURED
	 * --ctexpire 10:20 --ctproto 6 */
	memset(&c2, 0, sizeof(c2));
	c2.match_flags = XT_CONNTRACK_STATE | XT_CONNTRACK_STATUS |
			 XT_CONNTRACK_EXPIRES | XT_CONNTRACK_PROTO;
	c2.invert_flags = XT_CONNTRACK_STATE | XT_CONNTRACK_STATUS;
	c2.state_mask = XT_CONNTRACK_STATE_INVALID |
			XT_CONNTRACK_STATE_UNTRACKED;
	c2.status_mask = IPS_ASSURED;
	c2.expires_min = 10;
	c2.expires_max = 20;
	c2.l4proto = 6;
	r = mt(V4, "conntrack", 2, &c2, sizeof(c2));
	CHECK_EQ(r->nmatches, 4);
	CHECK(is_mask(&r->matches[0], RS_F_CT_STATE,
		      RS_CT_STATE_INVALID | RS_CT_STATE_UNTRACKED, 0,
		      RS_OP_MASK_EQ));
	CHECK(is_other(&r->matches[1], RS_F_OTHER, "conntrack",
		       "conntrack: ctproto 6", false));
	CHECK(is_mask(&r->matches[2], RS_F_CT_STATUS, IPS_ASSURED, 0,
		      RS_OP_MASK_EQ));
	CHECK(is_other(&r->matches[3], RS_F_OTHER, "conntrack",
		       "conntrack: ctexpire 10:20", false));

	/* --ctstate NEW --ctproto 17 --ctorigdstport 53: a NEW packet has
	 * its conntrack's protocol */
	memset(&c2, 0, sizeof(c2));
	c2.match_flags = XT_CONNTRACK_STATE | XT_CONNTRACK_PROTO |
			 XT_CONNTRACK_ORIGDST_PORT;
	c2.state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_NEW);
	c2.l4proto = 17;
	c2.origdst_port = htons(53);
	r = mt(V4, "conntrack", 2, &c2, sizeof(c2));
	CHECK_EQ(r->nmatches, 3);
	CHECK(is_mask(&r->matches[0], RS_F_CT_STATE, RS_CT_STATE_NEW, 0,
		      RS_OP_MASK_NE));
	CHECK(is_range(&r->matches[1], RS_F_L4PROTO, 17, 17, false));
	CHECK(is_range(&r->matches[2], RS_F_CT_ORIG_DPORT, 53, 53, false));
	/* NEW,RELATED: a RELATED ICMP error has the TCP entry */
	c2.state_mask |= XT_CONNTRACK_STATE_BIT(IP_CT_RELATED);
	r = mt(V4, "conntrack", 2, &c2, sizeof(c2));
	CHECK_EQ(r->nmatches, 3);
	CHECK(is_other(&r->matches[1], RS_F_OTHER, "conntrack",
		       "conntrack: ctproto 17", false));
	/* INVALID: packets without an entry skip the other criteria */
	c2.state_mask = XT_CONNTRACK_STATE_INVALID;
	c2.invert_flags = XT_CONNTRACK_ORIGDST_PORT;
	r = mt(V4, "conntrack", 2, &c2, sizeof(c2));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_mask(&r->matches[0], RS_F_CT_STATE, RS_CT_STATE_INVALID, 0,
		      RS_OP_MASK_NE));
	CHECK(is_other(&r->matches[1], RS_F_OTHER, "conntrack",
		       "conntrack: ctproto, ! ctorigdstport (not tested for "
		       "packets without a conntrack entry)", false));
	/* so do they with ! --ctstate NEW */
	c2.match_flags = XT_CONNTRACK_STATE | XT_CONNTRACK_DIRECTION;
	c2.state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_NEW);
	c2.invert_flags = XT_CONNTRACK_STATE | XT_CONNTRACK_DIRECTION;
	r = mt(V4, "conntrack", 2, &c2, sizeof(c2));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_mask(&r->matches[0], RS_F_CT_STATE, RS_CT_STATE_NEW, 0,
		      RS_OP_MASK_EQ));
	CHECK(is_other(&r->matches[1], RS_F_OTHER, "conntrack",
		       "conntrack: ctdir (not tested for packets without a "
		       "conntrack entry)", false));

	/* SNAT/DNAT are ct status bits */
	memset(&c2, 0, sizeof(c2));
	c2.match_flags = XT_CONNTRACK_STATE;
	c2.state_mask = XT_CONNTRACK_STATE_DNAT;
	r = mt(V4, "conntrack", 2, &c2, sizeof(c2));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_mask(&r->matches[0], RS_F_CT_STATUS, IPS_DST_NAT, 0,
		      RS_OP_MASK_NE));
	/* NEW,DNAT is state or status: not a conjunction */
	c2.state_mask |= XT_CONNTRACK_STATE_BIT(IP_CT_NEW);
	r = mt(V4, "conntrack", 2, &c2, sizeof(c2));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_other(&r->matches[0], RS_F_OTHER, "conntrack",
		       "conntrack: ctstate NEW,DNAT", false));
	/* ! --ctstate NEW,SNAT is: not NEW and not SNAT */
	c2.state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_NEW) |
			XT_CONNTRACK_STATE_SNAT;
	c2.invert_flags = XT_CONNTRACK_STATE;
	r = mt(V4, "conntrack", 2, &c2, sizeof(c2));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_mask(&r->matches[0], RS_F_CT_STATE, RS_CT_STATE_NEW, 0,
		      RS_OP_MASK_EQ));
	CHECK(is_mask(&r->matches[1], RS_F_CT_STATUS, IPS_SRC_NAT, 0,
		      RS_OP_MASK_EQ));

	/* rev 3, what Docker documents for DOCKER-USER:
	 * --ctorigdst 198.51.100.0/24 --ctorigdstport 8000:8080
	 * --ctdir ORIGINAL ! --ctorigsrc 10.0.0.0/255.0.255.0 */
	conntrack_v4(&c3);
	c3.match_flags = XT_CONNTRACK_ORIGDST | XT_CONNTRACK_ORIGDST_PORT |
			 XT_CONNTRACK_DIRECTION | XT_CONNTRACK_ORIGSRC;
	c3.invert_flags = XT_CONNTRACK_ORIGSRC;
	c3.origdst_addr.ip = ip4("198.51.100.0");
	c3.origdst_mask.ip = ip4("255.255.255.0");
	c3.origsrc_addr.ip = ip4("10.0.0.0");
	c3.origsrc_mask.ip = ip4("255.0.255.0");
	c3.origdst_port = 8000;
	c3.origdst_port_high = 8080;
	r = mt(V4, "conntrack", 3, &c3, sizeof(c3));
	CHECK_EQ(r->nmatches, 4);
	CHECK(is_range(&r->matches[0], RS_F_CT_DIRECTION, IP_CT_DIR_ORIGINAL,
		       IP_CT_DIR_ORIGINAL, false));
	CHECK(is_mask(&r->matches[1], RS_F_CT_ORIG_SADDR4,
		      ip4h("255.0.255.0"), ip4h("10.0.0.0"), RS_OP_MASK_NE));
	CHECK(is_range(&r->matches[2], RS_F_CT_ORIG_DADDR4,
		       ip4h("198.51.100.0"), ip4h("198.51.100.255"), false));
	CHECK(is_range(&r->matches[3], RS_F_CT_ORIG_DPORT, 8000, 8080,
		       false));

	/* --ctdir REPLY is the invert bit; ! --ctreplsrcport 53 (IPv6) */
	conntrack_v4(&c3);
	c3.match_flags = XT_CONNTRACK_DIRECTION | XT_CONNTRACK_REPLSRC_PORT |
			 XT_CONNTRACK_REPLDST;
	c3.invert_flags = XT_CONNTRACK_DIRECTION | XT_CONNTRACK_REPLSRC_PORT;
	c3.replsrc_port = c3.replsrc_port_high = 53;
	c3.repldst_addr.in6 = ip6("2001:db8::");
	c3.repldst_mask.in6 = ip6("ffff:ffff::");
	r = mt(V6, "conntrack", 3, &c3, sizeof(c3));
	CHECK_EQ(r->nmatches, 3);
	CHECK(is_range(&r->matches[0], RS_F_CT_DIRECTION, IP_CT_DIR_REPLY,
		       IP_CT_DIR_REPLY, false));
	CHECK(is_range(&r->matches[1], RS_F_CT_REPL_DADDR6,
		       ip6h("2001:db8::"),
		       ip6h("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), false));
	CHECK(is_range(&r->matches[2], RS_F_CT_REPL_SPORT, 53, 53, true));

	r = mt(V4, "conntrack", 3, &c3, sizeof(c2));
	CHECK(is_unknown(r, "conntrack", 3));
	r = mt(V4, "conntrack", 0, &c3, sizeof(c3));
	CHECK(is_unknown(r, "conntrack", 0));
	r = mt(NFPROTO_BRIDGE, "conntrack", 3, &c3, sizeof(c3));
	CHECK(is_unknown(r, "conntrack", 3));
}

static void test_state(void)
{
	struct xt_state_info s = {
		.statemask = XT_STATE_BIT(IP_CT_ESTABLISHED) |
			     XT_STATE_BIT(IP_CT_RELATED),
	};
	struct rs_rule *r;

	r = mt(V4, "state", 0, &s, sizeof(s));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_mask(&r->matches[0], RS_F_CT_STATE,
		      RS_CT_STATE_ESTABLISHED | RS_CT_STATE_RELATED, 0,
		      RS_OP_MASK_NE));
	/* ! --state NEW is stored as ~NEW */
	s.statemask = ~(unsigned int)XT_STATE_BIT(IP_CT_NEW);
	r = mt(V4, "state", 0, &s, sizeof(s));
	CHECK(is_mask(&r->matches[0], RS_F_CT_STATE,
		      RS_CT_STATE_INVALID | RS_CT_STATE_ESTABLISHED |
		      RS_CT_STATE_RELATED | RS_CT_STATE_UNTRACKED, 0,
		      RS_OP_MASK_NE));
	s.statemask = XT_STATE_UNTRACKED;
	r = mt(V4, "state", 0, &s, sizeof(s));
	CHECK(is_mask(&r->matches[0], RS_F_CT_STATE, RS_CT_STATE_UNTRACKED,
		      0, RS_OP_MASK_NE));
}

static void test_comment(void)
{
	struct xt_comment_info c;
	struct rs_rule *r = rule();

	memset(&c, 0, sizeof(c));
	strcpy(c.comment, "allow ssh");
	CHECK_EQ(xt_decode_match(r, V4, "comment", 0, &c, sizeof(c)), 0);
	CHECK_EQ(r->nmatches, 0);
	CHECK_STR(r->comment, "allow ssh");
	/* a second comment is appended; control bytes are not kept */
	strcpy(c.comment, "from\tlan");
	CHECK_EQ(xt_decode_match(r, V4, "comment", 0, &c, sizeof(c)), 0);
	CHECK_STR(r->comment, "allow ssh; from?lan");
	/* unterminated, with UTF-8 */
	memset(c.comment, 'x', sizeof(c.comment));
	memcpy(c.comment, "caf\xc3\xa9 \xff", 7);
	r = mt(V4, "comment", 0, &c, sizeof(c));
	CHECK(r->comment && strncmp(r->comment, "caf\xc3\xa9 ?xx", 9) == 0);
	CHECK(r->comment && strlen(r->comment) == 256);
}

static void test_iprange(void)
{
	struct xt_iprange_mtinfo i;
	struct rs_rule *r;

	memset(&i, 0, sizeof(i));
	i.flags = IPRANGE_SRC | IPRANGE_DST | IPRANGE_DST_INV;
	i.src_min.ip = ip4("10.0.0.5");
	i.src_max.ip = ip4("10.0.0.50");
	i.dst_min.ip = ip4("192.168.1.1");
	i.dst_max.ip = ip4("192.168.1.1");
	r = mt(V4, "iprange", 1, &i, sizeof(i));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_range(&r->matches[0], RS_F_IP_SADDR, ip4h("10.0.0.5"),
		       ip4h("10.0.0.50"), false));
	CHECK(is_range(&r->matches[1], RS_F_IP_DADDR, ip4h("192.168.1.1"),
		       ip4h("192.168.1.1"), true));

	memset(&i, 0, sizeof(i));
	i.flags = IPRANGE_SRC | IPRANGE_SRC_INV;
	i.src_min.in6 = ip6("fe80::1");
	i.src_max.in6 = ip6("fe80::ff");
	r = mt(V6, "iprange", 1, &i, sizeof(i));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_IP6_SADDR, ip6h("fe80::1"),
		       ip6h("fe80::ff"), true));

	r = mt(V4, "iprange", 0, &i, sizeof(i));
	CHECK(is_unknown(r, "iprange", 0));
}

static void test_mac_pkttype(void)
{
	struct xt_mac_info m = { .srcaddr = { 0x02, 0, 0, 0, 0x12, 0x34 } };
	struct xt_pkttype_info p = { .pkttype = PACKET_BROADCAST, .invert = 1 };
	struct rs_rule *r;

	r = mt(V4, "mac", 0, &m, sizeof(m));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_ETHER_SADDR, 0x020000001234ULL,
		       0x020000001234ULL, false));
	m.invert = 1;
	r = mt(V6, "mac", 0, &m, sizeof(m));
	CHECK(is_range(&r->matches[0], RS_F_ETHER_SADDR, 0x020000001234ULL,
		       0x020000001234ULL, true));

	r = mt(V4, "pkttype", 0, &p, sizeof(p));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_PKTTYPE, PACKET_BROADCAST,
		       PACKET_BROADCAST, true));
}

/* -m rpfilter: the reverse path exists (and uses the input interface
 * unless --loose); --invert: it does not */
static void test_rpfilter(void)
{
	struct xt_rpfilter_info i = { .flags = XT_RPFILTER_INVERT };
	struct rs_rule *r;

	r = mt(V4, "rpfilter", 0, &i, sizeof(i));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_FIB_SADDR_IIF_OIF, 0, 0, false));
	i.flags = XT_RPFILTER_LOOSE | XT_RPFILTER_ACCEPT_LOCAL;
	r = mt(V6, "rpfilter", 0, &i, sizeof(i));
	CHECK(is_range(&r->matches[0], RS_F_FIB_SADDR_OIF, 0, 0, true));
	i.flags = 0x80;
	r = mt(V4, "rpfilter", 0, &i, sizeof(i));
	CHECK(is_unknown(r, "rpfilter", 0));
}

static void test_set(void)
{
	struct xt_set_info_match_v0 s0;
	struct xt_set_info_match_v1 s1;
	struct xt_set_info_match_v3 s3;
	struct xt_set_info_match_v4 s4;
	struct rs_rule *r;

	/* rev 0: --match-set x src,dst */
	memset(&s0, 0, sizeof(s0));
	s0.match_set.index = 3;
	s0.match_set.u.flags[0] = IPSET_SRC;
	s0.match_set.u.flags[1] = IPSET_DST;
	r = mt(V4, "set", 0, &s0, sizeof(s0));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_other(&r->matches[0], RS_F_IPSET, "set",
		       "match-set index 3 src,dst", false));
	/* what the engine decides it with (ipset.c's contents) */
	CHECK(r->matches[0].value == 3);
	CHECK(r->matches[0].mask == (RS_IPSET_M_VALID |
				     ((rs_u128)2 << RS_IPSET_M_DIM_SHIFT) |
				     IPSET_DIM_ONE_SRC));
	s0.match_set.u.flags[0] |= IPSET_MATCH_INV;
	r = mt(V4, "set", 0, &s0, sizeof(s0));
	CHECK(is_other(&r->matches[0], RS_F_IPSET, "set",
		       "match-set index 3 src,dst", true));

	/* rev 1 and 2 share a layout */
	memset(&s1, 0, sizeof(s1));
	s1.match_set.index = 7;
	s1.match_set.dim = 1;
	s1.match_set.flags = IPSET_DIM_ONE_SRC;
	r = mt(V4, "set", 1, &s1, sizeof(s1));
	CHECK(is_other(&r->matches[0], RS_F_IPSET, "set",
		       "match-set index 7 src", false));
	CHECK_EQ(r->matches[0].revision, 1);
	s1.match_set.flags = IPSET_INV_MATCH | IPSET_RETURN_NOMATCH;
	r = mt(V4, "set", 2, &s1, sizeof(s1));
	CHECK(is_other(&r->matches[0], RS_F_IPSET, "set",
		       "match-set index 7 dst return-nomatch", true));
	CHECK(r->matches[0].mask & RS_IPSET_M_RETURN_NOMATCH);
	CHECK(!(r->matches[0].mask & RS_IPSET_M_COUNTERS));
	s1.match_set.dim = 0;
	r = mt(V4, "set", 1, &s1, sizeof(s1));
	CHECK(is_unknown(r, "set", 1));

	memset(&s3, 0, sizeof(s3));
	s3.match_set.index = 1;
	s3.match_set.dim = 2;
	s3.match_set.flags = IPSET_DIM_TWO_SRC;
	s3.packets.op = IPSET_COUNTER_GT;
	s3.packets.value = 10;
	s3.flags = IPSET_FLAG_SKIP_COUNTER_UPDATE;
	r = mt(V4, "set", 3, &s3, sizeof(s3));
	CHECK(is_other(&r->matches[0], RS_F_IPSET, "set",
		       "match-set index 1 dst,src no-update-counters "
		       "packets-gt 10", false));
	/* counters compared stay undecided; skipping their update does
	 * not change the verdict */
	CHECK(r->matches[0].mask & RS_IPSET_M_COUNTERS);
	CHECK((r->matches[0].mask & RS_IPSET_M_SRC_MASK) == IPSET_DIM_TWO_SRC);
	s3.bytes.op = 9;
	r = mt(V4, "set", 3, &s3, sizeof(s3));
	CHECK(is_unknown(r, "set", 3));

	memset(&s4, 0, sizeof(s4));
	s4.match_set.index = 2;
	s4.match_set.dim = 1;
	s4.bytes.op = IPSET_COUNTER_LT;
	s4.bytes.value = 1000;
	r = mt(V6, "set", 4, &s4, sizeof(s4));
	CHECK(is_other(&r->matches[0], RS_F_IPSET, "set",
		       "match-set index 2 dst bytes-lt 1000", false));
	r = mt(V6, "set", 5, &s4, sizeof(s4));
	CHECK(is_unknown(r, "set", 5));
	r = mt(V6, "set", 4, &s4, sizeof(s1));
	CHECK(is_unknown(r, "set", 4));
}

static void test_limit_recent_statistic(void)
{
	struct xt_rateinfo l;
	struct xt_recent_mtinfo_v1 rc;
	struct xt_statistic_info st;
	struct rs_rule *r;

	/* iptables: avg = XT_LIMIT_SCALE * unit / rate */
	memset(&l, 0, sizeof(l));
	l.avg = XT_LIMIT_SCALE * 60 / 3;
	l.burst = 5;
	r = mt(V4, "limit", 0, &l, sizeof(l));
	CHECK(is_other(&r->matches[0], RS_F_OTHER, "limit",
		       "limit: avg 3/minute burst 5", false));
	l.avg = XT_LIMIT_SCALE / 10;
	l.burst = 20;
	r = mt(V4, "limit", 0, &l, sizeof(l));
	CHECK(is_other(&r->matches[0], RS_F_OTHER, "limit",
		       "limit: avg 10/second burst 20", false));
	l.avg = XT_LIMIT_SCALE * 3600 / 7;
	r = mt(V4, "limit", 0, &l, sizeof(l));
	CHECK(is_other(&r->matches[0], RS_F_OTHER, "limit",
		       "limit: avg 7/hour burst 20", false));

	/* --rcheck --seconds 60 --hitcount 4 --name SSH --rsource */
	memset(&rc, 0, sizeof(rc));
	rc.check_set = XT_RECENT_CHECK;
	rc.seconds = 60;
	rc.hit_count = 4;
	strcpy(rc.name, "SSH");
	rc.side = XT_RECENT_SOURCE;
	rc.mask.ip = 0xffffffff;
	r = mt(V4, "recent", 1, &rc, sizeof(rc));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_other(&r->matches[0], RS_F_OTHER, "recent",
		       "recent: rcheck seconds 60 hitcount 4 name SSH "
		       "mask 255.255.255.255 rsource", false));
	r = mt(V4, "recent", 0, &rc, sizeof(struct xt_recent_mtinfo));
	CHECK(is_other(&r->matches[0], RS_F_OTHER, "recent",
		       "recent: rcheck seconds 60 hitcount 4 name SSH rsource",
		       false));
	/* --set always matches: a side effect */
	rc.check_set = XT_RECENT_SET;
	rc.seconds = rc.hit_count = 0;
	r = mt(V4, "recent", 0, &rc, sizeof(struct xt_recent_mtinfo));
	CHECK_EQ(r->nmatches, 0);
	CHECK(is_stmt(r, 0, "recent", "recent: set name SSH rsource"));
	rc.invert = 1;
	r = mt(V4, "recent", 0, &rc, sizeof(struct xt_recent_mtinfo));
	CHECK(is_other(&r->matches[0], RS_F_OTHER, "recent",
		       "recent: set name SSH rsource", true));
	rc.check_set = XT_RECENT_SET | XT_RECENT_CHECK;
	r = mt(V4, "recent", 0, &rc, sizeof(struct xt_recent_mtinfo));
	CHECK(is_unknown(r, "recent", 0));

	memset(&st, 0, sizeof(st));
	st.mode = XT_STATISTIC_MODE_RANDOM;
	st.u.random.probability = 0x40000000;
	r = mt(V4, "statistic", 0, &st, sizeof(st));
	CHECK(is_other(&r->matches[0], RS_F_OTHER, "statistic",
		       "statistic: mode random probability 0.50000000000",
		       false));
	st.mode = XT_STATISTIC_MODE_NTH;
	st.flags = XT_STATISTIC_INVERT;
	st.u.nth.every = 2;
	st.u.nth.packet = 1;
	r = mt(V4, "statistic", 0, &st, sizeof(st));
	CHECK(is_other(&r->matches[0], RS_F_OTHER, "statistic",
		       "statistic: mode nth every 3 packet 1", true));
	st.mode = 2;
	r = mt(V4, "statistic", 0, &st, sizeof(st));
	CHECK(is_unknown(r, "statistic", 0));
}

static void test_mark_physdev_owner(void)
{
	struct xt_mark_mtinfo1 mk = { .mark = 0x10, .mask = 0xf0 };
	struct xt_connmark_mtinfo1 cm = { .mark = 1, .mask = 0xffffffff,
					  .invert = 1 };
	struct xt_physdev_info p;
	struct xt_owner_match_info o;
	struct rs_rule *r;
	char name[RS_IFNAMSIZ + 1];

	r = mt(V4, "mark", 1, &mk, sizeof(mk));
	CHECK(is_mask(&r->matches[0], RS_F_MARK, 0xf0, 0x10, RS_OP_MASK_EQ));
	r = mt(V4, "mark", 0, &mk, sizeof(mk));
	CHECK(is_unknown(r, "mark", 0));
	r = mt(V4, "connmark", 1, &cm, sizeof(cm));
	CHECK(is_mask(&r->matches[0], RS_F_CT_MARK, 0xffffffff, 1,
		      RS_OP_MASK_NE));

	/* --physdev-in veth+ ! --physdev-out eth0 --physdev-is-bridged */
	memset(&p, 0, sizeof(p));
	strcpy(p.physindev, "veth");
	memset(p.in_mask, 0xff, 4);
	strcpy(p.physoutdev, "eth0");
	memset(p.out_mask, 0xff, 5);
	p.bitmask = XT_PHYSDEV_OP_IN | XT_PHYSDEV_OP_OUT |
		    XT_PHYSDEV_OP_BRIDGED;
	p.invert = XT_PHYSDEV_OP_OUT;
	r = mt(V4, "physdev", 0, &p, sizeof(p));
	CHECK_EQ(r->nmatches, 3);
	CHECK(is_range(&r->matches[0], RS_F_PHYSDEV_IN,
		       rs_ifname_interval("veth", true).lo,
		       rs_ifname_interval("veth", true).hi, false));
	CHECK(is_range(&r->matches[1], RS_F_PHYSDEV_OUT, rs_ifname_key("eth0"),
		       rs_ifname_key("eth0"), true));
	rs_ifname_str(r->matches[1].elems[0].lo, name);
	CHECK_STR(name, "eth0");
	CHECK(is_other(&r->matches[2], RS_F_OTHER, "physdev",
		       "physdev: physdev-is-bridged", false));

	/* --uid-owner 1000-1999 ! --gid-owner 100 --suppl-groups */
	memset(&o, 0, sizeof(o));
	o.match = XT_OWNER_UID | XT_OWNER_GID | XT_OWNER_SUPPL_GROUPS;
	o.invert = XT_OWNER_GID;
	o.uid_min = 1000;
	o.uid_max = 1999;
	o.gid_min = o.gid_max = 100;
	r = mt(V4, "owner", 1, &o, sizeof(o));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_range(&r->matches[0], RS_F_SKUID, 1000, 1999, false));
	CHECK(is_other(&r->matches[1], RS_F_OTHER, "owner",
		       "owner: gid-owner 100-100 suppl-groups", true));
	o.match = XT_OWNER_GID | XT_OWNER_SOCKET;
	o.invert = 0;
	r = mt(V4, "owner", 1, &o, sizeof(o));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_other(&r->matches[0], RS_F_OTHER, "owner",
		       "owner: socket-exists", false));
	CHECK(is_range(&r->matches[1], RS_F_SKGID, 100, 100, false));
	o.match = 0x80;
	r = mt(V4, "owner", 1, &o, sizeof(o));
	CHECK(is_unknown(r, "owner", 1));
}

/* ebtables' ip and ip6 (bridge family compat matches of ebtables-nft):
 * -p IPv4 ! --ip-src 10.77.0.0/16 --ip-proto tcp --ip-dport 80, and
 * -p IPv6 --ip6-src fd00:77::/64; TOS, a value outside its mask and
 * another family are unknown */
static void test_ebt_ip(void)
{
	struct ebt_ip_info ip;
	struct ebt_ip6_info ip6;
	struct rs_rule *r;

	memset(&ip, 0, sizeof(ip));
	ip.saddr = htonl(0x0a4d0000);
	ip.smsk = htonl(0xffff0000);
	ip.protocol = IPPROTO_TCP;
	ip.bitmask = EBT_IP_SOURCE | EBT_IP_PROTO | EBT_IP_DPORT;
	ip.invflags = EBT_IP_SOURCE;
	ip.dport[0] = ip.dport[1] = 80;
	r = mt(NFPROTO_BRIDGE, "ip", 0, &ip, sizeof(ip));
	CHECK_EQ(r->nmatches, 3);
	CHECK(is_range(&r->matches[0], RS_F_IP_SADDR, 0x0a4d0000, 0x0a4dffff,
		       true));
	CHECK(is_range(&r->matches[1], RS_F_L4PROTO, IPPROTO_TCP, IPPROTO_TCP,
		       false));
	CHECK(is_range(&r->matches[2], RS_F_DPORT, 80, 80, false));
	r = mt(V4, "ip", 0, &ip, sizeof(ip));
	CHECK(is_unknown(r, "ip", 0));
	ip.saddr = htonl(0x0a4d0001);	/* outside the mask: never matches */
	r = mt(NFPROTO_BRIDGE, "ip", 0, &ip, sizeof(ip));
	CHECK(is_unknown(r, "ip", 0));
	ip.saddr = htonl(0x0a4d0000);
	ip.bitmask |= EBT_IP_TOS;
	r = mt(NFPROTO_BRIDGE, "ip", 0, &ip, sizeof(ip));
	CHECK(is_unknown(r, "ip", 0));

	memset(&ip6, 0, sizeof(ip6));
	inet_pton(AF_INET6, "fd00:77::", &ip6.saddr);
	memset(&ip6.smsk, 0xff, 8);
	ip6.bitmask = EBT_IP6_SOURCE;
	r = mt(NFPROTO_BRIDGE, "ip6", 0, &ip6, sizeof(ip6));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_IP6_SADDR,
		       (rs_u128)0xfd000077u << 96,
		       ((rs_u128)0xfd000077u << 96) | ~(~(rs_u128)0 << 64),
		       false));
}

static void test_unknown_match(void)
{
	unsigned char blob[40] = { 0 };
	struct rs_rule *r;

	r = mt(V4, "hashlimit", 3, blob, sizeof(blob));
	CHECK(is_unknown(r, "hashlimit", 3));
	CHECK_STR(r->matches[0].text, "hashlimit: match not decoded");
	r = mt(V4, "tcp", 0, blob, 0);
	CHECK(is_unknown(r, "tcp", 0));
	CHECK_STR(r->matches[0].text,
		  "tcp: blob size does not match the kernel struct");
	r = mt(V4, "state", 1, blob, 4);
	CHECK(is_unknown(r, "state", 1));
	CHECK_STR(r->matches[0].text, "state: revision or family not decoded");
}

/* ------------------------------------------------------------------ */
/* Header fields the sender chooses */

#define BIT(n)	((rs_u128)1 << (n))

static bool is_never(const struct rs_rule *r, enum rs_field f)
{
	const struct rs_match *m = &r->matches[0];

	return r->nmatches == 1 && m->op == RS_OP_IN && m->nfields == 1 &&
	       m->fields[0] == f && m->nelems == 0 && !m->set;
}

static void test_ttl_hl_length(void)
{
	static const struct {
		uint8_t family;
		uint8_t mode, value;
		bool never;
		rs_u128 lo, hi;
		bool invert;
	} cases[] = {
		{ V4, IPT_TTL_EQ, 64, false, 64, 64, false },
		{ V4, IPT_TTL_NE, 64, false, 64, 64, true },
		{ V4, IPT_TTL_LT, 5, false, 0, 4, false },
		{ V4, IPT_TTL_GT, 5, false, 6, 255, false },
		{ V4, IPT_TTL_LT, 0, true, 0, 0, false },
		{ V4, IPT_TTL_GT, 255, true, 0, 0, false },
		{ V6, IP6T_HL_EQ, 255, false, 255, 255, false },
		{ V6, IP6T_HL_NE, 1, false, 1, 1, true },
		{ V6, IP6T_HL_LT, 2, false, 0, 1, false },
		{ V6, IP6T_HL_GT, 254, false, 255, 255, false },
	};
	struct xt_length_info l = { 0 };
	struct ipt_ttl_info t;
	struct ip6t_hl_info h;
	struct rs_rule *r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (cases[i].family == V4) {
			t.mode = cases[i].mode;
			t.ttl = cases[i].value;
			r = mt(V4, "ttl", 0, &t, sizeof(t));
		} else {
			h.mode = cases[i].mode;
			h.hop_limit = cases[i].value;
			r = mt(V6, "hl", 0, &h, sizeof(h));
		}
		if (cases[i].never) {
			CHECK(is_never(r, RS_F_IP_TTL));
			continue;
		}
		CHECK_EQ(r->nmatches, 1);
		CHECK(is_range(&r->matches[0], RS_F_IP_TTL, cases[i].lo,
			       cases[i].hi, cases[i].invert));
	}
	t.mode = 4;
	r = mt(V4, "ttl", 0, &t, sizeof(t));
	CHECK(is_unknown(r, "ttl", 0));
	r = mt(V6, "ttl", 0, &t, sizeof(t));
	CHECK(is_unknown(r, "ttl", 0));

	/* -m length --length 0:28, ! --length 1000:65535 */
	l.min = 0;
	l.max = 28;
	r = mt(V4, "length", 0, &l, sizeof(l));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_IP_LENGTH, 0, 28, false));
	l.min = 1000;
	l.max = 65535;
	l.invert = 1;
	r = mt(V6, "length", 0, &l, sizeof(l));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_IP_LENGTH, 1000, 65535, true));
	/* an empty range: never, or always inverted */
	l.min = 10;
	l.max = 5;
	r = mt(V4, "length", 0, &l, sizeof(l));
	CHECK_EQ(r->nmatches, 0);
	l.invert = 0;
	r = mt(V4, "length", 0, &l, sizeof(l));
	CHECK(is_never(r, RS_F_IP_LENGTH));
	l.invert = 2;
	r = mt(V4, "length", 0, &l, sizeof(l));
	CHECK(is_unknown(r, "length", 0));
}

static void test_tos_dscp_ecn(void)
{
	struct xt_dscp_info d = { .dscp = 8 };
	struct xt_tos_match_info t = { 0 };
	struct { __u8 tos, invert; } t0 = { 0x10, 1 };
	struct xt_ecn_info e = { 0 };
	struct rs_rule *r;

	/* -m dscp --dscp 8 (cs1), ! --dscp 46 */
	r = mt(V4, "dscp", 0, &d, sizeof(d));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_mask(&r->matches[0], RS_F_IP_TOS, 0xfc, 0x20, RS_OP_MASK_EQ));
	d.dscp = 46;
	d.invert = 1;
	r = mt(V6, "dscp", 0, &d, sizeof(d));
	CHECK(is_mask(&r->matches[0], RS_F_IP_TOS, 0xfc, 0xb8, RS_OP_MASK_NE));
	d.dscp = 0x40;
	r = mt(V4, "dscp", 0, &d, sizeof(d));
	CHECK(is_unknown(r, "dscp", 0));

	/* -m tos --tos 0x10/0x3f, ! --tos Minimize-Delay (rev 0) */
	t.tos_mask = 0x3f;
	t.tos_value = 0x10;
	r = mt(V4, "tos", 1, &t, sizeof(t));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_mask(&r->matches[0], RS_F_IP_TOS, 0x3f, 0x10, RS_OP_MASK_EQ));
	t.invert = 1;
	r = mt(V6, "tos", 1, &t, sizeof(t));
	CHECK(is_mask(&r->matches[0], RS_F_IP_TOS, 0x3f, 0x10, RS_OP_MASK_NE));
	r = mt(V4, "tos", 0, &t0, sizeof(t0));
	CHECK(is_mask(&r->matches[0], RS_F_IP_TOS, 0xff, 0x10, RS_OP_MASK_NE));
	r = mt(V6, "tos", 0, &t0, sizeof(t0));
	CHECK(is_unknown(r, "tos", 0));

	/* -m ecn --ecn-ip-ect 1 --ecn-tcp-ece ! --ecn-tcp-cwr */
	e.operation = XT_ECN_OP_MATCH_IP | XT_ECN_OP_MATCH_ECE |
		      XT_ECN_OP_MATCH_CWR;
	e.invert = XT_ECN_OP_MATCH_CWR;
	e.ip_ect = 1;
	r = mt(V4, "ecn", 0, &e, sizeof(e));
	CHECK_EQ(r->nmatches, 3);
	CHECK(is_mask(&r->matches[0], RS_F_IP_TOS, 0x03, 0x01, RS_OP_MASK_EQ));
	CHECK(is_mask(&r->matches[1], RS_F_TCP_FLAGS, 0x40, 0, RS_OP_MASK_NE));
	CHECK(is_mask(&r->matches[2], RS_F_TCP_FLAGS, 0x80, 0, RS_OP_MASK_EQ));
	/* ! --ecn-ip-ect 3 alone */
	e.operation = XT_ECN_OP_MATCH_IP;
	e.invert = XT_ECN_OP_MATCH_IP;
	e.ip_ect = 3;
	r = mt(V6, "ecn", 0, &e, sizeof(e));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_mask(&r->matches[0], RS_F_IP_TOS, 0x03, 0x03, RS_OP_MASK_NE));
	e.operation = 0x02;
	r = mt(V4, "ecn", 0, &e, sizeof(e));
	CHECK(is_unknown(r, "ecn", 0));
}

static void test_tcp_options_mss(void)
{
	static const struct {
		uint8_t kind;
		bool invert;
		enum rs_field f;
		enum rs_op op;
		rs_u128 a, b;	/* interval, or mask and value */
	} cases[] = {
		{ 8, false, RS_F_TCP_OPTIONS, RS_OP_MASK_EQ, BIT(8), BIT(8) },
		{ 8, true, RS_F_TCP_OPTIONS, RS_OP_MASK_EQ, BIT(8), 0 },
		{ 4, false, RS_F_TCP_OPTIONS, RS_OP_MASK_EQ, BIT(4), BIT(4) },
		{ 127, true, RS_F_TCP_OPTIONS, RS_OP_MASK_EQ, BIT(127), 0 },
		{ 2, false, RS_F_TCP_MSS, RS_OP_IN, 0, 0xffff },
		{ 2, true, RS_F_TCP_MSS, RS_OP_IN, RS_ABSENT, RS_ABSENT },
	};
	struct xt_tcp t = { .spts = { 0, 0xffff }, .dpts = { 0, 0xffff } };
	struct xt_tcpmss_match_info m = { .mss_min = 536, .mss_max = 65535 };
	struct rs_rule *r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		t.option = cases[i].kind;
		t.invflags = cases[i].invert ? XT_TCP_INV_OPTION : 0;
		r = mt(V4, "tcp", 0, &t, sizeof(t));
		CHECK_EQ(r->nmatches, 1);
		if (cases[i].op == RS_OP_IN)
			CHECK(is_range(&r->matches[0], cases[i].f, cases[i].a,
				       cases[i].b, false));
		else
			CHECK(is_mask(&r->matches[0], cases[i].f, cases[i].a,
				      cases[i].b, cases[i].op));
	}
	/* kinds from 128 do not fit the bit map */
	t.option = 200;
	t.invflags = XT_TCP_INV_OPTION;
	r = mt(V6, "tcp", 0, &t, sizeof(t));
	CHECK(is_other(&r->matches[0], RS_F_OTHER, "tcp", "tcp: option 200",
		       true));

	/* -m tcpmss ! --mss 536:65535: no MSS option matches too */
	m.invert = 1;
	r = mt(V4, "tcpmss", 0, &m, sizeof(m));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_TCP_MSS, 536, 65535, true));
	m.invert = 0;
	m.mss_min = m.mss_max = 1460;
	r = mt(V6, "tcpmss", 0, &m, sizeof(m));
	CHECK(is_range(&r->matches[0], RS_F_TCP_MSS, 1460, 1460, false));
	m.mss_min = 1461;
	r = mt(V4, "tcpmss", 0, &m, sizeof(m));
	CHECK(is_never(r, RS_F_TCP_MSS));
	m.invert = 1;
	r = mt(V4, "tcpmss", 0, &m, sizeof(m));
	CHECK(is_range(&r->matches[0], RS_F_TCP_MSS, 0, RS_ABSENT, false));
}

static void test_ip6_headers(void)
{
	const rs_u128 all6 = BIT(0) | BIT(44) | BIT(50) | BIT(51) | BIT(59) |
			     BIT(60);
	struct ip6t_rt rt;
	struct ip6t_frag fr;
	struct ip6t_opts o;
	struct ip6t_mh mh = { .types = { 0, 0xff } };
	struct ip6t_ipv6header_info h;
	const struct rs_match *m;
	struct rs_rule *r;

	/* ufw: -m rt --rt-type 0 -j DROP */
	memset(&rt, 0, sizeof(rt));
	rt.segsleft[1] = 0xffffffff;
	rt.flags = IP6T_RT_TYP;
	r = mt(V6, "rt", 0, &rt, sizeof(rt));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_IP6_RT_TYPE, 0, 0, false));
	/* ! --rt-type 2: a routing header of another type */
	rt.rt_type = 2;
	rt.invflags = IP6T_RT_INV_TYP;
	r = mt(V6, "rt", 0, &rt, sizeof(rt));
	m = &r->matches[0];
	CHECK_EQ(r->nmatches, 1);
	CHECK(m->op == RS_OP_NOT_IN && m->fields[0] == RS_F_IP6_RT_TYPE &&
	      m->nelems == 2 && m->elems[0].lo == 2 && m->elems[0].hi == 2 &&
	      m->elems[1].lo == RS_ABSENT && m->elems[1].hi == RS_ABSENT);
	/* plain -m rt, with a header length the sender picks */
	rt.flags = IP6T_RT_LEN;
	rt.hdrlen = 24;
	rt.invflags = 0;
	r = mt(V6, "rt", 0, &rt, sizeof(rt));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_IP6_RT_TYPE, 0, 0xff, false));
	rt.hdrlen = 5;		/* never a multiple of 8 */
	r = mt(V6, "rt", 0, &rt, sizeof(rt));
	CHECK(is_never(r, RS_F_IP6_RT_TYPE));
	/* --rt-segsleft 1:5: a delivered packet has none left */
	rt.flags = IP6T_RT_SGS;
	rt.segsleft[0] = 1;
	rt.segsleft[1] = 5;
	r = mt(V6, "rt", 0, &rt, sizeof(rt));
	CHECK(is_never(r, RS_F_IP6_RT_TYPE));
	rt.invflags = IP6T_RT_INV_SGS;
	r = mt(V6, "rt", 0, &rt, sizeof(rt));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_range(&r->matches[0], RS_F_IP6_RT_TYPE, 0, 0xff, false));
	/* --rt-type 0 --rt-0-addrs: the address list is not decided */
	memset(&rt, 0, sizeof(rt));
	rt.segsleft[1] = 0xffffffff;
	rt.flags = IP6T_RT_TYP | IP6T_RT_FST;
	rt.addrnr = 2;
	r = mt(V6, "rt", 0, &rt, sizeof(rt));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_range(&r->matches[0], RS_F_IP6_RT_TYPE, 0, 0, false));
	CHECK(is_other(&r->matches[1], RS_F_OTHER, "rt",
		       "rt: 2 addresses, strict", false));
	r = mt(V4, "rt", 0, &rt, sizeof(rt));
	CHECK(is_unknown(r, "rt", 0));

	/* -m frag --fragfirst --fraglast: the header only */
	memset(&fr, 0, sizeof(fr));
	fr.ids[1] = 0xffffffff;
	fr.flags = IP6T_FRAG_FST | IP6T_FRAG_NMF;
	r = mt(V6, "frag", 0, &fr, sizeof(fr));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_mask(&r->matches[0], RS_F_IP6_EXTHDRS, BIT(44), BIT(44),
		      RS_OP_MASK_EQ));
	/* --fragmore: reassembled before the filter hooks */
	fr.flags = IP6T_FRAG_MF;
	r = mt(V6, "frag", 0, &fr, sizeof(fr));
	CHECK(is_never(r, RS_F_IP6_EXTHDRS));
	/* ! --fragid 0:4294967295 */
	fr.flags = IP6T_FRAG_IDS;
	fr.invflags = IP6T_FRAG_INV_IDS;
	r = mt(V6, "frag", 0, &fr, sizeof(fr));
	CHECK(is_never(r, RS_F_IP6_EXTHDRS));
	fr.ids[0] = 7;
	r = mt(V6, "frag", 0, &fr, sizeof(fr));
	CHECK(is_mask(&r->matches[0], RS_F_IP6_EXTHDRS, BIT(44), BIT(44),
		      RS_OP_MASK_EQ));

	/* -m hbh, -m dst --dst-len 8, --hbh-opts 1:2 */
	memset(&o, 0, sizeof(o));
	r = mt(V6, "hbh", 0, &o, sizeof(o));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_mask(&r->matches[0], RS_F_IP6_EXTHDRS, BIT(0), BIT(0),
		      RS_OP_MASK_EQ));
	o.flags = IP6T_OPTS_LEN;
	o.hdrlen = 8;
	r = mt(V6, "dst", 0, &o, sizeof(o));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_mask(&r->matches[0], RS_F_IP6_EXTHDRS, BIT(60), BIT(60),
		      RS_OP_MASK_EQ));
	o.flags = IP6T_OPTS_OPTS;
	o.opts[0] = 1 << 8 | 2;
	o.optsnr = 1;
	r = mt(V6, "hbh", 0, &o, sizeof(o));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_other(&r->matches[1], RS_F_OTHER, "hbh", "hbh: options 1:2",
		       false));

	/* -p ipv6-mh -m mh --mh-type 1 */
	mh.types[0] = mh.types[1] = 1;
	r = mt(V6, "mh", 0, &mh, sizeof(mh));
	CHECK(is_range(&r->matches[0], RS_F_L4PROTO, IPPROTO_MH, IPPROTO_MH,
		       false));

	/* -m ipv6header --header frag --soft */
	memset(&h, 0, sizeof(h));
	h.matchflags = MASK_FRAGMENT;
	h.modeflag = 1;
	r = mt(V6, "ipv6header", 0, &h, sizeof(h));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_mask(&r->matches[0], RS_F_IP6_EXTHDRS, BIT(44), BIT(44),
		      RS_OP_MASK_EQ));
	/* ! --header hop-by-hop,ipv6-route --soft: both absent */
	h.matchflags = MASK_HOPOPTS | MASK_ROUTING;
	h.invflags = 0xff;
	r = mt(V6, "ipv6header", 0, &h, sizeof(h));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_mask(&r->matches[0], RS_F_IP6_EXTHDRS, BIT(0), 0,
		      RS_OP_MASK_EQ));
	CHECK(is_range(&r->matches[1], RS_F_IP6_RT_TYPE, RS_ABSENT, RS_ABSENT,
		       false));
	/* hard: exactly hop-by-hop, routing and the transport header */
	h.matchflags = MASK_HOPOPTS | MASK_ROUTING | MASK_PROTO;
	h.invflags = 0;
	h.modeflag = 0;
	r = mt(V6, "ipv6header", 0, &h, sizeof(h));
	CHECK_EQ(r->nmatches, 2);
	CHECK(is_mask(&r->matches[0], RS_F_IP6_EXTHDRS, all6, BIT(0),
		      RS_OP_MASK_EQ));
	CHECK(is_range(&r->matches[1], RS_F_IP6_RT_TYPE, 0, 0xff, false));
	/* hard without the transport header: never a probe */
	h.matchflags = MASK_FRAGMENT;
	r = mt(V6, "ipv6header", 0, &h, sizeof(h));
	CHECK(is_never(r, RS_F_IP6_EXTHDRS));
	/* hard, inverted: always, or a disjunction */
	h.invflags = 0xff;
	r = mt(V6, "ipv6header", 0, &h, sizeof(h));
	CHECK_EQ(r->nmatches, 0);
	h.matchflags = MASK_FRAGMENT | MASK_PROTO;
	r = mt(V6, "ipv6header", 0, &h, sizeof(h));
	CHECK(is_other(&r->matches[0], RS_F_OTHER, "ipv6header",
		       "ipv6header: not exactly 0x11", false));
	h.invflags = 0x10;
	r = mt(V6, "ipv6header", 0, &h, sizeof(h));
	CHECK(is_unknown(r, "ipv6header", 0));
}

static void test_ipv4options(void)
{
	struct { __u16 map, invert; __u8 flags; } o = { 0 };
	struct rs_rule *r;

	/* --flags ssrr,!rr: SSRR (137 & 31 = 9) present, RR (7) absent */
	o.map = 1 << 9 | 1 << 7;
	o.invert = 1 << 7;
	r = mt(V4, "ipv4options", 0, &o, sizeof(o));
	CHECK_EQ(r->nmatches, 1);
	CHECK(is_mask(&r->matches[0], RS_F_IP_OPTIONS, BIT(9) | BIT(7), BIT(9),
		      RS_OP_MASK_EQ));
	/* --any: one of them */
	o.flags = 2;
	o.invert = 0;
	r = mt(V4, "ipv4options", 0, &o, sizeof(o));
	CHECK(is_mask(&r->matches[0], RS_F_IP_OPTIONS, BIT(9) | BIT(7), 0,
		      RS_OP_MASK_NE));
	o.invert = o.map;
	r = mt(V4, "ipv4options", 0, &o, sizeof(o));
	CHECK(is_mask(&r->matches[0], RS_F_IP_OPTIONS, BIT(9) | BIT(7),
		      BIT(9) | BIT(7), RS_OP_MASK_NE));
	o.invert = 1 << 7;
	r = mt(V4, "ipv4options", 0, &o, sizeof(o));
	CHECK(r->matches[0].op == RS_OP_OTHER &&
	      r->matches[0].fields[0] == RS_F_OTHER);
	o.flags = 4;
	r = mt(V4, "ipv4options", 0, &o, sizeof(o));
	CHECK(is_unknown(r, "ipv4options", 0));
}

static void test_helpers(void)
{
	unsigned char mask[RS_IFNAMSIZ] = { 0 };
	char name[RS_IFNAMSIZ] = { 0 };
	uint32_t a = ip4("192.0.2.1"), m = ip4("255.255.255.255");
	struct in6_addr a6 = ip6("2001:db8::1"), m6 = ip6("::");
	struct rs_rule *r = rule();

	CHECK_EQ(xt_add_addr_match(r, RS_F_IP_SADDR, &a, &m, 4, false), 0);
	CHECK(is_range(&r->matches[0], RS_F_IP_SADDR, ip4h("192.0.2.1"),
		       ip4h("192.0.2.1"), false));
	m = 0;
	CHECK_EQ(xt_add_addr_match(r, RS_F_IP_SADDR, &a, &m, 4, false), 0);
	CHECK_EQ(r->nmatches, 1);
	CHECK_EQ(xt_add_addr_match(r, RS_F_IP_SADDR, &a, &m, 4, true), 0);
	CHECK(is_range(&r->matches[1], RS_F_IP_SADDR, 0, 0xffffffffu, true));
	CHECK_EQ(xt_add_addr_match(r, RS_F_IP6_DADDR, &a6, &m6, 16, false), 0);
	CHECK_EQ(r->nmatches, 2);
	m6 = ip6("ffff:ffff:ffff:ffff::");
	CHECK_EQ(xt_add_addr_match(r, RS_F_IP6_DADDR, &a6, &m6, 16, true), 0);
	CHECK(is_range(&r->matches[2], RS_F_IP6_DADDR, ip6h("2001:db8::"),
		       ip6h("2001:db8::ffff:ffff:ffff:ffff"), true));
	CHECK_EQ(xt_add_addr_match(r, RS_F_IP6_DADDR, &a6, &m6, 8, true),
		 -EINVAL);

	r = rule();
	/* -i eth0: the mask covers the NUL */
	strcpy(name, "eth0");
	memset(mask, 0xff, 5);
	CHECK_EQ(xt_add_ifname_match(r, RS_F_IIFNAME, name, mask, false), 0);
	CHECK(is_range(&r->matches[0], RS_F_IIFNAME, rs_ifname_key("eth0"),
		       rs_ifname_key("eth0"), false));
	/* ! -o br-+ */
	memset(name, 0, sizeof(name));
	memset(mask, 0, sizeof(mask));
	strcpy(name, "br-");
	memset(mask, 0xff, 3);
	CHECK_EQ(xt_add_ifname_match(r, RS_F_OIFNAME, name, mask, true), 0);
	CHECK(is_range(&r->matches[1], RS_F_OIFNAME,
		       rs_ifname_interval("br-", true).lo,
		       rs_ifname_interval("br-", true).hi, true));
	/* no interface; "! -i +" */
	memset(mask, 0, sizeof(mask));
	CHECK_EQ(xt_add_ifname_match(r, RS_F_IIFNAME, name, mask, false), 0);
	CHECK_EQ(r->nmatches, 2);
	CHECK_EQ(xt_add_ifname_match(r, RS_F_IIFNAME, name, mask, true), 0);
	CHECK(is_range(&r->matches[2], RS_F_IIFNAME, 0, ~(rs_u128)0, true));
	/* a 16-character name with no NUL is exact when fully masked */
	memcpy(name, "abcdefghijklmnop", 16);
	memset(mask, 0xff, 16);
	CHECK_EQ(xt_add_ifname_match(r, RS_F_IIFNAME, name, mask, false), 0);
	CHECK(is_range(&r->matches[3], RS_F_IIFNAME,
		       rs_ifname_key("abcdefghijklmnop"),
		       rs_ifname_key("abcdefghijklmnop"), false));
	/* a mask iptables never writes */
	memset(mask, 0, sizeof(mask));
	mask[0] = 0xff;
	mask[2] = 0x0f;
	CHECK_EQ(xt_add_ifname_match(r, RS_F_IIFNAME, name, mask, false), 0);
	CHECK(is_mask(&r->matches[4], RS_F_IIFNAME,
		      (rs_u128)0xff000f << 104,
		      ((rs_u128)'a' << 120) | ((rs_u128)('c' & 0x0f) << 104),
		      RS_OP_MASK_EQ));
}

/* ------------------------------------------------------------------ */
/* Targets */

static void test_nat(void)
{
	struct nf_nat_ipv4_multi_range_compat c;
	struct nf_nat_range n1;
	struct nf_nat_range2 n2;
	struct rs_rule *r;

	/* -j DNAT --to-destination 172.17.0.2:6379 (rev 0) */
	memset(&c, 0, sizeof(c));
	c.rangesize = 1;
	c.range[0].flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	c.range[0].min_ip = c.range[0].max_ip = ip4("172.17.0.2");
	c.range[0].min.tcp.port = c.range[0].max.tcp.port = htons(6379);
	r = tg(V4, "DNAT", 0, &c, sizeof(c));
	CHECK_EQ(r->verdict.kind, RS_V_DNAT);
	CHECK_EQ(r->verdict.nat.family, V4);
	CHECK(r->verdict.nat.has_addr && r->verdict.nat.has_port);
	CHECK(r->verdict.nat.addr_lo == ip4h("172.17.0.2") &&
	      r->verdict.nat.addr_hi == ip4h("172.17.0.2"));
	CHECK_EQ(r->verdict.nat.port_lo, 6379);
	CHECK_EQ(r->verdict.nat.port_hi, 6379);
	r = tg(V4, "SNAT", 0, &c, XT_ALIGN(sizeof(c)));
	CHECK_EQ(r->verdict.kind, RS_V_SNAT);
	c.rangesize = 2;
	r = tg(V4, "DNAT", 0, &c, sizeof(c));
	CHECK(is_other_target(r, "DNAT", 0));
	r = tg(V6, "DNAT", 0, &c, sizeof(c));
	CHECK(is_other_target(r, "DNAT", 0));

	/* rev 1, IPv6: --to-destination [2001:db8::2]-[2001:db8::9] */
	memset(&n1, 0, sizeof(n1));
	n1.flags = NF_NAT_RANGE_MAP_IPS;
	n1.min_addr.in6 = ip6("2001:db8::2");
	n1.max_addr.in6 = ip6("2001:db8::9");
	r = tg(V6, "DNAT", 1, &n1, sizeof(n1));
	CHECK_EQ(r->verdict.kind, RS_V_DNAT);
	CHECK_EQ(r->verdict.nat.family, V6);
	CHECK(r->verdict.nat.has_addr && !r->verdict.nat.has_port);
	CHECK(r->verdict.nat.addr_lo == ip6h("2001:db8::2") &&
	      r->verdict.nat.addr_hi == ip6h("2001:db8::9"));
	r = tg(V4, "SNAT", 1, &n1, sizeof(n1));
	CHECK_EQ(r->verdict.kind, RS_V_SNAT);

	/* rev 2: --to-source 192.0.2.1:1024-2048 --random */
	memset(&n2, 0, sizeof(n2));
	n2.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED |
		   NF_NAT_RANGE_PROTO_RANDOM;
	n2.min_addr.ip = n2.max_addr.ip = ip4("192.0.2.1");
	n2.min_proto.all = htons(1024);
	n2.max_proto.all = htons(2048);
	r = tg(V4, "SNAT", 2, &n2, sizeof(n2));
	CHECK_EQ(r->verdict.kind, RS_V_SNAT);
	CHECK_EQ(r->verdict.nat.flags, n2.flags);
	CHECK_EQ(r->verdict.nat.port_lo, 1024);
	CHECK_EQ(r->verdict.nat.port_hi, 2048);
	CHECK(r->verdict.nat.addr_lo == ip4h("192.0.2.1"));
	r = tg(V6, "DNAT", 2, &n2, sizeof(n2));
	CHECK_EQ(r->verdict.kind, RS_V_DNAT);
	/* a port offset (--to ...:a-b/base) has no place in the model */
	n2.flags |= NF_NAT_RANGE_PROTO_OFFSET;
	r = tg(V4, "DNAT", 2, &n2, sizeof(n2));
	CHECK(is_other_target(r, "DNAT", 2));
	r = tg(V4, "DNAT", 3, &n2, sizeof(n2));
	CHECK(is_other_target(r, "DNAT", 3));
	r = tg(V4, "DNAT", 2, &n2, sizeof(n1));
	CHECK(is_other_target(r, "DNAT", 2));

	/* MASQUERADE --to-ports 1024-65535; REDIRECT --to-ports 8080 */
	memset(&c, 0, sizeof(c));
	c.rangesize = 1;
	c.range[0].flags = NF_NAT_RANGE_PROTO_SPECIFIED;
	c.range[0].min.all = htons(1024);
	c.range[0].max.all = htons(65535);
	r = tg(V4, "MASQUERADE", 0, &c, sizeof(c));
	CHECK_EQ(r->verdict.kind, RS_V_MASQUERADE);
	CHECK(!r->verdict.nat.has_addr && r->verdict.nat.has_port);
	CHECK_EQ(r->verdict.nat.port_hi, 65535);
	memset(&n1, 0, sizeof(n1));
	r = tg(V6, "MASQUERADE", 0, &n1, sizeof(n1));
	CHECK_EQ(r->verdict.kind, RS_V_MASQUERADE);
	CHECK(!r->verdict.nat.has_addr && !r->verdict.nat.has_port);
	c.range[0].min.all = c.range[0].max.all = htons(8080);
	r = tg(V4, "REDIRECT", 0, &c, sizeof(c));
	CHECK_EQ(r->verdict.kind, RS_V_REDIRECT);
	CHECK_EQ(r->verdict.nat.port_lo, 8080);
	n1.flags = NF_NAT_RANGE_PROTO_SPECIFIED;
	n1.min_proto.all = n1.max_proto.all = htons(3128);
	r = tg(V6, "REDIRECT", 0, &n1, sizeof(n1));
	CHECK_EQ(r->verdict.kind, RS_V_REDIRECT);
	CHECK_EQ(r->verdict.nat.port_lo, 3128);
	CHECK_EQ(r->verdict.nat.family, V6);
}

static void test_reject_queue_tproxy(void)
{
	struct ipt_reject_info r4 = { .with = IPT_TCP_RESET };
	struct ip6t_reject_info r6 = { .with = IP6T_ICMP6_ADM_PROHIBITED };
	struct xt_NFQ_info q0 = { .queuenum = 5 };
	struct xt_NFQ_info_v1 q1 = { .queuenum = 2, .queues_total = 4 };
	struct xt_NFQ_info_v2 q2 = { .queuenum = 1, .queues_total = 1,
				     .bypass = 1 };
	struct xt_NFQ_info_v3 q3 = { .queuenum = 0, .queues_total = 2,
				     .flags = NFQ_FLAG_BYPASS |
					      NFQ_FLAG_CPU_FANOUT };
	struct xt_tproxy_target_info t0 = { .mark_mask = 0x1, .mark_value = 0x1,
					    .lport = htons(3129) };
	struct xt_tproxy_target_info_v1 t1;
	struct rs_rule *r;

	r = tg(V4, "REJECT", 0, &r4, sizeof(r4));
	CHECK_EQ(r->verdict.kind, RS_V_REJECT);
	CHECK_STR(r->verdict.name, "tcp-reset");
	r4.with = IPT_ICMP_HOST_PROHIBITED;
	r = tg(V4, "REJECT", 0, &r4, sizeof(r4));
	CHECK_STR(r->verdict.name, "icmp-host-prohibited");
	r = tg(V6, "REJECT", 0, &r6, sizeof(r6));
	CHECK_EQ(r->verdict.kind, RS_V_REJECT);
	CHECK_STR(r->verdict.name, "icmp6-adm-prohibited");
	r6.with = 42;
	r = tg(V6, "REJECT", 0, &r6, sizeof(r6));
	CHECK(is_other_target(r, "REJECT", 0));

	r = tg(V4, "NFQUEUE", 0, &q0, sizeof(q0));
	CHECK_EQ(r->verdict.kind, RS_V_QUEUE);
	CHECK_EQ(r->verdict.queue_num, 5);
	CHECK(!r->verdict.queue_bypass && !r->verdict.name);
	r = tg(V4, "NFQUEUE", 1, &q1, sizeof(q1));
	CHECK_EQ(r->verdict.queue_num, 2);
	CHECK_STR(r->verdict.name, "queue-balance 2:5");
	r = tg(V4, "NFQUEUE", 2, &q2, sizeof(q2));
	CHECK(r->verdict.queue_bypass && !r->verdict.name);
	r = tg(V6, "NFQUEUE", 3, &q3, sizeof(q3));
	CHECK(r->verdict.queue_bypass);
	CHECK_STR(r->verdict.name, "queue-balance 0:1 queue-cpu-fanout");
	r = tg(V6, "NFQUEUE", 4, &q3, sizeof(q3));
	CHECK(is_other_target(r, "NFQUEUE", 4));

	r = tg(V4, "TPROXY", 0, &t0, sizeof(t0));
	CHECK_EQ(r->verdict.kind, RS_V_TPROXY);
	CHECK(!r->verdict.nat.has_addr && r->verdict.nat.has_port);
	CHECK_EQ(r->verdict.nat.port_lo, 3129);
	CHECK(is_stmt(r, 0, "TPROXY", "tproxy-mark 0x1/0x1"));
	CHECK(r->stmts[0].sets_mark && r->stmts[0].mark_mask == 1 &&
	      r->stmts[0].mark_value == 1);
	memset(&t1, 0, sizeof(t1));
	t1.laddr.in6 = ip6("::1");
	t1.lport = htons(50080);
	r = tg(V6, "TPROXY", 1, &t1, sizeof(t1));
	CHECK_EQ(r->verdict.kind, RS_V_TPROXY);
	CHECK_EQ(r->nstmts, 0);
	CHECK(r->verdict.nat.has_addr && r->verdict.nat.addr_lo == 1);
	r = tg(V6, "TPROXY", 0, &t0, sizeof(t0));
	CHECK(is_other_target(r, "TPROXY", 0));
}

static void test_stmt_targets(void)
{
	struct xt_log_info l;
	struct xt_nflog_info nl;
	struct xt_mark_tginfo2 mk = { .mark = 0x100, .mask = 0xff00 };
	struct xt_connmark_tginfo1 c1 = { .ctmask = 0xffffffff,
					  .nfmask = 0xffffffff,
					  .mode = XT_CONNMARK_SAVE };
	struct xt_connmark_tginfo2 c2 = { .ctmask = 0xff, .nfmask = 0xff,
					  .mode = XT_CONNMARK_RESTORE,
					  .shift_dir = D_SHIFT_LEFT,
					  .shift_bits = 8 };
	struct xt_ct_target_info ct0;
	struct xt_ct_target_info_v1 ct1;
	struct xt_tcpmss_info mss = { .mss = XT_TCPMSS_CLAMP_PMTU };
	struct xt_CHECKSUM_info ck = { .operation = XT_CHECKSUM_OP_FILL };
	struct rs_rule *r;

	memset(&l, 0, sizeof(l));
	l.level = 4;
	l.logflags = XT_LOG_TCPOPT | XT_LOG_UID;
	strcpy(l.prefix, "[UFW BLOCK] ");
	r = tg(V4, "LOG", 0, &l, sizeof(l));
	CHECK_EQ(r->verdict.kind, RS_V_NONE);
	CHECK(is_stmt(r, 0, "LOG",
		      "level 4 prefix \"[UFW BLOCK] \" tcp-options uid"));

	memset(&nl, 0, sizeof(nl));
	nl.group = 2;
	nl.threshold = 1;
	nl.flags = XT_NFLOG_F_COPY_LEN;
	nl.len = 128;
	strcpy(nl.prefix, "drop");
	r = tg(V6, "NFLOG", 0, &nl, sizeof(nl));
	CHECK_EQ(r->verdict.kind, RS_V_NONE);
	CHECK(is_stmt(r, 0, "NFLOG", "group 2 prefix \"drop\" size 128 "
		      "threshold 1"));

	r = tg(V4, "MARK", 2, &mk, sizeof(mk));
	CHECK_EQ(r->verdict.kind, RS_V_NONE);
	CHECK(is_stmt(r, 0, "MARK", "set-xmark 0x100/0xff00"));
	CHECK(r->stmts[0].sets_mark && r->stmts[0].mark_mask == 0xff00 &&
	      r->stmts[0].mark_value == 0x100);
	/* old revisions change the mark in ways not decoded: not a stmt the
	 * engine could trust */
	r = tg(V4, "MARK", 0, &mk, sizeof(mk));
	CHECK(is_other_target(r, "MARK", 0));

	r = tg(V4, "CONNMARK", 1, &c1, sizeof(c1));
	CHECK(is_stmt(r, 0, "CONNMARK",
		      "save-mark nfmask 0xffffffff ctmask ~0xffffffff"));
	CHECK(!r->stmts[0].sets_mark);
	r = tg(V4, "CONNMARK", 2, &c2, sizeof(c2));
	CHECK(is_stmt(r, 0, "CONNMARK", "restore-mark ctmask 0xff nfmask ~0xff "
		      "left-shift-bits 8"));
	c2.mode = 7;
	r = tg(V4, "CONNMARK", 2, &c2, sizeof(c2));
	CHECK(is_other_target(r, "CONNMARK", 2));

	/* -j CT --notrack, -j NOTRACK, -j CT --helper ftp --zone 3 */
	memset(&ct0, 0, sizeof(ct0));
	ct0.flags = XT_CT_NOTRACK | XT_CT_NOTRACK_ALIAS;
	r = tg(V4, "CT", 0, &ct0, sizeof(ct0));
	CHECK(is_stmt(r, 0, "NOTRACK", "CT --notrack"));
	r = tg(V4, "NOTRACK", 0, NULL, 0);
	CHECK(is_stmt(r, 0, "NOTRACK", NULL));
	CHECK_EQ(r->verdict.kind, RS_V_NONE);
	memset(&ct1, 0, sizeof(ct1));
	ct1.zone = 3;
	strcpy(ct1.helper, "ftp");
	strcpy(ct1.timeout, "short");
	r = tg(V6, "CT", 2, &ct1, sizeof(ct1));
	CHECK(is_stmt(r, 0, "CT", "zone 3 helper ftp timeout short"));
	r = tg(V6, "CT", 1, &ct1, sizeof(ct0));
	CHECK(is_other_target(r, "CT", 1));

	r = tg(V4, "TCPMSS", 0, &mss, sizeof(mss));
	CHECK(is_stmt(r, 0, "TCPMSS", "clamp-mss-to-pmtu"));
	mss.mss = 1400;
	r = tg(V4, "TCPMSS", 0, &mss, sizeof(mss));
	CHECK(is_stmt(r, 0, "TCPMSS", "set-mss 1400"));
	r = tg(V4, "CHECKSUM", 0, &ck, sizeof(ck));
	CHECK(is_stmt(r, 0, "CHECKSUM", "checksum-fill"));
	r = tg(V4, "TRACE", 0, NULL, 0);
	CHECK(is_stmt(r, 0, "TRACE", NULL));
	r = tg(V4, "TRACE", 0, &ck, 8);
	CHECK(is_other_target(r, "TRACE", 0));

	/* side effects only, not decoded: still non-terminal */
	r = tg(V4, "TTL", 0, &ck, 4);
	CHECK(is_stmt(r, 0, "TTL", NULL));
	CHECK_EQ(r->verdict.kind, RS_V_NONE);
}

static void test_set_target_ulog(void)
{
	struct xt_set_info_target_v0 s0;
	struct xt_set_info_target_v1 s1;
	struct xt_set_info_target_v2 s2;
	struct xt_set_info_target_v3 s3;
	struct {
		unsigned int nl_group;
		size_t copy_range, qthreshold;
		char prefix[32];
	} ul = { .nl_group = 1 << 2, .prefix = "u" };
	struct rs_rule *r;

	memset(&s0, 0, sizeof(s0));
	s0.add_set.index = 4;
	s0.add_set.u.flags[0] = IPSET_SRC;
	s0.del_set.index = IPSET_INVALID_ID;
	r = tg(V4, "SET", 0, &s0, sizeof(s0));
	CHECK(is_stmt(r, 0, "SET", "add-set index 4 src"));
	CHECK_EQ(r->verdict.kind, RS_V_NONE);

	memset(&s1, 0, sizeof(s1));
	s1.add_set.index = IPSET_INVALID_ID;
	s1.del_set.index = 2;
	s1.del_set.dim = 2;
	s1.del_set.flags = IPSET_DIM_ONE_SRC;
	r = tg(V4, "SET", 1, &s1, sizeof(s1));
	CHECK(is_stmt(r, 0, "SET", "del-set index 2 src,dst"));

	memset(&s2, 0, sizeof(s2));
	s2.add_set.index = 1;
	s2.add_set.dim = 1;
	s2.del_set.index = IPSET_INVALID_ID;
	s2.flags = IPSET_FLAG_EXIST;
	s2.timeout = 600;
	r = tg(V4, "SET", 2, &s2, sizeof(s2));
	CHECK(is_stmt(r, 0, "SET", "add-set index 1 dst exist timeout 600"));

	memset(&s3, 0, sizeof(s3));
	s3.add_set.index = s3.del_set.index = IPSET_INVALID_ID;
	s3.map_set.index = 9;
	s3.map_set.dim = 1;
	s3.map_set.flags = IPSET_DIM_ONE_SRC;
	s3.flags = IPSET_FLAG_MAP_SKBMARK;
	r = tg(V4, "SET", 3, &s3, sizeof(s3));
	CHECK(is_stmt(r, 0, "SET", "map-set index 9 src map-mark"));

	r = tg(V4, "ULOG", 0, &ul, sizeof(ul));
	CHECK(is_stmt(r, 0, "ULOG", "nlgroup 3 prefix \"u\""));
}

static void test_unknown_target(void)
{
	unsigned char blob[64] = { 0 };
	struct rs_rule *r;

	r = tg(V4, "NETMAP", 0, blob, 36);
	CHECK(is_other_target(r, "NETMAP", 0));
	r = tg(V6, "SYNPROXY", 0, blob, 8);
	CHECK(is_other_target(r, "SYNPROXY", 0));
	r = tg(V4, "LOG", 1, blob, 32);
	CHECK(is_other_target(r, "LOG", 1));
	r = tg(V4, "LOG", 0, blob, 31);
	CHECK(is_other_target(r, "LOG", 0));
	/* the standard target is the reader's business */
	r = tg(V4, "", 0, blob, 4);
	CHECK(is_other_target(r, "", 0));
}

int main(void)
{
	rs = ruleset_new();
	if (!rs)
		return 1;
	chain = ruleset_add_chain(rs, RS_ORIGIN_LEGACY, V4, "filter", "T");
	if (!chain)
		return 1;

	test_tcp();
	test_udp_sctp();
	test_icmp();
	test_multiport();
	test_addrtype();
	test_conntrack();
	test_state();
	test_comment();
	test_iprange();
	test_mac_pkttype();
	test_rpfilter();
	test_set();
	test_limit_recent_statistic();
	test_mark_physdev_owner();
	test_unknown_match();
	test_ebt_ip();
	test_ttl_hl_length();
	test_tos_dscp_ecn();
	test_tcp_options_mss();
	test_ip6_headers();
	test_ipv4options();
	test_helpers();
	test_nat();
	test_reject_queue_tproxy();
	test_stmt_targets();
	test_set_target_ulog();
	test_unknown_target();

	ruleset_free(rs);
	return unit_done();
}
