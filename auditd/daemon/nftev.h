/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nftev.h - does an nftables change event matter to the audit?
 *
 * fwauditd hears every nf_tables commit (NFNLGRP_NFTABLES: one message per
 * table, chain, rule, set, element or object changed, then NEWGEN).  Most
 * of a busy node's changes cannot alter what a probe meets: kube-proxy
 * fills a chain before it links it, fail2ban fills a set, a front-end makes
 * a chain and its rules in one batch and jumps to it in the next.  Such a
 * message costs no re-read and no walk.
 *
 * A message is judged against the reach of the last model the daemon
 * audited (nftev_reach_new()): the chains a base chain reaches (jumps,
 * gotos, and jump/goto verdicts of the verdict maps those chains use), the
 * sets those chains' rules look up (matches, verdict maps, NAT maps), the
 * tables that hold a base chain.  It does NOT matter, and only then, when:
 *   - it is NEWGEN (the end of a batch);
 *   - it adds or deletes a rule of a chain no base chain reaches;
 *   - it creates (NLM_F_CREATE) a chain without a hook whose name the model
 *     has not got (nothing can jump to a chain older than the jump), or
 *     deletes one no base chain reaches;
 *   - it creates, deletes, or adds or removes elements of a set no
 *     reachable rule looks up;
 *   - it creates or deletes a table that holds no base chain;
 *   - it is a named counter (counters are never part of the answer).
 * Everything else matters, so does anything not understood.  Chains that
 * only OUTPUT / POSTROUTING reach still matter: the engine walks them for
 * the answer of a handshake and for what is forwarded.
 *
 * Why that is exact: a reached chain's rules are the only way to reach a
 * chain or to look up a set, and none of the changes above alters a reached
 * chain's rules, so the reach of the current ruleset equals the model's and
 * what is not reached has no part in the answer.  The caller judges only
 * while the last audit is current (no audit pending or failed): a message
 * that arrives while one is pending is in the read that follows it.
 *
 * Error idiom as in ruleset.h.
 */
#ifndef FWAUDIT_NFTEV_H
#define FWAUDIT_NFTEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

struct nftev_reach;

/* The reach of the nftables part of rs (legacy chains are left out: they
 * send no events).  prev (or NULL): the reach of the model before, whose
 * tables the reader kept (the same packed chains) are taken over instead
 * of walked again; free prev afterwards, it is not valid any more.  0 and
 * *out, or -ENOMEM. */
int nftev_reach_new(const struct ruleset *rs, struct nftev_reach *prev,
		    struct nftev_reach **out);
/* How many tables nftev_reach_new() took over from prev. */
size_t nftev_reach_reused(const struct nftev_reach *r);
void nftev_reach_free(struct nftev_reach *r);
/* Bytes the reach holds (for the daemon's idle size). */
size_t nftev_reach_size(const struct nftev_reach *r);

/*
 * Whether the netlink message nlh (len bytes available) from
 * NFNLGRP_NFTABLES can change the audit, judged against r (NULL: every
 * message matters).  *genid is set from a NEWGEN message (and left alone
 * otherwise).
 */
bool nftev_matters(const struct nftev_reach *r, const void *nlh, size_t len,
		   uint32_t *genid);

/*
 * Which table an nftables message names, for nft_cache_dirty(): 1 and
 * *family, *table (pointing into the message) for a table, chain, rule,
 * set, element, object or flowtable message; 2 and *genid for NEWGEN; 0
 * for anything else (not understood: the caller reads everything).
 */
int nftev_table(const void *nlh, size_t len, uint8_t *family,
		const char **table, uint32_t *genid);

#endif
