// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reconcile.c - the model against the probes' results, and verify's
 * outputs (reconcile.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "host.h"
#include "reconcile.h"
#include "region.h"

static const char *const kind_names[RECON_NKINDS] = {
	[RECON_CONFIRMED] = "confirmed",
	[RECON_WRONG] = "fwaudit-wrong",
	[RECON_BLOCKED] = "filtered-between",
	[RECON_UNDECIDED] = "undecided",
	[RECON_UNKNOWN] = "unknown",
};

const char *recon_kind_name(enum recon_kind k)
{
	return k < RECON_NKINDS ? kind_names[k] : "?";
}

/* Did the probe reach the host's stack?  -1: the result cannot say. */
static int got_in(const struct probe *p, const struct pick_expect *e)
{
	switch (p->result) {
	case PROBE_OPEN:
		/* a port unreachable may be a reject's */
		if (p->proto == IPPROTO_UDP && !p->answered && e->reject)
			return 0;
		return 1;
	case PROBE_RESET:
		return 1;
	case PROBE_CLOSED:
		return e->reject ? 0 : 1;
	case PROBE_FILTERED:
	case PROBE_SILENT:
	case PROBE_UNREACHABLE:
		return 0;
	default:
		return -1;
	}
}

static void classify(const struct probe *p, const struct pick_expect *e,
		     bool foreign, struct recon_probe *r)
{
	bool model_in = e->state != ENGINE_CLOSED;
	int in = foreign ? 0 : got_in(p, e);

	r->note = foreign ? "an RST from nearer than the host (another "
		"TTL than its own answers): something between rejects it" :
		NULL;
	r->foreign = foreign;
	r->got_in = in == 1;
	if (in < 0) {
		r->kind = RECON_UNKNOWN;
		r->note = "the probe could not be sent";
		return;
	}
	if (model_in && in) {
		r->kind = RECON_CONFIRMED;
		if (p->proto == IPPROTO_TCP && e->fate == ENGINE_LOCAL &&
		    e->state == ENGINE_EXPOSED && p->result == PROBE_CLOSED)
			r->note = "no listener answered (it stopped since "
				"the snapshot?)";
		else if (p->proto == IPPROTO_TCP && e->state == ENGINE_OPEN &&
			 p->result == PROBE_OPEN)
			r->note = "a listener answered that the model does "
				"not know (started since the snapshot?)";
		return;
	}
	if (!model_in && !in) {
		r->kind = RECON_CONFIRMED;
		return;
	}
	if (foreign) {
		r->kind = RECON_BLOCKED;
		return;
	}
	if (e->possible) {
		r->kind = RECON_UNDECIDED;
		r->note = r->got_in ? "the packet got in" :
			"the packet did not get in";
		return;
	}
	if (!model_in) {
		r->kind = RECON_WRONG;
		return;
	}
	if (e->has_answer && e->answer_fate != ENGINE_ANSWER_LEAVES) {
		/* silence is what the host itself makes of this probe */
		r->kind = RECON_UNKNOWN;
		r->note = e->answer_fate == ENGINE_ANSWER_DROPPED ?
			(e->answer == ENGINE_ANSWER_UNREACH ?
			 "the host drops its own port unreachable on the way "
			 "out: silence is expected" :
			 "the host drops its own RST on the way out: silence "
			 "is expected") :
			"the host's output path may drop its own answer";
		return;
	}
	if (p->proto == IPPROTO_UDP && p->result == PROBE_SILENT &&
	    (e->state == ENGINE_EXPOSED || e->fate == ENGINE_FORWARDED)) {
		r->kind = RECON_UNKNOWN;
		r->note = "a UDP listener need not answer";
		return;
	}
	r->kind = RECON_BLOCKED;
}

static int add_to_finding(struct recon *rc, enum recon_finding_kind kind,
			  size_t target, size_t probe)
{
	struct recon_finding *f = NULL, *nf;
	size_t i, *np;

	for (i = 0; i < rc->nfindings; i++)
		if (rc->findings[i].kind == kind &&
		    rc->findings[i].target == target)
			f = &rc->findings[i];
	if (!f) {
		nf = realloc(rc->findings, (rc->nfindings + 1) * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		rc->findings = nf;
		f = &rc->findings[rc->nfindings++];
		memset(f, 0, sizeof(*f));
		f->kind = kind;
		f->target = target;
	}
	np = realloc(f->probes, (f->nprobes + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	f->probes = np;
	f->probes[f->nprobes++] = probe;
	return 0;
}

/* Is a in the source intervals l[0..n)? */
static bool in_sources(rs_u128 a, const struct rs_interval *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i].lo <= a && a <= l[i].hi)
			return true;
	return false;
}

/* Fold probe i into *seen; true when it got in (confirmed: no need to
 * look further). */
static bool seen_add(const struct recon *rc, size_t i, enum recon_seen *seen)
{
	if (rc->p[i].got_in) {
		*seen = SEEN_CONFIRMED;
		return true;
	}
	if (rc->p[i].kind != RECON_UNKNOWN)
		*seen = SEEN_NOT_REACHED;
	return false;
}

static enum recon_seen seen_of(const struct recon *rc, const struct pick *pk,
			       const struct pick_target *t,
			       const struct report_row *row,
			       const struct policy_part *part)
{
	enum recon_seen seen = SEEN_NOT_PROBED;
	const struct probe *p;
	size_t i;

	for (i = 0; i < pk->list.n; i++) {
		p = &pk->list.p[i];
		if (p->family != row->family || p->proto != row->proto ||
		    p->port < part->port_lo || p->port > part->port_hi)
			continue;
		/* every address, or exactly the probe's */
		if (row->naddrs && (row->naddrs != 1 ||
				    row->addrs[0].lo != p->addr ||
				    row->addrs[0].hi != p->addr))
			continue;
		if (!in_sources(t[pk->expect[i].target].saddr, part->sources,
				part->nsources))
			continue;
		if (seen_add(rc, i, &seen))
			break;
	}
	return seen;
}

/* Is want w met by the model: no unmet-require violation of its rule? */
static bool want_met(const struct audit_result *r,
		     const struct policy_want *w)
{
	const struct policy_violation *v;
	size_t i;

	for (i = 0; r->verdicts && i < r->verdicts->nviolations; i++) {
		v = &r->verdicts->violations[i];
		if (v->kind == POLICY_V_MISSING &&
		    v->rule.file == w->rule.file &&
		    v->rule.line == w->rule.line)
			return false;
	}
	return true;
}

/* What the probes from the sources of want w's require met at its ports:
 * one that got in meets it (in either family, as the policy does). */
static enum recon_seen want_seen(const struct recon *rc, const struct pick *pk,
				 const struct pick_target *t,
				 const struct policy *pol,
				 const struct policy_want *w)
{
	enum recon_seen seen = SEEN_NOT_PROBED;
	const struct probe *p;
	size_t i;

	for (i = 0; i < pk->list.n; i++) {
		p = &pk->list.p[i];
		if (p->proto != w->proto || p->port < w->port_lo ||
		    p->port > w->port_hi ||
		    !policy_require_from(pol, w->require, p->family,
					 t[pk->expect[i].target].saddr))
			continue;
		if (seen_add(rc, i, &seen))
			break;
	}
	return seen;
}

int recon_build(const struct pick *pk, const struct pick_target *t,
		size_t nt, const struct audit_result *r,
		const struct policy *pol, struct recon *out)
{
	struct recon rc = { .n = pk->list.n };
	const struct policy_violation *v;
	uint8_t *host_ttl = NULL;
	size_t i, k;
	int ret = -ENOMEM;

	rc.p = calloc(rc.n + 1, sizeof(*rc.p));
	if (!rc.p)
		goto fail;
	host_ttl = calloc(nt + 1, sizeof(*host_ttl));
	if (!host_ttl)
		goto fail;
	/* the TTL the host's own answers arrive with: its SYN-ACKs */
	for (i = 0; i < rc.n; i++) {
		const struct probe *p = &pk->list.p[i];
		size_t ti = pk->expect[i].target;

		if (p->proto == IPPROTO_TCP && p->result == PROBE_OPEN &&
		    p->answered && p->ttl && ti < nt && !host_ttl[ti] &&
		    pk->expect[i].fate == ENGINE_LOCAL)
			host_ttl[ti] = p->ttl;
	}
	for (i = 0; i < rc.n; i++) {
		const struct probe *p = &pk->list.p[i];
		size_t ti = pk->expect[i].target;
		bool foreign = p->proto == IPPROTO_TCP && p->ttl &&
			(p->result == PROBE_CLOSED ||
			 p->result == PROBE_RESET) && ti < nt &&
			host_ttl[ti] && p->ttl != host_ttl[ti];

		classify(p, &pk->expect[i], foreign, &rc.p[i]);
		rc.counts[rc.p[i].kind]++;
		if (foreign) {
			ret = add_to_finding(&rc, FINDING_REJECTED, ti, i);
			if (ret < 0)
				goto fail;
			for (k = 0; k < rc.nfindings; k++) {
				struct recon_finding *f = &rc.findings[k];

				if (f->kind != FINDING_REJECTED ||
				    f->target != ti || f->ttl)
					continue;
				f->ttl = p->ttl;
				f->host_ttl = host_ttl[ti];
			}
		} else if (rc.p[i].kind == RECON_WRONG || rc.p[i].kind ==
		    RECON_BLOCKED) {
			ret = add_to_finding(&rc, rc.p[i].kind == RECON_WRONG ?
					     FINDING_WRONG : FINDING_UPSTREAM,
					     pk->expect[i].target, i);
			if (ret < 0)
				goto fail;
		}
	}
	rc.worst = POLICY_SEV_NONE;
	if (r->verdicts) {
		rc.nviolations = r->verdicts->nviolations;
		rc.seen = calloc(rc.nviolations + 1, sizeof(*rc.seen));
		if (!rc.seen)
			goto fail;
		for (i = 0; i < rc.nviolations; i++) {
			v = &r->verdicts->violations[i];
			if (v->kind != POLICY_V_EXPOSURE || !v->part)
				continue;
			rc.seen[i] = seen_of(&rc, pk, t,
					     &r->report->rows[v->row],
					     v->part);
			if (rc.seen[i] == SEEN_CONFIRMED &&
			    v->severity > rc.worst)
				rc.worst = v->severity;
		}
	}
	ret = -ENOMEM;
	rc.nrequires = pol ? pk->nwant : 0;
	rc.requires = calloc(rc.nrequires + 1, sizeof(*rc.requires));
	if (!rc.requires)
		goto fail;
	for (i = 0; i < rc.nrequires; i++) {
		const struct policy_want *w = &pk->want[i];

		rc.requires[i].met = want_met(r, w);
		rc.requires[i].seen = want_seen(&rc, pk, t, pol, w);
		if (rc.requires[i].seen == SEEN_NOT_REACHED &&
		    w->severity > rc.worst)
			rc.worst = w->severity;
	}
	free(host_ttl);
	*out = rc;
	return 0;
fail:
	free(host_ttl);
	recon_release(&rc);
	return ret;
}

void recon_release(struct recon *rc)
{
	size_t i;

	if (!rc)
		return;
	for (i = 0; i < rc->nfindings; i++)
		free(rc->findings[i].probes);
	free(rc->findings);
	free(rc->p);
	free(rc->seen);
	free(rc->requires);
	memset(rc, 0, sizeof(*rc));
}

int recon_exit_status(const struct recon *rc)
{
	if (rc->counts[RECON_WRONG])
		return 3;
	if (rc->worst == POLICY_SEV_CRITICAL)
		return 2;
	return rc->worst == POLICY_SEV_WARNING ? 1 : 0;
}

/* ---- outputs ---- */

static const char *model_name(const struct pick_expect *e)
{
	if (e->state == ENGINE_CLOSED)
		return e->reject ? "rejected" : "closed";
	if (e->fate == ENGINE_FORWARDED)
		return "forwarded";
	return engine_state_name(e->state);
}

static const char *seen_name(enum recon_seen s)
{
	return s == SEEN_CONFIRMED ? "confirmed" : s == SEEN_NOT_REACHED ?
		"not-reached" : "not-probed";
}

/* "tcp 22, 8080; udp 53" for the probes of a finding */
static void finding_ports(const struct pick *pk, const struct recon_finding *f,
			  FILE *out)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	const struct probe *p;
	size_t i, k, n;
	bool first_proto = true;

	for (k = 0; k < sizeof(protos); k++) {
		n = 0;
		for (i = 0; i < f->nprobes; i++) {
			p = &pk->list.p[f->probes[i]];
			if (p->proto != protos[k])
				continue;
			if (!n)
				fprintf(out, "%s%s ", first_proto ? "" : "; ",
					probe_proto_name(p->proto));
			fprintf(out, "%s%u", n ? ", " : "", p->port);
			if (p->sport && pk->expect[f->probes[i]].why ==
			    PICK_EXPOSURE && p->sport != PICK_SPORT_DEFAULT)
				fprintf(out, " (from port %u)", p->sport);
			n++;
			first_proto = false;
		}
	}
}

int recon_text(const struct recon *rc, const struct pick *pk,
	       const struct pick_target *t, size_t nt,
	       const struct audit_result *r, const char *vantage,
	       const char *bundle, FILE *f)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], *addr;
	const struct recon_finding *fd;
	const struct policy_violation *v;
	const struct report_row *row;
	const struct probe *p;
	size_t i;

	fprintf(f, "Verified from %s: %zu probes for %zu exposures and %zu "
		"closed regions%s\n", vantage, pk->list.n, pk->nexposures,
		pk->nclosed, pk->truncated ? " (cut short by --max-probes)" :
		"");
	for (i = 0; i < nt; i++)
		fprintf(f, "  %s -> %s (arrives on %s)\n",
			host_addr_str(t[i].family, t[i].saddr, a, sizeof(a)),
			host_addr_str(t[i].family, t[i].daddr, b, sizeof(b)),
			t[i].iifname);
	fprintf(f, "  %zu confirmed, %zu fwaudit wrong, %zu filtered "
		"between, %zu undecided, %zu unknown\n",
		rc->counts[RECON_CONFIRMED], rc->counts[RECON_WRONG],
		rc->counts[RECON_BLOCKED], rc->counts[RECON_UNDECIDED],
		rc->counts[RECON_UNKNOWN]);
	if (rc->nfindings)
		fprintf(f, "\nFindings:\n");
	for (i = 0; i < rc->nfindings; i++) {
		fd = &rc->findings[i];
		host_addr_str(t[fd->target].family, t[fd->target].saddr, a,
			      sizeof(a));
		host_addr_str(t[fd->target].family, t[fd->target].daddr, b,
			      sizeof(b));
		if (fd->kind == FINDING_WRONG) {
			fprintf(f, "  FWAUDIT WRONG: from %s to %s: ", a, b);
			finding_ports(pk, fd, f);
			fprintf(f, ": the model says closed, the probes got "
				"in.\n    This is a bug in fwaudit; the "
				"reproducer is %s\n", bundle ? bundle :
				"(not written)");
		} else if (fd->kind == FINDING_REJECTED) {
			fprintf(f, "  REJECTED BETWEEN: from %s to %s: ", a, b);
			finding_ports(pk, fd, f);
			fprintf(f, ": answered by RSTs with TTL %u, the host's "
				"own answers arrive with TTL %u:\n    "
				"something between the vantage and the host "
				"rejects them (those the model says open "
				"never\n    reach it; those it says closed "
				"are not tested)\n", fd->ttl, fd->host_ttl);
		} else {
			fprintf(f, "  FILTERED BETWEEN: from %s to %s: ", a, b);
			finding_ports(pk, fd, f);
			fprintf(f, ": this host's firewall lets them in, but "
				"nothing arrives:\n    something between the "
				"vantage and the host filters them (a security "
				"group,\n    an upstream firewall)\n");
		}
	}
	if (rc->nviolations)
		fprintf(f, "\nViolations, judged on what the vantage "
			"reached:\n");
	for (i = 0; i < rc->nviolations; i++) {
		v = &r->verdicts->violations[i];
		if (v->kind != POLICY_V_EXPOSURE || !v->part)
			continue;
		row = &r->report->rows[v->row];
		fprintf(f, "  %-8s %s/%u", policy_severity_name(v->severity),
			report_proto_name(row->proto), v->part->port_lo);
		if (v->part->port_hi != v->part->port_lo)
			fprintf(f, "-%u", v->part->port_hi);
		addr = report_address_str(row);
		fprintf(f, " %s at %s: %s\n", probe_family_name(row->family),
			addr ? addr : "?", rc->seen[i] == SEEN_CONFIRMED ?
			"confirmed by packets" : rc->seen[i] ==
			SEEN_NOT_REACHED ? "not reached from the vantage" :
			"not probed from the vantage");
		free(addr);
	}
	if (rc->nrequires)
		fprintf(f, "\nRequires, judged on what the vantage "
			"reached:\n");
	for (i = 0; i < rc->nrequires; i++) {
		const struct policy_want *w = &pk->want[i];

		fprintf(f, "  %-8s require %s/%u", policy_severity_name(
			w->severity), report_proto_name(w->proto), w->port_lo);
		if (w->port_hi != w->port_lo)
			fprintf(f, "-%u", w->port_hi);
		fprintf(f, ": %s (the model says %s)\n",
			rc->requires[i].seen == SEEN_CONFIRMED ?
			"met, confirmed by packets" :
			rc->requires[i].seen == SEEN_NOT_REACHED ?
			"unmet as seen from the vantage" :
			"not probed from the vantage",
			rc->requires[i].met ? "met" : "unmet");
	}
	fprintf(f, "\nProbes:\n");
	for (i = 0; i < pk->list.n; i++) {
		char dst[INET6_ADDRSTRLEN + 16];

		p = &pk->list.p[i];
		host_addr_str(p->family, p->addr, a, sizeof(a));
		snprintf(dst, sizeof(dst), "%s%s%s:%u",
			 p->family == NFPROTO_IPV6 ? "[" : "", a,
			 p->family == NFPROTO_IPV6 ? "]" : "", p->port);
		fprintf(f, "  %s %-24s from %-5u  %-8s model %-9s met %-11s "
			"%s%s%s\n", probe_proto_name(p->proto), dst, p->sport,
			pick_why_name(pk->expect[i].why),
			model_name(&pk->expect[i]),
			probe_result_name(p->result),
			recon_kind_name(rc->p[i].kind),
			rc->p[i].note ? ": " : "",
			rc->p[i].note ? rc->p[i].note : "");
	}
	return ferror(f) ? -EIO : 0;
}

json_t *recon_json(const struct recon *rc, const struct pick *pk,
		   const struct pick_target *t, size_t nt,
		   const struct audit_result *r, const char *vantage,
		   const char *bundle)
{
	char a[INET6_ADDRSTRLEN], *addr;
	json_t *o = json_object(), *arr, *x, *ports;
	const struct policy_violation *v;
	const struct report_row *row;
	size_t i, k;

	if (!o)
		return NULL;
	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "vantage", json_string(vantage));
	arr = json_array();
	json_object_set_new(o, "targets", arr);
	for (i = 0; i < nt; i++) {
		x = json_object();
		json_array_append_new(arr, x);
		json_object_set_new(x, "family", json_string(
			probe_family_name(t[i].family)));
		json_object_set_new(x, "source", json_string(host_addr_str(
			t[i].family, t[i].saddr, a, sizeof(a))));
		json_object_set_new(x, "address", json_string(host_addr_str(
			t[i].family, t[i].daddr, a, sizeof(a))));
		json_object_set_new(x, "interface", json_string(t[i].iifname));
	}
	x = json_object();
	json_object_set_new(o, "counts", x);
	json_object_set_new(x, "probes", json_integer(pk->list.n));
	json_object_set_new(x, "exposures", json_integer(pk->nexposures));
	json_object_set_new(x, "closed_regions", json_integer(pk->nclosed));
	json_object_set_new(x, "truncated", json_boolean(pk->truncated));
	for (k = 0; k < RECON_NKINDS; k++)
		json_object_set_new(x, kind_names[k],
				    json_integer(rc->counts[k]));
	arr = json_array();
	json_object_set_new(o, "findings", arr);
	for (i = 0; i < rc->nfindings; i++) {
		const struct recon_finding *fd = &rc->findings[i];

		x = json_object();
		json_array_append_new(arr, x);
		json_object_set_new(x, "kind", json_string(
			fd->kind == FINDING_WRONG ? "fwaudit-wrong" :
			fd->kind == FINDING_REJECTED ? "rejected-between" :
			"filtered-between"));
		if (fd->kind == FINDING_REJECTED) {
			json_object_set_new(x, "ttl", json_integer(fd->ttl));
			json_object_set_new(x, "host_ttl",
					    json_integer(fd->host_ttl));
		}
		json_object_set_new(x, "target", json_integer(fd->target));
		ports = json_array();
		json_object_set_new(x, "probes", ports);
		for (k = 0; k < fd->nprobes; k++)
			json_array_append_new(ports,
					      json_integer(fd->probes[k]));
	}
	arr = json_array();
	json_object_set_new(o, "violations", arr);
	for (i = 0; i < rc->nviolations; i++) {
		v = &r->verdicts->violations[i];
		if (v->kind != POLICY_V_EXPOSURE || !v->part)
			continue;
		row = &r->report->rows[v->row];
		x = json_object();
		json_array_append_new(arr, x);
		json_object_set_new(x, "severity", json_string(
			policy_severity_name(v->severity)));
		json_object_set_new(x, "family", json_string(
			probe_family_name(row->family)));
		json_object_set_new(x, "protocol", json_string(
			report_proto_name(row->proto)));
		json_object_set_new(x, "ports", json_pack("[ii]",
			v->part->port_lo, v->part->port_hi));
		addr = report_address_str(row);
		json_object_set_new(x, "address",
				    json_string(addr ? addr : ""));
		free(addr);
		json_object_set_new(x, "packets", json_string(
			seen_name(rc->seen[i])));
		if (v->rule.message)
			json_object_set_new(x, "message",
					    json_string(v->rule.message));
	}
	arr = json_array();
	json_object_set_new(o, "requires", arr);
	for (i = 0; i < rc->nrequires; i++) {
		const struct policy_want *w = &pk->want[i];

		x = json_object();
		json_array_append_new(arr, x);
		json_object_set_new(x, "severity", json_string(
			policy_severity_name(w->severity)));
		json_object_set_new(x, "protocol", json_string(
			report_proto_name(w->proto)));
		json_object_set_new(x, "ports", json_pack("[ii]", w->port_lo,
							  w->port_hi));
		json_object_set_new(x, "model", json_string(
			rc->requires[i].met ? "met" : "unmet"));
		json_object_set_new(x, "packets", json_string(
			seen_name(rc->requires[i].seen)));
		if (w->rule.message)
			json_object_set_new(x, "message",
					    json_string(w->rule.message));
	}
	arr = json_array();
	json_object_set_new(o, "probes", arr);
	for (i = 0; i < pk->list.n; i++) {
		x = probe_json(&pk->list.p[i], true);
		if (!x)
			break;
		json_array_append_new(arr, x);
		json_object_set_new(x, "target",
				    json_integer(pk->expect[i].target));
		json_object_set_new(x, "why", json_string(
			pick_why_name(pk->expect[i].why)));
		json_object_set_new(x, "model", json_string(
			model_name(&pk->expect[i])));
		json_object_set_new(x, "possible",
				    json_boolean(pk->expect[i].possible));
		json_object_set_new(x, "verdict", json_string(
			recon_kind_name(rc->p[i].kind)));
		if (rc->p[i].note)
			json_object_set_new(x, "note",
					    json_string(rc->p[i].note));
	}
	json_object_set_new(o, "bundle", bundle ? json_string(bundle) :
			    json_null());
	json_object_set_new(o, "exit_status",
			    json_integer(recon_exit_status(rc)));
	return o;
}
