// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * alerts.c - the changes of diff_compare() as label-stable alerts.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "alerts.h"
#include "fix.h"
#include "region.h"
#include "strbuf.h"

enum alert_kind {
	ALERT_EXPOSURE,
	ALERT_VIOLATION,
	ALERT_MISSING,
};

struct alert {
	char *cls;
	enum alert_kind kind;
	uint16_t lo, hi;		/* the range it was opened for */
	struct event *last;		/* as it was last told */
	uint64_t sig;			/* what a change is measured on */
	char *body;			/* its message without the prefix */
	char *closing;			/* the same of the one that resolves it */
	bool touched;			/* met by a change: to look at again */
	bool fresh;			/* opened by this update */
	bool news;			/* told anew: an event */
	bool gone;			/* nothing of it let in any more */
};

/* ---- text ------------------------------------------------------------ */

static const char *path_name(enum engine_fate f)
{
	return f == ENGINE_FORWARDED ? "forward" : "local";
}

static void add_rule(struct strbuf *b, const struct policy_ref *ref)
{
	if (ref->file)
		strbuf_addf(b, "%s:%u", ref->file, ref->line);
	else
		strbuf_add(b, "default");
}

static char *backend_text(const struct report_row *row)
{
	struct strbuf b = STRBUF_INIT;
	char buf[INET6_ADDRSTRLEN];
	const char *a = report_backend_str(row, buf, sizeof(buf));
	bool v6 = a && row->family == NFPROTO_IPV6;

	if (!row->has_backend)
		return NULL;
	strbuf_addf(&b, v6 ? "[%s]:" : "%s:", a ? a : "*");
	diff_add_ports(&b, row->backend_port_lo, row->backend_port_hi);
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

static bool part_violates(const struct policy_part *part)
{
	return part && !part->allowed;
}

/* The class of the probes of a row (and part): see alerts.h. */
static void add_class(struct strbuf *b, const struct report_row *row,
		      const struct policy_part *part)
{
	char *be = backend_text(row);

	strbuf_addf(b, "%c|%s|%s|", part_violates(part) ? 'V' : 'E',
		    diff_family_name(row->family),
		    report_proto_name(row->proto));
	report_address_text(b, row, ",");
	strbuf_addf(b, "|%s|%s|", path_name(row->path), be ? be : "-");
	add_listener_id(b, row->listener);
	if (part_violates(part)) {
		strbuf_addf(b, "|%s|", policy_severity_name(part->severity));
		add_rule(b, &part->rule);
	}
	free(be);
}

static void add_missing_class(struct strbuf *b, const struct policy_violation *v)
{
	strbuf_add(b, "M|");
	diff_missing_key(b, v);
	strbuf_addf(b, "|%s|", policy_severity_name(v->severity));
	add_rule(b, &v->rule);
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
	case EVENT_EXPOSURE_CHANGED:
		return "Exposure changed";
	case EVENT_EXPOSURE_CLOSED:
		return "Exposure closed";
	case EVENT_VIOLATION_OPENED:
		return "Policy violation";
	case EVENT_VIOLATION_CHANGED:
		return "Policy violation changed";
	case EVENT_VIOLATION_RESOLVED:
		return "Policy violation resolved";
	case EVENT_STATE_AT_START:
		return "At start";
	default:
		return "Event";
	}
}

/* "PREFIX (SEVERITY): BODY", the severity only where it alarms */
static void add_message(struct strbuf *m, enum event_kind kind,
			enum event_severity sev, const char *body)
{
	if (sev != EVENT_SEV_INFO && !event_kind_is_closing(kind))
		strbuf_addf(m, "%s (%s): %s", kind_prefix(kind),
			    event_severity_name(sev), body);
	else
		strbuf_addf(m, "%s: %s", kind_prefix(kind), body);
}

static int make_event(enum event_kind kind, enum event_severity sev,
		      const char *body, struct event **out)
{
	struct strbuf m = STRBUF_INIT;
	int ret;

	add_message(&m, kind, sev, body);
	if (m.failed)
		return -ENOMEM;
	ret = event_new(kind, sev, m.s, out);
	strbuf_release(&m);
	return ret;
}

/* A new event of kind with message and the fields of ev, but those that
 * only an open alert has (open_ports, fix) when kind closes. */
static int event_dup_as(const struct event *ev, enum event_kind kind,
			const char *message, struct event **out)
{
	struct event *n;
	unsigned int f;
	int ret;

	ret = event_new(kind, ev->severity, message, &n);
	if (ret < 0)
		return ret;
	for (f = 0; f < EVENT_F_COUNT; f++) {
		if (event_kind_is_closing(kind) &&
		    (f == EVENT_F_OPEN_PORTS || f == EVENT_F_FIX))
			continue;
		ret = event_set_field(n, f, ev->field[f]);
		if (ret < 0) {
			event_free(n);
			return ret;
		}
	}
	*out = n;
	return 0;
}

static int push_event(struct diff_events *d, struct event *ev)
{
	struct event **n;

	if (d->n >= DIFF_MAX_EVENTS) {
		event_free(ev);
		return -E2BIG;
	}
	n = realloc(d->ev, (d->n + 1) * sizeof(*n));
	if (!n) {
		event_free(ev);
		return -ENOMEM;
	}
	d->ev = n;
	d->ev[d->n++] = ev;
	return 0;
}

/* ---- the alerts ------------------------------------------------------ */

static void alert_free(struct alert *al)
{
	if (!al)
		return;
	free(al->cls);
	event_free(al->last);
	free(al->body);
	free(al->closing);
	free(al);
}

void alerts_release(struct alerts *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n; i++)
		alert_free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static int cmp_alert(const void *x, const void *y)
{
	const struct alert *a = *(struct alert *const *)x;
	const struct alert *b = *(struct alert *const *)y;
	int c = strcmp(a->cls, b->cls);

	if (c)
		return c;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* The first alert of class cls whose range ends at port or later (the
 * ranges of a class are disjoint: sorted by first port, they are by last
 * port too), or the first of a later class, or a->n. */
static size_t alerts_find(const struct alerts *a, const char *cls,
			  uint32_t port)
{
	size_t lo = 0, hi = a->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(a->v[mid]->cls, cls);

		if (c < 0 || (!c && a->v[mid]->hi < port))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int alerts_add(struct alerts *a, enum alert_kind kind,
		      const char *cls, uint16_t lo, uint16_t hi)
{
	struct alert **n, *al;

	if (a->n >= ALERTS_MAX)
		return -E2BIG;
	al = calloc(1, sizeof(*al));
	if (!al)
		return -ENOMEM;
	al->cls = strdup(cls);
	n = realloc(a->v, (a->n + 1) * sizeof(*n));
	if (!al->cls || !n) {
		if (n)
			a->v = n;
		alert_free(al);
		return -ENOMEM;
	}
	a->v = n;
	al->kind = kind;
	al->lo = lo;
	al->hi = hi;
	al->touched = al->fresh = true;
	a->v[a->n++] = al;
	return 0;
}

/* ---- what the new audit lets in, by class ---------------------------- */

/* A row, or a part of its verdict, of the new audit. */
struct cunit {
	char *cls;
	const struct report_row *row;
	const struct policy_part *part;
	uint16_t lo, hi;
	uint16_t maxhi;		/* the last port of it and the units of its
				 * class before it */
};

/* The port ranges of the alerts retell() tells, sorted and merged: the
 * units of other ports are met by none of them (tell()), and writing the
 * class of each of ~10,000 kube-proxy rows at every change was 3 % of
 * fwauditd's CPU (issue 13). */
struct cwant {
	uint16_t lo, hi;
};

struct cunits {
	size_t n;
	struct cunit *v;
	size_t nwant;
	struct cwant *want;
};

static void cunits_release(struct cunits *u)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		free(u->v[i].cls);
	free(u->v);
	free(u->want);
	memset(u, 0, sizeof(*u));
}

static int cmp_cwant(const void *x, const void *y)
{
	const struct cwant *a = x, *b = y;

	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* The ranges of the alerts retell() will tell (see struct cwant), into
 * u->want. */
static int cunits_want(const struct alerts *a, struct cunits *u)
{
	size_t i, n = 0;

	for (i = 0; i < a->n; i++)
		n += a->v[i]->touched && a->v[i]->kind != ALERT_MISSING;
	if (!n)
		return 0;
	u->want = calloc(n, sizeof(*u->want));
	if (!u->want)
		return -ENOMEM;
	for (i = 0; i < a->n; i++)
		if (a->v[i]->touched && a->v[i]->kind != ALERT_MISSING)
			u->want[u->nwant++] = (struct cwant){ a->v[i]->lo,
							      a->v[i]->hi };
	qsort(u->want, u->nwant, sizeof(*u->want), cmp_cwant);
	for (i = 1, n = 1; i < u->nwant; i++) {
		if (u->want[i].lo <= u->want[n - 1].hi) {
			if (u->want[i].hi > u->want[n - 1].hi)
				u->want[n - 1].hi = u->want[i].hi;
		} else {
			u->want[n++] = u->want[i];
		}
	}
	u->nwant = n;
	return 0;
}

/* Does [lo, hi] meet one of u->want? */
static bool cunits_wanted(const struct cunits *u, uint16_t lo, uint16_t hi)
{
	size_t l = 0, h = u->nwant;

	/* the first range that ends at lo or after */
	while (l < h) {
		size_t mid = l + (h - l) / 2;

		if (u->want[mid].hi < lo)
			l = mid + 1;
		else
			h = mid;
	}
	return l < u->nwant && u->want[l].lo <= hi;
}

static int cmp_cunit(const void *x, const void *y)
{
	const struct cunit *a = x, *b = y;
	int c = strcmp(a->cls, b->cls);

	if (c)
		return c;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static int cunits_add(void *ctx, const struct report_row *row,
		      const struct policy_part *part)
{
	struct cunits *u = ctx;
	struct strbuf b = STRBUF_INIT;
	struct cunit *n;
	char *cls;

	/* as diff_compare(): what no source reaches is not let in */
	if (part ? !part->nsources : !row->nsources)
		return 0;
	if (!cunits_wanted(u, part ? part->port_lo : row->port_lo,
			   part ? part->port_hi : row->port_hi))
		return 0;
	if (u->n >= DIFF_MAX_UNITS)
		return -E2BIG;
	add_class(&b, row, part);
	cls = strbuf_take(&b);
	if (!cls)
		return -ENOMEM;
	n = realloc(u->v, (u->n + 1) * sizeof(*n));
	if (!n) {
		free(cls);
		return -ENOMEM;
	}
	u->v = n;
	u->v[u->n++] = (struct cunit){
		cls, row, part, part ? part->port_lo : row->port_lo,
		part ? part->port_hi : row->port_hi, 0,
	};
	return 0;
}

/* The units of s that meet u->want (cunits_want()), sorted. */
static int cunits_collect(const struct diff_side *s, struct cunits *u)
{
	int ret = u->nwant ? diff_side_each(s, cunits_add, u) : 0;
	size_t i;

	if (ret < 0 || !u->n)
		return ret;
	qsort(u->v, u->n, sizeof(*u->v), cmp_cunit);
	for (i = 0; i < u->n; i++)
		u->v[i].maxhi = i && !strcmp(u->v[i - 1].cls, u->v[i].cls) &&
				u->v[i - 1].maxhi > u->v[i].hi ?
				u->v[i - 1].maxhi : u->v[i].hi;
	return 0;
}

/* The first unit after those of class cls that start at port or before:
 * the units that can meet [.., port] are below it. */
static size_t cunits_end(const struct cunits *u, const char *cls,
			 uint32_t port)
{
	size_t lo = 0, hi = u->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(u->v[mid].cls, cls);

		if (c < 0 || (!c && u->v[mid].lo <= port))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- an alert told again from the new audit -------------------------- */

struct ports {
	size_t n;
	struct rs_interval *v;
};

static int ports_add(struct ports *p, rs_u128 lo, rs_u128 hi)
{
	struct rs_interval *n;

	n = realloc(p->v, (p->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	p->v = n;
	p->v[p->n++] = (struct rs_interval){ lo, hi };
	return 0;
}

static int cmp_iv(const void *x, const void *y)
{
	const struct rs_interval *a = x, *b = y;

	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* "1000-1200,1300-2000": the union of p (any order, may overlap) */
static void add_port_union(struct strbuf *b, struct ports *p)
{
	size_t i, k;

	if (!p->n)
		return;
	qsort(p->v, p->n, sizeof(*p->v), cmp_iv);
	for (i = 0, k = 0; i < p->n; i = k) {
		rs_u128 hi = p->v[i].hi;

		for (k = i + 1; k < p->n && p->v[k].lo <= hi + 1; k++)
			if (p->v[k].hi > hi)
				hi = p->v[k].hi;
		if (i)
			strbuf_add(b, ",");
		diff_add_ports(b, (uint32_t)p->v[i].lo, (uint32_t)hi);
	}
}

/* the union of the prefix lists of the units, as minimal prefixes */
static int add_source_union(struct strbuf *b, uint8_t family,
			    const struct cunit *const *u, size_t n)
{
	struct region_prefix *pf = NULL;
	struct ports iv = { 0 };
	size_t i, k, npf = 0;
	int ret = 0;

	for (i = 0; !ret && i < n; i++) {
		const struct rs_interval *l = u[i]->part ?
					      u[i]->part->sources :
					      u[i]->row->sources;
		size_t nl = u[i]->part ? u[i]->part->nsources :
			    u[i]->row->nsources;

		for (k = 0; !ret && k < nl; k++)
			ret = ports_add(&iv, l[k].lo, l[k].hi);
	}
	if (!ret && iv.n)
		ret = region_prefixes(family, iv.v, iv.n, &pf, &npf);
	for (i = 0; !ret && i < npf; i++) {
		char s[REGION_PREFIX_STRLEN];

		ret = region_prefix_format(family, &pf[i], s, sizeof(s));
		if (!ret)
			strbuf_addf(b, "%s%s", i ? "," : "", s);
	}
	free(pf);
	free(iv.v);
	return ret;
}

static void add_iface_union(struct strbuf *b, const struct cunit *const *u,
			    size_t n)
{
	size_t i, k, j;

	for (i = 0; i < n; i++) {
		const struct report_row *r = u[i]->row;

		for (k = 0; k < r->nifaces; k++) {
			bool seen = false;

			/* a name of an earlier unit is listed once */
			for (j = 0; j < i && !seen; j++) {
				const struct report_row *q = u[j]->row;
				size_t m;

				for (m = 0; m < q->nifaces && !seen; m++)
					seen = !strcmp(q->ifaces[m], r->ifaces[k]);
			}
			if (!seen)
				strbuf_addf(b, "%s%s", b->len ? "," : "",
					    r->ifaces[k]);
		}
	}
}

/* Fields, message body and signature of an alert told from the units that
 * hold its probes now. */
struct telling {
	struct event *ev;
	char *body, *closing;
	uint64_t sig;
};

static void telling_release(struct telling *t)
{
	event_free(t->ev);
	free(t->body);
	free(t->closing);
	memset(t, 0, sizeof(*t));
}

/* A change is what the fields say but the pid and the fix: FNV-1a over
 * them (a collision would only keep a *_changed event back). */
static uint64_t fields_sig(const struct event *ev)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned int f;
	const char *p;

	for (f = 0; f < EVENT_F_COUNT; f++) {
		if (f == EVENT_F_LISTENER || f == EVENT_F_FIX)
			continue;
		for (p = ev->field[f] ? ev->field[f] : ""; ; p++) {
			h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
			if (!*p)
				break;
		}
	}
	return h;
}

/* a row's words for people: "tcp/PORTS on ADDR (ipv4, local[ to B], open)" */
static void add_row_words(struct strbuf *b, const struct report_row *row,
			  const char *ports, bool exposed)
{
	char buf[INET6_ADDRSTRLEN];
	const char *be = report_backend_str(row, buf, sizeof(buf));

	strbuf_addf(b, "%s/%s on ", report_proto_name(row->proto), ports);
	report_address_text(b, row, ",");
	strbuf_addf(b, " (%s, %s", diff_family_name(row->family),
		    path_name(row->path));
	if (row->has_backend && be)
		strbuf_addf(b, " to %s", be);
	strbuf_addf(b, ", %s)", exposed ? "exposed" : "open");
}

/* whether cmd is one of the "; "-separated commands of l */
static bool has_cmd(const char *l, const char *cmd)
{
	size_t n = strlen(cmd);
	const char *p;

	for (p = l; p && (p = strstr(p, cmd)); p += n)
		if ((p == l || (p - l >= 2 && p[-2] == ';' && p[-1] == ' ')) &&
		    (p[n] == '\0' || (p[n] == ';' && p[n + 1] == ' ')))
			return true;
	return false;
}

static int tell_units(const struct alert *al, const struct cunit *const *cov,
		      size_t ncov, struct ports *pp, const struct ruleset *rs,
		      enum event_kind kind, struct telling *t)
{
	const struct report_row *row = cov[0]->row;
	const struct policy_part *part = cov[0]->part;
	bool violation = al->kind == ALERT_VIOLATION, exposed = false;
	bool definite = false;
	struct strbuf range = STRBUF_INIT, open = STRBUF_INIT;
	struct strbuf src = STRBUF_INIT, ifs = STRBUF_INIT, rule = STRBUF_INIT;
	struct strbuf body = STRBUF_INIT, closing = STRBUF_INIT;
	struct strbuf fixes = STRBUF_INIT;
	char *be = backend_text(row), *li = listener_text(row->listener);
	char *addr = report_address_str(row);
	struct fix *fx = NULL;
	size_t i;
	int ret;

	for (i = 0; i < ncov; i++) {
		exposed |= cov[i]->row->state == ENGINE_EXPOSED;
		definite |= !cov[i]->row->possible;
	}
	diff_add_ports(&range, al->lo, al->hi);
	add_port_union(&open, pp);
	ret = add_source_union(&src, row->family, cov, ncov);
	if (ret < 0)
		goto out;
	add_iface_union(&ifs, cov, ncov);
	if (part)
		add_rule(&rule, &part->rule);
	add_row_words(&body, row, open.s ? open.s : "", exposed);
	strbuf_addf(&body, " reachable from %s", src.s ? src.s : "");
	if (violation && part->rule.message)
		strbuf_addf(&body, ": %s", part->rule.message);
	add_row_words(&closing, row, range.s ? range.s : "", exposed);
	/* the commands that close every unit it holds, each once */
	for (i = 0; violation && rs && i < ncov; i++) {
		size_t k;

		if (fix_suggest(rs, cov[i]->row, cov[i]->part, &fx) < 0)
			continue;
		for (k = 0; k < fx->ncmds && fixes.len <= EVENT_FIELD_MAX; k++)
			if (!has_cmd(fixes.s, fx->cmds[k]))
				strbuf_addf(&fixes, "%s%s", fixes.len ? "; " : "",
					    fx->cmds[k]);
		fix_free(fx);
		fx = NULL;
	}
	if (range.failed || open.failed || src.failed || ifs.failed ||
	    rule.failed || body.failed || closing.failed || fixes.failed) {
		ret = -ENOMEM;
		goto out;
	}
	ret = make_event(kind, violation ? ev_severity(part->severity) :
			 EVENT_SEV_INFO, body.s, &t->ev);
	if (ret < 0)
		goto out;
	ret |= event_set_field(t->ev, EVENT_F_FAMILY, diff_family_name(row->family));
	ret |= event_set_field(t->ev, EVENT_F_PROTOCOL,
			       report_proto_name(row->proto));
	ret |= event_set_field(t->ev, EVENT_F_PORTS, range.s);
	ret |= addr ? event_set_field(t->ev, EVENT_F_ADDRESS, addr) : -ENOMEM;
	ret |= event_set_field(t->ev, EVENT_F_SOURCES, src.s);
	ret |= event_set_field(t->ev, EVENT_F_INTERFACES, ifs.s);
	ret |= event_set_field(t->ev, EVENT_F_PATH, path_name(row->path));
	ret |= event_set_field(t->ev, EVENT_F_BACKEND, be);
	ret |= event_set_field(t->ev, EVENT_F_LISTENER, li);
	ret |= event_set_field(t->ev, EVENT_F_STATE,
			       exposed ? "exposed" : "open");
	ret |= event_set_field(t->ev, EVENT_F_CERTAINTY,
			       definite ? "definite" : "possible");
	ret |= event_set_field(t->ev, EVENT_F_RULE, rule.s);
	ret |= event_set_field(t->ev, EVENT_F_OPEN_PORTS, open.s);
	if (fixes.len <= EVENT_FIELD_MAX)
		ret |= event_set_field(t->ev, EVENT_F_FIX, fixes.s);
	if (ret) {
		ret = -ENOMEM;
		goto out;
	}
	t->sig = fields_sig(t->ev);
	t->body = strbuf_take(&body);
	t->closing = strbuf_take(&closing);
	if (!t->body || !t->closing)
		ret = -ENOMEM;
out:
	if (ret < 0)
		telling_release(t);
	free(be);
	free(li);
	free(addr);
	strbuf_release(&range);
	strbuf_release(&open);
	strbuf_release(&src);
	strbuf_release(&ifs);
	strbuf_release(&rule);
	strbuf_release(&body);
	strbuf_release(&closing);
	strbuf_release(&fixes);
	return ret;
}

/* al told from the units of its class that meet its range; t->ev stays
 * NULL when none does (the alert is over). */
static int tell(const struct alert *al, const struct cunits *u,
		const struct ruleset *rs, enum event_kind kind,
		struct telling *t)
{
	const struct cunit **cov = NULL;
	struct ports pp = { 0 };
	size_t k, ncov = 0;
	int ret = 0;

	/* back from the last unit that starts in the range, while one of
	 * the class so far reaches into it */
	for (k = cunits_end(u, al->cls, al->hi); !ret && k-- > 0 &&
	     !strcmp(u->v[k].cls, al->cls) && u->v[k].maxhi >= al->lo; ) {
		const struct cunit *x = &u->v[k], **n;

		if (x->hi < al->lo)
			continue;
		n = realloc(cov, (ncov + 1) * sizeof(*n));
		if (!n) {
			ret = -ENOMEM;
			break;
		}
		cov = n;
		cov[ncov++] = x;
		ret = ports_add(&pp, x->lo > al->lo ? x->lo : al->lo,
				x->hi < al->hi ? x->hi : al->hi);
	}
	/* in port order: the first unit speaks for the listener and rule */
	for (k = 0; k < ncov / 2; k++) {
		const struct cunit *x = cov[k];

		cov[k] = cov[ncov - 1 - k];
		cov[ncov - 1 - k] = x;
	}
	if (!ret && ncov)
		ret = tell_units(al, cov, ncov, &pp, rs, kind, t);
	free(cov);
	free(pp.v);
	return ret;
}

static int tell_missing(const struct policy_violation *v, enum event_kind kind,
			struct telling *t)
{
	const struct policy_missing *m = v->nmissing ? &v->missing[0] : NULL;
	struct strbuf body = STRBUF_INIT, f = STRBUF_INIT, rule = STRBUF_INIT;
	int ret;

	strbuf_add(&body, "a required exposure is missing");
	if (m) {
		strbuf_addf(&body, ": %s/", report_proto_name(m->proto));
		diff_add_ports(&body, m->port_lo, m->port_hi);
		strbuf_addf(&body, " (%s) from ", diff_family_name(m->family));
		report_addrs_text(&body, m->family, m->sources, m->nsources,
				  ",");
	}
	t->closing = strbuf_take(&body);
	if (t->closing)
		strbuf_add(&body, t->closing);
	if (v->rule.message)
		strbuf_addf(&body, ": %s", v->rule.message);
	add_rule(&rule, &v->rule);
	if (!t->closing || body.failed || rule.failed) {
		ret = -ENOMEM;
		goto out;
	}
	ret = make_event(kind, ev_severity(v->severity), body.s, &t->ev);
	if (ret < 0)
		goto out;
	if (m) {
		ret |= event_set_field(t->ev, EVENT_F_FAMILY,
				       diff_family_name(m->family));
		ret |= event_set_field(t->ev, EVENT_F_PROTOCOL,
				       report_proto_name(m->proto));
		diff_add_ports(&f, m->port_lo, m->port_hi);
		ret |= event_set_field(t->ev, EVENT_F_PORTS, f.s);
		strbuf_release(&f);
		report_addrs_text(&f, m->family, m->sources, m->nsources,
				  ",");
		ret |= event_set_field(t->ev, EVENT_F_SOURCES, f.s);
	}
	ret |= event_set_field(t->ev, EVENT_F_RULE, rule.s);
	t->sig = fields_sig(t->ev);
	t->body = strbuf_take(&body);
	if (ret || f.failed || !t->body)
		ret = -ENOMEM;
out:
	if (ret < 0)
		telling_release(t);
	strbuf_release(&body);
	strbuf_release(&f);
	strbuf_release(&rule);
	return ret;
}

/* ---- the update ------------------------------------------------------ */

/* Ports of a class that an opened change lets in and no alert holds. */
struct want {
	char *cls;
	enum alert_kind kind;
	uint32_t lo, hi;
};

struct wants {
	size_t n;
	struct want *v;
};

static void wants_release(struct wants *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i].cls);
	free(w->v);
	memset(w, 0, sizeof(*w));
}

static int wants_add(struct wants *w, const char *cls, enum alert_kind kind,
		     uint32_t lo, uint32_t hi)
{
	struct want *n;
	char *c;

	if (w->n >= ALERTS_MAX)
		return -E2BIG;
	c = strdup(cls);
	n = c ? realloc(w->v, (w->n + 1) * sizeof(*n)) : NULL;
	if (!n) {
		free(c);
		return -ENOMEM;
	}
	w->v = n;
	w->v[w->n++] = (struct want){ c, kind, lo, hi };
	return 0;
}

static int cmp_want(const void *x, const void *y)
{
	const struct want *a = x, *b = y;
	int c = strcmp(a->cls, b->cls);

	if (c)
		return c;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* One side of a change: the alerts of its class it meets are looked at
 * again; on the new side, the ports no alert of the class holds are
 * wanted. */
static int mark_change(struct alerts *a, const struct diff_change *c,
		       bool cur, struct wants *w)
{
	const struct report_row *row = cur ? c->new_row : c->old_row;
	const struct policy_part *part = cur ? c->new_part : c->old_part;
	enum alert_kind kind = part_violates(part) ? ALERT_VIOLATION :
						     ALERT_EXPOSURE;
	struct strbuf b = STRBUF_INIT;
	uint32_t pos = c->port_lo;
	size_t k;
	int ret = 0;

	if (!row)
		return 0;
	add_class(&b, row, part);
	if (b.failed)
		return -ENOMEM;
	for (k = alerts_find(a, b.s, c->port_lo);
	     k < a->n && !strcmp(a->v[k]->cls, b.s); k++) {
		struct alert *al = a->v[k];

		if (al->lo > c->port_hi)
			break;
		al->touched = true;
		if (cur && al->lo > pos)
			ret = wants_add(w, b.s, kind, pos, al->lo - 1u);
		if (ret < 0)
			goto out;
		pos = (uint32_t)al->hi + 1;
	}
	if (cur && pos <= c->port_hi)
		ret = wants_add(w, b.s, kind, pos, c->port_hi);
out:
	strbuf_release(&b);
	return ret;
}

/* one alert per run of adjacent wanted ports of a class */
static int open_wanted(struct alerts *a, struct wants *w)
{
	size_t i, k;
	int ret = 0;

	if (!w->n)
		return 0;
	qsort(w->v, w->n, sizeof(*w->v), cmp_want);
	for (i = 0; !ret && i < w->n; i = k) {
		uint32_t hi = w->v[i].hi;

		for (k = i + 1; k < w->n && !strcmp(w->v[k].cls, w->v[i].cls) &&
		     w->v[k].lo <= hi + 1; k++)
			if (w->v[k].hi > hi)
				hi = w->v[k].hi;
		ret = alerts_add(a, w->v[i].kind, w->v[i].cls,
				 (uint16_t)w->v[i].lo, (uint16_t)hi);
	}
	return ret;
}

static enum event_kind opening_kind(const struct alert *al)
{
	return al->kind == ALERT_EXPOSURE ? EVENT_EXPOSURE_OPENED :
					    EVENT_VIOLATION_OPENED;
}

static int push_told(struct diff_events *out, const struct alert *al,
		     enum event_kind kind, const char *body)
{
	struct strbuf m = STRBUF_INIT;
	struct event *ev;
	int ret;

	add_message(&m, kind, al->last->severity, body);
	if (m.failed)
		return -ENOMEM;
	ret = event_dup_as(al->last, kind, m.s, &ev);
	strbuf_release(&m);
	if (ret < 0)
		return ret;
	return push_event(out, ev);
}

/* Told again: the alert's new state, and whether it is news. */
static void alert_take(struct alert *al, struct telling *t)
{
	al->news = al->fresh || al->sig != t->sig;
	event_free(al->last);
	free(al->closing);
	free(al->body);
	al->last = t->ev;
	al->sig = t->sig;
	al->closing = t->closing;
	al->body = t->body;
	memset(t, 0, sizeof(*t));
}

static enum event_kind closing_kind(const struct alert *al)
{
	return al->kind == ALERT_EXPOSURE ? EVENT_EXPOSURE_CLOSED :
					    EVENT_VIOLATION_RESOLVED;
}

static enum event_kind changed_kind(const struct alert *al)
{
	return al->kind == ALERT_EXPOSURE ? EVENT_EXPOSURE_CHANGED :
					    EVENT_VIOLATION_CHANGED;
}

/* Look at every touched alert again: gone, or told anew. */
static int retell(struct alerts *a, const struct cunits *u,
		  const struct ruleset *rs, enum diff_mode mode)
{
	struct telling t = { 0 };
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < a->n; i++) {
		struct alert *al = a->v[i];
		enum event_kind kind;

		if (!al->touched || al->kind == ALERT_MISSING) {
			/* an unmet require is told when it opens; touched
			 * later, it is resolved */
			al->gone = al->touched && !al->fresh;
			continue;
		}
		kind = !al->fresh ? changed_kind(al) : mode == DIFF_START ?
		       EVENT_STATE_AT_START : opening_kind(al);
		ret = tell(al, u, rs, kind, &t);
		if (ret < 0)
			break;
		if (!t.ev)
			al->gone = true;
		else
			alert_take(al, &t);
	}
	telling_release(&t);
	return ret;
}

/* The events: what resolved first (a resolved must not follow an opened
 * with the same labels), then what opened or changed; the alerts that
 * resolved are dropped. */
static int tell_all(struct alerts *a, struct diff_events *out)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < a->n; i++)
		if (a->v[i]->gone && a->v[i]->last)
			ret = push_told(out, a->v[i], closing_kind(a->v[i]),
					a->v[i]->closing);
	for (i = 0; !ret && i < a->n; i++) {
		const struct alert *al = a->v[i];
		struct event *ev;

		if (al->gone || !al->news)
			continue;
		ret = event_dup_as(al->last, al->last->kind, al->last->message,
				   &ev);
		if (!ret)
			ret = push_event(out, ev);
	}
	return ret;
}

/* drop what resolved (and what could not be told), clear the marks */
static void alerts_settle(struct alerts *a)
{
	size_t i, n = 0;

	for (i = 0; i < a->n; i++) {
		struct alert *al = a->v[i];

		if (al->gone || !al->last) {
			alert_free(al);
			continue;
		}
		al->touched = al->fresh = al->news = false;
		a->v[n++] = al;
	}
	a->n = n;
}

static int open_missing(struct alerts *a, const struct diff_changes *ch,
			enum diff_mode mode)
{
	struct strbuf b = STRBUF_INIT;
	struct telling t = { 0 };
	size_t i, k;
	int ret = 0;

	for (i = 0; !ret && i < ch->nmissing_opened; i++) {
		add_missing_class(&b, ch->missing_opened[i]);
		ret = b.failed ? -ENOMEM :
		      alerts_add(a, ALERT_MISSING, b.s, 0, 0);
		strbuf_release(&b);
		if (!ret)
			ret = tell_missing(ch->missing_opened[i],
					   mode == DIFF_START ?
					   EVENT_STATE_AT_START :
					   EVENT_VIOLATION_OPENED, &t);
		if (!ret)
			alert_take(a->v[a->n - 1], &t);
	}
	for (i = 0; !ret && i < ch->nmissing_resolved; i++) {
		add_missing_class(&b, ch->missing_resolved[i]);
		if (b.failed)
			ret = -ENOMEM;
		for (k = 0; !ret && k < a->n; k++)
			if (a->v[k]->kind == ALERT_MISSING &&
			    !strcmp(a->v[k]->cls, b.s))
				a->v[k]->touched = true;
		strbuf_release(&b);
	}
	return ret;
}

int alerts_update(struct alerts *a, const struct diff_side *old,
		  const struct diff_side *cur, const struct ruleset *rs,
		  enum diff_mode mode, struct diff_events *out)
{
	struct diff_changes ch = { 0 };
	struct cunits u = { 0 };
	struct wants w = { 0 };
	size_t i;
	int ret;

	if (mode == DIFF_START)
		old = NULL;
	ret = diff_compare(old, cur, &ch);
	if (ret < 0 || (!ch.n && !ch.nmissing_opened && !ch.nmissing_resolved))
		goto out;
	for (i = 0; !ret && i < ch.n; i++) {
		ret = mark_change(a, &ch.v[i], false, &w);
		if (!ret)
			ret = mark_change(a, &ch.v[i], true, &w);
	}
	if (!ret)
		ret = open_wanted(a, &w);
	if (!ret)
		ret = open_missing(a, &ch, mode);
	if (a->n)
		qsort(a->v, a->n, sizeof(*a->v), cmp_alert);
	if (!ret)
		ret = cunits_want(a, &u);
	if (!ret)
		ret = cunits_collect(cur, &u);
	if (!ret)
		ret = retell(a, &u, rs, mode);
	if (!ret)
		ret = tell_all(a, out);
	alerts_settle(a);
out:
	diff_changes_release(&ch);
	cunits_release(&u);
	wants_release(&w);
	return ret;
}

int alerts_firing(const struct alerts *a, struct diff_events *out)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < a->n; i++)
		ret = push_told(out, a->v[i], opening_kind(a->v[i]),
				a->v[i]->body);
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
