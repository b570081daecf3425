// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_xt.c - libFuzzer harness for the x_tables blob decoders (xt.c).
 *
 * Input: byte 0 picks a name, byte 1 is the revision, byte 2 the family
 * (even: IPv4, odd: IPv6), the rest is the blob; both decoders see it.
 * Built and run by tests/fuzz/run-fuzz.sh (make check, tests/fuzz/xt.fuzz).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "ruleset.h"
#include "xt.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	/* matches */
	"tcp", "udp", "udplite", "sctp", "icmp", "icmp6", "multiport",
	"addrtype", "conntrack", "state", "comment", "iprange", "mac", "set",
	"limit", "recent", "statistic", "mark", "connmark", "physdev", "owner",
	"pkttype", "hashlimit", "ip", "ip6",
	/* targets */
	"DNAT", "SNAT", "MASQUERADE", "REDIRECT", "REJECT", "NFQUEUE",
	"TPROXY", "LOG", "NFLOG", "ULOG", "MARK", "CONNMARK", "CT", "NOTRACK",
	"TCPMSS", "CHECKSUM", "TRACE", "SET", "TTL", "NETMAP", "",
	/* ebtables' own (xtebt.c), in the bridge family */
	"mark_m", "vlan", "arp", "stp", "among", "redirect", "snat", "dnat",
	"arpreply",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset *rs;
	struct rs_chain *c;
	struct rs_rule *r;
	const char *name;
	uint8_t rev, family;
	void *blob;

	if (size < 3)
		return 0;
	name = names[data[0] % ARRAY_SIZE(names)];
	rev = data[1];
	family = data[2] & 2 ? NFPROTO_BRIDGE :
		 data[2] & 1 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	/* a heap copy of exactly the blob, so ASan sees any overread */
	blob = malloc(size - 3 ? size - 3 : 1);
	rs = ruleset_new();
	if (!blob || !rs)
		goto out;
	memcpy(blob, data + 3, size - 3);
	c = ruleset_add_chain(rs, RS_ORIGIN_LEGACY, family, "filter", "F");
	if (!c || !(r = rs_chain_add_rule(c)))
		goto out;
	xt_decode_match(r, family, name, rev, blob, size - 3);
	xt_decode_target(r, family, name, rev, blob, size - 3);
out:
	ruleset_free(rs);
	free(blob);
	return 0;
}
