/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.h - what the subcommands of fwaudit share.  Each subcommand lives in
 * its own file (cmd_NAME.c) and is one row of the table in fwaudit.c.
 */
#ifndef FWAUDIT_CLI_H
#define FWAUDIT_CLI_H

#include <getopt.h>
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
/* Record into rec, started by snapfile_record_begin() and now read, the
 * own namespaces of the macvlan and ipvlan containers (nsaudit.h) that a
 * live audit would read: 0, or an exit status after a message. */
struct snapfile_rec;
int cli_snapshot_netns(struct snapfile_rec *rec);

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

/*
 * Options: each subcommand describes its options in a table, and
 * cli_parse() reads argv against it (getopt_long underneath), writing
 * each option's value where its row points.  -h/--help is every
 * command's own.
 */
enum cli_opt_kind {
	CLI_OPT_SET,		/* *(bool *)to = true */
	CLI_OPT_CLEAR,		/* *(bool *)to = false */
	CLI_OPT_ARG,		/* *(const char **)to = the argument; the
				 * last one given wins */
	CLI_OPT_LIST,		/* append to *(struct cli_list *)to */
	CLI_OPT_UINT,		/* *(unsigned int *)to, a number in lo-hi */
	CLI_OPT_FORMAT,		/* *(enum cli_format *)to, among formats */
	CLI_OPT_FN,		/* fn(the argument, to) */
};

/* A repeatable option's values, at most max of them. */
struct cli_list {
	const char **v;
	size_t n, max;
	const char *what;	/* "interfaces", for "at most 64 interfaces" */
};

struct cli_opt {
	const char *name;	/* the long name, without "--" */
	int key;		/* its short letter, or 0: long only */
	enum cli_opt_kind kind;
	void *to;
	unsigned int formats;	/* CLI_OPT_FORMAT: 1 << enum cli_format */
	unsigned int lo, hi;	/* CLI_OPT_UINT: the bounds, inclusive */
	/* CLI_OPT_FN: take arg; 0, or -1 having said on stderr why not */
	int (*fn)(const char *arg, void *to);
};

/* A row: CLI_ROW("rules", 'r', CLI_OPT_ARG, &rules), with .formats,
 * .lo/.hi or .fn after for the kinds that need them */
#define CLI_ROW(lname, letter, how, where, ...) \
	{ .name = (lname), .key = (letter), .kind = (how), .to = (where), \
	  __VA_ARGS__ }

#define CLI_GO	(-1)

/* Read the options of `PROG cmd` in argv against opts (at most
 * CLI_OPTS_MAX rows).  CLI_GO: go on, with the operands from argv[optind]
 * on; or the exit status to return at once: EXIT_OK after --help (usage
 * printed on stdout), EXIT_UNKNOWN after a bad option (said on stderr,
 * usage after it). */
#define CLI_OPTS_MAX	32
int cli_parse(const char *cmd, int argc, char **argv,
	      const struct cli_opt *opts, size_t n, void (*usage_fn)(FILE *));

/* No operand may follow the options: 0, or says which one is unexpected
 * and returns EXIT_UNKNOWN. */
int cli_no_operands(const char *cmd, int argc, char **argv);

/*
 * Where an audit's ruleset and host come from: ruleset files (--ruleset,
 * loaded into a namespace of our own, no host facts), a snapshot file
 * (--snapshot), or, with neither, this host.
 */
#define CLI_FILES_MAX	64
#define CLI_IFACES_MAX	64

struct cli_source {
	const char *snapfile;
	const char *file[CLI_FILES_MAX];
	struct cli_list files;		/* over file[]: the --ruleset row's */
};

void cli_source_init(struct cli_source *s);

/* Read s into *given.  Both files and a snapshot: the files' rulesets on
 * the recorded host when combine is true, refused otherwise.  *live: it
 * is this host as it is now (Docker can name its containers).  0, or
 * EXIT_UNKNOWN having said why on stderr, and *why (may be NULL) a few
 * words for stdout's monitoring formats. */
int cli_source_read(const char *cmd, const struct cli_source *s, bool combine,
		    struct snapshot *given, bool *live, const char **why);

/* Say that audit_run() failed with err; returns EXIT_UNKNOWN. */
int cli_audit_fail(int err);

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
