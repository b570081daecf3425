// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * docker.c - container names for DNAT backends, from the Docker API.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <jansson.h>

#include "docker.h"
#include "host.h"
#include "util.h"

/* An answer larger than this is not a container list we can use. */
#define DOCKER_ANSWER_MAX	(16u << 20)
#define DOCKER_CONTAINERS_MAX	65536
#define DOCKER_NETWORKS_MAX	1024

const char *docker_socket_path(void)
{
	const char *h = secure_getenv("DOCKER_HOST");

	if (h && !strncmp(h, "unix://", 7) && h[7])
		return h + 7;
	return "/var/run/docker.sock";
}

struct answer {
	char *buf;
	size_t len;
	bool too_big;
};

static size_t collect(char *p, size_t size, size_t n, void *data)
{
	struct answer *a = data;
	size_t len = size * n;
	char *nb;

	if (a->len + len > DOCKER_ANSWER_MAX) {
		a->too_big = true;
		return 0;
	}
	nb = realloc(a->buf, a->len + len + 1);
	if (!nb)
		return 0;
	memcpy(nb + a->len, p, len);
	a->len += len;
	nb[a->len] = '\0';
	a->buf = nb;
	return len;
}

static const char *const runtime_names[DOCKER_RT_N] = {
	[DOCKER_RT_DOCKER] = "docker",
	[DOCKER_RT_PODMAN] = "podman",
	[DOCKER_RT_LXD] = "lxd",
	[DOCKER_RT_INCUS] = "incus",
	[DOCKER_RT_NERDCTL] = "nerdctl",
	[DOCKER_RT_CNI] = "cni",
	[DOCKER_RT_LIBVIRT] = "libvirt",
	[DOCKER_RT_PASTA] = "pasta",
};

const char *docker_runtime_name(unsigned int rt)
{
	return rt < DOCKER_RT_N ? runtime_names[rt] : NULL;
}

int docker_runtime_parse(const char *name)
{
	int i;

	for (i = 0; i < DOCKER_RT_N; i++)
		if (name && !strcmp(name, runtime_names[i]))
			return i;
	return -EINVAL;
}

int docker_add(struct docker_map *m, uint8_t runtime, uint8_t family,
	       rs_u128 addr, const char *name, const char *image)
{
	struct docker_container *c;

	if (docker_find(m, family, addr))
		return 0;
	if (m->n >= DOCKER_CONTAINERS_MAX)
		return -E2BIG;
	c = realloc(m->c, (m->n + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	m->c = c;
	c = &m->c[m->n];
	c->family = family;
	c->addr = addr;
	c->runtime = runtime;
	c->name = strdup(name);
	c->image = strdup(image);
	if (!c->name || !c->image) {
		free(c->name);
		free(c->image);
		return -ENOMEM;
	}
	m->n++;
	return 0;
}

int docker_add_port(struct docker_map *m, const struct docker_port *p)
{
	struct docker_port *n;

	if (m->nports >= DOCKER_CONTAINERS_MAX)
		return -E2BIG;
	n = realloc(m->ports, (m->nports + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	m->ports = n;
	n = &m->ports[m->nports];
	*n = *p;
	n->name = strdup(p->name);
	n->image = strdup(p->image ? p->image : "");
	if (!n->name || !n->image) {
		free(n->name);
		free(n->image);
		return -ENOMEM;
	}
	m->nports++;
	return 0;
}

int docker_map_take(struct docker_map *dst, struct docker_map *src,
		    uint8_t rt)
{
	struct docker_container *c;
	struct docker_port *p;
	size_t i, n = 0;

	if (dst->n + src->n > DOCKER_CONTAINERS_MAX ||
	    dst->nports + src->nports > DOCKER_CONTAINERS_MAX)
		return -E2BIG;
	c = realloc(dst->c, (dst->n + src->n + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	dst->c = c;
	p = realloc(dst->ports, (dst->nports + src->nports + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	dst->ports = p;
	/* an address named by an earlier runtime keeps that name */
	for (i = 0; i < src->n; i++) {
		if (docker_find(dst, src->c[i].family, src->c[i].addr)) {
			free(src->c[i].name);
			free(src->c[i].image);
			continue;
		}
		dst->c[dst->n + n] = src->c[i];
		dst->c[dst->n + n++].runtime = rt;
	}
	dst->n += n;
	for (i = 0; i < src->nports; i++) {
		dst->ports[dst->nports] = src->ports[i];
		dst->ports[dst->nports++].runtime = rt;
	}
	free(src->c);
	free(src->ports);
	memset(src, 0, sizeof(*src));
	return 0;
}

/* The container of id in a /containers/json answer, or NULL. */
static json_t *container_by_id(json_t *list, const char *id)
{
	const char *cid;
	json_t *c;
	size_t i;

	json_array_foreach(list, i, c) {
		cid = json_string_value(json_object_get(c, "Id"));
		if (cid && !strcmp(cid, id))
			return c;
	}
	return NULL;
}

/* "172.17.0.2/16" -> address; 0 or -EINVAL. */
static int cidr_addr(int af, const char *s, rs_u128 *addr)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return host_addr_parse(af, buf, addr);
}

static int add_known(struct docker_map *m, int af, rs_u128 addr,
		     const char *name, const char *image)
{
	return docker_add(m, DOCKER_RT_DOCKER, (uint8_t)af, addr, name, image);
}

uint8_t docker_port_proto(const char *type)
{
	if (!type)
		return 0;
	if (!strcmp(type, "tcp"))
		return IPPROTO_TCP;
	if (!strcmp(type, "udp"))
		return IPPROTO_UDP;
	if (!strcmp(type, "sctp"))
		return IPPROTO_SCTP;
	return 0;
}

/* Ports[] of one /containers/json entry: {"IP", "PublicPort", "Type"};
 * entries without a PublicPort are not published. */
static int add_ports(struct docker_map *m, json_t *ports, const char *name,
		     const char *image)
{
	struct docker_port p;
	const char *ip, *type;
	json_int_t pub;
	json_t *e;
	size_t i;
	int ret;

	json_array_foreach(ports, i, e) {
		memset(&p, 0, sizeof(p));
		pub = json_integer_value(json_object_get(e, "PublicPort"));
		type = json_string_value(json_object_get(e, "Type"));
		ip = json_string_value(json_object_get(e, "IP"));
		p.proto = docker_port_proto(type);
		if (pub <= 0 || pub > 65535 || !p.proto)
			continue;
		/* "0.0.0.0" and "::" are any address of their family; no
		 * IP (Podman) is any address of both */
		if (ip && *ip) {
			p.family = strchr(ip, ':') ? AF_INET6 : AF_INET;
			if (host_addr_parse(p.family, ip, &p.addr) < 0)
				continue;
		}
		p.port_lo = p.port_hi = (uint16_t)pub;
		p.name = (char *)name;
		p.image = (char *)image;
		ret = docker_add_port(m, &p);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int docker_parse(const char *json, size_t len, struct docker_map *out)
{
	struct docker_map m;
	json_t *root, *c, *nets, *net;
	const char *key, *name, *image, *ip;
	rs_u128 addr;
	size_t i;
	int ret = 0;

	memset(&m, 0, sizeof(m));
	root = json_loadb(json, len, 0, NULL);
	if (!root || !json_is_array(root)) {
		json_decref(root);
		return -EBADMSG;
	}
	json_array_foreach(root, i, c) {
		name = json_string_value(json_array_get(json_object_get(c,
						"Names"), 0));
		image = json_string_value(json_object_get(c, "Image"));
		nets = json_object_get(json_object_get(c, "NetworkSettings"),
				       "Networks");
		if (!name || !image)
			continue;
		if (*name == '/')
			name++;
		ret = add_ports(&m, json_object_get(c, "Ports"), name, image);
		if (ret < 0)
			break;
		/* rootless Podman's slirp4netns containers have no address
		 * on the host ("Networks": null): only their ports name them */
		if (!json_is_object(nets))
			continue;
		json_object_foreach(nets, key, net) {
			ip = json_string_value(json_object_get(net, "IPAddress"));
			if (ip && *ip && !host_addr_parse(AF_INET, ip, &addr))
				ret = add_known(&m, AF_INET, addr, name, image);
			ip = json_string_value(json_object_get(net,
							"GlobalIPv6Address"));
			if (!ret && ip && *ip &&
			    !host_addr_parse(AF_INET6, ip, &addr))
				ret = add_known(&m, AF_INET6, addr, name, image);
			if (ret < 0)
				break;
		}
		if (ret < 0)
			break;
	}
	json_decref(root);
	if (ret < 0) {
		docker_release(&m);
		return ret;
	}
	*out = m;
	return 0;
}

int docker_parse_network(const char *json, size_t len, const char *containers,
			 size_t clen, struct docker_map *m)
{
	json_t *root, *list, *eps, *ep, *c;
	const char *id, *name, *image, *ip;
	rs_u128 addr;
	int ret = 0;

	root = json_loadb(json, len, 0, NULL);
	list = json_loadb(containers, clen, 0, NULL);
	eps = json_object_get(root, "Containers");
	if (!root || !json_is_object(root) || !json_is_array(list)) {
		ret = -EBADMSG;
		goto out;
	}
	json_object_foreach(eps, id, ep) {
		c = container_by_id(list, id);
		name = json_string_value(json_object_get(ep, "Name"));
		image = json_string_value(json_object_get(c, "Image"));
		if (!name || !*name || !image)
			continue;
		ip = json_string_value(json_object_get(ep, "IPv4Address"));
		if (ip && *ip && !cidr_addr(AF_INET, ip, &addr))
			ret = add_known(m, AF_INET, addr, name, image);
		ip = json_string_value(json_object_get(ep, "IPv6Address"));
		if (!ret && ip && *ip && !cidr_addr(AF_INET6, ip, &addr))
			ret = add_known(m, AF_INET6, addr, name, image);
		if (ret < 0)
			break;
	}
out:
	json_decref(root);
	json_decref(list);
	return ret;
}

/* GET path into *a (reset first).  0, or -ETIMEDOUT / -ECONNREFUSED /
 * -EBADMSG (anything but a 200 answer we can hold). */
static int docker_get(CURL *curl, const char *path, struct answer *a)
{
	char url[256];
	long status = 0;
	CURLcode rc;

	free(a->buf);
	memset(a, 0, sizeof(*a));
	/* the host part is ignored on a unix socket; the API is versioned
	 * by path, and these answers have not changed shape in years */
	if ((size_t)snprintf(url, sizeof(url), "http://docker%s", path) >=
	    sizeof(url))
		return -EINVAL;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, a);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return -ETIMEDOUT;
	if (rc == CURLE_COULDNT_CONNECT)
		return -ECONNREFUSED;
	if (rc != CURLE_OK || status != 200 || a->too_big)
		return -EBADMSG;
	return 0;
}

/* Endpoints of each network, for containers that are still starting: Docker
 * writes a published port's DNAT rule when the container joins its network,
 * and lists the address under the network at once, under the container
 * only once it runs. */
static int docker_read_networks(CURL *curl, const struct answer *list,
				struct docker_map *m)
{
	struct answer nets = { NULL, 0, false }, one = { NULL, 0, false };
	const char *id, *driver;
	char path[128];
	json_t *root, *n;
	size_t i;
	int ret;

	ret = docker_get(curl, "/networks", &nets);
	if (ret)
		goto out;
	root = json_loadb(nets.buf, nets.len, 0, NULL);
	if (!json_is_array(root)) {
		json_decref(root);
		ret = -EBADMSG;
		goto out;
	}
	json_array_foreach(root, i, n) {
		id = json_string_value(json_object_get(n, "Id"));
		driver = json_string_value(json_object_get(n, "Driver"));
		if (i >= DOCKER_NETWORKS_MAX || !id || !driver ||
		    !strcmp(driver, "host") || !strcmp(driver, "null") ||
		    strspn(id, "0123456789abcdef") != strlen(id))
			continue;
		snprintf(path, sizeof(path), "/networks/%s", id);
		ret = docker_get(curl, path, &one);
		if (!ret)
			ret = docker_parse_network(one.buf, one.len, list->buf,
						   list->len, m);
		if (ret == -ENOMEM)
			break;
		ret = 0;	/* a network removed meanwhile: skip it */
	}
	json_decref(root);
out:
	free(nets.buf);
	free(one.buf);
	return ret;
}

/* A curl handle on the unix socket path, answers into collect(). */
static CURL *unix_handle(const char *path)
{
	CURL *curl = curl_easy_init();

	if (!curl)
		return NULL;
	curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, path);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 1000L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	return curl;
}

int docker_unix_get(const char *sock, const char *path, char **buf,
		    size_t *len)
{
	struct answer a = { NULL, 0, false };
	struct stat st;
	CURL *curl;
	int ret;

	if (stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -ENOENT;
	curl = unix_handle(sock);
	if (!curl)
		return -ENOMEM;
	ret = docker_get(curl, path, &a);
	curl_easy_cleanup(curl);
	if (ret < 0) {
		free(a.buf);
		return ret;
	}
	*buf = a.buf ? a.buf : strdup("");
	*len = a.len;
	return *buf ? 0 : -ENOMEM;
}

int docker_read(const char *path, struct docker_map *out)
{
	struct answer a = { NULL, 0, false };
	struct stat st;
	CURL *curl;
	int ret;

	memset(out, 0, sizeof(*out));
	if (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -ENOENT;
	curl = unix_handle(path);
	if (!curl)
		return -ENOMEM;
	/* all=1: a starting container is not "running" yet */
	ret = docker_get(curl, "/containers/json?all=1", &a);
	if (!ret)
		ret = docker_parse(a.buf, a.len, out);
	/* names found so far stand even if the networks cannot be read */
	if (!ret && docker_read_networks(curl, &a, out) == -ENOMEM)
		ret = -ENOMEM;
	curl_easy_cleanup(curl);
	free(a.buf);
	if (ret < 0)
		docker_release(out);
	return ret;
}

bool docker_port_holder(const char *comm)
{
	static const char *const holders[] = {
		"docker-proxy", "conmon", "rootlessport", "rootlessport-ch",
		/* rootless dockerd: rootlesskit's builtin port driver
		 * listens in its parent process, slirp4netns's driver in
		 * slirp4netns */
		"rootlesskit", "slirp4netns",
		/* pasta execs passt.avx2 (or passt) where the CPU has AVX2:
		 * the comm of a running pasta */
		"pasta", "pasta.avx2", "passt", "passt.avx2",
		"lxd", "incusd",
	};
	size_t i;

	for (i = 0; comm && i < ARRAY_SIZE(holders); i++)
		if (!strcmp(comm, holders[i]))
			return true;
	return false;
}

const struct docker_port *docker_find_port(const struct docker_map *m,
					   const char *comm, int32_t pid,
					   uint8_t family, uint8_t proto,
					   rs_u128 addr, uint16_t port)
{
	const struct docker_port *p;
	size_t i;

	if (!docker_port_holder(comm))
		return NULL;
	for (i = 0; i < m->nports; i++) {
		p = &m->ports[i];
		/* a holder on :: also holds an IPv4 publish: lxd's
		 * forkproxy for "tcp:0.0.0.0:80" listens there */
		if ((!p->pid || p->pid == pid) && p->proto == proto &&
		    port >= p->port_lo &&
		    port <= p->port_hi &&
		    (!p->family || p->family == family ||
		     (family == AF_INET6 && !addr && !p->addr)) &&
		    (!p->addr || !addr || p->addr == addr))
			return p;
	}
	return NULL;
}

bool docker_port_container(const struct docker_port *p)
{
	return p->runtime != DOCKER_RT_PASTA;
}

const struct docker_container *docker_find(const struct docker_map *m,
					   uint8_t family, rs_u128 addr)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->c[i].family == family && m->c[i].addr == addr)
			return &m->c[i];
	return NULL;
}

DIR *docker_map_opendir(struct docker_map *m, uint8_t rt, const char *path)
{
	DIR *d = opendir(path);

	if (!d && (errno == EACCES || errno == EPERM) && rt < DOCKER_RT_N &&
	    !m->error[rt])
		m->error[rt] = -errno;
	return d;
}

void docker_release(struct docker_map *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		free(m->c[i].name);
		free(m->c[i].image);
	}
	for (i = 0; i < m->nports; i++) {
		free(m->ports[i].name);
		free(m->ports[i].image);
	}
	free(m->c);
	free(m->ports);
	memset(m, 0, sizeof(*m));
}
