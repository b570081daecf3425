// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_tcf.c - ingress tc filters decoded from the messages the kernel
 * dumps (auditd/readers/tcf.c).  This machine's kernel has neither u32,
 * flower, matchall nor gact, so the messages are made here, attribute by
 * attribute as net/sched/cls_*.c and act_gact.c dump them, and fed both
 * to tcf_decode() and through a link recording to link_replay(); and a
 * link's parent in another namespace, through the same recording.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_gact.h>

#include <libmnl/libmnl.h>

#include "host.h"
#include "link.h"
#include "tcf.h"
#include "unit.h"

static char buf[8192];

/* A filter message of link ifindex: protocol (host order), prio, kind;
 * the caller adds TCA_OPTIONS. */
static struct nlmsghdr *msg(int ifindex, uint16_t proto, uint16_t prio,
			    const char *kind)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *t;

	nlh->nlmsg_type = RTM_NEWTFILTER;
	nlh->nlmsg_flags = NLM_F_MULTI;
	t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_handle = 1;
	t->tcm_parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
	t->tcm_info = TC_H_MAKE((uint32_t)prio << 16, htons(proto));
	if (kind)
		mnl_attr_put_strz(nlh, TCA_KIND, kind);
	return nlh;
}

/* One gact action (order 1..) with verdict v; prob: a random one. */
static void gact(struct nlmsghdr *nlh, uint16_t order, int v, bool prob)
{
	struct nlattr *a = mnl_attr_nest_start(nlh, order);
	struct nlattr *o;
	struct tc_gact g = { .action = v };

	mnl_attr_put_strz(nlh, TCA_ACT_KIND, "gact");
	o = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
	mnl_attr_put(nlh, TCA_GACT_PARMS, sizeof(g), &g);
	if (prob) {
		struct tc_gact_p p = { PGACT_NETRAND, 5000, TC_ACT_SHOT };

		mnl_attr_put(nlh, TCA_GACT_PROB, sizeof(p), &p);
	}
	mnl_attr_nest_end(nlh, o);
	mnl_attr_nest_end(nlh, a);
}

static void other_action(struct nlmsghdr *nlh, uint16_t order,
			 const char *kind)
{
	struct nlattr *a = mnl_attr_nest_start(nlh, order);
	struct nlattr *o;

	mnl_attr_put_strz(nlh, TCA_ACT_KIND, kind);
	o = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
	mnl_attr_nest_end(nlh, o);
	mnl_attr_nest_end(nlh, a);
}

/* u32 with keys (off, mask, val in host order), then one gact v. */
static struct nlmsghdr *u32(uint16_t proto, uint16_t prio, size_t n,
			    const uint32_t (*keys)[3], int v)
{
	struct nlmsghdr *nlh = msg(2, proto, prio, "u32");
	struct nlattr *opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	struct {
		struct tc_u32_sel sel;
		struct tc_u32_key k[8];
	} s;
	struct nlattr *act;
	size_t i;

	memset(&s, 0, sizeof(s));
	s.sel.flags = TC_U32_TERMINAL;
	s.sel.nkeys = (unsigned char)n;
	for (i = 0; i < n; i++) {
		s.k[i].off = (int)keys[i][0];
		s.k[i].mask = htonl(keys[i][1]);
		s.k[i].val = htonl(keys[i][2]);
	}
	mnl_attr_put(nlh, TCA_U32_SEL, sizeof(s.sel) + n * sizeof(s.k[0]), &s);
	act = mnl_attr_nest_start(nlh, TCA_U32_ACT);
	gact(nlh, 1, v, false);
	mnl_attr_nest_end(nlh, act);
	mnl_attr_nest_end(nlh, opts);
	return nlh;
}

static void test_u32(void)
{
	static const uint32_t src8[][3] = { { 12, 0xff000000, 0x0a000000 } };
	static const uint32_t dst_tcp[][3] = {
		{ 16, 0xffffffff, 0xc6336401 },	/* 198.51.100.1 */
		{ 8, 0x00ff0000, 0x00060000 },	/* protocol 6 */
	};
	static const uint32_t dport[][3] = { { 20, 0x0000ffff, 22 } };
	static const uint32_t v6src[][3] = {
		{ 8, 0xffffffff, 0x20010db8 },
		{ 12, 0xffff0000, 0x00010000 },	/* 2001:db8:1::/48 */
	};
	static const uint32_t notprefix[][3] = { { 12, 0xff00ff00, 0x0a000100 } };
	struct host_tcf f;

	CHECK_EQ(tcf_decode(u32(ETH_P_IP, 10, 1, src8, TC_ACT_SHOT), &f), 1);
	CHECK(f.decoded);
	CHECK_EQ(f.ifindex, 2);
	CHECK_EQ(f.prio, 10);
	CHECK_EQ(f.protocol, ETH_P_IP);
	CHECK_EQ(f.family, NFPROTO_IPV4);
	CHECK_EQ(f.action, HOST_TCF_DROP);
	CHECK(f.saddr.lo == 0x0a000000 && f.saddr.hi == 0x0affffff);
	CHECK(f.daddr.lo == 0 && f.daddr.hi == 0xffffffff);
	CHECK_EQ(f.ip_proto, 0);

	CHECK_EQ(tcf_decode(u32(ETH_P_IP, 1, 2, dst_tcp, TC_ACT_OK), &f), 1);
	CHECK(f.decoded);
	CHECK_EQ(f.action, HOST_TCF_PASS);
	CHECK_EQ(f.ip_proto, 6);
	CHECK(f.daddr.lo == 0xc6336401 && f.daddr.hi == 0xc6336401);

	/* tc's "match ip dport" assumes a header without options */
	CHECK_EQ(tcf_decode(u32(ETH_P_IP, 1, 1, dport, TC_ACT_SHOT), &f), 1);
	CHECK(!f.decoded);
	CHECK(f.why && strstr(f.why, "addresses"));

	CHECK_EQ(tcf_decode(u32(ETH_P_IPV6, 3, 2, v6src, TC_ACT_UNSPEC), &f),
		 1);
	CHECK(f.decoded);
	CHECK_EQ(f.family, NFPROTO_IPV6);
	CHECK_EQ(f.action, HOST_TCF_CONTINUE);
	CHECK(f.saddr.lo == (rs_u128)0x20010db800010000ull << 64);
	CHECK(f.saddr.hi == ((rs_u128)0x20010db80001ffffull << 64 |
			     0xffffffffffffffffull));

	CHECK_EQ(tcf_decode(u32(ETH_P_IP, 1, 1, notprefix, TC_ACT_SHOT), &f),
		 1);
	CHECK(!f.decoded);

	/* keys on a filter of every protocol: which header is it? */
	CHECK_EQ(tcf_decode(u32(ETH_P_ALL, 1, 1, src8, TC_ACT_SHOT), &f), 1);
	CHECK(!f.decoded);
	/* no keys at all, protocol all: every packet */
	CHECK_EQ(tcf_decode(u32(ETH_P_ALL, 1, 0, src8, TC_ACT_SHOT), &f), 1);
	CHECK(f.decoded);
	CHECK_EQ(f.family, 0);
	CHECK_EQ(f.action, HOST_TCF_DROP);
	/* ARP only: kept, for what dropping it does to IPv4 */
	CHECK_EQ(tcf_decode(u32(ETH_P_ARP, 1, 0, src8, TC_ACT_SHOT), &f), 1);
	CHECK_EQ(f.protocol, ETH_P_ARP);
	CHECK(f.decoded);
	/* 802.1Q: sees none of the probes */
	CHECK_EQ(tcf_decode(u32(ETH_P_8021Q, 1, 0, src8, TC_ACT_SHOT), &f), 1);
	CHECK_EQ(f.protocol, 0);

	/* the hash table node tc makes first: no selector, not a filter */
	{
		struct nlmsghdr *nlh = msg(2, ETH_P_IP, 1, "u32");
		struct nlattr *o = mnl_attr_nest_start(nlh, TCA_OPTIONS);

		mnl_attr_put_u32(nlh, TCA_U32_DIVISOR, 1);
		mnl_attr_nest_end(nlh, o);
		CHECK_EQ(tcf_decode(nlh, &f), 0);
	}
	/* a selector shorter than its keys */
	{
		struct nlmsghdr *nlh = msg(2, ETH_P_IP, 1, "u32");
		struct nlattr *o = mnl_attr_nest_start(nlh, TCA_OPTIONS);
		struct tc_u32_sel sel = { .nkeys = 3 };

		mnl_attr_put(nlh, TCA_U32_SEL, sizeof(sel), &sel);
		mnl_attr_nest_end(nlh, o);
		CHECK_EQ(tcf_decode(nlh, &f), -EBADMSG);
	}
}

static struct nlmsghdr *flower(uint16_t proto, uint16_t eth, uint8_t ipp,
			       const char *dst, int dplen, uint16_t dport,
			       int v)
{
	struct nlmsghdr *nlh = msg(2, proto, 5, "flower");
	struct nlattr *opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	struct nlattr *act;

	if (eth)
		mnl_attr_put_u16(nlh, TCA_FLOWER_KEY_ETH_TYPE, htons(eth));
	if (ipp)
		mnl_attr_put_u8(nlh, TCA_FLOWER_KEY_IP_PROTO, ipp);
	if (dst && strchr(dst, ':')) {
		uint8_t a[16], m[16] = { 0 };
		int i;

		inet_pton(AF_INET6, dst, a);
		for (i = 0; i < dplen; i++)
			m[i / 8] |= (uint8_t)(0x80 >> (i % 8));
		mnl_attr_put(nlh, TCA_FLOWER_KEY_IPV6_DST, 16, a);
		mnl_attr_put(nlh, TCA_FLOWER_KEY_IPV6_DST_MASK, 16, m);
	} else if (dst) {
		uint32_t a, m = dplen ? htonl(~0u << (32 - dplen)) : 0;

		inet_pton(AF_INET, dst, &a);
		mnl_attr_put_u32(nlh, TCA_FLOWER_KEY_IPV4_DST, a);
		mnl_attr_put_u32(nlh, TCA_FLOWER_KEY_IPV4_DST_MASK, m);
	}
	if (dport) {
		mnl_attr_put_u16(nlh, TCA_FLOWER_KEY_TCP_DST, htons(dport));
		mnl_attr_put_u16(nlh, TCA_FLOWER_KEY_TCP_DST_MASK, 0xffff);
	}
	mnl_attr_put_u32(nlh, TCA_FLOWER_FLAGS, TCA_CLS_FLAGS_NOT_IN_HW);
	act = mnl_attr_nest_start(nlh, TCA_FLOWER_ACT);
	if (v == -100) {
		other_action(nlh, 1, "mirred");
	} else if (v == -200) {
		gact(nlh, 1, TC_ACT_PIPE, false);
		gact(nlh, 2, TC_ACT_SHOT, false);
	} else if (v == -300) {
		gact(nlh, 1, TC_ACT_SHOT, true);
	} else {
		gact(nlh, 1, v, false);
	}
	mnl_attr_nest_end(nlh, act);
	mnl_attr_nest_end(nlh, opts);
	return nlh;
}

static void test_flower(void)
{
	struct host_tcf f;

	CHECK_EQ(tcf_decode(flower(ETH_P_IP, 0, IPPROTO_TCP, "192.0.2.0", 24,
				   0, TC_ACT_SHOT), &f), 1);
	CHECK(f.decoded);
	CHECK_EQ(f.family, NFPROTO_IPV4);
	CHECK_EQ(f.ip_proto, IPPROTO_TCP);
	CHECK(f.daddr.lo == 0xc0000200 && f.daddr.hi == 0xc00002ff);
	CHECK(f.saddr.lo == 0 && f.saddr.hi == 0xffffffff);
	CHECK_EQ(f.action, HOST_TCF_DROP);

	/* protocol all, narrowed by the ethertype key */
	CHECK_EQ(tcf_decode(flower(ETH_P_ALL, ETH_P_IPV6, 0, "2001:db8::", 32,
				   0, TC_ACT_OK), &f), 1);
	CHECK(f.decoded);
	CHECK_EQ(f.protocol, ETH_P_IPV6);
	CHECK_EQ(f.family, NFPROTO_IPV6);
	CHECK(f.daddr.lo == (rs_u128)0x20010db800000000ull << 64);
	CHECK_EQ(f.action, HOST_TCF_PASS);

	/* ports: fragments do not show them */
	CHECK_EQ(tcf_decode(flower(ETH_P_IP, 0, IPPROTO_TCP, NULL, 0, 22,
				   TC_ACT_SHOT), &f), 1);
	CHECK(!f.decoded);
	CHECK(strstr(f.why, "port"));

	CHECK_EQ(tcf_decode(flower(ETH_P_IP, 0, 0, NULL, 0, 0, -100), &f), 1);
	CHECK(!f.decoded);	/* a redirect */
	CHECK_EQ(tcf_decode(flower(ETH_P_IP, 0, 0, NULL, 0, 0, -200), &f), 1);
	CHECK(f.decoded);	/* pipe, then drop */
	CHECK_EQ(f.action, HOST_TCF_DROP);
	CHECK_EQ(tcf_decode(flower(ETH_P_IP, 0, 0, NULL, 0, 0, -300), &f), 1);
	CHECK(!f.decoded);	/* drop one in two */

	/* an IPv4 address key on an IPv6 filter matches nothing */
	CHECK_EQ(tcf_decode(flower(ETH_P_IPV6, 0, 0, "192.0.2.1", 32, 0,
				   TC_ACT_SHOT), &f), 1);
	CHECK_EQ(f.protocol, 0);
}

static void test_matchall_bpf_chain(void)
{
	struct nlmsghdr *nlh;
	struct nlattr *o, *a;
	struct host_tcf f;
	char d[64];

	nlh = msg(4, ETH_P_ALL, 1, "matchall");
	o = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	a = mnl_attr_nest_start(nlh, TCA_MATCHALL_ACT);
	gact(nlh, 1, TC_ACT_SHOT, false);
	mnl_attr_nest_end(nlh, a);
	mnl_attr_nest_end(nlh, o);
	CHECK_EQ(tcf_decode(nlh, &f), 1);
	CHECK(f.decoded);
	CHECK_EQ(f.family, 0);
	CHECK_EQ(f.action, HOST_TCF_DROP);
	host_tcf_describe(&f, d, sizeof(d));
	CHECK_STR(d, "matchall prio 1");

	/* hardware only: the packets software sees are not its business,
	 * but which are they? */
	nlh = msg(4, ETH_P_IP, 1, "matchall");
	o = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_MATCHALL_FLAGS, TCA_CLS_FLAGS_SKIP_SW);
	mnl_attr_nest_end(nlh, o);
	CHECK_EQ(tcf_decode(nlh, &f), 1);
	CHECK(!f.decoded);

	nlh = msg(4, ETH_P_ALL, 1, "bpf");
	o = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_BPF_ID, 7);
	mnl_attr_put_strz(nlh, TCA_BPF_NAME, "drop_all");
	mnl_attr_nest_end(nlh, o);
	CHECK_EQ(tcf_decode(nlh, &f), 1);
	CHECK(!f.decoded);
	host_tcf_describe(&f, d, sizeof(d));
	CHECK_STR(d, "bpf id 7 name drop_all");

	/* a filter of chain 1 is reached only by a goto */
	nlh = msg(4, ETH_P_ALL, 1, "matchall");
	mnl_attr_put_u32(nlh, TCA_CHAIN, 1);
	o = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_nest_end(nlh, o);
	CHECK_EQ(tcf_decode(nlh, &f), 0);

	/* the announcement of a priority: no options */
	CHECK_EQ(tcf_decode(msg(4, ETH_P_ALL, 1, "matchall"), &f), 0);

	/* an attribute twice */
	nlh = msg(4, ETH_P_ALL, 1, "matchall");
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	o = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_nest_end(nlh, o);
	CHECK_EQ(tcf_decode(nlh, &f), -EBADMSG);

	/* an unknown classifier is kept, undecided */
	nlh = msg(4, ETH_P_ALL, 1, "basic");
	o = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_nest_end(nlh, o);
	CHECK_EQ(tcf_decode(nlh, &f), 1);
	CHECK(!f.decoded);
}

/* ---- through link_replay: a recording of one link and its filters ---- */

static size_t rec_put(char *rec, size_t len, const struct nlmsghdr *nlh)
{
	memcpy(rec + len, nlh, nlh->nlmsg_len);
	return len + NLMSG_ALIGN(nlh->nlmsg_len);
}

static struct nlmsghdr *req(uint16_t type, size_t hdrlen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nlh;
}

static size_t done(char *rec, size_t len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int *e;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*e = 0;
	return rec_put(rec, len, nlh);
}

/* The host link_replay() reads from the recording rec. */
static struct host *replay(const char *rec, size_t len)
{
	char path[] = "/tmp/fwaudit-test-tcf-XXXXXX";
	struct host *h;
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, rec, len), (ssize_t)len);
	close(fd);
	h = host_new();
	CHECK(h != NULL);
	CHECK_EQ(link_replay(h, path), 0);
	unlink(path);
	return h;
}

static void test_replay(void)
{
	static const uint32_t src8[][3] = { { 12, 0xff000000, 0x0a000000 } };
	static char rec[65536];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct tcmsg *t;
	struct host *h;
	size_t len = 0;
	int fd;

	len = rec_put(rec, len, req(RTM_GETLINK, sizeof(struct ifinfomsg)));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_MULTI;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 2;
	ifi->ifi_flags = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	len = rec_put(rec, len, nlh);
	len = done(rec, len);

	nlh = req(RTM_GETTFILTER, sizeof(struct tcmsg));
	t = mnl_nlmsg_get_payload(nlh);
	t->tcm_ifindex = 2;
	t->tcm_parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
	len = rec_put(rec, len, nlh);
	len = rec_put(rec, len, u32(ETH_P_IP, 1, 1, src8, TC_ACT_SHOT));
	len = rec_put(rec, len, flower(ETH_P_IP, 0, IPPROTO_TCP, NULL, 0, 22,
				       TC_ACT_SHOT));
	len = done(rec, len);

	/* TCF_SEED=FILE keeps the recording: the fuzz seed
	 * tests/fixtures/host/rtnl-tcf.bin was made so */
	if (getenv("TCF_SEED")) {
		fd = open(getenv("TCF_SEED"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		CHECK(fd >= 0 && write(fd, rec, len) == (ssize_t)len);
		close(fd);
	}
	h = replay(rec, len);
	CHECK_EQ(h->nlinks, 1);
	CHECK_EQ(h->ntcfs, 2);
	CHECK_EQ(h->links[0].tc_filters, 2);
	CHECK(h->tcfs[0].decoded);
	CHECK(!h->tcfs[1].decoded);
	/* the link names the first filter fwaudit cannot walk */
	CHECK_STR(h->links[0].tc_desc, "flower prio 5");
	host_free(h);
}

/* One RTM_NEWLINK of a recording: ifindex, name, IFLA_LINK parent, and
 * IFLA_LINK_NETNSID when netnsid is not negative. */
static size_t link_msg(char *rec, size_t len, int ifindex, const char *name,
		       uint32_t parent, int netnsid)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_MULTI;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_LINK, parent);
	if (netnsid >= 0)
		mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, (uint32_t)netnsid);
	return rec_put(rec, len, nlh);
}

/* A container's macvlan link whose parent, in the host's namespace
 * (IFLA_LINK_NETNSID), has the link's own index (netavark's eth0@if2 on
 * the host's ifindex 2) keeps it; a link naming itself has none. */
static void test_parent_netnsid(void)
{
	static char rec[8192];
	struct tcmsg *t;
	struct nlmsghdr *nlh;
	struct host *h;
	size_t len = 0;
	int i;

	len = rec_put(rec, len, req(RTM_GETLINK, sizeof(struct ifinfomsg)));
	len = link_msg(rec, len, 2, "eth0", 2, 0);
	len = link_msg(rec, len, 3, "self0", 3, -1);
	len = done(rec, len);
	for (i = 2; i <= 3; i++) {
		nlh = req(RTM_GETTFILTER, sizeof(struct tcmsg));
		t = mnl_nlmsg_get_payload(nlh);
		t->tcm_ifindex = i;
		t->tcm_parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
		len = rec_put(rec, len, nlh);
		len = done(rec, len);
	}
	h = replay(rec, len);
	CHECK_EQ(h->nlinks, 2);
	CHECK_EQ(host_link_by_name(h, "eth0")->parent, 2);
	CHECK_EQ(host_link_by_name(h, "self0")->parent, 0);
	host_free(h);
}

int main(void)
{
	test_u32();
	test_flower();
	test_matchall_bpf_chain();
	test_replay();
	test_parent_netnsid();
	return unit_done();
}
