/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diff.h - two audit results compared into the events fwauditd reports.
 *
 * What is an event:
 *   - an exposure the policy allows (or every exposure, without a policy)
 *     gives exposure_opened / exposure_closed, severity info;
 *   - each violation (a part of an exposure the policy does not allow, or
 *     an unmet `require`) gives violation_opened / violation_resolved with
 *     the rule's severity.
 * An exposure that is not allowed is reported only as its violations: one
 * alert per problem, not two.
 *
 * Identity: an exposure is the same exposure in both results when family,
 * protocol, port range, address, path, backend and listener (process name
 * and socket, not its pid) are equal; sources, interfaces, certainty and
 * the trace may change without an event.  A violation is identified by its
 * exposure, its ports and sources, its severity and the rule that decided.
 * A closing event carries the fields of the opening one (taken from the old
 * result), so that Alertmanager resolves the same labels.
 *
 * At start the whole current state is reported once as state_at_start
 * events (severity info for allowed exposures, the rule's for violations).
 *
 * Error idiom as in ruleset.h.
 */
#ifndef FWAUDIT_DIFF_H
#define FWAUDIT_DIFF_H

#include <stddef.h>

#include "audit.h"
#include "event.h"

#define DIFF_MAX_EVENTS	100000	/* events from one comparison */

enum diff_mode {
	DIFF_CHANGES,	/* old -> cur: opened/closed, opened/resolved */
	DIFF_START,	/* cur only: state_at_start */
	DIFF_FIRING,	/* cur only: exposure_opened / violation_opened for
			 * everything open (re-sent to Alertmanager so that
			 * it keeps the alerts active) */
};

struct diff_events {
	size_t n;
	struct event **ev;	/* owned; closing events first */
};

/*
 * Compare old with cur (old is ignored except in DIFF_CHANGES, where NULL
 * means "nothing before") and append the events to *out (zeroed by the
 * caller, or holding earlier events).  0, -E2BIG beyond DIFF_MAX_EVENTS,
 * -ENOMEM, or an error of event_new().  On failure *out may hold part of
 * the events: the caller releases it.
 */
int diff_results(const struct audit_result *old,
		 const struct audit_result *cur, enum diff_mode mode,
		 struct diff_events *out);
void diff_events_release(struct diff_events *d);

/* Counts for STATUS= and the metrics: rows that are exposures, and
 * violations. */
size_t diff_nexposures(const struct audit_result *r);
size_t diff_nviolations(const struct audit_result *r);

#endif
