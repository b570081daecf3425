// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_daemon.c - fwauditd's pieces that need no kernel: the configuration
 * parser, the diff of two results into events, the Prometheus textfile.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netfilter.h>

#include "daemon_config.h"
#include "alerts.h"
#include "diff.h"
#include "prom.h"
#include "unit.h"

static char tmpdir[] = "/tmp/test_daemon.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_config(void)
{
	struct daemon_config c;
	struct daemon_config_error err;
	const char *p;
	char *url = NULL;
	int ret;

	p = write_file("ok.conf",
		       "# comment\n"
		       "\n"
		       "rules = /etc/fwaudit/x.rules\n"
		       "interfaces = eth0, ens3\n"
		       "debounce_ms = 20\n"
		       "webhook_url = https://h.example/hook?token=s#frag\n"
		       "webhook_format = alertmanager\n"
		       "tls_verify = no\n"
		       "spool_overflow = drop-newest\n"
		       "docker = no\n");
	ret = daemon_config_load(p, false, &c, &err);
	CHECK_EQ(ret, 0);
	if (ret == 0) {
		CHECK_STR(c.rules, "/etc/fwaudit/x.rules");
		CHECK_EQ(c.nifaces, 2);
		CHECK_STR(c.ifaces[1], "ens3");
		CHECK_EQ(c.debounce_ms, 20);
		CHECK_EQ(c.max_delay_ms, 1000);
		CHECK_EQ(c.poll_ms, 2000);
		CHECK_EQ(c.webhook_format, WEBHOOK_FORMAT_ALERTMANAGER);
		CHECK(c.tls_no_verify);
		CHECK(!c.docker);
		CHECK_EQ(c.spool_overflow, SPOOL_DROP_NEWEST);
		CHECK_STR(c.user, "fwaudit");
		CHECK_STR(c.spool_dir, SPOOL_DEFAULT_DIR);
		/* a '#' inside a value is not a comment */
		CHECK_STR(c.webhook_url, "https://h.example/hook?token=s#frag");
		CHECK_EQ(daemon_config_webhook_url(&c, &url), 0);
		CHECK_STR(url, c.webhook_url);
		free(url);
		daemon_config_release(&c);
	}

	p = write_file("bad.conf", "rules = /x\n\nfoo = 1\n");
	CHECK_EQ(daemon_config_load(p, false, &c, &err), -EINVAL);
	CHECK(strstr(err.message, "bad.conf:3: unknown key 'foo'") != NULL);

	p = write_file("dup.conf", "debounce_ms = 1\ndebounce_ms = 2\n");
	CHECK_EQ(daemon_config_load(p, false, &c, &err), -EINVAL);
	CHECK(strstr(err.message, "dup.conf:2: 'debounce_ms' is set twice") != NULL);

	p = write_file("range.conf", "debounce_ms = 0\n");
	CHECK(daemon_config_load(p, false, &c, &err) < 0);
	CHECK(strstr(err.message, "range.conf:1: debounce_ms:") != NULL);

	p = write_file("noeq.conf", "rules /x\n");
	CHECK_EQ(daemon_config_load(p, false, &c, &err), -EINVAL);
	CHECK(strstr(err.message, "noeq.conf:1: expected 'key = value'") != NULL);

	/* a bad value is never echoed: it may be a secret */
	p = write_file("fmt.conf", "webhook_format = s3cr3t-canary\n");
	CHECK_EQ(daemon_config_load(p, false, &c, &err), -EINVAL);
	CHECK(strstr(err.message, "s3cr3t-canary") == NULL);

	p = write_file("both.conf", "webhook_url = http://a/\nwebhook_url_file = /x\n");
	CHECK_EQ(daemon_config_load(p, false, &c, &err), -EINVAL);

	p = write_file("delay.conf", "debounce_ms = 500\nmax_delay_ms = 100\n");
	CHECK_EQ(daemon_config_load(p, false, &c, &err), -EINVAL);

	/* missing: defaults only when allowed */
	CHECK_EQ(daemon_config_load("/nonexistent/fwauditd.conf", true, &c,
				    &err), 0);
	CHECK_EQ(c.debounce_ms, 50);
	daemon_config_release(&c);
	CHECK_EQ(daemon_config_load("/nonexistent/fwauditd.conf", false, &c,
				    &err), -ENOENT);

	/* the URL from a file: first line, trimmed */
	p = write_file("url", "  https://h.example/t0k3n  \nsecond line\n");
	daemon_config_init(&c);
	c.webhook_url_file = strdup(p);
	url = NULL;
	CHECK_EQ(daemon_config_webhook_url(&c, &url), 0);
	CHECK_STR(url, "https://h.example/t0k3n");
	free(url);
	daemon_config_release(&c);
}

/* ---- hand-made results ------------------------------------------------ */

static struct rs_interval src_any[] = { { 0, 0xffffffffu } };
static char *if_eth0[] = { "eth0" };

struct fake {
	struct audit_result r;
	struct report rep;
	struct report_row rows[4];
	struct policy_result pr;
	struct policy_verdict verdicts[4];
	struct policy_part parts[4];
	struct policy_violation viol[4];
	struct host_listener listener;
};

static void fake_row(struct fake *f, size_t i, uint16_t port, bool allowed,
		     enum policy_severity sev)
{
	struct report_row *row = &f->rows[i];

	row->family = NFPROTO_IPV4;
	row->proto = IPPROTO_TCP;
	row->port_lo = row->port_hi = port;
	row->nsources = 1;
	row->sources = src_any;
	row->nifaces = 1;
	row->ifaces = if_eth0;
	row->path = ENGINE_LOCAL;
	row->state = ENGINE_OPEN;
	f->parts[i].port_lo = f->parts[i].port_hi = port;
	f->parts[i].nsources = 1;
	f->parts[i].sources = src_any;
	f->parts[i].allowed = allowed;
	f->parts[i].severity = sev;
	f->parts[i].rule.file = "/etc/fwaudit/t.rules";
	f->parts[i].rule.line = (unsigned int)(10 + i);
	f->parts[i].rule.message = allowed ? NULL : "not here";
	f->verdicts[i].allowed = allowed;
	f->verdicts[i].severity = sev;
	f->verdicts[i].nparts = 1;
	f->verdicts[i].parts = &f->parts[i];
	f->verdicts[i].decisive = &f->parts[i];
	if (!allowed) {
		struct policy_violation *v = &f->viol[f->pr.nviolations++];

		v->kind = POLICY_V_EXPOSURE;
		v->severity = sev;
		v->rule = f->parts[i].rule;
		v->row = i;
		v->part = &f->parts[i];
	}
	f->rep.nrows = i + 1;
	f->pr.nrows = i + 1;
}

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->rep.rows = f->rows;
	f->pr.rows = f->verdicts;
	f->pr.violations = f->viol;
	f->r.report = &f->rep;
	f->r.verdicts = &f->pr;
	f->r.duration_usec = 1500;
}

static const struct event *find(const struct diff_events *d,
				enum event_kind k, const char *ports)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->ev[i]->kind == k &&
		    !strcmp(event_get_field(d->ev[i], EVENT_F_PORTS), ports))
			return d->ev[i];
	return NULL;
}

/* `user =` naming nobody is an error with its line; the default user may
 * be missing (the daemon then stays root with only its capabilities). */
static void test_config_user(void)
{
	struct daemon_config c;
	struct daemon_config_error err;
	const char *p;

	p = write_file("typo.conf", "docker = no\n"
		       "user = fwaudit-no-such-user-test\n");
	CHECK_EQ(daemon_config_load(p, false, &c, &err), 0);
	CHECK_EQ(c.user_line, 2);
	CHECK_EQ(daemon_config_check_user(&c, p, &err), -ESRCH);
	CHECK(strstr(err.message, "typo.conf:2: user "
		     "'fwaudit-no-such-user-test' does not exist") != NULL);
	daemon_config_release(&c);

	p = write_file("root.conf", "user = root\n");
	CHECK_EQ(daemon_config_load(p, false, &c, &err), 0);
	CHECK_EQ(daemon_config_check_user(&c, p, &err), 0);
	daemon_config_release(&c);

	CHECK_EQ(daemon_config_init(&c), 0);
	CHECK_EQ(c.user_line, 0);
	c.user[0] = 'X';	/* "Xwaudit": surely no such user */
	CHECK_EQ(daemon_config_check_user(&c, "x.conf", &err), 0);
	daemon_config_release(&c);
}

static struct diff_side side_of(const struct fake *f)
{
	return (struct diff_side){ f->rows, f->rep.nrows, &f->pr };
}

/* the events of the change a -> b, told by the alerts opened for a */
static int told(const struct fake *a, const struct fake *b,
		struct diff_events *d)
{
	struct diff_side sa = side_of(a), sb = side_of(b);
	struct diff_events s = { 0 };
	struct alerts al = { 0 };
	int ret;

	ret = alerts_update(&al, NULL, &sa, NULL, DIFF_START, &s);
	if (!ret)
		ret = alerts_update(&al, &sa, &sb, NULL, DIFF_CHANGES, d);
	diff_events_release(&s);
	alerts_release(&al);
	return ret;
}

static void test_diff(void)
{
	struct alerts al = { 0 };
	struct diff_side sa;
	struct fake a, b;
	struct diff_events d = { 0 };
	const struct event *ev;
	char buf[8192];
	FILE *f;
	struct prom_status st = { .success = true, .last_audit_usec = 1000000,
				  .dropped_overflow = 3, .spool_entries = 2,
				  .daemon = true, .heartbeat_usec = 2500000 };

	fake_init(&a);
	fake_row(&a, 0, 22, true, POLICY_SEV_NONE);
	fake_row(&a, 1, 6379, false, POLICY_SEV_CRITICAL);

	sa = side_of(&a);
	CHECK_EQ(alerts_update(&al, NULL, &sa, NULL, DIFF_START, &d), 0);
	CHECK_EQ(d.n, 2);
	ev = find(&d, EVENT_STATE_AT_START, "22");
	CHECK(ev && ev->severity == EVENT_SEV_INFO);
	if (ev) {
		CHECK_STR(event_get_field(ev, EVENT_F_RULE), "/etc/fwaudit/t.rules:10");
		CHECK_STR(event_get_field(ev, EVENT_F_STATE), "open");
		CHECK_STR(event_get_field(ev, EVENT_F_INTERFACES), "eth0");
	}
	ev = find(&d, EVENT_STATE_AT_START, "6379");
	CHECK(ev && ev->severity == EVENT_SEV_CRITICAL);
	if (ev)
		CHECK(strstr(ev->message, "not here") != NULL);
	diff_events_release(&d);

	/* the same state: nothing */
	CHECK_EQ(told(&a, &a, &d), 0);
	CHECK_EQ(d.n, 0);
	diff_events_release(&d);

	/* 6379 closed, 8080 opened (allowed); closing first */
	fake_init(&b);
	fake_row(&b, 0, 22, true, POLICY_SEV_NONE);
	fake_row(&b, 1, 8080, true, POLICY_SEV_NONE);
	CHECK_EQ(told(&a, &b, &d), 0);
	CHECK_EQ(d.n, 2);
	if (d.n == 2) {
		CHECK_EQ(d.ev[0]->kind, EVENT_VIOLATION_RESOLVED);
		CHECK_EQ(d.ev[0]->severity, EVENT_SEV_CRITICAL);
		CHECK_STR(event_get_field(d.ev[0], EVENT_F_PORTS), "6379");
		CHECK_STR(event_get_field(d.ev[0], EVENT_F_FAMILY), "ipv4");
		CHECK_STR(event_get_field(d.ev[0], EVENT_F_PATH), "local");
		CHECK_EQ(d.ev[1]->kind, EVENT_EXPOSURE_OPENED);
		CHECK_STR(event_get_field(d.ev[1], EVENT_F_PORTS), "8080");
	}
	diff_events_release(&d);

	/* a listener that restarts (new pid) is the same exposure; another
	 * program on the port is not */
	b = a;
	fake_init(&b);
	fake_row(&b, 0, 22, true, POLICY_SEV_NONE);
	fake_row(&b, 1, 6379, false, POLICY_SEV_CRITICAL);
	a.listener.family = AF_INET;
	a.listener.protocol = IPPROTO_TCP;
	a.listener.port = 22;
	a.listener.pid = 100;
	a.listener.comm = "sshd";
	a.rows[0].listener = &a.listener;
	a.rows[0].state = ENGINE_EXPOSED;
	b.listener = a.listener;
	b.listener.pid = 200;
	b.rows[0].listener = &b.listener;
	b.rows[0].state = ENGINE_EXPOSED;
	CHECK_EQ(told(&a, &b, &d), 0);
	CHECK_EQ(d.n, 0);
	diff_events_release(&d);
	b.listener.comm = "dropbear";
	CHECK_EQ(told(&a, &b, &d), 0);
	CHECK_EQ(d.n, 2);
	if (d.n == 2) {
		CHECK_EQ(d.ev[0]->kind, EVENT_EXPOSURE_CLOSED);
		CHECK_STR(event_get_field(d.ev[0], EVENT_F_LISTENER), "sshd[100]");
		CHECK_STR(event_get_field(d.ev[1], EVENT_F_LISTENER), "dropbear[200]");
	}
	diff_events_release(&d);

	/* a reload that changes only the policy: the violation resolves and
	 * the exposure is reported as allowed */
	fake_init(&b);
	fake_row(&b, 0, 22, true, POLICY_SEV_NONE);
	fake_row(&b, 1, 6379, true, POLICY_SEV_NONE);
	b.rows[0].listener = &a.listener;
	b.rows[0].state = ENGINE_EXPOSED;
	CHECK_EQ(told(&a, &b, &d), 0);
	CHECK(find(&d, EVENT_VIOLATION_RESOLVED, "6379") != NULL);
	CHECK(find(&d, EVENT_EXPOSURE_OPENED, "6379") != NULL);
	CHECK_EQ(d.n, 2);
	diff_events_release(&d);

	/* re-sent alerts: everything open, as opened events */
	CHECK_EQ(alerts_firing(&al, &d), 0);
	CHECK(find(&d, EVENT_VIOLATION_OPENED, "6379") != NULL);
	CHECK(find(&d, EVENT_EXPOSURE_OPENED, "22") != NULL);
	CHECK_EQ(d.n, 2);
	diff_events_release(&d);
	alerts_release(&al);

	CHECK_EQ(diff_nexposures(&a.r), 2);
	CHECK_EQ(diff_nviolations(&a.r), 1);

	f = fmemopen(buf, sizeof(buf), "w");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(prom_print(f, &a.r, &st), 0);
		fclose(f);
		CHECK(strstr(buf, "fwaudit_violations{severity=\"critical\"} 1\n"));
		CHECK(strstr(buf, "fwaudit_exposures{state=\"open\",certainty=\"definite\",protocol=\"tcp\",family=\"ipv4\"} 1\n"));
		CHECK(strstr(buf, "fwaudit_exposures{state=\"exposed\",certainty=\"definite\",protocol=\"tcp\",family=\"ipv4\"} 1\n"));
		CHECK(strstr(buf, "fwaudit_exposures{state=\"open\",certainty=\"definite\",protocol=\"udp\",family=\"ipv6\"} 0\n"));
		CHECK(strstr(buf, "fwaudit_audit_success 1\n"));
		CHECK(strstr(buf, "fwaudit_audit_duration_seconds 0.001500\n"));
		CHECK(strstr(buf, "fwaudit_alerts_dropped_total{reason=\"overflow\"} 3\n"));
		CHECK(strstr(buf, "fwaudit_spool_entries 2\n"));
		CHECK(strstr(buf, "fwaudit_daemon_heartbeat_timestamp_seconds 2.500\n"));
	}
}

static void test_prom_file(void)
{
	struct prom_status st = { 0 };
	char path[256], line[256];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "%s/fwaudit.prom", tmpdir);
	CHECK_EQ(prom_write_textfile(path, NULL, &st), 0);
	f = fopen(path, "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f))
		found |= !strcmp(line, "fwaudit_audit_success 0\n");
	if (f)
		fclose(f);
	CHECK(found);
	CHECK_EQ(prom_write_textfile("/nonexistent/dir/x.prom", NULL, &st),
		 -ENOENT);
	unlink(path);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_config();
	test_config_user();
	test_diff();
	test_prom_file();
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return unit_done();
}
