/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dknet.h - Docker's bridge networks and the options that change who can
 * reach their containers (Docker >= 28): the gateway mode of each family
 * (com.docker.network.bridge.gateway_mode_ipv4 / _ipv6: nat,
 * nat-unprotected, routed, isolated) and the trusted host interfaces
 * (com.docker.network.bridge.trusted_host_interfaces), from GET /networks.
 */
#ifndef FWAUDIT_DKNET_H
#define FWAUDIT_DKNET_H

#include <stddef.h>
#include <stdint.h>

#define DKNET_MAX		1024	/* networks kept */
#define DKNET_SUBNETS_MAX	4	/* IPAM subnets kept per network */

struct dknet_subnet {
	uint8_t family;		/* AF_INET / AF_INET6 */
	uint8_t len;
	unsigned __int128 addr;
};

struct dknet {
	char *name;
	char *mode4, *mode6;	/* NULL: the option is not set (nat) */
	char *trusted;		/* NULL or the option's text */
	size_t nsubnets;
	struct dknet_subnet subnets[DKNET_SUBNETS_MAX];
};

struct dknet_list {
	size_t n;
	struct dknet *nets;
};

/* Parse a /networks answer: the bridge networks that set one of those
 * options (the others are not kept).  0 and *out (free with
 * dknet_release()), -EBADMSG when it is not an array, -ENOMEM. */
int dknet_parse(const char *json, size_t len, struct dknet_list *out);
/* GET /networks from the API at the unix socket path and parse it; an
 * absent socket gives an empty list and -ENOENT (as docker_read()). */
int dknet_read(const char *path, struct dknet_list *out);
/* The network of l whose subnet holds (family, addr), or NULL. */
const struct dknet *dknet_find(const struct dknet_list *l, uint8_t family,
			       unsigned __int128 addr);
/* What a mode means to a stranger, one sentence; NULL for nat and for a
 * mode Docker does not document. */
const char *dknet_mode_text(const char *mode);
void dknet_release(struct dknet_list *l);

#endif
