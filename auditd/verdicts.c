// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verdicts.c - the outputs of `fwaudit audit`, from one audit result.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <linux/netfilter.h>

#include "fix.h"
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

static void part_json(struct jsonw *w, const struct policy_part *p)
{
	jsonw_object_begin(w);
	ports_member(w, p->port_lo, p->port_hi);
	jsonw_key(w, "sources");
	str_list(w, p->sources, p->nsources);
	jsonw_member_string(w, "verdict", p->allowed ? "allowed" :
			    "violation");
	jsonw_member_string(w, "severity", policy_severity_name(p->severity));
	ref_members(w, &p->rule);
	jsonw_object_end(w);
}

static void policy_json(struct jsonw *w, const struct policy_verdict *v)
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
			part_json(w, &v->parts[i]);
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
		policy_json(w, &r->verdicts->rows[row]);
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
			str_list(w, mi->sources, mi->nsources);
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
	jsonw_member_string(w, "address", row->address);
	jsonw_key(w, "sources");
	str_list(w, v->part->sources, v->part->nsources);
	jsonw_member_string(w, "path", row->path == ENGINE_FORWARDED ?
			    "forward" : "local");
	jsonw_key(w, "fix");
	fix_json(w, r, row, v->part);
	jsonw_object_end(w);
}

int verdicts_json(const struct audit_result *r, FILE *f)
{
	char host[256] = "", stamp[32];
	time_t t = (time_t)(r->started_usec / 1000000u);
	struct jsonw *w;
	size_t i;
	int ret;

	/* the writer holds a block of output: not on the stack */
	w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
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
	jsonw_member_string(w, "worst", r->verdicts ?
			    policy_severity_name(r->verdicts->worst) : "none");
	jsonw_object_end(w);
	ret = jsonw_end(w);
	free(w);
	return ret;
}

static void sources_short(struct strbuf *b, char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 3; i++)
		strbuf_addf(b, "%s%s", i ? "," : "", l[i]);
	if (n > 3)
		strbuf_addf(b, " (+%zu more)", n - 3);
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

static bool same_sources(const struct policy_part *a,
			 const struct policy_part *b)
{
	size_t i;

	if (a->nsources != b->nsources)
		return false;
	for (i = 0; i < a->nsources; i++)
		if (strcmp(a->sources[i], b->sources[i]))
			return false;
	return true;
}

/* Violations of one row next to each other in ports, from the same
 * sources, read as one span with one fix: a host with no firewall would
 * otherwise list every gap between two dangerous ports on its own. */
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

static void print_missing(const struct policy_violation *v, FILE *f)
{
	struct strbuf b = STRBUF_INIT;
	char *ref = rule_ref(&v->rule), *s;
	size_t k;

	fprintf(f, "  %-8s required but not reachable: %s%s%s\n",
		upper(v->severity), v->rule.message ? "\"" : "",
		v->rule.message ? v->rule.message : ref,
		v->rule.message ? "\"" : "");
	for (k = 0; k < v->nmissing; k++) {
		const struct policy_missing *m = &v->missing[k];

		sources_short(&b, m->sources, m->nsources);
		s = strbuf_take(&b);
		fprintf(f, "           missing %s/%u", report_proto_name(m->proto),
			m->port_lo);
		if (m->port_hi != m->port_lo)
			fprintf(f, "-%u", m->port_hi);
		fprintf(f, " from %s\n", s ? s : "?");
		free(s);
	}
	fprintf(f, "           rule %s\n", ref ? ref : "?");
	free(ref);
}

static void print_span(const struct audit_result *r, size_t i, size_t j,
		       FILE *f)
{
	const struct policy_violation *v = &r->verdicts->violations[i];
	const struct report_row *row = &r->report->rows[v->row];
	enum policy_severity worst = POLICY_SEV_NONE;
	struct policy_part span = *v->part;
	struct strbuf b = STRBUF_INIT;
	size_t k, shown = 0;
	struct fix *fx;
	char *s, *ref;

	for (k = i; k < j; k++) {
		const struct policy_violation *w = &r->verdicts->violations[k];

		if (w->severity > worst)
			worst = w->severity;
		span.port_hi = w->part->port_hi;
	}
	sources_short(&b, v->part->sources, v->part->nsources);
	s = strbuf_take(&b);
	fprintf(f, "  %-8s %s/%u", upper(worst), report_proto_name(row->proto),
		span.port_lo);
	if (span.port_hi != span.port_lo)
		fprintf(f, "-%u", span.port_hi);
	fprintf(f, " %s from %s to %s", engine_state_name(row->state),
		s ? s : "?", row->address);
	free(s);
	if (row->has_backend && row->backend_addr)
		fprintf(f, " -> %s:%u%s%s%s", row->backend_addr,
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
		ref = rule_ref(&w->rule);
		fprintf(f, "           rule %s%s%s%s", ref ? ref : "?",
			w->rule.message ? ": \"" : "",
			w->rule.message ? w->rule.message : "",
			w->rule.message ? "\"" : "");
		if (j - i > 1) {
			fprintf(f, " (%u", w->part->port_lo);
			if (w->part->port_hi != w->part->port_lo)
				fprintf(f, "-%u", w->part->port_hi);
			fprintf(f, ")");
		}
		fprintf(f, "\n");
		free(ref);
		shown++;
	}
	if (j - i > shown)
		fprintf(f, "           (+%zu more: see --format json)\n",
			j - i - shown);
	if (fix_suggest(r->snap.rs, row, &span, &fx) == 0) {
		for (k = 0; k < fx->ncmds; k++)
			fprintf(f, "           %s %s\n", k ? "    " : "fix:",
				fx->cmds[k]);
		fix_free(fx);
	}
}

int verdicts_text(const struct audit_result *r, FILE *f)
{
	const struct policy_result *pr = r->verdicts;
	size_t i, j, spans = 0;

	for (i = 0; pr && i < pr->nviolations; i = j) {
		j = pr->violations[i].kind == POLICY_V_EXPOSURE ?
		    span_end(pr, i) : i + 1;
		spans++;
	}
	if (pr && pr->nviolations == spans && spans)
		fprintf(f, "VIOLATIONS (%zu):\n", spans);
	else if (pr && spans)
		fprintf(f, "VIOLATIONS (%zu, in %zu groups):\n",
			pr->nviolations, spans);
	else if (pr)
		fprintf(f, "No policy violation.\n");
	for (i = 0; pr && i < pr->nviolations; i = j) {
		if (pr->violations[i].kind == POLICY_V_MISSING) {
			print_missing(&pr->violations[i], f);
			j = i + 1;
			continue;
		}
		j = span_end(pr, i);
		print_span(r, i, j, f);
	}
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
		fprintf(f, " %s from %s%s", engine_state_name(row->state),
			worst->part->nsources ? worst->part->sources[0] : "?",
			worst->part->nsources > 1 ? " and more" : "");
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
