// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_snapshot.c - `fwaudit snapshot [-o FILE]`: everything an audit reads,
 * in one file that `fwaudit audit --snapshot FILE` audits later with the
 * same output (doc/snapshot.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "snapfile.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s snapshot [-o FILE]\n"
		"Write everything an audit of this host reads - the nftables "
		"and legacy x_tables\nstate, links, addresses, routes, rules, "
		"sysctls, listeners and their owners,\ncontainer names - to "
		"one JSON file that `%s audit --snapshot FILE` audits\nwith "
		"the same output as the live audit had then.\n"
		"  -o, --output FILE    write to FILE (default, and '-': "
		"standard output);\n"
		"                       an existing FILE is replaced "
		"atomically\n"
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

/* Write doc to path through a temporary file renamed over it: a reader (or
 * fwauditd's last snapshot) never sees half a file. */
static int write_doc(const json_t *doc, const char *path)
{
	size_t flags = JSON_INDENT(1) | JSON_PRESERVE_ORDER;
	char *tmp = NULL;
	FILE *f;
	int fd, ret = 0;

	if (!path || strcmp(path, "-") == 0) {
		if (json_dumpf(doc, stdout, flags) < 0 ||
		    fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
			return -EIO;
		return 0;
	}
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	/* mode 0600: what a snapshot holds (process names, addresses) is
	 * root's */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(tmp);
		return ret;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		goto out;
	}
	if (json_dumpf(doc, f, flags) < 0 || fputc('\n', f) == EOF ||
	    fflush(f) == EOF || fsync(fd) < 0)
		ret = errno ? -errno : -EIO;
	if (fclose(f) == EOF && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
out:
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

int cmd_snapshot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct snapfile_rec rec;
	struct snapshot snap;
	const char *out = NULL;
	char err[1024];
	json_t *doc = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
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
		fprintf(stderr, "%s snapshot: unexpected argument '%s'\n",
			cli_prog, argv[optind]);
		return EXIT_UNKNOWN;
	}
	ret = snapfile_record_begin(&rec);
	if (ret < 0)
		return cli_fail("cannot record the snapshot", ret);
	ret = cli_snapshot(&snap, true);
	if (ret) {
		/* closes the recordings */
		snapfile_record_end(&rec, &(struct snapshot){ .rs = NULL },
				    &doc, err, sizeof(err));
		return ret;
	}
	ret = snapfile_record_end(&rec, &snap, &doc, err, sizeof(err));
	snapshot_release(&snap);
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", cli_prog, err);
		return EXIT_UNKNOWN;
	}
	ret = write_doc(doc, out);
	json_decref(doc);
	if (ret < 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", cli_prog,
			out && strcmp(out, "-") ? out : "the snapshot",
			strerror(-ret));
		return EXIT_UNKNOWN;
	}
	return EXIT_OK;
}
