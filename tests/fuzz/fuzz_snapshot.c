// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_snapshot.c - libFuzzer harness for the snapshot file reader of
 * `fwaudit audit --snapshot` (snapfile.c): any bytes, parsed as a snapshot
 * file and replayed through the readers' seams (nft.c, link.c, sockets.c)
 * with everything else checked; what parses is freed again.
 *
 * The legacy x_tables text is checked but not loaded (SNAPFILE_NO_LEGACY):
 * loading it moves the process into a private network namespace and runs
 * iptables-legacy-restore, which is the restore tool's parser, not ours.
 *
 * Before that, the two ways of reading the JSON (the walk that leaves the
 * big base64 strings in the text, and json_loadb() of the whole) must
 * build the same tree whenever the walk does not give up.
 *
 * make check runs it as tests/fuzz/snapshot.fuzz (run-fuzz.sh).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "snapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot snap;
	char err[1024];

	/* the walk that leaves big base64 strings in the text builds
	 * json_loadb()'s tree, or gives up */
	if (!snapfile_scan_agrees((const char *)data, size))
		abort();
	if (snapfile_parse((const char *)data, size, "fuzz", SNAPFILE_RULESET |
			   SNAPFILE_HOST | SNAPFILE_NO_LEGACY, &snap, err,
			   sizeof(err)) == 0)
		snapshot_release(&snap);
	return 0;
}
