/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft_build.h - PRIVATE to the nftables reader (readers/nft*.c): what its
 * parts share while a ruleset is built (struct nft_build, the register
 * machine's context).  The public interface is nft.h; nothing else includes
 * this file (tests/unit/test_nft.c includes the parts themselves).
 */
#ifndef NFT_BUILD_H
#define NFT_BUILD_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "nft.h"
#include "nldump.h"
#include "xt.h"

struct nft_build;

/*
 * The collected snapshot: libnftnl objects, in dump order.
 */
struct nft_ptrs {
	void **v;
	size_t n, cap;
};

/* One attempt.  Rules are not collected: each is built into the model as
 * its message is parsed (sets and chains are known by then), so the libnftnl
 * rule objects never pile up. */
struct nft_fetch {
	struct nft_ptrs tables, sets;
	struct nft_ptrs objs;		/* ct helper objects (nftnl_obj) */
	size_t nelems;
	size_t nrules;
	uint32_t genid;
	struct nftnl_set *elem_set;	/* set whose elements are dumped */
	struct nft_build *b;		/* where rules are built */
	struct rs_chain *chain;		/* chain whose rules are dumped */
	int err;			/* set by callbacks */
	/* nft_dump_table(): only this table's chains and sets */
	const char *only_table;
	uint8_t only_family;
};

#define NFT_NREGS	16	/* 32-bit registers NFT_REG32_00 .. 15 */
#define NFT_REG_PARTS	4	/* fields one register load can hold */

static const rs_u128 nft_u128_max = ~(rs_u128)0;

/* What a set key / map data field is: its field, width in the key and how
 * a key value becomes an interval of the field. */
struct nft_keyfield {
	enum rs_field field;
	uint8_t width;		/* bytes of the value in the register */
	uint8_t fwidth;		/* bytes of the field */
	uint8_t shift;		/* value << 8*shift is the field value */
	bool host;
	rs_u128 fmask;		/* bits of the field compared */
};

struct nft_layout {
	uint8_t nfields;
	struct nft_keyfield f[RS_CONCAT_MAX];
};

/* Side information about one set while rules are decoded. */
struct nft_setx {
	struct rs_set *set;
	struct nftnl_set *nl;
	bool decoded;
	struct nft_layout layout;
};

struct nft_tablex {
	uint8_t family;
	const char *name;
	bool dormant;
};

struct nft_build {
	struct ruleset *rs;
	struct nft_fetch *f;
	struct nft_setx *sets;
	size_t nsets;
	struct nft_tablex *tables;
	size_t ntables;
};

/* One part of a loaded value: bytes [foff, foff + len) of a field of
 * fwidth bytes sit at register offset roff. */
struct nft_part {
	enum rs_field field;
	uint8_t fwidth;
	uint8_t foff;
	uint8_t len;
	uint8_t roff;
	bool host;
	uint8_t plus;		/* the field is the loaded value + plus (ip6
				 * length: payload length + 40) */
	bool tc6;		/* bytes [foff, foff + len) of the first two
				 * bytes of the IPv6 header, where the traffic
				 * class sits 4 bits off the byte boundary */
};

enum nft_reg_kind {
	NREG_NONE,
	NREG_LOAD,	/* packet/metadata field(s) */
	NREG_IMM,	/* immediate data */
	NREG_MAP,	/* data of a map lookup */
	NREG_OTHER,	/* a value we do not name: desc says what */
	NREG_CONT,	/* continuation of the register before */
};

struct nft_reg {
	enum nft_reg_kind kind;
	uint8_t len;
	uint8_t nparts;
	struct nft_part parts[NFT_REG_PARTS];
	bool masked;		/* bitwise applied: mask, xor */
	uint8_t mask[16], xor[16];
	bool present;		/* fib ... present: 0 or 1 */
	bool exists;		/* exthdr ... exists: 0 or 1 for parts[0]
				 * and exbit (see nft_exists()) */
	rs_u128 exbit;
	bool absent_breaks;	/* exthdr / tcp option value: with no such
				 * header the rule does not match (NFT_BREAK) */
	uint8_t data[16];	/* NREG_IMM */
	struct nft_setx *map;	/* NREG_MAP: the map, its key, component */
	uint8_t mapcomp;
	uint8_t mapnf;
	uint8_t mapfields[RS_CONCAT_MAX];	/* enum rs_field */
	char desc[96];		/* NREG_OTHER, raw payload */
	const char *name;	/* NREG_OTHER: expression name */
	bool raw;		/* NREG_LOAD of unnamed payload bytes */
	bool ng;		/* RS_F_NUMGEN: it draws from [ng_lo, ng_hi] */
	uint32_t ng_lo, ng_hi;
	bool maptotal;		/* NREG_MAP: every key value has an element */
};

struct nft_rctx {
	struct nft_build *b;
	struct rs_rule *r;
	uint8_t family;		/* table family */
	const char *table;
	uint8_t l3;		/* NFPROTO_IPV4/IPV6 once known */
	int l4;			/* IPPROTO_* once known, else -1 */
	struct nft_reg regs[NFT_NREGS];
	int err;
};

/* nft.c: the ct helper object NAME of family's table, as read (type
 * NFT_OBJECT_CT_HELPER), or NULL. */
struct nftnl_obj *nft_cthelper_find(const struct nft_fetch *f,
					  uint8_t family, const char *table,
					  const char *name);

/* nft_expr.c */
int nft_udata_parse(const void *ud, uint32_t len, nftnl_udata_cb_t cb,
		    void *data);
int nft_rule_build(struct nft_build *b, struct rs_chain *ch,
		   struct nftnl_rule *nr);

/* nft_sets.c */
struct nft_setx *nft_set_find(struct nft_build *b, uint8_t family,
			      const char *table, const char *name);
int nft_key_layout(struct nft_rctx *c, uint32_t sreg, uint32_t keylen,
		   struct nft_layout *l);
int nft_verdict_set(struct rs_verdict *v, int32_t code,
		    const char *chain);
int nft_data_layout(const struct rs_set *s, uint8_t *widths,
		    bool *host);
int nft_elems_decode(struct nft_build *b, struct nft_setx *x,
		     const struct nft_layout *l,
		     struct rs_interval **elems_out,
		     struct rs_elem_data **data_out, size_t *n_out);
int nft_set_prepare(struct nft_build *b, struct nft_setx *x,
		    const struct nft_layout *l);
void nft_key_text(const struct nft_rctx *c, uint32_t sreg, char *buf,
		  size_t size);
bool nft_set_covers(const struct rs_set *s, uint32_t lo, uint32_t hi);
int nft_sets_build(struct nft_build *b);
int nft_sets_finish(struct nft_build *b);

static inline rs_u128 nft_ones(unsigned int bytes)
{
	return bytes >= 16 ? nft_u128_max : (((rs_u128)1 << (8 * bytes)) - 1);
}

/* Bytes as the kernel compares them: big-endian, or host order for the
 * values the kernel stores natively (meta mark, ct state, ...). */
static inline rs_u128 nft_bytes_value(const uint8_t *p, unsigned int len,
				      bool host)
{
	rs_u128 v = 0;
	unsigned int i;

	if (host && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
		for (i = len; i-- > 0;)
			v = (v << 8) | p[i];
		return v;
	}
	for (i = 0; i < len; i++)
		v = (v << 8) | p[i];
	return v;
}

static inline int nft_reg_index(uint32_t reg, int *idx)
{
	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		*idx = (int)(reg - NFT_REG_1) * 4;
	else if (reg >= NFT_REG32_00 && reg < NFT_REG32_00 + NFT_NREGS)
		*idx = (int)(reg - NFT_REG32_00);
	else
		return -EINVAL;
	return 0;
}

static inline struct nft_reg *nft_reg_read(struct nft_rctx *c, uint32_t reg)
{
	int idx;

	if (nft_reg_index(reg, &idx) < 0)
		return NULL;
	if (c->regs[idx].kind == NREG_NONE || c->regs[idx].kind == NREG_CONT)
		return NULL;
	return &c->regs[idx];
}

static inline bool nft_is_prefix(rs_u128 fmask, rs_u128 full)
{
	rs_u128 low = ~fmask & full;

	return (low & (low + 1)) == 0;
}

#endif /* NFT_BUILD_H */
