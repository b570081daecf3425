/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webauth.h - the credentials the webhook presents: a bearer token, basic
 * auth, a client certificate and key (mutual TLS), or the OAuth 2.0
 * client-credentials grant (RFC 6749 section 4.4).
 *
 * Every secret comes from a file, never from the command line or the
 * environment.  A file name without a '/' is a credential name, looked up
 * first in $CREDENTIALS_DIRECTORY (systemd LoadCredential=), then in
 * /run/secrets (Docker secrets); anything else is a path.  Secret files are
 * read whole, bounded, and refused when group or others may read or write
 * them (mode & 066), except that a Docker secret may be world-readable
 * (0444 is Docker's default, and the container is the boundary there).
 * The client certificate is not a secret and is not checked.
 *
 * Loaded credentials live in memory only, and are wiped when freed.  So is
 * the OAuth access token: it is never written to the spool or a file.
 * Nothing here puts a secret in an error text: errors name the file key and
 * the reason, never the content.
 *
 * Error idiom as in ruleset.h.  Library code: prints nothing.
 */
#ifndef FWAUDIT_WEBAUTH_H
#define FWAUDIT_WEBAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEBAUTH_SECRET_MAX	8192		/* bytes of a token file */
#define WEBAUTH_PEM_MAX		(64u << 10)	/* bytes of a cert/key file */
#define WEBAUTH_DOCKER_SECRETS	"/run/secrets"
/* An OAuth token is renewed this long before expires_in says it ends, at
 * most; a tenth of its lifetime when that is shorter. */
#define WEBAUTH_TOKEN_MARGIN_USEC	(60ull * 1000000ull)
/* A token response without expires_in: assume this lifetime. */
#define WEBAUTH_TOKEN_DEFAULT_LIFE_S	300

enum webauth_kind {
	WEBAUTH_NONE,
	WEBAUTH_BEARER,		/* Authorization: Bearer <token file> */
	WEBAUTH_BASIC,		/* Authorization: Basic, "user:password" file */
	WEBAUTH_OAUTH2,		/* client credentials grant -> Bearer */
};

/* How the OAuth client authenticates to the token endpoint. */
enum webauth_client_auth {
	WEBAUTH_CLIENT_SECRET_BASIC,	/* HTTP basic (the default) */
	WEBAUTH_CLIENT_SECRET_POST,	/* client_id, client_secret in the body */
};

/* What the configuration names (borrowed strings; NULL: not set). */
struct webauth_files {
	const char *bearer_token_file;
	const char *basic_auth_file;		/* "user:password" */
	const char *client_cert_file;		/* PEM, with client_key_file */
	const char *client_key_file;		/* PEM */
	const char *oauth_token_url;		/* https:// (http:// only to
						 * loopback is the caller's
						 * business) */
	const char *oauth_client_id_file;
	const char *oauth_client_secret_file;
	const char *oauth_scope;		/* NULL: none asked */
	enum webauth_client_auth oauth_client_auth;
};

struct webauth {
	enum webauth_kind kind;
	char *bearer;			/* WEBAUTH_BEARER */
	char *basic;			/* "user:password" */
	char *cert_pem, *key_pem;	/* both or neither */
	size_t cert_len, key_len;
	char *token_url, *client_id, *client_secret, *scope;
	enum webauth_client_auth client_auth;
	/* the OAuth access token; memory only */
	char *token;
	uint64_t token_expiry_usec;	/* CLOCK_MONOTONIC */
};

/* "bearer", "basic", "oauth2", "none"; with a client certificate the log
 * names "mutual TLS" too (webauth_describe). */
const char *webauth_kind_name(enum webauth_kind kind);
/* "bearer token", "basic auth + mutual TLS", ...: what was refused, for
 * a log line.  Always NUL-terminates buf. */
void webauth_describe(const struct webauth *a, char *buf, size_t size);

/*
 * Where the credential name or path lives, into buf: a path (with a '/')
 * as is; a name in $CREDENTIALS_DIRECTORY when it exists there, else in
 * /run/secrets.  -ENAMETOOLONG, -EINVAL for an empty name.
 */
int webauth_resolve(const char *name, char *buf, size_t size);

/*
 * Read the secret file name (resolved as above) into a malloc'd buffer of
 * at most max bytes, NUL-terminated, its length in *len.  first_line: keep
 * only the first line, trailing blanks removed (tokens, passwords); else
 * the whole file (PEM).  secret: refuse a file others may read or anyone
 * but its owner may write (-EPERM).  -EFBIG beyond max, -EINVAL for an
 * empty value or a NUL byte, else open/read errors.  The caller wipes
 * (explicit_bzero) and frees the buffer.
 */
int webauth_read_file(const char *name, size_t max, bool first_line,
		      bool secret, char **out, size_t *len);

/*
 * Load every credential f names into a new *out (calloc'd; free with
 * webauth_free()).  At most one of bearer, basic and OAuth; a client
 * certificate needs its key and may go with any of them.  When f names
 * nothing, *out is NULL and 0 is returned.  On failure a negative errno and
 * *what names the key at fault ("webhook_bearer_token_file", ...), with
 * -EPERM for a file others may read, -EEXIST for two mechanisms.
 */
int webauth_load(const struct webauth_files *f, struct webauth **out,
		 const char **what);
void webauth_free(struct webauth *a);

/*
 * The Authorization header line for a request to the receiver into buf:
 * "Authorization: Bearer T" (bearer; OAuth with a token) or
 * "Authorization: Basic B64"; "" when there is none to send (no auth, mTLS
 * only, or OAuth without a token yet).  -ENOSPC when buf is too small.
 * buf holds a secret: the caller wipes it.
 */
int webauth_header(const struct webauth *a, char *buf, size_t size);

/* Whether the OAuth token can be used at now (CLOCK_MONOTONIC usec). */
bool webauth_token_valid(const struct webauth *a, uint64_t now_usec);
/* Forget the OAuth token (the receiver refused it). */
void webauth_token_drop(struct webauth *a);

/*
 * Parse a token endpoint's 200 response (RFC 6749 section 5.1): a JSON
 * object with access_token (printable, no blanks), token_type "Bearer"
 * (any case) and optionally expires_in (seconds).  On success the token is
 * stored in a with its expiry at now + expires_in - margin.  -EINVAL (and
 * nothing stored) for anything else.
 */
int webauth_token_parse(struct webauth *a, const char *body, size_t len,
			uint64_t now_usec);

/*
 * The token request for a: the form body into *body (malloc'd;
 * "grant_type=client_credentials[&scope=..][&client_id=..&client_secret=..]"
 * with client_secret_post) and, with client_secret_basic, the header line
 * "Authorization: Basic base64(urlenc(id):urlenc(secret))" into hdr ("" for
 * _post).  Both hold secrets: wipe them.  -ENOMEM, -ENOSPC.
 */
int webauth_token_request(const struct webauth *a, char **body, char *hdr,
			  size_t hdrsize);

/* The OAuth error code of a token endpoint's error response
 * ("invalid_client"...) into buf when it is a plain RFC 6749 code, else
 * "". */
void webauth_token_error(const char *body, size_t len, char *buf,
			 size_t size);

#endif
