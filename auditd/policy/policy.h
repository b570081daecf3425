/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.h - the policy language of the rules/ files (see fwaudit.rules(5)):
 * which exposures are allowed, which are violations and how severe, and
 * which exposures must exist.
 *
 * policy_load() parses a file and its includes into a struct policy;
 * policy_judge() gives each report row its verdict.  A rule decides a part
 * of a row, never more than it covers: the row's space (destination ports x
 * source addresses) is cut by each rule in order, first match wins per
 * part, and what no rule covers gets the default.  A row is allowed only if
 * every part of it is.
 *
 * Error idiom of the project (ruleset.h): 0 or a negative errno; output
 * parameters written only on success; destructors accept NULL; nothing here
 * prints.
 */
#ifndef FWAUDIT_POLICY_H
#define FWAUDIT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct report_row;
struct rs_interval;

/* Bounds on what a policy can make us allocate. */
#define POLICY_MAX_LINE		4096		/* bytes per line */
#define POLICY_MAX_FILE		(1 << 20)	/* bytes per file */
#define POLICY_MAX_DEPTH	16		/* nested includes */
#define POLICY_MAX_FILES	256		/* files per policy */
#define POLICY_MAX_RULES	16384		/* allow/alert/require */
#define POLICY_MAX_ZONES	1024
#define POLICY_MAX_LIST		1024		/* items in one list */
#define POLICY_MAX_MESSAGE	512		/* bytes of a message */
#define POLICY_MAX_PARTS	65536		/* parts of one judged row */

/* The default policy: FWAUDIT_RULESDIR "/default.rules", or
 * $FWAUDIT_RULES_DIR/default.rules when that variable is set (tests). */
#define POLICY_DEFAULT_NAME	"default.rules"

struct policy;

/* Where and what went wrong.  line and column are 1-based; both are 0 when
 * the error is about the file as a whole (unreadable top-level file, out of
 * memory).  file is the path as written by the user or the include. */
struct policy_error {
	char file[1024];
	unsigned int line;
	unsigned int column;
	char message[256];
};

/* Format err as "file:line:column: message" (or "file: message" when line
 * is 0) into buf, always NUL-terminated.  Returns buf. */
char *policy_error_format(const struct policy_error *err, char *buf,
			  size_t len);

/* The path of the default policy into buf (see POLICY_DEFAULT_NAME).
 * 0, or -ENAMETOOLONG. */
int policy_default_path(char *buf, size_t len);

/* Parse the policy at path and everything it includes.  On success *out is
 * a new policy (free with policy_free()).  On failure returns a negative
 * errno and fills *err (when err is not NULL): -EINVAL for a mistake in the
 * language, -ELOOP for an include loop or includes nested too deeply,
 * -EFBIG / -E2BIG when a bound is exceeded, the errno of open()/read() for
 * an unreadable file, -ENOMEM. */
int policy_load(const char *path, struct policy **out,
		struct policy_error *err);
void policy_free(struct policy *p);

/* Number of allow/alert/require rules (what check-rules reports). */
size_t policy_nrules(const struct policy *p);
/* The interfaces of the `interface` statements, in order, without
 * duplicates; *n is 0 (and NULL returned) when the policy names none, which
 * means "the default ingress interfaces".  Borrowed from p. */
const char *const *policy_interfaces(const struct policy *p, size_t *n);

/* The zones sources can be named by, for printing them: the built-in
 * "private" and "loopback" first ("any" is not listed), then the policy's
 * `zone` lines in order; p may be NULL for the built-in ones alone. */
size_t policy_nzones(const struct policy *p);
/* Zone i (< policy_nzones(p)): *name (borrowed from p or static) and, in a
 * new array *iv (free() it) of *n, its address intervals of family
 * (NFPROTO_IPV4 / NFPROTO_IPV6) as {lo, hi} pairs of 128-bit integers,
 * sorted, disjoint and not adjacent; *n is 0 when the zone has none of that
 * family.  0, -ENOENT for a bad i or family, -ENOMEM. */
int policy_zone(const struct policy *p, size_t i, uint8_t family,
		const char **name, struct rs_interval **iv, size_t *n);

enum policy_severity {
	POLICY_SEV_NONE,		/* allowed */
	POLICY_SEV_INFO,
	POLICY_SEV_WARNING,
	POLICY_SEV_CRITICAL,
};

/* "none", "info", "warning", "critical" */
const char *policy_severity_name(enum policy_severity s);

/* The rule that decided: file and line (file NULL for the implicit default
 * `default alert warning`) and its message or NULL.  Borrowed from the
 * policy: valid while it lives. */
struct policy_ref {
	const char *file;
	unsigned int line;
	const char *message;
};

/* One part of a row: ports [port_lo, port_hi] from sources (addresses of
 * the row's family, sorted, disjoint, not adjacent, owned by the result;
 * printed as prefixes by report_addrs_text()) got this verdict.  A row no
 * rule cuts has one part equal to the row. */
struct policy_part {
	uint16_t port_lo, port_hi;
	size_t nsources;
	struct rs_interval *sources;
	bool allowed;
	enum policy_severity severity;	/* NONE when allowed */
	struct policy_ref rule;
};

/* The verdict on one row: allowed when every part is; otherwise the worst
 * severity of its parts, and decisive is the first part of that severity
 * (the one to show when only one rule can be shown). */
struct policy_verdict {
	bool allowed;
	enum policy_severity severity;
	size_t nparts;
	struct policy_part *parts;	/* by port, then source */
	const struct policy_part *decisive;
};

/* What an unmet `require` misses: family, protocol, ports and sources not
 * covered by exposed rows (for the address family closest to meeting it). */
struct policy_missing {
	uint8_t family;			/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	uint8_t proto;
	uint16_t port_lo, port_hi;
	size_t nsources;
	struct rs_interval *sources;	/* as in struct policy_part */
};

enum policy_violation_kind {
	POLICY_V_EXPOSURE,		/* a part of a row that is not allowed */
	POLICY_V_MISSING,		/* a `require` that is not met */
};

struct policy_violation {
	enum policy_violation_kind kind;
	enum policy_severity severity;
	struct policy_ref rule;
	/* POLICY_V_EXPOSURE */
	size_t row;			/* index into the judged rows */
	const struct policy_part *part;
	/* POLICY_V_MISSING */
	size_t nmissing;
	struct policy_missing *missing;
};

struct policy_result {
	size_t nrows;
	struct policy_verdict *rows;	/* rows[i] judges the i-th row */
	size_t nviolations;
	struct policy_violation *violations;	/* exposures in row order,
						 * then unmet requires in
						 * policy order */
	enum policy_severity worst;	/* NONE when there is no violation */
};

/* What a `require` asks, one protocol and port range at a time (for
 * `fwaudit verify`, which probes what the model says is met). */
struct policy_want {
	size_t require;			/* which require: 0, 1, ... in
					 * policy order */
	struct policy_ref rule;
	enum policy_severity severity;	/* of it when unmet */
	uint8_t proto;
	uint16_t port_lo, port_hi;
};

/* The wants of p's requires in policy order, as a new array *out (free())
 * of *n.  0 or -ENOMEM. */
int policy_requires(const struct policy *p, struct policy_want **out,
		    size_t *n);
/* Is addr (of family NFPROTO_IPV4 / NFPROTO_IPV6) among the sources of
 * require number require? */
bool policy_require_from(const struct policy *p, size_t require,
			 uint8_t family, unsigned __int128 addr);

/* Judge n rows against p.  *out is new (free with policy_result_free()); it
 * borrows p (rule files and messages): free it before p.  The rows are not
 * kept.  -EINVAL when a row's source is not an interval of its family
 * (or its ports are reversed), -E2BIG when a row
 * would be cut into more than POLICY_MAX_PARTS parts, -ENOMEM. */
int policy_judge(const struct policy *p, const struct report_row *rows,
		 size_t n, struct policy_result **out);
void policy_result_free(struct policy_result *res);

/* `fwaudit check-rules PATH`: validate a policy.  Exit 0 and print
 * "PATH: OK (N rules)", or exit 3 with "file:line:column: message". */
int policy_check_main(int argc, char **argv);

#endif
