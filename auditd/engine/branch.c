// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * branch.c - the engine's branches and the persistent lists (trace, jump
 * frames, assumptions) they share with their forks.  Part of the walk:
 * see engine.c and walk.h.
 */
#include "walk.h"

void eng_blist_release(struct blist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		branch_free(l->b[i]);
	free(l->b);
	memset(l, 0, sizeof(*l));
}

/* Add assumption x to b's list. */
int eng_assume_copy(struct walk *w, struct branch *b,
		const struct engine_assumption *x)
{
	struct anode *a = arena_alloc(&w->arena, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->up = b->assume;
	a->depth = b->assume ? b->assume->depth + 1 : 1;
	a->a = *x;
	b->assume = a;
	return 0;
}

int eng_assume_elem(struct walk *w, struct branch *b,
		const struct rs_chain *c, const struct rs_rule *r,
		const struct rs_match *m, bool matched, size_t elem)
{
	struct engine_assumption x = {
		.chain = c, .rule = r, .match = m, .matched = matched,
		.elem = elem,
	};

	return eng_assume_copy(w, b, &x);
}

int eng_assume_add(struct walk *w, struct branch *b,
	       const struct rs_chain *c, const struct rs_rule *r,
	       const struct rs_match *m, bool matched)
{
	return eng_assume_elem(w, b, c, r, m, matched, 0);
}

