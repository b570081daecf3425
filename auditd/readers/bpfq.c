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

/* Debian 12's headers (Linux 6.1) also predate netfilter BPF links
 * (Linux 6.4): enum bpf_link_type's value, and the layout of struct
 * bpf_link_info up to its netfilter member (type, id, prog_id, then the
 * union, 8-byte aligned).  The kernel copies at most info_len bytes and
 * zero-fills the rest of a longer struct, so raw leaves room for it. */
#define BPFQ_LINK_TYPE_NETFILTER	10
struct bpfq_link_info {
	uint32_t type;
	uint32_t id;
	uint32_t prog_id;
	uint32_t pad;
	union {
		struct {
			uint32_t pf;
			uint32_t hooknum;
			int32_t priority;
			uint32_t flags;
		} netfilter;
		uint8_t raw[96];
	};
};

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

static int bpfq_info(int fd, void *info, uint32_t len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = len;
	a.info.info = (uint64_t)(uintptr_t)info;
	return syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)) < 0 ?
	       -errno : 0;
}

/* The program's name and tag into p; a program gone meanwhile keeps
 * them empty (its link was read, and that is what counts). */
static void bpfq_prog_names(struct host_nfbpf *p)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	size_t i;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_id = p->prog_id;
	fd = (int)syscall(__NR_bpf, BPF_PROG_GET_FD_BY_ID, &a, sizeof(a));
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (!bpfq_info(fd, &info, sizeof(info))) {
		/* the kernel's name is NUL-padded, at most 15 bytes; keep
		 * only what prints */
		for (i = 0; i < sizeof(p->name) - 1 && info.name[i]; i++)
			p->name[i] = (info.name[i] > ' ' && info.name[i] < 127) ?
				     info.name[i] : '_';
		p->name[i] = '\0';
		for (i = 0; i < BPF_TAG_SIZE; i++)
			snprintf(p->tag + 2 * i, 3, "%02x", info.tag[i]);
	}
	close(fd);
}

/* One link: kept when it is a netfilter one.  Returns 0, or a negative
 * errno that stops the iteration. */
static int bpfq_nf_link(struct host *h, uint32_t id)
{
	struct bpfq_link_info info;
	struct host_nfbpf *p;
	union bpf_attr a;
	int fd, ret;

	memset(&a, 0, sizeof(a));
	a.link_id = id;
	fd = (int)syscall(__NR_bpf, BPF_LINK_GET_FD_BY_ID, &a, sizeof(a));
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;	/* gone meanwhile */
	memset(&info, 0, sizeof(info));
	ret = bpfq_info(fd, &info, sizeof(info));
	close(fd);
	if (ret < 0 || info.type != BPFQ_LINK_TYPE_NETFILTER)
		return ret == -ENOENT ? 0 : ret;
	if (h->nnfbpf >= HOST_NFBPF_MAX)
		return -E2BIG;
	p = realloc(h->nfbpf, (h->nnfbpf + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	h->nfbpf = p;
	p = &h->nfbpf[h->nnfbpf++];
	memset(p, 0, sizeof(*p));
	p->link_id = id;
	p->prog_id = info.prog_id;
	p->pf = (uint8_t)info.netfilter.pf;
	p->hooknum = (uint8_t)info.netfilter.hooknum;
	p->priority = info.netfilter.priority;
	p->flags = info.netfilter.flags;
	bpfq_prog_names(p);
	return 0;
}

/* Every BPF link, by id: the netfilter ones into h->nfbpf.  The kernel
 * does not say which network namespace a netfilter link hooks into, so
 * those of every namespace are kept (more "possible", never less). */
static void bpfq_nf_links(struct host *h)
{
	union bpf_attr a;
	uint32_t id = 0;
	int ret = 0;

	for (;;) {
		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (syscall(__NR_bpf, BPF_LINK_GET_NEXT_ID, &a, sizeof(a)) < 0) {
			/* ENOENT: the last one; EINVAL: a kernel before 5.8 */
			if (errno != ENOENT && errno != EINVAL)
				ret = -errno;
			break;
		}
		id = a.next_id;
		ret = bpfq_nf_link(h, id);
		if (ret < 0)
			break;
	}
	if (ret < 0)
		h->nfbpf_error = ret;
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
	free(h->nfbpf);
	h->nfbpf = NULL;
	h->nnfbpf = 0;
	h->nfbpf_error = 0;
	bpfq_links(h);
	bpfq_cgroups(h, proc);
	bpfq_nf_links(h);
}
