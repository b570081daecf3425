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
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_bridge/ebt_ip.h>
#include <linux/netfilter_bridge/ebt_ip6.h>
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

#define ALIGN8(x)	(((x) + 7u) & ~7u)

struct bb {
	unsigned char buf[8192];
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

static void bb_rule(struct bb *b, const struct ebt_entry *hdr,
		    const struct ext *matches, size_t nm,
		    const struct ext *watcher, const char *target, int verdict)
{
	struct ebt_entry e = *hdr;
	size_t start = b->len, i;
	struct ebt_entries c;
	struct ext t = { target ? target : EBT_STANDARD_TARGET, &verdict,
			 sizeof(verdict) };

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
	/* 6: ! -i veth0 --among-dst ... -j ACCEPT: a match not decoded */
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
	/* 6: ! -i veth0, and the among match kept as unknown, named */
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

int main(void)
{
	test_filter();
	test_nat_broute();
	test_broken();
	test_foreach();
	test_replay();
	test_redact();
	test_poll();
	write_seed();
	return unit_done();
}
