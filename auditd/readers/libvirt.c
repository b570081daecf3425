// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libvirt.c - virtual machines named from libvirtd's status files and its
 * dnsmasq leases.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <jansson.h>

#include "fileread.h"
#include "host.h"
#include "libvirt.h"
#include "util.h"

#define LIBVIRT_FILE_MAX	(4u << 20)

/* The text between open and the next '<' after it, entities of names
 * undone, into buf; 0 or -EBADMSG. */
static int element_text(const char *s, const char *end, const char *open,
			char *buf, size_t size)
{
	static const char *const ent[][2] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" },
		{ "&apos;", "'" }, { "&quot;", "\"" },
	};
	const char *p = memmem(s, (size_t)(end - s), open, strlen(open));
	size_t n = 0, k;

	if (!p)
		return -EBADMSG;
	for (p += strlen(open); p < end && *p != '<' && n + 1 < size; ) {
		for (k = 0; k < ARRAY_SIZE(ent); k++)
			if ((size_t)(end - p) >= strlen(ent[k][0]) &&
			    !strncmp(p, ent[k][0], strlen(ent[k][0])))
				break;
		if (k < ARRAY_SIZE(ent)) {
			buf[n++] = ent[k][1][0];
			p += strlen(ent[k][0]);
		} else {
			buf[n++] = *p++;
		}
	}
	buf[n] = '\0';
	return n && p < end && *p == '<' ? 0 : -EBADMSG;
}

static bool is_mac(const char *p)
{
	int i;

	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? p[i] != ':' :
		    !strchr("0123456789abcdefABCDEF", p[i]))
			return false;
	return true;
}

int libvirt_parse_domain(const char *xml, size_t len, struct libvirt_domain *d)
{
	static const char mac[] = "<mac address=";
	const char *end = xml + len, *dom, *p;
	struct libvirt_domain out;

	memset(&out, 0, sizeof(out));
	/* the domain's name, not one of domstatus' own elements */
	dom = memmem(xml, len, "<domain", 7);
	if (!dom || element_text(dom, end, "<name>", out.name,
				 sizeof(out.name)) < 0)
		return -EBADMSG;
	for (p = dom; out.nmacs < LIBVIRT_MACS_MAX &&
	     (p = memmem(p, (size_t)(end - p), mac, sizeof(mac) - 1)); ) {
		p += sizeof(mac) - 1;
		if (end - p < 19 || (*p != '\'' && *p != '"') || !is_mac(p + 1) ||
		    p[18] != *p)
			continue;
		memcpy(out.macs[out.nmacs], p + 1, 17);
		out.macs[out.nmacs++][17] = '\0';
	}
	*d = out;
	return 0;
}

static const struct libvirt_domain *domain_of(const char *mac,
					      const struct libvirt_domain *d,
					      size_t nd)
{
	size_t i, k;

	for (i = 0; i < nd; i++)
		for (k = 0; k < d[i].nmacs; k++)
			if (!strcasecmp(d[i].macs[k], mac))
				return &d[i];
	return NULL;
}

int libvirt_parse_leases(const char *json, size_t len,
			 const struct libvirt_domain *d, size_t nd,
			 struct docker_map *m)
{
	const struct libvirt_domain *dom;
	const char *ip, *mac;
	json_t *root, *l;
	rs_u128 addr;
	size_t i;
	int af, ret = 0;

	root = json_loadb(json, len, 0, NULL);
	if (!json_is_array(root)) {
		json_decref(root);
		return -EBADMSG;
	}
	json_array_foreach(root, i, l) {
		ip = json_string_value(json_object_get(l, "ip-address"));
		mac = json_string_value(json_object_get(l, "mac-address"));
		if (!ip || !mac || !(dom = domain_of(mac, d, nd)))
			continue;
		af = strchr(ip, ':') ? AF_INET6 : AF_INET;
		if (host_addr_parse(af, ip, &addr) < 0)
			continue;
		ret = docker_add(m, DOCKER_RT_LIBVIRT, (uint8_t)af, addr,
				 dom->name, "");
		if (ret < 0)
			break;
	}
	json_decref(root);
	return ret;
}

/* The running domains of one driver's state directory. */
static int read_domains(const char *dir, struct libvirt_domain **d,
			size_t *nd, unsigned int *budget, struct docker_map *m)
{
	char path[4096], *buf;
	struct libvirt_domain *n;
	struct dirent *e;
	size_t len, l;
	DIR *dd;
	int ret = 0;

	dd = docker_map_opendir(m, DOCKER_RT_LIBVIRT, dir);
	if (!dd)
		return 0;
	while (*budget && (e = readdir(dd))) {
		l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l < 5 ||
		    strcmp(e->d_name + l - 4, ".xml") ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     e->d_name) >= sizeof(path))
			continue;
		(*budget)--;
		if (file_read_all(path, LIBVIRT_FILE_MAX, &buf, &len) < 0)
			continue;
		n = realloc(*d, (*nd + 1) * sizeof(**d));
		if (!n) {
			free(buf);
			ret = -ENOMEM;
			break;
		}
		*d = n;
		if (!libvirt_parse_domain(buf, len, &n[*nd]))
			(*nd)++;
		free(buf);
	}
	closedir(dd);
	return ret;
}

int libvirt_read(const char *root, struct docker_map *m)
{
	static const char *const drivers[] = { "qemu", "lxc" };
	unsigned int budget = LIBVIRT_FILES_MAX;
	struct libvirt_domain *d = NULL;
	char path[4096], *buf;
	struct dirent *e;
	size_t i, nd = 0, len, l;
	DIR *dd;
	int ret = 0;

	for (i = 0; !ret && i < 2; i++) {
		snprintf(path, sizeof(path), "%s/run/libvirt/%s", root,
			 drivers[i]);
		ret = read_domains(path, &d, &nd, &budget, m);
	}
	snprintf(path, sizeof(path), "%s/var/lib/libvirt/dnsmasq", root);
	dd = nd && !ret ?
	     docker_map_opendir(m, DOCKER_RT_LIBVIRT, path) : NULL;
	while (dd && !ret && budget && (e = readdir(dd))) {
		l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l < 8 ||
		    strcmp(e->d_name + l - 7, ".status") ||
		    (size_t)snprintf(path, sizeof(path),
				     "%s/var/lib/libvirt/dnsmasq/%s", root,
				     e->d_name) >= sizeof(path))
			continue;
		budget--;
		if (file_read_all(path, LIBVIRT_FILE_MAX, &buf, &len) < 0)
			continue;
		ret = libvirt_parse_leases(buf, len, d, nd, m);
		if (ret == -EBADMSG)
			ret = 0;
		free(buf);
	}
	if (dd)
		closedir(dd);
	free(d);
	return ret;
}
