// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cthelper.c - conntrack helpers and what they can open (see cthelper.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter.h>

#include "cthelper.h"
#include "region.h"
#include "rsprint.h"
#include "strbuf.h"
#include "util.h"

#define CTH_RANGES_MAX	8	/* port ranges named per protocol */

/* The helper rule r attaches, whatever it is: nft's objref "ct helper
 * NAME" and "ct helper set", x_tables' CT "helper NAME"; or NULL. */
static const char *helper_named(const struct rs_rule *r)
{
	size_t i;

	for (i = 0; i < r->nstmts; i++) {
		const struct rs_stmt *s = &r->stmts[i];
		const char *t = s->text ? s->text : "";

		if (!strcmp(s->name, "objref") && !strncmp(t, "ct helper ", 10))
			return t + 10;
		if (!strcmp(s->name, "ct helper set"))
			return t[0] ? t : "?";
		if (!strcmp(s->name, "CT") && strstr(t, "helper "))
			return strstr(t, "helper ") + 7;
	}
	return NULL;
}

/*
 * Helpers whose expectations a stranger's connection to this host cannot
 * make lead back in: netbios-ns and snmp expect the answers to the host's
 * own broadcasts (nf_conntrack_broadcast_help(): a local socket's packet
 * only), tftp's and irc's expectations are for connections from this host
 * (the server's data, a DCC offer's peer).  By the kernel's helper name or
 * firewalld's object names ("helper-netbios-ns-udp"); any other name,
 * among them nft objects named freely, counts.
 */
static bool outbound_only(const char *name)
{
	static const char *const names[] = { "netbios-ns", "netbios_ns",
					     "snmp", "tftp", "irc" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strstr(name, names[i]))
			return true;
	return false;
}

/* The helper r attaches that can open something to a stranger, or NULL. */
static const char *helper_of(const struct rs_rule *r)
{
	const char *h = helper_named(r);

	return h && !outbound_only(h) ? h : NULL;
}

/* A chain whose rules may attach a helper: packed chains know it (every
 * audit passed over every rule here, 53,000 on kube-10000) */
static bool chain_may_helper(const struct rs_chain *ch)
{
	return !ch->packed || ch->may_helper;
}

struct port_set {
	size_t n;
	struct rs_interval iv[64];
	bool more;		/* more ranges than iv holds */
};

/* Add the destination ports of region r to ps, merged. */
static void ports_add(struct port_set *ps, const struct region *r)
{
	const struct region_box *b;
	size_t nb, i, k;

	b = region_boxes(r, &nb);
	for (i = 0; i < nb; i++) {
		struct rs_interval v = b[i].iv[REGION_DPORT];
		bool merged = false;

		for (k = 0; k < ps->n && !merged; k++) {
			struct rs_interval *o = &ps->iv[k];

			if (v.lo <= o->hi + 1 && o->lo <= v.hi + 1) {
				o->lo = v.lo < o->lo ? v.lo : o->lo;
				o->hi = v.hi > o->hi ? v.hi : o->hi;
				merged = true;
			}
		}
		if (merged)
			continue;
		if (ps->n == ARRAY_SIZE(ps->iv))
			ps->more = true;
		else
			ps->iv[ps->n++] = v;
	}
}

static int iv_cmp(const void *a, const void *b)
{
	const struct rs_interval *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* "tcp 0-65535", "udp 1024-2047,5060": the ports of ps for people. */
static void ports_describe(struct strbuf *sb, const char *proto,
			   struct port_set *ps)
{
	size_t i, k;

	/* merging in arrival order may leave neighbours apart */
	qsort(ps->iv, ps->n, sizeof(ps->iv[0]), iv_cmp);
	for (i = 0, k = 0; i < ps->n; i++) {
		if (k && ps->iv[i].lo <= ps->iv[k - 1].hi + 1) {
			if (ps->iv[i].hi > ps->iv[k - 1].hi)
				ps->iv[k - 1].hi = ps->iv[i].hi;
		} else {
			ps->iv[k++] = ps->iv[i];
		}
	}
	ps->n = k;
	strbuf_addf(sb, "%s ", proto);
	for (i = 0; i < ps->n && i < CTH_RANGES_MAX; i++) {
		unsigned int lo = (unsigned int)ps->iv[i].lo;
		unsigned int hi = (unsigned int)ps->iv[i].hi;

		if (lo == hi)
			strbuf_addf(sb, "%s%u", i ? "," : "", lo);
		else
			strbuf_addf(sb, "%s%u-%u", i ? "," : "", lo, hi);
	}
	if (ps->n > CTH_RANGES_MAX || ps->more)
		strbuf_addf(sb, ",...");
}

/* What related first packets p let in that new ones do not: p's region
 * less every open piece of news of its family and protocol, in *out. */
static int beyond_new(const struct engine_piece *p,
		      const struct engine_result *news, struct region **out)
{
	struct region *r = region_copy(p->region);
	size_t i;
	int ret = 0;

	if (!r)
		return -ENOMEM;
	for (i = 0; news && i < news->npieces && !ret; i++) {
		const struct engine_piece *n = &news->pieces[i];

		if (n->family != p->family || n->proto != p->proto ||
		    n->fate == ENGINE_DROPPED || n->state == ENGINE_CLOSED)
			continue;
		ret = region_subtract(r, n->region);
	}
	if (ret < 0) {
		region_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int cthelper_inspect(const struct engine_input *base,
		     const struct engine_result *news,
		     struct failopen_result *fr)
{
	const struct ruleset *rs = base->rs;
	struct port_set tcp = { 0 }, udp = { 0 }, sctp = { 0 };
	struct engine_input in = *base;
	struct engine_result *res = NULL;
	bool fam[2] = { false, false };
	bool any = false;
	size_t c, i;
	int ret;

	for (c = 0; c < rs->nchains && !any; c++)
		for (i = 0; chain_may_helper(&rs->chains[c]) &&
			    i < rs->chains[c].nrules && !any; i++)
			any = helper_of(&rs->chains[c].rules[i]) != NULL;
	if (!any)
		return 0;

	in.related = true;
	in.dropped = false;
	ret = engine_run(&in, &res);
	if (ret < 0)
		return ret;
	for (i = 0; i < res->npieces && !ret; i++) {
		const struct engine_piece *p = &res->pieces[i];
		struct region *more = NULL;

		if (p->fate == ENGINE_DROPPED || p->state == ENGINE_CLOSED)
			continue;
		ret = beyond_new(p, news, &more);
		if (ret < 0 || region_is_empty(more)) {
			region_free(more);
			continue;
		}
		fam[p->family == NFPROTO_IPV6] = true;
		ports_add(p->proto == IPPROTO_TCP ? &tcp :
			  p->proto == IPPROTO_UDP ? &udp : &sctp, more);
		region_free(more);
	}
	engine_result_free(res);
	if (ret < 0)
		return ret;
	if (!tcp.n && !udp.n && !sctp.n)
		return 0;	/* related connections are not let in */

	for (c = 0; c < rs->nchains && !ret; c++) {
		const struct rs_chain *ch = &rs->chains[c];

		for (i = 0; chain_may_helper(ch) && i < ch->nrules && !ret;
		     i++) {
			const struct rs_rule *r = &ch->rules[i];
			const char *name = helper_of(r);
			struct strbuf sb = STRBUF_INIT;
			char *text, *msg;
			bool first = true;

			if (!name)
				continue;
			text = rsprint_rule(r);
			strbuf_addf(&sb, "rule %u (%s) attaches the conntrack "
				    "helper %s, and the ruleset lets the "
				    "connections it expects in as related "
				    "where it lets no new one in (",
				    r->position, text ? text : "?", name);
			free(text);
			if (tcp.n) {
				ports_describe(&sb, "tcp", &tcp);
				first = false;
			}
			if (udp.n) {
				strbuf_addf(&sb, "%s", first ? "" : "; ");
				ports_describe(&sb, "udp", &udp);
				first = false;
			}
			if (sctp.n) {
				strbuf_addf(&sb, "%s", first ? "" : "; ");
				ports_describe(&sb, "sctp", &sctp);
			}
			strbuf_addf(&sb, ", %s): a client of the connections "
				    "it sees can open the ports their server "
				    "announces (FTP's passive data ports), "
				    "whatever the rules say of new connections "
				    "there",
				    fam[0] && fam[1] ? "IPv4 and IPv6" :
				    fam[1] ? "IPv6" : "IPv4");
			msg = strbuf_take(&sb);
			ret = msg ? failopen_result_add(fr,
						FAILOPEN_CT_HELPER_RELATED,
						FAILOPEN_SEV_WARNING, ch, msg) :
				    -ENOMEM;
			free(msg);
		}
	}
	return ret;
}
