// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_dknet.c - the /networks answer of the Docker API read for gateway
 * modes (dknet.c).  Whoever controls the socket (or a network's options)
 * writes it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dknet.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dknet_list l;
	char *c = malloc(size ? size : 1);

	/* a heap copy of exactly the bytes, so ASan sees any overread */
	if (!c)
		return 0;
	memcpy(c, data, size);
	if (dknet_parse(c, size, &l) == 0) {
		dknet_find(&l, AF_INET, 0xc0000202u);
		dknet_find(&l, AF_INET6, 1);
		dknet_release(&l);
	}
	free(c);
	return 0;
}
