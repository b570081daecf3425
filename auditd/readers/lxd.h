/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lxd.h - instance names for DNAT backends and port-holding forkproxies,
 * from the API of LXD or Incus (the same REST API on a unix socket).
 */
#ifndef FWAUDIT_LXD_H
#define FWAUDIT_LXD_H

#include <stddef.h>

#include <jansson.h>

#include "docker.h"

/*
 * Parse a GET /1.0/instances?recursion=2&all-projects=true answer: each instance's global
 * addresses (state.network.*.addresses) name it as a backend, its proxy
 * devices (expanded_devices: type proxy, listen "tcp:ADDR:PORTS") are its
 * published ports.  Entries are tagged runtime rt.  0 and *out filled (free
 * with docker_release()), -EBADMSG for an answer that is not what the API
 * documents, -ENOMEM, -E2BIG.
 */
int lxd_parse_instances(const char *json, size_t len, uint8_t rt,
			struct docker_map *out);

/*
 * Ask the API at the unix socket sock.  A socket that is absent is -ENOENT
 * without a connection attempt; one that does not answer within a second
 * -ETIMEDOUT / -ECONNREFUSED; *out is empty then.
 */
int lxd_read(const char *sock, uint8_t rt, struct docker_map *out);

/* What an instance (an object of that answer) was made from, for people:
 * its config's image.description, else volatile.base_image, else "". */
const char *lxd_instance_image(json_t *inst);

#endif
