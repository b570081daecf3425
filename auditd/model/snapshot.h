/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapshot.h - everything the engine reads, taken at one moment: the
 * ruleset of every source and the host facts.
 */
#ifndef FWAUDIT_SNAPSHOT_H
#define FWAUDIT_SNAPSHOT_H

#include <stdint.h>

#include "docker.h"
#include "host.h"
#include "ruleset.h"

struct snapshot {
	struct ruleset *rs;
	struct host *host;	/* NULL when auditing a ruleset file */
	/* Set only by a snapshot read from a file (snapfile.h): when it was
	 * taken (CLOCK_REALTIME, microseconds), and the container names
	 * Docker gave then, which the audit uses instead of asking Docker
	 * now.  0 / false for a live read. */
	uint64_t taken_usec;
	bool have_docker;
	struct docker_map docker;
	int docker_error;
};

/* Which part of a snapshot failed, for the caller's message. */
enum snapshot_stage {
	SNAPSHOT_NFT,
	SNAPSHOT_LEGACY,
	SNAPSHOT_HOST,
	SNAPSHOT_ANALYSIS,	/* not a read: the walk or the judgement */
};

/*
 * Read the nftables ruleset, the legacy x_tables and (with host true) the
 * host facts of the caller's network namespace.  On failure returns the
 * negative errno and, when stage is not NULL, which part failed; nothing is
 * allocated then.  -EPERM means CAP_NET_ADMIN is missing.
 */
int snapshot_read(struct snapshot *snap, bool host, enum snapshot_stage *stage);
/*
 * The same, with the nftables part from fwauditd's incremental reader
 * (nft_cache.h) and the legacy part from legacy_cache_read() (legacy.h;
 * NULL: read it whole, as snapshot_read()).  -EAGAIN from
 * the cache means "call again once its events are heard".
 */
struct nft_cache;
struct legacy_cache;
int snapshot_read_with(struct snapshot *snap, bool host,
		       struct nft_cache *cache, struct legacy_cache *lcache,
		       enum snapshot_stage *stage);
/* Frees what snap holds (rs, host, docker) and zeroes it; accepts NULL. */
void snapshot_release(struct snapshot *snap);
const char *snapshot_stage_name(enum snapshot_stage stage);

#endif
