// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpf_attach.c - a helper of tests/netns/cgroup-bpf.sh: attach a BPF
 * program of two instructions (return a constant) where fwaudit must
 * notice it, so that real packets meet it.
 *
 *   bpf_attach cgroup DIR drop|pass   cgroup inet ingress on DIR; the
 *                                     attachment outlives this process
 *   bpf_attach tcx IFNAME drop|pass   tcx ingress on IFNAME through a BPF
 *                                     link, held until this process ends
 *   bpf_attach netfilter ipv4|ipv6 HOOKNUM PRIORITY drop|pass
 *                                     a netfilter program on NF_INET_HOOKNUM
 *                                     of this network namespace through a
 *                                     BPF link, held until this process ends
 *
 * Prints "attached ID" once attached.
 */

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#define TCX_INGRESS	46	/* enum bpf_attach_type, Linux 6.6 */
/* Linux 6.4, newer than Debian 12's headers: enum bpf_prog_type,
 * enum bpf_attach_type, and link_create's netfilter member, which follows
 * prog_fd, target_fd, attach_type and flags (4 words in) */
#define PROG_TYPE_NETFILTER	32
#define ATTACH_NETFILTER	45

static long bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static int load(enum bpf_prog_type type, unsigned int expected, int ret)
{
	struct bpf_insn insns[2];
	static char log[4096];
	union bpf_attr a;
	int fd;

	memset(insns, 0, sizeof(insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;	/* r0 = ret */
	insns[0].imm = ret;
	insns[1].code = BPF_JMP | BPF_EXIT;
	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.expected_attach_type = expected;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = 2;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	snprintf(a.prog_name, sizeof(a.prog_name), "fwa_%s",
		 type == BPF_PROG_TYPE_CGROUP_SKB ? "cg" :
		 type == PROG_TYPE_NETFILTER ? "nf" : "tcx");
	fd = (int)bpf(BPF_PROG_LOAD, &a);
	if (fd < 0)
		fprintf(stderr, "bpf_attach: load: %s\n%s", strerror(errno), log);
	return fd;
}

static unsigned int prog_id(int fd)
{
	struct bpf_prog_info info;
	union bpf_attr a;

	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	return bpf(BPF_OBJ_GET_INFO_BY_FD, &a) < 0 ? 0 : info.id;
}

/* bpf_attach netfilter ipv4|ipv6 HOOKNUM PRIORITY drop|pass */
static int netfilter(char **argv)
{
	union bpf_attr a;
	uint32_t *w = (uint32_t *)&a;
	int pfd, fd;

	/* NF_DROP 0, NF_ACCEPT 1 */
	pfd = load(PROG_TYPE_NETFILTER, ATTACH_NETFILTER,
		   strcmp(argv[5], "drop") ? 1 : 0);
	if (pfd < 0)
		return 1;
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)pfd;
	a.link_create.attach_type = ATTACH_NETFILTER;
	w[4] = strcmp(argv[2], "ipv6") ? 2 : 10;	/* NFPROTO_* */
	w[5] = (uint32_t)atoi(argv[3]);
	w[6] = (uint32_t)atoi(argv[4]);
	fd = (int)bpf(BPF_LINK_CREATE, &a);
	if (fd < 0) {
		perror("bpf_attach: netfilter link");
		return 1;
	}
	printf("attached %u\n", prog_id(pfd));
	fflush(stdout);
	pause();
	return 0;
}

int main(int argc, char **argv)
{
	union bpf_attr a;
	bool drop;
	int pfd, fd;

	if (argc == 6 && !strcmp(argv[1], "netfilter"))
		return netfilter(argv);
	if (argc != 4 || (strcmp(argv[3], "drop") && strcmp(argv[3], "pass"))) {
		fprintf(stderr, "usage: bpf_attach cgroup DIR|tcx IFNAME drop|pass\n");
		return 2;
	}
	drop = !strcmp(argv[3], "drop");
	if (!strcmp(argv[1], "cgroup")) {
		/* cgroup skb: 1 lets the packet in, 0 drops it */
		pfd = load(BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS,
			   drop ? 0 : 1);
		fd = open(argv[2], O_RDONLY | O_DIRECTORY);
		if (pfd < 0 || fd < 0) {
			perror("bpf_attach: cgroup");
			return 1;
		}
		memset(&a, 0, sizeof(a));
		a.target_fd = (uint32_t)fd;
		a.attach_bpf_fd = (uint32_t)pfd;
		a.attach_type = BPF_CGROUP_INET_INGRESS;
		a.attach_flags = BPF_F_ALLOW_MULTI;
		if (bpf(BPF_PROG_ATTACH, &a) < 0) {
			perror("bpf_attach: attach");
			return 1;
		}
		printf("attached %u\n", prog_id(pfd));
		return 0;
	}
	if (strcmp(argv[1], "tcx"))
		return 2;
	/* TC_ACT_SHOT 2, TC_ACT_OK 0 */
	pfd = load(BPF_PROG_TYPE_SCHED_CLS, 0, drop ? 2 : 0);
	if (pfd < 0)
		return 1;
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)pfd;
	a.link_create.target_ifindex = if_nametoindex(argv[2]);
	a.link_create.attach_type = TCX_INGRESS;
	fd = (int)bpf(BPF_LINK_CREATE, &a);
	if (fd < 0) {
		perror("bpf_attach: tcx link");
		return 1;
	}
	printf("attached %u\n", prog_id(pfd));
	fflush(stdout);
	pause();
	return 0;
}
