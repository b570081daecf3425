/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sandbox.h - the network namespaces of running containers, from the
 * Docker API: where a macvlan or ipvlan container's own firewall and
 * listeners are (nsaudit.h audits them).
 */
#ifndef FWAUDIT_SANDBOX_H
#define FWAUDIT_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bound on the containers whose namespaces are audited. */
#define SANDBOX_MAX	1024

struct sandbox {
	char *name;		/* without the leading '/' */
	char *image;
	char *key;		/* NetworkSettings.SandboxKey, or NULL */
	pid_t pid;		/* State.Pid: /proc/PID/ns/net, or 0 */
	uint8_t runtime;	/* enum docker_runtime */
	/* the networks of a driver that bypasses the host ("macvlan",
	 * "ipvlan"): their count and the first one's driver */
	unsigned int nbypass;
	char driver[16];
};

struct sandbox_list {
	size_t n;
	struct sandbox *s;
};

/*
 * Parse one GET /containers/ID/json answer into *out: a running container
 * with at least one network whose driver is macvlan or ipvlan (from its
 * NetworkSettings.Networks, whose driver names drivers as the
 * /networks answer nets does: an array of {Id, Driver}).  Returns 1 and
 * fills *out (strings owned, free with sandbox_clear()), 0 when the
 * container does not qualify, -EBADMSG for an answer that is not an
 * object with a Name, -ENOMEM.
 */
int sandbox_parse(const char *json, size_t len, const char *nets,
		  size_t nlen, struct sandbox *out);
/*
 * Ask the Docker API at the unix socket path for the running containers
 * attached to a macvlan or ipvlan network and their namespaces.  0 (an
 * absent socket too: then the list is empty and the return is -ENOENT,
 * as docker_read()), -ENOMEM, -E2BIG past SANDBOX_MAX, -EBADMSG.
 */
int sandbox_read(const char *path, struct sandbox_list *out);
void sandbox_clear(struct sandbox *s);
/* Frees and zeroes; accepts NULL. */
void sandbox_release(struct sandbox_list *l);

#endif
