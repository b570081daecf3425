/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jsonw.h - a streaming JSON writer for documents too big to build as a
 * jansson tree first (`fwaudit ruleset --format json` of a ruleset with
 * ten thousand rules): values go straight to a FILE, nothing is allocated.
 *
 * The output is byte for byte what jansson's json_dumpf() prints with
 * JSON_INDENT(indent) | JSON_PRESERVE_ORDER for the same document, so
 * switching a printer from a tree to this writer changes no output:
 *  - a container's members each on their own line, indented by
 *    indent * depth spaces, separated by ","; "key": value with one space;
 *    empty containers as "{}" and "[]";
 *  - integers in decimal, as "%lld"; reals as jansson's dtostr();
 *  - strings: '"' and '\\' escaped, \b \f \n \r \t, the other control
 *    characters as \u00XX (upper-case hex); everything else, including
 *    valid UTF-8 (jansson's definition: no overlong forms, no surrogates,
 *    nothing above U+10FFFF), passed through unchanged.
 * One deliberate difference: a byte that does not start a valid UTF-8
 * sequence is written as U+FFFD (the replacement character, EF BF BD),
 * so that the document stays valid JSON.  jansson refuses such a string
 * (json_string() returns NULL), and a tree built with *_set_new() then
 * silently lost the whole member.
 *
 * Calls must nest like the document: a member of an object is
 * jsonw_key() followed by exactly one value (or begin...end); the writer
 * does not check this.  Write errors are not reported per call: the
 * FILE's error flag is sticky, and jsonw_end() reports it once.
 */
#ifndef FWAUDIT_JSONW_H
#define FWAUDIT_JSONW_H

#include <stdbool.h>
#include <stdio.h>

#define JSONW_BUFSIZE	16384

struct jsonw {
	FILE *f;
	unsigned int indent;	/* spaces per level */
	unsigned int depth;	/* containers open */
	bool empty;		/* the innermost container has no member yet */
	bool after_key;		/* a key was written: its value comes next */
	size_t len;		/* bytes in buf not yet given to f */
	char buf[JSONW_BUFSIZE];
};

/* Start a document on f.  The caller keeps f, and writes nothing else to
 * it until jsonw_end(): the writer collects output in its own buffer and
 * hands it to f in blocks (a FILE call per value would cost more than
 * formatting it).  indent as JSON_INDENT(), 1 or more. */
void jsonw_init(struct jsonw *w, FILE *f, unsigned int indent);

void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);

/* The key of the next member of the innermost object. */
void jsonw_key(struct jsonw *w, const char *key);

/* Values: a member's (after jsonw_key()) or an array element. */
void jsonw_string(struct jsonw *w, const char *s);	/* NULL: null */
void jsonw_int(struct jsonw *w, long long v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* A real as JSON_REAL_PRECISION(precision) prints it: "%.*g", with ".0"
 * added when that looks like an integer, the exponent without '+' and
 * leading zeros.  Not for NaN or infinities (JSON has none). */
void jsonw_real(struct jsonw *w, double v, int precision);

/* jsonw_key() and a value in one call. */
void jsonw_member_string(struct jsonw *w, const char *key, const char *s);
void jsonw_member_int(struct jsonw *w, const char *key, long long v);

/* End the document with a newline (what every caller printed after
 * json_dumpf()) and flush f.  Returns 0 when everything reached the file,
 * else the negative errno of the failed write (-EPIPE, -ENOSPC, ...; -EIO
 * when the stream does not say). */
int jsonw_end(struct jsonw *w);

#endif
