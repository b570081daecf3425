// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "event.h"

static const char *const kind_names[EVENT_KIND_COUNT] = {
	[EVENT_EXPOSURE_OPENED]		= "exposure_opened",
	[EVENT_EXPOSURE_CLOSED]		= "exposure_closed",
	[EVENT_VIOLATION_OPENED]	= "violation_opened",
	[EVENT_VIOLATION_RESOLVED]	= "violation_resolved",
	[EVENT_AUDIT_FAILED]		= "audit_failed",
	[EVENT_AUDIT_RECOVERED]		= "audit_recovered",
	[EVENT_STATE_AT_START]		= "state_at_start",
	[EVENT_EXPOSURE_CHANGED]	= "exposure_changed",
	[EVENT_VIOLATION_CHANGED]	= "violation_changed",
};

static const char *const severity_names[EVENT_SEV_COUNT] = {
	[EVENT_SEV_INFO]	= "info",
	[EVENT_SEV_WARNING]	= "warning",
	[EVENT_SEV_CRITICAL]	= "critical",
};

static const char *const field_names[EVENT_F_COUNT] = {
	[EVENT_F_FAMILY]	= "family",
	[EVENT_F_PROTOCOL]	= "protocol",
	[EVENT_F_PORTS]		= "ports",
	[EVENT_F_ADDRESS]	= "address",
	[EVENT_F_SOURCES]	= "sources",
	[EVENT_F_INTERFACES]	= "interfaces",
	[EVENT_F_PATH]		= "path",
	[EVENT_F_BACKEND]	= "backend",
	[EVENT_F_LISTENER]	= "listener",
	[EVENT_F_STATE]		= "state",
	[EVENT_F_CERTAINTY]	= "certainty",
	[EVENT_F_RULE]		= "rule",
	[EVENT_F_FIX]		= "fix",
	[EVENT_F_OPEN_PORTS]	= "open_ports",
};

const char *event_kind_name(enum event_kind kind)
{
	return (unsigned int)kind < EVENT_KIND_COUNT ? kind_names[kind] : NULL;
}

const char *event_severity_name(enum event_severity sev)
{
	return (unsigned int)sev < EVENT_SEV_COUNT ? severity_names[sev] : NULL;
}

const char *event_field_name(enum event_field f)
{
	return (unsigned int)f < EVENT_F_COUNT ? field_names[f] : NULL;
}

int event_kind_from_name(const char *name, enum event_kind *out)
{
	unsigned int i;

	for (i = 0; name && i < EVENT_KIND_COUNT; i++) {
		if (strcmp(name, kind_names[i]) == 0) {
			*out = (enum event_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

int event_severity_from_name(const char *name, enum event_severity *out)
{
	unsigned int i;

	for (i = 0; name && i < EVENT_SEV_COUNT; i++) {
		if (strcmp(name, severity_names[i]) == 0) {
			*out = (enum event_severity)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool event_kind_is_closing(enum event_kind kind)
{
	return kind == EVENT_EXPOSURE_CLOSED ||
	       kind == EVENT_VIOLATION_RESOLVED ||
	       kind == EVENT_AUDIT_RECOVERED;
}

static int random_id(char id[EVENT_ID_LEN + 1])
{
	uint8_t raw[EVENT_ID_LEN / 2];
	size_t got = 0;
	ssize_t n;
	unsigned int i, tries = 0;

	/* getrandom() of 16 bytes does not block once the pool is ready and
	 * is not interrupted for <= 256 bytes; the loop is for safety. */
	while (got < sizeof(raw)) {
		n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR && ++tries < 16)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	for (i = 0; i < sizeof(raw); i++)
		snprintf(id + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

static bool id_valid(const char *id)
{
	size_t i;

	for (i = 0; i < EVENT_ID_LEN; i++) {
		if (!((id[i] >= '0' && id[i] <= '9') ||
		      (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	}
	return id[EVENT_ID_LEN] == '\0';
}

static bool text_ok(const char *s)
{
	return s && strnlen(s, EVENT_FIELD_MAX + 1) <= EVENT_FIELD_MAX;
}

int event_new(enum event_kind kind, enum event_severity severity,
	      const char *message, struct event **out)
{
	struct event *ev;
	struct timespec ts;
	int ret;

	if ((unsigned int)kind >= EVENT_KIND_COUNT ||
	    (unsigned int)severity >= EVENT_SEV_COUNT || !text_ok(message))
		return -EINVAL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	ret = random_id(ev->id);
	if (ret < 0)
		goto out;
	ev->message = strdup(message);
	if (!ev->message) {
		ret = -ENOMEM;
		goto out;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ev->time_usec = (uint64_t)ts.tv_sec * 1000000u +
			(uint64_t)ts.tv_nsec / 1000u;
	ev->kind = kind;
	ev->severity = severity;
	*out = ev;
	ev = NULL;
	ret = 0;
out:
	event_free(ev);
	return ret;
}

void event_free(struct event *ev)
{
	unsigned int i;

	if (!ev)
		return;
	for (i = 0; i < EVENT_F_COUNT; i++)
		free(ev->field[i]);
	free(ev->message);
	free(ev);
}

int event_set_field(struct event *ev, enum event_field f, const char *value)
{
	char *copy = NULL;

	if ((unsigned int)f >= EVENT_F_COUNT)
		return -EINVAL;
	if (value && *value) {
		if (!text_ok(value))
			return -EINVAL;
		copy = strdup(value);
		if (!copy)
			return -ENOMEM;
	}
	free(ev->field[f]);
	ev->field[f] = copy;
	return 0;
}

int event_set_fieldf(struct event *ev, enum event_field f, const char *fmt, ...)
{
	char buf[EVENT_FIELD_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || n > EVENT_FIELD_MAX)
		return -EINVAL;
	return event_set_field(ev, f, buf);
}

const char *event_get_field(const struct event *ev, enum event_field f)
{
	return (unsigned int)f < EVENT_F_COUNT ? ev->field[f] : NULL;
}

static int time_rfc3339(uint64_t usec, char *buf, size_t size)
{
	time_t t = (time_t)(usec / 1000000u);
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return -EINVAL;
	if (snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec,
		     (unsigned int)(usec % 1000000u)) >= (int)size)
		return -EINVAL;
	return 0;
}

int event_to_json(const struct event *ev, json_t **out)
{
	char when[64];
	json_t *o;
	unsigned int i;
	int ret = -ENOMEM;

	if (time_rfc3339(ev->time_usec, when, sizeof(when)) < 0)
		return -EINVAL;
	o = json_object();
	if (!o)
		return -ENOMEM;
	if (json_object_set_new(o, "version", json_integer(1)) ||
	    json_object_set_new(o, "id", json_string(ev->id)) ||
	    json_object_set_new(o, "kind",
				json_string(event_kind_name(ev->kind))) ||
	    json_object_set_new(o, "time", json_string(when)) ||
	    json_object_set_new(o, "time_usec",
				json_integer((json_int_t)ev->time_usec)) ||
	    json_object_set_new(o, "severity",
				json_string(event_severity_name(ev->severity))) ||
	    json_object_set_new(o, "message", json_string(ev->message)))
		goto out;
	for (i = 0; i < EVENT_F_COUNT; i++) {
		if (ev->field[i] &&
		    json_object_set_new(o, field_names[i],
					json_string(ev->field[i])))
			goto out;
	}
	*out = o;
	o = NULL;
	ret = 0;
out:
	json_decref(o);
	return ret;
}

static const char *get_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

int event_from_json(const json_t *obj, struct event **out)
{
	const char *id, *msg, *s;
	struct event *ev = NULL;
	json_t *t;
	unsigned int i;
	int ret = -EINVAL;

	if (!json_is_object(obj))
		return -EINVAL;
	id = get_str(obj, "id");
	msg = get_str(obj, "message");
	t = json_object_get(obj, "time_usec");
	if (!id || !id_valid(id) || !text_ok(msg) || !json_is_integer(t) ||
	    json_integer_value(t) < 0)
		return -EINVAL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	if (event_kind_from_name(get_str(obj, "kind"), &ev->kind) < 0 ||
	    event_severity_from_name(get_str(obj, "severity"),
				     &ev->severity) < 0)
		goto out;
	memcpy(ev->id, id, EVENT_ID_LEN + 1);
	ev->time_usec = (uint64_t)json_integer_value(t);
	ev->message = strdup(msg);
	if (!ev->message) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < EVENT_F_COUNT; i++) {
		t = json_object_get(obj, field_names[i]);
		if (!t || json_is_null(t))
			continue;
		s = json_string_value(t);
		if (!s)
			goto out;
		ret = event_set_field(ev, (enum event_field)i, s);
		if (ret < 0)
			goto out;
		ret = -EINVAL;
	}
	*out = ev;
	ev = NULL;
	ret = 0;
out:
	event_free(ev);
	return ret;
}
