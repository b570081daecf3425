// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ruleset.c - the model: construction, interface-name keys, and the
 * text/JSON views of a hand-made ruleset.
 */
#include <stdlib.h>

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

	s = rsprint_rule(&rs->chains[0].rules[0]);
	CHECK_STR(s, "iifname \"lo\" accept");
	free(s);
	s = rsprint_rule(&rs->chains[0].rules[1]);
	CHECK_STR(s, "ip saddr 10.0.0.0/8 l4proto tcp dport { 22, 1000-2000 } "
		  "jump ssh comment \"admins\"");
	free(s);
	s = rsprint_rule(&rs->chains[0].rules[2]);
	CHECK_STR(s, "ct state { established, related } unknown match foo rev 2 "
		  "tcp flags & 0x12 == 0x2 accept");
	free(s);
	s = rsprint_rule(&rs->chains[1].rules[0]);
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

int main(void)
{
	test_ifname();
	test_text();
	test_json();
	test_note();
	return unit_done();
}
