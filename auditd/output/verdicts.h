/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verdicts.h - an audit's result as the outputs for people and for
 * monitoring systems show it: JSON (version 1), text with violations
 * first, Prometheus textfile format, a Nagios/Icinga status line.
 */
#ifndef FWAUDIT_VERDICTS_H
#define FWAUDIT_VERDICTS_H

#include <stdbool.h>
#include <stdio.h>

#include "audit.h"

/* The whole JSON document of `fwaudit audit --format json`, streamed to f
 * (nothing is built first: ten thousand exposures cost no memory), with a
 * final newline.  0, or the negative errno of a failed write / -ENOMEM. */
int verdicts_json(const struct audit_result *r, FILE *f);
/* How the text is shown. */
struct verdicts_style {
	bool quiet;		/* the violations only, no table */
	bool color;		/* ANSI colours (verdicts_style_auto()) */
	unsigned int width;	/* columns to fit rule messages in; 0: any */
};

/* The style for f: colour only on a terminal and without NO_COLOR (any
 * non-empty value), its width from the terminal or $COLUMNS. */
void verdicts_style_auto(struct verdicts_style *st, FILE *f);

/* The findings that are violations, grouped by cause (causes.h), each with
 * what it exposes and its fix; unmet requires; then, unless st->quiet,
 * the table of report_text().  st NULL: plain, no width. */
int verdicts_text(const struct audit_result *r,
		  const struct verdicts_style *st, FILE *f);
/* node_exporter textfile-collector format; ok false writes the metrics of
 * a failed audit (fwaudit_audit_success 0) with r NULL. */
int verdicts_prometheus(const struct audit_result *r, FILE *f);
/* One status line with performance data (monitoring-plugins guidelines). */
int verdicts_nagios(const struct audit_result *r, FILE *f);

struct plan;
struct prove_result;
/*
 * `fwaudit fix --format json`: the plan p built from r, as one JSON
 * document (version 1) with a final newline: the front-end, each step
 * with its commands, the commands the proof applied in their stead (ufw,
 * firewalld), its nft statements and the violations it closes (objects of
 * the audit JSON's "violations"), what no step fixes, and the proof:
 * pr NULL when nothing was proven (nothing to fix), else whether it holds
 * and what is left or lost; nft: the proof applied the nft file.
 * 0, or the negative errno of a failed write / -ENOMEM.
 */
int verdicts_plan_json(const struct audit_result *r, const struct plan *p,
		       const struct prove_result *pr, bool nft, FILE *f);

#endif
