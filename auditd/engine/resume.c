// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * resume.c - a walk started at LOCAL_IN from a result kept earlier
 * (issue 13: fwauditd re-walks only what a change can reach).
 *
 * A whole walk of one family and protocol is: ingress, bridge and
 * PREROUTING, the routing decision, then the local path (LOCAL_IN,
 * delivery, what IPVS sends on, the handshake's answers through OUTPUT)
 * and the forward path (FORWARD, POSTROUTING), then the handshake of
 * every piece.  The last run kept, per walk, the branches the routing
 * decision sent to the host itself and those it forwarded
 * (eng_resume_save()).  When only base chains of the input and output
 * hooks reach what changed since the last audit (fail2ban's table, ufw's
 * user rules, the operator's input chain), everything before the routing
 * decision and all of the forward path are what they were: the kept
 * local branches are walked again from LOCAL_IN, the pieces of the
 * forward path taken as they are.  When only base chains of the forward
 * hook reach it (DOCKER-USER, libvirt's and LXD's forward chains), the
 * same the other way round: the kept forwarded branches from FORWARD on.
 * A family the change does not reach at all starts at LOCAL_IN.
 *
 * Why the result is the one a whole walk gives (the conditions below are
 * checked, and any that fails means a whole walk):
 *   - nothing a packet meets before routing or on the path not walked
 *     again changed: a chain that changed, came or went is reached
 *     (before or after the change; within its table, as jumps, gotos and
 *     verdict maps can only go) only from base chains of the hooks of the
 *     path walked again, or of the other IP family; every chain a kept
 *     step or assumption names is in the new ruleset unchanged (a kept
 *     table keeps its strings and rules: nft_cache.c; a table read again
 *     is compared chain by chain, rs_chain_same_content(), and its rules
 *     and matches are found by index); the caller vouches that the host
 *     facts but the listeners did not change (rtnetlink events, the
 *     daemon's fingerprint), and the sysctls and interfaces asked for are
 *     compared here; the listeners are used only at delivery: walked
 *     again from LOCAL_IN, and compared one by one when kept local
 *     pieces name them; ipset contents are compared nowhere: with
 *     ipsets, whole walks;
 *   - the neighbour discovery check (IPv6), which walks LOCAL_IN and
 *     OUTPUT, gives the same interfaces;
 *   - the kept branches assumed nothing and made no choice: a fork or a
 *     choice gives every piece it makes its assumption or choice, so
 *     those branches and whatever comes of them overlap no kept piece,
 *     and eng_classify() and choose() of a whole walk would have left the
 *     kept pieces as they are (they may assume and choose among
 *     themselves: kube-proxy's random endpoints); the handshake of a
 *     forwarded piece walks no input or output chain, that of a local
 *     piece no forward chain;
 *   - the kept pieces point at no host fact but a listener (IPVS, XDP,
 *     tc, cgroup or netfilter BPF program), which the new run reads anew;
 *   - the report groups pieces by outcome, and a piece of one path never
 *     shares one with a piece of the other (another fate, or closed and
 *     dropped by the final filter), so their order does not show.
 * daemon-incr.sh compares the daemon's result with a one-shot audit after
 * every burst of random changes, most of them at the input hook.
 */
#include "walk.h"

#define RESUME_WALKS	6	/* 2 families x 3 protocols */

struct saved_branch {
	struct branch b;		/* the scalars; pointers cleared */
	struct region *r;
	size_t nsteps;
	struct engine_step *steps;	/* oldest first */
};

/* the two paths a walk can start again at: ENGINE_PATH_LOCAL (LOCAL_IN),
 * ENGINE_PATH_FORWARD (FORWARD); index path - 1 */
#define STAGES		2

struct resume_walk {
	/* per stage: the branches routing sent there (NULL: not kept) and
	 * whether a later run may start there (eng_resume_seal()) */
	bool usable[STAGES];
	size_t nbranches[STAGES];
	struct saved_branch *branches[STAGES];
	size_t nnd_dead;
	struct rs_interval *nd_dead;
};

struct engine_resume {
	/* the host facts of that run (alive with its result): the kept
	 * local pieces' listeners are found again by index */
	const struct host *host;
	struct host_sysctl sysctl;
	size_t nifaces;
	char **ifaces;
	struct resume_walk walks[RESUME_WALKS];
};

static size_t walk_index(uint8_t family, uint8_t proto)
{
	size_t p = proto == IPPROTO_TCP ? 0 : proto == IPPROTO_UDP ? 1 : 2;

	return (family == NFPROTO_IPV4 ? 0 : 3) + p;
}

static void stage_release(struct resume_walk *rw, int st)
{
	size_t i;

	for (i = 0; i < rw->nbranches[st]; i++) {
		region_free(rw->branches[st][i].r);
		free(rw->branches[st][i].steps);
	}
	free(rw->branches[st]);
	rw->branches[st] = NULL;
	rw->nbranches[st] = 0;
	rw->usable[st] = false;
}

static void walk_release(struct resume_walk *rw)
{
	int st;

	for (st = 0; st < STAGES; st++)
		stage_release(rw, st);
	free(rw->nd_dead);
	memset(rw, 0, sizeof(*rw));
}

void engine_resume_free(struct engine_resume *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < RESUME_WALKS; i++)
		walk_release(&rs->walks[i]);
	for (i = 0; i < rs->nifaces; i++)
		free(rs->ifaces[i]);
	free(rs->ifaces);
	free(rs);
}

int eng_resume_new(const struct engine_input *in, struct engine_resume **out)
{
	struct engine_resume *rs = calloc(1, sizeof(*rs));
	size_t i;

	if (!rs)
		return -ENOMEM;
	if (in->host) {
		rs->host = in->host;
		rs->sysctl = in->host->sysctl;
	}
	if (in->nifaces) {
		rs->ifaces = calloc(in->nifaces, sizeof(*rs->ifaces));
		if (!rs->ifaces) {
			free(rs);
			return -ENOMEM;
		}
	}
	for (i = 0; i < in->nifaces; i++) {
		rs->ifaces[i] = strdup(in->ifaces[i]);
		if (!rs->ifaces[i]) {
			rs->nifaces = i;
			engine_resume_free(rs);
			return -ENOMEM;
		}
	}
	rs->nifaces = in->nifaces;
	*out = rs;
	return 0;
}

/* The trace of b, oldest step first, in a new array. */
static int steps_of(const struct branch *b, struct engine_step **out,
		    size_t *n)
{
	const struct snode *s;
	size_t k = b->trace ? b->trace->depth : 0;

	*n = k;
	*out = calloc(k + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (s = b->trace; s; s = s->up)
		(*out)[--k] = s->s;
	return 0;
}

/* Keep the branches of l (before the stage's hook) in stage st. */
static int stage_save(struct resume_walk *rw, int st, const struct blist *l)
{
	size_t i;
	int ret;

	stage_release(rw, st);
	for (i = 0; i < l->n; i++) {
		const struct branch *b = l->b[i];

		/* what a fork or a choice reached (see the top) */
		if (b->assume || b->choice || b->depth || b->ipvs_out ||
		    b->inner)
			return 0;
	}
	rw->branches[st] = calloc(l->n + 1, sizeof(*rw->branches[st]));
	if (!rw->branches[st])
		return -ENOMEM;
	for (i = 0; i < l->n; i++) {
		struct saved_branch *sb = &rw->branches[st][i];

		sb->b = *l->b[i];
		sb->b.r = NULL;
		sb->b.trace = NULL;
		sb->b.chain = NULL;
		sb->b.rule = 0;
		sb->b.stack = NULL;
		sb->b.ipvs_out_svc = NULL;
		sb->r = region_copy(l->b[i]->r);
		rw->nbranches[st] = i + 1;
		if (!sb->r)
			return -ENOMEM;
		ret = steps_of(l->b[i], &sb->steps, &sb->nsteps);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static bool rebase_steps(const struct walk *w, struct engine_step *steps,
			 size_t n);

/* Stage st of the last run's walk, its steps in the new ruleset, into
 * the new result's (a walk started at the other stage did not walk to
 * it: the same as before).  Left not kept if a chain is not there
 * unchanged. */
static int stage_carry(const struct walk *w, const struct resume_walk *from,
		       struct resume_walk *rw, int st)
{
	size_t i;

	stage_release(rw, st);
	if (!from->branches[st])
		return 0;
	rw->branches[st] = calloc(from->nbranches[st] + 1,
				  sizeof(*rw->branches[st]));
	if (!rw->branches[st])
		return -ENOMEM;
	for (i = 0; i < from->nbranches[st]; i++) {
		const struct saved_branch *o = &from->branches[st][i];
		struct saved_branch *sb = &rw->branches[st][i];

		sb->b = o->b;
		sb->nsteps = o->nsteps;
		sb->r = region_copy(o->r);
		sb->steps = calloc(o->nsteps + 1, sizeof(*sb->steps));
		rw->nbranches[st] = i + 1;
		if (!sb->r || !sb->steps)
			return -ENOMEM;
		if (o->nsteps)
			memcpy(sb->steps, o->steps,
			       o->nsteps * sizeof(*sb->steps));
		if (!rebase_steps(w, sb->steps, sb->nsteps)) {
			stage_release(rw, st);
			return 0;
		}
	}
	return 0;
}

int eng_resume_save(struct walk *w, int started, const struct blist *local,
		    const struct blist *fwd)
{
	const struct resume_walk *from;
	struct resume_walk *rw;
	size_t k = walk_index(w->family, w->proto);
	int ret;

	if (!w->res->resume)
		return 0;
	rw = &w->res->resume->walks[k];
	from = w->resume ? &w->resume->walks[k] : NULL;
	ret = started == ENGINE_PATH_FORWARD ?
	      stage_carry(w, from, rw, ENGINE_PATH_LOCAL - 1) :
	      stage_save(rw, ENGINE_PATH_LOCAL - 1, local);
	if (!ret)
		ret = started == ENGINE_PATH_LOCAL ?
		      stage_carry(w, from, rw, ENGINE_PATH_FORWARD - 1) :
		      stage_save(rw, ENGINE_PATH_FORWARD - 1, fwd);
	if (ret < 0)
		return ret;
	free(rw->nd_dead);
	rw->nd_dead = NULL;
	rw->nnd_dead = 0;
	if (w->nnd_dead) {
		rw->nd_dead = malloc(w->nnd_dead * sizeof(*rw->nd_dead));
		if (!rw->nd_dead)
			return -ENOMEM;
		memcpy(rw->nd_dead, w->nd_dead,
		       w->nnd_dead * sizeof(*rw->nd_dead));
		rw->nnd_dead = w->nnd_dead;
	}
	/* usable once the walk's pieces are known clean: eng_resume_seal() */
	return 0;
}

/* Can a later run starting at stage st (ENGINE_PATH_*) take piece p of
 * another path as it is?  It points at no host fact the new run reads
 * anew but a listener (found again by index, at FORWARD only). */
static bool piece_keepable(const struct engine_piece *p, int st)
{
	size_t i;

	if (p->ipvs_svc || p->ipvs_dest ||
	    (p->listener && st != ENGINE_PATH_FORWARD))
		return false;
	for (i = 0; i < p->nassumptions; i++)
		if (p->assumptions[i].xdp || p->assumptions[i].tc ||
		    p->assumptions[i].cgroup || p->assumptions[i].ipvs ||
		    p->assumptions[i].nfbpf)
			return false;
	return true;
}

void eng_resume_seal(struct walk *w, size_t from)
{
	struct resume_walk *rw;
	size_t i;
	int st;

	if (!w->res->resume)
		return;
	rw = &w->res->resume->walks[walk_index(w->family, w->proto)];
	for (st = ENGINE_PATH_LOCAL; st <= ENGINE_PATH_FORWARD; st++) {
		rw->usable[st - 1] = rw->branches[st - 1] != NULL;
		for (i = from; rw->usable[st - 1] && i < w->res->npieces; i++)
			if (w->res->pieces[i].path != st &&
			    !piece_keepable(&w->res->pieces[i], st))
				rw->usable[st - 1] = false;
	}
}

/* ---- the new run ------------------------------------------------------ */

/* old chain -> new chain for the chains of a table read again whose
 * contents did not change (rs_chain_same_content()): their rules and
 * matches are found by index */
struct eng_rebase {
	size_t mask;
	struct rebase_slot {
		const struct rs_chain *old, *cur;
	} *slot;
};

static size_t ptr_hash(const void *p, size_t mask)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;

	return (size_t)(h ^ (h >> 29)) & mask;
}

void eng_rebase_free(struct eng_rebase *rb)
{
	if (!rb)
		return;
	free(rb->slot);
	free(rb);
}

static int rebase_add(struct walk *w, const struct rs_chain *old,
		      const struct rs_chain *cur)
{
	struct eng_rebase *rb = w->rebase;
	size_t j;

	if (!rb) {
		size_t cap = 16;

		while (cap < 2 * w->in->prev_rs->nchains)
			cap *= 2;
		rb = calloc(1, sizeof(*rb));
		if (!rb)
			return -ENOMEM;
		rb->slot = calloc(cap, sizeof(*rb->slot));
		if (!rb->slot) {
			free(rb);
			return -ENOMEM;
		}
		rb->mask = cap - 1;
		w->rebase = rb;
	}
	for (j = ptr_hash(old, rb->mask); rb->slot[j].old;
	     j = (j + 1) & rb->mask)
		;
	rb->slot[j].old = old;
	rb->slot[j].cur = cur;
	return 0;
}

static const struct rs_chain *rebase_find(const struct walk *w,
					  const struct rs_chain *old)
{
	const struct eng_rebase *rb = w->rebase;
	size_t j;

	if (!rb)
		return NULL;
	for (j = ptr_hash(old, rb->mask); rb->slot[j].old;
	     j = (j + 1) & rb->mask)
		if (rb->slot[j].old == old)
			return rb->slot[j].cur;
	return NULL;
}

static bool same_chain(const struct rs_chain *o, const struct rs_chain *c)
{
	return o->rules == c->rules && o->nrules == c->nrules &&
	       o->policy == c->policy && o->base == c->base &&
	       o->hook == c->hook && o->priority == c->priority;
}

/* *chain, *rule and *match (each may be NULL; rule and match of
 * *chain) of the kept result's ruleset, made those of the new one: a
 * chain of a kept table by the address of its name (the same rules), one
 * of a table read again with the same contents by index.  false: the
 * chain is not there unchanged. */
static bool rebase(const struct walk *w, const struct rs_chain **chain,
		   const struct rs_rule **rule, const struct rs_match **match)
{
	const struct rs_chain *old = *chain, *c;
	size_t ri, mi;

	if (!old)
		return true;
	c = old->packed && old->name ? eng_chain_by_name_ptr(w, old) : NULL;
	if (c && same_chain(old, c)) {
		*chain = c;
		return true;
	}
	c = rebase_find(w, old);
	if (!c)
		return false;
	*chain = c;
	if (rule && *rule) {
		ri = (size_t)(*rule - old->rules);
		if (ri >= c->nrules)
			return false;
		if (match && *match) {
			mi = (size_t)(*match - old->rules[ri].matches);
			if (mi >= c->rules[ri].nmatches)
				return false;
			*match = &c->rules[ri].matches[mi];
		}
		*rule = &c->rules[ri];
	}
	return true;
}

/* steps[0..n) in the new ruleset: false if a chain is not there
 * unchanged. */
static bool rebase_steps(const struct walk *w, struct engine_step *steps,
			 size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!rebase(w, &steps[i].chain, &steps[i].rule, NULL))
			return false;
	return true;
}

/* The kept result's chains by the address of their names and by table
 * and name. */
struct old_index {
	size_t mask;
	const struct rs_chain **byname, **bykey;
};

static size_t key_of(const struct rs_chain *c)
{
	return c->packed ? c->key_hash : rs_chain_key_hash(c->table, c->name);
}

static int old_index_build(const struct ruleset *old, struct old_index *ix)
{
	size_t cap = 16, i, j;

	while (cap < 2 * old->nchains)
		cap *= 2;
	ix->byname = calloc(cap, sizeof(*ix->byname));
	ix->bykey = calloc(cap, sizeof(*ix->bykey));
	if (!ix->byname || !ix->bykey) {
		free(ix->byname);
		free(ix->bykey);
		return -ENOMEM;
	}
	ix->mask = cap - 1;
	for (i = 0; i < old->nchains; i++) {
		const struct rs_chain *c = &old->chains[i];

		if (!c->name || !c->table)
			continue;
		for (j = key_of(c) & ix->mask; ix->bykey[j];
		     j = (j + 1) & ix->mask)
			;
		ix->bykey[j] = c;
		if (!c->packed)
			continue;
		for (j = ptr_hash(c->name, ix->mask); ix->byname[j];
		     j = (j + 1) & ix->mask)
			;
		ix->byname[j] = c;
	}
	return 0;
}

/* The old chain of from's origin, family and table named name, NULL if
 * none. */
static const struct rs_chain *old_named(const struct old_index *ix,
					const struct rs_chain *from,
					const char *name)
{
	size_t j;

	for (j = rs_chain_key_hash(from->table, name) & ix->mask;
	     ix->bykey[j]; j = (j + 1) & ix->mask) {
		const struct rs_chain *o = ix->bykey[j];

		if (o->origin == from->origin && o->family == from->family &&
		    (o->table == from->table || !strcmp(o->table, from->table)) &&
		    !strcmp(o->name, name))
			return o;
	}
	return NULL;
}

/* The old chain with c's name string (the same table, kept), else the
 * one with c's table and name; NULL if none. */
static const struct rs_chain *old_find(const struct old_index *ix,
				       const struct rs_chain *c)
{
	size_t j;

	if (!c->name || !c->table)
		return NULL;
	for (j = ptr_hash(c->name, ix->mask); c->packed && ix->byname[j];
	     j = (j + 1) & ix->mask) {
		const struct rs_chain *o = ix->byname[j];

		if (o->name == c->name && o->origin == c->origin &&
		    o->family == c->family && o->table == c->table)
			return o;
	}
	return old_named(ix, c, c->name);
}

#define HOOK_OTHER	(1u << 7)	/* a family not walked as ip/ip6 */

/* The bit of base chain c's hook (NF_INET_*), HOOK_OTHER for the bridge,
 * netdev and arp families. */
static unsigned int hook_bit(const struct rs_chain *c)
{
	if ((c->family != NFPROTO_IPV4 && c->family != NFPROTO_IPV6 &&
	     c->family != NFPROTO_INET) || c->hook >= NF_INET_NUMHOOKS)
		return HOOK_OTHER;
	return 1u << c->hook;
}

/* Which base chains of one table of rs reach each of its chains (jumps,
 * gotos, verdict maps): hooks[i], bits of hook_bit(), for rs->chains[i]. */
struct table_reach {
	const struct ruleset *rs;
	const struct rs_chain *of;	/* a chain of the table */
	uint8_t *hooks;
};

/* Where a jump's target is looked up: the new ruleset through the
 * walk's index (chain_find()), the kept result's through old_index. */
struct reach_ctx {
	const struct walk *w;
	const struct ruleset *old;
	const struct old_index *ix;
};

static const struct rs_chain *target(const struct reach_ctx *rc,
				     const struct ruleset *rs,
				     const struct rs_chain *from,
				     const char *name)
{
	return rs == rc->old ? old_named(rc->ix, from, name) :
	       eng_chain_find(rc->w, from, name);
}

static void reach_push(const struct reach_ctx *rc, const struct ruleset *rs,
		       const struct rs_verdict *v, const struct rs_chain *from,
		       unsigned int bit, uint8_t *hooks, size_t *stack,
		       size_t *n)
{
	const struct rs_chain *t;
	size_t k;

	if ((v->kind == RS_V_JUMP || v->kind == RS_V_GOTO) && v->chain) {
		t = target(rc, rs, from, v->chain);
		if (t && !(hooks[t - rs->chains] & bit)) {
			hooks[t - rs->chains] |= bit;
			stack[(*n)++] = (size_t)(t - rs->chains);
		}
	}
	if (v->kind == RS_V_VMAP && v->map.set && v->map.set->data)
		for (k = 0; k < v->map.set->nelems; k++)
			reach_push(rc, rs, &v->map.set->data[k].verdict, from,
				   bit, hooks, stack, n);
}

static int table_reach_build(const struct reach_ctx *rc,
			     const struct ruleset *rs,
			     const struct rs_chain *of, struct table_reach *tr)
{
	size_t i, n, b, *stack;
	uint8_t *hooks;

	hooks = calloc(rs->nchains + 1, 1);
	stack = calloc(rs->nchains + 1, sizeof(*stack));
	if (!hooks || !stack) {
		free(hooks);
		free(stack);
		return -ENOMEM;
	}
	/* from each base chain of the table, with its hook's bit */
	for (b = 0; b < rs->nchains; b++) {
		const struct rs_chain *base = &rs->chains[b];
		unsigned int bit;

		if (!base->base || base->origin != of->origin ||
		    base->family != of->family || !base->table ||
		    strcmp(base->table, of->table))
			continue;
		bit = hook_bit(base);
		if (hooks[b] & bit)
			continue;
		hooks[b] |= bit;
		stack[0] = b;
		n = 1;
		while (n) {
			const struct rs_chain *c = &rs->chains[stack[--n]];

			for (i = 0; i < c->nrules; i++)
				reach_push(rc, rs, &c->rules[i].verdict, c,
					   bit, hooks, stack, &n);
		}
	}
	tr->rs = rs;
	tr->of = of;
	tr->hooks = hooks;
	free(stack);
	return 0;
}

#define REACH_TABLES	8

/* The hooks whose base chains reach chain x of rs (a chain that changed,
 * came or went), added to hooks[0] (IPv4 walks) and hooks[1] (IPv6) as
 * x's family sees them. */
static int change_reach(const struct reach_ctx *rc, const struct ruleset *rs,
			const struct rs_chain *x, struct table_reach *tr,
			size_t *ntr,
			unsigned int hooks[2])
{
	unsigned int bits;
	size_t i;
	int ret;

	if (x->base || !x->table || !x->name) {
		bits = x->base ? hook_bit(x) : HOOK_OTHER;
	} else {
		for (i = 0; i < *ntr; i++)
			if (tr[i].rs == rs && tr[i].of->origin == x->origin &&
			    tr[i].of->family == x->family &&
			    !strcmp(tr[i].of->table, x->table))
				break;
		if (i == *ntr && *ntr == REACH_TABLES) {
			bits = HOOK_OTHER;	/* too many tables: whole */
		} else {
			if (i == *ntr) {
				ret = table_reach_build(rc, rs, x, &tr[i]);
				if (ret < 0)
					return ret;
				(*ntr)++;
			}
			bits = tr[i].hooks[x - rs->chains];
		}
	}
	if (x->family != NFPROTO_IPV6)
		hooks[0] |= bits;
	if (x->family != NFPROTO_IPV4)
		hooks[1] |= bits;
	return 0;
}

/* Which hooks' base chains reach what changed from old to the walk's
 * ruleset, per family (hooks[0] IPv4, hooks[1] IPv6): the chains that
 * changed, came or went, before and after.  An unchanged chain of a
 * table read again goes into w->rebase. */
static int change_hooks(struct walk *w, const struct ruleset *old,
			unsigned int hooks[2])
{
	const struct ruleset *cur = w->in->rs;
	struct table_reach tr[REACH_TABLES];
	struct old_index ix;
	struct reach_ctx rc = { w, old, &ix };
	size_t i, ntr = 0;
	int ret;

	hooks[0] = hooks[1] = 0;
	ret = old_index_build(old, &ix);
	if (ret < 0)
		return ret;
	for (i = 0; !ret && i < cur->nchains; i++) {
		const struct rs_chain *c = &cur->chains[i];
		const struct rs_chain *o = old_find(&ix, c);

		if (o && same_chain(o, c) && o->name == c->name)
			continue;
		if (o && rs_chain_same_content(o, c)) {
			ret = rebase_add(w, o, c);
			continue;
		}
		ret = change_reach(&rc, cur, c, tr, &ntr, hooks);
		if (!ret && o)
			ret = change_reach(&rc, old, o, tr, &ntr, hooks);
	}
	for (i = 0; !ret && i < old->nchains; i++) {
		const struct rs_chain *o = &old->chains[i];

		/* still there: compared above */
		if ((o->packed && o->name && eng_chain_by_name_ptr(w, o)) ||
		    (o->name && eng_chain_find(w, o, o->name)))
			continue;
		ret = change_reach(&rc, old, o, tr, &ntr, hooks);
	}
	for (i = 0; i < ntr; i++)
		free(tr[i].hooks);
	free(ix.byname);
	free(ix.bykey);
	return ret;
}

/* The listeners of a and b are the same, in the same order, for what a
 * walk reads of them (the report prints b's owners). */
static bool listeners_same(const struct host *a, const struct host *b)
{
	size_t i;

	if (a->nlisteners != b->nlisteners)
		return false;
	for (i = 0; i < a->nlisteners; i++) {
		const struct host_listener *x = &a->listeners[i];
		const struct host_listener *y = &b->listeners[i];

		if (x->family != y->family || x->protocol != y->protocol ||
		    x->addr != y->addr || x->port != y->port ||
		    x->v6only != y->v6only ||
		    x->v6only_known != y->v6only_known ||
		    x->bound_ifindex != y->bound_ifindex ||
		    x->nsockets != y->nsockets ||
		    x->cgroup_progs != y->cgroup_progs ||
		    x->cgroup_prog != y->cgroup_prog)
			return false;
	}
	return true;
}

int eng_resume_check(struct walk *w)
{
	const unsigned int local = (1u << NF_INET_LOCAL_IN) |
				   (1u << NF_INET_LOCAL_OUT);
	const struct engine_input *in = w->in;
	const struct engine_resume *pr;
	unsigned int hooks[2];
	size_t i, f;
	int ret;

	w->resume = NULL;
	w->resume_at[0] = w->resume_at[1] = ENGINE_PATH_PRE;
	if (!in->prev || !in->prev->resume || !in->prev_rs || !in->host ||
	    in->dropped || in->related || in->only_family || in->only_proto ||
	    in->only_dport || in->only_saddr || in->only_daddr)
		return 0;
	pr = in->prev->resume;
	if (!pr->host ||
	    memcmp(&pr->sysctl, &in->host->sysctl, sizeof(pr->sysctl)) ||
	    pr->nifaces != in->nifaces)
		return 0;
	for (i = 0; i < in->nifaces; i++)
		if (strcmp(pr->ifaces[i], in->ifaces[i]))
			return 0;
	/* ipset contents are compared nowhere: with sets, whole walks */
	if (in->prev_rs->nipsets || in->rs->nipsets)
		return 0;
	ret = change_hooks(w, in->prev_rs, hooks);
	if (ret < 0)
		return ret;
	for (f = 0; f < 2; f++) {
		/* untouched: the local path is the smaller walk, as a rule */
		if (!(hooks[f] & ~local))
			w->resume_at[f] = ENGINE_PATH_LOCAL;
		else if (hooks[f] == 1u << NF_INET_FORWARD &&
			 listeners_same(pr->host, in->host))
			w->resume_at[f] = ENGINE_PATH_FORWARD;
	}
	if (w->resume_at[0] || w->resume_at[1])
		w->resume = pr;
	return 0;
}

/* A copy of kept piece o for this run, its steps in the new ruleset:
 * 0, 1 when a chain of its steps is not there unchanged, or -ENOMEM. */
static int piece_take(const struct walk *w, const struct engine_piece *o,
		      struct engine_piece *np)
{
	size_t i;

	*np = *o;
	np->choice = NULL;
	np->region = region_copy(o->region);
	np->steps = calloc(o->nsteps + 1, sizeof(*np->steps));
	np->assumptions = calloc(o->nassumptions + 1,
				 sizeof(*np->assumptions));
	np->chosen = o->chosen ? strdup(o->chosen) : NULL;
	if (!np->region || !np->steps || !np->assumptions ||
	    (o->chosen && !np->chosen)) {
		eng_piece_release(np);
		return -ENOMEM;
	}
	if (o->nsteps)
		memcpy(np->steps, o->steps, o->nsteps * sizeof(*np->steps));
	if (o->nassumptions)
		memcpy(np->assumptions, o->assumptions,
		       o->nassumptions * sizeof(*np->assumptions));
	if (!rebase_steps(w, np->steps, np->nsteps)) {
		eng_piece_release(np);
		return 1;
	}
	/* the same listeners in the same order (eng_resume_check()) */
	if (o->listener) {
		i = (size_t)(o->listener - w->resume->host->listeners);
		if (i >= w->host->nlisteners) {
			eng_piece_release(np);
			return 1;
		}
		np->listener = &w->host->listeners[i];
	}
	for (i = 0; i < np->nassumptions; i++) {
		struct engine_assumption *a = &np->assumptions[i];

		if (!rebase(w, &a->chain, &a->rule, &a->match)) {
			eng_piece_release(np);
			return 1;
		}
	}
	return 0;
}

/* A branch of this walk from saved branch sb: 0, 1 (a chain is not
 * there unchanged) or -ENOMEM. */
static int branch_take(struct walk *w, const struct saved_branch *sb,
		       struct branch **out)
{
	struct engine_step *steps;
	struct branch *b;
	size_t i;
	int ret = 0;

	steps = calloc(sb->nsteps + 1, sizeof(*steps));
	b = malloc(sizeof(*b));
	if (!steps || !b) {
		free(steps);
		free(b);
		return -ENOMEM;
	}
	*b = sb->b;
	b->r = region_copy(sb->r);
	if (!b->r) {
		free(steps);
		free(b);
		return -ENOMEM;
	}
	if (sb->nsteps)
		memcpy(steps, sb->steps, sb->nsteps * sizeof(*steps));
	if (!rebase_steps(w, steps, sb->nsteps))
		ret = 1;
	for (i = 0; !ret && i < sb->nsteps; i++)
		ret = trace_add(w, b, steps[i].hook, steps[i].chain,
				steps[i].rule, steps[i].verdict, steps[i].what);
	free(steps);
	if (ret) {
		branch_free(b);
		return ret;
	}
	*out = b;
	return 0;
}

/* Room in res->pieces for n more, as eng_piece_add() grows it (the
 * capacity is the least power of two above the count, at least 16). */
static int pieces_reserve(struct engine_result *res, size_t n)
{
	struct engine_piece *p;
	size_t want = res->npieces + n, cap = 16;

	if (want > PIECES_MAX)
		return -E2BIG;
	while (cap <= want)
		cap *= 2;
	p = realloc(res->pieces, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	res->pieces = p;
	return 0;
}

int eng_resume_start(struct walk *w, struct blist *local, struct blist *fwd,
		     int *started)
{
	const struct engine_result *prev = w->in->prev;
	const struct resume_walk *rw;
	struct engine_piece *take = NULL;
	struct blist *into;
	size_t i, n = 0, k;
	int st, ret = 0;

	*started = ENGINE_PATH_PRE;
	st = w->resume_at[is_v4(w) ? 0 : 1];
	if (!w->resume || !st)
		return 0;
	rw = &w->resume->walks[walk_index(w->family, w->proto)];
	into = st == ENGINE_PATH_LOCAL ? local : fwd;
	if (!rw->usable[st - 1] || rw->nnd_dead != w->nnd_dead ||
	    (w->nnd_dead && memcmp(rw->nd_dead, w->nd_dead,
				   w->nnd_dead * sizeof(*w->nd_dead))))
		return 0;
	for (i = 0; i < prev->npieces; i++)
		n += prev->pieces[i].family == w->family &&
		     prev->pieces[i].proto == w->proto &&
		     prev->pieces[i].path != st;
	take = calloc(n + 1, sizeof(*take));
	if (!take)
		return -ENOMEM;
	for (i = 0, k = 0; i < prev->npieces && !ret; i++) {
		const struct engine_piece *o = &prev->pieces[i];

		if (o->family != w->family || o->proto != w->proto ||
		    o->path == st)
			continue;
		ret = piece_take(w, o, &take[k]);
		if (!ret)
			k++;
	}
	for (i = 0; !ret && i < rw->nbranches[st - 1]; i++) {
		struct branch *b = NULL;

		ret = branch_take(w, &rw->branches[st - 1][i], &b);
		if (!ret)
			ret = blist_push(into, b);
	}
	if (!ret)
		ret = pieces_reserve(w->res, k);
	if (ret) {
		/* a whole walk after all (1), or a failure */
		for (i = 0; i < k; i++)
			eng_piece_release(&take[i]);
		free(take);
		eng_blist_release(into);
		return ret < 0 ? ret : 0;
	}
	memcpy(&w->res->pieces[w->res->npieces], take, k * sizeof(*take));
	w->res->npieces += k;
	free(take);
	w->res->nresumed++;
	w->res->nresumed_fwd += st == ENGINE_PATH_FORWARD;
	*started = st;
	return 0;
}
