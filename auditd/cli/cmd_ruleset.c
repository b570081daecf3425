// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_ruleset.c - `fwaudit ruleset`: the model as fwaudit reads it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rsprint.h"
#include "util.h"

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
	/* the JSON of ten thousand rules is megabytes: few, large writes */
	static char outbuf[256 << 10];
	enum cli_format format = CLI_FORMAT_TEXT;
	struct snapshot snap;
	int ret;
	const struct cli_opt opts[] = {
		CLI_ROW("format", 'f', CLI_OPT_FORMAT, &format,
		  .formats = 1u << CLI_FORMAT_TEXT | 1u << CLI_FORMAT_JSON),
	};

	ret = cli_parse("ruleset", argc, argv, opts, ARRAY_SIZE(opts), usage);
	if (ret != CLI_GO)
		return ret;
	if (cli_no_operands("ruleset", argc, argv))
		return EXIT_UNKNOWN;
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
