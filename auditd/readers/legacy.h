/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * legacy.h - the legacy x_tables reader (libiptc: ip4tc, ip6tc).
 */
#ifndef FWAUDIT_LEGACY_H
#define FWAUDIT_LEGACY_H

#include <stdint.h>

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

/*
 * For fwauditd (issue 13): a hash of one table's blob (its entries with
 * the packet counters zeroed, which change with every packet), read with
 * IPT_SO_GET_INFO / IPT_SO_GET_ENTRIES on fd (any AF_INET / AF_INET6
 * socket of the family NFPROTO_IPV4 / NFPROTO_IPV6).  0 or a negative
 * errno (-EAGAIN: it changed between the two calls).
 */
int legacy_table_hash(int fd, uint8_t family, const char *name,
		      uint64_t *hash);

/*
 * Each legacy table kept with the hash of its blob: legacy_cache_read()
 * appends the legacy chains to rs as legacy_dump_ruleset() does, reading
 * only the tables whose blob changed since the last call; the others'
 * chains are borrowed (shallow copies of packed chains) from the cache.
 * A replaced table is kept until legacy_cache_gc(), to be called once no
 * ruleset built before the last read is alive.  On failure rs holds no
 * new legacy chain and the cache is unchanged.
 */
struct legacy_cache;
int legacy_cache_new(struct legacy_cache **out);
void legacy_cache_free(struct legacy_cache *c);
int legacy_cache_read(struct legacy_cache *c, struct ruleset *rs);
void legacy_cache_gc(struct legacy_cache *c);
uint64_t legacy_cache_tables_read(const struct legacy_cache *c);

#endif
