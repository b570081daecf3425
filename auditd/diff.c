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
	size_t i, j, k, out;
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
			for (j = 0; j < v->nmissing; j++) {
				const struct policy_missing *m = &v->missing[j];

				strbuf_addf(&b, "%s/%s/", family_name(m->family),
					    report_proto_name(m->proto));
				add_ports(&b, m->port_lo, m->port_hi);
				strbuf_add(&b, "/");
				add_list(&b, m->sources, m->nsources);
				strbuf_add(&b, ";");
			}
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
