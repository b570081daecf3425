// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rpath.c - the reverse path over all source addresses at once.
 *
 * A lookup's answer changes only where some route or policy rule prefix
 * begins or ends, so one lookup at the start of each interval between two
 * such boundaries answers for the whole interval.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "array.h"
#include "rpath.h"

static rs_u128 family_max(uint8_t family)
{
	return family == NFPROTO_IPV4 ? 0xffffffffu : ~(rs_u128)0;
}

static unsigned int family_bits(uint8_t family)
{
	return family == NFPROTO_IPV4 ? 32 : 128;
}

static int bound_push(rs_u128 **v, size_t *n, size_t *cap, rs_u128 x)
{
	int ret;

	ret = array_grow(v, cap, *n, sizeof(**v), 2 * RPATH_MAX_RANGES, 64);
	if (ret < 0)
		return ret;
	(*v)[(*n)++] = x;
	return 0;
}

/* The start of prefix/len and the first address after it (none when the
 * prefix reaches the top of the address space). */
static int prefix_bounds(uint8_t family, rs_u128 addr, unsigned int len,
			 rs_u128 **v, size_t *n, size_t *cap)
{
	unsigned int bits = family_bits(family);
	rs_u128 size, lo, hi;
	int ret;

	/* the whole space has no inner boundary */
	if (len == 0 || len > bits)
		return 0;
	size = (rs_u128)1 << (bits - len);
	lo = addr & ~(size - 1) & family_max(family);
	hi = lo + (size - 1);
	ret = bound_push(v, n, cap, lo);
	if (!ret && hi < family_max(family))
		ret = bound_push(v, n, cap, hi + 1);
	return ret;
}

static int u128_cmp(const void *a, const void *b)
{
	rs_u128 x = *(const rs_u128 *)a, y = *(const rs_u128 *)b;

	return x < y ? -1 : x > y;
}

static int rpath_lookup(const struct host *h, uint8_t family, uint32_t mark,
			struct rpath_range *r)
{
	struct host_route_query q = {
		.family = family,
		.daddr = r->lo,
		.mark = mark,
	};
	struct host_route_result res;

	/* fe80::/10: nft_fib6 looks link-local sources up on the input
	 * interface itself (RT6_LOOKUP_F_IFACE) */
	if (family == NFPROTO_IPV6 && (r->lo >> 118) == 0x3fa) {
		r->linklocal = true;
		return 0;
	}
	if (host_route_lookup(h, &q, &res) < 0)
		return -EINVAL;
	r->uncertain = res.uncertain;
	if (res.type == RTN_LOCAL || res.type == RTN_BROADCAST ||
	    res.type == RTN_MULTICAST || res.type == RTN_ANYCAST) {
		r->martian = true;
		r->local = res.type == RTN_LOCAL || res.type == RTN_ANYCAST;
		return 0;
	}
	/* nft_fib4 and nft_fib6 answer 0 for local routes ("should not see
	 * RTN_LOCAL here") and for lookups that fail: blackhole,
	 * unreachable, prohibit, throw, no route */
	if (res.type != RTN_UNICAST || !res.route)
		return 0;
	r->found = true;
	r->route = res.route;
	r->oif = res.oif;
	return 0;
}

int rpath_build(const struct host *h, uint8_t family, uint32_t mark,
		struct rpath **out)
{
	uint8_t af = family == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	rs_u128 *b = NULL;
	size_t nb = 0, cap = 0, i, k;
	struct rpath *p = NULL;
	int ret;

	if (family != NFPROTO_IPV4 && family != NFPROTO_IPV6)
		return -EINVAL;
	ret = bound_push(&b, &nb, &cap, 0);
	for (i = 0; !ret && i < h->nroutes; i++) {
		const struct host_route *rt = &h->routes[i];

		if (rt->family == af)
			ret = prefix_bounds(family, rt->dst, rt->dst_len,
					    &b, &nb, &cap);
	}
	for (i = 0; !ret && i < h->nrules; i++) {
		const struct host_rule *ru = &h->rules[i];

		if (ru->family == af)
			ret = prefix_bounds(family, ru->dst, ru->dst_len,
					    &b, &nb, &cap);
	}
	if (!ret && family == NFPROTO_IPV6)
		ret = prefix_bounds(family, (rs_u128)0xfe80 << 112, 10,
				    &b, &nb, &cap);
	if (ret)
		goto out;
	qsort(b, nb, sizeof(*b), u128_cmp);
	for (i = 1, k = 1; i < nb; i++)
		if (b[i] != b[k - 1])
			b[k++] = b[i];
	nb = k;
	if (nb > RPATH_MAX_RANGES) {
		ret = -E2BIG;
		goto out;
	}
	p = calloc(1, sizeof(*p));
	if (p)
		p->ranges = calloc(nb, sizeof(*p->ranges));
	if (!p || !p->ranges) {
		ret = -ENOMEM;
		goto out;
	}
	p->family = family;
	p->mark = mark;
	for (i = 0; i < nb && !ret; i++) {
		struct rpath_range *r = &p->ranges[p->n];

		r->lo = b[i];
		r->hi = i + 1 < nb ? b[i + 1] - 1 : family_max(family);
		ret = rpath_lookup(h, family, mark, r);
		if (ret)
			break;
		/* neighbours with the same answer are one range */
		if (p->n && r[-1].found == r->found &&
		    r[-1].linklocal == r->linklocal &&
		    r[-1].martian == r->martian && r[-1].local == r->local &&
		    r[-1].route == r->route && r[-1].oif == r->oif &&
		    r[-1].uncertain == r->uncertain) {
			r[-1].hi = r->hi;
			memset(r, 0, sizeof(*r));
			continue;
		}
		p->n++;
	}
out:
	free(b);
	if (ret) {
		rpath_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

void rpath_free(struct rpath *p)
{
	if (!p)
		return;
	free(p->ranges);
	free(p);
}

int rpath_oif(const struct rpath_range *r, const struct host_link *iif,
	      bool strict)
{
	size_t i;

	if (iif->loopback || r->linklocal)
		return iif->ifindex;
	if (r->local)
		return 0;
	if (r->martian)
		return iif->ifindex;
	if (!r->found)
		return 0;
	if (!strict)
		return r->oif;
	/* ". iif": the route must use the input interface, any nexthop of
	 * a multipath route will do (fib_info_nhc_uses_dev) */
	for (i = 0; i < r->route->nnexthops; i++)
		if (r->route->nexthops[i].oif == iif->ifindex)
			return iif->ifindex;
	return r->oif == iif->ifindex ? iif->ifindex : 0;
}
