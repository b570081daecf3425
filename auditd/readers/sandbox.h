/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sandbox.h - the network namespaces of running containers, from the
 * Docker API (Docker's, Podman's) and LXD's (LXD's, Incus's): where a
 * macvlan or ipvlan container's own firewall and listeners are (nsaudit.h
 * audits them).
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
	/* LXD's and Incus's project of the instance when it is not
	 * "default" (its commands need --project), else NULL */
	char *project;
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
 * Ask the Docker API at the unix socket path (Docker's or Podman's) for
 * the running containers attached to a macvlan or ipvlan network and their
 * namespaces, and append them to *l tagged runtime rt (enum
 * docker_runtime).  0, -ENOENT (no socket: nothing appended, as
 * docker_read()), -ECONNREFUSED, -ETIMEDOUT, -ENOMEM, -E2BIG past
 * SANDBOX_MAX, -EBADMSG.  Whatever was appended stays *l's on error.
 */
int sandbox_read(const char *path, uint8_t rt, struct sandbox_list *l);
/*
 * One instance of LXD's GET /1.0/instances?recursion=1 answer (an object
 * of its "metadata"): 1 and *out (pid 0, key NULL) when it is a running
 * container with a nic device of nictype macvlan or ipvlan, or one whose
 * "network" names a managed network of type macvlan in nets (the GET
 * /1.0/networks?recursion=1 answer; NULL: none); 0 when it does not
 * qualify (a virtual machine has no namespace of this host); -EBADMSG
 * (not an object with a name), -ENOMEM.
 */
int sandbox_lxd_parse(const char *json, size_t len, const char *nets,
		      size_t nlen, uint8_t rt, struct sandbox *out);
/*
 * sandbox_read() for the API of LXD or Incus at the unix socket sock:
 * every project's qualifying instances (sandbox_lxd_parse()), each with
 * its init's PID from GET /1.0/instances/NAME/state (one whose PID cannot
 * be had is left out: it stopped meanwhile).  The same returns.
 */
int sandbox_read_lxd(const char *sock, uint8_t rt, struct sandbox_list *l);
/* Order *l by name (then runtime): the order of the rows and notes. */
void sandbox_sort(struct sandbox_list *l);
void sandbox_clear(struct sandbox *s);
/* Frees and zeroes; accepts NULL. */
void sandbox_release(struct sandbox_list *l);

#endif
