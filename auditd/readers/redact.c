// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * redact.c - a snapshot document redacted (redact.h, doc/snapshot.md).
 *
 * Two walks over everything the document holds: the first only finds the
 * bounds of ranges that are not prefixes and pins the paths above them,
 * the second maps.  Every address must be mapped with every pin known,
 * or two places would disagree.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/if_addr.h>
#include <linux/inet_diag.h>
#include <linux/neighbour.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "base64.h"
#include "docker.h"
#include "ebtleg.h"
#include "nldump.h"
#include "redact.h"
#include "sha256.h"
#include "strbuf.h"
#include "util.h"

#define REDACT_PINS_MAX		(1u << 20)
#define REDACT_NOTES_MAX	64	/* kept bounds named in the notes */
#define REDACT_SETS_MAX		(1u << 20)
#define REDACT_BLOB_MAX		(256u << 20)
#define REDACT_MEMO_MAX		(1u << 18)	/* addresses remembered */

/* a node of the address tree that is never flipped: the path above
 * a[0..plen) (depths 0..plen-1), and with inside everything below it */
struct pin {
	uint8_t fam;		/* 4 or 6 */
	uint8_t plen;
	bool inside;
	uint8_t a[16];
};

/* an element of an interval set, paired with its neighbour at the end */
struct ielem {
	uint8_t *key;
	bool end;
};

struct nset {
	uint8_t family;
	char table[NFT_TABLE_MAXNAMELEN];
	char name[NFT_SET_MAXNAMELEN];
	uint32_t flags, ktype, klen, dtype, dlen;
	uint8_t nfield, flen[NFT_REG32_COUNT];
	struct ielem *el;
	size_t nel, elcap;
};

/* an address already mapped: the same address is in a rule, its text and
 * its set elements, and each map costs one SHA-256 per bit */
struct memo {
	uint8_t fam;		/* 0: empty */
	uint8_t in[16], out[16];
};

struct names {
	char **from, **to;
	size_t n;
};

struct redact {
	uint8_t key[REDACT_KEY_SIZE];
	struct pin *pins;
	size_t npins, pincap;
	bool apply;		/* second walk: map (first: pin) */
	struct nset *sets;
	size_t nsets, setcap;
	char *err;
	size_t errlen;
	json_t *kept;		/* bounds kept as they are, for the notes */
	size_t nkept;
	struct names comms, containers, images;
	struct memo *memo;	/* a cache of map_addr(), emptied by pins */
	size_t memocap, memon;
};

static int fail(struct redact *r, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct redact *r, int ret, const char *fmt, ...)
{
	va_list ap;

	if (r->err && r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* ---- the address map ---- */

static unsigned int fam_len(int fam)
{
	return fam == 6 ? 16 : 4;
}

static bool bit(const uint8_t *a, unsigned int i)
{
	return a[i / 8] >> (7 - i % 8) & 1;
}

static unsigned int common_bits(const uint8_t *a, const uint8_t *b,
				unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < bits; i++)
		if (bit(a, i) != bit(b, i))
			break;
	return i;
}

static int pin_add(struct redact *r, int fam, const uint8_t *a,
		   unsigned int plen, bool inside)
{
	struct pin *p;
	size_t i;

	/* a new pin may change what any address maps to */
	if (r->memon) {
		memset(r->memo, 0, r->memocap * sizeof(*r->memo));
		r->memon = 0;
	}
	for (i = 0; i < r->npins; i++) {
		p = &r->pins[i];
		if (p->fam == fam && p->plen == plen && p->inside == inside &&
		    !memcmp(p->a, a, fam_len(fam)))
			return 0;
	}
	if (r->npins == REDACT_PINS_MAX)
		return fail(r, -E2BIG, "more than %u ranges that are not "
			    "prefixes", REDACT_PINS_MAX);
	if (r->npins == r->pincap) {
		size_t cap = r->pincap ? r->pincap * 2 : 64;

		p = realloc(r->pins, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		r->pins = p;
		r->pincap = cap;
	}
	p = &r->pins[r->npins++];
	memset(p, 0, sizeof(*p));
	p->fam = (uint8_t)fam;
	p->plen = (uint8_t)plen;
	p->inside = inside;
	memcpy(p->a, a, fam_len(fam));
	return 0;
}

/* How many of the first bits of a are never flipped. */
static unsigned int pinned_depth(const struct redact *r, int fam,
				 const uint8_t *a)
{
	unsigned int bits = fam_len(fam) * 8, t = 0, c, d;
	size_t i;

	for (i = 0; i < r->npins && t < bits; i++) {
		const struct pin *p = &r->pins[i];

		if (p->fam != fam)
			continue;
		c = common_bits(a, p->a, bits);
		if (p->inside && c >= p->plen)
			return bits;
		d = c + 1 < p->plen ? c + 1 : p->plen;
		if (d > t)
			t = d;
	}
	return t;
}

/* The keyed flip of bit depth of an address whose first depth bits are
 * those of a. */
static bool flip(const struct redact *r, int fam, const uint8_t *a,
		 unsigned int depth)
{
	uint8_t in[REDACT_KEY_SIZE + 2 + 16] = { 0 }, out[SHA256_DIGEST_SIZE];
	unsigned int i;

	memcpy(in, r->key, REDACT_KEY_SIZE);
	in[REDACT_KEY_SIZE] = (uint8_t)fam;
	in[REDACT_KEY_SIZE + 1] = (uint8_t)depth;
	for (i = 0; i < depth; i++)
		if (bit(a, i))
			in[REDACT_KEY_SIZE + 2 + i / 8] |= 0x80 >> (i % 8);
	sha256(in, sizeof(in), out);
	return out[0] & 1;
}

static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

static size_t memo_slot(const struct memo *m, size_t cap, int fam,
			const uint8_t *a)
{
	uint64_t h = 14695981039346656037ull ^ (uint64_t)fam;
	size_t i;

	for (i = 0; i < fam_len(fam); i++)
		h = (h ^ a[i]) * 1099511628211ull;
	for (i = (size_t)h & (cap - 1); m[i].fam; i = (i + 1) & (cap - 1))
		if (m[i].fam == fam && !memcmp(m[i].in, a, fam_len(fam)))
			break;
	return i;
}

/* Remember in -> out; a full cache (or no memory) just remembers less. */
static void memo_put(struct redact *r, int fam, const uint8_t *in,
		     const uint8_t *out)
{
	struct memo *m;
	size_t i, cap;

	if (r->memon * 2 >= r->memocap) {
		if (r->memocap >= REDACT_MEMO_MAX)
			return;
		cap = r->memocap ? r->memocap * 2 : 1024;
		m = calloc(cap, sizeof(*m));
		if (!m)
			return;
		for (i = 0; i < r->memocap; i++)
			if (r->memo[i].fam)
				m[memo_slot(m, cap, r->memo[i].fam,
					    r->memo[i].in)] = r->memo[i];
		free(r->memo);
		r->memo = m;
		r->memocap = cap;
	}
	i = memo_slot(r->memo, r->memocap, fam, in);
	if (r->memo[i].fam)
		return;
	r->memo[i].fam = (uint8_t)fam;
	memcpy(r->memo[i].in, in, fam_len(fam));
	memcpy(r->memo[i].out, out, fam_len(fam));
	r->memon++;
}

static void map_addr(const struct redact *cr, int fam, const uint8_t *in,
		     uint8_t *out)
{
	/* the cache is not part of the map: a const map may fill it */
	struct redact *r = (struct redact *)cr;
	unsigned int bits = fam_len(fam) * 8, i, t;
	uint8_t a[16];

	memcpy(a, in, fam_len(fam));
	if (r->memocap) {
		i = (unsigned int)memo_slot(r->memo, r->memocap, fam, a);
		if (r->memo[i].fam) {
			memcpy(out, r->memo[i].out, fam_len(fam));
			return;
		}
	}
	/* ::ffff:a.b.c.d is an IPv4 address: mapped as one */
	if (fam == 6 && !memcmp(a, v4mapped, 12)) {
		map_addr(r, 4, in + 12, out + 12);
		memcpy(out, v4mapped, 12);
		return;
	}
	t = pinned_depth(r, fam, a);
	memcpy(out, a, fam_len(fam));
	for (i = t; i < bits; i++)
		if (flip(r, fam, a, i))
			out[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
	memo_put(r, fam, a, out);
}

static void zero_from(uint8_t *a, unsigned int from, unsigned int bits)
{
	unsigned int i;

	for (i = from; i < bits; i++)
		a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

static void map_prefix(const struct redact *r, int fam, const uint8_t *in,
		       unsigned int plen, uint8_t *out)
{
	map_addr(r, fam, in, out);
	zero_from(out, plen, fam_len(fam) * 8);
}

/* The blocks that keep their class: those kept as they are (inside), and
 * those whose members stay members (the path above them). */
static int pin_builtin(struct redact *r)
{
	static const struct {
		int fam;
		const char *a;
		unsigned int plen;
		bool inside;
	} b[] = {
		{ 4, "0.0.0.0", 8, true },
		{ 4, "10.0.0.0", 8, false },
		{ 4, "100.64.0.0", 10, false },
		{ 4, "127.0.0.0", 8, true },
		{ 4, "169.254.0.0", 16, true },
		{ 4, "172.16.0.0", 12, false },
		{ 4, "192.0.0.0", 24, true },
		{ 4, "192.0.2.0", 24, true },
		{ 4, "192.168.0.0", 16, false },
		{ 4, "198.18.0.0", 15, false },
		{ 4, "198.51.100.0", 24, true },
		{ 4, "203.0.113.0", 24, true },
		{ 4, "224.0.0.0", 4, true },
		{ 4, "240.0.0.0", 4, true },
		{ 6, "::", 128, true },
		{ 6, "::1", 128, true },
		{ 6, "::ffff:0.0.0.0", 96, false },
		{ 6, "64:ff9b::", 96, false },
		{ 6, "2001:db8::", 32, true },
		{ 6, "2002::", 16, false },
		{ 6, "fc00::", 7, false },
		{ 6, "fe80::", 10, true },
		{ 6, "ff00::", 8, true },
	};
	uint8_t a[16];
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(b); i++) {
		if (inet_pton(b[i].fam == 6 ? AF_INET6 : AF_INET, b[i].a,
			      a) != 1)
			return -EINVAL;
		ret = pin_add(r, b[i].fam, a, b[i].plen, b[i].inside);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int redact_new(const uint8_t *key, struct redact **out)
{
	struct redact *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	memcpy(r->key, key, REDACT_KEY_SIZE);
	r->kept = json_array();
	ret = r->kept ? pin_builtin(r) : -ENOMEM;
	if (ret < 0) {
		redact_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

static void names_release(struct names *n)
{
	size_t i;

	for (i = 0; i < n->n; i++) {
		free(n->from[i]);
		free(n->to[i]);
	}
	free(n->from);
	free(n->to);
}

void redact_free(struct redact *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nsets; i++)
		free(r->sets[i].el);
	free(r->sets);
	free(r->pins);
	free(r->memo);
	json_decref(r->kept);
	names_release(&r->comms);
	names_release(&r->containers);
	names_release(&r->images);
	free(r);
}

/* ---- sites: where an address is, and how it is compared ---- */

static void addr_str(int fam, const uint8_t *a, char *buf, size_t len)
{
	if (!inet_ntop(fam == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

/* A whole address (a host's, a socket's, a NAT target). */
static void site_addr(struct redact *r, int fam, uint8_t *p)
{
	if (r->apply)
		map_addr(r, fam, p, p);
}

static void site_prefix(struct redact *r, int fam, uint8_t *p,
			unsigned int plen)
{
	if (plen > fam_len(fam) * 8)
		plen = fam_len(fam) * 8;
	if (r->apply)
		map_prefix(r, fam, p, plen, p);
}

/* The length of the prefix mask m[0..n), or -1 when it is not one. */
static int mask_len(const uint8_t *m, unsigned int n)
{
	unsigned int i, len = 0;
	bool zero = false;

	for (i = 0; i < n * 8; i++) {
		if (bit(m, i)) {
			if (zero)
				return -1;
			len++;
		} else {
			zero = true;
		}
	}
	return (int)len;
}

/* The first n bytes of an address, compared under mask (NULL: all). */
static int site_part(struct redact *r, int fam, uint8_t *p, unsigned int n,
		     const uint8_t *mask, const char *what)
{
	uint8_t a[16] = { 0 }, o[16];
	unsigned int j;
	int plen = mask ? mask_len(mask, n) : (int)n * 8;

	if (plen < 0)
		return fail(r, -EINVAL, "%s: an address compared under a mask "
			    "that is not a prefix cannot be redacted without "
			    "changing what it matches", what);
	if (!r->apply)
		return 0;
	memcpy(a, p, n);
	map_prefix(r, fam, a, (unsigned int)plen, o);
	for (j = 0; j < n; j++)
		p[j] = mask ? o[j] & mask[j] : o[j];
	return 0;
}

static void add1(uint8_t *a, unsigned int n, int d)
{
	unsigned int i;

	for (i = n; i-- > 0;) {
		unsigned int v = a[i] + (unsigned int)(d > 0 ? 1 : 0xff);

		a[i] = (uint8_t)v;
		if (d > 0 ? a[i] != 0 : a[i] != 0xff)
			return;
	}
}

static void kept_note(struct redact *r, int fam, const uint8_t *a,
		      unsigned int n)
{
	char buf[INET6_ADDRSTRLEN];
	uint8_t x[16] = { 0 };

	json_t *v;
	size_t i;

	memcpy(x, a, n);
	addr_str(fam, x, buf, sizeof(buf));
	json_array_foreach(r->kept, i, v)
		if (!strcmp(json_string_value(v), buf))
			return;
	r->nkept++;
	if (json_array_size(r->kept) < REDACT_NOTES_MAX)
		json_array_append_new(r->kept, json_string(buf));
}

/*
 * The range [lo, hi] of the first n bytes of an address (hi one past the
 * end when excl: an nft interval's end; all zero then means the end of the
 * space).  A prefix maps as one; any other range keeps its bounds, with
 * the paths above them pinned, so that it holds the same addresses after
 * the map as before.
 */
static int site_range(struct redact *r, int fam, uint8_t *lo, uint8_t *hi,
		      unsigned int n, bool excl)
{
	uint8_t h[16] = { 0 }, x[16], a[16] = { 0 }, o[16];
	unsigned int bits = n * 8, j;
	int plen, ret;

	memcpy(h, hi, n);
	if (excl)
		add1(h, n, -1);	/* 0 - 1: all ones, the top of the space */
	for (j = 0; j < n; j++)
		x[j] = lo[j] ^ h[j];
	/* a prefix: lo's host part zero, hi's all ones */
	plen = -1;
	for (j = 0; j <= bits; j++) {
		unsigned int i;
		bool ok = true;

		for (i = 0; i < bits && ok; i++)
			ok = i < j ? !bit(x, i) : bit(x, i) && !bit(lo, i);
		if (ok) {
			plen = (int)j;
			break;
		}
	}
	if (plen >= 0) {
		if (!r->apply)
			return 0;
		memcpy(a, lo, n);
		map_prefix(r, fam, a, (unsigned int)plen, o);
		memcpy(lo, o, n);
		for (j = (unsigned int)plen; j < bits; j++)
			o[j / 8] |= (uint8_t)(0x80 >> (j % 8));
		if (excl)
			add1(o, n, 1);
		memcpy(hi, o, n);
		return 0;
	}
	if (r->apply)
		return 0;
	memcpy(a, lo, n);
	ret = pin_add(r, fam, a, bits, false);
	if (ret < 0)
		return ret;
	kept_note(r, fam, lo, n);
	memset(a, 0, sizeof(a));
	memcpy(a, h, n);
	ret = pin_add(r, fam, a, bits, false);
	if (ret < 0)
		return ret;
	kept_note(r, fam, h, n);
	return 0;
}

/* ---- netlink helpers ---- */

static const struct nlattr *nest_get(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static bool get_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a || mnl_attr_get_payload_len(a) < 4)
		return false;
	*v = ntohl(mnl_attr_get_u32(a));
	return true;
}

static bool get_str(const struct nlattr *a, char *buf, size_t len)
{
	size_t n;

	if (!a)
		return false;
	n = mnl_attr_get_payload_len(a);
	if (!n || n > len || strnlen(mnl_attr_get_payload(a), n) == n)
		return false;
	memcpy(buf, mnl_attr_get_payload(a), n);
	return true;
}

/* The NFTA_DATA_VALUE bytes of a nested nft_data. */
static uint8_t *data_value(const struct nlattr *nest, size_t *len)
{
	const struct nlattr *v = nest ? nest_get(nest, NFTA_DATA_VALUE) : NULL;

	if (!v)
		return NULL;
	*len = mnl_attr_get_payload_len(v);
	return mnl_attr_get_payload(v);
}

/* ---- nftables: sets ---- */

static int fam_of_nfproto(unsigned int f)
{
	return f == NFPROTO_IPV4 ? 4 : f == NFPROTO_IPV6 ? 6 : 0;
}

static struct nset *set_find(struct redact *r, uint8_t family,
			     const char *table, const char *name)
{
	size_t i;

	for (i = 0; i < r->nsets; i++)
		if (r->sets[i].family == family &&
		    !strcmp(r->sets[i].table, table) &&
		    !strcmp(r->sets[i].name, name))
			return &r->sets[i];
	return NULL;
}

static int set_add(struct redact *r, const struct nlmsghdr *nlh)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *tb[NFTA_SET_MAX + 1] = { NULL };
	struct nset s, *ns;

	memset(&s, 0, sizeof(s));
	mnl_attr_for_each(a, nlh, sizeof(*g))
		if (mnl_attr_get_type(a) <= NFTA_SET_MAX)
			tb[mnl_attr_get_type(a)] = a;
	s.family = g->nfgen_family;
	if (!get_str(tb[NFTA_SET_TABLE], s.table, sizeof(s.table)) ||
	    !get_str(tb[NFTA_SET_NAME], s.name, sizeof(s.name)))
		return 0;	/* the reader refuses it; nothing to map */
	get_u32(tb[NFTA_SET_FLAGS], &s.flags);
	get_u32(tb[NFTA_SET_KEY_TYPE], &s.ktype);
	get_u32(tb[NFTA_SET_KEY_LEN], &s.klen);
	get_u32(tb[NFTA_SET_DATA_TYPE], &s.dtype);
	get_u32(tb[NFTA_SET_DATA_LEN], &s.dlen);
	if (tb[NFTA_SET_DESC]) {
		const struct nlattr *c = nest_get(tb[NFTA_SET_DESC],
						  NFTA_SET_DESC_CONCAT), *e;

		if (c)
			mnl_attr_for_each_nested(e, c) {
				uint32_t l;

				if (s.nfield == NFT_REG32_COUNT ||
				    !get_u32(nest_get(e, NFTA_SET_FIELD_LEN),
					     &l) || l > 255)
					return fail(r, -EBADMSG, "set %s: a bad "
						    "concatenation", s.name);
				s.flen[s.nfield++] = (uint8_t)l;
			}
	}
	if (set_find(r, s.family, s.table, s.name))
		return 0;
	if (r->nsets == REDACT_SETS_MAX)
		return fail(r, -E2BIG, "more than %u sets", REDACT_SETS_MAX);
	if (r->nsets == r->setcap) {
		size_t cap = r->setcap ? r->setcap * 2 : 16;

		ns = realloc(r->sets, cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		r->sets = ns;
		r->setcap = cap;
	}
	r->sets[r->nsets++] = s;
	return 0;
}

/* nftables' datatypes (src/datatype.h) with a fixed length */
static unsigned int type_len(unsigned int t)
{
	switch (t) {
	case 7:  return 4;	/* ipv4_addr */
	case 8:  return 16;	/* ipv6_addr */
	case 9:  return 6;	/* ether_addr */
	case 10: return 2;	/* ether_type */
	case 2: case 12: case 31: case 36: case 37:
		 return 1;	/* nfproto, inet_proto, pkttype, dscp, ecn */
	case 13: return 2;	/* inet_service */
	case 19: case 20: case 22: case 23: case 24: case 25: case 26:
	case 28: case 35:
		 return 4;	/* mark, ifindex, realm, classid, uid, gid,
				 * ct_state, ct_status, devgroup */
	case 41: return 16;	/* ifname */
	default: return 0;
	}
}

struct layout {
	unsigned int n;
	uint8_t fam[NFT_REG32_COUNT];	/* 0: not an address */
	unsigned int off[NFT_REG32_COUNT], len[NFT_REG32_COUNT];
	unsigned int total;
};

/*
 * Where the addresses are in a key (or data) of type type, length len:
 * 0, or a negative errno when an address is there but cannot be placed.
 */
static int set_layout(struct redact *r, const struct nset *s, bool data,
		      struct layout *l)
{
	uint32_t type = data ? s->dtype : s->ktype;
	uint32_t len = data ? s->dlen : s->klen;
	uint8_t types[NFT_REG32_COUNT];
	unsigned int n = 0, i;
	bool addr = false;

	memset(l, 0, sizeof(*l));
	if (data && !(s->flags & NFT_SET_MAP))
		return 0;
	if (type < 64) {
		l->n = 1;
		l->len[0] = len;
		l->total = len;
		if ((type == 7 && len == 4) || (type == 8 && len == 16))
			l->fam[0] = type == 7 ? 4 : 6;
		else if (type == 7 || type == 8)
			return fail(r, -EINVAL, "set %s: an address key of %u "
				    "bytes", s->name, len);
		return 0;
	}
	/* a concatenation: the first type in the highest six bits */
	while (type && n < NFT_REG32_COUNT) {
		types[n++] = type & 63;
		type >>= 6;
	}
	if (type)
		return fail(r, -EINVAL, "set %s: a concatenation too long",
			    s->name);
	for (i = 0; i < n; i++)
		addr |= types[i] == 7 || types[i] == 8;
	if (!addr)
		return 0;
	l->n = n;
	for (i = 0; i < n; i++) {
		unsigned int t = types[n - 1 - i], tl;

		tl = !data && s->nfield == n ? s->flen[i] : type_len(t);
		if (!tl)
			return fail(r, -EINVAL, "set %s: a concatenation with "
				    "an address and a part of unknown length "
				    "(type %u)", s->name, t);
		l->off[i] = l->total;
		l->len[i] = tl;
		l->fam[i] = t == 7 ? 4 : t == 8 ? 6 : 0;
		if (l->fam[i] && tl != fam_len(l->fam[i]))
			return fail(r, -EINVAL, "set %s: an address of %u "
				    "bytes", s->name, tl);
		l->total += (tl + 3) & ~3u;
	}
	return 0;
}

static bool layout_has_addr(const struct layout *l)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (l->fam[i])
			return true;
	return false;
}

static int map_value(struct redact *r, const struct nset *s,
		     const struct layout *l, uint8_t *v, size_t len)
{
	unsigned int i;

	if (!layout_has_addr(l))
		return 0;
	if (len != l->total)
		return fail(r, -EINVAL, "set %s: an element of %zu bytes, not "
			    "%u", s->name, len, l->total);
	for (i = 0; i < l->n; i++)
		if (l->fam[i])
			site_addr(r, l->fam[i], v + l->off[i]);
	return 0;
}

static int ielem_add(struct nset *s, uint8_t *key, bool end)
{
	if (s->nel == s->elcap) {
		size_t cap = s->elcap ? s->elcap * 2 : 16;
		struct ielem *e = realloc(s->el, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		s->el = e;
		s->elcap = cap;
	}
	s->el[s->nel].key = key;
	s->el[s->nel].end = end;
	s->nel++;
	return 0;
}

static int elems(struct redact *r, const struct nlmsghdr *nlh)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *tb[NFTA_SET_ELEM_LIST_MAX + 1] = { NULL }, *e;
	char table[NFT_TABLE_MAXNAMELEN], name[NFT_SET_MAXNAMELEN];
	struct layout kl, dl;
	struct nset *s;
	int ret;

	mnl_attr_for_each(a, nlh, sizeof(*g))
		if (mnl_attr_get_type(a) <= NFTA_SET_ELEM_LIST_MAX)
			tb[mnl_attr_get_type(a)] = a;
	if (!get_str(tb[NFTA_SET_ELEM_LIST_TABLE], table, sizeof(table)) ||
	    !get_str(tb[NFTA_SET_ELEM_LIST_SET], name, sizeof(name)) ||
	    !tb[NFTA_SET_ELEM_LIST_ELEMENTS])
		return 0;
	s = set_find(r, g->nfgen_family, table, name);
	if (!s)
		return 0;	/* no such set: the reader refuses it */
	ret = set_layout(r, s, false, &kl);
	if (!ret)
		ret = set_layout(r, s, true, &dl);
	if (ret < 0)
		return ret;
	mnl_attr_for_each_nested(e, tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
		const struct nlattr *k = nest_get(e, NFTA_SET_ELEM_KEY);
		const struct nlattr *ke = nest_get(e, NFTA_SET_ELEM_KEY_END);
		const struct nlattr *d = nest_get(e, NFTA_SET_ELEM_DATA);
		uint32_t flags = 0;
		uint8_t *kv, *kev, *dv;
		size_t klen = 0, kelen = 0, dlen = 0;
		unsigned int i;

		get_u32(nest_get(e, NFTA_SET_ELEM_FLAGS), &flags);
		kv = data_value(k, &klen);
		kev = data_value(ke, &kelen);
		dv = data_value(d, &dlen);
		if (dv) {
			ret = map_value(r, s, &dl, dv, dlen);
			if (ret < 0)
				return ret;
		}
		if (!kv || !layout_has_addr(&kl))
			continue;
		if (klen != kl.total)
			return fail(r, -EINVAL, "set %s: an element of %zu "
				    "bytes, not %u", s->name, klen, kl.total);
		if (kev) {
			/* pipapo: each part a range of its own */
			if (kelen != klen)
				return fail(r, -EINVAL, "set %s: an element's "
					    "end of another length", s->name);
			for (i = 0; i < kl.n; i++) {
				if (!kl.fam[i])
					continue;
				ret = site_range(r, kl.fam[i], kv + kl.off[i],
						 kev + kl.off[i], kl.len[i],
						 false);
				if (ret < 0)
					return ret;
			}
		} else if (s->flags & NFT_SET_INTERVAL) {
			if (kl.n != 1)
				return fail(r, -EINVAL, "set %s: an interval "
					    "of a concatenation without its "
					    "end", s->name);
			ret = ielem_add(s, kv, flags & NFT_SET_ELEM_INTERVAL_END);
			if (ret < 0)
				return ret;
		} else {
			ret = map_value(r, s, &kl, kv, klen);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static size_t sort_len;

static int ielem_cmp(const void *x, const void *y)
{
	const struct ielem *a = x, *b = y;
	int c = memcmp(a->key, b->key, sort_len);

	if (c)
		return c;
	return a->end == b->end ? 0 : a->end ? -1 : 1;
}

/* The intervals of an rbtree set: its elements in order, each start with
 * the end after it (none: to the top of the space). */
static int intervals(struct redact *r, struct nset *s)
{
	uint8_t top[16];
	size_t i;
	int fam = s->ktype == 7 ? 4 : 6, ret;

	if (!s->nel)
		return 0;
	sort_len = fam_len(fam);
	qsort(s->el, s->nel, sizeof(*s->el), ielem_cmp);
	for (i = 0; i < s->nel; i++) {
		if (s->el[i].end)
			continue;
		if (i + 1 < s->nel && s->el[i + 1].end) {
			ret = site_range(r, fam, s->el[i].key,
					 s->el[i + 1].key, fam_len(fam), true);
			i++;
		} else {
			memset(top, 0, sizeof(top));
			ret = site_range(r, fam, s->el[i].key, top,
					 fam_len(fam), true);
		}
		if (ret < 0)
			return ret;
	}
	s->nel = 0;
	return 0;
}

/* ---- nftables: rules, on their register machine ---- */

enum {
	RB_ADDR		= 1 << 0,	/* byte idx of an address (fam) */
	RB_AMBIG	= 1 << 1,	/* maybe an address, family unknown */
	RB_BAD		= 1 << 2,	/* an address shifted: no meaning left */
	RB_NFPROTO	= 1 << 3,	/* meta nfproto */
	RB_ETHERTYPE	= 1 << 4,	/* meta protocol */
};

struct rbyte {
	uint8_t flags, fam, idx, mask;
	uint16_t field;			/* which address it belongs to */
	uint8_t *imm;			/* the immediate's byte it holds */
};

struct regs {
	struct rbyte b[NFT_REG32_COUNT * 4];
	int ctx;			/* 4, 6, or 0: the rule's family */
	uint16_t nfield;
	uint8_t family;
	const char *table;
};

static int reg_off(const struct nlattr *a, unsigned int len, unsigned int *off)
{
	uint32_t reg;

	if (!get_u32(a, &reg))
		return -1;
	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		*off = (reg - NFT_REG_1) * 16;
	else if (reg >= NFT_REG32_00 && reg <= NFT_REG32_15)
		*off = (reg - NFT_REG32_00) * 4;
	else
		return -1;
	return *off + len <= sizeof(((struct regs *)0)->b) /
			     sizeof(struct rbyte) ? 0 : -1;
}

static void reg_clear(struct regs *g, unsigned int off, unsigned int len)
{
	memset(&g->b[off], 0, len * sizeof(g->b[0]));
	while (len--)
		g->b[off++].mask = 0xff;
}

static void regs_reset(struct regs *g)
{
	reg_clear(g, 0, NFT_REG32_COUNT * 4);
}

/* After an expression that may write any register: an address still
 * marked may have been overwritten, so using one fails the redaction
 * rather than guess. */
static void regs_taint(struct regs *g)
{
	unsigned int j;

	for (j = 0; j < NFT_REG32_COUNT * 4; j++) {
		if (g->b[j].flags & (RB_ADDR | RB_AMBIG))
			g->b[j].flags = RB_BAD;
		else
			g->b[j].flags = 0;
		g->b[j].imm = NULL;
	}
}

/* Mark dst[0..len) as bytes from..from+len of the address field. */
static void reg_addr(struct regs *g, unsigned int off, unsigned int len,
		     int fam, unsigned int from, uint16_t field)
{
	unsigned int j;

	for (j = 0; j < len; j++) {
		g->b[off + j].flags = fam ? RB_ADDR : RB_AMBIG;
		g->b[off + j].fam = (uint8_t)fam;
		g->b[off + j].idx = (uint8_t)(from + j);
		g->b[off + j].field = field;
	}
}

static int expr_payload(struct redact *r, struct regs *g,
			const struct nlattr *d)
{
	uint32_t base, off, len, dreg;
	unsigned int ro, j;

	if (!get_u32(nest_get(d, NFTA_PAYLOAD_BASE), &base) ||
	    !get_u32(nest_get(d, NFTA_PAYLOAD_OFFSET), &off) ||
	    !get_u32(nest_get(d, NFTA_PAYLOAD_LEN), &len) || len > 64)
		return 0;
	if (!get_u32(nest_get(d, NFTA_PAYLOAD_DREG), &dreg)) {
		/* a write: of an address, it would need its source mapped */
		unsigned int lo = g->ctx == 4 ? 12 : 8;
		unsigned int hi = g->ctx == 4 ? 20 : 40;

		if (base == NFT_PAYLOAD_NETWORK_HEADER && off < hi &&
		    off + len > lo)
			return fail(r, -EINVAL, "a rule writes the network "
				    "header's addresses (payload set): not "
				    "redacted");
		return 0;
	}
	if (reg_off(nest_get(d, NFTA_PAYLOAD_DREG), len, &ro) < 0)
		return 0;
	reg_clear(g, ro, len);
	if (base != NFT_PAYLOAD_NETWORK_HEADER)
		return 0;
	for (j = 0; j < len; j++) {
		unsigned int h = off + j;
		int fam = g->ctx;
		struct rbyte *b = &g->b[ro + j];

		if (!fam) {
			if (h >= 8 && h < 40) {
				b->flags = RB_AMBIG;
			}
			continue;
		}
		if (fam == 4 && h >= 12 && h < 20) {
			b->flags = RB_ADDR;
			b->fam = 4;
			b->idx = (uint8_t)((h - 12) % 4);
			b->field = (uint16_t)(g->nfield + (h - 12) / 4);
		} else if (fam == 6 && h >= 8 && h < 40) {
			b->flags = RB_ADDR;
			b->fam = 6;
			b->idx = (uint8_t)((h - 8) % 16);
			b->field = (uint16_t)(g->nfield + (h - 8) / 16);
		}
	}
	g->nfield += 2;
	return 0;
}

/*
 * The data compared with (or ranged over) the register bytes at off,
 * len bytes: each address in it as a prefix of its field.
 */
static int compared(struct redact *r, struct regs *g, unsigned int off,
		    uint8_t *data, uint8_t *data2, unsigned int len,
		    bool order, const char *what)
{
	unsigned int j = 0, k;

	while (j < len) {
		struct rbyte *b = &g->b[off + j];
		uint8_t mask[16];
		bool masked = false;

		if (b->flags & (RB_AMBIG | RB_BAD))
			return fail(r, -EINVAL, "%s: a value compared with "
				    "an address whose family the rule does "
				    "not say, or that an expression fwaudit "
				    "does not know may have changed", what);
		if (!(b->flags & RB_ADDR)) {
			j++;
			continue;
		}
		if (b->idx != 0)
			return fail(r, -EINVAL, "%s: an address compared "
				    "from its middle", what);
		for (k = 0; j + k < len && k < fam_len(b->fam); k++) {
			const struct rbyte *c = &g->b[off + j + k];

			if (!(c->flags & RB_ADDR) || c->field != b->field ||
			    c->idx != k)
				break;
			mask[k] = c->mask;
			masked |= c->mask != 0xff;
		}
		if (data2 || order) {
			/* a range, or an order: only a prefix maps */
			int ret;

			if (masked)
				return fail(r, -EINVAL, "%s: a masked address "
					    "in a range", what);
			if (order) {
				/* < v or > v: keep v and the path above it,
				 * so that each side maps onto itself */
				uint8_t a[16] = { 0 };

				ret = 0;
				memcpy(a, data + j, k);
				if (!r->apply) {
					ret = pin_add(r, b->fam, a, k * 8,
						      false);
					kept_note(r, b->fam, a, k);
				}
			} else {
				ret = site_range(r, b->fam, data + j,
						 data2 + j, k, false);
			}
			if (ret < 0)
				return ret;
		} else {
			int ret = site_part(r, b->fam, data + j, k,
					    masked ? mask : NULL, what);

			if (ret < 0)
				return ret;
		}
		j += k;
	}
	return 0;
}

static int expr_cmp(struct redact *r, struct regs *g, const struct nlattr *d)
{
	uint32_t op = NFT_CMP_EQ;
	uint8_t *v;
	size_t len = 0;
	unsigned int off;

	v = data_value(nest_get(d, NFTA_CMP_DATA), &len);
	if (!v || len > 64 || reg_off(nest_get(d, NFTA_CMP_SREG),
				      (unsigned int)len, &off) < 0)
		return 0;
	get_u32(nest_get(d, NFTA_CMP_OP), &op);
	/* the family of what follows */
	if (op == NFT_CMP_EQ && (g->b[off].flags & RB_NFPROTO) && len == 1)
		g->ctx = fam_of_nfproto(v[0]);
	if (op == NFT_CMP_EQ && (g->b[off].flags & RB_ETHERTYPE) && len == 2)
		g->ctx = v[0] == 0x08 && v[1] == 0x00 ? 4 :
			 v[0] == 0x86 && v[1] == 0xdd ? 6 : g->ctx;
	return compared(r, g, off, v, NULL, (unsigned int)len,
			op != NFT_CMP_EQ && op != NFT_CMP_NEQ, "cmp");
}

static int expr_range(struct redact *r, struct regs *g,
		      const struct nlattr *d)
{
	uint8_t *lo, *hi;
	size_t l1 = 0, l2 = 0;
	unsigned int off;

	lo = data_value(nest_get(d, NFTA_RANGE_FROM_DATA), &l1);
	hi = data_value(nest_get(d, NFTA_RANGE_TO_DATA), &l2);
	if (!lo || !hi || l1 != l2 || l1 > 64 ||
	    reg_off(nest_get(d, NFTA_RANGE_SREG), (unsigned int)l1, &off) < 0)
		return 0;
	return compared(r, g, off, lo, hi, (unsigned int)l1, false, "range");
}

static int expr_bitwise(struct redact *r, struct regs *g,
			const struct nlattr *d)
{
	uint32_t len, op = NFT_BITWISE_BOOL;
	unsigned int so, dof, j;
	uint8_t *mask, *xor;
	size_t ml = 0, xl = 0;
	struct rbyte tmp[64];

	if (!get_u32(nest_get(d, NFTA_BITWISE_LEN), &len) || len > 64 ||
	    reg_off(nest_get(d, NFTA_BITWISE_SREG), len, &so) < 0 ||
	    reg_off(nest_get(d, NFTA_BITWISE_DREG), len, &dof) < 0)
		return 0;
	get_u32(nest_get(d, NFTA_BITWISE_OP), &op);
	memcpy(tmp, &g->b[so], len * sizeof(tmp[0]));
	if (op != NFT_BITWISE_BOOL) {
		for (j = 0; j < len; j++)
			if (tmp[j].flags & (RB_ADDR | RB_AMBIG))
				tmp[j].flags = RB_BAD;
	} else {
		mask = data_value(nest_get(d, NFTA_BITWISE_MASK), &ml);
		xor = data_value(nest_get(d, NFTA_BITWISE_XOR), &xl);
		for (j = 0; j < len; j++) {
			if (!(tmp[j].flags & RB_ADDR))
				continue;
			if (xor && j < xl && xor[j])
				return fail(r, -EINVAL, "bitwise: an address "
					    "xored: not redacted");
			if (mask && j < ml)
				tmp[j].mask &= mask[j];
		}
	}
	memcpy(&g->b[dof], tmp, len * sizeof(tmp[0]));
	return 0;
}

static int expr_lookup(struct redact *r, struct regs *g,
		       const struct nlattr *d)
{
	char name[NFT_SET_MAXNAMELEN];
	struct layout l;
	struct nset *s;
	unsigned int off, j, i;
	int ret;

	if (!get_str(nest_get(d, NFTA_LOOKUP_SET), name, sizeof(name)))
		return 0;
	s = set_find(r, g->family, g->table, name);
	if (!s)
		return 0;
	if (reg_off(nest_get(d, NFTA_LOOKUP_SREG), s->klen > 64 ? 64 :
		    s->klen, &off) < 0)
		return 0;
	ret = set_layout(r, s, false, &l);
	if (ret < 0)
		return ret;
	/* the set's type must say where the register's addresses are */
	for (j = 0; j < s->klen && off + j < 64; j++) {
		const struct rbyte *b = &g->b[off + j];
		bool placed = false;

		if (b->flags & (RB_AMBIG | RB_BAD))
			return fail(r, -EINVAL, "set %s: looked up with an "
				    "address whose family the rule does not "
				    "say", s->name);
		if (!(b->flags & RB_ADDR))
			continue;
		if (b->mask != 0xff)
			return fail(r, -EINVAL, "set %s: looked up with a "
				    "masked address: not redacted", s->name);
		for (i = 0; i < l.n; i++)
			placed |= l.fam[i] == b->fam && j >= l.off[i] &&
				  j - l.off[i] == b->idx;
		if (!placed)
			return fail(r, -EINVAL, "set %s: its type does not "
				    "say it holds the addresses it is looked "
				    "up with", s->name);
	}
	if (nest_get(d, NFTA_LOOKUP_DREG) &&
	    reg_off(nest_get(d, NFTA_LOOKUP_DREG), 16, &off) == 0)
		reg_clear(g, off, 16);
	return 0;
}

static int expr_immediate(struct regs *g, const struct nlattr *d)
{
	uint8_t *v;
	size_t len = 0;
	unsigned int off, j;

	v = data_value(nest_get(d, NFTA_IMMEDIATE_DATA), &len);
	if (!v || len > 64 || reg_off(nest_get(d, NFTA_IMMEDIATE_DREG),
				      (unsigned int)len, &off) < 0)
		return 0;
	reg_clear(g, off, (unsigned int)len);
	for (j = 0; j < len; j++)
		g->b[off + j].imm = v + j;
	return 0;
}

/* The immediate bytes an address register holds, or NULL. */
static uint8_t *imm_at(struct regs *g, unsigned int off, unsigned int len)
{
	unsigned int j;

	for (j = 0; j < len; j++)
		if (!g->b[off + j].imm ||
		    g->b[off + j].imm != g->b[off].imm + j)
			return NULL;
	return g->b[off].imm;
}

static int expr_nat(struct redact *r, struct regs *g, const struct nlattr *d)
{
	uint32_t nfproto;
	unsigned int lo, hi, n;
	uint8_t *a, *b;
	int fam;

	if (!nest_get(d, NFTA_NAT_REG_ADDR_MIN))
		return 0;
	if (!get_u32(nest_get(d, NFTA_NAT_FAMILY), &nfproto) ||
	    !(fam = fam_of_nfproto(nfproto)))
		return 0;
	n = fam_len(fam);
	if (reg_off(nest_get(d, NFTA_NAT_REG_ADDR_MIN), n, &lo) < 0)
		return 0;
	if (!nest_get(d, NFTA_NAT_REG_ADDR_MAX) ||
	    reg_off(nest_get(d, NFTA_NAT_REG_ADDR_MAX), n, &hi) < 0)
		hi = lo;
	a = imm_at(g, lo, n);
	b = imm_at(g, hi, n);
	/* from a map or a payload: mapped where they come from */
	if (!a && !b)
		return 0;
	if (!a || !b)
		return fail(r, -EINVAL, "nat: an address range half of it "
			    "given");
	if (a == b || !memcmp(a, b, n)) {
		site_addr(r, fam, a);
		if (b != a)
			memcpy(b, a, n);
	} else {
		int ret = site_range(r, fam, a, b, n, false);

		if (ret < 0)
			return ret;
	}
	g->b[lo].imm = NULL;
	g->b[hi].imm = NULL;
	return 0;
}

static int expr_ct(struct regs *g, const struct nlattr *d)
{
	uint32_t key;
	unsigned int off;
	int fam = 0;

	if (!nest_get(d, NFTA_CT_DREG) || !get_u32(nest_get(d, NFTA_CT_KEY),
						   &key))
		return 0;
	if (reg_off(nest_get(d, NFTA_CT_DREG), 16, &off) < 0 &&
	    reg_off(nest_get(d, NFTA_CT_DREG), 4, &off) < 0)
		return 0;
	switch (key) {
	case NFT_CT_SRC_IP: case NFT_CT_DST_IP:
		fam = 4;
		break;
	case NFT_CT_SRC_IP6: case NFT_CT_DST_IP6:
		fam = 6;
		break;
	case NFT_CT_SRC: case NFT_CT_DST:
		fam = g->ctx ? g->ctx : -1;
		break;
	default:
		break;
	}
	if (off + 16 <= 64)
		reg_clear(g, off, 16);
	else
		reg_clear(g, off, 4);
	if (fam == -1 && off + 16 <= 64) {
		reg_addr(g, off, 16, 0, 0, 0);
	} else if (fam) {
		if (off + fam_len(fam) > 64)
			return 0;
		reg_addr(g, off, fam_len(fam), fam, 0, g->nfield++);
	}
	return 0;
}

static int expr_meta(struct regs *g, const struct nlattr *d)
{
	uint32_t key;
	unsigned int off;

	if (!nest_get(d, NFTA_META_DREG) ||
	    !get_u32(nest_get(d, NFTA_META_KEY), &key) ||
	    reg_off(nest_get(d, NFTA_META_DREG), 4, &off) < 0)
		return 0;
	reg_clear(g, off, off + 16 <= 64 ? 16 : 4);
	if (key == NFT_META_NFPROTO)
		g->b[off].flags = RB_NFPROTO;
	else if (key == NFT_META_PROTOCOL)
		g->b[off].flags = RB_ETHERTYPE;
	return 0;
}

static int expr_rt(struct regs *g, const struct nlattr *d)
{
	uint32_t key;
	unsigned int off;

	if (!get_u32(nest_get(d, NFTA_RT_KEY), &key) ||
	    reg_off(nest_get(d, NFTA_RT_DREG), 4, &off) < 0)
		return 0;
	reg_clear(g, off, off + 16 <= 64 ? 16 : 4);
	if (key == NFT_RT_NEXTHOP4)
		reg_addr(g, off, 4, 4, 0, g->nfield++);
	else if (key == NFT_RT_NEXTHOP6 && off + 16 <= 64)
		reg_addr(g, off, 16, 6, 0, g->nfield++);
	return 0;
}

/* ebtables' ip and ip6 match blobs (ebt_ip_info: saddr, daddr, smsk,
 * dmsk: 4 bytes each, tos, protocol, bitmask; ebt_ip6_info the same with
 * 16 bytes, tclass, protocol, bitmask; bits 1 and 2 of bitmask: source,
 * destination), from ebtables-nft's compat expressions and from
 * ebtables-legacy's blobs alike. */
static int ebt_ip(struct redact *r, const char *name, uint8_t rev,
		  uint8_t *info, size_t len)
{
	int f = name[2] ? 6 : 4;
	unsigned int n = (unsigned int)fam_len(f), i;

	if (rev != 0 || len < 4 * n + 3)
		return fail(r, -EINVAL, "ebtables %s revision %u: not "
			    "redacted", name, rev);
	for (i = 0; i < 2; i++) {
		int pl;

		if (!(info[4 * n + 2] & (1u << i)))
			continue;
		pl = mask_len(info + (2 + i) * n, n);
		if (pl < 0)
			return fail(r, -EINVAL, "ebtables %s: an address "
				    "under a mask that is not a "
				    "prefix: not redacted", name);
		if (pl)
			site_prefix(r, f, info + i * n, (unsigned int)pl);
	}
	return 0;
}

/* x_tables blobs in compat expressions (their layouts are the kernel's
 * uapi: xt_iprange.h, xt_conntrack.h, nf_nat.h) */
static int compat(struct redact *r, struct regs *g, const struct nlattr *d,
		  bool target)
{
	char name[32];
	uint32_t rev = 0;
	uint8_t *info;
	size_t len;
	int fam = g->family == NFPROTO_IPV4 ? 4 :
		  g->family == NFPROTO_IPV6 ? 6 : 0;
	int ret = 0;
	unsigned int i;

	if (!get_str(nest_get(d, target ? NFTA_TARGET_NAME : NFTA_MATCH_NAME),
		     name, sizeof(name)))
		return 0;
	get_u32(nest_get(d, target ? NFTA_TARGET_REV : NFTA_MATCH_REV), &rev);
	if (!nest_get(d, target ? NFTA_TARGET_INFO : NFTA_MATCH_INFO))
		return 0;
	info = mnl_attr_get_payload(nest_get(d, target ? NFTA_TARGET_INFO :
						     NFTA_MATCH_INFO));
	len = mnl_attr_get_payload_len(nest_get(d, target ? NFTA_TARGET_INFO :
							    NFTA_MATCH_INFO));
	if (g->family == NFPROTO_BRIDGE && !target &&
	    (!strcmp(name, "ip") || !strcmp(name, "ip6")))
		return ebt_ip(r, name, (uint8_t)rev, info, len);
	if (!strcmp(name, "iprange") && !target) {
		/* xt_iprange_mtinfo: src_min, src_max, dst_min, dst_max
		 * (nf_inet_addr, 16 bytes), flags */
		if (rev != 1 || len < 65 || !fam)
			return fail(r, -EINVAL, "iprange revision %u: not "
				    "redacted", rev);
		for (i = 0; i < 2 && !ret; i++)
			if (info[64] & (1u << i))
				ret = site_range(r, fam, info + 32 * i,
						 info + 32 * i + 16,
						 fam_len(fam), false);
		return ret;
	}
	if (!strcmp(name, "conntrack") && !target) {
		/* xt_conntrack_mtinfo1..3: four (address, mask) pairs */
		if (rev < 1 || rev > 3 || len < 128 || !fam)
			return fail(r, -EINVAL, "conntrack revision %u: not "
				    "redacted", rev);
		for (i = 0; i < 4 && !ret; i++) {
			uint8_t *m = info + 32 * i + 16;
			int pl = mask_len(m, fam_len(fam));

			if (pl == 0)
				continue;
			if (pl < 0)
				return fail(r, -EINVAL, "conntrack: an "
					    "address under a mask that is not "
					    "a prefix: not redacted");
			site_prefix(r, fam, info + 32 * i, (unsigned int)pl);
		}
		return 0;
	}
	if (target && (!strcmp(name, "DNAT") || !strcmp(name, "SNAT") ||
		       !strcmp(name, "NETMAP"))) {
		uint8_t *lo, *hi;
		uint32_t flags;

		if (rev == 0 && fam == 4 && len >= 16) {
			/* nf_nat_ipv4_multi_range_compat */
			memcpy(&flags, info + 4, 4);
			lo = info + 8;
			hi = info + 12;
		} else if ((rev >= 1 || fam == 6) && len >= 36 && fam) {
			/* nf_nat_range(2): flags, min_addr, max_addr */
			memcpy(&flags, info, 4);
			lo = info + 4;
			hi = info + 20;
		} else {
			return fail(r, -EINVAL, "%s revision %u: not "
				    "redacted", name, rev);
		}
		if (!(flags & 1))	/* NF_NAT_RANGE_MAP_IPS */
			return 0;
		if (!memcmp(lo, hi, fam_len(fam))) {
			site_addr(r, fam, lo);
			site_addr(r, fam, hi);
			return 0;
		}
		return site_range(r, fam, lo, hi, fam_len(fam), false);
	}
	if (!strcmp(name, "policy") && !target) {
		/* xt_policy_info: four xt_policy_elem of 76 bytes (saddr,
		 * smask, daddr, dmask first), flags, len; IPsec policies
		 * without tunnel addresses (the common `--pol ipsec`) hold
		 * none */
		uint16_t n;

		if (len < 308)
			return fail(r, -EINVAL, "policy: a short blob");
		memcpy(&n, info + 306, 2);
		for (i = 0; i < n && i < 4; i++) {
			unsigned int j;

			for (j = 0; j < 64; j++)
				if (info[76 * i + j])
					return fail(r, -EINVAL, "x_tables "
						    "policy with tunnel "
						    "addresses: not redacted");
		}
		return 0;
	}
	{
		static const char *const refused[] = { "ipvs",
			"TPROXY", "TEE", "CLUSTERIP", "socket", NULL };

		for (i = 0; refused[i]; i++)
			if (!strcmp(name, refused[i]))
				return fail(r, -EINVAL, "x_tables %s: its "
					    "addresses are not redacted",
					    name);
	}
	return 0;
}

/* Expressions that write no register. */
static bool reads_only(const char *name)
{
	static const char *const names[] = { "counter", "log", "limit",
		"quota", "reject", "dynset", "objref", "connlimit", "masq",
		"redir", "queue", "notrack", "last", "flow_offload",
		"synproxy", NULL };
	size_t i;

	for (i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* Expressions that write one register with what is no address (a fib
 * result, a hash, a header option): that register is cleared.  false for
 * any other expression. */
static bool dreg_only(const char *name, struct regs *g, const struct nlattr *d)
{
	static const struct { const char *name; uint16_t dreg; } w[] = {
		{ "fib", NFTA_FIB_DREG }, { "socket", NFTA_SOCKET_DREG },
		{ "exthdr", NFTA_EXTHDR_DREG }, { "hash", NFTA_HASH_DREG },
		{ "numgen", NFTA_NG_DREG }, { "osf", NFTA_OSF_DREG },
	};
	unsigned int off;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(w); i++) {
		if (strcmp(name, w[i].name))
			continue;
		if (!nest_get(d, w[i].dreg))
			return true;	/* a write to the packet, not a register */
		if (reg_off(nest_get(d, w[i].dreg), 4, &off) == 0)
			reg_clear(g, off, off + 16 <= 64 ? 16 : 4);
		return true;
	}
	return false;
}

static int rule(struct redact *r, const struct nlmsghdr *nlh)
{
	const struct nfgenmsg *gm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *exprs = NULL, *e;
	char table[NFT_TABLE_MAXNAMELEN] = "";
	struct regs g;
	int ret = 0;

	mnl_attr_for_each(a, nlh, sizeof(*gm)) {
		if (mnl_attr_get_type(a) == NFTA_RULE_TABLE)
			get_str(a, table, sizeof(table));
		else if (mnl_attr_get_type(a) == NFTA_RULE_EXPRESSIONS)
			exprs = a;
	}
	if (!exprs)
		return 0;
	memset(&g, 0, sizeof(g));
	regs_reset(&g);
	g.family = gm->nfgen_family;
	g.table = table;
	g.ctx = fam_of_nfproto(g.family);
	mnl_attr_for_each_nested(e, exprs) {
		const struct nlattr *d = nest_get(e, NFTA_EXPR_DATA);
		char name[32];

		if (!get_str(nest_get(e, NFTA_EXPR_NAME), name, sizeof(name)))
			continue;
		if (!d)
			continue;	/* nothing to write with */
		if (!strcmp(name, "payload"))
			ret = expr_payload(r, &g, d);
		else if (!strcmp(name, "cmp"))
			ret = expr_cmp(r, &g, d);
		else if (!strcmp(name, "range"))
			ret = expr_range(r, &g, d);
		else if (!strcmp(name, "bitwise"))
			ret = expr_bitwise(r, &g, d);
		else if (!strcmp(name, "lookup"))
			ret = expr_lookup(r, &g, d);
		else if (!strcmp(name, "immediate"))
			ret = expr_immediate(&g, d);
		else if (!strcmp(name, "nat"))
			ret = expr_nat(r, &g, d);
		else if (!strcmp(name, "ct"))
			ret = expr_ct(&g, d);
		else if (!strcmp(name, "meta"))
			ret = expr_meta(&g, d);
		else if (!strcmp(name, "rt"))
			ret = expr_rt(&g, d);
		else if (!strcmp(name, "match"))
			ret = compat(r, &g, d, false);
		else if (!strcmp(name, "target"))
			ret = compat(r, &g, d, true);
		else if (!strcmp(name, "tproxy") || !strcmp(name, "dup") ||
			 !strcmp(name, "fwd")) {
			if (nest_get(d, 2) || nest_get(d, 1))
				ret = fail(r, -EINVAL, "%s to an address: not "
					   "redacted", name);
		} else if (!strcmp(name, "xfrm")) {
			uint32_t key;

			if (get_u32(nest_get(d, NFTA_XFRM_KEY), &key) &&
			    key >= 1 && key <= 4)
				ret = fail(r, -EINVAL, "ipsec addresses: not "
					   "redacted");
		} else if (dreg_only(name, &g, d)) {
			/* wrote a value that is no address: cleared */
		} else if (!reads_only(name)) {
			regs_taint(&g);
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Walk the nft.c recording: records of (u32 kind, u32 len, data). */
static int nft_walk(struct redact *r, uint8_t *buf, size_t len, bool sets)
{
	size_t off = 0;
	int ret;

	while (off + 8 <= len) {
		uint32_t kind, rlen;
		struct nlmsghdr *nlh;
		int left;

		memcpy(&kind, buf + off, 4);
		memcpy(&rlen, buf + off + 4, 4);
		off += 8;
		if (rlen > len - off)
			return fail(r, -EBADMSG, "nftables.recording: a record "
				    "beyond the end");
		if (kind == 'R' && rlen) {
			if (nld_check_buf(buf + off, rlen) < 0)
				return fail(r, -EBADMSG, "nftables.recording: "
					    "not netlink messages");
			nlh = (struct nlmsghdr *)(buf + off);
			left = (int)rlen;
			while (mnl_nlmsg_ok(nlh, left)) {
				unsigned int t = nlh->nlmsg_type;

				ret = 0;
				if (NFNL_SUBSYS_ID(t) == NFNL_SUBSYS_NFTABLES &&
				    nlh->nlmsg_len >= NLMSG_HDRLEN +
						      sizeof(struct nfgenmsg)) {
					t = NFNL_MSG_TYPE(t);
					if (sets && t == NFT_MSG_NEWSET)
						ret = set_add(r, nlh);
					else if (!sets && t == NFT_MSG_NEWSETELEM)
						ret = elems(r, nlh);
					else if (!sets && t == NFT_MSG_NEWRULE)
						ret = rule(r, nlh);
				}
				if (ret < 0)
					return ret;
				nlh = mnl_nlmsg_next(nlh, &left);
			}
		}
		off += (rlen + 3) & ~3u;
	}
	return 0;
}

/* ---- rtnetlink and sock_diag recordings (nldump.h) ---- */

static int nl_fam(unsigned int af)
{
	return af == AF_INET ? 4 : af == AF_INET6 ? 6 : 0;
}

/* attribute a of an address of fam: mapped whole, or as a prefix */
static void attr_site(struct redact *r, const struct nlattr *a, int fam,
		      int plen)
{
	if (!fam || mnl_attr_get_payload_len(a) != fam_len(fam))
		return;
	if (plen < 0)
		site_addr(r, fam, mnl_attr_get_payload(a));
	else
		site_prefix(r, fam, mnl_attr_get_payload(a),
			    (unsigned int)plen);
}

static void route_multipath(struct redact *r, const struct nlattr *mp,
			    int fam)
{
	uint8_t *p = mnl_attr_get_payload(mp);
	int left = (int)mnl_attr_get_payload_len(mp);

	while (left >= (int)sizeof(struct rtnexthop)) {
		struct rtnexthop nh;
		const struct nlattr *a;
		int alen;

		memcpy(&nh, p, sizeof(nh));
		if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > left)
			return;
		alen = nh.rtnh_len - (int)sizeof(nh);
		a = (const struct nlattr *)(p + sizeof(nh));
		while (mnl_attr_ok(a, alen)) {
			if (mnl_attr_get_type(a) == RTA_GATEWAY)
				attr_site(r, a, fam, -1);
			alen -= (int)MNL_ALIGN(a->nla_len);
			a = mnl_attr_next(a);
		}
		left -= (int)RTNH_ALIGN(nh.rtnh_len);
		p += RTNH_ALIGN(nh.rtnh_len);
	}
}

static void rtnl_msg(struct redact *r, const struct nlmsghdr *nlh)
{
	const struct nlattr *a;

	switch (nlh->nlmsg_type) {
	case RTM_NEWADDR: {
		const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
		int fam;

		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifa))
			return;
		fam = nl_fam(ifa->ifa_family);
		mnl_attr_for_each(a, nlh, sizeof(*ifa))
			switch (mnl_attr_get_type(a)) {
			case IFA_ADDRESS: case IFA_LOCAL: case IFA_BROADCAST:
			case IFA_ANYCAST: case IFA_MULTICAST:
				attr_site(r, a, fam, -1);
				break;
			}
		break;
	}
	case RTM_NEWROUTE: {
		const struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
		int fam;

		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*rt))
			return;
		fam = nl_fam(rt->rtm_family);
		mnl_attr_for_each(a, nlh, sizeof(*rt))
			switch (mnl_attr_get_type(a)) {
			case RTA_DST:
				attr_site(r, a, fam, rt->rtm_dst_len);
				break;
			case RTA_SRC:
				attr_site(r, a, fam, rt->rtm_src_len);
				break;
			case RTA_GATEWAY: case RTA_PREFSRC:
				attr_site(r, a, fam, -1);
				break;
			case RTA_MULTIPATH:
				route_multipath(r, a, fam);
				break;
			case RTA_VIA: {
				struct rtvia *v = mnl_attr_get_payload(a);
				size_t n = mnl_attr_get_payload_len(a);
				int vf;

				if (n < sizeof(*v))
					break;
				vf = nl_fam(v->rtvia_family);
				if (vf && n == sizeof(*v) + fam_len(vf))
					site_addr(r, vf, v->rtvia_addr);
				break;
			}
			}
		break;
	}
	case RTM_NEWRULE: {
		const struct fib_rule_hdr *fr = mnl_nlmsg_get_payload(nlh);
		int fam;

		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*fr))
			return;
		fam = nl_fam(fr->family);
		mnl_attr_for_each(a, nlh, sizeof(*fr))
			if (mnl_attr_get_type(a) == FRA_DST)
				attr_site(r, a, fam, fr->dst_len);
			else if (mnl_attr_get_type(a) == FRA_SRC)
				attr_site(r, a, fam, fr->src_len);
		break;
	}
	case RTM_NEWNEIGH: {
		const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nd))
			return;
		mnl_attr_for_each(a, nlh, sizeof(*nd))
			if (mnl_attr_get_type(a) == NDA_DST)
				attr_site(r, a, nl_fam(nd->ndm_family), -1);
		break;
	}
	default:
		break;
	}
}

static void diag_msg(struct redact *r, const struct nlmsghdr *nlh)
{
	struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	int fam;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*m))
		return;
	fam = nl_fam(m->idiag_family);
	if (!fam)
		return;
	site_addr(r, fam, (uint8_t *)m->id.idiag_src);
	site_addr(r, fam, (uint8_t *)m->id.idiag_dst);
}

/* The address of an IPVS service or real server nest (ipvs.c): a 16-byte
 * union nf_inet_addr whose first 4 bytes are an IPv4 address.  af: the
 * family the nest names, else *last (a real server before Linux 4.15
 * has its service's). */
static void ipvs_nest(struct redact *r, struct nlattr *nest, uint16_t afattr,
		      uint16_t addrattr, int *last)
{
	struct nlattr *a, *addr = NULL;
	int fam = 0;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == afattr &&
		    mnl_attr_get_payload_len(a) == 2)
			fam = nl_fam(mnl_attr_get_u16(a));
		else if (mnl_attr_get_type(a) == addrattr)
			addr = a;
	}
	if (!fam)
		fam = *last;
	else if (afattr == IPVS_SVC_ATTR_AF)
		*last = fam;
	if (fam && addr && mnl_attr_get_payload_len(addr) >= fam_len(fam))
		site_addr(r, fam, mnl_attr_get_payload(addr));
}

/* An IPVS recording: requests too, since a real-server dump asks with
 * its service's address (mapped the same way, so the replay still finds
 * the service of each answer). */
static int ipvs_walk(struct redact *r, uint8_t *buf, size_t len,
		     const char *what)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int left = (int)len, last = 0;
	struct nlattr *a;

	if (len > INT32_MAX || nld_check_buf(buf, len) < 0)
		return fail(r, -EBADMSG, "%s: not netlink messages", what);
	while (mnl_nlmsg_ok(nlh, left)) {
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE &&
		    mnl_nlmsg_get_payload_len(nlh) >= GENL_HDRLEN) {
			mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
				if (mnl_attr_get_type(a) == IPVS_CMD_ATTR_SERVICE)
					ipvs_nest(r, a, IPVS_SVC_ATTR_AF,
						  IPVS_SVC_ATTR_ADDR, &last);
				else if (mnl_attr_get_type(a) ==
					 IPVS_CMD_ATTR_DEST)
					ipvs_nest(r, a,
						  IPVS_DEST_ATTR_ADDR_FAMILY,
						  IPVS_DEST_ATTR_ADDR, &last);
			}
		}
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return 0;
}

static int nld_walk(struct redact *r, uint8_t *buf, size_t len,
		    const char *what,
		    void (*fn)(struct redact *, const struct nlmsghdr *))
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int left = (int)len;

	if (len > INT32_MAX || nld_check_buf(buf, len) < 0)
		return fail(r, -EBADMSG, "%s: not netlink messages", what);
	while (mnl_nlmsg_ok(nlh, left)) {
		/* requests ask; only the kernel's answers hold addresses */
		if (!(nlh->nlmsg_flags & NLM_F_REQUEST))
			fn(r, nlh);
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return 0;
}

/* ---- texts ---- */

static bool addr_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

static bool word_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == ':';
}

/* Parse an address at in[0..n): its family (0: none) into a. */
static int parse_addr(const char *in, size_t n, uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN + 1];
	size_t dots = 0, i;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, in, n);
	buf[n] = '\0';
	if (memchr(buf, ':', n))
		return inet_pton(AF_INET6, buf, a) == 1 ? 6 : 0;
	for (i = 0; i < n; i++)
		if (buf[i] == '.')
			dots++;
		else if (buf[i] < '0' || buf[i] > '9')
			return 0;
	return dots == 3 && inet_pton(AF_INET, buf, a) == 1 ? 4 : 0;
}

/* The length of the address run at p (before end), and its family. */
static size_t addr_run(const char *p, const char *end, uint8_t *a, int *fam)
{
	size_t n = 0;

	while (p + n < end && addr_char(p[n]))
		n++;
	/* "1.2.3.4:80": the port is not part of an IPv4 address */
	*fam = parse_addr(p, n, a);
	if (!*fam && memchr(p, '.', n) && memchr(p, ':', n)) {
		size_t c = (size_t)((const char *)memchr(p, ':', n) - p);

		*fam = parse_addr(p, c, a);
		if (*fam == 4)
			n = c;
		else
			*fam = 0;
	}
	return n;
}

static int text_walk(struct redact *r, const char *in, size_t len,
		     struct strbuf *out)
{
	const char *p = in, *end = in + len, *last = in;
	char buf[INET6_ADDRSTRLEN];
	int ret;

	while (p < end) {
		uint8_t a[16], b[16];
		const char *q;
		size_t n;
		int fam, fam2;
		long plen = -1;

		if (!addr_char(*p) || (p > in && word_char(p[-1]))) {
			p++;
			continue;
		}
		n = addr_run(p, end, a, &fam);
		if (!fam) {
			/* not an address: skip the whole word */
			while (p < end && word_char(*p))
				p++;
			continue;
		}
		q = p + n;
		if (q < end && *q == '/' && q + 1 < end &&
		    q[1] >= '0' && q[1] <= '9') {
			uint8_t m[16];
			size_t mn;
			int mf;

			mn = addr_run(q + 1, end, m, &mf);
			if (mf == fam && mn) {
				plen = mask_len(m, fam_len(fam));
				if (plen < 0)
					return fail(r, -EINVAL, "an address "
						    "with a mask that is not a "
						    "prefix in a text: not "
						    "redacted");
			} else {
				char *e;

				plen = strtol(q + 1, &e, 10);
				mn = (size_t)(e - q - 1);
				if (plen < 0 || plen > (long)fam_len(fam) * 8)
					plen = -1;
			}
			if (plen >= 0)
				q += 1 + mn;
		}
		if (plen < 0 && q + 1 < end && *q == '-' &&
		    addr_char(q[1]) &&
		    (n = addr_run(q + 1, end, b, &fam2)) && fam2 == fam) {
			/* a range "A-B" */
			ret = site_range(r, fam, a, b, fam_len(fam), false);
			if (ret < 0)
				return ret;
			if (out) {
				strbuf_addf(out, "%.*s", (int)(p - last), last);
				addr_str(fam, a, buf, sizeof(buf));
				strbuf_addf(out, "%s-", buf);
				addr_str(fam, b, buf, sizeof(buf));
				strbuf_add(out, buf);
			}
			p = q + 1 + n;
			last = p;
			continue;
		}
		if (plen >= 0)
			site_prefix(r, fam, a, (unsigned int)plen);
		else
			site_addr(r, fam, a);
		if (out) {
			strbuf_addf(out, "%.*s", (int)(p - last), last);
			addr_str(fam, a, buf, sizeof(buf));
			strbuf_add(out, buf);
			if (plen >= 0)
				strbuf_addf(out, "/%ld", plen);
		}
		p = q;
		last = p;
	}
	if (out)
		strbuf_addf(out, "%.*s", (int)(end - last), last);
	return 0;
}

/* One walk of a text: pins (first walk), or the mapped text (second). */
static int text_pass(struct redact *r, const char *in, size_t len,
		     char **out, size_t *outlen)
{
	struct strbuf b = STRBUF_INIT;
	char *s;
	int ret;

	ret = text_walk(r, in, len, r->apply ? &b : NULL);
	if (ret < 0 || !r->apply) {
		strbuf_release(&b);
		return ret;
	}
	s = strbuf_take(&b);
	if (!s)
		return -ENOMEM;
	*out = s;
	*outlen = strlen(s);
	return 0;
}

int redact_text(struct redact *r, const char *in, size_t len, char **out,
		size_t *outlen, char *err, size_t errlen)
{
	bool apply = r->apply;
	int ret;

	r->err = err;
	r->errlen = errlen;
	r->apply = true;
	ret = text_pass(r, in, len, out, outlen);
	r->apply = apply;
	return ret;
}

int redact_map_token(const struct redact *r, const char *in, char *out,
		     size_t outlen)
{
	const char *slash = strchr(in, '/');
	uint8_t a[16];
	char buf[INET6_ADDRSTRLEN];
	int fam, n;
	long plen = -1;

	fam = parse_addr(in, slash ? (size_t)(slash - in) : strlen(in), a);
	if (!fam)
		return -EINVAL;
	if (slash) {
		char *e;

		plen = strtol(slash + 1, &e, 10);
		if (*e || e == slash + 1 || plen < 0 ||
		    plen > (long)fam_len(fam) * 8)
			return -EINVAL;
		map_prefix(r, fam, a, (unsigned int)plen, a);
	} else {
		map_addr(r, fam, a, a);
	}
	addr_str(fam, a, buf, sizeof(buf));
	n = plen >= 0 ? snprintf(out, outlen, "%s/%ld", buf, plen) :
			snprintf(out, outlen, "%s", buf);
	return n < 0 || (size_t)n >= outlen ? -ENOSPC : 0;
}

/* ---- the document ---- */

/* A base64 member of o decoded into a new buffer (NULL when absent). */
static int blob_get(struct redact *r, json_t *o, const char *key,
		    const char *path, uint8_t **buf, size_t *len)
{
	json_t *v = json_object_get(o, key);
	size_t n, size;

	*buf = NULL;
	*len = 0;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return fail(r, -EBADMSG, "%s: not a string", path);
	n = json_string_length(v);
	if (n / 4 * 3 > REDACT_BLOB_MAX)
		return fail(r, -EFBIG, "%s: too large", path);
	size = n / 4 * 3 + 4;
	*buf = malloc(size);
	if (!*buf)
		return -ENOMEM;
	if (base64_decode(json_string_value(v), n, *buf, size, len) < 0) {
		free(*buf);
		*buf = NULL;
		return fail(r, -EBADMSG, "%s: not base64", path);
	}
	(*buf)[*len] = 0;
	return 0;
}

static int blob_set(json_t *o, const char *key, const void *buf, size_t len)
{
	size_t size = BASE64_ENCODED_LEN(len) + 1;
	char *s = malloc(size);
	int n, ret = -ENOMEM;

	if (!s)
		return -ENOMEM;
	n = base64_encode(buf, len, s, size);
	if (n >= 0 && !json_object_set_new(o, key,
					   json_stringn_nocheck(s, (size_t)n)))
		ret = 0;
	free(s);
	return ret;
}

/* The blobs of a document, by where they sit. */
enum blob_kind { B_NFT, B_RTNL, B_DIAG, B_TEXT, B_IPVS, B_EBT, B_IPSET };

/* ebtables-legacy's recording (ebtleg.h): the ip and ip6 matches of each
 * table's blob, rewritten in place */
static int ebt_match(void *ctx, const char *name, uint8_t rev,
		     unsigned char *data, size_t len)
{
	if (strcmp(name, "ip") && strcmp(name, "ip6"))
		return 0;
	return ebt_ip(ctx, name, rev, data, len);
}

static int ebt_table(void *ctx, struct ebtleg_blob *b)
{
	if (!b->entries)
		return 0;	/* an error record */
	return ebtleg_foreach_match(b, ebt_match, ctx);
}

static int ebt_walk(struct redact *r, uint8_t *buf, size_t len)
{
	int ret = ebtleg_foreach_record(buf, len, ebt_table, r);

	if (ret == -EBADMSG)
		return fail(r, ret, "ebtables.recording: a malformed "
			    "recording or table blob");
	return ret;
}

/* ipset.c's recording: each element's addresses, as the prefixes they
 * stand for (CIDR / CIDR2, a hash:ip's netmask, else the host).  A
 * bitmap:ip holds hosts of a range its header gives: not redacted. */
struct ipset_walk_st {
	int fam;
	unsigned int netmask;
	bool bitmap;
};

static int ipset_addr(struct redact *r, const struct nlattr *nest, int fam,
		      const struct nlattr *cidr, unsigned int netmask)
{
	const struct nlattr *a;
	int plen = cidr && mnl_attr_get_payload_len(cidr) == 1 ?
		   mnl_attr_get_u8(cidr) : netmask ? (int)netmask : -1;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return fail(r, -EBADMSG, "ipset.recording: a malformed "
			    "address");
	mnl_attr_for_each_nested(a, nest)
		attr_site(r, a, fam, plen);
	return 0;
}

static int ipset_msg_redact(struct redact *r, struct nlmsghdr *nlh,
			    struct ipset_walk_st *st)
{
	struct nlattr *a, *e, *d;
	int ret;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		switch (mnl_attr_get_type(a)) {
		case IPSET_ATTR_TYPENAME:
			st->bitmap = mnl_attr_get_payload_len(a) >= 9 &&
				     !memcmp(mnl_attr_get_payload(a),
					     "bitmap:ip", 9);
			st->netmask = 0;
			break;
		case IPSET_ATTR_FAMILY:
			if (mnl_attr_get_payload_len(a) == 1)
				st->fam = mnl_attr_get_u8(a) == NFPROTO_IPV4 ?
					  4 : mnl_attr_get_u8(a) ==
					  NFPROTO_IPV6 ? 6 : 0;
			break;
		case IPSET_ATTR_DATA:
			if (st->bitmap)
				return fail(r, -EINVAL, "ipset bitmap:ip: its "
					    "range and addresses are not "
					    "redacted");
			mnl_attr_for_each_nested(d, a)
				if (mnl_attr_get_type(d) ==
				    IPSET_ATTR_NETMASK &&
				    mnl_attr_get_payload_len(d) == 1)
					st->netmask = mnl_attr_get_u8(d);
			break;
		case IPSET_ATTR_ADT:
			mnl_attr_for_each_nested(e, a) {
				const struct nlattr *ip = NULL, *ip2 = NULL,
						    *c1 = NULL, *c2 = NULL;

				mnl_attr_for_each_nested(d, e) {
					switch (mnl_attr_get_type(d)) {
					case IPSET_ATTR_IP: ip = d; break;
					case IPSET_ATTR_IP2: ip2 = d; break;
					case IPSET_ATTR_CIDR: c1 = d; break;
					case IPSET_ATTR_CIDR2: c2 = d; break;
					}
				}
				ret = ip ? ipset_addr(r, ip, st->fam, c1,
						      st->netmask) : 0;
				if (!ret && ip2)
					ret = ipset_addr(r, ip2, st->fam, c2,
							 0);
				if (ret)
					return ret;
			}
			break;
		}
	}
	return 0;
}

static int ipset_walk(struct redact *r, uint8_t *buf, size_t len,
		      const char *what)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ipset_walk_st st = { 0 };
	int left = (int)len, ret;

	if (len > INT32_MAX || nld_check_buf(buf, len) < 0)
		return fail(r, -EBADMSG, "%s: not netlink messages", what);
	while (mnl_nlmsg_ok(nlh, left)) {
		if (!(nlh->nlmsg_flags & NLM_F_REQUEST) &&
		    nlh->nlmsg_type == ((NFNL_SUBSYS_IPSET << 8) |
					IPSET_CMD_LIST) &&
		    mnl_nlmsg_get_payload_len(nlh) >=
		    sizeof(struct nfgenmsg)) {
			ret = ipset_msg_redact(r, nlh, &st);
			if (ret)
				return ret;
		}
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return 0;
}

struct blob {
	json_t *obj;
	const char *key, *path;
	enum blob_kind kind;
	uint8_t *buf;
	size_t len;
};

static const char *name_map(struct names *n, const char *from,
			    const char *prefix)
{
	char buf[64], **f, **t;
	size_t i;

	for (i = 0; i < n->n; i++)
		if (!strcmp(n->from[i], from))
			return n->to[i];
	f = realloc(n->from, (n->n + 1) * sizeof(*f));
	if (!f)
		return NULL;
	n->from = f;
	t = realloc(n->to, (n->n + 1) * sizeof(*t));
	if (!t)
		return NULL;
	n->to = t;
	snprintf(buf, sizeof(buf), "%s%zu", prefix, n->n + 1);
	n->from[n->n] = strdup(from);
	n->to[n->n] = strdup(buf);
	if (!n->from[n->n] || !n->to[n->n]) {
		free(n->from[n->n]);
		free(n->to[n->n]);
		return NULL;
	}
	return n->to[n->n++];
}

static int rename_str(json_t *o, const char *key, struct names *n,
		      const char *prefix)
{
	json_t *v = json_object_get(o, key);
	const char *to;

	if (!json_is_string(v))
		return 0;
	to = name_map(n, json_string_value(v), prefix);
	if (!to || json_object_set_new(o, key, json_string(to)))
		return -ENOMEM;
	return 0;
}

/* One address string of a JSON array mapped in place. */
static int map_str_at(const struct redact *r, json_t *a, size_t i)
{
	char out[INET6_ADDRSTRLEN + 8];
	json_t *v = json_array_get(a, i);

	if (!json_is_string(v) ||
	    redact_map_token(r, json_string_value(v), out, sizeof(out)) < 0)
		return 0;
	return json_array_set_new(a, i, json_string(out)) ? -ENOMEM : 0;
}

/* Swarm's ingress sandbox (swarm.c): its addresses, and the destinations
 * of its mark rules (one address, or every one, which the map keeps). */
static int swarm_map(struct redact *r, json_t *o)
{
	json_t *a, *v, *d;
	size_t i;
	int ret = 0;

	a = json_object_get(o, "addrs");
	for (i = 0; !ret && i < json_array_size(a); i++)
		ret = map_str_at(r, a, i);
	a = json_object_get(o, "marks");
	json_array_foreach(a, i, v) {
		const char *lo, *hi;

		d = json_object_get(v, "daddr");
		lo = json_string_value(json_array_get(d, 0));
		hi = json_string_value(json_array_get(d, 1));
		if (ret || !lo || !hi)
			continue;
		if (strcmp(lo, hi) && (strcmp(lo, "0.0.0.0") ||
				       strcmp(hi, "255.255.255.255")))
			return fail(r, -EINVAL, "swarm_ingress_sbox.marks: a "
				    "destination range %s-%s cannot be mapped",
				    lo, hi);
		ret = map_str_at(r, d, 0);
		if (!ret)
			ret = map_str_at(r, d, 1);
	}
	return ret;
}

static int rename_all(struct redact *r, json_t *doc)
{
	json_t *a, *v, *d;
	size_t i, k;
	int ret = 0;

	if (json_is_string(json_object_get(doc, "hostname")) &&
	    json_object_set_new(doc, "hostname", json_string("redacted")))
		return -ENOMEM;
	a = json_object_get(doc, "owners");
	/* a port holder's name says which runtime serves the port, not
	 * whose host it is: kept, so the redacted audit still names the
	 * container behind it */
	json_array_foreach(a, i, v)
		if (json_is_object(v) && !ret &&
		    !docker_port_holder(json_string_value(
				json_object_get(v, "comm"))))
			ret = rename_str(v, "comm", &r->comms, "process");
	/* a cgroup path names the unit or container */
	json_array_foreach(a, i, v)
		if (json_is_object(v) && !ret)
			ret = rename_str(v, "cgroup", &r->comms, "cgroup");
	if (!ret)
		ret = swarm_map(r, json_object_get(doc, "swarm_ingress_sbox"));
	/* a netfilter BPF program's name may name its maker; its tag is a
	 * hash of its code and stays (it says two hosts run the same) */
	a = json_object_get(json_object_get(doc, "bpf"), "netfilter");
	json_array_foreach(a, i, v)
		if (json_is_object(v) && !ret &&
		    json_string_length(json_object_get(v, "name")))
			ret = rename_str(v, "name", &r->comms, "bpf");
	d = json_object_get(doc, "docker");
	a = json_object_get(d, "containers");
	json_array_foreach(a, i, v) {
		json_t *addr = json_object_get(v, "addr");
		char out[INET6_ADDRSTRLEN + 8];

		if (!json_is_object(v) || ret)
			continue;
		ret = rename_str(v, "name", &r->containers, "container");
		if (!ret)
			ret = rename_str(v, "image", &r->images, "image");
		if (!ret && json_is_string(addr) &&
		    redact_map_token(r, json_string_value(addr), out,
				     sizeof(out)) == 0 &&
		    json_object_set_new(v, "addr", json_string(out)))
			ret = -ENOMEM;
	}
	/* the containers' own namespaces: their names as in "docker", the
	 * names of their processes and programs as the host's */
	json_array_foreach(json_object_get(doc, "container_netns"), i, d) {
		if (!json_is_object(d) || ret)
			continue;
		ret = rename_str(d, "name", &r->containers, "container");
		if (!ret)
			ret = rename_str(d, "image", &r->images, "image");
		/* the host's sandbox, as read from there */
		if (!ret)
			ret = swarm_map(r, json_object_get(d,
						"swarm_ingress_sbox"));
		a = json_object_get(d, "owners");
		json_array_foreach(a, k, v)
			if (json_is_object(v) && !ret &&
			    !docker_port_holder(json_string_value(
					json_object_get(v, "comm"))))
				ret = rename_str(v, "comm", &r->comms,
						 "process");
		json_array_foreach(a, k, v)
			if (json_is_object(v) && !ret)
				ret = rename_str(v, "cgroup", &r->comms,
						 "cgroup");
		a = json_object_get(json_object_get(d, "bpf"), "netfilter");
		json_array_foreach(a, k, v)
			if (json_is_object(v) && !ret &&
			    json_string_length(json_object_get(v, "name")))
				ret = rename_str(v, "name", &r->comms, "bpf");
	}
	return ret;
}

static int walk_all(struct redact *r, struct blob *b, size_t n);

/* The recordings and texts of one container namespace (container_netns[i]
 * of the document): its nftables sets are its own, kept here between
 * walks as the host's are in r. */
#define NS_BLOBS	9
struct ns_blobs {
	struct blob b[NS_BLOBS];
	char path[NS_BLOBS][64];
	struct nset *sets;
	size_t nsets, setcap;
};

static void sets_swap(struct redact *r, struct ns_blobs *g)
{
	struct nset *s = r->sets;
	size_t n = r->nsets, cap = r->setcap;

	r->sets = g->sets;
	r->nsets = g->nsets;
	r->setcap = g->setcap;
	g->sets = s;
	g->nsets = n;
	g->setcap = cap;
}

static void ns_blobs_free(struct ns_blobs *g, size_t n)
{
	size_t i, k;

	for (i = 0; g && i < n; i++) {
		for (k = 0; k < NS_BLOBS; k++)
			free(g[i].b[k].buf);
		for (k = 0; k < g[i].nsets; k++)
			free(g[i].sets[k].el);
		free(g[i].sets);
	}
	free(g);
}

/* The blobs of every container namespace read then (no "error"). */
static int ns_blobs_get(struct redact *r, json_t *doc, struct ns_blobs **out,
			size_t *nout)
{
	static const struct {
		const char *obj, *sub, *key, *name;
		enum blob_kind kind;
	} k[NS_BLOBS] = {
		{ "nftables", NULL, "recording", "nftables.recording", B_NFT },
		{ "rtnetlink", NULL, "recording", "rtnetlink.recording",
		  B_RTNL },
		{ "sock_diag", NULL, "recording", "sock_diag.recording",
		  B_DIAG },
		{ "ipvs", NULL, "recording", "ipvs.recording", B_IPVS },
		{ "ebtables", NULL, "recording", "ebtables.recording", B_EBT },
		{ "ipset", NULL, "recording", "ipset.recording", B_IPSET },
		{ "legacy", "ipv4", "save", "legacy.ipv4.save", B_TEXT },
		{ "legacy", "ipv6", "save", "legacy.ipv6.save", B_TEXT },
		{ "swarm_ingress_sbox", "ipvs", "recording",
		  "swarm_ingress_sbox.ipvs.recording", B_IPVS },
	};
	json_t *a = json_object_get(doc, "container_netns"), *v, *o;
	struct ns_blobs *g;
	size_t i, j, n = 0;
	int ret = 0;

	*out = NULL;
	*nout = 0;
	if (!json_array_size(a))
		return 0;
	g = calloc(json_array_size(a), sizeof(*g));
	if (!g)
		return -ENOMEM;
	json_array_foreach(a, i, v) {
		if (!json_is_object(v) || json_object_get(v, "error"))
			continue;
		for (j = 0; j < NS_BLOBS && !ret; j++) {
			o = json_object_get(v, k[j].obj);
			if (k[j].sub)
				o = json_object_get(o, k[j].sub);
			snprintf(g[n].path[j], sizeof(g[n].path[j]),
				 "container_netns[%zu].%s", i, k[j].name);
			g[n].b[j] = (struct blob){ o, k[j].key, g[n].path[j],
						   k[j].kind, NULL, 0 };
			if (json_is_object(o))
				ret = blob_get(r, o, k[j].key, g[n].path[j],
					       &g[n].b[j].buf, &g[n].b[j].len);
		}
		n++;
		if (ret)
			break;
	}
	if (ret) {
		ns_blobs_free(g, n);
		return ret;
	}
	*out = g;
	*nout = n;
	return 0;
}

/* walk_all() of each container namespace, with its own sets. */
static int ns_walk_all(struct redact *r, struct ns_blobs *g, size_t n)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		sets_swap(r, &g[i]);
		ret = walk_all(r, g[i].b, NS_BLOBS);
		sets_swap(r, &g[i]);
	}
	return ret;
}

static int walk_all(struct redact *r, struct blob *b, size_t n)
{
	size_t i;
	int ret = 0;

	/* sets first: rules and elements need their types */
	for (i = 0; i < n && !ret; i++)
		if (b[i].kind == B_NFT && b[i].buf) {
			ret = nft_walk(r, b[i].buf, b[i].len, false);
		}
	for (i = 0; i < r->nsets && !ret; i++)
		if ((r->sets[i].ktype == 7 || r->sets[i].ktype == 8) &&
		    (r->sets[i].flags & NFT_SET_INTERVAL))
			ret = intervals(r, &r->sets[i]);
	for (i = 0; i < n && !ret; i++) {
		if (!b[i].buf)
			continue;
		switch (b[i].kind) {
		case B_RTNL:
			ret = nld_walk(r, b[i].buf, b[i].len, b[i].path,
				       rtnl_msg);
			break;
		case B_DIAG:
			ret = nld_walk(r, b[i].buf, b[i].len, b[i].path,
				       diag_msg);
			break;
		case B_IPVS:
			ret = ipvs_walk(r, b[i].buf, b[i].len, b[i].path);
			break;
		case B_EBT:
			ret = ebt_walk(r, b[i].buf, b[i].len);
			break;
		case B_IPSET:
			ret = ipset_walk(r, b[i].buf, b[i].len, b[i].path);
			break;
		case B_TEXT: {
			char *t = NULL;
			size_t tl = 0;

			ret = text_pass(r, (char *)b[i].buf, b[i].len, &t,
					&tl);
			if (!ret && t) {
				free(b[i].buf);
				b[i].buf = (uint8_t *)t;
				b[i].len = tl;
			}
			break;
		}
		default:
			break;
		}
	}
	return ret;
}

int redact_snapshot(struct redact *r, json_t *doc, char *err, size_t errlen)
{
	json_t *leg = json_object_get(doc, "legacy");
	json_t *txt = json_object_get(doc, "ruleset_text");
	struct blob b[] = {
		{ json_object_get(doc, "nftables"), "recording",
		  "nftables.recording", B_NFT, NULL, 0 },
		{ json_object_get(doc, "rtnetlink"), "recording",
		  "rtnetlink.recording", B_RTNL, NULL, 0 },
		{ json_object_get(doc, "sock_diag"), "recording",
		  "sock_diag.recording", B_DIAG, NULL, 0 },
		{ json_object_get(doc, "ipvs"), "recording",
		  "ipvs.recording", B_IPVS, NULL, 0 },
		{ json_object_get(json_object_get(doc, "swarm_ingress_sbox"),
				  "ipvs"), "recording",
		  "swarm_ingress_sbox.ipvs.recording", B_IPVS, NULL, 0 },
		{ json_object_get(doc, "ebtables"), "recording",
		  "ebtables.recording", B_EBT, NULL, 0 },
		{ json_object_get(doc, "ipset"), "recording",
		  "ipset.recording", B_IPSET, NULL, 0 },
		{ json_object_get(leg, "ipv4"), "save", "legacy.ipv4.save",
		  B_TEXT, NULL, 0 },
		{ json_object_get(leg, "ipv6"), "save", "legacy.ipv6.save",
		  B_TEXT, NULL, 0 },
		{ txt, "nft", "ruleset_text.nft", B_TEXT, NULL, 0 },
		{ txt, "ip4", "ruleset_text.ip4", B_TEXT, NULL, 0 },
		{ txt, "ip6", "ruleset_text.ip6", B_TEXT, NULL, 0 },
		{ txt, "ebt", "ruleset_text.ebt", B_TEXT, NULL, 0 },
		{ txt, "ebl", "ruleset_text.ebl", B_TEXT, NULL, 0 },
	};
	size_t n = ARRAY_SIZE(b), i, k, ng = 0;
	struct ns_blobs *g = NULL;
	json_t *notes = NULL;
	int ret = 0;

	r->err = err;
	r->errlen = errlen;
	if (!json_is_object(doc))
		return fail(r, -EBADMSG, "not a snapshot");
	/* "redaction" is a member of version 2: a version 1 file becomes
	 * one, without the texts it never had */
	if (json_integer_value(json_object_get(doc, "version")) == 1 &&
	    (json_object_set_new(doc, "version", json_integer(2)) ||
	     (!txt && json_object_set_new(doc, "ruleset_text",
					  json_object()))))
		return fail(r, -ENOMEM, "out of memory");
	for (i = 0; i < n && !ret; i++)
		if (json_is_object(b[i].obj))
			ret = blob_get(r, b[i].obj, b[i].key, b[i].path,
				       &b[i].buf, &b[i].len);
	if (!ret)
		ret = ns_blobs_get(r, doc, &g, &ng);
	for (i = 0; i < n && !ret; i++)
		if (b[i].kind == B_NFT && b[i].buf)
			ret = nft_walk(r, b[i].buf, b[i].len, true);
	for (k = 0; k < ng && !ret; k++) {
		sets_swap(r, &g[k]);
		for (i = 0; i < NS_BLOBS && !ret; i++)
			if (g[k].b[i].kind == B_NFT && g[k].b[i].buf)
				ret = nft_walk(r, g[k].b[i].buf,
					       g[k].b[i].len, true);
		sets_swap(r, &g[k]);
	}
	/* first walk: pins only (of every namespace: one map); second:
	 * the map */
	r->apply = false;
	if (!ret)
		ret = walk_all(r, b, n);
	if (!ret)
		ret = ns_walk_all(r, g, ng);
	r->apply = true;
	if (!ret)
		ret = walk_all(r, b, n);
	if (!ret)
		ret = ns_walk_all(r, g, ng);
	r->apply = false;
	for (i = 0; i < n && !ret; i++)
		if (b[i].buf)
			ret = blob_set(b[i].obj, b[i].key, b[i].buf, b[i].len);
	for (k = 0; k < ng && !ret; k++)
		for (i = 0; i < NS_BLOBS && !ret; i++)
			if (g[k].b[i].buf)
				ret = blob_set(g[k].b[i].obj, g[k].b[i].key,
					       g[k].b[i].buf, g[k].b[i].len);
	if (!ret)
		ret = rename_all(r, doc);
	if (!ret) {
		notes = json_pack("{s:s,s:I,s:O}", "map",
				  "prefix-preserving, keyed per run; kept as "
				  "they are: loopback, link-local, multicast, "
				  "documentation, 0/8, 240/4, ::, ::1, MAC "
				  "addresses, interface names, rule comments",
				  "bounds_kept", (json_int_t)r->nkept,
				  "bounds", r->kept);
		if (!notes || json_object_set_new(doc, "redaction", notes))
			ret = -ENOMEM;
	}
	for (i = 0; i < n; i++)
		free(b[i].buf);
	ns_blobs_free(g, ng);
	if (ret == -ENOMEM)
		fail(r, ret, "out of memory");
	return ret;
}

json_t *redact_map_doc(const struct redact *r)
{
	char key[REDACT_KEY_SIZE * 2 + 1], buf[INET6_ADDRSTRLEN];
	json_t *pins = json_array(), *names;
	size_t i;

	for (i = 0; i < REDACT_KEY_SIZE; i++)
		snprintf(key + 2 * i, 3, "%02x", r->key[i]);
	for (i = 0; pins && i < r->npins; i++) {
		addr_str(r->pins[i].fam, r->pins[i].a, buf, sizeof(buf));
		if (json_array_append_new(pins, json_pack("{s:s,s:i,s:b}",
				"addr", buf, "plen", r->pins[i].plen,
				"inside", r->pins[i].inside))) {
			json_decref(pins);
			return NULL;
		}
	}
	names = json_object();
	for (i = 0; names && i < r->comms.n; i++)
		json_object_set_new(names, r->comms.from[i],
				    json_string(r->comms.to[i]));
	for (i = 0; names && i < r->containers.n; i++)
		json_object_set_new(names, r->containers.from[i],
				    json_string(r->containers.to[i]));
	for (i = 0; names && i < r->images.n; i++)
		json_object_set_new(names, r->images.from[i],
				    json_string(r->images.to[i]));
	return json_pack("{s:s,s:o,s:o}", "key", key, "pins", pins, "names",
			 names);
}

int redact_load(const json_t *map, struct redact **out, char *err,
		size_t errlen)
{
	uint8_t key[REDACT_KEY_SIZE];
	const char *k = json_string_value(json_object_get(map, "key"));
	json_t *pins = json_object_get(map, "pins"), *v;
	struct redact *r;
	size_t i;
	int ret;

	if (!k || strlen(k) != 2 * REDACT_KEY_SIZE || !json_is_array(pins)) {
		snprintf(err, errlen, "not a redaction map");
		return -EBADMSG;
	}
	for (i = 0; i < REDACT_KEY_SIZE; i++) {
		unsigned int x;

		if (sscanf(k + 2 * i, "%2x", &x) != 1) {
			snprintf(err, errlen, "not a redaction map: key");
			return -EBADMSG;
		}
		key[i] = (uint8_t)x;
	}
	ret = redact_new(key, &r);
	if (ret < 0)
		return ret;
	json_array_foreach(pins, i, v) {
		const char *a = json_string_value(json_object_get(v, "addr"));
		json_t *pl = json_object_get(v, "plen");
		uint8_t x[16];
		int fam = a ? parse_addr(a, strlen(a), x) : 0;

		if (!fam || !json_is_integer(pl) ||
		    json_integer_value(pl) < 0 ||
		    json_integer_value(pl) > (json_int_t)fam_len(fam) * 8) {
			redact_free(r);
			snprintf(err, errlen, "not a redaction map: pins[%zu]",
				 i);
			return -EBADMSG;
		}
		ret = pin_add(r, fam, x, (unsigned int)json_integer_value(pl),
			      json_is_true(json_object_get(v, "inside")));
		if (ret < 0) {
			redact_free(r);
			return ret;
		}
	}
	*out = r;
	return 0;
}
