/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prober.h - send a probe list from this machine (`fwaudit probe`) and
 * record what each probe met.
 *
 * TCP: a non-blocking connect() with SO_LINGER 0 (closing sends a RST, so
 * no TIME_WAIT is left to collide with the next run).  The kernel's own
 * SYN retransmissions run within the timeout.  Completed: the connection
 * is watched for a short settle time; reset within it -> PROBE_RESET (the
 * host took the handshake, then refused the connection: a proxy without
 * a backend), else PROBE_OPEN, answered.  ECONNREFUSED -> PROBE_CLOSED;
 * another ICMP error -> PROBE_UNREACHABLE; nothing -> PROBE_FILTERED.
 *
 * UDP: a connected socket with IP_RECVERR sends one datagram (a DNS query
 * to port 53, an NTP request to 123, a short text elsewhere); a datagram
 * back -> PROBE_OPEN, answered; ICMP port unreachable -> PROBE_OPEN, not
 * answered (the datagram got in and nothing listens); another ICMP error
 * -> PROBE_UNREACHABLE; silence -> sent again, up to tries times, then
 * PROBE_SILENT.  Datagrams are sent one every udp_interval_ms: the host
 * sends its ICMP errors under the kernel's icmp_ratelimit (one a second
 * per peer by default, after a burst), so a faster sender would read the
 * rate limit as silence.
 *
 * Library code: never prints.
 */
#ifndef FWAUDIT_PROBER_H
#define FWAUDIT_PROBER_H

#include "probelist.h"

struct prober_opts {
	unsigned int timeout_ms;	/* per try; default 4000 */
	unsigned int settle_ms;		/* TCP: watch a connection; 300 */
	unsigned int udp_interval_ms;	/* between datagrams; 1000 */
	unsigned int udp_tries;		/* 3 */
	unsigned int tcp_interval_ms;	/* between connects; 5 */
	unsigned int parallel;		/* probes in flight; 64 */
};

/* The defaults above. */
void prober_opts_default(struct prober_opts *o);

/*
 * Send every probe of l and write its result members.  Returns 0 (each
 * probe has a result, PROBE_ERROR with its errno when it could not be
 * sent), or a negative errno when nothing could be waited for.
 */
int prober_run(struct probelist *l, const struct prober_opts *o);

/*
 * The source address this machine would use towards dst (the route's
 * preferred source; no packet is sent: a UDP socket is connected and
 * asked).  0 and *src, -ENETUNREACH (no route) or another negative errno.
 */
int prober_source_for(uint8_t family, rs_u128 dst, rs_u128 *src);

#endif
