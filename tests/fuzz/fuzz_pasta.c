// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_pasta.c - pasta_serves() (pasta.c): the input is a pasta's
 * /proc/PID/cmdline and, after the first 0xff byte, the command line of
 * its child (none without one).  The user who runs pasta writes both.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pasta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[PASTA_DESC_MAX], small[8];
	const uint8_t *sep;
	char *c, *k = NULL;
	size_t n = size, kn = 0;

	/* heap copies of exactly the bytes, so ASan sees any overread */
	sep = memchr(data, 0xff, size);
	if (sep) {
		n = (size_t)(sep - data);
		kn = size - n - 1;
		k = malloc(kn ? kn : 1);
		if (!k)
			return 0;
		memcpy(k, sep + 1, kn);
	}
	c = malloc(n ? n : 1);
	if (!c) {
		free(k);
		return 0;
	}
	memcpy(c, data, n);
	if (pasta_serves(c, n, k, kn, out, sizeof(out)) == 0 &&
	    strnlen(out, sizeof(out)) == sizeof(out))
		abort();
	if (pasta_serves(c, n, k, kn, small, sizeof(small)) == 0 &&
	    strnlen(small, sizeof(small)) == sizeof(small))
		abort();
	free(c);
	free(k);
	return 0;
}
