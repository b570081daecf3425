// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * source.c - what an audit reads: ruleset files, a snapshot, or this
 * host, chosen by --ruleset and --snapshot the same way in every
 * subcommand that audits.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rsfile.h"
#include "snapfile.h"

void cli_source_init(struct cli_source *s)
{
	memset(s, 0, sizeof(*s));
	s->files = (struct cli_list){ .v = s->file, .max = CLI_FILES_MAX,
				      .what = "ruleset files" };
}

static int fail(const char **why, const char *what)
{
	if (why)
		*why = what;
	return EXIT_UNKNOWN;
}

/* The files' rulesets, loaded in a namespace of our own and read back. */
static int read_files(const struct cli_source *s, struct snapshot *given,
		      const char **why)
{
	enum snapshot_stage stage = SNAPSHOT_NFT;
	char err[4096];
	int ret;

	ret = rsfile_load((char *const *)s->files.v, s->files.n, err,
			  sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", cli_prog, err);
		return fail(why, "a ruleset file does not load");
	}
	ret = snapshot_read(given, false, &stage);
	if (ret < 0) {
		cli_fail("failed to read the loaded ruleset back", ret);
		return fail(why, "cannot read the loaded ruleset back");
	}
	return 0;
}

int cli_source_read(const char *cmd, const struct cli_source *s, bool combine,
		    struct snapshot *given, bool *live, const char **why)
{
	struct snapshot recorded = { .rs = NULL }, files;
	unsigned int flags = SNAPFILE_HOST | SNAPFILE_RULESET;

	*live = false;
	if (s->snapfile && s->files.n && !combine) {
		fprintf(stderr, "%s %s: --snapshot and --ruleset cannot be "
			"combined\n", cli_prog, cmd);
		return fail(why, "bad usage");
	}
	if (s->snapfile) {
		/* with files, only its host, read before rsfile_load()
		 * moves us to a namespace of our own */
		if (s->files.n)
			flags &= ~SNAPFILE_RULESET;
		if (cli_snapshot_file(s->snapfile, flags, &recorded))
			return fail(why, "the snapshot does not load");
		if (!s->files.n) {
			*given = recorded;
			return 0;
		}
	}
	if (s->files.n) {
		if (read_files(s, &files, why)) {
			snapshot_release(&recorded);
			return EXIT_UNKNOWN;
		}
		if (!s->snapfile) {
			*given = files;
			return 0;
		}
		/* the files' rulesets on the recorded host */
		recorded.rs = files.rs;
		files.rs = NULL;
		snapshot_release(&files);
		*given = recorded;
		return 0;
	}
	/* this host: cli_snapshot() says what privilege is missing */
	if (cli_snapshot(given, true))
		return fail(why, "cannot read the firewall");
	*live = true;
	return 0;
}

int cli_audit_fail(int err)
{
	return cli_fail(err == -E2BIG ? "the ruleset is too large to audit "
			"within fwaudit's bounds" : "failed to audit", err);
}
