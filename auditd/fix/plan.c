// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plan.c - one plan for the whole host (`fwaudit fix`).
 *
 * Each violation's own fix comes from fix.c (the rule `fwaudit audit`
 * prints), so the hints and the plan cannot disagree; what the plan adds
 * is the host's view: on a host whose input nothing filters, closing
 * ports one by one would leave every other port open, so the local
 * violations are closed together by one default-drop inbound table that
 * accepts exactly the parts the policy allows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <linux/netfilter.h>

#include "fix.h"
#include "plan.h"
#include "region.h"
#include "util.h"

/* what a group of allowed parts shares; the ports are collected */
struct allow_group {
	char *match;		/* "ip saddr { ... } ", "" */
	const char *l4;		/* "tcp" */
	size_t nports;
	struct { uint16_t lo, hi; } *ports;
};

static const char *const martians4[] = {
	"0.0.0.0/8", "127.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4",
};
static const char *const martians6[] = {
	"::1/128", "::ffff:0.0.0.0/96", "ff00::/8",
};

const char *const *plan_martians(uint8_t family, size_t *n)
{
	if (family == NFPROTO_IPV6) {
		*n = ARRAY_SIZE(martians6);
		return martians6;
	}
	*n = ARRAY_SIZE(martians4);
	return martians4;
}

const char *plan_frontend_name(enum plan_frontend fe)
{
	switch (fe) {
	case PLAN_FE_NFT:	return "nftables";
	case PLAN_FE_IPTABLES:	return "iptables";
	case PLAN_FE_LEGACY:	return "iptables-legacy";
	case PLAN_FE_UFW:	return "ufw";
	case PLAN_FE_FIREWALLD:	return "firewalld";
	default:		return "none";
	}
}

static bool xtables_name(const char *t)
{
	return !strcmp(t, "filter") || !strcmp(t, "nat") ||
	       !strcmp(t, "mangle") || !strcmp(t, "raw") ||
	       !strcmp(t, "security");
}

/* Whether a chain of c's table (and family, and source) drops or
 * rejects anything: the chains c may jump to are among them. */
static bool table_drops(const struct ruleset *rs, const struct rs_chain *c)
{
	size_t i, k;

	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *o = &rs->chains[i];

		if (o->origin != c->origin || o->family != c->family ||
		    strcmp(o->table, c->table))
			continue;
		for (k = 0; k < o->nrules; k++)
			if (o->rules[k].verdict.kind == RS_V_DROP ||
			    o->rules[k].verdict.kind == RS_V_REJECT ||
			    o->rules[k].verdict.kind == RS_V_VMAP)
				return true;
	}
	return false;
}

/* An input chain filters when it can drop anything: a drop policy, or a
 * drop in its table.  One that only accepts (iptables-nft's empty INPUT
 * for Docker, "-A INPUT -p tcp --dport 80 -j ACCEPT" with policy ACCEPT)
 * leaves every port open: closing them one by one is not a plan. */
static bool filters(const struct ruleset *rs, const struct rs_chain *c)
{
	return c->base && c->hook == NF_INET_LOCAL_IN &&
	       c->family != NFPROTO_ARP && c->family != NFPROTO_BRIDGE &&
	       c->family != NFPROTO_NETDEV &&
	       (!c->type || !strcmp(c->type, "filter")) &&
	       (c->policy == RS_V_DROP || table_drops(rs, c));
}

enum plan_frontend plan_frontend_detect(const struct ruleset *rs)
{
	enum plan_frontend fe = PLAN_FE_NONE;
	size_t i;

	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (!strcmp(c->name, "ufw-user-input") ||
		    !strcmp(c->name, "ufw6-user-input"))
			return PLAN_FE_UFW;
	}
	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (c->origin != RS_ORIGIN_LEGACY &&
		    c->family == NFPROTO_INET && !strcmp(c->table, "firewalld"))
			return PLAN_FE_FIREWALLD;
	}
	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (!filters(rs, c))
			continue;
		if (c->origin == RS_ORIGIN_LEGACY) {
			if (fe == PLAN_FE_NONE)
				fe = PLAN_FE_LEGACY;
		} else if ((c->family == NFPROTO_IPV4 ||
			    c->family == NFPROTO_IPV6) &&
			   xtables_name(c->table) &&
			   c->name[0] >= 'A' && c->name[0] <= 'Z') {
			/* iptables-nft: x_tables' names (INPUT); a native
			 * `table ip filter` has its own (input) */
			if (fe == PLAN_FE_NONE || fe == PLAN_FE_LEGACY)
				fe = PLAN_FE_IPTABLES;
		} else {
			/* a native table is where an operator who writes
			 * nftables wants the fix */
			return PLAN_FE_NFT;
		}
	}
	return fe;
}

static bool has_docker(const struct ruleset *rs)
{
	size_t i;

	/* Docker 29's nftables backend: its own tables */
	for (i = 0; i < rs->nchains; i++)
		if (!strcmp(rs->chains[i].name, "DOCKER-USER") ||
		    !strcmp(rs->chains[i].name, "DOCKER") ||
		    !strcmp(rs->chains[i].table, "docker-bridges"))
			return true;
	return false;
}

static int list_add(char ***l, size_t *n, char *s)
{
	char **t;

	if (!s)
		return -ENOMEM;
	t = realloc(*l, (*n + 1) * sizeof(*t));
	if (!t) {
		free(s);
		return -ENOMEM;
	}
	*l = t;
	t[(*n)++] = s;
	return 0;
}

static void list_free(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static char **list_dup(char *const *l, size_t n)
{
	char **d = calloc(n + 1, sizeof(*d));
	size_t i;

	if (!d)
		return NULL;
	for (i = 0; i < n; i++) {
		d[i] = strdup(l[i]);
		if (!d[i]) {
			list_free(d, i);
			return NULL;
		}
	}
	return d;
}

static bool any_source(uint8_t family, size_t n,
		       const struct rs_interval *src)
{
	return n == 1 && src[0].lo == 0 &&
	       src[0].hi == (family == NFPROTO_IPV6 ? ~(rs_u128)0 :
			     (rs_u128)0xffffffffu);
}

/* Whether prefix s lies inside one of the martian prefixes. */
static bool is_martian(uint8_t family, const char *s)
{
	struct rs_interval iv, m;
	const char *const *l;
	size_t n, i;

	if (region_prefix_parse(family, s, &iv) < 0)
		return false;
	l = plan_martians(family, &n);
	for (i = 0; i < n; i++)
		if (region_prefix_parse(family, l[i], &m) == 0 &&
		    m.lo <= iv.lo && iv.hi <= m.hi)
			return true;
	return false;
}

static const char *family_word(uint8_t family)
{
	return family == NFPROTO_IPV6 ? "ipv6" : "ipv4";
}

static void ports_add(struct strbuf *b, uint16_t lo, uint16_t hi)
{
	if (lo == hi)
		strbuf_addf(b, "%u", lo);
	else
		strbuf_addf(b, "%u-%u", lo, hi);
}

static void sports_add(struct strbuf *b, const struct report_row *row)
{
	size_t i;

	strbuf_add(b, row->nsports > 1 ? "{ " : "");
	for (i = 0; i < row->nsports; i++) {
		strbuf_add(b, i ? ", " : "");
		ports_add(b, (uint16_t)row->sports[i].lo,
			  (uint16_t)row->sports[i].hi);
	}
	strbuf_add(b, row->nsports > 1 ? " }" : "");
}

/* "ipv4 tcp/6379 from any except private,loopback (critical: Redis ...)" */
static char *violation_text(const struct audit_result *r,
			    const struct report_row *row,
			    const struct policy_violation *v)
{
	struct strbuf b = STRBUF_INIT;
	char buf[INET6_ADDRSTRLEN];
	const char *be = report_backend_str(row, buf, sizeof(buf));

	strbuf_addf(&b, "%s %s/", family_word(row->family),
		    report_proto_name(row->proto));
	ports_add(&b, v->part->port_lo, v->part->port_hi);
	if (row->direct && !row->has_backend) {
		strbuf_add(&b, " forwarded to ");
		report_address_text(&b, row, ",");
		strbuf_add(&b, " by direct routing");
	} else if (row->path == ENGINE_FORWARDED) {
		strbuf_add(&b, row->direct ? " forwarded by direct routing" :
			   " forwarded");
		if (be)
			strbuf_addf(&b, " to %s", be);
		if (row->container)
			strbuf_addf(&b, " (%s)", row->container);
	}
	strbuf_add(&b, " from ");
	report_sources_text(&b, r->zones, row->family, v->part->sources,
			    v->part->nsources);
	strbuf_addf(&b, " (%s", policy_severity_name(v->severity));
	if (v->rule.message)
		strbuf_addf(&b, ": %s", v->rule.message);
	strbuf_add(&b, ")");
	return strbuf_take(&b);
}

/* The part as nft statements of the plan's own table: "... drop". */
static char *violation_nft(const struct report_row *row,
			   const struct policy_part *part)
{
	const char *af = row->family == NFPROTO_IPV6 ? "ip6" : "ip";
	const char *proto = report_proto_name(row->proto);
	struct strbuf b = STRBUF_INIT;
	char **keep = NULL, **ps = NULL;
	size_t i, nkeep = 0, nps = 0;

	/* the port stays open to the host's own clients over loopback */
	strbuf_add(&b, "iifname != \"lo\" ");
	if (any_source(row->family, part->nsources, part->sources)) {
		strbuf_addf(&b, "meta nfproto %s ", family_word(row->family));
	} else if (report_addrs_list(row->family, part->sources,
				     part->nsources, &ps, &nps) < 0) {
		b.failed = true;
	} else if (fix_keep_sources(row, part, &keep, &nkeep) == 0 && nkeep &&
		   nkeep < nps) {
		/* the shorter list: the sources to keep */
		strbuf_addf(&b, "%s saddr != { ", af);
		for (i = 0; i < nkeep; i++)
			strbuf_addf(&b, "%s%s", i ? ", " : "", keep[i]);
		strbuf_add(&b, " } ");
	} else {
		strbuf_addf(&b, "%s saddr { ", af);
		for (i = 0; i < nps; i++)
			strbuf_addf(&b, "%s%s", i ? ", " : "", ps[i]);
		strbuf_add(&b, " } ");
	}
	list_free(keep, nkeep);
	report_addrs_list_free(ps, nps);
	if (row->path == ENGINE_FORWARDED && !fix_row_direct(row)) {
		strbuf_addf(&b, "meta l4proto %s ct original proto-dst ",
			    proto);
		ports_add(&b, part->port_lo, part->port_hi);
		if (row->nsports) {
			strbuf_add(&b, " ct original proto-src ");
			sports_add(&b, row);
		}
		strbuf_add(&b, " ct status dnat drop");
	} else {
		/* direct routing (no DNAT): by the container's address */
		if (fix_row_direct(row))
			fix_direct_daddr(&b, row);
		if (row->nsports) {
			strbuf_addf(&b, "%s sport ", proto);
			sports_add(&b, row);
			strbuf_add(&b, " ");
		}
		strbuf_addf(&b, "%s dport ", proto);
		ports_add(&b, part->port_lo, part->port_hi);
		strbuf_add(&b, " drop");
	}
	return strbuf_take(&b);
}

static int step_new(struct plan *p, struct plan_step **out)
{
	struct plan_step *s;

	s = realloc(p->steps, (p->nsteps + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	p->steps = s;
	s = &p->steps[p->nsteps++];
	memset(s, 0, sizeof(*s));
	*out = s;
	return 0;
}

/* The match of an allowed part (without its destination ports) into b:
 * what the accept rule of the default-drop table needs besides them.
 * Returns false when every source of the part is martian. */
static bool allow_match(const struct report_row *row,
			const struct policy_part *part, struct strbuf *b)
{
	const char *af = row->family == NFPROTO_IPV6 ? "ip6" : "ip";
	size_t i, n = 0, nps = 0;
	char **ps = NULL;

	if (any_source(row->family, part->nsources, part->sources)) {
		strbuf_addf(b, "meta nfproto %s ", family_word(row->family));
	} else {
		if (report_addrs_list(row->family, part->sources,
				      part->nsources, &ps, &nps) < 0)
			b->failed = true;
		for (i = 0; i < nps; i++) {
			if (is_martian(row->family, ps[i]))
				continue;
			strbuf_addf(b, "%s%s", n++ ? ", " : "", ps[i]);
		}
		report_addrs_list_free(ps, nps);
		if (!n)
			return false;
		/* wrap what was written in "ip saddr { ... }" */
		{
			struct strbuf w = STRBUF_INIT;
			char *l = strbuf_take(b);

			strbuf_addf(&w, "%s saddr { %s } ", af, l ? l : "");
			free(l);
			*b = w;
		}
	}
	if (row->naddrs) {
		/* the row's addresses, a set when more than one prefix */
		struct strbuf t = STRBUF_INIT;
		char *a;
		bool set;

		report_address_text(&t, row, ", ");
		a = strbuf_take(&t);
		set = a && strchr(a, ',');
		strbuf_addf(b, "%s daddr %s%s%s", af, set ? "{ " : "",
			    a ? a : "", set ? " } " : " ");
		free(a);
	}
	if (row->nsports) {
		strbuf_addf(b, "%s sport ", report_proto_name(row->proto));
		sports_add(b, row);
		strbuf_add(b, " ");
	}
	return true;
}

static int group_add(struct allow_group **g, size_t *ng, char *match,
		     const char *l4, uint16_t lo, uint16_t hi)
{
	struct allow_group *x = NULL, *t;
	size_t i;
	void *pp;

	for (i = 0; i < *ng; i++)
		if (!strcmp((*g)[i].match, match) && !strcmp((*g)[i].l4, l4))
			x = &(*g)[i];
	if (x) {
		free(match);
	} else {
		t = realloc(*g, (*ng + 1) * sizeof(*t));
		if (!t) {
			free(match);
			return -ENOMEM;
		}
		*g = t;
		x = &t[(*ng)++];
		memset(x, 0, sizeof(*x));
		x->match = match;
		x->l4 = l4;
	}
	pp = realloc(x->ports, (x->nports + 1) * sizeof(*x->ports));
	if (!pp)
		return -ENOMEM;
	x->ports = pp;
	x->ports[x->nports].lo = lo;
	x->ports[x->nports].hi = hi;
	x->nports++;
	return 0;
}

static int port_cmp(const void *a, const void *b)
{
	const uint16_t *x = a, *y = b;

	return (int)x[0] - (int)y[0];
}

/* The default-drop inbound table: the text of `table inet fwaudit`'s
 * input chain body into b. */
#define DEFAULT_DROP_HEAD \
	"\t\ttype filter hook input priority filter; policy drop;\n"

/* Whether some chain filters the input of family (NFPROTO_IPV4 or _IPV6):
 * an inet chain filters both. */
static bool family_filtered(const struct ruleset *rs, uint8_t family)
{
	size_t i;

	for (i = 0; i < rs->nchains; i++)
		if ((rs->chains[i].family == family ||
		     rs->chains[i].family == NFPROTO_INET) &&
		    filters(rs, &rs->chains[i]))
			return true;
	return false;
}

/* The rules of the default-drop input chain after its head, for the
 * families whose input nothing filters (open[0] IPv4, open[1] IPv6); the
 * other family is left to the firewall that filters it. */
static int default_drop_body(const struct audit_result *r, const bool *open,
			     struct strbuf *b)
{
	const struct report *rep = r->report;
	const struct host *h = r->snap.host;
	struct allow_group *g = NULL;
	size_t ng = 0, i, k, n, nbr = 0;
	const char *const *m;
	int ret = 0;

	if (!open[0] || !open[1])
		strbuf_addf(b, "\t\t# %s: the host's firewall filters it\n"
			    "\t\tmeta nfproto %s accept\n",
			    open[0] ? "IPv6" : "IPv4",
			    open[0] ? "ipv6" : "ipv4");
	strbuf_add(b,
		"\t\tiif \"lo\" accept\n"
		"\t\tct state established,related accept\n"
		"\t\tct state invalid drop\n"
		"\t\t# nothing martian: the kernel's own checks aside, no "
		"rule below may accept them\n");
	for (k = 0; k < 2; k++) {
		m = plan_martians(k ? NFPROTO_IPV6 : NFPROTO_IPV4, &n);
		strbuf_addf(b, "\t\t%s saddr { ", k ? "ip6" : "ip");
		for (i = 0; i < n; i++)
			strbuf_addf(b, "%s%s", i ? ", " : "", m[i]);
		strbuf_add(b, " } drop\n");
	}
	strbuf_add(b,
		"\t\t# ICMP errors and echo; what IPv6 needs (RFC 4890): "
		"neighbour discovery, router advertisements, MLD\n"
		"\t\tmeta l4proto icmp icmp type { echo-request, "
		"destination-unreachable, time-exceeded, parameter-problem } "
		"accept\n"
		"\t\tmeta l4proto ipv6-icmp icmpv6 type { "
		"destination-unreachable, packet-too-big, time-exceeded, "
		"parameter-problem, echo-request, nd-router-advert, "
		"nd-neighbor-solicit, nd-neighbor-advert, mld-listener-query, "
		"mld-listener-report, mld2-listener-report } accept\n");
	/* container and VM bridges are not paths of strangers (the ingress
	 * rule of host.h); their traffic to the host keeps its fate */
	for (i = 0; h && i < h->nlinks; i++) {
		const struct host_link *l = &h->links[i];

		if (l->loopback || strcmp(l->kind, "bridge") ||
		    host_link_is_ingress(h, l))
			continue;
		if (!nbr++)
			strbuf_add(b, "\t\t# bridges, not ingress interfaces\n"
				   "\t\tiifname { ");
		else
			strbuf_add(b, ", ");
		strbuf_addf(b, "\"%s\"", l->name);
	}
	if (nbr)
		strbuf_add(b, " } accept\n");
	for (i = 0; i < rep->nrows && i < r->verdicts->nrows; i++) {
		const struct report_row *row = &rep->rows[i];
		const struct policy_verdict *v = &r->verdicts->rows[i];

		if (row->path != ENGINE_LOCAL ||
		    !open[row->family == NFPROTO_IPV6])
			continue;
		for (k = 0; k < v->nparts; k++) {
			struct strbuf mb = STRBUF_INIT;

			if (!v->parts[k].allowed)
				continue;
			if (!allow_match(row, &v->parts[k], &mb)) {
				strbuf_release(&mb);
				continue;
			}
			ret = group_add(&g, &ng, strbuf_take(&mb),
					report_proto_name(row->proto),
					v->parts[k].port_lo,
					v->parts[k].port_hi);
			if (ret < 0)
				goto out;
		}
	}
	if (ng)
		strbuf_add(b, "\t\t# what the policy allows\n");
	for (i = 0; i < ng; i++) {
		struct allow_group *x = &g[i];
		size_t j, w = 0;

		qsort(x->ports, x->nports, sizeof(*x->ports), port_cmp);
		/* merge touching ranges: rows split ports by listener */
		for (j = 1; j < x->nports; j++) {
			if ((uint32_t)x->ports[j].lo <= (uint32_t)x->ports[w].hi + 1) {
				if (x->ports[j].hi > x->ports[w].hi)
					x->ports[w].hi = x->ports[j].hi;
			} else {
				x->ports[++w] = x->ports[j];
			}
		}
		x->nports = w + 1;
		if (x->nports == 1 && x->ports[0].lo == 0 &&
		    x->ports[0].hi == 65535) {
			/* every port: the protocol says it */
			strbuf_addf(b, "\t\t%smeta l4proto %s accept\n",
				    x->match, x->l4);
			continue;
		}
		strbuf_addf(b, "\t\t%s%s dport ", x->match, x->l4);
		if (x->nports > 1)
			strbuf_add(b, "{ ");
		for (j = 0; j < x->nports; j++) {
			strbuf_add(b, j ? ", " : "");
			ports_add(b, x->ports[j].lo, x->ports[j].hi);
		}
		strbuf_add(b, x->nports > 1 ? " } accept\n" : " accept\n");
	}
out:
	for (i = 0; i < ng; i++) {
		free(g[i].match);
		free(g[i].ports);
	}
	free(g);
	return b->failed ? -ENOMEM : ret;
}

static int add_default_drop(const struct audit_result *r, struct plan *p,
			    const bool *open)
{
	struct strbuf body = STRBUF_INIT, b = STRBUF_INIT;
	struct plan_step *s;
	char *text;
	int ret;

	ret = default_drop_body(r, open, &body);
	if (ret < 0) {
		strbuf_release(&body);
		return ret;
	}
	text = strbuf_take(&body);
	if (!text)
		return -ENOMEM;
	ret = step_new(p, &s);
	if (ret < 0) {
		free(text);
		return ret;
	}
	s->nft = text;
	s->nft_chain = "input";
	strbuf_addf(&b, "nothing filters the %sinput: drop by default, "
		    "accept what the policy allows, loopback, established "
		    "traffic and the ICMP/ICMPv6 that IPv6 needs",
		    open[0] && open[1] ? "" : open[0] ? "IPv4 " : "IPv6 ");
	s->what = strbuf_take(&b);
	/* one transaction: no moment with the drop policy and no accepts
	 * (an SSH session applying it survives) */
	strbuf_addf(&b, "nft -f - <<'EOF'\ntable inet fwaudit {\n"
		    "\tchain input {\n" DEFAULT_DROP_HEAD "%s\t}\n}\nEOF",
		    text);
	ret = list_add(&s->cmds, &s->ncmds, strbuf_take(&b));
	if (ret < 0)
		return ret;
	return s->what ? 0 : -ENOMEM;
}

/* ufw's commands only reach its user chains: what before.rules accepts
 * (DHCP client replies, mDNS...) runs first and no `ufw deny` closes it. */
static bool ufw_can_close(const struct report_row *row)
{
	const struct rs_chain *c = fix_accepting_chain(row);

	return !c || !strncmp(c->name, "ufw-user-", 9) ||
	       !strncmp(c->name, "ufw6-user-", 10);
}

/* A step in the plan's own table, for what the front-end's commands
 * cannot close: nft commands that make the table and chain if need be
 * (adding them again changes nothing) and add the drop. */
static int add_own_table(const struct audit_result *r, struct plan *p,
			 const struct policy_violation *v, const char *why)
{
	const struct report_row *row = &r->report->rows[v->row];
	const char *chain = row->path == ENGINE_FORWARDED ? "forward" : "input";
	struct strbuf b = STRBUF_INIT;
	struct plan_step *s;
	char *what;
	int ret;

	ret = step_new(p, &s);
	if (ret < 0)
		return ret;
	what = violation_text(r, row, v);
	strbuf_addf(&b, "%s\n# %s", what ? what : "", why);
	free(what);
	s->what = strbuf_take(&b);
	s->nft = violation_nft(row, v->part);
	s->nft_chain = chain;
	ret = list_add(&s->cmds, &s->ncmds, strdup("nft add table inet fwaudit"));
	if (!ret) {
		strbuf_addf(&b, "nft add chain inet fwaudit %s '{ type filter "
			    "hook %s priority filter - 10; policy accept; }'",
			    chain, chain);
		ret = list_add(&s->cmds, &s->ncmds, strbuf_take(&b));
	}
	if (!ret && s->nft) {
		strbuf_addf(&b, "nft add rule inet fwaudit %s %s", chain,
			    s->nft);
		ret = list_add(&s->cmds, &s->ncmds, strbuf_take(&b));
	}
	if (!ret && (!s->what || !s->nft))
		ret = -ENOMEM;
	return ret;
}

static int add_fix(const struct audit_result *r, struct plan *p,
		   const struct policy_violation *v)
{
	const struct report_row *row = &r->report->rows[v->row];
	struct plan_step *s;
	struct fix *f = NULL;
	int ret;

	if (p->fe == PLAN_FE_UFW && row->path == ENGINE_LOCAL &&
	    !ufw_can_close(row))
		return add_own_table(r, p, v, "ufw's before rules accept it "
				     "ahead of every ufw command: a table of "
				     "our own drops it first");
	ret = fix_suggest(r->snap.rs, row, v->part, &f);
	if (ret < 0)
		return ret;
	/* firewalld: fix.c's rich rules in the zone that let the probes in,
	 * proven by the nft rules firewalld writes for them */
	if (p->fe == PLAN_FE_FIREWALLD && row->path == ENGINE_LOCAL &&
	    f->backend != FIX_FIREWALLD) {
		fix_free(f);
		return add_own_table(r, p, v, "no firewalld zone let it in "
				     "(firewalld's own rules did): a table of "
				     "our own drops it first");
	}
	ret = step_new(p, &s);
	if (ret < 0)
		goto out;
	s->what = violation_text(r, row, v);
	s->nft = violation_nft(row, v->part);
	s->nft_chain = row->path == ENGINE_FORWARDED ? "forward" : "input";
	s->cmds = list_dup(f->cmds, f->ncmds);
	s->ncmds = s->cmds ? f->ncmds : 0;
	if (f->nproof) {
		s->proof = list_dup(f->proof, f->nproof);
		s->nproof = s->proof ? f->nproof : 0;
	}
	if (!s->what || !s->nft || !s->cmds || (f->nproof && !s->proof))
		ret = -ENOMEM;
out:
	fix_free(f);
	return ret;
}

static int index_add(size_t **l, size_t *n, size_t v)
{
	size_t *x = realloc(*l, (*n + 1) * sizeof(*x));

	if (!x)
		return -ENOMEM;
	*l = x;
	x[(*n)++] = v;
	return 0;
}

int plan_build(const struct audit_result *r, struct plan **out)
{
	const struct policy_result *pr = r->verdicts;
	struct plan *p;
	bool local = false, open[2];
	size_t i, before, nlocal = 0, *locals = NULL, nu = 0;
	int ret = 0;

	if (!pr || !r->report)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->fe = plan_frontend_detect(r->snap.rs);
	p->docker = has_docker(r->snap.rs);
	/* a family nothing filters (the IPv6 an IPv4-only firewall leaves
	 * open) gets the default-drop table, whatever the front-end */
	open[0] = !family_filtered(r->snap.rs, NFPROTO_IPV4);
	open[1] = !family_filtered(r->snap.rs, NFPROTO_IPV6);
	for (i = 0; i < pr->nviolations && !ret; i++) {
		const struct policy_violation *v = &pr->violations[i];
		struct strbuf b = STRBUF_INIT;

		if (v->kind == POLICY_V_MISSING) {
			strbuf_addf(&b, "a required exposure is missing "
				    "(%s:%u%s%s): a plan that closes ports "
				    "cannot open one", v->rule.file ?
				    v->rule.file : "default", v->rule.line,
				    v->rule.message ? ": " : "",
				    v->rule.message ? v->rule.message : "");
			ret = list_add(&p->unfixed, &p->nunfixed,
				       strbuf_take(&b));
			if (!ret)
				ret = index_add(&p->unfixed_viol, &nu, i);
			continue;
		}
		if (r->report->rows[v->row].inside) {
			/* not this host's rules: its own namespace's */
			strbuf_addf(&b, "container %s (%s): its own namespace "
				    "takes these packets past this host's "
				    "firewall: close it there (fwaudit audit "
				    "names the commands)",
				    r->report->rows[v->row].inside,
				    r->report->rows[v->row].inside_link);
			ret = list_add(&p->unfixed, &p->nunfixed,
				       strbuf_take(&b));
			if (!ret)
				ret = index_add(&p->unfixed_viol, &nu, i);
			continue;
		}
		if (r->report->rows[v->row].path == ENGINE_LOCAL &&
		    open[r->report->rows[v->row].family == NFPROTO_IPV6]) {
			local = true;
			ret = index_add(&locals, &nlocal, i);
			continue;
		}
		before = p->nsteps;
		ret = add_fix(r, p, v);
		if (!ret && p->nsteps > before)
			ret = index_add(&p->steps[p->nsteps - 1].closed,
					&p->steps[p->nsteps - 1].nclosed, i);
	}
	if (!ret && local) {
		p->default_drop = true;
		ret = add_default_drop(r, p, open);
		if (!ret) {
			p->steps[p->nsteps - 1].closed = locals;
			p->steps[p->nsteps - 1].nclosed = nlocal;
			locals = NULL;
		}
		/* the table goes first: it is the frame of the others */
		if (!ret && p->nsteps > 1) {
			struct plan_step t = p->steps[p->nsteps - 1];

			memmove(&p->steps[1], &p->steps[0],
				(p->nsteps - 1) * sizeof(t));
			p->steps[0] = t;
		}
	}
	free(locals);
	if (ret < 0) {
		plan_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

bool plan_empty(const struct plan *p)
{
	return !p->nsteps;
}

void plan_free(struct plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nsteps; i++) {
		free(p->steps[i].what);
		list_free(p->steps[i].cmds, p->steps[i].ncmds);
		list_free(p->steps[i].proof, p->steps[i].nproof);
		free(p->steps[i].nft);
		free(p->steps[i].closed);
	}
	free(p->steps);
	list_free(p->unfixed, p->nunfixed);
	free(p->unfixed_viol);
	free(p);
}

void plan_sh(const struct plan *p, struct strbuf *b)
{
	size_t i, k;

	bool equiv = false;

	for (i = 0; i < p->nsteps; i++)
		equiv |= p->steps[i].nproof > 0;
	strbuf_addf(b, "#!/bin/sh\n# fwaudit fix: the plan for this host "
		    "(front-end: %s%s)\n# proven on a copy of the ruleset in "
		    "a private namespace%s\nset -e\n",
		    plan_frontend_name(p->fe), p->docker ? ", Docker" : "",
		    equiv ? " (with the iptables/nft rules that the ufw and "
		    "firewall-cmd commands write:\n# those need their "
		    "daemon and configuration and run only on the host)" : "");
	for (i = 0; i < p->nsteps; i++) {
		strbuf_addf(b, "\n# %s\n", p->steps[i].what);
		for (k = 0; k < p->steps[i].ncmds; k++)
			strbuf_addf(b, "%s\n", p->steps[i].cmds[k]);
	}
	for (i = 0; i < p->nunfixed; i++)
		strbuf_addf(b, "\n# NOT FIXED: %s\n", p->unfixed[i]);
}

void plan_nft(const struct plan *p, struct strbuf *b)
{
	static const char *const chains[] = { "input", "forward" };
	size_t i, c;
	bool head, dd;

	strbuf_addf(b, "#!/usr/sbin/nft -f\n# fwaudit fix: the plan for this "
		    "host as a table of its own (front-end: %s%s); a drop in "
		    "any base chain is final\n", plan_frontend_name(p->fe),
		    p->docker ? ", Docker" : "");
	for (i = 0; i < p->nunfixed; i++)
		strbuf_addf(b, "# NOT FIXED: %s\n", p->unfixed[i]);
	if (!p->nsteps)
		return;
	strbuf_add(b, "table inet fwaudit {\n");
	for (c = 0; c < 2; c++) {
		/* the default-drop table is steps[0]: its head, the other
		 * steps' drops, then its accepts */
		dd = !c && p->default_drop;
		head = false;
		for (i = dd ? 1 : 0; i < p->nsteps; i++) {
			const struct plan_step *s = &p->steps[i];

			if (!s->nft || strcmp(s->nft_chain, chains[c]))
				continue;
			if (!head) {
				strbuf_addf(b, "%s\tchain %s {\n", c ? "\n" : "",
					    chains[c]);
				/* before every other filter chain */
				if (dd)
					strbuf_add(b, DEFAULT_DROP_HEAD);
				else
					strbuf_addf(b, "\t\ttype filter hook %s "
						    "priority filter - 10; "
						    "policy accept;\n",
						    chains[c]);
				head = true;
			}
			strbuf_addf(b, "\t\t# %s\n\t\t%s\n", s->what, s->nft);
		}
		if (dd) {
			if (!head)
				strbuf_add(b, "\tchain input {\n"
					   DEFAULT_DROP_HEAD);
			strbuf_addf(b, "%s", p->steps[0].nft);
			head = true;
		}
		if (head)
			strbuf_add(b, "\t}\n");
	}
	strbuf_add(b, "}\n");
}
