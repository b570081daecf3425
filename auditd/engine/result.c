// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * result.c - the pieces where branches end, and their certainty (probes
 * on which branches that assumed differently disagree are "possible").
 * Part of the walk: see engine.c and walk.h.
 */
#include <string.h>

#include <linux/if_addr.h>
#include <linux/ip_vs.h>

#include "walk.h"

/* ---------------------------------------------------------------------
 * Pieces: where branches end.
 */
int eng_piece_add(struct walk *w, struct branch *b, enum engine_fate fate,
	      const struct host_listener *lis, const char *reason)
{
	struct engine_result *res = w->res;
	struct engine_piece *p;
	const struct snode *s;
	const struct anode *a;
	size_t i;

	if (res->npieces >= PIECES_MAX)
		return -E2BIG;
	if ((res->npieces & (res->npieces - 1)) == 0) {
		size_t cap = res->npieces ? res->npieces * 2 : 16;

		p = realloc(res->pieces, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		res->pieces = p;
	}
	p = &res->pieces[res->npieces];
	memset(p, 0, sizeof(*p));
	p->family = w->family;
	p->proto = w->proto;
	p->fate = fate;
	p->listener = lis;
	p->drop_reason = reason;
	p->nat = b->nat;
	p->nat_addr = b->nat_addr;
	p->nat_port = b->nat_port;
	p->nat_port_lo = b->nat_port_lo;
	p->nat_port_hi = b->nat_port_hi;
	p->oif = b->oif;
	p->ct_dnat = b->ct_dnat;
	p->direct = b->direct;
	p->path = b->path;
	p->choice = b->choice;
	if (fate == ENGINE_DROPPED)
		p->state = ENGINE_CLOSED;
	else if (fate == ENGINE_FORWARDED || lis)
		p->state = ENGINE_EXPOSED;
	else
		p->state = ENGINE_OPEN;
	p->nsteps = b->trace ? b->trace->depth : 0;
	p->nassumptions = b->assume ? b->assume->depth : 0;
	p->steps = calloc(p->nsteps + 1, sizeof(*p->steps));
	p->assumptions = calloc(p->nassumptions + 1, sizeof(*p->assumptions));
	if (!p->steps || !p->assumptions) {
		free(p->steps);
		free(p->assumptions);
		return -ENOMEM;
	}
	for (s = b->trace, i = p->nsteps; s; s = s->up)
		p->steps[--i] = s->s;
	for (a = b->assume, i = p->nassumptions; a; a = a->up)
		p->assumptions[--i] = a->a;
	p->region = b->r;
	b->r = NULL;
	res->npieces++;
	return 0;
}

int eng_drop_all(struct walk *w, struct blist *l, const char *reason)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < l->n && !ret; i++)
		ret = eng_piece_add(w, l->b[i], ENGINE_DROPPED, NULL, reason);
	eng_blist_release(l);
	return ret;
}

/* The listeners a probe of this walk can reach, most specific first. */
static int listener_cmp(const void *a, const void *b)
{
	const struct host_listener *x = *(const struct host_listener *const *)a;
	const struct host_listener *y = *(const struct host_listener *const *)b;
	int sx = (x->addr != 0) * 4 + (x->bound_ifindex != 0) * 2 +
		 (x->family == AF_INET);
	int sy = (y->addr != 0) * 4 + (y->bound_ifindex != 0) * 2 +
		 (y->family == AF_INET);

	return sy - sx;
}

/* Keep only the part of *r whose dimension d is in [lo, hi]. */
static int narrow(struct region **r, enum region_dim d, rs_u128 lo,
		  rs_u128 hi)
{
	struct rs_interval iv = { lo, hi };
	struct region *t = NULL;
	int ret;

	ret = region_split(*r, d, &iv, 1, &t, NULL);
	if (ret < 0)
		return ret;
	region_free(*r);
	*r = t;
	return 0;
}

/*
 * A cgroup inet ingress BPF program in effect for l's cgroup sees what b
 * brings before the socket does, and may drop it (systemd's
 * IPAddressDeny=): a dropped copy of b with the assumption that it drops,
 * and b itself carries the assumption that it passes.
 */
static int cgroup_fork(struct walk *w, struct branch *b,
		       const struct host_listener *l)
{
	struct engine_assumption x = { 0 };
	struct branch *drop;
	int ret;

	drop = branch_fork(w, b, region_copy(b->r));
	if (!drop || !drop->r) {
		branch_free(drop);
		return -ENOMEM;
	}
	x.cgroup = l;
	x.matched = true;
	ret = eng_assume_copy(w, drop, &x);
	if (!ret)
		ret = trace_add(w, drop, ENGINE_HOOK_DELIVERY, NULL, NULL,
				RS_V_DROP, "a cgroup BPF program fwaudit cannot "
				"read: may drop");
	if (!ret)
		ret = eng_piece_add(w, drop, ENGINE_DROPPED, NULL,
				"a cgroup ingress BPF program may drop it");
	branch_free(drop);
	x.matched = false;
	return ret < 0 ? ret : eng_assume_copy(w, b, &x);
}

/* Whether a rule of family sets the packet mark to a value the engine
 * does not follow (from a map, the ct mark, a hash...): then no branch's
 * mark says whether an IPVS fwmark service takes it. */
static bool mark_unfollowed(const struct ruleset *rs, uint8_t family)
{
	size_t i, k, j;

	for (i = 0; rs && i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (c->family != family && c->family != NFPROTO_INET)
			continue;
		for (k = 0; k < c->nrules; k++) {
			for (j = 0; j < c->rules[k].nstmts; j++) {
				const struct rs_stmt *st =
					&c->rules[k].stmts[j];

				if (st->sets_mark || !st->name)
					continue;
				if (!strcmp(st->name, "meta mark set") ||
				    (!strcmp(st->name, "CONNMARK") &&
				     st->text && strstr(st->text, "restore")))
					return true;
			}
		}
	}
	return false;
}

/*
 * IPVS takes what one of its services serves at LOCAL_IN, after the filter
 * INPUT chains (NF_IP_PRI_NAT_SRC - 1), and sends it to a real server
 * instead of a local socket: a service by firewall mark (skb->mark as the
 * rules left it, any protocol) or by protocol, virtual address and port
 * (0: every port), the mark first as ip_vs_service_find() does.  What a
 * service takes is forwarded to each of its real servers that takes new
 * connections (weight above 0), or dropped when it has none (ip_vs_leave()
 * answers port unreachable).  The part of b taken is removed from b,
 * unless a real server is this host (it then also goes on to the
 * listeners) or the mark is not known (both ways).
 */
enum ipvs_mode {
	IPVS_HOST,	/* the host's own: its rules set the mark */
	IPVS_EXACT,	/* Swarm's sandbox, its mark rules understood */
	IPVS_UNKNOWN,	/* Swarm's sandbox, a mark rule not understood */
};

static int ipvs_take_one(struct walk *w, struct branch *b,
			 const struct host_ipvs_svc *s, enum ipvs_mode mode)
{
	struct engine_assumption x = { 0 };
	struct region *hit = NULL;
	struct branch *nb = NULL, *db;
	bool any = false, maybe = false, local = false;
	size_t k;
	int ret;

	if (s->fwmark) {
		/* a mark fwaudit cannot follow: both ways, named */
		uint8_t *mu = &w->mark_unfollowed[w->family == NFPROTO_IPV6];

		if (mode == IPVS_HOST && !*mu)
			*mu = mark_unfollowed(w->in->rs, w->family) ? 2 : 1;
		maybe = b->mark != s->fwmark &&
			(mode == IPVS_UNKNOWN ||
			 (mode == IPVS_HOST && *mu == 2));
		if (b->mark != s->fwmark && !maybe)
			return 0;
	} else {
		if (s->proto != w->proto)
			return 0;
		if (b->nat_port && s->port &&
		    (b->nat_port_lo != s->port || b->nat_port_hi != s->port))
			return 0;
		if (b->nat && b->nat_addr != s->addr)
			return 0;
		if (!b->nat && b->redirect)
			return 0;
	}
	hit = region_copy(b->r);
	if (!hit)
		return -ENOMEM;
	if (!s->fwmark && s->port && !b->nat_port) {
		ret = narrow(&hit, REGION_DPORT, s->port, s->port);
		if (ret < 0)
			goto out;
	}
	if (!s->fwmark && !b->nat) {
		ret = narrow(&hit, REGION_DADDR, s->addr, s->addr);
		if (ret < 0)
			goto out;
	}
	ret = 0;
	if (region_is_empty(hit))
		goto out;
	/* a real server on this host (IP_VS_CONN_F_LOCALNODE) gets the
	 * packet unchanged up the stack: those probes also go on to the
	 * listeners as if IPVS were not there */
	for (k = 0; k < s->ndests && !local; k++)
		local = s->dests[k].weight && s->dests[k].fwd == HOST_IPVS_LOCAL;
	if (!maybe && !local)
		ret = region_subtract(b->r, hit);
	if (ret < 0)
		goto out;
	nb = branch_fork(w, b, hit);
	hit = NULL;
	if (!nb) {
		ret = -ENOMEM;
		goto out;
	}
	if (maybe) {
		x.ipvs = s;
		x.matched = true;
		ret = eng_assume_copy(w, nb, &x);
		x.matched = false;
		if (!ret)
			ret = eng_assume_copy(w, b, &x);
		if (ret < 0)
			goto out;
	}
	for (k = 0; k < s->ndests && !ret; k++) {
		const struct host_ipvs_dest *d = &s->dests[k];
		struct engine_piece *p;

		if (!d->weight)
			continue;
		any = true;
		if (d->fwd == HOST_IPVS_LOCAL)
			continue;
		db = branch_fork(w, nb, region_copy(nb->r));
		if (!db || !db->r) {
			branch_free(db);
			ret = -ENOMEM;
			break;
		}
		ret = trace_add(w, db, ENGINE_HOOK_DELIVERY, NULL, NULL,
				RS_V_ACCEPT, d->what);
		/* this host sends it to a masq, direct-routing or tunnel
		 * real server through LOCAL_OUT and POSTROUTING: walked
		 * there once every branch is delivered (eng_ipvs_out_run()) */
		if (!ret && mode == IPVS_HOST &&
		    (d->fwd == HOST_IPVS_MASQ || d->fwd == HOST_IPVS_ROUTE ||
		     d->fwd == HOST_IPVS_TUNNEL)) {
			db->ipvs_out = d;
			db->ipvs_out_svc = s;
			/* (blist_push() frees db when it fails) */
			ret = blist_push(&w->ipvs_out, db);
			continue;
		}
		/* the piece keeps the probe's own NAT (the handshake's
		 * next packet walks as it did); the real server is in
		 * ipvs_dest */
		if (!ret)
			ret = eng_piece_add(w, db, ENGINE_FORWARDED, NULL, NULL);
		if (!ret) {
			p = &w->res->pieces[w->res->npieces - 1];
			p->ipvs_svc = s;
			p->ipvs_dest = d;
			p->ipvs_sandbox = mode != IPVS_HOST;
		}
		branch_free(db);
	}
	if (!ret && !any) {
		ret = trace_add(w, nb, ENGINE_HOOK_DELIVERY, NULL, NULL,
				RS_V_DROP, "an IPVS service without a real "
				"server that takes connections: dropped");
		if (!ret)
			ret = eng_piece_add(w, nb, ENGINE_DROPPED, NULL,
					"an IPVS service without a real server");
	}
	branch_free(nb);
out:
	region_free(hit);
	return ret;
}

void eng_ipvs_route_to(const struct walk *w, struct branch *b,
		       const struct host_ipvs_dest *d)
{
	struct host_route_query q = { .family = d->family, .daddr = d->addr };
	struct host_route_result rt;
	const struct host_link *link = NULL;

	if (host_route_lookup(w->host, &q, &rt) == 0 && rt.oif)
		link = host_link_by_index(w->host, rt.oif);
	b->oif = link ? link->ifindex : 0;
	b->oif_known = link != NULL;
	b->oif_key = link ? rs_ifname_key(link->name) : 0;
}

/*
 * The source address of what the host sends tunnel real server d: what
 * ip_route_output_key() gives IPVS (__ip_vs_get_out_rt() with
 * IP_VS_RT_MODE_CONNECT): the route's preferred source, else
 * inet_select_addr() on the outgoing link, its first primary address of
 * the route's scope, one on the gateway's subnet first.  IPv6 asks
 * ipv6_dev_get_saddr() (RFC 6724), told here only when the outgoing link
 * has one usable global address.  false when the host facts do not say.
 */
static bool tunnel_source(const struct host *h, const struct host_ipvs_dest *d,
			  rs_u128 *out)
{
	struct host_route_query q = { .family = d->family, .daddr = d->addr };
	struct host_route_result rt;
	uint8_t scope;
	rs_u128 first = 0;
	size_t i, n = 0;

	if (host_route_lookup(h, &q, &rt) < 0 || rt.uncertain || !rt.oif ||
	    rt.type != RTN_UNICAST)
		return false;
	if (d->family == AF_INET && rt.route && rt.route->has_prefsrc) {
		*out = rt.route->prefsrc;
		return true;
	}
	scope = rt.route ? rt.route->scope : RT_SCOPE_UNIVERSE;
	for (i = 0; i < h->naddrs; i++) {
		const struct host_addr *a = &h->addrs[i];

		if (a->family != d->family || a->ifindex != rt.oif)
			continue;
		if (d->family == AF_INET) {
			if ((a->flags & IFA_F_SECONDARY) || a->scope > scope)
				continue;
			if (rt.gw_family == AF_INET &&
			    host_prefix_contains(AF_INET, a->addr,
						 a->prefixlen, rt.gateway)) {
				*out = a->addr;
				return true;
			}
		} else if (a->scope != RT_SCOPE_UNIVERSE ||
			   (a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED |
					IFA_F_DEPRECATED))) {
			continue;
		}
		if (!n++)
			first = a->addr;
	}
	if (!n || (d->family == AF_INET6 && n != 1))
		return false;
	*out = first;
	return true;
}

/* explain's step for the outer packet of b's tunnel */
static const char *tunnel_step(const struct branch *b)
{
	switch (b->ipvs_out->tun_type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_IPIP:
		return b->ipvs_out_svc->family == AF_INET6 ?
		       "encapsulated for the real server (IPVS tunnel, "
		       "ipv6 in ip, protocol 41): a new packet from the "
		       "host's address, out through OUTPUT and POSTROUTING:" :
		       "encapsulated for the real server (IPVS tunnel, ipip: "
		       "protocol 4, nft's ipencap): a new packet from the "
		       "host's address, out through OUTPUT and POSTROUTING:";
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
		return "encapsulated for the real server (IPVS tunnel, gue: "
		       "udp to its tunnel port): a new packet from the host's "
		       "address, out through OUTPUT and POSTROUTING:";
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
		return "encapsulated for the real server (IPVS tunnel, gre, "
		       "protocol 47): a new packet from the host's address, "
		       "out through OUTPUT and POSTROUTING:";
	default:
		return "encapsulated for the real server (IPVS tunnel of a "
		       "type fwaudit does not know: its protocol undecided), "
		       "out through OUTPUT and POSTROUTING:";
	}
}

/* b becomes the outer packet of its tunnel: a new packet of the host,
 * without NAT or conntrack state yet, the client's mark kept; what it
 * was is kept in b->inner. */
static int tunnel_enter(struct walk *w, struct branch *b)
{
	struct branch *in = arena_alloc(&w->arena, sizeof(*in));

	if (!in)
		return -ENOMEM;
	*in = *b;
	b->inner = in;
	b->nat = b->redirect = b->nat_port = b->nat_bound = false;
	b->ct_dnat = b->untracked = b->direct = false;
	b->nat_addr = 0;
	b->nat_port_lo = b->nat_port_hi = 0;
	b->ctmark = 0;
	b->tun_src_known = tunnel_source(w->host, b->ipvs_out, &b->tun_src);
	return trace_add(w, b, ENGINE_HOOK_DELIVERY, NULL, NULL, RS_V_ACCEPT,
			 tunnel_step(b));
}

/* The client's packet back in b, as it reached IPVS. */
static void tunnel_leave(struct branch *b)
{
	const struct branch *in = b->inner;

	if (!in)
		return;
	b->nat = in->nat;
	b->redirect = in->redirect;
	b->nat_addr = in->nat_addr;
	b->nat_port = in->nat_port;
	b->nat_port_lo = in->nat_port_lo;
	b->nat_port_hi = in->nat_port_hi;
	b->nat_bound = in->nat_bound;
	b->ct_dnat = in->ct_dnat;
	b->untracked = in->untracked;
	b->direct = in->direct;
	b->mark = in->mark;
	b->ctmark = in->ctmark;
	b->inner = NULL;
}

/* One walk of l: masq and direct-routing branches (fam 0), or tunnel
 * branches whose real servers are of family fam (the outer packet's). */
static int request_walk(struct walk *w, struct blist *l, struct blist *dropped,
			bool established, uint8_t fam)
{
	bool tracked = w->host->sysctl.ipvs_conntrack == 1;
	struct blist drops = { 0 };
	uint8_t family = w->family;
	size_t k;
	int ret = 0;

	for (k = 0; !ret && k < l->n; k++) {
		struct branch *b = l->b[k];

		eng_ipvs_route_to(w, b, b->ipvs_out);
		if (fam) {
			ret = tunnel_enter(w, b);
			continue;
		}
		b->untracked = !tracked;
		ret = trace_add(w, b, ENGINE_HOOK_DELIVERY, NULL, NULL,
				RS_V_ACCEPT, tracked ?
				"sent to the real server (IPVS), out through "
				"OUTPUT and POSTROUTING:" :
				"sent to the real server (IPVS), out through "
				"OUTPUT and POSTROUTING, untracked "
				"(net.ipv4.vs.conntrack is not 1):");
	}
	w->ipvs_request = true;
	if (fam) {
		/* the outer packet's own entry: new, also for the client's
		 * next packet, whose outer packet finds it bound */
		w->ipvs_tunnel = established ? 2 : 1;
		w->family = fam == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
	} else {
		w->established = established;
	}
	if (!ret)
		ret = eng_hook_run(w, NF_INET_LOCAL_OUT, l, &drops);
	if (!ret)
		ret = eng_hook_run(w, NF_INET_POST_ROUTING, l, &drops);
	w->ipvs_request = false;
	w->ipvs_tunnel = 0;
	w->family = family;
	w->established = false;
	/* the pieces keep the probe's own way in (the handshake's next
	 * packet walks as it did): no outgoing interface, tracked */
	for (k = 0; k < l->n + drops.n; k++) {
		struct branch *b = k < l->n ? l->b[k] : drops.b[k - l->n];

		if (fam)
			tunnel_leave(b);
		else if (k < l->n)
			b->untracked = false;
		if (k >= l->n)
			continue;
		b->oif = 0;
		b->oif_known = false;
		b->oif_key = 0;
	}
	for (k = 0; !ret && k < drops.n; k++) {
		ret = blist_push(dropped, drops.b[k]);
		drops.b[k] = NULL;
	}
	eng_blist_release(&drops);
	return ret;
}

int eng_ipvs_request_run(struct walk *w, struct blist *l,
			 struct blist *dropped, bool established)
{
	/* masq and direct routing; tunnels to IPv4, to IPv6 real servers */
	static const uint8_t fams[3] = { 0, AF_INET, AF_INET6 };
	struct blist part[3] = { { 0 } };
	size_t k, i;
	int ret = 0;

	for (k = 0; k < l->n; k++) {
		const struct host_ipvs_dest *d = l->b[k]->ipvs_out;

		i = d->fwd != HOST_IPVS_TUNNEL ? 0 : d->family == AF_INET ? 1 : 2;
		if (!ret)
			ret = blist_push(&part[i], l->b[k]);
		else
			branch_free(l->b[k]);
		l->b[k] = NULL;
	}
	l->n = 0;
	for (i = 0; !ret && i < 3; i++)
		if (part[i].n)
			ret = request_walk(w, &part[i], dropped, established,
					   fams[i]);
	for (i = 0; i < 3; i++) {
		for (k = 0; !ret && k < part[i].n; k++) {
			ret = blist_push(l, part[i].b[k]);
			part[i].b[k] = NULL;
		}
		eng_blist_release(&part[i]);
	}
	return ret;
}

int eng_ipvs_out_run(struct walk *w, struct blist *dropped)
{
	struct blist *l = &w->ipvs_out;
	size_t k;
	int ret;

	if (!l->n)
		return 0;
	ret = eng_ipvs_request_run(w, l, dropped, false);
	for (k = 0; !ret && k < l->n; k++) {
		struct branch *b = l->b[k];
		struct engine_piece *p;

		ret = eng_piece_add(w, b, ENGINE_FORWARDED, NULL, NULL);
		if (ret)
			break;
		p = &w->res->pieces[w->res->npieces - 1];
		p->ipvs_svc = b->ipvs_out_svc;
		p->ipvs_dest = b->ipvs_out;
		p->ipvs_sandbox = false;
	}
	eng_blist_release(l);
	return ret;
}

static int ipvs_take(struct walk *w, struct branch *b)
{
	size_t i;
	int ret;

	/* fwmark services first, as IPVS looks them up */
	for (i = 0; i < w->host->nipvs && !region_is_empty(b->r); i++) {
		if (!w->host->ipvs[i].fwmark ||
		    w->host->ipvs[i].family != w->family)
			continue;
		ret = ipvs_take_one(w, b, &w->host->ipvs[i], IPVS_HOST);
		if (ret < 0)
			return ret;
	}
	/* a port's own service before a port-0 one */
	for (i = 0; i < w->host->nipvs && !region_is_empty(b->r); i++) {
		const struct host_ipvs_svc *s = &w->host->ipvs[i];

		if (s->fwmark || !s->port || s->family != w->family)
			continue;
		ret = ipvs_take_one(w, b, s, IPVS_HOST);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < w->host->nipvs && !region_is_empty(b->r); i++) {
		const struct host_ipvs_svc *s = &w->host->ipvs[i];

		if (s->fwmark || s->port || s->family != w->family)
			continue;
		ret = ipvs_take_one(w, b, s, IPVS_HOST);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static const struct host_ipvs_svc *swarm_svc(const struct host_swarm *s,
					     uint32_t mark)
{
	size_t i;

	for (i = 0; i < s->nipvs; i++)
		if (s->ipvs[i].fwmark == mark && s->ipvs[i].family == AF_INET)
			return &s->ipvs[i];
	return NULL;
}

/*
 * Swarm's routing mesh: DOCKER-INGRESS forwarded b to the ingress
 * sandbox's address; there a mangle PREROUTING rule marks it by port (the
 * last matching rule's mark wins: MARK does not end the chain; a new
 * network namespace starts from mark 0) and the IPVS fwmark service of
 * that mark sends it to the tasks.  What no such rule marks for a service
 * stays in b, forwarded to the sandbox.  Where the sandbox has a mark rule
 * fwaudit does not understand, every fwmark service there may take the
 * rest: both ways, possible.
 */
/* What of b, addressed to the sandbox's address a, the sandbox's mark
 * rules send to one of its fwmark services: taken out of b. */
static int swarm_take_at(struct walk *w, struct branch *b, rs_u128 a)
{
	const struct host_swarm *s = &w->host->swarm;
	const struct host_ipvs_svc *svc;
	struct region *todo, *hit = NULL;
	struct branch *nb;
	size_t k;
	int ret = 0;

	todo = region_copy(b->r);
	if (!todo)
		return -ENOMEM;
	if (!b->nat)
		ret = narrow(&todo, REGION_DADDR, a, a);
	for (k = s->nmarks; k-- > 0 && !ret && !region_is_empty(todo);) {
		const struct host_swarm_mark *m = &s->marks[k];

		if ((m->proto && m->proto != w->proto) ||
		    a < m->daddr_lo || a > m->daddr_hi)
			continue;
		if (b->nat_port && (b->nat_port_lo < m->port_lo ||
				    b->nat_port_hi > m->port_hi))
			continue;
		hit = region_copy(todo);
		if (!hit) {
			ret = -ENOMEM;
			break;
		}
		if (!b->nat_port)
			ret = narrow(&hit, REGION_DPORT, m->port_lo, m->port_hi);
		if (!ret)
			ret = region_subtract(todo, hit);
		svc = swarm_svc(s, m->mark);
		if (ret || region_is_empty(hit) || !svc) {
			/* marked, but for no service: the sandbox's own */
			region_free(hit);
			hit = NULL;
			continue;
		}
		ret = region_subtract(b->r, hit);
		if (ret < 0)
			break;
		nb = branch_fork(w, b, hit);
		hit = NULL;
		if (!nb) {
			ret = -ENOMEM;
			break;
		}
		nb->mark = m->mark;
		ret = trace_add(w, nb, ENGINE_HOOK_DELIVERY, NULL, NULL,
				RS_V_ACCEPT, m->what);
		if (!ret)
			ret = ipvs_take_one(w, nb, svc, IPVS_EXACT);
		branch_free(nb);
	}
	region_free(hit);
	region_free(todo);
	return ret;
}

/*
 * Swarm's routing mesh: DOCKER-INGRESS forwarded b to the ingress
 * sandbox's address (or a neighbour routed it there directly); there a
 * mangle PREROUTING rule marks it by port (the last matching rule's mark
 * wins: MARK does not end the chain; a new network namespace starts from
 * mark 0) and the IPVS fwmark service of that mark sends it to the tasks.
 * What no such rule marks for a service stays in b, forwarded to the
 * sandbox.  Where the sandbox has a mark rule fwaudit does not understand,
 * every fwmark service there may take the rest of what DOCKER-INGRESS
 * sent: both ways, possible.
 */
int eng_swarm_take(struct walk *w, struct branch *b)
{
	const struct host_swarm *s = w->host ? &w->host->swarm : NULL;
	bool sandbox = false;
	size_t i;
	int ret = 0;

	if (!s || !s->present || s->error || !s->nipvs ||
	    (!b->nat && !b->direct) || w->family != NFPROTO_IPV4 ||
	    w->reply || w->established)
		return 0;
	if (!b->nat) {
		for (i = 0; i < s->naddrs && !ret && !region_is_empty(b->r);
		     i++)
			ret = swarm_take_at(w, b, s->addrs[i]);
		return ret;
	}
	for (i = 0; i < s->naddrs && !sandbox; i++)
		sandbox = s->addrs[i] == b->nat_addr;
	if (!sandbox)
		return 0;
	ret = swarm_take_at(w, b, b->nat_addr);
	for (i = 0; !ret && !s->marks_exact && i < s->nipvs &&
	     !region_is_empty(b->r); i++) {
		b->mark = 0;
		if (s->ipvs[i].fwmark && s->ipvs[i].family == AF_INET)
			ret = ipvs_take_one(w, b, &s->ipvs[i], IPVS_UNKNOWN);
	}
	return ret;
}

int eng_deliver_local(struct walk *w, struct branch *b)
{
	const struct host_listener **ls = NULL, *l;
	const struct host_link *link;
	struct region *hit = NULL;
	struct branch *nb;
	size_t n = 0, i;
	int ret = 0;

	if (w->host && w->host->nipvs && !w->reply && !w->established) {
		ret = ipvs_take(w, b);
		if (ret < 0) {
			branch_free(b);
			return ret;
		}
	}
	if (w->host) {
		ls = calloc(w->host->nlisteners + 1, sizeof(*ls));
		if (!ls) {
			branch_free(b);
			return -ENOMEM;
		}
		for (i = 0; i < w->host->nlisteners; i++) {
			l = &w->host->listeners[i];
			if (l->protocol != w->proto)
				continue;
			/* an IPv6 socket on :: without IPV6_V6ONLY takes
			 * IPv4 too */
			if (l->family != w->family &&
			    !(w->family == NFPROTO_IPV4 &&
			      l->family == AF_INET6 && l->addr == 0 &&
			      !l->v6only))
				continue;
			ls[n++] = l;
		}
		qsort(ls, n, sizeof(*ls), listener_cmp);
	}
	for (i = 0; i < n && !region_is_empty(b->r); i++) {
		l = ls[i];
		hit = region_copy(b->r);
		if (!hit) {
			ret = -ENOMEM;
			break;
		}
		if (b->nat_port) {
			if (l->port < b->nat_port_lo || l->port > b->nat_port_hi)
				goto next;
		} else if ((ret = narrow(&hit, REGION_DPORT, l->port,
					 l->port)) < 0) {
			break;
		}
		/* a socket on one address sees only probes to it */
		if (l->addr != 0 && l->family == w->family) {
			if (b->nat) {
				if (b->nat_addr != l->addr)
					goto next;
			} else if (!b->redirect &&
				   (ret = narrow(&hit, REGION_DADDR, l->addr,
						 l->addr)) < 0) {
				break;
			}
		}
		if (l->bound_ifindex) {
			struct rs_interval dev;

			link = host_link_by_index(w->host, l->bound_ifindex);
			if (!link)
				goto next;
			dev = rs_ifname_interval(link->name, false);
			ret = narrow(&hit, REGION_IIF, dev.lo, dev.hi);
			if (ret < 0)
				break;
		}
		if (region_is_empty(hit))
			goto next;
		ret = region_subtract(b->r, hit);
		if (ret < 0)
			break;
		nb = branch_fork(w, b, hit);
		hit = NULL;
		if (!nb) {
			ret = -ENOMEM;
			break;
		}
		if (l->cgroup_progs)
			ret = cgroup_fork(w, nb, l);
		if (!ret)
			ret = trace_add(w, nb, ENGINE_HOOK_DELIVERY, NULL, NULL,
					RS_V_ACCEPT,
					"delivered to a listening socket");
		if (!ret)
			ret = eng_piece_add(w, nb, ENGINE_LOCAL, l, NULL);
		branch_free(nb);
		if (ret < 0)
			break;
		continue;
next:
		region_free(hit);
		hit = NULL;
	}
	region_free(hit);
	free(ls);
	if (!ret && !region_is_empty(b->r)) {
		ret = trace_add(w, b, ENGINE_HOOK_DELIVERY, NULL, NULL,
				RS_V_ACCEPT, "let in, but nothing listens");
		if (!ret)
			ret = eng_piece_add(w, b, ENGINE_LOCAL, NULL, NULL);
	}
	branch_free(b);
	return ret;
}

/* ---------------------------------------------------------------------
 * Certainty: where branches that made different assumptions about the
 * same probes end in different states, those probes are "possible".
 */
static int piece_dup(struct engine_result *res, size_t i, struct region *r)
{
	struct engine_piece *p, *src;

	if ((res->npieces & (res->npieces - 1)) == 0) {
		p = realloc(res->pieces, res->npieces * 2 * sizeof(*p));
		if (!p)
			return -ENOMEM;
		res->pieces = p;
	}
	src = &res->pieces[i];
	p = &res->pieces[res->npieces];
	*p = *src;
	p->region = r;
	p->steps = malloc((src->nsteps + 1) * sizeof(*p->steps));
	p->assumptions = malloc((src->nassumptions + 1) *
				sizeof(*p->assumptions));
	if (!p->steps || !p->assumptions) {
		free(p->steps);
		free(p->assumptions);
		return -ENOMEM;
	}
	memcpy(p->steps, src->steps, src->nsteps * sizeof(*p->steps));
	memcpy(p->assumptions, src->assumptions,
	       src->nassumptions * sizeof(*p->assumptions));
	p->possible = true;
	res->npieces++;
	return 0;
}

/* The smallest box holding every box of r (not empty). */
static void region_bounds(const struct region *r, struct region_box *bb)
{
	const struct region_box *box;
	size_t n, i;
	int d;

	box = region_boxes(r, &n);
	*bb = box[0];
	for (i = 1; i < n; i++) {
		for (d = 0; d < REGION_NDIMS; d++) {
			if (box[i].iv[d].lo < bb->iv[d].lo)
				bb->iv[d].lo = box[i].iv[d].lo;
			if (box[i].iv[d].hi > bb->iv[d].hi)
				bb->iv[d].hi = box[i].iv[d].hi;
		}
	}
}

static bool bounds_overlap(const struct region_box *a,
			   const struct region_box *b)
{
	int d;

	for (d = 0; d < REGION_NDIMS; d++)
		if (a->iv[d].hi < b->iv[d].lo || b->iv[d].hi < a->iv[d].lo)
			return false;
	return true;
}

/* The part of piece i that a piece with assumptions in another state
 * also holds, into *out (NULL when there is none).  Piece by piece rather
 * than through the union of the others: that union costs the square of
 * their boxes, and most pairs are told apart by their bounds alone. */
static int classify_overlap(const struct engine_result *res, size_t from,
			    const struct region_box *bb, size_t i,
			    struct region **out)
{
	const struct engine_piece *p = &res->pieces[i];
	struct region *o = NULL, *t;
	size_t j;
	int ret = 0;

	for (j = from; j < res->npieces && !ret; j++) {
		const struct engine_piece *q = &res->pieces[j];

		/* (an IPVS service taking the probes or not disagrees even
		 * where both are exposed: the target differs) */
		if (!q->nassumptions ||
		    (q->state == p->state && q->ipvs_svc == p->ipvs_svc) ||
		    q->family != p->family || q->proto != p->proto ||
		    region_is_empty(q->region) ||
		    !bounds_overlap(&bb[i - from], &bb[j - from]) ||
		    !choice_compatible(p->choice, q->choice))
			continue;
		t = region_copy(p->region);
		if (!t) {
			ret = -ENOMEM;
			break;
		}
		ret = region_intersect(t, q->region);
		if (!ret && !region_is_empty(t)) {
			if (!o) {
				o = t;
				t = NULL;
			} else {
				ret = region_union(o, t);
			}
		}
		region_free(t);
	}
	if (ret < 0) {
		region_free(o);
		return ret;
	}
	*out = o;
	return 0;
}

/* The same row of the report: let in the same way to the same socket. */
static bool same_target(const struct engine_piece *a,
			const struct engine_piece *b)
{
	return eng_same_path(a, b) && a->listener == b->listener;
}

/*
 * Where the sender's choice of header values takes the same probes two
 * ways (a drop it can avoid, an accept it can satisfy), the pieces of both
 * ways overlap, and the sender takes the better one.  A piece that assumed
 * nothing undecidable holds for every packet of its choice.  Before
 * eng_classify() (after false): where it overlaps a piece in a worse state
 * that assumed nothing either, or an earlier twin with the same target,
 * that piece is cut; pieces that assumed something stay, for eng_classify()
 * to weigh against each other.  After it (after true): they are cut too
 * where a certain piece is at least as good.  Only pieces with a choice
 * overlap this way (the walk partitions the rest), and pieces that made
 * the same choice never do.
 */
static int choose(struct engine_result *res, size_t from, bool after)
{
	size_t *ix, nix = 0, a, c, n = res->npieces;
	struct region_box *bb;
	int ret = 0;

	ix = calloc(n - from + 1, sizeof(*ix));
	bb = calloc(n - from + 1, sizeof(*bb));
	if (!ix || !bb) {
		free(ix);
		free(bb);
		return -ENOMEM;
	}
	for (a = from; a < n; a++) {
		/* after eng_classify(), a possible piece that made no choice
		 * may still be what a certain piece with one covers */
		if ((!res->pieces[a].choice &&
		     !(after && res->pieces[a].possible)) ||
		    region_is_empty(res->pieces[a].region))
			continue;
		region_bounds(res->pieces[a].region, &bb[nix]);
		ix[nix++] = a;
	}
	for (a = 0; a < nix && !ret; a++) {
		const struct engine_piece *j = &res->pieces[ix[a]];

		/* after eng_classify(), a piece it did not mark possible holds
		 * for every packet of its choice, whatever it assumed: no
		 * compatible piece disagrees with it */
		if ((!after && j->nassumptions) || j->possible ||
		    region_is_empty(j->region))
			continue;
		for (c = 0; c < nix && !ret; c++) {
			struct engine_piece *i = &res->pieces[ix[c]];

			if (c == a || i->choice == j->choice ||
			    region_is_empty(i->region) ||
			    !bounds_overlap(&bb[a], &bb[c]) ||
			    i->state > j->state ||
			    (!after && i->nassumptions) ||
			    (after && !i->nassumptions))
				continue;
			if (i->state == j->state && (!after || !i->possible) &&
			    !(c > a && same_target(i, j)))
				continue;
			ret = region_subtract(i->region, j->region);
		}
	}
	free(ix);
	free(bb);
	return ret;
}

/* Say what each piece's sender chose, while the choices exist. */
int eng_choices_describe(struct walk *w, size_t from)
{
	struct choice_dom dom = walk_dom(w);
	struct engine_piece *p;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	dom.established = false;
	for (i = from; i < w->res->npieces; i++) {
		p = &w->res->pieces[i];
		dom.forwarded = p->fate == ENGINE_FORWARDED;
		if (p->choice && !region_is_empty(p->region)) {
			choice_describe(&dom, p->choice, &sb);
			if (sb.len || sb.failed) {
				p->chosen = strbuf_take(&sb);
				if (!p->chosen)
					return -ENOMEM;
			}
		}
		p->choice = NULL;
	}
	return 0;
}

int eng_classify(struct engine_result *res, size_t from)
{
	struct region **overlap;
	struct region_box *bb;
	size_t i, n = res->npieces;
	int ret = choose(res, from, false);

	if (ret < 0)
		return ret;

	/* all overlaps first, from the regions as the walk left them: a
	 * piece cut before its twin is compared would hide the twin's doubt */
	overlap = calloc(n - from + 1, sizeof(*overlap));
	bb = calloc(n - from + 1, sizeof(*bb));
	if (!overlap || !bb) {
		free(overlap);
		free(bb);
		return -ENOMEM;
	}
	for (i = from; i < n; i++)
		if (res->pieces[i].nassumptions &&
		    !region_is_empty(res->pieces[i].region))
			region_bounds(res->pieces[i].region, &bb[i - from]);
	for (i = from; i < n && !ret; i++) {
		if (res->pieces[i].nassumptions &&
		    !region_is_empty(res->pieces[i].region))
			ret = classify_overlap(res, from, bb, i,
					       &overlap[i - from]);
	}
	free(bb);
	for (i = from; i < n && !ret; i++) {
		struct region *o = overlap[i - from];

		if (!o || region_is_empty(o))
			continue;
		ret = region_subtract(res->pieces[i].region, o);
		if (!ret) {
			ret = piece_dup(res, i, o);
			if (!ret)
				overlap[i - from] = NULL;
		}
	}
	for (i = 0; i < n - from; i++)
		region_free(overlap[i]);
	free(overlap);
	return ret < 0 ? ret : choose(res, from, true);
}

int eng_result_note(struct engine_result *res, const char *s)
{
	char **p = realloc(res->notes, (res->nnotes + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	res->notes = p;
	if (!(p[res->nnotes] = strdup(s)))
		return -ENOMEM;
	res->nnotes++;
	return 0;
}

