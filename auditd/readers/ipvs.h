/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipvs.h - IPVS virtual services and their real servers, from the generic
 * netlink family "IPVS" (linux/ip_vs.h): IPVS_CMD_GET_SERVICE dumped, then
 * IPVS_CMD_GET_DEST for each service.
 *
 * IPVS takes the packets of a service at LOCAL_IN, after the filter INPUT
 * chains, and sends them to its real servers instead of a local socket:
 * the engine reports them as forwarded to those servers ("via ipvs").
 *
 * A kernel without IPVS (CONFIG_IP_VS unset, module not loaded) has no
 * such family: nothing is read, nothing recorded, nothing noted.
 */
#ifndef FWAUDIT_IPVS_H
#define FWAUDIT_IPVS_H

#include <stdio.h>

#include "host.h"

#define IPVS_SVC_MAX	65536	/* services of one namespace */
#define IPVS_DEST_MAX	4096	/* real servers of one service */
#define IPVS_RECORD_ENV	"FWAUDIT_IPVS_RECORD"

/*
 * Read the IPVS services of the caller's network namespace into h
 * (h->ipvs, h->nipvs), recording the service and destination dumps to the
 * file named by FWAUDIT_IPVS_RECORD when it is set (nothing is written
 * when the kernel has no IPVS).  A dump that is refused (-EPERM without
 * CAP_NET_ADMIN) or fails otherwise leaves no service and its negative
 * errno in h->ipvs_error, for a note: returns 0 then.  Returns -ENOMEM, or
 * the error of the recording file, as failures.
 */
int ipvs_read(struct host *h);
/* The same into *svc, *n (what they held is freed) and *err, recording to
 * the file named by the environment variable env (swarm.c's sandbox). */
int ipvs_read_into(const char *env, struct host_ipvs_svc **svc, size_t *n,
		   int *err);

/* Read the services of a recording at path (what ipvs_read() recorded)
 * into h, replacing any.  0 or a negative errno (-EBADMSG for a malformed
 * recording; nothing is changed then).  A recorded refusal sets
 * h->ipvs_error as the live read did and returns 0. */
int ipvs_replay(struct host *h, const char *path);

/* The same from a recording in memory (buf, len bytes): the unit tests'
 * and the fuzzer's seam. */
int ipvs_replay_buf(struct host *h, const void *buf, size_t len);
/* ipvs_replay_buf() into *svc, *n, *err as ipvs_read_into() fills them. */
int ipvs_replay_into(const void *buf, size_t len, struct host_ipvs_svc **svc,
		     size_t *n, int *err);
/* ipvs_replay() into *svc, *n, *err. */
int ipvs_replay_file(const char *path, struct host_ipvs_svc **svc,
		     size_t *n, int *err);
/* Free n services and their real servers; accepts NULL. */
void ipvs_svcs_free(struct host_ipvs_svc *svc, size_t n);

/* Free h's services (and their real servers); h->nipvs becomes 0. */
void ipvs_free(struct host *h);

/* "masq", "local", "tunnel", "route", "bypass" */
const char *ipvs_fwd_name(uint8_t fwd);
/* A tunnel real server's encapsulation (host_ipvs_dest.tun_type, and the
 * UDP port of GUE) into buf: "ipip", "gue udp/6080", "gre", "type 7". */
void ipvs_tun_text(uint8_t type, uint16_t port, char *buf, size_t size);

#endif
