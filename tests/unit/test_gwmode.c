// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_gwmode.c - Docker >= 28's gateway modes and trusted host interfaces
 * read from a /networks answer (auditd/readers/dknet.c) and named in the
 * notes where a forwarded row goes into that network
 * (auditd/policy/gwmode.c).  No privileges; Docker 28 does not run here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <linux/netfilter.h>
#include <sys/socket.h>

#include "dknet.h"
#include "gwmode.h"
#include "host.h"
#include "region.h"
#include "unit.h"

/* moby's answer for: bridge1 (gateway_mode_ipv4=nat-unprotected,
 * gateway_mode_ipv6=routed, trusted_host_interfaces=eth9), the default
 * bridge (no option: not kept) and a macvlan network (not a bridge). */
static const char answer[] =
	"[{\"Name\":\"bridge1\",\"Id\":\"aa\",\"Driver\":\"bridge\","
	"\"IPAM\":{\"Config\":[{\"Subnet\":\"192.0.2.0/24\",\"Gateway\":\"192.0.2.1\"},"
	"{\"Subnet\":\"2001:db8:5::/64\"}]},"
	"\"Options\":{\"com.docker.network.bridge.name\":\"bridge1\","
	"\"com.docker.network.bridge.gateway_mode_ipv4\":\"nat-unprotected\","
	"\"com.docker.network.bridge.gateway_mode_ipv6\":\"routed\","
	"\"com.docker.network.bridge.trusted_host_interfaces\":\"eth9\"}},"
	"{\"Name\":\"bridge\",\"Id\":\"bb\",\"Driver\":\"bridge\","
	"\"IPAM\":{\"Config\":[{\"Subnet\":\"172.17.0.0/16\"}]},"
	"\"Options\":{\"com.docker.network.bridge.default_bridge\":\"true\"}},"
	"{\"Name\":\"mv\",\"Id\":\"cc\",\"Driver\":\"macvlan\","
	"\"Options\":{\"com.docker.network.bridge.gateway_mode_ipv4\":\"routed\"}}]";

static void test_parse(void)
{
	struct dknet_list l;

	CHECK_EQ(dknet_parse(answer, strlen(answer), &l), 0);
	CHECK_EQ(l.n, 1);
	if (l.n != 1)
		return;
	CHECK_STR(l.nets[0].name, "bridge1");
	CHECK_STR(l.nets[0].mode4, "nat-unprotected");
	CHECK_STR(l.nets[0].mode6, "routed");
	CHECK_STR(l.nets[0].trusted, "eth9");
	CHECK_EQ(l.nets[0].nsubnets, 2);
	CHECK(dknet_find(&l, AF_INET, 0xc0000263u) == &l.nets[0]);
	CHECK(dknet_find(&l, AF_INET, 0xc0000363u) == NULL);
	CHECK(dknet_find(&l, AF_INET6, (unsigned __int128)0x20010db800050000ull << 64 | 7) ==
	      &l.nets[0]);
	CHECK(dknet_find(&l, AF_INET6, (unsigned __int128)0x20010db800060000ull << 64) ==
	      NULL);
	dknet_release(&l);
	CHECK_EQ(dknet_parse("{}", 2, &l), -EBADMSG);
	CHECK_EQ(dknet_parse("[]", 2, &l), 0);
	CHECK_EQ(l.n, 0);
	dknet_release(&l);
	CHECK(dknet_mode_text("nat") == NULL);
	CHECK(dknet_mode_text("isolated") != NULL);
}

static void row(struct report *rep, uint8_t family, enum engine_fate path,
		const char *addr, const char *backend)
{
	struct report_row *r = &rep->rows[rep->nrows++];

	memset(r, 0, sizeof(*r));
	r->family = family;
	r->proto = IPPROTO_TCP;
	r->path = path;
	/* "*": every address, no interval */
	if (strcmp(addr, "*")) {
		r->addrs = calloc(1, sizeof(*r->addrs));
		CHECK_EQ(region_prefix_parse(family, addr, r->addrs), 0);
		r->naddrs = 1;
	}
	r->has_backend = backend != NULL;
	r->has_backend_address = backend != NULL;
	if (backend)
		CHECK_EQ(host_addr_parse(family == NFPROTO_IPV6 ? AF_INET6 :
					 AF_INET, backend, &r->backend_address),
			 0);
}

static void test_notes(void)
{
	struct report *rep = calloc(1, sizeof(*rep));
	struct dknet_list l;

	CHECK_EQ(dknet_parse(answer, strlen(answer), &l), 0);
	rep->rows = calloc(4, sizeof(*rep->rows));
	/* the host's own port and a DNAT to the default bridge: no note */
	row(rep, NFPROTO_IPV4, ENGINE_LOCAL, "*", NULL);
	row(rep, NFPROTO_IPV4, ENGINE_FORWARDED, "*", "172.17.0.2");
	CHECK_EQ(gwmode_notes(&l, rep), 0);
	CHECK_EQ(rep->nnotes, 0);
	/* a DNAT into bridge1 (IPv4) and a direct row to it (IPv6) */
	row(rep, NFPROTO_IPV4, ENGINE_FORWARDED, "*", "192.0.2.2");
	row(rep, NFPROTO_IPV6, ENGINE_FORWARDED, "2001:db8:5::/64", NULL);
	CHECK_EQ(gwmode_notes(&l, rep), 0);
	CHECK_EQ(rep->nnotes, 3);
	if (rep->nnotes == 3) {
		CHECK_STR(rep->notes[0], "network bridge1: gateway mode ipv4 "
			  "nat-unprotected: every container port is "
			  "reachable, published or not");
		CHECK_STR(rep->notes[1], "network bridge1: gateway mode ipv6 "
			  "routed: no NAT: the containers' addresses are "
			  "reachable by routing, on their published ports");
		CHECK_STR(rep->notes[2], "network bridge1: trusted host "
			  "interfaces eth9: packets arriving there may reach "
			  "the containers' addresses directly");
	}
	report_free(rep);
	dknet_release(&l);
}

int main(void)
{
	test_parse();
	test_notes();
	return unit_done();
}
