// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_bpfq.c - what bpfq.c reads from /proc before it asks the kernel:
 * the cgroup2 mount point from mountinfo, a listener owner's cgroup v2
 * path (auditd/readers/bpfq.c).  The queries themselves meet real
 * programs in tests/netns/cgroup-bpf.sh.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfq.h"
#include "host.h"
#include "host_read.h"
#include "unit.h"

static char dir[] = "/tmp/fwaudit-test-bpfq-XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static struct host *host_with(pid_t pid)
{
	struct host *h = host_new();
	struct host_listener *l;

	l = host_array_add((void **)&h->listeners, &h->nlisteners,
			   sizeof(*l), 4);
	l->pid = pid;
	l->port = 22;
	l = host_array_add((void **)&h->listeners, &h->nlisteners,
			   sizeof(*l), 4);
	l->pid = 0;	/* owner unknown: not looked at */
	return h;
}

int main(void)
{
	char path[512];
	struct host *h;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/self", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/42", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/43", dir);
	mkdir(path, 0700);
	/* a hybrid layout: v1 controllers, cgroup2 at .../unified; the
	 * cgroup2 line is not the first one */
	put("self/mountinfo",
	    "25 30 0:22 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
	    "31 25 0:26 / /sys/fs/cgroup/cpu rw shared:9 - cgroup cgroup rw,cpu\n"
	    "32 25 0:27 / /nonexistent/fwaudit/unified rw shared:10 - cgroup2 cgroup2 rw\n");
	put("42/cgroup", "9:name=systemd:/system.slice/ssh.service\n"
			 "0::/system.slice/ssh.service\n");
	/* escaped from a cgroup namespace: nothing to open */
	put("43/cgroup", "0::/../../elsewhere\n");

	h = host_with(42);
	bpfq_read(h, dir);
	CHECK_STR(h->listeners[0].cgroup, "/system.slice/ssh.service");
	/* the directory does not exist: no query, no programs, no error */
	CHECK_EQ(h->listeners[0].cgroup_progs, 0);
	CHECK(h->listeners[1].cgroup == NULL);
	CHECK_EQ(h->bpf_error, 0);
	host_free(h);

	h = host_with(43);
	bpfq_read(h, dir);
	CHECK(h->listeners[0].cgroup == NULL);
	host_free(h);

	/* no cgroup2 mount: the cgroups are not looked at */
	put("self/mountinfo",
	    "31 25 0:26 / /sys/fs/cgroup/cpu rw shared:9 - cgroup cgroup rw,cpu\n");
	h = host_with(42);
	bpfq_read(h, dir);
	CHECK(h->listeners[0].cgroup == NULL);
	host_free(h);

	/* no such pid */
	put("self/mountinfo",
	    "32 25 0:27 / /nonexistent rw - cgroup2 cgroup2 rw\n");
	h = host_with(44);
	bpfq_read(h, dir);
	CHECK(h->listeners[0].cgroup == NULL);
	host_free(h);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK_EQ(system(path), 0);
	return unit_done();
}
