/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipset.h - the contents of the kernel's ipsets (nfnetlink subsystem
 * NFNL_SUBSYS_IPSET, linux/netfilter/ipset/ip_set.h): IPSET_CMD_PROTOCOL,
 * then an IPSET_CMD_LIST dump of every set with its elements.
 *
 * x_tables rules match sets by kernel index (-m set --match-set): the
 * dump's IPSET_ATTR_INDEX (protocol 7) ties each rule to its set, and the
 * engine decides the match from the set's tuples (rs_ipset in ruleset.h).
 */
#ifndef FWAUDIT_IPSET_H
#define FWAUDIT_IPSET_H

#include <stddef.h>

#include "ruleset.h"

#define IPSET_SETS_MAX		4096	/* sets of one namespace */
#define IPSET_SET_ELEMS_MAX	(1u << 18)	/* decided elements of one set */
#define IPSET_ELEMS_MAX		(1u << 20)	/* of every set together */
#define IPSET_RECORD_ENV	"FWAUDIT_IPSET_RECORD"

/*
 * Read the caller's namespace's ipsets into rs (rs->ipsets), with a note
 * for every set whose contents stay undecided and for sets with timeouts.
 * A kernel without ipset (module not loaded: nothing is loaded for us)
 * or a namespace without sets leaves rs as it was and records nothing;
 * otherwise the conversation is written to the file IPSET_RECORD_ENV
 * names when it is set.  A refused or failed dump is a note (the set
 * matches stay undecided).  Returns 0, -ENOMEM, or the recording's error.
 */
int ipset_dump_ruleset(struct ruleset *rs);

/*
 * Replay a recording (buf, len bytes) as ipset_dump_ruleset() read it.
 * Returns 0, or -EBADMSG for a malformed recording (rs unchanged then),
 * -ENOMEM.  The unit tests' and the fuzzer's seam.
 */
int ipset_replay_buf(struct ruleset *rs, const void *buf, size_t len);

/*
 * From a recording (buf, len bytes), an `ipset restore` script that
 * creates, in an empty namespace, a set of each recorded name and family
 * at the same kernel index (placeholders of the gaps created, then
 * destroyed): what iptables-legacy-restore needs to load the recorded
 * "set" matches with the indexes the recording's sets have.  The sets
 * are empty (hash:ip, or list:set): only their names and indexes matter.
 * *out is malloc'd text (may be empty: no set).  0, -EBADMSG, -ENOMEM.
 */
int ipset_restore_script(const void *buf, size_t len, char **out,
			 size_t *outlen);

/*
 * The same script from sets already read (nsets of them, e.g. a
 * snapshot's rs->ipsets): empty sets of their names at their indexes, for
 * rules restored into another namespace that name them (prove.c).  A
 * name ipset restore cannot take is -EBADMSG.  0, -EBADMSG, -ENOMEM.
 */
int ipset_placeholder_script(const struct rs_ipset *sets, size_t nsets,
			     char **out, size_t *outlen);

#endif
