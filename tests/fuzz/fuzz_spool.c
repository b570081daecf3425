// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_spool.c - the webhook spool reading its entries (spool.c, event.c
 * from JSON): the input is one entry file, found by spool_open() and
 * handed out by spool_next_due().  Anything on disk may be half-written
 * or edited by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "event.h"
#include "fuzz.h"
#include "spool.h"

/* an entry's file name: sequence number and the id of its event */
#define ENTRY "0000000000000001-0123456789abcdef0123456789abcdef.json"

static void clean(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_dir();
	struct spool_entry *e = NULL;
	struct spool *s = NULL;

	if (!fuzz_file(ENTRY, data, size))
		return 0;
	if (spool_open(dir, 10, SPOOL_DROP_OLDEST, &s) == 0) {
		if (spool_next_due(s, UINT64_MAX, &e) == 0) {
			spool_mark_retry(s, e, 1);
			spool_entry_free(e);
		}
		spool_close(s);
	}
	/* each input meets the same spool: nothing of the last one */
	clean(dir, ENTRY);
	clean(dir, "state");
	return 0;
}
