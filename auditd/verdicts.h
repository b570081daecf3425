/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verdicts.h - an audit's result as the outputs for people and for
 * monitoring systems show it: JSON (version 1), text with violations
 * first, Prometheus textfile format, a Nagios/Icinga status line.
 */
#ifndef FWAUDIT_VERDICTS_H
#define FWAUDIT_VERDICTS_H

#include <stdio.h>

#include "audit.h"

/* The whole JSON document of `fwaudit audit --format json`, streamed to f
 * (nothing is built first: ten thousand exposures cost no memory), with a
 * final newline.  0, or the negative errno of a failed write / -ENOMEM. */
int verdicts_json(const struct audit_result *r, FILE *f);
/* Violations first, each with its fix, then the table of report_text(). */
int verdicts_text(const struct audit_result *r, FILE *f);
/* node_exporter textfile-collector format; ok false writes the metrics of
 * a failed audit (fwaudit_audit_success 0) with r NULL. */
int verdicts_prometheus(const struct audit_result *r, FILE *f);
/* One status line with performance data (monitoring-plugins guidelines). */
int verdicts_nagios(const struct audit_result *r, FILE *f);

#endif
