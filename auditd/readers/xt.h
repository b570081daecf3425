/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xt.h - decoders for x_tables match and target blobs.
 *
 * One set of decoders serves both readers: legacy.c hands them the payload
 * of each struct xt_entry_match / xt_entry_target of an ipt_entry or
 * ip6t_entry, nft_expr.c the NFTA_MATCH_INFO / NFTA_TARGET_INFO of the compat
 * "match" and "target" expressions that iptables-nft emits.  The blob is the
 * kernel's struct for that name and revision (struct xt_tcp, struct
 * xt_conntrack_mtinfo3, ...), laid out as on this machine.
 */
#ifndef FWAUDIT_XT_H
#define FWAUDIT_XT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

/*
 * Decode match @name revision @rev into matches appended to @r.  @family is
 * NFPROTO_IPV4 or NFPROTO_IPV6 (it selects icmp vs icmp6, address widths).
 * A match we do not know, a revision we do not know, or a blob whose size
 * does not fit the kernel struct becomes one RS_F_UNKNOWN match with its
 * name and revision: never dropped, never guessed.  A match that carries no
 * condition (comment) sets r->comment instead.
 * Returns 0 or -ENOMEM.
 */
int xt_decode_match(struct rs_rule *r, uint8_t family, const char *name,
		    uint8_t rev, const void *data, size_t len);

/*
 * Decode target @name revision @rev: a terminal target sets r->verdict
 * (DNAT, SNAT, MASQUERADE, REDIRECT, REJECT, NFQUEUE, TPROXY, ...), a
 * non-terminal one (LOG, MARK, CONNMARK, CT, ...) appends an rs_stmt.  The
 * standard target ("" / "ACCEPT"...) is not handled here: its verdict is an
 * integer only the reader can resolve.  Unknown targets become RS_V_OTHER
 * with name and revision.  Returns 0 or -ENOMEM.
 */
int xt_decode_target(struct rs_rule *r, uint8_t family, const char *name,
		     uint8_t rev, const void *data, size_t len);

/*
 * Helpers shared with the legacy reader, for the address and interface
 * tests of an ipt_entry / ip6t_entry header and of matches that use the
 * same encoding.
 *
 * xt_add_addr_match: append "(field & mask) == (addr & mask)" (negated with
 * @invert) for an @alen-byte (4 or 16) network-order address and mask: an
 * interval when the mask is a prefix, an RS_OP_MASK_* match otherwise,
 * nothing for mask 0 without @invert.  Returns 0, -ENOMEM, or -EINVAL for
 * another @alen.
 *
 * xt_add_ifname_match: append the kernel's masked 16-byte interface name
 * test (iniface/iniface_mask as iptables fills them): an exact name, a "+"
 * prefix, or for a mask iptables never writes an RS_OP_MASK_* match on the
 * name key; nothing for an all-zero mask without @invert.  @name and @mask
 * are RS_IFNAMSIZ bytes.  Returns 0 or -ENOMEM.
 */
int xt_add_addr_match(struct rs_rule *r, enum rs_field f, const void *addr,
		      const void *mask, size_t alen, bool invert);
int xt_add_ifname_match(struct rs_rule *r, enum rs_field f, const char *name,
			const unsigned char *mask, bool invert);
/* append "(fields...) in elements" (not in, with @invert): @iv holds
 * @nelems * @nfields intervals, element-major; copied.  Returns 0, -E2BIG
 * or -ENOMEM. */
int xt_add_in(struct rs_rule *r, const enum rs_field *fields,
	      uint8_t nfields, const struct rs_interval *iv, size_t nelems,
	      bool invert);
/* append "(field & mask) == value" (!= with @invert), value as given: one
 * with bits outside the mask never matches, as in the kernel's tests.
 * Returns 0 or -ENOMEM. */
int xt_add_mask(struct rs_rule *r, enum rs_field f, rs_u128 mask,
		rs_u128 value, bool invert);

#endif
