// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_cli.c - the subcommands' option table (options.c): every kind of
 * row, short letters and long-only names, --help, and each way an
 * option is refused.
 */
#include <stdlib.h>

#include "options.c"
#include "unit.h"

const char *cli_prog = "fwaudit";

static unsigned int usages_out, usages_err;

static void usage(FILE *f)
{
	if (f == stdout)
		usages_out++;
	else
		usages_err++;
}

static int even(const char *arg, void *to)
{
	long n = strtol(arg, NULL, 10);

	if (n % 2)
		return -1;
	*(long *)to = n;
	return 0;
}

struct vals {
	const char *name, *v[3];
	struct cli_list list;
	bool set, clear;
	unsigned int n;
	enum cli_format format;
	long even;
};

/* Parse the NULL-terminated words after "cmd" into *v. */
static int parse(struct vals *v, char **words)
{
	const struct cli_opt opts[] = {
		CLI_ROW("name", 'a', CLI_OPT_ARG, &v->name),
		CLI_ROW("list", 'l', CLI_OPT_LIST, &v->list),
		CLI_ROW("set", 's', CLI_OPT_SET, &v->set),
		CLI_ROW("no-clear", 0, CLI_OPT_CLEAR, &v->clear),
		CLI_ROW("number", 'n', CLI_OPT_UINT, &v->n, .lo = 2,
			.hi = 9),
		CLI_ROW("format", 'f', CLI_OPT_FORMAT, &v->format,
			.formats = 1u << CLI_FORMAT_TEXT |
				   1u << CLI_FORMAT_JSON),
		CLI_ROW("even", 0, CLI_OPT_FN, &v->even, .fn = even),
	};
	char *argv[16] = { "cmd" };
	int argc = 1;

	memset(v, 0, sizeof(*v));
	v->list = (struct cli_list){ v->v, 0, 3, "things" };
	v->clear = true;
	while (*words && argc < 15)
		argv[argc++] = *words++;
	argv[argc] = NULL;
	optind = 0;
	opterr = 0;
	return cli_parse("cmd", argc, argv, opts, ARRAY_SIZE(opts), usage);
}

#define WORDS(...) ((char *[]){ __VA_ARGS__, NULL })

static void test_kinds(void)
{
	struct vals v;

	CHECK_EQ(parse(&v, WORDS("-a", "x", "--list", "p", "-lq", "-s",
				 "--no-clear", "-n", "7", "--format=json",
				 "--even", "4")), CLI_GO);
	CHECK_STR(v.name, "x");
	CHECK_EQ(v.list.n, 2);
	CHECK_STR(v.v[0], "p");
	CHECK_STR(v.v[1], "q");
	CHECK(v.set);
	CHECK(!v.clear);
	CHECK_EQ(v.n, 7);
	CHECK_EQ(v.format, CLI_FORMAT_JSON);
	CHECK_EQ(v.even, 4);

	/* the last of a repeated single option wins; getopt_long moves
	 * the operand after the options */
	CHECK_EQ(parse(&v, WORDS("--name", "x", "op", "-a", "y")), CLI_GO);
	CHECK_STR(v.name, "y");
	CHECK_EQ(optind, 5);
	optind = 1;
	CHECK_EQ(cli_no_operands("cmd", 3, WORDS("cmd", "a", "b")),
		 EXIT_UNKNOWN);
	optind = 3;
	CHECK_EQ(cli_no_operands("cmd", 3, WORDS("cmd", "a", "b")), 0);
}

static void test_help(void)
{
	struct vals v;

	usages_out = usages_err = 0;
	CHECK_EQ(parse(&v, WORDS("-s", "--help", "--bogus")), EXIT_OK);
	CHECK_EQ(usages_out, 1);
	CHECK_EQ(parse(&v, WORDS("-h")), EXIT_OK);
	CHECK_EQ(usages_out, 2);
	CHECK_EQ(usages_err, 0);
}

static void test_refused(void)
{
	struct vals v;

	usages_err = 0;
	CHECK_EQ(parse(&v, WORDS("--bogus")), EXIT_UNKNOWN);
	CHECK_EQ(usages_err, 1);
	/* long-only names have no letter */
	CHECK_EQ(parse(&v, WORDS("-e", "4")), EXIT_UNKNOWN);
	CHECK_EQ(usages_err, 2);
	/* a missing argument */
	CHECK_EQ(parse(&v, WORDS("-a")), EXIT_UNKNOWN);
	CHECK_EQ(usages_err, 3);
	/* the list's bound */
	CHECK_EQ(parse(&v, WORDS("-l", "1", "-l", "2", "-l", "3")), CLI_GO);
	CHECK_EQ(parse(&v, WORDS("-l", "1", "-l", "2", "-l", "3", "-l",
				 "4")), EXIT_UNKNOWN);
	CHECK_EQ(v.list.n, 3);
	/* numbers: bounds, signs, junk, overflow */
	CHECK_EQ(parse(&v, WORDS("-n", "2")), CLI_GO);
	CHECK_EQ(parse(&v, WORDS("-n", "9")), CLI_GO);
	CHECK_EQ(parse(&v, WORDS("-n", "1")), EXIT_UNKNOWN);
	CHECK_EQ(parse(&v, WORDS("-n", "10")), EXIT_UNKNOWN);
	CHECK_EQ(parse(&v, WORDS("-n", "-3")), EXIT_UNKNOWN);
	CHECK_EQ(parse(&v, WORDS("-n", "3x")), EXIT_UNKNOWN);
	CHECK_EQ(parse(&v, WORDS("-n", "")), EXIT_UNKNOWN);
	CHECK_EQ(parse(&v, WORDS("-n", "18446744073709551619")),
		 EXIT_UNKNOWN);
	CHECK_EQ(v.n, 0);
	/* a format the command does not offer */
	CHECK_EQ(parse(&v, WORDS("-f", "nagios")), EXIT_UNKNOWN);
	CHECK_EQ(parse(&v, WORDS("-f", "text")), CLI_GO);
	/* the callback's refusal */
	CHECK_EQ(parse(&v, WORDS("--even", "3")), EXIT_UNKNOWN);
	usages_err = 0;
	CHECK_EQ(parse(&v, WORDS("--even", "3")), EXIT_UNKNOWN);
	CHECK_EQ(usages_err, 0);
}

static void test_table_bound(void)
{
	struct cli_opt many[CLI_OPTS_MAX + 1];
	char *argv[] = { "cmd", NULL };
	bool b;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct cli_opt)CLI_ROW("x", 0, CLI_OPT_SET, &b);
	optind = 0;
	CHECK_EQ(cli_parse("cmd", 1, argv, many, ARRAY_SIZE(many), usage),
		 EXIT_UNKNOWN);
	optind = 0;
	CHECK_EQ(cli_parse("cmd", 1, argv, many, CLI_OPTS_MAX, usage),
		 CLI_GO);
}

int main(void)
{
	test_kinds();
	test_help();
	test_refused();
	test_table_bound();
	return unit_done();
}
