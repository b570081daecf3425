/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * watch.h - what tells fwauditd that the answer may have changed.
 *
 * Kernel events where the kernel has them: nftables commits (netlink group
 * NFNLGRP_NFTABLES) and rtnetlink changes of links, addresses, routes and
 * rules.  Any rtnetlink message means "audit again"; nftables messages can
 * be judged first (watch_set_nft_filter()).  An overrun receive
 * buffer (ENOBUFS) means events were lost, which also means "audit again".
 *
 * What has no events (listening sockets, legacy x_tables, forwarding
 * sysctls, IPVS) is summarised by watch_fingerprint(), cheap enough for a
 * timer of a few seconds: a sock_diag dump of the listeners without their
 * owners, the x_tables blobs with the packet counters zeroed, three
 * sysctls, and the IPVS services with their real servers (ipvs.c; nothing
 * when the kernel has no IPVS).
 *
 * Error idiom as in ruleset.h.
 */
#ifndef FWAUDIT_WATCH_H
#define FWAUDIT_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#define WATCH_XT_MAX_BLOB	(64u << 20)	/* bytes of one x_tables table */
#define WATCH_READS_MAX		256		/* datagrams per wakeup */

struct watch;

/* Called from the event loop for every batch of kernel events; why is a
 * static string ("nftables", "rtnetlink", "events lost"). */
typedef void (*watch_changed_fn)(void *data, const char *why);

/*
 * Open the event sockets (receive buffer rcvbuf bytes: SO_RCVBUFFORCE when
 * CAP_NET_ADMIN allows, else SO_RCVBUF up to rmem_max) and attach them to
 * e.  fn(data, why) runs on every batch.  0 and a new watch in *out, or a
 * negative errno.
 */
int watch_new(sd_event *e, unsigned int rcvbuf, watch_changed_fn fn,
	      void *data, struct watch **out);
void watch_free(struct watch *w);

/*
 * Judge each nftables message before it counts as a change: a batch whose
 * messages all get false from fn(data, msg, len) calls no watch_changed_fn
 * (see nftev.h).  fn sees every message received, in order.  Lost events (ENOBUFS) always count.  fn NULL: every
 * message counts (the default).
 */
typedef bool (*watch_filter_fn)(void *data, const void *msg, size_t len);
void watch_set_nft_filter(struct watch *w, watch_filter_fn fn, void *data);

/*
 * A 64-bit summary of the listeners, the legacy x_tables, the
 * forwarding sysctls and the IPVS services; equal summaries mean (with overwhelming probability)
 * nothing of that changed.  A part that cannot be read contributes its
 * error, so a lasting error does not look like a change every time.
 * 0 or -ENOMEM.
 */
int watch_fingerprint(struct watch *w, uint64_t *fp);

#endif
