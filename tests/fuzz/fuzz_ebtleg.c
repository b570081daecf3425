// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_ebtleg.c - the ebtables-legacy blob decoder (ebtleg.c): input is
 * one byte choosing the table (filter, nat, broute), valid_hooks and
 * nentries (host order, 4 bytes each), then the entries as
 * EBT_SO_GET_ENTRIES hands them out.  The blob is copied to a buffer of
 * exactly its size so that ASan sees any read past it; the match walk of
 * redact.c runs on the same blob, and the whole input is replayed as
 * a recording.  Seed: tests/unit/test_ebtleg with
 * EBTLEG_SEED_OUT.
 */
#include <stdlib.h>
#include <string.h>

#include "ebtleg.h"
#include "fuzz.h"
#include "ruleset.h"

static int touch(void *ctx, const char *name, uint8_t rev,
		 unsigned char *data, size_t len)
{
	size_t *sum = ctx;

	(void)rev;
	*sum += strlen(name) + (len ? data[len - 1] : 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ebtleg_blob b;
	struct ruleset *rs;
	uint32_t v;
	size_t sum = 0;

	if (size < 9)
		return 0;
	memset(&b, 0, sizeof(b));
	strcpy(b.name, ebtleg_tables[data[0] % EBTLEG_NTABLES]);
	memcpy(&v, data + 1, 4);
	b.valid_hooks = v;
	memcpy(&v, data + 5, 4);
	b.nentries = v;
	b.size = size - 9;
	b.entries = malloc(b.size ? b.size : 1);
	if (!b.entries)
		return 0;
	memcpy(b.entries, data + 9, b.size);
	rs = ruleset_new();
	if (rs)
		ebtleg_parse(rs, &b);
	ruleset_free(rs);
	ebtleg_foreach_match(&b, touch, &sum);
	/* the same bytes as a recording (ebtleg_replay_buf()) */
	rs = ruleset_new();
	if (rs)
		ebtleg_replay_buf(rs, data, size);
	ruleset_free(rs);
	free(b.entries);
	return 0;
}
