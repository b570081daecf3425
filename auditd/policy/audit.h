/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * audit.h - one audit of this host, from snapshot to judged rows: what
 * `fwaudit audit` prints and what fwauditd compares with its last result.
 */
#ifndef FWAUDIT_AUDIT_H
#define FWAUDIT_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "docker.h"
#include "engine.h"
#include "failopen.h"
#include "nsaudit.h"
#include "policy.h"
#include "report.h"
#include "snapshot.h"
#include "srcview.h"

struct audit_opts {
	const struct policy *policy;	/* NULL: no judgement */
	const char *const *ifaces;	/* ingress interfaces by name, or
					 * NULL: the policy's, else the host's */
	size_t nifaces;
	bool docker;			/* name DNAT backends by container */
	/* audit these rulesets (the rs of a snapshot taken elsewhere, e.g.
	 * from files) instead of this host: no host facts then */
	struct snapshot *given;
	/* a recording under way (snapfile.h, fwauditd's kept snapshot):
	 * the containers' own namespaces are recorded into it as they are
	 * read (nsaudit_run()); NULL: not */
	struct snapfile_rec *rec;
	/* fwauditd (engine.h, engine_input.prev): keep what a later audit
	 * needs to start its walks at LOCAL_IN, and start from prev (an
	 * earlier result of the same options, alive until audit_run()
	 * returns) where the ruleset changed only at the input hook; the
	 * caller vouches that the host facts but the listeners are prev's */
	bool keep_resume;
	const struct audit_result *prev;
};

struct audit_result {
	struct snapshot snap;
	struct engine_result *engine;
	struct report *report;		/* rows: report->rows[i] */
	struct policy_result *verdicts;	/* NULL without a policy */
	struct failopen_result *findings;	/* fail-open states of the rules */
	struct srcview *zones;		/* sources in the policy's words */
	struct docker_map docker;
	int docker_error;		/* why containers are not named, or 0 */
	/* macvlan and ipvlan containers' own namespaces, whose rows follow
	 * the host's in report (NULL: none) */
	struct nsaudit *ns;
	uint64_t started_usec;		/* CLOCK_REALTIME */
	uint64_t duration_usec;		/* CLOCK_MONOTONIC */
};

/*
 * Take a snapshot (or use o->given, whose contents are taken over), walk
 * it, merge the pieces into rows and judge them.  Returns 0 and a new
 * result (free with audit_result_free()), or a negative errno with *stage
 * telling which read failed (-EPERM / -EACCES: privileges, see fwaudit.c);
 * nothing is allocated then.
 */
int audit_run(const struct audit_opts *o, struct audit_result **out,
	      enum snapshot_stage *stage);
void audit_result_free(struct audit_result *r);

/* The monitoring-plugin exit status of a result: 0 no violation, 1 a
 * warning, 2 a critical one (info-only violations count as 0). */
int audit_exit_status(const struct audit_result *r);

#endif
