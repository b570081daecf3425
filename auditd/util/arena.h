/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arena.h - memory carved from 64 KiB blocks and freed all at once: the
 * ruleset's packed rules (ruleset.c) and the engine's persistent lists
 * (trace, jump frames, assumptions, choices).  One dense run of blocks
 * instead of many small heap blocks, each with its header and slack.
 */
#ifndef FWAUDIT_ARENA_H
#define FWAUDIT_ARENA_H

#include <stddef.h>
#include <stdint.h>

#define ARENA_BLOCK_SIZE	(64 * 1024)
#define ARENA_ALIGN		16	/* enough for rs_u128 */

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

/* Zero-initialised it is empty. */
struct arena {
	struct arena_block *head;	/* the block being filled */
};

/* arena_alloc()'s way when the block being filled has no room: a new
 * block (a piece over a quarter of a block gets one of its own, kept
 * behind the one being filled). */
void *arena_alloc_block(struct arena *a, size_t size);

/* size bytes, aligned to ARENA_ALIGN, that live until arena_free(); NULL
 * without memory.  Inline: the engine allocates on its hot path. */
static inline void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_block *b = a->head;
	void *p;

	if (size > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (!b || b->size - b->used < size)
		return arena_alloc_block(a, size);
	p = b->data + b->used;
	b->used += size;
	return p;
}

/* Free every block; a is empty afterwards. */
void arena_free(struct arena *a);

/* Move src's blocks behind dst's (dst's block being filled stays first);
 * src is empty afterwards. */
void arena_append(struct arena *dst, struct arena *src);

#endif
