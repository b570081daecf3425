/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cthelper.h - conntrack helpers and what they can open.
 * A rule that attaches a helper (nft `ct helper set "NAME"`, x_tables
 * `-j CT --helper NAME`) lets the connections it sees announce others:
 * FTP's passive data ports (PASV's 227, EPSV's 229 answers), a SIP call's
 * media, ...  The kernel expects them (an expectation: from the client's
 * address to a port the server names) and their first packet arrives as
 * ct state related, ct status expected.  Where the ruleset lets related
 * connections in, a client of the helped port can open those ports,
 * whatever the rules say of new connections to them: a finding
 * ("conntrack-helper-related") names the rule and the ports, found by
 * walking related first packets through the ruleset (engine_input.related).
 * Linux 6.0 and later attach no helper by themselves (the
 * nf_conntrack_helper sysctl is gone): only such rules do.
 * Library module: no printing, negative errno on failure.
 */
#ifndef FWAUDIT_CTHELPER_H
#define FWAUDIT_CTHELPER_H

#include "engine.h"
#include "failopen.h"
#include "ruleset.h"

/*
 * When a rule of base->rs attaches a helper, walk related first packets
 * with base's host and interfaces and append to fr one finding per such
 * rule whose expectations the ruleset lets in where new connections are
 * not let in (news: the audit's own walk of new ones; a related
 * connection to a port open anyway opens nothing).  Nothing when no rule
 * attaches a helper or related connections get no further.  Returns 0, or
 * a negative errno of the walk (fr unchanged but for findings already
 * added).
 */
int cthelper_inspect(const struct engine_input *base,
		     const struct engine_result *news,
		     struct failopen_result *fr);

#endif
