// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "base64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(const void *in, size_t len, char *out, size_t size)
{
	const uint8_t *p = in;
	size_t i, o = 0;
	uint32_t v;

	if (len > ((size_t)INT32_MAX / 4) * 3 - 3 ||
	    size < BASE64_ENCODED_LEN(len) + 1)
		return -ENOSPC;
	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)p[i] << 16;
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return (int)o;
}

static int value_of(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int base64_decode(const char *in, size_t len, uint8_t *out, size_t size,
		  size_t *outlen)
{
	unsigned int nq = 0, npad = 0;
	uint32_t q = 0;
	size_t i, o = 0;
	int v;

	for (i = 0; i < len; i++) {
		char c = in[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == '=') {
			/* padding only completes a quantum of 2 or 3 */
			if (nq + npad < 2)
				return -EINVAL;
			npad++;
			if (nq + npad > 4)
				return -EINVAL;
			continue;
		}
		if (npad)
			return -EINVAL;
		v = value_of(c);
		if (v < 0)
			return -EINVAL;
		q = q << 6 | (uint32_t)v;
		if (++nq < 4)
			continue;
		if (size - o < 3)
			return -ENOSPC;
		out[o++] = (uint8_t)(q >> 16);
		out[o++] = (uint8_t)(q >> 8);
		out[o++] = (uint8_t)q;
		nq = 0;
		q = 0;
	}
	if (nq + npad != 0 && nq + npad != 4)
		return -EINVAL;
	if (nq == 2) {
		if (size - o < 1)
			return -ENOSPC;
		out[o++] = (uint8_t)(q >> 4);
	} else if (nq == 3) {
		if (size - o < 2)
			return -ENOSPC;
		out[o++] = (uint8_t)(q >> 10);
		out[o++] = (uint8_t)(q >> 2);
	} else if (nq == 1) {
		return -EINVAL;
	}
	*outlen = o;
	return 0;
}
