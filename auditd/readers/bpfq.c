// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfq.c - BPF programs outside netfilter, found with BPF_PROG_QUERY (see
 * bpfq.h).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "bpfq.h"

/* Debian 12's headers predate tcx and netkit (Linux 6.6, 6.7): the values
 * of enum bpf_attach_type, which the kernel never renumbers. */
#define BPFQ_TCX_INGRESS	46
#define BPFQ_NETKIT_PRIMARY	54

#define BPFQ_IDS_MAX		64	/* programs named per query */
#define BPFQ_PATH_MAX		4096

/* Ask which programs are attached to target (a cgroup directory's fd, or
 * an ifindex for tcx and netkit) for attach_type; effective: those in
 * effect through the ancestors too.  Returns the count (the first id in
 * *first) or a negative errno. */
static int bpfq_query(int target, unsigned int attach_type, bool effective,
		      uint32_t *first)
{
	uint32_t ids[BPFQ_IDS_MAX] = { 0 };
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)target;
	a.query.attach_type = attach_type;
	a.query.query_flags = effective ? BPF_F_QUERY_EFFECTIVE : 0;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = BPFQ_IDS_MAX;
	if (syscall(__NR_bpf, BPF_PROG_QUERY, &a, sizeof(a)) < 0) {
		/* more programs than ids: the count is still right */
		if (errno != ENOSPC)
			return -errno;
	}
	*first = a.query.prog_cnt ? ids[0] : 0;
	return (int)a.query.prog_cnt;
}

static void bpfq_error(struct host *h, int err)
{
	if (!h->bpf_error)
		h->bpf_error = err;
}

/* The mount point of the cgroup2 hierarchy, from mountinfo: field 5 is
 * the mount point, the fstype follows " - ". */
static int cgroup2_root(const char *proc, char *out, size_t size)
{
	char path[256], line[4096];
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "%s/self/mountinfo", proc);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (ret < 0 && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - "), *mnt;
		int k;

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		mnt = line;
		for (k = 0; k < 4 && mnt; k++) {
			mnt = strchr(mnt, ' ');
			if (mnt)
				mnt++;
		}
		if (!mnt || !strchr(mnt, ' '))
			continue;
		*strchr(mnt, ' ') = '\0';
		/* mountinfo escapes blanks as \040: not for us */
		if (strchr(mnt, '\\') || strlen(mnt) >= size)
			continue;
		strcpy(out, mnt);
		ret = 0;
	}
	fclose(f);
	return ret;
}

/* The cgroup v2 path of pid ("0::/system.slice/ssh.service"), in a new
 * string, or NULL. */
static char *pid_cgroup(const char *proc, pid_t pid)
{
	char path[256], line[BPFQ_PATH_MAX];
	char *res = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/cgroup", proc, (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (!res && fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (strncmp(line, "0::/", 4) || n < 5 || line[n - 1] != '\n')
			continue;
		line[n - 1] = '\0';
		/* a path that climbs out ("/../..", in a cgroup namespace)
		 * names nothing we can open */
		if (strstr(line + 3, "/.."))
			continue;
		res = strdup(line + 3);
	}
	fclose(f);
	return res;
}

static void bpfq_links(struct host *h)
{
	size_t i;
	int n;

	for (i = 0; i < h->nlinks; i++) {
		struct host_link *l = &h->links[i];
		bool netkit = !strcmp(l->kind, "netkit");
		uint32_t id = 0;

		if (l->loopback)
			continue;
		n = bpfq_query(l->ifindex, netkit ? BPFQ_NETKIT_PRIMARY :
						    BPFQ_TCX_INGRESS,
			       false, &id);
		/* a kernel without tcx, or a link that has none */
		if (n == -EINVAL || n == -ENOENT)
			continue;
		if (n < 0) {
			bpfq_error(h, n);
			return;
		}
		bpfq_link_set(l, (unsigned int)n, id);
	}
}

static void bpfq_cgroups(struct host *h, const char *proc)
{
	char root[BPFQ_PATH_MAX], path[2 * BPFQ_PATH_MAX];
	size_t i;
	int fd, n;

	if (cgroup2_root(proc, root, sizeof(root)) < 0)
		return;		/* no cgroup2: no cgroup programs */
	for (i = 0; i < h->nlisteners; i++) {
		struct host_listener *l = &h->listeners[i];
		uint32_t id = 0;

		if (!l->pid)
			continue;
		free(l->cgroup);
		l->cgroup = pid_cgroup(proc, l->pid);
		if (!l->cgroup)
			continue;
		snprintf(path, sizeof(path), "%s%s", root, l->cgroup);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = bpfq_query(fd, BPF_CGROUP_INET_INGRESS, true, &id);
		close(fd);
		if (n < 0) {
			bpfq_error(h, n);
			if (n == -EPERM || n == -ENOSYS)
				return;
			continue;
		}
		l->cgroup_progs = (unsigned int)n;
		l->cgroup_prog = id;
	}
}

void bpfq_link_set(struct host_link *l, unsigned int n, uint32_t first)
{
	l->tcx_progs = n;
	l->tcx_prog = first;
	if (n && !l->tc_desc[0])
		snprintf(l->tc_desc, sizeof(l->tc_desc), "%s bpf id %u",
			 strcmp(l->kind, "netkit") ? "tcx" : "netkit", first);
}

void bpfq_read(struct host *h, const char *proc)
{
	h->bpf_error = 0;
	bpfq_links(h);
	bpfq_cgroups(h, proc);
}
