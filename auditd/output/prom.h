/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prom.h - the Prometheus textfile (node_exporter --collector.textfile)
 * that fwauditd rewrites after each audit, and `fwaudit audit --format
 * prometheus`.
 *
 *	fwaudit_exposures{state,certainty,protocol,family}	gauge
 *	fwaudit_exposure{family,protocol,ports,address,path,state,
 *			 certainty,verdict,severity}		gauge, 1 each
 *	fwaudit_filtered_listeners				gauge
 *	fwaudit_violations{severity}				gauge
 *	fwaudit_audit_duration_seconds				gauge
 *	fwaudit_last_audit_timestamp_seconds			gauge
 *	fwaudit_audit_success					gauge 0/1
 *	fwaudit_alerts_dropped_total{reason}			counter (daemon)
 *	fwaudit_spool_entries					gauge (daemon)
 *	fwaudit_daemon_heartbeat_timestamp_seconds		gauge (daemon)
 *
 * Error idiom as in ruleset.h.
 */
#ifndef FWAUDIT_PROM_H
#define FWAUDIT_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "audit.h"

struct prom_status {
	bool success;			/* the last audit succeeded */
	uint64_t last_audit_usec;	/* CLOCK_REALTIME of the last attempt */
	uint64_t dropped_overflow;	/* spool overflow and corruption */
	uint64_t dropped_refused;	/* refused for good by the receiver */
	size_t spool_entries;
	bool daemon;			/* print the webhook spool's metrics */
	uint64_t heartbeat_usec;	/* daemon: CLOCK_REALTIME of this
					 * write; rewritten while idle, so
					 * that a stopped or stuck daemon
					 * shows (FwauditDaemonStale) */
};

/* The metrics of r (the last good result: its exposures stay visible
 * while audits fail; NULL: none yet) and st, in the text exposition
 * format, to f.  0 or -EIO. */
int prom_print(FILE *f, const struct audit_result *r,
	       const struct prom_status *st);

/* The same into path, atomically: a temporary file in the same directory,
 * fsync'd, renamed over path (mode 0644: node_exporter reads it as another
 * user).  0 or a negative errno; path is untouched on failure. */
int prom_write_textfile(const char *path, const struct audit_result *r,
			const struct prom_status *st);

#endif
