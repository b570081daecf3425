// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * route.c - routing decisions: local or forwarded, martian sources,
 * rp_filter, forwarding per interface, the TTL.  Part of the walk: see
 * engine.c and walk.h.
 */
#include "walk.h"

/* Interface-name points of the ingress links for which pred() holds. */
static int links_where(const struct walk *w, int (*pred)(const struct host *,
							 int),
		       struct rs_interval **out, size_t *n)
{
	size_t i, cap = 0;
	struct rs_interval iv;
	int ret;

	*out = NULL;
	*n = 0;
	for (i = 0; i < w->host->nlinks; i++) {
		if (pred(w->host, w->host->links[i].ifindex) != 1)
			continue;
		iv = rs_ifname_interval(w->host->links[i].name, false);
		ret = iv_push(out, n, &cap, &iv);
		if (ret < 0) {
			free(*out);
			*out = NULL;
			return ret;
		}
	}
	return 0;
}

/* b (kept by the caller) ends in the routing decision, for why. */
int eng_routing_drop(struct walk *w, struct branch *b, const char *why)
{
	int ret = trace_add(w, b, ENGINE_HOOK_ROUTING, NULL, NULL, RS_V_DROP,
			    why);

	return ret ? ret : eng_piece_add(w, b, ENGINE_DROPPED, NULL, why);
}

/* Split b by "the ingress interface has pred": *on keeps what has it, the
 * rest becomes a dropped piece with reason. */
static int split_iif_by(struct walk *w, struct branch **bp,
			int (*pred)(const struct host *, int),
			const char *reason)
{
	struct branch *b = *bp, *off;
	struct rs_interval *ivs;
	struct region *in = NULL;
	size_t n;
	int ret;

	ret = links_where(w, pred, &ivs, &n);
	if (ret < 0)
		return ret;
	ret = region_split_off(b->r, REGION_IIF, ivs, n, &in);
	free(ivs);
	if (ret < 0)
		return ret;
	/* b->r is now the part without: drop it, keep the rest */
	off = b;
	b = branch_fork(w, off, in);
	if (!b)
		return -ENOMEM;
	if (!region_is_empty(off->r))
		ret = eng_routing_drop(w, off, reason);
	branch_free(off);
	*bp = b;
	if (ret < 0) {
		branch_free(b);
		*bp = NULL;
	}
	return ret;
}

static int v4_forwarding(const struct host *h, int ifindex)
{
	return host_ipv4_forwarding(h, ifindex);
}

static int v6_forwarding(const struct host *h, int ifindex)
{
	return host_ipv6_forwarding(h, ifindex);
}

static bool rp_filter_keep(const void *ctx, const struct rpath_range *r,
			   const struct host_link *l)
{
	const struct walk *w = ctx;
	int rpf = host_rp_filter(w->host, l->ifindex);

	if ((rpf != 1 && rpf != 2) || r->uncertain)
		return true;
	/* the full check wants a unicast route back: a local (without
	 * accept_local), broadcast or multicast source fails it; being
	 * martian, the report drops it anyway (see eng_route()) */
	if (r->martian && !l->loopback)
		return !w->in->only_saddr;
	return rpath_oif(r, l, rpf == 1) != 0;
}

/*
 * The kernel's reverse path filter (IPv4 rp_filter, fib_validate_source()
 * in the routing decision, for local delivery and forwarding alike):
 * strict (1) drops a source whose route back does not use the ingress
 * interface, loose (2) a source with no unicast route back.  The part of
 * *bp that fails becomes a dropped piece; *bp keeps the rest.
 */
static int rp_filter(struct walk *w, struct branch *b)
{
	const struct rpath *rp;
	struct region *keep, *fail;
	struct branch *off;
	const char *why = "routing: the reverse path filter (rp_filter) "
			  "drops this source on this interface";
	size_t i;
	int ret;

	for (i = 0; i < w->host->nlinks; i++) {
		int rpf = host_rp_filter(w->host, w->host->links[i].ifindex);

		if (rpf == 1 || rpf == 2)
			break;
	}
	if (i == w->host->nlinks)
		return 0;
	rp = walk_rpath(w, &ret);
	if (!rp)
		return ret == -ENOMEM ? ret : 0;
	ret = rpath_split(w, rp, b->r, rp_filter_keep, w, true, &keep,
			  &fail);
	if (ret < 0)
		return ret;
	region_free(b->r);
	b->r = keep;
	if (region_is_empty(fail)) {
		region_free(fail);
		return 0;
	}
	off = branch_fork(w, b, fail);
	if (!off)
		return -ENOMEM;
	ret = eng_routing_drop(w, off, why);
	branch_free(off);
	return ret;
}

/*
 * The source addresses of family a packet from outside never arrives with,
 * sorted and merged into *out (*n intervals, free() it).  IPv4: 0/8,
 * 127/8, multicast, the limited broadcast and the host's own addresses
 * (ip_route_input_slow() and fib_validate_source(), accept_local off);
 * with localnet false 127/8 is left out (the caller decides it per
 * interface).  IPv6: ::1, IPv4-mapped and multicast sources
 * (ip6_rcv_core()), the unspecified address (no answer can go to it),
 * and the host's own addresses, whose answers never leave the host.
 */
int eng_martian_list(const struct host *h, uint8_t family, bool localnet,
		 struct rs_interval **out, size_t *n)
{
	static const struct rs_interval v4[] = {
		{ 0x00000000, 0x00ffffff }, { 0xe0000000, 0xefffffff },
		{ 0xffffffff, 0xffffffff }, { 0x7f000000, 0x7fffffff },
	};
	static const struct rs_interval v6[] = {
		{ 0, 1 },
		{ (rs_u128)0xffff << 32, ((rs_u128)0xffff << 32) | 0xffffffff },
		{ (rs_u128)0xff << 120, ~(rs_u128)0 },
	};
	const struct rs_interval *fixed = family == NFPROTO_IPV4 ? v4 : v6;
	size_t nfixed = family == NFPROTO_IPV4 ? 3 + localnet : 3;
	struct rs_interval *l;
	size_t i, k = 0;

	l = calloc(nfixed + (h ? h->naddrs + h->nroutes : 0) + 1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	for (i = 0; i < nfixed; i++)
		l[k++] = fixed[i];
	for (i = 0; h && i < h->naddrs; i++)
		if (h->addrs[i].family == family)
			l[k].lo = l[k].hi = h->addrs[i].addr, k++;
	/* the local table's broadcast and anycast addresses: no answer to
	 * them leaves the host (the reverse path filter drops them
	 * before) */
	for (i = 0; h && i < h->nroutes; i++) {
		const struct host_route *r = &h->routes[i];

		if (r->family != family || r->table != RT_TABLE_LOCAL ||
		    (r->type != RTN_BROADCAST && r->type != RTN_ANYCAST) ||
		    r->dst_len != (family == NFPROTO_IPV4 ? 32 : 128))
			continue;
		l[k].lo = l[k].hi = r->dst;
		k++;
	}
	*n = region_ivs_merge(l, k);
	*out = l;
	return 0;
}

int eng_linknet_list(const struct host *h, uint8_t family,
		 struct engine_linknet **out, size_t *n)
{
	const struct host_link *lk;
	struct engine_linknet *l;
	size_t i, k = 0;
	unsigned int bits = family == NFPROTO_IPV4 ? 32 : 128;

	l = calloc((h ? h->nroutes : 0) + 1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	for (i = 0; h && i < h->nroutes; i++) {
		const struct host_route *r = &h->routes[i];
		rs_u128 span;

		/* an on-link route (no gateway), not the default one */
		if (r->family != family || r->table == RT_TABLE_LOCAL ||
		    r->type != RTN_UNICAST || !r->dst_len ||
		    r->dst_len > bits || !r->nnexthops ||
		    r->nexthops[0].gw_family || !r->nexthops[0].oif)
			continue;
		lk = host_link_by_index(h, r->nexthops[0].oif);
		if (!lk || lk->loopback)
			continue;
		span = r->dst_len == bits ? 0 :
		       (((rs_u128)1 << (bits - r->dst_len)) - 1);
		l[k].lo = r->dst & ~span;
		l[k].hi = r->dst | span;
		l[k++].ifkey = rs_ifname_key(lk->name);
	}
	*out = l;
	*n = k;
	return 0;
}

/* IPv4 martian sources end in the routing decision: *bp keeps the rest
 * (NULL when nothing is left); 127/8 from an interface with route_localnet
 * goes on as *lnp. */
static int martian_drop(struct walk *w, struct branch **bp,
			struct branch **lnp)
{
	static const struct rs_interval lo8 = { 0x7f000000, 0x7fffffff };
	struct branch *b = *bp, *off, *ln = NULL;
	struct rs_interval *ivs;
	struct region *in = NULL;
	bool localnet = false;
	size_t n, i;
	int ret;

	for (i = 0; w->host && i < w->host->nlinks; i++)
		if (host_route_localnet(w->host, w->host->links[i].ifindex) == 1)
			localnet = true;
	ret = eng_martian_list(w->host, NFPROTO_IPV4, !localnet, &ivs, &n);
	if (ret < 0)
		return ret;
	ret = region_split_off(b->r, REGION_SADDR, ivs, n, &in);
	free(ivs);
	if (ret == 0 && localnet) {
		struct region *l8 = NULL;

		ret = region_split_off(b->r, REGION_SADDR, &lo8, 1, &l8);
		if (ret == 0 && !region_is_empty(l8)) {
			ln = branch_fork(w, b, l8);
			l8 = NULL;
			if (!ln)
				ret = -ENOMEM;
			if (!ret)
				ret = split_iif_by(w, &ln, host_route_localnet,
						   "routing: a source in "
						   "127.0.0.0/8 is a martian "
						   "without route_localnet");
		}
		region_free(l8);
		if (ln && region_is_empty(ln->r)) {
			branch_free(ln);
			ln = NULL;
		}
	}
	if (ret == 0 && !region_is_empty(in)) {
		off = branch_fork(w, b, in);
		in = NULL;
		if (!off)
			ret = -ENOMEM;
		else
			ret = eng_routing_drop(w, off, "routing: a martian source "
					   "(0.0.0.0/8, 127.0.0.0/8, multicast, "
					   "broadcast or the host's own "
					   "address): the kernel drops it");
		branch_free(off);
	}
	region_free(in);
	if (ret < 0) {
		branch_free(ln);
		return ret;
	}
	if (region_is_empty(b->r)) {
		branch_free(b);
		b = NULL;
	}
	*bp = b;
	*lnp = ln;
	return 0;
}

static int route_on(struct walk *w, struct branch *b, struct blist *local,
		    struct blist *fwd);

/* A forwarded packet needs a TTL (hop limit) above 1 (ip_forward(),
 * ip6_forward()): where the sender has committed to TTLs already, it keeps
 * those above 1 (the forwarded domain has only those); IPv6 forwards no
 * link-local source.  Returns 1 when b goes on, 0 when nothing of it does
 * (dropped pieces), or -ENOMEM (b freed either way but the first). */
static int forward_ttl(struct walk *w, struct branch *b)
{
	static const struct rs_interval ll[] = {
		{ 0, 0 },
		{ (rs_u128)0xfe80 << 112,
		  ((rs_u128)0xfebf << 112) | (((rs_u128)1 << 112) - 1) },
	};
	struct choice_dom dom = walk_dom(w);
	const struct choice *c;
	struct region *in = NULL;
	struct branch *off;
	int ret;

	if (!is_v4(w) && w->in->only_saddr) {
		/* ip6_forward(): an unspecified or link-local source is
		 * never forwarded (beyond the scope of the source); a whole
		 * audit leaves them to the report, as martians (eng_route()) */
		ret = region_split_off(b->r, REGION_SADDR, ll, 2, &in);
		if (ret == 0 && !region_is_empty(in)) {
			off = branch_fork(w, b, in);
			in = NULL;
			ret = off ? eng_routing_drop(w, off, "routing: IPv6 does "
						 "not forward a link-local "
						 "source") : -ENOMEM;
			branch_free(off);
		}
		region_free(in);
		if (ret < 0 || region_is_empty(b->r)) {
			branch_free(b);
			return ret;
		}
	}
	if (!b->choice)
		return 1;
	dom.forwarded = true;
	ret = choice_restrict(&dom, b->choice, RS_F_IP_TTL, 2, 255,
			      walk_alloc, w, &c);
	if (ret < 0) {
		branch_free(b);
		return ret;
	}
	if (c) {
		b->choice = c;
		return 1;
	}
	ret = eng_routing_drop(w, b, "routing: the TTL it chose runs out here");
	branch_free(b);
	return ret < 0 ? ret : 0;
}

/* The routing decision after prerouting: local delivery, forwarding, or a
 * drop.  b goes to *local or *fwd, or ends as a dropped piece. */
int eng_route(struct walk *w, struct branch *b, struct blist *local,
	  struct blist *fwd)
{
	struct branch *ln = NULL;
	int ret;

	/* Martian sources end here in the kernel.  A whole audit leaves
	 * them in (cutting them out of every region would multiply its
	 * boxes through every rule after this point) and the report drops
	 * them from its rows (engine_result.martians); one source asked for
	 * (explain --from) is cut out here, exactly. */
	if (!is_v4(w) || !w->in->only_saddr)
		return route_on(w, b, local, fwd);
	ret = martian_drop(w, &b, &ln);
	if (ret < 0) {
		branch_free(b);
		return ret;
	}
	if (ln) {
		ret = route_on(w, ln, local, fwd);
		if (ret < 0) {
			branch_free(b);
			return ret;
		}
	}
	return b ? route_on(w, b, local, fwd) : 0;
}

/* eng_route() once the source is not a martian. */
static int route_on(struct walk *w, struct branch *b, struct blist *local,
		    struct blist *fwd)
{
	struct host_route_query q = { .family = w->family };
	struct host_route_result res;
	const struct host_link *link;
	const char *why;
	int ret;

	if (w->host && is_v4(w)) {
		ret = rp_filter(w, b);
		if (ret < 0) {
			branch_free(b);
			return ret;
		}
		if (region_is_empty(b->r)) {
			branch_free(b);
			return 0;
		}
	}

	if (!b->nat && !b->direct) {
		ret = trace_add(w, b, ENGINE_HOOK_ROUTING, NULL, NULL,
				RS_V_ACCEPT, "routing: a local address");
		return ret < 0 ? ret : blist_push(local, b);
	}
	if (!w->host) {
		if (is_loopback(w, b->nat_addr)) {
			why = "routing: DNAT to a loopback address is a martian "
			      "unless route_localnet is set";
			goto drop;
		}
		ret = forward_ttl(w, b);
		if (ret <= 0)
			return ret;
		ret = trace_add(w, b, ENGINE_HOOK_ROUTING, NULL, NULL,
				RS_V_ACCEPT, "routing: forwarded to the DNAT "
				"backend (forwarding assumed on)");
		return ret < 0 ? ret : blist_push(fwd, b);
	}
	/* a direct branch holds the addresses of one route (see
	 * direct_branches()): one of them stands for all */
	q.daddr = b->nat ? b->nat_addr : b->direct_addr;
	ret = host_route_lookup(w->host, &q, &res);
	if (ret < 0)
		res.type = RTN_UNREACHABLE;
	if (res.type == RTN_LOCAL && !b->nat) {
		why = "routing: the container network's address is local";
		goto drop;
	}
	if (res.type == RTN_LOCAL) {
		if (is_loopback(w, b->nat_addr)) {
			if (!is_v4(w)) {
				why = "routing: ::1 is never reachable from outside";
				goto drop;
			}
			ret = split_iif_by(w, &b, host_route_localnet,
					   "routing: DNAT to 127.0.0.0/8 is a "
					   "martian without route_localnet");
			if (ret < 0)
				return ret;
			if (region_is_empty(b->r)) {
				branch_free(b);
				return 0;
			}
		}
		ret = trace_add(w, b, ENGINE_HOOK_ROUTING, NULL, NULL,
				RS_V_ACCEPT, "routing: DNAT to a local address");
		return ret < 0 ? ret : blist_push(local, b);
	}
	if (res.type != RTN_UNICAST) {
		why = b->nat ? "routing: no route to the DNAT target" :
		      "routing: no route to the container network";
		goto drop;
	}
	ret = split_iif_by(w, &b, is_v4(w) ? v4_forwarding : v6_forwarding,
			   "routing: forwarding is off on the ingress interface");
	if (ret < 0)
		return ret;
	if (region_is_empty(b->r)) {
		branch_free(b);
		return 0;
	}
	b->oif = res.oif;
	link = host_link_by_index(w->host, res.oif);
	if (link) {
		b->oif_known = true;
		b->oif_key = rs_ifname_key(link->name);
	}
	ret = forward_ttl(w, b);
	if (ret <= 0)
		return ret;
	ret = trace_add(w, b, ENGINE_HOOK_ROUTING, NULL, NULL, RS_V_ACCEPT,
			b->nat ? "routing: forwarded to the DNAT backend" :
			"routing: forwarded to the container network "
			"(direct routing)");
	return ret < 0 ? ret : blist_push(fwd, b);
drop:
	ret = eng_routing_drop(w, b, why);
	branch_free(b);
	return ret;
}

