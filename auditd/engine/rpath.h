/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rpath.h - the reverse path: what a FIB lookup toward a packet's source
 * address answers, for every source address at once.
 *
 * nftables' "fib saddr [. iif] oif" (rpfilter, as firewalld and the
 * nftables examples write it) asks the routing table which interface a
 * packet to the source would leave by.  The answer depends only on which
 * routes (and policy rules) contain the source, so the source address space
 * falls into ranges with one answer each: the engine splits probes by those
 * ranges instead of guessing.
 */
#ifndef FWAUDIT_RPATH_H
#define FWAUDIT_RPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "ruleset.h"

/* More ranges than this (a full Internet table) and the caller gives up:
 * the match stays undecided. */
#define RPATH_MAX_RANGES	65536

struct rpath_range {
	rs_u128 lo, hi;			/* source addresses, inclusive */
	bool linklocal;			/* IPv6 fe80::/10: looked up on the
					 * input interface, found there */
	bool found;			/* a unicast route (the kernel's fib
					 * expression answers 0 for local,
					 * blackhole, unreachable, prohibit
					 * and for no route) */
	bool martian;			/* a local, broadcast or multicast
					 * address: see rpath_oif() */
	bool local;			/* of those, a local or anycast one */
	const struct host_route *route;	/* when found: its nexthops */
	int oif;			/* when found: first nexthop */
	bool uncertain;			/* a rule or route chosen on something
					 * the lookup could not know */
};

struct rpath {
	uint8_t family;			/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	uint32_t mark;
	size_t n;
	struct rpath_range *ranges;	/* ascending, adjacent, covering the
					 * family's whole address space */
};

/* Partition the source addresses of family into ranges on which the
 * lookup (as for a locally generated packet to the source, with mark)
 * answers the same.  *out is new; rpath_free() it.  0, -ENOMEM, -E2BIG
 * (more than RPATH_MAX_RANGES), -EINVAL (family). */
int rpath_build(const struct host *h, uint8_t family, uint32_t mark,
		struct rpath **out);
void rpath_free(struct rpath *p);

/* What "fib saddr oif" (strict false) or "fib saddr . iif oif" (strict
 * true) gives for a source in range r arriving on link iif: an ifindex, or
 * 0 for none.  Loopback answers itself, as the kernel's fib expression
 * does for packets that came in on lo.  The host's own (and anycast)
 * addresses answer 0, as nft_fib4/nft_fib6 do for a local route;
 * broadcast and multicast sources answer the link they came in on. */
int rpath_oif(const struct rpath_range *r, const struct host_link *iif,
	      bool strict);

#endif
