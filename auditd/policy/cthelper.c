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

/* The statement of r that attaches a helper, whatever it is: nft's objref
 * "ct helper NAME" and "ct helper set", x_tables' CT "helper NAME"; or
 * NULL.  *name: the helper's name as the rule gives it. */
static const struct rs_stmt *helper_named(const struct rs_rule *r,
					  const char **name)
{
	size_t i;

	for (i = 0; i < r->nstmts; i++) {
		const struct rs_stmt *s = &r->stmts[i];
		const char *t = s->text ? s->text : "";

		*name = NULL;
		if (!strcmp(s->name, "objref") && !strncmp(t, "ct helper ", 10))
			*name = t + 10;
		else if (!strcmp(s->name, "ct helper set"))
			*name = t[0] ? t : "?";
		else if (!strcmp(s->name, "CT") && strstr(t, "helper "))
			*name = strstr(t, "helper ") + 7;
		if (*name)
			return s;
	}
	return NULL;
}

/*
 * Helpers whose expectations a stranger's connection to this host cannot
 * make lead back in: netbios-ns and snmp expect the answers to the host's
 * own broadcasts (nf_conntrack_broadcast_help(): a local socket's packet
 * only), tftp's and irc's expectations are for connections from this host
 * (the server's data, a DCC offer's peer).  No finding names them.  By the
 * kernel's helper type where the reader found the nft object a rule names
 * (rs_stmt.helper_type: an object "web" of type "tftp" is skipped, one
 * named "tftp-in" of type "ftp" is not); otherwise guessed from the name,
 * the kernel's or firewalld's object names ("helper-netbios-ns-udp"); any
 * other name, among them nft objects named freely, counts.
 */
static bool outbound_only(const char *type)
{
	static const char *const names[] = { "netbios-ns", "netbios_ns",
					     "snmp", "tftp", "irc" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strstr(type, names[i]))
			return true;
	return false;
}

/* The helper r attaches that can open something to a stranger, or NULL;
 * *s: its statement. */
static const char *helper_of(const struct rs_rule *r,
			     const struct rs_stmt **s)
{
	const char *name = NULL;

	*s = helper_named(r, &name);
	if (!*s || outbound_only((*s)->helper_type ? (*s)->helper_type :
				 name))
		return NULL;
	return name;
}

/* " (nft object of type ftp, tcp)": what the object a rule names is, when
 * the reader found it.  Only FTP's expectations are the ones the finding
 * describes; of another type (sip, h323, pptp, amanda, sane), fwaudit does
 * not model what its expectations name: it says so, and the ports are
 * every one a related connection reaches. */
static void helper_describe(struct strbuf *sb, const struct rs_stmt *s)
{
	const char *p = s->helper_l4 == IPPROTO_TCP ? "tcp" :
			s->helper_l4 == IPPROTO_UDP ? "udp" : NULL;

	if (!s->helper_type)
		return;
	strbuf_addf(sb, " (nft object of type %s", s->helper_type);
	if (p)
		strbuf_addf(sb, ", %s", p);
	else if (s->helper_l4)
		strbuf_addf(sb, ", protocol %u", s->helper_l4);
	if (strcmp(s->helper_type, "ftp"))
		strbuf_addf(sb, "; fwaudit does not model the connections a "
			    "%s helper expects: the ports below are every one "
			    "a related connection reaches", s->helper_type);
	strbuf_addf(sb, ")");
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
	const struct rs_stmt *hs;
	bool any = false;
	size_t c, i;
	int ret;

	for (c = 0; c < rs->nchains && !any; c++)
		for (i = 0; chain_may_helper(&rs->chains[c]) &&
			    i < rs->chains[c].nrules && !any; i++)
			any = helper_of(&rs->chains[c].rules[i], &hs) != NULL;
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
			const char *name = helper_of(r, &hs);
			struct strbuf sb = STRBUF_INIT;
			char *text, *msg;
			bool first = true;

			if (!name)
				continue;
			text = rsprint_rule(rs, r);
			strbuf_addf(&sb, "rule %u (%s) attaches the conntrack "
				    "helper %s", r->position, text ? text : "?",
				    name);
			helper_describe(&sb, hs);
			strbuf_addf(&sb, ", and the ruleset lets the "
				    "connections it expects in as related "
				    "where it lets no new one in (");
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
