// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * curl_dl.c - fwauditd's libcurl, loaded only when the daemon first sends.
 *
 * Linked with -lcurl, fwauditd maps libcurl and everything it needs (two TLS
 * stacks, Kerberos, LDAP, SSH, p11-kit) at start, and gnutls's constructor
 * and curl_global_init() touch them: measured on the chair ruleset, 7 MiB of
 * the idle daemon's 19 MiB resident were those libraries, used only by a
 * webhook or the Docker reader (issue 13: idle RSS <= 10 MiB).  fwauditd is
 * linked with this file instead of -lcurl: each libcurl function the modules
 * call is defined here and forwards to libcurl.so.4, which is dlopen()ed at
 * the first call that needs it.  curl_global_init() only records its flags;
 * the real one runs right after the load.  When the library cannot be
 * loaded, the calls fail the way libcurl's own do when out of memory (NULL
 * handles, CURLE_FAILED_INIT), and the callers' error paths say so.
 *
 * fwaudit and the tests link libcurl itself; the prototypes come from
 * <curl/curl.h>, so a signature that differs does not compile.
 */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>

#include "util.h"

static struct {
	int tried;
	void *dl;
	long init_flags;
	int init_called;
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	char *(*easy_escape)(CURL *, const char *, int);
	void (*free)(void *);
	time_t (*getdate)(const char *, const time_t *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *);
	CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
} lc;

#define SYM(field, name) \
	{ offsetof(__typeof__(lc), field), name }

static const struct {
	size_t off;
	const char *name;
} syms[] = {
	SYM(global_init, "curl_global_init"),
	SYM(global_cleanup, "curl_global_cleanup"),
	SYM(easy_init, "curl_easy_init"),
	SYM(easy_cleanup, "curl_easy_cleanup"),
	SYM(easy_reset, "curl_easy_reset"),
	SYM(easy_perform, "curl_easy_perform"),
	SYM(easy_setopt, "curl_easy_setopt"),
	SYM(easy_getinfo, "curl_easy_getinfo"),
	SYM(easy_strerror, "curl_easy_strerror"),
	SYM(easy_escape, "curl_easy_escape"),
	SYM(free, "curl_free"),
	SYM(getdate, "curl_getdate"),
	SYM(slist_append, "curl_slist_append"),
	SYM(slist_free_all, "curl_slist_free_all"),
	SYM(url, "curl_url"),
	SYM(url_cleanup, "curl_url_cleanup"),
	SYM(url_get, "curl_url_get"),
	SYM(url_set, "curl_url_set"),
};

/* 1 when libcurl is loaded and initialized (once: a failed load is not
 * retried, so a daemon without libcurl fails each send the same cheap way) */
static int curl_dl_load(void)
{
	size_t i;

	if (lc.tried)
		return lc.dl != NULL;
	lc.tried = 1;
	lc.dl = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!lc.dl)
		return 0;
	for (i = 0; i < ARRAY_SIZE(syms); i++) {
		void *f = dlsym(lc.dl, syms[i].name);

		if (!f) {
			dlclose(lc.dl);
			lc.dl = NULL;
			return 0;
		}
		*(void **)((char *)&lc + syms[i].off) = f;
	}
	if (lc.init_called && lc.global_init(lc.init_flags) != CURLE_OK) {
		dlclose(lc.dl);
		lc.dl = NULL;
		return 0;
	}
	return 1;
}

CURLcode curl_global_init(long flags)
{
	lc.init_flags = flags;
	lc.init_called = 1;
	return CURLE_OK;
}

void curl_global_cleanup(void)
{
	if (lc.dl && lc.init_called)
		lc.global_cleanup();
	lc.init_called = 0;
}

CURL *curl_easy_init(void)
{
	return curl_dl_load() ? lc.easy_init() : NULL;
}

/* a handle exists only when libcurl was loaded: no load in what takes one */
void curl_easy_cleanup(CURL *h)
{
	if (lc.dl)
		lc.easy_cleanup(h);
}

void curl_easy_reset(CURL *h)
{
	if (lc.dl)
		lc.easy_reset(h);
}

CURLcode curl_easy_perform(CURL *h)
{
	return lc.dl ? lc.easy_perform(h) : CURLE_FAILED_INIT;
}

/* The variadic argument's type is in the option's number (CURLOPTTYPE_*:
 * long below 10000, pointers to 30000, curl_off_t to 40000, blobs above):
 * read it as that type and pass it on, as libcurl itself reads it. */
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	CURLcode rc = CURLE_FAILED_INIT;
	va_list ap;

	if (!lc.dl)
		return rc;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = lc.easy_setopt(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = lc.easy_setopt(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = lc.easy_setopt(h, opt, va_arg(ap, curl_off_t));
	else
		rc = lc.easy_setopt(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* every CURLINFO_* takes one pointer */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	CURLcode rc = CURLE_FAILED_INIT;
	va_list ap;

	if (!lc.dl)
		return rc;
	va_start(ap, info);
	rc = lc.easy_getinfo(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

const char *curl_easy_strerror(CURLcode code)
{
	if (!curl_dl_load())
		return "libcurl.so.4 could not be loaded";
	return lc.easy_strerror(code);
}

char *curl_easy_escape(CURL *h, const char *s, int len)
{
	return curl_dl_load() ? lc.easy_escape(h, s, len) : NULL;
}

void curl_free(void *p)
{
	if (lc.dl)
		lc.free(p);
}

time_t curl_getdate(const char *s, const time_t *unused)
{
	return curl_dl_load() ? lc.getdate(s, unused) : -1;
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	return curl_dl_load() ? lc.slist_append(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
	if (lc.dl)
		lc.slist_free_all(l);
}

CURLU *curl_url(void)
{
	return curl_dl_load() ? lc.url() : NULL;
}

void curl_url_cleanup(CURLU *u)
{
	if (lc.dl)
		lc.url_cleanup(u);
}

CURLUcode curl_url_get(CURLU *u, CURLUPart part, char **out,
		       unsigned int flags)
{
	return lc.dl ? lc.url_get(u, part, out, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode curl_url_set(CURLU *u, CURLUPart part, const char *s,
		       unsigned int flags)
{
	return lc.dl ? lc.url_set(u, part, s, flags) : CURLUE_OUT_OF_MEMORY;
}
