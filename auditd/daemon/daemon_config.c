// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daemon_config.c - parse /etc/fwaudit/fwauditd.conf.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon_config.h"
#include "readfile.h"
#include "util.h"

enum key_type { K_STR, K_UINT, K_LONG, K_BOOL, K_SIZE, K_FORMAT, K_OVERFLOW,
		K_IFACES, K_TLS_VERIFY, K_CLIENT_AUTH };

struct key {
	const char *name;
	enum key_type type;
	size_t off;
	unsigned long min, max;
};

#define OFF(f) offsetof(struct daemon_config, f)
static const struct key keys[] = {
	{ "rules",			K_STR,	OFF(rules), 0, 0 },
	{ "interfaces",			K_IFACES, OFF(ifaces), 0, 0 },
	{ "docker",			K_BOOL,	OFF(docker), 0, 0 },
	{ "container_namespaces",	K_BOOL,	OFF(netns), 0, 0 },
	{ "debounce_ms",		K_UINT,	OFF(debounce_ms), 1, 60000 },
	{ "max_delay_ms",		K_UINT,	OFF(max_delay_ms), 1, 600000 },
	{ "poll_interval_ms",		K_UINT,	OFF(poll_ms), 100, 3600000 },
	{ "netlink_rcvbuf",		K_UINT,	OFF(rcvbuf), 65536, 1u << 30 },
	{ "crosscheck_interval_s",	K_UINT,	OFF(crosscheck_s), 0, 7u * 86400 },
	{ "webhook_url",		K_STR,	OFF(webhook_url), 0, 0 },
	{ "webhook_url_file",		K_STR,	OFF(webhook_url_file), 0, 0 },
	{ "webhook_format",		K_FORMAT, OFF(webhook_format), 0, 0 },
	{ "webhook_secret_file",	K_STR,	OFF(webhook_secret_file), 0, 0 },
	{ "tls_verify",			K_TLS_VERIFY, OFF(tls_no_verify), 0, 0 },
	{ "webhook_ca_file",		K_STR,	OFF(webhook_ca_file), 0, 0 },
	{ "webhook_bearer_token_file",	K_STR,	OFF(bearer_token_file), 0, 0 },
	{ "webhook_basic_auth_file",	K_STR,	OFF(basic_auth_file), 0, 0 },
	{ "webhook_client_cert_file",	K_STR,	OFF(client_cert_file), 0, 0 },
	{ "webhook_client_key_file",	K_STR,	OFF(client_key_file), 0, 0 },
	{ "webhook_oauth_token_url",	K_STR,	OFF(oauth_token_url), 0, 0 },
	{ "webhook_oauth_client_id_file", K_STR, OFF(oauth_client_id_file), 0, 0 },
	{ "webhook_oauth_client_secret_file", K_STR, OFF(oauth_client_secret_file), 0, 0 },
	{ "webhook_oauth_scope",	K_STR,	OFF(oauth_scope), 0, 0 },
	{ "webhook_oauth_client_auth",	K_CLIENT_AUTH, OFF(oauth_client_auth), 0, 0 },
	{ "webhook_connect_timeout_ms",	K_LONG,	OFF(connect_timeout_ms), 100, 600000 },
	{ "webhook_timeout_ms",		K_LONG,	OFF(timeout_ms), 100, 600000 },
	{ "instance",			K_STR,	OFF(instance), 0, 0 },
	{ "alert_resend_s",		K_UINT,	OFF(resend_s), 0, 86400 },
	{ "spool_dir",			K_STR,	OFF(spool_dir), 0, 0 },
	{ "spool_max_entries",		K_SIZE,	OFF(spool_max), 1, SPOOL_MAX_ENTRIES },
	{ "spool_overflow",		K_OVERFLOW, OFF(spool_overflow), 0, 0 },
	{ "prometheus_textfile",	K_STR,	OFF(prometheus_textfile), 0, 0 },
	{ "snapshot_file",		K_STR,	OFF(snapshot_file), 0, 0 },
	{ "user",			K_STR,	OFF(user), 0, 0 },
};
#define NKEYS ARRAY_SIZE(keys)

static void set_err(struct daemon_config_error *err, const char *path,
		    unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_err(struct daemon_config_error *err, const char *path,
		    unsigned int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(err->message, sizeof(err->message), "%s:%u: %s",
			 path, line, msg);
	else
		snprintf(err->message, sizeof(err->message), "%s: %s", path,
			 msg);
}

int daemon_webhook_format_parse(const char *s, enum webhook_format *out)
{
	if (!strcmp(s, "generic"))
		*out = WEBHOOK_FORMAT_GENERIC;
	else if (!strcmp(s, "alertmanager"))
		*out = WEBHOOK_FORMAT_ALERTMANAGER;
	else if (!strcmp(s, "slack"))
		*out = WEBHOOK_FORMAT_SLACK;
	else
		return -EINVAL;
	return 0;
}

int daemon_config_init(struct daemon_config *c)
{
	memset(c, 0, sizeof(*c));
	c->docker = true;
	c->debounce_ms = 50;
	c->max_delay_ms = 1000;
	c->poll_ms = 2000;
	c->rcvbuf = 4u << 20;
	c->crosscheck_s = 3600;
	c->connect_timeout_ms = 5000;
	c->timeout_ms = 10000;
	c->resend_s = 60;
	c->spool_max = SPOOL_DEFAULT_MAX;
	c->spool_overflow = SPOOL_DROP_OLDEST;
	c->spool_dir = strdup(SPOOL_DEFAULT_DIR);
	c->user = strdup("fwaudit");
	if (!c->spool_dir || !c->user) {
		daemon_config_release(c);
		return -ENOMEM;
	}
	return 0;
}

void daemon_config_release(struct daemon_config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nifaces; i++)
		free(c->ifaces[i]);
	free(c->ifaces);
	free(c->rules);
	free(c->webhook_url);
	free(c->webhook_url_file);
	free(c->webhook_secret_file);
	free(c->webhook_ca_file);
	free(c->bearer_token_file);
	free(c->basic_auth_file);
	free(c->client_cert_file);
	free(c->client_key_file);
	free(c->oauth_token_url);
	free(c->oauth_client_id_file);
	free(c->oauth_client_secret_file);
	free(c->oauth_scope);
	free(c->instance);
	free(c->spool_dir);
	free(c->prometheus_textfile);
	free(c->snapshot_file);
	free(c->user);
	memset(c, 0, sizeof(*c));
}

static int parse_ulong(const char *v, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	unsigned long n;
	char *end;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -ERANGE;
	*out = n;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") ||
	    !strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") ||
		 !strcmp(v, "off"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int parse_ifaces(struct daemon_config *c, char *v)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(v, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		char **n;

		if (strlen(tok) >= 16)
			return -ENAMETOOLONG;
		if (c->nifaces >= DAEMON_CONFIG_MAX_IFACES)
			return -E2BIG;
		n = realloc(c->ifaces, (c->nifaces + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->ifaces = n;
		c->ifaces[c->nifaces] = strdup(tok);
		if (!c->ifaces[c->nifaces])
			return -ENOMEM;
		c->nifaces++;
	}
	return c->nifaces ? 0 : -EINVAL;
}

static int set_key(struct daemon_config *c, const struct key *k, char *v,
		   const char **why)
{
	void *p = (char *)c + k->off;
	unsigned long n;
	bool b;
	int ret;

	*why = NULL;
	switch (k->type) {
	case K_STR:
		if (!*v) {
			*why = "empty value";
			return -EINVAL;
		}
		if (strlen(v) > DAEMON_URL_MAX) {
			*why = "value too long";
			return -EINVAL;
		}
		free(*(char **)p);
		*(char **)p = strdup(v);
		return *(char **)p ? 0 : -ENOMEM;
	case K_UINT:
	case K_LONG:
	case K_SIZE:
		ret = parse_ulong(v, k->min, k->max, &n);
		if (ret < 0) {
			*why = "not a number in the accepted range";
			return ret;
		}
		if (k->type == K_UINT)
			*(unsigned int *)p = (unsigned int)n;
		else if (k->type == K_LONG)
			*(long *)p = (long)n;
		else
			*(size_t *)p = n;
		return 0;
	case K_BOOL:
	case K_TLS_VERIFY:
		ret = parse_bool(v, &b);
		if (ret < 0) {
			*why = "expected yes or no";
			return ret;
		}
		*(bool *)p = k->type == K_TLS_VERIFY ? !b : b;
		return 0;
	case K_FORMAT:
		ret = daemon_webhook_format_parse(v, p);
		if (ret < 0)
			*why = "expected generic, alertmanager or slack";
		return ret;
	case K_OVERFLOW:
		if (!strcmp(v, "drop-oldest"))
			*(enum spool_overflow *)p = SPOOL_DROP_OLDEST;
		else if (!strcmp(v, "drop-newest"))
			*(enum spool_overflow *)p = SPOOL_DROP_NEWEST;
		else {
			*why = "expected drop-oldest or drop-newest";
			return -EINVAL;
		}
		return 0;
	case K_CLIENT_AUTH:
		if (!strcmp(v, "client_secret_basic"))
			*(enum webauth_client_auth *)p =
				WEBAUTH_CLIENT_SECRET_BASIC;
		else if (!strcmp(v, "client_secret_post"))
			*(enum webauth_client_auth *)p =
				WEBAUTH_CLIENT_SECRET_POST;
		else {
			*why = "expected client_secret_basic or "
			       "client_secret_post";
			return -EINVAL;
		}
		return 0;
	case K_IFACES:
		ret = parse_ifaces(c, v);
		if (ret < 0)
			*why = "expected interface names separated by commas "
			       "(at most 64, each shorter than 16 bytes)";
		return ret;
	}
	return -EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		*--e = '\0';
	return s;
}

static int read_small_file(const char *path, size_t max, char **out)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	ret = readfile_path(path, max, &buf, &len);
	if (ret < 0)
		return ret;
	if (memchr(buf, '\0', len)) {
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

int daemon_config_load(const char *path, bool missing_ok,
		       struct daemon_config *out,
		       struct daemon_config_error *err)
{
	struct daemon_config c;
	bool seen[NKEYS] = { false };
	char *text = NULL, *line, *next;
	unsigned int lineno = 0;
	int ret;

	ret = daemon_config_init(&c);
	if (ret < 0) {
		set_err(err, path, 0, "out of memory");
		return ret;
	}
	ret = read_small_file(path, DAEMON_CONFIG_MAX_FILE, &text);
	if (ret == -ENOENT && missing_ok)
		goto done;
	if (ret < 0) {
		set_err(err, path, 0, "%s", ret == -EFBIG ?
			"larger than 64 KiB" : ret == -EINVAL ?
			"contains a NUL byte" : strerror(-ret));
		goto fail;
	}
	for (line = text; line; line = next) {
		const struct key *k = NULL;
		const char *why;
		char *eq, *name, *value;
		size_t i;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (strlen(line) > DAEMON_CONFIG_MAX_LINE) {
			set_err(err, path, lineno, "line longer than %u bytes",
				DAEMON_CONFIG_MAX_LINE);
			ret = -EINVAL;
			goto fail;
		}
		line = trim(line);
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			set_err(err, path, lineno, "expected 'key = value'");
			ret = -EINVAL;
			goto fail;
		}
		*eq = '\0';
		name = trim(line);
		value = trim(eq + 1);
		for (i = 0; i < NKEYS; i++) {
			if (!strcmp(keys[i].name, name)) {
				k = &keys[i];
				break;
			}
		}
		if (!k) {
			set_err(err, path, lineno, "unknown key '%.64s'", name);
			ret = -EINVAL;
			goto fail;
		}
		if (seen[i]) {
			set_err(err, path, lineno, "'%s' is set twice",
				k->name);
			ret = -EINVAL;
			goto fail;
		}
		seen[i] = true;
		if (k->off == OFF(user))
			c.user_line = lineno;
		ret = set_key(&c, k, value, &why);
		if (ret < 0) {
			/* the value may be a secret (webhook_url): never
			 * echo it */
			set_err(err, path, lineno, "%s: %s", k->name,
				why ? why : strerror(-ret));
			goto fail;
		}
	}
	if (c.webhook_url && c.webhook_url_file) {
		set_err(err, path, 0,
			"webhook_url and webhook_url_file are both set");
		ret = -EINVAL;
		goto fail;
	}
	if ((c.bearer_token_file != NULL) + (c.basic_auth_file != NULL) +
	    (c.oauth_token_url || c.oauth_client_id_file ||
	     c.oauth_client_secret_file) > 1) {
		set_err(err, path, 0, "more than one of webhook_bearer_token_file, "
			"webhook_basic_auth_file and webhook_oauth_*");
		ret = -EINVAL;
		goto fail;
	}
	if ((c.oauth_token_url || c.oauth_client_id_file ||
	     c.oauth_client_secret_file || c.oauth_scope) &&
	    !(c.oauth_token_url && c.oauth_client_id_file &&
	      c.oauth_client_secret_file)) {
		set_err(err, path, 0, "OAuth 2.0 needs webhook_oauth_token_url, "
			"webhook_oauth_client_id_file and "
			"webhook_oauth_client_secret_file");
		ret = -EINVAL;
		goto fail;
	}
	if (!c.client_cert_file != !c.client_key_file) {
		set_err(err, path, 0, "webhook_client_cert_file and "
			"webhook_client_key_file go together");
		ret = -EINVAL;
		goto fail;
	}
	if (c.max_delay_ms < c.debounce_ms) {
		set_err(err, path, 0, "max_delay_ms is shorter than debounce_ms");
		ret = -EINVAL;
		goto fail;
	}
done:
	free(text);
	*out = c;
	return 0;
fail:
	free(text);
	daemon_config_release(&c);
	return ret;
}

int daemon_config_check_user(const struct daemon_config *c, const char *path,
			     struct daemon_config_error *err)
{
	struct passwd *pw;

	if (!c->user_line || !c->user)
		return 0;
	errno = 0;
	pw = getpwnam(c->user);
	if (pw)
		return 0;
	/* getpwnam(3): these, or none, mean "no such user" */
	if (errno && errno != ENOENT && errno != ESRCH && errno != EBADF &&
	    errno != EPERM) {
		int ret = -errno;

		set_err(err, path, c->user_line, "user '%.64s': %s", c->user,
			strerror(errno));
		return ret;
	}
	set_err(err, path, c->user_line, "user '%.64s' does not exist",
		c->user);
	return -ESRCH;
}

int daemon_config_webhook_url(const struct daemon_config *c, char **url)
{
	char *text = NULL, *nl, *s;
	int ret;

	if (c->webhook_url) {
		s = strdup(c->webhook_url);
		if (!s)
			return -ENOMEM;
		*url = s;
		return 0;
	}
	if (c->webhook_url_file) {
		ret = read_small_file(c->webhook_url_file, DAEMON_URL_MAX,
				      &text);
	} else {
		/* systemd LoadCredential=webhook-url:...; as in webhook.c,
		 * not from the environment of a set-id or file-capability
		 * exec */
		const char *dir = secure_getenv("CREDENTIALS_DIRECTORY");
		char path[4096];

		*url = NULL;
		if (!dir || !*dir)
			return 0;
		snprintf(path, sizeof(path), "%s/%s", dir,
			 DAEMON_URL_CREDENTIAL);
		ret = read_small_file(path, DAEMON_URL_MAX, &text);
		if (ret == -ENOENT)
			return 0;
	}
	if (ret < 0)
		return ret;
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	s = trim(text);
	if (!*s) {
		explicit_bzero(text, strlen(text));
		free(text);
		return -EINVAL;
	}
	memmove(text, s, strlen(s) + 1);
	*url = text;
	return 0;
}

void daemon_config_webauth_files(const struct daemon_config *c,
				 struct webauth_files *f)
{
	memset(f, 0, sizeof(*f));
	f->bearer_token_file = c->bearer_token_file;
	f->basic_auth_file = c->basic_auth_file;
	f->client_cert_file = c->client_cert_file;
	f->client_key_file = c->client_key_file;
	f->oauth_token_url = c->oauth_token_url;
	f->oauth_client_id_file = c->oauth_client_id_file;
	f->oauth_client_secret_file = c->oauth_client_secret_file;
	f->oauth_scope = c->oauth_scope;
	f->oauth_client_auth = c->oauth_client_auth;
}
