// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_cache.c - nftables read table by table, and only the tables that
 * changed (nft_cache.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nft.h"
#include "nft_cache.h"

/* "Not heard yet" answers in a row before reading everything instead: a
 * generation whose events never come must not stall the daemon. */
#define NFT_CACHE_EAGAIN_MAX	3

struct nft_ctable {
	uint8_t family;
	char *name;
	struct ruleset *rs;	/* its chains (packed) and sets */
	bool dirty;		/* events named it since it was read */
};

struct nft_cache {
	struct nft_ctable *t;	/* in the kernel's table order */
	size_t n;
	struct ruleset **retired;
	size_t nretired, capretired;
	bool valid;		/* t is the ruleset at genid */
	bool lost;		/* events were lost: read everything */
	uint32_t genid;
	uint32_t heard;		/* last generation heard since genid */
	unsigned int eagain;
	struct nft_cache_stats st;
};

int nft_cache_new(struct nft_cache **out)
{
	struct nft_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	*out = c;
	return 0;
}

static void tables_free(struct nft_ctable *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(t[i].name);
		ruleset_free(t[i].rs);
	}
	free(t);
}

void nft_cache_gc(struct nft_cache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nretired; i++)
		ruleset_free(c->retired[i]);
	c->nretired = 0;
}

void nft_cache_free(struct nft_cache *c)
{
	if (!c)
		return;
	nft_cache_gc(c);
	free(c->retired);
	tables_free(c->t, c->n);
	free(c);
}

static struct nft_ctable *table_find(struct nft_ctable *t, size_t n,
				     uint8_t family, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].family == family && !strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

void nft_cache_dirty(struct nft_cache *c, uint8_t family, const char *table)
{
	struct nft_ctable *t = table_find(c->t, c->n, family, table);

	/* a table the cache has not got is read anyway when it is listed */
	if (t)
		t->dirty = true;
}

void nft_cache_gen(struct nft_cache *c, uint32_t genid)
{
	if (!c->valid || (int32_t)(genid - c->heard) <= 0)
		return;		/* in the last read already, or heard */
	if (genid != c->heard + 1)
		c->lost = true;	/* a generation gap */
	c->heard = genid;
}

void nft_cache_lost(struct nft_cache *c)
{
	c->lost = true;
}

void nft_cache_get_stats(const struct nft_cache *c, struct nft_cache_stats *st)
{
	*st = c->st;
}

/* Room for more retired tables, so that the commit cannot fail. */
static int retire_reserve(struct nft_cache *c, size_t more)
{
	struct ruleset **v;

	if (c->nretired + more <= c->capretired)
		return 0;
	v = realloc(c->retired, (c->nretired + more) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->retired = v;
	c->capretired = c->nretired + more;
	return 0;
}

/* The ruleset of every table, borrowed: chains copied shallowly (their
 * rules and strings stay in the tables' arenas), no sets of its own (rules
 * point at the tables'), the notes copied; dormant tables' notes first, as
 * nft_dump_ruleset() writes them. */
static int view_build(const struct nft_ctable *t, size_t n, uint32_t genid,
		      struct ruleset *rs)
{
	size_t i, j, nchains = 0, pass;
	struct rs_chain *chains;

	for (i = 0; i < n; i++) {
		for (j = 0; j < t[i].rs->nchains; j++)
			if (!t[i].rs->chains[j].packed)
				return -EPROTO;	/* would be freed twice */
		nchains += t[i].rs->nchains;
	}
	chains = calloc(nchains + 1, sizeof(*chains));
	if (!chains)
		return -ENOMEM;
	rs->chains = chains;
	for (i = 0; i < n; i++) {
		memcpy(chains + rs->nchains, t[i].rs->chains,
		       t[i].rs->nchains * sizeof(*chains));
		rs->nchains += t[i].rs->nchains;
	}
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++)
			for (j = 0; j < t[i].rs->nnotes; j++) {
				const char *s = t[i].rs->notes[j];
				bool dormant = !strncmp(s, "table ", 6) &&
					       strstr(s, " is dormant");

				if (dormant != !pass)
					continue;
				if (ruleset_note(rs, "%s", s) < 0)
					return -ENOMEM;
			}
	rs->nft_genid = genid;
	rs->sources[0].name = "nftables";
	rs->sources[0].present = true;
	rs->nsources = 1;
	return 0;
}

int nft_cache_read(struct nft_cache *c, struct ruleset *rs)
{
	struct nft_table_id *list = NULL;
	struct nft_ctable *nt = NULL;
	size_t n = 0, i, nread = 0;
	uint32_t genid;
	bool full;
	int ret;

	ret = nft_list_tables(&list, &n, &genid);
	switch (ret) {
	case 0:
		break;
	case -ENOENT:
	case -EPROTONOSUPPORT:
	case -EAFNOSUPPORT:
	case -EOPNOTSUPP:
	case -EINVAL:
		/* no nf_tables here (the answers nft_dump_ruleset() takes
		 * for that): nothing to keep, it says so in rs->sources */
		c->valid = false;
		return nft_dump_ruleset(rs);
	default:
		return ret;
	}
	full = !c->valid || c->lost;
	if (!full && c->heard != genid) {
		/* committed, but not all of it heard yet */
		if ((int32_t)(genid - c->heard) > 0 &&
		    ++c->eagain < NFT_CACHE_EAGAIN_MAX) {
			ret = -EAGAIN;
			goto out;
		}
		full = true;
	}
	nt = calloc(n + 1, sizeof(*nt));
	if (!nt) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct nft_ctable *old = table_find(c->t, c->n, list[i].family,
						    list[i].name);

		nt[i].family = list[i].family;
		nt[i].name = strdup(list[i].name);
		if (!nt[i].name) {
			ret = -ENOMEM;
			goto fail;
		}
		/* nothing committed since the last read: dirty marks are
		 * of generations it has read (the kernel bumps the
		 * generation before it sends a commit's messages); they
		 * are kept anyway, at the cost of one read more */
		if (old && !full && (genid == c->genid || !old->dirty)) {
			nt[i].dirty = old->dirty;
			continue;
		}
		nt[i].rs = ruleset_new();
		if (!nt[i].rs) {
			ret = -ENOMEM;
			goto fail;
		}
		ret = nft_dump_table(nt[i].rs, nt[i].family, nt[i].name);
		if (ret == -ENOENT || (ret == 0 && nt[i].rs->nft_genid != genid))
			ret = -EAGAIN;	/* the ruleset moved under us */
		if (ret < 0)
			goto fail;
		nread++;
	}
	/* the tables kept: borrowed from c until the commit below */
	for (i = 0; i < n; i++)
		if (!nt[i].rs)
			nt[i].rs = table_find(c->t, c->n, nt[i].family,
					      nt[i].name)->rs;
	ret = retire_reserve(c, c->n);
	if (ret == 0)
		ret = view_build(nt, n, genid, rs);
	if (ret < 0)
		goto fail_view;
	/* commit: the replaced and vanished tables wait for nft_cache_gc() */
	for (i = 0; i < c->n; i++) {
		struct nft_ctable *now = table_find(nt, n, c->t[i].family,
						    c->t[i].name);

		if (now && now->rs == c->t[i].rs)
			continue;
		c->retired[c->nretired++] = c->t[i].rs;
		c->t[i].rs = NULL;
	}
	for (i = 0; i < c->n; i++)
		free(c->t[i].name);
	free(c->t);
	c->t = nt;
	c->n = n;
	c->valid = true;
	c->lost = false;
	c->genid = c->heard = genid;
	c->eagain = 0;
	c->st.reads++;
	c->st.full += full;
	c->st.tables_read += nread;
	c->st.unchanged += nread == 0;
	free(list);
	return 0;
fail_view:
	/* rs may hold a half-built view: empty it without touching what it
	 * borrows */
	free(rs->chains);
	rs->chains = NULL;
	rs->nchains = 0;
	for (i = 0; i < rs->nnotes; i++)
		free(rs->notes[i]);
	free(rs->notes);
	rs->notes = NULL;
	rs->nnotes = 0;
	rs->nsources = 0;
	/* the borrowed tables are c's: forget them before freeing nt */
	for (i = 0; i < n; i++)
		if (table_find(c->t, c->n, nt[i].family, nt[i].name) &&
		    table_find(c->t, c->n, nt[i].family, nt[i].name)->rs ==
		    nt[i].rs)
			nt[i].rs = NULL;
fail:
	tables_free(nt, n);
out:
	free(list);
	return ret;
}
