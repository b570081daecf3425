// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tcf.c - the tc filters of a link's ingress, decoded where fwaudit can walk
 * them (see tcf.h for what and why).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_gact.h>

#include <libmnl/libmnl.h>

#include "tcf.h"

/* Attributes a message may carry, each seen once, with its exact length
 * (0: any, a string or a nest). */
struct tcf_attrs {
	uint16_t max;
	const struct nlattr **tb;
	bool unknown;		/* a type we do not know: undecided */
	bool bad;		/* a type seen twice */
};

static int tcf_attr_cb(const struct nlattr *a, void *data)
{
	struct tcf_attrs *p = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type > p->max) {
		p->unknown = true;
		return MNL_CB_OK;
	}
	if (p->tb[type])
		p->bad = true;
	p->tb[type] = a;
	return MNL_CB_OK;
}

static int tcf_nested(const struct nlattr *nest, const struct nlattr **tb,
		      uint16_t max, bool *unknown)
{
	struct tcf_attrs p = { max, tb, false, false };

	memset(tb, 0, (max + 1u) * sizeof(*tb));
	if (mnl_attr_parse_nested(nest, tcf_attr_cb, &p) != MNL_CB_OK ||
	    p.bad)
		return -EBADMSG;
	if (unknown)
		*unknown = p.unknown;
	return 0;
}

static bool attr_len_is(const struct nlattr *a, size_t len)
{
	return a && mnl_attr_get_payload_len(a) == len;
}

static void undecided(struct host_tcf *f, const char *why)
{
	if (f->decoded) {
		f->decoded = false;
		f->why = why;
	}
}

/* ---- actions ---- */

/*
 * The filter's action list (TCA_*_ACT: a nest of actions numbered by
 * their order).  Only gact with a fixed verdict is walked: pipe goes on to
 * the next action, the first other verdict decides.  A filter with no
 * action (a classid only) passes on ingress.
 */
static int tcf_actions(const struct nlattr *list, struct host_tcf *f)
{
	const struct nlattr *a;
	bool decided = false;

	f->action = HOST_TCF_PASS;
	if (!list)
		return 0;
	mnl_attr_for_each_nested(a, list) {
		const struct nlattr *tb[TCA_ACT_MAX + 1];
		const struct nlattr *gtb[TCA_GACT_MAX + 1];
		const struct tc_gact *g;
		char kind[16] = "";
		size_t len;

		if (decided)
			break;
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
		    tcf_nested(a, tb, TCA_ACT_MAX, NULL) < 0)
			return -EBADMSG;
		if (!tb[TCA_ACT_KIND])
			return -EBADMSG;
		len = strnlen(mnl_attr_get_payload(tb[TCA_ACT_KIND]),
			      mnl_attr_get_payload_len(tb[TCA_ACT_KIND]));
		if (len >= sizeof(kind))
			len = sizeof(kind) - 1;
		memcpy(kind, mnl_attr_get_payload(tb[TCA_ACT_KIND]), len);
		if (strcmp(kind, "gact")) {
			undecided(f, "an action other than gact");
			return 0;
		}
		if (!tb[TCA_ACT_OPTIONS] ||
		    mnl_attr_validate(tb[TCA_ACT_OPTIONS], MNL_TYPE_NESTED) < 0 ||
		    tcf_nested(tb[TCA_ACT_OPTIONS], gtb, TCA_GACT_MAX, NULL) < 0)
			return -EBADMSG;
		if (!gtb[TCA_GACT_PARMS] ||
		    mnl_attr_get_payload_len(gtb[TCA_GACT_PARMS]) < sizeof(*g))
			return -EBADMSG;
		if (gtb[TCA_GACT_PROB]) {
			undecided(f, "a random gact");
			return 0;
		}
		g = mnl_attr_get_payload(gtb[TCA_GACT_PARMS]);
		switch (g->action) {
		case TC_ACT_PIPE:
			continue;
		case TC_ACT_OK:
			f->action = HOST_TCF_PASS;
			break;
		case TC_ACT_SHOT:
		case TC_ACT_STOLEN:
			f->action = HOST_TCF_DROP;
			break;
		case TC_ACT_UNSPEC:
			f->action = HOST_TCF_CONTINUE;
			break;
		default:	/* reclassify, trap, goto chain, jump */
			undecided(f, "a gact verdict other than pass, drop or "
				     "continue");
			return 0;
		}
		decided = true;
	}
	/* a list of pipes only: the last one's verdict, TC_ACT_PIPE, is
	 * taken by the ingress hook as "pass" (not shot, stolen or
	 * redirected) */
	return 0;
}

/* ---- address keys ---- */

/* The interval of addresses whose bits under mask equal val (both
 * big-endian, alen bytes); false when mask is not a prefix. */
static bool prefix_interval(const uint8_t *val, const uint8_t *mask,
			    size_t alen, struct rs_interval *out)
{
	rs_u128 v = 0, m = 0, host;
	bool zero_seen = false;
	size_t i;
	int b;

	for (i = 0; i < alen; i++) {
		for (b = 7; b >= 0; b--) {
			bool bit = mask[i] >> b & 1;

			if (bit && zero_seen)
				return false;
			zero_seen |= !bit;
		}
		v = v << 8 | val[i];
		m = m << 8 | mask[i];
	}
	host = alen == 4 ? (rs_u128)0xffffffffu & ~m : ~m;
	out->lo = v & m;
	out->hi = (v & m) | host;
	return true;
}

/* ---- u32 ---- */

/* A u32 key's 32-bit word at off of the network header, for the address
 * words of the family's header: IPv4 saddr 12, daddr 16; IPv6 saddr 8-20,
 * daddr 24-36.  The byte index into a 16-byte address, or -1. */
static int u32_addr_word(uint8_t family, int off, bool *is_src)
{
	if (family == NFPROTO_IPV4) {
		if (off == 12 || off == 16) {
			*is_src = off == 12;
			return 12;	/* the low 4 bytes of 16 */
		}
		return -1;
	}
	if (off >= 8 && off <= 36 && off % 4 == 0) {
		*is_src = off < 24;
		return (off - (*is_src ? 8 : 24));
	}
	return -1;
}

static int tcf_u32(const struct nlattr *opts, struct host_tcf *f)
{
	const struct nlattr *tb[TCA_U32_MAX + 1];
	uint8_t val[2][16] = { { 0 } }, mask[2][16] = { { 0 } };
	const struct tc_u32_sel *sel;
	bool have[2] = { false, false };
	size_t len, k, alen;
	bool unknown;
	int i;

	if (tcf_nested(opts, tb, TCA_U32_MAX, &unknown) < 0)
		return -EBADMSG;
	/* a hash table node (tc's "ht 800:"), not a filter packets meet */
	if (!tb[TCA_U32_SEL])
		return 0;
	len = mnl_attr_get_payload_len(tb[TCA_U32_SEL]);
	sel = mnl_attr_get_payload(tb[TCA_U32_SEL]);
	if (len < sizeof(*sel) ||
	    len < sizeof(*sel) + sel->nkeys * sizeof(sel->keys[0]))
		return -EBADMSG;
	if (unknown)
		undecided(f, "a u32 attribute fwaudit does not know");
	if (tb[TCA_U32_LINK])
		undecided(f, "a u32 link to a hash table");
	if (tb[TCA_U32_POLICE] || tb[TCA_U32_MARK] || tb[TCA_U32_INDEV])
		undecided(f, "a u32 police, mark or indev match");
	if (tb[TCA_U32_FLAGS] &&
	    (!attr_len_is(tb[TCA_U32_FLAGS], 4) ||
	     mnl_attr_get_u32(tb[TCA_U32_FLAGS]) & TCA_CLS_FLAGS_SKIP_SW))
		undecided(f, "a filter in hardware only");
	if (!(sel->flags & TC_U32_TERMINAL))
		undecided(f, "a u32 node that is not terminal");
	if (f->protocol == ETH_P_IP)
		f->family = NFPROTO_IPV4;
	else if (f->protocol == ETH_P_IPV6)
		f->family = NFPROTO_IPV6;
	else if (sel->nkeys)
		undecided(f, "u32 keys on packets of any protocol");
	alen = f->family == NFPROTO_IPV4 ? 4 : 16;
	for (k = 0; k < sel->nkeys && f->decoded; k++) {
		const struct tc_u32_key *key = &sel->keys[k];
		uint32_t m = ntohl(key->mask), v = ntohl(key->val);
		bool src;
		int at;

		if (key->offmask) {
			undecided(f, "a u32 key past the IP header");
			break;
		}
		if (!m)
			continue;
		if (f->family == NFPROTO_IPV4 && key->off == 8 &&
		    (m & ~0x00ff0000u) == 0 && m == 0x00ff0000u) {
			uint8_t p = (uint8_t)(v >> 16);

			if (f->ip_proto && f->ip_proto != p)
				f->protocol = 0;	/* matches nothing */
			f->ip_proto = p;
			continue;
		}
		at = u32_addr_word(f->family, key->off, &src);
		if (at < 0) {
			undecided(f, "a u32 key on a field other than the "
				     "addresses and the IPv4 protocol");
			break;
		}
		for (i = 0; i < 4; i++) {
			mask[src ? 0 : 1][at + i] |= (uint8_t)(m >> (24 - 8 * i));
			val[src ? 0 : 1][at + i] |=
				(uint8_t)((v & m) >> (24 - 8 * i));
		}
		have[src ? 0 : 1] = true;
	}
	for (i = 0; i < 2 && f->decoded; i++) {
		const uint8_t *vp = val[i] + (alen == 4 ? 12 : 0);
		const uint8_t *mp = mask[i] + (alen == 4 ? 12 : 0);

		if (have[i] &&
		    !prefix_interval(vp, mp, alen, i ? &f->daddr : &f->saddr))
			undecided(f, "a u32 address mask that is not a prefix");
	}
	if (!have[0] && !have[1] && f->decoded && !f->ip_proto)
		f->family = 0;
	return tcf_actions(tb[TCA_U32_ACT], f) < 0 ? -EBADMSG : 1;
}

/* ---- flower ---- */

static bool flower_known(uint16_t type)
{
	switch (type) {
	case TCA_FLOWER_CLASSID:
	case TCA_FLOWER_INDEV:		/* on an ingress, its own link */
	case TCA_FLOWER_ACT:
	case TCA_FLOWER_FLAGS:
	case TCA_FLOWER_IN_HW_COUNT:
	case TCA_FLOWER_KEY_ETH_TYPE:
	case TCA_FLOWER_KEY_IP_PROTO:
	case TCA_FLOWER_KEY_IPV4_SRC:
	case TCA_FLOWER_KEY_IPV4_SRC_MASK:
	case TCA_FLOWER_KEY_IPV4_DST:
	case TCA_FLOWER_KEY_IPV4_DST_MASK:
	case TCA_FLOWER_KEY_IPV6_SRC:
	case TCA_FLOWER_KEY_IPV6_SRC_MASK:
	case TCA_FLOWER_KEY_IPV6_DST:
	case TCA_FLOWER_KEY_IPV6_DST_MASK:
		return true;
	default:
		return false;
	}
}

static int flower_addr(const struct nlattr *key, const struct nlattr *mask,
		       size_t alen, struct rs_interval *out, struct host_tcf *f)
{
	uint8_t full[16];

	if (!key)
		return 0;
	if (!attr_len_is(key, alen) || (mask && !attr_len_is(mask, alen)))
		return -EBADMSG;
	memset(full, 0xff, sizeof(full));
	if (!prefix_interval(mnl_attr_get_payload(key),
			     mask ? mnl_attr_get_payload(mask) : full, alen,
			     out))
		undecided(f, "a flower address mask that is not a prefix");
	return 0;
}

static int tcf_flower(const struct nlattr *opts, struct host_tcf *f)
{
	const struct nlattr *tb[TCA_FLOWER_MAX + 1];
	bool unknown, v4, v6;
	uint16_t t;

	if (tcf_nested(opts, tb, TCA_FLOWER_MAX, &unknown) < 0)
		return -EBADMSG;
	if (unknown)
		undecided(f, "a flower attribute fwaudit does not know");
	for (t = 1; t <= TCA_FLOWER_MAX; t++) {
		if (!tb[t] || flower_known(t))
			continue;
		undecided(f, (t >= TCA_FLOWER_KEY_TCP_SRC &&
			      t <= TCA_FLOWER_KEY_UDP_DST) ||
			     (t >= TCA_FLOWER_KEY_PORT_SRC_MIN &&
			      t <= TCA_FLOWER_KEY_PORT_DST_MAX) ?
			     "a flower port key (ports of fragments are not "
			     "seen)" : "a flower key other than the "
			     "ethertype, IP protocol and addresses");
	}
	if (tb[TCA_FLOWER_FLAGS] &&
	    (!attr_len_is(tb[TCA_FLOWER_FLAGS], 4) ||
	     mnl_attr_get_u32(tb[TCA_FLOWER_FLAGS]) & TCA_CLS_FLAGS_SKIP_SW))
		undecided(f, "a filter in hardware only");
	if (tb[TCA_FLOWER_KEY_ETH_TYPE]) {
		uint16_t et;

		if (!attr_len_is(tb[TCA_FLOWER_KEY_ETH_TYPE], 2))
			return -EBADMSG;
		et = ntohs(mnl_attr_get_u16(tb[TCA_FLOWER_KEY_ETH_TYPE]));
		if (f->protocol == ETH_P_ALL)
			f->protocol = et;
		else if (et != f->protocol)
			f->protocol = 0;	/* matches nothing we send */
	}
	if (tb[TCA_FLOWER_KEY_IP_PROTO]) {
		if (!attr_len_is(tb[TCA_FLOWER_KEY_IP_PROTO], 1))
			return -EBADMSG;
		f->ip_proto = mnl_attr_get_u8(tb[TCA_FLOWER_KEY_IP_PROTO]);
	}
	v4 = tb[TCA_FLOWER_KEY_IPV4_SRC] || tb[TCA_FLOWER_KEY_IPV4_DST];
	v6 = tb[TCA_FLOWER_KEY_IPV6_SRC] || tb[TCA_FLOWER_KEY_IPV6_DST];
	if (f->protocol == ETH_P_IP)
		f->family = NFPROTO_IPV4;
	else if (f->protocol == ETH_P_IPV6)
		f->family = NFPROTO_IPV6;
	else if (f->protocol == ETH_P_ALL && (v4 || v6))
		f->family = v4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
	if ((v4 && f->family != NFPROTO_IPV4) ||
	    (v6 && f->family != NFPROTO_IPV6))
		f->protocol = 0;		/* matches nothing */
	if (f->family == NFPROTO_IPV4 &&
	    (flower_addr(tb[TCA_FLOWER_KEY_IPV4_SRC],
			 tb[TCA_FLOWER_KEY_IPV4_SRC_MASK], 4, &f->saddr, f) < 0 ||
	     flower_addr(tb[TCA_FLOWER_KEY_IPV4_DST],
			 tb[TCA_FLOWER_KEY_IPV4_DST_MASK], 4, &f->daddr, f) < 0))
		return -EBADMSG;
	if (f->family == NFPROTO_IPV6 &&
	    (flower_addr(tb[TCA_FLOWER_KEY_IPV6_SRC],
			 tb[TCA_FLOWER_KEY_IPV6_SRC_MASK], 16, &f->saddr, f) < 0 ||
	     flower_addr(tb[TCA_FLOWER_KEY_IPV6_DST],
			 tb[TCA_FLOWER_KEY_IPV6_DST_MASK], 16, &f->daddr, f) < 0))
		return -EBADMSG;
	if (f->ip_proto && !f->family && f->protocol != 0)
		undecided(f, "a flower IP protocol key without an ethertype");
	return tcf_actions(tb[TCA_FLOWER_ACT], f) < 0 ? -EBADMSG : 1;
}

/* ---- matchall ---- */

static int tcf_matchall(const struct nlattr *opts, struct host_tcf *f)
{
	const struct nlattr *tb[TCA_MATCHALL_MAX + 1];
	bool unknown;

	if (tcf_nested(opts, tb, TCA_MATCHALL_MAX, &unknown) < 0)
		return -EBADMSG;
	if (unknown)
		undecided(f, "a matchall attribute fwaudit does not know");
	if (tb[TCA_MATCHALL_FLAGS] &&
	    (!attr_len_is(tb[TCA_MATCHALL_FLAGS], 4) ||
	     mnl_attr_get_u32(tb[TCA_MATCHALL_FLAGS]) & TCA_CLS_FLAGS_SKIP_SW))
		undecided(f, "a filter in hardware only");
	if (f->protocol == ETH_P_IP)
		f->family = NFPROTO_IPV4;
	else if (f->protocol == ETH_P_IPV6)
		f->family = NFPROTO_IPV6;
	return tcf_actions(tb[TCA_MATCHALL_ACT], f) < 0 ? -EBADMSG : 1;
}

/* ---- bpf: named, never walked ---- */

static int tcf_bpf(const struct nlattr *opts, struct host_tcf *f)
{
	const struct nlattr *tb[TCA_BPF_MAX + 1];
	size_t len;

	undecided(f, "a BPF program");
	if (tcf_nested(opts, tb, TCA_BPF_MAX, NULL) < 0)
		return -EBADMSG;
	if (tb[TCA_BPF_ID] && attr_len_is(tb[TCA_BPF_ID], 4))
		f->prog_id = mnl_attr_get_u32(tb[TCA_BPF_ID]);
	if (tb[TCA_BPF_NAME]) {
		len = strnlen(mnl_attr_get_payload(tb[TCA_BPF_NAME]),
			      mnl_attr_get_payload_len(tb[TCA_BPF_NAME]));
		if (len >= sizeof(f->name))
			len = sizeof(f->name) - 1;
		memcpy(f->name, mnl_attr_get_payload(tb[TCA_BPF_NAME]), len);
		f->name[len] = '\0';
	}
	return 1;
}

/* ---- the message ---- */

int tcf_decode(const struct nlmsghdr *nlh, struct host_tcf *out)
{
	const struct nlattr *tb[TCA_MAX + 1];
	struct tcf_attrs p = { TCA_MAX, tb, false, false };
	const struct tcmsg *t;
	struct host_tcf f;
	size_t len;
	int ret;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*t))
		return -EBADMSG;
	t = mnl_nlmsg_get_payload(nlh);
	memset(tb, 0, sizeof(tb));
	if (mnl_attr_parse(nlh, sizeof(*t), tcf_attr_cb, &p) != MNL_CB_OK ||
	    p.bad)
		return -EBADMSG;
	if (tb[TCA_KIND] && (mnl_attr_validate(tb[TCA_KIND], MNL_TYPE_STRING) < 0 ||
			     mnl_attr_get_payload_len(tb[TCA_KIND]) == 0))
		return -EBADMSG;
	if (tb[TCA_OPTIONS] &&
	    mnl_attr_validate(tb[TCA_OPTIONS], MNL_TYPE_NESTED) < 0)
		return -EBADMSG;
	if (tb[TCA_CHAIN] && !attr_len_is(tb[TCA_CHAIN], 4))
		return -EBADMSG;
	/* the message that only announces a priority has no options */
	if (!tb[TCA_KIND] || !tb[TCA_OPTIONS])
		return 0;
	/* a chain other than 0 is reached only by a goto, which is
	 * undecided where it is */
	if (tb[TCA_CHAIN] && mnl_attr_get_u32(tb[TCA_CHAIN]) != 0)
		return 0;

	memset(&f, 0, sizeof(f));
	f.ifindex = t->tcm_ifindex;
	f.prio = (uint16_t)(t->tcm_info >> 16);
	f.protocol = ntohs((uint16_t)(t->tcm_info & 0xffff));
	f.handle = t->tcm_handle;
	len = strnlen(mnl_attr_get_payload(tb[TCA_KIND]),
		      mnl_attr_get_payload_len(tb[TCA_KIND]));
	if (len >= sizeof(f.kind))
		len = sizeof(f.kind) - 1;
	memcpy(f.kind, mnl_attr_get_payload(tb[TCA_KIND]), len);
	f.decoded = true;
	f.saddr.lo = f.daddr.lo = 0;
	f.saddr.hi = f.daddr.hi = ~(rs_u128)0;
	/* ARP is kept: a filter that drops it leaves IPv4 without
	 * neighbours (tc.c) */
	if (f.protocol != ETH_P_ALL && f.protocol != ETH_P_IP &&
	    f.protocol != ETH_P_IPV6 && f.protocol != ETH_P_ARP)
		f.protocol = 0;	/* sees none of the probes (VLAN, ...) */

	if (!strcmp(f.kind, "u32"))
		ret = tcf_u32(tb[TCA_OPTIONS], &f);
	else if (!strcmp(f.kind, "flower"))
		ret = tcf_flower(tb[TCA_OPTIONS], &f);
	else if (!strcmp(f.kind, "matchall"))
		ret = tcf_matchall(tb[TCA_OPTIONS], &f);
	else if (!strcmp(f.kind, "bpf"))
		ret = tcf_bpf(tb[TCA_OPTIONS], &f);
	else {
		undecided(&f, "a classifier fwaudit does not read");
		ret = 1;
	}
	if (ret <= 0)
		return ret;
	if (f.family == NFPROTO_IPV4) {
		f.saddr.hi &= 0xffffffffu;
		f.daddr.hi &= 0xffffffffu;
	}
	*out = f;
	return 1;
}
