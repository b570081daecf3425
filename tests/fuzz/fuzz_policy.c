// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_policy.c - libFuzzer harness for the policy parser (policy.c).
 *
 * Each input is written to a file in a private temporary directory and
 * loaded; a policy that loads also judges a few fixed rows, so the judge
 * meets odd policies too.  The directory holds two files the input may
 * include (inc.rules, and loop.rules which includes itself).  Includes of
 * absolute paths or with ".." are skipped: the fuzzer must not read the
 * machine.  Built and run by tests/fuzz/run-fuzz.sh.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <linux/netfilter.h>

#include "policy.h"
#include "report.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/dev/shm/fuzz_policy.XXXXXX";
static char path[64];

static void put(const char *name, const char *text)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void cleanup(void)
{
	static const char *const names[] = { "inc.rules", "loop.rules",
					     "input.rules" };
	char p[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void setup(void)
{
	if (path[0])
		return;
	/* tmpfs: rewriting a file on ext4 flushes it on every close */
	if (!mkdtemp(dir)) {
		memcpy(dir, "/tmp/", 5);
		memmove(dir + 5, dir + 9, sizeof(dir) - 9);
		memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
		if (!mkdtemp(dir))
			abort();
	}
	atexit(cleanup);
	put("inc.rules", "zone inc = 10.9.0.0/16\nallow tcp 1-100 from inc\n");
	put("loop.rules", "include loop.rules\n");
	snprintf(path, sizeof(path), "%s/input.rules", dir);
}

/* Is there an include that could leave the directory? */
static bool escapes(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size, *p;

	for (p = s; p < end; p++) {
		if (*p == '/' && p > s && p[-1] != '.' &&
		    !(p[-1] >= '0' && p[-1] <= '9') &&
		    !(p[-1] >= 'a' && p[-1] <= 'f') &&
		    !(p[-1] >= 'A' && p[-1] <= 'F') && p[-1] != ':')
			return true;
		if (*p == '/' && p == s)
			return true;
		if (*p == '.' && p + 1 < end && p[1] == '.')
			return true;
	}
	return false;
}

static void judge(const struct policy *p)
{
	/* 0.0.0.0/0; 10.0.0.0/8 and 192.0.2.7; ::/0 */
	static struct rs_interval v4[] = { { 0, 0xffffffffu } };
	static struct rs_interval v4b[] = { { 0x0a000000, 0x0affffff },
					    { 0xc0000207, 0xc0000207 } };
	static struct rs_interval v6[] = { { 0, ~(rs_u128)0 } };
	static char *eth0[] = { (char *)"eth0" };
	struct host_listener l = { .comm = (char *)"nginx" };
	struct report_row rows[4] = {
		{ .family = NFPROTO_IPV4, .proto = IPPROTO_TCP, .port_lo = 0,
		  .port_hi = 65535, .nsources = 1, .sources = v4,
		  .path = ENGINE_LOCAL, .state = ENGINE_EXPOSED },
		{ .family = NFPROTO_IPV4, .proto = IPPROTO_UDP, .port_lo = 53,
		  .port_hi = 53, .nsources = 2, .sources = v4b,
		  .path = ENGINE_FORWARDED, .state = ENGINE_EXPOSED,
		  .container = (char *)"web-1", .listener = &l,
		  .nifaces = 1, .ifaces = eth0 },
		{ .family = NFPROTO_IPV6, .proto = IPPROTO_SCTP, .port_lo = 80,
		  .port_hi = 8080, .nsources = 1, .sources = v6,
		  .path = ENGINE_LOCAL, .state = ENGINE_OPEN },
		{ .family = NFPROTO_IPV6, .proto = IPPROTO_TCP, .port_lo = 443,
		  .port_hi = 443, .nsources = 0, .path = ENGINE_LOCAL,
		  .state = ENGINE_EXPOSED },
	};
	struct policy_result *res;

	if (policy_judge(p, rows, 4, &res) == 0)
		policy_result_free(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_error err;
	struct policy *p;
	char msg[2048];
	FILE *f;

	setup();
	/* "/" is everywhere in prefixes; only a path-like one can escape */
	if (size > 0 && memmem(data, size, "include", 7) && escapes(data, size))
		return 0;
	f = fopen(path, "w");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	if (policy_load(path, &p, &err) == 0) {
		judge(p);
		policy_free(p);
	} else {
		policy_error_format(&err, msg, sizeof(msg));
		if (!err.message[0])
			abort();	/* every failure says why */
	}
	return 0;
}
