// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_webhook.c - what the webhook sink reads from outside (webhook.c):
 * the receiver's Retry-After header with its status, the secret file, the
 * URL it redacts for the logs.  Byte 0 picks which; the rest is the input.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webhook_secret *secret = NULL;
	struct webhook_outcome out;
	char *s, red[256], sig[WEBHOOK_SIGNATURE_SIZE];
	const char *path;
	uint64_t usec;
	long status;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		webhook_parse_retry_after(s, (time_t)1700000000, &usec);
		break;
	case 1:
		status = size > 2 ? 100 + (data[1] % 5) * 100 + data[2] % 32 :
			 503;
		webhook_classify(status, data[0] >> 2, s, (time_t)1700000000,
				 &out);
		break;
	case 2:
		path = fuzz_file("secret", data + 1, size - 1);
		if (path && webhook_secret_load(path, &secret) == 0)
			webhook_sign(secret, "id", 1700000000, "{}", 2, sig,
				     sizeof(sig));
		webhook_secret_free(secret);
		break;
	default:
		webhook_redact_url(s, red, sizeof(red));
		break;
	}
	free(s);
	return 0;
}
