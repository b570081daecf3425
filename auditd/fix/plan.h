/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plan.h - one plan that closes every violation of an audit, in the
 * host's own front-end (`fwaudit fix`).
 *
 * The front-end is read from the ruleset: ufw's chains, firewalld's
 * table, Docker's chains, else native nftables or iptables.  A published
 * port's violation goes to DOCKER-USER (or an nftables forward chain of
 * our own); a local one to ufw, to the nftables or iptables chain that
 * let it in, or - when nothing filters the input hook at all - to one
 * complete default-drop inbound table that keeps what the policy allows.
 *
 * Each step has the commands for the operator and, when those cannot run
 * in a private namespace (ufw and firewall-cmd need their daemon and
 * configuration), the iptables/nft commands with the same effect on the
 * ruleset, which is what the proof applies (prove.h).
 *
 * Error idiom of the project: 0 or a negative errno; output parameters
 * written only on success; destructors accept NULL; nothing here prints.
 */
#ifndef FWAUDIT_PLAN_H
#define FWAUDIT_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "audit.h"
#include "strbuf.h"

enum plan_frontend {
	PLAN_FE_NONE,		/* nothing filters the input hook */
	PLAN_FE_NFT,		/* native nftables */
	PLAN_FE_IPTABLES,	/* iptables-nft */
	PLAN_FE_LEGACY,		/* iptables-legacy */
	PLAN_FE_UFW,
	PLAN_FE_FIREWALLD,
};

/* "none", "nftables", "iptables", "iptables-legacy", "ufw", "firewalld" */
const char *plan_frontend_name(enum plan_frontend fe);

struct plan_step {
	char *what;		/* one line for people: what it closes */
	size_t ncmds;
	char **cmds;		/* shell commands for the operator, in order */
	size_t nproof;
	char **proof;		/* the same effect in iptables/nft commands
				 * (ufw, firewalld); 0: the proof runs cmds */
	char *nft;		/* the same as nft statements in the plan's
				 * own table (--format nft), or NULL */
	const char *nft_chain;	/* "input" or "forward" */
	size_t nclosed;
	size_t *closed;		/* the violations it closes: indices into
				 * the audit's verdicts->violations */
};

struct plan {
	enum plan_frontend fe;
	bool docker;		/* Docker's chains are there */
	bool default_drop;	/* the input is a new default-drop table */
	size_t nsteps;
	struct plan_step *steps;
	/* violations no step closes, one line each, and their indices
	 * into the audit's verdicts->violations */
	size_t nunfixed;
	char **unfixed;
	size_t *unfixed_viol;
};

/* The front-end that manages the input path of rs. */
enum plan_frontend plan_frontend_detect(const struct ruleset *rs);

/*
 * The plan that closes the violations of r (judged: r->verdicts is not
 * NULL).  0 and a new *out (free with plan_free()); it borrows nothing
 * from r.  -EINVAL when r was not judged, -ENOMEM.
 */
int plan_build(const struct audit_result *r, struct plan **out);
void plan_free(struct plan *p);

/* Whether the plan changes nothing (no violation to close). */
bool plan_empty(const struct plan *p);

/*
 * The plan as text.  plan_sh(): a shell script, each step commented with
 * what it closes (the default-drop table as one atomic `nft -f` here
 * document).  plan_nft(): a file for `nft -f`: the table `inet fwaudit`
 * alone, which closes the violations whatever else the host runs (a drop
 * in any base chain is final).  Appended to b.
 */
void plan_sh(const struct plan *p, struct strbuf *b);
void plan_nft(const struct plan *p, struct strbuf *b);

/* The martian sources the default-drop table drops first, per family
 * (NFPROTO_IPV4 / NFPROTO_IPV6): the kernel never delivers them from
 * outside, so the proof does not miss them.  *n of them, static. */
const char *const *plan_martians(uint8_t family, size_t *n);

#endif
