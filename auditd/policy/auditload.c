// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * auditload.c - a saved audit (JSON version 1) read back into rows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <linux/netfilter.h>

#include <jansson.h>

#include "auditload.h"
#include "ipaddr.h"
#include "readfile.h"
#include "region.h"

struct ctx {
	const char *name;
	char *err;
	size_t errlen;
	size_t row;		/* the exposure being read */
};

static int bad(struct ctx *c, const char *member, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "NAME: exposures[ROW].MEMBER: what" into the error buffer; -EINVAL */
static int bad(struct ctx *c, const char *member, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (member)
		snprintf(c->err, c->errlen, "%s: exposures[%zu].%s: %s",
			 c->name, c->row, member, what);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->name, what);
	return -EINVAL;
}

static int get_string(struct ctx *c, json_t *o, const char *key,
		      bool nullable, const char **out)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return bad(c, key, "missing");
	if (nullable && json_is_null(v)) {
		*out = NULL;
		return 0;
	}
	if (!json_is_string(v))
		return bad(c, key, "not a string");
	*out = json_string_value(v);
	return 0;
}

/* one of names[0..n): its index */
static int get_enum(struct ctx *c, json_t *o, const char *key,
		    const char *const *names, size_t n, size_t *out)
{
	const char *s;
	size_t i;
	int ret = get_string(c, o, key, false, &s);

	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return bad(c, key, "unknown value \"%.64s\"", s);
}

static int get_int(struct ctx *c, json_t *v, const char *key, long long lo,
		   long long hi, long long *out)
{
	if (!json_is_integer(v))
		return bad(c, key, "not an integer");
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return bad(c, key, "%lld is out of range", json_integer_value(v));
	*out = json_integer_value(v);
	return 0;
}

/* [first, last]: 0 <= first <= last <= 65535 */
static int get_range(struct ctx *c, json_t *o, const char *key,
		     uint16_t *lo, uint16_t *hi)
{
	json_t *v = json_object_get(o, key);
	long long a, b;

	if (!v)
		return bad(c, key, "missing");
	if (!json_is_array(v) || json_array_size(v) != 2)
		return bad(c, key, "not [first, last]");
	if (get_int(c, json_array_get(v, 0), key, 0, 65535, &a) < 0 ||
	    get_int(c, json_array_get(v, 1), key, 0, 65535, &b) < 0)
		return -EINVAL;
	if (a > b)
		return bad(c, key, "first %lld beyond last %lld", a, b);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

static void free_list(char **l, size_t n)
{
	size_t i;

	for (i = 0; l && i < n; i++)
		free(l[i]);
	free(l);
}

/* An array of strings, each checked by ok (NULL: any) */
static int get_list(struct ctx *c, json_t *o, const char *key,
		    uint8_t prefix_family, char ***out, size_t *n)
{
	json_t *v = json_object_get(o, key), *e;
	struct rs_interval iv;
	char **l;
	size_t i;

	if (!v)
		return bad(c, key, "missing");
	if (!json_is_array(v))
		return bad(c, key, "not an array");
	if (json_array_size(v) > AUDITLOAD_MAX_LIST) {
		bad(c, key, "more than %u items", AUDITLOAD_MAX_LIST);
		return -E2BIG;
	}
	l = calloc(json_array_size(v) + 1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	json_array_foreach(v, i, e) {
		if (!json_is_string(e)) {
			free_list(l, i);
			return bad(c, key, "item %zu is not a string", i);
		}
		if (prefix_family &&
		    region_prefix_parse(prefix_family, json_string_value(e),
					&iv) < 0) {
			free_list(l, i);
			return bad(c, key, "\"%.64s\" is not an %s prefix",
				   json_string_value(e),
				   prefix_family == NFPROTO_IPV6 ? "IPv6" :
				   "IPv4");
		}
		l[i] = strdup(json_string_value(e));
		if (!l[i]) {
			free_list(l, i);
			return -ENOMEM;
		}
	}
	*out = l;
	*n = json_array_size(v);
	return 0;
}

/* The prefixes of key as the row's source intervals, sorted and merged:
 * what report_build() would have made of them. */
static int get_sources(struct ctx *c, json_t *o, const char *key,
		       uint8_t family, struct rs_interval **out, size_t *n)
{
	struct rs_interval *iv;
	char **l = NULL;
	size_t nl = 0, i;
	int ret;

	ret = get_list(c, o, key, family, &l, &nl);
	if (ret < 0)
		return ret;
	iv = calloc(nl + 1, sizeof(*iv));
	if (!iv) {
		free_list(l, nl);
		return -ENOMEM;
	}
	/* (get_list() checked that each parses) */
	for (i = 0; i < nl; i++)
		region_prefix_parse(family, l[i], &iv[i]);
	free_list(l, nl);
	*out = iv;
	*n = region_ivs_merge(iv, nl);
	return 0;
}

/* A row's "address": "*" (every address, no intervals) or prefixes of
 * its family joined by ",", as sorted, merged intervals. */
static int get_addrs(struct ctx *c, const char *s, struct report_row *r)
{
	struct rs_interval *iv;
	char *copy, *tok, *save = NULL;
	size_t n = 0;

	if (!strcmp(s, "*"))
		return 0;
	copy = strdup(s);
	iv = calloc(strlen(s) / 2 + 2, sizeof(*iv));
	if (!copy || !iv) {
		free(copy);
		free(iv);
		return -ENOMEM;
	}
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (region_prefix_parse(r->family, tok, &iv[n]) < 0) {
			free(copy);
			free(iv);
			return bad(c, "address", "\"%.64s\" is not an %s "
				   "prefix", s, r->family == NFPROTO_IPV6 ?
				   "IPv6" : "IPv4");
		}
		n++;
	}
	free(copy);
	if (!n) {
		free(iv);
		return bad(c, "address", "empty");
	}
	r->addrs = iv;
	r->naddrs = region_ivs_merge(iv, n);
	return 0;
}

static int dup_opt(const char *s, char **out)
{
	*out = NULL;
	if (s && !(*out = strdup(s)))
		return -ENOMEM;
	return 0;
}

/* "source_ports": [[lo, hi], ...], only in rows limited to some */
static int read_sports(struct ctx *c, json_t *e, struct report_row *r)
{
	json_t *v = json_object_get(e, "source_ports"), *x;
	long long lo, hi;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v))
		return bad(c, "source_ports", "not an array");
	if (json_array_size(v) > AUDITLOAD_MAX_LIST) {
		bad(c, "source_ports", "more than %u items", AUDITLOAD_MAX_LIST);
		return -E2BIG;
	}
	if (!json_array_size(v))
		return 0;
	r->sports = calloc(json_array_size(v), sizeof(*r->sports));
	if (!r->sports)
		return -ENOMEM;
	json_array_foreach(v, i, x) {
		if (!json_is_array(x) || json_array_size(x) != 2)
			return bad(c, "source_ports", "item %zu is not [first, "
				   "last]", i);
		if (get_int(c, json_array_get(x, 0), "source_ports", 0, 65535,
			    &lo) < 0 ||
		    get_int(c, json_array_get(x, 1), "source_ports", lo, 65535,
			    &hi) < 0)
			return -EINVAL;
		r->sports[i].lo = (rs_u128)lo;
		r->sports[i].hi = (rs_u128)hi;
		r->nsports = i + 1;
	}
	return 0;
}

static int read_backend(struct ctx *c, json_t *e, struct report_row *r)
{
	json_t *b = json_object_get(e, "backend");
	const char *addr, *cont = NULL, *img = NULL;
	int ret;

	if (!b)
		return bad(c, "backend", "missing");
	if (json_is_null(b))
		return 0;
	if (!json_is_object(b))
		return bad(c, "backend", "neither an object nor null");
	ret = get_string(c, b, "address", true, &addr);
	if (!ret)
		ret = get_range(c, b, "ports", &r->backend_port_lo,
				&r->backend_port_hi);
	if (ret < 0)
		return ret;
	/* container and image are there only when known */
	if (json_object_get(b, "container") &&
	    get_string(c, b, "container", true, &cont) < 0)
		return -EINVAL;
	if (json_object_get(b, "image") &&
	    get_string(c, b, "image", true, &img) < 0)
		return -EINVAL;
	/* the runtime too, since runtimes other than Docker are named; an
	 * unknown one is read as no runtime */
	r->runtime = docker_runtime_name((unsigned int)docker_runtime_parse(
		json_string_value(json_object_get(b, "runtime"))));
	r->has_backend = true;
	if (addr) {
		if (ipaddr_parse(r->family, addr, &r->backend_address) < 0)
			return bad(c, "backend.address",
				   "\"%.64s\" is not an %s address", addr,
				   r->family == NFPROTO_IPV6 ? "IPv6" : "IPv4");
		r->has_backend_address = true;
	}
	if (dup_opt(cont, &r->container) < 0 || dup_opt(img, &r->image) < 0)
		return -ENOMEM;
	return 0;
}

static int read_listener(struct ctx *c, json_t *e, struct report_row *r,
			 struct host_listener *l)
{
	json_t *o = json_object_get(e, "listener"), *pid;
	const char *addr, *comm;
	struct rs_interval iv;
	long long port, p = 0;

	if (!o)
		return bad(c, "listener", "missing");
	if (json_is_null(o))
		return 0;
	if (!json_is_object(o))
		return bad(c, "listener", "neither an object nor null");
	if (get_string(c, o, "address", false, &addr) < 0)
		return -EINVAL;
	l->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	/* a prefix parser that knows no host: one address is its own
	 * interval */
	if (region_prefix_parse(l->family == AF_INET6 ? NFPROTO_IPV6 :
				NFPROTO_IPV4, addr, &iv) < 0 ||
	    iv.lo != iv.hi || strchr(addr, '/'))
		return bad(c, "listener.address", "\"%.64s\" is not an address",
			   addr);
	l->addr = iv.lo;
	if (!json_object_get(o, "port"))
		return bad(c, "listener.port", "missing");
	if (get_int(c, json_object_get(o, "port"), "listener.port", 0, 65535,
		    &port) < 0)
		return -EINVAL;
	if (json_object_get(o, "process") &&
	    get_string(c, o, "process", true, &comm) < 0)
		return -EINVAL;
	else if (!json_object_get(o, "process"))
		comm = NULL;
	pid = json_object_get(o, "pid");
	if (pid && !json_is_null(pid) &&
	    get_int(c, pid, "listener.pid", 1, 0x7fffffff, &p) < 0)
		return -EINVAL;
	l->protocol = r->proto;
	l->port = (uint16_t)port;
	l->pid = (pid_t)p;
	if (dup_opt(comm, &l->comm) < 0)
		return -ENOMEM;
	r->listener = l;
	return 0;
}

static int read_row(struct ctx *c, json_t *e, struct report_row *r,
		    struct host_listener *l)
{
	static const char *const families[] = { "ipv4", "ipv6" };
	static const char *const protos[] = { "tcp", "udp", "sctp" };
	static const uint8_t proto_nums[] = {
		IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP,
	};
	static const char *const paths[] = { "local", "forward" };
	static const char *const states[] = { "exposed", "open" };
	static const char *const certainties[] = { "definite", "possible" };
	const char *addr;
	size_t k = 0;
	int ret;

	if (!json_is_object(e)) {
		snprintf(c->err, c->errlen, "%s: exposures[%zu]: not an object",
			 c->name, c->row);
		return -EINVAL;
	}
	if ((ret = get_enum(c, e, "family", families, 2, &k)) < 0)
		return ret;
	r->family = k ? NFPROTO_IPV6 : NFPROTO_IPV4;
	if ((ret = get_enum(c, e, "protocol", protos, 3, &k)) < 0)
		return ret;
	r->proto = proto_nums[k];
	if ((ret = get_range(c, e, "ports", &r->port_lo, &r->port_hi)) < 0)
		return ret;
	if ((ret = get_string(c, e, "address", false, &addr)) < 0)
		return ret;
	if ((ret = get_addrs(c, addr, r)) < 0)
		return ret;
	ret = get_sources(c, e, "sources", r->family, &r->sources,
			  &r->nsources);
	if (!ret)
		ret = get_list(c, e, "interfaces", 0, &r->ifaces, &r->nifaces);
	if (!ret)
		ret = get_enum(c, e, "path", paths, 2, &k);
	if (ret < 0)
		return ret;
	r->path = k ? ENGINE_FORWARDED : ENGINE_LOCAL;
	/* "route": "direct", added in version 1 (absent: not direct) */
	{
		json_t *rt = json_object_get(e, "route");

		if (rt && (!json_is_string(rt) ||
			   strcmp(json_string_value(rt), "direct")))
			return bad(c, "route", "not \"direct\"");
		r->direct = rt != NULL;
	}
	if ((ret = get_enum(c, e, "state", states, 2, &k)) < 0)
		return ret;
	r->state = k ? ENGINE_OPEN : ENGINE_EXPOSED;
	if ((ret = get_enum(c, e, "certainty", certainties, 2, &k)) < 0)
		return ret;
	r->possible = k;
	ret = get_list(c, e, "unknown", 0, &r->unknown, &r->nunknown);
	if (!ret)
		ret = read_sports(c, e, r);
	if (!ret)
		ret = read_backend(c, e, r);
	if (!ret)
		ret = read_listener(c, e, r, l);
	return ret;
}

bool auditload_is_json(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
		    buf[i] == '\r')
			continue;
		return buf[i] == '{';
	}
	return false;
}

int auditload_parse(const char *buf, size_t len, const char *name,
		    struct auditload **out, char *err, size_t errlen)
{
	struct ctx c = { name, err, errlen, 0 };
	struct auditload *a = NULL;
	json_t *root, *ver, *ex, *e;
	json_error_t je;
	size_t i;
	int ret;

	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(err, errlen, "%s:%d:%d: not valid JSON: %s", name,
			 je.line, je.column, je.text);
		return -EBADMSG;
	}
	if (!json_is_object(root)) {
		ret = bad(&c, NULL, "not a saved audit (the document is not "
			  "an object)");
		goto out;
	}
	ver = json_object_get(root, "version");
	if (!ver || !json_is_integer(ver)) {
		ret = bad(&c, NULL, "not a saved audit of `fwaudit audit "
			  "--format json` (no \"version\")");
		goto out;
	}
	if (json_integer_value(ver) != 1) {
		ret = bad(&c, NULL, "version %lld of the audit JSON is not "
			  "supported (only version 1)",
			  (long long)json_integer_value(ver));
		goto out;
	}
	ex = json_object_get(root, "exposures");
	if (!ex || !json_is_array(ex)) {
		ret = bad(&c, NULL, "\"exposures\" is %s",
			  ex ? "not an array" : "missing");
		goto out;
	}
	if (json_array_size(ex) > AUDITLOAD_MAX_ROWS) {
		bad(&c, NULL, "more than %u exposures", AUDITLOAD_MAX_ROWS);
		ret = -E2BIG;
		goto out;
	}
	ret = -ENOMEM;
	a = calloc(1, sizeof(*a));
	if (!a)
		goto out;
	a->rows = calloc(json_array_size(ex) + 1, sizeof(*a->rows));
	a->listeners = calloc(json_array_size(ex) + 1, sizeof(*a->listeners));
	if (!a->rows || !a->listeners)
		goto out;
	json_array_foreach(ex, i, e) {
		c.row = i;
		/* counted first: auditload_free() releases what a failed
		 * row holds */
		a->nrows = i + 1;
		ret = read_row(&c, e, &a->rows[i], &a->listeners[i]);
		if (ret < 0)
			goto out;
	}
	ret = 0;
	*out = a;
	a = NULL;
out:
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
	auditload_free(a);
	json_decref(root);
	return ret;
}

int auditload_read(const char *path, struct auditload **out, char *err,
		   size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	ret = readfile_path(path, AUDITLOAD_MAX_BYTES, &buf, &len);
	if (ret == -EFBIG) {
		snprintf(err, errlen, "%s: larger than %u bytes", path,
			 AUDITLOAD_MAX_BYTES);
		return -E2BIG;
	}
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = auditload_parse(buf, len, path, out, err, errlen);
	free(buf);
	return ret;
}

void auditload_free(struct auditload *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nrows; i++) {
		struct report_row *r = &a->rows[i];

		free(r->addrs);
		free(r->sources);
		free(r->sports);
		free_list(r->ifaces, r->nifaces);
		free(r->container);
		free(r->image);
		free_list(r->unknown, r->nunknown);
		free(a->listeners[i].comm);
	}
	free(a->rows);
	free(a->listeners);
	free(a);
}
