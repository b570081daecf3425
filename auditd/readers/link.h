/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link.h - rtnetlink reader: links, addresses, routes of every table and
 * FIB policy rules, for both families.
 */
#ifndef FWAUDIT_LINK_H
#define FWAUDIT_LINK_H

#include "host.h"

/* Dump links, addresses, IPv4/IPv6 routes (all tables) and IPv4/IPv6 FIB
 * rules from the kernel into h, replacing the link facts h held.  When the
 * environment variable FWAUDIT_RTNL_RECORD names a file, the conversation
 * of the successful attempt is recorded there for link_replay().  An
 * interrupted dump (NLM_F_DUMP_INTR) restarts the whole read, at most
 * NLD_INTR_RETRIES times, then fails with -EINTR.  Returns 0, or a negative
 * errno with h unchanged. */
int link_read(struct host *h);

/* The same from a recording made by link_read(); 0 or a negative errno
 * (-EBADMSG for a malformed or truncated recording), h unchanged on
 * failure. */
int link_replay(struct host *h, const char *path);

#endif
