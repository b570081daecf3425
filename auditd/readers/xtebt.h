/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xtebt.h - the bridge family's own match and target blobs (ebtables'
 * extensions: pkttype, mark_m, vlan, arp, stp, among, limit; the targets
 * mark, redirect, snat), decoded for both readers of bridge rules: the
 * ebtables-legacy blobs (ebtleg.c) and the compat expressions ebtables-nft
 * writes into nft bridge tables (nft_expr.c), through xt.c's dispatch.
 *
 * Each blob is the kernel's struct (include/uapi/linux/netfilter_bridge/
 * ebt_*.h) laid out as on this machine, and means what
 * net/bridge/netfilter/ebt_*.c makes of it.
 */
#ifndef FWAUDIT_XTEBT_H
#define FWAUDIT_XTEBT_H

#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

/*
 * Decode match (or target) @name revision @rev of the bridge family into
 * @r.  Returns 0, -ENOENT when @name is none of the extensions decoded
 * here (the caller goes on as for any family), -EINVAL when the blob's
 * size or values are ones the kernel refuses (*why says which; @r may hold
 * part of it: the caller truncates), or -ENOMEM.
 */
int xtebt_match(struct rs_rule *r, const char *name, uint8_t rev,
		const void *data, size_t len, const char **why);
int xtebt_target(struct rs_rule *r, const char *name, uint8_t rev,
		 const void *data, size_t len, const char **why);

/* ebtables' standard verdicts EBT_ACCEPT .. EBT_RETURN as @r's verdict:
 * 0, or -EINVAL for any other value (a jump offset, or one the kernel
 * refuses: the caller's to tell). */
int xtebt_verdict(struct rs_rule *r, int verdict);

#endif
