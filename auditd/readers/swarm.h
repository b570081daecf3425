/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * swarm.h - Docker Swarm's routing mesh: the ingress sandbox namespace.
 *
 * A port published by a Swarm service is DNATed by the host's
 * DOCKER-INGRESS chain to the ingress sandbox's address on
 * docker_gwbridge (every local IPv4 address, IPv4 only).  In the sandbox
 * a mangle PREROUTING rule marks it ("-p tcp --dport 8080 -j MARK
 * --set-mark 256") and an IPVS fwmark service with that mark sends it to
 * the service's tasks (moby libnetwork, service_linux.go).  swarm.c enters
 * that namespace (setns: CAP_SYS_ADMIN) and reads its IPv4 addresses, the
 * mark rules of its mangle PREROUTING (nftables and legacy x_tables, with
 * the ordinary readers) and its IPVS services.
 */
#ifndef FWAUDIT_SWARM_H
#define FWAUDIT_SWARM_H

#include "host.h"
#include "ruleset.h"

#define SWARM_SBOX_PATH		"/var/run/docker/netns/ingress_sbox"
/* another namespace file instead of SWARM_SBOX_PATH (the tests') */
#define SWARM_SBOX_ENV		"FWAUDIT_SWARM_SBOX"
#define SWARM_IPVS_RECORD_ENV	"FWAUDIT_SWARM_IPVS_RECORD"
#define SWARM_ADDRS_MAX		256
#define SWARM_MARKS_MAX		65536

/*
 * Fill h->swarm when the sandbox namespace exists: present, and either
 * error (it could not be entered or read: -EPERM without CAP_SYS_ADMIN)
 * or its addresses, mark rules and IPVS services (recorded to the file
 * FWAUDIT_SWARM_IPVS_RECORD names, as ipvs_read() does).  The caller's
 * namespace is the same again on return.  0, or -ENOMEM, or -EIO when it
 * could not go back to its own namespace (then nothing read after is
 * about this host: the caller must fail).
 */
int swarm_read(struct host *h);

/*
 * The mark rules of rs's IPv4 mangle PREROUTING base chains into s->marks
 * (replacing them): each rule that sets a constant mark after matching
 * only a protocol, destination ports and destination addresses;
 * s->marks_exact false when another rule there could set a mark (other
 * matches, a mark fwaudit cannot follow, a jump).  0, -ENOMEM or -E2BIG.
 */
int swarm_marks(const struct ruleset *rs, struct host_swarm *s);

/* Fill m->what, explain's step for m. */
void swarm_mark_text(struct host_swarm_mark *m);

/* Free what s holds (addresses, marks, services); zeroes it. */
void swarm_release(struct host_swarm *s);

#endif
