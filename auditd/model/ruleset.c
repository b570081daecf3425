// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ruleset.c - the ruleset model: construction, destruction, metadata.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "ruleset.h"
#include "strbuf.h"
#include "util.h"

/* Arrays grow by doubling; this bounds what a hostile or broken source can
 * make one array hold before we call it an error. */
#define RS_ARRAY_MAX	(1u << 24)

static int grow(void **arr, size_t *n, size_t size)
{
	size_t cap = 4;
	void *p;

	if (*n >= RS_ARRAY_MAX)
		return -E2BIG;
	/* capacity is the next power of two >= n + 1 */
	while (cap < *n + 1)
		cap *= 2;
	if (*n == 0 || (*n & (*n - 1)) == 0 || *n < 4) {
		p = realloc(*arr, cap * size);
		if (!p)
			return -ENOMEM;
		*arr = p;
	}
	memset((char *)*arr + *n * size, 0, size);
	(*n)++;
	return 0;
}

/* Capacity grow() gives an array of n elements. */
static size_t grow_cap(size_t n)
{
	size_t cap = 4;

	while (cap < n)
		cap *= 2;
	return cap;
}

/* Make room for more elements after the n an array holds, as grow() would
 * have made it, so that appending them cannot fail. */
static int reserve(void **arr, size_t n, size_t more, size_t size)
{
	void *p;

	if (!more)
		return 0;
	if (n + more > RS_ARRAY_MAX)
		return -E2BIG;
	p = realloc(*arr, grow_cap(n + more) * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

/*
 * The arena of packed rules: blocks carved from the front, never freed one
 * piece at a time.  A rule built with the malloc'ed arrays above and then
 * packed leaves its heap blocks free for the next rule, so that building a
 * large ruleset reuses a few hot heap blocks instead of holding hundreds of
 * thousands of small ones, each with its header and its array slack
 * (util/arena.h: rs->arena).
 */
#define RS_ALIGN(n)	(((n) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

static size_t str_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Intervals a match's elems array holds: nfields per element. */
static size_t match_nintervals(const struct rs_match *m)
{
	if (!m->elems)
		return 0;
	return m->nelems * (m->nfields ? m->nfields : 1);
}

/* Copy *s to *p and advance *p; the heap copy is freed. */
static void pack_str(char **p, char **s)
{
	size_t n = str_size(*s);

	if (!n)
		return;
	memcpy(*p, *s, n);
	free(*s);
	*s = *p;
	*p += n;
}

/* The statement iptables-nft gives every rule: its name kept once, not
 * per rule (a packed rule's strings are read-only and never freed alone;
 * with the alignment of each rule's block, 16 bytes a rule). */
static const char counter_name[] = "counter";

static bool is_counter(const char *s)
{
	return s && !strcmp(s, counter_name);
}

int ruleset_pack_rule(struct ruleset *rs, struct rs_rule *r)
{
	size_t msize = r->nmatches * sizeof(*r->matches);
	size_t ssize = r->nstmts * sizeof(*r->stmts);
	size_t esize = 0, size, i;
	struct rs_match *m;
	struct rs_stmt *st;
	char *p, *strs;

	if (r->packed)
		return 0;
	size = RS_ALIGN(msize) + RS_ALIGN(ssize);
	for (i = 0; i < r->nmatches; i++) {
		m = &r->matches[i];
		esize += match_nintervals(m) * sizeof(*m->elems);
		size += str_size(m->name) + str_size(m->text);
	}
	for (i = 0; i < r->nstmts; i++)
		size += (is_counter(r->stmts[i].name) ? 0 :
			 str_size(r->stmts[i].name)) +
			str_size(r->stmts[i].text) +
			str_size(r->stmts[i].helper_type);
	size += esize + str_size(r->comment) + str_size(r->verdict.chain) +
		str_size(r->verdict.name);
	if (!size) {
		/* arrays a reader emptied again */
		free(r->matches);
		free(r->stmts);
		r->matches = NULL;
		r->stmts = NULL;
		r->packed = true;
		return 0;
	}
	p = arena_alloc(&rs->arena, size);
	if (!p)
		return -ENOMEM;
	/* arrays first, elements next (both 16-byte aligned), strings last */
	m = (struct rs_match *)p;
	st = (struct rs_stmt *)(p + RS_ALIGN(msize));
	strs = p + RS_ALIGN(msize) + RS_ALIGN(ssize);
	if (msize)
		memcpy(m, r->matches, msize);
	if (ssize)
		memcpy(st, r->stmts, ssize);
	free(r->matches);
	free(r->stmts);
	r->matches = msize ? m : NULL;
	r->stmts = ssize ? st : NULL;
	for (i = 0; i < r->nmatches; i++) {
		struct rs_interval *e = (struct rs_interval *)strs;
		size_t n;

		m = &r->matches[i];
		n = match_nintervals(m);
		if (n) {
			memcpy(e, m->elems, n * sizeof(*e));
			strs += n * sizeof(*e);
		} else {
			e = NULL;
		}
		free(m->elems);
		m->elems = e;
	}
	for (i = 0; i < r->nmatches; i++) {
		pack_str(&strs, &r->matches[i].name);
		pack_str(&strs, &r->matches[i].text);
	}
	for (i = 0; i < r->nstmts; i++) {
		if (is_counter(r->stmts[i].name)) {
			free(r->stmts[i].name);
			r->stmts[i].name = (char *)counter_name;
		} else {
			pack_str(&strs, &r->stmts[i].name);
		}
		pack_str(&strs, &r->stmts[i].text);
		pack_str(&strs, &r->stmts[i].helper_type);
	}
	pack_str(&strs, &r->comment);
	pack_str(&strs, &r->verdict.chain);
	pack_str(&strs, &r->verdict.name);
	r->packed = true;
	return 0;
}

int ruleset_pack_chain(struct ruleset *rs, struct rs_chain *c)
{
	size_t rsize = c->nrules * sizeof(*c->rules), size, i, j;
	struct rs_rule *rules;
	char *p, *strs;
	bool share;
	int ret;

	if (c->packed)
		return 0;
	for (i = 0; i < c->nrules; i++) {
		ret = ruleset_pack_rule(rs, &c->rules[i]);
		if (ret < 0)
			return ret;
	}
	share = c->table && rs->packed_table &&
		!strcmp(c->table, rs->packed_table);
	size = RS_ALIGN(rsize) + (share ? 0 : str_size(c->table)) +
	       str_size(c->name) + str_size(c->type) + str_size(c->device);
	p = arena_alloc(&rs->arena, size);
	if (!p)
		return -ENOMEM;
	rules = (struct rs_rule *)p;
	strs = p + RS_ALIGN(rsize);
	if (rsize)
		memcpy(rules, c->rules, rsize);
	free(c->rules);
	c->rules = rsize ? rules : NULL;
	if (share) {
		free(c->table);
		c->table = (char *)rs->packed_table;
	} else {
		pack_str(&strs, &c->table);
		rs->packed_table = c->table;
	}
	pack_str(&strs, &c->name);
	pack_str(&strs, &c->type);
	pack_str(&strs, &c->device);
	c->key_hash = rs_chain_key_hash(c->table, c->name);
	c->table_hash = rs_chain_key_hash(c->table, NULL);
	c->may_helper = false;
	for (i = 0; i < c->nrules && !c->may_helper; i++)
		for (j = 0; j < c->rules[i].nstmts && !c->may_helper; j++)
			c->may_helper =
				rs_stmt_may_attach_helper(&c->rules[i].stmts[j]);
	c->packed = true;
	return 0;
}

/* One pass over a string, eight bytes at a time */
static uint64_t str_mix(uint64_t h, const char *s)
{
	if (!s)
		s = "";
	for (;;) {
		uint64_t w = 0;
		size_t n = 0;

		while (n < sizeof(w) && s[n])
			n++;
		memcpy(&w, s, n);
		h = (h ^ w ^ n) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
		if (n < sizeof(w))
			return h;
		s += n;
	}
}

bool rs_stmt_may_attach_helper(const struct rs_stmt *s)
{
	return s->name && (!strcmp(s->name, "objref") ||
			   !strcmp(s->name, "ct helper set") ||
			   !strcmp(s->name, "CT"));
}

uint32_t rs_chain_key_hash(const char *table, const char *name)
{
	uint64_t h = str_mix(str_mix(0, table), name);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	return (uint32_t)(h ^ (h >> 32));
}

/* ---- the same contents (rs_chain_same_content()) ---- */

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool verdict_same(const struct rs_verdict *a,
			 const struct rs_verdict *b);

static bool set_same(const struct rs_set *a, const struct rs_set *b)
{
	size_t i, n;

	if (a == b)
		return true;
	if (!a || !b || a->family != b->family || !str_same(a->table, b->table) ||
	    !str_same(a->name, b->name) || a->flags != b->flags ||
	    a->key_type != b->key_type || a->key_len != b->key_len ||
	    a->data_type != b->data_type || a->data_len != b->data_len ||
	    a->nfields != b->nfields || a->nelems != b->nelems ||
	    memcmp(a->widths, b->widths, sizeof(a->widths)) ||
	    !a->elems != !b->elems || !a->data != !b->data)
		return false;
	n = a->nelems * (a->nfields ? a->nfields : 1);
	if (a->elems && n && memcmp(a->elems, b->elems, n * sizeof(*a->elems)))
		return false;
	for (i = 0; a->data && i < a->nelems; i++) {
		const struct rs_elem_data *x = &a->data[i], *y = &b->data[i];

		if (x->nvalues != y->nvalues ||
		    memcmp(x->value, y->value, sizeof(x->value)) ||
		    !verdict_same(&x->verdict, &y->verdict))
			return false;
	}
	return true;
}

static bool nat_same(const struct rs_nat *a, const struct rs_nat *b)
{
	return a->family == b->family && a->has_addr == b->has_addr &&
	       a->has_port == b->has_port && a->port_lo == b->port_lo &&
	       a->port_hi == b->port_hi && a->flags == b->flags &&
	       a->addr_lo == b->addr_lo && a->addr_hi == b->addr_hi;
}

static bool verdict_same(const struct rs_verdict *a,
			 const struct rs_verdict *b)
{
	return a->kind == b->kind && a->revision == b->revision &&
	       a->queue_bypass == b->queue_bypass &&
	       a->queue_num == b->queue_num && str_same(a->chain, b->chain) &&
	       str_same(a->name, b->name) &&
	       a->map.nfields == b->map.nfields && a->map.total == b->map.total &&
	       !memcmp(a->map.fields, b->map.fields, sizeof(a->map.fields)) &&
	       set_same(a->map.set, b->map.set) && nat_same(&a->nat, &b->nat);
}

static bool match_same(const struct rs_match *a, const struct rs_match *b)
{
	size_t n = (size_t)a->nelems * (a->nfields ? a->nfields : 1);

	return a->op == b->op && a->nfields == b->nfields &&
	       a->revision == b->revision && a->invert == b->invert &&
	       a->nelems == b->nelems &&
	       !memcmp(a->fields, b->fields, sizeof(a->fields)) &&
	       !a->elems == !b->elems &&
	       (!a->elems || !n ||
		!memcmp(a->elems, b->elems, n * sizeof(*a->elems))) &&
	       set_same(a->set, b->set) && str_same(a->name, b->name) &&
	       str_same(a->text, b->text) && a->mask == b->mask &&
	       a->value == b->value;
}

static bool stmt_same(const struct rs_stmt *a, const struct rs_stmt *b)
{
	return str_same(a->name, b->name) && str_same(a->text, b->text) &&
	       str_same(a->helper_type, b->helper_type) &&
	       a->helper_l4 == b->helper_l4 && a->sets_mark == b->sets_mark &&
	       a->mark_mask == b->mark_mask && a->mark_value == b->mark_value;
}

static bool rule_same(const struct rs_rule *a, const struct rs_rule *b)
{
	uint32_t i;

	if (a->nmatches != b->nmatches || a->nstmts != b->nstmts ||
	    !verdict_same(&a->verdict, &b->verdict))
		return false;
	for (i = 0; i < a->nmatches; i++)
		if (!match_same(&a->matches[i], &b->matches[i]))
			return false;
	for (i = 0; i < a->nstmts; i++)
		if (!stmt_same(&a->stmts[i], &b->stmts[i]))
			return false;
	return true;
}

bool rs_chain_same_content(const struct rs_chain *a, const struct rs_chain *b)
{
	size_t i;

	if (a->origin != b->origin || a->family != b->family ||
	    a->base != b->base || a->hook != b->hook ||
	    a->priority != b->priority || a->policy != b->policy ||
	    !str_same(a->type, b->type) || !str_same(a->device, b->device) ||
	    a->nrules != b->nrules)
		return false;
	for (i = 0; i < a->nrules; i++)
		if (!rule_same(&a->rules[i], &b->rules[i]))
			return false;
	return true;
}

static bool same_chain_key(const struct rs_chain *a, const struct rs_chain *b)
{
	return a->origin == b->origin && a->family == b->family &&
	       (a->table == b->table || !strcmp(a->table, b->table)) &&
	       !strcmp(a->name, b->name);
}

void ruleset_link_jumps(struct ruleset *rs)
{
	const struct rs_chain **ix;
	size_t cap = 16, i, j, k, mask;

	while (cap < 2 * rs->nchains)
		cap *= 2;
	ix = calloc(cap, sizeof(*ix));
	if (!ix)
		return;
	mask = cap - 1;
	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (!c->packed || !c->table || !c->name)
			continue;
		for (k = c->key_hash & mask; ix[k]; k = (k + 1) & mask)
			;
		ix[k] = c;
	}
	for (i = 0; i < rs->nchains; i++) {
		struct rs_chain *c = &rs->chains[i];

		if (!c->packed || !c->table)
			continue;
		for (j = 0; j < c->nrules; j++) {
			struct rs_verdict *v = &c->rules[j].verdict;
			struct rs_chain key = { 0 };

			/* a packed rule's strings live in the arena, as the
			 * chain's name does: nothing frees either alone */
			if ((v->kind != RS_V_JUMP && v->kind != RS_V_GOTO) ||
			    !v->chain || !c->rules[j].packed)
				continue;
			key.origin = c->origin;
			key.family = c->family;
			key.table = c->table;
			key.name = v->chain;
			key.key_hash = rs_chain_key_hash(c->table, v->chain);
			for (k = key.key_hash & mask; ix[k]; k = (k + 1) & mask)
				if (ix[k]->key_hash == key.key_hash &&
				    same_chain_key(ix[k], &key)) {
					v->chain = ix[k]->name;
					break;
				}
		}
	}
	free(ix);
}

bool rs_chain_named(const struct rs_chain *c, uint32_t key_hash,
		    const char *table, const char *name)
{
	if (c->packed && c->key_hash != key_hash)
		return false;
	return c->table && c->name && !strcmp(c->table, table) &&
	       !strcmp(c->name, name);
}

bool rs_chain_in_table(const struct rs_chain *c, uint32_t table_hash,
		       const char *table)
{
	if (c->packed && c->table_hash != table_hash)
		return false;
	return c->table && !strcmp(c->table, table);
}

struct ruleset *ruleset_new(void)
{
	return calloc(1, sizeof(struct ruleset));
}

void rs_verdict_release(struct rs_verdict *v)
{
	if (!v)
		return;
	free(v->chain);
	free(v->name);
	v->chain = NULL;
	v->name = NULL;
}

void rs_match_release(struct rs_match *m)
{
	if (!m)
		return;
	free(m->elems);
	free(m->name);
	free(m->text);
	m->elems = NULL;
	m->name = NULL;
	m->text = NULL;
	m->nelems = 0;
}

static void rule_release(struct rs_rule *r)
{
	size_t i;

	if (r->packed)
		return;
	for (i = 0; i < r->nmatches; i++)
		rs_match_release(&r->matches[i]);
	free(r->matches);
	for (i = 0; i < r->nstmts; i++) {
		free(r->stmts[i].name);
		free(r->stmts[i].text);
		free(r->stmts[i].helper_type);
	}
	free(r->stmts);
	rs_verdict_release(&r->verdict);
	free(r->comment);
}

static void chain_release(struct rs_chain *c)
{
	size_t i;

	/* packed: its rules are packed too (ruleset_pack_chain()), and the
	 * arena holds them all; a pass over 53,000 rules that frees nothing
	 * was 2.6 % of fwauditd's CPU on kube-10000 */
	if (c->packed)
		return;
	for (i = 0; i < c->nrules; i++)
		rule_release(&c->rules[i]);
	free(c->rules);
	free(c->table);
	free(c->name);
	free(c->type);
	free(c->device);
}

void rs_set_free(struct rs_set *s)
{
	size_t i;

	if (!s)
		return;
	if (s->data) {
		for (i = 0; i < s->nelems; i++)
			rs_verdict_release(&s->data[i].verdict);
		free(s->data);
	}
	free(s->elems);
	free(s->table);
	free(s->name);
	free(s);
}

void ruleset_free(struct ruleset *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->nchains; i++)
		chain_release(&rs->chains[i]);
	free(rs->chains);
	for (i = 0; i < rs->nsets; i++)
		rs_set_free(rs->sets[i]);
	free(rs->sets);
	for (i = 0; i < rs->nnotes; i++)
		free(rs->notes[i]);
	free(rs->notes);
	rs_ipsets_free(rs->ipsets, rs->nipsets);
	arena_free(&rs->arena);
	free(rs);
}

void rs_ipsets_free(struct rs_ipset *s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++) {
		free(s[i].name);
		free(s[i].type);
		free(s[i].why);
		rs_set_free(s[i].in);
		rs_set_free(s[i].nomatch);
		free(s[i].members);
	}
	free(s);
}

const struct rs_ipset *ruleset_ipset(const struct ruleset *rs, uint16_t idx)
{
	size_t i;

	for (i = 0; i < rs->nipsets; i++)
		if (rs->ipsets[i].index == idx)
			return &rs->ipsets[i];
	return NULL;
}

int ruleset_append(struct ruleset *dst, struct ruleset *src)
{
	if (reserve((void **)&dst->chains, dst->nchains, src->nchains,
		    sizeof(*dst->chains)) < 0 ||
	    reserve((void **)&dst->sets, dst->nsets, src->nsets,
		    sizeof(*dst->sets)) < 0 ||
	    reserve((void **)&dst->notes, dst->nnotes, src->nnotes,
		    sizeof(*dst->notes)) < 0)
		return -ENOMEM;
	if (src->nchains)
		memcpy(dst->chains + dst->nchains, src->chains,
		       src->nchains * sizeof(*src->chains));
	if (src->nsets)
		memcpy(dst->sets + dst->nsets, src->sets,
		       src->nsets * sizeof(*src->sets));
	if (src->nnotes)
		memcpy(dst->notes + dst->nnotes, src->notes,
		       src->nnotes * sizeof(*src->notes));
	dst->nchains += src->nchains;
	dst->nsets += src->nsets;
	dst->nnotes += src->nnotes;
	src->nchains = src->nsets = src->nnotes = 0;
	/* ipsets are per network namespace: the first read keeps them */
	if (!dst->nipsets) {
		dst->ipsets = src->ipsets;
		dst->nipsets = src->nipsets;
		src->ipsets = NULL;
		src->nipsets = 0;
	}
	src->packed_table = NULL;	/* now in dst's arena */
	/* the blocks keep their order: the one being filled stays first */
	arena_append(&dst->arena, &src->arena);
	return 0;
}

struct rs_chain *ruleset_add_chain(struct ruleset *rs, enum rs_origin origin,
				   uint8_t family, const char *table,
				   const char *name)
{
	char *t, *n;
	struct rs_chain *c;

	t = strdup(table);
	n = strdup(name);
	if (!t || !n || grow((void **)&rs->chains, &rs->nchains,
			     sizeof(*rs->chains)) < 0) {
		free(t);
		free(n);
		return NULL;
	}
	c = &rs->chains[rs->nchains - 1];
	c->origin = origin;
	c->family = family;
	c->table = t;
	c->name = n;
	c->policy = RS_V_ACCEPT;
	return c;
}

struct rs_rule *rs_chain_add_rule(struct rs_chain *c)
{
	struct rs_rule *r;

	if (c->packed ||
	    grow((void **)&c->rules, &c->nrules, sizeof(*c->rules)) < 0)
		return NULL;
	r = &c->rules[c->nrules - 1];
	r->position = c->nrules;
	return r;
}

/* grow() bounds the counts by RS_ARRAY_MAX: they fit a rule's 32 bits */
struct rs_match *rs_rule_add_match(struct rs_rule *r)
{
	size_t n = r->nmatches;

	if (r->packed ||
	    grow((void **)&r->matches, &n, sizeof(*r->matches)) < 0)
		return NULL;
	r->nmatches = (uint32_t)n;
	return &r->matches[r->nmatches - 1];
}

struct rs_stmt *rs_rule_add_stmt(struct rs_rule *r)
{
	size_t n = r->nstmts;

	if (r->packed ||
	    grow((void **)&r->stmts, &n, sizeof(*r->stmts)) < 0)
		return NULL;
	r->nstmts = (uint32_t)n;
	return &r->stmts[r->nstmts - 1];
}

int ruleset_add_set(struct ruleset *rs, struct rs_set *s)
{
	int ret;

	ret = grow((void **)&rs->sets, &rs->nsets, sizeof(*rs->sets));
	if (ret < 0)
		return ret;
	rs->sets[rs->nsets - 1] = s;
	return 0;
}

int ruleset_note(struct ruleset *rs, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int ret;

	va_start(ap, fmt);
	s = str_vprintf(fmt, ap);
	va_end(ap);
	if (!s)
		return -ENOMEM;
	ret = grow((void **)&rs->notes, &rs->nnotes, sizeof(*rs->notes));
	if (ret < 0) {
		free(s);
		return ret;
	}
	rs->notes[rs->nnotes - 1] = s;
	return 0;
}

int rs_match_add_interval(struct rs_match *m, rs_u128 lo, rs_u128 hi)
{
	size_t n = m->nelems;
	int ret;

	/* grow() bounds n by RS_ARRAY_MAX: it fits nelems */
	ret = grow((void **)&m->elems, &n, sizeof(*m->elems));
	if (ret < 0)
		return ret;
	m->nelems = (uint32_t)n;
	m->elems[m->nelems - 1].lo = lo;
	m->elems[m->nelems - 1].hi = hi;
	return 0;
}

int rs_match_set_range(struct rs_match *m, enum rs_field f, rs_u128 lo,
		       rs_u128 hi, bool invert)
{
	m->op = invert ? RS_OP_NOT_IN : RS_OP_IN;
	m->nfields = 1;
	m->fields[0] = f;
	return rs_match_add_interval(m, lo, hi);
}

rs_u128 rs_ifname_key(const char *name)
{
	rs_u128 k = 0;
	size_t i;

	for (i = 0; i < RS_IFNAMSIZ; i++) {
		k <<= 8;
		if (name && *name)
			k |= (unsigned char)*name++;
	}
	return k;
}

struct rs_interval rs_ifname_interval(const char *name, bool wildcard)
{
	struct rs_interval iv;
	size_t len = strnlen(name, RS_IFNAMSIZ);
	rs_u128 tail;

	iv.lo = rs_ifname_key(name);
	iv.hi = iv.lo;
	if (wildcard && len < RS_IFNAMSIZ) {
		/* every name that starts with the prefix: the bytes after it
		 * may be anything */
		tail = len == 0 ? ~(rs_u128)0 :
		       ((rs_u128)1 << (8 * (RS_IFNAMSIZ - len))) - 1;
		iv.hi = iv.lo | tail;
	}
	return iv;
}

void rs_ifname_str(rs_u128 key, char *buf)
{
	int i, n = 0;
	unsigned char c;

	for (i = RS_IFNAMSIZ - 1; i >= 0; i--) {
		c = (unsigned char)(key >> (8 * i));
		if (!c)
			break;
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
}

int rs_match_set_ifname(struct rs_match *m, enum rs_field f, const char *name,
			bool wildcard, bool invert)
{
	struct rs_interval iv = rs_ifname_interval(name, wildcard);

	return rs_match_set_range(m, f, iv.lo, iv.hi, invert);
}

int rs_match_set_other(struct rs_match *m, enum rs_field f, const char *name,
		       uint8_t revision, const char *text, bool invert)
{
	char *n = NULL, *t = NULL;

	if (name && !(n = strdup(name)))
		return -ENOMEM;
	if (text && !(t = strdup(text))) {
		free(n);
		return -ENOMEM;
	}
	m->op = RS_OP_OTHER;
	m->nfields = 1;
	m->fields[0] = f;
	m->name = n;
	m->text = t;
	m->revision = revision;
	m->invert = invert;
	return 0;
}

static const struct rs_field_info field_info[RS_F__COUNT] = {
	[RS_F_IIFNAME]		= { "iifname",			RS_K_IFNAME,	16 },
	[RS_F_OIFNAME]		= { "oifname",			RS_K_IFNAME,	16 },
	[RS_F_IIF]		= { "iif",			RS_K_INT,	4 },
	[RS_F_OIF]		= { "oif",			RS_K_INT,	4 },
	[RS_F_IIFTYPE]		= { "iiftype",			RS_K_INT,	2 },
	[RS_F_NFPROTO]		= { "nfproto",			RS_K_INT,	1 },
	[RS_F_ETHERTYPE]	= { "protocol",			RS_K_HEX,	2 },
	[RS_F_L4PROTO]		= { "l4proto",			RS_K_PROTO,	1 },
	[RS_F_IP_SADDR]		= { "ip saddr",			RS_K_ADDR4,	4 },
	[RS_F_IP_DADDR]		= { "ip daddr",			RS_K_ADDR4,	4 },
	[RS_F_IP6_SADDR]	= { "ip6 saddr",		RS_K_ADDR6,	16 },
	[RS_F_IP6_DADDR]	= { "ip6 daddr",		RS_K_ADDR6,	16 },
	[RS_F_SPORT]		= { "sport",			RS_K_PORT,	2 },
	[RS_F_DPORT]		= { "dport",			RS_K_PORT,	2 },
	[RS_F_ICMP_TYPE]	= { "icmp type",		RS_K_INT,	1 },
	[RS_F_ICMP_CODE]	= { "icmp code",		RS_K_INT,	1 },
	[RS_F_ICMPV6_TYPE]	= { "icmpv6 type",		RS_K_INT,	1 },
	[RS_F_ICMPV6_CODE]	= { "icmpv6 code",		RS_K_INT,	1 },
	[RS_F_TCP_FLAGS]	= { "tcp flags",		RS_K_HEX,	1 },
	[RS_F_CT_STATE]		= { "ct state",			RS_K_CTSTATE,	4 },
	[RS_F_CT_STATUS]	= { "ct status",		RS_K_HEX,	4 },
	[RS_F_CT_DIRECTION]	= { "ct direction",		RS_K_INT,	1 },
	[RS_F_CT_MARK]		= { "ct mark",			RS_K_HEX,	4 },
	[RS_F_CT_ORIG_SADDR4]	= { "ct original ip saddr",	RS_K_ADDR4,	4 },
	[RS_F_CT_ORIG_DADDR4]	= { "ct original ip daddr",	RS_K_ADDR4,	4 },
	[RS_F_CT_ORIG_SADDR6]	= { "ct original ip6 saddr",	RS_K_ADDR6,	16 },
	[RS_F_CT_ORIG_DADDR6]	= { "ct original ip6 daddr",	RS_K_ADDR6,	16 },
	[RS_F_CT_ORIG_SPORT]	= { "ct original proto-src",	RS_K_PORT,	2 },
	[RS_F_CT_ORIG_DPORT]	= { "ct original proto-dst",	RS_K_PORT,	2 },
	[RS_F_CT_REPL_SADDR4]	= { "ct reply ip saddr",	RS_K_ADDR4,	4 },
	[RS_F_CT_REPL_DADDR4]	= { "ct reply ip daddr",	RS_K_ADDR4,	4 },
	[RS_F_CT_REPL_SADDR6]	= { "ct reply ip6 saddr",	RS_K_ADDR6,	16 },
	[RS_F_CT_REPL_DADDR6]	= { "ct reply ip6 daddr",	RS_K_ADDR6,	16 },
	[RS_F_CT_REPL_SPORT]	= { "ct reply proto-src",	RS_K_PORT,	2 },
	[RS_F_CT_REPL_DPORT]	= { "ct reply proto-dst",	RS_K_PORT,	2 },
	[RS_F_FIB_SADDR_TYPE]	= { "fib saddr type",		RS_K_FIBTYPE,	4 },
	[RS_F_FIB_DADDR_TYPE]	= { "fib daddr type",		RS_K_FIBTYPE,	4 },
	[RS_F_FIB_SADDR_OIF]	= { "fib saddr oif",		RS_K_INT,	4 },
	[RS_F_FIB_DADDR_OIF]	= { "fib daddr oif",		RS_K_INT,	4 },
	[RS_F_FIB_SADDR_IIF_OIF] = { "fib saddr . iif oif",	RS_K_INT,	4 },
	[RS_F_MARK]		= { "mark",			RS_K_HEX,	4 },
	[RS_F_PKTTYPE]		= { "pkttype",			RS_K_INT,	1 },
	[RS_F_SKUID]		= { "skuid",			RS_K_INT,	4 },
	[RS_F_SKGID]		= { "skgid",			RS_K_INT,	4 },
	[RS_F_ETHER_SADDR]	= { "ether saddr",		RS_K_MAC,	6 },
	[RS_F_ETHER_DADDR]	= { "ether daddr",		RS_K_MAC,	6 },
	[RS_F_PHYSDEV_IN]	= { "physdev in",		RS_K_IFNAME,	16 },
	[RS_F_PHYSDEV_OUT]	= { "physdev out",		RS_K_IFNAME,	16 },
	[RS_F_IBRNAME]		= { "ibrname",			RS_K_IFNAME,	16 },
	[RS_F_IP_TTL]		= { "ttl",			RS_K_INT,	1 },
	[RS_F_IP_TOS]		= { "tos",			RS_K_HEX,	1 },
	[RS_F_IP_LENGTH]	= { "length",			RS_K_INT,	2 },
	[RS_F_IP_FRAGOFF]	= { "ip frag-off",		RS_K_HEX,	2 },
	[RS_F_IP_OPTIONS]	= { "ip options",		RS_K_HEX,	4 },
	[RS_F_IP6_EXTHDRS]	= { "ip6 exthdrs",		RS_K_HEX,	16 },
	[RS_F_IP6_RT_TYPE]	= { "rt type",			RS_K_INT,	4 },
	[RS_F_TCP_OPTIONS]	= { "tcp options",		RS_K_HEX,	16 },
	[RS_F_TCP_MSS]		= { "tcp option maxseg size",	RS_K_INT,	4 },
	[RS_F_NUMGEN]		= { "numgen",			RS_K_INT,	4 },
	[RS_F_IPSET]		= { "ipset",			RS_K_NONE,	0 },
	[RS_F_PAYLOAD]		= { "payload",			RS_K_HEX,	16 },
	[RS_F_OTHER]		= { "other",			RS_K_NONE,	0 },
	[RS_F_UNKNOWN]		= { "unknown",			RS_K_NONE,	0 },
};

const struct rs_field_info *rs_field_info(enum rs_field f)
{
	static const struct rs_field_info bad = { "invalid", RS_K_NONE, 0 };

	if ((unsigned int)f >= RS_F__COUNT || !field_info[f].name)
		return &bad;
	return &field_info[f];
}

const char *rs_verdict_name(enum rs_verdict_kind k)
{
	static const char *const names[] = {
		[RS_V_NONE] = "continue",	[RS_V_ACCEPT] = "accept",
		[RS_V_DROP] = "drop",		[RS_V_REJECT] = "reject",
		[RS_V_QUEUE] = "queue",		[RS_V_RETURN] = "return",
		[RS_V_JUMP] = "jump",		[RS_V_GOTO] = "goto",
		[RS_V_DNAT] = "dnat",		[RS_V_SNAT] = "snat",
		[RS_V_MASQUERADE] = "masquerade",
		[RS_V_REDIRECT] = "redirect",	[RS_V_TPROXY] = "tproxy",
		[RS_V_VMAP] = "vmap",		[RS_V_OTHER] = "other",
	};

	if ((unsigned int)k >= ARRAY_SIZE(names))
		return "invalid";
	return names[k];
}

const char *rs_family_name(uint8_t nfproto)
{
	switch (nfproto) {
	case NFPROTO_INET:	return "inet";
	case NFPROTO_IPV4:	return "ip";
	case NFPROTO_ARP:	return "arp";
	case NFPROTO_NETDEV:	return "netdev";
	case NFPROTO_BRIDGE:	return "bridge";
	case NFPROTO_IPV6:	return "ip6";
	default:		return "unknown";
	}
}

const char *rs_hook_name(uint8_t nfproto, uint32_t hook)
{
	static const char *const inet[] = {
		"prerouting", "input", "forward", "output", "postrouting",
		"ingress",
	};

	if (nfproto == NFPROTO_NETDEV) {
		if (hook == NF_NETDEV_INGRESS)
			return "ingress";
		if (hook == 1)
			return "egress";
		return "unknown";
	}
	if (nfproto == NFPROTO_ARP) {
		static const char *const arp[] = { "input", "output", "forward" };

		return hook < 3 ? arp[hook] : "unknown";
	}
	return hook < 6 ? inet[hook] : "unknown";
}
