// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * causes.c - judged rows grouped by what caused them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <linux/netfilter.h>

#include "causes.h"
#include "strbuf.h"
#include "util.h"

#define NONE	((size_t)-1)

const char *cause_kind_name(enum cause_kind k)
{
	switch (k) {
	case CAUSE_UNFILTERED:		return "unfiltered";
	case CAUSE_IPV6_UNFILTERED:	return "ipv6_unfiltered";
	case CAUSE_IPV6_OPEN:		return "ipv6_open";
	case CAUSE_PUBLISHED:		return "published";
	case CAUSE_DIRECT:		return "direct_routing";
	default:			return "exposure";
	}
}

void causes_free(struct causes *cs)
{
	size_t i;

	if (!cs)
		return;
	for (i = 0; i < cs->n; i++) {
		free(cs->c[i].title);
		free(cs->c[i].ifaces);
		free(cs->c[i].where);
		free(cs->c[i].rows);
	}
	free(cs->c);
	free(cs);
}

struct grouping {
	const struct report *rep;
	const struct policy_result *pr;
	const struct srcview *sv;
	char **key;			/* per row: its interfaces, joined */
	char **src;			/* per row: its sources for people */
	size_t *owner;			/* per row: its cause, or NONE */
	struct causes *cs;
	size_t cap;			/* of cs->c */
};

static int fam_bit(uint8_t family)
{
	return family == NFPROTO_IPV6 ? CAUSE_IPV6 : CAUSE_IPV4;
}

/* The interfaces of a key for people: "eth0", "eth0,eth1", "every
 * interface", "every interface but lo" (symbolic: "*,!lo"). */
static char *iface_words(const char *key)
{
	struct strbuf b = STRBUF_INIT;
	const char *p, *q;
	bool first = true;

	if (strncmp(key, "*", 1) || (key[1] && key[1] != ',')) {
		strbuf_add(&b, key);
		return strbuf_take(&b);
	}
	strbuf_add(&b, "every interface");
	for (p = key + 1; *p; p = q) {
		p += *p == ',';
		q = strchrnul(p, ',');
		if (*p == '!') {
			strbuf_addf(&b, "%s%.*s", first ? " but " : ", ",
				    (int)(q - p - 1), p + 1);
			first = false;
		}
	}
	return strbuf_take(&b);
}

static void capital(char *s)
{
	if (s && *s >= 'a' && *s <= 'z' && !strncmp(s, "every ", 6))
		*s = (char)(*s - 'a' + 'A');
}

/* A new cause of kind with rows[0..n) (ascending, none owned yet). */
static int cause_new(struct grouping *g, enum cause_kind kind,
		     const char *ifaces, const size_t *rows, size_t n,
		     struct cause **out)
{
	struct cause *c, *t;
	size_t i, k, cap;

	if (g->cs->n == g->cap) {
		cap = g->cap ? 2 * g->cap : 8;
		t = realloc(g->cs->c, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		g->cs->c = t;
		g->cap = cap;
	}
	c = &g->cs->c[g->cs->n];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->rows = calloc(n + 1, sizeof(*c->rows));
	c->ifaces = strdup(ifaces ? ifaces : "");
	c->where = iface_words(ifaces ? ifaces : "");
	if (!c->rows || !c->ifaces || !c->where) {
		free(c->rows);
		free(c->ifaces);
		free(c->where);
		return -ENOMEM;
	}
	for (k = 0; k < n; k++) {
		const struct policy_verdict *v;

		i = rows[k];
		g->owner[i] = g->cs->n;
		c->rows[c->nrows++] = i;
		c->families |= fam_bit(g->rep->rows[i].family);
		if (!g->pr || i >= g->pr->nrows)
			continue;
		v = &g->pr->rows[i];
		if (!v->allowed)
			c->violation = true;
		if (v->severity > c->severity)
			c->severity = v->severity;
	}
	g->cs->n++;
	*out = c;
	return 0;
}

/* A new cause of kind with the rows not owned yet for which take(row) is
 * true. */
static int cause_add(struct grouping *g, enum cause_kind kind,
		     const char *ifaces, bool (*take)(const struct grouping *,
						      size_t, const void *),
		     const void *ctx, struct cause **out)
{
	size_t i, n = 0, *rows;
	int ret;

	rows = calloc(g->rep->nrows + 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (i = 0; i < g->rep->nrows; i++)
		if (g->owner[i] == NONE && take(g, i, ctx))
			rows[n++] = i;
	ret = cause_new(g, kind, ifaces, rows, n, out);
	free(rows);
	return ret;
}

/* ---------------------------------------------------------------------
 * Published ports: DNAT sends them down the FORWARD path (or REDIRECT to
 * another local port), where INPUT rules do not apply.
 */
static bool is_published(const struct grouping *g, size_t i, const void *ctx)
{
	const struct report_row *r = &g->rep->rows[i];

	(void)ctx;
	return r->path == ENGINE_FORWARDED && r->has_backend && !r->direct;
}

/* ---------------------------------------------------------------------
 * Direct routing: container networks reached by a neighbour that routes
 * them via this host, past DNAT and the rules on published host ports.
 */
static bool is_direct(const struct grouping *g, size_t i, const void *ctx)
{
	(void)ctx;
	return g->rep->rows[i].direct;
}

static int direct(struct grouping *g)
{
	struct strbuf b = STRBUF_INIT;
	struct cause *c;
	const char *ifs = NULL;
	size_t i, n = 0;
	int ret;

	for (i = 0; i < g->rep->nrows; i++) {
		if (!is_direct(g, i, NULL))
			continue;
		n++;
		if (!ifs)
			ifs = g->key[i];
		else if (strcmp(ifs, g->key[i]))
			ifs = "";
	}
	if (!n)
		return 0;
	ret = cause_add(g, CAUSE_DIRECT, NULL, is_direct, NULL, &c);
	if (ret < 0)
		return ret;
	strbuf_addf(&b, "%zu exposure%s of container networks reachable by "
		    "direct routing from neighbours%s%s: a host on the link "
		    "that routes them via this one reaches the containers' "
		    "own addresses, past DNAT and rules on published host "
		    "ports", n, n > 1 ? "s" : "", ifs && *ifs ? " on " : "",
		    ifs && *ifs ? ifs : "");
	c->title = strbuf_take(&b);
	return c->title ? 0 : -ENOMEM;
}

/* "docker" -> "Docker" as people write it; "" (several) -> "Containers" */
static const char *runtime_title(const char *rt)
{
	static const char *const t[][2] = {
		{ "docker", "Docker" }, { "podman", "Podman" },
		{ "lxd", "LXD" }, { "incus", "Incus" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		if (!strcmp(rt, t[i][0]))
			return t[i][1];
	return "Containers";
}

static int published(struct grouping *g)
{
	struct strbuf b = STRBUF_INIT;
	const char *who = NULL, *rt;
	struct cause *c;
	size_t i, n = 0;
	int ret;

	for (i = 0; i < g->rep->nrows; i++) {
		if (!is_published(g, i, NULL))
			continue;
		n++;
		/* the runtime that publishes them, or "containers" when more
		 * than one does */
		rt = !g->rep->rows[i].container ? NULL :
		     g->rep->rows[i].runtime ? g->rep->rows[i].runtime :
		     "docker";	/* a saved audit from before runtimes */
		if (rt && !who)
			who = rt;
		else if (rt && strcmp(who, rt))
			who = "";
	}
	if (!n)
		return 0;
	ret = cause_add(g, CAUSE_PUBLISHED, NULL, is_published, NULL, &c);
	if (ret < 0)
		return ret;
	if (who)
		strbuf_addf(&b, "%s publish%s %zu port%s: DNAT sends %s "
			    "through FORWARD, where INPUT rules (ufw, "
			    "firewalld) do not apply", runtime_title(who),
			    *who ? "es" : "", n, n > 1 ? "s" : "",
			    n > 1 ? "them" : "it");
	else
		strbuf_addf(&b, "DNAT forwards %zu port%s to other hosts, "
			    "where INPUT rules do not apply", n,
			    n > 1 ? "s" : "");
	c->title = strbuf_take(&b);
	return c->title ? 0 : -ENOMEM;
}

/* ---------------------------------------------------------------------
 * Interfaces that filter nothing.
 */
struct local_sel {
	const char *key;
	uint8_t family;			/* 0: both */
	const bool *pick;		/* NULL: every local row */
};

static bool is_local_of(const struct grouping *g, size_t i, const void *ctx)
{
	const struct local_sel *s = ctx;
	const struct report_row *r = &g->rep->rows[i];

	return r->path == ENGINE_LOCAL && !strcmp(g->key[i], s->key) &&
	       (!s->family || r->family == s->family) &&
	       (!s->pick || s->pick[i]);
}

static int range_cmp(const void *a, const void *b)
{
	const unsigned int *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Do the local rows of key, family and proto cover every port [1, 65535]
 * (0 is not a port a service listens on)?  *src is the sources text they
 * share, or NULL when they do not all share one. */
static bool every_port(const struct grouping *g, const char *key,
		       uint8_t family, uint8_t proto, const char **src)
{
	unsigned int (*rg)[2], next = 1;
	size_t i, n = 0;
	bool all = true;

	*src = NULL;
	rg = calloc(g->rep->nrows + 1, sizeof(*rg));
	if (!rg)
		return false;
	for (i = 0; i < g->rep->nrows; i++) {
		const struct report_row *r = &g->rep->rows[i];

		if (g->owner[i] != NONE || r->path != ENGINE_LOCAL ||
		    r->family != family || r->proto != proto ||
		    strcmp(g->key[i], key))
			continue;
		if (*src && strcmp(*src, g->src[i]))
			all = false;
		*src = g->src[i];
		rg[n][0] = r->port_lo;
		rg[n++][1] = r->port_hi;
	}
	qsort(rg, n, sizeof(*rg), range_cmp);
	for (i = 0; i < n && next <= 65535; i++) {
		if (rg[i][0] > next)
			break;
		if (rg[i][1] + 1 > next)
			next = rg[i][1] + 1;
	}
	free(rg);
	if (!all)
		*src = NULL;
	return next > 65535 && *src;
}

static const char *who(const char *src)
{
	return !strcmp(src, "any") ? "any address" : src;
}

/* The ports IPv4 lets in on one set of interfaces: ranges per protocol,
 * sorted and merged, so that each IPv6 row is looked up, not compared
 * with every IPv4 row. */
struct v4ports {
	size_t n;
	struct { unsigned int proto, lo, hi; } *r;
};

static int v4r_cmp(const void *a, const void *b)
{
	const unsigned int *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

static int v4ports_of(const struct grouping *g, const char *key,
		      struct v4ports *v)
{
	size_t i, k = 0;

	v->n = 0;
	v->r = calloc(g->rep->nrows + 1, sizeof(*v->r));
	if (!v->r)
		return -ENOMEM;
	for (i = 0; i < g->rep->nrows; i++) {
		const struct report_row *x = &g->rep->rows[i];

		if (x->family != NFPROTO_IPV4 || x->path != ENGINE_LOCAL ||
		    strcmp(g->key[i], key))
			continue;
		v->r[v->n].proto = x->proto;
		v->r[v->n].lo = x->port_lo;
		v->r[v->n++].hi = x->port_hi;
	}
	if (v->n)
		qsort(v->r, v->n, sizeof(*v->r), v4r_cmp);
	for (i = 1; i < v->n; i++) {
		if (v->r[i].proto == v->r[k].proto &&
		    v->r[i].lo <= v->r[k].hi + 1) {
			if (v->r[i].hi > v->r[k].hi)
				v->r[k].hi = v->r[i].hi;
			continue;
		}
		v->r[++k] = v->r[i];
	}
	if (v->n)
		v->n = k + 1;
	return 0;
}

/* Does IPv6 row r reach ports that IPv4 does not let in? */
static bool v6_beyond_v4(const struct v4ports *v, const struct report_row *r)
{
	size_t lo = 0, hi = v->n, mid;

	/* the last range of r's protocol that starts at or before r */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v->r[mid].proto < r->proto ||
		    (v->r[mid].proto == r->proto && v->r[mid].lo <= r->port_lo))
			lo = mid + 1;
		else
			hi = mid;
	}
	return !lo || v->r[lo - 1].proto != r->proto ||
	       v->r[lo - 1].hi < r->port_hi;
}

static int by_interface(struct grouping *g, const char *key)
{
	const char *s4t, *s4u, *s6t, *s6u;
	bool w4, w6, all4, all6, *pick = NULL;
	struct v4ports v4;
	struct local_sel sel = { .key = key };
	struct strbuf b = STRBUF_INIT;
	bool has4 = false, has6 = false;
	struct cause *c;
	size_t i, n = 0;
	int ret;

	for (i = 0; i < g->rep->nrows; i++) {
		if (g->owner[i] != NONE || !is_local_of(g, i, &sel))
			continue;
		has4 |= g->rep->rows[i].family == NFPROTO_IPV4;
		has6 |= g->rep->rows[i].family == NFPROTO_IPV6;
	}
	w4 = every_port(g, key, NFPROTO_IPV4, IPPROTO_TCP, &s4t);
	all4 = w4 && every_port(g, key, NFPROTO_IPV4, IPPROTO_UDP, &s4u);
	w6 = every_port(g, key, NFPROTO_IPV6, IPPROTO_TCP, &s6t);
	all6 = w6 && every_port(g, key, NFPROTO_IPV6, IPPROTO_UDP, &s6u);
	if (w4 || w6) {
		sel.family = w4 && w6 ? 0 : w4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
		ret = cause_add(g, w4 || !has4 ? CAUSE_UNFILTERED :
				CAUSE_IPV6_UNFILTERED, key, is_local_of, &sel,
				&c);
		if (ret < 0)
			return ret;
		if (w4 && w6 && !strcmp(s4t, s6t))
			strbuf_addf(&b, "%s filters nothing inbound: every "
				    "%s is open from %s (IPv4 and IPv6)",
				    c->where, all4 && all6 ? "port" :
				    "TCP port", who(s4t));
		else if (w4 && w6)
			strbuf_addf(&b, "%s filters nothing inbound: every "
				    "%s is open from %s over IPv4 and from %s "
				    "over IPv6", c->where, all4 && all6 ?
				    "port" : "TCP port", who(s4t), who(s6t));
		else if (w4)
			strbuf_addf(&b, "%s filters nothing inbound: every "
				    "%s is open from %s (IPv4)",
				    c->where, all4 ? "port" :
				    "TCP port", who(s4t));
		else if (has4)
			strbuf_addf(&b, "%s filters IPv4 but nothing over "
				    "IPv6: every %s is open from %s over IPv6",
				    c->where, all6 ? "port" :
				    "TCP port", who(s6t));
		else
			strbuf_addf(&b, "%s filters nothing inbound: every "
				    "%s is open from %s (IPv6)",
				    c->where, all6 ? "port" :
				    "TCP port", who(s6t));
		c->title = strbuf_take(&b);
		capital(c->title);
		return c->title ? 0 : -ENOMEM;
	}
	if (!has6)
		return 0;
	pick = calloc(g->rep->nrows + 1, sizeof(*pick));
	if (!pick || v4ports_of(g, key, &v4) < 0) {
		free(pick);
		return -ENOMEM;
	}
	for (i = 0; i < g->rep->nrows; i++) {
		const struct report_row *r = &g->rep->rows[i];

		if (g->owner[i] != NONE || r->family != NFPROTO_IPV6 ||
		    !is_local_of(g, i, &sel) || !v6_beyond_v4(&v4, r))
			continue;
		pick[i] = true;
		n++;
	}
	free(v4.r);
	ret = 0;
	if (n) {
		sel.family = NFPROTO_IPV6;
		sel.pick = pick;
		ret = cause_add(g, CAUSE_IPV6_OPEN, key, is_local_of, &sel,
				&c);
	}
	if (n && !ret) {
		strbuf_addf(&b, "%s lets in over IPv6 what it filters over "
			    "IPv4:", c->where);
		for (i = 0; i < c->nrows && i < 4; i++) {
			const struct report_row *r = &g->rep->rows[c->rows[i]];

			strbuf_addf(&b, "%s %s/%u", i ? "," : "",
				    report_proto_name(r->proto), r->port_lo);
			if (r->port_hi != r->port_lo)
				strbuf_addf(&b, "-%u", r->port_hi);
		}
		if (c->nrows > 4)
			strbuf_addf(&b, " and %zu more", c->nrows - 4);
		c->title = strbuf_take(&b);
		capital(c->title);
		if (!c->title)
			ret = -ENOMEM;
	}
	free(pick);
	return ret;
}

/* ---------------------------------------------------------------------
 * What is left: a row each, with the row of the other family that has the
 * same ports, interfaces and sources (one rule let both in).
 */
static bool is_twin(const struct grouping *g, size_t k, size_t i)
{
	const struct report_row *a = &g->rep->rows[k], *b = &g->rep->rows[i];

	return a->family != b->family && a->proto == b->proto &&
	       a->port_lo == b->port_lo && a->port_hi == b->port_hi &&
	       a->path == ENGINE_LOCAL && b->path == ENGINE_LOCAL &&
	       !a->nsports && !b->nsports &&
	       !strcmp(g->key[k], g->key[i]) && !strcmp(g->src[k], g->src[i]);
}

/* Rows that can be twins next to each other: by protocol, ports,
 * interfaces, sources, then family and index. */
static int twin_cmp(const void *a, const void *b, void *ctx)
{
	const struct grouping *g = ctx;
	size_t i = *(const size_t *)a, k = *(const size_t *)b;
	const struct report_row *x = &g->rep->rows[i], *y = &g->rep->rows[k];
	int c;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->port_lo != y->port_lo)
		return x->port_lo < y->port_lo ? -1 : 1;
	if (x->port_hi != y->port_hi)
		return x->port_hi < y->port_hi ? -1 : 1;
	if ((c = strcmp(g->key[i], g->key[k])))
		return c;
	if ((c = strcmp(g->src[i], g->src[k])))
		return c;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return i < k ? -1 : i > k;
}

static void row_state(struct strbuf *b, const struct report_row *r)
{
	strbuf_add(b, engine_state_name(r->state));
	if (r->listener && r->listener->comm)
		strbuf_addf(b, " (%s)", r->listener->comm);
}

/* The cause of row i, alone or with its twin j (NONE: none). */
static int one_row(struct grouping *g, size_t i, size_t j)
{
	const struct report_row *r = &g->rep->rows[i], *t;
	size_t rows[2] = { i, j };
	struct strbuf b = STRBUF_INIT;
	struct cause *c;
	int ret;

	if (j != NONE && j < i) {
		rows[0] = j;
		rows[1] = i;
	}
	ret = cause_new(g, CAUSE_EXPOSURE, g->key[i], rows,
			j == NONE ? 1 : 2, &c);
	if (ret < 0)
		return ret;
	r = &g->rep->rows[rows[0]];
	i = rows[0];
	strbuf_addf(&b, "%s/%u", report_proto_name(r->proto), r->port_lo);
	if (r->port_hi != r->port_lo)
		strbuf_addf(&b, "-%u", r->port_hi);
	if (c->nrows == 1) {
		strbuf_addf(&b, " %s from %s to ", engine_state_name(r->state),
			    g->src[i]);
		report_address_text(&b, r, ",");
		if (r->listener && r->listener->comm)
			strbuf_addf(&b, " (%s)", r->listener->comm);
	} else {
		t = &g->rep->rows[c->rows[1]];
		if (t->state == r->state && t->listener == r->listener) {
			strbuf_add(&b, " ");
			row_state(&b, r);
			strbuf_addf(&b, " from %s (IPv4 and IPv6)", g->src[i]);
			goto out;
		}
		strbuf_addf(&b, " from %s: IPv4 ", g->src[i]);
		row_state(&b, r->family == NFPROTO_IPV4 ? r : t);
		strbuf_add(&b, ", IPv6 ");
		row_state(&b, r->family == NFPROTO_IPV4 ? t : r);
	}
out:
	c->title = strbuf_take(&b);
	return c->title ? 0 : -ENOMEM;
}

/* Violations first, the worst first, then by kind and first row. */
static int cause_cmp(const void *a, const void *b)
{
	const struct cause *x = a, *y = b;

	if (x->violation != y->violation)
		return x->violation ? -1 : 1;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->nrows && y->nrows && x->rows[0] != y->rows[0])
		return x->rows[0] < y->rows[0] ? -1 : 1;
	return 0;
}

int causes_build(const struct report *rep, const struct policy_result *pr,
		 const struct srcview *sv, struct causes **out)
{
	struct grouping g = { .rep = rep, .pr = pr, .sv = sv };
	struct strbuf b = STRBUF_INIT;
	size_t i, k, n = rep->nrows, nkeys = 0, nleft = 0, *left;
	const char **keys;
	int ret = -ENOMEM;

	g.cs = calloc(1, sizeof(*g.cs));
	g.key = calloc(n + 1, sizeof(*g.key));
	g.src = calloc(n + 1, sizeof(*g.src));
	g.owner = calloc(n + 1, sizeof(*g.owner));
	if (!g.cs || !g.key || !g.src || !g.owner)
		goto out;
	for (i = 0; i < n; i++) {
		const struct report_row *r = &rep->rows[i];

		g.owner[i] = NONE;
		for (k = 0; k < r->nifaces; k++)
			strbuf_addf(&b, "%s%s", k ? "," : "", r->ifaces[k]);
		g.key[i] = strbuf_take(&b);
		report_sources_text(&b, sv, r->family, r->sources,
				    r->nsources);
		if (r->nsports)
			strbuf_add(&b, " (some source ports)");
		g.src[i] = strbuf_take(&b);
		if (!g.key[i] || !g.src[i])
			goto out;
	}
	ret = published(&g);
	if (!ret)
		ret = direct(&g);
	/* each set of interfaces once, in the order of its first row: there
	 * are few of them, and rows by the thousand */
	keys = calloc(n + 1, sizeof(*keys));
	if (!keys)
		ret = -ENOMEM;
	for (i = 0; i < n && !ret; i++) {
		if (g.owner[i] != NONE)
			continue;
		for (k = 0; k < nkeys; k++)
			if (!strcmp(keys[k], g.key[i]))
				break;
		if (k == nkeys)
			keys[nkeys++] = g.key[i];
	}
	for (k = 0; k < nkeys && !ret; k++)
		ret = by_interface(&g, keys[k]);
	free(keys);
	/* what is left, a row each or with its twin */
	left = calloc(n + 1, sizeof(*left));
	if (!left && !ret)
		ret = -ENOMEM;
	for (i = 0; i < n && !ret; i++)
		if (g.owner[i] == NONE)
			left[nleft++] = i;
	if (!ret)
		qsort_r(left, nleft, sizeof(*left), twin_cmp, &g);
	for (i = 0; i < nleft && !ret; i++) {
		if (i + 1 < nleft && is_twin(&g, left[i], left[i + 1])) {
			ret = one_row(&g, left[i], left[i + 1]);
			i++;
		} else {
			ret = one_row(&g, left[i], NONE);
		}
	}
	free(left);
	/* (qsort() wants a base even for no element) */
	if (!ret && g.cs->n)
		qsort(g.cs->c, g.cs->n, sizeof(*g.cs->c), cause_cmp);
out:
	for (i = 0; g.key && i < n; i++)
		free(g.key[i]);
	for (i = 0; g.src && i < n; i++)
		free(g.src[i]);
	free(g.key);
	free(g.src);
	free(g.owner);
	if (ret < 0) {
		causes_free(g.cs);
		return ret;
	}
	*out = g.cs;
	return 0;
}
