// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cni.c - backends on CNI networks named from nerdctl's and libcni's files.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <jansson.h>

#include "cni.h"
#include "fileread.h"
#include "host.h"

/* a metadata file or cache entry larger than this is not one */
#define CNI_FILE_MAX	(1u << 20)
#define CNI_NAME_MAX	256

/* "10.4.0.2/24" -> family and address; 0 or -EINVAL */
static int cidr(const char *s, int *af, rs_u128 *addr)
{
	char buf[64];
	const char *slash = s ? strchr(s, '/') : NULL;
	size_t n = slash ? (size_t)(slash - s) : (s ? strlen(s) : 0);

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*af = strchr(buf, ':') ? AF_INET6 : AF_INET;
	return host_addr_parse(*af, buf, addr);
}

/* The "ips" of a CNI result (spec 0.3.0 and later) named name. */
static int add_ips(struct docker_map *m, uint8_t rt, json_t *result,
		   const char *name)
{
	rs_u128 addr;
	json_t *ip;
	size_t i;
	int af, ret;

	json_array_foreach(json_object_get(result, "ips"), i, ip) {
		if (cidr(json_string_value(json_object_get(ip, "address")),
			 &af, &addr) < 0)
			continue;
		ret = docker_add(m, rt, (uint8_t)af, addr, name, "");
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* name, else the ID's first 12 characters (as docker ps shows an ID) */
static void short_name(char *buf, size_t size, const char *name,
		       const char *id)
{
	if (name && *name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%.12s", id);
}

int cni_parse_nerdctl(const char *json, size_t len, struct docker_map *m)
{
	const char *id, *key;
	char name[CNI_NAME_MAX];
	json_t *root, *net;
	int ret = 0;

	root = json_loadb(json, len, 0, NULL);
	id = json_string_value(json_object_get(root, "ID"));
	if (!json_is_object(root) || !id || !*id) {
		json_decref(root);
		return -EBADMSG;
	}
	short_name(name, sizeof(name),
		   json_string_value(json_object_get(root, "Name")), id);
	json_object_foreach(json_object_get(root, "Networks"), key, net) {
		ret = add_ips(m, DOCKER_RT_NERDCTL, net, name);
		if (ret < 0)
			break;
	}
	json_decref(root);
	return ret;
}

int cni_parse_cache(const char *json, size_t len, struct docker_map *m)
{
	const char *id, *kind, *k, *v, *ns = NULL, *pod = NULL;
	char name[CNI_NAME_MAX];
	json_t *root, *arg;
	size_t i;
	int ret;

	root = json_loadb(json, len, 0, NULL);
	kind = json_string_value(json_object_get(root, "kind"));
	id = json_string_value(json_object_get(root, "containerId"));
	if (!kind || strcmp(kind, "cniCacheV1") || !id || !*id) {
		json_decref(root);
		return -EBADMSG;
	}
	json_array_foreach(json_object_get(root, "cniArgs"), i, arg) {
		k = json_string_value(json_array_get(arg, 0));
		v = json_string_value(json_array_get(arg, 1));
		if (!k || !v)
			continue;
		if (!strcmp(k, "K8S_POD_NAMESPACE"))
			ns = v;
		else if (!strcmp(k, "K8S_POD_NAME"))
			pod = v;
	}
	if (pod && ns)
		snprintf(name, sizeof(name), "%s/%s", ns, pod);
	else
		short_name(name, sizeof(name), pod, id);
	ret = add_ips(m, DOCKER_RT_CNI, json_object_get(root, "result"), name);
	json_decref(root);
	return ret;
}

/* One go-cni PortMapping of "nerdctl/ports" named name. */
static int add_mapping(struct docker_map *m, json_t *e, const char *name)
{
	struct docker_port p;
	const char *proto, *ip;
	json_int_t port;

	memset(&p, 0, sizeof(p));
	port = json_integer_value(json_object_get(e, "HostPort"));
	proto = json_string_value(json_object_get(e, "Protocol"));
	ip = json_string_value(json_object_get(e, "HostIP"));
	p.proto = docker_port_proto(proto);
	if (port <= 0 || port > 65535 || !p.proto)
		return 0;
	/* no HostIP (or "0.0.0.0" / "::"): every address of that family */
	if (ip && *ip) {
		p.family = strchr(ip, ':') ? AF_INET6 : AF_INET;
		if (host_addr_parse(p.family, ip, &p.addr) < 0)
			return 0;
	}
	p.port_lo = p.port_hi = (uint16_t)port;
	p.runtime = DOCKER_RT_NERDCTL;
	p.name = (char *)name;
	p.image = (char *)"";
	return docker_add_port(m, &p);
}

int cni_parse_task(const char *json, size_t len, struct docker_map *m)
{
	static const char *const addrs[] = { "nerdctl/ip-address",
					     "nerdctl/ip6-address" };
	const char *name, *ports;
	json_t *root, *ann, *pl, *e;
	rs_u128 addr;
	size_t i;
	int af, ret = 0;

	root = json_loadb(json, len, 0, NULL);
	ann = json_object_get(root, "annotations");
	name = json_string_value(json_object_get(ann, "nerdctl/name"));
	if (!name || !*name || strlen(name) >= CNI_NAME_MAX) {
		json_decref(root);
		return -EBADMSG;
	}
	for (i = 0; !ret && i < 2; i++) {
		const char *a = json_string_value(json_object_get(ann,
								  addrs[i]));

		af = i ? AF_INET6 : AF_INET;
		if (a && *a && !host_addr_parse(af, a, &addr))
			ret = docker_add(m, DOCKER_RT_NERDCTL, (uint8_t)af,
					 addr, name, "");
	}
	ports = json_string_value(json_object_get(ann, "nerdctl/ports"));
	pl = ports ? json_loads(ports, 0, NULL) : NULL;
	json_array_foreach(pl, i, e) {
		if (ret < 0)
			break;
		ret = add_mapping(m, e, name);
	}
	json_decref(pl);
	json_decref(root);
	return ret;
}

typedef int (*cni_file_fn)(const char *json, size_t len,
			   struct docker_map *m);

/* Each entry of dir (no dot files) into path[at..]; calls fn on each
 * depth-0 file, or descends depth more levels; *budget bounds the files
 * read over the whole walk. */
static int walk(char *path, size_t size, const char *tail, unsigned int depth,
		cni_file_fn fn, struct docker_map *m, unsigned int *budget)
{
	size_t at = strlen(path);
	struct dirent *e;
	char *buf;
	size_t len;
	DIR *d;
	int ret = 0;

	d = docker_map_opendir(m, DOCKER_RT_NERDCTL, path);
	if (!d)
		return 0;
	while (!ret && *budget && (e = readdir(d))) {
		if (e->d_name[0] == '.' ||
		    (size_t)snprintf(path + at, size - at, "/%s", e->d_name) >=
		    size - at)
			continue;
		if (depth) {
			ret = walk(path, size, tail, depth - 1, fn, m, budget);
			continue;
		}
		if (tail && strlen(path) + strlen(tail) + 1 < size) {
			strcat(path, "/");
			strcat(path, tail);
		}
		(*budget)--;
		if (file_read_all(path, CNI_FILE_MAX, &buf, &len) < 0)
			continue;
		ret = fn(buf, len, m);
		free(buf);
		/* another runtime's or a half-written file: not ours */
		if (ret == -EBADMSG)
			ret = 0;
	}
	path[at] = '\0';
	closedir(d);
	return ret;
}

/* <DATAROOT>/<ADDRHASH>/etchosts/<NS>/<ID>/meta.json for each ADDRHASH
 * (one per containerd socket nerdctl was pointed at) */
static int walk_nerdctl(char *path, size_t size, struct docker_map *m,
			unsigned int *budget)
{
	size_t at = strlen(path);
	struct dirent *e;
	DIR *d;
	int ret = 0;

	d = docker_map_opendir(m, DOCKER_RT_NERDCTL, path);
	if (!d)
		return 0;
	while (!ret && (e = readdir(d))) {
		if (e->d_name[0] == '.' ||
		    (size_t)snprintf(path + at, size - at, "/%s/etchosts",
				     e->d_name) >= size - at)
			continue;
		ret = walk(path, size, "meta.json", 1, cni_parse_nerdctl, m,
			   budget);
	}
	path[at] = '\0';
	closedir(d);
	return ret;
}

int cni_read(const char *root, struct docker_map *m)
{
	unsigned int budget = CNI_FILES_MAX;
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/var/lib/nerdctl", root);
	ret = walk_nerdctl(path, sizeof(path), m, &budget);
	if (ret < 0)
		return ret;
	/* the running tasks of every containerd namespace */
	budget = CNI_FILES_MAX;
	snprintf(path, sizeof(path),
		 "%s/run/containerd/io.containerd.runtime.v2.task", root);
	ret = walk(path, sizeof(path), "config.json", 1, cni_parse_task, m,
		   &budget);
	if (ret < 0)
		return ret;
	budget = CNI_FILES_MAX;
	snprintf(path, sizeof(path), "%s/var/lib/cni/results", root);
	return walk(path, sizeof(path), NULL, 0, cni_parse_cache, m, &budget);
}
