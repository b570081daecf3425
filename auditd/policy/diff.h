/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diff.h - two audits compared at the level of probe sets: what a change
 * opens, closes or alters.  `fwaudit diff` prints it; fwauditd tells it as
 * label-stable alerts (alerts.h).  Both read the same thing - report rows
 * and their policy verdicts - so an audit judged by the daemon and one read
 * back from a saved JSON (auditload.h) compare alike; both name an unmet
 * `require` by the same key (diff_missing_key()).
 *
 * Error idiom as in ruleset.h.
 */
#ifndef FWAUDIT_DIFF_H
#define FWAUDIT_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "strbuf.h"

/* Counts for STATUS= and the metrics: rows that are exposures, and
 * violations. */
size_t diff_nexposures(const struct audit_result *r);
size_t diff_nviolations(const struct audit_result *r);

/* Words shared by the comparison's printers: "ipv4" / "ipv6"; "6379" or
 * "8000-8100" appended to b; the strings of v joined by "," appended to
 * b. */
const char *diff_family_name(uint8_t family);
void diff_add_ports(struct strbuf *b, uint32_t lo, uint32_t hi);

/* The identity of an unmet `require` (family/protocol/ports/sources of
 * what it misses), appended to b: equal keys, the same violation. */
void diff_missing_key(struct strbuf *b, const struct policy_violation *v);

/* ---------------------------------------------------------------------
 * Probe sets (fwaudit diff).
 *
 * The probe space of one (family, protocol, address) is destination port
 * x source address.  Each row that is not closed covers its ports x its
 * sources; with a policy, each part of its verdict covers its own ports x
 * sources with that part's verdict.  For every probe:
 *   - opened:  NEW covers it, OLD does not;
 *   - closed:  OLD covers it, NEW does not;
 *   - altered: both cover it, but what happens to it differs: state,
 *     certainty, listener (program and socket, not pid), backend, path,
 *     ingress interfaces, the source ports a row is limited to (a
 *     `--sport 53` mistake), or the verdict (severity and deciding rule).
 * Interfaces are an attribute, not a dimension: a ruleset file audit names
 * interfaces symbolically ("*" any other), and two rulesets mentioning
 * different names would otherwise look opened where nothing changed.
 * A probe NEW lets in as a violation that OLD let in as none or a lesser
 * one opens that violation (its severity counts for the exit status); the
 * reverse resolves one.  Unmet requires are compared by their key.
 * Changes on adjacent ports with the same sources and the same rows are
 * merged into one range.
 */
struct diff_side {
	const struct report_row *rows;
	size_t nrows;
	const struct policy_result *verdicts;	/* NULL: no policy */
};

/* Call fn for each row of s that is not closed, with each part of its
 * verdict (part NULL without a policy); the first negative return of fn
 * is returned, else 0.  s may be NULL. */
int diff_side_each(const struct diff_side *s,
		   int (*fn)(void *ctx, const struct report_row *row,
			     const struct policy_part *part), void *ctx);

enum diff_change_kind {
	DIFF_OPENED,
	DIFF_ALTERED,
	DIFF_CLOSED,
};

/* What an altered change changes (bits of diff_change.changed). */
#define DIFF_CH_STATE		0x01
#define DIFF_CH_CERTAINTY	0x02
#define DIFF_CH_LISTENER	0x04
#define DIFF_CH_BACKEND		0x08
#define DIFF_CH_PATH		0x10
#define DIFF_CH_INTERFACES	0x20
#define DIFF_CH_VERDICT		0x40
#define DIFF_CH_SOURCE_PORTS	0x80
#define DIFF_CH_COUNT		8

#define DIFF_MAX_CHANGES	100000	/* changes from one comparison */
#define DIFF_MAX_UNITS		200000	/* rows x parts of both sides */

struct diff_change {
	enum diff_change_kind kind;
	uint8_t family;			/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	uint8_t proto;
	uint16_t port_lo, port_hi;	/* as the probes arrive */
	size_t nsources;
	struct rs_interval *sources;	/* owned; sorted, disjoint */
	/* The rows (and parts: NULL without a policy) before and after,
	 * borrowed from the sides: NULL on the side a probe is not in. */
	const struct report_row *old_row, *new_row;
	const struct policy_part *old_part, *new_part;
	unsigned int changed;		/* DIFF_CH_*, DIFF_ALTERED only */
	enum policy_severity opens;	/* the violation it opens, or NONE */
	enum policy_severity resolves;	/* the violation it resolves, or NONE */
};

struct diff_changes {
	size_t n;
	struct diff_change *v;		/* opened, altered, closed; each by
					 * the severity it opens, then the one
					 * it resolves (worst first), then
					 * family, protocol, address, port */
	size_t nmissing_opened, nmissing_resolved;
	/* unmet requires of NEW that OLD did not have, and the reverse;
	 * borrowed from the sides' verdicts */
	const struct policy_violation **missing_opened, **missing_resolved;
	enum policy_severity worst;	/* worst violation opened, or NONE */
};

/* Compare old with cur into *out (zeroed by the caller; release it with
 * diff_changes_release(), also after a failure).  The result borrows
 * rows, parts and violations from both sides: release it first.  0,
 * -EINVAL for a row source that is not a prefix of its family, -E2BIG
 * beyond DIFF_MAX_UNITS or DIFF_MAX_CHANGES, -ENOMEM. */
int diff_compare(const struct diff_side *old, const struct diff_side *cur,
		 struct diff_changes *out);
void diff_changes_release(struct diff_changes *c);

/* "state", "certainty", "listener", "backend", "path", "interfaces",
 * "verdict", "source_ports" for bit i (0 <= i < DIFF_CH_COUNT) of diff_change.changed. */
const char *diff_change_name(unsigned int bit);

#endif
