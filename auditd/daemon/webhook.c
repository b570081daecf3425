// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base64.h"
#include "sha256.h"
#include "webhook.h"
#include "util.h"

#define WHSEC_PREFIX	"whsec_"
#define USER_AGENT	"fwauditd/" PACKAGE_VERSION_STR

#ifdef PACKAGE_VERSION
#define PACKAGE_VERSION_STR PACKAGE_VERSION
#else
#define PACKAGE_VERSION_STR "0"
#endif

struct webhook_secret {
	size_t len;
	uint8_t key[WEBHOOK_SECRET_MAX];
};

struct webhook {
	char *url, *ca_file, *proxy, *instance;
	enum webhook_format format;
	bool tls_verify;
	long connect_timeout_ms, timeout_ms;
	const struct webhook_secret *secret;
	struct webauth *auth;
	CURL *curl;
	/* the token endpoint's response, while one is read */
	char *resp;
	size_t resp_len;
	/* per attempt */
	char retry_after[64];
	bool have_retry_after;
};

static void wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

int webhook_secret_new(const void *key, size_t len,
		       struct webhook_secret **out)
{
	struct webhook_secret *s;

	if (!len || len > WEBHOOK_SECRET_MAX)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(s->key, key, len);
	s->len = len;
	*out = s;
	return 0;
}

void webhook_secret_free(struct webhook_secret *secret)
{
	if (!secret)
		return;
	wipe(secret, sizeof(*secret));
	free(secret);
}

int webhook_secret_load(const char *path, struct webhook_secret **out)
{
	char buf[WEBHOOK_SECRET_FILE_MAX + 1], cred[4096];
	uint8_t key[WEBHOOK_SECRET_MAX];
	const char *dir;
	size_t len = 0, keylen;
	ssize_t r;
	int fd, ret;

	if (!path) {
		dir = secure_getenv("CREDENTIALS_DIRECTORY");
		if (!dir || !*dir)
			return -ENOENT;
		if (snprintf(cred, sizeof(cred), "%s/" WEBHOOK_CREDENTIAL_NAME,
			     dir) >= (int)sizeof(cred))
			return -ENAMETOOLONG;
		path = cred;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (len < sizeof(buf)) {
		r = read(fd, buf + len, sizeof(buf) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	ret = -EINVAL;
	if (len > WEBHOOK_SECRET_FILE_MAX)
		goto out;
	buf[len] = '\0';
	len = strcspn(buf, "\n");
	while (len && isspace((unsigned char)buf[len - 1]))
		len--;
	buf[len] = '\0';
	if (!len)
		goto out;
	if (strncmp(buf, WHSEC_PREFIX, strlen(WHSEC_PREFIX)) == 0) {
		ret = base64_decode(buf + strlen(WHSEC_PREFIX),
				    len - strlen(WHSEC_PREFIX), key,
				    sizeof(key), &keylen);
		if (ret < 0) {
			ret = -EINVAL;
			goto out;
		}
		ret = webhook_secret_new(key, keylen, out);
	} else {
		ret = webhook_secret_new(buf, len, out);
	}
out:
	wipe(buf, sizeof(buf));
	wipe(key, sizeof(key));
	close(fd);
	return ret;
}

int webhook_sign(const struct webhook_secret *secret, const char *id,
		 long long timestamp, const char *body, size_t len,
		 char *sig, size_t size)
{
	struct hmac_sha256_ctx ctx;
	uint8_t mac[SHA256_DIGEST_SIZE];
	char ts[24];
	int n;

	if (size < 3 + BASE64_ENCODED_LEN(SHA256_DIGEST_SIZE) + 1)
		return -ENOSPC;
	n = snprintf(ts, sizeof(ts), "%lld", timestamp);
	hmac_sha256_init(&ctx, secret->key, secret->len);
	hmac_sha256_update(&ctx, id, strlen(id));
	hmac_sha256_update(&ctx, ".", 1);
	hmac_sha256_update(&ctx, ts, (size_t)n);
	hmac_sha256_update(&ctx, ".", 1);
	hmac_sha256_update(&ctx, body, len);
	hmac_sha256_final(&ctx, mac);
	memcpy(sig, "v1,", 3);
	base64_encode(mac, sizeof(mac), sig + 3, size - 3);
	return 0;
}

/* ---- payloads ---------------------------------------------------------- */

static const char *alert_name(const struct event *ev)
{
	switch (ev->kind) {
	case EVENT_EXPOSURE_OPENED:
	case EVENT_EXPOSURE_CHANGED:
	case EVENT_EXPOSURE_CLOSED:
		return "FwauditExposure";
	case EVENT_VIOLATION_OPENED:
	case EVENT_VIOLATION_CHANGED:
	case EVENT_VIOLATION_RESOLVED:
		return "FwauditViolation";
	case EVENT_AUDIT_FAILED:
	case EVENT_AUDIT_RECOVERED:
		return "FwauditAuditFailed";
	default:
		/* what was found at start: a violation unless merely info */
		return ev->severity == EVENT_SEV_INFO ? "FwauditExposure" :
							"FwauditViolation";
	}
}

static int rfc3339_sec(uint64_t usec, char *buf, size_t size)
{
	time_t t = (time_t)(usec / 1000000u);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return -EINVAL;
	return 0;
}

/* Labels identify the alert: only fields an opening, its changes and its
 * closing event share (ports is the range the alert was opened for, kept
 * while any of it stays open: alerts.h; no sources/listener, which may
 * change while it is open).  A violation also names its rule: two rules
 * of one severity can judge the same ports from different sources. */
static const enum event_field label_fields[] = {
	EVENT_F_FAMILY, EVENT_F_PROTOCOL, EVENT_F_PORTS, EVENT_F_ADDRESS,
	EVENT_F_PATH, EVENT_F_RULE,
};

static bool is_label(const struct event *ev, enum event_field f)
{
	if (f != EVENT_F_RULE)
		return true;
	/* an allowed exposure's rule may change without closing it */
	return !strcmp(alert_name(ev), "FwauditViolation");
}

static int alertmanager_body(const struct event *ev, const char *instance,
			     json_t **out)
{
	bool audit = ev->kind == EVENT_AUDIT_FAILED ||
		     ev->kind == EVENT_AUDIT_RECOVERED;
	json_t *alert = NULL, *labels, *ann, *arr;
	char when[40];
	unsigned int i;
	int ret = -ENOMEM;

	if (rfc3339_sec(ev->time_usec, when, sizeof(when)) < 0)
		return -EINVAL;
	alert = json_object();
	labels = json_object();
	ann = json_object();
	if (!alert || !labels || !ann) {
		json_decref(labels);
		json_decref(ann);
		goto out;
	}
	if (json_object_set_new(alert, "labels", labels) ||
	    json_object_set_new(alert, "annotations", ann))
		goto out;
	if (json_object_set_new(labels, "alertname",
				json_string(alert_name(ev))) ||
	    json_object_set_new(labels, "severity",
				json_string(audit ? "critical" :
					    event_severity_name(ev->severity))) ||
	    json_object_set_new(labels, "instance", json_string(instance)))
		goto out;
	for (i = 0; !audit && i < ARRAY_SIZE(label_fields); i++) {
		const char *v = ev->field[label_fields[i]];

		if (v && is_label(ev, label_fields[i]) &&
		    json_object_set_new(labels,
					     event_field_name(label_fields[i]),
					     json_string(v)))
			goto out;
	}
	if (json_object_set_new(ann, "summary", json_string(ev->message)) ||
	    json_object_set_new(ann, "event", json_string(event_kind_name(ev->kind))) ||
	    json_object_set_new(ann, "event_id", json_string(ev->id)))
		goto out;
	for (i = 0; i < EVENT_F_COUNT; i++) {
		if (ev->field[i] &&
		    json_object_set_new(ann, event_field_name(i),
					json_string(ev->field[i])))
			goto out;
	}
	if (json_object_set_new(alert, "startsAt", json_string(when)))
		goto out;
	if (event_kind_is_closing(ev->kind) &&
	    json_object_set_new(alert, "endsAt", json_string(when)))
		goto out;
	arr = json_array();
	if (!arr || json_array_append_new(arr, alert)) {
		json_decref(arr);
		goto out;
	}
	alert = NULL;
	*out = arr;
	ret = 0;
out:
	json_decref(alert);
	return ret;
}

static int slack_body(const struct event *ev, const char *instance,
		      json_t **out)
{
	static const char *const tag[EVENT_SEV_COUNT] = {
		"INFO", "WARNING", "CRITICAL",
	};
	const char *fix = ev->field[EVENT_F_FIX];
	char *text;
	json_t *j;
	int n;

	if (event_kind_is_closing(ev->kind))
		n = asprintf(&text, "[RESOLVED] %s: %s", instance, ev->message);
	else
		n = asprintf(&text, "[%s] %s: %s%s%s", tag[ev->severity],
			     instance, ev->message, fix ? "\nFix: " : "",
			     fix ? fix : "");
	if (n < 0)
		return -ENOMEM;
	j = json_pack("{s:s}", "text", text);
	free(text);
	if (!j)
		return -ENOMEM;
	*out = j;
	return 0;
}

int webhook_format_body(enum webhook_format format, const struct event *ev,
			const char *instance, char **out)
{
	json_t *j;
	char *s;
	int ret;

	if ((unsigned int)ev->kind >= EVENT_KIND_COUNT ||
	    (unsigned int)ev->severity >= EVENT_SEV_COUNT)
		return -EINVAL;
	if (!instance)
		instance = "";
	switch (format) {
	case WEBHOOK_FORMAT_GENERIC:
		ret = event_to_json(ev, &j);
		break;
	case WEBHOOK_FORMAT_ALERTMANAGER:
		ret = alertmanager_body(ev, instance, &j);
		break;
	case WEBHOOK_FORMAT_SLACK:
		ret = slack_body(ev, instance, &j);
		break;
	default:
		return -EINVAL;
	}
	if (ret < 0)
		return ret;
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		return -ENOMEM;
	*out = s;
	return 0;
}

/* ---- transport --------------------------------------------------------- */

/* Scheme and host of an http(s) URL, each malloc'd (curl_free them). */
static int url_parts(const char *url, char **scheme, char **host)
{
	CURLU *u;
	int ret = -EINVAL;

	*scheme = *host = NULL;
	u = curl_url();
	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK)
		goto out;
	if (strcmp(*scheme, "http") != 0 && strcmp(*scheme, "https") != 0)
		goto out;
	ret = 0;
out:
	if (ret < 0) {
		curl_free(*scheme);
		curl_free(*host);
		*scheme = *host = NULL;
	}
	curl_url_cleanup(u);
	return ret;
}

/* Whether url holds a user name (basic auth in the URL). */
static bool url_has_user(const char *url)
{
	char *user = NULL;
	CURLU *u;
	bool ret;

	u = curl_url();
	if (!u)
		return false;
	ret = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	      curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK &&
	      user && *user;
	curl_free(user);
	curl_url_cleanup(u);
	return ret;
}

void webhook_redact_url(const char *url, char *buf, size_t size)
{
	char *scheme, *host;

	if (!size)
		return;
	if (!url || url_parts(url, &scheme, &host) < 0) {
		snprintf(buf, size, "(invalid URL)");
		return;
	}
	snprintf(buf, size, "%s://%s/\u2026", scheme, host);
	curl_free(scheme);
	curl_free(host);
}

static char *dup_or_null(const char *s, bool *failed)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*failed = true;
	return d;
}

int webhook_new(const struct webhook_config *cfg,
		const struct webhook_secret *secret, struct webhook **out)
{
	char *scheme, *host, hostname[256];
	struct webhook *wh;
	bool failed = false;
	int ret;

	if (!cfg->url || (unsigned int)cfg->format > WEBHOOK_FORMAT_SLACK)
		return -EINVAL;
	ret = url_parts(cfg->url, &scheme, &host);
	if (ret < 0)
		return ret;
	curl_free(scheme);
	curl_free(host);
	if (cfg->auth && cfg->auth->kind != WEBAUTH_NONE &&
	    url_has_user(cfg->url))
		return -EEXIST;
	if (cfg->auth && cfg->auth->kind == WEBAUTH_OAUTH2) {
		ret = url_parts(cfg->auth->token_url, &scheme, &host);
		if (ret < 0)
			return ret;
		curl_free(scheme);
		curl_free(host);
	}
	wh = calloc(1, sizeof(*wh));
	if (!wh)
		return -ENOMEM;
	wh->format = cfg->format;
	wh->tls_verify = !cfg->tls_no_verify;
	wh->connect_timeout_ms = cfg->connect_timeout_ms > 0 ?
				 cfg->connect_timeout_ms : 5000;
	wh->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 15000;
	wh->secret = secret;
	wh->auth = cfg->auth;
	if (!cfg->instance) {
		if (gethostname(hostname, sizeof(hostname)) < 0)
			snprintf(hostname, sizeof(hostname), "localhost");
		hostname[sizeof(hostname) - 1] = '\0';
	}
	wh->instance = dup_or_null(cfg->instance ? cfg->instance : hostname,
				   &failed);
	wh->url = dup_or_null(cfg->url, &failed);
	wh->ca_file = dup_or_null(cfg->ca_file, &failed);
	wh->proxy = dup_or_null(cfg->proxy, &failed);
	wh->curl = curl_easy_init();
	if (failed || !wh->curl) {
		webhook_free(wh);
		return -ENOMEM;
	}
	*out = wh;
	return 0;
}

void webhook_free(struct webhook *wh)
{
	if (!wh)
		return;
	if (wh->curl)
		curl_easy_cleanup(wh->curl);
	if (wh->url)
		wipe(wh->url, strlen(wh->url));
	free(wh->url);
	free(wh->ca_file);
	free(wh->proxy);
	free(wh->instance);
	free(wh);
}

static size_t discard_body(char *p, size_t size, size_t nmemb, void *data)
{
	/* the total timeout bounds how much a receiver can make us read */
	return size * nmemb;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *data)
{
	static const char name[] = "retry-after:";
	struct webhook *wh = data;
	size_t n = size * nmemb, len;

	/* a new status line (after a 100 Continue): forget earlier headers */
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0)
		wh->have_retry_after = false;
	if (n <= sizeof(name) - 1 || strncasecmp(p, name, sizeof(name) - 1))
		return n;
	p += sizeof(name) - 1;
	len = n - (sizeof(name) - 1);
	while (len && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len && isspace((unsigned char)p[len - 1]))
		len--;
	if (len >= sizeof(wh->retry_after))
		return n;
	memcpy(wh->retry_after, p, len);
	wh->retry_after[len] = '\0';
	wh->have_retry_after = true;
	return n;
}

int webhook_parse_retry_after(const char *value, time_t now, uint64_t *usec)
{
	unsigned long long secs = 0;
	const char *p;
	time_t t;

	if (!value || !*value)
		return -EINVAL;
	if (isdigit((unsigned char)*value)) {
		for (p = value; *p; p++) {
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			if (secs < WEBHOOK_RETRY_AFTER_MAX_USEC)
				secs = secs * 10 + (unsigned int)(*p - '0');
		}
	} else {
		t = curl_getdate(value, NULL);
		if (t == -1)
			return -EINVAL;
		secs = t > now ? (unsigned long long)(t - now) : 0;
	}
	if (secs > WEBHOOK_RETRY_AFTER_MAX_USEC / 1000000u)
		secs = WEBHOOK_RETRY_AFTER_MAX_USEC / 1000000u;
	*usec = secs * 1000000u;
	return 0;
}

void webhook_classify(long http_status, int curl_code,
		      const char *retry_after, time_t now,
		      struct webhook_outcome *out)
{
	uint64_t ra;

	memset(out, 0, sizeof(*out));
	out->http_status = http_status;
	if (http_status == 0) {
		/* a bad URL or scheme will not fix itself; all else may */
		if (curl_code == CURLE_URL_MALFORMAT ||
		    curl_code == CURLE_UNSUPPORTED_PROTOCOL)
			out->result = WEBHOOK_FAILED;
		else
			out->result = WEBHOOK_RETRY;
		snprintf(out->error, sizeof(out->error), "%s",
			 curl_easy_strerror((CURLcode)curl_code));
		return;
	}
	if (http_status >= 200 && http_status < 300) {
		out->result = WEBHOOK_DELIVERED;
		return;
	}
	if (http_status >= 500 || http_status == 429 || http_status == 408) {
		out->result = WEBHOOK_RETRY;
		if (retry_after &&
		    webhook_parse_retry_after(retry_after, now, &ra) == 0)
			out->retry_after_usec = ra;
		snprintf(out->error, sizeof(out->error),
			 "the receiver answered HTTP %ld%s", http_status,
			 out->retry_after_usec ? " with Retry-After" : "");
		return;
	}
	if (http_status == 401 || http_status == 403) {
		/* a credential the operator can fix (and reload): keep the
		 * alert, retry with backoff */
		out->result = WEBHOOK_RETRY;
		out->auth_refused = true;
		snprintf(out->error, sizeof(out->error),
			 "the receiver refused the credentials with HTTP %ld",
			 http_status);
		return;
	}
	out->result = WEBHOOK_FAILED;
	snprintf(out->error, sizeof(out->error),
		 http_status >= 300 && http_status < 400 ?
		 "the receiver answered HTTP %ld, a redirect, which is not followed: fix the URL" :
		 "the receiver refused the event with HTTP %ld", http_status);
}

uint64_t webhook_next_attempt(uint64_t now_usec, unsigned int attempts,
			      const struct webhook_outcome *o, uint64_t rnd)
{
	uint64_t span = WEBHOOK_BACKOFF_BASE_USEC;

	if (o && o->retry_after_usec)
		return now_usec + o->retry_after_usec;
	while (attempts-- && span < WEBHOOK_BACKOFF_CAP_USEC)
		span *= 2;
	if (span > WEBHOOK_BACKOFF_CAP_USEC)
		span = WEBHOOK_BACKOFF_CAP_USEC;
	return now_usec + rnd % (span + 1);
}

#define SETOPT(opt, val) do {						\
	if (rc == CURLE_OK)						\
		rc = curl_easy_setopt(wh->curl, opt, val);		\
} while (0)

/* Longest Authorization header line: the token endpoint's basic auth of
 * a client id and secret of WEBAUTH_SECRET_MAX bytes each, every byte
 * percent-encoded (3 bytes), in base64; about 64 KiB, on the stack of one
 * request at a time. */
#define AUTH_HEADER_MAX	(32 + BASE64_ENCODED_LEN(6 * WEBAUTH_SECRET_MAX + 1))

static size_t keep_body(char *p, size_t size, size_t nmemb, void *data)
{
	struct webhook *wh = data;
	size_t n = size * nmemb;
	char *r;

	if (wh->resp_len + n > WEBHOOK_RESPONSE_MAX)
		return 0;	/* too large: curl fails the transfer */
	/* one buffer of the largest size: a realloc would free a copy of
	 * the token without wiping it */
	if (!wh->resp) {
		wh->resp = malloc(WEBHOOK_RESPONSE_MAX + 1);
		if (!wh->resp)
			return 0;
	}
	r = wh->resp;
	memcpy(r + wh->resp_len, p, n);
	wh->resp_len += n;
	r[wh->resp_len] = '\0';
	return n;
}

static void drop_response(struct webhook *wh)
{
	if (wh->resp) {
		/* a token response: a secret */
		explicit_bzero(wh->resp, wh->resp_len);
		free(wh->resp);
	}
	wh->resp = NULL;
	wh->resp_len = 0;
}

/* Free a header list whose lines may hold credentials. */
static void free_headers(struct curl_slist *hdrs)
{
	struct curl_slist *h;

	for (h = hdrs; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(hdrs);
}

/* Transport and TLS options of every request, to the receiver or to the
 * token endpoint: the same verification, the same client certificate. */
static CURLcode common_opts(struct webhook *wh, const char *url)
{
	CURLcode rc = CURLE_OK;

	SETOPT(CURLOPT_URL, url);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_POST, 1L);
	SETOPT(CURLOPT_USERAGENT, USER_AGENT);
	SETOPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SETOPT(CURLOPT_SSL_VERIFYPEER, wh->tls_verify ? 1L : 0L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, wh->tls_verify ? 2L : 0L);
	if (wh->ca_file)
		SETOPT(CURLOPT_CAINFO, wh->ca_file);
	if (wh->auth && wh->auth->cert_pem) {
		/* from memory: the key file was read (and checked) at load;
		 * curl copies the blob descriptor, not the key */
		struct curl_blob cert = {
			.data = wh->auth->cert_pem, .len = wh->auth->cert_len,
			.flags = CURL_BLOB_NOCOPY,
		};
		struct curl_blob key = {
			.data = wh->auth->key_pem, .len = wh->auth->key_len,
			.flags = CURL_BLOB_NOCOPY,
		};

		SETOPT(CURLOPT_SSLCERT_BLOB, &cert);
		SETOPT(CURLOPT_SSLCERTTYPE, "PEM");
		SETOPT(CURLOPT_SSLKEY_BLOB, &key);
		SETOPT(CURLOPT_SSLKEYTYPE, "PEM");
	}
	/* "" disables proxies, including those of the environment */
	SETOPT(CURLOPT_PROXY, wh->proxy ? wh->proxy : "");
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, wh->connect_timeout_ms);
	SETOPT(CURLOPT_TIMEOUT_MS, wh->timeout_ms);
	return rc;
}

static uint64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * Get an OAuth 2.0 access token (client credentials grant) into wh->auth.
 * 0: stored; 1: none, and out says why (a retry); a negative errno for a
 * local failure.
 */
static int fetch_token(struct webhook *wh, struct webhook_outcome *out)
{
	char hdr[AUTH_HEADER_MAX], code[48];
	struct curl_slist *hdrs = NULL, *h;
	CURLcode rc = CURLE_OK;
	char *body = NULL;
	long status = 0;
	uint64_t ra;
	int ret;

	ret = webauth_token_request(wh->auth, &body, hdr, sizeof(hdr));
	if (ret < 0)
		return ret;
	ret = -ENOMEM;
	if (!(h = curl_slist_append(hdrs, "Content-Type: application/x-www-form-urlencoded")))
		goto out;
	hdrs = h;
	if (!(h = curl_slist_append(hdrs, "Accept: application/json")))
		goto out;
	hdrs = h;
	if (!(h = curl_slist_append(hdrs, "Expect:")))
		goto out;
	hdrs = h;
	if (hdr[0]) {
		if (!(h = curl_slist_append(hdrs, hdr)))
			goto out;
		hdrs = h;
	}
	curl_easy_reset(wh->curl);
	drop_response(wh);
	wh->have_retry_after = false;
	rc = common_opts(wh, wh->auth->token_url);
	SETOPT(CURLOPT_POSTFIELDS, body);
	SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	SETOPT(CURLOPT_HTTPHEADER, hdrs);
	SETOPT(CURLOPT_WRITEFUNCTION, keep_body);
	SETOPT(CURLOPT_WRITEDATA, wh);
	SETOPT(CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(CURLOPT_HEADERDATA, wh);
	if (rc != CURLE_OK) {
		ret = -ENOTSUP;
		goto out;
	}
	rc = curl_easy_perform(wh->curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(wh->curl, CURLINFO_RESPONSE_CODE, &status);
	memset(out, 0, sizeof(*out));
	out->result = WEBHOOK_RETRY;
	ret = 1;
	if (rc != CURLE_OK) {
		snprintf(out->error, sizeof(out->error),
			 "OAuth 2.0 token endpoint: %s",
			 curl_easy_strerror(rc));
	} else if (status == 200) {
		if (webauth_token_parse(wh->auth, wh->resp ? wh->resp : "",
					wh->resp_len, mono_usec()) == 0)
			ret = 0;
		else
			snprintf(out->error, sizeof(out->error),
				 "OAuth 2.0 token endpoint: the response is "
				 "not a bearer token (RFC 6749 5.1)");
	} else if (status == 400 || status == 401 || status == 403) {
		webauth_token_error(wh->resp ? wh->resp : "", wh->resp_len,
				    code, sizeof(code));
		out->auth_refused = true;
		out->http_status = status;
		snprintf(out->error, sizeof(out->error),
			 "OAuth 2.0 token endpoint refused the client "
			 "credentials with HTTP %ld%s%s%s", status,
			 code[0] ? " (" : "", code, code[0] ? ")" : "");
	} else {
		out->http_status = status;
		if (wh->have_retry_after &&
		    webhook_parse_retry_after(wh->retry_after, time(NULL),
					      &ra) == 0)
			out->retry_after_usec = ra;
		snprintf(out->error, sizeof(out->error),
			 "OAuth 2.0 token endpoint answered HTTP %ld", status);
	}
out:
	curl_easy_reset(wh->curl);
	drop_response(wh);
	free_headers(hdrs);
	explicit_bzero(hdr, sizeof(hdr));
	if (body) {
		explicit_bzero(body, strlen(body));
		free(body);
	}
	return ret;
}

/* One POST of body to the receiver; its status (0: none) and curl code. */
static int post_once(struct webhook *wh, const struct event *ev,
		     const char *body, size_t len, long *status, CURLcode *rcp)
{
	struct curl_slist *hdrs = NULL, *h;
	char line[AUTH_HEADER_MAX], sig[WEBHOOK_SIGNATURE_SIZE];
	CURLcode rc = CURLE_OK;
	time_t now = time(NULL);
	int ret = -ENOMEM;

	*status = 0;
#define ADD_HEADER(...) do {						\
	snprintf(line, sizeof(line), __VA_ARGS__);			\
	h = curl_slist_append(hdrs, line);				\
	if (!h)								\
		goto out;						\
	hdrs = h;							\
} while (0)
	ADD_HEADER("Content-Type: application/json");
	ADD_HEADER("Expect:");
	ADD_HEADER("webhook-id: %s", ev->id);
	ADD_HEADER("webhook-timestamp: %lld", (long long)now);
	if (wh->secret) {
		ret = webhook_sign(wh->secret, ev->id, (long long)now, body,
				   len, sig, sizeof(sig));
		if (ret < 0)
			goto out;
		ret = -ENOMEM;
		ADD_HEADER("webhook-signature: %s", sig);
	}
#undef ADD_HEADER
	ret = webauth_header(wh->auth, line, sizeof(line));
	if (ret < 0)
		goto out;
	ret = -ENOMEM;
	if (line[0]) {
		h = curl_slist_append(hdrs, line);
		if (!h)
			goto out;
		hdrs = h;
	}

	/* reset keeps the connection cache: a retry reuses the connection */
	curl_easy_reset(wh->curl);
	wh->have_retry_after = false;
	rc = common_opts(wh, wh->url);
	SETOPT(CURLOPT_POSTFIELDS, body);
	SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	SETOPT(CURLOPT_HTTPHEADER, hdrs);
	SETOPT(CURLOPT_WRITEFUNCTION, discard_body);
	SETOPT(CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(CURLOPT_HEADERDATA, wh);
	if (rc != CURLE_OK) {
		/* an option this libcurl lacks: we cannot send safely */
		ret = -ENOTSUP;
		goto out;
	}
	rc = curl_easy_perform(wh->curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(wh->curl, CURLINFO_RESPONSE_CODE, status);
	*rcp = rc;
	ret = 0;
out:
	/* the options point into hdrs and body */
	curl_easy_reset(wh->curl);
	free_headers(hdrs);
	explicit_bzero(line, sizeof(line));
	return ret;
}

int webhook_deliver(struct webhook *wh, const struct event *ev,
		    struct webhook_outcome *out)
{
	bool oauth = wh->auth && wh->auth->kind == WEBAUTH_OAUTH2;
	bool fresh = false;
	CURLcode rc = CURLE_OK;
	char what[96];
	long status = 0;
	char *body = NULL;
	size_t len;
	int ret;

	ret = webhook_format_body(wh->format, ev, wh->instance, &body);
	if (ret < 0)
		return ret;
	len = strlen(body);
	if (oauth && !webauth_token_valid(wh->auth, mono_usec())) {
		ret = fetch_token(wh, out);
		if (ret != 0)
			goto out;	/* 1: out says why */
		fresh = true;
	}
	ret = post_once(wh, ev, body, len, &status, &rc);
	if (ret < 0)
		goto out;
	if (oauth && !fresh && rc == CURLE_OK && status == 401) {
		/* revoked or expired early: one new token, one more try */
		webauth_token_drop(wh->auth);
		ret = fetch_token(wh, out);
		if (ret != 0)
			goto out;
		ret = post_once(wh, ev, body, len, &status, &rc);
		if (ret < 0)
			goto out;
	}
	webhook_classify(rc == CURLE_OK ? status : 0, (int)rc,
			 wh->have_retry_after ? wh->retry_after : NULL,
			 time(NULL), out);
	if (out->auth_refused) {
		/* name the mechanism, never the secret */
		if (!wh->auth && url_has_user(wh->url))
			snprintf(what, sizeof(what), "basic auth from the URL");
		else if (!wh->auth)
			snprintf(what, sizeof(what), "none configured%s",
				 wh->secret ? "; is the signing key right?" :
				 "");
		else
			webauth_describe(wh->auth, what, sizeof(what));
		snprintf(out->error, sizeof(out->error),
			 "the receiver refused the credentials (%s) with "
			 "HTTP %ld", what, status);
		if (oauth)
			webauth_token_drop(wh->auth);
	}
	ret = 0;
out:
	if (ret > 0)
		ret = 0;
	free(body);
	return ret;
}
