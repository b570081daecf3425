// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * prove.c - apply a plan to a copy of the host's ruleset in a private
 * namespace and audit again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netinet/in.h>
#include <linux/netfilter.h>

#include "ipset.h"
#include "prove.h"
#include "region.h"
#include "rsfile.h"
#include "util.h"

#define PROVE_FILES_MAX		8
#define PROVE_OUTPUT_MAX	(256 * 1024)	/* what the child may say */
#define CMD_OUTPUT_MAX		2048
#define PROVE_DIR_MAX		256
#define PROVE_PATH_MAX		(PROVE_DIR_MAX + 64)

/*
 * Run argv with stdin from /dev/null (or the file in_path), stdout into
 * the file out_fd (or, when out_fd < 0, together with stderr into msg).
 * 0 when it exits with status 0, -EINVAL when it fails, another negative
 * errno when it cannot run.
 */
static int run(char *const argv[], int out_fd, char *msg, size_t msglen)
{
	int pfd[2], status, in;
	size_t len = 0;
	ssize_t n;
	char drain[1024];
	pid_t pid;

	if (msglen)
		msg[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		in = open("/dev/null", O_RDONLY);
		if (in >= 0)
			dup2(in, 0);
		dup2(out_fd >= 0 ? out_fd : pfd[1], 1);
		dup2(pfd[1], 2);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		bool keep = len + 1 < msglen;

		n = keep ? read(pfd[0], msg + len, msglen - 1 - len) :
			   read(pfd[0], drain, sizeof(drain));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (keep)
			len += (size_t)n;
	}
	if (msglen)
		msg[len] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EINVAL;
}

static bool builtin_chain(const char *name)
{
	static const char *const names[] = {
		"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
		"BROUTING",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* A table iptables-nft manages: an x_tables name in the ip or ip6 family
 * and base chains with x_tables' names only (a native `table ip filter`
 * with a chain "input" is nft's, and iptables-nft-save refuses it). */
static bool xt_table(const struct ruleset *rs, const struct rs_chain *c)
{
	static const char *const names[] = {
		"filter", "nat", "mangle", "raw", "security",
	};
	/* ebtables-nft's, in the bridge family (ebtables-nft-save) */
	static const char *const bridge_names[] = {
		"filter", "nat", "broute",
	};
	bool named = false;
	size_t i;

	if (c->origin != RS_ORIGIN_NFT ||
	    (c->family != NFPROTO_IPV4 && c->family != NFPROTO_IPV6 &&
	     c->family != NFPROTO_BRIDGE))
		return false;
	if (c->family == NFPROTO_BRIDGE)
		for (i = 0; i < ARRAY_SIZE(bridge_names); i++)
			named |= !strcmp(c->table, bridge_names[i]);
	else
		for (i = 0; i < ARRAY_SIZE(names); i++)
			named |= !strcmp(c->table, names[i]);
	if (!named)
		return false;
	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *o = &rs->chains[i];

		if (o->origin == RS_ORIGIN_NFT && o->family == c->family &&
		    !strcmp(o->table, c->table) && o->base &&
		    !builtin_chain(o->name))
			return false;
	}
	return true;
}

/* Append the output of argv to the file dir/name, which is created. */
static int save(const char *dir, const char *name, char *const argv[],
		char *err, size_t errlen)
{
	char path[PROVE_PATH_MAX], msg[CMD_OUTPUT_MAX];
	int fd, ret;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot write %s: %s", path,
			 strerror(errno));
		return ret;
	}
	ret = run(argv, fd, msg, sizeof(msg));
	close(fd);
	if (ret < 0)
		snprintf(err, errlen, "cannot copy the ruleset: %s failed: %s",
			 argv[0], *msg ? msg : strerror(-ret));
	return ret;
}

static int save_ebl_tables(const struct ruleset *rs, const char *dir,
			   char *err, size_t errlen);

/* The files of the copy, by enum snapshot_text: name in dir, rsfile
 * prefix, the tool that prints it (the nft text is made per table, the
 * ebtables-legacy text from ebtables-legacy's listing). */
static const struct {
	const char *file, *prefix, *tool, *what;
} copies[SNAPSHOT_TEXT_N] = {
	[SNAPSHOT_TEXT_NFT] = { "nft.rules", "nft:", NULL, "nftables" },
	[SNAPSHOT_TEXT_IP4] = { "ip4.rules", "ip4:", "iptables-nft-save",
				"iptables-nft (IPv4)" },
	[SNAPSHOT_TEXT_IP6] = { "ip6.rules", "ip6:", "ip6tables-nft-save",
				"iptables-nft (IPv6)" },
	[SNAPSHOT_TEXT_LG4] = { "lg4.rules", "lg4:", "iptables-legacy-save",
				"legacy x_tables (IPv4)" },
	[SNAPSHOT_TEXT_LG6] = { "lg6.rules", "lg6:", "ip6tables-legacy-save",
				"legacy x_tables (IPv6)" },
	[SNAPSHOT_TEXT_EBT] = { "ebt.rules", "ebt:", "ebtables-nft-save",
				"ebtables-nft (bridge)" },
	[SNAPSHOT_TEXT_EBL] = { "ebl.rules", "ebl:", "ebtables-legacy",
				"ebtables-legacy (bridge)" },
};

/* Which texts the copy of rs needs (want[k] for enum snapshot_text). */
static void copy_needs(const struct ruleset *rs, bool want[SNAPSHOT_TEXT_N])
{
	size_t i;

	memset(want, 0, SNAPSHOT_TEXT_N * sizeof(*want));
	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];
		bool v4 = c->family == NFPROTO_IPV4;
		bool v6 = c->family == NFPROTO_IPV6;
		bool br = c->family == NFPROTO_BRIDGE;

		if (c->origin == RS_ORIGIN_LEGACY) {
			want[SNAPSHOT_TEXT_LG4] |= v4;
			want[SNAPSHOT_TEXT_LG6] |= v6;
			want[SNAPSHOT_TEXT_EBL] |= br;
		} else if (xt_table(rs, c)) {
			want[SNAPSHOT_TEXT_IP4] |= v4;
			want[SNAPSHOT_TEXT_IP6] |= v6;
			want[SNAPSHOT_TEXT_EBT] |= br;
		} else {
			want[SNAPSHOT_TEXT_NFT] = true;
		}
	}
}

/* Append the nft listing of every native table of rs to dir/nft.rules. */
static int save_nft_tables(const struct ruleset *rs, const char *dir,
			   char *err, size_t errlen)
{
	size_t i, j;
	int ret;

	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];
		bool seen = false;

		if (c->origin == RS_ORIGIN_LEGACY || xt_table(rs, c))
			continue;
		/* one listing per table: rs keeps the chains of a table
		 * together, but not necessarily next to each other */
		for (j = 0; j < i && !seen; j++)
			seen = rs->chains[j].origin == RS_ORIGIN_NFT &&
			       rs->chains[j].family == c->family &&
			       !strcmp(rs->chains[j].table, c->table);
		if (seen)
			continue;
		{
			char *argv[] = { "nft", "list", "table",
					 (char *)rs_family_name(c->family),
					 c->table, NULL };

			ret = save(dir, copies[SNAPSHOT_TEXT_NFT].file, argv,
				   err, errlen);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static int write_all(int fd, const char *s, size_t len)
{
	ssize_t w;

	while (len) {
		w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Write text[0..len) as the new file dir/name. */
static int write_text(const char *dir, const char *name, const char *text,
		      size_t len, char *err, size_t errlen)
{
	char path[PROVE_PATH_MAX];
	int fd, ret;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot write %s: %s", path,
			 strerror(errno));
		return ret;
	}
	ret = write_all(fd, text, len);
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (ret < 0)
		snprintf(err, errlen, "cannot write %s: %s", path,
			 strerror(-ret));
	return ret;
}

/* Whether an x_tables rule of rs names an ipset: a "set" match or a SET
 * target, which iptables-restore loads only where the set exists. */
static bool rules_use_ipsets(const struct ruleset *rs)
{
	size_t c, r, k;

	for (c = 0; c < rs->nchains; c++) {
		const struct rs_chain *ch = &rs->chains[c];

		for (r = 0; r < ch->nrules; r++) {
			const struct rs_rule *ru = &ch->rules[r];

			for (k = 0; k < ru->nmatches; k++)
				if (ru->matches[k].op == RS_OP_OTHER &&
				    ru->matches[k].fields[0] == RS_F_IPSET)
					return true;
			for (k = 0; k < ru->nstmts; k++)
				if (!strcmp(ru->stmts[k].name, "SET"))
					return true;
		}
	}
	return false;
}

/*
 * The ipsets of the copy into dir/ips.rules, restored first in the
 * private namespace ("ips:"): ipsets belong to a network namespace, and
 * the copy's "set" matches load only where their sets exist, and decide
 * as on the host only with their members.
 *
 * Live: the host's sets by `ipset save`, whenever it has sets (the
 * re-audit then reads what the live audit read) or a rule names one (its
 * read failed: ipset save says why).
 *
 * A snapshot holds the sets as the kernel listed them (its "ipset"
 * recording, read into rs->ipsets), not as `ipset restore` input: empty
 * sets of the same names at the same indexes (ipset_placeholder_script(),
 * as snapfile.c loads a snapshot's legacy rules), and *lend set true: the
 * child decides the copy's set matches by the snapshot's sets.  Rules
 * that name sets the snapshot did not record cannot be proven: said.
 *
 * 1 with the file's path in path, 0 without sets, a negative errno with
 * err set.
 */
static int copy_ipsets(const struct snapshot *snap, const char *dir,
		       char *path, size_t pathlen, bool *lend, char *err,
		       size_t errlen)
{
	const struct ruleset *rs = snap->rs;
	char *argv[] = { "ipset", "save", NULL };
	char *script = NULL;
	size_t slen = 0;
	int ret;

	*lend = false;
	if (snap->have_text) {
		if (!rules_use_ipsets(rs))
			return 0;
		if (!rs->nipsets) {
			snprintf(err, errlen, "the ruleset's rules match "
				 "ipsets, but the snapshot recorded none "
				 "(they could not be read then): the proof "
				 "cannot recreate them in its namespace");
			return -ENODATA;
		}
		ret = ipset_placeholder_script(rs->ipsets, rs->nipsets,
					       &script, &slen);
		if (ret == -EBADMSG)
			snprintf(err, errlen, "an ipset of the snapshot has a "
				 "name ipset restore cannot take: the proof "
				 "cannot recreate it");
		if (!ret)
			ret = write_text(dir, "ips.rules", script, slen, err,
					 errlen);
		free(script);
		if (ret < 0)
			return ret;
		*lend = true;
	} else {
		if (!rs->nipsets && !rules_use_ipsets(rs))
			return 0;
		ret = save(dir, "ips.rules", argv, err, errlen);
		if (ret < 0) {
			char msg[CMD_OUTPUT_MAX];

			snprintf(msg, sizeof(msg), "%s", err);
			snprintf(err, errlen, "cannot copy the host's ipsets, "
				 "which the copy of the ruleset needs (%s)",
				 msg);
			return ret;
		}
	}
	if (snprintf(path, pathlen, "ips:%s/ips.rules", dir) >= (int)pathlen)
		return -ENAMETOOLONG;
	return 1;
}

/*
 * Save the ruleset of snap into files of dir, each named with the prefix
 * that tells rsfile_load() its loader; *n of them in files (room for
 * PROVE_FILES_MAX, strings the caller frees), the ipsets first
 * (copy_ipsets(), which says in *lend_ipsets whether the child must lend
 * the copy the snapshot's sets).  A live snapshot is saved by the host's tools now; one
 * read from a file (snap->have_text) by the texts those tools printed
 * when it was taken.
 */
static int copy_host(const struct snapshot *snap, const char *dir,
		     char **files, size_t *n, bool *lend_ipsets, char *err,
		     size_t errlen)
{
	bool want[SNAPSHOT_TEXT_N];
	char path[PROVE_PATH_MAX];
	size_t k;
	int ret;

	*n = 0;
	ret = copy_ipsets(snap, dir, path, sizeof(path), lend_ipsets, err,
			  errlen);
	if (ret < 0)
		return ret;
	if (ret && !(files[(*n)++] = strdup(path)))
		return -ENOMEM;
	copy_needs(snap->rs, want);
	for (k = 0; k < SNAPSHOT_TEXT_N; k++) {
		if (!want[k])
			continue;
		if (snap->have_text && !snap->text[k]) {
			snprintf(err, errlen, "the snapshot does not hold "
				 "the text of its %s tables, which the proof "
				 "loads (a snapshot of format version 1, or "
				 "one fwauditd kept): take one with `fwaudit "
				 "snapshot` of this version", copies[k].what);
			return -ENODATA;
		}
		if (snap->have_text) {
			ret = write_text(dir, copies[k].file, snap->text[k],
					 snap->text_len[k], err, errlen);
		} else if (!copies[k].tool) {
			ret = save_nft_tables(snap->rs, dir, err, errlen);
		} else if (k == SNAPSHOT_TEXT_EBL) {
			ret = save_ebl_tables(snap->rs, dir, err, errlen);
		} else {
			char *argv[] = { (char *)copies[k].tool, NULL };

			ret = save(dir, copies[k].file, argv, err, errlen);
		}
		if (ret < 0)
			return ret;
		if (snprintf(path, sizeof(path), "%s%s/%s", copies[k].prefix,
			     dir, copies[k].file) >= (int)sizeof(path))
			return -ENAMETOOLONG;
		if (!(files[(*n)++] = strdup(path)))
			return -ENOMEM;
	}
	return 0;
}

static void remove_dir(const char *dir);

/* The whole file at path, at most max bytes, in a new NUL-terminated
 * buffer. */
static int slurp(const char *path, size_t max, char **bufp, size_t *lenp)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nb;
	int fd, ret = 0;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		if (len + 1 == cap) {
			if (cap > max) {
				ret = -EFBIG;
				break;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ret = -errno;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}

/*
 * Append to dir/ebl.rules the ebtables-save text of each legacy ebtables
 * table rs holds, from `ebtables-legacy -t TABLE -L`, as ebtables-save
 * writes it ("*table", ":CHAIN POLICY", "-A CHAIN RULE").  Not Debian's
 * ebtables-legacy-save: that script lists the tables of the loaded
 * ebtable_* modules in /proc/modules (none when built in) through
 * /usr/sbin/ebtables, which the alternatives make ebtables-nft.
 */
static int save_ebl_tables(const struct ruleset *rs, const char *dir,
			   char *err, size_t errlen)
{
	char list[PROVE_PATH_MAX], path[PROVE_PATH_MAX];
	size_t i, j;
	int ret = 0;

	if (snprintf(list, sizeof(list), "%s/ebl.list", dir) >=
	    (int)sizeof(list) ||
	    snprintf(path, sizeof(path), "%s/%s", dir,
		     copies[SNAPSHOT_TEXT_EBL].file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (i = 0; i < rs->nchains && !ret; i++) {
		const struct rs_chain *c = &rs->chains[i];
		char *argv[] = { "ebtables-legacy", "-t", c->table, "-L",
				 NULL };
		char *buf = NULL, *line, *next, *chains = NULL, *rules = NULL;
		char chain[64] = "";
		size_t len = 0, clen = 0, rlen = 0;
		FILE *out = NULL, *cf, *rf;
		bool seen = false;

		if (c->origin != RS_ORIGIN_LEGACY ||
		    c->family != NFPROTO_BRIDGE)
			continue;
		for (j = 0; j < i && !seen; j++)
			seen = rs->chains[j].origin == RS_ORIGIN_LEGACY &&
			       rs->chains[j].family == NFPROTO_BRIDGE &&
			       !strcmp(rs->chains[j].table, c->table);
		if (seen)
			continue;
		unlink(list);
		ret = save(dir, "ebl.list", argv, err, errlen);
		if (ret < 0) {
			unlink(list);
			break;
		}
		ret = slurp(list, PROVE_OUTPUT_MAX, &buf, &len);
		unlink(list);
		if (ret < 0) {
			snprintf(err, errlen, "cannot read %s: %s", list,
				 strerror(-ret));
			break;
		}
		cf = open_memstream(&chains, &clen);
		rf = open_memstream(&rules, &rlen);
		if (!cf || !rf)
			ret = -ENOMEM;
		for (line = buf; !ret && line && *line; line = next) {
			char policy[16];
			size_t l;

			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			l = strlen(line);
			while (l && line[l - 1] == ' ')
				line[--l] = '\0';
			if (!l || !strncmp(line, "Bridge table: ", 14))
				continue;
			if (sscanf(line, "Bridge chain: %63[^,], entries: %*u, "
				   "policy: %15s", chain, policy) == 2) {
				fprintf(cf, ":%s %s\n", chain, policy);
				continue;
			}
			fprintf(rf, "-A %s %s\n", chain, line);
		}
		if (cf && fclose(cf) != 0 && !ret)
			ret = -ENOMEM;
		if (rf && fclose(rf) != 0 && !ret)
			ret = -ENOMEM;
		if (!ret) {
			out = fopen(path, "ae");
			if (!out ||
			    fprintf(out, "*%s\n%s%s\n", c->table,
				    chains ? chains : "",
				    rules ? rules : "") < 0)
				ret = -EIO;
			if (out && fclose(out) != 0 && !ret)
				ret = -EIO;
			if (ret < 0)
				snprintf(err, errlen, "cannot write %s", path);
		}
		free(chains);
		free(rules);
		free(buf);
	}
	return ret;
}

int prove_save_texts(const struct ruleset *rs, char **text, size_t *len,
		     size_t max, char *err, size_t errlen)
{
	const char *tmp = secure_getenv("TMPDIR");
	char dir[PROVE_DIR_MAX], path[PROVE_PATH_MAX];
	char *got[SNAPSHOT_TEXT_N] = { NULL };
	size_t got_len[SNAPSHOT_TEXT_N] = { 0 };
	bool want[SNAPSHOT_TEXT_N];
	size_t k;
	int ret = 0;

	if (snprintf(dir, sizeof(dir), "%s/fwaudit-snap.XXXXXX",
		     tmp && *tmp ? tmp : "/tmp") >= (int)sizeof(dir)) {
		snprintf(err, errlen, "TMPDIR is too long");
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(dir)) {
		ret = -errno;
		snprintf(err, errlen, "cannot make a temporary directory: %s",
			 strerror(errno));
		return ret;
	}
	copy_needs(rs, want);
	/* the legacy tables are the snapshot's own member (snapfile.c) */
	want[SNAPSHOT_TEXT_LG4] = want[SNAPSHOT_TEXT_LG6] = false;
	err[0] = '\0';
	for (k = 0; k < SNAPSHOT_TEXT_N && !ret; k++) {
		char msg[512];

		if (!want[k])
			continue;
		if (!copies[k].tool) {
			ret = save_nft_tables(rs, dir, msg, sizeof(msg));
		} else if (k == SNAPSHOT_TEXT_EBL) {
			ret = save_ebl_tables(rs, dir, msg, sizeof(msg));
		} else {
			char *argv[] = { (char *)copies[k].tool, NULL };

			ret = save(dir, copies[k].file, argv, msg, sizeof(msg));
		}
		if (ret < 0 && ret != -ENOMEM) {
			/* the snapshot still audits; only fix will miss it */
			if (!err[0])
				snprintf(err, errlen, "the %s text is not "
					 "kept (fix --snapshot will lack it): "
					 "%s", copies[k].what, msg);
			ret = 0;
			continue;
		}
		if (ret < 0)
			break;
		if (snprintf(path, sizeof(path), "%s/%s", dir,
			     copies[k].file) >= (int)sizeof(path)) {
			ret = -ENAMETOOLONG;
			break;
		}
		/* nothing listed (no rule, no chain) is still a file */
		ret = slurp(path, max, &got[k], &got_len[k]);
		if (ret == -ENOENT)
			ret = (got[k] = strdup("")) ? 0 : -ENOMEM;
		if (ret < 0)
			snprintf(err, errlen, "cannot keep the %s text: %s",
				 copies[k].what, strerror(-ret));
	}
	remove_dir(dir);
	if (ret < 0) {
		for (k = 0; k < SNAPSHOT_TEXT_N; k++)
			free(got[k]);
		return ret;
	}
	for (k = 0; k < SNAPSHOT_TEXT_N; k++) {
		text[k] = got[k];
		len[k] = got_len[k];
	}
	return 0;
}

static int lines_add(char ***l, size_t *n, char *s)
{
	char **t;

	if (!s)
		return -ENOMEM;
	t = realloc(*l, (*n + 1) * sizeof(*t));
	if (!t) {
		free(s);
		return -ENOMEM;
	}
	*l = t;
	t[(*n)++] = s;
	return 0;
}

static int iv_cmp(const void *a, const void *b)
{
	const struct rs_interval *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* iv[0..*n) minus cut, in place (room for one more interval needed when
 * cut splits one: the caller allocates 2 * n + 2 per cut). */
static void subtract(struct rs_interval *iv, size_t *n, struct rs_interval cut)
{
	size_t i, m = *n;

	for (i = 0; i < m; i++) {
		struct rs_interval x = iv[i];

		if (cut.hi < x.lo || cut.lo > x.hi)
			continue;
		if (x.lo < cut.lo && x.hi > cut.hi) {
			iv[i].hi = cut.lo - 1;
			iv[(*n)++] = (struct rs_interval){ cut.hi + 1, x.hi };
		} else if (x.lo < cut.lo) {
			iv[i].hi = cut.lo - 1;
		} else if (x.hi > cut.hi) {
			iv[i].lo = cut.hi + 1;
		} else {
			/* wholly cut: mark empty (lo > hi) */
			iv[i].lo = 1;
			iv[i].hi = 0;
		}
	}
}

/* Whether every interval of need (lo <= hi ones) lies in the union of
 * have (sorted by lo). */
static bool covered(const struct rs_interval *need, size_t nneed,
		    const struct rs_interval *have, size_t nhave)
{
	size_t i, j;
	rs_u128 at;

	for (i = 0; i < nneed; i++) {
		if (need[i].lo > need[i].hi)
			continue;
		at = need[i].lo;
		for (j = 0; j < nhave; j++) {
			if (have[j].lo > at)
				break;
			if (have[j].hi >= at) {
				if (have[j].hi >= need[i].hi)
					goto next;
				at = have[j].hi + 1;
			}
		}
		return false;
next:		;
	}
	return true;
}

/* Whether the addresses of row a (every one, or its intervals) hold
 * those of b: a plan that accepts by port alone may widen a row to more
 * addresses. */
static bool addresses_hold(const struct report_row *a,
			   const struct report_row *b)
{
	size_t i, k;

	if (!a->naddrs)
		return true;
	if (!b->naddrs)
		return false;
	for (i = 0; i < b->naddrs; i++) {
		for (k = 0; k < a->naddrs; k++)
			if (a->addrs[k].lo <= b->addrs[i].lo &&
			    b->addrs[i].hi <= a->addrs[k].hi)
				break;
		if (k == a->naddrs)
			return false;
	}
	return true;
}

/* Whether row a of the re-audit can hold what row b of the live one
 * held (a's ports aside). */
static bool same_kind(const struct report_row *a, const struct report_row *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       a->path == b->path && addresses_hold(a, b);
}

/* Whether the sources part allows on [lo, hi] of row (martians aside)
 * are held by rows of after. */
static int part_kept(const struct audit_result *live,
		     const struct report_row *row,
		     const struct policy_part *part, uint16_t lo, uint16_t hi,
		     const struct report *after, bool *kept)
{
	const struct engine_result *e = live->engine;
	int fi = row->family == NFPROTO_IPV6;
	struct rs_interval *need = NULL, *have = NULL, iv;
	size_t nneed = 0, nhave = 0, room, i, k, nm;
	const char *const *m = plan_martians(row->family, &nm);
	int ret = 0;

	room = 2 * (part->nsources + nm + (e ? e->nmartians[fi] : 0)) + 2;
	need = calloc(room, sizeof(*need));
	if (!need)
		return -ENOMEM;
	for (i = 0; i < part->nsources; i++)
		need[nneed++] = part->sources[i];
	for (i = 0; i < nm; i++)
		if (region_prefix_parse(row->family, m[i], &iv) == 0)
			subtract(need, &nneed, iv);
	for (i = 0; e && i < e->nmartians[fi]; i++)
		subtract(need, &nneed, e->martians[fi][i]);
	for (i = 0; i < after->nrows; i++) {
		const struct report_row *a = &after->rows[i];
		struct rs_interval *t;

		if (!same_kind(a, row) || a->port_lo > lo || a->port_hi < hi)
			continue;
		t = realloc(have, (nhave + a->nsources) * sizeof(*t));
		if (!t) {
			ret = -ENOMEM;
			goto out;
		}
		have = t;
		for (k = 0; k < a->nsources; k++)
			have[nhave++] = a->sources[k];
	}
	if (nhave)
		qsort(have, nhave, sizeof(*have), iv_cmp);
	*kept = covered(need, nneed, have, nhave);
out:
	free(need);
	free(have);
	return ret;
}

static int port_cut_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int prove_compare(const struct audit_result *live,
		  const struct audit_result *after, char ***lines, size_t *n)
{
	const struct policy_result *pr = after->verdicts;
	size_t i, k, j, ncut;
	uint32_t *cut = NULL;
	int ret = 0;

	for (i = 0; pr && i < pr->nviolations; i++) {
		const struct policy_violation *v = &pr->violations[i];
		struct strbuf b = STRBUF_INIT;

		if (v->kind == POLICY_V_MISSING) {
			strbuf_addf(&b, "violation: a required exposure is "
				    "missing (%s:%u)", v->rule.file ?
				    v->rule.file : "default", v->rule.line);
		} else {
			const struct report_row *row =
				&after->report->rows[v->row];

			strbuf_addf(&b, "violation: %s %s/%u",
				    row->family == NFPROTO_IPV6 ? "ipv6" :
				    "ipv4", report_proto_name(row->proto),
				    v->part->port_lo);
			if (v->part->port_hi != v->part->port_lo)
				strbuf_addf(&b, "-%u", v->part->port_hi);
			strbuf_addf(&b, "%s from ", row->path ==
				    ENGINE_FORWARDED ? " forwarded" : "");
			report_sources_text(&b, after->zones, row->family,
					    v->part->sources,
					    v->part->nsources);
			strbuf_addf(&b, " is still reachable (%s)",
				    policy_severity_name(v->severity));
		}
		ret = lines_add(lines, n, strbuf_take(&b));
		if (ret < 0)
			return ret;
	}
	if (!live->verdicts)
		return 0;
	for (i = 0; i < live->report->nrows && i < live->verdicts->nrows; i++) {
		const struct report_row *row = &live->report->rows[i];
		const struct policy_verdict *v = &live->verdicts->rows[i];

		for (k = 0; k < v->nparts; k++) {
			const struct policy_part *part = &v->parts[k];
			uint32_t *t;
			bool kept = true;

			if (!part->allowed)
				continue;
			/* the ports where after's rows begin or end cut the
			 * part into pieces each wholly inside a row or not */
			t = realloc(cut, (2 * after->report->nrows + 2) *
				    sizeof(*t));
			if (!t) {
				ret = -ENOMEM;
				goto out;
			}
			cut = t;
			ncut = 0;
			cut[ncut++] = part->port_lo;
			cut[ncut++] = (uint32_t)part->port_hi + 1;
			for (j = 0; j < after->report->nrows; j++) {
				const struct report_row *a =
					&after->report->rows[j];

				if (!same_kind(a, row))
					continue;
				if (a->port_lo > part->port_lo &&
				    a->port_lo <= part->port_hi)
					cut[ncut++] = a->port_lo;
				if (a->port_hi >= part->port_lo &&
				    a->port_hi < part->port_hi)
					cut[ncut++] = (uint32_t)a->port_hi + 1;
			}
			qsort(cut, ncut, sizeof(*cut), port_cut_cmp);
			for (j = 0; j + 1 < ncut && kept; j++) {
				if (cut[j] == cut[j + 1])
					continue;
				ret = part_kept(live, row, part,
						(uint16_t)cut[j],
						(uint16_t)(cut[j + 1] - 1),
						after->report, &kept);
				if (ret < 0)
					goto out;
				if (!kept) {
					struct strbuf b = STRBUF_INIT;

					strbuf_addf(&b, "lost: %s %s/%u",
						    row->family == NFPROTO_IPV6 ?
						    "ipv6" : "ipv4",
						    report_proto_name(row->proto),
						    cut[j]);
					if (cut[j + 1] - 1 != cut[j])
						strbuf_addf(&b, "-%u",
							    cut[j + 1] - 1);
					strbuf_add(&b, " from ");
					report_sources_text(&b, live->zones,
							    row->family,
							    part->sources,
							    part->nsources);
					strbuf_add(&b, " is allowed but no "
						   "longer reachable");
					ret = lines_add(lines, n,
							strbuf_take(&b));
					if (ret < 0)
						goto out;
				}
			}
		}
	}
out:
	free(cut);
	return ret;
}

static void child_say(int fd, const char *kind, const char *s)
{
	size_t len = strcspn(s, "\n");

	write_all(fd, kind, strlen(kind));
	write_all(fd, s, len);
	write_all(fd, "\n", 1);
	/* a multi-line message (a loader's) goes on as more lines, an
	 * error's as errors (not each with the first line's preamble) */
	if (!strncmp(kind, "error: ", 7))
		kind = "error: ";
	while (s[len] == '\n' && s[len + 1]) {
		s += len + 1;
		len = strcspn(s, "\n");
		write_all(fd, kind, strlen(kind));
		write_all(fd, s, len);
		write_all(fd, "\n", 1);
	}
}

/* The child: load the copy, apply the plan, audit again, compare.  Says
 * "error: ..." lines and exits 3, or the comparison's lines and exits 0
 * (nothing to say) or 1.  lend_ipsets: the copy's ipsets are empty
 * placeholders of a snapshot's (copy_ipsets()). */
static void child(int fd, const struct audit_result *live,
		  const struct audit_opts *o, const struct plan *p,
		  bool nft_format, char **files, size_t nfiles,
		  const char *dir, bool lend_ipsets)
{
	char err[4096], msg[CMD_OUTPUT_MAX], path[PROVE_PATH_MAX];
	struct audit_result *after = NULL;
	struct audit_opts o2 = *o;
	enum snapshot_stage stage;
	struct snapshot snap;
	char **lines = NULL;
	size_t i, k, n = 0;
	int ret;

	ret = rsfile_load(files, nfiles, err, sizeof(err));
	if (ret < 0) {
		child_say(fd, "error: the copy of the ruleset does not load "
			  "in a private namespace: ", err);
		_exit(3);
	}
	if (nft_format) {
		struct strbuf b = STRBUF_INIT;
		char *text;
		int tfd;

		plan_nft(p, &b);
		text = strbuf_take(&b);
		if (snprintf(path, sizeof(path), "%s/plan.nft", dir) >=
		    (int)sizeof(path)) {
			child_say(fd, "error: ", "the temporary path is too "
				  "long");
			_exit(3);
		}
		tfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			   0600);
		if (!text || tfd < 0 || write_all(tfd, text, strlen(text))) {
			child_say(fd, "error: ", "cannot write the plan");
			_exit(3);
		}
		close(tfd);
		{
			char *argv[] = { "nft", "-f", path, NULL };

			if (run(argv, -1, msg, sizeof(msg)) < 0) {
				child_say(fd, "error: the plan does not load "
					  "on the copy: ", msg);
				_exit(3);
			}
		}
	} else {
		for (i = 0; i < p->nsteps; i++) {
			const struct plan_step *s = &p->steps[i];
			char **l = s->nproof ? s->proof : s->cmds;
			size_t nl = s->nproof ? s->nproof : s->ncmds;

			for (k = 0; k < nl; k++) {
				char *argv[] = { "/bin/sh", "-c", l[k], NULL };

				if (run(argv, -1, msg, sizeof(msg)) < 0) {
					char first[256];

					/* the first line names it */
					snprintf(first, sizeof(first), "%.*s",
						 (int)strcspn(l[k], "\n"),
						 l[k]);
					child_say(fd, "error: a command of the "
						  "plan fails on the copy: ",
						  first);
					child_say(fd, "error: ", msg);
					_exit(3);
				}
			}
		}
	}
	ret = snapshot_read(&snap, false, &stage);
	if (ret < 0) {
		child_say(fd, "error: cannot read the patched copy back: ",
			  strerror(-ret));
		_exit(3);
	}
	/* the host facts of the live audit: the copy has none of its own */
	snap.host = live->snap.host;
	/* a snapshot's sets were made again empty, at the same indexes: the
	 * copy's set matches decide by the sets the snapshot read (this
	 * process's copy of them; it never frees them: _exit) */
	if (lend_ipsets) {
		rs_ipsets_free(snap.rs->ipsets, snap.rs->nipsets);
		snap.rs->ipsets = live->snap.rs->ipsets;
		snap.rs->nipsets = live->snap.rs->nipsets;
	}
	o2.given = &snap;
	o2.docker = false;
	ret = audit_run(&o2, &after, &stage);
	if (ret < 0) {
		child_say(fd, "error: cannot audit the patched copy: ",
			  strerror(-ret));
		_exit(3);
	}
	ret = prove_compare(live, after, &lines, &n);
	if (ret < 0) {
		child_say(fd, "error: cannot compare the audits: ",
			  strerror(-ret));
		_exit(3);
	}
	for (i = 0; i < n; i++)
		child_say(fd, "", lines[i]);
	/* no cleanup: the host facts are the parent's, and _exit frees */
	_exit(n ? 1 : 0);
}

static void remove_dir(const char *dir)
{
	static const char *const names[] = {
		"nft.rules", "ip4.rules", "ip6.rules", "lg4.rules",
		"lg6.rules", "plan.nft", "ips.rules", "ebt.rules", "ebl.rules",
	};
	char path[PROVE_PATH_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) <
		    (int)sizeof(path))
			unlink(path);
	}
	rmdir(dir);
}

int prove_plan(const struct audit_result *live, const struct audit_opts *o,
	       const struct plan *p, bool nft_format,
	       struct prove_result **out, char *err, size_t errlen)
{
	char dir[PROVE_DIR_MAX], *files[PROVE_FILES_MAX], *buf = NULL, *line, *nl;
	const char *tmp = secure_getenv("TMPDIR");
	struct prove_result *r = NULL;
	size_t nfiles = 0, len = 0, i;
	int pfd[2] = { -1, -1 }, status, ret;
	bool lend = false;
	ssize_t n;
	pid_t pid;

	if (snprintf(dir, sizeof(dir), "%s/fwaudit-fix.XXXXXX",
		     tmp && *tmp ? tmp : "/tmp") >= (int)sizeof(dir)) {
		snprintf(err, errlen, "TMPDIR is too long");
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(dir)) {
		ret = -errno;
		snprintf(err, errlen, "cannot make a directory for the copy "
			 "of the ruleset: %s", strerror(errno));
		return ret;
	}
	ret = copy_host(&live->snap, dir, files, &nfiles, &lend, err, errlen);
	if (ret < 0)
		goto out;
	buf = malloc(PROVE_OUTPUT_MAX + 1);
	r = calloc(1, sizeof(*r));
	if (!buf || !r || pipe2(pfd, O_CLOEXEC) < 0) {
		ret = buf && r ? -errno : -ENOMEM;
		snprintf(err, errlen, "%s", strerror(-ret));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		close(pfd[0]);
		child(pfd[1], live, o, p, nft_format, files, nfiles, dir,
		      lend);
	}
	close(pfd[1]);
	pfd[1] = -1;
	for (;;) {
		n = read(pfd[0], buf + len, PROVE_OUTPUT_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == PROVE_OUTPUT_MAX)
			break;
	}
	buf[len] = '\0';
	close(pfd[0]);
	pfd[0] = -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			ret = -errno;
			goto out;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		/* the child's error lines, joined */
		size_t at = 0;

		err[0] = '\0';
		for (line = buf; *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (!nl)
				break;
			*nl = '\0';
			if (!strncmp(line, "error: ", 7))
				line += 7;
			if (at + 2 < errlen)
				at += (size_t)snprintf(err + at, errlen - at,
						       "%s%s", at ? "; " : "",
						       line);
		}
		if (!err[0])
			snprintf(err, errlen, "the proof ended abnormally");
		ret = -EINVAL;
		goto out;
	}
	for (line = buf; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		ret = lines_add(&r->lines, &r->nlines, strdup(line));
		if (ret < 0)
			goto out;
	}
	r->proven = WEXITSTATUS(status) == 0 && !r->nlines;
	*out = r;
	r = NULL;
	ret = 0;
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	prove_result_free(r);
	free(buf);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	remove_dir(dir);
	return ret;
}

void prove_result_free(struct prove_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->lines);
	free(r);
}
