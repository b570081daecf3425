// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ipset.c - ipsets read from the conversation ipset_dump_ruleset()
 * records (auditd/readers/ipset.c), made here as the kernel fills it
 * (net/netfilter/ipset/ip_set_core.c ip_set_dump_do(): a set's first
 * message with its name, type, family, index and header, the elements in
 * an IPSET_ATTR_ADT nest, continued in messages that carry only the name).
 *
 * The painting of nomatch prefixes is checked against the kernel's rule
 * (the most specific element holding an address decides) on random sets.
 *
 * With IPSET_SEED_OUT set, the first recording is written there (the
 * fuzzer's seed, tests/fixtures/ipset/sets.bin).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <linux/netfilter/xt_set.h>

#include <libmnl/libmnl.h>

#include "engine.h"
#include "ipset.h"
#include "report.h"
#include "rsprint.h"
#include "ruleset.h"
#include "unit.h"
#include "xt.h"

static char rec[1 << 20];
static size_t reclen;

static struct nlmsghdr *put(uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(rec + reclen);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_IPSET << 8) | cmd;
	nlh->nlmsg_flags = flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = NFPROTO_IPV4;
	g->version = NFNETLINK_V0;
	mnl_attr_put_u8(nlh, IPSET_ATTR_PROTOCOL, IPSET_PROTOCOL);
	return nlh;
}

static void end(struct nlmsghdr *nlh)
{
	reclen += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void done(uint16_t type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(rec + reclen);
	int *v;

	nlh->nlmsg_type = type;
	if (type == NLMSG_ERROR) {
		struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh,
								sizeof(*e));
		e->error = 0;
	} else {
		v = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
		*v = 0;
	}
	end(nlh);
}

/* The protocol exchange and the LIST request. */
static void begin(void)
{
	struct nlmsghdr *nlh;

	reclen = 0;
	end(put(IPSET_CMD_PROTOCOL, NLM_F_REQUEST | NLM_F_ACK));
	end(put(IPSET_CMD_PROTOCOL, 0));
	done(NLMSG_ERROR);
	nlh = put(IPSET_CMD_LIST, NLM_F_REQUEST | NLM_F_DUMP);
	end(nlh);
}

static struct nlmsghdr *set_head(const char *name, const char *type,
				 uint8_t family, uint16_t index,
				 uint8_t netmask)
{
	struct nlmsghdr *nlh = put(IPSET_CMD_LIST, NLM_F_MULTI);
	struct nlattr *n;

	mnl_attr_put_strz(nlh, IPSET_ATTR_SETNAME, name);
	mnl_attr_put_strz(nlh, IPSET_ATTR_TYPENAME, type);
	mnl_attr_put_u8(nlh, IPSET_ATTR_REVISION, 1);
	mnl_attr_put_u8(nlh, IPSET_ATTR_FAMILY, family);
	mnl_attr_put_u16(nlh, IPSET_ATTR_INDEX | NLA_F_NET_BYTEORDER,
			 htons(index));
	n = mnl_attr_nest_start(nlh, IPSET_ATTR_DATA);
	if (netmask)
		mnl_attr_put_u8(nlh, IPSET_ATTR_NETMASK, netmask);
	mnl_attr_put_u32(nlh, IPSET_ATTR_ELEMENTS | NLA_F_NET_BYTEORDER, 0);
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

static struct nlmsghdr *set_more(const char *name)
{
	struct nlmsghdr *nlh = put(IPSET_CMD_LIST, NLM_F_MULTI);

	mnl_attr_put_strz(nlh, IPSET_ATTR_SETNAME, name);
	return nlh;
}

struct elem {
	const char *ip;		/* NULL: none (list:set) */
	uint8_t cidr;		/* 0: none */
	uint8_t proto;
	uint16_t port;		/* with proto */
	const char *ip2;
	uint8_t cidr2;
	const char *iface;
	const char *name;	/* list:set */
	uint32_t flags;		/* IPSET_FLAG_NOMATCH ... */
	uint32_t timeout;
};

static void put_ip(struct nlmsghdr *nlh, uint16_t type, const char *ip)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);
	uint8_t a[16];

	if (inet_pton(AF_INET, ip, a) == 1)
		mnl_attr_put(nlh, IPSET_ATTR_IPADDR_IPV4 | NLA_F_NET_BYTEORDER,
			     4, a);
	else if (inet_pton(AF_INET6, ip, a) == 1)
		mnl_attr_put(nlh, IPSET_ATTR_IPADDR_IPV6, 16, a);
	mnl_attr_nest_end(nlh, n);
}

static void elems(struct nlmsghdr *nlh, const struct elem *e, size_t n)
{
	struct nlattr *adt = mnl_attr_nest_start(nlh, IPSET_ATTR_ADT), *d;
	size_t i;

	for (i = 0; i < n; i++) {
		d = mnl_attr_nest_start(nlh, IPSET_ATTR_DATA);
		if (e[i].ip)
			put_ip(nlh, IPSET_ATTR_IP, e[i].ip);
		if (e[i].cidr)
			mnl_attr_put_u8(nlh, IPSET_ATTR_CIDR, e[i].cidr);
		if (e[i].proto) {
			mnl_attr_put_u16(nlh, IPSET_ATTR_PORT |
					 NLA_F_NET_BYTEORDER, htons(e[i].port));
			mnl_attr_put_u8(nlh, IPSET_ATTR_PROTO, e[i].proto);
		}
		if (e[i].ip2)
			put_ip(nlh, IPSET_ATTR_IP2, e[i].ip2);
		if (e[i].cidr2)
			mnl_attr_put_u8(nlh, IPSET_ATTR_CIDR2, e[i].cidr2);
		if (e[i].iface)
			mnl_attr_put_strz(nlh, IPSET_ATTR_IFACE, e[i].iface);
		if (e[i].name)
			mnl_attr_put_strz(nlh, IPSET_ATTR_NAME, e[i].name);
		if (e[i].timeout)
			mnl_attr_put_u32(nlh, IPSET_ATTR_TIMEOUT |
					 NLA_F_NET_BYTEORDER,
					 htonl(e[i].timeout));
		if (e[i].flags)
			mnl_attr_put_u32(nlh, IPSET_ATTR_CADT_FLAGS |
					 NLA_F_NET_BYTEORDER,
					 htonl(e[i].flags));
		mnl_attr_nest_end(nlh, d);
	}
	mnl_attr_nest_end(nlh, adt);
}

static rs_u128 v4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return ntohl(a.s_addr);
}

static rs_u128 v6(const char *s)
{
	uint8_t a[16];
	rs_u128 v = 0;
	int k;

	inet_pton(AF_INET6, s, a);
	for (k = 0; k < 16; k++)
		v = v << 8 | a[k];
	return v;
}

static const struct rs_ipset *named(const struct ruleset *rs, const char *n)
{
	size_t i;

	for (i = 0; i < rs->nipsets; i++)
		if (!strcmp(rs->ipsets[i].name, n))
			return &rs->ipsets[i];
	return NULL;
}

/* Whether the tuple's first field holds a, in s. */
static bool holds(const struct rs_set *s, rs_u128 a)
{
	size_t e;

	for (e = 0; s && e < s->nelems; e++)
		if (s->elems[e * s->nfields].lo <= a &&
		    a <= s->elems[e * s->nfields].hi)
			return true;
	return false;
}

static bool note_has(const struct ruleset *rs, const char *what)
{
	size_t i;

	for (i = 0; i < rs->nnotes; i++)
		if (strstr(rs->notes[i], what))
			return true;
	return false;
}

static void test_sets(void)
{
	static const struct elem allow1[] = {
		{ .ip = "203.0.113.0", .cidr = 24 },
		{ .ip = "203.0.113.128", .cidr = 25,
		  .flags = IPSET_FLAG_NOMATCH },
	}, allow2[] = {
		{ .ip = "203.0.113.192", .cidr = 26 },
	}, ipp[] = {
		{ .ip = "198.51.100.9", .proto = IPPROTO_TCP, .port = 22,
		  .timeout = 300 },
		{ .ip = "198.51.100.9", .proto = IPPROTO_UDP, .port = 53 },
	}, six[] = {
		{ .ip = "2001:db8:1::", .cidr = 48 },
	}, lst[] = {
		{ .name = "allow" }, { .name = "six" },
	}, mac[] = {
		{ .ip = "198.51.100.1" },
	}, nif[] = {
		{ .ip = "10.0.0.0", .cidr = 8, .iface = "eth", .flags =
		  IPSET_FLAG_IFACE_WILDCARD },
	}, masked[] = {
		{ .ip = "192.0.2.0" },
	};
	struct ruleset *rs = ruleset_new();
	const struct rs_ipset *s;
	struct nlmsghdr *nlh;
	FILE *f;

	begin();
	nlh = set_head("allow", "hash:net", NFPROTO_IPV4, 0, 0);
	elems(nlh, allow1, 2);
	end(nlh);
	nlh = set_more("allow");
	elems(nlh, allow2, 1);
	end(nlh);
	nlh = set_head("ipp", "hash:ip,port", NFPROTO_IPV4, 1, 0);
	elems(nlh, ipp, 2);
	end(nlh);
	nlh = set_head("six", "hash:net", NFPROTO_IPV6, 2, 0);
	elems(nlh, six, 1);
	end(nlh);
	nlh = set_head("lst", "list:set", NFPROTO_UNSPEC, 3, 0);
	elems(nlh, lst, 2);
	end(nlh);
	nlh = set_head("mac", "hash:ip,mac", NFPROTO_IPV4, 4, 0);
	elems(nlh, mac, 1);
	end(nlh);
	nlh = set_head("nif", "hash:net,iface", NFPROTO_IPV4, 5, 0);
	elems(nlh, nif, 1);
	end(nlh);
	nlh = set_head("masked", "hash:ip", NFPROTO_IPV4, 6, 24);
	elems(nlh, masked, 1);
	end(nlh);
	done(NLMSG_DONE);
	if (getenv("IPSET_SEED_OUT")) {
		f = fopen(getenv("IPSET_SEED_OUT"), "w");
		CHECK(f && fwrite(rec, reclen, 1, f) == 1);
		if (f)
			fclose(f);
	}

	CHECK(rs != NULL);
	CHECK_EQ(ipset_replay_buf(rs, rec, reclen), 0);
	CHECK_EQ(rs->nipsets, 7);

	/* the nomatch /25 is cut out of the /24, the /26 inside it back */
	s = named(rs, "allow");
	CHECK(s && s->decided && s->dim == 1 && s->kinds[0] == RS_IPSET_ADDR);
	CHECK(s && s->in && s->nomatch);
	CHECK(s && s->index == 0 && s->nelems == 3);
	CHECK(s && holds(s->in, v4("203.0.113.0")));
	CHECK(s && holds(s->in, v4("203.0.113.127")));
	CHECK(s && !holds(s->in, v4("203.0.113.128")));
	CHECK(s && !holds(s->in, v4("203.0.113.191")));
	CHECK(s && holds(s->in, v4("203.0.113.192")));
	CHECK(s && holds(s->in, v4("203.0.113.255")));
	CHECK(s && !holds(s->in, v4("203.0.114.0")));
	CHECK(s && holds(s->nomatch, v4("203.0.113.130")));
	CHECK(s && !holds(s->nomatch, v4("203.0.113.200")));
	CHECK(s && !holds(s->nomatch, v4("203.0.113.1")));

	/* address, protocol, port: three fields; a timeout is noted */
	s = named(rs, "ipp");
	CHECK(s && s->decided && s->dim == 2 && s->in->nfields == 3);
	CHECK(s && s->in->nelems == 2 && s->timeouts);
	CHECK(s && s->in->elems[1].lo == IPPROTO_TCP &&
	      s->in->elems[2].lo == 22);
	CHECK(note_has(rs, "ipset ipp (hash:ip,port): elements with a "
			   "timeout"));

	s = named(rs, "six");
	CHECK(s && s->decided && s->family == NFPROTO_IPV6);
	CHECK(s && holds(s->in, v6("2001:db8:1:ffff::1")));
	CHECK(s && !holds(s->in, v6("2001:db8:2::1")));

	s = named(rs, "lst");
	CHECK(s && s->decided && s->list && s->nmembers == 2);
	CHECK(s && s->members[0] == 0 && s->members[1] == 2);

	/* a type the engine does not follow: named, with why */
	s = named(rs, "mac");
	CHECK(s && !s->decided && s->why);
	CHECK(note_has(rs, "ipset mac (hash:ip,mac): its matches stay "
			   "undecided"));

	s = named(rs, "nif");
	CHECK(s && s->decided && s->kinds[1] == RS_IPSET_IFACE);
	CHECK(s && s->in->elems[1].lo == rs_ifname_interval("eth", true).lo &&
	      s->in->elems[1].hi == rs_ifname_interval("eth", true).hi);

	/* hash:ip with netmask 24: the element stands for its /24 */
	s = named(rs, "masked");
	CHECK(s && holds(s->in, v4("192.0.2.77")));
	CHECK(s && !holds(s->in, v4("192.0.3.0")));
	CHECK_EQ(ruleset_ipset(rs, 6) == s, 1);
	ruleset_free(rs);
}

/* What the kernel refuses to list never comes from a recording. */
static void test_malformed(void)
{
	static const struct elem badcidr[] = {
		{ .ip = "203.0.113.1", .cidr = 24 },	/* host bits */
	}, dup[] = {
		{ .ip = "203.0.113.0", .cidr = 24 },
		{ .ip = "203.0.113.0", .cidr = 24, .flags = IPSET_FLAG_NOMATCH },
	}, six_in_four[] = {
		{ .ip = "2001:db8::1" },
	}, noport[] = {
		{ .ip = "198.51.100.1" },
	};
	static const struct {
		const char *type;
		const struct elem *e;
	} cases[] = {
		{ "hash:net", badcidr },
		{ "hash:net", dup },
		{ "hash:ip", six_in_four },
		{ "hash:ip,port", noport },
	};
	struct ruleset *rs;
	struct nlmsghdr *nlh;
	size_t i, cut;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		begin();
		nlh = set_head("s", cases[i].type, NFPROTO_IPV4, 0, 0);
		elems(nlh, cases[i].e, cases[i].e == dup ? 2 : 1);
		end(nlh);
		done(NLMSG_DONE);
		rs = ruleset_new();
		CHECK_EQ(ipset_replay_buf(rs, rec, reclen), -EBADMSG);
		CHECK_EQ(rs->nipsets, 0);
		ruleset_free(rs);
	}
	/* a continuation of a set that did not begin; a cut answer */
	begin();
	end(set_more("nobody"));
	done(NLMSG_DONE);
	rs = ruleset_new();
	CHECK_EQ(ipset_replay_buf(rs, rec, reclen), -EBADMSG);
	cut = reclen - 20;
	CHECK_EQ(ipset_replay_buf(rs, rec, cut), -EBADMSG);
	CHECK_EQ(rs->nipsets, 0);
	ruleset_free(rs);
}

/* Random prefixes of 10.0.0.0/16, some nomatch: every address takes the
 * label of the most specific prefix holding it (mtype_test_cidrs()). */
static void test_paint_random(void)
{
	static struct elem e[64];
	static char ips[64][16];
	unsigned int seed = 7, round, i, k, a;

	for (round = 0; round < 40; round++) {
		struct ruleset *rs = ruleset_new();
		const struct rs_ipset *s;
		struct nlmsghdr *nlh;
		unsigned int n = 1 + rand_r(&seed) % 40, nn = 0;
		uint32_t net[64], len[64];

		for (i = 0; i < n; i++) {
			uint32_t l = 16 + rand_r(&seed) % 17, x;

			x = (10u << 24) | (rand_r(&seed) & 0xffff);
			x &= l == 32 ? ~0u : ~((1u << (32 - l)) - 1);
			for (k = 0; k < nn; k++)
				if (net[k] == x && len[k] == l)
					break;
			if (k < nn)
				continue;	/* a set holds a prefix once */
			net[nn] = x;
			len[nn] = l;
			snprintf(ips[nn], sizeof(ips[nn]), "%u.%u.%u.%u",
				 x >> 24, (x >> 16) & 255, (x >> 8) & 255,
				 x & 255);
			memset(&e[nn], 0, sizeof(e[nn]));
			e[nn].ip = ips[nn];
			e[nn].cidr = (uint8_t)l;
			e[nn].flags = rand_r(&seed) % 3 ? 0 : IPSET_FLAG_NOMATCH;
			nn++;
		}
		begin();
		nlh = set_head("r", "hash:net", NFPROTO_IPV4, 0, 0);
		elems(nlh, e, nn);
		end(nlh);
		done(NLMSG_DONE);
		CHECK_EQ(ipset_replay_buf(rs, rec, reclen), 0);
		s = named(rs, "r");
		CHECK(s && s->decided);
		for (a = 0; s && a < 2000; a++) {
			uint32_t x = (10u << 24) | (rand_r(&seed) & 0xffff);
			int best = -1;

			/* the boundaries matter most */
			if (a < 2 * nn) {
				x = net[a / 2];
				if (a & 1)
					x |= len[a / 2] == 32 ? 0 :
					     (1u << (32 - len[a / 2])) - 1;
			}
			for (k = 0; k < nn; k++) {
				uint32_t m = len[k] == 32 ? ~0u :
					     ~((1u << (32 - len[k])) - 1);

				if ((x & m) == net[k] &&
				    (best < 0 || len[k] > len[best]))
					best = (int)k;
			}
			CHECK_EQ(holds(s->in, x),
				 best >= 0 && !(e[best].flags &
						IPSET_FLAG_NOMATCH));
			CHECK_EQ(holds(s->nomatch, x),
				 best >= 0 && (e[best].flags &
					       IPSET_FLAG_NOMATCH));
		}
		ruleset_free(rs);
	}
}

/* A legacy ip filter INPUT rule: tcp dport port, then the x_tables
 * "set" match of the set of kernel index idx on dimension dir (src:
 * true), then verdict. */
static struct rs_rule *set_rule(struct rs_chain *c, uint16_t port,
				uint16_t idx, bool src, bool invert,
				enum rs_verdict_kind verdict)
{
	struct xt_set_info_match_v1 m;
	struct rs_rule *r = rs_chain_add_rule(c);

	memset(&m, 0, sizeof(m));
	m.match_set.index = idx;
	m.match_set.dim = 1;
	m.match_set.flags = (src ? IPSET_DIM_ONE_SRC : 0) |
			    (invert ? IPSET_INV_MATCH : 0);
	CHECK_EQ(rs_match_set_range(rs_rule_add_match(r), RS_F_L4PROTO,
				    IPPROTO_TCP, IPPROTO_TCP, false), 0);
	CHECK_EQ(rs_match_set_range(rs_rule_add_match(r), RS_F_DPORT, port,
				    port, false), 0);
	CHECK_EQ(xt_decode_match(r, NFPROTO_IPV4, "set", 1, &m, sizeof(m)),
		 0);
	r->verdict.kind = verdict;
	return r;
}

static bool has(const char *s, const char *what)
{
	return s && strstr(s, what);
}

/*
 * Where people read a set match, the set's name as iptables-save shows
 * it, wherever the ipsets were read: the rules printed (text and JSON),
 * an exposure's unknown list for an undecided set (hash:ip,mac), a SET
 * target; "index N" for a set that was not read (a ruleset without its
 * ipsets, an index no set has).
 */
static void test_names(void)
{
	static const struct elem blk[] = {
		{ .ip = "198.51.100.7" },
	}, mac[] = {
		{ .ip = "198.51.100.1" },
	};
	struct xt_set_info_target_v2 t;
	struct ruleset *rs = ruleset_new();
	struct engine_input in = { .rs = rs };
	struct engine_result *res = NULL;
	struct report *rep = NULL;
	struct rs_rule *r1, *r2, *r3;
	struct rs_chain *c;
	struct nlmsghdr *nlh;
	char *s, *json = NULL;
	size_t i, k, jlen = 0;
	bool found = false, index_shown = false;
	FILE *f;

	CHECK(rs != NULL);
	c = ruleset_add_chain(rs, RS_ORIGIN_LEGACY, NFPROTO_IPV4, "filter",
			      "INPUT");
	c->base = true;
	c->hook = NF_INET_LOCAL_IN;
	c->policy = RS_V_ACCEPT;
	c->type = strdup("filter");
	/* -p tcp --dport 22 -m set --match-set macs src -j DROP */
	r1 = set_rule(c, 22, 4, true, false, RS_V_DROP);
	/* -j SET --add-set blk src --del-set (9) dst --timeout 60 */
	r2 = rs_chain_add_rule(c);
	memset(&t, 0, sizeof(t));
	t.add_set.index = 3;
	t.add_set.dim = 1;
	t.add_set.flags = IPSET_DIM_ONE_SRC;
	t.del_set.index = 9;
	t.del_set.dim = 1;
	t.timeout = 60;
	CHECK_EQ(xt_decode_target(r2, NFPROTO_IPV4, "SET", 2, &t, sizeof(t)),
		 0);
	/* -p tcp --dport 24 -m set ! --match-set (9) dst -j DROP */
	set_rule(c, 24, 9, false, true, RS_V_DROP);
	/* each rs_chain_add_rule() may move the chain's rules */
	r1 = &c->rules[0];
	r2 = &c->rules[1];
	r3 = &c->rules[2];

	/* before the ipsets are read: by index */
	s = rsprint_rule(rs, r1);
	CHECK_STR(s, "l4proto tcp dport 22 "
		  "set match-set index 4 src drop");
	free(s);

	begin();
	nlh = set_head("blk", "hash:ip", NFPROTO_IPV4, 3, 0);
	elems(nlh, blk, 1);
	end(nlh);
	nlh = set_head("macs", "hash:ip,mac", NFPROTO_IPV4, 4, 0);
	elems(nlh, mac, 1);
	end(nlh);
	done(NLMSG_DONE);
	CHECK_EQ(ipset_replay_buf(rs, rec, reclen), 0);
	CHECK_EQ(rs->nipsets, 2);

	s = rsprint_rule(rs, r1);
	CHECK_STR(s, "l4proto tcp dport 22 "
		  "set match-set macs src drop");
	free(s);
	s = rsprint_match(rs, &r1->matches[2]);
	CHECK_STR(s, "set match-set macs src");
	free(s);
	/* no ruleset: the index, as the rule holds it */
	s = rsprint_match(NULL, &r1->matches[2]);
	CHECK_STR(s, "set match-set index 4 src");
	free(s);
	/* a SET target: the set read named, the other by index */
	s = rsprint_rule(rs, r2);
	CHECK_STR(s, "SET add-set blk src del-set index 9 dst timeout 60");
	free(s);
	s = rsprint_rule(rs, r3);
	CHECK_STR(s, "l4proto tcp dport 24 ! "
		  "set match-set index 9 dst drop");
	free(s);

	/* rsprint_json(): the match's value and the rule's text */
	f = open_memstream(&json, &jlen);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(rsprint_json(rs, f), 0);
		fclose(f);
	}
	CHECK(has(json, "\"value\": \"match-set macs src\""));
	CHECK(has(json, "\"text\": \"add-set blk src del-set index 9 dst "
		  "timeout 60\""));
	CHECK(!has(json, "index 4"));
	CHECK(!has(json, "index 3"));
	free(json);

	/* the undecided set makes tcp/22 possible: its unknown list names
	 * the set (report_build() with the ruleset walked) */
	CHECK_EQ(engine_run(&in, &res), 0);
	CHECK_EQ(report_build(res, rs, NULL, NULL, &rep), 0);
	for (i = 0; rep && i < rep->nrows; i++) {
		const struct report_row *row = &rep->rows[i];

		if (row->proto != IPPROTO_TCP || row->port_lo > 22 ||
		    row->port_hi < 22 || !row->possible)
			continue;
		for (k = 0; k < row->nunknown; k++) {
			found |= has(row->unknown[k],
				     "set match-set macs src (ip filter "
				     "INPUT, rule 1)");
			index_shown |= has(row->unknown[k], "index");
		}
	}
	CHECK(found);
	CHECK(!index_shown);
	report_free(rep);
	engine_result_free(res);
	ruleset_free(rs);
}

int main(void)
{
	test_sets();
	test_names();
	test_malformed();
	test_paint_random();
	return unit_done();
}
