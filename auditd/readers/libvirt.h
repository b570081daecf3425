/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvirt.h - names for backends that are libvirt's virtual machines, from
 * the files libvirtd keeps (no connection to it): the status XML of each
 * running domain (/run/libvirt/qemu/NAME.xml: its name and MAC addresses)
 * and the DHCP leases of libvirt's networks
 * (/var/lib/libvirt/dnsmasq/BRIDGE.status: MAC -> address).
 */
#ifndef FWAUDIT_LIBVIRT_H
#define FWAUDIT_LIBVIRT_H

#include <stddef.h>

#include "docker.h"

/* Domains and lease files read at most; MAC addresses of one domain. */
#define LIBVIRT_FILES_MAX	1024
#define LIBVIRT_MACS_MAX	64

struct libvirt_domain {
	char name[256];
	size_t nmacs;
	char macs[LIBVIRT_MACS_MAX][18];	/* "52:54:00:12:34:56" */
};

/*
 * Scan a domain's (status) XML for its <name> (the first, the domain's:
 * a status file wraps the domain in <domstatus>) and each
 * <mac address='...'/> of its interfaces.  0 and *d filled, -EBADMSG
 * without a name.  Not a general XML parser: libvirt writes these files
 * itself, one element per line, with entities in names escaped.
 */
int libvirt_parse_domain(const char *xml, size_t len,
			 struct libvirt_domain *d);

/*
 * Parse a .status file of libvirt's dnsmasq (a JSON array of
 * {"ip-address", "mac-address", "hostname", "expiry-time"}): each lease
 * whose MAC belongs to one of the domains d[0..nd) names its address by
 * the domain, added to *m as runtime libvirt.  0, -EBADMSG, -ENOMEM,
 * -E2BIG.
 */
int libvirt_parse_leases(const char *json, size_t len,
			 const struct libvirt_domain *d, size_t nd,
			 struct docker_map *m);

/* Read both from the host under root ("" for /).  Absent directories cost
 * an opendir(); 0, or -ENOMEM / -E2BIG. */
int libvirt_read(const char *root, struct docker_map *m);

#endif
