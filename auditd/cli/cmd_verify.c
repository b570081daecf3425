// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_verify.c - `fwaudit verify`: the model against real packets.  Audits
 * this host (or a snapshot), asks a vantage (a network namespace, or a
 * machine over the user's own ssh) for its source address towards each of
 * the host's addresses, chooses the fewest probes that tell the model's
 * regions apart from there (pick.h), has the vantage send them (`fwaudit
 * probe`) and reconciles (reconcile.h).  Nothing is ever sent to an
 * address that is not the audited host's own: every destination is
 * checked against the host's addresses before the vantage runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "audit.h"
#include "cli.h"
#include "pick.h"
#include "probelist.h"
#include "reconcile.h"
#include "snapfile.h"
#include "util.h"

#define TARGETS_MAX	32
#define SSH_OPTS_MAX	16
#define ARGS_MAX	(16 + 2 * SSH_OPTS_MAX + 2 * TARGETS_MAX)
#define ANSWER_MAX	(8u << 20)	/* bytes the vantage may answer */

struct vantage {
	const char *netns;		/* --from-netns */
	char *user, *host, *port;	/* --from ssh://, parsed (owned) */
	const char *command;		/* --probe-command */
	const char *ssh_opts[SSH_OPTS_MAX];
	size_t nssh_opts;
	char name[512];			/* for people */
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s verify (--from-netns NS | --from "
		"ssh://[USER@]HOST[:PORT]) [--rules PATH]\n"
		"                      [--snapshot FILE] [--format text|json] "
		"[--target ADDR]...\n"
		"Check the model against real packets: probes chosen by the "
		"model, sent by\n`%s probe` from the vantage to this host's own "
		"addresses (or the snapshot's),\nand each disagreement named: "
		"fwaudit wrong, or something between filtering.\n"
		"  -N, --from-netns NS      the vantage is network namespace NS "
		"(ip netns exec)\n"
		"  -F, --from URL           the vantage is ssh://[USER@]HOST"
		"[:PORT] (ssh -o BatchMode=yes)\n"
		"  -o, --ssh-option OPT     pass -o OPT to ssh (repeat)\n"
		"  -c, --probe-command CMD  fwaudit on the vantage (default: "
		"this binary in a\n"
		"                           namespace, 'fwaudit' over ssh)\n"
		"  -r, --rules PATH         the policy (default: the shipped "
		"default.rules)\n"
		"  -n, --no-rules           check the exposures without "
		"judging them\n"
		"  -S, --snapshot FILE      verify the host as FILE recorded it\n"
		"  -t, --target ADDR        probe only this address of the host "
		"(repeat)\n"
		"  -m, --max-probes N       at most N probes (default %d)\n"
		"  -u, --udp-interval MS    the vantage sends a datagram every "
		"MS (default 1000)\n"
		"  -b, --bundle FILE        where a reproducer goes when "
		"fwaudit is wrong\n"
		"  -f, --format FMT         text or json\n"
		"  -h, --help               this help\n"
		"Exit status: 0, 1, 2 by the worst violation confirmed by "
		"packets; 3 fwaudit is\nwrong (a reproducer is written) or "
		"could not verify.\n", cli_prog, cli_prog, PICK_MAX_DEFAULT);
}

static int parse_ssh_url(const char *url, struct vantage *v)
{
	const char *s, *at, *end;

	if (strncmp(url, "ssh://", 6))
		return -EINVAL;
	s = url + 6;
	at = strchr(s, '@');
	if (at) {
		v->user = strndup(s, at - s);
		s = at + 1;
	}
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end)
			return -EINVAL;
		v->host = strndup(s + 1, end - s - 1);
		end++;
	} else {
		end = strchr(s, ':');
		if (!end)
			end = s + strlen(s);
		v->host = strndup(s, end - s);
	}
	if (*end == ':')
		v->port = strdup(end + 1);
	else if (*end)
		return -EINVAL;
	if (!v->host || !*v->host || v->host[0] == '-' ||
	    (v->user && (!*v->user || v->user[0] == '-')) ||
	    (v->port && strspn(v->port, "0123456789") != strlen(v->port)))
		return -EINVAL;
	snprintf(v->name, sizeof(v->name), "%s", url);
	return 0;
}

/*
 * Run `COMMAND probe ARGS...` on the vantage with input on its stdin;
 * its stdout (at most ANSWER_MAX bytes) in a new *out.  Its stderr is
 * ours.  0, or a negative errno (-ECHILD: it failed).
 */
static int run_vantage(const struct vantage *v, char *const *args,
		       size_t nargs, const char *input, size_t inlen,
		       char **out, size_t *outlen)
{
	const char *argv[ARGS_MAX];
	char self[4096], portopt[64], dest[1024], *buf = NULL, *nb;
	size_t n = 0, i, len = 0, cap = 0;
	int in[2] = { -1, -1 }, o[2] = { -1, -1 }, st, ret;
	ssize_t r;
	pid_t pid;

	if (v->netns) {
		argv[n++] = "ip";
		argv[n++] = "netns";
		argv[n++] = "exec";
		argv[n++] = v->netns;
		if (!v->command) {
			r = readlink("/proc/self/exe", self, sizeof(self) - 1);
			if (r < 0)
				return -errno;
			self[r] = 0;
		}
		argv[n++] = v->command ? v->command : self;
	} else {
		argv[n++] = "ssh";
		argv[n++] = "-o";
		argv[n++] = "BatchMode=yes";
		argv[n++] = "-o";
		argv[n++] = "ConnectTimeout=10";
		if (v->port) {
			snprintf(portopt, sizeof(portopt), "%s", v->port);
			argv[n++] = "-p";
			argv[n++] = portopt;
		}
		for (i = 0; i < v->nssh_opts; i++) {
			argv[n++] = "-o";
			argv[n++] = v->ssh_opts[i];
		}
		snprintf(dest, sizeof(dest), "%s%s%s", v->user ? v->user : "",
			 v->user ? "@" : "", v->host);
		argv[n++] = "--";
		argv[n++] = dest;
		argv[n++] = v->command ? v->command : "fwaudit";
	}
	argv[n++] = "probe";
	for (i = 0; i < nargs && n < ARGS_MAX - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(o, O_CLOEXEC) < 0) {
		ret = -errno;
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out;
	}
	if (pid == 0) {
		if (dup2(in[0], STDIN_FILENO) < 0 ||
		    dup2(o[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "%s verify: cannot run %s: %m\n", cli_prog,
			argv[0]);
		_exit(127);
	}
	close(in[0]);
	close(o[1]);
	in[0] = o[1] = -1;
	/* the probe reads all of its input before it writes anything */
	for (i = 0; i < inlen; i += r) {
		r = write(in[1], input + i, inlen - i);
		if (r < 0 && errno == EINTR) {
			r = 0;
			continue;
		}
		if (r < 0)
			break;
	}
	close(in[1]);
	in[1] = -1;
	ret = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= ANSWER_MAX) {
				ret = -E2BIG;
				break;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
		}
		r = read(o[0], buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0)
				ret = -errno;
			break;
		}
		len += r;
	}
	close(o[0]);
	o[0] = -1;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!ret && (!WIFEXITED(st) || WEXITSTATUS(st)))
		ret = -ECHILD;
	if (!ret) {
		buf[len] = 0;
		*out = buf;
		*outlen = len;
		buf = NULL;
	}
out:
	free(buf);
	for (i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (o[i] >= 0)
			close(o[i]);
	}
	return ret;
}

/* Is a one of the host's own addresses?  The only destinations verify
 * ever lets the vantage send to. */
static bool host_owns(const struct host *h, uint8_t family, rs_u128 a)
{
	size_t i;

	for (i = 0; i < h->naddrs; i++)
		if (h->addrs[i].family == family && h->addrs[i].addr == a)
			return true;
	return false;
}

/* The default targets: global addresses on ingress interfaces. */
static size_t default_targets(const struct host *h, struct pick_target *t)
{
	const struct host_link *l;
	size_t i, n = 0;

	for (i = 0; i < h->naddrs && n < TARGETS_MAX; i++) {
		l = host_link_by_index(h, h->addrs[i].ifindex);
		if (h->addrs[i].scope != RT_SCOPE_UNIVERSE || !l ||
		    !host_link_is_ingress(h, l))
			continue;
		t[n].family = h->addrs[i].family;
		t[n].daddr = h->addrs[i].addr;
		n++;
	}
	return n;
}

/* Ask the vantage for its source address towards each target; keep the
 * targets it has a route to, with the link the host would see them
 * arrive on (the host's route back to that source). */
static int ask_sources(const struct vantage *v, const struct host *h,
		       struct pick_target *t, size_t *nt)
{
	char *args[2 * TARGETS_MAX], addrs[TARGETS_MAX][INET6_ADDRSTRLEN];
	char *answer = NULL;
	struct host_route_query q;
	struct host_route_result res;
	const struct host_link *l;
	json_t *doc = NULL, *arr, *x;
	size_t i, len, k = 0;
	const char *s;
	int ret;

	for (i = 0; i < *nt; i++) {
		host_addr_str(t[i].family, t[i].daddr, addrs[i],
			      sizeof(addrs[i]));
		args[2 * i] = "--source-for";
		args[2 * i + 1] = addrs[i];
	}
	ret = run_vantage(v, args, 2 * *nt, "", 0, &answer, &len);
	if (ret < 0)
		return ret;
	doc = json_loadb(answer, len, JSON_REJECT_DUPLICATES, NULL);
	free(answer);
	arr = json_object_get(doc, "sources");
	if (!json_is_array(arr) || json_array_size(arr) != *nt) {
		json_decref(doc);
		return -EBADMSG;
	}
	for (i = 0; i < *nt; i++) {
		x = json_array_get(arr, i);
		s = json_string_value(json_object_get(x, "source"));
		if (!s || host_addr_parse(t[i].family, s, &t[i].saddr) < 0) {
			fprintf(stderr, "%s verify: the vantage has no route "
				"to %s: skipped\n", cli_prog, addrs[i]);
			continue;
		}
		if (host_owns(h, t[i].family, t[i].saddr)) {
			fprintf(stderr, "%s verify: the vantage sends to %s "
				"from the host's own address %s: skipped\n",
				cli_prog, addrs[i], s);
			continue;
		}
		memset(&q, 0, sizeof(q));
		q.family = t[i].family;
		q.daddr = t[i].saddr;
		if (host_route_lookup(h, &q, &res) < 0 || !res.oif ||
		    !(l = host_link_by_index(h, res.oif))) {
			fprintf(stderr, "%s verify: the host has no route "
				"back to %s: %s skipped\n", cli_prog, s,
				addrs[i]);
			continue;
		}
		t[k] = t[i];
		t[k].iif = rs_ifname_key(l->name);
		t[k].iifname = l->name;
		k++;
	}
	json_decref(doc);
	*nt = k;
	return 0;
}

/* Send pk's probes from the vantage and copy their results back. */
static int send_probes(const struct vantage *v, const char *udp_interval,
		       struct pick *pk)
{
	struct probelist got = { 0 };
	char *args[2], *in = NULL, *answer = NULL, err[512];
	size_t i, len, nargs = 0;
	json_t *doc;
	int ret;

	doc = probelist_json(&pk->list, false);
	if (!doc)
		return -ENOMEM;
	in = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!in)
		return -ENOMEM;
	if (udp_interval) {
		args[nargs++] = "--udp-interval";
		args[nargs++] = (char *)udp_interval;
	}
	ret = run_vantage(v, args, nargs, in, strlen(in), &answer, &len);
	free(in);
	if (ret < 0)
		return ret;
	ret = probelist_parse(answer, len, true, &got, err, sizeof(err));
	free(answer);
	if (ret < 0) {
		fprintf(stderr, "%s verify: the vantage's answer: %s\n",
			cli_prog, err);
		return -EBADMSG;
	}
	ret = -EBADMSG;
	if (got.n != pk->list.n)
		goto out;
	for (i = 0; i < got.n; i++) {
		struct probe *a = &pk->list.p[i], *b = &got.p[i];

		if (a->family != b->family || a->proto != b->proto ||
		    a->addr != b->addr || a->port != b->port ||
		    a->sport != b->sport)
			goto out;
		*a = *b;
	}
	ret = 0;
out:
	if (ret < 0)
		fprintf(stderr, "%s verify: the vantage answered other probes "
			"than it was sent\n", cli_prog);
	probelist_release(&got);
	return ret;
}

/* The snapshot to verify, and its document for a reproducer: the file's
 * (in a namespace of its own for the legacy tables, then back), or this
 * host's, recorded as `fwaudit snapshot` does. */
static int get_snapshot(const char *file, struct snapshot *snap,
			json_t **doc)
{
	struct snapfile_rec rec;
	json_error_t jerr;
	char err[1024];
	int ret, ns;

	if (file) {
		*doc = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
		ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (ns < 0)
			return cli_fail("cannot open this network namespace",
					-errno);
		ret = cli_snapshot_file(file, SNAPFILE_HOST | SNAPFILE_RULESET,
					snap);
		/* the legacy tables' namespace is no place to send from */
		if (!ret && setns(ns, CLONE_NEWNET) < 0) {
			ret = cli_fail("cannot return to this network "
				       "namespace", -errno);
			snapshot_release(snap);
		}
		close(ns);
		return ret;
	}
	ret = snapfile_record_begin(&rec);
	if (ret < 0)
		return cli_fail("cannot record the snapshot", ret);
	ret = cli_snapshot(snap, true);
	if (!ret)
		ret = cli_snapshot_netns(&rec);
	if (ret) {
		snapfile_record_abort(&rec);
		return ret;
	}
	ret = snapfile_record_end(&rec, snap, doc, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", cli_prog, err);
		snapshot_release(snap);
		return EXIT_UNKNOWN;
	}
	return 0;
}

/* The reproducer: the snapshot, the probes and what they met. */
static int write_bundle(const char *path, json_t *snapdoc, json_t *verify)
{
	json_t *b = json_object();
	int ret;

	if (!b)
		return -ENOMEM;
	json_object_set_new(b, "format", json_string("fwaudit-verify-bundle"));
	json_object_set_new(b, "version", json_integer(1));
	json_object_set(b, "snapshot", snapdoc ? snapdoc : json_null());
	json_object_set(b, "verify", verify);
	ret = snapfile_write(b, path);
	json_decref(b);
	return ret;
}

/* --from-netns NS: to is the vantage */
static int take_netns(const char *arg, void *to)
{
	struct vantage *v = to;

	v->netns = arg;
	snprintf(v->name, sizeof(v->name), "netns %s", arg);
	return 0;
}

/* --from ssh://[USER@]HOST[:PORT]: to is the vantage */
static int take_ssh(const char *arg, void *to)
{
	if (parse_ssh_url(arg, to) == 0)
		return 0;
	fprintf(stderr, "%s verify: '%s' is not ssh://[USER@]HOST[:PORT]\n",
		cli_prog, arg);
	return -1;
}

int cmd_verify(int argc, char **argv)
{
	enum cli_format format = CLI_FORMAT_TEXT;
	struct vantage v = { 0 };
	const char *rules = NULL, *snapfile = NULL, *udp_interval = NULL;
	const char *targets[TARGETS_MAX], *bundle = NULL;
	struct cli_list tlist = { targets, 0, TARGETS_MAX, "targets" };
	struct cli_list sshlist = { v.ssh_opts, 0, SSH_OPTS_MAX,
				    "ssh options" };
	char bundle_def[128];
	struct pick_target t[TARGETS_MAX];
	struct pick_opts po = { 0 };
	struct audit_opts ao = { .docker = true };
	struct audit_result *r = NULL;
	struct policy *policy = NULL;
	struct policy_want *want = NULL;
	struct snapshot snap = { .rs = NULL };
	struct pick pk = { 0 };
	struct recon rc = { 0 };
	enum snapshot_stage stage = SNAPSHOT_NFT;
	json_t *snapdoc = NULL, *out = NULL;
	size_t ntargets, nt = 0, i, k;
	const struct host *h;
	unsigned int max = 0;
	int c, ret = EXIT_UNKNOWN;
	bool judge = true;
	struct tm tm;
	time_t now;
	const struct cli_opt opts[] = {
		CLI_ROW("from-netns", 'N', CLI_OPT_FN, &v, .fn = take_netns),
		CLI_ROW("from", 'F', CLI_OPT_FN, &v, .fn = take_ssh),
		CLI_ROW("ssh-option", 'o', CLI_OPT_LIST, &sshlist),
		CLI_ROW("probe-command", 'c', CLI_OPT_ARG, &v.command),
		CLI_ROW("rules", 'r', CLI_OPT_ARG, &rules),
		CLI_ROW("no-rules", 'n', CLI_OPT_CLEAR, &judge),
		CLI_ROW("snapshot", 'S', CLI_OPT_ARG, &snapfile),
		CLI_ROW("target", 't', CLI_OPT_LIST, &tlist),
		CLI_ROW("max-probes", 'm', CLI_OPT_UINT, &max, .lo = 1,
			.hi = PROBELIST_MAX),
		CLI_ROW("udp-interval", 'u', CLI_OPT_ARG, &udp_interval),
		CLI_ROW("bundle", 'b', CLI_OPT_ARG, &bundle),
		CLI_ROW("format", 'f', CLI_OPT_FORMAT, &format, .formats = 0x3),
	};

	c = cli_parse("verify", argc, argv, opts, ARRAY_SIZE(opts), usage);
	if (c != CLI_GO) {
		ret = c;
		goto out;
	}
	v.nssh_opts = sshlist.n;
	ntargets = tlist.n;
	po.max = max;
	if (optind < argc || (!v.netns == !v.host)) {
		fprintf(stderr, "%s verify: %s\n", cli_prog, optind < argc ?
			"unexpected argument" : "say where from: --from-netns "
			"NS or --from ssh://HOST");
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (judge && cli_load_policy(rules, &policy))
		goto out;
	ao.policy = policy;
	if (policy && policy_requires(policy, &want, &po.nwant) < 0) {
		cli_fail("cannot read the policy's requires", -ENOMEM);
		goto out;
	}
	po.want = want;
	if (get_snapshot(snapfile, &snap, &snapdoc))
		goto out;
	if (!snap.host) {
		fprintf(stderr, "%s verify: the snapshot has no host\n",
			cli_prog);
		snapshot_release(&snap);
		goto out;
	}
	ao.given = &snap;
	ao.docker = !snapfile;
	c = audit_run(&ao, &r, &stage);
	if (c < 0) {
		cli_fail("failed to audit", c);
		goto out;
	}
	h = r->snap.host;
	/* the destinations: the host's own addresses, checked before the
	 * vantage is asked anything */
	for (i = 0; i < ntargets; i++) {
		t[i].family = strchr(targets[i], ':') ? NFPROTO_IPV6 :
			NFPROTO_IPV4;
		if (host_addr_parse(t[i].family, targets[i], &t[i].daddr) < 0 ||
		    !host_owns(h, t[i].family, t[i].daddr)) {
			fprintf(stderr, "%s verify: refused: %s is not an "
				"address of the audited host; verify sends "
				"nothing anywhere else\n", cli_prog,
				targets[i]);
			goto out;
		}
	}
	nt = ntargets ? ntargets : default_targets(h, t);
	if (!nt) {
		fprintf(stderr, "%s verify: the host has no global address "
			"on an ingress interface\n", cli_prog);
		goto out;
	}
	c = ask_sources(&v, h, t, &nt);
	if (c < 0) {
		fprintf(stderr, "%s verify: cannot ask %s for its source "
			"addresses: %s\n", cli_prog, v.name, c == -ECHILD ?
			"the probe command failed" : strerror(-c));
		goto out;
	}
	if (!nt) {
		fprintf(stderr, "%s verify: the vantage reaches none of the "
			"host's addresses\n", cli_prog);
		goto out;
	}
	c = pick_probes(r->snap.rs, h, t, nt, &po, &pk);
	if (c < 0) {
		cli_fail("cannot choose the probes", c);
		goto out;
	}
	for (i = 0; i < pk.list.n; i++) {
		if (!host_owns(h, pk.list.p[i].family, pk.list.p[i].addr)) {
			fprintf(stderr, "%s verify: refused: a probe to an "
				"address that is not the host's\n", cli_prog);
			goto out;
		}
	}
	c = send_probes(&v, udp_interval, &pk);
	if (c < 0) {
		fprintf(stderr, "%s verify: the probes from %s failed: %s\n",
			cli_prog, v.name, c == -ECHILD ? "the probe command "
			"failed" : strerror(-c));
		goto out;
	}
	if (recon_build(&pk, t, nt, r, policy, &rc) < 0) {
		cli_fail("cannot reconcile", -ENOMEM);
		goto out;
	}
	if (rc.counts[RECON_WRONG]) {
		if (!bundle) {
			now = time(NULL);
			gmtime_r(&now, &tm);
			strftime(bundle_def, sizeof(bundle_def),
				 "fwaudit-verify-%Y%m%dT%H%M%SZ.json", &tm);
			bundle = bundle_def;
		}
		out = recon_json(&rc, &pk, t, nt, r, v.name, NULL);
		k = out ? write_bundle(bundle, snapdoc, out) : -ENOMEM;
		json_decref(out);
		if (k) {
			cli_fail("cannot write the reproducer", (int)k);
			bundle = NULL;
		}
	} else {
		bundle = NULL;
	}
	if (format == CLI_FORMAT_JSON) {
		out = recon_json(&rc, &pk, t, nt, r, v.name, bundle);
		c = out ? json_dumpf(out, stdout, JSON_INDENT(1) |
				     JSON_PRESERVE_ORDER) : -1;
		json_decref(out);
		if (!c)
			fputc('\n', stdout);
	} else {
		recon_text(&rc, &pk, t, nt, r, v.name, bundle, stdout);
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		cli_fail("cannot print", -EIO);
		goto out;
	}
	if (bundle)
		fprintf(stderr, "%s verify: fwaudit is wrong; reproducer "
			"written to %s\n", cli_prog, bundle);
	ret = recon_exit_status(&rc);
out:
	recon_release(&rc);
	pick_release(&pk);
	audit_result_free(r);
	policy_free(policy);
	free(want);
	json_decref(snapdoc);
	free(v.user);
	free(v.host);
	free(v.port);
	return ret;
}
