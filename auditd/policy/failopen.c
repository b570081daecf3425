// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * failopen.c - fail-open states of a ruleset (see failopen.h).
 *
 * Tables are told apart by (origin, family, table name): iptables-nft and
 * iptables-legacy may both hold a "filter" table, and each has its own
 * Docker chains.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>

#include "failopen.h"
#include "ipaddr.h"
#include "strbuf.h"
#include "util.h"

/* DNAT happens at this priority; a drop in a chain before it sees the
 * address the packet was sent to (NF_IP_PRI_NAT_DST) */
#define PRI_NAT_DST	(-100)

/* the bound of findings of one kind: a host with thousands of published
 * containers gets the first ones and a count in the last message */
#define MAX_PER_KIND	64

/* rs_chain_key_hash() of the chains and tables the checks look for among
 * every chain (computed once per inspection) */
struct names {
	uint32_t nat_docker, filter_user, dbr_dnat;
	uint32_t lxd, incus;
};

struct builder {
	struct failopen_result *res;
	struct names h;
	size_t cap;
	size_t per_kind[FAILOPEN__KIND_COUNT];
	size_t dropped[FAILOPEN__KIND_COUNT];
};

const char *failopen_kind_name(enum failopen_kind k)
{
	switch (k) {
	case FAILOPEN_FORWARD_NO_DOCKER_USER:
		return "forward-no-docker-user";
	case FAILOPEN_DOCKER_USER_LATE:
		return "docker-user-late";
	case FAILOPEN_DOCKER_DIRECT_ACCESS:
		return "docker-direct-access-open";
	case FAILOPEN_DOCKER_USER_IPV4_ONLY:
		return "docker-user-ipv4-only";
	case FAILOPEN_XTABLES_AND_NFTABLES:
		return "xtables-and-nftables";
	case FAILOPEN_CONTAINER_FORWARD_OPEN:
		return "container-forward-open";
	case FAILOPEN_CONTAINER_SUBNET_FORGED:
		return "container-subnet-forged";
	case FAILOPEN_LXD_FORWARDS_DROPPED:
		return "lxd-forwards-dropped";
	case FAILOPEN_CT_HELPER_RELATED:
		return "conntrack-helper-related";
	case FAILOPEN__KIND_COUNT:
		break;
	}
	return "?";
}

const char *failopen_severity_name(enum failopen_severity s)
{
	switch (s) {
	case FAILOPEN_SEV_INFO:
		return "info";
	case FAILOPEN_SEV_WARNING:
		return "warning";
	case FAILOPEN_SEV_CRITICAL:
		return "critical";
	}
	return "?";
}

static const char *family_word(uint8_t family)
{
	return family == NFPROTO_IPV6 ? "IPv6" : "IPv4";
}

static const char *origin_word(enum rs_origin o)
{
	return o == RS_ORIGIN_LEGACY ? "x_tables (legacy)" : "nftables";
}

static int add(struct builder *b, enum failopen_kind kind,
	       enum failopen_severity sev, const struct rs_chain *c,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int add(struct builder *b, enum failopen_kind kind,
	       enum failopen_severity sev, const struct rs_chain *c,
	       const char *fmt, ...)
{
	struct failopen_finding *f;
	va_list ap;

	if (b->per_kind[kind] >= MAX_PER_KIND) {
		b->dropped[kind]++;
		return 0;
	}
	if (b->res->nfindings == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 8;

		f = realloc(b->res->findings, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		b->res->findings = f;
		b->cap = cap;
	}
	f = &b->res->findings[b->res->nfindings];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->severity = sev;
	f->family = c->family;
	f->origin = c->origin;
	f->table = strdup(c->table ? c->table : "");
	f->chain = strdup(c->name ? c->name : "");
	va_start(ap, fmt);
	f->message = str_vprintf(fmt, ap);
	va_end(ap);
	if (!f->table || !f->chain || !f->message) {
		free(f->table);
		free(f->chain);
		free(f->message);
		return -ENOMEM;
	}
	b->res->nfindings++;
	b->per_kind[kind]++;
	return 0;
}

static bool same_table(const struct rs_chain *a, const struct rs_chain *b)
{
	return a->origin == b->origin && a->family == b->family &&
	       a->table && b->table && strcmp(a->table, b->table) == 0;
}

static const struct rs_chain *find_chain(const struct ruleset *rs,
					 const struct rs_chain *like,
					 const char *name)
{
	uint32_t h = rs_chain_key_hash(like->table, name);
	size_t i;

	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		/* a packed chain's hash rules it out without reading its
		 * strings (a pass over 24,347 chains on kube-10000) */
		if (c->packed && c->key_hash != h)
			continue;
		if (same_table(c, like) && c->name && strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

static bool is_jump_to(const struct rs_rule *r, const char *name)
{
	return (r->verdict.kind == RS_V_JUMP || r->verdict.kind == RS_V_GOTO) &&
	       r->verdict.chain && strcmp(r->verdict.chain, name) == 0;
}

/* Docker's chains that accept forwarded packets (the isolation stages
 * only drop) */
static bool is_docker_accepting_chain(const char *n)
{
	return n && strncmp(n, "DOCKER", 6) == 0 &&
	       strcmp(n, "DOCKER-USER") != 0 && !strstr(n, "ISOLATION");
}

/* a rule whose ct state match a new connection's first packet can pass
 * (Docker's "RELATED,ESTABLISHED -j ACCEPT" cannot: it bypasses nothing) */
static bool may_match_new(const struct rs_rule *r)
{
	const rs_u128 st = RS_CT_STATE_NEW;
	size_t k, n, e;

	for (k = 0; k < r->nmatches; k++) {
		const struct rs_match *m = &r->matches[k];
		const struct rs_interval *iv;
		bool in = false;

		if (m->nfields != 1 || m->fields[0] != RS_F_CT_STATE)
			continue;
		switch (m->op) {
		case RS_OP_IN:
		case RS_OP_NOT_IN:
			iv = rs_match_elems(m, &n);
			for (e = 0; e < n && !in; e++)
				in = iv[e].lo <= st && st <= iv[e].hi;
			if (in != (m->op == RS_OP_IN))
				return false;
			break;
		case RS_OP_MASK_EQ:
			if ((st & m->mask) != m->value)
				return false;
			break;
		case RS_OP_MASK_NE:
			if ((st & m->mask) == m->value)
				return false;
			break;
		default:
			break;
		}
	}
	return true;
}

/* DOCKER-USER holds more than Docker's own "-j RETURN" */
static bool user_has_rules(const struct rs_chain *user)
{
	size_t i;

	for (i = 0; i < user->nrules; i++) {
		const struct rs_rule *r = &user->rules[i];

		if (!(r->verdict.kind == RS_V_RETURN && r->nmatches == 0))
			return true;
	}
	return false;
}

static int check_docker_user(const struct ruleset *rs, struct builder *b)
{
	size_t i, j;
	int ret;

	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *fwd = &rs->chains[i], *user;
		size_t at = (size_t)-1, before = (size_t)-1;

		if (!fwd->base || fwd->hook != NF_INET_FORWARD || !fwd->name ||
		    strcmp(fwd->name, "FORWARD") != 0)
			continue;
		user = find_chain(rs, fwd, "DOCKER-USER");
		if (!user || !(find_chain(rs, fwd, "DOCKER") ||
			       find_chain(rs, fwd, "DOCKER-FORWARD") ||
			       find_chain(rs, fwd, "DOCKER-ISOLATION-STAGE-1")))
			continue;
		for (j = 0; j < fwd->nrules; j++) {
			const struct rs_rule *r = &fwd->rules[j];

			if (is_jump_to(r, "DOCKER-USER")) {
				at = j;
				break;
			}
			if (before == (size_t)-1 && may_match_new(r) &&
			    (r->verdict.kind == RS_V_ACCEPT ||
			     ((r->verdict.kind == RS_V_JUMP ||
			       r->verdict.kind == RS_V_GOTO) &&
			      is_docker_accepting_chain(r->verdict.chain))))
				before = j;
		}
		if (at == (size_t)-1) {
			ret = add(b, FAILOPEN_FORWARD_NO_DOCKER_USER,
				  user_has_rules(user) ? FAILOPEN_SEV_CRITICAL :
							 FAILOPEN_SEV_WARNING,
				  fwd, "%s %s %s FORWARD has no jump to DOCKER-USER: "
				  "%s no forwarded packet, published "
				  "container ports are open to whatever Docker's "
				  "own chains accept",
				  family_word(fwd->family), origin_word(fwd->origin),
				  fwd->table,
				  user_has_rules(user) ?
				  "the rules in DOCKER-USER filter" :
				  "DOCKER-USER filters");
		} else if (before != (size_t)-1) {
			const struct rs_rule *r = &fwd->rules[before];

			ret = add(b, FAILOPEN_DOCKER_USER_LATE,
				  user_has_rules(user) ? FAILOPEN_SEV_CRITICAL :
							 FAILOPEN_SEV_WARNING,
				  fwd, "%s %s %s FORWARD jumps to DOCKER-USER only at "
				  "rule %u, after rule %u (%s%s%s): what that rule "
				  "lets through never reaches DOCKER-USER",
				  family_word(fwd->family), origin_word(fwd->origin),
				  fwd->table, fwd->rules[at].position, r->position,
				  rs_verdict_name(r->verdict.kind),
				  r->verdict.chain ? " " : "",
				  r->verdict.chain ? r->verdict.chain : "");
		} else {
			ret = 0;
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The table holds Docker >= 28's shapes: chains 28.0 introduced, or the
 * table of the nftables backend (29). */
static bool docker28_table(const struct ruleset *rs, const struct rs_chain *c)
{
	size_t i;

	if (c->origin == RS_ORIGIN_NFT && c->table &&
	    strcmp(c->table, "docker-bridges") == 0)
		return true;
	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *d = &rs->chains[i];

		if (d->origin != c->origin || d->family != c->family || !d->name)
			continue;
		if (strcmp(d->name, "DOCKER-FORWARD") == 0 ||
		    strcmp(d->name, "DOCKER-CT") == 0 ||
		    strcmp(d->name, "DOCKER-BRIDGE") == 0)
			return true;
	}
	return false;
}

static bool match_has_daddr(const struct rs_match *m, uint8_t family,
			    rs_u128 a)
{
	enum rs_field f = family == NFPROTO_IPV6 ? RS_F_IP6_DADDR : RS_F_IP_DADDR;
	const struct rs_interval *e;
	size_t n, k;

	if (m->op != RS_OP_IN || m->nfields != 1 || m->fields[0] != f)
		return false;
	e = rs_match_elems(m, &n);
	for (k = 0; k < n; k++)
		if (e[k].lo <= a && a <= e[k].hi)
			return true;
	return false;
}

/* a drop before DNAT for destination a: a base chain of the family at
 * prerouting with a priority below the DNAT's, a rule that drops with a
 * match on that destination (Docker's adds "! -i BRIDGE" and the port) */
static bool direct_drop(const struct ruleset *rs, uint8_t family, rs_u128 a)
{
	size_t i, j, k;

	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (!c->base || c->hook != NF_INET_PRE_ROUTING ||
		    c->priority >= PRI_NAT_DST ||
		    (c->family != family && c->family != NFPROTO_INET))
			continue;
		for (j = 0; j < c->nrules; j++) {
			const struct rs_rule *r = &c->rules[j];

			if (r->verdict.kind != RS_V_DROP)
				continue;
			for (k = 0; k < r->nmatches; k++)
				if (match_has_daddr(&r->matches[k], family, a))
					return true;
		}
	}
	return false;
}

static bool docker_dnat_chain(const struct rs_chain *c,
			      const struct names *h)
{
	if (c->origin == RS_ORIGIN_NFT &&
	    rs_chain_named(c, h->dbr_dnat, "docker-bridges",
			   "nat-prerouting-and-output"))
		return true;
	/* (a chain of docker-bridges is not in table nat) */
	return rs_chain_named(c, h->nat_docker, "nat", "DOCKER");
}

/* A chain's DNAT rules by target address, then position: the first of
 * each address is where its finding goes. */
struct dnat_at {
	rs_u128 addr;
	size_t rule;
};

static int dnat_at_cmp(const void *a, const void *b)
{
	const struct dnat_at *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static bool plain_dnat(const struct rs_rule *r)
{
	const struct rs_nat *nat = &r->verdict.nat;

	return r->verdict.kind == RS_V_DNAT && nat->has_addr &&
	       nat->addr_lo == nat->addr_hi && !r->verdict.map.set;
}

/* Is rule j the first DNAT to its address in the sorted index? */
static bool first_dnat(const struct dnat_at *ix, size_t n, rs_u128 addr,
		       size_t j)
{
	size_t a = 0, b = n, m;

	while (a < b) {
		m = a + (b - a) / 2;
		if (ix[m].addr < addr)
			a = m + 1;
		else
			b = m;
	}
	return a < n && ix[a].addr == addr && ix[a].rule == j;
}

/* The one exact interface name of a match on field f with op (Docker's
 * "-i BRIDGE", "! -o BRIDGE"), as its key. */
static bool ifname_match(const struct rs_match *m, enum rs_field f,
			 enum rs_op op, rs_u128 *key)
{
	const struct rs_interval *e;
	size_t n;

	if (m->op != op || m->nfields != 1 || m->fields[0] != f)
		return false;
	e = rs_match_elems(m, &n);
	if (n != 1 || e[0].lo != e[0].hi)
		return false;
	*key = e[0].lo;
	return true;
}

static const struct rs_chain *table_chain(const struct ruleset *rs,
					  const struct rs_chain *like,
					  const char *table, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (c->origin == like->origin && c->family == like->family &&
		    c->table && strcmp(c->table, table) == 0 &&
		    c->name && strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

/* The bridge of Docker's DNAT r (nat chain c) to container address a of
 * family fam: the DNAT's own "! -i BRIDGE" (moby v28.5.2
 * iptabler/port.go setPerPortNAT(), with the userland proxy on), else
 * the network's "-s PREFIX ! -o BRIDGE -j MASQUERADE" in nat POSTROUTING
 * (network.go setupNonInternalNetworkRules()). */
static bool dnat_bridge(const struct ruleset *rs, const struct rs_chain *c,
			const struct rs_rule *r, uint8_t fam, rs_u128 a,
			rs_u128 *key)
{
	const struct rs_chain *post;
	size_t j, k;

	for (k = 0; k < r->nmatches; k++)
		if (ifname_match(&r->matches[k], RS_F_IIFNAME, RS_OP_NOT_IN,
				 key))
			return true;
	post = table_chain(rs, c, "nat", "POSTROUTING");
	for (j = 0; post && j < post->nrules; j++) {
		const struct rs_rule *m = &post->rules[j];
		enum rs_field sf = fam == NFPROTO_IPV6 ? RS_F_IP6_SADDR :
					RS_F_IP_SADDR;
		bool in = false, br = false;
		const struct rs_interval *e;
		rs_u128 bk = 0;
		size_t n, x;

		if (m->verdict.kind != RS_V_MASQUERADE &&
		    m->verdict.kind != RS_V_SNAT)
			continue;
		for (k = 0; k < m->nmatches; k++) {
			const struct rs_match *mm = &m->matches[k];

			if (ifname_match(mm, RS_F_OIFNAME, RS_OP_NOT_IN, &bk))
				br = true;
			if (mm->op != RS_OP_IN || mm->nfields != 1 ||
			    mm->fields[0] != sf)
				continue;
			e = rs_match_elems(mm, &n);
			for (x = 0; x < n; x++)
				in |= e[x].lo <= a && a <= e[x].hi;
		}
		if (in && br) {
			*key = bk;
			return true;
		}
	}
	return false;
}

/* Docker 29's nftables backend: the rule of docker-bridges
 * filter-forward-in__BRIDGE (beside nat chain c) that makes the network
 * of bridge key nat-unprotected: the chain's first rule without a match,
 * an accept ('counter accept comment "UNPROTECTED"'), where the other
 * gateway modes have 'counter drop comment "UNPUBLISHED PORT DROP"'
 * (moby docker-v29.7.2 daemon/libnetwork/drivers/bridge/internal/
 * nftabler/network.go, the fwdInFinalRuleGroup rule); NULL when there
 * is none. */
static const struct rs_rule *unprotected_nft(const struct ruleset *rs,
					     const struct rs_chain *c,
					     rs_u128 key,
					     const struct rs_chain **in)
{
	char name[sizeof("filter-forward-in__") + RS_IFNAMSIZ];
	const struct rs_chain *f;
	size_t j;

	memcpy(name, "filter-forward-in__", sizeof("filter-forward-in__"));
	rs_ifname_str(key, name + sizeof("filter-forward-in__") - 1);
	f = table_chain(rs, c, "docker-bridges", name);
	for (j = 0; f && j < f->nrules; j++) {
		const struct rs_rule *r = &f->rules[j];

		if (r->nmatches)
			continue;
		if (r->verdict.kind != RS_V_ACCEPT)
			return NULL;
		*in = f;
		return r;
	}
	return NULL;
}

/* The rule of filter DOCKER (beside nat chain c) that makes the network
 * of bridge key nat-unprotected: "! -i BRIDGE -o BRIDGE -j ACCEPT", where
 * the other gateway modes have DROP (moby v28.5.2 iptabler/network.go
 * setDefaultForwardRule()), or Docker 29's nftables equivalent
 * (unprotected_nft()); NULL when there is none. */
static const struct rs_rule *unprotected_rule(const struct ruleset *rs,
					      const struct rs_chain *c,
					      rs_u128 key,
					      const struct rs_chain **in)
{
	const struct rs_chain *f;
	size_t j;

	if (c->origin == RS_ORIGIN_NFT && c->table &&
	    strcmp(c->table, "docker-bridges") == 0)
		return unprotected_nft(rs, c, key, in);
	f = table_chain(rs, c, "filter", "DOCKER");

	for (j = 0; f && j < f->nrules; j++) {
		const struct rs_rule *r = &f->rules[j];
		rs_u128 i = 0, o = 0;

		if (r->verdict.kind != RS_V_ACCEPT || r->nmatches != 2)
			continue;
		if ((ifname_match(&r->matches[0], RS_F_IIFNAME, RS_OP_NOT_IN, &i) &&
		     ifname_match(&r->matches[1], RS_F_OIFNAME, RS_OP_IN, &o)) ||
		    (ifname_match(&r->matches[1], RS_F_IIFNAME, RS_OP_NOT_IN, &i) &&
		     ifname_match(&r->matches[0], RS_F_OIFNAME, RS_OP_IN, &o))) {
			if (i == key && o == key) {
				*in = f;
				return r;
			}
		}
	}
	return NULL;
}

/* What an operator's rules for a published port are, beside nat chain c:
 * Docker's iptables backends give them DOCKER-USER; Docker 29's nftables
 * backend has no such chain and asks for a table of the operator's own
 * with base chains at the same hooks (moby docs, "Docker with nftables"). */
static const char *user_rules_word(const struct rs_chain *c)
{
	if (c->origin == RS_ORIGIN_NFT && c->table &&
	    strcmp(c->table, "docker-bridges") == 0)
		return "the operator's own forward rules";
	return "DOCKER-USER rules";
}

/* The finding for a DNAT to container address (text addr) that no drop
 * before DNAT protects: the network's gateway mode nat-unprotected when
 * the ruleset shows it, else the missing drop. */
static int direct_access_finding(const struct ruleset *rs, struct builder *b,
				 const struct rs_chain *c,
				 const struct rs_rule *r, uint8_t fam,
				 const char *addr)
{
	const struct rs_chain *fc = NULL;
	const struct rs_rule *u = NULL;
	char br[RS_IFNAMSIZ + 1];
	rs_u128 key = 0;

	if (dnat_bridge(rs, c, r, fam, r->verdict.nat.addr_lo, &key))
		u = unprotected_rule(rs, c, key, &fc);
	if (u) {
		rs_ifname_str(key, br);
		return add(b, FAILOPEN_DOCKER_DIRECT_ACCESS,
			   FAILOPEN_SEV_WARNING, c,
			   "%s container %s (DNAT in %s %s/%s rule %u) is on %s, "
			   "a network in gateway mode nat-unprotected (%s/%s "
			   "rule %u accepts everything forwarded into it, and "
			   "Docker writes no drop before DNAT for it): a host "
			   "on the link that routes to it reaches every port of "
			   "it directly, published or not, and past %s on the "
			   "host port",
			   family_word(fam), addr, origin_word(c->origin),
			   c->table, c->name, r->position, br, fc->table,
			   fc->name, u->position, user_rules_word(c));
	}
	return add(b, FAILOPEN_DOCKER_DIRECT_ACCESS, FAILOPEN_SEV_WARNING, c,
		   "%s container %s (DNAT in %s %s/%s rule %u) has "
		   "no drop before DNAT in raw PREROUTING: a host on "
		   "the link that routes to it reaches its published "
		   "ports directly, also those published on 127.0.0.1 "
		   "only, and past %s on the host port "
		   "(Docker >= 28 writes the drop unless the daemon runs "
		   "with --allow-direct-routing; lost e.g. after a "
		   "firewalld reload in 28.2.0-28.3.2, CVE-2025-54388)",
		   family_word(fam), addr, origin_word(c->origin),
		   c->table, c->name, r->position, user_rules_word(c));
}

static int check_direct_access(const struct ruleset *rs, struct builder *b)
{
	struct dnat_at *ix;
	size_t i, j, n;
	int ret;

	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (!docker_dnat_chain(c, &b->h) || !docker28_table(rs, c))
			continue;
		/* one finding per container address: an index instead of
		 * a look back at every earlier rule (thousands of ports) */
		ix = calloc(c->nrules + 1, sizeof(*ix));
		if (!ix)
			return -ENOMEM;
		for (j = n = 0; j < c->nrules; j++) {
			if (!plain_dnat(&c->rules[j]))
				continue;
			ix[n].addr = c->rules[j].verdict.nat.addr_lo;
			ix[n++].rule = j;
		}
		qsort(ix, n, sizeof(*ix), dnat_at_cmp);
		for (j = 0; j < c->nrules; j++) {
			const struct rs_rule *r = &c->rules[j];
			const struct rs_nat *nat = &r->verdict.nat;
			uint8_t fam = nat->family ? nat->family : c->family;
			char addr[64];

			if (!plain_dnat(r) ||
			    !first_dnat(ix, n, nat->addr_lo, j) ||
			    direct_drop(rs, fam, nat->addr_lo))
				continue;
			ipaddr_str(fam, nat->addr_lo, addr, sizeof(addr));
			ret = direct_access_finding(rs, b, c, r, fam, addr);
			if (ret < 0) {
				free(ix);
				return ret;
			}
		}
		free(ix);
	}
	return 0;
}

static size_t dnat_rules(const struct rs_chain *c)
{
	size_t j, n = 0;

	for (j = 0; j < c->nrules; j++)
		n += c->rules[j].verdict.kind == RS_V_DNAT;
	return n;
}

static int check_docker_user_v6(const struct ruleset *rs, struct builder *b)
{
	const struct rs_chain *user4 = NULL, *nat6 = NULL;
	size_t i, n4 = 0, j;
	bool have6 = false;

	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (!c->name || !c->table)
			continue;
		if (c->family == NFPROTO_IPV4 &&
		    rs_chain_named(c, b->h.filter_user, "filter",
				   "DOCKER-USER") && user_has_rules(c) &&
		    !user4)
			user4 = c;
		if (c->family == NFPROTO_IPV6 &&
		    rs_chain_named(c, b->h.nat_docker, "nat", "DOCKER") &&
		    dnat_rules(c) && !nat6)
			nat6 = c;
	}
	if (!user4 || !nat6)
		return 0;
	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (c->family != NFPROTO_IPV6 ||
		    !rs_chain_named(c, b->h.filter_user, "filter",
				    "DOCKER-USER"))
			continue;
		if (user_has_rules(c))
			return 0;
		have6 = true;
	}
	for (j = 0; j < user4->nrules; j++)
		n4 += !(user4->rules[j].verdict.kind == RS_V_RETURN &&
			user4->rules[j].nmatches == 0);
	return add(b, FAILOPEN_DOCKER_USER_IPV4_ONLY, FAILOPEN_SEV_WARNING, nat6,
		   "IPv6 ports published by Docker (%zu DNAT in %s %s/%s) have no "
		   "IPv6 DOCKER-USER rule, while the IPv4 DOCKER-USER holds %zu: "
		   "those restrictions do not apply to IPv6 (%s; ip6tables needs "
		   "rules of its own)",
		   dnat_rules(nat6), origin_word(nat6->origin), nat6->table,
		   nat6->name, n4, have6 ? "the IPv6 DOCKER-USER is empty" :
		   "there is no IPv6 DOCKER-USER chain: Docker 20.10 makes none");
}

static bool holds_rules(const struct rs_chain *c)
{
	return c->base && (c->nrules > 0 || c->policy == RS_V_DROP);
}

static int check_mixed(const struct ruleset *rs, struct builder *b)
{
	static const uint8_t fams[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	size_t fi, i, j;
	uint32_t hook;
	int ret;

	for (fi = 0; fi < 2; fi++) {
		for (hook = NF_INET_PRE_ROUTING; hook <= NF_INET_POST_ROUTING;
		     hook++) {
			const struct rs_chain *leg = NULL, *nft = NULL;

			for (i = 0; i < rs->nchains; i++) {
				const struct rs_chain *c = &rs->chains[i];

				if (c->hook != hook || !holds_rules(c) ||
				    (c->family != fams[fi] &&
				     c->family != NFPROTO_INET))
					continue;
				if (c->origin == RS_ORIGIN_LEGACY && !leg)
					leg = c;
				else if (c->origin == RS_ORIGIN_NFT && !nft)
					nft = c;
			}
			if (!leg || !nft)
				continue;
			for (i = j = 0; i < rs->nchains; i++)
				if (rs->chains[i].hook == hook &&
				    holds_rules(&rs->chains[i]) &&
				    rs->chains[i].origin == RS_ORIGIN_NFT &&
				    (rs->chains[i].family == fams[fi] ||
				     rs->chains[i].family == NFPROTO_INET))
					j++;
			ret = add(b, FAILOPEN_XTABLES_AND_NFTABLES,
				  FAILOPEN_SEV_WARNING, leg,
				  "%s %s: legacy x_tables %s/%s and %zu nftables "
				  "base chain(s) (%s %s %s first) both hold rules: a "
				  "packet must pass both, an accept in one does not "
				  "end the other, and iptables-legacy, iptables-nft "
				  "and nft each show only their part",
				  family_word(fams[fi]), rs_hook_name(fams[fi], hook),
				  leg->table, leg->name, j,
				  rs_family_name(nft->family), nft->table, nft->name);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Podman (netavark) and CNI (portmap, firewall): the same shape, from
 * netavark's src/firewall/iptables.rs and the plugins' portmap.go and
 * firewall/iptables.go: FORWARD -j NETAVARK_FORWARD (CNI-FORWARD), which
 * accepts "-d NET --ctstate RELATED,ESTABLISHED" and "-s NET"; nat
 * NETAVARK-DN-* (CNI-DN-*) DNAT each published port.
 */
struct cnet {
	const char *who;		/* for people */
	const char *forward;		/* its forward chain */
	const char *dn;			/* prefix of its DNAT chains */
};

static const struct cnet cnets[] = {
	{ "Podman (netavark)", "NETAVARK_FORWARD", "NETAVARK-DN-" },
	{ "CNI (portmap)", "CNI-FORWARD", "CNI-DN-" },
};

/* DNAT rules in the chains named dn* of c's family and origin */
static size_t cnet_dnats(const struct ruleset *rs, const struct rs_chain *c,
			 const char *dn)
{
	size_t i, n = 0;

	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *d = &rs->chains[i];

		if (d->origin == c->origin && d->family == c->family &&
		    d->name && !strncmp(d->name, dn, strlen(dn)))
			n += dnat_rules(d);
	}
	return n;
}

/* Every forward base chain of the family accepts by policy. */
static bool forward_policies_accept(const struct ruleset *rs, uint8_t family)
{
	size_t i;

	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (c->base && c->hook == NF_INET_FORWARD &&
		    (c->family == family || c->family == NFPROTO_INET) &&
		    c->policy == RS_V_DROP)
			return false;
	}
	return true;
}

static bool has_field(const struct rs_rule *r, enum rs_field f)
{
	size_t k;

	for (k = 0; k < r->nmatches; k++)
		if (r->matches[k].nfields == 1 && r->matches[k].fields[0] == f)
			return true;
	return false;
}

/* "-s NET -j ACCEPT" on any interface: the first such rule, or NULL */
static const struct rs_rule *subnet_accept(const struct rs_chain *fc)
{
	enum rs_field sf = fc->family == NFPROTO_IPV6 ? RS_F_IP6_SADDR :
			   RS_F_IP_SADDR;
	size_t j;

	for (j = 0; j < fc->nrules; j++) {
		const struct rs_rule *r = &fc->rules[j];

		if (r->verdict.kind == RS_V_ACCEPT && has_field(r, sf) &&
		    !has_field(r, RS_F_IIFNAME) && !has_field(r, RS_F_IIF) &&
		    may_match_new(r))
			return r;
	}
	return NULL;
}

static int check_container_nets(const struct ruleset *rs, struct builder *b)
{
	const struct rs_rule *sa;
	size_t i, j, k, n;
	int ret = 0;

	for (i = 0; i < rs->nchains && !ret; i++) {
		const struct rs_chain *fwd = &rs->chains[i], *fc;

		if (!fwd->base || fwd->hook != NF_INET_FORWARD || !fwd->name ||
		    strcmp(fwd->name, "FORWARD"))
			continue;
		for (k = 0; k < ARRAY_SIZE(cnets) && !ret; k++) {
			for (j = 0; j < fwd->nrules; j++)
				if (is_jump_to(&fwd->rules[j], cnets[k].forward))
					break;
			/* before the lookups: each is a pass over every
			 * chain (24,347 on kube-10000, none of them used
			 * when FORWARD does not jump to the runtime's chain) */
			if (j == fwd->nrules)
				continue;
			fc = find_chain(rs, fwd, cnets[k].forward);
			if (!fc)
				continue;
			n = cnet_dnats(rs, fwd, cnets[k].dn);
			sa = subnet_accept(fc);
			if (n && fwd->policy == RS_V_ACCEPT &&
			    forward_policies_accept(rs, fwd->family))
				ret = add(b, FAILOPEN_CONTAINER_FORWARD_OPEN,
					  FAILOPEN_SEV_WARNING, fwd,
					  "%s %s %s: %s publishes %zu port%s by DNAT, "
					  "but %s accepts no new connection to a "
					  "container: they are open only because "
					  "FORWARD's policy is ACCEPT, which also lets "
					  "anyone who routes to a container network "
					  "reach every port of every container",
					  family_word(fwd->family),
					  origin_word(fwd->origin), fwd->table,
					  cnets[k].who, n, n > 1 ? "s" : "",
					  cnets[k].forward);
			else if (sa && fwd->policy == RS_V_DROP)
				ret = add(b, FAILOPEN_CONTAINER_SUBNET_FORGED,
					  FAILOPEN_SEV_WARNING, fc,
					  "%s %s %s: FORWARD's policy is DROP, but %s "
					  "rule %u accepts every packet from a "
					  "container network on any interface: a "
					  "stranger who forges such a source gets "
					  "first packets through to the containers "
					  "(UDP datagrams are delivered; TCP and SCTP "
					  "answers go out on the bridge and never come "
					  "back)", family_word(fwd->family),
					  origin_word(fwd->origin), fwd->table,
					  cnets[k].forward, sa->position);
		}
	}
	return ret;
}

/* ---------------------------------------------------------------------
 * LXD and Incus: their own nftables table (inet lxd / inet incus) with
 * the DNATs of network forwards and nat proxy devices, and a forward
 * chain fwd.BRIDGE accepting to and from each bridge.
 */
static bool lxd_table(const struct rs_chain *c, const struct names *h)
{
	return c->origin == RS_ORIGIN_NFT &&
	       (rs_chain_in_table(c, h->lxd, "lxd") ||
		rs_chain_in_table(c, h->incus, "incus"));
}

/* A rule of c (or of a chain it jumps to, a few levels down) that accepts
 * what goes out on the bridge: the host's firewall lets LXD's bridge
 * through (what LXD's documentation tells Docker users to add). */
static bool accepts_bridge(const struct ruleset *rs, const struct rs_chain *c,
			   const char *bridge, unsigned int depth)
{
	const rs_u128 key = rs_ifname_key(bridge);
	const struct rs_interval *e;
	const struct rs_chain *to;
	size_t j, k, n, x;

	for (j = 0; j < c->nrules; j++) {
		const struct rs_rule *r = &c->rules[j];

		if ((r->verdict.kind == RS_V_JUMP ||
		     r->verdict.kind == RS_V_GOTO) && depth < 4 &&
		    (to = find_chain(rs, c, r->verdict.chain)) &&
		    accepts_bridge(rs, to, bridge, depth + 1))
			return true;
		if (r->verdict.kind != RS_V_ACCEPT)
			continue;
		for (k = 0; k < r->nmatches; k++) {
			const struct rs_match *m = &r->matches[k];

			if (m->op != RS_OP_IN || m->nfields != 1 ||
			    m->fields[0] != RS_F_OIFNAME)
				continue;
			e = rs_match_elems(m, &n);
			for (x = 0; x < n; x++)
				if (e[x].lo <= key && key <= e[x].hi)
					return true;
		}
	}
	return false;
}

static int check_lxd(const struct ruleset *rs, struct builder *b)
{
	const struct rs_chain *lx = NULL;
	const char *bridge = NULL;
	size_t i, n = 0;
	int ret;

	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (!lxd_table(c, &b->h))
			continue;
		n += dnat_rules(c);
		if (c->name && !strncmp(c->name, "fwd.", 4) && !bridge) {
			bridge = c->name + 4;
			lx = c;
		}
	}
	if (!n || !bridge)
		return 0;
	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (!c->base || c->hook != NF_INET_FORWARD || lxd_table(c, &b->h) ||
		    c->policy != RS_V_DROP ||
		    accepts_bridge(rs, c, bridge, 0))
			continue;
		ret = add(b, FAILOPEN_LXD_FORWARDS_DROPPED, FAILOPEN_SEV_WARNING,
			  c, "%s %s %s/%s (policy DROP) drops what %s forwards "
			  "to %s (%zu DNAT in %s %s): %s accepts it in its own "
			  "table, but a drop in any base chain ends the packet, "
			  "so its network forwards and nat proxy devices are "
			  "unreachable: an outage, not an exposure (accept -o %s "
			  "there)", family_word(c->family),
			  origin_word(c->origin), c->table, c->name,
			  !strcmp(lx->table, "incus") ? "Incus" : "LXD", bridge,
			  n, rs_family_name(lx->family), lx->table,
			  !strcmp(lx->table, "incus") ? "Incus" : "LXD", bridge);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int failopen_inspect(const struct ruleset *rs, struct failopen_result **out)
{
	struct builder b = { 0 };
	size_t k;
	int ret;

	b.res = calloc(1, sizeof(*b.res));
	if (!b.res)
		return -ENOMEM;
	b.h.nat_docker = rs_chain_key_hash("nat", "DOCKER");
	b.h.filter_user = rs_chain_key_hash("filter", "DOCKER-USER");
	b.h.dbr_dnat = rs_chain_key_hash("docker-bridges",
					 "nat-prerouting-and-output");
	b.h.lxd = rs_chain_key_hash("lxd", NULL);
	b.h.incus = rs_chain_key_hash("incus", NULL);
	ret = check_docker_user(rs, &b);
	if (ret == 0)
		ret = check_direct_access(rs, &b);
	if (ret == 0)
		ret = check_docker_user_v6(rs, &b);
	if (ret == 0)
		ret = check_mixed(rs, &b);
	if (ret == 0)
		ret = check_container_nets(rs, &b);
	if (ret == 0)
		ret = check_lxd(rs, &b);
	for (k = 0; ret == 0 && k < FAILOPEN__KIND_COUNT; k++) {
		struct failopen_finding *last = NULL;
		char *m;
		size_t i;

		if (!b.dropped[k])
			continue;
		for (i = 0; i < b.res->nfindings; i++)
			if (b.res->findings[i].kind == (enum failopen_kind)k)
				last = &b.res->findings[i];
		if (asprintf(&m, "%s (and %zu more like it)", last->message,
			     b.dropped[k]) < 0) {
			ret = -ENOMEM;
			break;
		}
		free(last->message);
		last->message = m;
	}
	if (ret < 0) {
		failopen_result_free(b.res);
		return ret;
	}
	*out = b.res;
	return 0;
}

void failopen_result_free(struct failopen_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nfindings; i++) {
		free(r->findings[i].table);
		free(r->findings[i].chain);
		free(r->findings[i].message);
	}
	free(r->findings);
	free(r);
}

int failopen_result_add(struct failopen_result *r, enum failopen_kind kind,
			enum failopen_severity sev, const struct rs_chain *c,
			const char *message)
{
	struct failopen_finding *f, x = { 0 };

	x.kind = kind;
	x.severity = sev;
	x.family = c->family;
	x.origin = c->origin;
	x.table = strdup(c->table ? c->table : "");
	x.chain = strdup(c->name ? c->name : "");
	x.message = strdup(message);
	f = realloc(r->findings, (r->nfindings + 1) * sizeof(*f));
	if (!x.table || !x.chain || !x.message || !f) {
		free(x.table);
		free(x.chain);
		free(x.message);
		if (f)
			r->findings = f;
		return -ENOMEM;
	}
	r->findings = f;
	r->findings[r->nfindings++] = x;
	return 0;
}
