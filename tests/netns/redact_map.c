// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * redact_map.c - for tests/netns/snapshot-redact.sh: map every address in
 * standard input (a live audit's JSON) with the map `fwaudit snapshot
 * --redact --redact-map MAP` wrote, so that it can be compared with the
 * audit of the redacted snapshot.
 *	redact_map MAP < IN > OUT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "redact.h"

int main(int argc, char **argv)
{
	struct redact *r = NULL;
	char err[1024], *buf = NULL, *out = NULL;
	size_t len = 0, cap = 0, n, outlen = 0;
	json_error_t je;
	json_t *map;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MAP < IN > OUT\n", argv[0]);
		return 2;
	}
	map = json_load_file(argv[1], 0, &je);
	if (!map || redact_load(map, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], map ? err : je.text);
		return 1;
	}
	json_decref(map);
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				return 1;
		}
		n = fread(buf + len, 1, cap - len, stdin);
		if (!n)
			break;
		len += n;
	}
	if (redact_text(r, buf, len, &out, &outlen, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	fwrite(out, 1, outlen, stdout);
	free(out);
	free(buf);
	redact_free(r);
	return 0;
}
