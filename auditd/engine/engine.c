// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * engine.c - the symbolic walk of probes through the netfilter hooks.
 *
 * A branch is a region of probes that has taken the same path so far, with
 * what that path did to them (DNAT, marks, conntrack) and why (the trace,
 * and the assumptions made on matches we cannot decide).  Each rule splits
 * a branch into the part it matches and the part it does not; the kernel's
 * order of hooks and priorities decides what runs next.
 *
 * This file: engine_run(), the probes of one family and protocol and the
 * walk of one of them.  The parts (walk.h, private to engine/): branch.c
 * (branches and their persistent lists), matches.c (a rule's matches
 * against a region), rules.c, chains.c (chains, verdicts, NAT, hooks),
 * route.c (routing, martians, rp_filter, forwarding), nd.c (IPv6
 * neighbour discovery), handshake.c (the answer's way back), result.c
 * (pieces and certainty).
 */
#include "walk.h"

/* ---------------------------------------------------------------------
 * The probes of one family and protocol.
 */
int eng_box_add(struct region *r, rs_u128 iif_lo, rs_u128 iif_hi,
	    rs_u128 d_lo, rs_u128 d_hi)
{
	struct region_box box;
	int i;

	for (i = 0; i < REGION_NDIMS; i++) {
		box.iv[i].lo = 0;
		box.iv[i].hi = ~(rs_u128)0;
	}
	box.iv[REGION_IIF].lo = iif_lo;
	box.iv[REGION_IIF].hi = iif_hi;
	box.iv[REGION_DADDR].lo = d_lo;
	box.iv[REGION_DADDR].hi = d_hi;
	return region_add_box(r, &box);
}

/* The ingress interfaces as name intervals: --interface, the host's, or
 * every name. */
int eng_ingress_keys(const struct walk *w, struct rs_interval **out,
		 size_t *n)
{
	const struct engine_input *in = w->in;
	struct rs_interval iv;
	size_t i, cap = 0;
	int *idx = NULL;
	size_t nidx = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (in->nifaces) {
		for (i = 0; i < in->nifaces && !ret; i++) {
			size_t len = strlen(in->ifaces[i]);
			bool wild = len && (in->ifaces[i][len - 1] == '+' ||
					    in->ifaces[i][len - 1] == '*');
			char name[RS_IFNAMSIZ + 1];

			snprintf(name, sizeof(name), "%.*s",
				 (int)(wild ? len - 1 : len), in->ifaces[i]);
			iv = rs_ifname_interval(name, wild);
			ret = iv_push(out, n, &cap, &iv);
		}
		return ret;
	}
	if (!w->host) {
		struct rs_interval lo = rs_ifname_interval("lo", false);

		/* every name but loopback: no stranger's packet arrives
		 * there, and the kernel drops a martian one that claims to */
		iv.lo = 0;
		iv.hi = lo.lo - 1;
		ret = iv_push(out, n, &cap, &iv);
		iv.lo = lo.hi + 1;
		iv.hi = ~(rs_u128)0;
		return ret ? ret : iv_push(out, n, &cap, &iv);
	}
	ret = host_ingress_interfaces(w->host, &idx, &nidx);
	for (i = 0; i < nidx && !ret; i++) {
		const struct host_link *l = host_link_by_index(w->host, idx[i]);

		if (!l)
			continue;
		iv = rs_ifname_interval(l->name, false);
		ret = iv_push(out, n, &cap, &iv);
	}
	free(idx);
	return ret;
}

static int probe_restrict(const struct walk *w, struct region *r);

static int initial_region(struct walk *w, struct region **out)
{
	struct region *r, *dom = NULL;
	struct rs_interval *ifs = NULL;
	size_t nifs, i, k;
	int ret;

	r = region_new_full(w->family);
	if (!r)
		return -ENOMEM;
	ret = eng_ingress_keys(w, &ifs, &nifs);
	if (ret < 0)
		goto out;
	dom = region_new_empty();
	if (!dom) {
		ret = -ENOMEM;
		goto out;
	}
	if (!w->host) {
		/* any local address: everything but what cannot be a
		 * host's unicast address from outside */
		for (k = 0; k < nifs && !ret; k++) {
			if (is_v4(w)) {
				ret = eng_box_add(dom, ifs[k].lo, ifs[k].hi,
					      0x01000000, 0x7effffff);
				if (!ret)
					ret = eng_box_add(dom, ifs[k].lo, ifs[k].hi,
						      0x80000000, 0xdfffffff);
			} else {
				ret = eng_box_add(dom, ifs[k].lo, ifs[k].hi, 2,
					      ((rs_u128)0xff << 120) - 1);
			}
		}
	} else {
		for (i = 0; i < w->host->naddrs && !ret; i++) {
			const struct host_addr *a = &w->host->addrs[i];
			const struct host_link *l;

			if (a->family != w->family || is_loopback(w, a->addr))
				continue;
			l = host_link_by_index(w->host, a->ifindex);
			for (k = 0; k < nifs && !ret; k++) {
				rs_u128 lo = ifs[k].lo, hi = ifs[k].hi;

				/* a link-local address is reachable only
				 * on its own link */
				if (a->scope == RT_SCOPE_LINK) {
					if (!l)
						continue;
					lo = hi = rs_ifname_key(l->name);
					if (lo < ifs[k].lo || lo > ifs[k].hi)
						continue;
				}
				ret = eng_box_add(dom, lo, hi, a->addr, a->addr);
			}
		}
		/* route_localnet makes 127.0.0.0/8 reachable from that
		 * interface (kube-proxy's CVE-2020-8558) */
		for (k = 0; k < nifs && !ret && is_v4(w); k++) {
			for (i = 0; i < w->host->nlinks; i++) {
				const struct host_link *l = &w->host->links[i];
				rs_u128 key = rs_ifname_key(l->name);

				if (key < ifs[k].lo || key > ifs[k].hi ||
				    host_route_localnet(w->host, l->ifindex) != 1)
					continue;
				ret = eng_box_add(dom, key, key, 0x7f000000,
					      0x7fffffff);
				if (ret < 0)
					break;
			}
		}
	}
	if (ret < 0)
		goto out;
	ret = region_intersect(r, dom);
	if (!ret)
		ret = probe_restrict(w, r);
out:
	free(ifs);
	region_free(dom);
	if (ret < 0) {
		region_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

/* What every probe region is narrowed to: the probes explain asks for,
 * sources of the family, and (explain --from) the IPv6 sources no hook
 * ever sees. */
static int probe_restrict(const struct walk *w, struct region *r)
{
	const struct engine_input *in = w->in;
	struct region_box box;
	rs_u128 top = is_v4(w) ? 0xffffffffu : ~(rs_u128)0;
	size_t i, k;
	int ret;

	for (i = 0; i < REGION_NDIMS; i++) {
		box.iv[i].lo = 0;
		box.iv[i].hi = ~(rs_u128)0;
	}
	if (in->only_dport)
		box.iv[REGION_DPORT].lo = box.iv[REGION_DPORT].hi = in->dport;
	if (in->only_saddr)
		box.iv[REGION_SADDR].lo = box.iv[REGION_SADDR].hi = in->saddr;
	if (in->only_daddr)
		box.iv[REGION_DADDR].lo = box.iv[REGION_DADDR].hi = in->daddr;
	box.iv[REGION_SADDR].hi = box.iv[REGION_SADDR].hi > top ?
				  top : box.iv[REGION_SADDR].hi;
	ret = region_intersect_box(r, &box);
	if (!ret && !is_v4(w) && in->only_saddr) {
		/* ip6_rcv_core() drops loopback, IPv4-mapped and multicast
		 * sources before any hook sees them (a whole audit leaves
		 * them to the report: see eng_route()) */
		static const struct rs_interval never[] = {
			{ 1, 1 },
			{ (rs_u128)0xffff << 32,
			  ((rs_u128)0xffff << 32) | 0xffffffff },
			{ (rs_u128)0xff << 120, ~(rs_u128)0 },
		};

		for (i = 0; i < 3 && !ret; i++) {
			for (k = 0; k < REGION_NDIMS; k++) {
				box.iv[k].lo = 0;
				box.iv[k].hi = ~(rs_u128)0;
			}
			box.iv[REGION_SADDR] = never[i];
			ret = region_subtract_box(r, &box);
		}
	}
	return ret;
}
/* Is rt a container network the host routes for: a connected (no
 * gateway) unicast route of the main table to a link that is neither an
 * ingress link nor loopback (docker0, br-<id>, cni0, podman0...)?  Its
 * link, or NULL. */
static const struct host_link *direct_link(const struct walk *w,
					   const struct host_route *rt,
					   const struct rs_interval *ifs,
					   size_t nifs)
{
	const struct host_link *l;
	rs_u128 key;
	size_t k;

	if (rt->family != w->family || rt->table != RT_TABLE_MAIN ||
	    rt->type != RTN_UNICAST || rt->nnexthops != 1 ||
	    rt->nexthops[0].gw_family || !rt->nexthops[0].oif || rt->src_len)
		return NULL;
	/* not a default route through a link, not a scope the host does
	 * not forward (link-local, multicast, loopback) */
	if (is_v4(w) ? rt->dst_len < 8 || (rt->dst >> 28) >= 0xe ||
		       (rt->dst >> 24) == 127 || (rt->dst >> 24) == 0 :
		       rt->dst_len < 16 || (rt->dst >> 118) == 0x3fa ||
		       (rt->dst >> 120) == 0xff)
		return NULL;
	l = host_link_by_index(w->host, rt->nexthops[0].oif);
	if (!l || l->loopback || host_link_is_ingress(w->host, l))
		return NULL;
	key = rs_ifname_key(l->name);
	for (k = 0; k < nifs; k++)
		if (in_iv(key, &ifs[k]))
			return NULL;
	return l;
}

/*
 * The probes a neighbour on an ingress link sends to a container network
 * when it routes that network's prefix via this host (Docker's "direct
 * routing", moby#45610): one branch per connected route of a container
 * bridge, addressed to the route's addresses but the host's own and
 * the broadcast ones (eng_martian_list()), onto l.  Their walk is
 * the probes' walk; eng_route() forwards them (they are not local) and the
 * fib daddr type they meet is unicast, not local.
 */
static int direct_branches(struct walk *w, struct blist *l)
{
	struct rs_interval *ifs = NULL, *mart = NULL;
	struct region *r = NULL, *dom = NULL, *taken = NULL, *cut = NULL;
	size_t nifs = 0, nmart = 0, i, k;
	struct branch *b;
	int ret;

	if (!w->host)
		return 0;
	ret = eng_ingress_keys(w, &ifs, &nifs);
	if (!ret)
		ret = eng_martian_list(w->host, w->family, true, &mart, &nmart);
	taken = ret ? NULL : region_new_empty();
	if (!ret && !taken)
		ret = -ENOMEM;
	for (i = 0; !ret && i < w->host->nroutes; i++) {
		const struct host_route *rt = &w->host->routes[i];
		unsigned int width = (is_v4(w) ? 32 : 128) - rt->dst_len;
		rs_u128 lo, hi, first;

		if (!direct_link(w, rt, ifs, nifs))
			continue;
		lo = rt->dst;
		hi = width >= 128 ? ~(rs_u128)0 :
		     lo | (((rs_u128)1 << width) - 1);
		dom = region_new_empty();
		r = region_new_full(w->family);
		if (!dom || !r) {
			ret = -ENOMEM;
			break;
		}
		for (k = 0; k < nifs && !ret; k++)
			ret = eng_box_add(dom, ifs[k].lo, ifs[k].hi, lo, hi);
		if (!ret)
			ret = region_intersect(r, dom);
		/* the host's own addresses are the ordinary probes' */
		if (!ret)
			ret = region_split_off(r, REGION_DADDR, mart, nmart, &cut);
		region_free(cut);
		cut = NULL;
		/* a prefix on two links: the first route takes it */
		if (!ret)
			ret = region_subtract(r, taken);
		if (!ret)
			ret = region_union(taken, dom);
		if (!ret && !is_v4(w) && w->nnd_dead) {
			ret = region_split_off(r, REGION_IIF, w->nd_dead,
					       w->nnd_dead, &cut);
			region_free(cut);
			cut = NULL;
		}
		if (!ret)
			ret = probe_restrict(w, r);
		region_free(dom);
		dom = NULL;
		if (ret < 0 || region_is_empty(r)) {
			region_free(r);
			r = NULL;
			continue;
		}
		/* the route's first address that is not the host's */
		for (first = lo, k = 0; k < nmart; k++)
			if (mart[k].lo <= first && first <= mart[k].hi &&
			    mart[k].hi != ~(rs_u128)0)
				first = mart[k].hi + 1;
		b = calloc(1, sizeof(*b));
		if (!b) {
			ret = -ENOMEM;
			break;
		}
		b->r = r;
		r = NULL;
		b->direct = true;
		b->direct_addr = first;
		ret = blist_push(l, b);
	}
	region_free(r);
	region_free(dom);
	region_free(taken);
	free(ifs);
	free(mart);
	return ret;
}

static int walk_one(struct walk *w)
{
	struct blist l = { 0 }, local = { 0 }, fwd = { 0 }, dropped = { 0 };
	struct branch *b;
	struct region *r, *cut = NULL;
	int resumed;
	size_t i;
	int ret;

	if (!is_v4(w) && !w->nd_done) {
		ret = eng_nd_check(w);
		if (ret < 0)
			return ret;
	}
	w->from = w->res->npieces;
	ret = eng_resume_start(w, &local, &fwd, &resumed);
	if (ret < 0)
		return ret;
	if (resumed) {
		/* the kept pieces of the other paths are in; from LOCAL_IN
		 * with the kept local branches, or from FORWARD with the
		 * kept forwarded ones (the other list stays empty) */
		w->from = w->res->npieces;
		goto routed;
	}
	ret = initial_region(w, &r);
	if (ret < 0)
		return ret;
	if (!is_v4(w) && w->nnd_dead)
		ret = region_split_off(r, REGION_IIF, w->nd_dead, w->nnd_dead,
				       &cut);
	if (ret < 0) {
		region_free(r);
		return ret;
	}
	if (cut && !region_is_empty(cut)) {
		static const char why[] = "neighbour discovery: the ruleset "
			"drops ICMPv6 neighbour solicitations or advertisements "
			"on this interface, so no IPv6 packet gets here";

		b = calloc(1, sizeof(*b));
		if (!b) {
			region_free(cut);
			region_free(r);
			return -ENOMEM;
		}
		b->r = cut;
		ret = eng_routing_drop(w, b, why);
		branch_free(b);
		if (ret < 0) {
			region_free(r);
			return ret;
		}
	} else {
		region_free(cut);
	}
	if (!region_is_empty(r)) {
		b = calloc(1, sizeof(*b));
		if (!b) {
			region_free(r);
			return -ENOMEM;
		}
		b->r = r;
		ret = blist_push(&l, b);
	} else {
		region_free(r);
	}
	if (!ret)
		ret = direct_branches(w, &l);
	if (!ret)
		ret = eng_ingress_run(w, &l, &dropped);
	if (!ret)
		ret = eng_bridge_run(w, &l, &dropped);
	if (!ret)
		ret = eng_hook_run(w, NF_INET_PRE_ROUTING, &l, &dropped);
	for (i = 0; !ret && i < l.n; i++) {
		b = l.b[i];
		l.b[i] = NULL;
		ret = eng_route(w, b, &local, &fwd);
	}
	eng_blist_release(&l);
	for (i = 0; i < local.n; i++)
		local.b[i]->path = ENGINE_PATH_LOCAL;
	for (i = 0; i < fwd.n; i++)
		fwd.b[i]->path = ENGINE_PATH_FORWARD;
routed:
	if (!ret)
		ret = eng_resume_save(w, resumed, &local, &fwd);
	if (!ret)
		ret = eng_hook_run(w, NF_INET_LOCAL_IN, &local, &dropped);
	for (i = 0; !ret && i < local.n; i++) {
		b = local.b[i];
		local.b[i] = NULL;
		ret = eng_deliver_local(w, b);
	}
	if (!ret)
		ret = eng_ipvs_out_run(w, &dropped);
	if (!ret)
		ret = eng_hook_run(w, NF_INET_FORWARD, &fwd, &dropped);
	if (!ret)
		ret = eng_hook_run(w, NF_INET_POST_ROUTING, &fwd, &dropped);
	if (!ret)
		ret = eng_bridge_out_run(w, &fwd, &dropped);
	for (i = 0; !ret && i < fwd.n; i++) {
		ret = eng_swarm_take(w, fwd.b[i]);
		if (ret < 0 || region_is_empty(fwd.b[i]->r))
			continue;
		ret = trace_add(w, fwd.b[i], ENGINE_HOOK_DELIVERY, NULL, NULL,
				RS_V_ACCEPT, fwd.b[i]->nat ?
				"forwarded to the backend" :
				"forwarded to the container network");
		if (!ret)
			ret = eng_piece_add(w, fwd.b[i], ENGINE_FORWARDED, NULL,
					NULL);
	}
	if (!ret)
		ret = eng_drop_all(w, &dropped, NULL);
	eng_blist_release(&local);
	eng_blist_release(&fwd);
	eng_blist_release(&dropped);
	eng_blist_release(&w->ipvs_out);
	return ret;
}

/* What the tc filters of lk's ingress mean for the answer: walked like
 * rules, or (the first one fwaudit cannot walk, and why) what arrives
 * past it is possible. */
static int tc_note(struct engine_result *res, const struct host *h,
		   const struct host_link *lk)
{
	const struct host_tcf *first = NULL;
	unsigned int walked = 0;
	char note[400], d[64];
	size_t i;

	for (i = 0; i < h->ntcfs; i++) {
		if (h->tcfs[i].ifindex != lk->ifindex)
			continue;
		if (!h->tcfs[i].decoded && !first)
			first = &h->tcfs[i];
		if (!first)
			walked++;
	}
	if (!first) {
		snprintf(note, sizeof(note), "%s: %u tc ingress filter%s run "
			 "before netfilter; fwaudit walks %s like rules",
			 lk->name, lk->tc_filters,
			 lk->tc_filters > 1 ? "s" : "",
			 lk->tc_filters > 1 ? "them" : "it");
		return eng_result_note(res, note);
	}
	host_tcf_describe(first, d, sizeof(d));
	snprintf(note, sizeof(note), "%s: %u tc ingress filter%s (%s) run "
		 "before netfilter and fwaudit cannot read what %s "
		 "(%s): what arrives there is possible, not definite",
		 lk->name, lk->tc_filters, lk->tc_filters > 1 ? "s" : "", d,
		 walked ? "the filters from there on drop" : "they drop",
		 first->why);
	return eng_result_note(res, note);
}

/* h's netfilter BPF programs as indexes into h->nfbpf, by priority (a
 * stable insertion sort: at most HOST_NFBPF_MAX), in a new array. */
static int nfbpf_order(const struct host *h, size_t **out)
{
	size_t *v, i, k;

	v = calloc(h->nnfbpf, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < h->nnfbpf; i++) {
		for (k = i; k > 0 && h->nfbpf[v[k - 1]].priority >
				     h->nfbpf[i].priority; k--)
			v[k] = v[k - 1];
		v[k] = i;
	}
	*out = v;
	return 0;
}

/* A note per ingress bridge with ports: its bridge family chains are
 * walked (eng_bridge_run()), and what br_netfilter adds. */
static int bridge_notes(const struct host *h, struct engine_result *res)
{
	const struct host_sysctl *s = &h->sysctl;
	char note[700];
	size_t i, k;
	int ret = 0;

	for (i = 0; i < h->nlinks && !ret; i++) {
		const struct host_link *l = &h->links[i], *port = NULL;
		char where[64];
		size_t ports = 0;

		if (strcmp(l->kind, "bridge") || !host_link_is_ingress(h, l))
			continue;
		for (k = 0; k < h->nlinks; k++)
			if (h->links[k].master == l->ifindex) {
				port = &h->links[k];
				ports++;
			}
		if (!ports)
			continue;
		/* one port: a stranger's frame came in through it, and
		 * chains.c decides a rule on its name */
		if (ports == 1)
			snprintf(where, sizeof(where), "which came in through %s",
				 port->name);
		else
			snprintf(where, sizeof(where), "where the port it came "
				 "in on is not known");
		snprintf(note, sizeof(note), "%s is a bridge with %zu port%s: "
			 "what arrives there meets the bridge family's "
			 "prerouting and input chains first (nftables `table "
			 "bridge`, ebtables-nft, ebtables-legacy), %s, and the "
			 "answers leave through its output and postrouting "
			 "chains%s",
			 l->name, ports, ports > 1 ? "s" : "", where,
			 s->bridge_nf_call_iptables == 1 ||
			 s->bridge_nf_call_ip6tables == 1 ?
			 "; br_netfilter (net.bridge.bridge-nf-call-iptables) "
			 "also sends frames bridged between its ports through "
			 "the inet hooks, which changes nothing for what "
			 "reaches this host" : "");
		ret = eng_result_note(res, note);
	}
	return ret;
}

/* Does a bridge family base chain at hook filter anything (a rule, or a
 * drop policy)?  Empty accepting ones (ebtables makes filter FORWARD and
 * OUTPUT with its first rule) change nothing. */
static bool bridge_chain_filters(const struct rs_chain *c, uint32_t hook)
{
	return c->base && c->family == NFPROTO_BRIDGE && c->hook == hook &&
	       (c->nrules || c->policy == RS_V_DROP);
}

/* The notes of the bridges the host forwards through: a bridge that is
 * not an ingress link, with ports, where the bridge family's output or
 * postrouting chains filter (walked: eng_bridge_out_run()), and the
 * bridge family's forward chains, which are not walked. */
static int bridge_fwd_notes(const struct ruleset *rs, const struct host *h,
			    struct engine_result *res)
{
	char note[700], names[300], where[200];
	bool out = false;
	size_t i, k, len = 0, nfwd = 0;
	int ret = 0;

	names[0] = 0;
	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		out |= bridge_chain_filters(c, NF_BR_LOCAL_OUT) ||
		       bridge_chain_filters(c, NF_BR_POST_ROUTING);
		if (!bridge_chain_filters(c, NF_BR_FORWARD))
			continue;
		if (nfwd++ < 4 && len < sizeof(names))
			len += (size_t)snprintf(names + len, sizeof(names) - len,
						"%s%s %s", nfwd > 1 ? ", " : "",
						c->table, c->name);
	}
	for (i = 0; out && i < h->nlinks && !ret; i++) {
		const struct host_link *l = &h->links[i], *port = NULL;
		size_t ports = 0;

		if (strcmp(l->kind, "bridge") || host_link_is_ingress(h, l))
			continue;
		for (k = 0; k < h->nlinks; k++)
			if (h->links[k].master == l->ifindex) {
				port = &h->links[k];
				ports++;
			}
		if (!ports)
			continue;
		if (ports == 1)
			snprintf(where, sizeof(where), "leaving through its "
				 "only port %s", port->name);
		else
			snprintf(where, sizeof(where), "leaving through a port "
				 "not known here (a rule on it is undecided)");
		snprintf(note, sizeof(note), "%s is a bridge the host forwards "
			 "through (%zu port%s): what it forwards there meets the "
			 "bridge family's output and postrouting chains, %s, and "
			 "the answer its prerouting and input chains",
			 l->name, ports, ports > 1 ? "s" : "", where);
		ret = eng_result_note(res, note);
	}
	if (!ret && nfwd) {
		snprintf(note, sizeof(note), "the bridge family's forward "
			 "chain%s %s%s filter%s frames bridged from one port of "
			 "a bridge to another (a VM or container bridged to the "
			 "LAN, one container to another): fwaudit does not walk "
			 "%s, and reports nothing about the addresses behind "
			 "those ports that are not the host's own",
			 nfwd > 1 ? "s" : "", names, nfwd > 4 ? ", ..." : "",
			 nfwd > 1 ? "" : "s", nfwd > 1 ? "them" : "it");
		ret = eng_result_note(res, note);
	}
	return ret;
}

/* The notes of the netfilter BPF programs: each named, and why they were
 * not all read. */
static int nfbpf_notes(const struct host *h, struct engine_result *res)
{
	char note[400];
	size_t i;
	int ret = 0;

	for (i = 0; i < h->nnfbpf && !ret; i++) {
		const struct host_nfbpf *p = &h->nfbpf[i];

		snprintf(note, sizeof(note), "a netfilter BPF program (id %u, "
			 "%s, tag %s, link %u) on %s %s at priority %d sees "
			 "those packets and fwaudit cannot read what it drops: "
			 "what passes there is possible, not definite",
			 p->prog_id, p->name[0] ? p->name : "no name",
			 p->tag[0] ? p->tag : "?", p->link_id,
			 host_nfproto_name(p->pf), host_nfhook_name(p->hooknum),
			 (int)p->priority);
		ret = eng_result_note(res, note);
	}
	if (!ret && h->nfbpf_error) {
		snprintf(note, sizeof(note), "BPF programs on netfilter hooks "
			 "(netfilter BPF links) were not all checked: %s%s",
			 strerror(-h->nfbpf_error),
			 h->nfbpf_error == -EPERM ?
			 " (iterating BPF links takes CAP_SYS_ADMIN)" : "");
		ret = eng_result_note(res, note);
	}
	return ret;
}

int eng_walk_init(struct walk *w, const struct engine_input *in,
	      struct engine_result *res)
{
	size_t i;
	int ret;

	memset(w, 0, sizeof(*w));
	w->in = in;
	w->host = in->host;
	w->res = res;
	ret = eng_chain_index_build(w);
	if (ret < 0)
		return ret;
	if (in->host && in->host->nnfbpf) {
		ret = nfbpf_order(in->host, &w->nfbpf_order);
		if (ret < 0)
			return ret;
	}
	w->rpath = calloc(2, sizeof(*w->rpath));
	w->rpath_err = calloc(2, sizeof(*w->rpath_err));
	if (!w->rpath || !w->rpath_err)
		return -ENOMEM;
	/* optional: without it chains are walked rule by rule */
	w->dindex = calloc(2 * in->rs->nchains + 1, sizeof(*w->dindex));
	/* optional too: without it every jump looks its target up */
	w->jumps = calloc(in->rs->nchains + 1, sizeof(*w->jumps));
	w->ingress = calloc(w->nbases + 1, sizeof(*w->ingress));
	if (!w->ingress)
		return -ENOMEM;
	for (i = 0; i < w->nbases; i++) {
		const struct rs_chain *ch = w->bases[i];

		if (ch->base && ch->device &&
		    ((ch->family == NFPROTO_NETDEV &&
		      ch->hook == NF_NETDEV_INGRESS) ||
		     (ch->family == NFPROTO_INET && ch->hook == 5)))
			w->ingress[w->ningress++] = ch;
	}
	return 0;
}

void eng_walk_fini(struct walk *w)
{
	size_t i, f, p;

	arena_free(&w->arena);
	for (i = 0; w->dindex && i < 2 * w->in->rs->nchains; i++)
		eng_daddr_index_free(w->dindex[i]);
	free(w->dindex);
	arena_free(&w->jarena);
	free(w->jumps);
	free(w->cindex);
	free(w->nindex);
	free(w->bases);
	for (i = 0; w->rpath && i < 2; i++)
		rpath_free(w->rpath[i]);
	free(w->rpath);
	free(w->rpath_err);
	free(w->nd_dead);
	free(w->ingress);
	free(w->nfbpf_order);
	eng_rebase_free(w->rebase);
	for (f = 0; f < 2; f++)
		for (p = 0; p < NF_INET_NUMHOOKS; p++)
			free(w->hooks[f][p].chains);
	for (p = 0; p < sizeof(w->brhooks) / sizeof(w->brhooks[0]); p++)
		free(w->brhooks[p].chains);
}

int engine_run(const struct engine_input *in, struct engine_result **out)
{
	static const uint8_t families[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
					  IPPROTO_SCTP };
	struct engine_result *res;
	struct walk w;
	size_t f, p, i, k, start;
	int ret = 0;

	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	res->symbolic = !in->host;
	ret = eng_walk_init(&w, in, res);
	if (!ret && in->keep_resume)
		ret = eng_resume_new(in, &res->resume);
	if (!ret)
		ret = eng_resume_check(&w);
	if (ret < 0)
		goto out;

	for (f = 0; f < 2 && !ret; f++) {
		ret = eng_martian_list(in->host, families[f], true,
				   &res->martians[f], &res->nmartians[f]);
		if (!ret)
			ret = eng_linknet_list(in->host, families[f],
					   &res->linknets[f], &res->nlinknets[f]);
	}
	for (i = 0; !ret && in->host && i < in->host->nlinks; i++) {
		const struct host_link *lk = &in->host->links[i];
		char note[400];

		if (lk->loopback)
			continue;
		if (lk->xdp_prog) {
			snprintf(note, sizeof(note), "%s: an XDP program (id "
				 "%u, %s) sees every packet first and fwaudit "
				 "cannot read what it drops: what arrives there "
				 "is possible, not definite", lk->name,
				 lk->xdp_prog, host_xdp_mode_name(lk->xdp_mode));
			ret = eng_result_note(res, note);
		}
		if (!ret && lk->tc_filters)
			ret = tc_note(res, in->host, lk);
		if (!ret && lk->tcx_progs) {
			bool many = lk->tcx_progs > 1;

			snprintf(note, sizeof(note), "%s: %u %s BPF program%s "
				 "(first id %u) %s every packet before netfilter "
				 "and fwaudit cannot read what %s: what "
				 "arrives there is possible, not definite",
				 lk->name, lk->tcx_progs,
				 strcmp(lk->kind, "netkit") ? "tcx" : "netkit",
				 many ? "s" : "", lk->tcx_prog,
				 many ? "see" : "sees",
				 many ? "they drop" : "it drops");
			ret = eng_result_note(res, note);
		}
	}
	for (i = 0; !ret && in->host && i < in->host->nlisteners; i++) {
		const struct host_listener *l = &in->host->listeners[i];
		char note[600];

		if (!l->cgroup_progs)
			continue;
		bool many = l->cgroup_progs > 1;

		snprintf(note, sizeof(note), "%s (pid %d) on port %u: %u "
			 "cgroup ingress BPF program%s (first id %u) of %s %s "
			 "its packets after netfilter and fwaudit cannot read "
			 "what %s (systemd's IPAddressDeny= is one): what "
			 "reaches it is possible, not definite",
			 l->comm ? l->comm : "?", (int)l->pid, l->port,
			 l->cgroup_progs, many ? "s" : "", l->cgroup_prog,
			 l->cgroup ? l->cgroup : "?", many ? "see" : "sees",
			 many ? "they drop" : "it drops");
		ret = eng_result_note(res, note);
	}
	if (!ret && in->host)
		ret = nfbpf_notes(in->host, res);
	if (!ret && in->host)
		ret = bridge_notes(in->host, res);
	if (!ret && in->host)
		ret = bridge_fwd_notes(in->rs, in->host, res);
	if (!ret && in->host && in->host->bpf_error) {
		char note[300];

		snprintf(note, sizeof(note), "BPF programs outside netfilter "
			 "(tcx, netkit, cgroup ingress) were not all checked: %s",
			 strerror(-in->host->bpf_error));
		ret = eng_result_note(res, note);
	}
	if (!ret && in->host && in->host->ipvs_error) {
		char note[200];

		/* IPVS would take what its services serve after INPUT */
		snprintf(note, sizeof(note), "IPVS virtual services were not "
			 "checked: %s", strerror(-in->host->ipvs_error));
		ret = eng_result_note(res, note);
	}
	if (!ret && in->host && in->host->swarm.present &&
	    (in->host->swarm.error || in->host->swarm.ipvs_error)) {
		char note[300];

		snprintf(note, sizeof(note), "Swarm's routing mesh (the "
			 "ingress_sbox namespace) was not read: %s: ports "
			 "published through DOCKER-INGRESS are reported "
			 "forwarded to the ingress sandbox; its IPVS fwmark "
			 "services send them on to the tasks",
			 strerror(-(in->host->swarm.error ?
				    in->host->swarm.error :
				    in->host->swarm.ipvs_error)));
		ret = eng_result_note(res, note);
	}
	if (!ret && !in->host)
		ret = eng_result_note(res, "no host facts: every interface name "
				  "but lo and any local address; forwarding "
				  "assumed on, route_localnet off, nothing "
				  "listens");
	if (!ret && !in->host) {
		/* bridge chains see probes that cross a bridge (arriving
		 * on one, or routed out through one), and without host
		 * facts no bridge is known: say so, never report past them
		 * silently */
		size_t bc;

		for (bc = 0; bc < in->rs->nchains && !ret; bc++) {
			const struct rs_chain *c = &in->rs->chains[bc];
			char note[200];

			if (c->family != NFPROTO_BRIDGE || !c->base ||
			    (!c->nrules && c->policy == RS_V_ACCEPT))
				continue;
			snprintf(note, sizeof(note), "bridge %s %s not "
				 "applied: bridge chains see only probes "
				 "that cross a bridge, and without host facts "
				 "no bridge is known", c->table, c->name);
			ret = eng_result_note(res, note);
		}
	}
	for (f = 0; f < 2 && !ret; f++) {
		if (in->only_family && in->only_family != families[f])
			continue;
		for (p = 0; p < 3 && !ret; p++) {
			if (in->only_proto && in->only_proto != protos[p])
				continue;
			w.family = families[f];
			w.proto = protos[p];
			w.branches = 0;
			start = res->npieces;
			ret = walk_one(&w);
			/* a walk started at LOCAL_IN: the kept pieces before
			 * w.from are as the whole walk made them */
			if (!ret)
				ret = eng_handshake(&w, w.from);
			/* branch_fork() past the budget fails like malloc():
			 * whichever path met it, the walk is too big */
			if (ret == -ENOMEM && w.branches > BRANCHES_MAX)
				ret = -E2BIG;
			if (!ret)
				ret = eng_classify(res, w.from);
			if (!ret)
				ret = eng_choices_describe(&w, w.from);
			if (!ret)
				eng_resume_seal(&w, start);
			arena_free(&w.arena);
		}
	}
	if (!ret) {
		/* pieces emptied by eng_classify(), and closed ones unless asked */
		for (i = 0, k = 0; i < res->npieces; i++) {
			if (region_is_empty(res->pieces[i].region) ||
			    (!in->dropped &&
			     res->pieces[i].state == ENGINE_CLOSED &&
			     !res->pieces[i].possible)) {
				eng_piece_release(&res->pieces[i]);
				continue;
			}
			res->pieces[k++] = res->pieces[i];
		}
		res->npieces = k;
	}
out:
	eng_walk_fini(&w);
	if (ret < 0) {
		engine_result_free(res);
		return ret;
	}
	*out = res;
	return 0;
}

void engine_result_free(struct engine_result *res)
{
	size_t i;

	if (!res)
		return;
	for (i = 0; i < res->npieces; i++)
		eng_piece_release(&res->pieces[i]);
	free(res->pieces);
	for (i = 0; i < res->nnotes; i++)
		free(res->notes[i]);
	free(res->notes);
	free(res->martians[0]);
	free(res->martians[1]);
	free(res->linknets[0]);
	free(res->linknets[1]);
	engine_resume_free(res->resume);
	free(res);
}

const char *engine_state_name(enum engine_state s)
{
	switch (s) {
	case ENGINE_EXPOSED:	return "exposed";
	case ENGINE_OPEN:	return "open";
	default:		return "closed";
	}
}

const char *engine_fate_name(enum engine_fate f)
{
	switch (f) {
	case ENGINE_LOCAL:	return "local";
	case ENGINE_FORWARDED:	return "forward";
	default:		return "dropped";
	}
}
