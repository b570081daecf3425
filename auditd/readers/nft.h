/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft.h - the nftables reader (libmnl + libnftnl).
 */
#ifndef FWAUDIT_NFT_H
#define FWAUDIT_NFT_H

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

#endif
