// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_sandbox.c - answers of the Docker (Podman) and LXD APIs that find
 * macvlan and ipvlan containers (sandbox.c): the input is a
 * /containers/ID/json answer or one instance of LXD's /1.0/instances,
 * then optionally a NUL and the /networks answer it is read against
 * (Docker's array, LXD's object).  Whoever controls the socket (or a
 * container's name) writes them.
 */
#include <stdlib.h>
#include <string.h>

#include "docker.h"
#include "fuzz.h"
#include "sandbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t clen = nul ? (size_t)(nul - data) : size;
	size_t nlen = nul ? size - clen - 1 : 0;
	struct sandbox s;
	char *c, *n;

	/* heap copies of exactly the bytes, so ASan sees any overread */
	c = malloc(clen ? clen : 1);
	n = malloc(nlen ? nlen : 1);
	if (c && n) {
		memcpy(c, data, clen);
		if (nlen)
			memcpy(n, nul + 1, nlen);
		if (sandbox_parse(c, clen, n, nlen, &s) == 1)
			sandbox_clear(&s);
		if (sandbox_lxd_parse(c, clen, nlen ? n : NULL, nlen,
				      DOCKER_RT_LXD, &s) == 1)
			sandbox_clear(&s);
	}
	free(n);
	free(c);
	return 0;
}
