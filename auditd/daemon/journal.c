// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>

#include <systemd/sd-journal.h>

#include "journal.h"

/* Generated once with systemd-id128 new; contrib/fwaudit.catalog has one
 * section per id.  Never change one: alerting filters on them. */
static const char *const message_ids[EVENT_KIND_COUNT] = {
	[EVENT_EXPOSURE_OPENED]		= "746b1082d4324eee9e93f7253ef417ff",
	[EVENT_EXPOSURE_CLOSED]		= "114824e17fee4db09ac3a2bdf7acea42",
	[EVENT_VIOLATION_OPENED]	= "0df932321a7e47e6a01647e6ed4da785",
	[EVENT_VIOLATION_RESOLVED]	= "cb3d189bcc7847bfbe99a6a0513e6f88",
	[EVENT_AUDIT_FAILED]		= "bb1eb30981b3412cb8dbc837bfca4548",
	[EVENT_AUDIT_RECOVERED]		= "deed2550b1c2458abb73fcab3af8713c",
	[EVENT_STATE_AT_START]		= "668e5e691b8740f1aa59d33388ac615b",
	[EVENT_EXPOSURE_CHANGED]	= "fdfc12806d5c41a7ba0c63f0181e1583",
	[EVENT_VIOLATION_CHANGED]	= "05b95a4ca8f34684a868cb5953c1f547",
};

/* Journal field names of the event fields, in enum event_field order. */
static const char *const field_keys[EVENT_F_COUNT] = {
	[EVENT_F_FAMILY]	= "FWAUDIT_FAMILY",
	[EVENT_F_PROTOCOL]	= "FWAUDIT_PROTOCOL",
	[EVENT_F_PORTS]		= "FWAUDIT_PORTS",
	[EVENT_F_ADDRESS]	= "FWAUDIT_ADDRESS",
	[EVENT_F_SOURCES]	= "FWAUDIT_SOURCES",
	[EVENT_F_INTERFACES]	= "FWAUDIT_INTERFACES",
	[EVENT_F_PATH]		= "FWAUDIT_PATH",
	[EVENT_F_BACKEND]	= "FWAUDIT_BACKEND",
	[EVENT_F_LISTENER]	= "FWAUDIT_LISTENER",
	[EVENT_F_STATE]		= "FWAUDIT_STATE",
	[EVENT_F_CERTAINTY]	= "FWAUDIT_CERTAINTY",
	[EVENT_F_RULE]		= "FWAUDIT_RULE",
	[EVENT_F_FIX]		= "FWAUDIT_FIX",
	[EVENT_F_OPEN_PORTS]	= "FWAUDIT_OPEN_PORTS",
};

const char *journal_message_id(enum event_kind kind)
{
	return (unsigned int)kind < EVENT_KIND_COUNT ? message_ids[kind] : NULL;
}

int journal_priority(const struct event *ev)
{
	if (ev->kind == EVENT_AUDIT_FAILED)
		return LOG_ERR;
	switch (ev->severity) {
	case EVENT_SEV_CRITICAL:
		return LOG_CRIT;
	case EVENT_SEV_WARNING:
		return LOG_WARNING;
	default:
		return LOG_INFO;
	}
}

void journal_fields_free(char **fields, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(fields[i]);
}

static int add(char **fields, int *n, const char *name, const char *value)
{
	if (*n >= JOURNAL_FIELDS_MAX)
		return -E2BIG;
	if (asprintf(&fields[*n], "%s=%s", name, value) < 0)
		return -ENOMEM;
	(*n)++;
	return 0;
}

int journal_event_fields(const struct event *ev,
			 char *fields[JOURNAL_FIELDS_MAX])
{
	char prio[4];
	unsigned int i;
	int n = 0, ret;

	if ((unsigned int)ev->kind >= EVENT_KIND_COUNT ||
	    (unsigned int)ev->severity >= EVENT_SEV_COUNT)
		return -EINVAL;
	snprintf(prio, sizeof(prio), "%d", journal_priority(ev));
	if ((ret = add(fields, &n, "MESSAGE", ev->message)) < 0 ||
	    (ret = add(fields, &n, "PRIORITY", prio)) < 0 ||
	    (ret = add(fields, &n, "MESSAGE_ID", message_ids[ev->kind])) < 0 ||
	    (ret = add(fields, &n, "SYSLOG_IDENTIFIER", "fwauditd")) < 0 ||
	    (ret = add(fields, &n, "FWAUDIT_EVENT",
		       event_kind_name(ev->kind))) < 0 ||
	    (ret = add(fields, &n, "FWAUDIT_EVENT_ID", ev->id)) < 0 ||
	    (ret = add(fields, &n, "FWAUDIT_SEVERITY",
		       event_severity_name(ev->severity))) < 0)
		goto out;
	for (i = 0; i < EVENT_F_COUNT; i++) {
		if (!ev->field[i])
			continue;
		ret = add(fields, &n, field_keys[i], ev->field[i]);
		if (ret < 0)
			goto out;
	}
	return n;
out:
	journal_fields_free(fields, n);
	return ret;
}

int journal_send_event(const struct event *ev)
{
	char *fields[JOURNAL_FIELDS_MAX];
	struct iovec iov[JOURNAL_FIELDS_MAX];
	int i, n, ret;

	n = journal_event_fields(ev, fields);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		iov[i].iov_base = fields[i];
		iov[i].iov_len = strlen(fields[i]);
	}
	/* sd_journal_sendv() uses the binary-safe encoding for values with a
	 * newline, so a multi-line fix arrives intact. */
	ret = sd_journal_sendv(iov, n);
	journal_fields_free(fields, n);
	return ret < 0 ? ret : 0;
}
