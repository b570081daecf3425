/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * choice.h - the header values a packet's sender chooses.
 *
 * A stranger sends whatever first packet gets through: its TTL, TOS,
 * length, IPv4 options, IPv6 extension headers, TCP flags beyond SYN and
 * TCP options are its own choice, within what the host's stack still
 * delivers to a socket.  A drop the sender can avoid closes nothing, an
 * accept it can satisfy opens the port.  So a rule matching such a field
 * does not make the engine guess: it forks the probes into those that
 * match and those that do not, each side carrying the values it commits the
 * sender to, and a side no value satisfies ends there.
 *
 * A struct choice is that commitment: per field, the values still open.
 * It is immutable; every operation makes a new one through the caller's
 * allocator (the engine's arena), so branches share them freely.  NULL is
 * the empty commitment: every value of every field's domain.
 */
#ifndef FWAUDIT_CHOICE_H
#define FWAUDIT_CHOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"
#include "strbuf.h"

/* Which packet the sender is choosing for: the domain of each field. */
struct choice_dom {
	uint8_t family;		/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	uint8_t proto;		/* IPPROTO_TCP / UDP / SCTP */
	bool established;	/* the handshake's ACK, not the first packet */
	bool forwarded;		/* past the routing decision, forwarded: the
				 * TTL is above 1 */
};

struct choice;

/* Allocate size bytes that live as long as the choices made with them;
 * NULL on failure. */
typedef void *(*choice_alloc_fn)(void *ctx, size_t size);

/* Is f a field the sender chooses (RS_F_IP_TTL .. RS_F_TCP_MSS and
 * RS_F_TCP_FLAGS)? */
bool choice_field(enum rs_field f);

/* Most alternatives one split yields on a side (a negated multi-bit mask
 * is one alternative per bit). */
#define CHOICE_ALT_MAX	8

/*
 * Split commitment c by match m, whose single field is a choice field, for
 * a packet of domain d.  The match compares the field's value plus shift
 * (-1: the TTL a forwarded packet has after the routing decision) with its
 * elements or mask.  yes[0..*nyes) get the commitments under which m holds,
 * no[0..*nno) those under which it does not; each list holds only
 * satisfiable ones (an empty list: that side cannot happen), at most
 * CHOICE_ALT_MAX.  An unchanged side gets c itself.  Returns 0, 1 when the
 * match cannot be split this way (the caller then treats it as
 * undecidable), or -ENOMEM.
 */
int choice_split(const struct choice_dom *d, const struct choice *c,
		 const struct rs_match *m, int shift,
		 choice_alloc_fn alloc, void *actx,
		 const struct choice **yes, size_t *nyes,
		 const struct choice **no, size_t *nno);

/*
 * Commit c further to value field f in [lo, hi] (the stack's own limits,
 * such as a TTL above 1 to be forwarded).  *out gets the new commitment,
 * or NULL when no value is left.  Returns 0 or -ENOMEM.
 */
int choice_restrict(const struct choice_dom *d, const struct choice *c,
		    enum rs_field f, uint32_t lo, uint32_t hi,
		    choice_alloc_fn alloc, void *actx,
		    const struct choice **out);

/* Does match m (one choice field) hold for every value c leaves (1), for
 * none (0), or for some (-1)?  The cheap question before a split: a
 * "--syn" meets every first packet, whatever else the sender chose. */
int choice_uniform(const struct choice_dom *d, const struct choice *c,
		   const struct rs_match *m, int shift);

/* Can one packet satisfy both a and b? */
bool choice_compatible(const struct choice *a, const struct choice *b);
/* Do a and b commit to the same values? */
bool choice_equal(const struct choice *a, const struct choice *b);
/* A hash of what choice_equal() compares. */
uint64_t choice_hash(const struct choice *c);

/* Append what c commits to, for people: "ttl 5-255, rt type missing"
 * (fields left at their whole domain are not named; nothing for NULL). */
void choice_describe(const struct choice_dom *d, const struct choice *c,
		     struct strbuf *out);

#endif
