/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapshot.h - everything the engine reads, taken at one moment: the
 * ruleset of every source and the host facts.
 */
#ifndef FWAUDIT_SNAPSHOT_H
#define FWAUDIT_SNAPSHOT_H

#include "host.h"
#include "ruleset.h"

struct snapshot {
	struct ruleset *rs;
	struct host *host;	/* NULL when auditing a ruleset file */
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
void snapshot_release(struct snapshot *snap);
const char *snapshot_stage_name(enum snapshot_stage stage);

#endif
