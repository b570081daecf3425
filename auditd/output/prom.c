// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * prom.c - Prometheus textfile writer.
 */
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/netfilter.h>

#include "prom.h"

static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP };

static int proto_index(uint8_t p)
{
	size_t i;

	for (i = 0; i < sizeof(protos); i++)
		if (protos[i] == p)
			return (int)i;
	return -1;
}

static void label_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

int prom_print(FILE *f, const struct audit_result *r,
	       const struct prom_status *st)
{
	/* [state exposed/open][possible][proto][ipv6]: every combination is
	 * printed, zeros included, so that series do not vanish */
	unsigned long n[2][2][3][2] = { { { { 0 } } } };
	unsigned long nv[4] = { 0 };
	size_t i;
	int s, c, p, fam;

	for (i = 0; r && r->report && i < r->report->nrows; i++) {
		const struct report_row *row = &r->report->rows[i];

		p = proto_index(row->proto);
		if (row->state == ENGINE_CLOSED || p < 0)
			continue;
		n[row->state == ENGINE_OPEN][row->possible][p]
			[row->family == NFPROTO_IPV6]++;
	}
	for (i = 0; r && r->verdicts && i < r->verdicts->nviolations; i++)
		if (r->verdicts->violations[i].severity < 4)
			nv[r->verdicts->violations[i].severity]++;

	fprintf(f, "# HELP fwaudit_exposures Exposures found by the last good audit.\n"
		"# TYPE fwaudit_exposures gauge\n");
	for (s = 0; s < 2; s++)
		for (c = 0; c < 2; c++)
			for (p = 0; p < 3; p++)
				for (fam = 0; fam < 2; fam++)
					fprintf(f, "fwaudit_exposures{state=\"%s\",certainty=\"%s\",protocol=\"%s\",family=\"%s\"} %lu\n",
						s ? "open" : "exposed",
						c ? "possible" : "definite",
						report_proto_name(protos[p]),
						fam ? "ipv6" : "ipv4",
						n[s][c][p][fam]);
	fprintf(f, "# HELP fwaudit_exposure One series per exposure of the last good audit.\n"
		"# TYPE fwaudit_exposure gauge\n");
	for (i = 0; r && r->report && i < r->report->nrows; i++) {
		const struct report_row *row = &r->report->rows[i];
		char *a;
		const struct policy_verdict *v = r->verdicts &&
			i < r->verdicts->nrows ? &r->verdicts->rows[i] : NULL;

		fprintf(f, "fwaudit_exposure{family=\"%s\",protocol=\"%s\","
			"ports=\"%u-%u\",address=\"", row->family ==
			NFPROTO_IPV6 ? "ipv6" : "ipv4",
			report_proto_name(row->proto), row->port_lo,
			row->port_hi);
		a = report_address_str(row);
		label_escape(f, a ? a : "");
		free(a);
		fprintf(f, "\",path=\"%s\",state=\"%s\",certainty=\"%s\","
			"verdict=\"%s\",severity=\"%s\"} 1\n",
			row->path == ENGINE_FORWARDED ? "forward" : "local",
			engine_state_name(row->state),
			row->possible ? "possible" : "definite",
			!v ? "none" : v->allowed ? "allowed" : "violation",
			v ? policy_severity_name(v->severity) : "none");
	}
	fprintf(f, "# HELP fwaudit_filtered_listeners Listening sockets no probe reaches.\n"
		"# TYPE fwaudit_filtered_listeners gauge\n"
		"fwaudit_filtered_listeners %zu\n",
		r && r->report ? r->report->nfiltered : 0);
	fprintf(f, "# HELP fwaudit_violations Policy violations found by the last good audit.\n"
		"# TYPE fwaudit_violations gauge\n");
	for (s = POLICY_SEV_INFO; s <= POLICY_SEV_CRITICAL; s++)
		fprintf(f, "fwaudit_violations{severity=\"%s\"} %lu\n",
			policy_severity_name(s), nv[s]);
	fprintf(f, "# HELP fwaudit_audit_duration_seconds Duration of the last good audit.\n"
		"# TYPE fwaudit_audit_duration_seconds gauge\n"
		"fwaudit_audit_duration_seconds %.6f\n",
		r ? (double)r->duration_usec / 1e6 : 0.0);
	fprintf(f, "# HELP fwaudit_last_audit_timestamp_seconds When the last audit ran.\n"
		"# TYPE fwaudit_last_audit_timestamp_seconds gauge\n"
		"fwaudit_last_audit_timestamp_seconds %.3f\n",
		(double)st->last_audit_usec / 1e6);
	fprintf(f, "# HELP fwaudit_audit_success Whether the last audit succeeded.\n"
		"# TYPE fwaudit_audit_success gauge\n"
		"fwaudit_audit_success %d\n", st->success ? 1 : 0);
	if (!st->daemon)
		return ferror(f) ? -EIO : 0;
	fprintf(f, "# HELP fwaudit_alerts_dropped_total Webhook alerts lost: spool overflow or corruption, or refused by the receiver.\n"
		"# TYPE fwaudit_alerts_dropped_total counter\n"
		"fwaudit_alerts_dropped_total{reason=\"overflow\"} %" PRIu64 "\n"
		"fwaudit_alerts_dropped_total{reason=\"refused\"} %" PRIu64 "\n",
		st->dropped_overflow, st->dropped_refused);
	fprintf(f, "# HELP fwaudit_spool_entries Webhook alerts waiting for delivery.\n"
		"# TYPE fwaudit_spool_entries gauge\n"
		"fwaudit_spool_entries %zu\n", st->spool_entries);
	fprintf(f, "# HELP fwaudit_daemon_heartbeat_timestamp_seconds When fwauditd last wrote this file (at least every minute while it runs).\n"
		"# TYPE fwaudit_daemon_heartbeat_timestamp_seconds gauge\n"
		"fwaudit_daemon_heartbeat_timestamp_seconds %.3f\n",
		(double)st->heartbeat_usec / 1e6);
	return ferror(f) ? -EIO : 0;
}

int prom_write_textfile(const char *path, const struct audit_result *r,
			const struct prom_status *st)
{
	char tmp[PATH_MAX];
	FILE *f = NULL;
	int fd, ret, dfd;
	char *slash, dir[PATH_MAX];

	/* node_exporter only reads *.prom: a temporary name it skips */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) < 0) {
		ret = -errno;
		close(fd);
		goto fail;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		goto fail;
	}
	ret = prom_print(f, r, st);
	if (ret < 0)
		goto fail;
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		ret = -errno;
		goto fail;
	}
	ret = fclose(f);
	f = NULL;
	if (ret != 0) {
		ret = -errno;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		ret = -errno;
		goto fail;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	if (f)
		fclose(f);
	unlink(tmp);
	return ret;
}
