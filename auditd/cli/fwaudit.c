// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwaudit.c - the one-shot command: a table of subcommands, each with its
 * own file and one line of help.
 *
 * Exit status follows the monitoring-plugin convention everywhere:
 * 0 ok, 1 warning, 2 critical, 3 could not audit (including bad usage).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/syscall.h>
#include <linux/capability.h>

#include "cli.h"
#include "policy.h"
#include "util.h"

const char *cli_prog = "fwaudit";

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{ "audit", cmd_audit, "which ports a stranger can reach, and why" },
	{ "explain", cmd_explain, "the path of one probe, hook by hook" },
	{ "diff", cmd_diff, "what a firewall change opens, closes or alters" },
	{ "fix", cmd_fix, "one proven plan that closes every violation" },
	{ "snapshot", cmd_snapshot, "everything an audit reads, in one file" },
	{ "verify", cmd_verify, "the model against real packets from a vantage" },
	{ "probe", cmd_probe, "send probes from here (the vantage of verify)" },
	{ "ruleset", cmd_ruleset, "print the firewall as fwaudit reads it" },
	{ "check-rules", policy_check_main, "validate a policy file" },
	{ "policy", cmd_policy, "write a baseline policy of this host (init)" },
	{ "help", cmd_help, "show this help" },
};

int cli_load_policy(const char *path, struct policy **p)
{
	struct policy_error err;
	char def[4096], msg[2048];
	int ret;

	if (!path) {
		ret = policy_default_path(def, sizeof(def));
		if (ret < 0)
			return cli_fail("cannot find the default policy", ret);
		path = def;
	}
	memset(&err, 0, sizeof(err));
	ret = policy_load(path, p, &err);
	if (ret < 0) {
		fprintf(stderr, "%s\n", policy_error_format(&err, msg,
							    sizeof(msg)));
		return EXIT_UNKNOWN;
	}
	return 0;
}

int cli_fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", cli_prog, what, strerror(-err));
	return EXIT_UNKNOWN;
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
		"CAP_NET_ADMIN)\n", cli_prog);
	return EXIT_UNKNOWN;
}

int cli_snapshot(struct snapshot *snap, bool host)
{
	enum snapshot_stage stage = SNAPSHOT_NFT;
	int ret;

	if (!have_net_admin())
		return no_privilege();
	ret = snapshot_read(snap, host, &stage);
	if (stage == SNAPSHOT_LEGACY && ret == -EACCES) {
		fprintf(stderr, "%s: reading the legacy iptables tables needs "
			"the root-only list /proc/net/ip_tables_names: run as uid "
			"0 or grant CAP_DAC_READ_SEARCH\n", cli_prog);
		return EXIT_UNKNOWN;
	}
	if (stage == SNAPSHOT_LEGACY && ret == -EPERM) {
		fprintf(stderr, "%s: reading the legacy iptables tables needs "
			"CAP_NET_RAW as well as CAP_NET_ADMIN (libiptc asks "
			"through a raw socket)\n", cli_prog);
		return EXIT_UNKNOWN;
	}
	if (ret == -EPERM)
		return no_privilege();
	if (ret == -EAGAIN || ret == -EINTR) {
		fprintf(stderr, "%s: failed to read %s: it kept changing while "
			"it was read; try again\n", cli_prog,
			snapshot_stage_name(stage));
		return EXIT_UNKNOWN;
	}
	if (ret < 0) {
		fprintf(stderr, "%s: failed to read %s: %s\n", cli_prog,
			snapshot_stage_name(stage), strerror(-ret));
		return EXIT_UNKNOWN;
	}
	return 0;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s COMMAND [OPTIONS]\n\n"
		"Audit which ports of this host a stranger can reach.\n\n"
		"Commands:\n", cli_prog);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'%s COMMAND --help' tells more about each command.\n"
		"Exit status: 0 ok, 1 warning, 2 critical, 3 could not audit.\n",
		cli_prog);
}

static int cmd_help(int argc, char **argv)
{
	usage(stdout);
	return EXIT_OK;
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
		printf("%s %s\n", cli_prog, PACKAGE_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: unknown command '%s'\n", cli_prog, argv[1]);
	usage(stderr);
	return EXIT_UNKNOWN;
}
