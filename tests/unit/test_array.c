// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_array.c - array_grow(), the growable array with an explicit
 * capacity: first capacity, doubling, the bound (reached exactly, never
 * passed), no reallocation while there is room, nothing changed on
 * failure.  No privileges.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "array.h"
#include "unit.h"

int main(void)
{
	uint64_t *v = NULL, *before;
	size_t n = 0, cap = 0, i, grew = 0;
	int ret;

	/* 1000 appends from first 4: capacities 4, 8, ..., 1024 */
	for (i = 0; i < 1000; i++) {
		size_t old = cap;

		ret = array_grow(&v, &cap, n, sizeof(*v), SIZE_MAX, 4);
		CHECK_EQ(ret, 0);
		if (ret < 0)
			break;
		CHECK(cap > n);
		if (cap != old) {
			grew++;
			CHECK_EQ(cap, old ? old * 2 : 4);
		}
		v[n++] = i;
	}
	CHECK_EQ(cap, 1024);
	CHECK_EQ(grew, 9);
	for (i = 0; i < n; i++)
		CHECK_EQ(v[i], i);
	/* room left: the same array */
	before = v;
	CHECK_EQ(array_grow(&v, &cap, 1000, sizeof(*v), SIZE_MAX, 4), 0);
	CHECK(v == before);
	CHECK_EQ(cap, 1024);
	free(v);

	/* the bound: capacity clamped to it, element max - 1 fits, max not */
	v = NULL;
	n = cap = 0;
	for (i = 0; i < 100; i++) {
		ret = array_grow(&v, &cap, n, sizeof(*v), 100, 16);
		CHECK_EQ(ret, 0);
		if (ret < 0)
			break;
		v[n++] = i;
	}
	CHECK_EQ(n, 100);
	CHECK_EQ(cap, 100);
	before = v;
	CHECK_EQ(array_grow(&v, &cap, n, sizeof(*v), 100, 16), -E2BIG);
	CHECK(v == before);
	CHECK_EQ(cap, 100);
	free(v);

	/* a size that cannot be allocated: -ENOMEM, nothing changed */
	v = NULL;
	cap = 0;
	CHECK_EQ(array_grow(&v, &cap, 0, SIZE_MAX / 2, SIZE_MAX, 16), -ENOMEM);
	CHECK(v == NULL);
	CHECK_EQ(cap, 0);
	return unit_done();
}
