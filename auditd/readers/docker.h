/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker.h - name a DNAT backend by its container, when the Docker API
 * socket can be reached.
 */
#ifndef FWAUDIT_DOCKER_H
#define FWAUDIT_DOCKER_H

#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

struct docker_container {
	uint8_t family;		/* AF_INET / AF_INET6 */
	rs_u128 addr;		/* the container's address on one network */
	char *name;		/* without the leading '/' */
	char *image;
};

struct docker_map {
	size_t n;
	struct docker_container *c;
};

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
/* Parse a /containers/json answer (the unit tests' seam). */
int docker_parse(const char *json, size_t len, struct docker_map *out);
/* Add to *m the endpoints of one /networks/ID answer that *m does not hold
 * yet, named by the endpoint and imaged from the /containers/json answer
 * containers (endpoints of containers it does not list are skipped).
 * 0, -ENOMEM, -EBADMSG. */
int docker_parse_network(const char *json, size_t len, const char *containers,
			 size_t clen, struct docker_map *m);
const struct docker_container *docker_find(const struct docker_map *m,
					   uint8_t family, rs_u128 addr);
void docker_release(struct docker_map *m);

#endif
