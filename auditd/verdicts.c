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

static json_t *ref_json(json_t *o, const struct policy_ref *ref)
{
	char *s = rule_ref(ref);

	json_object_set_new(o, "rule", s ? json_string(s) : json_null());
	free(s);
	json_object_set_new(o, "message", ref->message ?
			    json_string(ref->message) : json_null());
	return o;
}

static json_t *str_list(char **l, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(l[i]));
	return a;
}

static json_t *part_json(const struct policy_part *p)
{
	json_t *o = json_pack("{s:[ii],s:o,s:s,s:s}",
			      "ports", p->port_lo, p->port_hi,
			      "sources", str_list(p->sources, p->nsources),
			      "verdict", p->allowed ? "allowed" : "violation",
			      "severity", policy_severity_name(p->severity));

	return o ? ref_json(o, &p->rule) : NULL;
}

static json_t *policy_json(const struct policy_verdict *v)
{
	const struct policy_part *d = v->decisive ? v->decisive :
				      (v->nparts ? &v->parts[0] : NULL);
	json_t *o, *a;
	size_t i;

	o = json_pack("{s:s,s:s}", "verdict", v->allowed ? "allowed" :
		      "violation", "severity",
		      policy_severity_name(v->severity));
	if (!o)
		return NULL;
	if (d)
		ref_json(o, &d->rule);
	if (v->nparts > 1) {
		a = json_array();
		for (i = 0; a && i < v->nparts; i++)
			json_array_append_new(a, part_json(&v->parts[i]));
		json_object_set_new(o, "parts", a);
	}
	return o;
}

static json_t *fix_json(const struct audit_result *r,
			const struct report_row *row,
			const struct policy_part *part)
{
	struct fix *f = NULL;
	json_t *o;

	if (!part || fix_suggest(r->snap.rs, row, part, &f) < 0)
		return json_null();
	o = json_pack("{s:s,s:o}", "backend", fix_backend_name(f->backend),
		      "commands", str_list(f->cmds, f->ncmds));
	fix_free(f);
	return o ? o : json_null();
}

static json_t *violation_json(const struct audit_result *r,
			      const struct policy_violation *v)
{
	const struct report_row *row;
	json_t *o, *a, *m;
	size_t i;

	o = json_pack("{s:s,s:s}", "kind", v->kind == POLICY_V_EXPOSURE ?
		      "exposure" : "missing", "severity",
		      policy_severity_name(v->severity));
	if (!o)
		return NULL;
	ref_json(o, &v->rule);
	if (v->kind == POLICY_V_MISSING) {
		a = json_array();
		for (i = 0; a && i < v->nmissing; i++) {
			const struct policy_missing *mi = &v->missing[i];

			m = json_pack("{s:s,s:s,s:[ii],s:o}",
				      "family", family_str(mi->family),
				      "protocol", report_proto_name(mi->proto),
				      "ports", mi->port_lo, mi->port_hi,
				      "sources", str_list(mi->sources,
							  mi->nsources));
			json_array_append_new(a, m);
		}
		json_object_set_new(o, "missing", a);
		return o;
	}
	row = &r->report->rows[v->row];
	json_object_set_new(o, "exposure", json_integer((json_int_t)v->row));
	json_object_set_new(o, "family", json_string(family_str(row->family)));
	json_object_set_new(o, "protocol",
			    json_string(report_proto_name(row->proto)));
	json_object_set_new(o, "ports", json_pack("[ii]", v->part->port_lo,
						  v->part->port_hi));
	json_object_set_new(o, "address", json_string(row->address));
	json_object_set_new(o, "sources", str_list(v->part->sources,
						   v->part->nsources));
	json_object_set_new(o, "path", json_string(
		row->path == ENGINE_FORWARDED ? "forward" : "local"));
	json_object_set_new(o, "fix", fix_json(r, row, v->part));
	return o;
}

json_t *verdicts_json(const struct audit_result *r)
{
	json_t *root, *a, *src, *exp;
	char host[256] = "", stamp[32];
	time_t t = (time_t)(r->started_usec / 1000000u);
	size_t i;

	gethostname(host, sizeof(host) - 1);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	root = json_pack("{s:i,s:s,s:s,s:f}", "version", 1, "host", host,
			 "time", stamp, "duration_seconds",
			 r->duration_usec / 1e6);
	if (!root)
		return NULL;
	src = json_array();
	for (i = 0; src && i < r->snap.rs->nsources; i++)
		json_array_append_new(src, json_pack("{s:s,s:b}", "name",
			r->snap.rs->sources[i].name, "present",
			r->snap.rs->sources[i].present));
	json_object_set_new(root, "sources", src);
	if (report_json(r->report, root) < 0) {
		json_decref(root);
		return NULL;
	}
	exp = json_object_get(root, "exposures");
	for (i = 0; i < json_array_size(exp); i++)
		json_object_set_new(json_array_get(exp, i), "policy",
				    r->verdicts && i < r->verdicts->nrows ?
				    policy_json(&r->verdicts->rows[i]) :
				    json_null());
	a = json_array();
	for (i = 0; a && r->verdicts && i < r->verdicts->nviolations; i++)
		json_array_append_new(a, violation_json(r,
					&r->verdicts->violations[i]));
	json_object_set_new(root, "violations", a);
	json_object_set_new(root, "worst", json_string(r->verdicts ?
		policy_severity_name(r->verdicts->worst) : "none"));
	return root;
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
	return report_text(r->report, f);
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
