// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_pick.c - the probes `fwaudit verify` chooses: the ports over
 * hand-made segments (boundaries, edges, listeners, closed regions, the
 * bound), and the probes for a hand-made host and ruleset walked by the
 * engine from one vantage address; the verdict on each kind of result
 * against each kind of model answer (reconcile.c).  No privileges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "engine.h"
#include "host.h"
#include "host_read.h"
#include "pick.h"
#include "reconcile.h"
#include "ruleset.h"
#include "unit.h"

#define NODE	0xc6336401u	/* 198.51.100.1 */
#define VANTAGE	0xc6336402u	/* 198.51.100.2 */

static bool has(const struct pick_port *p, size_t n, uint16_t port,
		enum pick_why why)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].port == port)
			return p[i].why == why;
	return false;
}

static void test_ports(void)
{
	/* closed 1-21, 22 exposed, closed 23-79, 80-89 open (two pieces of
	 * one fate), closed 90-65535 */
	const struct pick_seg seg[] = {
		{ 0, 21, false, 7 },
		{ 22, 22, true, 1 },
		{ 23, 79, false, 7 },
		{ 80, 84, true, 2 },
		{ 85, 89, true, 2 },
		{ 90, 65535, false, 7 },
	};
	const uint16_t listeners[] = { 22, 5432, 6379 };
	struct pick_port out[64];
	size_t n, nexp, ncl;

	CHECK_EQ(pick_ports(seg, 6, listeners, 3, 64, out, &n, &nexp, &ncl),
		 0);
	CHECK_EQ(nexp, 2);
	CHECK_EQ(ncl, 3);
	/* 22, 80; edges 21, 23, 79, 90; listeners 5432, 6379; closed 1 */
	CHECK_EQ(n, 9);
	CHECK(has(out, n, 22, PICK_EXPOSURE));
	CHECK(has(out, n, 80, PICK_EXPOSURE));
	CHECK(has(out, n, 21, PICK_EDGE));
	CHECK(has(out, n, 23, PICK_EDGE));
	CHECK(has(out, n, 79, PICK_EDGE));
	CHECK(has(out, n, 90, PICK_EDGE));
	CHECK(!has(out, n, 85, PICK_EXPOSURE));
	CHECK(has(out, n, 5432, PICK_LISTENER));
	CHECK(has(out, n, 6379, PICK_LISTENER));
	CHECK(has(out, n, 1, PICK_CLOSED));
	/* exposures first, then edges */
	CHECK_EQ(out[0].port, 22);
	CHECK_EQ(out[1].port, 80);
	CHECK_EQ(out[2].why, PICK_EDGE);

	/* the bound: exposures before anything else, and it says so */
	CHECK_EQ(pick_ports(seg, 6, listeners, 3, 3, out, &n, &nexp, &ncl),
		 1);
	CHECK_EQ(n, 3);
	CHECK(has(out, n, 22, PICK_EXPOSURE));
	CHECK(has(out, n, 80, PICK_EXPOSURE));

	/* nothing at all: one closed region, its first port and the
	 * listener behind it */
	CHECK_EQ(pick_ports(NULL, 0, listeners + 1, 1, 64, out, &n, &nexp,
			    &ncl), 0);
	CHECK_EQ(nexp, 0);
	CHECK_EQ(ncl, 1);
	CHECK_EQ(n, 2);
	CHECK(has(out, n, 5432, PICK_LISTENER));
	CHECK(has(out, n, 1, PICK_CLOSED));

	/* everything open: one exposure, no edge, no closed probe */
	{
		const struct pick_seg all[] = { { 0, 65535, true, 3 } };

		CHECK_EQ(pick_ports(all, 1, listeners, 3, 64, out, &n, &nexp,
				    &ncl), 0);
		CHECK_EQ(n, 1);
		CHECK_EQ(out[0].port, 1);
		CHECK_EQ(nexp, 1);
		CHECK_EQ(ncl, 0);
	}
	/* an exposure at the top: no edge beyond 65535 */
	{
		const struct pick_seg top[] = { { 1, 65534, false, 0 },
						{ 65535, 65535, true, 1 } };

		CHECK_EQ(pick_ports(top, 2, NULL, 0, 64, out, &n, &nexp,
				    &ncl), 0);
		CHECK_EQ(n, 3);
		CHECK(has(out, n, 65535, PICK_EXPOSURE));
		CHECK(has(out, n, 65534, PICK_EDGE));
		CHECK(has(out, n, 1, PICK_CLOSED));
	}
}

static void add_route(struct host *h, uint32_t table, uint8_t type,
		      rs_u128 dst, uint8_t len, int oif)
{
	struct host_route *r;

	r = host_array_add((void **)&h->routes, &h->nroutes, sizeof(*r), 16);
	r->family = AF_INET;
	r->table = table;
	r->type = type;
	r->dst = dst;
	r->dst_len = len;
	r->nnexthops = 1;
	r->nexthops = calloc(1, sizeof(*r->nexthops));
	r->nexthops[0].oif = oif;
}

static void add_listener(struct host *h, uint8_t proto, uint16_t port)
{
	struct host_listener *s;

	s = host_array_add((void **)&h->listeners, &h->nlisteners,
			   sizeof(*s), 16);
	s->family = AF_INET;
	s->protocol = proto;
	s->port = port;
}

static struct host *make_host(void)
{
	struct host *h = host_new();
	struct host_link *l;
	struct host_addr *a;

	l = host_array_add((void **)&h->links, &h->nlinks, sizeof(*l), 16);
	l->ifindex = 1;
	strcpy(l->name, "lo");
	l->loopback = l->up = true;
	l = host_array_add((void **)&h->links, &h->nlinks, sizeof(*l), 16);
	l->ifindex = 2;
	strcpy(l->name, "eth0");
	strcpy(l->kind, "veth");
	l->up = true;
	h->sysctl.ip_forward = 0;
	a = host_array_add((void **)&h->addrs, &h->naddrs, sizeof(*a), 16);
	a->family = AF_INET;
	a->prefixlen = 24;
	a->scope = RT_SCOPE_UNIVERSE;
	a->ifindex = 2;
	a->addr = a->peer = NODE;
	add_route(h, RT_TABLE_LOCAL, RTN_LOCAL, NODE, 32, 2);
	add_route(h, RT_TABLE_MAIN, RTN_UNICAST, NODE & 0xffffff00u, 24, 2);
	add_listener(h, IPPROTO_TCP, 22);
	add_listener(h, IPPROTO_TCP, 5432);
	add_listener(h, IPPROTO_UDP, 53);
	return h;
}

static struct rs_rule *accept_rule(struct rs_chain *c, uint8_t proto,
				   uint16_t lo, uint16_t hi)
{
	struct rs_rule *r = rs_chain_add_rule(c);

	r->verdict.kind = RS_V_ACCEPT;
	rs_match_set_range(rs_rule_add_match(r), RS_F_L4PROTO, proto, proto,
			   false);
	rs_match_set_range(rs_rule_add_match(r), RS_F_DPORT, lo, hi, false);
	return r;
}

/* A base chain of table ip filter. */
static struct rs_chain *base_chain(struct ruleset *rs, const char *name,
				   uint32_t hook, enum rs_verdict_kind policy)
{
	struct rs_chain *c = ruleset_add_chain(rs, RS_ORIGIN_NFT,
					       NFPROTO_IPV4, "filter", name);

	c->base = true;
	c->hook = hook;
	c->policy = policy;
	c->type = strdup("filter");
	return c;
}

static const struct pick_expect *expect_at(const struct pick *pk,
					   uint8_t proto, uint16_t port,
					   uint16_t sport)
{
	size_t i;

	for (i = 0; i < pk->list.n; i++)
		if (pk->list.p[i].proto == proto && pk->list.p[i].port == port &&
		    pk->list.p[i].sport == sport)
			return &pk->expect[i];
	return NULL;
}

static void test_model(void)
{
	struct ruleset *rs = ruleset_new();
	struct host *h = make_host();
	struct pick_target t = { .family = NFPROTO_IPV4, .daddr = NODE,
				 .saddr = VANTAGE, .iifname = "eth0" };
	struct pick_opts o = { 0 };
	const struct pick_expect *e;
	struct rs_chain *c;
	struct rs_rule *r;
	struct pick pk;
	size_t i;

	t.iif = rs_ifname_key("eth0");
	c = base_chain(rs, "input", NF_INET_LOCAL_IN, RS_V_DROP);
	accept_rule(c, IPPROTO_TCP, 22, 22);
	accept_rule(c, IPPROTO_TCP, 8000, 8009);
	/* not for this vantage */
	r = accept_rule(c, IPPROTO_TCP, 9000, 9000);
	rs_match_set_range(rs_rule_add_match(r), RS_F_IP_SADDR, 0xcb007100u,
			   0xcb0071ffu, false);
	/* udp from source port 53 only: the `--sport 53` mistake */
	r = accept_rule(c, IPPROTO_UDP, 1, 65535);
	rs_match_set_range(rs_rule_add_match(r), RS_F_SPORT, 53, 53, false);
	/* a reject: its RST is the firewall's */
	r = rs_chain_add_rule(c);
	r->verdict.kind = RS_V_REJECT;
	rs_match_set_range(rs_rule_add_match(r), RS_F_L4PROTO, IPPROTO_TCP,
			   IPPROTO_TCP, false);
	rs_match_set_range(rs_rule_add_match(r), RS_F_DPORT, 25, 25, false);

	CHECK_EQ(pick_probes(rs, h, &t, 1, &o, &pk), 0);
	/* tcp: exposures 22 and 8000-8009; udp from port 53: 1-52, the
	 * listener on 53, 54-65535 */
	CHECK_EQ(pk.nexposures, 5);
	e = expect_at(&pk, IPPROTO_TCP, 22, PICK_SPORT_DEFAULT);
	CHECK(e && e->why == PICK_EXPOSURE && e->state == ENGINE_EXPOSED);
	e = expect_at(&pk, IPPROTO_TCP, 8000, PICK_SPORT_DEFAULT);
	CHECK(e && e->why == PICK_EXPOSURE && e->state == ENGINE_OPEN);
	e = expect_at(&pk, IPPROTO_TCP, 7999, PICK_SPORT_DEFAULT);
	CHECK(e && e->why == PICK_EDGE && e->state == ENGINE_CLOSED);
	e = expect_at(&pk, IPPROTO_TCP, 8010, PICK_SPORT_DEFAULT);
	CHECK(e && e->why == PICK_EDGE && e->state == ENGINE_CLOSED);
	e = expect_at(&pk, IPPROTO_TCP, 21, PICK_SPORT_DEFAULT);
	CHECK(e && e->why == PICK_EDGE);
	/* 9000 is not open to this vantage: no probe */
	CHECK(!expect_at(&pk, IPPROTO_TCP, 9000, PICK_SPORT_DEFAULT));
	/* the listener the firewall hides */
	e = expect_at(&pk, IPPROTO_TCP, 5432, PICK_SPORT_DEFAULT);
	CHECK(e && e->why == PICK_LISTENER && e->state == ENGINE_CLOSED);
	/* the reject is known as one, at the port where it rejects */
	e = expect_at(&pk, IPPROTO_TCP, 25, PICK_SPORT_DEFAULT);
	CHECK(e && e->reject && e->state == ENGINE_CLOSED);
	e = expect_at(&pk, IPPROTO_TCP, 1, PICK_SPORT_DEFAULT);
	CHECK(e && !e->reject);
	/* udp: closed from the default port, open from 53 */
	e = expect_at(&pk, IPPROTO_UDP, 1, 53);
	CHECK(e && e->why == PICK_EXPOSURE && e->state == ENGINE_OPEN);
	e = expect_at(&pk, IPPROTO_UDP, 53, 53);
	CHECK(e && e->why == PICK_EXPOSURE && e->state == ENGINE_EXPOSED);
	e = expect_at(&pk, IPPROTO_UDP, 53, PICK_SPORT_DEFAULT);
	CHECK(e && e->why == PICK_LISTENER && e->state == ENGINE_CLOSED);
	/* every probe to the target's address, and few of them */
	for (i = 0; i < pk.list.n; i++)
		CHECK(pk.list.p[i].addr == NODE);
	CHECK(pk.list.n <= 16);
	printf("test_model: %zu probes for %zu exposures and %zu closed "
	       "regions\n", pk.list.n, pk.nexposures, pk.nclosed);
	pick_release(&pk);

	/* the bound holds over targets and protocols */
	o.max = 2;
	CHECK_EQ(pick_probes(rs, h, &t, 1, &o, &pk), 0);
	CHECK_EQ(pk.list.n, 2);
	CHECK(pk.truncated);
	pick_release(&pk);
	ruleset_free(rs);
	host_free(h);
}

/* One probe's verdict: what it met against what the model said. */
static enum recon_kind judge(uint8_t proto, enum probe_result res,
			     bool answered, enum engine_state state,
			     enum engine_fate fate, bool reject, bool possible)
{
	struct audit_result r;
	struct pick_target t = { .family = NFPROTO_IPV4, .daddr = NODE,
				 .saddr = VANTAGE, .iifname = "eth0" };
	struct probe p = { .family = NFPROTO_IPV4, .proto = proto,
			   .addr = NODE, .port = 80, .sport = 47313 };
	struct pick_expect e = { .state = state, .fate = fate,
				 .reject = reject, .possible = possible };
	struct pick pk = { .expect = &e };
	struct recon rc;
	enum recon_kind k;

	memset(&r, 0, sizeof(r));
	CHECK_EQ(probelist_add(&pk.list, &p), 0);
	pk.list.p[0].result = res;
	pk.list.p[0].answered = answered;
	CHECK_EQ(recon_build(&pk, &t, 1, &r, NULL, &rc), 0);
	k = rc.p[0].kind;
	CHECK_EQ(rc.nfindings, k == RECON_WRONG || k == RECON_BLOCKED);
	CHECK_EQ(recon_exit_status(&rc), k == RECON_WRONG ? 3 : 0);
	recon_release(&rc);
	probelist_release(&pk.list);
	return k;
}

static void test_reconcile(void)
{
	const uint8_t T = IPPROTO_TCP, U = IPPROTO_UDP;
	const enum engine_state C = ENGINE_CLOSED, O = ENGINE_OPEN,
		X = ENGINE_EXPOSED;
	const enum engine_fate D = ENGINE_DROPPED, L = ENGINE_LOCAL,
		F = ENGINE_FORWARDED;

	/* agreement */
	CHECK_EQ(judge(T, PROBE_OPEN, true, X, L, 0, 0), RECON_CONFIRMED);
	CHECK_EQ(judge(T, PROBE_CLOSED, 0, O, L, 0, 0), RECON_CONFIRMED);
	CHECK_EQ(judge(T, PROBE_FILTERED, 0, C, D, 0, 0), RECON_CONFIRMED);
	CHECK_EQ(judge(U, PROBE_OPEN, false, O, L, 0, 0), RECON_CONFIRMED);
	CHECK_EQ(judge(U, PROBE_OPEN, true, X, L, 0, 0), RECON_CONFIRMED);
	CHECK_EQ(judge(U, PROBE_SILENT, 0, C, D, 0, 0), RECON_CONFIRMED);
	/* a reject's RST or port unreachable is the firewall's answer */
	CHECK_EQ(judge(T, PROBE_CLOSED, 0, C, D, 1, 0), RECON_CONFIRMED);
	CHECK_EQ(judge(U, PROBE_OPEN, false, C, D, 1, 0), RECON_CONFIRMED);
	CHECK_EQ(judge(T, PROBE_UNREACHABLE, 0, C, D, 1, 0), RECON_CONFIRMED);
	/* but a handshake through a reject is not */
	CHECK_EQ(judge(T, PROBE_OPEN, true, C, D, 1, 0), RECON_WRONG);
	/* fwaudit wrong: the model closes, the packet got in */
	CHECK_EQ(judge(T, PROBE_OPEN, true, C, D, 0, 0), RECON_WRONG);
	CHECK_EQ(judge(T, PROBE_RESET, 0, C, D, 0, 0), RECON_WRONG);
	CHECK_EQ(judge(T, PROBE_CLOSED, 0, C, D, 0, 0), RECON_WRONG);
	CHECK_EQ(judge(U, PROBE_OPEN, false, C, D, 0, 0), RECON_WRONG);
	/* something between: the model lets in, nothing arrives */
	CHECK_EQ(judge(T, PROBE_FILTERED, 0, X, L, 0, 0), RECON_BLOCKED);
	CHECK_EQ(judge(T, PROBE_FILTERED, 0, O, F, 0, 0), RECON_BLOCKED);
	CHECK_EQ(judge(U, PROBE_SILENT, 0, O, L, 0, 0), RECON_BLOCKED);
	CHECK_EQ(judge(T, PROBE_UNREACHABLE, 0, O, L, 0, 0), RECON_BLOCKED);
	/* a UDP listener or backend need not answer */
	CHECK_EQ(judge(U, PROBE_SILENT, 0, X, L, 0, 0), RECON_UNKNOWN);
	CHECK_EQ(judge(U, PROBE_SILENT, 0, O, F, 0, 0), RECON_UNKNOWN);
	/* a possible verdict: the packet decides, nobody is wrong */
	CHECK_EQ(judge(T, PROBE_OPEN, true, C, D, 0, 1), RECON_UNDECIDED);
	CHECK_EQ(judge(T, PROBE_FILTERED, 0, X, L, 0, 1), RECON_UNDECIDED);
	/* not sent */
	CHECK_EQ(judge(T, PROBE_ERROR, 0, X, L, 0, 0), RECON_UNKNOWN);
}

/* The host's own answer on its way out: an output chain that drops ICMP
 * errors, then RSTs, silences the stack's and the reject's answers. */
static void test_answer(void)
{
	struct ruleset *rs = ruleset_new();
	struct host *h = make_host();
	struct pick_target t = { .family = NFPROTO_IPV4, .daddr = NODE,
				 .saddr = VANTAGE, .iifname = "eth0" };
	struct pick_opts o = { 0 };
	const struct pick_expect *e;
	struct rs_chain *c, *out;
	struct rs_rule *r;
	struct pick pk;
	struct recon rc;
	struct audit_result ar;
	size_t i;
	int pass;

	t.iif = rs_ifname_key("eth0");
	c = base_chain(rs, "input", NF_INET_LOCAL_IN, RS_V_DROP);
	accept_rule(c, IPPROTO_TCP, 8000, 8000);
	accept_rule(c, IPPROTO_UDP, 9000, 9000);
	r = rs_chain_add_rule(c);
	r->verdict.kind = RS_V_REJECT;
	r->verdict.name = strdup("tcp-reset");
	rs_match_set_range(rs_rule_add_match(r), RS_F_L4PROTO, IPPROTO_TCP,
			   IPPROTO_TCP, false);
	rs_match_set_range(rs_rule_add_match(r), RS_F_DPORT, 25, 25, false);
	out = base_chain(rs, "output", NF_INET_LOCAL_OUT, RS_V_ACCEPT);
	r = rs_chain_add_rule(out);
	r->verdict.kind = RS_V_DROP;
	rs_match_set_range(rs_rule_add_match(r), RS_F_L4PROTO, IPPROTO_ICMP,
			   IPPROTO_ICMP, false);

	for (pass = 0; pass < 2; pass++) {
		CHECK_EQ(pick_probes(rs, h, &t, 1, &o, &pk), 0);
		/* nothing listens on tcp 8000: the stack's RST */
		e = expect_at(&pk, IPPROTO_TCP, 8000, PICK_SPORT_DEFAULT);
		CHECK(e && e->has_answer && e->answer == ENGINE_ANSWER_RST);
		CHECK(e && e->answer_fate == (pass ? ENGINE_ANSWER_DROPPED :
					      ENGINE_ANSWER_LEAVES));
		e = expect_at(&pk, IPPROTO_TCP, 25, PICK_SPORT_DEFAULT);
		CHECK(e && e->has_answer &&
		      e->answer == ENGINE_ANSWER_REJECT_RST);
		CHECK(e && e->answer_fate == (pass ? ENGINE_ANSWER_DROPPED :
					      ENGINE_ANSWER_LEAVES));
		/* the port unreachable is ICMP: dropped both times */
		e = expect_at(&pk, IPPROTO_UDP, 9000, PICK_SPORT_DEFAULT);
		CHECK(e && e->has_answer &&
		      e->answer == ENGINE_ANSWER_UNREACH &&
		      e->answer_fate == ENGINE_ANSWER_DROPPED);
		/* a listener answers itself; a drop answers nothing */
		e = expect_at(&pk, IPPROTO_TCP, 22, PICK_SPORT_DEFAULT);
		CHECK(e && !e->has_answer);
		/* silence where the answer cannot leave: neither the
		 * model wrong nor a filter between */
		for (i = 0; i < pk.list.n; i++)
			pk.list.p[i].result = pk.list.p[i].proto ==
				IPPROTO_TCP ? PROBE_FILTERED : PROBE_SILENT;
		memset(&ar, 0, sizeof(ar));
		CHECK_EQ(recon_build(&pk, &t, 1, &ar, NULL, &rc), 0);
		for (i = 0; i < pk.list.n; i++) {
			e = &pk.expect[i];
			if (e->state == ENGINE_OPEN && e->has_answer &&
			    e->answer_fate == ENGINE_ANSWER_DROPPED)
				CHECK_EQ(rc.p[i].kind, RECON_UNKNOWN);
			if (e->state == ENGINE_OPEN && e->has_answer &&
			    e->answer_fate == ENGINE_ANSWER_LEAVES)
				CHECK_EQ(rc.p[i].kind, RECON_BLOCKED);
		}
		CHECK_EQ(recon_exit_status(&rc), 0);
		recon_release(&rc);
		pick_release(&pk);
		/* then RSTs too (tcp flags rst,ack) */
		r = rs_chain_add_rule(out);
		r->verdict.kind = RS_V_DROP;
		rs_match_set_range(rs_rule_add_match(r), RS_F_L4PROTO,
				   IPPROTO_TCP, IPPROTO_TCP, false);
		rs_match_set_range(rs_rule_add_match(r), RS_F_TCP_FLAGS, 0x14,
				   0x14, false);
	}
	ruleset_free(rs);
	host_free(h);
}

/* An RST from a router between: another TTL than the host's SYN-ACK.
 * Neither proof of getting in nor fwaudit wrong, on a port the model
 * opens or closes: one rejected-between finding. */
static void test_foreign_rst(void)
{
	struct audit_result r;
	struct pick_target t = { .family = NFPROTO_IPV4, .daddr = NODE,
				 .saddr = VANTAGE, .iifname = "eth0" };
	struct pick_expect e[3] = {
		{ .state = ENGINE_EXPOSED, .fate = ENGINE_LOCAL },
		{ .state = ENGINE_EXPOSED, .fate = ENGINE_LOCAL },
		{ .state = ENGINE_CLOSED, .fate = ENGINE_DROPPED },
	};
	const uint16_t port[3] = { 22, 8080, 5432 };
	const enum probe_result res[3] = { PROBE_OPEN, PROBE_CLOSED,
					   PROBE_CLOSED };
	const uint8_t ttl[3] = { 63, 64, 64 };
	struct pick pk = { .expect = e };
	struct recon rc;
	size_t i;
	int round;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < 3; i++) {
		struct probe p = { .family = NFPROTO_IPV4,
				   .proto = IPPROTO_TCP, .addr = NODE,
				   .port = port[i], .sport = 47313 };

		CHECK_EQ(probelist_add(&pk.list, &p), 0);
		pk.list.p[i].result = res[i];
		pk.list.p[i].answered = i == 0;
	}
	for (round = 0; round < 2; round++) {
		/* round 0: TTLs known; round 1: the prober saw none */
		for (i = 0; i < 3; i++)
			pk.list.p[i].ttl = round ? 0 : ttl[i];
		CHECK_EQ(recon_build(&pk, &t, 1, &r, NULL, &rc), 0);
		CHECK_EQ(rc.p[0].kind, RECON_CONFIRMED);
		if (!round) {
			CHECK_EQ(rc.p[1].kind, RECON_BLOCKED);
			CHECK_EQ(rc.p[2].kind, RECON_CONFIRMED);
			CHECK(rc.p[1].foreign && rc.p[2].foreign);
			CHECK_EQ(rc.nfindings, 1);
			CHECK_EQ(rc.findings[0].kind, FINDING_REJECTED);
			CHECK_EQ(rc.findings[0].nprobes, 2);
			CHECK_EQ(rc.findings[0].ttl, 64);
			CHECK_EQ(rc.findings[0].host_ttl, 63);
			CHECK_EQ(recon_exit_status(&rc), 0);
		} else {
			/* without TTLs the RST looks like the host's */
			CHECK_EQ(rc.p[2].kind, RECON_WRONG);
			CHECK_EQ(recon_exit_status(&rc), 3);
		}
		recon_release(&rc);
	}
	probelist_release(&pk.list);
}

int main(void)
{
	test_ports();
	test_model();
	test_answer();
	test_foreign_rst();
	test_reconcile();
	return unit_done();
}
