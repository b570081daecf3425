// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * report.c - exposures for people: rows, merged, and their text and JSON.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>

#include "array.h"
#include "ipvs.h"
#include "report.h"
#include "rsprint.h"
#include "strbuf.h"

const char *report_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:	return "tcp";
	case IPPROTO_UDP:	return "udp";
	case IPPROTO_SCTP:	return "sctp";
	default:		return "?";
	}
}

static const char *family_str(uint8_t family)
{
	return family == NFPROTO_IPV6 ? "ipv6" : "ipv4";
}

static void addr_str(uint8_t family, rs_u128 a, char *buf, size_t size)
{
	host_addr_str(family == NFPROTO_IPV6 ? AF_INET6 : AF_INET, a, buf,
		      size);
}

/* ---------------------------------------------------------------------
 * Draft rows: intervals, merged by comparing their canonical text.
 */
struct ivlist {
	size_t n, cap;
	struct rs_interval *iv;
};

struct draft {
	size_t group;			/* index of the representative piece */
	struct rs_interval dport;
	struct ivlist ifs, addrs;
	struct ivlist srcs;		/* the row's sources (martians filled) */
	char *ifs_s, *addrs_s, *src_s, *sport_s;
	struct region_sources *src;	/* one group, owned copy */
	bool dead;
	bool dirty;			/* ifs/addrs changed since their text */
	/* direct routing: 1 + the container at the one address of this
	 * draft (never merged with another address), 0 none; a whole
	 * network with one fate stays one row */
	size_t container;
};

static int ivlist_add(struct ivlist *l, const struct rs_interval *iv)
{
	int ret;

	ret = array_grow(&l->iv, &l->cap, l->n, sizeof(*l->iv), SIZE_MAX, 4);
	if (ret < 0)
		return ret;
	l->iv[l->n++] = *iv;
	return 0;
}

static int iv_cmp(const void *a, const void *b)
{
	const struct rs_interval *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Interface names of a set of name intervals. */
static void ifs_text(struct strbuf *b, const struct ivlist *l)
{
	char name[RS_IFNAMSIZ + 1];
	struct rs_interval iv;
	size_t i;

	for (i = 0; i < l->n; i++) {
		iv = l->iv[i];
		if (i)
			strbuf_add(b, ",");
		if (iv.lo == 0 && iv.hi == ~(rs_u128)0) {
			strbuf_add(b, "*");
			continue;
		}
		rs_ifname_str(iv.lo, name);
		if (iv.lo == iv.hi) {
			strbuf_add(b, name);
			continue;
		}
		/* a wildcard "eth*": lo is the prefix padded with zeros (an
		 * empty prefix would shift by the whole width) */
		if (*name && iv.hi == (iv.lo | (((rs_u128)1 <<
				(8 * (RS_IFNAMSIZ - strlen(name)))) - 1))) {
			strbuf_addf(b, "%s*", name);
			continue;
		}
		strbuf_add(b, "*");
	}
}

/* The names of a set of interfaces: in symbolic mode the gaps between
 * named interfaces read as "any other than ...". */
static void ifs_names(const struct ivlist *l, bool symbolic,
		      struct strbuf *b)
{
	struct ivlist gaps = { 0 };
	char name[RS_IFNAMSIZ + 1];
	rs_u128 next = 0;
	size_t i, covered = 0;

	if (!symbolic || !l->n) {
		ifs_text(b, l);
		return;
	}
	/* everything but a few single names: "*,!eth0,!eth1" */
	for (i = 0; i < l->n; i++) {
		if (l->iv[i].lo > next) {
			struct rs_interval g = { next, l->iv[i].lo - 1 };

			if (g.lo != g.hi || ivlist_add(&gaps, &g) < 0)
				goto plain;
		}
		covered++;
		next = l->iv[i].hi + 1;
		if (l->iv[i].hi == ~(rs_u128)0)
			break;
	}
	if (i == l->n && next != 0) {
		/* does not reach the top: not of that shape */
		goto plain;
	}
	strbuf_add(b, "*");
	for (i = 0; i < gaps.n; i++) {
		rs_ifname_str(gaps.iv[i].lo, name);
		strbuf_addf(b, ",!%s", name);
	}
	free(gaps.iv);
	(void)covered;
	return;
plain:
	free(gaps.iv);
	ifs_text(b, l);
}

static void ivlist_merge(struct ivlist *l)
{
	size_t i, k = 0;

	if (!l->n)
		return;
	qsort(l->iv, l->n, sizeof(*l->iv), iv_cmp);
	for (i = 1; i < l->n; i++) {
		if (l->iv[k].hi != ~(rs_u128)0 && l->iv[i].lo <= l->iv[k].hi + 1) {
			if (l->iv[i].hi > l->iv[k].hi)
				l->iv[k].hi = l->iv[i].hi;
			continue;
		}
		l->iv[++k] = l->iv[i];
	}
	l->n = k + 1;
}

void report_addrs_text(struct strbuf *b, uint8_t family,
		       const struct rs_interval *iv, size_t n, const char *sep)
{
	struct region_prefix *px = NULL;
	char buf[REGION_PREFIX_STRLEN];
	size_t npx = 0, i;
	bool first = true;

	if (region_prefixes(family, iv, n, &px, &npx) < 0) {
		/* (sticky: the caller's strbuf_take() says it) */
		b->failed = true;
		return;
	}
	for (i = 0; i < npx; i++) {
		if (region_prefix_format(family, &px[i], buf, sizeof(buf)) < 0)
			continue;
		/* a single address reads better without /32 or /128 */
		if (px[i].len == (family == NFPROTO_IPV4 ? 32 : 128))
			*strchr(buf, '/') = '\0';
		strbuf_addf(b, "%s%s", first ? "" : sep, buf);
		first = false;
	}
	free(px);
}

int report_addrs_list(uint8_t family, const struct rs_interval *iv,
		      size_t n, char ***out, size_t *nout)
{
	struct region_prefix *px = NULL;
	char buf[REGION_PREFIX_STRLEN], **l;
	size_t npx = 0, i, k = 0;
	int ret;

	ret = region_prefixes(family, iv, n, &px, &npx);
	if (ret < 0)
		return ret;
	l = calloc(npx + 1, sizeof(*l));
	if (!l) {
		free(px);
		return -ENOMEM;
	}
	for (i = 0; i < npx; i++) {
		if (region_prefix_format(family, &px[i], buf, sizeof(buf)) < 0)
			continue;
		if (px[i].len == (family == NFPROTO_IPV4 ? 32 : 128))
			*strchr(buf, '/') = '\0';
		if (!(l[k] = strdup(buf))) {
			report_addrs_list_free(l, k);
			free(px);
			return -ENOMEM;
		}
		k++;
	}
	free(px);
	*out = l;
	*nout = k;
	return 0;
}

void report_addrs_list_free(char **l, size_t n)
{
	size_t i;

	for (i = 0; l && i < n; i++)
		free(l[i]);
	free(l);
}

void report_address_text(struct strbuf *b, const struct report_row *r,
			 const char *sep)
{
	if (!r->naddrs)
		strbuf_add(b, "*");
	else
		report_addrs_text(b, r->family, r->addrs, r->naddrs, sep);
}

char *report_address_str(const struct report_row *r)
{
	struct strbuf b = STRBUF_INIT;

	report_address_text(&b, r, ",");
	return strbuf_take(&b);
}

int report_address_cmp(const struct report_row *x,
		       const struct report_row *y)
{
	char *a, *b;
	int c;

	if (x->naddrs == y->naddrs && x->family == y->family &&
	    (!x->naddrs || !memcmp(x->addrs, y->addrs,
				   x->naddrs * sizeof(*x->addrs))))
		return 0;
	a = report_address_str(x);
	b = report_address_str(y);
	/* (out of memory: an order, if not the printed one) */
	c = a && b ? strcmp(a, b) : (a != NULL) - (b != NULL);
	free(a);
	free(b);
	return c;
}

const char *report_backend_str(const struct report_row *r, char *buf,
			       size_t size)
{
	if (!r->has_backend_address)
		return NULL;
	addr_str(r->family, r->backend_address, buf, size);
	return buf;
}

static char *addrs_text(uint8_t family, const struct ivlist *l)
{
	struct strbuf b = STRBUF_INIT;

	report_addrs_text(&b, family, l->iv, l->n, ",");
	return strbuf_take(&b);
}

/* Sources as prefixes, with the martian sources res says never occur
 * counted in where they fill a gap: "0.0.0.0/0" rather than the dozen
 * prefixes around 127.0.0.0/8 and the host's own addresses. */
/* The martians, and on a TCP or SCTP row (local or forwarded) the
 * networks the host reaches on another link than the row's (ifs): never a
 * sender there (handshake.c).  A new sorted, merged list in *out, or NULL with *n 0
 * when the martians alone will do. */
static int fill_list(const struct engine_result *res,
		     const struct engine_piece *p, const struct rs_interval *ifs,
		     struct rs_interval **out, size_t *n)
{
	int f = p->family == NFPROTO_IPV4 ? 0 : 1;
	struct rs_interval *l;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if (!res->nlinknets[f] || (p->proto != IPPROTO_TCP && p->proto != IPPROTO_SCTP))
		return 0;
	l = calloc(res->nmartians[f] + res->nlinknets[f] + 1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	for (i = 0; i < res->nmartians[f]; i++)
		l[k++] = res->martians[f][i];
	for (i = 0; i < res->nlinknets[f]; i++) {
		const struct engine_linknet *ln = &res->linknets[f][i];

		if (ifs && ifs->lo <= ln->ifkey && ln->ifkey <= ifs->hi)
			continue;
		l[k].lo = ln->lo;
		l[k++].hi = ln->hi;
	}
	*out = l;
	*n = region_ivs_merge(l, k);
	return 0;
}

/* Sources as prefixes, with the martian sources res says never occur
 * counted in where they fill a gap: "0.0.0.0/0" rather than the dozen
 * prefixes around 127.0.0.0/8 and the host's own addresses. */
static int real_sources_filled(const struct engine_result *res,
			       const struct engine_piece *p,
			       const struct rs_interval *ifs,
			       const struct region_sources *s,
			       struct ivlist *l)
{
	int f = p->family == NFPROTO_IPV4 ? 0 : 1;
	struct rs_interval *fl;
	size_t nfl;

	if (fill_list(res, p, ifs, &fl, &nfl) < 0)
		return -ENOMEM;
	if (region_fill_gaps(p->family, s->addrs, s->naddrs,
			     fl ? fl : res->martians[f],
			     fl ? nfl : res->nmartians[f], &l->iv, &l->n) < 0) {
		free(fl);
		return -ENOMEM;
	}
	free(fl);
	l->n = region_ivs_merge(l->iv, l->n);
	l->cap = l->n;
	return 0;
}

static char *sports_text(const struct region_sources *s)
{
	struct strbuf b = STRBUF_INIT;
	size_t i;

	if (s->all_sports)
		return strdup("");
	for (i = 0; i < s->nsports; i++) {
		strbuf_addf(&b, "%s%u", i ? "," : "",
			    (unsigned int)s->sports[i].lo);
		if (s->sports[i].hi != s->sports[i].lo)
			strbuf_addf(&b, "-%u", (unsigned int)s->sports[i].hi);
	}
	return strbuf_take(&b);
}

static void draft_release(struct draft *d)
{
	free(d->ifs.iv);
	free(d->addrs.iv);
	free(d->srcs.iv);
	free(d->ifs_s);
	free(d->addrs_s);
	free(d->src_s);
	free(d->sport_s);
	free(d->src);
}

struct builder {
	const struct engine_result *res;
	const struct ruleset *rs;	/* names the ipsets, may be NULL */
	const struct host *host;
	const struct docker_map *dm;
	struct draft *d;
	size_t nd, cap;
};

/* a[0..na) without b[0..nb) (both sorted, disjoint) into out (room for
 * na + nb intervals); returns the number written. */
static size_t ivs_minus(const struct rs_interval *a, size_t na,
			const struct rs_interval *b, size_t nb,
			struct rs_interval *out)
{
	size_t i, j = 0, n = 0;
	rs_u128 lo;

	for (i = 0; i < na; i++) {
		lo = a[i].lo;
		while (j < nb && b[j].hi < lo)
			j++;
		for (size_t k = j; k < nb && b[k].lo <= a[i].hi; k++) {
			if (b[k].lo > lo) {
				out[n].lo = lo;
				out[n++].hi = b[k].lo - 1;
			}
			if (b[k].hi >= a[i].hi) {
				lo = a[i].hi;
				goto next;
			}
			lo = b[k].hi + 1;
		}
		out[n].lo = lo;
		out[n++].hi = a[i].hi;
		continue;
next:
		;
	}
	return n;
}

/* The sources of a draft as the kernel takes them: the martian ones
 * (engine_result.martians) out, and on IPv6's forward path the
 * link-local ones (ip6_forward() never forwards them).  The engine
 * leaves them in its regions, which would otherwise fragment. */
static int real_sources(const struct engine_result *res,
			const struct engine_piece *p,
			const struct region_sources *src,
			struct rs_interval **out, size_t *nout)
{
	static const struct rs_interval ll = {
		(rs_u128)0xfe80 << 112,
		((rs_u128)0xfebf << 112) | (((rs_u128)1 << 112) - 1),
	};
	int f = p->family == NFPROTO_IPV4 ? 0 : 1;
	size_t sz = (2 * src->naddrs + 2 * res->nmartians[f] + 4) *
		    sizeof(struct rs_interval);
	bool ll_out = f == 1 && p->fate == ENGINE_FORWARDED;
	struct rs_interval *t, *o = NULL;
	size_t n;

	/* the second buffer only for the second cut (one per draft row:
	 * ~10,000 on kube-10000) */
	t = malloc(sz);
	if (ll_out)
		o = malloc(sz);
	if (!t || (ll_out && !o)) {
		free(t);
		free(o);
		return -ENOMEM;
	}
	n = ivs_minus(src->addrs, src->naddrs, res->martians[f],
		      res->nmartians[f], t);
	if (ll_out) {
		n = ivs_minus(t, n, &ll, 1, o);
		free(t);
		t = o;
	}
	*out = t;
	*nout = n;
	return 0;
}

/* The text of d's sources copied from the draft added before it when
 * both have the same ones (on kube-10000 ~10,000 drafts in a row say
 * "any": formatting each was 3 % of fwauditd's CPU), else NULL. */
static char *same_srcs_text(const struct builder *bd, const struct draft *d,
			    uint8_t family)
{
	const struct draft *prev;

	if (bd->nd < 2)
		return NULL;
	prev = &bd->d[bd->nd - 2];
	if (!prev->src_s || prev->srcs.n != d->srcs.n ||
	    bd->res->pieces[prev->group].family != family ||
	    (d->srcs.n && memcmp(prev->srcs.iv, d->srcs.iv,
				 d->srcs.n * sizeof(*d->srcs.iv))))
		return NULL;
	return strdup(prev->src_s);
}

static int draft_add(struct builder *bd, size_t group,
		     const struct rs_interval *dport,
		     const struct rs_interval *ifs,
		     const struct rs_interval *addrs,
		     const struct region_sources *src0)
{
	const struct engine_piece *p = &bd->res->pieces[group];
	struct region_sources *copy, s1 = *src0;
	const struct region_sources *src = &s1;
	struct rs_interval *real = NULL;
	struct draft *d;
	size_t sz, hdr, nreal = 0;
	int ret;


	ret = array_grow(&bd->d, &bd->cap, bd->nd, sizeof(*bd->d), SIZE_MAX,
			 16);
	if (ret < 0)
		return ret;
	ret = real_sources(bd->res, p, src0, &real, &nreal);
	if (ret < 0)
		return ret;
	if (!nreal) {
		/* only sources the kernel never takes */
		free(real);
		return 0;
	}
	s1.addrs = real;
	s1.naddrs = nreal;
	d = &bd->d[bd->nd];
	memset(d, 0, sizeof(*d));
	d->group = group;
	d->dport = *dport;
	/* a private copy of the group: the intervals live behind it */
	/* the intervals follow the header, aligned for their 128-bit
	 * members */
	hdr = (sizeof(*copy) + _Alignof(struct rs_interval) - 1) &
	      ~(_Alignof(struct rs_interval) - 1);
	sz = hdr + (src->naddrs + src->nsports) * sizeof(struct rs_interval);
	copy = aligned_alloc(_Alignof(struct rs_interval),
			     (sz + _Alignof(struct rs_interval) - 1) &
			     ~(_Alignof(struct rs_interval) - 1));
	if (!copy) {
		free(real);
		return -ENOMEM;
	}
	*copy = *src;
	copy->addrs = (struct rs_interval *)((char *)copy + hdr);
	copy->sports = copy->addrs + src->naddrs;
	memcpy(copy->addrs, src->addrs, src->naddrs * sizeof(*src->addrs));
	memcpy(copy->sports, src->sports, src->nsports * sizeof(*src->sports));
	free(real);
	d->src = copy;
	bd->nd++;
	if (ivlist_add(&d->ifs, ifs) < 0 || ivlist_add(&d->addrs, addrs) < 0)
		return -ENOMEM;
	if (p->direct && !p->nat && bd->dm && addrs->lo == addrs->hi) {
		const struct docker_container *dc =
			docker_find(bd->dm, p->family, addrs->lo);

		d->container = dc ? (size_t)(dc - bd->dm->c) + 1 : 0;
	}
	if (real_sources_filled(bd->res, p, ifs, copy, &d->srcs) < 0)
		return -ENOMEM;
	d->src_s = same_srcs_text(bd, d, p->family);
	if (!d->src_s)
		d->src_s = addrs_text(p->family, &d->srcs);
	d->sport_s = sports_text(copy);
	return d->src_s && d->sport_s ? 0 : -ENOMEM;
}

/* Cut one group's region into draft rows: destination ports, then
 * interfaces, then addresses, then who reaches them. */
static int group_drafts(struct builder *bd, size_t group,
			const struct region *r)
{
	struct rs_interval *dp = NULL, *ifs = NULL, *ads = NULL;
	size_t ndp = 0, nifs = 0, nads = 0, a, i, k, s, nsrc;
	struct region **rd = NULL, **ri = NULL, **ra = NULL;
	struct region_sources *src = NULL;
	int ret;

	ret = region_partition(r, REGION_DPORT, &dp, &ndp);
	if (!ret)
		ret = region_slices(r, REGION_DPORT, dp, ndp, &rd);
	for (a = 0; !ret && a < ndp; a++) {
		ret = region_partition(rd[a], REGION_IIF, &ifs, &nifs);
		if (!ret)
			ret = region_slices(rd[a], REGION_IIF, ifs, nifs, &ri);
		for (i = 0; !ret && i < nifs; i++) {
			ret = region_partition(ri[i], REGION_DADDR, &ads, &nads);
			if (!ret)
				ret = region_slices(ri[i], REGION_DADDR, ads, nads,
						    &ra);
			for (k = 0; !ret && k < nads; k++) {
				ret = region_sources(ra[k], &src, &nsrc);
				for (s = 0; !ret && s < nsrc; s++)
					ret = draft_add(bd, group, &dp[a],
							&ifs[i], &ads[k],
							&src[s]);
				free(src);
				src = NULL;
			}
			region_slices_free(ra, nads);
			ra = NULL;
			free(ads);
			ads = NULL;
		}
		region_slices_free(ri, nifs);
		ri = NULL;
		free(ifs);
		ifs = NULL;
	}
	region_slices_free(rd, ndp);
	free(dp);
	return ret;
}

/* Two pieces are reported together when everything but their probes is
 * the same: the order of outcome_cmp() puts them next to each other, by
 * index within one outcome. */
static int outcome_key_cmp(const struct engine_piece *x,
			   const struct engine_piece *y)
{
#define OUTCOME_CMP(f) if (x->f != y->f) return x->f < y->f ? -1 : 1
	OUTCOME_CMP(family);
	OUTCOME_CMP(proto);
	OUTCOME_CMP(fate);
	OUTCOME_CMP(state);
	OUTCOME_CMP(possible);
	OUTCOME_CMP(nat);
	OUTCOME_CMP(nat_addr);
	OUTCOME_CMP(nat_port);
	OUTCOME_CMP(nat_port_lo);
	OUTCOME_CMP(nat_port_hi);
	OUTCOME_CMP(listener);
	OUTCOME_CMP(oif);
	OUTCOME_CMP(direct);
	OUTCOME_CMP(ipvs_dest);
#undef OUTCOME_CMP
	return 0;
}

static const struct engine_piece *outcome_base;

static int outcome_cmp(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = outcome_key_cmp(&outcome_base[i], &outcome_base[j]);

	return c ? c : i < j ? -1 : i > j;
}

/* The pieces of one outcome: ord[start..end). */
struct outcome_group {
	size_t start, end;
};

static const size_t *group_ord;

/* Groups in the order of their first piece. */
static int group_cmp(const void *a, const void *b)
{
	size_t i = group_ord[((const struct outcome_group *)a)->start];
	size_t j = group_ord[((const struct outcome_group *)b)->start];

	return i < j ? -1 : i > j;
}

/* A direct draft's addresses that are a whole container network but the
 * host's own and broadcast addresses (the martians, which no direct
 * probe holds) read as that network's prefix: the prefix is put in. */
static int direct_whole(const struct builder *bd, uint8_t family,
			struct ivlist *l)
{
	int f = family == NFPROTO_IPV4 ? 0 : 1;
	struct rs_interval p, *m;
	size_t i, k, j, n;
	bool all;

	if (!bd->host)
		return 0;
	ivlist_merge(l);
	m = calloc(bd->res->nmartians[f] + 2, sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (i = 0; i < bd->host->nroutes; i++) {
		const struct host_route *rt = &bd->host->routes[i];
		unsigned int width = (f ? 128 : 32) - rt->dst_len;

		if (rt->family != (f ? AF_INET6 : AF_INET) ||
		    rt->table != RT_TABLE_MAIN || rt->type != RTN_UNICAST ||
		    rt->nnexthops != 1 || rt->nexthops[0].gw_family ||
		    !rt->dst_len)
			continue;
		p.lo = rt->dst;
		p.hi = width >= 128 ? ~(rs_u128)0 :
		       rt->dst | (((rs_u128)1 << width) - 1);
		n = ivs_minus(&p, 1, bd->res->martians[f],
			      bd->res->nmartians[f], m);
		for (k = 0, all = n > 0; k < n && all; k++)
			for (j = 0, all = false; j < l->n && !all; j++)
				all = l->iv[j].lo <= m[k].lo &&
				      m[k].hi <= l->iv[j].hi;
		if (all && ivlist_add(l, &p) < 0) {
			free(m);
			return -ENOMEM;
		}
	}
	free(m);
	ivlist_merge(l);
	return 0;
}

/* Join drafts that differ only in their interfaces, then only in their
 * addresses. */
/* the pass of drafts_merge() that draft_cmp() sorts for: 0 merges
 * interfaces (same addresses), 1 addresses (same interfaces) */
static int merge_pass;

static int draft_key_cmp(const struct draft *x, const struct draft *y)
{
	int c;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->container != y->container)
		return x->container < y->container ? -1 : 1;
	if (x->dport.lo != y->dport.lo)
		return x->dport.lo < y->dport.lo ? -1 : 1;
	if (x->dport.hi != y->dport.hi)
		return x->dport.hi < y->dport.hi ? -1 : 1;
	if ((c = strcmp(x->src_s ? x->src_s : "", y->src_s ? y->src_s : "")))
		return c;
	if ((c = strcmp(x->sport_s ? x->sport_s : "",
			y->sport_s ? y->sport_s : "")))
		return c;
	if (merge_pass == 0)
		return strcmp(x->addrs_s ? x->addrs_s : "",
			      y->addrs_s ? y->addrs_s : "");
	return strcmp(x->ifs_s ? x->ifs_s : "", y->ifs_s ? y->ifs_s : "");
}

static int draft_cmp(const void *a, const void *b)
{
	const struct draft *x = *(const struct draft *const *)a;
	const struct draft *y = *(const struct draft *const *)b;
	int c = draft_key_cmp(x, y);

	if (c)
		return c;
	return x < y ? -1 : x > y;
}

static int drafts_merge(struct builder *bd, bool symbolic)
{
	struct strbuf b = STRBUF_INIT;
	struct draft *x, *y, **v;
	size_t i, j, k, n;
	int pass;

	v = calloc(bd->nd + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;

	/* the texts are made again after each pass where a merge changed
	 * them: the rows are made from them */
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < bd->nd; i++) {
			x = &bd->d[i];
			if (pass && (x->dead || !x->dirty))
				continue;
			x->dirty = false;
			free(x->ifs_s);
			free(x->addrs_s);
			ivlist_merge(&x->ifs);
			ivlist_merge(&x->addrs);
			ifs_names(&x->ifs, symbolic, &b);
			x->ifs_s = strbuf_take(&b);
			if (bd->res->pieces[x->group].direct &&
			    direct_whole(bd, bd->res->pieces[x->group].family,
					 &x->addrs) < 0)
				goto nomem;
			x->addrs_s = addrs_text(bd->res->pieces[x->group].family,
						&x->addrs);
			if (!x->ifs_s || !x->addrs_s)
				goto nomem;
		}
		if (pass == 2)
			break;
		/* equal keys form classes; the first draft of each class
		 * (by index) takes the others in: sorted, not pairwise, so
		 * that thousands of published ports stay cheap */
		for (i = 0, n = 0; i < bd->nd; i++)
			if (!bd->d[i].dead)
				v[n++] = &bd->d[i];
		merge_pass = pass;
		qsort(v, n, sizeof(*v), draft_cmp);
		for (i = 0; i < n; i = j) {
			x = v[i];
			for (j = i + 1; j < n && draft_key_cmp(x, v[j]) == 0;
			     j++) {
				y = v[j];
				x->dirty = true;
				for (k = 0; k < (pass ? y->addrs.n : y->ifs.n);
				     k++) {
					if (ivlist_add(pass ? &x->addrs : &x->ifs,
						       pass ? &y->addrs.iv[k] :
						       &y->ifs.iv[k]) < 0)
						goto nomem;
				}
				y->dead = true;
			}
		}
	}
	free(v);
	return 0;
nomem:
	free(v);
	return -ENOMEM;
}

/* Does the address set cover every address a probe can be sent to? */
static bool all_addresses(const struct builder *bd, uint8_t family,
			  const struct ivlist *l)
{
	size_t i, j, n = 0;
	bool found;

	if (!bd->host) {
		/* the symbolic domain: 1.0.0.0-126.255.255.255 and
		 * 128.0.0.0-223.255.255.255, or all but ::, ::1, ff00::/8 */
		if (family == NFPROTO_IPV4)
			return l->n == 2 && l->iv[0].lo == 0x01000000 &&
			       l->iv[0].hi == 0x7effffff &&
			       l->iv[1].lo == 0x80000000 &&
			       l->iv[1].hi == 0xdfffffff;
		return l->n == 1 && l->iv[0].lo == 2 &&
		       l->iv[0].hi == ((rs_u128)0xff << 120) - 1;
	}
	for (i = 0; i < bd->host->naddrs; i++) {
		const struct host_addr *a = &bd->host->addrs[i];

		if (a->family != family || a->scope == RT_SCOPE_HOST ||
		    (family == NFPROTO_IPV4 && (a->addr >> 24) == 127) ||
		    (family == NFPROTO_IPV6 && a->addr == 1))
			continue;
		n++;
		for (j = 0, found = false; j < l->n && !found; j++)
			found = l->iv[j].lo <= a->addr && a->addr <= l->iv[j].hi;
		if (!found)
			return false;
	}
	return n > 0;
}

static int str_list_add(char ***list, size_t *n, const char *s)
{
	char **p = realloc(*list, (*n + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	*list = p;
	if (!(p[*n] = strdup(s)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int split_list(const char *s, char ***list, size_t *n)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save))
		ret = str_list_add(list, n, tok);
	free(copy);
	return ret;
}

/* Can the rule of assumption a apply to the probes of row at all?  A
 * branch folded into another keeps the assumptions of both (chains.c),
 * so a piece may carry one from a rule whose ports or protocol never
 * matched its own probes: the row does not name those. */
static bool assumption_applies(const struct engine_assumption *a,
			       const struct engine_piece *p,
			       const struct report_row *row)
{
	const struct rs_interval *el;
	size_t i, n, e;
	bool any;

	for (i = 0; a->rule && i < a->rule->nmatches; i++) {
		const struct rs_match *m = &a->rule->matches[i];
		rs_u128 lo, hi;

		if (m == a->match || m->nfields != 1 ||
		    (m->op != RS_OP_IN && m->op != RS_OP_NOT_IN))
			continue;
		if (m->fields[0] == RS_F_DPORT && !p->nat_port) {
			/* (after a port rewrite the rule may have seen
			 * the new port) */
			lo = row->port_lo;
			hi = row->port_hi;
		} else if (m->fields[0] == RS_F_L4PROTO) {
			lo = hi = row->proto;
		} else {
			continue;
		}
		el = rs_match_elems(m, &n);
		any = false;
		for (e = 0; e < n && !any; e++) {
			if (m->op == RS_OP_IN)
				any = el[e].lo <= hi && lo <= el[e].hi;
			else
				/* NOT_IN excludes the row only when one
				 * element covers it whole */
				any = !(el[e].lo <= lo && hi <= el[e].hi);
		}
		if (m->op == RS_OP_NOT_IN && !n)
			any = true;
		if (!any)
			return false;
	}
	return true;
}

static int unknown_list(const struct ruleset *rs, const struct engine_piece *p,
			struct report_row *row)
{
	struct strbuf b = STRBUF_INIT;
	size_t i, k;
	char *m, *s;
	int ret = 0;

	for (i = 0; i < p->nassumptions && !ret; i++) {
		const struct engine_assumption *a = &p->assumptions[i];

		if (!assumption_applies(a, p, row))
			continue;
		if (a->cgroup) {
			strbuf_addf(&b, "cgroup ingress bpf id %u on %s",
				    a->cgroup->cgroup_prog,
				    a->cgroup->cgroup ? a->cgroup->cgroup :
							"?");
			goto add;
		}
		if (a->ipvs) {
			strbuf_addf(&b, "IPVS fwmark %u service (a mark set "
				    "by a rule fwaudit cannot follow)",
				    a->ipvs->fwmark);
			goto add;
		}
		if (a->nfbpf) {
			strbuf_addf(&b, "netfilter bpf id %u (%s, tag %s) on "
				    "%s %s priority %d", a->nfbpf->prog_id,
				    a->nfbpf->name[0] ? a->nfbpf->name :
				    "no name", a->nfbpf->tag[0] ?
				    a->nfbpf->tag : "?",
				    host_nfproto_name(a->nfbpf->pf),
				    host_nfhook_name(a->nfbpf->hooknum),
				    (int)a->nfbpf->priority);
			goto add;
		}
		if (a->xdp && a->tc) {
			strbuf_addf(&b, "tc ingress filter (%s) on %s",
				    a->xdp->tc_desc, a->xdp->name);
			goto add;
		}
		if (a->xdp) {
			strbuf_addf(&b, "xdp program %u (%s) on %s",
				    a->xdp->xdp_prog,
				    host_xdp_mode_name(a->xdp->xdp_mode),
				    a->xdp->name);
			goto add;
		}

		m = a->match ? rsprint_match(rs, a->match) : NULL;
		if (a->match && !m)
			return -ENOMEM;
		/* a target not decoded is named: "target dnat" */
		if (!m && a->rule && a->rule->verdict.kind == RS_V_OTHER &&
		    a->rule->verdict.name)
			strbuf_addf(&b, "target %s", a->rule->verdict.name);
		strbuf_addf(&b, "%s (%s %s %s, rule %u)",
			    m ? m : b.len ? "" :
			    rs_verdict_name(a->rule ? a->rule->verdict.kind :
					    RS_V_NONE),
			    rs_family_name(a->chain ? a->chain->family : 0),
			    a->chain ? a->chain->table : "?",
			    a->chain ? a->chain->name : "?",
			    a->rule ? a->rule->position : 0);
		free(m);
add:
		s = strbuf_take(&b);
		if (!s)
			return -ENOMEM;
		for (k = 0; k < row->nunknown; k++)
			if (!strcmp(row->unknown[k], s))
				break;
		if (k == row->nunknown)
			ret = str_list_add(&row->unknown, &row->nunknown, s);
		free(s);
	}
	return ret;
}

/* The order people read rows in; rows equal here are ordered by the
 * text of their addresses (row_order()). */
static int row_key_cmp(const struct report_row *x, const struct report_row *y)
{

	if (x->state != y->state)
		return x->state == ENGINE_EXPOSED ? -1 :
		       y->state == ENGINE_EXPOSED ? 1 : 0;
	if (x->possible != y->possible)
		return x->possible ? 1 : -1;
	if (x->family != y->family)
		return x->family == NFPROTO_IPV4 ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->port_lo != y->port_lo)
		return x->port_lo < y->port_lo ? -1 : 1;
	return 0;
}

/* row_idx_cmp()'s context: the rows, the text of each one's addresses */
static const struct report_row *order_rows;
static char *const *order_keys;

static int row_idx_cmp(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = row_key_cmp(&order_rows[i], &order_rows[j]);

	if (!c)
		c = strcmp(order_keys[i], order_keys[j]);
	return c ? c : i < j ? -1 : i > j;
}

/* Sort the rows of rep for people: 0 or -ENOMEM. */
static int row_order(struct report *rep)
{
	struct report_row *t = NULL;
	size_t *idx = NULL, i, n = rep->nrows;
	char **keys;
	int ret = -ENOMEM;

	keys = calloc(n + 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (!(keys[i] = report_address_str(&rep->rows[i])))
			goto out;
	idx = calloc(n + 1, sizeof(*idx));
	t = calloc(n + 1, sizeof(*t));
	if (!idx || !t)
		goto out;
	for (i = 0; i < n; i++)
		idx[i] = i;
	order_rows = rep->rows;
	order_keys = keys;
	qsort(idx, n, sizeof(*idx), row_idx_cmp);
	for (i = 0; i < n; i++)
		t[i] = rep->rows[idx[i]];
	memcpy(rep->rows, t, n * sizeof(*t));
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(idx);
	free(t);
	return ret;
}

/* A copy of l's intervals for a row: *out (NULL when l is empty), *n. */
static int ivlist_dup(const struct ivlist *l, struct rs_interval **out,
		      size_t *n)
{
	struct rs_interval *c = NULL;

	if (l->n) {
		c = malloc(l->n * sizeof(*c));
		if (!c)
			return -ENOMEM;
		memcpy(c, l->iv, l->n * sizeof(*c));
	}
	*out = c;
	*n = l->n;
	return 0;
}

/* The real server IPVS sends a row's probes to: its address, its port
 * (the probe's where the server has none: a port-0 or fwmark service),
 * the container the runtimes know there. */
static int ipvs_backend(const struct builder *bd, const struct engine_piece *p,
			struct report_row *row)
{
	const struct host_ipvs_dest *dst = p->ipvs_dest;
	const struct docker_container *dc = bd->dm ?
		docker_find(bd->dm, dst->family, dst->addr) : NULL;

	free(row->container);
	free(row->image);
	row->container = row->image = NULL;
	row->runtime = NULL;
	row->has_backend = true;
	row->ipvs = dst;
	row->ipvs_sandbox = p->ipvs_sandbox;
	row->has_backend_address = true;
	row->backend_address = dst->addr;
	if (dst->port) {
		row->backend_port_lo = row->backend_port_hi = dst->port;
	} else if (!p->nat_port) {
		row->backend_port_lo = row->port_lo;
		row->backend_port_hi = row->port_hi;
	} else {
		row->backend_port_lo = p->nat_port_lo;
		row->backend_port_hi = p->nat_port_hi;
	}
	if (dc && (!(row->container = strdup(dc->name)) ||
		   !(row->image = strdup(dc->image))))
		return -ENOMEM;
	if (dc)
		row->runtime = docker_runtime_name(dc->runtime);
	return 0;
}

static int draft_row(struct builder *bd, struct report *rep,
		     const struct draft *d)
{
	const struct engine_piece *p = &bd->res->pieces[d->group];
	struct report_row *row;
	size_t i;
	int ret;

	row = &rep->rows[rep->nrows++];
	memset(row, 0, sizeof(*row));
	row->family = p->family;
	row->proto = p->proto;
	row->port_lo = (uint16_t)d->dport.lo;
	row->port_hi = (uint16_t)d->dport.hi;
	row->path = p->fate;
	row->state = p->state;
	row->possible = p->possible;
	row->listener = p->listener;
	row->piece = p;
	ret = all_addresses(bd, p->family, &d->addrs) ? 0 :
	      ivlist_dup(&d->addrs, &row->addrs, &row->naddrs);
	if (!ret)
		ret = ivlist_dup(&d->srcs, &row->sources, &row->nsources);
	if (!ret)
		ret = split_list(d->ifs_s, &row->ifaces, &row->nifaces);
	if (ret < 0)
		return ret;
	if (!d->src->all_sports && d->src->nsports) {
		row->sports = calloc(d->src->nsports, sizeof(*row->sports));
		if (!row->sports)
			return -ENOMEM;
		for (i = 0; i < d->src->nsports; i++)
			row->sports[i] = d->src->sports[i];
		row->nsports = d->src->nsports;
	}
	if (p->nat) {
		const struct docker_container *dc = bd->dm ?
			docker_find(bd->dm, p->family, p->nat_addr) : NULL;

		row->has_backend = true;
		row->has_backend_address = true;
		row->backend_address = p->nat_addr;
		if (dc && (!(row->container = strdup(dc->name)) ||
			   !(row->image = strdup(dc->image))))
			return -ENOMEM;
		if (dc)
			row->runtime = docker_runtime_name(dc->runtime);
	}
	row->direct = p->direct;
	if (p->direct && !p->nat && d->container) {
		const struct docker_container *dc = &bd->dm->c[d->container - 1];

		/* the container answers at the address it was sent to */
		row->has_backend = true;
		row->has_backend_address = true;
		row->backend_address = dc->addr;
		row->backend_port_lo = row->port_lo;
		row->backend_port_hi = row->port_hi;
		if (!(row->container = strdup(dc->name)) ||
		    !(row->image = strdup(dc->image)))
			return -ENOMEM;
		row->runtime = docker_runtime_name(dc->runtime);
	}
	if (p->listener && bd->dm)
		row->held = docker_find_port(bd->dm, p->listener->comm,
					     p->listener->pid,
					     p->listener->family,
					     p->listener->protocol,
					     p->listener->addr,
					     p->listener->port);
	if (p->nat || p->nat_port) {
		row->has_backend = true;
		row->backend_port_lo = p->nat_port ? p->nat_port_lo :
				       row->port_lo;
		row->backend_port_hi = p->nat_port ? p->nat_port_hi :
				       row->port_hi;
	}
	if (p->ipvs_dest) {
		ret = ipvs_backend(bd, p, row);
		if (ret < 0)
			return ret;
	}
	return p->possible ? unknown_list(bd->rs, p, row) : 0;
}

/* The forwarded row that takes the probes of l's port before they could
 * reach it: DNAT at prerouting, as for the docker-proxy of a published
 * port.  An IPv6 socket that is not IPV6_V6ONLY also hears IPv4. */
static const struct report_row *dnat_row(const struct report *rep,
					 const struct host_listener *l)
{
	const struct report_row *r;
	size_t i;

	for (i = 0; i < rep->nrows; i++) {
		r = &rep->rows[i];
		/* (direct routing is addressed to the container, not to
		 * the host's port the listener holds) */
		if (r->path != ENGINE_FORWARDED || !r->has_backend ||
		    r->direct || r->proto != l->protocol || l->port < r->port_lo ||
		    l->port > r->port_hi)
			continue;
		if (r->family == (l->family == AF_INET6 ? NFPROTO_IPV6 :
				  NFPROTO_IPV4) ||
		    (l->family == AF_INET6 && !l->v6only &&
		     r->family == NFPROTO_IPV4))
			return r;
	}
	return NULL;
}

static int build_filtered(struct report *rep, const struct engine_result *res,
			  const struct host *host)
{
	const struct host_listener *pl;
	bool *reached;
	size_t i;

	if (!host)
		return 0;
	rep->filtered = calloc(host->nlisteners + 1, sizeof(*rep->filtered));
	reached = calloc(host->nlisteners + 1, sizeof(*reached));
	if (!rep->filtered || !reached) {
		free(reached);
		return -ENOMEM;
	}
	/* one pass over the pieces, not one per listener */
	for (i = 0; i < res->npieces; i++) {
		pl = res->pieces[i].listener;
		if (pl && res->pieces[i].state == ENGINE_EXPOSED &&
		    pl >= host->listeners &&
		    pl < host->listeners + host->nlisteners)
			reached[pl - host->listeners] = true;
	}
	for (i = 0; i < host->nlisteners; i++) {
		const struct host_listener *l = &host->listeners[i];

		if (reached[i])
			continue;
		rep->filtered[rep->nfiltered].listener = l;
		rep->filtered[rep->nfiltered].dnat = dnat_row(rep, l);
		if ((l->family == AF_INET && (l->addr >> 24) == 127) ||
		    (l->family == AF_INET6 && l->addr == 1))
			rep->filtered[rep->nfiltered].reason =
				"loopback address";
		else if (rep->filtered[rep->nfiltered].dnat)
			rep->filtered[rep->nfiltered].reason =
				"DNAT takes its probes elsewhere";
		else
			rep->filtered[rep->nfiltered].reason =
				"no probe reaches it";
		rep->nfiltered++;
	}
	free(reached);
	return 0;
}

/* The pieces that are not closed, grouped by outcome: *ord holds their
 * indexes, outcome by outcome, each outcome by index; *groups (*ngroups)
 * says where each outcome lies in *ord, in the order of its first piece.
 * Sorted rather than compared pairwise: Docker has an outcome per
 * published port. */
static int outcome_groups(const struct engine_result *res, size_t **ord,
			  struct outcome_group **groups, size_t *ngroups)
{
	struct outcome_group *gr;
	size_t *o, i, n = 0, g = 0;

	o = calloc(res->npieces + 1, sizeof(*o));
	gr = calloc(res->npieces + 1, sizeof(*gr));
	if (!o || !gr) {
		free(o);
		free(gr);
		return -ENOMEM;
	}
	for (i = 0; i < res->npieces; i++)
		if (res->pieces[i].state != ENGINE_CLOSED)
			o[n++] = i;
	outcome_base = res->pieces;
	qsort(o, n, sizeof(*o), outcome_cmp);
	for (i = 0; i < n; i++) {
		if (i && !outcome_key_cmp(&res->pieces[o[i - 1]],
					  &res->pieces[o[i]]))
			continue;
		if (g)
			gr[g - 1].end = i;
		gr[g++].start = i;
	}
	if (g)
		gr[g - 1].end = n;
	group_ord = o;
	qsort(gr, g, sizeof(*gr), group_cmp);
	*ord = o;
	*groups = gr;
	*ngroups = g;
	return 0;
}

int report_build(const struct engine_result *res, const struct ruleset *rs,
		 const struct host *host, const struct docker_map *dm,
		 struct report **out)
{
	struct builder bd = { .res = res, .rs = rs, .host = host, .dm = dm };
	struct report *rep;
	struct region *u = NULL;
	struct outcome_group *groups = NULL;
	size_t *ord = NULL;
	size_t i, j, g, ngroups = 0, live;
	int ret = 0;

	rep = calloc(1, sizeof(*rep));
	if (!rep) {
		ret = -ENOMEM;
		goto out;
	}
	rep->symbolic = res->symbolic;
	rep->notes = res->notes;
	rep->nnotes = res->nnotes;
	rep->dm = dm;
	ret = outcome_groups(res, &ord, &groups, &ngroups);
	for (g = 0; g < ngroups && !ret; g++) {
		i = groups[g].start;
		u = region_copy(res->pieces[ord[i]].region);
		if (!u) {
			ret = -ENOMEM;
			break;
		}
		for (j = i + 1; j < groups[g].end && !ret; j++) {
			/* a piece without assumptions is disjoint from every
			 * other: its boxes can simply be put with them */
			ret = res->pieces[ord[j]].nassumptions ?
			      region_union(u, res->pieces[ord[j]].region) :
			      region_append(u, res->pieces[ord[j]].region);
		}
		if (!ret)
			ret = region_normalize(u);
		if (!ret)
			ret = group_drafts(&bd, ord[i], u);
		region_free(u);
		u = NULL;
	}
	if (!ret)
		ret = drafts_merge(&bd, res->symbolic);
	if (ret < 0)
		goto out;
	for (i = 0, live = 0; i < bd.nd; i++)
		live += !bd.d[i].dead;
	rep->rows = calloc(live + 1, sizeof(*rep->rows));
	if (!rep->rows) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < bd.nd && !ret; i++) {
		if (bd.d[i].dead)
			continue;
		/* a row per address when they are not all of them */
		ret = draft_row(&bd, rep, &bd.d[i]);
	}
	if (!ret)
		ret = row_order(rep);
	if (!ret)
		ret = build_filtered(rep, res, host);
out:
	for (i = 0; i < bd.nd; i++)
		draft_release(&bd.d[i]);
	free(bd.d);
	free(ord);
	free(groups);
	if (ret < 0) {
		report_free(rep);
		return ret;
	}
	*out = rep;
	return 0;
}

static void free_list(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void report_free(struct report *rep)
{
	size_t i;

	if (!rep)
		return;
	for (i = 0; i < rep->nrows; i++) {
		struct report_row *r = &rep->rows[i];

		free(r->addrs);
		free(r->sources);
		free(r->sports);
		free_list(r->ifaces, r->nifaces);
		free(r->container);
		free(r->image);
		free(r->inside);
		free(r->inside_image);
		free(r->inside_project);
		free_list(r->unknown, r->nunknown);
	}
	free(rep->rows);
	free(rep->filtered);
	free_list(rep->added, rep->nadded);
	if (rep->notes_owned)
		free(rep->notes);
	free(rep);
}

int report_add_note(struct report *rep, const char *fmt, ...)
{
	char **l, **a, *s;
	va_list ap;

	va_start(ap, fmt);
	s = str_vprintf(fmt, ap);
	va_end(ap);
	if (!s)
		return -ENOMEM;
	a = realloc(rep->added, (rep->nadded + 1) * sizeof(*a));
	if (!a) {
		free(s);
		return -ENOMEM;
	}
	rep->added = a;
	a[rep->nadded++] = s;
	/* the engine's notes stay borrowed: the array becomes ours */
	l = rep->notes_owned ? rep->notes : NULL;
	l = realloc(l, (rep->nnotes + 1) * sizeof(*l));
	if (!l) {
		free(a[--rep->nadded]);
		return -ENOMEM;
	}
	if (!rep->notes_owned && rep->nnotes)
		memcpy(l, rep->notes, rep->nnotes * sizeof(*l));
	l[rep->nnotes++] = s;
	rep->notes = l;
	rep->notes_owned = true;
	return 0;
}

const struct docker_port *report_held(const struct report *rep,
				      const struct host_listener *l)
{
	if (!rep->dm || !l)
		return NULL;
	return docker_find_port(rep->dm, l->comm, l->pid, l->family,
				l->protocol, l->addr, l->port);
}

/* ---------------------------------------------------------------------
 * Output.
 */
static void str_array(struct jsonw *w, char **l, size_t n)
{
	size_t i;

	jsonw_array_begin(w);
	for (i = 0; i < n; i++)
		jsonw_string(w, l[i]);
	jsonw_array_end(w);
}

void report_addrs_json(struct jsonw *w, uint8_t family,
		       const struct rs_interval *iv, size_t n)
{
	char **l = NULL;
	size_t nl = 0;

	/* (an allocation failure leaves the array empty: jsonw has no
	 * error state of its own for it) */
	if (report_addrs_list(family, iv, n, &l, &nl) < 0)
		nl = 0;
	str_array(w, l, nl);
	report_addrs_list_free(l, nl);
}

static void range_json(struct jsonw *w, unsigned int lo, unsigned int hi)
{
	jsonw_array_begin(w);
	jsonw_int(w, lo);
	jsonw_int(w, hi);
	jsonw_array_end(w);
}

/* The members of a listener object (or null without one). */
static void listener_members(struct jsonw *w, const struct host_listener *l,
			     const struct docker_port *held)
{
	char buf[INET6_ADDRSTRLEN];

	host_addr_str(l->family, l->addr, buf, sizeof(buf));
	jsonw_member_string(w, "address", buf);
	jsonw_member_int(w, "port", l->port);
	jsonw_member_string(w, "process", l->comm);
	jsonw_key(w, "pid");
	if (l->pid)
		jsonw_int(w, l->pid);
	else
		jsonw_null(w);
	/* what a user's pasta forwards this port to (a command, a network
	 * namespace): no container */
	if (held && !docker_port_container(held)) {
		jsonw_member_string(w, "serves", held->name);
		jsonw_member_string(w, "runtime",
				    docker_runtime_name(held->runtime));
	}
	/* the container a port-holding process holds this port for */
	else if (held) {
		jsonw_member_string(w, "container", held->name);
		jsonw_member_string(w, "image", held->image);
		jsonw_member_string(w, "runtime",
				    docker_runtime_name(held->runtime));
	}
}

static void exposure_json(struct jsonw *w, const struct report_row *r)
{
	char buf[INET6_ADDRSTRLEN], *address;
	size_t k;

	jsonw_member_string(w, "family", family_str(r->family));
	jsonw_member_string(w, "protocol", report_proto_name(r->proto));
	jsonw_key(w, "ports");
	range_json(w, r->port_lo, r->port_hi);
	address = report_address_str(r);
	jsonw_member_string(w, "address", address ? address : "");
	free(address);
	jsonw_key(w, "sources");
	report_addrs_json(w, r->family, r->sources, r->nsources);
	if (r->nsports) {
		jsonw_key(w, "source_ports");
		jsonw_array_begin(w);
		for (k = 0; k < r->nsports; k++)
			range_json(w, (unsigned int)r->sports[k].lo,
				   (unsigned int)r->sports[k].hi);
		jsonw_array_end(w);
	}
	jsonw_key(w, "interfaces");
	str_array(w, r->ifaces, r->nifaces);
	jsonw_member_string(w, "path", r->path == ENGINE_FORWARDED ?
			    "forward" : "local");
	/* added in version 1: present only for direct routing */
	if (r->direct)
		jsonw_member_string(w, "route", "direct");
	jsonw_key(w, "backend");
	if (r->has_backend) {
		jsonw_object_begin(w);
		jsonw_member_string(w, "address",
				    report_backend_str(r, buf, sizeof(buf)));
		jsonw_key(w, "ports");
		range_json(w, r->backend_port_lo, r->backend_port_hi);
		jsonw_member_string(w, "container", r->container);
		jsonw_member_string(w, "image", r->image);
		jsonw_member_string(w, "runtime", r->runtime);
		/* added in version 1: present only for IPVS real servers */
		if (r->ipvs) {
			jsonw_member_string(w, "via", "ipvs");
			jsonw_member_string(w, "method",
					    ipvs_fwd_name(r->ipvs->fwd));
			jsonw_member_int(w, "weight", r->ipvs->weight);
			if (r->ipvs_sandbox)
				jsonw_member_string(w, "sandbox",
						    "ingress_sbox");
		}
		jsonw_object_end(w);
	} else {
		jsonw_null(w);
	}
	jsonw_key(w, "listener");
	if (r->listener) {
		jsonw_object_begin(w);
		listener_members(w, r->listener, r->held);
		jsonw_object_end(w);
	} else {
		jsonw_null(w);
	}
	jsonw_member_string(w, "state", engine_state_name(r->state));
	jsonw_member_string(w, "certainty", r->possible ? "possible" :
			    "definite");
	jsonw_key(w, "unknown");
	str_array(w, r->unknown, r->nunknown);
	/* added in version 1: only for a container's own namespace */
	if (r->inside) {
		jsonw_key(w, "namespace");
		jsonw_object_begin(w);
		jsonw_member_string(w, "container", r->inside);
		jsonw_member_string(w, "image", r->inside_image);
		jsonw_member_string(w, "runtime", r->inside_runtime);
		/* LXD's and Incus's project, when not "default" */
		if (r->inside_project)
			jsonw_member_string(w, "project", r->inside_project);
		jsonw_member_string(w, "link", r->inside_link);
		jsonw_object_end(w);
	}
}

void report_json(const struct report *rep, struct jsonw *w,
		 report_row_cb row_end, const void *ctx)
{
	size_t i;

	jsonw_key(w, "exposures");
	jsonw_array_begin(w);
	for (i = 0; i < rep->nrows; i++) {
		jsonw_object_begin(w);
		exposure_json(w, &rep->rows[i]);
		if (row_end)
			row_end(ctx, w, i);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_key(w, "filtered");
	jsonw_array_begin(w);
	for (i = 0; i < rep->nfiltered; i++) {
		const struct host_listener *l = rep->filtered[i].listener;

		jsonw_object_begin(w);
		listener_members(w, l, report_held(rep, l));
		jsonw_member_string(w, "family", l->family == AF_INET6 ?
				    "ipv6" : "ipv4");
		jsonw_member_string(w, "protocol",
				    report_proto_name(l->protocol));
		jsonw_member_string(w, "reason", rep->filtered[i].reason);
		if (rep->filtered[i].dnat)
			jsonw_member_int(w, "exposure", (long long)
					 (rep->filtered[i].dnat - rep->rows));
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_key(w, "notes");
	str_array(w, rep->notes, rep->nnotes);
}

static void join(struct strbuf *b, char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		strbuf_addf(b, "%s%s", i ? "," : "", l[i]);
}

void report_sources_text(struct strbuf *b, const struct srcview *sv,
			 uint8_t family, const struct rs_interval *iv, size_t n)
{
	/* srcview writes nothing when it fails */
	if (srcview_text(sv, family, iv, n, b) < 0)
		report_addrs_text(b, family, iv, n, ",");
}

static char *row_target(const struct report_row *r)
{
	struct strbuf b = STRBUF_INIT;
	char buf[INET6_ADDRSTRLEN], bbuf[INET6_ADDRSTRLEN];
	const char *be;

	if (r->direct && !r->has_backend) {
		/* no container there now: the next one started is */
		strbuf_add(&b, "-> container network (direct routing)");
	} else if (r->path == ENGINE_FORWARDED ||
		   (r->has_backend && r->has_backend_address)) {
		be = report_backend_str(r, bbuf, sizeof(bbuf));
		strbuf_addf(&b, "-> %s:%u", be ? be : "?", r->backend_port_lo);
		if (r->backend_port_hi != r->backend_port_lo)
			strbuf_addf(&b, "-%u", r->backend_port_hi);
		if (r->container)
			strbuf_addf(&b, " (%s)", r->container);
		if (r->direct)
			strbuf_add(&b, " (direct routing)");
		if (r->ipvs)
			strbuf_addf(&b, " (%sipvs %s)", r->ipvs_sandbox ?
				    "swarm " : "", ipvs_fwd_name(r->ipvs->fwd));
	}
	if (r->listener) {
		host_addr_str(r->listener->family, r->listener->addr, buf,
			      sizeof(buf));
		strbuf_addf(&b, "%s%s%s%s:%u", b.len ? " " : "",
			    r->listener->family == AF_INET6 ? "[" : "", buf,
			    r->listener->family == AF_INET6 ? "]" : "",
			    r->listener->port);
		if (r->listener->comm)
			strbuf_addf(&b, " %s", r->listener->comm);
		if (r->listener->pid)
			strbuf_addf(&b, "[%d]", (int)r->listener->pid);
		if (r->held)
			strbuf_addf(&b, " for %s", r->held->name);
	} else if (r->path == ENGINE_LOCAL) {
		strbuf_addf(&b, "%snothing listens", b.len ? " " : "");
	}
	if (r->inside)
		strbuf_addf(&b, " in container %s (%s%s%s)", r->inside,
			    r->inside_link ? r->inside_link : "?",
			    r->inside_project ? ", project " : "",
			    r->inside_project ? r->inside_project : "");
	return strbuf_take(&b);
}

/* The cells of one row of the table, in the order of the header. */
#define NCOLS	8
#define COL_MAX	40

static const char *const col_names[NCOLS] = {
	"STATE", "CERTAINTY", "PROTO", "PORTS", "ADDRESS", "IFACES",
	"SOURCES", "TARGET",
};

static void row_cells(const struct report_row *r, const struct srcview *sv,
		      char *cell[NCOLS])
{
	struct strbuf b = STRBUF_INIT;
	size_t k;

	strbuf_add(&b, engine_state_name(r->state));
	cell[0] = strbuf_take(&b);
	strbuf_add(&b, r->possible ? "possible" : "definite");
	cell[1] = strbuf_take(&b);
	/* netstat's way: "tcp6" for IPv6, where "any" does not say */
	strbuf_addf(&b, "%s%s", report_proto_name(r->proto),
		    r->family == NFPROTO_IPV6 ? "6" : "");
	cell[2] = strbuf_take(&b);
	strbuf_addf(&b, "%u", r->port_lo);
	if (r->port_hi != r->port_lo)
		strbuf_addf(&b, "-%u", r->port_hi);
	cell[3] = strbuf_take(&b);
	report_address_text(&b, r, ",");
	cell[4] = strbuf_take(&b);
	join(&b, r->ifaces, r->nifaces);
	cell[5] = strbuf_take(&b);
	report_sources_text(&b, sv, r->family, r->sources, r->nsources);
	if (r->nsports) {
		strbuf_add(&b, " sport ");
		for (k = 0; k < r->nsports; k++) {
			strbuf_addf(&b, "%s%u", k ? "," : "",
				    (unsigned int)r->sports[k].lo);
			if (r->sports[k].hi != r->sports[k].lo)
				strbuf_addf(&b, "-%u",
					    (unsigned int)r->sports[k].hi);
		}
	}
	cell[6] = strbuf_take(&b);
	cell[7] = row_target(r);
}

int report_text(const struct report *rep, const struct srcview *sv,
		FILE *f)
{
	char bbuf[INET6_ADDRSTRLEN];
	const char *be;
	size_t i, k, c, w[NCOLS];
	char *(*cells)[NCOLS];

	if (!rep->nrows)
		fprintf(f, "Nothing is reachable from outside.\n");
	cells = calloc(rep->nrows + 1, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	/* columns as wide as their widest cell, so that an IPv6 address
	 * keeps the rest in line; a cell longer than COL_MAX (a long list of
	 * sources) runs over in its own row instead of pushing every row */
	for (c = 0; c < NCOLS; c++)
		w[c] = strlen(col_names[c]);
	for (i = 0; i < rep->nrows; i++) {
		row_cells(&rep->rows[i], sv, cells[i]);
		for (c = 0; c < NCOLS; c++) {
			size_t n = cells[i][c] ? strlen(cells[i][c]) : 1;

			if (n > w[c] && n <= COL_MAX)
				w[c] = n;
		}
	}
	for (i = 0; i <= rep->nrows && rep->nrows; i++) {
		for (c = 0; c < NCOLS; c++) {
			const char *t = i ? cells[i - 1][c] : col_names[c];

			if (c == NCOLS - 1)
				fprintf(f, "%s\n", t ? t : "?");
			else
				fprintf(f, "%-*s ", (int)w[c], t ? t : "?");
		}
		for (k = 0; i && k < rep->rows[i - 1].nunknown; k++)
			fprintf(f, "%10s undecided: %s\n", "",
				rep->rows[i - 1].unknown[k]);
	}
	for (i = 0; i < rep->nrows; i++)
		for (c = 0; c < NCOLS; c++)
			free(cells[i][c]);
	free(cells);
	if (rep->nfiltered) {
		fprintf(f, "\nFiltered (listening, but no probe reaches "
			"them):\n");
		for (i = 0; i < rep->nfiltered; i++) {
			const struct host_listener *l = rep->filtered[i].listener;
			char buf[INET6_ADDRSTRLEN];

			const struct report_row *d = rep->filtered[i].dnat;
			const struct docker_port *held = report_held(rep, l);

			host_addr_str(l->family, l->addr, buf, sizeof(buf));
			fprintf(f, "  %-5s %s%s%s:%u %s%s%s ",
				report_proto_name(l->protocol),
				l->family == AF_INET6 ? "[" : "", buf,
				l->family == AF_INET6 ? "]" : "", l->port,
				l->comm ? l->comm : "?", held ? " for " : "",
				held ? held->name : "");
			be = d ? report_backend_str(d, bbuf, sizeof(bbuf)) :
				 NULL;
			if (d)
				fprintf(f, "(bypassed: DNAT sends %s/%u to "
					"%s:%u%s%s%s)\n",
					report_proto_name(d->proto), l->port,
					be ? be : "?",
					d->backend_port_lo + (l->port -
							      d->port_lo),
					d->container ? " (" : "",
					d->container ? d->container : "",
					d->container ? ")" : "");
			else
				fprintf(f, "(%s)\n", rep->filtered[i].reason);
		}
	}
	for (i = 0; i < rep->nnotes; i++)
		fprintf(f, "note: %s\n", rep->notes[i]);
	return ferror(f) ? -EIO : 0;
}
