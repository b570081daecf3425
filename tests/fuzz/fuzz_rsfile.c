// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_rsfile.c - the ruleset-file detection of fwaudit audit --ruleset
 * (rsfile_detect(), rsfile.c): which loader a file goes to, from its
 * contents.  The loading itself is the real tools' (nft, iptables-restore).
 */
#include "fuzz.h"
#include "rsfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("ruleset", data, size);
	const char *name = NULL;

	if (path)
		rsfile_detect(path, &name);
	return 0;
}
