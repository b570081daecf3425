/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * host.h - the host facts the engine needs: interfaces, addresses, routes,
 * policy rules, listening sockets and the sysctls that change the answer.
 *
 * Readers fill a struct host (link.c: rtnetlink, sockets.c: sock_diag and
 * /proc, sysctl.c: /proc/sys); the engine only reads it and asks the
 * lookups below, which never touch the kernel.  Plain structs, plain arrays.
 *
 * Addresses are rs_u128 as in ruleset.h: IPv4 in the low 32 bits, IPv6 as
 * 128 bits big-endian-numeric (2001:db8:: > 2001::).  family is AF_INET or
 * AF_INET6 throughout.
 *
 * Error idiom: 0 or a negative errno; outputs written only on success;
 * destructors accept NULL.
 */
#ifndef FWAUDIT_HOST_H
#define FWAUDIT_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ruleset.h"

#define HOST_IFNAMSIZ		16
#define HOST_KINDSIZ		32

/* Bounds on what the kernel can make us allocate.  A read that would exceed
 * one fails with -E2BIG rather than returning a partial host. */
#define HOST_LINKS_MAX		(1u << 16)
#define HOST_ADDRS_MAX		(1u << 18)
#define HOST_ROUTES_MAX		(1u << 22)	/* a few full BGP tables */
#define HOST_RULES_MAX		(1u << 16)
#define HOST_NEXTHOPS_MAX	256		/* per multipath route */
#define HOST_LISTENERS_MAX	(1u << 20)
#define HOST_TCFS_MAX		(1u << 16)	/* ingress tc filters, all links */

/* A sysctl value that could not be read (file absent: module not loaded,
 * or no such interface) is HOST_SYSCTL_UNKNOWN, never an error. */
#define HOST_SYSCTL_UNKNOWN	(-1)

/* Per-interface sysctls of net.ipv4.conf.IFACE / net.ipv6.conf.IFACE. */
struct host_link_sysctl {
	int forwarding;		/* net.ipv4.conf.IFACE.forwarding */
	int route_localnet;
	int rp_filter;
	int ipv6_force_forwarding; /* net.ipv6.conf.IFACE.force_forwarding
				    * (Linux >= 6.17) */
};

struct host_link {
	int ifindex;
	char name[HOST_IFNAMSIZ];
	char kind[HOST_KINDSIZ];	/* IFLA_INFO_KIND: "veth", "bridge", ...;
					 * "" for physical NICs and lo */
	char slave_kind[HOST_KINDSIZ];	/* IFLA_INFO_SLAVE_KIND: "bridge" for a
					 * bridge port, "bond", "vrf", ... */
	int master;		/* IFLA_MASTER ifindex, 0 when none */
	int parent;		/* IFLA_LINK (vlan, macvlan, ...), 0 when none */
	unsigned int flags;	/* IFF_* */
	bool up;		/* IFF_UP */
	bool loopback;		/* IFF_LOOPBACK */
	uint32_t vrf_table;	/* kind "vrf": its routing table, else 0 */
	/* IFLA_XDP: the XDP program attached, which sees every packet that
	 * arrives here before anything fwaudit reads (0: none) */
	uint32_t xdp_prog;
	uint8_t xdp_mode;	/* XDP_ATTACHED_DRV, _SKB, _HW, _MULTI */
	/* tc filters on its ingress (or clsact ingress) qdisc, which run
	 * before netfilter too, and the first one for people: "bpf id 7
	 * name drop_all" or the classifier's kind */
	unsigned int tc_filters;
	char tc_desc[64];
	/* tcx (or netkit) BPF programs on its ingress (bpfq.c), which run
	 * with the tc filters and are never walked; the first one's id */
	unsigned int tcx_progs;
	uint32_t tcx_prog;
	struct host_link_sysctl sysctl;
};

/*
 * A filter of a link's ingress (or clsact ingress) qdisc: tc runs the
 * filters in priority order before netfilter; the first that matches and
 * does not say "continue" decides (pass on to the stack, or drop); none
 * matching passes.  tcf.c decodes what fwaudit can walk (decoded); the rest
 * keep their kind and why, and the engine forks the packets that reach
 * them both ways.
 */
enum host_tcf_action {
	HOST_TCF_PASS,		/* TC_ACT_OK: on to netfilter, no more filters */
	HOST_TCF_DROP,		/* TC_ACT_SHOT / STOLEN */
	HOST_TCF_CONTINUE,	/* TC_ACT_UNSPEC: the next filter */
};

struct host_tcf {
	int ifindex;
	uint16_t prio;
	uint16_t protocol;	/* ETH_P_ALL, ETH_P_IP, ETH_P_IPV6, ETH_P_ARP
				 * (host byte order): the packets it sees;
				 * 0: none fwaudit follows */
	uint32_t handle;
	char kind[16];		/* "u32", "flower", "matchall", "bpf", ... */
	char name[32];		/* bpf: the program's name; else empty */
	uint32_t prog_id;	/* bpf: the program's id; else 0 */
	bool decoded;		/* the fields below say all it does */
	const char *why;	/* !decoded: what fwaudit cannot walk */
	uint8_t ip_proto;	/* 0: any */
	uint8_t family;		/* NFPROTO_IPV4/IPV6 of saddr/daddr; 0: no
				 * address key */
	struct rs_interval saddr, daddr;	/* whole domain when no key */
	enum host_tcf_action action;
	/* the steps of explain, living as long as the host: "tc filter u32
	 * prio 10 on eth0: drop" (host_tcf_texts()) */
	char what_pass[112], what_drop[112], what_arp[160];
};

/* "u32 prio 10", or "bpf id 7 name drop_all": a filter for people. */
void host_tcf_describe(const struct host_tcf *f, char *buf, size_t size);
/* Fill f's what_* texts for the link named ifname. */
void host_tcf_texts(struct host_tcf *f, const char *ifname);

/* An IPVS real server (ipvs.c). */
enum host_ipvs_fwd {
	HOST_IPVS_MASQ,		/* IP_VS_CONN_F_MASQ: NAT to the server */
	HOST_IPVS_LOCAL,	/* IP_VS_CONN_F_LOCALNODE */
	HOST_IPVS_TUNNEL,	/* IP_VS_CONN_F_TUNNEL: encapsulated */
	HOST_IPVS_ROUTE,	/* IP_VS_CONN_F_DROUTE: direct routing */
	HOST_IPVS_BYPASS,	/* IP_VS_CONN_F_BYPASS */
};

struct host_ipvs_dest {
	uint8_t family;		/* AF_INET / AF_INET6 */
	rs_u128 addr;
	uint16_t port;		/* host byte order */
	uint8_t fwd;		/* enum host_ipvs_fwd */
	uint32_t weight;	/* 0: quiesced, takes no new connection */
	/* tunnel (fwd HOST_IPVS_TUNNEL): the encapsulation, from
	 * IPVS_DEST_ATTR_TUN_* (Linux 5.3; absent before: IPIP) */
	uint8_t tun_type;	/* IP_VS_CONN_F_TUNNEL_TYPE_IPIP, _GUE, _GRE */
	uint16_t tun_port;	/* GUE: the UDP port, host byte order */
	uint16_t tun_flags;	/* IP_VS_TUNNEL_ENCAP_FLAG_* */
	/* explain's step, living as long as the host: "IPVS tcp
	 * 198.51.100.10:80 (wlc): to real server 10.0.0.2:8080 (masq)" */
	char what[160];
};

/* An IPVS virtual service: VIP:port of one protocol, or a firewall mark
 * (any protocol, any address).  IPVS takes what it serves at LOCAL_IN,
 * after the filter INPUT chains. */
struct host_ipvs_svc {
	uint8_t family;		/* AF_INET / AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP/UDP/SCTP; 0 for a fwmark */
	rs_u128 addr;
	uint16_t port;		/* host byte order; 0: every port */
	uint32_t fwmark;	/* !0: a fwmark service (addr, port unset) */
	char sched[16];		/* "rr", "wlc", ... */
	uint32_t flags;		/* IP_VS_SVC_F_* */
	size_t ndests;
	struct host_ipvs_dest *dests;
};

/* A mark rule of Swarm's ingress sandbox (its mangle PREROUTING, as
 * Docker writes it for a published port: "-p tcp --dport 8080 -j MARK
 * --set-mark 256"): probes of proto to daddr and a port in range get
 * mark, which an IPVS fwmark service there sends to the tasks. */
struct host_swarm_mark {
	uint8_t proto;
	uint16_t port_lo, port_hi;
	rs_u128 daddr_lo, daddr_hi;	/* IPv4; the whole range: any */
	uint32_t mark;
	char what[96];		/* explain's step, as long as the host */
};

/* Docker Swarm's routing mesh: the ingress sandbox namespace
 * (/var/run/docker/netns/ingress_sbox) the host's DOCKER-INGRESS DNATs
 * published ports to, read by swarm.c. */
struct host_swarm {
	bool present;		/* the namespace exists */
	int error;		/* what kept it from being read (-EPERM:
				 * entering it needs CAP_SYS_ADMIN), or 0 */
	size_t naddrs;
	rs_u128 *addrs;		/* its IPv4 addresses */
	size_t nmarks;
	struct host_swarm_mark *marks;	/* in rule order */
	bool marks_exact;	/* every rule of its mangle PREROUTING is one
				 * of those or marks nothing */
	size_t nipvs;
	struct host_ipvs_svc *ipvs;	/* its IPVS services */
	int ipvs_error;
};

struct host_addr {
	uint8_t family;
	uint8_t prefixlen;
	uint8_t scope;		/* RT_SCOPE_*: UNIVERSE (global), LINK, HOST */
	uint32_t flags;		/* IFA_F_*: tentative, dadfailed, ... */
	int ifindex;
	rs_u128 addr;		/* the local address (IFA_LOCAL ?: IFA_ADDRESS) */
	rs_u128 peer;		/* point-to-point peer, equals addr otherwise */
};

struct host_nexthop {
	int oif;
	uint8_t gw_family;	/* 0 when there is no gateway; may differ from
				 * the route's family (RTA_VIA) */
	rs_u128 gateway;
	uint32_t flags;		/* RTNH_F_* (dead, linkdown, onlink) */
	uint8_t weight;		/* rtnh_hops + 1 */
};

struct host_route {
	uint8_t family;
	uint32_t table;		/* RT_TABLE_LOCAL (255), MAIN (254), ... */
	uint8_t type;		/* RTN_UNICAST, LOCAL, BROADCAST, BLACKHOLE, ... */
	uint8_t scope;
	uint8_t protocol;	/* RTPROT_* */
	uint8_t tos;
	uint32_t flags;		/* rtm_flags (RTNH_F_* of a single nexthop) */
	uint8_t dst_len;
	rs_u128 dst;
	uint8_t src_len;	/* IPv6 source-specific routes (RTA_SRC) */
	rs_u128 src;
	bool has_prefsrc;
	rs_u128 prefsrc;
	uint32_t priority;	/* metric */
	uint32_t nh_id;		/* nexthop object (RTA_NH_ID), 0 when none */
	/* The nexthops: one for a plain route (oif and gateway may be 0 for
	 * blackhole etc.), several for a multipath route. */
	size_t nnexthops;
	struct host_nexthop *nexthops;
};

/* A FIB policy rule ("ip rule"). */
struct host_rule {
	uint8_t family;
	uint32_t priority;
	uint8_t action;		/* FR_ACT_TO_TBL, GOTO, NOP, BLACKHOLE, ... */
	uint32_t table;		/* FR_ACT_TO_TBL */
	uint32_t goto_target;	/* FR_ACT_GOTO: priority of the target */
	bool invert;		/* FIB_RULE_INVERT: "not" */
	uint8_t src_len, dst_len;
	rs_u128 src, dst;
	uint8_t tos;
	char iifname[HOST_IFNAMSIZ];	/* "" = any */
	char oifname[HOST_IFNAMSIZ];
	bool has_fwmark;
	uint32_t fwmark, fwmask;
	bool l3mdev;
	bool has_uid_range;
	uint32_t uid_start, uid_end;
	uint8_t ip_proto;	/* 0 = any */
	bool has_sport, has_dport;
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	uint64_t tun_id;
	int suppress_prefixlen;	/* -1 when not set */
	int suppress_ifgroup;	/* -1 when not set */
	bool unknown_selector;	/* an attribute newer than this code */
	uint8_t protocol;	/* who installed it (RTPROT_*) */
};

struct host_listener {
	uint8_t family;
	uint8_t protocol;	/* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP */
	rs_u128 addr;		/* 0 = wildcard (0.0.0.0 or ::) */
	uint16_t port;
	/* AF_INET6 only: IPV6_V6ONLY.  A socket on :: with v6only false also
	 * receives IPv4; v6only_known is false when the kernel did not say. */
	bool v6only;
	bool v6only_known;
	int bound_ifindex;	/* SO_BINDTODEVICE, 0 = any */
	uint32_t inode;		/* of the first socket seen */
	uint32_t uid;
	unsigned int nsockets;	/* > 1 for an SO_REUSEPORT group */
	pid_t pid;		/* 0 when unknown */
	char *comm;		/* owned; NULL when unknown */
	/* cgroup inet ingress BPF programs in effect for the owner's cgroup
	 * (bpfq.c): they see every packet before the socket does
	 * (systemd's IPAddressDeny=, ...).  cgroup is the owner's cgroup v2
	 * path, owned, NULL when unknown. */
	unsigned int cgroup_progs;
	uint32_t cgroup_prog;	/* the first one's id */
	char *cgroup;
};

/* The host's net.* sysctls; each an int, HOST_SYSCTL_UNKNOWN when absent. */
struct host_sysctl {
	int ip_forward;			/* net.ipv4.ip_forward */
	int ipv6_forwarding;		/* net.ipv6.conf.all.forwarding */
	int route_localnet_all;		/* net.ipv4.conf.all.route_localnet */
	int rp_filter_all;		/* net.ipv4.conf.all.rp_filter */
	int bridge_nf_call_iptables;	/* absent without br_netfilter */
	int bridge_nf_call_ip6tables;
	int ipvs_conntrack;		/* net.ipv4.vs.conntrack: absent
					 * without IPVS */
};

/* A BPF program attached to a netfilter hook through a BPF link
 * (BPF_PROG_TYPE_NETFILTER, Linux 6.4; bpfq.c): it sees the packets of
 * that hook at its priority, among the base chains, and fwaudit cannot
 * read what it drops. */
struct host_nfbpf {
	uint32_t link_id;
	uint32_t prog_id;
	uint8_t pf;		/* NFPROTO_IPV4, NFPROTO_IPV6 */
	uint8_t hooknum;	/* NF_INET_* */
	int32_t priority;
	uint32_t flags;		/* BPF_F_NETFILTER_IP_DEFRAG */
	char name[16];		/* the program's name, may be empty */
	char tag[17];		/* its tag in hex */
};

#define HOST_NFBPF_MAX	256	/* netfilter BPF links read */

struct host {
	size_t nlinks;
	struct host_link *links;	/* sorted by ifindex */
	size_t naddrs;
	struct host_addr *addrs;
	size_t nroutes;
	struct host_route *routes;
	size_t nrules;
	struct host_rule *rules;	/* per family, in priority order */
	bool have_rules4, have_rules6;	/* the kernel answered the rule dump */
	size_t nlisteners;
	struct host_listener *listeners;	/* deduplicated */
	bool have_sctp;			/* sctp_diag answered */
	struct host_sysctl sysctl;
	/* what bpfq.c could not query (a negative errno: -EPERM without
	 * the capability, -ENOSYS without bpf(2)), 0 when all was read */
	int bpf_error;
	/* netfilter BPF links, by link id; nfbpf_error: why they were not
	 * all read (-EPERM: iterating links takes CAP_SYS_ADMIN), 0 */
	int nfbpf_error;
	size_t nnfbpf;
	struct host_nfbpf *nfbpf;
	size_t ntcfs;
	struct host_tcf *tcfs;		/* ingress tc filters: by ifindex,
					 * then in the order tc runs them */
	/* IPVS virtual services (ipvs.c), in the kernel's order; ipvs_error
	 * is what kept them from being read (-EPERM...), 0 when read or
	 * when the kernel has no IPVS */
	size_t nipvs;
	struct host_ipvs_svc *ipvs;
	int ipvs_error;
	struct host_swarm swarm;	/* Swarm's ingress sandbox (swarm.c) */
};

/* For people: "ipv4", "ipv6" (else "pf N" in a static buffer), and a
 * NF_INET_* hook's name ("prerouting", "input", ...; "hook N"). */
const char *host_nfproto_name(uint8_t pf);
const char *host_nfhook_name(uint8_t hooknum);

/* A zeroed host with every sysctl unknown, or NULL on ENOMEM. */
struct host *host_new(void);
/* Frees everything reachable from h; accepts NULL. */
void host_free(struct host *h);

/* Read every fact from the running kernel (the caller's network namespace):
 * links, addresses, routes and rules (link_read), listening sockets and
 * their owners (sockets_read, sockets_find_owners on /proc), sysctls
 * (sysctl_read on /proc/sys).  FWAUDIT_RTNL_RECORD / FWAUDIT_DIAG_RECORD
 * name files to record the netlink conversations to.  Returns 0 and a new
 * host in *out (free with host_free()), or a negative errno; a dump that
 * keeps being interrupted fails with -EINTR rather than returning a partial
 * answer.  Owner lookup failures are not errors (pid 0, comm NULL). */
int host_read(struct host **out);

/* ---- lookups: pure functions of the host ---- */

const struct host_link *host_link_by_index(const struct host *h, int ifindex);
const struct host_link *host_link_by_name(const struct host *h,
					  const char *name);

/* Is addr assigned to this host, i.e. does the routing decision deliver it
 * locally (RTN_LOCAL, so 127.0.0.5 is local too)?  Uses host_route_lookup
 * with no input interface. */
bool host_addr_is_local(const struct host *h, uint8_t family, rs_u128 addr);

/* What a routing decision needs to know about the packet.  Unset fields are
 * what a probe from outside carries: no mark, no tunnel metadata, uid 0.
 * proto/dport/sport/tos the caller does not know (0 / has_ false) make rules
 * that select on them "uncertain" rather than silently (not) matching. */
struct host_route_query {
	uint8_t family;
	rs_u128 daddr;
	bool has_saddr;
	rs_u128 saddr;
	int iif;		/* input interface; 0: locally generated (the
				 * kernel then uses lo as iif for rules) */
	uint32_t mark;
	uint8_t proto;		/* 0 = unknown */
	bool has_sport, has_dport;
	uint16_t sport, dport;
	bool has_tos;
	uint8_t tos;
};

struct host_route_result {
	uint8_t type;		/* RTN_LOCAL, UNICAST, BROADCAST, BLACKHOLE,
				 * UNREACHABLE, PROHIBIT, ...; RTN_UNREACHABLE
				 * when nothing matched (ENETUNREACH) */
	uint32_t table;		/* table the route came from, 0 for a rule
				 * action or no match */
	int oif;		/* first nexthop's interface, 0 when none */
	uint8_t gw_family;	/* 0 when no gateway */
	rs_u128 gateway;
	const struct host_route *route;	/* NULL for a rule action / no match;
					 * all nexthops of multipath are here */
	const struct host_rule *rule;	/* rule that chose the table, NULL
					 * when the default rules were assumed */
	/* A rule or route selected on something the query left open (tos,
	 * ports, an unknown selector, a VRF or nexthop object we cannot
	 * resolve): the answer is the most likely one, not a certain one. */
	bool uncertain;
};

/* The kernel's FIB lookup: policy rules in priority order (the default
 * local/main/default rules when the kernel gave none), each table by
 * longest prefix, then lowest metric; throw routes and suppress_prefixlength
 * continue with the next rule, as in the kernel.  Dead nexthops are skipped.
 * Fills *res and returns 0, or -EINVAL for a bad query. */
int host_route_lookup(const struct host *h, const struct host_route_query *q,
		      struct host_route_result *res);

/* Ingress interfaces (doc/HACKING.md, "Words"): every non-loopback link with a global
 * (RT_SCOPE_UNIVERSE) address that is neither a container bridge (kind
 * "bridge" named docker0, br-<12 hex>, docker_gwbridge, cni*, virbr*,
 * podman*, lxcbr*, lxdbr*, cbr0, kube-bridge) nor a port of a bridge
 * (master is a bridge or openvswitch) or of a bond/team.  A link that is
 * down still counts: it is one "ip link set up" away. */
bool host_link_is_ingress(const struct host *h, const struct host_link *l);
/* The ifindexes of all ingress interfaces, ascending, in a new array the
 * caller frees (NULL when *n is 0).  0 or -ENOMEM. */
int host_ingress_interfaces(const struct host *h, int **ifindexes, size_t *n);
/* Is the name one of the container-bridge names above? */
bool host_is_container_bridge_name(const char *name);

/* Effective per-interface values, as the kernel combines all/IFACE:
 * route_localnet = all || iface, rp_filter = max(all, iface); IPv4
 * forwarding is the input interface's own value (writing "all" copies to
 * every interface); IPv6 forwarding is the global value unless the
 * interface forces it.  HOST_SYSCTL_UNKNOWN when not known. */
/* "driver", "generic", "offloaded", "several" for an XDP_ATTACHED_*
 * mode. */
const char *host_xdp_mode_name(uint8_t mode);
int host_route_localnet(const struct host *h, int ifindex);
int host_rp_filter(const struct host *h, int ifindex);
int host_ipv4_forwarding(const struct host *h, int ifindex);
int host_ipv6_forwarding(const struct host *h, int ifindex);

/* The listener the kernel would hand a new connection/datagram for
 * (family, proto, daddr, dport) arriving on iif (0 = any): an exact address
 * before a wildcard, a socket bound to iif before an unbound one, an AF_INET
 * socket before a dual-stack AF_INET6 one.  NULL when nothing listens. */
const struct host_listener *host_listener_find(const struct host *h,
					       uint8_t family, uint8_t proto,
					       rs_u128 daddr, uint16_t dport,
					       int iif);

/* ---- address helpers ---- */

/* bytes: a struct in_addr (4 bytes) or in6_addr (16), network order. */
rs_u128 host_addr_from_bytes(uint8_t family, const void *bytes);
/* Inverse; out must hold 4 or 16 bytes. */
void host_addr_to_bytes(uint8_t family, rs_u128 addr, void *out);
/* Is addr inside prefix/len (len beyond the family's width is clamped)? */
bool host_prefix_contains(uint8_t family, rs_u128 prefix, uint8_t len,
			  rs_u128 addr);
/* "198.51.100.1" / "2001:db8::1" into buf (INET6_ADDRSTRLEN bytes);
 * returns buf. */
const char *host_addr_str(uint8_t family, rs_u128 addr, char *buf,
			  size_t len);
/* Parse a numeric address of the family; 0 or -EINVAL. */
int host_addr_parse(uint8_t family, const char *s, rs_u128 *out);

#endif
