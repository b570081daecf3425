// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xt.c - decoders for x_tables match and target blobs.
 *
 * Each decoder reads the kernel's own struct for one (name, revision) and
 * appends what the kernel would compare to the rule, in the model's terms.
 * Semantics follow the kernel's match functions (net/netfilter/xt_*.c),
 * not the iptables man page, where the two differ.
 *
 * Decoders validate everything they read before they append anything: a
 * decoder returns -EINVAL for a blob it cannot represent faithfully, and the
 * dispatcher then records one RS_F_UNKNOWN match instead (or RS_V_OTHER for
 * a target).  Nothing is guessed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_connmark.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_dscp.h>
#include <linux/netfilter/xt_ecn.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_length.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_mac.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_owner.h>
#include <linux/netfilter/xt_physdev.h>
#include <linux/netfilter_bridge/ebt_ip.h>
#include <linux/netfilter_bridge/ebt_ip6.h>
#include <linux/netfilter/xt_pkttype.h>
#include <linux/netfilter/xt_rpfilter.h>
#include <linux/netfilter/xt_recent.h>
#include <linux/netfilter/xt_sctp.h>
#include <linux/netfilter/xt_set.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_statistic.h>
#include <linux/netfilter/xt_tcpmss.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter/xt_CHECKSUM.h>
#include <linux/netfilter/xt_CT.h>
#include <linux/netfilter/xt_LOG.h>
#include <linux/netfilter/xt_NFLOG.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <linux/netfilter/xt_TCPMSS.h>
#include <linux/netfilter/xt_TPROXY.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv4/ipt_ttl.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/netfilter_ipv6/ip6t_frag.h>
#include <linux/netfilter_ipv6/ip6t_hl.h>
#include <linux/netfilter_ipv6/ip6t_ipv6header.h>
#include <linux/netfilter_ipv6/ip6t_mh.h>
#include <linux/netfilter_ipv6/ip6t_opts.h>
#include <linux/netfilter_ipv6/ip6t_rt.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "xt.h"
#include "xtebt.h"
#include "util.h"

/* Longest text a decoder writes: a recent name (200) plus options. */
#define XT_TEXT_MAX	512
/* The largest struct we decode (xt_comment_info, 256 bytes) fits here. */
#define XT_BLOB_MAX	512

/* struct ipt_ulog_info left the uapi headers with ULOG (Linux 3.17), but
 * iptables-legacy may still hold such rules on old kernels. */
struct xt_ulog_info {
	unsigned int nl_group;
	size_t copy_range;
	size_t qthreshold;
	char prefix[32];
};

/* tos revision 0 (ipt_tos, Linux < 2.6.25 headers): the whole byte. */
struct xt_tos_info_v0 {
	__u8 tos;
	__u8 invert;
};

/* ipv4options comes from xtables-addons, not from the kernel tree: its
 * header is not installed with the uapi ones. */
struct xt_ipv4options_mtinfo {
	__u16 map;
	__u16 invert;
	__u8 flags;
};
#define XT_V4OPTS_ALL	0x01	/* every option in map (after invert) */
#define XT_V4OPTS_ANY	0x02	/* at least one */

struct xt_buf {
	char s[XT_TEXT_MAX];
	size_t n;
};

static void xt_buf_printf(struct xt_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void xt_buf_printf(struct xt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (b->n >= sizeof(b->s) - 1)
		return;
	va_start(ap, fmt);
	ret = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return;
	b->n += (size_t)ret;
	if (b->n >= sizeof(b->s))
		b->n = sizeof(b->s) - 1;
}

/*
 * Append a fixed-size, possibly unterminated string from a blob.  Control
 * characters and bytes that are not valid UTF-8 become '?', so that the
 * text can go into JSON and a terminal as is.
 */
static void xt_buf_putstr(struct xt_buf *b, const char *str, size_t max)
{
	const unsigned char *p = (const unsigned char *)str;
	size_t len = strnlen(str, max), i = 0;

	while (i < len && b->n < sizeof(b->s) - 1) {
		size_t k, need = 0;

		if (p[i] >= 0x20 && p[i] < 0x7f) {
			b->s[b->n++] = (char)p[i++];
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			need = 1;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			need = 2;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			need = 3;
		for (k = 1; need && k <= need; k++)
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				need = 0;
		if (!need || b->n + need + 1 >= sizeof(b->s) - 1) {
			b->s[b->n++] = '?';
			i++;
			continue;
		}
		for (k = 0; k <= need; k++)
			b->s[b->n++] = (char)p[i++];
	}
	b->s[b->n] = '\0';
}

static rs_u128 xt_be_u128(const void *p, size_t n)
{
	const unsigned char *b = p;
	rs_u128 v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

static rs_u128 xt_width_max(unsigned int bytes)
{
	return bytes >= 16 ? ~(rs_u128)0 : ((rs_u128)1 << (8 * bytes)) - 1;
}

/* Address bytes of @family from a union nf_inet_addr. */
static rs_u128 xt_inet_addr(const union nf_inet_addr *a, uint8_t family)
{
	if (family == NFPROTO_IPV4)
		return ntohl(a->ip);
	return xt_be_u128(&a->in6, 16);
}

static size_t xt_family_alen(uint8_t family)
{
	return family == NFPROTO_IPV4 ? 4 : 16;
}

static bool xt_family_ok(uint8_t family)
{
	return family == NFPROTO_IPV4 || family == NFPROTO_IPV6;
}

static void xt_buf_addr(struct xt_buf *b, uint8_t family,
			const union nf_inet_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == NFPROTO_IPV4 ? AF_INET : AF_INET6,
		       family == NFPROTO_IPV4 ? (const void *)&a->in :
						(const void *)&a->in6,
		       s, sizeof(s)))
		strcpy(s, "?");
	xt_buf_printf(b, "%s", s);
}

/* Match builders.  Each appends one match; 0 or -ENOMEM. */

static int xt_add_range(struct rs_rule *r, enum rs_field f, rs_u128 lo,
			rs_u128 hi, bool invert)
{
	struct rs_match *m = rs_rule_add_match(r);

	if (!m)
		return -ENOMEM;
	return rs_match_set_range(m, f, lo, hi, invert);
}

int xt_add_mask(struct rs_rule *r, enum rs_field f, rs_u128 mask,
		rs_u128 value, bool invert)
{
	struct rs_match *m = rs_rule_add_match(r);

	if (!m)
		return -ENOMEM;
	m->op = invert ? RS_OP_MASK_NE : RS_OP_MASK_EQ;
	m->nfields = 1;
	m->fields[0] = f;
	m->mask = mask;
	/* not masked: (x & m) == v with v outside m never matches, as in
	 * the kernel's tcp flags and mark tests */
	m->value = value;
	return 0;
}

/* (field & mask) != 0, or == 0 with @invert: "any of these bits". */
static int xt_add_anybit(struct rs_rule *r, enum rs_field f, rs_u128 bits,
			 bool invert)
{
	struct rs_match *m = rs_rule_add_match(r);

	if (!m)
		return -ENOMEM;
	m->op = invert ? RS_OP_MASK_EQ : RS_OP_MASK_NE;
	m->nfields = 1;
	m->fields[0] = f;
	m->mask = bits;
	m->value = 0;
	return 0;
}

/*
 * A condition no packet the engine asks about can meet: "field in the empty
 * set".  Used where the kernel tests something a probe never carries (a
 * fragment still to be reassembled, a mobility header) or a range that is
 * empty.
 */
static int xt_add_never(struct rs_rule *r, enum rs_field f)
{
	struct rs_match *m = rs_rule_add_match(r);

	if (!m)
		return -ENOMEM;
	m->op = RS_OP_IN;
	m->nfields = 1;
	m->fields[0] = f;
	return 0;
}

static int xt_add_other(struct rs_rule *r, enum rs_field f, const char *name,
			uint8_t rev, const char *text, bool invert)
{
	struct rs_match *m = rs_rule_add_match(r);

	if (!m)
		return -ENOMEM;
	return rs_match_set_other(m, f, name, rev, text, invert);
}

/*
 * A tuple of @nfields fields in (or not in) @nelems elements; @iv holds
 * nelems * nfields intervals, element-major.  The model owns the copy.
 */
int xt_add_in(struct rs_rule *r, const enum rs_field *fields,
	      uint8_t nfields, const struct rs_interval *iv, size_t nelems,
	      bool invert)
{
	struct rs_interval *elems;
	struct rs_match *m;
	uint8_t i;

	if (nelems > UINT32_MAX)	/* rs_match counts them in 32 bits */
		return -E2BIG;
	elems = calloc(nelems * nfields, sizeof(*elems));
	if (!elems)
		return -ENOMEM;
	memcpy(elems, iv, nelems * nfields * sizeof(*elems));
	m = rs_rule_add_match(r);
	if (!m) {
		free(elems);
		return -ENOMEM;
	}
	m->op = invert ? RS_OP_NOT_IN : RS_OP_IN;
	m->nfields = nfields;
	for (i = 0; i < nfields; i++)
		m->fields[i] = fields[i];
	m->elems = elems;
	m->nelems = nelems;
	return 0;
}

/* An RS_OP_IN/NOT_IN match on the set bits of a mask: bit i = value i. */
static int xt_add_bits(struct rs_rule *r, enum rs_field f, uint32_t bits,
		       bool invert)
{
	struct rs_interval iv[32];
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < 32; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (n && iv[n - 1].hi + 1 == i) {
			iv[n - 1].hi = i;
			continue;
		}
		iv[n].lo = iv[n].hi = i;
		n++;
	}
	if (!n)		/* the kernel tests nothing for an empty mask */
		return 0;
	return xt_add_in(r, &f, 1, iv, n, invert);
}

int xt_add_addr_match(struct rs_rule *r, enum rs_field f, const void *addr,
		      const void *mask, size_t alen, bool invert)
{
	rs_u128 a, m, all, host;

	if (alen != 4 && alen != 16)
		return -EINVAL;
	a = xt_be_u128(addr, alen);
	m = xt_be_u128(mask, alen);
	all = xt_width_max((unsigned int)alen);
	if (m == 0 && !invert)
		return 0;
	host = ~m & all;
	/* A prefix mask leaves a host part of the form 2^k - 1. */
	if ((host & (host + 1)) == 0)
		return xt_add_range(r, f, a & m, (a & m) | host, invert);
	return xt_add_mask(r, f, m, a & m, invert);
}

int xt_add_ifname_match(struct rs_rule *r, enum rs_field f, const char *name,
			const unsigned char *mask, bool invert)
{
	char buf[RS_IFNAMSIZ + 1];
	struct rs_match *m;
	size_t len = 0, i;
	bool standard = true;

	while (len < RS_IFNAMSIZ && mask[len] == 0xff)
		len++;
	for (i = len; i < RS_IFNAMSIZ; i++)
		if (mask[i] != 0)
			standard = false;
	if (!standard) {
		/* Never written by iptables, but the kernel compares
		 * (name ^ iface) & mask over 16 bytes, which is exactly a
		 * mask on the 128-bit name key. */
		rs_u128 mk = xt_be_u128(mask, RS_IFNAMSIZ);

		return xt_add_mask(r, f, mk, xt_be_u128(name, RS_IFNAMSIZ) & mk,
				   invert);
	}
	if (len == 0) {
		if (!invert)
			return 0;
		return xt_add_range(r, f, 0, ~(rs_u128)0, true);
	}
	memcpy(buf, name, len);
	buf[len] = '\0';
	m = rs_rule_add_match(r);
	if (!m)
		return -ENOMEM;
	/* The mask covers the terminating NUL of an exact name and stops
	 * short of it for a "+" prefix. */
	return rs_match_set_ifname(m, f, buf, strnlen(name, len) == len,
				   invert);
}

/* ------------------------------------------------------------------ */
/* Matches */

static int xt_ports(struct rs_rule *r, enum rs_field f, const __u16 *pts,
		    bool invert)
{
	if (pts[0] > pts[1] && !invert)
		return xt_add_range(r, f, 0, 0xffff, true);
	if (pts[0] > pts[1])
		return 0;
	if (pts[0] == 0 && pts[1] == 0xffff && !invert)
		return 0;
	return xt_add_range(r, f, pts[0], pts[1], invert);
}

/*
 * --tcp-option K: the kernel walks the options and matches when one of kind
 * K is there (tcp_find_option()).  MSS has its own field so that its value
 * and its presence are one thing; kinds from 128 on do not fit the bit map
 * and stay undecided.
 */
static int xt_tcp_option(struct rs_rule *r, uint8_t kind, bool invert)
{
	struct xt_buf b = { .n = 0 };

	if (kind == 2) {
		if (invert)
			return xt_add_range(r, RS_F_TCP_MSS, RS_ABSENT,
					    RS_ABSENT, false);
		return xt_add_range(r, RS_F_TCP_MSS, 0, 0xffff, false);
	}
	if (kind < 128)
		return xt_add_mask(r, RS_F_TCP_OPTIONS, (rs_u128)1 << kind,
				   invert ? 0 : (rs_u128)1 << kind, false);
	xt_buf_printf(&b, "tcp: option %u", kind);
	return xt_add_other(r, RS_F_OTHER, "tcp", 0, b.s, invert);
}

static int xt_mt_tcp(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_tcp *t = data;
	int ret;

	if (t->invflags & ~XT_TCP_INV_MASK)
		return -EINVAL;
	ret = xt_ports(r, RS_F_SPORT, t->spts, t->invflags & XT_TCP_INV_SRCPT);
	if (ret < 0)
		return ret;
	ret = xt_ports(r, RS_F_DPORT, t->dpts, t->invflags & XT_TCP_INV_DSTPT);
	if (ret < 0)
		return ret;
	if (t->flg_mask || t->flg_cmp || (t->invflags & XT_TCP_INV_FLAGS)) {
		ret = xt_add_mask(r, RS_F_TCP_FLAGS, t->flg_mask, t->flg_cmp,
				  t->invflags & XT_TCP_INV_FLAGS);
		if (ret < 0)
			return ret;
	}
	if (t->option)
		ret = xt_tcp_option(r, t->option,
				    t->invflags & XT_TCP_INV_OPTION);
	return ret;
}

/*
 * ebtables' ip and ip6 matches (ebt_ip.c, ebt_ip6.c: ebtables-nft puts
 * them in the bridge family as compat matches): (address & mask) ==
 * value for source and destination, the protocol, port ranges in host
 * order; each test inverted by its bit of invflags.  TOS, traffic class,
 * ICMP and IGMP types are not decoded (-EINVAL: an unknown match), nor
 * a value with bits outside its mask (the kernel never matches it).
 * addrs: saddr, daddr, smsk, dmsk, each alen bytes in network order.
 */
static int xt_ebt_ip(struct rs_rule *r, const uint8_t *addrs, size_t alen,
		     uint8_t proto, uint8_t bits, uint8_t inv,
		     const __u16 *sport, const __u16 *dport)
{
	/* EBT_IP_* and EBT_IP6_* are the same bits */
	const uint8_t known = EBT_IP_SOURCE | EBT_IP_DEST | EBT_IP_PROTO |
			      EBT_IP_SPORT | EBT_IP_DPORT;
	bool v6 = alen == 16;
	size_t i, k;
	int ret = 0;

	if ((bits & ~known) || (inv & ~bits))
		return -EINVAL;
	for (k = 0; k < 2; k++)
		for (i = 0; i < alen; i++)
			if (addrs[k * alen + i] & ~addrs[(k + 2) * alen + i])
				return -EINVAL;
	if (bits & EBT_IP_SOURCE)
		ret = xt_add_addr_match(r, v6 ? RS_F_IP6_SADDR : RS_F_IP_SADDR,
					addrs, addrs + 2 * alen, alen,
					inv & EBT_IP_SOURCE);
	if (!ret && (bits & EBT_IP_DEST))
		ret = xt_add_addr_match(r, v6 ? RS_F_IP6_DADDR : RS_F_IP_DADDR,
					addrs + alen, addrs + 3 * alen, alen,
					inv & EBT_IP_DEST);
	if (!ret && (bits & EBT_IP_PROTO))
		ret = xt_add_range(r, RS_F_L4PROTO, proto, proto,
				   inv & EBT_IP_PROTO);
	if (!ret && (bits & EBT_IP_SPORT))
		ret = xt_ports(r, RS_F_SPORT, sport, inv & EBT_IP_SPORT);
	if (!ret && (bits & EBT_IP_DPORT))
		ret = xt_ports(r, RS_F_DPORT, dport, inv & EBT_IP_DPORT);
	return ret;
}

static int xt_mt_ebt_ip(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct ebt_ip_info *i = data;

	(void)family;
	return xt_ebt_ip(r, (const uint8_t *)&i->saddr, 4, i->protocol,
			 i->bitmask, i->invflags, i->sport, i->dport);
}

static int xt_mt_ebt_ip6(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct ebt_ip6_info *i = data;

	(void)family;
	return xt_ebt_ip(r, (const uint8_t *)&i->saddr, 16, i->protocol,
			 i->bitmask, i->invflags, i->sport, i->dport);
}

static int xt_mt_udp(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_udp *u = data;
	int ret;

	if (u->invflags & ~XT_UDP_INV_MASK)
		return -EINVAL;
	ret = xt_ports(r, RS_F_SPORT, u->spts, u->invflags & XT_UDP_INV_SRCPT);
	if (ret < 0)
		return ret;
	return xt_ports(r, RS_F_DPORT, u->dpts, u->invflags & XT_UDP_INV_DSTPT);
}

static int xt_mt_sctp(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_sctp_info *s = data;
	struct xt_buf b = { .n = 0 };
	int ret = 0;

	if ((s->flags | s->invflags) & ~XT_SCTP_VALID_FLAGS)
		return -EINVAL;
	if (s->flags & XT_SCTP_SRC_PORTS) {
		ret = xt_ports(r, RS_F_SPORT, s->spts,
			       s->invflags & XT_SCTP_SRC_PORTS);
		if (ret < 0)
			return ret;
	}
	if (s->flags & XT_SCTP_DEST_PORTS) {
		ret = xt_ports(r, RS_F_DPORT, s->dpts,
			       s->invflags & XT_SCTP_DEST_PORTS);
		if (ret < 0)
			return ret;
	}
	if (s->flags & XT_SCTP_CHUNK_TYPES) {
		const char *sep = " ";
		unsigned int i;

		xt_buf_printf(&b, "sctp: chunk-types %s",
			      s->chunk_match_type == SCTP_CHUNK_MATCH_ALL ? "all" :
			      s->chunk_match_type == SCTP_CHUNK_MATCH_ONLY ?
			      "only" : "any");
		for (i = 0; i < 256; i++) {
			if (!SCTP_CHUNKMAP_IS_SET(s->chunkmap, i))
				continue;
			xt_buf_printf(&b, "%s%u", sep, i);
			sep = ",";
		}
		if (s->flag_count > 0)
			xt_buf_printf(&b, " (with %d chunk flag tests)",
				      s->flag_count);
		ret = xt_add_other(r, RS_F_OTHER, "sctp", 0, b.s,
				   s->invflags & XT_SCTP_CHUNK_TYPES);
	}
	return ret;
}

/* icmp / icmp6: type 0xff is "any" for IPv4 only (icmp_type_code_match). */
static int xt_icmp(struct rs_rule *r, enum rs_field ftype, enum rs_field fcode,
		   bool any_type, uint8_t type, const uint8_t *code, bool invert)
{
	const enum rs_field fields[2] = { ftype, fcode };
	struct rs_interval iv[2];
	bool all_codes = code[0] == 0 && code[1] == 0xff;
	int ret;

	if (any_type) {
		if (!invert)
			return 0;
		return xt_add_range(r, ftype, 0, 0xff, true);
	}
	if (code[0] > code[1]) {
		if (invert)
			return 0;
		return xt_add_range(r, ftype, 0, 0xff, true);
	}
	if (all_codes)
		return xt_add_range(r, ftype, type, type, invert);
	if (!invert) {
		ret = xt_add_range(r, ftype, type, type, false);
		if (ret < 0)
			return ret;
		return xt_add_range(r, fcode, code[0], code[1], false);
	}
	/* not (type and code): one concatenated element keeps it exact */
	iv[0].lo = iv[0].hi = type;
	iv[1].lo = code[0];
	iv[1].hi = code[1];
	return xt_add_in(r, fields, 2, iv, 1, true);
}

static int xt_mt_icmp(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct ipt_icmp *i = data;

	if (family != NFPROTO_IPV4 || (i->invflags & ~IPT_ICMP_INV))
		return -EINVAL;
	return xt_icmp(r, RS_F_ICMP_TYPE, RS_F_ICMP_CODE, i->type == 0xff,
		       i->type, i->code, i->invflags & IPT_ICMP_INV);
}

static int xt_mt_icmp6(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct ip6t_icmp *i = data;

	if (family != NFPROTO_IPV6 || (i->invflags & ~IP6T_ICMP_INV))
		return -EINVAL;
	return xt_icmp(r, RS_F_ICMPV6_TYPE, RS_F_ICMPV6_CODE, false,
		       i->type, i->code, i->invflags & IP6T_ICMP_INV);
}

/*
 * multiport: "--ports" (either) is sport OR dport, which a conjunction of
 * single-field matches cannot say; the concatenation (sport . dport) in
 * { P . *, * . P } says exactly that.
 */
static int xt_multiport(struct rs_rule *r, uint8_t flags, uint8_t count,
			const __u16 *ports, const __u8 *pflags, bool invert)
{
	const enum rs_field both[2] = { RS_F_SPORT, RS_F_DPORT };
	struct rs_interval pv[XT_MULTI_PORTS], iv[2 * 2 * XT_MULTI_PORTS];
	size_t n = 0, i;
	enum rs_field f;

	if (count > XT_MULTI_PORTS || flags > XT_MULTIPORT_EITHER)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		pv[n].lo = pv[n].hi = ports[i];
		if (pflags && pflags[i]) {
			/* a range takes two slots; its end must be listed */
			if (i + 1 >= count)
				return -EINVAL;
			pv[n].hi = ports[++i];
		}
		n++;
	}
	if (n == 0) {
		if (invert)
			return 0;
		return xt_add_range(r, RS_F_DPORT, 0, 0xffff, true);
	}
	if (flags != XT_MULTIPORT_EITHER) {
		f = flags == XT_MULTIPORT_SOURCE ? RS_F_SPORT : RS_F_DPORT;
		return xt_add_in(r, &f, 1, pv, n, invert);
	}
	for (i = 0; i < n; i++) {
		iv[4 * i + 0] = pv[i];
		iv[4 * i + 1].lo = 0;
		iv[4 * i + 1].hi = 0xffff;
		iv[4 * i + 2].lo = 0;
		iv[4 * i + 2].hi = 0xffff;
		iv[4 * i + 3] = pv[i];
	}
	return xt_add_in(r, both, 2, iv, 2 * n, invert);
}

static int xt_mt_multiport0(struct rs_rule *r, uint8_t family,
			    const void *data)
{
	const struct xt_multiport *mp = data;

	return xt_multiport(r, mp->flags, mp->count, mp->ports, NULL, false);
}

static int xt_mt_multiport1(struct rs_rule *r, uint8_t family,
			    const void *data)
{
	const struct xt_multiport_v1 *mp = data;

	if (mp->invert > 1)
		return -EINVAL;
	return xt_multiport(r, mp->flags, mp->count, mp->ports, mp->pflags,
			    mp->invert);
}

static int xt_addrtype_one(struct rs_rule *r, enum rs_field f, uint16_t mask,
			   bool invert, const char *note)
{
	int ret;

	if (!mask)	/* the kernel tests nothing for an empty mask */
		return 0;
	ret = xt_add_bits(r, f, mask, invert);
	if (ret < 0 || !note)
		return ret;
	r->matches[r->nmatches - 1].text = strdup(note);
	return r->matches[r->nmatches - 1].text ? 0 : -ENOMEM;
}

static int xt_addrtype(struct rs_rule *r, uint16_t src, uint16_t dst,
		       bool inv_src, bool inv_dst, const char *note)
{
	int ret;

	ret = xt_addrtype_one(r, RS_F_FIB_SADDR_TYPE, src, inv_src, note);
	if (ret < 0)
		return ret;
	return xt_addrtype_one(r, RS_F_FIB_DADDR_TYPE, dst, inv_dst, note);
}

static int xt_mt_addrtype0(struct rs_rule *r, uint8_t family,
			   const void *data)
{
	const struct xt_addrtype_info *a = data;

	if (family != NFPROTO_IPV4 || a->invert_source > 1 ||
	    a->invert_dest > 1)
		return -EINVAL;
	return xt_addrtype(r, a->source, a->dest, a->invert_source,
			   a->invert_dest, NULL);
}

static int xt_mt_addrtype1(struct rs_rule *r, uint8_t family,
			   const void *data)
{
	const struct xt_addrtype_info_v1 *a = data;
	const char *note = NULL;

	if (a->flags & ~(XT_ADDRTYPE_INVERT_SOURCE | XT_ADDRTYPE_INVERT_DEST |
			 XT_ADDRTYPE_LIMIT_IFACE_IN |
			 XT_ADDRTYPE_LIMIT_IFACE_OUT))
		return -EINVAL;
	/* The type is then looked up for the packet's in/out device only
	 * (fib ... . iif type / . oif type). */
	if (a->flags & XT_ADDRTYPE_LIMIT_IFACE_IN)
		note = "addrtype: limit-iface-in";
	else if (a->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)
		note = "addrtype: limit-iface-out";
	return xt_addrtype(r, a->source, a->dest,
			   a->flags & XT_ADDRTYPE_INVERT_SOURCE,
			   a->flags & XT_ADDRTYPE_INVERT_DEST, note);
}

/* The three conntrack revisions, widened to one shape. */
struct xt_ct_info {
	const union nf_inet_addr *addr[4], *mask[4];	/* os, od, rs, rd */
	uint32_t expires_min, expires_max;
	uint16_t l4proto;
	uint16_t port_lo[4], port_hi[4];
	uint16_t match_flags, invert_flags;
	uint16_t state_mask, status_mask;
};

static const char *const xt_ct_state_names[] = {
	"INVALID", "ESTABLISHED", "RELATED", "NEW", NULL, NULL, "SNAT",
	"DNAT", "UNTRACKED",
};

static const char *const xt_ct_flag_names[] = {
	"ctstate", "ctproto", "ctorigsrc", "ctorigdst", "ctreplsrc",
	"ctrepldst", "ctstatus", "ctexpire", "ctorigsrcport", "ctorigdstport",
	"ctreplsrcport", "ctrepldstport", "ctdir",
};

/*
 * conntrack_mt() returns "state matched" for a packet without a conntrack
 * entry (INVALID, UNTRACKED) before it looks at any other criterion: with
 * a state test such a packet can pass, the other criteria are "ct absent
 * or criteria", which a conjunction cannot say.
 */
static bool xt_ct_skips_rest(uint16_t state_mask, bool invert)
{
	bool invalid = state_mask & XT_CONNTRACK_STATE_INVALID;
	bool untracked = state_mask & XT_CONNTRACK_STATE_UNTRACKED;

	return invert ? !(invalid && untracked) : invalid || untracked;
}

static int xt_conntrack(struct rs_rule *r, uint8_t family,
			const struct xt_ct_info *ci)
{
	static const uint16_t addr_flag[4] = {
		XT_CONNTRACK_ORIGSRC, XT_CONNTRACK_ORIGDST,
		XT_CONNTRACK_REPLSRC, XT_CONNTRACK_REPLDST,
	};
	static const uint16_t port_flag[4] = {
		XT_CONNTRACK_ORIGSRC_PORT, XT_CONNTRACK_ORIGDST_PORT,
		XT_CONNTRACK_REPLSRC_PORT, XT_CONNTRACK_REPLDST_PORT,
	};
	static const enum rs_field addr4[4] = {
		RS_F_CT_ORIG_SADDR4, RS_F_CT_ORIG_DADDR4,
		RS_F_CT_REPL_SADDR4, RS_F_CT_REPL_DADDR4,
	};
	static const enum rs_field addr6[4] = {
		RS_F_CT_ORIG_SADDR6, RS_F_CT_ORIG_DADDR6,
		RS_F_CT_REPL_SADDR6, RS_F_CT_REPL_DADDR6,
	};
	static const enum rs_field port[4] = {
		RS_F_CT_ORIG_SPORT, RS_F_CT_ORIG_DPORT,
		RS_F_CT_REPL_SPORT, RS_F_CT_REPL_DPORT,
	};
	uint16_t mf = ci->match_flags, inv = ci->invert_flags;
	struct xt_buf b = { .n = 0 };
	uint32_t state = 0, status = 0;
	unsigned int i;
	int ret;

	/* bits the kernel does not test are ignored, as it does */
	if (!xt_family_ok(family))
		return -EINVAL;

	if (mf & XT_CONNTRACK_STATE) {
		bool inv_state = inv & XT_CONNTRACK_STATE;

		/* INVALID..NEW share their bits with RS_CT_STATE_*; the
		 * kernel's UNTRACKED bit is 1 << 8, ours 0x40. */
		state = ci->state_mask & 0x0f;
		if (ci->state_mask & XT_CONNTRACK_STATE_UNTRACKED)
			state |= RS_CT_STATE_UNTRACKED;
		/* SNAT and DNAT are not states but ct status bits the kernel
		 * ORs into the state it tests. */
		if (ci->state_mask & XT_CONNTRACK_STATE_SNAT)
			status |= IPS_SRC_NAT;
		if (ci->state_mask & XT_CONNTRACK_STATE_DNAT)
			status |= IPS_DST_NAT;
		if (!status) {
			ret = xt_add_anybit(r, RS_F_CT_STATE, state, inv_state);
		} else if (!state) {
			ret = xt_add_anybit(r, RS_F_CT_STATUS, status,
					    inv_state);
		} else if (inv_state) {
			/* not (state or status) = not state and not status */
			ret = xt_add_anybit(r, RS_F_CT_STATE, state, true);
			if (ret == 0)
				ret = xt_add_anybit(r, RS_F_CT_STATUS, status,
						    true);
		} else {
			/* state or status: not expressible as a conjunction */
			const char *sep = " ";

			xt_buf_printf(&b, "conntrack: ctstate");
			for (i = 0; i < 9; i++) {
				if (!(ci->state_mask & (1u << i)) ||
				    !xt_ct_state_names[i])
					continue;
				xt_buf_printf(&b, "%s%s", sep,
					      xt_ct_state_names[i]);
				sep = ",";
			}
			ret = xt_add_other(r, RS_F_OTHER, "conntrack", 0, b.s,
					   false);
		}
		if (ret < 0)
			return ret;
		if ((mf & 0x1ffe) &&
		    xt_ct_skips_rest(ci->state_mask, inv_state)) {
			const char *sep = " ";

			b.n = 0;
			xt_buf_printf(&b, "conntrack:");
			for (i = 1; i <= 12; i++) {
				if (!(mf & (1u << i)))
					continue;
				xt_buf_printf(&b, "%s%s%s", sep,
					      inv & (1u << i) && i != 12 ?
					      "! " : "", xt_ct_flag_names[i]);
				sep = ", ";
			}
			xt_buf_printf(&b, " (not tested for packets without "
				      "a conntrack entry)");
			return xt_add_other(r, RS_F_OTHER, "conntrack", 0,
					    b.s, false);
		}
	}
	if (mf & XT_CONNTRACK_DIRECTION) {
		/* the kernel matches REPLY when the invert bit is set */
		uint8_t dir = inv & XT_CONNTRACK_DIRECTION ? IP_CT_DIR_REPLY :
							     IP_CT_DIR_ORIGINAL;

		ret = xt_add_range(r, RS_F_CT_DIRECTION, dir, dir, false);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < 4; i++) {
		size_t alen = xt_family_alen(family);
		const void *a, *m;

		if (!(mf & addr_flag[i]))
			continue;
		a = family == NFPROTO_IPV4 ? (const void *)&ci->addr[i]->ip :
					     (const void *)&ci->addr[i]->in6;
		m = family == NFPROTO_IPV4 ? (const void *)&ci->mask[i]->ip :
					     (const void *)&ci->mask[i]->in6;
		ret = xt_add_addr_match(r, family == NFPROTO_IPV4 ? addr4[i] :
					addr6[i], a, m, alen,
					inv & addr_flag[i]);
		if (ret < 0)
			return ret;
	}
	if (mf & XT_CONNTRACK_PROTO && (mf & XT_CONNTRACK_STATE) &&
	    !(inv & XT_CONNTRACK_STATE) && state && !status &&
	    !(state & ~(RS_CT_STATE_NEW | RS_CT_STATE_ESTABLISHED))) {
		/* A NEW or ESTABLISHED packet is of its conntrack's own
		 * protocol: then --ctproto is the packet's protocol. */
		ret = xt_add_range(r, RS_F_L4PROTO, ci->l4proto, ci->l4proto,
				   inv & XT_CONNTRACK_PROTO);
		if (ret < 0)
			return ret;
	} else if (mf & XT_CONNTRACK_PROTO) {
		/* Otherwise not: an ICMP error RELATED to a TCP flow has the
		 * TCP entry, and the model has no ct protocol field. */
		b.n = 0;
		xt_buf_printf(&b, "conntrack: ctproto %u", ci->l4proto);
		ret = xt_add_other(r, RS_F_OTHER, "conntrack", 0, b.s,
				   inv & XT_CONNTRACK_PROTO);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < 4; i++) {
		if (!(mf & port_flag[i]))
			continue;
		if (ci->port_lo[i] > ci->port_hi[i]) {
			ret = inv & port_flag[i] ? 0 :
			      xt_add_range(r, port[i], 0, 0xffff, true);
		} else {
			ret = xt_add_range(r, port[i], ci->port_lo[i],
					   ci->port_hi[i], inv & port_flag[i]);
		}
		if (ret < 0)
			return ret;
	}
	if (mf & XT_CONNTRACK_STATUS) {
		ret = xt_add_anybit(r, RS_F_CT_STATUS, ci->status_mask,
				    inv & XT_CONNTRACK_STATUS);
		if (ret < 0)
			return ret;
	}
	if (mf & XT_CONNTRACK_EXPIRES) {
		b.n = 0;
		xt_buf_printf(&b, "conntrack: ctexpire %u:%u",
			      ci->expires_min, ci->expires_max);
		ret = xt_add_other(r, RS_F_OTHER, "conntrack", 0, b.s,
				   inv & XT_CONNTRACK_EXPIRES);
		if (ret < 0)
			return ret;
	}
	return 0;
}

#define XT_CT_COMMON(ci, c) do {					\
	(ci)->addr[0] = &(c)->origsrc_addr;				\
	(ci)->mask[0] = &(c)->origsrc_mask;				\
	(ci)->addr[1] = &(c)->origdst_addr;				\
	(ci)->mask[1] = &(c)->origdst_mask;				\
	(ci)->addr[2] = &(c)->replsrc_addr;				\
	(ci)->mask[2] = &(c)->replsrc_mask;				\
	(ci)->addr[3] = &(c)->repldst_addr;				\
	(ci)->mask[3] = &(c)->repldst_mask;				\
	(ci)->expires_min = (c)->expires_min;				\
	(ci)->expires_max = (c)->expires_max;				\
	(ci)->l4proto = (c)->l4proto;					\
	(ci)->match_flags = (c)->match_flags;				\
	(ci)->invert_flags = (c)->invert_flags;				\
	(ci)->state_mask = (c)->state_mask;				\
	(ci)->status_mask = (c)->status_mask;				\
} while (0)

/* Revisions 1 and 2 compare single ports in network byte order. */
#define XT_CT_PORTS_BE(ci, c) do {					\
	(ci)->port_lo[0] = (ci)->port_hi[0] = ntohs((c)->origsrc_port);	\
	(ci)->port_lo[1] = (ci)->port_hi[1] = ntohs((c)->origdst_port);	\
	(ci)->port_lo[2] = (ci)->port_hi[2] = ntohs((c)->replsrc_port);	\
	(ci)->port_lo[3] = (ci)->port_hi[3] = ntohs((c)->repldst_port);	\
} while (0)

static int xt_mt_conntrack1(struct rs_rule *r, uint8_t family,
			    const void *data)
{
	const struct xt_conntrack_mtinfo1 *c = data;
	struct xt_ct_info ci;

	XT_CT_COMMON(&ci, c);
	XT_CT_PORTS_BE(&ci, c);
	return xt_conntrack(r, family, &ci);
}

static int xt_mt_conntrack2(struct rs_rule *r, uint8_t family,
			    const void *data)
{
	const struct xt_conntrack_mtinfo2 *c = data;
	struct xt_ct_info ci;

	XT_CT_COMMON(&ci, c);
	XT_CT_PORTS_BE(&ci, c);
	return xt_conntrack(r, family, &ci);
}

static int xt_mt_conntrack3(struct rs_rule *r, uint8_t family,
			    const void *data)
{
	const struct xt_conntrack_mtinfo3 *c = data;
	struct xt_ct_info ci;

	XT_CT_COMMON(&ci, c);
	/* Revision 3 holds port ranges in host byte order. */
	ci.port_lo[0] = c->origsrc_port;
	ci.port_hi[0] = c->origsrc_port_high;
	ci.port_lo[1] = c->origdst_port;
	ci.port_hi[1] = c->origdst_port_high;
	ci.port_lo[2] = c->replsrc_port;
	ci.port_hi[2] = c->replsrc_port_high;
	ci.port_lo[3] = c->repldst_port;
	ci.port_hi[3] = c->repldst_port_high;
	return xt_conntrack(r, family, &ci);
}

static int xt_mt_state(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_state_info *s = data;

	/* "! --state X" is stored as ~X; only these bits can ever be set
	 * in the state the kernel tests, and they are RS_CT_STATE_*. */
	return xt_add_anybit(r, RS_F_CT_STATE, s->statemask &
			     (RS_CT_STATE_INVALID | RS_CT_STATE_ESTABLISHED |
			      RS_CT_STATE_RELATED | RS_CT_STATE_NEW |
			      RS_CT_STATE_UNTRACKED), false);
}

static int xt_mt_comment(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_comment_info *c = data;
	struct xt_buf b = { .n = 0 };
	char *s;

	if (r->comment)
		xt_buf_printf(&b, "%s; ", r->comment);
	xt_buf_putstr(&b, c->comment, sizeof(c->comment));
	s = strdup(b.s);
	if (!s)
		return -ENOMEM;
	free(r->comment);
	r->comment = s;
	return 0;
}

static int xt_mt_iprange(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_iprange_mtinfo *i = data;
	enum rs_field fs, fd;
	int ret;

	if (!xt_family_ok(family) ||
	    (i->flags & ~(IPRANGE_SRC | IPRANGE_DST | IPRANGE_SRC_INV |
			  IPRANGE_DST_INV)))
		return -EINVAL;
	fs = family == NFPROTO_IPV4 ? RS_F_IP_SADDR : RS_F_IP6_SADDR;
	fd = family == NFPROTO_IPV4 ? RS_F_IP_DADDR : RS_F_IP6_DADDR;
	if (i->flags & IPRANGE_SRC) {
		rs_u128 lo = xt_inet_addr(&i->src_min, family);
		rs_u128 hi = xt_inet_addr(&i->src_max, family);
		bool inv = i->flags & IPRANGE_SRC_INV;

		if (lo > hi)
			ret = inv ? 0 : xt_add_range(r, fs, 0, ~(rs_u128)0,
						     true);
		else
			ret = xt_add_range(r, fs, lo, hi, inv);
		if (ret < 0)
			return ret;
	}
	if (i->flags & IPRANGE_DST) {
		rs_u128 lo = xt_inet_addr(&i->dst_min, family);
		rs_u128 hi = xt_inet_addr(&i->dst_max, family);
		bool inv = i->flags & IPRANGE_DST_INV;

		if (lo > hi)
			ret = inv ? 0 : xt_add_range(r, fd, 0, ~(rs_u128)0,
						     true);
		else
			ret = xt_add_range(r, fd, lo, hi, inv);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int xt_mt_mac(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_mac_info *m = data;
	rs_u128 mac = xt_be_u128(m->srcaddr, ETH_ALEN);

	if (m->invert != 0 && m->invert != 1)
		return -EINVAL;
	return xt_add_range(r, RS_F_ETHER_SADDR, mac, mac, m->invert);
}

/* ipset dimension flags: bit i (1..dim) set = that dimension is "src". */
static void xt_buf_set_dims(struct xt_buf *b, unsigned int dim, uint32_t flags)
{
	unsigned int i;

	for (i = 1; i <= dim; i++)
		xt_buf_printf(b, "%s%s", i == 1 ? " " : ",",
			      flags & (1u << i) ? "src" : "dst");
}

static const char *const xt_set_counter_ops[] = {
	"", "eq", "ne", "lt", "gt",
};

static int xt_set_counter(struct xt_buf *b, const char *what, uint8_t op,
			  uint64_t value)
{
	if (op == IPSET_COUNTER_NONE)
		return 0;
	if (op >= ARRAY_SIZE(xt_set_counter_ops))
		return -EINVAL;
	xt_buf_printf(b, " %s-%s %llu", what, xt_set_counter_ops[op],
		      (unsigned long long)value);
	return 0;
}

static int xt_set_match(struct rs_rule *r, uint8_t rev,
			const struct xt_set_info *s, uint32_t flags,
			const char *counters)
{
	struct xt_buf b = { .n = 0 };
	struct rs_match *m;
	int ret;

	if (s->dim < IPSET_DIM_ONE || s->dim > IPSET_DIM_MAX)
		return -EINVAL;
	xt_buf_printf(&b, "match-set index %u", s->index);
	xt_buf_set_dims(&b, s->dim, s->flags);
	if ((s->flags & IPSET_RETURN_NOMATCH) ||
	    (flags & IPSET_FLAG_RETURN_NOMATCH))
		xt_buf_printf(&b, " return-nomatch");
	if (flags & IPSET_FLAG_SKIP_COUNTER_UPDATE)
		xt_buf_printf(&b, " no-update-counters");
	if (flags & IPSET_FLAG_SKIP_SUBCOUNTER_UPDATE)
		xt_buf_printf(&b, " no-update-subcounters");
	if (counters)
		xt_buf_printf(&b, "%s", counters);
	ret = xt_add_other(r, RS_F_IPSET, "set", rev, b.s,
			   s->flags & IPSET_INV_MATCH);
	if (ret < 0)
		return ret;
	/* what the engine needs to decide it from the set's contents */
	m = &r->matches[r->nmatches - 1];
	m->value = s->index;
	m->mask = RS_IPSET_M_VALID | ((rs_u128)s->dim << RS_IPSET_M_DIM_SHIFT) |
		  (s->flags & RS_IPSET_M_SRC_MASK);
	if ((s->flags & IPSET_RETURN_NOMATCH) ||
	    (flags & IPSET_FLAG_RETURN_NOMATCH))
		m->mask |= RS_IPSET_M_RETURN_NOMATCH;
	if (counters && *counters)
		m->mask |= RS_IPSET_M_COUNTERS;
	return 0;
}

static int xt_mt_set0(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_set_info_match_v0 *s = data;
	struct xt_set_info v1 = { .index = s->match_set.index };
	unsigned int i;

	/* Revision 0 lists one IPSET_SRC/IPSET_DST word per dimension,
	 * ended by 0; inversion rides on the first. */
	if (s->match_set.u.flags[0] & IPSET_MATCH_INV)
		v1.flags |= IPSET_INV_MATCH;
	for (i = 0; i < IPSET_DIM_MAX - 1 && s->match_set.u.flags[i]; i++) {
		v1.dim++;
		if (s->match_set.u.flags[i] & IPSET_SRC)
			v1.flags |= 1u << v1.dim;
	}
	return xt_set_match(r, 0, &v1, 0, NULL);
}

static int xt_mt_set1(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_set_info_match_v1 *s = data;

	/* revision 2 has the same layout; it adds return-nomatch */
	return xt_set_match(r, 1, &s->match_set, 0, NULL);
}

static int xt_mt_set2(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_set_info_match_v1 *s = data;

	return xt_set_match(r, 2, &s->match_set, 0, NULL);
}

static int xt_mt_set3(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_set_info_match_v3 *s = data;
	struct xt_buf c = { .n = 0 };

	if (xt_set_counter(&c, "packets", s->packets.op, s->packets.value) ||
	    xt_set_counter(&c, "bytes", s->bytes.op, s->bytes.value))
		return -EINVAL;
	return xt_set_match(r, 3, &s->match_set, s->flags, c.s);
}

static int xt_mt_set4(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_set_info_match_v4 *s = data;
	struct xt_buf c = { .n = 0 };

	if (xt_set_counter(&c, "packets", s->packets.op, s->packets.value) ||
	    xt_set_counter(&c, "bytes", s->bytes.op, s->bytes.value))
		return -EINVAL;
	return xt_set_match(r, 4, &s->match_set, s->flags, c.s);
}

/* avg is the time between packets in 1/XT_LIMIT_SCALE s: show the rate in
 * the smallest unit where it is a whole number, or nearly. */
static void xt_buf_rate(struct xt_buf *b, uint32_t avg)
{
	static const struct {
		const char *name;
		uint64_t mult;
	} units[] = {
		{ "second", XT_LIMIT_SCALE },
		{ "minute", XT_LIMIT_SCALE * 60ULL },
		{ "hour", XT_LIMIT_SCALE * 60ULL * 60 },
		{ "day", XT_LIMIT_SCALE * 60ULL * 60 * 24 },
	};
	unsigned int i;

	if (avg == 0) {
		xt_buf_printf(b, "unlimited");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		uint64_t q = units[i].mult / avg, rem = units[i].mult % avg;

		/* iptables rounds the period down when it stores a rate */
		if (q > 0 && (rem == 0 || rem * 1000 < avg || q >= 1000 ||
			      i == 3)) {
			xt_buf_printf(b, "%llu/%s", (unsigned long long)q,
				      units[i].name);
			return;
		}
	}
	xt_buf_printf(b, "1/%llu-seconds",
		      (unsigned long long)avg / XT_LIMIT_SCALE);
}

static int xt_mt_limit(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_rateinfo *l = data;
	struct xt_buf b = { .n = 0 };

	xt_buf_printf(&b, "limit: avg ");
	xt_buf_rate(&b, l->avg);
	xt_buf_printf(&b, " burst %u", l->burst);
	return xt_add_other(r, RS_F_OTHER, "limit", 0, b.s, false);
}

static int xt_recent(struct rs_rule *r, uint8_t family, uint8_t rev,
		     const struct xt_recent_mtinfo *rc,
		     const union nf_inet_addr *mask)
{
	struct xt_buf b = { .n = 0 };
	struct rs_stmt *st;
	uint8_t cmd = rc->check_set & (XT_RECENT_CHECK | XT_RECENT_SET |
				       XT_RECENT_UPDATE | XT_RECENT_REMOVE);

	if ((rc->check_set & ~XT_RECENT_VALID_FLAGS) || rc->invert > 1 ||
	    rc->side > XT_RECENT_DEST || (cmd & (cmd - 1)) || !cmd)
		return -EINVAL;
	xt_buf_printf(&b, "recent: %s",
		      cmd == XT_RECENT_CHECK ? "rcheck" :
		      cmd == XT_RECENT_SET ? "set" :
		      cmd == XT_RECENT_UPDATE ? "update" : "remove");
	if (rc->seconds)
		xt_buf_printf(&b, " seconds %u", rc->seconds);
	if (rc->check_set & XT_RECENT_REAP)
		xt_buf_printf(&b, " reap");
	if (rc->hit_count)
		xt_buf_printf(&b, " hitcount %u", rc->hit_count);
	if (rc->check_set & XT_RECENT_TTL)
		xt_buf_printf(&b, " rttl");
	xt_buf_printf(&b, " name ");
	xt_buf_putstr(&b, rc->name, sizeof(rc->name));
	if (mask && xt_family_ok(family)) {
		xt_buf_printf(&b, " mask ");
		xt_buf_addr(&b, family, mask);
	}
	xt_buf_printf(&b, " %s", rc->side == XT_RECENT_DEST ? "rdest" :
							    "rsource");
	/* --set always matches (recent_mt returns !invert): a side effect,
	 * not a condition.  Inverted, it never matches. */
	if (cmd == XT_RECENT_SET && !rc->invert) {
		st = rs_rule_add_stmt(r);
		if (!st || !(st->name = strdup("recent")) ||
		    !(st->text = strdup(b.s)))
			return -ENOMEM;
		return 0;
	}
	return xt_add_other(r, RS_F_OTHER, "recent", rev, b.s, rc->invert);
}

static int xt_mt_recent0(struct rs_rule *r, uint8_t family, const void *data)
{
	return xt_recent(r, family, 0, data, NULL);
}

static int xt_mt_recent1(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_recent_mtinfo_v1 *rc = data;

	/* v1 starts with the v0 layout */
	return xt_recent(r, family, 1, data, &rc->mask);
}

static int xt_mt_statistic(struct rs_rule *r, uint8_t family,
			   const void *data)
{
	const struct xt_statistic_info *s = data;
	struct xt_buf b = { .n = 0 };

	if (s->flags & ~XT_STATISTIC_MASK)
		return -EINVAL;
	switch (s->mode) {
	case XT_STATISTIC_MODE_RANDOM:
		xt_buf_printf(&b, "statistic: mode random probability %.11f",
			      s->u.random.probability / 2147483648.0);
		break;
	case XT_STATISTIC_MODE_NTH:
		xt_buf_printf(&b, "statistic: mode nth every %llu packet %u",
			      s->u.nth.every + 1ULL, s->u.nth.packet);
		break;
	default:
		return -EINVAL;
	}
	return xt_add_other(r, RS_F_OTHER, "statistic", 0, b.s,
			    s->flags & XT_STATISTIC_INVERT);
}

static int xt_mt_mark(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_mark_mtinfo1 *m = data;

	if (m->invert > 1)
		return -EINVAL;
	return xt_add_mask(r, RS_F_MARK, m->mask, m->mark, m->invert);
}

static int xt_mt_connmark(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_connmark_mtinfo1 *m = data;

	if (m->invert > 1)
		return -EINVAL;
	return xt_add_mask(r, RS_F_CT_MARK, m->mask, m->mark, m->invert);
}

/*
 * physdev: for a packet that was not bridged, a name test fails (passes
 * when inverted) -- the same result as comparing the name "" with a
 * non-empty name, which is how the engine should see such packets.
 */
static int xt_mt_physdev(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_physdev_info *p = data;
	uint8_t flags = XT_PHYSDEV_OP_BRIDGED | XT_PHYSDEV_OP_ISIN |
			XT_PHYSDEV_OP_ISOUT;
	struct xt_buf b = { .n = 0 };
	int ret = 0;

	if ((p->bitmask | p->invert) & ~XT_PHYSDEV_OP_MASK)
		return -EINVAL;
	if (p->bitmask & XT_PHYSDEV_OP_IN) {
		ret = xt_add_ifname_match(r, RS_F_PHYSDEV_IN, p->physindev,
					  (const unsigned char *)p->in_mask,
					  p->invert & XT_PHYSDEV_OP_IN);
		if (ret < 0)
			return ret;
	}
	if (p->bitmask & XT_PHYSDEV_OP_OUT) {
		ret = xt_add_ifname_match(r, RS_F_PHYSDEV_OUT, p->physoutdev,
					  (const unsigned char *)p->out_mask,
					  p->invert & XT_PHYSDEV_OP_OUT);
		if (ret < 0)
			return ret;
	}
	if (!(p->bitmask & flags))
		return 0;
	/* Each flag has its own inversion, so one text per flag. */
	if (p->bitmask & XT_PHYSDEV_OP_ISIN) {
		ret = xt_add_other(r, RS_F_OTHER, "physdev", 0,
				   "physdev: physdev-is-in",
				   p->invert & XT_PHYSDEV_OP_ISIN);
		if (ret < 0)
			return ret;
	}
	if (p->bitmask & XT_PHYSDEV_OP_ISOUT) {
		ret = xt_add_other(r, RS_F_OTHER, "physdev", 0,
				   "physdev: physdev-is-out",
				   p->invert & XT_PHYSDEV_OP_ISOUT);
		if (ret < 0)
			return ret;
	}
	if (p->bitmask & XT_PHYSDEV_OP_BRIDGED) {
		xt_buf_printf(&b, "physdev: physdev-is-bridged");
		ret = xt_add_other(r, RS_F_OTHER, "physdev", 0, b.s,
				   p->invert & XT_PHYSDEV_OP_BRIDGED);
	}
	return ret;
}

/*
 * owner: only meaningful for locally generated packets (OUTPUT and
 * POSTROUTING).  Like meta skuid/skgid; where the packet has no socket the
 * kernel passes exactly the rules whose every option is inverted.
 */
static int xt_mt_owner(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_owner_match_info *o = data;
	struct xt_buf b = { .n = 0 };
	int ret;

	if ((o->match | o->invert) & ~XT_OWNER_MASK)
		return -EINVAL;
	if (o->match & XT_OWNER_SOCKET) {
		ret = xt_add_other(r, RS_F_OTHER, "owner", 1,
				   "owner: socket-exists",
				   o->invert & XT_OWNER_SOCKET);
		if (ret < 0)
			return ret;
	}
	if (o->match & XT_OWNER_UID) {
		ret = o->uid_min > o->uid_max ?
		      (o->invert & XT_OWNER_UID ? 0 :
		       xt_add_range(r, RS_F_SKUID, 0, UINT32_MAX, true)) :
		      xt_add_range(r, RS_F_SKUID, o->uid_min, o->uid_max,
				   o->invert & XT_OWNER_UID);
		if (ret < 0)
			return ret;
	}
	if (!(o->match & XT_OWNER_GID))
		return 0;
	if (o->match & XT_OWNER_SUPPL_GROUPS) {
		/* primary or supplementary group: not one socket field */
		xt_buf_printf(&b, "owner: gid-owner %u-%u suppl-groups",
			      o->gid_min, o->gid_max);
		return xt_add_other(r, RS_F_OTHER, "owner", 1, b.s,
				    o->invert & XT_OWNER_GID);
	}
	if (o->gid_min > o->gid_max)
		return o->invert & XT_OWNER_GID ? 0 :
		       xt_add_range(r, RS_F_SKGID, 0, UINT32_MAX, true);
	return xt_add_range(r, RS_F_SKGID, o->gid_min, o->gid_max,
			    o->invert & XT_OWNER_GID);
}

static int xt_mt_pkttype(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_pkttype_info *p = data;

	if (p->pkttype < 0 || p->pkttype > 255 || (p->invert & ~1))
		return -EINVAL;
	return xt_add_range(r, RS_F_PKTTYPE, (unsigned int)p->pkttype,
			    (unsigned int)p->pkttype, p->invert);
}

/* -m rpfilter [--loose] [--invert]: the route back to the source exists
 * (loose) and leaves through the input interface (strict), as nftables'
 * fib saddr [. iif] oif != 0.  --validmark looks the route up with the
 * packet's mark: a probe carries none unless the ruleset set one, which is
 * not followed into the lookup. */
static int xt_mt_rpfilter(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_rpfilter_info *p = data;

	(void)family;
	if (p->flags & ~(XT_RPFILTER_LOOSE | XT_RPFILTER_VALID_MARK |
			 XT_RPFILTER_ACCEPT_LOCAL | XT_RPFILTER_INVERT))
		return -EINVAL;
	return xt_add_range(r, p->flags & XT_RPFILTER_LOOSE ?
			    RS_F_FIB_SADDR_OIF : RS_F_FIB_SADDR_IIF_OIF, 0, 0,
			    !(p->flags & XT_RPFILTER_INVERT));
}

/* ------------------------------------------------------------------ */
/* Header fields the sender of a packet chooses.  They are decoded exactly
 * so that the engine can let a probe pick whatever gets it through. */

/* ttl / hl: eq, ne, lt, gt on one byte (ttl_mt(), hl_mt6()). */
static int xt_byte_cmp(struct rs_rule *r, enum rs_field f, uint8_t mode,
		       uint8_t v)
{
	switch (mode) {
	case IPT_TTL_EQ:
		return xt_add_range(r, f, v, v, false);
	case IPT_TTL_NE:
		return xt_add_range(r, f, v, v, true);
	case IPT_TTL_LT:
		if (v == 0)
			return xt_add_never(r, f);
		return xt_add_range(r, f, 0, v - 1, false);
	case IPT_TTL_GT:
		if (v == 0xff)
			return xt_add_never(r, f);
		return xt_add_range(r, f, v + 1, 0xff, false);
	default:
		return -EINVAL;
	}
}

static int xt_mt_ttl(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct ipt_ttl_info *t = data;

	(void)family;
	return xt_byte_cmp(r, RS_F_IP_TTL, t->mode, t->ttl);
}

static int xt_mt_hl(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct ip6t_hl_info *h = data;

	/* IP6T_HL_EQ.. have the values of IPT_TTL_EQ.. */
	(void)family;
	return xt_byte_cmp(r, RS_F_IP_TTL, h->mode, h->hop_limit);
}

/* length: IPv4 total length, IPv6 payload length + 40 (length_mt6()). */
static int xt_mt_length(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_length_info *l = data;

	(void)family;
	if (l->invert & ~1)
		return -EINVAL;
	if (l->min > l->max) {
		if (l->invert)
			return 0;
		return xt_add_never(r, RS_F_IP_LENGTH);
	}
	return xt_add_range(r, RS_F_IP_LENGTH, l->min, l->max, l->invert);
}

/* dscp: (tos >> 2) == dscp, the IPv6 traffic class alike. */
static int xt_mt_dscp(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_dscp_info *d = data;

	(void)family;
	if (d->dscp > XT_DSCP_MAX || (d->invert & ~1))
		return -EINVAL;
	return xt_add_mask(r, RS_F_IP_TOS, XT_DSCP_MASK,
			   (rs_u128)d->dscp << XT_DSCP_SHIFT, d->invert);
}

/* tos revision 0 compared the whole byte. */
static int xt_mt_tos0(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_tos_info_v0 *t = data;

	(void)family;
	if (t->invert & ~1)
		return -EINVAL;
	return xt_add_mask(r, RS_F_IP_TOS, 0xff, t->tos, t->invert);
}

static int xt_mt_tos1(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_tos_match_info *t = data;

	(void)family;
	if (t->invert & ~1)
		return -EINVAL;
	return xt_add_mask(r, RS_F_IP_TOS, t->tos_mask, t->tos_value,
			   t->invert);
}

/* ecn: the ECT bits of the TOS byte, and the TCP ECE and CWR flags, each
 * inverted on its own (ecn_mt4(), ecn_mt6()). */
static int xt_mt_ecn(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_ecn_info *e = data;
	int ret = 0;

	(void)family;
	if ((e->operation | e->invert) & XT_ECN_OP_MATCH_MASK ||
	    e->ip_ect > 3)
		return -EINVAL;
	if (e->operation & XT_ECN_OP_MATCH_IP) {
		ret = xt_add_mask(r, RS_F_IP_TOS, 0x03, e->ip_ect,
				  e->invert & XT_ECN_OP_MATCH_IP);
		if (ret < 0)
			return ret;
	}
	/* ece set is (flags & 0x40) != 0, clear with ! */
	if (e->operation & XT_ECN_OP_MATCH_ECE) {
		ret = xt_add_anybit(r, RS_F_TCP_FLAGS, 0x40,
				    e->invert & XT_ECN_OP_MATCH_ECE);
		if (ret < 0)
			return ret;
	}
	if (e->operation & XT_ECN_OP_MATCH_CWR)
		ret = xt_add_anybit(r, RS_F_TCP_FLAGS, 0x80,
				    e->invert & XT_ECN_OP_MATCH_CWR);
	return ret;
}

/*
 * tcpmss: a packet without the option matches only when inverted
 * (tcpmss_mt() returns info->invert), which NOT_IN says by itself: the
 * field is RS_ABSENT then, outside every [min, max].
 */
static int xt_mt_tcpmss(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_tcpmss_match_info *t = data;

	(void)family;
	if (t->invert & ~1)
		return -EINVAL;
	if (t->mss_min > t->mss_max) {
		if (t->invert)
			return xt_add_range(r, RS_F_TCP_MSS, 0, RS_ABSENT,
					    false);
		return xt_add_never(r, RS_F_TCP_MSS);
	}
	return xt_add_range(r, RS_F_TCP_MSS, t->mss_min, t->mss_max,
			    t->invert);
}

/* A bit of RS_F_IP6_EXTHDRS set (present) or clear. */
static int xt_exthdr_bit(struct rs_rule *r, unsigned int nexthdr,
			 bool present)
{
	rs_u128 bit = (rs_u128)1 << nexthdr;

	return xt_add_mask(r, RS_F_IP6_EXTHDRS, bit, present ? bit : 0, false);
}

/* The routing header present (any type) or absent. */
static int xt_rt_present(struct rs_rule *r, bool present)
{
	if (present)
		return xt_add_range(r, RS_F_IP6_RT_TYPE, 0, 0xff, false);
	return xt_add_range(r, RS_F_IP6_RT_TYPE, RS_ABSENT, RS_ABSENT, false);
}

/* hdrlen of a routing / options header compares ipv6_optlen(), (n + 1) * 8
 * bytes: the sender picks n, but only a multiple of 8 in [8, 2048] can
 * ever be equal. */
static bool xt_optlen_possible(uint32_t len, bool invert)
{
	return invert || (len % 8 == 0 && len >= 8 && len <= 2048);
}

/* A range test of (segments left, fragment id) "value in [lo, hi] ^ inv"
 * that some value of the field passes. */
static bool xt_u32_range_possible(uint32_t lo, uint32_t hi, bool invert)
{
	if (!invert)
		return lo <= hi;
	return !(lo == 0 && hi == 0xffffffff);
}

/*
 * rt: the routing header is there (rt_mt6() fails without it) with the
 * type asked for.  Segments left: a packet the host delivers to itself has
 * none left (the stack forwards it to the next segment otherwise), so a
 * range that excludes 0 never matches and one that includes it adds
 * nothing.  The header length is the sender's choice; the address list is
 * not decided here.
 */
static int xt_mt_rt(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct ip6t_rt *rt = data;
	struct xt_buf b = { .n = 0 };
	bool sgs_inv = rt->invflags & IP6T_RT_INV_SGS;
	bool zero_left;
	int ret;

	if (family != NFPROTO_IPV6 || (rt->invflags & ~IP6T_RT_INV_MASK) ||
	    rt->addrnr > IP6T_RT_HOPS)
		return -EINVAL;
	/* 0 is in [lo, hi] exactly when lo is 0 */
	zero_left = (rt->segsleft[0] == 0) != sgs_inv;
	if (!zero_left ||
	    ((rt->flags & IP6T_RT_LEN) &&
	     !xt_optlen_possible(rt->hdrlen, rt->invflags & IP6T_RT_INV_LEN)))
		return xt_add_never(r, RS_F_IP6_RT_TYPE);
	if (!(rt->flags & IP6T_RT_TYP)) {
		ret = xt_rt_present(r, true);
	} else if (rt->rt_type > 0xff) {
		ret = rt->invflags & IP6T_RT_INV_TYP ? xt_rt_present(r, true) :
		      xt_add_never(r, RS_F_IP6_RT_TYPE);
	} else if (rt->invflags & IP6T_RT_INV_TYP) {
		/* another type, but a routing header all the same */
		struct rs_interval iv[2] = {
			{ rt->rt_type, rt->rt_type },
			{ RS_ABSENT, RS_ABSENT },
		};
		enum rs_field f = RS_F_IP6_RT_TYPE;

		ret = xt_add_in(r, &f, 1, iv, 2, true);
	} else {
		ret = xt_add_range(r, RS_F_IP6_RT_TYPE, rt->rt_type,
				   rt->rt_type, false);
	}
	if (ret < 0 || !(rt->flags & IP6T_RT_FST))
		return ret;
	xt_buf_printf(&b, "rt: %u addresses, %s", rt->addrnr,
		      rt->flags & IP6T_RT_FST_NSTRICT ? "not strict" :
		      "strict");
	return xt_add_other(r, RS_F_OTHER, "rt", 0, b.s, false);
}

/*
 * frag: the fragment header is there, with an id in range (the sender's
 * choice).  --fragfirst and --fraglast ask for an offset of 0 and no MF
 * flag: what the sender sends anyway.  --fragmore asks for a fragment that
 * more fragments follow: conntrack reassembles those before the filter
 * hooks see the packet, so no probe ever has it.
 */
static int xt_mt_frag(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct ip6t_frag *f = data;

	if (family != NFPROTO_IPV6 || (f->invflags & ~IP6T_FRAG_INV_MASK))
		return -EINVAL;
	if ((f->flags & IP6T_FRAG_MF) ||
	    !xt_u32_range_possible(f->ids[0], f->ids[1],
				   f->invflags & IP6T_FRAG_INV_IDS))
		return xt_add_never(r, RS_F_IP6_EXTHDRS);
	return xt_exthdr_bit(r, IPPROTO_FRAGMENT, true);
}

/* hbh / dst: the header is there; its length is the sender's choice, its
 * option list too, but the list's layout rules are not followed here. */
static int xt_opts(struct rs_rule *r, const char *name, unsigned int nexthdr,
		   const struct ip6t_opts *o)
{
	struct xt_buf b = { .n = 0 };
	unsigned int i;
	int ret;

	if ((o->invflags & ~IP6T_OPTS_INV_MASK) ||
	    o->optsnr > IP6T_OPTS_OPTSNR)
		return -EINVAL;
	if ((o->flags & IP6T_OPTS_LEN) &&
	    !xt_optlen_possible(o->hdrlen, o->invflags & IP6T_OPTS_INV_LEN))
		return xt_add_never(r, RS_F_IP6_EXTHDRS);
	ret = xt_exthdr_bit(r, nexthdr, true);
	if (ret < 0 || !(o->flags & IP6T_OPTS_OPTS) || o->optsnr == 0)
		return ret;
	xt_buf_printf(&b, "%s: options", name);
	for (i = 0; i < o->optsnr; i++)
		xt_buf_printf(&b, "%s%u:%u", i ? "," : " ", o->opts[i] >> 8,
			      o->opts[i] & 0xff);
	if (o->flags & IP6T_OPTS_NSTRICT)
		xt_buf_printf(&b, " (not strict)");
	return xt_add_other(r, RS_F_OTHER, name, 0, b.s, false);
}

static int xt_mt_hbh(struct rs_rule *r, uint8_t family, const void *data)
{
	if (family != NFPROTO_IPV6)
		return -EINVAL;
	return xt_opts(r, "hbh", IPPROTO_HOPOPTS, data);
}

static int xt_mt_dst(struct rs_rule *r, uint8_t family, const void *data)
{
	if (family != NFPROTO_IPV6)
		return -EINVAL;
	return xt_opts(r, "dst", IPPROTO_DSTOPTS, data);
}

/* mh: the mobility header is a protocol of its own (ip6tables requires
 * -p ipv6-mh), never a TCP/UDP/SCTP probe: the protocol says exactly
 * that; the message type is the sender's choice. */
static int xt_mt_mh(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct ip6t_mh *m = data;

	if (family != NFPROTO_IPV6 || (m->invflags & ~IP6T_MH_INV_MASK))
		return -EINVAL;
	if (!(m->invflags & IP6T_MH_INV_TYPE) ? m->types[0] > m->types[1] :
	    (m->types[0] == 0 && m->types[1] == 0xff))
		return xt_add_never(r, RS_F_L4PROTO);
	return xt_add_range(r, RS_F_L4PROTO, IPPROTO_MH, IPPROTO_MH, false);
}

/*
 * ipv6header (ipv6header_mt6()): the headers in front of the transport
 * header, as MASK_* bits.  Soft mode tests each listed header on its own
 * (present, or absent where inverted); hard mode wants exactly the listed
 * set, or with "!" anything else, which is a disjunction.  A probe always
 * ends in a transport header (MASK_PROTO).
 */
static int xt_mt_ipv6header(struct rs_rule *r, uint8_t family,
			    const void *data)
{
	static const struct {
		uint8_t flag;
		uint8_t nexthdr;
	} hdrs[] = {
		{ MASK_HOPOPTS, IPPROTO_HOPOPTS },
		{ MASK_DSTOPTS, IPPROTO_DSTOPTS },
		{ MASK_FRAGMENT, IPPROTO_FRAGMENT },
		{ MASK_AH, IPPROTO_AH },
		{ MASK_ESP, IPPROTO_ESP },
		{ MASK_NONE, IPPROTO_NONE },
	};
	const struct ip6t_ipv6header_info *h = data;
	rs_u128 mask = 0, value = 0, bit;
	struct xt_buf b = { .n = 0 };
	uint8_t want;
	unsigned int i;
	int ret;

	if (family != NFPROTO_IPV6)
		return -EINVAL;
	if (!h->modeflag && h->invflags != 0 && h->invflags != 0xff)
		return -EINVAL;
	if (!h->modeflag && h->invflags) {
		if (!(h->matchflags & MASK_PROTO))
			return 0;	/* a probe's set has MASK_PROTO */
		xt_buf_printf(&b, "ipv6header: not exactly 0x%02x",
			      h->matchflags);
		return xt_add_other(r, RS_F_OTHER, "ipv6header", 0, b.s,
				    false);
	}
	/* the wanted value of each bit: listed, xor inverted in soft mode */
	want = h->modeflag ? h->matchflags & ~h->invflags : h->matchflags;
	if (h->modeflag ? (h->matchflags & h->invflags & MASK_PROTO) :
	    !(h->matchflags & MASK_PROTO))
		return xt_add_never(r, RS_F_IP6_EXTHDRS);
	for (i = 0; i < ARRAY_SIZE(hdrs); i++) {
		if (h->modeflag && !(h->matchflags & hdrs[i].flag))
			continue;
		bit = (rs_u128)1 << hdrs[i].nexthdr;
		mask |= bit;
		if (want & hdrs[i].flag)
			value |= bit;
	}
	if (mask) {
		ret = xt_add_mask(r, RS_F_IP6_EXTHDRS, mask, value, false);
		if (ret < 0)
			return ret;
	}
	if (h->modeflag && !(h->matchflags & MASK_ROUTING))
		return 0;
	return xt_rt_present(r, want & MASK_ROUTING);
}

/*
 * ipv4options (xtables-addons): the option numbers present, each map bit
 * flipped by its invert bit; "all" wants every bit of the map, "any" one
 * of them, which is a mask test only when the bits agree in sense.
 */
static int xt_mt_ipv4options(struct rs_rule *r, uint8_t family,
			     const void *data)
{
	const struct xt_ipv4options_mtinfo *o = data;
	struct xt_buf b = { .n = 0 };
	uint16_t inv = o->invert & o->map;

	if (family != NFPROTO_IPV4 ||
	    (o->flags & ~(XT_V4OPTS_ALL | XT_V4OPTS_ANY)))
		return -EINVAL;
	if (!(o->flags & XT_V4OPTS_ANY) || (o->map & (o->map - 1)) == 0) {
		/* (opts ^ invert) & map == map; the empty map always
		 * holds for "all" and never for "any" */
		if (o->map == 0)
			return o->flags & XT_V4OPTS_ANY ?
			       xt_add_never(r, RS_F_IP_OPTIONS) : 0;
		return xt_add_mask(r, RS_F_IP_OPTIONS, o->map,
				   o->map & ~inv, false);
	}
	if (inv == 0)
		return xt_add_anybit(r, RS_F_IP_OPTIONS, o->map, false);
	if (inv == o->map)
		return xt_add_mask(r, RS_F_IP_OPTIONS, o->map, o->map, true);
	xt_buf_printf(&b, "ipv4options: any of 0x%04x, inverted 0x%04x",
		      o->map, inv);
	return xt_add_other(r, RS_F_OTHER, "ipv4options", 0, b.s, false);
}

/* ------------------------------------------------------------------ */
/* Targets */

static int xt_verdict_name(struct rs_verdict *v, const char *name)
{
	char *s = strdup(name);

	if (!s)
		return -ENOMEM;
	free(v->name);
	v->name = s;
	return 0;
}

static int xt_add_stmt(struct rs_rule *r, const char *name, const char *text,
		       struct rs_stmt **out)
{
	struct rs_stmt *st = rs_rule_add_stmt(r);

	if (!st || !(st->name = strdup(name)))
		return -ENOMEM;
	if (text && !(st->text = strdup(text)))
		return -ENOMEM;
	if (out)
		*out = st;
	return 0;
}

static void xt_nat_set(struct rs_nat *n, uint8_t family, unsigned int flags,
		       rs_u128 lo, rs_u128 hi, __be16 plo, __be16 phi)
{
	n->family = family;
	n->flags = flags;
	n->has_addr = flags & NF_NAT_RANGE_MAP_IPS;
	n->has_port = flags & NF_NAT_RANGE_PROTO_SPECIFIED;
	if (n->has_addr) {
		n->addr_lo = lo;
		n->addr_hi = hi;
	}
	if (n->has_port) {
		n->port_lo = ntohs(plo);
		n->port_hi = ntohs(phi);
	}
}

static int xt_nat_compat(struct rs_rule *r, uint8_t family,
			 enum rs_verdict_kind kind, const void *data)
{
	const struct nf_nat_ipv4_multi_range_compat *mr = data;
	const struct nf_nat_ipv4_range *rg = &mr->range[0];

	if (family != NFPROTO_IPV4 || mr->rangesize != 1 ||
	    (rg->flags & ~NF_NAT_RANGE_MASK))
		return -EINVAL;
	r->verdict.kind = kind;
	xt_nat_set(&r->verdict.nat, family, rg->flags, ntohl(rg->min_ip),
		   ntohl(rg->max_ip), rg->min.all, rg->max.all);
	return 0;
}

static int xt_nat_range(struct rs_rule *r, uint8_t family,
			enum rs_verdict_kind kind, const void *data)
{
	const struct nf_nat_range *rg = data;

	if (!xt_family_ok(family) || (rg->flags & ~NF_NAT_RANGE_MASK))
		return -EINVAL;
	r->verdict.kind = kind;
	xt_nat_set(&r->verdict.nat, family, rg->flags,
		   xt_inet_addr(&rg->min_addr, family),
		   xt_inet_addr(&rg->max_addr, family),
		   rg->min_proto.all, rg->max_proto.all);
	return 0;
}

static int xt_nat_range2(struct rs_rule *r, uint8_t family,
			 enum rs_verdict_kind kind, const void *data)
{
	const struct nf_nat_range2 *rg = data;

	/* --to ...:a-b/base shifts ports by an offset the model cannot
	 * hold; such a rule stays an unknown target. */
	if (rg->flags & NF_NAT_RANGE_PROTO_OFFSET)
		return -EINVAL;
	return xt_nat_range(r, family, kind, data);
}

static int xt_tg_dnat0(struct rs_rule *r, uint8_t family, const void *data)
{
	return xt_nat_compat(r, family, RS_V_DNAT, data);
}

static int xt_tg_dnat1(struct rs_rule *r, uint8_t family, const void *data)
{
	return xt_nat_range(r, family, RS_V_DNAT, data);
}

static int xt_tg_dnat2(struct rs_rule *r, uint8_t family, const void *data)
{
	return xt_nat_range2(r, family, RS_V_DNAT, data);
}

static int xt_tg_snat0(struct rs_rule *r, uint8_t family, const void *data)
{
	return xt_nat_compat(r, family, RS_V_SNAT, data);
}

static int xt_tg_snat1(struct rs_rule *r, uint8_t family, const void *data)
{
	return xt_nat_range(r, family, RS_V_SNAT, data);
}

static int xt_tg_snat2(struct rs_rule *r, uint8_t family, const void *data)
{
	return xt_nat_range2(r, family, RS_V_SNAT, data);
}

static int xt_tg_masq4(struct rs_rule *r, uint8_t family, const void *data)
{
	return xt_nat_compat(r, family, RS_V_MASQUERADE, data);
}

static int xt_tg_masq6(struct rs_rule *r, uint8_t family, const void *data)
{
	if (family != NFPROTO_IPV6)
		return -EINVAL;
	return xt_nat_range(r, family, RS_V_MASQUERADE, data);
}

static int xt_tg_redir4(struct rs_rule *r, uint8_t family, const void *data)
{
	return xt_nat_compat(r, family, RS_V_REDIRECT, data);
}

static int xt_tg_redir6(struct rs_rule *r, uint8_t family, const void *data)
{
	if (family != NFPROTO_IPV6)
		return -EINVAL;
	return xt_nat_range(r, family, RS_V_REDIRECT, data);
}

static const char *const xt_reject4_names[] = {
	[IPT_ICMP_NET_UNREACHABLE] = "icmp-net-unreachable",
	[IPT_ICMP_HOST_UNREACHABLE] = "icmp-host-unreachable",
	[IPT_ICMP_PROT_UNREACHABLE] = "icmp-proto-unreachable",
	[IPT_ICMP_PORT_UNREACHABLE] = "icmp-port-unreachable",
	[IPT_ICMP_ECHOREPLY] = "echo-reply",
	[IPT_ICMP_NET_PROHIBITED] = "icmp-net-prohibited",
	[IPT_ICMP_HOST_PROHIBITED] = "icmp-host-prohibited",
	[IPT_TCP_RESET] = "tcp-reset",
	[IPT_ICMP_ADMIN_PROHIBITED] = "icmp-admin-prohibited",
};

static const char *const xt_reject6_names[] = {
	[IP6T_ICMP6_NO_ROUTE] = "icmp6-no-route",
	[IP6T_ICMP6_ADM_PROHIBITED] = "icmp6-adm-prohibited",
	[IP6T_ICMP6_NOT_NEIGHBOUR] = "icmp6-not-neighbour",
	[IP6T_ICMP6_ADDR_UNREACH] = "icmp6-addr-unreachable",
	[IP6T_ICMP6_PORT_UNREACH] = "icmp6-port-unreachable",
	[IP6T_ICMP6_ECHOREPLY] = "echo-reply",
	[IP6T_TCP_RESET] = "tcp-reset",
	[IP6T_ICMP6_POLICY_FAIL] = "icmp6-policy-fail",
	[IP6T_ICMP6_REJECT_ROUTE] = "icmp6-reject-route",
};

static int xt_tg_reject(struct rs_rule *r, uint8_t family, const void *data)
{
	uint32_t with;

	/* ipt_reject_info holds an enum, ip6t_reject_info a __u32 */
	memcpy(&with, data, sizeof(with));
	if (family == NFPROTO_IPV4 &&
	    with < ARRAY_SIZE(xt_reject4_names)) {
		r->verdict.kind = RS_V_REJECT;
		return xt_verdict_name(&r->verdict, xt_reject4_names[with]);
	}
	if (family == NFPROTO_IPV6 &&
	    with < ARRAY_SIZE(xt_reject6_names)) {
		r->verdict.kind = RS_V_REJECT;
		return xt_verdict_name(&r->verdict, xt_reject6_names[with]);
	}
	return -EINVAL;
}

static int xt_nfqueue(struct rs_rule *r, uint16_t num, uint16_t total,
		      uint16_t flags)
{
	char buf[64];

	if (flags & ~NFQ_FLAG_MASK)
		return -EINVAL;
	r->verdict.kind = RS_V_QUEUE;
	r->verdict.queue_num = num;
	r->verdict.queue_bypass = flags & NFQ_FLAG_BYPASS;
	if (total <= 1 && !(flags & NFQ_FLAG_CPU_FANOUT))
		return 0;
	snprintf(buf, sizeof(buf), "queue-balance %u:%u%s", num,
		 num + (total ? total : 1) - 1U,
		 flags & NFQ_FLAG_CPU_FANOUT ? " queue-cpu-fanout" : "");
	return xt_verdict_name(&r->verdict, buf);
}

static int xt_tg_nfqueue0(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_NFQ_info *q = data;

	return xt_nfqueue(r, q->queuenum, 1, 0);
}

static int xt_tg_nfqueue1(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_NFQ_info_v1 *q = data;

	return xt_nfqueue(r, q->queuenum, q->queues_total, 0);
}

static int xt_tg_nfqueue2(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_NFQ_info_v2 *q = data;

	if (q->bypass > 1)
		return -EINVAL;
	return xt_nfqueue(r, q->queuenum, q->queues_total,
			  q->bypass ? NFQ_FLAG_BYPASS : 0);
}

static int xt_tg_nfqueue3(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_NFQ_info_v3 *q = data;

	return xt_nfqueue(r, q->queuenum, q->queues_total, q->flags);
}

static int xt_tproxy(struct rs_rule *r, uint8_t family, uint32_t mark_mask,
		     uint32_t mark_value, rs_u128 laddr, __be16 lport)
{
	struct rs_nat *n = &r->verdict.nat;
	struct rs_stmt *st;
	char buf[64];
	int ret;

	/* TPROXY marks the packet it diverts, for policy routing */
	if (mark_mask || mark_value) {
		snprintf(buf, sizeof(buf), "tproxy-mark 0x%x/0x%x",
			 mark_value, mark_mask);
		ret = xt_add_stmt(r, "TPROXY", buf, &st);
		if (ret < 0)
			return ret;
		st->sets_mark = true;
		st->mark_mask = mark_mask;
		st->mark_value = mark_value;
	}
	r->verdict.kind = RS_V_TPROXY;
	n->family = family;
	/* 0 means: the address of the interface it came in on / the
	 * original destination port */
	n->has_addr = laddr != 0;
	n->addr_lo = n->addr_hi = laddr;
	n->has_port = lport != 0;
	n->port_lo = n->port_hi = ntohs(lport);
	return 0;
}

static int xt_tg_tproxy0(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_tproxy_target_info *t = data;

	if (family != NFPROTO_IPV4)
		return -EINVAL;
	return xt_tproxy(r, family, t->mark_mask, t->mark_value,
			 ntohl(t->laddr), t->lport);
}

static int xt_tg_tproxy1(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_tproxy_target_info_v1 *t = data;

	if (!xt_family_ok(family))
		return -EINVAL;
	return xt_tproxy(r, family, t->mark_mask, t->mark_value,
			 xt_inet_addr(&t->laddr, family), t->lport);
}

static int xt_tg_log(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_log_info *l = data;
	struct xt_buf b = { .n = 0 };

	if (l->logflags & ~XT_LOG_MASK)
		return -EINVAL;
	xt_buf_printf(&b, "level %u", l->level);
	if (l->prefix[0]) {
		xt_buf_printf(&b, " prefix \"");
		xt_buf_putstr(&b, l->prefix, sizeof(l->prefix));
		xt_buf_printf(&b, "\"");
	}
	if (l->logflags & XT_LOG_TCPSEQ)
		xt_buf_printf(&b, " tcp-sequence");
	if (l->logflags & XT_LOG_TCPOPT)
		xt_buf_printf(&b, " tcp-options");
	if (l->logflags & XT_LOG_IPOPT)
		xt_buf_printf(&b, " ip-options");
	if (l->logflags & XT_LOG_UID)
		xt_buf_printf(&b, " uid");
	if (l->logflags & XT_LOG_MACDECODE)
		xt_buf_printf(&b, " macdecode");
	return xt_add_stmt(r, "LOG", b.s, NULL);
}

static int xt_tg_nflog(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_nflog_info *l = data;
	struct xt_buf b = { .n = 0 };

	if (l->flags & ~XT_NFLOG_MASK)
		return -EINVAL;
	xt_buf_printf(&b, "group %u", l->group);
	if (l->prefix[0]) {
		xt_buf_printf(&b, " prefix \"");
		xt_buf_putstr(&b, l->prefix, sizeof(l->prefix));
		xt_buf_printf(&b, "\"");
	}
	if (l->flags & XT_NFLOG_F_COPY_LEN)
		xt_buf_printf(&b, " size %u", l->len);
	if (l->threshold)
		xt_buf_printf(&b, " threshold %u", l->threshold);
	return xt_add_stmt(r, "NFLOG", b.s, NULL);
}

static int xt_tg_ulog(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_ulog_info *l = data;
	struct xt_buf b = { .n = 0 };
	unsigned int group = 0;

	/* nl_group is a bitmask of netlink groups; print the first */
	while (group < 32 && !(l->nl_group & (1u << group)))
		group++;
	xt_buf_printf(&b, "nlgroup %u", group + 1);
	if (l->prefix[0]) {
		xt_buf_printf(&b, " prefix \"");
		xt_buf_putstr(&b, l->prefix, sizeof(l->prefix));
		xt_buf_printf(&b, "\"");
	}
	return xt_add_stmt(r, "ULOG", b.s, NULL);
}

static int xt_tg_mark2(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_mark_tginfo2 *m = data;
	struct rs_stmt *st;
	char buf[64];
	int ret;

	snprintf(buf, sizeof(buf), "set-xmark 0x%x/0x%x", m->mark, m->mask);
	ret = xt_add_stmt(r, "MARK", buf, &st);
	if (ret < 0)
		return ret;
	/* the kernel does mark = (mark & ~mask) ^ value, as rs_stmt */
	st->sets_mark = true;
	st->mark_mask = m->mask;
	st->mark_value = m->mark;
	return 0;
}

/*
 * CONNMARK changes the ct mark, or with restore-mark copies the ct mark into
 * the packet mark: not a constant, so not sets_mark; the text says it.
 */
static int xt_connmark(struct rs_rule *r, uint32_t ctmark, uint32_t ctmask,
		       uint32_t nfmask, uint8_t mode, int shift_dir,
		       uint8_t shift_bits)
{
	struct xt_buf b = { .n = 0 };

	switch (mode) {
	case XT_CONNMARK_SET:
		xt_buf_printf(&b, "set-xmark 0x%x/0x%x", ctmark, ctmask);
		break;
	case XT_CONNMARK_SAVE:
		xt_buf_printf(&b, "save-mark nfmask 0x%x ctmask ~0x%x", nfmask,
			      ctmask);
		break;
	case XT_CONNMARK_RESTORE:
		xt_buf_printf(&b, "restore-mark ctmask 0x%x nfmask ~0x%x",
			      ctmask, nfmask);
		break;
	default:
		return -EINVAL;
	}
	if (shift_dir > D_SHIFT_RIGHT || shift_bits > 31)
		return -EINVAL;
	if (shift_dir >= 0 && shift_bits)
		xt_buf_printf(&b, " %s-shift-bits %u",
			      shift_dir == D_SHIFT_LEFT ? "left" : "right",
			      shift_bits);
	return xt_add_stmt(r, "CONNMARK", b.s, NULL);
}

static int xt_tg_connmark1(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_connmark_tginfo1 *c = data;

	return xt_connmark(r, c->ctmark, c->ctmask, c->nfmask, c->mode, -1, 0);
}

static int xt_tg_connmark2(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_connmark_tginfo2 *c = data;

	return xt_connmark(r, c->ctmark, c->ctmask, c->nfmask, c->mode,
			   c->shift_dir, c->shift_bits);
}

/* CT --notrack and NOTRACK are one stmt, "NOTRACK": the packet goes on
 * untracked (ct state UNTRACKED) and is never NATed. */
static int xt_ct(struct rs_rule *r, const struct xt_ct_target_info *c,
		 const char *timeout, size_t timeout_len)
{
	struct xt_buf b = { .n = 0 };

	if (c->flags & ~XT_CT_MASK)
		return -EINVAL;
	if (c->flags & XT_CT_NOTRACK)
		return xt_add_stmt(r, "NOTRACK", "CT --notrack", NULL);
	if (c->zone || (c->flags & XT_CT_ZONE_MARK))
		xt_buf_printf(&b, " zone%s %u",
			      c->flags & XT_CT_ZONE_DIR_ORIG ? "-orig" :
			      c->flags & XT_CT_ZONE_DIR_REPL ? "-reply" : "",
			      c->zone);
	if (c->flags & XT_CT_ZONE_MARK)
		xt_buf_printf(&b, " (from mark)");
	if (c->helper[0]) {
		xt_buf_printf(&b, " helper ");
		xt_buf_putstr(&b, c->helper, sizeof(c->helper));
	}
	if (timeout && timeout[0]) {
		xt_buf_printf(&b, " timeout ");
		xt_buf_putstr(&b, timeout, timeout_len);
	}
	if (c->ct_events)
		xt_buf_printf(&b, " ctevents 0x%x", c->ct_events);
	if (c->exp_events)
		xt_buf_printf(&b, " expevents 0x%x", c->exp_events);
	return xt_add_stmt(r, "CT", b.n ? b.s + 1 : NULL, NULL);
}

static int xt_tg_ct0(struct rs_rule *r, uint8_t family, const void *data)
{
	return xt_ct(r, data, NULL, 0);
}

static int xt_tg_ct1(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_ct_target_info_v1 *c = data;
	struct xt_ct_target_info c0;

	memset(&c0, 0, sizeof(c0));
	c0.flags = c->flags;
	c0.zone = c->zone;
	c0.ct_events = c->ct_events;
	c0.exp_events = c->exp_events;
	memcpy(c0.helper, c->helper, sizeof(c0.helper));
	return xt_ct(r, &c0, c->timeout, sizeof(c->timeout));
}

static int xt_tg_notrack(struct rs_rule *r, uint8_t family, const void *data)
{
	return xt_add_stmt(r, "NOTRACK", NULL, NULL);
}

static int xt_tg_tcpmss(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_tcpmss_info *t = data;
	char buf[32];

	if (t->mss == XT_TCPMSS_CLAMP_PMTU)
		return xt_add_stmt(r, "TCPMSS", "clamp-mss-to-pmtu", NULL);
	snprintf(buf, sizeof(buf), "set-mss %u", t->mss);
	return xt_add_stmt(r, "TCPMSS", buf, NULL);
}

static int xt_tg_checksum(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_CHECKSUM_info *c = data;

	if (c->operation & ~XT_CHECKSUM_OP_FILL)
		return -EINVAL;
	return xt_add_stmt(r, "CHECKSUM", c->operation ? "checksum-fill" :
			   NULL, NULL);
}

static int xt_tg_trace(struct rs_rule *r, uint8_t family, const void *data)
{
	return xt_add_stmt(r, "TRACE", NULL, NULL);
}

static void xt_buf_set_target(struct xt_buf *b, const char *what,
			      const struct xt_set_info *s)
{
	if (s->index == IPSET_INVALID_ID)
		return;
	xt_buf_printf(b, "%s%s index %u", b->n ? " " : "", what, s->index);
	xt_buf_set_dims(b, s->dim, s->flags);
}

static int xt_set_target(struct rs_rule *r, const struct xt_set_info *add,
			 const struct xt_set_info *del,
			 const struct xt_set_info *map, uint32_t flags,
			 uint32_t timeout, bool has_flags)
{
	struct xt_buf b = { .n = 0 };

	if ((add->index != IPSET_INVALID_ID && add->dim > IPSET_DIM_MAX) ||
	    (del->index != IPSET_INVALID_ID && del->dim > IPSET_DIM_MAX) ||
	    (map && map->index != IPSET_INVALID_ID &&
	     map->dim > IPSET_DIM_MAX))
		return -EINVAL;
	xt_buf_set_target(&b, "add-set", add);
	xt_buf_set_target(&b, "del-set", del);
	if (map)
		xt_buf_set_target(&b, "map-set", map);
	if (has_flags && (flags & IPSET_FLAG_EXIST))
		xt_buf_printf(&b, " exist");
	if (has_flags && timeout)
		xt_buf_printf(&b, " timeout %u", timeout);
	return xt_add_stmt(r, "SET", b.n ? b.s : NULL, NULL);
}

static int xt_tg_set0(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_set_info_target_v0 *t = data;
	struct xt_set_info s[2];
	const struct xt_set_info_v0 *v0[2] = { &t->add_set, &t->del_set };
	unsigned int i, k;

	for (k = 0; k < 2; k++) {
		memset(&s[k], 0, sizeof(s[k]));
		s[k].index = v0[k]->index;
		for (i = 0; i < IPSET_DIM_MAX - 1 && v0[k]->u.flags[i]; i++) {
			s[k].dim++;
			if (v0[k]->u.flags[i] & IPSET_SRC)
				s[k].flags |= 1u << s[k].dim;
		}
	}
	return xt_set_target(r, &s[0], &s[1], NULL, 0, 0, false);
}

static int xt_tg_set1(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_set_info_target_v1 *t = data;

	return xt_set_target(r, &t->add_set, &t->del_set, NULL, 0, 0, false);
}

static int xt_tg_set2(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_set_info_target_v2 *t = data;

	return xt_set_target(r, &t->add_set, &t->del_set, NULL, t->flags,
			     t->timeout, true);
}

static int xt_tg_set3(struct rs_rule *r, uint8_t family, const void *data)
{
	const struct xt_set_info_target_v3 *t = data;
	int ret;

	/* --map-set writes skb mark/priority/queue from the set entry:
	 * the mark then is not known here. */
	ret = xt_set_target(r, &t->add_set, &t->del_set, &t->map_set,
			    t->flags, t->timeout, true);
	if (ret < 0 || t->map_set.index == IPSET_INVALID_ID)
		return ret;
	if (t->flags & IPSET_FLAG_MAP_SKBMARK) {
		char *s = r->stmts[r->nstmts - 1].text, *n;

		if (asprintf(&n, "%s map-mark", s ? s : "") < 0)
			return -ENOMEM;
		free(s);
		r->stmts[r->nstmts - 1].text = n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Dispatch */

typedef int (*xt_decode_fn)(struct rs_rule *r, uint8_t family,
			    const void *data);

struct xt_decoder {
	const char *name;
	uint8_t rev;
	uint8_t family;		/* NFPROTO_UNSPEC: any */
	size_t size;
	xt_decode_fn decode;
};

static const struct xt_decoder xt_matches[] = {
	{ "tcp", 0, NFPROTO_UNSPEC, sizeof(struct xt_tcp), xt_mt_tcp },
	{ "udp", 0, NFPROTO_UNSPEC, sizeof(struct xt_udp), xt_mt_udp },
	{ "udplite", 0, NFPROTO_UNSPEC, sizeof(struct xt_udp), xt_mt_udp },
	{ "sctp", 0, NFPROTO_UNSPEC, sizeof(struct xt_sctp_info), xt_mt_sctp },
	{ "icmp", 0, NFPROTO_IPV4, sizeof(struct ipt_icmp), xt_mt_icmp },
	{ "ip", 0, NFPROTO_BRIDGE, sizeof(struct ebt_ip_info), xt_mt_ebt_ip },
	{ "ip6", 0, NFPROTO_BRIDGE, sizeof(struct ebt_ip6_info),
	  xt_mt_ebt_ip6 },
	{ "icmp6", 0, NFPROTO_IPV6, sizeof(struct ip6t_icmp), xt_mt_icmp6 },
	{ "multiport", 0, NFPROTO_UNSPEC, sizeof(struct xt_multiport),
	  xt_mt_multiport0 },
	{ "multiport", 1, NFPROTO_UNSPEC, sizeof(struct xt_multiport_v1),
	  xt_mt_multiport1 },
	{ "addrtype", 0, NFPROTO_IPV4, sizeof(struct xt_addrtype_info),
	  xt_mt_addrtype0 },
	{ "addrtype", 1, NFPROTO_UNSPEC, sizeof(struct xt_addrtype_info_v1),
	  xt_mt_addrtype1 },
	{ "conntrack", 1, NFPROTO_UNSPEC,
	  sizeof(struct xt_conntrack_mtinfo1), xt_mt_conntrack1 },
	{ "conntrack", 2, NFPROTO_UNSPEC,
	  sizeof(struct xt_conntrack_mtinfo2), xt_mt_conntrack2 },
	{ "conntrack", 3, NFPROTO_UNSPEC,
	  sizeof(struct xt_conntrack_mtinfo3), xt_mt_conntrack3 },
	{ "state", 0, NFPROTO_UNSPEC, sizeof(struct xt_state_info),
	  xt_mt_state },
	{ "comment", 0, NFPROTO_UNSPEC, sizeof(struct xt_comment_info),
	  xt_mt_comment },
	{ "iprange", 1, NFPROTO_UNSPEC, sizeof(struct xt_iprange_mtinfo),
	  xt_mt_iprange },
	{ "mac", 0, NFPROTO_UNSPEC, sizeof(struct xt_mac_info), xt_mt_mac },
	{ "set", 0, NFPROTO_UNSPEC, sizeof(struct xt_set_info_match_v0),
	  xt_mt_set0 },
	{ "set", 1, NFPROTO_UNSPEC, sizeof(struct xt_set_info_match_v1),
	  xt_mt_set1 },
	{ "set", 2, NFPROTO_UNSPEC, sizeof(struct xt_set_info_match_v1),
	  xt_mt_set2 },
	{ "set", 3, NFPROTO_UNSPEC, sizeof(struct xt_set_info_match_v3),
	  xt_mt_set3 },
	{ "set", 4, NFPROTO_UNSPEC, sizeof(struct xt_set_info_match_v4),
	  xt_mt_set4 },
	{ "limit", 0, NFPROTO_UNSPEC, sizeof(struct xt_rateinfo),
	  xt_mt_limit },
	{ "recent", 0, NFPROTO_UNSPEC, sizeof(struct xt_recent_mtinfo),
	  xt_mt_recent0 },
	{ "recent", 1, NFPROTO_UNSPEC, sizeof(struct xt_recent_mtinfo_v1),
	  xt_mt_recent1 },
	{ "statistic", 0, NFPROTO_UNSPEC, sizeof(struct xt_statistic_info),
	  xt_mt_statistic },
	{ "mark", 1, NFPROTO_UNSPEC, sizeof(struct xt_mark_mtinfo1),
	  xt_mt_mark },
	{ "connmark", 1, NFPROTO_UNSPEC, sizeof(struct xt_connmark_mtinfo1),
	  xt_mt_connmark },
	{ "physdev", 0, NFPROTO_UNSPEC, sizeof(struct xt_physdev_info),
	  xt_mt_physdev },
	{ "owner", 1, NFPROTO_UNSPEC, sizeof(struct xt_owner_match_info),
	  xt_mt_owner },
	{ "rpfilter", 0, NFPROTO_UNSPEC, sizeof(struct xt_rpfilter_info),
	  xt_mt_rpfilter },
	{ "pkttype", 0, NFPROTO_UNSPEC, sizeof(struct xt_pkttype_info),
	  xt_mt_pkttype },
	{ "ttl", 0, NFPROTO_IPV4, sizeof(struct ipt_ttl_info), xt_mt_ttl },
	{ "hl", 0, NFPROTO_IPV6, sizeof(struct ip6t_hl_info), xt_mt_hl },
	{ "length", 0, NFPROTO_UNSPEC, sizeof(struct xt_length_info),
	  xt_mt_length },
	{ "dscp", 0, NFPROTO_UNSPEC, sizeof(struct xt_dscp_info),
	  xt_mt_dscp },
	{ "tos", 0, NFPROTO_IPV4, sizeof(struct xt_tos_info_v0), xt_mt_tos0 },
	{ "tos", 1, NFPROTO_UNSPEC, sizeof(struct xt_tos_match_info),
	  xt_mt_tos1 },
	{ "ecn", 0, NFPROTO_UNSPEC, sizeof(struct xt_ecn_info), xt_mt_ecn },
	{ "tcpmss", 0, NFPROTO_UNSPEC, sizeof(struct xt_tcpmss_match_info),
	  xt_mt_tcpmss },
	{ "rt", 0, NFPROTO_IPV6, sizeof(struct ip6t_rt), xt_mt_rt },
	{ "frag", 0, NFPROTO_IPV6, sizeof(struct ip6t_frag), xt_mt_frag },
	{ "hbh", 0, NFPROTO_IPV6, sizeof(struct ip6t_opts), xt_mt_hbh },
	{ "dst", 0, NFPROTO_IPV6, sizeof(struct ip6t_opts), xt_mt_dst },
	{ "mh", 0, NFPROTO_IPV6, sizeof(struct ip6t_mh), xt_mt_mh },
	{ "ipv6header", 0, NFPROTO_IPV6,
	  sizeof(struct ip6t_ipv6header_info), xt_mt_ipv6header },
	{ "ipv4options", 0, NFPROTO_IPV4,
	  sizeof(struct xt_ipv4options_mtinfo), xt_mt_ipv4options },
};

static const struct xt_decoder xt_targets[] = {
	{ "DNAT", 0, NFPROTO_IPV4,
	  sizeof(struct nf_nat_ipv4_multi_range_compat), xt_tg_dnat0 },
	{ "DNAT", 1, NFPROTO_UNSPEC, sizeof(struct nf_nat_range), xt_tg_dnat1 },
	{ "DNAT", 2, NFPROTO_UNSPEC, sizeof(struct nf_nat_range2),
	  xt_tg_dnat2 },
	{ "SNAT", 0, NFPROTO_IPV4,
	  sizeof(struct nf_nat_ipv4_multi_range_compat), xt_tg_snat0 },
	{ "SNAT", 1, NFPROTO_UNSPEC, sizeof(struct nf_nat_range), xt_tg_snat1 },
	{ "SNAT", 2, NFPROTO_UNSPEC, sizeof(struct nf_nat_range2),
	  xt_tg_snat2 },
	{ "MASQUERADE", 0, NFPROTO_IPV4,
	  sizeof(struct nf_nat_ipv4_multi_range_compat), xt_tg_masq4 },
	{ "MASQUERADE", 0, NFPROTO_IPV6, sizeof(struct nf_nat_range),
	  xt_tg_masq6 },
	{ "REDIRECT", 0, NFPROTO_IPV4,
	  sizeof(struct nf_nat_ipv4_multi_range_compat), xt_tg_redir4 },
	{ "REDIRECT", 0, NFPROTO_IPV6, sizeof(struct nf_nat_range),
	  xt_tg_redir6 },
	{ "REJECT", 0, NFPROTO_IPV4, sizeof(struct ipt_reject_info),
	  xt_tg_reject },
	{ "REJECT", 0, NFPROTO_IPV6, sizeof(struct ip6t_reject_info),
	  xt_tg_reject },
	{ "NFQUEUE", 0, NFPROTO_UNSPEC, sizeof(struct xt_NFQ_info),
	  xt_tg_nfqueue0 },
	{ "NFQUEUE", 1, NFPROTO_UNSPEC, sizeof(struct xt_NFQ_info_v1),
	  xt_tg_nfqueue1 },
	{ "NFQUEUE", 2, NFPROTO_UNSPEC, sizeof(struct xt_NFQ_info_v2),
	  xt_tg_nfqueue2 },
	{ "NFQUEUE", 3, NFPROTO_UNSPEC, sizeof(struct xt_NFQ_info_v3),
	  xt_tg_nfqueue3 },
	{ "TPROXY", 0, NFPROTO_IPV4, sizeof(struct xt_tproxy_target_info),
	  xt_tg_tproxy0 },
	{ "TPROXY", 1, NFPROTO_UNSPEC,
	  sizeof(struct xt_tproxy_target_info_v1), xt_tg_tproxy1 },
	{ "LOG", 0, NFPROTO_UNSPEC, sizeof(struct xt_log_info), xt_tg_log },
	{ "NFLOG", 0, NFPROTO_UNSPEC, sizeof(struct xt_nflog_info),
	  xt_tg_nflog },
	{ "ULOG", 0, NFPROTO_IPV4, sizeof(struct xt_ulog_info), xt_tg_ulog },
	{ "MARK", 2, NFPROTO_UNSPEC, sizeof(struct xt_mark_tginfo2),
	  xt_tg_mark2 },
	{ "CONNMARK", 1, NFPROTO_UNSPEC, sizeof(struct xt_connmark_tginfo1),
	  xt_tg_connmark1 },
	{ "CONNMARK", 2, NFPROTO_UNSPEC, sizeof(struct xt_connmark_tginfo2),
	  xt_tg_connmark2 },
	{ "CT", 0, NFPROTO_UNSPEC, sizeof(struct xt_ct_target_info),
	  xt_tg_ct0 },
	{ "CT", 1, NFPROTO_UNSPEC, sizeof(struct xt_ct_target_info_v1),
	  xt_tg_ct1 },
	{ "CT", 2, NFPROTO_UNSPEC, sizeof(struct xt_ct_target_info_v1),
	  xt_tg_ct1 },
	{ "NOTRACK", 0, NFPROTO_UNSPEC, 0, xt_tg_notrack },
	{ "TCPMSS", 0, NFPROTO_UNSPEC, sizeof(struct xt_tcpmss_info),
	  xt_tg_tcpmss },
	{ "CHECKSUM", 0, NFPROTO_UNSPEC, sizeof(struct xt_CHECKSUM_info),
	  xt_tg_checksum },
	{ "TRACE", 0, NFPROTO_UNSPEC, 0, xt_tg_trace },
	{ "SET", 0, NFPROTO_UNSPEC, sizeof(struct xt_set_info_target_v0),
	  xt_tg_set0 },
	{ "SET", 1, NFPROTO_UNSPEC, sizeof(struct xt_set_info_target_v1),
	  xt_tg_set1 },
	{ "SET", 2, NFPROTO_UNSPEC, sizeof(struct xt_set_info_target_v2),
	  xt_tg_set2 },
	{ "SET", 3, NFPROTO_UNSPEC, sizeof(struct xt_set_info_target_v3),
	  xt_tg_set3 },
};

/*
 * Targets that only have side effects the engine does not follow and
 * always return XT_CONTINUE: the rule goes on to the next one.  Targets
 * that rewrite what later rules or routing see (DNPT, SNPT, NETMAP,
 * HMARK, ...) or may end evaluation (SYNPROXY, CLUSTERIP, ...) are not
 * here: they stay RS_V_OTHER.
 */
static const char *const xt_continue_targets[] = {
	"AUDIT", "CLASSIFY", "CONNSECMARK", "DSCP", "ECN", "HL", "IDLETIMER",
	"LED", "RATEEST", "SECMARK", "TCPOPTSTRIP", "TEE", "TOS", "TTL",
};

static const struct xt_decoder *xt_lookup(const struct xt_decoder *tab,
					  size_t n, const char *name,
					  uint8_t rev, uint8_t family,
					  bool *known)
{
	size_t i;

	*known = false;
	for (i = 0; i < n; i++) {
		if (strcmp(tab[i].name, name) != 0)
			continue;
		*known = true;
		if (tab[i].rev == rev && (tab[i].family == NFPROTO_UNSPEC ||
					  tab[i].family == family))
			return &tab[i];
	}
	return NULL;
}

/* The kernel stores XT_ALIGN(size) bytes; nft compat passes the size. */
static bool xt_size_ok(size_t want, size_t len)
{
	return len >= want && len <= XT_ALIGN(want);
}

/* Undo a decoder's partial work before it is recorded as unknown. */
static void xt_rule_truncate(struct rs_rule *r, size_t nmatches,
			     size_t nstmts, const struct rs_verdict *v)
{
	while (r->nmatches > nmatches)
		rs_match_release(&r->matches[--r->nmatches]);
	while (r->nstmts > nstmts) {
		struct rs_stmt *st = &r->stmts[--r->nstmts];

		free(st->name);
		free(st->text);
		memset(st, 0, sizeof(*st));
	}
	if (v) {
		if (r->verdict.name != v->name)
			free(r->verdict.name);
		r->verdict = *v;
	}
}

static int xt_decode(const struct xt_decoder *d, struct rs_rule *r,
		     uint8_t family, const void *data, size_t len,
		     const char **why)
{
	union {
		max_align_t align;
		unsigned char b[XT_BLOB_MAX];
	} blob;

	if (!xt_size_ok(d->size, len) || d->size > sizeof(blob.b)) {
		*why = "blob size does not match the kernel struct";
		return -EINVAL;
	}
	/* The blob may sit at any alignment inside a netlink attribute. */
	memset(&blob, 0, sizeof(blob));
	if (d->size)
		memcpy(blob.b, data, d->size);
	*why = "values the kernel would not accept";
	return d->decode(r, family, blob.b);
}

int xt_decode_match(struct rs_rule *r, uint8_t family, const char *name,
		    uint8_t rev, const void *data, size_t len)
{
	size_t nmatches = r->nmatches, nstmts = r->nstmts;
	const struct xt_decoder *d;
	const char *why = "match not decoded";
	char text[128];
	bool known;
	int ret;

	/* the bridge family's own extensions first: pkttype and limit
	 * there are other structs than x_tables' of the same name */
	if (family == NFPROTO_BRIDGE) {
		ret = xtebt_match(r, name, rev, data, len, &why);
		if (ret != -ENOENT && ret != -EINVAL)
			return ret;
		if (ret == -EINVAL) {
			xt_rule_truncate(r, nmatches, nstmts, NULL);
			goto unknown;
		}
		why = "match not decoded";
	}
	d = xt_lookup(xt_matches, ARRAY_SIZE(xt_matches),
		      name, rev, family, &known);
	if (d) {
		ret = xt_decode(d, r, family, data, len, &why);
		if (ret != -EINVAL)
			return ret;
		xt_rule_truncate(r, nmatches, nstmts, NULL);
	} else if (known) {
		why = "revision or family not decoded";
	}
unknown:
	snprintf(text, sizeof(text), "%s: %s", name, why);
	return xt_add_other(r, RS_F_UNKNOWN, name, rev, text, false);
}

int xt_decode_target(struct rs_rule *r, uint8_t family, const char *name,
		     uint8_t rev, const void *data, size_t len)
{
	size_t nmatches = r->nmatches, nstmts = r->nstmts;
	struct rs_verdict saved = r->verdict;
	const struct xt_decoder *d;
	const char *why;
	bool known;
	size_t i;
	int ret;

	if (family == NFPROTO_BRIDGE) {
		ret = xtebt_target(r, name, rev, data, len, &why);
		if (ret != -ENOENT && ret != -EINVAL)
			return ret;
		if (ret == -EINVAL) {
			/* named, both ways, as any target not decoded */
			xt_rule_truncate(r, nmatches, nstmts, &saved);
			known = true;
			goto other;
		}
	}
	d = xt_lookup(xt_targets, ARRAY_SIZE(xt_targets),
		      name, rev, family, &known);
	if (d) {
		ret = xt_decode(d, r, family, data, len, &why);
		if (ret != -EINVAL)
			return ret;
		xt_rule_truncate(r, nmatches, nstmts, &saved);
	}
	if (!known) {
		for (i = 0; i < sizeof(xt_continue_targets) /
				sizeof(xt_continue_targets[0]); i++)
			if (strcmp(name, xt_continue_targets[i]) == 0)
				return xt_add_stmt(r, name, NULL, NULL);
	}
other:
	ret = xt_verdict_name(&r->verdict, name);
	if (ret < 0)
		return ret;
	r->verdict.kind = RS_V_OTHER;
	r->verdict.revision = rev;
	return 0;
}
