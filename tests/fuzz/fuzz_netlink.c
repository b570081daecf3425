// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_netlink.c - the rtnetlink and sock_diag readers (link.c, sockets.c,
 * through nldump.c) on replay recordings: raw requests and answers, as
 * link_replay() and sockets_replay() read them.  Seeds:
 * tests/fixtures/host/rtnl.bin and diag.bin, recorded in a namespace.
 */
#include "fuzz.h"
#include "host.h"
#include "link.h"
#include "sockets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("input.bin", data, size);
	struct host *h;

	if (!path)
		return 0;
	h = host_new();
	if (h) {
		link_replay(h, path);
		sockets_replay(h, path);
	}
	host_free(h);
	return 0;
}
