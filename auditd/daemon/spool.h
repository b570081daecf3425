/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spool.h - the webhook's durable queue: events wait on disk until the
 * receiver acknowledged them, across receiver outages, SIGKILL and reboots.
 *
 * Layout of the directory (created 0700 if missing):
 *	<seq:16 hex>-<event id>.json	one entry: the event JSON and its
 *					delivery state (attempts, next attempt)
 *	state				counters (dropped, failed), JSON
 *	lock				flock()ed while open: one user at a time
 *	corrupt-<entry name>		an entry set aside by spool_open(): its
 *					sequence number is out of range; kept
 *					for inspection, never delivered
 *	.tmp-*				a write in progress; removed at open
 * Every write goes to a temporary name, is fsync'd, renamed over the final
 * name and the directory is fsync'd: after a crash at any point an entry is
 * either absent or complete, with its old or its new delivery state.
 *
 * Delivery is strictly in creation order: only the oldest entry is ever due.
 * A "resolved" must not overtake the "opened" it resolves (Alertmanager
 * would keep the alert firing), and when the receiver refuses the oldest it
 * refuses the others too.  An entry is removed only by spool_mark_delivered()
 * (a 2xx) or spool_mark_failed() (a permanent refusal): at-least-once.
 *
 * The spool is bounded by max_entries.  When it is full, the overflow
 * policy decides which event is lost; the default, SPOOL_DROP_OLDEST, keeps
 * the newest events, which describe the current state of the host.  Every
 * lost event is counted in a persistent counter (spool_dropped()).
 *
 * Times are CLOCK_REALTIME microseconds: they must survive a reboot.
 * Error idiom as in ruleset.h.  Not thread-safe.
 */
#ifndef FWAUDIT_SPOOL_H
#define FWAUDIT_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define SPOOL_DEFAULT_DIR	"/var/lib/fwaudit/spool"
#define SPOOL_DEFAULT_MAX	10000
#define SPOOL_MAX_ENTRIES	1000000	/* the largest max_entries accepted */
#define SPOOL_FILE_MAX		(1u << 20)	/* larger entry files are corrupt */
/* Sequence numbers run from 1 to SPOOL_SEQ_MAX: an event a microsecond for
 * eight years, and far from the 2^64 wrap that would put the next entry
 * before every other one. */
#define SPOOL_SEQ_MAX		(UINT64_C(1) << 48)

enum spool_overflow {
	SPOOL_DROP_OLDEST,	/* the default: evict the oldest entry */
	SPOOL_DROP_NEWEST,	/* refuse the new event */
};

/* One entry handed out by spool_next_due(); the caller owns it. */
struct spool_entry {
	uint64_t seq;			/* creation order */
	unsigned int attempts;		/* failed attempts so far */
	uint64_t next_usec;		/* not before (0: at once) */
	struct event *event;
};

struct spool;

/*
 * Open (creating it if needed) the spool in dir, holding at most
 * max_entries (1..SPOOL_MAX_ENTRIES) entries.  Leftover temporary files are
 * removed; unreadable entries are removed and counted as dropped; entries
 * whose sequence number is out of range (0, above SPOOL_SEQ_MAX) are
 * renamed corrupt-<name> and counted as dropped; entries
 * beyond max_entries (a lowered limit) are dropped by the policy.
 * -EBUSY when another process has it open; -EINVAL for a bad argument;
 * errors of mkdir/open/readdir.
 */
int spool_open(const char *dir, size_t max_entries,
	       enum spool_overflow policy, struct spool **out);
/* Close; entries stay on disk.  Accepts NULL. */
void spool_close(struct spool *s);

/*
 * Store a copy of ev durably (fsync'd) behind every other entry.  Returns 0
 * when stored with nothing lost, 1 when the spool was full and one event was
 * dropped by the policy (the oldest entry, or ev itself under
 * SPOOL_DROP_NEWEST) and counted; or a negative errno (ev not stored).
 */
int spool_put(struct spool *s, const struct event *ev);

/*
 * The oldest entry, if it is due at now (next_usec <= now), loaded from
 * disk into *out; free it with spool_entry_free().  -ENOENT when the spool
 * is empty, -EAGAIN when the oldest is not due yet (spool_next_time() says
 * when).  An entry that cannot be read any more is dropped and counted, and
 * the next one is tried.
 */
int spool_next_due(struct spool *s, uint64_t now, struct spool_entry **out);
/* When the oldest entry is due, in *usec.  -ENOENT when empty. */
int spool_next_time(const struct spool *s, uint64_t *usec);

/* Remove the entry: the receiver has it.  -ENOENT when it is no longer in
 * the spool (evicted meanwhile).  Does not free e. */
int spool_mark_delivered(struct spool *s, const struct spool_entry *e);
/* Remove the entry and count it as failed: the receiver refused it for
 * good. */
int spool_mark_failed(struct spool *s, const struct spool_entry *e);
/* Record one more failed attempt and when to try again (durably); updates
 * e->attempts and e->next_usec on success. */
int spool_mark_retry(struct spool *s, struct spool_entry *e,
		     uint64_t next_usec);

void spool_entry_free(struct spool_entry *e);

size_t spool_count(const struct spool *s);
/* Events lost to overflow or corruption, and refused for good, since the
 * spool was created (persisted in the state file). */
uint64_t spool_dropped(const struct spool *s);
uint64_t spool_failed(const struct spool *s);

#endif
