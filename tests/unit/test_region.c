// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_region.c - the packet-set algebra against a brute-force model.
 *
 * Random regions live in a small universe (16 addresses x 8 source ports x
 * 8 destination ports) placed either at the bottom of the real dimensions or
 * at their very top, where hi + 1 overflows; every operation is compared
 * point by point with a bitmap.  Includes region.c (as chrony's unit tests
 * do) to reach the box limit and the canonical form.
 *
 *	test_region [seed [iterations]]
 */
#include <inttypes.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "region.c"
#include "unit.h"
#include "util.h"

#define NA	8	/* source addresses */
#define NP	4	/* source ports */
#define ND	8	/* destination ports */
#define NDA	2	/* destination addresses */
#define NI	2	/* interfaces */
#define NPOINTS	(NA * NP * ND * NDA * NI)

static const unsigned int dom_size[REGION_NDIMS] = {
	[REGION_SADDR] = NA, [REGION_SPORT] = NP, [REGION_DPORT] = ND,
	[REGION_DADDR] = NDA, [REGION_IIF] = NI,
};
/* destination port varies fastest */
static const unsigned int stride[REGION_NDIMS] = {
	[REGION_DPORT] = 1,
	[REGION_SPORT] = ND,
	[REGION_SADDR] = ND * NP,
	[REGION_DADDR] = ND * NP * NA,
	[REGION_IIF] = ND * NP * NA * NDA,
};

struct model {
	uint64_t w[NPOINTS / 64];
};

/* where the universe sits in each dimension, and the family */
static rs_u128 base[REGION_NDIMS];
static uint8_t family;

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)(rng() % n);
}

static bool m_get(const struct model *m, unsigned int i)
{
	return m->w[i / 64] >> (i % 64) & 1;
}

static void m_set(struct model *m, unsigned int i, bool v)
{
	if (v)
		m->w[i / 64] |= 1ull << (i % 64);
	else
		m->w[i / 64] &= ~(1ull << (i % 64));
}

static unsigned int m_count(const struct model *m)
{
	unsigned int i, n = 0;

	for (i = 0; i < NPOINTS / 64; i++)
		n += __builtin_popcountll(m->w[i]);
	return n;
}

static bool m_equal(const struct model *a, const struct model *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static unsigned int coord(unsigned int i, int d)
{
	return i / stride[d] % dom_size[d];
}

/* coordinate d of point i of the universe, absolute */
static rs_u128 point_dim(unsigned int i, int d)
{
	return base[d] + coord(i, d);
}

static void m_point(unsigned int i, rs_u128 pt[REGION_NDIMS])
{
	int d;

	for (d = 0; d < REGION_NDIMS; d++)
		pt[d] = point_dim(i, d);
}

static bool in_iv(const struct rs_interval *iv, rs_u128 v)
{
	return iv->lo <= v && v <= iv->hi;
}

static bool box_has(const struct region_box *b, unsigned int i)
{
	int d;

	for (d = 0; d < REGION_NDIMS; d++)
		if (!in_iv(&b->iv[d], point_dim(i, d)))
			return false;
	return true;
}

/* a random box inside the universe */
static void rnd_box(struct region_box *b)
{
	unsigned int d, x, y;

	for (d = 0; d < REGION_NDIMS; d++) {
		x = rnd(dom_size[d]);
		y = rnd(dom_size[d]);
		if (x > y) {
			unsigned int t = x;

			x = y;
			y = t;
		}
		/* some boxes span a whole dimension of the universe */
		if (!rnd(4)) {
			x = 0;
			y = dom_size[d] - 1;
		}
		b->iv[d].lo = base[d] + x;
		b->iv[d].hi = base[d] + y;
	}
}

static void m_apply_box(struct model *m, const struct region_box *b, int op)
{
	unsigned int i;

	for (i = 0; i < NPOINTS; i++) {
		bool in = box_has(b, i);

		if (op == 0 && in)		/* add */
			m_set(m, i, true);
		else if (op == 1 && in)		/* subtract */
			m_set(m, i, false);
		else if (op == 2 && !in)	/* intersect */
			m_set(m, i, false);
	}
}

/* A random set of intervals on dim: unsorted, overlapping, adjacent, or
 * reaching beyond the universe and the dimension. */
static size_t rnd_set(int dim, struct rs_interval *set)
{
	size_t n = rnd(5), i;
	unsigned int x, y;

	for (i = 0; i < n; i++) {
		x = rnd(dom_size[dim]);
		y = x + rnd(4);
		if (y >= dom_size[dim])
			y = dom_size[dim] - 1;
		set[i].lo = base[dim] + x;
		set[i].hi = base[dim] + y;
		if (!rnd(8)) {
			if (base[dim])
				set[i].hi = ~(rs_u128)0;
			else
				set[i].lo = 0;
		}
	}
	return n;
}

static bool set_has(const struct rs_interval *set, size_t n, rs_u128 v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (in_iv(&set[i], v))
			return true;
	return false;
}

static void m_split(const struct model *m, int dim, const struct rs_interval *set,
		    size_t n, struct model *in, struct model *out)
{
	unsigned int i;

	memset(in, 0, sizeof(*in));
	memset(out, 0, sizeof(*out));
	for (i = 0; i < NPOINTS; i++) {
		if (!m_get(m, i))
			continue;
		if (set_has(set, n, point_dim(i, dim)))
			m_set(in, i, true);
		else
			m_set(out, i, true);
	}
}

/* Boxes valid, inside the universe, pairwise disjoint; same points as m.
 * Boxes are painted point by point (O(volume)), and region_contains_point()
 * is asked about a sample of points. */
static bool agrees(const struct region *r, const struct model *m)
{
	unsigned char seen[NPOINTS] = { 0 };
	unsigned int lo[REGION_NDIMS], hi[REGION_NDIMS], c[REGION_NDIMS];
	const struct region_box *b;
	rs_u128 pt[REGION_NDIMS];
	size_t n, i;
	unsigned int p, k;
	int d;

	b = region_boxes(r, &n);
	for (i = 0; i < n; i++) {
		for (d = 0; d < REGION_NDIMS; d++) {
			if (b[i].iv[d].lo > b[i].iv[d].hi ||
			    b[i].iv[d].lo < base[d] ||
			    b[i].iv[d].hi > base[d] + dom_size[d] - 1)
				return false;
			lo[d] = c[d] = (unsigned int)(b[i].iv[d].lo - base[d]);
			hi[d] = (unsigned int)(b[i].iv[d].hi - base[d]);
		}
		for (;;) {
			for (p = 0, d = 0; d < REGION_NDIMS; d++)
				p += c[d] * stride[d];
			if (seen[p]++ || !m_get(m, p))
				return false;	/* overlap, or a point too many */
			for (d = 0; d < REGION_NDIMS && c[d] == hi[d]; d++)
				c[d] = lo[d];
			if (d == REGION_NDIMS)
				break;
			c[d]++;
		}
	}
	for (p = 0; p < NPOINTS; p++)
		if (m_get(m, p) && !seen[p])
			return false;
	for (k = 0; k < 16; k++) {
		p = rnd(NPOINTS);
		m_point(p, pt);
		if (region_contains_point(r, pt) != m_get(m, p))
			return false;
	}
	return region_is_empty(r) == !m_count(m);
}

/* A random region and its model: the universe cut by a few operations. */
static struct region *rnd_region(struct model *m)
{
	struct region_box u, b;
	struct region *r, *in;
	struct rs_interval set[8];
	unsigned int k, steps = rnd(6);
	int d, op;
	size_t n;

	r = region_new_full(family);
	if (!r)
		abort();
	for (d = 0; d < REGION_NDIMS; d++) {
		u.iv[d].lo = base[d];
		u.iv[d].hi = base[d] + dom_size[d] - 1;
	}
	if (region_intersect_box(r, &u))
		abort();
	memset(m, 0xff, sizeof(*m));
	for (k = 0; k < steps; k++) {
		op = rnd(4);
		if (op < 3) {
			rnd_box(&b);
			if (op == 0 && region_add_box(r, &b))
				abort();
			if (op == 1 && region_subtract_box(r, &b))
				abort();
			if (op == 2 && region_intersect_box(r, &b))
				abort();
			m_apply_box(m, &b, op);
		} else {
			struct model mi, mo;

			d = rnd(REGION_NDIMS);
			n = rnd_set(d, set);
			if (region_split_off(r, d, set, n, &in))
				abort();
			m_split(m, d, set, n, &mi, &mo);
			if (rnd(2)) {
				region_free(r);
				r = in;
				*m = mi;
			} else {
				region_free(in);
				*m = mo;
			}
		}
	}
	return r;
}

/* The same set as m, one box per run of destination ports. */
static struct region *from_model(const struct model *m)
{
	struct region *r = region_new_empty();
	struct region_box b;
	unsigned int i, d, e;
	int k;

	for (i = 0; i < NPOINTS; i += ND) {
		for (d = 0; d < ND; d = e) {
			for (e = d; e < ND && m_get(m, i + e); e++)
				;
			if (e == d) {
				e++;
				continue;
			}
			for (k = 0; k < REGION_NDIMS; k++)
				b.iv[k].lo = b.iv[k].hi = point_dim(i, k);
			b.iv[REGION_DPORT].lo = base[REGION_DPORT] + d;
			b.iv[REGION_DPORT].hi = base[REGION_DPORT] + e - 1;
			if (region_add_box(r, &b))
				abort();
		}
	}
	return r;
}

/* Cross-section of m at value v of dim: the points of the other
 * dimensions, in order. */
static void cross_section(const struct model *m, int dim, unsigned int v,
			  struct model *x)
{
	unsigned int i, bit = 0;

	memset(x, 0, sizeof(*x));
	for (i = 0; i < NPOINTS; i++) {
		if (coord(i, dim) != v)
			continue;
		m_set(x, bit++, m_get(m, i));
	}
}

static void check_partition(const struct region *r, const struct model *m,
			    int dim)
{
	struct rs_interval want[16], *got = NULL;
	size_t nwant = 0, ngot = 0, i;
	struct model prev, x;
	unsigned int v;

	memset(&prev, 0, sizeof(prev));
	for (v = 0; v < dom_size[dim]; v++) {
		cross_section(m, dim, v, &x);
		if (m_count(&x) && m_equal(&x, &prev) && nwant) {
			want[nwant - 1].hi++;
		} else if (m_count(&x)) {
			want[nwant].lo = want[nwant].hi = base[dim] + v;
			nwant++;
		}
		prev = x;
	}
	CHECK_EQ(region_partition(r, dim, &got, &ngot), 0);
	CHECK_EQ(ngot, nwant);
	for (i = 0; i < ngot && i < nwant; i++)
		CHECK(got[i].lo == want[i].lo && got[i].hi == want[i].hi);
	free(got);

	nwant = 0;
	for (v = 0; v < dom_size[dim]; v++) {
		cross_section(m, dim, v, &x);
		if (!m_count(&x))
			continue;
		if (nwant && want[nwant - 1].hi + 1 == base[dim] + v)
			want[nwant - 1].hi++;
		else {
			want[nwant].lo = want[nwant].hi = base[dim] + v;
			nwant++;
		}
	}
	got = NULL;
	CHECK_EQ(region_project(r, dim, &got, &ngot), 0);
	CHECK_EQ(ngot, nwant);
	for (i = 0; i < ngot && i < nwant; i++)
		CHECK(got[i].lo == want[i].lo && got[i].hi == want[i].hi);
	free(got);
}

/* Runs of set bits of mask[0..n) as intervals from off. */
static size_t runs(const bool *mask, unsigned int n, rs_u128 off,
		   struct rs_interval *iv)
{
	unsigned int i;
	size_t k = 0;

	for (i = 0; i < n; i++) {
		if (!mask[i])
			continue;
		if (k && iv[k - 1].hi + 1 == off + i) {
			iv[k - 1].hi++;
		} else {
			iv[k].lo = iv[k].hi = off + i;
			k++;
		}
	}
	return k;
}

static void check_sources(const struct region *r, const struct model *m)
{
	unsigned int smask[NA] = { 0 }, a, s, g, p;
	struct region_sources *got = NULL;
	struct rs_interval iv[NA];
	size_t ngot = 0, n, i;
	bool mask[NA];

	for (p = 0; p < NPOINTS; p++)
		if (m_get(m, p))
			smask[coord(p, REGION_SADDR)] |=
				1u << coord(p, REGION_SPORT);
	CHECK_EQ(region_sources(r, &got, &ngot), 0);
	for (g = 0; g < ngot; g++) {
		unsigned int want = smask[got[g].addrs[0].lo - base[REGION_SADDR]];

		CHECK(want != 0);
		/* addresses: exactly those with this source-port set */
		for (a = 0; a < NA; a++)
			mask[a] = smask[a] == want;
		n = runs(mask, NA, base[REGION_SADDR], iv);
		CHECK_EQ(got[g].naddrs, n);
		for (i = 0; i < n && i < got[g].naddrs; i++)
			CHECK(got[g].addrs[i].lo == iv[i].lo &&
			      got[g].addrs[i].hi == iv[i].hi);
		for (s = 0; s < NP; s++)
			mask[s] = want >> s & 1;
		n = runs(mask, NP, base[REGION_SPORT], iv);
		CHECK_EQ(got[g].nsports, n);
		for (i = 0; i < n && i < got[g].nsports; i++)
			CHECK(got[g].sports[i].lo == iv[i].lo &&
			      got[g].sports[i].hi == iv[i].hi);
		CHECK(!got[g].all_sports);
		if (g)
			CHECK(got[g - 1].addrs[0].lo < got[g].addrs[0].lo);
	}
	/* as many groups as distinct non-empty source-port sets */
	for (a = 0, n = 0; a < NA; a++) {
		unsigned int b;

		if (!smask[a])
			continue;
		for (b = 0; b < a && smask[b] != smask[a]; b++)
			;
		if (b == a)
			n++;
	}
	CHECK_EQ(ngot, n);
	free(got);
}

static bool same_boxes(const struct region *r, const struct rbuf *rb)
{
	return r->n == rb->n &&
	       (!r->n || !memcmp(r->box, rb->b, r->n * sizeof(*r->box)));
}

/* Cutting by a region of many boxes (region.c indexes one of 32 or more
 * along a dimension: a blocklist's thousands of sources): subtract and
 * union agree with the model point by point, o made of up to 96 random
 * boxes, some spanning whole dimensions. */
static void test_cut_many(unsigned int iters)
{
	struct region *a, *o, *c;
	struct model ma, mo, mc;
	struct region_box b;
	unsigned int it, k, nb, p, before, big = 0;

	for (it = 0; it < iters; it++) {
		before = unit_failures;
		family = rnd(2) ? NFPROTO_IPV4 : NFPROTO_IPV6;
		for (p = 0; p < REGION_NDIMS; p++)
			base[p] = rnd(2) ? 0 :
				  dim_max(family, p) - (dom_size[p] - 1);
		a = rnd_region(&ma);
		o = region_new_empty();
		CHECK(o != NULL);
		if (!o)
			return;
		memset(&mo, 0, sizeof(mo));
		nb = 32 + rnd(64);
		for (k = 0; k < nb; k++) {
			rnd_box(&b);
			CHECK_EQ(region_add_box(o, &b), 0);
			m_apply_box(&mo, &b, 0);
		}
		CHECK(agrees(o, &mo));
		big += region_count_boxes(o) >= 32;

		c = region_copy(a);
		CHECK_EQ(region_subtract(c, o), 0);
		for (p = 0; p < NPOINTS / 64; p++)
			mc.w[p] = ma.w[p] & ~mo.w[p];
		CHECK(agrees(c, &mc));
		region_free(c);

		c = region_copy(a);
		CHECK_EQ(region_union(c, o), 0);
		for (p = 0; p < NPOINTS / 64; p++)
			mc.w[p] = ma.w[p] | mo.w[p];
		CHECK(agrees(c, &mc));
		region_free(c);

		/* the big one cut by the small one too */
		c = region_copy(o);
		CHECK_EQ(region_subtract(c, a), 0);
		for (p = 0; p < NPOINTS / 64; p++)
			mc.w[p] = mo.w[p] & ~ma.w[p];
		CHECK(agrees(c, &mc));
		region_free(c);
		region_free(a);
		region_free(o);
		if (unit_failures != before) {
			fprintf(stderr, "test_cut_many: iteration %u\n", it);
			return;
		}
	}
	/* most cuts took the indexed way */
	CHECK(big * 2 > iters);
}

static void test_random(unsigned int iters)
{
	struct region *a, *b, *c, *in, *out, *a2;
	struct model ma, mb, mc, mi, mo;
	struct rs_interval set[8];
	unsigned int it, before, p;
	size_t n, na;
	int dim;

	for (it = 0; it < iters; it++) {
		before = unit_failures;
		family = rnd(2) ? NFPROTO_IPV4 : NFPROTO_IPV6;
		/* the universe at the bottom or at the very top */
		for (p = 0; p < REGION_NDIMS; p++)
			base[p] = rnd(2) ? 0 :
				  dim_max(family, p) - (dom_size[p] - 1);

		a = rnd_region(&ma);
		b = rnd_region(&mb);
		CHECK(agrees(a, &ma));
		CHECK(agrees(b, &mb));

		c = region_copy(a);
		CHECK_EQ(region_union(c, b), 0);
		for (p = 0; p < NPOINTS / 64; p++)
			mc.w[p] = ma.w[p] | mb.w[p];
		CHECK(agrees(c, &mc));
		region_free(c);

		c = region_copy(a);
		CHECK_EQ(region_intersect(c, b), 0);
		for (p = 0; p < NPOINTS / 64; p++)
			mc.w[p] = ma.w[p] & mb.w[p];
		CHECK(agrees(c, &mc));
		region_free(c);

		c = region_copy(a);
		CHECK_EQ(region_subtract(c, b), 0);
		for (p = 0; p < NPOINTS / 64; p++)
			mc.w[p] = ma.w[p] & ~mb.w[p];
		CHECK(agrees(c, &mc));
		region_free(c);

		/* split: both parts, one part, and in place */
		dim = rnd(REGION_NDIMS);
		n = rnd_set(dim, set);
		m_split(&ma, dim, set, n, &mi, &mo);
		in = out = NULL;
		CHECK_EQ(region_split(a, dim, set, n, &in, &out), 0);
		CHECK(in && agrees(in, &mi));
		CHECK(out && agrees(out, &mo));
		region_free(in);
		region_free(out);
		out = NULL;
		CHECK_EQ(region_split(a, dim, set, n, NULL, &out), 0);
		CHECK(out && agrees(out, &mo));
		region_free(out);
		c = region_copy(a);
		in = NULL;
		CHECK_EQ(region_split_off(c, dim, set, n, &in), 0);
		CHECK(in && agrees(in, &mi));
		CHECK(agrees(c, &mo));
		region_free(in);
		region_free(c);

		/* a rule with matches on several dimensions at once */
		{
			struct rs_interval ps[REGION_NDIMS][8];
			const struct rs_interval *pset[REGION_NDIMS];
			size_t pn[REGION_NDIMS];
			unsigned int q, d;

			for (d = 0; d < REGION_NDIMS; d++) {
				pn[d] = rnd_set(d, ps[d]);
				pset[d] = rnd(3) ? ps[d] : NULL;
			}
			memset(&mi, 0, sizeof(mi));
			memset(&mo, 0, sizeof(mo));
			for (q = 0; q < NPOINTS; q++) {
				bool hit = m_get(&ma, q);

				for (d = 0; d < REGION_NDIMS; d++)
					if (pset[d] && !set_has(pset[d], pn[d],
								point_dim(q, d)))
						hit = false;
				m_set(&mi, q, hit);
				m_set(&mo, q, m_get(&ma, q) && !hit);
			}
			c = region_copy(a);
			in = NULL;
			CHECK_EQ(region_split_off_product(c, pset, pn, &in), 0);
			CHECK(in && agrees(in, &mi));
			CHECK(agrees(c, &mo));
			region_free(in);
			region_free(c);
		}

		/* equality is set equality, whatever the boxes */
		a2 = from_model(&ma);
		CHECK(agrees(a2, &ma));
		CHECK(region_equal(a, a2));
		CHECK(region_equal(a2, a));
		CHECK_EQ(region_equal(a, b), m_equal(&ma, &mb));
		c = region_copy(a);
		{
			struct region_box pt;
			unsigned int q = rnd(NPOINTS), d;
			rs_u128 v[REGION_NDIMS];

			m_point(q, v);
			for (d = 0; d < REGION_NDIMS; d++)
				pt.iv[d].lo = pt.iv[d].hi = v[d];
			if (m_get(&ma, q))
				CHECK_EQ(region_subtract_box(c, &pt), 0);
			else
				CHECK_EQ(region_add_box(c, &pt), 0);
			CHECK(!region_equal(a, c));
			CHECK(!region_equal(c, a));
		}
		region_free(c);

		/* normalize keeps the set, never grows, and gives the
		 * canonical list unless that one is bigger */
		{
			struct rbuf ca = { 0 }, ca2 = { 0 };

			CHECK_EQ(region_canon(a, REGION_DPORT, REGION_NDIMS, &ca), 0);
			CHECK_EQ(region_canon(a2, REGION_DPORT, REGION_NDIMS, &ca2), 0);
			CHECK(ca.n == ca2.n &&
			      (!ca.n || !memcmp(ca.b, ca2.b, ca.n * sizeof(*ca.b))));
			na = region_count_boxes(a);
			CHECK_EQ(region_normalize(a), 0);
			CHECK(agrees(a, &ma));
			CHECK(region_count_boxes(a) <= na);
			CHECK(same_boxes(a, &ca) || region_count_boxes(a) < ca.n);
			na = region_count_boxes(a2);
			CHECK_EQ(region_normalize(a2), 0);
			CHECK(agrees(a2, &ma));
			CHECK(region_count_boxes(a2) <= na);
			CHECK(same_boxes(a2, &ca) || region_count_boxes(a2) < ca.n);
			free(ca.b);
			free(ca2.b);
		}

		check_partition(a, &ma, rnd(REGION_NDIMS));
		check_sources(a, &ma);

		region_free(a);
		region_free(a2);
		region_free(b);
		if (unit_failures != before) {
			fprintf(stderr, "first failure at iteration %u\n", it);
			return;
		}
	}
}

/* prefixes */

static bool prefix_has(const struct region_prefix *p, int bits, rs_u128 x)
{
	return ((p->addr ^ x) & ~low_mask(bits - p->len)) == 0;
}

/* p[0..n) tile [lo, hi] exactly, ascending, each aligned and maximal (its
 * parent prefix is not inside [lo, hi]), which makes the list minimal. */
static bool prefixes_exact(const struct region_prefix *p, int n, int bits,
			   rs_u128 lo, rs_u128 hi)
{
	rs_u128 next = lo, size1, parent;
	int i;

	if (n < 1)
		return false;
	for (i = 0; i < n; i++) {
		if (p[i].len > bits || p[i].addr != next)
			return false;
		size1 = low_mask(bits - p[i].len);
		if (p[i].addr & size1)
			return false;
		if (p[i].len) {
			parent = p[i].addr & ~low_mask(bits - p[i].len + 1);
			if (parent >= lo &&
			    parent + low_mask(bits - p[i].len + 1) <= hi)
				return false;
		}
		if (i == n - 1)
			return p[i].addr + size1 == hi;
		next = p[i].addr + size1 + 1;
	}
	return false;
}

/* Brute force: fewest aligned blocks tiling [lo, hi], for hi < 64. */
static int min_cover(unsigned int lo, unsigned int hi)
{
	int f[66], k;
	unsigned int x;

	f[hi + 1] = 0;
	for (x = hi + 1; x-- > lo;) {
		f[x] = 1 << 20;
		for (k = 0; k < 7; k++) {
			unsigned int sz = 1u << k;

			if (x % sz || x + sz - 1 > hi)
				break;
			if (f[x + sz] + 1 < f[x])
				f[x] = f[x + sz] + 1;
		}
	}
	return f[lo];
}

static void test_prefixes_random(unsigned int iters)
{
	struct region_prefix p[REGION_INTERVAL_PREFIXES_MAX];
	unsigned int lo, hi, it;
	int n, fam, bits, len;

	for (lo = 0; lo < 64; lo++) {
		for (hi = lo; hi < 64; hi++) {
			n = region_interval_prefixes(NFPROTO_IPV4, lo, hi, p);
			CHECK(prefixes_exact(p, n, 32, lo, hi));
			CHECK_EQ(n, min_cover(lo, hi));
		}
	}
	for (it = 0; it < iters; it++) {
		rs_u128 x, blo, bhi, lo2, hi2, flip;

		fam = rnd(2) ? NFPROTO_IPV4 : NFPROTO_IPV6;
		bits = family_bits(fam);
		x = (rs_u128)rng() << 64 | rng();
		x &= addr_max(fam);
		len = rnd(bits + 1);
		blo = x & ~low_mask(bits - len);
		bhi = blo | low_mask(bits - len);

		/* a prefix block is one prefix */
		n = region_interval_prefixes(fam, blo, bhi, p);
		CHECK_EQ(n, 1);
		CHECK(p[0].addr == blo && p[0].len == len);
		CHECK(prefix_has(&p[0], bits, x));
		/* flipping the last prefix bit leaves the block */
		if (len) {
			flip = x ^ ((rs_u128)1 << (bits - len));
			CHECK(!prefix_has(&p[0], bits, flip));
		}
		/* one address more or less at either edge */
		if (len < bits) {
			n = region_interval_prefixes(fam, blo, bhi - 1, p);
			CHECK(prefixes_exact(p, n, bits, blo, bhi - 1));
			CHECK_EQ(n, bits - len);
			n = region_interval_prefixes(fam, blo + 1, bhi, p);
			CHECK(prefixes_exact(p, n, bits, blo + 1, bhi));
			CHECK_EQ(n, bits - len);
		}
		if (bhi != addr_max(fam)) {
			n = region_interval_prefixes(fam, blo, bhi + 1, p);
			CHECK(prefixes_exact(p, n, bits, blo, bhi + 1));
			/* one prefix only when a host and its buddy pair up */
			CHECK_EQ(n, len == bits && !(blo & 1) ? 1 : 2);
		}
		if (blo) {
			n = region_interval_prefixes(fam, blo - 1, bhi, p);
			CHECK(prefixes_exact(p, n, bits, blo - 1, bhi));
			CHECK_EQ(n, len == bits && (blo & 1) ? 1 : 2);
		}
		/* any interval */
		lo2 = ((rs_u128)rng() << 64 | rng()) & addr_max(fam);
		hi2 = ((rs_u128)rng() << 64 | rng()) & addr_max(fam);
		if (rnd(2))
			hi2 = lo2 + (hi2 & 0xffff);	/* small ones too */
		if (hi2 < lo2 || hi2 > addr_max(fam)) {
			rs_u128 t = lo2;

			lo2 = hi2 & addr_max(fam);
			hi2 = t;
		}
		if (lo2 > hi2)
			continue;
		n = region_interval_prefixes(fam, lo2, hi2, p);
		CHECK(n > 0 && n <= 2 * bits - 2 + (bits ? 0 : 1));
		CHECK(prefixes_exact(p, n, bits, lo2, hi2));
	}
}

static rs_u128 v4(unsigned int a, unsigned int b, unsigned int c,
		  unsigned int d)
{
	return (rs_u128)(a << 24 | b << 16 | c << 8 | d);
}

static rs_u128 v6(uint64_t hi, uint64_t lo)
{
	return (rs_u128)hi << 64 | lo;
}

static const char *fmt(uint8_t fam, const struct region_prefix *p)
{
	static char buf[REGION_PREFIX_STRLEN];

	if (region_prefix_format(fam, p, buf, sizeof(buf)))
		return "(error)";
	return buf;
}

static void test_prefixes_fixed(void)
{
	struct region_prefix p[REGION_INTERVAL_PREFIXES_MAX], *pp = NULL;
	struct rs_interval iv[3];
	rs_u128 lo, hi;
	size_t np = 0;
	char buf[8];
	int n;

	n = region_interval_prefixes(NFPROTO_IPV4, 0, 0xffffffffu, p);
	CHECK_EQ(n, 1);
	CHECK_STR(fmt(NFPROTO_IPV4, &p[0]), "0.0.0.0/0");
	n = region_interval_prefixes(NFPROTO_IPV6, 0, ~(rs_u128)0, p);
	CHECK_EQ(n, 1);
	CHECK_STR(fmt(NFPROTO_IPV6, &p[0]), "::/0");

	n = region_interval_prefixes(NFPROTO_IPV4, v4(10, 0, 0, 0),
				     v4(10, 0, 1, 255), p);
	CHECK_EQ(n, 1);
	CHECK_STR(fmt(NFPROTO_IPV4, &p[0]), "10.0.0.0/23");
	n = region_interval_prefixes(NFPROTO_IPV4, v4(192, 0, 2, 1),
				     v4(192, 0, 2, 1), p);
	CHECK_EQ(n, 1);
	CHECK_STR(fmt(NFPROTO_IPV4, &p[0]), "192.0.2.1/32");
	n = region_interval_prefixes(NFPROTO_IPV4, v4(10, 0, 0, 1),
				     v4(10, 0, 0, 6), p);
	CHECK_EQ(n, 4);
	CHECK_STR(fmt(NFPROTO_IPV4, &p[0]), "10.0.0.1/32");
	CHECK_STR(fmt(NFPROTO_IPV4, &p[1]), "10.0.0.2/31");
	CHECK_STR(fmt(NFPROTO_IPV4, &p[2]), "10.0.0.4/31");
	CHECK_STR(fmt(NFPROTO_IPV4, &p[3]), "10.0.0.6/32");
	n = region_interval_prefixes(NFPROTO_IPV4, 1, 0xfffffffeu, p);
	CHECK_EQ(n, 62);

	n = region_interval_prefixes(NFPROTO_IPV6, 1, 1, p);
	CHECK_EQ(n, 1);
	CHECK_STR(fmt(NFPROTO_IPV6, &p[0]), "::1/128");
	n = region_interval_prefixes(NFPROTO_IPV6, 1, ~(rs_u128)0 - 1, p);
	CHECK_EQ(n, 254);

	/* 2001:db8::/32 and its edges */
	lo = v6(0x20010db800000000ull, 0);
	hi = v6(0x20010db8ffffffffull, ~0ull);
	n = region_interval_prefixes(NFPROTO_IPV6, lo, hi, p);
	CHECK_EQ(n, 1);
	CHECK_STR(fmt(NFPROTO_IPV6, &p[0]), "2001:db8::/32");
	n = region_interval_prefixes(NFPROTO_IPV6, lo, hi - 1, p);
	CHECK_EQ(n, 96);
	CHECK_STR(fmt(NFPROTO_IPV6, &p[0]), "2001:db8::/33");
	CHECK_STR(fmt(NFPROTO_IPV6, &p[95]),
		  "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe/128");
	n = region_interval_prefixes(NFPROTO_IPV6, lo - 1, hi, p);
	CHECK_EQ(n, 2);
	CHECK_STR(fmt(NFPROTO_IPV6, &p[0]),
		  "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff/128");
	CHECK_STR(fmt(NFPROTO_IPV6, &p[1]), "2001:db8::/32");
	n = region_interval_prefixes(NFPROTO_IPV6, lo, hi + 1, p);
	CHECK_EQ(n, 2);
	CHECK_STR(fmt(NFPROTO_IPV6, &p[1]), "2001:db9::/128");

	/* lists: adjacent and overlapping intervals join */
	iv[0].lo = v4(10, 0, 1, 0);
	iv[0].hi = v4(10, 0, 1, 255);
	iv[1].lo = v4(10, 0, 0, 0);
	iv[1].hi = v4(10, 0, 0, 255);
	iv[2].lo = v4(10, 0, 0, 7);
	iv[2].hi = v4(10, 0, 0, 9);
	CHECK_EQ(region_prefixes(NFPROTO_IPV4, iv, 3, &pp, &np), 0);
	CHECK_EQ(np, 1);
	if (np == 1)
		CHECK_STR(fmt(NFPROTO_IPV4, &pp[0]), "10.0.0.0/23");
	free(pp);
	pp = NULL;
	CHECK_EQ(region_prefixes(NFPROTO_IPV4, iv, 0, &pp, &np), 0);
	CHECK(!pp && np == 0);

	/* errors */
	CHECK_EQ(region_interval_prefixes(0, 0, 1, p), -EINVAL);
	CHECK_EQ(region_interval_prefixes(NFPROTO_IPV4, 2, 1, p), -EINVAL);
	CHECK_EQ(region_interval_prefixes(NFPROTO_IPV4, 0, 0x100000000ull, p),
		 -EINVAL);
	p[0].addr = v4(10, 0, 0, 0);
	p[0].len = 8;
	CHECK_EQ(region_prefix_format(NFPROTO_IPV4, &p[0], buf, sizeof(buf)),
		 -ENOSPC);
	p[0].addr = 0;
	p[0].len = 33;
	CHECK_EQ(region_prefix_format(NFPROTO_IPV4, &p[0], buf, sizeof(buf)),
		 -EINVAL);
}

static bool has(const struct region *r, rs_u128 saddr, rs_u128 sport,
		rs_u128 dport)
{
	rs_u128 pt[REGION_NDIMS] = { 0 };

	pt[REGION_SADDR] = saddr;
	pt[REGION_SPORT] = sport;
	pt[REGION_DPORT] = dport;
	return region_contains_point(r, pt);
}

static void dport_set(struct rs_interval *iv, unsigned int lo, unsigned int hi)
{
	iv->lo = lo;
	iv->hi = hi;
}

static void test_fixed(void)
{
	struct region *full, *r, *in, *out, *acc, *x;
	struct region_sources *src = NULL;
	struct region_prefix *pp = NULL;
	struct rs_interval set[3], *iv = NULL;
	struct region_box b;
	size_t n = 0, np = 0;
	int k;

	CHECK(!region_new_full(0));
	region_free(NULL);

	/* IPv4 full range: one group, from anywhere, any source port */
	full = region_new_full(NFPROTO_IPV4);
	CHECK(full && region_count_boxes(full) == 1);
	CHECK_EQ(region_family(full), NFPROTO_IPV4);
	CHECK(has(full, 0xffffffffu, 65535, 65535));
	CHECK(!has(full, 0x100000000ull, 0, 0));
	CHECK_EQ(region_sources(full, &src, &n), 0);
	CHECK_EQ(n, 1);
	CHECK(src[0].all_sports && src[0].naddrs == 1);
	CHECK_EQ(region_prefixes(NFPROTO_IPV4, src[0].addrs, src[0].naddrs,
				 &pp, &np), 0);
	CHECK_EQ(np, 1);
	CHECK_STR(fmt(NFPROTO_IPV4, &pp[0]), "0.0.0.0/0");
	free(pp);
	free(src);
	CHECK_EQ(region_partition(full, REGION_DPORT, &iv, &n), 0);
	CHECK(n == 1 && iv[0].lo == 0 && iv[0].hi == 65535);
	free(iv);

	r = region_new_full(NFPROTO_IPV6);
	CHECK_EQ(region_sources(r, &src, &n), 0);
	CHECK(n == 1 && src[0].naddrs == 1 && src[0].addrs[0].lo == 0 &&
	      src[0].addrs[0].hi == ~(rs_u128)0);
	CHECK_EQ(region_prefixes(NFPROTO_IPV6, src[0].addrs, 1, &pp, &np), 0);
	CHECK_STR(fmt(NFPROTO_IPV6, &pp[0]), "::/0");
	free(pp);
	free(src);
	/* families do not mix */
	CHECK_EQ(region_union(r, full), -EINVAL);
	CHECK(!region_equal(r, full));
	region_free(r);

	/* "-p udp --sport 53 -j ACCEPT": reachable only from source port 53 */
	dport_set(&set[0], 53, 53);
	CHECK_EQ(region_split(full, REGION_SPORT, set, 1, &in, &out), 0);
	CHECK_EQ(region_sources(in, &src, &n), 0);
	CHECK_EQ(n, 1);
	CHECK(!src[0].all_sports && src[0].nsports == 1 &&
	      src[0].sports[0].lo == 53 && src[0].sports[0].hi == 53);
	CHECK(src[0].naddrs == 1 && src[0].addrs[0].lo == 0 &&
	      src[0].addrs[0].hi == 0xffffffffu);
	free(src);
	CHECK_EQ(region_count_boxes(out), 2);
	CHECK(!has(out, 1, 53, 80));
	CHECK(has(out, 1, 54, 80));
	region_free(in);
	region_free(out);

	/* ports 22, 23, 24 accepted; 23 only from 10.0.0.0/8 */
	acc = region_new_empty();
	CHECK(acc && region_family(acc) == 0);
	dport_set(&set[0], 22, 22);
	dport_set(&set[1], 24, 24);
	CHECK_EQ(region_split(full, REGION_DPORT, set, 2, &x, NULL), 0);
	CHECK_EQ(region_union(acc, x), 0);
	CHECK_EQ(region_family(acc), NFPROTO_IPV4);
	region_free(x);
	b = region_boxes(full, &n)[0];
	b.iv[REGION_DPORT].lo = b.iv[REGION_DPORT].hi = 23;
	b.iv[REGION_SADDR].lo = v4(10, 0, 0, 0);
	b.iv[REGION_SADDR].hi = v4(10, 255, 255, 255);
	CHECK_EQ(region_add_box(acc, &b), 0);
	CHECK_EQ(region_partition(acc, REGION_DPORT, &iv, &n), 0);
	CHECK_EQ(n, 3);
	free(iv);
	CHECK_EQ(region_project(acc, REGION_DPORT, &iv, &n), 0);
	CHECK(n == 1 && iv[0].lo == 22 && iv[0].hi == 24);
	free(iv);
	/* the same sources on 23 too: one range */
	b.iv[REGION_SADDR].lo = 0;
	b.iv[REGION_SADDR].hi = 0xffffffffu;
	CHECK_EQ(region_add_box(acc, &b), 0);
	CHECK_EQ(region_partition(acc, REGION_DPORT, &iv, &n), 0);
	CHECK(n == 1 && iv[0].lo == 22 && iv[0].hi == 24);
	free(iv);
	CHECK(region_count_boxes(acc) > 1);
	CHECK_EQ(region_normalize(acc), 0);
	CHECK_EQ(region_count_boxes(acc), 1);
	region_free(acc);

	/* a chain of 200 port rules, then everything put back together */
	r = region_copy(full);
	acc = region_new_empty();
	for (k = 0; k < 200; k++) {
		dport_set(&set[0], 1000 + 7 * k, 1000 + 7 * k + 3);
		CHECK_EQ(region_split_off(r, REGION_DPORT, set, 1, &in), 0);
		CHECK_EQ(region_union(acc, in), 0);
		region_free(in);
	}
	CHECK_EQ(region_count_boxes(r), 201);
	CHECK_EQ(region_count_boxes(acc), 200);
	CHECK(!region_equal(acc, full));
	CHECK_EQ(region_union(r, acc), 0);
	CHECK(region_equal(r, full));
	CHECK_EQ(region_normalize(r), 0);
	CHECK_EQ(region_count_boxes(r), 1);
	CHECK(!memcmp(region_boxes(r, &n), region_boxes(full, &n),
		      sizeof(struct region_box)));
	region_free(acc);
	region_free(r);

	/* exact volumes, far beyond 128 bits */
	{
		struct vol v;
		struct region *r6 = region_new_full(NFPROTO_IPV6);
		struct rs_interval half = { 0, ((rs_u128)1 << 64) - 1 };

		region_vol(full, &v);	/* 2^(2 * 32 + 2 * 16 + 128) */
		CHECK(v.w[3] == 1ull << 32);
		v.w[3] = 0;
		CHECK(!memcmp(&v, &(struct vol){ { 0 } }, sizeof(v)));
		region_vol(r6, &v);	/* 2^(3 * 128 + 2 * 16) */
		CHECK(v.w[6] == 1ull << 32);
		v.w[6] = 0;
		CHECK(!memcmp(&v, &(struct vol){ { 0 } }, sizeof(v)));
		CHECK_EQ(region_split_off(r6, REGION_DADDR, &half, 1, &x), 0);
		region_vol(x, &v);	/* 2^(2 * 128 + 64 + 2 * 16) */
		CHECK(v.w[5] == 1ull << 32);
		CHECK_EQ(region_union(r6, x), 0);
		CHECK(region_count_boxes(r6) == 2);
		region_free(x);
		x = region_new_full(NFPROTO_IPV6);
		CHECK(region_equal(r6, x));
		b = region_boxes(x, &n)[0];
		b.iv[REGION_IIF].lo = b.iv[REGION_IIF].hi = 7;
		b.iv[REGION_SADDR].lo = b.iv[REGION_SADDR].hi = 1;
		CHECK_EQ(region_subtract_box(r6, &b), 0);
		CHECK(!region_equal(r6, x));
		CHECK(!region_equal(x, r6));
		region_free(x);
		region_free(r6);
	}

	/* bad input */
	r = region_copy(full);
	b = region_boxes(full, &n)[0];
	b.iv[REGION_SPORT].lo = 2;
	b.iv[REGION_SPORT].hi = 1;
	CHECK_EQ(region_subtract_box(r, &b), -EINVAL);
	CHECK_EQ(region_intersect_box(r, &b), -EINVAL);
	/* add_box clips to the domain: [0, ~0] means "any" */
	b.iv[REGION_SPORT].hi = 3;
	b.iv[REGION_SADDR].hi = ~(rs_u128)0;
	b.iv[REGION_DPORT].hi = ~(rs_u128)0;
	x = region_new_empty();
	CHECK_EQ(region_subtract_box(r, &b), 0);
	CHECK(!has(r, 0xffffffffu, 3, 65535) && has(r, 0xffffffffu, 4, 65535));
	CHECK_EQ(region_add_box(x, &b), 0);
	CHECK(region_boxes(x, &n)[0].iv[REGION_DPORT].hi == 65535);
	CHECK_EQ(region_add_box(r, &b), 0);
	CHECK(region_equal(r, full));
	CHECK_EQ(region_union(x, r), 0);
	CHECK(region_equal(x, full));
	region_free(x);
	b.iv[REGION_SADDR].lo = 0x100000000ull;
	k = (int)region_count_boxes(r);
	CHECK_EQ(region_add_box(r, &b), 0);
	CHECK(region_equal(r, full) && (int)region_count_boxes(r) == k);
	CHECK_EQ(region_normalize(r), 0);
	CHECK_EQ(region_count_boxes(r), 1);
	dport_set(&set[0], 5, 4);
	CHECK_EQ(region_split(r, REGION_DPORT, set, 1, &in, &out), -EINVAL);
	CHECK_EQ(region_split(r, REGION_NDIMS, set, 0, &in, &out), -EINVAL);
	CHECK(region_equal(r, full));

	/* the limit: -E2BIG, nothing written, operands unchanged */
	region_limit = 64;
	{
		struct region *sentinel = (struct region *)&b;
		struct rs_interval many[100];

		for (k = 0; k < 100; k++)
			dport_set(&many[k], 2 * k, 2 * k);
		in = out = sentinel;
		CHECK_EQ(region_split(full, REGION_DPORT, many, 100, &in, &out),
			 -E2BIG);
		CHECK(in == sentinel && out == sentinel);
		CHECK_EQ(region_split_off(r, REGION_DPORT, many, 100, &in),
			 -E2BIG);
		CHECK(in == sentinel);
		CHECK(region_equal(r, full) && region_count_boxes(r) == 1);

		CHECK_EQ(region_split_off(r, REGION_DPORT, many, 30, &in), 0);
		CHECK_EQ(region_count_boxes(r), 30);
		x = region_copy(r);
		b = region_boxes(full, &n)[0];
		b.iv[REGION_SADDR].lo = b.iv[REGION_SADDR].hi = 5;
		b.iv[REGION_SPORT].lo = b.iv[REGION_SPORT].hi = 100;
		CHECK_EQ(region_subtract_box(r, &b), -E2BIG);
		CHECK(region_count_boxes(r) == 30 && region_equal(r, x));
		CHECK_EQ(region_add_box(r, &b), -E2BIG);
		CHECK(region_count_boxes(r) == 30 && region_equal(r, x));
		b.iv[REGION_DPORT].lo = b.iv[REGION_DPORT].hi = 0;
		CHECK_EQ(region_add_box(r, &b), 0);
		CHECK_EQ(region_count_boxes(r), 31);
		CHECK_EQ(region_union(x, in), 0);
		CHECK_EQ(region_count_boxes(x), 60);
		CHECK(region_equal(x, full));
		/* x \ r is 33 boxes, then r's 31 */
		region_limit = 63;
		CHECK_EQ(region_union(x, r), -E2BIG);
		region_limit = 64;
		CHECK_EQ(region_count_boxes(x), 60);
		CHECK_EQ(region_subtract(x, in), 0);
		CHECK_EQ(region_count_boxes(x), 30);
		region_free(in);
		region_free(x);
	}
	region_limit = REGION_MAX_BOXES;
	region_free(r);
	region_free(full);
}

/* Martian sources as "don't care": whole gaps of them are filled, a gap
 * partly of them lends the part beside an interval where that makes fewer
 * prefixes, and nothing outside the set and the don't-cares is ever
 * added. */
static void test_fill_gaps(void)
{
	static const struct rs_interval dc[] = {
		{ 0x00000000, 0x00ffffff }, { 0x7f000000, 0x7fffffff },
		{ 0xc63364ff, 0xc63364ff }, { 0xe0000000, 0xefffffff },
		{ 0xffffffff, 0xffffffff },
	};
	/* any but 0/8, 127/8, 198.51.100.255, 224/4, 255.255.255.255 */
	static const struct rs_interval any[] = {
		{ 0x01000000, 0x7effffff }, { 0x80000000, 0xc63364fe },
		{ 0xc6336500, 0xdfffffff }, { 0xf0000000, 0xfffffffe },
	};
	static const struct rs_interval lan[] = { { 0xc6336400, 0xc63364fe } };
	static const struct rs_interval ten[] = { { 0x0a000000, 0x0affffff } };
	struct rs_interval *o = NULL;
	size_t n = 0;

	CHECK_EQ(region_fill_gaps(NFPROTO_IPV4, any, 4, dc, 5, &o, &n), 0);
	CHECK(n == 1 && o[0].lo == 0 && o[0].hi == 0xffffffff);
	free(o);
	CHECK_EQ(region_fill_gaps(NFPROTO_IPV4, lan, 1, dc, 5, &o, &n), 0);
	CHECK(n == 1 && o[0].lo == 0xc6336400 && o[0].hi == 0xc63364ff);
	free(o);
	CHECK_EQ(region_fill_gaps(NFPROTO_IPV4, ten, 1, dc, 5, &o, &n), 0);
	CHECK(n == 1 && o[0].lo == 0x0a000000 && o[0].hi == 0x0affffff);
	free(o);
	CHECK_EQ(region_fill_gaps(NFPROTO_IPV4, NULL, 0, dc, 5, &o, &n), 0);
	CHECK_EQ(n, 0);
	free(o);
}

/* region_prefix_parse(): what saved audits (auditload.c), fwaudit diff and
 * the source views read back.  The length is decimal digits and nothing
 * else: strtoul() took "/-0" as /0 (every address), " 8" and "+8" as 8. */
static void test_prefix_parse(void)
{
	static const char *bad4[] = { "10.0.0.0/-0", "10.0.0.0/ 8",
				      "10.0.0.0/+8", "10.0.0.0/0008",
				      "10.0.0.0/", "10.0.0.0/8 ", "10.0.0.0/33",
				      "10.0.0.0/8/8", "10.0.0/8", "::/0", "" };
	struct rs_interval iv;
	size_t i;

	CHECK_EQ(region_prefix_parse(NFPROTO_IPV4, "10.1.2.3/8", &iv), 0);
	CHECK(iv.lo == 0x0a000000u && iv.hi == 0x0affffffu);
	CHECK_EQ(region_prefix_parse(NFPROTO_IPV4, "0.0.0.0/0", &iv), 0);
	CHECK(iv.lo == 0 && iv.hi == 0xffffffffu);
	CHECK_EQ(region_prefix_parse(NFPROTO_IPV4, "192.0.2.7", &iv), 0);
	CHECK(iv.lo == 0xc0000207u && iv.hi == 0xc0000207u);
	CHECK_EQ(region_prefix_parse(NFPROTO_IPV4, "192.0.2.7/032", &iv), 0);
	CHECK(iv.lo == 0xc0000207u && iv.hi == 0xc0000207u);
	CHECK_EQ(region_prefix_parse(NFPROTO_IPV6, "2001:db8::/32", &iv), 0);
	CHECK(iv.lo == (rs_u128)0x20010db8u << 96 &&
	      iv.hi == ((rs_u128)0x20010db8u << 96 | (((rs_u128)1 << 96) - 1)));
	CHECK_EQ(region_prefix_parse(NFPROTO_IPV6, "::/0", &iv), 0);
	CHECK(iv.lo == 0 && iv.hi == ~(rs_u128)0);
	for (i = 0; i < ARRAY_SIZE(bad4); i++) {
		iv.lo = 1;
		iv.hi = 2;
		if (region_prefix_parse(NFPROTO_IPV4, bad4[i], &iv) != -EINVAL)
			fprintf(stderr, "taken: \"%s\"\n", bad4[i]);
		CHECK(iv.lo == 1 && iv.hi == 2);
	}
	CHECK_EQ(region_prefix_parse(NFPROTO_IPV6, "2001:db8::/-0", &iv),
		 -EINVAL);
	CHECK_EQ(region_prefix_parse(NFPROTO_IPV6, "2001:db8::/129", &iv),
		 -EINVAL);
	CHECK_EQ(region_prefix_parse(NFPROTO_ARP, "10.0.0.0/8", &iv), -EINVAL);
}

/* region_ivs_merge(): sorted, overlapping and touching merged, gaps kept,
 * the top of the space without overflow */
static void test_ivs_merge(void)
{
	struct rs_interval iv[] = {
		{ 50, 60 }, { 10, 20 }, { 21, 30 }, { 15, 18 }, { 70, 70 },
		{ ~(rs_u128)0 - 1, ~(rs_u128)0 }, { 0, 0 },
	};

	CHECK_EQ(region_ivs_merge(iv, 7), 5);
	CHECK(iv[0].lo == 0 && iv[0].hi == 0);
	CHECK(iv[1].lo == 10 && iv[1].hi == 30);
	CHECK(iv[2].lo == 50 && iv[2].hi == 60);
	CHECK(iv[3].lo == 70 && iv[3].hi == 70);
	CHECK(iv[4].hi == ~(rs_u128)0);
	CHECK_EQ(region_ivs_merge(iv, 0), 0);
}

/* region_groups() on hand-made port x address regions of family v4. */
static struct region *pa_region(const struct rs_interval (*pa)[2], size_t n)
{
	struct region *r = region_new_empty();
	struct region_box b;
	size_t i;
	int d;

	for (i = 0; r && i < n; i++) {
		for (d = 0; d < REGION_NDIMS; d++) {
			b.iv[d].lo = 0;
			b.iv[d].hi = dim_max(NFPROTO_IPV4, d);
		}
		b.iv[REGION_DPORT] = pa[i][0];
		b.iv[REGION_SADDR] = pa[i][1];
		CHECK_EQ(region_add_box(r, &b), 0);
	}
	return r;
}

#define PA(plo, phi, alo, ahi) { { plo, phi }, { alo, ahi } }

static void test_groups_fixed(void)
{
	/* ports 1-100 from A (10-19) and 50-60 from B (30-39): (b), two
	 * groups; (a) would cut 1-100 in three */
	static const struct rs_interval ab[][2] = {
		PA(1, 100, 10, 19), PA(50, 60, 30, 39),
	};
	/* ports 1-50 from all but B, 51-100 from all: (a), as (b) has as
	 * many groups and as many intervals */
	static const struct rs_interval notb[][2] = {
		PA(1, 50, 0, 29), PA(1, 50, 40, 99), PA(51, 100, 0, 99),
	};
	/* (b) holds 28-35 for A, 29-35 for C, 28 and 30-31 for D: 28-35
	 * is tiled by 28 and 29-35, so three groups, where (a) and plain
	 * (b) make four */
	static const struct rs_interval tiled[][2] = {
		PA(28, 35, 0, 9), PA(29, 35, 10, 11), PA(28, 28, 20, 23),
		PA(30, 31, 20, 23),
	};
	struct region_group *g = NULL;
	struct region *r;
	size_t n = 99;

	r = pa_region(ab, 2);
	CHECK_EQ(region_groups(r, REGION_DPORT, REGION_SADDR, &g, &n), 0);
	CHECK_EQ(n, 2);
	if (n == 2) {
		CHECK(g[0].outer.lo == 1 && g[0].outer.hi == 100);
		CHECK(g[0].n == 1 && g[0].inner[0].lo == 10 &&
		      g[0].inner[0].hi == 19);
		CHECK(g[1].outer.lo == 50 && g[1].outer.hi == 60);
		CHECK(g[1].n == 1 && g[1].inner[0].lo == 30 &&
		      g[1].inner[0].hi == 39);
	}
	free(g);
	CHECK_EQ(region_groups(r, REGION_DPORT, REGION_DPORT, &g, &n),
		 -EINVAL);
	CHECK_EQ(region_groups(r, REGION_NDIMS, REGION_SADDR, &g, &n),
		 -EINVAL);
	region_free(r);

	r = pa_region(notb, 3);
	CHECK_EQ(region_groups(r, REGION_DPORT, REGION_SADDR, &g, &n), 0);
	CHECK_EQ(n, 2);
	if (n == 2) {
		CHECK(g[0].outer.lo == 1 && g[0].outer.hi == 50);
		CHECK(g[0].n == 2 && g[0].inner[0].hi == 29 &&
		      g[0].inner[1].lo == 40);
		CHECK(g[1].outer.lo == 51 && g[1].outer.hi == 100);
		CHECK(g[1].n == 1 && g[1].inner[0].lo == 0 &&
		      g[1].inner[0].hi == 99);
	}
	free(g);
	region_free(r);

	r = pa_region(tiled, 4);
	CHECK_EQ(region_groups(r, REGION_DPORT, REGION_SADDR, &g, &n), 0);
	CHECK_EQ(n, 3);
	if (n == 3) {
		CHECK(g[0].outer.lo == 28 && g[0].outer.hi == 28);
		CHECK(g[0].n == 2 && g[0].inner[0].lo == 0 &&
		      g[0].inner[0].hi == 9 && g[0].inner[1].lo == 20 &&
		      g[0].inner[1].hi == 23);
		CHECK(g[1].outer.lo == 29 && g[1].outer.hi == 35);
		CHECK(g[1].n == 1 && g[1].inner[0].lo == 0 &&
		      g[1].inner[0].hi == 11);
		CHECK(g[2].outer.lo == 30 && g[2].outer.hi == 31);
		CHECK(g[2].n == 1 && g[2].inner[0].lo == 20 &&
		      g[2].inner[0].hi == 23);
	}
	free(g);
	region_free(r);

	r = region_new_empty();
	g = (void *)1;
	CHECK_EQ(region_groups(r, REGION_DPORT, REGION_SADDR, &g, &n), 0);
	CHECK(g == NULL && n == 0);
	region_free(r);
}

/* Random regions: the groups are exactly the projection on (outer,
 * inner), disjoint, of distinct outer intervals in ascending order, with
 * merged inner intervals, and no more of them than the maximal outer
 * ranges with one cross-section (layout (a)). */
static void test_groups_random(unsigned int iters)
{
	static const int dims[][2] = {
		{ REGION_DPORT, REGION_SADDR }, { REGION_SADDR, REGION_DPORT },
		{ REGION_DPORT, REGION_SPORT }, { REGION_IIF, REGION_DADDR },
	};
	unsigned int it, p, x, y, k;

	for (it = 0; it < iters; it++) {
		int o, in, dd = (int)rnd(4);
		bool proj[16][16];
		struct region_group *g = NULL;
		struct model m;
		struct region *r;
		size_t n = 0, i, j, runs;

		family = rnd(2) ? NFPROTO_IPV4 : NFPROTO_IPV6;
		for (p = 0; p < REGION_NDIMS; p++)
			base[p] = rnd(2) ? 0 :
				  dim_max(family, p) - (dom_size[p] - 1);
		o = dims[dd][0];
		in = dims[dd][1];
		r = rnd_region(&m);
		memset(proj, 0, sizeof(proj));
		for (p = 0; p < NPOINTS; p++)
			if (m_get(&m, p))
				proj[coord(p, o)][coord(p, in)] = true;
		if (region_groups(r, o, in, &g, &n) < 0) {
			CHECK(!"region_groups failed");
			region_free(r);
			continue;
		}
		for (x = 0; x < dom_size[o]; x++) {
			for (y = 0; y < dom_size[in]; y++) {
				for (i = 0, k = 0; i < n; i++)
					for (j = 0; j < g[i].n; j++)
						k += in_iv(&g[i].outer,
							   base[o] + x) &&
						     in_iv(&g[i].inner[j],
							   base[in] + y);
				CHECK_EQ(k, proj[x][y] ? 1u : 0u);
			}
		}
		for (i = 0; i < n; i++) {
			CHECK(g[i].n > 0);
			CHECK(!i || g[i - 1].outer.lo < g[i].outer.lo ||
			      (g[i - 1].outer.lo == g[i].outer.lo &&
			       g[i - 1].outer.hi < g[i].outer.hi));
			for (j = 1; j < g[i].n; j++)
				CHECK(g[i].inner[j - 1].hi + 1 <
				      g[i].inner[j].lo);
		}
		/* layout (a): runs of equal non-empty cross-sections */
		for (x = 0, runs = 0; x < dom_size[o]; x++) {
			bool any = false;

			for (y = 0; y < dom_size[in]; y++)
				any |= proj[x][y];
			if (any && (!x || memcmp(proj[x], proj[x - 1],
						 sizeof(proj[x]))))
				runs++;
		}
		CHECK(n <= runs);
		free(g);
		region_free(r);
	}
}

int main(int argc, char **argv)
{
	unsigned long long seed;
	unsigned int iters = 2000;

	if (argc > 1)
		seed = strtoull(argv[1], NULL, 0);
	else
		seed = (unsigned long long)time(NULL) ^
		       ((unsigned long long)getpid() << 32);
	if (argc > 2)
		iters = (unsigned int)strtoul(argv[2], NULL, 0);
	if (!seed)
		seed = 1;
	printf("test_region: seed %llu (rerun: test_region %llu)\n", seed, seed);
	rng_state = seed;

	test_prefixes_fixed();
	test_prefix_parse();
	test_fill_gaps();
	test_ivs_merge();
	test_groups_fixed();
	test_fixed();
	test_prefixes_random(iters);
	test_random(iters);
	test_cut_many(iters / 4 + 1);
	test_groups_random(iters);

	if (unit_failures)
		fprintf(stderr, "test_region: failed with seed %llu\n", seed);
	return unit_done();
}
