// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_fix.c - `fwaudit fix`: one plan that closes every violation of this
 * host, in its own front-end, proven on a copy of the ruleset before it is
 * printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "plan.h"
#include "prove.h"
#include "verdicts.h"
#include "util.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s fix [--rules PATH] [--format sh|nft|json] "
		"[--interface IF]... [--ruleset FILE]...\n"
		"       [--snapshot FILE]\n"
		"Print one plan that closes every violation, in the host's own "
		"front-end (ufw,\nfirewall-cmd, DOCKER-USER, nft, iptables), "
		"or a complete default-drop inbound\ntable where nothing "
		"filters.  The plan is applied to a copy of the ruleset in a\n"
		"private namespace and audited again first: it is printed only "
		"when nothing the\npolicy forbids is left and everything it "
		"allows is still reachable.\n"
		"  -r, --rules PATH     the policy (default: the shipped "
		"default.rules)\n"
		"  -f, --format FMT     sh (commands, commented), nft (a "
		"table for nft -f) or\n"
		"                       json (the plan, what each step closes, "
		"the proof)\n"
		"  -i, --interface IF   audit probes arriving on IF (repeat)\n"
		"  -R, --ruleset FILE   plan for an iptables-save, "
		"ip6tables-save or nft file\n"
		"                       instead of this host (repeat; prefix "
		"ip4:, ip6: or nft:)\n"
		"  -S, --snapshot FILE  plan for the host as FILE (`fwaudit "
		"snapshot`) recorded it\n"
		"  -h, --help           this help\n"
		"Exit status: 0 the plan fixes everything (or nothing to fix), "
		"1 something could\nnot be fixed, 3 could not audit.\n",
		cli_prog);
}

/* The plan could not be proven to fix everything: stdout gets only
 * comments (a `fwaudit fix | sh` then changes nothing; with json, the
 * caller prints the plan and its proof), stderr why. */
static int not_fixed(const struct plan *p, const struct prove_result *pr,
		     bool json)
{
	size_t i;

	if (!json)
		printf("# fwaudit fix: no plan: the plan (front-end %s) does "
		       "not fix everything on a copy of this ruleset:\n",
		       plan_frontend_name(p->fe));
	fprintf(stderr, "%s fix: the plan does not fix everything; %s:\n",
		cli_prog, json ? "its proof says so" : "it was not printed");
	for (i = 0; i < pr->nlines; i++) {
		if (!json)
			printf("#   %s\n", pr->lines[i]);
		fprintf(stderr, "  %s\n", pr->lines[i]);
	}
	for (i = 0; i < p->nunfixed; i++) {
		if (!json)
			printf("#   not fixed: %s\n", p->unfixed[i]);
		fprintf(stderr, "  not fixed: %s\n", p->unfixed[i]);
	}
	return EXIT_WARNING;
}

/* --format json: the plan and its proof (pr NULL: nothing was proven);
 * status, or EXIT_UNKNOWN when it cannot be written. */
static int print_json(const struct audit_result *r, const struct plan *p,
		      const struct prove_result *pr, bool nft, int status)
{
	int ret = verdicts_plan_json(r, p, pr, nft, stdout);

	if (ret < 0 || fflush(stdout) == EOF)
		return cli_fail("failed to print the plan", ret < 0 ? ret : -EIO);
	return status;
}

/* --format sh|nft|json: to points at the choice, FIX_SH and so on */
enum { FIX_SH, FIX_NFT, FIX_JSON };

static int parse_fix_format(const char *arg, void *to)
{
	static const char *const names[] = {
		[FIX_SH] = "sh", [FIX_NFT] = "nft", [FIX_JSON] = "json",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(arg, names[i])) {
			*(int *)to = (int)i;
			return 0;
		}
	}
	fprintf(stderr, "%s fix: unknown format '%s' (one of: sh nft json)\n",
		cli_prog, arg);
	return -1;
}

int cmd_fix(int argc, char **argv)
{
	const char *ifaces[CLI_IFACES_MAX], *rules = NULL;
	struct cli_list iflist = { ifaces, 0, CLI_IFACES_MAX, "interfaces" };
	struct cli_source src;
	char err[4096];
	struct audit_opts o = { .ifaces = ifaces };
	struct audit_result *r = NULL;
	struct prove_result *pr = NULL;
	struct policy *policy = NULL;
	struct strbuf b = STRBUF_INIT;
	struct plan *p = NULL;
	struct snapshot given;
	enum snapshot_stage stage = SNAPSHOT_NFT;
	size_t i;
	int fmt = FIX_SH;
	bool nft, json;
	char *text;
	int ret, status = EXIT_UNKNOWN;
	const struct cli_opt opts[] = {
		CLI_ROW("rules", 'r', CLI_OPT_ARG, &rules),
		CLI_ROW("format", 'f', CLI_OPT_FN, &fmt, .fn = parse_fix_format),
		CLI_ROW("interface", 'i', CLI_OPT_LIST, &iflist),
		CLI_ROW("ruleset", 'R', CLI_OPT_LIST, &src.files),
		CLI_ROW("snapshot", 'S', CLI_OPT_ARG, &src.snapfile),
	};

	cli_source_init(&src);
	ret = cli_parse("fix", argc, argv, opts, ARRAY_SIZE(opts), usage);
	if (ret != CLI_GO)
		return ret;
	if (cli_no_operands("fix", argc, argv))
		return EXIT_UNKNOWN;
	nft = fmt == FIX_NFT;
	json = fmt == FIX_JSON;
	o.nifaces = iflist.n;
	if (cli_load_policy(rules, &policy))
		return EXIT_UNKNOWN;
	o.policy = policy;
	/* the proof loads a snapshot's recorded texts, or copies the files
	 * from their namespace; live, the plan's comments name the
	 * containers behind ports */
	if (cli_source_read("fix", &src, false, &given, &o.docker, NULL))
		goto out;
	o.given = &given;
	ret = audit_run(&o, &r, &stage);
	o.given = NULL;
	if (ret < 0) {
		cli_audit_fail(ret);
		goto out;
	}
	ret = plan_build(r, &p);
	if (ret < 0) {
		cli_fail("failed to make the plan", ret);
		goto out;
	}
	if (plan_empty(p) && !p->nunfixed) {
		if (json)
			status = print_json(r, p, NULL, nft, EXIT_OK);
		else if (printf("# fwaudit fix: nothing to fix: no violation "
				"(front-end %s)\n",
				plan_frontend_name(p->fe)) >= 0)
			status = EXIT_OK;
		goto out;
	}
	ret = prove_plan(r, &o, p, nft, &pr, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "%s fix: cannot prove the plan: %s\n",
			cli_prog, err);
		goto out;
	}
	if (!pr->proven) {
		status = not_fixed(p, pr, json);
		if (json)
			status = print_json(r, p, pr, nft, status);
		goto out;
	}
	if (json) {
		if (print_json(r, p, pr, nft, EXIT_OK) != EXIT_OK)
			goto out;
		goto unfixed;
	}
	if (nft)
		plan_nft(p, &b);
	else
		plan_sh(p, &b);
	text = strbuf_take(&b);
	if (!text) {
		cli_fail("failed to print the plan", -ENOMEM);
		goto out;
	}
	fputs(text, stdout);
	free(text);
	if (fflush(stdout) == EOF) {
		cli_fail("failed to print the plan", -errno);
		goto out;
	}
unfixed:
	for (i = 0; i < p->nunfixed; i++)
		fprintf(stderr, "%s fix: not fixed: %s\n", cli_prog,
			p->unfixed[i]);
	status = p->nunfixed ? EXIT_WARNING : EXIT_OK;
out:
	prove_result_free(pr);
	plan_free(p);
	audit_result_free(r);
	policy_free(policy);
	return status;
}
