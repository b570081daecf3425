// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftev.c - which nftables change events can change the audit (nftev.h).
 *
 * The reach is one sorted array of keys "KIND FAMILY TABLE NAME" (fields
 * separated by 0x01, which no nftables name holds), searched with bsearch:
 * built once per audit (a walk over the chains a base chain reaches, each
 * visited once), a few string compares per event.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nftev.h"

enum {
	KEY_CHAIN = 'c',	/* a chain a base chain reaches */
	KEY_SET = 's',		/* a set a reached rule looks up */
	KEY_BASE = 'b',		/* a table holding a base chain */
	KEY_TABLE = 't',	/* a table holding any chain */
};

struct nftev_reach {
	size_t n, cap;
	char **keys;
	size_t bytes;
};

static char *key_make(int kind, uint8_t family, const char *table,
		      const char *name)
{
	size_t lt = strlen(table), ln = name ? strlen(name) : 0;
	char *k = malloc(lt + ln + 5);

	if (!k)
		return NULL;
	k[0] = (char)kind;
	k[1] = (char)(family + 1);	/* never 0: the key is a C string */
	k[2] = 1;
	memcpy(k + 3, table, lt);
	k[3 + lt] = 1;
	memcpy(k + 4 + lt, name ? name : "", ln);
	k[4 + lt + ln] = '\0';
	return k;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool reach_has(const struct nftev_reach *r, int kind, uint8_t family,
		      const char *table, const char *name)
{
	char *k = key_make(kind, family, table, name);
	bool found;

	if (!k)
		return true;	/* cannot tell: it matters */
	found = bsearch(&k, r->keys, r->n, sizeof(*r->keys), key_cmp) != NULL;
	free(k);
	return found;
}

/* Append a key; nftev_reach_new() sorts and deduplicates them at the end. */
static int reach_push(struct nftev_reach *r, int kind, uint8_t family,
		      const char *table, const char *name)
{
	char *k;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		char **nk = realloc(r->keys, cap * sizeof(*nk));

		if (!nk)
			return -ENOMEM;
		r->keys = nk;
		r->cap = cap;
	}
	k = key_make(kind, family, table, name);
	if (!k)
		return -ENOMEM;
	r->keys[r->n++] = k;
	r->bytes += strlen(k) + 1 + sizeof(char *);
	return 0;
}

static void reach_finish(struct nftev_reach *r)
{
	size_t i, n = 0;

	qsort(r->keys, r->n, sizeof(*r->keys), key_cmp);
	for (i = 0; i < r->n; i++) {
		if (n && !strcmp(r->keys[n - 1], r->keys[i])) {
			r->bytes -= strlen(r->keys[i]) + 1 + sizeof(char *);
			free(r->keys[i]);
			continue;
		}
		r->keys[n++] = r->keys[i];
	}
	r->n = n;
}

void nftev_reach_free(struct nftev_reach *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->keys[i]);
	free(r->keys);
	free(r);
}

size_t nftev_reach_size(const struct nftev_reach *r)
{
	return r ? r->bytes + r->cap * sizeof(char *) + sizeof(*r) : 0;
}

/* The walk: the nftables chains sorted by (family, table, name), each
 * marked once it is reached. */
struct chain_ref {
	const struct rs_chain *c;
	bool seen;
};

struct walk {
	struct nftev_reach *r;
	struct chain_ref *idx;
	size_t nidx;
	size_t *queue, nq;
};

static int chain_ref_cmp(const void *a, const void *b)
{
	const struct rs_chain *x = ((const struct chain_ref *)a)->c;
	const struct rs_chain *y = ((const struct chain_ref *)b)->c;
	int d;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	d = strcmp(x->table, y->table);
	return d ? d : strcmp(x->name, y->name);
}

/* Reach the chain family/table/name (known to the model or not). */
static int walk_reach(struct walk *w, uint8_t family, const char *table,
		      const char *name)
{
	struct rs_chain key = { .family = family };
	struct chain_ref k = { .c = &key }, *f;
	int ret;

	key.table = (char *)table;
	key.name = (char *)name;
	f = bsearch(&k, w->idx, w->nidx, sizeof(*w->idx), chain_ref_cmp);
	if (f && f->seen)
		return 0;
	ret = reach_push(w->r, KEY_CHAIN, family, table, name);
	if (ret < 0 || !f)
		return ret;
	f->seen = true;
	w->queue[w->nq++] = (size_t)(f - w->idx);
	return 0;
}

static int set_use(struct walk *w, const struct rs_set *s)
{
	if (!s || !s->table || !s->name)
		return 0;
	return reach_push(w->r, KEY_SET, s->family, s->table, s->name);
}

static int verdict_follow(struct walk *w, const struct rs_chain *from,
			  const struct rs_verdict *v)
{
	if ((v->kind != RS_V_JUMP && v->kind != RS_V_GOTO) || !v->chain)
		return 0;
	return walk_reach(w, from->family, from->table, v->chain);
}

static int rule_reach(struct walk *w, const struct rs_chain *c,
		      const struct rs_rule *rule)
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
	ret = verdict_follow(w, c, v);
	if (ret < 0 || !v->map.set || !v->map.set->data)
		return ret;
	for (i = 0; i < v->map.set->nelems; i++) {
		ret = verdict_follow(w, c, &v->map.set->data[i].verdict);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int nftev_reach_new(const struct ruleset *rs, struct nftev_reach **out)
{
	struct walk w = { .r = calloc(1, sizeof(*w.r)) };
	size_t i, j;
	int ret = -ENOMEM;

	if (!w.r)
		return -ENOMEM;
	w.idx = calloc(rs->nchains + 1, sizeof(*w.idx));
	/* every chain is queued at most once: it is marked first */
	w.queue = calloc(rs->nchains + 1, sizeof(*w.queue));
	if (!w.idx || !w.queue)
		goto fail;
	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (c->origin != RS_ORIGIN_NFT || !c->table || !c->name)
			continue;
		w.idx[w.nidx++].c = c;
		ret = reach_push(w.r, KEY_TABLE, c->family, c->table, NULL);
		if (ret == 0 && c->base)
			ret = reach_push(w.r, KEY_BASE, c->family, c->table,
					 NULL);
		if (ret < 0)
			goto fail;
	}
	qsort(w.idx, w.nidx, sizeof(*w.idx), chain_ref_cmp);
	for (i = 0; i < w.nidx; i++) {
		if (!w.idx[i].c->base)
			continue;
		ret = walk_reach(&w, w.idx[i].c->family, w.idx[i].c->table,
				 w.idx[i].c->name);
		if (ret < 0)
			goto fail;
	}
	for (i = 0; i < w.nq; i++) {
		const struct rs_chain *c = w.idx[w.queue[i]].c;

		for (j = 0; j < c->nrules; j++) {
			ret = rule_reach(&w, c, &c->rules[j]);
			if (ret < 0)
				goto fail;
		}
	}
	free(w.idx);
	free(w.queue);
	reach_finish(w.r);
	*out = w.r;
	return 0;
fail:
	free(w.idx);
	free(w.queue);
	nftev_reach_free(w.r);
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
	m.max = (int)(sizeof(m.tb) / sizeof(m.tb[0])) - 1;
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
	m.max = (int)(sizeof(m.tb) / sizeof(m.tb[0])) - 1;
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
