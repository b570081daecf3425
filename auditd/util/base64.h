/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * base64.h - standard base64 (RFC 4648 section 4, with '=' padding), for
 * webhook signatures and "whsec_" secrets.
 */
#ifndef FWAUDIT_BASE64_H
#define FWAUDIT_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Characters base64_encode() writes for len bytes, without the NUL. */
#define BASE64_ENCODED_LEN(len)	((((len) + 2) / 3) * 4)

/*
 * Encode in[0..len) into out, NUL-terminated.  Returns the length written
 * (without the NUL), or -ENOSPC when size < BASE64_ENCODED_LEN(len) + 1
 * (out is then untouched).
 */
int base64_encode(const void *in, size_t len, char *out, size_t size);

/*
 * Decode the padded base64 text in[0..len) into out (at most size bytes).
 * ASCII whitespace is skipped; anything else outside the alphabet, bad
 * padding or data after the padding is -EINVAL; -ENOSPC when out is too
 * small.  On success *outlen is the number of bytes decoded; on failure
 * out may hold part of the result (clear it if it was a key).
 */
int base64_decode(const char *in, size_t len, uint8_t *out, size_t size,
		  size_t *outlen);

#endif
