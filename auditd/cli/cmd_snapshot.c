// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_snapshot.c - `fwaudit snapshot [-o FILE]`: everything an audit reads,
 * in one file that `fwaudit audit --snapshot FILE` audits later with the
 * same output (doc/snapshot.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "prove.h"
#include "snapfile.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s snapshot [-o FILE]\n"
		"Write everything an audit of this host reads - the nftables "
		"and legacy x_tables\nstate, links, addresses, routes, rules, "
		"sysctls, listeners and their owners,\ncontainer names - to "
		"one JSON file that `%s audit --snapshot FILE` audits\nwith "
		"the same output as the live audit had then.\n"
		"  -o, --output FILE    write to FILE (default, and '-': "
		"standard output);\n"
		"                       an existing FILE is replaced "
		"atomically\n"
		"  -h, --help           this help\n"
		"Exit status: 0 written, 3 could not.\n", cli_prog, cli_prog);
}

int cli_snapshot_file(const char *path, unsigned int flags,
		      struct snapshot *snap)
{
	char err[2048];
	int ret;

	ret = snapfile_load(path, flags, snap, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", cli_prog, err);
		return EXIT_UNKNOWN;
	}
	return 0;
}

int cmd_snapshot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct snapfile_rec rec;
	struct snapshot snap;
	const char *out = NULL;
	char err[1024];
	json_t *doc = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_UNKNOWN;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s snapshot: unexpected argument '%s'\n",
			cli_prog, argv[optind]);
		return EXIT_UNKNOWN;
	}
	ret = snapfile_record_begin(&rec);
	if (ret < 0)
		return cli_fail("cannot record the snapshot", ret);
	ret = cli_snapshot(&snap, true);
	if (ret) {
		snapfile_record_abort(&rec);
		return ret;
	}
	/* the ruleset as text too, for `fwaudit fix --snapshot`: what its
	 * proof would copy from this host now */
	ret = prove_save_texts(snap.rs, snap.text, snap.text_len,
			       SNAPFILE_SAVE_MAX, err, sizeof(err));
	if (ret < 0) {
		snapfile_record_abort(&rec);
		snapshot_release(&snap);
		fprintf(stderr, "%s: %s\n", cli_prog, err);
		return EXIT_UNKNOWN;
	}
	ret = snapfile_record_end(&rec, &snap, &doc, err, sizeof(err));
	snapshot_release(&snap);
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", cli_prog, err);
		return EXIT_UNKNOWN;
	}
	ret = snapfile_write(doc, out);
	json_decref(doc);
	if (ret < 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", cli_prog,
			out && strcmp(out, "-") ? out : "the snapshot",
			strerror(-ret));
		return EXIT_UNKNOWN;
	}
	return EXIT_OK;
}
