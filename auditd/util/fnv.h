/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fnv.h - 64-bit FNV-1a, for fingerprints and hash sets that need no
 * resistance to chosen input (a collision only costs a re-read or an
 * extra audit where it is used).
 */
#ifndef FWAUDIT_FNV_H
#define FWAUDIT_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A64_INIT	0xcbf29ce484222325ull

static inline uint64_t fnv1a64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--) {
		h ^= *c++;
		h *= 0x100000001b3ull;
	}
	return h;
}

#endif
