// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_rsfile.c - running a ruleset loader (run_loader()): what it prints
 * is kept for the message, however much it prints, and whatever signals
 * arrive meanwhile; a loader that cannot be run leaves an empty message,
 * never the caller's uninitialised buffer.  No privileges: the "loader" is
 * /bin/sh, and no namespace is made.
 */
#include <signal.h>
#include <sys/time.h>

#include "rsfile.c"
#include "unit.h"

/* a loader that prints ~200 KiB of warnings (three pipe buffers) */
#define CHATTY	"i=0; while [ $i -lt 4000 ]; do " \
		"echo \"warning: line $i of a loader that talks a lot\"; " \
		"i=$((i + 1)); done; exit "

static void on_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	char *ok[] = { "/bin/sh", "-c", CHATTY "0", NULL };
	char *bad[] = { "/bin/sh", "-c", CHATTY "1", NULL };
	char *slow[] = { "/bin/sh", "-c", "sleep 0.3; echo done", NULL };
	char out[LOADER_OUTPUT_MAX];
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
	struct sigaction sa;

	/* the loader runs to its end and succeeds; out holds its first
	 * lines */
	CHECK_EQ(run_loader(ok, "/dev/null", out, sizeof(out)), 0);
	CHECK(!strncmp(out, "warning: line 0 of", 18));
	CHECK_EQ(strlen(out), sizeof(out) - 1);

	/* it fails after as much output: a failure, with its first lines */
	CHECK_EQ(run_loader(bad, "/dev/null", out, sizeof(out)), -EINVAL);
	CHECK(!strncmp(out, "warning: line 0 of", 18));

	/* it cannot be run (no input file): out is an empty string */
	memset(out, 'x', sizeof(out));
	CHECK_EQ(run_loader(ok, "/nonexistent/ruleset", out, sizeof(out)),
		 -ENOENT);
	CHECK_EQ(out[0], '\0');

	/* a signal without SA_RESTART (the caller's business) interrupts
	 * read() and waitpid(): neither is the loader's end */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	CHECK_EQ(sigaction(SIGALRM, &sa, NULL), 0);
	CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
	CHECK_EQ(run_loader(slow, "/dev/null", out, sizeof(out)), 0);
	CHECK_STR(out, "done\n");
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);

	/* the prefixes of fwaudit fix's copies: legacy x_tables, which the
	 * contents of an iptables-save file cannot tell */
	{
		const char *name;

		CHECK_EQ(rsfile_detect("lg4:/tmp/x", &name), RSFILE_LEGACY4);
		CHECK_STR(name, "/tmp/x");
		CHECK_EQ(rsfile_detect("lg6:/tmp/y", &name), RSFILE_LEGACY6);
		CHECK_STR(name, "/tmp/y");
		CHECK_EQ(rsfile_detect("ip6:/tmp/z", &name), RSFILE_IP6TABLES);
	}

	return unit_done();
}
