// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daemon_privs.c - capabilities and user switch.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "daemon_privs.h"

#define KEEP_MASK ((1u << CAP_NET_ADMIN) | (1u << CAP_NET_RAW) | \
		   (1u << CAP_DAC_READ_SEARCH))
/* container_namespaces = yes: setns() into a container's namespace needs
 * CAP_SYS_ADMIN, and opening /proc/PID/ns/net of its process (the sandbox
 * key is not always where we see it) CAP_SYS_PTRACE */
#define NETNS_MASK ((1u << CAP_SYS_ADMIN) | (1u << CAP_SYS_PTRACE))

static int caps_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	return 0;
}

static int caps_set(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	return 0;
}

/* permitted = effective = permitted & keep (every bit of it is below 32);
 * inheritable cleared, so that nothing we might exec inherits them */
static int caps_restrict(uint32_t keep)
{
	struct __user_cap_data_struct d[2];
	int ret;

	ret = caps_get(d);
	if (ret < 0)
		return ret;
	/* already within (systemd's AmbientCapabilities=): no capset, which
	 * SystemCallFilter=~@privileged forbids */
	if (!(d[0].permitted & ~keep) && !(d[0].inheritable & ~keep) &&
	    !d[1].permitted && !d[1].inheritable)
		goto ambient;
	d[0].permitted &= keep;
	d[0].effective = d[0].permitted;
	d[0].inheritable = 0;
	d[1].permitted = d[1].effective = d[1].inheritable = 0;
	ret = caps_set(d);
	if (ret < 0)
		return ret;
ambient:
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

static int bounding_drop(uint32_t keep)
{
	unsigned long c;

	for (c = 0; c <= 63; c++) {
		if (c < 32 && (keep & (1u << c)))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL)	/* beyond CAP_LAST_CAP */
				break;
			if (errno != EPERM)
				return -errno;
		}
	}
	return 0;
}

int daemon_privs_drop(const char *user, bool netns, int *stayed_root)
{
	uint32_t keep = KEEP_MASK | (netns ? NETNS_MASK : 0);
	struct passwd *pw = NULL;
	int ret;

	*stayed_root = 0;
	if (geteuid() != 0)
		goto limit;
	/* only root holds CAP_SETPCAP to shrink the bounding set */
	ret = bounding_drop(keep);
	if (ret < 0)
		return ret;
	if (user && strcmp(user, "root"))
		pw = getpwnam(user);
	if (!pw || pw->pw_uid == 0) {
		*stayed_root = 1;
		goto limit;
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return -errno;
	if (setgroups(0, NULL) < 0)
		return -errno;
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0)
		return -errno;
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		return -errno;
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
limit:
	ret = caps_restrict(keep);
	if (ret < 0)
		return ret;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}
