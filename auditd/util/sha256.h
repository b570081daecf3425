/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sha256.h - SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), so that signing
 * a webhook does not pull in a TLS library's crypto API.  Nothing here is
 * secret-dependent in its timing except what HMAC itself implies; contexts
 * that held a key are wiped by *_final().
 */
#ifndef FWAUDIT_SHA256_H
#define FWAUDIT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE	32
#define SHA256_BLOCK_SIZE	64

struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;			/* bytes hashed so far */
	uint8_t buf[SHA256_BLOCK_SIZE];
	size_t nbuf;
};

struct hmac_sha256_ctx {
	struct sha256_ctx inner, outer;
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
/* Write the digest to out and wipe ctx. */
void sha256_final(struct sha256_ctx *ctx, uint8_t out[SHA256_DIGEST_SIZE]);
/* One-shot digest of data[0..len). */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);

/* HMAC-SHA256 with a key of any length (longer than a block is hashed, as
 * RFC 2104 says).  The key is not kept beyond the context. */
void hmac_sha256_init(struct hmac_sha256_ctx *ctx, const void *key,
		      size_t keylen);
void hmac_sha256_update(struct hmac_sha256_ctx *ctx, const void *data,
			size_t len);
void hmac_sha256_final(struct hmac_sha256_ctx *ctx,
		       uint8_t out[SHA256_DIGEST_SIZE]);
void hmac_sha256(const void *key, size_t keylen, const void *data,
		 size_t len, uint8_t out[SHA256_DIGEST_SIZE]);

#endif
