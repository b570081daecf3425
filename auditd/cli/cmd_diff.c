// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_diff.c - `fwaudit diff [--rules PATH] OLD NEW`: what a firewall
 * change opens, closes or alters, judged by the policy; the exit status
 * is the worst violation NEW opens.  The gate a CI pipeline runs on a
 * firewall change.
 *
 * Each side is one or more ruleset files (iptables-save, ip6tables-save,
 * nft; --old/--new repeat, e.g. an iptables-save and an ip6tables-save
 * file) or one saved `fwaudit audit --format json`.  A side of ruleset
 * files is audited as `fwaudit audit --ruleset` does it, in a child
 * process with a private namespace of its own (so that OLD and NEW never
 * share a ruleset), which hands its audit back as the same JSON a saved
 * audit is: both kinds of side then take one path, auditload.c, and are
 * judged by the one policy of this command.  The comparison is diff.c's,
 * the daemon's module: diff_compare() for the probe sets, and with
 * --format events the daemon's own alerts (alerts.c) on the same audits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <linux/netfilter.h>

#include "audit.h"
#include "auditload.h"
#include "snapfile.h"
#include "cli.h"
#include "alerts.h"
#include "diff.h"
#include "jsonw.h"
#include "readfile.h"
#include "region.h"
#include "rsfile.h"
#include "srcview.h"
#include "verdicts.h"
#include "util.h"

#define SNIFF_BYTES	65536

enum side_kind {
	SIDE_RULESET,
	SIDE_AUDIT,
	SIDE_SNAPSHOT,		/* `fwaudit snapshot`: audited in a child */
};

struct side {
	const char *label;		/* "OLD" / "NEW" */
	const char *file[CLI_FILES_MAX];
	struct cli_list files;		/* over file[] */
	enum side_kind kind;
	struct auditload *load;
	struct policy_result *verdicts;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s diff [--rules PATH | --no-rules] [--format FMT] "
		"OLD NEW\n"
		"       %s diff [OPTIONS] --old FILE... --new FILE...\n"
		"Which exposures and violations a firewall change opens, closes "
		"or alters.\nOLD and NEW are each ruleset files (iptables-save, "
		"ip6tables-save or nft; prefix\nip4:, ip6: or nft: to say which) "
		"or one saved `fwaudit audit --format json`,\nor one `fwaudit "
		"snapshot` (audited with the host it recorded).\n"
		"  -r, --rules PATH     the policy (default: the shipped "
		"default.rules)\n"
		"  -n, --no-rules       compare exposures without judging them\n"
		"  -f, --format FMT     text, json, or events (what fwauditd "
		"would send)\n"
		"  -q, --quiet          text: only the changes that open or "
		"resolve a violation\n"
		"  -o, --old FILE       a file of the old side (repeat)\n"
		"  -N, --new FILE       a file of the new side (repeat)\n"
		"  -h, --help           this help\n"
		"Needs no privilege.  Exit status: the worst violation NEW opens: "
		"0 none, 1 warning,\n2 critical; 3 could not compare.\n",
		cli_prog, cli_prog);
}

/* ---------------------------------------------------------------------
 * Reading a side.
 */

static bool nft_word(const char *s)
{
	static const char *const words[] = {
		"table", "flush", "add", "create", "insert", "replace",
		"delete", "destroy", "define", "redefine", "undefine",
		"include", "list", "reset", "rename",
	};
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		n = strlen(words[i]);
		if (!strncmp(s, words[i], n) &&
		    (s[n] == ' ' || s[n] == '\t' || s[n] == '\n' || !s[n]))
			return true;
	}
	return false;
}

/*
 * What a file is, from its first bytes: a saved audit (JSON), or a
 * ruleset whose first statement is an x_tables table ("*filter") or an
 * nft command; an empty file (or only comments) is an empty ruleset.
 * Anything else is refused here, with its first line, rather than by a
 * loader's less telling message.  0 or EXIT_UNKNOWN (printed).
 */
static int sniff(const char *path, enum side_kind *kind)
{
	char buf[SNIFF_BYTES + 1], *line, *next;
	unsigned int lineno = 0;
	ssize_t n;
	size_t len = 0;
	FILE *f;

	if (!strncmp(path, "ip4:", 4) || !strncmp(path, "ip6:", 4) ||
	    !strncmp(path, "nft:", 4)) {
		*kind = SIDE_RULESET;
		return 0;
	}
	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "%s diff: %s: %m\n", cli_prog, path);
		return EXIT_UNKNOWN;
	}
	n = (ssize_t)fread(buf, 1, SNIFF_BYTES, f);
	if (ferror(f)) {
		fprintf(stderr, "%s diff: %s: %m\n", cli_prog, path);
		fclose(f);
		return EXIT_UNKNOWN;
	}
	fclose(f);
	len = (size_t)n;
	buf[len] = '\0';
	if (snapfile_is_snapshot(buf, len)) {
		*kind = SIDE_SNAPSHOT;
		return 0;
	}
	if (auditload_is_json(buf, len)) {
		*kind = SIDE_AUDIT;
		return 0;
	}
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line += strspn(line, " \t\r");
		if (!*line || *line == '#')
			continue;
		if (*line == '*' || nft_word(line)) {
			*kind = SIDE_RULESET;
			return 0;
		}
		fprintf(stderr, "%s diff: %s:%u: neither a ruleset file "
			"(iptables-save, ip6tables-save, nft) nor a saved audit "
			"(fwaudit audit --format json): \"%.60s\"\n", cli_prog,
			path, lineno, line);
		return EXIT_UNKNOWN;
	}
	*kind = SIDE_RULESET;
	return 0;
}

/* In the child: audit the files in a namespace of our own and write the
 * audit's JSON to fd.  Never returns. */
static void __attribute__((noreturn))
audit_child(struct side *s, const struct policy *policy, int fd)
{
	struct audit_opts o = { 0 };
	enum snapshot_stage stage = SNAPSHOT_NFT;
	struct audit_result *r = NULL;
	struct snapshot given;
	char err[4096];
	FILE *f;
	int ret;

	if (s->kind == SIDE_SNAPSHOT) {
		/* the whole recorded host: its legacy tables load in a
		 * namespace of this child's own */
		if (cli_snapshot_file(s->files.v[0], SNAPFILE_RULESET |
				      SNAPFILE_HOST, &given))
			_exit(EXIT_UNKNOWN);
		ret = 0;
		goto audit;
	}
	ret = rsfile_load((char *const *)s->files.v, s->files.n, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "%s diff: %s: %s\n", cli_prog, s->label, err);
		_exit(EXIT_UNKNOWN);
	}
	ret = snapshot_read(&given, false, &stage);
	if (ret < 0) {
		fprintf(stderr, "%s diff: %s: failed to read the loaded ruleset "
			"back (%s): %s\n", cli_prog, s->label,
			snapshot_stage_name(stage), strerror(-ret));
		_exit(EXIT_UNKNOWN);
	}
audit:
	o.given = &given;
	/* the policy's interfaces, as `audit --ruleset` takes them; its
	 * verdicts (and their fixes) the parent makes once for both sides */
	if (policy)
		o.ifaces = policy_interfaces(policy, &o.nifaces);
	ret = audit_run(&o, &r, &stage);
	if (ret < 0) {
		fprintf(stderr, "%s diff: %s: %s: %s\n", cli_prog, s->label,
			ret == -E2BIG ? "the ruleset is too large to audit "
			"within fwaudit's bounds" : "failed to audit",
			strerror(-ret));
		_exit(EXIT_UNKNOWN);
	}
	f = fdopen(fd, "w");
	ret = f ? verdicts_json(r, f) : -errno;
	if (f && fclose(f) == EOF && !ret)
		ret = -errno;
	if (ret < 0) {
		fprintf(stderr, "%s diff: %s: failed to hand the audit back: "
			"%s\n", cli_prog, s->label, strerror(-ret));
		_exit(EXIT_UNKNOWN);
	}
	_exit(EXIT_OK);
}

/* Audit a side of ruleset files in a child; its JSON into *buf, *len. */
static int audit_files(struct side *s, const struct policy *policy,
		       char **buf, size_t *len)
{
	size_t n = 0;
	char *b = NULL;
	int pfd[2], status, ret = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return cli_fail("cannot make a pipe", -errno);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return cli_fail("cannot fork", -errno);
	}
	if (pid == 0) {
		close(pfd[0]);
		audit_child(s, policy, pfd[1]);
	}
	close(pfd[1]);
	/* read to the end before waiting: the child blocks on a full pipe */
	ret = readfile_fd(pfd[0], AUDITLOAD_MAX_BYTES, &b, &n);
	if (ret == -EFBIG)
		ret = -E2BIG;
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = ret ? ret : -errno;
			break;
		}
	}
	if (!ret && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		/* the child said why */
		free(b);
		return EXIT_UNKNOWN;
	}
	if (ret < 0) {
		free(b);
		return cli_fail("failed to read a ruleset's audit", ret);
	}
	*buf = b;
	*len = n;
	return 0;
}

static int read_side(struct side *s, const struct policy *policy)
{
	char err[1024], name[64], *buf = NULL;
	size_t i, len = 0;
	int ret;

	for (i = 0; i < s->files.n; i++) {
		enum side_kind k;

		ret = sniff(s->files.v[i], &k);
		if (ret)
			return ret;
		if (k != SIDE_RULESET && s->files.n > 1) {
			fprintf(stderr, "%s diff: %s: a %s is a whole "
				"side: give it alone as %s\n", cli_prog,
				s->files.v[i], k == SIDE_AUDIT ? "saved audit" :
				"snapshot", s->label);
			return EXIT_UNKNOWN;
		}
		s->kind = k;
	}
	if (s->kind == SIDE_AUDIT) {
		ret = auditload_read(s->files.v[0], &s->load, err, sizeof(err));
	} else {
		ret = audit_files(s, policy, &buf, &len);
		if (ret)
			return ret;
		snprintf(name, sizeof(name), "the audit of %s", s->label);
		ret = auditload_parse(buf, len, name, &s->load, err,
				      sizeof(err));
		free(buf);
	}
	if (ret < 0) {
		fprintf(stderr, "%s diff: %s\n", cli_prog, err);
		return EXIT_UNKNOWN;
	}
	if (!policy)
		return 0;
	ret = policy_judge(policy, s->load->rows, s->load->nrows, &s->verdicts);
	if (ret < 0) {
		fprintf(stderr, "%s diff: %s: failed to judge the exposures: "
			"%s\n", cli_prog, s->label, strerror(-ret));
		return EXIT_UNKNOWN;
	}
	return 0;
}

static void side_release(struct side *s)
{
	auditload_free(s->load);
	policy_result_free(s->verdicts);
}

/* ---------------------------------------------------------------------
 * Output: text and JSON from the same changes.
 */

static const char *family_str(uint8_t family)
{
	return family == NFPROTO_IPV6 ? "ipv6" : "ipv4";
}

static char *rule_ref(const struct policy_part *p)
{
	struct strbuf b = STRBUF_INIT;

	if (p->rule.file)
		strbuf_addf(&b, "%s:%u", p->rule.file, p->rule.line);
	else
		strbuf_add(&b, "(default)");
	return strbuf_take(&b);
}

static void json_list(struct jsonw *w, const char *key, char **l, size_t n)
{
	size_t i;

	jsonw_key(w, key);
	jsonw_array_begin(w);
	for (i = 0; i < n; i++)
		jsonw_string(w, l[i]);
	jsonw_array_end(w);
}

/* [lo, hi] as the member key, or as an array element when key is NULL */
static void json_range(struct jsonw *w, const char *key, unsigned int lo,
		       unsigned int hi)
{
	if (key)
		jsonw_key(w, key);
	jsonw_array_begin(w);
	jsonw_int(w, lo);
	jsonw_int(w, hi);
	jsonw_array_end(w);
}

/* the prefixes of a set; -ENOMEM */
static int json_sources(struct jsonw *w, uint8_t family,
			const struct rs_interval *iv, size_t n)
{
	char buf[REGION_PREFIX_STRLEN];
	struct region_prefix *p = NULL;
	size_t i, np = 0;
	int ret;

	ret = n ? region_prefixes(family, iv, n, &p, &np) : 0;
	if (ret < 0)
		return ret;
	jsonw_key(w, "sources");
	jsonw_array_begin(w);
	for (i = 0; i < np; i++)
		if (region_prefix_format(family, &p[i], buf, sizeof(buf)) == 0)
			jsonw_string(w, buf);
	jsonw_array_end(w);
	free(p);
	return 0;
}

static void json_policy(struct jsonw *w, const struct policy_part *p,
			bool judged)
{
	char *ref;

	jsonw_key(w, "policy");
	if (!judged || !p) {
		jsonw_null(w);
		return;
	}
	ref = rule_ref(p);
	jsonw_object_begin(w);
	jsonw_member_string(w, "verdict", p->allowed ? "allowed" : "violation");
	jsonw_member_string(w, "severity", policy_severity_name(p->severity));
	jsonw_member_string(w, "rule", ref);
	jsonw_member_string(w, "message", p->rule.message);
	jsonw_object_end(w);
	free(ref);
}

/* what happens to the probes on one side: the row's members that are not
 * the probes themselves */
static void json_outcome(struct jsonw *w, const struct report_row *r,
			 const struct policy_part *p, bool judged)
{
	char buf[64];
	size_t k;

	/* as in the audit: only for rows limited to some source ports */
	if (r->nsports) {
		jsonw_key(w, "source_ports");
		jsonw_array_begin(w);
		for (k = 0; k < r->nsports; k++)
			json_range(w, NULL, (unsigned int)r->sports[k].lo,
				   (unsigned int)r->sports[k].hi);
		jsonw_array_end(w);
	}
	json_list(w, "interfaces", r->ifaces, r->nifaces);
	jsonw_member_string(w, "path", r->path == ENGINE_FORWARDED ?
			    "forward" : "local");
	/* as in the exposure: only for direct routing */
	if (r->direct)
		jsonw_member_string(w, "route", "direct");
	jsonw_key(w, "backend");
	if (r->has_backend) {
		jsonw_object_begin(w);
		jsonw_member_string(w, "address",
				    report_backend_str(r, buf, sizeof(buf)));
		json_range(w, "ports", r->backend_port_lo, r->backend_port_hi);
		jsonw_member_string(w, "container", r->container);
		jsonw_object_end(w);
	} else {
		jsonw_null(w);
	}
	jsonw_key(w, "listener");
	if (r->listener) {
		jsonw_object_begin(w);
		jsonw_member_string(w, "address",
				    host_addr_str(r->listener->family,
						  r->listener->addr, buf,
						  sizeof(buf)));
		jsonw_member_int(w, "port", r->listener->port);
		jsonw_member_string(w, "process", r->listener->comm);
		jsonw_object_end(w);
	} else {
		jsonw_null(w);
	}
	jsonw_member_string(w, "state", engine_state_name(r->state));
	jsonw_member_string(w, "certainty", r->possible ? "possible" :
			    "definite");
	json_policy(w, p, judged);
}

static int json_change(struct jsonw *w, const struct diff_change *c,
		       bool judged)
{
	const struct report_row *r = c->new_row ? c->new_row : c->old_row;
	unsigned int b;
	char *a;
	int ret;

	jsonw_object_begin(w);
	jsonw_member_string(w, "family", family_str(c->family));
	jsonw_member_string(w, "protocol", report_proto_name(c->proto));
	json_range(w, "ports", c->port_lo, c->port_hi);
	a = report_address_str(r);
	jsonw_member_string(w, "address", a ? a : "");
	free(a);
	ret = json_sources(w, c->family, c->sources, c->nsources);
	if (ret < 0)
		return ret;
	if (c->kind == DIFF_ALTERED) {
		jsonw_key(w, "changed");
		jsonw_array_begin(w);
		for (b = 0; b < DIFF_CH_COUNT; b++)
			if (c->changed & (1u << b))
				jsonw_string(w, diff_change_name(b));
		jsonw_array_end(w);
		jsonw_key(w, "old");
		jsonw_object_begin(w);
		json_outcome(w, c->old_row, c->old_part, judged);
		jsonw_object_end(w);
		jsonw_key(w, "new");
		jsonw_object_begin(w);
		json_outcome(w, c->new_row, c->new_part, judged);
		jsonw_object_end(w);
	} else if (c->kind == DIFF_OPENED) {
		json_outcome(w, c->new_row, c->new_part, judged);
	} else {
		json_outcome(w, c->old_row, c->old_part, judged);
	}
	jsonw_member_string(w, "opens", policy_severity_name(c->opens));
	jsonw_member_string(w, "resolves", policy_severity_name(c->resolves));
	jsonw_object_end(w);
	return 0;
}

static void json_missing(struct jsonw *w, const char *key,
			 const struct policy_violation *const *v, size_t n)
{
	size_t i, k;

	jsonw_key(w, key);
	jsonw_array_begin(w);
	for (i = 0; i < n; i++) {
		struct policy_part p = { .rule = v[i]->rule };
		char *ref = rule_ref(&p);

		jsonw_object_begin(w);
		jsonw_member_string(w, "severity",
				    policy_severity_name(v[i]->severity));
		jsonw_member_string(w, "rule", ref);
		jsonw_member_string(w, "message", v[i]->rule.message);
		jsonw_key(w, "missing");
		jsonw_array_begin(w);
		for (k = 0; k < v[i]->nmissing; k++) {
			const struct policy_missing *m = &v[i]->missing[k];

			jsonw_object_begin(w);
			jsonw_member_string(w, "family", family_str(m->family));
			jsonw_member_string(w, "protocol",
					    report_proto_name(m->proto));
			json_range(w, "ports", m->port_lo, m->port_hi);
			jsonw_key(w, "sources");
			report_addrs_json(w, m->family, m->sources,
					  m->nsources);
			jsonw_object_end(w);
		}
		jsonw_array_end(w);
		jsonw_object_end(w);
		free(ref);
	}
	jsonw_array_end(w);
}

static void json_side(struct jsonw *w, const char *key, const struct side *s)
{
	jsonw_key(w, key);
	jsonw_object_begin(w);
	jsonw_member_string(w, "kind", s->kind == SIDE_AUDIT ? "audit" :
			    "ruleset");
	json_list(w, "files", (char **)s->files.v, s->files.n);
	jsonw_member_int(w, "exposures", (long long)s->load->nrows);
	jsonw_key(w, "violations");
	if (s->verdicts)
		jsonw_int(w, (long long)s->verdicts->nviolations);
	else
		jsonw_null(w);
	jsonw_object_end(w);
}

static int print_json(const struct side *old, const struct side *cur,
		      const struct diff_changes *c, bool judged, FILE *f)
{
	static const char *const keys[] = { "opened", "altered", "closed" };
	size_t i, nopen = 0, nres = 0;
	struct jsonw *w;
	int k, ret = 0;

	w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (i = 0; i < c->n; i++) {
		nopen += c->v[i].opens != POLICY_SEV_NONE;
		nres += c->v[i].resolves != POLICY_SEV_NONE;
	}
	jsonw_init(w, f, 1);
	jsonw_object_begin(w);
	jsonw_member_int(w, "version", 1);
	json_side(w, "old", old);
	json_side(w, "new", cur);
	for (k = 0; k < 3 && !ret; k++) {
		jsonw_key(w, keys[k]);
		jsonw_array_begin(w);
		for (i = 0; i < c->n && !ret; i++)
			if ((int)c->v[i].kind == k)
				ret = json_change(w, &c->v[i], judged);
		jsonw_array_end(w);
	}
	json_missing(w, "missing_opened", c->missing_opened,
		     c->nmissing_opened);
	json_missing(w, "missing_resolved", c->missing_resolved,
		     c->nmissing_resolved);
	jsonw_key(w, "violations");
	jsonw_object_begin(w);
	jsonw_member_int(w, "opened", (long long)(nopen + c->nmissing_opened));
	jsonw_member_int(w, "resolved",
			 (long long)(nres + c->nmissing_resolved));
	jsonw_object_end(w);
	jsonw_member_string(w, "worst", policy_severity_name(c->worst));
	jsonw_object_end(w);
	k = jsonw_end(w);
	free(w);
	return ret ? ret : k;
}

static const char *sev_upper(enum policy_severity s)
{
	switch (s) {
	case POLICY_SEV_CRITICAL:	return "CRITICAL";
	case POLICY_SEV_WARNING:	return "WARNING";
	case POLICY_SEV_INFO:		return "INFO";
	default:			return "OK";
	}
}

static void text_target(struct strbuf *b, const struct report_row *r)
{
	char buf[64], bbuf[INET6_ADDRSTRLEN];
	const char *be = report_backend_str(r, bbuf, sizeof(bbuf));
	size_t k;

	strbuf_addf(b, "%s, %s", r->path == ENGINE_FORWARDED ? "forward" :
		    "local", engine_state_name(r->state));
	for (k = 0; k < r->nsports; k++) {
		strbuf_addf(b, "%s%u", k ? "," : ", from source port ",
			    (unsigned int)r->sports[k].lo);
		if (r->sports[k].hi != r->sports[k].lo)
			strbuf_addf(b, "-%u", (unsigned int)r->sports[k].hi);
	}
	if (r->possible)
		strbuf_add(b, ", possible");
	if (r->has_backend)
		strbuf_addf(b, r->has_backend_address &&
			    r->family == NFPROTO_IPV6 ? " -> [%s]:%u" :
			    " -> %s:%u", be ? be : "?", r->backend_port_lo);
	if (r->container)
		strbuf_addf(b, " (%s)", r->container);
	if (r->listener)
		strbuf_addf(b, r->listener->family == AF_INET6 ? ", [%s]:%u%s%s" :
			    ", %s:%u%s%s", host_addr_str(r->listener->family,
						       r->listener->addr, buf,
						       sizeof(buf)),
			    r->listener->port, r->listener->comm ? " " : "",
			    r->listener->comm ? r->listener->comm : "");
	else if (r->path == ENGINE_LOCAL)
		strbuf_add(b, ", nothing listens");
}

static void text_ifaces(struct strbuf *b, const struct report_row *r)
{
	size_t i;

	for (i = 0; i < r->nifaces; i++)
		strbuf_addf(b, "%s%s", i ? "," : "", r->ifaces[i]);
}

static void text_verdict(struct strbuf *b, const struct policy_part *p)
{
	char *ref;

	if (!p)
		return;
	ref = rule_ref(p);
	strbuf_addf(b, "%s %s", p->allowed ? "allowed by" : "rule", ref);
	if (p->rule.message)
		strbuf_addf(b, ": \"%s\"", p->rule.message);
	free(ref);
}

/* One change: "WORD     tcp/6379 (ipv4) from any on * ..." and the
 * lines under it. */
static void text_change(const struct diff_change *c,
			const struct srcview *sv, FILE *f)
{
	const struct report_row *r = c->new_row ? c->new_row : c->old_row;
	const struct policy_part *p = c->kind == DIFF_CLOSED ? c->old_part :
				      c->new_part;
	struct strbuf b = STRBUF_INIT;
	const char *word;
	unsigned int k;

	if (c->opens)
		word = sev_upper(c->opens);
	else if (c->resolves)
		word = "RESOLVED";
	else if (c->kind == DIFF_CLOSED)
		word = "CLOSED";
	else
		word = p && !p->allowed ? sev_upper(p->severity) : "OK";
	strbuf_addf(&b, "  %-9s %s/%u", word, report_proto_name(c->proto),
		    c->port_lo);
	if (c->port_hi != c->port_lo)
		strbuf_addf(&b, "-%u", c->port_hi);
	strbuf_addf(&b, " (%s) from ", family_str(c->family));
	srcview_text(sv, c->family, c->sources, c->nsources, &b);
	strbuf_add(&b, " to ");
	report_address_text(&b, r, ",");
	strbuf_add(&b, " on ");
	text_ifaces(&b, r);
	strbuf_add(&b, "\n            ");
	if (c->kind == DIFF_ALTERED) {
		for (k = 0; k < DIFF_CH_COUNT; k++)
			if (c->changed & (1u << k))
				strbuf_addf(&b, "%s%s", b.s[b.len - 1] == ' ' ?
					    "" : ",", diff_change_name(k));
		strbuf_add(&b, " changed\n            was: ");
		text_target(&b, c->old_row);
		if (c->old_part) {
			strbuf_add(&b, "; ");
			text_verdict(&b, c->old_part);
		}
		if (c->old_row->nifaces != c->new_row->nifaces ||
		    (c->changed & DIFF_CH_INTERFACES)) {
			strbuf_add(&b, "; on ");
			text_ifaces(&b, c->old_row);
		}
		strbuf_add(&b, "\n            now: ");
		text_target(&b, c->new_row);
		if (p) {
			strbuf_add(&b, "; ");
			text_verdict(&b, p);
		}
	} else {
		text_target(&b, r);
	}
	if (p && c->kind != DIFF_ALTERED) {
		strbuf_add(&b, "\n            ");
		text_verdict(&b, p);
	}
	if (!b.failed)
		fprintf(f, "%s\n", b.s);
	strbuf_release(&b);
}

static void text_missing(const char *word,
			 const struct policy_violation *const *v, size_t n,
			 FILE *f)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		struct policy_part p = { .rule = v[i]->rule };
		char *ref = rule_ref(&p);

		fprintf(f, "  %-9s required but not reachable: rule %s%s%s%s\n",
			word ? word : sev_upper(v[i]->severity), ref,
			v[i]->rule.message ? ": \"" : "",
			v[i]->rule.message ? v[i]->rule.message : "",
			v[i]->rule.message ? "\"" : "");
		for (k = 0; k < v[i]->nmissing; k++) {
			const struct policy_missing *m = &v[i]->missing[k];

			fprintf(f, "            missing %s/%u",
				report_proto_name(m->proto), m->port_lo);
			if (m->port_hi != m->port_lo)
				fprintf(f, "-%u", m->port_hi);
			fprintf(f, " (%s)\n", family_str(m->family));
		}
		free(ref);
	}
}

static void text_files(const struct side *s, FILE *f)
{
	size_t i;

	fprintf(f, "%s:", s->label);
	for (i = 0; i < s->files.n; i++)
		fprintf(f, " %s", s->files.v[i]);
	fprintf(f, " (%s, %zu exposures)\n", s->kind == SIDE_AUDIT ?
		"saved audit" : s->kind == SIDE_SNAPSHOT ? "snapshot" :
		"ruleset", s->load->nrows);
}

/* quiet: leave out the changes that neither open nor resolve a violation
 * (they are still counted in the summary) */
static int print_text(const struct side *old, const struct side *cur,
		      const struct diff_changes *c, const struct srcview *sv,
		      bool quiet, FILE *f)
{
	static const char *const titles[] = {
		"Opened (NEW lets these probes in, OLD did not):",
		"Altered (reachable before and after, handled differently):",
		"Closed (OLD let these probes in, NEW does not):",
	};
	size_t i, n[3] = { 0 }, shown[3] = { 0 }, nopen = 0, nres = 0;
	int k;

	text_files(old, f);
	text_files(cur, f);
	for (i = 0; i < c->n; i++) {
		bool news = c->v[i].opens || c->v[i].resolves;

		n[c->v[i].kind]++;
		shown[c->v[i].kind] += !quiet || news;
		nopen += c->v[i].opens != POLICY_SEV_NONE;
		nres += c->v[i].resolves != POLICY_SEV_NONE;
	}
	for (k = 0; k < 3; k++) {
		if (!shown[k])
			continue;
		fprintf(f, "\n%s\n", titles[k]);
		for (i = 0; i < c->n; i++)
			if ((int)c->v[i].kind == k &&
			    (!quiet || c->v[i].opens || c->v[i].resolves))
				text_change(&c->v[i], sv, f);
	}
	if (c->nmissing_opened || c->nmissing_resolved) {
		fprintf(f, "\nRequired exposures:\n");
		text_missing(NULL, c->missing_opened, c->nmissing_opened, f);
		text_missing("RESOLVED", c->missing_resolved,
			     c->nmissing_resolved, f);
	}
	fprintf(f, "\n%s%zu opened, %zu altered, %zu closed; violations: %zu "
		"opened, %zu resolved; worst opened: %s\n",
		c->n || c->nmissing_opened || c->nmissing_resolved ? "" :
		"No change in what a stranger can reach.\n",
		n[0], n[1], n[2], nopen + c->nmissing_opened,
		nres + c->nmissing_resolved, policy_severity_name(c->worst));
	return ferror(f) ? -EIO : 0;
}

/*
 * The events fwauditd would send for this change, one JSON object a line
 * (event.h): the daemon's own alerts (alerts.h), opened for OLD as at its
 * start, then told the change to NEW.  There is no ruleset behind a
 * read-back audit, so the events carry no fix.
 */
static int print_events(const struct side *old, const struct side *cur,
			FILE *f)
{
	struct diff_side a = { old->load->rows, old->load->nrows, old->verdicts };
	struct diff_side b = { cur->load->rows, cur->load->nrows, cur->verdicts };
	struct diff_events start = { 0 }, ev = { 0 };
	struct alerts al = { 0 };
	json_t *j;
	size_t i;
	int ret;

	ret = alerts_update(&al, NULL, &a, NULL, DIFF_START, &start);
	if (!ret)
		ret = alerts_update(&al, &a, &b, NULL, DIFF_CHANGES, &ev);
	for (i = 0; !ret && i < ev.n; i++) {
		ret = event_to_json(ev.ev[i], &j);
		if (ret < 0)
			break;
		if (json_dumpf(j, f, JSON_COMPACT) < 0 || fputc('\n', f) == EOF)
			ret = -EIO;
		json_decref(j);
	}
	diff_events_release(&start);
	diff_events_release(&ev);
	alerts_release(&al);
	return ret;
}

/* ---------------------------------------------------------------------
 * The command.
 */

static void side_init(struct side *s, const char *label)
{
	memset(s, 0, sizeof(*s));
	s->label = label;
	s->files = (struct cli_list){ .v = s->file, .max = CLI_FILES_MAX,
				      .what = "files per side" };
}

int cmd_diff(int argc, char **argv)
{
	struct side old, cur;
	enum cli_format format = CLI_FORMAT_TEXT;
	struct diff_changes changes = { 0 };
	struct diff_side a, b;
	struct policy *policy = NULL;
	struct srcview *sv = NULL;
	const char *rules = NULL;
	bool judge = true, quiet = false;
	int ret, status = EXIT_UNKNOWN;
	const struct cli_opt opts[] = {
		CLI_ROW("rules", 'r', CLI_OPT_ARG, &rules),
		CLI_ROW("no-rules", 'n', CLI_OPT_CLEAR, &judge),
		CLI_ROW("format", 'f', CLI_OPT_FORMAT, &format,
		  .formats = 1u << CLI_FORMAT_TEXT | 1u << CLI_FORMAT_JSON |
			     1u << CLI_FORMAT_EVENTS),
		CLI_ROW("old", 'o', CLI_OPT_LIST, &old.files),
		CLI_ROW("new", 'N', CLI_OPT_LIST, &cur.files),
		CLI_ROW("quiet", 'q', CLI_OPT_SET, &quiet),
	};

	side_init(&old, "OLD");
	side_init(&cur, "NEW");
	ret = cli_parse("diff", argc, argv, opts, ARRAY_SIZE(opts), usage);
	if (ret != CLI_GO)
		return ret;
	if (argc - optind == 2) {
		if (cli_room("diff", old.files.n, old.files.max,
			     old.files.what) ||
		    cli_room("diff", cur.files.n, cur.files.max,
			     cur.files.what))
			return EXIT_UNKNOWN;
		old.file[old.files.n++] = argv[optind];
		cur.file[cur.files.n++] = argv[optind + 1];
	} else if (argc - optind != 0) {
		fprintf(stderr, "%s diff: give OLD and NEW (or --old and "
			"--new)\n", cli_prog);
		usage(stderr);
		return EXIT_UNKNOWN;
	}
	if (!old.files.n || !cur.files.n) {
		fprintf(stderr, "%s diff: both sides are needed: OLD and NEW\n",
			cli_prog);
		return EXIT_UNKNOWN;
	}
	if (judge && cli_load_policy(rules, &policy))
		return EXIT_UNKNOWN;
	ret = read_side(&old, policy);
	if (!ret)
		ret = read_side(&cur, policy);
	if (ret)
		goto out;
	a = (struct diff_side){ old.load->rows, old.load->nrows, old.verdicts };
	b = (struct diff_side){ cur.load->rows, cur.load->nrows, cur.verdicts };
	ret = diff_compare(&a, &b, &changes);
	if (ret < 0) {
		cli_fail(ret == -E2BIG ? "the change is too large to compare "
			 "within fwaudit's bounds" : "failed to compare", ret);
		goto out;
	}
	ret = srcview_new(policy, &sv);
	if (ret < 0) {
		cli_fail("failed to compare", ret);
		goto out;
	}
	if (format == CLI_FORMAT_JSON)
		ret = print_json(&old, &cur, &changes, judge, stdout);
	else if (format == CLI_FORMAT_EVENTS)
		ret = print_events(&old, &cur, stdout);
	else
		ret = print_text(&old, &cur, &changes, sv, quiet, stdout);
	if (!ret && fflush(stdout) == EOF)
		ret = -errno;
	if (ret < 0) {
		cli_fail("failed to print the comparison", ret);
		goto out;
	}
	status = changes.worst == POLICY_SEV_CRITICAL ? EXIT_CRITICAL :
		 changes.worst == POLICY_SEV_WARNING ? EXIT_WARNING : EXIT_OK;
out:
	diff_changes_release(&changes);
	srcview_free(sv);
	side_release(&old);
	side_release(&cur);
	policy_free(policy);
	return status;
}
