// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_probes.c - libFuzzer harness for the probe list parser of `fwaudit
 * probe` and `fwaudit verify` (probelist.c): any bytes parsed as a list to
 * send and as a list of results; what parses is written back and parsed
 * again, and must give the same probes.
 *
 * make check runs it as tests/fuzz/probes.fuzz (run-fuzz.sh).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "probelist.h"

static void roundtrip(const struct probelist *l, bool results)
{
	struct probelist again;
	char err[256], *text;
	json_t *doc;
	size_t i;

	doc = probelist_json(l, results);
	if (!doc)
		return;
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text)
		return;
	if (probelist_parse(text, strlen(text), results, &again, err,
			    sizeof(err)) != 0)
		abort();
	if (again.n != l->n)
		abort();
	for (i = 0; i < l->n; i++)
		if (again.p[i].addr != l->p[i].addr ||
		    again.p[i].port != l->p[i].port ||
		    again.p[i].sport != l->p[i].sport ||
		    again.p[i].result != l->p[i].result)
			abort();
	probelist_release(&again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probelist l;
	char err[256];
	int results;

	for (results = 0; results < 2; results++) {
		if (probelist_parse((const char *)data, size, results, &l, err,
				    sizeof(err)) == 0) {
			roundtrip(&l, results);
			probelist_release(&l);
		}
	}
	return 0;
}
