// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * policy.c - the policy language: parser and judge.
 *
 * The parser reads one line at a time into a bounded buffer and cuts it into
 * tokens: words, "strings", ',' and '='.  Everything a statement refers to
 * is resolved while it is parsed (zones are expanded into address intervals
 * per family), so judging needs no names.
 *
 * The judge works on regions (region.h, the engine's algebra) of
 * destination port x source address of one family and protocol: each rule
 * in order takes what of the row it covers, what is left goes to the
 * default, and region_groups() lays each rule's share out as parts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/netfilter.h>
#include <netinet/in.h>

#include "array.h"
#include "ipaddr.h"
#include "policy.h"
#include "readfile.h"
#include "region.h"
#include "report.h"
#include "util.h"

#ifndef FWAUDIT_RULESDIR
#define FWAUDIT_RULESDIR "/usr/share/fwaudit/rules"
#endif

#define FAM_V4		0
#define FAM_V6		1
#define NFAMS		2

#define PROTO_TCP	0x01
#define PROTO_UDP	0x02
#define PROTO_SCTP	0x04
#define PROTO_OTHER	0x80
#define PROTO_ANY	0xff

/* Address intervals per family, sorted and merged (region_ivs_merge()). */
struct srcs {
	size_t n[NFAMS];
	struct rs_interval *iv[NFAMS];
};

enum rule_kind {
	RULE_ALLOW,
	RULE_ALERT,
	RULE_REQUIRE,
};

enum rule_path {
	PATH_ANY,
	PATH_LOCAL,
	PATH_FORWARD,
};

struct rule {
	enum rule_kind kind;
	enum policy_severity sev;
	uint8_t protos;
	size_t nports;
	struct rs_interval *ports;	/* sorted, merged */
	struct srcs src;
	char *container;
	char *image;
	char *process;
	char *iface;			/* every ingress interface matches */
	enum rule_path path;
	struct policy_ref ref;		/* message owned here */
};

struct zone {
	char *name;
	struct srcs src;
};

struct policy {
	size_t nrules, caprules;
	struct rule *rules;
	size_t nzones;
	struct zone *zones;
	size_t nifaces;
	char **ifaces;
	bool has_default;
	struct rule def;
	size_t nfiles;
	char *files[POLICY_MAX_FILES];	/* paths as shown in refs */
	char *real[POLICY_MAX_FILES];	/* realpath(), for include-once */
};

/* ------------------------------------------------------------------ */
/* Address and port helpers                                             */

static const unsigned int fam_bits[NFAMS] = { 32, 128 };

static rs_u128 fam_max(int fam)
{
	return fam == FAM_V4 ? (rs_u128)0xffffffffu : ~(rs_u128)0;
}

static rs_u128 prefix_mask(unsigned int bits, unsigned int len)
{
	/* host part of a prefix of length len in a bits-wide address */
	unsigned int host = bits - len;

	if (host == 128)
		return ~(rs_u128)0;
	return ((rs_u128)1 << host) - 1;
}

enum prefix_status {
	PREFIX_OK,
	PREFIX_BAD,		/* not an address */
	PREFIX_LEN,		/* length out of range */
	PREFIX_HOSTBITS,	/* bits set after the prefix */
};

/* "a.b.c.d[/len]" or "x:y::z[/len]".  With strict, host bits are an error;
 * otherwise they are cleared (the engine's rows are always clean anyway). */
static enum prefix_status prefix_parse(const char *s, bool strict, int *fam,
				       struct rs_interval *iv,
				       unsigned int *plen)
{
	unsigned int len;
	int af, f, ret;
	rs_u128 v, m;

	ret = ipaddr_prefix_parse(AF_UNSPEC, s, &af, &v, &len);
	if (ret == -ERANGE)
		return PREFIX_LEN;
	if (ret < 0)
		return PREFIX_BAD;
	f = af == AF_INET6 ? FAM_V6 : FAM_V4;
	m = prefix_mask(fam_bits[f], len);
	if ((v & m) && strict)
		return PREFIX_HOSTBITS;
	*fam = f;
	*plen = len;
	iv->lo = v & ~m;
	iv->hi = iv->lo | m;
	return PREFIX_OK;
}

/* The order of boxes and groups: by lower, then upper bound. */
static int iv_cmp(const struct rs_interval *x, const struct rs_interval *y)
{
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return 0;
}

static void srcs_release(struct srcs *s)
{
	int f;

	for (f = 0; f < NFAMS; f++) {
		free(s->iv[f]);
		s->iv[f] = NULL;
		s->n[f] = 0;
	}
}

static int srcs_add(struct srcs *s, int fam, const struct rs_interval *iv,
		    size_t n)
{
	struct rs_interval *a;

	if (!n)
		return 0;
	a = realloc(s->iv[fam], (s->n[fam] + n) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	memcpy(a + s->n[fam], iv, n * sizeof(*a));
	s->iv[fam] = a;
	s->n[fam] += n;
	return 0;
}

/* A copy of the sorted, disjoint intervals for a part or a missing
 * require (what the printers take: report_addrs_text()). */
static int ivs_copy(const struct rs_interval *iv, size_t n,
		    struct rs_interval **out, size_t *nout)
{
	struct rs_interval *l = NULL;

	if (n) {
		l = malloc(n * sizeof(*l));
		if (!l)
			return -ENOMEM;
		memcpy(l, iv, n * sizeof(*l));
	}
	*out = l;
	*nout = n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Parser                                                               */

enum tok_type {
	TOK_END,
	TOK_WORD,
	TOK_STRING,
	TOK_COMMA,
	TOK_EQ,
};

struct tok {
	enum tok_type type;
	unsigned int col;
	char text[POLICY_MAX_LINE + 1];	/* word, or string unescaped */
};

struct parser {
	struct policy *p;
	struct policy_error *err;
	const char *file;		/* policy-owned */
	unsigned int line;
	char buf[POLICY_MAX_LINE + 2];
	size_t pos, len;
	unsigned int depth;
	const char *stack[POLICY_MAX_DEPTH + 1];	/* realpaths being read */
	struct tok t;			/* the current token */
};

static void err_set(struct policy_error *err, const char *file,
		    unsigned int line, unsigned int col, const char *fmt,
		    va_list ap) __attribute__((format(printf, 5, 0)));

static void err_set(struct policy_error *err, const char *file,
		    unsigned int line, unsigned int col, const char *fmt,
		    va_list ap)
{
	if (!err)
		return;
	snprintf(err->file, sizeof(err->file), "%s", file);
	err->line = line;
	err->column = line ? col : 0;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

static int perr(struct parser *ps, int ret, unsigned int col,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int perr(struct parser *ps, int ret, unsigned int col,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_set(ps->err, ps->file, ps->line, col, fmt, ap);
	va_end(ap);
	return ret;
}

static int ferr(struct policy_error *err, const char *file, int ret,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int ferr(struct policy_error *err, const char *file, int ret,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_set(err, file, 0, 0, fmt, ap);
	va_end(ap);
	return ret;
}

char *policy_error_format(const struct policy_error *err, char *buf,
			  size_t len)
{
	if (!len)
		return buf;
	if (err->line)
		snprintf(buf, len, "%s:%u:%u: %s", err->file, err->line,
			 err->column, err->message);
	else
		snprintf(buf, len, "%s: %s", err->file, err->message);
	return buf;
}

/* A token as shown in a message: quoted and cut short. */
static const char *tok_show(const struct tok *t, char *buf, size_t len)
{
	switch (t->type) {
	case TOK_END:
		return "end of line";
	case TOK_COMMA:
		return "','";
	case TOK_EQ:
		return "'='";
	case TOK_STRING:
		return "a message";
	case TOK_WORD:
		break;
	}
	if (strlen(t->text) > 40)
		snprintf(buf, len, "'%.37s...'", t->text);
	else
		snprintf(buf, len, "'%s'", t->text);
	return buf;
}

static bool is_word_char(unsigned char c)
{
	return c > ' ' && c != ',' && c != '=' && c != '"' && c != '#' &&
	       c != 0x7f;
}

static int next(struct parser *ps)
{
	struct tok *t = &ps->t;
	size_t k = 0;
	unsigned char c;

	while (ps->pos < ps->len &&
	       (ps->buf[ps->pos] == ' ' || ps->buf[ps->pos] == '\t' ||
		ps->buf[ps->pos] == '\r'))
		ps->pos++;
	t->col = (unsigned int)ps->pos + 1;
	t->text[0] = '\0';
	if (ps->pos >= ps->len || ps->buf[ps->pos] == '#') {
		t->type = TOK_END;
		ps->pos = ps->len;
		return 0;
	}
	c = (unsigned char)ps->buf[ps->pos];
	if (c == ',' || c == '=') {
		t->type = c == ',' ? TOK_COMMA : TOK_EQ;
		ps->pos++;
		return 0;
	}
	if (c == '"') {
		t->type = TOK_STRING;
		ps->pos++;
		for (;;) {
			if (ps->pos >= ps->len)
				return perr(ps, -EINVAL, t->col,
					    "unterminated string");
			c = (unsigned char)ps->buf[ps->pos++];
			if (c == '"')
				break;
			if (c == '\\') {
				if (ps->pos >= ps->len)
					return perr(ps, -EINVAL, t->col,
						    "unterminated string");
				c = (unsigned char)ps->buf[ps->pos++];
				if (c != '"' && c != '\\')
					return perr(ps, -EINVAL,
						    (unsigned int)ps->pos - 1,
						    "unknown escape '\\%c' "
						    "(only \\\" and \\\\)",
						    c >= ' ' && c < 0x7f ?
						    c : '?');
			} else if (c < ' ' && c != '\t') {
				return perr(ps, -EINVAL,
					    (unsigned int)ps->pos,
					    "control character in string");
			}
			t->text[k++] = (char)c;
		}
		t->text[k] = '\0';
		if (k > POLICY_MAX_MESSAGE)
			return perr(ps, -E2BIG, t->col,
				    "message longer than %d bytes",
				    POLICY_MAX_MESSAGE);
		return 0;
	}
	if (!is_word_char(c))
		return perr(ps, -EINVAL, t->col, "unexpected character "
			    "0x%02x", c);
	t->type = TOK_WORD;
	while (ps->pos < ps->len && is_word_char((unsigned char)ps->buf[ps->pos]))
		t->text[k++] = ps->buf[ps->pos++];
	t->text[k] = '\0';
	return 0;
}

static bool tok_is(const struct tok *t, const char *word)
{
	return t->type == TOK_WORD && !strcmp(t->text, word);
}

static int expected(struct parser *ps, const char *what)
{
	char b[64];

	return perr(ps, -EINVAL, ps->t.col, "expected %s, found %s", what,
		    tok_show(&ps->t, b, sizeof(b)));
}

/* After a list item: true (and the next item read) when a comma follows. */
static int list_more(struct parser *ps, size_t count, bool *more)
{
	int ret;

	*more = false;
	if (ps->t.type != TOK_COMMA)
		return 0;
	if (count >= POLICY_MAX_LIST)
		return perr(ps, -E2BIG, ps->t.col, "more than %d items in a "
			    "list", POLICY_MAX_LIST);
	ret = next(ps);
	if (ret < 0)
		return ret;
	*more = true;
	return 0;
}

static int parse_severity(struct parser *ps, enum policy_severity *sev)
{
	char b[64];

	if (tok_is(&ps->t, "info"))
		*sev = POLICY_SEV_INFO;
	else if (tok_is(&ps->t, "warning"))
		*sev = POLICY_SEV_WARNING;
	else if (tok_is(&ps->t, "critical"))
		*sev = POLICY_SEV_CRITICAL;
	else if (ps->t.type == TOK_WORD)
		return perr(ps, -EINVAL, ps->t.col, "unknown severity %s "
			    "(info, warning or critical)",
			    tok_show(&ps->t, b, sizeof(b)));
	else
		return expected(ps, "a severity (info, warning or critical)");
	return next(ps);
}

static bool is_severity(const struct tok *t)
{
	return tok_is(t, "info") || tok_is(t, "warning") ||
	       tok_is(t, "critical");
}

static int parse_protos(struct parser *ps, uint8_t *mask)
{
	size_t count = 0;
	bool more = true;
	char b[64];
	int ret;

	*mask = 0;
	while (more) {
		if (ps->t.type != TOK_WORD)
			return expected(ps, "a protocol (tcp, udp, sctp or "
					"any)");
		if (!strcmp(ps->t.text, "tcp"))
			*mask |= PROTO_TCP;
		else if (!strcmp(ps->t.text, "udp"))
			*mask |= PROTO_UDP;
		else if (!strcmp(ps->t.text, "sctp"))
			*mask |= PROTO_SCTP;
		else if (!strcmp(ps->t.text, "any"))
			*mask |= PROTO_ANY;
		else
			return perr(ps, -EINVAL, ps->t.col, "unknown protocol "
				    "%s (tcp, udp, sctp or any)",
				    tok_show(&ps->t, b, sizeof(b)));
		ret = next(ps);
		if (!ret)
			ret = list_more(ps, ++count, &more);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int port_number(struct parser *ps, const char *s, size_t n,
		       unsigned int col, uint16_t *v)
{
	unsigned long x = 0;
	size_t i;

	if (!n || n > 10)
		goto bad;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		x = x * 10 + (unsigned long)(s[i] - '0');
	}
	if (x > 65535)
		return perr(ps, -EINVAL, col, "port %lu out of range (0-65535)",
			    x);
	*v = (uint16_t)x;
	return 0;
bad:
	return perr(ps, -EINVAL, col, "bad port '%.*s'", (int)(n > 40 ? 40 : n),
		    s);
}

static int parse_ports(struct parser *ps, struct rs_interval **out,
		       size_t *nout)
{
	struct rs_interval *iv = NULL, *t;
	size_t n = 0;
	bool more = true;
	const char *dash;
	int ret = 0;

	while (more) {
		struct { uint16_t lo, hi; } p;
		const char *w = ps->t.text;
		unsigned int col = ps->t.col;

		if (ps->t.type != TOK_WORD) {
			ret = expected(ps, "a port, a range or any");
			goto out;
		}
		if (!strcmp(w, "any")) {
			p.lo = 0;
			p.hi = 65535;
		} else {
			dash = strchr(w, '-');
			ret = port_number(ps, w, dash ? (size_t)(dash - w) :
					  strlen(w), col, &p.lo);
			if (ret < 0)
				goto out;
			p.hi = p.lo;
			if (dash) {
				ret = port_number(ps, dash + 1, strlen(dash + 1),
						  col + (unsigned int)(dash + 1 - w),
						  &p.hi);
				if (ret < 0)
					goto out;
				if (p.hi < p.lo) {
					ret = perr(ps, -EINVAL, col, "reversed "
						   "port range %u-%u",
						   p.lo, p.hi);
					goto out;
				}
			}
		}
		t = realloc(iv, (n + 1) * sizeof(*iv));
		if (!t) {
			ret = -ENOMEM;
			goto out;
		}
		iv = t;
		iv[n++] = (struct rs_interval){ p.lo, p.hi };
		ret = next(ps);
		if (!ret)
			ret = list_more(ps, n, &more);
		if (ret < 0)
			goto out;
	}
	*nout = region_ivs_merge(iv, n);
	*out = iv;
	iv = NULL;
out:
	free(iv);
	return ret;
}

static const struct {
	const char *name;
	const char *prefixes[5];
} builtin_zones[] = {
	{ "private", { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
		       "fc00::/7", NULL } },
	{ "loopback", { "127.0.0.0/8", "::1/128", NULL } },
	/* neighbours on one link only, never the Internet: IPv6 link-local
	 * sources are not forwarded and answered only on their link */
	{ "link-local", { "169.254.0.0/16", "fe80::/10", NULL } },
	{ "any", { "0.0.0.0/0", "::/0", NULL } },
};

static int builtin_zone(const char *name, struct srcs *s)
{
	struct rs_interval iv;
	unsigned int i, j, len;
	int fam, ret;

	for (i = 0; i < ARRAY_SIZE(builtin_zones); i++) {
		if (strcmp(name, builtin_zones[i].name))
			continue;
		for (j = 0; builtin_zones[i].prefixes[j]; j++) {
			prefix_parse(builtin_zones[i].prefixes[j], true, &fam,
				     &iv, &len);
			ret = srcs_add(s, fam, &iv, 1);
			if (ret < 0)
				return ret;
		}
		return 1;
	}
	return 0;
}

/* private, loopback, link-local are named in the source views; "any"
 * goes unnamed (it is the view's whole) */
#define NBUILTIN_NAMED	3

size_t policy_nzones(const struct policy *p)
{
	return NBUILTIN_NAMED + (p ? p->nzones : 0);
}

int policy_zone(const struct policy *p, size_t i, uint8_t family,
		const char **name, struct rs_interval **iv, size_t *n)
{
	struct srcs s = { { 0 }, { NULL } };
	const struct srcs *z = &s;
	struct rs_interval *out;
	int fam, ret;
	size_t k;

	if (family != NFPROTO_IPV4 && family != NFPROTO_IPV6)
		return -ENOENT;
	fam = family == NFPROTO_IPV6 ? FAM_V6 : FAM_V4;
	if (i < NBUILTIN_NAMED) {
		ret = builtin_zone(builtin_zones[i].name, &s);
		if (ret < 0)
			goto out;
		s.n[fam] = region_ivs_merge(s.iv[fam], s.n[fam]);
	} else if (p && i - NBUILTIN_NAMED < p->nzones) {
		z = &p->zones[i - NBUILTIN_NAMED].src;
	} else {
		return -ENOENT;
	}
	out = calloc(z->n[fam] + 1, sizeof(*out));
	if (!out) {
		ret = -ENOMEM;
		goto out;
	}
	for (k = 0; k < z->n[fam]; k++) {
		out[k].lo = z->iv[fam][k].lo;
		out[k].hi = z->iv[fam][k].hi;
	}
	*name = i < NBUILTIN_NAMED ? builtin_zones[i].name :
		p->zones[i - NBUILTIN_NAMED].name;
	*iv = out;
	*n = z->n[fam];
	ret = 0;
out:
	srcs_release(&s);
	return ret;
}

static const struct zone *zone_find(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nzones; i++)
		if (!strcmp(p->zones[i].name, name))
			return &p->zones[i];
	return NULL;
}

static bool looks_like_prefix(const char *w)
{
	return (w[0] >= '0' && w[0] <= '9') || strchr(w, ':') ||
	       strchr(w, '/');
}

static int parse_source(struct parser *ps, struct srcs *s)
{
	const char *w = ps->t.text;
	const struct zone *z;
	enum prefix_status st;
	char b[64], fix[INET6_ADDRSTRLEN + 8];
	unsigned int len;
	struct rs_interval iv;
	int fam, ret, f;

	if (looks_like_prefix(w)) {
		st = prefix_parse(w, true, &fam, &iv, &len);
		switch (st) {
		case PREFIX_OK:
			return srcs_add(s, fam, &iv, 1);
		case PREFIX_LEN:
			return perr(ps, -EINVAL, ps->t.col, "prefix length out "
				    "of range in %s (0-%u)",
				    tok_show(&ps->t, b, sizeof(b)),
				    fam_bits[strchr(w, ':') ? FAM_V6 : FAM_V4]);
		case PREFIX_HOSTBITS:
			prefix_parse(w, false, &fam, &iv, &len);
			ipaddr_str(fam == FAM_V4 ? AF_INET : AF_INET6, iv.lo,
				   fix, sizeof(fix));
			snprintf(fix + strlen(fix), 8, "/%u", len);
			return perr(ps, -EINVAL, ps->t.col, "host bits set in "
				    "%s (did you mean %s?)",
				    tok_show(&ps->t, b, sizeof(b)), fix);
		case PREFIX_BAD:
			break;
		}
		return perr(ps, -EINVAL, ps->t.col, "bad prefix %s",
			    tok_show(&ps->t, b, sizeof(b)));
	}
	z = zone_find(ps->p, w);
	if (z) {
		for (f = 0; f < NFAMS; f++) {
			ret = srcs_add(s, f, z->src.iv[f], z->src.n[f]);
			if (ret < 0)
				return ret;
		}
		return 0;
	}
	ret = builtin_zone(w, s);
	if (ret)
		return ret < 0 ? ret : 0;
	return perr(ps, -EINVAL, ps->t.col, "undefined zone %s",
		    tok_show(&ps->t, b, sizeof(b)));
}

static int parse_sources(struct parser *ps, struct srcs *out)
{
	struct srcs s = { { 0 }, { NULL } };
	size_t count = 0;
	bool more = true;
	int ret = 0, f;

	while (more) {
		if (ps->t.type != TOK_WORD) {
			ret = expected(ps, "a zone, a prefix or any");
			goto out;
		}
		ret = parse_source(ps, &s);
		if (!ret)
			ret = next(ps);
		if (!ret)
			ret = list_more(ps, ++count, &more);
		if (ret < 0)
			goto out;
	}
	for (f = 0; f < NFAMS; f++)
		s.n[f] = region_ivs_merge(s.iv[f], s.n[f]);
	*out = s;
	return 0;
out:
	srcs_release(&s);
	return ret;
}

static bool valid_name(const char *w)
{
	size_t i;

	if (!((w[0] >= 'a' && w[0] <= 'z') || (w[0] >= 'A' && w[0] <= 'Z') ||
	      w[0] == '_'))
		return false;
	for (i = 1; w[i]; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') ||
		      (w[i] >= 'A' && w[i] <= 'Z') ||
		      (w[i] >= '0' && w[i] <= '9') ||
		      w[i] == '_' || w[i] == '-' || w[i] == '.'))
			return false;
	return i <= 64;
}

static int end_of_statement(struct parser *ps)
{
	char b[64];

	if (ps->t.type == TOK_END)
		return 0;
	return perr(ps, -EINVAL, ps->t.col, "trailing garbage: %s",
		    tok_show(&ps->t, b, sizeof(b)));
}

static int stmt_zone(struct parser *ps)
{
	struct policy *p = ps->p;
	struct srcs s = { { 0 }, { NULL } };
	struct zone *z;
	unsigned int i, col;
	char name[80], b[64];
	int ret;

	ret = next(ps);
	if (ret < 0)
		return ret;
	if (ps->t.type != TOK_WORD)
		return expected(ps, "a zone name");
	col = ps->t.col;
	if (!valid_name(ps->t.text))
		return perr(ps, -EINVAL, col, "bad zone name %s (a letter, "
			    "then letters, digits, '_', '-', '.')",
			    tok_show(&ps->t, b, sizeof(b)));
	snprintf(name, sizeof(name), "%.64s", ps->t.text);
	for (i = 0; i < ARRAY_SIZE(builtin_zones); i++)
		if (!strcmp(name, builtin_zones[i].name))
			return perr(ps, -EINVAL, col, "zone '%s' is built in; "
				    "choose another name", name);
	if (zone_find(p, name))
		return perr(ps, -EINVAL, col, "duplicate zone '%s'", name);
	if (p->nzones >= POLICY_MAX_ZONES)
		return perr(ps, -E2BIG, col, "more than %d zones",
			    POLICY_MAX_ZONES);
	ret = next(ps);
	if (ret < 0)
		return ret;
	if (ps->t.type != TOK_EQ)
		return expected(ps, "'=' after the zone name");
	ret = next(ps);
	if (!ret)
		ret = parse_sources(ps, &s);
	if (!ret)
		ret = end_of_statement(ps);
	if (ret < 0)
		goto out;
	z = realloc(p->zones, (p->nzones + 1) * sizeof(*z));
	if (!z) {
		ret = -ENOMEM;
		goto out;
	}
	p->zones = z;
	z[p->nzones].name = strdup(name);
	if (!z[p->nzones].name) {
		ret = -ENOMEM;
		goto out;
	}
	z[p->nzones++].src = s;
	return 0;
out:
	srcs_release(&s);
	return ret;
}

static bool valid_ifname(const char *w)
{
	size_t i, n = strlen(w);

	if (!n || n >= 16)
		return false;
	for (i = 0; i < n; i++)
		if (w[i] == '/' || w[i] == ':')
			return false;
	return true;
}

static int stmt_interface(struct parser *ps)
{
	struct policy *p = ps->p;
	size_t count = 0, i;
	bool more = true, dup;
	char **t, b[64];
	int ret;

	ret = next(ps);
	if (ret < 0)
		return ret;
	while (more) {
		if (ps->t.type != TOK_WORD)
			return expected(ps, "an interface name");
		if (!valid_ifname(ps->t.text))
			return perr(ps, -EINVAL, ps->t.col, "bad interface name "
				    "%s", tok_show(&ps->t, b, sizeof(b)));
		for (dup = false, i = 0; i < p->nifaces; i++)
			dup |= !strcmp(p->ifaces[i], ps->t.text);
		if (!dup) {
			if (p->nifaces >= POLICY_MAX_LIST)
				return perr(ps, -E2BIG, ps->t.col, "more than "
					    "%d interfaces", POLICY_MAX_LIST);
			t = realloc(p->ifaces, (p->nifaces + 1) * sizeof(*t));
			if (!t)
				return -ENOMEM;
			p->ifaces = t;
			t[p->nifaces] = strdup(ps->t.text);
			if (!t[p->nifaces])
				return -ENOMEM;
			p->nifaces++;
		}
		ret = next(ps);
		if (!ret)
			ret = list_more(ps, ++count, &more);
		if (ret < 0)
			return ret;
	}
	return end_of_statement(ps);
}

static void rule_release(struct rule *r)
{
	free(r->ports);
	srcs_release(&r->src);
	free(r->container);
	free(r->image);
	free(r->process);
	free(r->iface);
	free((char *)r->ref.message);
	memset(r, 0, sizeof(*r));
}

/* Optional "message" then the end of the line. */
static int parse_message(struct parser *ps, struct rule *r)
{
	int ret;

	if (ps->t.type == TOK_STRING) {
		r->ref.message = strdup(ps->t.text);
		if (!r->ref.message)
			return -ENOMEM;
		ret = next(ps);
		if (ret < 0)
			return ret;
	}
	return end_of_statement(ps);
}

static int parse_narrowing(struct parser *ps, struct rule *r)
{
	char **slot, b[64], kw[16];
	unsigned int col;
	int ret;

	while (ps->t.type == TOK_WORD) {
		col = ps->t.col;
		snprintf(kw, sizeof(kw), "%.15s", ps->t.text);
		if (!strcmp(kw, "container"))
			slot = &r->container;
		else if (!strcmp(kw, "image"))
			slot = &r->image;
		else if (!strcmp(kw, "process"))
			slot = &r->process;
		else if (!strcmp(kw, "interface"))
			slot = &r->iface;
		else if (!strcmp(kw, "path"))
			slot = NULL;
		else
			return perr(ps, -EINVAL, col, "unknown clause %s "
				    "(container, image, process, interface or "
				    "path)",
				    tok_show(&ps->t, b, sizeof(b)));
		if ((slot && *slot) || (!slot && r->path != PATH_ANY))
			return perr(ps, -EINVAL, col, "duplicate '%s' clause",
				    kw);
		ret = next(ps);
		if (ret < 0)
			return ret;
		if (ps->t.type != TOK_WORD && ps->t.type != TOK_STRING)
			return expected(ps, slot ? "a name or pattern after "
					"the clause" : "local or forward");
		if (!slot) {
			if (tok_is(&ps->t, "local"))
				r->path = PATH_LOCAL;
			else if (tok_is(&ps->t, "forward"))
				r->path = PATH_FORWARD;
			else
				return perr(ps, -EINVAL, ps->t.col, "unknown "
					    "path %s (local or forward)",
					    tok_show(&ps->t, b, sizeof(b)));
		} else {
			if (!ps->t.text[0])
				return perr(ps, -EINVAL, ps->t.col, "empty "
					    "pattern");
			*slot = strdup(ps->t.text);
			if (!*slot)
				return -ENOMEM;
		}
		ret = next(ps);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int stmt_rule(struct parser *ps, enum rule_kind kind,
		     unsigned int line_col)
{
	struct policy *p = ps->p;
	struct rule r, *t;
	int ret;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.ref.file = ps->file;
	r.ref.line = ps->line;
	r.sev = kind == RULE_REQUIRE ? POLICY_SEV_CRITICAL : POLICY_SEV_NONE;
	if (p->nrules >= POLICY_MAX_RULES) {
		ret = perr(ps, -E2BIG, line_col, "more than %d rules",
			   POLICY_MAX_RULES);
		goto out;
	}
	ret = next(ps);
	if (ret < 0)
		goto out;
	if (kind == RULE_ALERT || (kind == RULE_REQUIRE && is_severity(&ps->t))) {
		ret = parse_severity(ps, &r.sev);
		if (ret < 0)
			goto out;
	}
	ret = parse_protos(ps, &r.protos);
	if (!ret)
		ret = parse_ports(ps, &r.ports, &r.nports);
	if (ret < 0)
		goto out;
	if (!tok_is(&ps->t, "from")) {
		ret = expected(ps, "'from'");
		goto out;
	}
	ret = next(ps);
	if (!ret)
		ret = parse_sources(ps, &r.src);
	if (!ret)
		ret = parse_narrowing(ps, &r);
	if (!ret)
		ret = parse_message(ps, &r);
	if (ret < 0)
		goto out;
	if (p->nrules == p->caprules) {
		size_t cap = p->caprules ? p->caprules * 2 : 32;

		t = realloc(p->rules, cap * sizeof(*t));
		if (!t) {
			ret = -ENOMEM;
			goto out;
		}
		p->rules = t;
		p->caprules = cap;
	}
	p->rules[p->nrules++] = r;
	return 0;
out:
	rule_release(&r);
	return ret;
}

static int stmt_default(struct parser *ps, unsigned int line_col)
{
	struct policy *p = ps->p;
	struct rule r;
	int ret;

	memset(&r, 0, sizeof(r));
	if (p->has_default)
		return perr(ps, -EINVAL, line_col, "duplicate default (the "
			    "first is at %s:%u)", p->def.ref.file,
			    p->def.ref.line);
	r.ref.file = ps->file;
	r.ref.line = ps->line;
	ret = next(ps);
	if (ret < 0)
		return ret;
	if (tok_is(&ps->t, "allow")) {
		r.kind = RULE_ALLOW;
		ret = next(ps);
	} else if (tok_is(&ps->t, "alert")) {
		r.kind = RULE_ALERT;
		ret = next(ps);
		if (!ret)
			ret = parse_severity(ps, &r.sev);
	} else {
		return expected(ps, "allow or alert after default");
	}
	if (!ret)
		ret = parse_message(ps, &r);
	if (ret < 0) {
		rule_release(&r);
		return ret;
	}
	p->def = r;
	p->has_default = true;
	return 0;
}

static int load_file(struct parser *ps, const char *path,
		     unsigned int inc_line, unsigned int inc_col);

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int stmt_include(struct parser *ps)
{
	char path[PATH_MAX], arg[PATH_MAX];
	const char *slash;
	unsigned int col, line = ps->line;
	const char *file = ps->file;
	glob_t g;
	size_t i;
	int ret;

	ret = next(ps);
	if (ret < 0)
		return ret;
	if (ps->t.type != TOK_WORD && ps->t.type != TOK_STRING)
		return expected(ps, "a path after include");
	col = ps->t.col;
	if (!ps->t.text[0])
		return perr(ps, -EINVAL, col, "empty path");
	if (strlen(ps->t.text) >= sizeof(arg))
		return perr(ps, -ENAMETOOLONG, col, "path too long");
	strcpy(arg, ps->t.text);
	ret = next(ps);
	if (!ret)
		ret = end_of_statement(ps);
	if (ret < 0)
		return ret;
	slash = strrchr(file, '/');
	if (arg[0] == '/' || !slash)
		ret = snprintf(path, sizeof(path), "%s", arg);
	else
		ret = snprintf(path, sizeof(path), "%.*s/%s",
			       (int)(slash - file), file, arg);
	if (ret < 0 || (size_t)ret >= sizeof(path))
		return perr(ps, -ENAMETOOLONG, col, "path too long");
	if (!has_glob(arg))
		return load_file(ps, path, line, col);

	ret = glob(path, GLOB_ERR, NULL, &g);
	if (ret == GLOB_NOMATCH)
		return 0;
	if (ret) {
		ps->line = line;
		return perr(ps, ret == GLOB_NOSPACE ? -ENOMEM : -EIO, col,
			    "cannot expand '%s'", arg);
	}
	for (i = 0; i < g.gl_pathc; i++) {
		ret = load_file(ps, g.gl_pathv[i], line, col);
		if (ret < 0)
			break;
	}
	globfree(&g);
	return ret;
}

static int statement(struct parser *ps)
{
	unsigned int col;
	char b[64];
	int ret;

	ret = next(ps);
	if (ret < 0 || ps->t.type == TOK_END)
		return ret;
	col = ps->t.col;
	if (ps->t.type != TOK_WORD)
		return expected(ps, "a keyword");
	if (!strcmp(ps->t.text, "zone"))
		return stmt_zone(ps);
	if (!strcmp(ps->t.text, "interface"))
		return stmt_interface(ps);
	if (!strcmp(ps->t.text, "allow"))
		return stmt_rule(ps, RULE_ALLOW, col);
	if (!strcmp(ps->t.text, "alert"))
		return stmt_rule(ps, RULE_ALERT, col);
	if (!strcmp(ps->t.text, "require"))
		return stmt_rule(ps, RULE_REQUIRE, col);
	if (!strcmp(ps->t.text, "default"))
		return stmt_default(ps, col);
	if (!strcmp(ps->t.text, "include"))
		return stmt_include(ps);
	return perr(ps, -EINVAL, col, "unknown keyword %s",
		    tok_show(&ps->t, b, sizeof(b)));
}

static int parse_text(struct parser *ps, const char *text, size_t size)
{
	const char *s = text, *end = text + size, *nl;
	size_t len;
	int ret;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		ps->line++;
		if (len > POLICY_MAX_LINE)
			return perr(ps, -E2BIG, POLICY_MAX_LINE + 1, "line "
				    "longer than %d bytes", POLICY_MAX_LINE);
		if (memchr(s, '\0', len))
			return perr(ps, -EINVAL, (unsigned int)
				    ((const char *)memchr(s, '\0', len) - s) + 1,
				    "NUL byte in a line");
		memcpy(ps->buf, s, len);
		ps->buf[len] = '\0';
		ps->len = len;
		ps->pos = 0;
		ret = statement(ps);
		if (ret < 0)
			return ret;
		s += len + 1;
	}
	return 0;
}

/* Read and parse path.  For an include, inc_line/inc_col locate the include
 * statement in ps->file (errors about the file itself are reported there);
 * inc_line 0 for the top-level file. */
static int load_file(struct parser *ps, const char *path,
		     unsigned int inc_line, unsigned int inc_col)
{
	struct policy *p = ps->p;
	const char *saved_file = ps->file;
	unsigned int saved_line = ps->line, i;
	char *real = NULL, *text = NULL, *name = NULL;
	size_t size = 0;
	struct stat st;
	int fd = -1, ret;

#define FILE_ERR(r, ...) (inc_line ?					\
	perr(ps, (r), inc_col, __VA_ARGS__) :				\
	ferr(ps->err, path, (r), __VA_ARGS__))

	if (ps->depth >= POLICY_MAX_DEPTH) {
		ret = FILE_ERR(-ELOOP, "includes nested deeper than %d",
			       POLICY_MAX_DEPTH);
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		ret = FILE_ERR(ret, "cannot read '%s': %s", path,
			       strerror(-ret));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		ret = FILE_ERR(ret, "cannot read '%s': %s", path,
			       strerror(-ret));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		ret = FILE_ERR(ret, "cannot read '%s': %s", path,
			       S_ISDIR(st.st_mode) ? strerror(EISDIR) :
			       "not a regular file");
		goto out;
	}
	real = realpath(path, NULL);
	if (!real) {
		ret = -errno;
		ret = FILE_ERR(ret, "cannot read '%s': %s", path,
			       strerror(-ret));
		goto out;
	}
	for (i = 0; i < ps->depth; i++) {
		if (!strcmp(ps->stack[i], real)) {
			ret = FILE_ERR(-ELOOP, "include loop: '%s' is "
				       "already being read", path);
			goto out;
		}
	}
	/* Including a file again can change nothing (its rules would come
	 * after identical ones), so it is read once. */
	for (i = 0; i < p->nfiles; i++) {
		if (!strcmp(p->real[i], real)) {
			ret = 0;
			goto out;
		}
	}
	if (p->nfiles >= POLICY_MAX_FILES) {
		ret = FILE_ERR(-E2BIG, "more than %d files", POLICY_MAX_FILES);
		goto out;
	}
	ret = readfile_fd(fd, POLICY_MAX_FILE, &text, &size);
	if (ret == -EFBIG)
		ret = FILE_ERR(ret, "'%s' is larger than %d bytes", path,
			       POLICY_MAX_FILE);
	else if (ret < 0)
		ret = FILE_ERR(ret, "cannot read '%s': %s", path,
			       strerror(-ret));
	if (ret < 0)
		goto out;
	name = strdup(path);
	if (!name) {
		ret = FILE_ERR(-ENOMEM, "out of memory");
		goto out;
	}
	p->files[p->nfiles] = name;
	p->real[p->nfiles++] = real;
	name = NULL;

	ps->stack[ps->depth++] = real;
	real = NULL;
	ps->file = p->files[p->nfiles - 1];
	ps->line = 0;
	ret = parse_text(ps, text, size);
	if (ret == -ENOMEM && !ps->err->message[0])
		perr(ps, ret, 0, "out of memory");
	ps->depth--;
	if (ret >= 0) {
		ps->file = saved_file;
		ps->line = saved_line;
	}
#undef FILE_ERR
out:
	free(name);
	free(text);
	free(real);
	if (fd >= 0)
		close(fd);
	return ret;
}

void policy_free(struct policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nrules; i++)
		rule_release(&p->rules[i]);
	free(p->rules);
	for (i = 0; i < p->nzones; i++) {
		free(p->zones[i].name);
		srcs_release(&p->zones[i].src);
	}
	free(p->zones);
	for (i = 0; i < p->nifaces; i++)
		free(p->ifaces[i]);
	free(p->ifaces);
	rule_release(&p->def);
	for (i = 0; i < p->nfiles; i++) {
		free(p->files[i]);
		free(p->real[i]);
	}
	free(p);
}

int policy_load(const char *path, struct policy **out,
		struct policy_error *err)
{
	struct policy_error dummy;
	struct parser *ps;
	struct policy *p;
	int ret;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	p = calloc(1, sizeof(*p));
	ps = calloc(1, sizeof(*ps));
	if (!p || !ps) {
		ret = ferr(err, path, -ENOMEM, "out of memory");
		goto out;
	}
	ps->p = p;
	ps->err = err;
	ps->file = path;
	ret = load_file(ps, path, 0, 0);
	if (ret < 0)
		goto out;
	if (!p->has_default) {
		p->def.kind = RULE_ALERT;
		p->def.sev = POLICY_SEV_WARNING;
	}
	*out = p;
	p = NULL;
out:
	free(ps);
	policy_free(p);
	return ret;
}

int policy_default_path(char *buf, size_t len)
{
	const char *dir = secure_getenv("FWAUDIT_RULES_DIR");
	int n;

	if (!dir || !*dir)
		dir = FWAUDIT_RULESDIR;
	n = snprintf(buf, len, "%s/%s", dir, POLICY_DEFAULT_NAME);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

size_t policy_nrules(const struct policy *p)
{
	return p->nrules;
}

const char *const *policy_interfaces(const struct policy *p, size_t *n)
{
	*n = p->nifaces;
	return p->nifaces ? (const char *const *)p->ifaces : NULL;
}

const char *policy_severity_name(enum policy_severity s)
{
	switch (s) {
	case POLICY_SEV_NONE:
		return "none";
	case POLICY_SEV_INFO:
		return "info";
	case POLICY_SEV_WARNING:
		return "warning";
	case POLICY_SEV_CRITICAL:
		return "critical";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* Judge                                                                */

static int fam_of(uint8_t family)
{
	return family == NFPROTO_IPV6 ? FAM_V6 : FAM_V4;
}

static uint8_t proto_bit(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return PROTO_TCP;
	case IPPROTO_UDP:
		return PROTO_UDP;
	case IPPROTO_SCTP:
		return PROTO_SCTP;
	}
	return PROTO_OTHER;
}

static bool pattern_match(const char *pattern, const char *s)
{
	if (!pattern)
		return true;
	return s && fnmatch(pattern, s, 0) == 0;
}

/* The clauses that concern the row as a whole. */
static bool rule_takes_row(const struct rule *r, const struct report_row *row)
{
	const struct docker_port *held;
	size_t i;

	if (!(r->protos & proto_bit(row->proto)))
		return false;
	if (r->path == PATH_LOCAL && row->path != ENGINE_LOCAL)
		return false;
	if (r->path == PATH_FORWARD && row->path != ENGINE_FORWARDED)
		return false;
	/* every interface the row arrives on, or the rule would decide
	 * for one it does not name */
	for (i = 0; r->iface && i < row->nifaces; i++)
		if (!pattern_match(r->iface, row->ifaces[i]))
			return false;
	if (r->iface && !row->nifaces)
		return false;
	/* the container is the backend's, or, for a local exposure, the one
	 * whose published port the listener holds (rootlessport, conmon,
	 * lxd forkproxy): the same container, whichever way it publishes */
	held = row->held && docker_port_container(row->held) ? row->held :
	       NULL;
	return pattern_match(r->container, row->container ? row->container :
			     held ? held->name : NULL) &&
	       pattern_match(r->image, row->container ? row->image :
			     held ? held->image : NULL) &&
	       pattern_match(r->process, row->listener ?
			     row->listener->comm : NULL);
}

static const struct rule *rule_at(const struct policy *p, size_t idx)
{
	return idx < p->nrules ? &p->rules[idx] : &p->def;
}

static void verdict_release(struct policy_verdict *v)
{
	size_t i;

	for (i = 0; i < v->nparts; i++) {
		free(v->parts[i].sources);
	}
	free(v->parts);
}

/* Which rows can meet a require: exposed, reachable from any source port,
 * and taken by the rule's clauses. */
static bool row_meets(const struct rule *r, const struct report_row *row,
		      uint8_t pbit, int fam)
{
	return row->state == ENGINE_EXPOSED && !row->nsports &&
	       fam_of(row->family) == fam && proto_bit(row->proto) == pbit &&
	       rule_takes_row(r, row);
}

static void missing_release(struct policy_missing *m, size_t n)
{
	size_t i;

	for (i = 0; m && i < n; i++) {
		free(m[i].sources);
	}
	free(m);
}

static const uint8_t proto_bits[] = { PROTO_TCP, PROTO_UDP, PROTO_SCTP };
static const uint8_t proto_nums[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP };

/* The part of *r with a destination port in ports[0..nports) and a source
 * in srcs[0..nsrcs) moves to *hit (a new region); *r keeps the rest.  The
 * judge's regions are products of those two with every value of the other
 * dimensions. */
static int cut_product(struct region *r, const struct rs_interval *ports,
		       size_t nports, const struct rs_interval *srcs,
		       size_t nsrcs, struct region **hit)
{
	const struct rs_interval *set[REGION_NDIMS] = { NULL };
	size_t nset[REGION_NDIMS] = { 0 };

	set[REGION_DPORT] = ports;
	nset[REGION_DPORT] = nports;
	set[REGION_SADDR] = srcs;
	nset[REGION_SADDR] = nsrcs;
	return region_split_off_product(r, set, nset, hit);
}

/* The row's space: its ports x its sources.  A row without sources is
 * taken as reachable from anywhere: an auditor must not read "no list" as
 * "nobody". */
static int row_region(const struct report_row *row, struct region **out)
{
	const struct rs_interval any = { 0, fam_max(fam_of(row->family)) };
	const struct rs_interval port = { row->port_lo, row->port_hi };
	struct region *all, *r = NULL;
	size_t i;
	int ret;

	if (row->port_hi < row->port_lo)
		return -EINVAL;
	for (i = 0; i < row->nsources; i++)
		if (row->sources[i].lo > row->sources[i].hi ||
		    row->sources[i].hi > any.hi)
			return -EINVAL;
	all = region_new_full(row->family == NFPROTO_IPV6 ? NFPROTO_IPV6 :
			      NFPROTO_IPV4);
	if (!all)
		return -ENOMEM;
	ret = cut_product(all, &port, 1,
			  row->nsources ? row->sources : &any,
			  row->nsources ? row->nsources : 1, &r);
	region_free(all);
	if (ret < 0)
		return ret;
	*out = r;
	return 0;
}

/* Does one of r's port intervals meet the row's?  Most rules name other
 * ports: they are passed over without a region operation. */
static bool ports_meet(const struct rule *r, const struct report_row *row)
{
	size_t i;

	for (i = 0; i < r->nports && r->ports[i].lo <= row->port_hi; i++)
		if (r->ports[i].hi >= row->port_lo)
			return true;
	return false;
}

/* A group of region_groups() as a part decided by rule idx. */
struct tagged {
	size_t rule;
	struct rs_interval port;
	size_t n;
	const struct rs_interval *a;
};

struct tags {
	size_t n, cap;
	struct tagged *t;
	size_t nblocks, capblocks;
	struct region_group **blocks;	/* what t[] points into */
};

static void tags_release(struct tags *l)
{
	size_t i;

	for (i = 0; i < l->nblocks; i++)
		free(l->blocks[i]);
	free(l->blocks);
	free(l->t);
}

/* Append the groups of r (ports x sources), tagged with idx. */
static int tags_add(struct tags *l, const struct region *r, size_t idx)
{
	struct region_group *g = NULL;
	size_t i, ng = 0;
	int ret;

	ret = region_groups(r, REGION_DPORT, REGION_SADDR, &g, &ng);
	if (ret < 0 || !ng)
		return ret;
	ret = array_grow(&l->blocks, &l->capblocks, l->nblocks,
			 sizeof(*l->blocks), SIZE_MAX, 8);
	if (ret < 0) {
		free(g);
		return ret;
	}
	l->blocks[l->nblocks++] = g;
	for (i = 0; i < ng; i++) {
		ret = array_grow(&l->t, &l->cap, l->n, sizeof(*l->t),
				 POLICY_MAX_PARTS, 16);
		if (ret < 0)
			return ret;
		l->t[l->n++] = (struct tagged){ idx, g[i].outer, g[i].n,
						g[i].inner };
	}
	return 0;
}

/* Fewer parts, then fewer source intervals in them: -1, 0 or 1. */
static int tags_cmp(const struct tags *x, const struct tags *y)
{
	size_t i, nx = 0, ny = 0;

	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	for (i = 0; i < x->n; i++)
		nx += x->t[i].n;
	for (i = 0; i < y->n; i++)
		ny += y->t[i].n;
	return nx < ny ? -1 : nx > ny;
}

/* Parts by port interval, then first source. */
static int tagged_cmp(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;
	int r = iv_cmp(&x->port, &y->port);

	if (r || !x->n || !y->n)
		return r;
	return iv_cmp(&x->a[0], &y->a[0]);
}

static int judge_row(const struct policy *p, const struct report_row *row,
		     struct policy_verdict *v)
{
	struct region *in = NULL, *hit = NULL;
	struct tags tags = { 0 };
	const struct rule *r;
	struct policy_part *part;
	size_t i;
	int fam = fam_of(row->family), ret;

	memset(v, 0, sizeof(*v));
	ret = row_region(row, &in);
	for (i = 0; i < p->nrules && !ret && !region_is_empty(in); i++) {
		r = &p->rules[i];
		if (r->kind == RULE_REQUIRE || !r->src.n[fam] ||
		    !ports_meet(r, row) || !rule_takes_row(r, row))
			continue;
		ret = cut_product(in, r->ports, r->nports, r->src.iv[fam],
				  r->src.n[fam], &hit);
		if (!ret)
			ret = tags_add(&tags, hit, i);
		region_free(hit);
		hit = NULL;
	}
	if (!ret)
		ret = tags_add(&tags, in, p->nrules);
	if (ret < 0)
		goto out;
	qsort(tags.t, tags.n, sizeof(*tags.t), tagged_cmp);
	v->parts = calloc(tags.n ? tags.n : 1, sizeof(*v->parts));
	if (!v->parts) {
		ret = -ENOMEM;
		goto out;
	}
	v->allowed = true;
	for (i = 0; i < tags.n; i++) {
		part = &v->parts[v->nparts];
		ret = ivs_copy(tags.t[i].a, tags.t[i].n, &part->sources,
			       &part->nsources);
		if (ret < 0)
			goto out;
		v->nparts++;
		r = rule_at(p, tags.t[i].rule);
		part->port_lo = (uint16_t)tags.t[i].port.lo;
		part->port_hi = (uint16_t)tags.t[i].port.hi;
		part->allowed = r->kind == RULE_ALLOW;
		part->severity = part->allowed ? POLICY_SEV_NONE : r->sev;
		part->rule = r->ref;
		if (!part->allowed)
			v->allowed = false;
		if (!v->decisive || part->severity > v->decisive->severity)
			v->decisive = part;
	}
	v->severity = v->decisive ? v->decisive->severity : POLICY_SEV_NONE;
out:
	if (ret < 0)
		verdict_release(v);
	tags_release(&tags);
	region_free(in);
	return ret;
}

/* What of require r the rows of family fam do not cover, as groups tagged
 * with the index into proto_bits. */
static int require_gap(const struct rule *r, const struct report_row *rows,
		       size_t n, int fam, struct tags *gap)
{
	struct region *in = NULL, *row = NULL;
	size_t k, i;
	int ret = 0;

	for (k = 0; k < sizeof(proto_bits) && !ret; k++) {
		struct region *all;

		if (!(r->protos & proto_bits[k]))
			continue;
		all = region_new_full(fam == FAM_V6 ? NFPROTO_IPV6 :
				      NFPROTO_IPV4);
		if (!all)
			return -ENOMEM;
		ret = cut_product(all, r->ports, r->nports, r->src.iv[fam],
				  r->src.n[fam], &in);
		region_free(all);
		for (i = 0; i < n && !ret && !region_is_empty(in); i++) {
			if (!row_meets(r, &rows[i], proto_bits[k], fam))
				continue;
			ret = row_region(&rows[i], &row);
			if (!ret)
				ret = region_subtract(in, row);
			region_free(row);
			row = NULL;
		}
		if (!ret)
			ret = tags_add(gap, in, k);
		region_free(in);
		in = NULL;
	}
	return ret;
}

static int judge_require(const struct policy *p, const struct rule *r,
			 const struct report_row *rows, size_t n,
			 struct policy_violation *v, bool *met)
{
	struct tags gap[NFAMS] = { { 0 }, { 0 } };
	size_t i;
	int f, best = -1, ret = 0;

	(void)p;
	*met = false;
	for (f = 0; f < NFAMS && !ret; f++) {
		if (!r->src.n[f])
			continue;
		ret = require_gap(r, rows, n, f, &gap[f]);
		if (ret < 0)
			break;
		if (!gap[f].n) {
			*met = true;
			goto out;
		}
		/* show the family whose gap reads shorter */
		if (best < 0 || tags_cmp(&gap[f], &gap[best]) < 0)
			best = f;
	}
	if (ret < 0 || best < 0) {
		/* a require of no source at all is met */
		*met = ret >= 0;
		goto out;
	}
	memset(v, 0, sizeof(*v));
	v->kind = POLICY_V_MISSING;
	v->severity = r->sev;
	v->rule = r->ref;
	v->missing = calloc(gap[best].n, sizeof(*v->missing));
	if (!v->missing) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < gap[best].n; i++) {
		struct policy_missing *m = &v->missing[i];
		const struct tagged *t = &gap[best].t[i];

		m->family = best == FAM_V6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
		m->proto = proto_nums[t->rule];
		m->port_lo = (uint16_t)t->port.lo;
		m->port_hi = (uint16_t)t->port.hi;
		ret = ivs_copy(t->a, t->n, &m->sources, &m->nsources);
		if (ret < 0) {
			missing_release(v->missing, i);
			v->missing = NULL;
			goto out;
		}
	}
	v->nmissing = gap[best].n;
out:
	for (f = 0; f < NFAMS; f++)
		tags_release(&gap[f]);
	return ret;
}


void policy_result_free(struct policy_result *res)
{
	size_t i;

	if (!res)
		return;
	for (i = 0; i < res->nrows; i++)
		verdict_release(&res->rows[i]);
	free(res->rows);
	for (i = 0; i < res->nviolations; i++)
		if (res->violations[i].kind == POLICY_V_MISSING)
			missing_release(res->violations[i].missing,
					res->violations[i].nmissing);
	free(res->violations);
	free(res);
}

static int violation_add(struct policy_result *res, size_t *cap,
			 const struct policy_violation *v)
{
	int ret;

	ret = array_grow(&res->violations, cap, res->nviolations,
			 sizeof(*res->violations), SIZE_MAX, 16);
	if (ret < 0)
		return ret;
	res->violations[res->nviolations++] = *v;
	if (v->severity > res->worst)
		res->worst = v->severity;
	return 0;
}

int policy_judge(const struct policy *p, const struct report_row *rows,
		 size_t n, struct policy_result **out)
{
	struct policy_result *res;
	struct policy_violation v;
	const struct policy_part *part;
	size_t i, j, cap = 0;
	bool met;
	int ret = 0;

	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	res->rows = calloc(n ? n : 1, sizeof(*res->rows));
	if (!res->rows) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ret = judge_row(p, &rows[i], &res->rows[i]);
		if (ret < 0)
			goto out;
		res->nrows++;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < res->rows[i].nparts; j++) {
			part = &res->rows[i].parts[j];
			if (part->allowed)
				continue;
			memset(&v, 0, sizeof(v));
			v.kind = POLICY_V_EXPOSURE;
			v.severity = part->severity;
			v.rule = part->rule;
			v.row = i;
			v.part = part;
			ret = violation_add(res, &cap, &v);
			if (ret < 0)
				goto out;
		}
	}
	for (i = 0; i < p->nrules; i++) {
		if (p->rules[i].kind != RULE_REQUIRE)
			continue;
		ret = judge_require(p, &p->rules[i], rows, n, &v, &met);
		if (ret < 0)
			goto out;
		if (met)
			continue;
		ret = violation_add(res, &cap, &v);
		if (ret < 0) {
			missing_release(v.missing, v.nmissing);
			goto out;
		}
	}
	*out = res;
	res = NULL;
out:
	policy_result_free(res);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The `require` rules, for `fwaudit verify`                           */

int policy_requires(const struct policy *p, struct policy_want **out,
		    size_t *n)
{
	struct policy_want *w = NULL, *nw;
	size_t i, j, k, m = 0, nreq = 0;

	for (i = 0; i < p->nrules; i++) {
		const struct rule *r = &p->rules[i];

		if (r->kind != RULE_REQUIRE)
			continue;
		for (k = 0; k < sizeof(proto_bits); k++) {
			if (!(r->protos & proto_bits[k]))
				continue;
			for (j = 0; j < r->nports; j++) {
				nw = realloc(w, (m + 1) * sizeof(*w));
				if (!nw) {
					free(w);
					return -ENOMEM;
				}
				w = nw;
				w[m].require = nreq;
				w[m].rule = r->ref;
				w[m].severity = r->sev;
				w[m].proto = proto_nums[k];
				w[m].port_lo = (uint16_t)r->ports[j].lo;
				w[m].port_hi = (uint16_t)r->ports[j].hi;
				m++;
			}
		}
		nreq++;
	}
	*out = w;
	*n = m;
	return 0;
}

bool policy_require_from(const struct policy *p, size_t require,
			 uint8_t family, unsigned __int128 addr)
{
	const struct rule *r;
	size_t i, k = 0;
	int fam = fam_of(family);

	for (i = 0; i < p->nrules; i++) {
		r = &p->rules[i];
		if (r->kind != RULE_REQUIRE || k++ != require)
			continue;
		for (k = 0; k < r->src.n[fam]; k++)
			if (r->src.iv[fam][k].lo <= addr &&
			    addr <= r->src.iv[fam][k].hi)
				return true;
		return false;
	}
	return false;
}
