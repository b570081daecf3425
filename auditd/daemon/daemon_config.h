/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon_config.h - fwauditd's configuration file (see fwauditd(8)):
 *
 *	# comment
 *	key = value
 *
 * One setting per line; unknown keys, bad values and repeated keys are
 * errors reported as "file:line: message".  Values are taken verbatim
 * after trimming blanks; a '#' starts a comment only at the start of a
 * line, so that a URL or a path may contain one.  Secrets (the webhook URL
 * and the signing key) are better kept in files of their own
 * (webhook_url_file, webhook_secret_file): the configuration is readable by
 * whoever may read /etc.
 *
 * Error idiom as in ruleset.h.
 */
#ifndef FWAUDIT_DAEMON_CONFIG_H
#define FWAUDIT_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spool.h"
#include "webauth.h"
#include "webhook.h"

#define DAEMON_CONFIG_DEFAULT	FWAUDIT_SYSCONFDIR "/fwauditd.conf"
#define DAEMON_CONFIG_MAX_FILE	(64u << 10)
#define DAEMON_CONFIG_MAX_LINE	4096
#define DAEMON_CONFIG_MAX_IFACES	64
#define DAEMON_URL_MAX		4096
#define DAEMON_URL_CREDENTIAL	"webhook-url"

struct daemon_config {
	char *rules;			/* NULL: the default policy */
	size_t nifaces;
	char **ifaces;			/* NULL: the policy's or the host's */
	bool docker;			/* name DNAT backends by container */
	/* keep CAP_SYS_ADMIN and CAP_SYS_PTRACE to enter the containers'
	 * own namespaces (daemon_privs.h); at start only */
	bool netns;
	unsigned int debounce_ms;	/* quiet time before an audit */
	unsigned int max_delay_ms;	/* longest wait in a continuous burst */
	unsigned int poll_ms;		/* listeners and legacy x_tables */
	unsigned int rcvbuf;		/* bytes, the event sockets */
	unsigned int crosscheck_s;	/* a full read against the incremental
					 * state (0: never) */
	/* webhook; url or url_file, not both (NULL: no webhook) */
	char *webhook_url;
	char *webhook_url_file;
	enum webhook_format webhook_format;
	char *webhook_secret_file;	/* NULL: $CREDENTIALS_DIRECTORY or none */
	bool tls_no_verify;
	char *webhook_ca_file;
	/* credentials (webauth.h): file paths or credential names */
	char *bearer_token_file;
	char *basic_auth_file;
	char *client_cert_file;
	char *client_key_file;
	char *oauth_token_url;
	char *oauth_client_id_file;
	char *oauth_client_secret_file;
	char *oauth_scope;
	enum webauth_client_auth oauth_client_auth;
	long connect_timeout_ms;
	long timeout_ms;
	char *instance;
	unsigned int resend_s;		/* re-send firing alerts (alertmanager) */
	char *spool_dir;
	size_t spool_max;
	enum spool_overflow spool_overflow;
	char *prometheus_textfile;	/* NULL: none */
	char *snapshot_file;		/* NULL: none; else the snapshot of
					 * the last audit that changed
					 * something (doc/snapshot.md) */
	char *user;			/* "root": keep uid 0, drop capabilities */
	unsigned int user_line;		/* where the file sets user; 0: the
					 * default */
};

struct daemon_config_error {
	char message[DAEMON_CONFIG_MAX_LINE + 256];	/* "file:line: ..." */
};

/* Defaults of every key into c (zeroed first; free with
 * daemon_config_release()).  -ENOMEM. */
int daemon_config_init(struct daemon_config *c);

/* Parse path into a new configuration in *out (defaults for absent keys).
 * missing_ok: a path that does not exist gives the defaults.  On failure a
 * negative errno and err says where and why; *out untouched. */
int daemon_config_load(const char *path, bool missing_ok,
		       struct daemon_config *out,
		       struct daemon_config_error *err);
void daemon_config_release(struct daemon_config *c);

/* The webhook URL: webhook_url, or the first line of webhook_url_file,
 * or else of $CREDENTIALS_DIRECTORY/webhook-url (systemd LoadCredential=);
 * a secret: the caller frees and never logs it.  *url is NULL when no
 * webhook is configured.  0 or a negative errno (file errors, -EINVAL for
 * an empty or too long file). */
int daemon_config_webhook_url(const struct daemon_config *c, char **url);

/*
 * Whether the user a daemon started as root switches to exists (fwauditd
 * calls it before it opens anything).  0; or -ESRCH with err saying
 * "path:line: user 'NAME' does not exist" when the file names a user that
 * does not (a typo must not leave the daemon running as root); or another
 * negative errno when the user database cannot be read.  The default user
 * may be missing: the daemon then stays uid 0 with only its capabilities
 * (daemon_privs.h).
 */
int daemon_config_check_user(const struct daemon_config *c, const char *path,
			     struct daemon_config_error *err);

/* The credential files c names, for webauth_load() (borrowed strings). */
void daemon_config_webauth_files(const struct daemon_config *c,
				 struct webauth_files *f);

/* "generic", "alertmanager", "slack"; -EINVAL otherwise. */
int daemon_webhook_format_parse(const char *s, enum webhook_format *out);

#endif
