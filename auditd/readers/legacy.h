/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * legacy.h - the legacy x_tables reader (libiptc: ip4tc, ip6tc).
 */
#ifndef FWAUDIT_LEGACY_H
#define FWAUDIT_LEGACY_H

#include "ruleset.h"

/*
 * Read the legacy tables filter, nat, mangle, raw and security of IPv4 and
 * IPv6 into @rs.  Only tables the kernel already has are read (they are
 * listed in /proc/net/ip_tables_names and ip6_tables_names): asking for an
 * absent one would make the kernel load and create it, and an auditor must
 * not change what it audits.  Absent tables are normal; rs->sources records
 * "iptables-legacy" / "ip6tables-legacy" as present or not.
 *
 * Privileges: libiptc opens a raw socket (CAP_NET_RAW) and asks for the
 * tables with getsockopt (CAP_NET_ADMIN); the table lists are root's, mode
 * 0440 (uid 0 or CAP_DAC_READ_SEARCH).
 *
 * Returns 0; -EACCES when the table lists cannot be read (neither uid 0
 * nor CAP_DAC_READ_SEARCH); -EPERM without CAP_NET_RAW or CAP_NET_ADMIN;
 * another negative errno on failure (then @rs holds no legacy chain).
 */
int legacy_dump_ruleset(struct ruleset *rs);

#endif
