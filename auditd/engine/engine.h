/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine.h - the symbolic walk of probes through the netfilter hooks.
 *
 * A probe is the first packet of a new connection from outside, arriving on
 * an ingress interface and addressed to one of the host's own addresses
 * (doc/HACKING.md, "Words").  The engine walks sets of probes - regions over (ingress
 * interface, destination address, source address, source port,
 * destination port), one walk per family and transport protocol - through
 * every base chain of every source, hook by hook, in priority order, and
 * splits them rule by rule.  What comes out is a partition of the probe
 * space into pieces, each with its fate: dropped, delivered locally (to a
 * listener or to nothing yet), or forwarded after DNAT to a backend.
 *
 * The engine reads only the snapshot (ruleset + host facts); it never asks
 * the kernel and never prints.
 */
#ifndef FWAUDIT_ENGINE_H
#define FWAUDIT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "region.h"
#include "ruleset.h"

struct choice;
struct engine_resume;

/* Where a piece of the probe space ends. */
enum engine_fate {
	ENGINE_DROPPED,		/* a drop/reject, a policy, no route */
	ENGINE_LOCAL,		/* delivered to this host */
	ENGINE_FORWARDED,	/* forwarded after DNAT to a backend, or
				 * routed to a container network (direct) */
};

enum engine_state {
	ENGINE_CLOSED,		/* dropped */
	ENGINE_OPEN,		/* let in, nothing listens yet */
	ENGINE_EXPOSED,		/* let in and something answers */
};

/* A match the engine could not decide, and which way this piece took it. */
struct engine_assumption {
	const struct rs_chain *chain;
	const struct rs_rule *rule;
	const struct rs_match *match;
	bool matched;
	/* a map whose key cannot be decided (match NULL): 1 + the element
	 * this piece took (matched), or 0 for none of them */
	size_t elem;
	/* a program fwaudit cannot read on the ingress link (chain, rule
	 * and match NULL): its XDP program, or with tc its tc ingress
	 * filters; matched means it dropped the packet */
	const struct host_link *xdp;
	bool tc;
	/* a cgroup ingress BPF program in effect for this listener's
	 * cgroup (chain, rule, match and xdp NULL); matched: it drops */
	const struct host_listener *cgroup;
	/* an IPVS fwmark service whose mark a rule sets in a way fwaudit
	 * cannot follow (chain, rule, match, xdp, cgroup NULL); matched:
	 * IPVS takes the packet */
	const struct host_ipvs_svc *ipvs;
	/* a BPF program on a netfilter hook (a netfilter BPF link: chain,
	 * rule, match and xdp NULL); matched: it drops */
	const struct host_nfbpf *nfbpf;
};

/* One step of a piece's path: a rule that decided something, a chain's
 * policy, or the engine's own decision (routing, delivery) in text. */
struct engine_step {
	uint32_t hook;			/* NF_INET_*; ENGINE_HOOK_* below */
	const struct rs_chain *chain;	/* NULL for the engine's own steps */
	const struct rs_rule *rule;	/* NULL: the chain's policy */
	enum rs_verdict_kind verdict;
	const char *what;		/* engine steps: static text */
};

#define ENGINE_HOOK_ROUTING	100	/* the routing decision */
#define ENGINE_HOOK_DELIVERY	101	/* socket lookup / backend */
#define ENGINE_HOOK_XDP		102	/* an XDP program on the link */

enum engine_path {
	ENGINE_PATH_PRE,
	ENGINE_PATH_LOCAL,
	ENGINE_PATH_FORWARD,
};

struct engine_piece {
	uint8_t family;			/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	uint8_t proto;			/* IPPROTO_TCP / UDP / SCTP */
	struct region *region;		/* as the probes arrive */
	enum engine_fate fate;
	enum engine_state state;
	bool possible;			/* another branch disagrees: see
					 * assumptions */
	/* destination after DNAT/REDIRECT (nat true), else as arrived */
	bool nat;
	rs_u128 nat_addr;
	bool nat_port;			/* the port was rewritten */
	bool ct_dnat;			/* the tuple changed: ct status dnat */
	uint16_t nat_port_lo, nat_port_hi;
	int oif;			/* forwarded: outgoing interface, 0 unknown */
	/* addressed to a container network the host routes for (a
	 * neighbour that routes it via this host: direct routing), not to
	 * one of the host's own addresses; the region's destinations are
	 * the containers' addresses */
	bool direct;
	const struct host_listener *listener;	/* ENGINE_LOCAL, else NULL */
	/* FORWARDED by IPVS at LOCAL_IN to this real server of this
	 * service (the host's), else NULL; nat_* stay the probe's own */
	const struct host_ipvs_svc *ipvs_svc;
	const struct host_ipvs_dest *ipvs_dest;
	/* that IPVS is Swarm's ingress sandbox's: the host forwarded the
	 * probes there (DOCKER-INGRESS), not to a local service */
	bool ipvs_sandbox;
	/* where the routing decision sent its probes: ENGINE_PATH_PRE
	 * (dropped before it), ENGINE_PATH_LOCAL (to the host itself: from
	 * LOCAL_IN on), ENGINE_PATH_FORWARD (from FORWARD on): what a change
	 * of one path's chains alone can alter (engine_input.prev) */
	uint8_t path;
	size_t nassumptions;
	struct engine_assumption *assumptions;
	size_t nsteps;
	struct engine_step *steps;
	const char *drop_reason;	/* ENGINE_DROPPED: why, static text */
	/* the header values the sender chose to take this path ("ttl
	 * 5-255, without ip6 extension header fragment"), NULL when the
	 * path does not depend on them (see choice.h) */
	char *chosen;
	const struct choice *choice;	/* the engine's own, inside
					 * engine_run() only */
};

struct engine_linknet {
	rs_u128 lo, hi;			/* the route's destination */
	rs_u128 ifkey;			/* its link, rs_ifname_key() */
};

struct engine_result {
	size_t npieces;
	struct engine_piece *pieces;
	size_t nnotes;
	char **notes;			/* what was assumed, what was skipped */
	bool symbolic;			/* no host facts: interfaces and
					 * addresses are symbolic */
	/* per family (0 IPv4, 1 IPv6), sorted: the source addresses the
	 * kernel never takes from outside (loopback, multicast, the host's
	 * own...).  No piece holds them; a printer may count them in where
	 * that reads simpler ("any" rather than a list of holes). */
	size_t nmartians[2];
	struct rs_interval *martians[2];
	/* the networks the host reaches on a link without a gateway: a
	 * TCP or SCTP probe (local or forwarded) from one of them that
	 * arrived on another link never gets its answer (handshake.c), so a printer may
	 * count them in on such rows as martians */
	size_t nlinknets[2];
	struct engine_linknet *linknets[2];
	/* engine_input.keep_resume: what a later run needs to start its
	 * walks at LOCAL_IN (resume.c), else NULL */
	struct engine_resume *resume;
	/* walks of this run started at LOCAL_IN or FORWARD from
	 * engine_input.prev, of them at FORWARD */
	size_t nresumed, nresumed_fwd;
};

struct engine_input {
	const struct ruleset *rs;
	/* NULL audits the ruleset alone: every interface name, every
	 * address counts as "any local address", forwarding assumed on */
	const struct host *host;
	/* ingress interfaces by name instead of the host's (NULL: default) */
	const char *const *ifaces;
	size_t nifaces;
	/* narrow the probes (explain): 0 = no restriction */
	uint8_t only_family;
	uint8_t only_proto;
	bool only_dport;
	uint16_t dport;
	bool only_saddr;
	rs_u128 saddr;			/* of only_family */
	bool only_daddr;
	rs_u128 daddr;			/* of only_family */
	bool dropped;			/* also return dropped pieces */
	/* walk the first packet of a connection a conntrack helper's
	 * expectation announced (ct state related, ct status expected)
	 * instead of a new one: what a helper can open (cthelper.c) */
	bool related;
	/*
	 * fwauditd, after a change: keep_resume keeps in the result what a
	 * later run needs to start at LOCAL_IN; prev (a result of this
	 * engine over prev_rs, run with keep_resume; both alive until this
	 * run returns, unchanged by it) lets this run start a walk there
	 * when only base chains of the input and output hooks reach what
	 * changed from prev_rs to rs in its family, and take the forward
	 * path's pieces from prev; at FORWARD the same way when only forward
	 * base chains reach it: the result is the whole walk's (resume.c
	 * says why).  The caller vouches that the host facts other than the
	 * listeners are those prev was walked with (the sysctls, interfaces
	 * asked for and, where kept pieces name them, the listeners are
	 * compared here); NULL: whole walks.
	 */
	bool keep_resume;
	const struct engine_result *prev;
	const struct ruleset *prev_rs;
};

/*
 * Walk every probe of every family and protocol (or only those asked for)
 * through the ruleset.  On success *out holds the pieces (free with
 * engine_result_free()): every piece that is let in, and the dropped ones
 * too when in->dropped.  Returns 0, -ENOMEM, or -E2BIG when the walk
 * exceeds its bounds (boxes, branches, jump depth).
 */
int engine_run(const struct engine_input *in, struct engine_result **out);
void engine_result_free(struct engine_result *res);
void engine_resume_free(struct engine_resume *rs);

/*
 * The host's own answer to one probe, walked out through the output path
 * (output and postrouting hooks) as the kernel sends it: a host that
 * drops its own RSTs or ICMP errors there stays silent although the probe
 * got in (`fwaudit verify`).
 */
enum engine_answer {
	ENGINE_ANSWER_RST,	/* TCP, nothing listens: the stack's RST,
				 * ct state established (reply) */
	ENGINE_ANSWER_REJECT_RST, /* a reject's tcp reset: ct state related */
	ENGINE_ANSWER_UNREACH,	/* ICMP (ICMPv6) port unreachable, of the
				 * stack or a reject: ct state related */
};

enum engine_answer_fate {
	ENGINE_ANSWER_LEAVES,	/* the answer leaves the host */
	ENGINE_ANSWER_DROPPED,	/* the host drops it on its way out */
	ENGINE_ANSWER_POSSIBLE,	/* on what fwaudit cannot read */
};

/* One probe as it arrived (addresses and ports of the probe, not of the
 * answer), and the answer the host sends to it. */
struct engine_answer_query {
	uint8_t family;		/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	uint8_t proto;		/* of the probe: IPPROTO_TCP / UDP */
	rs_u128 saddr, daddr;
	uint16_t sport, dport;
	rs_u128 iif;		/* rs_ifname_key() of the ingress link */
	enum engine_answer kind;
};

/* Walk q's answer out of host h (NULL: symbolic) with ruleset rs: 0 and
 * *out, -ENOMEM, or -E2BIG. */
int engine_answer(const struct ruleset *rs, const struct host *h,
		  const struct engine_answer_query *q,
		  enum engine_answer_fate *out);

const char *engine_state_name(enum engine_state s);
const char *engine_fate_name(enum engine_fate f);

#endif
