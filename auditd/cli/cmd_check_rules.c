// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_check_rules.c - `fwaudit check-rules`: validate a policy, nothing
 * else (no privileges needed; what a CI pipeline runs on a policy change).
 */
#include <limits.h>
#include <stdio.h>

#include "cli.h"
#include "policy.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s check-rules [PATH...]\n"
		"Check that each policy file (and what it includes) is valid; "
		"without PATH, the\ndefault policy. Prints \"PATH: OK (N rules)"
		"\" per valid file, or\n\"file:line:column: what is wrong\" and "
		"exits with status 3.\n"
		"  -h, --help         this help\n"
		"See fwaudit.rules(5) for the language.\n", cli_prog);
}

static int check_one(const char *path)
{
	struct policy_error err;
	struct policy *p;
	char msg[sizeof(err.file) + sizeof(err.message) + 32];

	if (policy_load(path, &p, &err) < 0) {
		fprintf(stderr, "%s\n", policy_error_format(&err, msg,
							    sizeof(msg)));
		return EXIT_UNKNOWN;
	}
	printf("%s: OK (%zu rule%s)\n", path, policy_nrules(p),
	       policy_nrules(p) == 1 ? "" : "s");
	policy_free(p);
	return EXIT_OK;
}

int policy_check_main(int argc, char **argv)
{
	char def[PATH_MAX];
	int i, ret;

	ret = cli_parse("check-rules", argc, argv, NULL, 0, usage);
	if (ret != CLI_GO)
		return ret;
	ret = EXIT_OK;
	if (optind == argc) {
		if (policy_default_path(def, sizeof(def)) < 0) {
			fprintf(stderr, "%s check-rules: the default policy "
				"path is too long\n", cli_prog);
			return EXIT_UNKNOWN;
		}
		return check_one(def);
	}
	for (i = optind; i < argc; i++)
		if (check_one(argv[i]) != EXIT_OK)
			ret = EXIT_UNKNOWN;
	return ret;
}
