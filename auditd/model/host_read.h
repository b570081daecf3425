/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * host_read.h - PRIVATE to the host model and its readers (model/host.c,
 * readers/link.c, readers/sockets.c) and to the unit tests that build
 * hosts by hand: how a reader fills a struct host.  Everyone else reads a
 * host through host.h and never grows its arrays.
 */
#ifndef FWAUDIT_HOST_READ_H
#define FWAUDIT_HOST_READ_H

#include <stddef.h>
#include <stdio.h>

#include "host.h"

/* One netlink read of host facts into a fresh host, recorded to rec (may
 * be NULL); -EINTR when the kernel flagged a dump interrupted. */
typedef int (*host_read_once_fn)(struct host *tmp, FILE *rec, void *data);

/* Call once on a fresh host until it is not interrupted, at most
 * NLD_INTR_RETRIES times (then -EINTR), with the conversation recorded to
 * the file named by the environment variable env when set (truncated per
 * attempt: only the one that succeeded stays).  0 and *out (the caller
 * frees it), or a negative errno and nothing allocated. */
int host_read_retry(const char *env, host_read_once_fn once, void *data,
		    struct host **out);

/* Sort links by ifindex and listeners by (family, proto, port, addr,
 * bound_ifindex), merging duplicates (SO_REUSEPORT groups).  Called by
 * the readers after a complete read. */
void host_links_sort(struct host *h);
void host_listeners_dedupe(struct host *h);

/* Grow an array of *n elements of size elem to hold one more, bounded by
 * max; returns the new zeroed element or NULL (errno ENOMEM / E2BIG). */
void *host_array_add(void **array, size_t *n, size_t elem, size_t max);

#endif
