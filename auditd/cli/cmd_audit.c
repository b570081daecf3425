// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_audit.c - `fwaudit audit`: which ports of this host a stranger can
 * reach, from where, through which interfaces, and whether the policy
 * allows it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "util.h"
#include "verdicts.h"

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
	enum cli_format format = CLI_FORMAT_TEXT;
	const char *ifaces[CLI_IFACES_MAX], *rules = NULL, *why = NULL;
	struct cli_list iflist = { ifaces, 0, CLI_IFACES_MAX, "interfaces" };
	struct cli_source src;
	struct audit_opts o = { .ifaces = ifaces };
	struct audit_result *r = NULL;
	struct policy *policy = NULL;
	struct snapshot given;
	enum snapshot_stage stage = SNAPSHOT_NFT;
	bool judge = true, quiet = false;
	int c, ret;

	const struct cli_opt opts[] = {
		CLI_ROW("rules", 'r', CLI_OPT_ARG, &rules),
		CLI_ROW("no-rules", 'n', CLI_OPT_CLEAR, &judge),
		CLI_ROW("format", 'f', CLI_OPT_FORMAT, &format, .formats = 0xf),
		CLI_ROW("interface", 'i', CLI_OPT_LIST, &iflist),
		CLI_ROW("ruleset", 'R', CLI_OPT_LIST, &src.files),
		CLI_ROW("snapshot", 'S', CLI_OPT_ARG, &src.snapfile),
		CLI_ROW("quiet", 'q', CLI_OPT_SET, &quiet),
	};

	cli_source_init(&src);
	ret = cli_parse("audit", argc, argv, opts, ARRAY_SIZE(opts), usage);
	if (ret != CLI_GO)
		return ret;
	if (cli_no_operands("audit", argc, argv))
		return EXIT_UNKNOWN;
	o.nifaces = iflist.n;
	if (judge) {
		ret = cli_load_policy(rules, &policy);
		if (ret)
			return could_not_audit(format, "the policy does not "
					       "load");
		o.policy = policy;
	}
	if (cli_source_read("audit", &src, true, &given, &o.docker, &why)) {
		policy_free(policy);
		return could_not_audit(format, why);
	}
	o.given = &given;
	ret = audit_run(&o, &r, &stage);
	if (ret < 0) {
		policy_free(policy);
		cli_audit_fail(ret);
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
