// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_lxd.c - answers of the LXD / Incus API (lxd.c): the input is a GET
 * /1.0/instances?recursion=2 answer.  Whoever controls the socket, or an
 * instance's name, config and devices, writes it.  The map it gives is
 * then asked for every port, as the report asks it.
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "lxd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct docker_map m;
	char *c;

	/* a heap copy of exactly the bytes, so ASan sees any overread */
	c = malloc(size ? size : 1);
	if (!c)
		return 0;
	memcpy(c, data, size);
	memset(&m, 0, sizeof(m));
	if (lxd_parse_instances(c, size, DOCKER_RT_LXD, &m) == 0 && m.nports)
		docker_find_port(&m, "lxd", 0, AF_INET, IPPROTO_TCP, 0,
				 m.ports[0].port_lo);
	docker_release(&m);
	free(c);
	return 0;
}
