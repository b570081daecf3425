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

#include "alerts.h"
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
	/* addresses are read once into the row's intervals: the text
	 * comes back as it went, a text of another family does not */
	snprintf(buf, sizeof(buf), "{\"version\":1,\"exposures\":[%s]}",
		 good_row);
	replace_last(buf, "\"*\"", "\"198.51.100.7,10.0.0.0/8\"");
	replace_last(buf, "null,\"listener\"", "{\"address\":\"172.17.0.2\","
		     "\"ports\":[80,80]},\"listener\"");
	CHECK_EQ(auditload_parse(buf, strlen(buf), "x", &a, err, sizeof(err)), 0);
	if (a && a->nrows == 1) {
		char *t = report_address_str(&a->rows[0]), b[INET6_ADDRSTRLEN];

		CHECK_EQ(a->rows[0].naddrs, 2);
		CHECK_STR(t, "10.0.0.0/8,198.51.100.7");
		free(t);
		CHECK_STR(report_backend_str(&a->rows[0], b, sizeof(b)),
			  "172.17.0.2");
	} else {
		CHECK(!"one row with addresses");
	}
	auditload_free(a);
	snprintf(buf, sizeof(buf), "{\"version\":1,\"exposures\":[%s]}",
		 good_row);
	replace_last(buf, "\"*\"", "\"2001:db8::1\"");
	bad_json(buf, -EINVAL, "exposures[0].address: \"2001:db8::1\" is not "
		 "an IPv4 prefix");
	snprintf(buf, sizeof(buf), "{\"version\":1,\"exposures\":[%s]}",
		 good_row);
	replace_last(buf, "null,\"listener\"", "{\"address\":\"fd00::2\","
		     "\"ports\":[80,80]},\"listener\"");
	bad_json(buf, -EINVAL, "exposures[0].backend.address: \"fd00::2\" is "
		 "not an IPv4 address");
	snprintf(buf, sizeof(buf), "{\"version\":1,\"exposures\":[%s]}",
		 good_row);
	replace_last(buf, "\"open\"", "\"ajar\"");
	bad_json(buf, -EINVAL, "exposures[0].state: unknown value");
	CHECK(auditload_is_json(" \n{", 3));
	CHECK(!auditload_is_json("*filter", 7));
}


/* ---- fwauditd's alerts on the same comparison (alerts.h) ------------ */

/* The policy's `require tcp 443` is unmet in every audit below: its alert
 * opens at the start of each sequence and is counted with the others. */

/* The alerts of a sequence of audits: the first as at the daemon's start,
 * each next one as a change; step() keeps the last audit. */
struct seq {
	struct alerts al;
	struct side last;
	bool started;
	struct diff_events ev;		/* of the last step */
};

static void step(struct seq *q, const char *const *specs)
{
	struct side n;

	diff_events_release(&q->ev);
	side_make(&n, specs, true);
	CHECK_EQ(alerts_update(&q->al, q->started ? &q->last.s : NULL, &n.s,
			       NULL, q->started ? DIFF_CHANGES : DIFF_START,
			       &q->ev), 0);
	if (q->started)
		side_free(&q->last);
	q->last = n;
	q->started = true;
}

static void seq_free(struct seq *q)
{
	diff_events_release(&q->ev);
	alerts_release(&q->al);
	if (q->started)
		side_free(&q->last);
	memset(q, 0, sizeof(*q));
}

/* the one event of kind for family and ports (the label), or NULL */
static const struct event *ev_find(const struct seq *q, enum event_kind k,
				   const char *family, const char *ports)
{
	const struct event *hit = NULL;
	size_t i;

	for (i = 0; i < q->ev.n; i++) {
		const struct event *e = q->ev.ev[i];

		if (e->kind != k || strcmp(event_get_field(e, EVENT_F_FAMILY),
					   family) ||
		    strcmp(event_get_field(e, EVENT_F_PORTS), ports))
			continue;
		CHECK(hit == NULL);
		hit = e;
	}
	return hit;
}

#define FIELD(e, f) ((e) ? event_get_field((e), (f)) : NULL)

static void test_alerts_open_close(void)
{
	static const char *const base[] = {
		"ipv4 tcp 22 22 0.0.0.0/0 eth0 exposed sshd",
		"ipv6 tcp 22 22 ::/0 eth0 exposed sshd", NULL,
	};
	static const char *const both[] = {
		"ipv4 tcp 22 22 0.0.0.0/0 eth0 exposed sshd",
		"ipv6 tcp 22 22 ::/0 eth0 exposed sshd",
		"ipv4 tcp 6379 6379 0.0.0.0/0 eth0 exposed redis",
		"ipv6 tcp 6379 6379 ::/0 eth0 exposed redis",
		"ipv4 tcp 8000 8100 0.0.0.0/0 eth0 open",
		"ipv6 tcp 8000 8100 ::/0 eth0 open", NULL,
	};
	static const char *const v4only[] = {
		"ipv4 tcp 22 22 0.0.0.0/0 eth0 exposed sshd",
		"ipv6 tcp 22 22 ::/0 eth0 exposed sshd",
		"ipv4 tcp 6379 6379 0.0.0.0/0 eth0 exposed redis",
		"ipv4 tcp 8000 8100 0.0.0.0/0 eth0 open", NULL,
	};
	struct diff_events fire = { 0 };
	struct seq q = { 0 };
	const struct event *e;

	step(&q, base);
	CHECK_EQ(q.ev.n, 3);
	e = ev_find(&q, EVENT_STATE_AT_START, "ipv4", "443");
	CHECK(e && strstr(e->message, "a required exposure is missing"));
	e = ev_find(&q, EVENT_STATE_AT_START, "ipv6", "22");
	CHECK_STR(FIELD(e, EVENT_F_LISTENER), "sshd[42]");
	CHECK(e && e->severity == EVENT_SEV_INFO);

	step(&q, both);
	CHECK_EQ(q.ev.n, 4);
	e = ev_find(&q, EVENT_VIOLATION_OPENED, "ipv4", "6379");
	CHECK(e && e->severity == EVENT_SEV_CRITICAL);
	CHECK(e && strstr(e->message, ": Redis"));
	CHECK_STR(FIELD(e, EVENT_F_OPEN_PORTS), "6379");
	e = ev_find(&q, EVENT_VIOLATION_OPENED, "ipv6", "8000-8100");
	CHECK(e && e->severity == EVENT_SEV_WARNING);
	CHECK_STR(FIELD(e, EVENT_F_SOURCES), "::/0");
	CHECK(e && e->field[EVENT_F_RULE] &&
	      strstr(e->field[EVENT_F_RULE], "t.rules:7"));
	CHECK_STR(FIELD(e, EVENT_F_STATE), "open");

	/* IPv6 closes, IPv4 stays: exactly the IPv6 alerts resolve, with
	 * the fields they were opened with, closing first */
	step(&q, v4only);
	CHECK_EQ(q.ev.n, 2);
	e = ev_find(&q, EVENT_VIOLATION_RESOLVED, "ipv6", "6379");
	CHECK(e && e->severity == EVENT_SEV_CRITICAL);
	CHECK_STR(FIELD(e, EVENT_F_PATH), "local");
	CHECK(e && FIELD(e, EVENT_F_OPEN_PORTS) == NULL);
	CHECK(ev_find(&q, EVENT_VIOLATION_RESOLVED, "ipv6", "8000-8100"));

	/* what is still open, re-sent as it was last told */
	CHECK_EQ(alerts_firing(&q.al, &fire), 0);
	CHECK_EQ(fire.n, 5);
	diff_events_release(&fire);

	/* the same audit again: nothing */
	step(&q, v4only);
	CHECK_EQ(q.ev.n, 0);
	step(&q, base);
	CHECK_EQ(q.ev.n, 2);
	CHECK(ev_find(&q, EVENT_VIOLATION_RESOLVED, "ipv4", "6379"));
	CHECK(ev_find(&q, EVENT_VIOLATION_RESOLVED, "ipv4", "8000-8100"));
	CHECK_EQ(q.al.n, 3);
	seq_free(&q);
}

static void test_alerts_ranges(void)
{
	static const char *const whole[] = {
		"ipv4 tcp 8000 8100 0.0.0.0/0 eth0 open", NULL,
	};
	static const char *const split[] = {
		"ipv4 tcp 8000 8040 0.0.0.0/0 eth0 open",
		"ipv4 tcp 8050 8100 0.0.0.0/0 eth0 open", NULL,
	};
	static const char *const halves[] = {
		"ipv4 tcp 8000 8049 0.0.0.0/0 eth0 open",
		"ipv4 tcp 8050 8100 0.0.0.0/0 eth1 open", NULL,
	};
	static const char *const wider[] = {
		"ipv4 tcp 8000 8200 0.0.0.0/0 eth0 open", NULL,
	};
	static const char *const little[] = {
		"ipv4 tcp 8010 8020 0.0.0.0/0 eth0 open", NULL,
	};
	static const char *const none[] = { NULL };
	struct diff_events fire = { 0 };
	struct seq q = { 0 };
	const struct event *e;

	step(&q, whole);
	CHECK_EQ(q.ev.n, 2);
	CHECK(ev_find(&q, EVENT_STATE_AT_START, "ipv4", "8000-8100"));

	/* a partial close changes the alert: same identity, new state */
	step(&q, split);
	CHECK_EQ(q.ev.n, 1);
	e = ev_find(&q, EVENT_VIOLATION_CHANGED, "ipv4", "8000-8100");
	CHECK(e && e->severity == EVENT_SEV_WARNING);
	CHECK_STR(FIELD(e, EVENT_F_OPEN_PORTS), "8000-8040,8050-8100");
	CHECK(e && strstr(e->message, "Policy violation changed (warning): "
			  "tcp/8000-8040,8050-8100 on *"));

	/* reopened whole: changed back, still one alert */
	step(&q, whole);
	CHECK_EQ(q.ev.n, 1);
	e = ev_find(&q, EVENT_VIOLATION_CHANGED, "ipv4", "8000-8100");
	CHECK_STR(FIELD(e, EVENT_F_OPEN_PORTS), "8000-8100");
	CHECK_EQ(q.al.n, 2);

	/* the same probes in two rows (another interface for half): the
	 * probes are the same, the interfaces are news */
	step(&q, halves);
	CHECK_EQ(q.ev.n, 1);
	e = ev_find(&q, EVENT_VIOLATION_CHANGED, "ipv4", "8000-8100");
	CHECK_STR(FIELD(e, EVENT_F_OPEN_PORTS), "8000-8100");
	CHECK_STR(FIELD(e, EVENT_F_INTERFACES), "eth0,eth1");
	step(&q, whole);
	CHECK_EQ(q.ev.n, 1);
	CHECK_STR(FIELD(q.ev.n ? q.ev.ev[0] : NULL, EVENT_F_INTERFACES), "eth0");

	/* wider: what lies beyond the alert's range is an alert of its own */
	step(&q, wider);
	CHECK_EQ(q.ev.n, 1);
	e = ev_find(&q, EVENT_VIOLATION_OPENED, "ipv4", "8101-8200");
	CHECK_STR(FIELD(e, EVENT_F_OPEN_PORTS), "8101-8200");
	CHECK_EQ(q.al.n, 3);

	/* narrowed to a few ports of the first range: that one changes, the
	 * second resolves */
	step(&q, little);
	CHECK_EQ(q.ev.n, 2);
	CHECK_EQ(q.ev.n ? q.ev.ev[0]->kind : EVENT_KIND_COUNT,
		 EVENT_VIOLATION_RESOLVED);
	CHECK(ev_find(&q, EVENT_VIOLATION_RESOLVED, "ipv4", "8101-8200"));
	e = ev_find(&q, EVENT_VIOLATION_CHANGED, "ipv4", "8000-8100");
	CHECK_STR(FIELD(e, EVENT_F_OPEN_PORTS), "8010-8020");
	CHECK_EQ(alerts_firing(&q.al, &fire), 0);
	CHECK_EQ(fire.n, 2);
	e = fire.n == 2 ? fire.ev[1] : NULL;
	CHECK_STR(FIELD(e, EVENT_F_PORTS), "8000-8100");
	CHECK(e && e->kind == EVENT_VIOLATION_OPENED);
	CHECK(e && strstr(e->message,
			       "Policy violation (warning): tcp/8010-8020"));
	diff_events_release(&fire);

	step(&q, none);
	CHECK_EQ(q.ev.n, 1);
	e = ev_find(&q, EVENT_VIOLATION_RESOLVED, "ipv4", "8000-8100");
	CHECK(e && strstr(e->message, "Policy violation resolved: "
			  "tcp/8000-8100 on * (ipv4, local, open)"));
	CHECK_EQ(q.al.n, 1);
	seq_free(&q);

	/* two rows that touch open one alert; merged into one row by the
	 * next ruleset, nothing changes */
	step(&q, none);
	step(&q, (const char *const[]){
		"ipv4 tcp 8000 8040 0.0.0.0/0 eth0 open",
		"ipv4 tcp 8041 8100 0.0.0.0/0 eth0 open", NULL });
	CHECK_EQ(q.ev.n, 1);
	CHECK(ev_find(&q, EVENT_VIOLATION_OPENED, "ipv4", "8000-8100"));
	step(&q, whole);
	CHECK_EQ(q.ev.n, 0);
	seq_free(&q);
}

/* The rows retold are only those of the ports of the alerts a change met
 * (alerts.c, struct cwant): untouched alerts of other ports stay as they
 * were; two touched alerts whose ranges overlap (one per family) are both
 * told from all of their rows. */
static void test_alerts_touched_ports(void)
{
	static const char *const before[] = {
		"ipv4 tcp 22 22 0.0.0.0/0 eth0 exposed sshd",
		"ipv4 tcp 8000 8100 0.0.0.0/0 eth0 open",
		"ipv6 tcp 8050 8200 ::/0 eth0 open",
		"ipv4 tcp 9000 9000 0.0.0.0/0 eth0 exposed redis", NULL,
	};
	static const char *const after[] = {
		"ipv4 tcp 22 22 0.0.0.0/0 eth0 exposed sshd",
		"ipv4 tcp 8000 8040 0.0.0.0/0 eth0 open",
		"ipv4 tcp 8060 8100 0.0.0.0/0 eth0 open",
		"ipv6 tcp 8050 8099 ::/0 eth0 open",
		"ipv6 tcp 8101 8200 ::/0 eth0 open",
		"ipv4 tcp 9000 9000 0.0.0.0/0 eth0 exposed redis", NULL,
	};
	struct seq q = { 0 };
	const struct event *e;

	step(&q, before);
	CHECK_EQ(q.ev.n, 5);
	step(&q, after);
	CHECK_EQ(q.ev.n, 2);
	e = ev_find(&q, EVENT_VIOLATION_CHANGED, "ipv4", "8000-8100");
	CHECK_STR(FIELD(e, EVENT_F_OPEN_PORTS), "8000-8040,8060-8100");
	e = ev_find(&q, EVENT_VIOLATION_CHANGED, "ipv6", "8050-8200");
	CHECK_STR(FIELD(e, EVENT_F_OPEN_PORTS), "8050-8099,8101-8200");
	step(&q, before);
	CHECK_EQ(q.ev.n, 2);
	e = ev_find(&q, EVENT_VIOLATION_CHANGED, "ipv6", "8050-8200");
	CHECK_STR(FIELD(e, EVENT_F_OPEN_PORTS), "8050-8200");
	CHECK_EQ(q.al.n, 5);
	seq_free(&q);
}

static void test_alerts_sources(void)
{
	static const char *const narrow[] = {
		"ipv4 tcp 9000 9000 198.51.100.0/24 eth0 open",
		"ipv6 tcp 9000 9000 2001:db8::/32 eth0 open",
		"ipv4 tcp 5432 5432 10.1.0.0/16 eth0 open", NULL,
	};
	static const char *const wide[] = {
		"ipv4 tcp 9000 9000 198.51.100.0/24,203.0.113.0/24 eth0 open",
		"ipv6 tcp 9000 9000 2001:db8::/32,2001:db9::/32 eth0 open",
		"ipv4 tcp 5432 5432 10.0.0.0/8,203.0.113.0/24 eth0 open", NULL,
	};
	struct seq q = { 0 };
	const struct event *e;

	step(&q, narrow);
	CHECK_EQ(q.ev.n, 4);
	e = ev_find(&q, EVENT_STATE_AT_START, "ipv4", "5432");
	CHECK(e && e->severity == EVENT_SEV_INFO);	/* allowed */

	/* sources grow: each alert changes, nothing opens or resolves;
	 * 5432 from beyond 10.0.0.0/8 is a violation of its own */
	step(&q, wide);
	e = ev_find(&q, EVENT_VIOLATION_CHANGED, "ipv4", "9000");
	CHECK_STR(FIELD(e, EVENT_F_SOURCES), "198.51.100.0/24,203.0.113.0/24");
	e = ev_find(&q, EVENT_VIOLATION_CHANGED, "ipv6", "9000");
	CHECK_STR(FIELD(e, EVENT_F_SOURCES), "2001:db8::/31");
	e = ev_find(&q, EVENT_EXPOSURE_CHANGED, "ipv4", "5432");
	CHECK_STR(FIELD(e, EVENT_F_SOURCES), "10.0.0.0/8");
	e = ev_find(&q, EVENT_VIOLATION_OPENED, "ipv4", "5432");
	CHECK_STR(FIELD(e, EVENT_F_SOURCES), "203.0.113.0/24");
	CHECK_EQ(q.ev.n, 4);

	/* and shrink again */
	step(&q, narrow);
	CHECK_EQ(q.ev.n, 4);
	CHECK_EQ(q.ev.n ? q.ev.ev[0]->kind : EVENT_KIND_COUNT,
		 EVENT_VIOLATION_RESOLVED);
	e = ev_find(&q, EVENT_VIOLATION_RESOLVED, "ipv4", "5432");
	CHECK_STR(FIELD(e, EVENT_F_SOURCES), "203.0.113.0/24");
	e = ev_find(&q, EVENT_VIOLATION_CHANGED, "ipv6", "9000");
	CHECK_STR(FIELD(e, EVENT_F_SOURCES), "2001:db8::/32");
	e = ev_find(&q, EVENT_EXPOSURE_CHANGED, "ipv4", "5432");
	CHECK_STR(FIELD(e, EVENT_F_SOURCES), "10.1.0.0/16");
	seq_free(&q);
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
	test_alerts_open_close();
	test_alerts_ranges();
	test_alerts_touched_ports();
	test_alerts_sources();
	policy_free(pol);
	unlink(path);
	rmdir(tmpdir);
	return unit_done();
}
