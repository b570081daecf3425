// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ebtleg.c - the ebtables-legacy reader (see ebtleg.h).
 *
 * The blob is checked whole first (ebt_scan()): chain headers and rules
 * in sequence, each rule's matches, watchers and target inside it, the
 * counts the headers give.  Only then are rules decoded, so a malformed
 * blob adds nothing.  Headers are copied out with memcpy: a blob replayed
 * from a snapshot may sit at any alignment.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netfilter_bridge.h>
#include <linux/netfilter_bridge/ebtables.h>

#include "ebtleg.h"
#include "fnv.h"
#include "nldump.h"
#include "util.h"
#include "xt.h"
#include "xtebt.h"

const char *const ebtleg_tables[EBTLEG_NTABLES] = { "filter", "nat",
						     "broute" };

/* getsockopt retries when the table changes between its two calls */
#define EBTLEG_TRIES	3

struct ebt_chainhdr {
	size_t off;		/* of its struct ebt_entries in the blob */
	char name[EBT_CHAIN_MAXNAMELEN + 1];
	int policy;
	unsigned int nentries;
};

static bool ebt_is_chain(const unsigned char *p)
{
	unsigned int bitmask;

	memcpy(&bitmask, p, sizeof(bitmask));
	return !(bitmask & EBT_ENTRY_OR_ENTRIES);
}

/* A run of extension records (matches or watchers: the same layout as
 * struct ebt_entry_match) from off to end inside one rule. */
static int ebt_ext_check(const unsigned char *e, size_t off, size_t end)
{
	struct ebt_entry_match m;

	while (off < end) {
		if (end - off < sizeof(m))
			return -EBADMSG;
		memcpy(&m, e + off, sizeof(m));
		if (m.match_size > end - off - sizeof(m))
			return -EBADMSG;
		off += sizeof(m) + m.match_size;
	}
	return 0;
}

/* One rule at e with avail bytes left in the blob: its header in *h. */
static int ebt_entry_check(const unsigned char *e, size_t avail,
			   struct ebt_entry *h)
{
	struct ebt_entry_target t;

	if (avail < sizeof(*h))
		return -EBADMSG;
	memcpy(h, e, sizeof(*h));
	if (h->watchers_offset < sizeof(*h) ||
	    h->target_offset < h->watchers_offset ||
	    h->next_offset < h->target_offset || h->next_offset > avail ||
	    h->next_offset - h->target_offset < sizeof(t))
		return -EBADMSG;
	if (ebt_ext_check(e, sizeof(*h), h->watchers_offset) < 0 ||
	    ebt_ext_check(e, h->watchers_offset, h->target_offset) < 0)
		return -EBADMSG;
	memcpy(&t, e + h->target_offset, sizeof(t));
	if (t.target_size > h->next_offset - h->target_offset - sizeof(t))
		return -EBADMSG;
	return 0;
}

/*
 * Check the whole blob; the chain headers in *out (*n of them, at least
 * one per valid hook).  Built-in chains come first, in hook order, as the
 * kernel requires of what it accepts.
 */
static int ebt_scan(const struct ebtleg_blob *b, struct ebt_chainhdr **out,
		    size_t *n)
{
	struct ebt_chainhdr *v = NULL;
	size_t nv = 0, cap, off = 0, total = 0, left = 0;
	struct ebt_entries c;
	struct ebt_entry h;
	int ret = -EBADMSG;

	if (b->size > EBTLEG_MAX_BLOB || b->nentries > EBTLEG_MAX_ENTRIES)
		return -E2BIG;
	if (!b->entries || b->size < sizeof(c) ||
	    (b->valid_hooks & ~((1u << NF_BR_NUMHOOKS) - 1)) ||
	    !b->valid_hooks)
		return -EBADMSG;
	cap = b->size / sizeof(c);
	v = calloc(cap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	while (off < b->size) {
		const unsigned char *p = b->entries + off;

		if (b->size - off < sizeof(unsigned int))
			goto out;
		if (ebt_is_chain(p)) {
			if (left || b->size - off < sizeof(c) || nv == cap)
				goto out;
			memcpy(&c, p, sizeof(c));
			v[nv].off = off;
			memcpy(v[nv].name, c.name, EBT_CHAIN_MAXNAMELEN);
			v[nv].policy = c.policy;
			v[nv].nentries = c.nentries;
			left = c.nentries;
			if (left > b->nentries - total)
				goto out;
			nv++;
			off += sizeof(c);
			continue;
		}
		if (!nv || !left)
			goto out;	/* a rule outside any chain's count */
		if (ebt_entry_check(p, b->size - off, &h) < 0)
			goto out;
		off += h.next_offset;
		left--;
		total++;
	}
	if (left || total != b->nentries ||
	    nv < (size_t)__builtin_popcount(b->valid_hooks))
		goto out;
	*out = v;
	*n = nv;
	return 0;
out:
	free(v);
	return ret;
}

/* ebt_dev_check(): a name ends at NUL; byte 1 makes the rest a wildcard
 * (ebtables writes "eth+" so); an empty name tests nothing, and inverted
 * it never matches. */
static int ebt_ifname(struct rs_rule *r, enum rs_field f, const char *raw,
		      bool invert)
{
	char name[IFNAMSIZ + 1];
	struct rs_match *m;
	bool wildcard = false;
	size_t i;

	for (i = 0; i < IFNAMSIZ && raw[i] != '\0'; i++) {
		if (raw[i] == 1) {
			wildcard = true;
			break;
		}
		name[i] = raw[i];
	}
	name[i] = '\0';
	if (i == 0 && !wildcard && !invert)
		return 0;
	m = rs_rule_add_match(r);
	if (!m)
		return -ENOMEM;
	if (i == 0 && !wildcard) {
		m->op = RS_OP_IN;	/* no element: never */
		m->nfields = 1;
		m->fields[0] = f;
		return 0;
	}
	return rs_match_set_ifname(m, f, name, wildcard, invert);
}

/* --logical-out: tested only where the frame has an output port
 * (forward, output, postrouting), a place the model has no field for:
 * undecided, named. */
static int ebt_logical_out(struct rs_rule *r, const char *raw, bool invert)
{
	char text[IFNAMSIZ + 32];
	struct rs_match *m;

	if (raw[0] == '\0' && !invert)
		return 0;
	snprintf(text, sizeof(text), "logical-out %s%.*s", invert ? "! " : "",
		 IFNAMSIZ, raw);
	m = rs_rule_add_match(r);
	if (!m)
		return -ENOMEM;
	return rs_match_set_other(m, RS_F_OTHER, "logical-out", 0, text,
				  false);
}

/* ebtables masks the frame's address, not its own: (mac ^ addr) & msk */
static int ebt_mac(struct rs_rule *r, enum rs_field f, const unsigned char *mac,
		   const unsigned char *msk, bool invert)
{
	rs_u128 a = 0, k = 0;
	size_t i;

	for (i = 0; i < 6; i++) {
		a = a << 8 | (mac[i] & msk[i]);
		k = k << 8 | msk[i];
	}
	return xt_add_mask(r, f, k, a, invert);
}

/* ebt_basic_match(): protocol, devices, MAC addresses. */
static int ebt_basic(struct rs_rule *r, const struct ebt_entry *h)
{
	unsigned int inv = h->invflags;
	struct rs_match *m;
	int ret = 0;

	if ((h->bitmask & ~EBT_F_MASK) || (inv & ~EBT_INV_MASK))
		return -EBADMSG;
	if (h->bitmask & EBT_802_3) {
		/* a length field, not an ethertype: below 0x600 */
		m = rs_rule_add_match(r);
		ret = m ? rs_match_set_range(m, RS_F_ETHERTYPE, 0, 0x5ff,
					     inv & EBT_IPROTO) : -ENOMEM;
	} else if (!(h->bitmask & EBT_NOPROTO)) {
		uint16_t p = ntohs(h->ethproto);

		m = rs_rule_add_match(r);
		ret = m ? rs_match_set_range(m, RS_F_ETHERTYPE, p, p,
					     inv & EBT_IPROTO) : -ENOMEM;
	}
	if (!ret)
		ret = ebt_ifname(r, RS_F_IIFNAME, h->in, inv & EBT_IIN);
	if (!ret)
		ret = ebt_ifname(r, RS_F_OIFNAME, h->out, inv & EBT_IOUT);
	/* the bridge of the port the frame came in on: every frame at the
	 * bridge hooks has one */
	if (!ret)
		ret = ebt_ifname(r, RS_F_IBRNAME, h->logical_in,
				 inv & EBT_ILOGICALIN);
	if (!ret)
		ret = ebt_logical_out(r, h->logical_out,
				      inv & EBT_ILOGICALOUT);
	if (!ret && (h->bitmask & EBT_SOURCEMAC))
		ret = ebt_mac(r, RS_F_ETHER_SADDR, h->sourcemac, h->sourcemsk,
			      inv & EBT_ISOURCE);
	if (!ret && (h->bitmask & EBT_DESTMAC))
		ret = ebt_mac(r, RS_F_ETHER_DADDR, h->destmac, h->destmsk,
			      inv & EBT_IDEST);
	return ret;
}

static const struct ebt_chainhdr *ebt_chain_at(const struct ebt_chainhdr *v,
					       size_t n, size_t off)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].off == off)
			return &v[i];
	return NULL;
}

/* A standard verdict: EBT_ACCEPT .. EBT_RETURN, or the offset of the
 * chain to jump to. */
static int ebt_standard(struct rs_rule *r, int verdict,
			const struct ebt_chainhdr *v, size_t n)
{
	const struct ebt_chainhdr *to;

	if (!xtebt_verdict(r, verdict))
		return 0;
	if (verdict < 0)
		return -EBADMSG;
	to = ebt_chain_at(v, n, (size_t)verdict);
	if (!to)
		return -EBADMSG;
	r->verdict.chain = strdup(to->name);
	if (!r->verdict.chain)
		return -ENOMEM;
	r->verdict.kind = RS_V_JUMP;
	return 0;
}

static void ebt_extname(char *dst, const void *rec, uint8_t *rev)
{
	struct ebt_entry_match m;

	memcpy(&m, rec, sizeof(m));
	memcpy(dst, m.u.name, EBT_EXTENSION_MAXNAMELEN);
	dst[EBT_EXTENSION_MAXNAMELEN - 1] = '\0';
	*rev = m.u.revision;
}

/* The broute table's "route" verdict (DROP there). */
static int ebt_broute_route(struct rs_rule *r)
{
	r->verdict.kind = RS_V_OTHER;
	r->verdict.name = strdup("broute");
	return r->verdict.name ? 0 : -ENOMEM;
}

static int ebt_rule(struct rs_rule *r, const unsigned char *e,
		    const struct ebt_chainhdr *v, size_t n, bool broute)
{
	char name[EBT_EXTENSION_MAXNAMELEN + 1];
	struct ebt_entry_target t;
	struct ebt_entry_match m;
	struct ebt_entry h;
	struct rs_stmt *s;
	size_t off;
	uint8_t rev;
	int ret, verdict;

	memcpy(&h, e, sizeof(h));
	ret = ebt_basic(r, &h);
	for (off = sizeof(h); !ret && off < h.watchers_offset;
	     off += sizeof(m) + m.match_size) {
		memcpy(&m, e + off, sizeof(m));
		ebt_extname(name, e + off, &rev);
		ret = xt_decode_match(r, NFPROTO_BRIDGE, name, rev,
				      e + off + sizeof(m), m.match_size);
	}
	for (off = h.watchers_offset; !ret && off < h.target_offset;
	     off += sizeof(m) + m.match_size) {
		/* log, nflog: they see the frame, decide nothing */
		memcpy(&m, e + off, sizeof(m));
		ebt_extname(name, e + off, &rev);
		s = rs_rule_add_stmt(r);
		if (!s)
			return -ENOMEM;
		s->name = strdup("watcher");
		s->text = strdup(name);
		if (!s->name || !s->text)
			return -ENOMEM;
	}
	if (ret)
		return ret;
	memcpy(&t, e + h.target_offset, sizeof(t));
	ebt_extname(name, e + h.target_offset, &rev);
	if (strcmp(name, EBT_STANDARD_TARGET) == 0) {
		if (t.target_size < sizeof(verdict))
			return -EBADMSG;
		memcpy(&verdict, e + h.target_offset + sizeof(t),
		       sizeof(verdict));
		if (broute && verdict == EBT_DROP)
			return ebt_broute_route(r);
		return ebt_standard(r, verdict, v, n);
	}
	return xt_decode_target(r, NFPROTO_BRIDGE, name, rev,
				e + h.target_offset + sizeof(t),
				t.target_size);
}

/* Where the kernel registers each table's hooks (ebtable_*.c). */
static int32_t ebt_priority(const char *table, uint32_t hook)
{
	if (!strcmp(table, "broute"))
		return NF_BR_PRI_FIRST;
	if (!strcmp(table, "nat"))
		return hook == NF_BR_PRE_ROUTING ? NF_BR_PRI_NAT_DST_BRIDGED :
		       hook == NF_BR_LOCAL_OUT ? NF_BR_PRI_NAT_DST_OTHER :
		       NF_BR_PRI_NAT_SRC;
	return hook == NF_BR_LOCAL_OUT ? NF_BR_PRI_FILTER_OTHER :
	       NF_BR_PRI_FILTER_BRIDGED;
}

/* A last rule of no match carrying a verdict the model's chain cannot
 * hold as its policy (a user chain's ACCEPT or DROP, broute's route). */
static int ebt_tail_rule(struct ruleset *rs, struct rs_chain *c, int policy,
			 bool broute, const struct ebt_chainhdr *v, size_t n)
{
	struct rs_rule *r = rs_chain_add_rule(c);
	int ret;

	if (!r)
		return -ENOMEM;
	r->position = (unsigned int)c->nrules;
	ret = broute ? ebt_broute_route(r) : ebt_standard(r, policy, v, n);
	return ret ? ret : ruleset_pack_rule(rs, r);
}

static int ebt_chain(struct ruleset *rs, const struct ebtleg_blob *b,
		     const struct ebt_chainhdr *v, size_t n, size_t ci,
		     int hook)
{
	const char *table = b->name;
	bool broute = hook >= 0 && !strcmp(table, "broute");
	struct rs_chain *c;
	size_t off, k;
	int ret;

	c = ruleset_add_chain(rs, RS_ORIGIN_LEGACY, NFPROTO_BRIDGE, table,
			      v[ci].name);
	if (!c)
		return -ENOMEM;
	c->type = strdup("filter");
	if (!c->type)
		return -ENOMEM;
	c->policy = RS_V_NONE;
	if (hook >= 0) {
		c->base = true;
		/* broute's hook is NF_BR_BROUTING in the table, run from
		 * the bridge's prerouting hook before anything else */
		c->hook = hook == NF_BR_BROUTING ? NF_BR_PRE_ROUTING :
			  (uint32_t)hook;
		c->priority = ebt_priority(table, (uint32_t)hook);
		if (v[ci].policy == EBT_ACCEPT || broute)
			c->policy = RS_V_ACCEPT;
		else if (v[ci].policy == EBT_DROP)
			c->policy = RS_V_DROP;
		else
			return -EBADMSG;
	} else if (v[ci].policy != EBT_RETURN && v[ci].policy != EBT_ACCEPT &&
		   v[ci].policy != EBT_DROP) {
		return -EBADMSG;
	}
	off = v[ci].off + sizeof(struct ebt_entries);
	for (k = 0; k < v[ci].nentries; k++) {
		struct ebt_entry h;
		struct rs_rule *r = rs_chain_add_rule(c);

		if (!r)
			return -ENOMEM;
		r->position = (unsigned int)k + 1;
		ret = ebt_rule(r, b->entries + off, v, n, broute);
		if (ret < 0)
			return ret;
		ret = ruleset_pack_rule(rs, r);
		if (ret < 0)
			return ret;
		memcpy(&h, b->entries + off, sizeof(h));
		off += h.next_offset;
	}
	if (broute && v[ci].policy == EBT_DROP)
		ret = ebt_tail_rule(rs, c, 0, true, v, n);
	else if (hook < 0 && v[ci].policy != EBT_RETURN)
		ret = ebt_tail_rule(rs, c, v[ci].policy, false, v, n);
	else
		ret = 0;
	return ret ? ret : ruleset_pack_chain(rs, c);
}

int ebtleg_parse(struct ruleset *rs, const struct ebtleg_blob *b)
{
	struct ebt_chainhdr *v = NULL;
	struct ruleset *tmp = NULL;
	size_t n = 0, i;
	int hook = -1, ret;
	bool known = false;

	for (i = 0; i < EBTLEG_NTABLES; i++)
		known |= strncmp(b->name, ebtleg_tables[i],
				 sizeof(b->name)) == 0;
	if (!known)
		return -EINVAL;
	ret = ebt_scan(b, &v, &n);
	if (ret < 0)
		return ret;
	tmp = ruleset_new();
	if (!tmp) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n && !ret; i++) {
		/* the first chains are the valid hooks', in order */
		if (hook < NF_BR_NUMHOOKS) {
			do
				hook++;
			while (hook < NF_BR_NUMHOOKS &&
			       !(b->valid_hooks & (1u << hook)));
		}
		ret = ebt_chain(tmp, b, v, n, i,
				hook < NF_BR_NUMHOOKS ? hook : -1);
	}
	if (!ret)
		ret = ruleset_append(rs, tmp);
	if (ret == -EINVAL)
		ret = -EBADMSG;
out:
	ruleset_free(tmp);
	free(v);
	return ret;
}

int ebtleg_foreach_match(const struct ebtleg_blob *b,
			 int (*fn)(void *ctx, const char *name, uint8_t rev,
				   unsigned char *data, size_t len),
			 void *ctx)
{
	char name[EBT_EXTENSION_MAXNAMELEN + 1];
	struct ebt_chainhdr *v = NULL;
	struct ebt_entry_match m;
	struct ebt_entry h;
	size_t n = 0, off = 0, mo;
	uint8_t rev;
	int ret;

	ret = ebt_scan(b, &v, &n);
	free(v);
	if (ret < 0)
		return ret == -ENOMEM ? ret : -EBADMSG;
	while (off < b->size && !ret) {
		unsigned char *e = b->entries + off;

		if (ebt_is_chain(e)) {
			off += sizeof(struct ebt_entries);
			continue;
		}
		memcpy(&h, e, sizeof(h));
		for (mo = sizeof(h); !ret && mo < h.watchers_offset;
		     mo += sizeof(m) + m.match_size) {
			memcpy(&m, e + mo, sizeof(m));
			ebt_extname(name, e + mo, &rev);
			ret = fn(ctx, name, rev, e + mo + sizeof(m),
				 m.match_size);
		}
		off += h.next_offset;
	}
	return ret;
}

void ebtleg_blob_release(struct ebtleg_blob *b)
{
	if (!b)
		return;
	free(b->entries);
	b->entries = NULL;
	b->size = 0;
}

int ebtleg_read_blob(int fd, const char *name, struct ebtleg_blob *out)
{
	struct ebt_replace info, req;
	unsigned char *buf = NULL;
	socklen_t len;
	int tries, err = -EAGAIN;

	for (tries = 0; tries < EBTLEG_TRIES; tries++) {
		memset(&info, 0, sizeof(info));
		snprintf(info.name, sizeof(info.name), "%s", name);
		len = sizeof(info);
		if (getsockopt(fd, IPPROTO_IP, EBT_SO_GET_INFO, &info,
			       &len) < 0)
			return errno == ENOPROTOOPT ? -ENOPROTOOPT : -errno;
		if (info.entries_size > EBTLEG_MAX_BLOB ||
		    info.nentries > EBTLEG_MAX_ENTRIES)
			return -E2BIG;
		free(buf);
		buf = malloc(info.entries_size ? info.entries_size : 1);
		if (!buf)
			return -ENOMEM;
		req = info;
		req.num_counters = 0;
		req.counters = NULL;
		req.entries = (char *)buf;
		len = (socklen_t)(sizeof(req) + info.entries_size);
		if (getsockopt(fd, IPPROTO_IP, EBT_SO_GET_ENTRIES, &req,
			       &len) == 0) {
			memset(out, 0, sizeof(*out));
			snprintf(out->name, sizeof(out->name), "%s", name);
			out->valid_hooks = info.valid_hooks;
			out->nentries = info.nentries;
			out->size = info.entries_size;
			out->entries = buf;
			return 0;
		}
		/* EINVAL: the size or count changed since GET_INFO */
		err = errno == EINVAL ? -EAGAIN : -errno;
		if (err != -EAGAIN)
			break;
	}
	free(buf);
	return err;
}

/* ---- fwauditd's poll (watch.c's fingerprint) --------------------------- */

uint64_t ebtleg_blob_hash(const struct ebtleg_blob *b)
{
	uint64_t h = fnv1a64(FNV1A64_INIT, b->name, strnlen(b->name,
							    sizeof(b->name)));

	h = fnv1a64(h, &b->valid_hooks, sizeof(b->valid_hooks));
	h = fnv1a64(h, &b->nentries, sizeof(b->nentries));
	h = fnv1a64(h, &b->size, sizeof(b->size));
	return fnv1a64(h, b->entries, b->size);
}

bool ebtleg_may_poll(const char *sysmod, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/ebtables", sysmod);
	if (access(path, F_OK) < 0)
		return true;	/* no ebtables, or built in */
	snprintf(path, sizeof(path), "%s/ebtable_%s", sysmod, name);
	return access(path, F_OK) == 0;
}

int ebtleg_table_hash(int fd, const char *name, uint64_t *hash)
{
	struct ebtleg_blob b;
	int err;

	if (!ebtleg_may_poll("/sys/module", name))
		return -ENOENT;
	err = ebtleg_read_blob(fd, name, &b);
	if (err < 0)
		return err;
	*hash = ebtleg_blob_hash(&b);
	ebtleg_blob_release(&b);
	return 0;
}

/* What the live read and the replay do with one table: decode it, or
 * say why not. */
static int ebt_table_done(struct ruleset *rs, const char *name, int err,
			  const struct ebtleg_blob *b)
{
	if (err < 0)
		return ruleset_note(rs, "ebtables-legacy table %s not read: %s",
				    name, strerror(-err));
	err = ebtleg_parse(rs, b);
	if (err == -ENOMEM)
		return err;
	if (err < 0)
		return ruleset_note(rs, "ebtables-legacy table %s not decoded: "
				    "%s", name, strerror(-err));
	return 0;
}

static int ebt_record(FILE *rec, const char *name, int err,
		      const struct ebtleg_blob *b)
{
	struct ebtleg_rec_hdr h;

	memset(&h, 0, sizeof(h));
	snprintf(h.name, sizeof(h.name), "%s", name);
	h.error = err;
	if (!err) {
		h.valid_hooks = b->valid_hooks;
		h.nentries = b->nentries;
		h.size = (uint32_t)b->size;
	}
	if (fwrite(&h, sizeof(h), 1, rec) != 1 ||
	    (h.size && fwrite(b->entries, h.size, 1, rec) != 1))
		return -EIO;
	return 0;
}

int ebtleg_dump_ruleset(struct ruleset *rs)
{
	struct ebtleg_blob b;
	FILE *rec = NULL;
	size_t i;
	int fd, ret, err;

	ret = nld_record_open(EBTLEG_RECORD_ENV, &rec);
	if (ret < 0)
		return ret;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		ret = rec ? ebt_record(rec, ebtleg_tables[0], err, NULL) : 0;
		if (!ret)
			ret = ebt_table_done(rs, ebtleg_tables[0], err, NULL);
		goto out;
	}
	for (i = 0; i < EBTLEG_NTABLES && !ret; i++) {
		/* a table whose module is not loaded is in no namespace:
		 * asking would load it and create an empty one here, and an
		 * audit changes nothing */
		if (!ebtleg_may_poll("/sys/module", ebtleg_tables[i]))
			continue;
		memset(&b, 0, sizeof(b));
		err = ebtleg_read_blob(fd, ebtleg_tables[i], &b);
		if (err == -ENOPROTOOPT)
			break;		/* no ebtables-legacy in this kernel */
		if (err == -ENOENT)
			continue;
		if (err == -ENOMEM) {
			ret = err;
			break;
		}
		if (rec)
			ret = ebt_record(rec, ebtleg_tables[i], err, &b);
		if (!ret)
			ret = ebt_table_done(rs, ebtleg_tables[i], err, &b);
		ebtleg_blob_release(&b);
	}
	close(fd);
out:
	if (rec && fclose(rec) != 0 && !ret)
		ret = -EIO;
	return ret;
}

int ebtleg_foreach_record(unsigned char *buf, size_t len,
			  int (*fn)(void *ctx, struct ebtleg_blob *b),
			  void *ctx)
{
	struct ebtleg_rec_hdr h;
	struct ebtleg_blob b;
	size_t off = 0, n = 0;
	int ret = 0;

	while (off < len && !ret) {
		if (len - off < sizeof(h) || ++n > EBTLEG_NTABLES)
			return -EBADMSG;
		memcpy(&h, buf + off, sizeof(h));
		off += sizeof(h);
		if (h.size > EBTLEG_MAX_BLOB || h.size > len - off ||
		    (h.error && h.size) || h.error > 0 || h.error < -4095 ||
		    !memchr(h.name, '\0', sizeof(h.name)))
			return -EBADMSG;
		memset(&b, 0, sizeof(b));
		memcpy(b.name, h.name, sizeof(b.name));
		b.valid_hooks = h.valid_hooks;
		b.nentries = h.nentries;
		b.size = h.size;
		b.entries = h.error ? NULL : buf + off;
		ret = fn(ctx, &b);
		off += h.size;
	}
	return ret;
}

struct ebt_replay {
	struct ebtleg_blob blobs[EBTLEG_NTABLES];
	size_t n;
};

/* The records are collected first: a recording cut anywhere appends
 * nothing.  The blobs themselves are checked when decoded, as live. */
static int ebt_replay_one(void *ctx, struct ebtleg_blob *b)
{
	struct ebt_replay *r = ctx;

	r->blobs[r->n++] = *b;
	return 0;
}

int ebtleg_replay_buf(struct ruleset *rs, const void *buf, size_t len)
{
	struct ebt_replay r = { .n = 0 };
	struct ebtleg_rec_hdr h;
	unsigned char *copy;
	size_t i, off = 0;
	int ret;

	/* a private copy: foreach hands out writable blobs */
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len);
	ret = ebtleg_foreach_record(copy, len, ebt_replay_one, &r);
	for (i = 0; i < r.n && !ret; i++) {
		memcpy(&h, copy + off, sizeof(h));
		off += sizeof(h) + h.size;
		ret = ebt_table_done(rs, r.blobs[i].name, h.error, &r.blobs[i]);
	}
	free(copy);
	return ret;
}
