// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_arena.c - the one arena (util/arena.c) of the ruleset and the
 * engine: every piece aligned to ARENA_ALIGN and its own (patterns written
 * to all of them survive), small pieces packed into one block, a large
 * piece in a block of its own behind the one being filled, arena_append()
 * keeping dst's block first, arena_free() leaving it empty.  No
 * privileges.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "unit.h"

static size_t nblocks(const struct arena *a)
{
	const struct arena_block *b;
	size_t n = 0;

	for (b = a->head; b; b = b->next)
		n++;
	return n;
}

int main(void)
{
	static unsigned char *p[5000];
	static size_t sz[5000];
	struct arena a = { 0 }, b = { 0 };
	struct arena_block *head;
	unsigned char *big, *after;
	size_t i, j, total = 0;
	bool ok = true;

	/* mixed small sizes: aligned, distinct, about total / block blocks */
	for (i = 0; i < 5000; i++) {
		sz[i] = 1 + (i * 37) % 200;
		p[i] = arena_alloc(&a, sz[i]);
		CHECK(p[i] != NULL);
		if (!p[i])
			return unit_done();
		CHECK_EQ((uintptr_t)p[i] % ARENA_ALIGN, 0);
		memset(p[i], (int)(i & 0xff), sz[i]);
		total += (sz[i] + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	}
	for (i = 0; i < 5000; i++)
		for (j = 0; j < sz[i]; j++)
			ok = ok && p[i][j] == (unsigned char)(i & 0xff);
	CHECK(ok);
	CHECK(nblocks(&a) <= total / ARENA_BLOCK_SIZE + 2);

	/* a large piece: a block of its own, behind the one being filled,
	 * so the next small piece still comes from that one */
	head = a.head;
	big = arena_alloc(&a, ARENA_BLOCK_SIZE);
	CHECK(big != NULL);
	CHECK(a.head == head);
	CHECK(a.head->next && a.head->next->data == big);
	after = arena_alloc(&a, 16);
	CHECK(after != NULL && a.head == head);
	CHECK(after >= head->data && after < head->data + head->size);
	memset(big, 0x5a, ARENA_BLOCK_SIZE);

	/* zero bytes: a valid, aligned pointer */
	CHECK(arena_alloc(&b, 0) != NULL);
	CHECK(arena_alloc(&b, SIZE_MAX - 1) == NULL);
	CHECK(arena_alloc(&b, 100) != NULL);

	/* append: dst's block being filled stays first, src is empty */
	i = nblocks(&a) + nblocks(&b);
	arena_append(&a, &b);
	CHECK(a.head == head);
	CHECK(b.head == NULL);
	CHECK_EQ(nblocks(&a), i);
	arena_free(&a);
	CHECK(a.head == NULL);
	arena_free(&b);
	return unit_done();
}
