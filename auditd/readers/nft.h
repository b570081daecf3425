/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft.h - the nftables reader (libmnl + libnftnl).
 */
#ifndef FWAUDIT_NFT_H
#define FWAUDIT_NFT_H

#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

/*
 * Read every table, chain, set (with elements) and rule of every family
 * (ip, ip6, inet, arp, netdev, bridge) into @rs, as one consistent snapshot:
 * the ruleset generation is read before and after the dumps, and the whole
 * read is retried (bounded) when it changed or a dump came back with
 * NLM_F_DUMP_INTR.  On success the "nftables" entry of rs->sources says
 * whether nf_tables is present in this network namespace.
 *
 * If the environment variable FWAUDIT_NFT_RECORD names a file, every netlink
 * message received is appended to it (replay format, see nft_replay()).
 *
 * Returns 0; -EPERM without CAP_NET_ADMIN; -EAGAIN when the ruleset kept
 * changing; another negative errno on failure.  On failure @rs holds no
 * chain from nftables (a half-read ruleset never leaves this function).
 */
int nft_dump_ruleset(struct ruleset *rs);

/*
 * Same as nft_dump_ruleset() but replays netlink messages recorded in
 * @path instead of asking the kernel: the unit tests' seam.
 */
int nft_replay_ruleset(struct ruleset *rs, const char *path);

/*
 * For fwauditd's incremental reading (nft_cache.h): read only the table
 * family/table into @rs, as nft_dump_ruleset() reads all of them (the
 * chains and sets of that table, its rules, one consistent snapshot;
 * rs->nft_genid the generation it was read at).  -ENOENT when the table
 * went away.  Same errors otherwise.
 */
int nft_dump_table(struct ruleset *rs, uint8_t family, const char *table);

/* The tables in the kernel's order (the order nft_dump_ruleset() reads
 * their chains in) and the generation they were listed at: 0 and a new
 * array (free()) in *out, or a negative errno (-EAGAIN: kept changing). */
struct nft_table_id {
	uint8_t family;
	char name[256];		/* NFT_TABLE_MAXNAMELEN */
};
int nft_list_tables(struct nft_table_id **out, size_t *n, uint32_t *genid);

#endif
