// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_engine_budget.c - a walk that runs out of its branch budget says
 * -E2BIG (engine.h), wherever the budget runs out: here in delivery, where
 * each listening socket forks a branch.  The budget is made tiny by
 * building the engine's parts into this test with BRANCHES_MAX set.  No
 * privileges.
 */
#define BRANCHES_MAX	3

#include "../../auditd/engine/engine.c"
#include "../../auditd/engine/branch.c"
#include "../../auditd/engine/matches.c"
#include "../../auditd/engine/rules.c"
#include "../../auditd/engine/chains.c"
#include "../../auditd/engine/tc.c"
#include "../../auditd/engine/route.c"
#include "../../auditd/engine/nd.c"
#include "../../auditd/engine/handshake.c"
#include "../../auditd/engine/result.c"
#include "host_read.h"	/* hosts built by hand */
#include "unit.h"

#define NODE	0xc6336401u	/* 198.51.100.1 */

static struct host *make_host(unsigned int nlisteners)
{
	struct host *h = host_new();
	struct host_link *l;
	struct host_addr *a;
	struct host_route *r;
	struct host_listener *s;
	unsigned int i;

	l = host_array_add((void **)&h->links, &h->nlinks, sizeof(*l), 16);
	l->ifindex = 1;
	strcpy(l->name, "lo");
	l->loopback = l->up = true;
	l = host_array_add((void **)&h->links, &h->nlinks, sizeof(*l), 16);
	l->ifindex = 2;
	strcpy(l->name, "eth0");
	strcpy(l->kind, "veth");
	l->up = true;

	a = host_array_add((void **)&h->addrs, &h->naddrs, sizeof(*a), 16);
	a->family = AF_INET;
	a->prefixlen = 24;
	a->scope = RT_SCOPE_UNIVERSE;
	a->ifindex = 2;
	a->addr = a->peer = NODE;

	r = host_array_add((void **)&h->routes, &h->nroutes, sizeof(*r), 16);
	r->family = AF_INET;
	r->table = RT_TABLE_LOCAL;
	r->type = RTN_LOCAL;
	r->dst_len = 32;
	r->dst = NODE;
	r->nnexthops = 1;
	r->nexthops = calloc(1, sizeof(*r->nexthops));
	r->nexthops[0].oif = 2;

	for (i = 0; i < nlisteners; i++) {
		s = host_array_add((void **)&h->listeners, &h->nlisteners,
				   sizeof(*s), 16);
		s->family = AF_INET;
		s->protocol = IPPROTO_TCP;
		s->port = (uint16_t)(1000 + i);
	}
	return h;
}

static int run(unsigned int nlisteners)
{
	struct ruleset *rs = ruleset_new();
	struct host *h = make_host(nlisteners);
	struct engine_input in = { .rs = rs, .host = h,
				   .only_family = NFPROTO_IPV4,
				   .only_proto = IPPROTO_TCP };
	struct engine_result *res = NULL;
	int ret;

	ret = engine_run(&in, &res);
	CHECK(ret < 0 ? res == NULL : res != NULL);
	engine_result_free(res);
	ruleset_free(rs);
	host_free(h);
	return ret;
}

int main(void)
{
	/* no ruleset: the routing decision forks one branch for the
	 * martian sources, delivery one per listener */
	CHECK_EQ(run(BRANCHES_MAX - 1), 0);
	CHECK_EQ(run(BRANCHES_MAX + 2), -E2BIG);
	return unit_done();
}
