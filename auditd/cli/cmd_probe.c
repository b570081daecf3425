// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_probe.c - `fwaudit probe`: the vantage's half of `fwaudit verify`.
 * Reads a probe list (probelist.h) on standard input, sends it from this
 * machine (prober.h) and writes the results on standard output; or, with
 * --source-for, says which source address this machine uses towards each
 * address.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netfilter.h>

#include "cli.h"
#include "host.h"
#include "prober.h"
#include "probelist.h"
#include "util.h"

#define SOURCES_MAX	64

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s probe [--timeout MS] [--udp-interval MS] "
		"[--udp-tries N] < PROBES\n"
		"       %s probe --source-for ADDR...\n"
		"Send the probes of a JSON list (as `%s verify` writes it) "
		"from this machine and\nwrite what each met: TCP open, reset, "
		"closed, filtered; UDP open (answered, or\nICMP port "
		"unreachable), silent; unreachable (another ICMP error).\n"
		"  -t, --timeout MS       wait this long for each try "
		"(default 4000)\n"
		"  -u, --udp-interval MS  send one datagram every MS "
		"(default 1000: under the\n"
		"                         kernel's ICMP rate limit)\n"
		"  -n, --udp-tries N      send a silent datagram N times "
		"(default 3)\n"
		"  -s, --source-for ADDR  print the source address this "
		"machine uses towards ADDR\n"
		"                         (repeat); sends nothing\n"
		"  -h, --help             this help\n"
		"Exit status: 0 done, 3 could not.\n", cli_prog, cli_prog,
		cli_prog);
}

/* Read all of standard input, at most max bytes.  0 or a negative errno
 * (-E2BIG beyond max). */
static int read_stdin(size_t max, char **out, size_t *len)
{
	size_t n = 0, cap = 65536;
	char *buf = malloc(cap), *nb;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(buf);
				return -E2BIG;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(STDIN_FILENO, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			return r;
		}
		if (r == 0)
			break;
		n += r;
	}
	if (n > max) {
		free(buf);
		return -E2BIG;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int source_for(const char *const *addrs, size_t n)
{
	char a[INET6_ADDRSTRLEN];
	json_t *doc = json_object(), *arr = json_array(), *o;
	uint8_t family;
	rs_u128 dst, src;
	size_t i;
	int ret;

	if (!doc || !arr || json_object_set_new(doc, "sources", arr)) {
		json_decref(doc);
		return cli_fail("cannot answer", -ENOMEM);
	}
	for (i = 0; i < n; i++) {
		family = strchr(addrs[i], ':') ? NFPROTO_IPV6 : NFPROTO_IPV4;
		if (host_addr_parse(family, addrs[i], &dst) < 0) {
			fprintf(stderr, "%s probe: '%s' is not an address\n",
				cli_prog, addrs[i]);
			json_decref(doc);
			return EXIT_UNKNOWN;
		}
		o = json_object();
		json_array_append_new(arr, o);
		json_object_set_new(o, "address", json_string(addrs[i]));
		ret = prober_source_for(family, dst, &src);
		if (ret < 0)
			json_object_set_new(o, "error",
					    json_string(strerror(-ret)));
		else
			json_object_set_new(o, "source", json_string(
				host_addr_str(family, src, a, sizeof(a))));
	}
	ret = json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (ret < 0 || fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
		return cli_fail("cannot write the answer", -EIO);
	return EXIT_OK;
}

int cmd_probe(int argc, char **argv)
{
	const char *addrs[SOURCES_MAX];
	struct cli_list addrlist = { addrs, 0, SOURCES_MAX, "addresses" };
	struct probelist l = { 0 };
	struct prober_opts po;
	char *buf = NULL, err[512];
	size_t len = 0;
	json_t *doc;
	int ret;
	const struct cli_opt opts[] = {
		CLI_ROW("timeout", 't', CLI_OPT_UINT, &po.timeout_ms,
		  .lo = 100, .hi = 60000),
		CLI_ROW("udp-interval", 'u', CLI_OPT_UINT, &po.udp_interval_ms,
		  .lo = 0, .hi = 10000),
		CLI_ROW("udp-tries", 'n', CLI_OPT_UINT, &po.udp_tries,
		  .lo = 1, .hi = 10),
		CLI_ROW("source-for", 's', CLI_OPT_LIST, &addrlist),
	};

	prober_opts_default(&po);
	ret = cli_parse("probe", argc, argv, opts, ARRAY_SIZE(opts), usage);
	if (ret != CLI_GO)
		return ret;
	if (cli_no_operands("probe", argc, argv))
		return EXIT_UNKNOWN;
	if (addrlist.n)
		return source_for(addrs, addrlist.n);
	ret = read_stdin(PROBELIST_BYTES_MAX, &buf, &len);
	if (ret < 0)
		return cli_fail("cannot read the probe list", ret);
	ret = probelist_parse(buf, len, false, &l, err, sizeof(err));
	free(buf);
	if (ret < 0) {
		fprintf(stderr, "%s probe: the probe list: %s\n", cli_prog,
			err);
		return EXIT_UNKNOWN;
	}
	ret = prober_run(&l, &po);
	if (ret < 0) {
		probelist_release(&l);
		return cli_fail("cannot send the probes", ret);
	}
	doc = probelist_json(&l, true);
	probelist_release(&l);
	if (!doc)
		return cli_fail("cannot write the results", -ENOMEM);
	ret = json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (ret < 0 || fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
		return cli_fail("cannot write the results", -EIO);
	return EXIT_OK;
}
