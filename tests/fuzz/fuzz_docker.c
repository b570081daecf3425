// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_docker.c - answers of the Docker API (docker.c): the input is a
 * /containers/json answer, then optionally a NUL and a /networks/ID answer
 * read against it.  Whoever controls the socket (or a container's name
 * and labels) writes them.
 */
#include <stdlib.h>
#include <string.h>

#include "docker.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t clen = nul ? (size_t)(nul - data) : size;
	struct docker_map m;
	char *c, *n = NULL;
	size_t nlen = nul ? size - clen - 1 : 0;

	/* heap copies of exactly the bytes, so ASan sees any overread */
	c = malloc(clen ? clen : 1);
	if (!c)
		return 0;
	memcpy(c, data, clen);
	memset(&m, 0, sizeof(m));
	if (docker_parse(c, clen, &m) == 0 && nul) {
		n = malloc(nlen ? nlen : 1);
		if (n) {
			memcpy(n, nul + 1, nlen);
			docker_parse_network(n, nlen, c, clen, &m);
		}
	}
	docker_release(&m);
	free(n);
	free(c);
	return 0;
}
