// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nd.c - IPv6 neighbour discovery: the interfaces where the ruleset drops
 * the solicitation a stranger's router must send first.  Part of the
 * walk: see engine.c and walk.h.
 */
#include "walk.h"

/* ---------------------------------------------------------------------
 * IPv6 neighbour discovery.  Before a stranger's first IPv6 packet can
 * reach the host, the router beside it must learn the host's link-layer
 * address: a neighbour solicitation (ICMPv6 135, to a solicited-node
 * multicast address, untracked by conntrack) must come in.  A ruleset that
 * drops it on an interface cuts IPv6 there, whatever it says about the
 * ports.  (Advertisements coming in matter less: the solicitation's source
 * link-layer option already tells the host where to answer.)  Only a
 * definite drop counts: a solicitation that some branch lets in (an
 * undecided hop limit match, say) keeps the interface.
 */

/* The part of r (taken over) that an ND packet of type gets through to
 * local delivery: *ok, a new region. */
static int nd_walk(struct walk *w, uint8_t type, struct region *r,
		   struct region **ok)
{
	struct blist l = { 0 }, dropped = { 0 };
	struct branch *b;
	size_t i;
	int ret;

	*ok = region_new_empty();
	b = calloc(1, sizeof(*b));
	if (!*ok || !b) {
		free(b);
		region_free(r);
		region_free(*ok);
		return -ENOMEM;
	}
	b->r = r;
	b->untracked = true;
	w->nd_type = type;
	ret = blist_push(&l, b);
	if (!ret)
		ret = eng_ingress_run(w, &l, &dropped);
	if (!ret)
		ret = eng_hook_run(w, NF_INET_PRE_ROUTING, &l, &dropped);
	if (!ret)
		ret = eng_hook_run(w, NF_INET_LOCAL_IN, &l, &dropped);
	for (i = 0; !ret && i < l.n; i++)
		ret = region_union(*ok, l.b[i]->r);
	eng_blist_release(&l);
	eng_blist_release(&dropped);
	if (ret) {
		region_free(*ok);
		*ok = NULL;
	}
	return ret;
}

static bool iif_empty(const struct region *r, const struct rs_interval *key)
{
	struct region *in = NULL;
	bool empty;

	if (region_split(r, REGION_IIF, key, 1, &in, NULL) < 0)
		return false;	/* no memory: do not claim a drop */
	empty = region_is_empty(in);
	region_free(in);
	return empty;
}

/* Fill w->nd_dead: the host's ingress links where solicitations are
 * always dropped. */
int eng_nd_check(struct walk *w)
{
	struct region *ns = NULL, *ok_ns = NULL;
	struct rs_interval *ifs = NULL, key;
	size_t nifs, i, k, cap = 0;
	uint8_t proto = w->proto;
	int ret;

	w->nd_done = true;
	if (!w->host)
		return 0;
	ret = eng_ingress_keys(w, &ifs, &nifs);
	ns = region_new_empty();
	if (!ret && !ns)
		ret = -ENOMEM;
	for (k = 0; !ret && k < nifs; k++)
		ret = eng_box_add(ns, ifs[k].lo, ifs[k].hi,
			      ND_SNMC_PREFIX, ND_SNMC_PREFIX | 0xffffff);
	w->nd = true;
	w->proto = IPPROTO_ICMPV6;
	if (!ret) {
		ret = nd_walk(w, ND_SOLICIT, ns, &ok_ns);
		ns = NULL;
	}
	w->nd = false;
	w->proto = proto;
	for (i = 0; !ret && i < w->host->nlinks; i++) {
		const struct host_link *l = &w->host->links[i];

		key.lo = key.hi = rs_ifname_key(l->name);
		for (k = 0; k < nifs; k++)
			if (in_iv(key.lo, &ifs[k]))
				break;
		if (l->loopback || k == nifs)
			continue;
		if (iif_empty(ok_ns, &key))
			ret = iv_push(&w->nd_dead, &w->nnd_dead, &cap, &key);
	}
	free(ifs);
	region_free(ns);
	region_free(ok_ns);
	return ret;
}

