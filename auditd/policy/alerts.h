/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alerts.h - fwauditd's alerts: the changes diff_compare() (diff.h) finds
 * between two audits, told as events whose identity stays the same while
 * the exposure they describe persists.
 *
 * Alertmanager resolves what it opened by its labels (webhook.c: family,
 * protocol, ports, address, path, and a violation's rule).  An alert is
 * therefore kept, not recomputed: it is opened for a class of probes and a
 * port range, and keeps both until none of its probes is let in any more.
 *
 *   class: an allowed exposure (or any, without a policy) by family,
 *     protocol, address, path, backend and listener (program and socket,
 *     not pid); a violation by the same and its severity and rule; an
 *     unmet `require` by what it misses (diff_missing_key()) and its rule.
 *   range: the ports it was opened for (field "ports", a label).  Probes
 *     of its class that open on ports no alert of the class holds open a
 *     new alert: one per run of adjacent such ports.
 *
 * For each change of diff_compare(), the alerts of its class (on either
 * side) whose range it meets are looked at again, against the new audit:
 *   - none of the range's probes is let in: the alert resolves
 *     (exposure_closed / violation_resolved), with the fields it last had;
 *   - some are, and what they are differs from the alert's last event
 *     (ports within the range, sources, interfaces, state, certainty,
 *     backend): *_changed, same identifying fields, "open_ports" the ports
 *     of its range open now.  A partial close changes an alert, it does not
 *     resolve it; a range split or merged by the firewall keeps it.
 * A listener that restarts (new pid) changes nothing.
 *
 * Error idiom as in ruleset.h.
 */
#ifndef FWAUDIT_ALERTS_H
#define FWAUDIT_ALERTS_H

#include <stddef.h>

#include "diff.h"
#include "event.h"

struct ruleset;

#define ALERTS_MAX	100000	/* alerts kept open at once */

enum diff_mode {
	DIFF_CHANGES,	/* old -> cur: opened, changed, closed/resolved */
	DIFF_START,	/* cur only, into empty alerts: state_at_start */
};

struct diff_events {
	size_t n;
	struct event **ev;	/* owned; closing events first */
};

void diff_events_release(struct diff_events *d);

struct alert;

/* The open alerts (zero it before the first call). */
struct alerts {
	size_t n;
	struct alert **v;	/* by class, then port */
};

/*
 * Compare old with cur (old is ignored in DIFF_START, which expects empty
 * alerts), update the open alerts a and append their events to *out
 * (zeroed by the caller, or holding earlier events).  rs is the ruleset of
 * cur, for the fix a violation's event suggests (NULL: none).  The alerts
 * own what they keep: old and cur may be freed afterwards.  0, -E2BIG
 * beyond ALERTS_MAX or DIFF_MAX_EVENTS or a bound of diff_compare(),
 * -EINVAL for a source that is not a prefix, -ENOMEM, or an error of
 * event_new().  After a failure *out may hold part of the events (the
 * caller releases it) and a still holds valid alerts, possibly not all of
 * cur's.
 */
int alerts_update(struct alerts *a, const struct diff_side *old,
		  const struct diff_side *cur, const struct ruleset *rs,
		  enum diff_mode mode, struct diff_events *out);

/* Every open alert as it was last told, as exposure_opened or
 * violation_opened events (re-sent to Alertmanager so that it keeps them
 * active), appended to *out.  0, -E2BIG, -ENOMEM. */
int alerts_firing(const struct alerts *a, struct diff_events *out);

void alerts_release(struct alerts *a);

#define DIFF_MAX_EVENTS	100000	/* events from one comparison */

#endif
