// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lxd.c - instance names from the LXD / Incus API.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <jansson.h>

#include "host.h"
#include "lxd.h"

/* a listen string longer than this is not one LXD accepts */
#define LXD_LISTEN_MAX	256
/* ports of one proxy device: LXD itself allows a list of ranges */
#define LXD_RANGES_MAX	64

/* "80", "80-90": 0, or -EINVAL. */
static int port_range(const char *s, size_t n, uint16_t *lo, uint16_t *hi)
{
	char buf[16], *end, *dash;
	unsigned long a, b;

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	a = strtoul(buf, &end, 10);
	b = a;
	dash = end;
	if (*dash == '-') {
		if (dash[1] < '0' || dash[1] > '9')
			return -EINVAL;
		b = strtoul(dash + 1, &end, 10);
	}
	if (*end || !a || a > 65535 || b > 65535 || b < a)
		return -EINVAL;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

/* One proxy device's listen "tcp:0.0.0.0:80,443,8000-8010" or
 * "udp:[2001:db8::1]:53"; a unix listen is no port. */
static int add_listen(struct docker_map *m, const char *listen, uint8_t rt,
		      const char *name, const char *image)
{
	char buf[LXD_LISTEN_MAX], *addr, *ports, *colon, *comma;
	struct docker_port p;
	int ret = 0, k;

	if (strlen(listen) >= sizeof(buf))
		return 0;
	strcpy(buf, listen);
	memset(&p, 0, sizeof(p));
	colon = strchr(buf, ':');
	if (!colon)
		return 0;
	*colon = '\0';
	if (!strcmp(buf, "tcp"))
		p.proto = IPPROTO_TCP;
	else if (!strcmp(buf, "udp"))
		p.proto = IPPROTO_UDP;
	else
		return 0;
	addr = colon + 1;
	ports = strrchr(addr, ':');
	if (!ports)
		return 0;
	*ports++ = '\0';
	if (*addr == '[') {
		size_t n = strlen(addr);

		if (n < 2 || addr[n - 1] != ']')
			return 0;
		addr[n - 1] = '\0';
		addr++;
		p.family = AF_INET6;
	} else {
		p.family = AF_INET;
	}
	if (host_addr_parse(p.family, addr, &p.addr) < 0)
		return 0;
	p.runtime = rt;
	p.name = (char *)name;
	p.image = (char *)image;
	for (k = 0; k < LXD_RANGES_MAX && *ports; k++) {
		comma = strchr(ports, ',');
		if (port_range(ports, comma ? (size_t)(comma - ports) :
			       strlen(ports), &p.port_lo, &p.port_hi) < 0)
			return 0;
		ret = docker_add_port(m, &p);
		if (ret < 0 || !comma)
			break;
		ports = comma + 1;
	}
	return ret;
}

/* What the instance was made from, for people: LXD keeps the image's
 * description in the instance's config. */
const char *lxd_instance_image(json_t *inst)
{
	json_t *cfg = json_object_get(inst, "config");
	const char *s = json_string_value(json_object_get(cfg,
						"image.description"));

	if (!s)
		s = json_string_value(json_object_get(cfg,
						"volatile.base_image"));
	return s ? s : "";
}

static int add_instance(struct docker_map *m, json_t *inst, uint8_t rt)
{
	const char *name = json_string_value(json_object_get(inst, "name"));
	const char *image = lxd_instance_image(inst);
	const char *key, *fam, *scope, *ip, *type, *listen;
	json_t *nets, *net, *a, *dev;
	rs_u128 addr;
	size_t i;
	int af, ret = 0;

	if (!name || !*name)
		return 0;
	nets = json_object_get(json_object_get(inst, "state"), "network");
	json_object_foreach(nets, key, net) {
		json_array_foreach(json_object_get(net, "addresses"), i, a) {
			fam = json_string_value(json_object_get(a, "family"));
			scope = json_string_value(json_object_get(a, "scope"));
			ip = json_string_value(json_object_get(a, "address"));
			/* only global addresses are what a DNAT targets */
			if (!fam || !ip || !scope || strcmp(scope, "global"))
				continue;
			af = !strcmp(fam, "inet6") ? AF_INET6 :
			     !strcmp(fam, "inet") ? AF_INET : 0;
			if (!af || host_addr_parse(af, ip, &addr) < 0)
				continue;
			ret = docker_add(m, rt, (uint8_t)af, addr, name, image);
			if (ret < 0)
				return ret;
		}
	}
	json_object_foreach(json_object_get(inst, "expanded_devices"), key,
			    dev) {
		type = json_string_value(json_object_get(dev, "type"));
		listen = json_string_value(json_object_get(dev, "listen"));
		if (!type || strcmp(type, "proxy") || !listen)
			continue;
		ret = add_listen(m, listen, rt, name, image);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int lxd_parse_instances(const char *json, size_t len, uint8_t rt,
			struct docker_map *out)
{
	struct docker_map m;
	json_t *root, *list, *inst;
	size_t i;
	int ret = 0;

	memset(&m, 0, sizeof(m));
	root = json_loadb(json, len, 0, NULL);
	list = json_object_get(root, "metadata");
	if (!json_is_object(root) || !json_is_array(list)) {
		json_decref(root);
		return -EBADMSG;
	}
	json_array_foreach(list, i, inst) {
		if (!json_is_object(inst))
			continue;
		ret = add_instance(&m, inst, rt);
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

int lxd_read(const char *sock, uint8_t rt, struct docker_map *out)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	/* every project's instances, not only the default project's */
	ret = docker_unix_get(sock, "/1.0/instances?recursion=2&all-projects=true",
			      &buf, &len);
	if (!ret)
		ret = lxd_parse_instances(buf, len, rt, out);
	free(buf);
	return ret;
}
