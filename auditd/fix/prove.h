/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prove.h - prove a plan before it is printed: apply it to a copy of the
 * host's ruleset in a private network namespace and audit again.
 *
 * The copy is the ruleset as the readers see it, saved by the host's own
 * tools (nft list table for native tables, ip[6]tables-nft-save for the
 * x_tables tables of iptables-nft, ip[6]tables-legacy-save for legacy
 * ones), the host's ipsets first by `ipset save` (they belong to a network
 * namespace: the copy's "set" matches load and decide only with them; a
 * snapshot's are made again empty at their indexes, and the re-audit
 * decides their matches by the sets the snapshot read), and loaded in a
 * private namespace by their restorers (rsfile.c).
 * The plan's commands run there (for ufw and firewalld: the iptables/nft
 * rules their commands produce, plan.h).  The namespace has no host facts
 * of its own: the re-audit walks the copy with the live audit's host facts
 * (links, addresses, routes, listeners, sysctls), so a probe meets the
 * same interfaces and sockets as on the host.  Approximations: rules that
 * name an interface by index (nft `iif`/`oif`) do not load where the
 * interface does not exist, and sets the kernel fills at run time are
 * copied as they are at that moment.
 *
 * Error idiom of the project: 0 or a negative errno; nothing here prints.
 */
#ifndef FWAUDIT_PROVE_H
#define FWAUDIT_PROVE_H

#include <stdbool.h>
#include <stddef.h>

#include "audit.h"
#include "plan.h"

struct prove_result {
	bool proven;		/* no violation left, nothing allowed lost */
	size_t nlines;
	char **lines;		/* what is left ("violation: ...") and what
				 * was lost ("lost: ..."), one line each */
};

/*
 * Prove p against the audit it was built from (live: with host facts),
 * judged by the same policy with the same interfaces (o: as given to
 * audit_run(), without o->given).  nft_format: apply plan_nft()'s file
 * rather than the steps' commands.  The work happens in a child process,
 * so this process stays in the host's namespace.  0 and a new *out (free
 * with prove_result_free()); a negative errno when the proof could not be
 * run, with a message in err (a copy that does not load, a command of the
 * plan that fails there).
 */
int prove_plan(const struct audit_result *live, const struct audit_opts *o,
	       const struct plan *p, bool nft_format,
	       struct prove_result **out, char *err, size_t errlen);
void prove_result_free(struct prove_result *r);

/*
 * The texts the proof copies of rs from this host, printed now by the
 * host's tools, for a snapshot file (snapfile.h, format version 2 on): on
 * success text[k] (len[k] bytes, NUL-terminated, the caller frees) for
 * SNAPSHOT_TEXT_NFT, _IP4, _IP6, _EBT and _EBL when rs has such tables,
 * NULL otherwise; never the legacy x_tables ones, which the snapshot
 * records itself.
 * text and len have SNAPSHOT_TEXT_N entries; each text at most max bytes.
 * A tool that fails leaves its text out (NULL) and says so in err (empty
 * when every text was kept): the snapshot is whole without it, only fix
 * will lack it.  0, or a negative errno with a message in err and nothing
 * allocated.
 */
int prove_save_texts(const struct ruleset *rs, char **text, size_t *len,
		     size_t max, char *err, size_t errlen);

/*
 * Compare a re-audit with the live one: every violation of after, and
 * every source of a part live allows (martian sources aside, plan.h) that
 * no exposure of after holds for the same family, protocol, path and
 * ports.  Lines appended to *lines / *n (strings the caller frees).
 * 0 or -ENOMEM.
 */
int prove_compare(const struct audit_result *live,
		  const struct audit_result *after, char ***lines, size_t *n);

#endif
