/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * array.h - the growable array with an explicit capacity: one function
 * instead of a realloc() loop per list.
 *
 *	if ((ret = array_grow(&l->v, &l->cap, l->n, sizeof(*l->v), MAX,
 *			      16)) < 0)
 *		return ret;
 *	l->v[l->n++] = x;
 *
 * (The model's arrays, whose capacity follows from their count, are
 * ruleset.c's grow() and host_array_add().)
 */
#ifndef FWAUDIT_ARRAY_H
#define FWAUDIT_ARRAY_H

#include <stddef.h>
#include <stdint.h>	/* SIZE_MAX: no bound */

/* Make room for element n of the array *arrayp points to (elements of
 * elem bytes, capacity *cap): when n == *cap the capacity becomes first,
 * then doubles, never beyond max.  0; -E2BIG when n >= max; -ENOMEM.  On
 * failure *arrayp and *cap are unchanged.  arrayp is the address of the
 * array pointer (T **), passed as void * so any element type fits. */
int array_grow(void *arrayp, size_t *cap, size_t n, size_t elem, size_t max,
	       size_t first);

#endif
