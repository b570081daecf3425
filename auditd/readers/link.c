// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * link.c - rtnetlink reader: links, addresses, routes, FIB rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdio.h>

#include "link.h"
#include "tcf.h"
#include "host_read.h"
#include "nldump.h"
#include "util.h"

/* ---- attribute validation ---- */

#define ATTR_ADDR_LEN	0xffff	/* exactly the family's address length */

struct attr_rule {
	bool known;
	enum mnl_attr_data_type type;
	uint16_t len;		/* exact payload length, 0: the type's own */
};

struct attr_parse {
	const struct attr_rule *rules;
	uint16_t max;
	size_t alen;
	const struct nlattr **tb;
	bool unknown;		/* an attribute type beyond max was seen */
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attr_parse *p = data;
	uint16_t type = mnl_attr_get_type(a);
	const struct attr_rule *r;
	int ret;

	if (type > p->max) {
		p->unknown = true;
		return MNL_CB_OK;
	}
	r = &p->rules[type];
	if (!r->known)
		return MNL_CB_OK;
	if (r->len)
		ret = mnl_attr_validate2(a, r->type,
					 r->len == ATTR_ADDR_LEN ? p->alen :
								   r->len);
	else
		ret = mnl_attr_validate(a, r->type);
	if (ret < 0)
		return MNL_CB_ERROR;
	p->tb[type] = a;
	return MNL_CB_OK;
}

static int attr_parse(const struct nlmsghdr *nlh, size_t hdrlen,
		      struct attr_parse *p)
{
	if (mnl_nlmsg_get_payload_len(nlh) < hdrlen)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, (unsigned int)hdrlen, attr_cb, p) != MNL_CB_OK)
		return -EBADMSG;
	return 0;
}

static int attr_parse_nested(const struct nlattr *nest, struct attr_parse *p)
{
	if (mnl_attr_parse_nested(nest, attr_cb, p) != MNL_CB_OK)
		return -EBADMSG;
	return 0;
}

static size_t family_alen(uint8_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static rs_u128 attr_addr(const struct nlattr *a, uint8_t family)
{
	return host_addr_from_bytes(family, mnl_attr_get_payload(a));
}

/* Copy a string attribute (validated non-empty) into a fixed buffer; the
 * kernel's strings end in NUL but we do not depend on it. */
static void attr_strcpy(char *dst, size_t size, const struct nlattr *a)
{
	size_t len = mnl_attr_get_payload_len(a);

	len = strnlen(mnl_attr_get_payload(a), len);
	if (len >= size)
		len = size - 1;
	memcpy(dst, mnl_attr_get_payload(a), len);
	dst[len] = '\0';
}

/* ---- links ---- */

static const struct attr_rule ifla_rules[IFLA_MAX + 1] = {
	[IFLA_IFNAME]	= { true, MNL_TYPE_NUL_STRING, 0 },
	[IFLA_MASTER]	= { true, MNL_TYPE_U32, 0 },
	[IFLA_LINK]	= { true, MNL_TYPE_U32, 0 },
	[IFLA_LINK_NETNSID] = { true, MNL_TYPE_U32, 0 },
	[IFLA_LINKINFO]	= { true, MNL_TYPE_NESTED, 0 },
	[IFLA_XDP]	= { true, MNL_TYPE_NESTED, 0 },
};

static const struct attr_rule xdp_rules[IFLA_XDP_MAX + 1] = {
	[IFLA_XDP_ATTACHED]	= { true, MNL_TYPE_U8, 0 },
	[IFLA_XDP_PROG_ID]	= { true, MNL_TYPE_U32, 0 },
	[IFLA_XDP_DRV_PROG_ID]	= { true, MNL_TYPE_U32, 0 },
	[IFLA_XDP_SKB_PROG_ID]	= { true, MNL_TYPE_U32, 0 },
	[IFLA_XDP_HW_PROG_ID]	= { true, MNL_TYPE_U32, 0 },
};

/* The XDP program of a link: its id and how it is attached.  With
 * several (XDP_ATTACHED_MULTI) there is no IFLA_XDP_PROG_ID: the first of
 * the per-mode ids names one of them. */
static int link_parse_xdp(struct host_link *l, const struct nlattr *nest)
{
	const struct nlattr *tb[IFLA_XDP_MAX + 1] = { NULL };
	struct attr_parse p = { xdp_rules, IFLA_XDP_MAX, 0, tb, false };
	static const int ids[] = { IFLA_XDP_PROG_ID, IFLA_XDP_DRV_PROG_ID,
				   IFLA_XDP_SKB_PROG_ID, IFLA_XDP_HW_PROG_ID };
	size_t i;
	int ret;

	ret = attr_parse_nested(nest, &p);
	if (ret < 0)
		return ret;
	if (!tb[IFLA_XDP_ATTACHED] ||
	    mnl_attr_get_u8(tb[IFLA_XDP_ATTACHED]) == XDP_ATTACHED_NONE)
		return 0;
	l->xdp_mode = mnl_attr_get_u8(tb[IFLA_XDP_ATTACHED]);
	for (i = 0; i < ARRAY_SIZE(ids) && !l->xdp_prog; i++)
		if (tb[ids[i]])
			l->xdp_prog = mnl_attr_get_u32(tb[ids[i]]);
	/* attached but unnamed: still a program we cannot read */
	if (!l->xdp_prog)
		l->xdp_prog = UINT32_MAX;
	return 0;
}

static const struct attr_rule info_rules[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND]	= { true, MNL_TYPE_STRING, 0 },
	[IFLA_INFO_SLAVE_KIND]	= { true, MNL_TYPE_STRING, 0 },
	[IFLA_INFO_DATA]	= { true, MNL_TYPE_NESTED, 0 },
};

static const struct attr_rule vrf_rules[IFLA_VRF_MAX + 1] = {
	[IFLA_VRF_TABLE]	= { true, MNL_TYPE_U32, 0 },
};

static int link_parse_info(struct host_link *l, const struct nlattr *nest)
{
	const struct nlattr *tb[IFLA_INFO_MAX + 1] = { NULL };
	const struct nlattr *vtb[IFLA_VRF_MAX + 1] = { NULL };
	struct attr_parse p = { info_rules, IFLA_INFO_MAX, 0, tb, false };
	struct attr_parse vp = { vrf_rules, IFLA_VRF_MAX, 0, vtb, false };
	int ret;

	ret = attr_parse_nested(nest, &p);
	if (ret < 0)
		return ret;
	if (tb[IFLA_INFO_KIND])
		attr_strcpy(l->kind, sizeof(l->kind), tb[IFLA_INFO_KIND]);
	if (tb[IFLA_INFO_SLAVE_KIND])
		attr_strcpy(l->slave_kind, sizeof(l->slave_kind),
			    tb[IFLA_INFO_SLAVE_KIND]);
	if (tb[IFLA_INFO_DATA] && strcmp(l->kind, "vrf") == 0) {
		ret = attr_parse_nested(tb[IFLA_INFO_DATA], &vp);
		if (ret < 0)
			return ret;
		if (vtb[IFLA_VRF_TABLE])
			l->vrf_table = mnl_attr_get_u32(vtb[IFLA_VRF_TABLE]);
	}
	return 0;
}

static int link_parse(struct host *h, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
	struct attr_parse p = { ifla_rules, IFLA_MAX, 0, tb, false };
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct host_link l = { 0 };
	struct host_link *nl;
	int ret;

	ret = attr_parse(nlh, sizeof(*ifi), &p);
	if (ret < 0)
		return ret;
	if (!tb[IFLA_IFNAME] || ifi->ifi_index <= 0)
		return -EBADMSG;
	if (mnl_attr_get_payload_len(tb[IFLA_IFNAME]) > HOST_IFNAMSIZ)
		return -EBADMSG;
	l.ifindex = ifi->ifi_index;
	attr_strcpy(l.name, sizeof(l.name), tb[IFLA_IFNAME]);
	l.flags = ifi->ifi_flags;
	l.up = ifi->ifi_flags & IFF_UP;
	l.loopback = ifi->ifi_flags & IFF_LOOPBACK;
	if (tb[IFLA_MASTER])
		l.master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		l.parent = (int)mnl_attr_get_u32(tb[IFLA_LINK]);
	/* a link that names itself has no parent; but a parent in another
	 * namespace (IFLA_LINK_NETNSID: a container's macvlan link, whose
	 * parent is the host's) may have the same index as the link */
	if (l.parent == l.ifindex && !tb[IFLA_LINK_NETNSID])
		l.parent = 0;
	if (tb[IFLA_LINKINFO]) {
		ret = link_parse_info(&l, tb[IFLA_LINKINFO]);
		if (ret < 0)
			return ret;
	}
	if (tb[IFLA_XDP]) {
		ret = link_parse_xdp(&l, tb[IFLA_XDP]);
		if (ret < 0)
			return ret;
	}
	l.sysctl.forwarding = HOST_SYSCTL_UNKNOWN;
	l.sysctl.route_localnet = HOST_SYSCTL_UNKNOWN;
	l.sysctl.rp_filter = HOST_SYSCTL_UNKNOWN;
	l.sysctl.ipv6_force_forwarding = HOST_SYSCTL_UNKNOWN;

	nl = host_array_add((void **)&h->links, &h->nlinks, sizeof(*nl),
			    HOST_LINKS_MAX);
	if (!nl)
		return -errno;
	*nl = l;
	return 0;
}

/* ---- addresses ---- */

static const struct attr_rule ifa_rules[IFA_MAX + 1] = {
	[IFA_ADDRESS]	= { true, MNL_TYPE_BINARY, ATTR_ADDR_LEN },
	[IFA_LOCAL]	= { true, MNL_TYPE_BINARY, ATTR_ADDR_LEN },
	[IFA_FLAGS]	= { true, MNL_TYPE_U32, 0 },
};

static int addr_parse(struct host *h, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[IFA_MAX + 1] = { NULL };
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct attr_parse p = { ifa_rules, IFA_MAX, 0, tb, false };
	const struct nlattr *local;
	struct host_addr *a;
	int ret;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -EBADMSG;
	p.alen = family_alen(ifa->ifa_family);
	if (!p.alen)
		return 0;	/* not an inet address */
	ret = attr_parse(nlh, sizeof(*ifa), &p);
	if (ret < 0)
		return ret;
	local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!local)
		return -EBADMSG;
	if (ifa->ifa_prefixlen > p.alen * 8)
		return -EBADMSG;

	a = host_array_add((void **)&h->addrs, &h->naddrs, sizeof(*a),
			   HOST_ADDRS_MAX);
	if (!a)
		return -errno;
	a->family = ifa->ifa_family;
	a->prefixlen = ifa->ifa_prefixlen;
	a->scope = ifa->ifa_scope;
	a->flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) :
				   ifa->ifa_flags;
	a->ifindex = (int)ifa->ifa_index;
	a->addr = attr_addr(local, ifa->ifa_family);
	a->peer = tb[IFA_ADDRESS] ? attr_addr(tb[IFA_ADDRESS], ifa->ifa_family)
				  : a->addr;
	return 0;
}

/* ---- routes ---- */

static const struct attr_rule rta_rules[RTA_MAX + 1] = {
	[RTA_DST]	= { true, MNL_TYPE_BINARY, ATTR_ADDR_LEN },
	[RTA_SRC]	= { true, MNL_TYPE_BINARY, ATTR_ADDR_LEN },
	[RTA_OIF]	= { true, MNL_TYPE_U32, 0 },
	[RTA_GATEWAY]	= { true, MNL_TYPE_BINARY, ATTR_ADDR_LEN },
	[RTA_PRIORITY]	= { true, MNL_TYPE_U32, 0 },
	[RTA_PREFSRC]	= { true, MNL_TYPE_BINARY, ATTR_ADDR_LEN },
	[RTA_MULTIPATH]	= { true, MNL_TYPE_BINARY, 0 },
	[RTA_TABLE]	= { true, MNL_TYPE_U32, 0 },
	[RTA_VIA]	= { true, MNL_TYPE_BINARY, 0 },
	[RTA_NH_ID]	= { true, MNL_TYPE_U32, 0 },
};

/* A gateway given as RTA_GATEWAY (the route's family) or RTA_VIA (IPv4
 * routes via an IPv6 neighbour). */
static int route_gateway(struct host_nexthop *nh, const struct nlattr **tb,
			 uint8_t family)
{
	if (tb[RTA_GATEWAY]) {
		nh->gw_family = family;
		nh->gateway = attr_addr(tb[RTA_GATEWAY], family);
	} else if (tb[RTA_VIA]) {
		const struct rtvia *via = mnl_attr_get_payload(tb[RTA_VIA]);
		size_t len = mnl_attr_get_payload_len(tb[RTA_VIA]);
		size_t alen;

		if (len < sizeof(*via))
			return -EBADMSG;
		alen = family_alen((uint8_t)via->rtvia_family);
		if (!alen || len - sizeof(*via) < alen)
			return -EBADMSG;
		nh->gw_family = (uint8_t)via->rtvia_family;
		nh->gateway = host_addr_from_bytes(nh->gw_family, via->rtvia_addr);
	}
	return 0;
}

static int route_parse_multipath(struct host_route *r,
				 const struct nlattr *mp, size_t alen)
{
	const struct rtnexthop *rtnh = mnl_attr_get_payload(mp);
	int len = (int)mnl_attr_get_payload_len(mp);
	int ret;

	while (len > 0) {
		const struct nlattr *tb[RTA_MAX + 1] = { NULL };
		struct attr_parse p = { rta_rules, RTA_MAX, alen, tb, false };
		struct host_nexthop *nh;

		if (len < (int)sizeof(*rtnh) || !RTNH_OK(rtnh, len))
			return -EBADMSG;
		if (mnl_attr_parse_payload(RTNH_DATA(rtnh),
					   rtnh->rtnh_len - RTNH_LENGTH(0),
					   attr_cb, &p) != MNL_CB_OK)
			return -EBADMSG;
		nh = host_array_add((void **)&r->nexthops, &r->nnexthops,
				    sizeof(*nh), HOST_NEXTHOPS_MAX);
		if (!nh)
			return -errno;
		nh->oif = rtnh->rtnh_ifindex;
		nh->flags = rtnh->rtnh_flags;
		nh->weight = (uint8_t)(rtnh->rtnh_hops + 1);
		ret = route_gateway(nh, tb, r->family);
		if (ret < 0)
			return ret;
		len -= (int)RTNH_ALIGN(rtnh->rtnh_len);
		rtnh = RTNH_NEXT(rtnh);
	}
	return 0;
}

static int route_parse(struct host *h, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[RTA_MAX + 1] = { NULL };
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct attr_parse p = { rta_rules, RTA_MAX, 0, tb, false };
	struct host_route r = { 0 };
	struct host_route *nr;
	int ret;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -EBADMSG;
	p.alen = family_alen(rtm->rtm_family);
	if (!p.alen)
		return 0;
	/* Cached clones (PMTU exceptions) are not routes. */
	if (rtm->rtm_flags & RTM_F_CLONED)
		return 0;
	if (rtm->rtm_dst_len > p.alen * 8 || rtm->rtm_src_len > p.alen * 8)
		return -EBADMSG;
	ret = attr_parse(nlh, sizeof(*rtm), &p);
	if (ret < 0)
		return ret;

	r.family = rtm->rtm_family;
	r.table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) :
				  rtm->rtm_table;
	r.type = rtm->rtm_type;
	r.scope = rtm->rtm_scope;
	r.protocol = rtm->rtm_protocol;
	r.tos = rtm->rtm_tos;
	r.flags = rtm->rtm_flags;
	r.dst_len = rtm->rtm_dst_len;
	if (tb[RTA_DST])
		r.dst = attr_addr(tb[RTA_DST], r.family);
	r.src_len = rtm->rtm_src_len;
	if (tb[RTA_SRC])
		r.src = attr_addr(tb[RTA_SRC], r.family);
	if (tb[RTA_PREFSRC]) {
		r.has_prefsrc = true;
		r.prefsrc = attr_addr(tb[RTA_PREFSRC], r.family);
	}
	if (tb[RTA_PRIORITY])
		r.priority = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_NH_ID])
		r.nh_id = mnl_attr_get_u32(tb[RTA_NH_ID]);

	if (tb[RTA_MULTIPATH]) {
		ret = route_parse_multipath(&r, tb[RTA_MULTIPATH], p.alen);
	} else {
		struct host_nexthop *nh;

		nh = host_array_add((void **)&r.nexthops, &r.nnexthops,
				    sizeof(*nh), HOST_NEXTHOPS_MAX);
		if (!nh) {
			ret = -errno;
			goto out;
		}
		nh->oif = tb[RTA_OIF] ? (int)mnl_attr_get_u32(tb[RTA_OIF]) : 0;
		nh->flags = rtm->rtm_flags & 0xff;
		nh->weight = 1;
		ret = route_gateway(nh, tb, r.family);
	}
	if (ret < 0)
		goto out;

	nr = host_array_add((void **)&h->routes, &h->nroutes, sizeof(*nr),
			    HOST_ROUTES_MAX);
	if (!nr) {
		ret = -errno;
		goto out;
	}
	*nr = r;
	return 0;
out:
	free(r.nexthops);
	return ret;
}

/* ---- FIB rules ---- */

static const struct attr_rule fra_rules[FRA_MAX + 1] = {
	[FRA_DST]		= { true, MNL_TYPE_BINARY, ATTR_ADDR_LEN },
	[FRA_SRC]		= { true, MNL_TYPE_BINARY, ATTR_ADDR_LEN },
	[FRA_IIFNAME]		= { true, MNL_TYPE_NUL_STRING, 0 },
	[FRA_OIFNAME]		= { true, MNL_TYPE_NUL_STRING, 0 },
	[FRA_GOTO]		= { true, MNL_TYPE_U32, 0 },
	[FRA_PRIORITY]		= { true, MNL_TYPE_U32, 0 },
	[FRA_FWMARK]		= { true, MNL_TYPE_U32, 0 },
	[FRA_FWMASK]		= { true, MNL_TYPE_U32, 0 },
	[FRA_FLOW]		= { true, MNL_TYPE_U32, 0 },
	[FRA_TUN_ID]		= { true, MNL_TYPE_U64, 0 },
	[FRA_SUPPRESS_IFGROUP]	= { true, MNL_TYPE_U32, 0 },
	[FRA_SUPPRESS_PREFIXLEN] = { true, MNL_TYPE_U32, 0 },
	[FRA_TABLE]		= { true, MNL_TYPE_U32, 0 },
	[FRA_L3MDEV]		= { true, MNL_TYPE_U8, 0 },
	[FRA_UID_RANGE]		= { true, MNL_TYPE_BINARY,
				    sizeof(struct fib_rule_uid_range) },
	[FRA_PROTOCOL]		= { true, MNL_TYPE_U8, 0 },
	[FRA_IP_PROTO]		= { true, MNL_TYPE_U8, 0 },
	[FRA_SPORT_RANGE]	= { true, MNL_TYPE_BINARY,
				    sizeof(struct fib_rule_port_range) },
	[FRA_DPORT_RANGE]	= { true, MNL_TYPE_BINARY,
				    sizeof(struct fib_rule_port_range) },
};

static int rule_parse(struct host *h, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[FRA_MAX + 1] = { NULL };
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	struct attr_parse p = { fra_rules, FRA_MAX, 0, tb, false };
	struct host_rule *r;
	int ret;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*frh))
		return -EBADMSG;
	p.alen = family_alen(frh->family);
	if (!p.alen)
		return 0;
	if (frh->dst_len > p.alen * 8 || frh->src_len > p.alen * 8)
		return -EBADMSG;
	ret = attr_parse(nlh, sizeof(*frh), &p);
	if (ret < 0)
		return ret;
	if ((tb[FRA_IIFNAME] &&
	     mnl_attr_get_payload_len(tb[FRA_IIFNAME]) > HOST_IFNAMSIZ) ||
	    (tb[FRA_OIFNAME] &&
	     mnl_attr_get_payload_len(tb[FRA_OIFNAME]) > HOST_IFNAMSIZ))
		return -EBADMSG;

	r = host_array_add((void **)&h->rules, &h->nrules, sizeof(*r),
			   HOST_RULES_MAX);
	if (!r)
		return -errno;
	r->family = frh->family;
	/* The kernel leaves FRA_PRIORITY out for priority 0. */
	r->priority = tb[FRA_PRIORITY] ? mnl_attr_get_u32(tb[FRA_PRIORITY]) : 0;
	r->action = frh->action;
	r->table = tb[FRA_TABLE] ? mnl_attr_get_u32(tb[FRA_TABLE]) : frh->table;
	r->goto_target = tb[FRA_GOTO] ? mnl_attr_get_u32(tb[FRA_GOTO]) : 0;
	r->invert = frh->flags & FIB_RULE_INVERT;
	r->src_len = frh->src_len;
	r->dst_len = frh->dst_len;
	if (tb[FRA_SRC])
		r->src = attr_addr(tb[FRA_SRC], frh->family);
	if (tb[FRA_DST])
		r->dst = attr_addr(tb[FRA_DST], frh->family);
	r->tos = frh->tos;
	if (tb[FRA_IIFNAME])
		attr_strcpy(r->iifname, sizeof(r->iifname), tb[FRA_IIFNAME]);
	if (tb[FRA_OIFNAME])
		attr_strcpy(r->oifname, sizeof(r->oifname), tb[FRA_OIFNAME]);
	if (tb[FRA_FWMARK] || tb[FRA_FWMASK]) {
		r->has_fwmark = true;
		r->fwmark = tb[FRA_FWMARK] ? mnl_attr_get_u32(tb[FRA_FWMARK]) : 0;
		/* A mark without a mask compares all 32 bits. */
		r->fwmask = tb[FRA_FWMASK] ? mnl_attr_get_u32(tb[FRA_FWMASK]) :
					     0xffffffff;
	}
	r->l3mdev = tb[FRA_L3MDEV] && mnl_attr_get_u8(tb[FRA_L3MDEV]);
	if (tb[FRA_UID_RANGE]) {
		const struct fib_rule_uid_range *u =
			mnl_attr_get_payload(tb[FRA_UID_RANGE]);

		r->has_uid_range = true;
		r->uid_start = u->start;
		r->uid_end = u->end;
	}
	if (tb[FRA_IP_PROTO])
		r->ip_proto = mnl_attr_get_u8(tb[FRA_IP_PROTO]);
	if (tb[FRA_SPORT_RANGE]) {
		const struct fib_rule_port_range *pr =
			mnl_attr_get_payload(tb[FRA_SPORT_RANGE]);

		r->has_sport = true;
		r->sport_lo = pr->start;
		r->sport_hi = pr->end;
	}
	if (tb[FRA_DPORT_RANGE]) {
		const struct fib_rule_port_range *pr =
			mnl_attr_get_payload(tb[FRA_DPORT_RANGE]);

		r->has_dport = true;
		r->dport_lo = pr->start;
		r->dport_hi = pr->end;
	}
	if (tb[FRA_TUN_ID])
		r->tun_id = mnl_attr_get_u64(tb[FRA_TUN_ID]);
	r->suppress_prefixlen = tb[FRA_SUPPRESS_PREFIXLEN] ?
		(int)mnl_attr_get_u32(tb[FRA_SUPPRESS_PREFIXLEN]) : -1;
	r->suppress_ifgroup = tb[FRA_SUPPRESS_IFGROUP] ?
		(int)mnl_attr_get_u32(tb[FRA_SUPPRESS_IFGROUP]) : -1;
	if (tb[FRA_PROTOCOL])
		r->protocol = mnl_attr_get_u8(tb[FRA_PROTOCOL]);
	/* Newer kernels add selectors (dscp, flow label, port masks): a rule
	 * with one we cannot read is not one we can claim to evaluate. */
	r->unknown_selector = p.unknown;
	return 0;
}

/* ---- tc filters on the ingress path ---- */

/* A filter of a link's ingress, decoded by tcf.c.  The link counts them
 * and describes the first one the engine cannot walk (engine.c). */
static int tfilter_parse(struct host *h, const struct nlmsghdr *nlh)
{
	struct host_link *l = NULL;
	struct host_tcf f, *nf;
	size_t i;
	int ret;

	ret = tcf_decode(nlh, &f);
	if (ret <= 0)
		return ret;
	for (i = 0; i < h->nlinks && !l; i++)
		if (h->links[i].ifindex == f.ifindex)
			l = &h->links[i];
	if (!l)
		return 0;
	nf = host_array_add((void **)&h->tcfs, &h->ntcfs, sizeof(*nf),
			    HOST_TCFS_MAX);
	if (!nf)
		return -errno;
	*nf = f;
	host_tcf_texts(nf, l->name);
	if (!f.decoded && !l->tc_desc[0])
		host_tcf_describe(&f, l->tc_desc, sizeof(l->tc_desc));
	l->tc_filters++;
	return 0;
}

/* ---- the conversation ---- */

static int link_msg(const struct nlmsghdr *req, const struct nlmsghdr *nlh,
		    void *data)
{
	struct host *h = data;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
		return link_parse(h, nlh);
	case RTM_NEWADDR:
		return addr_parse(h, nlh);
	case RTM_NEWROUTE:
		return route_parse(h, nlh);
	case RTM_NEWRULE:
		return rule_parse(h, nlh);
	case RTM_NEWTFILTER:
		return tfilter_parse(h, nlh);
	default:
		return 0;
	}
}

static int link_done(const struct nlmsghdr *req, int err, void *data)
{
	struct host *h = data;
	const struct fib_rule_hdr *frh;

	/* a link without an ingress qdisc has no filters to dump */
	if (req->nlmsg_type == RTM_GETTFILTER)
		return err == -EINVAL || err == -ENOENT || err == -EOPNOTSUPP ?
		       0 : err;
	if (req->nlmsg_type != RTM_GETRULE)
		return err;
	if (mnl_nlmsg_get_payload_len(req) < sizeof(*frh))
		return -EBADMSG;
	frh = mnl_nlmsg_get_payload(req);
	/* A kernel without CONFIG_IP_MULTIPLE_TABLES (or IPv6 disabled) has no
	 * rules to dump: the default rules apply. */
	if (err == -EAFNOSUPPORT || err == -EOPNOTSUPP)
		return 0;
	if (err < 0)
		return err;
	if (frh->family == AF_INET)
		h->have_rules4 = true;
	else if (frh->family == AF_INET6)
		h->have_rules6 = true;
	return 0;
}

static void link_facts_free(struct host *h)
{
	size_t i;

	for (i = 0; i < h->nroutes; i++)
		free(h->routes[i].nexthops);
	free(h->routes);
	free(h->links);
	free(h->addrs);
	free(h->rules);
	free(h->tcfs);
	h->routes = NULL;
	h->links = NULL;
	h->addrs = NULL;
	h->rules = NULL;
	h->tcfs = NULL;
	h->nroutes = h->nlinks = h->naddrs = h->nrules = h->ntcfs = 0;
	h->have_rules4 = h->have_rules6 = false;
}

/* Move the link facts of src into dst, replacing dst's. */
static void link_facts_move(struct host *dst, struct host *src)
{
	link_facts_free(dst);
	dst->links = src->links;
	dst->nlinks = src->nlinks;
	dst->addrs = src->addrs;
	dst->naddrs = src->naddrs;
	dst->routes = src->routes;
	dst->nroutes = src->nroutes;
	dst->rules = src->rules;
	dst->nrules = src->nrules;
	dst->tcfs = src->tcfs;
	dst->ntcfs = src->ntcfs;
	dst->have_rules4 = src->have_rules4;
	dst->have_rules6 = src->have_rules6;
	src->links = NULL;
	src->addrs = NULL;
	src->routes = NULL;
	src->rules = NULL;
	src->tcfs = NULL;
	src->nlinks = src->naddrs = src->nroutes = src->nrules = 0;
	src->ntcfs = 0;
	host_links_sort(dst);
}

/* One request: a netlink header and a zeroed family header. */
static struct nlmsghdr *link_req(char *buf, uint16_t type, size_t hdrlen,
				 uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	uint8_t *fam;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	fam = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	/* Every rtnetlink family header starts with the family byte. */
	fam[0] = family;
	return nlh;
}

static int link_read_once(struct host *tmp, FILE *rec)
{
	struct nld_handler hd = { link_msg, link_done, tmp };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	size_t i;
	int ret;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}

	nlh = link_req(buf, RTM_GETLINK, sizeof(struct ifinfomsg), AF_UNSPEC);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	ret = nld_dump(nl, nlh, &hd, rec);
	if (ret < 0)
		goto out;
	nlh = link_req(buf, RTM_GETADDR, sizeof(struct ifaddrmsg), AF_UNSPEC);
	ret = nld_dump(nl, nlh, &hd, rec);
	if (ret < 0)
		goto out;
	/* the filters of each link's ingress (ingress or clsact qdisc) */
	for (i = 0; i < tmp->nlinks; i++) {
		struct tcmsg *t;

		/* (a bridge's ports are the containers' side: no probe
		 * comes in there, and a Docker host has thousands) */
		if (tmp->links[i].loopback ||
		    !strcmp(tmp->links[i].slave_kind, "bridge"))
			continue;
		nlh = link_req(buf, RTM_GETTFILTER, sizeof(*t), AF_UNSPEC);
		t = mnl_nlmsg_get_payload(nlh);
		t->tcm_ifindex = tmp->links[i].ifindex;
		t->tcm_parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
		ret = nld_dump(nl, nlh, &hd, rec);
		if (ret < 0)
			goto out;
	}
	for (i = 0; i < sizeof(families); i++) {
		nlh = link_req(buf, RTM_GETROUTE, sizeof(struct rtmsg),
			       families[i]);
		ret = nld_dump(nl, nlh, &hd, rec);
		if (ret < 0)
			goto out;
		nlh = link_req(buf, RTM_GETRULE, sizeof(struct fib_rule_hdr),
			       families[i]);
		ret = nld_dump(nl, nlh, &hd, rec);
		if (ret < 0)
			goto out;
	}
out:
	mnl_socket_close(nl);
	return ret;
}

static int link_read_cb(struct host *tmp, FILE *rec, void *data)
{
	return link_read_once(tmp, rec);
}

int link_read(struct host *h)
{
	struct host *tmp;
	int ret;

	ret = host_read_retry("FWAUDIT_RTNL_RECORD", link_read_cb, NULL, &tmp);
	if (ret < 0)
		return ret;
	link_facts_move(h, tmp);
	host_free(tmp);
	return 0;
}

int link_replay(struct host *h, const char *path)
{
	struct host *tmp;
	struct nld_handler hd = { link_msg, link_done, NULL };
	int ret;

	tmp = host_new();
	if (!tmp)
		return -ENOMEM;
	hd.data = tmp;
	ret = nld_replay(path, &hd);
	if (ret < 0)
		goto out;
	link_facts_move(h, tmp);
out:
	host_free(tmp);
	return ret;
}
