// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_policy.c - the policy language: every statement, every error message
 * with its position, includes, judgments on hand-made rows, the shipped
 * policies, and a randomized check of "first match wins per part" against
 * a point-by-point model.  Includes policy.c (as chrony's unit tests do) to
 * reach prefix_parse(), and cmd_check_rules.c for the subcommand.
 *
 *	test_policy [seed]
 *
 * Runs in a temporary directory; the shipped policies are read from
 * $top_srcdir/rules (exported by make check).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "policy.c"
#include "cmd_check_rules.c"
#include "options.c"
#include "unit.h"

const char *cli_prog = "fwaudit";

static char topdir[PATH_MAX];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(99);
	}
	fputs(text, f);
	fclose(f);
}

static struct policy *load_text(const char *text)
{
	struct policy_error err;
	struct policy *p = NULL;
	char msg[2048];
	int ret;

	write_file("t.rules", text);
	ret = policy_load("t.rules", &p, &err);
	if (ret < 0)
		fprintf(stderr, "unexpected: %s\n",
			policy_error_format(&err, msg, sizeof(msg)));
	CHECK_EQ(ret, 0);
	return p;
}

/* Load text as t.rules and compare the formatted error. */
static void check_error(int line, const char *text, int want_ret,
			const char *want)
{
	struct policy_error err;
	struct policy *p = (struct policy *)&err;
	char msg[2048];
	int ret;

	write_file("t.rules", text);
	ret = policy_load("t.rules", &p, &err);
	policy_error_format(&err, msg, sizeof(msg));
	if (ret != want_ret || strcmp(msg, want)) {
		unit_failures++;
		fprintf(stderr, "%s:%d: got %d \"%s\", expected %d \"%s\"\n",
			__FILE__, line, ret, msg, want_ret, want);
	}
	unit_checks++;
	/* outputs are written only on success */
	CHECK(p == (struct policy *)&err);
}

#define ERR(text, ret, want) check_error(__LINE__, text, ret, want)

static void test_errors(void)
{
	char *big;
	size_t i;

	ERR("frobnicate tcp 22 from any\n", -EINVAL,
	    "t.rules:1:1: unknown keyword 'frobnicate'");
	ERR("# comment\n\n  allow tcp 22 from 10.0.0.0/33\n", -EINVAL,
	    "t.rules:3:21: prefix length out of range in '10.0.0.0/33' (0-32)");
	ERR("allow tcp 22 from fd00::/129\n", -EINVAL,
	    "t.rules:1:19: prefix length out of range in 'fd00::/129' (0-128)");
	ERR("allow tcp 22 from 10.0.0.1/8\n", -EINVAL,
	    "t.rules:1:19: host bits set in '10.0.0.1/8' (did you mean "
	    "10.0.0.0/8?)");
	ERR("allow tcp 22 from 10.0.300.0/24\n", -EINVAL,
	    "t.rules:1:19: bad prefix '10.0.300.0/24'");
	ERR("allow tcp 22 from 10.0.0.0/x\n", -EINVAL,
	    "t.rules:1:19: bad prefix '10.0.0.0/x'");
	ERR("allow tcp 22 from 10.0.0.0/8, fe80::zz\n", -EINVAL,
	    "t.rules:1:31: bad prefix 'fe80::zz'");
	ERR("allow tcp 70000 from any\n", -EINVAL,
	    "t.rules:1:11: port 70000 out of range (0-65535)");
	ERR("allow tcp 22,80-65536 from any\n", -EINVAL,
	    "t.rules:1:17: port 65536 out of range (0-65535)");
	ERR("allow tcp 90-80 from any\n", -EINVAL,
	    "t.rules:1:11: reversed port range 90-80");
	ERR("allow tcp 8x from any\n", -EINVAL,
	    "t.rules:1:11: bad port '8x'");
	ERR("allow tcp 80-9x from any\n", -EINVAL,
	    "t.rules:1:14: bad port '9x'");
	ERR("allow tcp -80 from any\n", -EINVAL,
	    "t.rules:1:11: bad port ''");
	ERR("allow tcp 80, from any\n", -EINVAL,
	    "t.rules:1:15: bad port 'from'");
	ERR("allow icmp 80 from any\n", -EINVAL,
	    "t.rules:1:7: unknown protocol 'icmp' (tcp, udp, sctp or any)");
	ERR("allow tcp,icmp 80 from any\n", -EINVAL,
	    "t.rules:1:11: unknown protocol 'icmp' (tcp, udp, sctp or any)");
	ERR("allow tcp 80 from office\n", -EINVAL,
	    "t.rules:1:19: undefined zone 'office'");
	ERR("allow tcp 80 from any,\n", -EINVAL,
	    "t.rules:1:23: expected a zone, a prefix or any, found end of "
	    "line");
	ERR("zone a = 10.0.0.0/8\nzone a = 10.0.0.0/8\n", -EINVAL,
	    "t.rules:2:6: duplicate zone 'a'");
	ERR("zone private = 10.0.0.0/8\n", -EINVAL,
	    "t.rules:1:6: zone 'private' is built in; choose another name");
	ERR("zone 1a = 10.0.0.0/8\n", -EINVAL,
	    "t.rules:1:6: bad zone name '1a' (a letter, then letters, "
	    "digits, '_', '-', '.')");
	ERR("zone a 10.0.0.0/8\n", -EINVAL,
	    "t.rules:1:8: expected '=' after the zone name, found "
	    "'10.0.0.0/8'");
	ERR("alert severe tcp 80 from any\n", -EINVAL,
	    "t.rules:1:7: unknown severity 'severe' (info, warning or "
	    "critical)");
	ERR("alert\n", -EINVAL,
	    "t.rules:1:6: expected a severity (info, warning or critical), "
	    "found end of line");
	ERR("allow tcp 80 any\n", -EINVAL,
	    "t.rules:1:14: expected 'from', found 'any'");
	ERR("allow tcp 80\n", -EINVAL,
	    "t.rules:1:13: expected 'from', found end of line");
	ERR("allow tcp 80 from any \"oops\n", -EINVAL,
	    "t.rules:1:23: unterminated string");
	ERR("allow tcp 80 from any \"a\\n\"\n", -EINVAL,
	    "t.rules:1:25: unknown escape '\\n' (only \\\" and \\\\)");
	ERR("allow tcp 80 from any \"x\" y\n", -EINVAL,
	    "t.rules:1:27: trailing garbage: 'y'");
	ERR("allow tcp 80 from any \"x\" \"y\"\n", -EINVAL,
	    "t.rules:1:27: trailing garbage: a message");
	ERR("interface eth0 = x\n", -EINVAL,
	    "t.rules:1:16: trailing garbage: '='");
	ERR("interface eth0, averyveryverylongname\n", -EINVAL,
	    "t.rules:1:17: bad interface name 'averyveryverylongname'");
	ERR("default alert warning\n\ndefault allow\n", -EINVAL,
	    "t.rules:3:1: duplicate default (the first is at t.rules:1)");
	ERR("default deny\n", -EINVAL,
	    "t.rules:1:9: expected allow or alert after default, found "
	    "'deny'");
	ERR("allow tcp 80 from any container\n", -EINVAL,
	    "t.rules:1:32: expected a name or pattern after the clause, "
	    "found end of line");
	ERR("allow tcp 80 from any container a container b\n", -EINVAL,
	    "t.rules:1:35: duplicate 'container' clause");
	ERR("allow tcp 80 from any path nowhere\n", -EINVAL,
	    "t.rules:1:28: unknown path 'nowhere' (local or forward)");
	ERR("allow tcp 80 from any colour red\n", -EINVAL,
	    "t.rules:1:23: unknown clause 'colour' (container, image, "
	    "process, interface or path)");
	ERR("allow tcp 80 from any \x01\n", -EINVAL,
	    "t.rules:1:23: unexpected character 0x01");
	ERR("include\n", -EINVAL,
	    "t.rules:1:8: expected a path after include, found end of line");
	ERR("include nonexistent.rules\n", -ENOENT,
	    "t.rules:1:9: cannot read 'nonexistent.rules': No such file or "
	    "directory");
	ERR("include .\n", -EISDIR,
	    "t.rules:1:9: cannot read '.': Is a directory");
	write_file("b.rules", "allow tcp 1 from any\noops\n");
	ERR("\n\n\tinclude \"b.rules\"\n", -EINVAL,
	    "b.rules:2:1: unknown keyword 'oops'");

	/* NUL bytes, over-long lines */
	write_file("t.rules", "allow tcp 22 from any\n");
	{
		FILE *f = fopen("t.rules", "a");

		fwrite("allow\0x\n", 1, 8, f);
		fclose(f);
	}
	{
		struct policy_error err;
		struct policy *p;
		char msg[2048];

		CHECK_EQ(policy_load("t.rules", &p, &err), -EINVAL);
		CHECK_STR(policy_error_format(&err, msg, sizeof(msg)),
			  "t.rules:2:6: NUL byte in a line");
	}
	big = malloc(POLICY_MAX_LINE + 64);
	memset(big, ' ', POLICY_MAX_LINE + 62);
	memcpy(big, "# x", 3);
	big[POLICY_MAX_LINE + 62] = '\n';
	big[POLICY_MAX_LINE + 63] = '\0';
	ERR(big, -E2BIG, "t.rules:1:4097: line longer than 4096 bytes");
	free(big);

	/* a top-level file that cannot be read */
	{
		struct policy_error err;
		struct policy *p;
		char msg[2048];

		CHECK_EQ(policy_load("missing.rules", &p, &err), -ENOENT);
		CHECK_STR(policy_error_format(&err, msg, sizeof(msg)),
			  "missing.rules: cannot read 'missing.rules': No such "
			  "file or directory");
		CHECK_EQ(err.line, 0);
	}

	/* include loop, two files */
	write_file("loop-a.rules", "allow tcp 22 from any\ninclude loop-b.rules\n");
	write_file("loop-b.rules", "# b\ninclude loop-a.rules\n");
	{
		struct policy_error err;
		struct policy *p;
		char msg[2048];

		CHECK_EQ(policy_load("loop-a.rules", &p, &err), -ELOOP);
		CHECK_STR(policy_error_format(&err, msg, sizeof(msg)),
			  "loop-b.rules:2:9: include loop: 'loop-a.rules' is "
			  "already being read");
	}
	ERR("include t.rules\n", -ELOOP,
	    "t.rules:1:9: include loop: 't.rules' is already being read");

	/* nested too deep: d0 includes d1 ... includes d20 */
	for (i = 0; i < 20; i++) {
		char name[32], text[64];

		snprintf(name, sizeof(name), "d%zu.rules", i);
		snprintf(text, sizeof(text), "include d%zu.rules\n", i + 1);
		write_file(name, text);
	}
	write_file("d20.rules", "allow tcp 1 from any\n");
	{
		struct policy_error err;
		struct policy *p;
		char msg[2048];

		CHECK_EQ(policy_load("d0.rules", &p, &err), -ELOOP);
		CHECK_STR(policy_error_format(&err, msg, sizeof(msg)),
			  "d15.rules:1:9: includes nested deeper than 16");
	}

	/* too many rules */
	{
		size_t n = POLICY_MAX_RULES + 1, len = 0;
		char *text = malloc(n * 32 + 1), want[128];

		for (i = 0; i < n; i++)
			len += (size_t)sprintf(text + len, "allow tcp %zu from any\n",
					       i % 65536);
		snprintf(want, sizeof(want), "t.rules:%d:1: more than %d rules",
			 POLICY_MAX_RULES + 1, POLICY_MAX_RULES);
		ERR(text, -E2BIG, want);
		free(text);
	}
}

static void test_statements(void)
{
	const char *const *ifs;
	struct policy *p;
	size_t n;

	mkdir("rules.d", 0755);
	mkdir("empty.d", 0755);
	write_file("rules.d/20-b.rules", "allow udp 53 from office\n");
	write_file("rules.d/10-a.rules",
		   "# included first: sorted by name\n"
		   "include ../common.rules\n"
		   "allow tcp 25 from any\n");
	write_file("common.rules", "zone office = 198.51.100.0/24\n"
		   "interface eth1\n");
	p = load_text(
		"# every statement\n"
		"zone lab = 10.1.0.0/16, 2001:db8::/32 # trailing comment\n"
		"zone lab2=lab,192.0.2.1\n"
		"interface eth0, ens3\n"
		"interface eth0,wg*\n"
		"allow tcp 22 from any \"SSH \\\"quoted\\\" \\\\ \"\n"
		"allow tcp,udp 80,443,8000-8100 from lab2, loopback\n"
		"allow any any from private container web-* image nginx:* "
		"process nginx path forward\n"
		"alert critical sctp 0-65535 from 0.0.0.0/0,::/0 \"sctp\"\n"
		"alert info udp 5353 from any\n"
		"require tcp 443 from any \"web\"\n"
		"require warning udp 123 from lab\n"
		"include rules.d/*.rules\n"
		"include empty.d/*.rules\n"
		"include common.rules\n"
		"default alert critical \"nothing else\"\n");
	if (!p)
		return;
	CHECK_EQ(policy_nrules(p), 9);
	ifs = policy_interfaces(p, &n);
	CHECK_EQ(n, 4);
	if (n == 4) {
		CHECK_STR(ifs[0], "eth0");
		CHECK_STR(ifs[1], "ens3");
		CHECK_STR(ifs[2], "wg*");
		CHECK_STR(ifs[3], "eth1");
	}
	CHECK_STR(p->rules[0].ref.message, "SSH \"quoted\" \\ ");
	CHECK_EQ(p->rules[0].ref.line, 6);
	CHECK_STR(p->rules[0].ref.file, "t.rules");
	CHECK_EQ(p->rules[1].protos, PROTO_TCP | PROTO_UDP);
	CHECK_EQ(p->rules[1].nports, 3);
	/* lab2 = 10.1.0.0/16 + 192.0.2.1, plus loopback */
	CHECK_EQ(p->rules[1].src.n[FAM_V4], 3);
	CHECK_EQ(p->rules[1].src.n[FAM_V6], 2);
	CHECK_STR(p->rules[2].container, "web-*");
	CHECK_STR(p->rules[2].image, "nginx:*");
	CHECK_STR(p->rules[2].process, "nginx");
	CHECK_EQ(p->rules[2].path, PATH_FORWARD);
	CHECK_EQ(p->rules[2].nports, 1);
	CHECK_EQ(p->rules[2].ports[0].hi, 65535);
	CHECK_EQ(p->rules[3].sev, POLICY_SEV_CRITICAL);
	CHECK_EQ(p->rules[3].protos, PROTO_SCTP);
	CHECK_EQ(p->rules[4].sev, POLICY_SEV_INFO);
	CHECK_EQ(p->rules[5].kind, RULE_REQUIRE);
	CHECK_EQ(p->rules[5].sev, POLICY_SEV_CRITICAL);
	CHECK_EQ(p->rules[6].sev, POLICY_SEV_WARNING);
	CHECK_EQ(p->rules[6].src.n[FAM_V4], 1);
	/* rules.d/10-a.rules, then 20-b (which uses common's zone) */
	CHECK_EQ(p->rules[7].ports[0].lo, 25);
	CHECK_STR(p->rules[7].ref.file, "rules.d/10-a.rules");
	CHECK_EQ(p->rules[8].ports[0].lo, 53);
	CHECK_EQ(p->def.kind, RULE_ALERT);
	CHECK_EQ(p->def.sev, POLICY_SEV_CRITICAL);
	CHECK_STR(p->def.ref.message, "nothing else");
	CHECK_EQ(p->def.ref.line, 16);
	/* common.rules was read once although included twice */
	CHECK_EQ(p->nfiles, 4);
	policy_free(p);

	p = load_text("");
	if (p) {
		CHECK_EQ(policy_nrules(p), 0);
		CHECK(policy_interfaces(p, &n) == NULL);
		CHECK_EQ(n, 0);
		CHECK_EQ(p->def.kind, RULE_ALERT);
		CHECK_EQ(p->def.sev, POLICY_SEV_WARNING);
	}
	policy_free(p);
	policy_free(NULL);
	policy_result_free(NULL);
}

/* ------------------------------------------------------------------ */

struct rowspec {
	uint8_t family, proto;
	uint16_t lo, hi;
	const char *sources;		/* comma separated */
	const char *container;
	const char *process;
	const struct docker_port *held;	/* the listener holds its port */
	enum engine_fate path;
	enum engine_state state;
};

struct rowbuf {
	struct report_row row;
	struct host_listener l;
	struct rs_interval src[64];
	char text[512];
};

/* The k-th prefix of the sources iv[0..n) of family as the printers say
 * it ("" past the end). */
static const char *src_at(uint8_t family, const struct rs_interval *iv,
			  size_t n, size_t k)
{
	static char buf[REGION_PREFIX_STRLEN];
	char **l = NULL;
	size_t nl = 0;

	buf[0] = '\0';
	if (report_addrs_list(family, iv, n, &l, &nl) == 0 && k < nl)
		snprintf(buf, sizeof(buf), "%s", l[k]);
	report_addrs_list_free(l, nl);
	return buf;
}

#define PSRC(family, x, k) src_at(family, (x).sources, (x).nsources, k)
#define NPSRC(family, x) src_count(family, (x).sources, (x).nsources)

/* How many prefixes the printers make of iv[0..n). */
static size_t src_count(uint8_t family, const struct rs_interval *iv,
			size_t n)
{
	char **l = NULL;
	size_t nl = 0;

	if (report_addrs_list(family, iv, n, &l, &nl) < 0)
		return (size_t)-1;
	report_addrs_list_free(l, nl);
	return nl;
}

static void row_make(struct rowbuf *b, const struct rowspec *s)
{
	char *tok, *save = NULL;

	memset(b, 0, sizeof(*b));
	b->row.family = s->family ? s->family : NFPROTO_IPV4;
	b->row.proto = s->proto ? s->proto : IPPROTO_TCP;
	b->row.port_lo = s->lo;
	b->row.port_hi = s->hi ? s->hi : s->lo;
	snprintf(b->text, sizeof(b->text), "%s", s->sources ? s->sources :
		 (b->row.family == NFPROTO_IPV6 ? "::/0" : "0.0.0.0/0"));
	for (tok = strtok_r(b->text, ",", &save); tok && b->row.nsources < 64;
	     tok = strtok_r(NULL, ",", &save)) {
		/* what is not a prefix of the family: an interval that is
		 * none either (lo > hi) */
		if (region_prefix_parse(b->row.family, tok,
					&b->src[b->row.nsources]) < 0)
			b->src[b->row.nsources] = (struct rs_interval){ 1, 0 };
		b->row.nsources++;
	}
	b->row.sources = b->src;
	b->row.container = (char *)s->container;
	if (s->process) {
		b->l.comm = (char *)s->process;
		b->row.listener = &b->l;
	}
	b->row.held = s->held;
	b->row.path = s->path ? s->path : ENGINE_LOCAL;
	b->row.state = s->state ? s->state : ENGINE_EXPOSED;
}

static const char judge_policy[] =
	"zone office = 198.51.100.0/24\n"			/* 1 */
	"interface eth0, ens3\n"
	"allow tcp 22 from any \"SSH\"\n"
	"allow tcp 80,443 from any\n"
	"allow tcp 5432 from office \"db from office\"\n"	/* 5 */
	"alert critical tcp 6379 from any \"redis\"\n"
	"allow tcp 8000-8100 from private\n"
	"allow udp 53 from any process dnsmasq\n"
	"allow tcp 9000 from any container web-*\n"
	"alert info tcp 9001 from any path forward \"forwarded\"\n" /* 10 */
	"require tcp 443 from any \"web\"\n"
	"require warning udp 123 from any\n"
	"default alert warning \"default\"\n";

/* Judge one row with the judge policy; returns the verdict's copy. */
static struct policy_result *judge1(struct policy *p, const struct rowspec *s)
{
	struct policy_result *res = NULL;
	struct rowbuf b;
	int ret;

	row_make(&b, s);
	ret = policy_judge(p, &b.row, 1, &res);
	CHECK_EQ(ret, 0);
	return ret < 0 ? NULL : res;
}

#define V(res) (&(res)->rows[0])

/* the built-in zone link-local: neighbours on one link, never the
 * Internet (issue 18: an LXD host whose only IPv6 routes are on-link) */
static void test_link_local(void)
{
	struct policy_result *res;
	struct policy *p;

	p = load_text("allow any any from link-local \"neighbours\"\n"
		      "default alert warning \"internet\"\n");
	if (!p)
		return;
	res = judge1(p, &(struct rowspec){ .family = NFPROTO_IPV6, .lo = 8082,
		     .sources = "fe80::/10" });
	CHECK(res && V(res)->allowed);
	policy_result_free(res);
	res = judge1(p, &(struct rowspec){ .lo = 8082,
		     .sources = "169.254.0.0/16" });
	CHECK(res && V(res)->allowed);
	policy_result_free(res);
	res = judge1(p, &(struct rowspec){ .family = NFPROTO_IPV6, .lo = 8082,
		     .sources = "2001:db8::/32" });
	CHECK(res && !V(res)->allowed);
	policy_result_free(res);
	policy_free(p);
	ERR("zone link-local = 10.0.0.0/8\n", -EINVAL,
	    "t.rules:1:6: zone 'link-local' is built in; choose another name");
}

static void test_judge(void)
{
	struct policy_result *res;
	struct policy *p;

	p = load_text(judge_policy);
	if (!p)
		return;

	res = judge1(p, &(struct rowspec){ .lo = 22 });
	if (res) {
		CHECK(V(res)->allowed);
		CHECK_EQ(V(res)->nparts, 1);
		CHECK_EQ(V(res)->severity, POLICY_SEV_NONE);
		CHECK_EQ(V(res)->parts[0].rule.line, 3);
		CHECK_STR(V(res)->parts[0].rule.message, "SSH");
		CHECK_STR(PSRC(NFPROTO_IPV4, V(res)->parts[0], 0), "0.0.0.0/0");
		CHECK(V(res)->decisive == &V(res)->parts[0]);
		/* the unmet requires are reported even so */
		CHECK_EQ(res->nviolations, 2);
		CHECK_EQ(res->worst, POLICY_SEV_CRITICAL);
	}
	policy_result_free(res);

	res = judge1(p, &(struct rowspec){ .lo = 6379 });
	if (res) {
		CHECK(!V(res)->allowed);
		CHECK_EQ(V(res)->severity, POLICY_SEV_CRITICAL);
		CHECK_STR(V(res)->decisive->rule.message, "redis");
		CHECK_EQ(V(res)->decisive->rule.line, 6);
		CHECK_EQ(res->violations[0].kind, POLICY_V_EXPOSURE);
		CHECK_EQ(res->violations[0].row, 0);
		CHECK(res->violations[0].part == V(res)->decisive);
	}
	policy_result_free(res);

	/* partly covered sources: the office part is allowed, the rest not */
	res = judge1(p, &(struct rowspec){ .lo = 5432 });
	if (res && V(res)->nparts == 2) {
		CHECK(!V(res)->allowed);
		CHECK_EQ(V(res)->severity, POLICY_SEV_WARNING);
		CHECK(!V(res)->parts[0].allowed);
		CHECK_EQ(NPSRC(NFPROTO_IPV4, V(res)->parts[0]), 24);
		CHECK_STR(PSRC(NFPROTO_IPV4, V(res)->parts[0], 0), "0.0.0.0/1");
		CHECK_STR(V(res)->parts[0].rule.message, "default");
		CHECK_EQ(V(res)->parts[0].rule.line, 13);
		CHECK(V(res)->parts[1].allowed);
		CHECK_EQ(NPSRC(NFPROTO_IPV4, V(res)->parts[1]), 1);
		CHECK_STR(PSRC(NFPROTO_IPV4, V(res)->parts[1], 0), "198.51.100.0/24");
		CHECK_EQ(V(res)->parts[1].rule.line, 5);
	} else {
		CHECK(!"5432: two parts");
	}
	policy_result_free(res);

	/* a "from private" allow does not whitelist 0.0.0.0/0 */
	res = judge1(p, &(struct rowspec){ .lo = 8080 });
	if (res) {
		CHECK(!V(res)->allowed);
		CHECK_EQ(V(res)->nparts, 2);
		CHECK_EQ(V(res)->severity, POLICY_SEV_WARNING);
	}
	policy_result_free(res);
	res = judge1(p, &(struct rowspec){ .lo = 8080,
		     .sources = "10.0.0.0/8,192.168.1.0/24" });
	if (res) {
		CHECK(V(res)->allowed);
		CHECK_EQ(V(res)->nparts, 1);
		CHECK_EQ(NPSRC(NFPROTO_IPV4, V(res)->parts[0]), 2);
		CHECK_STR(PSRC(NFPROTO_IPV4, V(res)->parts[0], 1), "192.168.1.0/24");
	}
	policy_result_free(res);

	/* partly covered ports */
	res = judge1(p, &(struct rowspec){ .lo = 7990, .hi = 8200,
		     .sources = "10.0.0.0/8" });
	if (res && V(res)->nparts == 3) {
		CHECK_EQ(V(res)->parts[0].port_lo, 7990);
		CHECK_EQ(V(res)->parts[0].port_hi, 7999);
		CHECK(!V(res)->parts[0].allowed);
		CHECK_EQ(V(res)->parts[1].port_lo, 8000);
		CHECK_EQ(V(res)->parts[1].port_hi, 8100);
		CHECK(V(res)->parts[1].allowed);
		CHECK_EQ(V(res)->parts[2].port_lo, 8101);
		CHECK_EQ(V(res)->parts[2].port_hi, 8200);
		CHECK(!V(res)->parts[2].allowed);
		CHECK(V(res)->decisive == &V(res)->parts[0]);
		CHECK_EQ(res->nviolations, 4);	/* 2 parts + 2 requires */
	} else {
		CHECK(!"7990-8200: three parts");
	}
	policy_result_free(res);

	res = judge1(p, &(struct rowspec){ .lo = 80, .hi = 443 });
	if (res && V(res)->nparts == 3) {
		CHECK(V(res)->parts[0].allowed);
		CHECK_EQ(V(res)->parts[0].port_hi, 80);
		CHECK_EQ(V(res)->parts[1].port_lo, 81);
		CHECK_EQ(V(res)->parts[1].port_hi, 442);
		CHECK(V(res)->parts[2].allowed);
		CHECK_EQ(V(res)->parts[2].port_lo, 443);
		CHECK_EQ(V(res)->parts[2].rule.line, 4);
	} else {
		CHECK(!"80-443: three parts");
	}
	policy_result_free(res);

	/* process, container and path narrowing */
	res = judge1(p, &(struct rowspec){ .proto = IPPROTO_UDP, .lo = 53,
		     .process = "dnsmasq" });
	CHECK(res && V(res)->allowed);
	policy_result_free(res);
	res = judge1(p, &(struct rowspec){ .proto = IPPROTO_UDP, .lo = 53,
		     .process = "named" });
	CHECK(res && !V(res)->allowed);
	policy_result_free(res);
	res = judge1(p, &(struct rowspec){ .proto = IPPROTO_UDP, .lo = 53 });
	CHECK(res && !V(res)->allowed);
	policy_result_free(res);
	res = judge1(p, &(struct rowspec){ .proto = IPPROTO_TCP, .lo = 53,
		     .process = "dnsmasq" });
	CHECK(res && !V(res)->allowed);
	policy_result_free(res);
	res = judge1(p, &(struct rowspec){ .lo = 9000, .container = "web-1",
		     .path = ENGINE_FORWARDED });
	CHECK(res && V(res)->allowed);
	policy_result_free(res);
	res = judge1(p, &(struct rowspec){ .lo = 9000, .container = "db-1" });
	CHECK(res && !V(res)->allowed);
	policy_result_free(res);
	res = judge1(p, &(struct rowspec){ .lo = 9000 });
	CHECK(res && !V(res)->allowed);
	policy_result_free(res);
	/* every runtime: a local exposure through a port-holding process
	 * (rootless Podman's rootlessport, lxd's forkproxy) is its container's */
	res = judge1(p, &(struct rowspec){ .lo = 9000, .process = "lxd",
		     .held = &(struct docker_port){ .name = (char *)"web-2",
			     .image = (char *)"busybox", .runtime = DOCKER_RT_LXD } });
	CHECK(res && V(res)->allowed);
	policy_result_free(res);
	res = judge1(p, &(struct rowspec){ .lo = 9000, .process = "rootlessport",
		     .held = &(struct docker_port){ .name = (char *)"db-2",
			     .image = (char *)"x", .runtime = DOCKER_RT_PODMAN } });
	CHECK(res && !V(res)->allowed);
	policy_result_free(res);
	res = judge1(p, &(struct rowspec){ .lo = 9001,
		     .path = ENGINE_FORWARDED });
	if (res) {
		CHECK(!V(res)->allowed);
		CHECK_EQ(V(res)->severity, POLICY_SEV_INFO);
		CHECK_STR(V(res)->decisive->rule.message, "forwarded");
	}
	policy_result_free(res);
	res = judge1(p, &(struct rowspec){ .lo = 9001 });
	CHECK(res && V(res)->severity == POLICY_SEV_WARNING);
	policy_result_free(res);

	/* families: an IPv4 zone says nothing about IPv6 */
	res = judge1(p, &(struct rowspec){ .family = NFPROTO_IPV6, .lo = 5432 });
	if (res) {
		CHECK_EQ(V(res)->nparts, 1);
		CHECK_EQ(V(res)->severity, POLICY_SEV_WARNING);
		CHECK_STR(PSRC(NFPROTO_IPV6, V(res)->parts[0], 0), "::/0");
	}
	policy_result_free(res);
	res = judge1(p, &(struct rowspec){ .family = NFPROTO_IPV6, .lo = 8000,
		     .sources = "fd00::/8,fc00::1" });
	if (res) {
		CHECK(V(res)->allowed);
		CHECK_EQ(NPSRC(NFPROTO_IPV6, V(res)->parts[0]), 2);
		CHECK_STR(PSRC(NFPROTO_IPV6, V(res)->parts[0], 0), "fc00::1");
		CHECK_STR(PSRC(NFPROTO_IPV6, V(res)->parts[0], 1), "fd00::/8");
	}
	policy_result_free(res);

	/* a bad row is refused, the output untouched */
	{
		struct policy_result *r = (struct policy_result *)p;
		struct rowbuf b;

		row_make(&b, &(struct rowspec){ .lo = 1, .sources = "nope" });
		CHECK_EQ(policy_judge(p, &b.row, 1, &r), -EINVAL);
		row_make(&b, &(struct rowspec){ .lo = 1, .sources = "::/0" });
		CHECK_EQ(policy_judge(p, &b.row, 1, &r), -EINVAL);
		CHECK(r == (struct policy_result *)p);
	}
	policy_free(p);
}

static void test_require(void)
{
	struct policy_result *res = NULL;
	const struct policy_violation *v;
	struct rowbuf b[4];
	struct policy *p;

	p = load_text(judge_policy);
	if (!p)
		return;
	/* met: 443 exposed to the IPv4 Internet, 123/udp from IPv6 */
	row_make(&b[0], &(struct rowspec){ .lo = 443 });
	row_make(&b[1], &(struct rowspec){ .family = NFPROTO_IPV6,
		 .proto = IPPROTO_UDP, .lo = 100, .hi = 200 });
	struct report_row rows[4] = { b[0].row, b[1].row };
	CHECK_EQ(policy_judge(p, rows, 2, &res), 0);
	if (res) {
		/* only udp 100-200 itself, which no rule allows */
		CHECK_EQ(res->nviolations, 1);
		CHECK_EQ(res->violations[0].kind, POLICY_V_EXPOSURE);
		CHECK_EQ(res->violations[0].row, 1);
		CHECK_EQ(res->worst, POLICY_SEV_WARNING);
	}
	policy_result_free(res);

	/* unmet: open is not exposed; 443 from half of the Internet */
	row_make(&b[0], &(struct rowspec){ .lo = 443,
		 .state = ENGINE_OPEN });
	row_make(&b[2], &(struct rowspec){ .lo = 440, .hi = 450,
		 .sources = "128.0.0.0/1" });
	rows[0] = b[0].row;
	rows[2] = b[2].row;
	CHECK_EQ(policy_judge(p, rows, 3, &res), 0);
	if (res && res->nviolations == 4) {
		/* udp 100-200, 440-442 and 444-450 first, then the require */
		v = &res->violations[3];
		CHECK_EQ(v->kind, POLICY_V_MISSING);
		CHECK_EQ(v->severity, POLICY_SEV_CRITICAL);
		CHECK_EQ(v->rule.line, 11);
		CHECK_STR(v->rule.message, "web");
		CHECK_EQ(v->nmissing, 1);
		CHECK_EQ(v->missing[0].family, NFPROTO_IPV4);
		CHECK_EQ(v->missing[0].proto, IPPROTO_TCP);
		CHECK_EQ(v->missing[0].port_lo, 443);
		CHECK_EQ(v->missing[0].port_hi, 443);
		CHECK_EQ(NPSRC(NFPROTO_IPV4, v->missing[0]), 1);
		CHECK_STR(PSRC(NFPROTO_IPV4, v->missing[0], 0), "0.0.0.0/1");
	} else {
		CHECK(!"one unmet require");
	}
	policy_result_free(res);

	/* nothing at all: both unmet, in policy order */
	CHECK_EQ(policy_judge(p, NULL, 0, &res), 0);
	if (res && res->nviolations == 2) {
		CHECK_EQ(res->nrows, 0);
		CHECK_EQ(res->violations[0].rule.line, 11);
		CHECK_EQ(res->violations[1].rule.line, 12);
		CHECK_EQ(res->violations[1].severity, POLICY_SEV_WARNING);
		CHECK_EQ(res->violations[1].missing[0].proto, IPPROTO_UDP);
		CHECK_STR(PSRC(NFPROTO_IPV4, res->violations[1].missing[0], 0), "0.0.0.0/0");
		CHECK_EQ(res->worst, POLICY_SEV_CRITICAL);
	} else {
		CHECK(!"two unmet requires");
	}
	policy_result_free(res);
	policy_free(p);

	/* narrowing applies to requires; several protocols are each needed */
	p = load_text("require tcp,udp 53 from any process dnsmasq\n"
		      "default allow\n");
	if (!p)
		return;
	row_make(&b[0], &(struct rowspec){ .proto = IPPROTO_UDP, .lo = 53,
		 .process = "dnsmasq" });
	row_make(&b[1], &(struct rowspec){ .lo = 53, .process = "named" });
	rows[0] = b[0].row;
	rows[1] = b[1].row;
	CHECK_EQ(policy_judge(p, rows, 2, &res), 0);
	if (res && res->nviolations == 1) {
		CHECK_EQ(res->violations[0].missing[0].proto, IPPROTO_TCP);
		CHECK(res->rows[0].allowed && res->rows[1].allowed);
		CHECK(res->rows[0].parts[0].rule.file != NULL);
	} else {
		CHECK(!"tcp/53 from dnsmasq missing");
	}
	policy_result_free(res);
	policy_free(p);

	/* the implicit default */
	p = load_text("allow tcp 22 from any\n");
	if (p) {
		res = judge1(p, &(struct rowspec){ .lo = 23 });
		if (res) {
			CHECK_EQ(V(res)->severity, POLICY_SEV_WARNING);
			CHECK(V(res)->parts[0].rule.file == NULL);
			CHECK(V(res)->parts[0].rule.message == NULL);
		}
		policy_result_free(res);
	}
	policy_free(p);
}

/* ------------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)(rng() % n);
}

/* A random prefix inside 10.0.0.0/27 (or 10.0.0.0/8 for variety). */
static void rnd_prefix(char *buf, size_t len)
{
	unsigned int plen = 27 + rnd(6), a = rnd(32);

	if (!rnd(12)) {
		snprintf(buf, len, "%s", rnd(2) ? "any" : "private");
		return;
	}
	a &= ~((1u << (32 - plen)) - 1);
	snprintf(buf, len, "10.0.0.%u/%u", a, plen);
}

static void rnd_ports(char *buf, size_t len)
{
	unsigned int lo = rnd(32), hi = lo + rnd(8);

	if (!rnd(10))
		snprintf(buf, len, "any");
	else if (rnd(2))
		snprintf(buf, len, "%u", lo);
	else
		snprintf(buf, len, "%u-%u", lo, hi);
}

#define NRULES_MAX	8

struct model_rule {
	uint8_t protos;
	bool port[40];
	bool addr[32];
	bool proc;		/* process x */
};

/* Random policies and rows in a universe of 32 ports x 32 addresses; every
 * point of the row must lie in exactly one part, and that part's rule must
 * be the first rule covering the point. */
static void test_random(unsigned int iterations)
{
	struct model_rule m[NRULES_MAX];
	char text[4096], a[64], b[64], c[64];
	unsigned int it, nrules, i, k;

	for (it = 0; it < iterations; it++) {
		unsigned int failures = unit_failures;
		struct policy_result *res = NULL;
		struct policy *p;
		struct rowbuf rb;
		char srcs[256];
		size_t len = 0;
		unsigned int port, addr, lo, hi;

		nrules = 1 + rnd(NRULES_MAX);
		memset(m, 0, sizeof(m));
		for (i = 0; i < nrules; i++) {
			unsigned int nl = 1 + rnd(2), j;
			char list[200] = "";

			rnd_ports(a, sizeof(a));
			m[i].protos = rnd(3) ? PROTO_TCP : PROTO_UDP;
			m[i].proc = !rnd(5);
			for (j = 0; j < nl; j++) {
				rnd_prefix(b, sizeof(b));
				snprintf(list + strlen(list),
					 sizeof(list) - strlen(list), "%s%s",
					 j ? "," : "", b);
			}
			rnd_ports(c, sizeof(c));
			len += (size_t)snprintf(text + len, sizeof(text) - len,
				"%s %s %s,%s from %s%s\n",
				rnd(2) ? "allow" : "alert critical",
				m[i].protos == PROTO_TCP ? "tcp" : "udp", a, c,
				list, m[i].proc ? " process x" : "");
		}
		p = load_text(text);
		if (!p)
			return;
		/* the model reads the parsed rule back: parsing is tested
		 * above, the cutting here */
		for (i = 0; i < nrules; i++) {
			for (k = 0; k < p->rules[i].nports; k++)
				for (port = p->rules[i].ports[k].lo;
				     port <= p->rules[i].ports[k].hi && port < 40;
				     port++)
					m[i].port[port] = true;
			for (k = 0; k < p->rules[i].src.n[FAM_V4]; k++)
				for (addr = 0; addr < 32; addr++) {
					rs_u128 v = 0x0a000000u + addr;

					if (v >= p->rules[i].src.iv[FAM_V4][k].lo &&
					    v <= p->rules[i].src.iv[FAM_V4][k].hi)
						m[i].addr[addr] = true;
				}
		}
		lo = rnd(32);
		hi = lo + rnd(8);
		len = 0;
		for (i = 0, k = 1 + rnd(3); i < k; i++) {
			rnd_prefix(b, sizeof(b));
			if (!strcmp(b, "any") || !strcmp(b, "private"))
				snprintf(b, sizeof(b), "10.0.0.0/27");
			len += (size_t)snprintf(srcs + len, sizeof(srcs) - len,
						"%s%s", i ? "," : "", b);
		}
		row_make(&rb, &(struct rowspec){ .lo = (uint16_t)lo,
			 .hi = (uint16_t)hi, .sources = srcs,
			 .proto = rnd(4) ? IPPROTO_TCP : IPPROTO_UDP,
			 .process = rnd(2) ? "x" : "y" });
		if (policy_judge(p, &rb.row, 1, &res) < 0) {
			CHECK(!"judge failed");
			policy_free(p);
			return;
		}
		for (port = 0; port < 40; port++) {
			for (addr = 0; addr < 32; addr++) {
				rs_u128 v = 0x0a000000u + addr;
				bool in_row = false;
				unsigned int hits = 0, want = nrules;
				const struct policy_part *part = NULL;
				struct rs_interval iv;
				size_t j, s;

				for (j = 0; j < rb.row.nsources; j++) {
					iv = rb.row.sources[j];
					in_row |= v >= iv.lo && v <= iv.hi;
				}
				in_row &= port >= lo && port <= hi;
				for (j = 0; j < V(res)->nparts; j++) {
					const struct policy_part *pt =
						&V(res)->parts[j];

					if (port < pt->port_lo ||
					    port > pt->port_hi)
						continue;
					for (s = 0; s < pt->nsources; s++) {
						iv = pt->sources[s];
						if (v >= iv.lo && v <= iv.hi) {
							hits++;
							part = pt;
						}
					}
				}
				CHECK_EQ(hits, in_row ? 1 : 0);
				if (!in_row || !part)
					continue;
				for (i = 0; i < nrules; i++) {
					if ((m[i].protos & proto_bit(rb.row.proto)) &&
					    m[i].port[port] && m[i].addr[addr] &&
					    (!m[i].proc ||
					     !strcmp(rb.row.listener->comm, "x"))) {
						want = i;
						break;
					}
				}
				if (want == nrules)
					CHECK(part->rule.file == p->def.ref.file &&
					      part->rule.line == 0);
				else
					CHECK_EQ(part->rule.line, want + 1);
			}
		}
		if (unit_failures != failures) {
			fprintf(stderr, "policy:\n%srow: %u-%u from %s\n",
				text, lo, hi, srcs);
			policy_result_free(res);
			policy_free(p);
			return;
		}
		policy_result_free(res);
		policy_free(p);
	}
}

/* ------------------------------------------------------------------ */
/* The old box algebra, kept as the oracle of the region judge          */

/*
 * Until session 6 the judge had an algebra of its own: boxes (port interval
 * x address interval) cut rule by rule, grouped per rule by exact port
 * interval.  It is kept here verbatim (renamed old_*) so that the region
 * judge can be held against it: the same points to the same rules, and no
 * more parts (rows for people) than it made.
 */
struct piv {
	uint16_t lo, hi;
};

struct box {
	struct piv p;
	struct rs_interval a;
	size_t rule;		/* deciding rule: index, nrules = default */
};

struct boxes {
	size_t n, cap;
	struct box *b;
};

static int boxes_push(struct boxes *l, const struct box *b)
{
	int ret;

	ret = array_grow(&l->b, &l->cap, l->n, sizeof(*l->b), POLICY_MAX_PARTS,
			 16);
	if (ret < 0)
		return ret;
	l->b[l->n++] = *b;
	return 0;
}

/* Move what of *in the box (p x a) covers to *hit (tagged rule), keep the
 * rest in *in.  On failure *in, *hit may hold duplicates: the caller
 * gives up. */
static int boxes_cut(struct boxes *in, const struct piv *p,
		     const struct rs_interval *a, size_t rule,
		     struct boxes *hit)
{
	struct boxes rest = { 0, 0, NULL };
	struct box b, x;
	size_t i;
	int ret = 0;

	for (i = 0; i < in->n && !ret; i++) {
		b = in->b[i];
		if (b.p.hi < p->lo || b.p.lo > p->hi ||
		    b.a.hi < a->lo || b.a.lo > a->hi) {
			ret = boxes_push(&rest, &b);
			continue;
		}
		x.p.lo = b.p.lo > p->lo ? b.p.lo : p->lo;
		x.p.hi = b.p.hi < p->hi ? b.p.hi : p->hi;
		x.a.lo = b.a.lo > a->lo ? b.a.lo : a->lo;
		x.a.hi = b.a.hi < a->hi ? b.a.hi : a->hi;
		x.rule = rule;
		ret = boxes_push(hit, &x);
		if (!ret && b.p.lo < x.p.lo)
			ret = boxes_push(&rest, &(struct box){
				{ b.p.lo, (uint16_t)(x.p.lo - 1) }, b.a, 0 });
		if (!ret && b.p.hi > x.p.hi)
			ret = boxes_push(&rest, &(struct box){
				{ (uint16_t)(x.p.hi + 1), b.p.hi }, b.a, 0 });
		if (!ret && b.a.lo < x.a.lo)
			ret = boxes_push(&rest, &(struct box){
				x.p, { b.a.lo, x.a.lo - 1 }, 0 });
		if (!ret && b.a.hi > x.a.hi)
			ret = boxes_push(&rest, &(struct box){
				x.p, { x.a.hi + 1, b.a.hi }, 0 });
	}
	if (ret < 0) {
		free(rest.b);
		return ret;
	}
	free(in->b);
	*in = rest;
	return 0;
}

/* The row's space as boxes.  A row without sources is taken as reachable
 * from anywhere: an auditor must not read "no list" as "nobody". */
static int row_boxes(const struct report_row *row, struct boxes *l)
{
	struct rs_interval *iv;
	size_t i, n = row->nsources;
	int fam = fam_of(row->family), ret = 0;

	if (row->port_hi < row->port_lo)
		return -EINVAL;
	if (!n)
		return boxes_push(l, &(struct box){
			{ row->port_lo, row->port_hi }, { 0, fam_max(fam) }, 0 });
	iv = calloc(n, sizeof(*iv));
	if (!iv)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (row->sources[i].lo > row->sources[i].hi ||
		    row->sources[i].hi > fam_max(fam)) {
			ret = -EINVAL;
			goto out;
		}
		iv[i] = row->sources[i];
	}
	n = region_ivs_merge(iv, n);
	for (i = 0; i < n && !ret; i++)
		ret = boxes_push(l, &(struct box){
			{ row->port_lo, row->port_hi }, iv[i], 0 });
out:
	free(iv);
	return ret;
}

/* Cut the boxes of *in by rule r; the covered ones go to *hit. */
static int rule_cut(const struct rule *r, int fam, size_t idx,
		    struct boxes *in, struct boxes *hit)
{
	size_t i, j;
	int ret;

	for (i = 0; i < r->nports && in->n; i++) {
		for (j = 0; j < r->src.n[fam] && in->n; j++) {
			struct piv pi = { (uint16_t)r->ports[i].lo,
					  (uint16_t)r->ports[i].hi };

			ret = boxes_cut(in, &pi, &r->src.iv[fam][j],
					idx, hit);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static int box_cmp(const void *a, const void *b)
{
	const struct box *x = a, *y = b;

	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	if (x->p.lo != y->p.lo)
		return x->p.lo < y->p.lo ? -1 : 1;
	if (x->p.hi != y->p.hi)
		return x->p.hi < y->p.hi ? -1 : 1;
	return iv_cmp(&x->a, &y->a);
}

/* A run of boxes with the same rule and port interval, addresses merged. */
struct group {
	size_t rule;
	struct piv p;
	size_t n;
	struct rs_interval *a;
};

static bool same_addrs(const struct group *x, const struct group *y)
{
	return x->n == y->n && !memcmp(x->a, y->a, x->n * sizeof(*x->a));
}

/* Turn decided boxes into groups: per rule and port interval, the merged
 * addresses; then adjacent port intervals with equal addresses joined.
 * Sorts l. */
static int boxes_group(struct boxes *l, struct group **out, size_t *nout)
{
	struct group *g;
	size_t i, j, k, n = 0;

	g = calloc(l->n ? l->n : 1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	qsort(l->b, l->n, sizeof(*l->b), box_cmp);
	for (i = 0; i < l->n; i = j) {
		for (j = i; j < l->n && l->b[j].rule == l->b[i].rule &&
		     l->b[j].p.lo == l->b[i].p.lo &&
		     l->b[j].p.hi == l->b[i].p.hi; j++)
			;
		g[n].rule = l->b[i].rule;
		g[n].p = l->b[i].p;
		g[n].a = malloc((j - i) * sizeof(*g[n].a));
		if (!g[n].a)
			goto fail;
		for (k = i; k < j; k++)
			g[n].a[k - i] = l->b[k].a;
		g[n].n = region_ivs_merge(g[n].a, j - i);
		n++;
	}
	/* Boxes of one rule are sorted by port: join neighbours that differ
	 * only by an adjacent port interval. */
	for (i = 0, k = 0; i < n; i++) {
		if (k && g[k - 1].rule == g[i].rule &&
		    (unsigned int)g[k - 1].p.hi + 1 == g[i].p.lo &&
		    same_addrs(&g[k - 1], &g[i])) {
			g[k - 1].p.hi = g[i].p.hi;
			free(g[i].a);
			continue;
		}
		g[k++] = g[i];
	}
	*out = g;
	*nout = k;
	return 0;
fail:
	for (i = 0; i < n; i++)
		free(g[i].a);
	free(g);
	return -ENOMEM;
}

static void groups_free(struct group *g, size_t n)
{
	size_t i;

	for (i = 0; g && i < n; i++)
		free(g[i].a);
	free(g);
}

static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->p.lo != y->p.lo)
		return x->p.lo < y->p.lo ? -1 : 1;
	if (x->p.hi != y->p.hi)
		return x->p.hi < y->p.hi ? -1 : 1;
	if (x->n && y->n)
		return iv_cmp(&x->a[0], &y->a[0]);
	return 0;
}

static int old_judge_row(const struct policy *p, const struct report_row *row,
		     struct policy_verdict *v)
{
	struct boxes in = { 0, 0, NULL }, hit = { 0, 0, NULL };
	struct group *g = NULL;
	const struct rule *r;
	struct policy_part *part;
	size_t i, ng = 0;
	int fam = fam_of(row->family), ret;

	memset(v, 0, sizeof(*v));
	ret = row_boxes(row, &in);
	for (i = 0; i < p->nrules && in.n && !ret; i++) {
		r = &p->rules[i];
		if (r->kind == RULE_REQUIRE || !rule_takes_row(r, row))
			continue;
		ret = rule_cut(r, fam, i, &in, &hit);
	}
	for (i = 0; i < in.n && !ret; i++) {
		in.b[i].rule = p->nrules;
		ret = boxes_push(&hit, &in.b[i]);
	}
	if (!ret)
		ret = boxes_group(&hit, &g, &ng);
	if (ret < 0)
		goto out;
	qsort(g, ng, sizeof(*g), group_cmp);
	v->parts = calloc(ng ? ng : 1, sizeof(*v->parts));
	if (!v->parts) {
		ret = -ENOMEM;
		goto out;
	}
	v->allowed = true;
	for (i = 0; i < ng; i++) {
		part = &v->parts[v->nparts];
		ret = ivs_copy(g[i].a, g[i].n, &part->sources,
				&part->nsources);
		if (ret < 0)
			goto out;
		v->nparts++;
		r = rule_at(p, g[i].rule);
		part->port_lo = g[i].p.lo;
		part->port_hi = g[i].p.hi;
		part->allowed = r->kind == RULE_ALLOW;
		part->severity = part->allowed ? POLICY_SEV_NONE : r->sev;
		part->rule = r->ref;
		if (!part->allowed)
			v->allowed = false;
		if (!v->decisive || part->severity > v->decisive->severity)
			v->decisive = part;
	}
	v->severity = v->decisive ? v->decisive->severity : POLICY_SEV_NONE;
out:
	if (ret < 0)
		verdict_release(v);
	groups_free(g, ng);
	free(in.b);
	free(hit.b);
	return ret;
}

/* What of require r the rows of family fam do not cover, as boxes tagged
 * with the index into proto_bits. */
static int old_require_gap(const struct rule *r, const struct report_row *rows,
		       size_t n, int fam, struct boxes *gap)
{
	struct boxes in = { 0, 0, NULL }, hit = { 0, 0, NULL };
	struct rule row_rule;
	struct piv port;
	size_t k, i, j;
	int ret = 0;

	for (k = 0; k < sizeof(proto_bits) && !ret; k++) {
		if (!(r->protos & proto_bits[k]))
			continue;
		for (i = 0; i < r->nports && !ret; i++)
			for (j = 0; j < r->src.n[fam] && !ret; j++)
				ret = boxes_push(&in, &(struct box){
					{ (uint16_t)r->ports[i].lo,
					  (uint16_t)r->ports[i].hi },
					r->src.iv[fam][j], 0 });
		memset(&row_rule, 0, sizeof(row_rule));
		for (i = 0; i < n && in.n && !ret; i++) {
			if (!row_meets(r, &rows[i], proto_bits[k], fam))
				continue;
			ret = row_boxes(&rows[i], &hit);
			port.lo = rows[i].port_lo;
			port.hi = rows[i].port_hi;
			for (j = 0; j < hit.n && !ret; j++) {
				struct boxes drop = { 0, 0, NULL };

				ret = boxes_cut(&in, &port, &hit.b[j].a, 0,
						&drop);
				free(drop.b);
			}
			hit.n = 0;
		}
		for (i = 0; i < in.n && !ret; i++) {
			in.b[i].rule = k;
			ret = boxes_push(gap, &in.b[i]);
		}
		in.n = 0;
	}
	free(in.b);
	free(hit.b);
	return ret;
}

static int old_judge_require(const struct policy *p, const struct rule *r,
			 const struct report_row *rows, size_t n,
			 struct policy_violation *v, bool *met)
{
	struct boxes gap[NFAMS] = { { 0, 0, NULL }, { 0, 0, NULL } };
	struct group *g = NULL;
	size_t ng = 0, i;
	int f, best = -1, ret = 0;

	(void)p;
	*met = false;
	for (f = 0; f < NFAMS && !ret; f++) {
		if (!r->src.n[f])
			continue;
		ret = old_require_gap(r, rows, n, f, &gap[f]);
		if (ret < 0)
			break;
		if (!gap[f].n) {
			*met = true;
			goto out;
		}
		if (best < 0 || gap[f].n < gap[best].n)
			best = f;
	}
	if (ret < 0 || best < 0) {
		/* a require of no source at all is met */
		*met = ret >= 0;
		goto out;
	}
	ret = boxes_group(&gap[best], &g, &ng);
	if (ret < 0)
		goto out;
	memset(v, 0, sizeof(*v));
	v->kind = POLICY_V_MISSING;
	v->severity = r->sev;
	v->rule = r->ref;
	v->missing = calloc(ng, sizeof(*v->missing));
	if (!v->missing) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ng; i++) {
		struct policy_missing *m = &v->missing[i];

		m->family = best == FAM_V6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
		m->proto = proto_nums[g[i].rule];
		m->port_lo = g[i].p.lo;
		m->port_hi = g[i].p.hi;
		ret = ivs_copy(g[i].a, g[i].n, &m->sources,
				&m->nsources);
		if (ret < 0) {
			missing_release(v->missing, i);
			v->missing = NULL;
			goto out;
		}
	}
	v->nmissing = ng;
out:
	groups_free(g, ng);
	for (f = 0; f < NFAMS; f++)
		free(gap[f].b);
	return ret;
}

/* The points of parts parts[0..n) whose rule is rule (line, file), as a
 * region of family. */
static struct region *parts_region(uint8_t family, const struct policy_part *pt,
				   size_t n, const struct policy_ref *rule)
{
	struct region *r = region_new_empty(), *all, *hit;
	size_t i;

	for (i = 0; r && i < n; i++) {
		const struct rs_interval port = { pt[i].port_lo,
						  pt[i].port_hi };

		if (pt[i].rule.line != rule->line ||
		    pt[i].rule.file != rule->file)
			continue;
		all = region_new_full(family);
		hit = NULL;
		if (!all || cut_product(all, &port, 1, pt[i].sources,
					pt[i].nsources, &hit) < 0 ||
		    region_union(r, hit) < 0) {
			region_free(r);
			r = NULL;
		}
		region_free(all);
		region_free(hit);
	}
	return r;
}

/* How many prefixes the printers show for parts[0..n). */
static size_t parts_prefixes(uint8_t family, const struct policy_part *pt,
			     size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += src_count(family, pt[i].sources, pt[i].nsources);
	return k;
}

static void parts_dump(const char *who, uint8_t family,
		       const struct policy_part *pt, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		fprintf(stderr, "  %s: ports %u-%u rule %u from", who,
			pt[i].port_lo, pt[i].port_hi, pt[i].rule.line);
		for (k = 0; k < src_count(family, pt[i].sources,
					  pt[i].nsources); k++)
			fprintf(stderr, " %s", src_at(family, pt[i].sources,
						      pt[i].nsources, k));
		fprintf(stderr, "\n");
	}
}

struct oracle_stats {
	unsigned long rows, same, fewer, equal_count, more;
	unsigned long prefixes_fewer, prefixes_more;
	unsigned long requires, requires_same, requires_family;
};

/* Old and new verdicts on one row: every rule (and the default) must have
 * exactly the same points; the layout may differ, never with more parts. */
static void oracle_row(const struct policy *p, const struct report_row *row,
		       const struct policy_verdict *nv, struct oracle_stats *st)
{
	struct policy_verdict ov;
	size_t i, onp, nnp;
	bool same;

	if (old_judge_row(p, row, &ov) < 0) {
		CHECK(!"old judge failed");
		return;
	}
	st->rows++;
	CHECK_EQ(ov.allowed, nv->allowed);
	CHECK_EQ(ov.severity, nv->severity);
	for (i = 0; i <= p->nrules; i++) {
		const struct rule *r = rule_at(p, i);
		struct region *a = parts_region(row->family, ov.parts,
						ov.nparts, &r->ref);
		struct region *b = parts_region(row->family, nv->parts,
						nv->nparts, &r->ref);

		CHECK(a && b && region_equal(a, b));
		region_free(a);
		region_free(b);
	}
	same = ov.nparts == nv->nparts;
	for (i = 0; same && i < ov.nparts; i++)
		same = ov.parts[i].port_lo == nv->parts[i].port_lo &&
		       ov.parts[i].port_hi == nv->parts[i].port_hi &&
		       ov.parts[i].rule.line == nv->parts[i].rule.line &&
		       ov.parts[i].nsources == nv->parts[i].nsources &&
		       !memcmp(ov.parts[i].sources, nv->parts[i].sources,
			       ov.parts[i].nsources *
			       sizeof(*ov.parts[i].sources));
	CHECK(nv->nparts <= ov.nparts);
	if (nv->nparts > ov.nparts) {
		parts_dump("old", row->family, ov.parts, ov.nparts);
		parts_dump("new", row->family, nv->parts, nv->nparts);
	}
	if (same) {
		st->same++;
	} else {
		if (nv->nparts < ov.nparts)
			st->fewer++;
		else if (nv->nparts == ov.nparts)
			st->equal_count++;
		else
			st->more++;
		onp = parts_prefixes(row->family, ov.parts, ov.nparts);
		nnp = parts_prefixes(row->family, nv->parts, nv->nparts);
		if (nnp < onp)
			st->prefixes_fewer++;
		else if (nnp > onp)
			st->prefixes_more++;
	}
	verdict_release(&ov);
}

/* The missing part of a require, old and new: the same family, the same
 * points per protocol. */
static void oracle_require(const struct policy *p, const struct rule *r,
			   const struct report_row *rows, size_t n,
			   struct oracle_stats *st)
{
	struct policy_violation ov, nv;
	bool omet, nmet;
	size_t k;

	memset(&ov, 0, sizeof(ov));
	memset(&nv, 0, sizeof(nv));
	if (old_judge_require(p, r, rows, n, &ov, &omet) < 0 ||
	    judge_require(p, r, rows, n, &nv, &nmet) < 0) {
		CHECK(!"require judge failed");
		return;
	}
	st->requires++;
	CHECK_EQ(omet, nmet);
	if (omet || nmet)
		goto out;
	CHECK(ov.nmissing && nv.nmissing);
	if (ov.nmissing && nv.nmissing &&
	    ov.missing[0].family != nv.missing[0].family) {
		/* both families miss: the old judge showed the one of
		 * fewer boxes, the new one that of fewer parts and
		 * intervals */
		st->requires_family++;
		goto out;
	}
	CHECK(nv.nmissing <= ov.nmissing);
	for (k = 0; k < sizeof(proto_nums) && ov.nmissing && nv.nmissing;
	     k++) {
		struct region *a = region_new_empty(), *b = region_new_empty();
		size_t i;

		for (i = 0; a && b && i < ov.nmissing + nv.nmissing; i++) {
			const struct policy_missing *m = i < ov.nmissing ?
				&ov.missing[i] : &nv.missing[i - ov.nmissing];
			const struct rs_interval port = { m->port_lo,
							  m->port_hi };
			struct region *all = region_new_full(m->family);
			struct region *hit = NULL;

			if (m->proto != proto_nums[k]) {
				region_free(all);
				continue;
			}
			CHECK(all && cut_product(all, &port, 1, m->sources,
						 m->nsources, &hit) == 0 &&
			      region_union(i < ov.nmissing ? a : b, hit) == 0);
			region_free(all);
			region_free(hit);
		}
		CHECK(a && b && region_equal(a, b));
		region_free(a);
		region_free(b);
	}
	if (ov.nmissing == nv.nmissing) {
		bool same = true;

		for (k = 0; same && k < ov.nmissing; k++)
			same = ov.missing[k].port_lo == nv.missing[k].port_lo &&
			       ov.missing[k].port_hi == nv.missing[k].port_hi &&
			       ov.missing[k].proto == nv.missing[k].proto &&
			       ov.missing[k].nsources ==
			       nv.missing[k].nsources &&
			       !memcmp(ov.missing[k].sources,
				       nv.missing[k].sources,
				       ov.missing[k].nsources *
				       sizeof(*ov.missing[k].sources));
		st->requires_same += same;
	}
out:
	if (!omet)
		missing_release(ov.missing, ov.nmissing);
	if (!nmet)
		missing_release(nv.missing, nv.nmissing);
}

static uint64_t oracle_rng = 0x9e3779b97f4a7c15ull;

static unsigned int ornd(unsigned int n)
{
	oracle_rng ^= oracle_rng >> 12;
	oracle_rng ^= oracle_rng << 25;
	oracle_rng ^= oracle_rng >> 27;
	return (unsigned int)((oracle_rng * 2685821657736338717ull) >> 33) % n;
}

/* A random prefix of family among 32 addresses at one of the family's
 * edges (bottom, a middle, top), or a zone. */
static void oracle_prefix(uint8_t family, unsigned int edge, char *buf,
			  size_t len)
{
	unsigned int plen = 5 - ornd(6), a = ornd(32) & ~((1u << (5 - plen)) - 1);
	bool v6 = family == NFPROTO_IPV6;

	if (!ornd(16)) {
		snprintf(buf, len, "%s", ornd(2) ? "any" : "private");
		return;
	}
	switch (edge) {
	case 0:
		snprintf(buf, len, v6 ? "::%x/%u" : "0.0.0.%u/%u", a,
			 (v6 ? 128 : 32) - 5 + plen);
		break;
	case 1:
		snprintf(buf, len, v6 ? "2001:db8::%x/%u" : "10.0.0.%u/%u", a,
			 (v6 ? 128 : 32) - 5 + plen);
		break;
	default:
		snprintf(buf, len, v6 ? "ffff:ffff:ffff:ffff:ffff:ffff:"
			 "ffff:%x/%u" : "255.255.255.%u/%u",
			 (v6 ? 0xffe0 : 224) + a, (v6 ? 128 : 32) - 5 + plen);
	}
}

static void oracle_ports(unsigned int edge, char *buf, size_t len)
{
	unsigned int base = edge == 2 ? 65535 - 31 : edge ? 1000 : 0;
	unsigned int lo = base + ornd(32), hi = lo + ornd(12);

	if (hi > 65535)
		hi = 65535;
	if (!ornd(20))
		snprintf(buf, len, "any");
	else if (ornd(3) == 0)
		snprintf(buf, len, "%u", lo);
	else
		snprintf(buf, len, "%u-%u", lo, hi);
}

/* n random policies (1-7 rules, a require now and then) and rows (1-3) of
 * random port ranges x random source prefixes, IPv4 and IPv6, all in a
 * small universe at the bottom, in the middle or at the top of the
 * port and address ranges so that cuts overlap: the region judge and the
 * old one must give every point to the same rule. */
static void test_oracle(unsigned int iterations)
{
	struct oracle_stats st;
	unsigned int it;

	memset(&st, 0, sizeof(st));
	for (it = 0; it < iterations; it++) {
		unsigned int failures = unit_failures;
		uint8_t family = ornd(2) ? NFPROTO_IPV6 : NFPROTO_IPV4;
		unsigned int edge = ornd(3), nrules = 1 + ornd(7), i, j, nrows;
		struct rowbuf rb[3];
		struct report_row rows[3];
		char text[4096], ports[64], src[64], srcs[256];
		struct policy_result *res = NULL;
		struct policy *p;
		size_t len = 0;

		for (i = 0; i < nrules; i++) {
			unsigned int np = 1 + ornd(3), ns = 1 + ornd(3);

			len += (size_t)snprintf(text + len, sizeof(text) - len,
				"%s tcp ", !ornd(8) ? "require" : ornd(2) ?
				"allow" : "alert critical");
			for (j = 0; j < np; j++) {
				oracle_ports(edge, ports, sizeof(ports));
				len += (size_t)snprintf(text + len,
					sizeof(text) - len, "%s%s",
					j ? "," : "", ports);
			}
			len += (size_t)snprintf(text + len, sizeof(text) - len,
						" from ");
			for (j = 0; j < ns; j++) {
				oracle_prefix(family, edge, src, sizeof(src));
				len += (size_t)snprintf(text + len,
					sizeof(text) - len, "%s%s",
					j ? "," : "", src);
			}
			len += (size_t)snprintf(text + len, sizeof(text) - len,
						"\n");
		}
		p = load_text(text);
		if (!p)
			return;
		nrows = 1 + ornd(3);
		for (i = 0; i < nrows; i++) {
			unsigned int lo, hi, ns = ornd(4);
			size_t sl = 0;

			oracle_ports(edge, ports, sizeof(ports));
			if (!strcmp(ports, "any")) {
				lo = 0;
				hi = 65535;
			} else if (sscanf(ports, "%u-%u", &lo, &hi) != 2) {
				hi = lo = (unsigned int)strtoul(ports, NULL, 10);
			}
			srcs[0] = '\0';
			for (j = 0; j < ns; j++) {
				oracle_prefix(family, edge, src, sizeof(src));
				if (!strcmp(src, "any") ||
				    !strcmp(src, "private"))
					snprintf(src, sizeof(src), "%s",
						 family == NFPROTO_IPV6 ?
						 "::/0" : "0.0.0.0/0");
				sl += (size_t)snprintf(srcs + sl,
					sizeof(srcs) - sl, "%s%s",
					j ? "," : "", src);
			}
			row_make(&rb[i], &(struct rowspec){ .family = family,
				 .lo = (uint16_t)lo, .hi = (uint16_t)hi,
				 .sources = ns ? srcs : NULL });
			/* no list at all: reachable from anywhere */
			if (!ns)
				rb[i].row.nsources = 0;
			rows[i] = rb[i].row;
		}
		if (policy_judge(p, rows, nrows, &res) < 0) {
			CHECK(!"judge failed");
			policy_free(p);
			return;
		}
		for (i = 0; i < nrows; i++)
			oracle_row(p, &rows[i], &res->rows[i], &st);
		for (i = 0; i < p->nrules; i++)
			if (p->rules[i].kind == RULE_REQUIRE)
				oracle_require(p, &p->rules[i], rows, nrows,
					       &st);
		policy_result_free(res);
		if (unit_failures != failures) {
			fprintf(stderr, "oracle case %u: policy:\n%s", it,
				text);
			for (i = 0; i < nrows; i++)
				fprintf(stderr, "row %u-%u\n",
					rows[i].port_lo, rows[i].port_hi);
			policy_free(p);
			return;
		}
		policy_free(p);
	}
	printf("oracle: %u cases, %lu rows: %lu laid out alike, %lu in "
	       "fewer parts, %lu in as many, %lu in more; of those laid out "
	       "otherwise %lu with fewer prefixes, %lu with more; %lu "
	       "requires, %lu missing alike, %lu shown in the other family\n",
	       iterations, st.rows, st.same, st.fewer, st.equal_count, st.more,
	       st.prefixes_fewer, st.prefixes_more, st.requires,
	       st.requires_same, st.requires_family);
}

/* ------------------------------------------------------------------ */

static struct policy *load_shipped(const char *name)
{
	struct policy_error err;
	struct policy *p = NULL;
	char path[PATH_MAX + 64], msg[2048];
	int ret;

	snprintf(path, sizeof(path), "%s/rules/%s", topdir, name);
	ret = policy_load(path, &p, &err);
	if (ret < 0)
		fprintf(stderr, "%s\n", policy_error_format(&err, msg,
							    sizeof(msg)));
	CHECK_EQ(ret, 0);
	return p;
}

static void check_row(struct policy *p, const struct rowspec *s,
		      bool allowed, enum policy_severity sev, int line)
{
	struct policy_result *res = judge1(p, s);

	if (!res)
		return;
	if (V(res)->allowed != allowed || V(res)->severity != sev) {
		unit_failures++;
		fprintf(stderr, "%s:%d: %s %u: allowed %d severity %s, "
			"expected %d %s\n", __FILE__, line,
			s->proto == IPPROTO_UDP ? "udp" : "tcp", s->lo,
			V(res)->allowed, policy_severity_name(V(res)->severity),
			allowed, policy_severity_name(sev));
	}
	unit_checks++;
	policy_result_free(res);
}

#define ROW(p, allowed, sev, ...) check_row(p, &(struct rowspec){ __VA_ARGS__ }, \
					     allowed, POLICY_SEV_##sev, __LINE__)

static void test_shipped(void)
{
	struct policy *p;
	size_t i;

	p = load_shipped("dangerous-services.rules");
	if (p) {
		CHECK(policy_nrules(p) >= 30);
		for (i = 0; i < p->nrules; i++) {
			CHECK(p->rules[i].kind == RULE_ALERT);
			CHECK(p->rules[i].ref.message &&
			      strlen(p->rules[i].ref.message) > 10);
		}
		ROW(p, false, CRITICAL, .lo = 6379);
		ROW(p, false, CRITICAL, .lo = 6379, .sources = "10.0.0.0/8");
		ROW(p, false, CRITICAL, .lo = 27017);
		ROW(p, false, CRITICAL, .proto = IPPROTO_UDP, .lo = 161);
		ROW(p, false, CRITICAL, .proto = IPPROTO_UDP, .lo = 11211);
		ROW(p, false, CRITICAL, .lo = 6010);
		ROW(p, false, WARNING, .lo = 9100);
		ROW(p, false, WARNING, .lo = 443);
	}
	policy_free(p);

	p = load_shipped("default.rules");
	if (p) {
		ROW(p, true, NONE, .lo = 22);
		ROW(p, true, NONE, .family = NFPROTO_IPV6, .lo = 22);
		ROW(p, false, CRITICAL, .lo = 6379);
		ROW(p, false, CRITICAL, .lo = 2375);
		/* a database only private networks reach is fine; from
		 * the Internet it is critical */
		ROW(p, true, NONE, .lo = 5432, .sources = "10.1.0.0/16");
		ROW(p, false, CRITICAL, .lo = 5432, .sources = "203.0.113.0/24");
		ROW(p, false, WARNING, .lo = 8080);
		ROW(p, false, WARNING, .family = NFPROTO_IPV6, .lo = 8080);
		ROW(p, true, NONE, .lo = 8080, .sources = "192.168.0.0/16");
		ROW(p, true, NONE, .lo = 8080, .sources = "127.0.0.1");
		ROW(p, true, NONE, .lo = 6379, .sources = "127.0.0.0/8");
		ROW(p, false, WARNING, .proto = IPPROTO_UDP, .lo = 53);
		CHECK_EQ(p->def.sev, POLICY_SEV_WARNING);
	}
	policy_free(p);

	p = load_shipped("swarm-node.rules");
	if (p) {
		ROW(p, true, NONE, .lo = 22);
		ROW(p, true, NONE, .lo = 2377, .sources = "10.0.0.0/8");
		ROW(p, false, CRITICAL, .lo = 2377);
		ROW(p, true, NONE, .lo = 7946, .sources = "172.16.0.0/12");
		ROW(p, true, NONE, .proto = IPPROTO_UDP, .lo = 7946,
			 .sources = "192.168.0.0/16");
		ROW(p, false, CRITICAL, .proto = IPPROTO_UDP, .lo = 7946);
		ROW(p, true, NONE, .proto = IPPROTO_UDP, .lo = 4789,
			 .sources = "10.0.0.0/8");
		ROW(p, false, CRITICAL, .proto = IPPROTO_UDP, .lo = 4789);
		ROW(p, false, CRITICAL, .proto = IPPROTO_UDP, .lo = 4789,
			 .sources = "10.0.0.0/8,8.8.8.8");
		ROW(p, false, CRITICAL, .lo = 2375, .sources = "10.0.0.0/8");
		ROW(p, false, CRITICAL, .lo = 2376);
		ROW(p, false, CRITICAL, .lo = 6379, .sources = "10.0.0.0/8");
		ROW(p, false, WARNING, .lo = 443);
	}
	policy_free(p);
}

static void test_check_rules(void)
{
	char path[PATH_MAX + 64];
	char *argv[4];

	snprintf(path, sizeof(path), "%s/rules/default.rules", topdir);
	argv[0] = (char *)"check-rules";
	argv[1] = path;
	argv[2] = NULL;
	optind = 0;
	CHECK_EQ(policy_check_main(2, argv), EXIT_OK);
	write_file("bad.rules", "allow tcp 99999 from any\n");
	argv[1] = (char *)"bad.rules";
	optind = 0;
	CHECK_EQ(policy_check_main(2, argv), EXIT_UNKNOWN);
	argv[1] = (char *)"--help";
	optind = 0;
	CHECK_EQ(policy_check_main(2, argv), EXIT_OK);
	/* the default policy, through the test override */
	snprintf(path, sizeof(path), "%s/rules", topdir);
	setenv("FWAUDIT_RULES_DIR", path, 1);
	optind = 0;
	CHECK_EQ(policy_check_main(1, argv), EXIT_OK);
	CHECK(policy_default_path(path, sizeof(path)) == 0 &&
	      strstr(path, "/rules/default.rules"));
	unsetenv("FWAUDIT_RULES_DIR");
	CHECK(policy_default_path(path, sizeof(path)) == 0 &&
	      !strcmp(path, FWAUDIT_RULESDIR "/default.rules"));
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/test_policy.XXXXXX";
	const char *top = getenv("top_srcdir");
	char cmd[64];

	rng_state = argc > 1 ? strtoull(argv[1], NULL, 0) :
		    (uint64_t)time(NULL);
	if (!rng_state)
		rng_state = 1;
	printf("seed %" PRIu64 "\n", rng_state);
	if (!realpath(top ? top : ".", topdir)) {
		perror("top_srcdir");
		return 99;
	}
	if (!mkdtemp(tmpl) || chdir(tmpl) < 0) {
		perror(tmpl);
		return 99;
	}
	test_errors();
	test_statements();
	test_judge();
	test_link_local();
	test_require();
	test_random(300);
	test_oracle(10000);
	test_shipped();
	test_check_rules();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (chdir("/") || system(cmd))
		perror(cmd);
	return unit_done();
}
