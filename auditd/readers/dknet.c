// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dknet.c - the gateway modes and trusted interfaces of Docker's bridge
 * networks, from the Docker API (GET /networks).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

#include "dknet.h"
#include "docker.h"
#include "ipaddr.h"

#define OPT_MODE4	"com.docker.network.bridge.gateway_mode_ipv4"
#define OPT_MODE6	"com.docker.network.bridge.gateway_mode_ipv6"
#define OPT_TRUSTED	"com.docker.network.bridge.trusted_host_interfaces"

static char *opt_dup(json_t *opts, const char *key, int *err)
{
	const char *v = json_string_value(json_object_get(opts, key));
	char *s;

	if (!v || !v[0])
		return NULL;
	s = strndup(v, 256);
	if (!s)
		*err = -ENOMEM;
	return s;
}

static void subnets(json_t *net, struct dknet *d)
{
	json_t *cfg = json_object_get(json_object_get(net, "IPAM"), "Config");
	unsigned __int128 a;
	unsigned int len;
	const char *s;
	json_t *c;
	size_t i;
	int af;

	json_array_foreach(cfg, i, c) {
		s = json_string_value(json_object_get(c, "Subnet"));
		if (!s || d->nsubnets >= DKNET_SUBNETS_MAX ||
		    ipaddr_prefix_parse(AF_UNSPEC, s, &af, &a, &len) < 0)
			continue;
		d->subnets[d->nsubnets].family = (uint8_t)af;
		d->subnets[d->nsubnets].len = (uint8_t)len;
		d->subnets[d->nsubnets++].addr = a;
	}
}

static void dknet_clear(struct dknet *d)
{
	free(d->name);
	free(d->mode4);
	free(d->mode6);
	free(d->trusted);
}

int dknet_parse(const char *json, size_t len, struct dknet_list *out)
{
	struct dknet_list l = { 0, NULL };
	json_t *root = json_loadb(json, len, 0, NULL), *n, *opts;
	struct dknet d, *nl;
	const char *name, *driver;
	size_t i;
	int ret = 0;

	if (!json_is_array(root)) {
		json_decref(root);
		return -EBADMSG;
	}
	json_array_foreach(root, i, n) {
		name = json_string_value(json_object_get(n, "Name"));
		driver = json_string_value(json_object_get(n, "Driver"));
		opts = json_object_get(n, "Options");
		if (!name || !driver || strcmp(driver, "bridge") ||
		    !json_is_object(opts))
			continue;
		memset(&d, 0, sizeof(d));
		d.mode4 = opt_dup(opts, OPT_MODE4, &ret);
		d.mode6 = opt_dup(opts, OPT_MODE6, &ret);
		d.trusted = opt_dup(opts, OPT_TRUSTED, &ret);
		if (!ret && !d.mode4 && !d.mode6 && !d.trusted)
			continue;
		d.name = strndup(name, 256);
		if (!d.name)
			ret = -ENOMEM;
		nl = ret || l.n >= DKNET_MAX ? NULL :
		     realloc(l.nets, (l.n + 1) * sizeof(*nl));
		if (!nl) {
			dknet_clear(&d);
			if (ret || l.n < DKNET_MAX)
				ret = -ENOMEM;
			break;
		}
		subnets(n, &d);
		l.nets = nl;
		l.nets[l.n++] = d;
	}
	json_decref(root);
	if (ret < 0) {
		dknet_release(&l);
		return ret;
	}
	*out = l;
	return 0;
}

int dknet_read(const char *path, struct dknet_list *out)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = docker_unix_get(path, "/networks", &buf, &len);
	if (!ret)
		ret = dknet_parse(buf, len, out);
	free(buf);
	return ret;
}

static unsigned __int128 mask(uint8_t family, uint8_t len)
{
	unsigned int w = family == AF_INET ? 32 : 128;

	if (!len)
		return 0;
	return ~(unsigned __int128)0 << (w - len) &
	       (w == 32 ? (unsigned __int128)0xffffffffu :
		~(unsigned __int128)0);
}

const struct dknet *dknet_find(const struct dknet_list *l, uint8_t family,
			       unsigned __int128 addr)
{
	size_t i, k;

	for (i = 0; i < l->n; i++)
		for (k = 0; k < l->nets[i].nsubnets; k++) {
			const struct dknet_subnet *s = &l->nets[i].subnets[k];

			/* the length is the subnet's family's: another
			 * family's would shift past the width */
			if (s->family == family &&
			    (addr & mask(family, s->len)) ==
			    (s->addr & mask(family, s->len)))
				return &l->nets[i];
		}
	return NULL;
}

const char *dknet_mode_text(const char *mode)
{
	if (!mode)
		return NULL;
	if (!strcmp(mode, "nat-unprotected"))
		return "every container port is reachable, published or not";
	if (!strcmp(mode, "routed"))
		return "no NAT: the containers' addresses are reachable by "
		       "routing, on their published ports";
	if (!strcmp(mode, "isolated"))
		return "no gateway on this host: nothing outside the network "
		       "should reach the containers";
	return NULL;
}

void dknet_release(struct dknet_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		dknet_clear(&l->nets[i]);
	free(l->nets);
	memset(l, 0, sizeof(*l));
}
