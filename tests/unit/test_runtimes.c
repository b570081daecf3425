// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_runtimes.c - naming containers of every runtime from recorded API
 * answers: Podman's Docker-compatible /containers/json (its published
 * ports, held by conmon), LXD's /1.0/instances?recursion=2 (addresses,
 * proxy devices held by the lxd forkproxy), the merge of runtimes, the
 * port holders, the notes, and the snapshot file's record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <grp.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cni.h"
#include "host_read.h"
#include "libvirt.h"
#include "lxd.h"
#include "pasta.h"
#include "runtimes.h"
#include "unit.h"

/* podman 4.3.1, GET /containers/json?all=1 (trimmed of what is not read) */
static const char podman[] =
	"[{\"Id\":\"d12b8a007a97\",\"Names\":[\"/web\"],"
	"  \"Image\":\"localhost/bb:latest\","
	"  \"Ports\":[{\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"},"
	"           {\"PrivatePort\":53,\"PublicPort\":5353,\"Type\":\"udp\","
	"            \"IP\":\"198.51.100.1\"}],"
	"  \"State\":\"running\","
	"  \"NetworkSettings\":{\"Networks\":{\"podman\":{"
	"    \"IPAddress\":\"10.88.0.2\",\"GlobalIPv6Address\":\"\"}}}}]";

/* rootless podman 4.3.1 (slirp4netns, rootlessport), GET
 * /v1.41/containers/json as its user's service answered it (trimmed):
 * no address on the host, no IP in Ports */
static const char podman_rootless[] =
	"[{\"Id\":\"343a9a9f269c\",\"Names\":[\"/rl-web\"],"
	"  \"Image\":\"localhost/fwa-busybox:test\","
	"  \"Ports\":[{\"PrivatePort\":8081,\"PublicPort\":8081,\"Type\":\"tcp\"}],"
	"  \"State\":\"running\",\"NetworkSettings\":{\"Networks\":null}}]";

/* lxd 5.0.2, GET /1.0/instances?recursion=2 (trimmed) */
static const char lxd[] =
	"{\"type\":\"sync\",\"status\":\"Success\",\"status_code\":200,"
	" \"metadata\":[{\"name\":\"c1\",\"status\":\"Running\","
	"  \"config\":{\"image.description\":\"busybox\"},"
	"  \"expanded_devices\":{"
	"   \"web\":{\"type\":\"proxy\",\"listen\":\"tcp:0.0.0.0:8081,9000-9002\","
	"           \"connect\":\"tcp:127.0.0.1:80\"},"
	"   \"web6\":{\"type\":\"proxy\",\"listen\":\"tcp:[::]:8082\","
	"           \"connect\":\"tcp:[::1]:80\"},"
	"   \"sock\":{\"type\":\"proxy\",\"listen\":\"unix:/run/x\"},"
	"   \"bad\":{\"type\":\"proxy\",\"listen\":\"tcp:0.0.0.0:99999\"},"
	"   \"eth0\":{\"type\":\"nic\",\"network\":\"lxdbr0\"}},"
	"  \"state\":{\"network\":{"
	"   \"eth0\":{\"addresses\":["
	"    {\"family\":\"inet\",\"address\":\"10.10.0.5\",\"netmask\":\"24\","
	"     \"scope\":\"global\"},"
	"    {\"family\":\"inet6\",\"address\":\"fd42::5\",\"netmask\":\"64\","
	"     \"scope\":\"global\"},"
	"    {\"family\":\"inet6\",\"address\":\"fe80::5\",\"netmask\":\"64\","
	"     \"scope\":\"link\"}]},"
	"   \"lo\":{\"addresses\":[{\"family\":\"inet\","
	"     \"address\":\"127.0.0.1\",\"scope\":\"local\"}]}}}},"
	"  {\"name\":\"stopped\",\"status\":\"Stopped\",\"state\":null},"
	"  7]}";

static void test_podman(void)
{
	struct docker_map m = { 0 }, all = { 0 };
	const struct docker_container *c;
	const struct docker_port *p;

	CHECK_EQ(docker_parse(podman, strlen(podman), &m), 0);
	CHECK_EQ(m.n, 1);
	CHECK_EQ(m.nports, 2);
	CHECK_EQ(docker_map_take(&all, &m, DOCKER_RT_PODMAN), 0);
	CHECK_EQ(m.n, 0);
	c = docker_find(&all, AF_INET, 0x0a580002u);
	CHECK(c && !strcmp(c->name, "web") && c->runtime == DOCKER_RT_PODMAN);
	/* conmon holds 8080 on every address of both families */
	p = docker_find_port(&all, "conmon", 0, AF_INET6, IPPROTO_TCP, 0, 8080);
	CHECK(p && !strcmp(p->name, "web") && p->runtime == DOCKER_RT_PODMAN);
	CHECK(docker_find_port(&all, "conmon", 0, AF_INET, IPPROTO_TCP,
			       0xc6336401u, 8080));
	/* the host's own nginx on that port is not the container's */
	CHECK(!docker_find_port(&all, "nginx", 0, AF_INET, IPPROTO_TCP, 0, 8080));
	CHECK(!docker_find_port(&all, "conmon", 0, AF_INET, IPPROTO_UDP, 0, 8080));
	/* a port published on one address: not on another */
	CHECK(docker_find_port(&all, "conmon", 0, AF_INET, IPPROTO_UDP,
			       0xc6336401u, 5353));
	CHECK(!docker_find_port(&all, "conmon", 0, AF_INET, IPPROTO_UDP,
				0xc6336402u, 5353));
	docker_release(&all);
}

static void test_podman_rootless(void)
{
	struct docker_map m = { 0 };
	const struct docker_port *p;

	CHECK_EQ(docker_parse(podman_rootless, strlen(podman_rootless), &m),
		 0);
	/* no backend address to name, but rootlessport's port is named */
	CHECK_EQ(m.n, 0);
	CHECK_EQ(m.nports, 1);
	p = docker_find_port(&m, "rootlessport", 0, AF_INET6, IPPROTO_TCP, 0,
			     8081);
	CHECK(p && !strcmp(p->name, "rl-web") &&
	      !strcmp(p->image, "localhost/fwa-busybox:test"));
	CHECK(docker_find_port(&m, "slirp4netns", 0, AF_INET, IPPROTO_TCP, 0,
			       8081));
	CHECK(!docker_find_port(&m, "httpd", 0, AF_INET, IPPROTO_TCP, 0, 8081));
	docker_release(&m);
}

static void test_lxd(void)
{
	struct docker_map m = { 0 };
	const struct docker_container *c;
	const struct docker_port *p;

	CHECK_EQ(lxd_parse_instances(lxd, strlen(lxd), DOCKER_RT_LXD, &m), 0);
	/* global addresses only: not fe80::5, not 127.0.0.1 */
	CHECK_EQ(m.n, 2);
	c = docker_find(&m, AF_INET, 0x0a0a0005u);
	CHECK(c && !strcmp(c->name, "c1") && !strcmp(c->image, "busybox") &&
	      c->runtime == DOCKER_RT_LXD);
	CHECK(docker_find(&m, AF_INET6, ((unsigned __int128)0xfd42 << 112) | 5));
	CHECK(!docker_find(&m, AF_INET6, ((unsigned __int128)0xfe80 << 112) | 5));
	/* 8081, 9000-9002, [::]:8082; not the unix socket, not port 99999 */
	CHECK_EQ(m.nports, 3);
	p = docker_find_port(&m, "lxd", 0, AF_INET, IPPROTO_TCP, 0, 9001);
	CHECK(p && !strcmp(p->name, "c1") && p->port_lo == 9000 &&
	      p->port_hi == 9002);
	CHECK(!docker_find_port(&m, "lxd", 0, AF_INET, IPPROTO_TCP, 0, 8082));
	CHECK(docker_find_port(&m, "lxd", 0, AF_INET6, IPPROTO_TCP, 0, 8082));
	CHECK(docker_find_port(&m, "incusd", 0, AF_INET, IPPROTO_TCP, 0, 8081));
	docker_release(&m);

	CHECK_EQ(lxd_parse_instances("[]", 2, DOCKER_RT_LXD, &m), -EBADMSG);
	CHECK_EQ(lxd_parse_instances("{\"metadata\":{}}", 15, DOCKER_RT_LXD,
				     &m), -EBADMSG);
	CHECK_EQ(lxd_parse_instances("{", 1, DOCKER_RT_LXD, &m), -EBADMSG);
	/* an absent socket is no connection attempt, and no error for people */
	CHECK_EQ(lxd_read("/nonexistent/unix.socket", DOCKER_RT_LXD, &m),
		 -ENOENT);
	CHECK_EQ(m.n, 0);
}

static void test_notes_and_snapshot(void)
{
	struct docker_map m = { 0 }, back = { 0 };
	struct strbuf b = STRBUF_INIT;
	json_t *ports, *errors;
	char err[128], *s;

	CHECK_EQ(lxd_parse_instances(lxd, strlen(lxd), DOCKER_RT_INCUS, &m), 0);
	m.error[DOCKER_RT_DOCKER] = -ENOENT;
	m.error[DOCKER_RT_PODMAN] = -ETIMEDOUT;
	CHECK_EQ(runtimes_notes(&m, &b), 1);
	s = strbuf_take(&b);
	CHECK(s && !strcmp(s, "podman did not answer (Connection timed out): "
			   "its containers are not named\n"));
	free(s);

	ports = runtimes_ports_json(&m);
	errors = runtimes_errors_json(&m);
	CHECK(ports && errors);
	CHECK_EQ(runtimes_from_json(ports, errors, &back, err, sizeof(err)), 0);
	CHECK_EQ(back.nports, 3);
	CHECK_EQ(back.error[DOCKER_RT_PODMAN], -ETIMEDOUT);
	CHECK(back.ports[1].runtime == DOCKER_RT_INCUS &&
	      back.ports[1].port_hi == 9002 && back.ports[2].family == AF_INET6);
	docker_release(&back);
	json_decref(ports);
	json_decref(errors);

	ports = json_pack("[{s:i,s:s,s:i,s:i,s:i,s:s,s:s,s:s}]", "family", 4,
			  "addr", "0.0.0.0", "protocol", 6, "first", 90,
			  "last", 80, "name", "x", "image", "", "runtime",
			  "lxd");
	CHECK_EQ(runtimes_from_json(ports, NULL, &back, err, sizeof(err)),
		 -EBADMSG);
	json_decref(ports);
	errors = json_pack("{s:i}", "rkt", -110);
	CHECK_EQ(runtimes_from_json(NULL, errors, &back, err, sizeof(err)),
		 -EBADMSG);
	json_decref(errors);
	docker_release(&back);
	docker_release(&m);
}

/* whole answers recorded from the real runtimes in tests/netns/runtimes.sh's
 * setup: LXD 5.0.2 with a nat proxy device, two forkproxy devices (0.0.0.0
 * and [::]) and network forwards; rootful Podman 4.3.1 with -p 8080:80 */
static char *fixture(const char *name, size_t *len)
{
	const char *src = getenv("top_srcdir");
	char path[4096];
	char *buf;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/fixtures/runtimes/%s",
		 src ? src : ".", name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	buf = calloc(1, 1 << 20);
	*len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	return buf;
}

static void test_recorded(void)
{
	struct docker_map m = { 0 };
	const struct docker_port *p;
	char *s;
	size_t len;

	s = fixture("lxd-5.0.2-instances.json", &len);
	CHECK(s != NULL);
	CHECK_EQ(lxd_parse_instances(s, len, DOCKER_RT_LXD, &m), 0);
	/* 10.77.0.5, fd42:77::5 and the SLAAC address */
	CHECK_EQ(m.n, 3);
	CHECK(docker_find(&m, AF_INET, 0x0a4d0005u));
	CHECK(docker_find(&m, AF_INET6, ((unsigned __int128)0xfd420077 << 96) |
			  5));
	CHECK_EQ(m.nports, 3);
	/* the forkproxy of "tcp:0.0.0.0:8082" listens on [::]:8082 */
	p = docker_find_port(&m, "lxd", 0, AF_INET6, IPPROTO_TCP, 0, 8082);
	CHECK(p && !strcmp(p->name, "c1") && !strcmp(p->image, "busybox httpd"));
	docker_release(&m);
	free(s);

	s = fixture("podman-4.3.1-containers.json", &len);
	CHECK(s != NULL);
	CHECK_EQ(docker_parse(s, len, &m), 0);
	CHECK_EQ(m.n, 1);
	CHECK(docker_find(&m, AF_INET, 0x0a580002u));
	CHECK(docker_find_port(&m, "conmon", 0, AF_INET, IPPROTO_TCP, 0, 8080));
	docker_release(&m);
	free(s);
}

/* nerdctl, Kubernetes' CNI cache and libvirt: fixtures in the formats of
 * their sources (they do not run here), parsed, then read from a tree
 * laid out as on a host (FWAUDIT_STATE_ROOT) */
static void put(const char *dir, const char *name, const char *fixname)
{
	char path[4096], *buf;
	size_t len;
	FILE *f;

	buf = fixture(fixname, &len);
	snprintf(path, sizeof(path), "mkdir -p %s", dir);
	CHECK_EQ(system(path), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f && buf);
	if (f && buf)
		fwrite(buf, 1, len, f);
	if (f)
		fclose(f);
	free(buf);
}

/* In a child that may not read containerd's task directory nor libvirt's
 * state (fwauditd under its unit: a dynamic user with CAP_NET_ADMIN only):
 * 0 when the errors and the notes say so and what could be read is named. */
static int denied_child(void)
{
	struct strbuf b = STRBUF_INIT;
	struct docker_map m;
	char *s;
	int ok;

	if (geteuid() == 0 && (setgroups(0, NULL) < 0 ||
			       setresgid(65534, 65534, 65534) < 0 ||
			       setresuid(65534, 65534, 65534) < 0))
		return 2;
	if (runtimes_read(NULL, &m) < 0)
		return 3;
	runtimes_notes(&m, &b);
	s = strbuf_take(&b);
	/* nerdctl's own files are readable: their names are still there */
	ok = m.error[DOCKER_RT_NERDCTL] == -EACCES &&
	     m.error[DOCKER_RT_LIBVIRT] == -EACCES &&
	     docker_find(&m, AF_INET, 0x0af40004u) != NULL && s &&
	     strstr(s, "nerdctl's state could not be read (Permission "
		    "denied): its containers may not be named\n") &&
	     strstr(s, "libvirt's state could not be read");
	free(s);
	docker_release(&m);
	return ok ? 0 : 1;
}

static void test_denied(const char *root)
{
	char dir[512], task[512], qemu[512];
	int status = -1;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s", root);
	snprintf(task, sizeof(task), "%s/run/containerd/io.containerd."
		 "runtime.v2.task", root);
	snprintf(qemu, sizeof(qemu), "%s/run/libvirt/qemu", root);
	CHECK_EQ(chmod(dir, 0755), 0);
	CHECK_EQ(chmod(task, 0), 0);
	CHECK_EQ(chmod(qemu, 0), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(denied_child());
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(chmod(task, 0755), 0);
	CHECK_EQ(chmod(qemu, 0755), 0);
}

static void test_files(void)
{
	struct docker_map m = { 0 };
	const struct docker_container *c;
	struct libvirt_domain d;
	char root[] = "/tmp/test_runtimes.XXXXXX", dir[4096], *s;
	size_t len;

	s = fixture("nerdctl-meta.json", &len);
	CHECK_EQ(cni_parse_nerdctl(s, len, &m), 0);
	free(s);
	c = docker_find(&m, AF_INET, 0x0a040002u);
	CHECK(c && !strcmp(c->name, "fwa-nginx") &&
	      c->runtime == DOCKER_RT_NERDCTL);
	CHECK(docker_find(&m, AF_INET6, ((unsigned __int128)0xfd000004 << 96) | 2));
	s = fixture("cni-cache.json", &len);
	CHECK_EQ(cni_parse_cache(s, len, &m), 0);
	free(s);
	c = docker_find(&m, AF_INET, 0x0af40004u);
	CHECK(c && !strcmp(c->name, "default/web-7d4b9c6f5-x2k8q") &&
	      c->runtime == DOCKER_RT_CNI);
	CHECK_EQ(m.n, 3);
	s = "{\"kind\":\"other\",\"containerId\":\"x\"}";
	CHECK_EQ(cni_parse_cache(s, strlen(s), &m), -EBADMSG);
	s = "{\"Name\":\"x\"}";
	CHECK_EQ(cni_parse_nerdctl(s, strlen(s), &m), -EBADMSG);
	/* no name: the ID as docker ps shows it */
	s = "{\"ID\":\"0123456789abcdef\",\"Networks\":"
	    "{\"n\":{\"ips\":[{\"address\":\"10.4.0.9/24\"}]}}}";
	CHECK_EQ(cni_parse_nerdctl(s, strlen(s), &m), 0);
	c = docker_find(&m, AF_INET, 0x0a040009u);
	CHECK(c && !strcmp(c->name, "0123456789ab"));
	docker_release(&m);

	/* a running containerd task's spec: nerdctl's labels as annotations */
	s = fixture("nerdctl-task-config.json", &len);
	CHECK_EQ(cni_parse_task(s, len, &m), 0);
	free(s);
	c = docker_find(&m, AF_INET, 0x0a040007u);
	CHECK(c && !strcmp(c->name, "fwa-web") && !strcmp(c->image, "") &&
	      c->runtime == DOCKER_RT_NERDCTL);
	/* 8080/tcp on 0.0.0.0 and 5353/udp on one address; not port 0,
	 * not icmp */
	CHECK_EQ(m.nports, 2);
	CHECK(m.nports == 2 && m.ports[0].port_lo == 8080 &&
	      m.ports[0].proto == IPPROTO_TCP && m.ports[0].family == AF_INET &&
	      !m.ports[0].addr && !strcmp(m.ports[0].name, "fwa-web") &&
	      m.ports[0].runtime == DOCKER_RT_NERDCTL);
	CHECK(m.nports == 2 && m.ports[1].proto == IPPROTO_UDP &&
	      m.ports[1].addr == 0xc6336401u);
	/* a Kubernetes container's spec (no nerdctl/name): not ours */
	s = "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\"}}";
	CHECK_EQ(cni_parse_task(s, strlen(s), &m), -EBADMSG);
	s = "{\"annotations\":{\"nerdctl/name\":\"x\",\"nerdctl/ports\":\"[{\\\"HostPort\\\":\\\"8\\\"}\"}}";
	CHECK_EQ(cni_parse_task(s, strlen(s), &m), 0);
	CHECK_EQ(m.nports, 2);
	docker_release(&m);

	s = fixture("libvirt-vm1.xml", &len);
	CHECK_EQ(libvirt_parse_domain(s, len, &d), 0);
	free(s);
	CHECK_STR(d.name, "web&db");
	CHECK_EQ(d.nmacs, 2);
	CHECK_STR(d.macs[1], "52:54:00:6B:3C:59");
	s = fixture("libvirt-virbr0.status", &len);
	CHECK_EQ(libvirt_parse_leases(s, len, &d, 1, &m), 0);
	free(s);
	/* both leases of the domain (the MAC's case aside), not the other */
	CHECK_EQ(m.n, 2);
	c = docker_find(&m, AF_INET, 0xc0a87a2du);
	CHECK(c && !strcmp(c->name, "web&db") && c->runtime == DOCKER_RT_LIBVIRT);
	CHECK(!docker_find(&m, AF_INET, 0xc0a87a63u));
	s = "<domain><name></name>";
	CHECK_EQ(libvirt_parse_domain(s, strlen(s), &d), -EBADMSG);
	s = "<name>x</name>";
	CHECK_EQ(libvirt_parse_domain(s, strlen(s), &d), -EBADMSG);
	docker_release(&m);

	/* the same files where the runtimes keep them */
	CHECK(mkdtemp(root) != NULL);
	snprintf(dir, sizeof(dir), "%s/var/lib/nerdctl/1935db59/etchosts/default/"
		 "c4ed811cc361d26f", root);
	put(dir, "meta.json", "nerdctl-meta.json");
	snprintf(dir, sizeof(dir), "%s/var/lib/cni/results", root);
	put(dir, "cbr0-3f6940ab5ab4-eth0", "cni-cache.json");
	snprintf(dir, sizeof(dir), "%s/run/containerd/io.containerd.runtime.v2."
		 "task/default/0d1e2f3a4b5c", root);
	put(dir, "config.json", "nerdctl-task-config.json");
	snprintf(dir, sizeof(dir), "%s/run/libvirt/qemu", root);
	put(dir, "vm1.xml", "libvirt-vm1.xml");
	snprintf(dir, sizeof(dir), "%s/var/lib/libvirt/dnsmasq", root);
	put(dir, "virbr0.status", "libvirt-virbr0.status");
	CHECK_EQ(cni_read(root, &m), 0);
	CHECK_EQ(m.nports, 2);
	CHECK_EQ(libvirt_read(root, &m), 0);
	CHECK_EQ(m.n, 6);
	docker_release(&m);
	setenv("FWAUDIT_STATE_ROOT", root, 1);
	setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock", 1);
	setenv("CONTAINER_HOST", "unix:///nonexistent/podman.sock", 1);
	setenv("LXD_DIR", "/nonexistent", 1);
	setenv("INCUS_DIR", "/nonexistent", 1);
	CHECK_EQ(runtimes_read(NULL, &m), 0);
	CHECK_EQ(m.n, 6);
	/* the published ports too, as nerdctl's */
	CHECK(m.nports == 2 && m.ports[0].port_lo == 8080 &&
	      m.ports[0].runtime == DOCKER_RT_NERDCTL);
	c = docker_find(&m, AF_INET, 0x0af40004u);
	CHECK(c && c->runtime == DOCKER_RT_CNI);
	/* absent runtimes: no note */
	CHECK_EQ(m.error[DOCKER_RT_PODMAN], -ENOENT);
	docker_release(&m);
	test_denied(root);
	snprintf(dir, sizeof(dir), "rm -rf %s", root);
	CHECK_EQ(system(dir), 0);
	/* nothing there at all costs nothing */
	CHECK_EQ(cni_read("/nonexistent", &m), 0);
	CHECK_EQ(libvirt_read("/nonexistent", &m), 0);
	CHECK_EQ(m.n, 0);
}

/* a file under root, made with its directories */
static void put_str(const char *root, const char *name, const char *s,
		    size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "mkdir -p %s/%s && rmdir %s/%s", root,
		 name, root, name);
	CHECK_EQ(system(path), 0);
	snprintf(path, sizeof(path), "%s/%s", root, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fwrite(s, 1, len, f);
		fclose(f);
	}
}

#define ARGV(s) s, sizeof(s) - 1

static void test_pasta(void)
{
	char out[PASTA_DESC_MAX], small[16], root[] = "/tmp/test_pasta.XXXXXX";
	char cmd[4096];
	struct docker_map m = { 0 };
	const struct docker_port *p;
	struct host_listener *l;
	struct host *h;
	json_t *ports;
	size_t i;

	/* what pasta runs, as its child's command line */
	CHECK_EQ(pasta_serves(ARGV("pasta\0-f\0-t\08085\0--\0/bin/busybox\0"
				   "httpd\0"), ARGV("/bin/busybox\0httpd\0-f\0"),
			      out, sizeof(out)), 0);
	CHECK_STR(out, "command /bin/busybox httpd -f");
	/* a namespace it joins */
	CHECK_EQ(pasta_serves(ARGV("/usr/bin/pasta\0-t\08080\0--netns\0"
				   "/run/user/1000/netns/n1\0"), NULL, 0, out,
			      sizeof(out)), 0);
	CHECK_STR(out, "network namespace /run/user/1000/netns/n1");
	CHECK_EQ(pasta_serves(ARGV("pasta.avx2\0--netns=web\0-t\080\0"),
			      NULL, 0, out, sizeof(out)), 0);
	CHECK_STR(out, "network namespace web");
	CHECK_EQ(pasta_serves(ARGV("pasta\0-t\08080\0" "4242\0"), NULL, 0, out,
			      sizeof(out)), 0);
	CHECK_STR(out, "the network namespace of PID 4242");
	CHECK_EQ(pasta_serves(ARGV("pasta\0-ft\08080\0-q\0--mtu\0" "1500\0"
				   "--no-tcp\0" "4242\0"), NULL, 0, out,
			      sizeof(out)), 0);
	CHECK_STR(out, "the network namespace of PID 4242");
	/* an option's value is no PID, nor is a command's argument */
	CHECK_EQ(pasta_serves(ARGV("pasta\0-q\0-m\0" "1500\0"), NULL, 0, out,
			      sizeof(out)), -ENOENT);
	CHECK_EQ(pasta_serves(ARGV("pasta\0sleep\0" "1234\0"), NULL, 0, out,
			      sizeof(out)), -ENOENT);
	/* cut, with "..." */
	CHECK_EQ(pasta_serves(ARGV("pasta\0"), ARGV("sleep\0infinity\0"),
			      small, sizeof(small)), 0);
	CHECK_STR(small, "command slee...");
	/* not a pasta, or nothing that says what it serves: not named */
	strcpy(out, "x");
	CHECK_EQ(pasta_serves(ARGV("passt\0-t\08080\0"), NULL, 0, out,
			      sizeof(out)), -ENOENT);
	CHECK_EQ(pasta_serves(ARGV("pasta\0-t\08080\0"), NULL, 0, out,
			      sizeof(out)), -ENOENT);
	CHECK_EQ(pasta_serves(ARGV("pasta\0-t\08080\0--\0001234\0"), NULL, 0,
			      out, sizeof(out)), -ENOENT);
	CHECK_EQ(pasta_serves("pasta", 5, NULL, 0, out, sizeof(out)), -ENOENT);
	CHECK_EQ(pasta_serves(ARGV("pasta\0--netns\0"), NULL, 0, out,
			      sizeof(out)), -ENOENT);
	CHECK_EQ(pasta_serves(NULL, 0, NULL, 0, out, sizeof(out)), -ENOENT);
	CHECK_STR(out, "x");

	/* a /proc laid out: a pasta running a command (as passt.avx2), one
	 * joining PID 77, a passt, a process of another name */
	CHECK(mkdtemp(root) != NULL);
	put_str(root, "100/comm", "passt.avx2\n", 11);
	put_str(root, "100/cmdline", ARGV("pasta\0-t\08085\0--\0/bin/sh\0"));
	put_str(root, "100/task/100/children", "101 ", 4);
	put_str(root, "101/comm", "sh\n", 3);
	put_str(root, "101/cmdline", ARGV("/bin/sh\0-c\0httpd -p 8085\0"));
	put_str(root, "200/comm", "pasta\n", 6);
	put_str(root, "200/cmdline", ARGV("pasta\0-t\09000\0" "77\0"));
	put_str(root, "77/comm", "sleep\n", 6);
	put_str(root, "300/comm", "passt\n", 6);
	put_str(root, "300/cmdline", ARGV("passt\0-t\09001\0"));
	put_str(root, "400/comm", "httpd\n", 6);
	put_str(root, "400/cmdline", ARGV("pasta\0-t\09002\0--netns\0x\0"));
	put_str(root, "self", "", 0);
	CHECK_EQ(pasta_read(root, NULL, &m), 0);
	/* TCP and UDP of each pasta */
	CHECK_EQ(m.nports, 4);
	p = docker_find_port(&m, "passt.avx2", 100, AF_INET, IPPROTO_TCP, 0,
			     8085);
	CHECK(p && !strcmp(p->name, "command /bin/sh -c httpd -p 8085") &&
	      p->runtime == DOCKER_RT_PASTA && !docker_port_container(p));
	CHECK(docker_find_port(&m, "passt.avx2", 100, AF_INET6, IPPROTO_UDP,
			       0, 53));
	/* only the pasta that holds the socket */
	CHECK(!docker_find_port(&m, "passt.avx2", 101, AF_INET, IPPROTO_TCP,
				0, 8085));
	p = docker_find_port(&m, "pasta", 200, AF_INET, IPPROTO_TCP, 0, 9000);
	CHECK(p && !strcmp(p->name, "the network namespace of PID 77 (sleep)"));
	CHECK(!docker_find_port(&m, "pasta", 300, AF_INET, IPPROTO_TCP, 0,
				9001));
	/* the holder's pid goes to a snapshot file and back */
	ports = runtimes_ports_json(&m);
	docker_release(&m);
	CHECK(ports != NULL);
	CHECK_EQ(runtimes_from_json(ports, NULL, &m, cmd, sizeof(cmd)), 0);
	CHECK_EQ(m.nports, 4);
	for (i = 0; i < m.nports; i++)
		CHECK(m.ports[i].pid == 100 || m.ports[i].pid == 200);
	CHECK(docker_find_port(&m, "pasta", 200, AF_INET, IPPROTO_UDP,
			       0, 9000));
	json_decref(ports);
	docker_release(&m);
	ports = json_loads("[{\"family\":0,\"addr\":\"0.0.0.0\",\"protocol\":6,"
			   "\"first\":1,\"last\":2,\"name\":\"n\",\"image\":\"\","
			   "\"runtime\":\"pasta\",\"pid\":-1}]", 0, NULL);
	CHECK_EQ(runtimes_from_json(ports, NULL, &m, cmd, sizeof(cmd)),
		 -EBADMSG);
	json_decref(ports);
	docker_release(&m);
	/* with the host: only the pastas owning its sockets are read (pasta
	 * 200 holds none here), each once though it holds two */
	h = host_new();
	CHECK(h != NULL);
	for (i = 0; h && i < 3; i++) {
		l = host_array_add((void **)&h->listeners, &h->nlisteners,
				   sizeof(*l), 16);
		CHECK(l != NULL);
		if (!l)
			break;
		l->pid = i < 2 ? 100 : 400;
		l->comm = strdup(i < 2 ? "passt.avx2" : "httpd");
	}
	CHECK_EQ(pasta_read(root, h, &m), 0);
	CHECK_EQ(m.nports, 2);
	CHECK(docker_find_port(&m, "passt.avx2", 100, AF_INET, IPPROTO_TCP,
			       0, 8085));
	CHECK(!docker_find_port(&m, "pasta", 200, AF_INET, IPPROTO_TCP, 0,
				9000));
	docker_release(&m);
	host_free(h);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK_EQ(system(cmd), 0);
	/* no /proc at all */
	CHECK_EQ(pasta_read("/nonexistent", NULL, &m), 0);
	CHECK_EQ(m.nports, 0);
}

int main(void)
{
	test_recorded();
	test_files();
	test_podman();
	test_podman_rootless();
	test_lxd();
	test_notes_and_snapshot();
	test_pasta();
	return unit_done();
}
