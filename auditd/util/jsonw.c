// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jsonw.c - streaming JSON writer, jansson's JSON_INDENT() layout.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"

/* f is the writer's alone until jsonw_end(): no lock per block. */
static void flush(struct jsonw *w)
{
	fwrite_unlocked(w->buf, 1, w->len, w->f);
	w->len = 0;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (n > sizeof(w->buf) - w->len) {
		flush(w);
		if (n >= sizeof(w->buf)) {
			fwrite_unlocked(s, 1, n, w->f);
			return;
		}
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void put_char(struct jsonw *w, char c)
{
	if (w->len == sizeof(w->buf))
		flush(w);
	w->buf[w->len++] = c;
}

/* A line break and the indentation of depth, after a comma or not. */
static void newline(struct jsonw *w, unsigned int depth, bool comma)
{
	static const char sep[] = ",\n                                ";
	const char *p = comma ? sep : sep + 1;
	size_t n = (size_t)depth * w->indent, k;

	k = n < sizeof(sep) - 3 ? n : sizeof(sep) - 3;
	put(w, p, (size_t)(sep + 2 - p) + k);
	for (n -= k; n; n -= k) {
		k = n < sizeof(sep) - 3 ? n : sizeof(sep) - 3;
		put(w, sep + 2, k);
	}
}

/* Before any value or key: the separator from the previous member. */
static void member(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->depth)
		return;
	newline(w, w->depth, !w->empty);
	w->empty = false;
}

void jsonw_init(struct jsonw *w, FILE *f, unsigned int indent)
{
	w->f = f;
	w->indent = indent;
	w->depth = 0;
	w->empty = true;
	w->after_key = false;
	w->len = 0;
}

static void begin(struct jsonw *w, char c)
{
	member(w);
	put_char(w, c);
	w->depth++;
	w->empty = true;
}

static void end(struct jsonw *w, char c)
{
	if (!w->depth)
		return;
	w->depth--;
	if (!w->empty)
		newline(w, w->depth, false);
	put_char(w, c);
	/* the container just closed is a member of its parent */
	w->empty = false;
}

void jsonw_object_begin(struct jsonw *w)
{
	begin(w, '{');
}

void jsonw_object_end(struct jsonw *w)
{
	end(w, '}');
}

void jsonw_array_begin(struct jsonw *w)
{
	begin(w, '[');
}

void jsonw_array_end(struct jsonw *w)
{
	end(w, ']');
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0.  The
 * string is NUL-terminated and NUL is no continuation byte, so no check
 * reads past the end. */
static unsigned int utf8_len(const unsigned char *p)
{
	unsigned int cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		cp = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
		/* overlong, or a UTF-16 surrogate */
		return cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		cp = (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 |
		     (p[2] & 0x3fu) << 6 | (p[3] & 0x3fu);
		return cp < 0x10000 || cp > 0x10ffff ? 0 : 4;
	}
	return 0;
}

static void put_string(struct jsonw *w, const char *str)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)str, *run = p;
	char esc[6] = { '\\', 'u', '0', '0' };
	unsigned int n;

	put_char(w, '"');
	for (;;) {
		if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
			p++;
			continue;
		}
		if (*p >= 0x80 && (n = utf8_len(p))) {
			p += n;
			continue;
		}
		put(w, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		switch (*p) {
		case '"':	put(w, "\\\"", 2); break;
		case '\\':	put(w, "\\\\", 2); break;
		case '\b':	put(w, "\\b", 2); break;
		case '\f':	put(w, "\\f", 2); break;
		case '\n':	put(w, "\\n", 2); break;
		case '\r':	put(w, "\\r", 2); break;
		case '\t':	put(w, "\\t", 2); break;
		default:
			if (*p < 0x20) {
				esc[4] = hex[*p >> 4];
				esc[5] = hex[*p & 0xf];
				put(w, esc, sizeof(esc));
			} else {
				put(w, "\xef\xbf\xbd", 3);	/* U+FFFD */
			}
			break;
		}
		run = ++p;
	}
	put_char(w, '"');
}

void jsonw_key(struct jsonw *w, const char *key)
{
	member(w);
	put_string(w, key);
	put(w, ": ", 2);
	w->after_key = true;
}

void jsonw_string(struct jsonw *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	member(w);
	put_string(w, s);
}

void jsonw_int(struct jsonw *w, long long v)
{
	char buf[24];
	char *p = buf + sizeof(buf);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v :
				       (unsigned long long)v;

	member(w);
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(buf + sizeof(buf) - p));
}

void jsonw_bool(struct jsonw *w, bool v)
{
	member(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jsonw_null(struct jsonw *w)
{
	member(w);
	put(w, "null", 4);
}

void jsonw_member_string(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_string(w, s);
}

void jsonw_member_int(struct jsonw *w, const char *key, long long v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}

void jsonw_real(struct jsonw *w, double v, int precision)
{
	char buf[64], *e, *start, *end;
	int n;

	member(w);
	n = snprintf(buf, sizeof(buf) - 3, "%.*g", precision, v);
	if (n < 0 || (size_t)n >= sizeof(buf) - 3) {
		put(w, "0.0", 3);
		return;
	}
	if (!strchr(buf, '.') && !strchr(buf, 'e')) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	e = strchr(buf, 'e');
	if (e) {
		start = e + 1;
		end = start + 1;
		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, (size_t)(buf + n - end) + 1);
			n -= (int)(end - start);
		}
	}
	put(w, buf, (size_t)n);
}

int jsonw_end(struct jsonw *w)
{
	put_char(w, '\n');
	flush(w);
	/* glibc keeps unwritten data after a failed write, so this flush
	 * fails again and leaves the reason in errno */
	if (fflush(w->f) == EOF)
		return errno ? -errno : -EIO;
	return ferror(w->f) ? -EIO : 0;
}
