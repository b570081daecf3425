/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * failopen.h - fail-open states of a ruleset, named as findings (issue 9):
 * arrangements in which a front-end's protection silently stops applying,
 * whatever the probes of today show.
 *
 *  - forward-no-docker-user: a filter table holds Docker's chains
 *    (DOCKER-USER beside DOCKER / DOCKER-FORWARD / DOCKER-ISOLATION-*)
 *    but its FORWARD chain never jumps to DOCKER-USER: the user's rules
 *    there filter nothing;
 *  - docker-user-late: FORWARD jumps to DOCKER-USER only after a rule that
 *    accepts or hands the packet to Docker's own chains (a dockerd restart
 *    puts its rules above a hand-made jump): what Docker accepts never
 *    reaches DOCKER-USER;
 *  - docker-direct-access-open: Docker >= 28 shapes (DOCKER-FORWARD,
 *    DOCKER-CT, DOCKER-BRIDGE, or the nftables table docker-bridges) with a
 *    DNAT to a container address that no drop before the DNAT (raw
 *    PREROUTING, "DROP DIRECT ACCESS") protects: a host on the link that
 *    routes to the container reaches its published ports directly, also
 *    those published on 127.0.0.1 only, and past DOCKER-USER rules on the
 *    host port (the drops are lost e.g. after a firewalld reload in Docker
 *    28.2.0-28.3.2, CVE-2025-54388);
 *  - docker-user-ipv4-only: the IPv4 DOCKER-USER holds rules while Docker
 *    publishes ports over IPv6 (ip6 nat DOCKER DNATs) with no IPv6
 *    DOCKER-USER rule (Docker 20.10 makes no IPv6 DOCKER-USER chain):
 *    the restrictions do not apply to IPv6;
 *  - xtables-and-nftables: legacy x_tables and nftables base chains both
 *    hold rules at one hook of one family: a packet must pass both, and
 *    each tool (iptables-legacy, iptables-nft, nft) shows only its half;
 *  - container-forward-open: Podman's netavark (NETAVARK_FORWARD,
 *    NETAVARK-DN-*) or CNI's portmap and firewall plugins (CNI-FORWARD,
 *    CNI-DN-*) publish ports by DNAT, but their forward chains accept no
 *    new connection to a container: the ports are open only because every
 *    forward base chain's policy is ACCEPT, which also lets anyone who
 *    routes to a container network reach every port of every container;
 *  - container-subnet-forged: FORWARD's policy is DROP, but netavark's or
 *    CNI's forward chain accepts every packet whose source is in a
 *    container network ("-s 10.88.0.0/16 -j ACCEPT") on any interface: a
 *    stranger who forges such a source gets first packets through to the
 *    containers (UDP datagrams are delivered; TCP and SCTP answers go out
 *    on the bridge and never come back);
 *  - lxd-forwards-dropped: LXD or Incus DNATs in its own table (network
 *    forwards, proxy devices with nat=true) and accepts them in its own
 *    forward chain, but another forward base chain (iptables' FORWARD with
 *    policy DROP) drops them: a drop in any base chain ends the packet, so
 *    the published ports are unreachable (an outage, not an exposure).
 *
 * Library module: no printing, negative errno on failure.
 */
#ifndef FWAUDIT_FAILOPEN_H
#define FWAUDIT_FAILOPEN_H

#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

enum failopen_kind {
	FAILOPEN_FORWARD_NO_DOCKER_USER,
	FAILOPEN_DOCKER_USER_LATE,
	FAILOPEN_DOCKER_DIRECT_ACCESS,
	FAILOPEN_DOCKER_USER_IPV4_ONLY,
	FAILOPEN_XTABLES_AND_NFTABLES,
	FAILOPEN_CONTAINER_FORWARD_OPEN,
	FAILOPEN_CONTAINER_SUBNET_FORGED,
	FAILOPEN_LXD_FORWARDS_DROPPED,
	FAILOPEN_CT_HELPER_RELATED,	/* cthelper.c */
	FAILOPEN__KIND_COUNT
};

enum failopen_severity {
	FAILOPEN_SEV_INFO,
	FAILOPEN_SEV_WARNING,
	FAILOPEN_SEV_CRITICAL,
};

struct failopen_finding {
	enum failopen_kind kind;
	enum failopen_severity severity;
	uint8_t family;			/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	enum rs_origin origin;		/* of the chain concerned */
	char *table;			/* the table and chain concerned */
	char *chain;
	char *message;			/* one line: what is open and why */
};

struct failopen_result {
	size_t nfindings;
	struct failopen_finding *findings;	/* in a stable order */
};

/*
 * Inspect rs (read only) for the states above.  Returns 0 and a new result
 * in *out (free with failopen_result_free(); it owns its strings and
 * borrows nothing from rs), or -ENOMEM with nothing allocated.
 */
int failopen_inspect(const struct ruleset *rs, struct failopen_result **out);
void failopen_result_free(struct failopen_result *r);

/* Append one finding about chain c (its family, origin, table and name)
 * with message (copied) to r, for the inspections of other modules
 * (cthelper.c).  Returns 0 or -ENOMEM (r unchanged). */
int failopen_result_add(struct failopen_result *r, enum failopen_kind kind,
			enum failopen_severity sev, const struct rs_chain *c,
			const char *message);

/* "forward-no-docker-user", "docker-user-late",
 * "docker-direct-access-open", "docker-user-ipv4-only",
 * "xtables-and-nftables", "container-forward-open",
 * "container-subnet-forged", "lxd-forwards-dropped",
 * "conntrack-helper-related" */
const char *failopen_kind_name(enum failopen_kind k);
/* "info", "warning", "critical" */
const char *failopen_severity_name(enum failopen_severity s);

#endif
