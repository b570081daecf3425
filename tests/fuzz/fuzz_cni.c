// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_cni.c - the files cni.c reads: the input is a nerdctl meta.json
 * (and, as a containerd task's config.json, its annotations), then
 * optionally a NUL and a libcni cache entry.  Whoever names a
 * container or a pod (its name, namespace, CNI arguments) writes parts of
 * them.
 */
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t alen = nul ? (size_t)(nul - data) : size;
	size_t blen = nul ? size - alen - 1 : 0;
	struct docker_map m;
	char *a, *b;

	/* heap copies of exactly the bytes, so ASan sees any overread */
	a = malloc(alen ? alen : 1);
	b = malloc(blen ? blen : 1);
	if (a && b) {
		memcpy(a, data, alen);
		if (blen)
			memcpy(b, nul + 1, blen);
		memset(&m, 0, sizeof(m));
		cni_parse_nerdctl(a, alen, &m);
		cni_parse_task(a, alen, &m);
		cni_parse_cache(nul ? b : a, nul ? blen : alen, &m);
		docker_release(&m);
	}
	free(a);
	free(b);
	return 0;
}
