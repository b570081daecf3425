// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * webauth.c - the webhook's credentials, read from files (webauth.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base64.h"
#include "webauth.h"

static void free_secret(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static void free_pem(char *s, size_t len)
{
	if (!s)
		return;
	explicit_bzero(s, len);
	free(s);
}

const char *webauth_kind_name(enum webauth_kind kind)
{
	switch (kind) {
	case WEBAUTH_BEARER:
		return "bearer token";
	case WEBAUTH_BASIC:
		return "basic auth";
	case WEBAUTH_OAUTH2:
		return "OAuth 2.0 token";
	default:
		return "none";
	}
}

void webauth_describe(const struct webauth *a, char *buf, size_t size)
{
	if (!size)
		return;
	if (!a || (a->kind == WEBAUTH_NONE && !a->cert_pem))
		snprintf(buf, size, "no credentials");
	else if (a->kind == WEBAUTH_NONE)
		snprintf(buf, size, "client certificate (mutual TLS)");
	else
		snprintf(buf, size, "%s%s", webauth_kind_name(a->kind),
			 a->cert_pem ? " + client certificate (mutual TLS)" :
			 "");
}

int webauth_resolve(const char *name, char *buf, size_t size)
{
	const char *dir;
	int n;

	if (!name || !*name)
		return -EINVAL;
	if (strchr(name, '/')) {
		n = snprintf(buf, size, "%s", name);
		return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
	}
	/* as in webhook.c: not from the environment of a set-id exec */
	dir = secure_getenv("CREDENTIALS_DIRECTORY");
	if (dir && *dir) {
		n = snprintf(buf, size, "%s/%s", dir, name);
		if (n < 0 || (size_t)n >= size)
			return -ENAMETOOLONG;
		if (access(buf, F_OK) == 0)
			return 0;
	}
	n = snprintf(buf, size, WEBAUTH_DOCKER_SECRETS "/%s", name);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int webauth_read_file(const char *name, size_t max, bool first_line,
		      bool secret, char **out, size_t *lenp)
{
	char path[4096], *buf = NULL;
	size_t len = 0;
	struct stat st;
	ssize_t r;
	int fd, ret;

	ret = webauth_resolve(name, path, sizeof(path));
	if (ret < 0)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	ret = -EINVAL;
	if (!S_ISREG(st.st_mode))
		goto out;
	if (secret) {
		/* anyone but the owner may write: the credential is not ours;
		 * others may read: it is no longer a secret.  A Docker secret
		 * is 0444 by default, and only the container sees it. */
		bool docker = !strncmp(path, WEBAUTH_DOCKER_SECRETS "/",
				       strlen(WEBAUTH_DOCKER_SECRETS "/"));
		mode_t bad = docker ? 022 : 066;

		ret = -EPERM;
		if (st.st_mode & bad)
			goto out;
	}
	buf = malloc(max + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		r = read(fd, buf + len, max + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max) {
			ret = -EFBIG;
			goto out;
		}
	}
	buf[len] = '\0';
	ret = -EINVAL;
	if (memchr(buf, '\0', len))
		goto out;
	if (first_line) {
		len = strcspn(buf, "\r\n");
		while (len && isspace((unsigned char)buf[len - 1]))
			len--;
		explicit_bzero(buf + len, max + 1 - len);
	}
	if (!len)
		goto out;
	*out = buf;
	*lenp = len;
	buf = NULL;
	ret = 0;
out:
	if (buf) {
		explicit_bzero(buf, max + 1);
		free(buf);
	}
	close(fd);
	return ret;
}

static int read_line(const char *name, char **out)
{
	size_t len;

	return webauth_read_file(name, WEBAUTH_SECRET_MAX, true, true, out,
				 &len);
}

/* A header value must not be able to end the header: no control bytes. */
static bool header_safe(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	}
	return true;
}

int webauth_load(const struct webauth_files *f, struct webauth **out,
		 const char **what)
{
	struct webauth *a;
	size_t len;
	int n = 0, ret;

	*out = NULL;
	*what = NULL;
	n += f->bearer_token_file != NULL;
	n += f->basic_auth_file != NULL;
	n += f->oauth_token_url != NULL || f->oauth_client_id_file != NULL ||
	     f->oauth_client_secret_file != NULL;
	if (n > 1) {
		*what = "webhook_bearer_token_file, webhook_basic_auth_file "
			"and webhook_oauth_*";
		return -EEXIST;
	}
	if (!!f->client_cert_file != !!f->client_key_file) {
		*what = f->client_cert_file ? "webhook_client_key_file" :
					      "webhook_client_cert_file";
		return -ENOENT;
	}
	if (!n && !f->client_cert_file)
		return 0;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	if (f->bearer_token_file) {
		a->kind = WEBAUTH_BEARER;
		*what = "webhook_bearer_token_file";
		ret = read_line(f->bearer_token_file, &a->bearer);
		if (ret == 0 && !header_safe(a->bearer))
			ret = -EINVAL;
		if (ret < 0)
			goto fail;
	} else if (f->basic_auth_file) {
		a->kind = WEBAUTH_BASIC;
		*what = "webhook_basic_auth_file";
		ret = read_line(f->basic_auth_file, &a->basic);
		/* RFC 7617: the user name holds no colon */
		if (ret == 0 && (!strchr(a->basic, ':') ||
				 a->basic[0] == ':'))
			ret = -EINVAL;
		if (ret < 0)
			goto fail;
	} else if (n) {
		a->kind = WEBAUTH_OAUTH2;
		a->client_auth = f->oauth_client_auth;
		ret = -ENOENT;
		*what = "webhook_oauth_token_url";
		if (!f->oauth_token_url)
			goto fail;
		*what = "webhook_oauth_client_id_file";
		if (!f->oauth_client_id_file)
			goto fail;
		*what = "webhook_oauth_client_secret_file";
		if (!f->oauth_client_secret_file)
			goto fail;
		ret = -ENOMEM;
		a->token_url = strdup(f->oauth_token_url);
		a->scope = f->oauth_scope ? strdup(f->oauth_scope) : NULL;
		*what = NULL;
		if (!a->token_url || (f->oauth_scope && !a->scope))
			goto fail;
		*what = "webhook_oauth_client_id_file";
		/* the client id is not secret, but it is kept as one: it
		 * often comes with the secret from the same vault */
		ret = read_line(f->oauth_client_id_file, &a->client_id);
		if (ret < 0)
			goto fail;
		*what = "webhook_oauth_client_secret_file";
		ret = read_line(f->oauth_client_secret_file, &a->client_secret);
		if (ret < 0)
			goto fail;
	}
	if (f->client_cert_file) {
		*what = "webhook_client_cert_file";
		ret = webauth_read_file(f->client_cert_file, WEBAUTH_PEM_MAX,
					false, false, &a->cert_pem, &len);
		if (ret < 0)
			goto fail;
		a->cert_len = len;
		*what = "webhook_client_key_file";
		ret = webauth_read_file(f->client_key_file, WEBAUTH_PEM_MAX,
					false, true, &a->key_pem, &len);
		if (ret < 0)
			goto fail;
		a->key_len = len;
	}
	*what = NULL;
	*out = a;
	return 0;
fail:
	webauth_free(a);
	return ret;
}

void webauth_free(struct webauth *a)
{
	if (!a)
		return;
	free_secret(a->bearer);
	free_secret(a->basic);
	free_pem(a->cert_pem, a->cert_len);
	free_pem(a->key_pem, a->key_len);
	free(a->token_url);
	free_secret(a->client_id);
	free_secret(a->client_secret);
	free(a->scope);
	free_secret(a->token);
	explicit_bzero(a, sizeof(*a));
	free(a);
}

/* "Authorization: Basic " base64(user:password) into buf. */
static int basic_header(const char *userpass, size_t len, char *buf,
			size_t size)
{
	static const char pfx[] = "Authorization: Basic ";

	if (size < sizeof(pfx) + BASE64_ENCODED_LEN(len))
		return -ENOSPC;
	memcpy(buf, pfx, sizeof(pfx) - 1);
	return base64_encode(userpass, len, buf + sizeof(pfx) - 1,
			     size - (sizeof(pfx) - 1)) < 0 ? -ENOSPC : 0;
}

int webauth_header(const struct webauth *a, char *buf, size_t size)
{
	const char *token = NULL;
	int n;

	if (!size)
		return -ENOSPC;
	buf[0] = '\0';
	if (!a)
		return 0;
	switch (a->kind) {
	case WEBAUTH_BASIC:
		return basic_header(a->basic, strlen(a->basic), buf, size);
	case WEBAUTH_BEARER:
		token = a->bearer;
		break;
	case WEBAUTH_OAUTH2:
		token = a->token;
		break;
	default:
		break;
	}
	if (!token)
		return 0;
	n = snprintf(buf, size, "Authorization: Bearer %s", token);
	if (n < 0 || (size_t)n >= size) {
		explicit_bzero(buf, size);
		return -ENOSPC;
	}
	return 0;
}

bool webauth_token_valid(const struct webauth *a, uint64_t now_usec)
{
	return a && a->token && now_usec < a->token_expiry_usec;
}

void webauth_token_drop(struct webauth *a)
{
	if (!a)
		return;
	free_secret(a->token);
	a->token = NULL;
	a->token_expiry_usec = 0;
}

int webauth_token_parse(struct webauth *a, const char *body, size_t len,
			uint64_t now_usec)
{
	json_t *j, *tok, *type, *exp;
	uint64_t life, margin;
	const char *s;
	char *copy;
	size_t i;
	int ret = -EINVAL;

	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (!j)
		return -EINVAL;
	tok = json_object_get(j, "access_token");
	type = json_object_get(j, "token_type");
	exp = json_object_get(j, "expires_in");
	if (!json_is_string(tok) || !json_is_string(type) ||
	    strcasecmp(json_string_value(type), "bearer") != 0)
		goto out;
	s = json_string_value(tok);
	/* RFC 6750 b64token: visible ASCII, nothing a header could split on */
	if (!*s || strlen(s) > WEBAUTH_SECRET_MAX)
		goto out;
	for (i = 0; s[i]; i++) {
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			goto out;
	}
	if (exp && !(json_is_integer(exp) && json_integer_value(exp) > 0 &&
		     json_integer_value(exp) < 100000000))
		goto out;
	life = exp ? (uint64_t)json_integer_value(exp) :
		     WEBAUTH_TOKEN_DEFAULT_LIFE_S;
	life *= 1000000u;
	margin = life / 10 < WEBAUTH_TOKEN_MARGIN_USEC ? life / 10 :
		 WEBAUTH_TOKEN_MARGIN_USEC;
	copy = strdup(s);
	if (!copy) {
		ret = -ENOMEM;
		goto out;
	}
	webauth_token_drop(a);
	a->token = copy;
	a->token_expiry_usec = now_usec + life - margin;
	ret = 0;
out:
	/* the token is in j's memory too: wipe it there before the free */
	if (json_is_string(tok)) {
		char *v = (char *)json_string_value(tok);

		explicit_bzero(v, strlen(v));
	}
	json_decref(j);
	return ret;
}

/* curl_easy_escape() of s, or NULL; the result is wiped by free_escaped. */
static char *escape(const char *s)
{
	return curl_easy_escape(NULL, s, 0);
}

static void free_escaped(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	curl_free(s);
}

int webauth_token_request(const struct webauth *a, char **body, char *hdr,
			  size_t hdrsize)
{
	char *id = NULL, *secret = NULL, *scope = NULL, *up = NULL;
	int n, ret = -ENOMEM;

	*body = NULL;
	if (!hdrsize)
		return -ENOSPC;
	hdr[0] = '\0';
	id = escape(a->client_id);
	secret = escape(a->client_secret);
	if (a->scope)
		scope = escape(a->scope);
	if (!id || !secret || (a->scope && !scope))
		goto out;
	if (a->client_auth == WEBAUTH_CLIENT_SECRET_POST) {
		n = asprintf(body, "grant_type=client_credentials%s%s"
			     "&client_id=%s&client_secret=%s",
			     scope ? "&scope=" : "", scope ? scope : "", id,
			     secret);
	} else {
		/* RFC 6749 2.3.1: each part form-encoded, then basic */
		n = asprintf(&up, "%s:%s", id, secret);
		if (n < 0) {
			up = NULL;
			goto out;
		}
		ret = basic_header(up, (size_t)n, hdr, hdrsize);
		if (ret < 0)
			goto out;
		ret = -ENOMEM;
		n = asprintf(body, "grant_type=client_credentials%s%s",
			     scope ? "&scope=" : "", scope ? scope : "");
	}
	if (n < 0) {
		*body = NULL;
		goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		explicit_bzero(hdr, hdrsize);
	free_secret(up);
	free_escaped(id);
	free_escaped(secret);
	free_escaped(scope);
	return ret;
}

void webauth_token_error(const char *body, size_t len, char *buf,
			 size_t size)
{
	json_t *j, *e;
	const char *s;
	size_t i;

	if (!size)
		return;
	buf[0] = '\0';
	j = json_loadb(body, len, 0, NULL);
	e = json_object_get(j, "error");
	if (json_is_string(e)) {
		s = json_string_value(e);
		/* only a code, never free text a server may fill with what
		 * it was sent */
		for (i = 0; s[i]; i++) {
			if (!(islower((unsigned char)s[i]) || s[i] == '_'))
				break;
		}
		if (!s[i] && i && i < 40)
			snprintf(buf, size, "%s", s);
	}
	json_decref(j);
}
