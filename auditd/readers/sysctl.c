// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysctl.c - net.* sysctls from /proc/sys (or a tree that looks like it).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysctl.h"

/* Read one integer file relative to dirfd into *val; an absent or
 * unreadable file leaves HOST_SYSCTL_UNKNOWN.  0 or -EINVAL. */
static int sysctl_get(int dirfd, const char *path, int *val)
{
	char buf[32], *end;
	ssize_t n;
	long v;
	int fd;

	*val = HOST_SYSCTL_UNKNOWN;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf || errno || v < 0 || v > INT_MAX ||
	    (*end && *end != '\n'))
		return -EINVAL;
	*val = (int)v;
	return 0;
}

/* The kernel refuses "/" in names and the names "." and "..", but the
 * names here may come from a recording: do not let one walk the tree. */
static bool sysctl_ifname_ok(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

/* root/dir/IFACE/leaf */
static int sysctl_get_link(int dirfd, const char *dir, const char *ifname,
			   const char *leaf, int *val)
{
	char path[128];

	*val = HOST_SYSCTL_UNKNOWN;
	if (!sysctl_ifname_ok(ifname))
		return 0;
	snprintf(path, sizeof(path), "%s/%s/%s", dir, ifname, leaf);
	return sysctl_get(dirfd, path, val);
}

static int sysctl_read_link(int dirfd, const struct host_link *l,
			    struct host_link_sysctl *s)
{
	int ret;

	ret = sysctl_get_link(dirfd, "net/ipv4/conf", l->name, "forwarding",
			      &s->forwarding);
	if (!ret)
		ret = sysctl_get_link(dirfd, "net/ipv4/conf", l->name,
				      "route_localnet", &s->route_localnet);
	if (!ret)
		ret = sysctl_get_link(dirfd, "net/ipv4/conf", l->name,
				      "rp_filter", &s->rp_filter);
	if (!ret)
		ret = sysctl_get_link(dirfd, "net/ipv6/conf", l->name,
				      "force_forwarding",
				      &s->ipv6_force_forwarding);
	return ret;
}

int sysctl_read(struct host *h, const char *root)
{
	struct host_link_sysctl *links = NULL;
	struct host_sysctl s;
	size_t i;
	int dirfd, ret;

	dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	if (h->nlinks) {
		links = calloc(h->nlinks, sizeof(*links));
		if (!links) {
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = sysctl_get(dirfd, "net/ipv4/ip_forward", &s.ip_forward);
	if (!ret)
		ret = sysctl_get(dirfd, "net/ipv6/conf/all/forwarding",
				 &s.ipv6_forwarding);
	if (!ret)
		ret = sysctl_get(dirfd, "net/ipv4/conf/all/route_localnet",
				 &s.route_localnet_all);
	if (!ret)
		ret = sysctl_get(dirfd, "net/ipv4/conf/all/rp_filter",
				 &s.rp_filter_all);
	if (!ret)
		ret = sysctl_get(dirfd, "net/bridge/bridge-nf-call-iptables",
				 &s.bridge_nf_call_iptables);
	if (!ret)
		ret = sysctl_get(dirfd, "net/bridge/bridge-nf-call-ip6tables",
				 &s.bridge_nf_call_ip6tables);
	if (!ret)
		ret = sysctl_get(dirfd, "net/ipv4/vs/conntrack",
				 &s.ipvs_conntrack);
	for (i = 0; !ret && i < h->nlinks; i++)
		ret = sysctl_read_link(dirfd, &h->links[i], &links[i]);
	if (ret < 0)
		goto out;

	h->sysctl = s;
	for (i = 0; i < h->nlinks; i++)
		h->links[i].sysctl = links[i];
out:
	free(links);
	close(dirfd);
	return ret;
}
