// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ruleset.c - the model: construction, interface-name keys, and the
 * text/JSON views of a hand-made ruleset.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include <jansson.h>

#include "rsprint.h"
#include "ruleset.h"
#include "unit.h"

static void test_ifname(void)
{
	struct rs_interval iv;
	char buf[RS_IFNAMSIZ + 1];

	rs_ifname_str(rs_ifname_key("eth0"), buf);
	CHECK_STR(buf, "eth0");
	rs_ifname_str(rs_ifname_key("abcdefghijklmnop"), buf);
	CHECK_STR(buf, "abcdefghijklmnop");

	iv = rs_ifname_interval("eth", true);
	CHECK(iv.lo <= rs_ifname_key("eth0") && rs_ifname_key("eth0") <= iv.hi);
	CHECK(iv.lo <= rs_ifname_key("eth") && rs_ifname_key("eth") <= iv.hi);
	CHECK(iv.lo <= rs_ifname_key("ethernet12345678") &&
	      rs_ifname_key("ethernet12345678") <= iv.hi);
	CHECK(!(rs_ifname_key("et") >= iv.lo && rs_ifname_key("et") <= iv.hi));
	CHECK(!(rs_ifname_key("eti") >= iv.lo && rs_ifname_key("eti") <= iv.hi));
	CHECK(!(rs_ifname_key("etg") >= iv.lo && rs_ifname_key("etg") <= iv.hi));

	/* exact names do not match longer names */
	iv = rs_ifname_interval("eth0", false);
	CHECK(iv.lo == iv.hi);
	CHECK(rs_ifname_key("eth01") != iv.lo);

	/* "+" alone / "*" alone: every name */
	iv = rs_ifname_interval("", true);
	CHECK(iv.lo == 0 && iv.hi == ~(rs_u128)0);
}

static struct ruleset *sample(void)
{
	struct ruleset *rs = ruleset_new();
	struct rs_chain *c;
	struct rs_rule *r;
	struct rs_match *m;

	c = ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "filter", "input");
	c->base = true;
	c->hook = NF_INET_LOCAL_IN;
	c->priority = 0;
	c->policy = RS_V_DROP;
	c->type = strdup("filter");

	r = rs_chain_add_rule(c);
	r->has_handle = true;
	r->handle = 4;
	m = rs_rule_add_match(r);
	rs_match_set_ifname(m, RS_F_IIFNAME, "lo", false, false);
	r->verdict.kind = RS_V_ACCEPT;

	r = rs_chain_add_rule(c);
	m = rs_rule_add_match(r);
	rs_match_set_range(m, RS_F_IP_SADDR, 0x0a000000, 0x0affffff, false);
	m = rs_rule_add_match(r);
	rs_match_set_range(m, RS_F_L4PROTO, 6, 6, false);
	m = rs_rule_add_match(r);
	rs_match_set_range(m, RS_F_DPORT, 22, 22, false);
	rs_match_add_interval(m, 1000, 2000);
	r->verdict.kind = RS_V_JUMP;
	r->verdict.chain = strdup("ssh");
	r->comment = strdup("admins");

	r = rs_chain_add_rule(c);
	m = rs_rule_add_match(r);
	rs_match_set_range(m, RS_F_CT_STATE, RS_CT_STATE_ESTABLISHED,
			   RS_CT_STATE_ESTABLISHED, false);
	rs_match_add_interval(m, RS_CT_STATE_RELATED, RS_CT_STATE_RELATED);
	m = rs_rule_add_match(r);
	rs_match_set_other(m, RS_F_UNKNOWN, "foo", 2, NULL, false);
	m = rs_rule_add_match(r);
	m->op = RS_OP_MASK_EQ;
	m->nfields = 1;
	m->fields[0] = RS_F_TCP_FLAGS;
	m->mask = 0x12;
	m->value = 0x02;
	r->verdict.kind = RS_V_ACCEPT;

	c = ruleset_add_chain(rs, RS_ORIGIN_LEGACY, NFPROTO_IPV4, "nat", "PREROUTING");
	c->base = true;
	c->hook = NF_INET_PRE_ROUTING;
	c->priority = -100;
	r = rs_chain_add_rule(c);
	m = rs_rule_add_match(r);
	rs_match_set_ifname(m, RS_F_IIFNAME, "docker", true, true);
	r->verdict.kind = RS_V_DNAT;
	r->verdict.nat.family = NFPROTO_IPV4;
	r->verdict.nat.has_addr = true;
	r->verdict.nat.has_port = true;
	r->verdict.nat.addr_lo = r->verdict.nat.addr_hi = 0xac110002;
	r->verdict.nat.port_lo = r->verdict.nat.port_hi = 6379;
	return rs;
}

static void test_text(void)
{
	struct ruleset *rs = sample();
	char *s;

	s = rsprint_rule(rs, &rs->chains[0].rules[0]);
	CHECK_STR(s, "iifname \"lo\" accept");
	free(s);
	s = rsprint_rule(rs, &rs->chains[0].rules[1]);
	CHECK_STR(s, "ip saddr 10.0.0.0/8 l4proto tcp dport { 22, 1000-2000 } "
		  "jump ssh comment \"admins\"");
	free(s);
	s = rsprint_rule(rs, &rs->chains[0].rules[2]);
	CHECK_STR(s, "ct state { established, related } unknown match foo rev 2 "
		  "tcp flags & 0x12 == 0x2 accept");
	free(s);
	s = rsprint_rule(rs, &rs->chains[1].rules[0]);
	CHECK_STR(s, "iifname != \"docker*\" dnat to 172.17.0.2:6379");
	free(s);
	ruleset_free(rs);
}

static void test_json(void)
{
	struct ruleset *rs = sample();
	json_t *j, *c, *r, *m;
	size_t len;
	char *doc;
	FILE *f = open_memstream(&doc, &len);

	CHECK_EQ(rsprint_json(rs, f), 0);
	fclose(f);
	j = json_loads(doc, 0, NULL);
	free(doc);
	CHECK(j != NULL);
	CHECK_EQ(json_integer_value(json_object_get(j, "version")), 1);
	c = json_array_get(json_object_get(j, "chains"), 0);
	CHECK_STR(json_string_value(json_object_get(c, "source")), "nftables");
	CHECK_STR(json_string_value(json_object_get(c, "hook")), "input");
	CHECK_EQ(json_integer_value(json_object_get(c, "priority")), 0);
	CHECK_STR(json_string_value(json_object_get(c, "policy")), "drop");
	r = json_array_get(json_object_get(c, "rules"), 1);
	CHECK_EQ(json_integer_value(json_object_get(r, "position")), 2);
	CHECK(json_object_get(r, "handle") == NULL);
	m = json_array_get(json_object_get(r, "matches"), 0);
	CHECK_STR(json_string_value(json_object_get(m, "field")), "ip saddr");
	CHECK_STR(json_string_value(json_object_get(m, "op")), "==");
	CHECK_STR(json_string_value(json_object_get(m, "value")), "10.0.0.0/8");
	m = json_array_get(json_object_get(r, "matches"), 2);
	CHECK_STR(json_string_value(json_object_get(m, "op")), "in");
	CHECK_EQ(json_array_size(json_object_get(m, "value")), 2);
	CHECK_STR(json_string_value(json_object_get(json_object_get(r, "verdict"),
						      "chain")), "ssh");
	r = json_array_get(json_object_get(c, "rules"), 2);
	m = json_array_get(json_object_get(r, "matches"), 1);
	CHECK_STR(json_string_value(json_object_get(m, "field")), "unknown");
	CHECK_STR(json_string_value(json_object_get(m, "name")), "foo");
	CHECK_EQ(json_integer_value(json_object_get(m, "revision")), 2);

	c = json_array_get(json_object_get(j, "chains"), 1);
	CHECK_STR(json_string_value(json_object_get(c, "source")),
		  "iptables-legacy");
	r = json_array_get(json_object_get(c, "rules"), 0);
	CHECK_STR(json_string_value(json_object_get(json_object_get(r, "verdict"),
						      "to")), "172.17.0.2:6379");
	json_decref(j);
	ruleset_free(rs);
}

static void test_note(void)
{
	struct ruleset *rs = ruleset_new();
	int i;

	/* growth past several doublings keeps every element */
	for (i = 0; i < 100; i++)
		CHECK_EQ(ruleset_note(rs, "note %d", i), 0);
	CHECK_EQ(rs->nnotes, 100);
	CHECK_STR(rs->notes[99], "note 99");
	CHECK_STR(rs->notes[4], "note 4");
	ruleset_free(rs);
	ruleset_free(NULL);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The same rule, field by field: a packed rule must read as it was built. */
static bool same_rule(const struct rs_rule *a, const struct rs_rule *b)
{
	size_t i, k;

	if (a->position != b->position || a->handle != b->handle ||
	    a->nmatches != b->nmatches || a->nstmts != b->nstmts ||
	    !same_str(a->comment, b->comment) ||
	    a->verdict.kind != b->verdict.kind ||
	    !same_str(a->verdict.chain, b->verdict.chain) ||
	    !same_str(a->verdict.name, b->verdict.name) ||
	    memcmp(&a->verdict.nat, &b->verdict.nat, sizeof(a->verdict.nat)))
		return false;
	for (i = 0; i < a->nmatches; i++) {
		const struct rs_match *x = &a->matches[i], *y = &b->matches[i];

		if (x->op != y->op || x->nfields != y->nfields ||
		    memcmp(x->fields, y->fields, sizeof(x->fields)) ||
		    x->nelems != y->nelems ||
		    x->mask != y->mask || x->value != y->value ||
		    x->revision != y->revision || x->invert != y->invert ||
		    !same_str(x->name, y->name) || !same_str(x->text, y->text))
			return false;
		for (k = 0; k < x->nelems * x->nfields; k++)
			if (x->elems[k].lo != y->elems[k].lo ||
			    x->elems[k].hi != y->elems[k].hi)
				return false;
	}
	for (i = 0; i < a->nstmts; i++)
		if (!same_str(a->stmts[i].name, b->stmts[i].name) ||
		    !same_str(a->stmts[i].text, b->stmts[i].text))
			return false;
	return true;
}

static void test_pack(void)
{
	struct ruleset *a = sample(), *b = sample(), *dst = ruleset_new();
	struct rs_chain *c;
	struct rs_rule *r;
	struct rs_match *m;
	struct rs_stmt *st;
	size_t i, j;

	/* packed rules and chains read as built; nothing can be added.  A
	 * concatenation (sport . dport, as multiport writes it) inline: each
	 * element is two intervals */
	for (i = 0; i < 2; i++) {
		static const struct rs_interval two[4] = {
			{ 22, 22 }, { 0, 65535 }, { 0, 65535 }, { 22, 22 },
		};

		r = &(i ? b : a)->chains[1].rules[0];
		m = rs_rule_add_match(r);
		m->op = RS_OP_IN;
		m->nfields = 2;
		m->fields[0] = RS_F_SPORT;
		m->fields[1] = RS_F_DPORT;
		m->nelems = 2;
		m->elems = malloc(sizeof(two));
		memcpy(m->elems, two, sizeof(two));
	}
	r = &b->chains[0].rules[2];
	st = rs_rule_add_stmt(r);
	st->name = strdup("log");
	st->text = strdup("prefix \"x\"");
	r = &a->chains[0].rules[2];
	st = rs_rule_add_stmt(r);
	st->name = strdup("log");
	st->text = strdup("prefix \"x\"");
	for (i = 0; i < b->nchains; i++) {
		c = &b->chains[i];
		CHECK_EQ(ruleset_pack_rule(b, &c->rules[0]), 0);
		CHECK(c->rules[0].packed);
		CHECK_EQ(ruleset_pack_chain(b, c), 0);
		CHECK(c->packed);
		CHECK(rs_chain_add_rule(c) == NULL);
		for (j = 0; j < c->nrules; j++) {
			CHECK(c->rules[j].packed);
			CHECK(same_rule(&a->chains[i].rules[j], &c->rules[j]));
		}
	}
	CHECK(rs_rule_add_match(&b->chains[0].rules[0]) == NULL);
	CHECK(rs_rule_add_stmt(&b->chains[0].rules[0]) == NULL);
	CHECK_STR(b->chains[0].table, "filter");
	CHECK_STR(b->chains[0].name, "input");
	CHECK_STR(b->chains[0].type, "filter");
	CHECK(b->chains[1].type == NULL);
	/* what a packed chain keeps for the engine and cthelper */
	for (i = 0; i < b->nchains; i++) {
		c = &b->chains[i];
		CHECK_EQ(c->key_hash, rs_chain_key_hash(c->table, c->name));
		CHECK(!c->may_helper);	/* "log" attaches no helper */
	}
	CHECK(rs_chain_key_hash("filter", "input") !=
	      rs_chain_key_hash("filter", "INPUT"));
	CHECK(rs_chain_key_hash("filte", "rinput") !=
	      rs_chain_key_hash("filter", "input"));

	/* append moves chains and the arena: dst reads them after b is gone */
	ruleset_add_chain(dst, RS_ORIGIN_LEGACY, NFPROTO_IPV4, "filter",
			  "INPUT");
	CHECK_EQ(ruleset_note(b, "moved"), 0);
	CHECK_EQ(ruleset_append(dst, b), 0);
	CHECK(b->nchains == 0 && b->nnotes == 0 && !b->arena.head);
	ruleset_free(b);
	CHECK_EQ(dst->nchains, 3);
	CHECK(dst->nnotes == 1 && !strcmp(dst->notes[0], "moved"));
	CHECK_STR(dst->chains[1].name, "input");
	for (i = 0; i < a->nchains; i++)
		for (j = 0; j < a->chains[i].nrules; j++)
			CHECK(same_rule(&a->chains[i].rules[j],
					&dst->chains[i + 1].rules[j]));
	/* an empty source changes nothing */
	b = ruleset_new();
	CHECK_EQ(ruleset_append(dst, b), 0);
	CHECK_EQ(dst->nchains, 3);
	ruleset_free(b);

	/* a piece larger than an arena block, and a rule emptied again */
	c = ruleset_add_chain(dst, RS_ORIGIN_NFT, NFPROTO_INET, "t", "big");
	r = rs_chain_add_rule(c);
	m = rs_rule_add_match(r);
	rs_match_set_range(m, RS_F_DPORT, 0, 0, false);
	for (i = 1; i < 5000; i++)
		rs_match_add_interval(m, i, i);
	r = rs_chain_add_rule(c);
	rs_rule_add_match(r);
	rs_match_release(&r->matches[--r->nmatches]);
	CHECK_EQ(ruleset_pack_chain(dst, c), 0);
	CHECK(c->rules[0].matches[0].nelems == 5000 &&
	      c->rules[0].matches[0].elems[4999].hi == 4999);
	CHECK(c->rules[1].packed && !c->rules[1].matches);
	r = rs_chain_add_rule(&dst->chains[0]);
	CHECK(r != NULL);
	ruleset_free(dst);
	ruleset_free(a);
}

/* Packed chains of one table share its string; the hashes that let a
 * pass over every chain rule most of them out without their strings. */
static void test_pack_table(void)
{
	static const struct {
		uint8_t family;
		const char *table, *name;
	} spec[] = {
		{ NFPROTO_IPV4, "filter", "INPUT" },
		{ NFPROTO_IPV4, "filter", "DOCKER-USER" },
		{ NFPROTO_IPV6, "filter", "DOCKER-USER" },
		{ NFPROTO_IPV4, "nat", "DOCKER" },
		{ NFPROTO_IPV4, "filter", "FORWARD" },
		{ NFPROTO_INET, "lxd", "fwd.lxdbr0" },
	};
	struct ruleset *rs = ruleset_new(), *other = ruleset_new();
	struct rs_chain *c, loose = { 0 };
	size_t i;

	CHECK(rs != NULL && other != NULL);
	for (i = 0; i < sizeof(spec) / sizeof(spec[0]); i++) {
		c = ruleset_add_chain(rs, RS_ORIGIN_NFT, spec[i].family,
				      spec[i].table, spec[i].name);
		CHECK(c != NULL);
		rs_chain_add_rule(c);
	}
	for (i = 0; i < rs->nchains; i++)
		CHECK_EQ(ruleset_pack_chain(rs, &rs->chains[i]), 0);
	for (i = 0; i < rs->nchains; i++) {
		c = &rs->chains[i];
		CHECK_STR(c->table, spec[i].table);
		CHECK_STR(c->name, spec[i].name);
		CHECK_EQ(c->table_hash, rs_chain_key_hash(spec[i].table, NULL));
	}
	/* the next chain of the same table (also of another family: the
	 * string is the same) shares it; another table does not */
	CHECK(rs->chains[0].table == rs->chains[1].table);
	CHECK(rs->chains[1].table == rs->chains[2].table);
	CHECK(rs->chains[3].table != rs->chains[2].table);
	CHECK(rs->chains[4].table != rs->chains[0].table);
	CHECK(rs_chain_named(&rs->chains[1],
			     rs_chain_key_hash("filter", "DOCKER-USER"),
			     "filter", "DOCKER-USER"));
	CHECK(!rs_chain_named(&rs->chains[0],
			      rs_chain_key_hash("filter", "DOCKER-USER"),
			      "filter", "DOCKER-USER"));
	CHECK(rs_chain_named(&rs->chains[3], rs_chain_key_hash("nat", "DOCKER"),
			     "nat", "DOCKER"));
	CHECK(!rs_chain_named(&rs->chains[3],
			      rs_chain_key_hash("filter", "DOCKER"),
			      "filter", "DOCKER"));
	CHECK(rs_chain_in_table(&rs->chains[5], rs_chain_key_hash("lxd", NULL),
				"lxd"));
	CHECK(!rs_chain_in_table(&rs->chains[4],
				 rs_chain_key_hash("lxd", NULL), "lxd"));
	/* not packed: the strings decide, whatever the (unset) hashes say */
	loose.table = "nat";
	loose.name = "DOCKER";
	CHECK(rs_chain_named(&loose, rs_chain_key_hash("nat", "DOCKER"), "nat",
			     "DOCKER"));
	CHECK(!rs_chain_named(&loose, rs_chain_key_hash("nat", "DOCKER"),
			      "nat", "DOCKER-USER"));
	CHECK(rs_chain_in_table(&loose, 0, "nat"));
	/* appended: the chains keep their strings; the emptied source's
	 * next chain packs a string of its own */
	CHECK_EQ(ruleset_append(other, rs), 0);
	CHECK(rs->packed_table == NULL);
	c = ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "filter", "X");
	CHECK(c != NULL);
	CHECK_EQ(ruleset_pack_chain(rs, c), 0);
	CHECK(c->table != other->chains[0].table);
	CHECK_STR(c->table, "filter");
	ruleset_free(other);
	CHECK_STR(rs->chains[0].table, "filter");
	ruleset_free(rs);
}

/* A packed jump's target string becomes the target chain's name: the one
 * of its own table and family, never a namesake elsewhere. */
static void test_link_jumps(void)
{
	static const struct {
		uint8_t family;
		const char *table, *name, *jump;
	} spec[] = {
		{ NFPROTO_IPV4, "filter", "INPUT", "SVC" },
		{ NFPROTO_IPV4, "filter", "SVC", "MISSING" },
		{ NFPROTO_IPV4, "nat", "SVC", NULL },
		{ NFPROTO_IPV6, "filter", "SVC", NULL },
		{ NFPROTO_IPV6, "filter", "INPUT", "SVC" },
		{ NFPROTO_IPV4, "nat", "PRE", "SVC" },
	};
	struct ruleset *rs = ruleset_new();
	struct rs_chain *c;
	struct rs_rule *r;
	size_t i;

	CHECK(rs != NULL);
	for (i = 0; i < sizeof(spec) / sizeof(spec[0]); i++) {
		c = ruleset_add_chain(rs, RS_ORIGIN_NFT, spec[i].family,
				      spec[i].table, spec[i].name);
		CHECK(c != NULL);
		if (!spec[i].jump)
			continue;
		r = rs_chain_add_rule(c);
		CHECK(r != NULL);
		r->verdict.kind = i == 5 ? RS_V_GOTO : RS_V_JUMP;
		r->verdict.chain = strdup(spec[i].jump);
	}
	/* statements: every packed "counter" is one string, others their own */
	r = rs_chain_add_rule(&rs->chains[2]);
	CHECK(r != NULL);
	rs_rule_add_stmt(r)->name = strdup("counter");
	rs_rule_add_stmt(r)->name = strdup("log");
	CHECK_EQ(ruleset_pack_rule(rs, r), 0);
	r = rs_chain_add_rule(&rs->chains[3]);
	CHECK(r != NULL);
	rs_rule_add_stmt(r)->name = strdup("counter");
	CHECK_EQ(ruleset_pack_rule(rs, r), 0);
	CHECK_STR(rs->chains[2].rules[0].stmts[0].name, "counter");
	CHECK_STR(rs->chains[2].rules[0].stmts[1].name, "log");
	CHECK(rs->chains[2].rules[0].stmts[0].name ==
	      rs->chains[3].rules[0].stmts[0].name);
	for (i = 0; i < rs->nchains; i++)
		CHECK_EQ(ruleset_pack_chain(rs, &rs->chains[i]), 0);
	ruleset_link_jumps(rs);
	/* ip filter INPUT -> ip filter SVC, not nat's or ip6's */
	CHECK(rs->chains[0].rules[0].verdict.chain == rs->chains[1].name);
	CHECK(rs->chains[4].rules[0].verdict.chain == rs->chains[3].name);
	CHECK(rs->chains[5].rules[0].verdict.chain == rs->chains[2].name);
	/* no such chain: the rule's own string, unchanged */
	CHECK_STR(rs->chains[1].rules[0].verdict.chain, "MISSING");
	for (i = 0; i < rs->nchains; i++)
		if (spec[i].jump)
			CHECK_STR(rs->chains[i].rules[0].verdict.chain,
				  spec[i].jump);
	ruleset_free(rs);
}

/* Chains that say the same thing compare equal whatever their handles,
 * positions, comments or packing; every field the walk reads tells them
 * apart (fwauditd keeps the walk of a table read again, resume.c). */
static void test_same_content(void)
{
	struct ruleset *a = sample(), *b;
	struct rs_chain *c;
	struct rs_rule *r;
	size_t i;
	int mode;

	for (mode = 0; mode <= 12; mode++) {
		bool same = mode <= 3;

		b = sample();
		c = &b->chains[0];
		r = &c->rules[1];
		switch (mode) {
		case 1:		/* handles and comments are not compared */
			c->rules[0].handle = 99;
			free(r->comment);
			r->comment = strdup("someone else");
			break;
		case 2:		/* packed: the same */
			CHECK_EQ(ruleset_pack_chain(b, c), 0);
			break;
		case 3:		/* counters carry no value */
			rs_rule_add_stmt(&c->rules[0])->name = strdup("counter");
			rs_rule_add_stmt(&a->chains[0].rules[0])->name =
				strdup("counter");
			break;
		case 4:
			r->matches[2].elems[1].hi = 2001;
			break;
		case 5:
			free(r->verdict.chain);
			r->verdict.chain = strdup("sshd");
			break;
		case 6:
			b->chains[1].rules[0].verdict.nat.port_lo = 6380;
			b->chains[1].rules[0].verdict.nat.port_hi = 6380;
			break;
		case 7:
			c->policy = RS_V_ACCEPT;
			break;
		case 8:
			c->priority = 10;
			break;
		case 9:
			rs_rule_add_stmt(r)->name = strdup("log");
			break;
		case 10:
			r->matches[0].invert = true;
			break;
		case 11:
			c->rules[2].matches[2].value = 0x12;
			break;
		case 12:
			rs_chain_add_rule(c)->verdict.kind = RS_V_DROP;
			break;
		}
		for (i = 0; i < a->nchains; i++) {
			bool want = same || (mode == 6 ? i == 0 : i == 1);

			if (rs_chain_same_content(&a->chains[i],
						  &b->chains[i]) != want)
				fprintf(stderr, "test_same_content: mode %d "
					"chain %zu\n", mode, i);
			CHECK(rs_chain_same_content(&a->chains[i],
						    &b->chains[i]) == want);
		}
		if (mode == 3) {
			ruleset_free(a);
			a = sample();
		}
		ruleset_free(b);
	}
	ruleset_free(a);
}

int main(void)
{
	test_same_content();
	test_ifname();
	test_text();
	test_json();
	test_note();
	test_pack();
	test_pack_table();
	test_link_jumps();
	return unit_done();
}
