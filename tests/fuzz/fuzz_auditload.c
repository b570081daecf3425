// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_auditload.c - libFuzzer harness for the saved-audit reader of
 * `fwaudit diff` (auditload.c): any bytes, parsed as a saved audit; what
 * parses is freed again (ASan sees every row it made).
 *
 * make check runs it as tests/fuzz/auditload.fuzz (run-fuzz.sh): the
 * corpus and the golden audits replayed, then libFuzzer where clang has
 * it; tests/fuzz/auditload.dict helps a longer run by hand (-dict=).
 */
#include <stddef.h>
#include <stdint.h>

#include "auditload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auditload *a = NULL;
	char err[512];

	if (auditload_parse((const char *)data, size, "fuzz", &a, err,
			    sizeof(err)) == 0)
		auditload_free(a);
	return 0;
}
