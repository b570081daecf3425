/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pasta.h - what a user's pasta serves.  pasta (package passt) forwards
 * host ports into a network namespace from userspace: `pasta -t 8080 --
 * COMMAND` runs COMMAND in a new user and network namespace, `pasta -t
 * 8080 PID` and `pasta -t 8080 --netns PATH` join one.  Its listening
 * sockets on the host are the user's (comm pasta, or passt.avx2, which
 * pasta execs); they are named by what they forward to, never by a
 * container: no runtime says which one, and Podman 4.3 does not use it.
 */
#ifndef FWAUDIT_PASTA_H
#define FWAUDIT_PASTA_H

#include <stddef.h>

#include "docker.h"
#include "host.h"

/* pastas read at most, and processes looked at to find them */
#define PASTA_MAX		64
#define PASTA_PROCS_MAX		(1u << 22)
/* a description is cut to this many bytes (with "...") */
#define PASTA_DESC_MAX		160

/*
 * What the pasta whose command line is argv (len bytes of NUL-separated
 * arguments, as /proc/PID/cmdline) serves, into out (outlen bytes,
 * NUL-terminated, cut with "..."): with child (the command line of the
 * process pasta started, clen bytes; NULL or 0 for none) "command CHILD
 * ARGS"; else "network namespace NAME" for --netns NAME; else "the
 * network namespace of PID N" for a trailing PID.  0, or -ENOENT: not a
 * pasta (passt serves a virtual machine over a socket, not a namespace) or
 * nothing to name; out is written only on success.
 */
int pasta_serves(const char *argv, size_t len, const char *child,
		 size_t clen, char *out, size_t outlen);

/*
 * Every running pasta under proc_root ("/proc") — with h, only the
 * owners of h's sockets (a pasta holding none names nothing: no walk of
 * every process on each audit); without h (another host's copy of /proc,
 * tests), every process: for each, TCP and UDP
 * ports 1-65535 of any address, held by that pid (docker_port.pid), named
 * by what it serves (and a PID it joins by that process's comm: "the
 * network namespace of PID 77 (sleep)"), runtime DOCKER_RT_PASTA, added
 * to *m.  Processes that
 * cannot be read are skipped.  0, -ENOMEM, -E2BIG.
 */
int pasta_read(const char *proc_root, const struct host *h,
	       struct docker_map *m);

#endif
