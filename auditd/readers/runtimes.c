// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runtimes.c - every runtime's containers into one map.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "cni.h"
#include "host.h"
#include "libvirt.h"
#include "lxd.h"
#include "pasta.h"
#include "runtimes.h"
#include "sandbox.h"

/* $VAR when it is unix://PATH, else NULL. */
static const char *unix_env(const char *var)
{
	const char *h = secure_getenv(var);

	return h && !strncmp(h, "unix://", 7) && h[7] ? h + 7 : NULL;
}

/* $VAR/unix.socket into buf when $VAR is set, else dflt. */
static const char *dir_env(const char *var, const char *dflt, char *buf,
			   size_t len)
{
	const char *d = secure_getenv(var);

	if (d && *d && (size_t)snprintf(buf, len, "%s/unix.socket", d) < len)
		return buf;
	return dflt;
}

/* Read one runtime's socket (docker-compatible or LXD-like) and merge it
 * into out; the first error of a runtime other than "absent" is kept. */
static int read_one(struct docker_map *out, uint8_t rt, const char *sock,
		    bool lxd)
{
	struct docker_map m;
	int ret;

	ret = lxd ? lxd_read(sock, rt, &m) : docker_read(sock, &m);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0) {
		if (!out->error[rt] || out->error[rt] == -ENOENT)
			out->error[rt] = ret;
		return 0;
	}
	if (out->error[rt] == -ENOENT)
		out->error[rt] = 0;
	ret = docker_map_take(out, &m, rt);
	docker_release(&m);
	return ret == -E2BIG ? 0 : ret;
}

/* Files of runtimes without an API: what they name goes to out with the
 * runtime each entry says (nerdctl and cni share one reader). */
static int read_files(struct docker_map *out, uint8_t rt, const char *root,
		      int (*fn)(const char *, struct docker_map *))
{
	struct docker_map m;
	size_t i;
	int ret;

	memset(&m, 0, sizeof(m));
	ret = fn(root, &m);
	if (ret == -E2BIG)
		ret = 0;
	for (i = 0; !ret && i < m.n; i++)
		ret = docker_add(out, m.c[i].runtime, m.c[i].family,
				 m.c[i].addr, m.c[i].name, m.c[i].image);
	for (i = 0; !ret && i < m.nports; i++)
		ret = docker_add_port(out, &m.ports[i]);
	if (ret == -E2BIG)
		ret = 0;
	if (!ret && (m.n || m.nports))
		out->error[rt] = 0;
	/* a directory it may not read: names may be missing, found or not */
	if (!ret && m.error[rt])
		out->error[rt] = m.error[rt];
	docker_release(&m);
	return ret;
}

/* Each user's rootless Podman service and rootless dockerd: their
 * containers publish through userspace (rootlessport, pasta; rootlesskit's
 * builtin port driver or slirp4netns), listeners of that user's processes.
 * podman: without $CONTAINER_HOST; docker: without $DOCKER_HOST (either
 * names the one socket the user means). */
static int read_rootless(struct docker_map *out, bool podman, bool docker)
{
	char path[256];
	struct dirent *e;
	unsigned int n = 0;
	DIR *d;
	int ret = 0;

	d = opendir("/run/user");
	if (!d)
		return 0;
	while (!ret && n < RUNTIMES_USERS_MAX && (e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		n++;
		if (podman && (size_t)snprintf(path, sizeof(path),
				     "/run/user/%s/podman/podman.sock",
				     e->d_name) < sizeof(path))
			ret = read_one(out, DOCKER_RT_PODMAN, path, false);
		/* dockerd-rootless.sh: $XDG_RUNTIME_DIR/docker.sock */
		if (!ret && docker && (size_t)snprintf(path, sizeof(path),
				     "/run/user/%s/docker.sock",
				     e->d_name) < sizeof(path))
			ret = read_one(out, DOCKER_RT_DOCKER, path, false);
	}
	closedir(d);
	return ret;
}

int runtimes_read(const struct host *h, struct docker_map *out)
{
	struct docker_map m;
	char lxd[256], incus[256];
	const char *s;
	int ret, i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < DOCKER_RT_N; i++)
		m.error[i] = -ENOENT;
	ret = read_one(&m, DOCKER_RT_DOCKER, docker_socket_path(), false);
	s = unix_env("CONTAINER_HOST");
	if (!ret)
		ret = read_one(&m, DOCKER_RT_PODMAN, s ? s :
			       "/run/podman/podman.sock", false);
	if (!ret)
		ret = read_rootless(&m, !s, !secure_getenv("DOCKER_HOST"));
	s = dir_env("LXD_DIR", "/var/lib/lxd/unix.socket", lxd, sizeof(lxd));
	if (!ret)
		ret = read_one(&m, DOCKER_RT_LXD, s, true);
	if (!ret && s != lxd)
		ret = read_one(&m, DOCKER_RT_LXD,
			       "/var/snap/lxd/common/lxd/unix.socket", true);
	s = dir_env("INCUS_DIR", "/var/lib/incus/unix.socket", incus,
		    sizeof(incus));
	if (!ret)
		ret = read_one(&m, DOCKER_RT_INCUS, s, true);
	/* the runtimes without an API of their own: their files, under
	 * $FWAUDIT_STATE_ROOT when set (another host's copy) */
	s = secure_getenv("FWAUDIT_STATE_ROOT");
	if (!ret)
		ret = read_files(&m, DOCKER_RT_NERDCTL, s ? s : "", cni_read);
	if (!ret)
		ret = read_files(&m, DOCKER_RT_LIBVIRT, s ? s : "", libvirt_read);
	/* users' pastas: what their host ports forward to (no container) */
	if (!ret) {
		char proc[4096];

		/* (another host's copy: its /proc under the root, if any) */
		if (!s || (size_t)snprintf(proc, sizeof(proc), "%s/proc", s) >=
			  sizeof(proc))
			strcpy(proc, "/proc");
		ret = pasta_read(proc, s ? NULL : h, &m);
	}
	if (ret == -E2BIG)
		ret = 0;
	if (ret < 0) {
		docker_release(&m);
		return ret;
	}
	*out = m;
	return 0;
}

/* sandbox_read() or sandbox_read_lxd() of one socket into l: only
 * -ENOMEM ends the list (a runtime absent or not answering has no
 * container to add, its note is runtimes_notes()'; past SANDBOX_MAX the
 * first ones are kept). */
static int sandboxes_of(struct sandbox_list *l, uint8_t rt, const char *sock,
			bool lxd)
{
	int ret = lxd ? sandbox_read_lxd(sock, rt, l) :
			sandbox_read(sock, rt, l);

	return ret == -ENOMEM ? ret : 0;
}

int runtimes_sandboxes(struct sandbox_list *out)
{
	struct sandbox_list l = { 0, NULL };
	char lxd[256], incus[256];
	const char *s, *dk = docker_socket_path();
	int ret;

	ret = sandboxes_of(&l, DOCKER_RT_DOCKER, dk, false);
	/* rootful Podman only: a rootless one's netavark runs in the
	 * user's rootless network namespace, where no host link is (Podman
	 * 4.3 makes the network, and `podman run` on it fails with
	 * "netavark: Netlink error: No such device"), so its users' sockets
	 * are not asked */
	s = unix_env("CONTAINER_HOST");
	if (!s)
		s = "/run/podman/podman.sock";
	/* one socket named twice (podman-docker's docker.sock) once */
	if (!ret && strcmp(s, dk))
		ret = sandboxes_of(&l, DOCKER_RT_PODMAN, s, false);
	s = dir_env("LXD_DIR", "/var/lib/lxd/unix.socket", lxd, sizeof(lxd));
	if (!ret)
		ret = sandboxes_of(&l, DOCKER_RT_LXD, s, true);
	if (!ret && s != lxd)
		ret = sandboxes_of(&l, DOCKER_RT_LXD,
				   "/var/snap/lxd/common/lxd/unix.socket",
				   true);
	s = dir_env("INCUS_DIR", "/var/lib/incus/unix.socket", incus,
		    sizeof(incus));
	if (!ret)
		ret = sandboxes_of(&l, DOCKER_RT_INCUS, s, true);
	if (ret < 0) {
		sandbox_release(&l);
		return ret;
	}
	sandbox_sort(&l);
	*out = l;
	return 0;
}

size_t runtimes_notes(const struct docker_map *m, struct strbuf *b)
{
	size_t n = 0;
	int i;

	for (i = 0; i < DOCKER_RT_N; i++) {
		if (!m->error[i] || m->error[i] == -ENOENT)
			continue;
		if (m->error[i] == -EACCES || m->error[i] == -EPERM)
			strbuf_addf(b, "%s's state could not be read (%s): its "
				    "containers may not be named\n",
				    docker_runtime_name((unsigned)i),
				    strerror(-m->error[i]));
		else
			strbuf_addf(b, "%s did not answer (%s): its containers "
				    "are not named\n",
				    docker_runtime_name((unsigned)i),
				    strerror(-m->error[i]));
		n++;
	}
	return n;
}

json_t *runtimes_ports_json(const struct docker_map *m)
{
	char addr[INET6_ADDRSTRLEN];
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < m->nports; i++) {
		const struct docker_port *p = &m->ports[i];

		json_t *o;

		host_addr_str(p->family ? p->family : AF_INET, p->addr, addr,
			      sizeof(addr));
		o = json_pack("{s:i,s:s,s:i,s:i,s:i,s:s,s:s,s:s}",
				"family", p->family == AF_INET6 ? 6 :
					  p->family == AF_INET ? 4 : 0,
				"addr", addr, "protocol", p->proto,
				"first", p->port_lo, "last", p->port_hi,
				"name", p->name, "image", p->image,
				"runtime", docker_runtime_name(p->runtime));
		/* the one holder (a pasta): absent for the others */
		if (o && p->pid &&
		    json_object_set_new(o, "pid", json_integer(p->pid)))
			o = (json_decref(o), NULL);
		if (json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *runtimes_errors_json(const struct docker_map *m)
{
	json_t *o = json_object();
	int i;

	/* absent runtimes (-ENOENT) are the common case: not recorded */
	for (i = 0; o && i < DOCKER_RT_N; i++)
		if (m->error[i] && m->error[i] != -ENOENT &&
		    json_object_set_new(o,
				docker_runtime_name((unsigned int)i),
				json_integer(m->error[i]))) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static int bad(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return -EBADMSG;
}

int runtimes_from_json(const json_t *ports, const json_t *errors,
		       struct docker_map *m, char *err, size_t errlen)
{
	const char *key, *addr, *rt;
	struct docker_port p;
	json_int_t fam, lo, hi, proto, pid;
	json_t *v;
	size_t i;
	int r, ret;

	if (ports && !json_is_array(ports))
		return bad(err, errlen, "docker.ports: not an array");
	if (errors && !json_is_object(errors))
		return bad(err, errlen, "docker.errors: not an object");
	json_object_foreach((json_t *)errors, key, v) {
		r = docker_runtime_parse(key);
		if (r < 0 || !json_is_integer(v) ||
		    json_integer_value(v) > 0 || json_integer_value(v) < -4095)
			return bad(err, errlen, "docker.errors: not a runtime's "
				   "error number");
		m->error[r] = (int)json_integer_value(v);
	}
	json_array_foreach((json_t *)ports, i, v) {
		memset(&p, 0, sizeof(p));
		pid = 0;
		if (json_unpack((json_t *)v,
				"{s:I,s:s,s:I,s:I,s:I,s:s,s:s,s:s,s?I!}",
				"family", &fam, "addr", &addr,
				"protocol", &proto, "first", &lo, "last", &hi,
				"name", &p.name, "image", &p.image,
				"runtime", &rt, "pid", &pid) ||
		    pid < 0 || pid > INT32_MAX ||
		    (fam != 0 && fam != 4 && fam != 6) ||
		    (proto != IPPROTO_TCP && proto != IPPROTO_UDP &&
		     proto != IPPROTO_SCTP) || lo < 1 || hi > 65535 ||
		    lo > hi || (r = docker_runtime_parse(rt)) < 0 ||
		    host_addr_parse(fam == 6 ? AF_INET6 : AF_INET, addr,
				    &p.addr) < 0 || (!fam && p.addr))
			return bad(err, errlen, "docker.ports: not a published "
				   "port");
		p.family = fam == 6 ? AF_INET6 : fam == 4 ? AF_INET : 0;
		p.proto = (uint8_t)proto;
		p.port_lo = (uint16_t)lo;
		p.port_hi = (uint16_t)hi;
		p.runtime = (uint8_t)r;
		p.pid = (int32_t)pid;
		ret = docker_add_port(m, &p);
		if (ret < 0)
			return ret;
	}
	return 0;
}
