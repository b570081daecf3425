// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * options.c - the subcommands' options, read from a table.
 *
 * Each subcommand used to carry its own getopt_long() loop, and the loops
 * were the same but for their letters: a row per option now says where
 * its value goes, and this file is the only loop.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"

int cli_parse_format(const char *s, unsigned int mask, enum cli_format *f)
{
	static const char *const names[] = {
		[CLI_FORMAT_TEXT] = "text", [CLI_FORMAT_JSON] = "json",
		[CLI_FORMAT_PROMETHEUS] = "prometheus",
		[CLI_FORMAT_NAGIOS] = "nagios",
		[CLI_FORMAT_EVENTS] = "events",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if ((mask & (1u << i)) && !strcmp(s, names[i])) {
			*f = (enum cli_format)i;
			return 0;
		}
	}
	fprintf(stderr, "%s: unknown format '%s' (one of:", cli_prog, s);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (mask & (1u << i))
			fprintf(stderr, " %s", names[i]);
	fprintf(stderr, ")\n");
	return -EINVAL;
}

int cli_room(const char *cmd, size_t n, size_t max, const char *what)
{
	if (n < max)
		return 0;
	fprintf(stderr, "%s %s: at most %zu %s\n", cli_prog, cmd, max, what);
	return EXIT_UNKNOWN;
}

/* getopt_long's value for row i of the table (above every char, so a
 * long-only option never collides with a letter) */
#define ROW_VAL(i)	(256 + (int)(i))

static int take_uint(const char *cmd, const struct cli_opt *o,
		     const char *arg)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || !*arg || *end || arg[0] == '-' || n < o->lo ||
	    n > o->hi) {
		fprintf(stderr, "%s %s: --%s: '%s' is not a number in %u-%u\n",
			cli_prog, cmd, o->name, arg, o->lo, o->hi);
		return -1;
	}
	*(unsigned int *)o->to = (unsigned int)n;
	return 0;
}

static int take(const char *cmd, const struct cli_opt *o, const char *arg)
{
	struct cli_list *l;

	switch (o->kind) {
	case CLI_OPT_SET:
		*(bool *)o->to = true;
		return 0;
	case CLI_OPT_CLEAR:
		*(bool *)o->to = false;
		return 0;
	case CLI_OPT_ARG:
		*(const char **)o->to = arg;
		return 0;
	case CLI_OPT_LIST:
		l = o->to;
		if (cli_room(cmd, l->n, l->max, l->what))
			return -1;
		l->v[l->n++] = arg;
		return 0;
	case CLI_OPT_UINT:
		return take_uint(cmd, o, arg);
	case CLI_OPT_FORMAT:
		return cli_parse_format(arg, o->formats, o->to) < 0 ? -1 : 0;
	case CLI_OPT_FN:
		return o->fn(arg, o->to) < 0 ? -1 : 0;
	}
	return -1;
}

static bool has_arg(const struct cli_opt *o)
{
	return o->kind != CLI_OPT_SET && o->kind != CLI_OPT_CLEAR;
}

int cli_parse(const char *cmd, int argc, char **argv,
	      const struct cli_opt *opts, size_t n, void (*usage_fn)(FILE *))
{
	struct option lo[CLI_OPTS_MAX + 2];
	char shorts[3 * CLI_OPTS_MAX + 2];
	size_t i, k = 0;
	int c;

	if (n > CLI_OPTS_MAX) {
		/* a programming error: the table outgrew its bound */
		fprintf(stderr, "%s %s: too many options\n", cli_prog, cmd);
		return EXIT_UNKNOWN;
	}
	for (i = 0; i < n; i++) {
		lo[i] = (struct option){ opts[i].name, has_arg(&opts[i]) ?
					 required_argument : no_argument, NULL,
					 ROW_VAL(i) };
		if (!opts[i].key)
			continue;
		shorts[k++] = (char)opts[i].key;
		if (has_arg(&opts[i]))
			shorts[k++] = ':';
	}
	lo[n] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n + 1] = (struct option){ NULL, 0, NULL, 0 };
	shorts[k++] = 'h';
	shorts[k] = '\0';

	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (c == 'h') {
			usage_fn(stdout);
			return EXIT_OK;
		}
		if (c < ROW_VAL(0)) {
			/* a short letter: its row */
			for (i = 0; i < n && opts[i].key != c; i++)
				;
		} else {
			i = (size_t)(c - ROW_VAL(0));
		}
		if (i >= n) {
			/* getopt_long has said what is wrong */
			usage_fn(stderr);
			return EXIT_UNKNOWN;
		}
		if (take(cmd, &opts[i], optarg) < 0)
			return EXIT_UNKNOWN;
	}
	return CLI_GO;
}

int cli_no_operands(const char *cmd, int argc, char **argv)
{
	if (optind >= argc)
		return 0;
	fprintf(stderr, "%s %s: unexpected argument '%s'\n", cli_prog, cmd,
		argv[optind]);
	return EXIT_UNKNOWN;
}
