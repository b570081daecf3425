/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journal.h - the journal sink: one structured entry per event.
 *
 * Fields: MESSAGE (ev->message), PRIORITY (critical 2, warning 4, info 6;
 * audit_failed always 3), MESSAGE_ID (fixed per event kind, explained by
 * contrib/fwaudit.catalog for journalctl -x), SYSLOG_IDENTIFIER=fwauditd,
 * FWAUDIT_EVENT (the kind), FWAUDIT_EVENT_ID, FWAUDIT_SEVERITY and one
 * FWAUDIT_<FIELD> per non-NULL event field (FWAUDIT_PORTS, FWAUDIT_FIX...).
 * Fields that do not apply are omitted, never empty.
 *
 * The daemon writes the journal entry before it spools the event for the
 * webhook: the journal is the record, the webhook a notification.
 */
#ifndef FWAUDIT_JOURNAL_H
#define FWAUDIT_JOURNAL_H

#include <stddef.h>

#include "event.h"

/* Most fields an entry has: the fixed ones plus one per event field. */
#define JOURNAL_FIELDS_MAX	(8 + EVENT_F_COUNT)

/* The MESSAGE_ID of a kind, as 32 lowercase hex digits; NULL when out of
 * range.  These never change: monitoring filters on them. */
const char *journal_message_id(enum event_kind kind);

/* The syslog priority (LOG_CRIT...) of an event. */
int journal_priority(const struct event *ev);

/*
 * Build the "NAME=value" strings of the entry, in a fixed order, into
 * fields[0..JOURNAL_FIELDS_MAX); returns their number.  Each string is
 * malloc'd: free them with journal_fields_free().  -ENOMEM.
 */
int journal_event_fields(const struct event *ev,
			 char *fields[JOURNAL_FIELDS_MAX]);
void journal_fields_free(char **fields, int n);

/* Send the entry to journald (sd_journal_sendv).  0 or a negative errno
 * from the journal socket (-ENOENT when journald is not running). */
int journal_send_event(const struct event *ev);

#endif
