/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pick.h - the probes `fwaudit verify` sends: the fewest concrete packets
 * that tell the model's regions apart, as seen from one vantage.
 *
 * For each target (a host address, the vantage's source address towards
 * it, the interface its packets arrive on) and each protocol, the engine
 * walks the probes from that source only (engine_input.only_saddr, with
 * the dropped pieces), and the destination ports at the probes' source
 * port fall into segments: runs of ports with the same fate (closed, open,
 * exposed to the same listener, forwarded to the same backend).  Chosen,
 * in this order, until the bound:
 *   1. the first port of every segment that lets the vantage in
 *      (an exposure), with its source port when it is only open from some;
 *   2. the port just outside it where a closed segment borders it;
 *   3. the ports of listeners the model says the vantage cannot reach;
 *   4. the first port of every closed segment not probed yet.
 * Every probe goes to the target's own address: nothing else is ever
 * chosen.  Library code: never prints; 0 or a negative errno.
 */
#ifndef FWAUDIT_PICK_H
#define FWAUDIT_PICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "policy.h"
#include "probelist.h"

#define PICK_MAX_DEFAULT	2000	/* probes in one verify */
#define PICK_SPORT_DEFAULT	47313	/* the probes' source port */

/* ---- the choice over one target's ports (pure, unit-tested) ---- */

/* A run of destination ports with one fate; cls tells fates apart (the
 * same cls in two adjacent segments is one region). */
struct pick_seg {
	uint16_t lo, hi;
	bool in;		/* the vantage gets in (open, exposed,
				 * forwarded) */
	size_t cls;
};

enum pick_why {
	PICK_EXPOSURE,		/* first port of an exposure */
	PICK_EDGE,		/* closed port bordering an exposure */
	PICK_LISTENER,		/* a listener the model says is closed */
	PICK_CLOSED,		/* first port of a closed region */
	PICK_REQUIRE,		/* first port a `require` asks for */
};

struct pick_port {
	uint16_t port;
	enum pick_why why;
};

/* "exposure", "edge", "listener", "closed", "require" */
const char *pick_why_name(enum pick_why w);

/*
 * Choose ports for segments seg[0..n) (ascending, disjoint; ports no
 * segment covers count as closed) and the ports of listeners nl[0..nnl)
 * the model closes, at most max of them, each once, in the order above.
 * Writes *nout; *nexp and *nclosed count the regions (adjacent segments
 * of one cls are one region).  Returns 0, or 1 when max cut the choice
 * short.
 */
int pick_ports(const struct pick_seg *seg, size_t n, const uint16_t *nl,
	       size_t nnl, size_t max, struct pick_port *out, size_t *nout,
	       size_t *nexp, size_t *nclosed);

/* ---- probes for a host, from the model ---- */

struct pick_target {
	uint8_t family;
	rs_u128 daddr;		/* the host's address */
	rs_u128 saddr;		/* the vantage's source towards it */
	rs_u128 iif;		/* rs_ifname_key() of the ingress link */
	const char *iifname;
};

/* What the model says about one probe. */
struct pick_expect {
	size_t target;
	enum pick_why why;
	const struct engine_piece *piece;	/* NULL: no piece holds it */
	enum engine_state state;	/* CLOSED when no piece */
	enum engine_fate fate;
	bool possible;
	/* dropped by a reject: an RST or ICMP error may be the firewall's
	 * answer, not proof of getting in */
	bool reject;
	/* the host's own answer (an RST, a port unreachable: its stack's
	 * where nothing listens, or the reject's) and what its output path
	 * does with it (engine_answer()); has_answer false: none expected
	 * from the host itself (a drop, a listener, a backend) */
	bool has_answer;
	enum engine_answer answer;
	enum engine_answer_fate answer_fate;
};

struct pick {
	struct probelist list;
	struct pick_expect *expect;	/* list.n of them */
	size_t nengines;
	struct engine_result **engines;	/* the walks the pieces are in */
	size_t nexposures, nclosed;	/* regions over all targets */
	bool truncated;			/* max cut the choice short */
	const struct policy_want *want;	/* pick_opts' (borrowed) */
	size_t nwant;
};

struct pick_opts {
	size_t max;			/* PICK_MAX_DEFAULT when 0 */
	uint16_t sport;			/* PICK_SPORT_DEFAULT when 0 */
	/* the policy's requires: the first port of each is probed from
	 * every target, before the bound */
	const struct policy_want *want;
	size_t nwant;
};

/*
 * Choose the probes for targets t[0..nt) on the host h with ruleset rs,
 * TCP and UDP.  *out is new (pick_release()); it borrows rs and h.
 * 0, -ENOMEM, or the engine's -E2BIG.
 */
int pick_probes(const struct ruleset *rs, const struct host *h,
		const struct pick_target *t, size_t nt,
		const struct pick_opts *o, struct pick *out);
void pick_release(struct pick *p);

#endif
