/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ebtleg.h - the ebtables-legacy reader: the kernel's ebtables tables
 * (filter, nat, broute) read as blobs with EBT_SO_GET_INFO /
 * EBT_SO_GET_ENTRIES and decoded into bridge family chains of the model.
 *
 * A blob is what EBT_SO_GET_ENTRIES copies out: the table's entries,
 * laid out as <linux/netfilter_bridge/ebtables.h> says on this machine:
 * a struct ebt_entries (chain header: name, policy, nentries) followed by
 * its struct ebt_entry rules (each with its matches, watchers and
 * target), chain after chain, the built-in chains first in hook order.
 *
 * Chains are RS_ORIGIN_LEGACY, family NFPROTO_BRIDGE, table "filter",
 * "nat" or "broute", type "filter" (ebtables' nat rewrites MAC addresses,
 * not conntrack), at the priorities the kernel registers the tables
 * (NF_BR_PRI_*); the broute table's BROUTING chain sits at hook
 * NF_BR_PRE_ROUTING, priority NF_BR_PRI_FIRST, and its "route" verdict
 * (DROP there: the frame leaves the bridge and goes up on the port, past
 * the bridge chains) becomes RS_V_OTHER "broute", which the engine walks
 * both ways (possible).  Matches go through xt.c (ip, ip6 decoded; others
 * RS_F_UNKNOWN, named), targets other than the standard one through
 * xt_decode_target() (unknown ones: RS_V_OTHER, named).
 */
#ifndef FWAUDIT_EBTLEG_H
#define FWAUDIT_EBTLEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

/* The largest entries blob read or parsed, and the most rules in one. */
#define EBTLEG_MAX_BLOB		(16u << 20)
#define EBTLEG_MAX_ENTRIES	(1u << 20)
#define EBTLEG_NTABLES		3

/* One table as the kernel handed it out. */
struct ebtleg_blob {
	char name[32];			/* "filter", "nat", "broute" */
	unsigned int valid_hooks;	/* 1 << NF_BR_* */
	unsigned int nentries;		/* rules in the table */
	size_t size;			/* entries_size */
	unsigned char *entries;		/* malloc'ed, size bytes */
};

/* The table names ebtables-legacy has, in the order they are read. */
extern const char *const ebtleg_tables[EBTLEG_NTABLES];

/*
 * Decode blob b into chains appended to rs.  Every offset and count is
 * checked against b->size before it is read; on any inconsistency
 * -EBADMSG and rs is unchanged (nothing of b is kept).  Returns 0,
 * -EBADMSG, -E2BIG (over the bounds above), -EINVAL (a table name not in
 * ebtleg_tables) or -ENOMEM.
 */
int ebtleg_parse(struct ruleset *rs, const struct ebtleg_blob *b);

/*
 * Read table name with EBT_SO_GET_INFO and EBT_SO_GET_ENTRIES on fd (an
 * AF_INET socket; the kernel wants CAP_NET_ADMIN), retrying when it
 * changes between the two calls.  *out is written on success and is the
 * caller's to release with ebtleg_blob_release().  Returns 0, -ENOENT or
 * -ENOPROTOOPT when the kernel has no such table or no ebtables-legacy at
 * all, -EPERM, -E2BIG, -EAGAIN (changed every time) or -ENOMEM.
 *
 * A kernel with the legacy tables built creates a table in the namespace
 * on the first request for it (an empty one, every policy ACCEPT: no
 * packet's fate changes); no file lists the tables a namespace has.
 */
int ebtleg_read_blob(int fd, const char *name, struct ebtleg_blob *out);
void ebtleg_blob_release(struct ebtleg_blob *b);

/*
 * fwauditd's poll (watch.c): ebtables-legacy has no events.
 *
 * ebtleg_blob_hash(): a hash of what ebtleg_read_blob() handed out (name,
 * valid hooks, rule count, entries).  The kernel copies no counters into
 * the entries (they go to a separate array, which is not asked for), so
 * traffic does not change it; any rule or policy change does.
 *
 * ebtleg_may_poll(): whether asking the kernel for table name can create
 * nothing.  A GET_INFO for a table the namespace lacks makes the kernel
 * load its module (ebtable_NAME) and create it.  When ebtables itself is
 * a loaded module (sysmod/ebtables exists: sysmod is "/sys/module", a
 * test passes another directory) and ebtable_NAME is not loaded, no
 * namespace has that table: false, it is not asked for.  Otherwise true:
 * either the kernel has no ebtables (every EBT_SO_* answers ENOPROTOOPT
 * at once: nothing to create), or the table's module is loaded (the
 * table exists here, or the first request creates it here, empty, every
 * policy ACCEPT, as the full audit's read may too), or ebtables is
 * built in (its tables cannot be told apart from absent ones without
 * asking; the audit asks too).
 *
 * ebtleg_table_hash(): ebtleg_may_poll() ("/sys/module"), then the table
 * read on fd and hashed.  -ENOENT for a table not asked for or absent,
 * otherwise ebtleg_read_blob()'s errors; *hash written on success.
 */
uint64_t ebtleg_blob_hash(const struct ebtleg_blob *b);
bool ebtleg_may_poll(const char *sysmod, const char *name);
int ebtleg_table_hash(int fd, const char *name, uint64_t *hash);

/* Where ebtleg_dump_ruleset() records what it read (snapfile.c sets it
 * for `fwaudit snapshot`). */
#define EBTLEG_RECORD_ENV	"FWAUDIT_EBT_RECORD"

/*
 * Read the tables the kernel has and append their chains to rs; a table
 * ebtleg_may_poll() says to leave alone (its module is not loaded: no
 * namespace has it) is not asked for.  No
 * ebtables-legacy in the kernel is not an error: nothing is appended.  A
 * table that cannot be read or decoded adds a note to rs and is skipped.
 * With EBTLEG_RECORD_ENV set, each table read (or its error) is written
 * to that file as one record: struct ebtleg_rec_hdr, then size bytes of
 * entries.  Returns 0, -ENOMEM, or -errno of the recording.
 */
int ebtleg_dump_ruleset(struct ruleset *rs);

/* One record of a recording, host order. */
struct ebtleg_rec_hdr {
	char name[32];
	int32_t error;		/* 0, or the negative errno of the read
				 * (-4095 .. -1) */
	uint32_t valid_hooks;
	uint32_t nentries;
	uint32_t size;		/* entries bytes that follow */
};

/*
 * Replay a recording as ebtleg_dump_ruleset() would have read it: the
 * same chains, the same notes.  A malformed recording (a record cut, a
 * size over EBTLEG_MAX_BLOB, more than EBTLEG_NTABLES records) is
 * -EBADMSG and appends nothing.  0 or -ENOMEM otherwise.
 */
int ebtleg_replay_buf(struct ruleset *rs, const void *buf, size_t len);

/*
 * Call fn on each table blob of a recording (pointing into buf, which fn
 * may rewrite in place: redact.c).  -EBADMSG as above, fn's first
 * non-zero value, or 0.
 */
int ebtleg_foreach_record(unsigned char *buf, size_t len,
			  int (*fn)(void *ctx, struct ebtleg_blob *b),
			  void *ctx);

/*
 * Call fn on each match of blob b (name, revision, its data and length),
 * for redact.c, which rewrites addresses in place.  The blob is checked
 * as ebtleg_parse() checks it first.  Stops at and returns fn's first
 * non-zero value; -EBADMSG for a malformed blob; 0.
 */
int ebtleg_foreach_match(const struct ebtleg_blob *b,
			 int (*fn)(void *ctx, const char *name, uint8_t rev,
				   unsigned char *data, size_t len),
			 void *ctx);

#endif
