// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * legacy.c - the legacy x_tables reader (libiptc: ip4tc, ip6tc).
 *
 * libiptc takes the whole table in one getsockopt (it retries by itself
 * when the table changes between its two calls), so each table is one
 * consistent snapshot.  Entries are decoded here; match and target blobs by
 * xt.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libiptc/libiptc.h>
#include <libiptc/libip6tc.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>

#include "legacy.h"
#include "xt.h"
#include "util.h"

/* What /proc/net/ip*_tables_names may list before we call it broken. */
#define LEGACY_NAMES_MAX	64

struct legacy_table {
	const char *name;
	int32_t priority;	/* nat: this at PREROUTING/OUTPUT ... */
	int32_t priority_src;	/* ... and this at INPUT/POSTROUTING */
};

/* ip_tables and ip6_tables register at the same priorities. */
static const struct legacy_table legacy_tables[] = {
	{ "raw", NF_IP_PRI_RAW, NF_IP_PRI_RAW },
	{ "mangle", NF_IP_PRI_MANGLE, NF_IP_PRI_MANGLE },
	{ "nat", NF_IP_PRI_NAT_DST, NF_IP_PRI_NAT_SRC },
	{ "filter", NF_IP_PRI_FILTER, NF_IP_PRI_FILTER },
	{ "security", NF_IP_PRI_SECURITY, NF_IP_PRI_SECURITY },
};

#define LEGACY_NTABLES	ARRAY_SIZE(legacy_tables)

/* One family's libiptc, behind one shape. */
struct legacy_ops {
	uint8_t family;
	const char *source;
	const char *names_path;
	struct xtc_handle *(*init)(const char *table);
	void (*free)(struct xtc_handle *h);
	const char *(*first_chain)(struct xtc_handle *h);
	const char *(*next_chain)(struct xtc_handle *h);
	int (*builtin)(const char *chain, struct xtc_handle *h);
	const char *(*policy)(const char *chain, struct xtc_handle *h);
	const void *(*first_rule)(const char *chain, struct xtc_handle *h);
	const void *(*next_rule)(const void *e, struct xtc_handle *h);
	const char *(*target)(const void *e, struct xtc_handle *h);
	int (*decode)(struct rs_rule *r, const void *e, const char *target);
};

static const char *legacy4_policy(const char *chain, struct xtc_handle *h)
{
	struct xt_counters c;

	return iptc_get_policy(chain, &c, h);
}

static const void *legacy4_first_rule(const char *chain, struct xtc_handle *h)
{
	return iptc_first_rule(chain, h);
}

static const void *legacy4_next_rule(const void *e, struct xtc_handle *h)
{
	return iptc_next_rule(e, h);
}

static const char *legacy4_target(const void *e, struct xtc_handle *h)
{
	return iptc_get_target(e, h);
}

static const char *legacy6_policy(const char *chain, struct xtc_handle *h)
{
	struct xt_counters c;

	return ip6tc_get_policy(chain, &c, h);
}

static const void *legacy6_first_rule(const char *chain, struct xtc_handle *h)
{
	return ip6tc_first_rule(chain, h);
}

static const void *legacy6_next_rule(const void *e, struct xtc_handle *h)
{
	return ip6tc_next_rule(e, h);
}

static const char *legacy6_target(const void *e, struct xtc_handle *h)
{
	return ip6tc_get_target(e, h);
}

static int legacy_builtin4(const char *chain, struct xtc_handle *h)
{
	return iptc_builtin(chain, h);
}

static int legacy_builtin6(const char *chain, struct xtc_handle *h)
{
	return ip6tc_builtin(chain, h);
}

static int legacy_hook(const char *chain, uint32_t *hook)
{
	static const char *const names[] = {
		[NF_INET_PRE_ROUTING] = "PREROUTING",
		[NF_INET_LOCAL_IN] = "INPUT",
		[NF_INET_FORWARD] = "FORWARD",
		[NF_INET_LOCAL_OUT] = "OUTPUT",
		[NF_INET_POST_ROUTING] = "POSTROUTING",
	};
	uint32_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(chain, names[i]) == 0) {
			*hook = i;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * Matches from @hdr (the size of the entry header) to @target_offset,
 * then the target up to @next_offset.  libiptc hands back what the kernel
 * returned; the offsets are still checked before anything is read.
 */
static int legacy_decode_body(struct rs_rule *r, uint8_t family,
			      const unsigned char *e, size_t hdr,
			      size_t target_offset, size_t next_offset,
			      bool is_goto, const char *target)
{
	char name[XT_EXTENSION_MAXNAMELEN];
	const struct xt_entry_target *t;
	size_t off = hdr, size;
	int ret;

	if (target_offset < hdr || target_offset > next_offset ||
	    next_offset - target_offset < sizeof(*t))
		return -EBADMSG;
	while (off < target_offset) {
		const struct xt_entry_match *m = (const void *)(e + off);

		if (target_offset - off < sizeof(*m))
			return -EBADMSG;
		size = m->u.match_size;
		if (size < sizeof(*m) || size > target_offset - off)
			return -EBADMSG;
		memcpy(name, m->u.user.name, sizeof(name));
		name[sizeof(name) - 1] = '\0';
		ret = xt_decode_match(r, family, name, m->u.user.revision,
				      m->data, size - sizeof(*m));
		if (ret < 0)
			return ret;
		off += size;
	}

	t = (const void *)(e + target_offset);
	size = t->u.target_size;
	if (size < sizeof(*t) || size > next_offset - target_offset)
		return -EBADMSG;
	memcpy(name, t->u.user.name, sizeof(name));
	name[sizeof(name) - 1] = '\0';
	if (name[0] != '\0')
		return xt_decode_target(r, family, name, t->u.user.revision,
					t->data, size - sizeof(*t));

	/* The standard target: libiptc has resolved its verdict or jump
	 * offset into a name. */
	if (!target)
		return -EBADMSG;
	if (target[0] == '\0') {
		r->verdict.kind = RS_V_NONE;
	} else if (strcmp(target, IPTC_LABEL_ACCEPT) == 0) {
		r->verdict.kind = RS_V_ACCEPT;
	} else if (strcmp(target, IPTC_LABEL_DROP) == 0) {
		r->verdict.kind = RS_V_DROP;
	} else if (strcmp(target, IPTC_LABEL_RETURN) == 0) {
		r->verdict.kind = RS_V_RETURN;
	} else if (strcmp(target, IPTC_LABEL_QUEUE) == 0) {
		r->verdict.kind = RS_V_QUEUE;
		r->verdict.queue_num = 0;
	} else {
		r->verdict.chain = strdup(target);
		if (!r->verdict.chain)
			return -ENOMEM;
		r->verdict.kind = is_goto ? RS_V_GOTO : RS_V_JUMP;
	}
	return 0;
}

static int legacy_proto(struct rs_rule *r, uint16_t proto, bool invert)
{
	struct rs_match *m;

	if (proto == 0)		/* "all": both kernels then test nothing */
		return 0;
	m = rs_rule_add_match(r);
	if (!m)
		return -ENOMEM;
	return rs_match_set_range(m, RS_F_L4PROTO, proto, proto, invert);
}

/* ip_packet_match() compares (saddr & smsk) with src as stored: bits of
 * src outside the mask make the test fail for every packet. */
static int legacy_addr4(struct rs_rule *r, enum rs_field f,
			const struct in_addr *addr, const struct in_addr *mask,
			bool invert)
{
	struct rs_match *m;

	if (!(addr->s_addr & ~mask->s_addr))
		return xt_add_addr_match(r, f, &addr->s_addr, &mask->s_addr, 4,
					 invert);
	if (invert)
		return 0;
	m = rs_rule_add_match(r);
	if (!m)
		return -ENOMEM;
	return rs_match_set_range(m, f, 0, UINT32_MAX, true);
}

static int legacy_decode4(struct rs_rule *r, const void *entry,
			  const char *target)
{
	const struct ipt_entry *e = entry;
	const struct ipt_ip *ip = &e->ip;
	struct rs_match *m;
	int ret;

	ret = legacy_addr4(r, RS_F_IP_SADDR, &ip->src, &ip->smsk,
			   ip->invflags & IPT_INV_SRCIP);
	if (ret < 0)
		return ret;
	ret = legacy_addr4(r, RS_F_IP_DADDR, &ip->dst, &ip->dmsk,
			   ip->invflags & IPT_INV_DSTIP);
	if (ret < 0)
		return ret;
	ret = xt_add_ifname_match(r, RS_F_IIFNAME, ip->iniface,
				  ip->iniface_mask,
				  ip->invflags & IPT_INV_VIA_IN);
	if (ret < 0)
		return ret;
	ret = xt_add_ifname_match(r, RS_F_OIFNAME, ip->outiface,
				  ip->outiface_mask,
				  ip->invflags & IPT_INV_VIA_OUT);
	if (ret < 0)
		return ret;
	ret = legacy_proto(r, ip->proto, ip->invflags & IPT_INV_PROTO);
	if (ret < 0)
		return ret;
	if ((ip->flags & IPT_F_FRAG) || (ip->invflags & IPT_INV_FRAG)) {
		/* -f: second and later fragments, a fragment offset that
		 * is not 0; ! -f: the others.  The inversion without -f
		 * fails for every packet (ip_packet_match()). */
		m = rs_rule_add_match(r);
		if (!m)
			return -ENOMEM;
		m->nfields = 1;
		m->fields[0] = RS_F_IP_FRAGOFF;
		if (!(ip->flags & IPT_F_FRAG)) {
			m->op = RS_OP_IN;	/* no element: never */
		} else {
			m->op = ip->invflags & IPT_INV_FRAG ? RS_OP_MASK_EQ :
							       RS_OP_MASK_NE;
			m->mask = 0x1fff;	/* IP_OFFSET */
			m->value = 0;
		}
	}
	return legacy_decode_body(r, NFPROTO_IPV4, entry, sizeof(*e),
				  e->target_offset, e->next_offset,
				  ip->flags & IPT_F_GOTO, target);
}

static int legacy_decode6(struct rs_rule *r, const void *entry,
			  const char *target)
{
	const struct ip6t_entry *e = entry;
	const struct ip6t_ip6 *ip = &e->ipv6;
	int ret;

	ret = xt_add_addr_match(r, RS_F_IP6_SADDR, &ip->src, &ip->smsk, 16,
				ip->invflags & IP6T_INV_SRCIP);
	if (ret < 0)
		return ret;
	ret = xt_add_addr_match(r, RS_F_IP6_DADDR, &ip->dst, &ip->dmsk, 16,
				ip->invflags & IP6T_INV_DSTIP);
	if (ret < 0)
		return ret;
	ret = xt_add_ifname_match(r, RS_F_IIFNAME, ip->iniface,
				  ip->iniface_mask,
				  ip->invflags & IP6T_INV_VIA_IN);
	if (ret < 0)
		return ret;
	ret = xt_add_ifname_match(r, RS_F_OIFNAME, ip->outiface,
				  ip->outiface_mask,
				  ip->invflags & IP6T_INV_VIA_OUT);
	if (ret < 0)
		return ret;
	/* ip6_packet_match() tests the protocol (the last header it can
	 * parse) only with IP6T_F_PROTO, and never tests tos or fragments. */
	if (ip->flags & IP6T_F_PROTO) {
		ret = legacy_proto(r, ip->proto, ip->invflags & IP6T_INV_PROTO);
		if (ret < 0)
			return ret;
	}
	return legacy_decode_body(r, NFPROTO_IPV6, entry, sizeof(*e),
				  e->target_offset, e->next_offset,
				  ip->flags & IP6T_F_GOTO, target);
}

static const struct legacy_ops legacy_ipv4 = {
	.family = NFPROTO_IPV4,
	.source = "iptables-legacy",
	.names_path = "/proc/net/ip_tables_names",
	.init = iptc_init,
	.free = iptc_free,
	.first_chain = iptc_first_chain,
	.next_chain = iptc_next_chain,
	.builtin = legacy_builtin4,
	.policy = legacy4_policy,
	.first_rule = legacy4_first_rule,
	.next_rule = legacy4_next_rule,
	.target = legacy4_target,
	.decode = legacy_decode4,
};

static const struct legacy_ops legacy_ipv6 = {
	.family = NFPROTO_IPV6,
	.source = "ip6tables-legacy",
	.names_path = "/proc/net/ip6_tables_names",
	.init = ip6tc_init,
	.free = ip6tc_free,
	.first_chain = ip6tc_first_chain,
	.next_chain = ip6tc_next_chain,
	.builtin = legacy_builtin6,
	.policy = legacy6_policy,
	.first_rule = legacy6_first_rule,
	.next_rule = legacy6_next_rule,
	.target = legacy6_target,
	.decode = legacy_decode6,
};

/*
 * Which of legacy_tables[] the kernel has in this network namespace: a
 * bit per index in *present.  No file means no ip(6)_tables at all.
 */
static int legacy_table_names(const char *path, unsigned int *present)
{
	unsigned int mask = 0, lines = 0;
	char buf[64];
	size_t i, len;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		/* the file is root's, mode 0440: a lack of privilege the
		 * caller names apart from CAP_NET_RAW's EPERM */
		if (errno == EACCES)
			return -EACCES;
		if (errno != ENOENT)
			return errno ? -errno : -EIO;
		*present = 0;
		return 0;
	}
	while (fgets(buf, sizeof(buf), f)) {
		if (++lines > LEGACY_NAMES_MAX) {
			fclose(f);
			return -E2BIG;
		}
		len = strcspn(buf, "\n");
		buf[len] = '\0';
		for (i = 0; i < LEGACY_NTABLES; i++)
			if (strcmp(buf, legacy_tables[i].name) == 0)
				mask |= 1u << i;
	}
	if (ferror(f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*present = mask;
	return 0;
}

static int legacy_read_chain(struct ruleset *rs, const struct legacy_ops *ops,
			     struct xtc_handle *h,
			     const struct legacy_table *t, const char *chain)
{
	struct rs_chain *c;
	const char *policy;
	uint32_t hook;
	const void *e;
	int ret;

	c = ruleset_add_chain(rs, RS_ORIGIN_LEGACY, ops->family, t->name,
			      chain);
	if (!c)
		return -ENOMEM;
	if (ops->builtin(chain, h) && legacy_hook(chain, &hook) == 0) {
		c->base = true;
		c->hook = hook;
		c->priority = hook == NF_INET_LOCAL_IN ||
			      hook == NF_INET_POST_ROUTING ?
			      t->priority_src : t->priority;
		/* the mangle table reroutes a locally generated packet whose
		 * mark or addresses it changed, as nft's type route */
		c->type = strdup(strcmp(t->name, "nat") == 0 ? "nat" :
				 strcmp(t->name, "mangle") == 0 &&
				 hook == NF_INET_LOCAL_OUT ? "route" :
				 "filter");
		if (!c->type)
			return -ENOMEM;
		policy = ops->policy(chain, h);
		if (!policy)
			return errno ? -errno : -EBADMSG;
		c->policy = strcmp(policy, IPTC_LABEL_ACCEPT) == 0 ?
			    RS_V_ACCEPT :
			    strcmp(policy, IPTC_LABEL_DROP) == 0 ? RS_V_DROP :
			    RS_V_OTHER;
	} else {
		c->policy = RS_V_NONE;
	}

	for (e = ops->first_rule(chain, h); e; e = ops->next_rule(e, h)) {
		/* @c stays valid: rules grow c->rules, not rs->chains */
		struct rs_rule *r = rs_chain_add_rule(c);

		if (!r)
			return -ENOMEM;
		ret = ops->decode(r, e, ops->target(e, h));
		if (ret < 0)
			return ret;
		ret = ruleset_pack_rule(rs, r);
		if (ret < 0)
			return ret;
	}
	return ruleset_pack_chain(rs, c);
}

static int legacy_read_family(struct ruleset *rs, const struct legacy_ops *ops,
			      bool *present)
{
	struct xtc_handle *h;
	unsigned int tables = 0;
	const char *chain;
	size_t i;
	int ret;

	ret = legacy_table_names(ops->names_path, &tables);
	if (ret < 0)
		return ret;
	*present = tables != 0;
	for (i = 0; i < LEGACY_NTABLES; i++) {
		if (!(tables & (1u << i)))
			continue;
		errno = 0;
		h = ops->init(legacy_tables[i].name);
		if (!h) {
			/* gone since we read the list: absent, not an error */
			if (errno == ENOENT)
				continue;
			/* errno 0 is libiptc's "version mismatch" */
			return errno ? -errno : -EPROTO;
		}
		ret = 0;
		for (chain = ops->first_chain(h); chain && ret == 0;
		     chain = ops->next_chain(h))
			ret = legacy_read_chain(rs, ops, h, &legacy_tables[i],
						chain);
		ops->free(h);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void legacy_source(struct ruleset *rs, const char *name, bool present,
			  int error)
{
	struct rs_source_status *s;

	if (rs->nsources >= ARRAY_SIZE(rs->sources))
		return;
	s = &rs->sources[rs->nsources++];
	s->name = name;
	s->present = present;
	s->error = error;
}

int legacy_dump_ruleset(struct ruleset *rs)
{
	bool present4 = false, present6 = false;
	struct ruleset *tmp;
	int ret;

	tmp = ruleset_new();
	if (!tmp)
		return -ENOMEM;
	ret = legacy_read_family(tmp, &legacy_ipv4, &present4);
	if (ret < 0) {
		legacy_source(rs, legacy_ipv4.source, false, ret);
		goto out;
	}
	ret = legacy_read_family(tmp, &legacy_ipv6, &present6);
	if (ret < 0) {
		legacy_source(rs, legacy_ipv6.source, false, ret);
		goto out;
	}
	ret = ruleset_append(rs, tmp);
	if (ret < 0)
		goto out;
	legacy_source(rs, legacy_ipv4.source, present4, 0);
	legacy_source(rs, legacy_ipv6.source, present6, 0);
out:
	ruleset_free(tmp);
	return ret;
}
