// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * chains.c - the walk through chains in the kernel's order: jumps,
 * verdicts, maps, NAT, the base chains of a hook, XDP and ingress.  Part
 * of the walk: see engine.c and walk.h.
 */
#include "array.h"
#include "walk.h"

/* ---------------------------------------------------------------------
 * Chains.
 */
/* The index is built over every chain at each run (24,347 on
 * kube-10000): a packed chain's key hash was computed once, when it was
 * read; hashing the names again was a tenth of an audit there. */
static size_t chain_hash(const struct rs_chain *c, size_t mask)
{
	uint64_t h = c->packed ? c->key_hash :
				 rs_chain_key_hash(c->table, c->name);

	h |= ((uint64_t)(unsigned char)c->origin << 40) |
	     ((uint64_t)c->family << 32);
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h ^ (h >> 29)) & mask;
}

/* the address of a chain's name string, for the index of linked names */
static size_t name_hash(const char *name, size_t mask)
{
	uint64_t h = (uint64_t)(uintptr_t)name * 0x9e3779b97f4a7c15ull;

	return (size_t)(h ^ (h >> 29)) & mask;
}

static bool chain_same(const struct rs_chain *a, const struct rs_chain *b)
{
	/* chains of one table share its string (ruleset_pack_chain()), and
	 * a jump's target string is the chain's name (ruleset_link_jumps()) */
	return a->origin == b->origin && a->family == b->family &&
	       (a->name == b->name || !strcmp(a->name, b->name)) &&
	       (a->table == b->table || !strcmp(a->table, b->table));
}

/* The chains in a hash index, for chain_find(): sorting 24,000 kube-proxy
 * chains whose names share long prefixes (KUBE-SEP-...) was most of an
 * audit's string compares.  Of two chains with the same name (none in a
 * real ruleset) the first is found, as the sort found one of them. */
int eng_chain_index_build(struct walk *w)
{
	const struct ruleset *rs = w->in->rs;
	size_t cap = 16, i, j;

	while (cap < 2 * rs->nchains)
		cap *= 2;
	w->cindex = calloc(cap, sizeof(*w->cindex));
	w->nindex = calloc(cap, sizeof(*w->nindex));
	w->bases = calloc(rs->nchains + 1, sizeof(*w->bases));
	if (!w->cindex || !w->nindex || !w->bases)
		return -ENOMEM;
	w->ncindex = cap;
	for (i = 0; i < rs->nchains; i++) {
		const struct rs_chain *c = &rs->chains[i];

		if (c->base)
			w->bases[w->nbases++] = c;

		for (j = chain_hash(c, cap - 1); w->cindex[j];
		     j = (j + 1) & (cap - 1))
			;
		w->cindex[j] = c;
		if (!c->packed || !c->name)
			continue;
		for (j = name_hash(c->name, cap - 1); w->nindex[j].name;
		     j = (j + 1) & (cap - 1))
			;
		w->nindex[j].name = c->name;
		w->nindex[j].chain = c;
	}
	return 0;
}

/* A packed jump's target string is its chain's own name
 * (ruleset_link_jumps()), and a packed chain's name is a string of its
 * own: the address finds the chain without reading or hashing the name
 * (hashing 40,000 kube-proxy target names per audit was 2 % of the
 * daemon's CPU).  NULL: not a linked name; the caller looks it up by
 * its text. */
static const struct rs_chain *chain_find_linked(const struct walk *w,
						const struct rs_chain *from,
						const char *name)
{
	size_t mask = w->ncindex - 1, j;

	for (j = name_hash(name, mask); w->nindex[j].name; j = (j + 1) & mask) {
		const struct rs_chain *c = w->nindex[j].chain;

		if (w->nindex[j].name == name && c->origin == from->origin &&
		    c->family == from->family &&
		    (c->table == from->table || !strcmp(c->table, from->table)))
			return c;
	}
	return NULL;
}

const struct rs_chain *eng_chain_by_name_ptr(const struct walk *w,
					     const struct rs_chain *c)
{
	return c->name ? chain_find_linked(w, c, c->name) : NULL;
}

static const struct rs_chain *chain_find(const struct walk *w,
					 const struct rs_chain *from,
					 const char *name)
{
	struct rs_chain key = {
		.origin = from->origin, .family = from->family,
		.table = from->table, .name = (char *)name,
	};
	size_t mask = w->ncindex - 1, j;
	const struct rs_chain *c = from->packed ?
				   chain_find_linked(w, from, name) : NULL;

	if (c)
		return c;
	key.key_hash = rs_chain_key_hash(key.table, key.name);
	key.packed = true;	/* key_hash holds its hash: computed once */
	for (j = chain_hash(&key, mask); w->cindex[j]; j = (j + 1) & mask)
		if ((!w->cindex[j]->packed ||
		     w->cindex[j]->key_hash == key.key_hash) &&
		    chain_same(w->cindex[j], &key))
			return w->cindex[j];
	return NULL;
}

const struct rs_chain *eng_chain_find(const struct walk *w,
				      const struct rs_chain *from,
				      const char *name)
{
	return chain_find(w, from, name);
}

/* The chain rule r of chain from jumps to (v its verdict), or NULL.  The
 * answer is kept per rule: the handshake walks the same jumps once per
 * NAT target, and a name lookup among thousands of chains that share
 * long prefixes (KUBE-SEP-...) is many string compares. */
static const struct rs_chain *jump_target(struct walk *w,
					  const struct rs_chain *from,
					  const struct rs_rule *r,
					  const struct rs_verdict *v)
{
	const struct rs_chain **t;
	size_t ci = (size_t)(from - w->in->rs->chains), ri;

	if (!v->chain)
		return NULL;
	ri = (size_t)(r - from->rules);
	if (ci >= w->in->rs->nchains || ri >= from->nrules ||
	    v != &r->verdict || !w->jumps)
		return chain_find(w, from, v->chain);
	t = w->jumps[ci];
	if (!t) {
		t = arena_alloc(&w->jarena, from->nrules * sizeof(*t));
		if (!t)
			return chain_find(w, from, v->chain);
		memset(t, 0, from->nrules * sizeof(*t));
		w->jumps[ci] = t;
	}
	if (!t[ri])
		t[ri] = chain_find(w, from, v->chain);
	return t[ri];
}

/* How a branch leaves a base chain. */
enum leave {
	LEAVE_ACCEPT,	/* on to the next base chain */
	LEAVE_DROP,
};

/* The branches a base chain accepted, with an index by state: after a
 * chain of thousands of DNAT rules each branch would otherwise be
 * compared with every branch accepted before it. */
struct chain_out {
	struct blist accepted;
	struct blist dropped;
	size_t *head;		/* nbuckets chains: accepted index + 1 */
	size_t *next;		/* per accepted branch, same encoding */
	size_t nbuckets, ncap;
};

static bool is_nat_chain(const struct rs_chain *c)
{
	if (c->type)
		return !strcmp(c->type, "nat");
	return c->origin == RS_ORIGIN_LEGACY && !strcmp(c->table, "nat");
}

static void stmt_apply(struct branch *b, const struct rs_stmt *s)
{
	if (s->sets_mark)
		b->mark = (b->mark & ~s->mark_mask) ^ s->mark_value;
	if (!strcasecmp(s->name, "notrack") ||
	    (!strcmp(s->name, "CT") && s->text && strstr(s->text, "notrack")))
		b->untracked = true;
}

/* Do two branches carry the same state, so that whatever follows does the
 * same to both?  With at, also the same place in the same chain. */
static bool branch_same(const struct branch *a, const struct branch *b,
			bool at)
{
	const struct frame *x, *y;

	if (a->nat != b->nat || a->redirect != b->redirect ||
	    a->nat_addr != b->nat_addr || a->nat_port != b->nat_port ||
	    a->nat_port_lo != b->nat_port_lo ||
	    a->nat_port_hi != b->nat_port_hi ||
	    a->nat_bound != b->nat_bound || a->untracked != b->untracked ||
	    a->ct_dnat != b->ct_dnat || a->direct != b->direct ||
	    a->direct_addr != b->direct_addr ||
	    a->mark != b->mark || a->ctmark != b->ctmark ||
	    a->oif_known != b->oif_known || a->oif != b->oif ||
	    a->oif_key != b->oif_key || !choice_equal(a->choice, b->choice) ||
	    /* what IPVS sends each real server is its own packet */
	    a->ipvs_out != b->ipvs_out || a->ipvs_out_svc != b->ipvs_out_svc ||
	    a->inner != b->inner || a->tun_src_known != b->tun_src_known ||
	    a->tun_src != b->tun_src)
		return false;
	if (!at)
		return true;
	if (a->chain != b->chain || a->rule != b->rule || a->depth != b->depth)
		return false;
	for (x = a->stack, y = b->stack; x != y; x = x->up, y = y->up)
		if (x->chain != y->chain || x->rule != y->rule)
			return false;
	return true;
}

static bool assumed(const struct anode *l, const struct engine_assumption *x)
{
	for (; l; l = l->up)
		if (l->a.rule == x->rule && l->a.match == x->match &&
		    l->a.matched == x->matched && l->a.elem == x->elem &&
		    l->a.xdp == x->xdp && l->a.tc == x->tc &&
		    l->a.nfbpf == x->nfbpf)
			return true;
	return false;
}

/* b's probes and assumptions into t, which is in the same state; b is
 * freed. */
static int branch_merge(struct walk *w, struct branch *t, struct branch *b)
{
	const struct anode *a;
	int ret;

	ret = region_union(t->r, b->r);
	for (a = b->assume; !ret && a; a = a->up)
		if (!assumed(t->assume, &a->a))
			ret = eng_assume_copy(w, t, &a->a);
	branch_free(b);
	return ret;
}

/*
 * Put b on l, or fold it into a branch of l in the same state (and, with
 * at, at the same place): undecidable matches fork branches that often
 * meet again (after a jump returns, after a LOG), and without folding a
 * chain of them doubles the work at each one.  The folded branch keeps the
 * assumptions of both and the first one's trace.
 */
static int blist_fold(struct walk *w, struct blist *l, struct branch *b,
		      bool at)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (branch_same(l->b[i], b, at))
			return branch_merge(w, l->b[i], b);
	return blist_push(l, b);
}

/* A hash of what branch_same() compares without at. */
static size_t branch_hash(const struct branch *b)
{
	uint64_t h = 0xcbf29ce484222325ull;

#define MIX(v) (h = (h ^ (uint64_t)(v)) * 0x100000001b3ull)
	MIX(b->nat | b->redirect << 1 | b->nat_port << 2 | b->nat_bound << 3 |
	    b->untracked << 4 | b->oif_known << 5 | b->ct_dnat << 6 |
	    b->direct << 7);
	MIX(b->direct_addr);
	MIX(b->nat_addr);
	MIX(b->nat_addr >> 64);
	MIX(b->nat_port_lo | (uint32_t)b->nat_port_hi << 16);
	MIX(b->mark | (uint64_t)b->ctmark << 32);
	MIX((uint32_t)b->oif);
	MIX(b->oif_key);
	MIX(b->oif_key >> 64);
	MIX(choice_hash(b->choice));
	MIX((uintptr_t)b->ipvs_out);
	MIX((uintptr_t)b->inner);
#undef MIX
	return (size_t)(h ^ h >> 29);
}

static void chain_out_index_free(struct chain_out *o)
{
	free(o->head);
	free(o->next);
	o->head = o->next = NULL;
	o->nbuckets = o->ncap = 0;
}

/* Put accepted branch i (just pushed) into the index, rehashed into more
 * buckets first when it is full. */
static int accepted_index(struct chain_out *o, size_t i)
{
	size_t *p, k, h;

	if (o->ncap <= i) {
		k = o->accepted.cap;
		p = realloc(o->next, k * sizeof(*p));
		if (!p)
			return -ENOMEM;
		o->next = p;
		o->ncap = k;
	}
	if (i >= o->nbuckets) {
		k = o->nbuckets ? o->nbuckets * 4 : 64;
		p = calloc(k, sizeof(*p));
		if (!p)
			return -ENOMEM;
		free(o->head);
		o->head = p;
		o->nbuckets = k;
		for (k = 0; k < i; k++) {
			h = branch_hash(o->accepted.b[k]) & (o->nbuckets - 1);
			o->next[k] = o->head[h];
			o->head[h] = k + 1;
		}
	}
	h = branch_hash(o->accepted.b[i]) & (o->nbuckets - 1);
	o->next[i] = o->head[h];
	o->head[h] = i + 1;
	return 0;
}

/* Below this many accepted branches a scan is cheaper than the index. */
#define ACCEPTED_INDEX_MIN	8

static int accepted_push(struct chain_out *o, struct branch *b)
{
	int ret = blist_push(&o->accepted, b);

	if (ret < 0 || (!o->nbuckets && o->accepted.n < ACCEPTED_INDEX_MIN))
		return ret;
	return accepted_index(o, o->accepted.n - 1);
}

/* blist_fold(o->accepted, b, false), by the index: b folds into the
 * first accepted branch in the same state. */
static int accepted_fold(struct walk *w, struct chain_out *o,
			 struct branch *b)
{
	size_t k, first = SIZE_MAX;

	if (!o->nbuckets) {
		for (k = 0; k < o->accepted.n && first == SIZE_MAX; k++)
			if (branch_same(o->accepted.b[k], b, false))
				first = k;
	} else {
		k = o->head[branch_hash(b) & (o->nbuckets - 1)];
		for (; k; k = o->next[k - 1])
			if (k - 1 < first &&
			    branch_same(o->accepted.b[k - 1], b, false))
				first = k - 1;
	}
	if (first != SIZE_MAX)
		return branch_merge(w, o->accepted.b[first], b);
	return accepted_push(o, b);
}

static int leave(struct walk *w, struct chain_out *o, struct branch *b,
		 enum leave how, const struct rs_rule *r,
		 enum rs_verdict_kind v, const char *what)
{
	int ret = trace_add(w, b, w->hook, b->chain, r, v, what);

	if (ret < 0) {
		branch_free(b);
		return ret;
	}
	if (how == LEAVE_DROP)
		return blist_push(&o->dropped, b);
	return accepted_fold(w, o, b);
}

static int apply_verdict(struct walk *w, struct blist *work,
			 struct chain_out *o, struct branch *b,
			 const struct rs_rule *r, const struct rs_verdict *v);

/* The probes of part (taken over) take element e of rule r's map v: its
 * verdict, or its NAT target. */
static int map_take(struct walk *w, struct blist *work, struct chain_out *o,
		    struct branch *part, const struct rs_rule *r,
		    const struct rs_verdict *v, size_t e)
{
	const struct rs_set *s = v->map.set;
	struct rs_verdict ev;

	if (v->kind == RS_V_VMAP)
		return apply_verdict(w, work, o, part, r, &s->data[e].verdict);
	ev = *v;
	memset(&ev.map, 0, sizeof(ev.map));
	ev.nat.has_addr = s->data[e].nvalues >= 1;
	ev.nat.addr_lo = ev.nat.addr_hi = s->data[e].value[0];
	if (s->data[e].nvalues >= 2) {
		ev.nat.has_port = true;
		ev.nat.port_lo = ev.nat.port_hi = (uint16_t)s->data[e].value[1];
	}
	return apply_verdict(w, work, o, part, r, &ev);
}

/* A map whose key cannot be decided (numgen, a hash, a mark set
 * elsewhere): the probes of b may take any element from e on, each with
 * its assumption, and, unless every value the key can take has an
 * element, none of them (the rule falls through). */
static int map_undecided(struct walk *w, struct blist *work,
			 struct chain_out *o, struct branch *b,
			 const struct rs_rule *r, const struct rs_verdict *v,
			 size_t e)
{
	const struct rs_set *s = v->map.set;
	struct branch *part;
	int ret = 0;

	for (; e < s->nelems && !ret; e++) {
		part = branch_fork(w, b, region_copy(b->r));
		if (!part || !part->r) {
			branch_free(part);
			ret = -ENOMEM;
			break;
		}
		ret = eng_assume_elem(w, part, w->base, r, NULL, true, e + 1);
		if (ret < 0)
			branch_free(part);
		else
			ret = map_take(w, work, o, part, r, v, e);
	}
	if (ret < 0 || v->map.total) {
		branch_free(b);
		return ret;
	}
	ret = eng_assume_elem(w, b, w->base, r, NULL, false, 0);
	if (ret < 0) {
		branch_free(b);
		return ret;
	}
	b->rule++;
	return blist_fold(w, work, b, true);
}

/* A verdict map or a NAT map: each element's key splits the branch; the
 * part of an element takes that element's verdict / NAT target. */
static int apply_map(struct walk *w, struct blist *work, struct chain_out *o,
		     struct branch *b, const struct rs_rule *r,
		     const struct rs_verdict *v)
{
	const struct rs_set *s = v->map.set;
	struct rs_match m = { .op = RS_OP_IN, .nfields = v->map.nfields };
	struct region *yes, *no;
	struct branch *part;
	enum mres res;
	size_t e;
	int ret;

	memcpy(m.fields, v->map.fields, sizeof(m.fields));
	m.nelems = 1;
	for (e = 0; e < s->nelems && !region_is_empty(b->r); e++) {
		m.elems = &s->elems[e * s->nfields];
		ret = eng_match_eval(w, b, &m, b->r, &yes, &no, &res);
		if (ret < 0)
			goto fail;
		if (res == M_UNKNOWN || res == M_CHOICE)
			return map_undecided(w, work, o, b, r, v, e);
		region_free(b->r);
		b->r = no;
		if (region_is_empty(yes)) {
			region_free(yes);
			continue;
		}
		part = branch_fork(w, b, yes);
		if (!part) {
			ret = -ENOMEM;
			goto fail;
		}
		ret = map_take(w, work, o, part, r, v, e);
		if (ret < 0)
			goto fail;
	}
	/* no element matched: a vmap falls through to the next rule; a NAT
	 * expression without a mapping breaks the rule the same way */
	if (region_is_empty(b->r)) {
		branch_free(b);
		return 0;
	}
	b->rule++;
	return blist_fold(w, work, b, true);
fail:
	branch_free(b);
	return ret;
}

/* The part of b arriving on the interfaces of key, split off into a
 * branch of its own: *out, or NULL when b has none of them. */
int eng_fork_on_iif(struct walk *w, struct branch *b,
		const struct rs_interval *key, struct branch **out)
{
	struct region *in = NULL;
	int ret;

	*out = NULL;
	ret = region_split_off(b->r, REGION_IIF, key, 1, &in);
	if (ret < 0)
		return ret;
	if (region_is_empty(in)) {
		region_free(in);
		return 0;
	}
	*out = branch_fork(w, b, in);
	return *out ? 0 : -ENOMEM;
}

/* The address IPv4 REDIRECT gives the probes of ifindex: the first
 * (primary) address of the interface they came in on
 * (nf_nat_redirect_ipv4()); 0 when it has none. */
static rs_u128 redirect_addr4(const struct host *h, int ifindex)
{
	size_t i;

	for (i = 0; i < h->naddrs; i++)
		if (h->addrs[i].ifindex == ifindex &&
		    h->addrs[i].family == NFPROTO_IPV4 &&
		    !(h->addrs[i].flags & 0x01 /* IFA_F_SECONDARY */))
			return h->addrs[i].addr;
	return 0;
}

/* b's binding is set; mark where it changed the tuple (ct status dnat,
 * --ctstate DNAT): nf_nat_setup_info() sets IPS_DST_NAT only then.  A
 * probe already addressed to the new address and a port in the new range
 * keeps its tuple.  The unchanged part forks off into *same (NULL when
 * there is none). */
static int nat_status(struct walk *w, struct branch *b, bool addr,
		      struct branch **same)
{
	struct region_box box;
	struct region *u;
	int d, ret;

	*same = NULL;
	for (d = 0; d < REGION_NDIMS; d++) {
		box.iv[d].lo = 0;
		box.iv[d].hi = ~(rs_u128)0;
	}
	if (addr)
		box.iv[REGION_DADDR].lo = box.iv[REGION_DADDR].hi = b->nat_addr;
	if (b->nat_port) {
		box.iv[REGION_DPORT].lo = b->nat_port_lo;
		box.iv[REGION_DPORT].hi = b->nat_port_hi;
	}
	b->ct_dnat = true;
	u = region_copy(b->r);
	if (!u)
		return -ENOMEM;
	ret = region_intersect_box(u, &box);
	if (!ret && !region_is_empty(u))
		ret = region_subtract_box(b->r, &box);
	if (ret < 0 || region_is_empty(u)) {
		region_free(u);
		return ret;
	}
	*same = branch_fork(w, b, u);
	if (!*same)
		return -ENOMEM;
	(*same)->ct_dnat = false;
	return 0;
}

/* Leave with b's binding: the part whose tuple changed and the part whose
 * did not, each as it is. */
static int nat_leave(struct walk *w, struct chain_out *o, struct branch *b,
		     const struct rs_rule *r, const struct rs_verdict *v,
		     bool addr)
{
	struct branch *same;
	int ret;

	b->nat_bound = true;
	ret = nat_status(w, b, addr, &same);
	if (ret < 0) {
		branch_free(b);
		return ret;
	}
	if (same) {
		ret = leave(w, o, same, LEAVE_ACCEPT, r, v->kind, NULL);
		if (ret < 0) {
			branch_free(b);
			return ret;
		}
	}
	if (region_is_empty(b->r)) {
		branch_free(b);
		return 0;
	}
	return leave(w, o, b, LEAVE_ACCEPT, r, v->kind, NULL);
}

/* IPv4 REDIRECT with host facts: the probes of each ingress interface go
 * to that interface's primary address; an interface without an IPv4
 * address drops them. */
static int redirect4(struct walk *w, struct chain_out *o, struct branch *b,
		     const struct rs_rule *r, const struct rs_verdict *v)
{
	const struct host_link *l;
	struct rs_interval key;
	struct branch *nb;
	size_t i;
	int ret = 0;

	for (i = 0; i < w->host->nlinks && !ret; i++) {
		l = &w->host->links[i];
		key = rs_ifname_interval(l->name, false);
		ret = eng_fork_on_iif(w, b, &key, &nb);
		if (ret < 0 || !nb)
			continue;
		nb->nat_addr = redirect_addr4(w->host, l->ifindex);
		if (!nb->nat_addr) {
			ret = leave(w, o, nb, LEAVE_DROP, r, v->kind,
				    "REDIRECT: the interface has no IPv4 "
				    "address");
			continue;
		}
		nb->nat = true;
		ret = nat_leave(w, o, nb, r, v, true);
	}
	if (!ret && !region_is_empty(b->r))
		/* names the host does not have: nothing comes in there */
		ret = leave(w, o, b, LEAVE_DROP, r, v->kind, "REDIRECT: no "
			    "such interface");
	else
		branch_free(b);
	return ret;
}

static int apply_nat(struct walk *w, struct chain_out *o, struct branch *b,
		     const struct rs_rule *r, const struct rs_verdict *v)
{
	if (!is_nat_chain(w->base) || w->hook != NF_INET_PRE_ROUTING ||
	    b->untracked)
		/* only a prerouting nat chain rewrites what a probe
		 * reaches; elsewhere the verdict is an accept */
		return leave(w, o, b, LEAVE_ACCEPT, r, v->kind, NULL);
	if (v->nat.has_port) {
		b->nat_port = true;
		b->nat_port_lo = v->nat.port_lo;
		b->nat_port_hi = v->nat.port_hi;
	}
	if (v->kind == RS_V_DNAT) {
		if (v->nat.has_addr) {
			b->nat = true;
			b->nat_addr = v->nat.addr_lo;
		}
		return nat_leave(w, o, b, r, v, v->nat.has_addr);
	}
	/* REDIRECT: to the host itself.  IPv6 picks the source address it
	 * would use towards the original destination, which is that
	 * destination when it is one of the host's own (the probes are);
	 * without host facts the address is any local one. */
	b->redirect = true;
	if (is_v4(w) && w->host) {
		b->nat_bound = true;
		return redirect4(w, o, b, r, v);
	}
	return nat_leave(w, o, b, r, v, false);
}

static int apply_verdict(struct walk *w, struct blist *work,
			 struct chain_out *o, struct branch *b,
			 const struct rs_rule *r, const struct rs_verdict *v)
{
	const struct rs_chain *target;
	struct branch *other;
	int ret;

	switch (v->kind) {
	case RS_V_NONE:
		b->rule++;
		return blist_fold(w, work, b, true);
	case RS_V_ACCEPT:
	case RS_V_SNAT:
	case RS_V_MASQUERADE:
		return leave(w, o, b, LEAVE_ACCEPT, r, v->kind, NULL);
	case RS_V_DROP:
	case RS_V_REJECT:
		return leave(w, o, b, LEAVE_DROP, r, v->kind, NULL);
	case RS_V_RETURN:
		if (b->depth == 0)
			goto policy;
		frame_pop(b);
		return blist_fold(w, work, b, true);
	case RS_V_JUMP:
	case RS_V_GOTO:
		target = jump_target(w, b->chain, r, v);
		if (!target)
			goto unknown;
		if (v->kind == RS_V_JUMP) {
			ret = frame_push(w, b);
			if (ret < 0) {
				branch_free(b);
				return ret;
			}
		}
		ret = trace_add(w, b, w->hook, b->chain, r, v->kind, NULL);
		if (ret < 0) {
			branch_free(b);
			return ret;
		}
		b->chain = target;
		b->rule = 0;
		return blist_fold(w, work, b, true);
	case RS_V_DNAT:
	case RS_V_REDIRECT:
		/* "dnat ip to" in an inet table does nothing to an IPv6
		 * packet (nft_nat_inet_eval()): the rule falls through */
		if (v->nat.family && v->nat.family != NFPROTO_INET &&
		    v->nat.family != w->family) {
			b->rule++;
			return blist_fold(w, work, b, true);
		}
		if (v->map.set)
			return apply_map(w, work, o, b, r, v);
		return apply_nat(w, o, b, r, v);
	case RS_V_VMAP:
		if (!v->map.set)
			goto unknown;
		return apply_map(w, work, o, b, r, v);
	default:
		goto unknown;
	}
policy:
	/* a return from the base chain, or from a chain it went to by
	 * goto: the base chain's policy */
	b->chain = w->base;
	return leave(w, o, b, w->base->policy == RS_V_DROP ? LEAVE_DROP :
		     LEAVE_ACCEPT, NULL, w->base->policy, NULL);
unknown:
	/* queue, tproxy, a target we do not model, a jump to a chain that
	 * is not there: both fates are possible */
	other = branch_fork(w, b, region_copy(b->r));
	if (!other || !other->r) {
		branch_free(other);
		branch_free(b);
		return -ENOMEM;
	}
	ret = eng_assume_add(w, b, w->base, r, NULL, true);
	if (!ret)
		ret = eng_assume_add(w, other, w->base, r, NULL, false);
	if (ret < 0) {
		branch_free(other);
		branch_free(b);
		return ret;
	}
	ret = leave(w, o, b, LEAVE_ACCEPT, r, v->kind, NULL);
	if (ret < 0) {
		branch_free(other);
		return ret;
	}
	return leave(w, o, other, LEAVE_DROP, r, v->kind, NULL);
}

/* The probes of nb (taken over) match rule r: its statements, then its
 * verdict. */
static int rule_take(struct walk *w, struct blist *work, struct chain_out *o,
		     struct branch *nb, const struct rs_rule *r)
{
	size_t i;

	for (i = 0; i < r->nstmts; i++)
		stmt_apply(nb, &r->stmts[i]);
	return apply_verdict(w, work, o, nb, r, &r->verdict);
}

/*
 * Rule r on branch b (taken over) by one in-place split of b's region: the
 * part that matches goes on with the rule's statements and verdict, b
 * keeps the rest and goes on to the next rule.  The same outcome as
 * eng_rule_matches() and what chain_run() makes of it, without copying the
 * part that does not match: after a chain of thousands of rules for
 * scattered ports that part is thousands of boxes.
 */
static int rule_split(struct walk *w, struct blist *work, struct chain_out *o,
		      struct branch *b, const struct rs_rule *r,
		      struct rule_sets *rs)
{
	struct region *in = NULL;
	struct branch *nb;
	int ret;

	ret = region_split_off_product(b->r, rs->set, rs->nset, &in);
	eng_rule_sets_release(rs);
	if (ret < 0) {
		branch_free(b);
		return ret;
	}
	if (region_is_empty(in)) {
		region_free(in);
		b->rule++;
		return blist_fold(w, work, b, true);
	}
	nb = branch_fork(w, b, in);
	if (!nb) {
		branch_free(b);
		return -ENOMEM;
	}
	if (region_is_empty(b->r)) {
		branch_free(b);
	} else {
		b->rule++;
		ret = blist_fold(w, work, b, true);
		if (ret < 0) {
			branch_free(nb);
			return ret;
		}
	}
	return rule_take(w, work, o, nb, r);
}

/* Fewer rules are cheaper one by one. */
#define RUN_MIN_RULES		8

/* Does a probe that matches a rule with verdict v leave the chain? */
static bool verdict_leaves(const struct rs_verdict *v)
{
	switch (v->kind) {
	case RS_V_ACCEPT:
	case RS_V_SNAT:
	case RS_V_MASQUERADE:
	case RS_V_DROP:
	case RS_V_REJECT:
		return true;
	case RS_V_DNAT:
	case RS_V_REDIRECT:
		return !v->map.set;
	default:
		return false;
	}
}

/* The one dimension in which a and b ask for different sets (both for
 * one), or -1. */
static int rule_sets_diff(const struct rule_sets *a, const struct rule_sets *b)
{
	int d, dim = -1;

	for (d = 0; d < REGION_NDIMS; d++) {
		if (a->nset[d] == b->nset[d] && !a->set[d] == !b->set[d] &&
		    (!a->set[d] || !memcmp(a->set[d], b->set[d],
					   a->nset[d] * sizeof(*a->set[d]))))
			continue;
		if (dim >= 0 || !a->set[d] || !b->set[d])
			return -1;
		dim = d;
	}
	return dim;
}

/* A set interval of a rule of a run. */
struct run_iv {
	struct rs_interval iv;
	size_t rule;
};

static int run_iv_cmp(const void *a, const void *b)
{
	const struct run_iv *x = a, *y = b;

	return x->iv.lo < y->iv.lo ? -1 : x->iv.lo > y->iv.lo;
}

static int run_iv_push(struct run_iv **iv, size_t *n, size_t *cap,
		       const struct rs_interval *v, size_t rule)
{
	int ret;

	ret = array_grow(iv, cap, *n, sizeof(**iv), SIZE_MAX, 64);
	if (ret < 0)
		return ret;
	(*iv)[*n].iv = *v;
	(*iv)[(*n)++].rule = rule;
	return 0;
}

/* The run of rules from b->rule on that rule_run() can take: the
 * dimension their sets differ in (*dim), the intervals of their sets in it,
 * tagged with the rule, ascending, into *out (*n); *end is the first rule
 * after the run.  0 with *out NULL when there is no such run. */
static int run_collect(struct walk *w, const struct branch *b,
		       const struct rule_sets *first, int *dim,
		       struct run_iv **out, size_t *n, size_t *end)
{
	const struct rs_chain *c = b->chain;
	struct run_iv *iv = NULL;
	struct rule_sets rs;
	size_t j, k, niv = 0, cap = 0, nrules = 1;
	int ret = 0;

	*out = NULL;
	*n = 0;
	*dim = -1;
	for (j = b->rule + 1; j < c->nrules && !ret; j++) {
		const struct rs_rule *r = &c->rules[j];

		/* a rule that cannot match ends the run too: looking past
		 * it would make a chain walked rule by rule (a branch after
		 * DNAT) quadratic */
		if (eng_rule_misses(w, b, r) || !verdict_leaves(&r->verdict))
			break;
		ret = eng_rule_sets_of(w, b, r, &rs);
		if (ret <= 0)
			break;
		ret = 0;
		if (j == b->rule + 1) {
			*dim = rule_sets_diff(first, &rs);
			for (k = 0; *dim >= 0 && k < first->nset[*dim] && !ret;
			     k++)
				ret = run_iv_push(&iv, &niv, &cap,
						  &first->set[*dim][k], b->rule);
		}
		if (*dim < 0 || rule_sets_diff(first, &rs) != *dim) {
			eng_rule_sets_release(&rs);
			break;
		}
		for (k = 0; k < rs.nset[*dim] && !ret; k++)
			ret = run_iv_push(&iv, &niv, &cap, &rs.set[*dim][k], j);
		eng_rule_sets_release(&rs);
		nrules++;
	}
	if (ret < 0 || !iv) {
		free(iv);
		return ret;
	}
	qsort(iv, niv, sizeof(*iv), run_iv_cmp);
	/* first match wins where sets overlap: not for a run, nor for the
	 * rules of this one that come next */
	for (k = 1; k < niv && nrules >= RUN_MIN_RULES; k++) {
		if (iv[k].iv.lo <= iv[k - 1].iv.hi) {
			w->norun_chain = c;
			w->norun_end = j;
			nrules = 0;
		}
	}
	if (nrules < RUN_MIN_RULES) {
		free(iv);
		return 0;
	}
	*out = iv;
	*n = niv;
	*end = j;
	return 0;
}

/* A run's intervals rule by rule, each rule's in ascending order. */
static const struct run_iv *run_iv_base;

static int run_rule_cmp(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (run_iv_base[i].rule != run_iv_base[j].rule)
		return run_iv_base[i].rule < run_iv_base[j].rule ? -1 : 1;
	return i < j ? -1 : i > j;
}

/*
 * A run of rules from b->rule on, each of rule_split()'s kind, asking the
 * same as the first in every dimension but one, where their sets are
 * disjoint, and with a verdict that leaves the chain: Docker's DNAT per
 * published port.  One split of
 * b's region by the union of their sets, then each piece to its rule,
 * instead of one pass over b's region per rule.  The same outcome as rule
 * by rule, as long as no other branch waits in this chain to be folded
 * with b on the way.  Returns 1 when it ran (b taken over), 0 when there
 * is no such run (b untouched), or a negative errno (b freed).
 */
static int rule_run(struct walk *w, struct blist *work, struct chain_out *o,
		    struct branch *b, const struct rule_sets *first)
{
	const struct rs_chain *c = b->chain;
	const struct rs_interval *set[REGION_NDIMS] = { NULL };
	size_t nset[REGION_NDIMS] = { 0 };
	struct rs_interval *u = NULL;
	struct region **sl = NULL;
	struct run_iv *iv = NULL;
	struct region *in = NULL, *part;
	struct branch *nb;
	size_t niv = 0, end = 0, *ord = NULL, i, k;
	int dim, d, ret;

	if (!verdict_leaves(&c->rules[b->rule].verdict) ||
	    (c == w->norun_chain && b->rule < w->norun_end))
		return 0;
	for (i = 0; i < work->n; i++)
		if (work->b[i]->chain == c)
			return 0;
	ret = run_collect(w, b, first, &dim, &iv, &niv, &end);
	if (ret < 0 || !iv)
		return ret;
	u = calloc(niv, sizeof(*u));
	ord = calloc(niv, sizeof(*ord));
	if (!u || !ord) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < niv; i++) {
		u[i] = iv[i].iv;
		ord[i] = i;
	}
	/* the other dimensions ask the same of every rule of the run */
	for (d = 0; d < REGION_NDIMS; d++) {
		set[d] = first->set[d];
		nset[d] = first->nset[d];
	}
	set[dim] = u;
	nset[dim] = niv;
	ret = region_split_off_product(b->r, set, nset, &in);
	if (!ret)
		ret = region_slices(in, dim, u, niv, &sl);
	if (ret < 0)
		goto out;
	run_iv_base = iv;
	qsort(ord, niv, sizeof(*ord), run_rule_cmp);
	for (i = 0; i < niv && !ret; i = k) {
		const struct rs_rule *r = &c->rules[iv[ord[i]].rule];

		/* a rule's slices: pieces of disjoint boxes in disjoint
		 * intervals */
		part = sl[ord[i]];
		sl[ord[i]] = NULL;
		for (k = i + 1; k < niv && iv[ord[k]].rule == iv[ord[i]].rule;
		     k++) {
			if (!ret)
				ret = region_append(part, sl[ord[k]]);
		}
		if (ret < 0 || region_is_empty(part)) {
			region_free(part);
			continue;
		}
		nb = branch_fork(w, b, part);
		if (!nb) {
			ret = -ENOMEM;
			break;
		}
		nb->rule = iv[ord[i]].rule;
		ret = rule_take(w, work, o, nb, r);
	}
out:
	region_slices_free(sl, niv);
	free(u);
	free(iv);
	free(ord);
	region_free(in);
	if (ret < 0) {
		branch_free(b);
		return ret;
	}
	if (region_is_empty(b->r)) {
		branch_free(b);
		return 1;
	}
	b->rule = end;
	ret = blist_fold(w, work, b, true);
	return ret < 0 ? ret : 1;
}

/* Run one base chain on branch b0 (taken over). */
static int chain_run(struct walk *w, const struct rs_chain *base,
		     struct branch *b0, struct chain_out *o)
{
	struct blist work = { 0 };
	struct plist yes = { 0 }, no = { 0 };
	struct rule_sets rsets;
	const struct rs_rule *r;
	struct branch *b, *nb;
	size_t k;
	int ret;

	b0->chain = base;
	b0->rule = 0;
	b0->depth = 0;
	b0->stack = NULL;
	ret = blist_push(&work, b0);
	while (!ret && work.n) {
		b = work.b[--work.n];
		if (b->rule >= b->chain->nrules) {
			if (b->depth) {
				frame_pop(b);
				ret = blist_fold(w, &work, b, true);
				continue;
			}
			/* the end of a chain entered by goto returns to
			 * the base chain's caller: its policy decides */
			b->chain = base;
			ret = leave(w, o, b, base->policy == RS_V_DROP ?
				    LEAVE_DROP : LEAVE_ACCEPT, NULL,
				    base->policy, NULL);
			continue;
		}
		b->rule = eng_daddr_skip(w, b);
		if (b->rule >= b->chain->nrules) {
			ret = blist_push(&work, b);
			continue;
		}
		r = &b->chain->rules[b->rule];
		if (eng_rule_misses(w, b, r)) {
			b->rule++;
			ret = blist_fold(w, &work, b, true);
			continue;
		}
		ret = eng_rule_sets_of(w, b, r, &rsets);
		if (ret < 0) {
			branch_free(b);
			break;
		}
		if (ret == 1) {
			ret = rule_run(w, &work, o, b, &rsets);
			if (ret != 0) {
				eng_rule_sets_release(&rsets);
				ret = ret < 0 ? ret : 0;
				continue;
			}
			ret = rule_split(w, &work, o, b, r, &rsets);
			continue;
		}
		ret = eng_rule_matches(w, b, r, &yes, &no);
		if (ret < 0) {
			branch_free(b);
			break;
		}
		if (yes.n == 0 && no.n == 1 && no.p[0].assume == b->assume &&
		    no.p[0].choice == b->choice) {
			/* the rule does not apply: the common case, no copy */
			region_free(b->r);
			b->r = no.p[0].r;
			no.n = 0;
			b->rule++;
			ret = blist_fold(w, &work, b, true);
			eng_plist_release(&no);
			eng_plist_release(&yes);
			continue;
		}
		for (k = 0; !ret && k < no.n; k++) {
			nb = branch_fork(w, b, no.p[k].r);
			no.p[k].r = NULL;
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			nb->assume = no.p[k].assume;
			nb->choice = no.p[k].choice;
			nb->rule++;
			ret = blist_fold(w, &work, nb, true);
		}
		for (k = 0; !ret && k < yes.n; k++) {
			nb = branch_fork(w, b, yes.p[k].r);
			yes.p[k].r = NULL;
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			nb->assume = yes.p[k].assume;
			nb->choice = yes.p[k].choice;
			ret = rule_take(w, &work, o, nb, r);
		}
		eng_plist_release(&yes);
		eng_plist_release(&no);
		branch_free(b);
	}
	if (ret == -ENOMEM && w->branches > BRANCHES_MAX)
		ret = -E2BIG;
	eng_blist_release(&work);
	return ret;
}

/* ---------------------------------------------------------------------
 * Hooks.
 */
static bool chain_at_hook(const struct walk *w, const struct rs_chain *c,
			  uint32_t hook)
{
	if (!c->base || c->hook != hook)
		return false;
	if (c->family == NFPROTO_INET)
		return true;
	return c->family == w->family;
}

static int prio_cmp(const void *a, const void *b)
{
	const struct rs_chain *x = *(const struct rs_chain *const *)a;
	const struct rs_chain *y = *(const struct rs_chain *const *)b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	/* same priority: keep the model's order, which is stable */
	return x < y ? -1 : x > y;
}

/* The base chains of hl's hook (those at() takes), in priority order,
 * made on first use: the handshake runs the hooks once per NAT target, and
 * a kube-proxy ruleset has tens of thousands of chains to look through. */
static int hook_list_get(struct walk *w, struct hook_list *hl, uint32_t hook,
			 bool (*at)(const struct walk *w,
				    const struct rs_chain *c, uint32_t hook),
			 const struct rs_chain ***out, size_t *n)
{
	const struct rs_chain **v;
	size_t i, k = 0;

	if (!hl->done) {
		/* at() takes base chains only */
		v = calloc(w->nbases + 1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		for (i = 0; i < w->nbases; i++)
			if (at(w, w->bases[i], hook))
				v[k++] = w->bases[i];
		qsort(v, k, sizeof(*v), prio_cmp);
		hl->chains = v;
		hl->n = k;
		hl->done = true;
	}
	*out = hl->chains;
	*n = hl->n;
	return 0;
}

/* The base chains of a hook for this family. */
static int hook_chains(struct walk *w, uint32_t hook,
		       const struct rs_chain ***out, size_t *n)
{
	return hook_list_get(w, &w->hooks[w->family == NFPROTO_IPV6][hook],
			     hook, chain_at_hook, out, n);
}

/*
 * A BPF program on this hook (a netfilter BPF link) sees every branch of
 * l and may drop it: each branch goes both ways, a copy to dropped with
 * the assumption that it drops, the branch itself on with the assumption
 * that it passes, so what lies beyond is "possible", never "definite".
 */
static int nfbpf_fork(struct walk *w, const struct host_nfbpf *p,
		      struct blist *l, struct blist *dropped)
{
	struct engine_assumption x = { 0 };
	struct branch *drop;
	size_t i;
	int ret = 0;

	x.nfbpf = p;
	for (i = 0; i < l->n && !ret; i++) {
		drop = branch_fork(w, l->b[i], region_copy(l->b[i]->r));
		if (!drop || !drop->r) {
			branch_free(drop);
			return -ENOMEM;
		}
		x.matched = true;
		ret = eng_assume_copy(w, drop, &x);
		if (!ret)
			ret = trace_add(w, drop, w->hook, NULL, NULL, RS_V_DROP,
					"a netfilter BPF program fwaudit "
					"cannot read: may drop");
		if (!ret)
			ret = blist_push(dropped, drop);
		else
			branch_free(drop);
		x.matched = false;
		if (!ret)
			ret = eng_assume_copy(w, l->b[i], &x);
		if (!ret)
			ret = trace_add(w, l->b[i], w->hook, NULL, NULL,
					RS_V_ACCEPT, "a netfilter BPF program "
					"fwaudit cannot read: may pass");
	}
	return ret;
}

/* The netfilter BPF programs of this hook and family with a priority
 * below limit (all with INT64_MAX) not run yet (*next: the index in
 * h->nfbpf where the last call stopped; they are run in h->nfbpf's
 * order, which nfbpf_order() made the priority order). */
static int nfbpf_run(struct walk *w, int64_t limit, size_t *next,
		     struct blist *l, struct blist *dropped)
{
	const struct host *h = w->host;
	int ret = 0;

	/* neighbour discovery is left to the rules, as with XDP */
	if (!h || w->nd)
		return 0;
	for (; *next < h->nnfbpf && !ret; (*next)++) {
		const struct host_nfbpf *p = &h->nfbpf[w->nfbpf_order[*next]];

		/* the kernel refuses a BPF hook at a priority another hook
		 * holds (EBUSY); a snapshot made by hand may still have one:
		 * before the chain, which only ever adds "possible" */
		if (p->priority > limit)
			break;
		if (p->pf != w->family || p->hooknum != w->hook || !l->n)
			continue;
		ret = nfbpf_fork(w, p, l, dropped);
	}
	return ret;
}

/* Run chains (the base chains of a hook, in priority order) on the
 * branches of *l; *l becomes the branches that all of them accepted,
 * dropped ones go to *dropped.  With nfbpf, the netfilter BPF programs of
 * the hook run among them. */
static int chains_run(struct walk *w, uint32_t hook,
		      const struct rs_chain **chains, size_t nchains,
		      bool nfbpf, struct blist *l, struct blist *dropped)
{
	struct chain_out o;
	size_t c, i, bpf = nfbpf ? 0 : SIZE_MAX;
	int ret = 0;

	w->hook = hook;
	for (c = 0; c < nchains && l->n; c++) {
		const struct rs_chain *ch = chains[c];
		bool nat = is_nat_chain(ch);

		if (nfbpf)
			ret = nfbpf_run(w, ch->priority, &bpf, l, dropped);
		if (ret < 0)
			break;

		w->base = ch;
		if (w->ipvs_reply && hook == NF_INET_FORWARD &&
		    ch->priority >= PRI_IPVS_REPLY) {
			/* a chain at IPVS's own priority was registered
			 * after it (IPVS services exist before the rules
			 * that see them, as a rule): after it too */
			for (i = 0; i < l->n; i++)
				eng_ipvs_vip_back(l->b[i], w->ipvs_reply);
			w->ipvs_reply = NULL;
		}
		/* what the bridge device sends carries the routed
		 * packet's conntrack entry at every priority, and what
		 * IPVS sends the client's (a tunnel's outer packet gets
		 * its own at LOCAL_OUT) */
		w->before_conntrack = !w->bridge_out &&
				      (!w->ipvs_request || w->ipvs_tunnel) &&
				      (hook == NF_INET_PRE_ROUTING ||
				       hook == NF_INET_LOCAL_OUT) &&
				      ch->priority < PRI_CONNTRACK;
		w->before_dnat = w->established && !w->reply &&
				 hook == NF_INET_PRE_ROUTING &&
				 ch->priority < PRI_NAT_DST;
		/* the bridge device sends what inet postrouting let out,
		 * its NAT undone */
		w->after_snat = w->reply && (w->bridge_out ||
					     (hook == NF_INET_POST_ROUTING &&
					      ch->priority > PRI_NAT_SRC));
		memset(&o, 0, sizeof(o));
		for (i = 0; i < l->n; i++) {
			struct branch *b = l->b[i];

			l->b[i] = NULL;
			/* NAT chains see only packets with a conntrack
			 * entry and no binding yet */
			/* what IPVS sends out had its destination
			 * binding at PREROUTING: nat OUTPUT does not
			 * run for it; a tunnel's outer packet is new, its
			 * next one has its binding */
			if (nat && (b->nat_bound || b->untracked ||
				    w->established || w->ipvs_tunnel == 2 ||
				    (w->ipvs_request && !w->ipvs_tunnel &&
				     hook == NF_INET_LOCAL_OUT))) {
				ret = accepted_push(&o, b);
			} else {
				ret = chain_run(w, ch, b, &o);
			}
			if (ret < 0)
				break;
		}
		eng_blist_release(l);
		chain_out_index_free(&o);
		for (i = 0; !ret && i < o.dropped.n; i++) {
			ret = blist_push(dropped, o.dropped.b[i]);
			o.dropped.b[i] = NULL;
		}
		free(o.dropped.b);
		*l = o.accepted;
		if (ret < 0)
			break;
	}
	if (!ret && nfbpf)
		ret = nfbpf_run(w, INT64_MAX, &bpf, l, dropped);
	for (i = 0; i < l->n; i++)
		l->b[i]->nat_bound = false;
	w->before_dnat = w->after_snat = false;
	return ret;
}

/* Run all base chains of a hook on the branches of *l, in priority order;
 * *l becomes the branches that all of them accepted, dropped ones go to
 * *dropped.  The netfilter BPF programs of the hook run among them. */
int eng_hook_run(struct walk *w, uint32_t hook, struct blist *l,
	     struct blist *dropped)
{
	const struct rs_chain **chains = NULL;
	size_t nchains;
	int ret;

	ret = hook_chains(w, hook, &chains, &nchains);
	if (ret < 0)
		return ret;
	return chains_run(w, hook, chains, nchains, true, l, dropped);
}

static bool bridge_at_hook(const struct walk *w, const struct rs_chain *c,
			   uint32_t hook)
{
	(void)w;
	return c->base && c->family == NFPROTO_BRIDGE && c->hook == hook;
}

/* The bridge family's base chains of hook (NF_BR_PRE_ROUTING to
 * NF_BR_POST_ROUTING), in priority order, made on first use. */
static int bridge_chains(struct walk *w, uint32_t hook,
			 const struct rs_chain ***out, size_t *n)
{
	return hook_list_get(w, &w->brhooks[hook], hook, bridge_at_hook, out,
			     n);
}

/* The only port of bridge br, or NULL (none, or several). */
static const struct host_link *bridge_only_port(const struct host *h,
						const struct host_link *br)
{
	const struct host_link *port = NULL;
	size_t i;

	for (i = 0; i < h->nlinks; i++) {
		if (h->links[i].master != br->ifindex)
			continue;
		if (port)
			return NULL;
		port = &h->links[i];
	}
	return port;
}

/* Run the bridge family's chains of hooks first..last (NF_BR_*) on the
 * branches of *l that go through bridge lk: those arriving on it (by
 * their ingress interface), or with by_oif, those the host routed out
 * through it (by their outgoing interface); the others stay on *l as
 * they are.  out: the frame leaves through a port (output, postrouting),
 * otherwise it came in through one. */
static int bridge_hooks_run(struct walk *w, const struct host_link *lk,
			    bool by_oif, bool out, uint32_t first,
			    uint32_t last, struct blist *l,
			    struct blist *dropped)
{
	struct blist br = { 0 };
	struct rs_interval key;
	struct branch *on;
	size_t k, j, n, nc;
	const struct rs_chain **c;
	uint32_t hook;
	int ret = 0;

	n = l->n;
	key = rs_ifname_interval(lk->name, false);
	for (k = 0; k < n && !ret; k++) {
		if (by_oif) {
			if (!l->b[k] || !l->b[k]->oif_known ||
			    l->b[k]->oif != lk->ifindex)
				continue;
			ret = blist_push(&br, l->b[k]);
			l->b[k] = NULL;
			continue;
		}
		ret = eng_fork_on_iif(w, l->b[k], &key, &on);
		if (!ret && on)
			ret = blist_push(&br, on);
	}
	for (k = 0, j = 0; k < l->n; k++)
		if (l->b[k])
			l->b[j++] = l->b[k];
	l->n = j;
	if (ret || !br.n)
		goto out;
	/* one bridge at a time, so that its port is known where it has
	 * one */
	w->bridge = !out;
	w->bridge_out = out;
	w->bridge_port = bridge_only_port(w->host, lk);
	w->bridge_link = lk;
	for (hook = first; hook <= last && !ret; hook++) {
		ret = bridge_chains(w, hook, &c, &nc);
		if (!ret)
			ret = chains_run(w, hook, c, nc, false, &br, dropped);
	}
	w->bridge = w->bridge_out = false;
	w->bridge_port = NULL;
	w->bridge_link = NULL;
	for (j = 0; !ret && j < br.n; j++) {
		ret = blist_push(l, br.b[j]);
		br.b[j] = NULL;
	}
out:
	eng_blist_release(&br);
	return ret;
}

/* Are there bridge family base chains at any of the hooks first..last? */
static int bridge_any(struct walk *w, uint32_t first, uint32_t last,
		      bool *any)
{
	const struct rs_chain **c;
	size_t nc;
	uint32_t hook;
	int ret = 0;

	*any = false;
	for (hook = first; hook <= last && !ret && !*any; hook++) {
		ret = bridge_chains(w, hook, &c, &nc);
		*any = nc > 0;
	}
	return ret;
}

int eng_bridge_run(struct walk *w, struct blist *l, struct blist *dropped)
{
	bool any;
	size_t i;
	int ret;

	if (!w->host || w->nd)
		return 0;
	ret = bridge_any(w, NF_BR_PRE_ROUTING, NF_BR_LOCAL_IN, &any);
	/* what arrives on a bridge came in on one of its ports, and the
	 * frame meets the bridge family's prerouting and input hooks
	 * before the bridge hands it up to the host (br_handle_frame(),
	 * br_pass_frame_up()) */
	for (i = 0; any && i < w->host->nlinks && !ret; i++)
		if (!strcmp(w->host->links[i].kind, "bridge"))
			ret = bridge_hooks_run(w, &w->host->links[i], false,
					       false, NF_BR_PRE_ROUTING,
					       NF_BR_LOCAL_IN, l, dropped);
	eng_blist_drop_empty(l);
	return ret;
}

int eng_bridge_out_run(struct walk *w, struct blist *l, struct blist *dropped)
{
	bool any;
	size_t i;
	int ret;

	if (!w->host || w->nd)
		return 0;
	ret = bridge_any(w, NF_BR_LOCAL_OUT, NF_BR_POST_ROUTING, &any);
	/* a packet the host routes out through a bridge is sent by the
	 * bridge device: br_dev_xmit() hands the frame to the port of its
	 * destination (or floods it) through the bridge family's output
	 * hook, then its postrouting hook (__br_forward() with local_orig,
	 * br_forward_finish()).  An answer (w->reply) leaves on the link
	 * the probe came in on: by its ingress interface */
	for (i = 0; any && i < w->host->nlinks && !ret; i++)
		if (!strcmp(w->host->links[i].kind, "bridge"))
			ret = bridge_hooks_run(w, &w->host->links[i], !w->reply,
					       true, NF_BR_LOCAL_OUT,
					       NF_BR_POST_ROUTING, l, dropped);
	eng_blist_drop_empty(l);
	return ret;
}

int eng_bridge_reply_run(struct walk *w, struct blist *l,
			 struct blist *dropped)
{
	bool any;
	size_t i;
	int ret;

	if (!w->host || w->nd)
		return 0;
	ret = bridge_any(w, NF_BR_PRE_ROUTING, NF_BR_LOCAL_IN, &any);
	for (i = 0; any && i < w->host->nlinks && !ret; i++) {
		const struct host_link *lk = &w->host->links[i];

		if (strcmp(lk->kind, "bridge"))
			continue;
		/* the answer comes in from the backend's port, addressed to
		 * the bridge (its gateway): prerouting, then input
		 * (br_pass_frame_up()), before the host routes it back */
		ret = bridge_hooks_run(w, lk, true, false, NF_BR_PRE_ROUTING,
				       NF_BR_LOCAL_IN, l, dropped);
	}
	return ret;
}

/*
 * An XDP program sees every packet arriving on its link before anything
 * fwaudit reads, and may drop or redirect it; so does a tc filter fwaudit
 * cannot walk (tc.c).  The probes of on (a branch arriving on lk only) go
 * both ways, each with the assumption naming the program, so that what
 * they reach there is "possible", never "definite": the dropped way to
 * dropped, the passed one to l.  on is consumed.
 */
int eng_unknown_fork(struct walk *w, struct branch *on, const struct host_link *lk,
		 bool tc, struct blist *l, struct blist *dropped)
{
	struct engine_assumption x = { 0 };
	struct branch *pass;
	int ret;

	pass = branch_fork(w, on, region_copy(on->r));
	if (!pass || !pass->r) {
		branch_free(on);
		branch_free(pass);
		return -ENOMEM;
	}
	x.xdp = lk;
	x.tc = tc;
	x.matched = true;
	ret = eng_assume_copy(w, on, &x);
	x.matched = false;
	if (!ret)
		ret = eng_assume_copy(w, pass, &x);
	if (!ret)
		ret = trace_add(w, on, ENGINE_HOOK_XDP, NULL, NULL, RS_V_DROP,
				tc ? "tc ingress filters fwaudit cannot read: "
				     "may drop" :
				     "an XDP program fwaudit cannot read: "
				     "may drop");
	if (!ret)
		ret = trace_add(w, pass, ENGINE_HOOK_XDP, NULL, NULL,
				RS_V_ACCEPT,
				tc ? "tc ingress filters fwaudit cannot read: "
				     "may pass" :
				     "an XDP program fwaudit cannot read: "
				     "may pass");
	if (ret < 0) {
		branch_free(on);
		branch_free(pass);
		return ret;
	}
	ret = blist_push(dropped, on);
	if (ret < 0) {
		branch_free(pass);
		return ret;
	}
	return blist_push(l, pass);
}

/* Drop the branches of l left empty (all of them arrived on links whose
 * programs or filters took them elsewhere). */
void eng_blist_drop_empty(struct blist *l)
{
	size_t k, n;

	for (k = 0, n = 0; k < l->n; k++) {
		if (region_is_empty(l->b[k]->r))
			branch_free(l->b[k]);
		else
			l->b[n++] = l->b[k];
	}
	l->n = n;
}

/* The XDP programs, link by link, as packets meet them first. */
static int xdp_run(struct walk *w, struct blist *l, struct blist *dropped)
{
	struct branch *on;
	struct rs_interval key;
	size_t i, k, n;
	int ret = 0;

	for (i = 0; w->host && i < w->host->nlinks && !ret; i++) {
		const struct host_link *lk = &w->host->links[i];

		if (lk->loopback || !lk->xdp_prog)
			continue;
		key = rs_ifname_interval(lk->name, false);
		for (k = 0, n = l->n; k < n && !ret; k++) {
			ret = eng_fork_on_iif(w, l->b[k], &key, &on);
			if (ret < 0 || !on)
				continue;
			ret = eng_unknown_fork(w, on, lk, false, l, dropped);
		}
	}
	eng_blist_drop_empty(l);
	return ret;
}

int eng_ingress_run(struct walk *w, struct blist *l, struct blist *dropped)
{
	struct chain_out o;
	struct rs_interval dev;
	struct blist next = { 0 };
	size_t c, i;
	int ret = 0;

	if (!w->nd) {
		ret = xdp_run(w, l, dropped);
		if (ret < 0)
			return ret;
	}
	w->hook = NF_NETDEV_INGRESS;
	w->before_conntrack = true;
	w->before_dnat = w->established && !w->reply;
	ret = eng_tc_run(w, l, dropped);
	if (ret < 0)
		return ret;
	for (c = 0; c < w->ningress && !ret; c++) {
		const struct rs_chain *ch = w->ingress[c];

		dev = rs_ifname_interval(ch->device, false);
		w->base = ch;
		memset(&o, 0, sizeof(o));
		for (i = 0; i < l->n && !ret; i++) {
			struct branch *nb;

			ret = eng_fork_on_iif(w, l->b[i], &dev, &nb);
			if (ret < 0 || !nb)
				continue;
			ret = chain_run(w, ch, nb, &o);
		}
		for (i = 0; i < l->n; i++) {
			if (!ret && !region_is_empty(l->b[i]->r)) {
				ret = blist_push(&next, l->b[i]);
				l->b[i] = NULL;
			}
		}
		eng_blist_release(l);
		for (i = 0; !ret && i < o.accepted.n; i++) {
			ret = blist_push(&next, o.accepted.b[i]);
			o.accepted.b[i] = NULL;
		}
		for (i = 0; !ret && i < o.dropped.n; i++) {
			ret = blist_push(dropped, o.dropped.b[i]);
			o.dropped.b[i] = NULL;
		}
		eng_blist_release(&o.accepted);
		eng_blist_release(&o.dropped);
		chain_out_index_free(&o);
		*l = next;
		memset(&next, 0, sizeof(next));
	}
	w->before_dnat = false;
	return ret;
}

