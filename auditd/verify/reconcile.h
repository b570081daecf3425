/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reconcile.h - the model against what the probes met (`fwaudit verify`):
 * each probe confirmed, or the side that is wrong named; findings grouped
 * by cause; the policy's violations marked confirmed by packets or not;
 * the text and JSON of verify, both from one struct recon.
 *
 * A probe got in when the host's stack answered it: a TCP handshake (or a
 * reset right after one), a TCP RST, a UDP answer or an ICMP port
 * unreachable - except that an RST or a port unreachable is also what a
 * reject rule sends, so where the model drops the probe with a reject
 * they count as the firewall's answer.
 *
 * A TCP answer's TTL tells whose it is: an RST that arrives with another
 * TTL than the host's own SYN-ACKs did comes from something between (a
 * router's reject), so it neither proves the probe got in nor that
 * fwaudit is wrong: those probes make one FINDING_REJECTED.
 *
 *   model closed, the probe got in      -> RECON_WRONG (fwaudit is wrong)
 *   model lets in, no packet arrived    -> RECON_BLOCKED (something
 *                                          between filters: a security
 *                                          group, an upstream firewall)
 *   a UDP listener or backend silent    -> RECON_UNKNOWN (it need not
 *                                          answer)
 *   the piece was `possible`            -> RECON_UNDECIDED (the packet
 *                                          says which way it went)
 *   otherwise                           -> RECON_CONFIRMED
 *
 * Library code: never prints except into the FILE it is given.
 */
#ifndef FWAUDIT_RECONCILE_H
#define FWAUDIT_RECONCILE_H

#include <stdio.h>

#include <jansson.h>

#include "audit.h"
#include "pick.h"

enum recon_kind {
	RECON_CONFIRMED,
	RECON_WRONG,
	RECON_BLOCKED,
	RECON_UNDECIDED,
	RECON_UNKNOWN,
	RECON_NKINDS
};

struct recon_probe {
	enum recon_kind kind;
	bool got_in;
	/* an RST with another TTL than the host's own answers (its
	 * SYN-ACKs): sent by something between, nearer than the host */
	bool foreign;
	const char *note;	/* static text, or NULL */
};

enum recon_finding_kind {
	FINDING_WRONG,		/* fwaudit's model is wrong */
	FINDING_UPSTREAM,	/* something between filters */
	FINDING_REJECTED,	/* something between answers with RSTs */
};

/* One cause: the probes (indexes into the pick's list) of one target. */
struct recon_finding {
	enum recon_finding_kind kind;
	size_t target;
	size_t nprobes;
	size_t *probes;
	uint8_t ttl, host_ttl;	/* FINDING_REJECTED: the first RST's TTL
				 * and the host's answers' */
};

enum recon_seen {
	SEEN_NOT_PROBED,	/* no probe from the vantage falls in it */
	SEEN_CONFIRMED,		/* a probe got in */
	SEEN_NOT_REACHED,	/* the probes did not get in */
};

/* A `require` (one protocol and port range, pick's want) as seen from
 * the vantage. */
struct recon_require {
	bool met;			/* by the model */
	enum recon_seen seen;
};

struct recon {
	size_t n;			/* = the pick's probes */
	struct recon_probe *p;
	size_t counts[RECON_NKINDS];
	size_t nfindings;
	struct recon_finding *findings;
	size_t nviolations;		/* = the audit's violations */
	enum recon_seen *seen;
	size_t nrequires;		/* = the pick's wants */
	struct recon_require *requires;
	/* of the confirmed violations and the requires not reached */
	enum policy_severity worst;
};

/* Reconcile the results in pk->list with the model (pk->expect) and the
 * audit r's violations (vantage sources t[0..nt)), and the requires of
 * policy pol (pk->want; pol NULL: none).  0 and *out (recon_release()),
 * or -ENOMEM. */
int recon_build(const struct pick *pk, const struct pick_target *t,
		size_t nt, const struct audit_result *r,
		const struct policy *pol, struct recon *out);
void recon_release(struct recon *rc);

/* 3 when fwaudit is wrong, else the worst confirmed violation or
 * require not reached: 0, 1, 2. */
int recon_exit_status(const struct recon *rc);

/* "confirmed", "fwaudit-wrong", "filtered-between", "undecided",
 * "unknown" */
const char *recon_kind_name(enum recon_kind k);

/* Text for people, and the JSON object of `verify --format json`
 * (version 1).  vantage names the vantage ("netns NS", "ssh://host");
 * bundle is the reproducer's path or NULL. */
int recon_text(const struct recon *rc, const struct pick *pk,
	       const struct pick_target *t, size_t nt,
	       const struct audit_result *r, const char *vantage,
	       const char *bundle, FILE *f);
json_t *recon_json(const struct recon *rc, const struct pick *pk,
		   const struct pick_target *t, size_t nt,
		   const struct audit_result *r, const char *vantage,
		   const char *bundle);

#endif
