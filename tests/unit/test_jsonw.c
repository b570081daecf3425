// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_jsonw.c - the streaming JSON writer against jansson itself: every
 * document is also built as a jansson tree and dumped with
 * JSON_INDENT(n) | JSON_PRESERVE_ORDER, and the bytes must be the same.
 * Escaping (every control character, quotes, backslash, valid UTF-8),
 * the replacement of invalid bytes, nesting and indentation, randomized
 * documents, and write errors.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonw.h"
#include "unit.h"
#include "util.h"

/* Replay a jansson tree through the writer. */
static void replay(struct jsonw *w, json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		jsonw_object_begin(w);
		json_object_foreach(j, key, v) {
			jsonw_key(w, key);
			replay(w, v);
		}
		jsonw_object_end(w);
		break;
	case JSON_ARRAY:
		jsonw_array_begin(w);
		json_array_foreach(j, i, v)
			replay(w, v);
		jsonw_array_end(w);
		break;
	case JSON_STRING:
		jsonw_string(w, json_string_value(j));
		break;
	case JSON_INTEGER:
		jsonw_int(w, json_integer_value(j));
		break;
	case JSON_REAL:
		jsonw_real(w, json_real_value(j), 6);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		jsonw_bool(w, json_is_true(j));
		break;
	default:
		jsonw_null(w);
		break;
	}
}

/* The writer's bytes for j; caller frees. */
static char *written(json_t *j, unsigned int indent)
{
	struct jsonw w;
	size_t len;
	char *doc;
	FILE *f = open_memstream(&doc, &len);

	if (!f)
		return NULL;
	jsonw_init(&w, f, indent);
	replay(&w, j);
	CHECK_EQ(jsonw_end(&w), 0);
	fclose(f);
	return doc;
}

/* The writer prints j as jansson does, and a newline; takes j. */
static void same(json_t *j, unsigned int indent)
{
	char *dump, *want = NULL, *got;

	CHECK(j != NULL);
	if (!j)
		return;
	dump = json_dumps(j, JSON_INDENT(indent) | JSON_PRESERVE_ORDER |
			  JSON_ENCODE_ANY | JSON_REAL_PRECISION(6));
	if (dump && asprintf(&want, "%s\n", dump) < 0)
		want = NULL;
	got = written(j, indent);
	CHECK_STR(got, want);
	free(dump);
	free(want);
	free(got);
	json_decref(j);
}

static void test_escaping(void)
{
	char s[2] = "";
	int c;

	/* every control character, alone and inside text */
	for (c = 1; c < 0x20; c++) {
		s[0] = (char)c;
		same(json_string(s), 1);
		same(json_pack("[s]", s), 1);
	}
	same(json_string("a\"b\\c/d\x7f" "e\t\n\r\b\f\x01\x1f"), 1);
	same(json_string(""), 1);
	same(json_string("\"\\"), 1);
	/* 2-, 3- and 4-byte sequences, the edges of the valid ranges */
	same(json_string("caf\xc3\xa9 \xc2\x80\xdf\xbf"), 1);
	same(json_string("\xe0\xa0\x80 \xe2\x82\xac \xed\x9f\xbf \xee\x80\x80 "
			 "\xef\xbf\xbf"), 1);
	same(json_string("\xf0\x90\x80\x80 \xf0\x9f\x94\xa5 \xf4\x8f\xbf\xbf"), 1);
	same(json_pack("{s:s}", "cl\xc3\xa9\n", "v\xc3\xa4lue\x02"), 1);
}

/* Invalid UTF-8 becomes U+FFFD per byte; jansson refuses such strings. */
static void test_invalid(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "\x80", "\"\xef\xbf\xbd\"\n" },
		{ "a\xffz", "\"a\xef\xbf\xbdz\"\n" },
		{ "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"\n" },	/* overlong */
		{ "\xc1\xbf", "\"\xef\xbf\xbd\xef\xbf\xbd\"\n" },
		{ "\xe0\x9f\xbf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"\n" },
		{ "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"\n" },
		{ "\xf0\x8f\xbf\xbf",
		  "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"\n" },
		{ "\xf4\x90\x80\x80",
		  "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"\n" },
		{ "\xf5", "\"\xef\xbf\xbd\"\n" },
		/* a truncated sequence, at the end and before text */
		{ "\xe2\x82", "\"\xef\xbf\xbd\xef\xbf\xbd\"\n" },
		{ "\xe2\x82x\"", "\"\xef\xbf\xbd\xef\xbf\xbdx\\\"\"\n" },
		{ "\xf0\x9f\x94", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"\n" },
	};
	json_t *j;
	char *doc;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		CHECK(json_string(cases[i].in) == NULL);
		j = json_stringn_nocheck(cases[i].in, strlen(cases[i].in));
		doc = written(j, 1);
		CHECK_STR(doc, cases[i].out);
		json_decref(j);
		/* and it is valid JSON */
		j = json_loads(doc ? doc : "", JSON_DECODE_ANY, NULL);
		CHECK(j != NULL);
		json_decref(j);
		free(doc);
	}
}

static void test_nesting(void)
{
	unsigned int indent;
	json_t *deep;
	int i;

	for (indent = 1; indent <= 4; indent++) {
		same(json_object(), indent);
		same(json_array(), indent);
		same(json_pack("{s:i}", "a", 1), indent);
		same(json_pack("[[],{},[[]],{s:{}},[{}]]", "k"), indent);
		same(json_pack("{s:[],s:{},s:n,s:b,s:b,s:I,s:I,s:I,s:I}", "e", "o",
			       "n", "t", 1, "f", 0, "z", (json_int_t)0,
			       "neg", (json_int_t)-1, "min", (json_int_t)LLONG_MIN,
			       "max", (json_int_t)LLONG_MAX), indent);
		same(json_pack("{s:i,s:[{s:s,s:b},{s:s,s:b,s:s}],s:[s,s]}",
			       "version", 1, "sources", "name", "nftables",
			       "present", 1, "name", "x", "present", 0,
			       "error", "No such file", "notes", "a", "b"),
		     indent);
	}
	/* deeper than the 32 spaces jansson writes at a time */
	deep = json_pack("[i,{s:[i,i]}]", 1, "a", 2, 3);
	for (i = 0; i < 40; i++)
		deep = json_pack("[o]", deep);
	same(deep, 2);
	/* scalars at the top */
	same(json_integer(42), 1);
	same(json_null(), 1);
}

/* A small deterministic generator (xorshift), not rand(): the same
 * documents on every libc. */
static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

static void rnd_string(char *buf, size_t size)
{
	static const char *const pieces[] = {
		"a", "Z", " ", "\"", "\\", "/", "\t", "\n", "\x01", "\x1f",
		"\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x94\xa5", "0",
	};
	size_t len = 0, n;
	unsigned int i, count = rnd(12);

	buf[0] = '\0';
	for (i = 0; i < count; i++) {
		const char *p = pieces[rnd(ARRAY_SIZE(pieces))];

		n = strlen(p);
		if (len + n + 1 > size)
			break;
		memcpy(buf + len, p, n + 1);
		len += n;
	}
}

static json_t *rnd_value(unsigned int depth)
{
	char key[64], s[64];
	unsigned int i, n;
	json_t *j;

	switch (depth < 6 ? rnd(8) : 4 + rnd(4)) {
	case 0:
	case 1:
		j = json_object();
		n = rnd(5);
		for (i = 0; i < n; i++) {
			rnd_string(key, sizeof(key));
			json_object_set_new(j, key, rnd_value(depth + 1));
		}
		return j;
	case 2:
	case 3:
		j = json_array();
		n = rnd(5);
		for (i = 0; i < n; i++)
			json_array_append_new(j, rnd_value(depth + 1));
		return j;
	case 4:
		rnd_string(s, sizeof(s));
		return json_string(s);
	case 5:
		return json_integer((json_int_t)rnd(1u << 31) - (1 << 30));
	case 6:
		return json_boolean(rnd(2));
	default:
		return json_null();
	}
}

static void test_random(void)
{
	int i;

	for (i = 0; i < 500; i++)
		same(rnd_value(0), 1 + (unsigned int)(i % 3));
}

static void test_write_error(void)
{
	struct jsonw w;
	FILE *f = fopen("/dev/full", "w");
	int i;

	if (!f) {
		printf("SKIP: no /dev/full\n");
		return;
	}
	jsonw_init(&w, f, 1);
	jsonw_array_begin(&w);
	for (i = 0; i < 100000; i++)
		jsonw_string(&w, "fill the buffer and more");
	jsonw_array_end(&w);
	CHECK_EQ(jsonw_end(&w), -ENOSPC);
	fclose(f);
}

/* reals as JSON_REAL_PRECISION(6): durations in the audit JSON */
static void test_reals(void)
{
	static const double v[] = {
		0.0, 1.0, -1.0, 0.5, 0.000123, 0.0001234567, 1234567.0,
		123456.0, 1e-5, 1e-300, 1e300, 2.5e10, 0.001976, 12.3456789,
		-0.00042, 100.0, 1e6, 99999.95,
	};
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		json_array_append_new(a, json_real(v[i]));
		same(json_real(v[i]), 1);
	}
	same(a, 2);
}

int main(void)
{
	test_reals();
	test_escaping();
	test_invalid();
	test_nesting();
	test_random();
	test_write_error();
	return unit_done();
}
