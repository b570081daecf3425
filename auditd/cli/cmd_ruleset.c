// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_ruleset.c - `fwaudit ruleset`: the model as fwaudit reads it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rsprint.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s ruleset [--format text|json]\n"
		"Print every nftables table and legacy iptables chain of this "
		"network namespace as fwaudit reads it.\n"
		"  -f, --format FMT   text (like nft list ruleset) or json "
		"(version 1)\n"
		"  -h, --help         this help\n", cli_prog);
}

int cmd_ruleset(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* the JSON of ten thousand rules is megabytes: few, large writes */
	static char outbuf[256 << 10];
	enum cli_format format = CLI_FORMAT_TEXT;
	struct snapshot snap;
	int c, ret;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cli_parse_format(optarg, 1u << CLI_FORMAT_TEXT |
					     1u << CLI_FORMAT_JSON, &format) < 0)
				return EXIT_UNKNOWN;
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
		fprintf(stderr, "%s ruleset: unexpected argument '%s'\n",
			cli_prog, argv[optind]);
		return EXIT_UNKNOWN;
	}
	ret = cli_snapshot(&snap, false);
	if (ret)
		return ret;
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (format == CLI_FORMAT_JSON)
		ret = rsprint_json(snap.rs, stdout);
	else
		ret = rsprint_text(snap.rs, stdout);
	snapshot_release(&snap);
	if (ret < 0 || fflush(stdout) == EOF)
		return cli_fail("failed to print the ruleset",
				ret < 0 ? ret : -errno);
	return EXIT_OK;
}
