// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_sinks.c - the alert sinks without a network: SHA-256/HMAC against
 * FIPS 180-2 and RFC 4231, base64 against RFC 4648, the Standard Webhooks
 * signature against the spec's example, events, journal fields, webhook
 * payloads and result classification, and the spool (order, retries,
 * overflow, crash leftovers, reopen).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base64.h"
#include "event.h"
#include "journal.h"
#include "sha256.h"
#include "spool.h"
#include "webhook.h"
#include "unit.h"
#include "util.h"

static void hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void check_sha(const void *data, size_t len, const char *want)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	char h[2 * SHA256_DIGEST_SIZE + 1];

	sha256(data, len, d);
	hex(d, sizeof(d), h);
	CHECK_STR(h, want);
}

static void check_hmac(const void *key, size_t klen, const void *data,
		       size_t len, const char *want)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	char h[2 * SHA256_DIGEST_SIZE + 1];

	hmac_sha256(key, klen, data, len, d);
	hex(d, sizeof(d), h);
	CHECK_STR(h, want);
}

static void test_sha256(void)
{
	static const char *abc56 =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t one[SHA256_DIGEST_SIZE], inc[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	uint8_t k[131], d[50];
	char *million;
	size_t off, step;

	/* FIPS 180-2 appendix B */
	check_sha("", 0,
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_sha("abc", 3,
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_sha(abc56, strlen(abc56),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	million = malloc(1000000);
	CHECK(million != NULL);
	if (!million)
		return;
	memset(million, 'a', 1000000);
	check_sha(million, 1000000,
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* any split of the input gives the same digest (block boundaries) */
	sha256(million, 1000, one);
	for (step = 1; step < 130; step += 7) {
		sha256_init(&ctx);
		for (off = 0; off < 1000; off += step)
			sha256_update(&ctx, million + off,
				      off + step > 1000 ? 1000 - off : step);
		sha256_final(&ctx, inc);
		CHECK(memcmp(one, inc, sizeof(one)) == 0);
	}
	free(million);

	/* RFC 4231 test cases 1, 2, 3, 6, 7 */
	memset(k, 0x0b, 20);
	check_hmac(k, 20, "Hi There", 8,
		   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	check_hmac("Jefe", 4, "what do ya want for nothing?", 28,
		   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(k, 0xaa, sizeof(k));
	memset(d, 0xdd, sizeof(d));
	check_hmac(k, 20, d, 50,
		   "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
	check_hmac(k, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
		   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	check_hmac(k, 131,
		   "This is a test using a larger than block-size key and a larger "
		   "than block-size data. The key needs to be hashed before being "
		   "used by the HMAC algorithm.", 152,
		   "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

static void test_base64(void)
{
	static const char *const plain[] = {
		"", "f", "fo", "foo", "foob", "fooba", "foobar",
	};
	static const char *const enc[] = {
		"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy",
	};
	static const char *const bad[] = {
		"Zg=", "Z===", "Zm9v!", "Zg==Zg==", "Zm9", "=Zm9", "Zm=v",
	};
	char out[64];
	uint8_t raw[64];
	size_t i, n;

	/* RFC 4648 section 10 */
	for (i = 0; i < ARRAY_SIZE(plain); i++) {
		CHECK_EQ(base64_encode(plain[i], strlen(plain[i]), out,
				       sizeof(out)), strlen(enc[i]));
		CHECK_STR(out, enc[i]);
		n = 99;
		CHECK_EQ(base64_decode(enc[i], strlen(enc[i]), raw, sizeof(raw),
				       &n), 0);
		CHECK_EQ(n, strlen(plain[i]));
		CHECK(memcmp(raw, plain[i], n) == 0);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(base64_decode(bad[i], strlen(bad[i]), raw, sizeof(raw),
				       &n), -EINVAL);
	CHECK_EQ(base64_decode("Zm9v\nYmFy\n", 10, raw, sizeof(raw), &n), 0);
	CHECK_EQ(n, 6);
	CHECK_EQ(base64_decode("Zm9vYmFy", 8, raw, 5, &n), -ENOSPC);
	CHECK_EQ(base64_encode("foobar", 6, out, 8), -ENOSPC);
	CHECK_EQ(base64_encode("foobar", 6, out, 9), 8);
}

static char tmpdir[] = "/tmp/test_sinks.XXXXXX";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void test_signature(void)
{
	/* The example of the Standard Webhooks spec (also in its reference
	 * libraries' tests); python3 agrees:
	 *   k = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	 *   base64.b64encode(hmac.new(k, b'msg_p5jXN8AQM9LWM0D4loKWxJek.'
	 *       b'1614265330.{"test": 2432232314}', hashlib.sha256).digest())
	 */
	static const char *body = "{\"test\": 2432232314}";
	struct webhook_secret *s = NULL, *raw = NULL;
	char path[256], sig[WEBHOOK_SIGNATURE_SIZE], sig2[WEBHOOK_SIGNATURE_SIZE];

	snprintf(path, sizeof(path), "%s/secret", tmpdir);
	write_file(path, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
	CHECK_EQ(webhook_secret_load(path, &s), 0);
	if (!s)
		return;
	CHECK_EQ(webhook_sign(s, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
			      body, strlen(body), sig, sizeof(sig)), 0);
	CHECK_STR(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	CHECK_EQ(webhook_sign(s, "x", 1, "", 0, sig, 20), -ENOSPC);

	/* without the prefix the file's bytes are the key */
	snprintf(path, sizeof(path), "%s/secret-raw", tmpdir);
	write_file(path, "plain key  \r\n");
	CHECK_EQ(webhook_secret_load(path, &raw), 0);
	if (raw) {
		CHECK_EQ(webhook_sign(raw, "id", 5, "b", 1, sig, sizeof(sig)), 0);
		webhook_secret_free(raw);
		raw = NULL;
		CHECK_EQ(webhook_secret_new("plain key", 9, &raw), 0);
		CHECK_EQ(webhook_sign(raw, "id", 5, "b", 1, sig2, sizeof(sig2)), 0);
		CHECK_STR(sig, sig2);
	}
	webhook_secret_free(raw);
	raw = NULL;

	/* $CREDENTIALS_DIRECTORY/webhook-secret when no path is given */
	unsetenv("CREDENTIALS_DIRECTORY");
	CHECK_EQ(webhook_secret_load(NULL, &raw), -ENOENT);
	snprintf(path, sizeof(path), "%s/" WEBHOOK_CREDENTIAL_NAME, tmpdir);
	write_file(path, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
	setenv("CREDENTIALS_DIRECTORY", tmpdir, 1);
	CHECK_EQ(webhook_secret_load(NULL, &raw), 0);
	unsetenv("CREDENTIALS_DIRECTORY");
	if (raw) {
		CHECK_EQ(webhook_sign(raw, "msg_p5jXN8AQM9LWM0D4loKWxJek",
				      1614265330, body, strlen(body), sig2,
				      sizeof(sig2)), 0);
		CHECK_STR(sig2, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	}
	webhook_secret_free(raw);
	raw = NULL;

	snprintf(path, sizeof(path), "%s/secret-empty", tmpdir);
	write_file(path, "\n");
	CHECK_EQ(webhook_secret_load(path, &raw), -EINVAL);
	write_file(path, "whsec_not*base64");
	CHECK_EQ(webhook_secret_load(path, &raw), -EINVAL);
	snprintf(path, sizeof(path), "%s/no-such-file", tmpdir);
	CHECK_EQ(webhook_secret_load(path, &raw), -ENOENT);
	CHECK(raw == NULL);
	webhook_secret_free(s);
}

static struct event *sample_event(enum event_kind kind)
{
	struct event *ev = NULL;

	CHECK_EQ(event_new(kind, EVENT_SEV_CRITICAL,
			   "tcp/6379 on 0.0.0.0 is reachable from anywhere",
			   &ev), 0);
	if (!ev)
		abort();
	CHECK_EQ(event_set_field(ev, EVENT_F_FAMILY, "ipv4"), 0);
	CHECK_EQ(event_set_field(ev, EVENT_F_PROTOCOL, "tcp"), 0);
	CHECK_EQ(event_set_fieldf(ev, EVENT_F_PORTS, "%u", 6379u), 0);
	CHECK_EQ(event_set_field(ev, EVENT_F_ADDRESS, "0.0.0.0"), 0);
	CHECK_EQ(event_set_field(ev, EVENT_F_SOURCES, "0.0.0.0/0"), 0);
	CHECK_EQ(event_set_field(ev, EVENT_F_PATH, "forward"), 0);
	CHECK_EQ(event_set_field(ev, EVENT_F_BACKEND,
				 "172.17.0.2:6379 (container redis)"), 0);
	CHECK_EQ(event_set_field(ev, EVENT_F_RULE,
				 "/etc/fwaudit/rules.d/db.rules:3"), 0);
	CHECK_EQ(event_set_field(ev, EVENT_F_FIX,
				 "iptables -I DOCKER-USER -p tcp -m conntrack "
				 "--ctorigdstport 6379 -j DROP\nline two"), 0);
	CHECK_EQ(event_set_field(ev, EVENT_F_LISTENER, ""), 0);
	return ev;
}

static void test_event(void)
{
	struct event *ev, *back = NULL;
	json_t *j = NULL, *bad;
	char *text, *big;
	unsigned int i;
	enum event_kind k;

	ev = sample_event(EVENT_VIOLATION_OPENED);
	CHECK_EQ(strlen(ev->id), EVENT_ID_LEN);
	CHECK(ev->time_usec > 1500000000ull * 1000000ull);
	CHECK(ev->field[EVENT_F_LISTENER] == NULL);
	CHECK(ev->field[EVENT_F_INTERFACES] == NULL);

	CHECK_EQ(event_to_json(ev, &j), 0);
	text = json_dumps(j, JSON_COMPACT);
	CHECK(text != NULL);
	/* stable key order */
	CHECK(text && strncmp(text, "{\"version\":1,\"id\":\"", 19) == 0);
	CHECK(text && strstr(text, "\",\"kind\":\"violation_opened\",\"time\":\""));
	CHECK(text && strstr(text, "\"severity\":\"critical\",\"message\":"));
	CHECK(text && strstr(text, "\"family\":\"ipv4\",\"protocol\":\"tcp\",\"ports\":\"6379\",\"address\":\"0.0.0.0\""));
	CHECK(text && !strstr(text, "listener"));
	free(text);

	CHECK_EQ(event_from_json(j, &back), 0);
	if (back) {
		CHECK_STR(back->id, ev->id);
		CHECK_EQ(back->kind, ev->kind);
		CHECK_EQ(back->severity, ev->severity);
		CHECK_EQ(back->time_usec, ev->time_usec);
		CHECK_STR(back->message, ev->message);
		for (i = 0; i < EVENT_F_COUNT; i++) {
			if (!ev->field[i])
				CHECK(back->field[i] == NULL);
			else
				CHECK_STR(back->field[i], ev->field[i]);
		}
	}
	event_free(back);
	back = NULL;

	/* malformed input is refused and nothing is written */
	bad = json_deep_copy(j);
	json_object_set_new(bad, "id", json_string("not-hex"));
	CHECK_EQ(event_from_json(bad, &back), -EINVAL);
	json_object_set_new(bad, "id", json_string(ev->id));
	json_object_set_new(bad, "kind", json_string("exposure_sneezed"));
	CHECK_EQ(event_from_json(bad, &back), -EINVAL);
	json_object_set_new(bad, "kind", json_string("exposure_opened"));
	json_object_set_new(bad, "ports", json_integer(6379));
	CHECK_EQ(event_from_json(bad, &back), -EINVAL);
	big = malloc(EVENT_FIELD_MAX + 2);
	if (big) {
		memset(big, 'x', EVENT_FIELD_MAX + 1);
		big[EVENT_FIELD_MAX + 1] = '\0';
		json_object_set_new(bad, "ports", json_string(big));
		CHECK_EQ(event_from_json(bad, &back), -EINVAL);
		CHECK_EQ(event_set_field(ev, EVENT_F_FIX, big), -EINVAL);
		CHECK(ev->field[EVENT_F_FIX] != NULL);
		free(big);
	}
	json_object_del(bad, "ports");
	json_object_set_new(bad, "future_key", json_true());
	CHECK_EQ(event_from_json(bad, &back), 0);
	CHECK(back && back->field[EVENT_F_PORTS] == NULL);
	event_free(back);
	json_decref(bad);
	json_decref(j);

	for (i = 0; i < EVENT_KIND_COUNT; i++) {
		CHECK_EQ(event_kind_from_name(event_kind_name(i), &k), 0);
		CHECK_EQ(k, i);
	}
	CHECK(event_kind_name(EVENT_KIND_COUNT) == NULL);
	CHECK_EQ(event_new(EVENT_KIND_COUNT, EVENT_SEV_INFO, "x", &back), -EINVAL);
	CHECK_EQ(event_new(EVENT_AUDIT_FAILED, EVENT_SEV_INFO, NULL, &back), -EINVAL);
	event_free(NULL);

	/* ids are fresh */
	CHECK_EQ(event_new(EVENT_AUDIT_FAILED, EVENT_SEV_INFO, "x", &back), 0);
	CHECK(back && strcmp(back->id, ev->id) != 0);
	event_free(back);
	event_free(ev);
}

static bool has_field(char **f, int n, const char *want)
{
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(f[i], want) == 0)
			return true;
	}
	return false;
}

static bool has_prefix(char **f, int n, const char *prefix)
{
	int i;

	for (i = 0; i < n; i++) {
		if (strncmp(f[i], prefix, strlen(prefix)) == 0)
			return true;
	}
	return false;
}

static void test_journal_fields(void)
{
	char *f[JOURNAL_FIELDS_MAX], want[128];
	struct event *ev;
	unsigned int i, j;
	int n;

	ev = sample_event(EVENT_VIOLATION_OPENED);
	n = journal_event_fields(ev, f);
	CHECK(n > 0);
	if (n > 0) {
		CHECK_STR(f[0], "MESSAGE=tcp/6379 on 0.0.0.0 is reachable from anywhere");
		CHECK(has_field(f, n, "PRIORITY=2"));
		CHECK(has_field(f, n, "MESSAGE_ID=0df932321a7e47e6a01647e6ed4da785"));
		CHECK(has_field(f, n, "SYSLOG_IDENTIFIER=fwauditd"));
		CHECK(has_field(f, n, "FWAUDIT_EVENT=violation_opened"));
		snprintf(want, sizeof(want), "FWAUDIT_EVENT_ID=%s", ev->id);
		CHECK(has_field(f, n, want));
		CHECK(has_field(f, n, "FWAUDIT_SEVERITY=critical"));
		CHECK(has_field(f, n, "FWAUDIT_PORTS=6379"));
		CHECK(has_field(f, n, "FWAUDIT_PATH=forward"));
		CHECK(has_field(f, n, "FWAUDIT_RULE=/etc/fwaudit/rules.d/db.rules:3"));
		CHECK(has_prefix(f, n, "FWAUDIT_FIX=iptables -I DOCKER-USER"));
		CHECK(!has_prefix(f, n, "FWAUDIT_LISTENER="));
		CHECK(!has_prefix(f, n, "FWAUDIT_INTERFACES="));
		journal_fields_free(f, n);
	}
	ev->severity = EVENT_SEV_WARNING;
	CHECK_EQ(journal_priority(ev), LOG_WARNING);
	ev->severity = EVENT_SEV_INFO;
	CHECK_EQ(journal_priority(ev), LOG_INFO);
	ev->kind = EVENT_AUDIT_FAILED;
	CHECK_EQ(journal_priority(ev), LOG_ERR);
	event_free(ev);

	/* one distinct, well-formed id per kind */
	for (i = 0; i < EVENT_KIND_COUNT; i++) {
		const char *id = journal_message_id(i);

		CHECK(id && strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32);
		for (j = 0; j < i; j++)
			CHECK(strcmp(id, journal_message_id(j)) != 0);
	}
	CHECK(journal_message_id(EVENT_KIND_COUNT) == NULL);
}

static void test_payloads(void)
{
	struct event *ev;
	json_t *j, *a, *labels;
	char *body = NULL, buf[128];

	ev = sample_event(EVENT_VIOLATION_OPENED);
	CHECK_EQ(webhook_format_body(WEBHOOK_FORMAT_ALERTMANAGER, ev, "node1",
				     &body), 0);
	j = body ? json_loads(body, 0, NULL) : NULL;
	CHECK(json_is_array(j) && json_array_size(j) == 1);
	a = json_array_get(j, 0);
	labels = json_object_get(a, "labels");
	CHECK_STR(json_string_value(json_object_get(labels, "alertname")),
		  "FwauditViolation");
	CHECK_STR(json_string_value(json_object_get(labels, "severity")), "critical");
	CHECK_STR(json_string_value(json_object_get(labels, "instance")), "node1");
	CHECK_STR(json_string_value(json_object_get(labels, "ports")), "6379");
	CHECK_STR(json_string_value(json_object_get(labels, "protocol")), "tcp");
	CHECK_STR(json_string_value(json_object_get(labels, "address")), "0.0.0.0");
	CHECK(json_object_get(labels, "sources") == NULL);
	CHECK_STR(json_string_value(json_object_get(json_object_get(a, "annotations"),
						    "summary")), ev->message);
	CHECK(json_is_string(json_object_get(a, "startsAt")));
	CHECK(json_object_get(a, "endsAt") == NULL);
	json_decref(j);
	free(body);
	body = NULL;

	ev->kind = EVENT_VIOLATION_RESOLVED;
	CHECK_EQ(webhook_format_body(WEBHOOK_FORMAT_ALERTMANAGER, ev, "node1",
				     &body), 0);
	j = body ? json_loads(body, 0, NULL) : NULL;
	a = json_array_get(j, 0);
	CHECK(json_is_string(json_object_get(a, "endsAt")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(a, "labels"),
						    "alertname")), "FwauditViolation");
	json_decref(j);
	free(body);
	body = NULL;

	ev->kind = EVENT_EXPOSURE_OPENED;
	CHECK_EQ(webhook_format_body(WEBHOOK_FORMAT_SLACK, ev, "node1", &body), 0);
	j = body ? json_loads(body, 0, NULL) : NULL;
	CHECK(json_is_object(j) && json_object_size(j) == 1);
	CHECK(json_string_value(json_object_get(j, "text")) &&
	      strncmp(json_string_value(json_object_get(j, "text")),
		      "[CRITICAL] node1: tcp/6379", 26) == 0);
	json_decref(j);
	free(body);
	body = NULL;

	CHECK_EQ(webhook_format_body(WEBHOOK_FORMAT_GENERIC, ev, "node1", &body), 0);
	j = body ? json_loads(body, 0, NULL) : NULL;
	CHECK_STR(json_string_value(json_object_get(j, "id")), ev->id);
	CHECK_STR(json_string_value(json_object_get(j, "kind")), "exposure_opened");
	json_decref(j);
	free(body);
	event_free(ev);

	webhook_redact_url("https://user:pw@hooks.example.com:8443/services/T0/B0/XyZ?token=s3cr3t",
			   buf, sizeof(buf));
	CHECK_STR(buf, "https://hooks.example.com/\u2026");
	webhook_redact_url("http://[::1]:9093/api/v2/alerts", buf, sizeof(buf));
	CHECK_STR(buf, "http://[::1]/\u2026");
	webhook_redact_url("ftp://x/y", buf, sizeof(buf));
	CHECK_STR(buf, "(invalid URL)");
	webhook_redact_url("not a url at all/secret", buf, sizeof(buf));
	CHECK(strstr(buf, "secret") == NULL);
}

static void test_classify(void)
{
	struct webhook_outcome o;
	struct webhook_config cfg = { .url = "ftp://example.com/" };
	struct webhook *wh = NULL;
	time_t now = 1445412470;	/* Wed, 21 Oct 2015 07:27:50 GMT */
	uint64_t us, t;
	unsigned int a;

	webhook_classify(200, 0, NULL, now, &o);
	CHECK_EQ(o.result, WEBHOOK_DELIVERED);
	webhook_classify(204, 0, NULL, now, &o);
	CHECK_EQ(o.result, WEBHOOK_DELIVERED);
	webhook_classify(429, 0, "1", now, &o);
	CHECK_EQ(o.result, WEBHOOK_RETRY);
	CHECK_EQ(o.retry_after_usec, 1000000);
	webhook_classify(503, 0, "Wed, 21 Oct 2015 07:28:00 GMT", now, &o);
	CHECK_EQ(o.result, WEBHOOK_RETRY);
	CHECK_EQ(o.retry_after_usec, 10000000);
	webhook_classify(500, 0, NULL, now, &o);
	CHECK_EQ(o.result, WEBHOOK_RETRY);
	CHECK_EQ(o.retry_after_usec, 0);
	webhook_classify(429, 0, "soon", now, &o);
	CHECK_EQ(o.result, WEBHOOK_RETRY);
	CHECK_EQ(o.retry_after_usec, 0);
	webhook_classify(404, 0, NULL, now, &o);
	CHECK_EQ(o.result, WEBHOOK_FAILED);
	/* a credential failure keeps the alert: fix the secret, reload */
	webhook_classify(401, 0, "5", now, &o);
	CHECK_EQ(o.result, WEBHOOK_RETRY);
	CHECK(o.auth_refused);
	webhook_classify(403, 0, NULL, now, &o);
	CHECK_EQ(o.result, WEBHOOK_RETRY);
	CHECK(o.auth_refused);
	webhook_classify(404, 0, NULL, now, &o);
	CHECK(!o.auth_refused);
	webhook_classify(301, 0, NULL, now, &o);
	CHECK_EQ(o.result, WEBHOOK_FAILED);
	webhook_classify(0, CURLE_COULDNT_CONNECT, NULL, now, &o);
	CHECK_EQ(o.result, WEBHOOK_RETRY);
	CHECK(o.error[0] != '\0');
	webhook_classify(0, CURLE_OPERATION_TIMEDOUT, NULL, now, &o);
	CHECK_EQ(o.result, WEBHOOK_RETRY);
	webhook_classify(0, CURLE_URL_MALFORMAT, NULL, now, &o);
	CHECK_EQ(o.result, WEBHOOK_FAILED);

	CHECK_EQ(webhook_parse_retry_after("120", now, &us), 0);
	CHECK_EQ(us, 120000000);
	CHECK_EQ(webhook_parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now, &us), 0);
	CHECK_EQ(us, 0);
	CHECK_EQ(webhook_parse_retry_after("99999999999999999999999", now, &us), 0);
	CHECK_EQ(us, WEBHOOK_RETRY_AFTER_MAX_USEC);
	CHECK_EQ(webhook_parse_retry_after("12s", now, &us), -EINVAL);
	CHECK_EQ(webhook_parse_retry_after("", now, &us), -EINVAL);

	/* full jitter: within [now, now + min(cap, base * 2^a)] */
	memset(&o, 0, sizeof(o));
	for (a = 0; a < 40; a++) {
		uint64_t span = a < 10 ? WEBHOOK_BACKOFF_BASE_USEC << a :
					 WEBHOOK_BACKOFF_CAP_USEC;

		if (span > WEBHOOK_BACKOFF_CAP_USEC)
			span = WEBHOOK_BACKOFF_CAP_USEC;
		t = webhook_next_attempt(1000, a, &o, UINT64_MAX);
		CHECK(t >= 1000 && t <= 1000 + span);
		CHECK_EQ(webhook_next_attempt(1000, a, &o, span), 1000 + span);
		CHECK_EQ(webhook_next_attempt(1000, a, &o, 0), 1000);
	}
	o.retry_after_usec = 1000000;
	CHECK_EQ(webhook_next_attempt(1000, 7, &o, 12345), 1001000);

	CHECK_EQ(webhook_new(&cfg, NULL, &wh), -EINVAL);
	cfg.url = "https://example.com/hook";
	CHECK_EQ(webhook_new(&cfg, NULL, &wh), 0);
	webhook_free(wh);
	webhook_free(NULL);
}

/* ---- spool -------------------------------------------------------------- */

static struct event *numbered(unsigned int i)
{
	struct event *ev = NULL;
	char msg[32];

	snprintf(msg, sizeof(msg), "event %u", i);
	CHECK_EQ(event_new(EVENT_EXPOSURE_OPENED, EVENT_SEV_WARNING, msg, &ev), 0);
	if (!ev)
		abort();
	return ev;
}

/* Deliver everything due in the spool; put the messages, in order, in out. */
static unsigned int drain(struct spool *s, char out[][32], unsigned int max)
{
	struct spool_entry *e;
	unsigned int n = 0;

	while (n < max && spool_next_due(s, UINT64_MAX, &e) == 0) {
		snprintf(out[n++], 32, "%s", e->event->message);
		CHECK_EQ(spool_mark_delivered(s, e), 0);
		spool_entry_free(e);
	}
	return n;
}

static unsigned int count_files(const char *dir, const char *prefix)
{
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' || prefix)
			n += !prefix || strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static void rm_rf(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void test_spool_basic(const char *dir)
{
	struct spool *s = NULL, *s2 = NULL;
	struct spool_entry *e = NULL;
	struct event *ev[3];
	char got[8][32];
	uint64_t t;
	unsigned int i;

	CHECK_EQ(spool_open(dir, 100, SPOOL_DROP_OLDEST, &s), 0);
	if (!s)
		return;
	CHECK_EQ(spool_next_due(s, 0, &e), -ENOENT);
	CHECK_EQ(spool_next_time(s, &t), -ENOENT);
	for (i = 0; i < 3; i++) {
		ev[i] = numbered(i);
		CHECK_EQ(spool_put(s, ev[i]), 0);
	}
	CHECK_EQ(spool_count(s), 3);
	/* one user at a time */
	CHECK_EQ(spool_open(dir, 100, SPOOL_DROP_OLDEST, &s2), -EBUSY);

	CHECK_EQ(spool_next_due(s, 1000, &e), 0);
	CHECK(e && strcmp(e->event->id, ev[0]->id) == 0);
	CHECK(e && e->attempts == 0);
	if (e) {
		CHECK_EQ(spool_mark_retry(s, e, 5000), 0);
		CHECK_EQ(e->attempts, 1);
		spool_entry_free(e);
		e = NULL;
	}
	/* strictly in order: the head waits, so do the others */
	CHECK_EQ(spool_next_due(s, 4999, &e), -EAGAIN);
	CHECK_EQ(spool_next_time(s, &t), 0);
	CHECK_EQ(t, 5000);
	CHECK_EQ(spool_count(s), 3);

	/* crash: close without delivering; everything comes back in order,
	 * with its delivery state */
	spool_close(s);
	s = NULL;
	CHECK_EQ(spool_open(dir, 100, SPOOL_DROP_OLDEST, &s), 0);
	if (!s)
		goto out;
	CHECK_EQ(spool_count(s), 3);
	CHECK_EQ(spool_next_due(s, 4999, &e), -EAGAIN);
	CHECK_EQ(spool_next_due(s, 5000, &e), 0);
	if (e) {
		CHECK_STR(e->event->id, ev[0]->id);
		CHECK_STR(e->event->message, "event 0");
		CHECK_EQ(e->attempts, 1);
		CHECK_EQ(e->next_usec, 5000);
		CHECK_EQ(spool_mark_delivered(s, e), 0);
		CHECK_EQ(spool_mark_delivered(s, e), -ENOENT);
		spool_entry_free(e);
		e = NULL;
	}
	CHECK_EQ(spool_next_due(s, 0, &e), 0);
	if (e) {
		CHECK_STR(e->event->id, ev[1]->id);
		CHECK_EQ(spool_mark_failed(s, e), 0);
		spool_entry_free(e);
		e = NULL;
	}
	CHECK_EQ(spool_failed(s), 1);
	/* a new event goes behind the old ones, also after a reopen */
	spool_close(s);
	s = NULL;
	CHECK_EQ(spool_open(dir, 100, SPOOL_DROP_OLDEST, &s), 0);
	if (!s)
		goto out;
	CHECK_EQ(spool_failed(s), 1);
	CHECK_EQ(spool_put(s, ev[0]), 0);
	CHECK_EQ(drain(s, got, 8), 2);
	CHECK_STR(got[0], "event 2");
	CHECK_STR(got[1], "event 0");
	CHECK_EQ(spool_count(s), 0);
	CHECK_EQ(spool_dropped(s), 0);
out:
	spool_close(s);
	spool_close(NULL);
	for (i = 0; i < 3; i++)
		event_free(ev[i]);
}

static void test_spool_overflow(const char *dir, enum spool_overflow policy)
{
	struct spool *s = NULL;
	struct event *ev;
	char got[8][32];
	unsigned int i, n;
	int ret;

	CHECK_EQ(spool_open(dir, 3, policy, &s), 0);
	if (!s)
		return;
	for (i = 0; i < 5; i++) {
		ev = numbered(i);
		ret = spool_put(s, ev);
		CHECK_EQ(ret, i < 3 ? 0 : 1);
		CHECK(spool_count(s) <= 3);
		event_free(ev);
	}
	CHECK_EQ(spool_count(s), 3);
	CHECK_EQ(spool_dropped(s), 2);
	/* the bound holds on disk too: 3 entries, the state file, the lock */
	CHECK_EQ(count_files(dir, NULL), 5);
	spool_close(s);
	s = NULL;

	/* the counter survives; a lower limit at open trims by the policy */
	CHECK_EQ(spool_open(dir, 2, policy, &s), 0);
	if (!s)
		return;
	CHECK_EQ(spool_dropped(s), 3);
	n = drain(s, got, 8);
	CHECK_EQ(n, 2);
	if (policy == SPOOL_DROP_OLDEST) {
		CHECK_STR(got[0], "event 3");
		CHECK_STR(got[1], "event 4");
	} else {
		CHECK_STR(got[0], "event 0");
		CHECK_STR(got[1], "event 1");
	}
	spool_close(s);
}

static void test_spool_leftovers(const char *dir)
{
	struct spool *s = NULL;
	struct event *ev;
	char path[1024], got[8][32];

	CHECK_EQ(spool_open(dir, 10, SPOOL_DROP_OLDEST, &s), 0);
	if (!s)
		return;
	ev = numbered(7);
	CHECK_EQ(spool_put(s, ev), 0);
	spool_close(s);
	s = NULL;

	/* SIGKILL in the middle of a write leaves a temporary file; a disk
	 * fault (or an editor) a broken entry; strangers are left alone */
	snprintf(path, sizeof(path), "%s/.tmp-0000000000000002-%s.json", dir,
		 ev->id);
	write_file(path, "{\"version\":1,\"seq\":2,\"att");
	snprintf(path, sizeof(path),
		 "%s/00000000000000ff-0123456789abcdef0123456789abcdef.json", dir);
	write_file(path, "garbage");
	snprintf(path, sizeof(path), "%s/README", dir);
	write_file(path, "not ours");
	CHECK_EQ(count_files(dir, ".tmp-"), 1);

	CHECK_EQ(spool_open(dir, 10, SPOOL_DROP_OLDEST, &s), 0);
	if (!s)
		goto out;
	CHECK_EQ(count_files(dir, ".tmp-"), 0);
	CHECK_EQ(spool_count(s), 1);
	CHECK_EQ(spool_dropped(s), 1);
	CHECK_EQ(drain(s, got, 8), 1);
	CHECK_STR(got[0], "event 7");
	CHECK_EQ(access(path, F_OK), 0);
	unlink(path);
out:
	spool_close(s);
	event_free(ev);
}

/* A hand-made entry named ffffffffffffffff-<id>.json wrapped the next
 * sequence number to 0: after a reopen the newest event went first
 * (issue 17).  It is set aside as corrupt; order holds. */
static void test_spool_seq_range(const char *dir)
{
	static const char *const bad[] = { "ffffffffffffffff",
					   "0001000000000001",
					   "0000000000000000" };
	struct spool *s = NULL;
	struct event *ev[3];
	char from[1024], to[1024], got[8][32];
	unsigned int i, n;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	for (i = 0; i < 3; i++)
		ev[i] = numbered(i + 1);
	CHECK_EQ(spool_open(dir, 10, SPOOL_DROP_OLDEST, &s), 0);
	if (!s)
		goto out;
	CHECK_EQ(spool_put(s, ev[0]), 0);
	CHECK_EQ(spool_put(s, ev[1]), 0);
	spool_close(s);
	s = NULL;

	/* copies of a good entry under sequence numbers out of range */
	snprintf(from, sizeof(from), "%s/0000000000000002-%s.json", dir,
		 ev[1]->id);
	f = fopen(from, "r");
	CHECK(f != NULL);
	if (!f)
		goto out;
	CHECK(getdelim(&text, &len, '\0', f) > 0);
	fclose(f);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(to, sizeof(to), "%s/%s-%s.json", dir, bad[i],
			 ev[1]->id);
		write_file(to, text ? text : "");
	}

	CHECK_EQ(spool_open(dir, 10, SPOOL_DROP_OLDEST, &s), 0);
	if (!s)
		goto out;
	CHECK_EQ(spool_count(s), 2);
	CHECK_EQ(spool_dropped(s), 3);
	CHECK_EQ(count_files(dir, "corrupt-"), 3);
	CHECK_EQ(spool_put(s, ev[2]), 0);
	spool_close(s);
	s = NULL;
	CHECK_EQ(spool_open(dir, 10, SPOOL_DROP_OLDEST, &s), 0);
	if (!s)
		goto out;
	n = drain(s, got, 8);
	CHECK_EQ(n, 3);
	if (n == 3) {
		CHECK_STR(got[0], "event 1");
		CHECK_STR(got[1], "event 2");
		CHECK_STR(got[2], "event 3");
	}
out:
	spool_close(s);
	free(text);
	for (i = 0; i < 3; i++)
		event_free(ev[i]);
}

static void test_spool(void)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s/spool-basic", tmpdir);
	test_spool_basic(dir);
	rm_rf(dir);
	snprintf(dir, sizeof(dir), "%s/spool-oldest", tmpdir);
	test_spool_overflow(dir, SPOOL_DROP_OLDEST);
	rm_rf(dir);
	snprintf(dir, sizeof(dir), "%s/spool-newest", tmpdir);
	test_spool_overflow(dir, SPOOL_DROP_NEWEST);
	rm_rf(dir);
	snprintf(dir, sizeof(dir), "%s/spool-leftovers", tmpdir);
	test_spool_leftovers(dir);
	rm_rf(dir);
	snprintf(dir, sizeof(dir), "%s/spool-seq", tmpdir);
	test_spool_seq_range(dir);
	rm_rf(dir);

	struct spool *s = NULL;

	CHECK_EQ(spool_open(dir, 0, SPOOL_DROP_OLDEST, &s), -EINVAL);
	CHECK_EQ(spool_open(dir, SPOOL_MAX_ENTRIES + 1, SPOOL_DROP_OLDEST, &s), -EINVAL);
	CHECK(s == NULL);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 99;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_sha256();
	test_base64();
	test_signature();
	test_event();
	test_journal_fields();
	test_payloads();
	test_classify();
	test_spool();
	curl_global_cleanup();
	rm_rf(tmpdir);
	return unit_done();
}
