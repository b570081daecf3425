// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rsprint.c - text and JSON views of the ruleset model.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "jsonw.h"
#include "rsprint.h"
#include "strbuf.h"
#include "util.h"

static const char *proto_name(unsigned int p)
{
	switch (p) {
	case 1:		return "icmp";
	case 2:		return "igmp";
	case 6:		return "tcp";
	case 17:	return "udp";
	case 33:	return "dccp";
	case 41:	return "ipv6";
	case 47:	return "gre";
	case 50:	return "esp";
	case 51:	return "ah";
	case 58:	return "ipv6-icmp";
	case 132:	return "sctp";
	case 136:	return "udplite";
	default:	return NULL;
	}
}

static const char *fibtype_name(unsigned int t)
{
	static const char *const names[] = {
		[RTN_UNSPEC] = "unspec",	[RTN_UNICAST] = "unicast",
		[RTN_LOCAL] = "local",		[RTN_BROADCAST] = "broadcast",
		[RTN_ANYCAST] = "anycast",	[RTN_MULTICAST] = "multicast",
		[RTN_BLACKHOLE] = "blackhole",	[RTN_UNREACHABLE] = "unreachable",
		[RTN_PROHIBIT] = "prohibit",	[RTN_THROW] = "throw",
		[RTN_NAT] = "nat",		[RTN_XRESOLVE] = "xresolve",
	};

	return t < ARRAY_SIZE(names) ? names[t] : NULL;
}

static const char *ctstate_name(unsigned int bit)
{
	switch (bit) {
	case RS_CT_STATE_INVALID:	return "invalid";
	case RS_CT_STATE_ESTABLISHED:	return "established";
	case RS_CT_STATE_RELATED:	return "related";
	case RS_CT_STATE_NEW:		return "new";
	case RS_CT_STATE_UNTRACKED:	return "untracked";
	default:			return NULL;
	}
}

/* Prefix length when [lo, hi] is exactly one CIDR block of a width-bit
 * space, else -1. */
static int interval_prefix(const struct rs_interval *iv, unsigned int bits)
{
	rs_u128 span = iv->hi - iv->lo;
	int host = 0;

	if (iv->hi < iv->lo)
		return -1;
	/* span + 1 must be a power of two and lo aligned to it */
	while (host < (int)bits && (span >> host) & 1)
		host++;
	if (host < 128 && (span >> host) != 0)
		return -1;
	if (host < 128 && (iv->lo & (((rs_u128)1 << host) - 1)) != 0)
		return -1;
	return (int)bits - host;
}

/*
 * Addresses are most of what a big ruleset prints, and inet_ntop() and
 * printf() are slow at it: these print the same text without them.
 */
static const char hex_digits[] = "0123456789abcdef";

static char *ip4_str(char *p, uint32_t a)
{
	unsigned int o;
	int i;

	for (i = 24; i >= 0; i -= 8) {
		o = (a >> i) & 0xff;
		if (o >= 100)
			*p++ = (char)('0' + o / 100);
		if (o >= 10)
			*p++ = (char)('0' + o / 10 % 10);
		*p++ = (char)('0' + o % 10);
		if (i)
			*p++ = '.';
	}
	*p = '\0';
	return p;
}

/* As glibc's inet_ntop(AF_INET6): RFC 5952 (the first longest run of two
 * or more zero groups as "::"), and ::a.b.c.d / ::ffff:a.b.c.d. */
static void ip6_str(char *p, rs_u128 v)
{
	int best = -1, bestlen = 0, cur = -1, curlen = 0, i, sh;
	unsigned int w[8];

	for (i = 0; i < 8; i++) {
		w[i] = (unsigned int)(v >> (16 * (7 - i))) & 0xffff;
		if (w[i]) {
			cur = -1;
			continue;
		}
		if (cur < 0) {
			cur = i;
			curlen = 0;
		}
		if (++curlen > bestlen) {
			best = cur;
			bestlen = curlen;
		}
	}
	if (bestlen < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + bestlen) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && best == 0 &&
		    (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff))) {
			ip4_str(p, (uint32_t)v);
			return;
		}
		for (sh = 12; sh > 0 && !(w[i] >> sh); sh -= 4)
			;
		for (; sh >= 0; sh -= 4)
			*p++ = hex_digits[(w[i] >> sh) & 0xf];
	}
	if (best >= 0 && best + bestlen == 8)
		*p++ = ':';
	*p = '\0';
}

static void mac_str(char *p, rs_u128 v)
{
	int sh;

	for (sh = 40; sh >= 0; sh -= 8) {
		*p++ = hex_digits[(v >> (sh + 4)) & 0xf];
		*p++ = hex_digits[(v >> sh) & 0xf];
		if (sh)
			*p++ = ':';
	}
	*p = '\0';
}

/* Decimal without printf: the JSON of a big ruleset prints a number in
 * nearly every value. */
static void uint_str(struct strbuf *b, unsigned long long v)
{
	char tmp[24];
	int n = sizeof(tmp) - 1;

	tmp[n] = '\0';
	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	strbuf_add(b, tmp + n);
}

static void u128_str(struct strbuf *b, rs_u128 v, bool hex)
{
	unsigned int base = hex ? 16 : 10, d;
	char tmp[48];
	int n = sizeof(tmp) - 1;
	uint64_t u;

	tmp[n] = '\0';
	/* 128-bit division is slow: only for the digits above 64 bits */
	while (v >> 64) {
		d = (unsigned int)(v % base);
		tmp[--n] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	}
	u = (uint64_t)v;
	do {
		d = (unsigned int)(u % base);
		tmp[--n] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		u /= base;
	} while (u);
	if (hex)
		strbuf_add(b, "0x");
	strbuf_add(b, tmp + n);
}

static void value_str(struct strbuf *b, enum rs_kind kind, rs_u128 v)
{
	char buf[INET6_ADDRSTRLEN + RS_IFNAMSIZ];
	const char *name = NULL;

	switch (kind) {
	case RS_K_ADDR4:
		ip4_str(buf, (uint32_t)v);
		strbuf_add(b, buf);
		return;
	case RS_K_ADDR6:
		ip6_str(buf, v);
		strbuf_add(b, buf);
		return;
	case RS_K_IFNAME:
		rs_ifname_str(v, buf);
		strbuf_add(b, buf);
		return;
	case RS_K_MAC:
		mac_str(buf, v);
		strbuf_add(b, buf);
		return;
	case RS_K_PROTO:
		name = v < 256 ? proto_name((unsigned int)v) : NULL;
		break;
	case RS_K_CTSTATE:
		name = v < 256 ? ctstate_name((unsigned int)v) : NULL;
		break;
	case RS_K_FIBTYPE:
		name = v < 256 ? fibtype_name((unsigned int)v) : NULL;
		break;
	case RS_K_HEX:
		u128_str(b, v, true);
		return;
	default:
		break;
	}
	if (name)
		strbuf_add(b, name);
	else
		u128_str(b, v, false);
}

/* Fields whose value may be RS_ABSENT: the header or option is missing. */
static bool field_may_be_absent(enum rs_field f)
{
	return f == RS_F_IP6_RT_TYPE || f == RS_F_TCP_MSS;
}

static void interval_str(struct strbuf *b, enum rs_field f,
			 const struct rs_interval *iv)
{
	const struct rs_field_info *fi = rs_field_info(f);
	char buf[RS_IFNAMSIZ + 1];
	int plen;

	if (field_may_be_absent(f) && iv->hi >= RS_ABSENT) {
		if (iv->lo < RS_ABSENT) {
			struct rs_interval v = { iv->lo, RS_ABSENT - 1 };

			interval_str(b, f, &v);
			strbuf_add(b, ", ");
		}
		strbuf_add(b, "missing");
		return;
	}
	if (iv->lo == iv->hi) {
		value_str(b, fi->kind, iv->lo);
		return;
	}
	if (fi->kind == RS_K_ADDR4 || fi->kind == RS_K_ADDR6) {
		plen = interval_prefix(iv, fi->kind == RS_K_ADDR4 ? 32 : 128);
		if (plen >= 0) {
			value_str(b, fi->kind, iv->lo);
			strbuf_add(b, "/");
			uint_str(b, (unsigned int)plen);
			return;
		}
	}
	if (fi->kind == RS_K_IFNAME) {
		plen = interval_prefix(iv, 128);
		if (plen >= 0 && plen % 8 == 0) {
			rs_ifname_str(iv->lo, buf);
			if ((int)strlen(buf) == plen / 8) {
				strbuf_add(b, buf);
				strbuf_add(b, "*");
				return;
			}
		}
	}
	if (fi->kind == RS_K_CTSTATE) {
		unsigned int bit;
		bool first = true;

		/* a state is one bit: list the bits the interval holds */
		for (bit = 1; bit <= 0x80; bit <<= 1) {
			if (bit < iv->lo || bit > iv->hi)
				continue;
			if (!first)
				strbuf_add(b, ",");
			value_str(b, fi->kind, bit);
			first = false;
		}
		return;
	}
	value_str(b, fi->kind, iv->lo);
	strbuf_add(b, "-");
	value_str(b, fi->kind, iv->hi);
}

static void elem_str(struct strbuf *b, const uint8_t *fields,
		     unsigned int nfields, const struct rs_interval *elem)
{
	unsigned int i;

	for (i = 0; i < nfields; i++) {
		if (i)
			strbuf_add(b, " . ");
		interval_str(b, fields[i], &elem[i]);
	}
}

int rsprint_elem(char *buf, size_t size, const uint8_t *fields,
		 unsigned int nfields, const struct rs_interval *elem)
{
	struct strbuf b = STRBUF_INIT;
	char *s;
	int n;

	elem_str(&b, fields, nfields, elem);
	s = strbuf_take(&b);
	if (!s) {
		if (size)
			buf[0] = '\0';
		return 0;
	}
	n = snprintf(buf, size, "%s", s);
	free(s);
	if (n < 0)
		return 0;
	return (size_t)n < size ? n : (int)size - 1;
}

static void fields_str(struct strbuf *b, const uint8_t *fields,
		       unsigned int nfields)
{
	unsigned int i;

	for (i = 0; i < nfields; i++) {
		if (i)
			strbuf_add(b, " . ");
		strbuf_add(b, rs_field_info(fields[i])->name);
	}
}

/* A string reused from value to value: emptied, not freed.  An allocation
 * failure stays recorded in it (strbuf's sticky failure) and is reported
 * once, at the end of the print. */
static void scratch_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

static const char *scratch_str(const struct strbuf *b)
{
	return b->s ? b->s : "";
}

static bool set_is_named(const struct rs_set *s)
{
	return s && s->name && strncmp(s->name, "__", 2) != 0;
}

/*
 * How a match prints, in both views: a decoder's own text (OTHER), a
 * masked comparison, a named set, one value, or a list of values.
 */
enum match_shape {
	MATCH_OTHER, MATCH_MASK, MATCH_SET, MATCH_VALUE, MATCH_LIST,
};

static enum match_shape match_shape(const struct rs_match *m, const char **op)
{
	size_t n;

	if (m->op == RS_OP_OTHER) {
		*op = m->invert ? "!=" : "==";
		return MATCH_OTHER;
	}
	if (m->op == RS_OP_MASK_EQ || m->op == RS_OP_MASK_NE) {
		*op = m->op == RS_OP_MASK_EQ ? "==" : "!=";
		return MATCH_MASK;
	}
	if (set_is_named(m->set)) {
		*op = m->op == RS_OP_IN ? "in" : "not in";
		return MATCH_SET;
	}
	rs_match_elems(m, &n);
	if (n != 1 || m->set) {
		*op = m->op == RS_OP_IN ? "in" : "not in";
		return MATCH_LIST;
	}
	*op = m->op == RS_OP_IN ? "==" : "!=";
	return MATCH_VALUE;
}

static const char *match_name(const struct rs_match *m)
{
	return m->name ? m->name : "?";
}

/* The data of a map element: a verdict, or an address and/or a port
 * (nft's data types: 7 ipv4_addr, 8 ipv6_addr, 13 inet_service; a
 * concatenation packs one type per 6 bits). */
static void verdict_str(struct strbuf *b, const struct rs_verdict *vd);

static void elem_data_str(struct strbuf *b, const struct rs_set *s,
			  const struct rs_elem_data *d)
{
	uint32_t t = s->data_type;
	unsigned int i;

	if (d->verdict.kind != RS_V_NONE || !d->nvalues) {
		verdict_str(b, &d->verdict);
		return;
	}
	for (i = 0; i < d->nvalues && i < 2; i++) {
		/* the first type of a concatenation is in the high bits */
		uint32_t ti = d->nvalues == 2 ? (i == 0 ? t >> 6 : t & 0x3f) : t;

		if (i)
			strbuf_add(b, " . ");
		if (ti == 7)
			value_str(b, RS_K_ADDR4, d->value[i]);
		else if (ti == 8)
			value_str(b, RS_K_ADDR6, d->value[i]);
		else
			value_str(b, RS_K_INT, d->value[i]);
	}
}

static void map_inline_str(struct strbuf *b, const struct rs_set *s)
{
	size_t i;

	strbuf_add(b, "{ ");
	for (i = 0; i < s->nelems; i++) {
		if (i)
			strbuf_add(b, ", ");
		elem_str(b, s->fields, s->nfields, &s->elems[i * s->nfields]);
		if (s->data) {
			strbuf_add(b, " : ");
			elem_data_str(b, s, &s->data[i]);
		}
	}
	strbuf_add(b, " }");
}

static void map_ref_str(struct strbuf *b, const struct rs_set *s)
{
	if (set_is_named(s)) {
		strbuf_add(b, "@");
		strbuf_add(b, s->name);
	} else {
		map_inline_str(b, s);
	}
}

static void nat_str(struct strbuf *b, const struct rs_verdict *vd)
{
	const struct rs_nat *n = &vd->nat;
	struct rs_interval iv;
	enum rs_field f = n->family == NFPROTO_IPV6 ? RS_F_IP6_DADDR :
						       RS_F_IP_DADDR;

	if (vd->map.set) {
		strbuf_add(b, " to ");
		fields_str(b, vd->map.fields, vd->map.nfields);
		strbuf_add(b, " map ");
		map_ref_str(b, vd->map.set);
		return;
	}
	if (!n->has_addr && !n->has_port)
		return;
	strbuf_add(b, " to ");
	if (n->has_addr) {
		iv.lo = n->addr_lo;
		iv.hi = n->addr_hi;
		if (n->family == NFPROTO_IPV6 && n->has_port)
			strbuf_add(b, "[");
		if (iv.lo == iv.hi)
			value_str(b, rs_field_info(f)->kind, iv.lo);
		else {
			value_str(b, rs_field_info(f)->kind, iv.lo);
			strbuf_add(b, "-");
			value_str(b, rs_field_info(f)->kind, iv.hi);
		}
		if (n->family == NFPROTO_IPV6 && n->has_port)
			strbuf_add(b, "]");
	}
	if (n->has_port) {
		strbuf_add(b, ":");
		uint_str(b, n->port_lo);
		if (n->port_hi != n->port_lo) {
			strbuf_add(b, "-");
			uint_str(b, n->port_hi);
		}
	}
}

static void verdict_str(struct strbuf *b, const struct rs_verdict *vd)
{
	switch (vd->kind) {
	case RS_V_NONE:
		return;
	case RS_V_JUMP:
	case RS_V_GOTO:
		strbuf_add(b, rs_verdict_name(vd->kind));
		strbuf_add(b, " ");
		strbuf_add(b, vd->chain ? vd->chain : "?");
		return;
	case RS_V_REJECT:
		strbuf_add(b, "reject");
		if (vd->name) {
			strbuf_add(b, " with ");
			strbuf_add(b, vd->name);
		}
		return;
	case RS_V_QUEUE:
		strbuf_add(b, "queue num ");
		uint_str(b, vd->queue_num);
		if (vd->queue_bypass)
			strbuf_add(b, " bypass");
		return;
	case RS_V_VMAP:
		fields_str(b, vd->map.fields, vd->map.nfields);
		strbuf_add(b, " vmap ");
		if (vd->map.set)
			map_ref_str(b, vd->map.set);
		else
			strbuf_add(b, "?");
		return;
	case RS_V_OTHER:
		strbuf_add(b, "target ");
		strbuf_add(b, vd->name ? vd->name : "?");
		strbuf_add(b, " rev ");
		uint_str(b, vd->revision);
		return;
	case RS_V_DNAT:
	case RS_V_SNAT:
	case RS_V_MASQUERADE:
	case RS_V_REDIRECT:
	case RS_V_TPROXY:
		strbuf_add(b, rs_verdict_name(vd->kind));
		nat_str(b, vd);
		return;
	default:
		strbuf_add(b, rs_verdict_name(vd->kind));
		return;
	}
}

/*
 * Text holding x_tables sets by kernel index, as xt.c writes it: a "set"
 * match ("match-set index 3 src,dst ...") or a SET target ("add-set index
 * 3 src del-set index 4 dst ...").  Each index rs read the ipset of
 * becomes its name, as iptables-save shows it ("match-set blocklist
 * src"); an index without one (no rs, a ruleset file without the ipsets,
 * a failed read, a set destroyed since) stays "index N".  Resolved here,
 * where the text is shown, and not in the model: the daemon's caches lend
 * one rule to successive rulesets, and a set keeps its index across a
 * rename.
 */
static void set_text_str(struct strbuf *b, const struct ruleset *rs,
			 const char *text)
{
	static const char key[] = "-set index ";
	const char *p = text, *q, *num;
	const struct rs_ipset *set;
	unsigned long idx;
	char *end;

	while (rs && rs->nipsets && (q = strstr(p, key))) {
		num = q + strlen(key);
		if (*num < '0' || *num > '9') {
			strbuf_addf(b, "%.*s", (int)(num - p), p);
			p = num;
			continue;
		}
		idx = strtoul(num, &end, 10);
		set = idx <= UINT16_MAX ? ruleset_ipset(rs, (uint16_t)idx) :
					  NULL;
		if (!set || !set->name) {
			strbuf_addf(b, "%.*s", (int)(end - p), p);
		} else {
			/* "match-set " and the name */
			strbuf_addf(b, "%.*s%s", (int)(q + 5 - p), p,
				    set->name);
		}
		p = end;
	}
	strbuf_add(b, p);
}

/* The text of statement st: a SET target's sets named (set_text_str()). */
static void stmt_text_str(struct strbuf *b, const struct ruleset *rs,
			  const struct rs_stmt *st)
{
	if (!strcmp(st->name, "SET"))
		set_text_str(b, rs, st->text);
	else
		strbuf_add(b, st->text);
}

/* The parameters of an RS_OP_OTHER match: an ipset's named (set_text_str()). */
static void other_text_str(struct strbuf *b, const struct ruleset *rs,
			   const struct rs_match *m, const char *text)
{
	if (m->fields[0] == RS_F_IPSET)
		set_text_str(b, rs, text);
	else
		strbuf_add(b, text);
}

static void other_str(struct strbuf *b, const struct ruleset *rs,
		      const struct rs_match *m)
{
	const char *name = match_name(m);
	size_t len = strlen(name);

	if (m->invert)
		strbuf_add(b, "! ");
	if (m->fields[0] == RS_F_UNKNOWN) {
		strbuf_add(b, "unknown match ");
		strbuf_add(b, name);
		strbuf_add(b, " rev ");
		uint_str(b, m->revision);
	} else if (m->text && !strncmp(m->text, name, len) &&
		   m->text[len] == ':') {
		/* the decoder's text already names the match */
		strbuf_add(b, name);
		other_text_str(b, rs, m, m->text + len + 1);
	} else {
		strbuf_add(b, name);
		if (m->text) {
			strbuf_add(b, " ");
			other_text_str(b, rs, m, m->text);
		}
	}
}

/* An element as nft shows it: interface names in quotes. */
static void match_elem_str(struct strbuf *b, const struct rs_match *m,
			   const struct rs_interval *elem)
{
	bool quote = m->nfields == 1 &&
		     rs_field_info(m->fields[0])->kind == RS_K_IFNAME;

	if (quote)
		strbuf_add(b, "\"");
	elem_str(b, m->fields, m->nfields, elem);
	if (quote)
		strbuf_add(b, "\"");
}

/*
 * A presence test on a field of one bit per header or option kind, as nft
 * says it: "exthdr frag exists tcp option 8 missing".  Returns false for
 * a mask test that is not one (several bits that must not all be clear).
 */
static bool bits_str(struct strbuf *b, const struct rs_match *m)
{
	static const char *const exthdrs[] = {
		[0] = "hbh", [44] = "frag", [50] = "esp", [51] = "ah",
		[60] = "dst",
	};
	static const char *const tcpopts[] = {
		[0] = "eol", [1] = "nop", [3] = "window", [4] = "sack-perm",
		[5] = "sack", [8] = "timestamp",
	};
	static const char *const ipopts[] = {
		[3] = "lsrr", [7] = "rr", [9] = "ssrr", [20] = "ra",
	};
	const char *const *names;
	const char *prefix;
	size_t nnames;
	unsigned int bit;
	bool first = true;

	switch (m->fields[0]) {
	case RS_F_IP6_EXTHDRS:
		prefix = "exthdr ";
		names = exthdrs;
		nnames = ARRAY_SIZE(exthdrs);
		break;
	case RS_F_TCP_OPTIONS:
		prefix = "tcp option ";
		names = tcpopts;
		nnames = ARRAY_SIZE(tcpopts);
		break;
	case RS_F_IP_OPTIONS:
		prefix = "ip option ";
		names = ipopts;
		nnames = ARRAY_SIZE(ipopts);
		break;
	default:
		return false;
	}
	if (m->op != RS_OP_MASK_EQ || m->nfields != 1 || !m->mask ||
	    (m->value & ~m->mask))
		return false;
	for (bit = 0; bit < 128; bit++) {
		if (!(m->mask & ((rs_u128)1 << bit)))
			continue;
		if (!first)
			strbuf_add(b, " ");
		first = false;
		strbuf_add(b, prefix);
		if (bit < nnames && names[bit])
			strbuf_add(b, names[bit]);
		else
			uint_str(b, bit);
		strbuf_add(b, m->value & ((rs_u128)1 << bit) ? " exists" :
			   " missing");
	}
	return true;
}

static void match_str(struct strbuf *b, const struct ruleset *rs,
		      const struct rs_match *m)
{
	const struct rs_interval *el;
	const char *op;
	size_t n, i;

	switch (match_shape(m, &op)) {
	case MATCH_OTHER:
		other_str(b, rs, m);
		return;
	case MATCH_MASK:
		if (bits_str(b, m))
			return;
		fields_str(b, m->fields, m->nfields);
		strbuf_add(b, " & ");
		u128_str(b, m->mask, true);
		strbuf_add(b, " ");
		strbuf_add(b, op);
		strbuf_add(b, " ");
		u128_str(b, m->value, true);
		return;
	case MATCH_SET:
		fields_str(b, m->fields, m->nfields);
		strbuf_add(b, m->op == RS_OP_NOT_IN ? " != @" : " @");
		strbuf_add(b, m->set->name);
		return;
	case MATCH_VALUE:
	case MATCH_LIST:
		break;
	}
	fields_str(b, m->fields, m->nfields);
	if (m->op != RS_OP_IN)
		strbuf_add(b, " !=");
	strbuf_add(b, " ");
	el = rs_match_elems(m, &n);
	if (n == 1 && !m->set) {
		match_elem_str(b, m, el);
		return;
	}
	strbuf_add(b, "{ ");
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_add(b, ", ");
		match_elem_str(b, m, &el[i * m->nfields]);
	}
	strbuf_add(b, " }");
}

char *rsprint_match(const struct ruleset *rs, const struct rs_match *m)
{
	struct strbuf b = STRBUF_INIT;

	match_str(&b, rs, m);
	return strbuf_take(&b);
}

static void rule_str(struct strbuf *b, const struct ruleset *rs,
		     const struct rs_rule *r)
{
	size_t start = b->len, i;

	for (i = 0; i < r->nmatches; i++) {
		if (i)
			strbuf_add(b, " ");
		match_str(b, rs, &r->matches[i]);
	}
	for (i = 0; i < r->nstmts; i++) {
		if (b->len > start)
			strbuf_add(b, " ");
		strbuf_add(b, r->stmts[i].name);
		if (r->stmts[i].text) {
			strbuf_add(b, " ");
			stmt_text_str(b, rs, &r->stmts[i]);
		}
	}
	if (r->verdict.kind != RS_V_NONE) {
		if (b->len > start)
			strbuf_add(b, " ");
		verdict_str(b, &r->verdict);
	}
	if (r->comment) {
		strbuf_add(b, " comment \"");
		strbuf_add(b, r->comment);
		strbuf_add(b, "\"");
	}
}

char *rsprint_rule(const struct ruleset *rs, const struct rs_rule *r)
{
	struct strbuf b = STRBUF_INIT;

	rule_str(&b, rs, r);
	return strbuf_take(&b);
}

static const char *origin_name(const struct rs_chain *c)
{
	return c->origin == RS_ORIGIN_NFT ? "nftables" :
	       c->family == NFPROTO_BRIDGE ? "ebtables-legacy" :
	       "iptables-legacy";
}

/* Flush f: 0, or the negative errno of the write that failed (glibc keeps
 * unwritten data after a failed write, so the flush fails again and says
 * why). */
static int stream_end(FILE *f)
{
	if (fflush(f) == EOF)
		return errno ? -errno : -EIO;
	return ferror(f) ? -EIO : 0;
}

int rsprint_text(const struct ruleset *rs, FILE *f)
{
	const struct rs_chain *c, *prev = NULL;
	struct strbuf line = STRBUF_INIT;
	const struct rs_rule *r;
	bool nomem;
	size_t i, j;
	int ret;

	for (i = 0; i < rs->nsources; i++)
		fprintf(f, "# source %s: %s\n", rs->sources[i].name,
			rs->sources[i].present ? "present" :
			rs->sources[i].error ? strerror(-rs->sources[i].error) :
			"absent");
	for (i = 0; i < rs->nchains; i++) {
		c = &rs->chains[i];
		if (!prev || prev->origin != c->origin ||
		    prev->family != c->family || strcmp(prev->table, c->table)) {
			if (prev)
				fprintf(f, "}\n");
			fprintf(f, "table %s %s {\t# %s\n",
				rs_family_name(c->family), c->table,
				origin_name(c));
		}
		fprintf(f, "\tchain %s {\n", c->name);
		if (c->base) {
			fprintf(f, "\t\ttype %s hook %s", c->type ? c->type :
				"filter", rs_hook_name(c->family, c->hook));
			if (c->device)
				fprintf(f, " device \"%s\"", c->device);
			fprintf(f, " priority %d; policy %s;\n", c->priority,
				rs_verdict_name(c->policy));
		}
		for (j = 0; j < c->nrules; j++) {
			r = &c->rules[j];
			scratch_reset(&line);
			strbuf_add(&line, "\t\t");
			rule_str(&line, rs, r);
			if (r->has_handle) {
				strbuf_add(&line, " # handle ");
				uint_str(&line, r->handle);
			} else {
				strbuf_add(&line, " # rule ");
				uint_str(&line, r->position);
			}
			strbuf_add(&line, "\n");
			fwrite(scratch_str(&line), 1, line.len, f);
		}
		fprintf(f, "\t}\n");
		prev = c;
	}
	if (prev)
		fprintf(f, "}\n");
	for (i = 0; i < rs->nnotes; i++)
		fprintf(f, "# note: %s\n", rs->notes[i]);
	nomem = line.failed;
	strbuf_release(&line);
	ret = stream_end(f);
	return ret ? ret : nomem ? -ENOMEM : 0;
}

/*
 * JSON, streamed.  Member order and value formats are those of the
 * jansson tree this replaced (JSON_INDENT(1) | JSON_PRESERVE_ORDER): the
 * output is the same byte for byte.  sc is the scratch string values are
 * formatted in.
 */
static void verdict_json(struct jsonw *w, struct strbuf *sc,
			 const struct rs_verdict *vd)
{
	jsonw_object_begin(w);
	jsonw_member_string(w, "kind", rs_verdict_name(vd->kind));
	if (vd->chain)
		jsonw_member_string(w, "chain", vd->chain);
	if (vd->name)
		jsonw_member_string(w, vd->kind == RS_V_REJECT ? "with" : "name",
				    vd->name);
	if (vd->kind == RS_V_OTHER)
		jsonw_member_int(w, "revision", vd->revision);
	if (vd->kind == RS_V_QUEUE)
		jsonw_member_int(w, "num", vd->queue_num);
	if (vd->map.set) {
		scratch_reset(sc);
		fields_str(sc, vd->map.fields, vd->map.nfields);
		jsonw_member_string(w, "key", scratch_str(sc));
		jsonw_member_string(w, "map", vd->map.set->name);
		if (!set_is_named(vd->map.set)) {
			scratch_reset(sc);
			map_inline_str(sc, vd->map.set);
			jsonw_member_string(w, "elements", scratch_str(sc));
		}
	}
	if (vd->nat.has_addr || vd->nat.has_port) {
		scratch_reset(sc);
		nat_str(sc, vd);
		/* " to X": keep only X */
		jsonw_member_string(w, "to", sc->len >= 4 ? sc->s + 4 : "");
	}
	jsonw_object_end(w);
}

static void match_json(struct jsonw *w, struct strbuf *sc,
		       const struct ruleset *rs, const struct rs_match *m)
{
	const struct rs_interval *el;
	enum match_shape shape;
	const char *op;
	size_t n, i;

	shape = match_shape(m, &op);
	jsonw_object_begin(w);
	if (shape == MATCH_OTHER) {
		jsonw_member_string(w, "field",
				    rs_field_info(m->fields[0])->name);
		jsonw_member_string(w, "name", match_name(m));
		if (m->fields[0] == RS_F_UNKNOWN)
			jsonw_member_int(w, "revision", m->revision);
	} else {
		scratch_reset(sc);
		fields_str(sc, m->fields, m->nfields);
		jsonw_member_string(w, "field", scratch_str(sc));
	}
	jsonw_member_string(w, "op", op);
	switch (shape) {
	case MATCH_OTHER:
		if (m->text) {
			scratch_reset(sc);
			other_text_str(sc, rs, m, m->text);
			jsonw_member_string(w, "value", scratch_str(sc));
		}
		break;
	case MATCH_MASK:
		scratch_reset(sc);
		u128_str(sc, m->mask, true);
		jsonw_member_string(w, "mask", scratch_str(sc));
		scratch_reset(sc);
		u128_str(sc, m->value, true);
		jsonw_member_string(w, "value", scratch_str(sc));
		break;
	case MATCH_SET:
		scratch_reset(sc);
		strbuf_add(sc, "@");
		strbuf_add(sc, m->set->name);
		jsonw_member_string(w, "set", scratch_str(sc));
		break;
	case MATCH_VALUE:
	case MATCH_LIST:
		el = rs_match_elems(m, &n);
		jsonw_key(w, "value");
		if (shape == MATCH_LIST)
			jsonw_array_begin(w);
		for (i = 0; i < n; i++) {
			scratch_reset(sc);
			elem_str(sc, m->fields, m->nfields, &el[i * m->nfields]);
			jsonw_string(w, scratch_str(sc));
		}
		if (shape == MATCH_LIST)
			jsonw_array_end(w);
		break;
	}
	jsonw_object_end(w);
}

static void rule_json(struct jsonw *w, struct strbuf *sc,
		      const struct ruleset *rs, const struct rs_rule *r)
{
	size_t i;

	jsonw_object_begin(w);
	jsonw_member_int(w, "position", r->position);
	if (r->has_handle)
		jsonw_member_int(w, "handle", (long long)r->handle);
	jsonw_key(w, "matches");
	jsonw_array_begin(w);
	for (i = 0; i < r->nmatches; i++)
		match_json(w, sc, rs, &r->matches[i]);
	jsonw_array_end(w);
	if (r->nstmts) {
		jsonw_key(w, "statements");
		jsonw_array_begin(w);
		for (i = 0; i < r->nstmts; i++) {
			jsonw_object_begin(w);
			jsonw_member_string(w, "name", r->stmts[i].name);
			if (r->stmts[i].text) {
				scratch_reset(sc);
				stmt_text_str(sc, rs, &r->stmts[i]);
				jsonw_member_string(w, "text",
						    scratch_str(sc));
			}
			jsonw_object_end(w);
		}
		jsonw_array_end(w);
	}
	jsonw_key(w, "verdict");
	verdict_json(w, sc, &r->verdict);
	if (r->comment)
		jsonw_member_string(w, "comment", r->comment);
	scratch_reset(sc);
	rule_str(sc, rs, r);
	jsonw_member_string(w, "text", scratch_str(sc));
	jsonw_object_end(w);
}

static void chain_json(struct jsonw *w, struct strbuf *sc,
		       const struct ruleset *rs, const struct rs_chain *c)
{
	size_t i;

	jsonw_object_begin(w);
	jsonw_member_string(w, "family", rs_family_name(c->family));
	jsonw_member_string(w, "source", origin_name(c));
	jsonw_member_string(w, "table", c->table);
	jsonw_member_string(w, "chain", c->name);
	if (c->base) {
		jsonw_member_string(w, "hook", rs_hook_name(c->family, c->hook));
		jsonw_member_int(w, "priority", c->priority);
		jsonw_member_string(w, "policy", rs_verdict_name(c->policy));
		jsonw_member_string(w, "type", c->type);
	} else {
		jsonw_key(w, "hook");
		jsonw_null(w);
		jsonw_key(w, "priority");
		jsonw_null(w);
		jsonw_key(w, "policy");
		jsonw_null(w);
	}
	if (c->device)
		jsonw_member_string(w, "device", c->device);
	jsonw_key(w, "rules");
	jsonw_array_begin(w);
	for (i = 0; i < c->nrules; i++)
		rule_json(w, sc, rs, &c->rules[i]);
	jsonw_array_end(w);
	jsonw_object_end(w);
}

static void set_json(struct jsonw *w, struct strbuf *sc, const struct rs_set *s)
{
	const struct rs_elem_data *d;
	size_t i;

	jsonw_object_begin(w);
	jsonw_member_string(w, "family", rs_family_name(s->family));
	jsonw_member_string(w, "table", s->table);
	jsonw_member_string(w, "name", s->name);
	jsonw_key(w, "map");
	jsonw_bool(w, s->data != NULL);
	jsonw_key(w, "elements");
	jsonw_array_begin(w);
	for (i = 0; i < s->nelems; i++) {
		jsonw_object_begin(w);
		scratch_reset(sc);
		elem_str(sc, s->fields, s->nfields, &s->elems[i * s->nfields]);
		jsonw_member_string(w, "key", scratch_str(sc));
		d = s->data ? &s->data[i] : NULL;
		if (d && (d->verdict.kind != RS_V_NONE || !d->nvalues)) {
			jsonw_key(w, "data");
			verdict_json(w, sc, &d->verdict);
		} else if (d) {
			scratch_reset(sc);
			elem_data_str(sc, s, d);
			jsonw_member_string(w, "data", scratch_str(sc));
		}
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
}

int rsprint_json(const struct ruleset *rs, FILE *f)
{
	struct strbuf sc = STRBUF_INIT;
	struct jsonw w;
	bool nomem;
	size_t i;
	int ret;

	jsonw_init(&w, f, 1);
	jsonw_object_begin(&w);
	jsonw_member_int(&w, "version", 1);
	jsonw_key(&w, "sources");
	jsonw_array_begin(&w);
	for (i = 0; i < rs->nsources; i++) {
		jsonw_object_begin(&w);
		jsonw_member_string(&w, "name", rs->sources[i].name);
		jsonw_key(&w, "present");
		jsonw_bool(&w, rs->sources[i].present);
		if (rs->sources[i].error)
			jsonw_member_string(&w, "error",
					    strerror(-rs->sources[i].error));
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_key(&w, "chains");
	jsonw_array_begin(&w);
	for (i = 0; i < rs->nchains; i++)
		chain_json(&w, &sc, rs, &rs->chains[i]);
	jsonw_array_end(&w);
	jsonw_key(&w, "sets");
	jsonw_array_begin(&w);
	for (i = 0; i < rs->nsets; i++)
		if (set_is_named(rs->sets[i]))
			set_json(&w, &sc, rs->sets[i]);
	jsonw_array_end(&w);
	jsonw_key(&w, "notes");
	jsonw_array_begin(&w);
	for (i = 0; i < rs->nnotes; i++)
		jsonw_string(&w, rs->notes[i]);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	nomem = sc.failed;
	strbuf_release(&sc);
	ret = jsonw_end(&w);
	return ret ? ret : nomem ? -ENOMEM : 0;
}
