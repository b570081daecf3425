/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tcf.h - the tc filters of a link's ingress, decoded where fwaudit can walk
 * them: u32 on the addresses and IPv4 protocol, flower on the ethertype,
 * IP protocol and addresses, matchall; each with gact actions (pass, ok,
 * drop, continue, pipe).  A filter that does anything else (a BPF program,
 * ports, hash tables, a random or policing action, a redirect, hardware
 * only) is kept, undecided, with the reason: the engine then forks the
 * packets that reach it both ways, as for an XDP program.
 *
 * Why ports stay undecided: u32's "ip dport" reads a fixed offset that
 * assumes an IPv4 header without options, and flower reads ports through
 * the flow dissector, which does not look into fragments; both are fields
 * of the sender's choosing that the walk before netfilter does not model.
 */
#ifndef FWAUDIT_TCF_H
#define FWAUDIT_TCF_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "host.h"

/*
 * Decode one RTM_NEWTFILTER message (a filter of the ingress or clsact
 * qdisc of link ifindex t->tcm_ifindex) into *out.  Returns 1 when the
 * message is a filter the packets meet (out written), 0 when it is not
 * one (the announcement of a priority, a u32 hash table node, a filter of
 * a chain other than 0, which only a goto reaches), or -EBADMSG for a
 * malformed message.  Whatever the classifier, a well-formed filter is
 * returned: out->decoded says whether the engine can walk it.
 */
int tcf_decode(const struct nlmsghdr *nlh, struct host_tcf *out);

#endif
