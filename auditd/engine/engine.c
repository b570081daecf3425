// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * engine.c - the symbolic walk of probes through the netfilter hooks.
 *
 * A branch is a region of probes that has taken the same path so far, with
 * what that path did to them (DNAT, marks, conntrack) and why (the trace,
 * and the assumptions made on matches we cannot decide).  Each rule splits
 * a branch into the part it matches and the part it does not; the kernel's
 * order of hooks and priorities decides what runs next.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/if_packet.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "choice.h"
#include "engine.h"
#include "rpath.h"

/* The kernel bounds jumps at load time (nft: 16 levels; x_tables rejects
 * loops); this only protects us from a model a reader got wrong. */
#define JUMP_STACK_MAX		64
/* Forks on undecidable matches double the work each time; past this many
 * branches in one walk we stop with -E2BIG rather than eat the machine. */
#ifndef BRANCHES_MAX			/* tests/unit/test_engine_budget.c */
#define BRANCHES_MAX		(1u << 20)
#endif
#define PIECES_MAX		(1u << 20)

/* conntrack is attached at this priority (NF_IP_PRI_CONNTRACK): chains
 * before it see no conntrack entry */
#define PRI_CONNTRACK		(-200)
/* a connection's later packets are rewritten by its NAT binding at these
 * priorities (NF_IP_PRI_NAT_DST, NF_IP_PRI_NAT_SRC): a chain before the
 * first sees the destination the client sent, one after the second sees
 * the server's answer from the address the client knows */
#define PRI_NAT_DST		(-100)
#define PRI_NAT_SRC		100

/* from linux/netfilter/nf_conntrack_common.h, which clashes with libc */
#define IPS_DST_NAT		(1u << 5)
#define IPS_DST_NAT_DONE	(1u << 8)
#define IPS_SEEN_REPLY		(1u << 1)
#define IPS_ASSURED		(1u << 2)
#define IP_CT_DIR_ORIGINAL	0

/* ---------------------------------------------------------------------
 * An arena for the persistent lists (trace, assumptions) that branches
 * share with their forks: freed all at once when the walk ends.
 */
struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct arena {
	struct arena_chunk *head;
};

static void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk *c = a->head;
	size_t csize;
	void *p;

	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!c || c->size - c->used < size) {
		csize = size > 65536 ? size : 65536;
		c = malloc(sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->next = a->head;
		c->used = 0;
		c->size = csize;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += size;
	return p;
}

static void arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

struct anode {
	const struct anode *up;
	size_t depth;
	struct engine_assumption a;
};

struct snode {
	const struct snode *up;
	size_t depth;
	struct engine_step s;
};

/* --------------------------------------------------------------------- */

/* A return address on the jump stack: a persistent list in the arena,
 * shared by the forks of a branch, so that a branch stays small. */
struct frame {
	const struct frame *up;
	const struct rs_chain *chain;
	size_t rule;
};

struct branch {
	struct region *r;
	/* destination rewritten by DNAT / REDIRECT */
	bool nat;
	bool redirect;
	rs_u128 nat_addr;
	bool nat_port;
	uint16_t nat_port_lo, nat_port_hi;
	bool nat_bound;		/* a nat chain of this hook set the binding */
	bool ct_dnat;		/* the binding changed the tuple: the
				 * connection's status has IPS_DST_NAT */
	bool untracked;		/* notrack: no conntrack, no NAT */
	uint32_t mark;
	uint32_t ctmark;
	bool oif_known;
	int oif;
	rs_u128 oif_key;
	const struct anode *assume;
	/* the header values the sender committed to on the way here */
	const struct choice *choice;
	const struct snode *trace;
	/* position */
	const struct rs_chain *chain;
	size_t rule;
	unsigned int depth;
	const struct frame *stack;	/* depth frames, innermost first */
};

struct blist {
	size_t n, cap;
	struct branch **b;
};

/* IPv6 neighbour discovery (see nd_check()) */
#define ND_SOLICIT	135
#define ND_SNMC_PREFIX	(((rs_u128)0xff02 << 112) | ((rs_u128)1 << 32) | \
			 ((rs_u128)0xff << 24))	/* ff02::1:ff00:0/104 */

struct walk {
	const struct engine_input *in;
	const struct host *host;
	struct arena arena;
	uint8_t family;
	uint8_t proto;
	/* the base chain running now */
	uint32_t hook;
	const struct rs_chain *base;
	bool before_conntrack;
	/* walking the client's second packet of a connection (the
	 * handshake's ACK), not the probe: ct state established */
	bool established;
	/* walking the server's answer (SYN-ACK) back to the client: the
	 * probe's addresses and ports swapped, ct direction reply */
	bool reply;
	bool reply_local;	/* from a local socket: output hook */
	/* the base chain running now comes before (after) the NAT binding
	 * rewrites this later packet: see PRI_NAT_DST */
	bool before_dnat, after_snat;
	/* walking an IPv6 neighbour discovery packet (ICMPv6 nd_type), not
	 * a probe; nd_dead: the ingress interfaces where it is dropped */
	bool nd;
	uint8_t nd_type;
	bool nd_done;
	struct rs_interval *nd_dead;
	size_t nnd_dead;
	size_t branches;
	/* per chain of the model, built on first use: where a branch with
	 * a fixed destination address can skip to */
	struct daddr_index **dindex;
	/* chains sorted for jump lookup */
	const struct rs_chain **sorted;
	size_t nsorted;
	/* per family (IPv4, IPv6) and NF_INET_* hook: hook_chains() */
	struct hook_list {
		const struct rs_chain **chains;
		size_t n;
		bool done;
	} hooks[2][NF_INET_NUMHOOKS];
	/* per chain of the model, built on first use: jump_target() */
	const struct rs_chain ***jumps;
	/* rule_run(): rules before norun_end of norun_chain overlap */
	const struct rs_chain *norun_chain;
	size_t norun_end;
	/* the netdev (and inet) ingress base chains, in the model's order */
	const struct rs_chain **ingress;
	size_t ningress;
	/* the reverse path of each family (rpfilter), built on first use;
	 * rpath_err[i] remembers that it could not be */
	struct rpath **rpath;
	int *rpath_err;
	struct engine_result *res;
};

static void branch_free(struct branch *b)
{
	if (!b)
		return;
	region_free(b->r);
	free(b);
}

/* A copy of b's state with region r (taken over).  NULL without memory or
 * past BRANCHES_MAX; callers say -ENOMEM and engine_run() tells the two
 * apart by w->branches. */
static struct branch *branch_fork(struct walk *w, const struct branch *b,
				  struct region *r)
{
	struct branch *n;

	if (++w->branches > BRANCHES_MAX) {
		region_free(r);
		return NULL;
	}
	n = malloc(sizeof(*n));
	if (!n) {
		region_free(r);
		return NULL;
	}
	*n = *b;
	n->r = r;
	return n;
}

static int blist_push(struct blist *l, struct branch *b)
{
	struct branch **p;
	size_t cap;

	if (!b)
		return -ENOMEM;
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		p = realloc(l->b, cap * sizeof(*p));
		if (!p) {
			branch_free(b);
			return -ENOMEM;
		}
		l->b = p;
		l->cap = cap;
	}
	l->b[l->n++] = b;
	return 0;
}

static void blist_release(struct blist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		branch_free(l->b[i]);
	free(l->b);
	memset(l, 0, sizeof(*l));
}

static int trace_add(struct walk *w, struct branch *b, uint32_t hook,
		     const struct rs_chain *c, const struct rs_rule *r,
		     enum rs_verdict_kind v, const char *what)
{
	struct snode *s = arena_alloc(&w->arena, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->up = b->trace;
	s->depth = b->trace ? b->trace->depth + 1 : 1;
	s->s.hook = hook;
	s->s.chain = c;
	s->s.rule = r;
	s->s.verdict = v;
	s->s.what = what;
	b->trace = s;
	return 0;
}

/* A jump: return to the rule after this one. */
static int frame_push(struct walk *w, struct branch *b)
{
	struct frame *f;

	if (b->depth >= JUMP_STACK_MAX)
		return -E2BIG;
	f = arena_alloc(&w->arena, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->up = b->stack;
	f->chain = b->chain;
	f->rule = b->rule + 1;
	b->stack = f;
	b->depth++;
	return 0;
}

static void frame_pop(struct branch *b)
{
	b->chain = b->stack->chain;
	b->rule = b->stack->rule;
	b->stack = b->stack->up;
	b->depth--;
}

/* Add assumption x to b's list. */
static int assume_copy(struct walk *w, struct branch *b,
		       const struct engine_assumption *x)
{
	struct anode *a = arena_alloc(&w->arena, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->up = b->assume;
	a->depth = b->assume ? b->assume->depth + 1 : 1;
	a->a = *x;
	b->assume = a;
	return 0;
}

static int assume_elem(struct walk *w, struct branch *b,
		       const struct rs_chain *c, const struct rs_rule *r,
		       const struct rs_match *m, bool matched, size_t elem)
{
	struct engine_assumption x = {
		.chain = c, .rule = r, .match = m, .matched = matched,
		.elem = elem,
	};

	return assume_copy(w, b, &x);
}

static int assume_add(struct walk *w, struct branch *b,
		      const struct rs_chain *c, const struct rs_rule *r,
		      const struct rs_match *m, bool matched)
{
	return assume_elem(w, b, c, r, m, matched, 0);
}

/* ---------------------------------------------------------------------
 * Fields: what a match compares, for the probes of this branch.
 */
enum resolved {
	RES_DIM,	/* a dimension of the region: split */
	RES_FIXED,	/* one value for the whole branch */
	RES_ABSENT,	/* the kernel has no value: nft breaks, the rule
			 * does not match */
	RES_NOTSET,	/* no value, and "not in" matches (physdev on a
			 * routed packet) */
	RES_UNKNOWN,	/* we cannot tell */
	RES_CHOICE,	/* the sender chooses: see choice.h */
};

/* How element values of a field map onto the dimension. */
enum xform {
	XF_NONE,
	XF_IFINDEX,	/* ifindex values onto the interface-name dimension */
};

static bool is_v4(const struct walk *w)
{
	return w->family == NFPROTO_IPV4;
}

static bool has_ct(const struct walk *w, const struct branch *b)
{
	return !w->before_conntrack && !b->untracked;
}

static bool after_routing(const struct walk *w)
{
	return w->hook == NF_INET_FORWARD || w->hook == NF_INET_POST_ROUTING;
}

static struct choice_dom walk_dom(const struct walk *w)
{
	return (struct choice_dom){ w->family, w->proto, w->established,
				    after_routing(w) };
}

static void *walk_alloc(void *ctx, size_t size)
{
	return arena_alloc(&((struct walk *)ctx)->arena, size);
}

/* A forwarded packet's TTL is one less after the routing decision: a
 * match there on value v means the sender chose v + 1. */
static int choice_shift(const struct walk *w, const struct rs_match *m)
{
	return m->fields[0] == RS_F_IP_TTL && after_routing(w) ? -1 : 0;
}

/* choice_uniform() for match m on b: 1 every value b's sender has left
 * meets it, 0 none does, -1 some. */
static int choice_fits(const struct walk *w, const struct branch *b,
		       const struct rs_match *m)
{
	struct choice_dom dom = walk_dom(w);

	return choice_uniform(&dom, b->choice, m, choice_shift(w, m));
}

static uint8_t route_type(const struct walk *w, rs_u128 addr)
{
	struct host_route_query q = { .family = w->family, .daddr = addr };
	struct host_route_result res;

	if (!w->host) {
		if (is_v4(w) && (addr >> 24) == 127)
			return RTN_LOCAL;
		if (!is_v4(w) && addr == 1)
			return RTN_LOCAL;
		return RTN_UNICAST;
	}
	if (host_route_lookup(w->host, &q, &res) < 0)
		return RTN_UNREACHABLE;
	return res.type;
}

/* The header fields of a packet the host itself sends (the server's
 * answer) or that a neighbour sends for neighbour discovery: chosen by
 * their sender's stack, not by the stranger.  Linux answers with TTL and
 * hop limit 64 (the sysctl defaults), TOS 0, DF set, no IPv4 options or
 * IPv6 extension headers; its TCP options and the length depend on what
 * the client offered.  A neighbour solicitation has hop limit 255 (RFC
 * 4861 requires it), traffic class 0, and is 72 bytes with its source
 * link-layer address option.  A backend's answer (forwarded) is the
 * backend's business. */
static enum resolved resolve_host_header(const struct walk *w,
					 enum rs_field f, rs_u128 *val)
{
	bool v4 = is_v4(w), local = w->nd || w->reply_local;

	switch (f) {
	case RS_F_IP_FRAGOFF:
	case RS_F_IP_OPTIONS:
		if (!v4)
			return RES_ABSENT;
		if (f == RS_F_IP_OPTIONS) {
			*val = 0;
			return RES_FIXED;
		}
		*val = 0x4000;
		break;
	case RS_F_IP6_EXTHDRS:
	case RS_F_IP6_RT_TYPE:
		if (v4)
			return RES_ABSENT;
		/* no server's stack puts a routing or other extension
		 * header into a SYN-ACK, a backend's neither */
		*val = f == RS_F_IP6_RT_TYPE ? RS_ABSENT : 0;
		return RES_FIXED;
	case RS_F_TCP_OPTIONS:
	case RS_F_TCP_MSS:
		if (w->nd || w->proto != IPPROTO_TCP)
			return RES_ABSENT;
		return RES_UNKNOWN;
	case RS_F_IP_TTL:
		*val = w->nd ? 255 : 64;
		break;
	case RS_F_IP_TOS:
		*val = 0;
		break;
	case RS_F_IP_LENGTH:
		if (!w->nd)
			return RES_UNKNOWN;
		*val = 72;
		break;
	default:
		return RES_UNKNOWN;
	}
	return local ? RES_FIXED : RES_UNKNOWN;
}

/* The fields of the server's answer that differ from the probe's, in the
 * probe's dimensions: its source is the probe's destination (after NAT),
 * its destination the probe's source, it leaves on the probe's ingress
 * interface.  RES_NOTSET: the same as for the probe. */
static enum resolved resolve_reply(const struct walk *w,
				   const struct branch *b, enum rs_field f,
				   enum region_dim *dim, rs_u128 *val,
				   enum xform *xf)
{
	bool v4 = is_v4(w);

	switch (f) {
	case RS_F_IIFNAME:
	case RS_F_IIF:
		if (w->reply_local)
			return RES_ABSENT;
		if (!b->oif_known)
			return RES_UNKNOWN;
		*val = f == RS_F_IIF ? (rs_u128)b->oif : b->oif_key;
		return RES_FIXED;
	case RS_F_OIFNAME:
		*dim = REGION_IIF;
		return RES_DIM;
	case RS_F_OIF:
		*dim = REGION_IIF;
		*xf = XF_IFINDEX;
		return RES_DIM;
	case RS_F_IP_SADDR:
	case RS_F_IP6_SADDR:
		if (v4 != (f == RS_F_IP_SADDR))
			return RES_ABSENT;
		if (b->nat && !w->after_snat) {
			*val = b->nat_addr;
			return RES_FIXED;
		}
		*dim = REGION_DADDR;
		return RES_DIM;
	case RS_F_IP_DADDR:
	case RS_F_IP6_DADDR:
		if (v4 != (f == RS_F_IP_DADDR))
			return RES_ABSENT;
		*dim = REGION_SADDR;
		return RES_DIM;
	case RS_F_SPORT:
		if (b->nat_port && !w->after_snat) {
			if (b->nat_port_lo != b->nat_port_hi)
				return RES_UNKNOWN;
			*val = b->nat_port_lo;
			return RES_FIXED;
		}
		*dim = REGION_DPORT;
		return RES_DIM;
	case RS_F_DPORT:
		*dim = REGION_SPORT;
		return RES_DIM;
	case RS_F_TCP_FLAGS:
		if (w->proto != IPPROTO_TCP)
			return RES_ABSENT;
		*val = 0x12;	/* SYN-ACK */
		return RES_FIXED;
	case RS_F_CT_DIRECTION:
		if (b->untracked)
			return RES_ABSENT;
		*val = IP_CT_DIR_ORIGINAL + 1;
		return RES_FIXED;
	case RS_F_FIB_DADDR_TYPE:
		*val = RTN_UNICAST;	/* the client */
		return RES_FIXED;
	case RS_F_FIB_SADDR_TYPE:
		*val = w->reply_local ? RTN_LOCAL : RTN_UNICAST;
		return RES_FIXED;
	case RS_F_IP_TTL:
	case RS_F_IP_TOS:
	case RS_F_IP_FRAGOFF:
	case RS_F_IP_OPTIONS:
	case RS_F_IP6_EXTHDRS:
	case RS_F_IP6_RT_TYPE:
	case RS_F_IP_LENGTH:
	case RS_F_TCP_OPTIONS:
	case RS_F_TCP_MSS:
		return resolve_host_header(w, f, val);
	default:
		return RES_NOTSET;
	}
}

static enum resolved resolve(const struct walk *w, const struct branch *b,
			     enum rs_field f, enum region_dim *dim,
			     rs_u128 *val, enum xform *xf)
{
	bool v4 = is_v4(w);

	*xf = XF_NONE;
	if (w->reply) {
		switch (resolve_reply(w, b, f, dim, val, xf)) {
		case RES_DIM:
			return RES_DIM;
		case RES_FIXED:
			return RES_FIXED;
		case RES_ABSENT:
			return RES_ABSENT;
		case RES_UNKNOWN:
		case RES_CHOICE:
			return RES_UNKNOWN;
		case RES_NOTSET:
			break;	/* as for the probe */
		}
	}
	if (w->nd) {
		switch (f) {
		case RS_F_ICMPV6_TYPE:
			*val = w->nd_type;
			return RES_FIXED;
		case RS_F_ICMPV6_CODE:
			*val = 0;
			return RES_FIXED;
		case RS_F_SPORT:
		case RS_F_DPORT:
			return RES_ABSENT;
		case RS_F_FIB_DADDR_TYPE:
			*val = RTN_MULTICAST;
			return RES_FIXED;
		case RS_F_PKTTYPE:
			*val = PACKET_MULTICAST;
			return RES_FIXED;
		case RS_F_IP_TTL:
		case RS_F_IP_TOS:
		case RS_F_IP_FRAGOFF:
		case RS_F_IP_OPTIONS:
		case RS_F_IP6_EXTHDRS:
		case RS_F_IP6_RT_TYPE:
		case RS_F_IP_LENGTH:
		case RS_F_TCP_OPTIONS:
		case RS_F_TCP_MSS:
			return resolve_host_header(w, f, val);
		default:
			break;
		}
	}
	switch (f) {
	case RS_F_IIFNAME:
		*dim = REGION_IIF;
		return RES_DIM;
	case RS_F_IIF:
		*dim = REGION_IIF;
		*xf = XF_IFINDEX;
		return RES_DIM;
	case RS_F_OIFNAME:
	case RS_F_OIF:
		if (!after_routing(w))
			return RES_ABSENT;
		if (!b->oif_known)
			return RES_UNKNOWN;
		*val = f == RS_F_OIF ? (rs_u128)b->oif : b->oif_key;
		return RES_FIXED;
	case RS_F_IIFTYPE:
		*val = 1;	/* ARPHRD_ETHER: probes come from a NIC */
		return RES_FIXED;
	case RS_F_NFPROTO:
		*val = w->family;
		return RES_FIXED;
	case RS_F_ETHERTYPE:
		*val = v4 ? 0x0800 : 0x86dd;
		return RES_FIXED;
	case RS_F_L4PROTO:
		*val = w->proto;
		return RES_FIXED;
	case RS_F_IP_SADDR:
	case RS_F_IP6_SADDR:
		if (v4 != (f == RS_F_IP_SADDR))
			return RES_ABSENT;
		*dim = REGION_SADDR;
		return RES_DIM;
	case RS_F_IP_DADDR:
	case RS_F_IP6_DADDR:
		if (v4 != (f == RS_F_IP_DADDR))
			return RES_ABSENT;
		if (b->nat && !w->before_dnat) {
			*val = b->nat_addr;
			return RES_FIXED;
		}
		*dim = REGION_DADDR;
		return RES_DIM;
	case RS_F_SPORT:
		*dim = REGION_SPORT;
		return RES_DIM;
	case RS_F_DPORT:
		if (b->nat_port && !w->before_dnat) {
			if (b->nat_port_lo != b->nat_port_hi)
				return RES_UNKNOWN;
			*val = b->nat_port_lo;
			return RES_FIXED;
		}
		*dim = REGION_DPORT;
		return RES_DIM;
	case RS_F_ICMP_TYPE:
	case RS_F_ICMP_CODE:
	case RS_F_ICMPV6_TYPE:
	case RS_F_ICMPV6_CODE:
		/* probes are tcp/udp/sctp: no icmp header to compare */
		return RES_ABSENT;
	case RS_F_TCP_FLAGS:
	case RS_F_TCP_OPTIONS:
	case RS_F_TCP_MSS:
		/* a probe is a SYN, the handshake's next packet an ACK:
		 * other flags and the options are the sender's */
		if (w->proto != IPPROTO_TCP)
			return RES_ABSENT;
		return RES_CHOICE;
	case RS_F_IP_TTL:
	case RS_F_IP_TOS:
	case RS_F_IP_LENGTH:
		return RES_CHOICE;
	case RS_F_IP_FRAGOFF:
	case RS_F_IP_OPTIONS:
		return v4 ? RES_CHOICE : RES_ABSENT;
	case RS_F_IP6_EXTHDRS:
	case RS_F_IP6_RT_TYPE:
		return v4 ? RES_ABSENT : RES_CHOICE;
	case RS_F_CT_STATE:
		if (b->untracked)
			*val = RS_CT_STATE_UNTRACKED;
		else if (w->before_conntrack)
			*val = RS_CT_STATE_INVALID;
		else if (w->established)
			*val = RS_CT_STATE_ESTABLISHED;
		else
			*val = RS_CT_STATE_NEW;
		return RES_FIXED;
	case RS_F_CT_STATUS:
		if (!has_ct(w, b))
			return RES_ABSENT;
		*val = b->ct_dnat ? IPS_DST_NAT | IPS_DST_NAT_DONE : 0;
		if (w->established)
			*val |= IPS_SEEN_REPLY | IPS_ASSURED;
		return RES_FIXED;
	case RS_F_CT_DIRECTION:
		if (!has_ct(w, b))
			return RES_ABSENT;
		*val = IP_CT_DIR_ORIGINAL;
		return RES_FIXED;
	case RS_F_CT_MARK:
		if (!has_ct(w, b))
			return RES_ABSENT;
		*val = b->ctmark;
		return RES_FIXED;
	case RS_F_CT_ORIG_SADDR4:
	case RS_F_CT_ORIG_SADDR6:
	case RS_F_CT_REPL_DADDR4:
	case RS_F_CT_REPL_DADDR6:
		if (!has_ct(w, b) ||
		    v4 != (f == RS_F_CT_ORIG_SADDR4 || f == RS_F_CT_REPL_DADDR4))
			return RES_ABSENT;
		*dim = REGION_SADDR;
		return RES_DIM;
	case RS_F_CT_ORIG_DADDR4:
	case RS_F_CT_ORIG_DADDR6:
		if (!has_ct(w, b) || v4 != (f == RS_F_CT_ORIG_DADDR4))
			return RES_ABSENT;
		*dim = REGION_DADDR;
		return RES_DIM;
	case RS_F_CT_REPL_SADDR4:
	case RS_F_CT_REPL_SADDR6:
		if (!has_ct(w, b) || v4 != (f == RS_F_CT_REPL_SADDR4))
			return RES_ABSENT;
		if (b->nat) {
			*val = b->nat_addr;
			return RES_FIXED;
		}
		*dim = REGION_DADDR;
		return RES_DIM;
	case RS_F_CT_ORIG_SPORT:
	case RS_F_CT_REPL_DPORT:
		if (!has_ct(w, b))
			return RES_ABSENT;
		*dim = REGION_SPORT;
		return RES_DIM;
	case RS_F_CT_ORIG_DPORT:
		if (!has_ct(w, b))
			return RES_ABSENT;
		*dim = REGION_DPORT;
		return RES_DIM;
	case RS_F_CT_REPL_SPORT:
		if (!has_ct(w, b))
			return RES_ABSENT;
		if (b->nat_port) {
			if (b->nat_port_lo != b->nat_port_hi)
				return RES_UNKNOWN;
			*val = b->nat_port_lo;
			return RES_FIXED;
		}
		*dim = REGION_DPORT;
		return RES_DIM;
	case RS_F_FIB_DADDR_TYPE:
		/* a probe is addressed to one of the host's own addresses */
		*val = b->nat && !w->before_dnat ?
		       route_type(w, b->nat_addr) : RTN_LOCAL;
		return RES_FIXED;
	case RS_F_FIB_SADDR_TYPE:
		*val = RTN_UNICAST;	/* a stranger's own address */
		return RES_FIXED;
	case RS_F_MARK:
		*val = b->mark;
		return RES_FIXED;
	case RS_F_PKTTYPE:
		*val = PACKET_HOST;
		return RES_FIXED;
	case RS_F_SKUID:
	case RS_F_SKGID:
		/* no socket is attached to an arriving first packet */
		return RES_ABSENT;
	case RS_F_PHYSDEV_IN:
	case RS_F_PHYSDEV_OUT:
		/* routed probes are not bridged: xt_physdev matches the
		 * negated forms only */
		return RES_NOTSET;
	default:
		/* MAC addresses anyone on the link can forge, ipsets whose
		 * contents we do not have, fib oif (rpfilter), raw payload,
		 * and every match we do not know */
		return RES_UNKNOWN;
	}
}

/* ---------------------------------------------------------------------
 * Matches.
 */
enum mres {
	M_DECIDED,	/* *yes / *no hold the split (either may be empty) */
	M_UNKNOWN,	/* cannot tell: fork */
	M_CHOICE,	/* the sender chooses: choice_split() */
};

static bool in_iv(rs_u128 v, const struct rs_interval *iv)
{
	return iv->lo <= v && v <= iv->hi;
}

/* Interface-name keys of the links whose ifindex is in iv. */
static int ifindex_keys(const struct walk *w, const struct rs_interval *iv,
			struct rs_interval **out, size_t *n, size_t *cap)
{
	static const struct host_link lo = { .ifindex = 1, .name = "lo" };
	struct rs_interval *p;
	size_t i, nl = w->host ? w->host->nlinks : 1;

	/* without host facts the ruleset was loaded into a network
	 * namespace of its own (rsfile.c), where nft resolved every iif
	 * name: index 1 is lo and no other interface is there */
	for (i = 0; i < nl; i++) {
		const struct host_link *l = w->host ? &w->host->links[i] : &lo;

		if (!in_iv((rs_u128)l->ifindex, iv))
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 8;
			p = realloc(*out, *cap * sizeof(*p));
			if (!p)
				return -ENOMEM;
			*out = p;
		}
		(*out)[*n].lo = (*out)[*n].hi = rs_ifname_key(l->name);
		(*n)++;
	}
	return 0;
}

static int iv_push(struct rs_interval **arr, size_t *n, size_t *cap,
		   const struct rs_interval *iv)
{
	struct rs_interval *p;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		p = realloc(*arr, *cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*arr = p;
	}
	(*arr)[(*n)++] = *iv;
	return 0;
}

/* The reverse path of the walk's family, built on first use.  NULL when it
 * cannot be had (*err says why: -E2BIG for too many routes). */
static const struct rpath *walk_rpath(const struct walk *w, int *err)
{
	int f = is_v4(w) ? 0 : 1;

	if (!w->rpath[f] && !w->rpath_err[f])
		w->rpath_err[f] = rpath_build(w->host, w->family, 0,
					      &w->rpath[f]);
	*err = w->rpath_err[f];
	return w->rpath[f];
}

typedef bool (*rpath_pred)(const void *ctx, const struct rpath_range *r,
			   const struct host_link *l);

/*
 * Split cur link by link along the source ranges of the reverse path: *in
 * gets the probes for which keep() holds (and, with none_in, those on
 * interface names no link has: no packet arrives there), *out the rest;
 * two new regions.  Returns 0 or -errno.
 */
static int rpath_split(const struct walk *w, const struct rpath *rp,
		       const struct region *cur, rpath_pred keep,
		       const void *ctx, bool none_in, struct region **in,
		       struct region **out)
{
	const struct rs_interval *set[REGION_NDIMS] = { NULL };
	size_t nset[REGION_NDIMS] = { 0 };
	struct rs_interval *ivs = NULL, *keys = NULL, *whole = NULL, iifk;
	struct region *acc, *rest, *part;
	size_t i, k, nivs, ncap = 0, nkeys = 0, kcap = 0, nwhole = 0, wcap = 0;
	int ret = 0;

	acc = region_new_empty();
	rest = region_copy(cur);
	if (!acc || !rest) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < w->host->nlinks && !ret; i++) {
		const struct host_link *l = &w->host->links[i];

		iifk.lo = iifk.hi = rs_ifname_key(l->name);
		ret = iv_push(&keys, &nkeys, &kcap, &iifk);
		nivs = 0;
		for (k = 0; !ret && k < rp->n; k++) {
			if (!keep(ctx, &rp->ranges[k], l))
				continue;
			/* the ranges are ascending and adjacent */
			if (nivs && ivs[nivs - 1].hi + 1 == rp->ranges[k].lo)
				ivs[nivs - 1].hi = rp->ranges[k].hi;
			else
				ret = iv_push(&ivs, &nivs, &ncap,
					      &(struct rs_interval){
						rp->ranges[k].lo,
						rp->ranges[k].hi });
		}
		if (ret || !nivs)
			continue;
		/* every source kept (a default route): one cut by interface
		 * for all such links, below */
		if (nivs == 1 && ivs[0].lo == rp->ranges[0].lo &&
		    ivs[0].hi == rp->ranges[rp->n - 1].hi) {
			ret = iv_push(&whole, &nwhole, &wcap, &iifk);
			continue;
		}
		set[REGION_IIF] = &iifk;
		nset[REGION_IIF] = 1;
		set[REGION_SADDR] = ivs;
		nset[REGION_SADDR] = nivs;
		part = NULL;
		ret = region_split_off_product(rest, set, nset, &part);
		if (!ret)
			ret = region_append(acc, part);
		region_free(part);
	}
	if (!ret && nwhole) {
		part = NULL;
		ret = region_split_off(rest, REGION_IIF, whole, nwhole, &part);
		if (!ret)
			ret = region_append(acc, part);
		region_free(part);
	}
	if (!ret && none_in) {
		struct region *none = region_copy(rest);

		part = NULL;
		ret = none ? region_split_off(none, REGION_IIF, keys, nkeys,
					      &part) : -ENOMEM;
		region_free(part);
		if (!ret)
			ret = region_subtract(rest, none);
		if (!ret)
			ret = region_append(acc, none);
		region_free(none);
	}
out:
	free(ivs);
	free(keys);
	free(whole);
	if (ret) {
		region_free(acc);
		region_free(rest);
		return ret;
	}
	*in = acc;
	*out = rest;
	return 0;
}

/* Does any single-field element of m hold v? */
static bool elems_hold(const struct rs_match *m, rs_u128 v)
{
	const struct rs_interval *el;
	size_t nel, e;

	el = rs_match_elems(m, &nel);
	for (e = 0; e < nel; e++)
		if (in_iv(v, &el[e]))
			return true;
	return false;
}

static bool fib_match_keep(const void *ctx, const struct rpath_range *r,
			   const struct host_link *l)
{
	const struct rs_match *m = ctx;

	return elems_hold(m, rpath_oif(r, l,
				       m->fields[0] == RS_F_FIB_SADDR_IIF_OIF));
}

/*
 * rpfilter: "fib saddr [. iif] oif" compared with m's elements.  The answer
 * depends on the input interface and on which routes hold the source.
 * Returns 0, 1 when it cannot be decided here, or -errno.
 */
static int fib_saddr_inset(const struct walk *w, const struct rs_match *m,
			   const struct region *cur, struct region **inset,
			   struct region **outset)
{
	const struct rpath *rp;
	size_t k;
	int err;

	rp = walk_rpath(w, &err);
	if (err == -ENOMEM)
		return -ENOMEM;
	if (!rp)
		return 1;
	for (k = 0; k < rp->n; k++)
		if (rp->ranges[k].uncertain)
			return 1;
	return rpath_split(w, rp, cur, fib_match_keep, m, elems_hold(m, 0),
			   inset, outset);
}

/*
 * The part of cur whose field tuple is in the elements of m: *inset, a new
 * region.  Returns 0, 1 when a field cannot be decided, or -errno.
 */
static int match_inset(const struct walk *w, const struct branch *b,
		       const struct rs_match *m, const struct region *cur,
		       struct region **inset, struct region **outset,
		       bool *notset)
{
	enum region_dim dims[RS_CONCAT_MAX];
	enum resolved how[RS_CONCAT_MAX];
	rs_u128 vals[RS_CONCAT_MAX];
	enum xform xf[RS_CONCAT_MAX];
	const struct rs_interval *el;
	struct rs_interval *ivs = NULL;
	struct region *acc = NULL, *tmp;
	size_t nel, e, nivs = 0, cap = 0;
	unsigned int i, ndim = 0, single = 0;
	bool applies, same_dim = true;
	struct region_box box;
	int ret = 0;

	*notset = false;
	if (m->nfields == 1 && w->host && !w->reply &&
	    (m->fields[0] == RS_F_FIB_SADDR_OIF ||
	     m->fields[0] == RS_F_FIB_SADDR_IIF_OIF))
		return fib_saddr_inset(w, m, cur, inset, outset);
	for (i = 0; i < m->nfields; i++) {
		how[i] = resolve(w, b, m->fields[i], &dims[i], &vals[i], &xf[i]);
		/* a header value the sender chooses inside a concatenation
		 * with other fields: rare enough to not decide it */
		if (how[i] == RES_UNKNOWN || how[i] == RES_CHOICE)
			return 1;
		if (how[i] == RES_ABSENT || how[i] == RES_NOTSET) {
			/* no value: nothing is in the set */
			*notset = how[i] == RES_NOTSET;
			*inset = region_new_empty();
			*outset = region_copy(cur);
			if (*inset && *outset)
				return 0;
			region_free(*inset);
			region_free(*outset);
			*inset = *outset = NULL;
			return -ENOMEM;
		}
		if (how[i] == RES_DIM) {
			if (ndim && dims[i] != dims[single])
				same_dim = false;
			if (!ndim)
				single = i;
			ndim++;
		}
	}
	el = rs_match_elems(m, &nel);

	if (ndim == 0 || (ndim == 1 && same_dim)) {
		/* one dimension at most: collect the values of the elements
		 * whose fixed fields match and split once */
		bool whole = false;

		for (e = 0; e < nel && !whole; e++) {
			const struct rs_interval *t = &el[e * m->nfields];

			applies = true;
			for (i = 0; i < m->nfields && applies; i++)
				if (how[i] == RES_FIXED && !in_iv(vals[i], &t[i]))
					applies = false;
			if (!applies)
				continue;
			if (ndim == 0) {
				whole = true;
				break;
			}
			if (xf[single] == XF_IFINDEX)
				ret = ifindex_keys(w, &t[single], &ivs, &nivs,
						   &cap);
			else
				ret = iv_push(&ivs, &nivs, &cap, &t[single]);
			if (ret < 0)
				goto out;
		}
		if (ndim == 0) {
			*inset = whole ? region_copy(cur) : region_new_empty();
			*outset = whole ? region_new_empty() : region_copy(cur);
			ret = *inset && *outset ? 0 : -ENOMEM;
			if (ret < 0) {
				region_free(*inset);
				region_free(*outset);
				*inset = *outset = NULL;
			}
			goto out;
		}
		/* one pass gives both parts: subtracting the part inside
		 * from cur afterwards would cost |cur| * |inset| */
		ret = region_split(cur, dims[single], ivs, nivs, inset, outset);
		goto out;
	}

	/* a concatenation over several dimensions: one box per element */
	acc = region_new_empty();
	if (!acc)
		return -ENOMEM;
	for (e = 0; e < nel; e++) {
		const struct rs_interval *t = &el[e * m->nfields];

		applies = true;
		for (i = 0; i < REGION_NDIMS; i++) {
			box.iv[i].lo = 0;
			box.iv[i].hi = ~(rs_u128)0;
		}
		for (i = 0; i < m->nfields && applies; i++) {
			if (how[i] == RES_FIXED) {
				applies = in_iv(vals[i], &t[i]);
				continue;
			}
			if (xf[i] == XF_IFINDEX) {
				/* an ifindex range inside a concatenation
				 * is rare enough to not decide it */
				ret = 1;
				goto out;
			}
			/* two fields on one dimension: both must hold */
			if (t[i].lo > box.iv[dims[i]].lo)
				box.iv[dims[i]].lo = t[i].lo;
			if (t[i].hi < box.iv[dims[i]].hi)
				box.iv[dims[i]].hi = t[i].hi;
			if (box.iv[dims[i]].lo > box.iv[dims[i]].hi)
				applies = false;
		}
		if (!applies)
			continue;
		tmp = region_copy(cur);
		if (!tmp) {
			ret = -ENOMEM;
			goto out;
		}
		ret = region_intersect_box(tmp, &box);
		if (!ret)
			ret = region_union(acc, tmp);
		region_free(tmp);
		if (ret < 0)
			goto out;
	}
	*inset = acc;
	acc = NULL;
out:
	region_free(acc);
	free(ivs);
	return ret;
}

/* Split cur by match m into the probes it matches (*yes) and the rest
 * (*no), both new regions. */
static int match_eval(const struct walk *w, const struct branch *b,
		      const struct rs_match *m, const struct region *cur,
		      struct region **yes, struct region **no,
		      enum mres *res)
{
	struct region *inset = NULL, *rest;
	enum region_dim dim;
	enum resolved how;
	enum xform xf;
	bool notset, hit;
	rs_u128 v;
	int ret;

	*res = M_DECIDED;
	if (m->op != RS_OP_OTHER && m->nfields == 1 &&
	    resolve(w, b, m->fields[0], &dim, &v, &xf) == RES_CHOICE) {
		*res = M_CHOICE;
		return 0;
	}
	switch (m->op) {
	case RS_OP_OTHER:
		*res = M_UNKNOWN;
		return 0;
	case RS_OP_MASK_EQ:
	case RS_OP_MASK_NE:
		how = resolve(w, b, m->fields[0], &dim, &v, &xf);
		if (how == RES_DIM || how == RES_UNKNOWN || how == RES_CHOICE) {
			*res = M_UNKNOWN;
			return 0;
		}
		hit = how == RES_FIXED &&
		      ((v & m->mask) == m->value) == (m->op == RS_OP_MASK_EQ);
		*yes = hit ? region_copy(cur) : region_new_empty();
		*no = hit ? region_new_empty() : region_copy(cur);
		break;
	case RS_OP_IN:
	case RS_OP_NOT_IN:
		rest = NULL;
		ret = match_inset(w, b, m, cur, &inset, &rest, &notset);
		if (ret < 0)
			return ret;
		if (ret == 1) {
			*res = M_UNKNOWN;
			return 0;
		}
		if (!rest) {
			rest = region_copy(cur);
			if (!rest || (ret = region_subtract(rest, inset)) < 0) {
				region_free(rest);
				region_free(inset);
				return rest ? ret : -ENOMEM;
			}
		}
		if (m->op == RS_OP_IN) {
			*yes = inset;
			*no = rest;
		} else {
			*yes = rest;
			*no = inset;
		}
		/* an absent value makes nft break out of the rule whatever
		 * the operator: a negated match does not match either */
		if (m->op == RS_OP_NOT_IN && !notset) {
			enum region_dim d;
			rs_u128 vv;
			enum xform x;
			unsigned int i;

			for (i = 0; i < m->nfields; i++) {
				if (resolve(w, b, m->fields[i], &d, &vv, &x) !=
				    RES_ABSENT)
					continue;
				region_free(*no);
				*no = *yes;
				*yes = region_new_empty();
				if (!*yes)
					return -ENOMEM;
				break;
			}
		}
		break;
	default:
		*res = M_UNKNOWN;
		return 0;
	}
	if (!*yes || !*no) {
		region_free(*yes);
		region_free(*no);
		return -ENOMEM;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Rules.
 */
struct part {
	struct region *r;
	const struct anode *assume;
	const struct choice *choice;
};

struct plist {
	size_t n, cap;
	struct part *p;
};

static int plist_push(struct plist *l, struct region *r,
		      const struct anode *a, const struct choice *ch)
{
	struct part *p;
	size_t cap;

	if (!r)
		return -ENOMEM;
	if (region_is_empty(r)) {
		region_free(r);
		return 0;
	}
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 4;
		p = realloc(l->p, cap * sizeof(*p));
		if (!p) {
			region_free(r);
			return -ENOMEM;
		}
		l->p = p;
		l->cap = cap;
	}
	l->p[l->n].r = r;
	l->p[l->n].assume = a;
	l->p[l->n].choice = ch;
	l->n++;
	return 0;
}

static void plist_release(struct plist *l)
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
		how = resolve(w, b, m->fields[0], &dim, &vals[0], &xf);
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
			how = resolve(w, b, m->fields[i], &dim, &vals[i], &xf);
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

/* A long chain of rules each for one destination address (Docker's
 * "-d 172.17.0.5 ... -j ACCEPT" per container) is walked by every
 * branch after DNAT, whose destination is fixed: without an index that is
 * quadratic in the number of published ports. */
struct daddr_key {
	rs_u128 addr;
	size_t rule;
};

struct daddr_index {
	size_t *next_general;	/* first rule >= i without one address */
	size_t nkeys;
	struct daddr_key keys[];	/* by address, then rule */
};

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

static void daddr_index_free(struct daddr_index *ix)
{
	if (!ix)
		return;
	free(ix->next_general);
	free(ix);
}

/* The first rule at or after b->rule that a branch with the fixed
 * destination b->nat_addr may match; b->rule itself when there is no
 * index for this chain. */
static size_t daddr_skip(struct walk *w, const struct branch *b)
{
	const struct rs_chain *c = b->chain;
	struct daddr_index *ix;
	size_t ci, lo, hi, mid, best;

	if (!b->nat || w->reply || w->before_dnat ||
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

static bool rule_misses(const struct walk *w, const struct branch *b,
			const struct rs_rule *r)
{
	size_t i;

	for (i = 0; i < r->nmatches; i++)
		if (match_misses(w, b, &r->matches[i]))
			return true;
	return false;
}

/* What a rule's matches ask of the probes of a branch when each of them
 * either holds for all of them or tests one dimension against a plain
 * set: the sets by dimension (NULL: any value), for
 * region_split_off_product(). */
struct rule_sets {
	const struct rs_interval *set[REGION_NDIMS];
	size_t nset[REGION_NDIMS];
	struct rs_interval *own[REGION_NDIMS];	/* complements, freed */
};

static void rule_sets_release(struct rule_sets *rs)
{
	int d;

	for (d = 0; d < REGION_NDIMS; d++)
		free(rs->own[d]);
}

static int iv_lo_cmp(const void *a, const void *b)
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
	qsort(s, n, sizeof(*s), iv_lo_cmp);
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
 * the whole branch (and holds: rule_misses() was asked first) or splits one
 * dimension by the elements of a one-field set, at most one match per
 * dimension.  Returns 1 then, 0 when r needs the general path of
 * rule_matches(), or -ENOMEM.
 */
static int rule_sets_of(const struct walk *w, const struct branch *b,
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
			how = resolve(w, b, m->fields[0], &dim, &v, &xf);
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
				rule_sets_release(rs);
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
		    resolve(w, b, m->fields[0], &dim, &v, &xf) == RES_CHOICE) {
			if (choice_fits(w, b, m) != 1)
				goto general;
			continue;
		}
		for (f = 0; f < m->nfields; f++)
			if (resolve(w, b, m->fields[f], &dim, &v, &xf) !=
			    RES_FIXED)
				goto general;
		if (match_misses(w, b, m))
			goto general;
	}
	return 1;
general:
	rule_sets_release(rs);
	return 0;
}

static int rule_matches(struct walk *w, struct branch *b,
			const struct rs_rule *r, struct plist *yes,
			struct plist *no)
{
	struct part own = { b->r, b->assume, b->choice };
	const struct choice *cy[CHOICE_ALT_MAX], *cn[CHOICE_ALT_MAX];
	struct choice_dom dom = walk_dom(w);
	size_t ny, nn, c;
	struct plist cur = { 1, 1, &own }, next = { 0 };
	struct region *y, *n;
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
			ret = match_eval(w, b, &r->matches[i], cur.p[k].r,
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
			/* undecidable: both ways, each with its assumption */
			tmp.assume = cur.p[k].assume;
			ret = assume_add(w, &tmp, w->base, r, &r->matches[i],
					 true);
			if (!ret)
				ret = plist_push(&next, region_copy(cur.p[k].r),
						 tmp.assume, cur.p[k].choice);
			tmp.assume = cur.p[k].assume;
			if (!ret)
				ret = assume_add(w, &tmp, w->base, r,
						 &r->matches[i], false);
			if (!ret)
				ret = plist_push(no, region_copy(cur.p[k].r),
						 tmp.assume, cur.p[k].choice);
			if (ret < 0)
				goto out;
		}
		if (!borrowed)
			plist_release(&cur);
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
		plist_release(&cur);
	plist_release(&next);
	return ret;
}

/* ---------------------------------------------------------------------
 * Chains.
 */
static int chain_cmp(const void *a, const void *b)
{
	const struct rs_chain *x = *(const struct rs_chain *const *)a;
	const struct rs_chain *y = *(const struct rs_chain *const *)b;
	int d;

	if (x->origin != y->origin)
		return (int)x->origin - (int)y->origin;
	if (x->family != y->family)
		return (int)x->family - (int)y->family;
	d = strcmp(x->table, y->table);
	return d ? d : strcmp(x->name, y->name);
}

static const struct rs_chain *chain_find(const struct walk *w,
					 const struct rs_chain *from,
					 const char *name)
{
	struct rs_chain key = {
		.origin = from->origin, .family = from->family,
		.table = from->table, .name = (char *)name,
	};
	const struct rs_chain *kp = &key, **hit;

	hit = bsearch(&kp, w->sorted, w->nsorted, sizeof(*w->sorted),
		      chain_cmp);
	return hit ? *hit : NULL;
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
		t = calloc(from->nrules, sizeof(*t));
		if (!t)
			return chain_find(w, from, v->chain);
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
	    a->ct_dnat != b->ct_dnat ||
	    a->mark != b->mark || a->ctmark != b->ctmark ||
	    a->oif_known != b->oif_known || a->oif != b->oif ||
	    a->oif_key != b->oif_key || !choice_equal(a->choice, b->choice))
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
		    l->a.xdp == x->xdp && l->a.tc == x->tc)
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
			ret = assume_copy(w, t, &a->a);
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
	    b->untracked << 4 | b->oif_known << 5 | b->ct_dnat << 6);
	MIX(b->nat_addr);
	MIX(b->nat_addr >> 64);
	MIX(b->nat_port_lo | (uint32_t)b->nat_port_hi << 16);
	MIX(b->mark | (uint64_t)b->ctmark << 32);
	MIX((uint32_t)b->oif);
	MIX(b->oif_key);
	MIX(b->oif_key >> 64);
	MIX(choice_hash(b->choice));
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
		ret = assume_elem(w, part, w->base, r, NULL, true, e + 1);
		if (ret < 0)
			branch_free(part);
		else
			ret = map_take(w, work, o, part, r, v, e);
	}
	if (ret < 0 || v->map.total) {
		branch_free(b);
		return ret;
	}
	ret = assume_elem(w, b, w->base, r, NULL, false, 0);
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
		ret = match_eval(w, b, &m, b->r, &yes, &no, &res);
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
static int fork_on_iif(struct walk *w, struct branch *b,
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
		ret = fork_on_iif(w, b, &key, &nb);
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
	ret = assume_add(w, b, w->base, r, NULL, true);
	if (!ret)
		ret = assume_add(w, other, w->base, r, NULL, false);
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
 * rule_matches() and what chain_run() makes of it, without copying the
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
	rule_sets_release(rs);
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
	struct run_iv *p;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		p = realloc(*iv, *cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*iv = p;
	}
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
		if (rule_misses(w, b, r) || !verdict_leaves(&r->verdict))
			break;
		ret = rule_sets_of(w, b, r, &rs);
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
			rule_sets_release(&rs);
			break;
		}
		for (k = 0; k < rs.nset[*dim] && !ret; k++)
			ret = run_iv_push(&iv, &niv, &cap, &rs.set[*dim][k], j);
		rule_sets_release(&rs);
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
		b->rule = daddr_skip(w, b);
		if (b->rule >= b->chain->nrules) {
			ret = blist_push(&work, b);
			continue;
		}
		r = &b->chain->rules[b->rule];
		if (rule_misses(w, b, r)) {
			b->rule++;
			ret = blist_fold(w, &work, b, true);
			continue;
		}
		ret = rule_sets_of(w, b, r, &rsets);
		if (ret < 0) {
			branch_free(b);
			break;
		}
		if (ret == 1) {
			ret = rule_run(w, &work, o, b, &rsets);
			if (ret != 0) {
				rule_sets_release(&rsets);
				ret = ret < 0 ? ret : 0;
				continue;
			}
			ret = rule_split(w, &work, o, b, r, &rsets);
			continue;
		}
		ret = rule_matches(w, b, r, &yes, &no);
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
			plist_release(&no);
			plist_release(&yes);
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
		plist_release(&yes);
		plist_release(&no);
		branch_free(b);
	}
	if (ret == -ENOMEM && w->branches > BRANCHES_MAX)
		ret = -E2BIG;
	blist_release(&work);
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

/* The base chains of a hook for this family, in priority order, made on
 * first use: the handshake runs the hooks once per NAT target, and a
 * kube-proxy ruleset has tens of thousands of chains to look through. */
static int hook_chains(struct walk *w, uint32_t hook,
		       const struct rs_chain ***out, size_t *n)
{
	struct hook_list *hl = &w->hooks[w->family == NFPROTO_IPV6][hook];
	const struct rs_chain **v;
	size_t i, k = 0;

	if (!hl->done) {
		v = calloc(w->in->rs->nchains + 1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		for (i = 0; i < w->in->rs->nchains; i++)
			if (chain_at_hook(w, &w->in->rs->chains[i], hook))
				v[k++] = &w->in->rs->chains[i];
		qsort(v, k, sizeof(*v), prio_cmp);
		hl->chains = v;
		hl->n = k;
		hl->done = true;
	}
	*out = hl->chains;
	*n = hl->n;
	return 0;
}

/* Run all base chains of a hook on the branches of *l, in priority order;
 * *l becomes the branches that all of them accepted, dropped ones go to
 * *dropped. */
static int hook_run(struct walk *w, uint32_t hook, struct blist *l,
		    struct blist *dropped)
{
	const struct rs_chain **chains = NULL;
	struct chain_out o;
	size_t nchains, c, i;
	int ret;

	ret = hook_chains(w, hook, &chains, &nchains);
	if (ret < 0)
		return ret;
	w->hook = hook;
	for (c = 0; c < nchains && l->n; c++) {
		const struct rs_chain *ch = chains[c];
		bool nat = is_nat_chain(ch);

		w->base = ch;
		w->before_conntrack = (hook == NF_INET_PRE_ROUTING ||
				       hook == NF_INET_LOCAL_OUT) &&
				      ch->priority < PRI_CONNTRACK;
		w->before_dnat = w->established && !w->reply &&
				 hook == NF_INET_PRE_ROUTING &&
				 ch->priority < PRI_NAT_DST;
		w->after_snat = w->reply && hook == NF_INET_POST_ROUTING &&
				ch->priority > PRI_NAT_SRC;
		memset(&o, 0, sizeof(o));
		for (i = 0; i < l->n; i++) {
			struct branch *b = l->b[i];

			l->b[i] = NULL;
			/* NAT chains see only packets with a conntrack
			 * entry and no binding yet */
			if (nat && (b->nat_bound || b->untracked ||
				    w->established)) {
				ret = accepted_push(&o, b);
			} else {
				ret = chain_run(w, ch, b, &o);
			}
			if (ret < 0)
				break;
		}
		blist_release(l);
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
	for (i = 0; i < l->n; i++)
		l->b[i]->nat_bound = false;
	w->before_dnat = w->after_snat = false;
	return ret;
}

/* netdev ingress (and inet ingress) chains run only for their device: the
 * part of each branch that arrives on it. */
/*
 * An XDP program sees every packet arriving on its link before anything
 * fwaudit reads, and may drop or redirect it: on such a link the probes go
 * both ways, each with the assumption naming the program, so that what
 * they reach there is "possible", never "definite".
 */
static int xdp_run(struct walk *w, struct blist *l, struct blist *dropped)
{
	struct engine_assumption x = { 0 };
	struct branch *b, *drop, *pass;
	struct rs_interval key;
	size_t i, k, n;
	int ret = 0;

	for (i = 0; w->host && i < 2 * w->host->nlinks && !ret; i++) {
		const struct host_link *lk = &w->host->links[i / 2];
		bool tc = i % 2;

		/* the XDP program first, then the tc filters, as packets
		 * meet them */
		if (lk->loopback || (tc ? !lk->tc_filters : !lk->xdp_prog))
			continue;
		key = rs_ifname_interval(lk->name, false);
		for (k = 0, n = l->n; k < n && !ret; k++) {
			b = l->b[k];
			ret = fork_on_iif(w, b, &key, &drop);
			if (ret < 0 || !drop)
				continue;
			pass = branch_fork(w, drop, region_copy(drop->r));
			if (!pass || !pass->r) {
				branch_free(drop);
				branch_free(pass);
				ret = -ENOMEM;
				break;
			}
			x.xdp = lk;
			x.tc = tc;
			x.matched = true;
			ret = assume_copy(w, drop, &x);
			x.matched = false;
			if (!ret)
				ret = assume_copy(w, pass, &x);
			if (!ret) {
				ret = trace_add(w, drop, ENGINE_HOOK_XDP, NULL,
						NULL, RS_V_DROP, tc ?
						"tc ingress filters fwaudit "
						"cannot read: may drop" :
						"an XDP program fwaudit cannot "
						"read: may drop");
			}
			if (!ret)
				ret = trace_add(w, pass, ENGINE_HOOK_XDP, NULL,
						NULL, RS_V_ACCEPT, tc ?
						"tc ingress filters fwaudit "
						"cannot read: may pass" :
						"an XDP program fwaudit cannot "
						"read: may pass");
			if (ret < 0) {
				branch_free(drop);
				branch_free(pass);
				break;
			}
			ret = blist_push(dropped, drop);
			if (!ret)
				ret = blist_push(l, pass);
		}
	}
	/* the branches that were only on those links are empty now */
	for (k = 0, n = 0; k < l->n; k++) {
		if (region_is_empty(l->b[k]->r))
			branch_free(l->b[k]);
		else
			l->b[n++] = l->b[k];
	}
	l->n = n;
	return ret;
}

static int ingress_run(struct walk *w, struct blist *l, struct blist *dropped)
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
	for (c = 0; c < w->ningress && !ret; c++) {
		const struct rs_chain *ch = w->ingress[c];

		dev = rs_ifname_interval(ch->device, false);
		w->base = ch;
		memset(&o, 0, sizeof(o));
		for (i = 0; i < l->n && !ret; i++) {
			struct branch *nb;

			ret = fork_on_iif(w, l->b[i], &dev, &nb);
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
		blist_release(l);
		for (i = 0; !ret && i < o.accepted.n; i++) {
			ret = blist_push(&next, o.accepted.b[i]);
			o.accepted.b[i] = NULL;
		}
		for (i = 0; !ret && i < o.dropped.n; i++) {
			ret = blist_push(dropped, o.dropped.b[i]);
			o.dropped.b[i] = NULL;
		}
		blist_release(&o.accepted);
		blist_release(&o.dropped);
		chain_out_index_free(&o);
		*l = next;
		memset(&next, 0, sizeof(next));
	}
	w->before_dnat = false;
	return ret;
}

/* ---------------------------------------------------------------------
 * Pieces: where branches end.
 */
static int piece_add(struct walk *w, struct branch *b, enum engine_fate fate,
		     const struct host_listener *lis, const char *reason)
{
	struct engine_result *res = w->res;
	struct engine_piece *p;
	const struct snode *s;
	const struct anode *a;
	size_t i;

	if (res->npieces >= PIECES_MAX)
		return -E2BIG;
	if ((res->npieces & (res->npieces - 1)) == 0) {
		size_t cap = res->npieces ? res->npieces * 2 : 16;

		p = realloc(res->pieces, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		res->pieces = p;
	}
	p = &res->pieces[res->npieces];
	memset(p, 0, sizeof(*p));
	p->family = w->family;
	p->proto = w->proto;
	p->fate = fate;
	p->listener = lis;
	p->drop_reason = reason;
	p->nat = b->nat;
	p->nat_addr = b->nat_addr;
	p->nat_port = b->nat_port;
	p->nat_port_lo = b->nat_port_lo;
	p->nat_port_hi = b->nat_port_hi;
	p->oif = b->oif;
	p->ct_dnat = b->ct_dnat;
	p->choice = b->choice;
	if (fate == ENGINE_DROPPED)
		p->state = ENGINE_CLOSED;
	else if (fate == ENGINE_FORWARDED || lis)
		p->state = ENGINE_EXPOSED;
	else
		p->state = ENGINE_OPEN;
	p->nsteps = b->trace ? b->trace->depth : 0;
	p->nassumptions = b->assume ? b->assume->depth : 0;
	p->steps = calloc(p->nsteps + 1, sizeof(*p->steps));
	p->assumptions = calloc(p->nassumptions + 1, sizeof(*p->assumptions));
	if (!p->steps || !p->assumptions) {
		free(p->steps);
		free(p->assumptions);
		return -ENOMEM;
	}
	for (s = b->trace, i = p->nsteps; s; s = s->up)
		p->steps[--i] = s->s;
	for (a = b->assume, i = p->nassumptions; a; a = a->up)
		p->assumptions[--i] = a->a;
	p->region = b->r;
	b->r = NULL;
	res->npieces++;
	return 0;
}

static int drop_all(struct walk *w, struct blist *l, const char *reason)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < l->n && !ret; i++)
		ret = piece_add(w, l->b[i], ENGINE_DROPPED, NULL, reason);
	blist_release(l);
	return ret;
}

/* The listeners a probe of this walk can reach, most specific first. */
static int listener_cmp(const void *a, const void *b)
{
	const struct host_listener *x = *(const struct host_listener *const *)a;
	const struct host_listener *y = *(const struct host_listener *const *)b;
	int sx = (x->addr != 0) * 4 + (x->bound_ifindex != 0) * 2 +
		 (x->family == AF_INET);
	int sy = (y->addr != 0) * 4 + (y->bound_ifindex != 0) * 2 +
		 (y->family == AF_INET);

	return sy - sx;
}


/* Keep only the part of *r whose dimension d is in [lo, hi]. */
static int narrow(struct region **r, enum region_dim d, rs_u128 lo,
		  rs_u128 hi)
{
	struct rs_interval iv = { lo, hi };
	struct region *t = NULL;
	int ret;

	ret = region_split(*r, d, &iv, 1, &t, NULL);
	if (ret < 0)
		return ret;
	region_free(*r);
	*r = t;
	return 0;
}

static int deliver_local(struct walk *w, struct branch *b)
{
	const struct host_listener **ls = NULL, *l;
	const struct host_link *link;
	struct region *hit = NULL;
	struct branch *nb;
	size_t n = 0, i;
	int ret = 0;

	if (w->host) {
		ls = calloc(w->host->nlisteners + 1, sizeof(*ls));
		if (!ls) {
			branch_free(b);
			return -ENOMEM;
		}
		for (i = 0; i < w->host->nlisteners; i++) {
			l = &w->host->listeners[i];
			if (l->protocol != w->proto)
				continue;
			/* an IPv6 socket on :: without IPV6_V6ONLY takes
			 * IPv4 too */
			if (l->family != w->family &&
			    !(w->family == NFPROTO_IPV4 &&
			      l->family == AF_INET6 && l->addr == 0 &&
			      !l->v6only))
				continue;
			ls[n++] = l;
		}
		qsort(ls, n, sizeof(*ls), listener_cmp);
	}
	for (i = 0; i < n && !region_is_empty(b->r); i++) {
		l = ls[i];
		hit = region_copy(b->r);
		if (!hit) {
			ret = -ENOMEM;
			break;
		}
		if (b->nat_port) {
			if (l->port < b->nat_port_lo || l->port > b->nat_port_hi)
				goto next;
		} else if ((ret = narrow(&hit, REGION_DPORT, l->port,
					 l->port)) < 0) {
			break;
		}
		/* a socket on one address sees only probes to it */
		if (l->addr != 0 && l->family == w->family) {
			if (b->nat) {
				if (b->nat_addr != l->addr)
					goto next;
			} else if (!b->redirect &&
				   (ret = narrow(&hit, REGION_DADDR, l->addr,
						 l->addr)) < 0) {
				break;
			}
		}
		if (l->bound_ifindex) {
			struct rs_interval dev;

			link = host_link_by_index(w->host, l->bound_ifindex);
			if (!link)
				goto next;
			dev = rs_ifname_interval(link->name, false);
			ret = narrow(&hit, REGION_IIF, dev.lo, dev.hi);
			if (ret < 0)
				break;
		}
		if (region_is_empty(hit))
			goto next;
		ret = region_subtract(b->r, hit);
		if (ret < 0)
			break;
		nb = branch_fork(w, b, hit);
		hit = NULL;
		if (!nb) {
			ret = -ENOMEM;
			break;
		}
		ret = trace_add(w, nb, ENGINE_HOOK_DELIVERY, NULL, NULL,
				RS_V_ACCEPT, "delivered to a listening socket");
		if (!ret)
			ret = piece_add(w, nb, ENGINE_LOCAL, l, NULL);
		branch_free(nb);
		if (ret < 0)
			break;
		continue;
next:
		region_free(hit);
		hit = NULL;
	}
	region_free(hit);
	free(ls);
	if (!ret && !region_is_empty(b->r)) {
		ret = trace_add(w, b, ENGINE_HOOK_DELIVERY, NULL, NULL,
				RS_V_ACCEPT, "let in, but nothing listens");
		if (!ret)
			ret = piece_add(w, b, ENGINE_LOCAL, NULL, NULL);
	}
	branch_free(b);
	return ret;
}

static bool is_loopback(const struct walk *w, rs_u128 a)
{
	return is_v4(w) ? (a >> 24) == 127 : a == 1;
}

/* Interface-name points of the ingress links for which pred() holds. */
static int links_where(const struct walk *w, int (*pred)(const struct host *,
							 int),
		       struct rs_interval **out, size_t *n)
{
	size_t i, cap = 0;
	struct rs_interval iv;
	int ret;

	*out = NULL;
	*n = 0;
	for (i = 0; i < w->host->nlinks; i++) {
		if (pred(w->host, w->host->links[i].ifindex) != 1)
			continue;
		iv = rs_ifname_interval(w->host->links[i].name, false);
		ret = iv_push(out, n, &cap, &iv);
		if (ret < 0) {
			free(*out);
			*out = NULL;
			return ret;
		}
	}
	return 0;
}

/* b (kept by the caller) ends in the routing decision, for why. */
static int routing_drop(struct walk *w, struct branch *b, const char *why)
{
	int ret = trace_add(w, b, ENGINE_HOOK_ROUTING, NULL, NULL, RS_V_DROP,
			    why);

	return ret ? ret : piece_add(w, b, ENGINE_DROPPED, NULL, why);
}

/* Split b by "the ingress interface has pred": *on keeps what has it, the
 * rest becomes a dropped piece with reason. */
static int split_iif_by(struct walk *w, struct branch **bp,
			int (*pred)(const struct host *, int),
			const char *reason)
{
	struct branch *b = *bp, *off;
	struct rs_interval *ivs;
	struct region *in = NULL;
	size_t n;
	int ret;

	ret = links_where(w, pred, &ivs, &n);
	if (ret < 0)
		return ret;
	ret = region_split_off(b->r, REGION_IIF, ivs, n, &in);
	free(ivs);
	if (ret < 0)
		return ret;
	/* b->r is now the part without: drop it, keep the rest */
	off = b;
	b = branch_fork(w, off, in);
	if (!b)
		return -ENOMEM;
	if (!region_is_empty(off->r))
		ret = routing_drop(w, off, reason);
	branch_free(off);
	*bp = b;
	if (ret < 0) {
		branch_free(b);
		*bp = NULL;
	}
	return ret;
}

static int v4_forwarding(const struct host *h, int ifindex)
{
	return host_ipv4_forwarding(h, ifindex);
}

static int v6_forwarding(const struct host *h, int ifindex)
{
	return host_ipv6_forwarding(h, ifindex);
}

static bool rp_filter_keep(const void *ctx, const struct rpath_range *r,
			   const struct host_link *l)
{
	const struct walk *w = ctx;
	int rpf = host_rp_filter(w->host, l->ifindex);

	if ((rpf != 1 && rpf != 2) || r->uncertain)
		return true;
	/* the full check wants a unicast route back: a local (without
	 * accept_local), broadcast or multicast source fails it; being
	 * martian, the report drops it anyway (see route()) */
	if (r->martian && !l->loopback)
		return !w->in->only_saddr;
	return rpath_oif(r, l, rpf == 1) != 0;
}

/*
 * The kernel's reverse path filter (IPv4 rp_filter, fib_validate_source()
 * in the routing decision, for local delivery and forwarding alike):
 * strict (1) drops a source whose route back does not use the ingress
 * interface, loose (2) a source with no unicast route back.  The part of
 * *bp that fails becomes a dropped piece; *bp keeps the rest.
 */
static int rp_filter(struct walk *w, struct branch *b)
{
	const struct rpath *rp;
	struct region *keep, *fail;
	struct branch *off;
	const char *why = "routing: the reverse path filter (rp_filter) "
			  "drops this source on this interface";
	size_t i;
	int ret;

	for (i = 0; i < w->host->nlinks; i++) {
		int rpf = host_rp_filter(w->host, w->host->links[i].ifindex);

		if (rpf == 1 || rpf == 2)
			break;
	}
	if (i == w->host->nlinks)
		return 0;
	rp = walk_rpath(w, &ret);
	if (!rp)
		return ret == -ENOMEM ? ret : 0;
	ret = rpath_split(w, rp, b->r, rp_filter_keep, w, true, &keep,
			  &fail);
	if (ret < 0)
		return ret;
	region_free(b->r);
	b->r = keep;
	if (region_is_empty(fail)) {
		region_free(fail);
		return 0;
	}
	off = branch_fork(w, b, fail);
	if (!off)
		return -ENOMEM;
	ret = routing_drop(w, off, why);
	branch_free(off);
	return ret;
}

/* ---------------------------------------------------------------------
 * Martian sources: what the kernel never takes from outside.
 */
static int iv_lo_cmp(const void *a, const void *b);

/*
 * The source addresses of family a packet from outside never arrives with,
 * sorted and merged into *out (*n intervals, free() it).  IPv4: 0/8,
 * 127/8, multicast, the limited broadcast and the host's own addresses
 * (ip_route_input_slow() and fib_validate_source(), accept_local off);
 * with localnet false 127/8 is left out (the caller decides it per
 * interface).  IPv6: ::1, IPv4-mapped and multicast sources
 * (ip6_rcv_core()), the unspecified address (no answer can go to it),
 * and the host's own addresses, whose answers never leave the host.
 */
static int martian_list(const struct host *h, uint8_t family, bool localnet,
			struct rs_interval **out, size_t *n)
{
	static const struct rs_interval v4[] = {
		{ 0x00000000, 0x00ffffff }, { 0xe0000000, 0xefffffff },
		{ 0xffffffff, 0xffffffff }, { 0x7f000000, 0x7fffffff },
	};
	static const struct rs_interval v6[] = {
		{ 0, 1 },
		{ (rs_u128)0xffff << 32, ((rs_u128)0xffff << 32) | 0xffffffff },
		{ (rs_u128)0xff << 120, ~(rs_u128)0 },
	};
	const struct rs_interval *fixed = family == NFPROTO_IPV4 ? v4 : v6;
	size_t nfixed = family == NFPROTO_IPV4 ? 3 + localnet : 3;
	struct rs_interval *l;
	size_t i, k = 0;

	l = calloc(nfixed + (h ? h->naddrs + h->nroutes : 0) + 1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	for (i = 0; i < nfixed; i++)
		l[k++] = fixed[i];
	for (i = 0; h && i < h->naddrs; i++)
		if (h->addrs[i].family == family)
			l[k].lo = l[k].hi = h->addrs[i].addr, k++;
	/* the local table's broadcast and anycast addresses: no answer to
	 * them leaves the host (the reverse path filter drops them
	 * before) */
	for (i = 0; h && i < h->nroutes; i++) {
		const struct host_route *r = &h->routes[i];

		if (r->family != family || r->table != RT_TABLE_LOCAL ||
		    (r->type != RTN_BROADCAST && r->type != RTN_ANYCAST) ||
		    r->dst_len != (family == NFPROTO_IPV4 ? 32 : 128))
			continue;
		l[k].lo = l[k].hi = r->dst;
		k++;
	}
	qsort(l, k, sizeof(*l), iv_lo_cmp);
	for (i = 1, *n = k ? 1 : 0; i < k; i++) {
		struct rs_interval *t = &l[*n - 1];

		if (l[i].lo <= t->hi || l[i].lo == t->hi + 1) {
			if (l[i].hi > t->hi)
				t->hi = l[i].hi;
		} else {
			l[(*n)++] = l[i];
		}
	}
	*out = l;
	return 0;
}

/* IPv4 martian sources end in the routing decision: *bp keeps the rest
 * (NULL when nothing is left); 127/8 from an interface with route_localnet
 * goes on as *lnp. */
static int martian_drop(struct walk *w, struct branch **bp,
			struct branch **lnp)
{
	static const struct rs_interval lo8 = { 0x7f000000, 0x7fffffff };
	struct branch *b = *bp, *off, *ln = NULL;
	struct rs_interval *ivs;
	struct region *in = NULL;
	bool localnet = false;
	size_t n, i;
	int ret;

	for (i = 0; w->host && i < w->host->nlinks; i++)
		if (host_route_localnet(w->host, w->host->links[i].ifindex) == 1)
			localnet = true;
	ret = martian_list(w->host, NFPROTO_IPV4, !localnet, &ivs, &n);
	if (ret < 0)
		return ret;
	ret = region_split_off(b->r, REGION_SADDR, ivs, n, &in);
	free(ivs);
	if (ret == 0 && localnet) {
		struct region *l8 = NULL;

		ret = region_split_off(b->r, REGION_SADDR, &lo8, 1, &l8);
		if (ret == 0 && !region_is_empty(l8)) {
			ln = branch_fork(w, b, l8);
			l8 = NULL;
			if (!ln)
				ret = -ENOMEM;
			if (!ret)
				ret = split_iif_by(w, &ln, host_route_localnet,
						   "routing: a source in "
						   "127.0.0.0/8 is a martian "
						   "without route_localnet");
		}
		region_free(l8);
		if (ln && region_is_empty(ln->r)) {
			branch_free(ln);
			ln = NULL;
		}
	}
	if (ret == 0 && !region_is_empty(in)) {
		off = branch_fork(w, b, in);
		in = NULL;
		if (!off)
			ret = -ENOMEM;
		else
			ret = routing_drop(w, off, "routing: a martian source "
					   "(0.0.0.0/8, 127.0.0.0/8, multicast, "
					   "broadcast or the host's own "
					   "address): the kernel drops it");
		branch_free(off);
	}
	region_free(in);
	if (ret < 0) {
		branch_free(ln);
		return ret;
	}
	if (region_is_empty(b->r)) {
		branch_free(b);
		b = NULL;
	}
	*bp = b;
	*lnp = ln;
	return 0;
}

static int route_on(struct walk *w, struct branch *b, struct blist *local,
		    struct blist *fwd);

/* A forwarded packet needs a TTL (hop limit) above 1 (ip_forward(),
 * ip6_forward()): where the sender has committed to TTLs already, it keeps
 * those above 1 (the forwarded domain has only those); IPv6 forwards no
 * link-local source.  Returns 1 when b goes on, 0 when nothing of it does
 * (dropped pieces), or -ENOMEM (b freed either way but the first). */
static int forward_ttl(struct walk *w, struct branch *b)
{
	static const struct rs_interval ll[] = {
		{ 0, 0 },
		{ (rs_u128)0xfe80 << 112,
		  ((rs_u128)0xfebf << 112) | (((rs_u128)1 << 112) - 1) },
	};
	struct choice_dom dom = walk_dom(w);
	const struct choice *c;
	struct region *in = NULL;
	struct branch *off;
	int ret;

	if (!is_v4(w) && w->in->only_saddr) {
		/* ip6_forward(): an unspecified or link-local source is
		 * never forwarded (beyond the scope of the source); a whole
		 * audit leaves them to the report, as martians (route()) */
		ret = region_split_off(b->r, REGION_SADDR, ll, 2, &in);
		if (ret == 0 && !region_is_empty(in)) {
			off = branch_fork(w, b, in);
			in = NULL;
			ret = off ? routing_drop(w, off, "routing: IPv6 does "
						 "not forward a link-local "
						 "source") : -ENOMEM;
			branch_free(off);
		}
		region_free(in);
		if (ret < 0 || region_is_empty(b->r)) {
			branch_free(b);
			return ret;
		}
	}
	if (!b->choice)
		return 1;
	dom.forwarded = true;
	ret = choice_restrict(&dom, b->choice, RS_F_IP_TTL, 2, 255,
			      walk_alloc, w, &c);
	if (ret < 0) {
		branch_free(b);
		return ret;
	}
	if (c) {
		b->choice = c;
		return 1;
	}
	ret = routing_drop(w, b, "routing: the TTL it chose runs out here");
	branch_free(b);
	return ret < 0 ? ret : 0;
}

/* The routing decision after prerouting: local delivery, forwarding, or a
 * drop.  b goes to *local or *fwd, or ends as a dropped piece. */
static int route(struct walk *w, struct branch *b, struct blist *local,
		 struct blist *fwd)
{
	struct branch *ln = NULL;
	int ret;

	/* Martian sources end here in the kernel.  A whole audit leaves
	 * them in (cutting them out of every region would multiply its
	 * boxes through every rule after this point) and the report drops
	 * them from its rows (engine_result.martians); one source asked for
	 * (explain --from) is cut out here, exactly. */
	if (!is_v4(w) || !w->in->only_saddr)
		return route_on(w, b, local, fwd);
	ret = martian_drop(w, &b, &ln);
	if (ret < 0) {
		branch_free(b);
		return ret;
	}
	if (ln) {
		ret = route_on(w, ln, local, fwd);
		if (ret < 0) {
			branch_free(b);
			return ret;
		}
	}
	return b ? route_on(w, b, local, fwd) : 0;
}

/* route() once the source is not a martian. */
static int route_on(struct walk *w, struct branch *b, struct blist *local,
		    struct blist *fwd)
{
	struct host_route_query q = { .family = w->family };
	struct host_route_result res;
	const struct host_link *link;
	const char *why;
	int ret;

	if (w->host && is_v4(w)) {
		ret = rp_filter(w, b);
		if (ret < 0) {
			branch_free(b);
			return ret;
		}
		if (region_is_empty(b->r)) {
			branch_free(b);
			return 0;
		}
	}

	if (!b->nat) {
		ret = trace_add(w, b, ENGINE_HOOK_ROUTING, NULL, NULL,
				RS_V_ACCEPT, "routing: a local address");
		return ret < 0 ? ret : blist_push(local, b);
	}
	if (!w->host) {
		if (is_loopback(w, b->nat_addr)) {
			why = "routing: DNAT to a loopback address is a martian "
			      "unless route_localnet is set";
			goto drop;
		}
		ret = forward_ttl(w, b);
		if (ret <= 0)
			return ret;
		ret = trace_add(w, b, ENGINE_HOOK_ROUTING, NULL, NULL,
				RS_V_ACCEPT, "routing: forwarded to the DNAT "
				"backend (forwarding assumed on)");
		return ret < 0 ? ret : blist_push(fwd, b);
	}
	q.daddr = b->nat_addr;
	ret = host_route_lookup(w->host, &q, &res);
	if (ret < 0)
		res.type = RTN_UNREACHABLE;
	if (res.type == RTN_LOCAL) {
		if (is_loopback(w, b->nat_addr)) {
			if (!is_v4(w)) {
				why = "routing: ::1 is never reachable from outside";
				goto drop;
			}
			ret = split_iif_by(w, &b, host_route_localnet,
					   "routing: DNAT to 127.0.0.0/8 is a "
					   "martian without route_localnet");
			if (ret < 0)
				return ret;
			if (region_is_empty(b->r)) {
				branch_free(b);
				return 0;
			}
		}
		ret = trace_add(w, b, ENGINE_HOOK_ROUTING, NULL, NULL,
				RS_V_ACCEPT, "routing: DNAT to a local address");
		return ret < 0 ? ret : blist_push(local, b);
	}
	if (res.type != RTN_UNICAST) {
		why = "routing: no route to the DNAT target";
		goto drop;
	}
	ret = split_iif_by(w, &b, is_v4(w) ? v4_forwarding : v6_forwarding,
			   "routing: forwarding is off on the ingress interface");
	if (ret < 0)
		return ret;
	if (region_is_empty(b->r)) {
		branch_free(b);
		return 0;
	}
	b->oif = res.oif;
	link = host_link_by_index(w->host, res.oif);
	if (link) {
		b->oif_known = true;
		b->oif_key = rs_ifname_key(link->name);
	}
	ret = forward_ttl(w, b);
	if (ret <= 0)
		return ret;
	ret = trace_add(w, b, ENGINE_HOOK_ROUTING, NULL, NULL, RS_V_ACCEPT,
			"routing: forwarded to the DNAT backend");
	return ret < 0 ? ret : blist_push(fwd, b);
drop:
	ret = routing_drop(w, b, why);
	branch_free(b);
	return ret;
}

/* ---------------------------------------------------------------------
 * The probes of one family and protocol.
 */
static int box_add(struct region *r, rs_u128 iif_lo, rs_u128 iif_hi,
		   rs_u128 d_lo, rs_u128 d_hi)
{
	struct region_box box;
	int i;

	for (i = 0; i < REGION_NDIMS; i++) {
		box.iv[i].lo = 0;
		box.iv[i].hi = ~(rs_u128)0;
	}
	box.iv[REGION_IIF].lo = iif_lo;
	box.iv[REGION_IIF].hi = iif_hi;
	box.iv[REGION_DADDR].lo = d_lo;
	box.iv[REGION_DADDR].hi = d_hi;
	return region_add_box(r, &box);
}

/* The ingress interfaces as name intervals: --interface, the host's, or
 * every name. */
static int ingress_keys(const struct walk *w, struct rs_interval **out,
			size_t *n)
{
	const struct engine_input *in = w->in;
	struct rs_interval iv;
	size_t i, cap = 0;
	int *idx = NULL;
	size_t nidx = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (in->nifaces) {
		for (i = 0; i < in->nifaces && !ret; i++) {
			size_t len = strlen(in->ifaces[i]);
			bool wild = len && (in->ifaces[i][len - 1] == '+' ||
					    in->ifaces[i][len - 1] == '*');
			char name[RS_IFNAMSIZ + 1];

			snprintf(name, sizeof(name), "%.*s",
				 (int)(wild ? len - 1 : len), in->ifaces[i]);
			iv = rs_ifname_interval(name, wild);
			ret = iv_push(out, n, &cap, &iv);
		}
		return ret;
	}
	if (!w->host) {
		struct rs_interval lo = rs_ifname_interval("lo", false);

		/* every name but loopback: no stranger's packet arrives
		 * there, and the kernel drops a martian one that claims to */
		iv.lo = 0;
		iv.hi = lo.lo - 1;
		ret = iv_push(out, n, &cap, &iv);
		iv.lo = lo.hi + 1;
		iv.hi = ~(rs_u128)0;
		return ret ? ret : iv_push(out, n, &cap, &iv);
	}
	ret = host_ingress_interfaces(w->host, &idx, &nidx);
	for (i = 0; i < nidx && !ret; i++) {
		const struct host_link *l = host_link_by_index(w->host, idx[i]);

		if (!l)
			continue;
		iv = rs_ifname_interval(l->name, false);
		ret = iv_push(out, n, &cap, &iv);
	}
	free(idx);
	return ret;
}

static int initial_region(struct walk *w, struct region **out)
{
	const struct engine_input *in = w->in;
	struct region *r, *dom = NULL;
	struct rs_interval *ifs = NULL;
	struct region_box box;
	size_t nifs, i, k;
	rs_u128 top = is_v4(w) ? 0xffffffffu : ~(rs_u128)0;
	int ret;

	r = region_new_full(w->family);
	if (!r)
		return -ENOMEM;
	ret = ingress_keys(w, &ifs, &nifs);
	if (ret < 0)
		goto out;
	dom = region_new_empty();
	if (!dom) {
		ret = -ENOMEM;
		goto out;
	}
	if (!w->host) {
		/* any local address: everything but what cannot be a
		 * host's unicast address from outside */
		for (k = 0; k < nifs && !ret; k++) {
			if (is_v4(w)) {
				ret = box_add(dom, ifs[k].lo, ifs[k].hi,
					      0x01000000, 0x7effffff);
				if (!ret)
					ret = box_add(dom, ifs[k].lo, ifs[k].hi,
						      0x80000000, 0xdfffffff);
			} else {
				ret = box_add(dom, ifs[k].lo, ifs[k].hi, 2,
					      ((rs_u128)0xff << 120) - 1);
			}
		}
	} else {
		for (i = 0; i < w->host->naddrs && !ret; i++) {
			const struct host_addr *a = &w->host->addrs[i];
			const struct host_link *l;

			if (a->family != w->family || is_loopback(w, a->addr))
				continue;
			l = host_link_by_index(w->host, a->ifindex);
			for (k = 0; k < nifs && !ret; k++) {
				rs_u128 lo = ifs[k].lo, hi = ifs[k].hi;

				/* a link-local address is reachable only
				 * on its own link */
				if (a->scope == RT_SCOPE_LINK) {
					if (!l)
						continue;
					lo = hi = rs_ifname_key(l->name);
					if (lo < ifs[k].lo || lo > ifs[k].hi)
						continue;
				}
				ret = box_add(dom, lo, hi, a->addr, a->addr);
			}
		}
		/* route_localnet makes 127.0.0.0/8 reachable from that
		 * interface (kube-proxy's CVE-2020-8558) */
		for (k = 0; k < nifs && !ret && is_v4(w); k++) {
			for (i = 0; i < w->host->nlinks; i++) {
				const struct host_link *l = &w->host->links[i];
				rs_u128 key = rs_ifname_key(l->name);

				if (key < ifs[k].lo || key > ifs[k].hi ||
				    host_route_localnet(w->host, l->ifindex) != 1)
					continue;
				ret = box_add(dom, key, key, 0x7f000000,
					      0x7fffffff);
				if (ret < 0)
					break;
			}
		}
	}
	if (ret < 0)
		goto out;
	ret = region_intersect(r, dom);
	if (ret < 0)
		goto out;
	for (i = 0; i < REGION_NDIMS; i++) {
		box.iv[i].lo = 0;
		box.iv[i].hi = ~(rs_u128)0;
	}
	if (in->only_dport)
		box.iv[REGION_DPORT].lo = box.iv[REGION_DPORT].hi = in->dport;
	if (in->only_saddr)
		box.iv[REGION_SADDR].lo = box.iv[REGION_SADDR].hi = in->saddr;
	box.iv[REGION_SADDR].hi = box.iv[REGION_SADDR].hi > top ?
				  top : box.iv[REGION_SADDR].hi;
	ret = region_intersect_box(r, &box);
	if (!ret && !is_v4(w) && in->only_saddr) {
		/* ip6_rcv_core() drops loopback, IPv4-mapped and multicast
		 * sources before any hook sees them (a whole audit leaves
		 * them to the report: see route()) */
		static const struct rs_interval never[] = {
			{ 1, 1 },
			{ (rs_u128)0xffff << 32,
			  ((rs_u128)0xffff << 32) | 0xffffffff },
			{ (rs_u128)0xff << 120, ~(rs_u128)0 },
		};

		for (i = 0; i < 3 && !ret; i++) {
			for (k = 0; k < REGION_NDIMS; k++) {
				box.iv[k].lo = 0;
				box.iv[k].hi = ~(rs_u128)0;
			}
			box.iv[REGION_SADDR] = never[i];
			ret = region_subtract_box(r, &box);
		}
	}
out:
	free(ifs);
	region_free(dom);
	if (ret < 0) {
		region_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

/* ---------------------------------------------------------------------
 * IPv6 neighbour discovery.  Before a stranger's first IPv6 packet can
 * reach the host, the router beside it must learn the host's link-layer
 * address: a neighbour solicitation (ICMPv6 135, to a solicited-node
 * multicast address, untracked by conntrack) must come in.  A ruleset that
 * drops it on an interface cuts IPv6 there, whatever it says about the
 * ports.  (Advertisements coming in matter less: the solicitation's source
 * link-layer option already tells the host where to answer.)  Only a
 * definite drop counts: a solicitation that some branch lets in (an
 * undecided hop limit match, say) keeps the interface.
 */

/* The part of r (taken over) that an ND packet of type gets through to
 * local delivery: *ok, a new region. */
static int nd_walk(struct walk *w, uint8_t type, struct region *r,
		   struct region **ok)
{
	struct blist l = { 0 }, dropped = { 0 };
	struct branch *b;
	size_t i;
	int ret;

	*ok = region_new_empty();
	b = calloc(1, sizeof(*b));
	if (!*ok || !b) {
		free(b);
		region_free(r);
		region_free(*ok);
		return -ENOMEM;
	}
	b->r = r;
	b->untracked = true;
	w->nd_type = type;
	ret = blist_push(&l, b);
	if (!ret)
		ret = ingress_run(w, &l, &dropped);
	if (!ret)
		ret = hook_run(w, NF_INET_PRE_ROUTING, &l, &dropped);
	if (!ret)
		ret = hook_run(w, NF_INET_LOCAL_IN, &l, &dropped);
	for (i = 0; !ret && i < l.n; i++)
		ret = region_union(*ok, l.b[i]->r);
	blist_release(&l);
	blist_release(&dropped);
	if (ret) {
		region_free(*ok);
		*ok = NULL;
	}
	return ret;
}

static bool iif_empty(const struct region *r, const struct rs_interval *key)
{
	struct region *in = NULL;
	bool empty;

	if (region_split(r, REGION_IIF, key, 1, &in, NULL) < 0)
		return false;	/* no memory: do not claim a drop */
	empty = region_is_empty(in);
	region_free(in);
	return empty;
}

/* Fill w->nd_dead: the host's ingress links where solicitations are
 * always dropped. */
static int nd_check(struct walk *w)
{
	struct region *ns = NULL, *ok_ns = NULL;
	struct rs_interval *ifs = NULL, key;
	size_t nifs, i, k, cap = 0;
	uint8_t proto = w->proto;
	int ret;

	w->nd_done = true;
	if (!w->host)
		return 0;
	ret = ingress_keys(w, &ifs, &nifs);
	ns = region_new_empty();
	if (!ret && !ns)
		ret = -ENOMEM;
	for (k = 0; !ret && k < nifs; k++)
		ret = box_add(ns, ifs[k].lo, ifs[k].hi,
			      ND_SNMC_PREFIX, ND_SNMC_PREFIX | 0xffffff);
	w->nd = true;
	w->proto = IPPROTO_ICMPV6;
	if (!ret) {
		ret = nd_walk(w, ND_SOLICIT, ns, &ok_ns);
		ns = NULL;
	}
	w->nd = false;
	w->proto = proto;
	for (i = 0; !ret && i < w->host->nlinks; i++) {
		const struct host_link *l = &w->host->links[i];

		key.lo = key.hi = rs_ifname_key(l->name);
		for (k = 0; k < nifs; k++)
			if (in_iv(key.lo, &ifs[k]))
				break;
		if (l->loopback || k == nifs)
			continue;
		if (iif_empty(ok_ns, &key))
			ret = iv_push(&w->nd_dead, &w->nnd_dead, &cap, &key);
	}
	free(ifs);
	region_free(ns);
	region_free(ok_ns);
	return ret;
}

static int walk_one(struct walk *w)
{
	struct blist l = { 0 }, local = { 0 }, fwd = { 0 }, dropped = { 0 };
	struct branch *b;
	struct region *r, *cut = NULL;
	size_t i;
	int ret;

	if (!is_v4(w) && !w->nd_done) {
		ret = nd_check(w);
		if (ret < 0)
			return ret;
	}
	ret = initial_region(w, &r);
	if (ret < 0)
		return ret;
	if (!is_v4(w) && w->nnd_dead)
		ret = region_split_off(r, REGION_IIF, w->nd_dead, w->nnd_dead,
				       &cut);
	if (ret < 0) {
		region_free(r);
		return ret;
	}
	if (cut && !region_is_empty(cut)) {
		static const char why[] = "neighbour discovery: the ruleset "
			"drops ICMPv6 neighbour solicitations or advertisements "
			"on this interface, so no IPv6 packet gets here";

		b = calloc(1, sizeof(*b));
		if (!b) {
			region_free(cut);
			region_free(r);
			return -ENOMEM;
		}
		b->r = cut;
		ret = routing_drop(w, b, why);
		branch_free(b);
		if (ret < 0) {
			region_free(r);
			return ret;
		}
	} else {
		region_free(cut);
	}
	if (region_is_empty(r)) {
		region_free(r);
		return 0;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		region_free(r);
		return -ENOMEM;
	}
	b->r = r;
	ret = blist_push(&l, b);
	if (!ret)
		ret = ingress_run(w, &l, &dropped);
	if (!ret)
		ret = hook_run(w, NF_INET_PRE_ROUTING, &l, &dropped);
	for (i = 0; !ret && i < l.n; i++) {
		b = l.b[i];
		l.b[i] = NULL;
		ret = route(w, b, &local, &fwd);
	}
	blist_release(&l);
	if (!ret)
		ret = hook_run(w, NF_INET_LOCAL_IN, &local, &dropped);
	for (i = 0; !ret && i < local.n; i++) {
		b = local.b[i];
		local.b[i] = NULL;
		ret = deliver_local(w, b);
	}
	if (!ret)
		ret = hook_run(w, NF_INET_FORWARD, &fwd, &dropped);
	if (!ret)
		ret = hook_run(w, NF_INET_POST_ROUTING, &fwd, &dropped);
	for (i = 0; !ret && i < fwd.n; i++) {
		ret = trace_add(w, fwd.b[i], ENGINE_HOOK_DELIVERY, NULL, NULL,
				RS_V_ACCEPT, "forwarded to the backend");
		if (!ret)
			ret = piece_add(w, fwd.b[i], ENGINE_FORWARDED, NULL,
					NULL);
	}
	if (!ret)
		ret = drop_all(w, &dropped, NULL);
	blist_release(&local);
	blist_release(&fwd);
	blist_release(&dropped);
	return ret;
}

/* ---------------------------------------------------------------------
 * The handshake.  A TCP or SCTP probe that is let in is not a connection
 * yet: the client's next packet (the ACK of the handshake, SCTP's COOKIE
 * ECHO) arrives with ct state established and must pass the same hooks
 * (without the nat chains: conntrack applies the binding).  A ruleset that
 * drops established packets closes the port although every SYN passes.
 */
static void piece_release(struct engine_piece *p)
{
	region_free(p->region);
	free(p->steps);
	free(p->assumptions);
	free(p->chosen);
}

/* Two pieces that were let in the same way: one walk of the handshake
 * serves both. */
static bool same_path(const struct engine_piece *a,
		      const struct engine_piece *b)
{
	return a->fate == b->fate && a->nat == b->nat &&
	       a->nat_addr == b->nat_addr && a->nat_port == b->nat_port &&
	       a->nat_port_lo == b->nat_port_lo &&
	       a->nat_port_hi == b->nat_port_hi && a->oif == b->oif &&
	       a->ct_dnat == b->ct_dnat;
}

static bool route_back_keep(const void *ctx, const struct rpath_range *r,
			    const struct host_link *l)
{
	const struct walk *w = ctx;

	/* an answer to one of the host's own (or a broadcast, multicast)
	 * addresses stays in the host; being martian, the report drops
	 * those sources anyway (see route()) */
	if (r->martian && !l->loopback && !r->uncertain)
		return !w->in->only_saddr;
	return r->uncertain || rpath_oif(r, l, false) != 0;
}

/* b's NAT binding and outgoing interface as piece p was let in with. */
static void branch_as_piece(const struct walk *w, struct branch *b,
			    const struct engine_piece *p)
{
	const struct host_link *link;

	b->nat = p->nat;
	b->nat_addr = p->nat_addr;
	b->nat_port = p->nat_port;
	b->nat_port_lo = p->nat_port_lo;
	b->nat_port_hi = p->nat_port_hi;
	b->ct_dnat = p->ct_dnat;
	b->oif = p->oif;
	link = w->host && p->oif ? host_link_by_index(w->host, p->oif) : NULL;
	if (link) {
		b->oif_known = true;
		b->oif_key = rs_ifname_key(link->name);
	}
}

/* Walk the handshake's other packets for the probes of region r (taken
 * over), let in like piece lead: the client's next packet in, the server's
 * answer out.  *ok becomes the branches whose connection completes (with
 * the assumptions the walk made on the way), *drops those whose connection
 * does not. */
static int handshake_walk(struct walk *w, size_t lead, struct region *r,
			  struct blist *ok, struct blist *drops)
{
	const struct engine_piece *p = &w->res->pieces[lead];
	enum engine_fate fate = p->fate;
	struct blist l = { 0 };
	struct branch *b;
	size_t k;
	int ret = 0;

	b = calloc(1, sizeof(*b));
	if (!b) {
		region_free(r);
		return -ENOMEM;
	}
	b->r = r;
	branch_as_piece(w, b, p);
	ret = trace_add(w, b, ENGINE_HOOK_DELIVERY, NULL, NULL, RS_V_ACCEPT,
			"the client's next packet (ct state established):");
	if (!ret)
		ret = blist_push(&l, b);
	else
		branch_free(b);
	w->established = true;
	if (!ret)
		ret = ingress_run(w, &l, drops);
	if (!ret)
		ret = hook_run(w, NF_INET_PRE_ROUTING, &l, drops);
	if (!ret && fate == ENGINE_LOCAL)
		ret = hook_run(w, NF_INET_LOCAL_IN, &l, drops);
	if (!ret && fate == ENGINE_FORWARDED)
		ret = hook_run(w, NF_INET_FORWARD, &l, drops);
	if (!ret && fate == ENGINE_FORWARDED)
		ret = hook_run(w, NF_INET_POST_ROUTING, &l, drops);
	for (k = 0; !ret && k < l.n; k++)
		ret = trace_add(w, l.b[k], ENGINE_HOOK_DELIVERY, NULL, NULL,
				RS_V_ACCEPT, "the server's answer (ct state "
				"established, reply direction):");
	w->reply = true;
	w->reply_local = fate == ENGINE_LOCAL;
	if (!ret && fate == ENGINE_LOCAL)
		ret = hook_run(w, NF_INET_LOCAL_OUT, &l, drops);
	if (!ret && fate == ENGINE_FORWARDED)
		ret = hook_run(w, NF_INET_FORWARD, &l, drops);
	if (!ret)
		ret = hook_run(w, NF_INET_POST_ROUTING, &l, drops);
	w->reply = false;
	w->established = false;
	if (ret)
		blist_release(&l);
	*ok = l;
	return ret;
}

/* A piece for the probes part (taken over) of piece i whose handshake took
 * branch d, with the assumptions of both.  Dropped by d: a closed piece
 * whose path is i's, then d's, and why it is closed (NULL: the next packet
 * is dropped).  Let through by d (keep): i's fate and path; the
 * assumptions are what classify() weighs against the drops. */
static int handshake_piece(struct walk *w, size_t i, const struct branch *d,
			   struct region *part, bool keep, const char *why)
{
	const struct snode *sn;
	const struct anode *an;
	const struct engine_step **steps;
	struct branch *b;
	size_t n, k;
	int ret = 0;

	b = calloc(1, sizeof(*b));
	n = d->trace ? d->trace->depth : 0;
	steps = calloc(n + 1, sizeof(*steps));
	if (!b || !steps) {
		free(b);
		free(steps);
		region_free(part);
		return -ENOMEM;
	}
	b->r = part;
	/* the first packet's choice: the next packet's own choices are
	 * made afresh and already taken as they best serve */
	b->choice = w->res->pieces[i].choice;
	if (keep) {
		branch_as_piece(w, b, &w->res->pieces[i]);
		n = 0;
	}
	for (sn = d->trace, k = n; sn && k; sn = sn->up)
		steps[--k] = &sn->s;
	for (k = 0; !ret && k < w->res->pieces[i].nsteps; k++) {
		const struct engine_step *s = &w->res->pieces[i].steps[k];

		ret = trace_add(w, b, s->hook, s->chain, s->rule, s->verdict,
				s->what);
	}
	for (k = 0; !ret && k < n; k++)
		ret = trace_add(w, b, steps[k]->hook, steps[k]->chain,
				steps[k]->rule, steps[k]->verdict,
				steps[k]->what);
	for (k = 0; !ret && k < w->res->pieces[i].nassumptions; k++) {
		const struct engine_assumption *a =
			&w->res->pieces[i].assumptions[k];

		ret = assume_copy(w, b, a);
	}
	for (an = d->assume; !ret && an; an = an->up)
		ret = assume_copy(w, b, &an->a);
	if (!ret && keep)
		ret = piece_add(w, b, w->res->pieces[i].fate,
				w->res->pieces[i].listener, NULL);
	else if (!ret)
		ret = piece_add(w, b, ENGINE_DROPPED, NULL, why ? why :
				"the connection's next packet is dropped");
	free(steps);
	branch_free(b);
	return ret;
}

/* Cut each TCP/SCTP piece from index from on that is let in down to the
 * probes whose whole handshake passes; the rest become closed pieces.
 * One walk per way of being let in (NAT binding, outgoing interface). */
static const struct engine_piece *path_base;

static int path_cmp(const void *a, const void *b)
{
	const struct engine_piece *x = &path_base[*(const size_t *)a];
	const struct engine_piece *y = &path_base[*(const size_t *)b];

#define PATH_CMP(f) if (x->f != y->f) return x->f < y->f ? -1 : 1
	PATH_CMP(fate);
	PATH_CMP(nat);
	PATH_CMP(nat_addr);
	PATH_CMP(nat_port);
	PATH_CMP(nat_port_lo);
	PATH_CMP(nat_port_hi);
	PATH_CMP(oif);
	PATH_CMP(ct_dnat);
#undef PATH_CMP
	return *(const size_t *)a < *(const size_t *)b ? -1 :
	       *(const size_t *)a > *(const size_t *)b;
}

/* The probes of piece i that some branch of l (of the handshake) holds, as
 * pieces of their own: closed ones for the branches of drops, and for
 * the branches of ok (keep) that assumed something, i's fate with those
 * assumptions. */
static int handshake_split(struct walk *w, size_t i, const struct blist *l,
			   bool keep)
{
	struct region *part;
	size_t k;
	int ret = 0;

	for (k = 0; !ret && k < l->n; k++) {
		if (keep && !l->b[k]->assume)
			continue;
		part = region_copy(w->res->pieces[i].region);
		if (!part)
			return -ENOMEM;
		ret = region_intersect(part, l->b[k]->r);
		if (ret < 0 || region_is_empty(part)) {
			region_free(part);
			continue;
		}
		ret = handshake_piece(w, i, l->b[k], part, keep, NULL);
	}
	return ret;
}

/* The server's answer must be routed back to the client: the probes of
 * the pieces from..n-1 that are let in but whose source the host has no
 * route to become closed pieces.  Done piece by piece (|piece| * links),
 * before the walks: as a drop of the handshake walk it would cost an
 * intersection of every piece with what the walk let through. */
static int route_back(struct walk *w, size_t from, size_t n)
{
	static const char why[] = "the server's answer has no route back to "
				  "this source";
	struct region *keep, *fail;
	const struct rpath *rp;
	struct branch *d;
	size_t i;
	int ret;

	rp = walk_rpath(w, &ret);
	if (!rp)
		return ret == -ENOMEM ? ret : 0;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	ret = trace_add(w, d, ENGINE_HOOK_ROUTING, NULL, NULL, RS_V_DROP, why);
	for (i = from; !ret && i < n; i++) {
		if (w->res->pieces[i].fate == ENGINE_DROPPED)
			continue;
		ret = rpath_split(w, rp, w->res->pieces[i].region,
				  route_back_keep, w, true, &keep, &fail);
		if (ret < 0)
			break;
		region_free(w->res->pieces[i].region);
		w->res->pieces[i].region = keep;
		if (region_is_empty(fail))
			region_free(fail);
		else
			ret = handshake_piece(w, i, d, fail, false, why);
	}
	branch_free(d);
	return ret;
}

static int handshake(struct walk *w, size_t from)
{
	struct engine_result *res = w->res;
	size_t i, j, g, k, m = 0, n = res->npieces;
	struct blist drops = { 0 }, ok = { 0 };
	struct region *u, *acc;
	bool assumed_any, chose;
	size_t *ord;
	int ret = 0;

	if (w->proto != IPPROTO_TCP && w->proto != IPPROTO_SCTP)
		return 0;
	if (w->host) {
		ret = route_back(w, from, n);
		if (ret < 0)
			return ret;
	}
	ord = calloc(n - from + 1, sizeof(*ord));
	if (!ord)
		return -ENOMEM;
	for (i = from; i < n; i++)
		if (res->pieces[i].fate != ENGINE_DROPPED)
			ord[m++] = i;
	/* groups of pieces let in the same way are runs of this order */
	path_base = res->pieces;
	qsort(ord, m, sizeof(*ord), path_cmp);
	for (g = 0; g < m && !ret; g = j) {
		for (j = g + 1; j < m && same_path(&res->pieces[ord[g]],
						   &res->pieces[ord[j]]); j++)
			;
		u = region_new_empty();
		if (!u) {
			ret = -ENOMEM;
			break;
		}
		for (i = g; i < j && !ret; i++)
			ret = region_union(u, res->pieces[ord[i]].region);
		if (ret < 0) {
			region_free(u);
			break;
		}
		ret = handshake_walk(w, ord[g], u, &ok, &drops);
		/* what completes without assuming anything stays as it is */
		acc = ret ? NULL : region_new_empty();
		if (!ret && !acc)
			ret = -ENOMEM;
		assumed_any = false;
		chose = false;
		for (k = 0; !ret && k < ok.n; k++) {
			chose |= ok.b[k]->choice != NULL;
			if (!ok.b[k]->assume)
				ret = region_union(acc, ok.b[k]->r);
			else
				assumed_any = true;
		}
		for (k = 0; !ret && k < drops.n; k++)
			chose |= drops.b[k]->choice != NULL;
		/* where the sender can choose a next packet that passes
		 * whatever the undecidable matches do, the next packets it
		 * would not choose change nothing */
		for (k = 0; !ret && chose && k < drops.n + ok.n; k++) {
			struct branch *x = k < drops.n ? drops.b[k] :
					   ok.b[k - drops.n];

			if (k < drops.n || x->assume)
				ret = region_subtract(x->r, acc);
		}
		for (i = g; !ret && i < j; i++) {
			ret = handshake_split(w, ord[i], &drops, false);
			if (!ret)
				ret = handshake_split(w, ord[i], &ok, true);
			/* nothing dropped and nothing assumed: every probe of
			 * the group passed, and the intersection would cost
			 * |piece| * |acc| */
			if (!ret && (drops.n || assumed_any))
				ret = region_intersect(res->pieces[ord[i]].region,
						       acc);
		}
		region_free(acc);
		blist_release(&ok);
		blist_release(&drops);
	}
	free(ord);
	for (i = from, k = from; i < res->npieces; i++) {
		if (i < n && region_is_empty(res->pieces[i].region)) {
			piece_release(&res->pieces[i]);
			continue;
		}
		res->pieces[k++] = res->pieces[i];
	}
	res->npieces = k;
	return ret;
}

/* ---------------------------------------------------------------------
 * Certainty: where branches that made different assumptions about the
 * same probes end in different states, those probes are "possible".
 */
static int piece_dup(struct engine_result *res, size_t i, struct region *r)
{
	struct engine_piece *p, *src;

	if ((res->npieces & (res->npieces - 1)) == 0) {
		p = realloc(res->pieces, res->npieces * 2 * sizeof(*p));
		if (!p)
			return -ENOMEM;
		res->pieces = p;
	}
	src = &res->pieces[i];
	p = &res->pieces[res->npieces];
	*p = *src;
	p->region = r;
	p->steps = malloc((src->nsteps + 1) * sizeof(*p->steps));
	p->assumptions = malloc((src->nassumptions + 1) *
				sizeof(*p->assumptions));
	if (!p->steps || !p->assumptions) {
		free(p->steps);
		free(p->assumptions);
		return -ENOMEM;
	}
	memcpy(p->steps, src->steps, src->nsteps * sizeof(*p->steps));
	memcpy(p->assumptions, src->assumptions,
	       src->nassumptions * sizeof(*p->assumptions));
	p->possible = true;
	res->npieces++;
	return 0;
}

/* The smallest box holding every box of r (not empty). */
static void region_bounds(const struct region *r, struct region_box *bb)
{
	const struct region_box *box;
	size_t n, i;
	int d;

	box = region_boxes(r, &n);
	*bb = box[0];
	for (i = 1; i < n; i++) {
		for (d = 0; d < REGION_NDIMS; d++) {
			if (box[i].iv[d].lo < bb->iv[d].lo)
				bb->iv[d].lo = box[i].iv[d].lo;
			if (box[i].iv[d].hi > bb->iv[d].hi)
				bb->iv[d].hi = box[i].iv[d].hi;
		}
	}
}

static bool bounds_overlap(const struct region_box *a,
			   const struct region_box *b)
{
	int d;

	for (d = 0; d < REGION_NDIMS; d++)
		if (a->iv[d].hi < b->iv[d].lo || b->iv[d].hi < a->iv[d].lo)
			return false;
	return true;
}

/* The part of piece i that a piece with assumptions in another state
 * also holds, into *out (NULL when there is none).  Piece by piece rather
 * than through the union of the others: that union costs the square of
 * their boxes, and most pairs are told apart by their bounds alone. */
static int classify_overlap(const struct engine_result *res, size_t from,
			    const struct region_box *bb, size_t i,
			    struct region **out)
{
	const struct engine_piece *p = &res->pieces[i];
	struct region *o = NULL, *t;
	size_t j;
	int ret = 0;

	for (j = from; j < res->npieces && !ret; j++) {
		const struct engine_piece *q = &res->pieces[j];

		if (!q->nassumptions || q->state == p->state ||
		    q->family != p->family || q->proto != p->proto ||
		    region_is_empty(q->region) ||
		    !bounds_overlap(&bb[i - from], &bb[j - from]) ||
		    !choice_compatible(p->choice, q->choice))
			continue;
		t = region_copy(p->region);
		if (!t) {
			ret = -ENOMEM;
			break;
		}
		ret = region_intersect(t, q->region);
		if (!ret && !region_is_empty(t)) {
			if (!o) {
				o = t;
				t = NULL;
			} else {
				ret = region_union(o, t);
			}
		}
		region_free(t);
	}
	if (ret < 0) {
		region_free(o);
		return ret;
	}
	*out = o;
	return 0;
}

/* The same row of the report: let in the same way to the same socket. */
static bool same_target(const struct engine_piece *a,
			const struct engine_piece *b)
{
	return same_path(a, b) && a->listener == b->listener;
}

/*
 * Where the sender's choice of header values takes the same probes two
 * ways (a drop it can avoid, an accept it can satisfy), the pieces of both
 * ways overlap, and the sender takes the better one.  A piece that assumed
 * nothing undecidable holds for every packet of its choice.  Before
 * classify() (after false): where it overlaps a piece in a worse state
 * that assumed nothing either, or an earlier twin with the same target,
 * that piece is cut; pieces that assumed something stay, for classify()
 * to weigh against each other.  After it (after true): they are cut too
 * where a certain piece is at least as good.  Only pieces with a choice
 * overlap this way (the walk partitions the rest), and pieces that made
 * the same choice never do.
 */
static int choose(struct engine_result *res, size_t from, bool after)
{
	size_t *ix, nix = 0, a, c, n = res->npieces;
	struct region_box *bb;
	int ret = 0;

	ix = calloc(n - from + 1, sizeof(*ix));
	bb = calloc(n - from + 1, sizeof(*bb));
	if (!ix || !bb) {
		free(ix);
		free(bb);
		return -ENOMEM;
	}
	for (a = from; a < n; a++) {
		/* after classify(), a possible piece that made no choice
		 * may still be what a certain piece with one covers */
		if ((!res->pieces[a].choice &&
		     !(after && res->pieces[a].possible)) ||
		    region_is_empty(res->pieces[a].region))
			continue;
		region_bounds(res->pieces[a].region, &bb[nix]);
		ix[nix++] = a;
	}
	for (a = 0; a < nix && !ret; a++) {
		const struct engine_piece *j = &res->pieces[ix[a]];

		/* after classify(), a piece it did not mark possible holds
		 * for every packet of its choice, whatever it assumed: no
		 * compatible piece disagrees with it */
		if ((!after && j->nassumptions) || j->possible ||
		    region_is_empty(j->region))
			continue;
		for (c = 0; c < nix && !ret; c++) {
			struct engine_piece *i = &res->pieces[ix[c]];

			if (c == a || i->choice == j->choice ||
			    region_is_empty(i->region) ||
			    !bounds_overlap(&bb[a], &bb[c]) ||
			    i->state > j->state ||
			    (!after && i->nassumptions) ||
			    (after && !i->nassumptions))
				continue;
			if (i->state == j->state && (!after || !i->possible) &&
			    !(c > a && same_target(i, j)))
				continue;
			ret = region_subtract(i->region, j->region);
		}
	}
	free(ix);
	free(bb);
	return ret;
}

/* Say what each piece's sender chose, while the choices exist. */
static int choices_describe(struct walk *w, size_t from)
{
	struct choice_dom dom = walk_dom(w);
	struct engine_piece *p;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	dom.established = false;
	for (i = from; i < w->res->npieces; i++) {
		p = &w->res->pieces[i];
		dom.forwarded = p->fate == ENGINE_FORWARDED;
		if (p->choice && !region_is_empty(p->region)) {
			choice_describe(&dom, p->choice, &sb);
			if (sb.len || sb.failed) {
				p->chosen = strbuf_take(&sb);
				if (!p->chosen)
					return -ENOMEM;
			}
		}
		p->choice = NULL;
	}
	return 0;
}

static int classify(struct engine_result *res, size_t from)
{
	struct region **overlap;
	struct region_box *bb;
	size_t i, n = res->npieces;
	int ret = choose(res, from, false);

	if (ret < 0)
		return ret;

	/* all overlaps first, from the regions as the walk left them: a
	 * piece cut before its twin is compared would hide the twin's doubt */
	overlap = calloc(n - from + 1, sizeof(*overlap));
	bb = calloc(n - from + 1, sizeof(*bb));
	if (!overlap || !bb) {
		free(overlap);
		free(bb);
		return -ENOMEM;
	}
	for (i = from; i < n; i++)
		if (res->pieces[i].nassumptions &&
		    !region_is_empty(res->pieces[i].region))
			region_bounds(res->pieces[i].region, &bb[i - from]);
	for (i = from; i < n && !ret; i++) {
		if (res->pieces[i].nassumptions &&
		    !region_is_empty(res->pieces[i].region))
			ret = classify_overlap(res, from, bb, i,
					       &overlap[i - from]);
	}
	free(bb);
	for (i = from; i < n && !ret; i++) {
		struct region *o = overlap[i - from];

		if (!o || region_is_empty(o))
			continue;
		ret = region_subtract(res->pieces[i].region, o);
		if (!ret) {
			ret = piece_dup(res, i, o);
			if (!ret)
				overlap[i - from] = NULL;
		}
	}
	for (i = 0; i < n - from; i++)
		region_free(overlap[i]);
	free(overlap);
	return ret < 0 ? ret : choose(res, from, true);
}

static int result_note(struct engine_result *res, const char *s)
{
	char **p = realloc(res->notes, (res->nnotes + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	res->notes = p;
	if (!(p[res->nnotes] = strdup(s)))
		return -ENOMEM;
	res->nnotes++;
	return 0;
}

int engine_run(const struct engine_input *in, struct engine_result **out)
{
	static const uint8_t families[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
					  IPPROTO_SCTP };
	struct engine_result *res;
	struct walk w;
	size_t f, p, i, k, start;
	int ret = 0;

	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	res->symbolic = !in->host;
	memset(&w, 0, sizeof(w));
	w.in = in;
	w.host = in->host;
	w.res = res;
	w.nsorted = in->rs->nchains;
	w.sorted = calloc(w.nsorted + 1, sizeof(*w.sorted));
	if (!w.sorted) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < w.nsorted; i++)
		w.sorted[i] = &in->rs->chains[i];
	w.rpath = calloc(2, sizeof(*w.rpath));
	w.rpath_err = calloc(2, sizeof(*w.rpath_err));
	if (!w.rpath || !w.rpath_err) {
		ret = -ENOMEM;
		goto out;
	}
	/* optional: without it chains are walked rule by rule */
	w.dindex = calloc(2 * in->rs->nchains + 1, sizeof(*w.dindex));
	qsort(w.sorted, w.nsorted, sizeof(*w.sorted), chain_cmp);
	/* optional too: without it every jump looks its target up */
	w.jumps = calloc(in->rs->nchains + 1, sizeof(*w.jumps));
	w.ingress = calloc(in->rs->nchains + 1, sizeof(*w.ingress));
	if (!w.ingress) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < in->rs->nchains; i++) {
		const struct rs_chain *ch = &in->rs->chains[i];

		if (ch->base && ch->device &&
		    ((ch->family == NFPROTO_NETDEV &&
		      ch->hook == NF_NETDEV_INGRESS) ||
		     (ch->family == NFPROTO_INET && ch->hook == 5)))
			w.ingress[w.ningress++] = ch;
	}

	for (f = 0; f < 2 && !ret; f++)
		ret = martian_list(in->host, families[f], true,
				   &res->martians[f], &res->nmartians[f]);
	for (i = 0; !ret && in->host && i < in->host->nlinks; i++) {
		const struct host_link *lk = &in->host->links[i];
		char note[400];

		if (lk->loopback)
			continue;
		if (lk->xdp_prog) {
			snprintf(note, sizeof(note), "%s: an XDP program (id "
				 "%u, %s) sees every packet first and fwaudit "
				 "cannot read what it drops: what arrives there "
				 "is possible, not definite", lk->name,
				 lk->xdp_prog, host_xdp_mode_name(lk->xdp_mode));
			ret = result_note(res, note);
		}
		if (!ret && lk->tc_filters) {
			snprintf(note, sizeof(note), "%s: %u tc ingress "
				 "filter%s (%s) run before netfilter and fwaudit "
				 "cannot read what they drop: what arrives there "
				 "is possible, not definite", lk->name,
				 lk->tc_filters, lk->tc_filters > 1 ? "s" : "",
				 lk->tc_desc);
			ret = result_note(res, note);
		}
	}
	if (!ret && !in->host)
		ret = result_note(res, "no host facts: every interface name "
				  "but lo and any local address; forwarding "
				  "assumed on, route_localnet off, nothing "
				  "listens");
	for (f = 0; f < 2 && !ret; f++) {
		if (in->only_family && in->only_family != families[f])
			continue;
		for (p = 0; p < 3 && !ret; p++) {
			if (in->only_proto && in->only_proto != protos[p])
				continue;
			w.family = families[f];
			w.proto = protos[p];
			w.branches = 0;
			start = res->npieces;
			ret = walk_one(&w);
			if (!ret)
				ret = handshake(&w, start);
			/* branch_fork() past the budget fails like malloc():
			 * whichever path met it, the walk is too big */
			if (ret == -ENOMEM && w.branches > BRANCHES_MAX)
				ret = -E2BIG;
			if (!ret)
				ret = classify(res, start);
			if (!ret)
				ret = choices_describe(&w, start);
			arena_free(&w.arena);
		}
	}
	if (!ret) {
		/* pieces emptied by classify(), and closed ones unless asked */
		for (i = 0, k = 0; i < res->npieces; i++) {
			if (region_is_empty(res->pieces[i].region) ||
			    (!in->dropped &&
			     res->pieces[i].state == ENGINE_CLOSED &&
			     !res->pieces[i].possible)) {
				piece_release(&res->pieces[i]);
				continue;
			}
			res->pieces[k++] = res->pieces[i];
		}
		res->npieces = k;
	}
out:
	arena_free(&w.arena);
	for (i = 0; w.dindex && i < 2 * in->rs->nchains; i++)
		daddr_index_free(w.dindex[i]);
	free(w.dindex);
	for (i = 0; w.jumps && i < in->rs->nchains; i++)
		free(w.jumps[i]);
	free(w.jumps);
	free(w.sorted);
	for (i = 0; w.rpath && i < 2; i++)
		rpath_free(w.rpath[i]);
	free(w.rpath);
	free(w.rpath_err);
	free(w.nd_dead);
	free(w.ingress);
	for (f = 0; f < 2; f++)
		for (p = 0; p < NF_INET_NUMHOOKS; p++)
			free(w.hooks[f][p].chains);
	if (ret < 0) {
		engine_result_free(res);
		return ret;
	}
	*out = res;
	return 0;
}

void engine_result_free(struct engine_result *res)
{
	size_t i;

	if (!res)
		return;
	for (i = 0; i < res->npieces; i++)
		piece_release(&res->pieces[i]);
	free(res->pieces);
	for (i = 0; i < res->nnotes; i++)
		free(res->notes[i]);
	free(res->notes);
	free(res->martians[0]);
	free(res->martians[1]);
	free(res);
}

const char *engine_state_name(enum engine_state s)
{
	switch (s) {
	case ENGINE_EXPOSED:	return "exposed";
	case ENGINE_OPEN:	return "open";
	default:		return "closed";
	}
}

const char *engine_fate_name(enum engine_fate f)
{
	switch (f) {
	case ENGINE_LOCAL:	return "local";
	case ENGINE_FORWARDED:	return "forward";
	default:		return "dropped";
	}
}
