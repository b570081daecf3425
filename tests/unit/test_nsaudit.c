// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nsaudit.c - containers on ipvlan (and macvlan) links audited in
 * their own namespace (auditd/policy/nsaudit.c) on hand-made hosts: the
 * rows named by the container, on the parent link, at the container's
 * address; the host's rows and what points at them unchanged; links whose
 * parent is not the host's, or not among the audited interfaces, ignored;
 * and the Docker, Podman and LXD API answers that find those containers
 * (sandbox.c).  The
 * kernel here has no ipvlan: this is its test; tests/netns/macvlan.sh runs
 * macvlan with a real dockerd.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "host.h"
#include "host_read.h"	/* hosts built by hand */
#include "nsaudit.h"
#include "ruleset.h"
#include "fix.h"
#include "unit.h"

#define CT_ADDR	0xc6336432u	/* 198.51.100.50 */

static void link_add(struct host *h, int ifindex, const char *name,
		     const char *kind, int parent)
{
	struct host_link *l;

	l = host_array_add((void **)&h->links, &h->nlinks, sizeof(*l), 16);
	l->ifindex = ifindex;
	strcpy(l->name, name);
	strcpy(l->kind, kind);
	l->parent = parent;
	l->up = true;
	l->loopback = ifindex == 1;
}

static void route_add(struct host *h, unsigned char table,
		      unsigned char type, rs_u128 dst, uint8_t len, int oif,
		      rs_u128 gw)
{
	struct host_route *r;

	r = host_array_add((void **)&h->routes, &h->nroutes, sizeof(*r), 16);
	r->family = AF_INET;
	r->table = table;
	r->type = type;
	r->dst = dst;
	r->dst_len = len;
	r->nnexthops = 1;
	r->nexthops = calloc(1, sizeof(*r->nexthops));
	r->nexthops[0].oif = oif;
	if (gw) {
		r->nexthops[0].gw_family = AF_INET;
		r->nexthops[0].gateway = gw;
	}
}

/* The node: lo and eth1, where the container's link hangs. */
static struct host *node(void)
{
	struct host *h = host_new();

	link_add(h, 1, "lo", "", 0);
	link_add(h, 2, "eth1", "", 0);
	return h;
}

/* The container's namespace: eth0 of kind (parent: the node's ifindex
 * parent) with 198.51.100.50/24, a default route, httpd on tcp/80 and
 * tcp/81. */
static struct host *container(const char *kind, int parent)
{
	struct host *h = host_new();
	struct host_listener *s;
	struct host_addr *a;
	unsigned int port;

	link_add(h, 1, "lo", "", 0);
	link_add(h, 7, "eth0", kind, parent);
	a = host_array_add((void **)&h->addrs, &h->naddrs, sizeof(*a), 16);
	a->family = AF_INET;
	a->prefixlen = 24;
	a->scope = RT_SCOPE_UNIVERSE;
	a->ifindex = 7;
	a->addr = a->peer = CT_ADDR;
	a = host_array_add((void **)&h->addrs, &h->naddrs, sizeof(*a), 16);
	a->family = AF_INET;
	a->prefixlen = 8;
	a->scope = RT_SCOPE_HOST;
	a->ifindex = 1;
	a->addr = a->peer = 0x7f000001u;
	route_add(h, RT_TABLE_LOCAL, RTN_LOCAL, CT_ADDR, 32, 7, 0);
	route_add(h, RT_TABLE_MAIN, RTN_UNICAST, CT_ADDR & 0xffffff00u, 24, 7,
		  0);
	route_add(h, RT_TABLE_MAIN, RTN_UNICAST, 0, 0, 7, 0xc6336401u);
	for (port = 80; port <= 81; port++) {
		s = host_array_add((void **)&h->listeners, &h->nlisteners,
				   sizeof(*s), 16);
		s->family = AF_INET;
		s->protocol = IPPROTO_TCP;
		s->port = (uint16_t)port;
		s->pid = 4242;
		s->comm = strdup("httpd");
	}
	return h;
}

/* input: policy drop, tcp dport 80 accept (its own rules). */
static struct ruleset *rules(void)
{
	struct ruleset *rs = ruleset_new();
	struct rs_chain *c = ruleset_add_chain(rs, RS_ORIGIN_NFT, NFPROTO_INET,
					       "ctr", "input");
	struct rs_rule *r;

	c->base = true;
	c->hook = NF_INET_LOCAL_IN;
	c->policy = RS_V_DROP;
	c->type = strdup("filter");
	r = rs_chain_add_rule(c);
	rs_match_set_range(rs_rule_add_match(r), RS_F_L4PROTO, IPPROTO_TCP,
			   IPPROTO_TCP, false);
	rs_match_set_range(rs_rule_add_match(r), RS_F_DPORT, 80, 80, false);
	r->verdict.kind = RS_V_ACCEPT;
	return rs;
}

/* A host report of one row, and a filtered listener pointing at it. */
static struct report *host_report(struct host_listener *l)
{
	struct report *rep = calloc(1, sizeof(*rep));

	rep->rows = calloc(2, sizeof(*rep->rows));
	rep->nrows = 1;
	rep->rows[0].family = NFPROTO_IPV4;
	rep->rows[0].proto = IPPROTO_TCP;
	rep->rows[0].port_lo = rep->rows[0].port_hi = 22;
	rep->filtered = calloc(1, sizeof(*rep->filtered));
	rep->nfiltered = 1;
	rep->filtered[0].listener = l;
	rep->filtered[0].dnat = &rep->rows[0];
	return rep;
}

static void fill(struct nsaudit_ns *ns, const char *kind, int parent)
{
	memset(ns, 0, sizeof(*ns));
	ns->sb.name = strdup("web");
	ns->sb.image = strdup("nginx:1");
	ns->sb.runtime = DOCKER_RT_DOCKER;
	ns->snap.rs = rules();
	ns->snap.host = container(kind, parent);
}

static void release(struct nsaudit_ns *ns)
{
	report_free(ns->report);
	engine_result_free(ns->engine);
	snapshot_release(&ns->snap);
	sandbox_clear(&ns->sb);
}

static void test_walk(const char *kind, const char *says)
{
	struct host_listener hl = { .family = AF_INET, .port = 8080 };
	struct host *h = node();
	struct report *rep = host_report(&hl);
	struct report_row *r;
	struct nsaudit_ns ns;
	char *addr;
	size_t i;

	fill(&ns, kind, 2);
	CHECK_EQ(nsaudit_walk(&ns, h, NULL, 0, NULL, rep), 1);
	/* the host's row first and as it was; what pointed at it follows */
	CHECK_EQ(rep->nrows, 2);
	CHECK_EQ(rep->rows[0].naddrs, 0);
	CHECK(rep->rows[0].inside == NULL);
	CHECK(rep->filtered[0].dnat == &rep->rows[0]);
	r = &rep->rows[1];
	CHECK_EQ(r->port_lo, 80);
	CHECK_EQ(r->port_hi, 80);
	CHECK_EQ(r->proto, IPPROTO_TCP);
	CHECK_EQ(r->state, ENGINE_EXPOSED);
	CHECK(!r->possible);
	/* at the container's address, on the parent link */
	addr = report_address_str(r);
	CHECK_STR(addr, "198.51.100.50");
	free(addr);
	CHECK_EQ(r->nifaces, 1);
	CHECK_STR(r->ifaces[0], "eth1");
	CHECK(r->listener && r->listener->port == 80);
	CHECK_STR(r->inside, "web");
	CHECK_STR(r->inside_image, "nginx:1");
	CHECK_STR(r->inside_runtime, "docker");
	CHECK_STR(r->inside_link, says);
	/* tcp/81 listens but its own rules drop it: no row */
	for (i = 1; i < rep->nrows; i++)
		CHECK(!(rep->rows[i].port_lo <= 81 &&
			81 <= rep->rows[i].port_hi));
	CHECK(rep->nnotes >= 1);
	CHECK(rep->nnotes && strstr(rep->notes[0], "container web: its ") &&
	      strstr(rep->notes[0], " link eth0 on eth1 (198.51.100.50)"));
	report_free(rep);
	release(&ns);
	host_free(h);
}

/* A link whose parent is not a link of the host, or a parent that is not
 * among the audited interfaces: nothing is added. */
static void test_not_ours(void)
{
	static const char *const only[] = { "eth9" };
	struct host_listener hl = { .family = AF_INET, .port = 8080 };
	struct host *h = node();
	struct report *rep = host_report(&hl);
	struct nsaudit_ns ns;

	fill(&ns, "ipvlan", 5);
	CHECK_EQ(nsaudit_walk(&ns, h, NULL, 0, NULL, rep), 0);
	release(&ns);
	fill(&ns, "ipvlan", 2);
	CHECK_EQ(nsaudit_walk(&ns, h, only, 1, NULL, rep), 0);
	release(&ns);
	fill(&ns, "veth", 2);
	CHECK_EQ(nsaudit_walk(&ns, h, NULL, 0, NULL, rep), 0);
	release(&ns);
	CHECK_EQ(rep->nrows, 1);
	CHECK_EQ(rep->nnotes, 0);
	report_free(rep);
	host_free(h);
}

static void test_parse(void)
{
	static const char nets[] =
		"[{\"Id\":\"aa\",\"Driver\":\"bridge\"},"
		"{\"Id\":\"bb\",\"Driver\":\"ipvlan\"}]";
	static const char ipv[] =
		"{\"Name\":\"/web\",\"Config\":{\"Image\":\"nginx:1\"},"
		"\"State\":{\"Running\":true,\"Pid\":321},"
		"\"NetworkSettings\":{\"SandboxKey\":\"/var/run/docker/netns/x\","
		"\"Networks\":{\"b\":{\"NetworkID\":\"aa\"},"
		"\"v\":{\"NetworkID\":\"bb\"}}}}";
	static const char br[] =
		"{\"Name\":\"/db\",\"State\":{\"Running\":true,\"Pid\":3},"
		"\"NetworkSettings\":{\"Networks\":{\"b\":{\"NetworkID\":\"aa\"}}}}";
	static const char stopped[] =
		"{\"Name\":\"/web\",\"State\":{\"Running\":false,\"Pid\":0},"
		"\"NetworkSettings\":{\"Networks\":{\"v\":{\"NetworkID\":\"bb\"}}}}";
	struct sandbox s;

	CHECK_EQ(sandbox_parse(ipv, strlen(ipv), nets, strlen(nets), &s), 1);
	CHECK_STR(s.name, "web");
	CHECK_STR(s.image, "nginx:1");
	CHECK_STR(s.key, "/var/run/docker/netns/x");
	CHECK_EQ(s.pid, 321);
	CHECK_EQ(s.nbypass, 1);
	CHECK_STR(s.driver, "ipvlan");
	sandbox_clear(&s);
	CHECK_EQ(sandbox_parse(br, strlen(br), nets, strlen(nets), &s), 0);
	CHECK_EQ(sandbox_parse(stopped, strlen(stopped), nets, strlen(nets),
			       &s), 0);
	CHECK_EQ(sandbox_parse("[]", 2, nets, strlen(nets), &s), -EBADMSG);
	CHECK_EQ(sandbox_parse("{\"Name\":1}", 10, nets, strlen(nets), &s),
		 -EBADMSG);
	CHECK_EQ(sandbox_parse(ipv, strlen(ipv), "{", 1, &s), -EBADMSG);
}

/* A snapshot file's container namespaces (nsaudit_replay()): one that
 * could not be read then is the live audit's note, word for word, in its
 * place; one read then is walked as the live audit walks it. */
static void test_replay(void)
{
	struct host_listener hl = { .family = AF_INET, .port = 8080 };
	struct snapshot snap = { .rs = NULL };
	struct report *rep = host_report(&hl);
	struct nsaudit *a = NULL;
	struct nsaudit_ns ns;

	snap.host = node();
	snap.netns = calloc(2, sizeof(*snap.netns));
	CHECK(snap.netns != NULL);
	if (!snap.netns)
		return;
	snap.nnetns = 2;
	snap.netns[0].name = strdup("mv-gone");
	snap.netns[0].image = strdup("");
	strcpy(snap.netns[0].driver, "ipvlan");
	snap.netns[0].error = -EACCES;
	snap.netns[0].why = strdup("entering its namespace");
	fill(&ns, "macvlan", 2);
	snap.netns[1].name = strdup("web");
	snap.netns[1].image = strdup("nginx:1");
	strcpy(snap.netns[1].driver, "macvlan");
	snap.netns[1].snap = ns.snap;
	memset(&ns.snap, 0, sizeof(ns.snap));
	release(&ns);
	CHECK_EQ(nsaudit_replay(&snap, NULL, 0, NULL, rep, &a), 0);
	/* both kept in their order (explain --to looks addresses up in
	 * them), the unread one with its error */
	CHECK(a != NULL && a->n == 2);
	if (a && a->n == 2) {
		CHECK_EQ(a->ns[0].error, -EACCES);
		CHECK_EQ(a->ns[1].error, 0);
	}
	CHECK(rep->nnotes >= 2);
	if (rep->nnotes >= 2) {
		CHECK_STR(rep->notes[0], "container mv-gone (ipvlan): "
			  "entering its namespace: Permission denied: "
			  "packets to it pass no netfilter of this host and "
			  "were not audited");
		CHECK(strstr(rep->notes[1], "container web: its macvlan "
			     "link eth0 on eth1") != NULL);
	}
	CHECK_EQ(rep->nrows, 2);
	if (rep->nrows == 2) {
		CHECK_STR(rep->rows[1].inside, "web");
		CHECK_STR(rep->rows[1].inside_link, "macvlan");
	}
	/* what the rows borrow moved to a */
	CHECK(snap.netns[1].name == NULL && snap.netns[1].snap.rs == NULL);
	report_free(rep);
	nsaudit_free(a);
	snapshot_release(&snap);
}

/* Podman 4's answers name the network where Docker puts its id. */
static void test_parse_podman(void)
{
	static const char nets[] =
		"[{\"Name\":\"podman\",\"Id\":\"2f25\",\"Driver\":\"bridge\"},"
		"{\"Name\":\"fwa-mv\",\"Id\":\"3e37\",\"Driver\":\"macvlan\"}]";
	static const char mv[] =
		"{\"Name\":\"/mv1\",\"Config\":{\"Image\":\"localhost/bb:1\"},"
		"\"State\":{\"Running\":true,\"Pid\":31026},"
		"\"NetworkSettings\":{\"SandboxKey\":\"/run/netns/netns-7337\","
		"\"Networks\":{\"fwa-mv\":{\"NetworkID\":\"fwa-mv\"}}}}";
	static const char br[] =
		"{\"Name\":\"/db\",\"State\":{\"Running\":true,\"Pid\":3},"
		"\"NetworkSettings\":{\"Networks\":{\"podman\":"
		"{\"NetworkID\":\"podman\"}}}}";
	struct sandbox s;

	CHECK_EQ(sandbox_parse(mv, strlen(mv), nets, strlen(nets), &s), 1);
	CHECK_STR(s.name, "mv1");
	CHECK_STR(s.image, "localhost/bb:1");
	CHECK_STR(s.key, "/run/netns/netns-7337");
	CHECK_EQ(s.pid, 31026);
	CHECK_STR(s.driver, "macvlan");
	sandbox_clear(&s);
	CHECK_EQ(sandbox_parse(br, strlen(br), nets, strlen(nets), &s), 0);
}

/* LXD's instances: a nic of nictype macvlan or ipvlan, or one on a
 * managed network of type macvlan; not a bridged nic, a stopped instance
 * or a virtual machine. */
static void test_parse_lxd(void)
{
	static const char nets[] =
		"{\"metadata\":[{\"name\":\"lxdbr0\",\"type\":\"bridge\"},"
		"{\"name\":\"fwa-mv\",\"type\":\"macvlan\"}]}";
	static const char nictype[] =
		"{\"name\":\"m1\",\"type\":\"container\",\"status\":\"Running\","
		"\"config\":{\"image.description\":\"busybox httpd\"},"
		"\"expanded_devices\":{\"eth0\":{\"type\":\"nic\","
		"\"nictype\":\"ipvlan\",\"parent\":\"v0\"},"
		"\"root\":{\"type\":\"disk\",\"path\":\"/\"}}}";
	static const char managed[] =
		"{\"name\":\"m2\",\"type\":\"container\",\"status\":\"Running\","
		"\"expanded_devices\":{\"eth0\":{\"type\":\"nic\","
		"\"network\":\"fwa-mv\"}}}";
	static const char bridged[] =
		"{\"name\":\"c1\",\"type\":\"container\",\"status\":\"Running\","
		"\"expanded_devices\":{\"eth0\":{\"type\":\"nic\","
		"\"network\":\"lxdbr0\"},\"eth1\":{\"type\":\"nic\","
		"\"nictype\":\"bridged\",\"parent\":\"br0\"}}}";
	static const char stopped[] =
		"{\"name\":\"m3\",\"type\":\"container\",\"status\":\"Stopped\","
		"\"expanded_devices\":{\"eth0\":{\"type\":\"nic\","
		"\"nictype\":\"macvlan\"}}}";
	static const char vm[] =
		"{\"name\":\"v1\",\"type\":\"virtual-machine\","
		"\"status\":\"Running\",\"expanded_devices\":{\"eth0\":"
		"{\"type\":\"nic\",\"nictype\":\"macvlan\"}}}";
	struct sandbox s;

	CHECK_EQ(sandbox_lxd_parse(nictype, strlen(nictype), nets,
				   strlen(nets), DOCKER_RT_LXD, &s), 1);
	CHECK_STR(s.name, "m1");
	CHECK_STR(s.image, "busybox httpd");
	CHECK(s.key == NULL);
	CHECK_EQ(s.pid, 0);
	CHECK_EQ(s.runtime, DOCKER_RT_LXD);
	CHECK_STR(s.driver, "ipvlan");
	sandbox_clear(&s);
	CHECK_EQ(sandbox_lxd_parse(managed, strlen(managed), nets,
				   strlen(nets), DOCKER_RT_INCUS, &s), 1);
	CHECK_STR(s.name, "m2");
	CHECK_STR(s.image, "");
	CHECK_EQ(s.runtime, DOCKER_RT_INCUS);
	CHECK_STR(s.driver, "macvlan");
	sandbox_clear(&s);
	/* without the networks' answer a managed network is not known */
	CHECK_EQ(sandbox_lxd_parse(managed, strlen(managed), NULL, 0,
				   DOCKER_RT_LXD, &s), 0);
	CHECK_EQ(sandbox_lxd_parse(bridged, strlen(bridged), nets,
				   strlen(nets), DOCKER_RT_LXD, &s), 0);
	CHECK_EQ(sandbox_lxd_parse(stopped, strlen(stopped), nets,
				   strlen(nets), DOCKER_RT_LXD, &s), 0);
	CHECK_EQ(sandbox_lxd_parse(vm, strlen(vm), nets, strlen(nets),
				   DOCKER_RT_LXD, &s), 0);
	CHECK_EQ(sandbox_lxd_parse("{}", 2, nets, strlen(nets),
				   DOCKER_RT_LXD, &s), -EBADMSG);
	CHECK_EQ(sandbox_lxd_parse("[", 1, nets, strlen(nets),
				   DOCKER_RT_LXD, &s), -EBADMSG);
}

/* all-projects=true names each instance's project: kept when it is not
 * "default" (the CLI needs --project for it), and an instance whose
 * project could not go into a command unquoted is not taken. */
static void test_parse_lxd_project(void)
{
	static const char inst[] =
		"{\"name\":\"m1\",\"type\":\"container\",\"status\":\"Running\","
		"\"project\":\"%s\",\"expanded_devices\":{\"eth0\":"
		"{\"type\":\"nic\",\"nictype\":\"macvlan\"}}}";
	char buf[512];
	struct sandbox s;

	snprintf(buf, sizeof(buf), inst, "p2");
	CHECK_EQ(sandbox_lxd_parse(buf, strlen(buf), NULL, 0, DOCKER_RT_LXD,
				   &s), 1);
	CHECK_STR(s.name, "m1");
	CHECK_STR(s.project, "p2");
	sandbox_clear(&s);
	snprintf(buf, sizeof(buf), inst, "default");
	CHECK_EQ(sandbox_lxd_parse(buf, strlen(buf), NULL, 0, DOCKER_RT_LXD,
				   &s), 1);
	CHECK(s.project == NULL);
	sandbox_clear(&s);
	snprintf(buf, sizeof(buf), inst, "p2;reboot");
	CHECK_EQ(sandbox_lxd_parse(buf, strlen(buf), NULL, 0, DOCKER_RT_LXD,
				   &s), 0);
}

/* The commands that close a port inside an LXD or Incus instance find
 * its init through the CLI, which knows an instance of a project other
 * than "default" only with --project; Docker's through inspect. */
static void test_fix_project(void)
{
	struct rs_interval any = { 0, 0xffffffff };
	struct report_row row = {
		.family = NFPROTO_IPV4, .proto = IPPROTO_TCP,
		.port_lo = 8000, .port_hi = 8000, .nsources = 1,
		.sources = &any, .inside = (char *)"lx-p2",
		.inside_runtime = "lxd", .inside_project = (char *)"p2",
	};
	struct policy_part part = {
		.port_lo = 8000, .port_hi = 8000, .nsources = 1,
		.sources = &any,
	};
	static const char head[] = "nsenter -t \"$(lxc info lx-p2 --project "
		"p2 | awk '/^PID:/ { print $2 }')\" -n nft ";
	struct ruleset *rs = ruleset_new();
	struct fix *f = NULL;
	size_t i;

	CHECK_EQ(fix_suggest(rs, &row, &part, &f), 0);
	CHECK(f && f->ncmds == 3);
	for (i = 0; f && i < f->ncmds; i++)
		CHECK(!strncmp(f->cmds[i], head, strlen(head)));
	CHECK(f && f->ncmds == 3 && strstr(f->cmds[2], "tcp dport 8000 drop"));
	fix_free(f);
	row.inside_runtime = "incus";
	CHECK_EQ(fix_suggest(rs, &row, &part, &f), 0);
	CHECK(f && f->ncmds == 3 &&
	      strstr(f->cmds[0], "$(incus info lx-p2 --project p2 | awk"));
	fix_free(f);
	/* the default project: the command as before */
	row.inside_runtime = "lxd";
	row.inside_project = NULL;
	CHECK_EQ(fix_suggest(rs, &row, &part, &f), 0);
	CHECK(f && f->ncmds == 3 &&
	      strstr(f->cmds[0], "$(lxc info lx-p2 | awk") &&
	      !strstr(f->cmds[0], "--project"));
	fix_free(f);
	ruleset_free(rs);
}

int main(void)
{
	test_walk("ipvlan", "ipvlan");
	test_walk("ipvtap", "ipvlan");
	test_walk("macvlan", "macvlan");
	test_not_ours();
	test_parse();
	test_replay();

	test_parse_podman();
	test_parse_lxd();
	test_parse_lxd_project();
	test_fix_project();
	return unit_done();
}
