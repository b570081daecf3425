// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * array.c - the growable array with an explicit capacity.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "array.h"

int array_grow(void *arrayp, size_t *cap, size_t n, size_t elem, size_t max,
	       size_t first)
{
	void **pp = arrayp;
	size_t c;
	void *p;

	if (n >= max)
		return -E2BIG;
	if (n < *cap)
		return 0;
	c = *cap ? *cap : (first ? first : 1);
	while (c <= n)
		c = c > SIZE_MAX / 2 ? SIZE_MAX : c * 2;
	if (c > max)
		c = max;
	if (elem && c > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*pp, c * elem);
	if (!p)
		return -ENOMEM;
	*pp = p;
	*cap = c;
	return 0;
}
