/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probelist.h - the probes `fwaudit verify` asks a vantage to send, and
 * their results: the JSON that `fwaudit probe` reads on standard input and
 * writes on standard output (doc/fwaudit.8, "PROBE LISTS").
 *
 *   {"version": 1, "probes": [
 *     {"family": "ipv4", "protocol": "tcp", "address": "198.51.100.1",
 *      "port": 22, "sport": 44444},		sport optional (0: any)
 *     ...]}
 *
 * A result list is the same object with, in each probe, "result" (see
 * probe_result_name()), "answered" (the listener itself answered: a TCP
 * connection accepted, a UDP datagram back), "tries", "ms" and, when
 * the prober saw it, "ttl" (of a TCP answer, as it arrived).
 *
 * The text is outside input (from stdin, or from another machine over
 * ssh): bounded (PROBELIST_MAX probes, PROBELIST_BYTES_MAX bytes), every
 * member type- and range-checked, unknown members refused.  Library code:
 * never prints; 0 or a negative errno.
 */
#ifndef FWAUDIT_PROBELIST_H
#define FWAUDIT_PROBELIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ruleset.h"

#define PROBELIST_VERSION	1
#define PROBELIST_MAX		4096		/* probes in one list */
#define PROBELIST_BYTES_MAX	(4u << 20)	/* bytes of one list */

enum probe_result {
	PROBE_UNSENT,		/* not sent (yet) */
	PROBE_OPEN,		/* got in: TCP handshake (answered), UDP
				 * answer (answered) or ICMP port
				 * unreachable from the host (not answered) */
	PROBE_RESET,		/* TCP: handshake, then reset at once */
	PROBE_CLOSED,		/* TCP: RST (ECONNREFUSED) */
	PROBE_FILTERED,		/* TCP: no answer within the timeout */
	PROBE_SILENT,		/* UDP: no answer, no ICMP, after repeats */
	PROBE_UNREACHABLE,	/* an ICMP error other than port
				 * unreachable: host, network, prohibited */
	PROBE_ERROR,		/* could not be sent (errno in error) */
};

struct probe {
	uint8_t family;		/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	uint8_t proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	rs_u128 addr;		/* destination */
	uint16_t port;		/* destination port, 1-65535 */
	uint16_t sport;		/* source port, 0: the vantage's choice */
	/* the results */
	enum probe_result result;
	bool answered;
	int error;		/* positive errno of ERROR / UNREACHABLE */
	unsigned int tries;
	unsigned int msec;	/* from the first send to the result */
	/* TCP: the TTL (hop limit) the first answer (SYN-ACK or RST)
	 * arrived with, 0 unknown: an RST from a router between is
	 * nearer than the host */
	uint8_t ttl;
};

struct probelist {
	size_t n;
	struct probe *p;
};

/* "unsent", "open", "reset", "closed", "filtered", "silent",
 * "unreachable", "error" */
const char *probe_result_name(enum probe_result r);
/* "tcp" / "udp"; "ipv4" / "ipv6" */
const char *probe_proto_name(uint8_t proto);
const char *probe_family_name(uint8_t family);

/*
 * Parse a probe list from buf[0..len).  With results, each probe must
 * carry its result members too (a list `fwaudit probe` wrote), else they
 * are refused.  0 and *out (probelist_release()), or -EINVAL / -E2BIG
 * with one line in err saying where and what is wrong.
 */
int probelist_parse(const char *buf, size_t len, bool results,
		    struct probelist *out, char *err, size_t errlen);

/* The list as a new JSON object (with the result members when results);
 * NULL on ENOMEM. */
json_t *probelist_json(const struct probelist *l, bool results);
/* One probe as a new JSON object, for verify's own output. */
json_t *probe_json(const struct probe *p, bool results);

/* Append a probe (results zeroed); -E2BIG beyond PROBELIST_MAX. */
int probelist_add(struct probelist *l, const struct probe *p);
void probelist_release(struct probelist *l);

#endif
