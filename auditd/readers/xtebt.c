// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xtebt.c - the bridge family's own extensions (see xtebt.h).
 *
 * What a probe is, for these: an untagged Ethernet frame carrying IPv4 or
 * IPv6 (the model's ethertype 0x0800 / 0x86dd), addressed to the host, so
 * of packet type PACKET_HOST; its MAC addresses are the sender's to choose
 * and stay undecided (matches.c).  Where the kernel refuses a match in a
 * rule that does not test an ethertype (arp: ARP or RARP, vlan: 802.1Q),
 * that test is part of the match here too, so an IP probe misses it
 * whatever the rest says.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_bridge/ebt_among.h>
#include <linux/netfilter_bridge/ebt_arp.h>
#include <linux/netfilter_bridge/ebt_limit.h>
#include <linux/netfilter_bridge/ebt_mark_m.h>
#include <linux/netfilter_bridge/ebt_mark_t.h>
#include <linux/netfilter_bridge/ebt_nat.h>
#include <linux/netfilter_bridge/ebt_pkttype.h>
#include <linux/netfilter_bridge/ebt_redirect.h>
#include <linux/netfilter_bridge/ebt_stp.h>
#include <linux/netfilter_bridge/ebt_vlan.h>
#include <linux/netfilter_bridge/ebtables.h>

#include "xt.h"
#include "xtebt.h"

/* ebtables' verdict bits in a target's int (ebt_mark_t.h) */
#define EBX_VERDICT_BITS	0xf

struct ebx_text {
	char s[160];
	size_t n;
};

static void ebx_printf(struct ebx_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ebx_printf(struct ebx_text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (t->n >= sizeof(t->s) - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(t->s + t->n, sizeof(t->s) - t->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		t->n += (size_t)k < sizeof(t->s) - t->n ? (size_t)k :
			sizeof(t->s) - 1 - t->n;
}

static void ebx_mac(struct ebx_text *t, const unsigned char *mac)
{
	ebx_printf(t, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		   mac[2], mac[3], mac[4], mac[5]);
}

static rs_u128 ebx_mac_value(const unsigned char *mac)
{
	rs_u128 v = 0;
	size_t i;

	for (i = 0; i < ETH_ALEN; i++)
		v = v << 8 | mac[i];
	return v;
}

static int ebx_other(struct rs_rule *r, const char *name, const char *text)
{
	struct rs_match *m = rs_rule_add_match(r);

	if (!m)
		return -ENOMEM;
	return rs_match_set_other(m, RS_F_OTHER, name, 0, text, false);
}

/* The ethertype test the kernel requires of the rule (see the top). */
static int ebx_ethertypes(struct rs_rule *r, const uint16_t *types, size_t n,
			  bool invert)
{
	struct rs_interval iv[2];
	enum rs_field f = RS_F_ETHERTYPE;
	size_t i;

	for (i = 0; i < n && i < 2; i++)
		iv[i].lo = iv[i].hi = types[i];
	return xt_add_in(r, &f, 1, iv, i, invert);
}

/* ethertype in no element: no frame matches */
static int ebx_never(struct rs_rule *r)
{
	struct rs_match *m = rs_rule_add_match(r);

	if (!m)
		return -ENOMEM;
	m->op = RS_OP_IN;
	m->nfields = 1;
	m->fields[0] = RS_F_ETHERTYPE;
	return 0;
}

/* The kernel stores XT_ALIGN(size) bytes; nft compat passes the size. */
static bool ebx_size_ok(size_t want, size_t len)
{
	return len >= want && len <= XT_ALIGN(want);
}

/* ---- matches ------------------------------------------------------------ */

/* ebt_pkttype: skb->pkt_type == pkt_type, inverted with invert (0 or 1,
 * the kernel refuses others): the model's meta pkttype */
static int ebx_pkttype(struct rs_rule *r, const void *data, const char **why)
{
	struct ebt_pkttype_info p;
	struct rs_match *m;

	memcpy(&p, data, sizeof(p));
	if (p.invert > 1) {
		*why = "values the kernel would not accept";
		return -EINVAL;
	}
	m = rs_rule_add_match(r);
	if (!m)
		return -ENOMEM;
	return rs_match_set_range(m, RS_F_PKTTYPE, p.pkt_type, p.pkt_type,
				  p.invert);
}

/* ebt_mark_m: (mark & mask) == value, or with EBT_MARK_OR any bit of mask
 * set.  skb->mark has 32 bits: the mask's upper ones test nothing, a
 * value with upper bits never matches (xt_add_mask keeps it so). */
static int ebx_mark_m(struct rs_rule *r, const void *data, const char **why)
{
	struct ebt_mark_m_info k;
	rs_u128 mask;
	struct rs_match *m;

	memcpy(&k, data, sizeof(k));
	if (!k.bitmask || (k.bitmask & ~EBT_MARK_MASK) ||
	    k.bitmask == EBT_MARK_MASK || k.invert > 1) {
		*why = "values the kernel would not accept";
		return -EINVAL;
	}
	mask = (rs_u128)(k.mask & 0xffffffffUL);
	if (k.bitmask & EBT_MARK_AND)
		return xt_add_mask(r, RS_F_MARK, mask, (rs_u128)k.mark,
				   k.invert);
	/* (mark & mask) != 0, == 0 inverted */
	m = rs_rule_add_match(r);
	if (!m)
		return -ENOMEM;
	m->op = k.invert ? RS_OP_MASK_EQ : RS_OP_MASK_NE;
	m->nfields = 1;
	m->fields[0] = RS_F_MARK;
	m->mask = mask;
	m->value = 0;
	return 0;
}

/* ebt_vlan: the rule must test ethertype 802.1Q (ebt_vlan_mt_check), so
 * an untagged frame never meets the tag tests; those stay undecided for
 * tagged frames, which the model does not send. */
static int ebx_vlan(struct rs_rule *r, const void *data, const char **why)
{
	static const uint16_t q = ETH_P_8021Q;
	struct ebt_vlan_info v;
	struct ebx_text t = { .n = 0 };
	int ret;

	memcpy(&v, data, sizeof(v));
	if ((v.bitmask & ~EBT_VLAN_MASK) || (v.invflags & ~EBT_VLAN_MASK) ||
	    ((v.bitmask & EBT_VLAN_ID) && v.id > 4096) ||
	    ((v.bitmask & EBT_VLAN_PRIO) && v.prio > 7) ||
	    ((v.bitmask & EBT_VLAN_ENCAP) && ntohs(v.encap) < ETH_ZLEN)) {
		*why = "values the kernel would not accept";
		return -EINVAL;
	}
	ret = ebx_ethertypes(r, &q, 1, false);
	if (ret < 0)
		return ret;
	ebx_printf(&t, "vlan");
	if (v.bitmask & EBT_VLAN_ID)
		ebx_printf(&t, " id %s%u",
			   v.invflags & EBT_VLAN_ID ? "! " : "", v.id);
	if (v.bitmask & EBT_VLAN_PRIO)
		ebx_printf(&t, " prio %s%u",
			   v.invflags & EBT_VLAN_PRIO ? "! " : "", v.prio);
	if (v.bitmask & EBT_VLAN_ENCAP)
		ebx_printf(&t, " encap %s0x%04x",
			   v.invflags & EBT_VLAN_ENCAP ? "! " : "",
			   ntohs(v.encap));
	return ebx_other(r, "vlan", t.s);
}

/* ebt_arp: refused in a rule not restricted to ARP or RARP (the entry's
 * protocol, uninverted): an IP frame never reaches its tests. */
static int ebx_arp(struct rs_rule *r, const void *data, const char **why)
{
	static const uint16_t types[] = { ETH_P_ARP, ETH_P_RARP };
	struct ebt_arp_info a;
	struct ebx_text t = { .n = 0 };
	int ret;

	memcpy(&a, data, sizeof(a));
	if ((a.bitmask & ~EBT_ARP_MASK) || (a.invflags & ~EBT_ARP_MASK)) {
		*why = "values the kernel would not accept";
		return -EINVAL;
	}
	ret = ebx_ethertypes(r, types, 2, false);
	if (ret < 0)
		return ret;
	ebx_printf(&t, "arp");
	if (a.bitmask & EBT_ARP_OPCODE)
		ebx_printf(&t, " op %s%u",
			   a.invflags & EBT_ARP_OPCODE ? "! " : "",
			   ntohs(a.opcode));
	if (a.bitmask & EBT_ARP_HTYPE)
		ebx_printf(&t, " htype %u", ntohs(a.htype));
	if (a.bitmask & EBT_ARP_PTYPE)
		ebx_printf(&t, " ptype 0x%04x", ntohs(a.ptype));
	if (a.bitmask & (EBT_ARP_SRC_IP | EBT_ARP_DST_IP | EBT_ARP_SRC_MAC |
			 EBT_ARP_DST_MAC | EBT_ARP_GRAT))
		ebx_printf(&t, " addresses");
	return ebx_other(r, "arp", t.s);
}

/* ebt_stp: the frame must begin (at the network header) with the LLC
 * bytes 42 42 03 before any test, inverted or not: an IPv4 header starts
 * 0x4., an IPv6 header 0x6.: it never matches an IP frame. */
static int ebx_stp(struct rs_rule *r, const void *data, const char **why)
{
	static const uint16_t ip[] = { ETH_P_IP, ETH_P_IPV6 };
	struct ebt_stp_info s;
	char text[64];
	int ret;

	memcpy(&s, data, sizeof(s));
	if ((s.bitmask & ~EBT_STP_MASK) || (s.invflags & ~EBT_STP_MASK) ||
	    !s.bitmask) {
		*why = "values the kernel would not accept";
		return -EINVAL;
	}
	ret = ebx_ethertypes(r, ip, 2, true);
	if (ret < 0)
		return ret;
	snprintf(text, sizeof(text), "stp tests 0x%03x", s.bitmask);
	return ebx_other(r, "stp", text);
}

/* ebt_limit: depends on traffic history, as xt limit: undecided (but
 * for an average of 0). */
static int ebx_limit(struct rs_rule *r, const void *data, const char **why)
{
	static const struct {
		unsigned int secs;
		const char *unit;
	} units[] = { { 1, "second" }, { 60, "minute" }, { 3600, "hour" },
		      { 86400, "day" } };
	struct ebt_limit_info l;
	struct ebx_text t = { .n = 0 };
	size_t i;

	memcpy(&l, data, sizeof(l));
	if (!l.burst) {		/* ebt_limit_mt_check() */
		*why = "values the kernel would not accept";
		return -EINVAL;
	}
	/* no average: each frame costs nothing, and the credit (never
	 * below 0) always covers it: it always matches */
	if (!l.avg)
		return 0;
	ebx_printf(&t, "limit: avg ");
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t scaled = (uint64_t)units[i].secs * EBT_LIMIT_SCALE;

		if (scaled % l.avg == 0) {
			ebx_printf(&t, "%llu/%s",
				   (unsigned long long)(scaled / l.avg),
				   units[i].unit);
			break;
		}
	}
	if (i == sizeof(units) / sizeof(units[0]))
		ebx_printf(&t, "1/%u.%04u-seconds", l.avg / EBT_LIMIT_SCALE,
			   l.avg % EBT_LIMIT_SCALE);
	ebx_printf(&t, " burst %u", l.burst);
	return ebx_other(r, "limit", t.s);
}

/* ---- among -------------------------------------------------------------- */

#define EBX_AMONG_MAX	4096	/* elements one side may hold */

struct ebx_elem {
	unsigned char mac[ETH_ALEN];
	uint32_t ip;		/* host order; 0: any */
};

/*
 * One list (wormhash) at @ofs of the among blob: the elements the kernel
 * can find, in *out (ebt_mac_wormhash_contains() looks in the range
 * table[mac[5]]: an element elsewhere is never found).  The integrity
 * checks are the kernel's (ebt_mac_wormhash_check_integrity()).
 */
static int ebx_wormhash(const unsigned char *d, size_t len, int ofs,
			struct ebx_elem **out, size_t *n)
{
	struct ebt_mac_wormhash wh;
	struct ebt_mac_wormhash_tuple tp;
	struct ebx_elem *v;
	size_t pool, nv = 0;
	int key, k;

	if (ofs < (int)sizeof(struct ebt_among_info) ||
	    (size_t)ofs > len || len - (size_t)ofs < sizeof(wh))
		return -EINVAL;
	memcpy(&wh, d + ofs, sizeof(wh));
	if (wh.poolsize < 0 || wh.poolsize > EBX_AMONG_MAX)
		return -EINVAL;
	pool = (size_t)ofs + sizeof(wh);
	if ((size_t)wh.poolsize > (len - pool) / sizeof(tp))
		return -EINVAL;
	for (key = 0; key < 256; key++)
		if (wh.table[key] < 0 || wh.table[key] > wh.table[key + 1] ||
		    wh.table[key] > wh.poolsize)
			return -EINVAL;
	if (wh.table[256] > wh.poolsize)
		return -EINVAL;
	v = calloc(wh.poolsize ? (size_t)wh.poolsize : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (key = 0; key < 256; key++) {
		for (k = wh.table[key]; k < wh.table[key + 1]; k++) {
			unsigned char b[8];

			memcpy(&tp, d + pool + (size_t)k * sizeof(tp),
			       sizeof(tp));
			memcpy(b, tp.cmp, sizeof(b));
			/* cmp holds two zero bytes, then the MAC */
			if (b[0] || b[1] || b[7] != key)
				continue;
			memcpy(v[nv].mac, b + 2, ETH_ALEN);
			v[nv].ip = ntohl(tp.ip);
			nv++;
		}
	}
	*out = v;
	*n = nv;
	return 0;
}

static void ebx_among_text(struct ebx_text *t, bool dst, bool neg,
			   const struct ebx_elem *v, size_t n)
{
	size_t i;

	ebx_printf(t, "among-%s %s", dst ? "dst" : "src", neg ? "! " : "");
	for (i = 0; i < n && t->n < sizeof(t->s) - 40; i++) {
		struct in_addr a = { .s_addr = htonl(v[i].ip) };
		char ip[INET_ADDRSTRLEN];

		ebx_printf(t, i ? "," : "");
		ebx_mac(t, v[i].mac);
		if (v[i].ip && inet_ntop(AF_INET, &a, ip, sizeof(ip)))
			ebx_printf(t, "=%s", ip);
	}
	if (i < n)
		ebx_printf(t, ",...");
}

/*
 * ebt_among_mt(): the frame's MAC (and, in an IPv4 or ARP frame, its
 * address; 0 in any other) is "contained" when an element has that MAC
 * and either no address or that address.  MACs stay undecided as every
 * MAC match; decided here: a list of MACs only (the model's MAC field),
 * an empty list, and a list whose every element names an address, not
 * negated: then no IPv6 frame is contained, nor an IPv4 one to an address
 * not listed.  A negated list with addresses, or one mixing elements with
 * and without, stays one undecided match, named.
 */
static int ebx_among_side(struct rs_rule *r, const unsigned char *d,
			  size_t len, int ofs, bool dst, bool neg)
{
	enum rs_field mf = dst ? RS_F_ETHER_DADDR : RS_F_ETHER_SADDR;
	enum rs_field af = dst ? RS_F_IP_DADDR : RS_F_IP_SADDR;
	/* the address first: absent in an IPv6 frame, nothing is in */
	enum rs_field pair[2] = { af, mf };
	struct rs_interval *iv = NULL;
	struct ebx_elem *v = NULL;
	struct ebx_text t = { .n = 0 };
	size_t n = 0, i, withip = 0;
	int ret;

	ret = ebx_wormhash(d, len, ofs, &v, &n);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++)
		withip += v[i].ip != 0;
	if (n == 0) {
		/* nothing is contained: the list never matches, its
		 * negation always */
		ret = neg ? 0 : ebx_never(r);
		goto out;
	}
	if (withip && (neg || withip != n)) {
		ebx_among_text(&t, dst, neg, v, n);
		ret = ebx_other(r, "among", t.s);
		goto out;
	}
	iv = calloc(2 * n, sizeof(*iv));
	if (!iv) {
		ret = -ENOMEM;
		goto out;
	}
	if (!withip) {
		for (i = 0; i < n; i++)
			iv[i].lo = iv[i].hi = ebx_mac_value(v[i].mac);
		ret = xt_add_in(r, &mf, 1, iv, n, neg);
		goto out;
	}
	/* every element with an address, not negated: the address is one
	 * of them (an IPv6 frame has none), and the pair is an element */
	for (i = 0; i < n; i++)
		iv[i].lo = iv[i].hi = v[i].ip;
	ret = xt_add_in(r, &af, 1, iv, n, false);
	if (ret < 0)
		goto out;
	for (i = 0; i < n; i++) {
		iv[2 * i].lo = iv[2 * i].hi = v[i].ip;
		iv[2 * i + 1].lo = iv[2 * i + 1].hi = ebx_mac_value(v[i].mac);
	}
	ret = xt_add_in(r, pair, 2, iv, n, false);
out:
	free(iv);
	free(v);
	return ret;
}

static int ebx_among(struct rs_rule *r, const void *data, size_t len,
		     const char **why)
{
	struct ebt_among_info a;
	size_t want = sizeof(a);
	int ret = 0;

	*why = "values the kernel would not accept";
	if (len < sizeof(a))
		return -EINVAL;
	memcpy(&a, data, sizeof(a));
	if (a.wh_dst_ofs) {
		struct ebt_mac_wormhash wh;

		if (a.wh_dst_ofs < (int)sizeof(a) ||
		    (size_t)a.wh_dst_ofs > len ||
		    len - (size_t)a.wh_dst_ofs < sizeof(wh))
			return -EINVAL;
		memcpy(&wh, (const unsigned char *)data + a.wh_dst_ofs,
		       sizeof(wh));
		if (wh.poolsize < 0 || wh.poolsize > EBX_AMONG_MAX)
			return -EINVAL;
		want += sizeof(wh) + (size_t)wh.poolsize *
			sizeof(struct ebt_mac_wormhash_tuple);
	}
	if (a.wh_src_ofs) {
		struct ebt_mac_wormhash wh;

		if (a.wh_src_ofs < (int)sizeof(a) ||
		    (size_t)a.wh_src_ofs > len ||
		    len - (size_t)a.wh_src_ofs < sizeof(wh))
			return -EINVAL;
		memcpy(&wh, (const unsigned char *)data + a.wh_src_ofs,
		       sizeof(wh));
		if (wh.poolsize < 0 || wh.poolsize > EBX_AMONG_MAX)
			return -EINVAL;
		want += sizeof(wh) + (size_t)wh.poolsize *
			sizeof(struct ebt_mac_wormhash_tuple);
	}
	/* ebt_among_mt_check(): the blob is the info and both lists */
	if (!ebx_size_ok(want, len))
		return -EINVAL;
	if (a.wh_src_ofs)
		ret = ebx_among_side(r, data, len, a.wh_src_ofs, false,
				     a.bitmask & EBT_AMONG_SRC_NEG);
	if (!ret && a.wh_dst_ofs)
		ret = ebx_among_side(r, data, len, a.wh_dst_ofs, true,
				     a.bitmask & EBT_AMONG_DST_NEG);
	return ret;
}

/* ---- targets ------------------------------------------------------------ */

/* EBT_ACCEPT .. EBT_RETURN (ebt_invalid_target() refuses the rest) */
int xtebt_verdict(struct rs_rule *r, int verdict)
{
	switch (verdict) {
	case EBT_ACCEPT:
		r->verdict.kind = RS_V_ACCEPT;
		return 0;
	case EBT_DROP:
		r->verdict.kind = RS_V_DROP;
		return 0;
	case EBT_CONTINUE:
		r->verdict.kind = RS_V_NONE;
		return 0;
	case EBT_RETURN:
		r->verdict.kind = RS_V_RETURN;
		return 0;
	default:
		return -EINVAL;
	}
}

static int ebx_stmt(struct rs_rule *r, const char *name, const char *text,
		    struct rs_stmt **out)
{
	struct rs_stmt *st = rs_rule_add_stmt(r);

	if (!st || !(st->name = strdup(name)) ||
	    (text && !(st->text = strdup(text))))
		return -ENOMEM;
	*out = st;
	return 0;
}

/* ebt_mark_tg(): set, or, and, xor the skb mark (32 bits) with the value,
 * as rs_stmt's mark = (mark & ~mask) ^ value; then the verdict in the low
 * bits. */
static int ebx_mark_t(struct rs_rule *r, const void *data, const char **why)
{
	struct ebt_mark_t_info k;
	struct rs_stmt *st;
	uint32_t v, action, mask, value;
	const char *op;
	char text[48];
	int ret;

	memcpy(&k, data, sizeof(k));
	v = (uint32_t)(k.mark & 0xffffffffUL);
	action = (uint32_t)k.target & ~(uint32_t)EBX_VERDICT_BITS;
	switch (action) {
	case MARK_SET_VALUE:
		op = "set";
		mask = 0xffffffffu;
		value = v;
		break;
	case MARK_OR_VALUE:
		op = "or";
		mask = v;
		value = v;
		break;
	case MARK_AND_VALUE:
		op = "and";
		mask = ~v;
		value = 0;
		break;
	case MARK_XOR_VALUE:
		op = "xor";
		mask = 0;
		value = v;
		break;
	default:
		*why = "values the kernel would not accept";
		return -EINVAL;
	}
	ret = xtebt_verdict(r, k.target | ~EBX_VERDICT_BITS);
	if (ret < 0) {
		*why = "values the kernel would not accept";
		return ret;
	}
	snprintf(text, sizeof(text), "mark-%s 0x%x", op, v);
	ret = ebx_stmt(r, "mark", text, &st);
	if (ret < 0)
		return ret;
	st->sets_mark = true;
	st->mark_mask = mask;
	st->mark_value = value;
	return 0;
}

/* ebt_redirect_tg(): the frame's destination becomes the bridge's (in
 * broute: the port's) own address and its type PACKET_HOST, which a
 * probe to the host already is; then the verdict. */
static int ebx_redirect(struct rs_rule *r, const void *data,
			const char **why)
{
	struct ebt_redirect_info k;
	struct rs_stmt *st;
	int ret;

	memcpy(&k, data, sizeof(k));
	ret = xtebt_verdict(r, k.target);
	if (ret < 0) {
		*why = "values the kernel would not accept";
		return ret;
	}
	return ebx_stmt(r, "redirect", "to the bridge's address", &st);
}

/* ebt_snat_tg(): a new source MAC (with an ARP sender address unless
 * NAT_ARP_BIT), which no test here decides anyway; then the verdict. */
static int ebx_snat(struct rs_rule *r, const void *data, const char **why)
{
	struct ebt_nat_info k;
	struct ebx_text t = { .n = 0 };
	struct rs_stmt *st;
	int ret;

	memcpy(&k, data, sizeof(k));
	*why = "values the kernel would not accept";
	if (((k.target | EBX_VERDICT_BITS) & ~NAT_ARP_BIT) != ~NAT_ARP_BIT)
		return -EINVAL;
	ret = xtebt_verdict(r, k.target | ~EBX_VERDICT_BITS);
	if (ret < 0)
		return ret;
	ebx_printf(&t, "to-src ");
	ebx_mac(&t, k.mac);
	return ebx_stmt(r, "snat", t.s, &st);
}

/* ---- dispatch ----------------------------------------------------------- */

typedef int (*ebx_fn)(struct rs_rule *r, const void *data, const char **why);

struct ebx_decoder {
	const char *name;
	size_t size;
	ebx_fn decode;
};

static const struct ebx_decoder ebx_matches[] = {
	{ "pkttype", sizeof(struct ebt_pkttype_info), ebx_pkttype },
	{ "mark_m", sizeof(struct ebt_mark_m_info), ebx_mark_m },
	{ "vlan", sizeof(struct ebt_vlan_info), ebx_vlan },
	{ "arp", sizeof(struct ebt_arp_info), ebx_arp },
	{ "stp", sizeof(struct ebt_stp_info), ebx_stp },
	{ "limit", sizeof(struct ebt_limit_info), ebx_limit },
};

static const struct ebx_decoder ebx_targets[] = {
	{ "mark", sizeof(struct ebt_mark_t_info), ebx_mark_t },
	{ "redirect", sizeof(struct ebt_redirect_info), ebx_redirect },
	{ "snat", sizeof(struct ebt_nat_info), ebx_snat },
};

static int ebx_dispatch(const struct ebx_decoder *tab, size_t n,
			struct rs_rule *r, const char *name, uint8_t rev,
			const void *data, size_t len, const char **why)
{
	union {
		max_align_t align;
		unsigned char b[256];
	} blob;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(tab[i].name, name) != 0)
			continue;
		if (rev != 0) {
			*why = "revision or family not decoded";
			return -EINVAL;
		}
		if (!ebx_size_ok(tab[i].size, len) ||
		    tab[i].size > sizeof(blob.b)) {
			*why = "blob size does not match the kernel struct";
			return -EINVAL;
		}
		/* any alignment inside a blob or a netlink attribute */
		memset(&blob, 0, sizeof(blob));
		memcpy(blob.b, data, tab[i].size);
		return tab[i].decode(r, blob.b, why);
	}
	return -ENOENT;
}

int xtebt_match(struct rs_rule *r, const char *name, uint8_t rev,
		const void *data, size_t len, const char **why)
{
	if (!strcmp(name, "among")) {
		if (rev != 0) {
			*why = "revision or family not decoded";
			return -EINVAL;
		}
		return ebx_among(r, data, len, why);
	}
	return ebx_dispatch(ebx_matches, sizeof(ebx_matches) /
			    sizeof(ebx_matches[0]), r, name, rev, data, len,
			    why);
}

int xtebt_target(struct rs_rule *r, const char *name, uint8_t rev,
		 const void *data, size_t len, const char **why)
{
	return ebx_dispatch(ebx_targets, sizeof(ebx_targets) /
			    sizeof(ebx_targets[0]), r, name, rev, data, len,
			    why);
}
