/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bpfq.h - BPF programs that see packets outside netfilter and the tc
 * filters, found with BPF_PROG_QUERY (CAP_NET_ADMIN is enough):
 *   - tcx programs on a link's ingress (BPF_TCX_INGRESS, Linux 6.6) and
 *     the primary programs of a netkit link (BPF_NETKIT_PRIMARY): like a tc
 *     BPF filter, never walked;
 *   - cgroup inet ingress programs (BPF_CGROUP_INET_INGRESS, in effect for
 *     a cgroup through its ancestors): they see every packet delivered to a
 *     socket of that cgroup, after netfilter.  systemd attaches them for a
 *     unit's IPAddressDeny=/IPAddressAllow=.
 *   - BPF programs on netfilter hooks (BPF_PROG_TYPE_NETFILTER attached
 *     with BPF_LINK_CREATE, Linux 6.4), found by iterating BPF links
 *     (CAP_SYS_ADMIN): among the base chains of their hook at their
 *     priority.
 * A program is not decidable, so each only makes what it sees "possible"
 * (the engine names it).  The socket's cgroup is taken as its owner's
 * today (a socket keeps the cgroup it was created in; they differ only for
 * a process moved since).
 */
#ifndef FWAUDIT_BPFQ_H
#define FWAUDIT_BPFQ_H

#include "host.h"

/*
 * Fill each link's tcx_progs/tcx_prog and each listener's cgroup,
 * cgroup_progs and cgroup_prog (listeners whose owner is known), reading
 * /proc/PID/cgroup under proc and the cgroup2 mount of /proc/self/mountinfo.
 * Without a cgroup2 mount in our mount namespace (`ip netns exec` remounts
 * /sys without it) the cgroups are not looked at, and nothing is noted:
 * a host's fwauditd always sees systemd's.
 * Never fails: a query the kernel refuses (no bpf(2), no capability, a
 * kernel without tcx answers EINVAL and is taken as none) leaves the
 * fields zero and its errno in h->bpf_error, for a note.  The netfilter
 * links go to h->nfbpf (by link id), what stopped their reading to
 * h->nfbpf_error.
 */
void bpfq_read(struct host *h, const char *proc);

/* Link l has n tcx (or netkit) programs, the first with id first: what
 * bpfq_read() records, and the snapshot reader replays (snapfile.c). */
void bpfq_link_set(struct host_link *l, unsigned int n, uint32_t first);

#endif
