// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_webauth.c - the webhook's credentials without a network: the
 * configuration keys, secret files (size, permissions, credential names),
 * the Authorization header, the OAuth token request and response.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base64.h"
#include "daemon_config.h"
#include "webauth.h"
#include "webhook.h"
#include "unit.h"

static char tmpdir[] = "/tmp/test_webauth.XXXXXX";

static const char *write_file(const char *name, const char *text, mode_t mode)
{
	/* a few at once: a test names several files in one struct */
	static char paths[8][256];
	static unsigned int next;
	char *path = paths[next++ % 8];
	FILE *f;

	snprintf(path, sizeof(paths[0]), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static int load_conf(const char *text, struct daemon_config *c,
		     struct daemon_config_error *err)
{
	const char *p = write_file("fwauditd.conf", text, 0644);

	return daemon_config_load(p, false, c, err);
}

static void test_config(void)
{
	struct daemon_config c;
	struct daemon_config_error err;
	struct webauth_files f;

	CHECK_EQ(load_conf("webhook_oauth_token_url = https://idp/token\n"
			   "webhook_oauth_client_id_file = id\n"
			   "webhook_oauth_client_secret_file = /x/secret\n"
			   "webhook_oauth_scope = alerts:write\n"
			   "webhook_oauth_client_auth = client_secret_post\n"
			   "webhook_client_cert_file = /c.pem\n"
			   "webhook_client_key_file = client-key\n", &c, &err), 0);
	daemon_config_webauth_files(&c, &f);
	CHECK_STR(f.oauth_token_url, "https://idp/token");
	CHECK_STR(f.oauth_client_id_file, "id");
	CHECK_STR(f.oauth_scope, "alerts:write");
	CHECK_EQ(f.oauth_client_auth, WEBAUTH_CLIENT_SECRET_POST);
	CHECK_STR(f.client_key_file, "client-key");
	CHECK(!f.bearer_token_file && !f.basic_auth_file);
	daemon_config_release(&c);

	CHECK_EQ(load_conf("webhook_bearer_token_file = t\n", &c, &err), 0);
	CHECK_EQ(c.oauth_client_auth, WEBAUTH_CLIENT_SECRET_BASIC);
	daemon_config_release(&c);

	/* two mechanisms, half an OAuth setup, a certificate without key */
	CHECK(load_conf("webhook_bearer_token_file = t\n"
			"webhook_basic_auth_file = b\n", &c, &err) < 0);
	CHECK(strstr(err.message, "more than one"));
	CHECK(load_conf("webhook_oauth_token_url = https://idp/token\n",
			&c, &err) < 0);
	CHECK(strstr(err.message, "webhook_oauth_client_id_file"));
	CHECK(load_conf("webhook_client_cert_file = /c.pem\n", &c, &err) < 0);
	CHECK(strstr(err.message, "go together"));
	/* a bad value is not echoed */
	CHECK(load_conf("webhook_oauth_client_auth = s3cr3t-canary\n", &c,
			&err) < 0);
	CHECK(strstr(err.message, "client_secret_basic"));
	CHECK(!strstr(err.message, "s3cr3t-canary"));
}

static void test_files(void)
{
	char *s = NULL, big[WEBAUTH_SECRET_MAX + 16], path[512];
	size_t len;

	CHECK_EQ(webauth_read_file(write_file("tok", "abc.def \t\r\nsecond\n",
					      0600),
				   WEBAUTH_SECRET_MAX, true, true, &s, &len), 0);
	CHECK_STR(s, "abc.def");
	CHECK_EQ(len, 7);
	free(s);
	/* readable by group or others: refused, whatever the content */
	CHECK_EQ(webauth_read_file(write_file("tok644", "abc\n", 0644),
				   WEBAUTH_SECRET_MAX, true, true, &s, &len),
		 -EPERM);
	CHECK_EQ(webauth_read_file(write_file("tok640", "abc\n", 0640),
				   WEBAUTH_SECRET_MAX, true, true, &s, &len),
		 -EPERM);
	/* not a secret (a certificate): any mode */
	CHECK_EQ(webauth_read_file(write_file("cert", "PEM\n", 0644),
				   WEBAUTH_PEM_MAX, false, false, &s, &len), 0);
	CHECK_STR(s, "PEM\n");
	free(s);
	CHECK_EQ(webauth_read_file(write_file("empty", " \n", 0600),
				   WEBAUTH_SECRET_MAX, true, true, &s, &len),
		 -EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_EQ(webauth_read_file(write_file("big", big, 0600),
				   WEBAUTH_SECRET_MAX, true, true, &s, &len),
		 -EFBIG);
	CHECK_EQ(webauth_read_file("/nonexistent/tok", WEBAUTH_SECRET_MAX,
				   true, true, &s, &len), -ENOENT);

	/* a name: $CREDENTIALS_DIRECTORY first, then /run/secrets */
	setenv("CREDENTIALS_DIRECTORY", tmpdir, 1);
	CHECK_EQ(webauth_resolve("tok", path, sizeof(path)), 0);
	CHECK(!strncmp(path, tmpdir, strlen(tmpdir)));
	CHECK_EQ(webauth_resolve("not-there", path, sizeof(path)), 0);
	CHECK_STR(path, "/run/secrets/not-there");
	CHECK_EQ(webauth_resolve("./rel/tok", path, sizeof(path)), 0);
	CHECK_STR(path, "./rel/tok");
	CHECK_EQ(webauth_resolve("", path, sizeof(path)), -EINVAL);
	CHECK_EQ(webauth_read_file("tok", WEBAUTH_SECRET_MAX, true, true, &s,
				   &len), 0);
	CHECK_STR(s, "abc.def");
	free(s);
	unsetenv("CREDENTIALS_DIRECTORY");
}

static void test_load_and_headers(void)
{
	struct webauth_files f = { 0 };
	struct webauth *a = NULL;
	const char *what;
	char hdr[256], b64[64];

	CHECK_EQ(webauth_load(&f, &a, &what), 0);
	CHECK(!a);
	CHECK_EQ(webauth_header(NULL, hdr, sizeof(hdr)), 0);
	CHECK_STR(hdr, "");

	f.bearer_token_file = write_file("bearer", "tok-123\n", 0600);
	CHECK_EQ(webauth_load(&f, &a, &what), 0);
	CHECK_EQ(a->kind, WEBAUTH_BEARER);
	CHECK_EQ(webauth_header(a, hdr, sizeof(hdr)), 0);
	CHECK_STR(hdr, "Authorization: Bearer tok-123");
	CHECK_EQ(webauth_header(a, hdr, 10), -ENOSPC);
	webauth_describe(a, hdr, sizeof(hdr));
	CHECK_STR(hdr, "bearer token");
	webauth_free(a);

	/* permissions: refused, and the key is named */
	f.bearer_token_file = write_file("bearer644", "tok-123\n", 0644);
	CHECK_EQ(webauth_load(&f, &a, &what), -EPERM);
	CHECK_STR(what, "webhook_bearer_token_file");

	f.bearer_token_file = NULL;
	f.basic_auth_file = write_file("basic", "alice:pa:ss\n", 0600);
	CHECK_EQ(webauth_load(&f, &a, &what), 0);
	CHECK_EQ(webauth_header(a, hdr, sizeof(hdr)), 0);
	base64_encode("alice:pa:ss", 11, b64, sizeof(b64));
	CHECK(!strncmp(hdr, "Authorization: Basic ", 21));
	CHECK_STR(hdr + 21, b64);
	webauth_free(a);
	f.basic_auth_file = write_file("basic-bad", "no-colon\n", 0600);
	CHECK_EQ(webauth_load(&f, &a, &what), -EINVAL);
	CHECK_STR(what, "webhook_basic_auth_file");

	/* two mechanisms; a certificate without its key */
	f.basic_auth_file = write_file("basic", "alice:pw\n", 0600);
	f.bearer_token_file = write_file("bearer", "tok\n", 0600);
	CHECK_EQ(webauth_load(&f, &a, &what), -EEXIST);
	memset(&f, 0, sizeof(f));
	f.client_cert_file = write_file("cert.pem", "CERT\n", 0644);
	CHECK_EQ(webauth_load(&f, &a, &what), -ENOENT);
	CHECK_STR(what, "webhook_client_key_file");
	f.client_key_file = write_file("key.pem", "KEY\n", 0644);
	CHECK_EQ(webauth_load(&f, &a, &what), -EPERM);
	f.client_key_file = write_file("key.pem", "KEY\n", 0600);
	CHECK_EQ(webauth_load(&f, &a, &what), 0);
	CHECK_EQ(a->kind, WEBAUTH_NONE);
	CHECK_EQ(a->key_len, 4);
	CHECK_EQ(webauth_header(a, hdr, sizeof(hdr)), 0);
	CHECK_STR(hdr, "");
	webauth_describe(a, hdr, sizeof(hdr));
	CHECK_STR(hdr, "client certificate (mutual TLS)");
	webauth_free(a);
}

static void test_oauth(void)
{
	struct webauth_files f = { 0 };
	struct webauth *a = NULL;
	const char *what, *r;
	char hdr[256], b64[128], *body = NULL;
	uint64_t now = 1000000000ull;

	f.oauth_token_url = "https://127.0.0.1/token";
	f.oauth_client_id_file = write_file("cid", "fw audit\n", 0600);
	f.oauth_client_secret_file = write_file("csec", "s&cret=1\n", 0600);
	f.oauth_scope = "alerts write";
	CHECK_EQ(webauth_load(&f, &a, &what), 0);
	CHECK_EQ(a->kind, WEBAUTH_OAUTH2);
	/* no token yet: no header */
	CHECK(!webauth_token_valid(a, now));
	CHECK_EQ(webauth_header(a, hdr, sizeof(hdr)), 0);
	CHECK_STR(hdr, "");

	/* client_secret_basic: urlencoded parts in the basic header */
	CHECK_EQ(webauth_token_request(a, &body, hdr, sizeof(hdr)), 0);
	CHECK_STR(body, "grant_type=client_credentials&scope=alerts%20write");
	base64_encode("fw%20audit:s%26cret%3D1", 23, b64, sizeof(b64));
	CHECK(!strncmp(hdr, "Authorization: Basic ", 21));
	CHECK_STR(hdr + 21, b64);
	free(body);
	a->client_auth = WEBAUTH_CLIENT_SECRET_POST;
	CHECK_EQ(webauth_token_request(a, &body, hdr, sizeof(hdr)), 0);
	CHECK_STR(body, "grant_type=client_credentials&scope=alerts%20write"
		  "&client_id=fw%20audit&client_secret=s%26cret%3D1");
	CHECK_STR(hdr, "");
	free(body);

	/* responses */
	r = "{\"access_token\":\"at-1\",\"token_type\":\"bearer\","
	    "\"expires_in\":100}";
	CHECK_EQ(webauth_token_parse(a, r, strlen(r), now), 0);
	CHECK(webauth_token_valid(a, now));
	/* expires_in 100 s: renewed a tenth early */
	CHECK(webauth_token_valid(a, now + 89000000ull));
	CHECK(!webauth_token_valid(a, now + 90000000ull));
	CHECK_EQ(webauth_header(a, hdr, sizeof(hdr)), 0);
	CHECK_STR(hdr, "Authorization: Bearer at-1");
	/* a long lifetime: 60 s early at most */
	r = "{\"access_token\":\"at-2\",\"token_type\":\"Bearer\","
	    "\"expires_in\":3600}";
	CHECK_EQ(webauth_token_parse(a, r, strlen(r), now), 0);
	CHECK_EQ(a->token_expiry_usec, now + 3540000000ull);
	/* no expires_in: the default lifetime */
	r = "{\"access_token\":\"at-3\",\"token_type\":\"Bearer\"}";
	CHECK_EQ(webauth_token_parse(a, r, strlen(r), now), 0);
	CHECK_EQ(a->token_expiry_usec, now + 270000000ull);
	/* refused: another type, a token that could split a header, bad
	 * expires_in, not JSON; the old token stays */
	r = "{\"access_token\":\"x\",\"token_type\":\"mac\"}";
	CHECK_EQ(webauth_token_parse(a, r, strlen(r), now), -EINVAL);
	r = "{\"access_token\":\"x\\r\\nX-Evil: 1\",\"token_type\":\"Bearer\"}";
	CHECK_EQ(webauth_token_parse(a, r, strlen(r), now), -EINVAL);
	r = "{\"access_token\":\"x\",\"token_type\":\"Bearer\",\"expires_in\":\"10\"}";
	CHECK_EQ(webauth_token_parse(a, r, strlen(r), now), -EINVAL);
	CHECK_EQ(webauth_token_parse(a, "<html>", 6, now), -EINVAL);
	CHECK_STR(a->token, "at-3");
	webauth_token_drop(a);
	CHECK(!webauth_token_valid(a, now));

	/* error codes, never free text */
	r = "{\"error\":\"invalid_client\",\"error_description\":\"bad s&cret=1\"}";
	webauth_token_error(r, strlen(r), hdr, sizeof(hdr));
	CHECK_STR(hdr, "invalid_client");
	r = "{\"error\":\"s&cret=1 is wrong\"}";
	webauth_token_error(r, strlen(r), hdr, sizeof(hdr));
	CHECK_STR(hdr, "");
	webauth_token_error("nope", 4, hdr, sizeof(hdr));
	CHECK_STR(hdr, "");
	webauth_free(a);
}

static void test_webhook_url(void)
{
	struct webauth_files f = { 0 };
	struct webhook_config cfg = { .url = "https://u:p@127.0.0.1/hook",
				      .instance = "t" };
	struct webauth *a = NULL;
	struct webhook *wh = NULL;
	const char *what;

	/* userinfo alone: fine (libcurl sends it) */
	CHECK_EQ(webhook_new(&cfg, NULL, &wh), 0);
	webhook_free(wh);
	/* userinfo and a credential file: which one? refused */
	f.bearer_token_file = write_file("bearer", "tok\n", 0600);
	CHECK_EQ(webauth_load(&f, &a, &what), 0);
	cfg.auth = a;
	CHECK_EQ(webhook_new(&cfg, NULL, &wh), -EEXIST);
	cfg.url = "https://127.0.0.1/hook";
	CHECK_EQ(webhook_new(&cfg, NULL, &wh), 0);
	webhook_free(wh);
	webauth_free(a);
	/* an OAuth token URL that is not http(s) */
	memset(&f, 0, sizeof(f));
	f.oauth_token_url = "file:///etc/passwd";
	f.oauth_client_id_file = write_file("cid", "id\n", 0600);
	f.oauth_client_secret_file = write_file("csec", "sec\n", 0600);
	CHECK_EQ(webauth_load(&f, &a, &what), 0);
	cfg.auth = a;
	CHECK_EQ(webhook_new(&cfg, NULL, &wh), -EINVAL);
	webauth_free(a);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 99;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_config();
	test_files();
	test_load_and_headers();
	test_oauth();
	test_webhook_url();
	curl_global_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return unit_done();
}
