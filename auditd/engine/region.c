// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * region.c - sets of probes as unions of disjoint boxes.
 *
 * Every result is built in a growable flat array (struct rbuf) and only
 * then handed to the region, so that a failed operation leaves its operands
 * as they were.  Box pieces are cut destination port first, so that long
 * chains of port rules leave boxes spanning every address.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>

#include "ipaddr.h"
#include "region.h"

#define U128_MAX	(~(rs_u128)0)
#define PORT_MAX	65535

struct region {
	uint8_t family;
	size_t n, cap;
	struct region_box *box;
};

struct rbuf {
	struct region_box *b;
	size_t n, cap;
};

/* The unit test lowers it to reach the limit without 160 MiB. */
static size_t region_limit = REGION_MAX_BOXES;

static int rbuf_reserve(struct rbuf *rb, size_t want)
{
	struct region_box *nb;
	size_t cap;

	if (want <= rb->cap)
		return 0;
	if (want > region_limit)
		return -E2BIG;
	cap = rb->cap ? rb->cap : 4;
	while (cap < want)
		cap *= 2;
	if (cap > region_limit)
		cap = region_limit;
	nb = realloc(rb->b, cap * sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	rb->b = nb;
	rb->cap = cap;
	return 0;
}

static inline int rbuf_push(struct rbuf *rb, const struct region_box *box)
{
	if (rb->n == rb->cap) {
		int err = rbuf_reserve(rb, rb->n + 1);

		if (err)
			return err;
	}
	rb->b[rb->n++] = *box;
	return 0;
}

/* r takes the boxes of rb, which is left empty. */
static void region_take(struct region *r, struct rbuf *rb)
{
	free(r->box);
	r->box = rb->b;
	r->n = rb->n;
	r->cap = rb->cap;
	rb->b = NULL;
	rb->n = rb->cap = 0;
}

static rs_u128 addr_max(uint8_t family)
{
	return family == NFPROTO_IPV4 ? 0xffffffffu : U128_MAX;
}

/* The largest value of dimension d in a region of family. */
static rs_u128 dim_max(uint8_t family, int d)
{
	switch (d) {
	case REGION_SADDR:
	case REGION_DADDR:
		return addr_max(family);
	case REGION_SPORT:
	case REGION_DPORT:
		return PORT_MAX;
	}
	return U128_MAX;
}

/* The order in which boxes are cut and canonical forms are laid out:
 * destination port outermost, as the reports group by it. */
static const int dim_order[REGION_NDIMS] = {
	REGION_DPORT, REGION_IIF, REGION_DADDR, REGION_SPORT, REGION_SADDR
};

static int family_bits(uint8_t family)
{
	switch (family) {
	case NFPROTO_IPV4:
		return 32;
	case NFPROTO_IPV6:
		return 128;
	}
	return 0;
}

/* A region of no family taking one: what lies beyond the family's domain
 * goes. */
static void region_adopt(struct region *r, uint8_t family)
{
	size_t i, k;
	int d;

	if (r->family == family)
		return;
	r->family = family;
	for (i = k = 0; i < r->n; i++) {
		for (d = 0; d < REGION_NDIMS; d++) {
			if (r->box[i].iv[d].lo > dim_max(family, d))
				break;
			if (r->box[i].iv[d].hi > dim_max(family, d))
				r->box[i].iv[d].hi = dim_max(family, d);
		}
		if (d == REGION_NDIMS)
			r->box[k++] = r->box[i];
	}
	r->n = k;
}

static int family_join(uint8_t a, uint8_t b, uint8_t *res)
{
	if (a && b && a != b)
		return -EINVAL;
	*res = a ? a : b;
	return 0;
}

static bool box_valid(const struct region_box *b)
{
	int d;

	for (d = 0; d < REGION_NDIMS; d++)
		if (b->iv[d].lo > b->iv[d].hi)
			return false;
	return true;
}

static inline bool iv_overlap(const struct rs_interval *a,
			      const struct rs_interval *b)
{
	return a->lo <= b->hi && b->lo <= a->hi;
}

static inline bool box_overlap(const struct region_box *a,
			       const struct region_box *b)
{
	return iv_overlap(&a->iv[REGION_DPORT], &b->iv[REGION_DPORT]) &&
	       iv_overlap(&a->iv[REGION_SADDR], &b->iv[REGION_SADDR]) &&
	       iv_overlap(&a->iv[REGION_SPORT], &b->iv[REGION_SPORT]) &&
	       iv_overlap(&a->iv[REGION_DADDR], &b->iv[REGION_DADDR]) &&
	       iv_overlap(&a->iv[REGION_IIF], &b->iv[REGION_IIF]);
}

static inline void box_intersect(const struct region_box *a,
				 const struct region_box *b,
				 struct region_box *res)
{
	int d;

	for (d = 0; d < REGION_NDIMS; d++) {
		res->iv[d].lo = a->iv[d].lo > b->iv[d].lo ? a->iv[d].lo
							  : b->iv[d].lo;
		res->iv[d].hi = a->iv[d].hi < b->iv[d].hi ? a->iv[d].hi
							  : b->iv[d].hi;
	}
}

/* Append the pieces of a \ b (at most 2 per dimension, disjoint) to res;
 * a and b overlap. */
static int box_subtract(const struct region_box *a, const struct region_box *b,
			struct rbuf *res)
{
	struct region_box rest = *a, piece;
	int i, d, err;

	for (i = 0; i < REGION_NDIMS; i++) {
		d = dim_order[i];
		if (rest.iv[d].lo < b->iv[d].lo) {
			piece = rest;
			piece.iv[d].hi = b->iv[d].lo - 1;
			err = rbuf_push(res, &piece);
			if (err)
				return err;
			rest.iv[d].lo = b->iv[d].lo;
		}
		if (rest.iv[d].hi > b->iv[d].hi) {
			piece = rest;
			piece.iv[d].lo = b->iv[d].hi + 1;
			err = rbuf_push(res, &piece);
			if (err)
				return err;
			rest.iv[d].hi = b->iv[d].hi;
		}
	}
	return 0;
}

/* res = src[0..n) \ (sub[0..m)); res starts empty. */
static int subtract_boxes(const struct region_box *src, size_t n,
			  const struct region_box *sub, size_t m,
			  struct rbuf *res)
{
	struct rbuf a = { 0 }, b = { 0 }, t;
	size_t i, j;
	int err = 0;

	for (j = 0; j < m && n; j++) {
		for (i = 0; i < n && !box_overlap(&src[i], &sub[j]); i++)
			;
		if (i == n)
			continue;
		b.n = 0;
		err = rbuf_reserve(&b, n);
		if (err)
			goto out;
		for (i = 0; i < n; i++) {
			if (!box_overlap(&src[i], &sub[j]))
				err = rbuf_push(&b, &src[i]);
			else
				err = box_subtract(&src[i], &sub[j], &b);
			if (err)
				goto out;
		}
		t = a;
		a = b;
		b = t;
		src = a.b;
		n = a.n;
	}
	if (src != a.b || !a.b) {
		/* nothing was cut: the result is a copy of src */
		err = rbuf_reserve(&a, n);
		if (err)
			goto out;
		if (n)
			memcpy(a.b, src, n * sizeof(*src));
		a.n = n;
	}
	*res = a;
	a.b = NULL;
out:
	free(a.b);
	free(b.b);
	return err;
}

struct region *region_new_empty(void)
{
	return calloc(1, sizeof(struct region));
}

struct region *region_new_full(uint8_t family)
{
	struct region *r;
	int d;

	if (!family_bits(family))
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->box = malloc(sizeof(*r->box));
	if (!r->box) {
		free(r);
		return NULL;
	}
	r->family = family;
	r->n = r->cap = 1;
	for (d = 0; d < REGION_NDIMS; d++) {
		r->box[0].iv[d].lo = 0;
		r->box[0].iv[d].hi = dim_max(family, d);
	}
	return r;
}

struct region *region_copy(const struct region *r)
{
	struct region *c;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->family = r->family;
	if (r->n) {
		c->box = malloc(r->n * sizeof(*c->box));
		if (!c->box) {
			free(c);
			return NULL;
		}
		memcpy(c->box, r->box, r->n * sizeof(*c->box));
		c->n = c->cap = r->n;
	}
	return c;
}

void region_free(struct region *r)
{
	if (!r)
		return;
	free(r->box);
	free(r);
}

uint8_t region_family(const struct region *r)
{
	return r->family;
}

bool region_is_empty(const struct region *r)
{
	return r->n == 0;
}

size_t region_count_boxes(const struct region *r)
{
	return r->n;
}

const struct region_box *region_boxes(const struct region *r, size_t *n)
{
	*n = r->n;
	return r->box;
}

bool region_contains_point(const struct region *r,
			   const rs_u128 pt[REGION_NDIMS])
{
	size_t i;
	int d;

	for (i = 0; i < r->n; i++) {
		for (d = 0; d < REGION_NDIMS; d++)
			if (pt[d] < r->box[i].iv[d].lo ||
			    pt[d] > r->box[i].iv[d].hi)
				break;
		if (d == REGION_NDIMS)
			return true;
	}
	return false;
}

/*
 * Replace, in r, the boxes for which hit() holds by the boxes of extra
 * (hit NULL: those whose byte of the array arg is set, by box number).
 * The room is reserved before r is touched, so this fails (-E2BIG, -ENOMEM)
 * with r unchanged or succeeds.  nhit is how many boxes hit() selects.
 */
static int region_replace(struct region *r, size_t nhit,
			  bool (*hit)(const struct region_box *, const void *),
			  const void *arg, const struct rbuf *extra)
{
	struct region_box *nb;
	size_t want = r->n - nhit + extra->n, i, k;

	if (want > region_limit)
		return -E2BIG;
	if (want > r->cap) {
		size_t cap = r->cap ? r->cap : 4;

		while (cap < want)
			cap *= 2;
		if (cap > region_limit)
			cap = region_limit;
		nb = realloc(r->box, cap * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		r->box = nb;
		r->cap = cap;
	}
	if (nhit) {
		for (i = k = 0; i < r->n; i++)
			if (hit ? !hit(&r->box[i], arg) :
				  !((const uint8_t *)arg)[i])
				r->box[k++] = r->box[i];
		r->n = k;
	}
	if (extra->n)
		memcpy(r->box + r->n, extra->b, extra->n * sizeof(*nb));
	r->n += extra->n;
	return 0;
}

static bool hit_box(const struct region_box *b, const void *arg)
{
	return box_overlap(b, arg);
}

/* Replace the boxes of r overlapping b by their pieces outside b, plus b
 * itself when add. */
static int region_cut_box(struct region *r, const struct region_box *b,
			  bool add)
{
	struct rbuf extra = { 0 };
	size_t i, nhit = 0;
	int err = 0;

	for (i = 0; i < r->n; i++) {
		if (!box_overlap(&r->box[i], b))
			continue;
		nhit++;
		err = box_subtract(&r->box[i], b, &extra);
		if (err)
			goto out;
	}
	if (add) {
		err = rbuf_push(&extra, b);
		if (err)
			goto out;
	}
	err = region_replace(r, nhit, hit_box, b, &extra);
out:
	free(extra.b);
	return err;
}

int region_add_box(struct region *r, const struct region_box *b)
{
	struct region_box c = *b;
	int d;

	if (!box_valid(b))
		return -EINVAL;
	for (d = 0; d < REGION_NDIMS; d++) {
		if (c.iv[d].lo > dim_max(r->family, d))
			return 0;
		if (c.iv[d].hi > dim_max(r->family, d))
			c.iv[d].hi = dim_max(r->family, d);
	}
	return region_cut_box(r, &c, true);
}

int region_subtract_box(struct region *r, const struct region_box *b)
{
	if (!box_valid(b))
		return -EINVAL;
	return region_cut_box(r, b, false);
}

int region_intersect_box(struct region *r, const struct region_box *b)
{
	size_t i, k;

	if (!box_valid(b))
		return -EINVAL;
	for (i = k = 0; i < r->n; i++)
		if (box_overlap(&r->box[i], b))
			box_intersect(&r->box[i], b, &r->box[k++]);
	r->n = k;
	return 0;
}

int region_intersect(struct region *r, const struct region *o)
{
	struct rbuf rb = { 0 };
	uint8_t family;
	size_t i, j;
	int err;

	err = family_join(r->family, o->family, &family);
	if (err)
		return err;
	for (i = 0; i < r->n; i++) {
		for (j = 0; j < o->n; j++) {
			struct region_box b;

			if (!box_overlap(&r->box[i], &o->box[j]))
				continue;
			box_intersect(&r->box[i], &o->box[j], &b);
			err = rbuf_push(&rb, &b);
			if (err)
				goto out;
		}
	}
	region_take(r, &rb);
	region_adopt(r, family);
out:
	free(rb.b);
	return err;
}

/*
 * An index of a region's boxes along one dimension, for cutting a large
 * region by another (a blocklist's 20,000 sources cut by a set of as
 * many: every box of one against every box of the other took seconds).
 * The boxes sorted by their low end in dimension d, with the running
 * maximum of their high ends: the boxes that can overlap [lo, hi] there
 * lie between the first whose running maximum reaches lo and the last
 * that starts at or before hi.
 */
struct box_index {
	int d;
	size_t n;
	size_t *ord;		/* box numbers, by iv[d].lo */
	rs_u128 *lo, *maxhi;	/* of ord[k]; max of hi over ord[0..k] */
};

/* Below this many boxes a scan is as quick. */
#define BOX_INDEX_MIN	32

struct index_sort {
	const struct region *o;
	int d;
};

static int cmp_box_lo(const void *x, const void *y, void *arg)
{
	const struct index_sort *k = arg;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	rs_u128 l = k->o->box[i].iv[k->d].lo, m = k->o->box[j].iv[k->d].lo;

	if (l != m)
		return l < m ? -1 : 1;
	return i < j ? -1 : i > j;
}

static void box_index_free(struct box_index *x)
{
	free(x->ord);
	free(x->lo);
	free(x->maxhi);
}

/* Index o along the dimension in which its boxes differ most from its
 * first one (a set of sources: the source address).  -ENOMEM. */
static int box_index_build(const struct region *o, struct box_index *x)
{
	size_t i, best = 0, cnt;
	int d;

	memset(x, 0, sizeof(*x));
	x->d = REGION_SADDR;
	for (d = 0; d < REGION_NDIMS; d++) {
		for (i = 1, cnt = 0; i < o->n; i++)
			cnt += o->box[i].iv[d].lo != o->box[0].iv[d].lo ||
			       o->box[i].iv[d].hi != o->box[0].iv[d].hi;
		if (cnt > best) {
			best = cnt;
			x->d = d;
		}
	}
	x->n = o->n;
	x->ord = malloc(o->n * sizeof(*x->ord));
	x->lo = malloc(o->n * sizeof(*x->lo));
	x->maxhi = malloc(o->n * sizeof(*x->maxhi));
	if (!x->ord || !x->lo || !x->maxhi) {
		box_index_free(x);
		return -ENOMEM;
	}
	for (i = 0; i < o->n; i++)
		x->ord[i] = i;
	qsort_r(x->ord, o->n, sizeof(*x->ord), cmp_box_lo,
		&(struct index_sort){ o, x->d });
	for (i = 0; i < o->n; i++) {
		const struct rs_interval *iv = &o->box[x->ord[i]].iv[x->d];

		x->lo[i] = iv->lo;
		x->maxhi[i] = i && x->maxhi[i - 1] > iv->hi ? x->maxhi[i - 1] :
							       iv->hi;
	}
	return 0;
}

static int cmp_size(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return a < b ? -1 : a > b;
}

/* The boxes of o (indexed by x) that overlap b, in o's order, into *out
 * (room for o->n); their count. */
static size_t box_index_hits(const struct region *o,
			     const struct box_index *x,
			     const struct region_box *b, size_t *out)
{
	const struct rs_interval *q = &b->iv[x->d];
	size_t lo = 0, hi = x->n, from, to, k, n = 0;

	/* from: the first k whose maxhi reaches q->lo (maxhi grows) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->maxhi[mid] < q->lo)
			lo = mid + 1;
		else
			hi = mid;
	}
	from = lo;
	/* to: past the last k that starts at or before q->hi */
	lo = from;
	hi = x->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->lo[mid] <= q->hi)
			lo = mid + 1;
		else
			hi = mid;
	}
	to = lo;
	for (k = from; k < to; k++)
		if (box_overlap(b, &o->box[x->ord[k]]))
			out[n++] = x->ord[k];
	if (n > 1)
		qsort(out, n, sizeof(*out), cmp_size);
	return n;
}

static bool hit_region(const struct region_box *b, const void *arg)
{
	const struct region *o = arg;
	size_t j;

	for (j = 0; j < o->n; j++)
		if (box_overlap(b, &o->box[j]))
			return true;
	return false;
}

/* Replace the boxes of r overlapping o by their pieces outside o, plus the
 * boxes of o when add.  Boxes of r that o does not touch stay in place.
 * A large o is indexed (box_index): each box of r is cut by the boxes of
 * o that overlap it, in o's order, which is what subtract_boxes() does
 * with all of them (the others change nothing), so the result is the
 * same box for box. */
static int region_cut(struct region *r, const struct region *o, bool add)
{
	struct rbuf extra = { 0 }, piece = { 0 }, sub = { 0 };
	struct box_index x = { 0 };
	size_t i, j, nhit = 0, nsub, *hits = NULL;
	uint8_t *mask = NULL, family;
	bool indexed = o->n >= BOX_INDEX_MIN && r->n > 1;
	int err;

	err = family_join(r->family, o->family, &family);
	if (err)
		return err;
	if (indexed) {
		err = box_index_build(o, &x);
		hits = malloc(o->n * sizeof(*hits));
		mask = calloc(r->n, 1);
		if (!err && (!hits || !mask))
			err = -ENOMEM;
		if (!err)
			err = rbuf_reserve(&sub, o->n);
		if (err)
			goto out;
	}
	for (i = 0; i < r->n; i++) {
		if (indexed) {
			nsub = box_index_hits(o, &x, &r->box[i], hits);
			if (!nsub)
				continue;
			mask[i] = 1;
			for (j = 0; j < nsub; j++)
				sub.b[j] = o->box[hits[j]];
			nhit++;
			err = subtract_boxes(&r->box[i], 1, sub.b, nsub,
					     &piece);
		} else {
			if (!hit_region(&r->box[i], o))
				continue;
			nhit++;
			err = subtract_boxes(&r->box[i], 1, o->box, o->n,
					     &piece);
		}
		if (err)
			goto out;
		err = rbuf_reserve(&extra, extra.n + piece.n);
		if (err)
			goto out;
		if (piece.n)
			memcpy(extra.b + extra.n, piece.b,
			       piece.n * sizeof(*piece.b));
		extra.n += piece.n;
		free(piece.b);
		memset(&piece, 0, sizeof(piece));
	}
	if (add && o->n) {
		err = rbuf_reserve(&extra, extra.n + o->n);
		if (err)
			goto out;
		memcpy(extra.b + extra.n, o->box, o->n * sizeof(*o->box));
		extra.n += o->n;
	}
	err = indexed ? region_replace(r, nhit, NULL, mask, &extra) :
			region_replace(r, nhit, hit_region, o, &extra);
	if (!err)
		region_adopt(r, family);
out:
	free(extra.b);
	free(piece.b);
	free(sub.b);
	free(hits);
	free(mask);
	box_index_free(&x);
	return err;
}

int region_subtract(struct region *r, const struct region *o)
{
	return region_cut(r, o, false);
}

int region_union(struct region *r, const struct region *o)
{
	return region_cut(r, o, true);
}

int region_append(struct region *r, const struct region *o)
{
	struct rbuf rb = { r->box, r->n, r->cap };
	uint8_t family;
	size_t i;
	int err;

	err = family_join(r->family, o->family, &family);
	if (err)
		return err;
	err = rbuf_reserve(&rb, r->n + o->n);
	if (err)
		return err;
	for (i = 0; i < o->n; i++)
		rb.b[rb.n++] = o->box[i];
	r->box = rb.b;
	r->n = rb.n;
	r->cap = rb.cap;
	region_adopt(r, family);
	return 0;
}

static int cmp_iv(const void *x, const void *y)
{
	const struct rs_interval *a = x, *b = y;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	return 0;
}

/* Sort and merge iv[0..n) in place (overlapping and adjacent intervals
 * join); returns the new count. */
/* Check set; when it is not ascending and non-adjacent, *copy is a sorted,
 * merged copy to use instead (and free), and *n its length. */
static int set_prepare(const struct rs_interval *set, size_t *n,
		       struct rs_interval **copy)
{
	struct rs_interval *c;
	bool sorted = true;
	size_t i;

	*copy = NULL;
	for (i = 0; i < *n; i++) {
		if (set[i].lo > set[i].hi)
			return -EINVAL;
		if (i && !(set[i - 1].hi < set[i].lo &&
			   set[i - 1].hi + 1 < set[i].lo))
			sorted = false;
	}
	if (sorted)
		return 0;
	c = malloc(*n * sizeof(*c));
	if (!c)
		return -ENOMEM;
	memcpy(c, set, *n * sizeof(*c));
	*n = region_ivs_merge(c, *n);
	*copy = c;
	return 0;
}

/* Index of the first interval of s[0..n) ending at or after v, or n. */
static size_t set_find(const struct rs_interval *s, size_t n, rs_u128 v)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s[mid].hi < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct split_set {
	const struct rs_interval *s;
	size_t n;
	int dim;
};

static bool hit_set(const struct region_box *b, const void *arg)
{
	const struct split_set *ss = arg;
	const struct rs_interval *iv = &b->iv[ss->dim];
	size_t i;

	if (!ss->n || iv->hi < ss->s[0].lo || iv->lo > ss->s[ss->n - 1].hi)
		return false;
	i = set_find(ss->s, ss->n, iv->lo);
	return i < ss->n && ss->s[i].lo <= iv->hi;
}

/* Cut b along the dimension of ss: pieces inside to in, outside to out
 * (either may be NULL).  The set is ascending and non-adjacent. */
static int box_split(const struct region_box *b, const struct split_set *ss,
		     struct rbuf *in, struct rbuf *out)
{
	const struct rs_interval *s = ss->s;
	rs_u128 lo = b->iv[ss->dim].lo, hi = b->iv[ss->dim].hi, cur = lo;
	struct region_box piece = *b;
	struct rs_interval *piv = &piece.iv[ss->dim];
	size_t i;
	int err;

	i = set_find(s, ss->n, lo);
	for (; i < ss->n && s[i].lo <= hi; i++) {
		if (s[i].lo > cur && out) {
			piv->lo = cur;
			piv->hi = s[i].lo - 1;
			err = rbuf_push(out, &piece);
			if (err)
				return err;
		}
		if (in) {
			piv->lo = s[i].lo > cur ? s[i].lo : cur;
			piv->hi = s[i].hi < hi ? s[i].hi : hi;
			err = rbuf_push(in, &piece);
			if (err)
				return err;
		}
		if (s[i].hi >= hi)
			return 0;
		cur = s[i].hi + 1;
	}
	if (!out)
		return 0;
	piv->lo = cur;
	piv->hi = hi;
	return rbuf_push(out, &piece);
}

static struct region *region_from(uint8_t family, struct rbuf *rb)
{
	struct region *r = region_new_empty();

	if (!r)
		return NULL;
	region_take(r, rb);
	r->family = family;
	return r;
}

struct region *region_new_boxes(uint8_t family, const struct region_box *b,
				size_t n)
{
	struct rbuf rb = { 0 };
	struct region *r;

	if (rbuf_reserve(&rb, n) < 0)
		return NULL;
	if (n)
		memcpy(rb.b, b, n * sizeof(*b));
	rb.n = n;
	r = region_from(family, &rb);
	free(rb.b);
	return r;
}

int region_slices(const struct region *r, enum region_dim dim,
		  const struct rs_interval *iv, size_t n, struct region ***out)
{
	const struct region_box *box;
	struct region_box *pc = NULL;
	struct region **sl;
	size_t nbox, i, k, lo, hi, mid, total = 0, *cnt, *at;
	int pass, ret = 0;

	if ((unsigned int)dim >= REGION_NDIMS)
		return -EINVAL;
	box = r->box;
	nbox = r->n;
	sl = calloc(n + 1, sizeof(*sl));
	cnt = calloc(n + 1, sizeof(*cnt));
	at = calloc(n + 1, sizeof(*at));
	if (!sl || !cnt || !at) {
		ret = -ENOMEM;
		goto out;
	}
	/* twice: count the pieces of each slice, then place them */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nbox; i++) {
			const struct rs_interval *d = &box[i].iv[dim];

			lo = 0;
			hi = n;
			while (lo < hi) {
				mid = lo + (hi - lo) / 2;
				if (iv[mid].hi < d->lo)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (k = lo; k < n && iv[k].lo <= d->hi; k++) {
				struct region_box *b;

				if (!pass) {
					cnt[k]++;
					total++;
					continue;
				}
				b = &pc[at[k]++];
				*b = box[i];
				if (iv[k].lo > d->lo)
					b->iv[dim].lo = iv[k].lo;
				if (iv[k].hi < d->hi)
					b->iv[dim].hi = iv[k].hi;
			}
		}
		if (pass)
			break;
		pc = malloc((total + 1) * sizeof(*pc));
		if (!pc) {
			ret = -ENOMEM;
			goto out;
		}
		for (k = 0, total = 0; k < n; k++) {
			at[k] = total;
			total += cnt[k];
		}
	}
	for (k = 0; k < n; k++) {
		sl[k] = region_new_boxes(r->family, pc + at[k] - cnt[k],
					 cnt[k]);
		if (!sl[k]) {
			ret = -ENOMEM;
			break;
		}
	}
out:
	free(pc);
	free(cnt);
	free(at);
	if (ret < 0) {
		for (k = 0; sl && k < n; k++)
			region_free(sl[k]);
		free(sl);
		return ret;
	}
	*out = sl;
	return 0;
}

void region_slices_free(struct region **sl, size_t n)
{
	size_t k;

	for (k = 0; sl && k < n; k++)
		region_free(sl[k]);
	free(sl);
}

int region_split(const struct region *r, enum region_dim dim,
		 const struct rs_interval *set, size_t n,
		 struct region **in, struct region **out)
{
	struct rbuf bin = { 0 }, bout = { 0 };
	struct region *rin = NULL, *rout = NULL;
	struct rs_interval *copy;
	struct split_set ss;
	size_t i;
	int err;

	if ((unsigned int)dim >= REGION_NDIMS)
		return -EINVAL;
	err = set_prepare(set, &n, &copy);
	if (err)
		return err;
	ss.s = copy ? copy : set;
	ss.n = n;
	ss.dim = dim;
	for (i = 0; i < r->n; i++) {
		if (hit_set(&r->box[i], &ss))
			err = box_split(&r->box[i], &ss, in ? &bin : NULL,
					out ? &bout : NULL);
		else if (out)
			err = rbuf_push(&bout, &r->box[i]);
		if (err)
			goto out;
	}
	err = -ENOMEM;
	if (in && !(rin = region_from(r->family, &bin)))
		goto out;
	if (out && !(rout = region_from(r->family, &bout)))
		goto out;
	if (in)
		*in = rin;
	if (out)
		*out = rout;
	rin = rout = NULL;
	err = 0;
out:
	region_free(rin);
	region_free(rout);
	free(bin.b);
	free(bout.b);
	free(copy);
	return err;
}

int region_split_off(struct region *r, enum region_dim dim,
		     const struct rs_interval *set, size_t n,
		     struct region **in)
{
	struct rbuf bin = { 0 }, extra = { 0 };
	struct region *rin = NULL;
	struct rs_interval *copy;
	struct split_set ss;
	size_t i, nhit = 0;
	int err;

	if ((unsigned int)dim >= REGION_NDIMS)
		return -EINVAL;
	err = set_prepare(set, &n, &copy);
	if (err)
		return err;
	ss.s = copy ? copy : set;
	ss.n = n;
	ss.dim = dim;
	for (i = 0; i < r->n; i++) {
		if (!hit_set(&r->box[i], &ss))
			continue;
		nhit++;
		err = box_split(&r->box[i], &ss, &bin, &extra);
		if (err)
			goto out;
	}
	err = -ENOMEM;
	rin = region_from(r->family, &bin);
	if (!rin)
		goto out;
	err = region_replace(r, nhit, hit_set, &ss, &extra);
	if (err)
		goto out;
	*in = rin;
	rin = NULL;
out:
	region_free(rin);
	free(bin.b);
	free(extra.b);
	free(copy);
	return err;
}

struct product {
	struct split_set ss[REGION_NDIMS];
	int n;
};

static bool hit_product(const struct region_box *b, const void *arg)
{
	const struct product *p = arg;
	int k;

	for (k = 0; k < p->n; k++)
		if (!hit_set(b, &p->ss[k]))
			return false;
	return true;
}

int region_split_off_product(struct region *r,
			     const struct rs_interval *const set[REGION_NDIMS],
			     const size_t nset[REGION_NDIMS],
			     struct region **in)
{
	struct rbuf bin = { 0 }, extra = { 0 }, cur = { 0 }, next = { 0 }, t;
	struct rs_interval *copy[REGION_NDIMS] = { NULL };
	struct region *rin = NULL;
	struct product p;
	size_t i, j, nhit = 0;
	int d, k, err = 0;

	/* cut in dim_order, so that what is left of a long chain of rules
	 * stays in few boxes */
	p.n = 0;
	for (k = 0; k < REGION_NDIMS; k++) {
		size_t m;

		d = dim_order[k];
		m = nset[d];
		if (!set[d])
			continue;
		err = set_prepare(set[d], &m, &copy[d]);
		if (err)
			goto out;
		p.ss[p.n].s = copy[d] ? copy[d] : set[d];
		p.ss[p.n].n = m;
		p.ss[p.n++].dim = d;
	}
	for (i = 0; i < r->n; i++) {
		if (!hit_product(&r->box[i], &p))
			continue;
		nhit++;
		cur.n = 0;
		err = rbuf_push(&cur, &r->box[i]);
		if (err)
			goto out;
		/* what a dimension rejects is outside, whatever the others say */
		for (k = 0; k < p.n; k++) {
			next.n = 0;
			for (j = 0; j < cur.n && !err; j++)
				err = box_split(&cur.b[j], &p.ss[k], &next,
						&extra);
			if (err)
				goto out;
			t = cur;
			cur = next;
			next = t;
		}
		err = rbuf_reserve(&bin, bin.n + cur.n);
		if (err)
			goto out;
		memcpy(bin.b + bin.n, cur.b, cur.n * sizeof(*cur.b));
		bin.n += cur.n;
	}
	err = -ENOMEM;
	rin = region_from(r->family, &bin);
	if (!rin)
		goto out;
	err = region_replace(r, nhit, hit_product, &p, &extra);
	if (err)
		goto out;
	*in = rin;
	rin = NULL;
out:
	region_free(rin);
	free(bin.b);
	free(extra.b);
	free(cur.b);
	free(next.b);
	for (d = 0; d < REGION_NDIMS; d++)
		free(copy[d]);
	return err;
}

/*
 * Exact volume of a region: up to 2^20 boxes of at most 2^(4 * 128 + 32)
 * points each fit in 768 bits.  Equality is decided on volumes so that it
 * needs no allocation: a = b iff |a| = |b| = |a n b|.
 */
#define VOL_LIMBS	12

struct vol {
	uint64_t w[VOL_LIMBS];
};

/* acc += x * m * 2^(64 * shift) */
static void vol_muladd(struct vol *acc, const struct vol *x, uint64_t m,
		       int shift)
{
	rs_u128 carry = 0, t;
	int i;

	for (i = 0; i + shift < VOL_LIMBS; i++) {
		t = (rs_u128)x->w[i] * m + acc->w[i + shift] + carry;
		acc->w[i + shift] = (uint64_t)t;
		carry = t >> 64;
	}
}

static void vol_add_box(struct vol *v, const struct region_box *b)
{
	struct vol x = { { 1 } }, y;
	rs_u128 span;
	int d;

	for (d = 0; d < REGION_NDIMS; d++) {
		/* x * (span + 1): span + 1 may be 2^128 */
		span = b->iv[d].hi - b->iv[d].lo;
		y = x;
		vol_muladd(&y, &x, (uint64_t)span, 0);
		vol_muladd(&y, &x, (uint64_t)(span >> 64), 1);
		x = y;
	}
	vol_muladd(v, &x, 1, 0);
}

static void region_vol(const struct region *r, struct vol *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < r->n; i++)
		vol_add_box(v, &r->box[i]);
}

bool region_equal(const struct region *a, const struct region *b)
{
	struct vol va, vb, vi;
	struct region_box x;
	size_t i, j;

	if (a->n == b->n &&
	    (!a->n || !memcmp(a->box, b->box, a->n * sizeof(*a->box))))
		return true;
	region_vol(a, &va);
	region_vol(b, &vb);
	if (memcmp(&va, &vb, sizeof(va)))
		return false;
	if (a->family && b->family && a->family != b->family)
		return false;	/* both non-empty, as their volumes are */
	memset(&vi, 0, sizeof(vi));
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n; j++) {
			if (!box_overlap(&a->box[i], &b->box[j]))
				continue;
			box_intersect(&a->box[i], &b->box[j], &x);
			vol_add_box(&vi, &x);
		}
	}
	return !memcmp(&va, &vi, sizeof(va));
}

/*
 * Canonical decomposition of a union of boxes (which may overlap) along the
 * dimensions order[0..nd): maximal ranges of order[0] over which the
 * cross-section is the same, each cross-section decomposed the same way
 * along order[1..nd), down to merged intervals.  It depends only on the set,
 * so equal sets give identical lists, sorted by order[0], order[1], ...
 * Dimensions not in order are 0 in the result.
 */
struct canon {
	size_t budget;		/* boxes visited before giving up; SIZE_MAX: no limit */
	size_t max;		/* boxes in any one result */
};

static bool canon_charge(struct canon *c, size_t units)
{
	if (c->budget == SIZE_MAX)
		return false;
	if (units > c->budget)
		return true;
	c->budget -= units;
	return false;
}

static int canon_push(struct rbuf *rb, const struct region_box *b,
		      const struct canon *c)
{
	if (rb->n >= c->max)
		return -ERANGE;
	return rbuf_push(rb, b);
}

static int canon_leaf(const struct region_box *in, size_t n, int d,
		      struct rbuf *res, struct canon *c)
{
	struct region_box box;
	struct rs_interval *iv;
	size_t i, k;
	int err = 0;

	if (canon_charge(c, n))
		return -ERANGE;
	iv = malloc(n * sizeof(*iv));
	if (!iv)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		iv[i] = in[i].iv[d];
	k = region_ivs_merge(iv, n);
	memset(&box, 0, sizeof(box));
	for (i = 0; i < k && !err; i++) {
		box.iv[d] = iv[i];
		err = canon_push(res, &box, c);
	}
	free(iv);
	return err;
}

struct idx_ctx {
	const struct region_box *b;
	int d;
};

static int cmp_idx_lo(const void *x, const void *y, void *arg)
{
	const struct idx_ctx *ctx = arg;
	rs_u128 a = ctx->b[*(const size_t *)x].iv[ctx->d].lo;
	rs_u128 b = ctx->b[*(const size_t *)y].iv[ctx->d].lo;

	return a < b ? -1 : a > b;
}

static int cmp_u128(const void *x, const void *y)
{
	rs_u128 a = *(const rs_u128 *)x, b = *(const rs_u128 *)y;

	return a < b ? -1 : a > b;
}

static int canon_flush(struct rbuf *res, struct rbuf *slab, int d,
		       rs_u128 lo, rs_u128 hi, const struct canon *c)
{
	struct region_box b;
	size_t i;
	int err;

	for (i = 0; i < slab->n; i++) {
		b = slab->b[i];
		b.iv[d].lo = lo;
		b.iv[d].hi = hi;
		err = canon_push(res, &b, c);
		if (err)
			return err;
	}
	slab->n = 0;
	return 0;
}

static int canon_build(const struct region_box *in, size_t n, const int *order,
		       int nd, struct rbuf *res, struct canon *c)
{
	struct rbuf prev = { 0 }, cur = { 0 }, t;
	struct idx_ctx ctx = { in, order[0] };
	size_t *idx, *act, nbp = 0, nact = 0, next = 0, i, j, k;
	int d = order[0], err = 0;
	struct region_box *sub;
	rs_u128 *bp, plo = 0, phi = 0;
	bool have = false;
	void *block;

	if (nd == 1)
		return canon_leaf(in, n, d, res, c);
	block = malloc(n * (sizeof(*sub) + 2 * sizeof(*bp) +
			    2 * sizeof(*idx)));
	if (!block)
		return -ENOMEM;
	sub = block;
	bp = (rs_u128 *)(sub + n);
	idx = (size_t *)(bp + 2 * n);
	act = idx + n;
	for (i = 0; i < n; i++) {
		idx[i] = i;
		bp[nbp++] = in[i].iv[d].lo;
		if (in[i].iv[d].hi != U128_MAX)
			bp[nbp++] = in[i].iv[d].hi + 1;
	}
	qsort_r(idx, n, sizeof(*idx), cmp_idx_lo, &ctx);
	qsort(bp, nbp, sizeof(*bp), cmp_u128);
	for (i = 1, k = 0; i < nbp; i++)
		if (bp[i] != bp[k])
			bp[++k] = bp[i];
	nbp = k + 1;

	for (i = 0; i < nbp; i++) {
		rs_u128 s = bp[i], e = i + 1 < nbp ? bp[i + 1] - 1 : U128_MAX;

		for (j = k = 0; j < nact; j++)
			if (in[act[j]].iv[d].hi >= s)
				act[k++] = act[j];
		nact = k;
		while (next < n && in[idx[next]].iv[d].lo <= s)
			act[nact++] = idx[next++];
		if (!nact) {
			err = canon_flush(res, &prev, d, plo, phi, c);
			if (err)
				goto out;
			have = false;
			continue;
		}
		err = -ERANGE;
		if (canon_charge(c, nact))
			goto out;
		for (j = 0; j < nact; j++)
			sub[j] = in[act[j]];
		cur.n = 0;
		err = canon_build(sub, nact, order + 1, nd - 1, &cur, c);
		if (err)
			goto out;
		/* an empty slab in between would have flushed prev */
		if (have && prev.n == cur.n &&
		    !memcmp(prev.b, cur.b, cur.n * sizeof(*cur.b))) {
			phi = e;
			continue;
		}
		err = canon_flush(res, &prev, d, plo, phi, c);
		if (err)
			goto out;
		t = prev;
		prev = cur;
		cur = t;
		plo = s;
		phi = e;
		have = true;
	}
	err = canon_flush(res, &prev, d, plo, phi, c);
out:
	free(prev.b);
	free(cur.b);
	free(block);
	return err;
}

struct cmp_key {
	int d[REGION_NDIMS];
};

static int cmp_box_key(const void *x, const void *y, void *arg)
{
	const struct region_box *a = x, *b = y;
	const struct cmp_key *key = arg;
	int i, r;

	for (i = 0; i < REGION_NDIMS; i++) {
		r = cmp_iv(&a->iv[key->d[i]], &b->iv[key->d[i]]);
		if (r)
			return r;
	}
	return 0;
}

static bool same_but(const struct region_box *a, const struct region_box *b,
		     int d)
{
	int o;

	for (o = 0; o < REGION_NDIMS; o++)
		if (o != d && cmp_iv(&a->iv[o], &b->iv[o]))
			return false;
	return true;
}

/* Merge boxes equal in all other dimensions and adjacent in d.  The boxes
 * are disjoint, so boxes equal elsewhere never overlap in d. */
static bool coalesce_dim(struct region_box *b, size_t *np, int d)
{
	struct cmp_key key;
	size_t n = *np, i, k;
	int o, j = 0;

	for (o = 0; o < REGION_NDIMS; o++)
		if (o != d)
			key.d[j++] = o;
	key.d[j] = d;
	qsort_r(b, n, sizeof(*b), cmp_box_key, &key);
	for (i = 1, k = 0; i < n; i++) {
		if (same_but(&b[k], &b[i], d) &&
		    b[k].iv[d].hi < b[i].iv[d].lo &&
		    b[k].iv[d].hi + 1 == b[i].iv[d].lo) {
			b[k].iv[d].hi = b[i].iv[d].hi;
			continue;
		}
		b[++k] = b[i];
	}
	*np = k + 1;
	return *np != n;
}

int region_normalize(struct region *r)
{
	struct canon c;
	struct rbuf rb = { 0 };
	struct cmp_key key;
	int d = 0, idle = 0, err, i;

	if (r->n < 2)
		return 0;
	while (idle < REGION_NDIMS && r->n > 1) {
		idle = coalesce_dim(r->box, &r->n, d) ? 1 : idle + 1;
		d = (d + 1) % REGION_NDIMS;
	}
	/* a few visits per box keeps this O(boxes) for product-like regions;
	 * beyond that the coalesced list is good enough */
	c.budget = 16 * r->n + 4096;
	c.max = r->n;
	err = canon_build(r->box, r->n, dim_order, REGION_NDIMS, &rb, &c);
	if (!err) {
		region_take(r, &rb);
		return 0;
	}
	free(rb.b);
	if (err != -ERANGE && err != -E2BIG)
		return err;
	for (i = 0; i < REGION_NDIMS; i++)
		key.d[i] = dim_order[i];
	qsort_r(r->box, r->n, sizeof(*r->box), cmp_box_key, &key);
	return 0;
}

/* Canonical form of r along dim first, then the others in dim_order, down
 * to nd dimensions. */
static int region_canon(const struct region *r, int dim, int nd,
			struct rbuf *res)
{
	struct canon c = { SIZE_MAX, region_limit };
	int order[REGION_NDIMS], i, k = 1;

	order[0] = dim;
	for (i = 0; i < REGION_NDIMS; i++)
		if (dim_order[i] != dim)
			order[k++] = dim_order[i];
	if (!r->n)
		return 0;
	return canon_build(r->box, r->n, order, nd, res, &c);
}

/* Distinct consecutive values of iv[dim] in rb, into a new array. */
static int collect_ranges(const struct rbuf *rb, int dim,
			  struct rs_interval **out, size_t *n)
{
	struct rs_interval *iv = NULL;
	size_t i, k = 0;

	if (rb->n) {
		iv = malloc(rb->n * sizeof(*iv));
		if (!iv)
			return -ENOMEM;
	}
	for (i = 0; i < rb->n; i++)
		if (!k || cmp_iv(&iv[k - 1], &rb->b[i].iv[dim]))
			iv[k++] = rb->b[i].iv[dim];
	*out = iv;
	*n = k;
	return 0;
}

int region_project(const struct region *r, enum region_dim dim,
		   struct rs_interval **out, size_t *n)
{
	struct rbuf rb = { 0 };
	int err;

	if ((unsigned int)dim >= REGION_NDIMS)
		return -EINVAL;
	err = region_canon(r, dim, 1, &rb);
	if (!err)
		err = collect_ranges(&rb, dim, out, n);
	free(rb.b);
	return err == -ERANGE ? -E2BIG : err;
}

int region_partition(const struct region *r, enum region_dim dim,
		     struct rs_interval **out, size_t *n)
{
	struct rbuf rb = { 0 };
	int err;

	if ((unsigned int)dim >= REGION_NDIMS)
		return -EINVAL;
	err = region_canon(r, dim, REGION_NDIMS, &rb);
	if (!err)
		err = collect_ranges(&rb, dim, out, n);
	free(rb.b);
	return err == -ERANGE ? -E2BIG : err;
}

/* An address slab of the (address, source port) canonical form: boxes
 * first..first+n of it share one address range. */
struct slab {
	size_t first, n;
};

static int cmp_slab(const void *x, const void *y, void *arg)
{
	const struct slab *a = x, *b = y;
	const struct region_box *box = arg;
	size_t i;
	int r;

	for (i = 0; i < a->n && i < b->n; i++) {
		r = cmp_iv(&box[a->first + i].iv[REGION_SPORT],
			   &box[b->first + i].iv[REGION_SPORT]);
		if (r)
			return r;
	}
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	return cmp_iv(&box[a->first].iv[REGION_SADDR],
		      &box[b->first].iv[REGION_SADDR]);
}

static bool slab_same_sports(const struct region_box *box,
			     const struct slab *a, const struct slab *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (cmp_iv(&box[a->first + i].iv[REGION_SPORT],
			   &box[b->first + i].iv[REGION_SPORT]))
			return false;
	return true;
}

static int cmp_group_first(const void *x, const void *y)
{
	const struct region_sources *a = x, *b = y;

	return cmp_iv(&a->addrs[0], &b->addrs[0]);
}

int region_sources(const struct region *r, struct region_sources **out,
		   size_t *n)
{
	struct region_sources *g = NULL;
	struct slab *slabs = NULL;
	struct rbuf rb = { 0 };
	struct rs_interval *iv;
	size_t nslabs = 0, ng = 0, niv = 0, i, j, head;
	static const int order[] = { REGION_SADDR, REGION_SPORT };
	struct canon c = { SIZE_MAX, region_limit };
	size_t gbytes;
	int err;

	if (r->n) {
		err = canon_build(r->box, r->n, order, 2, &rb, &c);
		if (err)
			goto out;
	}
	err = -ENOMEM;
	slabs = malloc((rb.n ? rb.n : 1) * sizeof(*slabs));
	if (!slabs)
		goto out;
	for (i = 0; i < rb.n; i++) {
		if (!nslabs || cmp_iv(&rb.b[i].iv[REGION_SADDR],
				      &rb.b[slabs[nslabs - 1].first].iv[REGION_SADDR])) {
			slabs[nslabs].first = i;
			slabs[nslabs++].n = 0;
		}
		slabs[nslabs - 1].n++;
	}
	/* slabs with the same source ports side by side, by address */
	qsort_r(slabs, nslabs, sizeof(*slabs), cmp_slab, rb.b);
	for (i = 0; i < nslabs; i++) {
		if (!i || !slab_same_sports(rb.b, &slabs[i - 1], &slabs[i])) {
			ng++;
			niv += slabs[i].n;
		}
		niv++;
	}
	gbytes = (ng * sizeof(*g) + 15) & ~(size_t)15;
	if (ng) {
		g = malloc(gbytes + niv * sizeof(*iv));
		if (!g)
			goto out;
	}
	iv = g ? (struct rs_interval *)((char *)g + gbytes) : NULL;
	for (i = 0, j = 0; i < nslabs; i = head) {
		struct region_sources *grp = &g[j++];
		size_t k;

		grp->nsports = slabs[i].n;
		grp->sports = iv;
		for (k = 0; k < slabs[i].n; k++)
			*iv++ = rb.b[slabs[i].first + k].iv[REGION_SPORT];
		grp->all_sports = grp->nsports == 1 && grp->sports[0].lo == 0 &&
				  grp->sports[0].hi == PORT_MAX;
		grp->addrs = iv;
		for (head = i; head < nslabs &&
		     slab_same_sports(rb.b, &slabs[i], &slabs[head]); head++)
			*iv++ = rb.b[slabs[head].first].iv[REGION_SADDR];
		grp->naddrs = head - i;
	}
	if (ng)
		qsort(g, ng, sizeof(*g), cmp_group_first);
	*out = g;
	*n = ng;
	g = NULL;
	err = 0;
out:
	free(g);
	free(slabs);
	free(rb.b);
	return err == -ERANGE ? -E2BIG : err;
}

/* One (outer interval, inner interval) pair of a canonical form, for
 * sorting by outer interval, then inner. */
static int cmp_pair(const void *x, const void *y, void *arg)
{
	const struct region_box *a = x, *b = y;
	const int *dims = arg;
	int r = cmp_iv(&a->iv[dims[0]], &b->iv[dims[0]]);

	return r ? r : cmp_iv(&a->iv[dims[1]], &b->iv[dims[1]]);
}

/* How many groups the list rb, sorted by outer then inner, makes, and how
 * many inner intervals they hold once merged. */
static void count_groups(const struct rbuf *rb, int outer, int inner,
			 size_t *ng, size_t *niv)
{
	const struct region_box *b = rb->b;
	size_t i;

	*ng = *niv = 0;
	for (i = 0; i < rb->n; i++) {
		if (!i || cmp_iv(&b[i - 1].iv[outer], &b[i].iv[outer])) {
			++*ng;
			++*niv;
		} else if (b[i].iv[inner].lo != b[i - 1].iv[inner].hi + 1) {
			++*niv;
		}
	}
}

/* untile() looks at no more groups than this: it is quadratic in them. */
#define UNTILE_MAX	64

/* The distinct outer intervals of pairs (sorted by outer), into d (room
 * for UNTILE_MAX); their number, or UNTILE_MAX + 1 when there are more. */
static size_t outer_list(const struct rbuf *pairs, int outer,
			 struct rs_interval *d)
{
	size_t i, k = 0;

	for (i = 0; i < pairs->n; i++) {
		if (k && !cmp_iv(&d[k - 1], &pairs->b[i].iv[outer]))
			continue;
		if (k == UNTILE_MAX)
			return UNTILE_MAX + 1;
		d[k++] = pairs->b[i].iv[outer];
	}
	return k;
}

/* Tile j exactly with others of d[0..k) inside it: the tiles' indexes in
 * t, their number, or 0 when they do not tile it.  Longest tiles first. */
static size_t tile(const struct rs_interval *d, size_t k, size_t j,
		   size_t *t)
{
	size_t nextof[UNTILE_MAX], i, m, best = k;
	bool ok[UNTILE_MAX];

	/* d is sorted by lo then hi: from the right, which tiles reach
	 * the end of d[j] through others */
	for (i = k; i-- > 0;) {
		ok[i] = false;
		nextof[i] = k;
		if (i == j || d[i].lo < d[j].lo || d[i].hi > d[j].hi)
			continue;
		if (d[i].hi == d[j].hi) {
			ok[i] = true;
			continue;
		}
		for (m = k; m-- > i + 1;) {
			if (ok[m] && d[m].lo == d[i].hi + 1) {
				ok[i] = true;
				nextof[i] = m;
				break;
			}
		}
	}
	for (i = k; i-- > 0;)
		if (ok[i] && d[i].lo == d[j].lo) {
			best = i;
			break;
		}
	for (m = 0, i = best; i < k; i = nextof[i])
		t[m++] = i;
	return m;
}

/* Layout (b) of region_groups() can hold an outer interval that others of
 * it tile exactly (1-100 beside 1-49 and 50-100 for other inner values):
 * its inner ranges go to the tiles, one group less.  Widest first, until
 * none is left; only for up to UNTILE_MAX groups.  pairs stays sorted. */
static int untile(struct rbuf *pairs, int outer, int inner)
{
	struct rs_interval d[UNTILE_MAX];
	size_t t[UNTILE_MAX], k, i, j, nt, n0, w;
	struct region_box b;
	int err;

	for (;;) {
		k = outer_list(pairs, outer, d);
		if (k > UNTILE_MAX)
			return 0;
		/* the widest interval that others tile */
		for (i = 0, nt = 0, w = k; i < k; i++) {
			size_t tt[UNTILE_MAX], n = tile(d, k, i, tt);

			if (n && (w == k || d[i].hi - d[i].lo >
					    d[w].hi - d[w].lo)) {
				w = i;
				nt = n;
				memcpy(t, tt, n * sizeof(*t));
			}
		}
		if (w == k)
			return 0;
		n0 = pairs->n;
		for (i = 0; i < n0; i++) {
			if (cmp_iv(&pairs->b[i].iv[outer], &d[w]))
				continue;
			b = pairs->b[i];
			pairs->b[i].iv[outer] = d[t[0]];
			for (j = 1; j < nt; j++) {
				b.iv[outer] = d[t[j]];
				err = rbuf_push(pairs, &b);
				if (err)
					return err;
			}
		}
		qsort_r(pairs->b, pairs->n, sizeof(*pairs->b), cmp_pair,
			(void *)(const int[2]){ outer, inner });
	}
}

int region_groups(const struct region *r, enum region_dim outer,
		  enum region_dim inner, struct region_group **out,
		  size_t *n)
{
	struct canon c = { SIZE_MAX, region_limit };
	struct rbuf by_outer = { 0 }, by_inner = { 0 }, *pick;
	struct region_group *g = NULL;
	struct rs_interval *iv;
	const int order[2] = { outer, inner }, rorder[2] = { inner, outer };
	size_t ng = 0, niv = 0, ng2 = 0, niv2 = 0, gbytes, i, k;
	int err = -EINVAL;

	if ((unsigned int)outer >= REGION_NDIMS ||
	    (unsigned int)inner >= REGION_NDIMS || outer == inner)
		return -EINVAL;
	if (r->n) {
		err = canon_build(r->box, r->n, order, 2, &by_outer, &c);
		if (!err)
			err = canon_build(r->box, r->n, rorder, 2, &by_inner,
					  &c);
		if (err)
			goto out;
		/* the inner-first form as pairs by outer interval: each
		 * outer interval is maximal for every inner range it has */
		qsort_r(by_inner.b, by_inner.n, sizeof(*by_inner.b), cmp_pair,
			(void *)order);
		err = untile(&by_inner, outer, inner);
		if (err)
			goto out;
	}
	/* fewer groups, then fewer intervals in them (fewer prefixes to
	 * read), then ranges of the outer dimension */
	count_groups(&by_outer, outer, inner, &ng, &niv);
	count_groups(&by_inner, outer, inner, &ng2, &niv2);
	pick = &by_outer;
	if (ng2 < ng || (ng2 == ng && niv2 < niv)) {
		pick = &by_inner;
		ng = ng2;
	}
	err = -ENOMEM;
	gbytes = (ng * sizeof(*g) + 15) & ~(size_t)15;
	if (ng) {
		g = malloc(gbytes + pick->n * sizeof(*iv));
		if (!g)
			goto out;
	}
	iv = g ? (struct rs_interval *)((char *)g + gbytes) : NULL;
	for (i = 0, k = 0; i < pick->n; i++) {
		if (!i || cmp_iv(&pick->b[i - 1].iv[outer],
				 &pick->b[i].iv[outer])) {
			if (k)
				g[k - 1].n = region_ivs_merge(g[k - 1].inner,
						      g[k - 1].n);
			g[k].outer = pick->b[i].iv[outer];
			g[k].inner = iv;
			g[k++].n = 0;
		}
		g[k - 1].inner[g[k - 1].n++] = pick->b[i].iv[inner];
		iv++;
	}
	if (k)
		g[k - 1].n = region_ivs_merge(g[k - 1].inner, g[k - 1].n);
	*out = g;
	*n = ng;
	g = NULL;
	err = 0;
out:
	free(g);
	free(by_outer.b);
	free(by_inner.b);
	return err == -ERANGE ? -E2BIG : err;
}

static int ctz128(rs_u128 v)
{
	if ((uint64_t)v)
		return __builtin_ctzll((uint64_t)v);
	return 64 + __builtin_ctzll((uint64_t)(v >> 64));
}

static inline rs_u128 low_mask(int k)
{
	return k >= 128 ? U128_MAX : ((rs_u128)1 << k) - 1;
}

int region_interval_prefixes(uint8_t family, rs_u128 lo, rs_u128 hi,
			     struct region_prefix *out)
{
	int bits = family_bits(family), n = 0, k;
	rs_u128 end;

	if (!bits || lo > hi || hi > addr_max(family))
		return -EINVAL;
	for (;;) {
		/* the largest aligned block starting at lo inside [lo, hi] */
		k = lo ? ctz128(lo) : bits;
		if (k > bits)
			k = bits;
		while (low_mask(k) > hi - lo)
			k--;
		out[n].addr = lo;
		out[n++].len = bits - k;
		end = lo + low_mask(k);
		if (end == hi)
			return n;
		lo = end + 1;
	}
}

int region_prefixes(uint8_t family, const struct rs_interval *iv, size_t n,
		    struct region_prefix **out, size_t *nout)
{
	struct region_prefix tmp[REGION_INTERVAL_PREFIXES_MAX], *p = NULL;
	struct rs_interval *m = NULL;
	size_t i, total = 0;
	int k, err = -EINVAL;

	if (!family_bits(family))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (iv[i].lo > iv[i].hi || iv[i].hi > addr_max(family))
			return -EINVAL;
	if (n) {
		m = malloc(n * sizeof(*m));
		if (!m)
			return -ENOMEM;
		memcpy(m, iv, n * sizeof(*m));
		n = region_ivs_merge(m, n);
	}
	for (i = 0; i < n; i++) {
		k = region_interval_prefixes(family, m[i].lo, m[i].hi, tmp);
		if (k < 0)
			goto out;
		total += k;
	}
	if (total) {
		err = -ENOMEM;
		p = malloc(total * sizeof(*p));
		if (!p)
			goto out;
	}
	for (i = 0, total = 0; i < n; i++)
		total += region_interval_prefixes(family, m[i].lo, m[i].hi,
						  p + total);
	*out = p;
	*nout = total;
	err = 0;
out:
	free(m);
	return err;
}

int region_prefix_format(uint8_t family, const struct region_prefix *p,
			 char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	int bits = family_bits(family), ret;

	if (!bits || p->len > bits || p->addr > addr_max(family))
		return -EINVAL;
	ipaddr_str(family == NFPROTO_IPV4 ? AF_INET : AF_INET6, p->addr,
		   addr, sizeof(addr));
	ret = snprintf(buf, size, "%s/%u", addr, p->len);
	if (ret < 0 || (size_t)ret >= size)
		return -ENOSPC;
	return 0;
}

int region_prefix_parse(uint8_t family, const char *s, struct rs_interval *iv)
{
	int af = family == NFPROTO_IPV6 ? AF_INET6 : AF_INET, got;
	unsigned int bits = family_bits(family), len;
	rs_u128 a, span;

	if (!bits || ipaddr_prefix_parse(af, s, &got, &a, &len) < 0)
		return -EINVAL;
	span = len == bits ? 0 : len == 0 ? addr_max(family) :
	       (((rs_u128)1 << (bits - len)) - 1);
	iv->lo = a & ~span;
	iv->hi = iv->lo | span;
	return 0;
}

/* Is [lo, hi] inside one interval of dc (sorted, disjoint, merged)? */
static bool inside(const struct rs_interval *dc, size_t ndc, rs_u128 lo,
		   rs_u128 hi)
{
	size_t a = 0, b = ndc, m;

	while (a < b) {
		m = a + (b - a) / 2;
		if (dc[m].hi < lo)
			a = m + 1;
		else
			b = m;
	}
	return a < ndc && dc[a].lo <= lo && hi <= dc[a].hi;
}

/* The index of the interval of dc holding x, or -1. */
static int dc_at(const struct rs_interval *dc, size_t ndc, rs_u128 x)
{
	size_t a = 0, b = ndc, m;

	while (a < b) {
		m = a + (b - a) / 2;
		if (dc[m].hi < x)
			a = m + 1;
		else
			b = m;
	}
	return a < ndc && dc[a].lo <= x ? (int)a : -1;
}

static int ivs_lo_cmp(const void *a, const void *b)
{
	const struct rs_interval *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

size_t region_ivs_merge(struct rs_interval *iv, size_t n)
{
	size_t i, k = 1;

	/* (iv may be NULL when n is 0: not for qsort()) */
	if (n < 2)
		return n;
	qsort(iv, n, sizeof(*iv), ivs_lo_cmp);
	for (i = 1; i < n; i++) {
		struct rs_interval *t = &iv[k - 1];

		if (iv[i].lo <= t->hi || iv[i].lo == t->hi + 1) {
			if (iv[i].hi > t->hi)
				t->hi = iv[i].hi;
		} else {
			iv[k++] = iv[i];
		}
	}
	return k;
}

int region_fill_gaps(uint8_t family, const struct rs_interval *iv, size_t n,
		     const struct rs_interval *dc, size_t ndc,
		     struct rs_interval **out, size_t *nout)
{
	rs_u128 top = addr_max(family);
	struct rs_interval *o;
	size_t i, k = 0;

	o = malloc((n + 1) * sizeof(*o));
	if (!o)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		rs_u128 lo = iv[i].lo;

		if (i == 0 && lo > 0 && inside(dc, ndc, 0, lo - 1))
			lo = 0;
		if (k && o[k - 1].hi + 1 < lo &&
		    inside(dc, ndc, o[k - 1].hi + 1, lo - 1))
			lo = o[k - 1].hi + 1;
		if (k && o[k - 1].hi + 1 >= lo) {
			if (iv[i].hi > o[k - 1].hi)
				o[k - 1].hi = iv[i].hi;
			continue;
		}
		o[k].lo = lo;
		o[k++].hi = iv[i].hi;
	}
	if (k && o[k - 1].hi < top && inside(dc, ndc, o[k - 1].hi + 1, top))
		o[k - 1].hi = top;
	/* a gap only partly of dc: an interval may still take the part
	 * beside it where that needs fewer prefixes (198.51.100.0-254 and
	 * the broadcast address are 198.51.100.0/24) */
	for (i = 0; i < k; i++) {
		struct region_prefix px[REGION_INTERVAL_PREFIXES_MAX];
		rs_u128 lo = o[i].lo, hi = o[i].hi, blo = lo, bhi = hi;
		int best, c, a, b;

		if (lo > 0 && (a = dc_at(dc, ndc, lo - 1)) >= 0)
			lo = i && o[i - 1].hi + 1 > dc[a].lo ? o[i - 1].hi + 1 :
			     dc[a].lo;
		if (hi < top && (b = dc_at(dc, ndc, hi + 1)) >= 0)
			hi = i + 1 < k && o[i + 1].lo - 1 < dc[b].hi ?
			     o[i + 1].lo - 1 : dc[b].hi;
		best = region_interval_prefixes(family, blo, bhi, px);
		for (c = 1; c < 4; c++) {
			rs_u128 l = c & 1 ? lo : o[i].lo, h = c & 2 ? hi : o[i].hi;
			int np = region_interval_prefixes(family, l, h, px);

			if (np > 0 && np < best) {
				best = np;
				blo = l;
				bhi = h;
			}
		}
		o[i].lo = blo;
		o[i].hi = bhi;
	}
	*out = o;
	*nout = k;
	return 0;
}
