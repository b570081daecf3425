// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nftev.c - which nftables change events can change the audit
 * (auditd/daemon/nftev.c), on a hand-made model and hand-made messages.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nftev.h"
#include "unit.h"

static char buf[4096];

/* one message: type, flags, family, then string attributes (type, value)
 * and an optional nested attribute of type nest (empty) */
static struct nlmsghdr *msg(int type, uint16_t flags, uint8_t family,
			    int a1, const char *v1, int a2, const char *v2,
			    int nest)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | type;
	nlh->nlmsg_flags = flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	if (v1)
		mnl_attr_put_strz(nlh, a1, v1);
	if (v2)
		mnl_attr_put_strz(nlh, a2, v2);
	if (nest)
		mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, nest));
	return nlh;
}

static bool rule_ev(const struct nftev_reach *r, int type, uint8_t fam,
		    const char *table, const char *chain)
{
	struct nlmsghdr *nlh = msg(type, 0, fam, NFTA_RULE_TABLE, table,
				   NFTA_RULE_CHAIN, chain, 0);
	uint32_t gen = 0;

	return nftev_matters(r, nlh, nlh->nlmsg_len, &gen);
}

static bool set_ev(const struct nftev_reach *r, int type, const char *set)
{
	struct nlmsghdr *nlh;
	uint32_t gen = 0;

	if (type == NFT_MSG_NEWSETELEM || type == NFT_MSG_DELSETELEM)
		nlh = msg(type, 0, NFPROTO_INET, NFTA_SET_ELEM_LIST_TABLE, "f",
			  NFTA_SET_ELEM_LIST_SET, set, 0);
	else
		nlh = msg(type, NLM_F_CREATE, NFPROTO_INET, NFTA_SET_TABLE, "f",
			  NFTA_SET_NAME, set, 0);
	return nftev_matters(r, nlh, nlh->nlmsg_len, &gen);
}

static bool chain_ev(const struct nftev_reach *r, int type, uint16_t flags,
		     const char *chain, bool hook)
{
	struct nlmsghdr *nlh = msg(type, flags, NFPROTO_INET, NFTA_CHAIN_TABLE,
				   "f", NFTA_CHAIN_NAME, chain,
				   hook ? NFTA_CHAIN_HOOK : 0);
	uint32_t gen = 0;

	return nftev_matters(r, nlh, nlh->nlmsg_len, &gen);
}

static bool table_ev(const struct nftev_reach *r, int type, const char *t)
{
	struct nlmsghdr *nlh = msg(type, 0, NFPROTO_INET, NFTA_TABLE_NAME, t,
				   0, NULL, 0);
	uint32_t gen = 0;

	return nftev_matters(r, nlh, nlh->nlmsg_len, &gen);
}

static struct rs_set *set_new(const char *name, size_t nelems)
{
	struct rs_set *s = calloc(1, sizeof(*s));

	s->family = NFPROTO_INET;
	s->table = strdup("f");
	s->name = strdup(name);
	s->nfields = 1;
	s->nelems = nelems;
	s->elems = calloc(nelems + 1, sizeof(*s->elems));
	if (nelems)
		s->data = calloc(nelems, sizeof(*s->data));
	return s;
}

static struct rs_rule *jump(struct rs_chain *c, const char *to,
			    enum rs_verdict_kind kind)
{
	struct rs_rule *r = rs_chain_add_rule(c);

	r->verdict.kind = kind;
	r->verdict.chain = strdup(to);
	return r;
}

/*
 * inet f: input (base) -> a -> b (goto); input vmap @vm -> v; input
 * tcp dport @used; a -> nat map @nm; chains u (unreached, uses @hidden,
 * jumps to w), w; sets idle.  inet g: only a non-base chain.  ip d: a
 * dormant table's chain (base false).  A legacy chain "input" in ip filter.
 */
static struct ruleset *model(void)
{
	struct ruleset *rs = ruleset_new();
	struct rs_set *used = set_new("used", 0), *vm = set_new("vm", 2);
	struct rs_set *hidden = set_new("hidden", 0), *idle = set_new("idle", 0);
	struct rs_set *nm = set_new("nm", 1);
	struct rs_chain *c;
	struct rs_rule *r;
	struct rs_match *m;

	ruleset_add_set(rs, used);
	ruleset_add_set(rs, vm);
	ruleset_add_set(rs, hidden);
	ruleset_add_set(rs, idle);
	ruleset_add_set(rs, nm);
	vm->data[0].verdict.kind = RS_V_JUMP;
	vm->data[0].verdict.chain = strdup("v");
	vm->data[1].verdict.kind = RS_V_DROP;

	c = ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "f", "input");
	c->base = true;
	c->hook = NF_INET_LOCAL_IN;
	jump(c, "a", RS_V_JUMP);
	r = rs_chain_add_rule(c);
	r->verdict.kind = RS_V_VMAP;
	r->verdict.map.set = vm;
	r = rs_chain_add_rule(c);
	m = rs_rule_add_match(r);
	m->op = RS_OP_IN;
	m->nfields = 1;
	m->fields[0] = RS_F_DPORT;
	m->set = used;
	r->verdict.kind = RS_V_ACCEPT;

	c = ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "f", "a");
	jump(c, "b", RS_V_GOTO);
	r = rs_chain_add_rule(c);
	r->verdict.kind = RS_V_DNAT;
	r->verdict.map.set = nm;
	ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "f", "b");
	ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "f", "v");
	c = ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "f", "u");
	jump(c, "w", RS_V_JUMP);
	r = rs_chain_add_rule(c);
	m = rs_rule_add_match(r);
	m->op = RS_OP_IN;
	m->nfields = 1;
	m->fields[0] = RS_F_DPORT;
	m->set = hidden;
	ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "f", "w");
	ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "g", "x");
	ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "d", "in");
	c = ruleset_add_chain(rs, RS_ORIGIN_LEGACY, NFPROTO_IPV4, "filter",
			      "INPUT");
	c->base = true;
	jump(c, "LEG", RS_V_JUMP);
	return rs;
}

int main(void)
{
	struct ruleset *rs = model();
	struct nftev_reach *r = NULL;
	struct nlmsghdr *nlh;
	uint32_t gen = 0;

	CHECK_EQ(nftev_reach_new(rs, NULL, &r), 0);
	CHECK(nftev_reach_size(r) > 0);

	/* rules: reached chains (jump, goto, vmap) matter, others not */
	CHECK(rule_ev(r, NFT_MSG_NEWRULE, NFPROTO_INET, "f", "input"));
	CHECK(rule_ev(r, NFT_MSG_NEWRULE, NFPROTO_INET, "f", "a"));
	CHECK(rule_ev(r, NFT_MSG_DELRULE, NFPROTO_INET, "f", "b"));
	CHECK(rule_ev(r, NFT_MSG_NEWRULE, NFPROTO_INET, "f", "v"));
	CHECK(!rule_ev(r, NFT_MSG_NEWRULE, NFPROTO_INET, "f", "u"));
	CHECK(!rule_ev(r, NFT_MSG_DELRULE, NFPROTO_INET, "f", "w"));
	CHECK(!rule_ev(r, NFT_MSG_NEWRULE, NFPROTO_INET, "f", "new"));
	CHECK(!rule_ev(r, NFT_MSG_NEWRULE, NFPROTO_INET, "g", "x"));
	/* the same names in another family are other chains */
	CHECK(!rule_ev(r, NFT_MSG_NEWRULE, NFPROTO_IPV4, "f", "input"));
	/* legacy chains are not nftables chains */
	CHECK(!rule_ev(r, NFT_MSG_NEWRULE, NFPROTO_IPV4, "filter", "LEG"));
	/* without r everything matters */
	CHECK(rule_ev(NULL, NFT_MSG_NEWRULE, NFPROTO_INET, "f", "u"));

	/* sets: looked up by a reached rule (match, vmap, NAT map) or not */
	CHECK(set_ev(r, NFT_MSG_NEWSETELEM, "used"));
	CHECK(set_ev(r, NFT_MSG_DELSETELEM, "vm"));
	CHECK(set_ev(r, NFT_MSG_NEWSETELEM, "nm"));
	CHECK(!set_ev(r, NFT_MSG_NEWSETELEM, "hidden"));
	CHECK(!set_ev(r, NFT_MSG_NEWSETELEM, "idle"));
	CHECK(!set_ev(r, NFT_MSG_NEWSET, "fresh"));
	CHECK(!set_ev(r, NFT_MSG_DELSET, "idle"));
	CHECK(set_ev(r, NFT_MSG_DELSET, "used"));

	/* chains: created without a hook, deleted when not reached */
	CHECK(!chain_ev(r, NFT_MSG_NEWCHAIN, NLM_F_CREATE, "fresh", false));
	CHECK(chain_ev(r, NFT_MSG_NEWCHAIN, NLM_F_CREATE, "fresh", true));
	CHECK(chain_ev(r, NFT_MSG_NEWCHAIN, 0, "u", false));	/* rename */
	CHECK(chain_ev(r, NFT_MSG_NEWCHAIN, 0, "fresh", false));
	CHECK(!chain_ev(r, NFT_MSG_DELCHAIN, 0, "w", false));
	CHECK(chain_ev(r, NFT_MSG_DELCHAIN, 0, "a", false));
	CHECK(chain_ev(r, NFT_MSG_DELCHAIN, 0, "w", true));

	/* tables: a new one, or one without base chains deleted */
	CHECK(!table_ev(r, NFT_MSG_NEWTABLE, "new"));
	CHECK(table_ev(r, NFT_MSG_NEWTABLE, "f"));
	CHECK(table_ev(r, NFT_MSG_NEWTABLE, "g"));
	CHECK(!table_ev(r, NFT_MSG_DELTABLE, "g"));
	CHECK(table_ev(r, NFT_MSG_DELTABLE, "f"));
	/* the dormant table wakes up: it matters (family ip) */
	nlh = msg(NFT_MSG_NEWTABLE, 0, NFPROTO_IPV4, NFTA_TABLE_NAME, "d", 0,
		  NULL, 0);
	CHECK(nftev_matters(r, nlh, nlh->nlmsg_len, &gen));

	/* objects: counters do not matter, quotas do */
	nlh = msg(NFT_MSG_NEWOBJ, 0, NFPROTO_INET, NFTA_OBJ_TABLE, "f",
		  NFTA_OBJ_NAME, "c", 0);
	mnl_attr_put_u32(nlh, NFTA_OBJ_TYPE, htonl(NFT_OBJECT_COUNTER));
	CHECK(!nftev_matters(r, nlh, nlh->nlmsg_len, &gen));
	nlh = msg(NFT_MSG_NEWOBJ, 0, NFPROTO_INET, NFTA_OBJ_TABLE, "f",
		  NFTA_OBJ_NAME, "q", 0);
	mnl_attr_put_u32(nlh, NFTA_OBJ_TYPE, htonl(NFT_OBJECT_QUOTA));
	CHECK(nftev_matters(r, nlh, nlh->nlmsg_len, &gen));

	/* NEWGEN: no change, its generation */
	nlh = msg(NFT_MSG_NEWGEN, 0, 0, 0, NULL, 0, NULL, 0);
	mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(4711));
	CHECK(!nftev_matters(r, nlh, nlh->nlmsg_len, &gen));
	CHECK_EQ(gen, 4711u);

	/* what is not understood matters: a flowtable, a truncated message,
	 * a rule without its chain, another subsystem */
	nlh = msg(NFT_MSG_NEWFLOWTABLE, 0, NFPROTO_INET, 0, NULL, 0, NULL, 0);
	CHECK(nftev_matters(r, nlh, nlh->nlmsg_len, &gen));
	nlh = msg(NFT_MSG_NEWRULE, 0, NFPROTO_INET, NFTA_RULE_TABLE, "f",
		  NFTA_RULE_CHAIN, "u", 0);
	CHECK(nftev_matters(r, nlh, nlh->nlmsg_len - 1, &gen));
	nlh = msg(NFT_MSG_NEWRULE, 0, NFPROTO_INET, NFTA_RULE_TABLE, "f", 0,
		  NULL, 0);
	CHECK(nftev_matters(r, nlh, nlh->nlmsg_len, &gen));
	nlh = msg(NFT_MSG_NEWRULE, 0, NFPROTO_INET, NFTA_RULE_TABLE, "f",
		  NFTA_RULE_CHAIN, "u", 0);
	nlh->nlmsg_type = (NFNL_SUBSYS_IPSET << 8) | NFT_MSG_NEWRULE;
	CHECK(nftev_matters(r, nlh, nlh->nlmsg_len, &gen));

	nftev_reach_free(r);
	nftev_reach_free(NULL);

	/* packed chains (as the reader leaves them): a second reach takes
	 * every table over from the first, and answers the same */
	{
		struct nftev_reach *r1 = NULL, *r2 = NULL;
		size_t i;

		for (i = 0; i < rs->nchains; i++)
			CHECK_EQ(ruleset_pack_chain(rs, &rs->chains[i]), 0);
		CHECK_EQ(nftev_reach_new(rs, NULL, &r1), 0);
		CHECK_EQ(nftev_reach_reused(r1), 0u);
		CHECK_EQ(nftev_reach_new(rs, r1, &r2), 0);
		nftev_reach_free(r1);
		CHECK_EQ(nftev_reach_reused(r2), 3u);	/* f, g, d */
		CHECK(rule_ev(r2, NFT_MSG_NEWRULE, NFPROTO_INET, "f", "v"));
		CHECK(!rule_ev(r2, NFT_MSG_NEWRULE, NFPROTO_INET, "f", "u"));
		CHECK(set_ev(r2, NFT_MSG_NEWSETELEM, "nm"));
		CHECK(!set_ev(r2, NFT_MSG_NEWSETELEM, "hidden"));
		CHECK(!table_ev(r2, NFT_MSG_DELTABLE, "g"));
		CHECK(table_ev(r2, NFT_MSG_DELTABLE, "f"));
		nftev_reach_free(r2);
	}
	ruleset_free(rs);
	return unit_done();
}
