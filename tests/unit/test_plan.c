// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_plan.c - `fwaudit fix`'s plan without privileges: audits made by
 * hand (rows judged by a small policy, a ruleset of a few chains), the
 * plan's front-end, steps and text, and the comparison the proof makes.
 */
#include <stdlib.h>
#include <unistd.h>

#include <netinet/in.h>
#include <linux/netfilter.h>

#include "plan.h"
#include "prove.h"
#include "unit.h"

static struct rs_interval any4[] = { { 0, 0xffffffffu } },
			  any6[] = { { 0, ~(rs_u128)0 } };
static char *eth0[] = { "eth0" };

static struct report_row mkrow(uint8_t family, uint8_t proto,
			       unsigned int lo, unsigned int hi,
			       enum engine_state state)
{
	struct report_row r;

	memset(&r, 0, sizeof(r));
	r.family = family;
	r.proto = proto;
	r.port_lo = (uint16_t)lo;
	r.port_hi = (uint16_t)hi;
	r.nsources = 1;
	r.sources = family == NFPROTO_IPV4 ? any4 : any6;
	r.nifaces = 1;
	r.ifaces = eth0;
	r.path = ENGINE_LOCAL;
	r.state = state;
	return r;
}

static struct policy *test_policy(void)
{
	char path[] = "/tmp/test_plan.XXXXXX";
	struct policy_error err;
	struct policy *p = NULL;
	int fd = mkstemp(path);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	fputs("allow tcp 22 from any \"SSH\"\n"
	      "allow any any from 10.0.0.0/8\n"
	      "alert critical tcp 6379 from any \"Redis\"\n"
	      "default alert warning\n", f);
	fclose(f);
	memset(&err, 0, sizeof(err));
	CHECK_EQ(policy_load(path, &p, &err), 0);
	unlink(path);
	return p;
}

/* An audit result around rows (borrowed) and rs (taken), judged by p. */
static struct audit_result *mkresult(const struct policy *p,
				     struct report_row *rows, size_t n,
				     struct ruleset *rs)
{
	struct audit_result *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->snap.rs = rs;
	r->report = calloc(1, sizeof(*r->report));
	if (!r->report)
		return r;
	r->report->rows = rows;
	r->report->nrows = n;
	CHECK_EQ(policy_judge(p, rows, n, &r->verdicts), 0);
	return r;
}

static void result_free(struct audit_result *r)
{
	if (!r)
		return;
	policy_result_free(r->verdicts);
	free(r->report);	/* the rows are the test's */
	ruleset_free(r->snap.rs);
	free(r);
}

/* a bare host: every port open, 22 and 6379 listening, both families */
static size_t bare_rows(struct report_row *rows)
{
	size_t n = 0;
	int f;

	for (f = 0; f < 2; f++) {
		uint8_t fam = f ? NFPROTO_IPV6 : NFPROTO_IPV4;

		rows[n++] = mkrow(fam, IPPROTO_TCP, 0, 21, ENGINE_OPEN);
		rows[n++] = mkrow(fam, IPPROTO_TCP, 22, 22, ENGINE_EXPOSED);
		rows[n++] = mkrow(fam, IPPROTO_TCP, 23, 6378, ENGINE_OPEN);
		rows[n++] = mkrow(fam, IPPROTO_TCP, 6379, 6379,
				  ENGINE_EXPOSED);
		rows[n++] = mkrow(fam, IPPROTO_TCP, 6380, 65535, ENGINE_OPEN);
	}
	return n;
}

static char *sh_text(const struct plan *p, bool nft)
{
	struct strbuf b = STRBUF_INIT;

	if (nft)
		plan_nft(p, &b);
	else
		plan_sh(p, &b);
	return strbuf_take(&b);
}

/* Nothing filters: one default-drop table that accepts SSH from any and
 * every port from 10.0.0.0/8, in one nft -f transaction. */
static void test_bare(const struct policy *pol)
{
	struct report_row rows[10];
	size_t n = bare_rows(rows);
	struct audit_result *r = mkresult(pol, rows, n, ruleset_new());
	struct plan *p = NULL;
	char *s;

	CHECK_EQ(plan_build(r, &p), 0);
	if (!p)
		goto out;
	CHECK_EQ(p->fe, PLAN_FE_NONE);
	CHECK(p->default_drop);
	CHECK_EQ(p->nsteps, 1);
	CHECK_EQ(p->nunfixed, 0);
	/* the table closes every violation (--format json's "closes") */
	CHECK(p->nsteps && p->steps[0].nclosed == r->verdicts->nviolations &&
	      r->verdicts->nviolations > 0);
	s = sh_text(p, false);
	CHECK(s && strstr(s, "nft -f - <<'EOF'\ntable inet fwaudit {\n"));
	CHECK(s && strstr(s, "policy drop;"));
	CHECK(s && strstr(s, "\t\tmeta nfproto ipv4 tcp dport 22 accept\n"));
	CHECK(s && strstr(s, "\t\tmeta nfproto ipv6 tcp dport 22 accept\n"));
	/* 22 from 10/8 is in the part "from any" */
	CHECK(s && strstr(s, "\t\tip saddr { 10.0.0.0/8 } tcp dport { 0-21, "
			  "23-65535 } accept\n"));
	CHECK(s && strstr(s, "nd-neighbor-solicit"));
	/* martians are dropped before any accept */
	CHECK(s && strstr(s, "127.0.0.0/8") < strstr(s, "dport 22 accept"));
	free(s);
	s = sh_text(p, true);
	CHECK(s && !strncmp(s, "#!/usr/sbin/nft -f\n", 19));
	CHECK(s && strstr(s, "table inet fwaudit {\n\tchain input {\n\t\ttype "
			  "filter hook input priority filter; policy drop;"));
	free(s);
out:
	plan_free(p);
	result_free(r);
}

/* ufw manages the input: ufw commands, and their iptables equivalents
 * for the proof. */
static void test_ufw(const struct policy *pol)
{
	struct report_row rows[2];
	struct ruleset *rs = ruleset_new();
	struct audit_result *r;
	struct plan *p = NULL;
	size_t i;
	bool deny = false, proof = false;
	struct rs_chain *c;

	CHECK(ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "filter",
				"ufw-user-input") != NULL);
	/* ufw's default: INPUT drops */
	c = ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "filter",
			      "INPUT");
	CHECK(c != NULL);
	if (c) {
		c->base = true;
		c->hook = NF_INET_LOCAL_IN;
		c->policy = RS_V_DROP;
	}
	rows[0] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 22, 22, ENGINE_EXPOSED);
	rows[1] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 6379, 6379,
			ENGINE_EXPOSED);
	r = mkresult(pol, rows, 2, rs);
	CHECK_EQ(plan_build(r, &p), 0);
	if (!p)
		goto out;
	CHECK_EQ(p->fe, PLAN_FE_UFW);
	CHECK(!p->default_drop);
	CHECK_EQ(p->nsteps, 1);
	for (i = 0; p->nsteps && i < p->steps[0].ncmds; i++)
		deny |= !strcmp(p->steps[0].cmds[i], "ufw prepend deny in on "
				"eth0 proto tcp from 0.0.0.0/0 to any port "
				"6379");
	for (i = 0; p->nsteps && i < p->steps[0].nproof; i++)
		proof |= !strcmp(p->steps[0].proof[i], "iptables -I "
				 "ufw-user-input 1 -i eth0 -p tcp -s 0.0.0.0/0 "
				 "--dport 6379 -j DROP");
	CHECK(deny);
	CHECK(proof);
	CHECK(p->nsteps && p->steps[0].ncmds == p->steps[0].nproof);
out:
	plan_free(p);
	result_free(r);
}

/* A native input chain: nft insert rule into it; a published port goes
 * to DOCKER-USER; the nft format holds both as drops of its own table. */
static void test_nft_docker(const struct policy *pol)
{
	struct report_row rows[2];
	struct ruleset *rs = ruleset_new();
	struct audit_result *r;
	struct rs_chain *c;
	struct plan *p = NULL;
	char *s;

	c = ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "filter",
			      "input");
	CHECK(c != NULL);
	if (c) {
		c->base = true;
		c->hook = NF_INET_LOCAL_IN;
		c->policy = RS_V_DROP;
	}
	CHECK(ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "filter",
				"DOCKER-USER") != NULL);
	CHECK_EQ(plan_frontend_detect(rs), PLAN_FE_NFT);
	rows[0] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 22, 22, ENGINE_EXPOSED);
	rows[1] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 8080, 8080,
			ENGINE_EXPOSED);
	rows[1].path = ENGINE_FORWARDED;
	r = mkresult(pol, rows, 2, rs);
	CHECK_EQ(plan_build(r, &p), 0);
	if (!p)
		goto out;
	CHECK(p->docker);
	CHECK_EQ(p->nsteps, 1);
	s = sh_text(p, true);
	CHECK(s && strstr(s, "\tchain forward {\n\t\ttype filter hook forward "
			  "priority filter - 10; policy accept;\n"));
	CHECK(s && strstr(s, "meta l4proto tcp ct original proto-dst 8080 "
			  "ct status dnat drop"));
	free(s);
out:
	plan_free(p);
	result_free(r);
}

/* A native IPv4-only firewall: IPv6 gets the default-drop table for
 * IPv6 alone (IPv4 accepted first, left to the firewall that filters
 * it); a native `table ip filter` with a chain "input" is nftables. */
static void test_v4only(const struct policy *pol)
{
	struct report_row rows[10];
	size_t n = bare_rows(rows), i;
	struct ruleset *rs = ruleset_new();
	struct audit_result *r;
	struct rs_chain *c;
	struct plan *p = NULL;
	char *s;

	c = ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "filter",
			      "input");
	CHECK(c != NULL);
	if (c) {
		c->base = true;
		c->hook = NF_INET_LOCAL_IN;
		c->policy = RS_V_DROP;
	}
	CHECK_EQ(plan_frontend_detect(rs), PLAN_FE_NFT);
	/* IPv4 filtered: only its 22 and 6379 rows are left */
	n = 0;
	for (i = 0; i < 10; i++)
		if (rows[i].family == NFPROTO_IPV6 || rows[i].port_lo == 6379 ||
		    rows[i].port_lo == 22)
			rows[n++] = rows[i];
	r = mkresult(pol, rows, n, rs);
	CHECK_EQ(plan_build(r, &p), 0);
	if (!p)
		goto out;
	CHECK(p->default_drop);
	CHECK_EQ(p->nsteps, 2);
	/* the IPv6 table closes the IPv6 violations, the IPv4 step its one */
	for (i = 0; p->nsteps == 2 && i < p->steps[0].nclosed; i++)
		CHECK_EQ(r->report->rows[r->verdicts->violations[
			 p->steps[0].closed[i]].row].family, NFPROTO_IPV6);
	CHECK(p->nsteps == 2 && p->steps[1].nclosed == 1 &&
	      r->report->rows[r->verdicts->violations[
	      p->steps[1].closed[0]].row].port_lo == 6379);
	CHECK(p->nsteps == 2 && p->steps[0].nclosed + p->steps[1].nclosed ==
	      r->verdicts->nviolations);
	s = sh_text(p, false);
	CHECK(s && strstr(s, "# nothing filters the IPv6 input"));
	CHECK(s && strstr(s, "policy drop;\n\t\t# IPv4: the host's firewall "
			  "filters it\n\t\tmeta nfproto ipv4 accept\n"));
	CHECK(s && !strstr(s, "meta nfproto ipv4 tcp dport 22 accept"));
	CHECK(s && strstr(s, "meta nfproto ipv6 tcp dport 22 accept"));
	CHECK(s && strstr(s, "# ipv4 tcp/6379 from "));
	free(s);
	/* nft: the IPv4 drop ahead of the table's IPv4 accept */
	s = sh_text(p, true);
	CHECK(s && strstr(s, "tcp dport 6379 drop") &&
	      strstr(s, "tcp dport 6379 drop") <
	      strstr(s, "meta nfproto ipv4 accept"));
	free(s);
out:
	plan_free(p);
	result_free(r);
}

/* firewalld: rich rules in the zone whose chain accepted the probes; a
 * port its own filter_INPUT accepted goes to a table of our own. */
static void test_firewalld(const struct policy *pol)
{
	struct report_row rows[3];
	struct ruleset *rs = ruleset_new();
	struct engine_piece pc[2];
	struct engine_step st[2];
	struct audit_result *r;
	struct rs_chain *c;
	struct plan *p = NULL;
	size_t i;
	bool drop = false, keep = false, proof = false, own = false;

	c = ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "firewalld",
			      "filter_INPUT");
	CHECK(c != NULL);
	if (c) {
		c->base = true;
		c->hook = NF_INET_LOCAL_IN;
		c->policy = RS_V_ACCEPT;
	}
	CHECK(ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "firewalld",
				"filter_IN_public_allow") != NULL);
	/* the chains are in place: take their addresses now */
	memset(pc, 0, sizeof(pc));
	memset(st, 0, sizeof(st));
	for (i = 0; i < 2; i++) {
		st[i].hook = NF_INET_LOCAL_IN;
		st[i].chain = &rs->chains[i ? 0 : 1];
		st[i].verdict = RS_V_ACCEPT;
		pc[i].nsteps = 1;
		pc[i].steps = &st[i];
	}
	CHECK_EQ(plan_frontend_detect(rs), PLAN_FE_FIREWALLD);
	rows[0] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 22, 22, ENGINE_EXPOSED);
	rows[1] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 6379, 6379,
			ENGINE_EXPOSED);
	rows[1].piece = &pc[0];
	rows[2] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 8080, 8080,
			ENGINE_EXPOSED);
	rows[2].piece = &pc[1];
	r = mkresult(pol, rows, 3, rs);
	/* filter_INPUT accepts only (no drop anywhere): nothing filters;
	 * with a drop policy the zone's rules are the plan */
	CHECK_EQ(plan_build(r, &p), 0);
	CHECK(p && p->default_drop);
	plan_free(p);
	p = NULL;
	rs->chains[0].policy = RS_V_DROP;
	CHECK_EQ(plan_build(r, &p), 0);
	if (!p)
		goto out;
	CHECK(!p->default_drop);
	CHECK_EQ(p->nsteps, 2);
	for (i = 0; p->nsteps && i < p->steps[0].ncmds; i++) {
		drop |= !strcmp(p->steps[0].cmds[i], "firewall-cmd --zone=public "
				"--add-rich-rule='rule priority=\"-1\" "
				"family=\"ipv4\" port port=\"6379\" "
				"protocol=\"tcp\" drop'");
		keep |= !strcmp(p->steps[0].cmds[i], "firewall-cmd "
				"--zone=public --add-rich-rule='rule "
				"priority=\"-2\" family=\"ipv4\" source "
				"address=\"10.0.0.0/8\" port port=\"6379\" "
				"protocol=\"tcp\" accept'");
	}
	for (i = 0; p->nsteps && i < p->steps[0].nproof; i++)
		proof |= !strcmp(p->steps[0].proof[i], "nft add rule inet "
				 "firewalld filter_IN_public_pre meta nfproto "
				 "ipv4 tcp dport 6379 drop");
	for (i = 0; p->nsteps > 1 && i < p->steps[1].ncmds; i++)
		own |= !strncmp(p->steps[1].cmds[i], "nft add rule inet "
				"fwaudit input ", 32);
	CHECK(drop);
	CHECK(keep);
	CHECK(proof);
	CHECK(own);
out:
	plan_free(p);
	result_free(r);
}

/* The proof's comparison: a violation left, an allowed exposure lost. */
static void test_compare(const struct policy *pol)
{
	struct report_row rows[10], after_ok[2], after_bad[2];
	size_t n = bare_rows(rows), nl = 0, i;
	struct audit_result *live = mkresult(pol, rows, n, ruleset_new());
	struct audit_result *a, *b;
	char **l = NULL;
	static struct rs_interval ten[] = { { 0x0a000000, 0x0affffff } };

	/* after a good plan: 22 from any, the rest from 10/8 (IPv4 only
	 * here: IPv6 loses nothing it had from 10/8, and keeps 22) */
	after_ok[0] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 0, 65535, ENGINE_OPEN);
	after_ok[0].sources = ten;
	after_ok[1] = mkrow(NFPROTO_IPV6, IPPROTO_TCP, 22, 22,
			    ENGINE_EXPOSED);
	a = mkresult(pol, after_ok, 2, ruleset_new());
	CHECK_EQ(prove_compare(live, a, &l, &nl), 0);
	/* IPv4 22 from any is lost in this after: only 10/8 holds it */
	CHECK_EQ(nl, 1);
	CHECK(nl && !strncmp(l[0], "lost: ipv4 tcp/22 from ", 23));
	for (i = 0; i < nl; i++)
		free(l[i]);
	free(l);
	l = NULL;
	nl = 0;
	/* a plan that forgot 6379 over IPv6 and lost nothing */
	after_bad[0] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 0, 65535, ENGINE_OPEN);
	after_bad[1] = mkrow(NFPROTO_IPV6, IPPROTO_TCP, 0, 65535, ENGINE_OPEN);
	after_bad[0].sources = ten;
	b = mkresult(pol, after_bad, 2, ruleset_new());
	CHECK_EQ(prove_compare(live, b, &l, &nl), 0);
	CHECK(nl >= 2);
	CHECK(nl && !strncmp(l[0], "violation: ipv6 tcp/", 20));
	for (i = 0; i < nl; i++) {
		CHECK(strncmp(l[i], "lost: ipv6", 10) != 0);
		free(l[i]);
	}
	free(l);
	result_free(a);
	result_free(b);
	result_free(live);
}

int main(void)
{
	struct policy *pol = test_policy();

	if (!pol)
		return 1;
	test_bare(pol);
	test_ufw(pol);
	test_nft_docker(pol);
	test_v4only(pol);
	test_firewalld(pol);
	test_compare(pol);
	policy_free(pol);
	return unit_done();
}
