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
 * make check runs it as tests/fuzz/snapshot.fuzz (run-fuzz.sh).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"
#include "snapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot snap;
	char err[1024];

	if (snapfile_parse((const char *)data, size, "fuzz", SNAPFILE_RULESET |
			   SNAPFILE_HOST | SNAPFILE_NO_LEGACY, &snap, err,
			   sizeof(err)) == 0)
		snapshot_release(&snap);
	return 0;
}
