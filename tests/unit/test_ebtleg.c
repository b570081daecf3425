// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ebtleg.c - the ebtables-legacy blob decoder (ebtleg.c) on blobs
 * laid out as the kernel's EBT_SO_GET_ENTRIES hands them out: chain
 * headers, rules with ebt ip/ip6 matches, a watcher, standard targets and
 * a jump (the offset of the chain), user chains with policies, the broute
 * table; then every truncation and every flipped byte of one (nothing may
 * be read outside the blob, nothing half-decoded kept).
 *
 * EBTLEG_SEED_OUT=FILE writes the filter blob as a fuzz seed
 * (tests/fuzz/fuzz_ebtleg.c's input: table byte, valid_hooks, nentries,
 * entries), EBTLEG_REC_SEED_OUT=FILE the same table as a recording.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_bridge/ebt_ip.h>
#include <linux/netfilter_bridge/ebt_among.h>
#include <linux/netfilter_bridge/ebt_arp.h>
#include <linux/netfilter_bridge/ebt_ip6.h>
#include <linux/netfilter_bridge/ebt_limit.h>
#include <linux/netfilter_bridge/ebt_mark_m.h>
#include <linux/netfilter_bridge/ebt_mark_t.h>
#include <linux/netfilter_bridge/ebt_nat.h>
#include <linux/netfilter_bridge/ebt_pkttype.h>
#include <linux/netfilter_bridge/ebt_redirect.h>
#include <linux/netfilter_bridge/ebt_stp.h>
#include <linux/netfilter_bridge/ebt_vlan.h>
#include <linux/netfilter_bridge/ebtables.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base64.h"
#include "ebtleg.h"
#include "redact.h"
#include "ruleset.h"
#include "unit.h"
#include "xt.h"

#define ALIGN8(x)	(((x) + 7u) & ~7u)

struct bb {
	unsigned char buf[16384];
	size_t len;
	unsigned int nentries;
	size_t chain_at;	/* the open chain's header */
};

static void bb_chain(struct bb *b, const char *name, int policy)
{
	struct ebt_entries c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.policy = policy;
	b->chain_at = b->len;
	memcpy(b->buf + b->len, &c, sizeof(c));
	b->len += sizeof(c);
}

/* One rule: header fields from h, matches (name, data, len) then an
 * optional watcher, then the standard target with verdict or a named
 * target with its data. */
struct ext {
	const char *name;
	const void *data;
	size_t len;
};

static void bb_put_ext(struct bb *b, const struct ext *x)
{
	struct ebt_entry_match m;
	size_t dl = ALIGN8(x->len);

	memset(&m, 0, sizeof(m));
	snprintf(m.u.name, sizeof(m.u.name), "%s", x->name);
	m.match_size = (unsigned int)dl;
	memcpy(b->buf + b->len, &m, sizeof(m));
	memset(b->buf + b->len + sizeof(m), 0, dl);
	memcpy(b->buf + b->len + sizeof(m), x->data, x->len);
	b->len += sizeof(m) + dl;
}

/* A rule whose target is t (name, data, size). */
static void bb_rule_tg(struct bb *b, const struct ebt_entry *hdr,
		       const struct ext *matches, size_t nm,
		       const struct ext *watcher, struct ext t)
{
	struct ebt_entry e = *hdr;
	size_t start = b->len, i;
	struct ebt_entries c;

	e.bitmask |= EBT_ENTRY_OR_ENTRIES;
	b->len += sizeof(e);
	for (i = 0; i < nm; i++)
		bb_put_ext(b, &matches[i]);
	e.watchers_offset = (unsigned int)(b->len - start);
	if (watcher)
		bb_put_ext(b, watcher);
	e.target_offset = (unsigned int)(b->len - start);
	bb_put_ext(b, &t);
	e.next_offset = (unsigned int)(b->len - start);
	memcpy(b->buf + start, &e, sizeof(e));
	memcpy(&c, b->buf + b->chain_at, sizeof(c));
	c.nentries++;
	memcpy(b->buf + b->chain_at, &c, sizeof(c));
	b->nentries++;
}

static void bb_rule(struct bb *b, const struct ebt_entry *hdr,
		    const struct ext *matches, size_t nm,
		    const struct ext *watcher, const char *target, int verdict)
{
	struct ext t = { target ? target : EBT_STANDARD_TARGET, &verdict,
			 sizeof(verdict) };

	bb_rule_tg(b, hdr, matches, nm, watcher, t);
}

static struct ebt_entry proto(uint16_t p)
{
	struct ebt_entry e;

	memset(&e, 0, sizeof(e));
	if (p)
		e.ethproto = htons(p);
	else
		e.bitmask = EBT_NOPROTO;
	return e;
}

static size_t tcp_chain_off, deny_chain_off;
static void build_matches(struct bb *b);

/* filter: INPUT, FORWARD, OUTPUT, then user chains TCP (RETURN) and
 * DENY (policy DROP). */
static void build_filter(struct bb *b)
{
	struct ebt_ip_info ip;
	struct ebt_ip6_info ip6;
	struct ebt_entry e;
	unsigned int log = 0;
	struct ext mip = { "ip", &ip, sizeof(ip) };
	struct ext mip6 = { "ip6", &ip6, sizeof(ip6) };
	struct ext unk = { "among", &log, sizeof(log) };
	struct ext wlog = { "log", &log, sizeof(log) };
	size_t fixup;
	int jump;

	memset(b, 0, sizeof(*b));
	bb_chain(b, "INPUT", EBT_ACCEPT);
	/* 1: -p IPv4 --ip-proto tcp --ip-dport 22 -j DROP */
	memset(&ip, 0, sizeof(ip));
	ip.bitmask = EBT_IP_PROTO | EBT_IP_DPORT;
	ip.protocol = IPPROTO_TCP;
	ip.dport[0] = ip.dport[1] = 22;
	e = proto(ETH_P_IP);
	bb_rule(b, &e, &mip, 1, NULL, NULL, EBT_DROP);
	/* 2: -p IPv4 --ip-src 198.51.100.7 -j DROP */
	memset(&ip, 0, sizeof(ip));
	ip.bitmask = EBT_IP_SOURCE;
	ip.saddr = htonl(0xc6336407);
	ip.smsk = 0xffffffff;
	bb_rule(b, &e, &mip, 1, NULL, NULL, EBT_DROP);
	/* 3: -p IPv6 --ip6-proto udp --ip6-dport 53 -j DROP */
	memset(&ip6, 0, sizeof(ip6));
	ip6.bitmask = EBT_IP6_PROTO | EBT_IP6_DPORT;
	ip6.protocol = IPPROTO_UDP;
	ip6.dport[0] = ip6.dport[1] = 53;
	e = proto(ETH_P_IPV6);
	bb_rule(b, &e, &mip6, 1, NULL, NULL, EBT_DROP);
	/* 4: -p IPv4 -j TCP (the offset is filled in below) */
	e = proto(ETH_P_IP);
	fixup = b->len;
	bb_rule(b, &e, NULL, 0, NULL, NULL, 0);
	/* 5: -i eth+ --logical-in br0 --log -j CONTINUE */
	e = proto(0);
	memcpy(e.in, "eth\x01", 4);
	memcpy(e.logical_in, "br0", 3);
	bb_rule(b, &e, NULL, 0, &wlog, NULL, EBT_CONTINUE);
	/* 6: ! -i veth0 --among-dst ... -j ACCEPT: an among blob the
	 * kernel refuses (4 bytes): not decoded */
	e = proto(0);
	memcpy(e.in, "veth0", 5);
	e.invflags = EBT_IIN;
	bb_rule(b, &e, &unk, 1, NULL, NULL, EBT_ACCEPT);
	/* 7: -s 02:00:00:00:00:01 -j dnat ...: a target not decoded */
	e = proto(0);
	e.bitmask |= EBT_SOURCEMAC;
	memcpy(e.sourcemac, "\x02\0\0\0\0\x01", 6);
	memset(e.sourcemsk, 0xff, 6);
	bb_rule(b, &e, NULL, 0, NULL, "dnat", EBT_ACCEPT);
	bb_chain(b, "FORWARD", EBT_ACCEPT);
	bb_chain(b, "OUTPUT", EBT_DROP);
	tcp_chain_off = b->len;
	bb_chain(b, "TCP", EBT_RETURN);
	/* TCP 1: -p IPv4 --ip-proto tcp --ip-dport 80:90 -j ACCEPT */
	memset(&ip, 0, sizeof(ip));
	ip.bitmask = EBT_IP_PROTO | EBT_IP_DPORT;
	ip.protocol = IPPROTO_TCP;
	ip.dport[0] = 80;
	ip.dport[1] = 90;
	e = proto(ETH_P_IP);
	bb_rule(b, &e, &mip, 1, NULL, NULL, EBT_ACCEPT);
	deny_chain_off = b->len;
	bb_chain(b, "DENY", EBT_DROP);
	/* the jump of INPUT 4: the offset of TCP's header */
	jump = (int)tcp_chain_off;
	memcpy(b->buf + fixup + sizeof(struct ebt_entry) +
	       sizeof(struct ebt_entry_target), &jump, sizeof(jump));
}

static struct ebtleg_blob blob_of(struct bb *b, const char *name,
				  unsigned int hooks)
{
	struct ebtleg_blob x;

	memset(&x, 0, sizeof(x));
	snprintf(x.name, sizeof(x.name), "%s", name);
	x.valid_hooks = hooks;
	x.nentries = b->nentries;
	x.size = b->len;
	x.entries = b->buf;
	return x;
}

#define FILTER_HOOKS	(1u << NF_BR_LOCAL_IN | 1u << NF_BR_FORWARD | \
			 1u << NF_BR_LOCAL_OUT)

static const struct rs_chain *find(const struct ruleset *rs, const char *t,
				   const char *n)
{
	size_t i;

	for (i = 0; i < rs->nchains; i++)
		if (!strcmp(rs->chains[i].table, t) &&
		    !strcmp(rs->chains[i].name, n))
			return &rs->chains[i];
	return NULL;
}

static bool has_field(const struct rs_rule *r, enum rs_field f)
{
	size_t i;

	for (i = 0; i < r->nmatches; i++)
		if (r->matches[i].fields[0] == f)
			return true;
	return false;
}

static const struct rs_match *field(const struct rs_rule *r, enum rs_field f)
{
	size_t i;

	for (i = 0; i < r->nmatches; i++)
		if (r->matches[i].fields[0] == f)
			return &r->matches[i];
	return NULL;
}

static void test_filter(void)
{
	static struct bb b;
	struct ebtleg_blob x;
	struct ruleset *rs = ruleset_new();
	const struct rs_chain *in, *c;
	const struct rs_match *m;

	build_filter(&b);
	x = blob_of(&b, "filter", FILTER_HOOKS);
	CHECK(rs != NULL);
	CHECK_EQ(ebtleg_parse(rs, &x), 0);
	CHECK_EQ(rs->nchains, 5);
	in = find(rs, "filter", "INPUT");
	CHECK(in != NULL);
	if (!in)
		goto out;
	CHECK(in->base);
	CHECK_EQ(in->family, NFPROTO_BRIDGE);
	CHECK_EQ(in->origin, RS_ORIGIN_LEGACY);
	CHECK_EQ(in->hook, NF_BR_LOCAL_IN);
	CHECK_EQ(in->priority, NF_BR_PRI_FILTER_BRIDGED);
	CHECK_EQ(in->policy, RS_V_ACCEPT);
	CHECK_STR(in->type, "filter");
	CHECK_EQ(in->nrules, 7);
	/* 1: ethertype, protocol, dport */
	m = field(&in->rules[0], RS_F_ETHERTYPE);
	CHECK(m && m->elems[0].lo == ETH_P_IP && m->op == RS_OP_IN);
	m = field(&in->rules[0], RS_F_L4PROTO);
	CHECK(m && m->elems[0].lo == IPPROTO_TCP);
	m = field(&in->rules[0], RS_F_DPORT);
	CHECK(m && m->elems[0].lo == 22 && m->elems[0].hi == 22);
	CHECK_EQ(in->rules[0].verdict.kind, RS_V_DROP);
	/* 2: the source address */
	m = field(&in->rules[1], RS_F_IP_SADDR);
	CHECK(m && m->elems[0].lo == 0xc6336407 && m->elems[0].hi == 0xc6336407);
	/* 3: IPv6, udp 53 */
	m = field(&in->rules[2], RS_F_ETHERTYPE);
	CHECK(m && m->elems[0].lo == ETH_P_IPV6);
	m = field(&in->rules[2], RS_F_L4PROTO);
	CHECK(m && m->elems[0].lo == IPPROTO_UDP);
	CHECK(has_field(&in->rules[2], RS_F_DPORT));
	/* 4: the jump by offset */
	CHECK_EQ(in->rules[3].verdict.kind, RS_V_JUMP);
	CHECK_STR(in->rules[3].verdict.chain, "TCP");
	/* 5: a wildcard port name, the logical in named, the watcher */
	m = field(&in->rules[4], RS_F_IIFNAME);
	CHECK(m && m->elems[0].lo == rs_ifname_interval("eth", true).lo &&
	      m->elems[0].hi == rs_ifname_interval("eth", true).hi);
	m = field(&in->rules[4], RS_F_IBRNAME);
	CHECK(m && m->op == RS_OP_IN && m->elems[0].lo == rs_ifname_key("br0") &&
	      m->elems[0].hi == rs_ifname_key("br0"));
	CHECK(!has_field(&in->rules[4], RS_F_ETHERTYPE));
	CHECK_EQ(in->rules[4].nstmts, 1);
	CHECK_EQ(in->rules[4].verdict.kind, RS_V_NONE);
	/* 6: ! -i veth0, and the malformed among match kept as unknown,
	 * named */
	m = field(&in->rules[5], RS_F_IIFNAME);
	CHECK(m && m->op == RS_OP_NOT_IN);
	m = field(&in->rules[5], RS_F_UNKNOWN);
	CHECK(m && !strcmp(m->name, "among"));
	/* 7: the source MAC, the dnat target unknown: both ways */
	m = field(&in->rules[6], RS_F_ETHER_SADDR);
	CHECK(m && m->op == RS_OP_MASK_EQ && m->value == 0x020000000001ull &&
	      m->mask == 0xffffffffffffull);
	CHECK_EQ(in->rules[6].verdict.kind, RS_V_OTHER);
	c = find(rs, "filter", "OUTPUT");
	CHECK(c && c->base && c->hook == NF_BR_LOCAL_OUT &&
	      c->priority == NF_BR_PRI_FILTER_OTHER && c->policy == RS_V_DROP);
	c = find(rs, "filter", "FORWARD");
	CHECK(c && c->base && c->hook == NF_BR_FORWARD && c->nrules == 0);
	c = find(rs, "filter", "TCP");
	CHECK(c && !c->base && c->nrules == 1);
	if (c) {
		m = field(&c->rules[0], RS_F_DPORT);
		CHECK(m && m->elems[0].lo == 80 && m->elems[0].hi == 90);
		CHECK_EQ(c->rules[0].verdict.kind, RS_V_ACCEPT);
	}
	/* a user chain's policy DROP: a last rule that drops */
	c = find(rs, "filter", "DENY");
	CHECK(c && !c->base && c->nrules == 1 &&
	      c->rules[0].nmatches == 0 &&
	      c->rules[0].verdict.kind == RS_V_DROP);
out:
	ruleset_free(rs);
}

static void test_nat_broute(void)
{
	static struct bb b;
	struct ebtleg_blob x;
	struct ruleset *rs = ruleset_new();
	const struct rs_chain *c;
	struct ebt_entry e;

	memset(&b, 0, sizeof(b));
	bb_chain(&b, "PREROUTING", EBT_DROP);
	bb_chain(&b, "OUTPUT", EBT_ACCEPT);
	bb_chain(&b, "POSTROUTING", EBT_ACCEPT);
	x = blob_of(&b, "nat", 1u << NF_BR_PRE_ROUTING |
		    1u << NF_BR_LOCAL_OUT | 1u << NF_BR_POST_ROUTING);
	CHECK_EQ(ebtleg_parse(rs, &x), 0);
	c = find(rs, "nat", "PREROUTING");
	CHECK(c && c->base && c->hook == NF_BR_PRE_ROUTING &&
	      c->priority == NF_BR_PRI_NAT_DST_BRIDGED &&
	      c->policy == RS_V_DROP && !strcmp(c->type, "filter"));
	c = find(rs, "nat", "POSTROUTING");
	CHECK(c && c->hook == NF_BR_POST_ROUTING &&
	      c->priority == NF_BR_PRI_NAT_SRC);

	/* broute: DROP is "route", the policy DROP too */
	memset(&b, 0, sizeof(b));
	bb_chain(&b, "BROUTING", EBT_DROP);
	e = proto(ETH_P_IP);
	bb_rule(&b, &e, NULL, 0, NULL, NULL, EBT_DROP);
	e = proto(ETH_P_IPV6);
	bb_rule(&b, &e, NULL, 0, NULL, NULL, EBT_ACCEPT);
	x = blob_of(&b, "broute", 1u << NF_BR_BROUTING);
	CHECK_EQ(ebtleg_parse(rs, &x), 0);
	c = find(rs, "broute", "BROUTING");
	CHECK(c && c->base && c->hook == NF_BR_PRE_ROUTING);
	CHECK(c && c->priority == NF_BR_PRI_FIRST);
	CHECK(c && c->policy == RS_V_ACCEPT);
	CHECK(c && c->nrules == 3);
	if (c && c->nrules == 3) {
		CHECK_EQ(c->rules[0].verdict.kind, RS_V_OTHER);
		CHECK_STR(c->rules[0].verdict.name, "broute");
		CHECK_EQ(c->rules[1].verdict.kind, RS_V_ACCEPT);
		CHECK_EQ(c->rules[2].verdict.kind, RS_V_OTHER);
		CHECK_EQ(c->rules[2].nmatches, 0);
	}
	/* an unknown table name, and a blob of another table's hooks */
	snprintf(x.name, sizeof(x.name), "mangle");
	CHECK_EQ(ebtleg_parse(rs, &x), -EINVAL);
	ruleset_free(rs);
}

static void test_broken(void)
{
	static struct bb b, f;
	struct ebtleg_blob x;
	struct ruleset *rs = ruleset_new();
	size_t n, i, ok = 0, bad = 0;
	int ret;

	build_filter(&b);
	/* every truncation: refused, nothing kept; but one: the blob cut
	 * before the last chain's header is a whole table of 4 chains */
	for (n = 0; n < b.len; n++) {
		x = blob_of(&b, "filter", FILTER_HOOKS);
		x.size = n;
		ret = ebtleg_parse(rs, &x);
		if (n == deny_chain_off)
			CHECK_EQ(ret, 0);
		else
			CHECK_EQ(ret, -EBADMSG);
	}
	CHECK_EQ(rs->nchains, 4);
	ruleset_free(rs);
	rs = ruleset_new();
	CHECK(rs != NULL);
	/* counts that do not add up */
	x = blob_of(&b, "filter", FILTER_HOOKS);
	x.nentries--;
	CHECK_EQ(ebtleg_parse(rs, &x), -EBADMSG);
	x.nentries += 2;
	CHECK_EQ(ebtleg_parse(rs, &x), -EBADMSG);
	x = blob_of(&b, "filter", 0xff);
	CHECK_EQ(ebtleg_parse(rs, &x), -EBADMSG);
	x = blob_of(&b, "filter", FILTER_HOOKS);
	x.size = EBTLEG_MAX_BLOB + 1;
	CHECK_EQ(ebtleg_parse(rs, &x), -E2BIG);
	CHECK_EQ(rs->nchains, 0);
	/* every byte flipped: decoded or refused, never read past the end
	 * (ASan builds), and a refused blob keeps nothing */
	for (i = 0; i < b.len; i++) {
		size_t before = rs->nchains;

		f = b;
		f.buf[i] ^= 0xff;
		x = blob_of(&f, "filter", FILTER_HOOKS);
		ret = ebtleg_parse(rs, &x);
		CHECK(ret == 0 || ret == -EBADMSG);
		if (ret == 0)
			ok++;
		else {
			bad++;
			CHECK_EQ(rs->nchains, before);
		}
	}
	/* names, MACs, ports and addresses flip harmlessly; offsets and
	 * sizes do not */
	CHECK(ok > 0 && bad > 0);
	ruleset_free(rs);
}

/* The match walk redact.c uses: it finds both ip matches and the ip6
 * one, and the among match, in order. */
static int count_ip(void *ctx, const char *name, uint8_t rev,
		    unsigned char *data, size_t len)
{
	unsigned int *n = ctx;

	(void)rev;
	(void)data;
	if (!strcmp(name, "ip") && len >= sizeof(struct ebt_ip_info))
		n[0]++;
	else if (!strcmp(name, "ip6") && len >= sizeof(struct ebt_ip6_info))
		n[1]++;
	else
		n[2]++;
	return 0;
}

static void test_foreach(void)
{
	static struct bb b;
	struct ebtleg_blob x;
	unsigned int n[3] = { 0, 0, 0 };

	build_filter(&b);
	x = blob_of(&b, "filter", FILTER_HOOKS);
	CHECK_EQ(ebtleg_foreach_match(&x, count_ip, n), 0);
	CHECK_EQ(n[0], 3);
	CHECK_EQ(n[1], 1);
	CHECK_EQ(n[2], 1);
	x.size--;
	CHECK_EQ(ebtleg_foreach_match(&x, count_ip, n), -EBADMSG);
}

/* The record of b's filter table (as ebtleg_dump_ruleset() writes it)
 * at rec; its length. */
static size_t rec_filter(unsigned char *rec, const struct bb *b)
{
	struct ebtleg_rec_hdr h;

	memset(&h, 0, sizeof(h));
	strcpy(h.name, "filter");
	h.valid_hooks = FILTER_HOOKS;
	h.nentries = b->nentries;
	h.size = (uint32_t)b->len;
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + sizeof(h), b->buf, b->len);
	return sizeof(h) + b->len;
}

/* A recording as ebtleg_dump_ruleset() writes it replays to the same
 * chains as the blob parsed; an error record to the live note; a cut
 * recording to nothing. */
static void test_replay(void)
{
	static struct bb b;
	static unsigned char rec[sizeof(b.buf) + 2 * sizeof(struct ebtleg_rec_hdr)];
	struct ebtleg_rec_hdr h;
	struct ruleset *rs = ruleset_new(), *want = ruleset_new();
	struct ebtleg_blob x;
	size_t len = 0, n, i;

	build_filter(&b);
	len = rec_filter(rec, &b);
	memset(&h, 0, sizeof(h));
	strcpy(h.name, "nat");
	h.error = -EPERM;
	memcpy(rec + len, &h, sizeof(h));
	len += sizeof(h);
	CHECK(rs && want);
	x = blob_of(&b, "filter", FILTER_HOOKS);
	CHECK_EQ(ebtleg_parse(want, &x), 0);
	CHECK_EQ(ebtleg_replay_buf(rs, rec, len), 0);
	CHECK_EQ(rs->nchains, want->nchains);
	for (i = 0; i < rs->nchains && i < want->nchains; i++) {
		CHECK_STR(rs->chains[i].name, want->chains[i].name);
		CHECK_EQ(rs->chains[i].nrules, want->chains[i].nrules);
		CHECK_EQ(rs->chains[i].policy, want->chains[i].policy);
	}
	CHECK_EQ(rs->nnotes, 1);
	CHECK(rs->nnotes == 1 && strstr(rs->notes[0], "nat not read"));
	ruleset_free(rs);
	rs = ruleset_new();
	for (n = 1; n < len; n++) {
		int ret = ebtleg_replay_buf(rs, rec, n);

		/* cut after the filter record: a whole recording */
		if (n == len - sizeof(h))
			CHECK_EQ(ret, 0);
		else
			CHECK_EQ(ret, -EBADMSG);
	}
	CHECK_EQ(rs->nchains, 5);
	ruleset_free(rs);
	ruleset_free(want);
}

/* --redact maps the addresses of ebtables-legacy's ip matches in the
 * recording: 198.51.100.7/32 (documentation: kept) stays, a global one
 * moves, the blob still decodes to the same shape. */
static void test_redact(void)
{
	static struct bb b;
	static unsigned char rec[sizeof(b.buf) + sizeof(struct ebtleg_rec_hdr)];
	static char text[2 * sizeof(rec)];
	uint8_t key[REDACT_KEY_SIZE], *out = NULL;
	struct redact *r = NULL;
	struct ruleset *rs = ruleset_new();
	const struct rs_match *m;
	const struct rs_chain *in;
	struct ebt_ip_info ip;
	char err[256] = "";
	json_t *doc;
	size_t len, olen = 0, ipat;
	int n;

	build_filter(&b);
	/* rule 2's source: a global address, 95.1.1.0/24 */
	ipat = sizeof(struct ebt_entries);
	{
		struct ebt_entry e;

		memcpy(&e, b.buf + ipat, sizeof(e));
		ipat += e.next_offset;	/* rule 2 */
	}
	ipat += sizeof(struct ebt_entry) + sizeof(struct ebt_entry_match);
	memcpy(&ip, b.buf + ipat, sizeof(ip));
	CHECK_EQ(ip.saddr, htonl(0xc6336407));
	ip.saddr = htonl(0x5f010100);
	ip.smsk = htonl(0xffffff00);
	memcpy(b.buf + ipat, &ip, sizeof(ip));
	len = rec_filter(rec, &b);
	n = base64_encode(rec, len, text, sizeof(text));
	CHECK(n > 0);
	doc = json_pack("{s:{s:s#}}", "ebtables", "recording", text,
			(size_t)n);
	memset(key, 7, sizeof(key));
	CHECK_EQ(redact_new(key, &r), 0);
	CHECK_EQ(redact_snapshot(r, doc, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "redact: %s\n", err);
	{
		const char *t = json_string_value(json_object_get(
			json_object_get(doc, "ebtables"), "recording"));

		CHECK(t != NULL);
		out = malloc(len + 3);
		CHECK(out && t && base64_decode(t, strlen(t), out, len + 3,
						&olen) == 0);
	}
	CHECK_EQ(olen, len);
	CHECK_EQ(ebtleg_replay_buf(rs, out, olen), 0);
	in = find(rs, "filter", "INPUT");
	CHECK(in && in->nrules == 7);
	if (in && in->nrules == 7) {
		m = field(&in->rules[1], RS_F_IP_SADDR);
		/* a /24 still, somewhere else */
		CHECK(m && m->elems[0].hi - m->elems[0].lo == 255);
		CHECK(m && m->elems[0].lo != 0x5f010100);
	}
	json_decref(doc);
	redact_free(r);
	free(out);
	ruleset_free(rs);
}

static void write_seed(void)
{
	const char *path = getenv("EBTLEG_SEED_OUT");
	static struct bb b;
	uint32_t v;
	FILE *f;

	if (!path)
		return;
	build_filter(&b);
	if (getenv("EBTLEG_MATCH_SEED"))
		build_matches(&b);	/* ebtables' own extensions */
	f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	fputc(0, f);
	v = FILTER_HOOKS;
	fwrite(&v, sizeof(v), 1, f);
	v = b.nentries;
	fwrite(&v, sizeof(v), 1, f);
	fwrite(b.buf, 1, b.len, f);
	CHECK_EQ(fclose(f), 0);
	/* the same table as a recording: the harness's replay path */
	path = getenv("EBTLEG_REC_SEED_OUT");
	if (!path)
		return;
	{
		static unsigned char rec[sizeof(b.buf) +
					 sizeof(struct ebtleg_rec_hdr)];
		size_t len = rec_filter(rec, &b);

		f = fopen(path, "wb");
		CHECK(f != NULL);
		if (!f)
			return;
		fwrite(rec, 1, len, f);
		CHECK_EQ(fclose(f), 0);
	}
}

/* fwauditd's poll: the blob hash sees every change of a rule, a policy,
 * the hooks or the table, and only those; ebtleg_may_poll() asks for no
 * table whose module a request would load (a /sys/module made here). */
static void test_poll(void)
{
	static struct bb b;
	struct ebtleg_blob x, y;
	unsigned char *copy;
	uint64_t h0;
	char dir[] = "/tmp/test_ebtleg.XXXXXX", path[64];
	size_t off;

	build_filter(&b);
	x = blob_of(&b, "filter", FILTER_HOOKS);
	h0 = ebtleg_blob_hash(&x);
	copy = malloc(x.size);
	CHECK(copy != NULL);
	if (!copy)
		return;
	memcpy(copy, x.entries, x.size);
	y = x;
	y.entries = copy;
	CHECK(ebtleg_blob_hash(&y) == h0);	/* same content, other memory */
	/* a policy (the first chain header's) */
	off = offsetof(struct ebt_entries, policy);
	copy[off] ^= 1;
	CHECK(ebtleg_blob_hash(&y) != h0);
	copy[off] ^= 1;
	/* any byte of the entries, e.g. the last (a target's verdict) */
	copy[x.size - 1] ^= 0x10;
	CHECK(ebtleg_blob_hash(&y) != h0);
	copy[x.size - 1] ^= 0x10;
	CHECK(ebtleg_blob_hash(&y) == h0);
	y.valid_hooks ^= 1u << NF_BR_FORWARD;
	CHECK(ebtleg_blob_hash(&y) != h0);
	y.valid_hooks = x.valid_hooks;
	y.nentries++;
	CHECK(ebtleg_blob_hash(&y) != h0);
	y.nentries--;
	snprintf(y.name, sizeof(y.name), "nat");
	CHECK(ebtleg_blob_hash(&y) != h0);
	free(copy);

	CHECK(mkdtemp(dir) != NULL);
	/* no ebtables module: built in or absent, asked (ENOPROTOOPT) */
	CHECK(ebtleg_may_poll(dir, "filter"));
	CHECK(ebtleg_may_poll(dir, "broute"));
	snprintf(path, sizeof(path), "%s/ebtables", dir);
	CHECK_EQ(mkdir(path, 0700), 0);
	/* ebtables loaded, no table module: nothing asked for */
	CHECK(!ebtleg_may_poll(dir, "filter"));
	CHECK(!ebtleg_may_poll(dir, "nat"));
	snprintf(path, sizeof(path), "%s/ebtable_filter", dir);
	CHECK_EQ(mkdir(path, 0700), 0);
	CHECK(ebtleg_may_poll(dir, "filter"));
	CHECK(!ebtleg_may_poll(dir, "nat"));
	CHECK(!ebtleg_may_poll(dir, "broute"));
	rmdir(path);
	snprintf(path, sizeof(path), "%s/ebtables", dir);
	rmdir(path);
	CHECK_EQ(rmdir(dir), 0);
}


/* ---- ebtables' own matches and targets (xtebt.c) ----------------------- */

struct among_el {
	const char *mac;	/* 6 bytes */
	uint32_t ip;		/* host order, 0: none */
};

/* An among blob with one list (src or dst) as ebtables lays it out: the
 * info, then the wormhash (table by the MAC's last byte, then the pool);
 * misplace puts the first element in a bucket the kernel never looks in. */
static size_t among_blob(unsigned char *buf, size_t cap, bool dst, bool neg,
			 const struct among_el *el, int n, bool misplace)
{
	struct ebt_among_info info;
	struct ebt_mac_wormhash wh;
	struct ebt_mac_wormhash_tuple tp;
	size_t len = sizeof(info) + sizeof(wh) + (size_t)n * sizeof(tp);
	int key, i, k = 0;

	CHECK(len <= cap);
	memset(buf, 0, cap);
	memset(&info, 0, sizeof(info));
	if (dst)
		info.wh_dst_ofs = sizeof(info);
	else
		info.wh_src_ofs = sizeof(info);
	if (neg)
		info.bitmask = dst ? EBT_AMONG_DST_NEG : EBT_AMONG_SRC_NEG;
	memcpy(buf, &info, sizeof(info));
	memset(&wh, 0, sizeof(wh));
	wh.poolsize = n;
	/* the pool sorted by bucket; each bucket's range in table */
	for (key = 0; key < 256; key++) {
		wh.table[key] = k;
		for (i = 0; i < n; i++) {
			unsigned char b[8] = { 0 };
			int bucket = (unsigned char)el[i].mac[5];

			if (misplace && i == 0)
				bucket = (bucket + 1) & 0xff;
			if (bucket != key)
				continue;
			memcpy(b + 2, el[i].mac, 6);
			memset(&tp, 0, sizeof(tp));
			memcpy(tp.cmp, b, sizeof(b));
			tp.ip = htonl(el[i].ip);
			memcpy(buf + sizeof(info) + sizeof(wh) +
			       (size_t)k * sizeof(tp), &tp, sizeof(tp));
			k++;
		}
	}
	wh.table[256] = k;
	memcpy(buf + sizeof(info), &wh, sizeof(wh));
	return ALIGN8(len);
}

static const struct rs_match *field_op(const struct rs_rule *r,
				       enum rs_field f, enum rs_op op)
{
	size_t i;

	for (i = 0; i < r->nmatches; i++)
		if (r->matches[i].fields[0] == f && r->matches[i].op == op)
			return &r->matches[i];
	return NULL;
}

static const struct rs_match *other(const struct rs_rule *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nmatches; i++)
		if (r->matches[i].op == RS_OP_OTHER && r->matches[i].name &&
		    !strcmp(r->matches[i].name, name))
			return &r->matches[i];
	return NULL;
}

static unsigned char am[5][2048];
static size_t alen[5];

/* filter INPUT: one rule per extension decoded by xtebt.c (and some the
 * kernel refuses), then FORWARD and OUTPUT. */
static void build_matches(struct bb *b)
{
	static const struct among_el mac2[] = {
		{ "\x02\0\0\0\0\x01", 0 }, { "\x02\0\0\0\0\x02", 0 } };
	static const struct among_el withip[] = {
		{ "\x02\0\0\0\0\x01", 0xcb007107 },
		{ "\x02\0\0\0\0\x02", 0xcb007108 } };
	static const struct among_el mixed[] = {
		{ "\x02\0\0\0\0\x01", 0xcb007107 },
		{ "\x02\0\0\0\0\x02", 0 } };
	struct ebt_pkttype_info pk = { PACKET_BROADCAST, 0 };
	struct ebt_pkttype_info pkn = { PACKET_HOST, 1 };
	struct ebt_pkttype_info pkbad = { PACKET_HOST, 2 };
	struct ebt_mark_m_info mand, mor;
	struct ebt_mark_t_info tset, tor, tand, txor, tbad;
	struct ebt_vlan_info vl;
	struct ebt_arp_info ar;
	struct ebt_stp_info st;
	struct ebt_limit_info li;
	struct ebt_redirect_info rd = { EBT_DROP };
	struct ebt_nat_info sn;
	struct ext m;
	struct ext t;
	struct ebt_entry e;

	memset(b, 0, sizeof(*b));
	bb_chain(b, "INPUT", EBT_ACCEPT);
	e = proto(0);
	/* 1: --pkttype-type broadcast -j DROP */
	m = (struct ext){ "pkttype", &pk, sizeof(pk) };
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_DROP);
	/* 2: --pkttype-type ! host */
	m = (struct ext){ "pkttype", &pkn, sizeof(pkn) };
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_DROP);
	/* 3: --mark 0x5/0xf; the mask's bits above 32 test nothing */
	memset(&mand, 0, sizeof(mand));
	mand.mark = 5;
	mand.mask = 0xf | (sizeof(long) > 4 ? ~0xffffffffUL : 0);
	mand.bitmask = EBT_MARK_AND;
	m = (struct ext){ "mark_m", &mand, sizeof(mand) };
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_DROP);
	/* 4: --mark ! /0x4: no bit of 0x4 set */
	memset(&mor, 0, sizeof(mor));
	mor.mask = 4;
	mor.bitmask = EBT_MARK_OR;
	mor.invert = 1;
	m = (struct ext){ "mark_m", &mor, sizeof(mor) };
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_DROP);
	/* 5-8: -j mark --mark-set 0x7 (CONTINUE), --mark-or 0x3 (ACCEPT),
	 * --mark-and 0x3 (RETURN), --mark-xor 0x3 (DROP) */
	tset = (struct ebt_mark_t_info){ 7, (int)(MARK_SET_VALUE | 0xd) };
	tor = (struct ebt_mark_t_info){ 3, (int)(MARK_OR_VALUE | 0xf) };
	tand = (struct ebt_mark_t_info){ 3, (int)(MARK_AND_VALUE | 0xc) };
	txor = (struct ebt_mark_t_info){ 3, (int)(MARK_XOR_VALUE | 0xe) };
	t = (struct ext){ "mark", &tset, sizeof(tset) };
	bb_rule_tg(b, &e, NULL, 0, NULL, t);
	t = (struct ext){ "mark", &tor, sizeof(tor) };
	bb_rule_tg(b, &e, NULL, 0, NULL, t);
	t = (struct ext){ "mark", &tand, sizeof(tand) };
	bb_rule_tg(b, &e, NULL, 0, NULL, t);
	t = (struct ext){ "mark", &txor, sizeof(txor) };
	bb_rule_tg(b, &e, NULL, 0, NULL, t);
	/* 9: -p 802_1Q --vlan-id 5 */
	memset(&vl, 0, sizeof(vl));
	vl.id = 5;
	vl.bitmask = EBT_VLAN_ID;
	m = (struct ext){ "vlan", &vl, sizeof(vl) };
	e = proto(ETH_P_8021Q);
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_DROP);
	/* 10: -p ARP --arp-op ! Request */
	memset(&ar, 0, sizeof(ar));
	ar.opcode = htons(1);
	ar.bitmask = EBT_ARP_OPCODE;
	ar.invflags = EBT_ARP_OPCODE;
	m = (struct ext){ "arp", &ar, sizeof(ar) };
	e = proto(ETH_P_ARP);
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_DROP);
	/* 11: -d BGA --stp-type ! config */
	memset(&st, 0, sizeof(st));
	st.bitmask = EBT_STP_TYPE;
	st.invflags = EBT_STP_TYPE;
	m = (struct ext){ "stp", &st, sizeof(st) };
	e = proto(0);
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_DROP);
	/* 12: --limit 5/sec --limit-burst 5 -j ACCEPT */
	memset(&li, 0, sizeof(li));
	li.avg = EBT_LIMIT_SCALE / 5;
	li.burst = 5;
	m = (struct ext){ "limit", &li, sizeof(li) };
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_ACCEPT);
	/* 12b: a limit of average 0 costs nothing: always matches */
	li.avg = 0;
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_ACCEPT);
	/* 13: --among-dst two MACs */
	alen[0] = among_blob(am[0], sizeof(am[0]), true, false, mac2, 2, false);
	m = (struct ext){ "among", am[0], alen[0] };
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_DROP);
	/* 14: --among-src MAC=IP, MAC=IP */
	alen[1] = among_blob(am[1], sizeof(am[1]), false, false, withip, 2,
			     false);
	m = (struct ext){ "among", am[1], alen[1] };
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_DROP);
	/* 15: --among-src ! MAC=IP,MAC=IP: undecided, named */
	alen[2] = among_blob(am[2], sizeof(am[2]), false, true, withip, 2,
			     false);
	m = (struct ext){ "among", am[2], alen[2] };
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_DROP);
	/* 16: --among-src MAC=IP,MAC: undecided, named */
	alen[3] = among_blob(am[3], sizeof(am[3]), false, false, mixed, 2,
			     false);
	m = (struct ext){ "among", am[3], alen[3] };
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_DROP);
	/* 17: --among-dst whose only element the kernel never finds */
	alen[4] = among_blob(am[4], sizeof(am[4]), true, false, mac2, 1, true);
	m = (struct ext){ "among", am[4], alen[4] };
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_DROP);
	/* 18: -j redirect --redirect-target DROP */
	t = (struct ext){ "redirect", &rd, sizeof(rd) };
	bb_rule_tg(b, &e, NULL, 0, NULL, t);
	/* 19: -j snat --to-src 02:..:09 --snat-arp --snat-target ACCEPT */
	memset(&sn, 0, sizeof(sn));
	memcpy(sn.mac, "\x02\0\0\0\0\x09", 6);
	sn.target = EBT_ACCEPT & ~NAT_ARP_BIT;
	t = (struct ext){ "snat", &sn, sizeof(sn) };
	bb_rule_tg(b, &e, NULL, 0, NULL, t);
	/* 20: -j mark with no action the kernel knows: not decoded */
	tbad = (struct ebt_mark_t_info){ 3, (int)(0xffffff00u | 0xf) };
	t = (struct ext){ "mark", &tbad, sizeof(tbad) };
	bb_rule_tg(b, &e, NULL, 0, NULL, t);
	/* 21: a pkttype blob the kernel refuses: unknown, named */
	m = (struct ext){ "pkttype", &pkbad, sizeof(pkbad) };
	bb_rule(b, &e, &m, 1, NULL, NULL, EBT_DROP);
	/* 22: -p ARP -j arpreply: the rule's ARP decides for IP frames */
	e = proto(ETH_P_ARP);
	t = (struct ext){ "arpreply", &sn, sizeof(sn) };
	bb_rule_tg(b, &e, NULL, 0, NULL, t);
	bb_chain(b, "FORWARD", EBT_ACCEPT);
	bb_chain(b, "OUTPUT", EBT_ACCEPT);
}

static void test_ebtmatch(void)
{
	static struct bb b;
	struct ebtleg_blob x;
	struct ruleset *rs = ruleset_new();
	const struct rs_chain *in;
	const struct rs_rule *r;
	const struct rs_match *k;

	CHECK(rs != NULL);
	build_matches(&b);

	x = blob_of(&b, "filter", FILTER_HOOKS);
	CHECK_EQ(ebtleg_parse(rs, &x), 0);
	in = find(rs, "filter", "INPUT");
	CHECK(in != NULL && in->nrules == 23);
	if (!in || in->nrules != 23)
		goto out;
	r = in->rules;
	k = field(&r[0], RS_F_PKTTYPE);
	CHECK(k && k->op == RS_OP_IN && k->elems[0].lo == PACKET_BROADCAST);
	k = field(&r[1], RS_F_PKTTYPE);
	CHECK(k && k->op == RS_OP_NOT_IN && k->elems[0].lo == PACKET_HOST);
	k = field(&r[2], RS_F_MARK);
	CHECK(k && k->op == RS_OP_MASK_EQ && k->mask == 0xf && k->value == 5);
	k = field(&r[3], RS_F_MARK);
	CHECK(k && k->op == RS_OP_MASK_EQ && k->mask == 4 && k->value == 0);
	CHECK(r[4].nstmts == 1 && r[4].stmts[0].sets_mark &&
	      r[4].stmts[0].mark_mask == 0xffffffffu &&
	      r[4].stmts[0].mark_value == 7);
	CHECK_EQ(r[4].verdict.kind, RS_V_NONE);
	CHECK(r[5].nstmts == 1 && r[5].stmts[0].mark_mask == 3 &&
	      r[5].stmts[0].mark_value == 3);
	CHECK_EQ(r[5].verdict.kind, RS_V_ACCEPT);
	CHECK(r[6].nstmts == 1 && r[6].stmts[0].mark_mask == ~3u &&
	      r[6].stmts[0].mark_value == 0);
	CHECK_EQ(r[6].verdict.kind, RS_V_RETURN);
	CHECK(r[7].nstmts == 1 && r[7].stmts[0].mark_mask == 0 &&
	      r[7].stmts[0].mark_value == 3);
	CHECK_EQ(r[7].verdict.kind, RS_V_DROP);
	/* vlan: 802.1Q only (the entry's and the match's), tags undecided */
	k = field_op(&r[8], RS_F_ETHERTYPE, RS_OP_IN);
	CHECK(k && k->elems[0].lo == ETH_P_8021Q);
	k = other(&r[8], "vlan");
	CHECK(k && k->text && strstr(k->text, "id 5"));
	/* arp: ARP or RARP, whatever the tests */
	k = field_op(&r[9], RS_F_ETHERTYPE, RS_OP_IN);
	CHECK(k && k->nelems == 1 && k->elems[0].lo == ETH_P_ARP);
	CHECK(r[9].nmatches == 3 && r[9].matches[1].nelems == 2 &&
	      r[9].matches[1].elems[0].lo == ETH_P_ARP &&
	      r[9].matches[1].elems[1].lo == ETH_P_RARP);
	CHECK(other(&r[9], "arp") != NULL);
	/* stp: never an IP frame, even inverted */
	k = field_op(&r[10], RS_F_ETHERTYPE, RS_OP_NOT_IN);
	CHECK(k && k->nelems == 2 && k->elems[0].lo == ETH_P_IP &&
	      k->elems[1].lo == ETH_P_IPV6);
	CHECK(other(&r[10], "stp") != NULL);
	k = other(&r[11], "limit");
	CHECK(k && k->text && !strcmp(k->text, "limit: avg 5/second burst 5"));
	CHECK_EQ(r[12].nmatches, 0);
	/* among: MACs only, as MAC matches */
	k = field(&r[13], RS_F_ETHER_DADDR);
	CHECK(k && k->op == RS_OP_IN && k->nelems == 2 &&
	      k->elems[0].lo == 0x020000000001ull &&
	      k->elems[1].lo == 0x020000000002ull);
	/* every element with an address: the address, then the pair */
	k = field(&r[14], RS_F_IP_SADDR);
	CHECK(k && k->op == RS_OP_IN && k->nfields == 1 && k->nelems == 2 &&
	      k->elems[0].lo == 0xcb007107 && k->elems[1].lo == 0xcb007108);
	CHECK(r[14].nmatches == 2 && r[14].matches[1].nfields == 2 &&
	      r[14].matches[1].fields[0] == RS_F_IP_SADDR &&
	      r[14].matches[1].fields[1] == RS_F_ETHER_SADDR &&
	      r[14].matches[1].elems[1].lo == 0x020000000001ull);
	k = other(&r[15], "among");
	CHECK(k && k->text && strstr(k->text, "among-src ! ") &&
	      strstr(k->text, "=203.0.113.7"));
	CHECK(r[15].nmatches == 1);
	k = other(&r[16], "among");
	CHECK(k && r[16].nmatches == 1);
	/* the element in the wrong bucket is never found: never */
	k = field(&r[17], RS_F_ETHERTYPE);
	CHECK(k && r[17].nmatches == 1 && k->op == RS_OP_IN &&
	      k->nelems == 0);
	CHECK(r[18].nstmts == 1 && !strcmp(r[18].stmts[0].name, "redirect"));
	CHECK_EQ(r[18].verdict.kind, RS_V_DROP);
	CHECK(r[19].nstmts == 1 && !strcmp(r[19].stmts[0].name, "snat") &&
	      strstr(r[19].stmts[0].text, "02:00:00:00:00:09"));
	CHECK_EQ(r[19].verdict.kind, RS_V_ACCEPT);
	CHECK(r[20].nstmts == 0 && r[20].verdict.kind == RS_V_OTHER &&
	      !strcmp(r[20].verdict.name, "mark"));
	k = field(&r[21], RS_F_UNKNOWN);
	CHECK(k && !strcmp(k->name, "pkttype"));
	k = field(&r[22], RS_F_ETHERTYPE);
	CHECK(k && k->elems[0].lo == ETH_P_ARP &&
	      r[22].verdict.kind == RS_V_OTHER &&
	      !strcmp(r[22].verdict.name, "arpreply"));
	/* every truncation of an among blob: never read outside it */
	{
		struct ruleset *tmp = ruleset_new();
		struct rs_chain *c = tmp ? ruleset_add_chain(tmp,
			RS_ORIGIN_LEGACY, NFPROTO_BRIDGE, "filter", "T") : NULL;
		size_t cut;

		CHECK(c != NULL);
		/* up to the size the kernel requires (the info and the
		 * list, unaligned) */
		for (cut = 0; c && cut < sizeof(struct ebt_among_info) +
		     sizeof(struct ebt_mac_wormhash) +
		     2 * sizeof(struct ebt_mac_wormhash_tuple); cut += 7) {
			struct rs_rule *rr = rs_chain_add_rule(c);

			CHECK(rr != NULL);
			if (!rr)
				break;
			CHECK_EQ(xt_decode_match(rr, NFPROTO_BRIDGE, "among",
						 0, am[1], cut), 0);
			CHECK(rr->nmatches == 1 &&
			      rr->matches[0].fields[0] == RS_F_UNKNOWN);
		}
		ruleset_free(tmp);
	}
out:
	ruleset_free(rs);
}

int main(void)
{
	test_filter();
	test_ebtmatch();
	test_nat_broute();
	test_broken();
	test_foreach();
	test_replay();
	test_redact();
	test_poll();
	write_seed();
	return unit_done();
}
