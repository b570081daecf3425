// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftev.c - which nftables change events can change the audit (nftev.h).
 *
 * The reach is kept per table (jumps and lookups never leave a table): a
 * set of 64-bit hashes of "KIND NAME" for the chains a base chain reaches
 * and the sets their rules look up, built by a walk over the table's
 * chains (each visited once, found through a hash index), one hash and a
 * probe or two per event.  Two keys with the same hash can only make an
 * event matter that would not have: never the other way round.  A table
 * the incremental reader did not read again (the same packed chains) keeps
 * its set from the last reach: on a node where kube-proxy owns 50,000
 * rules, a change elsewhere costs no walk of them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "array.h"
#include "fnv.h"
#include "nftev.h"
#include "util.h"

enum {
	KEY_CHAIN = 'c',	/* a chain a base chain reaches */
	KEY_SET = 's',		/* a set a reached rule looks up */
	KEY_BASE = 'b',		/* a table holding a base chain */
	KEY_TABLE = 't',	/* a table holding any chain */
};

/* One table.  Open addressing; 0 marks a free slot (a key hashing to 0 is
 * stored as 1: again only an event that matters more often). */
struct nftev_sub {
	uint8_t family;
	char *table;
	bool base;			/* holds a base chain */
	const void *id;			/* its first chain's packed name */
	const char *last;		/* its last chain's table string */
	bool packed_all;		/* every chain packed: id means it */
	size_t nchains;
	size_t n, cap;			/* cap a power of two, n <= cap / 2 */
	uint64_t *slot;
	/* while building: its chains */
	const struct rs_chain **chains;
	size_t nc, capc;
};

struct nftev_reach {
	struct nftev_sub *t;
	size_t n, cap;
	size_t reused;			/* tables whose walk was kept */
};

static uint64_t key_hash(int kind, const char *name)
{
	unsigned char k = (unsigned char)kind;
	uint64_t h = fnv1a64(FNV1A64_INIT, &k, 1);

	h = fnv1a64(h, name, strlen(name));
	/* a final mix: the slot is taken from the low bits */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h ? h : 1;
}

static struct nftev_sub *sub_find(const struct nftev_reach *r,
				  uint8_t family, const char *table)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->t[i].family == family && !strcmp(r->t[i].table, table))
			return &r->t[i];
	return NULL;
}

static bool reach_has(const struct nftev_reach *r, int kind, uint8_t family,
		      const char *table, const char *name)
{
	const struct nftev_sub *t = sub_find(r, family, table);
	uint64_t h;
	size_t i;

	if (kind == KEY_TABLE)
		return t != NULL;
	if (kind == KEY_BASE)
		return t && t->base;
	if (!t || !t->cap)
		return false;
	h = key_hash(kind, name);
	for (i = h & (t->cap - 1); t->slot[i]; i = (i + 1) & (t->cap - 1))
		if (t->slot[i] == h)
			return true;
	return false;
}

static void slot_put(uint64_t *slot, size_t cap, uint64_t h, bool *added)
{
	size_t i;

	for (i = h & (cap - 1); slot[i]; i = (i + 1) & (cap - 1))
		if (slot[i] == h) {
			*added = false;
			return;
		}
	slot[i] = h;
	*added = true;
}

static int sub_push(struct nftev_sub *t, int kind, const char *name)
{
	uint64_t h = key_hash(kind, name);
	bool added;
	size_t i;

	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		uint64_t *slot = calloc(cap, sizeof(*slot));

		if (!slot)
			return -ENOMEM;
		for (i = 0; i < t->cap; i++)
			if (t->slot[i])
				slot_put(slot, cap, t->slot[i], &added);
		free(t->slot);
		t->slot = slot;
		t->cap = cap;
	}
	slot_put(t->slot, t->cap, h, &added);
	t->n += added;
	return 0;
}

void nftev_reach_free(struct nftev_reach *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->t[i].table);
		free(r->t[i].slot);
		free(r->t[i].chains);
	}
	free(r->t);
	free(r);
}

size_t nftev_reach_size(const struct nftev_reach *r)
{
	size_t i, n;

	if (!r)
		return 0;
	n = sizeof(*r) + r->cap * sizeof(*r->t);
	for (i = 0; i < r->n; i++)
		n += r->t[i].cap * sizeof(uint64_t) + strlen(r->t[i].table) + 1;
	return n;
}

size_t nftev_reach_reused(const struct nftev_reach *r)
{
	return r ? r->reused : 0;
}

/* The walk of one table: its chains in a hash index (exact: names compared
 * on every hit), each marked once it is reached. */
struct walk {
	struct nftev_sub *t;
	const struct rs_chain **chain;	/* by slot, NULL: free */
	uint64_t *hash;
	bool *seen;
	size_t cap;
	size_t *queue, nq;
};

/* Reach the chain name of the table (known to the model or not). */
static int walk_reach(struct walk *w, const char *name)
{
	uint64_t h = key_hash(KEY_CHAIN, name);
	size_t i;

	for (i = h & (w->cap - 1); w->chain[i]; i = (i + 1) & (w->cap - 1))
		if (w->hash[i] == h && !strcmp(w->chain[i]->name, name))
			break;
	if (w->chain[i] && w->seen[i])
		return 0;
	if (w->chain[i]) {
		w->seen[i] = true;
		w->queue[w->nq++] = i;
	}
	return sub_push(w->t, KEY_CHAIN, name);
}

static int set_use(struct walk *w, const struct rs_set *s)
{
	if (!s || !s->name)
		return 0;
	return sub_push(w->t, KEY_SET, s->name);
}

static int verdict_follow(struct walk *w, const struct rs_verdict *v)
{
	if ((v->kind != RS_V_JUMP && v->kind != RS_V_GOTO) || !v->chain)
		return 0;
	return walk_reach(w, v->chain);
}

static int rule_reach(struct walk *w, const struct rs_rule *rule)
{
	const struct rs_verdict *v = &rule->verdict;
	size_t i;
	int ret;

	for (i = 0; i < rule->nmatches; i++) {
		ret = set_use(w, rule->matches[i].set);
		if (ret < 0)
			return ret;
	}
	ret = set_use(w, v->map.set);
	if (ret < 0)
		return ret;
	ret = verdict_follow(w, v);
	if (ret < 0 || !v->map.set || !v->map.set->data)
		return ret;
	for (i = 0; i < v->map.set->nelems; i++) {
		ret = verdict_follow(w, &v->map.set->data[i].verdict);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int sub_walk(struct nftev_sub *t)
{
	struct walk w = { .t = t };
	size_t i, j;
	int ret = -ENOMEM;

	for (w.cap = 16; w.cap < 2 * t->nc; w.cap *= 2)
		;
	w.chain = calloc(w.cap, sizeof(*w.chain));
	w.hash = calloc(w.cap, sizeof(*w.hash));
	w.seen = calloc(w.cap, sizeof(*w.seen));
	/* every chain is queued at most once: it is marked first */
	w.queue = calloc(t->nc + 1, sizeof(*w.queue));
	if (!w.chain || !w.hash || !w.seen || !w.queue)
		goto out;
	for (i = 0; i < t->nc; i++) {
		uint64_t h = key_hash(KEY_CHAIN, t->chains[i]->name);

		for (j = h & (w.cap - 1); w.chain[j]; j = (j + 1) & (w.cap - 1))
			;
		w.chain[j] = t->chains[i];
		w.hash[j] = h;
	}
	ret = 0;
	for (i = 0; ret == 0 && i < t->nc; i++)
		if (t->chains[i]->base)
			ret = walk_reach(&w, t->chains[i]->name);
	for (i = 0; ret == 0 && i < w.nq; i++) {
		const struct rs_chain *c = w.chain[w.queue[i]];

		for (j = 0; ret == 0 && j < c->nrules; j++)
			ret = rule_reach(&w, &c->rules[j]);
	}
out:
	free(w.chain);
	free(w.hash);
	free(w.seen);
	free(w.queue);
	return ret;
}

/* The table of chain c, added when new. */
static struct nftev_sub *sub_of(struct nftev_reach *r, const struct rs_chain *c)
{
	struct nftev_sub *t;

	/* a table's chains come together, and packed ones share the
	 * table's string (ruleset_pack_chain()) */
	if (r->n && r->t[r->n - 1].family == c->family &&
	    (r->t[r->n - 1].last == c->table ||
	     !strcmp(r->t[r->n - 1].table, c->table))) {
		r->t[r->n - 1].last = c->table;
		return &r->t[r->n - 1];
	}
	t = sub_find(r, c->family, c->table);
	if (t)
		return t;
	if (array_grow(&r->t, &r->cap, r->n, sizeof(*r->t), SIZE_MAX, 8) < 0)
		return NULL;
	t = &r->t[r->n];
	memset(t, 0, sizeof(*t));
	t->family = c->family;
	t->table = strdup(c->table);
	if (!t->table)
		return NULL;
	t->id = c->name;
	t->last = c->table;
	t->packed_all = true;
	r->n++;
	return t;
}

int nftev_reach_new(const struct ruleset *rs, struct nftev_reach *prev,
		    struct nftev_reach **out)
{
	struct nftev_reach *r = calloc(1, sizeof(*r));
	size_t i;
	int ret = -ENOMEM;

	if (!r)
		return -ENOMEM;
	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];
		struct nftev_sub *t;

		if (c->origin != RS_ORIGIN_NFT || !c->table || !c->name)
			continue;
		t = sub_of(r, c);
		if (!t)
			goto fail;
		if (array_grow(&t->chains, &t->capc, t->nc, sizeof(*t->chains),
			       SIZE_MAX, 16) < 0)
			goto fail;
		t->chains[t->nc++] = c;
		t->base |= c->base;
		/* packed: the same chains of a table kept by the reader have
		 * their names at the same addresses, a table read again not */
		t->packed_all = t->packed_all && c->packed;
	}
	for (i = 0; i < r->n; i++) {
		struct nftev_sub *t = &r->t[i], *old;

		t->nchains = t->nc;
		old = prev ? sub_find(prev, t->family, t->table) : NULL;
		if (old && t->packed_all && old->id == t->id &&
		    old->nchains == t->nchains && old->base == t->base) {
			/* kept: take its walk over */
			t->slot = old->slot;
			t->n = old->n;
			t->cap = old->cap;
			old->slot = NULL;
			old->n = old->cap = 0;
			r->reused++;
		} else {
			ret = sub_walk(t);
			if (ret < 0)
				goto fail;
		}
		free(t->chains);
		t->chains = NULL;
		t->nc = t->capc = 0;
	}
	*out = r;
	return 0;
fail:
	nftev_reach_free(r);
	return ret < 0 ? ret : -ENOMEM;
}

/* ---- messages -------------------------------------------------------- */

/* room for the attributes of every message type judged below */
struct msg_attrs {
	const struct nlattr *tb[64];
	int max;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct msg_attrs *m = data;
	int type = mnl_attr_get_type(a);

	if (type <= m->max)
		m->tb[type] = a;
	return MNL_CB_OK;
}

/* A string attribute, or NULL when absent or not terminated. */
static const char *attr_str(const struct nlattr *a)
{
	const char *s;
	uint16_t len;

	if (!a)
		return NULL;
	len = mnl_attr_get_payload_len(a);
	s = mnl_attr_get_payload(a);
	if (!len || memchr(s, '\0', len) == NULL)
		return NULL;
	return s;
}

bool nftev_matters(const struct nftev_reach *r, const void *buf, size_t len,
		   uint32_t *genid)
{
	const struct nlmsghdr *nlh = buf;
	const struct nfgenmsg *g;
	struct msg_attrs m;
	const char *table, *name;
	uint8_t family;
	unsigned int type;

	if (len < sizeof(*nlh) || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*g)) ||
	    nlh->nlmsg_len > len ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return true;
	g = mnl_nlmsg_get_payload(nlh);
	family = g->nfgen_family;
	type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	memset(&m, 0, sizeof(m));
	m.max = (int)(ARRAY_SIZE(m.tb)) - 1;
	if (mnl_attr_parse(nlh, sizeof(*g), attr_cb, &m) < 0)
		return true;
	if (type == NFT_MSG_NEWGEN) {
		if (m.tb[NFTA_GEN_ID] &&
		    mnl_attr_get_payload_len(m.tb[NFTA_GEN_ID]) == 4)
			*genid = ntohl(mnl_attr_get_u32(m.tb[NFTA_GEN_ID]));
		return false;
	}
	if (!r)
		return true;
	switch (type) {
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE:
		table = attr_str(m.tb[NFTA_RULE_TABLE]);
		name = attr_str(m.tb[NFTA_RULE_CHAIN]);
		return !table || !name ||
		       reach_has(r, KEY_CHAIN, family, table, name);
	case NFT_MSG_NEWCHAIN:
		table = attr_str(m.tb[NFTA_CHAIN_TABLE]);
		name = attr_str(m.tb[NFTA_CHAIN_NAME]);
		/* a new chain: nothing can have jumped to it yet; without
		 * NLM_F_CREATE it is an update (a rename, a policy) */
		return !table || !name || m.tb[NFTA_CHAIN_HOOK] ||
		       !(nlh->nlmsg_flags & NLM_F_CREATE) ||
		       reach_has(r, KEY_CHAIN, family, table, name);
	case NFT_MSG_DELCHAIN:
		table = attr_str(m.tb[NFTA_CHAIN_TABLE]);
		name = attr_str(m.tb[NFTA_CHAIN_NAME]);
		return !table || !name || m.tb[NFTA_CHAIN_HOOK] ||
		       reach_has(r, KEY_CHAIN, family, table, name);
	case NFT_MSG_NEWSET:
	case NFT_MSG_DELSET:
		table = attr_str(m.tb[NFTA_SET_TABLE]);
		name = attr_str(m.tb[NFTA_SET_NAME]);
		return !table || !name ||
		       reach_has(r, KEY_SET, family, table, name);
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_DELSETELEM:
		table = attr_str(m.tb[NFTA_SET_ELEM_LIST_TABLE]);
		name = attr_str(m.tb[NFTA_SET_ELEM_LIST_SET]);
		return !table || !name ||
		       reach_has(r, KEY_SET, family, table, name);
	case NFT_MSG_NEWTABLE:
		/* a table the model has chains of may wake up (dormant) */
		table = attr_str(m.tb[NFTA_TABLE_NAME]);
		return !table || reach_has(r, KEY_TABLE, family, table, NULL);
	case NFT_MSG_DELTABLE:
		table = attr_str(m.tb[NFTA_TABLE_NAME]);
		return !table || reach_has(r, KEY_BASE, family, table, NULL);
	case NFT_MSG_NEWOBJ:
	case NFT_MSG_DELOBJ:
		return !m.tb[NFTA_OBJ_TYPE] ||
		       mnl_attr_get_payload_len(m.tb[NFTA_OBJ_TYPE]) != 4 ||
		       ntohl(mnl_attr_get_u32(m.tb[NFTA_OBJ_TYPE])) !=
		       NFT_OBJECT_COUNTER;
	default:
		return true;
	}
}

int nftev_table(const void *buf, size_t len, uint8_t *family,
		const char **table, uint32_t *genid)
{
	const struct nlmsghdr *nlh = buf;
	struct msg_attrs m;
	unsigned int type;
	int attr;

	if (len < sizeof(*nlh) ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nfgenmsg)) ||
	    nlh->nlmsg_len > len ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return 0;
	memset(&m, 0, sizeof(m));
	m.max = (int)(ARRAY_SIZE(m.tb)) - 1;
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, &m) < 0)
		return 0;
	type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	switch (type) {
	case NFT_MSG_NEWGEN:
		if (!m.tb[NFTA_GEN_ID] ||
		    mnl_attr_get_payload_len(m.tb[NFTA_GEN_ID]) != 4)
			return 0;
		*genid = ntohl(mnl_attr_get_u32(m.tb[NFTA_GEN_ID]));
		return 2;
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE:
		attr = NFTA_TABLE_NAME;
		break;
	case NFT_MSG_NEWCHAIN:
	case NFT_MSG_DELCHAIN:
		attr = NFTA_CHAIN_TABLE;
		break;
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE:
		attr = NFTA_RULE_TABLE;
		break;
	case NFT_MSG_NEWSET:
	case NFT_MSG_DELSET:
		attr = NFTA_SET_TABLE;
		break;
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_DELSETELEM:
		attr = NFTA_SET_ELEM_LIST_TABLE;
		break;
	case NFT_MSG_NEWOBJ:
	case NFT_MSG_DELOBJ:
		attr = NFTA_OBJ_TABLE;
		break;
	case NFT_MSG_NEWFLOWTABLE:
	case NFT_MSG_DELFLOWTABLE:
		attr = NFTA_FLOWTABLE_TABLE;
		break;
	default:
		return 0;
	}
	*table = attr_str(m.tb[attr]);
	if (!*table)
		return 0;
	*family = ((const struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family;
	return 1;
}
