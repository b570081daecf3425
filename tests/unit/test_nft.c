// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nft.c - the nftables reader, replayed from netlink dumps recorded in
 * real network namespaces (tests/fixtures/nft, see record.sh there).
 *
 *	test_nft			run the tests
 *	test_nft --record		dump this namespace's ruleset (with
 *					FWAUDIT_NFT_RECORD=path: record it)
 *	test_nft --print FILE.rec	print what a recording decodes to
 *
 * It includes the reader's parts (nft.c, nft_expr.c, nft_sets.c) to craft
 * recordings (genid changes, interrupted dumps) with the reader's own
 * record format.
 */
#include "../../auditd/readers/nft.c"
#include "../../auditd/readers/nft_expr.c"
#include "../../auditd/readers/nft_sets.c"

#include <limits.h>

#include "rsprint.h"
#include "unit.h"
#include "util.h"


#define IP4(a, b, c, d)	((rs_u128)(((uint32_t)(a) << 24) | ((b) << 16) | \
				   ((c) << 8) | (d)))

static char fixture_dir[4096];

static const char *dirname_of(const char *path)
{
	static char buf[4096];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", path);
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(buf, sizeof(buf), ".");
	return buf;
}

static void fixture_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", fixture_dir, name);
}

static struct ruleset *load(const char *name)
{
	struct ruleset *rs = ruleset_new();
	char path[4200];
	int ret;

	fixture_path(path, sizeof(path), name);
	ret = nft_replay_ruleset(rs, path);
	CHECK_EQ(ret, 0);
	if (ret < 0) {
		fprintf(stderr, "replay %s: %s\n", path, strerror(-ret));
		ruleset_free(rs);
		return NULL;
	}
	return rs;
}

static const struct rs_chain *chain(const struct ruleset *rs, uint8_t family,
				    const char *table, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nchains; i++)
		if (rs->chains[i].family == family &&
		    !strcmp(rs->chains[i].table, table) &&
		    !strcmp(rs->chains[i].name, name))
			return &rs->chains[i];
	fprintf(stderr, "no chain %s %s\n", table, name);
	return NULL;
}

static const struct rs_set *set(const struct ruleset *rs, const char *table,
				const char *name)
{
	size_t i;

	for (i = 0; i < rs->nsets; i++)
		if (!strcmp(rs->sets[i]->table, table) &&
		    !strcmp(rs->sets[i]->name, name))
			return rs->sets[i];
	return NULL;
}

/* Match m is "field in [lo, hi]" (or not in, with op RS_OP_NOT_IN). */
static int is_range(const struct rs_match *m, enum rs_field f, rs_u128 lo,
		    rs_u128 hi, enum rs_op op)
{
	return m->op == op && m->nfields == 1 && m->fields[0] == f &&
	       !m->set && m->nelems == 1 && m->elems[0].lo == lo &&
	       m->elems[0].hi == hi;
}

#define CHECK_RANGE(r, i, f, lo, hi) \
	CHECK((r)->nmatches > (i) && \
	      is_range(&(r)->matches[i], f, lo, hi, RS_OP_IN))
#define CHECK_NOT_RANGE(r, i, f, lo, hi) \
	CHECK((r)->nmatches > (i) && \
	      is_range(&(r)->matches[i], f, lo, hi, RS_OP_NOT_IN))

static void check_iv(const struct rs_interval *iv, rs_u128 lo, rs_u128 hi,
		     int line)
{
	unit_checks++;
	if (iv->lo != lo || iv->hi != hi) {
		unit_failures++;
		fprintf(stderr, "%s:%d: interval 0x%llx-0x%llx, expected "
			"0x%llx-0x%llx\n", __FILE__, line,
			(unsigned long long)iv->lo, (unsigned long long)iv->hi,
			(unsigned long long)lo, (unsigned long long)hi);
	}
}

#define CHECK_IV(iv, lo, hi)	check_iv(iv, lo, hi, __LINE__)

static void test_inet(void)
{
	struct ruleset *rs = load("inet.rec");
	const struct rs_chain *in, *web;
	const struct rs_rule *r;
	const struct rs_set *s;
	const struct rs_match *m;

	if (!rs)
		return;
	CHECK_EQ(rs->nsources, 1);
	CHECK_STR(rs->sources[0].name, "nftables");
	CHECK(rs->sources[0].present);
	CHECK_EQ(rs->sources[0].error, 0);
	CHECK(rs->nft_genid != 0);

	in = chain(rs, NFPROTO_INET, "filter", "input");
	web = chain(rs, NFPROTO_INET, "filter", "web");
	CHECK(in && web);
	if (!in || !web)
		goto out;
	CHECK(in->base);
	CHECK_EQ(in->origin, RS_ORIGIN_NFT);
	CHECK_EQ(in->hook, NF_INET_LOCAL_IN);
	CHECK_EQ(in->priority, 0);
	CHECK_EQ(in->policy, RS_V_DROP);
	CHECK_STR(in->type, "filter");
	CHECK(!web->base);
	CHECK_EQ(in->nrules, 23);
	if (in->nrules != 23)
		goto out;

	/* ct state established,related accept */
	r = &in->rules[0];
	CHECK_EQ(r->position, 1);
	CHECK(r->has_handle);
	CHECK_EQ(r->nmatches, 1);
	m = &r->matches[0];
	CHECK(m->op == RS_OP_IN && m->fields[0] == RS_F_CT_STATE &&
	      m->nelems == 2);
	if (m->nelems == 2) {
		CHECK_IV(&m->elems[0], RS_CT_STATE_ESTABLISHED,
			 RS_CT_STATE_ESTABLISHED);
		CHECK_IV(&m->elems[1], RS_CT_STATE_RELATED,
			 RS_CT_STATE_RELATED);
	}
	CHECK_EQ(r->verdict.kind, RS_V_ACCEPT);
	/* ct state invalid drop */
	r = &in->rules[1];
	CHECK_RANGE(r, 0, RS_F_CT_STATE, RS_CT_STATE_INVALID,
		    RS_CT_STATE_INVALID);
	CHECK_EQ(r->verdict.kind, RS_V_DROP);
	/* iifname "lo" accept */
	r = &in->rules[2];
	CHECK_RANGE(r, 0, RS_F_IIFNAME, rs_ifname_key("lo"),
		    rs_ifname_key("lo"));
	/* iifname "eth*" tcp dport 22 accept */
	r = &in->rules[3];
	CHECK_EQ(r->nmatches, 3);
	CHECK_RANGE(r, 0, RS_F_IIFNAME, rs_ifname_interval("eth", true).lo,
		    rs_ifname_interval("eth", true).hi);
	CHECK_RANGE(r, 1, RS_F_L4PROTO, IPPROTO_TCP, IPPROTO_TCP);
	CHECK_RANGE(r, 2, RS_F_DPORT, 22, 22);
	/* ip saddr 10.0.0.0/8 tcp dport { 80, 443 }: a one-byte load */
	r = &in->rules[4];
	CHECK_EQ(r->nmatches, 4);
	CHECK_RANGE(r, 0, RS_F_NFPROTO, NFPROTO_IPV4, NFPROTO_IPV4);
	CHECK_RANGE(r, 1, RS_F_IP_SADDR, IP4(10, 0, 0, 0),
		    IP4(10, 255, 255, 255));
	m = &r->matches[3];
	CHECK(m->op == RS_OP_IN && m->nfields == 1 &&
	      m->fields[0] == RS_F_DPORT && m->set && !m->elems);
	if (m->set) {
		CHECK(!strncmp(m->set->name, "__set", 5));
		CHECK_EQ(m->set->nelems, 2);
		CHECK_EQ(m->set->nfields, 1);
		CHECK_EQ(m->set->widths[0], 2);
		if (m->set->nelems == 2) {
			CHECK_IV(&m->set->elems[0], 80, 80);
			CHECK_IV(&m->set->elems[1], 443, 443);
		}
	}
	/* ip saddr 10.12.0.0/14: load + bitwise + cmp */
	CHECK_RANGE(&in->rules[5], 1, RS_F_IP_SADDR, IP4(10, 12, 0, 0),
		    IP4(10, 15, 255, 255));
	/* ip saddr @allowed: an rbtree interval set */
	r = &in->rules[6];
	m = &r->matches[1];
	s = set(rs, "filter", "allowed");
	CHECK(s && m->set == s && m->fields[0] == RS_F_IP_SADDR);
	if (s) {
		CHECK(s->flags & NFT_SET_INTERVAL);
		CHECK_EQ(s->key_len, 4);
		CHECK_EQ(s->nelems, 3);
		if (s->nelems == 3) {
			CHECK_IV(&s->elems[0], IP4(10, 0, 0, 0),
				 IP4(10, 255, 255, 255));
			CHECK_IV(&s->elems[1], IP4(172, 16, 0, 0),
				 IP4(172, 16, 0, 255));
			CHECK_IV(&s->elems[2], IP4(192, 168, 1, 1),
				 IP4(192, 168, 1, 1));
		}
	}
	/* ip saddr . meta l4proto . th dport @svc: a concatenation */
	r = &in->rules[7];
	m = &r->matches[1];
	s = set(rs, "filter", "svc");
	CHECK(s && m->set == s && m->nfields == 3);
	CHECK(m->fields[0] == RS_F_IP_SADDR && m->fields[1] == RS_F_L4PROTO &&
	      m->fields[2] == RS_F_DPORT);
	if (s) {
		CHECK_EQ(s->nfields, 3);
		CHECK(s->widths[0] == 4 && s->widths[1] == 1 &&
		      s->widths[2] == 2);
		CHECK_EQ(s->nelems, 2);
		if (s->nelems == 2) {
			CHECK_IV(&s->elems[0], IP4(10, 1, 1, 1),
				 IP4(10, 1, 1, 1));
			CHECK_IV(&s->elems[1], IPPROTO_TCP, IPPROTO_TCP);
			CHECK_IV(&s->elems[2], 22, 22);
			CHECK_IV(&s->elems[3], IP4(10, 1, 1, 2),
				 IP4(10, 1, 1, 2));
			CHECK_IV(&s->elems[4], IPPROTO_UDP, IPPROTO_UDP);
			CHECK_IV(&s->elems[5], 53, 53);
		}
	}
	/* ip saddr . tcp dport @cc: concatenated intervals (KEY_END) */
	r = &in->rules[8];
	s = set(rs, "filter", "cc");
	CHECK(s && r->nmatches == 3 && r->matches[2].set == s);
	if (s && s->nelems == 1) {
		CHECK_IV(&s->elems[0], IP4(10, 0, 0, 0), IP4(10, 0, 0, 255));
		CHECK_IV(&s->elems[1], 1000, 2000);
	} else {
		CHECK(0);
	}
	/* tcp dport vmap @portmap */
	r = &in->rules[9];
	s = set(rs, "filter", "portmap");
	CHECK_EQ(r->verdict.kind, RS_V_VMAP);
	CHECK(s && r->verdict.map.set == s && r->verdict.map.nfields == 1 &&
	      r->verdict.map.fields[0] == RS_F_DPORT);
	CHECK_EQ(r->nmatches, 1);	/* l4proto; the map is the verdict */
	if (s && s->nelems == 3 && s->data) {
		CHECK_IV(&s->elems[0], 22, 22);
		CHECK_EQ(s->data[0].verdict.kind, RS_V_ACCEPT);
		CHECK_IV(&s->elems[1], 23, 23);
		CHECK_EQ(s->data[1].verdict.kind, RS_V_DROP);
		CHECK_IV(&s->elems[2], 8080, 8080);
		CHECK_EQ(s->data[2].verdict.kind, RS_V_JUMP);
		CHECK_STR(s->data[2].verdict.chain, "web");
	} else {
		CHECK(0);
	}
	/* tcp dport 1000-2000 counter drop: cmp gte + cmp lte, merged */
	r = &in->rules[10];
	CHECK_EQ(r->nmatches, 2);
	CHECK_RANGE(r, 1, RS_F_DPORT, 1000, 2000);
	CHECK(r->nstmts == 1 && !strcmp(r->stmts[0].name, "counter"));
	CHECK_EQ(r->verdict.kind, RS_V_DROP);
	/* tcp dport > 5000 */
	CHECK_RANGE(&in->rules[11], 1, RS_F_DPORT, 5001, 65535);
	/* meta mark and 0xff == 0x1 */
	r = &in->rules[12];
	CHECK(r->nmatches == 1 && r->matches[0].op == RS_OP_MASK_EQ &&
	      r->matches[0].fields[0] == RS_F_MARK &&
	      r->matches[0].mask == 0xff && r->matches[0].value == 1);
	/* meta mark set 0x5 */
	r = &in->rules[13];
	CHECK_EQ(r->nmatches, 0);
	CHECK(r->nstmts == 1 && r->stmts[0].sets_mark &&
	      r->stmts[0].mark_mask == 0xffffffff &&
	      r->stmts[0].mark_value == 5);
	CHECK_EQ(r->verdict.kind, RS_V_NONE);
	/* fib daddr type local meta l4proto tcp ct original proto-dst 8080 */
	r = &in->rules[14];
	CHECK_EQ(r->nmatches, 3);
	CHECK_RANGE(r, 0, RS_F_FIB_DADDR_TYPE, 2 /* RTN_LOCAL */, 2);
	CHECK_RANGE(r, 2, RS_F_CT_ORIG_DPORT, 8080, 8080);
	/* ip saddr 1.1.1.1 ip daddr 2.2.2.2 */
	r = &in->rules[15];
	CHECK_RANGE(r, 1, RS_F_IP_SADDR, IP4(1, 1, 1, 1), IP4(1, 1, 1, 1));
	CHECK_RANGE(r, 2, RS_F_IP_DADDR, IP4(2, 2, 2, 2), IP4(2, 2, 2, 2));
	/* tcp flags & (syn|ack) == syn log prefix "syn " limit rate ... */
	r = &in->rules[16];
	CHECK_EQ(r->nmatches, 3);
	if (r->nmatches == 3) {
		m = &r->matches[1];
		CHECK(m->op == RS_OP_MASK_EQ && m->fields[0] == RS_F_TCP_FLAGS &&
		      m->mask == 0x12 && m->value == 0x02);
		m = &r->matches[2];
		CHECK(m->op == RS_OP_OTHER && m->fields[0] == RS_F_OTHER);
		CHECK_STR(m->name, "limit");
		CHECK_STR(m->text, "rate 10/second burst 5 packets");
	}
	CHECK(r->nstmts == 1 && !strcmp(r->stmts[0].name, "log"));
	if (r->nstmts == 1)
		CHECK_STR(r->stmts[0].text, "prefix \"syn \"");
	/* udp dport { 1-10, 20-30, 40 } reject with icmpx admin-prohibited */
	r = &in->rules[17];
	CHECK_EQ(r->verdict.kind, RS_V_REJECT);
	CHECK_STR(r->verdict.name, "icmpx-admin-prohibited");
	m = &r->matches[1];
	CHECK(m->set && m->set->nelems == 3);
	if (m->set && m->set->nelems == 3) {
		CHECK_IV(&m->set->elems[0], 1, 10);
		CHECK_IV(&m->set->elems[1], 20, 30);
		CHECK_IV(&m->set->elems[2], 40, 40);
	}
	/* quota over 100 mbytes drop */
	r = &in->rules[18];
	CHECK(r->nmatches == 1 && r->matches[0].op == RS_OP_OTHER);
	if (r->nmatches == 1) {
		CHECK_STR(r->matches[0].name, "quota");
		CHECK_STR(r->matches[0].text, "over 104857600 bytes");
	}
	/* meta mark 10-20 and meta mark < 5: host order made big-endian */
	CHECK_RANGE(&in->rules[19], 0, RS_F_MARK, 10, 20);
	CHECK_RANGE(&in->rules[20], 0, RS_F_MARK, 0, 4);
	/* ct original ip daddr 192.168.0.0/16 ct state new ... comment */
	r = &in->rules[21];
	CHECK_RANGE(r, 0, RS_F_CT_ORIG_DADDR4, IP4(192, 168, 0, 0),
		    IP4(192, 168, 255, 255));
	CHECK_RANGE(r, 1, RS_F_CT_STATE, RS_CT_STATE_NEW, RS_CT_STATE_NEW);
	CHECK_STR(r->comment, "docker user");
	/* udp dport != 53 iifname != "wg0" drop */
	r = &in->rules[22];
	CHECK_NOT_RANGE(r, 1, RS_F_DPORT, 53, 53);
	CHECK_NOT_RANGE(r, 2, RS_F_IIFNAME, rs_ifname_key("wg0"),
			rs_ifname_key("wg0"));
	/* the set no rule uses is decoded with its own layout */
	s = set(rs, "filter", "unused");
	CHECK(s && s->nelems == 2 && s->nfields == 1);
	if (s && s->nelems == 2) {
		CHECK_IV(&s->elems[0], 7, 7);
		CHECK_IV(&s->elems[1], 9, 9);
	}
	/* chain web: ip6 saddr fe80::/64 from an 8-byte load */
	r = &web->rules[0];
	CHECK_RANGE(r, 1, RS_F_IP6_SADDR, (rs_u128)0xfe80 << 112,
		    ((rs_u128)0xfe80 << 112) | (((rs_u128)1 << 64) - 1));
	CHECK_EQ(web->rules[1].verdict.kind, RS_V_RETURN);
out:
	ruleset_free(rs);
}

static void test_nat(void)
{
	struct ruleset *rs = load("nat.rec");
	const struct rs_chain *pre, *post, *other;
	const struct rs_verdict *v;
	const struct rs_rule *r;
	const struct rs_set *s;

	if (!rs)
		return;
	pre = chain(rs, NFPROTO_IPV4, "nat", "prerouting");
	post = chain(rs, NFPROTO_IPV4, "nat", "postrouting");
	other = chain(rs, NFPROTO_IPV4, "nat", "other");
	CHECK(pre && post && other);
	if (!pre || !post || !other || pre->nrules != 8 || post->nrules != 3 ||
	    other->nrules != 3) {
		CHECK(0);
		goto out;
	}
	CHECK_EQ(pre->hook, NF_INET_PRE_ROUTING);
	CHECK_EQ(pre->priority, -100);
	CHECK_STR(pre->type, "nat");
	/* tcp dport 6379 dnat to 172.17.0.5:6379 */
	v = &pre->rules[0].verdict;
	CHECK_EQ(v->kind, RS_V_DNAT);
	CHECK_EQ(v->nat.family, NFPROTO_IPV4);
	CHECK(v->nat.has_addr && v->nat.has_port && !v->map.set);
	CHECK(v->nat.addr_lo == IP4(172, 17, 0, 5) &&
	      v->nat.addr_hi == IP4(172, 17, 0, 5));
	CHECK(v->nat.port_lo == 6379 && v->nat.port_hi == 6379);
	CHECK(v->nat.flags & NF_NAT_RANGE_PROTO_SPECIFIED);
	/* dnat to 172.17.0.6-172.17.0.7:7000-7010 */
	v = &pre->rules[1].verdict;
	CHECK(v->nat.addr_lo == IP4(172, 17, 0, 6) &&
	      v->nat.addr_hi == IP4(172, 17, 0, 7));
	CHECK(v->nat.port_lo == 7000 && v->nat.port_hi == 7010);
	/* dnat to tcp dport map @fwdmap: the key must be in the map, and
	 * the address . port come from its data */
	r = &pre->rules[2];
	v = &r->verdict;
	s = set(rs, "nat", "fwdmap");
	CHECK(s && v->kind == RS_V_DNAT && v->map.set == s &&
	      v->map.nfields == 1 && v->map.fields[0] == RS_F_DPORT);
	CHECK(v->nat.has_addr && v->nat.has_port);
	CHECK(r->nmatches == 2 && r->matches[1].set == s &&
	      r->matches[1].op == RS_OP_IN &&
	      r->matches[1].fields[0] == RS_F_DPORT);
	if (s && s->nelems == 2 && s->data) {
		CHECK_IV(&s->elems[0], 8080, 8080);
		CHECK_EQ(s->data[0].nvalues, 2);
		CHECK(s->data[0].value[0] == IP4(172, 17, 0, 2));
		CHECK(s->data[0].value[1] == 80);
		CHECK_IV(&s->elems[1], 8443, 8443);
		CHECK(s->data[1].value[0] == IP4(172, 17, 0, 3));
		CHECK(s->data[1].value[1] == 443);
	} else {
		CHECK(0);
	}
	/* ip daddr 1.2.3.4 dnat to ip saddr map { 10.0.0.0/8 : 172.17.0.9 } */
	r = &pre->rules[3];
	v = &r->verdict;
	CHECK_RANGE(r, 0, RS_F_IP_DADDR, IP4(1, 2, 3, 4), IP4(1, 2, 3, 4));
	CHECK(v->kind == RS_V_DNAT && v->map.set && v->nat.has_addr &&
	      !v->nat.has_port && v->map.fields[0] == RS_F_IP_SADDR);
	s = v->map.set;
	if (s && s->nelems == 1 && s->data) {
		CHECK_IV(&s->elems[0], IP4(10, 0, 0, 0),
			 IP4(10, 255, 255, 255));
		CHECK(s->data[0].nvalues == 1 &&
		      s->data[0].value[0] == IP4(172, 17, 0, 9));
	} else {
		CHECK(0);
	}
	/* tcp dport 81 redirect to :8081; udp dport 53 redirect */
	v = &pre->rules[4].verdict;
	CHECK(v->kind == RS_V_REDIRECT && v->nat.has_port &&
	      v->nat.port_lo == 8081 && !v->nat.has_addr);
	v = &pre->rules[5].verdict;
	CHECK(v->kind == RS_V_REDIRECT && !v->nat.has_port);
	/* jump other; numgen inc mod 2 0 goto other */
	v = &pre->rules[6].verdict;
	CHECK(v->kind == RS_V_JUMP);
	CHECK_STR(v->chain, "other");
	r = &pre->rules[7];
	/* numgen is a field the engine cannot decide, compared as usual */
	CHECK(r->verdict.kind == RS_V_GOTO && r->nmatches == 1 &&
	      r->matches[0].op == RS_OP_IN &&
	      r->matches[0].fields[0] == RS_F_NUMGEN &&
	      r->matches[0].nelems == 1 && r->matches[0].elems[0].lo == 0 &&
	      r->matches[0].elems[0].hi == 0);
	/* update @dyn { ip saddr }; ip saddr @dyn return */
	r = &other->rules[0];
	CHECK(r->nstmts == 1 && r->nmatches == 0);
	if (r->nstmts == 1) {
		CHECK_STR(r->stmts[0].name, "dynset");
		CHECK_STR(r->stmts[0].text, "update @dyn");
	}
	r = &other->rules[1];
	CHECK(r->nmatches == 1 && r->matches[0].op == RS_OP_OTHER);
	/* masquerade; snat to 1.2.3.4; masquerade to :1000-2000 random */
	v = &post->rules[0].verdict;
	CHECK(v->kind == RS_V_MASQUERADE && !v->nat.has_port);
	CHECK_RANGE(&post->rules[0], 0, RS_F_OIFNAME, rs_ifname_key("eth0"),
		    rs_ifname_key("eth0"));
	v = &post->rules[1].verdict;
	CHECK(v->kind == RS_V_SNAT && v->nat.addr_lo == IP4(1, 2, 3, 4));
	v = &post->rules[2].verdict;
	CHECK(v->kind == RS_V_MASQUERADE && v->nat.has_port &&
	      v->nat.port_lo == 1000 && v->nat.port_hi == 2000 &&
	      (v->nat.flags & NF_NAT_RANGE_PROTO_RANDOM));
out:
	ruleset_free(rs);
}

static void test_l2(void)
{
	struct ruleset *rs = load("l2.rec");
	const struct rs_chain *ing, *fwd;
	const struct rs_rule *r;

	if (!rs)
		return;
	ing = chain(rs, NFPROTO_NETDEV, "nd", "ing");
	fwd = chain(rs, NFPROTO_BRIDGE, "br", "forward");
	if (!ing || !fwd || ing->nrules != 3 || fwd->nrules != 4) {
		CHECK(0);
		goto out;
	}
	CHECK(ing->base && ing->hook == NF_NETDEV_INGRESS &&
	      ing->priority == -500);
	CHECK_STR(ing->device, "lo");
	/* ether saddr 00:11:22:33:44:55 drop */
	r = &ing->rules[0];
	CHECK_RANGE(r, 0, RS_F_IIFTYPE, 1 /* ARPHRD_ETHER */, 1);
	CHECK_RANGE(r, 1, RS_F_ETHER_SADDR, (rs_u128)0x001122334455ULL,
		    (rs_u128)0x001122334455ULL);
	/* ether type ip ip saddr 1.2.3.4: the network header is known */
	r = &ing->rules[1];
	CHECK_RANGE(r, 1, RS_F_ETHERTYPE, ETH_P_IP, ETH_P_IP);
	CHECK_RANGE(r, 2, RS_F_IP_SADDR, IP4(1, 2, 3, 4), IP4(1, 2, 3, 4));
	/* meta protocol ip6 */
	CHECK_RANGE(&ing->rules[2], 0, RS_F_ETHERTYPE, ETH_P_IPV6, ETH_P_IPV6);

	CHECK(fwd->base && fwd->hook == 2 /* NF_BR_FORWARD */ &&
	      fwd->policy == RS_V_DROP);
	CHECK_RANGE(&fwd->rules[0], 2, RS_F_DPORT, 22, 22);
	CHECK_RANGE(&fwd->rules[1], 0, RS_F_PKTTYPE, 1 /* broadcast */, 1);
	/* tcp option maxseg size 1000: the sender's choice */
	r = &fwd->rules[2];
	CHECK_EQ(r->nmatches, 3);
	CHECK_RANGE(r, 2, RS_F_TCP_MSS, 1000, 1000);
	/* meta skuid 1000 meta iiftype ether meta l4proto udp meta oif lo */
	r = &fwd->rules[3];
	CHECK_RANGE(r, 0, RS_F_SKUID, 1000, 1000);
	CHECK_RANGE(r, 2, RS_F_L4PROTO, IPPROTO_UDP, IPPROTO_UDP);
	CHECK_RANGE(r, 3, RS_F_OIF, 1, 1);
out:
	ruleset_free(rs);
}

static void test_ip6(void)
{
	struct ruleset *rs = load("ip6.rec");
	const struct rs_chain *in;
	const struct rs_rule *r;
	const struct rs_set *s;
	size_t i;

	if (!rs)
		return;
	in = chain(rs, NFPROTO_IPV6, "f6", "in");
	if (!in || in->nrules != 9) {
		CHECK(0);
		goto out;
	}
	/* ip6 daddr ::1 ip6 nexthdr tcp tcp dport 22 reject with tcp reset */
	r = &in->rules[0];
	CHECK_RANGE(r, 0, RS_F_IP6_DADDR, 1, 1);
	CHECK_RANGE(r, 1, RS_F_L4PROTO, IPPROTO_TCP, IPPROTO_TCP);
	CHECK_RANGE(r, 2, RS_F_DPORT, 22, 22);
	CHECK_EQ(r->verdict.kind, RS_V_REJECT);
	CHECK_STR(r->verdict.name, "tcp-reset");
	/* icmpv6 type echo-request */
	CHECK_RANGE(&in->rules[1], 1, RS_F_ICMPV6_TYPE, 128, 128);
	/* ip6 saddr fe80::/10 reject */
	r = &in->rules[2];
	CHECK_RANGE(r, 0, RS_F_IP6_SADDR, (rs_u128)0xfe80 << 112,
		    ((rs_u128)0xfe80 << 112) | (((rs_u128)1 << 118) - 1));
	CHECK_STR(r->verdict.name, "icmpv6-port-unreachable");
	/* fib saddr . iif oif missing drop */
	CHECK_RANGE(&in->rules[3], 0, RS_F_FIB_SADDR_IIF_OIF, 0, 0);
	/* ct original ip6 saddr ::2 */
	CHECK_RANGE(&in->rules[4], 1, RS_F_CT_ORIG_SADDR6, 2, 2);
	/* ct state vmap { established : accept, new : jump x } */
	r = &in->rules[5];
	s = r->verdict.map.set;
	CHECK(r->verdict.kind == RS_V_VMAP && s &&
	      r->verdict.map.fields[0] == RS_F_CT_STATE);
	if (s && s->nelems == 2 && s->data) {
		CHECK_IV(&s->elems[0], RS_CT_STATE_ESTABLISHED,
			 RS_CT_STATE_ESTABLISHED);
		CHECK_EQ(s->data[0].verdict.kind, RS_V_ACCEPT);
		CHECK_IV(&s->elems[1], RS_CT_STATE_NEW, RS_CT_STATE_NEW);
		CHECK_EQ(s->data[1].verdict.kind, RS_V_JUMP);
		CHECK_STR(s->data[1].verdict.chain, "x");
	} else {
		CHECK(0);
	}
	/* tcp sport 1 tcp dport 2: one 4-byte load, two matches */
	r = &in->rules[6];
	CHECK_EQ(r->nmatches, 3);
	CHECK_RANGE(r, 1, RS_F_SPORT, 1, 1);
	CHECK_RANGE(r, 2, RS_F_DPORT, 2, 2);
	/* jhash: not decided, named */
	r = &in->rules[7];
	CHECK(r->nmatches == 1 && r->matches[0].op == RS_OP_OTHER);
	if (r->nmatches == 1)
		CHECK_STR(r->matches[0].name, "hash");
	/* tcp dport vmap { 80 : accept, * : drop }: the catch-all is every
	 * port no other element holds */
	r = &in->rules[8];
	s = r->verdict.map.set;
	CHECK(r->verdict.kind == RS_V_VMAP && s);
	if (s && s->nelems == 3 && s->data) {
		CHECK_IV(&s->elems[0], 80, 80);
		CHECK_EQ(s->data[0].verdict.kind, RS_V_ACCEPT);
		for (i = 1; i < 3; i++)
			CHECK_EQ(s->data[i].verdict.kind, RS_V_DROP);
		CHECK_IV(&s->elems[1], 0, 79);
		CHECK_IV(&s->elems[2], 81, 65535);
	} else {
		CHECK(0);
	}
out:
	ruleset_free(rs);
}

static void test_iptables(void)
{
	struct ruleset *rs = load("iptables.rec");
	const struct rs_chain *in, *fwd, *user, *pre;
	const struct rs_rule *r;
	size_t i;
	bool found;

	if (!rs)
		return;
	in = chain(rs, NFPROTO_IPV4, "filter", "INPUT");
	fwd = chain(rs, NFPROTO_IPV4, "filter", "FORWARD");
	user = chain(rs, NFPROTO_IPV4, "filter", "DOCKER-USER");
	pre = chain(rs, NFPROTO_IPV4, "nat", "PREROUTING");
	if (!in || !fwd || !user || !pre || in->nrules != 3 ||
	    fwd->nrules != 1 || user->nrules != 1 || pre->nrules != 1) {
		CHECK(0);
		goto out;
	}
	CHECK(fwd->base && fwd->policy == RS_V_DROP);
	CHECK(!user->base);
	/* -i eth+ -p tcp --dport 22 -m comment --comment "ssh in" -j ACCEPT */
	r = &in->rules[0];
	CHECK_RANGE(r, 0, RS_F_IIFNAME, rs_ifname_interval("eth", true).lo,
		    rs_ifname_interval("eth", true).hi);
	CHECK_RANGE(r, 2, RS_F_DPORT, 22, 22);
	CHECK_STR(r->comment, "ssh in");
	CHECK_EQ(r->verdict.kind, RS_V_ACCEPT);
	/* -m conntrack --ctstate NEW -m multiport --dports 1,2 -j LOG:
	 * compat match and target, through xt.c */
	r = &in->rules[1];
	found = false;
	for (i = 0; i < r->nmatches; i++)
		if (r->matches[i].fields[0] == RS_F_CT_STATE)
			found = true;
	CHECK(found);
	found = false;
	for (i = 0; i < r->nmatches; i++)
		if (r->matches[i].fields[0] == RS_F_DPORT &&
		    r->matches[i].nelems == 2)
			found = true;
	CHECK(found);
	for (i = 0; i < r->nmatches; i++)
		CHECK(r->matches[i].fields[0] != RS_F_UNKNOWN);
	found = false;
	for (i = 0; i < r->nstmts; i++)
		if (!strcmp(r->stmts[i].name, "LOG"))
			found = true;
	CHECK(found);
	CHECK_EQ(r->verdict.kind, RS_V_NONE);
	/* -i eth0 (5 bytes with the NUL: an exact name) -s 10.0.0.0/8 */
	r = &in->rules[2];
	CHECK_RANGE(r, 0, RS_F_IIFNAME, rs_ifname_key("eth0"),
		    rs_ifname_key("eth0"));
	CHECK_RANGE(r, 1, RS_F_IP_SADDR, IP4(10, 0, 0, 0),
		    IP4(10, 255, 255, 255));
	/* -A FORWARD -j DOCKER-USER */
	CHECK_EQ(fwd->rules[0].verdict.kind, RS_V_JUMP);
	CHECK_STR(fwd->rules[0].verdict.chain, "DOCKER-USER");
	/* --ctorigdstport 6379 --ctdir ORIGINAL -j DROP */
	r = &user->rules[0];
	found = false;
	for (i = 0; i < r->nmatches; i++)
		if (is_range(&r->matches[i], RS_F_CT_ORIG_DPORT, 6379, 6379,
			     RS_OP_IN))
			found = true;
	CHECK(found);
	CHECK_EQ(r->verdict.kind, RS_V_DROP);
	/* -j DNAT --to-destination 172.17.0.2:8080 (compat target) */
	r = &pre->rules[0];
	CHECK_EQ(r->verdict.kind, RS_V_DNAT);
	CHECK(r->verdict.nat.addr_lo == IP4(172, 17, 0, 2) &&
	      r->verdict.nat.port_lo == 8080);
out:
	ruleset_free(rs);
}

/*
 * Header fields the sender chooses (issue 9): hdr.nft in nft's native
 * words, hdrxt.rules(6) as iptables-nft writes them (compat matches, but
 * -f as payload and bitmask).  Where both say the same, the model must be
 * the same.
 */
#define BIT(n)	((rs_u128)1 << (n))

static int is_mask(const struct rs_match *m, enum rs_field f, rs_u128 mask,
		   rs_u128 value, enum rs_op op)
{
	return m->op == op && m->nfields == 1 && m->fields[0] == f &&
	       m->mask == mask && m->value == value;
}

#define CHECK_MASK(r, i, f, mask, value, op) \
	CHECK((r)->nmatches > (i) && \
	      is_mask(&(r)->matches[i], f, mask, value, op))

/* Match i of rule a and match j of rule b say the same. */
static bool same_match(const struct rs_rule *a, size_t i,
		       const struct rs_rule *b, size_t j)
{
	const struct rs_match *x, *y;

	if (i >= a->nmatches || j >= b->nmatches)
		return false;
	x = &a->matches[i];
	y = &b->matches[j];
	return x->op == y->op && x->nfields == y->nfields &&
	       x->fields[0] == y->fields[0] && x->nelems == y->nelems &&
	       !x->set && !y->set && x->mask == y->mask &&
	       x->value == y->value &&
	       (!x->nelems || !memcmp(x->elems, y->elems,
				      x->nelems * sizeof(*x->elems)));
}

static void test_hdr(void)
{
	struct ruleset *rs = load("hdr.rec"), *xt = load("hdrxt.rec");
	const struct rs_chain *in, *in4, *in6;
	const struct rs_rule *r;
	const struct rs_match *m;
	size_t i;

	if (!rs || !xt)
		goto out;
	in = chain(rs, NFPROTO_INET, "hdr", "in");
	in4 = chain(xt, NFPROTO_IPV4, "filter", "INPUT");
	in6 = chain(xt, NFPROTO_IPV6, "filter", "INPUT");
	if (!in || !in4 || !in6 || in->nrules != 24 || in4->nrules != 9 ||
	    in6->nrules != 7) {
		CHECK(0);
		goto out;
	}
	/* ip ttl < 5; ip6 hoplimit 255 */
	CHECK_RANGE(&in->rules[0], 1, RS_F_IP_TTL, 0, 4);
	CHECK_RANGE(&in->rules[1], 1, RS_F_IP_TTL, 255, 255);
	/* ip dscp cs1, ip6 dscp cs1 (2 bytes & 0x0fc0 == 0x0200) */
	CHECK_MASK(&in->rules[2], 1, RS_F_IP_TOS, 0xfc, 0x20, RS_OP_MASK_EQ);
	CHECK_MASK(&in->rules[3], 1, RS_F_IP_TOS, 0xfc, 0x20, RS_OP_MASK_EQ);
	/* ip ecn ect1, ip6 ecn ce (byte 1 & 0x30 == 0x30) */
	CHECK_MASK(&in->rules[4], 1, RS_F_IP_TOS, 0x03, 0x01, RS_OP_MASK_EQ);
	CHECK_MASK(&in->rules[5], 1, RS_F_IP_TOS, 0x03, 0x03, RS_OP_MASK_EQ);
	/* ip length 0-28; ip6 length 0-100 is 40-140 in all; meta length
	 * > 1000 */
	CHECK_RANGE(&in->rules[6], 1, RS_F_IP_LENGTH, 0, 28);
	CHECK_EQ(in->rules[7].nmatches, 2);
	CHECK_RANGE(&in->rules[7], 1, RS_F_IP_LENGTH, 40, 140);
	CHECK_EQ(in->rules[8].nmatches, 1);
	CHECK_RANGE(&in->rules[8], 0, RS_F_IP_LENGTH, 1001, 65535);
	/* ip frag-off & 0x1fff != 0 */
	CHECK_MASK(&in->rules[9], 1, RS_F_IP_FRAGOFF, 0x1fff, 0,
		   RS_OP_MASK_NE);
	/* exthdr frag exists */
	CHECK_MASK(&in->rules[10], 1, RS_F_IP6_EXTHDRS, BIT(44), BIT(44),
		   RS_OP_MASK_EQ);
	/* rt type 0; rt type != 2: a routing header of another type */
	CHECK_RANGE(&in->rules[11], 1, RS_F_IP6_RT_TYPE, 0, 0);
	r = &in->rules[12];
	CHECK_EQ(r->nmatches, 2);
	m = &r->matches[1];
	CHECK(m->op == RS_OP_NOT_IN && m->fields[0] == RS_F_IP6_RT_TYPE &&
	      m->nelems == 2 && m->elems[0].lo == 2 && m->elems[0].hi == 2 &&
	      m->elems[1].lo == RS_ABSENT && m->elems[1].hi == RS_ABSENT);
	/* exthdr rt exists; exthdr hbh missing */
	CHECK_RANGE(&in->rules[13], 1, RS_F_IP6_RT_TYPE, 0, 255);
	CHECK_MASK(&in->rules[14], 1, RS_F_IP6_EXTHDRS, BIT(0), 0,
		   RS_OP_MASK_EQ);
	/* tcp option maxseg size < 536; sack-perm exists; maxseg missing */
	CHECK_EQ(in->rules[15].nmatches, 1);
	CHECK_RANGE(&in->rules[15], 0, RS_F_TCP_MSS, 0, 535);
	CHECK_MASK(&in->rules[16], 0, RS_F_TCP_OPTIONS, BIT(4), BIT(4),
		   RS_OP_MASK_EQ);
	CHECK_RANGE(&in->rules[17], 0, RS_F_TCP_MSS, RS_ABSENT, RS_ABSENT);
	/* ip option rr exists */
	CHECK_MASK(&in->rules[18], 1, RS_F_IP_OPTIONS, BIT(7), BIT(7),
		   RS_OP_MASK_EQ);
	/* ip6 hoplimit { 1, 255 } */
	r = &in->rules[19];
	CHECK(r->nmatches == 2 && r->matches[1].op == RS_OP_IN &&
	      r->matches[1].fields[0] == RS_F_IP_TTL);
	/* rt type != { 0, 2 }: and the header is there */
	r = &in->rules[20];
	CHECK(r->nmatches == 3 && r->matches[1].op == RS_OP_NOT_IN &&
	      r->matches[1].fields[0] == RS_F_IP6_RT_TYPE);
	CHECK_NOT_RANGE(r, 2, RS_F_IP6_RT_TYPE, RS_ABSENT, RS_ABSENT);
	/* ip6 version 6 (bits beside the traffic class), ip6 length in a
	 * set (not shifted by 40), ip6 flowlabel 5: unnamed payload */
	for (i = 21; i < 24; i++) {
		r = &in->rules[i];
		CHECK(r->nmatches == 2 && r->matches[1].op == RS_OP_OTHER &&
		      r->matches[1].fields[0] == RS_F_PAYLOAD);
	}

	/* iptables-nft: no match left undecided */
	CHECK_MASK(&in4->rules[3], 0, RS_F_IP_TOS, 0x3f, 0x10, RS_OP_MASK_EQ);
	r = &in4->rules[4];	/* -p tcp -m ecn --ecn-ip-ect 1 --ecn-tcp-ece */
	CHECK_EQ(r->nmatches, 3);
	CHECK_MASK(r, 1, RS_F_IP_TOS, 0x03, 0x01, RS_OP_MASK_EQ);
	CHECK_MASK(r, 2, RS_F_TCP_FLAGS, 0x40, 0, RS_OP_MASK_NE);
	CHECK_NOT_RANGE(&in4->rules[5], 1, RS_F_TCP_MSS, 536, 65535);
	CHECK_MASK(&in4->rules[6], 1, RS_F_TCP_OPTIONS, BIT(8), BIT(8),
		   RS_OP_MASK_EQ);
	/* ! -f -p tcp --dport 22 */
	CHECK_MASK(&in4->rules[8], 1, RS_F_IP_FRAGOFF, 0x1fff, 0,
		   RS_OP_MASK_EQ);
	CHECK_RANGE(&in4->rules[8], 2, RS_F_DPORT, 22, 22);
	/* -m frag --fragmore: never after reassembly */
	r = &in6->rules[2];
	CHECK(r->nmatches == 1 && r->matches[0].op == RS_OP_IN &&
	      r->matches[0].fields[0] == RS_F_IP6_EXTHDRS &&
	      r->matches[0].nelems == 0);
	CHECK_MASK(&in6->rules[4], 0, RS_F_IP6_EXTHDRS, BIT(0), BIT(0),
		   RS_OP_MASK_EQ);
	CHECK_RANGE(&in6->rules[5], 0, RS_F_IP_LENGTH, 0, 100);
	CHECK_MASK(&in6->rules[6], 0, RS_F_IP_TOS, 0xfc, 0xb8, RS_OP_MASK_EQ);

	/* the same condition, whichever way it was written */
	CHECK(same_match(&in->rules[0], 1, &in4->rules[0], 0));	/* ttl */
	CHECK(same_match(&in->rules[6], 1, &in4->rules[1], 0));	/* length */
	CHECK(same_match(&in->rules[2], 1, &in4->rules[2], 0));	/* dscp */
	CHECK(same_match(&in->rules[3], 1, &in4->rules[2], 0));
	CHECK(same_match(&in->rules[9], 1, &in4->rules[7], 0));	/* -f */
	CHECK(same_match(&in->rules[11], 1, &in6->rules[0], 0));	/* rt */
	CHECK(same_match(&in->rules[1], 1, &in6->rules[1], 0));	/* hl */
	CHECK(same_match(&in->rules[10], 1, &in6->rules[3], 0));	/* frag */
out:
	ruleset_free(rs);
	ruleset_free(xt);
}

/*
 * Crafted recordings.  A recording is split into records; attempt() copies
 * the records of one read (from the first request to the end) with a hook
 * that may patch the messages of each answer.
 */
struct rec {
	uint32_t kind;
	uint32_t len;
	uint8_t *data;
};

static size_t rec_load(const char *name, struct rec *recs, size_t max)
{
	char path[4200];
	size_t n = 0;
	uint32_t kind;
	uint8_t *buf = malloc(NFT_BUFSIZ);
	FILE *f;
	int len;

	fixture_path(path, sizeof(path), name);
	f = fopen(path, "r");
	if (!f || !buf) {
		free(buf);
		if (f)
			fclose(f);
		return 0;
	}
	while (n < max && (len = nft_rec_read(f, &kind, buf, NFT_BUFSIZ)) >= 0) {
		recs[n].kind = kind;
		recs[n].len = (uint32_t)len;
		recs[n].data = malloc(len ? len : 1);
		memcpy(recs[n].data, buf, len);
		n++;
	}
	fclose(f);
	free(buf);
	return n;
}

/* The genid of the n-th GETGEN answer (0-based) of one read. */
static void patch_genid(struct rec *r, uint32_t genid)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->data;
	int len = (int)r->len;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		struct nlattr *a;

		if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWGEN)
			continue;
		mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
			if (mnl_attr_get_type(a) == NFTA_GEN_ID)
				*(uint32_t *)mnl_attr_get_payload(a) =
					htonl(genid);
	}
}

/*
 * CRAFT_SAME	as recorded, with the given genid
 * CRAFT_GENID	the genid moves between the two GETGEN
 * CRAFT_INTR	the first rule dump is interrupted (NLM_F_DUMP_INTR)
 * CRAFT_ENOENT	the first chain's rule dump is refused with ENOENT: the
 *		chain was deleted after the chain dump
 * CRAFT_EMPTY	the first chain's rule dump is empty and the genid moves:
 *		what the kernel really answers for a deleted chain
 */
enum craft { CRAFT_SAME, CRAFT_GENID, CRAFT_INTR, CRAFT_ENOENT, CRAFT_EMPTY };

static void rec_write_error(FILE *f, const struct nlmsghdr *req, int err)
{
	char ans[256];
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	nlh = mnl_nlmsg_put_header(ans);
	nlh->nlmsg_type = NLMSG_ERROR;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -err;
	e->msg = *req;
	nft_rec_write(f, NFT_REC_RECV, nlh, nlh->nlmsg_len);
}

static void rec_write_done(FILE *f)
{
	char ans[64];
	struct nlmsghdr *nlh;

	nlh = mnl_nlmsg_put_header(ans);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = 0;
	nft_rec_write(f, NFT_REC_RECV, nlh, nlh->nlmsg_len);
}

/* Append one read of recs (records 1..n: after 'S') to f, crafted. */
static void rec_write_attempt(FILE *f, struct rec *recs, size_t n,
			      enum craft how, uint32_t genid)
{
	size_t i, gen = 0, rule_reqs = 0;
	uint16_t last_req = 0;
	bool moves = how == CRAFT_GENID || how == CRAFT_EMPTY;

	for (i = 1; i < n; i++) {
		struct rec r = recs[i];
		uint8_t *copy = malloc(r.len ? r.len : 1);
		bool first_rules;

		memcpy(copy, r.data, r.len);
		r.data = copy;
		if (r.kind == NFT_REC_REQUEST) {
			/* a reader that saw an interrupted or refused rule
			 * dump asks nothing more in this attempt */
			if ((how == CRAFT_INTR || how == CRAFT_ENOENT) &&
			    last_req == NFT_MSG_GETRULE) {
				free(copy);
				break;
			}
			last_req = ((struct nlmsghdr *)r.data)->nlmsg_type & 0xff;
			if (last_req == NFT_MSG_GETRULE)
				rule_reqs++;
			nft_rec_write(f, r.kind, r.data, r.len);
			if (rule_reqs == 1 && last_req == NFT_MSG_GETRULE) {
				if (how == CRAFT_ENOENT)
					rec_write_error(f, (void *)r.data,
							ENOENT);
				else if (how == CRAFT_EMPTY)
					rec_write_done(f);
			}
			free(copy);
			continue;
		}
		first_rules = last_req == NFT_MSG_GETRULE && rule_reqs == 1;
		if (first_rules && (how == CRAFT_ENOENT || how == CRAFT_EMPTY)) {
			free(copy);
			continue;
		}
		if (r.kind == NFT_REC_RECV && last_req == NFT_MSG_GETGEN)
			patch_genid(&r, genid + (moves ? gen++ : 0));
		if (r.kind == NFT_REC_RECV && first_rules && how == CRAFT_INTR)
			((struct nlmsghdr *)r.data)->nlmsg_flags |=
				NLM_F_DUMP_INTR;
		nft_rec_write(f, r.kind, r.data, r.len);
		free(copy);
	}
}

/* Total rules of a ruleset, to compare a retried read with a plain one. */
static size_t count_rules(const struct ruleset *rs)
{
	size_t i, n = 0;

	for (i = 0; i < rs->nchains; i++)
		n += rs->chains[i].nrules;
	return n;
}

static struct ruleset *ruleset_with_chain(void)
{
	struct ruleset *rs = ruleset_new();

	if (rs)
		ruleset_add_chain(rs, RS_ORIGIN_LEGACY, NFPROTO_IPV4, "filter",
				  "INPUT");
	return rs;
}

/* A crafted recording: path truncated, its start written. */
static FILE *rec_create(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f)
		nft_rec_write(f, NFT_REC_START, NULL, 0);
	return f;
}

/* Replay path over a ruleset that already holds one chain. */
static struct ruleset *replay_over_chain(const char *path, int *ret)
{
	struct ruleset *rs = ruleset_with_chain();

	*ret = nft_replay_ruleset(rs, path);
	return rs;
}

static void test_retry(void)
{
	struct rec recs[256];
	size_t n, i, nrules = 0;
	struct ruleset *rs;
	char path[] = "/tmp/fwaudit-test-nft-XXXXXX";
	int fd, a, ret;
	FILE *f;

	rs = load("inet.rec");
	if (rs)
		nrules = count_rules(rs);
	ruleset_free(rs);
	CHECK(nrules > 20);
	n = rec_load("inet.rec", recs, 256);
	CHECK(n > 4);
	if (n <= 4)
		return;
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		goto out;

	/* the genid moves during every attempt: -EAGAIN, rs untouched */
	close(fd);
	f = rec_create(path);
	for (a = 0; a < NFT_DUMP_ATTEMPTS; a++)
		rec_write_attempt(f, recs, n, CRAFT_GENID, 100 + 10 * a);
	fclose(f);
	rs = replay_over_chain(path, &ret);
	CHECK_EQ(ret, -EAGAIN);
	CHECK_EQ(rs->nchains, 1);
	CHECK_EQ(rs->nsets, 0);
	CHECK_EQ(rs->nsources, 1);
	CHECK(rs->sources[0].error == -EAGAIN);
	ruleset_free(rs);

	/* NLM_F_DUMP_INTR on every attempt: the same */
	f = rec_create(path);
	for (a = 0; a < NFT_DUMP_ATTEMPTS; a++)
		rec_write_attempt(f, recs, n, CRAFT_INTR, 7);
	fclose(f);
	rs = replay_over_chain(path, &ret);
	CHECK_EQ(ret, -EAGAIN);
	CHECK_EQ(rs->nchains, 1);
	CHECK_EQ(rs->nsets, 0);
	ruleset_free(rs);

	/* aborted attempts, then a consistent read: the result is that read,
	 * whole, with nothing of the aborted ones.  A chain deleted between
	 * the chain dump and its rule dump shows as ENOENT or as an empty
	 * dump with a moved genid. */
	for (a = 0; a < 3; a++) {
		static const enum craft aborted[3][2] = {
			{ CRAFT_INTR, CRAFT_GENID },
			{ CRAFT_ENOENT, CRAFT_ENOENT },
			{ CRAFT_EMPTY, CRAFT_EMPTY },
		};

		f = rec_create(path);
		rec_write_attempt(f, recs, n, aborted[a][0], 7);
		rec_write_attempt(f, recs, n, aborted[a][1], 8);
		rec_write_attempt(f, recs, n, CRAFT_SAME, 42);
		fclose(f);
		rs = replay_over_chain(path, &ret);
		CHECK_EQ(ret, 0);
		CHECK_EQ(rs->nft_genid, 42);
		CHECK_EQ(rs->nchains, 3);
		CHECK(rs->nsets >= 5);
		CHECK_EQ(count_rules(rs), nrules);
		CHECK(rs->nsources == 1 && rs->sources[0].present);
		ruleset_free(rs);
	}

	/* ... on every attempt: -EAGAIN, rs untouched */
	for (a = 0; a < 2; a++) {
		int b;

		f = rec_create(path);
		for (b = 0; b < NFT_DUMP_ATTEMPTS; b++)
			rec_write_attempt(f, recs, n,
					  a ? CRAFT_EMPTY : CRAFT_ENOENT,
					  200 + 10 * b);
		fclose(f);
		rs = replay_over_chain(path, &ret);
		CHECK_EQ(ret, -EAGAIN);
		CHECK_EQ(rs->nchains, 1);
		CHECK_EQ(rs->nsets, 0);
		CHECK_EQ(count_rules(rs), 0);
		ruleset_free(rs);
	}

	/* the recording ends in the middle: an error, not a partial read */
	f = rec_create(path);
	rec_write_attempt(f, recs, n - 2, CRAFT_SAME, 42);
	fclose(f);
	rs = replay_over_chain(path, &ret);
	CHECK_EQ(ret, -ENODATA);
	CHECK_EQ(rs->nchains, 1);
	ruleset_free(rs);

	unlink(path);
out:
	for (i = 0; i < n; i++)
		free(recs[i].data);
}

/* No nf_tables: the socket cannot be opened, or GETGEN is refused. */
static void test_absent(void)
{
	char path[] = "/tmp/fwaudit-test-nft-XXXXXX";
	struct ruleset *rs;
	int32_t err = EPROTONOSUPPORT;
	int fd, ret;
	FILE *f;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	nft_rec_write(f, NFT_REC_START, NULL, 0);
	nft_rec_write(f, NFT_REC_OPEN, &err, sizeof(err));
	fclose(f);
	rs = ruleset_new();
	ret = nft_replay_ruleset(rs, path);
	CHECK_EQ(ret, 0);
	CHECK_EQ(rs->nchains, 0);
	CHECK_EQ(rs->nsources, 1);
	CHECK(!rs->sources[0].present && rs->sources[0].error == 0);
	ruleset_free(rs);

	/* GETGEN refused: EPERM is an error, ENOENT an absence */
	for (int i = 0; i < 2; i++) {
		char buf[NFT_REQSIZ], ans[256];
		struct nlmsghdr *req, *nlh;
		struct nlmsgerr *e;
		int refused = i == 0 ? EPERM : ENOENT;

		req = nft_req(buf, NFT_MSG_GETGEN, NFPROTO_UNSPEC, NLM_F_ACK);
		nlh = mnl_nlmsg_put_header(ans);
		nlh->nlmsg_type = NLMSG_ERROR;
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
		e->error = -refused;
		e->msg = *req;
		f = fopen(path, "w");
		nft_rec_write(f, NFT_REC_START, NULL, 0);
		nft_rec_write(f, NFT_REC_REQUEST, req, req->nlmsg_len);
		nft_rec_write(f, NFT_REC_RECV, nlh, nlh->nlmsg_len);
		fclose(f);
		rs = ruleset_new();
		ret = nft_replay_ruleset(rs, path);
		CHECK_EQ(ret, refused == EPERM ? -EPERM : 0);
		CHECK_EQ(rs->nchains, 0);
		CHECK(rs->nsources == 1 && !rs->sources[0].present);
		CHECK_EQ(rs->sources[0].error, refused == EPERM ? -EPERM : 0);
		ruleset_free(rs);
	}
	unlink(path);
}

/* The ct helper object statement i of chain table/pre names, or NULL. */
static const struct rs_stmt *helper_stmt(const struct ruleset *rs,
					 uint8_t family, const char *table,
					 size_t i)
{
	const struct rs_chain *c = chain(rs, family, table, "pre");

	if (!c || c->nrules <= i || c->rules[i].nstmts != 1)
		return NULL;
	return &c->rules[i].stmts[0];
}

/* cthobj.rec with the object dump (its request and answer) left out, as
 * recordings and snapshots made before it was read are; or answered by
 * the error err instead (a kernel without objects). */
static int rec_without_objs(const char *path, int err)
{
	struct rec recs[256];
	size_t n, i;
	bool skip = false;
	FILE *f;

	n = rec_load("cthobj.rec", recs, 256);
	f = fopen(path, "w");
	if (!f || n < 2)
		return -1;
	for (i = 0; i < n; i++) {
		const struct nlmsghdr *q = (const void *)recs[i].data;

		if (recs[i].kind == NFT_REC_REQUEST)
			skip = (q->nlmsg_type & 0xff) == NFT_MSG_GETOBJ;
		if (skip && err && recs[i].kind == NFT_REC_REQUEST) {
			nft_rec_write(f, recs[i].kind, recs[i].data,
				      recs[i].len);
			rec_write_error(f, q, err);
		}
		if (!skip)
			nft_rec_write(f, recs[i].kind, recs[i].data,
				      recs[i].len);
	}
	for (i = 0; i < n; i++)
		free(recs[i].data);
	fclose(f);
	return 0;
}

/* What rsprint_text() prints of rs, or NULL. */
static char *ruleset_text(const struct ruleset *rs)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	rsprint_text(rs, f);
	fclose(f);
	return buf;
}

/* nft ct helper objects: each rule that names one learns its helper type
 * and protocol, from its own table's object of that name; an older
 * recording without the object dump replays the same rules, without them. */
static void test_cthobj(void)
{
	static const int errs[] = { 0, EINVAL, EOPNOTSUPP };
	struct ruleset *rs = load("cthobj.rec"), *old;
	char path[] = "/tmp/fwaudit-test-nft-XXXXXX";
	const struct rs_stmt *s;
	char *text, *oldtext;
	size_t i, k;
	int fd, ret;

	CHECK(rs != NULL);
	if (!rs)
		return;
	s = helper_stmt(rs, NFPROTO_INET, "fw", 0);
	CHECK(s && !strcmp(s->text, "ct helper ftp-std") && s->helper_type &&
	      !strcmp(s->helper_type, "ftp") && s->helper_l4 == IPPROTO_TCP);
	s = helper_stmt(rs, NFPROTO_INET, "fw", 1);
	CHECK(s && !strcmp(s->text, "ct helper web") && s->helper_type &&
	      !strcmp(s->helper_type, "ftp") && s->helper_l4 == IPPROTO_TCP);
	s = helper_stmt(rs, NFPROTO_INET, "fw", 2);
	CHECK(s && !strcmp(s->text, "ct helper voip") && s->helper_type &&
	      !strcmp(s->helper_type, "sip") && s->helper_l4 == IPPROTO_UDP);
	/* a named counter is no helper */
	s = helper_stmt(rs, NFPROTO_INET, "fw", 3);
	CHECK(s && !strcmp(s->text, "counter c21") && !s->helper_type);
	/* "web" of table ip other is another object */
	s = helper_stmt(rs, NFPROTO_IPV4, "other", 0);
	CHECK(s && !strcmp(s->text, "ct helper web") && s->helper_type &&
	      !strcmp(s->helper_type, "tftp") && s->helper_l4 == IPPROTO_UDP);
	text = ruleset_text(rs);

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		goto out;
	close(fd);
	for (k = 0; k < ARRAY_SIZE(errs); k++) {
		CHECK_EQ(rec_without_objs(path, errs[k]), 0);
		old = ruleset_new();
		ret = nft_replay_ruleset(old, path);
		CHECK_EQ(ret, 0);
		CHECK_EQ(count_rules(old), 5);
		for (i = 0; i < old->nchains; i++)
			for (size_t j = 0; j < old->chains[i].nrules; j++)
				CHECK(!old->chains[i].rules[j].stmts[0]
				       .helper_type);
		/* the same ruleset, statement for statement */
		oldtext = ruleset_text(old);
		CHECK(text && oldtext && !strcmp(text, oldtext));
		free(oldtext);
		ruleset_free(old);
	}
	unlink(path);
out:
	free(text);
	ruleset_free(rs);
}

/* A chain whose rules span several recv() buffers of its dump, then
 * another chain: every rule once, in order, in its own chain. */
static void test_big(void)
{
	struct ruleset *rs = load("big.rec");
	const struct rs_chain *many, *tail;
	struct rec recs[256];
	size_t n, i, bufs = 0;
	uint16_t last_req = 0;
	char comment[32];
	int rule_reqs = 0;

	if (!rs)
		return;
	many = chain(rs, NFPROTO_IPV4, "big", "many");
	tail = chain(rs, NFPROTO_IPV4, "big", "tail");
	CHECK(many && tail);
	if (!many || !tail)
		goto out;
	CHECK_EQ(many->nrules, 250);
	for (i = 0; i < many->nrules; i++) {
		const struct rs_rule *r = &many->rules[i];

		CHECK_EQ(r->position, i + 1);
		CHECK_RANGE(r, 1, RS_F_DPORT, 1001 + i, 1001 + i);
		snprintf(comment, sizeof(comment), "rule %zu", i + 1);
		CHECK(r->comment && !strcmp(r->comment, comment));
		CHECK_EQ(r->verdict.kind, RS_V_ACCEPT);
	}
	CHECK_EQ(tail->nrules, 2);
	if (tail->nrules == 2) {
		CHECK_EQ(tail->rules[0].verdict.kind, RS_V_JUMP);
		CHECK_STR(tail->rules[0].verdict.chain, "many");
		CHECK_EQ(tail->rules[1].verdict.kind, RS_V_DROP);
	}
	/* the recording does hold several buffers for the first rule dump
	 * (chains come in creation order: many, then tail) */
	n = rec_load("big.rec", recs, 256);
	for (i = 0; i < n; i++) {
		if (recs[i].kind == NFT_REC_REQUEST) {
			last_req = ((struct nlmsghdr *)recs[i].data)->nlmsg_type
				   & 0xff;
			if (last_req == NFT_MSG_GETRULE)
				rule_reqs++;
		} else if (recs[i].kind == NFT_REC_RECV &&
			   last_req == NFT_MSG_GETRULE && rule_reqs == 1) {
			bufs++;
		}
		free(recs[i].data);
	}
	CHECK_EQ(rule_reqs, 2);
	CHECK(bufs >= 3);	/* two with rules at least, then NLMSG_DONE */
out:
	ruleset_free(rs);
}

static void test_empty(void)
{
	struct ruleset *rs = load("empty.rec");

	if (!rs)
		return;
	CHECK_EQ(rs->nchains, 0);
	CHECK_EQ(rs->nsets, 0);
	CHECK(rs->nsources == 1 && rs->sources[0].present);
	ruleset_free(rs);
}

/*
 * Recordings built from scratch: one consistent read of table ip "t" with
 * the base chain "c", the sets and rules a test gives, and what a reader of
 * hostile rulesets and broken netlink must survive.
 */
#define CRAFT_GENID_ANSWER	7

static void craft_msg(FILE *f, const struct nlmsghdr *nlh)
{
	nft_rec_write(f, NFT_REC_RECV, nlh, nlh->nlmsg_len);
}

static void craft_gen(FILE *f)
{
	char req[NFT_REQSIZ], ans[256];
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	size_t len;

	nlh = nft_req(req, NFT_MSG_GETGEN, NFPROTO_UNSPEC, NLM_F_ACK);
	nft_rec_write(f, NFT_REC_REQUEST, nlh, nlh->nlmsg_len);
	memset(ans, 0, sizeof(ans));
	nlh = nftnl_nlmsg_build_hdr(ans, NFT_MSG_NEWGEN, NFPROTO_UNSPEC, 0, 0);
	mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(CRAFT_GENID_ANSWER));
	len = nlh->nlmsg_len;
	nlh = mnl_nlmsg_put_header(ans + len);
	nlh->nlmsg_type = NLMSG_ERROR;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = 0;
	nft_rec_write(f, NFT_REC_RECV, ans, (uint32_t)(len + nlh->nlmsg_len));
}

static void craft_dump_req(FILE *f, uint16_t cmd)
{
	char req[NFT_REQSIZ];
	struct nlmsghdr *nlh = nft_req(req, cmd, NFPROTO_UNSPEC, NLM_F_DUMP);

	nft_rec_write(f, NFT_REC_REQUEST, nlh, nlh->nlmsg_len);
}

/* What one crafted read holds beside table ip t: its chain c (input hook)
 * or a raw chain message, sets (dumped with no elements), the rules of c
 * and a raw message among them. */
struct crafted {
	struct nftnl_set **sets;
	size_t nsets;
	struct nftnl_rule **rules;
	size_t nrules;
	const struct nlmsghdr *raw_chain, *raw_rule;
	const struct nlmsghdr *raw_elems;	/* of the first set */
};

static void craft_read_with(FILE *f, const struct crafted *k)
{
	struct nftnl_set **sets = k->sets;
	struct nftnl_rule **rules = k->rules;
	size_t nsets = k->nsets, nrules = k->nrules;
	char buf[8192], req[NFT_REQSIZ];
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nftnl_rule *q = nftnl_rule_alloc();
	struct nftnl_set *qs = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	size_t i;

	craft_gen(f);
	craft_dump_req(f, NFT_MSG_GETTABLE);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, "t");
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWTABLE, NFPROTO_IPV4,
				    NLM_F_MULTI, 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
	craft_msg(f, nlh);
	rec_write_done(f);

	craft_dump_req(f, NFT_MSG_GETCHAIN);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, "t");
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, "c");
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_LOCAL_IN);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, NFPROTO_IPV4,
				    NLM_F_MULTI, 0);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	craft_msg(f, k->raw_chain ? k->raw_chain : nlh);
	rec_write_done(f);

	craft_dump_req(f, NFT_MSG_GETSET);
	for (i = 0; i < nsets; i++) {
		nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSET, NFPROTO_IPV4,
					    NLM_F_MULTI, 0);
		nftnl_set_nlmsg_build_payload(nlh, sets[i]);
		craft_msg(f, nlh);
	}
	rec_write_done(f);
	for (i = 0; i < nsets; i++) {
		nftnl_set_set_str(qs, NFTNL_SET_TABLE, "t");
		nftnl_set_set_str(qs, NFTNL_SET_NAME,
				  nftnl_set_get_str(sets[i], NFTNL_SET_NAME));
		nlh = nft_req(req, NFT_MSG_GETSETELEM, NFPROTO_IPV4,
			      NLM_F_DUMP);
		nftnl_set_elems_nlmsg_build_payload(nlh, qs);
		nft_rec_write(f, NFT_REC_REQUEST, nlh, nlh->nlmsg_len);
		if (i == 0 && k->raw_elems)
			craft_msg(f, k->raw_elems);
		rec_write_done(f);
	}

	nftnl_rule_set_str(q, NFTNL_RULE_TABLE, "t");
	nftnl_rule_set_str(q, NFTNL_RULE_CHAIN, "c");
	nlh = nft_req(req, NFT_MSG_GETRULE, NFPROTO_IPV4, NLM_F_DUMP);
	nftnl_rule_nlmsg_build_payload(nlh, q);
	nft_rec_write(f, NFT_REC_REQUEST, nlh, nlh->nlmsg_len);
	for (i = 0; i < nrules; i++) {
		nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_IPV4,
					    NLM_F_MULTI, 0);
		nftnl_rule_nlmsg_build_payload(nlh, rules[i]);
		craft_msg(f, nlh);
	}
	if (k->raw_rule)
		craft_msg(f, k->raw_rule);
	rec_write_done(f);
	craft_gen(f);
	nftnl_table_free(t);
	nftnl_chain_free(c);
	nftnl_rule_free(q);
	nftnl_set_free(qs);
}

static void craft_read(FILE *f, struct nftnl_set **sets, size_t nsets,
		       struct nftnl_rule **rules, size_t nrules)
{
	struct crafted k = { sets, nsets, rules, nrules, NULL, NULL, NULL };

	craft_read_with(f, &k);
}

static struct nftnl_rule *craft_rule(const void *udata, uint32_t len)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, "t");
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "c");
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, 2);
	if (udata)
		nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, udata, len);
	return r;
}

static struct nftnl_set *craft_set(const char *name, const void *udata,
				   uint32_t len)
{
	struct nftnl_set *s = nftnl_set_alloc();

	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_IPV4);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, "t");
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, 7);	/* inet_service */
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 2);
	nftnl_set_set_u32(s, NFTNL_SET_ID, 1);
	if (udata)
		nftnl_set_set_data(s, NFTNL_SET_USERDATA, udata, len);
	return s;
}

static bool has_note(const struct ruleset *rs, const char *part)
{
	size_t i;

	for (i = 0; i < rs->nnotes; i++)
		if (strstr(rs->notes[i], part))
			return true;
	return false;
}

/* Replay a recording written by fill(f) into a fresh ruleset. */
static struct ruleset *craft_replay(void (*fill)(FILE *f, void *arg),
				    void *arg, int *ret)
{
	char path[] = "/tmp/fwaudit-test-nft-XXXXXX";
	struct ruleset *rs = ruleset_new();
	int fd = mkstemp(path);
	FILE *f;

	*ret = -EIO;
	if (fd < 0 || !rs) {
		ruleset_free(rs);
		return NULL;
	}
	f = fdopen(fd, "w");
	nft_rec_write(f, NFT_REC_START, NULL, 0);
	fill(f, arg);
	fclose(f);
	*ret = nft_replay_ruleset(rs, path);
	unlink(path);
	return rs;
}

struct udata_case {
	const uint8_t *rule_ud, *set_ud;
	uint32_t rule_len, set_len;
};

static void fill_udata(FILE *f, void *arg)
{
	const struct udata_case *u = arg;
	struct nftnl_rule *r = craft_rule(u->rule_ud, u->rule_len);
	struct nftnl_set *s = craft_set("s", u->set_ud, u->set_len);

	craft_read(f, &s, 1, &r, 1);
	nftnl_rule_free(r);
	nftnl_set_free(s);
}

/* Rule and set user data are the rule writer's bytes: a TLV that runs
 * past the attribute is not read (issue 17: a comment read out of bounds
 * and printed; a set's key byte order read out of bounds). */
static void test_udata(void)
{
	/* NFTNL_UDATA_RULE_COMMENT "hi", and NFTNL_UDATA_SET_KEYBYTEORDER 1 */
	static const uint8_t good_rule[] = { 0, 3, 'h', 'i', 0 };
	static const uint8_t good_set[] = { 0, 4, 1, 0, 0, 0 };
	/* a comment of 40 bytes in 5; a byte order of 4 bytes in 4 */
	static const uint8_t long_comment[] = { 0, 40, 'h', 'i', 0 };
	static const uint8_t short_order[] = { 0, 4, 1, 0 };
	/* a good TLV then half a header */
	static const uint8_t half_tlv[] = { 0, 3, 'h', 'i', 0, 0 };
	struct udata_case u;
	const struct rs_chain *c;
	struct ruleset *rs;
	int ret;

	u = (struct udata_case){ good_rule, good_set, sizeof(good_rule),
				 sizeof(good_set) };
	rs = craft_replay(fill_udata, &u, &ret);
	CHECK_EQ(ret, 0);
	c = rs ? chain(rs, NFPROTO_IPV4, "t", "c") : NULL;
	CHECK(c && c->nrules == 1);
	if (c && c->nrules == 1)
		CHECK_STR(c->rules[0].comment, "hi");
	CHECK_EQ(rs ? rs->nnotes : 1, 0);
	ruleset_free(rs);

	u = (struct udata_case){ long_comment, short_order,
				 sizeof(long_comment), sizeof(short_order) };
	rs = craft_replay(fill_udata, &u, &ret);
	CHECK_EQ(ret, 0);
	c = rs ? chain(rs, NFPROTO_IPV4, "t", "c") : NULL;
	CHECK(c && c->nrules == 1);
	if (c && c->nrules == 1)
		CHECK(c->rules[0].comment == NULL);
	CHECK(rs && has_note(rs, "ip t c: rule 1 has malformed user data"));
	CHECK(rs && has_note(rs, "ip t set s has malformed user data"));
	CHECK(rs && set(rs, "t", "s"));
	ruleset_free(rs);

	u = (struct udata_case){ half_tlv, NULL, sizeof(half_tlv), 0 };
	rs = craft_replay(fill_udata, &u, &ret);
	CHECK_EQ(ret, 0);
	c = rs ? chain(rs, NFPROTO_IPV4, "t", "c") : NULL;
	if (c && c->nrules == 1)
		CHECK(c->rules[0].comment == NULL);
	CHECK(rs && has_note(rs, "rule 1 has malformed user data"));
	ruleset_free(rs);
}

/* The answer to GETGEN, broken as the name says. */
enum broken { BROKEN_ERRNO_INTMIN, BROKEN_LEN_HUGE, BROKEN_LEN_LOOP,
	      BROKEN_LEN_SHORT };

static void fill_broken(FILE *f, void *arg)
{
	enum broken how = *(enum broken *)arg;
	char req[NFT_REQSIZ], ans[256];
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	nlh = nft_req(req, NFT_MSG_GETGEN, NFPROTO_UNSPEC, NLM_F_ACK);
	nft_rec_write(f, NFT_REC_REQUEST, nlh, nlh->nlmsg_len);
	memset(ans, 0, sizeof(ans));
	if (how == BROKEN_ERRNO_INTMIN) {
		nlh = mnl_nlmsg_put_header(ans);
		nlh->nlmsg_type = NLMSG_ERROR;
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
		e->error = INT_MIN;
		craft_msg(f, nlh);
		return;
	}
	/* a message libmnl skips without a callback, so that nothing but
	 * its length decides where the walk goes */
	nlh = mnl_nlmsg_put_header(ans);
	nlh->nlmsg_type = NLMSG_NOOP;
	switch (how) {
	case BROKEN_LEN_HUGE:
		nlh->nlmsg_len = 0xc0000000u;
		break;
	case BROKEN_LEN_LOOP:
		nlh->nlmsg_len = 0xfffffffdu;
		break;
	default:
		nlh->nlmsg_len = 8;
		break;
	}
	nft_rec_write(f, NFT_REC_RECV, ans, 36);
}

/* libmnl 1.0.4 walks a message of nlmsg_len >= 2^31 gigabytes ahead and
 * never past one of 0xfffffffd; an error code of INT_MIN has no negation
 * (issue 17).  Each is a clean error. */
static void test_broken_netlink(void)
{
	static const struct { enum broken how; int ret; } cases[] = {
		{ BROKEN_ERRNO_INTMIN, -EPROTO },
		{ BROKEN_LEN_HUGE, -EBADMSG },
		{ BROKEN_LEN_LOOP, -EBADMSG },
		{ BROKEN_LEN_SHORT, -EBADMSG },
	};
	struct ruleset *rs;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		enum broken how = cases[i].how;

		rs = craft_replay(fill_broken, &how, &ret);
		CHECK_EQ(ret, cases[i].ret);
		CHECK(rs && rs->nchains == 0);
		ruleset_free(rs);
	}
}

/* Raw messages of table ip t, chain c: what libnftnl must never see. */
static struct nlmsghdr *raw_start(char *buf, uint16_t cmd)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, 4096);
	nlh = nftnl_nlmsg_build_hdr(buf, cmd, NFPROTO_IPV4, NLM_F_MULTI, 0);
	mnl_attr_put_strz(nlh, cmd == NFT_MSG_NEWRULE ? NFTA_RULE_TABLE :
			  NFTA_CHAIN_TABLE, "t");
	return nlh;
}

/* A rule of chain c with one expression: name (NULL: none) and, inside its
 * NFTA_EXPR_DATA, what put() writes. */
static struct nlmsghdr *raw_rule(char *buf, const char *name,
				 void (*put)(struct nlmsghdr *nlh))
{
	struct nlmsghdr *nlh = raw_start(buf, NFT_MSG_NEWRULE);
	struct nlattr *exprs, *elem, *data;

	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "c");
	mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE, htobe64(2));
	exprs = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	if (name)
		mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, name);
	data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	if (put)
		put(nlh);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, exprs);
	return nlh;
}

static void put_counter(struct nlmsghdr *nlh)
{
	mnl_attr_put_u64(nlh, NFTA_COUNTER_PACKETS, 0);
	mnl_attr_put_u64(nlh, NFTA_COUNTER_BYTES, 0);
}

static void put_counter_u32(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, NFTA_COUNTER_PACKETS, 0);
}

/* immediate: a jump that names no chain */
static void put_jump_nowhere(struct nlmsghdr *nlh)
{
	struct nlattr *d, *v;

	mnl_attr_put_u32(nlh, NFTA_IMMEDIATE_DREG, htonl(NFT_REG_VERDICT));
	d = mnl_attr_nest_start(nlh, NFTA_IMMEDIATE_DATA);
	v = mnl_attr_nest_start(nlh, NFTA_DATA_VERDICT);
	mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE, htonl((uint32_t)NFT_JUMP));
	mnl_attr_nest_end(nlh, v);
	mnl_attr_nest_end(nlh, d);
}

/* immediate: a value and a verdict at once */
static void put_value_and_verdict(struct nlmsghdr *nlh)
{
	struct nlattr *d, *v;

	mnl_attr_put_u32(nlh, NFTA_IMMEDIATE_DREG, htonl(NFT_REG_VERDICT));
	d = mnl_attr_nest_start(nlh, NFTA_IMMEDIATE_DATA);
	mnl_attr_put_u32(nlh, NFTA_DATA_VALUE, 1);
	v = mnl_attr_nest_start(nlh, NFTA_DATA_VERDICT);
	mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE, htonl(NF_ACCEPT));
	mnl_attr_nest_end(nlh, v);
	mnl_attr_nest_end(nlh, d);
}

/* cmp against a verdict: libnftnl 1.2.4 strdup()s its chain and never
 * frees it (found by fuzz_nft) */
static void put_cmp_verdict(struct nlmsghdr *nlh)
{
	struct nlattr *d, *v;

	mnl_attr_put_u32(nlh, NFTA_CMP_SREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(nlh, NFTA_CMP_OP, htonl(NFT_CMP_EQ));
	d = mnl_attr_nest_start(nlh, NFTA_CMP_DATA);
	v = mnl_attr_nest_start(nlh, NFTA_DATA_VERDICT);
	mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE, htonl((uint32_t)NFT_JUMP));
	mnl_attr_put_strz(nlh, NFTA_VERDICT_CHAIN, "c");
	mnl_attr_nest_end(nlh, v);
	mnl_attr_nest_end(nlh, d);
}

static void fill_raw(FILE *f, void *arg)
{
	struct crafted *k = arg;

	craft_read_with(f, k);
}

/* Messages that fail the nf_tables attribute policy are -EPROTO before
 * libnftnl 1.2.4 sees them: it would strcmp() a missing expression name,
 * exit() on an attribute of the wrong size, strdup() a chain it never
 * read, leak a string given twice (issue 17).  The same messages made
 * right are read. */
static void test_policy(void)
{
	struct nlattr *elems, *elem, *key;
	struct nftnl_set *s1;
	char buf[4096];
	struct crafted k;
	struct nlmsghdr *nlh;
	const struct rs_chain *c;
	struct ruleset *rs;
	int ret;

	/* well-formed: read */
	memset(&k, 0, sizeof(k));
	k.raw_rule = raw_rule(buf, "counter", put_counter);
	rs = craft_replay(fill_raw, &k, &ret);
	CHECK_EQ(ret, 0);
	c = rs ? chain(rs, NFPROTO_IPV4, "t", "c") : NULL;
	CHECK(c && c->nrules == 1);
	ruleset_free(rs);

	/* an expression without a name */
	k.raw_rule = raw_rule(buf, NULL, put_counter);
	rs = craft_replay(fill_raw, &k, &ret);
	CHECK_EQ(ret, -EPROTO);
	CHECK(rs && rs->nchains == 0);
	ruleset_free(rs);

	/* a counter of 4 bytes: libnftnl would exit() */
	k.raw_rule = raw_rule(buf, "counter", put_counter_u32);
	rs = craft_replay(fill_raw, &k, &ret);
	CHECK_EQ(ret, -EPROTO);
	ruleset_free(rs);

	/* a jump to no chain; a value and a verdict */
	k.raw_rule = raw_rule(buf, "immediate", put_jump_nowhere);
	rs = craft_replay(fill_raw, &k, &ret);
	CHECK_EQ(ret, -EPROTO);
	ruleset_free(rs);
	k.raw_rule = raw_rule(buf, "immediate", put_value_and_verdict);
	rs = craft_replay(fill_raw, &k, &ret);
	CHECK_EQ(ret, -EPROTO);
	ruleset_free(rs);
	k.raw_rule = raw_rule(buf, "cmp", put_cmp_verdict);
	rs = craft_replay(fill_raw, &k, &ret);
	CHECK_EQ(ret, -EPROTO);
	ruleset_free(rs);

	/* a string given twice */
	nlh = raw_rule(buf, "counter", put_counter);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "c");
	k.raw_rule = nlh;
	rs = craft_replay(fill_raw, &k, &ret);
	CHECK_EQ(ret, -EPROTO);
	ruleset_free(rs);

	/* an element attribute of a type libnftnl 1.2.4 writes past its
	 * table (found by fuzz_nft) */
	memset(&k, 0, sizeof(k));
	s1 = craft_set("s", NULL, 0);
	k.sets = &s1;
	k.nsets = 1;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSETELEM, NFPROTO_IPV4,
				    NLM_F_MULTI, 0);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, "t");
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, "s");
	elems = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	key = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
	mnl_attr_put_u16(nlh, NFTA_DATA_VALUE, htons(22));
	mnl_attr_nest_end(nlh, key);
	mnl_attr_put_u32(nlh, NFTA_SET_MAX - 1, 0);
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, elems);
	k.raw_elems = nlh;
	rs = craft_replay(fill_raw, &k, &ret);
	CHECK_EQ(ret, -EPROTO);
	ruleset_free(rs);
	nftnl_set_free(s1);

	/* a chain whose policy is 2 bytes, or whose name is not a string */
	memset(&k, 0, sizeof(k));
	nlh = raw_start(buf, NFT_MSG_NEWCHAIN);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "c");
	mnl_attr_put_u16(nlh, NFTA_CHAIN_POLICY, 1);
	k.raw_chain = nlh;
	rs = craft_replay(fill_raw, &k, &ret);
	CHECK_EQ(ret, -EPROTO);
	ruleset_free(rs);
	nlh = raw_start(buf, NFT_MSG_NEWCHAIN);
	mnl_attr_put(nlh, NFTA_CHAIN_NAME, 1, "c");
	k.raw_chain = nlh;
	rs = craft_replay(fill_raw, &k, &ret);
	CHECK_EQ(ret, -EPROTO);
	ruleset_free(rs);
}

static int print_file(const char *path)
{
	struct ruleset *rs = ruleset_new();
	int ret;

	if (!rs)
		return 1;
	ret = nft_replay_ruleset(rs, path);
	if (ret < 0) {
		fprintf(stderr, "replay %s: %s\n", path, strerror(-ret));
		ruleset_free(rs);
		return 1;
	}
	rsprint_text(rs, stdout);
	ruleset_free(rs);
	return 0;
}

static int record(void)
{
	struct ruleset *rs = ruleset_new();
	int ret;

	if (!rs)
		return 1;
	ret = nft_dump_ruleset(rs);
	ruleset_free(rs);
	if (ret < 0) {
		fprintf(stderr, "nft_dump_ruleset: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--record"))
		return record();
	if (argc == 3 && !strcmp(argv[1], "--print"))
		return print_file(argv[2]);
	{
		const char *top = getenv("top_srcdir");

		if (top)
			snprintf(fixture_dir, sizeof(fixture_dir),
				 "%s/tests/fixtures/nft", top);
		else
			snprintf(fixture_dir, sizeof(fixture_dir),
				 "%.4000s/../fixtures/nft", dirname_of(__FILE__));
	}
	test_inet();
	test_nat();
	test_l2();
	test_ip6();
	test_iptables();
	test_hdr();
	test_empty();
	test_big();
	test_retry();
	test_absent();
	test_udata();
	test_broken_netlink();
	test_policy();
	test_cthobj();
	return unit_done();
}
