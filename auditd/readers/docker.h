/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker.h - name a DNAT backend by its container, when the Docker API
 * socket can be reached; the map is shared by every runtime (runtimes.h
 * fills it from Podman, LXD and Incus too) and holds the host ports each
 * runtime publishes, which name the port-holding processes.
 */
#ifndef FWAUDIT_DOCKER_H
#define FWAUDIT_DOCKER_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

/* The runtimes whose containers are named; docker_runtime_name() spells
 * them in text, JSON and snapshot files. */
enum docker_runtime {
	DOCKER_RT_DOCKER,
	DOCKER_RT_PODMAN,
	DOCKER_RT_LXD,
	DOCKER_RT_INCUS,
	DOCKER_RT_NERDCTL,
	DOCKER_RT_CNI,		/* Kubernetes pods, from CNI's result cache */
	DOCKER_RT_LIBVIRT,
	/* not a runtime of containers: a user's pasta forwarding host ports
	 * into a network namespace (pasta.c); its port's "name" says what it
	 * serves (a command, a namespace), never a container */
	DOCKER_RT_PASTA,
	DOCKER_RT_N
};

struct docker_container {
	uint8_t family;		/* AF_INET / AF_INET6 */
	rs_u128 addr;		/* the container's address on one network */
	char *name;		/* without the leading '/' */
	char *image;
	uint8_t runtime;	/* enum docker_runtime */
};

/* A host port a runtime publishes for a container: what a port-holding
 * process (docker-proxy, conmon, rootlessport, lxd forkproxy) listens on. */
struct docker_port {
	uint8_t family;		/* AF_INET / AF_INET6, 0: both */
	rs_u128 addr;		/* the host address, 0: any */
	uint8_t proto;		/* IPPROTO_TCP / _UDP / _SCTP */
	uint16_t port_lo, port_hi;
	char *name;
	char *image;
	uint8_t runtime;	/* enum docker_runtime */
	/* the one process that holds it (a pasta), 0: whichever holder
	 * listens there */
	int32_t pid;
};

struct docker_map {
	size_t n;
	struct docker_container *c;
	size_t nports;
	struct docker_port *ports;
	/* why a runtime's containers are not named (-ETIMEDOUT, ...), or 0;
	 * -ENOENT: the runtime is not there */
	int error[DOCKER_RT_N];
};

/* "docker", "podman", "lxd", "incus", "nerdctl", "cni", "libvirt",
 * "pasta"; NULL out of range. */
const char *docker_runtime_name(unsigned int rt);
/* The runtime of a name, or -EINVAL. */
int docker_runtime_parse(const char *name);

/* The socket: $DOCKER_HOST when it is unix://PATH, else
 * /var/run/docker.sock. */
const char *docker_socket_path(void);

/*
 * Ask the Docker API at the unix socket path for the containers and their
 * addresses (GET /containers/json?all=1, then each network's endpoints, which
 * name a container that is still starting).  A socket that is absent or
 * does not answer within a second is not an error: *out is then empty and
 * the return is -ENOENT / -ECONNREFUSED / -ETIMEDOUT so the caller can say
 * why names are missing.  0 on success, -ENOMEM, -EBADMSG for an answer
 * that is not what the API documents.
 */
int docker_read(const char *path, struct docker_map *out);
/* GET path (e.g. "/1.0/instances") from an HTTP API on the unix socket
 * sock, within a second: 0 and the answer in *buf (NUL-terminated, free()
 * it), -ENOENT (no socket), -ECONNREFUSED, -ETIMEDOUT, -EBADMSG (not a 200
 * answer, or over 16 MiB), -ENOMEM. */
int docker_unix_get(const char *sock, const char *path, char **buf,
		    size_t *len);
/* Parse a /containers/json answer (the unit tests' seam); also Podman's
 * Docker-compatible one.  Published ports (Ports[]: IP, PublicPort, Type)
 * go to out->ports. */
int docker_parse(const char *json, size_t len, struct docker_map *out);
/* Add to *m the endpoints of one /networks/ID answer that *m does not hold
 * yet, named by the endpoint and imaged from the /containers/json answer
 * containers (endpoints of containers it does not list are skipped).
 * 0, -ENOMEM, -EBADMSG. */
int docker_parse_network(const char *json, size_t len, const char *containers,
			 size_t clen, struct docker_map *m);
const struct docker_container *docker_find(const struct docker_map *m,
					   uint8_t family, rs_u128 addr);
/* comm is a process that holds a published port on the host for a
 * container (docker-proxy, conmon, rootlessport, rootlesskit, slirp4netns,
 * pasta/passt, lxd's and incusd's forkproxy): software's names, which a
 * redacted snapshot keeps. */
bool docker_port_holder(const char *comm);
/* The published port that a listener of comm (process pid) on (family,
 * proto, addr, port) holds for a container, or NULL: only the runtimes' port-holding
 * processes (docker-proxy, conmon, rootlessport, rootlesskit, slirp4netns,
 * pasta, the forkproxy of lxd and incusd) are named, so that a service of
 * the host on the same port is never taken for a container. */
const struct docker_port *docker_find_port(const struct docker_map *m,
					   const char *comm, int32_t pid,
					   uint8_t family, uint8_t proto,
					   rs_u128 addr, uint16_t port);
/* Whether p names a container (every runtime's port but pasta's). */
bool docker_port_container(const struct docker_port *p);
/* Add a container's address / a published port to *m (strings copied;
 * an address already there keeps its first name).  0, -ENOMEM, -E2BIG. */
int docker_add(struct docker_map *m, uint8_t runtime, uint8_t family,
	       rs_u128 addr, const char *name, const char *image);
int docker_add_port(struct docker_map *m, const struct docker_port *p);
/* "tcp", "udp", "sctp" (a published port's type, as the runtimes' APIs
 * spell it) -> IPPROTO_*; 0 for anything else or NULL. */
uint8_t docker_port_proto(const char *type);
/* Move everything src holds into dst, tagged as runtime rt (src is left
 * empty).  0, -ENOMEM, -E2BIG (dst unchanged then). */
int docker_map_take(struct docker_map *dst, struct docker_map *src,
		    uint8_t rt);
/* opendir(path) for a runtime read from its files: a directory fwaudit
 * may not read (EACCES, EPERM: fwauditd under its unit has CAP_NET_ADMIN
 * only, and containerd's and libvirt's state is root's) is recorded as
 * m->error[rt], so that the audit says why names are missing; an absent
 * one is not.  NULL when it cannot be opened. */
DIR *docker_map_opendir(struct docker_map *m, uint8_t rt, const char *path);
/* Frees what m holds and zeroes it (errors too); accepts NULL. */
void docker_release(struct docker_map *m);

#endif
