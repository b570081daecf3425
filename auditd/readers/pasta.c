// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pasta.c - what each running pasta forwards host ports to, from /proc.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>

#include "pasta.h"

/* The argument after arg (argv: len bytes, NUL-separated), or NULL. */
static const char *next_arg(const char *argv, size_t len, const char *arg)
{
	const char *end = argv + len, *n = arg + strnlen(arg, (size_t)(end - arg)) + 1;

	return n < end ? n : NULL;
}

/* Append the arguments of argv (len bytes) to out joined by spaces, cut
 * with "..." at outlen. */
static void join(char *out, size_t outlen, size_t at, const char *argv,
		 size_t len)
{
	size_t i;

	for (i = 0; i < len && at + 1 < outlen; i++)
		out[at++] = argv[i] ? argv[i] : ' ';
	while (at > 0 && out[at - 1] == ' ')
		at--;
	out[at] = '\0';
	if (i < len && outlen > 4)
		memcpy(out + outlen - 4, "...", 4);
}

static bool all_digits(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 11 && strspn(s, "0123456789") == n;
}

/* Whether option a (not "--") takes the next argument as its value: pasta's
 * options with a value (pasta(1)), a short one when it ends a cluster.  The
 * --*dhcp-* ones are taken as having one too: a PID is then not named
 * rather than named wrongly. */
static bool takes_value(const char *a)
{
	static const char *const longs[] = {
		"log-file", "log-size", "runas", "pcap", "pid", "mtu",
		"address", "netmask", "mac-addr", "gateway", "interface",
		"outbound", "outbound-if4", "outbound-if6", "dns",
		"dns-forward", "search", "no-dhcp-dns", "dhcp-dns",
		"no-dhcp-search", "dhcp-search", "socket", "fd", "tcp-ports",
		"udp-ports", "ns-ifname", "tcp-ns", "udp-ns", "userns",
		"netns", "ns-mac-addr",
	};
	const char *c;
	size_t i;

	if (a[1] == '-') {
		for (i = 0; !strchr(a, '=') &&
			    i < sizeof(longs) / sizeof(longs[0]); i++)
			if (!strcmp(a + 2, longs[i]))
				return true;
		return false;
	}
	for (c = a + 1; *c; c++)
		if (strchr("lpPmanMgioDSsFtuITU", *c))
			return !c[1];
	return false;
}

int pasta_serves(const char *argv, size_t len, const char *child,
		 size_t clen, char *out, size_t outlen)
{
	const char *a, *base, *target = NULL, *ns = NULL;
	bool value = false;

	if (!argv || !len || outlen < 8 || argv[len - 1])
		return -ENOENT;
	base = strrchr(argv, '/');
	base = base ? base + 1 : argv;
	/* pasta execs passt.avx2 keeping argv[0]; passt proper serves a VM */
	if (strcmp(base, "pasta") && strcmp(base, "pasta.avx2"))
		return -ENOENT;
	if (child && clen) {
		snprintf(out, outlen, "command ");
		join(out, outlen, strlen(out), child, clen);
		return 0;
	}
	/* no child: the namespace it joins, by --netns or a PID as its one
	 * argument that is not an option; a command (after "--" or not)
	 * that has no process is nothing to name */
	for (a = next_arg(argv, len, argv); a; a = next_arg(argv, len, a)) {
		if (value) {
			value = false;
			continue;
		}
		if (!strcmp(a, "--") || a[0] != '-' || !a[1]) {
			target = strcmp(a, "--") ? a : "";
			break;
		}
		if (!strncmp(a, "--netns=", 8))
			ns = a + 8;
		else if (!strcmp(a, "--netns"))
			ns = next_arg(argv, len, a);
		value = takes_value(a);
	}
	if (ns && *ns && !target) {
		snprintf(out, outlen, "network namespace ");
		join(out, outlen, strlen(out), ns, strlen(ns));
	} else if (!ns && target && all_digits(target) &&
		   !next_arg(argv, len, target)) {
		snprintf(out, outlen, "the network namespace of PID %s",
			 target);
	} else {
		return -ENOENT;
	}
	return 0;
}

/* Up to size - 1 bytes of dirfd/name into buf; the length, or 0. */
static size_t read_small(int dirfd, const char *name, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return 0;
	while (n + 1 < size) {
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	return n;
}

/* The argument vector in buf, n bytes read: ends with a NUL (one read
 * cut short gets the one read_small() wrote after it). */
static size_t argv_len(const char *buf, size_t n)
{
	return n && buf[n - 1] ? n + 1 : n;
}

/* The command line of pid's first child into buf, its length, or 0. */
static size_t child_cmdline(int procfd, const char *pid, char *buf,
			    size_t size)
{
	char path[80], kids[32];
	unsigned long kid;

	if ((size_t)snprintf(path, sizeof(path), "%s/task/%s/children", pid,
			     pid) >= sizeof(path) ||
	    !read_small(procfd, path, kids, sizeof(kids)) ||
	    sscanf(kids, "%lu", &kid) != 1 ||
	    (size_t)snprintf(path, sizeof(path), "%lu/cmdline", kid) >=
	    sizeof(path))
		return 0;
	return argv_len(buf, read_small(procfd, path, buf, size));
}

static bool pasta_comm(const char *comm)
{
	return !strcmp(comm, "pasta") || !strcmp(comm, "pasta.avx2") ||
	       !strcmp(comm, "passt") || !strcmp(comm, "passt.avx2");
}

/* Add what one pasta serves, for TCP and UDP, held by pid. */
static int add_pasta(struct docker_map *m, int32_t pid, const char *desc)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct docker_port p;
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < sizeof(protos); i++) {
		memset(&p, 0, sizeof(p));
		p.proto = protos[i];
		p.port_lo = 1;
		p.port_hi = 65535;
		p.name = (char *)desc;
		p.image = (char *)"";
		p.runtime = DOCKER_RT_PASTA;
		p.pid = pid;
		ret = docker_add_port(m, &p);
	}
	return ret;
}

/* pid's pasta is in m already (it holds several sockets). */
static bool pasta_known(const struct docker_map *m, int32_t pid)
{
	size_t i;

	for (i = 0; i < m->nports; i++)
		if (m->ports[i].runtime == DOCKER_RT_PASTA &&
		    m->ports[i].pid == pid)
			return true;
	return false;
}

/* The pasta with process id pid (its /proc entry name), if it is one:
 * what it serves added to m, *npasta counted. */
static int pasta_one(int procfd, unsigned long pid, struct docker_map *m,
		     unsigned int *npasta)
{
	char path[80], comm[32], argv[4096], kid[4096], desc[PASTA_DESC_MAX];
	unsigned long tpid;
	size_t n, kn;

	if ((size_t)snprintf(path, sizeof(path), "%lu/comm", pid) >=
	    sizeof(path) || !read_small(procfd, path, comm, sizeof(comm)))
		return 0;
	comm[strcspn(comm, "\n")] = '\0';
	if (!pasta_comm(comm))
		return 0;
	snprintf(path, sizeof(path), "%lu/cmdline", pid);
	n = argv_len(argv, read_small(procfd, path, argv, sizeof(argv)));
	snprintf(path, sizeof(path), "%lu", pid);
	kn = child_cmdline(procfd, path, kid, sizeof(kid));
	if (pasta_serves(argv, n, kid, kn, desc, sizeof(desc)) < 0)
		return 0;
	/* a PID it joins: its comm too, when it is there */
	if (sscanf(desc, "the network namespace of PID %lu", &tpid) == 1 &&
	    (size_t)snprintf(path, sizeof(path), "%lu/comm", tpid) <
	    sizeof(path) && read_small(procfd, path, comm, sizeof(comm))) {
		comm[strcspn(comm, "\n")] = '\0';
		n = strlen(desc);
		snprintf(desc + n, sizeof(desc) - n, " (%s)", comm);
	}
	(*npasta)++;
	return add_pasta(m, (int32_t)pid, desc);
}

int pasta_read(const char *proc_root, const struct host *h,
	       struct docker_map *m)
{
	unsigned int nproc = 0, npasta = 0;
	unsigned long pid;
	struct dirent *e;
	size_t i;
	int procfd, ret = 0;
	char end;
	DIR *d;

	procfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return 0;
	if (h) {
		/* only a pasta that holds a socket can name one: the
		 * owners the sockets reader found, no walk of /proc */
		for (i = 0; !ret && npasta < PASTA_MAX &&
		     i < h->nlisteners; i++) {
			const struct host_listener *l = &h->listeners[i];

			if (l->pid > 0 && l->comm && pasta_comm(l->comm) &&
			    !pasta_known(m, l->pid))
				ret = pasta_one(procfd, (unsigned long)l->pid,
						m, &npasta);
		}
		close(procfd);
		return ret;
	}
	d = fdopendir(procfd);
	if (!d) {
		close(procfd);
		return 0;
	}
	while (!ret && npasta < PASTA_MAX && nproc < PASTA_PROCS_MAX &&
	       (e = readdir(d))) {
		if (sscanf(e->d_name, "%lu%c", &pid, &end) != 1 ||
		    pid > INT32_MAX)
			continue;
		nproc++;
		ret = pasta_one(procfd, pid, m, &npasta);
	}
	closedir(d);
	return ret;
}
