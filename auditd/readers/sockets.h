/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sockets.h - listening sockets from sock_diag, their owners from /proc.
 *
 * "Listening" means what a probe can reach: TCP sockets in LISTEN, SCTP
 * endpoints in LISTEN, and UDP sockets that are bound to a port and not
 * connected (state TCP_CLOSE, no remote address).  IPv4 and IPv6.
 */
#ifndef FWAUDIT_SOCKETS_H
#define FWAUDIT_SOCKETS_H

#include "host.h"
/* for sockets.c, which fills a host (host_array_add(), host_read_retry()):
 * to move into sockets.c itself, so that sockets.h's users do not see it */
#include "host_read.h"

#define SOCKETS_LOCALS_MAX	64	/* addresses of one SCTP endpoint */
#define SOCKETS_PROC_PIDS_MAX	(1u << 22)
#define SOCKETS_PROC_FDS_MAX	(1u << 24)	/* readlinks in one scan */

/* Dump the listeners of the caller's network namespace into h, replacing
 * the ones it held, deduplicated by (family, protocol, address, port,
 * bound device): the members of an SO_REUSEPORT group become one entry
 * with nsockets > 1.  The SCTP dump failing because sctp_diag is absent is
 * not an error (h->have_sctp stays false).  When FWAUDIT_DIAG_RECORD names a
 * file, the successful conversation is recorded there.  Owners are not
 * looked up (see sockets_find_owners()).  Returns 0, or a negative errno
 * (-EINTR after NLD_INTR_RETRIES interrupted dumps) with h unchanged. */
int sockets_read(struct host *h);

/* The same from a recording made by sockets_read(). */
int sockets_replay(struct host *h, const char *path);

/* Fill pid/comm of h's listeners by scanning proc_root ("/proc")/PID/fd
 * for "socket:[INODE]" links.  Bounded (SOCKETS_PROC_PIDS_MAX processes,
 * SOCKETS_PROC_FDS_MAX links); processes that vanish or cannot be read are
 * skipped.  A socket held by several processes gets the lowest pid other
 * than 1, so a socket-activated service is named rather than systemd.
 * Returns the number of listeners that got an owner, or a negative errno
 * when proc_root cannot be read at all. */
int sockets_find_owners(struct host *h, const char *proc_root);

#endif
