// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tc.c - the ingress tc filters, walked before netfilter.
 *
 * tc runs a link's ingress filters in priority order (sch_handle_ingress,
 * tcf_classify): the first that matches and does not say "continue"
 * decides, pass on to the stack or drop; a packet no filter takes goes on.
 * The filters tcf.c decoded split the probes here like rules; at the first
 * one it could not decode, what is left forks both ways with the
 * assumption naming it (eng_unknown_fork(), as for an XDP program).
 */

#include <errno.h>
#include <stdio.h>
#include <linux/if_ether.h>

#include "walk.h"

/* Does f see the packets of this walk at all? */
static bool tcf_applies(const struct walk *w, const struct host_tcf *f)
{
	if (f->protocol == 0 || f->protocol == ETH_P_ARP)
		return false;
	if (f->protocol == ETH_P_IP && !is_v4(w))
		return false;
	if (f->protocol == ETH_P_IPV6 && is_v4(w))
		return false;
	if (f->decoded && f->family && f->family != w->family)
		return false;
	return !f->decoded || !f->ip_proto || f->ip_proto == w->proto;
}

/* The part of on that f's address keys match, into *in (NULL when none);
 * on keeps the rest.  Returns 1 when the walk cannot say which packets
 * those are (an address NAT changed, the reply's fixed source...): then
 * nothing is split and the caller treats f as undecided. */
static int tcf_split(struct walk *w, struct branch *on,
		     const struct host_tcf *f, struct region **in)
{
	static const enum rs_field fields[2][2] = {
		{ RS_F_IP_SADDR, RS_F_IP_DADDR },
		{ RS_F_IP6_SADDR, RS_F_IP6_DADDR },
	};
	const struct rs_interval *set[REGION_NDIMS] = { NULL };
	size_t nset[REGION_NDIMS] = { 0 };
	const struct rs_interval *iv[2] = { &f->saddr, &f->daddr };
	bool all = true;
	int k;

	*in = NULL;
	for (k = 0; k < 2; k++) {
		enum region_dim dim;
		enum xform xf;
		rs_u128 val;

		if (!f->family || (iv[k]->lo == 0 &&
				   iv[k]->hi >= (is_v4(w) ? 0xffffffffu :
							    ~(rs_u128)0)))
			continue;
		switch (eng_resolve(w, on, fields[is_v4(w) ? 0 : 1][k], &dim,
				&val, &xf)) {
		case RES_DIM:
			if (xf != XF_NONE || set[dim])
				return 1;
			set[dim] = iv[k];
			nset[dim] = 1;
			all = false;
			break;
		case RES_FIXED:
			if (val < iv[k]->lo || val > iv[k]->hi)
				return 0;	/* matches none of on */
			break;
		default:
			return 1;
		}
	}
	if (all) {
		*in = on->r;
		on->r = region_new_empty();
		if (!on->r) {
			on->r = *in;
			*in = NULL;
			return -ENOMEM;
		}
		return 0;
	}
	return region_split_off_product(on->r, set, nset, in);
}

/* The step's text: the host's (it outlives the result), or a plain one
 * for a filter made without host_tcf_texts(). */
static const char *tcf_what(const char *text, const char *plain)
{
	return text[0] ? text : plain;
}

/* The filters of lk in order over on (a branch arriving on lk only),
 * which is consumed: what they drop goes to dropped, what they pass (or
 * none takes) to l. */
static int tcf_walk(struct walk *w, struct branch *on,
		    const struct host_link *lk, struct blist *l,
		    struct blist *dropped)
{
	const struct host *h = w->host;
	size_t i;
	int ret = 0;

	for (i = 0; i < h->ntcfs && !ret; i++) {
		const struct host_tcf *f = &h->tcfs[i];
		struct region *in = NULL;
		struct branch *nb;
		const char *what;

		if (f->ifindex != lk->ifindex || !tcf_applies(w, f))
			continue;
		if (region_is_empty(on->r))
			break;
		if (f->decoded && f->action == HOST_TCF_CONTINUE)
			continue;	/* matched or not, the next filter */
		ret = f->decoded ? tcf_split(w, on, f, &in) : 1;
		/* fwaudit cannot walk it: the probes go both ways; neighbour
		 * discovery is taken to pass, as past an XDP program */
		if (ret == 1 && w->nd)
			break;
		if (ret == 1)
			return eng_unknown_fork(w, on, lk, true, l, dropped);
		if (ret < 0)
			break;
		if (!in)
			continue;
		if (region_is_empty(in)) {
			region_free(in);
			continue;
		}
		nb = branch_fork(w, on, in);
		if (!nb) {
			ret = -ENOMEM;
			break;
		}
		what = f->action == HOST_TCF_DROP ?
		       tcf_what(f->what_drop, "tc filter: drop") :
		       tcf_what(f->what_pass, "tc filter: pass");
		ret = trace_add(w, nb, ENGINE_HOOK_XDP, NULL, NULL,
				f->action == HOST_TCF_DROP ? RS_V_DROP :
				RS_V_ACCEPT, what);
		if (!ret)
			ret = blist_push(f->action == HOST_TCF_DROP ? dropped :
					 l, nb);
		else
			branch_free(nb);
	}
	if (ret < 0) {
		branch_free(on);
		return ret;
	}
	if (region_is_empty(on->r)) {
		branch_free(on);
		return 0;
	}
	return blist_push(l, on);
}

/* on (arriving on lk only, consumed) dropped: f drops ARP there. */
static int tcf_arp_drop(struct walk *w, struct branch *on,
			const struct host_tcf *f, const struct host_link *lk,
			struct blist *dropped)
{
	const char *what = tcf_what(f->what_arp, "tc filter: drop, ARP "
				    "too: no neighbour learns this host's "
				    "address there");
	int ret;

	(void)lk;
	ret = trace_add(w, on, ENGINE_HOOK_XDP, NULL, NULL, RS_V_DROP, what);
	if (!ret)
		ret = blist_push(dropped, on);
	else
		branch_free(on);
	return ret;
}

/*
 * The filter of lk that decides ARP, when it drops it: then no neighbour
 * learns this host's address on lk and no IPv4 packet comes in there.
 * ARP is seen by filters of protocol all or arp; only one without keys
 * (matchall, or u32 and flower with none) surely takes it; at one fwaudit
 * cannot walk, ARP is taken to pass (what that filter does to the probes
 * themselves is forked where they meet it).
 */
static const struct host_tcf *arp_dropper(const struct host *h,
					  const struct host_link *lk)
{
	size_t i;

	for (i = 0; i < h->ntcfs; i++) {
		const struct host_tcf *f = &h->tcfs[i];

		if (f->ifindex != lk->ifindex ||
		    (f->protocol != ETH_P_ALL && f->protocol != ETH_P_ARP))
			continue;
		if (!f->decoded)
			return NULL;
		if (f->family || f->ip_proto ||
		    f->action == HOST_TCF_CONTINUE)
			continue;
		return f->action == HOST_TCF_DROP ? f : NULL;
	}
	return NULL;
}

int eng_tc_run(struct walk *w, struct blist *l, struct blist *dropped)
{
	const struct host_tcf *arp;
	struct branch *on;
	struct rs_interval key;
	size_t i, k, n;
	int ret = 0;

	for (i = 0; w->host && i < w->host->nlinks && !ret; i++) {
		const struct host_link *lk = &w->host->links[i];

		if (lk->loopback || (!lk->tc_filters && !lk->tcx_progs))
			continue;
		key = rs_ifname_interval(lk->name, false);
		arp = is_v4(w) ? arp_dropper(w->host, lk) : NULL;
		for (k = 0, n = l->n; k < n && !ret; k++) {
			ret = eng_fork_on_iif(w, l->b[k], &key, &on);
			if (ret < 0 || !on)
				continue;
			/* tcx programs run before the classic filters
			 * (tcx_run() in sch_handle_ingress), never walked;
			 * neighbour discovery is taken to pass them */
			if (lk->tcx_progs && !w->nd) {
				struct blist passed = { 0 };

				ret = eng_unknown_fork(w, on, lk, true, &passed,
						   dropped);
				on = passed.n ? passed.b[0] : NULL;
				passed.n = 0;
				eng_blist_release(&passed);
				if (ret < 0 || !on)
					continue;
			}
			if (arp)
				ret = tcf_arp_drop(w, on, arp, lk, dropped);
			else
				ret = tcf_walk(w, on, lk, l, dropped);
		}
	}
	eng_blist_drop_empty(l);
	return ret;
}
