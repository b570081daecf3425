/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * event.h - one change the daemon reports: what it is, when, how bad, in
 * words and as structured fields.  Every sink (journal, webhook, spool)
 * reads this one struct, so the journal entry and the webhook body of one
 * event cannot disagree.
 *
 * An event is a plain struct of owned strings.  Fields that do not apply are
 * NULL (never ""): event_set_field() turns "" into NULL.  The id is made once,
 * by event_new(), from the kernel's random source; it identifies the event
 * across retries, restarts and sinks (webhook-id, FWAUDIT_EVENT_ID).
 *
 * A closing event (exposure_closed, violation_resolved, audit_recovered)
 * should carry the same identifying fields as the event it closes (family,
 * protocol, ports, address, path, and the severity of the opening one):
 * Alertmanager resolves an alert by its labels, which are built from them.
 *
 * Error idiom as in ruleset.h: 0 or a negative errno, outputs written only
 * on success, destructors accept NULL.
 */
#ifndef FWAUDIT_EVENT_H
#define FWAUDIT_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

enum event_kind {
	EVENT_EXPOSURE_OPENED,
	EVENT_EXPOSURE_CLOSED,
	EVENT_VIOLATION_OPENED,
	EVENT_VIOLATION_RESOLVED,
	EVENT_AUDIT_FAILED,
	EVENT_AUDIT_RECOVERED,
	EVENT_STATE_AT_START,	/* one per exposure/violation found at start */
	/* an open alert whose probes changed in part (ports closed or
	 * reopened within its range, sources, interfaces, certainty): the
	 * same identifying fields, the new state */
	EVENT_EXPOSURE_CHANGED,
	EVENT_VIOLATION_CHANGED,
	EVENT_KIND_COUNT
};

enum event_severity {
	EVENT_SEV_INFO,
	EVENT_SEV_WARNING,
	EVENT_SEV_CRITICAL,
	EVENT_SEV_COUNT
};

/* The structured fields, in the order every sink prints them. */
enum event_field {
	EVENT_F_FAMILY,		/* "ipv4" | "ipv6" */
	EVENT_F_PROTOCOL,	/* "tcp" | "udp" | "sctp" */
	EVENT_F_PORTS,		/* "6379" or "8000-8100" */
	EVENT_F_ADDRESS,	/* host address the probes arrive at, or "*" */
	EVENT_F_SOURCES,	/* "0.0.0.0/0" or "10.0.0.0/8,192.168.0.0/16" */
	EVENT_F_INTERFACES,	/* "eth0,ens3" */
	EVENT_F_PATH,		/* "local" | "forward" */
	EVENT_F_BACKEND,	/* "172.17.0.2:6379 (container redis)" */
	EVENT_F_LISTENER,	/* "redis-server[1234]" */
	EVENT_F_STATE,		/* "exposed" | "open" */
	EVENT_F_CERTAINTY,	/* "definite" | "possible" */
	EVENT_F_RULE,		/* policy "file:line" */
	EVENT_F_FIX,		/* suggested rule text */
	EVENT_F_OPEN_PORTS,	/* the ports of the alert's range still open
				 * now: "8000-8040,8050-8100" (ports is the
				 * range it was opened for, its identity) */
	EVENT_F_COUNT
};

/* Longest field or message accepted, in bytes: a bound on what a spool
 * file (or a broken caller) can make us allocate. */
#define EVENT_FIELD_MAX		16384

/* 128 random bits as lowercase hex. */
#define EVENT_ID_LEN		32

struct event {
	enum event_kind kind;
	enum event_severity severity;
	char id[EVENT_ID_LEN + 1];
	uint64_t time_usec;		/* CLOCK_REALTIME, microseconds */
	char *message;			/* one line for people; never NULL */
	char *field[EVENT_F_COUNT];	/* NULL when not applicable */
};

/*
 * Make an event of this kind and severity with a fresh random id, the
 * current time and a copy of message (required, at most EVENT_FIELD_MAX
 * bytes).  Free with event_free().  -EINVAL for a bad kind, severity or
 * message; -ENOMEM; or the error of getrandom().
 */
int event_new(enum event_kind kind, enum event_severity severity,
	      const char *message, struct event **out);
void event_free(struct event *ev);

/* Set (a copy of) value; NULL or "" clears the field.  -EINVAL for a bad
 * field or a value longer than EVENT_FIELD_MAX; -ENOMEM.  The old value is
 * kept on failure. */
int event_set_field(struct event *ev, enum event_field f, const char *value);
int event_set_fieldf(struct event *ev, enum event_field f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The field's value, or NULL. */
const char *event_get_field(const struct event *ev, enum event_field f);

/* Names as they appear in JSON and the journal ("exposure_opened",
 * "critical", "ports"); NULL for a value out of range. */
const char *event_kind_name(enum event_kind kind);
const char *event_severity_name(enum event_severity sev);
const char *event_field_name(enum event_field f);
/* The reverse; -EINVAL for an unknown name. */
int event_kind_from_name(const char *name, enum event_kind *out);
int event_severity_from_name(const char *name, enum event_severity *out);

/* True for the kinds that end something an earlier event opened. */
bool event_kind_is_closing(enum event_kind kind);

/*
 * The event as a new JSON object, keys in a fixed order:
 *   {"version":1, "id", "kind", "time" (RFC 3339, UTC, microseconds),
 *    "time_usec", "severity", "message", then every non-NULL field in
 *    enum event_field order}
 * The caller owns the reference.  -ENOMEM.
 */
int event_to_json(const struct event *ev, json_t **out);

/*
 * Parse what event_to_json() made (unknown keys are ignored, so a newer
 * writer's spool stays readable).  -EINVAL when a required key is missing or
 * a value is malformed or too long; -ENOMEM.
 */
int event_from_json(const json_t *obj, struct event **out);

#endif
