// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fix.c - suggest the rule that closes a violation.
 *
 * The rule goes where the operator already manages that path: Docker tells
 * users to filter published ports in DOCKER-USER by the original
 * destination port (the packet there is already DNATed); ufw owns INPUT on
 * a ufw host; a native nftables ruleset gets an nft rule in the chain that
 * let the probes in.  Sources: when the part is only some of the row's
 * sources, the fix drops only those, by accepting (returning) the others
 * first when that list is shorter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <linux/netfilter.h>

#include "fix.h"
#include "util.h"
#include "host.h"
#include "region.h"
#include "strbuf.h"

const char *fix_backend_name(enum fix_backend b)
{
	switch (b) {
	case FIX_DOCKER_USER:	return "docker-user";
	case FIX_NFT_FORWARD:	return "nftables-forward";
	case FIX_UFW:		return "ufw";
	case FIX_NFT:		return "nftables";
	case FIX_FIREWALLD:	return "firewalld";
	default:		return "iptables";
	}
}

static bool has_chain(const struct ruleset *rs, uint8_t family,
		      const char *table, const char *name,
		      const struct rs_chain **out)
{
	size_t i;

	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if ((family && c->family != family) || strcmp(c->name, name) ||
		    (table && strcmp(c->table, table)))
			continue;
		if (out)
			*out = c;
		return true;
	}
	return false;
}

/* iptables-nft keeps the x_tables table names in the ip/ip6 families */
static bool is_xtables_table(const struct rs_chain *c)
{
	static const char *const names[] = {
		"filter", "nat", "mangle", "raw", "security",
	};
	size_t i;

	if (c->origin == RS_ORIGIN_LEGACY)
		return true;
	if (c->family != NFPROTO_IPV4 && c->family != NFPROTO_IPV6)
		return false;
	/* a native `table ip filter` names its chains as it likes */
	if (c->base && strcmp(c->name, "INPUT") && strcmp(c->name, "FORWARD") &&
	    strcmp(c->name, "OUTPUT") && strcmp(c->name, "PREROUTING") &&
	    strcmp(c->name, "POSTROUTING"))
		return false;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(c->table, names[i]))
			return true;
	return false;
}

/* The base chain at hook that the piece went through last, and whether a
 * Docker chain rewrote its destination. */
static const struct rs_chain *path_chain(const struct report_row *row,
					 uint32_t hook, bool *docker)
{
	const struct engine_piece *p = row->piece;
	const struct rs_chain *base = NULL;
	size_t i;

	*docker = false;
	for (i = 0; p && i < p->nsteps; i++) {
		const struct engine_step *s = &p->steps[i];

		if (!s->chain)
			continue;
		if (!strcmp(s->chain->name, "DOCKER") ||
		    !strcmp(s->chain->name, "DOCKER-INGRESS"))
			*docker = true;
		if (s->hook == hook && s->chain->base)
			base = s->chain;
	}
	return base;
}

static void ports_text(struct strbuf *b, const struct policy_part *part,
		       char sep)
{
	if (part->port_lo == part->port_hi)
		strbuf_addf(b, "%u", part->port_lo);
	else
		strbuf_addf(b, "%u%c%u", part->port_lo, sep, part->port_hi);
}

/* The source ports of a row that is reachable only from some of them (the
 * "--sport 53 -j ACCEPT" mistake): the fix must not close more. */
static void sports_text(struct strbuf *b, const struct report_row *row,
			char sep, bool set)
{
	size_t i;

	if (set && row->nsports > 1)
		strbuf_add(b, "{ ");
	for (i = 0; i < row->nsports; i++) {
		strbuf_addf(b, "%s%u", i ? (set ? ", " : ",") : "",
			    (unsigned int)row->sports[i].lo);
		if (row->sports[i].hi != row->sports[i].lo)
			strbuf_addf(b, "%c%u", sep,
				    (unsigned int)row->sports[i].hi);
	}
	if (set && row->nsports > 1)
		strbuf_add(b, " }");
}

static bool all_sources(const struct report_row *row, size_t n,
			const struct rs_interval *src)
{
	return n == 1 && src[0].lo == 0 &&
	       src[0].hi == (row->family == NFPROTO_IPV6 ? ~(rs_u128)0 :
			     (rs_u128)0xffffffffu);
}

/* The row's ingress interfaces when they are names or name prefixes
 * ("eth*"): the fix then leaves the port alone on loopback and container
 * bridges, which are not paths of strangers. */
static bool ifaces_named(const struct report_row *row)
{
	const char *s, *star;
	size_t i;

	for (i = 0; i < row->nifaces; i++) {
		s = row->ifaces[i];
		star = strchr(s, '*');
		if (!*s || *s == '!' || star == s ||
		    (star && star[1] != '\0'))
			return false;
	}
	return row->nifaces > 0;
}

static void nft_ifaces(struct strbuf *b, const struct report_row *row)
{
	size_t i;

	if (!ifaces_named(row))
		return;
	strbuf_add(b, row->nifaces > 1 ? "iifname { " : "iifname ");
	for (i = 0; i < row->nifaces; i++)
		strbuf_addf(b, "%s\"%s\"", i ? ", " : "", row->ifaces[i]);
	strbuf_add(b, row->nifaces > 1 ? " } " : " ");
}

/* iptables has one -i per rule: one interface, or at least not loopback
 * on INPUT */
static void ipt_iface(struct strbuf *b, const struct report_row *row,
		      bool input)
{
	const char *s;

	if (ifaces_named(row) && row->nifaces == 1) {
		s = row->ifaces[0];
		strbuf_addf(b, "-i %.*s%s ", (int)strcspn(s, "*"), s,
			    strchr(s, '*') ? "+" : "");
	} else if (input) {
		strbuf_add(b, "! -i lo ");
	}
}

/* An inet table sees both families: a rule that matches no address must
 * say which one it closes. */
static void nft_family(struct strbuf *b, uint8_t table_family,
		       const struct report_row *row,
		       const struct policy_part *part)
{
	if (table_family == NFPROTO_INET &&
	    all_sources(row, part->nsources, part->sources))
		strbuf_addf(b, "meta nfproto %s ",
			    row->family == NFPROTO_IPV6 ? "ipv6" : "ipv4");
}


/* The sources of the row the part does not hold: the ones to keep, as a
 * minimal list of prefixes (strings the caller frees with free_list()). */
static void free_list(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static int keep_sources(const struct report_row *row,
			const struct policy_part *part, char ***out, size_t *n)
{
	struct region_prefix *px = NULL;
	struct rs_interval *keep = NULL, iv, cut;
	size_t nkeep = 0, npx = 0, i, k, j;
	char buf[REGION_PREFIX_STRLEN], **l = NULL;
	int ret = 0;

	*out = NULL;
	*n = 0;
	keep = calloc(row->nsources + part->nsources + 1, sizeof(*keep) * 2);
	if (!keep)
		return -ENOMEM;
	for (i = 0; i < row->nsources; i++)
		keep[nkeep++] = row->sources[i];
	/* subtract each of the part's intervals: one cut out of an
	 * interval leaves at most two */
	for (k = 0; k < part->nsources; k++) {
		cut = part->sources[k];
		for (j = 0; j < nkeep; j++) {
			iv = keep[j];
			if (cut.hi < iv.lo || cut.lo > iv.hi)
				continue;
			keep[j] = keep[--nkeep];
			if (iv.lo < cut.lo)
				keep[nkeep++] = (struct rs_interval){ iv.lo,
								       cut.lo - 1 };
			if (iv.hi > cut.hi)
				keep[nkeep++] = (struct rs_interval){ cut.hi + 1,
								       iv.hi };
			j = (size_t)-1;	/* the list changed: start over */
			if (nkeep > row->nsources + part->nsources * 2)
				break;
		}
	}
	if (nkeep) {
		ret = region_prefixes(row->family, keep, nkeep, &px, &npx);
		if (ret < 0)
			goto out;
	}
	l = calloc(npx + 1, sizeof(*l));
	if (!l) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < npx; i++) {
		if (region_prefix_format(row->family, &px[i], buf,
					 sizeof(buf)) < 0 ||
		    !(l[i] = strdup(buf))) {
			free_list(l, i);
			l = NULL;
			ret = -ENOMEM;
			goto out;
		}
	}
	*out = l;
	*n = npx;
out:
	free(px);
	free(keep);
	return ret;
}

static int add_cmd(struct fix *f, struct strbuf *b)
{
	char **c;
	char *s = strbuf_take(b);

	if (!s)
		return -ENOMEM;
	c = realloc(f->cmds, (f->ncmds + 1) * sizeof(*c));
	if (!c) {
		free(s);
		return -ENOMEM;
	}
	f->cmds = c;
	f->cmds[f->ncmds++] = s;
	return 0;
}

/* iptables: -I CHAIN POS ... for each source (or none), with RETURN or
 * ACCEPT rules for sources to keep first. */
static int iptables_cmds(struct fix *f, const char *tool, const char *chain,
			 const char *proto, const char *portmatch,
			 const struct report_row *row,
			 const struct policy_part *part, const char *pass)
{
	struct strbuf b = STRBUF_INIT;
	char **keep = NULL, **ps = NULL;
	size_t nkeep = 0, nps = 0, i, pos = 1;
	int ret;

	if (all_sources(row, part->nsources, part->sources)) {
		strbuf_addf(&b, "%s -I %s 1 -p %s %s -j DROP", tool, chain,
			    proto, portmatch);
		return add_cmd(f, &b);
	}
	ret = keep_sources(row, part, &keep, &nkeep);
	if (!ret)
		ret = report_addrs_list(row->family, part->sources,
					part->nsources, &ps, &nps);
	if (ret < 0) {
		free_list(keep, nkeep);
		return ret;
	}
	if (nkeep && nkeep < nps) {
		for (i = 0; i < nkeep && !ret; i++) {
			strbuf_addf(&b, "%s -I %s %zu -p %s %s -s %s -j %s",
				    tool, chain, pos++, proto, portmatch,
				    keep[i], pass);
			ret = add_cmd(f, &b);
		}
		if (!ret) {
			strbuf_addf(&b, "%s -I %s %zu -p %s %s -j DROP", tool,
				    chain, pos, proto, portmatch);
			ret = add_cmd(f, &b);
		}
	} else {
		for (i = 0; i < nps && !ret; i++) {
			strbuf_addf(&b, "%s -I %s %zu -p %s %s -s %s -j DROP",
				    tool, chain, pos++, proto, portmatch,
				    ps[i]);
			ret = add_cmd(f, &b);
		}
	}
	free_list(keep, nkeep);
	report_addrs_list_free(ps, nps);
	return ret;
}

int fix_keep_sources(const struct report_row *row,
		     const struct policy_part *part, char ***out, size_t *n)
{
	return keep_sources(row, part, out, n);
}

static void nft_sources(struct strbuf *b, const struct report_row *row,
			const struct policy_part *part)
{
	const char *af = row->family == NFPROTO_IPV6 ? "ip6" : "ip";
	char **keep = NULL, **ps = NULL;
	size_t nkeep = 0, nps = 0, i;

	if (all_sources(row, part->nsources, part->sources))
		return;
	if (report_addrs_list(row->family, part->sources, part->nsources,
			      &ps, &nps) < 0) {
		/* (sticky: the caller's strbuf_take() says it) */
		b->failed = true;
		return;
	}
	if (keep_sources(row, part, &keep, &nkeep) == 0 && nkeep &&
	    nkeep < nps) {
		strbuf_addf(b, "%s saddr != { ", af);
		for (i = 0; i < nkeep; i++)
			strbuf_addf(b, "%s%s", i ? ", " : "", keep[i]);
	} else {
		strbuf_addf(b, "%s saddr { ", af);
		for (i = 0; i < nps; i++)
			strbuf_addf(b, "%s%s", i ? ", " : "", ps[i]);
	}
	strbuf_add(b, " } ");
	free_list(keep, nkeep);
	report_addrs_list_free(ps, nps);
}

static int add_proof(struct fix *f, struct strbuf *b)
{
	char **c;
	char *s = strbuf_take(b);

	if (!s)
		return -ENOMEM;
	c = realloc(f->proof, (f->nproof + 1) * sizeof(*c));
	if (!c) {
		free(s);
		return -ENOMEM;
	}
	f->proof = c;
	f->proof[f->nproof++] = s;
	return 0;
}

/* One ufw rule, and the rule ufw writes for it at the top of its
 * ufw-user-input (ufw6-user-input) chain: deny is DROP, allow ACCEPT. */
static int ufw_rule(struct fix *f, const struct report_row *row,
		    const struct policy_part *part, const char *proto,
		    const char *action, const char *src)
{
	struct strbuf b = STRBUF_INIT;
	bool v6 = row->family == NFPROTO_IPV6;
	bool iface = ifaces_named(row) && row->nifaces == 1 &&
		     !strchr(row->ifaces[0], '*');
	int ret;

	strbuf_addf(&b, "ufw prepend %s ", action);
	if (iface)
		strbuf_addf(&b, "in on %s ", row->ifaces[0]);
	strbuf_addf(&b, "proto %s from %s to any port ", proto, src);
	ports_text(&b, part, ':');
	ret = add_cmd(f, &b);
	if (ret < 0)
		return ret;
	strbuf_addf(&b, "%s -I %s 1 ", v6 ? "ip6tables" : "iptables",
		    v6 ? "ufw6-user-input" : "ufw-user-input");
	if (iface)
		strbuf_addf(&b, "-i %s ", row->ifaces[0]);
	strbuf_addf(&b, "-p %s -s %s --dport ", proto, src);
	ports_text(&b, part, ':');
	strbuf_addf(&b, " -j %s", strcmp(action, "deny") ? "ACCEPT" : "DROP");
	return add_proof(f, &b);
}

/*
 * ufw numbers the rules of both families in one list and refuses to
 * insert a rule among those of the other family, so the fix prepends:
 * each rule goes first among those of its family.  What is prepended
 * last comes first, so the deny goes in before the allows that keep the
 * other sources.  "from any" would be both families: the deny names
 * 0.0.0.0/0 or ::/0.
 */
static int ufw_cmds(struct fix *f, const struct report_row *row,
		    const struct policy_part *part, const char *proto)
{
	const char *all = row->family == NFPROTO_IPV6 ? "::/0" : "0.0.0.0/0";
	char **keep = NULL, **ps = NULL;
	size_t nkeep = 0, nps = 0, i;
	int ret = 0;

	if (all_sources(row, part->nsources, part->sources))
		return ufw_rule(f, row, part, proto, "deny", all);
	ret = keep_sources(row, part, &keep, &nkeep);
	if (!ret)
		ret = report_addrs_list(row->family, part->sources,
					part->nsources, &ps, &nps);
	if (ret < 0) {
		free_list(keep, nkeep);
		return ret;
	}
	if (nkeep && nkeep < nps) {
		ret = ufw_rule(f, row, part, proto, "deny", all);
		for (i = nkeep; i-- > 0 && !ret;)
			ret = ufw_rule(f, row, part, proto, "allow", keep[i]);
	} else {
		for (i = nps; i-- > 0 && !ret;)
			ret = ufw_rule(f, row, part, proto, "deny",
				       ps[i]);
	}
	free_list(keep, nkeep);
	report_addrs_list_free(ps, nps);
	return ret;
}

bool fix_row_direct(const struct report_row *row)
{
	return row->direct && (!row->piece || !row->piece->nat);
}

void fix_direct_daddr(struct strbuf *b, const struct report_row *row)
{
	strbuf_addf(b, "%s daddr { ", row->family == NFPROTO_IPV6 ? "ip6" :
		    "ip");
	report_address_text(b, row, ", ");
	strbuf_add(b, " } ");
}

const struct rs_chain *fix_accepting_chain(const struct report_row *row)
{
	const struct engine_piece *pc = row->piece;
	const struct rs_chain *c = NULL;
	size_t i;

	for (i = 0; pc && i < pc->nsteps; i++)
		if (pc->steps[i].hook == NF_INET_LOCAL_IN &&
		    pc->steps[i].chain &&
		    pc->steps[i].verdict == RS_V_ACCEPT)
			c = pc->steps[i].chain;
	return c;
}

/* firewalld (nftables backend) keeps its rules in `table inet firewalld` */
static bool firewalld_manages(const struct ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->nchains; i++)
		if (rs->chains[i].origin != RS_ORIGIN_LEGACY &&
		    rs->chains[i].family == NFPROTO_INET &&
		    !strcmp(rs->chains[i].table, "firewalld"))
			return true;
	return false;
}

/* The zone whose chain let the probes in into zone: filter_IN_ZONE (a
 * zone whose target is ACCEPT) or one of its filter_IN_ZONE_{pre,log,deny,
 * allow,post}; false when no zone's chain did (firewalld's own rules in
 * filter_INPUT, or a policy's chain). */
static bool firewalld_zone(const struct report_row *row, char *zone,
			   size_t size)
{
	static const char *const kin[] = {
		"_pre", "_log", "_deny", "_allow", "_post",
	};
	const struct rs_chain *c = fix_accepting_chain(row);
	const char *z;
	size_t n, i, k;

	if (!c || strcmp(c->table, "firewalld") ||
	    strncmp(c->name, "filter_IN_", 10) ||
	    !strncmp(c->name, "filter_IN_policy_", 17))
		return false;
	z = c->name + 10;
	n = strlen(z);
	for (i = 0; i < ARRAY_SIZE(kin); i++) {
		k = strlen(kin[i]);
		if (n > k && !strcmp(z + n - k, kin[i])) {
			n -= k;
			break;
		}
	}
	if (!n || n >= size)
		return false;
	snprintf(zone, size, "%.*s", (int)n, z);
	return true;
}

/* an interface name as RS_F_IIFNAME holds it: 16 bytes, big-endian */
static rs_u128 ifname_value(const char *name)
{
	size_t i, n = strlen(name);
	rs_u128 v = 0;

	for (i = 0; i < 16; i++)
		v = (v << 8) | (i < n ? (unsigned char)name[i] : 0);
	return v;
}

static bool elems_hold(const struct rs_match *m, rs_u128 v)
{
	size_t i;

	for (i = 0; i < m->nelems; i++)
		if (m->elems[i].lo <= v && v <= m->elems[i].hi)
			return true;
	return false;
}

/* What a dispatch rule's iifname match does for the row: false when none
 * of the row's interfaces can match; *all when every one does. */
static bool iifname_may(const struct rs_match *m, const struct report_row *row,
			bool *all)
{
	bool any = false;
	size_t i;

	*all = true;
	for (i = 0; i < row->nifaces; i++) {
		const char *n = row->ifaces[i];
		bool exact = !strchr(n, '*') && n[0] != '!' && strlen(n) < 16;

		if (!exact) {
			/* "*", "eth*", "!eth0": may or may not */
			any = true;
			*all = false;
		} else if (elems_hold(m, ifname_value(n))) {
			any = true;
		} else {
			*all = false;
		}
	}
	return any;
}

/* sources a \ b: both sorted or not; a new array, or NULL on -ENOMEM */
static struct rs_interval *ivs_minus(const struct rs_interval *a, size_t na,
				     const struct rs_match *b, size_t *n)
{
	struct rs_interval *r;
	size_t nr = 0, cap = na + 2 * b->nelems + 1, i, k;

	r = calloc(cap, sizeof(*r));
	if (!r)
		return NULL;
	memcpy(r, a, na * sizeof(*a));
	nr = na;
	for (k = 0; k < b->nelems; k++) {
		const struct rs_interval *cut = &b->elems[k];

		for (i = 0; i < nr; i++) {
			struct rs_interval iv = r[i];

			if (cut->hi < iv.lo || cut->lo > iv.hi)
				continue;
			r[i--] = r[--nr];
			if (iv.lo < cut->lo && nr < cap)
				r[nr++] = (struct rs_interval){ iv.lo, cut->lo - 1 };
			if (iv.hi > cut->hi && nr < cap)
				r[nr++] = (struct rs_interval){ cut->hi + 1, iv.hi };
		}
	}
	*n = nr;
	return r;
}

static bool ivs_meet(const struct rs_interval *a, size_t na,
		     const struct rs_match *b)
{
	size_t i, k;

	for (i = 0; i < na; i++)
		for (k = 0; k < b->nelems; k++)
			if (b->elems[k].lo <= a[i].hi && a[i].lo <= b->elems[k].hi)
				return true;
	return false;
}

#define FIREWALLD_MAX_ZONES	16

/*
 * The zones firewalld's dispatch (chain filter_INPUT_ZONES: a goto per
 * source-bound zone's address, then per interface, then the default zone)
 * can send the part's probes to, in its order, into zones[0..*nzones).
 * The representative piece of a row shows one zone; its sources may be
 * split among several (a source bound to zone trusted on the interface of
 * zone public), and each must drop them.  0, 1 when there is no dispatch
 * chain to read, -ENOMEM.
 */
static int firewalld_zones(const struct ruleset *rs,
			   const struct report_row *row,
			   const struct policy_part *part,
			   char zones[][64], size_t *nzones)
{
	const struct rs_chain *d = NULL;
	struct rs_interval *left;
	size_t nleft = 0, i, k, nz = 0;
	int ret = 0;

	if (!has_chain(rs, NFPROTO_INET, "firewalld", "filter_INPUT_ZONES", &d))
		return 1;
	left = calloc(part->nsources + 1, sizeof(*left));
	if (!left)
		return -ENOMEM;
	for (i = 0; i < part->nsources; i++)
		left[nleft++] = part->sources[i];
	for (i = 0; nleft && i < d->nrules && nz < FIREWALLD_MAX_ZONES; i++) {
		const struct rs_rule *r = &d->rules[i];
		const struct rs_match *saddr = NULL;
		const char *z;
		bool may = true, all = true, a;

		if ((r->verdict.kind != RS_V_GOTO &&
		     r->verdict.kind != RS_V_JUMP) || !r->verdict.chain ||
		    strncmp(r->verdict.chain, "filter_IN_", 10))
			continue;
		for (k = 0; may && k < r->nmatches; k++) {
			const struct rs_match *m = &r->matches[k];
			enum rs_field f = m->nfields == 1 ? m->fields[0] :
					  RS_F_OTHER;
			bool v6 = row->family == NFPROTO_IPV6;

			if (m->op != RS_OP_IN || m->set) {
				all = false;
			} else if (f == RS_F_NFPROTO) {
				may = elems_hold(m, row->family);
			} else if (f == RS_F_IIFNAME) {
				may = iifname_may(m, row, &a);
				all &= a;
			} else if (f == (v6 ? RS_F_IP6_SADDR : RS_F_IP_SADDR)) {
				may = ivs_meet(left, nleft, m);
				saddr = m;
			} else if (f == RS_F_IP_SADDR || f == RS_F_IP6_SADDR) {
				may = false;	/* the other family's */
			} else {
				all = false;
			}
		}
		if (!may)
			continue;
		z = r->verdict.chain + 10;
		for (k = 0; k < nz && strcmp(zones[k], z); k++)
			;
		if (k == nz && strlen(z) < 64)
			snprintf(zones[nz++], 64, "%s", z);
		if (!all)
			continue;
		/* these probes go nowhere after this rule */
		if (!saddr) {
			nleft = 0;
		} else {
			struct rs_interval *n = ivs_minus(left, nleft, saddr,
							  &nleft);

			if (!n) {
				ret = -ENOMEM;
				break;
			}
			free(left);
			left = n;
		}
	}
	free(left);
	if (!ret)
		*nzones = nz;
	return ret;
}

/* One firewalld rich rule (at priority prio: negative ones go to the
 * zone's _pre chain, ahead of its services and ports) and, as its proof,
 * the nft rule firewalld writes for it there. */
static int firewalld_rule(struct fix *f, const struct report_row *row,
			  const struct policy_part *part, const char *zone,
			  int prio, const char *src, const char *action)
{
	const char *proto = report_proto_name(row->proto);
	bool v6 = row->family == NFPROTO_IPV6;
	char *addr = strcmp(action, "accept") || !row->naddrs ? NULL :
		     report_address_str(row);
	/* one address or prefix: a list is no rich rule's destination */
	const char *dst = addr && !strchr(addr, ',') ? addr : NULL;
	struct strbuf b = STRBUF_INIT;
	int ret;

	strbuf_addf(&b, "firewall-cmd --zone=%s --add-rich-rule='rule "
		    "priority=\"%d\" family=\"%s\" ", zone, prio,
		    v6 ? "ipv6" : "ipv4");
	if (src)
		strbuf_addf(&b, "source address=\"%s\" ", src);
	/* an accept for the sources to keep must not widen the row to the
	 * host's other addresses (dhcpv6-client accepts fe80::/64 only) */
	if (dst)
		strbuf_addf(&b, "destination address=\"%s\" ", dst);
	strbuf_add(&b, "port port=\"");
	ports_text(&b, part, '-');
	strbuf_addf(&b, "\" protocol=\"%s\" %s'", proto, action);
	ret = add_cmd(f, &b);
	if (ret < 0) {
		free(addr);
		return ret;
	}
	strbuf_addf(&b, "nft add rule inet firewalld filter_IN_%s_pre "
		    "meta nfproto %s ", zone, v6 ? "ipv6" : "ipv4");
	if (src)
		strbuf_addf(&b, "%s saddr %s ", v6 ? "ip6" : "ip", src);
	if (dst)
		strbuf_addf(&b, "%s daddr %s ", v6 ? "ip6" : "ip", dst);
	strbuf_addf(&b, "%s dport ", proto);
	ports_text(&b, part, '-');
	strbuf_addf(&b, " %s", strcmp(action, "drop") ? "accept" : "drop");
	free(addr);
	return add_proof(f, &b);
}

/*
 * firewalld: rich rules in the zone whose chain let the probes in, at
 * negative priorities so that they run first: the sources to keep accepted
 * at -2, then the drop at -1 (or, when that list is shorter, a drop per
 * source).
 */
static int firewalld_cmds(struct fix *f, const struct report_row *row,
			  const struct policy_part *part, const char *zone)
{
	char **keep = NULL, **ps = NULL;
	size_t nkeep = 0, nps = 0, i;
	int ret;

	if (all_sources(row, part->nsources, part->sources))
		return firewalld_rule(f, row, part, zone, -1, NULL, "drop");
	ret = keep_sources(row, part, &keep, &nkeep);
	if (!ret)
		ret = report_addrs_list(row->family, part->sources,
					part->nsources, &ps, &nps);
	if (ret < 0) {
		free_list(keep, nkeep);
		return ret;
	}
	if (nkeep && nkeep < nps) {
		for (i = 0; i < nkeep && !ret; i++)
			ret = firewalld_rule(f, row, part, zone, -2, keep[i],
					     "accept");
		if (!ret)
			ret = firewalld_rule(f, row, part, zone, -1, NULL,
					     "drop");
	} else {
		for (i = 0; i < nps && !ret; i++)
			ret = firewalld_rule(f, row, part, zone, -1,
					     ps[i], "drop");
	}
	free_list(keep, nkeep);
	report_addrs_list_free(ps, nps);
	return ret;
}

/* "[iifname ...] [family] [saddr ...] [PROTO sport ...] PROTO dport P drop"
 * for a rule in a table of table_family */
static void nft_drop(struct strbuf *b, uint8_t table_family,
		     const struct report_row *row,
		     const struct policy_part *part, const char *proto)
{
	nft_ifaces(b, row);
	nft_family(b, table_family, row, part);
	nft_sources(b, row, part);
	if (row->nsports) {
		strbuf_addf(b, "%s sport ", proto);
		sports_text(b, row, '-', true);
		strbuf_add(b, " ");
	}
	strbuf_addf(b, "%s dport ", proto);
	ports_text(b, part, '-');
	strbuf_add(b, " drop");
}

/* A table of our own whose input chain runs before firewalld's (what no
 * zone let in: firewalld's own accepts in filter_INPUT run first, and a
 * rule added to its table is gone at its next reload). */
static int own_input_cmds(struct fix *f, const struct report_row *row,
			  const struct policy_part *part, const char *proto)
{
	struct strbuf b = STRBUF_INIT;
	int ret;

	strbuf_add(&b, "nft add table inet fwaudit");
	ret = add_cmd(f, &b);
	if (!ret) {
		strbuf_add(&b, "nft add chain inet fwaudit input '{ type filter "
			   "hook input priority filter - 10; policy accept; }'");
		ret = add_cmd(f, &b);
	}
	if (ret < 0)
		return ret;
	strbuf_add(&b, "nft add rule inet fwaudit input ");
	nft_drop(&b, NFPROTO_INET, row, part, proto);
	return add_cmd(f, &b);
}

/* A row of a macvlan or ipvlan container (report_row.inside): this
 * host's rules never see its packets, so a table of our own in the
 * container's namespace, entered through its process; no interface match
 * (the row names the parent link, which is not there). */
static int inside_cmds(struct fix *f, const struct report_row *row,
		       const struct policy_part *part, const char *proto)
{
	static const char *const head[] = {
		"nft add table inet fwaudit",
		"nft add chain inet fwaudit input '{ type filter hook input "
		"priority filter - 10; policy accept; }'",
		"nft add rule inet fwaudit input ",
	};
	struct strbuf b = STRBUF_INIT;
	size_t i;
	int ret = 0;
	const char *rt = row->inside_runtime ? row->inside_runtime : "docker";
	/* the PID of the container's init, as its runtime's CLI tells it:
	 * LXD's and Incus's have no inspect */
	bool lxd = !strcmp(rt, "lxd") || !strcmp(rt, "incus");

	for (i = 0; i < ARRAY_SIZE(head) && !ret; i++) {
		/* an instance of another project than "default" is known
		 * to the CLI only with --project (the same name may be in
		 * several) */
		if (lxd)
			strbuf_addf(&b, "nsenter -t \"$(%s info %s%s%s | awk "
				    "'/^PID:/ { print $2 }')\" -n %s",
				    !strcmp(rt, "lxd") ? "lxc" : "incus",
				    row->inside,
				    row->inside_project ? " --project " : "",
				    row->inside_project ? row->inside_project :
							  "", head[i]);
		else
			strbuf_addf(&b, "nsenter -t \"$(%s inspect -f "
				    "'{{.State.Pid}}' %s)\" -n %s", rt,
				    row->inside, head[i]);
		if (i == ARRAY_SIZE(head) - 1) {
			nft_family(&b, NFPROTO_INET, row, part);
			nft_sources(&b, row, part);
			strbuf_addf(&b, "%s dport ", proto);
			ports_text(&b, part, '-');
			strbuf_add(&b, " drop");
		}
		ret = add_cmd(f, &b);
	}
	return ret;
}

/* The commands that make fwaudit's own forward chain, before every other
 * filter chain (a drop in any base chain is final). */
static int nft_forward_chain(struct fix *f, struct strbuf *b)
{
	int ret;

	strbuf_add(b, "nft add table inet fwaudit");
	ret = add_cmd(f, b);
	if (!ret) {
		strbuf_add(b, "nft add chain inet fwaudit forward "
			   "'{ type filter hook forward priority -10; }'");
		ret = add_cmd(f, b);
	}
	return ret;
}

int fix_suggest(const struct ruleset *rs, const struct report_row *row,
		const struct policy_part *part, struct fix **out)
{
	const char *proto = report_proto_name(row->proto);
	const char *ipt = row->family == NFPROTO_IPV6 ? "ip6tables" : "iptables";
	const struct rs_chain *base, *user = NULL;
	struct strbuf b = STRBUF_INIT, pm = STRBUF_INIT;
	struct fix *f;
	char *portmatch = NULL;
	bool docker, legacy;
	int ret = 0;

	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	if (row->inside) {
		f->backend = FIX_NFT;
		ret = inside_cmds(f, row, part, proto);
		goto out;
	}
	if (fix_row_direct(row)) {
		/* direct routing: the neighbour's packet is addressed to
		 * the container and never DNATed, so neither DOCKER-USER's
		 * --ctorigdstport nor "ct status dnat" sees it; a forward
		 * chain of our own drops it by its destination (what Docker
		 * >= 28 does in raw PREROUTING) */
		f->backend = FIX_NFT_FORWARD;
		ret = nft_forward_chain(f, &b);
		if (ret)
			goto out;
		strbuf_add(&b, "nft add rule inet fwaudit forward ");
		nft_ifaces(&b, row);
		fix_direct_daddr(&b, row);
		nft_sources(&b, row, part);
		strbuf_addf(&b, "%s dport ", proto);
		ports_text(&b, part, '-');
		if (row->nsports) {
			strbuf_addf(&b, " %s sport ", proto);
			sports_text(&b, row, '-', true);
		}
		strbuf_add(&b, " drop");
		ret = add_cmd(f, &b);
		goto out;
	}
	if (row->path == ENGINE_FORWARDED) {
		path_chain(row, NF_INET_FORWARD, &docker);
		if (docker && has_chain(rs, row->family, "filter",
					"DOCKER-USER", &user)) {
			/* DOCKER-USER sees the packet after DNAT: match the
			 * port the client asked for, as Docker documents */
			legacy = user->origin == RS_ORIGIN_LEGACY;
			f->backend = FIX_DOCKER_USER;
			ipt_iface(&pm, row, false);
			strbuf_add(&pm, "-m conntrack --ctorigdstport ");
			ports_text(&pm, part, ':');
			if (row->nsports == 1) {
				strbuf_add(&pm, " --ctorigsrcport ");
				sports_text(&pm, row, ':', false);
			}
			strbuf_add(&pm, " --ctdir ORIGINAL");
			portmatch = strbuf_take(&pm);
			if (!portmatch) {
				ret = -ENOMEM;
				goto out;
			}
			strbuf_addf(&b, "%s%s", ipt, legacy ? "-legacy" : "");
			{
				char *tool = strbuf_take(&b);

				ret = tool ? iptables_cmds(f, tool, "DOCKER-USER",
							   proto, portmatch,
							   row, part,
							   "RETURN") : -ENOMEM;
				free(tool);
			}
			goto out;
		}
		/* any other DNAT: a forward chain of our own, before every
		 * other filter chain; a drop in any base chain is final */
		f->backend = FIX_NFT_FORWARD;
		ret = nft_forward_chain(f, &b);
		if (ret)
			goto out;
		strbuf_add(&b, "nft add rule inet fwaudit forward ");
		nft_ifaces(&b, row);
		nft_family(&b, NFPROTO_INET, row, part);
		nft_sources(&b, row, part);
		strbuf_addf(&b, "meta l4proto %s ct original proto-dst ", proto);
		ports_text(&b, part, '-');
		if (row->nsports) {
			strbuf_add(&b, " ct original proto-src ");
			sports_text(&b, row, '-', true);
		}
		strbuf_add(&b, " ct status dnat drop");
		ret = add_cmd(f, &b);
		goto out;
	}

	base = path_chain(row, NF_INET_LOCAL_IN, &docker);
	if (has_chain(rs, 0, NULL, "ufw-user-input", NULL) ||
	    has_chain(rs, 0, NULL, "ufw6-user-input", NULL)) {
		f->backend = FIX_UFW;
		ret = ufw_cmds(f, row, part, proto);
		goto out;
	}
	if (firewalld_manages(rs)) {
		char zones[FIREWALLD_MAX_ZONES + 1][64], trace[64];
		size_t nz = 0, i;

		if (firewalld_zone(row, trace, sizeof(trace))) {
			/* every zone the dispatch can send the part's sources
			 * to, and the zone of the trace */
			ret = firewalld_zones(rs, row, part, zones, &nz);
			if (ret > 0)
				nz = 0;
			for (i = 0; i < nz && strcmp(zones[i], trace); i++)
				;
			if (i == nz)
				memcpy(zones[nz++], trace, sizeof(trace));
			f->backend = FIX_FIREWALLD;
			for (i = 0, ret = ret < 0 ? ret : 0; !ret && i < nz; i++)
				ret = firewalld_cmds(f, row, part, zones[i]);
		} else {
			f->backend = FIX_NFT;
			ret = own_input_cmds(f, row, part, proto);
		}
		goto out;
	}
	if (base && !is_xtables_table(base)) {
		f->backend = FIX_NFT;
		strbuf_addf(&b, "nft insert rule %s %s %s ",
			    rs_family_name(base->family), base->table,
			    base->name);
		nft_drop(&b, base->family, row, part, proto);
		ret = add_cmd(f, &b);
		goto out;
	}
	f->backend = FIX_IPTABLES;
	legacy = base && base->origin == RS_ORIGIN_LEGACY;
	ipt_iface(&pm, row, true);
	if (row->nsports > 1) {
		strbuf_add(&pm, "-m multiport --sports ");
		sports_text(&pm, row, ':', false);
		strbuf_add(&pm, " ");
	} else if (row->nsports == 1) {
		strbuf_add(&pm, "--sport ");
		sports_text(&pm, row, ':', false);
		strbuf_add(&pm, " ");
	}
	strbuf_add(&pm, "--dport ");
	ports_text(&pm, part, ':');
	portmatch = strbuf_take(&pm);
	strbuf_addf(&b, "%s%s", ipt, legacy ? "-legacy" : "");
	{
		char *tool = strbuf_take(&b);

		ret = tool && portmatch ?
		      iptables_cmds(f, tool, "INPUT", proto, portmatch, row,
				    part, "ACCEPT") : -ENOMEM;
		free(tool);
	}
out:
	free(portmatch);
	strbuf_release(&b);
	strbuf_release(&pm);
	if (ret < 0) {
		fix_free(f);
		return ret;
	}
	*out = f;
	return 0;
}

void fix_free(struct fix *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->ncmds; i++)
		free(f->cmds[i]);
	free(f->cmds);
	for (i = 0; i < f->nproof; i++)
		free(f->proof[i]);
	free(f->proof);
	free(f);
}
