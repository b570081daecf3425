/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.h - what the subcommands of fwaudit share.  Each subcommand lives in
 * its own file (cmd_NAME.c) and is one row of the table in fwaudit.c.
 */
#ifndef FWAUDIT_CLI_H
#define FWAUDIT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "snapshot.h"

/* Exit statuses: the monitoring-plugin convention. */
#define EXIT_OK		0
#define EXIT_WARNING	1
#define EXIT_CRITICAL	2
#define EXIT_UNKNOWN	3

extern const char *cli_prog;

enum cli_format {
	CLI_FORMAT_TEXT,
	CLI_FORMAT_JSON,
	CLI_FORMAT_PROMETHEUS,
	CLI_FORMAT_NAGIOS,
	CLI_FORMAT_EVENTS,	/* diff: fwauditd's events, one JSON a line */
};

/* Parse --format's argument among the formats allowed by mask (bits of
 * 1 << enum cli_format).  Prints the error itself; 0 or -EINVAL. */
int cli_parse_format(const char *s, unsigned int mask, enum cli_format *f);

/* Take a snapshot of this host (with host facts when host is true).  On
 * failure prints one line saying what failed and why (CAP_NET_ADMIN when
 * that is the reason) and returns EXIT_UNKNOWN; 0 on success. */
int cli_snapshot(struct snapshot *snap, bool host);

/* Read the snapshot file at path ("-": stdin) into *snap, rebuilding what
 * flags (SNAPFILE_RULESET, SNAPFILE_HOST of snapfile.h) ask for.  On a
 * bad file prints one line naming the file and what is wrong, and returns
 * EXIT_UNKNOWN; 0 on success. */
int cli_snapshot_file(const char *path, unsigned int flags,
		      struct snapshot *snap);

struct policy;

/* Load the policy at path (NULL: the shipped default, policy(5)) into *p.
 * On failure prints what is wrong and where (file:line) and returns
 * EXIT_UNKNOWN; 0 on success. */
int cli_load_policy(const char *path, struct policy **p);

/* Is there room for one more of a repeated option (n of max taken)?  0,
 * or prints "PROG CMD: at most MAX WHAT" and returns EXIT_UNKNOWN. */
int cli_room(const char *cmd, size_t n, size_t max, const char *what);

/* Print "PROG: what: strerror(-err)" on stderr; returns EXIT_UNKNOWN. */
int cli_fail(const char *what, int err);

int cmd_ruleset(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_fix(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_verify(int argc, char **argv);

#endif
