// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sandbox.c - the namespaces of macvlan and ipvlan containers, from the
 * Docker API (GET /networks, /containers/json, /containers/ID/json; Podman
 * answers the same) and from LXD's and Incus's (GET /1.0/instances).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "docker.h"
#include "lxd.h"
#include "sandbox.h"

/* The drivers whose containers take packets past the host's netfilter:
 * their links hang off a host link, in the container's namespace. */
static bool bypass_driver(const char *d)
{
	return d && (!strcmp(d, "macvlan") || !strcmp(d, "ipvlan"));
}

/* The driver of network id in the /networks answer nets, or NULL.
 * Podman 4 puts the network's name where Docker puts its id
 * (NetworkSettings.Networks.*.NetworkID): an id first, then a name. */
static const char *net_driver(json_t *nets, const char *id)
{
	static const char *const keys[] = { "Id", "Name" };
	const char *nid;
	json_t *n;
	size_t i, k;

	for (k = 0; id && k < 2; k++)
		json_array_foreach(nets, i, n) {
			nid = json_string_value(json_object_get(n, keys[k]));
			if (nid && !strcmp(nid, id))
				return json_string_value(json_object_get(n,
								"Driver"));
		}
	return NULL;
}

void sandbox_clear(struct sandbox *s)
{
	free(s->name);
	free(s->image);
	free(s->key);
	free(s->project);
	memset(s, 0, sizeof(*s));
}

static int parse_into(json_t *root, json_t *nets, uint8_t rt,
		      struct sandbox *out)
{
	struct sandbox s = { .runtime = rt };
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

static int parse_rt(const char *json, size_t len, const char *nets,
		    size_t nlen, uint8_t rt, struct sandbox *out)
{
	json_t *root = json_loadb(json, len, 0, NULL);
	json_t *nl = json_loadb(nets, nlen, 0, NULL);
	int ret = -EBADMSG;

	if (json_is_object(root) && json_is_array(nl))
		ret = parse_into(root, nl, rt, out);
	json_decref(root);
	json_decref(nl);
	return ret;
}

int sandbox_parse(const char *json, size_t len, const char *nets,
		  size_t nlen, struct sandbox *out)
{
	return parse_rt(json, len, nets, nlen, DOCKER_RT_DOCKER, out);
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
	const struct sandbox *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	/* one name in two runtimes: in the runtimes' order */
	return c ? c : (int)x->runtime - (int)y->runtime;
}

int sandbox_read(const char *path, uint8_t rt, struct sandbox_list *l)
{
	char *nets = NULL, *list = NULL, *one = NULL, p[128];
	size_t nlen = 0, llen = 0, olen, i;
	struct sandbox s;
	json_t *root = NULL, *c;
	const char *id;
	int ret;

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
		ret = parse_rt(one, olen, nets, nlen, rt, &s);
		if (ret == 1) {
			ret = add(l, &s);
			if (ret < 0)
				sandbox_clear(&s);
		}
		if (ret == -ENOMEM || ret == -E2BIG)
			goto out;
		ret = 0;
	}
out:
	json_decref(root);
	free(nets);
	free(list);
	free(one);
	return ret;
}

/* LXD's nic devices that hang off a host link: nictype macvlan or ipvlan,
 * or a managed network (its name in "network") of type macvlan, from the
 * GET /1.0/networks?recursion=1 answer nets (its "metadata"). */
static const char *lxd_nic_driver(json_t *dev, json_t *nets)
{
	const char *t = json_string_value(json_object_get(dev, "type"));
	const char *nt = json_string_value(json_object_get(dev, "nictype"));
	const char *net = json_string_value(json_object_get(dev, "network"));
	const char *name;
	json_t *n;
	size_t i;

	if (!t || strcmp(t, "nic"))
		return NULL;
	if (nt)
		return bypass_driver(nt) ? nt : NULL;
	json_array_foreach(json_object_get(nets, "metadata"), i, n) {
		name = json_string_value(json_object_get(n, "name"));
		t = json_string_value(json_object_get(n, "type"));
		if (name && net && t && !strcmp(name, net))
			return bypass_driver(t) ? t : NULL;
	}
	return NULL;
}

static bool lxd_name(const char *s);

static int lxd_into(json_t *inst, json_t *nets, uint8_t rt,
		    struct sandbox *out)
{
	struct sandbox s = { .runtime = rt };
	const char *name, *type, *status, *d, *first = NULL, *k, *project;
	json_t *dev;

	name = json_string_value(json_object_get(inst, "name"));
	if (!name || !*name)
		return -EBADMSG;
	type = json_string_value(json_object_get(inst, "type"));
	status = json_string_value(json_object_get(inst, "status"));
	/* a virtual machine has no namespace of this host to read */
	if ((type && strcmp(type, "container")) || !status ||
	    strcmp(status, "Running"))
		return 0;
	json_object_foreach(json_object_get(inst, "expanded_devices"), k,
			    dev) {
		d = lxd_nic_driver(dev, nets);
		if (d && !s.nbypass++)
			first = d;
	}
	if (!s.nbypass)
		return 0;
	snprintf(s.driver, sizeof(s.driver), "%s", first);
	/* with all-projects=true each instance says its project; the same
	 * name may be in several.  One that could not go into a command
	 * unquoted is no instance lxd_pid() asks about either. */
	project = json_string_value(json_object_get(inst, "project"));
	if (project && strcmp(project, "default")) {
		if (!lxd_name(project))
			return 0;
		s.project = strdup(project);
		if (!s.project)
			return -ENOMEM;
	}
	s.name = strdup(name);
	s.image = strdup(lxd_instance_image(inst));
	if (!s.name || !s.image) {
		sandbox_clear(&s);
		return -ENOMEM;
	}
	*out = s;
	return 1;
}

int sandbox_lxd_parse(const char *json, size_t len, const char *nets,
		      size_t nlen, uint8_t rt, struct sandbox *out)
{
	json_t *root = json_loadb(json, len, 0, NULL);
	json_t *nl = nets ? json_loadb(nets, nlen, 0, NULL) : NULL;
	int ret = -EBADMSG;

	if (json_is_object(root))
		ret = lxd_into(root, nl, rt, out);
	json_decref(root);
	json_decref(nl);
	return ret;
}

/* LXD's names of instances and projects: letters, digits, '-', '_', '.'
 * (what goes into a request path unescaped). */
static bool lxd_name(const char *s)
{
	return s && *s && strlen(s) <= 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789-_.") == strlen(s);
}

/* The init PID of instance name of project (GET .../state), or 0. */
static pid_t lxd_pid(const char *sock, const char *name, const char *project)
{
	char p[256], *buf = NULL;
	json_int_t pid = 0;
	json_t *root;
	size_t len;

	if (!lxd_name(name) || (project && !lxd_name(project)) ||
	    (size_t)snprintf(p, sizeof(p), "/1.0/instances/%s/state%s%s",
			     name, project ? "?project=" : "",
			     project ? project : "") >= sizeof(p) ||
	    docker_unix_get(sock, p, &buf, &len) < 0)
		return 0;
	root = json_loadb(buf, len, 0, NULL);
	pid = json_integer_value(json_object_get(json_object_get(root,
						"metadata"), "pid"));
	json_decref(root);
	free(buf);
	return pid > 0 && pid < (1 << 30) ? (pid_t)pid : 0;
}

int sandbox_read_lxd(const char *sock, uint8_t rt, struct sandbox_list *l)
{
	char *nets = NULL, *list = NULL;
	size_t nlen = 0, llen = 0, i;
	json_t *root = NULL, *nl = NULL, *inst;
	struct sandbox s;
	int ret;

	ret = docker_unix_get(sock, "/1.0/instances?recursion=1&all-projects="
			      "true", &list, &llen);
	if (ret < 0)
		goto out;
	/* managed networks (the default project's): their type */
	if (docker_unix_get(sock, "/1.0/networks?recursion=1", &nets,
			    &nlen) == 0)
		nl = json_loadb(nets, nlen, 0, NULL);
	root = json_loadb(list, llen, 0, NULL);
	if (!json_is_array(json_object_get(root, "metadata"))) {
		ret = -EBADMSG;
		goto out;
	}
	json_array_foreach(json_object_get(root, "metadata"), i, inst) {
		ret = json_is_object(inst) ? lxd_into(inst, nl, rt, &s) : 0;
		if (ret == 1) {
			/* its namespace: /proc/PID/ns/net of its init */
			s.pid = lxd_pid(sock, s.name, s.project);
			ret = s.pid ? add(l, &s) : 0;
			if (ret < 0 || !s.pid)
				sandbox_clear(&s);
		}
		if (ret == -ENOMEM || ret == -E2BIG)
			goto out;
		ret = 0;
	}
out:
	json_decref(root);
	json_decref(nl);
	free(nets);
	free(list);
	return ret;
}

void sandbox_sort(struct sandbox_list *l)
{
	/* the order of the rows and notes: by name, not by the APIs' */
	if (l->n)
		qsort(l->s, l->n, sizeof(*l->s), by_name);
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
