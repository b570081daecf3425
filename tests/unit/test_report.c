// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_report.c - the text of report rows, without privileges: the
 * static helpers of report.c are reached by including it.
 */
#include <unistd.h>

#include "report.c"
#include "causes.h"
#include "unit.h"

/* The prefixes l[0..n) as a row's sources (the intervals report_build()
 * makes), in *iv (room for n); returns how many. */
static size_t parse_sources(uint8_t family, const char *const *l, size_t n,
			    struct rs_interval *iv)
{
	size_t i;

	for (i = 0; i < n; i++)
		CHECK_EQ(region_prefix_parse(family, l[i], &iv[i]), 0);
	return region_ivs_merge(iv, n);
}

static char *display(uint8_t family, const char *const *l, size_t n)
{
	struct strbuf b = STRBUF_INIT;
	struct rs_interval iv[16];

	n = parse_sources(family, l, n, iv);
	report_sources_text(&b, NULL, family, iv, n);
	return strbuf_take(&b);
}

/* A port reachable from a few separate networks: the sources_display()
 * of old wrote the gaps over the prefixes it was still reading and
 * printed "any except 0.0.0.0/0" for them. */
static void test_display_separate(void)
{
	static const char *const four[] = {
		"10.1.0.0/16", "192.0.2.0/24", "198.51.100.0/24",
		"203.0.113.0/24",
	};
	char *s = display(NFPROTO_IPV4, four, 4);

	CHECK_STR(s, "10.1.0.0/16,192.0.2.0/24,198.51.100.0/24,"
		  "203.0.113.0/24");
	free(s);
}

/* Everything but 127.0.0.0/8 reads as what it leaves out (no policy:
 * the built-in zones). */
static void test_display_except(void)
{
	static const char *const most[] = {
		"0.0.0.0/2", "64.0.0.0/3", "96.0.0.0/4", "112.0.0.0/5",
		"120.0.0.0/6", "124.0.0.0/7", "126.0.0.0/8", "128.0.0.0/1",
	};
	char *s = display(NFPROTO_IPV4, most, 8);

	CHECK_STR(s, "any except 127.0.0.0/8");
	free(s);
	s = NULL;
	{
		struct srcview *sv = NULL;
		struct strbuf b = STRBUF_INIT;
		struct rs_interval iv[8];
		size_t n = parse_sources(NFPROTO_IPV4, most, 8, iv);

		CHECK_EQ(srcview_new(NULL, &sv), 0);
		report_sources_text(&b, sv, NFPROTO_IPV4, iv, n);
		s = strbuf_take(&b);
		CHECK_STR(s, "any except loopback");
		srcview_free(sv);
	}
	free(s);
}

/* The printers of a row's binary addresses: minimal prefixes, a single
 * address without its length, "*" for every address; the backend only
 * when the row knows it.  Sets in any order, overlapping or adjacent,
 * print as their merged set. */
static void test_printers(void)
{
	static const struct rs_interval v4[] = {
		{ 0xc6336407, 0xc6336407 },	/* 198.51.100.7 */
		{ 0x0a000000, 0x0a0001ff },	/* 10.0.0.0/23 */
		{ 0x0a000200, 0x0a000200 },	/* adjacent: 10.0.2.0 */
	};
	static const struct rs_interval v6 = {
		(rs_u128)0x20010db8 << 96, ((rs_u128)0x20010db8 << 96) | 1,
	};
	struct report_row r;
	struct strbuf b = STRBUF_INIT;
	char buf[INET6_ADDRSTRLEN], **l = NULL, *s;
	size_t n = 0;

	report_addrs_text(&b, NFPROTO_IPV4, v4, 3, ", ");
	s = strbuf_take(&b);
	CHECK_STR(s, "10.0.0.0/23, 10.0.2.0, 198.51.100.7");
	free(s);
	CHECK_EQ(report_addrs_list(NFPROTO_IPV6, &v6, 1, &l, &n), 0);
	CHECK_EQ(n, 1);
	if (n == 1)
		CHECK_STR(l[0], "2001:db8::/127");
	report_addrs_list_free(l, n);
	CHECK_EQ(report_addrs_list(NFPROTO_IPV4, &v6, 1, &l, &n), -EINVAL);

	memset(&r, 0, sizeof(r));
	r.family = NFPROTO_IPV4;
	s = report_address_str(&r);
	CHECK_STR(s, "*");
	free(s);
	CHECK(report_backend_str(&r, buf, sizeof(buf)) == NULL);
	r.naddrs = 1;
	r.addrs = (struct rs_interval *)&v4[0];
	s = report_address_str(&r);
	CHECK_STR(s, "198.51.100.7");
	free(s);
	r.has_backend_address = true;
	r.backend_address = 0xac110002;
	CHECK_STR(report_backend_str(&r, buf, sizeof(buf)), "172.17.0.2");
}

/* ---------------------------------------------------------------------
 * Causes, on rows made by hand and judged by a small policy.
 */
static struct rs_interval any4[] = { { 0, 0xffffffffu } },
			  any6[] = { { 0, ~(rs_u128)0 } };
static char *eth0[] = { "eth0" };
static char redis[] = "redis";
/* 172.17.0.2 */
static const rs_u128 backend = 0xac110002;

static struct report_row mkrow(uint8_t family, uint8_t proto,
			       unsigned int lo, unsigned int hi,
			       enum engine_state state)
{
	struct report_row r;

	memset(&r, 0, sizeof(r));
	r.family = family;
	r.proto = proto;
	r.port_lo = (uint16_t)lo;
	r.port_hi = (uint16_t)hi;
	r.nsources = 1;
	r.sources = family == NFPROTO_IPV4 ? any4 : any6;
	r.nifaces = 1;
	r.ifaces = eth0;
	r.path = ENGINE_LOCAL;
	r.state = state;
	return r;
}

static struct policy *test_policy(void)
{
	char path[] = "/tmp/test_report.XXXXXX";
	struct policy_error err;
	struct policy *p = NULL;
	int fd = mkstemp(path);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	fputs("allow tcp 22 from any \"SSH\"\n"
	      "alert critical tcp 6379 from any \"Redis\"\n"
	      "default alert warning\n", f);
	fclose(f);
	memset(&err, 0, sizeof(err));
	CHECK_EQ(policy_load(path, &p, &err), 0);
	unlink(path);
	return p;
}

/* Judge rows and group them; every row must be in exactly one cause. */
static struct causes *group(const struct policy *p, struct report_row *rows,
			    size_t n, struct policy_result **pr)
{
	struct report rep = { .nrows = n, .rows = rows };
	struct causes *cs = NULL;
	size_t i, k, seen;

	CHECK_EQ(policy_judge(p, rows, n, pr), 0);
	CHECK_EQ(causes_build(&rep, *pr, NULL, &cs), 0);
	if (!cs)
		return NULL;
	for (i = 0; i < n; i++) {
		seen = 0;
		for (k = 0; k < cs->n; k++)
			for (size_t j = 0; j < cs->c[k].nrows; j++)
				seen += cs->c[k].rows[j] == i;
		CHECK_EQ(seen, 1);
	}
	return cs;
}

/* A host with no firewall: one finding, not one per port range. */
static void test_causes_bare(const struct policy *p)
{
	struct report_row rows[12];
	struct policy_result *pr = NULL;
	struct causes *cs;
	size_t n = 0;
	int f;

	for (f = 0; f < 2; f++) {
		uint8_t fam = f ? NFPROTO_IPV6 : NFPROTO_IPV4;

		rows[n++] = mkrow(fam, IPPROTO_TCP, 0, 21, ENGINE_OPEN);
		rows[n++] = mkrow(fam, IPPROTO_TCP, 22, 22, ENGINE_EXPOSED);
		rows[n++] = mkrow(fam, IPPROTO_TCP, 23, 6378, ENGINE_OPEN);
		rows[n++] = mkrow(fam, IPPROTO_TCP, 6379, 6379,
				  ENGINE_EXPOSED);
		rows[n++] = mkrow(fam, IPPROTO_TCP, 6380, 65535, ENGINE_OPEN);
		rows[n++] = mkrow(fam, IPPROTO_UDP, 0, 65535, ENGINE_OPEN);
	}
	cs = group(p, rows, n, &pr);
	CHECK(cs && cs->n == 1);
	if (cs && cs->n == 1) {
		CHECK_EQ(cs->c[0].kind, CAUSE_UNFILTERED);
		CHECK_STR(cs->c[0].title, "eth0 filters nothing inbound: every "
			  "port is open from any address (IPv4 and IPv6)");
		CHECK_EQ(cs->c[0].severity, POLICY_SEV_CRITICAL);
		CHECK(cs->c[0].violation);
		CHECK_EQ(cs->c[0].families, CAUSE_IPV4 | CAUSE_IPV6);
		CHECK_EQ(cs->c[0].nrows, n);
	}
	causes_free(cs);
	policy_result_free(pr);
}

/* IPv4 lets in 22, IPv6 also 80 and 6379; a published port; a port
 * open in both families. */
static void test_causes_mixed(const struct policy *p)
{
	struct report_row rows[8];
	struct policy_result *pr = NULL;
	struct causes *cs;
	size_t n = 0, i;
	bool v6open = false, published = false, twins = false;

	rows[n++] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 22, 22, ENGINE_EXPOSED);
	rows[n++] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 443, 443, ENGINE_OPEN);
	rows[n++] = mkrow(NFPROTO_IPV6, IPPROTO_TCP, 22, 22, ENGINE_EXPOSED);
	rows[n++] = mkrow(NFPROTO_IPV6, IPPROTO_TCP, 80, 80, ENGINE_EXPOSED);
	rows[n++] = mkrow(NFPROTO_IPV6, IPPROTO_TCP, 443, 443, ENGINE_OPEN);
	rows[n++] = mkrow(NFPROTO_IPV6, IPPROTO_TCP, 6379, 6379,
			  ENGINE_EXPOSED);
	rows[n] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 6379, 6379,
			ENGINE_EXPOSED);
	rows[n].path = ENGINE_FORWARDED;
	rows[n].has_backend = true;
	rows[n].has_backend_address = true;
	rows[n].backend_address = backend;
	rows[n].backend_port_lo = rows[n].backend_port_hi = 6379;
	rows[n++].container = redis;
	cs = group(p, rows, n, &pr);
	for (i = 0; cs && i < cs->n; i++) {
		const struct cause *c = &cs->c[i];

		switch (c->kind) {
		case CAUSE_IPV6_OPEN:
			v6open = true;
			CHECK_STR(c->title, "eth0 lets in over IPv6 what it "
				  "filters over IPv4: tcp/80, tcp/6379");
			CHECK_EQ(c->severity, POLICY_SEV_CRITICAL);
			break;
		case CAUSE_PUBLISHED:
			published = true;
			CHECK_EQ(c->nrows, 1);
			CHECK(!strncmp(c->title, "Docker publishes 1 port:",
				       24));
			break;
		case CAUSE_EXPOSURE:
			if (c->nrows == 2 && rows[c->rows[0]].port_lo == 443) {
				twins = true;
				CHECK_STR(c->title, "tcp/443 open from any "
					  "(IPv4 and IPv6)");
				CHECK_EQ(c->severity, POLICY_SEV_WARNING);
			}
			break;
		default:
			CHECK(!"an unexpected cause");
		}
	}
	CHECK(v6open);
	CHECK(published);
	CHECK(twins);
	/* violations first, the worst first */
	CHECK(cs && cs->n && cs->c[0].severity == POLICY_SEV_CRITICAL);
	CHECK(cs && cs->n && !cs->c[cs->n - 1].violation);
	causes_free(cs);
	policy_result_free(pr);
}

/* Symbolic interfaces (a ruleset file) read as words, and an interface
 * open in both families from different sources says each. */
static void test_causes_words(const struct policy *p)
{
	static char *sym[] = { "*", "!lo" };
	static struct rs_interval most4[] = { { 0, 0x7fffffffu } };
	struct report_row rows[4];
	struct policy_result *pr = NULL;
	struct causes *cs;
	size_t n = 0, i;

	rows[n++] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 0, 65535, ENGINE_OPEN);
	rows[n++] = mkrow(NFPROTO_IPV4, IPPROTO_UDP, 0, 65535, ENGINE_OPEN);
	rows[n++] = mkrow(NFPROTO_IPV6, IPPROTO_TCP, 0, 65535, ENGINE_OPEN);
	rows[n++] = mkrow(NFPROTO_IPV6, IPPROTO_UDP, 0, 65535, ENGINE_OPEN);
	for (i = 0; i < n; i++) {
		rows[i].nifaces = 2;
		rows[i].ifaces = sym;
	}
	rows[0].sources = rows[1].sources = most4;
	cs = group(p, rows, n, &pr);
	CHECK(cs && cs->n == 1);
	if (cs && cs->n == 1) {
		CHECK_STR(cs->c[0].where, "every interface but lo");
		CHECK_STR(cs->c[0].title, "Every interface but lo filters "
			  "nothing inbound: every port is open from "
			  "0.0.0.0/1 over IPv4 and from any address over "
			  "IPv6");
	}
	causes_free(cs);
	policy_result_free(pr);
}

/* A container reached two ways: published (DNAT) and by direct routing.
 * Each has its cause; the JSON says "route": "direct" for the second
 * only. */
static void test_causes_direct(const struct policy *p)
{
	static struct rs_interval caddr = { 0xac110002, 0xac110002 };
	struct report_row rows[2];
	struct policy_result *pr = NULL;
	struct causes *cs;
	struct report rep;
	struct jsonw w;
	char *buf = NULL;
	size_t n = 0, i, len = 0;
	bool direct = false, published = false;
	FILE *f;

	for (i = 0; i < 2; i++) {
		rows[n] = mkrow(NFPROTO_IPV4, IPPROTO_TCP, 6379, 6379,
				ENGINE_EXPOSED);
		rows[n].path = ENGINE_FORWARDED;
		rows[n].has_backend = true;
		rows[n].has_backend_address = true;
		rows[n].backend_address = backend;
		rows[n].backend_port_lo = rows[n].backend_port_hi = 6379;
		rows[n].container = redis;
		rows[n].direct = i == 1;
		if (i == 1) {
			rows[n].naddrs = 1;
			rows[n].addrs = &caddr;
		}
		n++;
	}
	cs = group(p, rows, n, &pr);
	for (i = 0; cs && i < cs->n; i++) {
		const struct cause *c = &cs->c[i];

		if (c->kind == CAUSE_DIRECT) {
			direct = true;
			CHECK(c->nrows == 1 && rows[c->rows[0]].direct);
			CHECK(!strncmp(c->title, "1 exposure of container "
				       "networks reachable by direct routing "
				       "from neighbours on eth0:", 76));
			CHECK_EQ(c->severity, POLICY_SEV_CRITICAL);
		} else if (c->kind == CAUSE_PUBLISHED) {
			published = true;
			CHECK(c->nrows == 1 && !rows[c->rows[0]].direct);
		}
	}
	CHECK(direct);
	CHECK(published);
	causes_free(cs);
	policy_result_free(pr);

	memset(&rep, 0, sizeof(rep));
	rep.nrows = n;
	rep.rows = rows;
	f = open_memstream(&buf, &len);
	CHECK(f != NULL);
	if (!f)
		return;
	jsonw_init(&w, f, 0);
	jsonw_object_begin(&w);
	report_json(&rep, &w, NULL, NULL);
	jsonw_object_end(&w);
	CHECK_EQ(jsonw_end(&w), 0);
	fclose(f);
	/* exactly one "route", in the second exposure */
	{
		const char *r1 = buf ? strstr(buf, "\"route\"") : NULL;
		const char *second = buf ? strstr(buf, "\"172.17.0.2\"") : NULL;

		CHECK(r1 && !strstr(r1 + 1, "\"route\""));
		CHECK(r1 && second && r1 > second);
		CHECK(r1 && (!strncmp(r1, "\"route\":\"direct\"", 16) ||
			     !strncmp(r1, "\"route\": \"direct\"", 17)));
	}
	free(buf);
}

int main(void)
{
	struct policy *p;

	test_display_separate();
	test_display_except();
	test_printers();
	p = test_policy();
	if (p) {
		test_causes_bare(p);
		test_causes_mixed(p);
		test_causes_words(p);
		test_causes_direct(p);
	}
	policy_free(p);
	return unit_done();
}
