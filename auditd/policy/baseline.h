/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline.h - the policy of `fwaudit policy init`: a fwaudit.rules(5) file
 * that allows exactly what a host exposes today, for adopting fwaudit on a
 * host that already serves traffic.
 *
 * From the rows of one audit and their verdicts under a base policy, it
 * writes one allow line per protocol, port range, path and listener or
 * container (and ingress interface, when only one of several), with the
 * sources in the built-in zones (any, private, loopback) where they say
 * the set exactly and as prefixes otherwise; the base's own zones, defined
 * only by the include at the end, name them in the comment.  It never
 * blesses what should not be open:
 *  - a part of an exposure the base policy calls critical is written
 *    commented out, with the rule's place and message;
 *  - a possible exposure is listed in a comment naming its undecidable
 *    matches, never allowed;
 *  - a port the firewall lets in where nothing listens yet ("open") is
 *    listed in a comment, never allowed: an allow there would accept the
 *    next service on that port unseen (except for a ruleset file, where
 *    nothing can listen and what the file lets in is the baseline).
 * The file ends by including the base policy, so anything new is judged
 * as before.
 *
 * Errors: a negative errno; nothing here prints.
 */
#ifndef FWAUDIT_BASELINE_H
#define FWAUDIT_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"
#include "report.h"
#include "strbuf.h"

struct baseline_opts {
	const char *base;	/* the base policy's path, written in the
				 * closing include as given (make it
				 * absolute) */
	const char *date;	/* "2026-12-06": in the header and in every
				 * line's comment */
	bool symbolic;		/* rows of ruleset files: no listeners, so
				 * "open" is what the file lets in and is
				 * allowed like "exposed" */
	const char *const *ifaces;	/* the ingress interfaces audited by
					 * --interface, written as an
					 * `interface` statement so the file
					 * audits the same ones; NULL: none */
	size_t nifaces;
	const struct policy *zones;	/* the base, whose own zones name a
					 * line's sources in its comment
					 * ("from office"); NULL: none.  Only
					 * read. */
};

/*
 * Append the policy text for rows[0..n) to out.  verdicts judges the same
 * rows under the base policy (policy_judge(base, rows, n)); it and the rows
 * are only read.  0, -EINVAL when a row's source is not a prefix of its
 * family or verdicts does not match the rows, -ENOMEM.
 */
int baseline_write(const struct report_row *rows, size_t n,
		   const struct policy_result *verdicts,
		   const struct baseline_opts *o, struct strbuf *out);

#endif
