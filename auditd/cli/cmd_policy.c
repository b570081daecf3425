// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_policy.c - `fwaudit policy`: policies made from what a host does.
 * `policy init` writes the baseline (auditd/policy/baseline.h) of this host or of
 * ruleset files: a policy that allows today's definite exposures and
 * includes the base policy for everything else.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "baseline.h"
#include "cli.h"
#include "util.h"


static void usage(FILE *f)
{
	fprintf(f, "Usage: %s policy init [--rules BASE] [-o FILE] "
		"[--interface IF]... [--ruleset FILE]...\n"
		"       [--snapshot FILE]\n"
		"Write a policy that allows exactly what this host exposes "
		"today, so that an audit\nwith it reports what changes.  What "
		"BASE calls critical is written commented out;\npossible "
		"exposures and ports where nothing listens are only listed.  "
		"The file\nends by including BASE.\n"
		"  -r, --rules BASE     the base policy (default: the shipped "
		"default.rules)\n"
		"  -o, --output FILE    write FILE, which must not exist yet "
		"('-': standard\n"
		"                       output, also the default)\n"
		"  -i, --interface IF   audit probes arriving on IF (repeat); "
		"the file says\n"
		"                       `interface IF, ...` to audit the same "
		"ones\n"
		"  -R, --ruleset FILE   the baseline of an iptables-save, "
		"ip6tables-save or nft\n"
		"                       file instead of this host (repeat; as "
		"in audit)\n"
		"  -S, --snapshot FILE  the baseline of the host as FILE "
		"(`%s snapshot`)\n"
		"                       recorded it\n"
		"  -h, --help           this help\n"
		"The date in the file is today's (UTC), or that of "
		"$SOURCE_DATE_EPOCH.\n"
		"Exit status: 0 written, 3 not written.\n", cli_prog, cli_prog);
}

/* "YYYY-MM-DD" (UTC) of $SOURCE_DATE_EPOCH when set (reproducible files,
 * golden tests), else of now.  0 or -EINVAL for a bad variable. */
static int today(char *buf, size_t len)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	time_t t = time(NULL);
	struct tm tm;
	char *end;
	long long v;

	if (env) {
		errno = 0;
		v = strtoll(env, &end, 10);
		if (errno || end == env || *end || v < 0)
			return -EINVAL;
		t = (time_t)v;
	}
	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d", &tm))
		return -EINVAL;
	return 0;
}

static int load_base(const char *path, char *abs, struct policy **p)
{
	struct policy_error err;
	char def[PATH_MAX], msg[2048];
	int ret;

	if (!path) {
		ret = policy_default_path(def, sizeof(def));
		if (ret < 0)
			return cli_fail("cannot find the default policy", ret);
		path = def;
	}
	/* the file includes the base by its real path: it is meant to move
	 * to /etc and still find it; the rules it names are at that path */
	if (!realpath(path, abs)) {
		ret = -errno;
		fprintf(stderr, "%s: %s: %s\n", cli_prog, path, strerror(-ret));
		return EXIT_UNKNOWN;
	}
	memset(&err, 0, sizeof(err));
	ret = policy_load(abs, p, &err);
	if (ret < 0) {
		fprintf(stderr, "%s\n", policy_error_format(&err, msg,
							    sizeof(msg)));
		return EXIT_UNKNOWN;
	}
	return 0;
}

/* Write text to path, which must not exist: a policy carries human edits,
 * and a baseline written over them would bless what they refused. */
static int write_new(const char *path, const char *text)
{
	size_t len = strlen(text), done = 0;
	ssize_t w;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (done < len) {
		w = write(fd, text + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			ret = -errno;
			break;
		}
		done += (size_t)w;
	}
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (ret)
		unlink(path);
	return ret;
}

static int policy_init(int argc, char **argv)
{
	const char *rules = NULL, *output = "-";
	char base[PATH_MAX], date[32];
	const char *ifaces[CLI_IFACES_MAX];
	struct cli_list iflist = { ifaces, 0, CLI_IFACES_MAX, "interfaces" };
	struct cli_source src;
	struct audit_opts o = { .ifaces = ifaces };
	struct baseline_opts bo = { .base = base, .date = date,
				    .ifaces = ifaces };
	struct strbuf b = STRBUF_INIT;
	struct audit_result *r = NULL;
	struct policy *policy = NULL;
	struct snapshot given;
	enum snapshot_stage stage = SNAPSHOT_NFT;
	char *text;
	int ret;
	const struct cli_opt opts[] = {
		CLI_ROW("rules", 'r', CLI_OPT_ARG, &rules),
		CLI_ROW("output", 'o', CLI_OPT_ARG, &output),
		CLI_ROW("ruleset", 'R', CLI_OPT_LIST, &src.files),
		CLI_ROW("snapshot", 'S', CLI_OPT_ARG, &src.snapfile),
		CLI_ROW("interface", 'i', CLI_OPT_LIST, &iflist),
	};

	cli_source_init(&src);
	ret = cli_parse("policy init", argc, argv, opts, ARRAY_SIZE(opts),
			usage);
	if (ret != CLI_GO)
		return ret;
	if (cli_no_operands("policy init", argc, argv))
		return EXIT_UNKNOWN;
	o.nifaces = iflist.n;
	if (today(date, sizeof(date)) < 0) {
		fprintf(stderr, "%s policy init: SOURCE_DATE_EPOCH is not a "
			"number of seconds\n", cli_prog);
		return EXIT_UNKNOWN;
	}
	/* refuse before the audit, not after it */
	if (strcmp(output, "-") && access(output, F_OK) == 0) {
		fprintf(stderr, "%s policy init: %s exists; a policy carries "
			"human edits, so it is not overwritten (remove it, or "
			"choose another name)\n", cli_prog, output);
		return EXIT_UNKNOWN;
	}
	ret = load_base(rules, base, &policy);
	if (ret)
		return ret;
	o.policy = policy;
	/* a snapshot brings the container names recorded with it */
	ret = cli_source_read("policy init", &src, false, &given, &o.docker,
			      NULL);
	if (ret)
		goto out;
	o.given = &given;
	ret = audit_run(&o, &r, &stage);
	if (ret < 0) {
		ret = cli_audit_fail(ret);
		goto out;
	}
	bo.symbolic = r->report->symbolic;
	bo.nifaces = o.nifaces;
	bo.zones = policy;
	ret = baseline_write(r->report->rows, r->report->nrows, r->verdicts,
			     &bo, &b);
	if (ret < 0) {
		ret = cli_fail("failed to write the baseline", ret);
		goto out;
	}
	text = strbuf_take(&b);
	if (!text) {
		ret = cli_fail("failed to write the baseline", -ENOMEM);
		goto out;
	}
	if (!strcmp(output, "-")) {
		ret = fputs(text, stdout) == EOF || fflush(stdout) == EOF ?
		      cli_fail("failed to print the baseline", -EIO) : EXIT_OK;
	} else {
		ret = write_new(output, text);
		if (ret == -EEXIST)
			fprintf(stderr, "%s policy init: %s exists; it is not "
				"overwritten\n", cli_prog, output);
		if (ret < 0)
			ret = cli_fail(output, ret);
	}
	free(text);
out:
	strbuf_release(&b);
	audit_result_free(r);
	policy_free(policy);
	return ret;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} subcommands[] = {
	{ "init", policy_init, "write a baseline policy: today's exposures "
	  "allowed" },
};

int cmd_policy(int argc, char **argv)
{
	bool help = argc >= 2 && (!strcmp(argv[1], "--help") ||
				  !strcmp(argv[1], "-h"));
	FILE *f = help ? stdout : stderr;
	size_t i, n = ARRAY_SIZE(subcommands);

	for (i = 0; argc >= 2 && i < n; i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	if (argc >= 2 && !help)
		fprintf(stderr, "%s policy: unknown subcommand '%s'\n",
			cli_prog, argv[1]);
	fprintf(f, "Usage: %s policy SUBCOMMAND [OPTIONS]\n", cli_prog);
	for (i = 0; i < n; i++)
		fprintf(f, "  %-6s %s\n", subcommands[i].name,
			subcommands[i].help);
	return help ? EXIT_OK : EXIT_UNKNOWN;
}
