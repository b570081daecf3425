// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * choice.c - the header values a packet's sender chooses (see choice.h).
 *
 * Value fields (TTL, TOS, length, frag-off, routing header type, MSS, TCP
 * flags) hold sorted disjoint intervals of the values still open; bit
 * fields (IPv4 options, IPv6 extension headers, TCP option kinds) hold the
 * bits the sender must set and must clear.  A match on a value field is
 * decided value by value over what is still open: the largest domain has
 * 65,537 values, and rules on these fields are few.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "choice.h"
#include "util.h"

enum {
	CV_TTL, CV_TOS, CV_LENGTH, CV_FRAGOFF, CV_RT, CV_MSS, CV_FLAGS,
	CV__COUNT
};
enum { CB_IPOPT, CB_EXTHDR, CB_TCPOPT, CB__COUNT };

struct choice_iv {
	uint32_t lo, hi;
};

struct choice {
	/* 0: the field's whole domain */
	uint16_t niv[CV__COUNT];
	const struct choice_iv *iv[CV__COUNT];
	rs_u128 one[CB__COUNT], zero[CB__COUNT];
};

#define BIT(n)		((rs_u128)1 << (n))
#define NFPROTO_V4	2	/* NFPROTO_IPV4 */

/* Field -> index: value fields 0.., bit fields 100.., -1 otherwise. */
static int field_index(enum rs_field f)
{
	switch (f) {
	case RS_F_IP_TTL:	return CV_TTL;
	case RS_F_IP_TOS:	return CV_TOS;
	case RS_F_IP_LENGTH:	return CV_LENGTH;
	case RS_F_IP_FRAGOFF:	return CV_FRAGOFF;
	case RS_F_IP6_RT_TYPE:	return CV_RT;
	case RS_F_TCP_MSS:	return CV_MSS;
	case RS_F_TCP_FLAGS:	return CV_FLAGS;
	case RS_F_IP_OPTIONS:	return 100 + CB_IPOPT;
	case RS_F_IP6_EXTHDRS:	return 100 + CB_EXTHDR;
	case RS_F_TCP_OPTIONS:	return 100 + CB_TCPOPT;
	default:		return -1;
	}
}

bool choice_field(enum rs_field f)
{
	return field_index(f) >= 0;
}

/* TCP flags a first packet may carry besides SYN (or the handshake's ACK
 * besides ACK): PSH, URG, ECE, CWR.  Conntrack masks ECE, CWR and PSH
 * before its validity table, which allows SYN|URG and ACK|URG; the stack
 * drops SYN|FIN and answers an ACK to a listener with a reset. */
#define TCP_FREE_FLAGS	0xe8u

/*
 * The values of field k that the host's stack delivers, into buf (at most
 * 16 intervals).  Lengths count from the smallest header the protocol has
 * (a SYN without options may carry data; fragments are reassembled before
 * the filter hooks, so up to 65,535 bytes).  A fragment header is
 * reassembled away, so IPv4 carries no MF and no offset; DF and the
 * reserved bit are free.  Routing header types 3 (RPL) and 4 (segment
 * routing) are dropped while their sysctls are off (the default), type 2
 * by Mobile IPv6 unless it processed it itself; others with no segments
 * left are delivered.
 */
static size_t domain(const struct choice_dom *d, int k, struct choice_iv *buf)
{
	bool v4 = d->family == NFPROTO_V4;
	uint32_t min = 0, s;
	size_t n = 0;

	switch (k) {
	case CV_TTL:
		buf[n++] = (struct choice_iv){ d->forwarded ? 2 : 0, 255 };
		break;
	case CV_TOS:
		buf[n++] = (struct choice_iv){ 0, 255 };
		break;
	case CV_LENGTH:
		min = d->proto == IPPROTO_TCP ? 20 :
		      d->proto == IPPROTO_UDP ? 8 : 32;
		min += v4 ? 20 : 40;
		buf[n++] = (struct choice_iv){ min, v4 ? 65535 : 65535 + 40 };
		break;
	case CV_FRAGOFF:
		for (s = 0; s < 4; s++)
			buf[n++] = (struct choice_iv){ s << 14, s << 14 };
		break;
	case CV_RT:
		buf[n++] = (struct choice_iv){ 0, 1 };
		buf[n++] = (struct choice_iv){ 5, 255 };
		buf[n++] = (struct choice_iv){ RS_ABSENT, RS_ABSENT };
		break;
	case CV_MSS:
		buf[n++] = (struct choice_iv){ 0, RS_ABSENT };
		break;
	case CV_FLAGS:
		for (s = 0; s < 256; s++)
			if (!(s & ~TCP_FREE_FLAGS))
				buf[n++] = (struct choice_iv){
					s | (d->established ? 0x10 : 0x02),
					s | (d->established ? 0x10 : 0x02) };
		break;
	}
	return n;
}

/* Bits of bit field k the stack never lets through.  IPv4 source routes
 * are dropped while accept_source_route is off (the default), CIPSO without
 * a DOI.  IPv6: hop-by-hop, destination options and an atomic fragment
 * header are delivered; AH and ESP without a security association, a "no
 * next header" and unknown headers are not.  TCP: an MD5 or AO option to a
 * socket without keys is dropped; MSS is not a bit (RS_F_TCP_MSS). */
static rs_u128 domain_zero(int k)
{
	switch (k) {
	case CB_IPOPT:
		return BIT(3) | BIT(6) | BIT(9);
	case CB_EXTHDR:
		return ~(BIT(0) | BIT(44) | BIT(60));
	default:
		return BIT(2) | BIT(19) | BIT(29);
	}
}

static size_t values_of(const struct choice_dom *d, const struct choice *c,
			int k, const struct choice_iv **iv,
			struct choice_iv *buf)
{
	if (c && c->niv[k]) {
		*iv = c->iv[k];
		return c->niv[k];
	}
	*iv = buf;
	return domain(d, k, buf);
}

static bool holds(const struct rs_match *m, int k, uint64_t v, int shift)
{
	const struct rs_interval *el;
	rs_u128 x;
	size_t n, i;

	if ((k == CV_RT || k == CV_MSS) && v == RS_ABSENT) {
		/* no header, no option: only a list that names the missing
		 * value holds; nft breaks out of a rule that loads it */
		if (m->op != RS_OP_IN && m->op != RS_OP_NOT_IN)
			return false;
		x = v;
	} else {
		if ((int64_t)v + shift < 0)
			return false;
		x = (rs_u128)((int64_t)v + shift);
	}
	switch (m->op) {
	case RS_OP_IN:
	case RS_OP_NOT_IN:
		el = rs_match_elems(m, &n);
		for (i = 0; i < n; i++)
			if (el[i].lo <= x && x <= el[i].hi)
				break;
		return (i < n) == (m->op == RS_OP_IN);
	case RS_OP_MASK_EQ:
		return (x & m->mask) == m->value;
	case RS_OP_MASK_NE:
		return (x & m->mask) != m->value;
	default:
		return false;
	}
}

/* Append [lo, hi] to a growing list of intervals (ascending values). */
static void iv_append(struct choice_iv *l, size_t *n, uint32_t lo,
		      uint32_t hi)
{
	if (*n && l[*n - 1].hi + 1 == lo) {
		l[*n - 1].hi = hi;
		return;
	}
	l[*n].lo = lo;
	l[*n].hi = hi;
	(*n)++;
}

/* The first value after v (at most end) where the answer of a list match
 * m can change: an element's bound, seen through shift. */
static uint64_t next_bound(const struct rs_match *m, uint64_t v, int shift,
			   uint64_t end)
{
	const struct rs_interval *el;
	uint64_t next = end, b;
	size_t n, i;

	if (m->op != RS_OP_IN && m->op != RS_OP_NOT_IN)
		return v + 1;
	/* below -shift, nothing holds */
	if (shift < 0 && (uint64_t)-shift > v && (uint64_t)-shift < next)
		next = (uint64_t)-shift;
	el = rs_match_elems(m, &n);
	for (i = 0; i < n; i++) {
		if (el[i].lo <= RS_ABSENT) {
			b = (uint64_t)el[i].lo - shift;
			if (b > v && b < next)
				next = b;
		}
		if (el[i].hi < RS_ABSENT) {
			b = (uint64_t)el[i].hi + 1 - shift;
			if (b > v && b < next)
				next = b;
		}
	}
	return next;
}

static struct choice *clone(const struct choice *c, choice_alloc_fn alloc,
			    void *actx)
{
	struct choice *n = alloc(actx, sizeof(*n));

	if (!n)
		return NULL;
	if (c)
		*n = *c;
	else
		memset(n, 0, sizeof(*n));
	return n;
}

static bool same_ivs(const struct choice_iv *a, size_t na,
		     const struct choice_iv *b, size_t nb)
{
	return na == nb && (!na || !memcmp(a, b, na * sizeof(*a)));
}

/* *out: a commitment like c with value field k set to l[0..n) (n > 0);
 * c itself when that changes nothing. */
static int with_values(const struct choice_dom *d, const struct choice *c,
		       int k, const struct choice_iv *l, size_t n,
		       choice_alloc_fn alloc, void *actx,
		       const struct choice **out)
{
	struct choice_iv dbuf[16], *iv;
	const struct choice_iv *cur;
	struct choice *r;
	size_t ncur;

	ncur = values_of(d, c, k, &cur, dbuf);
	if (same_ivs(cur, ncur, l, n)) {
		*out = c;
		return 0;
	}
	r = clone(c, alloc, actx);
	iv = alloc(actx, n * sizeof(*iv));
	if (!r || !iv)
		return -ENOMEM;
	memcpy(iv, l, n * sizeof(*iv));
	r->iv[k] = iv;
	r->niv[k] = (uint16_t)n;
	*out = r;
	return 0;
}

/* The most intervals a split of one value field can leave: alternate
 * values of a 65,537-value domain.  Beyond that the split is refused. */
#define SPLIT_IV_MAX	4096

static int split_values(const struct choice_dom *d, const struct choice *c,
			int k, const struct rs_match *m, int shift,
			choice_alloc_fn alloc, void *actx,
			const struct choice **yes, size_t *nyes,
			const struct choice **no, size_t *nno)
{
	struct choice_iv dbuf[16], *y, *n;
	const struct choice_iv *cur;
	size_t ncur, i, ny = 0, nn = 0;
	uint64_t v, e;
	int ret = 0;

	ncur = values_of(d, c, k, &cur, dbuf);
	y = malloc(SPLIT_IV_MAX * sizeof(*y));
	n = malloc(SPLIT_IV_MAX * sizeof(*n));
	if (!y || !n) {
		ret = -ENOMEM;
		goto out;
	}
	/* value by value for a mask, bound to bound for a list; the
	 * missing value (RS_ABSENT) always on its own */
	for (i = 0; i < ncur && ret == 0; i++) {
		for (v = cur[i].lo; v <= cur[i].hi; v = e) {
			e = (uint64_t)cur[i].hi + 1;
			if ((k == CV_RT || k == CV_MSS) && v < RS_ABSENT &&
			    e > RS_ABSENT)
				e = RS_ABSENT;
			if (v != RS_ABSENT)
				e = next_bound(m, v, shift, e);
			else
				e = v + 1;
			if (holds(m, k, v, shift))
				iv_append(y, &ny, (uint32_t)v, (uint32_t)(e - 1));
			else
				iv_append(n, &nn, (uint32_t)v, (uint32_t)(e - 1));
			if (ny == SPLIT_IV_MAX || nn == SPLIT_IV_MAX) {
				ret = 1;
				break;
			}
		}
	}
	if (ret)
		goto out;
	*nyes = *nno = 0;
	if (ny) {
		ret = with_values(d, c, k, y, ny, alloc, actx, &yes[0]);
		if (ret < 0)
			goto out;
		*nyes = 1;
	}
	if (nn) {
		ret = with_values(d, c, k, n, nn, alloc, actx, &no[0]);
		if (ret < 0)
			goto out;
		*nno = 1;
	}
out:
	free(y);
	free(n);
	return ret;
}

/* *out: c with bits one and zero of bit field k added (c itself when that
 * changes nothing).  Returns 0, 1 when no packet can have them, or
 * -ENOMEM. */
static int with_bits(const struct choice *c, int k, rs_u128 one,
		     rs_u128 zero, choice_alloc_fn alloc, void *actx,
		     const struct choice **out)
{
	rs_u128 o = (c ? c->one[k] : 0) | one;
	rs_u128 z = (c ? c->zero[k] : 0) | zero;
	struct choice *r;

	if ((o & z) || (o & domain_zero(k)))
		return 1;
	if (o == (c ? c->one[k] : 0) && z == (c ? c->zero[k] : 0)) {
		*out = c;
		return 0;
	}
	r = clone(c, alloc, actx);
	if (!r)
		return -ENOMEM;
	r->one[k] = o;
	r->zero[k] = z;
	*out = r;
	return 0;
}

/* (field & mask) == value on side "eq", or != on the other: the first is
 * one commitment, the second one per bit of the mask. */
static int split_bits(const struct choice *c, int k, rs_u128 mask,
		      rs_u128 value, choice_alloc_fn alloc, void *actx,
		      const struct choice **eq, size_t *neq,
		      const struct choice **ne, size_t *nne)
{
	const struct choice *t;
	rs_u128 forced_one, forced_zero;
	unsigned int i;
	int ret;

	*neq = *nne = 0;
	value &= mask;
	ret = with_bits(c, k, value, mask & ~value, alloc, actx, &t);
	if (ret < 0)
		return ret;
	if (ret == 0)
		eq[(*neq)++] = t;
	forced_one = c ? c->one[k] : 0;
	forced_zero = (c ? c->zero[k] : 0) | domain_zero(k);
	for (i = 0; i < 128; i++) {
		if (!(mask & BIT(i)))
			continue;
		/* this bit differs from value: impossible where it is
		 * already forced to value */
		if ((value & BIT(i)) ? (forced_one & BIT(i)) :
				       (forced_zero & BIT(i)))
			continue;
		if (*nne == CHOICE_ALT_MAX)
			return 1;
		ret = with_bits(c, k, (value & BIT(i)) ? 0 : BIT(i),
				(value & BIT(i)) ? BIT(i) : 0, alloc, actx, &t);
		if (ret < 0)
			return ret;
		if (ret == 0)
			ne[(*nne)++] = t;
	}
	return 0;
}

int choice_split(const struct choice_dom *d, const struct choice *c,
		 const struct rs_match *m, int shift,
		 choice_alloc_fn alloc, void *actx,
		 const struct choice **yes, size_t *nyes,
		 const struct choice **no, size_t *nno)
{
	int k;

	*nyes = *nno = 0;
	if (m->nfields != 1)
		return 1;
	k = field_index(m->fields[0]);
	if (k < 0)
		return 1;
	if (k < 100)
		return split_values(d, c, k, m, shift, alloc, actx, yes, nyes,
				    no, nno);
	k -= 100;
	switch (m->op) {
	case RS_OP_MASK_EQ:
		return split_bits(c, k, m->mask, m->value, alloc, actx,
				  yes, nyes, no, nno);
	case RS_OP_MASK_NE:
		return split_bits(c, k, m->mask, m->value, alloc, actx,
				  no, nno, yes, nyes);
	default:
		return 1;
	}
}

int choice_uniform(const struct choice_dom *d, const struct choice *c,
		   const struct rs_match *m, int shift)
{
	struct choice_iv dbuf[16];
	const struct choice_iv *cur;
	bool yes = false, no = false;
	size_t ncur, i;
	uint64_t v, e;
	int k;

	if (m->nfields != 1)
		return -1;
	k = field_index(m->fields[0]);
	if (k < 0 || k >= 100)
		return -1;
	ncur = values_of(d, c, k, &cur, dbuf);
	for (i = 0; i < ncur && !(yes && no); i++) {
		for (v = cur[i].lo; v <= cur[i].hi && !(yes && no); v = e) {
			e = (uint64_t)cur[i].hi + 1;
			if ((k == CV_RT || k == CV_MSS) && v < RS_ABSENT &&
			    e > RS_ABSENT)
				e = RS_ABSENT;
			e = v == RS_ABSENT ? v + 1 : next_bound(m, v, shift, e);
			if (holds(m, k, v, shift))
				yes = true;
			else
				no = true;
		}
	}
	return yes && no ? -1 : yes ? 1 : 0;
}

int choice_restrict(const struct choice_dom *d, const struct choice *c,
		    enum rs_field f, uint32_t lo, uint32_t hi,
		    choice_alloc_fn alloc, void *actx,
		    const struct choice **out)
{
	struct rs_interval el = { lo, hi };
	struct rs_match m = {
		.op = RS_OP_IN, .nfields = 1, .fields = { f },
		.nelems = 1, .elems = &el,
	};
	const struct choice *yes[CHOICE_ALT_MAX], *no[CHOICE_ALT_MAX];
	size_t ny, nn;
	int ret;

	ret = choice_split(d, c, &m, 0, alloc, actx, yes, &ny, no, &nn);
	if (ret < 0)
		return ret;
	if (ret > 0)
		return -EINVAL;
	*out = ny ? yes[0] : NULL;
	return 0;
}

static bool ivs_meet(const struct choice_iv *a, size_t na,
		     const struct choice_iv *b, size_t nb)
{
	size_t i = 0, j = 0;

	while (i < na && j < nb) {
		if (a[i].hi < b[j].lo)
			i++;
		else if (b[j].hi < a[i].lo)
			j++;
		else
			return true;
	}
	return false;
}

bool choice_compatible(const struct choice *a, const struct choice *b)
{
	int k;

	if (!a || !b || a == b)
		return true;
	for (k = 0; k < CV__COUNT; k++)
		if (a->niv[k] && b->niv[k] &&
		    !ivs_meet(a->iv[k], a->niv[k], b->iv[k], b->niv[k]))
			return false;
	for (k = 0; k < CB__COUNT; k++)
		if ((a->one[k] & b->zero[k]) || (b->one[k] & a->zero[k]))
			return false;
	return true;
}

bool choice_equal(const struct choice *a, const struct choice *b)
{
	static const struct choice none;
	int k;

	if (a == b)
		return true;
	if (!a)
		a = &none;
	if (!b)
		b = &none;
	for (k = 0; k < CV__COUNT; k++)
		if (!same_ivs(a->iv[k], a->niv[k], b->iv[k], b->niv[k]))
			return false;
	for (k = 0; k < CB__COUNT; k++)
		if (a->one[k] != b->one[k] || a->zero[k] != b->zero[k])
			return false;
	return true;
}

uint64_t choice_hash(const struct choice *c)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;
	int k;

#define MIX(v) (h = (h ^ (uint64_t)(v)) * 0x100000001b3ull)
	if (!c)
		return 0;
	for (k = 0; k < CV__COUNT; k++)
		for (i = 0; i < c->niv[k]; i++)
			MIX(c->iv[k][i].lo | (uint64_t)c->iv[k][i].hi << 32);
	for (k = 0; k < CB__COUNT; k++) {
		MIX(c->one[k]);
		MIX(c->one[k] >> 64);
		MIX(c->zero[k]);
		MIX(c->zero[k] >> 64);
	}
#undef MIX
	return h;
}

/* ------------------------------------------------------------------ */

static const char *const value_names[CV__COUNT] = {
	[CV_TTL] = "ttl", [CV_TOS] = "tos", [CV_LENGTH] = "length",
	[CV_FRAGOFF] = "ip frag-off", [CV_RT] = "routing header type",
	[CV_MSS] = "tcp mss", [CV_FLAGS] = "tcp flags",
};

static void describe_ivs(struct strbuf *out, int k,
			 const struct choice_iv *iv, size_t n)
{
	bool hex = k == CV_TOS || k == CV_FRAGOFF;
	const char *sep = "";
	size_t i;

	for (i = 0; i < n; i++) {
		if (iv[i].lo == RS_ABSENT) {
			strbuf_addf(out, "%s%s", *sep ? " or " : "",
				    "missing");
			continue;
		}
		strbuf_addf(out, hex ? "%s0x%02x" : "%s%u", sep, iv[i].lo);
		if (iv[i].hi > iv[i].lo) {
			uint32_t hi = iv[i].hi == RS_ABSENT ? RS_ABSENT - 1 :
				      iv[i].hi;

			strbuf_addf(out, hex ? "-0x%02x" : "-%u", hi);
			if (iv[i].hi == RS_ABSENT)
				strbuf_add(out, " or missing");
		}
		sep = ",";
	}
}

/* TCP flags: which of the free flags the commitment forces on or off. */
static void describe_flags(struct strbuf *out, const struct choice_iv *iv,
			   size_t n)
{
	static const struct { uint32_t bit; const char *name; } fl[] = {
		{ 0x08, "psh" }, { 0x20, "urg" }, { 0x40, "ece" },
		{ 0x80, "cwr" },
	};
	uint32_t all = 0xff, any = 0;
	size_t i, j, count = 0;
	const char *sep = "";
	uint32_t v;

	for (i = 0; i < n; i++) {
		for (v = iv[i].lo; v <= iv[i].hi; v++) {
			all &= v;
			any |= v;
			count++;
		}
	}
	strbuf_add(out, "tcp flags ");
	for (j = 0; j < ARRAY_SIZE(fl); j++) {
		if (all & fl[j].bit) {
			strbuf_addf(out, "%swith %s", sep, fl[j].name);
			sep = ", ";
		} else if (!(any & fl[j].bit)) {
			strbuf_addf(out, "%swithout %s", sep, fl[j].name);
			sep = ", ";
		}
	}
	if (!*sep)
		strbuf_addf(out, "(%zu combinations)", count);
}

static void describe_bit(struct strbuf *out, int k, unsigned int bit,
			 bool set, const char **sep)
{
	static const struct { unsigned int bit; const char *name; } eh[] = {
		{ 0, "hop-by-hop" }, { 44, "fragment" },
		{ 60, "destination options" }, { 50, "esp" }, { 51, "ah" },
		{ 59, "no-next-header" },
	};
	const char *what = k == CB_IPOPT ? "ip option" :
			   k == CB_EXTHDR ? "ip6 extension header" :
			   "tcp option";
	size_t i;

	strbuf_addf(out, "%s%s %s ", *sep, set ? "with" : "without", what);
	*sep = ", ";
	if (k == CB_EXTHDR)
		for (i = 0; i < ARRAY_SIZE(eh); i++)
			if (eh[i].bit == bit) {
				strbuf_add(out, eh[i].name);
				return;
			}
	strbuf_addf(out, "%u", bit);
}

void choice_describe(const struct choice_dom *d, const struct choice *c,
		     struct strbuf *out)
{
	struct choice_iv dbuf[16];
	const char *sep = "";
	unsigned int i;
	size_t nd;
	int k;

	if (!c)
		return;
	for (k = 0; k < CV__COUNT; k++) {
		if (!c->niv[k])
			continue;
		nd = domain(d, k, dbuf);
		if (same_ivs(c->iv[k], c->niv[k], dbuf, nd))
			continue;
		strbuf_add(out, sep);
		sep = ", ";
		if (k == CV_FLAGS) {
			describe_flags(out, c->iv[k], c->niv[k]);
			continue;
		}
		strbuf_addf(out, "%s ", value_names[k]);
		describe_ivs(out, k, c->iv[k], c->niv[k]);
	}
	for (k = 0; k < CB__COUNT; k++) {
		for (i = 0; i < 128; i++) {
			if (c->one[k] & BIT(i))
				describe_bit(out, k, i, true, &sep);
			else if ((c->zero[k] & ~domain_zero(k)) & BIT(i))
				describe_bit(out, k, i, false, &sep);
		}
	}
}
