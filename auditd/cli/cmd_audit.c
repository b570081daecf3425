// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_audit.c - `fwaudit audit`: which ports of this host a stranger can
 * reach, from where, through which interfaces, and whether the policy
 * allows it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "rsfile.h"
#include "snapfile.h"
#include "verdicts.h"

#define IFACES_MAX	64
#define FILES_MAX	64

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s audit [--rules PATH] [--format FMT] "
		"[--interface IF]... [--ruleset FILE]... [--quiet]\n"
		"Work out which TCP/UDP/SCTP ports of this host a stranger can "
		"reach - from which sources, on which interfaces, to which "
		"listener or DNAT backend - and judge them by a policy.\n"
		"  -r, --rules PATH     the policy (default: the shipped "
		"default.rules)\n"
		"  -n, --no-rules       report exposures without judging them\n"
		"  -f, --format FMT     text, json, prometheus or nagios\n"
		"  -i, --interface IF   audit probes arriving on IF (repeat; "
		"'eth+' is a prefix)\n"
		"  -R, --ruleset FILE   audit an iptables-save, ip6tables-save "
		"or nft file instead\n"
		"                       of this host (repeat; prefix ip4:, ip6: "
		"or nft: to say which);\n"
		"                       needs no privilege\n"
		"  -S, --snapshot FILE  audit the host as FILE (`%s snapshot`) "
		"recorded it, with\n"
		"                       the output the live audit had then; "
		"with --ruleset, audit\n"
		"                       those files on that host\n"
		"  -q, --quiet          text: the violations only, without "
		"the table\n"
		"  -h, --help           this help\n"
		"Exit status: 0 no violation, 1 warning, 2 critical, 3 could "
		"not audit.\n", cli_prog, cli_prog);
}

/* A monitoring system reads stdout only: say there that the audit failed
 * (the reason is on stderr), in the format it parses. */
static int could_not_audit(enum cli_format format, const char *why)
{
	if (format == CLI_FORMAT_NAGIOS)
		printf("FWAUDIT UNKNOWN: %s\n", why);
	else if (format == CLI_FORMAT_PROMETHEUS)
		verdicts_prometheus(NULL, stdout);
	fflush(stdout);
	return EXIT_UNKNOWN;
}

static int print(const struct audit_result *r, enum cli_format format,
		 bool quiet)
{
	struct verdicts_style st;

	switch (format) {
	case CLI_FORMAT_JSON:
		return verdicts_json(r, stdout);
	case CLI_FORMAT_PROMETHEUS:
		return verdicts_prometheus(r, stdout);
	case CLI_FORMAT_NAGIOS:
		return verdicts_nagios(r, stdout);
	default:
		verdicts_style_auto(&st, stdout);
		st.quiet = quiet;
		return verdicts_text(r, &st, stdout);
	}
}

int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "no-rules", no_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "interface", required_argument, NULL, 'i' },
		{ "ruleset", required_argument, NULL, 'R' },
		{ "snapshot", required_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum cli_format format = CLI_FORMAT_TEXT;
	const char *ifaces[IFACES_MAX], *rules = NULL, *snapfile = NULL;
	char *files[FILES_MAX], err[4096];
	struct audit_opts o = { .ifaces = ifaces, .docker = true };
	struct audit_result *r = NULL;
	struct policy *policy = NULL;
	struct snapshot given, recorded = { .rs = NULL };
	enum snapshot_stage stage = SNAPSHOT_NFT;
	size_t nfiles = 0;
	bool judge = true, quiet = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "r:nf:i:R:S:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rules = optarg;
			break;
		case 'n':
			judge = false;
			break;
		case 'f':
			if (cli_parse_format(optarg, 0xf, &format) < 0)
				return EXIT_UNKNOWN;
			break;
		case 'i':
			if (cli_room("audit", o.nifaces, IFACES_MAX,
				     "interfaces"))
				return EXIT_UNKNOWN;
			ifaces[o.nifaces++] = optarg;
			break;
		case 'R':
			if (cli_room("audit", nfiles, FILES_MAX,
				     "ruleset files"))
				return EXIT_UNKNOWN;
			files[nfiles++] = optarg;
			break;
		case 'S':
			snapfile = optarg;
			break;
		case 'q':
			quiet = true;
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
		fprintf(stderr, "%s audit: unexpected argument '%s'\n",
			cli_prog, argv[optind]);
		return EXIT_UNKNOWN;
	}
	if (judge) {
		ret = cli_load_policy(rules, &policy);
		if (ret)
			return could_not_audit(format, "the policy does not "
					       "load");
		o.policy = policy;
	}
	if (snapfile) {
		/* with files: only the host of the snapshot, read before
		 * rsfile_load() moves us; without: all of it (its legacy
		 * tables in a private namespace) */
		ret = cli_snapshot_file(snapfile, SNAPFILE_HOST | (nfiles ? 0 :
					SNAPFILE_RULESET), &recorded);
		if (ret) {
			policy_free(policy);
			return could_not_audit(format, "the snapshot does not "
					       "load");
		}
		o.given = &recorded;
		o.docker = false;
	}
	if (nfiles) {
		/* the files, in a namespace of our own: no host facts */
		ret = rsfile_load(files, nfiles, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "%s: %s\n", cli_prog, err);
			snapshot_release(&recorded);
			policy_free(policy);
			return could_not_audit(format, "a ruleset file does "
					       "not load");
		}
		ret = snapshot_read(&given, false, &stage);
		if (ret < 0) {
			snapshot_release(&recorded);
			policy_free(policy);
			cli_fail("failed to read the loaded ruleset back", ret);
			return could_not_audit(format, "cannot read the loaded "
					       "ruleset back");
		}
		if (snapfile) {
			/* the files' rulesets on the recorded host */
			recorded.rs = given.rs;
			given.rs = NULL;
			snapshot_release(&given);
			given = recorded;
			memset(&recorded, 0, sizeof(recorded));
		}
		o.given = &given;
		o.docker = false;
	} else if (!snapfile) {
		/* the privilege messages of cli_snapshot() */
		ret = cli_snapshot(&given, true);
		if (ret) {
			policy_free(policy);
			return could_not_audit(format, "cannot read the "
					       "firewall");
		}
		o.given = &given;
	}
	ret = audit_run(&o, &r, &stage);
	if (ret < 0) {
		policy_free(policy);
		cli_fail(ret == -E2BIG ? "the ruleset is too large to audit "
			 "within fwaudit's bounds" : "failed to audit", ret);
		return could_not_audit(format, ret == -E2BIG ? "the ruleset "
				       "is too large to audit" : "the audit "
				       "failed");
	}
	ret = print(r, format, quiet);
	if (!ret && fflush(stdout) == EOF)
		ret = -errno;
	c = audit_exit_status(r);
	audit_result_free(r);
	policy_free(policy);
	if (ret < 0)
		return cli_fail("failed to print the audit", ret);
	return c;
}
