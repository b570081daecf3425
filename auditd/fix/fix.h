/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fix.h - the rule that closes a violation, for the backend that owns the
 * path the probes take.
 */
#ifndef FWAUDIT_FIX_H
#define FWAUDIT_FIX_H

#include <stddef.h>

#include "policy.h"
#include "report.h"
#include "ruleset.h"

/* Who should carry the fix. */
enum fix_backend {
	FIX_DOCKER_USER,	/* iptables rules in DOCKER-USER (--ctorigdstport) */
	FIX_NFT_FORWARD,	/* a forward base chain of our own: Docker's
				 * nftables backend, other DNAT backends */
	FIX_UFW,		/* ufw manages INPUT */
	FIX_NFT,		/* a native nftables input chain */
	FIX_IPTABLES,		/* iptables INPUT (legacy or iptables-nft) */
	FIX_FIREWALLD,		/* firewall-cmd rich rules in the zone that
				 * let the probes in */
};

struct fix {
	enum fix_backend backend;
	size_t ncmds;
	char **cmds;		/* shell commands, in order */
	/* ufw, firewalld: the iptables / nft commands with the same effect
	 * on their chains (neither runs in a private namespace: `fwaudit
	 * fix` proves these); 0 for the other backends, whose cmds are their
	 * own proof */
	size_t nproof;
	char **proof;
};

/*
 * The commands that close part of row (its ports, from its sources) and
 * nothing else: probes of other ports, other protocols or other sources
 * keep their fate.  rs is the ruleset the row was found in; the commands
 * are the host's front-end's where one manages the path (ufw, firewalld's
 * zone, DOCKER-USER).  0 and *out (free with fix_free()), or -ENOMEM.
 */
int fix_suggest(const struct ruleset *rs, const struct report_row *row,
		const struct policy_part *part, struct fix **out);
void fix_free(struct fix *f);

/* The sources of row that part does not hold (the ones a fix keeps), as
 * a minimal list of prefixes: 0 and a new array *out of *n strings (free
 * each and the array), or -ENOMEM. */
int fix_keep_sources(const struct report_row *row,
		     const struct policy_part *part, char ***out, size_t *n);
const char *fix_backend_name(enum fix_backend b);

/* The chain whose rule accepted the row's probes at the input hook (the
 * last accept on its path), or NULL; borrowed from the ruleset. */
const struct rs_chain *fix_accepting_chain(const struct report_row *row);

#endif
