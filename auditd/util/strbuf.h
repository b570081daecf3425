/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strbuf.h - a growing string.  An allocation failure is sticky: later
 * appends do nothing and strbuf_take() returns NULL, so callers check once.
 */
#ifndef FWAUDIT_STRBUF_H
#define FWAUDIT_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s;
	size_t len, cap;
	bool failed;
};

#define STRBUF_INIT { NULL, 0, 0, false }

void strbuf_add(struct strbuf *b, const char *s);
void strbuf_addf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Give the string to the caller (free() it); NULL after a failure.  The
 * buffer is reset either way. */
char *strbuf_take(struct strbuf *b);
void strbuf_release(struct strbuf *b);

/* A new string (free() it) formatted as vprintf() would, or NULL on
 * ENOMEM: the one formatter behind the notes of the ruleset, the report
 * and the findings. */
char *str_vprintf(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

#endif
