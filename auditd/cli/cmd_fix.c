// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_fix.c - `fwaudit fix`: one plan that closes every violation of this
 * host, in its own front-end, proven on a copy of the ruleset before it is
 * printed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "plan.h"
#include "prove.h"
#include "rsfile.h"
#include "verdicts.h"
#include "snapfile.h"

#define IFACES_MAX	64
#define FILES_MAX	64

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

int cmd_fix(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "interface", required_argument, NULL, 'i' },
		{ "ruleset", required_argument, NULL, 'R' },
		{ "snapshot", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ifaces[IFACES_MAX], *rules = NULL, *snapfile = NULL;
	char *files[FILES_MAX], err[4096];
	struct audit_opts o = { .ifaces = ifaces, .docker = false };
	struct audit_result *r = NULL;
	struct prove_result *pr = NULL;
	struct policy *policy = NULL;
	struct strbuf b = STRBUF_INIT;
	struct plan *p = NULL;
	struct snapshot given;
	enum snapshot_stage stage = SNAPSHOT_NFT;
	size_t nfiles = 0, i;
	bool nft = false, json = false;
	char *text;
	int c, ret, status = EXIT_UNKNOWN;

	while ((c = getopt_long(argc, argv, "r:f:i:R:S:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rules = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "nft")) {
				nft = true;
			} else if (!strcmp(optarg, "json")) {
				json = true;
			} else if (strcmp(optarg, "sh")) {
				fprintf(stderr, "%s fix: unknown format '%s' "
					"(one of: sh nft json)\n", cli_prog,
					optarg);
				return EXIT_UNKNOWN;
			}
			break;
		case 'i':
			if (cli_room("fix", o.nifaces, IFACES_MAX,
				     "interfaces"))
				return EXIT_UNKNOWN;
			ifaces[o.nifaces++] = optarg;
			break;
		case 'R':
			if (cli_room("fix", nfiles, FILES_MAX,
				     "ruleset files"))
				return EXIT_UNKNOWN;
			files[nfiles++] = optarg;
			break;
		case 'S':
			snapfile = optarg;
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
		fprintf(stderr, "%s fix: unexpected argument '%s'\n",
			cli_prog, argv[optind]);
		return EXIT_UNKNOWN;
	}
	if (cli_load_policy(rules, &policy))
		return EXIT_UNKNOWN;
	o.policy = policy;
	if (snapfile && nfiles) {
		fprintf(stderr, "%s fix: --snapshot and --ruleset cannot be "
			"combined\n", cli_prog);
		goto out;
	}
	if (snapfile) {
		/* the recorded host; the proof loads its recorded texts */
		if (cli_snapshot_file(snapfile, SNAPFILE_RULESET |
				      SNAPFILE_HOST, &given))
			goto out;
	} else if (nfiles) {
		/* the files in a namespace of our own; the proof copies
		 * them from there */
		ret = rsfile_load(files, nfiles, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "%s: %s\n", cli_prog, err);
			goto out;
		}
		ret = snapshot_read(&given, false, &stage);
		if (ret < 0) {
			cli_fail("failed to read the loaded ruleset back", ret);
			goto out;
		}
	} else if (cli_snapshot(&given, true)) {
		goto out;
	} else {
		/* the plan's comments name the containers behind ports */
		o.docker = true;
	}
	o.given = &given;
	ret = audit_run(&o, &r, &stage);
	o.given = NULL;
	if (ret < 0) {
		cli_fail(ret == -E2BIG ? "the ruleset is too large to audit "
			 "within fwaudit's bounds" : "failed to audit", ret);
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
