// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rules.c - one rule's matches against a branch: the parts of its region
 * the rule matches, the skip index of single-destination rules.  Part of
 * the walk: see engine.c and walk.h.
 */
#include "array.h"
#include "walk.h"

static int plist_push(struct plist *l, struct region *r,
		      const struct anode *a, const struct choice *ch)
{
	int ret;

	if (!r)
		return -ENOMEM;
	if (region_is_empty(r)) {
		region_free(r);
		return 0;
	}
	ret = array_grow(&l->p, &l->cap, l->n, sizeof(*l->p), SIZE_MAX, 4);
	if (ret < 0) {
		region_free(r);
		return ret;
	}
	l->p[l->n].r = r;
	l->p[l->n].assume = a;
	l->p[l->n].choice = ch;
	l->n++;
	return 0;
}

void eng_plist_release(struct plist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		region_free(l->p[i].r);
	free(l->p);
	memset(l, 0, sizeof(*l));
}

/* Parts with the same assumptions and choices share their fate: merge them so a rule
 * that splits a branch in several places still yields one "no" branch. */
static int plist_merge(struct plist *l)
{
	size_t i, j;
	int ret;

	for (i = 0; i < l->n; i++) {
		for (j = i + 1; j < l->n; ) {
			if (l->p[j].assume != l->p[i].assume ||
			    l->p[j].choice != l->p[i].choice) {
				j++;
				continue;
			}
			ret = region_union(l->p[i].r, l->p[j].r);
			if (ret < 0)
				return ret;
			region_free(l->p[j].r);
			l->p[j] = l->p[--l->n];
		}
	}
	return 0;
}

/*
 * Evaluate the matches of rule r on branch b: *yes gets the parts that
 * match (each with its assumptions), *no the parts that do not.
 */
/* Does match m fail for every probe of b, decided from fixed values alone
 * (no region work)?  The common case after DNAT: a chain of per-backend
 * rules ("-d 172.17.0.5 ... -j ACCEPT") that a branch with a fixed
 * destination walks past, rule by rule. */
static bool match_misses(const struct walk *w, const struct branch *b,
			 const struct rs_match *m)
{
	const struct rs_interval *el;
	enum region_dim dim;
	enum resolved how;
	enum xform xf;
	rs_u128 vals[RS_CONCAT_MAX];
	size_t nel, e;
	unsigned int i;
	bool whole = false, applies;

	switch (m->op) {
	case RS_OP_MASK_EQ:
	case RS_OP_MASK_NE:
		how = eng_resolve(w, b, m->fields[0], &dim, &vals[0], &xf);
		if (how == RES_ABSENT || how == RES_NOTSET)
			return true;
		if (how == RES_CHOICE)
			return choice_fits(w, b, m) == 0;
		if (how != RES_FIXED)
			return false;
		return ((vals[0] & m->mask) == m->value) !=
		       (m->op == RS_OP_MASK_EQ);
	case RS_OP_IN:
	case RS_OP_NOT_IN:
		for (i = 0; i < m->nfields; i++) {
			how = eng_resolve(w, b, m->fields[i], &dim, &vals[i], &xf);
			if (how == RES_ABSENT)
				return true;
			if (how == RES_NOTSET)
				return m->op == RS_OP_IN;
			if (how != RES_FIXED)
				return false;
		}
		el = rs_match_elems(m, &nel);
		for (e = 0; e < nel && !whole; e++) {
			const struct rs_interval *t = &el[e * m->nfields];

			applies = true;
			for (i = 0; i < m->nfields && applies; i++)
				applies = in_iv(vals[i], &t[i]);
			whole = applies;
		}
		return whole != (m->op == RS_OP_IN);
	default:
		return false;
	}
}

#define DINDEX_MIN_RULES	32

/* The one destination address rule r requires, if it has such a match. */
static bool rule_one_daddr(const struct rs_rule *r, uint8_t family,
			   rs_u128 *addr)
{
	const struct rs_interval *el;
	size_t i, nel;

	for (i = 0; i < r->nmatches; i++) {
		const struct rs_match *m = &r->matches[i];

		if (m->op != RS_OP_IN || m->nfields != 1 ||
		    m->fields[0] != (family == NFPROTO_IPV4 ? RS_F_IP_DADDR :
				     RS_F_IP6_DADDR))
			continue;
		el = rs_match_elems(m, &nel);
		if (nel == 1 && el[0].lo == el[0].hi) {
			*addr = el[0].lo;
			return true;
		}
	}
	return false;
}

static int daddr_key_cmp(const void *a, const void *b)
{
	const struct daddr_key *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static struct daddr_index *daddr_index_build(const struct rs_chain *c,
					     uint8_t family)
{
	struct daddr_index *ix;
	size_t i, next;
	rs_u128 a;

	ix = calloc(1, sizeof(*ix) + c->nrules * sizeof(ix->keys[0]));
	if (!ix)
		return NULL;
	ix->next_general = calloc(c->nrules + 1, sizeof(*ix->next_general));
	if (!ix->next_general) {
		free(ix);
		return NULL;
	}
	next = c->nrules;
	ix->next_general[c->nrules] = next;
	for (i = c->nrules; i-- > 0;) {
		if (rule_one_daddr(&c->rules[i], family, &a)) {
			ix->keys[ix->nkeys].addr = a;
			ix->keys[ix->nkeys].rule = i;
			ix->nkeys++;
		} else {
			next = i;
		}
		ix->next_general[i] = next;
	}
	qsort(ix->keys, ix->nkeys, sizeof(ix->keys[0]), daddr_key_cmp);
	return ix;
}

void eng_daddr_index_free(struct daddr_index *ix)
{
	if (!ix)
		return;
	free(ix->next_general);
	free(ix);
}

/* The first rule at or after b->rule that a branch with the fixed
 * destination b->nat_addr may match; b->rule itself when there is no
 * index for this chain. */
size_t eng_daddr_skip(struct walk *w, const struct branch *b)
{
	const struct rs_chain *c = b->chain;
	struct daddr_index *ix;
	size_t ci, lo, hi, mid, best;

	/* (what IPVS sends a real server is addressed to it, or is the
	 * outer packet of a tunnel, whatever b's own binding says) */
	if (!b->nat || w->reply || w->before_dnat || w->ipvs_request ||
	    c->nrules < DINDEX_MIN_RULES || !w->dindex)
		return b->rule;
	ci = (size_t)(c - w->in->rs->chains);
	if (ci >= w->in->rs->nchains)
		return b->rule;
	ix = w->dindex[ci * 2 + (w->family == NFPROTO_IPV6)];
	if (!ix) {
		ix = daddr_index_build(c, w->family);
		if (!ix)
			return b->rule;
		w->dindex[ci * 2 + (w->family == NFPROTO_IPV6)] = ix;
	}
	best = ix->next_general[b->rule];
	/* the first key (nat_addr, rule >= b->rule) */
	lo = 0;
	hi = ix->nkeys;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ix->keys[mid].addr < b->nat_addr ||
		    (ix->keys[mid].addr == b->nat_addr &&
		     ix->keys[mid].rule < b->rule))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ix->nkeys && ix->keys[lo].addr == b->nat_addr &&
	    ix->keys[lo].rule < best)
		best = ix->keys[lo].rule;
	return best;
}

bool eng_rule_misses(const struct walk *w, const struct branch *b,
		 const struct rs_rule *r)
{
	size_t i;

	for (i = 0; i < r->nmatches; i++)
		if (match_misses(w, b, &r->matches[i]))
			return true;
	return false;
}

void eng_rule_sets_release(struct rule_sets *rs)
{
	int d;

	for (d = 0; d < REGION_NDIMS; d++)
		free(rs->own[d]);
}

int eng_iv_lo_cmp(const void *a, const void *b)
{
	const struct rs_interval *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The values not in el[0..n): a new ascending array in *out, *nout. */
static int set_complement(const struct rs_interval *el, size_t n,
			  struct rs_interval **out, size_t *nout)
{
	struct rs_interval *s, *c;
	rs_u128 next = 0;
	bool top = false;
	size_t i, k = 0;

	s = malloc((n + 1) * sizeof(*s));
	c = malloc((n + 1) * sizeof(*c));
	if (!s || !c) {
		free(s);
		free(c);
		return -ENOMEM;
	}
	memcpy(s, el, n * sizeof(*s));
	qsort(s, n, sizeof(*s), eng_iv_lo_cmp);
	for (i = 0; i < n && !top; i++) {
		if (s[i].lo > next) {
			c[k].lo = next;
			c[k++].hi = s[i].lo - 1;
		}
		if (s[i].hi == ~(rs_u128)0)
			top = true;
		else if (s[i].hi + 1 > next)
			next = s[i].hi + 1;
	}
	if (!top) {
		c[k].lo = next;
		c[k++].hi = ~(rs_u128)0;
	}
	free(s);
	*out = c;
	*nout = k;
	return 0;
}

/*
 * Fill rs for rule r on branch b when every match of r is decided for
 * the whole branch (and holds: eng_rule_misses() was asked first) or splits one
 * dimension by the elements of a one-field set, at most one match per
 * dimension.  Returns 1 then, 0 when r needs the general path of
 * eng_rule_matches(), or -ENOMEM.
 */
int eng_rule_sets_of(const struct walk *w, const struct branch *b,
		 const struct rs_rule *r, struct rule_sets *rs)
{
	const struct rs_interval *el;
	enum region_dim dim;
	enum resolved how;
	enum xform xf;
	rs_u128 v;
	size_t i, nel;
	unsigned int f;
	int ret;

	memset(rs, 0, sizeof(*rs));
	for (i = 0; i < r->nmatches; i++) {
		const struct rs_match *m = &r->matches[i];

		switch (m->op) {
		case RS_OP_IN:
		case RS_OP_NOT_IN:
			if (m->nfields != 1)
				break;
			how = eng_resolve(w, b, m->fields[0], &dim, &v, &xf);
			if (how == RES_NOTSET && m->op == RS_OP_NOT_IN)
				continue;
			if (how != RES_DIM || xf != XF_NONE)
				break;
			if (rs->set[dim])
				goto general;
			el = rs_match_elems(m, &nel);
			if (m->op == RS_OP_IN) {
				rs->set[dim] = el;
				rs->nset[dim] = nel;
				continue;
			}
			ret = set_complement(el, nel, &rs->own[dim],
					     &rs->nset[dim]);
			if (ret < 0) {
				eng_rule_sets_release(rs);
				return ret;
			}
			rs->set[dim] = rs->own[dim];
			continue;
		case RS_OP_MASK_EQ:
		case RS_OP_MASK_NE:
			break;
		default:
			goto general;
		}
		/* decided from fixed values alone, for the whole branch;
		 * a header field every value the sender has left meets
		 * ("--syn") is as good */
		if (m->nfields == 1 &&
		    eng_resolve(w, b, m->fields[0], &dim, &v, &xf) == RES_CHOICE) {
			if (choice_fits(w, b, m) != 1)
				goto general;
			continue;
		}
		for (f = 0; f < m->nfields; f++)
			if (eng_resolve(w, b, m->fields[f], &dim, &v, &xf) !=
			    RES_FIXED)
				goto general;
		if (match_misses(w, b, m))
			goto general;
	}
	return 1;
general:
	eng_rule_sets_release(rs);
	return 0;
}

int eng_rule_matches(struct walk *w, struct branch *b,
		 const struct rs_rule *r, struct plist *yes,
		 struct plist *no)
{
	struct part own = { b->r, b->assume, b->choice };
	const struct choice *cy[CHOICE_ALT_MAX], *cn[CHOICE_ALT_MAX];
	struct choice_dom dom = walk_dom(w);
	size_t ny, nn, c;
	struct plist cur = { 1, 1, &own }, next = { 0 };
	struct region *y, *n;
	struct region *fork, *maybe;
	struct branch tmp;
	bool borrowed = true;
	enum mres res;
	size_t i, k;
	int ret;

	if (!r->nmatches)
		return plist_push(yes, region_copy(b->r), b->assume, b->choice);
	/* the first match reads the branch's own region (cur is then own,
	 * on the stack): copying it for every rule would make a long chain
	 * quadratic */
	for (i = 0; i < r->nmatches && cur.n; i++) {
		for (k = 0; k < cur.n; k++) {
			y = n = NULL;
			ret = eng_match_eval(w, b, &r->matches[i], cur.p[k].r,
					 &y, &n, &res);
			if (ret < 0)
				goto out;
			if (res == M_DECIDED) {
				ret = plist_push(&next, y, cur.p[k].assume,
						 cur.p[k].choice);
				if (!ret)
					ret = plist_push(no, n, cur.p[k].assume,
							 cur.p[k].choice);
				if (ret < 0)
					goto out;
				continue;
			}
			if (res == M_CHOICE) {
				ret = choice_split(&dom, cur.p[k].choice,
						   &r->matches[i],
						   choice_shift(w, &r->matches[i]),
						   walk_alloc, w, cy, &ny, cn,
						   &nn);
				if (ret < 0)
					goto out;
			}
			if (res == M_CHOICE && ret == 0) {
				/* the sender's: each side with the values it
				 * commits to, a side no value takes not at
				 * all */
				for (c = 0; !ret && c < ny; c++)
					ret = plist_push(&next,
							 region_copy(cur.p[k].r),
							 cur.p[k].assume, cy[c]);
				for (c = 0; !ret && c < nn; c++)
					ret = plist_push(no,
							 region_copy(cur.p[k].r),
							 cur.p[k].assume, cn[c]);
				if (ret < 0)
					goto out;
				continue;
			}
			/* a tuple with an undecidable field (ether saddr .
			 * ip saddr): what its other fields exclude misses */
			fork = cur.p[k].r;
			maybe = NULL;
			if (res == M_UNKNOWN) {
				struct region *miss = NULL;

				ret = eng_match_project(w, b, &r->matches[i],
							cur.p[k].r, &maybe,
							&miss);
				if (ret < 0)
					goto out;
				if (ret == 0) {
					ret = plist_push(no, miss,
							 cur.p[k].assume,
							 cur.p[k].choice);
					if (ret < 0) {
						region_free(maybe);
						goto out;
					}
					fork = maybe;
				}
				ret = 0;
			}
			if (region_is_empty(fork)) {
				region_free(maybe);
				continue;
			}
			/* undecidable: both ways, each with its assumption */
			tmp.assume = cur.p[k].assume;
			ret = eng_assume_add(w, &tmp, w->base, r, &r->matches[i],
					 true);
			if (!ret)
				ret = plist_push(&next, region_copy(fork),
						 tmp.assume, cur.p[k].choice);
			tmp.assume = cur.p[k].assume;
			if (!ret)
				ret = eng_assume_add(w, &tmp, w->base, r,
						 &r->matches[i], false);
			if (!ret)
				ret = plist_push(no, region_copy(fork),
						 tmp.assume, cur.p[k].choice);
			region_free(maybe);
			if (ret < 0)
				goto out;
		}
		if (!borrowed)
			eng_plist_release(&cur);
		borrowed = false;
		cur = next;
		memset(&next, 0, sizeof(next));
	}
	for (k = 0; k < cur.n; k++) {
		ret = plist_push(yes, cur.p[k].r, cur.p[k].assume,
				 cur.p[k].choice);
		cur.p[k].r = NULL;
		if (ret < 0)
			goto out;
	}
	ret = plist_merge(no);
out:
	if (!borrowed)
		eng_plist_release(&cur);
	eng_plist_release(&next);
	return ret;
}

