// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_expr.c - nftables rule expressions decoded into the ruleset model:
 * part of the nftables reader (see nft.c and nft_build.h).
 *
 * Rule expressions run on a register machine.  struct nft_reg follows what
 * each register holds (a packet field, possibly a partial or masked one, an
 * immediate value, the data half of a map) and the comparing expressions
 * (cmp, range, lookup) turn that into matches.  Anything we cannot name
 * becomes an RS_F_PAYLOAD / RS_F_OTHER / RS_F_UNKNOWN match that says what
 * it is: never dropped, never guessed.
 */
#include "nft_build.h"
#include "util.h"

/*
 * Building the model.
 */

_Static_assert(NFT_REG_PARTS <= RS_CONCAT_MAX,
	       "a multi-field compare becomes one concatenated match");

/* The register about to be written with len bytes: clear what it overlaps. */
static struct nft_reg *nft_reg_write(struct nft_rctx *c, uint32_t reg,
				     unsigned int len)
{
	unsigned int n = (len + 3) / 4, i;
	int idx, j;

	if (nft_reg_index(reg, &idx) < 0 || len == 0 || len > 16 ||
	    idx + n > NFT_NREGS)
		return NULL;
	/* a value that started before idx and reaches into it is gone */
	for (j = idx; j > 0 && c->regs[j].kind == NREG_CONT; j--)
		;
	for (; j < idx; j++)
		memset(&c->regs[j], 0, sizeof(c->regs[j]));
	for (i = 0; i < n; i++)
		memset(&c->regs[idx + i], 0, sizeof(c->regs[0]));
	for (i = idx + n; i < NFT_NREGS && c->regs[i].kind == NREG_CONT; i++)
		memset(&c->regs[i], 0, sizeof(c->regs[0]));
	for (i = 1; i < n; i++)
		c->regs[idx + i].kind = NREG_CONT;
	c->regs[idx].len = (uint8_t)len;
	return &c->regs[idx];
}

static void nft_reg_load1(struct nft_reg *g, enum rs_field field,
			  unsigned int width, bool host)
{
	g->kind = NREG_LOAD;
	g->nparts = 1;
	g->parts[0] = (struct nft_part){
		.field = field, .fwidth = (uint8_t)width, .foff = 0,
		.len = g->len, .roff = 0, .host = host,
	};
}

static void nft_reg_other(struct nft_reg *g, const char *name,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void nft_reg_other(struct nft_reg *g, const char *name,
			  const char *fmt, ...)
{
	va_list ap;

	g->kind = NREG_OTHER;
	g->name = name;
	va_start(ap, fmt);
	vsnprintf(g->desc, sizeof(g->desc), fmt, ap);
	va_end(ap);
}

/*
 * Adding to the rule.
 */

static void nft_fail(struct nft_rctx *c, int err)
{
	if (!c->err)
		c->err = err;
}

static struct rs_match *nft_match_new(struct nft_rctx *c)
{
	struct rs_match *m = rs_rule_add_match(c->r);

	if (!m)
		nft_fail(c, -ENOMEM);
	return m;
}

static void nft_match_other(struct nft_rctx *c, enum rs_field field,
			    const char *name, bool invert, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void nft_match_other(struct nft_rctx *c, enum rs_field field,
			    const char *name, bool invert, const char *fmt, ...)
{
	struct rs_match *m;
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	m = nft_match_new(c);
	if (m && rs_match_set_other(m, field, name, 0, text, invert) < 0)
		nft_fail(c, -ENOMEM);
}

static struct rs_stmt *nft_stmt(struct nft_rctx *c, const char *name,
				const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct rs_stmt *nft_stmt(struct nft_rctx *c, const char *name,
				const char *fmt, ...)
{
	struct rs_stmt *s;
	char text[256];
	va_list ap;

	s = rs_rule_add_stmt(c->r);
	if (!s)
		goto fail;
	s->name = strdup(name);
	if (!s->name)
		goto fail;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
		s->text = strdup(text);
		if (!s->text)
			goto fail;
	}
	return s;
fail:
	nft_fail(c, -ENOMEM);
	return NULL;
}

/* "0x" and the bytes in hex, cut to size: done for every comparison, so
 * without printf. */
static void nft_hex(char *buf, size_t size, const uint8_t *p, unsigned int len)
{
	static const char digits[] = "0123456789abcdef";
	size_t off = 2;
	unsigned int i;

	if (size < 3) {
		if (size)
			buf[0] = '\0';
		return;
	}
	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < len && off + 3 < size; i++) {
		buf[off++] = digits[p[i] >> 4];
		buf[off++] = digits[p[i] & 0xf];
	}
	buf[off] = '\0';
}

static const char *nft_cmp_op_name(uint32_t op)
{
	static const char *const names[] = {
		[NFT_CMP_EQ] = "==", [NFT_CMP_NEQ] = "!=", [NFT_CMP_LT] = "<",
		[NFT_CMP_LTE] = "<=", [NFT_CMP_GT] = ">", [NFT_CMP_GTE] = ">=",
	};

	return op < ARRAY_SIZE(names) && names[op] ?
	       names[op] : "?";
}

/* The packet context a rule has established so far. */
static void nft_ctx_learn(struct nft_rctx *c, enum rs_field f, rs_u128 v)
{
	switch (f) {
	case RS_F_NFPROTO:
		c->l3 = (uint8_t)v;
		break;
	case RS_F_ETHERTYPE:
		if (v == ETH_P_IP)
			c->l3 = NFPROTO_IPV4;
		else if (v == ETH_P_IPV6)
			c->l3 = NFPROTO_IPV6;
		break;
	case RS_F_L4PROTO:
		c->l4 = (int)v;
		break;
	default:
		break;
	}
}

/* Append an interval match, or narrow the previous one on the same field:
 * nft writes "tcp dport 1000-2000" as cmp gte + cmp lte. */
static void nft_match_range(struct nft_rctx *c, enum rs_field f, rs_u128 lo,
			    rs_u128 hi, bool invert, bool empty)
{
	struct rs_match *m, *p;
	struct rs_rule *r = c->r;

	if (!invert && !empty && r->nmatches > 0) {
		p = &r->matches[r->nmatches - 1];
		if (p->op == RS_OP_IN && p->nfields == 1 && p->fields[0] == f &&
		    p->nelems == 1 && !p->set) {
			if (p->elems[0].lo < lo)
				p->elems[0].lo = lo;
			if (p->elems[0].hi > hi)
				p->elems[0].hi = hi;
			if (p->elems[0].lo > p->elems[0].hi)
				p->nelems = 0;
			return;
		}
	}
	m = nft_match_new(c);
	if (!m)
		return;
	if (empty) {
		/* a comparison that no packet can satisfy */
		m->op = invert ? RS_OP_NOT_IN : RS_OP_IN;
		m->nfields = 1;
		m->fields[0] = f;
		return;
	}
	if (rs_match_set_range(m, f, lo, hi, invert) < 0)
		nft_fail(c, -ENOMEM);
	else if (!invert && lo == hi)
		nft_ctx_learn(c, f, lo);
}

static void nft_match_mask(struct nft_rctx *c, enum rs_field f, rs_u128 mask,
			   rs_u128 value, bool ne)
{
	struct rs_match *m = nft_match_new(c);

	if (!m)
		return;
	m->op = ne ? RS_OP_MASK_NE : RS_OP_MASK_EQ;
	m->nfields = 1;
	m->fields[0] = f;
	m->mask = mask;
	m->value = value;
}

/* ct state holds exactly one bit per packet, so a mask test is a set of
 * states: "ct state established,related" is (state & 6) != 0. */
static void nft_match_ctstate(struct nft_rctx *c, rs_u128 mask, rs_u128 value,
			      bool ne)
{
	struct rs_match *m = nft_match_new(c);
	bool in;
	int bit;

	if (!m)
		return;
	m->nfields = 1;
	m->fields[0] = RS_F_CT_STATE;
	if (value == 0) {
		in = ne;
		for (bit = 0; bit < 32; bit++) {
			if (!(mask & ((rs_u128)1 << bit)))
				continue;
			if (rs_match_add_interval(m, (rs_u128)1 << bit,
						  (rs_u128)1 << bit) < 0)
				nft_fail(c, -ENOMEM);
		}
	} else {
		in = !ne;
		if ((value & (value - 1)) == 0 && (value & mask) == value &&
		    rs_match_add_interval(m, value, value) < 0)
			nft_fail(c, -ENOMEM);
	}
	m->op = in ? RS_OP_IN : RS_OP_NOT_IN;
}

static const char *nft_base_name(uint32_t base)
{
	switch (base) {
	case NFT_PAYLOAD_LL_HEADER:
		return "ll";
	case NFT_PAYLOAD_NETWORK_HEADER:
		return "nh";
	case NFT_PAYLOAD_TRANSPORT_HEADER:
		return "th";
	case NFT_PAYLOAD_INNER_HEADER:
		return "ih";
	default:
		return "?";
	}
}

static char *nft_put_u32(char *p, uint32_t v)
{
	char digits[10];
	int n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = digits[--n];
	return p;
}

/* "@th,16,16", nft's name for payload bytes: written for every payload
 * load, so without printf (buf holds at least 36 bytes). */
static void nft_payload_desc(char *buf, uint32_t base, uint32_t off,
			     uint32_t len)
{
	const char *name = nft_base_name(base);
	char *p = buf;

	*p++ = '@';
	while (*name)
		*p++ = *name++;
	*p++ = ',';
	p = nft_put_u32(p, off * 8);
	*p++ = ',';
	p = nft_put_u32(p, len * 8);
	*p = '\0';
}

/* The field bits a comparison of len register bytes with data looks at:
 * fmask/fvalue in field coordinates.  Returns false when the bytes do not
 * map onto one field (host-order fields compared partially). */
static bool nft_part_cmp(const struct nft_reg *g, const struct nft_part *p,
			 const uint8_t *data, unsigned int len, rs_u128 *fmask,
			 rs_u128 *fvalue)
{
	uint8_t m[16], d[16];
	unsigned int i, shift;

	if (len > p->len)
		return false;
	for (i = 0; i < len; i++) {
		m[i] = g->masked ? g->mask[p->roff + i] : 0xff;
		d[i] = data[i];
		if (g->masked)
			d[i] ^= g->xor[p->roff + i];
	}
	if (p->host) {
		if (p->foff != 0 || len != p->fwidth)
			return false;
		*fmask = nft_bytes_value(m, len, true);
		*fvalue = nft_bytes_value(d, len, true);
		return true;
	}
	shift = 8 * (p->fwidth - p->foff - len);
	*fmask = nft_bytes_value(m, len, false) << shift;
	*fvalue = nft_bytes_value(d, len, false) << shift;
	return true;
}

/*
 * A comparison left undecided says "payload" for bytes with no name, and
 * for the sender's header fields loaded from the payload in a way the
 * model cannot say (ip6 length in a set, traffic class bits mixed with the
 * flow label): they were unnamed bytes before they had fields.
 */
static bool nft_reg_payload(const struct nft_reg *g)
{
	unsigned int i;

	if (g->raw)
		return true;
	if (g->kind != NREG_LOAD || g->desc[0] != '@')
		return false;
	for (i = 0; i < g->nparts; i++) {
		switch (g->parts[i].field) {
		case RS_F_IP_TTL:
		case RS_F_IP_TOS:
		case RS_F_IP_LENGTH:
		case RS_F_IP_FRAGOFF:
			return true;
		default:
			break;
		}
	}
	return false;
}

static void nft_raw_text(char *buf, size_t size, const struct nft_reg *g)
{
	snprintf(buf, size, "%s", g->desc);
}

/*
 * An interval of one part's field: the ip6 payload length is the packet
 * length less 40; a packet length above 65535 (an IPv6 payload that big,
 * a meta length of a GSO packet) is no probe, so RS_F_IP_LENGTH stops
 * there.
 */
static void nft_match_part_range(struct nft_rctx *c, const struct nft_part *p,
				 rs_u128 lo, rs_u128 hi, bool invert,
				 bool empty)
{
	lo += p->plus;
	hi += p->plus;
	if (p->field == RS_F_IP_LENGTH && !empty) {
		if (lo > 0xffff)
			empty = true;
		else if (hi > 0xffff)
			hi = 0xffff;
	}
	nft_match_range(c, p->field, lo, hi, invert, empty);
}

/* The two header bytes of an IPv6 traffic class load as a 16-bit word:
 * version (4 bits), traffic class (8), flow label (top 4 of 20). */
static void nft_tc6_word(const struct nft_part *p, const uint8_t *b,
			 uint16_t *w)
{
	*w = p->len == 2 ? (uint16_t)(b[0] << 8 | b[1]) :
	     p->foff == 0 ? (uint16_t)(b[0] << 8) : b[0];
}

/* ip6 dscp / ip6 ecn: a masked compare of the IPv6 header's first bytes
 * that looks only at traffic class bits is a test of the TOS byte.
 * Returns false for anything else (the caller says it raw). */
static bool nft_compare_tc6(struct nft_rctx *c, const struct nft_reg *g,
			    const struct nft_part *p, uint32_t op,
			    const uint8_t *data, unsigned int len)
{
	uint8_t m[2] = { 0xff, 0xff }, d[2];
	uint16_t mw, dw;
	unsigned int i;
	bool ne = op == NFT_CMP_NEQ;

	if ((op != NFT_CMP_EQ && op != NFT_CMP_NEQ) || len != p->len)
		return false;
	for (i = 0; i < len; i++) {
		if (g->masked)
			m[i] = g->mask[p->roff + i];
		d[i] = data[i] ^ (g->masked ? g->xor[p->roff + i] : 0);
	}
	nft_tc6_word(p, m, &mw);
	nft_tc6_word(p, d, &dw);
	if (mw & ~0x0ff0)
		return false;
	if (dw & ~mw) {
		/* bits outside the mask are never equal */
		nft_match_range(c, RS_F_IP_TOS, 0, 0, ne, true);
		return true;
	}
	nft_match_mask(c, RS_F_IP_TOS, (mw >> 4) & 0xff, (dw >> 4) & 0xff, ne);
	return true;
}

/*
 * exthdr ... exists / missing, tcp option ... exists, ip option ...
 * exists: the register holds 1 or 0.  A header or option kind is a bit of
 * its field, except the routing header and the MSS option, whose fields
 * hold their value or RS_ABSENT.
 */
static void nft_exists(struct nft_rctx *c, enum rs_field f, rs_u128 bit,
		       bool present)
{
	switch (f) {
	case RS_F_IP6_RT_TYPE:
		if (present)
			nft_match_range(c, f, 0, 0xff, false, false);
		else
			nft_match_range(c, f, RS_ABSENT, RS_ABSENT, false,
					false);
		break;
	case RS_F_TCP_MSS:
		if (present)
			nft_match_range(c, f, 0, 0xffff, false, false);
		else
			nft_match_range(c, f, RS_ABSENT, RS_ABSENT, false,
					false);
		break;
	default:
		if (!bit) {
			/* a header no probe carries (mobility) */
			nft_match_range(c, f, 0, 0, !present, true);
			break;
		}
		nft_match_mask(c, f, bit, present ? bit : 0, false);
		break;
	}
}

/* One comparison of a register with a value: cmp (op), or range (op EQ/NEQ
 * with to != NULL). */
static void nft_compare_one(struct nft_rctx *c, const struct nft_reg *g,
			uint32_t op, const uint8_t *data, unsigned int len,
			const uint8_t *to)
{
	rs_u128 fmask, fvalue, tmask, tvalue, full, low, v;
	const struct nft_part *p;
	char hex[80], hex2[80] = "";
	enum rs_field f;
	unsigned int i;
	bool ne;

	nft_hex(hex, sizeof(hex), data, len);
	if (to)
		nft_hex(hex2, sizeof(hex2), to, len);
	if (!g) {
		nft_match_other(c, RS_F_UNKNOWN, "cmp", false,
				"compare of an empty register %s %s",
				nft_cmp_op_name(op), hex);
		return;
	}
	if (g->kind != NREG_LOAD) {
		const char *name = g->kind == NREG_OTHER ? g->name : "cmp";

		if (to)
			nft_match_other(c, RS_F_OTHER, name,
					op == NFT_RANGE_NEQ, "%s in %s-%s",
					g->desc, hex, hex2);
		else
			nft_match_other(c, RS_F_OTHER, name, false,
					"%s %s %s", g->desc,
					nft_cmp_op_name(op), hex);
		return;
	}
	if (to)
		op = op == NFT_RANGE_NEQ ? NFT_CMP_NEQ : NFT_CMP_EQ;
	ne = op == NFT_CMP_NEQ;

	if (g->exists) {
		if (to || g->masked || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ))
			goto raw;
		v = nft_bytes_value(data, len, true);
		if (v > 1)	/* never equal */
			nft_match_range(c, g->parts[0].field, 0, 0, ne, true);
		else
			nft_exists(c, g->parts[0].field, g->exbit,
				   (v == 1) != ne);
		return;
	}

	/* Several fields at once ("ip saddr . ip daddr" loaded as 8 bytes):
	 * equal means each part is equal; not equal is one tuple match. */
	if (g->nparts > 1 && !to && !g->raw &&
	    (op == NFT_CMP_EQ || op == NFT_CMP_NEQ) && len == g->len) {
		struct rs_match *m = NULL;
		struct rs_interval iv[NFT_REG_PARTS];

		for (i = 0; i < g->nparts; i++) {
			p = &g->parts[i];
			if (p->plus || p->tc6 ||
			    !nft_part_cmp(g, p, data + p->roff, p->len, &fmask,
					  &fvalue) ||
			    !nft_is_prefix(fmask, nft_ones(p->fwidth)))
				goto raw;
			low = ~fmask & nft_ones(p->fwidth);
			iv[i].lo = fvalue & fmask;
			iv[i].hi = (fvalue & fmask) | low;
		}
		if (!ne) {
			for (i = 0; i < g->nparts; i++)
				nft_match_range(c, g->parts[i].field, iv[i].lo,
						iv[i].hi, false, false);
			return;
		}
		m = nft_match_new(c);
		if (!m)
			return;
		m->op = RS_OP_NOT_IN;
		m->nfields = g->nparts;
		m->elems = calloc(g->nparts, sizeof(*m->elems));
		if (!m->elems) {
			nft_fail(c, -ENOMEM);
			return;
		}
		for (i = 0; i < g->nparts; i++) {
			m->fields[i] = g->parts[i].field;
			m->elems[i] = iv[i];
		}
		m->nelems = 1;
		return;
	}
	if (g->nparts != 1 || g->raw)
		goto raw;
	p = &g->parts[0];
	f = p->field;
	full = nft_ones(p->fwidth);
	if (p->tc6) {
		if (to || !nft_compare_tc6(c, g, p, op, data, len))
			goto raw;
		return;
	}

	/* fib ... present holds 0 or 1: "route exists" is oif != 0 */
	if (g->present && !to && (op == NFT_CMP_EQ || op == NFT_CMP_NEQ)) {
		v = nft_bytes_value(data, len, true);
		if (v > 1)
			goto raw;
		nft_match_range(c, f, 0, 0, (v != 0) != ne, false);
		return;
	}

	/* iifname "eth*" is a compare of fewer than IFNAMSIZ bytes;
	 * iptables-nft writes "-i eth0" as the 5 bytes "eth0\0" */
	if ((f == RS_F_IIFNAME || f == RS_F_OIFNAME) && !g->masked && !to &&
	    p->foff == 0 && (op == NFT_CMP_EQ || op == NFT_CMP_NEQ)) {
		char name[RS_IFNAMSIZ + 1] = "";
		bool wildcard = !memchr(data, 0, len) && len < RS_IFNAMSIZ;
		struct rs_match *m;

		memcpy(name, data, len < RS_IFNAMSIZ ? len : RS_IFNAMSIZ);
		m = nft_match_new(c);
		if (m && rs_match_set_ifname(m, f, name, wildcard, ne) < 0)
			nft_fail(c, -ENOMEM);
		return;
	}

	if (!nft_part_cmp(g, p, data, len, &fmask, &fvalue))
		goto raw;
	if (p->host && p->fwidth > 1 && op != NFT_CMP_EQ && op != NFT_CMP_NEQ)
		goto raw;	/* the kernel compares these bytes with memcmp */
	fmask &= full;
	fvalue &= full;
	low = ~fmask & full;

	if (f == RS_F_CT_STATE && !to && (op == NFT_CMP_EQ ||
					  op == NFT_CMP_NEQ)) {
		nft_match_ctstate(c, fmask, fvalue, ne);
		return;
	}
	/* ip dscp: a mask test, as xt_dscp says it, even where the mask is
	 * a prefix */
	if (f == RS_F_IP_TOS && g->masked && !to &&
	    (op == NFT_CMP_EQ || op == NFT_CMP_NEQ) && fmask != full) {
		nft_match_mask(c, f, fmask, fvalue, ne);
		return;
	}
	if (!nft_is_prefix(fmask, full)) {
		/* a mask on a value that may be absent or offset would
		 * need more than (field & mask) == value */
		if (to || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) ||
		    p->plus || g->absent_breaks)
			goto raw;
		nft_match_mask(c, f, fmask, fvalue, ne);
		return;
	}
	if (to) {
		if (!nft_part_cmp(g, p, to, len, &tmask, &tvalue))
			goto raw;
		tvalue &= full;
		nft_match_part_range(c, p, fvalue & fmask,
				     (tvalue & fmask) | low, ne, false);
		return;
	}
	v = fvalue & fmask;
	switch (op) {
	case NFT_CMP_EQ:
	case NFT_CMP_NEQ:
		/* bits outside the mask can never be equal */
		nft_match_part_range(c, p, v, v | low, ne,
				     (fvalue & low) != 0);
		break;
	case NFT_CMP_LT:
		nft_match_part_range(c, p, 0, v ? v - 1 : 0, false, v == 0);
		break;
	case NFT_CMP_LTE:
		nft_match_part_range(c, p, 0, v | low, false, false);
		break;
	case NFT_CMP_GT:
		nft_match_part_range(c, p, (v | low) + 1, full, false,
				     (v | low) == full);
		break;
	case NFT_CMP_GTE:
		nft_match_part_range(c, p, v, full, false, false);
		break;
	default:
		goto raw;
	}
	return;
raw:
	{
		bool payload = nft_reg_payload(g);
		const char *name = payload ? "payload" :
				   g->name ? g->name : "cmp";
		char text[160];

		nft_raw_text(text, sizeof(text), g);
		if (to)
			nft_match_other(c, payload ? RS_F_PAYLOAD : RS_F_OTHER,
					name, op == NFT_CMP_NEQ, "%s in %s-%s",
					text, hex, hex2);
		else
			nft_match_other(c, payload ? RS_F_PAYLOAD : RS_F_OTHER,
					name, false, "%s %s %s", text,
					nft_cmp_op_name(op), hex);
	}
}

/*
 * A comparison of a header or option value that the packet may lack: the
 * kernel ends the rule then (NFT_BREAK), so a "not equal" or "not in"
 * must not hold for RS_ABSENT.
 */
static void nft_compare(struct nft_rctx *c, const struct nft_reg *g,
			uint32_t op, const uint8_t *data, unsigned int len,
			const uint8_t *to)
{
	size_t n0 = c->r->nmatches, i;
	struct rs_match *m;

	nft_compare_one(c, g, op, data, len, to);
	if (!g || g->kind != NREG_LOAD || !g->absent_breaks)
		return;
	for (i = n0; i < c->r->nmatches; i++) {
		m = &c->r->matches[i];
		if (m->op == RS_OP_NOT_IN && m->nfields == 1 && !m->set &&
		    rs_match_add_interval(m, RS_ABSENT, RS_ABSENT) < 0)
			nft_fail(c, -ENOMEM);
	}
}

/*
 * Loads.
 */

struct nft_hdr_field {
	uint8_t off, len;
	enum rs_field field;
};

/* In header order: a load spanning several fields is split in parts. */
static const struct nft_hdr_field nft_ip_fields[] = {
	{ 1, 1, RS_F_IP_TOS }, { 2, 2, RS_F_IP_LENGTH },
	{ 6, 2, RS_F_IP_FRAGOFF }, { 8, 1, RS_F_IP_TTL },
	{ 9, 1, RS_F_L4PROTO }, { 12, 4, RS_F_IP_SADDR },
	{ 16, 4, RS_F_IP_DADDR }, { 0, 0, 0 },
};
/* The traffic class (bytes 0-1) is handled in nft_load_payload(); the
 * payload length is RS_F_IP_LENGTH less the 40 bytes of this header. */
static const struct nft_hdr_field nft_ip6_fields[] = {
	{ 4, 2, RS_F_IP_LENGTH }, { 6, 1, RS_F_L4PROTO },
	{ 7, 1, RS_F_IP_TTL }, { 8, 16, RS_F_IP6_SADDR },
	{ 24, 16, RS_F_IP6_DADDR }, { 0, 0, 0 },
};
static const struct nft_hdr_field nft_port_fields[] = {
	{ 0, 2, RS_F_SPORT }, { 2, 2, RS_F_DPORT }, { 0, 0, 0 },
};
static const struct nft_hdr_field nft_tcp_fields[] = {
	{ 0, 2, RS_F_SPORT }, { 2, 2, RS_F_DPORT },
	{ 13, 1, RS_F_TCP_FLAGS }, { 0, 0, 0 },
};
static const struct nft_hdr_field nft_icmp_fields[] = {
	{ 0, 1, RS_F_ICMP_TYPE }, { 1, 1, RS_F_ICMP_CODE }, { 0, 0, 0 },
};
static const struct nft_hdr_field nft_icmp6_fields[] = {
	{ 0, 1, RS_F_ICMPV6_TYPE }, { 1, 1, RS_F_ICMPV6_CODE }, { 0, 0, 0 },
};
static const struct nft_hdr_field nft_ether_fields[] = {
	{ 0, 6, RS_F_ETHER_DADDR }, { 6, 6, RS_F_ETHER_SADDR },
	{ 12, 2, RS_F_ETHERTYPE }, { 0, 0, 0 },
};

static const struct nft_hdr_field *nft_header_fields(const struct nft_rctx *c,
						     uint32_t base)
{
	switch (base) {
	case NFT_PAYLOAD_LL_HEADER:
		return nft_ether_fields;
	case NFT_PAYLOAD_NETWORK_HEADER:
		if (c->l3 == NFPROTO_IPV4)
			return nft_ip_fields;
		if (c->l3 == NFPROTO_IPV6)
			return nft_ip6_fields;
		return NULL;
	case NFT_PAYLOAD_TRANSPORT_HEADER:
		switch (c->l4) {
		case IPPROTO_ICMP:
			return nft_icmp_fields;
		case IPPROTO_ICMPV6:
			return nft_icmp6_fields;
		case IPPROTO_TCP:
			return nft_tcp_fields;
		case IPPROTO_UDP:
		case IPPROTO_UDPLITE:
		case IPPROTO_SCTP:
		case IPPROTO_DCCP:
		/* "th dport" with no protocol: the port of any of those */
		case -1:
			return nft_port_fields;
		default:
			return NULL;
		}
	default:
		return NULL;
	}
}

static void nft_load_payload(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	const struct nft_hdr_field *hf = nft_header_fields(c, base), *h;
	uint32_t covered = 0, s, t;
	struct nft_reg *g;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_SREG)) {
		nft_stmt(c, "payload set", "@%s,%u,%u", nft_base_name(base),
			 off * 8, len * 8);
		return;
	}
	g = nft_reg_write(c, nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG),
			  len);
	if (!g) {
		nft_match_other(c, RS_F_UNKNOWN, "payload", false,
				"bad register or length %u", len);
		return;
	}
	g->kind = NREG_LOAD;
	nft_payload_desc(g->desc, base, off, len);
	if (hf == nft_ip6_fields && off + len <= 2) {
		/* version, traffic class, flow label: 4 + 8 + 20 bits */
		g->nparts = 1;
		g->parts[0] = (struct nft_part){
			.field = RS_F_IP_TOS, .fwidth = 2, .foff = (uint8_t)off,
			.len = (uint8_t)len, .tc6 = true,
		};
		return;
	}
	for (h = hf; h && h->len; h++) {
		s = off > h->off ? off : h->off;
		t = off + len < (uint32_t)h->off + h->len ? off + len :
		    (uint32_t)h->off + h->len;
		if (s >= t)
			continue;
		if (g->nparts == NFT_REG_PARTS)
			break;
		g->parts[g->nparts++] = (struct nft_part){
			.field = h->field, .fwidth = h->len,
			.foff = (uint8_t)(s - h->off), .len = (uint8_t)(t - s),
			.roff = (uint8_t)(s - off),
			.plus = hf == nft_ip6_fields &&
				h->field == RS_F_IP_LENGTH ? 40 : 0,
		};
		covered += t - s;
	}
	if (!hf || covered != len) {
		g->nparts = 1;
		g->raw = true;
		g->parts[0] = (struct nft_part){
			.field = RS_F_PAYLOAD, .fwidth = (uint8_t)len,
			.len = (uint8_t)len,
		};
	}
}

static void nft_load_meta(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
	static const struct {
		uint32_t key;
		enum rs_field field;
		uint8_t width;
		bool host;
		const char *name;
	} keys[] = {
		{ NFT_META_IIFNAME, RS_F_IIFNAME, 16, false, "iifname" },
		{ NFT_META_OIFNAME, RS_F_OIFNAME, 16, false, "oifname" },
		{ NFT_META_IIF, RS_F_IIF, 4, true, "iif" },
		{ NFT_META_OIF, RS_F_OIF, 4, true, "oif" },
		{ NFT_META_IIFTYPE, RS_F_IIFTYPE, 2, true, "iiftype" },
		{ NFT_META_NFPROTO, RS_F_NFPROTO, 1, true, "nfproto" },
		{ NFT_META_PROTOCOL, RS_F_ETHERTYPE, 2, false, "protocol" },
		{ NFT_META_L4PROTO, RS_F_L4PROTO, 1, true, "l4proto" },
		{ NFT_META_MARK, RS_F_MARK, 4, true, "mark" },
		{ NFT_META_PKTTYPE, RS_F_PKTTYPE, 1, true, "pkttype" },
		{ NFT_META_SKUID, RS_F_SKUID, 4, true, "skuid" },
		{ NFT_META_SKGID, RS_F_SKGID, 4, true, "skgid" },
		/* skb->len: at the IP hooks the packet from its IP header
		 * on, the IPv4 total length / IPv6 payload length + 40 */
		{ NFT_META_LEN, RS_F_IP_LENGTH, 4, true, "length" },
	};
	static const char *const others[] = {
		[NFT_META_LEN] = "length", [NFT_META_PRIORITY] = "priority",
		[NFT_META_OIFTYPE] = "oiftype", [NFT_META_NFTRACE] = "nftrace",
		[NFT_META_RTCLASSID] = "rtclassid",
		[NFT_META_SECMARK] = "secmark",
		[NFT_META_BRI_IIFNAME] = "ibrname",
		[NFT_META_BRI_OIFNAME] = "obrname", [NFT_META_CPU] = "cpu",
		[NFT_META_IIFGROUP] = "iifgroup",
		[NFT_META_OIFGROUP] = "oifgroup", [NFT_META_CGROUP] = "cgroup",
		[NFT_META_PRANDOM] = "random", [NFT_META_SECPATH] = "ipsec",
		[NFT_META_IIFKIND] = "iifkind", [NFT_META_OIFKIND] = "oifkind",
		[NFT_META_BRI_IIFPVID] = "ibrpvid",
		[NFT_META_BRI_IIFVPROTO] = "ibrvproto",
		[NFT_META_TIME_NS] = "time", [NFT_META_TIME_DAY] = "day",
		[NFT_META_TIME_HOUR] = "hour", [NFT_META_SDIF] = "sdif",
		[NFT_META_SDIFNAME] = "sdifname",
	};
	const char *name = key < ARRAY_SIZE(others) &&
			   others[key] ? others[key] : NULL;
	struct nft_reg *g;
	unsigned int i;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_META_SREG)) {
		const struct nft_reg *v = nft_reg_read(c,
				nftnl_expr_get_u32(e, NFTNL_EXPR_META_SREG));
		struct rs_stmt *s;

		if (key != NFT_META_MARK) {
			for (i = 0; i < ARRAY_SIZE(keys); i++)
				if (keys[i].key == key)
					name = keys[i].name;
			nft_stmt(c, "meta set", "meta %s set",
				 name ? name : "?");
			return;
		}
		s = nft_stmt(c, "meta mark set", NULL);
		if (!s || !v)
			return;
		if (v->kind == NREG_IMM && v->len == 4) {
			s->sets_mark = true;
			s->mark_mask = 0xffffffff;
			s->mark_value = (uint32_t)nft_bytes_value(v->data, 4,
								  true);
		} else if (v->kind == NREG_LOAD && v->nparts == 1 &&
			   v->parts[0].field == RS_F_MARK && v->masked) {
			/* meta mark set meta mark and M or V */
			s->sets_mark = true;
			s->mark_mask = ~(uint32_t)nft_bytes_value(v->mask, 4,
								  true);
			s->mark_value = (uint32_t)nft_bytes_value(v->xor, 4,
								  true);
		}
		if (s->sets_mark) {
			free(s->text);
			if (asprintf(&s->text, "0x%08x/0x%08x", s->mark_value,
				     s->mark_mask) < 0) {
				s->text = NULL;
				nft_fail(c, -ENOMEM);
			}
		} else {
			/* a value we cannot follow: say where it comes from */
			s->text = strdup(v->kind == NREG_LOAD && v->nparts ?
					 rs_field_info(v->parts[0].field)->name :
					 v->kind == NREG_MAP ? "map" :
					 v->desc);
			if (!s->text)
				nft_fail(c, -ENOMEM);
		}
		return;
	}
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		if (keys[i].key != key)
			continue;
		g = nft_reg_write(c, nftnl_expr_get_u32(e,
				  NFTNL_EXPR_META_DREG), keys[i].width);
		if (g)
			nft_reg_load1(g, keys[i].field, keys[i].width,
				      keys[i].host);
		return;
	}
	/* the widths the kernel gives these keys; 16 covers names */
	g = nft_reg_write(c, nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG),
			  key == NFT_META_BRI_IIFNAME ||
			  key == NFT_META_BRI_OIFNAME ||
			  key == NFT_META_IIFKIND || key == NFT_META_OIFKIND ||
			  key == NFT_META_SDIFNAME ? 16 :
			  key == NFT_META_TIME_NS ? 8 : 4);
	if (g)
		nft_reg_other(g, "meta", "meta %s", name ? name : "?");
}

static void nft_load_ct(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);
	bool reply = nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR) &&
		     nftnl_expr_get_u8(e, NFTNL_EXPR_CT_DIR) == IP_CT_DIR_REPLY;
	const char *dir = !nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR) ? "" :
			  reply ? "reply " : "original ";
	enum rs_field f = RS_F__COUNT;
	unsigned int width = 4, loadlen = 0;
	bool host = false, v6;
	struct nft_reg *g;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_SREG)) {
		static const char *const sets[] = {
			[NFT_CT_MARK] = "ct mark set",
			[NFT_CT_HELPER] = "ct helper set",
			[NFT_CT_LABELS] = "ct label set",
			[NFT_CT_ZONE] = "ct zone set",
			[NFT_CT_EVENTMASK] = "ct event set",
			[NFT_CT_SECMARK] = "ct secmark set",
			[NFT_CT_EXPIRATION] = "ct expiration set",
		};

		nft_stmt(c, key < ARRAY_SIZE(sets) && sets[key] ?
			 sets[key] : "ct set", NULL);
		return;
	}
	v6 = c->l3 == NFPROTO_IPV6 || c->family == NFPROTO_IPV6;
	switch (key) {
	case NFT_CT_STATE:
		f = RS_F_CT_STATE, host = true;
		break;
	case NFT_CT_STATUS:
		f = RS_F_CT_STATUS, host = true;
		break;
	case NFT_CT_DIRECTION:
		f = RS_F_CT_DIRECTION, width = 1, host = true;
		break;
	case NFT_CT_MARK:
		f = RS_F_CT_MARK, host = true;
		break;
	case NFT_CT_SRC_IP:
		f = reply ? RS_F_CT_REPL_SADDR4 : RS_F_CT_ORIG_SADDR4;
		break;
	case NFT_CT_DST_IP:
		f = reply ? RS_F_CT_REPL_DADDR4 : RS_F_CT_ORIG_DADDR4;
		break;
	case NFT_CT_SRC_IP6:
		f = reply ? RS_F_CT_REPL_SADDR6 : RS_F_CT_ORIG_SADDR6;
		width = 16;
		break;
	case NFT_CT_DST_IP6:
		f = reply ? RS_F_CT_REPL_DADDR6 : RS_F_CT_ORIG_DADDR6;
		width = 16;
		break;
	case NFT_CT_SRC:
	case NFT_CT_DST:
		/* the kernel loads the 16-byte tuple address; an IPv4 one
		 * sits in its first 4 bytes */
		loadlen = 16;
		if (!v6 && c->l3 != NFPROTO_IPV4 &&
		    c->family != NFPROTO_IPV4)
			break;
		width = v6 ? 16 : 4;
		if (key == NFT_CT_SRC)
			f = v6 ? (reply ? RS_F_CT_REPL_SADDR6 :
				  RS_F_CT_ORIG_SADDR6) :
				 (reply ? RS_F_CT_REPL_SADDR4 :
				  RS_F_CT_ORIG_SADDR4);
		else
			f = v6 ? (reply ? RS_F_CT_REPL_DADDR6 :
				  RS_F_CT_ORIG_DADDR6) :
				 (reply ? RS_F_CT_REPL_DADDR4 :
				  RS_F_CT_ORIG_DADDR4);
		break;
	case NFT_CT_PROTO_SRC:
		f = reply ? RS_F_CT_REPL_SPORT : RS_F_CT_ORIG_SPORT;
		width = 2;
		break;
	case NFT_CT_PROTO_DST:
		f = reply ? RS_F_CT_REPL_DPORT : RS_F_CT_ORIG_DPORT;
		width = 2;
		break;
	default:
		break;
	}
	g = nft_reg_write(c, nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG),
			  loadlen ? loadlen : f != RS_F__COUNT ? width :
			  key == NFT_CT_LABELS ? 16 : key == NFT_CT_PKTS ||
			  key == NFT_CT_BYTES || key == NFT_CT_AVGPKT ||
			  key == NFT_CT_EXPIRATION ? 8 : 4);
	if (!g)
		return;
	if (f == RS_F__COUNT) {
		static const char *const names[] = {
			[NFT_CT_SECMARK] = "secmark",
			[NFT_CT_EXPIRATION] = "expiration",
			[NFT_CT_HELPER] = "helper",
			[NFT_CT_L3PROTOCOL] = "l3proto",
			[NFT_CT_SRC] = "saddr", [NFT_CT_DST] = "daddr",
			[NFT_CT_PROTOCOL] = "protocol",
			[NFT_CT_LABELS] = "label", [NFT_CT_PKTS] = "packets",
			[NFT_CT_BYTES] = "bytes", [NFT_CT_AVGPKT] = "avgpkt",
			[NFT_CT_ZONE] = "zone", [NFT_CT_ID] = "id",
		};

		nft_reg_other(g, "ct", "ct %s%s", dir,
			      key < ARRAY_SIZE(names) &&
			      names[key] ? names[key] : "?");
		return;
	}
	nft_reg_load1(g, f, width, host);
	g->parts[0].len = (uint8_t)width;
}

static void nft_load_fib(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t result = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_RESULT);
	uint32_t flags = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_FLAGS);
	bool saddr = flags & NFTA_FIB_F_SADDR;
	enum rs_field f = RS_F__COUNT;
	struct nft_reg *g;

	g = nft_reg_write(c, nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_DREG),
			  result == NFT_FIB_RESULT_OIFNAME &&
			  !(flags & NFTA_FIB_F_PRESENT) ? 16 : 4);
	if (!g)
		return;
	if (result == NFT_FIB_RESULT_ADDRTYPE &&
	    !(flags & (NFTA_FIB_F_IIF | NFTA_FIB_F_OIF | NFTA_FIB_F_MARK |
		       NFTA_FIB_F_PRESENT)))
		f = saddr ? RS_F_FIB_SADDR_TYPE : RS_F_FIB_DADDR_TYPE;
	/* rpfilter: fib saddr [. iif] [. mark] oif; present only turns the
	 * ifindex into 0/1 */
	else if (result == NFT_FIB_RESULT_OIF && !(flags & NFTA_FIB_F_OIF))
		f = !saddr ? RS_F_FIB_DADDR_OIF :
		    flags & NFTA_FIB_F_IIF ? RS_F_FIB_SADDR_IIF_OIF :
		    RS_F_FIB_SADDR_OIF;
	if (f != RS_F__COUNT) {
		nft_reg_load1(g, f, 4, true);
		g->present = flags & NFTA_FIB_F_PRESENT;
		return;
	}
	nft_reg_other(g, "fib", "fib%s%s%s%s%s %s%s",
		      saddr ? " saddr" : "",
		      flags & NFTA_FIB_F_DADDR ? " daddr" : "",
		      flags & NFTA_FIB_F_MARK ? " . mark" : "",
		      flags & NFTA_FIB_F_IIF ? " . iif" : "",
		      flags & NFTA_FIB_F_OIF ? " . oif" : "",
		      result == NFT_FIB_RESULT_OIF ? "oif" :
		      result == NFT_FIB_RESULT_OIFNAME ? "oifname" :
		      result == NFT_FIB_RESULT_ADDRTYPE ? "type" : "?",
		      flags & NFTA_FIB_F_PRESENT ? " present" : "");
}

static void nft_bitwise(struct nft_rctx *c, struct nftnl_expr *e)
{
	const struct nft_reg *src;
	struct nft_reg tmp, *dst;
	const uint8_t *mask, *xor;
	uint32_t len, mlen = 0, xlen = 0, op = NFT_BITWISE_BOOL;
	unsigned int i;

	src = nft_reg_read(c, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG));
	len = nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_LEN);
	if (nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_OP))
		op = nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_OP);
	mask = nftnl_expr_get_data(e, NFTNL_EXPR_BITWISE_MASK, &mlen);
	xor = nftnl_expr_get_data(e, NFTNL_EXPR_BITWISE_XOR, &xlen);
	if (src)
		tmp = *src;
	else
		memset(&tmp, 0, sizeof(tmp));
	dst = nft_reg_write(c, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG),
			    len);
	if (!dst)
		return;
	if (!src || op != NFT_BITWISE_BOOL || !mask || !xor || mlen != len ||
	    xlen != len || len > tmp.len || tmp.kind != NREG_LOAD) {
		nft_reg_other(dst, "bitwise", "%s %s",
			      src ? (tmp.kind == NREG_LOAD ? tmp.desc[0] ?
				     tmp.desc : rs_field_info(tmp.parts[0].field)->name :
				     tmp.desc) : "?",
			      op == NFT_BITWISE_LSHIFT ? "<<" :
			      op == NFT_BITWISE_RSHIFT ? ">>" : "& ^");
		return;
	}
	if (!tmp.masked) {
		memset(tmp.mask, 0xff, sizeof(tmp.mask));
		memset(tmp.xor, 0, sizeof(tmp.xor));
	}
	/* ((v & m1) ^ x1) & m2 ^ x2 == (v & m1 & m2) ^ ((x1 & m2) ^ x2) */
	for (i = 0; i < len; i++) {
		tmp.mask[i] &= mask[i];
		tmp.xor[i] = (tmp.xor[i] & mask[i]) ^ xor[i];
	}
	tmp.masked = true;
	tmp.len = (uint8_t)len;
	*dst = tmp;
}

static void nft_byteorder(struct nft_rctx *c, struct nftnl_expr *e)
{
	const struct nft_reg *src;
	struct nft_reg tmp, *dst;
	uint32_t len, size, op;

	src = nft_reg_read(c, nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_SREG));
	len = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_LEN);
	size = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_SIZE);
	op = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_OP);
	if (src)
		tmp = *src;
	else
		memset(&tmp, 0, sizeof(tmp));
	dst = nft_reg_write(c, nftnl_expr_get_u32(e,
			    NFTNL_EXPR_BYTEORDER_DREG), len);
	if (!dst)
		return;
	/* meta mark > 10: the host-order mark is turned big-endian so that
	 * the kernel's memcmp orders it */
	if (src && tmp.kind == NREG_LOAD && tmp.nparts == 1 && !tmp.masked &&
	    tmp.len == len && size == len && tmp.parts[0].fwidth == len &&
	    ((op == NFT_BYTEORDER_HTON && tmp.parts[0].host) ||
	     (op == NFT_BYTEORDER_NTOH && !tmp.parts[0].host))) {
		tmp.parts[0].host = !tmp.parts[0].host;
		*dst = tmp;
		dst->len = (uint8_t)len;
		return;
	}
	nft_reg_other(dst, "byteorder", "byteorder %s",
		      src ? tmp.desc : "?");
}
static void nft_lookup(struct nft_rctx *c, struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
	uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG);
	bool has_dreg = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG);
	uint32_t dreg = has_dreg ? nftnl_expr_get_u32(e,
					NFTNL_EXPR_LOOKUP_DREG) : 0;
	bool inv = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) &&
		   (nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) &
		    NFT_LOOKUP_F_INV);
	struct nft_setx *x = nft_set_find(c->b, c->family, c->table, name);
	struct nft_layout l;
	struct rs_match *m;
	bool total = false;
	char key[96];
	unsigned int i, k;
	int ret;

	nft_key_text(c, sreg, key, sizeof(key));
	if (!x) {
		nft_match_other(c, RS_F_UNKNOWN, "lookup", inv,
				"%s @%s: no such set", key, name ? name : "?");
		goto dreg;
	}
	if (x->set->flags & NFT_SET_EVAL) {
		/* its contents depend on the packets seen so far */
		nft_match_other(c, RS_F_OTHER, "lookup", inv,
				"%s @%s: set updated from the packet path", key,
				name);
		goto dreg;
	}
	if (nft_key_layout(c, sreg, x->set->key_len, &l) < 0) {
		const struct nft_reg *g = nft_reg_read(c, sreg);
		bool raw = g && nft_reg_payload(g);

		nft_match_other(c, raw ? RS_F_PAYLOAD : RS_F_OTHER,
				raw ? "payload" : "lookup", inv, "%s @%s", key,
				name);
		goto dreg;
	}
	ret = nft_set_prepare(c->b, x, &l);
	if (ret < 0) {
		nft_fail(c, ret);
		return;
	}
	if (has_dreg && ret == 1) {
		nft_match_other(c, RS_F_UNKNOWN, "lookup", inv,
				"%s @%s: map used with two key layouts", key,
				name);
		goto dreg;
	}
	{
		const struct nft_reg *kg = nft_reg_read(c, sreg);

		total = ret == 0 && !inv && kg && kg->ng &&
			nft_set_covers(x->set, kg->ng_lo, kg->ng_hi);
	}
	if (has_dreg && dreg == NFT_REG_VERDICT) {
		/* a key not in the map breaks the rule, as a failed match;
		 * the engine splits on the map's elements */
		rs_verdict_release(&c->r->verdict);
		memset(&c->r->verdict, 0, sizeof(c->r->verdict));
		c->r->verdict.kind = RS_V_VMAP;
		c->r->verdict.map.nfields = l.nfields;
		for (i = 0; i < l.nfields; i++)
			c->r->verdict.map.fields[i] = l.f[i].field;
		c->r->verdict.map.set = x->set;
		c->r->verdict.map.total = total;
		return;
	}
	if (total)
		/* every value is in the map: no match to make */
		goto data;
	m = nft_match_new(c);
	if (!m)
		return;
	m->op = inv ? RS_OP_NOT_IN : RS_OP_IN;
	m->nfields = l.nfields;
	for (i = 0; i < l.nfields; i++)
		m->fields[i] = l.f[i].field;
	if (ret == 0) {
		m->set = x->set;
	} else {
		struct rs_elem_data *data = NULL;
		size_t n = 0, j;

		ret = nft_elems_decode(c->b, x, &l, &m->elems, &data, &n);
		if (ret < 0) {
			nft_fail(c, ret);
			return;
		}
		if (data) {
			for (j = 0; j < n; j++)
				rs_verdict_release(&data[j].verdict);
			free(data);
		}
		/* the model counts a match's elements in 32 bits */
		if (n > UINT32_MAX) {
			nft_fail(c, -E2BIG);
			return;
		}
		m->nelems = (uint32_t)n;
	}
	if (inv && !has_dreg) {
		/* the header or option must be there for the lookup to run
		 * at all (nft_compare() says why) */
		const struct nft_reg *g = nft_reg_read(c, sreg);

		if (g && g->kind == NREG_LOAD && g->absent_breaks) {
			enum rs_field f = m->fields[0];

			m = nft_match_new(c);
			if (m && rs_match_set_range(m, f, RS_ABSENT, RS_ABSENT,
						    true) < 0)
				nft_fail(c, -ENOMEM);
		}
	}
	if (!has_dreg)
		return;
data:
	/* a data map: the key must be in it (the match above), and the
	 * value goes to the registers for nat / meta set */
	{
		struct nft_reg *g;
		uint8_t widths[2];
		bool host[2];
		int n, idx = 0;

		g = nft_reg_write(c, dreg, x->set->data_len);
		if (!g)
			return;
		n = nft_data_layout(x->set, widths, host);
		nft_reg_index(dreg, &idx);
		for (i = 0; i < (unsigned int)n; i++) {
			if (idx >= NFT_NREGS)
				break;
			g = &c->regs[idx];
			g->kind = NREG_MAP;
			g->map = x;
			g->mapcomp = (uint8_t)i;
			g->mapnf = l.nfields;
			g->maptotal = total;
			memset(g->mapfields, 0, sizeof(g->mapfields));
			for (k = 0; k < l.nfields; k++)
				g->mapfields[k] = l.f[k].field;
			snprintf(g->desc, sizeof(g->desc), "%.40s map @%.40s",
				 key, name);
			idx += (widths[i] + 3) / 4;
		}
	}
	return;
dreg:
	if (has_dreg && dreg != NFT_REG_VERDICT) {
		struct nft_reg *g = nft_reg_write(c, dreg, x ?
						  x->set->data_len : 4);

		if (g)
			nft_reg_other(g, "map", "%s map @%s", key,
				      name ? name : "?");
	} else if (has_dreg) {
		rs_verdict_release(&c->r->verdict);
		memset(&c->r->verdict, 0, sizeof(c->r->verdict));
		c->r->verdict.kind = RS_V_OTHER;
		if (asprintf(&c->r->verdict.name, "vmap @%s",
			     name ? name : "?") < 0) {
			c->r->verdict.name = NULL;
			nft_fail(c, -ENOMEM);
		}
	}
}

static void nft_cmp(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t len = 0;
	const uint8_t *data = nftnl_expr_get_data(e, NFTNL_EXPR_CMP_DATA, &len);
	const struct nft_reg *g;

	g = nft_reg_read(c, nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG));
	if (!data || len == 0 || len > 16) {
		nft_match_other(c, RS_F_UNKNOWN, "cmp", false, "bad data");
		return;
	}
	nft_compare(c, g, nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), data, len,
		    NULL);
}

static void nft_range(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t flen = 0, tlen = 0;
	const uint8_t *from, *to;
	const struct nft_reg *g;

	from = nftnl_expr_get_data(e, NFTNL_EXPR_RANGE_FROM_DATA, &flen);
	to = nftnl_expr_get_data(e, NFTNL_EXPR_RANGE_TO_DATA, &tlen);
	g = nft_reg_read(c, nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_SREG));
	if (!from || !to || flen != tlen || flen == 0 || flen > 16) {
		nft_match_other(c, RS_F_UNKNOWN, "range", false, "bad data");
		return;
	}
	nft_compare(c, g, nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP), from,
		    flen, to);
}

static void nft_immediate(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG);
	const uint8_t *data;
	struct nft_reg *g;
	uint32_t len = 0;
	int ret;

	if (dreg == NFT_REG_VERDICT) {
		rs_verdict_release(&c->r->verdict);
		ret = nft_verdict_set(&c->r->verdict,
				      (int32_t)nftnl_expr_get_u32(e,
						NFTNL_EXPR_IMM_VERDICT),
				      nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN) ?
				      nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN) :
				      NULL);
		if (ret < 0)
			nft_fail(c, ret);
		return;
	}
	data = nftnl_expr_get_data(e, NFTNL_EXPR_IMM_DATA, &len);
	g = data ? nft_reg_write(c, dreg, len) : NULL;
	if (!g)
		return;
	g->kind = NREG_IMM;
	memcpy(g->data, data, len);
	nft_hex(g->desc, sizeof(g->desc), data, len);
}

/* A nat/redirect/masquerade/tproxy parameter held in a register. */
static bool nft_nat_value(struct nft_rctx *c, struct nftnl_expr *e,
			  uint16_t attr, unsigned int width, rs_u128 *v,
			  struct rs_verdict *vd)
{
	const struct nft_reg *g;

	if (!nftnl_expr_is_set(e, attr))
		return false;
	g = nft_reg_read(c, nftnl_expr_get_u32(e, attr));
	if (g && g->kind == NREG_IMM && g->len >= width) {
		*v = nft_bytes_value(g->data, width, false);
		return true;
	}
	if (g && g->kind == NREG_MAP) {
		vd->map.set = g->map->set;
		vd->map.nfields = g->mapnf;
		vd->map.total = g->maptotal;
		memcpy(vd->map.fields, g->mapfields, sizeof(vd->map.fields));
		*v = 0;
		return true;
	}
	nft_match_other(c, RS_F_OTHER, "nat", false, "%s from %s",
			rs_verdict_name(vd->kind), g ? g->desc : "?");
	return false;
}

static void nft_nat_common(struct nft_rctx *c, struct nftnl_expr *e,
			   enum rs_verdict_kind kind, uint8_t family,
			   uint16_t amin, uint16_t amax, uint16_t pmin,
			   uint16_t pmax, uint16_t flags)
{
	struct rs_verdict *v = &c->r->verdict;
	unsigned int alen = family == NFPROTO_IPV6 ? 16 : 4;
	rs_u128 lo, hi;

	rs_verdict_release(v);
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->nat.family = family;
	if (flags && nftnl_expr_is_set(e, flags))
		v->nat.flags = nftnl_expr_get_u32(e, flags);
	if (amin && nft_nat_value(c, e, amin, alen, &lo, v)) {
		v->nat.has_addr = true;
		v->nat.addr_lo = v->nat.addr_hi = lo;
		if (amax && nft_nat_value(c, e, amax, alen, &hi, v))
			v->nat.addr_hi = hi;
	}
	if (pmin && nft_nat_value(c, e, pmin, 2, &lo, v)) {
		v->nat.has_port = true;
		v->nat.port_lo = v->nat.port_hi = (uint16_t)lo;
		if (pmax && nft_nat_value(c, e, pmax, 2, &hi, v))
			v->nat.port_hi = (uint16_t)hi;
	}
}

static uint8_t nft_l3(const struct nft_rctx *c)
{
	if (c->family == NFPROTO_IPV4 || c->family == NFPROTO_IPV6)
		return c->family;
	return c->l3;
}

static void nft_nat(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE);
	uint8_t family = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_FAMILY) ?
			 (uint8_t)nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY) :
			 nft_l3(c);

	nft_nat_common(c, e, type == NFT_NAT_DNAT ? RS_V_DNAT : RS_V_SNAT,
		       family, NFTNL_EXPR_NAT_REG_ADDR_MIN,
		       NFTNL_EXPR_NAT_REG_ADDR_MAX,
		       NFTNL_EXPR_NAT_REG_PROTO_MIN,
		       NFTNL_EXPR_NAT_REG_PROTO_MAX, NFTNL_EXPR_NAT_FLAGS);
}

static void nft_redir(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_nat_common(c, e, RS_V_REDIRECT, nft_l3(c), 0, 0,
		       NFTNL_EXPR_REDIR_REG_PROTO_MIN,
		       NFTNL_EXPR_REDIR_REG_PROTO_MAX, NFTNL_EXPR_REDIR_FLAGS);
}

static void nft_masq(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_nat_common(c, e, RS_V_MASQUERADE, nft_l3(c), 0, 0,
		       NFTNL_EXPR_MASQ_REG_PROTO_MIN,
		       NFTNL_EXPR_MASQ_REG_PROTO_MAX, NFTNL_EXPR_MASQ_FLAGS);
}

static void nft_tproxy(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint8_t family = nftnl_expr_is_set(e, NFTNL_EXPR_TPROXY_FAMILY) ?
			 (uint8_t)nftnl_expr_get_u32(e, NFTNL_EXPR_TPROXY_FAMILY) :
			 nft_l3(c);

	if (family == NFPROTO_UNSPEC)
		family = nft_l3(c);
	nft_nat_common(c, e, RS_V_TPROXY, family, NFTNL_EXPR_TPROXY_REG_ADDR,
		       0, NFTNL_EXPR_TPROXY_REG_PORT, 0, 0);
}

static void nft_reject(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_REJECT_TYPE);
	uint8_t code = nftnl_expr_get_u8(e, NFTNL_EXPR_REJECT_CODE);
	static const char *const icmp[] = {
		[0] = "net-unreachable", [1] = "host-unreachable",
		[2] = "prot-unreachable", [3] = "port-unreachable",
		[9] = "net-prohibited", [10] = "host-prohibited",
		[13] = "admin-prohibited",
	};
	static const char *const icmp6[] = {
		[0] = "no-route", [1] = "admin-prohibited",
		[3] = "addr-unreachable", [4] = "port-unreachable",
		[5] = "policy-fail", [6] = "reject-route",
	};
	static const char *const icmpx[] = {
		[0] = "no-route", [1] = "port-unreachable",
		[2] = "host-unreachable", [3] = "admin-prohibited",
	};
	struct rs_verdict *v = &c->r->verdict;
	const char *proto, *what = NULL;
	int ret;

	rs_verdict_release(v);
	memset(v, 0, sizeof(*v));
	v->kind = RS_V_REJECT;
	if (type == NFT_REJECT_TCP_RST) {
		v->name = strdup("tcp-reset");
		if (!v->name)
			nft_fail(c, -ENOMEM);
		return;
	}
	if (type == NFT_REJECT_ICMPX_UNREACH) {
		proto = "icmpx";
		if (code < ARRAY_SIZE(icmpx))
			what = icmpx[code];
	} else if (nft_l3(c) == NFPROTO_IPV6) {
		proto = "icmpv6";
		if (code < ARRAY_SIZE(icmp6))
			what = icmp6[code];
	} else {
		proto = "icmp";
		if (code < ARRAY_SIZE(icmp))
			what = icmp[code];
	}
	ret = what ? asprintf(&v->name, "%s-%s", proto, what) :
		     asprintf(&v->name, "%s-code-%u", proto, code);
	if (ret < 0) {
		v->name = NULL;
		nft_fail(c, -ENOMEM);
	}
}

static void nft_queue(struct nft_rctx *c, struct nftnl_expr *e)
{
	struct rs_verdict *v = &c->r->verdict;
	uint16_t flags = 0;

	rs_verdict_release(v);
	memset(v, 0, sizeof(*v));
	v->kind = RS_V_QUEUE;
	if (nftnl_expr_is_set(e, NFTNL_EXPR_QUEUE_NUM))
		v->queue_num = nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_NUM);
	if (nftnl_expr_is_set(e, NFTNL_EXPR_QUEUE_FLAGS))
		flags = nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_FLAGS);
	v->queue_bypass = flags & NFT_QUEUE_FLAG_BYPASS;
}

static const char *nft_unit_name(uint64_t unit)
{
	switch (unit) {
	case 1:
		return "second";
	case 60:
		return "minute";
	case 3600:
		return "hour";
	case 86400:
		return "day";
	case 604800:
		return "week";
	default:
		return "?";
	}
}

static void nft_limit(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t flags = nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_FLAGS);
	bool bytes = nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_TYPE) ==
		     NFT_LIMIT_PKT_BYTES;

	/* "over" is part of what the match does, not a negation of it */
	nft_match_other(c, RS_F_OTHER, "limit", false,
			"rate %s%llu%s/%s burst %u%s",
			flags & NFT_LIMIT_F_INV ? "over " : "",
			(unsigned long long)nftnl_expr_get_u64(e,
						NFTNL_EXPR_LIMIT_RATE),
			bytes ? " bytes" : "",
			nft_unit_name(nftnl_expr_get_u64(e,
						NFTNL_EXPR_LIMIT_UNIT)),
			nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_BURST),
			bytes ? " bytes" : " packets");
}

static void nft_quota(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t flags = nftnl_expr_get_u32(e, NFTNL_EXPR_QUOTA_FLAGS);

	nft_match_other(c, RS_F_OTHER, "quota", false,
			"%s%llu bytes", flags & NFT_QUOTA_F_INV ? "over " : "",
			(unsigned long long)nftnl_expr_get_u64(e,
						NFTNL_EXPR_QUOTA_BYTES));
}

static void nft_connlimit(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t flags = nftnl_expr_get_u32(e, NFTNL_EXPR_CONNLIMIT_FLAGS);

	nft_match_other(c, RS_F_OTHER, "connlimit", false, "ct count %s%u",
			flags & NFT_CONNLIMIT_F_INV ? "over " : "",
			nftnl_expr_get_u32(e, NFTNL_EXPR_CONNLIMIT_COUNT));
}

static void nft_log(struct nft_rctx *c, struct nftnl_expr *e)
{
	const char *prefix = nftnl_expr_is_set(e, NFTNL_EXPR_LOG_PREFIX) ?
			     nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX) : NULL;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP))
		nft_stmt(c, "log", "group %u%s%s%s",
			 nftnl_expr_get_u16(e, NFTNL_EXPR_LOG_GROUP),
			 prefix ? " prefix \"" : "", prefix ? prefix : "",
			 prefix ? "\"" : "");
	else if (prefix)
		nft_stmt(c, "log", "prefix \"%s\"", prefix);
	else
		nft_stmt(c, "log", NULL);
}

static void nft_counter(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_stmt(c, "counter", NULL);
}

static void nft_notrack(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_stmt(c, "notrack", NULL);
}

/* Named objects: counters and helpers are side effects; quotas, limits
 * and connlimits decide whether the rule goes on. */
static void nft_objref_type(struct nft_rctx *c, uint32_t type,
			    const char *what)
{
	static const char *const names[] = {
		[NFT_OBJECT_COUNTER] = "counter", [NFT_OBJECT_QUOTA] = "quota",
		[NFT_OBJECT_CT_HELPER] = "ct helper",
		[NFT_OBJECT_LIMIT] = "limit",
		[NFT_OBJECT_CONNLIMIT] = "ct count",
		[NFT_OBJECT_TUNNEL] = "tunnel",
		[NFT_OBJECT_CT_TIMEOUT] = "ct timeout",
		[NFT_OBJECT_SECMARK] = "meta secmark",
		[NFT_OBJECT_CT_EXPECT] = "ct expectation",
		[NFT_OBJECT_SYNPROXY] = "synproxy",
	};
	const char *name = type < ARRAY_SIZE(names) &&
			   names[type] ? names[type] : "object";

	switch (type) {
	case NFT_OBJECT_QUOTA:
	case NFT_OBJECT_LIMIT:
	case NFT_OBJECT_CONNLIMIT:
	case NFT_OBJECT_SYNPROXY:
		nft_match_other(c, RS_F_OTHER, "objref", false, "%s %s", name,
				what);
		break;
	default:
		nft_stmt(c, "objref", "%s %s", name, what);
		break;
	}
}

/* The statement nft_objref_type() just added for "ct helper NAME" learns
 * the helper type of the table's object NAME, when it was read. */
static void nft_objref_helper(struct nft_rctx *c, const char *name)
{
	struct nftnl_obj *o = nft_cthelper_find(c->b->f, c->family,
						      c->table, name);
	struct rs_stmt *s;
	const char *type;

	if (!o || !c->r->nstmts || c->err)
		return;
	s = &c->r->stmts[c->r->nstmts - 1];
	type = nftnl_obj_is_set(o, NFTNL_OBJ_CT_HELPER_NAME) ?
	       nftnl_obj_get_str(o, NFTNL_OBJ_CT_HELPER_NAME) : "";
	s->helper_type = strdup(type);
	if (!s->helper_type) {
		nft_fail(c, -ENOMEM);
		return;
	}
	if (nftnl_obj_is_set(o, NFTNL_OBJ_CT_HELPER_L4PROTO))
		s->helper_l4 = nftnl_obj_get_u8(o, NFTNL_OBJ_CT_HELPER_L4PROTO);
}

static void nft_objref(struct nft_rctx *c, struct nftnl_expr *e)
{
	char what[128];

	if (nftnl_expr_is_set(e, NFTNL_EXPR_OBJREF_IMM_NAME)) {
		uint32_t type = nftnl_expr_get_u32(e,
						   NFTNL_EXPR_OBJREF_IMM_TYPE);
		const char *name = nftnl_expr_get_str(e,
						NFTNL_EXPR_OBJREF_IMM_NAME);

		nft_objref_type(c, type, name);
		if (type == NFT_OBJECT_CT_HELPER)
			nft_objref_helper(c, name);
		return;
	}
	if (nftnl_expr_is_set(e, NFTNL_EXPR_OBJREF_SET_NAME)) {
		const char *name = nftnl_expr_get_str(e,
					NFTNL_EXPR_OBJREF_SET_NAME);
		struct nft_setx *x = nft_set_find(c->b, c->family, c->table,
						  name);

		snprintf(what, sizeof(what), "map @%s", name ? name : "?");
		nft_objref_type(c, x && nftnl_set_is_set(x->nl,
						NFTNL_SET_OBJ_TYPE) ?
				nftnl_set_get_u32(x->nl, NFTNL_SET_OBJ_TYPE) :
				0, what);
		return;
	}
	nft_match_other(c, RS_F_UNKNOWN, "objref", false, "no object");
}

static void nft_dynset(struct nft_rctx *c, struct nftnl_expr *e)
{
	static const char *const ops[] = { "add", "update", "delete" };
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_DYNSET_OP);
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_DYNSET_SET_NAME);
	const char *ops_name = op < 3 ? ops[op] : "?";
	bool stateful = nftnl_expr_is_set(e, NFTNL_EXPR_DYNSET_EXPR) ||
			nftnl_expr_is_set(e, NFTNL_EXPR_DYNSET_EXPRESSIONS);

	/* a meter ("add @m { ip saddr limit rate 10/second }") stops the
	 * rule when its expression does; a plain add/update goes on */
	if (stateful)
		nft_match_other(c, RS_F_OTHER, "dynset", false,
				"%s @%s with a stateful expression", ops_name,
				name ? name : "?");
	else
		nft_stmt(c, "dynset", "%s @%s", ops_name, name ? name : "?");
}

static void nft_numgen(struct nft_rctx *c, struct nftnl_expr *e)
{
	struct nft_reg *g = nft_reg_write(c, nftnl_expr_get_u32(e,
						NFTNL_EXPR_NG_DREG), 4);

	uint32_t mod = nftnl_expr_get_u32(e, NFTNL_EXPR_NG_MODULUS);
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_NG_OFFSET);

	if (!g)
		return;
	if (!mod || off > UINT32_MAX - (mod - 1)) {
		nft_reg_other(g, "numgen", "numgen %s mod %u offset %u",
			      nftnl_expr_get_u32(e, NFTNL_EXPR_NG_TYPE) ==
			      NFT_NG_RANDOM ? "random" : "inc", mod, off);
		return;
	}
	/* a field the engine cannot decide, but whose values are known:
	 * a map that has them all is always hit (kube-proxy's endpoint
	 * vmaps) */
	nft_reg_load1(g, RS_F_NUMGEN, 4, true);
	g->ng = true;
	g->ng_lo = off;
	g->ng_hi = off + (mod - 1);
}

static void nft_hash(struct nft_rctx *c, struct nftnl_expr *e)
{
	struct nft_reg *g = nft_reg_write(c, nftnl_expr_get_u32(e,
						NFTNL_EXPR_HASH_DREG), 4);

	if (g)
		nft_reg_other(g, "hash", "%s mod %u offset %u",
			      nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_TYPE) ==
			      NFT_HASH_SYM ? "symhash" : "jhash",
			      nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_MODULUS),
			      nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_OFFSET));
}

static void nft_exthdr(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_LEN);
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_OP);
	uint32_t flags = nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_FLAGS);
	static const char *const ops[] = {
		[NFT_EXTHDR_OP_IPV6] = "ip6 exthdr",
		[NFT_EXTHDR_OP_TCPOPT] = "tcp option",
		[NFT_EXTHDR_OP_IPV4] = "ip option",
		[NFT_EXTHDR_OP_SCTP] = "sctp chunk",
	};
	const char *opname = op < ARRAY_SIZE(ops) && ops[op] ?
			     ops[op] : "exthdr";
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_OFFSET);
	uint8_t type = nftnl_expr_get_u8(e, NFTNL_EXPR_EXTHDR_TYPE);
	enum rs_field f = RS_F_UNKNOWN;
	rs_u128 bit = 0;
	struct nft_reg *g;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_SREG)) {
		nft_stmt(c, "exthdr set", "%s %u", opname,
			 nftnl_expr_get_u8(e, NFTNL_EXPR_EXTHDR_TYPE));
		return;
	}
	g = nft_reg_write(c, nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_DREG),
			  flags & NFT_EXTHDR_F_PRESENT ? 1 : len);
	if (!g)
		return;
	nft_reg_other(g, "exthdr", "%s %u @%u,%u%s", opname, type, off, len,
		      flags & NFT_EXTHDR_F_PRESENT ? " exists" : "");
	if (flags & ~NFT_EXTHDR_F_PRESENT)
		return;
	if (flags & NFT_EXTHDR_F_PRESENT) {
		/* the header or option is there (1) or not (0) */
		switch (op) {
		case NFT_EXTHDR_OP_IPV6:
			if (type == IPPROTO_ROUTING)
				f = RS_F_IP6_RT_TYPE;
			else if (type < 128)
				bit = (rs_u128)1 << type;
			else if (type != IPPROTO_MH)
				return;
			/* the mobility header ends the chain: never in a
			 * TCP/UDP/SCTP probe, bit stays 0 */
			break;
		case NFT_EXTHDR_OP_TCPOPT:
			if (type == 2)
				f = RS_F_TCP_MSS;
			else if (type < 128)
				bit = (rs_u128)1 << type;
			else
				return;
			break;
		case NFT_EXTHDR_OP_IPV4:
			bit = (rs_u128)1 << (type & 0x1f);
			break;
		default:
			return;
		}
		if (f == RS_F_UNKNOWN)
			f = op == NFT_EXTHDR_OP_IPV6 ? RS_F_IP6_EXTHDRS :
			    op == NFT_EXTHDR_OP_TCPOPT ? RS_F_TCP_OPTIONS :
			    RS_F_IP_OPTIONS;
		g->kind = NREG_LOAD;
		g->exists = true;
		g->exbit = bit;
		nft_reg_load1(g, f, 1, true);
		return;
	}
	/* rt type, tcp option maxseg size: the values we name */
	if (op == NFT_EXTHDR_OP_IPV6 && type == IPPROTO_ROUTING && off == 2 &&
	    len == 1)
		f = RS_F_IP6_RT_TYPE;
	else if (op == NFT_EXTHDR_OP_TCPOPT && type == 2 && off == 2 &&
		 len == 2)
		f = RS_F_TCP_MSS;
	else
		return;
	g->absent_breaks = true;
	nft_reg_load1(g, f, len, false);
}

/* Loads we only name: rt, socket, osf, xfrm, tunnel. */
static void nft_load_other(struct nft_rctx *c, struct nftnl_expr *e,
			   const char *name, uint16_t dreg_attr,
			   unsigned int len)
{
	struct nft_reg *g;

	if (!nftnl_expr_is_set(e, dreg_attr)) {
		nft_stmt(c, name, NULL);
		return;
	}
	g = nft_reg_write(c, nftnl_expr_get_u32(e, dreg_attr), len);
	if (g)
		nft_reg_other(g, name, "%s", name);
}

static void nft_rt(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_RT_KEY);

	nft_load_other(c, e, "rt", NFTNL_EXPR_RT_DREG,
		       key == NFT_RT_NEXTHOP6 ? 16 : key == NFT_RT_TCPMSS ? 2 :
		       key == NFT_RT_XFRM ? 1 : 4);
}

static void nft_socket(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_SOCKET_KEY);

	nft_load_other(c, e, "socket", NFTNL_EXPR_SOCKET_DREG,
		       key == NFT_SOCKET_MARK ? 4 : key == 3 ? 8 : 1);
}

static void nft_osf(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_load_other(c, e, "osf", NFTNL_EXPR_OSF_DREG, 16);
}

static void nft_xfrm(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_XFRM_KEY);

	nft_load_other(c, e, "ipsec", NFTNL_EXPR_XFRM_DREG,
		       key == NFT_XFRM_KEY_DADDR_IP6 ||
		       key == NFT_XFRM_KEY_SADDR_IP6 ? 16 : 4);
}

static void nft_tunnel(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_load_other(c, e, "tunnel", NFTNL_EXPR_TUNNEL_DREG, 4);
}

static void nft_synproxy(struct nft_rctx *c, struct nftnl_expr *e)
{
	/* answers SYNs itself and lets validated ACKs through */
	nft_match_other(c, RS_F_OTHER, "synproxy", false, "mss %u wscale %u",
			nftnl_expr_get_u16(e, NFTNL_EXPR_SYNPROXY_MSS),
			nftnl_expr_get_u8(e, NFTNL_EXPR_SYNPROXY_WSCALE));
}

static void nft_fwd(struct nft_rctx *c, struct nftnl_expr *e)
{
	struct rs_verdict *v = &c->r->verdict;

	rs_verdict_release(v);
	memset(v, 0, sizeof(*v));
	v->kind = RS_V_OTHER;
	v->name = strdup("fwd");
	if (!v->name)
		nft_fail(c, -ENOMEM);
}

static void nft_dup(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_stmt(c, "dup", NULL);
}

static void nft_last(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_stmt(c, "last", NULL);
}

static void nft_flow_offload(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_stmt(c, "flow add", "@%s", nftnl_expr_is_set(e,
			NFTNL_EXPR_FLOW_TABLE_NAME) ?
		 nftnl_expr_get_str(e, NFTNL_EXPR_FLOW_TABLE_NAME) : "?");
}

static uint8_t nft_xt_family(const struct nft_rctx *c)
{
	uint8_t f = nft_l3(c);

	/* a bridge table's compat expressions are ebtables' extensions
	 * (nft_compat looks them up by the table's family) */
	if (c->family == NFPROTO_BRIDGE)
		return NFPROTO_BRIDGE;

	return f ? f : c->family;
}

static void nft_xt_match(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t len = 0;
	const void *info = nftnl_expr_get_data(e, NFTNL_EXPR_MT_INFO, &len);
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
	int ret;

	ret = xt_decode_match(c->r, nft_xt_family(c), name ? name : "?",
			      (uint8_t)nftnl_expr_get_u32(e, NFTNL_EXPR_MT_REV),
			      info, info ? len : 0);
	if (ret < 0)
		nft_fail(c, ret);
}

static void nft_xt_target(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t len = 0;
	const void *info = nftnl_expr_get_data(e, NFTNL_EXPR_TG_INFO, &len);
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);
	int ret;

	ret = xt_decode_target(c->r, nft_xt_family(c), name ? name : "?",
			       (uint8_t)nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV),
			       info, info ? len : 0);
	if (ret < 0)
		nft_fail(c, ret);
}

static const struct {
	const char *name;
	void (*decode)(struct nft_rctx *c, struct nftnl_expr *e);
} nft_exprs[] = {
	/* the lookup is linear: the most frequent first */
	{ "payload", nft_load_payload },
	{ "cmp", nft_cmp },
	{ "meta", nft_load_meta },
	{ "immediate", nft_immediate },
	{ "counter", nft_counter },
	{ "match", nft_xt_match },
	{ "target", nft_xt_target },
	{ "ct", nft_load_ct },
	{ "bitwise", nft_bitwise },
	{ "lookup", nft_lookup },
	{ "fib", nft_load_fib },
	{ "byteorder", nft_byteorder },
	{ "range", nft_range },
	{ "nat", nft_nat },
	{ "redir", nft_redir },
	{ "masq", nft_masq },
	{ "tproxy", nft_tproxy },
	{ "reject", nft_reject },
	{ "queue", nft_queue },
	{ "log", nft_log },
	{ "limit", nft_limit },
	{ "quota", nft_quota },
	{ "connlimit", nft_connlimit },
	{ "notrack", nft_notrack },
	{ "objref", nft_objref },
	{ "dynset", nft_dynset },
	{ "numgen", nft_numgen },
	{ "hash", nft_hash },
	{ "exthdr", nft_exthdr },
	{ "rt", nft_rt },
	{ "socket", nft_socket },
	{ "osf", nft_osf },
	{ "xfrm", nft_xfrm },
	{ "tunnel", nft_tunnel },
	{ "synproxy", nft_synproxy },
	{ "fwd", nft_fwd },
	{ "dup", nft_dup },
	{ "last", nft_last },
	{ "flow_offload", nft_flow_offload },
};

/*
 * Rule and set user data are opaque to the kernel: whoever wrote the ruleset
 * chose every byte.  libnftnl 1.2.4's nftnl_udata_parse() trusts each TLV's
 * own length, so the TLVs are checked against the bytes of the attribute
 * that holds them here, before any callback reads one.  Returns -EBADMSG
 * (cb not called) when a TLV does not lie inside ud, else what
 * nftnl_udata_parse() returns.
 */
int nft_udata_parse(const void *ud, uint32_t len, nftnl_udata_cb_t cb,
		    void *data)
{
	const uint8_t *p = ud;
	uint32_t off = 0;

	while (off < len) {
		/* struct nftnl_udata: u8 type, u8 length, value */
		if (len - off < 2 || p[off + 1] > len - off - 2)
			return -EBADMSG;
		off += 2u + p[off + 1];
	}
	return nftnl_udata_parse(ud, len, cb, data);
}

static int nft_udata_comment_cb(const struct nftnl_udata *attr, void *data)
{
	const char **comment = data;
	const char *v = nftnl_udata_get(attr);
	uint8_t len = nftnl_udata_len(attr);

	if (nftnl_udata_type(attr) != NFTNL_UDATA_RULE_COMMENT)
		return 0;
	if (len == 0 || v[len - 1] != '\0')
		return -1;
	*comment = v;
	return 0;
}

int nft_rule_build(struct nft_build *b, struct rs_chain *ch,
		   struct nftnl_rule *nr)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	struct nft_rctx c;
	struct rs_rule *r;
	unsigned int i;

	r = rs_chain_add_rule(ch);
	if (!r)
		return -ENOMEM;
	r->position = (unsigned int)ch->nrules;
	if (nftnl_rule_is_set(nr, NFTNL_RULE_HANDLE)) {
		r->handle = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
		r->has_handle = true;
	}
	memset(&c, 0, sizeof(c));
	c.b = b;
	c.r = r;
	c.family = ch->family;
	c.table = ch->table;
	c.l4 = -1;
	if (ch->family == NFPROTO_IPV4 || ch->family == NFPROTO_IPV6)
		c.l3 = ch->family;

	it = nftnl_expr_iter_create(nr);
	if (!it)
		return -ENOMEM;
	for (e = nftnl_expr_iter_next(it); e && !c.err;
	     e = nftnl_expr_iter_next(it)) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		for (i = 0; i < ARRAY_SIZE(nft_exprs); i++)
			if (name && !strcmp(name, nft_exprs[i].name))
				break;
		if (i < ARRAY_SIZE(nft_exprs))
			nft_exprs[i].decode(&c, e);
		else
			nft_match_other(&c, RS_F_UNKNOWN, name ? name : "?",
					false, "expression %s",
					name ? name : "?");
	}
	nftnl_expr_iter_destroy(it);
	if (c.err)
		return c.err;

	if (!r->comment && nftnl_rule_is_set(nr, NFTNL_RULE_USERDATA)) {
		const char *comment = NULL;
		uint32_t len = 0;
		const void *ud = nftnl_rule_get_data(nr, NFTNL_RULE_USERDATA,
						     &len);

		int ret = ud ? nft_udata_parse(ud, len, nft_udata_comment_cb,
					       &comment) : 0;

		if (ret == -EBADMSG &&
		    ruleset_note(b->rs, "%s %s %s: rule %u has malformed user "
				 "data: its comment is not shown",
				 rs_family_name(ch->family), ch->table,
				 ch->name, r->position) < 0)
			return -ENOMEM;
		if (ret >= 0 && comment) {
			r->comment = strdup(comment);
			if (!r->comment)
				return -ENOMEM;
		}
	}
	return ruleset_pack_rule(b->rs, r);
}

