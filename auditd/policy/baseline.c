// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * baseline.c - the policy of `fwaudit policy init` (see baseline.h).
 *
 * Rows are cut by their verdicts' parts (a part has one port range, one
 * verdict and its own sources), the parts become entries keyed by what an
 * allow line says (protocol, ports, path, container) and by what its
 * comment says (the listener, the refusing rule), and the entries of both
 * families with one key become one line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <linux/netfilter.h>

#include "array.h"
#include "baseline.h"
#include "srcview.h"

enum entry_kind {
	ENTRY_ALLOW,
	ENTRY_CRITICAL,		/* commented out: the base calls it critical */
	ENTRY_OPEN,		/* nothing listens: listed only */
	ENTRY_POSSIBLE,		/* undecidable: listed only */
};

struct entry {
	enum entry_kind kind;
	uint8_t proto;
	uint16_t lo, hi;
	enum engine_fate path;
	const char *container;		/* borrowed from a row */
	const char *image;
	char *who;			/* the comment: listener or backend */
	const struct policy_ref *ref;	/* ENTRY_CRITICAL: the rule */
	const struct report_row *row;	/* ENTRY_POSSIBLE: its matches */
	/* sources per family, borrowed prefix strings (0: IPv4, 1: IPv6) */
	size_t nsrc[2], capsrc[2];
	struct rs_interval *src[2];	/* the rows', as they came */
	size_t nifaces, capifaces;
	const char **ifaces;
};

struct entries {
	size_t n, cap;
	struct entry *e;
};

static int fam_index(uint8_t family)
{
	return family == NFPROTO_IPV6 ? 1 : family == NFPROTO_IPV4 ? 0 : -1;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* What the comment names: the listening process, or the container (or
 * address) a DNAT sends the port to. */
static char *row_who(const struct report_row *r, bool symbolic)
{
	struct strbuf b = STRBUF_INIT;
	char buf[INET6_ADDRSTRLEN];
	const char *be;

	if (r->container) {
		strbuf_addf(&b, "container %s", r->container);
		if (r->image)
			strbuf_addf(&b, " (image %s)", r->image);
	} else if (r->direct) {
		strbuf_add(&b, "container network ");
		report_address_text(&b, r, ",");
		strbuf_add(&b, " by direct routing");
	} else if (r->has_backend && r->path == ENGINE_FORWARDED) {
		/* (printf's "(null)" as it has always said it) */
		be = report_backend_str(r, buf, sizeof(buf));
		strbuf_addf(&b, "forwarded to %s", be ? be : "(null)");
	} else if (r->path == ENGINE_FORWARDED) {
		strbuf_add(&b, "forwarded");
	} else if (r->listener && r->listener->comm) {
		strbuf_add(&b, r->listener->comm);
	} else if (r->listener) {
		strbuf_add(&b, "a listener of unknown process");
	} else {
		strbuf_add(&b, symbolic ? "let in by the ruleset" :
			   "nothing listens");
	}
	if (r->has_backend && r->path == ENGINE_LOCAL)
		strbuf_addf(&b, " (redirected to port %u)",
			    (unsigned int)r->backend_port_lo);
	/* the language has no source ports: the line allows them all */
	if (r->nsports)
		strbuf_add(&b, " (today from some source ports only)");
	return strbuf_take(&b);
}

static bool entry_same(const struct entry *e, enum entry_kind kind,
		       const struct report_row *r, uint16_t lo, uint16_t hi,
		       const char *who, const struct policy_ref *ref)
{
	if (e->kind != kind || e->proto != r->proto || e->lo != lo ||
	    e->hi != hi || e->path != r->path ||
	    !str_eq(e->container, r->container) || strcmp(e->who, who))
		return false;
	if (kind == ENTRY_CRITICAL)
		return str_eq(e->ref->file, ref->file) &&
		       e->ref->line == ref->line;
	/* one line per set of undecidable matches */
	return kind != ENTRY_POSSIBLE || e->row == r;
}

static int entry_add_sources(struct entry *e, int f,
			     const struct rs_interval *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (array_grow(&e->src[f], &e->capsrc[f], e->nsrc[f],
			       sizeof(*src), SIZE_MAX, 8) < 0)
			return -ENOMEM;
		e->src[f][e->nsrc[f]++] = src[i];
	}
	return 0;
}

static int entry_add_ifaces(struct entry *e, const struct report_row *r)
{
	size_t i, k;

	for (i = 0; i < r->nifaces; i++) {
		for (k = 0; k < e->nifaces; k++)
			if (!strcmp(e->ifaces[k], r->ifaces[i]))
				break;
		if (k < e->nifaces)
			continue;
		if (array_grow(&e->ifaces, &e->capifaces, e->nifaces,
			       sizeof(char *), SIZE_MAX, 8) < 0)
			return -ENOMEM;
		e->ifaces[e->nifaces++] = r->ifaces[i];
	}
	return 0;
}

/* Put the sources src[0..nsrc) of row r (ports lo-hi) into the entry of
 * their key, made when it is new. */
static int entries_add(struct entries *l, enum entry_kind kind,
		       const struct report_row *r, uint16_t lo, uint16_t hi,
		       const struct rs_interval *src, size_t nsrc,
		       const struct policy_ref *ref,
		       const struct baseline_opts *o)
{
	struct entry *e = NULL;
	char *who;
	size_t i;
	int f = fam_index(r->family), ret;
	/* a row without sources is reachable from anywhere (as the judge
	 * takes it): never "from nobody" */
	static const struct rs_interval everyone[2][1] = {
		{ { 0, 0xffffffffu } }, { { 0, ~(rs_u128)0 } },
	};

	if (f < 0)
		return -EINVAL;
	if (!nsrc) {
		src = everyone[f];
		nsrc = 1;
	}
	who = row_who(r, o->symbolic);
	if (!who)
		return -ENOMEM;
	for (i = 0; i < l->n; i++) {
		if (entry_same(&l->e[i], kind, r, lo, hi, who, ref)) {
			e = &l->e[i];
			free(who);
			break;
		}
	}
	if (!e) {
		if (array_grow(&l->e, &l->cap, l->n, sizeof(*l->e), SIZE_MAX,
			       8) < 0) {
			free(who);
			return -ENOMEM;
		}
		e = &l->e[l->n++];
		memset(e, 0, sizeof(*e));
		e->kind = kind;
		e->proto = r->proto;
		e->lo = lo;
		e->hi = hi;
		e->path = r->path;
		e->container = r->container;
		e->image = r->image;
		e->who = who;
		e->ref = ref;
		e->row = r;
	}
	ret = entry_add_sources(e, f, src, nsrc);
	if (ret < 0)
		return ret;
	return entry_add_ifaces(e, r);
}

static void entries_release(struct entries *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->e[i].who);
		free(l->e[i].src[0]);
		free(l->e[i].src[1]);
		free(l->e[i].ifaces);
	}
	free(l->e);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->path != y->path)
		return x->path < y->path ? -1 : 1;
	c = strcmp(x->container ? x->container : "",
		   y->container ? y->container : "");
	if (c)
		return c;
	return strcmp(x->who, y->who);
}

/* The sources of one family of e as intervals.  The kernel never forwards
 * an IPv6 packet from a link-local source (ip6_forward()), so the forward
 * path's "everyone" lacks fe80::/10: it is added back, to say "any" where
 * the exposure is everyone who can reach it at all. */
static int entry_intervals(const struct entry *e, int f,
			   struct rs_interval **iv, size_t *n)
{
	static const struct rs_interval ll = {
		(rs_u128)0xfe80 << 112,
		((rs_u128)0xfebf << 112) | (((rs_u128)1 << 112) - 1),
	};
	struct rs_interval *l;
	size_t k = e->nsrc[f];

	l = malloc((k + 1) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	if (k)
		memcpy(l, e->src[f], k * sizeof(*l));
	if (f == 1 && e->path == ENGINE_FORWARDED)
		l[k++] = ll;
	*iv = l;
	*n = region_ivs_merge(l, k);
	return 0;
}

/* Whether text says nothing in family f (a zone such as "office" may
 * have no IPv6 part, "private" has one).  Word by word: srcview_parse()
 * refuses a word that is nothing in f (a prefix of the other family, a
 * zone without f's part) as a text of its own. */
static bool says_nothing(const struct srcview *v, int f, const char *text)
{
	struct rs_interval *iv;
	char *copy, *w, *save = NULL;
	bool nothing = true;
	size_t n;
	int ret;

	copy = strdup(text);
	if (!copy)
		return false;
	for (w = strtok_r(copy, ",", &save); w && nothing;
	     w = strtok_r(NULL, ",", &save)) {
		iv = NULL;
		n = 0;
		ret = srcview_parse(v, f ? NFPROTO_IPV6 : NFPROTO_IPV4, w,
				    &iv, &n);
		/* out of memory says nothing certain: not exact then */
		if ((ret == 0 && n) || (ret < 0 && ret != -EINVAL))
			nothing = false;
		free(iv);
	}
	free(copy);
	return nothing;
}

/* The shortest exact text of one family's set among "any", zones with
 * prefixes, and prefixes ("any except" is not in the policy language).
 * alone: the line has no sources of the other family, so a text with
 * zones must say nothing there. */
static int family_text(const struct srcview *v, int f,
		       const struct rs_interval *iv, size_t n, bool alone,
		       char **out)
{
	enum srcview_form forms[] = { SRCVIEW_ANY, SRCVIEW_UNION,
				      SRCVIEW_PREFIXES };
	char *best = NULL, *s;
	size_t k;
	int ret;

	for (k = 0; k < 3; k++) {
		struct strbuf b = STRBUF_INIT;

		ret = srcview_form(v, f ? NFPROTO_IPV6 : NFPROTO_IPV4, iv, n,
				   forms[k], &b);
		if (ret == -ENOENT) {
			strbuf_release(&b);
			continue;
		}
		s = strbuf_take(&b);
		if (ret < 0 || !s) {
			free(s);
			free(best);
			return ret < 0 ? ret : -ENOMEM;
		}
		if (alone && forms[k] != SRCVIEW_PREFIXES &&
		    !says_nothing(v, !f, s)) {
			free(s);
			continue;
		}
		if (!best || strlen(s) < strlen(best)) {
			free(best);
			best = s;
		} else {
			free(s);
		}
	}
	if (!best)
		return -EINVAL;
	*out = best;
	return 0;
}

/* The sources of e for a rule: a zone is named only where both families'
 * texts agree, since a zone name ("any", "private") covers both. */
static int entry_sources(const struct srcview *v, const struct entry *e,
			 struct strbuf *b)
{
	struct rs_interval *iv[2] = { NULL, NULL };
	size_t n[2] = { 0, 0 };
	char *t[2] = { NULL, NULL };
	bool both = e->nsrc[0] && e->nsrc[1];
	int f, ret = 0;

	for (f = 0; f < 2; f++) {
		if (!e->nsrc[f])
			continue;
		ret = entry_intervals(e, f, &iv[f], &n[f]);
		if (ret < 0)
			goto out;
		ret = family_text(v, f, iv[f], n[f], !both, &t[f]);
		if (ret < 0)
			goto out;
	}
	if (both && strcmp(t[0], t[1])) {
		for (f = 0; f < 2; f++) {
			free(t[f]);
			t[f] = NULL;
			ret = family_text(v, f, iv[f], n[f], true, &t[f]);
			if (ret < 0)
				goto out;
		}
	}
	if (both && !strcmp(t[0], t[1]))
		strbuf_add(b, t[0]);
	else if (both)
		strbuf_addf(b, "%s,%s", t[0], t[1]);
	else
		strbuf_add(b, t[e->nsrc[0] ? 0 : 1]);
out:
	free(iv[0]);
	free(iv[1]);
	free(t[0]);
	free(t[1]);
	return ret;
}

static void ports_text(struct strbuf *b, const struct entry *e)
{
	if (e->lo == e->hi)
		strbuf_addf(b, "%u", (unsigned int)e->lo);
	else
		strbuf_addf(b, "%u-%u", (unsigned int)e->lo,
			    (unsigned int)e->hi);
}

static const char *families(const struct entry *e)
{
	if (e->nsrc[0] && e->nsrc[1])
		return "IPv4 and IPv6";
	return e->nsrc[0] ? "IPv4" : "IPv6";
}

/* A container name as a clause: quoted unless it is plain, since a name
 * could hold glob characters that match other containers. */
static void pattern_text(struct strbuf *b, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
			    "VWXYZ0123456789_.-/", *p))
			break;
	if (!*p && *s) {
		strbuf_add(b, s);
		return;
	}
	strbuf_add(b, "\"");
	for (p = s; *p; p++) {
		/* fnmatch(3) and glob(3) read a backslash as an escape
		 * ("\[" is "["); inside the quotes, a backslash and a quote
		 * are escaped once more */
		if (strchr("*?[\\", *p))
			strbuf_add(b, "\\\\");
		if (*p == '"' || *p == '\\')
			strbuf_add(b, "\\");
		strbuf_addf(b, "%c", *p);
	}
	strbuf_add(b, "\"");
}

/* The interface matters when a line's exposure arrives on fewer
 * interfaces than the host's exposures do.  One interface by its name is
 * the rule's `interface` clause; several, or the engine's "*", "eth*" and
 * "!eth0", which no single name says, go in the comment. */
static bool iface_clause(const struct entry *e, size_t all)
{
	return e->nifaces == 1 && e->nifaces < all &&
	       !strpbrk(e->ifaces[0], "*!?[\\\"");
}

static void ifaces_text(struct strbuf *b, const struct entry *e,
			size_t all)
{
	size_t i;

	if (e->nifaces >= all || iface_clause(e, all))
		return;
	strbuf_add(b, ", only on ");
	for (i = 0; i < e->nifaces; i++)
		strbuf_addf(b, "%s%s", i ? "," : "", e->ifaces[i]);
}

/* One allow line.  The sources in the base's own zones (bv), when they
 * say them otherwise, go in the comment: those zones are defined only by
 * the include at the end, too late for the line itself. */
static int rule_line(struct strbuf *b, const struct srcview *v,
		     const struct srcview *bv, const struct entry *e,
		     const struct baseline_opts *o, size_t nifaces)
{
	struct strbuf sb = STRBUF_INIT, zb = STRBUF_INIT;
	char *src, *zones = NULL;
	int ret;

	ret = entry_sources(v, e, &sb);
	if (!ret && bv)
		ret = entry_sources(bv, e, &zb);
	src = strbuf_take(&sb);
	if (bv)
		zones = strbuf_take(&zb);
	if (!ret && (!src || (bv && !zones)))
		ret = -ENOMEM;
	if (ret < 0) {
		free(src);
		free(zones);
		return ret;
	}
	strbuf_addf(b, "%sallow %s ", e->kind == ENTRY_CRITICAL ? "#" : "",
		    report_proto_name(e->proto));
	ports_text(b, e);
	strbuf_addf(b, " from %s", src);
	if (e->container) {
		strbuf_add(b, " container ");
		pattern_text(b, e->container);
	} else {
		strbuf_addf(b, " path %s", e->path == ENGINE_FORWARDED ?
			    "forward" : "local");
	}
	if (iface_clause(e, nifaces))
		strbuf_addf(b, " interface %s", e->ifaces[0]);
	strbuf_addf(b, "  # %s, %s", e->who, o->date);
	if (zones && strcmp(zones, src))
		strbuf_addf(b, ", from %s", zones);
	ifaces_text(b, e, nifaces);
	strbuf_add(b, "\n");
	free(src);
	free(zones);
	return 0;
}

/* A commented list of what is not allowed: protocol, ports, sources,
 * families, who. */
static int listed_line(struct strbuf *b, const struct srcview *v,
		       const struct entry *e)
{
	size_t i;
	int ret;

	strbuf_addf(b, "#   %s ", report_proto_name(e->proto));
	ports_text(b, e);
	strbuf_add(b, " from ");
	ret = entry_sources(v, e, b);
	if (ret < 0)
		return ret;
	strbuf_addf(b, " (%s, %s", families(e),
		    e->path == ENGINE_FORWARDED ? "forwarded" : "local");
	if (e->kind == ENTRY_POSSIBLE) {
		strbuf_addf(b, ", %s): undecidable: ", e->who);
		for (i = 0; i < e->row->nunknown; i++)
			strbuf_addf(b, "%s%s", i ? "; " : "",
				    e->row->unknown[i]);
		if (!e->row->nunknown)
			strbuf_add(b, "a match fwaudit cannot decide");
	} else {
		strbuf_add(b, ")");
	}
	strbuf_add(b, "\n");
	return 0;
}

/* The messages of the base are one line each, but a comment must not be
 * ended by a stray newline in one. */
static void comment_text(struct strbuf *b, const char *s)
{
	for (; *s; s++)
		strbuf_addf(b, "%c", *s == '\n' || *s == '\r' ? ' ' : *s);
}

static int collect(const struct report_row *rows, size_t n,
		   const struct policy_result *verdicts,
		   const struct baseline_opts *o, struct entries *l)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		const struct report_row *r = &rows[i];
		const struct policy_verdict *v = &verdicts->rows[i];

		if (r->state == ENGINE_CLOSED || r->path == ENGINE_DROPPED)
			continue;
		if (r->possible) {
			ret = entries_add(l, ENTRY_POSSIBLE, r, r->port_lo,
					  r->port_hi, r->sources, r->nsources,
					  NULL, o);
		} else if (r->state == ENGINE_OPEN && !o->symbolic) {
			ret = entries_add(l, ENTRY_OPEN, r, r->port_lo,
					  r->port_hi, r->sources, r->nsources,
					  NULL, o);
		} else if (v->severity == POLICY_SEV_CRITICAL) {
			/* the whole row, as it is open today, under the
			 * rule that makes it critical: the parts the base
			 * allows need no line, and "from any" is read at a
			 * glance where "any but private" is a page of
			 * prefixes */
			ret = entries_add(l, ENTRY_CRITICAL, r, r->port_lo,
					  r->port_hi, r->sources, r->nsources,
					  &v->decisive->rule, o);
		} else {
			ret = entries_add(l, ENTRY_ALLOW, r, r->port_lo,
					  r->port_hi, r->sources, r->nsources,
					  NULL, o);
		}
		if (ret < 0)
			return ret;
	}
	/* qsort() of nothing: its array may not be NULL (UBSan) */
	if (l->n)
		qsort(l->e, l->n, sizeof(*l->e), entry_cmp);
	return 0;
}

/* The number of distinct ingress interfaces of the exposures. */
static size_t count_ifaces(const struct entries *l)
{
	const char **seen = NULL;
	size_t i, j, k, n = 0, cap = 0;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < l->e[i].nifaces; j++) {
			for (k = 0; k < n; k++)
				if (!strcmp(seen[k], l->e[i].ifaces[j]))
					break;
			if (k < n)
				continue;
			if (array_grow(&seen, &cap, n, sizeof(*seen), SIZE_MAX,
				       8) < 0) {
				/* without the count, name no interface */
				free(seen);
				return 0;
			}
			seen[n++] = l->e[i].ifaces[j];
		}
	}
	free(seen);
	return n;
}

static size_t count_kind(const struct entries *l, enum entry_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->e[i].kind == kind;
	return n;
}

int baseline_write(const struct report_row *rows, size_t n,
		   const struct policy_result *verdicts,
		   const struct baseline_opts *o, struct strbuf *out)
{
	struct entries l = { 0, 0, NULL };
	struct srcview *v = NULL, *bv = NULL;
	struct strbuf b = STRBUF_INIT;
	size_t i, nifaces;
	char *s;
	int ret;

	if (!verdicts || verdicts->nrows != n)
		return -EINVAL;
	/* the built-in zones only: a zone of the base is defined by the
	 * include at the end, too late for the lines before it */
	ret = srcview_new(NULL, &v);
	if (ret < 0)
		return ret;
	if (o->zones) {
		ret = srcview_new(o->zones, &bv);
		if (ret < 0)
			goto out;
	}
	ret = collect(rows, n, verdicts, o, &l);
	if (ret < 0)
		goto out;
	nifaces = count_ifaces(&l);

	strbuf_addf(&b,
		"# Baseline policy written by `fwaudit policy init` on %s.\n"
		"#\n"
		"# It allows what this host exposed that day, so that `fwaudit "
		"audit --rules\n"
		"# THIS-FILE` and fwauditd report what changes.  Review it: "
		"each line names\n"
		"# the listener or container behind it.  Nothing critical, "
		"possible or\n"
		"# without a listener is allowed here; the base policy, "
		"included at the end,\n"
		"# judges everything not allowed above.  See fwaudit.rules(5)."
		"\n", o->date);
	if (o->symbolic)
		strbuf_add(&b, "# Made from ruleset files: no listeners, what "
			   "the files let in is allowed.\n");

	if (o->nifaces) {
		strbuf_add(&b, "\n# The ingress interfaces this baseline was "
			   "made for\ninterface ");
		/* --interface's prefix "eth+" is the statement's "eth*" */
		for (i = 0; i < o->nifaces; i++) {
			size_t len = strlen(o->ifaces[i]);

			strbuf_addf(&b, "%s%.*s%s", i ? ", " : "",
				    (int)(len - (len && o->ifaces[i][len - 1]
						 == '+')), o->ifaces[i],
				    len && o->ifaces[i][len - 1] == '+' ?
				    "*" : "");
		}
		strbuf_add(&b, "\n");
	}

	strbuf_add(&b, "\n# Exposed today\n");
	if (!count_kind(&l, ENTRY_ALLOW))
		strbuf_add(&b, "# (nothing)\n");
	for (i = 0; i < l.n; i++) {
		if (l.e[i].kind != ENTRY_ALLOW)
			continue;
		ret = rule_line(&b, v, bv, &l.e[i], o, nifaces);
		if (ret < 0)
			goto out;
	}

	if (count_kind(&l, ENTRY_CRITICAL)) {
		strbuf_add(&b, "\n# Exposed today but critical by the base "
			   "policy: not allowed.  Close them, or\n"
			   "# allow the sources that need them and remove "
			   "the '#'.\n");
		for (i = 0; i < l.n; i++) {
			const struct policy_ref *ref = l.e[i].ref;

			if (l.e[i].kind != ENTRY_CRITICAL)
				continue;
			strbuf_addf(&b, "# CRITICAL by %s:%u",
				    ref->file ? ref->file : "the default",
				    ref->line);
			if (ref->message) {
				strbuf_add(&b, ": ");
				comment_text(&b, ref->message);
			}
			strbuf_add(&b, "\n");
			ret = rule_line(&b, v, bv, &l.e[i], o, nifaces);
			if (ret < 0)
				goto out;
		}
	}

	if (count_kind(&l, ENTRY_POSSIBLE)) {
		strbuf_add(&b, "\n# Possibly exposed: the firewall lets them "
			   "in or not by a match fwaudit\n"
			   "# cannot decide.  Never allowed here; decide "
			   "them by hand.\n");
		for (i = 0; i < l.n; i++) {
			if (l.e[i].kind != ENTRY_POSSIBLE)
				continue;
			ret = listed_line(&b, v, &l.e[i]);
			if (ret < 0)
				goto out;
		}
	}

	if (count_kind(&l, ENTRY_OPEN)) {
		strbuf_add(&b, "\n# Open, but nothing listens yet: not "
			   "allowed, since an allow would accept\n"
			   "# the next service on these ports unseen.\n");
		for (i = 0; i < l.n; i++) {
			if (l.e[i].kind != ENTRY_OPEN)
				continue;
			ret = listed_line(&b, v, &l.e[i]);
			if (ret < 0)
				goto out;
		}
	}

	strbuf_add(&b, "\n# Everything else is judged by the base policy, "
		   "as before.\ninclude ");
	pattern_text(&b, o->base);
	strbuf_add(&b, "\n");

	s = strbuf_take(&b);
	if (!s) {
		ret = -ENOMEM;
		goto out;
	}
	strbuf_add(out, s);
	free(s);
	ret = out->failed ? -ENOMEM : 0;
out:
	strbuf_release(&b);
	entries_release(&l);
	srcview_free(bv);
	srcview_free(v);
	return ret;
}
