// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * matches.c - what a match compares for a branch's probes, and one
 * match against a region: the part it holds for, the part it does not.
 * Part of the walk: see engine.c and walk.h.
 */
#include <linux/ip_vs.h>

#include "array.h"
#include "walk.h"

static bool has_ct(const struct walk *w, const struct branch *b)
{
	return !w->before_conntrack && !b->untracked && !w->ct_invalid;
}

static uint8_t route_type(const struct walk *w, rs_u128 addr)
{
	struct host_route_query q = { .family = w->family, .daddr = addr };
	struct host_route_result res;

	if (!w->host) {
		if (is_v4(w) && (addr >> 24) == 127)
			return RTN_LOCAL;
		if (!is_v4(w) && addr == 1)
			return RTN_LOCAL;
		return RTN_UNICAST;
	}
	if (host_route_lookup(w->host, &q, &res) < 0)
		return RTN_UNREACHABLE;
	return res.type;
}

/* The header fields of a packet the host itself sends (the server's
 * answer) or that a neighbour sends for neighbour discovery: chosen by
 * their sender's stack, not by the stranger.  Linux answers with TTL and
 * hop limit 64 (the sysctl defaults), TOS 0, DF set, no IPv4 options or
 * IPv6 extension headers; its TCP options and the length depend on what
 * the client offered.  A neighbour solicitation has hop limit 255 (RFC
 * 4861 requires it), traffic class 0, and is 72 bytes with its source
 * link-layer address option.  A backend's answer (forwarded) is the
 * backend's business. */
static enum resolved resolve_host_header(const struct walk *w,
					 enum rs_field f, rs_u128 *val)
{
	bool v4 = is_v4(w), local = w->nd || w->reply_local;

	switch (f) {
	case RS_F_IP_FRAGOFF:
	case RS_F_IP_OPTIONS:
		if (!v4)
			return RES_ABSENT;
		if (f == RS_F_IP_OPTIONS) {
			*val = 0;
			return RES_FIXED;
		}
		*val = 0x4000;
		break;
	case RS_F_IP6_EXTHDRS:
	case RS_F_IP6_RT_TYPE:
		if (v4)
			return RES_ABSENT;
		/* no server's stack puts a routing or other extension
		 * header into a SYN-ACK, a backend's neither */
		*val = f == RS_F_IP6_RT_TYPE ? RS_ABSENT : 0;
		return RES_FIXED;
	case RS_F_TCP_OPTIONS:
	case RS_F_TCP_MSS:
		if (w->nd || w->proto != IPPROTO_TCP)
			return RES_ABSENT;
		return RES_UNKNOWN;
	case RS_F_IP_TTL:
		*val = w->nd ? 255 : 64;
		break;
	case RS_F_IP_TOS:
		*val = 0;
		break;
	case RS_F_IP_LENGTH:
		if (!w->nd)
			return RES_UNKNOWN;
		*val = 72;
		break;
	default:
		return RES_UNKNOWN;
	}
	return local ? RES_FIXED : RES_UNKNOWN;
}

/* The fields of the server's answer that differ from the probe's, in the
 * probe's dimensions: its source is the probe's destination (after NAT),
 * its destination the probe's source, it leaves on the probe's ingress
 * interface.  RES_NOTSET: the same as for the probe. */
static enum resolved resolve_reply(const struct walk *w,
				   const struct branch *b, enum rs_field f,
				   enum region_dim *dim, rs_u128 *val,
				   enum xform *xf)
{
	bool v4 = is_v4(w);

	switch (f) {
	case RS_F_IIFNAME:
	case RS_F_IIF:
		if (w->reply_local)
			return RES_ABSENT;
		if (!b->oif_known)
			return RES_UNKNOWN;
		*val = f == RS_F_IIF ? (rs_u128)b->oif : b->oif_key;
		return RES_FIXED;
	case RS_F_OIFNAME:
		*dim = REGION_IIF;
		return RES_DIM;
	case RS_F_OIF:
		*dim = REGION_IIF;
		*xf = XF_IFINDEX;
		return RES_DIM;
	case RS_F_IP_SADDR:
	case RS_F_IP6_SADDR:
		if (v4 != (f == RS_F_IP_SADDR))
			return RES_ABSENT;
		if (b->nat && !w->after_snat) {
			*val = b->nat_addr;
			return RES_FIXED;
		}
		*dim = REGION_DADDR;
		return RES_DIM;
	case RS_F_IP_DADDR:
	case RS_F_IP6_DADDR:
		if (v4 != (f == RS_F_IP_DADDR))
			return RES_ABSENT;
		*dim = REGION_SADDR;
		return RES_DIM;
	case RS_F_SPORT:
		if (b->nat_port && !w->after_snat) {
			if (b->nat_port_lo != b->nat_port_hi)
				return RES_UNKNOWN;
			*val = b->nat_port_lo;
			return RES_FIXED;
		}
		*dim = REGION_DPORT;
		return RES_DIM;
	case RS_F_DPORT:
		*dim = REGION_SPORT;
		return RES_DIM;
	case RS_F_TCP_FLAGS:
		if (w->proto != IPPROTO_TCP)
			return RES_ABSENT;
		*val = 0x12;	/* SYN-ACK */
		return RES_FIXED;
	case RS_F_CT_DIRECTION:
		if (b->untracked || w->ct_invalid)
			return RES_ABSENT;
		*val = IP_CT_DIR_ORIGINAL + 1;
		return RES_FIXED;
	case RS_F_FIB_DADDR_TYPE:
		*val = RTN_UNICAST;	/* the client */
		return RES_FIXED;
	case RS_F_FIB_SADDR_TYPE:
		*val = w->reply_local ? RTN_LOCAL : RTN_UNICAST;
		return RES_FIXED;
	case RS_F_IP_TTL:
	case RS_F_IP_TOS:
	case RS_F_IP_FRAGOFF:
	case RS_F_IP_OPTIONS:
	case RS_F_IP6_EXTHDRS:
	case RS_F_IP6_RT_TYPE:
	case RS_F_IP_LENGTH:
	case RS_F_TCP_OPTIONS:
	case RS_F_TCP_MSS:
		return resolve_host_header(w, f, val);
	default:
		return RES_NOTSET;
	}
}

/* The fields of the host's own answer (engine_answer()) that differ from
 * a server's: its protocol, its header, its conntrack state.
 * RES_NOTSET: as for a server's answer. */
static enum resolved resolve_answer(const struct walk *w,
				    const struct branch *b, enum rs_field f,
				    rs_u128 *val)
{
	bool icmp = w->answer_kind == ENGINE_ANSWER_UNREACH, v4 = is_v4(w);

	switch (f) {
	case RS_F_L4PROTO:
		*val = !icmp ? IPPROTO_TCP : v4 ? IPPROTO_ICMP :
		       IPPROTO_ICMPV6;
		return RES_FIXED;
	case RS_F_SPORT:
	case RS_F_DPORT:
		return icmp ? RES_ABSENT : RES_NOTSET;
	case RS_F_ICMP_TYPE:
	case RS_F_ICMP_CODE:
		if (!icmp || !v4)
			return RES_ABSENT;
		*val = 3;	/* destination unreachable, port unreachable */
		return RES_FIXED;
	case RS_F_ICMPV6_TYPE:
	case RS_F_ICMPV6_CODE:
		if (!icmp || v4)
			return RES_ABSENT;
		*val = f == RS_F_ICMPV6_TYPE ? 1 : 4;
		return RES_FIXED;
	case RS_F_TCP_FLAGS:
		if (icmp)
			return RES_ABSENT;
		*val = 0x14;	/* RST, ACK: the answer to a SYN */
		return RES_FIXED;
	case RS_F_TCP_OPTIONS:
		if (icmp)
			return RES_ABSENT;
		*val = 0;
		return RES_FIXED;
	case RS_F_TCP_MSS:
		return RES_ABSENT;
	case RS_F_CT_STATE:
		if (b->untracked)
			return RES_NOTSET;
		/* the stack's RST finds the probe's entry (reply
		 * direction); a reject and an ICMP error are attached to
		 * it as related */
		*val = w->answer_kind == ENGINE_ANSWER_RST ?
		       RS_CT_STATE_ESTABLISHED : RS_CT_STATE_RELATED;
		return RES_FIXED;
	case RS_F_CT_STATUS:
		if (!has_ct(w, b))
			return RES_ABSENT;
		*val = b->ct_dnat ? IPS_DST_NAT | IPS_DST_NAT_DONE : 0;
		if (w->answer_kind == ENGINE_ANSWER_RST)
			*val |= IPS_SEEN_REPLY;
		return RES_FIXED;
	default:
		return RES_NOTSET;
	}
}

/* The protocol of the outer packet IPVS tunnels to d (ip_vs_tunnel_xmit():
 * the client's IPv4 in IPIP, IPv6 in IPPROTO_IPV6; GRE and GUE wrap that),
 * or -1 for a tunnel type this code does not know. */
static int tunnel_proto(const struct branch *b)
{
	switch (b->ipvs_out->tun_type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_IPIP:
		return b->ipvs_out_svc->family == AF_INET6 ? IPPROTO_IPV6 :
		       IPPROTO_IPIP;
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
		return IPPROTO_UDP;
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
		return IPPROTO_GRE;
	default:
		return -1;
	}
}

/*
 * The fields of the outer packet IPVS sends a tunnel real server
 * (w->ipvs_tunnel; w->family is the real server's): a new packet of the
 * host from its address toward the real server, without input interface
 * (ip_local_out()), with the client's mark, a conntrack entry of its own
 * (nf_reset_ct(), then LOCAL_OUT's conntrack: ct state new, no reply ever
 * seen), and no ports but GUE's UDP ones: nft's th reads the header after
 * the outer one whatever it is (the client's IP header, GRE's), a sender's
 * business; GUE's source port is a hash of the client's flow.  TTL and
 * traffic class are the client's (less one), the rest the host's.
 * RES_NOTSET: as for any packet.
 */
static enum resolved resolve_tunnel(const struct walk *w,
				    const struct branch *b, enum rs_field f,
				    rs_u128 *val)
{
	const struct host_ipvs_dest *d = b->ipvs_out;
	bool v4 = is_v4(w), gue = d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE;
	bool same = b->ipvs_out_svc->family == d->family;
	int proto = tunnel_proto(b);

	switch (f) {
	case RS_F_IIFNAME:
	case RS_F_IIF:
	case RS_F_IIFTYPE:
		return RES_ABSENT;
	case RS_F_L4PROTO:
		if (proto < 0)
			return RES_UNKNOWN;
		*val = (rs_u128)proto;
		return RES_FIXED;
	case RS_F_IP_SADDR:
	case RS_F_IP6_SADDR:
	case RS_F_CT_ORIG_SADDR4:
	case RS_F_CT_ORIG_SADDR6:
	case RS_F_CT_REPL_DADDR4:
	case RS_F_CT_REPL_DADDR6:
		if (v4 != (f == RS_F_IP_SADDR || f == RS_F_CT_ORIG_SADDR4 ||
			   f == RS_F_CT_REPL_DADDR4) ||
		    (f != RS_F_IP_SADDR && f != RS_F_IP6_SADDR && !has_ct(w, b)))
			return RES_ABSENT;
		if (!b->tun_src_known)
			return RES_UNKNOWN;
		*val = b->tun_src;
		return RES_FIXED;
	case RS_F_IP_DADDR:
	case RS_F_IP6_DADDR:
	case RS_F_CT_ORIG_DADDR4:
	case RS_F_CT_ORIG_DADDR6:
	case RS_F_CT_REPL_SADDR4:
	case RS_F_CT_REPL_SADDR6:
		if (v4 != (f == RS_F_IP_DADDR || f == RS_F_CT_ORIG_DADDR4 ||
			   f == RS_F_CT_REPL_SADDR4) ||
		    (f != RS_F_IP_DADDR && f != RS_F_IP6_DADDR && !has_ct(w, b)))
			return RES_ABSENT;
		*val = d->addr;
		return RES_FIXED;
	case RS_F_SPORT:
		return RES_UNKNOWN;
	case RS_F_DPORT:
		if (!gue)
			return RES_UNKNOWN;
		*val = d->tun_port;
		return RES_FIXED;
	case RS_F_CT_ORIG_SPORT:
	case RS_F_CT_REPL_DPORT:
	case RS_F_CT_ORIG_DPORT:
	case RS_F_CT_REPL_SPORT:
		if (!has_ct(w, b))
			return RES_ABSENT;
		if (proto < 0 ||
		    (gue && (f == RS_F_CT_ORIG_SPORT || f == RS_F_CT_REPL_DPORT)))
			return RES_UNKNOWN;
		/* a tuple without ports (IPIP, GRE version 0) holds 0 */
		*val = gue ? d->tun_port : 0;
		return RES_FIXED;
	case RS_F_ICMP_TYPE:
	case RS_F_ICMP_CODE:
	case RS_F_ICMPV6_TYPE:
	case RS_F_ICMPV6_CODE:
	case RS_F_TCP_FLAGS:
	case RS_F_TCP_OPTIONS:
	case RS_F_TCP_MSS:
		return RES_ABSENT;
	case RS_F_IP_TTL:
		/* the client's less one (decrement_ttl()), as the sender's
		 * choice after routing reads it, within one family */
		return same ? RES_NOTSET : RES_UNKNOWN;
	case RS_F_IP_TOS:
	case RS_F_IP_LENGTH:
		return RES_UNKNOWN;
	case RS_F_IP_FRAGOFF:
		return v4 ? RES_UNKNOWN : RES_ABSENT;
	case RS_F_IP_OPTIONS:
		if (!v4)
			return RES_ABSENT;
		*val = 0;
		return RES_FIXED;
	case RS_F_IP6_EXTHDRS:
	case RS_F_IP6_RT_TYPE:
		if (v4)
			return RES_ABSENT;
		*val = f == RS_F_IP6_RT_TYPE ? RS_ABSENT : 0;
		return RES_FIXED;
	case RS_F_CT_STATE:
		if (b->untracked)
			*val = RS_CT_STATE_UNTRACKED;
		else if (w->before_conntrack)
			*val = RS_CT_STATE_INVALID;
		else
			*val = RS_CT_STATE_NEW;
		return RES_FIXED;
	case RS_F_CT_STATUS:
		if (!has_ct(w, b))
			return RES_ABSENT;
		*val = 0;
		return RES_FIXED;
	case RS_F_FIB_DADDR_TYPE:
		*val = route_type(w, d->addr);
		return RES_FIXED;
	case RS_F_FIB_SADDR_TYPE:
		*val = RTN_LOCAL;	/* one of the host's own */
		return RES_FIXED;
	default:
		return RES_NOTSET;
	}
}

enum resolved eng_resolve(const struct walk *w, const struct branch *b,
		      enum rs_field f, enum region_dim *dim,
		      rs_u128 *val, enum xform *xf)
{
	bool v4 = is_v4(w);

	*xf = XF_NONE;
	if (w->answer) {
		enum resolved a = resolve_answer(w, b, f, val);

		if (a != RES_NOTSET)
			return a;
	}
	if (w->bridge || w->bridge_out) {
		switch (f) {
		case RS_F_IIFNAME:
		case RS_F_IIF:
			/* a frame the bridge device sends has no input
			 * port (__br_forward() with local_orig): nft sees
			 * "" and 0, ebtables' -i does not match */
			if (w->bridge_out)
				return RES_NOTSET;
			/* the bridge family sees the port a frame came in
			 * on, not the bridge: the only port, or, of
			 * several, one not known here */
			if (!w->bridge_port)
				return RES_UNKNOWN;
			*val = f == RS_F_IIF ?
			       (rs_u128)w->bridge_port->ifindex :
			       rs_ifname_key(w->bridge_port->name);
			return RES_FIXED;
		case RS_F_OIFNAME:
		case RS_F_OIF:
			/* prerouting and input: no output port yet */
			if (!w->bridge_out)
				return RES_ABSENT;
			/* output, postrouting: the port towards the
			 * backend, known where the bridge has one */
			if (!w->bridge_port)
				return RES_UNKNOWN;
			*val = f == RS_F_OIF ?
			       (rs_u128)w->bridge_port->ifindex :
			       rs_ifname_key(w->bridge_port->name);
			return RES_FIXED;
		case RS_F_IBRNAME:
			/* no input port, no bridge of it (nft breaks) */
			if (w->bridge_out)
				return RES_ABSENT;
			/* a server's answer comes in on the bridge the
			 * probe left through */
			if (w->reply) {
				if (!b->oif_known)
					return RES_UNKNOWN;
				*val = b->oif_key;
				return RES_FIXED;
			}
			/* the bridge: the branch arrived on it */
			*dim = REGION_IIF;
			return RES_DIM;
		case RS_F_NFPROTO:
			*val = NFPROTO_BRIDGE;
			return RES_FIXED;
		default:
			break;	/* the frame's IP header as for inet */
		}
	}
	if (w->reply) {
		switch (resolve_reply(w, b, f, dim, val, xf)) {
		case RES_DIM:
			return RES_DIM;
		case RES_FIXED:
			return RES_FIXED;
		case RES_ABSENT:
			return RES_ABSENT;
		case RES_UNKNOWN:
		case RES_CHOICE:
			return RES_UNKNOWN;
		case RES_NOTSET:
			break;	/* as for the probe */
		}
	}
	if (w->ipvs_tunnel && b->ipvs_out) {
		enum resolved t = resolve_tunnel(w, b, f, val);

		if (t != RES_NOTSET)
			return t;
	} else if (w->ipvs_request && b->ipvs_out) {
		/* sent by IPVS from LOCAL_IN: no input interface; masq
		 * addressed to the real server, direct routing unchanged */
		bool masq = b->ipvs_out->fwd == HOST_IPVS_MASQ;

		switch (f) {
		case RS_F_IIFNAME:
		case RS_F_IIF:
			return RES_ABSENT;
		case RS_F_IP_DADDR:
		case RS_F_IP6_DADDR:
			if (!masq || v4 != (f == RS_F_IP_DADDR))
				break;
			*val = b->ipvs_out->addr;
			return RES_FIXED;
		case RS_F_DPORT:
			if (!masq || !b->ipvs_out->port)
				break;
			*val = b->ipvs_out->port;
			return RES_FIXED;
		default:
			break;
		}
	}
	if (w->nd) {
		switch (f) {
		case RS_F_ICMPV6_TYPE:
			*val = w->nd_type;
			return RES_FIXED;
		case RS_F_ICMPV6_CODE:
			*val = 0;
			return RES_FIXED;
		case RS_F_SPORT:
		case RS_F_DPORT:
			return RES_ABSENT;
		case RS_F_FIB_DADDR_TYPE:
			*val = RTN_MULTICAST;
			return RES_FIXED;
		case RS_F_PKTTYPE:
			*val = PACKET_MULTICAST;
			return RES_FIXED;
		case RS_F_IP_TTL:
		case RS_F_IP_TOS:
		case RS_F_IP_FRAGOFF:
		case RS_F_IP_OPTIONS:
		case RS_F_IP6_EXTHDRS:
		case RS_F_IP6_RT_TYPE:
		case RS_F_IP_LENGTH:
		case RS_F_TCP_OPTIONS:
		case RS_F_TCP_MSS:
			return resolve_host_header(w, f, val);
		default:
			break;
		}
	}
	switch (f) {
	case RS_F_IIFNAME:
		*dim = REGION_IIF;
		return RES_DIM;
	case RS_F_IIF:
		*dim = REGION_IIF;
		*xf = XF_IFINDEX;
		return RES_DIM;
	case RS_F_OIFNAME:
	case RS_F_OIF:
		if (!after_routing(w))
			return RES_ABSENT;
		if (!b->oif_known)
			return RES_UNKNOWN;
		*val = f == RS_F_OIF ? (rs_u128)b->oif : b->oif_key;
		return RES_FIXED;
	case RS_F_IIFTYPE:
		*val = 1;	/* ARPHRD_ETHER: probes come from a NIC */
		return RES_FIXED;
	case RS_F_NFPROTO:
		*val = w->family;
		return RES_FIXED;
	case RS_F_ETHERTYPE:
		*val = v4 ? 0x0800 : 0x86dd;
		return RES_FIXED;
	case RS_F_L4PROTO:
		*val = w->proto;
		return RES_FIXED;
	case RS_F_IP_SADDR:
	case RS_F_IP6_SADDR:
		if (v4 != (f == RS_F_IP_SADDR))
			return RES_ABSENT;
		*dim = REGION_SADDR;
		return RES_DIM;
	case RS_F_IP_DADDR:
	case RS_F_IP6_DADDR:
		if (v4 != (f == RS_F_IP_DADDR))
			return RES_ABSENT;
		if (b->nat && !w->before_dnat) {
			*val = b->nat_addr;
			return RES_FIXED;
		}
		*dim = REGION_DADDR;
		return RES_DIM;
	case RS_F_SPORT:
		*dim = REGION_SPORT;
		return RES_DIM;
	case RS_F_DPORT:
		if (b->nat_port && !w->before_dnat) {
			if (b->nat_port_lo != b->nat_port_hi)
				return RES_UNKNOWN;
			*val = b->nat_port_lo;
			return RES_FIXED;
		}
		*dim = REGION_DPORT;
		return RES_DIM;
	case RS_F_ICMP_TYPE:
	case RS_F_ICMP_CODE:
	case RS_F_ICMPV6_TYPE:
	case RS_F_ICMPV6_CODE:
		/* probes are tcp/udp/sctp: no icmp header to compare */
		return RES_ABSENT;
	case RS_F_TCP_FLAGS:
	case RS_F_TCP_OPTIONS:
	case RS_F_TCP_MSS:
		/* a probe is a SYN, the handshake's next packet an ACK:
		 * other flags and the options are the sender's */
		if (w->proto != IPPROTO_TCP)
			return RES_ABSENT;
		return RES_CHOICE;
	case RS_F_IP_TTL:
	case RS_F_IP_TOS:
	case RS_F_IP_LENGTH:
		return RES_CHOICE;
	case RS_F_IP_FRAGOFF:
	case RS_F_IP_OPTIONS:
		return v4 ? RES_CHOICE : RES_ABSENT;
	case RS_F_IP6_EXTHDRS:
	case RS_F_IP6_RT_TYPE:
		return v4 ? RES_ABSENT : RES_CHOICE;
	case RS_F_CT_STATE:
		if (b->untracked)
			*val = RS_CT_STATE_UNTRACKED;
		else if (w->before_conntrack || w->ct_invalid)
			*val = RS_CT_STATE_INVALID;
		else if (w->established)
			*val = RS_CT_STATE_ESTABLISHED;
		else if (w->in->related)
			*val = RS_CT_STATE_RELATED;
		else
			*val = RS_CT_STATE_NEW;
		return RES_FIXED;
	case RS_F_CT_STATUS:
		if (!has_ct(w, b))
			return RES_ABSENT;
		*val = b->ct_dnat ? IPS_DST_NAT | IPS_DST_NAT_DONE : 0;
		if (w->in->related)
			*val |= IPS_EXPECTED;
		if (w->established)
			*val |= IPS_SEEN_REPLY | IPS_ASSURED;
		return RES_FIXED;
	case RS_F_CT_DIRECTION:
		if (!has_ct(w, b))
			return RES_ABSENT;
		*val = IP_CT_DIR_ORIGINAL;
		return RES_FIXED;
	case RS_F_CT_MARK:
		if (!has_ct(w, b))
			return RES_ABSENT;
		*val = b->ctmark;
		return RES_FIXED;
	case RS_F_CT_ORIG_SADDR4:
	case RS_F_CT_ORIG_SADDR6:
	case RS_F_CT_REPL_DADDR4:
	case RS_F_CT_REPL_DADDR6:
		if (!has_ct(w, b) ||
		    v4 != (f == RS_F_CT_ORIG_SADDR4 || f == RS_F_CT_REPL_DADDR4))
			return RES_ABSENT;
		*dim = REGION_SADDR;
		return RES_DIM;
	case RS_F_CT_ORIG_DADDR4:
	case RS_F_CT_ORIG_DADDR6:
		if (!has_ct(w, b) || v4 != (f == RS_F_CT_ORIG_DADDR4))
			return RES_ABSENT;
		*dim = REGION_DADDR;
		return RES_DIM;
	case RS_F_CT_REPL_SADDR4:
	case RS_F_CT_REPL_SADDR6:
		if (!has_ct(w, b) || v4 != (f == RS_F_CT_REPL_SADDR4))
			return RES_ABSENT;
		if (b->nat) {
			*val = b->nat_addr;
			return RES_FIXED;
		}
		*dim = REGION_DADDR;
		return RES_DIM;
	case RS_F_CT_ORIG_SPORT:
	case RS_F_CT_REPL_DPORT:
		if (!has_ct(w, b))
			return RES_ABSENT;
		*dim = REGION_SPORT;
		return RES_DIM;
	case RS_F_CT_ORIG_DPORT:
		if (!has_ct(w, b))
			return RES_ABSENT;
		*dim = REGION_DPORT;
		return RES_DIM;
	case RS_F_CT_REPL_SPORT:
		if (!has_ct(w, b))
			return RES_ABSENT;
		if (b->nat_port) {
			if (b->nat_port_lo != b->nat_port_hi)
				return RES_UNKNOWN;
			*val = b->nat_port_lo;
			return RES_FIXED;
		}
		*dim = REGION_DPORT;
		return RES_DIM;
	case RS_F_FIB_DADDR_TYPE:
		/* a probe is addressed to one of the host's own addresses,
		 * a direct one to a container network's unicast addresses
		 * (Docker's DNAT, behind "--dst-type LOCAL", misses it) */
		*val = b->nat && !w->before_dnat ?
		       route_type(w, b->nat_addr) :
		       b->direct ? RTN_UNICAST : RTN_LOCAL;
		return RES_FIXED;
	case RS_F_FIB_SADDR_TYPE:
		*val = RTN_UNICAST;	/* a stranger's own address */
		return RES_FIXED;
	case RS_F_MARK:
		*val = b->mark;
		return RES_FIXED;
	case RS_F_PKTTYPE:
		*val = PACKET_HOST;
		return RES_FIXED;
	case RS_F_SKUID:
	case RS_F_SKGID:
		/* no socket is attached to an arriving first packet */
		return RES_ABSENT;
	case RS_F_PHYSDEV_IN:
	case RS_F_PHYSDEV_OUT:
		/* routed probes are not bridged: xt_physdev matches the
		 * negated forms only */
		return RES_NOTSET;
	case RS_F_IBRNAME:
		/* outside the bridge family's hooks there is no bridge */
		return RES_ABSENT;
	default:
		/* MAC addresses anyone on the link can forge, ipsets whose
		 * contents we do not have, fib oif (rpfilter), raw payload,
		 * and every match we do not know */
		return RES_UNKNOWN;
	}
}

/* Interface-name keys of the links whose ifindex is in iv. */
static int ifindex_keys(const struct walk *w, const struct rs_interval *iv,
			struct rs_interval **out, size_t *n, size_t *cap)
{
	static const struct host_link lo = { .ifindex = 1, .name = "lo" };
	size_t i, nl = w->host ? w->host->nlinks : 1;
	int ret;

	/* without host facts the ruleset was loaded into a network
	 * namespace of its own (rsfile.c), where nft resolved every iif
	 * name: index 1 is lo and no other interface is there */
	for (i = 0; i < nl; i++) {
		const struct host_link *l = w->host ? &w->host->links[i] : &lo;

		if (!in_iv((rs_u128)l->ifindex, iv))
			continue;
		ret = array_grow(out, cap, *n, sizeof(**out), SIZE_MAX, 8);
		if (ret < 0)
			return ret;
		(*out)[*n].lo = (*out)[*n].hi = rs_ifname_key(l->name);
		(*n)++;
	}
	return 0;
}

/*
 * Split cur link by link along the source ranges of the reverse path: *in
 * gets the probes for which keep() holds (and, with none_in, those on
 * interface names no link has: no packet arrives there), *out the rest;
 * two new regions.  Returns 0 or -errno.
 */
int rpath_split(const struct walk *w, const struct rpath *rp,
		const struct region *cur, rpath_pred keep,
		const void *ctx, bool none_in, struct region **in,
		struct region **out)
{
	const struct rs_interval *set[REGION_NDIMS] = { NULL };
	size_t nset[REGION_NDIMS] = { 0 };
	struct rs_interval *ivs = NULL, *keys = NULL, *whole = NULL, iifk;
	struct region *acc, *rest, *part;
	size_t i, k, nivs, ncap = 0, nkeys = 0, kcap = 0, nwhole = 0, wcap = 0;
	int ret = 0;

	acc = region_new_empty();
	rest = region_copy(cur);
	if (!acc || !rest) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < w->host->nlinks && !ret; i++) {
		const struct host_link *l = &w->host->links[i];

		iifk.lo = iifk.hi = rs_ifname_key(l->name);
		ret = iv_push(&keys, &nkeys, &kcap, &iifk);
		nivs = 0;
		for (k = 0; !ret && k < rp->n; k++) {
			if (!keep(ctx, &rp->ranges[k], l))
				continue;
			/* the ranges are ascending and adjacent */
			if (nivs && ivs[nivs - 1].hi + 1 == rp->ranges[k].lo)
				ivs[nivs - 1].hi = rp->ranges[k].hi;
			else
				ret = iv_push(&ivs, &nivs, &ncap,
					      &(struct rs_interval){
						rp->ranges[k].lo,
						rp->ranges[k].hi });
		}
		if (ret || !nivs)
			continue;
		/* every source kept (a default route): one cut by interface
		 * for all such links, below */
		if (nivs == 1 && ivs[0].lo == rp->ranges[0].lo &&
		    ivs[0].hi == rp->ranges[rp->n - 1].hi) {
			ret = iv_push(&whole, &nwhole, &wcap, &iifk);
			continue;
		}
		set[REGION_IIF] = &iifk;
		nset[REGION_IIF] = 1;
		set[REGION_SADDR] = ivs;
		nset[REGION_SADDR] = nivs;
		part = NULL;
		ret = region_split_off_product(rest, set, nset, &part);
		if (!ret)
			ret = region_append(acc, part);
		region_free(part);
	}
	if (!ret && nwhole) {
		part = NULL;
		ret = region_split_off(rest, REGION_IIF, whole, nwhole, &part);
		if (!ret)
			ret = region_append(acc, part);
		region_free(part);
	}
	if (!ret && none_in) {
		struct region *none = region_copy(rest);

		part = NULL;
		ret = none ? region_split_off(none, REGION_IIF, keys, nkeys,
					      &part) : -ENOMEM;
		region_free(part);
		if (!ret)
			ret = region_subtract(rest, none);
		if (!ret)
			ret = region_append(acc, none);
		region_free(none);
	}
out:
	free(ivs);
	free(keys);
	free(whole);
	if (ret) {
		region_free(acc);
		region_free(rest);
		return ret;
	}
	*in = acc;
	*out = rest;
	return 0;
}

/* Does any single-field element of m hold v? */
static bool elems_hold(const struct rs_match *m, rs_u128 v)
{
	const struct rs_interval *el;
	size_t nel, e;

	el = rs_match_elems(m, &nel);
	for (e = 0; e < nel; e++)
		if (in_iv(v, &el[e]))
			return true;
	return false;
}

static bool fib_match_keep(const void *ctx, const struct rpath_range *r,
			   const struct host_link *l)
{
	const struct rs_match *m = ctx;

	return elems_hold(m, rpath_oif(r, l,
				       m->fields[0] == RS_F_FIB_SADDR_IIF_OIF));
}

/*
 * rpfilter: "fib saddr [. iif] oif" compared with m's elements.  The answer
 * depends on the input interface and on which routes hold the source.
 * Returns 0, 1 when it cannot be decided here, or -errno.
 */
static int fib_saddr_inset(const struct walk *w, const struct rs_match *m,
			   const struct region *cur, struct region **inset,
			   struct region **outset)
{
	const struct rpath *rp;
	size_t k;
	int err;

	rp = walk_rpath(w, &err);
	if (err == -ENOMEM)
		return -ENOMEM;
	if (!rp)
		return 1;
	for (k = 0; k < rp->n; k++)
		if (rp->ranges[k].uncertain)
			return 1;
	return rpath_split(w, rp, cur, fib_match_keep, m, elems_hold(m, 0),
			   inset, outset);
}

/* Under the bridge family's hooks, where the port a frame came in on (or
 * leaves through) is one of several not known here: 1 when every port of
 * the bridge is in the elements of m (a port match of one field), 0 when
 * none is (`oifname "docker0"`: the bridge is never its own port), -1
 * when some are or m is no such match. */
static int bridge_ports_in(const struct walk *w, const struct rs_match *m)
{
	const struct rs_interval *el;
	enum rs_field f = m->fields[0];
	size_t nel, i, e, in = 0, ports = 0;

	if (m->nfields != 1 || !w->host || !w->bridge_link || w->bridge_port)
		return -1;
	if (!(w->bridge && (f == RS_F_IIFNAME || f == RS_F_IIF)) &&
	    !(w->bridge_out && (f == RS_F_OIFNAME || f == RS_F_OIF)))
		return -1;
	el = rs_match_elems(m, &nel);
	for (i = 0; i < w->host->nlinks; i++) {
		const struct host_link *l = &w->host->links[i];
		rs_u128 v;

		if (l->master != w->bridge_link->ifindex)
			continue;
		v = f == RS_F_IIF || f == RS_F_OIF ? (rs_u128)l->ifindex :
		    rs_ifname_key(l->name);
		ports++;
		for (e = 0; e < nel; e++)
			if (in_iv(v, &el[e])) {
				in++;
				break;
			}
	}
	if (!ports)
		return -1;
	return in == ports ? 1 : in == 0 ? 0 : -1;
}

/*
 * The part of cur whose field tuple is in the elements of m: *inset, a new
 * region.  Returns 0, 1 when a field cannot be decided, or -errno.
 */
static int match_inset(const struct walk *w, const struct branch *b,
		       const struct rs_match *m, const struct region *cur,
		       struct region **inset, struct region **outset,
		       bool *notset)
{
	enum region_dim dims[RS_CONCAT_MAX];
	enum resolved how[RS_CONCAT_MAX];
	rs_u128 vals[RS_CONCAT_MAX];
	enum xform xf[RS_CONCAT_MAX];
	const struct rs_interval *el;
	struct rs_interval *ivs = NULL;
	struct region *acc = NULL, *tmp;
	size_t nel, e, nivs = 0, cap = 0;
	unsigned int i, ndim = 0, single = 0;
	bool applies, same_dim = true;
	struct region_box box;
	int ret = 0;

	*notset = false;
	ret = bridge_ports_in(w, m);
	if (ret >= 0) {
		*inset = ret ? region_copy(cur) : region_new_empty();
		*outset = ret ? region_new_empty() : region_copy(cur);
		if (*inset && *outset)
			return 0;
		region_free(*inset);
		region_free(*outset);
		*inset = *outset = NULL;
		return -ENOMEM;
	}
	ret = 0;
	if (m->nfields == 1 && w->host && !w->reply &&
	    (m->fields[0] == RS_F_FIB_SADDR_OIF ||
	     m->fields[0] == RS_F_FIB_SADDR_IIF_OIF))
		return fib_saddr_inset(w, m, cur, inset, outset);
	for (i = 0; i < m->nfields; i++) {
		how[i] = eng_resolve(w, b, m->fields[i], &dims[i], &vals[i], &xf[i]);
		/* a header value the sender chooses inside a concatenation
		 * with other fields: rare enough to not decide it */
		if (how[i] == RES_UNKNOWN || how[i] == RES_CHOICE)
			return 1;
		if (how[i] == RES_ABSENT || how[i] == RES_NOTSET) {
			/* no value: nothing is in the set */
			*notset = how[i] == RES_NOTSET;
			*inset = region_new_empty();
			*outset = region_copy(cur);
			if (*inset && *outset)
				return 0;
			region_free(*inset);
			region_free(*outset);
			*inset = *outset = NULL;
			return -ENOMEM;
		}
		if (how[i] == RES_DIM) {
			if (ndim && dims[i] != dims[single])
				same_dim = false;
			if (!ndim)
				single = i;
			ndim++;
		}
	}
	el = rs_match_elems(m, &nel);

	if (ndim == 0 || (ndim == 1 && same_dim)) {
		/* one dimension at most: collect the values of the elements
		 * whose fixed fields match and split once */
		bool whole = false;

		for (e = 0; e < nel && !whole; e++) {
			const struct rs_interval *t = &el[e * m->nfields];

			applies = true;
			for (i = 0; i < m->nfields && applies; i++)
				if (how[i] == RES_FIXED && !in_iv(vals[i], &t[i]))
					applies = false;
			if (!applies)
				continue;
			if (ndim == 0) {
				whole = true;
				break;
			}
			if (xf[single] == XF_IFINDEX)
				ret = ifindex_keys(w, &t[single], &ivs, &nivs,
						   &cap);
			else
				ret = iv_push(&ivs, &nivs, &cap, &t[single]);
			if (ret < 0)
				goto out;
		}
		if (ndim == 0) {
			*inset = whole ? region_copy(cur) : region_new_empty();
			*outset = whole ? region_new_empty() : region_copy(cur);
			ret = *inset && *outset ? 0 : -ENOMEM;
			if (ret < 0) {
				region_free(*inset);
				region_free(*outset);
				*inset = *outset = NULL;
			}
			goto out;
		}
		/* one pass gives both parts: subtracting the part inside
		 * from cur afterwards would cost |cur| * |inset| */
		ret = region_split(cur, dims[single], ivs, nivs, inset, outset);
		goto out;
	}

	/* a concatenation over several dimensions: one box per element */
	acc = region_new_empty();
	if (!acc)
		return -ENOMEM;
	for (e = 0; e < nel; e++) {
		const struct rs_interval *t = &el[e * m->nfields];

		applies = true;
		for (i = 0; i < REGION_NDIMS; i++) {
			box.iv[i].lo = 0;
			box.iv[i].hi = ~(rs_u128)0;
		}
		for (i = 0; i < m->nfields && applies; i++) {
			if (how[i] == RES_FIXED) {
				applies = in_iv(vals[i], &t[i]);
				continue;
			}
			if (xf[i] == XF_IFINDEX) {
				/* an ifindex range inside a concatenation
				 * is rare enough to not decide it */
				ret = 1;
				goto out;
			}
			/* two fields on one dimension: both must hold */
			if (t[i].lo > box.iv[dims[i]].lo)
				box.iv[dims[i]].lo = t[i].lo;
			if (t[i].hi < box.iv[dims[i]].hi)
				box.iv[dims[i]].hi = t[i].hi;
			if (box.iv[dims[i]].lo > box.iv[dims[i]].hi)
				applies = false;
		}
		if (!applies)
			continue;
		tmp = region_copy(cur);
		if (!tmp) {
			ret = -ENOMEM;
			goto out;
		}
		ret = region_intersect_box(tmp, &box);
		if (!ret)
			ret = region_union(acc, tmp);
		region_free(tmp);
		if (ret < 0)
			goto out;
	}
	*inset = acc;
	acc = NULL;
out:
	region_free(acc);
	free(ivs);
	return ret;
}

/* The fields the test of set s compares for match m (x_tables "set":
 * each dimension src or dst by the match's flags) into tm. */
static void ipset_fields(const struct rs_ipset *s, const struct rs_match *m,
			 struct rs_match *tm)
{
	bool v6 = s->family == NFPROTO_IPV6, src;
	unsigned int d;

	for (d = 0; d < s->dim; d++) {
		src = (m->mask & ((rs_u128)1 << (d + 1))) != 0;
		switch (s->kinds[d]) {
		case RS_IPSET_ADDR:
			tm->fields[tm->nfields++] =
				v6 ? (src ? RS_F_IP6_SADDR : RS_F_IP6_DADDR) :
				     (src ? RS_F_IP_SADDR : RS_F_IP_DADDR);
			break;
		case RS_IPSET_PORT:
			tm->fields[tm->nfields++] = RS_F_L4PROTO;
			tm->fields[tm->nfields++] = src ? RS_F_SPORT :
							  RS_F_DPORT;
			break;
		default:
			/* hash:net,iface: src is the input interface */
			tm->fields[tm->nfields++] = src ? RS_F_IIFNAME :
							  RS_F_OIFNAME;
			break;
		}
	}
}

/*
 * The part of cur that the test of set s holds for match m (ip_set_test()):
 * *inset, a new region; with outset, *outset the rest of cur when the test
 * gave it (NULL otherwise: the caller subtracts; cutting cur by a set of
 * 20,000 boxes again took seconds).  Returns 0, 1 when it cannot be
 * decided, -errno.
 */
static int ipset_inset(const struct walk *w, const struct branch *b,
		       const struct rs_match *m, const struct rs_ipset *s,
		       const struct region *cur, struct region **inset,
		       struct region **outset)
{
	unsigned int dim = (unsigned int)(m->mask >> RS_IPSET_M_DIM_SHIFT) &
			   0xff, d;
	struct rs_match tm = { .op = RS_OP_IN };
	struct region *out = NULL;
	bool notset;
	int ret;

	if (!s->decided || s->list)
		return 1;
	/* fewer dimensions than the type has, or a set of the other
	 * family: ip_set_test() says "not in the set" */
	if (dim < s->dim ||
	    (s->family != w->family && s->family != NFPROTO_UNSPEC)) {
		*inset = region_new_empty();
		return *inset ? 0 : -ENOMEM;
	}
	/* an ICMPv6 packet's type and code stand for the port */
	for (d = 0; d < s->dim; d++)
		if (w->nd && s->kinds[d] == RS_IPSET_PORT)
			return 1;
	ipset_fields(s, m, &tm);
	/* --return-nomatch turns the answer of the types that have nomatch
	 * elements (those with a "net") around: a nomatch element matches,
	 * any other does not */
	tm.set = (m->mask & RS_IPSET_M_RETURN_NOMATCH) &&
		 strstr(s->type, "net") ? s->nomatch : s->in;
	*inset = NULL;
	ret = match_inset(w, b, &tm, cur, inset, &out, &notset);
	if (ret != 0) {
		region_free(*inset);
		*inset = NULL;
		region_free(out);
		out = NULL;
	}
	if (outset)
		*outset = out;
	else
		region_free(out);
	return ret;
}

/*
 * An x_tables "set" match decided from the set's contents the ruleset
 * holds (ipset.c): like an address list.  Counter comparisons
 * (--packets-gt ...) and sets whose contents are not decided stay
 * unknown.  list:set: the union of its members' tests, in order.
 */
static int ipset_eval(const struct walk *w, const struct branch *b,
		      const struct rs_match *m, const struct region *cur,
		      struct region **yes, struct region **no,
		      enum mres *res)
{
	const struct rs_ipset *s = NULL, *ms;
	struct region *inset = NULL, *part, *rest = NULL;
	size_t i;
	int ret;

	if ((m->mask & RS_IPSET_M_VALID) && !(m->mask & RS_IPSET_M_COUNTERS))
		s = ruleset_ipset(w->in->rs, (uint16_t)m->value);
	if (!s || !s->decided)
		goto unknown;
	if (!s->list) {
		ret = ipset_inset(w, b, m, s, cur, &inset, &rest);
	} else {
		inset = region_new_empty();
		if (!inset)
			return -ENOMEM;
		for (i = 0, ret = 0; i < s->nmembers && !ret; i++) {
			ms = ruleset_ipset(w->in->rs, s->members[i]);
			if (!ms) {
				ret = 1;
				break;
			}
			ret = ipset_inset(w, b, m, ms, cur, &part, NULL);
			if (ret)
				break;
			ret = region_union(inset, part);
			region_free(part);
		}
	}
	if (ret < 0 || ret == 1) {
		region_free(inset);
		region_free(rest);
		if (ret < 0)
			return ret;
		goto unknown;
	}
	if (rest)
		goto decided;
	rest = region_copy(cur);
	if (!rest || (ret = region_subtract(rest, inset)) < 0) {
		region_free(rest);
		region_free(inset);
		return rest ? ret : -ENOMEM;
	}
decided:
	*res = M_DECIDED;
	*yes = m->invert ? rest : inset;
	*no = m->invert ? inset : rest;
	return 0;
unknown:
	*res = M_UNKNOWN;
	return 0;
}

int eng_match_project(const struct walk *w, const struct branch *b,
		      const struct rs_match *m, const struct region *cur,
		      struct region **maybe, struct region **out)
{
	const struct rs_interval *el;
	struct rs_interval *iv;
	struct rs_match p;
	struct region *in = NULL, *rest = NULL;
	enum region_dim dim;
	enum resolved how;
	enum xform xf;
	rs_u128 v;
	uint8_t keep[RS_CONCAT_MAX];
	unsigned int i, nk = 0;
	size_t nel, e;
	bool notset;
	int ret;

	if (m->op != RS_OP_IN || m->nfields < 2)
		return 1;
	for (i = 0; i < m->nfields; i++) {
		how = eng_resolve(w, b, m->fields[i], &dim, &v, &xf);
		if (how == RES_DIM || how == RES_FIXED || how == RES_ABSENT)
			keep[nk++] = (uint8_t)i;
		else if (how != RES_UNKNOWN)
			return 1;
	}
	if (!nk || nk == m->nfields)
		return 1;
	el = rs_match_elems(m, &nel);
	iv = calloc(nel ? nel * nk : 1, sizeof(*iv));
	if (!iv)
		return -ENOMEM;
	for (e = 0; e < nel; e++)
		for (i = 0; i < nk; i++)
			iv[e * nk + i] = el[e * m->nfields + keep[i]];
	memset(&p, 0, sizeof(p));
	p.op = RS_OP_IN;
	p.nfields = (uint8_t)nk;
	for (i = 0; i < nk; i++)
		p.fields[i] = m->fields[keep[i]];
	p.elems = iv;
	p.nelems = (uint32_t)nel;
	ret = match_inset(w, b, &p, cur, &in, &rest, &notset);
	free(iv);
	if (ret)
		return ret;
	if (!rest) {
		rest = region_copy(cur);
		if (!rest || (ret = region_subtract(rest, in)) < 0) {
			region_free(rest);
			region_free(in);
			return rest ? ret : -ENOMEM;
		}
	}
	*maybe = in;
	*out = rest;
	return 0;
}

/* Split cur by match m into the probes it matches (*yes) and the rest
 * (*no), both new regions. */
int eng_match_eval(const struct walk *w, const struct branch *b,
	       const struct rs_match *m, const struct region *cur,
	       struct region **yes, struct region **no,
	       enum mres *res)
{
	struct region *inset = NULL, *rest;
	enum region_dim dim;
	enum resolved how;
	enum xform xf;
	bool notset, hit;
	rs_u128 v;
	int ret;

	*res = M_DECIDED;
	if (m->op != RS_OP_OTHER && m->nfields == 1 &&
	    eng_resolve(w, b, m->fields[0], &dim, &v, &xf) == RES_CHOICE) {
		*res = M_CHOICE;
		return 0;
	}
	switch (m->op) {
	case RS_OP_OTHER:
		if (m->fields[0] == RS_F_IPSET && w->in && w->in->rs)
			return ipset_eval(w, b, m, cur, yes, no, res);
		*res = M_UNKNOWN;
		return 0;
	case RS_OP_MASK_EQ:
	case RS_OP_MASK_NE:
		how = eng_resolve(w, b, m->fields[0], &dim, &v, &xf);
		if (how == RES_DIM || how == RES_UNKNOWN || how == RES_CHOICE) {
			*res = M_UNKNOWN;
			return 0;
		}
		hit = how == RES_FIXED &&
		      ((v & m->mask) == m->value) == (m->op == RS_OP_MASK_EQ);
		*yes = hit ? region_copy(cur) : region_new_empty();
		*no = hit ? region_new_empty() : region_copy(cur);
		break;
	case RS_OP_IN:
	case RS_OP_NOT_IN:
		rest = NULL;
		ret = match_inset(w, b, m, cur, &inset, &rest, &notset);
		if (ret < 0)
			return ret;
		if (ret == 1) {
			*res = M_UNKNOWN;
			return 0;
		}
		if (!rest) {
			rest = region_copy(cur);
			if (!rest || (ret = region_subtract(rest, inset)) < 0) {
				region_free(rest);
				region_free(inset);
				return rest ? ret : -ENOMEM;
			}
		}
		if (m->op == RS_OP_IN) {
			*yes = inset;
			*no = rest;
		} else {
			*yes = rest;
			*no = inset;
		}
		/* an absent value makes nft break out of the rule whatever
		 * the operator: a negated match does not match either */
		if (m->op == RS_OP_NOT_IN && !notset) {
			enum region_dim d;
			rs_u128 vv;
			enum xform x;
			unsigned int i;

			for (i = 0; i < m->nfields; i++) {
				if (eng_resolve(w, b, m->fields[i], &d, &vv, &x) !=
				    RES_ABSENT)
					continue;
				region_free(*no);
				*no = *yes;
				*yes = region_new_empty();
				if (!*yes)
					return -ENOMEM;
				break;
			}
		}
		break;
	default:
		*res = M_UNKNOWN;
		return 0;
	}
	if (!*yes || !*no) {
		region_free(*yes);
		region_free(*no);
		return -ENOMEM;
	}
	return 0;
}

