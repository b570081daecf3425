// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwaudit.c - the one-shot command: a table of subcommands, each with its
 * own function and one line of help.
 *
 * Exit status follows the monitoring-plugin convention everywhere:
 * 0 ok, 1 warning, 2 critical, 3 could not audit (including bad usage).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/syscall.h>
#include <linux/capability.h>

#include "legacy.h"
#include "nft.h"
#include "rsprint.h"
#include "ruleset.h"

#define EXIT_UNKNOWN	3

static const char *prog = "fwaudit";

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

enum format { FORMAT_TEXT, FORMAT_JSON };

static int parse_format(const char *s, enum format *f)
{
	if (!strcmp(s, "text"))
		*f = FORMAT_TEXT;
	else if (!strcmp(s, "json"))
		*f = FORMAT_JSON;
	else
		return -EINVAL;
	return 0;
}

/* Reading netfilter needs CAP_NET_ADMIN in our user namespace; say so once,
 * clearly, instead of letting each reader fail with EPERM. */
static bool have_net_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_NET_ADMIN / 32].effective &
	       (1u << (CAP_NET_ADMIN % 32));
}

static int no_privilege(void)
{
	fprintf(stderr, "%s: reading the firewall needs CAP_NET_ADMIN: run as "
		"root or grant the capability (e.g. AmbientCapabilities="
		"CAP_NET_ADMIN)\n", prog);
	return EXIT_UNKNOWN;
}

/* Read every source into one model.  Returns 0, or an exit status after
 * having said what failed. */
static int read_ruleset(struct ruleset **out)
{
	struct ruleset *rs;
	int ret;

	if (!have_net_admin())
		return no_privilege();
	rs = ruleset_new();
	if (!rs) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_UNKNOWN;
	}
	ret = nft_dump_ruleset(rs);
	if (ret == -EPERM)
		goto eperm;
	if (ret < 0) {
		fprintf(stderr, "%s: failed to read the nftables ruleset: %s\n",
			prog, ret == -EAGAIN ?
			"it kept changing while it was read" : strerror(-ret));
		goto fail;
	}
	ret = legacy_dump_ruleset(rs);
	if (ret == -EPERM)
		goto eperm;
	if (ret < 0) {
		fprintf(stderr, "%s: failed to read the legacy iptables "
			"ruleset: %s\n", prog, strerror(-ret));
		goto fail;
	}
	*out = rs;
	return 0;
eperm:
	ruleset_free(rs);
	return no_privilege();
fail:
	ruleset_free(rs);
	return EXIT_UNKNOWN;
}

static void ruleset_usage(FILE *f)
{
	fprintf(f, "Usage: %s ruleset [--format text|json]\n"
		"Print every nftables table and legacy iptables chain of this "
		"network namespace as fwaudit reads it.\n"
		"  -f, --format FMT   text (like nft list ruleset) or json "
		"(version 1)\n"
		"  -h, --help         this help\n", prog);
}

static int cmd_ruleset(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum format format = FORMAT_TEXT;
	struct ruleset *rs = NULL;
	json_t *j;
	int c, ret;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_format(optarg, &format) < 0) {
				fprintf(stderr, "%s: unknown format '%s' "
					"(text or json)\n", prog, optarg);
				return EXIT_UNKNOWN;
			}
			break;
		case 'h':
			ruleset_usage(stdout);
			return 0;
		default:
			ruleset_usage(stderr);
			return EXIT_UNKNOWN;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s ruleset: unexpected argument '%s'\n", prog,
			argv[optind]);
		return EXIT_UNKNOWN;
	}
	ret = read_ruleset(&rs);
	if (ret)
		return ret;
	if (format == FORMAT_JSON) {
		j = rsprint_json(rs);
		ret = !j || json_dumpf(j, stdout, JSON_INDENT(1) |
				       JSON_PRESERVE_ORDER) < 0 ? -ENOMEM : 0;
		json_decref(j);
		if (!ret)
			putchar('\n');
	} else {
		ret = rsprint_text(rs, stdout);
	}
	ruleset_free(rs);
	if (ret < 0 || fflush(stdout) == EOF) {
		fprintf(stderr, "%s: failed to print the ruleset: %s\n", prog,
			ret < 0 ? strerror(-ret) : strerror(errno));
		return EXIT_UNKNOWN;
	}
	return 0;
}

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{ "ruleset", cmd_ruleset, "print the firewall as fwaudit reads it" },
	{ "help", cmd_help, "show this help" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s COMMAND [OPTIONS]\n\n"
		"Audit which ports of this host a stranger can reach.\n\n"
		"Commands:\n", prog);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'%s COMMAND --help' tells more about each command.\n"
		"Exit status: 0 ok, 1 warning, 2 critical, 3 could not audit.\n",
		prog);
}

static int cmd_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_UNKNOWN;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc, argv);
	if (!strcmp(argv[1], "--version")) {
		printf("%s %s\n", prog, PACKAGE_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	usage(stderr);
	return EXIT_UNKNOWN;
}
