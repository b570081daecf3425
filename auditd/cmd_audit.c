// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_audit.c - `fwaudit audit`: which ports of this host a stranger can
 * reach, from where, through which interfaces.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "docker.h"
#include "engine.h"
#include "report.h"

#define IFACES_MAX	64

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s audit [--format text|json] [--interface IF]...\n"
		"Work out which TCP/UDP/SCTP ports of this host a stranger can "
		"reach: from which sources, on which interfaces, to which "
		"listener or DNAT backend.\n"
		"  -f, --format FMT     text (a table) or json (version 1)\n"
		"  -i, --interface IF   audit probes arriving on IF (repeat; "
		"'eth+' matches a prefix)\n"
		"                       default: every interface with a global "
		"address that is not a container bridge\n"
		"  -h, --help           this help\n", cli_prog);
}

static json_t *sources_json(const struct ruleset *rs)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < rs->nsources; i++)
		json_array_append_new(a, json_pack("{s:s,s:b}", "name",
						   rs->sources[i].name,
						   "present",
						   rs->sources[i].present));
	return a;
}

int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "interface", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum cli_format format = CLI_FORMAT_TEXT;
	const char *ifaces[IFACES_MAX];
	struct engine_input in = { 0 };
	struct engine_result *res = NULL;
	struct report *rep = NULL;
	struct docker_map dm = { 0, NULL };
	struct snapshot snap;
	char host[256] = "";
	char stamp[32];
	json_t *root;
	time_t now;
	int c, ret;

	while ((c = getopt_long(argc, argv, "f:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cli_parse_format(optarg, 1u << CLI_FORMAT_TEXT |
					     1u << CLI_FORMAT_JSON, &format) < 0)
				return EXIT_UNKNOWN;
			break;
		case 'i':
			if (in.nifaces == IFACES_MAX) {
				fprintf(stderr, "%s audit: at most %d "
					"interfaces\n", cli_prog, IFACES_MAX);
				return EXIT_UNKNOWN;
			}
			ifaces[in.nifaces++] = optarg;
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
	ret = cli_snapshot(&snap, true);
	if (ret)
		return ret;
	in.rs = snap.rs;
	in.host = snap.host;
	in.ifaces = ifaces;
	ret = engine_run(&in, &res);
	if (ret < 0) {
		snapshot_release(&snap);
		return cli_fail(ret == -E2BIG ? "the ruleset is too large to "
				"audit within fwaudit's bounds" :
				"failed to audit", ret);
	}
	/* names for DNAT backends; without the Docker API, addresses only */
	docker_read(docker_socket_path(), &dm);
	ret = report_build(res, snap.host, &dm, &rep);
	if (ret < 0)
		goto out;
	if (format == CLI_FORMAT_JSON) {
		gethostname(host, sizeof(host) - 1);
		now = time(NULL);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ",
			 gmtime(&now));
		root = json_pack("{s:i,s:s,s:s}", "version", 1, "host", host,
				 "time", stamp);
		if (!root) {
			ret = -ENOMEM;
			goto out;
		}
		json_object_set_new(root, "sources", sources_json(snap.rs));
		ret = report_json(rep, root);
		json_object_set_new(root, "violations", json_array());
		if (!ret && json_dumpf(root, stdout, JSON_INDENT(1) |
				       JSON_PRESERVE_ORDER) < 0)
			ret = -EIO;
		json_decref(root);
		if (!ret)
			putchar('\n');
	} else {
		ret = report_text(rep, stdout);
	}
	if (!ret && fflush(stdout) == EOF)
		ret = -errno;
out:
	report_free(rep);
	docker_release(&dm);
	engine_result_free(res);
	snapshot_release(&snap);
	if (ret < 0)
		return cli_fail("failed to print the audit", ret);
	return EXIT_OK;
}
