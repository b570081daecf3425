// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipset.c - the kernel's ipsets and their elements (nfnetlink "ip_set").
 *
 * The layout is the kernel's (net/netfilter/ipset/ip_set_core.c,
 * ip_set_dump_do(), and each type's list function): a set's first message
 * carries its name, type, family, revision, index and a nested header
 * (IPSET_ATTR_DATA); it and the messages after it carry the set's name and
 * a nest of elements (IPSET_ATTR_ADT), each an IPSET_ATTR_DATA nest.
 *
 * How a type decides (ip_set_hash_gen.h, mtype_test_cidrs()): the
 * prefixes of a hash:net* set are tried from the most specific, and the
 * first element found decides, a nomatch element as "not in the set".  So
 * per value of the other dimensions, every address takes the label of
 * the most specific element holding it: set_paint() computes those parts.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/ipset/ip_set.h>

#include "ipset.h"
#include "nldump.h"

#ifndef IPSET_ATTR_BITMASK
#define IPSET_ATTR_BITMASK	12	/* Linux 6.1: a non-prefix mask */
#endif

/* one request and a set name: far below this */
#define IPSET_REQ_MAX		256
/* what the module's presence says without asking nfnetlink, which would
 * load it */
#define IPSET_MODULE_PATH	"/sys/module/ip_set"

/* One set while its elements arrive. */
struct set_build {
	struct rs_ipset s;
	uint8_t nfields;
	uint8_t netmask;	/* hash:ip / bitmap:ip netmask, 0 none */
	int8_t net;		/* the field of the one "net" dimension, or -1 */
	uint8_t nnets;		/* "net" dimensions */
	bool has_nomatch;
	size_t n, cap;		/* tuples */
	struct rs_interval *t;	/* n * nfields */
	uint8_t *nm;		/* n: nomatch */
	size_t nnames;
	char (*names)[IPSET_MAXNAMELEN];	/* list:set members */
};

struct ipset_read {
	uint8_t protocol;	/* the kernel's, from IPSET_CMD_PROTOCOL */
	size_t nsets;
	struct set_build *sets;
	size_t total;		/* elements of every set */
	int error;		/* a refused or failed dump: for a note */
};

static void build_release(struct set_build *b)
{
	free(b->t);
	free(b->nm);
	free(b->names);
	free(b->s.name);
	free(b->s.type);
	free(b->s.why);
	rs_set_free(b->s.in);
	rs_set_free(b->s.nomatch);
	free(b->s.members);
}

static void read_release(struct ipset_read *rd)
{
	size_t i;

	for (i = 0; i < rd->nsets; i++)
		build_release(&rd->sets[i]);
	free(rd->sets);
	rd->sets = NULL;
	rd->nsets = 0;
}

/* The set's contents are not decided: what it held is dropped. */
static int undecided(struct set_build *b, const char *why)
{
	if (!b->s.decided)
		return 0;
	b->s.decided = false;
	free(b->t);
	free(b->nm);
	b->t = NULL;
	b->nm = NULL;
	b->n = b->cap = 0;
	b->s.why = strdup(why);
	return b->s.why ? 0 : -ENOMEM;
}

/* The dimensions of a type name ("hash:net,port"): 0, or 1 for a type
 * the engine does not decide (why set). */
static int type_parse(struct set_build *b, const char **why)
{
	const char *t = b->s.type, *d;
	char word[16];
	size_t len;

	b->net = -1;
	if (!strncmp(t, "list:set", 9) && t[8] == '\0') {
		b->s.list = true;
		return 0;
	}
	if (!strncmp(t, "hash:", 5))
		d = t + 5;
	else if (!strncmp(t, "bitmap:", 7))
		d = t + 7;
	else {
		*why = "a set type fwaudit does not decide";
		return 1;
	}
	while (*d) {
		len = strcspn(d, ",");
		if (len == 0 || len >= sizeof(word) ||
		    b->s.dim == RS_IPSET_DIM_MAX) {
			*why = "a set type fwaudit does not decide";
			return 1;
		}
		memcpy(word, d, len);
		word[len] = '\0';
		if (!strcmp(word, "ip") || !strcmp(word, "net")) {
			if (!strcmp(word, "net")) {
				b->net = (int8_t)b->nfields;
				b->nnets++;
			}
			b->s.kinds[b->s.dim++] = RS_IPSET_ADDR;
			b->nfields++;
		} else if (!strcmp(word, "port")) {
			b->s.kinds[b->s.dim++] = RS_IPSET_PORT;
			b->nfields += 2;
		} else if (!strcmp(word, "iface")) {
			b->s.kinds[b->s.dim++] = RS_IPSET_IFACE;
			b->nfields++;
		} else {
			/* mac, mark: what a stranger's packet carries but
			 * the engine does not follow */
			*why = "a set type fwaudit does not decide";
			return 1;
		}
		d += len;
		if (*d == ',')
			d++;
	}
	if (!b->s.dim) {
		*why = "a set type fwaudit does not decide";
		return 1;
	}
	return 0;
}

/* Attribute tables, each attribute validated for its type. */
struct attrs {
	const struct nlattr *tb[IPSET_ATTR_ADT_MAX + 1];
	const enum mnl_attr_data_type *types;
	unsigned int max;
	int err;
};

static const enum mnl_attr_data_type cmd_types[IPSET_ATTR_CMD_MAX + 1] = {
	[IPSET_ATTR_PROTOCOL] = MNL_TYPE_U8,
	[IPSET_ATTR_SETNAME] = MNL_TYPE_NUL_STRING,
	[IPSET_ATTR_TYPENAME] = MNL_TYPE_NUL_STRING,
	[IPSET_ATTR_REVISION] = MNL_TYPE_U8,
	[IPSET_ATTR_FAMILY] = MNL_TYPE_U8,
	[IPSET_ATTR_DATA] = MNL_TYPE_NESTED,
	[IPSET_ATTR_ADT] = MNL_TYPE_NESTED,
	[IPSET_ATTR_PROTOCOL_MIN] = MNL_TYPE_U8,
	[IPSET_ATTR_INDEX] = MNL_TYPE_U16,
};

/* a set's header (ip_set_hash_gen.h mtype_head(), bitmap and list heads) */
static const enum mnl_attr_data_type head_types[IPSET_ATTR_CREATE_MAX + 1] = {
	[IPSET_ATTR_IP] = MNL_TYPE_NESTED,
	[IPSET_ATTR_IP_TO] = MNL_TYPE_NESTED,
	[IPSET_ATTR_CIDR] = MNL_TYPE_U8,
	[IPSET_ATTR_PORT] = MNL_TYPE_U16,
	[IPSET_ATTR_PORT_TO] = MNL_TYPE_U16,
	[IPSET_ATTR_TIMEOUT] = MNL_TYPE_U32,
	[IPSET_ATTR_CADT_FLAGS] = MNL_TYPE_U32,
	[IPSET_ATTR_BITMASK] = MNL_TYPE_NESTED,
	[IPSET_ATTR_NETMASK] = MNL_TYPE_U8,
	[IPSET_ATTR_ELEMENTS] = MNL_TYPE_U32,
};

/* an element (each type's data_list()) */
static const enum mnl_attr_data_type data_types[IPSET_ATTR_ADT_MAX + 1] = {
	[IPSET_ATTR_IP] = MNL_TYPE_NESTED,
	[IPSET_ATTR_CIDR] = MNL_TYPE_U8,
	[IPSET_ATTR_PORT] = MNL_TYPE_U16,
	[IPSET_ATTR_TIMEOUT] = MNL_TYPE_U32,
	[IPSET_ATTR_PROTO] = MNL_TYPE_U8,
	[IPSET_ATTR_CADT_FLAGS] = MNL_TYPE_U32,
	[IPSET_ATTR_ETHER] = MNL_TYPE_BINARY,
	[IPSET_ATTR_NAME] = MNL_TYPE_NUL_STRING,
	[IPSET_ATTR_IP2] = MNL_TYPE_NESTED,
	[IPSET_ATTR_CIDR2] = MNL_TYPE_U8,
	[IPSET_ATTR_IFACE] = MNL_TYPE_NUL_STRING,
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type > t->max || t->types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, t->types[type]) < 0 || t->tb[type]) {
		t->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	t->tb[type] = a;
	return MNL_CB_OK;
}

static int nest_parse(const struct nlattr *nest, const
		      enum mnl_attr_data_type *types, unsigned int max,
		      struct attrs *t)
{
	memset(t, 0, sizeof(*t));
	t->types = types;
	t->max = max;
	if (mnl_attr_parse_nested(nest, attr_cb, t) < 0)
		return t->err ? t->err : -EBADMSG;
	return 0;
}

/* An IPSET_ATTR_IP-like nest: one IPv4 (network order u32) or IPv6
 * (16 bytes) address of the set's family. */
static int addr_get(const struct nlattr *nest, uint8_t family, rs_u128 *out)
{
	const struct nlattr *a;
	const uint8_t *p;
	bool found = false;
	rs_u128 v = 0;
	size_t k;

	mnl_attr_for_each_nested(a, nest) {
		uint16_t type = mnl_attr_get_type(a);

		if (found)
			return -EBADMSG;
		if (type == IPSET_ATTR_IPADDR_IPV4 && family == NFPROTO_IPV4) {
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			v = ntohl(mnl_attr_get_u32(a));
		} else if (type == IPSET_ATTR_IPADDR_IPV6 &&
			   family == NFPROTO_IPV6) {
			if (mnl_attr_validate2(a, MNL_TYPE_BINARY, 16) < 0)
				return -EBADMSG;
			p = mnl_attr_get_payload(a);
			for (k = 0; k < 16; k++)
				v = v << 8 | p[k];
		} else {
			return -EBADMSG;
		}
		found = true;
	}
	if (!found)
		return -EBADMSG;
	*out = v;
	return 0;
}

/* The addresses of a prefix: *iv.  -EBADMSG for a prefix too long. */
static int prefix_iv(uint8_t family, rs_u128 addr, unsigned int len,
		     struct rs_interval *iv)
{
	unsigned int bits = family == NFPROTO_IPV4 ? 32 : 128;
	rs_u128 host;

	if (len > bits || len == 0)
		return -EBADMSG;
	host = len == bits ? 0 : (((rs_u128)1 << (bits - len)) - 1);
	if (addr & host)
		return -EBADMSG;	/* the kernel lists networks */
	iv->lo = addr;
	iv->hi = addr | host;
	return 0;
}

/* One address dimension of an element: the address attribute ip and
 * its prefix attribute cidr (absent: the set's netmask, or a host). */
static int elem_addr(const struct set_build *b, const struct nlattr *ip,
		     const struct nlattr *cidr, struct rs_interval *iv)
{
	unsigned int bits = b->s.family == NFPROTO_IPV4 ? 32 : 128, len;
	rs_u128 addr;
	int ret;

	if (!ip)
		return -EBADMSG;
	ret = addr_get(ip, b->s.family, &addr);
	if (ret < 0)
		return ret;
	len = cidr ? mnl_attr_get_u8(cidr) : b->netmask ? b->netmask : bits;
	return prefix_iv(b->s.family, addr, len, iv);
}

static int tuple_push(struct set_build *b, const struct rs_interval *t,
		      bool nomatch)
{
	size_t ncap;
	void *p;

	if (b->n == b->cap) {
		ncap = b->cap ? b->cap * 2 : 16;
		if (ncap > IPSET_SET_ELEMS_MAX)
			ncap = IPSET_SET_ELEMS_MAX;
		p = realloc(b->t, ncap * b->nfields * sizeof(*b->t));
		if (!p)
			return -ENOMEM;
		b->t = p;
		p = realloc(b->nm, ncap);
		if (!p)
			return -ENOMEM;
		b->nm = p;
		b->cap = ncap;
	}
	memcpy(&b->t[b->n * b->nfields], t, b->nfields * sizeof(*t));
	b->nm[b->n++] = nomatch;
	b->has_nomatch |= nomatch;
	return 0;
}

/* One element (an IPSET_ATTR_DATA nest of the ADT nest). */
static int elem_parse(struct ipset_read *rd, struct set_build *b,
		      const struct nlattr *nest)
{
	struct rs_interval t[RS_CONCAT_MAX];
	const struct nlattr *const *tb;
	unsigned int d, f = 0, naddr = 0;
	int bitmap_port = -1;
	uint32_t cadt = 0;
	struct attrs a;
	int ret;

	ret = nest_parse(nest, data_types, IPSET_ATTR_ADT_MAX, &a);
	if (ret < 0)
		return ret;
	tb = a.tb;
	if (tb[IPSET_ATTR_CADT_FLAGS])
		cadt = ntohl(mnl_attr_get_u32(tb[IPSET_ATTR_CADT_FLAGS]));
	if (tb[IPSET_ATTR_TIMEOUT])
		b->s.timeouts = true;
	b->s.nelems++;
	if (!b->s.decided)
		return 0;
	if (b->s.list) {
		void *p;

		if (!tb[IPSET_ATTR_NAME] || b->nnames == IPSET_SETS_MAX ||
		    strlen(mnl_attr_get_str(tb[IPSET_ATTR_NAME])) >=
		    IPSET_MAXNAMELEN)
			return -EBADMSG;
		/* a list holds a few sets (8 by default) */
		p = realloc(b->names, (b->nnames + 1) * sizeof(*b->names));
		if (!p)
			return -ENOMEM;
		b->names = p;
		strcpy(b->names[b->nnames++],
		       mnl_attr_get_str(tb[IPSET_ATTR_NAME]));
		return 0;
	}
	if (b->n >= IPSET_SET_ELEMS_MAX || rd->total >= IPSET_ELEMS_MAX)
		return undecided(b, "more elements than fwaudit reads");
	if (cadt & IPSET_FLAG_PHYSDEV)
		return undecided(b, "an element matches bridge ports");
	for (d = 0; d < b->s.dim; d++) {
		switch (b->s.kinds[d]) {
		case RS_IPSET_ADDR:
			/* the first address is IP/CIDR, the second
			 * IP2/CIDR2 (hash:ip,port,net, hash:net,net) */
			ret = naddr++ == 0 ?
			      elem_addr(b, tb[IPSET_ATTR_IP],
					tb[IPSET_ATTR_CIDR], &t[f]) :
			      elem_addr(b, tb[IPSET_ATTR_IP2],
					tb[IPSET_ATTR_CIDR2], &t[f]);
			if (ret < 0)
				return ret;
			f++;
			break;
		case RS_IPSET_PORT:
			if (!tb[IPSET_ATTR_PORT])
				return -EBADMSG;
			if (tb[IPSET_ATTR_PROTO]) {
				t[f].lo = t[f].hi =
					mnl_attr_get_u8(tb[IPSET_ATTR_PROTO]);
			} else if (!strncmp(b->s.type, "bitmap:", 7)) {
				/* bitmap:port keeps no protocol and matches
				 * TCP and UDP only (its ip_set_get_ip_port()):
				 * one tuple each, below */
				t[f].lo = t[f].hi = IPPROTO_TCP;
				bitmap_port = f;
			} else {
				return -EBADMSG;
			}
			f++;
			t[f].lo = t[f].hi =
				ntohs(mnl_attr_get_u16(tb[IPSET_ATTR_PORT]));
			f++;
			break;
		case RS_IPSET_IFACE:
			if (!tb[IPSET_ATTR_IFACE] ||
			    strlen(mnl_attr_get_str(tb[IPSET_ATTR_IFACE])) >=
			    RS_IFNAMSIZ)
				return -EBADMSG;
			t[f++] = rs_ifname_interval(
				mnl_attr_get_str(tb[IPSET_ATTR_IFACE]),
				cadt & IPSET_FLAG_IFACE_WILDCARD);
			break;
		}
	}
	rd->total++;
	ret = tuple_push(b, t, cadt & IPSET_FLAG_NOMATCH);
	if (ret < 0 || bitmap_port < 0)
		return ret;
	t[bitmap_port].lo = t[bitmap_port].hi = IPPROTO_UDP;
	return tuple_push(b, t, false);
}

/* A set's first message: its identity and header. */
static int set_begin(struct ipset_read *rd, const struct nlattr *const *tb)
{
	struct set_build *b;
	const char *why = NULL;
	struct attrs h;
	size_t i;
	int ret;
	void *p;

	if (!tb[IPSET_ATTR_SETNAME] || !tb[IPSET_ATTR_FAMILY] ||
	    !tb[IPSET_ATTR_DATA])
		return -EBADMSG;
	if (strlen(mnl_attr_get_str(tb[IPSET_ATTR_SETNAME])) >=
	    IPSET_MAXNAMELEN ||
	    strlen(mnl_attr_get_str(tb[IPSET_ATTR_TYPENAME])) >=
	    IPSET_MAXNAMELEN)
		return -EBADMSG;
	for (i = 0; i < rd->nsets; i++)
		if (!strcmp(rd->sets[i].s.name,
			    mnl_attr_get_str(tb[IPSET_ATTR_SETNAME])))
			return -EBADMSG;
	if (rd->nsets == IPSET_SETS_MAX)
		return -E2BIG;
	p = realloc(rd->sets, (rd->nsets + 1) * sizeof(*rd->sets));
	if (!p)
		return -ENOMEM;
	rd->sets = p;
	b = &rd->sets[rd->nsets++];
	memset(b, 0, sizeof(*b));
	b->s.decided = true;
	b->s.name = strdup(mnl_attr_get_str(tb[IPSET_ATTR_SETNAME]));
	b->s.type = strdup(mnl_attr_get_str(tb[IPSET_ATTR_TYPENAME]));
	if (!b->s.name || !b->s.type)
		return -ENOMEM;
	b->s.family = mnl_attr_get_u8(tb[IPSET_ATTR_FAMILY]);
	if (tb[IPSET_ATTR_INDEX]) {
		b->s.index = ntohs(mnl_attr_get_u16(tb[IPSET_ATTR_INDEX]));
		if (b->s.index == IPSET_INVALID_ID)
			return -EBADMSG;
		for (i = 0; i + 1 < rd->nsets; i++)
			if (rd->sets[i].s.index == b->s.index)
				return -EBADMSG;
	} else {
		b->s.index = IPSET_INVALID_ID;
		why = "the kernel (ipset protocol 6) does not tell which "
		      "rules use it";
	}
	ret = nest_parse(tb[IPSET_ATTR_DATA], head_types,
			 IPSET_ATTR_CREATE_MAX, &h);
	if (ret < 0)
		return ret;
	if (h.tb[IPSET_ATTR_NETMASK])
		b->netmask = mnl_attr_get_u8(h.tb[IPSET_ATTR_NETMASK]);
	if (!why && type_parse(b, &why) == 0) {
		/* list:set and bitmap:port hold no address: NFPROTO_UNSPEC */
		bool addr = false;
		unsigned int d;

		for (d = 0; d < b->s.dim; d++)
			addr |= b->s.kinds[d] == RS_IPSET_ADDR;
		if (addr ? b->s.family != NFPROTO_IPV4 &&
			   b->s.family != NFPROTO_IPV6 :
			   b->s.family != NFPROTO_UNSPEC)
			return -EBADMSG;
		if (b->netmask > (b->s.family == NFPROTO_IPV4 ? 32 : 128))
			return -EBADMSG;
		if (h.tb[IPSET_ATTR_BITMASK])
			why = "a bitmask that is not a prefix";
	}
	if (why)
		return undecided(b, why);
	return 0;
}

static struct set_build *set_named(struct ipset_read *rd, const char *name)
{
	/* a set's messages follow each other: only the last one goes on */
	if (!rd->nsets || strcmp(rd->sets[rd->nsets - 1].s.name, name))
		return NULL;
	return &rd->sets[rd->nsets - 1];
}

static uint16_t msg_cmd(const struct nlmsghdr *nlh)
{
	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_IPSET)
		return 0;
	return nlh->nlmsg_type & 0xff;
}

static int ipset_msg(const struct nlmsghdr *req, const struct nlmsghdr *nlh,
		     void *data)
{
	struct ipset_read *rd = data;
	const struct nlattr *const *tb;
	const struct nlattr *e;
	struct set_build *b;
	struct attrs t = { .types = cmd_types, .max = IPSET_ATTR_CMD_MAX };
	int ret;

	if (msg_cmd(req) != msg_cmd(nlh) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nfgenmsg))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, &t) < 0)
		return t.err ? t.err : -EBADMSG;
	tb = t.tb;
	switch (msg_cmd(req)) {
	case IPSET_CMD_PROTOCOL:
		if (!tb[IPSET_ATTR_PROTOCOL] || rd->protocol)
			return -EBADMSG;
		rd->protocol = mnl_attr_get_u8(tb[IPSET_ATTR_PROTOCOL]);
		return rd->protocol ? 0 : -EBADMSG;
	case IPSET_CMD_LIST:
		if (!tb[IPSET_ATTR_SETNAME])
			return -EBADMSG;
		if (tb[IPSET_ATTR_TYPENAME]) {
			ret = set_begin(rd, tb);
			if (ret < 0)
				return ret;
		}
		b = set_named(rd, mnl_attr_get_str(tb[IPSET_ATTR_SETNAME]));
		if (!b)
			return -EBADMSG;
		if (!tb[IPSET_ATTR_ADT])
			return 0;
		mnl_attr_for_each_nested(e, tb[IPSET_ATTR_ADT]) {
			if (mnl_attr_get_type(e) != IPSET_ATTR_DATA ||
			    mnl_attr_validate(e, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			ret = elem_parse(rd, b, e);
			if (ret < 0)
				return ret;
		}
		return 0;
	default:
		return -EBADMSG;
	}
}

static int ipset_done(const struct nlmsghdr *req, int err, void *data)
{
	struct ipset_read *rd = data;

	if (err == -EINTR || err == -ENOMEM)
		return err;
	if (err < 0 && !rd->error)
		rd->error = err;
	return 0;
}

/* Tuples compared by every field but the painted one, then by that one's
 * start, the wider first: a prefix before the prefixes inside it. */
struct tuple_order {
	uint8_t nfields;
	int8_t net;
};

static int iv_cmp(const struct rs_interval *a, const struct rs_interval *b)
{
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	return 0;
}

static int key_cmp(const struct tuple_order *o, const struct rs_interval *a,
		   const struct rs_interval *b)
{
	int c;
	uint8_t f;

	for (f = 0; f < o->nfields; f++) {
		if (f == o->net)
			continue;
		c = iv_cmp(&a[f], &b[f]);
		if (c)
			return c;
	}
	return 0;
}

static int tuple_cmp(const void *x, const void *y, void *ctx)
{
	const struct rs_interval *a = *(const struct rs_interval *const *)x;
	const struct rs_interval *b = *(const struct rs_interval *const *)y;
	const struct tuple_order *o = ctx;
	int c = key_cmp(o, a, b);

	if (c)
		return c;
	if (a[o->net].lo != b[o->net].lo)
		return a[o->net].lo < b[o->net].lo ? -1 : 1;
	if (a[o->net].hi != b[o->net].hi)
		return a[o->net].hi > b[o->net].hi ? -1 : 1;
	return 0;
}

static struct rs_set *rset_new(const struct set_build *b)
{
	struct rs_set *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->family = b->s.family;
	s->nfields = b->nfields;
	s->name = strdup(b->s.name);
	s->table = strdup("ipset");
	if (!s->name || !s->table) {
		rs_set_free(s);
		return NULL;
	}
	return s;
}

/* Append the tuple of key with the painted field [lo, hi] to s. */
static int rset_push(struct rs_set *s, size_t *cap,
		     const struct rs_interval *key, int8_t net, rs_u128 lo,
		     rs_u128 hi)
{
	struct rs_interval *t;
	void *p;

	if (s->nelems == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		p = realloc(s->elems, *cap * s->nfields * sizeof(*s->elems));
		if (!p)
			return -ENOMEM;
		s->elems = p;
	}
	t = &s->elems[s->nelems * s->nfields];
	memcpy(t, key, s->nfields * sizeof(*t));
	if (net >= 0) {
		t[net].lo = lo;
		t[net].hi = hi;
	}
	s->nelems++;
	return 0;
}

/* One open prefix of the painting walk: the next address of it that no
 * more specific prefix took (done: none is left). */
struct paint_open {
	const struct rs_interval *t;
	bool nomatch;
	rs_u128 next;
	bool done;
};

struct paint {
	struct rs_set *out[2];	/* [0] in, [1] nomatch */
	size_t cap[2];
	int8_t net;
};

static int paint_emit(struct paint *p, const struct paint_open *o,
		      rs_u128 hi)
{
	if (o->done || o->next > hi)
		return 0;
	return rset_push(p->out[o->nomatch], &p->cap[o->nomatch], o->t,
			 p->net, o->next, hi);
}

/* Close the open prefix o: what no inner prefix took is its label's. */
static int paint_close(struct paint *p, struct paint_open *o)
{
	return paint_emit(p, o, o->t[p->net].hi);
}

/*
 * The elements of b in the order tuple_cmp() sorts: per key, each net
 * interval's addresses go to the label of the innermost prefix holding
 * them (prefixes nest or are apart).  A stack of the open prefixes.
 */
static int set_paint(struct set_build *b, struct paint *p,
		     const struct rs_interval **order, const uint8_t *nm)
{
	struct tuple_order ord = { b->nfields, b->net };
	struct paint_open st[130];
	size_t depth = 0, i;
	int ret;

	for (i = 0; i < b->n; i++) {
		const struct rs_interval *t = order[i];
		const struct rs_interval *iv = &t[p->net];

		if (depth && key_cmp(&ord, st[0].t, t)) {
			while (depth)
				if ((ret = paint_close(p, &st[--depth])) < 0)
					return ret;
		}
		while (depth && st[depth - 1].t[p->net].hi < iv->lo)
			if ((ret = paint_close(p, &st[--depth])) < 0)
				return ret;
		if (depth) {
			struct paint_open *o = &st[depth - 1];

			/* nested (prefixes): a duplicate prefix is no
			 * set the kernel lists */
			if (o->t[p->net].lo == iv->lo &&
			    o->t[p->net].hi == iv->hi)
				return -EBADMSG;
			if (!o->done && iv->lo > o->next &&
			    (ret = paint_emit(p, o, iv->lo - 1)) < 0)
				return ret;
			if (iv->hi == ~(rs_u128)0)
				o->done = true;
			else
				o->next = iv->hi + 1;
		}
		if (depth == sizeof(st) / sizeof(st[0]))
			return -EBADMSG;
		st[depth].t = t;
		st[depth].nomatch = nm[(size_t)(t - b->t) / b->nfields];
		st[depth].next = iv->lo;
		st[depth].done = false;
		depth++;
	}
	while (depth)
		if ((ret = paint_close(p, &st[--depth])) < 0)
			return ret;
	return 0;
}

/* The set's tuples as rs_sets: in and nomatch. */
static int set_finish(struct set_build *b)
{
	struct tuple_order ord = { b->nfields, b->net };
	struct paint p = { .net = b->net };
	const struct rs_interval **order = NULL;
	size_t i, cap = 0;
	int ret = -ENOMEM;

	if (!b->s.decided || b->s.list)
		return 0;
	if (b->has_nomatch && b->nnets != 1)
		return undecided(b, "nomatch elements over two prefixes");
	p.out[0] = rset_new(b);
	p.out[1] = rset_new(b);
	if (!p.out[0] || !p.out[1])
		goto out;
	if (!b->has_nomatch) {
		for (i = 0; i < b->n; i++) {
			ret = rset_push(p.out[0], &cap, &b->t[i * b->nfields],
					-1, 0, 0);
			if (ret < 0)
				goto out;
		}
	} else {
		order = malloc(b->n * sizeof(*order));
		if (!order)
			goto out;
		for (i = 0; i < b->n; i++)
			order[i] = &b->t[i * b->nfields];
		qsort_r(order, b->n, sizeof(*order), tuple_cmp, &ord);
		ret = set_paint(b, &p, order, b->nm);
		if (ret < 0)
			goto out;
	}
	b->s.in = p.out[0];
	b->s.nomatch = p.out[1];
	p.out[0] = p.out[1] = NULL;
	ret = 0;
out:
	free(order);
	rs_set_free(p.out[0]);
	rs_set_free(p.out[1]);
	return ret;
}

/* list:set members by index, now that every set is known. */
static int list_finish(struct ipset_read *rd, struct set_build *b)
{
	size_t i, k;

	if (!b->s.decided || !b->s.list)
		return 0;
	b->s.members = calloc(b->nnames ? b->nnames : 1,
			      sizeof(*b->s.members));
	if (!b->s.members)
		return -ENOMEM;
	for (i = 0; i < b->nnames; i++) {
		for (k = 0; k < rd->nsets; k++)
			if (!strcmp(rd->sets[k].s.name, b->names[i]))
				break;
		if (k == rd->nsets || rd->sets[k].s.list)
			return -EBADMSG;
		b->s.members[b->s.nmembers++] = rd->sets[k].s.index;
	}
	return 0;
}

/* A rule that adds to or deletes from a set at run time (-j SET) makes
 * its contents the packets' doing. */
static int set_runtime(struct ipset_read *rd, const struct ruleset *rs)
{
	size_t c, r, s, k;
	unsigned int idx;
	const char *p;
	int ret;

	for (c = 0; c < rs->nchains; c++) {
		const struct rs_chain *ch = &rs->chains[c];

		for (r = 0; r < ch->nrules; r++) {
			const struct rs_rule *ru = &ch->rules[r];

			for (s = 0; s < ru->nstmts; s++) {
				if (strcmp(ru->stmts[s].name, "SET") ||
				    !ru->stmts[s].text)
					continue;
				for (p = ru->stmts[s].text;
				     (p = strstr(p, "-set index ")); p++) {
					if (sscanf(p, "-set index %u",
						   &idx) != 1)
						continue;
					for (k = 0; k < rd->nsets; k++) {
						if (rd->sets[k].s.index != idx)
							continue;
						ret = undecided(&rd->sets[k],
							"a -j SET rule adds to "
							"or deletes from it "
							"as packets arrive");
						if (ret < 0)
							return ret;
					}
				}
			}
		}
	}
	return 0;
}

/* The sets of one read into rs, with their notes. */
static int ipset_set(struct ipset_read *rd, struct ruleset *rs)
{
	struct rs_ipset *arr;
	size_t i;
	int ret;

	if (rd->error)
		return ruleset_note(rs, "ipset: the sets could not be read "
				    "(%s): their matches stay undecided",
				    strerror(-rd->error));
	/* a pass over every rule: only where there is a set to mark
	 * (kube-10000: 9 % of fwauditd's CPU per audit for no set) */
	ret = rd->nsets ? set_runtime(rd, rs) : 0;
	for (i = 0; !ret && i < rd->nsets; i++)
		ret = set_finish(&rd->sets[i]);
	for (i = 0; !ret && i < rd->nsets; i++)
		ret = list_finish(rd, &rd->sets[i]);
	if (ret < 0)
		return ret;
	if (!rd->nsets)
		return 0;
	arr = calloc(rd->nsets, sizeof(*arr));
	if (!arr)
		return -ENOMEM;
	for (i = 0; i < rd->nsets; i++) {
		struct rs_ipset *s = &rd->sets[i].s;

		if (!s->decided)
			ret = ruleset_note(rs, "ipset %s (%s): its matches stay "
					   "undecided: %s", s->name, s->type,
					   s->why);
		else if (s->timeouts)
			ret = ruleset_note(rs, "ipset %s (%s): elements with a "
					   "timeout are decided as they are "
					   "now", s->name, s->type);
		if (ret < 0) {
			rs_ipsets_free(arr, i);
			return ret;
		}
		arr[i] = *s;
		memset(s, 0, sizeof(*s));
	}
	rs_ipsets_free(rs->ipsets, rs->nipsets);
	rs->ipsets = arr;
	rs->nipsets = rd->nsets;
	return 0;
}

static struct nlmsghdr *ipset_req(char *buf, uint8_t cmd, uint8_t protocol)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *g;

	memset(buf, 0, IPSET_REQ_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_IPSET << 8) | cmd;
	/* IPSET_CMD_PROTOCOL is no dump: its ACK ends the answer */
	nlh->nlmsg_flags = NLM_F_REQUEST;
	if (cmd == IPSET_CMD_PROTOCOL)
		nlh->nlmsg_flags |= NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = NFPROTO_IPV4;
	g->version = NFNETLINK_V0;
	mnl_attr_put_u8(nlh, IPSET_ATTR_PROTOCOL, protocol);
	return nlh;
}

static int ipset_read_once(struct mnl_socket *nl, struct ipset_read *rd,
			   FILE *rec)
{
	struct nld_handler hd = { ipset_msg, ipset_done, rd };
	char buf[IPSET_REQ_MAX];
	uint8_t proto;
	int ret;

	ret = nld_dump(nl, ipset_req(buf, IPSET_CMD_PROTOCOL,
				     IPSET_PROTOCOL_MIN), &hd, rec);
	if (ret < 0 || rd->error)
		return ret;
	if (rd->protocol < IPSET_PROTOCOL_MIN) {
		rd->error = -EPROTO;
		return 0;
	}
	proto = rd->protocol < IPSET_PROTOCOL ? rd->protocol : IPSET_PROTOCOL;
	return nld_dump(nl, ipset_req(buf, IPSET_CMD_LIST, proto), &hd, rec);
}

int ipset_dump_ruleset(struct ruleset *rs)
{
	struct ipset_read rd = { 0 };
	struct mnl_socket *nl = NULL;
	char *mem = NULL;
	size_t memlen = 0;
	unsigned int attempt;
	FILE *buf = NULL, *rec = NULL;
	int ret;

	if (access(IPSET_MODULE_PATH, F_OK) < 0)
		return 0;
	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rd.error = -errno;
		ret = ipset_set(&rd, rs);
		goto out;
	}
	ret = -EINTR;
	for (attempt = 0; attempt < NLD_INTR_RETRIES && ret == -EINTR;
	     attempt++) {
		read_release(&rd);
		memset(&rd, 0, sizeof(rd));
		if (buf)
			fclose(buf);
		free(mem);
		mem = NULL;
		/* in memory first: recorded only where there are sets */
		buf = open_memstream(&mem, &memlen);
		if (!buf) {
			ret = -ENOMEM;
			goto out;
		}
		ret = ipset_read_once(nl, &rd, buf);
	}
	if (ret == -ENOMEM)
		goto out;
	if (ret < 0 && !rd.error)
		rd.error = ret;
	if (fclose(buf) != 0) {
		buf = NULL;
		ret = -ENOMEM;
		goto out;
	}
	buf = NULL;
	if (rd.error == -EPERM || rd.error == -EACCES || rd.nsets) {
		ret = nld_record_open(IPSET_RECORD_ENV, &rec);
		if (ret < 0)
			goto out;
		if (rec && ((memlen && fwrite(mem, memlen, 1, rec) != 1) ||
			    fclose(rec) != 0)) {
			rec = NULL;
			ret = -EIO;
			goto out;
		}
		rec = NULL;
	}
	/* a namespace without sets has nothing to say; neither has a
	 * kernel where the module went away */
	if (!rd.nsets && rd.error != -EPERM && rd.error != -EACCES)
		rd.error = 0;
	ret = ipset_set(&rd, rs);
out:
	if (buf)
		fclose(buf);
	free(mem);
	read_release(&rd);
	if (nl)
		mnl_socket_close(nl);
	return ret;
}

int ipset_replay_buf(struct ruleset *rs, const void *buf, size_t len)
{
	struct ipset_read rd = { 0 };
	struct nld_handler hd = { ipset_msg, ipset_done, &rd };
	int ret;

	ret = nld_replay_buf(buf, len, &hd);
	if (ret < 0) {
		read_release(&rd);
		return ret == -ENOMEM ? ret : -EBADMSG;
	}
	ret = ipset_set(&rd, rs);
	read_release(&rd);
	return ret;
}

static int ipset_index_cmp(const void *a, const void *b)
{
	const struct rs_ipset *const *x = a, *const *y = b;

	return (*x)->index < (*y)->index ? -1 : (*x)->index > (*y)->index;
}

int ipset_placeholder_script(const struct rs_ipset *sets, size_t nsets,
			     char **out, size_t *outlen)
{
	const struct rs_ipset **by = NULL;
	char *text = NULL;
	size_t n = 0, i;
	unsigned int next = 0, k;
	FILE *f = NULL;
	int ret = -ENOMEM;

	by = calloc(nsets ? nsets : 1, sizeof(*by));
	if (!by)
		goto out;
	f = open_memstream(&text, &n);
	if (!f)
		goto out;
	for (i = 0; i < nsets; i++)
		by[i] = &sets[i];
	if (nsets)
		qsort(by, nsets, sizeof(*by), ipset_index_cmp);
	for (i = 0; i < nsets; i++) {
		const struct rs_ipset *s = by[i];

		if (s->index == IPSET_INVALID_ID)
			continue;	/* protocol 6: no index */
		for (; next < s->index; next++)
			fprintf(f, "create fwaudit-gap-%u hash:ip\n", next);
		next = s->index + 1u;
		/* names are the kernel's (IPSET_MAXNAMELEN, NUL-ended):
		 * ipset restore takes any but blanks */
		if (strpbrk(s->name, " \t\n\"'")) {
			ret = -EBADMSG;
			goto out;
		}
		if (s->list)
			fprintf(f, "create %s list:set\n", s->name);
		else
			fprintf(f, "create %s hash:ip family %s\n", s->name,
				s->family == NFPROTO_IPV6 ? "inet6" : "inet");
	}
	for (k = 0; k < next; k++) {
		for (i = 0; i < nsets; i++)
			if (sets[i].index == k)
				break;
		if (i == nsets)
			fprintf(f, "destroy fwaudit-gap-%u\n", k);
	}
	if (fclose(f) != 0) {
		f = NULL;
		goto out;
	}
	f = NULL;
	*out = text;
	*outlen = n;
	text = NULL;
	ret = 0;
out:
	if (f)
		fclose(f);
	free(text);
	free(by);
	return ret;
}

int ipset_restore_script(const void *buf, size_t len, char **out,
			 size_t *outlen)
{
	struct ruleset *rs = ruleset_new();
	int ret;

	if (!rs)
		return -ENOMEM;
	ret = ipset_replay_buf(rs, buf, len);
	if (!ret)
		ret = ipset_placeholder_script(rs->ipsets, rs->nipsets, out,
					       outlen);
	ruleset_free(rs);
	return ret;
}
