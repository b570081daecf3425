// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * arena.c - memory carved from blocks and freed all at once.
 */
#include <stdlib.h>

#include "arena.h"

void *arena_alloc_block(struct arena *a, size_t size)
{
	size_t bsize = size > ARENA_BLOCK_SIZE / 4 ? size : ARENA_BLOCK_SIZE;
	struct arena_block *b;

	if (bsize > SIZE_MAX - sizeof(*b))
		return NULL;
	b = malloc(sizeof(*b) + bsize);
	if (!b)
		return NULL;
	b->size = bsize;
	b->used = size;
	/* a large piece gets a block of its own, behind the one still
	 * being filled */
	if (size > ARENA_BLOCK_SIZE / 4 && a->head) {
		b->next = a->head->next;
		a->head->next = b;
	} else {
		b->next = a->head;
		a->head = b;
	}
	return b->data;
}

void arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}

void arena_append(struct arena *dst, struct arena *src)
{
	struct arena_block **tail;

	for (tail = &dst->head; *tail; tail = &(*tail)->next)
		;
	*tail = src->head;
	src->head = NULL;
}
