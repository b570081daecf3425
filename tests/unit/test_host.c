// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_host.c - host facts from recorded netlink conversations, the routing
 * decision, the ingress-interface rule, listeners and their owners, sysctls.
 *
 * The fixtures under tests/fixtures/host/ come from record.sh, which builds
 * a network namespace and runs this program with --record inside it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/inet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "host.h"
#include "link.h"
#include "nldump.h"
#include "sockets.h"
#include "sysctl.h"
#include "unit.h"
#include "util.h"

static char fixtures[4096];

static const char *fixture(const char *name)
{
	static char path[4096 + 64];

	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	return path;
}

/* Build the /proc lookalike of proc.txt ("PID COMM FD LINK [FD LINK...]"
 * a line) under dir; 0 or -1.  The links are made here because a release
 * tarball cannot carry them. */
static int make_proc(const char *manifest, const char *dir)
{
	char line[1024], path[4096 + 64], *save, *pid, *comm, *fd, *link;
	FILE *f = fopen(manifest, "re"), *c;
	int ret = 0;

	if (!f)
		return -1;
	snprintf(path, sizeof(path), "%s/self", dir);	/* noise to skip */
	if (mkdir(path, 0755) < 0)
		ret = -1;
	while (!ret && fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		pid = strtok_r(line, " \n", &save);
		comm = strtok_r(NULL, " \n", &save);
		if (!pid || !comm) {
			ret = -1;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, pid);
		if (mkdir(path, 0755) < 0)
			ret = -1;
		snprintf(path, sizeof(path), "%s/%s/fd", dir, pid);
		if (!ret && mkdir(path, 0755) < 0)
			ret = -1;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, pid);
		c = ret ? NULL : fopen(path, "we");
		if (!c || fprintf(c, "%s\n", comm) < 0)
			ret = -1;
		if (c && fclose(c) != 0)
			ret = -1;
		while (!ret && (fd = strtok_r(NULL, " \n", &save))) {
			link = strtok_r(NULL, " \n", &save);
			snprintf(path, sizeof(path), "%s/%s/fd/%s", dir, pid, fd);
			if (!link || symlink(link, path) < 0)
				ret = -1;
		}
	}
	fclose(f);
	return ret;
}

static rs_u128 A(uint8_t family, const char *s)
{
	rs_u128 v = 0;

	if (host_addr_parse(family, s, &v) < 0) {
		fprintf(stderr, "bad address in test: %s\n", s);
		abort();
	}
	return v;
}

static int ifidx(const struct host *h, const char *name)
{
	const struct host_link *l = host_link_by_name(h, name);

	return l ? l->ifindex : -1;
}

static const struct host_addr *find_addr(const struct host *h, uint8_t family,
					 const char *s)
{
	rs_u128 a = A(family, s);
	size_t i;

	for (i = 0; i < h->naddrs; i++)
		if (h->addrs[i].family == family && h->addrs[i].addr == a)
			return &h->addrs[i];
	return NULL;
}

static const struct host_route *find_route(const struct host *h,
					   uint8_t family, uint32_t table,
					   const char *dst, uint8_t len,
					   uint32_t metric)
{
	rs_u128 d = A(family, dst);
	size_t i;

	for (i = 0; i < h->nroutes; i++) {
		const struct host_route *r = &h->routes[i];

		if (r->family == family && r->table == table &&
		    r->dst == d && r->dst_len == len && r->priority == metric)
			return r;
	}
	return NULL;
}

static const struct host_listener *find_listener(const struct host *h,
						 uint8_t family, uint8_t proto,
						 const char *addr,
						 uint16_t port)
{
	rs_u128 a = A(family, addr);
	size_t i;

	for (i = 0; i < h->nlisteners; i++) {
		const struct host_listener *l = &h->listeners[i];

		if (l->family == family && l->protocol == proto &&
		    l->addr == a && l->port == port)
			return l;
	}
	return NULL;
}

/* ---- links, addresses, routes, rules from rtnl.bin ---- */

static void test_links(const struct host *h)
{
	const struct host_link *lo = host_link_by_name(h, "lo");
	const struct host_link *veth = host_link_by_name(h, "veth0");
	const struct host_link *vx = host_link_by_name(h, "vx0");
	const struct host_link *docker = host_link_by_name(h, "docker0");
	const struct host_link *port = host_link_by_name(h, "vethc0");
	const struct host_link *br = host_link_by_name(h, "br0");
	size_t i;

	CHECK_EQ(h->nlinks, 6);
	for (i = 1; i < h->nlinks; i++)
		CHECK(h->links[i - 1].ifindex < h->links[i].ifindex);
	CHECK(lo && veth && vx && docker && port && br);
	if (!(lo && veth && vx && docker && port && br))
		return;
	CHECK_EQ(lo->ifindex, 1);
	CHECK(lo->loopback && lo->up);
	CHECK_STR(lo->kind, "");
	CHECK_STR(veth->kind, "veth");
	CHECK(veth->up && !veth->loopback);
	CHECK_EQ(veth->master, 0);
	CHECK_STR(vx->kind, "vxlan");
	CHECK_STR(docker->kind, "bridge");
	CHECK_STR(port->kind, "veth");
	CHECK_STR(port->slave_kind, "bridge");
	CHECK_EQ(port->master, docker->ifindex);
	CHECK_STR(br->kind, "bridge");
	CHECK_EQ(br->master, 0);
	CHECK(host_link_by_index(h, veth->ifindex) == veth);
	CHECK(host_link_by_index(h, 999) == NULL);
	/* sysctls not read yet */
	CHECK_EQ(veth->sysctl.forwarding, HOST_SYSCTL_UNKNOWN);
}

static void test_addrs(const struct host *h)
{
	const struct host_addr *a;
	size_t i, n4 = 0;

	for (i = 0; i < h->naddrs; i++)
		n4 += h->addrs[i].family == AF_INET;
	CHECK_EQ(n4, 5);

	a = find_addr(h, AF_INET, "198.51.100.1");
	CHECK(a != NULL);
	if (a) {
		CHECK_EQ(a->prefixlen, 24);
		CHECK_EQ(a->scope, RT_SCOPE_UNIVERSE);
		CHECK_EQ(a->ifindex, ifidx(h, "veth0"));
		CHECK(a->peer == a->addr);
	}
	a = find_addr(h, AF_INET6, "2001:db8:1::1");
	CHECK(a != NULL);
	if (a) {
		CHECK_EQ(a->prefixlen, 64);
		CHECK_EQ(a->scope, RT_SCOPE_UNIVERSE);
		CHECK_EQ(a->ifindex, ifidx(h, "veth0"));
		CHECK(a->flags & IFA_F_NODAD);
		CHECK(!(a->flags & IFA_F_TENTATIVE));
	}
	a = find_addr(h, AF_INET, "127.0.0.1");
	CHECK(a && a->scope == RT_SCOPE_HOST && a->prefixlen == 8 &&
	      a->ifindex == 1);
	a = find_addr(h, AF_INET6, "::1");
	CHECK(a && a->scope == RT_SCOPE_HOST && a->prefixlen == 128);
	a = find_addr(h, AF_INET, "203.0.113.129");
	CHECK(a && a->prefixlen == 26 && a->ifindex == ifidx(h, "docker0"));
	/* veth0 has its link-local address too */
	for (i = 0, a = NULL; i < h->naddrs; i++)
		if (h->addrs[i].family == AF_INET6 &&
		    h->addrs[i].ifindex == ifidx(h, "veth0") &&
		    h->addrs[i].scope == RT_SCOPE_LINK)
			a = &h->addrs[i];
	CHECK(a && a->prefixlen == 64 &&
	      host_prefix_contains(AF_INET6, A(AF_INET6, "fe80::"), 64,
				   a->addr));
}

static void test_routes(const struct host *h)
{
	const struct host_route *r;
	int veth = ifidx(h, "veth0"), vx = ifidx(h, "vx0");

	r = find_route(h, AF_INET, RT_TABLE_MAIN, "192.0.2.0", 24, 0);
	CHECK(r && r->type == RTN_BLACKHOLE);
	r = find_route(h, AF_INET, RT_TABLE_MAIN, "0.0.0.0", 0, 0);
	CHECK(r && r->type == RTN_UNICAST && r->nnexthops == 1);
	if (r && r->nnexthops == 1) {
		CHECK_EQ(r->nexthops[0].oif, vx);
		CHECK_EQ(r->nexthops[0].gw_family, AF_INET);
		CHECK(r->nexthops[0].gateway == A(AF_INET, "203.0.113.2"));
	}
	r = find_route(h, AF_INET, 100, "0.0.0.0", 0, 0);
	CHECK(r && r->type == RTN_UNICAST && r->nnexthops == 1 &&
	      r->nexthops[0].oif == veth &&
	      r->nexthops[0].gateway == A(AF_INET, "198.51.100.254"));
	r = find_route(h, AF_INET, RT_TABLE_MAIN, "198.51.100.128", 25, 0);
	CHECK(r && r->type == RTN_PROHIBIT);
	r = find_route(h, AF_INET, RT_TABLE_MAIN, "198.51.100.0", 24, 0);
	CHECK(r && r->type == RTN_UNICAST && r->protocol == RTPROT_KERNEL &&
	      r->scope == RT_SCOPE_LINK && r->has_prefsrc &&
	      r->prefsrc == A(AF_INET, "198.51.100.1") &&
	      r->nexthops[0].oif == veth && !r->nexthops[0].gw_family);
	r = find_route(h, AF_INET, RT_TABLE_LOCAL, "198.51.100.1", 32, 0);
	CHECK(r && r->type == RTN_LOCAL && r->nexthops[0].oif == veth);
	r = find_route(h, AF_INET, RT_TABLE_LOCAL, "198.51.100.255", 32, 0);
	CHECK(r && r->type == RTN_BROADCAST);
	r = find_route(h, AF_INET, RT_TABLE_LOCAL, "127.0.0.0", 8, 0);
	CHECK(r && r->type == RTN_LOCAL);

	r = find_route(h, AF_INET, RT_TABLE_MAIN, "192.0.2.96", 27, 0);
	CHECK(r && r->type == RTN_UNICAST && r->nnexthops == 2);
	if (r && r->nnexthops == 2) {
		CHECK_EQ(r->nexthops[0].oif, veth);
		CHECK(r->nexthops[0].gateway == A(AF_INET, "198.51.100.2"));
		CHECK_EQ(r->nexthops[0].weight, 1);
		CHECK_EQ(r->nexthops[1].oif, vx);
		CHECK(r->nexthops[1].gateway == A(AF_INET, "203.0.113.2"));
		CHECK_EQ(r->nexthops[1].weight, 3);
	}
	r = find_route(h, AF_INET6, RT_TABLE_MAIN, "2001:db8:8::", 48, 1024);
	CHECK(r && r->type == RTN_UNICAST && r->nnexthops == 2);
	if (r && r->nnexthops == 2) {
		CHECK_EQ(r->nexthops[0].oif, veth);
		CHECK_EQ(r->nexthops[1].oif, vx);
		CHECK(r->nexthops[1].gateway == A(AF_INET6, "2001:db8:2::2"));
	}
	r = find_route(h, AF_INET6, RT_TABLE_MAIN, "2001:db8:9::", 48, 100);
	CHECK(r && r->nexthops[0].oif == veth &&
	      r->nexthops[0].gw_family == AF_INET6 &&
	      r->nexthops[0].gateway == A(AF_INET6, "2001:db8:1::2"));
	r = find_route(h, AF_INET6, RT_TABLE_MAIN, "2001:db8:9::", 48, 50);
	CHECK(r && r->nexthops[0].oif == vx && !r->nexthops[0].gw_family);
	r = find_route(h, AF_INET6, RT_TABLE_MAIN, "2001:db8:dead::", 48, 1024);
	CHECK(r && r->type == RTN_UNREACHABLE);
	r = find_route(h, AF_INET6, 100, "2001:db8:7::", 48, 1024);
	CHECK(r && r->type == RTN_UNICAST);
	r = find_route(h, AF_INET6, RT_TABLE_LOCAL, "2001:db8:1::1", 128, 0);
	CHECK(r && r->type == RTN_LOCAL);
}

static void test_rules(const struct host *h)
{
	static const struct {
		uint8_t family;
		uint32_t prio;
		uint8_t action;
		uint32_t table;
	} want[] = {
		{ AF_INET, 0, FR_ACT_TO_TBL, RT_TABLE_LOCAL },
		{ AF_INET, 900, FR_ACT_PROHIBIT, 0 },
		{ AF_INET, 1000, FR_ACT_TO_TBL, 100 },
		{ AF_INET, 32766, FR_ACT_TO_TBL, RT_TABLE_MAIN },
		{ AF_INET, 32767, FR_ACT_TO_TBL, RT_TABLE_DEFAULT },
		{ AF_INET6, 0, FR_ACT_TO_TBL, RT_TABLE_LOCAL },
		{ AF_INET6, 1000, FR_ACT_TO_TBL, 100 },
		{ AF_INET6, 32766, FR_ACT_TO_TBL, RT_TABLE_MAIN },
	};
	size_t i;

	CHECK(h->have_rules4 && h->have_rules6);
	CHECK_EQ(h->nrules, ARRAY_SIZE(want));
	if (h->nrules != ARRAY_SIZE(want))
		return;
	for (i = 0; i < h->nrules; i++) {
		const struct host_rule *r = &h->rules[i];

		CHECK_EQ(r->family, want[i].family);
		CHECK_EQ(r->priority, want[i].prio);
		CHECK_EQ(r->action, want[i].action);
		CHECK_EQ(r->table, want[i].table);
		CHECK(!r->invert && !r->unknown_selector && !r->has_fwmark);
		CHECK_EQ(r->suppress_prefixlen, -1);
	}
	CHECK_STR(h->rules[1].iifname, "veth0");
	CHECK_EQ(h->rules[1].dst_len, 32);
	CHECK(h->rules[1].dst == A(AF_INET, "192.0.2.77"));
	CHECK_EQ(h->rules[2].src_len, 24);
	CHECK(h->rules[2].src == A(AF_INET, "198.51.100.0"));
	CHECK_STR(h->rules[2].iifname, "");
	CHECK_EQ(h->rules[6].src_len, 64);
	CHECK(h->rules[6].src == A(AF_INET6, "2001:db8:1::"));
}

/* ---- the routing decision ---- */

static struct host_route_result lookup(const struct host *h, uint8_t family,
				       const char *daddr, const char *saddr,
				       const char *iif)
{
	struct host_route_query q = { .family = family };
	struct host_route_result res;

	q.daddr = A(family, daddr);
	if (saddr) {
		q.has_saddr = true;
		q.saddr = A(family, saddr);
	}
	q.iif = iif ? ifidx(h, iif) : 0;
	memset(&res, 0xa5, sizeof(res));
	CHECK_EQ(host_route_lookup(h, &q, &res), 0);
	return res;
}

static void test_lookup(const struct host *h)
{
	int veth = ifidx(h, "veth0"), vx = ifidx(h, "vx0");
	struct host_route_result r;

	/* local, via the local table */
	r = lookup(h, AF_INET, "198.51.100.1", "192.0.2.9", "vx0");
	CHECK_EQ(r.type, RTN_LOCAL);
	CHECK_EQ(r.table, RT_TABLE_LOCAL);
	CHECK(r.rule && r.rule->priority == 0);
	CHECK(!r.uncertain);
	CHECK(host_addr_is_local(h, AF_INET, A(AF_INET, "198.51.100.1")));
	CHECK(host_addr_is_local(h, AF_INET, A(AF_INET, "127.0.0.5")));
	CHECK(host_addr_is_local(h, AF_INET, A(AF_INET, "203.0.113.129")));
	CHECK(!host_addr_is_local(h, AF_INET, A(AF_INET, "198.51.100.2")));
	CHECK(!host_addr_is_local(h, AF_INET, A(AF_INET, "198.51.100.255")));
	CHECK(host_addr_is_local(h, AF_INET6, A(AF_INET6, "2001:db8:1::1")));
	CHECK(host_addr_is_local(h, AF_INET6, A(AF_INET6, "::1")));
	CHECK(!host_addr_is_local(h, AF_INET6, A(AF_INET6, "2001:db8:1::2")));
	r = lookup(h, AF_INET, "198.51.100.255", NULL, NULL);
	CHECK_EQ(r.type, RTN_BROADCAST);

	/* connected route, and a longer prohibit inside it */
	r = lookup(h, AF_INET, "198.51.100.2", "192.0.2.9", "vx0");
	CHECK_EQ(r.type, RTN_UNICAST);
	CHECK_EQ(r.oif, veth);
	CHECK_EQ(r.gw_family, 0);
	CHECK_EQ(r.table, RT_TABLE_MAIN);
	r = lookup(h, AF_INET, "198.51.100.200", "192.0.2.9", "vx0");
	CHECK_EQ(r.type, RTN_PROHIBIT);
	CHECK_EQ(r.table, RT_TABLE_MAIN);

	/* longest prefix: /25 unicast inside the /24 blackhole, over the
	 * default route */
	r = lookup(h, AF_INET, "192.0.2.5", "192.0.2.9", "vx0");
	CHECK_EQ(r.type, RTN_BLACKHOLE);
	r = lookup(h, AF_INET, "192.0.2.200", "192.0.2.9", "vx0");
	CHECK_EQ(r.type, RTN_UNICAST);
	CHECK_EQ(r.oif, veth);
	CHECK(r.gateway == A(AF_INET, "198.51.100.2"));
	r = lookup(h, AF_INET, "10.1.2.3", "192.0.2.9", "vx0");
	CHECK_EQ(r.type, RTN_UNICAST);
	CHECK_EQ(r.oif, vx);
	CHECK(r.gateway == A(AF_INET, "203.0.113.2"));
	CHECK(!r.uncertain);

	/* multipath: the first nexthop, all of them in the route */
	r = lookup(h, AF_INET, "192.0.2.100", "192.0.2.9", "vx0");
	CHECK_EQ(r.type, RTN_UNICAST);
	CHECK_EQ(r.oif, veth);
	CHECK(r.route && r.route->nnexthops == 2 && r.route->dst_len == 27);
	r = lookup(h, AF_INET6, "2001:db8:8::1", "2001:db8:5::1", "vx0");
	CHECK(r.route && r.route->nnexthops == 2 && r.route->dst_len == 48);

	/* the policy rule: from 198.51.100.0/24 lookup 100 */
	r = lookup(h, AF_INET, "10.1.2.3", "198.51.100.7", "vx0");
	CHECK_EQ(r.type, RTN_UNICAST);
	CHECK_EQ(r.table, 100);
	CHECK_EQ(r.oif, veth);
	CHECK(r.gateway == A(AF_INET, "198.51.100.254"));
	CHECK(r.rule && r.rule->priority == 1000);
	/* ... the source unknown: main, but the answer is not certain */
	r = lookup(h, AF_INET, "10.1.2.3", NULL, "vx0");
	CHECK_EQ(r.table, RT_TABLE_MAIN);
	CHECK(r.uncertain);
	/* ... table 100 has no route for it: falls through to main (the
	 * local table already answered for local addresses) */
	r = lookup(h, AF_INET6, "2001:db8:7::5", "2001:db8:1::9", "veth0");
	CHECK_EQ(r.type, RTN_UNICAST);
	CHECK_EQ(r.table, 100);
	CHECK(r.gateway == A(AF_INET6, "2001:db8:1::3"));
	r = lookup(h, AF_INET6, "2001:db8:9::5", "2001:db8:1::9", "veth0");
	CHECK_EQ(r.table, RT_TABLE_MAIN);
	/* lowest metric wins among equal prefixes */
	CHECK_EQ(r.oif, vx);
	CHECK_EQ(r.route ? r.route->priority : 0, 50);

	/* rule with iif selector and prohibit action */
	r = lookup(h, AF_INET, "192.0.2.77", "192.0.2.9", "veth0");
	CHECK_EQ(r.type, RTN_PROHIBIT);
	CHECK(r.route == NULL);
	CHECK(r.rule && r.rule->priority == 900);
	r = lookup(h, AF_INET, "192.0.2.77", "192.0.2.9", "vx0");
	CHECK_EQ(r.type, RTN_BLACKHOLE);

	/* unreachable route, and no route at all */
	r = lookup(h, AF_INET6, "2001:db8:dead::1", "2001:db8:5::1", "vx0");
	CHECK_EQ(r.type, RTN_UNREACHABLE);
	CHECK(r.route != NULL);
	r = lookup(h, AF_INET6, "2001:db8:5555::1", "2001:db8:5::1", "vx0");
	CHECK_EQ(r.type, RTN_UNREACHABLE);
	CHECK(r.route == NULL && r.rule == NULL);
}

/* Hand-made tables for what a namespace recording does not show. */
static void test_lookup_synthetic(void)
{
	struct host_nexthop nh_dead = { .oif = 3, .flags = RTNH_F_DEAD };
	struct host_nexthop nh_a = { .oif = 2 }, nh_b = { .oif = 4 };
	struct host_nexthop mp[2] = { { .oif = 5 }, { .oif = 6 } };
	struct host_route routes[] = {
		{ .family = AF_INET, .table = 10, .type = RTN_THROW,
		  .dst_len = 8, .dst = 10u << 24 },
		{ .family = AF_INET, .table = 10, .type = RTN_UNICAST,
		  .dst_len = 0, .nnexthops = 1, .nexthops = &nh_a },
		{ .family = AF_INET, .table = RT_TABLE_MAIN, .type = RTN_UNICAST,
		  .dst_len = 8, .dst = 10u << 24, .priority = 1,
		  .nnexthops = 1, .nexthops = &nh_dead },
		{ .family = AF_INET, .table = RT_TABLE_MAIN, .type = RTN_UNICAST,
		  .dst_len = 8, .dst = 10u << 24, .priority = 9,
		  .nnexthops = 1, .nexthops = &nh_b },
		{ .family = AF_INET, .table = RT_TABLE_MAIN, .type = RTN_UNICAST,
		  .dst_len = 0, .nnexthops = 2, .nexthops = mp },
		{ .family = AF_INET, .table = 20, .type = RTN_UNICAST,
		  .dst_len = 0, .nnexthops = 1, .nexthops = &nh_a },
	};
	struct host_rule rules[] = {
		{ .family = AF_INET, .priority = 0, .action = FR_ACT_TO_TBL,
		  .table = 255, .suppress_prefixlen = -1,
		  .suppress_ifgroup = -1 },
		{ .family = AF_INET, .priority = 10, .action = FR_ACT_GOTO,
		  .goto_target = 30, .has_fwmark = true, .fwmark = 1,
		  .fwmask = 0xff, .suppress_prefixlen = -1,
		  .suppress_ifgroup = -1 },
		{ .family = AF_INET, .priority = 20, .action = FR_ACT_TO_TBL,
		  .table = 10, .suppress_prefixlen = -1,
		  .suppress_ifgroup = -1 },
		{ .family = AF_INET, .priority = 30, .action = FR_ACT_TO_TBL,
		  .table = 20, .invert = true, .has_fwmark = true,
		  .fwmark = 1, .fwmask = 0xff, .suppress_prefixlen = -1,
		  .suppress_ifgroup = -1 },
		{ .family = AF_INET, .priority = 40, .action = FR_ACT_TO_TBL,
		  .table = RT_TABLE_MAIN, .suppress_prefixlen = 0,
		  .suppress_ifgroup = -1 },
		{ .family = AF_INET, .priority = 50, .action = FR_ACT_TO_TBL,
		  .table = 20, .ip_proto = IPPROTO_TCP,
		  .suppress_prefixlen = -1, .suppress_ifgroup = -1 },
	};
	struct host h = { 0 };
	struct host_route_query q = { .family = AF_INET };
	struct host_route_result r;

	h.routes = routes;
	h.nroutes = ARRAY_SIZE(routes);
	h.rules = rules;
	h.nrules = ARRAY_SIZE(rules);
	h.have_rules4 = true;

	/* mark 0: table 10 throws 10/8 -> rule 30 (not mark 1: matches)
	 * -> table 20 default */
	q.daddr = (10u << 24) | 1;
	CHECK_EQ(host_route_lookup(&h, &q, &r), 0);
	CHECK_EQ(r.table, 20);
	CHECK(r.rule == &rules[3]);
	/* mark 1: goto 30, whose inverted mark selector then fails; rule 40
	 * finds 10/8 in main (the dead nexthop's route skipped) */
	q.mark = 1;
	CHECK_EQ(host_route_lookup(&h, &q, &r), 0);
	CHECK_EQ(r.table, RT_TABLE_MAIN);
	CHECK_EQ(r.oif, 4);
	CHECK(r.route == &routes[3]);
	/* mark 1, outside 10/8: main's default is suppressed (prefix 0 <=
	 * 0); rule 50 selects on the protocol */
	q.daddr = 192u << 24;
	CHECK_EQ(host_route_lookup(&h, &q, &r), 0);
	CHECK_EQ(r.type, RTN_UNREACHABLE);
	CHECK(r.uncertain);
	q.proto = IPPROTO_TCP;
	CHECK_EQ(host_route_lookup(&h, &q, &r), 0);
	CHECK_EQ(r.type, RTN_UNICAST);
	CHECK_EQ(r.table, 20);
	CHECK(!r.uncertain);
	/* mark 0 outside 10/8: table 10's default */
	q.mark = 0;
	CHECK_EQ(host_route_lookup(&h, &q, &r), 0);
	CHECK_EQ(r.table, 10);

	/* no rules dumped: the default local/main/default rules; multipath
	 * reports its first nexthop, and all of them in route */
	h.have_rules4 = false;
	CHECK_EQ(host_route_lookup(&h, &q, &r), 0);
	CHECK_EQ(r.table, RT_TABLE_MAIN);
	CHECK(r.rule == NULL);
	CHECK_EQ(r.oif, 5);
	CHECK(r.route && r.route->nnexthops == 2);

	q.family = 7;
	CHECK_EQ(host_route_lookup(&h, &q, &r), -EINVAL);
}

static void test_ingress(const struct host *h)
{
	int *v = NULL;
	size_t n = 0;

	CHECK(!host_link_is_ingress(h, host_link_by_name(h, "lo")));
	CHECK(host_link_is_ingress(h, host_link_by_name(h, "veth0")));
	CHECK(host_link_is_ingress(h, host_link_by_name(h, "vx0")));
	CHECK(!host_link_is_ingress(h, host_link_by_name(h, "docker0")));
	CHECK(!host_link_is_ingress(h, host_link_by_name(h, "vethc0")));
	CHECK(host_link_is_ingress(h, host_link_by_name(h, "br0")));
	CHECK_EQ(host_ingress_interfaces(h, &v, &n), 0);
	CHECK_EQ(n, 3);
	if (n == 3) {
		CHECK_EQ(v[0], ifidx(h, "veth0"));
		CHECK_EQ(v[1], ifidx(h, "vx0"));
		CHECK_EQ(v[2], ifidx(h, "br0"));
	}
	free(v);

	CHECK(host_is_container_bridge_name("docker0"));
	CHECK(host_is_container_bridge_name("docker_gwbridge"));
	CHECK(host_is_container_bridge_name("br-0123456789ab"));
	CHECK(!host_is_container_bridge_name("br-lan"));
	CHECK(!host_is_container_bridge_name("br-0123456789abc"));
	CHECK(host_is_container_bridge_name("cni0"));
	CHECK(host_is_container_bridge_name("virbr0"));
	CHECK(!host_is_container_bridge_name("br0"));
	CHECK(!host_is_container_bridge_name("eth0"));
}

/* ---- listeners from diag.bin, owners from proc/ ---- */

static void test_listeners(const struct host *h)
{
	const struct host_listener *l;

	CHECK_EQ(h->nlisteners, 8);
	CHECK(!h->have_sctp);

	l = find_listener(h, AF_INET, IPPROTO_TCP, "0.0.0.0", 6379);
	CHECK(l && l->nsockets == 2 && l->bound_ifindex == 0 && l->inode);
	if (l) {
		CHECK_EQ(l->pid, 1001);
		CHECK_STR(l->comm, "redis-server");
	}
	l = find_listener(h, AF_INET6, IPPROTO_TCP, "::", 80);
	CHECK(l && l->v6only_known && !l->v6only && l->nsockets == 1);
	if (l) {
		CHECK_EQ(l->pid, 1002);
		CHECK_STR(l->comm, "nginx");
	}
	l = find_listener(h, AF_INET6, IPPROTO_TCP, "2001:db8:1::1", 443);
	CHECK(l && l->v6only_known && l->v6only);
	CHECK(l && l->pid == 1003);
	l = find_listener(h, AF_INET, IPPROTO_UDP, "0.0.0.0", 53);
	CHECK(l && l->nsockets == 1 && !l->v6only_known);
	if (l) {
		CHECK_EQ(l->pid, 1004);
		CHECK_STR(l->comm, "dnsmasq");
	}
	/* the connected UDP socket is no listener */
	CHECK(find_listener(h, AF_INET, IPPROTO_UDP, "0.0.0.0", 5353) == NULL);
	l = find_listener(h, AF_INET, IPPROTO_TCP, "0.0.0.0", 8080);
	CHECK(l && l->bound_ifindex == ifidx(h, "veth0"));
	CHECK(l && l->pid == 1005);
	l = find_listener(h, AF_INET, IPPROTO_TCP, "127.0.0.1", 631);
	CHECK(l && l->bound_ifindex == 0 && l->pid == 1005);
	/* vx0's kernel socket: a listener nobody owns */
	l = find_listener(h, AF_INET, IPPROTO_UDP, "0.0.0.0", 4789);
	CHECK(l && l->pid == 0 && l->comm == NULL && l->inode);
	l = find_listener(h, AF_INET6, IPPROTO_UDP, "::", 123);
	CHECK(l && l->v6only_known && l->v6only);
	if (l)
		CHECK_STR(l->comm, "misc");
}

static void test_listener_find(const struct host *h)
{
	const struct host_listener *l;
	rs_u128 v4 = A(AF_INET, "198.51.100.1");

	/* IPv4 into the dual-stack [::]:80 */
	l = host_listener_find(h, AF_INET, IPPROTO_TCP, v4, 80, 0);
	CHECK(l && l->family == AF_INET6 && l->port == 80);
	/* v6only [2001:db8:1::1]:443 takes no IPv4, nor other addresses */
	CHECK(!host_listener_find(h, AF_INET, IPPROTO_TCP, v4, 443, 0));
	l = host_listener_find(h, AF_INET6, IPPROTO_TCP,
			       A(AF_INET6, "2001:db8:1::1"), 443, 0);
	CHECK(l && l->port == 443);
	CHECK(!host_listener_find(h, AF_INET6, IPPROTO_TCP,
				  A(AF_INET6, "2001:db8:2::1"), 443, 0));
	/* [::]:123/udp is v6only */
	CHECK(!host_listener_find(h, AF_INET, IPPROTO_UDP, v4, 123, 0));
	CHECK(host_listener_find(h, AF_INET6, IPPROTO_UDP,
				 A(AF_INET6, "2001:db8:2::1"), 123, 0));
	/* bound to veth0 */
	CHECK(host_listener_find(h, AF_INET, IPPROTO_TCP, v4, 8080,
				 ifidx(h, "veth0")));
	CHECK(!host_listener_find(h, AF_INET, IPPROTO_TCP, v4, 8080,
				  ifidx(h, "vx0")));
	/* 127.0.0.1:631 only */
	CHECK(!host_listener_find(h, AF_INET, IPPROTO_TCP, v4, 631, 0));
	CHECK(host_listener_find(h, AF_INET, IPPROTO_TCP,
				 A(AF_INET, "127.0.0.1"), 631, 0));
	CHECK(!host_listener_find(h, AF_INET, IPPROTO_UDP, v4, 6379, 0));
}

/* ---- sysctls from sys/ ---- */

static void test_sysctl(struct host *h)
{
	const struct host_link *veth, *vx, *port;
	int veth_i = ifidx(h, "veth0"), vx_i = ifidx(h, "vx0");

	CHECK_EQ(sysctl_read(h, fixture("sys")), 0);
	CHECK_EQ(h->sysctl.ip_forward, 1);
	CHECK_EQ(h->sysctl.ipv6_forwarding, 0);
	CHECK_EQ(h->sysctl.route_localnet_all, 0);
	CHECK_EQ(h->sysctl.rp_filter_all, 2);
	CHECK_EQ(h->sysctl.bridge_nf_call_iptables, 1);
	CHECK_EQ(h->sysctl.bridge_nf_call_ip6tables, HOST_SYSCTL_UNKNOWN);
	veth = host_link_by_name(h, "veth0");
	vx = host_link_by_name(h, "vx0");
	port = host_link_by_name(h, "vethc0");
	CHECK(veth && vx && port);
	if (!(veth && vx && port))
		return;
	CHECK_EQ(veth->sysctl.forwarding, 1);
	CHECK_EQ(veth->sysctl.route_localnet, 1);
	CHECK_EQ(veth->sysctl.rp_filter, 1);
	CHECK_EQ(veth->sysctl.ipv6_force_forwarding, HOST_SYSCTL_UNKNOWN);
	CHECK_EQ(vx->sysctl.forwarding, 0);
	CHECK_EQ(vx->sysctl.ipv6_force_forwarding, 1);
	CHECK_EQ(port->sysctl.ipv6_force_forwarding, HOST_SYSCTL_UNKNOWN);

	CHECK_EQ(host_route_localnet(h, veth_i), 1);
	CHECK_EQ(host_route_localnet(h, vx_i), 0);
	CHECK_EQ(host_route_localnet(h, 999), HOST_SYSCTL_UNKNOWN);
	CHECK_EQ(host_rp_filter(h, veth_i), 2);	/* max(all, iface) */
	CHECK_EQ(host_ipv4_forwarding(h, veth_i), 1);
	CHECK_EQ(host_ipv4_forwarding(h, vx_i), 0);
	CHECK_EQ(host_ipv4_forwarding(h, 0), 1);
	CHECK_EQ(host_ipv6_forwarding(h, veth_i), 0);
	CHECK_EQ(host_ipv6_forwarding(h, vx_i), 1);

	CHECK_EQ(sysctl_read(h, fixture("no-such-dir")), -ENOENT);
	CHECK_EQ(h->sysctl.ip_forward, 1);	/* unchanged on failure */
}

/* ---- hand-made recordings: what a namespace rarely shows ---- */

struct rec {
	char buf[16384];
	size_t len;
};

static struct nlmsghdr *rec_msg(struct rec *r, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf + r->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return nlh;
}

static void rec_end(struct rec *r, struct nlmsghdr *nlh)
{
	r->len += nlh->nlmsg_len;
}

static void rec_diag_req(struct rec *r, uint8_t family, uint8_t proto)
{
	struct nlmsghdr *nlh = rec_msg(r, SOCK_DIAG_BY_FAMILY,
				       NLM_F_REQUEST | NLM_F_DUMP);
	struct inet_diag_req_v2 *q = mnl_nlmsg_put_extra_header(nlh,
								sizeof(*q));

	q->sdiag_family = family;
	q->sdiag_protocol = proto;
	q->idiag_states = 1u << 10;
	rec_end(r, nlh);
}

static void rec_done(struct rec *r, int err, uint16_t flags)
{
	struct nlmsghdr *nlh = rec_msg(r, NLMSG_DONE, NLM_F_MULTI | flags);
	int *e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*e = err;
	rec_end(r, nlh);
}

static int rec_write(const struct rec *r, char *path)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -errno;
	if (write(fd, r->buf, r->len) != (ssize_t)r->len) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

static int replay_sockets(const struct rec *r, struct host *h)
{
	char path[] = "/tmp/fwaudit-test-host-XXXXXX";
	int ret = rec_write(r, path);

	if (ret == 0)
		ret = sockets_replay(h, path);
	unlink(path);
	return ret;
}

static void test_sctp_and_errors(void)
{
	struct host *h = host_new();
	struct rec *r = calloc(1, sizeof(*r));
	struct nlmsghdr *nlh;
	struct inet_diag_msg *m;
	struct sockaddr_storage ss[2];
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss[0];
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss[1];
	size_t mark;

	CHECK(h && r);
	if (!h || !r)
		goto out;

	/* an SCTP endpoint bound to two addresses, v6only */
	rec_diag_req(r, AF_INET6, IPPROTO_SCTP);
	nlh = rec_msg(r, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI);
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->idiag_family = AF_INET6;
	m->idiag_state = 10;
	m->id.idiag_sport = htons(2905);
	m->idiag_inode = 4242;
	memset(ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, "198.51.100.1", &sin->sin_addr);
	sin6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:1::1", &sin6->sin6_addr);
	mnl_attr_put(nlh, INET_DIAG_LOCALS, sizeof(ss), ss);
	mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 0);
	rec_end(r, nlh);
	rec_done(r, 0, 0);
	/* no sctp_diag for IPv4: not an error */
	rec_diag_req(r, AF_INET, IPPROTO_SCTP);
	rec_done(r, -ENOENT, 0);
	CHECK_EQ(replay_sockets(r, h), 0);
	CHECK(h->have_sctp);
	CHECK_EQ(h->nlisteners, 2);
	CHECK(find_listener(h, AF_INET, IPPROTO_SCTP, "198.51.100.1", 2905));
	CHECK(find_listener(h, AF_INET6, IPPROTO_SCTP, "2001:db8:1::1", 2905));
	mark = r->len;

	/* an interrupted dump is never a partial answer; h is unchanged */
	rec_diag_req(r, AF_INET, IPPROTO_TCP);
	rec_done(r, 0, NLM_F_DUMP_INTR);
	CHECK_EQ(replay_sockets(r, h), -EINTR);
	CHECK_EQ(h->nlisteners, 2);

	/* a TCP dump that failed */
	r->len = mark;
	rec_diag_req(r, AF_INET, IPPROTO_TCP);
	rec_done(r, -ENOMEM, 0);
	CHECK_EQ(replay_sockets(r, h), -ENOMEM);

	/* an answer cut short */
	r->len = mark;
	rec_diag_req(r, AF_INET, IPPROTO_TCP);
	CHECK_EQ(replay_sockets(r, h), -EBADMSG);
	/* a message cut in the middle */
	r->len = mark - 6;
	CHECK_EQ(replay_sockets(r, h), -EBADMSG);
	CHECK_EQ(h->nlisteners, 2);

	/* a bad attribute: INET_DIAG_SKV6ONLY must be a u8 */
	r->len = 0;
	rec_diag_req(r, AF_INET6, IPPROTO_TCP);
	nlh = rec_msg(r, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI);
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->idiag_family = AF_INET6;
	m->idiag_state = 10;
	m->id.idiag_sport = htons(22);
	mnl_attr_put(nlh, INET_DIAG_SKV6ONLY, 0, NULL);
	rec_end(r, nlh);
	rec_done(r, 0, 0);
	CHECK_EQ(replay_sockets(r, h), -EBADMSG);

	CHECK_EQ(link_replay(h, fixture("no-such-file")), -ENOENT);
out:
	free(r);
	host_free(h);
}

/* A message whose nlmsg_len libmnl 1.0.4 would follow gigabytes ahead, or
 * never past, and an error code of INT_MIN (issue 17): clean errors. */
static void test_broken_lengths(void)
{
	static const uint32_t lens[] = { 0xc0000000u, 0xfffffffdu,
					 0xffffffffu, 8 };
	struct host *h = host_new();
	struct rec *r = calloc(1, sizeof(*r));
	struct nlmsghdr *nlh;
	size_t i;

	CHECK(h && r);
	if (!h || !r)
		goto out;
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		r->len = 0;
		rec_diag_req(r, AF_INET, IPPROTO_TCP);
		nlh = rec_msg(r, NLMSG_NOOP, NLM_F_MULTI);
		rec_end(r, nlh);
		nlh->nlmsg_len = lens[i];
		rec_done(r, 0, 0);
		CHECK_EQ(replay_sockets(r, h), -EBADMSG);
	}
	r->len = 0;
	rec_diag_req(r, AF_INET, IPPROTO_TCP);
	rec_done(r, INT_MIN, 0);
	CHECK_EQ(replay_sockets(r, h), -EPROTO);
out:
	free(r);
	host_free(h);
}

/* ---- addresses ---- */

static void test_addr_helpers(void)
{
	char buf[64];
	uint8_t b[16];
	unsigned int i, len;

	CHECK(A(AF_INET, "198.51.100.1") == 0xc6336401);
	CHECK(A(AF_INET6, "2001:db8::1") ==
	      (((rs_u128)0x20010db800000000ull) << 64 | 1));
	CHECK_STR(host_addr_str(AF_INET, 0xc6336401, buf, sizeof(buf)),
		  "198.51.100.1");
	CHECK_STR(host_addr_str(AF_INET6, A(AF_INET6, "2001:db8:1::1"), buf,
				sizeof(buf)), "2001:db8:1::1");
	host_addr_to_bytes(AF_INET, 0xc6336401, b);
	CHECK(b[0] == 198 && b[3] == 1);
	CHECK(host_addr_parse(AF_INET, "300.1.1.1", &(rs_u128){ 0 }) < 0);

	/* Flip each bit of an address: inside the prefix when the flipped
	 * bit is beyond the prefix length, outside when it is within. */
	srand(1);
	for (i = 0; i < 2000; i++) {
		uint8_t fam = i & 1 ? AF_INET6 : AF_INET;
		unsigned int width = fam == AF_INET ? 32 : 128, bit;
		rs_u128 p = 0, a;

		for (bit = 0; bit < width; bit += 16)
			p = (p << 16) | (unsigned int)(rand() & 0xffff);
		len = (unsigned int)rand() % (width + 1);
		bit = (unsigned int)rand() % width;	/* from the right */
		a = p ^ ((rs_u128)1 << bit);
		CHECK(host_prefix_contains(fam, p, (uint8_t)len, p));
		CHECK(host_prefix_contains(fam, p, (uint8_t)len, a) ==
		      (bit < width - len));
	}
}

/* record.sh runs "test_host --record" in its namespace, with the
 * FWAUDIT_*_RECORD variables naming the files. */
static int record(void)
{
	struct host *h = host_new();
	int ret;

	if (!h)
		return 1;
	ret = link_read(h);
	if (ret == 0)
		ret = sockets_read(h);
	if (ret < 0)
		fprintf(stderr, "recording failed: %s\n", strerror(-ret));
	else
		printf("%zu links, %zu addresses, %zu routes, %zu rules, "
		       "%zu listeners\n", h->nlinks, h->naddrs, h->nroutes,
		       h->nrules, h->nlisteners);
	host_free(h);
	return ret < 0;
}

int main(int argc, char **argv)
{
	const char *src = getenv("top_srcdir");
	char proc[] = "/tmp/test_host.XXXXXX", cmd[64];
	struct host *h;
	int ret;

	if (argc > 1 && strcmp(argv[1], "--record") == 0)
		return record();
	snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures/host",
		 src ? src : ".");

	test_addr_helpers();
	test_lookup_synthetic();
	test_sctp_and_errors();
	test_broken_lengths();

	h = host_new();
	CHECK(h != NULL);
	if (!h)
		return unit_done();
	ret = link_replay(h, fixture("rtnl.bin"));
	CHECK_EQ(ret, 0);
	if (ret == 0) {
		test_links(h);
		test_addrs(h);
		test_routes(h);
		test_rules(h);
		test_lookup(h);
		test_ingress(h);
	}
	ret = sockets_replay(h, fixture("diag.bin"));
	CHECK_EQ(ret, 0);
	CHECK(mkdtemp(proc) != NULL);
	CHECK_EQ(make_proc(fixture("proc.txt"), proc), 0);
	CHECK_EQ(sockets_find_owners(h, proc), 7);
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", proc);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", proc);
	if (ret == 0) {
		test_listeners(h);
		test_listener_find(h);
	}
	test_sysctl(h);
	host_free(h);

	/* The live readers need no privileges for what they read, but a
	 * sandbox may forbid netlink altogether. */
	h = NULL;
	ret = host_read(&h);
	if (ret == -EPERM || ret == -EACCES || ret == -EAFNOSUPPORT ||
	    ret == -EPROTONOSUPPORT) {
		printf("host_read: %s, live read not tested\n", strerror(-ret));
	} else {
		CHECK_EQ(ret, 0);
		CHECK(h && h->nlinks >= 1 && host_link_by_name(h, "lo"));
	}
	host_free(h);
	return unit_done();
}
