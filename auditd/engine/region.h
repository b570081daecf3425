/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * region.h - sets of probes: the packet-set algebra of the engine.
 *
 * A region is a set of probes of one family: points (source address,
 * source port, destination port, destination address, ingress interface).
 * It is kept as a union of DISJOINT boxes, each box one inclusive interval
 * per dimension, in one flat array.  An address is its numeric value read
 * big-endian: IPv4 in the low 32 bits (bound 2^32-1), IPv6 on all 128 bits;
 * ports are 0..65535; an interface is its name key (rs_ifname_key(), any
 * 128-bit value).
 *
 * Families are NFPROTO_IPV4 and NFPROTO_IPV6 (equal to AF_INET/AF_INET6).
 * region_new_empty() makes a region of no family yet: it takes the family of
 * the first region it is combined with.  Combining two regions of different
 * families fails with -EINVAL.
 *
 * Limit: no region holds more than REGION_MAX_BOXES boxes; an operation
 * whose result would exceed it fails with -E2BIG and leaves its operands
 * unchanged.  A box is 160 bytes, so one region at the limit is 160 MiB: a
 * pathological ruleset gets an error, not the machine.
 *
 * Errors: 0 (or a count) on success, negative errno on failure.  Output
 * parameters are written only on success, and an operation that modifies a
 * region in place leaves it unchanged when it fails, unless said otherwise.
 * region_free() accepts NULL.  The functions never print.
 */
#ifndef FWAUDIT_REGION_H
#define FWAUDIT_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

#define REGION_MAX_BOXES	(1u << 20)

enum region_dim {
	REGION_SADDR,
	REGION_SPORT,
	REGION_DPORT,
	REGION_DADDR,
	REGION_IIF,
	REGION_NDIMS
};

struct region_box {
	struct rs_interval iv[REGION_NDIMS];	/* indexed by enum region_dim */
};

struct region;

/* Every probe of family (NFPROTO_IPV4 or NFPROTO_IPV6): every address,
 * port and interface, one box.  Returns NULL for another family or on
 * ENOMEM. */
struct region *region_new_full(uint8_t family);
/* The empty region, of no family yet.  NULL on ENOMEM. */
struct region *region_new_empty(void);
/* A new region holding the same boxes as r.  NULL on ENOMEM. */
struct region *region_copy(const struct region *r);
/* A new region of family (NFPROTO_IPV4 / NFPROTO_IPV6) holding the boxes
 * b[0..n), which the caller guarantees are valid, disjoint and within the
 * family's domain (pieces of another region's boxes).  NULL on ENOMEM or
 * past REGION_MAX_BOXES. */
struct region *region_new_boxes(uint8_t family, const struct region_box *b,
				size_t n);
void region_free(struct region *r);

/* NFPROTO_IPV4, NFPROTO_IPV6, or 0 for an empty region of no family. */
uint8_t region_family(const struct region *r);
bool region_is_empty(const struct region *r);
size_t region_count_boxes(const struct region *r);
/* The boxes, disjoint, *n of them.  The array belongs to r and is valid
 * until r is next modified. */
const struct region_box *region_boxes(const struct region *r, size_t *n);
/* pt: one value per dimension, indexed by enum region_dim. */
bool region_contains_point(const struct region *r,
			   const rs_u128 pt[REGION_NDIMS]);

/*
 * In-place set operations on r.  A box needs lo <= hi in every dimension
 * (-EINVAL otherwise).  region_add_box() clips the box to the domain of r's
 * family (ports <= 65535, IPv4 addresses < 2^32; a region of no family
 * yet takes addresses as they are), so a box of [0, ~0] everywhere but in
 * one dimension is fine.
 * Cost: O(boxes of r) for the _box forms, O(|r| * |o|) for two regions.
 * Boxes of r that the other operand does not touch stay where they are.
 */
int region_add_box(struct region *r, const struct region_box *b);
int region_intersect_box(struct region *r, const struct region_box *b);
int region_subtract_box(struct region *r, const struct region_box *b);
int region_union(struct region *r, const struct region *o);
/* The union of r and o when the caller knows they are disjoint: o's boxes
 * are appended, O(|o|) instead of O(|r| * |o|).  -E2BIG / -ENOMEM /
 * -EINVAL (families) leave r unchanged. */
int region_append(struct region *r, const struct region *o);
int region_intersect(struct region *r, const struct region *o);
int region_subtract(struct region *r, const struct region *o);

/*
 * What a rule's match does: split r by "value of dimension dim is in the
 * union of set[0..n)" into the part inside (*in) and the part outside
 * (*out), two new regions the caller frees.  Either of in/out may be NULL
 * when that part is not wanted.  set may be in any order and overlap (it is
 * then sorted into a copy); n == 0 is the empty set.  Values beyond the
 * dimension's domain are ignored.  Cost: O(boxes of r * log n) plus the
 * boxes produced, and one sort of set when it is not already ascending and
 * non-adjacent.
 */
int region_split(const struct region *r, enum region_dim dim,
		 const struct rs_interval *set, size_t n,
		 struct region **in, struct region **out);
/* r cut to each of the ascending, disjoint intervals iv[0..n) of dim, in
 * one pass over r: (*out)[k] (a new region) holds the pieces of r's boxes
 * in iv[k], in the order of r's boxes, as region_split() would give them
 * for iv[k] alone.  Cost O(boxes of r * log n) plus the pieces, instead of
 * a pass over r per interval.  Free *out with region_slices_free(). */
int region_slices(const struct region *r, enum region_dim dim,
		  const struct rs_interval *iv, size_t n, struct region ***out);
void region_slices_free(struct region **sl, size_t n);
/* The same, in place: the part outside stays in r and the part inside is
 * returned in *in (a new region).  Boxes of r that the set does not touch
 * are not copied.  Still O(boxes of r) per call: a chain of k rules that
 * each cut a little off costs O(k^2) in all (20,000 such rules: ~2 s), so
 * runs of rules that differ in one set only are better split once by the
 * union of their sets. */
int region_split_off(struct region *r, enum region_dim dim,
		     const struct rs_interval *set, size_t n,
		     struct region **in);
/* A rule with several matches at once, in place: *in gets the part of r
 * whose value in every dimension d with set[d] != NULL is in the union of
 * set[d][0..nset[d]); r keeps the rest.  set[d] == NULL means any value.
 * One pass over r instead of one per match and a union of the leftovers. */
int region_split_off_product(struct region *r,
			     const struct rs_interval *const set[REGION_NDIMS],
			     const size_t nset[REGION_NDIMS],
			     struct region **in);

/* Set equality, whatever the decomposition into boxes (exact volumes of
 * a, b and a n b, in 768-bit arithmetic).  Allocates nothing.
 * Cost O(|a| * |b|) at worst; O(|a|) when the box lists are identical. */
bool region_equal(const struct region *a, const struct region *b);

/*
 * Make the box list small and, where cheap, canonical.  Boxes equal in all
 * dimensions but one and adjacent in that one are merged until none are
 * left; then, if the canonical decomposition of the set (maximal ranges of
 * destination port with the same cross-section, within them maximal ranges
 * of interface with the same cross-section, then destination address,
 * source port, source address) can be computed with O(boxes) work and has
 * no more boxes, it replaces the list.  Equal sets thus get identical box
 * lists whenever their canonical form is the smallest decomposition found.
 * The result is sorted in that order of dimensions.  Never increases the
 * number of boxes.  On -ENOMEM r still holds the same set, possibly partly
 * merged.
 */
int region_normalize(struct region *r);

/*
 * Presentation helpers.  Arrays returned in *out are allocated with one
 * malloc each and freed with free(); on an empty region *out is NULL and *n
 * is 0.  Cost: O(boxes^2) at worst (O(boxes log boxes) for the typical
 * product-shaped regions); -E2BIG past REGION_MAX_BOXES.
 */

/* The projection of r on dim: merged intervals, ascending (adjacent values
 * join).  "Which destination ports are reachable at all". */
int region_project(const struct region *r, enum region_dim dim,
		   struct rs_interval **out, size_t *n);
/* Maximal ranges of dim, ascending, over each of which the cross-section of
 * r in the other dimensions is one and the same non-empty set: with
 * REGION_DPORT, adjacent ports reachable from the same sources join into one
 * range.  Intersect a copy of r with a range to present it. */
int region_partition(const struct region *r, enum region_dim dim,
		     struct rs_interval **out, size_t *n);

/* A group of source addresses that reach r from the same source ports. */
struct region_sources {
	size_t naddrs;
	struct rs_interval *addrs;	/* merged, ascending */
	size_t nsports;
	struct rs_interval *sports;	/* merged, ascending */
	bool all_sports;		/* sports is [0, 65535] */
};
/* Who reaches r, with the destination port, address and interface
 * projected away (call it on a sub-region of one range of each from
 * region_partition()): groups of source addresses with
 * disjoint address sets, each with the source ports it reaches r from;
 * ordered by first address.  A "--sport 53 -j ACCEPT" exposure comes out as
 * one group with sports [53, 53].  One block: free(*out) frees the groups
 * and the intervals they point to. */
int region_sources(const struct region *r, struct region_sources **out,
		   size_t *n);

/* A group of region_groups(): one interval of the outer dimension and the
 * inner values reached at every point of it. */
struct region_group {
	struct rs_interval outer;
	size_t n;
	struct rs_interval *inner;	/* merged, ascending */
};
/* r projected on the dimensions outer x inner (the others projected away)
 * and laid out for people as few groups "outer interval x inner set": no
 * point lies in two groups, together they are exactly the projection, and
 * no two groups have the same outer interval.  Two canonical layouts are
 * made:
 *  (a) the maximal outer ranges over which the inner cross-section is one
 *      and the same (region_partition());
 *  (b) for each maximal inner range with one outer cross-section, the
 *      maximal outer intervals of that cross-section, groups of equal
 *      outer interval joined; then, widest first, an outer interval that
 *      other groups' intervals tile exactly hands its inner ranges to
 *      those (with up to 64 groups; beyond, left as it is).
 * The one with fewer groups is taken, then the one with fewer inner
 * intervals, then (a).  (b) wins where (a) would cut a range that holds
 * for some inner values at the boundaries of a narrower one holding for
 * others: ports 1-100 from A and 50-60 from B are two groups, not 1-49,
 * 50-60 and 61-100.  The result depends only on the set.  Ordered by outer
 * interval.  One block: free(*out) frees the groups and their intervals;
 * an empty r gives *out NULL and *n 0.  -EINVAL when outer or inner is not
 * a dimension or they are the same, -E2BIG / -ENOMEM.  Cost: two canonical
 * forms, O(boxes log boxes) for product-shaped regions, and O(groups^4)
 * at worst for the tiling of (b) (at most 64 groups). */
int region_groups(const struct region *r, enum region_dim outer,
		  enum region_dim inner, struct region_group **out,
		  size_t *n);

/* A CIDR prefix: first address (as above) and length. */
struct region_prefix {
	rs_u128 addr;
	uint8_t len;
};

/* The most prefixes one interval can need: 2 * 128 - 2. */
#define REGION_INTERVAL_PREFIXES_MAX	254
/* Room for "ffff:...:ffff/128" or "255.255.255.255/32" and the NUL. */
#define REGION_PREFIX_STRLEN		(46 + 4)

/* The minimal list of prefixes whose union is exactly [lo, hi], ascending,
 * written to out (room for REGION_INTERVAL_PREFIXES_MAX).  Returns their
 * number (>= 1), or -EINVAL for an unknown family, lo > hi or hi beyond the
 * family's bound.  [10.0.0.0, 10.0.1.255] gives 10.0.0.0/23. */
int region_interval_prefixes(uint8_t family, rs_u128 lo, rs_u128 hi,
			     struct region_prefix *out);
/* The minimal list of prefixes covering exactly the union of iv[0..n) (any
 * order, may overlap or be adjacent), ascending, in a new array *out. */
int region_prefixes(uint8_t family, const struct rs_interval *iv, size_t n,
		    struct region_prefix **out, size_t *nout);
/* Sort iv[0..n) by lower bound and merge the intervals that overlap or
 * touch, in place; returns how many are left. */
size_t region_ivs_merge(struct rs_interval *iv, size_t n);
/* The union of iv[0..n) (sorted, disjoint) with every gap around and
 * between its intervals that lies wholly inside dc[0..ndc) (sorted,
 * disjoint, not adjacent), and with the part of dc beside an interval
 * where that makes the interval fewer prefixes: a simpler set that a
 * reader may take for iv when the addresses of dc never occur (martian
 * sources).  A new array in *out; an empty iv stays empty.  0 or
 * -ENOMEM. */
int region_fill_gaps(uint8_t family, const struct rs_interval *iv, size_t n,
		     const struct rs_interval *dc, size_t ndc,
		     struct rs_interval **out, size_t *nout);
/* Format "10.0.0.0/23" or "2001:db8::/32" into buf of size bytes
 * (REGION_PREFIX_STRLEN is always enough).  Returns 0, -EINVAL for an
 * unknown family or a prefix out of range, -ENOSPC if buf is too small. */
int region_prefix_format(uint8_t family, const struct region_prefix *p,
			 char *buf, size_t size);

/* Parse "10.0.0.0/8", "2001:db8::/32" or a single address of family into
 * the interval it covers.  0, or -EINVAL when it is not one of the
 * family's (host bits beyond the length are ignored). */
int region_prefix_parse(uint8_t family, const char *s,
			struct rs_interval *iv);

#endif
