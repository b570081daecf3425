// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verdicts.c - the outputs of `fwaudit audit`, from one audit result.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <netinet/in.h>
#include <linux/netfilter.h>

#include "causes.h"
#include "fix.h"
#include "plan.h"
#include "prove.h"
#include "prom.h"
#include "strbuf.h"
#include "verdicts.h"

static const char *family_str(uint8_t family)
{
	return family == NFPROTO_IPV6 ? "ipv6" : "ipv4";
}

static char *rule_ref(const struct policy_ref *ref)
{
	struct strbuf b = STRBUF_INIT;

	if (ref->file)
		strbuf_addf(&b, "%s:%u", ref->file, ref->line);
	else
		strbuf_add(&b, "(default)");
	return strbuf_take(&b);
}

static void ref_members(struct jsonw *w, const struct policy_ref *ref)
{
	char *s = rule_ref(ref);

	jsonw_member_string(w, "rule", s);
	free(s);
	jsonw_member_string(w, "message", ref->message);
}

static void str_list(struct jsonw *w, char **l, size_t n)
{
	size_t i;

	jsonw_array_begin(w);
	for (i = 0; i < n; i++)
		jsonw_string(w, l[i]);
	jsonw_array_end(w);
}

static void ports_member(struct jsonw *w, unsigned int lo, unsigned int hi)
{
	jsonw_key(w, "ports");
	jsonw_array_begin(w);
	jsonw_int(w, lo);
	jsonw_int(w, hi);
	jsonw_array_end(w);
}

static void part_json(struct jsonw *w, uint8_t family,
		      const struct policy_part *p)
{
	jsonw_object_begin(w);
	ports_member(w, p->port_lo, p->port_hi);
	jsonw_key(w, "sources");
	report_addrs_json(w, family, p->sources, p->nsources);
	jsonw_member_string(w, "verdict", p->allowed ? "allowed" :
			    "violation");
	jsonw_member_string(w, "severity", policy_severity_name(p->severity));
	ref_members(w, &p->rule);
	jsonw_object_end(w);
}

static void policy_json(struct jsonw *w, uint8_t family,
			const struct policy_verdict *v)
{
	const struct policy_part *d = v->decisive ? v->decisive :
				      (v->nparts ? &v->parts[0] : NULL);
	size_t i;

	jsonw_object_begin(w);
	jsonw_member_string(w, "verdict", v->allowed ? "allowed" :
			    "violation");
	jsonw_member_string(w, "severity", policy_severity_name(v->severity));
	if (d)
		ref_members(w, &d->rule);
	if (v->nparts > 1) {
		jsonw_key(w, "parts");
		jsonw_array_begin(w);
		for (i = 0; i < v->nparts; i++)
			part_json(w, family, &v->parts[i]);
		jsonw_array_end(w);
	}
	jsonw_object_end(w);
}

/* The "policy" member at the end of each exposure: its verdict, or null
 * without a policy. */
static void policy_member(const void *ctx, struct jsonw *w, size_t row)
{
	const struct audit_result *r = ctx;

	jsonw_key(w, "policy");
	if (r->verdicts && row < r->verdicts->nrows)
		policy_json(w, r->report->rows[row].family,
			    &r->verdicts->rows[row]);
	else
		jsonw_null(w);
}

static void fix_json(struct jsonw *w, const struct audit_result *r,
		     const struct report_row *row,
		     const struct policy_part *part)
{
	struct fix *f = NULL;

	if (!part || fix_suggest(r->snap.rs, row, part, &f) < 0) {
		jsonw_null(w);
		return;
	}
	jsonw_object_begin(w);
	jsonw_member_string(w, "backend", fix_backend_name(f->backend));
	jsonw_key(w, "commands");
	str_list(w, f->cmds, f->ncmds);
	jsonw_object_end(w);
	fix_free(f);
}

static void violation_json(struct jsonw *w, const struct audit_result *r,
			   const struct policy_violation *v)
{
	const struct report_row *row;
	size_t i;
	char *a;

	jsonw_object_begin(w);
	jsonw_member_string(w, "kind", v->kind == POLICY_V_EXPOSURE ?
			    "exposure" : "missing");
	jsonw_member_string(w, "severity", policy_severity_name(v->severity));
	ref_members(w, &v->rule);
	if (v->kind == POLICY_V_MISSING) {
		jsonw_key(w, "missing");
		jsonw_array_begin(w);
		for (i = 0; i < v->nmissing; i++) {
			const struct policy_missing *mi = &v->missing[i];

			jsonw_object_begin(w);
			jsonw_member_string(w, "family", family_str(mi->family));
			jsonw_member_string(w, "protocol",
					    report_proto_name(mi->proto));
			ports_member(w, mi->port_lo, mi->port_hi);
			jsonw_key(w, "sources");
			report_addrs_json(w, mi->family, mi->sources,
					  mi->nsources);
			jsonw_object_end(w);
		}
		jsonw_array_end(w);
		jsonw_object_end(w);
		return;
	}
	row = &r->report->rows[v->row];
	jsonw_member_int(w, "exposure", (long long)v->row);
	jsonw_member_string(w, "family", family_str(row->family));
	jsonw_member_string(w, "protocol", report_proto_name(row->proto));
	ports_member(w, v->part->port_lo, v->part->port_hi);
	a = report_address_str(row);
	jsonw_member_string(w, "address", a ? a : "");
	free(a);
	jsonw_key(w, "sources");
	report_addrs_json(w, row->family, v->part->sources,
			  v->part->nsources);
	jsonw_member_string(w, "path", row->path == ENGINE_FORWARDED ?
			    "forward" : "local");
	/* as in the exposure: only for direct routing */
	if (row->direct)
		jsonw_member_string(w, "route", "direct");
	jsonw_key(w, "fix");
	fix_json(w, r, row, v->part);
	jsonw_object_end(w);
}

static void findings_json(struct jsonw *w, const struct failopen_result *fr)
{
	size_t i;

	jsonw_key(w, "findings");
	jsonw_array_begin(w);
	for (i = 0; fr && i < fr->nfindings; i++) {
		const struct failopen_finding *x = &fr->findings[i];

		jsonw_object_begin(w);
		jsonw_member_string(w, "kind", failopen_kind_name(x->kind));
		jsonw_member_string(w, "severity",
				    failopen_severity_name(x->severity));
		jsonw_member_string(w, "family", x->family == NFPROTO_IPV6 ?
				    "ipv6" : "ipv4");
		jsonw_member_string(w, "source", x->origin == RS_ORIGIN_LEGACY ?
				    "iptables-legacy" : "nftables");
		jsonw_member_string(w, "table", x->table);
		jsonw_member_string(w, "chain", x->chain);
		jsonw_member_string(w, "message", x->message);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* "causes": the findings of the text, grouped the same way (causes.h). */
static void causes_json(struct jsonw *w, const struct causes *cs)
{
	size_t i, k;
	char *p, *q;

	jsonw_key(w, "causes");
	jsonw_array_begin(w);
	for (i = 0; cs && i < cs->n; i++) {
		const struct cause *c = &cs->c[i];

		jsonw_object_begin(w);
		jsonw_member_string(w, "kind", cause_kind_name(c->kind));
		jsonw_member_string(w, "title", c->title);
		jsonw_member_string(w, "verdict", c->violation ? "violation" :
				    "allowed");
		jsonw_member_string(w, "severity",
				    policy_severity_name(c->severity));
		jsonw_key(w, "interfaces");
		jsonw_array_begin(w);
		for (p = c->ifaces; p && *p; p = *q ? q + 1 : q) {
			char *name;

			q = strchrnul(p, ',');
			name = strndup(p, (size_t)(q - p));
			if (name)
				jsonw_string(w, name);
			free(name);
		}
		jsonw_array_end(w);
		jsonw_key(w, "families");
		jsonw_array_begin(w);
		if (c->families & CAUSE_IPV4)
			jsonw_string(w, "ipv4");
		if (c->families & CAUSE_IPV6)
			jsonw_string(w, "ipv6");
		jsonw_array_end(w);
		jsonw_key(w, "exposures");
		jsonw_array_begin(w);
		for (k = 0; k < c->nrows; k++)
			jsonw_int(w, (long long)c->rows[k]);
		jsonw_array_end(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

int verdicts_json(const struct audit_result *r, FILE *f)
{
	char host[256] = "", stamp[32];
	time_t t = (time_t)(r->started_usec / 1000000u);
	struct causes *cs = NULL;
	struct jsonw *w;
	size_t i;
	int ret;

	/* the same causes as the text */
	ret = causes_build(r->report, r->verdicts, r->zones, &cs);
	if (ret < 0)
		return ret;
	/* the writer holds a block of output: not on the stack */
	w = malloc(sizeof(*w));
	if (!w) {
		causes_free(cs);
		return -ENOMEM;
	}
	gethostname(host, sizeof(host) - 1);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	jsonw_init(w, f, 1);
	jsonw_object_begin(w);
	jsonw_member_int(w, "version", 1);
	jsonw_member_string(w, "host", host);
	jsonw_member_string(w, "time", stamp);
	jsonw_key(w, "duration_seconds");
	jsonw_real(w, (double)r->duration_usec / 1e6, 6);
	jsonw_key(w, "sources");
	jsonw_array_begin(w);
	for (i = 0; i < r->snap.rs->nsources; i++) {
		jsonw_object_begin(w);
		jsonw_member_string(w, "name", r->snap.rs->sources[i].name);
		jsonw_key(w, "present");
		jsonw_bool(w, r->snap.rs->sources[i].present);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	report_json(r->report, w, policy_member, r);
	jsonw_key(w, "violations");
	jsonw_array_begin(w);
	for (i = 0; r->verdicts && i < r->verdicts->nviolations; i++)
		violation_json(w, r, &r->verdicts->violations[i]);
	jsonw_array_end(w);
	findings_json(w, r->findings);
	jsonw_member_string(w, "worst", r->verdicts ?
			    policy_severity_name(r->verdicts->worst) : "none");
	causes_json(w, cs);
	causes_free(cs);
	jsonw_object_end(w);
	ret = jsonw_end(w);
	free(w);
	return ret;
}

/* ---------------------------------------------------------------------
 * Text.
 */
#define ANSI_RESET	"\033[0m"
#define ANSI_BOLD	"\033[1m"
#define ANSI_RED	"\033[1;31m"
#define ANSI_YELLOW	"\033[33m"
#define ANSI_GREEN	"\033[32m"

/* Where the findings' details start: under the title, after the
 * severity. */
#define INDENT		"         "

static const struct verdicts_style plain_style;

void verdicts_style_auto(struct verdicts_style *st, FILE *f)
{
	const char *nc = getenv("NO_COLOR"), *cols = getenv("COLUMNS");
	struct winsize ws;
	bool tty = isatty(fileno(f));

	memset(st, 0, sizeof(*st));
	/* https://no-color.org: present and not empty disables colour */
	st->color = tty && !(nc && *nc);
	if (tty && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		st->width = ws.ws_col;
	else if (tty && cols && atoi(cols) > 0)
		st->width = (unsigned int)atoi(cols);
}

static const char *color_of(enum policy_severity s)
{
	switch (s) {
	case POLICY_SEV_CRITICAL:	return ANSI_RED;
	case POLICY_SEV_WARNING:	return ANSI_YELLOW;
	case POLICY_SEV_INFO:		return "";
	default:			return ANSI_GREEN;
	}
}

static const char *upper(enum policy_severity s)
{
	switch (s) {
	case POLICY_SEV_CRITICAL:	return "CRITICAL";
	case POLICY_SEV_WARNING:	return "WARNING";
	case POLICY_SEV_INFO:		return "INFO";
	default:			return "OK";
	}
}

/* A severity word padded to 8 columns, coloured when st says so. */
static void sev_word(FILE *f, const struct verdicts_style *st,
		     enum policy_severity s, const char *word)
{
	size_t n = strlen(word);

	if (st->color)
		fprintf(f, "%s%s" ANSI_RESET "%*s", color_of(s), word,
			n < 8 ? (int)(8 - n) : 0, "");
	else
		fprintf(f, "%-8s", word);
}

/* "text", or text cut to end at column width with "...": rule messages
 * only, never sources or ports, whose exact value matters. */
static void fit(FILE *f, const struct verdicts_style *st, size_t col,
		const char *text)
{
	size_t n = strlen(text);

	/* col is where the opening quote goes: "text" takes n + 2 */
	if (st->width && col + n + 2 > st->width) {
		/* no room even for "...": the JSON has it */
		if (st->width >= col + 6)
			fprintf(f, "\"%.*s...\"",
				(int)(st->width - col - 5), text);
		return;
	}
	fprintf(f, "\"%s\"", text);
}

static char *zone_text(const struct audit_result *r, uint8_t family,
		       const struct rs_interval *l, size_t n)
{
	struct strbuf b = STRBUF_INIT;

	report_sources_text(&b, r->zones, family, l, n);
	return strbuf_take(&b);
}

static bool same_sources(const struct policy_part *a,
			 const struct policy_part *b)
{
	size_t i;

	if (a->nsources != b->nsources)
		return false;
	for (i = 0; i < a->nsources; i++)
		if (a->sources[i].lo != b->sources[i].lo ||
		    a->sources[i].hi != b->sources[i].hi)
			return false;
	return true;
}

/* Violations of one row next to each other in ports, from the same
 * sources, read as one span with one fix. */
static size_t span_end(const struct policy_result *pr, size_t i)
{
	const struct policy_violation *v = &pr->violations[i];
	unsigned int hi = v->part->port_hi;
	size_t j;

	for (j = i + 1; j < pr->nviolations; j++) {
		const struct policy_violation *w = &pr->violations[j];

		if (w->kind != POLICY_V_EXPOSURE || w->row != v->row ||
		    w->part->port_lo != hi + 1 ||
		    !same_sources(w->part, v->part))
			break;
		hi = w->part->port_hi;
	}
	return j;
}

/* The first violation of row: they are in row order, exposures first
 * (policy.h), so a binary search finds it; pr->nviolations when the row
 * has none.  ROW_VIOLATIONS walks them. */
static size_t first_violation(const struct policy_result *pr, size_t row)
{
	size_t lo = 0, hi = pr->nviolations, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (pr->violations[mid].kind == POLICY_V_EXPOSURE &&
		    pr->violations[mid].row < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#define ROW_VIOLATIONS(pr_, row_, i_)					\
	for ((i_) = first_violation((pr_), (row_));			\
	     (i_) < (pr_)->nviolations &&				\
	     (pr_)->violations[(i_)].kind == POLICY_V_EXPOSURE &&	\
	     (pr_)->violations[(i_)].row == (row_); (i_)++)

static void print_rule(FILE *f, const struct verdicts_style *st,
		       const struct policy_ref *ref, size_t col)
{
	char *s = rule_ref(ref);

	fprintf(f, "rule %s", s ? s : "?");
	if (ref->message) {
		fprintf(f, ": ");
		fit(f, st, col + 7 + (s ? strlen(s) : 1), ref->message);
	}
	free(s);
}

static void print_missing(const struct audit_result *r,
			  const struct verdicts_style *st,
			  const struct policy_violation *v, FILE *f)
{
	char *ref = rule_ref(&v->rule), *s;
	size_t k;

	sev_word(f, st, v->severity, upper(v->severity));
	fprintf(f, " required but not reachable: %s%s%s\n",
		v->rule.message ? "\"" : "",
		v->rule.message ? v->rule.message : ref,
		v->rule.message ? "\"" : "");
	for (k = 0; k < v->nmissing; k++) {
		const struct policy_missing *m = &v->missing[k];

		s = zone_text(r, m->family, m->sources, m->nsources);
		fprintf(f, INDENT "missing %s/%u", report_proto_name(m->proto),
			m->port_lo);
		if (m->port_hi != m->port_lo)
			fprintf(f, "-%u", m->port_hi);
		fprintf(f, " from %s\n", s ? s : "?");
		free(s);
	}
	fprintf(f, INDENT "rule %s\n", ref ? ref : "?");
	free(ref);
}

/* The commands that close part of row; more: they follow other commands
 * of the same fix. */
static void print_fix(const struct audit_result *r,
		      const struct report_row *row,
		      const struct policy_part *part, bool more, FILE *f)
{
	struct fix *fx;
	size_t k;

	if (fix_suggest(r->snap.rs, row, part, &fx) < 0)
		return;
	for (k = 0; k < fx->ncmds; k++)
		fprintf(f, INDENT "%s %s\n", k || more ? "    " : "fix:",
			fx->cmds[k]);
	fix_free(fx);
}

/* One span of violations of one row: the row's own finding. */
static void print_span(const struct audit_result *r,
		       const struct verdicts_style *st, size_t i, size_t j,
		       FILE *f)
{
	const struct policy_violation *v = &r->verdicts->violations[i];
	const struct report_row *row = &r->report->rows[v->row];
	enum policy_severity worst = POLICY_SEV_NONE;
	struct policy_part span = *v->part;
	char buf[INET6_ADDRSTRLEN], *a;
	size_t k, shown = 0;
	const char *be;
	char *s;

	for (k = i; k < j; k++) {
		const struct policy_violation *w = &r->verdicts->violations[k];

		if (w->severity > worst)
			worst = w->severity;
		span.port_hi = w->part->port_hi;
	}
	s = zone_text(r, row->family, v->part->sources, v->part->nsources);
	a = report_address_str(row);
	sev_word(f, st, worst, upper(worst));
	fprintf(f, " %s/%u", report_proto_name(row->proto), span.port_lo);
	if (span.port_hi != span.port_lo)
		fprintf(f, "-%u", span.port_hi);
	fprintf(f, " %s from %s to %s", engine_state_name(row->state),
		s ? s : "?", a ? a : "?");
	free(s);
	free(a);
	be = report_backend_str(row, buf, sizeof(buf));
	if (row->has_backend && be)
		fprintf(f, " -> %s:%u%s%s%s", be,
			row->backend_port_lo, row->container ? " (" : "",
			row->container ? row->container : "",
			row->container ? ")" : "");
	else if (row->listener && row->listener->comm)
		fprintf(f, " (%s)", row->listener->comm);
	if (row->possible)
		fprintf(f, " [possible]");
	fprintf(f, "\n");
	/* the worst rules first, a few of them: the JSON has every part */
	for (k = i; k < j && shown < 4; k++) {
		const struct policy_violation *w = &r->verdicts->violations[k];

		if (j - i > 4 && w->severity != worst)
			continue;
		fprintf(f, INDENT);
		print_rule(f, st, &w->rule, strlen(INDENT));
		if (j - i > 1) {
			fprintf(f, " (%u", w->part->port_lo);
			if (w->part->port_hi != w->part->port_lo)
				fprintf(f, "-%u", w->part->port_hi);
			fprintf(f, ")");
		}
		fprintf(f, "\n");
		shown++;
	}
	if (j - i > shown)
		fprintf(f, INDENT "(+%zu more: see --format json)\n",
			j - i - shown);
	print_fix(r, row, &span, false, f);
}

/* The listeners a wide cause exposes, one line per listener and
 * protocol/port (IPv4 and IPv6 together), the worst first. */
struct exposed_line {
	const struct report_row *row;	/* the first of them */
	unsigned int families;
	enum policy_severity sev;
	bool allowed;
	const struct policy_ref *rule;
};

static int line_cmp(const void *a, const void *b)
{
	const struct exposed_line *x = a, *y = b;

	if (x->allowed != y->allowed)
		return x->allowed ? 1 : -1;
	if (x->sev != y->sev)
		return x->sev > y->sev ? -1 : 1;
	if (x->row->proto != y->row->proto)
		return x->row->proto < y->row->proto ? -1 : 1;
	return x->row->port_lo < y->row->port_lo ? -1 :
	       x->row->port_lo > y->row->port_lo;
}

static bool same_line(const struct report_row *a, const struct report_row *b)
{
	return a->proto == b->proto && a->port_lo == b->port_lo &&
	       a->port_hi == b->port_hi && a->state == b->state &&
	       a->listener == b->listener;
}

static void listener_who(const struct report_row *row, char *buf,
			 size_t size)
{
	*buf = '\0';
	/* a socket whose owner is not to be seen (another PID namespace,
	 * no /proc access): the socket itself, not "?[0]" */
	if (row->listener && row->listener->comm)
		snprintf(buf, size, "%s[%d]", row->listener->comm,
			 (int)row->listener->pid);
	else if (row->listener)
		snprintf(buf, size, "(owner unknown)");
}

/* The lines of the listeners; *whow is the width of their column. */
static void print_listeners(const struct audit_result *r,
			    const struct verdicts_style *st,
			    const struct cause *c, int *whow, FILE *f)
{
	const struct policy_result *pr = r->verdicts;
	struct exposed_line *l;
	size_t i, k, n = 0;
	char ports[16];
	int col;

	*whow = 16;
	l = calloc(c->nrows + 1, sizeof(*l));
	if (!l)
		return;
	for (i = 0; i < c->nrows; i++) {
		const struct report_row *row = &r->report->rows[c->rows[i]];
		const struct policy_verdict *v = &pr->rows[c->rows[i]];
		const struct policy_part *d = v->decisive ? v->decisive :
					      v->nparts ? &v->parts[0] : NULL;

		if (row->state != ENGINE_EXPOSED)
			continue;
		for (k = 0; k < n; k++)
			if (same_line(l[k].row, row))
				break;
		if (k == n) {
			l[n].row = row;
			l[n].allowed = true;
			n++;
		}
		l[k].families |= row->family == NFPROTO_IPV6 ? 2 : 1;
		if (!v->allowed)
			l[k].allowed = false;
		if (d && (!l[k].rule || v->severity > l[k].sev)) {
			l[k].sev = v->severity;
			l[k].rule = &d->rule;
		}
	}
	qsort(l, n, sizeof(*l), line_cmp);
	/* as wide as the widest process[pid], at least "(nothing yet)" */
	*whow = 16;
	for (i = 0; i < n; i++) {
		char who[64];

		listener_who(l[i].row, who, sizeof(who));
		if ((int)strlen(who) > *whow)
			*whow = (int)strlen(who);
	}
	for (i = 0; i < n; i++) {
		const struct report_row *row = l[i].row;
		char who[64];

		if (row->port_lo == row->port_hi)
			snprintf(ports, sizeof(ports), "%s/%u",
				 report_proto_name(row->proto), row->port_lo);
		else
			snprintf(ports, sizeof(ports), "%s/%u-%u",
				 report_proto_name(row->proto), row->port_lo,
				 row->port_hi);
		listener_who(row, who, sizeof(who));
		col = fprintf(f, INDENT "%-10s %-6s %-*s ", ports,
			      l[i].families == 3 ? "IPv4+6" :
			      l[i].families == 2 ? "IPv6" : "IPv4", *whow, who);
		sev_word(f, st, l[i].allowed ? POLICY_SEV_NONE : l[i].sev,
			 l[i].allowed ? "allowed" : upper(l[i].sev));
		if (l[i].rule && l[i].rule->message) {
			fprintf(f, " ");
			fit(f, st, col + 9, l[i].rule->message);
		}
		fprintf(f, "\n");
	}
	free(l);
}

/* The ports a wide cause opens where nothing listens yet: the worst
 * verdict the policy gives them and one example of it. */
static void print_open_rest(const struct audit_result *r,
			    const struct verdicts_style *st,
			    const struct cause *c, int whow, FILE *f)
{
	const struct policy_result *pr = r->verdicts;
	const struct policy_violation *ex = NULL;
	enum policy_severity worst = POLICY_SEV_NONE;
	const struct policy_ref **seen;
	size_t i, k, nopen = 0, nrules = 0;
	int col;

	unsigned int fams = 0;

	for (i = 0; i < c->nrows; i++) {
		const struct report_row *row = &r->report->rows[c->rows[i]];

		if (row->state != ENGINE_OPEN)
			continue;
		nopen++;
		fams |= row->family == NFPROTO_IPV6 ? 2 : 1;
	}
	if (!nopen)
		return;
	/* the worst verdict of the open rows, and the first of its rules */
	for (k = 0; k < c->nrows; k++) {
		if (r->report->rows[c->rows[k]].state != ENGINE_OPEN)
			continue;
		ROW_VIOLATIONS(pr, c->rows[k], i) {
			const struct policy_violation *v = &pr->violations[i];

			if (v->severity > worst) {
				worst = v->severity;
				ex = v;
			}
		}
	}
	/* how many rules give that severity, each counted once: a policy
	 * has few rules, the open rows may have many violations */
	seen = calloc(pr->nviolations + 1, sizeof(*seen));
	for (k = 0; ex && seen && k < c->nrows; k++) {
		if (r->report->rows[c->rows[k]].state != ENGINE_OPEN)
			continue;
		ROW_VIOLATIONS(pr, c->rows[k], i) {
			const struct policy_violation *v = &pr->violations[i];
			size_t j;

			if (v->severity != worst)
				continue;
			for (j = 0; j < nrules; j++)
				if (seen[j]->file == v->rule.file &&
				    seen[j]->line == v->rule.line)
					break;
			if (j == nrules)
				seen[nrules++] = &v->rule;
		}
	}
	free(seen);
	/* in the columns of print_listeners() */
	col = fprintf(f, INDENT "%-10s %-6s %-*s ", "any other",
		      fams == 3 ? "IPv4+6" : fams == 2 ? "IPv6" : "IPv4",
		      whow, "(nothing yet)");
	if (!ex) {
		sev_word(f, st, POLICY_SEV_NONE, "allowed");
		fprintf(f, "\n");
		return;
	}
	sev_word(f, st, worst, upper(worst));
	col += 8 + fprintf(f, " by %zu rule%s, e.g. %s/%u ", nrules,
			   nrules > 1 ? "s" : "",
			   report_proto_name(r->report->rows[ex->row].proto),
			   ex->part->port_lo);
	if (ex->rule.message)
		fit(f, st, col, ex->rule.message);
	fprintf(f, "\n");
}

/* The findings of a published cause: one line per port, and its fix. */
static void print_published(const struct audit_result *r,
			    const struct verdicts_style *st,
			    const struct cause *c, FILE *f)
{
	const struct policy_result *pr = r->verdicts;
	char buf[INET6_ADDRSTRLEN];
	size_t i;
	int col;

	for (i = 0; i < c->nrows; i++) {
		const struct report_row *row = &r->report->rows[c->rows[i]];
		const struct policy_verdict *v = &pr->rows[c->rows[i]];
		char *s = zone_text(r, row->family, row->sources,
				    row->nsources);

		col = fprintf(f, INDENT "%s/%u", report_proto_name(row->proto),
			      row->port_lo);
		if (row->port_hi != row->port_lo)
			col += fprintf(f, "-%u", row->port_hi);
		char *a = report_address_str(row);
		const char *be = report_backend_str(row, buf, sizeof(buf));

		if (row->direct && !row->has_backend)
			/* no container known there: the network */
			col += fprintf(f, " %s from %s -> %s ",
				row->family == NFPROTO_IPV6 ? "IPv6" : "IPv4",
				s ? s : "?", a ? a : "?");
		else
			col += fprintf(f, " %s from %s -> %s:%u%s%s%s ",
				row->family == NFPROTO_IPV6 ? "IPv6" : "IPv4",
				s ? s : "?", be ? be : "?", row->backend_port_lo,
				row->container ? " (" : "",
				row->container ? row->container : "",
				row->container ? ")" : "");
		free(s);
		free(a);
		sev_word(f, st, v->allowed ? POLICY_SEV_NONE : v->severity,
			 v->allowed ? "allowed" : upper(v->severity));
		if (v->decisive && v->decisive->rule.message) {
			fprintf(f, " ");
			fit(f, st, col + 9, v->decisive->rule.message);
		}
		fprintf(f, "\n");
		if (!v->allowed && v->decisive)
			print_fix(r, row, v->decisive, false, f);
	}
}

/* A row and its twin of the other family: one title, the rules once,
 * the fix of each. */
static void print_twins(const struct audit_result *r,
			const struct verdicts_style *st,
			const struct cause *c, FILE *f)
{
	const struct policy_result *pr = r->verdicts;
	const struct policy_violation *v, *w;
	size_t i, k;
	bool dup;

	ROW_VIOLATIONS(pr, c->rows[0], i) {
		v = &pr->violations[i];
		fprintf(f, INDENT);
		print_rule(f, st, &v->rule, strlen(INDENT));
		fprintf(f, "\n");
	}
	/* the rules of the twin that its first row does not have */
	ROW_VIOLATIONS(pr, c->rows[1], i) {
		v = &pr->violations[i];
		dup = false;
		ROW_VIOLATIONS(pr, c->rows[0], k) {
			w = &pr->violations[k];
			if (w->rule.file == v->rule.file &&
			    w->rule.line == v->rule.line)
				dup = true;
		}
		if (dup)
			continue;
		fprintf(f, INDENT);
		print_rule(f, st, &v->rule, strlen(INDENT));
		fprintf(f, " (IPv%c)\n", r->report->rows[v->row].family ==
			NFPROTO_IPV6 ? '6' : '4');
	}
	for (k = 0, dup = false; k < c->nrows; k++) {
		const struct policy_verdict *pv = &pr->rows[c->rows[k]];

		if (pv->allowed || !pv->decisive)
			continue;
		print_fix(r, &r->report->rows[c->rows[k]], pv->decisive, dup,
			  f);
		dup = true;
	}
}

static void print_cause(const struct audit_result *r,
			const struct verdicts_style *st,
			const struct cause *c, FILE *f)
{
	const struct policy_result *pr = r->verdicts;
	size_t i, j;
	int whow = 16;

	if (c->kind == CAUSE_EXPOSURE && c->nrows == 1) {
		for (i = first_violation(pr, c->rows[0]);
		     i < pr->nviolations &&
		     pr->violations[i].kind == POLICY_V_EXPOSURE &&
		     pr->violations[i].row == c->rows[0]; i = j) {
			j = span_end(pr, i);
			print_span(r, st, i, j, f);
		}
		return;
	}
	sev_word(f, st, c->severity, upper(c->severity));
	fprintf(f, " %s%s%s\n", st->color ? ANSI_BOLD : "", c->title,
		st->color ? ANSI_RESET : "");
	if (c->kind == CAUSE_PUBLISHED || c->kind == CAUSE_DIRECT) {
		print_published(r, st, c, f);
		return;
	}
	if (c->kind == CAUSE_EXPOSURE) {
		print_twins(r, st, c, f);
		return;
	}
	print_listeners(r, st, c, &whow, f);
	print_open_rest(r, st, c, whow, f);
	if (c->kind == CAUSE_IPV6_OPEN) {
		/* the ports themselves: the rest of IPv6 is filtered */
		bool more = false;

		for (i = 0; i < c->nrows; i++) {
			const struct policy_verdict *pv = &pr->rows[c->rows[i]];

			if (pv->allowed || !pv->decisive)
				continue;
			print_fix(r, &r->report->rows[c->rows[i]],
				  pv->decisive, more, f);
			more = true;
		}
	} else if (c->kind == CAUSE_IPV6_UNFILTERED) {
		fprintf(f, INDENT "fix: filter IPv6 on %s as IPv4 is (ip6tables "
			"rules, or one nftables inet table for both; `fwaudit "
			"fix` prints one, proven)\n", c->where);
	} else {
		fprintf(f, INDENT "fix: on %s, drop by default and accept what "
			"the policy allows (`fwaudit fix` prints that table, "
			"proven)\n", c->where);
	}
}

/* the fail-open findings, when there are any: a short section */
static void findings_text(const struct failopen_result *fr, FILE *f)
{
	size_t i;

	if (!fr || !fr->nfindings)
		return;
	fprintf(f, "FINDINGS (%zu):\n", fr->nfindings);
	for (i = 0; i < fr->nfindings; i++)
		fprintf(f, "  %-8s %s: %s\n",
			fr->findings[i].severity == FAILOPEN_SEV_CRITICAL ?
			"CRITICAL" : fr->findings[i].severity ==
			FAILOPEN_SEV_WARNING ? "WARNING" : "INFO",
			failopen_kind_name(fr->findings[i].kind),
			fr->findings[i].message);
	fprintf(f, "\n");
}

int verdicts_text(const struct audit_result *r,
		  const struct verdicts_style *st, FILE *f)
{
	const struct policy_result *pr = r->verdicts;
	struct causes *cs = NULL;
	size_t i, n = 0, counts[4] = { 0 };
	int ret;

	if (!st)
		st = &plain_style;
	findings_text(r->findings, f);
	if (pr) {
		ret = causes_build(r->report, pr, r->zones, &cs);
		if (ret < 0)
			return ret;
		for (i = 0; i < cs->n; i++) {
			if (!cs->c[i].violation)
				continue;
			n++;
			counts[cs->c[i].severity]++;
		}
		for (i = 0; i < pr->nviolations; i++) {
			if (pr->violations[i].kind != POLICY_V_MISSING)
				continue;
			n++;
			counts[pr->violations[i].severity]++;
		}
	}
	if (pr && n) {
		const char *sep = " (";

		fprintf(f, "%sVIOLATIONS: %zu finding%s",
			st->color ? ANSI_BOLD : "", n, n > 1 ? "s" : "");
		for (i = POLICY_SEV_CRITICAL; i > POLICY_SEV_NONE; i--) {
			if (!counts[i])
				continue;
			fprintf(f, "%s%zu %s", sep, counts[i],
				policy_severity_name(i));
			sep = ", ";
		}
		fprintf(f, ")%s\n", st->color ? ANSI_RESET : "");
	} else if (pr) {
		fprintf(f, "No policy violation.\n");
	}
	for (i = 0; cs && i < cs->n; i++)
		if (cs->c[i].violation)
			print_cause(r, st, &cs->c[i], f);
	for (i = 0; pr && i < pr->nviolations; i++)
		if (pr->violations[i].kind == POLICY_V_MISSING)
			print_missing(r, st, &pr->violations[i], f);
	causes_free(cs);
	if (st->quiet)
		return ferror(f) ? -EIO : 0;
	if (pr)
		fprintf(f, "\n");
	return report_text(r->report, r->zones, f);
}

int verdicts_prometheus(const struct audit_result *r, FILE *f)
{
	struct prom_status st = {
		.success = r != NULL,
		.last_audit_usec = r ? r->started_usec : 0,
	};
	struct timespec ts;

	if (!r) {
		clock_gettime(CLOCK_REALTIME, &ts);
		st.last_audit_usec = (uint64_t)ts.tv_sec * 1000000u +
				     (uint64_t)ts.tv_nsec / 1000u;
	}
	return prom_print(f, r, &st);
}

int verdicts_nagios(const struct audit_result *r, FILE *f)
{
	const struct policy_result *pr = r->verdicts;
	size_t counts[4] = { 0 }, exposed = 0, i;
	const struct policy_violation *worst = NULL;

	for (i = 0; i < r->report->nrows; i++)
		exposed += r->report->rows[i].state == ENGINE_EXPOSED;
	for (i = 0; pr && i < pr->nviolations; i++) {
		const struct policy_violation *v = &pr->violations[i];

		counts[v->severity]++;
		if (!worst || v->severity > worst->severity)
			worst = v;
	}
	fprintf(f, "FWAUDIT %s: ", pr && pr->worst >= POLICY_SEV_WARNING ?
		upper(pr->worst) : "OK");
	if (!pr)
		fprintf(f, "%zu exposures, no policy", r->report->nrows);
	else if (!pr->nviolations)
		fprintf(f, "%zu exposures, no violation", r->report->nrows);
	else if (worst->kind == POLICY_V_MISSING)
		fprintf(f, "%zu violations; %s", pr->nviolations,
			worst->rule.message ? worst->rule.message :
			"a required service is not reachable");
	else {
		const struct report_row *row = &r->report->rows[worst->row];

		fprintf(f, "%zu violations; %s/%u", pr->nviolations,
			report_proto_name(row->proto), worst->part->port_lo);
		if (worst->part->port_hi != worst->part->port_lo)
			fprintf(f, "-%u", worst->part->port_hi);
		char *src = zone_text(r, row->family, worst->part->sources,
				      worst->part->nsources);

		fprintf(f, " %s from %s", engine_state_name(row->state),
			src ? src : "?");
		free(src);
		if (worst->rule.message)
			fprintf(f, " (%s)", worst->rule.message);
	}
	/* perfdata: 'label'=value[UOM];warn;crit;min;max; a threshold N
	 * alerts above N, so 0 alerts on the first violation */
	fprintf(f, " | exposures=%zu;;;0 exposed=%zu;;;0 violations=%zu;;;0 "
		"critical=%zu;;0;0 warning=%zu;0;;0 filtered=%zu;;;0 "
		"duration=%.6fs;;;0\n", r->report->nrows, exposed,
		pr ? pr->nviolations : 0, counts[POLICY_SEV_CRITICAL],
		counts[POLICY_SEV_WARNING], r->report->nfiltered,
		r->duration_usec / 1e6);
	return ferror(f) ? -EIO : 0;
}

int verdicts_plan_json(const struct audit_result *r, const struct plan *p,
		       const struct prove_result *pr, bool nft, FILE *f)
{
	const struct policy_result *v = r->verdicts;
	char host[256] = "";
	struct jsonw *w;
	size_t i, k;
	int ret;

	w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	gethostname(host, sizeof(host) - 1);
	jsonw_init(w, f, 1);
	jsonw_object_begin(w);
	jsonw_member_int(w, "version", 1);
	jsonw_member_string(w, "host", host);
	jsonw_member_string(w, "frontend", plan_frontend_name(p->fe));
	jsonw_key(w, "docker");
	jsonw_bool(w, p->docker);
	jsonw_key(w, "default_drop");
	jsonw_bool(w, p->default_drop);
	jsonw_key(w, "proof");
	if (!pr) {
		jsonw_null(w);
	} else {
		jsonw_object_begin(w);
		jsonw_member_string(w, "applied", nft ? "nft" : "sh");
		jsonw_key(w, "proven");
		jsonw_bool(w, pr->proven);
		jsonw_key(w, "left");
		str_list(w, pr->lines, pr->nlines);
		jsonw_object_end(w);
	}
	jsonw_key(w, "steps");
	jsonw_array_begin(w);
	for (i = 0; i < p->nsteps; i++) {
		const struct plan_step *s = &p->steps[i];

		jsonw_object_begin(w);
		jsonw_member_string(w, "what", s->what);
		jsonw_key(w, "commands");
		str_list(w, s->cmds, s->ncmds);
		jsonw_key(w, "proof_commands");
		str_list(w, s->proof, s->nproof);
		jsonw_member_string(w, "nft_chain", s->nft_chain);
		jsonw_member_string(w, "nft", s->nft);
		jsonw_key(w, "closes");
		jsonw_array_begin(w);
		for (k = 0; v && k < s->nclosed; k++)
			if (s->closed[k] < v->nviolations)
				violation_json(w, r, &v->violations[s->closed[k]]);
		jsonw_array_end(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_key(w, "unfixed");
	jsonw_array_begin(w);
	for (i = 0; i < p->nunfixed; i++) {
		jsonw_object_begin(w);
		jsonw_member_string(w, "why", p->unfixed[i]);
		jsonw_key(w, "violation");
		if (v && p->unfixed_viol && p->unfixed_viol[i] < v->nviolations)
			violation_json(w, r, &v->violations[p->unfixed_viol[i]]);
		else
			jsonw_null(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
	ret = jsonw_end(w);
	free(w);
	return ret;
}
