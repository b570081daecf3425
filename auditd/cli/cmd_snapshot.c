// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_snapshot.c - `fwaudit snapshot [-o FILE]`: everything an audit reads,
 * in one file that `fwaudit audit --snapshot FILE` audits later with the
 * same output (doc/snapshot.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "cli.h"
#include "nsaudit.h"
#include "prove.h"
#include "redact.h"
#include "snapfile.h"
#include "util.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s snapshot [-o FILE] [--redact [--redact-map "
		"FILE] [--input FILE]]\n"
		"Write everything an audit of this host reads - the nftables "
		"and legacy x_tables\nstate, links, addresses, routes, rules, "
		"sysctls, listeners and their owners,\ncontainer names - to "
		"one JSON file that `%s audit --snapshot FILE` audits\nwith "
		"the same output as the live audit had then.\n"
		"  -o, --output FILE    write to FILE (default, and '-': "
		"standard output);\n"
		"                       an existing FILE is replaced "
		"atomically\n"
		"      --redact         replace the host name, process and "
		"container names and\n"
		"                       every address but loopback, "
		"link-local, multicast and\n"
		"                       documentation ones, consistently "
		"(prefixes, ranges and\n"
		"                       private/global kept): the audit "
		"keeps its verdicts\n"
		"      --redact-map FILE  write the map (its key: it undoes "
		"the redaction) to\n"
		"                       FILE, a new file of mode 0600\n"
		"  -i, --input FILE     with --redact: redact the snapshot FILE "
		"taken before\n"
		"                       instead of this host\n"
		"  -h, --help           this help\n"
		"Exit status: 0 written, 3 could not.\n", cli_prog, cli_prog);
}

int cli_snapshot_file(const char *path, unsigned int flags,
		      struct snapshot *snap)
{
	char err[2048];
	int ret;

	ret = snapfile_load(path, flags, snap, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", cli_prog, err);
		return EXIT_UNKNOWN;
	}
	return 0;
}

/* Redact doc in place with a key of this run; the map to mapfile. */
static int redact_doc(json_t *doc, const char *mapfile)
{
	uint8_t key[REDACT_KEY_SIZE];
	struct redact *r = NULL;
	char err[1024];
	size_t got = 0;
	json_t *map;
	ssize_t n;
	int ret, fd;

	while (got < sizeof(key)) {
		n = getrandom(key + got, sizeof(key) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cli_fail("cannot draw the redaction key", -errno);
		got += (size_t)n;
	}
	ret = redact_new(key, &r);
	if (ret < 0)
		return cli_fail("cannot redact", ret);
	ret = redact_snapshot(r, doc, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "%s snapshot: cannot redact: %s\n", cli_prog,
			err);
		redact_free(r);
		return EXIT_UNKNOWN;
	}
	if (mapfile) {
		map = redact_map_doc(r);
		fd = open(mapfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			  0600);
		ret = !map ? -ENOMEM : fd < 0 ? -errno :
		      json_dumpfd(map, fd, JSON_COMPACT) < 0 ? -EIO : 0;
		if (fd >= 0 && close(fd) < 0 && !ret)
			ret = -errno;
		json_decref(map);
		if (ret < 0) {
			redact_free(r);
			return cli_fail(mapfile, ret);
		}
	}
	redact_free(r);
	return 0;
}

struct netns_rec {
	struct snapfile_rec *rec;
	char err[1024];
};

static int netns_inside(const struct sandbox *sb, void *data)
{
	struct netns_rec *n = data;

	return snapfile_netns_add(n->rec, sb, NULL, n->err, sizeof(n->err));
}

static int netns_failed(const struct sandbox *sb, int err, const char *why,
			void *data)
{
	struct netns_rec *n = data;

	return snapfile_netns_failed(n->rec, sb, err, why);
}

int cli_snapshot_netns(struct snapfile_rec *rec)
{
	struct netns_rec n = { rec, "" };
	int ret;

	ret = nsaudit_each(netns_inside, netns_failed, &n);
	if (ret < 0) {
		fprintf(stderr, "%s: cannot record the containers' own "
			"namespaces: %s%s%s\n", cli_prog, strerror(-ret),
			n.err[0] ? ": " : "", n.err);
		return EXIT_UNKNOWN;
	}
	return 0;
}

/* A snapshot file taken before, checked as `audit --snapshot` checks it
 * (but for loading its legacy tables), as a document. */
static int load_doc(const char *path, json_t **doc)
{
	struct snapshot s;
	json_error_t je;
	char err[2048];

	if (!strcmp(path, "-")) {
		fprintf(stderr, "%s snapshot: --input needs a file, not "
			"standard input\n", cli_prog);
		return EXIT_UNKNOWN;
	}
	if (cli_snapshot_file(path, SNAPFILE_RULESET | SNAPFILE_HOST |
			      SNAPFILE_NO_LEGACY, &s))
		return EXIT_UNKNOWN;
	snapshot_release(&s);
	*doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!*doc) {
		snprintf(err, sizeof(err), "%s:%d:%d: %s", path, je.line,
			 je.column, je.text);
		fprintf(stderr, "%s: %s\n", cli_prog, err);
		return EXIT_UNKNOWN;
	}
	return 0;
}

int cmd_snapshot(int argc, char **argv)
{
	struct snapfile_rec rec;
	struct snapshot snap;
	const char *out = NULL, *mapfile = NULL, *input = NULL;
	bool redact = false;
	char err[1024];
	json_t *doc = NULL;
	int ret;
	const struct cli_opt opts[] = {
		CLI_ROW("output", 'o', CLI_OPT_ARG, &out),
		CLI_ROW("redact", 0, CLI_OPT_SET, &redact),
		CLI_ROW("redact-map", 0, CLI_OPT_ARG, &mapfile),
		CLI_ROW("input", 'i', CLI_OPT_ARG, &input),
	};

	ret = cli_parse("snapshot", argc, argv, opts, ARRAY_SIZE(opts), usage);
	if (ret != CLI_GO)
		return ret;
	if (cli_no_operands("snapshot", argc, argv))
		return EXIT_UNKNOWN;
	if (mapfile && !redact) {
		fprintf(stderr, "%s snapshot: --redact-map needs --redact\n",
			cli_prog);
		return EXIT_UNKNOWN;
	}
	if (input && !redact) {
		fprintf(stderr, "%s snapshot: --input needs --redact\n",
			cli_prog);
		return EXIT_UNKNOWN;
	}
	if (input) {
		ret = load_doc(input, &doc);
		if (ret)
			return ret;
		goto redact;
	}
	ret = snapfile_record_begin(&rec);
	if (ret < 0)
		return cli_fail("cannot record the snapshot", ret);
	ret = cli_snapshot(&snap, true);
	if (ret) {
		snapfile_record_abort(&rec);
		return ret;
	}
	/* the ruleset as text too, for `fwaudit fix --snapshot`: what its
	 * proof would copy from this host now */
	ret = prove_save_texts(snap.rs, snap.text, snap.text_len,
			       SNAPFILE_SAVE_MAX, err, sizeof(err));
	if (ret < 0) {
		snapfile_record_abort(&rec);
		snapshot_release(&snap);
		fprintf(stderr, "%s: %s\n", cli_prog, err);
		return EXIT_UNKNOWN;
	}
	if (err[0])
		fprintf(stderr, "%s snapshot: warning: %s\n", cli_prog, err);
	/* after the host, as an audit reads them */
	ret = cli_snapshot_netns(&rec);
	if (ret) {
		snapfile_record_abort(&rec);
		snapshot_release(&snap);
		return ret;
	}
	if (!redact) {
		/* streamed: the recordings go from their memfds to the file
		 * without a document in memory (--redact maps the document's
		 * recordings in place, so it builds the document) */
		ret = snapfile_record_write(&rec, &snap, out, err,
					    sizeof(err));
		snapshot_release(&snap);
		if (ret < 0) {
			fprintf(stderr, "%s: %s\n", cli_prog, err);
			return EXIT_UNKNOWN;
		}
		return EXIT_OK;
	}
	ret = snapfile_record_end(&rec, &snap, &doc, err, sizeof(err));
	snapshot_release(&snap);
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", cli_prog, err);
		return EXIT_UNKNOWN;
	}
redact:
	if (redact) {
		ret = redact_doc(doc, mapfile);
		if (ret) {
			json_decref(doc);
			return ret;
		}
	}
	ret = snapfile_write(doc, out);
	json_decref(doc);
	if (ret < 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", cli_prog,
			out && strcmp(out, "-") ? out : "the snapshot",
			strerror(-ret));
		return EXIT_UNKNOWN;
	}
	return EXIT_OK;
}
