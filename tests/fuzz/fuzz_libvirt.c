// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_libvirt.c - the files libvirt.c reads: the input is a domain's
 * status XML, then optionally a NUL and a dnsmasq .status file read
 * against that domain.  A guest names its own DHCP hostname and MAC; the
 * domain XML is libvirtd's, but a name is the operator's.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "libvirt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t alen = nul ? (size_t)(nul - data) : size;
	size_t blen = nul ? size - alen - 1 : 0;
	struct libvirt_domain d;
	struct docker_map m;
	char *a, *b;

	a = malloc(alen ? alen : 1);
	b = malloc(blen ? blen : 1);
	if (a && b) {
		memcpy(a, data, alen);
		if (blen)
			memcpy(b, nul + 1, blen);
		memset(&m, 0, sizeof(m));
		if (libvirt_parse_domain(a, alen, &d) == 0 && nul)
			libvirt_parse_leases(b, blen, &d, 1, &m);
		docker_release(&m);
	}
	free(a);
	free(b);
	return 0;
}
