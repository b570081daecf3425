// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * diff.c - audit results compared into events.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "diff.h"
#include "fix.h"
#include "region.h"
#include "strbuf.h"

/* One thing an event can be about: an allowed exposure (viol < 0) or a
 * violation (index into verdicts->violations). */
struct item {
	char *key;
	const struct audit_result *r;
	size_t row;
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

static const char *family_name(uint8_t family)
{
	return family == NFPROTO_IPV6 ? "ipv6" : "ipv4";
}

static const char *path_name(enum engine_fate f)
{
	return f == ENGINE_FORWARDED ? "forward" : "local";
}

static void add_ports(struct strbuf *b, uint16_t lo, uint16_t hi)
{
	if (lo == hi)
		strbuf_addf(b, "%u", lo);
	else
		strbuf_addf(b, "%u-%u", lo, hi);
}

static void add_list(struct strbuf *b, char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		strbuf_addf(b, "%s%s", i ? "," : "", v[i]);
}

static char *backend_text(const struct report_row *row)
{
	struct strbuf b = STRBUF_INIT;
	bool v6 = row->backend_addr && strchr(row->backend_addr, ':');

	if (!row->has_backend)
		return NULL;
	strbuf_addf(&b, v6 ? "[%s]:" : "%s:",
		    row->backend_addr ? row->backend_addr : "*");
	add_ports(&b, row->backend_port_lo, row->backend_port_hi);
	if (row->container)
		strbuf_addf(&b, " (container %s)", row->container);
	return strbuf_take(&b);
}

/* what identifies a listener across restarts of its process: the socket
 * and the program, not the pid */
static void add_listener_id(struct strbuf *b, const struct host_listener *l)
{
	char a[64];

	if (!l) {
		strbuf_add(b, "-");
		return;
	}
	strbuf_addf(b, "%s/%u/%u/%s", l->comm ? l->comm : "?", l->protocol,
		    l->port, host_addr_str(l->family, l->addr, a, sizeof(a)));
}

static char *listener_text(const struct host_listener *l)
{
	struct strbuf b = STRBUF_INIT;
	char a[64];

	if (!l)
		return NULL;
	if (l->comm && l->pid)
		strbuf_addf(&b, "%s[%d]", l->comm, (int)l->pid);
	else
		strbuf_addf(&b, l->family == AF_INET6 ? "[%s]:%u" : "%s:%u",
			    host_addr_str(l->family, l->addr, a, sizeof(a)),
			    l->port);
	return strbuf_take(&b);
}

static void add_row_key(struct strbuf *b, const struct report_row *row)
{
	char *be = backend_text(row);

	strbuf_addf(b, "%s|%s|", family_name(row->family),
		    report_proto_name(row->proto));
	add_ports(b, row->port_lo, row->port_hi);
	strbuf_addf(b, "|%s|%s|%s|", row->address, path_name(row->path),
		    be ? be : "-");
	add_listener_id(b, row->listener);
	free(be);
}

static void add_rule(struct strbuf *b, const struct policy_ref *ref)
{
	if (ref->file)
		strbuf_addf(b, "%s:%u", ref->file, ref->line);
	else
		strbuf_add(b, "default");
}

void diff_missing_key(struct strbuf *b, const struct policy_violation *v)
{
	size_t j;

	for (j = 0; j < v->nmissing; j++) {
		const struct policy_missing *m = &v->missing[j];

		strbuf_addf(b, "%s/%s/", family_name(m->family),
			    report_proto_name(m->proto));
		add_ports(b, m->port_lo, m->port_hi);
		strbuf_add(b, "/");
		add_list(b, m->sources, m->nsources);
		strbuf_add(b, ";");
	}
}

static int items_add(struct items *it, struct strbuf *key,
		     const struct audit_result *r, size_t row, long viol)
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
	it->v[it->n++] = (struct item){ k, r, row, viol };
	return 0;
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	/* stable among equal keys: the first row stands for them */
	return x->row < y->row ? -1 : x->row > y->row;
}

static bool row_reported_as_exposure(const struct audit_result *r, size_t i)
{
	const struct report_row *row = &r->report->rows[i];

	if (row->state == ENGINE_CLOSED)
		return false;
	return !r->verdicts || r->verdicts->rows[i].allowed;
}

static int items_collect(const struct audit_result *r, bool exposures,
			 struct items *it)
{
	struct strbuf b = STRBUF_INIT;
	size_t i, k, out;
	int ret;

	if (!r || !r->report)
		return 0;
	for (i = 0; exposures && i < r->report->nrows; i++) {
		if (!row_reported_as_exposure(r, i))
			continue;
		strbuf_add(&b, "E|");
		add_row_key(&b, &r->report->rows[i]);
		ret = items_add(it, &b, r, i, -1);
		if (ret < 0)
			return ret;
	}
	for (i = 0; r->verdicts && i < r->verdicts->nviolations; i++) {
		const struct policy_violation *v = &r->verdicts->violations[i];

		if (v->kind == POLICY_V_EXPOSURE) {
			strbuf_add(&b, "V|");
			add_row_key(&b, &r->report->rows[v->row]);
			strbuf_add(&b, "|");
			add_ports(&b, v->part->port_lo, v->part->port_hi);
			strbuf_add(&b, "|");
			add_list(&b, v->part->sources, v->part->nsources);
		} else {
			strbuf_add(&b, "M|");
			diff_missing_key(&b, v);
		}
		strbuf_addf(&b, "|%s|", policy_severity_name(v->severity));
		add_rule(&b, &v->rule);
		ret = items_add(it, &b, r, v->kind == POLICY_V_EXPOSURE ?
				v->row : 0, (long)i);
		if (ret < 0)
			return ret;
	}
	if (!it->n)
		return 0;
	qsort(it->v, it->n, sizeof(*it->v), cmp_item);
	/* equal keys: one exposure, as far as events go */
	for (k = 1, out = 1; k < it->n; k++) {
		if (!strcmp(it->v[k].key, it->v[out - 1].key)) {
			free(it->v[k].key);
			continue;
		}
		it->v[out++] = it->v[k];
	}
	it->n = out;
	return 0;
}

static enum event_severity ev_severity(enum policy_severity s)
{
	switch (s) {
	case POLICY_SEV_CRITICAL:
		return EVENT_SEV_CRITICAL;
	case POLICY_SEV_WARNING:
		return EVENT_SEV_WARNING;
	default:
		return EVENT_SEV_INFO;
	}
}

static const char *kind_prefix(enum event_kind k)
{
	switch (k) {
	case EVENT_EXPOSURE_OPENED:
		return "Exposure opened";
	case EVENT_EXPOSURE_CLOSED:
		return "Exposure closed";
	case EVENT_VIOLATION_OPENED:
		return "Policy violation";
	case EVENT_VIOLATION_RESOLVED:
		return "Policy violation resolved";
	case EVENT_STATE_AT_START:
		return "At start";
	default:
		return "Event";
	}
}

static int set_row_fields(struct event *ev, const struct report_row *row)
{
	char *be = backend_text(row), *li = listener_text(row->listener);
	struct strbuf b = STRBUF_INIT;
	int ret = 0;

	ret |= event_set_field(ev, EVENT_F_FAMILY, family_name(row->family));
	ret |= event_set_field(ev, EVENT_F_PROTOCOL,
			       report_proto_name(row->proto));
	add_ports(&b, row->port_lo, row->port_hi);
	ret |= event_set_field(ev, EVENT_F_PORTS, b.s);
	strbuf_release(&b);
	ret |= event_set_field(ev, EVENT_F_ADDRESS, row->address);
	add_list(&b, row->sources, row->nsources);
	ret |= event_set_field(ev, EVENT_F_SOURCES, b.s);
	strbuf_release(&b);
	add_list(&b, row->ifaces, row->nifaces);
	ret |= event_set_field(ev, EVENT_F_INTERFACES, b.s);
	strbuf_release(&b);
	ret |= event_set_field(ev, EVENT_F_PATH, path_name(row->path));
	ret |= event_set_field(ev, EVENT_F_BACKEND, be);
	ret |= event_set_field(ev, EVENT_F_LISTENER, li);
	ret |= event_set_field(ev, EVENT_F_STATE, row->state == ENGINE_EXPOSED ?
			       "exposed" : "open");
	ret |= event_set_field(ev, EVENT_F_CERTAINTY, row->possible ?
			       "possible" : "definite");
	free(be);
	free(li);
	if (b.failed)
		return -ENOMEM;
	return ret ? -ENOMEM : 0;
}

/* The commands that would close the violation, one line, "; " between
 * them.  A fix that cannot be computed leaves the field empty. */
static int set_fix(struct event *ev, const struct audit_result *r,
		   const struct report_row *row, const struct policy_part *part)
{
	struct strbuf b = STRBUF_INIT;
	struct fix *fx = NULL;
	size_t i;
	int ret;

	if (fix_suggest(r->snap.rs, row, part, &fx) < 0 || !fx->ncmds) {
		fix_free(fx);
		return 0;
	}
	for (i = 0; i < fx->ncmds; i++)
		strbuf_addf(&b, "%s%s", i ? "; " : "", fx->cmds[i]);
	fix_free(fx);
	if (b.failed)
		return -ENOMEM;
	ret = b.len <= EVENT_FIELD_MAX ? event_set_field(ev, EVENT_F_FIX, b.s) : 0;
	strbuf_release(&b);
	return ret;
}

static int item_event(const struct item *it, enum event_kind kind,
		      struct event **out)
{
	const struct audit_result *r = it->r;
	const struct policy_violation *v = NULL;
	const struct report_row *row = NULL;
	enum event_severity sev = EVENT_SEV_INFO;
	struct strbuf msg = STRBUF_INIT, rule = STRBUF_INIT;
	struct strbuf f = STRBUF_INIT;
	struct event *ev = NULL;
	const char *rmsg = NULL;
	int ret;

	if (it->viol >= 0) {
		v = &r->verdicts->violations[it->viol];
		sev = ev_severity(v->severity);
		add_rule(&rule, &v->rule);
		rmsg = v->rule.message;
		if (v->kind == POLICY_V_EXPOSURE)
			row = &r->report->rows[v->row];
	} else {
		row = &r->report->rows[it->row];
		if (r->verdicts && r->verdicts->rows[it->row].decisive)
			add_rule(&rule, &r->verdicts->rows[it->row].decisive->rule);
	}
	if (kind == EVENT_VIOLATION_OPENED || (kind == EVENT_STATE_AT_START && v))
		strbuf_addf(&msg, "%s (%s): ", kind_prefix(kind),
			    event_severity_name(sev));
	else
		strbuf_addf(&msg, "%s: ", kind_prefix(kind));
	if (v && v->kind == POLICY_V_MISSING) {
		const struct policy_missing *m = v->nmissing ? &v->missing[0] : NULL;

		strbuf_add(&msg, "a required exposure is missing");
		if (m) {
			strbuf_addf(&msg, ": %s/", report_proto_name(m->proto));
			add_ports(&msg, m->port_lo, m->port_hi);
			strbuf_addf(&msg, " (%s) from ", family_name(m->family));
			add_list(&msg, m->sources, m->nsources);
		}
	} else {
		uint16_t lo = v ? v->part->port_lo : row->port_lo;
		uint16_t hi = v ? v->part->port_hi : row->port_hi;

		strbuf_addf(&msg, "%s/", report_proto_name(row->proto));
		add_ports(&msg, lo, hi);
		strbuf_addf(&msg, " on %s (%s, %s", row->address,
			    family_name(row->family), path_name(row->path));
		if (row->has_backend && row->backend_addr)
			strbuf_addf(&msg, " to %s", row->backend_addr);
		strbuf_addf(&msg, ", %s)", row->state == ENGINE_EXPOSED ?
			    "exposed" : "open");
		if (!event_kind_is_closing(kind)) {
			strbuf_add(&msg, " reachable from ");
			if (v)
				add_list(&msg, v->part->sources, v->part->nsources);
			else
				add_list(&msg, row->sources, row->nsources);
		}
	}
	if (rmsg && kind != EVENT_VIOLATION_RESOLVED)
		strbuf_addf(&msg, ": %s", rmsg);
	if (msg.failed || rule.failed) {
		ret = -ENOMEM;
		goto out;
	}
	ret = event_new(kind, sev, msg.s, &ev);
	if (ret < 0)
		goto out;
	if (row) {
		ret = set_row_fields(ev, row);
		if (ret < 0)
			goto out;
	}
	if (v && v->kind == POLICY_V_EXPOSURE) {
		add_ports(&f, v->part->port_lo, v->part->port_hi);
		ret = event_set_field(ev, EVENT_F_PORTS, f.s);
		strbuf_release(&f);
		add_list(&f, v->part->sources, v->part->nsources);
		ret |= event_set_field(ev, EVENT_F_SOURCES, f.s);
		strbuf_release(&f);
	} else if (v && v->nmissing) {
		const struct policy_missing *m = &v->missing[0];

		ret = event_set_field(ev, EVENT_F_FAMILY, family_name(m->family));
		ret |= event_set_field(ev, EVENT_F_PROTOCOL,
				       report_proto_name(m->proto));
		add_ports(&f, m->port_lo, m->port_hi);
		ret |= event_set_field(ev, EVENT_F_PORTS, f.s);
		strbuf_release(&f);
		add_list(&f, m->sources, m->nsources);
		ret |= event_set_field(ev, EVENT_F_SOURCES, f.s);
		strbuf_release(&f);
	}
	ret |= event_set_field(ev, EVENT_F_RULE, rule.s);
	if (!ret && v && v->kind == POLICY_V_EXPOSURE && r->snap.rs &&
	    !event_kind_is_closing(kind))
		ret = set_fix(ev, r, row, v->part);
	if (ret || f.failed) {
		ret = -ENOMEM;
		goto out;
	}
	*out = ev;
	ev = NULL;
out:
	event_free(ev);
	strbuf_release(&msg);
	strbuf_release(&rule);
	strbuf_release(&f);
	return ret;
}

static int emit(struct diff_events *d, const struct item *it,
		enum event_kind kind)
{
	struct event **n, *ev;
	int ret;

	if (d->n >= DIFF_MAX_EVENTS)
		return -E2BIG;
	ret = item_event(it, kind, &ev);
	if (ret < 0)
		return ret;
	n = realloc(d->ev, (d->n + 1) * sizeof(*n));
	if (!n) {
		event_free(ev);
		return -ENOMEM;
	}
	d->ev = n;
	d->ev[d->n++] = ev;
	return 0;
}

int diff_results(const struct audit_result *old,
		 const struct audit_result *cur, enum diff_mode mode,
		 struct diff_events *out)
{
	struct items a = { 0 }, b = { 0 };
	size_t i, j;
	int ret;

	if (mode != DIFF_CHANGES)
		old = NULL;
	ret = items_collect(old, true, &a);
	if (ret < 0)
		goto out;
	ret = items_collect(cur, true, &b);
	if (ret < 0)
		goto out;
	if (mode != DIFF_CHANGES) {
		for (j = 0; j < b.n; j++) {
			ret = emit(out, &b.v[j], mode == DIFF_START ?
				   EVENT_STATE_AT_START : b.v[j].viol >= 0 ?
				   EVENT_VIOLATION_OPENED : EVENT_EXPOSURE_OPENED);
			if (ret < 0)
				goto out;
		}
		goto out;
	}
	/* closing first: a resolved must not follow an opened with the same
	 * Alertmanager labels */
	for (i = 0, j = 0; i < a.n; i++) {
		int c = 1;

		while (j < b.n && (c = strcmp(a.v[i].key, b.v[j].key)) > 0)
			j++;
		if (j < b.n && c == 0)
			continue;
		ret = emit(out, &a.v[i], a.v[i].viol >= 0 ?
			   EVENT_VIOLATION_RESOLVED : EVENT_EXPOSURE_CLOSED);
		if (ret < 0)
			goto out;
	}
	for (i = 0, j = 0; j < b.n; j++) {
		int c = 1;

		while (i < a.n && (c = strcmp(a.v[i].key, b.v[j].key)) < 0)
			i++;
		if (i < a.n && c == 0)
			continue;
		ret = emit(out, &b.v[j], b.v[j].viol >= 0 ?
			   EVENT_VIOLATION_OPENED : EVENT_EXPOSURE_OPENED);
		if (ret < 0)
			goto out;
	}
out:
	items_release(&a);
	items_release(&b);
	return ret;
}

void diff_events_release(struct diff_events *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		event_free(d->ev[i]);
	free(d->ev);
	memset(d, 0, sizeof(*d));
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

/* The sources of a row or a part as a set; -EINVAL for one that is not a
 * prefix of family. */
static int ivs_parse(uint8_t family, char *const *l, size_t n, struct ivs *out)
{
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
		ret = region_prefix_parse(family, l[i], &v[i]);
		if (ret < 0)
			goto out;
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
	size_t n;
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
	struct unit *n, x = { cur, row, part, 0, 0, { 0 } };
	int ret;

	if (u->n >= DIFF_MAX_UNITS)
		return -E2BIG;
	x.lo = part ? part->port_lo : row->port_lo;
	x.hi = part ? part->port_hi : row->port_hi;
	ret = part ? ivs_parse(row->family, part->sources, part->nsources,
			       &x.src) :
		     ivs_parse(row->family, row->sources, row->nsources, &x.src);
	if (ret < 0)
		return ret;
	if (!x.src.n)
		return 0;
	n = realloc(u->v, (u->n + 1) * sizeof(*n));
	if (!n) {
		ivs_release(&x.src);
		return -ENOMEM;
	}
	u->v = n;
	u->v[u->n++] = x;
	return 0;
}

static int units_collect(const struct diff_side *s, bool cur, struct units *u)
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
			ret = units_add(u, cur, row, NULL);
			if (ret < 0)
				return ret;
			continue;
		}
		for (k = 0; k < pv->nparts; k++) {
			ret = units_add(u, cur, row, &pv->parts[k]);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static int cmp_group(const struct report_row *x, const struct report_row *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return strcmp(x->address, y->address);
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
	    (a->has_backend && (!str_eq(a->backend_addr, b->backend_addr) ||
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
		ret = items_add(it, &b, NULL, 0, (long)i);
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
