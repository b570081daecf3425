// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handshake.c - the answer's way back and the client's next packet: a
 * probe let in is exposed only when its connection can be completed.
 * Part of the walk: see engine.c and walk.h.
 */
#include "walk.h"

/* ---------------------------------------------------------------------
 * The handshake.  A TCP or SCTP probe that is let in is not a connection
 * yet: the client's next packet (the ACK of the handshake, SCTP's COOKIE
 * ECHO) arrives with ct state established and must pass the same hooks
 * (without the nat chains: conntrack applies the binding).  A ruleset that
 * drops established packets closes the port although every SYN passes.
 */
void eng_piece_release(struct engine_piece *p)
{
	region_free(p->region);
	free(p->steps);
	free(p->assumptions);
	free(p->chosen);
}

/* Two pieces that were let in the same way: one walk of the handshake
 * serves both. */
bool eng_same_path(const struct engine_piece *a,
	       const struct engine_piece *b)
{
	return a->fate == b->fate && a->nat == b->nat &&
	       a->nat_addr == b->nat_addr && a->nat_port == b->nat_port &&
	       a->nat_port_lo == b->nat_port_lo &&
	       a->nat_port_hi == b->nat_port_hi && a->oif == b->oif &&
	       a->ct_dnat == b->ct_dnat && a->direct == b->direct;
}

static bool route_back_keep(const void *ctx, const struct rpath_range *r,
			    const struct host_link *l)
{
	const struct walk *w = ctx;

	/* an answer to one of the host's own (or a broadcast, multicast)
	 * addresses stays in the host; being martian, the report drops
	 * those sources anyway (see eng_route()) */
	if (r->martian && !l->loopback && !r->uncertain)
		return !w->in->only_saddr;
	return r->uncertain || rpath_oif(r, l, false) != 0;
}

/* The answer goes toward the client's source address: from the host
 * itself (the local path), or from the backend (or the host, after undoing
 * a masquerade) on the forward path.  A source the host reaches on a link
 * (a route without a gateway: a container network's own subnet, the
 * backend's or another bridge's, another NIC's) other than the one the
 * probe came in on is answered on that link, not toward a stranger who
 * forged it: the bridge delivers the SYN-ACK to nobody, as for netavark's
 * "-s 10.88.0.0/16 -j ACCEPT" with FORWARD policy DROP, or an INPUT accept
 * of a container subnet without "-i podman0".  A route through a gateway
 * may still lead back to the sender (asymmetric uplinks): kept. */
static bool onlink(const struct host_route *rt)
{
	return rt->nnexthops && rt->nexthops && !rt->nexthops[0].gw_family &&
	       rt->nexthops[0].oif;
}

static bool link_back_keep(const void *ctx, const struct rpath_range *r,
			  const struct host_link *l)
{
	if (!route_back_keep(ctx, r, l))
		return false;
	return r->uncertain || !r->found || !r->route || r->martian ||
	       r->linklocal || r->oif == l->ifindex || !onlink(r->route);
}

/* b's NAT binding and outgoing interface as piece p was let in with. */
static void branch_as_piece(const struct walk *w, struct branch *b,
			    const struct engine_piece *p)
{
	const struct host_link *link;

	b->nat = p->nat;
	b->nat_addr = p->nat_addr;
	b->nat_port = p->nat_port;
	b->nat_port_lo = p->nat_port_lo;
	b->nat_port_hi = p->nat_port_hi;
	b->ct_dnat = p->ct_dnat;
	b->direct = p->direct;
	b->oif = p->oif;
	link = w->host && p->oif ? host_link_by_index(w->host, p->oif) : NULL;
	if (link) {
		b->oif_known = true;
		b->oif_key = rs_ifname_key(link->name);
	}
}

/* The real server of piece p when IPVS sends it there by masquerading
 * (NAT): its answer comes back through this host's forward path. */
static const struct host_ipvs_dest *masq_dest(const struct engine_piece *p)
{
	return p->ipvs_dest && !p->ipvs_sandbox &&
	       p->ipvs_dest->fwd == HOST_IPVS_MASQ ? p->ipvs_dest : NULL;
}

/* The real server this host sends piece p's packets to (masq, direct
 * routing, tunnel), whose way out the handshake walks: NULL for none. */
static const struct host_ipvs_dest *sent_dest(const struct engine_piece *p)
{
	if (!p->ipvs_dest || p->ipvs_sandbox)
		return NULL;
	switch (p->ipvs_dest->fwd) {
	case HOST_IPVS_MASQ:
	case HOST_IPVS_ROUTE:
	case HOST_IPVS_TUNNEL:
		return p->ipvs_dest;
	default:
		return NULL;
	}
}

/*
 * The answer of piece p's IPVS masq real server, for the branches of l:
 * it comes from the real server to the client, routed, and meets the
 * filter FORWARD chains with the real server's address and port as its
 * source before IPVS (FORWARD, priority 100: ip_vs_reply4()) gives it the
 * virtual service's back; postrouting sees that.  Conntrack knows it as
 * the connection's reply only with net.ipv4.vs.conntrack = 1 (IPVS then
 * rewrote the entry's reply tuple); with 0, the kernel's default, IPVS
 * took the client's packets out of conntrack, and the SYN-ACK finds no
 * entry: ct state invalid, which a stateful FORWARD drops.  Forward
 * chains from priority 100 on see the virtual service's address.
 */
static int ipvs_masq_answer(struct walk *w, const struct engine_piece *p,
			    struct blist *l, struct blist *drops)
{
	const struct host_ipvs_dest *d = masq_dest(p);
	bool tracked = w->host->sysctl.ipvs_conntrack == 1;
	size_t k;
	int ret = 0;

	for (k = 0; !ret && k < l->n; k++) {
		struct branch *b = l->b[k];

		ret = trace_add(w, b, ENGINE_HOOK_DELIVERY, NULL, NULL,
				RS_V_ACCEPT, tracked ?
				"the real server's answer (IPVS masq; ct state "
				"established, reply direction):" :
				"the real server's answer (IPVS masq; "
				"net.ipv4.vs.conntrack is not 1: no conntrack "
				"entry, ct state invalid):");
		b->nat = true;
		b->nat_addr = d->addr;
		if (d->port) {
			b->nat_port = true;
			b->nat_port_lo = b->nat_port_hi = d->port;
		}
		eng_ipvs_route_to(w, b, d);
		if (!tracked)
			b->ct_dnat = false;
	}
	w->reply = true;
	w->established = tracked;
	w->ct_invalid = !tracked;
	w->ipvs_reply = p;
	if (!ret)
		ret = eng_hook_run(w, NF_INET_FORWARD, l, drops);
	w->ipvs_reply = NULL;
	/* IPVS gave the answer the virtual service's address back (if no
	 * forward chain came after it, here) */
	for (k = 0; !ret && k < l->n; k++)
		eng_ipvs_vip_back(l->b[k], p);
	if (!ret)
		ret = eng_hook_run(w, NF_INET_POST_ROUTING, l, drops);
	w->reply = false;
	w->established = false;
	w->ct_invalid = false;
	return ret;
}

void eng_ipvs_vip_back(struct branch *b, const struct engine_piece *p)
{
	b->nat = p->nat;
	b->nat_addr = p->nat_addr;
	b->nat_port = p->nat_port;
	b->nat_port_lo = p->nat_port_lo;
	b->nat_port_hi = p->nat_port_hi;
}

/* Walk the handshake's other packets for the probes of region r (taken
 * over), let in like piece lead: the client's next packet in, the server's
 * answer out.  *ok becomes the branches whose connection completes (with
 * the assumptions the walk made on the way), *drops those whose connection
 * does not. */
static int handshake_walk(struct walk *w, size_t lead, struct region *r,
			  struct blist *ok, struct blist *drops)
{
	const struct engine_piece *p = &w->res->pieces[lead];
	enum engine_fate fate = p->fate;
	/* IPVS takes the client's packets at LOCAL_IN like the probe; a
	 * masq real server's answer comes back through the forward path
	 * (ipvs_masq_answer()); with route and tunnel it does not pass this
	 * host */
	bool ipvs = p->ipvs_dest && !p->ipvs_sandbox;
	struct blist l = { 0 };
	struct branch *b;
	size_t k;
	int ret = 0;

	b = calloc(1, sizeof(*b));
	if (!b) {
		region_free(r);
		return -ENOMEM;
	}
	b->r = r;
	branch_as_piece(w, b, p);
	ret = trace_add(w, b, ENGINE_HOOK_DELIVERY, NULL, NULL, RS_V_ACCEPT,
			"the client's next packet (ct state established):");
	if (!ret)
		ret = blist_push(&l, b);
	else
		branch_free(b);
	w->established = true;
	if (!ret)
		ret = eng_ingress_run(w, &l, drops);
	if (!ret)
		ret = eng_bridge_run(w, &l, drops);
	if (!ret)
		ret = eng_hook_run(w, NF_INET_PRE_ROUTING, &l, drops);
	if (!ret && (fate == ENGINE_LOCAL || ipvs))
		ret = eng_hook_run(w, NF_INET_LOCAL_IN, &l, drops);
	if (ipvs) {
		w->established = false;
		/* IPVS sends it on to a masq, direct-routing or tunnel
		 * real server through OUTPUT and POSTROUTING, as it did
		 * the probe */
		if (!ret && sent_dest(p)) {
			for (k = 0; k < l.n; k++) {
				l.b[k]->ipvs_out = p->ipvs_dest;
				l.b[k]->ipvs_out_svc = p->ipvs_svc;
			}
			ret = eng_ipvs_request_run(w, &l, drops, true);
			for (k = 0; k < l.n; k++)
				l.b[k]->ipvs_out = NULL;
		}
		if (!ret && masq_dest(p))
			ret = ipvs_masq_answer(w, p, &l, drops);
		if (ret)
			eng_blist_release(&l);
		*ok = l;
		return ret;
	}
	if (!ret && fate == ENGINE_FORWARDED)
		ret = eng_hook_run(w, NF_INET_FORWARD, &l, drops);
	if (!ret && fate == ENGINE_FORWARDED)
		ret = eng_hook_run(w, NF_INET_POST_ROUTING, &l, drops);
	if (!ret && fate == ENGINE_FORWARDED)
		ret = eng_bridge_out_run(w, &l, drops);
	for (k = 0; !ret && k < l.n; k++)
		ret = trace_add(w, l.b[k], ENGINE_HOOK_DELIVERY, NULL, NULL,
				RS_V_ACCEPT, "the server's answer (ct state "
				"established, reply direction):");
	w->reply = true;
	w->reply_local = fate == ENGINE_LOCAL;
	if (!ret && fate == ENGINE_LOCAL)
		ret = eng_hook_run(w, NF_INET_LOCAL_OUT, &l, drops);
	if (!ret && fate == ENGINE_FORWARDED)
		ret = eng_bridge_reply_run(w, &l, drops);
	if (!ret && fate == ENGINE_FORWARDED)
		ret = eng_hook_run(w, NF_INET_FORWARD, &l, drops);
	if (!ret)
		ret = eng_hook_run(w, NF_INET_POST_ROUTING, &l, drops);
	if (!ret)
		ret = eng_bridge_out_run(w, &l, drops);
	w->reply = false;
	w->established = false;
	if (ret)
		eng_blist_release(&l);
	*ok = l;
	return ret;
}

/* A piece for the probes part (taken over) of piece i whose handshake took
 * branch d, with the assumptions of both.  Dropped by d: a closed piece
 * whose path is i's, then d's, and why it is closed (NULL: the next packet
 * is dropped).  Let through by d (keep): i's fate and path; the
 * assumptions are what eng_classify() weighs against the drops. */
static int handshake_piece(struct walk *w, size_t i, const struct branch *d,
			   struct region *part, bool keep, const char *why)
{
	const struct snode *sn;
	const struct anode *an;
	const struct engine_step **steps;
	struct branch *b;
	size_t n, k;
	int ret = 0;

	b = calloc(1, sizeof(*b));
	n = d->trace ? d->trace->depth : 0;
	steps = calloc(n + 1, sizeof(*steps));
	if (!b || !steps) {
		free(b);
		free(steps);
		region_free(part);
		return -ENOMEM;
	}
	b->r = part;
	/* the first packet's choice: the next packet's own choices are
	 * made afresh and already taken as they best serve */
	b->choice = w->res->pieces[i].choice;
	b->path = w->res->pieces[i].path;
	if (keep) {
		branch_as_piece(w, b, &w->res->pieces[i]);
		n = 0;
	}
	for (sn = d->trace, k = n; sn && k; sn = sn->up)
		steps[--k] = &sn->s;
	for (k = 0; !ret && k < w->res->pieces[i].nsteps; k++) {
		const struct engine_step *s = &w->res->pieces[i].steps[k];

		ret = trace_add(w, b, s->hook, s->chain, s->rule, s->verdict,
				s->what);
	}
	for (k = 0; !ret && k < n; k++)
		ret = trace_add(w, b, steps[k]->hook, steps[k]->chain,
				steps[k]->rule, steps[k]->verdict,
				steps[k]->what);
	for (k = 0; !ret && k < w->res->pieces[i].nassumptions; k++) {
		const struct engine_assumption *a =
			&w->res->pieces[i].assumptions[k];

		ret = eng_assume_copy(w, b, a);
	}
	for (an = d->assume; !ret && an; an = an->up)
		ret = eng_assume_copy(w, b, &an->a);
	if (!ret && keep) {
		ret = eng_piece_add(w, b, w->res->pieces[i].fate,
				w->res->pieces[i].listener, NULL);
		/* (pieces may have moved) and the IPVS real server it
		 * goes to */
		if (!ret) {
			const struct engine_piece *o = &w->res->pieces[i];
			struct engine_piece *p =
				&w->res->pieces[w->res->npieces - 1];

			p->ipvs_svc = o->ipvs_svc;
			p->ipvs_dest = o->ipvs_dest;
			p->ipvs_sandbox = o->ipvs_sandbox;
		}
	} else if (!ret)
		ret = eng_piece_add(w, b, ENGINE_DROPPED, NULL, why ? why :
				"the connection's next packet is dropped");
	free(steps);
	branch_free(b);
	return ret;
}

/* Cut each TCP/SCTP piece from index from on that is let in down to the
 * probes whose whole handshake passes; the rest become closed pieces.
 * One walk per way of being let in (NAT binding, outgoing interface). */
static const struct engine_piece *path_base;

static int path_cmp(const void *a, const void *b)
{
	const struct engine_piece *x = &path_base[*(const size_t *)a];
	const struct engine_piece *y = &path_base[*(const size_t *)b];

#define PATH_CMP(f) if (x->f != y->f) return x->f < y->f ? -1 : 1
	PATH_CMP(fate);
	PATH_CMP(nat);
	PATH_CMP(nat_addr);
	PATH_CMP(nat_port);
	PATH_CMP(nat_port_lo);
	PATH_CMP(nat_port_hi);
	PATH_CMP(oif);
	PATH_CMP(ct_dnat);
	PATH_CMP(direct);
	/* what IPVS sends a real server (and a masq one's answer) is
	 * walked per real server */
	if (sent_dest(x) != sent_dest(y))
		return (uintptr_t)sent_dest(x) < (uintptr_t)sent_dest(y) ?
		       -1 : 1;
#undef PATH_CMP
	return *(const size_t *)a < *(const size_t *)b ? -1 :
	       *(const size_t *)a > *(const size_t *)b;
}

/* The probes of piece i that some branch of l (of the handshake) holds, as
 * pieces of their own: closed ones for the branches of drops, and for
 * the branches of ok (keep) that assumed something, i's fate with those
 * assumptions. */
static int handshake_split(struct walk *w, size_t i, const struct blist *l,
			   bool keep)
{
	struct region *part;
	size_t k;
	int ret = 0;

	for (k = 0; !ret && k < l->n; k++) {
		if (keep && !l->b[k]->assume)
			continue;
		part = region_copy(w->res->pieces[i].region);
		if (!part)
			return -ENOMEM;
		ret = region_intersect(part, l->b[k]->r);
		if (ret < 0 || region_is_empty(part)) {
			region_free(part);
			continue;
		}
		ret = handshake_piece(w, i, l->b[k], part, keep, NULL);
	}
	return ret;
}

/* The server's answer must be routed back to the client: the probes of
 * the pieces from..n-1 that are let in but whose source the host has no
 * route to become closed pieces.  Done piece by piece (|piece| * links),
 * before the walks: as a drop of the handshake walk it would cost an
 * intersection of every piece with what the walk let through. */
static int route_back(struct walk *w, size_t from, size_t n)
{
	static const char why[] = "the server's answer has no route back to "
				  "this source";
	static const char why_link[] = "the answer to this source goes out on "
				       "another link (a network the host "
				       "reaches directly), not back to the "
				       "sender";
	struct region *keep, *fail;
	const struct rpath *rp;
	struct branch *d, *dl;
	size_t i;
	int ret;

	rp = walk_rpath(w, &ret);
	if (!rp)
		return ret == -ENOMEM ? ret : 0;
	d = calloc(1, sizeof(*d));
	dl = calloc(1, sizeof(*dl));
	if (!d || !dl) {
		free(d);
		free(dl);
		return -ENOMEM;
	}
	ret = trace_add(w, d, ENGINE_HOOK_ROUTING, NULL, NULL, RS_V_DROP, why);
	if (!ret)
		ret = trace_add(w, dl, ENGINE_HOOK_ROUTING, NULL, NULL,
				RS_V_DROP, why_link);
	for (i = from; !ret && i < n; i++) {
		const struct engine_piece *p = &w->res->pieces[i];
		struct region *none = NULL, *link = NULL;

		if (p->fate == ENGINE_DROPPED)
			continue;
		ret = rpath_split(w, rp, p->region, link_back_keep, w, true,
				  &keep, &fail);
		if (ret < 0)
			break;
		region_free(w->res->pieces[i].region);
		w->res->pieces[i].region = keep;
		if (region_is_empty(fail)) {
			region_free(fail);
			continue;
		}
		/* no route at all, or another link */
		ret = rpath_split(w, rp, fail, route_back_keep, w, true, &link,
				  &none);
		region_free(fail);
		if (!ret && !region_is_empty(none))
			ret = handshake_piece(w, i, d, none, false, why);
		else
			region_free(none);
		if (!ret && !region_is_empty(link))
			ret = handshake_piece(w, i, dl, link, false, why_link);
		else
			region_free(link);
	}
	branch_free(d);
	branch_free(dl);
	return ret;
}

int eng_handshake(struct walk *w, size_t from)
{
	struct engine_result *res = w->res;
	size_t i, j, g, k, m = 0, n = res->npieces;
	struct blist drops = { 0 }, ok = { 0 };
	struct region *u, *acc;
	bool assumed_any, chose;
	size_t *ord;
	int ret = 0;

	if (w->proto != IPPROTO_TCP && w->proto != IPPROTO_SCTP)
		return 0;
	if (w->host) {
		ret = route_back(w, from, n);
		if (ret < 0)
			return ret;
	}
	ord = calloc(n - from + 1, sizeof(*ord));
	if (!ord)
		return -ENOMEM;
	for (i = from; i < n; i++)
		if (res->pieces[i].fate != ENGINE_DROPPED)
			ord[m++] = i;
	/* groups of pieces let in the same way are runs of this order */
	path_base = res->pieces;
	qsort(ord, m, sizeof(*ord), path_cmp);
	for (g = 0; g < m && !ret; g = j) {
		for (j = g + 1; j < m && eng_same_path(&res->pieces[ord[g]],
						   &res->pieces[ord[j]]) &&
			    sent_dest(&res->pieces[ord[g]]) ==
			    sent_dest(&res->pieces[ord[j]]); j++)
			;
		u = region_new_empty();
		if (!u) {
			ret = -ENOMEM;
			break;
		}
		for (i = g; i < j && !ret; i++)
			ret = region_union(u, res->pieces[ord[i]].region);
		if (ret < 0) {
			region_free(u);
			break;
		}
		ret = handshake_walk(w, ord[g], u, &ok, &drops);
		/* what completes without assuming anything stays as it is */
		acc = ret ? NULL : region_new_empty();
		if (!ret && !acc)
			ret = -ENOMEM;
		assumed_any = false;
		chose = false;
		for (k = 0; !ret && k < ok.n; k++) {
			chose |= ok.b[k]->choice != NULL;
			if (!ok.b[k]->assume)
				ret = region_union(acc, ok.b[k]->r);
			else
				assumed_any = true;
		}
		for (k = 0; !ret && k < drops.n; k++)
			chose |= drops.b[k]->choice != NULL;
		/* where the sender can choose a next packet that passes
		 * whatever the undecidable matches do, the next packets it
		 * would not choose change nothing */
		for (k = 0; !ret && chose && k < drops.n + ok.n; k++) {
			struct branch *x = k < drops.n ? drops.b[k] :
					   ok.b[k - drops.n];

			if (k < drops.n || x->assume)
				ret = region_subtract(x->r, acc);
		}
		for (i = g; !ret && i < j; i++) {
			ret = handshake_split(w, ord[i], &drops, false);
			if (!ret)
				ret = handshake_split(w, ord[i], &ok, true);
			/* nothing dropped and nothing assumed: every probe of
			 * the group passed, and the intersection would cost
			 * |piece| * |acc| */
			if (!ret && (drops.n || assumed_any))
				ret = region_intersect(res->pieces[ord[i]].region,
						       acc);
		}
		region_free(acc);
		eng_blist_release(&ok);
		eng_blist_release(&drops);
	}
	free(ord);
	for (i = from, k = from; i < res->npieces; i++) {
		if (i < n && region_is_empty(res->pieces[i].region)) {
			eng_piece_release(&res->pieces[i]);
			continue;
		}
		res->pieces[k++] = res->pieces[i];
	}
	res->npieces = k;
	return ret;
}


/* ---------------------------------------------------------------------
 * The host's own answer to a probe: an RST where nothing listens, an
 * ICMP port unreachable, a reject's answer.  It leaves through the output
 * and postrouting hooks like a server's answer (without the nat chains:
 * it belongs to the probe's connection), and a host that drops it there
 * is silent although the probe got in.
 */
int engine_answer(const struct ruleset *rs, const struct host *h,
		  const struct engine_answer_query *q,
		  enum engine_answer_fate *out)
{
	struct engine_input in = { .rs = rs, .host = h };
	struct blist l = { 0 }, drops = { 0 };
	bool left = false, dropped = false, assumed = false;
	struct engine_result *res;
	struct region_box box;
	struct branch *b;
	struct walk w;
	size_t k;
	int ret, d;

	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	ret = eng_walk_init(&w, &in, res);
	if (ret < 0)
		goto out;
	w.family = q->family;
	w.proto = q->proto;
	for (d = 0; d < REGION_NDIMS; d++)
		box.iv[d].lo = box.iv[d].hi = 0;
	box.iv[REGION_SADDR].lo = box.iv[REGION_SADDR].hi = q->saddr;
	box.iv[REGION_SPORT].lo = box.iv[REGION_SPORT].hi = q->sport;
	box.iv[REGION_DPORT].lo = box.iv[REGION_DPORT].hi = q->dport;
	box.iv[REGION_DADDR].lo = box.iv[REGION_DADDR].hi = q->daddr;
	box.iv[REGION_IIF].lo = box.iv[REGION_IIF].hi = q->iif;
	ret = -ENOMEM;
	b = calloc(1, sizeof(*b));
	if (!b)
		goto out;
	b->r = region_new_full(q->family);
	if (!b->r || region_intersect_box(b->r, &box) < 0) {
		branch_free(b);
		goto out;
	}
	if (blist_push(&l, b) < 0)
		goto out;
	w.established = true;
	w.reply = true;
	w.reply_local = true;
	w.answer = true;
	w.answer_kind = q->kind;
	ret = eng_hook_run(&w, NF_INET_LOCAL_OUT, &l, &drops);
	if (!ret)
		ret = eng_hook_run(&w, NF_INET_POST_ROUTING, &l, &drops);
	if (!ret)
		ret = eng_bridge_out_run(&w, &l, &drops);
	if (ret == -ENOMEM && w.branches > BRANCHES_MAX)
		ret = -E2BIG;
	if (ret < 0)
		goto out;
	for (k = 0; k < l.n + drops.n; k++) {
		const struct branch *x = k < l.n ? l.b[k] : drops.b[k - l.n];

		if (region_is_empty(x->r))
			continue;
		if (k < l.n)
			left = true;
		else
			dropped = true;
		assumed |= x->assume != NULL;
	}
	*out = assumed || (left && dropped) ? ENGINE_ANSWER_POSSIBLE :
	       dropped ? ENGINE_ANSWER_DROPPED : ENGINE_ANSWER_LEAVES;
out:
	eng_blist_release(&l);
	eng_blist_release(&drops);
	eng_walk_fini(&w);
	engine_result_free(res);
	return ret;
}
