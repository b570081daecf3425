// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_cthelper.c - conntrack helpers and what they can open
 * (auditd/policy/cthelper.c) on hand-made rulesets, audited without host
 * facts: the three ways a rule attaches a helper, the ports related first
 * packets get to beyond new ones, and no finding where related connections
 * get no further.  No privileges; tests/netns/ct-helper.sh does it with a
 * real FTP exchange.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter.h>

#include "cthelper.h"
#include "engine.h"
#include "failopen.h"
#include "ruleset.h"
#include "unit.h"

static struct rs_chain *base(struct ruleset *rs, const char *name,
			     uint32_t hook, enum rs_verdict_kind policy)
{
	struct rs_chain *c = ruleset_add_chain(rs, RS_ORIGIN_NFT,
					       NFPROTO_INET, "t", name);

	c->base = true;
	c->hook = hook;
	c->policy = policy;
	c->type = strdup("filter");
	return c;
}

static void stmt(struct rs_rule *r, const char *name, const char *text)
{
	struct rs_stmt *s = rs_rule_add_stmt(r);

	s->name = strdup(name);
	s->text = text ? strdup(text) : NULL;
}

static void tcp_dport(struct rs_rule *r, unsigned int port)
{
	rs_match_set_range(rs_rule_add_match(r), RS_F_L4PROTO, IPPROTO_TCP,
			   IPPROTO_TCP, false);
	rs_match_set_range(rs_rule_add_match(r), RS_F_DPORT, port, port, false);
}

/* A host of nothing but: prerouting attaches a helper the way given
 * (name, text) to tcp/21; input drops but what related (when related) and
 * tcp/21. */
static struct ruleset *ruleset(const char *name, const char *text,
			       bool related)
{
	struct ruleset *rs = ruleset_new();
	struct rs_chain *c;
	struct rs_match *m;
	struct rs_rule *r;

	c = base(rs, "pre", NF_INET_PRE_ROUTING, RS_V_ACCEPT);
	if (name) {
		r = rs_chain_add_rule(c);
		tcp_dport(r, 21);
		stmt(r, name, text);
		r->verdict.kind = RS_V_NONE;
	}
	c = base(rs, "input", NF_INET_LOCAL_IN, RS_V_DROP);
	/* ct state established(,related) accept: (state & bits) != 0 */
	r = rs_chain_add_rule(c);
	m = rs_rule_add_match(r);
	m->op = RS_OP_MASK_NE;
	m->nfields = 1;
	m->fields[0] = RS_F_CT_STATE;
	m->mask = RS_CT_STATE_ESTABLISHED |
		  (related ? RS_CT_STATE_RELATED : 0);
	m->value = 0;
	r->verdict.kind = RS_V_ACCEPT;
	r = rs_chain_add_rule(c);
	tcp_dport(r, 21);
	r->verdict.kind = RS_V_ACCEPT;
	return rs;
}

/* ruleset() attaching the nft object name, of helper type type and
 * protocol l4, as the reader resolves it (rs_stmt.helper_type); packed
 * when pack, as the reader hands it. */
static struct ruleset *ruleset_obj(const char *name, const char *type,
				   uint8_t l4, bool pack)
{
	char text[64];
	struct ruleset *rs;
	struct rs_stmt *s;
	size_t c;

	snprintf(text, sizeof(text), "ct helper %s", name);
	rs = ruleset("objref", text, true);
	s = &rs->chains[0].rules[0].stmts[0];
	s->helper_type = strdup(type);
	s->helper_l4 = l4;
	for (c = 0; pack && c < rs->nchains; c++)
		CHECK_EQ(ruleset_pack_chain(rs, &rs->chains[c]), 0);
	return rs;
}

static struct failopen_result *inspect(struct ruleset *rs)
{
	struct engine_input in = { .rs = rs };
	struct engine_result *news = NULL;
	struct failopen_result *fr = calloc(1, sizeof(*fr));

	CHECK_EQ(engine_run(&in, &news), 0);
	CHECK_EQ(cthelper_inspect(&in, news, fr), 0);
	engine_result_free(news);
	return fr;
}

int main(void)
{
	static const char *const forms[][2] = {
		{ "objref", "ct helper ftp-std" },	/* nft, named object */
		{ "ct helper set", "ftp" },
		{ "CT", "helper ftp" },			/* -j CT --helper */
	};
	struct failopen_result *fr;
	struct ruleset *rs;
	size_t i;

	/* the same with packed chains, as the readers hand them: a chain
	 * with a helper statement is not skipped (rs_chain.may_helper) */
	for (i = 0; i < 6; i++) {
		size_t c;

		rs = ruleset(forms[i % 3][0], forms[i % 3][1], true);
		for (c = 0; i >= 3 && c < rs->nchains; c++) {
			CHECK_EQ(ruleset_pack_chain(rs, &rs->chains[c]), 0);
			CHECK(rs->chains[c].may_helper == (c == 0));
		}
		fr = inspect(rs);
		CHECK_EQ(fr->nfindings, 1);
		if (fr->nfindings) {
			const char *m = fr->findings[0].message;

			CHECK_EQ(fr->findings[0].kind,
				 FAILOPEN_CT_HELPER_RELATED);
			CHECK(strstr(m, "conntrack helper ftp") != NULL);
			/* 21 is open to new connections anyway */
			CHECK(strstr(m, "tcp 0-20,22-65535") != NULL);
			/* related is let in for every protocol: said as is */
			CHECK(strstr(m, "udp 0-65535") != NULL);
			CHECK(strstr(m, "IPv4 and IPv6") != NULL);
		}
		failopen_result_free(fr);
		ruleset_free(rs);
	}
	/* related not let in: the helper opens nothing */
	rs = ruleset("CT", "helper ftp", false);
	fr = inspect(rs);
	CHECK_EQ(fr->nfindings, 0);
	failopen_result_free(fr);
	ruleset_free(rs);
	/* related let in but no helper: no expectation, no finding */
	rs = ruleset(NULL, NULL, true);
	fr = inspect(rs);
	CHECK_EQ(fr->nfindings, 0);
	failopen_result_free(fr);
	ruleset_free(rs);
	/* helpers whose expectations lead out, not in: firewalld's
	 * netbios-ns object, -j CT --helper tftp */
	rs = ruleset("objref", "ct helper helper-netbios-ns-udp", true);
	fr = inspect(rs);
	CHECK_EQ(fr->nfindings, 0);
	failopen_result_free(fr);
	ruleset_free(rs);
	rs = ruleset("CT", "helper tftp", true);
	fr = inspect(rs);
	CHECK_EQ(fr->nfindings, 0);
	failopen_result_free(fr);
	ruleset_free(rs);
	/* nft objects whose type the reader found: the type decides, not
	 * the name; a type other than ftp is said not to be modelled */
	for (i = 0; i < 2; i++) {
		const char *m;

		/* "web" is of type ftp: FTP */
		rs = ruleset_obj("web", "ftp", IPPROTO_TCP, i);
		fr = inspect(rs);
		CHECK_EQ(fr->nfindings, 1);
		m = fr->nfindings ? fr->findings[0].message : "";
		CHECK(strstr(m, "conntrack helper web (nft object of type "
			     "ftp, tcp), and the ruleset") != NULL);
		CHECK(strstr(m, "tcp 0-20,22-65535") != NULL);
		CHECK(strstr(m, "does not model") == NULL);
		failopen_result_free(fr);
		ruleset_free(rs);
		/* a name that reads as tftp, of type ftp: not skipped */
		rs = ruleset_obj("tftp-in", "ftp", IPPROTO_TCP, i);
		fr = inspect(rs);
		CHECK_EQ(fr->nfindings, 1);
		failopen_result_free(fr);
		ruleset_free(rs);
		/* "web" of type tftp: its expectations lead out, skipped */
		rs = ruleset_obj("web", "tftp", IPPROTO_UDP, i);
		fr = inspect(rs);
		CHECK_EQ(fr->nfindings, 0);
		failopen_result_free(fr);
		ruleset_free(rs);
		/* of type sip: reported, saying that sip is not modelled */
		rs = ruleset_obj("voip", "sip", IPPROTO_UDP, i);
		fr = inspect(rs);
		CHECK_EQ(fr->nfindings, 1);
		m = fr->nfindings ? fr->findings[0].message : "";
		CHECK(strstr(m, "conntrack helper voip (nft object of type "
			     "sip, udp; fwaudit does not model the "
			     "connections a sip helper expects") != NULL);
		CHECK(strstr(m, "udp 0-65535") != NULL);
		failopen_result_free(fr);
		ruleset_free(rs);
	}
	/* a CT target without a helper (--notrack, a zone) is not one */
	rs = ruleset("CT", "zone 5", true);
	fr = inspect(rs);
	CHECK_EQ(fr->nfindings, 0);
	failopen_result_free(fr);
	ruleset_free(rs);
	return unit_done();
}
