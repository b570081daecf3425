// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * diff.c - two audits compared at the level of probe sets.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "array.h"
#include "diff.h"
#include "region.h"
#include "strbuf.h"

/* An unmet require by its key (viol: index into verdicts->violations). */
struct item {
	char *key;
	long viol;
};

struct items {
	size_t n;
	struct item *v;
};

static void items_release(struct items *it)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		free(it->v[i].key);
	free(it->v);
	memset(it, 0, sizeof(*it));
}

const char *diff_family_name(uint8_t family)
{
	return family == NFPROTO_IPV6 ? "ipv6" : "ipv4";
}

void diff_add_ports(struct strbuf *b, uint32_t lo, uint32_t hi)
{
	if (lo == hi)
		strbuf_addf(b, "%u", lo);
	else
		strbuf_addf(b, "%u-%u", lo, hi);
}

void diff_missing_key(struct strbuf *b, const struct policy_violation *v)
{
	size_t j;

	for (j = 0; j < v->nmissing; j++) {
		const struct policy_missing *m = &v->missing[j];

		strbuf_addf(b, "%s/%s/", diff_family_name(m->family),
			    report_proto_name(m->proto));
		diff_add_ports(b, m->port_lo, m->port_hi);
		strbuf_add(b, "/");
		report_addrs_text(b, m->family, m->sources, m->nsources, ",");
		strbuf_add(b, ";");
	}
}

static int items_add(struct items *it, struct strbuf *key, long viol)
{
	struct item *n;
	char *k = strbuf_take(key);

	if (!k)
		return -ENOMEM;
	n = realloc(it->v, (it->n + 1) * sizeof(*n));
	if (!n) {
		free(k);
		return -ENOMEM;
	}
	it->v = n;
	it->v[it->n++] = (struct item){ k, viol };
	return 0;
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->viol < y->viol ? -1 : x->viol > y->viol;
}

size_t diff_nexposures(const struct audit_result *r)
{
	size_t i, n = 0;

	for (i = 0; r && r->report && i < r->report->nrows; i++)
		n += r->report->rows[i].state != ENGINE_CLOSED;
	return n;
}

size_t diff_nviolations(const struct audit_result *r)
{
	return r && r->verdicts ? r->verdicts->nviolations : 0;
}

/* ---------------------------------------------------------------------
 * Probe sets (fwaudit diff).
 */

/* A set of addresses: sorted, disjoint, not adjacent intervals. */
struct ivs {
	size_t n;
	struct rs_interval *v;
};

static void ivs_release(struct ivs *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int ivs_push(struct ivs *s, rs_u128 lo, rs_u128 hi)
{
	struct rs_interval *n;

	/* the callers push in ascending order: join what touches */
	if (s->n && s->v[s->n - 1].hi != (rs_u128)-1 &&
	    s->v[s->n - 1].hi + 1 >= lo) {
		if (hi > s->v[s->n - 1].hi)
			s->v[s->n - 1].hi = hi;
		return 0;
	}
	n = realloc(s->v, (s->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->v = n;
	s->v[s->n++] = (struct rs_interval){ lo, hi };
	return 0;
}

static int cmp_iv(const void *a, const void *b)
{
	const struct rs_interval *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* *out = a | b */
static int ivs_or(const struct ivs *a, const struct ivs *b, struct ivs *out)
{
	struct ivs r = { 0 };
	size_t i = 0, j = 0;
	int ret = 0;

	while (!ret && (i < a->n || j < b->n)) {
		const struct rs_interval *x;

		if (j >= b->n || (i < a->n && a->v[i].lo <= b->v[j].lo))
			x = &a->v[i++];
		else
			x = &b->v[j++];
		ret = ivs_push(&r, x->lo, x->hi);
	}
	if (ret < 0) {
		ivs_release(&r);
		return ret;
	}
	*out = r;
	return 0;
}

/* *out = a & b (invert_b false) or a \ b (invert_b true) */
static int ivs_and(const struct ivs *a, const struct ivs *b, bool invert_b,
		   struct ivs *out)
{
	struct ivs r = { 0 };
	size_t i, j = 0;
	int ret = 0;

	for (i = 0; !ret && i < a->n; i++) {
		rs_u128 lo = a->v[i].lo, hi = a->v[i].hi;
		bool done = false;

		while (j < b->n && b->v[j].hi < lo)
			j++;
		for (size_t k = j; !ret && !done && k < b->n &&
		     b->v[k].lo <= hi; k++) {
			const struct rs_interval *y = &b->v[k];

			if (invert_b) {
				if (y->lo > lo)
					ret = ivs_push(&r, lo, y->lo - 1);
				if (y->hi >= hi)
					done = true;
				else
					lo = y->hi + 1;
			} else {
				ret = ivs_push(&r, y->lo > lo ? y->lo : lo,
					       y->hi < hi ? y->hi : hi);
			}
		}
		if (!ret && invert_b && !done)
			ret = ivs_push(&r, lo, hi);
	}
	if (ret < 0) {
		ivs_release(&r);
		return ret;
	}
	*out = r;
	return 0;
}

/* The sources of a row or a part as a set; -EINVAL for an interval
 * beyond family. */
static int ivs_from(uint8_t family, const struct rs_interval *l, size_t n,
		    struct ivs *out)
{
	rs_u128 max = family == NFPROTO_IPV6 ? ~(rs_u128)0 :
		      (rs_u128)0xffffffffu;
	struct rs_interval *v;
	struct ivs r = { 0 };
	size_t i;
	int ret = 0;

	if (!n) {
		*out = r;
		return 0;
	}
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (l[i].lo > l[i].hi || l[i].hi > max) {
			ret = -EINVAL;
			goto out;
		}
		v[i] = l[i];
	}
	qsort(v, n, sizeof(*v), cmp_iv);
	for (i = 0; !ret && i < n; i++)
		ret = ivs_push(&r, v[i].lo, v[i].hi);
	if (ret < 0) {
		ivs_release(&r);
		goto out;
	}
	*out = r;
out:
	free(v);
	return ret;
}

/* What covers a part of the probe space on one side: a row, or one part
 * of its verdict. */
struct unit {
	bool cur;			/* of the new side */
	const struct report_row *row;
	const struct policy_part *part;	/* NULL without a policy */
	uint16_t lo, hi;
	struct ivs src;
};

struct units {
	size_t n, cap;
	struct unit *v;
};

static void units_release(struct units *u)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		ivs_release(&u->v[i].src);
	free(u->v);
	memset(u, 0, sizeof(*u));
}

static int units_add(struct units *u, bool cur, const struct report_row *row,
		     const struct policy_part *part)
{
	struct unit x = { cur, row, part, 0, 0, { 0 } };
	int ret;

	if (u->n >= DIFF_MAX_UNITS)
		return -E2BIG;
	x.lo = part ? part->port_lo : row->port_lo;
	x.hi = part ? part->port_hi : row->port_hi;
	ret = part ? ivs_from(row->family, part->sources, part->nsources,
			      &x.src) :
		     ivs_from(row->family, row->sources, row->nsources, &x.src);
	if (ret < 0)
		return ret;
	if (!x.src.n)
		return 0;
	/* ~20,000 units on kube-10000: a realloc() each was a copy each */
	ret = array_grow(&u->v, &u->cap, u->n, sizeof(*u->v), SIZE_MAX, 64);
	if (ret < 0) {
		ivs_release(&x.src);
		return ret;
	}
	u->v[u->n++] = x;
	return 0;
}

int diff_side_each(const struct diff_side *s,
		   int (*fn)(void *ctx, const struct report_row *row,
			     const struct policy_part *part), void *ctx)
{
	size_t i, k;
	int ret;

	for (i = 0; s && i < s->nrows; i++) {
		const struct report_row *row = &s->rows[i];
		const struct policy_verdict *pv;

		if (row->state == ENGINE_CLOSED)
			continue;
		pv = s->verdicts && i < s->verdicts->nrows ?
		     &s->verdicts->rows[i] : NULL;
		if (!pv || !pv->nparts) {
			ret = fn(ctx, row, NULL);
			if (ret < 0)
				return ret;
			continue;
		}
		for (k = 0; k < pv->nparts; k++) {
			ret = fn(ctx, row, &pv->parts[k]);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

struct collect {
	struct units *u;
	bool cur;
};

static int collect_unit(void *ctx, const struct report_row *row,
			const struct policy_part *part)
{
	struct collect *c = ctx;

	return units_add(c->u, c->cur, row, part);
}

static int units_collect(const struct diff_side *s, bool cur, struct units *u)
{
	struct collect c = { u, cur };

	return diff_side_each(s, collect_unit, &c);
}

static int cmp_group(const struct report_row *x, const struct report_row *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return report_address_cmp(x, y);
}

static int cmp_unit(const void *a, const void *b)
{
	const struct unit *x = a, *y = b;
	int c = cmp_group(x->row, y->row);

	if (c)
		return c;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool listener_eq(const struct host_listener *a,
			const struct host_listener *b)
{
	if (!a || !b)
		return a == b;
	return a->family == b->family && a->protocol == b->protocol &&
	       a->port == b->port && a->addr == b->addr &&
	       str_eq(a->comm, b->comm);
}

static bool ifaces_eq(const struct report_row *a, const struct report_row *b)
{
	size_t i;

	if (a->nifaces != b->nifaces)
		return false;
	for (i = 0; i < a->nifaces; i++)
		if (strcmp(a->ifaces[i], b->ifaces[i]))
			return false;
	return true;
}

static bool sports_eq(const struct report_row *a, const struct report_row *b)
{
	return a->nsports == b->nsports &&
	       (!a->nsports || !memcmp(a->sports, b->sports,
				       a->nsports * sizeof(*a->sports)));
}

static enum policy_severity unit_severity(const struct unit *u)
{
	return u->part && !u->part->allowed ? u->part->severity :
	       POLICY_SEV_NONE;
}

/* DIFF_CH_* bits that differ between an old and a new unit */
static unsigned int unit_changes(const struct unit *o, const struct unit *n)
{
	const struct report_row *a = o->row, *b = n->row;
	unsigned int ch = 0;

	if (a->state != b->state)
		ch |= DIFF_CH_STATE;
	if (a->possible != b->possible)
		ch |= DIFF_CH_CERTAINTY;
	if (!listener_eq(a->listener, b->listener))
		ch |= DIFF_CH_LISTENER;
	if (a->has_backend != b->has_backend ||
	    (a->has_backend && (a->has_backend_address !=
				b->has_backend_address ||
				a->backend_address != b->backend_address ||
				a->backend_port_lo != b->backend_port_lo ||
				a->backend_port_hi != b->backend_port_hi ||
				!str_eq(a->container, b->container))))
		ch |= DIFF_CH_BACKEND;
	if (a->path != b->path)
		ch |= DIFF_CH_PATH;
	if (!ifaces_eq(a, b))
		ch |= DIFF_CH_INTERFACES;
	if (!sports_eq(a, b))
		ch |= DIFF_CH_SOURCE_PORTS;
	if (unit_severity(o) != unit_severity(n) ||
	    (o->part && n->part && (!str_eq(o->part->rule.file,
					    n->part->rule.file) ||
				    o->part->rule.line != n->part->rule.line)))
		ch |= DIFF_CH_VERDICT;
	return ch;
}

static int changes_add(struct diff_changes *c, enum diff_change_kind kind,
		       const struct unit *o, const struct unit *n,
		       uint16_t lo, uint16_t hi, struct ivs *src,
		       unsigned int changed)
{
	const struct unit *u = n ? n : o;
	struct diff_change *v;

	if (c->n >= DIFF_MAX_CHANGES)
		return -E2BIG;
	v = realloc(c->v, (c->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->v = v;
	v = &c->v[c->n++];
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->family = u->row->family;
	v->proto = u->row->proto;
	v->port_lo = lo;
	v->port_hi = hi;
	v->nsources = src->n;
	v->sources = src->v;
	src->v = NULL;
	src->n = 0;
	v->old_row = o ? o->row : NULL;
	v->old_part = o ? o->part : NULL;
	v->new_row = n ? n->row : NULL;
	v->new_part = n ? n->part : NULL;
	v->changed = changed;
	if (n && unit_severity(n) > (o ? unit_severity(o) : POLICY_SEV_NONE))
		v->opens = unit_severity(n);
	if (o && unit_severity(o) > (n ? unit_severity(n) : POLICY_SEV_NONE))
		v->resolves = unit_severity(o);
	return 0;
}

/* The changes on ports [lo, hi], which every unit of u[0..n) covers
 * whole (the units of both sides that cover any of it). */
static int compare_ports(const struct unit *const *u, size_t n, uint16_t lo,
			 uint16_t hi, struct diff_changes *c)
{
	struct ivs all[2] = { { 0 }, { 0 } }, t = { 0 }, same = { 0 }, d = { 0 };
	size_t i, k;
	int ret = 0;

	for (i = 0; i < n; i++) {
		ret = ivs_or(&all[u[i]->cur], &u[i]->src, &t);
		if (ret < 0)
			goto out;
		ivs_release(&all[u[i]->cur]);
		all[u[i]->cur] = t;
		t = (struct ivs){ 0 };
	}
	for (i = 0; i < n; i++) {
		const struct unit *x = u[i];

		/* what the other side does not cover at all */
		ret = ivs_and(&x->src, &all[!x->cur], true, &d);
		if (ret < 0)
			goto out;
		if (d.n) {
			ret = changes_add(c, x->cur ? DIFF_OPENED : DIFF_CLOSED,
					  x->cur ? NULL : x, x->cur ? x : NULL,
					  lo, hi, &d, 0);
			if (ret < 0)
				goto out;
		}
		ivs_release(&d);
		if (!x->cur)
			continue;
		/* covered on both sides: altered where no old unit does the
		 * same (rows of one side can overlap: other interfaces) */
		for (k = 0; k < n; k++) {
			if (u[k]->cur || unit_changes(u[k], x))
				continue;
			ret = ivs_or(&same, &u[k]->src, &t);
			if (ret < 0)
				goto out;
			ivs_release(&same);
			same = t;
			t = (struct ivs){ 0 };
		}
		for (k = 0; k < n; k++) {
			unsigned int ch;

			if (u[k]->cur)
				continue;
			ch = unit_changes(u[k], x);
			if (!ch)
				continue;
			ret = ivs_and(&x->src, &u[k]->src, false, &t);
			if (!ret)
				ret = ivs_and(&t, &same, true, &d);
			ivs_release(&t);
			if (!ret && d.n)
				ret = changes_add(c, DIFF_ALTERED, u[k], x,
						  lo, hi, &d, ch);
			ivs_release(&d);
			if (ret < 0)
				goto out;
		}
		ivs_release(&same);
	}
out:
	ivs_release(&all[0]);
	ivs_release(&all[1]);
	ivs_release(&t);
	ivs_release(&same);
	ivs_release(&d);
	return ret;
}

static int cmp_u32(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* one (family, protocol, address), units sorted by their first port: cut
 * the ports where any unit starts or ends and compare each piece with the
 * units that cover it, swept in port order (a ruleset of a thousand ports
 * must not cost a million comparisons per port) */
static int compare_group(const struct unit *u, size_t n,
			 struct diff_changes *c)
{
	const struct unit **act;
	uint32_t *cut;
	size_t i, k, m = 0, nact = 0, next = 0;
	int ret = 0;

	cut = calloc(2 * n, sizeof(*cut));
	act = calloc(n, sizeof(*act));
	if (!cut || !act) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		cut[m++] = u[i].lo;
		cut[m++] = (uint32_t)u[i].hi + 1;
	}
	qsort(cut, m, sizeof(*cut), cmp_u32);
	for (i = 0; !ret && i + 1 < m; i++) {
		if (cut[i] == cut[i + 1])
			continue;
		/* drop the units that ended, take those that start */
		for (k = 0; k < nact; )
			if (act[k]->hi < cut[i])
				act[k] = act[--nact];
			else
				k++;
		while (next < n && u[next].lo <= cut[i])
			act[nact++] = &u[next++];
		if (nact)
			ret = compare_ports(act, nact, (uint16_t)cut[i],
					    (uint16_t)(cut[i + 1] - 1), c);
	}
out:
	free(cut);
	free(act);
	return ret;
}

static int cmp_change_merge(const struct diff_change *x,
			    const struct diff_change *y)
{
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->old_row != y->old_row)
		return x->old_row < y->old_row ? -1 : 1;
	if (x->new_row != y->new_row)
		return x->new_row < y->new_row ? -1 : 1;
	if (x->old_part != y->old_part)
		return x->old_part < y->old_part ? -1 : 1;
	if (x->new_part != y->new_part)
		return x->new_part < y->new_part ? -1 : 1;
	if (x->nsources != y->nsources)
		return x->nsources < y->nsources ? -1 : 1;
	if (x->nsources) {
		int c = memcmp(x->sources, y->sources,
			       x->nsources * sizeof(*x->sources));

		if (c)
			return c;
	}
	return 0;
}

static int cmp_change_sort(const void *a, const void *b)
{
	const struct diff_change *x = a, *y = b;
	int c = cmp_change_merge(x, y);

	if (c)
		return c;
	return x->port_lo < y->port_lo ? -1 : x->port_lo > y->port_lo;
}

static int cmp_change_out(const void *a, const void *b)
{
	const struct diff_change *x = a, *y = b;
	const struct report_row *rx = x->new_row ? x->new_row : x->old_row;
	const struct report_row *ry = y->new_row ? y->new_row : y->old_row;
	int c;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	/* the worst news of each kind first */
	if (x->opens != y->opens)
		return x->opens > y->opens ? -1 : 1;
	if (x->resolves != y->resolves)
		return x->resolves > y->resolves ? -1 : 1;
	c = cmp_group(rx, ry);
	if (c)
		return c;
	if (x->port_lo != y->port_lo)
		return x->port_lo < y->port_lo ? -1 : 1;
	if (x->nsources && y->nsources && x->sources[0].lo != y->sources[0].lo)
		return x->sources[0].lo < y->sources[0].lo ? -1 : 1;
	return 0;
}

/* Join the changes of adjacent port pieces that are the same otherwise. */
static void changes_merge(struct diff_changes *c)
{
	size_t i, out = 0;

	if (!c->n)
		return;
	qsort(c->v, c->n, sizeof(*c->v), cmp_change_sort);
	for (i = 1, out = 1; i < c->n; i++) {
		struct diff_change *p = &c->v[out - 1], *x = &c->v[i];

		if (!cmp_change_merge(p, x) && (uint32_t)p->port_hi + 1 ==
		    x->port_lo) {
			p->port_hi = x->port_hi;
			free(x->sources);
			continue;
		}
		c->v[out++] = *x;
	}
	c->n = out;
	qsort(c->v, c->n, sizeof(*c->v), cmp_change_out);
}

static int missing_keys(const struct diff_side *s, struct items *it)
{
	struct strbuf b = STRBUF_INIT;
	size_t i;
	int ret;

	for (i = 0; s && s->verdicts && i < s->verdicts->nviolations; i++) {
		const struct policy_violation *v = &s->verdicts->violations[i];

		if (v->kind != POLICY_V_MISSING)
			continue;
		diff_missing_key(&b, v);
		strbuf_addf(&b, "|%s", policy_severity_name(v->severity));
		ret = items_add(it, &b, (long)i);
		if (ret < 0)
			return ret;
	}
	if (it->n)
		qsort(it->v, it->n, sizeof(*it->v), cmp_item);
	return 0;
}

static bool items_have(const struct items *it, const char *key)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		if (!strcmp(it->v[i].key, key))
			return true;
	return false;
}

/* the unmet requires of a that b does not have, into *l */
static int missing_only(const struct diff_side *a, const struct items *ka,
			const struct items *kb,
			const struct policy_violation ***l, size_t *n)
{
	const struct policy_violation **v;
	size_t i;

	for (i = 0; i < ka->n; i++) {
		if (items_have(kb, ka->v[i].key))
			continue;
		v = realloc(*l, (*n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		*l = v;
		v[(*n)++] = &a->verdicts->violations[ka->v[i].viol];
	}
	return 0;
}

int diff_compare(const struct diff_side *old, const struct diff_side *cur,
		 struct diff_changes *out)
{
	struct items ma = { 0 }, mb = { 0 };
	struct units u = { 0 };
	size_t i, g;
	int ret;

	ret = units_collect(old, false, &u);
	if (!ret)
		ret = units_collect(cur, true, &u);
	if (ret < 0)
		goto out;
	if (u.n)
		qsort(u.v, u.n, sizeof(*u.v), cmp_unit);
	for (g = 0; g < u.n; g = i) {
		for (i = g + 1; i < u.n && !cmp_group(u.v[g].row, u.v[i].row);
		     i++)
			;
		ret = compare_group(&u.v[g], i - g, out);
		if (ret < 0)
			goto out;
	}
	changes_merge(out);
	ret = missing_keys(old, &ma);
	if (!ret)
		ret = missing_keys(cur, &mb);
	if (!ret)
		ret = missing_only(cur, &mb, &ma, &out->missing_opened,
				   &out->nmissing_opened);
	if (!ret)
		ret = missing_only(old, &ma, &mb, &out->missing_resolved,
				   &out->nmissing_resolved);
	if (ret < 0)
		goto out;
	out->worst = POLICY_SEV_NONE;
	for (i = 0; i < out->n; i++)
		if (out->v[i].opens > out->worst)
			out->worst = out->v[i].opens;
	for (i = 0; i < out->nmissing_opened; i++)
		if (out->missing_opened[i]->severity > out->worst)
			out->worst = out->missing_opened[i]->severity;
out:
	units_release(&u);
	items_release(&ma);
	items_release(&mb);
	return ret;
}

void diff_changes_release(struct diff_changes *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		free(c->v[i].sources);
	free(c->v);
	free(c->missing_opened);
	free(c->missing_resolved);
	memset(c, 0, sizeof(*c));
}

const char *diff_change_name(unsigned int bit)
{
	static const char *const names[DIFF_CH_COUNT] = {
		"state", "certainty", "listener", "backend", "path",
		"interfaces", "verdict", "source_ports",
	};

	return bit < DIFF_CH_COUNT ? names[bit] : NULL;
}
