/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redact.h - `fwaudit snapshot --redact`: a snapshot document with its
 * host name, process names, container names and every address outside
 * the blocks kept as they are (loopback, link-local, multicast, the
 * documentation blocks, 0/8, 240/4, ::, ::1) replaced consistently, so
 * that its audit is the live audit with the same replacement applied
 * (doc/snapshot.md, "--redact").
 *
 * The address map is a prefix-preserving permutation (Crypto-PAn style):
 * bit i of an address is flipped by a keyed function of its first i bits,
 * so two addresses share exactly as many leading bits after the map as
 * before, every prefix maps onto a prefix of the same length, and the
 * private blocks (10/8, 172.16/12, 192.168/16, 100.64/10, 198.18/15,
 * fc00::/7) map into themselves.  A node of the address tree can be
 * "pinned" (never flipped): the path above every bound of a range that is
 * not a prefix is pinned, so the range maps onto itself (and its bounds are
 * kept, as the document's notes say).
 *
 * Where the bytes sit: the rtnetlink and sock_diag recordings at fixed
 * places; inside nftables rules by interpreting the rule's register
 * machine (network-header payloads, ct addresses, immediates used by nat,
 * bitwise prefix masks, cmp, range, lookup) and set elements by the set's
 * key and data types; compat matches iprange, conntrack and the NAT
 * targets by their blobs; the texts (x_tables saves, nft listings) by
 * their address tokens.  A construct whose addresses cannot be told, or
 * not mapped without changing what it matches, makes the redaction fail
 * with a message naming it: a snapshot is never half redacted.
 *
 * Error idiom: 0 or a negative errno, a message in err on failure.
 * Library code: never prints.
 */
#ifndef FWAUDIT_REDACT_H
#define FWAUDIT_REDACT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define REDACT_KEY_SIZE	32

struct redact;

/* A map keyed by key (REDACT_KEY_SIZE random bytes).  0 or -ENOMEM. */
int redact_new(const uint8_t *key, struct redact **out);
void redact_free(struct redact *r);

/*
 * Redact the snapshot document doc (snapfile.h, any version this fwaudit
 * reads) in place: names, and the addresses of every member; adds the
 * member "redaction" with its notes.  On failure doc may be half changed:
 * the caller drops it.  Pins found in doc stay in r (for redact_map_doc()).
 */
int redact_snapshot(struct redact *r, json_t *doc, char *err, size_t errlen);

/*
 * The map as a JSON object (the key and the pins) that redact_load()
 * reads back: whoever holds it can undo the redaction, and a test maps the
 * live audit with it.  NULL on -ENOMEM.
 */
json_t *redact_map_doc(const struct redact *r);
int redact_load(const json_t *map, struct redact **out, char *err,
		size_t errlen);

/*
 * Map the address token in ("A", "A/LEN", both families) into out.
 * 0, -EINVAL when in is not such a token, -ENOSPC when out is short.
 */
int redact_map_token(const struct redact *r, const char *in, char *out,
		     size_t outlen);

/*
 * Map every address in the text in[0..len) (iptables-save, nft list
 * output, ...) into a new NUL-terminated *out.  0 or a negative errno.
 */
int redact_text(struct redact *r, const char *in, size_t len, char **out,
		size_t *outlen, char *err, size_t errlen);

#endif
