/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysctl.h - the net.* sysctls that change what reaches the host.
 */
#ifndef FWAUDIT_SYSCTL_H
#define FWAUDIT_SYSCTL_H

#include "host.h"

#define SYSCTL_ROOT	"/proc/sys"

/* Read under root (SYSCTL_ROOT, or a copy of its tree in a test):
 * net/ipv4/ip_forward, net/ipv6/conf/all/forwarding,
 * net/ipv4/conf/all/{route_localnet,rp_filter},
 * net/bridge/bridge-nf-call-{iptables,ip6tables} into h->sysctl, and for
 * each link already in h net/ipv4/conf/IFACE/{forwarding,route_localnet,
 * rp_filter} and net/ipv6/conf/IFACE/force_forwarding into its sysctl.
 * A file that is absent or unreadable (br_netfilter not loaded, IPv6
 * disabled, an interface that just vanished) is HOST_SYSCTL_UNKNOWN.
 * Returns 0; -ENOENT/-ENOTDIR when root is not a directory; -EINVAL when a
 * file holds something other than an integer.  h is unchanged on failure. */
int sysctl_read(struct host *h, const char *root);

#endif
