/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft_cache.h - fwauditd's incremental reading of nftables: each table
 * read on its own and kept; after a change only the tables the change
 * events named are read again (issue 13).
 *
 * The daemon tells the cache what the NFNLGRP_NFTABLES events said: a
 * table changed (nft_cache_dirty()), a generation was committed
 * (nft_cache_gen()), events were lost (nft_cache_lost()).  nft_cache_read()
 * then lists the tables (one small dump, with the generation G before and
 * after), reads the tables that changed, keeps the others, and builds a
 * ruleset of all of them in the order nft_dump_ruleset() reads them.  It
 * is exact only when every generation from the cache's to G has been
 * heard: otherwise (a generation gap, events lost, the first read) every
 * table is read again; and when G is newer than the last generation heard
 * (its events not yet received) it answers -EAGAIN, to be called again
 * once they are.  The ruleset handed out is all or nothing: a table that
 * could not be read consistently fails the whole read and the cache keeps
 * what it had.
 *
 * The ruleset built borrows the cache's tables (their chains, rules, sets
 * and strings): the cache keeps a replaced table until nft_cache_gc(),
 * which the caller calls once no ruleset built before the last
 * nft_cache_read() is alive any more.
 *
 * Error idiom as in ruleset.h.
 */
#ifndef FWAUDIT_NFT_CACHE_H
#define FWAUDIT_NFT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

struct nft_cache;

struct nft_cache_stats {
	uint64_t reads;		/* nft_cache_read() calls that succeeded */
	uint64_t full;		/* of which read every table */
	uint64_t tables_read;	/* tables read, all reads together */
	uint64_t unchanged;	/* reads that read no table at all */
};

int nft_cache_new(struct nft_cache **out);
void nft_cache_free(struct nft_cache *c);

/* What the events said.  family/table: of a table, chain, rule, set, set
 * element, object or flowtable message. */
void nft_cache_dirty(struct nft_cache *c, uint8_t family, const char *table);
void nft_cache_gen(struct nft_cache *c, uint32_t genid);
void nft_cache_lost(struct nft_cache *c);

/*
 * The nftables part of a snapshot into rs (empty, from ruleset_new()), as
 * nft_dump_ruleset() would have read it.  0; -EAGAIN (the ruleset moved
 * under the read, or its events are still on their way: call again);
 * another negative errno (-EPERM ...).  On failure rs is unchanged.
 */
int nft_cache_read(struct nft_cache *c, struct ruleset *rs);

/* Free the tables replaced by earlier reads (see above). */
void nft_cache_gc(struct nft_cache *c);

void nft_cache_get_stats(const struct nft_cache *c, struct nft_cache_stats *st);

#endif
