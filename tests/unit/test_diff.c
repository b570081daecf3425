// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_diff.c - `fwaudit diff`'s comparison without privileges: hand-made
 * audits (as saved JSON, read back by auditload.c and judged by a real
 * policy) compared at the level of probe sets - opened, closed, altered,
 * sources widened and narrowed, IPv4 and IPv6, port ranges merged,
 * unmet requires - and the saved audits the loader must refuse.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netfilter.h>

#include "auditload.h"
#include "diff.h"
#include "strbuf.h"
#include "unit.h"

static char tmpdir[] = "/tmp/test_diff.XXXXXX";
static struct policy *pol;

static const char policy_text[] =
	"allow tcp 22 from any \"SSH\"\n"
	"allow tcp 80 from any\n"
	"allow tcp 5432 from 10.0.0.0/8\n"
	"alert critical tcp 6379 from any \"Redis\"\n"
	"require warning tcp 443 from any \"the web\"\n"
	"allow tcp 443 from any\n"
	"default alert warning\n";

/* One exposure of a saved audit: "FAMILY PROTO LO HI SOURCE[,SOURCE]
 * IFACE STATE [LISTENER-PROCESS]". */
static void add_exposure(struct strbuf *b, const char *spec)
{
	char fam[8], proto[8], src[256], ifc[32], state[16], proc[32] = "";
	unsigned int lo, hi;
	char *p, *q;
	int n;

	n = sscanf(spec, "%7s %7s %u %u %255s %31s %15s %31s", fam, proto, &lo,
		   &hi, src, ifc, state, proc);
	if (n < 7)
		abort();
	strbuf_addf(b, "%s{\"family\":\"%s\",\"protocol\":\"%s\","
		    "\"ports\":[%u,%u],\"address\":\"*\",\"sources\":[",
		    b->s[b->len - 1] == '[' ? "" : ",", fam, proto, lo, hi);
	for (p = src; p; p = q) {
		q = strchr(p, ',');
		if (q)
			*q++ = '\0';
		strbuf_addf(b, "%s\"%s\"", p == src ? "" : ",", p);
	}
	strbuf_addf(b, "],\"interfaces\":[\"%s\"],\"path\":\"local\","
		    "\"backend\":null,", ifc);
	if (*proc)
		strbuf_addf(b, "\"listener\":{\"address\":\"%s\",\"port\":%u,"
			    "\"process\":\"%s\",\"pid\":42},",
			    !strcmp(fam, "ipv6") ? "::" : "0.0.0.0", lo, proc);
	else
		strbuf_add(b, "\"listener\":null,");
	strbuf_addf(b, "\"state\":\"%s\",\"certainty\":\"definite\","
		    "\"unknown\":[],\"policy\":null}", state);
}

struct side {
	struct auditload *a;
	struct policy_result *pr;
	struct diff_side s;
};

/* An audit of the exposures in specs (NULL-terminated), judged by pol
 * when judge is true. */
static void side_make(struct side *sd, const char *const *specs, bool judge)
{
	struct strbuf b = STRBUF_INIT;
	char err[512];
	int ret;

	memset(sd, 0, sizeof(*sd));
	strbuf_add(&b, "{\"version\":1,\"host\":\"h\",\"exposures\":[");
	for (; *specs; specs++)
		add_exposure(&b, *specs);
	strbuf_add(&b, "],\"filtered\":[],\"violations\":[]}");
	ret = auditload_parse(b.s, b.len, "test", &sd->a, err, sizeof(err));
	CHECK_EQ(ret, 0);
	if (ret)
		fprintf(stderr, "%s\n%s\n", err, b.s);
	strbuf_release(&b);
	if (ret)
		abort();
	if (judge)
		CHECK_EQ(policy_judge(pol, sd->a->rows, sd->a->nrows, &sd->pr), 0);
	sd->s = (struct diff_side){ sd->a->rows, sd->a->nrows, sd->pr };
}

static void side_free(struct side *sd)
{
	policy_result_free(sd->pr);
	auditload_free(sd->a);
}

static size_t count(const struct diff_changes *c, enum diff_change_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < c->n; i++)
		n += c->v[i].kind == k;
	return n;
}

static const struct diff_change *find(const struct diff_changes *c,
				      enum diff_change_kind k, uint8_t family,
				      uint16_t lo, uint16_t hi)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].kind == k && c->v[i].family == family &&
		    c->v[i].port_lo == lo && c->v[i].port_hi == hi)
			return &c->v[i];
	return NULL;
}

/* compare two lists of exposures */
static void compare(const char *const *o, const char *const *n, bool judge,
		    struct diff_changes *c, struct side *so, struct side *sn)
{
	side_make(so, o, judge);
	side_make(sn, n, judge);
	memset(c, 0, sizeof(*c));
	CHECK_EQ(diff_compare(&so->s, &sn->s, c), 0);
}

#define V4(x) ((rs_u128)(x))

static void test_opened_closed(void)
{
	static const char *const o[] = {
		"ipv4 tcp 22 22 0.0.0.0/0 eth0 open",
		"ipv4 tcp 443 443 0.0.0.0/0 eth0 open",
		"ipv4 tcp 8080 8080 0.0.0.0/0 eth0 open", NULL,
	};
	static const char *const n[] = {
		"ipv4 tcp 22 22 0.0.0.0/0 eth0 open",
		"ipv4 tcp 443 443 0.0.0.0/0 eth0 open",
		"ipv4 tcp 6379 6379 0.0.0.0/0 eth0 open", NULL,
	};
	const struct diff_change *x;
	struct diff_changes c;
	struct side so, sn;

	compare(o, n, true, &c, &so, &sn);
	CHECK_EQ(count(&c, DIFF_OPENED), 1);
	CHECK_EQ(count(&c, DIFF_CLOSED), 1);
	CHECK_EQ(count(&c, DIFF_ALTERED), 0);
	x = find(&c, DIFF_OPENED, NFPROTO_IPV4, 6379, 6379);
	CHECK(x != NULL);
	if (x) {
		CHECK_EQ(x->opens, POLICY_SEV_CRITICAL);
		CHECK_EQ(x->nsources, 1);
		CHECK(x->sources[0].lo == 0 && x->sources[0].hi == 0xffffffffu);
		CHECK(x->old_row == NULL && x->new_row != NULL);
		CHECK_STR(x->new_part->rule.message, "Redis");
	}
	x = find(&c, DIFF_CLOSED, NFPROTO_IPV4, 8080, 8080);
	CHECK(x != NULL);
	if (x)
		CHECK_EQ(x->resolves, POLICY_SEV_WARNING);
	CHECK_EQ(c.worst, POLICY_SEV_CRITICAL);
	CHECK_EQ(c.nmissing_opened, 0);
	/* the opened change comes first */
	CHECK_EQ(c.v[0].kind, DIFF_OPENED);
	diff_changes_release(&c);
	side_free(&so);
	side_free(&sn);

	/* the reverse: what opened now closes, nothing opens */
	compare(n, o, true, &c, &so, &sn);
	CHECK_EQ(count(&c, DIFF_OPENED), 1);
	CHECK_EQ(count(&c, DIFF_CLOSED), 1);
	x = find(&c, DIFF_CLOSED, NFPROTO_IPV4, 6379, 6379);
	CHECK(x && x->resolves == POLICY_SEV_CRITICAL);
	CHECK_EQ(c.worst, POLICY_SEV_WARNING);	/* 8080: default warning */
	diff_changes_release(&c);
	side_free(&so);
	side_free(&sn);

	/* the same audit twice: nothing */
	compare(o, o, true, &c, &so, &sn);
	CHECK_EQ(c.n, 0);
	CHECK_EQ(c.worst, POLICY_SEV_NONE);
	diff_changes_release(&c);
	side_free(&so);
	side_free(&sn);
}

static void test_altered(void)
{
	static const char *const o[] = {
		"ipv4 tcp 22 22 0.0.0.0/0 eth0 open",
		"ipv4 tcp 443 443 0.0.0.0/0 eth0 open", NULL,
	};
	static const char *const n[] = {
		"ipv4 tcp 22 22 0.0.0.0/0 eth0 exposed sshd",
		"ipv4 tcp 443 443 0.0.0.0/0 eth1 open", NULL,
	};
	const struct diff_change *x;
	struct diff_changes c;
	struct side so, sn;

	compare(o, n, true, &c, &so, &sn);
	CHECK_EQ(c.n, 2);
	CHECK_EQ(count(&c, DIFF_ALTERED), 2);
	x = find(&c, DIFF_ALTERED, NFPROTO_IPV4, 22, 22);
	CHECK(x && x->changed == (DIFF_CH_STATE | DIFF_CH_LISTENER));
	CHECK(x && x->opens == POLICY_SEV_NONE);
	x = find(&c, DIFF_ALTERED, NFPROTO_IPV4, 443, 443);
	CHECK(x && x->changed == DIFF_CH_INTERFACES);
	CHECK_EQ(c.worst, POLICY_SEV_NONE);
	CHECK_STR(diff_change_name(0), "state");
	CHECK_STR(diff_change_name(7), "source_ports");
	CHECK(diff_change_name(DIFF_CH_COUNT) == NULL);
	diff_changes_release(&c);
	side_free(&so);
	side_free(&sn);
}

static void test_sources(void)
{
	static const char *const narrow[] = {
		"ipv4 tcp 443 443 0.0.0.0/0 eth0 open",
		"ipv4 tcp 5432 5432 10.0.0.0/8 eth0 open", NULL,
	};
	static const char *const wide[] = {
		"ipv4 tcp 443 443 0.0.0.0/0 eth0 open",
		"ipv4 tcp 5432 5432 0.0.0.0/0 eth0 open", NULL,
	};
	const struct diff_change *x;
	struct diff_changes c;
	struct side so, sn;
	size_t i;
	bool critical = false;

	/* widening: only what is new opens, judged part by part */
	compare(narrow, wide, true, &c, &so, &sn);
	CHECK_EQ(count(&c, DIFF_CLOSED), 0);
	CHECK_EQ(count(&c, DIFF_ALTERED), 0);
	CHECK(count(&c, DIFF_OPENED) >= 1);
	for (i = 0; i < c.n; i++) {
		x = &c.v[i];
		CHECK_EQ(x->port_lo, 5432);
		/* never 10.0.0.0/8: it was open before */
		CHECK(x->nsources >= 1);
		for (size_t k = 0; k < x->nsources; k++)
			CHECK(x->sources[k].hi < V4(0x0a000000) ||
			      x->sources[k].lo > V4(0x0affffff));
		critical |= x->opens == POLICY_SEV_WARNING;
	}
	CHECK(critical);
	CHECK_EQ(c.worst, POLICY_SEV_WARNING);
	diff_changes_release(&c);
	side_free(&so);
	side_free(&sn);

	/* narrowing: the rest of the address space closes, without a
	 * policy: one change, any except 10.0.0.0/8 */
	compare(wide, narrow, false, &c, &so, &sn);
	CHECK_EQ(c.n, 1);
	x = find(&c, DIFF_CLOSED, NFPROTO_IPV4, 5432, 5432);
	CHECK(x != NULL);
	if (x) {
		CHECK_EQ(x->nsources, 2);
		CHECK(x->sources[0].lo == 0 &&
		      x->sources[0].hi == V4(0x09ffffff));
		CHECK(x->sources[1].lo == V4(0x0b000000) &&
		      x->sources[1].hi == V4(0xffffffff));
		CHECK(x->old_part == NULL);
	}
	CHECK_EQ(c.worst, POLICY_SEV_NONE);
	diff_changes_release(&c);
	side_free(&so);
	side_free(&sn);
}

static void test_families_ranges(void)
{
	static const char *const o[] = {
		"ipv4 tcp 443 443 0.0.0.0/0 eth0 open",
		"ipv4 udp 1000 2000 0.0.0.0/0 eth0 open", NULL,
	};
	static const char *const n[] = {
		"ipv4 tcp 443 443 0.0.0.0/0 eth0 open",
		"ipv6 tcp 443 443 ::/0 eth0 open",
		"ipv6 tcp 6379 6379 2001:db8::/32 eth0 open",
		"ipv4 udp 1000 1200 0.0.0.0/0 eth0 open",
		"ipv4 udp 1201 1500 0.0.0.0/0 eth0 open", NULL,
	};
	const struct diff_change *x;
	struct diff_changes c;
	struct side so, sn;

	compare(o, n, false, &c, &so, &sn);
	/* IPv6 443 and 6379 open; IPv4 443 does not change */
	CHECK_EQ(count(&c, DIFF_OPENED), 2);
	x = find(&c, DIFF_OPENED, NFPROTO_IPV6, 443, 443);
	CHECK(x && x->nsources == 1 && x->sources[0].lo == 0 &&
	      x->sources[0].hi == (rs_u128)-1);
	CHECK(find(&c, DIFF_OPENED, NFPROTO_IPV4, 443, 443) == NULL);
	x = find(&c, DIFF_OPENED, NFPROTO_IPV6, 6379, 6379);
	CHECK(x && x->nsources == 1 &&
	      x->sources[0].lo == ((rs_u128)0x20010db8 << 96));
	/* udp 1501-2000 closes as one range; the rows split at 1200 are
	 * the same probes as before */
	CHECK_EQ(count(&c, DIFF_CLOSED), 1);
	CHECK(find(&c, DIFF_CLOSED, NFPROTO_IPV4, 1501, 2000) != NULL);
	CHECK_EQ(count(&c, DIFF_ALTERED), 0);
	diff_changes_release(&c);
	side_free(&so);
	side_free(&sn);

	/* with the policy: 6379 from 2001:db8::/32 is critical */
	compare(o, n, true, &c, &so, &sn);
	x = find(&c, DIFF_OPENED, NFPROTO_IPV6, 6379, 6379);
	CHECK(x && x->opens == POLICY_SEV_CRITICAL);
	CHECK_EQ(c.worst, POLICY_SEV_CRITICAL);
	diff_changes_release(&c);
	side_free(&so);
	side_free(&sn);
}

static void test_overlap_and_requires(void)
{
	/* one side's rows overlap (two interfaces, other listeners): the
	 * same rows on both sides change nothing */
	static const char *const o[] = {
		"ipv4 tcp 443 443 0.0.0.0/0 eth0 exposed nginx",
		"ipv4 tcp 443 443 10.0.0.0/8 eth1 open", NULL,
	};
	static const char *const n[] = {
		"ipv4 tcp 443 443 10.0.0.0/8 eth1 open",
		"ipv4 tcp 443 443 0.0.0.0/0 eth0 exposed nginx", NULL,
	};
	static const char *const none[] = { NULL };
	struct diff_changes c;
	struct side so, sn;

	compare(o, n, true, &c, &so, &sn);
	CHECK_EQ(c.n, 0);
	diff_changes_release(&c);
	side_free(&so);
	side_free(&sn);

	/* 443 gone: the require is unmet in NEW only */
	compare(o, none, true, &c, &so, &sn);
	CHECK_EQ(c.nmissing_opened, 1);
	CHECK_EQ(c.nmissing_resolved, 0);
	if (c.nmissing_opened)
		CHECK_STR(c.missing_opened[0]->rule.message, "the web");
	CHECK_EQ(c.worst, POLICY_SEV_WARNING);
	diff_changes_release(&c);
	side_free(&so);
	side_free(&sn);
	compare(none, o, true, &c, &so, &sn);
	CHECK_EQ(c.nmissing_opened, 0);
	CHECK_EQ(c.nmissing_resolved, 1);
	diff_changes_release(&c);
	side_free(&so);
	side_free(&sn);
}

/* Many rows: OLD opens ports 1000..3999, NEW the same but every tenth
 * port from 10.0.0.0/8 only and 5000..5099 as one more row.  The sweep
 * keeps this cheap; the changes are exact. */
static void test_many(void)
{
	struct strbuf b = STRBUF_INIT;
	struct side so, sn;
	struct diff_changes c;
	const char **o, **n;
	char **txt;
	size_t i, no = 0, nn = 0;

	o = calloc(3002, sizeof(*o));
	n = calloc(3002, sizeof(*n));
	txt = calloc(6002, sizeof(*txt));
	if (!o || !n || !txt)
		abort();
	for (i = 0; i < 3000; i++) {
		strbuf_addf(&b, "ipv4 tcp %zu %zu 0.0.0.0/0 eth0 open",
			    1000 + i, 1000 + i);
		o[no++] = txt[2 * i] = strbuf_take(&b);
		strbuf_addf(&b, "ipv4 tcp %zu %zu %s eth0 open", 1000 + i,
			    1000 + i, i % 10 ? "0.0.0.0/0" : "10.0.0.0/8");
		n[nn++] = txt[2 * i + 1] = strbuf_take(&b);
	}
	n[nn++] = "ipv4 tcp 5000 5099 0.0.0.0/0 eth0 open";
	compare(o, n, false, &c, &so, &sn);
	CHECK_EQ(count(&c, DIFF_OPENED), 1);
	CHECK(find(&c, DIFF_OPENED, NFPROTO_IPV4, 5000, 5099) != NULL);
	CHECK_EQ(count(&c, DIFF_CLOSED), 300);
	CHECK_EQ(count(&c, DIFF_ALTERED), 0);
	CHECK(find(&c, DIFF_CLOSED, NFPROTO_IPV4, 1010, 1010) != NULL);
	diff_changes_release(&c);
	side_free(&so);
	side_free(&sn);
	for (i = 0; i < 6000; i++)
		free(txt[i]);
	free(txt);
	free(o);
	free(n);
}

/* `--sport 53 -j ACCEPT` fixed: the same ports and sources, but from
 * every source port now */
static void test_sports(void)
{
	static const char row[] =
		"{\"family\":\"ipv4\",\"protocol\":\"udp\",\"ports\":[1,65535],"
		"\"address\":\"*\",\"sources\":[\"0.0.0.0/0\"],%s"
		"\"interfaces\":[\"eth0\"],\"path\":\"local\",\"backend\":null,"
		"\"listener\":null,\"state\":\"open\",\"certainty\":\"definite\","
		"\"unknown\":[]}";
	struct auditload *a = NULL, *b = NULL;
	struct diff_changes c = { 0 };
	struct diff_side sa, sb;
	char buf[1024], r[800], err[256];

	snprintf(r, sizeof(r), row, "\"source_ports\":[[53,53]],");
	snprintf(buf, sizeof(buf), "{\"version\":1,\"exposures\":[%s]}", r);
	CHECK_EQ(auditload_parse(buf, strlen(buf), "a", &a, err, sizeof(err)), 0);
	snprintf(r, sizeof(r), row, "");
	snprintf(buf, sizeof(buf), "{\"version\":1,\"exposures\":[%s]}", r);
	CHECK_EQ(auditload_parse(buf, strlen(buf), "b", &b, err, sizeof(err)), 0);
	if (!a || !b)
		abort();
	CHECK_EQ(a->rows[0].nsports, 1);
	sa = (struct diff_side){ a->rows, a->nrows, NULL };
	sb = (struct diff_side){ b->rows, b->nrows, NULL };
	CHECK_EQ(diff_compare(&sa, &sb, &c), 0);
	CHECK_EQ(c.n, 1);
	CHECK(c.n && c.v[0].kind == DIFF_ALTERED &&
	      c.v[0].changed == DIFF_CH_SOURCE_PORTS &&
	      c.v[0].port_lo == 1 && c.v[0].port_hi == 65535);
	diff_changes_release(&c);
	auditload_free(a);
	auditload_free(b);
}

static void bad_json(const char *text, int want, const char *in_msg)
{
	struct auditload *a = NULL;
	char err[512] = "";
	int ret;

	ret = auditload_parse(text, strlen(text), "saved.json", &a, err,
			      sizeof(err));
	CHECK_EQ(ret, want);
	CHECK(a == NULL);
	if (!strstr(err, in_msg)) {
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err, in_msg);
		CHECK(0);
	}
}

/* replace the last occurrence of what in buf (of 1024 bytes) by with */
static void replace_last(char *buf, const char *what, const char *with)
{
	char tail[1024], *p = NULL, *q;

	for (q = strstr(buf, what); q; q = strstr(q + 1, what))
		p = q;
	if (!p)
		abort();
	snprintf(tail, sizeof(tail), "%s", p + strlen(what));
	snprintf(p, 1024 - (size_t)(p - buf), "%s%s", with, tail);
}

static void test_refused(void)
{
	static const char good_row[] =
		"{\"family\":\"ipv4\",\"protocol\":\"tcp\",\"ports\":[22,22],"
		"\"address\":\"*\",\"sources\":[\"0.0.0.0/0\"],"
		"\"interfaces\":[\"eth0\"],\"path\":\"local\",\"backend\":null,"
		"\"listener\":null,\"state\":\"open\",\"certainty\":\"definite\","
		"\"unknown\":[]}";
	char buf[1024];
	struct auditload *a = NULL;
	char err[512];

	bad_json("{\"version\":1,\"exposures\":[", -EBADMSG, "saved.json:1:");
	bad_json("", -EBADMSG, "not valid JSON");
	bad_json("[]", -EINVAL, "not an object");
	bad_json("{\"exposures\":[]}", -EINVAL, "no \"version\"");
	bad_json("{\"version\":2,\"exposures\":[]}", -EINVAL,
		 "version 2 of the audit JSON is not supported");
	bad_json("{\"version\":1}", -EINVAL, "\"exposures\" is missing");
	bad_json("{\"version\":1,\"exposures\":[{\"family\":\"ipv4\"}]}",
		 -EINVAL, "exposures[0].protocol: missing");
	bad_json("{\"version\":1,\"exposures\":[{\"family\":\"ipx\"}]}",
		 -EINVAL, "exposures[0].family: unknown value \"ipx\"");
	snprintf(buf, sizeof(buf), "{\"version\":1,\"exposures\":[%s,%s]}",
		 good_row, good_row);
	CHECK_EQ(auditload_parse(buf, strlen(buf), "x", &a, err, sizeof(err)), 0);
	CHECK(a && a->nrows == 2);
	auditload_free(a);
	/* a bad value in the second row names it */
	snprintf(buf, sizeof(buf), "{\"version\":1,\"exposures\":[%s,%s]}",
		 good_row, good_row);
	replace_last(buf, "[22,22]", "[30,20]");
	bad_json(buf, -EINVAL, "exposures[1].ports: first 30 beyond last 20");
	snprintf(buf, sizeof(buf), "{\"version\":1,\"exposures\":[%s]}",
		 good_row);
	replace_last(buf, "\"0.0.0.0/0\"", "\"10.0.0.0/33\"");
	bad_json(buf, -EINVAL, "exposures[0].sources: \"10.0.0.0/33\" is not "
		 "an IPv4 prefix");
	snprintf(buf, sizeof(buf), "{\"version\":1,\"exposures\":[%s]}",
		 good_row);
	replace_last(buf, "\"open\"", "\"ajar\"");
	bad_json(buf, -EINVAL, "exposures[0].state: unknown value");
	CHECK(auditload_is_json(" \n{", 3));
	CHECK(!auditload_is_json("*filter", 7));
}

int main(void)
{
	struct policy_error err;
	char path[256];
	FILE *f;

	if (!mkdtemp(tmpdir))
		return 99;
	snprintf(path, sizeof(path), "%s/t.rules", tmpdir);
	f = fopen(path, "w");
	if (!f)
		return 99;
	fputs(policy_text, f);
	fclose(f);
	memset(&err, 0, sizeof(err));
	if (policy_load(path, &pol, &err) < 0) {
		fprintf(stderr, "%s:%u: %s\n", err.file, err.line, err.message);
		return 99;
	}
	test_opened_closed();
	test_altered();
	test_sources();
	test_families_ranges();
	test_overlap_and_requires();
	test_many();
	test_sports();
	test_refused();
	policy_free(pol);
	unlink(path);
	rmdir(tmpdir);
	return unit_done();
}
