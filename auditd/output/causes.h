/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * causes.h - the judged rows of an audit grouped by what caused them, so
 * that an operator reads one finding per mistake instead of one per port
 * range: "eth0 filters nothing inbound" is one finding with the listeners
 * it exposes under it, not a dozen ranges of open ports.
 *
 * Every row of the report belongs to exactly one cause; the rows nothing
 * groups are causes of their own (CAUSE_EXPOSURE).  Text and JSON print
 * the same causes.  Findings that are not about rows (a missing jump into
 * DOCKER-USER, other fail-open states) are meant to become further kinds
 * with no rows and their own title.
 *
 * Errors: 0 or a negative errno, output parameters written only on
 * success, destructors accept NULL, nothing here prints.
 */
#ifndef FWAUDIT_CAUSES_H
#define FWAUDIT_CAUSES_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"
#include "report.h"
#include "srcview.h"

enum cause_kind {
	CAUSE_UNFILTERED,	/* an interface lets every port in, in each
				 * family it names */
	CAUSE_IPV6_UNFILTERED,	/* every port open over IPv6 while IPv4 is
				 * filtered on the same interface */
	CAUSE_IPV6_OPEN,	/* some ports reach the host over IPv6 that
				 * IPv4 filters */
	CAUSE_PUBLISHED,	/* DNAT to containers or other hosts: the
				 * FORWARD path, past INPUT rules */
	CAUSE_EXPOSURE,		/* one row, for no wider reason */
	CAUSE_DIRECT,		/* container networks a neighbour reaches
				 * by routing them via this host (rows
				 * with direct set) */
};

#define CAUSE_IPV4	0x1
#define CAUSE_IPV6	0x2

struct cause {
	enum cause_kind kind;
	char *title;			/* one line for people */
	char *ifaces;			/* the rows' interfaces, "eth0" */
	char *where;			/* the same for people: "eth0",
					 * "every interface but lo" */
	unsigned int families;		/* CAUSE_IPV4 | CAUSE_IPV6 */
	enum policy_severity severity;	/* worst verdict of its rows; NONE
					 * when all are allowed or unjudged */
	bool violation;			/* a row of it is a violation */
	size_t nrows;
	size_t *rows;			/* indexes into the report, ascending */
};

struct causes {
	size_t n;
	struct cause *c;		/* violations first, worst first */
};

/* Group the rows of rep; pr (NULL without a policy) gives their
 * severities, sv (may be NULL) names the sources in titles.  *out is new
 * (causes_free()); it does not keep rep, pr or sv.  0 or -ENOMEM. */
int causes_build(const struct report *rep, const struct policy_result *pr,
		 const struct srcview *sv, struct causes **out);
void causes_free(struct causes *cs);

/* "unfiltered", "ipv6_unfiltered", "ipv6_open", "published", "exposure" */
const char *cause_kind_name(enum cause_kind k);

#endif
