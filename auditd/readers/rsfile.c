// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rsfile.c - load ruleset files into a private namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rsfile.h"

#define LOADER_OUTPUT_MAX	4096

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(s);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, (size_t)len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* Whether an address after -s or -d in a rule is an IPv6 one (a ':' in
 * it; elsewhere a ':' is a port range, a DNAT target or a comment). */
static bool rule_has_v6_addr(const char *line)
{
	static const char *const opts[] = { " -s ", " -d " };
	const char *p;
	size_t i, len;

	for (i = 0; i < 2; i++) {
		/* the next search starts after the option, never past the
		 * end of a line that ends with it */
		for (p = strstr(line, opts[i]); p; p = strstr(p, opts[i])) {
			p += 4;
			len = strcspn(p, " \t\n");
			if (memchr(p, ':', len))
				return true;
		}
	}
	return false;
}

enum rsfile_kind rsfile_detect(const char *path, const char **name)
{
	char line[512];
	enum rsfile_kind kind = RSFILE_AUTO;
	bool xt = false, v6 = false, commit = false, counters = false;
	FILE *f;

	*name = path;
	if (!strncmp(path, "lg4:", 4) || !strncmp(path, "lg6:", 4)) {
		*name = path + 4;
		return path[2] == '4' ? RSFILE_LEGACY4 : RSFILE_LEGACY6;
	}
	if (!strncmp(path, "ips:", 4)) {
		*name = path + 4;
		return RSFILE_IPSET;
	}
	if (!strncmp(path, "ebt:", 4) || !strncmp(path, "ebl:", 4)) {
		*name = path + 4;
		return path[2] == 't' ? RSFILE_EBTABLES : RSFILE_EBTLEGACY;
	}
	if (!strncmp(path, "ip4:", 4) || !strncmp(path, "ip6:", 4) ||
	    !strncmp(path, "nft:", 4)) {
		*name = path + 4;
		return path[2] == '4' ? RSFILE_IPTABLES :
		       path[2] == '6' ? RSFILE_IP6TABLES : RSFILE_NFT;
	}
	f = fopen(path, "re");
	if (!f)
		return RSFILE_AUTO;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' && strstr(line, "ip6tables"))
			v6 = true;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (line[0] == '*') {
			xt = true;
			continue;
		}
		/* iptables-save ends each table with COMMIT and gives
		 * chains counters; ebtables-save does neither */
		if (xt && !strncmp(line, "COMMIT", 6))
			commit = true;
		if (xt && line[0] == ':' && strchr(line, '['))
			counters = true;
		if (!xt) {
			kind = RSFILE_NFT;
			break;
		}
		/* an IPv6 address or icmpv6 in a rule tells the family */
		if ((line[0] == '-' && (strstr(line, "icmpv6") ||
					strstr(line, "ipv6-icmp"))) ||
		    rule_has_v6_addr(line))
			v6 = true;
	}
	fclose(f);
	if (kind == RSFILE_NFT)
		return kind;
	if (xt && !commit && !counters)
		return RSFILE_EBTABLES;
	return xt ? (v6 ? RSFILE_IP6TABLES : RSFILE_IPTABLES) : RSFILE_NFT;
}

/*
 * Run argv with stdin from path; its stderr (and stdout) into out.  out is
 * always a string when outlen > 0: the first outlen - 1 bytes the loader
 * printed, or empty when it could not be run.  Returns 0 when the loader
 * exits with status 0, -EINVAL when it fails, or another negative errno
 * when it cannot be run.
 */
static int run_loader(char *const argv[], const char *path, char *out,
		      size_t outlen)
{
	char drain[4096];
	int pfd[2], in, status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (outlen)
		out[0] = '\0';
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		close(in);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		close(in);
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(in, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in);
	close(pfd[1]);
	/* read to the end of file, keeping only the start: a loader whose
	 * warnings fill the pipe while nobody reads would block, and one
	 * whose reader went away dies of SIGPIPE - a valid ruleset that
	 * "does not load" */
	for (;;) {
		bool keep = len + 1 < outlen;

		n = keep ? read(pfd[0], out + len, outlen - 1 - len) :
			   read(pfd[0], drain, sizeof(drain));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (keep)
			len += (size_t)n;
	}
	if (outlen)
		out[len] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EINVAL;
}

int rsfile_load(char *const *files, size_t n, char *err, size_t errlen)
{
	char map[64], out[LOADER_OUTPUT_MAX];
	uid_t uid = getuid();
	gid_t gid = getgid();
	const char *name;
	size_t i;
	int ret;

	/* root keeps all of its powers in a plain network namespace: the
	 * loaders can then size their netlink buffers for large rulesets
	 * and owner matches may name any uid */
	if (unshare(CLONE_NEWNET) == 0)
		goto load;
	if (unshare(CLONE_NEWUSER) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create a private user namespace: "
			 "%s", strerror(errno));
		return ret;
	}
	/* become root of the new namespace, so that the loaders and the
	 * readers have CAP_NET_ADMIN there */
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	ret = write_file("/proc/self/uid_map", map);
	if (!ret)
		ret = write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	if (!ret)
		ret = write_file("/proc/self/gid_map", map);
	if (ret < 0) {
		snprintf(err, errlen, "cannot map our user into the private "
			 "namespace: %s", strerror(-ret));
		return ret;
	}
	/* only now the network namespace: x_tables gives its root-only
	 * /proc/net/ip*_tables_names to the owner's uid 0 when the
	 * namespace is made, and that uid must be mapped by then */
	if (unshare(CLONE_NEWNET) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create a private network "
			 "namespace: %s", strerror(errno));
		return ret;
	}
load:
	for (i = 0; i < n; i++) {
		enum rsfile_kind kind = rsfile_detect(files[i], &name);
		/* by name: nft's errors then say "FILE:line:column" */
		char *nft[] = { "nft", "-f", (char *)name, NULL };
		char *ip4[] = { "iptables-nft-restore", "--noflush", NULL };
		char *ip6[] = { "ip6tables-nft-restore", "--noflush", NULL };
		char *lg4[] = { "iptables-legacy-restore", "--noflush", NULL };
		char *lg6[] = { "ip6tables-legacy-restore", "--noflush", NULL };
		char *ips[] = { "ipset", "restore", NULL };
		/* the tables it names replace the namespace's initial ones */
		char *ebt[] = { "ebtables-nft-restore", NULL };
		char *ebl[] = { "ebtables-legacy-restore", NULL };
		char **argv = kind == RSFILE_NFT ? nft :
			      kind == RSFILE_IPSET ? ips :
			      kind == RSFILE_IP6TABLES ? ip6 :
			      kind == RSFILE_LEGACY4 ? lg4 :
			      kind == RSFILE_LEGACY6 ? lg6 :
			      kind == RSFILE_EBTABLES ? ebt :
			      kind == RSFILE_EBTLEGACY ? ebl : ip4;

		if (access(name, R_OK) < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", name, strerror(errno));
			return ret;
		}
		ret = run_loader(argv, name, out, sizeof(out));
		if (ret < 0) {
			size_t l = strlen(out);

			while (l && out[l - 1] == '\n')
				out[--l] = '\0';
			snprintf(err, errlen, "%s does not load: %s", name,
				 *out ? out : ret == -EINVAL ?
				 "the loader failed" : strerror(-ret));
			return ret;
		}
	}
	return 0;
}
