// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwauditd.c - the service: watch, debounce, audit, diff, report.
 *
 * One sd-event loop, one thread.  Kernel events (watch.c) and the poll
 * timer schedule an audit after debounce_ms of quiet (at most max_delay_ms
 * after the first event of a burst); the result is compared with the last
 * good one (diff.c) and each change becomes one event: the journal entry
 * first, then the webhook spool.  The spool is drained by a timer driven by
 * spool_next_time(); a delivery attempt blocks the loop for at most the
 * webhook timeout, and a batch of them stops after a second, which bounds
 * how late an audit (or a watchdog ping) can be behind them.
 */
#include <errno.h>
#include <malloc.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <pwd.h>

#include <curl/curl.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "audit.h"
#include "daemon_config.h"
#include "daemon_privs.h"
#include "alerts.h"
#include "diff.h"
#include "event.h"
#include "journal.h"
#include "legacy.h"
#include "nft_cache.h"
#include "nftev.h"
#include "policy.h"
#include "prom.h"
#include "snapfile.h"
#include "spool.h"
#include "verdicts.h"
#include "watch.h"
#include "webhook.h"

/* A ruleset that changes under every read (a burst of commits, Docker
 * starting a stack) is read again after the debounce until it holds still;
 * only when no read has been consistent for this long is the audit
 * reported as failed. */
#define TRANSIENT_MAX_USEC	(60ull * 1000000)
#define DELIVER_BATCH		16	/* attempts per wakeup */
#define DELIVER_BATCH_USEC	1000000	/* and time spent on them */
#define RETIRED_MAX		16	/* policies kept for the last result */
/* The Prometheus textfile is rewritten at least this often, idle or not:
 * its heartbeat metric is how a stopped or stuck daemon is noticed. */
#define HEARTBEAT_USEC		(60ull * 1000000)

struct sinks {
	char *url;			/* a secret: never logged */
	struct webhook_secret *secret;
	struct webauth *auth;		/* credentials; the OAuth token */
	struct webhook *wh;
	struct spool *spool;
};

struct daemon {
	sd_event *e;
	const char *config_path;
	bool config_explicit;
	bool started_root;	/* the user must exist (reload) */
	struct daemon_config cfg;
	struct policy *policy;
	/* the last result borrows its policy: old ones live until the next
	 * good audit replaces it */
	struct policy *retired[RETIRED_MAX];
	size_t nretired;
	struct sinks sinks;
	struct watch *watch;
	sd_event_source *debounce, *poll, *deliver, *resend;
	bool pending;
	uint64_t first_change;
	struct audit_result *last;
	struct alerts alerts;		/* open, as last told */
	bool ever_audited;
	bool failed;
	uint64_t transient_since;	/* CLOCK_MONOTONIC of the first read a
					 * change interrupted, 0: none */
	uint64_t last_attempt_usec;
	bool have_fp;
	uint64_t fp;
	bool journal_broken;
	uint64_t events, audits;
	/* issue 13: what the last model reaches, to tell the nftables
	 * changes that cannot alter the answer (NULL: all of them can) */
	struct nftev_reach *reach;
	uint64_t skipped;		/* nftables messages that could not */
	uint32_t nft_genid;		/* of the last NEWGEN heard */
	/* the nftables tables read so far: only those the events name are
	 * read again (NULL: every audit reads everything) */
	struct nft_cache *cache;
	struct legacy_cache *lcache;	/* the same for legacy x_tables */
	bool cache_warned;		/* its failure logged once */
	uint64_t heartbeat_usec;	/* CLOCK_MONOTONIC of the last textfile */
	uint64_t crosscheck_usec;	/* CLOCK_MONOTONIC of the last one */
	uint64_t crosschecks, crosscheck_diffs;
	uint64_t trim_due;		/* CLOCK_MONOTONIC of the last audit
					 * whose peak is not given back, 0 */
	/* something but nftables may have changed since the last audit's
	 * read (rtnetlink, the fingerprint, lost events, a reload, a
	 * failure): the next audit walks everything; else it may start
	 * its walks at LOCAL_IN from the last result (engine.h) */
	bool host_dirty;
	uint64_t resumed, resumed_fwd;	/* walks started at LOCAL_IN, at
					 * FORWARD */
};

static bool log_prefix;

static void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	if (log_prefix)
		fprintf(stderr, "<%d>", level);
	else
		fputs("fwauditd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define log_err(...)	log_msg(3, __VA_ARGS__)
#define log_warn(...)	log_msg(4, __VA_ARGS__)
#define log_notice(...)	log_msg(5, __VA_ARGS__)
#define log_info(...)	log_msg(6, __VA_ARGS__)

static uint64_t now_usec(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- sinks ---------------------------------------------------------- */

static void sinks_close(struct sinks *s)
{
	webhook_free(s->wh);
	webhook_secret_free(s->secret);
	webauth_free(s->auth);
	if (s->url) {
		explicit_bzero(s->url, strlen(s->url));
		free(s->url);
	}
	spool_close(s->spool);
	memset(s, 0, sizeof(*s));
}

/* The webhook of cfg into s (no spool yet).  *why says what failed.
 * Credentials are read here, at start and at each reload (SIGHUP): a
 * rotated secret takes effect with a reload. */
static int sinks_webhook(const struct daemon_config *cfg, struct sinks *s,
			 const char **why)
{
	static char what[160];
	struct webhook_config wc = { 0 };
	struct webauth_files af;
	const char *key;
	int ret;

	ret = daemon_config_webhook_url(cfg, &s->url);
	if (ret < 0) {
		*why = "read webhook_url_file";
		return ret;
	}
	if (!s->url)
		return 0;
	ret = webhook_secret_load(cfg->webhook_secret_file, &s->secret);
	if (ret == -ENOENT && !cfg->webhook_secret_file) {
		log_warn("No webhook secret (webhook_secret_file, or the "
			 "credential " WEBHOOK_CREDENTIAL_NAME "): requests "
			 "are not signed");
		s->secret = NULL;
	} else if (ret < 0) {
		*why = "load the webhook secret";
		return ret;
	} else if (cfg->webhook_secret_file) {
		struct stat st;

		/* only a warning: refusing it now would stop daemons that
		 * ran with it before (the new credential files are refused,
		 * webauth.h) */
		if (stat(cfg->webhook_secret_file, &st) == 0 &&
		    (st.st_mode & 066))
			log_warn("webhook_secret_file may be read or written "
				 "by its group or others: chmod 600 it, or use "
				 "LoadCredential=");
	}
	daemon_config_webauth_files(cfg, &af);
	ret = webauth_load(&af, &s->auth, &key);
	if (ret < 0) {
		/* the key, never the content */
		snprintf(what, sizeof(what), "read %s%s", key ? key :
			 "the webhook credentials", ret == -EPERM ?
			 " (group or others may read it: chmod 600, or "
			 "use LoadCredential=)" : "");
		*why = what;
		return ret;
	}
	wc.url = s->url;
	wc.auth = s->auth;
	wc.format = cfg->webhook_format;
	wc.tls_no_verify = cfg->tls_no_verify;
	wc.ca_file = cfg->webhook_ca_file;
	wc.connect_timeout_ms = cfg->connect_timeout_ms;
	wc.timeout_ms = cfg->timeout_ms;
	wc.instance = cfg->instance;
	ret = webhook_new(&wc, s->secret, &s->wh);
	if (ret == -EEXIST) {
		*why = "set up the webhook (credentials both in the URL and "
		       "in a webhook_*_file)";
		return -EINVAL;
	}
	if (ret < 0) {
		*why = "set up the webhook (bad URL?)";
		return ret;
	}
	if (s->auth) {
		char desc[96];

		webauth_describe(s->auth, desc, sizeof(desc));
		log_info("Webhook credentials: %s", desc);
		if (s->auth->kind != WEBAUTH_NONE &&
		    (!strncasecmp(s->url, "http:", 5) ||
		     (s->auth->token_url &&
		      !strncasecmp(s->auth->token_url, "http:", 5))))
			log_warn("Webhook credentials (%s) are sent over "
				 "plain http: anyone on the path can read "
				 "them; use https", desc);
	}
	if (cfg->tls_no_verify)
		log_warn("tls_verify = no: the webhook receiver's TLS "
			 "certificate is NOT verified");
	return 0;
}

static bool same_spool(const struct daemon_config *a,
		       const struct daemon_config *b)
{
	return !strcmp(a->spool_dir, b->spool_dir) &&
	       a->spool_max == b->spool_max &&
	       a->spool_overflow == b->spool_overflow;
}

/* ---- events --------------------------------------------------------- */

static void daemon_arm_delivery(struct daemon *d);

static void daemon_emit(struct daemon *d, struct event *ev, bool journal)
{
	int ret;

	if (journal) {
		d->events++;
		/* sd_journal_send() succeeds silently without journald: the
		 * event would vanish */
		ret = access("/run/systemd/journal/socket", F_OK) < 0 ?
		      -ENOENT : journal_send_event(ev);
		if (ret < 0) {
			if (!d->journal_broken)
				log_err("Failed to write to the journal: %s; "
					"events go to stderr until it works",
					strerror(-ret));
			d->journal_broken = true;
			log_notice("%s: %s (id %s)", event_kind_name(ev->kind),
				   ev->message, ev->id);
		} else {
			d->journal_broken = false;
		}
	}
	if (!d->sinks.spool)
		return;
	ret = spool_put(d->sinks.spool, ev);
	if (ret < 0)
		log_err("Failed to spool event %s for the webhook: %s", ev->id,
			strerror(-ret));
	else if (ret == 1)
		log_warn("Webhook spool full (%zu entries): one event dropped "
			 "(%s policy), %" PRIu64 " lost so far",
			 d->cfg.spool_max,
			 d->cfg.spool_overflow == SPOOL_DROP_OLDEST ?
			 "drop-oldest" : "drop-newest",
			 spool_dropped(d->sinks.spool));
}

static void daemon_emit_simple(struct daemon *d, enum event_kind kind,
			       enum event_severity sev, const char *msg)
{
	struct event *ev;
	int ret;

	ret = event_new(kind, sev, msg, &ev);
	if (ret < 0) {
		log_err("Failed to make an event: %s", strerror(-ret));
		return;
	}
	daemon_emit(d, ev, true);
	event_free(ev);
}

static void daemon_status(struct daemon *d, bool ready)
{
	char buf[256];

	if (d->failed)
		snprintf(buf, sizeof(buf), "audit failing; last good: %zu "
			 "exposure(s), %zu violation(s)",
			 diff_nexposures(d->last), diff_nviolations(d->last));
	else
		snprintf(buf, sizeof(buf), "%zu exposure(s), %zu violation(s)%s",
			 diff_nexposures(d->last), diff_nviolations(d->last),
			 d->sinks.spool && spool_count(d->sinks.spool) ?
			 ", webhook backlog" : "");
	sd_notifyf(0, "%sSTATUS=%s", ready ? "READY=1\n" : "", buf);
}

static void daemon_write_metrics(struct daemon *d)
{
	struct prom_status st = { .daemon = true };
	int ret;

	if (!d->cfg.prometheus_textfile)
		return;
	st.success = d->ever_audited && !d->failed;
	st.last_audit_usec = d->last_attempt_usec;
	st.heartbeat_usec = now_usec(CLOCK_REALTIME);
	d->heartbeat_usec = now_usec(CLOCK_MONOTONIC);
	if (d->sinks.spool) {
		st.dropped_overflow = spool_dropped(d->sinks.spool);
		st.dropped_refused = spool_failed(d->sinks.spool);
		st.spool_entries = spool_count(d->sinks.spool);
	}
	ret = prom_write_textfile(d->cfg.prometheus_textfile, d->last, &st);
	if (ret < 0)
		log_err("Failed to write %s: %s", d->cfg.prometheus_textfile,
			strerror(-ret));
}

/* ---- audit ---------------------------------------------------------- */

static void daemon_schedule(struct daemon *d, uint64_t delay_usec);

/* Write the snapshot of the audit r (recorded in rec) to snapshot_file, so
 * that the alerts it raised can be explained after the fact
 * (`fwaudit explain --snapshot`).  A failure is logged, never fatal. */
static void daemon_keep_snapshot(struct daemon *d, struct snapfile_rec *rec,
				 const struct audit_result *r)
{
	char err[1024];

	/* streamed: no document of a kube-sized host's recordings in the
	 * daemon's memory (doc/snapshot.md, "Streamed recordings") */
	if (snapfile_record_write(rec, &r->snap, d->cfg.snapshot_file, err,
				  sizeof(err)) < 0)
		log_err("Failed to keep the snapshot: %s", err);
}

static struct diff_side side_of(const struct audit_result *r)
{
	return (struct diff_side){ r->report->rows, r->report->nrows,
				   r->verdicts };
}

/* The events of the change from the last audit to r, told as the alerts
 * they open, change or resolve (alerts.h); at the first audit, the state
 * found. */
static int daemon_alerts(struct daemon *d, const struct audit_result *r,
			 struct diff_events *de)
{
	struct diff_side old, cur = side_of(r);

	if (!d->last)
		return alerts_update(&d->alerts, NULL, &cur, r->snap.rs,
				     DIFF_START, de);
	old = side_of(d->last);
	return alerts_update(&d->alerts, &old, &cur, r->snap.rs, DIFF_CHANGES,
			     de);
}

/* ---- changes that cannot alter the answer (issue 13) -------------- */

static void daemon_write_result(struct daemon *d);

/* What an nftables message tells the incremental reader: the table to
 * read again, the generation heard; a message it cannot place means
 * everything is read again.  Returns nftev_table()'s kind (2: NEWGEN). */
static int daemon_cache_note(struct daemon *d, const void *msg, size_t len)
{
	const char *table = NULL;
	uint8_t family = 0;
	uint32_t genid = 0;
	int kind = nftev_table(msg, len, &family, &table, &genid);

	if (!d->cache)
		return kind;
	if (kind == 1)
		nft_cache_dirty(d->cache, family, table);
	else if (kind == 2)
		nft_cache_gen(d->cache, genid);
	else
		nft_cache_lost(d->cache);
	return kind;
}

/* The incremental reader, unless FWAUDITD_FULL_READ=1 (benchmarks, and a
 * way out should it ever be wrong). */
static void daemon_cache_open(struct daemon *d)
{
	const char *e = secure_getenv("FWAUDITD_FULL_READ");

	if (e && !strcmp(e, "1"))
		return;
	if (nft_cache_new(&d->cache) < 0 || legacy_cache_new(&d->lcache) < 0) {
		log_warn("No memory for the incremental readers: every audit "
			 "reads everything");
		nft_cache_free(d->cache);
		legacy_cache_free(d->lcache);
		d->cache = NULL;
		d->lcache = NULL;
	}
}

/* audit_run() of what the incremental reader has (recording a snapshot
 * reads everything, so that it holds everything).  A read the cache cannot
 * do for another reason than "not yet" is done whole. */
static int daemon_audit_run(struct daemon *d, struct audit_opts *o,
			    bool recording, struct audit_result **r,
			    enum snapshot_stage *stage)
{
	struct snapshot snap = { 0 };
	int ret;

	if (!d->cache || recording)
		return audit_run(o, r, stage);
	ret = snapshot_read_with(&snap, true, d->cache, d->lcache, stage);
	if (ret == -EAGAIN)
		return ret;
	if (ret < 0) {
		if (!d->cache_warned)
			log_warn("Incremental nftables read failed (%s): "
				 "reading everything", strerror(-ret));
		d->cache_warned = true;
		nft_cache_lost(d->cache);
		return audit_run(o, r, stage);
	}
	d->cache_warned = false;
	o->given = &snap;
	ret = audit_run(o, r, stage);
	o->given = NULL;
	snapshot_release(&snap);	/* taken over, or left on failure */
	return ret;
}

/* watch.c's judge of each nftables message: against the last model only
 * while its result is current (an audit pending or failing reads all of
 * it anyway, nftev.h) */
static bool daemon_nft_filter(void *data, const void *msg, size_t len)
{
	struct daemon *d = data;
	const struct nftev_reach *r = NULL;

	/* NEWGEN ends a batch: no change of its own */
	if (daemon_cache_note(d, msg, len) == 2)
		return false;
	if (!d->pending && !d->failed && d->last)
		r = d->reach;
	if (nftev_matters(r, msg, len, &d->nft_genid))
		return true;
	d->skipped++;
	return false;
}

/* After a good audit (d->last replaced): the reach of its model; the
 * tables the old result borrowed from the cache; the result file. */
static void daemon_audited(struct daemon *d)
{
	struct nftev_reach *prev;
	int ret;

	nft_cache_gc(d->cache);
	legacy_cache_gc(d->lcache);
	daemon_write_result(d);

	prev = d->reach;
	d->reach = NULL;
	ret = nftev_reach_new(d->last->snap.rs, prev, &d->reach);
	nftev_reach_free(prev);
	if (ret < 0)
		log_warn("Cannot index the ruleset (%s): every nftables change "
			 "is audited", strerror(-ret));
}

/* FWAUDITD_RESULT_FILE (tests, bench/): the current result as `fwaudit
 * audit --format json` prints it, written after each audit that ran, so
 * that a test can compare it with a fresh one-shot audit. */
static void daemon_write_result(struct daemon *d)
{
	const char *path = secure_getenv("FWAUDITD_RESULT_FILE");
	char tmp[4096];
	FILE *f;
	int ret;

	if (!path || !*path || !d->last)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f) {
		log_err("Failed to write %s: %m", tmp);
		return;
	}
	ret = verdicts_json(d->last, f);
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	if (ret < 0 || rename(tmp, path) < 0) {
		log_err("Failed to write %s: %s", path,
			strerror(ret < 0 ? -ret : errno));
		unlink(tmp);
	}
}

static void daemon_audit(struct daemon *d)
{
	struct audit_opts o = { 0 };
	struct diff_events de = { 0 };
	struct audit_result *r = NULL;
	enum snapshot_stage stage = SNAPSHOT_ANALYSIS;
	bool first = !d->ever_audited, recording;
	struct snapfile_rec rec;
	size_t i;
	int ret;

	o.policy = d->policy;
	o.ifaces = (const char *const *)d->cfg.ifaces;
	o.nifaces = d->cfg.nifaces;
	o.docker = d->cfg.docker;
	d->last_attempt_usec = now_usec(CLOCK_REALTIME);
	d->audits++;
	/* record what this audit reads: kept only if it changes something */
	recording = d->cfg.snapshot_file && snapfile_record_begin(&rec) == 0;
	/* the containers' own namespaces go into it as the audit reads them
	 * (container_netns), so the kept snapshot replays their rows too */
	o.rec = recording ? &rec : NULL;
	/* the walks from LOCAL_IN on only where nothing but nftables
	 * changed since the last read (a recording reads everything in
	 * full, whose strings the next model does not share: no use) */
	o.keep_resume = d->cache && !recording;
	o.prev = o.keep_resume && !d->host_dirty && !d->failed ? d->last :
		 NULL;
	d->host_dirty = false;
	ret = daemon_audit_run(d, &o, recording, &r, &stage);
	if (ret < 0) {
		d->host_dirty = true;
		if (recording)
			snapfile_record_abort(&rec);
		char msg[256];

		/* a generation that moved under the read: try again soon,
		 * it is not (yet) a failure */
		if ((ret == -EINTR || ret == -EAGAIN || ret == -EBUSY) &&
		    (!d->transient_since ||
		     now_usec(CLOCK_MONOTONIC) - d->transient_since <
		     TRANSIENT_MAX_USEC)) {
			if (!d->transient_since)
				d->transient_since = now_usec(CLOCK_MONOTONIC);
			daemon_schedule(d, (uint64_t)d->cfg.debounce_ms * 1000);
			return;
		}
		d->transient_since = 0;
		snprintf(msg, sizeof(msg), "Audit failed: reading %s: %s%s",
			 snapshot_stage_name(stage), strerror(-ret),
			 ret != -EPERM && ret != -EACCES ? "" :
			 stage == SNAPSHOT_LEGACY ?
			 " (legacy x_tables need CAP_NET_RAW and "
			 "CAP_DAC_READ_SEARCH: see fwauditd-legacy.conf)" :
			 " (CAP_NET_ADMIN missing?)");
		if (!d->failed) {
			log_err("%s", msg);
			daemon_emit_simple(d, EVENT_AUDIT_FAILED,
					   EVENT_SEV_CRITICAL, msg);
		}
		d->failed = true;
		d->ever_audited = true;
		daemon_status(d, first);
		daemon_write_metrics(d);
		daemon_arm_delivery(d);
		return;
	}
	d->transient_since = 0;
	if (d->failed) {
		d->failed = false;
		log_notice("Audit recovered");
		daemon_emit_simple(d, EVENT_AUDIT_RECOVERED, EVENT_SEV_INFO,
				   "Audit recovered: the firewall can be read "
				   "again");
	}
	ret = daemon_alerts(d, r, &de);
	if (ret < 0)
		log_err("Failed to compare audit results: %s; %zu event(s) "
			"of this change are reported", strerror(-ret), de.n);
	for (i = 0; i < de.n; i++)
		daemon_emit(d, de.ev[i], true);
	if (recording && (first || de.n))
		daemon_keep_snapshot(d, &rec, r);
	else if (recording)
		snapfile_record_abort(&rec);
	diff_events_release(&de);
	d->resumed += r->engine->nresumed - r->engine->nresumed_fwd;
	d->resumed_fwd += r->engine->nresumed_fwd;
	audit_result_free(d->last);
	d->last = r;
	d->ever_audited = true;
	daemon_audited(d);
	/* the walk's peak (regions, branches, the netlink buffers) is free
	 * now; it goes back when the daemon idles (on_poll()): given back
	 * after each audit of a burst, every next audit faulted it in again
	 * (11 % of an audit's CPU on kube-10000) */
	d->trim_due = now_usec(CLOCK_MONOTONIC);
	/* nothing borrows the retired policies any more */
	for (i = 0; i < d->nretired; i++)
		policy_free(d->retired[i]);
	d->nretired = 0;
	if (first)
		log_info("First audit in %.1f ms: %zu exposure(s), %zu "
			 "violation(s)", (double)r->duration_usec / 1000.0,
			 diff_nexposures(r), diff_nviolations(r));
	daemon_status(d, first);
	daemon_write_metrics(d);
	daemon_arm_delivery(d);
}

static int on_debounce(sd_event_source *s, uint64_t usec, void *data)
{
	struct daemon *d = data;

	(void)s;
	(void)usec;
	d->pending = false;
	daemon_audit(d);
	return 0;
}

/* Audit after delay of quiet, but no later than max_delay after the first
 * change of a burst. */
static void daemon_schedule(struct daemon *d, uint64_t delay_usec)
{
	uint64_t now = now_usec(CLOCK_MONOTONIC), at;

	if (!d->pending) {
		d->pending = true;
		d->first_change = now;
	}
	at = now + delay_usec;
	if (at > d->first_change + (uint64_t)d->cfg.max_delay_ms * 1000)
		at = d->first_change + (uint64_t)d->cfg.max_delay_ms * 1000;
	sd_event_source_set_time(d->debounce, at);
	sd_event_source_set_enabled(d->debounce, SD_EVENT_ONESHOT);
}

static void on_change(void *data, const char *why)
{
	struct daemon *d = data;

	if (!strcmp(why, "events lost") && d->cache)
		nft_cache_lost(d->cache);
	if (!strcmp(why, "events lost"))
		log_warn("Kernel events were lost (receive buffer overrun): "
			 "auditing everything");
	if (strcmp(why, "nftables"))
		d->host_dirty = true;
	daemon_schedule(d, (uint64_t)d->cfg.debounce_ms * 1000);
}

/* From the poll timer, every crosscheck_interval_s while idle: audit
 * everything read in full, aside, and compare it with the result kept up
 * to date from change events.  A difference (which would be a defect of
 * nftev.c or nft_cache.c) is logged and counted, and the next audit reads
 * everything and reports it as usual. */
static void daemon_crosscheck(struct daemon *d)
{
	struct audit_opts o = { 0 };
	struct diff_changes dc = { 0 };
	struct diff_side old, cur;
	struct audit_result *full = NULL;
	uint64_t now = now_usec(CLOCK_MONOTONIC);

	if (!d->cfg.crosscheck_s || !d->cache || d->pending || d->failed ||
	    !d->last)
		return;
	if (!d->crosscheck_usec)
		d->crosscheck_usec = now;	/* the first: a period after start */
	if (now - d->crosscheck_usec < (uint64_t)d->cfg.crosscheck_s * 1000000)
		return;
	d->crosscheck_usec = now;
	o.policy = d->policy;
	o.ifaces = (const char *const *)d->cfg.ifaces;
	o.nifaces = d->cfg.nifaces;
	o.docker = d->cfg.docker;
	if (audit_run(&o, &full, NULL) < 0)
		return;		/* e.g. the ruleset moved: next time */
	if (full->snap.rs->nft_genid != d->last->snap.rs->nft_genid) {
		/* committed since the last audit, its events not handled
		 * yet: not comparable, next time */
		audit_result_free(full);
		return;
	}
	d->crosschecks++;
	old = side_of(d->last);
	cur = side_of(full);
	if (diff_compare(&old, &cur, &dc) == 0 &&
	    (dc.n || dc.nmissing_opened || dc.nmissing_resolved)) {
		d->crosscheck_diffs++;
		log_warn("Cross-check: a full read gives %zu change(s) the "
			 "incremental state missed; reading everything again",
			 dc.n + dc.nmissing_opened + dc.nmissing_resolved);
		nft_cache_lost(d->cache);
		d->host_dirty = true;
		daemon_schedule(d, 0);
	}
	diff_changes_release(&dc);
	audit_result_free(full);
	d->trim_due = now_usec(CLOCK_MONOTONIC);
}

/* Give the last audits' peak back once no audit ran for a second. */
static void daemon_trim(struct daemon *d)
{
	if (!d->trim_due || d->pending ||
	    now_usec(CLOCK_MONOTONIC) - d->trim_due < 1000000)
		return;
	malloc_trim(0);
	d->trim_due = 0;
}

/* From the poll timer: the textfile again once HEARTBEAT_USEC passed
 * without an audit writing it. */
static void daemon_heartbeat(struct daemon *d)
{
	if (d->ever_audited &&
	    now_usec(CLOCK_MONOTONIC) - d->heartbeat_usec >= HEARTBEAT_USEC)
		daemon_write_metrics(d);
}

static int on_poll(sd_event_source *s, uint64_t usec, void *data)
{
	struct daemon *d = data;
	uint64_t fp;

	daemon_heartbeat(d);
	if (watch_fingerprint(d->watch, &fp) == 0) {
		if (d->have_fp && fp != d->fp) {
			d->host_dirty = true;
			daemon_schedule(d, (uint64_t)d->cfg.debounce_ms * 1000);
		}
		d->fp = fp;
		d->have_fp = true;
	}
	/* after the fingerprint: what it saw change is not a difference */
	daemon_crosscheck(d);
	daemon_trim(d);
	sd_event_source_set_time(s, usec + (uint64_t)d->cfg.poll_ms * 1000);
	sd_event_source_set_enabled(s, SD_EVENT_ON);
	return 0;
}

/* ---- webhook delivery ----------------------------------------------- */

static void daemon_arm_delivery(struct daemon *d)
{
	uint64_t t, now;

	if (!d->sinks.spool || !d->sinks.wh ||
	    spool_next_time(d->sinks.spool, &t) < 0) {
		sd_event_source_set_enabled(d->deliver, SD_EVENT_OFF);
		return;
	}
	now = now_usec(CLOCK_REALTIME);
	sd_event_source_set_time(d->deliver, now_usec(CLOCK_MONOTONIC) +
				 (t > now ? t - now : 0));
	sd_event_source_set_enabled(d->deliver, SD_EVENT_ONESHOT);
}

static int on_deliver(sd_event_source *s, uint64_t usec, void *data)
{
	struct daemon *d = data;
	char where[256];
	unsigned int i;
	size_t before = spool_count(d->sinks.spool);
	uint64_t t0 = now_usec(CLOCK_MONOTONIC);

	(void)s;
	(void)usec;
	webhook_redact_url(d->sinks.url, where, sizeof(where));

	/* bounded in count and time, so that a slow receiver delays audits
	 * and watchdog pings by at most one attempt more than this */
	for (i = 0; i < DELIVER_BATCH &&
	     now_usec(CLOCK_MONOTONIC) - t0 < DELIVER_BATCH_USEC; i++) {
		struct webhook_outcome o = { 0 };
		struct spool_entry *e;
		uint64_t rnd = 0, now = now_usec(CLOCK_REALTIME), next;
		int ret;

		ret = spool_next_due(d->sinks.spool, now, &e);
		if (ret < 0) {
			if (ret != -ENOENT && ret != -EAGAIN)
				log_err("Failed to read the webhook spool: %s",
					strerror(-ret));
			break;
		}
		ret = webhook_deliver(d->sinks.wh, e->event, &o);
		if (ret < 0) {
			o.result = WEBHOOK_RETRY;
			snprintf(o.error, sizeof(o.error), "%s", strerror(-ret));
		}
		switch (o.result) {
		case WEBHOOK_DELIVERED:
			ret = spool_mark_delivered(d->sinks.spool, e);
			break;
		case WEBHOOK_FAILED:
			log_err("Webhook %s refused event %s for good (HTTP "
				"%ld: %s): dropped, %" PRIu64 " refused so far",
				where, e->event->id, o.http_status, o.error,
				spool_failed(d->sinks.spool) + 1);
			ret = spool_mark_failed(d->sinks.spool, e);
			break;
		default:
			if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) < 0)
				rnd = now;
			next = webhook_next_attempt(now, e->attempts, &o, rnd);
			if (o.auth_refused &&
			    (e->attempts == 0 || e->attempts % 10 == 9))
				log_err("Webhook %s: %s; event %s stays "
					"spooled (attempt %u, retrying in "
					"%.1f s): fix the credential file and "
					"reload", where, o.error,
					e->event->id, e->attempts + 1,
					(double)(next - now) / 1e6);
			else if (e->attempts == 0 || e->attempts % 10 == 9)
				log_warn("Webhook %s: delivery of event %s "
					 "failed (%s), attempt %u; retrying in "
					 "%.1f s", where, e->event->id,
					 o.error, e->attempts + 1,
					 (double)(next - now) / 1e6);
			ret = spool_mark_retry(d->sinks.spool, e, next);
			i = DELIVER_BATCH;	/* only the oldest is ever due */
			break;
		}
		if (ret < 0 && ret != -ENOENT)
			log_err("Failed to update the webhook spool: %s",
				strerror(-ret));
		spool_entry_free(e);
	}
	daemon_arm_delivery(d);
	if (before != spool_count(d->sinks.spool))
		daemon_write_metrics(d);
	return 0;
}

/* Alertmanager forgets a firing alert after its resolve_timeout unless it
 * is sent again: re-send the current violations, only while the spool is
 * empty so that a long outage does not fill it with repetitions. */
static int on_resend(sd_event_source *s, uint64_t usec, void *data)
{
	struct daemon *d = data;
	struct diff_events de = { 0 };
	size_t i;

	if (d->sinks.spool && d->sinks.wh &&
	    d->cfg.webhook_format == WEBHOOK_FORMAT_ALERTMANAGER &&
	    spool_count(d->sinks.spool) == 0) {
		if (d->failed) {
			struct event *ev;

			if (event_new(EVENT_AUDIT_FAILED, EVENT_SEV_CRITICAL,
				      "Audit failing", &ev) == 0) {
				daemon_emit(d, ev, false);
				event_free(ev);
			}
		} else if (d->last) {
			alerts_firing(&d->alerts, &de);
			for (i = 0; i < de.n; i++)
				daemon_emit(d, de.ev[i], false);
			diff_events_release(&de);
		}
		daemon_arm_delivery(d);
	}
	if (d->cfg.resend_s) {
		sd_event_source_set_time(s, usec + (uint64_t)d->cfg.resend_s *
					 1000000);
		sd_event_source_set_enabled(s, SD_EVENT_ON);
	} else {
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
	}
	return 0;
}

/* ---- configuration -------------------------------------------------- */

static int load_policy(const struct daemon_config *cfg, struct policy **out,
		       char *why, size_t len)
{
	struct policy_error err;
	char path[4096], buf[1400];
	int ret;

	if (cfg->rules) {
		snprintf(path, sizeof(path), "%s", cfg->rules);
	} else {
		ret = policy_default_path(path, sizeof(path));
		if (ret < 0) {
			snprintf(why, len, "default policy path: %s",
				 strerror(-ret));
			return ret;
		}
	}
	memset(&err, 0, sizeof(err));
	ret = policy_load(path, out, &err);
	if (ret == -ENOENT && !cfg->rules) {
		/* no policy installed: report exposures, judge nothing */
		*out = NULL;
		snprintf(why, len, "%.1024s: no such file; running without "
			 "a policy", path);
		return 1;
	}
	if (ret < 0) {
		snprintf(why, len, "%s",
			 policy_error_format(&err, buf, sizeof(buf)));
		return ret;
	}
	return 0;
}

static int daemon_reload(struct daemon *d)
{
	struct daemon_config cfg;
	struct daemon_config_error cerr;
	struct policy *p = NULL;
	struct sinks ns = { 0 };
	const char *why = NULL;
	char pwhy[1500];
	bool keep_spool;
	int ret;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
		   now_usec(CLOCK_MONOTONIC));
	ret = daemon_config_load(d->config_path, !d->config_explicit, &cfg,
				 &cerr);
	/* a user the next start would refuse is an invalid configuration */
	if (ret == 0 && d->started_root) {
		ret = daemon_config_check_user(&cfg, d->config_path, &cerr);
		if (ret < 0)
			daemon_config_release(&cfg);
	}
	if (ret < 0) {
		log_err("Reload failed: %s; keeping the old configuration and "
			"rules", cerr.message);
		goto out;
	}
	ret = load_policy(&cfg, &p, pwhy, sizeof(pwhy));
	if (ret < 0) {
		log_err("Reload failed: %s; keeping the old configuration and "
			"rules", pwhy);
		daemon_config_release(&cfg);
		goto out;
	}
	if (ret == 1)
		log_warn("%s", pwhy);
	if (d->nretired >= RETIRED_MAX) {
		log_err("Reload refused: %d reloads while audits fail; "
			"keeping the old configuration", RETIRED_MAX);
		policy_free(p);
		daemon_config_release(&cfg);
		goto out;
	}
	ret = sinks_webhook(&cfg, &ns, &why);
	if (ret < 0) {
		log_err("Reload failed: cannot %s: %s; keeping the old "
			"configuration and rules", why, strerror(-ret));
		goto fail;
	}
	keep_spool = d->sinks.spool && same_spool(&cfg, &d->cfg);
	if (ns.wh && keep_spool) {
		ns.spool = d->sinks.spool;
		d->sinks.spool = NULL;
	} else if (ns.wh) {
		if (d->sinks.spool && !strcmp(cfg.spool_dir, d->cfg.spool_dir)) {
			/* the lock is per directory: close it to reopen */
			spool_close(d->sinks.spool);
			d->sinks.spool = NULL;
		}
		ret = spool_open(cfg.spool_dir, cfg.spool_max,
				 cfg.spool_overflow, &ns.spool);
		if (ret < 0) {
			log_err("Reload failed: cannot open the spool %s: %s; "
				"keeping the old configuration", cfg.spool_dir,
				strerror(-ret));
			if (!d->sinks.spool && d->sinks.wh &&
			    spool_open(d->cfg.spool_dir, d->cfg.spool_max,
				       d->cfg.spool_overflow,
				       &d->sinks.spool) < 0)
				log_err("Cannot reopen the old spool either: "
					"webhook alerts are not sent");
			goto fail;
		}
	}
	if (cfg.user && d->cfg.user && strcmp(cfg.user, d->cfg.user))
		log_warn("'user' takes effect at the next restart");
	if (cfg.rcvbuf != d->cfg.rcvbuf)
		log_warn("'netlink_rcvbuf' takes effect at the next restart");
	sinks_close(&d->sinks);
	d->sinks = ns;
	if (d->policy)
		d->retired[d->nretired++] = d->policy;
	d->policy = p;
	daemon_config_release(&d->cfg);
	d->cfg = cfg;
	log_info("Reloaded %s%s", d->config_path,
		 d->policy ? " and the rules" : "");
	sd_event_source_set_time_relative(d->poll,
					  (uint64_t)d->cfg.poll_ms * 1000);
	sd_event_source_set_enabled(d->resend, d->cfg.resend_s ?
				    SD_EVENT_ON : SD_EVENT_OFF);
	/* the policy may have changed: judge again at once */
	d->host_dirty = true;
	daemon_schedule(d, 0);
	daemon_arm_delivery(d);
	goto out;
fail:
	sinks_close(&ns);
	policy_free(p);
	daemon_config_release(&cfg);
out:
	daemon_status(d, true);
	return 0;
}

static void daemon_cache_log(struct daemon *d)
{
	struct nft_cache_stats st;

	if (!d->cache)
		return;
	nft_cache_get_stats(d->cache, &st);
	log_info("nftables reads: %" PRIu64 " (%" PRIu64 " of every table, %"
		 PRIu64 " of none), %" PRIu64 " table(s) read; legacy tables "
		 "read: %" PRIu64 "; %" PRIu64 " cross-check(s), %" PRIu64
		 " difference(s); %" PRIu64 " walk(s) started at LOCAL_IN, %"
		 PRIu64 " at FORWARD",
		 st.reads, st.full, st.unchanged,
		 st.tables_read, legacy_cache_tables_read(d->lcache),
		 d->crosschecks, d->crosscheck_diffs, d->resumed,
		 d->resumed_fwd);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si,
		     void *data)
{
	struct daemon *d = data;

	(void)s;
	if (si->ssi_signo == SIGHUP)
		return daemon_reload(d);
	log_info("Received %s, exiting after %" PRIu64 " audit(s) and %"
		 PRIu64 " event(s); %" PRIu64 " nftables change(s) could not "
		 "alter the answer", strsignal((int)si->ssi_signo), d->audits,
		 d->events, d->skipped);
	daemon_cache_log(d);
	sd_notify(0, "STOPPING=1");
	return sd_event_exit(d->e, 0);
}

/* ---- setup ---------------------------------------------------------- */

/* When switching to an unprivileged user, the spool directory must be
 * theirs: create it (and its parent) now, while we are root. */
static void prepare_spool_dir(const struct daemon_config *cfg)
{
	struct passwd *pw;
	char parent[4096], *slash;

	if (geteuid() != 0 || !cfg->user || !strcmp(cfg->user, "root"))
		return;
	pw = getpwnam(cfg->user);
	if (!pw)
		return;
	snprintf(parent, sizeof(parent), "%s", cfg->spool_dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (mkdir(parent, 0755) == 0 &&
		    chown(parent, pw->pw_uid, pw->pw_gid) < 0)
			log_warn("Cannot chown %s: %m", parent);
	}
	if (mkdir(cfg->spool_dir, 0700) < 0 && errno != EEXIST)
		return;
	if (chown(cfg->spool_dir, pw->pw_uid, pw->pw_gid) < 0)
		log_warn("Cannot chown %s: %m", cfg->spool_dir);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: fwauditd [--config PATH] [--check-config]\n"
		"Watch this host's firewall; report every change of what is "
		"reachable\nto the journal and a webhook.  See fwauditd(8).\n"
		"  -c, --config PATH   configuration file (default "
		DAEMON_CONFIG_DEFAULT ")\n"
		"      --check-config  validate the configuration and the rules, "
		"then exit\n"
		"  -h, --help          this text\n");
}

static void daemon_free(struct daemon *d)
{
	size_t i;

	sd_event_source_disable_unref(d->debounce);
	sd_event_source_disable_unref(d->poll);
	sd_event_source_disable_unref(d->deliver);
	sd_event_source_disable_unref(d->resend);
	watch_free(d->watch);
	nftev_reach_free(d->reach);
	sinks_close(&d->sinks);
	audit_result_free(d->last);
	alerts_release(&d->alerts);
	nft_cache_free(d->cache);
	legacy_cache_free(d->lcache);
	for (i = 0; i < d->nretired; i++)
		policy_free(d->retired[i]);
	policy_free(d->policy);
	daemon_config_release(&d->cfg);
	sd_event_unref(d->e);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = { 0 };
	struct daemon_config_error cerr;
	bool check = false;
	char why[1500];
	const char *what = NULL;
	int c, ret, root, status = EXIT_FAILURE;
	sigset_t ss;

	log_prefix = getenv("JOURNAL_STREAM") != NULL;
	d.config_path = DAEMON_CONFIG_DEFAULT;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.config_path = optarg;
			d.config_explicit = true;
			break;
		case 'C':
			check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	ret = daemon_config_load(d.config_path, !d.config_explicit, &d.cfg,
				 &cerr);
	if (ret < 0) {
		log_err("%s", cerr.message);
		return 3;
	}
	/* as root, a user that is not there would leave us uid 0 */
	d.started_root = geteuid() == 0;
	if (d.started_root &&
	    daemon_config_check_user(&d.cfg, d.config_path, &cerr) < 0) {
		log_err("%s", cerr.message);
		daemon_config_release(&d.cfg);
		return 3;
	}
	ret = load_policy(&d.cfg, &d.policy, why, sizeof(why));
	if (ret < 0) {
		log_err("%s", why);
		daemon_config_release(&d.cfg);
		return 3;
	}
	if (ret == 1)
		log_warn("%s", why);
	if (check) {
		printf("%s: OK\n", d.config_path);
		daemon_free(&d);
		return 0;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);

	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = sd_event_default(&d.e);
	if (ret < 0) {
		what = "create the event loop";
		goto fail;
	}
	if ((ret = sd_event_add_signal(d.e, NULL, SIGTERM, on_signal, &d)) < 0 ||
	    (ret = sd_event_add_signal(d.e, NULL, SIGINT, on_signal, &d)) < 0 ||
	    (ret = sd_event_add_signal(d.e, NULL, SIGHUP, on_signal, &d)) < 0) {
		what = "watch signals";
		goto fail;
	}
	/* before dropping privileges: SO_RCVBUFFORCE */
	ret = watch_new(d.e, d.cfg.rcvbuf, on_change, &d, &d.watch);
	if (ret < 0) {
		what = "subscribe to nftables and rtnetlink events";
		goto fail;
	}
	watch_set_nft_filter(d.watch, daemon_nft_filter, &d);
	daemon_cache_open(&d);
	prepare_spool_dir(&d.cfg);
	ret = daemon_privs_drop(d.cfg.user, d.cfg.netns, &root);
	if (ret < 0) {
		what = "drop privileges";
		goto fail;
	}
	if (root && d.cfg.user && strcmp(d.cfg.user, "root"))
		log_notice("User '%s' does not exist: running as root with "
			   "only CAP_NET_ADMIN, CAP_NET_RAW and "
			   "CAP_DAC_READ_SEARCH%s", d.cfg.user, d.cfg.netns ?
			   " (and CAP_SYS_ADMIN, CAP_SYS_PTRACE: "
			   "container_namespaces)" : "");

	ret = sinks_webhook(&d.cfg, &d.sinks, &what);
	if (ret < 0)
		goto fail;
	if (d.sinks.wh) {
		ret = spool_open(d.cfg.spool_dir, d.cfg.spool_max,
				 d.cfg.spool_overflow, &d.sinks.spool);
		if (ret < 0) {
			what = "open the webhook spool";
			goto fail;
		}
		if (spool_count(d.sinks.spool))
			log_info("%zu webhook event(s) waiting in the spool",
				 spool_count(d.sinks.spool));
	}

	if ((ret = sd_event_add_time(d.e, &d.debounce, CLOCK_MONOTONIC, 0,
				     1000, on_debounce, &d)) < 0 ||
	    (ret = sd_event_add_time(d.e, &d.deliver, CLOCK_MONOTONIC, 0,
				     10000, on_deliver, &d)) < 0 ||
	    (ret = sd_event_add_time_relative(d.e, &d.poll, CLOCK_MONOTONIC,
					      (uint64_t)d.cfg.poll_ms * 1000,
					      100000, on_poll, &d)) < 0 ||
	    (ret = sd_event_add_time_relative(d.e, &d.resend, CLOCK_MONOTONIC,
					      (uint64_t)(d.cfg.resend_s ?
					      d.cfg.resend_s : 60) * 1000000,
					      1000000, on_resend, &d)) < 0) {
		what = "arm timers";
		goto fail;
	}
	sd_event_source_set_enabled(d.debounce, SD_EVENT_OFF);
	sd_event_source_set_enabled(d.deliver, SD_EVENT_OFF);
	sd_event_source_set_enabled(d.poll, SD_EVENT_ON);
	sd_event_source_set_enabled(d.resend, d.cfg.resend_s ? SD_EVENT_ON :
				    SD_EVENT_OFF);
	ret = sd_event_set_watchdog(d.e, true);
	if (ret < 0) {
		what = "enable the watchdog";
		goto fail;
	}
	watch_fingerprint(d.watch, &d.fp);
	d.have_fp = true;
	/* the first audit, then READY=1 */
	daemon_schedule(&d, 0);
	ret = sd_event_loop(d.e);
	if (ret < 0) {
		what = "run the event loop";
		goto fail;
	}
	status = EXIT_SUCCESS;
	goto out;
fail:
	log_err("Failed to %s: %s", what, strerror(-ret));
	sd_notifyf(0, "STATUS=Failed to %s: %s\nERRNO=%d", what,
		   strerror(-ret), -ret);
out:
	/* every spool write is already fsync'd; closing releases the lock */
	daemon_free(&d);
	curl_global_cleanup();
	return status;
}
