// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_failopen.c - fail-open findings (auditd/policy/failopen.c) on hand-made
 * rulesets in the shapes Docker 20.10, Docker >= 28 (iptables) and Docker
 * 29 (nftables) write.  No privileges.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "failopen.h"
#include "ruleset.h"
#include "unit.h"

#define CONTAINER	0x0a420002u	/* 10.66.0.2 */

static struct rs_chain *chain(struct ruleset *rs, enum rs_origin o,
			      uint8_t family, const char *table,
			      const char *name, int hook, int prio)
{
	struct rs_chain *c = ruleset_add_chain(rs, o, family, table, name);

	if (hook >= 0) {
		c->base = true;
		c->hook = (uint32_t)hook;
		c->priority = prio;
		c->policy = RS_V_ACCEPT;
	}
	return c;
}

static struct rs_rule *jump(struct rs_chain *c, const char *to)
{
	struct rs_rule *r = rs_chain_add_rule(c);

	r->verdict.kind = RS_V_JUMP;
	r->verdict.chain = strdup(to);
	return r;
}

static struct rs_rule *verdict(struct rs_chain *c, enum rs_verdict_kind k)
{
	struct rs_rule *r = rs_chain_add_rule(c);

	r->verdict.kind = k;
	return r;
}

static void ifname_not(struct rs_rule *r, const char *name)
{
	rs_match_set_ifname(rs_rule_add_match(r), RS_F_IIFNAME, name, false,
			    true);
}

/* the filter and nat tables of Docker 20.10 (docker0, one published
 * port), FORWARD's jump to DOCKER-USER present or not; DOCKER-USER with
 * a user rule or only Docker's RETURN */
static struct ruleset *docker20(enum rs_origin o, bool with_jump,
				bool user_rule)
{
	struct ruleset *rs = ruleset_new();
	struct rs_chain *fwd, *c;
	struct rs_rule *r;

	fwd = chain(rs, o, NFPROTO_IPV4, "filter", "FORWARD", NF_INET_FORWARD, 0);
	if (with_jump)
		jump(fwd, "DOCKER-USER");
	jump(fwd, "DOCKER-ISOLATION-STAGE-1");
	/* -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT */
	r = verdict(fwd, RS_V_ACCEPT);
	rs_match_set_range(rs_rule_add_match(r), RS_F_CT_STATE,
			   RS_CT_STATE_ESTABLISHED, RS_CT_STATE_RELATED, false);
	jump(fwd, "DOCKER");
	verdict(fwd, RS_V_ACCEPT);
	c = chain(rs, o, NFPROTO_IPV4, "filter", "DOCKER", -1, 0);
	verdict(c, RS_V_ACCEPT);
	chain(rs, o, NFPROTO_IPV4, "filter", "DOCKER-ISOLATION-STAGE-1", -1, 0);
	c = chain(rs, o, NFPROTO_IPV4, "filter", "DOCKER-USER", -1, 0);
	if (user_rule)
		verdict(c, RS_V_DROP);
	verdict(c, RS_V_RETURN);
	c = chain(rs, o, NFPROTO_IPV4, "nat", "PREROUTING",
		  NF_INET_PRE_ROUTING, -100);
	jump(c, "DOCKER");
	c = chain(rs, o, NFPROTO_IPV4, "nat", "DOCKER", -1, 0);
	r = verdict(c, RS_V_DNAT);
	ifname_not(r, "docker0");
	r->verdict.nat.family = NFPROTO_IPV4;
	r->verdict.nat.has_addr = true;
	r->verdict.nat.addr_lo = r->verdict.nat.addr_hi = CONTAINER;
	return rs;
}

static size_t count(const struct failopen_result *fr, enum failopen_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < fr->nfindings; i++)
		n += fr->findings[i].kind == k;
	return n;
}

static const struct failopen_finding *first(const struct failopen_result *fr,
					    enum failopen_kind k)
{
	size_t i;

	for (i = 0; i < fr->nfindings; i++)
		if (fr->findings[i].kind == k)
			return &fr->findings[i];
	return NULL;
}

static void test_docker_user(void)
{
	struct failopen_result *fr;
	struct ruleset *rs;
	const struct failopen_finding *f;
	size_t i, c;

	/* Docker's own layout: nothing to say */
	rs = docker20(RS_ORIGIN_NFT, true, true);
	CHECK_EQ(failopen_inspect(rs, &fr), 0);
	CHECK_EQ(fr->nfindings, 0);
	failopen_result_free(fr);
	ruleset_free(rs);

	/* the same with packed chains (as the readers hand them): found by
	 * their kept hash, the same findings */
	for (i = 0; i < 2; i++) {
		rs = docker20(RS_ORIGIN_NFT, i, true);
		for (c = 0; c < rs->nchains; c++)
			CHECK_EQ(ruleset_pack_chain(rs, &rs->chains[c]), 0);
		CHECK_EQ(failopen_inspect(rs, &fr), 0);
		CHECK_EQ(count(fr, FAILOPEN_FORWARD_NO_DOCKER_USER), !i);
		failopen_result_free(fr);
		ruleset_free(rs);
	}

	/* the jump is gone, DOCKER-USER holds a rule: critical */
	rs = docker20(RS_ORIGIN_LEGACY, false, true);
	CHECK_EQ(failopen_inspect(rs, &fr), 0);
	CHECK_EQ(count(fr, FAILOPEN_FORWARD_NO_DOCKER_USER), 1);
	f = first(fr, FAILOPEN_FORWARD_NO_DOCKER_USER);
	if (f) {
		CHECK_EQ(f->severity, FAILOPEN_SEV_CRITICAL);
		CHECK_STR(f->table, "filter");
		CHECK_STR(f->chain, "FORWARD");
		CHECK_EQ(f->origin, RS_ORIGIN_LEGACY);
		CHECK(strstr(f->message, "no jump to DOCKER-USER") != NULL);
		CHECK(strstr(f->message, "x_tables") != NULL);
	}
	/* Docker 20.10: no direct-access drops expected */
	CHECK_EQ(count(fr, FAILOPEN_DOCKER_DIRECT_ACCESS), 0);
	failopen_result_free(fr);
	ruleset_free(rs);

	/* gone, DOCKER-USER only has Docker's RETURN: a warning */
	rs = docker20(RS_ORIGIN_NFT, false, false);
	CHECK_EQ(failopen_inspect(rs, &fr), 0);
	f = first(fr, FAILOPEN_FORWARD_NO_DOCKER_USER);
	CHECK(f && f->severity == FAILOPEN_SEV_WARNING);
	failopen_result_free(fr);
	ruleset_free(rs);
}

static void test_docker_user_late(void)
{
	struct failopen_result *fr;
	struct ruleset *rs = docker20(RS_ORIGIN_NFT, false, true);
	struct rs_chain *fwd = &rs->chains[0];
	const struct failopen_finding *f;

	/* a hand-made jump appended below Docker's rules (after a restart) */
	jump(fwd, "DOCKER-USER");
	CHECK_EQ(failopen_inspect(rs, &fr), 0);
	CHECK_EQ(count(fr, FAILOPEN_FORWARD_NO_DOCKER_USER), 0);
	f = first(fr, FAILOPEN_DOCKER_USER_LATE);
	CHECK(f != NULL);
	if (f) {
		CHECK(strstr(f->message, "only at rule 5, after rule 3 (jump DOCKER)") != NULL);
		CHECK_EQ(f->severity, FAILOPEN_SEV_CRITICAL);
	}
	failopen_result_free(fr);
	ruleset_free(rs);
}

/* Docker >= 28: the same plus DOCKER-FORWARD; the raw drop present or not */
static void test_direct_access(void)
{
	struct failopen_result *fr;
	struct ruleset *rs;
	struct rs_chain *raw;
	struct rs_rule *r;
	const struct failopen_finding *f;
	int pass;

	for (pass = 0; pass < 3; pass++) {
		rs = docker20(RS_ORIGIN_NFT, true, false);
		chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "filter", "DOCKER-FORWARD",
		      -1, 0);
		raw = chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "raw", "PREROUTING",
			    NF_INET_PRE_ROUTING, -300);
		if (pass == 1) {
			/* -d 10.66.0.2/32 ! -i docker0 -p tcp --dport 80 -j DROP */
			r = verdict(raw, RS_V_DROP);
			rs_match_set_range(rs_rule_add_match(r), RS_F_IP_DADDR,
					   CONTAINER, CONTAINER, false);
			ifname_not(r, "docker0");
			rs_match_set_range(rs_rule_add_match(r), RS_F_DPORT,
					   80, 80, false);
		} else if (pass == 2) {
			/* a drop for another address does not count */
			r = verdict(raw, RS_V_DROP);
			rs_match_set_range(rs_rule_add_match(r), RS_F_IP_DADDR,
					   CONTAINER + 1, CONTAINER + 1, false);
		}
		CHECK_EQ(failopen_inspect(rs, &fr), 0);
		CHECK_EQ(count(fr, FAILOPEN_DOCKER_DIRECT_ACCESS),
			 pass == 1 ? 0 : 1);
		f = first(fr, FAILOPEN_DOCKER_DIRECT_ACCESS);
		if (f) {
			CHECK(strstr(f->message, "10.66.0.2") != NULL);
			CHECK_STR(f->table, "nat");
			CHECK_STR(f->chain, "DOCKER");
		}
		failopen_result_free(fr);
		ruleset_free(rs);
	}
}

/* Docker >= 28 without the raw drop: a network in gateway mode
 * nat-unprotected (filter DOCKER "! -i BR -o BR -j ACCEPT", moby v28.5.2
 * iptabler/network.go setDefaultForwardRule()) is named as such, found
 * through the DNAT's "! -i BR" or, without it (userland proxy off),
 * through the network's MASQUERADE; the same rule with DROP (nat,
 * routed), a rule for another bridge or one with a port is not it, and
 * the finding then names the missing drop and --allow-direct-routing. */
static struct rs_chain *named(struct ruleset *rs, const char *table,
			       const char *name)
{
	size_t i;

	for (i = 0; i < rs->nchains; i++)
		if (strcmp(rs->chains[i].table, table) == 0 &&
		    strcmp(rs->chains[i].name, name) == 0)
			return &rs->chains[i];
	return NULL;
}

static void test_direct_access_unprotected(void)
{
	struct failopen_result *fr;
	const struct failopen_finding *f;
	struct ruleset *rs;
	struct rs_chain *c;
	struct rs_rule *r;
	int pass;

	for (pass = 0; pass < 6; pass++) {
		rs = docker20(RS_ORIGIN_NFT, true, false);
		chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "filter", "DOCKER-FORWARD",
		      -1, 0);
		c = named(rs, "filter", "DOCKER");
		/* ! -i docker0 -o docker0 -j ACCEPT|DROP, ahead of the
		 * chain's ACCEPT of docker20() */
		r = verdict(c, pass == 2 ? RS_V_DROP : RS_V_ACCEPT);
		ifname_not(r, pass == 3 ? "br-other" : "docker0");
		rs_match_set_ifname(rs_rule_add_match(r), RS_F_OIFNAME,
				    pass == 3 ? "br-other" : "docker0", false,
				    false);
		if (pass == 4)
			rs_match_set_range(rs_rule_add_match(r), RS_F_DPORT,
					   80, 80, false);
		if (pass == 1 || pass == 5) {
			/* the DNAT without "! -i docker0"; pass 1: -s
			 * 10.66.0.0/24 ! -o docker0 -j MASQUERADE */
			struct rs_chain *nat = named(rs, "nat", "DOCKER");

			rs_match_release(&nat->rules[0].matches[0]);
			nat->rules[0].nmatches = 0;
			if (pass == 1) {
				c = chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "nat",
					  "POSTROUTING", NF_INET_POST_ROUTING,
					  100);
				r = verdict(c, RS_V_MASQUERADE);
				rs_match_set_range(rs_rule_add_match(r),
						   RS_F_IP_SADDR, CONTAINER & ~0xffu,
						   CONTAINER | 0xffu, false);
				rs_match_set_ifname(rs_rule_add_match(r),
						    RS_F_OIFNAME, "docker0",
						    false, true);
			}
		}
		CHECK_EQ(failopen_inspect(rs, &fr), 0);
		CHECK_EQ(count(fr, FAILOPEN_DOCKER_DIRECT_ACCESS), 1);
		f = first(fr, FAILOPEN_DOCKER_DIRECT_ACCESS);
		if (f && pass <= 1) {
			CHECK(strstr(f->message, "is on docker0, a network in "
				     "gateway mode nat-unprotected (filter/DOCKER "
				     "rule 2 accepts") != NULL);
			CHECK(strstr(f->message, "every port") != NULL);
		} else if (f) {
			CHECK(strstr(f->message, "nat-unprotected") == NULL);
			CHECK(strstr(f->message, "--allow-direct-routing") != NULL);
		}
		if (f)
			CHECK(strstr(f->message, "past DOCKER-USER rules on "
				     "the host port") != NULL);
		failopen_result_free(fr);
		ruleset_free(rs);
	}
}

/* Docker 29's nftables table, with and without its raw-PREROUTING drop */
static void test_direct_access_nft(void)
{
	struct failopen_result *fr;
	struct ruleset *rs;
	struct rs_chain *c;
	struct rs_rule *r;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		rs = ruleset_new();
		c = chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV6, "docker-bridges",
			  "nat-prerouting-and-output", -1, 0);
		r = verdict(c, RS_V_DNAT);
		r->verdict.nat.family = NFPROTO_IPV6;
		r->verdict.nat.has_addr = true;
		r->verdict.nat.addr_lo = r->verdict.nat.addr_hi =
			((rs_u128)0x20010db8u << 96) | 2;
		c = chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV6, "docker-bridges",
			  "raw-PREROUTING", NF_INET_PRE_ROUTING, -300);
		if (pass) {
			r = verdict(c, RS_V_DROP);
			rs_match_set_range(rs_rule_add_match(r), RS_F_IP6_DADDR,
					   ((rs_u128)0x20010db8u << 96) | 2,
					   ((rs_u128)0x20010db8u << 96) | 2,
					   false);
		}
		CHECK_EQ(failopen_inspect(rs, &fr), 0);
		CHECK_EQ(count(fr, FAILOPEN_DOCKER_DIRECT_ACCESS), pass ? 0 : 1);
		if (!pass && fr->nfindings)
			CHECK(strstr(fr->findings[0].message, "IPv6 container 2001:db8::2"));
		failopen_result_free(fr);
		ruleset_free(rs);
	}
}

/* Docker 29's nftables table in gateway mode nat-unprotected: the last
 * rule of filter-forward-in__BR is 'counter accept comment "UNPROTECTED"'
 * where nat and routed have "UNPUBLISHED PORT DROP" (moby docker-v29.7.2
 * nftabler/network.go); found through the DNAT's 'iifname != BR'.  Pass
 * 0: nat-unprotected; 1: the drop (nat); 2: the accept in another
 * bridge's chain; 3: an unconditional drop ahead of the accept. */
static void test_direct_access_nft_unprotected(void)
{
	struct failopen_result *fr;
	const struct failopen_finding *f;
	struct ruleset *rs;
	struct rs_chain *c;
	struct rs_rule *r;
	int pass;

	for (pass = 0; pass < 4; pass++) {
		rs = ruleset_new();
		c = chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "docker-bridges",
			  "nat-prerouting-and-output", -1, 0);
		r = verdict(c, RS_V_DNAT);
		ifname_not(r, "br-x");
		rs_match_set_range(rs_rule_add_match(r), RS_F_DPORT, 8080,
				   8080, false);
		r->verdict.nat.family = NFPROTO_IPV4;
		r->verdict.nat.has_addr = true;
		r->verdict.nat.addr_lo = r->verdict.nat.addr_hi = CONTAINER;
		chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "docker-bridges",
		      "raw-PREROUTING", NF_INET_PRE_ROUTING, -300);
		c = chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "docker-bridges",
			  pass == 2 ? "filter-forward-in__br-y" :
				      "filter-forward-in__br-x", -1, 0);
		/* ICC: iifname "br-x" accept */
		r = verdict(c, RS_V_ACCEPT);
		rs_match_set_ifname(rs_rule_add_match(r), RS_F_IIFNAME, "br-x",
				    false, false);
		if (pass == 3)
			verdict(c, RS_V_DROP);
		verdict(c, pass == 1 ? RS_V_DROP : RS_V_ACCEPT);
		CHECK_EQ(failopen_inspect(rs, &fr), 0);
		CHECK_EQ(count(fr, FAILOPEN_DOCKER_DIRECT_ACCESS), 1);
		f = first(fr, FAILOPEN_DOCKER_DIRECT_ACCESS);
		if (f && pass == 0) {
			CHECK(strstr(f->message, "IPv4 container 10.66.0.2") != NULL);
			CHECK(strstr(f->message, "is on br-x, a network in "
				     "gateway mode nat-unprotected (docker-bridges/"
				     "filter-forward-in__br-x rule 2 accepts") != NULL);
		} else if (f) {
			CHECK(strstr(f->message, "nat-unprotected") == NULL);
			CHECK(strstr(f->message, "no drop before DNAT") != NULL);
		}
		/* this backend has no DOCKER-USER to name */
		if (f) {
			CHECK(strstr(f->message, "DOCKER-USER") == NULL);
			CHECK(strstr(f->message, "past the operator's own "
				     "forward rules on the host port") != NULL);
		}
		failopen_result_free(fr);
		ruleset_free(rs);
	}
}

/* Docker 20.10 with --ip6tables: IPv6 DNATs, no IPv6 DOCKER-USER */
static void test_docker_user_v6(void)
{
	struct failopen_result *fr;
	struct ruleset *rs;
	struct rs_chain *c;
	const struct failopen_finding *f;
	int pass;

	for (pass = 0; pass < 3; pass++) {
		rs = docker20(RS_ORIGIN_NFT, true, pass != 2);
		c = chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV6, "nat", "DOCKER", -1, 0);
		verdict(c, RS_V_DNAT);
		if (pass == 1) {
			/* an IPv6 DOCKER-USER with a rule of its own */
			c = chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV6, "filter",
				  "DOCKER-USER", -1, 0);
			verdict(c, RS_V_DROP);
		}
		CHECK_EQ(failopen_inspect(rs, &fr), 0);
		CHECK_EQ(count(fr, FAILOPEN_DOCKER_USER_IPV4_ONLY), pass == 0);
		f = first(fr, FAILOPEN_DOCKER_USER_IPV4_ONLY);
		if (f) {
			CHECK_EQ(f->family, NFPROTO_IPV6);
			CHECK_STR(f->chain, "DOCKER");
			CHECK(strstr(f->message, "IPv4 DOCKER-USER holds 1") != NULL);
		}
		failopen_result_free(fr);
		ruleset_free(rs);
	}
}

static void test_mixed(void)
{
	struct failopen_result *fr;
	struct ruleset *rs = ruleset_new();
	struct rs_chain *c;
	const struct failopen_finding *f;

	/* empty legacy chains (a loaded module) and an empty nft chain: no */
	chain(rs, RS_ORIGIN_LEGACY, NFPROTO_IPV4, "filter", "INPUT",
	      NF_INET_LOCAL_IN, 0);
	c = chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "filter", "input",
		  NF_INET_LOCAL_IN, 0);
	verdict(c, RS_V_ACCEPT);
	CHECK_EQ(failopen_inspect(rs, &fr), 0);
	CHECK_EQ(fr->nfindings, 0);
	failopen_result_free(fr);

	/* a legacy rule at input beside the inet table's: IPv4 only */
	verdict(&rs->chains[0], RS_V_DROP);
	CHECK_EQ(failopen_inspect(rs, &fr), 0);
	CHECK_EQ(count(fr, FAILOPEN_XTABLES_AND_NFTABLES), 1);
	f = first(fr, FAILOPEN_XTABLES_AND_NFTABLES);
	if (f) {
		CHECK_EQ(f->family, NFPROTO_IPV4);
		CHECK_STR(f->chain, "INPUT");
		CHECK(strstr(f->message, "IPv4 input") != NULL);
		CHECK(strstr(f->message, "inet filter input") != NULL);
	}
	failopen_result_free(fr);

	/* a policy drop counts as holding rules */
	c = chain(rs, RS_ORIGIN_LEGACY, NFPROTO_IPV6, "filter", "INPUT",
		  NF_INET_LOCAL_IN, 0);
	c->policy = RS_V_DROP;
	CHECK_EQ(failopen_inspect(rs, &fr), 0);
	CHECK_EQ(count(fr, FAILOPEN_XTABLES_AND_NFTABLES), 2);
	failopen_result_free(fr);
	ruleset_free(rs);
}

/* netavark 1.4 (src/firewall/iptables.rs, as Podman 4.3 writes it) or CNI
 * (plugins/meta/portmap/portmap.go, plugins/meta/firewall/iptables.go):
 * FORWARD -j NETAVARK_FORWARD (CNI-FORWARD), accepting "-d NET --ctstate
 * RELATED,ESTABLISHED" and "-s NET"; one published port in
 * NETAVARK-DN-* (CNI-DN-*), with the hairpin "-s NET -j ...-SETMARK" */
static struct ruleset *cnet(const char *fwdname, const char *dn,
			    const char *setmark, enum rs_verdict_kind policy)
{
	struct ruleset *rs = ruleset_new();
	struct rs_chain *fwd, *c;
	struct rs_rule *r;

	fwd = chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "filter", "FORWARD",
		    NF_INET_FORWARD, 0);
	fwd->policy = policy;
	jump(fwd, fwdname);
	c = chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "filter", fwdname, -1, 0);
	r = verdict(c, RS_V_ACCEPT);
	rs_match_set_range(rs_rule_add_match(r), RS_F_IP_DADDR, 0x0a580000u,
			   0x0a58ffffu, false);
	rs_match_set_range(rs_rule_add_match(r), RS_F_CT_STATE,
			   RS_CT_STATE_ESTABLISHED, RS_CT_STATE_RELATED, false);
	r = verdict(c, RS_V_ACCEPT);
	rs_match_set_range(rs_rule_add_match(r), RS_F_IP_SADDR, 0x0a580000u,
			   0x0a58ffffu, false);
	c = chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "nat", dn, -1, 0);
	r = jump(c, setmark);
	rs_match_set_range(rs_rule_add_match(r), RS_F_IP_SADDR, 0x0a580000u,
			   0x0a58ffffu, false);
	r = verdict(c, RS_V_DNAT);
	r->verdict.nat.family = NFPROTO_IPV4;
	r->verdict.nat.has_addr = true;
	r->verdict.nat.addr_lo = r->verdict.nat.addr_hi = 0x0a580002u;
	chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "nat", setmark, -1, 0);
	return rs;
}

static void test_container_nets(void)
{
	static const char *const shapes[][3] = {
		{ "NETAVARK_FORWARD", "NETAVARK-DN-1D8721804F16F",
		  "NETAVARK-HOSTPORT-SETMARK" },
		{ "CNI-FORWARD", "CNI-DN-5e6a1b2c3d4e5f6a7b8c9",
		  "CNI-HOSTPORT-SETMARK" },
	};
	struct failopen_result *fr;
	struct ruleset *rs;
	const struct failopen_finding *f;
	size_t i;

	for (i = 0; i < 2; i++) {
		/* FORWARD accepts: the ports are open only because of it */
		rs = cnet(shapes[i][0], shapes[i][1], shapes[i][2], RS_V_ACCEPT);
		CHECK_EQ(failopen_inspect(rs, &fr), 0);
		CHECK_EQ(fr->nfindings, 1);
		f = first(fr, FAILOPEN_CONTAINER_FORWARD_OPEN);
		CHECK(f && strstr(f->message, i ? "CNI (portmap) publishes 1 port" :
				  "Podman (netavark) publishes 1 port") &&
		      !strcmp(f->chain, "FORWARD"));
		failopen_result_free(fr);
		/* ... unless another forward base chain drops by policy */
		chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "fw", "fwd",
		      NF_INET_FORWARD, 0)->policy = RS_V_DROP;
		CHECK_EQ(failopen_inspect(rs, &fr), 0);
		CHECK_EQ(count(fr, FAILOPEN_CONTAINER_FORWARD_OPEN), 0);
		failopen_result_free(fr);
		ruleset_free(rs);

		/* FORWARD drops: forged container sources still pass */
		rs = cnet(shapes[i][0], shapes[i][1], shapes[i][2], RS_V_DROP);
		CHECK_EQ(failopen_inspect(rs, &fr), 0);
		CHECK_EQ(fr->nfindings, 1);
		f = first(fr, FAILOPEN_CONTAINER_SUBNET_FORGED);
		CHECK(f && !strcmp(f->chain, shapes[i][0]) &&
		      strstr(f->message, "rule 2 accepts every packet"));
		failopen_result_free(fr);
		ruleset_free(rs);
	}
	/* no published port, FORWARD accepting: nothing to say */
	rs = cnet("NETAVARK_FORWARD", "NETAVARK-DN-X", "NETAVARK-HOSTPORT-SETMARK",
		  RS_V_ACCEPT);
	rs->chains[rs->nchains - 2].rules[1].verdict.kind = RS_V_ACCEPT;
	CHECK_EQ(failopen_inspect(rs, &fr), 0);
	CHECK_EQ(fr->nfindings, 0);

	failopen_result_free(fr);
	ruleset_free(rs);
}

/* LXD 5.0's table inet lxd (a network forward, its forward chain) and an
 * iptables FORWARD with policy DROP */
static void test_lxd(void)
{
	struct failopen_result *fr;
	struct ruleset *rs = ruleset_new();
	struct rs_chain *c, *fwd;
	struct rs_rule *r;

	c = chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "lxd", "fwdprert.lxdbr0",
		  NF_INET_PRE_ROUTING, -100);
	r = verdict(c, RS_V_DNAT);
	r->verdict.nat.family = NFPROTO_IPV4;
	r->verdict.nat.has_addr = true;
	r->verdict.nat.addr_lo = r->verdict.nat.addr_hi = 0x0a4d0005u;
	c = chain(rs, RS_ORIGIN_NFT, NFPROTO_INET, "lxd", "fwd.lxdbr0",
		  NF_INET_FORWARD, 0);
	r = verdict(c, RS_V_ACCEPT);
	rs_match_set_ifname(rs_rule_add_match(r), RS_F_OIFNAME, "lxdbr0",
			    false, false);
	CHECK_EQ(failopen_inspect(rs, &fr), 0);
	CHECK_EQ(fr->nfindings, 0);
	failopen_result_free(fr);

	fwd = chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "filter", "FORWARD",
		    NF_INET_FORWARD, 0);
	fwd->policy = RS_V_DROP;
	CHECK_EQ(failopen_inspect(rs, &fr), 0);
	CHECK_EQ(count(fr, FAILOPEN_LXD_FORWARDS_DROPPED), 1);
	CHECK(fr->nfindings && strstr(fr->findings[0].message,
				      "an outage, not an exposure"));
	failopen_result_free(fr);

	/* the host's firewall accepts the bridge in a chain it jumps to */
	jump(fwd, "user-forward");
	c = chain(rs, RS_ORIGIN_NFT, NFPROTO_IPV4, "filter", "user-forward",
		  -1, 0);
	r = verdict(c, RS_V_ACCEPT);
	rs_match_set_ifname(rs_rule_add_match(r), RS_F_OIFNAME, "lxd",
			    true, false);
	CHECK_EQ(failopen_inspect(rs, &fr), 0);
	CHECK_EQ(fr->nfindings, 0);
	failopen_result_free(fr);
	ruleset_free(rs);
}

static void test_names(void)
{
	CHECK_STR(failopen_kind_name(FAILOPEN_FORWARD_NO_DOCKER_USER),
		  "forward-no-docker-user");
	CHECK_STR(failopen_kind_name(FAILOPEN_DOCKER_DIRECT_ACCESS),
		  "docker-direct-access-open");
	CHECK_STR(failopen_kind_name(FAILOPEN_DOCKER_USER_IPV4_ONLY),
		  "docker-user-ipv4-only");
	CHECK_STR(failopen_kind_name(FAILOPEN_LXD_FORWARDS_DROPPED),
		  "lxd-forwards-dropped");
	CHECK_STR(failopen_kind_name(FAILOPEN__KIND_COUNT), "?");
	CHECK_STR(failopen_severity_name(FAILOPEN_SEV_CRITICAL), "critical");
	failopen_result_free(NULL);
}

int main(void)
{
	test_docker_user();
	test_docker_user_late();
	test_direct_access();
	test_direct_access_nft();
	test_direct_access_nft_unprotected();
	test_direct_access_unprotected();
	test_docker_user_v6();
	test_mixed();
	test_container_nets();
	test_lxd();
	test_names();
	return unit_done();
}
