// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_ipset.c - the ipset reader (ipset.c, through nldump.c) on replay
 * recordings: the protocol exchange and the LIST dump, raw, as
 * ipset_replay_buf() reads them, then the restore script a snapshot's
 * legacy rules get from the same bytes.  Seed: tests/fixtures/ipset/
 * sets.bin (written by tests/unit/test_ipset with IPSET_SEED_OUT).
 */
#include <stdlib.h>

#include "fuzz.h"
#include "ipset.h"
#include "ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset *rs = ruleset_new();
	char *script = NULL;
	size_t len = 0;

	if (rs)
		ipset_replay_buf(rs, data, size);
	ruleset_free(rs);
	if (ipset_restore_script(data, size, &script, &len) == 0)
		free(script);
	return 0;
}
