// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * docker.c - container names for DNAT backends, from the Docker API.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <jansson.h>

#include "docker.h"
#include "host.h"

/* An answer larger than this is not a container list we can use. */
#define DOCKER_ANSWER_MAX	(16u << 20)
#define DOCKER_CONTAINERS_MAX	65536

const char *docker_socket_path(void)
{
	const char *h = getenv("DOCKER_HOST");

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

static int add(struct docker_map *m, uint8_t family, rs_u128 addr,
	       const char *name, const char *image)
{
	struct docker_container *c;

	if (m->n >= DOCKER_CONTAINERS_MAX)
		return -E2BIG;
	c = realloc(m->c, (m->n + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	m->c = c;
	c = &m->c[m->n];
	c->family = family;
	c->addr = addr;
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

int docker_parse(const char *json, size_t len, struct docker_map *out)
{
	struct docker_map m = { 0, NULL };
	json_t *root, *c, *nets, *net;
	const char *key, *name, *image, *ip;
	rs_u128 addr;
	size_t i;
	int ret = 0;

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
		if (!name || !image || !json_is_object(nets))
			continue;
		if (*name == '/')
			name++;
		json_object_foreach(nets, key, net) {
			ip = json_string_value(json_object_get(net, "IPAddress"));
			if (ip && *ip && !host_addr_parse(AF_INET, ip, &addr))
				ret = add(&m, AF_INET, addr, name, image);
			ip = json_string_value(json_object_get(net,
							"GlobalIPv6Address"));
			if (!ret && ip && *ip &&
			    !host_addr_parse(AF_INET6, ip, &addr))
				ret = add(&m, AF_INET6, addr, name, image);
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

int docker_read(const char *path, struct docker_map *out)
{
	struct answer a = { NULL, 0, false };
	struct stat st;
	long status = 0;
	CURLcode rc;
	CURL *curl;
	int ret;

	out->n = 0;
	out->c = NULL;
	if (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -ENOENT;
	curl = curl_easy_init();
	if (!curl)
		return -ENOMEM;
	curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, path);
	/* the host part is ignored on a unix socket; the API is versioned
	 * by path, and /containers/json has not changed shape in years.
	 * all=1: a container that is still starting when its DNAT rules
	 * appear (the daemon audits at that moment) is not "running" yet;
	 * stopped ones list no address and add nothing. */
	curl_easy_setopt(curl, CURLOPT_URL,
			 "http://docker/containers/json?all=1");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 1000L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		ret = -ETIMEDOUT;
	else if (rc == CURLE_COULDNT_CONNECT)
		ret = -ECONNREFUSED;
	else if (rc != CURLE_OK || status != 200 || a.too_big)
		ret = -EBADMSG;
	else
		ret = docker_parse(a.buf, a.len, out);
	free(a.buf);
	return ret;
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

void docker_release(struct docker_map *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		free(m->c[i].name);
		free(m->c[i].image);
	}
	free(m->c);
	m->c = NULL;
	m->n = 0;
}
