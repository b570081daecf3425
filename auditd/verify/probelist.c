// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probelist.c - the probe list JSON of `fwaudit probe` and `fwaudit
 * verify`: parse (checked, bounded) and write.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "host.h"
#include "probelist.h"
#include "util.h"

static const char *const result_names[] = {
	[PROBE_UNSENT] = "unsent",
	[PROBE_OPEN] = "open",
	[PROBE_RESET] = "reset",
	[PROBE_CLOSED] = "closed",
	[PROBE_FILTERED] = "filtered",
	[PROBE_SILENT] = "silent",
	[PROBE_UNREACHABLE] = "unreachable",
	[PROBE_ERROR] = "error",
};

const char *probe_result_name(enum probe_result r)
{
	if ((size_t)r >= ARRAY_SIZE(result_names))
		return "?";
	return result_names[r];
}

const char *probe_proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" :
		"?";
}

const char *probe_family_name(uint8_t family)
{
	return family == NFPROTO_IPV4 ? "ipv4" : family == NFPROTO_IPV6 ?
		"ipv6" : "?";
}

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int probelist_add(struct probelist *l, const struct probe *p)
{
	struct probe *n;

	if (l->n >= PROBELIST_MAX)
		return -E2BIG;
	/* grow by doubling; PROBELIST_MAX bounds it */
	if ((l->n & (l->n - 1)) == 0) {
		n = realloc(l->p, (l->n ? l->n * 2 : 16) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->p = n;
	}
	l->p[l->n] = *p;
	l->p[l->n].result = PROBE_UNSENT;
	l->p[l->n].answered = false;
	l->p[l->n].error = 0;
	l->p[l->n].tries = 0;
	l->p[l->n].msec = 0;
	l->n++;
	return 0;
}

void probelist_release(struct probelist *l)
{
	if (!l)
		return;
	free(l->p);
	l->p = NULL;
	l->n = 0;
}

/* An integer member in [lo, hi]. */
static int get_uint(json_t *o, const char *key, long long lo, long long hi,
		    long long *v)
{
	json_t *j = json_object_get(o, key);

	if (!j || !json_is_integer(j))
		return -EINVAL;
	if (json_integer_value(j) < lo || json_integer_value(j) > hi)
		return -EINVAL;
	*v = json_integer_value(j);
	return 0;
}

static int parse_one(json_t *o, size_t i, bool results, struct probe *p,
		     char *err, size_t errlen)
{
	static const char *const base[] = { "family", "protocol", "address",
		"port", "sport" };
	static const char *const res[] = { "result", "answered", "error",
		"tries", "ms", "ttl" };
	const char *key, *s;
	json_t *v;
	long long n;
	size_t k;
	bool known;

	if (!json_is_object(o))
		return fail(err, errlen, -EINVAL, "probes[%zu]: not an object",
			    i);
	json_object_foreach(o, key, v) {
		known = false;
		for (k = 0; k < ARRAY_SIZE(base); k++)
			known |= !strcmp(key, base[k]);
		for (k = 0; results && k < ARRAY_SIZE(res); k++)
			known |= !strcmp(key, res[k]);
		if (!known)
			return fail(err, errlen, -EINVAL, "probes[%zu]: "
				    "unknown member '%.64s'", i, key);
	}
	memset(p, 0, sizeof(*p));
	s = json_string_value(json_object_get(o, "family"));
	if (s && !strcmp(s, "ipv4"))
		p->family = NFPROTO_IPV4;
	else if (s && !strcmp(s, "ipv6"))
		p->family = NFPROTO_IPV6;
	else
		return fail(err, errlen, -EINVAL, "probes[%zu].family: not "
			    "\"ipv4\" or \"ipv6\"", i);
	s = json_string_value(json_object_get(o, "protocol"));
	if (s && !strcmp(s, "tcp"))
		p->proto = IPPROTO_TCP;
	else if (s && !strcmp(s, "udp"))
		p->proto = IPPROTO_UDP;
	else
		return fail(err, errlen, -EINVAL, "probes[%zu].protocol: not "
			    "\"tcp\" or \"udp\"", i);
	s = json_string_value(json_object_get(o, "address"));
	if (!s || host_addr_parse(p->family, s, &p->addr) < 0)
		return fail(err, errlen, -EINVAL, "probes[%zu].address: not "
			    "an %s address", i, probe_family_name(p->family));
	if (get_uint(o, "port", 1, 65535, &n) < 0)
		return fail(err, errlen, -EINVAL, "probes[%zu].port: not an "
			    "integer in 1-65535", i);
	p->port = n;
	if (json_object_get(o, "sport")) {
		if (get_uint(o, "sport", 0, 65535, &n) < 0)
			return fail(err, errlen, -EINVAL, "probes[%zu].sport: "
				    "not an integer in 0-65535", i);
		p->sport = n;
	}
	if (!results)
		return 0;
	s = json_string_value(json_object_get(o, "result"));
	for (k = 0; s && k < ARRAY_SIZE(result_names);
	     k++)
		if (!strcmp(s, result_names[k]))
			break;
	if (!s || k == ARRAY_SIZE(result_names))
		return fail(err, errlen, -EINVAL, "probes[%zu].result: not a "
			    "result", i);
	p->result = k;
	v = json_object_get(o, "answered");
	if (!json_is_boolean(v))
		return fail(err, errlen, -EINVAL, "probes[%zu].answered: not "
			    "a boolean", i);
	p->answered = json_is_true(v);
	if (json_object_get(o, "error")) {
		if (get_uint(o, "error", 0, 4095, &n) < 0)
			return fail(err, errlen, -EINVAL, "probes[%zu].error: "
				    "not an errno", i);
		p->error = n;
	}
	if (get_uint(o, "tries", 0, 100, &n) < 0)
		return fail(err, errlen, -EINVAL, "probes[%zu].tries: not an "
			    "integer in 0-100", i);
	p->tries = n;
	if (get_uint(o, "ms", 0, 86400000, &n) < 0)
		return fail(err, errlen, -EINVAL, "probes[%zu].ms: not an "
			    "integer in 0-86400000", i);
	p->msec = n;
	/* optional: a prober without raw sockets does not know it */
	if (json_object_get(o, "ttl")) {
		if (get_uint(o, "ttl", 0, 255, &n) < 0)
			return fail(err, errlen, -EINVAL, "probes[%zu].ttl: "
				    "not an integer in 0-255", i);
		p->ttl = n;
	}
	return 0;
}

int probelist_parse(const char *buf, size_t len, bool results,
		    struct probelist *out, char *err, size_t errlen)
{
	struct probelist l = { 0 };
	json_error_t jerr;
	json_t *doc, *arr, *v;
	const char *key;
	struct probe p;
	size_t i;
	int ret;

	if (len > PROBELIST_BYTES_MAX)
		return fail(err, errlen, -E2BIG, "the probe list is larger "
			    "than %u bytes", PROBELIST_BYTES_MAX);
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return fail(err, errlen, -EINVAL, "line %d, column %d: %s",
			    jerr.line, jerr.column, jerr.text);
	ret = -EINVAL;
	if (!json_is_object(doc)) {
		fail(err, errlen, ret, "the probe list is not a JSON object");
		goto out;
	}
	json_object_foreach(doc, key, v) {
		if (strcmp(key, "version") && strcmp(key, "probes")) {
			fail(err, errlen, ret, "unknown member '%.64s'", key);
			goto out;
		}
	}
	v = json_object_get(doc, "version");
	if (!json_is_integer(v) || json_integer_value(v) != PROBELIST_VERSION) {
		fail(err, errlen, ret, "version: not %d", PROBELIST_VERSION);
		goto out;
	}
	arr = json_object_get(doc, "probes");
	if (!json_is_array(arr)) {
		fail(err, errlen, ret, "probes: not an array");
		goto out;
	}
	if (json_array_size(arr) > PROBELIST_MAX) {
		ret = fail(err, errlen, -E2BIG, "probes: more than %d",
			   PROBELIST_MAX);
		goto out;
	}
	json_array_foreach(arr, i, v) {
		ret = parse_one(v, i, results, &p, err, errlen);
		if (ret < 0)
			goto out;
		ret = probelist_add(&l, &p);
		if (ret < 0) {
			fail(err, errlen, ret, "probes: %s", strerror(-ret));
			goto out;
		}
		l.p[l.n - 1].result = p.result;
		l.p[l.n - 1].answered = p.answered;
		l.p[l.n - 1].error = p.error;
		l.p[l.n - 1].tries = p.tries;
		l.p[l.n - 1].msec = p.msec;
		l.p[l.n - 1].ttl = p.ttl;
	}
	*out = l;
	memset(&l, 0, sizeof(l));
	ret = 0;
out:
	probelist_release(&l);
	json_decref(doc);
	return ret;
}

json_t *probe_json(const struct probe *p, bool results)
{
	char a[INET6_ADDRSTRLEN];
	json_t *o = json_object();
	int bad = !o;

	if (bad)
		return NULL;
	bad |= json_object_set_new(o, "family",
				   json_string(probe_family_name(p->family)));
	bad |= json_object_set_new(o, "protocol",
				   json_string(probe_proto_name(p->proto)));
	bad |= json_object_set_new(o, "address", json_string(
		host_addr_str(p->family, p->addr, a, sizeof(a))));
	bad |= json_object_set_new(o, "port", json_integer(p->port));
	if (p->sport)
		bad |= json_object_set_new(o, "sport", json_integer(p->sport));
	if (results) {
		bad |= json_object_set_new(o, "result", json_string(
			probe_result_name(p->result)));
		bad |= json_object_set_new(o, "answered",
					   json_boolean(p->answered));
		if (p->error)
			bad |= json_object_set_new(o, "error",
						   json_integer(p->error));
		bad |= json_object_set_new(o, "tries", json_integer(p->tries));
		bad |= json_object_set_new(o, "ms", json_integer(p->msec));
		if (p->ttl)
			bad |= json_object_set_new(o, "ttl",
						   json_integer(p->ttl));
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *probelist_json(const struct probelist *l, bool results)
{
	json_t *o = json_object(), *arr = json_array();
	size_t i;

	if (!o || !arr)
		goto fail;
	if (json_object_set_new(o, "version", json_integer(PROBELIST_VERSION)))
		goto fail;
	for (i = 0; i < l->n; i++)
		if (json_array_append_new(arr, probe_json(&l->p[i], results)))
			goto fail;
	if (json_object_set_new(o, "probes", arr))
		goto fail_o;
	return o;
fail:
	json_decref(arr);
fail_o:
	json_decref(o);
	return NULL;
}
