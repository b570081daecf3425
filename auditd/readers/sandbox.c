// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sandbox.c - the namespaces of macvlan and ipvlan containers, from the
 * Docker API (GET /networks, /containers/json, /containers/ID/json).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "docker.h"
#include "sandbox.h"

/* The drivers whose containers take packets past the host's netfilter:
 * their links hang off a host link, in the container's namespace. */
static bool bypass_driver(const char *d)
{
	return d && (!strcmp(d, "macvlan") || !strcmp(d, "ipvlan"));
}

/* The driver of network id in the /networks answer nets, or NULL. */
static const char *net_driver(json_t *nets, const char *id)
{
	const char *nid;
	json_t *n;
	size_t i;

	json_array_foreach(nets, i, n) {
		nid = json_string_value(json_object_get(n, "Id"));
		if (nid && id && !strcmp(nid, id))
			return json_string_value(json_object_get(n, "Driver"));
	}
	return NULL;
}

void sandbox_clear(struct sandbox *s)
{
	free(s->name);
	free(s->image);
	free(s->key);
	memset(s, 0, sizeof(*s));
}

static int parse_into(json_t *root, json_t *nets, struct sandbox *out)
{
	struct sandbox s = { .runtime = DOCKER_RT_DOCKER };
	const char *name, *image, *key, *driver, *first = NULL;
	json_t *settings, *networks, *net, *state;
	json_int_t pid;
	const char *k;

	name = json_string_value(json_object_get(root, "Name"));
	if (!name)
		return -EBADMSG;
	state = json_object_get(root, "State");
	if (!json_is_true(json_object_get(state, "Running")))
		return 0;
	pid = json_integer_value(json_object_get(state, "Pid"));
	settings = json_object_get(root, "NetworkSettings");
	networks = json_object_get(settings, "Networks");
	json_object_foreach(networks, k, net) {
		driver = net_driver(nets, json_string_value(
				json_object_get(net, "NetworkID")));
		if (!bypass_driver(driver))
			continue;
		if (!s.nbypass++)
			first = driver;
	}
	if (!s.nbypass)
		return 0;
	snprintf(s.driver, sizeof(s.driver), "%s", first);
	image = json_string_value(json_object_get(json_object_get(root,
						"Config"), "Image"));
	key = json_string_value(json_object_get(settings, "SandboxKey"));
	s.pid = pid > 0 && pid < (1 << 30) ? (pid_t)pid : 0;
	s.name = strdup(name[0] == '/' ? name + 1 : name);
	s.image = strdup(image ? image : "");
	s.key = key && key[0] == '/' ? strdup(key) : NULL;
	if (!s.name || !s.image || (key && key[0] == '/' && !s.key)) {
		sandbox_clear(&s);
		return -ENOMEM;
	}
	*out = s;
	return 1;
}

int sandbox_parse(const char *json, size_t len, const char *nets,
		  size_t nlen, struct sandbox *out)
{
	json_t *root = json_loadb(json, len, 0, NULL);
	json_t *nl = json_loadb(nets, nlen, 0, NULL);
	int ret = -EBADMSG;

	if (json_is_object(root) && json_is_array(nl))
		ret = parse_into(root, nl, out);
	json_decref(root);
	json_decref(nl);
	return ret;
}

/* Whether the /networks answer names a macvlan or ipvlan network. */
static bool any_bypass(const char *nets, size_t nlen)
{
	json_t *root = json_loadb(nets, nlen, 0, NULL), *n;
	bool found = false;
	size_t i;

	json_array_foreach(root, i, n)
		found |= bypass_driver(json_string_value(
				json_object_get(n, "Driver")));
	json_decref(root);
	return found;
}

static int add(struct sandbox_list *l, struct sandbox *s)
{
	struct sandbox *ns;

	if (l->n >= SANDBOX_MAX)
		return -E2BIG;
	ns = realloc(l->s, (l->n + 1) * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	l->s = ns;
	l->s[l->n++] = *s;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct sandbox *)a)->name,
		      ((const struct sandbox *)b)->name);
}

int sandbox_read(const char *path, struct sandbox_list *out)
{
	struct sandbox_list l = { 0, NULL };
	char *nets = NULL, *list = NULL, *one = NULL, p[128];
	size_t nlen = 0, llen = 0, olen, i;
	struct sandbox s;
	json_t *root = NULL, *c;
	const char *id;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = docker_unix_get(path, "/networks", &nets, &nlen);
	/* no macvlan or ipvlan network: nothing to ask for each container */
	if (ret < 0 || !any_bypass(nets, nlen))
		goto out;
	ret = docker_unix_get(path, "/containers/json", &list, &llen);
	if (ret < 0)
		goto out;
	root = json_loadb(list, llen, 0, NULL);
	if (!json_is_array(root)) {
		ret = -EBADMSG;
		goto out;
	}
	json_array_foreach(root, i, c) {
		id = json_string_value(json_object_get(c, "Id"));
		if (!id || !id[0] || strlen(id) > 64 ||
		    strspn(id, "0123456789abcdef") != strlen(id))
			continue;
		snprintf(p, sizeof(p), "/containers/%s/json", id);
		free(one);
		one = NULL;
		/* a container gone meanwhile is skipped */
		if (docker_unix_get(path, p, &one, &olen) < 0)
			continue;
		ret = sandbox_parse(one, olen, nets, nlen, &s);
		if (ret == 1) {
			ret = add(&l, &s);
			if (ret < 0)
				sandbox_clear(&s);
		}
		if (ret == -ENOMEM || ret == -E2BIG)
			goto out;
		ret = 0;
	}
	/* the order of the rows and notes: by name, not by the API's */
	if (l.n)
		qsort(l.s, l.n, sizeof(*l.s), by_name);
out:
	json_decref(root);
	free(nets);
	free(list);
	free(one);
	if (ret < 0 && ret != -ENOENT && ret != -ECONNREFUSED &&
	    ret != -ETIMEDOUT) {
		sandbox_release(&l);
		return ret;
	}
	*out = l;
	return ret;
}

void sandbox_release(struct sandbox_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		sandbox_clear(&l->s[i]);
	free(l->s);
	memset(l, 0, sizeof(*l));
}
