/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rsprint.h - print the ruleset model for people (text, in the manner of
 * `nft list ruleset`) and for programs (JSON, version 1).
 *
 * Both come from the same formatting of each match and verdict
 * (rsprint_match_value() and friends), so they cannot drift apart.
 */
#ifndef FWAUDIT_RSPRINT_H
#define FWAUDIT_RSPRINT_H

#include <stdio.h>

#include "ruleset.h"

/* Format one element (nfields intervals) of a match on fields[] into buf:
 * "10.0.0.0/8", "22", "1000-2000", "eth*", "new", "1.2.3.4 . 22".
 * fields: enum rs_field values, a byte each as the model keeps them.
 * Returns the length written (truncated to size - 1). */
int rsprint_elem(char *buf, size_t size, const uint8_t *fields,
		 unsigned int nfields, const struct rs_interval *elem);

/* The whole model on f, streamed rule by rule: as one JSON document
 * (version 1, laid out as jansson's JSON_INDENT(1), see jsonw.h) and a
 * newline, or as text; rs's ipsets name its set matches (rsprint_rule()).
 * Both flush f and return 0, -ENOMEM, or the negative errno of the write
 * that failed (-EPIPE, -ENOSPC, ...). */
int rsprint_json(const struct ruleset *rs, FILE *f);
int rsprint_text(const struct ruleset *rs, FILE *f);

/* The text of one rule as `nft list ruleset` would show it, into a
 * malloc'd string (caller frees), or NULL on ENOMEM.  rs is the ruleset
 * the rule was read with: the ipsets it read name the x_tables set
 * matches and SET targets ("match-set blocklist src"); NULL, or a set rs
 * did not read, leaves the kernel index ("match-set index 3 src"). */
char *rsprint_rule(const struct ruleset *rs, const struct rs_rule *r);

/* One match as text ("tcp dport { 22, 80 }"), malloc'd, or NULL; rs as
 * for rsprint_rule(). */
char *rsprint_match(const struct ruleset *rs, const struct rs_match *m);

#endif
