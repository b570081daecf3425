/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtimes.h - the containers of every runtime on this host, named: Docker,
 * Podman (rootful and each user's rootless service), LXD and Incus, each
 * through its own API socket, read-only.
 */
#ifndef FWAUDIT_RUNTIMES_H
#define FWAUDIT_RUNTIMES_H

#include <jansson.h>

#include "docker.h"
#include "host.h"
#include "sandbox.h"
#include "strbuf.h"

/* Users whose rootless Podman and Docker sockets
 * (/run/user/UID/podman/podman.sock, /run/user/UID/docker.sock) are read
 * at most. */
#define RUNTIMES_USERS_MAX	64

/*
 * Read every runtime into *out (free with docker_release()): a runtime
 * whose socket is absent costs a stat() and nothing more; one that does
 * not answer within a second has its error in out->error[] and the others
 * are read all the same.  0, or -ENOMEM (nothing allocated then).
 * Sockets: $DOCKER_HOST or /var/run/docker.sock, then (without
 * $DOCKER_HOST) each user's rootless /run/user/UID/docker.sock;
 * $CONTAINER_HOST or /run/podman/podman.sock, then (without it)
 * /run/user/UID/podman/podman.sock;
 * $LXD_DIR/unix.socket or /var/lib/lxd/unix.socket (else the snap's);
 * $INCUS_DIR/unix.socket or /var/lib/incus/unix.socket.
 * h (may be NULL): the host whose socket owners name the pastas to read.
 */
int runtimes_read(const struct host *h, struct docker_map *out);

/*
 * The running containers of every runtime that are attached to a macvlan
 * or ipvlan network (sandbox.h), by name: Docker's, rootful Podman's, LXD's
 * and Incus's, at the sockets runtimes_read() asks.  A runtime that is
 * absent or does not answer adds none; past SANDBOX_MAX the first are
 * kept.  0 and *out (free with sandbox_release()), or -ENOMEM.
 */
int runtimes_sandboxes(struct sandbox_list *out);

/*
 * The notes of m for people, one per runtime that is there but did not
 * answer ("podman did not answer (Connection timed out): its containers
 * are not named"), appended to b one per line ('\n'-terminated).
 * Returns how many.
 */
size_t runtimes_notes(const struct docker_map *m, struct strbuf *b);

/*
 * A snapshot file's record of what m holds beyond Docker's container list
 * (doc/snapshot.md, "docker": "ports" and "errors", the errors other than
 * 0 and -ENOENT): new JSON, or NULL on ENOMEM.  runtimes_from_json() reads them back into m (either may be
 * NULL: absent); 0, -EBADMSG with what is wrong in err, -ENOMEM, -E2BIG.
 */
json_t *runtimes_ports_json(const struct docker_map *m);
json_t *runtimes_errors_json(const struct docker_map *m);
int runtimes_from_json(const json_t *ports, const json_t *errors,
		       struct docker_map *m, char *err, size_t errlen);

#endif
