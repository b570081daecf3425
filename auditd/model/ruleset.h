/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ruleset.h - the ruleset model: what netfilter will do, independent of
 * whether nftables or legacy x_tables holds it.
 *
 * Readers (nft.c, legacy.c, with xt.c for x_tables blobs) fill a struct
 * ruleset; the engine and the printers only read it.  Every value a match
 * compares is a 128-bit unsigned integer so that one interval type serves
 * addresses (IPv4 in the low 32 bits), ports, protocols and even interface
 * names: an interface name is its 16 bytes (IFNAMSIZ) read big-endian, so a
 * wildcard such as "eth+" / "eth*" is the interval of all names with that
 * prefix, exactly as the kernel compares them.
 *
 * Error idiom for the whole project: functions return 0 (or a count) on
 * success and a negative errno on failure; output parameters are written only
 * on success; destructors accept NULL.
 */
#ifndef FWAUDIT_RULESET_H
#define FWAUDIT_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef unsigned __int128 rs_u128;

#define RS_IFNAMSIZ	16
#define RS_CONCAT_MAX	8	/* fields in one concatenation, as nftables */

/* Where a chain comes from. */
enum rs_origin {
	RS_ORIGIN_NFT,		/* nf_tables, whatever front-end wrote it */
	RS_ORIGIN_LEGACY,	/* legacy x_tables (ip_tables / ip6_tables) */
};

/* Named fields a match can compare.  Keep rs_field_info() in ruleset.c in
 * the same order. */
enum rs_field {
	RS_F_IIFNAME,		/* value: name as 16 bytes big-endian */
	RS_F_OIFNAME,
	RS_F_IIF,		/* ifindex */
	RS_F_OIF,
	RS_F_IIFTYPE,		/* ARPHRD_* */
	RS_F_NFPROTO,		/* NFPROTO_IPV4 / NFPROTO_IPV6 (inet tables) */
	RS_F_ETHERTYPE,		/* meta protocol: ETH_P_IP, ETH_P_IPV6, ... */
	RS_F_L4PROTO,		/* IPPROTO_* */
	RS_F_IP_SADDR,		/* IPv4 address in the low 32 bits */
	RS_F_IP_DADDR,
	RS_F_IP6_SADDR,		/* IPv6 address, 128 bits */
	RS_F_IP6_DADDR,
	RS_F_SPORT,		/* transport source port (tcp/udp/sctp/dccp/udplite) */
	RS_F_DPORT,
	RS_F_ICMP_TYPE,		/* icmp type (IPv4) */
	RS_F_ICMP_CODE,
	RS_F_ICMPV6_TYPE,
	RS_F_ICMPV6_CODE,
	RS_F_TCP_FLAGS,		/* usually RS_OP_MASK_*: SYN = 0x02 */
	RS_F_CT_STATE,		/* one bit per state, see RS_CT_STATE_* */
	RS_F_CT_STATUS,		/* IPS_* bits */
	RS_F_CT_DIRECTION,
	RS_F_CT_MARK,
	RS_F_CT_ORIG_SADDR4,	/* ct original ip saddr / --ctorigsrc */
	RS_F_CT_ORIG_DADDR4,	/* ct original ip daddr / --ctorigdst */
	RS_F_CT_ORIG_SADDR6,
	RS_F_CT_ORIG_DADDR6,
	RS_F_CT_ORIG_SPORT,	/* ct original proto-src / --ctorigsrcport */
	RS_F_CT_ORIG_DPORT,	/* ct original proto-dst / --ctorigdstport */
	RS_F_CT_REPL_SADDR4,	/* ct reply ip saddr / --ctreplsrc */
	RS_F_CT_REPL_DADDR4,
	RS_F_CT_REPL_SADDR6,
	RS_F_CT_REPL_DADDR6,
	RS_F_CT_REPL_SPORT,
	RS_F_CT_REPL_DPORT,
	RS_F_FIB_SADDR_TYPE,	/* RTN_* of the source address (addrtype --src-type) */
	RS_F_FIB_DADDR_TYPE,	/* RTN_* of the destination (addrtype --dst-type) */
	RS_F_FIB_SADDR_OIF,	/* fib saddr [. iif] oif: 0 = no route (rpfilter) */
	RS_F_FIB_DADDR_OIF,
	RS_F_FIB_SADDR_IIF_OIF,	/* fib saddr . iif oif: strict rpfilter, the
				 * input interface or 0 */
	RS_F_MARK,		/* meta mark */
	RS_F_PKTTYPE,		/* PACKET_HOST, PACKET_BROADCAST, ... */
	RS_F_SKUID,
	RS_F_SKGID,
	RS_F_ETHER_SADDR,	/* MAC in the low 48 bits */
	RS_F_ETHER_DADDR,
	RS_F_PHYSDEV_IN,	/* bridge port names, like RS_F_IIFNAME */
	RS_F_PHYSDEV_OUT,
	RS_F_IBRNAME,		/* the bridge a frame came in through (ebtables
				 * --logical-in), like RS_F_IIFNAME */
	/* Header fields the sender of a packet chooses (see "the stranger's
	 * choice" in doc/HACKING.md): the engine lets a probe take whichever
	 * value gets it through, within what the host's stack delivers. */
	RS_F_IP_TTL,		/* IPv4 TTL / IPv6 hop limit, as it arrives */
	RS_F_IP_TOS,		/* IPv4 TOS / IPv6 traffic class: DSCP << 2 |
				 * ECN (dscp X: mask 0xfc, value X << 2) */
	RS_F_IP_LENGTH,		/* the whole packet: IPv4 total length, IPv6
				 * payload length + 40 (as xt_length) */
	RS_F_IP_FRAGOFF,	/* IPv4 flags and fragment offset, 16 bits as
				 * in the header (MF 0x2000, DF 0x4000) */
	RS_F_IP_OPTIONS,	/* IPv4 options present: bit n for option
				 * number n (type & 0x1f) */
	RS_F_IP6_EXTHDRS,	/* IPv6 extension headers present: bit n for
				 * next-header value n (hop-by-hop 0, fragment
				 * 44, destination options 60, AH 51, ESP 50,
				 * no next header 59); never the routing
				 * header (43): see RS_F_IP6_RT_TYPE */
	RS_F_IP6_RT_TYPE,	/* IPv6 routing header type 0..255, or
				 * RS_ABSENT (no routing header) */
	RS_F_TCP_OPTIONS,	/* TCP option kinds present: bit k for kind
				 * k < 128; never MSS (2): see RS_F_TCP_MSS */
	RS_F_TCP_MSS,		/* TCP MSS option value, or RS_ABSENT (no MSS
				 * option) */
	RS_F_NUMGEN,		/* numgen random / inc: a number the packet
				 * path draws, which the engine cannot tell */
	RS_F_IPSET,		/* xt_set: name in text, decided by the engine */
	RS_F_PAYLOAD,		/* raw payload bytes with no name: text says where */
	RS_F_OTHER,		/* known but not decidable here: limit, quota,
				 * recent, statistic, string, ...: name + text */
	RS_F_UNKNOWN,		/* a match we do not decode: name + revision */
	RS_F__COUNT
};
/* the model keeps a field in a byte (rs_match.fields and the others) */
_Static_assert(RS_F__COUNT <= 256, "enum rs_field must fit a byte");

/* The value of RS_F_IP6_RT_TYPE and RS_F_TCP_MSS when the packet has no
 * such header or option: one past the largest value the field can hold. */
#define RS_ABSENT	0x10000

/* ct state bits as the kernel exposes them (NF_CT_STATE_BIT). */
#define RS_CT_STATE_INVALID	0x01
#define RS_CT_STATE_ESTABLISHED	0x02
#define RS_CT_STATE_RELATED	0x04
#define RS_CT_STATE_NEW		0x08
#define RS_CT_STATE_UNTRACKED	0x40

enum rs_op {
	RS_OP_IN,		/* the field tuple is in the element list */
	RS_OP_NOT_IN,
	RS_OP_MASK_EQ,		/* (field & mask) == value */
	RS_OP_MASK_NE,		/* (field & mask) != value */
	RS_OP_OTHER,		/* RS_F_OTHER / RS_F_UNKNOWN / RS_F_IPSET */
};

struct rs_interval {
	rs_u128 lo, hi;		/* inclusive */
};

struct rs_set;

/* The data half of a map element or of an immediate verdict. */
enum rs_verdict_kind {
	RS_V_NONE,		/* no verdict: the rule falls through */
	RS_V_ACCEPT,
	RS_V_DROP,
	RS_V_REJECT,
	RS_V_QUEUE,		/* queue / NFQUEUE */
	RS_V_RETURN,
	RS_V_JUMP,
	RS_V_GOTO,
	RS_V_DNAT,
	RS_V_SNAT,
	RS_V_MASQUERADE,
	RS_V_REDIRECT,
	RS_V_TPROXY,
	RS_V_VMAP,		/* verdict from a map lookup: see map */
	RS_V_OTHER,		/* a terminal target we do not model (name) */
	RS_V__COUNT
};
/* a verdict keeps its kind in a byte (rs_verdict.kind) */
_Static_assert(RS_V__COUNT <= 256, "enum rs_verdict_kind must fit a byte");

/* NAT parameters: immediate values, or values looked up in a map keyed by
 * map_fields (dnat to ip daddr map { ... }). */
struct rs_nat {
	uint8_t family;		/* NFPROTO_IPV4 / NFPROTO_IPV6 of the address */
	bool has_addr;
	bool has_port;
	uint16_t port_lo, port_hi;
	uint32_t flags;		/* NF_NAT_RANGE_* */
	rs_u128 addr_lo, addr_hi;
};

struct rs_mapref {
	struct rs_set *set;	/* owned by the ruleset */
	uint8_t nfields;
	uint8_t fields[RS_CONCAT_MAX];	/* enum rs_field: a byte each */
	bool total;		/* every value the key can take has an element
				 * (numgen mod N over a map of 0..N-1) */
};

/* Members ordered for size (every rule holds one; fwauditd keeps them). */
struct rs_verdict {
	uint8_t kind;		/* enum rs_verdict_kind */
	uint8_t revision;	/* RS_V_OTHER from x_tables */
	bool queue_bypass;
	uint32_t queue_num;
	char *chain;		/* JUMP / GOTO target */
	char *name;		/* RS_V_OTHER: target name; REJECT: "icmp-port-
				 * unreachable", "tcp-reset", ... (may be NULL) */
	struct rs_mapref map;	/* VMAP, or nat values from a map (set != NULL) */
	struct rs_nat nat;	/* DNAT/SNAT/REDIRECT/MASQUERADE/TPROXY */
};

/* One condition of a rule.  For RS_OP_IN/NOT_IN the field tuple
 * (fields[0..nfields)) is compared with elements; each element is nfields
 * intervals, element-major.  Elements come from the rule itself (elems,
 * owned) or from a named set (set != NULL, elems == NULL: use
 * rs_match_elems()). */
struct rs_match {
	/* small: fwauditd keeps every rule between audits (issue 13), and
	 * 112 bytes per match were a third of the chair's idle heap */
	uint8_t op;		/* enum rs_op */
	uint8_t nfields;
	uint8_t revision;	/* RS_F_UNKNOWN: x_tables revision */
	bool invert;		/* RS_OP_OTHER: the match is negated (! -m ...) */
	uint32_t nelems;	/* < 2^24: the readers' bound (RS_ARRAY_MAX) */
	uint8_t fields[RS_CONCAT_MAX];	/* enum rs_field: a byte each */
	struct rs_interval *elems;
	struct rs_set *set;
	char *name;		/* RS_OP_OTHER: "limit", "recent", xt match name */
	char *text;		/* RS_OP_OTHER: human-readable parameters */
	rs_u128 mask, value;	/* RS_OP_MASK_* */
};

/* A side effect that does not end the rule (log, counter, mark set, ...). */
struct rs_stmt {
	char *name;		/* "log", "counter", "meta mark set", "LOG", ... */
	char *text;		/* parameters, may be NULL */
	/* nft objref "ct helper NAME": the helper type of the table's ct
	 * helper object NAME ("ftp") and its IPPROTO_* (0: not given), as
	 * the reader found the object; NULL where no object was read (a
	 * recording made before objects were, a ruleset file) */
	char *helper_type;
	uint8_t helper_l4;
	/* meta mark set / MARK --set-mark: the engine tracks the mark */
	bool sets_mark;
	uint32_t mark_mask, mark_value;	/* mark = (mark & ~mask) ^ value */
};

struct rs_rule {
	unsigned int position;	/* 1-based within its chain */
	bool has_handle;
	/* matches, stmts and every string and element they hold live in the
	 * ruleset's arena (ruleset_pack_rule()) */
	bool packed;
	uint64_t handle;	/* nftables handle, 0 when the source has none */
	char *comment;
	uint32_t nmatches;	/* both < 2^24 (rs_rule_add_match/stmt()) */
	uint32_t nstmts;
	struct rs_match *matches;
	struct rs_stmt *stmts;
	struct rs_verdict verdict;
};

struct rs_chain {
	enum rs_origin origin;
	uint8_t family;		/* NFPROTO_* of the table */
	bool base;		/* a base chain has a hook */
	/* rules and strings live in the ruleset's arena
	 * (ruleset_pack_chain()) */
	bool packed;
	/* packed chains: a statement of a rule may attach a conntrack
	 * helper (rs_stmt_may_attach_helper()); false: none can */
	bool may_helper;
	uint32_t hook;		/* NF_INET_* (NF_NETDEV_INGRESS for netdev) */
	int32_t priority;
	enum rs_verdict_kind policy;	/* ACCEPT or DROP for base chains */
	/* packed chains: rs_chain_key_hash(table, name), computed once when
	 * packed (the engine indexes every chain at each run) */
	uint32_t key_hash;
	/* packed chains: rs_chain_key_hash(table, NULL), for the passes
	 * that look for a table among every chain (failopen) */
	uint32_t table_hash;
	char *table;
	char *name;
	char *type;		/* "filter", "nat", "route" */
	char *device;		/* netdev chains: the device */
	size_t nrules;
	struct rs_rule *rules;
};

/* Set element data of a map. */
struct rs_elem_data {
	struct rs_verdict verdict;	/* verdict maps */
	rs_u128 value[2];		/* data maps: addr, or addr . port */
	uint8_t nvalues;
};

/* A named or anonymous nftables set, with its elements decoded into
 * intervals for a given key layout.  Anonymous sets are kept too (rules
 * refer to them) and printed inline. */
struct rs_set {
	uint8_t family;
	char *table;
	char *name;		/* "__set%d" for anonymous ones */
	uint32_t flags;		/* NFT_SET_* */
	uint32_t key_type, key_len, data_type, data_len;
	uint8_t nfields;	/* key layout the elements are decoded with */
	uint8_t widths[RS_CONCAT_MAX];	/* bytes of each key field */
	size_t nelems;
	struct rs_interval *elems;	/* nelems * nfields, element-major */
	struct rs_elem_data *data;	/* nelems entries for maps, else NULL */
	/* the fields of the first lookup that used the set, for printing its
	 * elements; nfields == 0 while no rule used it */
	uint8_t fields[RS_CONCAT_MAX];	/* enum rs_field: a byte each */
};

/*
 * An RS_F_IPSET match (x_tables "set") keeps what the engine needs in
 * value and mask: value is the set's kernel index, mask these bits.
 */
#define RS_IPSET_M_SRC_MASK	0x7e	/* bit i: dimension i is "src" */
#define RS_IPSET_M_DIM_SHIFT	8	/* 8 bits: dimensions given */
#define RS_IPSET_M_RETURN_NOMATCH ((rs_u128)1 << 16)
#define RS_IPSET_M_COUNTERS	((rs_u128)1 << 17)	/* --packets-gt ... */
#define RS_IPSET_M_VALID	((rs_u128)1 << 18)

/* What one dimension of an ipset compares (ipset.c). */
enum rs_ipset_kind {
	RS_IPSET_ADDR = 1,	/* one field: the address */
	RS_IPSET_PORT,		/* two fields: IPPROTO_* and the port */
	RS_IPSET_IFACE,		/* one field: the interface name key */
};

#define RS_IPSET_DIM_MAX	3

/*
 * The contents of one ipset, read by ipset.c, as the tuples of its
 * dimensions (each dimension one or two fields, see enum rs_ipset_kind):
 * in holds the tuples the set matches (each address its most specific
 * element's, a nomatch element's excluded), nomatch the tuples whose most
 * specific element is nomatch (what --return-nomatch matches).  A set
 * whose contents are not decided (an unknown type, a bound, a rule that
 * adds to it) has decided false and why says so.
 */
struct rs_ipset {
	char *name;
	char *type;		/* "hash:net,port" */
	char *why;		/* !decided: the reason */
	uint16_t index;		/* kernel index: what -m set rules hold */
	uint8_t family;		/* NFPROTO_IPV4 / IPV6 / UNSPEC (list:set) */
	uint8_t dim;		/* dimensions of the type */
	uint8_t kinds[RS_IPSET_DIM_MAX];	/* enum rs_ipset_kind */
	bool decided;
	bool list;		/* list:set: members holds its sets */
	bool timeouts;		/* some element has a timeout */
	size_t nelems;		/* elements as the kernel listed them */
	struct rs_set *in, *nomatch;
	size_t nmembers;
	uint16_t *members;	/* list:set: kernel indexes, in order */
};

/* What each source contributed, or why it contributed nothing. */
struct rs_source_status {
	const char *name;	/* "nftables", "iptables-legacy", "ip6tables-legacy" */
	bool present;
	int error;		/* 0, or negative errno of a failed read */
};

struct ruleset {
	size_t nchains;
	struct rs_chain *chains;
	size_t nsets;
	struct rs_set **sets;
	uint32_t nft_genid;	/* generation the nftables part was read at */
	size_t nsources;
	struct rs_source_status sources[4];
	size_t nnotes;
	char **notes;		/* non-fatal problems: what was skipped and why */
	/* ipset contents (ipset.c): read where the kernel has sets */
	size_t nipsets;
	struct rs_ipset *ipsets;
	struct arena arena;		/* the packed rules */
	/* the table string of the chain packed last (in the arena): the
	 * next chain of the same table shares it, so that a chain's table
	 * is compared by address (the engine's jumps, the daemon's index) */
	const char *packed_table;
};

/* Ruleset lifetime.  ruleset_new() returns NULL on allocation failure;
 * ruleset_free() accepts NULL and frees everything reachable. */
struct ruleset *ruleset_new(void);
void ruleset_free(struct ruleset *rs);

/* Append an empty chain/rule/match/stmt and return it (zeroed; strings are
 * owned by the model and freed with it), or NULL on ENOMEM or when the
 * chain/rule is packed.  The pointer is valid until the next append to the
 * same array: the arrays grow by reallocation. */
struct rs_chain *ruleset_add_chain(struct ruleset *rs, enum rs_origin origin,
				   uint8_t family, const char *table,
				   const char *name);
struct rs_rule *rs_chain_add_rule(struct rs_chain *c);
struct rs_match *rs_rule_add_match(struct rs_rule *r);
struct rs_stmt *rs_rule_add_stmt(struct rs_rule *r);
/* Move a finished rule's matches, statements, elements and strings into
 * rs's arena: one dense copy instead of many small heap blocks, freed with
 * rs.  A packed rule is read-only: nothing may be added to it or released
 * from it (rs_match_release() and the like are for rules being built).
 * Call it on the rule just built, not on one of a chain being moved to
 * another ruleset.  Returns 0, or -ENOMEM with the rule unchanged. */
int ruleset_pack_rule(struct ruleset *rs, struct rs_rule *r);
/* The same for a finished chain: its rules array (exactly nrules long) and
 * strings move into the arena; no rule can be added to it any more.  Its
 * rules are packed first if they are not.  Returns 0, or -ENOMEM with the
 * chain unchanged (some of its rules may be packed). */
int ruleset_pack_chain(struct ruleset *rs, struct rs_chain *c);
/* A hash of a chain's table and name (NULL: ""), as a packed chain keeps
 * in key_hash; equal strings, equal hash. */
uint32_t rs_chain_key_hash(const char *table, const char *name);
/* After every chain of rs is packed: each packed rule's jump or goto
 * target string becomes the target chain's own name string (same text,
 * same table and family), so that a lookup by name finds the chain by
 * address instead of comparing strings (the engine's jumps, every audit
 * of fwauditd).  An optimisation only: a name left alone (no such chain,
 * no memory for the index) is looked up as before. */
void ruleset_link_jumps(struct ruleset *rs);
/*
 * Do chains a and b (of two rulesets, read at two moments) say the same
 * thing: the same hook, priority, policy, type and device, and rule for
 * rule the same matches (with the same elements and the same contents of
 * the sets they look up), statements and verdicts (maps by contents)?
 * Names, positions, handles and comments are not compared; counters carry
 * no value in the model.  Whatever it does not know how to compare, it
 * calls different.  fwauditd: a table read again keeps what a walk found
 * in its chains that did not change (resume.c).
 */
bool rs_chain_same_content(const struct rs_chain *a,
			   const struct rs_chain *b);
/* Is c the chain table/name (key_hash: rs_chain_key_hash(table, name))?
 * A packed chain with another hash is ruled out without reading its
 * strings: a pass over 24,000 kube-proxy chains is cache misses, not
 * compares. */
bool rs_chain_named(const struct rs_chain *c, uint32_t key_hash,
		    const char *table, const char *name);
/* Is c in table (table_hash: rs_chain_key_hash(table, NULL))?  The same
 * for the table alone. */
bool rs_chain_in_table(const struct rs_chain *c, uint32_t table_hash,
		       const char *table);
/* A statement of the kinds that attach a conntrack helper ("objref",
 * "ct helper set", "CT"), whatever its parameters say. */
bool rs_stmt_may_attach_helper(const struct rs_stmt *s);
/* Move everything src holds (chains, sets, notes and the arena) to the end
 * of dst, all or nothing: 0 with src left empty, or -ENOMEM with both
 * unchanged.  Sources status and genid are the caller's business. */
int ruleset_append(struct ruleset *dst, struct ruleset *src);
/* Add a set to the ruleset, which takes ownership. */
int ruleset_add_set(struct ruleset *rs, struct rs_set *s);
/* Record a non-fatal note (printf-style).  Returns 0 or -ENOMEM. */
int ruleset_note(struct ruleset *rs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Match builders.  Each returns 0 or -ENOMEM. */
/* field in [lo, hi] (or not, with invert) */
int rs_match_set_range(struct rs_match *m, enum rs_field f, rs_u128 lo,
		       rs_u128 hi, bool invert);
/* append one single-field element [lo, hi] to an RS_OP_IN/NOT_IN match;
 * a match's elems array must only ever be grown through this function
 * (or be allocated with malloc by a reader that sets nelems once) */
int rs_match_add_interval(struct rs_match *m, rs_u128 lo, rs_u128 hi);
/* an interface-name match: "eth0", "eth+" (iptables) or "eth*" (nft)
 * wildcard; wildcard true means name is a prefix */
int rs_match_set_ifname(struct rs_match *m, enum rs_field f, const char *name,
			bool wildcard, bool invert);
/* a match the engine cannot decide: RS_F_OTHER, RS_F_UNKNOWN or RS_F_IPSET */
int rs_match_set_other(struct rs_match *m, enum rs_field f, const char *name,
		       uint8_t revision, const char *text, bool invert);

/* The elements of a match, whether inline or from a named set. */
static inline const struct rs_interval *rs_match_elems(const struct rs_match *m,
							size_t *nelems)
{
	if (m->set) {
		*nelems = m->set->nelems;
		return m->set->elems;
	}
	*nelems = m->nelems;
	return m->elems;
}

/* Interface name <-> 128-bit key.  rs_ifname_key() copies at most 16 bytes;
 * rs_ifname_interval() gives the interval for an exact name or a prefix. */
rs_u128 rs_ifname_key(const char *name);
struct rs_interval rs_ifname_interval(const char *name, bool wildcard);
/* Write the name held in key into buf (at least RS_IFNAMSIZ + 1 bytes). */
void rs_ifname_str(rs_u128 key, char *buf);

/* Field metadata: printable name ("iifname", "ip saddr", "ct original
 * proto-dst", ...), how its values print, and its width in bytes. */
enum rs_kind {
	RS_K_INT, RS_K_IFNAME, RS_K_ADDR4, RS_K_ADDR6, RS_K_MAC, RS_K_PROTO,
	RS_K_PORT, RS_K_CTSTATE, RS_K_HEX, RS_K_FIBTYPE, RS_K_NONE,
};
struct rs_field_info {
	const char *name;
	enum rs_kind kind;
	uint8_t width;
};
const struct rs_field_info *rs_field_info(enum rs_field f);
const char *rs_verdict_name(enum rs_verdict_kind k);
const char *rs_family_name(uint8_t nfproto);	/* "ip", "ip6", "inet", ... */
/* Hook name for a family: "prerouting", "input", ..., "ingress". */
const char *rs_hook_name(uint8_t nfproto, uint32_t hook);

/* Free the contents of one match/verdict (not the struct itself). */
void rs_match_release(struct rs_match *m);
void rs_verdict_release(struct rs_verdict *v);
void rs_set_free(struct rs_set *s);
/* Free the contents of n ipsets and the array; accepts NULL. */
void rs_ipsets_free(struct rs_ipset *s, size_t n);
/* The ipset of kernel index idx in rs, or NULL. */
const struct rs_ipset *ruleset_ipset(const struct ruleset *rs, uint16_t idx);

#endif
