// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_auditload.c - libFuzzer harness for the saved-audit reader of
 * `fwaudit diff` (auditload.c): any bytes, parsed as a saved audit; what
 * parses is freed again (ASan sees every row it made).
 *
 * Build and run from the top of the source tree (not part of make check;
 * the library of a configured build directory supplies the rest):
 *
 *	clang -g -O1 -std=gnu11 -D_GNU_SOURCE -Iauditd \
 *		-fsanitize=fuzzer,address,undefined \
 *		tests/fuzz/fuzz_auditload.c auditd/auditload.c auditd/region.c \
 *		auditd/ruleset.c -ljansson -o fuzz_auditload
 *	./fuzz_auditload -max_len=4096 -dict=tests/fuzz/auditload.dict CORPUS_DIR
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
