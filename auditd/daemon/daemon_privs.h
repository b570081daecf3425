/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon_privs.h - fwauditd gives up what reading rulesets does not need.
 *
 * Kept: CAP_NET_ADMIN (nftables and x_tables dumps, sock_diag), CAP_NET_RAW
 * (libiptc and the x_tables fingerprint open a raw socket) and
 * CAP_DAC_READ_SEARCH (/proc/net/ip_tables_names is 0440 root).  Nothing
 * else, in every set, including the bounding set; no_new_privs is set.
 *
 * With container_namespaces = yes also CAP_SYS_ADMIN and CAP_SYS_PTRACE:
 * entering the own namespaces of macvlan and ipvlan containers (nsaudit.h)
 * and Swarm's ingress sandbox (swarm.h) needs them.
 *
 * Raw capget/capset syscalls rather than libcap(-ng): three capabilities
 * do not justify a dependency.
 */
#ifndef FWAUDIT_DAEMON_PRIVS_H
#define FWAUDIT_DAEMON_PRIVS_H

#include <stdbool.h>

/*
 * Drop privileges.  As root: switch to user (its primary group, no
 * supplementary groups) keeping the three capabilities; when user is
 * "root" or does not exist (*stayed_root set to 1), stay uid 0 with only
 * those capabilities (fwauditd has refused a configured user that does
 * not exist before: daemon_config_check_user()).  Not root (started by
 * systemd with User= and AmbientCapabilities=): reduce the capabilities to
 * those three.  netns keeps CAP_SYS_ADMIN and CAP_SYS_PTRACE too.
 * 0 or a negative errno (the process may be half-dropped then: exit).
 */
int daemon_privs_drop(const char *user, bool netns, int *stayed_root);

#endif
