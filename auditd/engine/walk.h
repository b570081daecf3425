/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * walk.h - PRIVATE to auditd/engine/: what the parts of the engine's walk
 * share (the branch, the walk, the result being built).  The public
 * interface is engine.h; nothing outside engine/ includes this file
 * (tests/unit/test_engine_budget.c includes the parts themselves).
 */
#ifndef WALK_H
#define WALK_H

#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/if_packet.h>
#include <linux/netfilter.h>
#include <linux/netfilter_bridge.h>
#include <linux/rtnetlink.h>

#include "arena.h"
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
#define PRI_IPVS_REPLY		100	/* ip_vs_reply4(), NF_INET_FORWARD */

/* from linux/netfilter/nf_conntrack_common.h, which clashes with libc */
#define IPS_EXPECTED		(1u << 0)
#define IPS_DST_NAT		(1u << 5)
#define IPS_DST_NAT_DONE	(1u << 8)
#define IPS_SEEN_REPLY		(1u << 1)
#define IPS_ASSURED		(1u << 2)
#define IP_CT_DIR_ORIGINAL	0

/* The persistent lists (trace, assumptions, jump frames, choices) that
 * branches share with their forks live in the walk's arena (util/arena.h),
 * freed all at once when the walk ends. */
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
	/* addressed to a container network the host routes for, not to
	 * one of its own addresses (direct routing, moby#45610):
	 * direct_addr is an address of the route that brought it here */
	bool direct;
	rs_u128 direct_addr;
	uint32_t mark;
	uint32_t ctmark;
	bool oif_known;
	int oif;
	rs_u128 oif_key;
	/* an IPVS real server (masq or direct routing) this host sends the
	 * packet to: walked out through LOCAL_OUT and POSTROUTING
	 * (eng_ipvs_out_run()); NULL otherwise */
	const struct host_ipvs_dest *ipvs_out;
	const struct host_ipvs_svc *ipvs_out_svc;
	/* an IPVS tunnel's outer packet (walk.ipvs_tunnel): its source
	 * address (tun_src_known false: not told by the host facts), and
	 * the client's packet inside as it reached IPVS, whose conntrack,
	 * NAT and mark state the branch gets back after that walk */
	bool tun_src_known;
	rs_u128 tun_src;
	const struct branch *inner;
	const struct anode *assume;
	/* the header values the sender committed to on the way here */
	const struct choice *choice;
	const struct snode *trace;
	/* where routing sent it: engine_piece.path */
	uint8_t path;
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

/* IPv6 neighbour discovery (see eng_nd_check()) */
#define ND_SOLICIT	135
#define ND_SNMC_PREFIX	(((rs_u128)0xff02 << 112) | ((rs_u128)1 << 32) | \
			 ((rs_u128)0xff << 24))	/* ff02::1:ff00:0/104 */

struct eng_rebase;

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
	/* walking an IPVS masq real server's answer that conntrack has no
	 * entry for (net.ipv4.vs.conntrack 0: IPVS took the client's
	 * connection out of conntrack): ct state invalid */
	bool ct_invalid;
	/* walking that answer: the IPVS piece whose virtual address and
	 * port ip_vs_reply4() (FORWARD, priority 100) puts back as the
	 * source, so that forward chains from that priority on see them */
	const struct engine_piece *ipvs_reply;
	/* walking what IPVS sends to its real servers (branch.ipvs_out) out
	 * through LOCAL_OUT and POSTROUTING; ipvs_out: those branches,
	 * collected at LOCAL_IN delivery */
	bool ipvs_request;
	struct blist ipvs_out;
	/* with ipvs_request, walking the outer packet a tunnel real server
	 * gets (ip_vs_tunnel_xmit()): a new packet of the host with a
	 * conntrack entry of its own, nat OUTPUT run for it.  1: for the
	 * client's first packet; 2: for its next one, which finds that
	 * entry (ct state still new: the real server answers the client
	 * directly) with its NAT binding */
	uint8_t ipvs_tunnel;
	/* a rule sets the mark to what the engine does not follow (IPVS
	 * fwmark services, result.c), per family (0 IPv4, 1 IPv6): 0 not
	 * looked at yet, 1 no, 2 yes */
	uint8_t mark_unfollowed[2];
	/* walking the host's own answer to the probe (engine_answer()):
	 * an RST or an ICMP port unreachable, in the reply direction */
	bool answer;
	enum engine_answer answer_kind;
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
	/* chains in a hash index for jump lookup (eng_chain_index_build()) */
	const struct rs_chain **cindex;
	size_t ncindex;			/* slots: a power of two */
	/* the packed chains by the address of their name, ncindex slots:
	 * a linked jump's target (chain_find_linked()) */
	struct name_slot {
		const char *name;
		const struct rs_chain *chain;
	} *nindex;
	/* the base chains, in the model's order (the same pass): what
	 * hook_chains() and the ingress list look through, instead of
	 * every chain once per hook and family */
	const struct rs_chain **bases;
	size_t nbases;
	/* per family (IPv4, IPv6) and NF_INET_* hook: hook_chains() */
	struct hook_list {
		const struct rs_chain **chains;
		size_t n;
		bool done;
	} hooks[2][NF_INET_NUMHOOKS];
	/* per chain of the model, built on first use: jump_target(); the
	 * per-rule tables live in jarena (one per chain that jumps: 12,000
	 * mallocs and frees an audit on kube-10000 otherwise) */
	const struct rs_chain ***jumps;
	struct arena jarena;
	/* rule_run(): rules before norun_end of norun_chain overlap */
	const struct rs_chain *norun_chain;
	size_t norun_end;
	/* the netdev (and inet) ingress base chains, in the model's order */
	const struct rs_chain **ingress;
	size_t ningress;
	/* walking the bridge family's hooks (eng_bridge_run()): matches.c
	 * resolves interfaces as a bridge port would; bridge_port is the
	 * bridge's only port (a stranger's frame came in through it), NULL
	 * when it has several (which one is not known) */
	bool bridge;
	const struct host_link *bridge_port;
	/* walking the bridge family's output and postrouting hooks
	 * (eng_bridge_out_run()): the frame the bridge device sends for a
	 * forwarded packet, leaving through bridge_port (NULL: a port not
	 * known here), without an input port */
	bool bridge_out;
	/* the bridge of those hooks (either way) */
	const struct host_link *bridge_link;
	/* the bridge family's base chains per NF_BR_* hook (prerouting to
	 * postrouting), in priority order, built on first use */
	struct hook_list brhooks[5];
	/* the host's netfilter BPF programs (h->nfbpf) by priority:
	 * indexes, NULL without any (eng_hook_run()) */
	size_t *nfbpf_order;
	/* the reverse path of each family (rpfilter), built on first use;
	 * rpath_err[i] remembers that it could not be */
	struct rpath **rpath;
	int *rpath_err;
	struct engine_result *res;
	/* the kept state this run may start its walks from at LOCAL_IN
	 * (resume.c), NULL: whole walks */
	const struct engine_resume *resume;
	/* where the walks of each family (0 IPv4, 1 IPv6) may start:
	 * ENGINE_PATH_LOCAL, _FORWARD, or _PRE (whole) */
	int resume_at[2];
	/* the kept result's chains of tables read again, unchanged: the
	 * new model's (resume.c), NULL: none */
	struct eng_rebase *rebase;
	/* the first piece of this walk that walk_one() made (after the
	 * kept pieces of a walk started at LOCAL_IN) */
	size_t from;
};

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

/* ---------------------------------------------------------------------
 * Matches.
 */
enum mres {
	M_DECIDED,	/* *yes / *no hold the split (either may be empty) */
	M_UNKNOWN,	/* cannot tell: fork */
	M_CHOICE,	/* the sender chooses: choice_split() */
};

typedef bool (*rpath_pred)(const void *ctx, const struct rpath_range *r,
			   const struct host_link *l);

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

/* What a rule's matches ask of the probes of a branch when each of them
 * either holds for all of them or tests one dimension against a plain
 * set: the sets by dimension (NULL: any value), for
 * region_split_off_product(). */
struct rule_sets {
	const struct rs_interval *set[REGION_NDIMS];
	size_t nset[REGION_NDIMS];
	struct rs_interval *own[REGION_NDIMS];	/* complements, freed */
};

/* engine.c */
/* Set up w for walks over in->rs and in->host into res; eng_walk_fini()
 * frees what it built, also after a failed eng_walk_init().  0 or -ENOMEM. */
int eng_walk_init(struct walk *w, const struct engine_input *in,
	      struct engine_result *res);
void eng_walk_fini(struct walk *w);
int eng_box_add(struct region *r, rs_u128 iif_lo, rs_u128 iif_hi,
	    rs_u128 d_lo, rs_u128 d_hi);
int eng_ingress_keys(const struct walk *w, struct rs_interval **out,
		 size_t *n);

/* branch.c */
void eng_blist_release(struct blist *l);
int eng_assume_copy(struct walk *w, struct branch *b,
		const struct engine_assumption *x);
int eng_assume_elem(struct walk *w, struct branch *b,
		const struct rs_chain *c, const struct rs_rule *r,
		const struct rs_match *m, bool matched, size_t elem);
int eng_assume_add(struct walk *w, struct branch *b,
	       const struct rs_chain *c, const struct rs_rule *r,
	       const struct rs_match *m, bool matched);

/* matches.c */
enum resolved eng_resolve(const struct walk *w, const struct branch *b,
		      enum rs_field f, enum region_dim *dim,
		      rs_u128 *val, enum xform *xf);
int rpath_split(const struct walk *w, const struct rpath *rp,
		const struct region *cur, rpath_pred keep,
		const void *ctx, bool none_in, struct region **in,
		struct region **out);
/* An RS_OP_IN match over a tuple some of whose fields cannot be decided
 * (a MAC address) while the others can: the part of cur that no element's
 * decidable fields hold misses it for sure (*out); only the rest (*maybe)
 * is undecided.  Both new regions.  Returns 0, 1 when nothing can be split
 * off so (another operator, no decidable field, a sender's choice), or
 * -errno. */
int eng_match_project(const struct walk *w, const struct branch *b,
		      const struct rs_match *m, const struct region *cur,
		      struct region **maybe, struct region **out);
int eng_match_eval(const struct walk *w, const struct branch *b,
	       const struct rs_match *m, const struct region *cur,
	       struct region **yes, struct region **no,
	       enum mres *res);

/* rules.c */
void eng_plist_release(struct plist *l);
void eng_daddr_index_free(struct daddr_index *ix);
size_t eng_daddr_skip(struct walk *w, const struct branch *b);
bool eng_rule_misses(const struct walk *w, const struct branch *b,
		 const struct rs_rule *r);
void eng_rule_sets_release(struct rule_sets *rs);
int eng_iv_lo_cmp(const void *a, const void *b);
int eng_rule_sets_of(const struct walk *w, const struct branch *b,
		 const struct rs_rule *r, struct rule_sets *rs);
int eng_rule_matches(struct walk *w, struct branch *b,
		 const struct rs_rule *r, struct plist *yes,
		 struct plist *no);

/* chains.c */
int eng_chain_index_build(struct walk *w);
int eng_hook_run(struct walk *w, uint32_t hook, struct blist *l,
	     struct blist *dropped);
int eng_ingress_run(struct walk *w, struct blist *l, struct blist *dropped);
/* The branches of *l arriving on a bridge (a link of kind "bridge") through
 * the bridge family's prerouting and input base chains (nft `table bridge`,
 * ebtables-nft), as a frame from one of its ports meets them before the
 * bridge hands it to the host; which port it came in on is not known, so
 * an interface match there is undecided.  Dropped ones go to *dropped. */
int eng_bridge_run(struct walk *w, struct blist *l, struct blist *dropped);
/* The branches of *l forwarded out through a bridge (their outgoing
 * interface a link of kind "bridge": docker0, br-<id>, lxdbr0, virbr0)
 * through that bridge's output and postrouting base chains of the bridge
 * family, as the frame br_dev_xmit() sends meets them; the output port is
 * the bridge's only port, otherwise not known.  With w->reply, the
 * answers that leave through the bridge the probe came in on (its
 * ingress interface: a VM host's br0).  Dropped ones go to *dropped. */
int eng_bridge_out_run(struct walk *w, struct blist *l, struct blist *dropped);
/* The server's answer to the branches of *l (w->reply) forwarded through
 * a bridge: it comes back in through the backend's port and meets that
 * bridge's prerouting and input base chains (the frame is addressed to the
 * bridge, its gateway) before the inet hooks.  Dropped ones go to
 * *dropped. */
int eng_bridge_reply_run(struct walk *w, struct blist *l,
			 struct blist *dropped);
int eng_fork_on_iif(struct walk *w, struct branch *b,
		const struct rs_interval *key, struct branch **out);
int eng_unknown_fork(struct walk *w, struct branch *on, const struct host_link *lk,
		 bool tc, struct blist *l, struct blist *dropped);
void eng_blist_drop_empty(struct blist *l);

/* tc.c */
int eng_tc_run(struct walk *w, struct blist *l, struct blist *dropped);

/* route.c */
int eng_routing_drop(struct walk *w, struct branch *b, const char *why);
/* The destinations of the host's on-link routes of family (no gateway,
 * not the default) with their link, into *out (free() it). */
int eng_linknet_list(const struct host *h, uint8_t family,
		 struct engine_linknet **out, size_t *n);
int eng_martian_list(const struct host *h, uint8_t family, bool localnet,
		 struct rs_interval **out, size_t *n);
int eng_route(struct walk *w, struct branch *b, struct blist *local,
	  struct blist *fwd);

/* nd.c */
int eng_nd_check(struct walk *w);

/* handshake.c */
void eng_piece_release(struct engine_piece *p);
bool eng_same_path(const struct engine_piece *a,
	       const struct engine_piece *b);
int eng_handshake(struct walk *w, size_t from);

/* result.c */
int eng_piece_add(struct walk *w, struct branch *b, enum engine_fate fate,
	      const struct host_listener *lis, const char *reason);
int eng_drop_all(struct walk *w, struct blist *l, const char *reason);
int eng_deliver_local(struct walk *w, struct branch *b);
/* What IPVS sends to masq, direct-routing and tunnel real servers
 * (collected in w->ipvs_out by eng_deliver_local()) walked out through
 * LOCAL_OUT and POSTROUTING (ip_vs_nat_send_or_cont(), ip_vs_send_or_cont():
 * NF_HOOK LOCAL_OUT; ip_vs_tunnel_xmit(): ip_local_out() of the outer
 * packet), untracked unless net.ipv4.vs.conntrack is 1 (a tunnel's outer
 * packet has an entry of its own); what passes
 * becomes forwarded pieces naming the real server, the rest goes to
 * dropped.  w->ipvs_out is emptied. */
int eng_ipvs_out_run(struct walk *w, struct blist *dropped);
/* The walk of l (branches with ipvs_out set) out to their real servers,
 * as the client's first packet or (established) its next one: for masq
 * and direct routing the packet itself, for a tunnel the outer packet
 * that carries it (its family the real server's, protocol IPIP, IPv6,
 * GRE or UDP to the GUE port, from the host's address toward the real
 * server), with its own conntrack entry. */
int eng_ipvs_request_run(struct walk *w, struct blist *l,
			 struct blist *dropped, bool established);
/* b's outgoing interface: the route to IPVS real server d. */
void eng_ipvs_route_to(const struct walk *w, struct branch *b,
		       const struct host_ipvs_dest *d);
/* The source ip_vs_reply4() gives the answer of IPVS piece p back: the
 * virtual service's address and port (handshake.c). */
void eng_ipvs_vip_back(struct branch *b, const struct engine_piece *p);
/* Swarm's routing mesh: what b (forwarded, DNATed to the ingress
 * sandbox) takes there to the tasks (result.c); the rest stays in b. */
int eng_swarm_take(struct walk *w, struct branch *b);
int eng_choices_describe(struct walk *w, size_t from);

/* resume.c: a walk started at LOCAL_IN or FORWARD from the last run's
 * kept state.  eng_resume_check(): once per run, sets w->resume and
 * w->resume_at when in->prev may be used (0 or -ENOMEM).
 * eng_resume_start(): for the walk's family and protocol, the kept
 * pieces of the paths not walked again appended to the result and the
 * kept branches of the path walked again into *local or *fwd;
 * *started that path (ENGINE_PATH_LOCAL, _FORWARD), or ENGINE_PATH_PRE:
 * walk it whole.  eng_resume_save(): keep the branches routing sent to
 * each path (before its hook) in this run's result (started: the path
 * this walk started at: the other one's kept branches carried over);
 * eng_resume_seal(): after the walk (pieces from index from on), whether
 * a later run may start at each path. */
int eng_resume_check(struct walk *w);
int eng_resume_start(struct walk *w, struct blist *local, struct blist *fwd,
		     int *started);
int eng_resume_save(struct walk *w, int started, const struct blist *local,
		    const struct blist *fwd);
void eng_resume_seal(struct walk *w, size_t from);
int eng_resume_new(const struct engine_input *in,
		   struct engine_resume **out);
/* The chain of the walk's ruleset whose name is the string of c's (a
 * packed chain of a table the reader kept), NULL if none. */
const struct rs_chain *eng_chain_by_name_ptr(const struct walk *w,
					     const struct rs_chain *c);
/* The chain of the walk's ruleset of from's origin, family and table
 * named name (from may be of another ruleset), NULL if none. */
const struct rs_chain *eng_chain_find(const struct walk *w,
				      const struct rs_chain *from,
				      const char *name);
void eng_rebase_free(struct eng_rebase *rb);
int eng_classify(struct engine_result *res, size_t from);
int eng_result_note(struct engine_result *res, const char *s);

static inline void branch_free(struct branch *b)
{
	if (!b)
		return;
	region_free(b->r);
	free(b);
}

/* A copy of b's state with region r (taken over).  NULL without memory or
 * past BRANCHES_MAX; callers say -ENOMEM and engine_run() tells the two
 * apart by w->branches. */
static inline struct branch *branch_fork(struct walk *w, const struct branch *b,
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

static inline int blist_push(struct blist *l, struct branch *b)
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

static inline int trace_add(struct walk *w, struct branch *b, uint32_t hook,
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
static inline int frame_push(struct walk *w, struct branch *b)
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

static inline void frame_pop(struct branch *b)
{
	b->chain = b->stack->chain;
	b->rule = b->stack->rule;
	b->stack = b->stack->up;
	b->depth--;
}

static inline bool is_v4(const struct walk *w)
{
	return w->family == NFPROTO_IPV4;
}

static inline bool after_routing(const struct walk *w)
{
	return w->bridge_out || w->ipvs_request ||
	       w->hook == NF_INET_FORWARD || w->hook == NF_INET_POST_ROUTING;
}

static inline struct choice_dom walk_dom(const struct walk *w)
{
	return (struct choice_dom){ w->family, w->proto, w->established,
				    after_routing(w) };
}

static inline void *walk_alloc(void *ctx, size_t size)
{
	return arena_alloc(&((struct walk *)ctx)->arena, size);
}

/* A forwarded packet's TTL is one less after the routing decision: a
 * match there on value v means the sender chose v + 1. */
static inline int choice_shift(const struct walk *w, const struct rs_match *m)
{
	return m->fields[0] == RS_F_IP_TTL && after_routing(w) ? -1 : 0;
}

/* choice_uniform() for match m on b: 1 every value b's sender has left
 * meets it, 0 none does, -1 some. */
static inline int choice_fits(const struct walk *w, const struct branch *b,
			      const struct rs_match *m)
{
	struct choice_dom dom = walk_dom(w);

	return choice_uniform(&dom, b->choice, m, choice_shift(w, m));
}

static inline bool in_iv(rs_u128 v, const struct rs_interval *iv)
{
	return iv->lo <= v && v <= iv->hi;
}

static inline int iv_push(struct rs_interval **arr, size_t *n, size_t *cap,
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
static inline const struct rpath *walk_rpath(const struct walk *w, int *err)
{
	int f = is_v4(w) ? 0 : 1;

	if (!w->rpath[f] && !w->rpath_err[f])
		w->rpath_err[f] = rpath_build(w->host, w->family, 0,
					      &w->rpath[f]);
	*err = w->rpath_err[f];
	return w->rpath[f];
}

static inline bool is_loopback(const struct walk *w, rs_u128 a)
{
	return is_v4(w) ? (a >> 24) == 127 : a == 1;
}

#endif /* WALK_H */
