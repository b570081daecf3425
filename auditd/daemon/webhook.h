/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webhook.h - the webhook sink: one HTTP POST per event, signed as the
 * Standard Webhooks spec says (https://www.standardwebhooks.com/):
 *
 *	webhook-id:        the event id (the same on every retry: receivers
 *	                   deduplicate on it)
 *	webhook-timestamp: unix seconds of this attempt
 *	webhook-signature: "v1," base64(HMAC-SHA256(key, id "." ts "." body))
 *
 * Transport decisions, all deliberate:
 *   - TLS peer and host verification on; only tls_no_verify, set from an
 *     explicit "tls_verify = no" in the configuration, turns them off (the
 *     caller logs a warning when it does).  A zeroed config verifies.
 *   - Redirects are not followed (a signed body must not be replayed to
 *     another host); a 3xx is a permanent failure: the URL is wrong.
 *   - Only http and https; TLS 1.2 or later.
 *   - Credentials (webauth.h): at most one of a URL userinfo (basic auth,
 *     handled by libcurl) and config.auth; a client certificate goes with
 *     either.  OAuth 2.0: the access token is fetched from the token
 *     endpoint (same TLS settings, no redirects either) when there is none
 *     or it expired, cached in config.auth, and on a 401 from the receiver
 *     fetched once more and the request sent again, once.
 *   - 401 and 403 are credential failures: WEBHOOK_RETRY with
 *     outcome.auth_refused, never a drop: the operator fixes the secret and
 *     reloads, and the alert is still there.  A failing token endpoint is
 *     an outage like any other (WEBHOOK_RETRY, outcome.auth_refused when it
 *     refused the client).
 *   - No proxy unless config.proxy is set: the proxy variables of the
 *     environment are ignored, because the daemon's environment is not its
 *     configuration and a proxy would see every alert.
 *   - Connect and total timeouts; the response body is read and discarded,
 *     at most WEBHOOK_RESPONSE_MAX bytes.
 * The URL is a secret (it often embeds a token): nothing here puts it in an
 * error text; log it only through webhook_redact_url().
 *
 * The program calls curl_global_init() once before webhook_new().
 * Error idiom as in ruleset.h.
 */
#ifndef FWAUDIT_WEBHOOK_H
#define FWAUDIT_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "event.h"
#include "webauth.h"

#define WEBHOOK_SECRET_MAX	1024	/* bytes of key */
#define WEBHOOK_SECRET_FILE_MAX	4096	/* bytes of secret file */
#define WEBHOOK_RESPONSE_MAX	(64u << 10)
#define WEBHOOK_CREDENTIAL_NAME	"webhook-secret"

/* Backoff: full jitter over min(cap, base * 2^attempts). */
#define WEBHOOK_BACKOFF_BASE_USEC	1000000ull
#define WEBHOOK_BACKOFF_CAP_USEC	(600ull * 1000000ull)
/* Longest Retry-After honoured; a larger one is cut to this. */
#define WEBHOOK_RETRY_AFTER_MAX_USEC	(3600ull * 1000000ull)

enum webhook_format {
	WEBHOOK_FORMAT_GENERIC,		/* the event JSON (event_to_json) */
	WEBHOOK_FORMAT_ALERTMANAGER,	/* Alertmanager API v2 alert list */
	WEBHOOK_FORMAT_SLACK,		/* {"text": "..."} */
};

struct webhook_config {
	const char *url;		/* required; http:// or https:// */
	enum webhook_format format;
	bool tls_no_verify;		/* only from an explicit setting */
	const char *ca_file;		/* CA bundle, NULL: the system's */
	const char *proxy;		/* NULL: no proxy at all */
	long connect_timeout_ms;	/* <= 0: 5000 */
	long timeout_ms;		/* <= 0: 15000, the whole attempt */
	const char *instance;		/* Alertmanager "instance" label and
					 * Slack host name; NULL: gethostname */
	struct webauth *auth;		/* borrowed, NULL: none; it must
					 * outlive the webhook, which caches
					 * the OAuth token in it */
};

/* A signing key; opaque so that it is wiped when freed. */
struct webhook_secret;

/*
 * Read the signing key from path, or, when path is NULL, from
 * $CREDENTIALS_DIRECTORY/webhook-secret (systemd LoadCredential=).  The
 * file holds the key on its first line; trailing whitespace is ignored; a
 * "whsec_" prefix means the rest is base64 of the key (the Standard
 * Webhooks form).  -ENOENT when there is no such file (or no
 * CREDENTIALS_DIRECTORY), -EINVAL when the file is empty, too large or its
 * whsec_ part is not base64.  Free with webhook_secret_free().
 */
int webhook_secret_load(const char *path, struct webhook_secret **out);
/* Make a secret from key[0..len) (tests, or a key from elsewhere). */
int webhook_secret_new(const void *key, size_t len,
		       struct webhook_secret **out);
void webhook_secret_free(struct webhook_secret *secret);

/*
 * The webhook-signature value for one attempt: "v1," + base64 of
 * HMAC-SHA256(key, id "." timestamp "." body), NUL-terminated in sig.
 * -ENOSPC when size is too small (WEBHOOK_SIGNATURE_SIZE is enough).
 */
#define WEBHOOK_SIGNATURE_SIZE	64
int webhook_sign(const struct webhook_secret *secret, const char *id,
		 long long timestamp, const char *body, size_t len,
		 char *sig, size_t size);

/*
 * The body to POST for ev in this format, as a malloc'd NUL-terminated
 * string (free it).  instance names the host (Alertmanager/Slack).
 * Alertmanager: a JSON array of one alert whose labels are alertname
 * (FwauditExposure / FwauditViolation / FwauditAuditFailed), severity,
 * instance and the identifying fields; annotations summary, description,
 * fix, rule, ...; startsAt the event time, and for a closing event endsAt
 * too, so that Alertmanager resolves the alert with the same labels.
 * Firing alerts have no endsAt: Alertmanager then resolves them by itself
 * after its resolve_timeout, so the daemon re-sends the firing ones more
 * often than that (as Prometheus does).
 */
int webhook_format_body(enum webhook_format format, const struct event *ev,
			const char *instance, char **out);

/* "https://host/…" (scheme and host, no user, path or query), for logs.
 * "(invalid URL)" for what does not parse.  Always NUL-terminates buf. */
void webhook_redact_url(const char *url, char *buf, size_t size);

enum webhook_result {
	WEBHOOK_DELIVERED,	/* 2xx: remove from the spool */
	WEBHOOK_RETRY,		/* try again at outcome.retry_usec or later */
	WEBHOOK_FAILED,		/* refused for good: log, count, drop */
};

struct webhook_outcome {
	enum webhook_result result;
	long http_status;		/* 0: no HTTP response */
	uint64_t retry_after_usec;	/* from Retry-After; 0: none given */
	bool auth_refused;		/* the receiver (401/403) or the token
					 * endpoint refused the credentials */
	char error[200];		/* why, for the log; never the URL nor
					 * a secret */
};

struct webhook;

/*
 * Prepare a sink for cfg (copied) and secret (borrowed: it must outlive the
 * webhook; NULL sends unsigned requests).  -EINVAL for a URL that is not
 * http(s) or does not parse; -EEXIST when the URL holds a user name and
 * cfg->auth a bearer, basic or OAuth credential too; -ENOMEM.
 */
int webhook_new(const struct webhook_config *cfg,
		const struct webhook_secret *secret, struct webhook **out);
void webhook_free(struct webhook *wh);

/*
 * One delivery attempt of ev, blocking for at most the configured timeout.
 * Returns 0 with *out telling what happened (including network failures,
 * which are WEBHOOK_RETRY), or a negative errno for a local failure
 * (-ENOMEM...) in which case nothing was sent.
 */
int webhook_deliver(struct webhook *wh, const struct event *ev,
		    struct webhook_outcome *out);

/*
 * Classify an HTTP status (0 with curl_code for a transport failure) and a
 * Retry-After value (NULL if absent) received at now (unix seconds) into
 * out.  Exposed for tests.
 */
void webhook_classify(long http_status, int curl_code,
		      const char *retry_after, time_t now,
		      struct webhook_outcome *out);

/*
 * Parse a Retry-After value: delay-seconds or an HTTP-date, relative to now.
 * A date in the past is 0.  Capped at WEBHOOK_RETRY_AFTER_MAX_USEC.
 * -EINVAL for anything else.
 */
int webhook_parse_retry_after(const char *value, time_t now, uint64_t *usec);

/*
 * When to try again after a failed attempt number attempts (0 for the first
 * failure): now + retry_after when the receiver said so, else now + a
 * uniformly random delay in [0, min(cap, base * 2^attempts)] ("full
 * jitter"), with rnd a uniform random 64-bit value.
 */
uint64_t webhook_next_attempt(uint64_t now_usec, unsigned int attempts,
			      const struct webhook_outcome *o, uint64_t rnd);

#endif
