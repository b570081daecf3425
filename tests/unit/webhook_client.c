// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * webhook_client.c - drives the sinks for tests/netns/webhook.sh and
 * journal.sh; not a test by itself.
 *
 *   webhook_client put SPOOLDIR N
 *	spool N events ("event 0" ...), printing their ids
 *   webhook_client deliver SPOOLDIR URL SECRETFILE DEADLINE_S [TIMEOUT_MS [FORMAT [CONF]]]
 *	deliver until the spool is empty (exit 0) or the deadline (exit 1),
 *	one line per attempt; never prints the URL or the secret.  CONF, a
 *	fwauditd.conf, gives the credentials (webhook_*_file keys) and
 *	webhook_ca_file, read as fwauditd reads them
 *   webhook_client journal
 *	send one sample event to the journal, print its JSON
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "daemon_config.h"
#include "event.h"
#include "journal.h"
#include "spool.h"
#include "webhook.h"

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int cmd_put(const char *dir, unsigned int n)
{
	struct spool *s;
	struct event *ev;
	char msg[64];
	unsigned int i;
	int ret;

	ret = spool_open(dir, SPOOL_DEFAULT_MAX, SPOOL_DROP_OLDEST, &s);
	if (ret < 0) {
		fprintf(stderr, "Failed to open the spool: %s\n", strerror(-ret));
		return 1;
	}
	for (i = 0; i < n; i++) {
		snprintf(msg, sizeof(msg), "event %u", i);
		ret = event_new(i % 2 ? EVENT_VIOLATION_RESOLVED :
				EVENT_VIOLATION_OPENED, EVENT_SEV_CRITICAL,
				msg, &ev);
		if (ret == 0) {
			event_set_field(ev, EVENT_F_PROTOCOL, "tcp");
			event_set_fieldf(ev, EVENT_F_PORTS, "%u", 6000 + i);
			ret = spool_put(s, ev);
			if (ret >= 0)
				printf("%s\n", ev->id);
			event_free(ev);
		}
		if (ret < 0) {
			fprintf(stderr, "Failed to spool an event: %s\n",
				strerror(-ret));
			spool_close(s);
			return 1;
		}
	}
	spool_close(s);
	return 0;
}

static const char *result_name(enum webhook_result r)
{
	return r == WEBHOOK_DELIVERED ? "delivered" :
	       r == WEBHOOK_RETRY ? "retry" : "failed";
}

static int cmd_deliver(const char *dir, const char *url, const char *secret_path,
		       unsigned int deadline_s, long timeout_ms,
		       const char *format, const char *conf)
{
	struct daemon_config dc;
	struct daemon_config_error derr;
	struct webauth_files af;
	struct webauth *auth = NULL;
	const char *what;
	struct webhook_config cfg = {
		.url = url,
		.timeout_ms = timeout_ms,
		.connect_timeout_ms = 1000,
		.instance = "test-node",
	};
	struct webhook_secret *secret = NULL;
	struct webhook_outcome o;
	struct webhook *wh = NULL;
	struct spool_entry *e;
	struct spool *s = NULL;
	uint64_t deadline, now, next, rnd;
	unsigned int delivered = 0, failed = 0;
	char redacted[256];
	int ret, status = 1;

	if (!strcmp(format, "alertmanager"))
		cfg.format = WEBHOOK_FORMAT_ALERTMANAGER;
	else if (!strcmp(format, "slack"))
		cfg.format = WEBHOOK_FORMAT_SLACK;
	deadline = now_usec() + (uint64_t)deadline_s * 1000000u;
	ret = daemon_config_init(&dc);
	if (ret < 0)
		return 1;
	if (conf) {
		/* load makes a new configuration: drop the defaults first */
		daemon_config_release(&dc);
		ret = daemon_config_load(conf, false, &dc, &derr);
		if (ret < 0) {
			fprintf(stderr, "%s\n", derr.message);
			return 1;
		}
	}
	daemon_config_webauth_files(&dc, &af);
	ret = webauth_load(&af, &auth, &what);
	if (ret < 0) {
		fprintf(stderr, "Failed to read %s: %s\n",
			what ? what : "the credentials", strerror(-ret));
		goto out;
	}
	cfg.auth = auth;
	cfg.ca_file = dc.webhook_ca_file;
	ret = webhook_secret_load(secret_path, &secret);
	if (ret < 0) {
		fprintf(stderr, "Failed to read the webhook secret: %s\n",
			strerror(-ret));
		goto out;
	}
	ret = webhook_new(&cfg, secret, &wh);
	webhook_redact_url(url, redacted, sizeof(redacted));
	if (ret < 0) {
		fprintf(stderr, "Bad webhook URL %s: %s\n", redacted,
			strerror(-ret));
		goto out;
	}
	ret = spool_open(dir, SPOOL_DEFAULT_MAX, SPOOL_DROP_OLDEST, &s);
	if (ret < 0) {
		fprintf(stderr, "Failed to open the spool: %s\n", strerror(-ret));
		goto out;
	}
	printf("delivering %zu event(s) to %s\n", spool_count(s), redacted);
	fflush(stdout);
	while ((now = now_usec()) < deadline) {
		ret = spool_next_due(s, now, &e);
		if (ret == -ENOENT) {
			status = 0;
			break;
		}
		if (ret == -EAGAIN) {
			if (spool_next_time(s, &next) < 0 || next > deadline)
				next = deadline;
			if (next - now > 100000)
				next = now + 100000;
			usleep((useconds_t)(next - now));
			continue;
		}
		if (ret < 0) {
			fprintf(stderr, "Failed to read the spool: %s\n",
				strerror(-ret));
			break;
		}
		ret = webhook_deliver(wh, e->event, &o);
		if (ret < 0) {
			fprintf(stderr, "Failed to send: %s\n", strerror(-ret));
			spool_entry_free(e);
			break;
		}
		if (o.result == WEBHOOK_DELIVERED) {
			ret = spool_mark_delivered(s, e);
			delivered++;
			next = 0;
		} else if (o.result == WEBHOOK_FAILED) {
			ret = spool_mark_failed(s, e);
			failed++;
			next = 0;
		} else {
			if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
				rnd = now;
			next = webhook_next_attempt(now_usec(), e->attempts, &o,
						    rnd);
			ret = spool_mark_retry(s, e, next);
		}
		printf("attempt %s %u %s %ld %" PRIu64 " %s\n", e->event->id,
		       e->attempts, result_name(o.result), o.http_status,
		       next ? (next - now) / 1000 : 0,
		       o.error[0] ? o.error : "-");
		fflush(stdout);
		spool_entry_free(e);
		if (ret < 0) {
			fprintf(stderr, "Failed to update the spool: %s\n",
				strerror(-ret));
			break;
		}
	}
	printf("done delivered=%u failed=%u left=%zu dropped=%" PRIu64
	       " failed_total=%" PRIu64 "\n", delivered, failed,
	       s ? spool_count(s) : 0, s ? spool_dropped(s) : 0,
	       s ? spool_failed(s) : 0);
out:
	spool_close(s);
	webhook_free(wh);
	webhook_secret_free(secret);
	webauth_free(auth);
	daemon_config_release(&dc);
	return status;
}

static int cmd_journal(void)
{
	struct event *ev;
	json_t *j;
	char *text;
	int ret;

	ret = event_new(EVENT_VIOLATION_OPENED, EVENT_SEV_CRITICAL,
			"tcp/6379 on 0.0.0.0 is reachable from anywhere "
			"(container redis)", &ev);
	if (ret < 0)
		return 1;
	event_set_field(ev, EVENT_F_FAMILY, "ipv4");
	event_set_field(ev, EVENT_F_PROTOCOL, "tcp");
	event_set_field(ev, EVENT_F_PORTS, "6379");
	event_set_field(ev, EVENT_F_ADDRESS, "0.0.0.0");
	event_set_field(ev, EVENT_F_SOURCES, "0.0.0.0/0");
	event_set_field(ev, EVENT_F_INTERFACES, "eth0");
	event_set_field(ev, EVENT_F_PATH, "forward");
	event_set_field(ev, EVENT_F_BACKEND, "172.17.0.2:6379 (container redis)");
	event_set_field(ev, EVENT_F_STATE, "exposed");
	event_set_field(ev, EVENT_F_CERTAINTY, "definite");
	event_set_field(ev, EVENT_F_RULE, "/etc/fwaudit/rules.d/db.rules:3");
	event_set_field(ev, EVENT_F_FIX,
			"iptables -I DOCKER-USER -p tcp -m conntrack "
			"--ctorigdstport 6379 -j DROP");
	ret = journal_send_event(ev);
	if (ret < 0) {
		fprintf(stderr, "Failed to send to the journal: %s\n",
			strerror(-ret));
		event_free(ev);
		return 1;
	}
	ret = event_to_json(ev, &j);
	event_free(ev);
	if (ret < 0)
		return 1;
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!text)
		return 1;
	printf("%s\n", text);
	free(text);
	return 0;
}

int main(int argc, char **argv)
{
	int ret = 2;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (argc == 4 && !strcmp(argv[1], "put"))
		ret = cmd_put(argv[2], (unsigned int)strtoul(argv[3], NULL, 10));
	else if (argc >= 6 && argc <= 9 && !strcmp(argv[1], "deliver"))
		ret = cmd_deliver(argv[2], argv[3], argv[4],
				  (unsigned int)strtoul(argv[5], NULL, 10),
				  argc > 6 ? strtol(argv[6], NULL, 10) : 5000,
				  argc > 7 ? argv[7] : "generic",
				  argc > 8 ? argv[8] : NULL);
	else if (argc == 2 && !strcmp(argv[1], "journal"))
		ret = cmd_journal();
	else
		fprintf(stderr, "usage: %s put SPOOLDIR N | deliver SPOOLDIR URL "
			"SECRETFILE DEADLINE_S [TIMEOUT_MS [FORMAT [CONF]]] | journal\n",
			argv[0]);
	curl_global_cleanup();
	return ret;
}
