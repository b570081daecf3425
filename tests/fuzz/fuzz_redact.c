// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_redact.c - libFuzzer harness for `fwaudit snapshot --redact`
 * (redact.c): any bytes, redacted as a snapshot document; and the same
 * bytes as every recording and text of a document at once (the nftables,
 * rtnetlink and sock_diag recordings, the x_tables and nft texts), where
 * a mutator reaches the netlink walkers without going through base64.
 *
 * make check runs it as tests/fuzz/redact.fuzz (run-fuzz.sh).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "base64.h"
#include "fuzz.h"
#include "redact.h"

static void redact_once(json_t *doc)
{
	static const uint8_t key[REDACT_KEY_SIZE] = { 0x5a, 1, 2, 3 };
	struct redact *r;
	char err[1024];

	if (redact_new(key, &r) < 0)
		return;
	redact_snapshot(r, doc, err, sizeof(err));
	json_decref(redact_map_doc(r));
	redact_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = BASE64_ENCODED_LEN(size) + 1;
	char *b64 = malloc(len);
	json_t *doc;
	int n;

	doc = json_loadb((const char *)data, size, 0, NULL);
	if (doc) {
		redact_once(doc);
		json_decref(doc);
	}
	if (!b64)
		return 0;
	n = base64_encode(data, size, b64, len);
	if (n >= 0) {
		doc = json_pack("{s:{s:s},s:{s:s},s:{s:s},"
				"s:{s:{s:s},s:{s:s}},s:{s:s,s:s,s:s}}",
				"nftables", "recording", b64,
				"rtnetlink", "recording", b64,
				"sock_diag", "recording", b64,
				"legacy", "ipv4", "save", b64, "ipv6", "save",
				b64, "ruleset_text", "nft", b64, "ip4", b64,
				"ip6", b64);
		if (doc)
			redact_once(doc);
		json_decref(doc);
	}
	free(b64);
	return 0;
}
