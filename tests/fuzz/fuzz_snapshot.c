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
 * build the same tree whenever the walk does not give up, and the parse
 * must give the same result and message both ways (SNAPFILE_WHOLE).
 *
 * make check runs it as tests/fuzz/snapshot.fuzz (run-fuzz.sh).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "snapfile.h"

#define FLAGS	(SNAPFILE_RULESET | SNAPFILE_HOST | SNAPFILE_NO_LEGACY)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024] = "", err2[1024] = "";
	struct snapshot snap;
	int ret, ret2;

	/* the walk that leaves big base64 strings in the text builds
	 * json_loadb()'s tree, or gives up */
	if (!snapfile_scan_agrees((const char *)data, size))
		abort();
	ret = snapfile_parse((const char *)data, size, "fuzz", FLAGS, &snap,
			     err, sizeof(err));
	if (ret == 0)
		snapshot_release(&snap);
	/* and the parse reads and refuses alike both ways */
	ret2 = snapfile_parse((const char *)data, size, "fuzz",
			      FLAGS | SNAPFILE_WHOLE, &snap, err2,
			      sizeof(err2));
	if (ret2 == 0)
		snapshot_release(&snap);
	if (ret != ret2 || strcmp(err, err2) != 0)
		abort();
	return 0;
}
