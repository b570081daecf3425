// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * host.c - the host model: lifetime, the kernel's routing decision, the
 * ingress-interface rule, listener lookup, address helpers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/fib_rules.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "host.h"
#include "host_read.h"
#include "ipaddr.h"
#include "nldump.h"
#include "bpfq.h"
#include "ipvs.h"
#include "swarm.h"
#include "link.h"
#include "sockets.h"
#include "sysctl.h"
#include "util.h"

/* ---- lifetime ---- */

struct host *host_new(void)
{
	struct host *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->sysctl.ip_forward = HOST_SYSCTL_UNKNOWN;
	h->sysctl.ipv6_forwarding = HOST_SYSCTL_UNKNOWN;
	h->sysctl.route_localnet_all = HOST_SYSCTL_UNKNOWN;
	h->sysctl.rp_filter_all = HOST_SYSCTL_UNKNOWN;
	h->sysctl.bridge_nf_call_iptables = HOST_SYSCTL_UNKNOWN;
	h->sysctl.bridge_nf_call_ip6tables = HOST_SYSCTL_UNKNOWN;
	h->sysctl.ipvs_conntrack = HOST_SYSCTL_UNKNOWN;
	return h;
}

const char *host_nfproto_name(uint8_t pf)
{
	static char buf[16];

	if (pf == NFPROTO_IPV4)
		return "ipv4";
	if (pf == NFPROTO_IPV6)
		return "ipv6";
	snprintf(buf, sizeof(buf), "pf %u", pf);
	return buf;
}

const char *host_nfhook_name(uint8_t hooknum)
{
	static const char *const names[] = {
		"prerouting", "input", "forward", "output", "postrouting",
	};
	static char buf[16];

	if (hooknum < ARRAY_SIZE(names))
		return names[hooknum];
	snprintf(buf, sizeof(buf), "hook %u", hooknum);
	return buf;
}

void host_free(struct host *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->nroutes; i++)
		free(h->routes[i].nexthops);
	for (i = 0; i < h->nlisteners; i++) {
		free(h->listeners[i].comm);
		free(h->listeners[i].cgroup);
	}
	free(h->links);
	free(h->addrs);
	free(h->routes);
	free(h->rules);
	free(h->listeners);
	free(h->tcfs);
	ipvs_free(h);
	swarm_release(&h->swarm);
	free(h->nfbpf);
	free(h);
}

int host_read(struct host **out)
{
	struct host *h;
	int ret;

	h = host_new();
	if (!h)
		return -ENOMEM;
	ret = link_read(h);
	if (ret < 0)
		goto out;
	ret = sockets_read(h);
	if (ret < 0)
		goto out;
	/* Owners are a courtesy: without them the audit is still exact. */
	sockets_find_owners(h, "/proc");
	bpfq_read(h, "/proc");
	ret = ipvs_read(h);
	if (!ret)
		ret = swarm_read(h);
	if (ret < 0)
		goto out;
	ret = sysctl_read(h, SYSCTL_ROOT);
	if (ret < 0)
		goto out;
	*out = h;
	h = NULL;
out:
	host_free(h);
	return ret;
}

void *host_array_add(void **array, size_t *n, size_t elem, size_t max)
{
	size_t cnt = *n;
	char *p = *array;

	if (cnt >= max) {
		errno = E2BIG;
		return NULL;
	}
	/* Capacity is implied by the count: 8, then powers of two. */
	if (cnt == 0 || (cnt >= 8 && (cnt & (cnt - 1)) == 0)) {
		size_t cap = cnt ? cnt * 2 : 8;

		if (cap > max)
			cap = max;
		p = realloc(p, cap * elem);
		if (!p) {
			errno = ENOMEM;
			return NULL;
		}
		*array = p;
	}
	memset(p + cnt * elem, 0, elem);
	*n = cnt + 1;
	return p + cnt * elem;
}

/* ---- addresses ---- */

rs_u128 host_addr_from_bytes(uint8_t family, const void *bytes)
{
	return ipaddr_from_bytes(family, bytes);
}

void host_addr_to_bytes(uint8_t family, rs_u128 addr, void *out)
{
	ipaddr_to_bytes(family, addr, out);
}

bool host_prefix_contains(uint8_t family, rs_u128 prefix, uint8_t len,
			  rs_u128 addr)
{
	unsigned int width = family == AF_INET ? 32 : 128;

	if (len == 0)
		return true;
	if (len > width)
		len = (uint8_t)width;
	return ((prefix ^ addr) >> (width - len)) == 0;
}

const char *host_addr_str(uint8_t family, rs_u128 addr, char *buf,
			  size_t len)
{
	return ipaddr_str(family, addr, buf, len);
}

int host_addr_parse(uint8_t family, const char *s, rs_u128 *out)
{
	return ipaddr_parse(family, s, out);
}

/* ---- links ---- */

static int link_cmp(const void *a, const void *b)
{
	const struct host_link *x = a, *y = b;

	return x->ifindex < y->ifindex ? -1 : x->ifindex > y->ifindex;
}

void host_links_sort(struct host *h)
{
	if (h->nlinks)
		qsort(h->links, h->nlinks, sizeof(*h->links), link_cmp);
}

const struct host_link *host_link_by_index(const struct host *h, int ifindex)
{
	struct host_link key = { .ifindex = ifindex };

	if (!h->nlinks)
		return NULL;
	return bsearch(&key, h->links, h->nlinks, sizeof(*h->links), link_cmp);
}

const struct host_link *host_link_by_name(const struct host *h,
					  const char *name)
{
	size_t i;

	for (i = 0; i < h->nlinks; i++)
		if (strcmp(h->links[i].name, name) == 0)
			return &h->links[i];
	return NULL;
}

/* ---- the routing decision ---- */

static const struct host_rule default_rules4[] = {
	{ .family = AF_INET, .priority = 0, .action = FR_ACT_TO_TBL,
	  .table = RT_TABLE_LOCAL, .suppress_prefixlen = -1,
	  .suppress_ifgroup = -1 },
	{ .family = AF_INET, .priority = 32766, .action = FR_ACT_TO_TBL,
	  .table = RT_TABLE_MAIN, .suppress_prefixlen = -1,
	  .suppress_ifgroup = -1 },
	{ .family = AF_INET, .priority = 32767, .action = FR_ACT_TO_TBL,
	  .table = RT_TABLE_DEFAULT, .suppress_prefixlen = -1,
	  .suppress_ifgroup = -1 },
};

static const struct host_rule default_rules6[] = {
	{ .family = AF_INET6, .priority = 0, .action = FR_ACT_TO_TBL,
	  .table = RT_TABLE_LOCAL, .suppress_prefixlen = -1,
	  .suppress_ifgroup = -1 },
	{ .family = AF_INET6, .priority = 32766, .action = FR_ACT_TO_TBL,
	  .table = RT_TABLE_MAIN, .suppress_prefixlen = -1,
	  .suppress_ifgroup = -1 },
};

static bool nexthop_alive(const struct host_nexthop *nh)
{
	return !(nh->flags & RTNH_F_DEAD);
}

static const struct host_nexthop *route_first_alive(const struct host_route *r)
{
	size_t i;

	for (i = 0; i < r->nnexthops; i++)
		if (nexthop_alive(&r->nexthops[i]))
			return &r->nexthops[i];
	return NULL;
}

static bool route_is_dead(const struct host_route *r)
{
	/* Only unicast routes depend on their nexthops being up. */
	if (r->type != RTN_UNICAST || !r->nnexthops)
		return false;
	return !route_first_alive(r);
}

/* Is a better than b for the same destination?  Longest prefix, then the
 * most specific source (IPv6 subtrees), then a TOS-specific route, then
 * the lowest metric; dump order breaks ties, as the kernel's list does. */
static bool route_better(const struct host_route *a, const struct host_route *b)
{
	if (a->dst_len != b->dst_len)
		return a->dst_len > b->dst_len;
	if (a->src_len != b->src_len)
		return a->src_len > b->src_len;
	if (a->tos != b->tos)
		return a->tos > b->tos;
	return a->priority < b->priority;
}

static const struct host_route *table_lookup(const struct host *h,
					     uint32_t table,
					     const struct host_route_query *q,
					     bool *uncertain)
{
	const struct host_route *best = NULL;
	size_t i;

	for (i = 0; i < h->nroutes; i++) {
		const struct host_route *r = &h->routes[i];

		if (r->family != q->family || r->table != table)
			continue;
		if (!host_prefix_contains(q->family, r->dst, r->dst_len,
					  q->daddr))
			continue;
		if (r->src_len) {
			if (!q->has_saddr) {
				*uncertain = true;
				continue;
			}
			if (!host_prefix_contains(q->family, r->src, r->src_len,
						  q->saddr))
				continue;
		}
		if (r->tos) {
			if (!q->has_tos) {
				*uncertain = true;
				continue;
			}
			if (r->tos != q->tos)
				continue;
		}
		if (route_is_dead(r))
			continue;
		if (best && !route_better(r, best))
			continue;
		best = r;
	}
	return best;
}

/* The VRF table an l3mdev rule selects for iif, or 0. */
static uint32_t l3mdev_table(const struct host *h, int ifindex)
{
	const struct host_link *l = host_link_by_index(h, ifindex);

	if (!l)
		return 0;
	if (strcmp(l->kind, "vrf") == 0)
		return l->vrf_table;
	if (l->master) {
		l = host_link_by_index(h, l->master);
		if (l && strcmp(l->kind, "vrf") == 0)
			return l->vrf_table;
	}
	return 0;
}

/* Does rule r select the packet?  A selector the query cannot answer sets
 * *uncertain and counts as not matching. */
static bool rule_match(const struct host *h, const struct host_rule *r,
		       const struct host_route_query *q, bool *uncertain)
{
	bool open = false, match = false;

	if (r->iifname[0]) {
		const struct host_link *l = host_link_by_index(h, q->iif);

		/* Locally generated packets have lo as iif. */
		if (q->iif ? !l || strcmp(l->name, r->iifname) != 0 :
			     strcmp(r->iifname, "lo") != 0)
			goto out;
	}
	if (r->oifname[0])
		goto out;	/* no output interface before routing */
	if (r->has_fwmark && ((q->mark ^ r->fwmark) & r->fwmask))
		goto out;
	if (r->tun_id)
		goto out;	/* a probe carries no tunnel metadata */
	if (r->l3mdev && !l3mdev_table(h, q->iif))
		goto out;
	/* The kernel routes input packets with the netns root's uid. */
	if (r->has_uid_range && r->uid_start > 0)
		goto out;
	if (r->ip_proto) {
		if (!q->proto)
			open = true;
		else if (q->proto != r->ip_proto)
			goto out;
	}
	if (r->has_sport) {
		if (!q->has_sport)
			open = true;
		else if (q->sport < r->sport_lo || q->sport > r->sport_hi)
			goto out;
	}
	if (r->has_dport) {
		if (!q->has_dport)
			open = true;
		else if (q->dport < r->dport_lo || q->dport > r->dport_hi)
			goto out;
	}
	if (r->src_len) {
		if (!q->has_saddr)
			open = true;
		else if (!host_prefix_contains(q->family, r->src, r->src_len,
					       q->saddr))
			goto out;
	}
	if (r->dst_len && !host_prefix_contains(q->family, r->dst, r->dst_len,
						q->daddr))
		goto out;
	if (r->tos) {
		if (!q->has_tos)
			open = true;
		else if (q->tos != r->tos)
			goto out;
	}
	if (r->unknown_selector || r->suppress_ifgroup >= 0)
		open = true;
	match = !open;
out:
	if (open) {
		*uncertain = true;
		return false;
	}
	return r->invert ? !match : match;
}

static void result_from_route(struct host_route_result *res,
			      const struct host_route *rt)
{
	const struct host_nexthop *nh = route_first_alive(rt);

	res->type = rt->type;
	res->table = rt->table;
	res->route = rt;
	if (nh) {
		res->oif = nh->oif;
		res->gw_family = nh->gw_family;
		res->gateway = nh->gateway;
	}
	if (rt->nh_id && (!nh || !nh->oif) && rt->type == RTN_UNICAST)
		res->uncertain = true;	/* a nexthop object we did not read */
}

int host_route_lookup(const struct host *h, const struct host_route_query *q,
		      struct host_route_result *out)
{
	struct host_route_result res = { .type = RTN_UNREACHABLE };
	const struct host_rule *rules = NULL;
	size_t nrules = 0, i, steps = 0;
	bool defaults;

	if (q->family != AF_INET && q->family != AF_INET6)
		return -EINVAL;
	defaults = q->family == AF_INET ? !h->have_rules4 : !h->have_rules6;
	if (defaults) {
		rules = q->family == AF_INET ? default_rules4 : default_rules6;
		nrules = q->family == AF_INET ? 3 : 2;
	}

	/* h->rules holds both families, each in the kernel's (priority)
	 * order; walk the ones of q->family by index. */
	for (i = 0; ; i++, steps++) {
		const struct host_rule *r;
		const struct host_route *rt;

		if (defaults) {
			if (i >= nrules)
				break;
			r = &rules[i];
		} else {
			while (i < h->nrules && h->rules[i].family != q->family)
				i++;
			if (i >= h->nrules)
				break;
			r = &h->rules[i];
		}
		if (steps > h->nrules + 3)
			break;	/* cannot happen: gotos only go forward */
		if (!rule_match(h, r, q, &res.uncertain))
			continue;

		switch (r->action) {
		case FR_ACT_TO_TBL: {
			uint32_t table = r->l3mdev ? l3mdev_table(h, q->iif) :
						     r->table;

			rt = table_lookup(h, table, q, &res.uncertain);
			if (!rt || rt->type == RTN_THROW)
				continue;
			if (r->suppress_prefixlen >= 0 &&
			    rt->dst_len <= r->suppress_prefixlen)
				continue;
			result_from_route(&res, rt);
			res.rule = defaults ? NULL : r;
			goto done;
		}
		case FR_ACT_GOTO: {
			size_t j;

			/* The target is the first rule with that priority;
			 * the kernel only accepts targets further on. */
			for (j = i + 1; j < h->nrules; j++)
				if (h->rules[j].family == q->family &&
				    h->rules[j].priority == r->goto_target)
					break;
			if (defaults || j >= h->nrules ||
			    r->goto_target <= r->priority)
				continue;
			i = j - 1;
			continue;
		}
		case FR_ACT_BLACKHOLE:
			res.type = RTN_BLACKHOLE;
			break;
		case FR_ACT_UNREACHABLE:
			res.type = RTN_UNREACHABLE;
			break;
		case FR_ACT_PROHIBIT:
			res.type = RTN_PROHIBIT;
			break;
		default:	/* FR_ACT_NOP and anything newer */
			continue;
		}
		res.rule = defaults ? NULL : r;
		goto done;
	}
	res.rule = NULL;
done:
	*out = res;
	return 0;
}

bool host_addr_is_local(const struct host *h, uint8_t family, rs_u128 addr)
{
	struct host_route_query q = { .family = family, .daddr = addr };
	struct host_route_result res;

	if (host_route_lookup(h, &q, &res) < 0)
		return false;
	return res.type == RTN_LOCAL;
}

/* ---- ingress interfaces ---- */

static bool name_has_prefix(const char *name, const char *prefix)
{
	return strncmp(name, prefix, strlen(prefix)) == 0;
}

bool host_is_container_bridge_name(const char *name)
{
	static const char *const exact[] = {
		"docker0", "docker_gwbridge", "cbr0", "kube-bridge",
	};
	static const char *const prefixes[] = {
		"cni", "virbr", "podman", "lxcbr", "lxdbr", "incusbr", "nerdctl",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exact); i++)
		if (strcmp(name, exact[i]) == 0)
			return true;
	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (name_has_prefix(name, prefixes[i]))
			return true;
	/* Docker user networks: br- and the first 12 hex digits of the id. */
	if (name_has_prefix(name, "br-") && strlen(name) == 15 &&
	    strspn(name + 3, "0123456789abcdef") == 12)
		return true;
	return false;
}

/* Kinds whose ports (slaves) do not receive packets for the host
 * themselves: the master does. */
static bool kind_is_port_master(const char *kind)
{
	return strcmp(kind, "bridge") == 0 ||
	       strcmp(kind, "openvswitch") == 0 || strcmp(kind, "bond") == 0 ||
	       strcmp(kind, "team") == 0;
}

bool host_link_is_ingress(const struct host *h, const struct host_link *l)
{
	bool global = false;
	size_t i;

	if (l->loopback)
		return false;
	if (strcmp(l->kind, "bridge") == 0 &&
	    host_is_container_bridge_name(l->name))
		return false;
	if (kind_is_port_master(l->slave_kind))
		return false;
	if (l->master) {
		const struct host_link *m = host_link_by_index(h, l->master);

		if (m && kind_is_port_master(m->kind))
			return false;
	}
	for (i = 0; i < h->naddrs && !global; i++)
		global = h->addrs[i].ifindex == l->ifindex &&
			 h->addrs[i].scope == RT_SCOPE_UNIVERSE;
	return global;
}

int host_ingress_interfaces(const struct host *h, int **ifindexes, size_t *n)
{
	int *v = NULL;
	size_t i, cnt = 0;

	for (i = 0; i < h->nlinks; i++) {
		if (!host_link_is_ingress(h, &h->links[i]))
			continue;
		if (!v) {
			v = calloc(h->nlinks, sizeof(*v));
			if (!v)
				return -ENOMEM;
		}
		v[cnt++] = h->links[i].ifindex;
	}
	/* links are sorted by ifindex, so v is too */
	*ifindexes = v;
	*n = cnt;
	return 0;
}

/* ---- effective sysctls ---- */

int host_route_localnet(const struct host *h, int ifindex)
{
	const struct host_link *l = host_link_by_index(h, ifindex);
	int all = h->sysctl.route_localnet_all;
	int dev = l ? l->sysctl.route_localnet : HOST_SYSCTL_UNKNOWN;

	if (all > 0 || dev > 0)
		return 1;
	if (all == HOST_SYSCTL_UNKNOWN || dev == HOST_SYSCTL_UNKNOWN)
		return HOST_SYSCTL_UNKNOWN;
	return 0;
}

int host_rp_filter(const struct host *h, int ifindex)
{
	const struct host_link *l = host_link_by_index(h, ifindex);
	int all = h->sysctl.rp_filter_all;
	int dev = l ? l->sysctl.rp_filter : HOST_SYSCTL_UNKNOWN;

	if (all == HOST_SYSCTL_UNKNOWN || dev == HOST_SYSCTL_UNKNOWN)
		return HOST_SYSCTL_UNKNOWN;
	return all > dev ? all : dev;
}

int host_ipv4_forwarding(const struct host *h, int ifindex)
{
	const struct host_link *l = host_link_by_index(h, ifindex);

	if (l && l->sysctl.forwarding != HOST_SYSCTL_UNKNOWN)
		return l->sysctl.forwarding;
	return l ? HOST_SYSCTL_UNKNOWN : h->sysctl.ip_forward;
}

int host_ipv6_forwarding(const struct host *h, int ifindex)
{
	const struct host_link *l = host_link_by_index(h, ifindex);

	if (h->sysctl.ipv6_forwarding > 0 ||
	    (l && l->sysctl.ipv6_force_forwarding > 0))
		return 1;
	return h->sysctl.ipv6_forwarding;
}

/* ---- listeners ---- */

static int listener_cmp(const void *a, const void *b)
{
	const struct host_listener *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->protocol != y->protocol)
		return x->protocol < y->protocol ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->bound_ifindex != y->bound_ifindex)
		return x->bound_ifindex < y->bound_ifindex ? -1 : 1;
	return 0;
}

void host_listeners_dedupe(struct host *h)
{
	size_t i, o = 0;

	if (!h->nlisteners)
		return;
	qsort(h->listeners, h->nlisteners, sizeof(*h->listeners),
	      listener_cmp);
	for (i = 1; i < h->nlisteners; i++) {
		struct host_listener *k = &h->listeners[o];
		struct host_listener *l = &h->listeners[i];

		if (listener_cmp(k, l) == 0) {
			k->nsockets += l->nsockets;
			/* One member that takes IPv4 makes the group take it. */
			if (l->v6only_known && !l->v6only)
				k->v6only = false;
			if (!k->pid && l->pid) {
				k->pid = l->pid;
				k->comm = l->comm;
				l->comm = NULL;
			}
			free(l->comm);
			continue;
		}
		h->listeners[++o] = *l;
	}
	h->nlisteners = o + 1;
}

const struct host_listener *host_listener_find(const struct host *h,
					       uint8_t family, uint8_t proto,
					       rs_u128 daddr, uint16_t dport,
					       int iif)
{
	const struct host_listener *best = NULL;
	int best_score = -1;
	size_t i;

	for (i = 0; i < h->nlisteners; i++) {
		const struct host_listener *l = &h->listeners[i];
		rs_u128 want = daddr;
		int score = 0;

		if (l->protocol != proto || l->port != dport)
			continue;
		if (l->family != family) {
			/* Only IPv4 into a dual-stack IPv6 socket, which sees
			 * it as ::ffff:a.b.c.d. */
			if (family != AF_INET || l->family != AF_INET6 ||
			    l->v6only)
				continue;
			want = ((rs_u128)0xffff << 32) | daddr;
		}
		/* The kernel looks in the exact-address bucket first, then
		 * the wildcard one; within one, a bound device scores 2
		 * against 1, and an AF_INET socket one more. */
		if (l->addr == want)
			score += 4;
		else if (l->addr != 0)
			continue;
		if (l->bound_ifindex) {
			if (iif && l->bound_ifindex != iif)
				continue;
			score += 2;
		}
		if (l->family == family)
			score += 1;
		if (score > best_score) {
			best = l;
			best_score = score;
		}
	}
	return best;
}

int host_read_retry(const char *env, host_read_once_fn once, void *data,
		    struct host **out)
{
	struct host *tmp = NULL;
	FILE *rec = NULL;
	unsigned int attempt;
	int ret = -EINTR;

	for (attempt = 0; attempt < NLD_INTR_RETRIES; attempt++) {
		host_free(tmp);
		tmp = host_new();
		if (!tmp) {
			ret = -ENOMEM;
			goto out;
		}
		if (rec)
			fclose(rec);
		/* reopened (truncated) so that only the attempt that
		 * succeeded is on record */
		ret = nld_record_open(env, &rec);
		if (ret < 0)
			goto out;
		ret = once(tmp, rec, data);
		if (ret != -EINTR)
			break;
	}
	if (ret < 0)
		goto out;
	if (rec) {
		ret = fclose(rec) == 0 ? 0 : -EIO;
		rec = NULL;
		if (ret < 0)
			goto out;
	}
	*out = tmp;
	tmp = NULL;
out:
	if (rec)
		fclose(rec);
	host_free(tmp);
	return ret;
}

const char *host_xdp_mode_name(uint8_t mode)
{
	switch (mode) {
	case 1:		return "driver";	/* XDP_ATTACHED_DRV */
	case 2:		return "generic";	/* XDP_ATTACHED_SKB */
	case 3:		return "offloaded";	/* XDP_ATTACHED_HW */
	case 4:		return "several";	/* XDP_ATTACHED_MULTI */
	default:	return "?";
	}
}

void host_tcf_describe(const struct host_tcf *f, char *buf, size_t size)
{
	if (f->prog_id)
		snprintf(buf, size, "bpf id %u name %s", f->prog_id,
			 f->name[0] ? f->name : "?");
	else
		snprintf(buf, size, "%s prio %u", f->kind, f->prio);
}

void host_tcf_texts(struct host_tcf *f, const char *ifname)
{
	char d[64];

	host_tcf_describe(f, d, sizeof(d));
	snprintf(f->what_pass, sizeof(f->what_pass), "tc filter %s on %s: pass",
		 d, ifname);
	snprintf(f->what_drop, sizeof(f->what_drop), "tc filter %s on %s: drop",
		 d, ifname);
	snprintf(f->what_arp, sizeof(f->what_arp), "tc filter %s on %s: drop, "
		 "ARP too: no neighbour learns this host's address there", d,
		 ifname);
}
