/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * srcview.h - source address sets for people, in the policy's own words.
 *
 * The JSON keeps the exact minimal prefix list of every set; the text
 * names the same set with the policy's zones where that is shorter:
 * "any", "any except private,loopback", "private", "office,192.0.2.7",
 * or the prefixes themselves.  Every text denotes exactly its set:
 * srcview_parse() reads it back, and tests/unit/test_srcview checks the
 * two agree for random sets in every form.
 *
 * Sets are arrays of struct rs_interval of one family (NFPROTO_IPV4 /
 * NFPROTO_IPV6), sorted, disjoint and not adjacent (as region_sources()
 * and region_prefix_parse() make them).  Errors: a negative errno; output
 * parameters are written only on success; nothing here prints.
 */
#ifndef FWAUDIT_SRCVIEW_H
#define FWAUDIT_SRCVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "ruleset.h"
#include "strbuf.h"

struct srcview;

/* The zones of p (built-in and its own, see policy_zone()); p NULL: the
 * built-in ones.  The view copies what it needs: p may be freed first.
 * 0 or -ENOMEM. */
int srcview_new(const struct policy *p, struct srcview **out);
void srcview_free(struct srcview *v);

enum srcview_form {
	SRCVIEW_ANY,		/* "any": the whole address space */
	SRCVIEW_UNION,		/* "private,office,192.0.2.7"; "none" */
	SRCVIEW_EXCEPT,		/* "any except private,loopback" */
	SRCVIEW_PREFIXES,	/* the prefixes themselves, as in the JSON */
	SRCVIEW_NFORMS,
};

/* Append the text of the set iv[0..n) of family in one form to b.  0,
 * -ENOENT when that form cannot say it ("any" for less than everything,
 * "any except" for everything or nothing), -EINVAL for a bad family,
 * -ENOMEM. */
int srcview_form(const struct srcview *v, uint8_t family,
		 const struct rs_interval *iv, size_t n,
		 enum srcview_form form, struct strbuf *b);
/* Append the shortest form (fewest names and prefixes; of equals the
 * first in the order above).  v NULL: no zones, "any" and prefixes
 * only.  0 or -ENOMEM. */
int srcview_text(const struct srcview *v, uint8_t family,
		 const struct rs_interval *iv, size_t n, struct strbuf *b);

/* What a text of the forms above denotes in family: a new array *out of
 * *n intervals (free() it; may be NULL when *n is 0).  -EINVAL for a word
 * that is neither a zone of v nor a prefix or address, -ENOMEM. */
int srcview_parse(const struct srcview *v, uint8_t family, const char *s,
		  struct rs_interval **out, size_t *n);

#endif
