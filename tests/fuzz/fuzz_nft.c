// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_nft.c - the nftables reader (nft.c, and libnftnl behind it) on
 * replay recordings (nft_replay_ruleset(), format in nft.c).
 *
 * Byte-level mutation of a whole recording dies in its framing (record
 * lengths, nlmsg_len, nla_len, the requests a replay must match) and never
 * reaches the decoders.  The custom mutator therefore changes structure,
 * not bytes: one attribute of one nf_tables message at a time, its payload
 * mutated with its length kept, or its type changed (duplicates, wrong
 * types); now and then a plain byte mutation keeps the framing checks
 * honest.  Seeds: rulesets loaded into scratch namespaces and recorded
 * (corpus/nft/), and tests/fixtures/nft/.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>

#include "fuzz.h"
#include "nft.h"
#include "rsprint.h"
#include "ruleset.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct ruleset *rs;
	const char *path;

	if (!null)
		null = fopen("/dev/null", "we");
	path = fuzz_file("input.rec", data, size);
	rs = ruleset_new();
	/* what fwaudit ruleset prints (comments, set elements) is read too */
	if (path && rs && nft_replay_ruleset(rs, path) == 0 && null) {
		rsprint_text(rs, null);
		rsprint_json(rs, null);
	}
	ruleset_free(rs);
	return 0;
}

/* An attribute found in the recording: where its header is. */
struct spot {
	size_t off;
	uint16_t len;		/* nla_len */
};

#define MAX_SPOTS	4096

struct spots {
	struct spot v[MAX_SPOTS];
	size_t n;
};

static void spot_add(struct spots *s, size_t off, uint16_t len)
{
	if (s->n < MAX_SPOTS)
		s->v[s->n++] = (struct spot){ off, len };
}

/* Does [p, p + len) hold nothing but whole attributes? */
static bool attrs_whole(const uint8_t *p, size_t len)
{
	const struct nlattr *a;

	while (len >= MNL_ATTR_HDRLEN) {
		a = (const struct nlattr *)p;
		if (a->nla_len < MNL_ATTR_HDRLEN || a->nla_len > len)
			return false;
		if ((size_t)MNL_ALIGN(a->nla_len) >= len)
			return true;
		len -= MNL_ALIGN(a->nla_len);
		p += MNL_ALIGN(a->nla_len);
	}
	return len == 0;
}

/* Every attribute in [base + off, + len), nested ones too (nf_tables does
 * not flag them: anything that parses whole as attributes is walked). */
static void walk_attrs(const uint8_t *base, size_t off, size_t len,
		       struct spots *s, int depth)
{
	const struct nlattr *a;

	while (len >= MNL_ATTR_HDRLEN) {
		a = (const struct nlattr *)(base + off);
		if (a->nla_len < MNL_ATTR_HDRLEN || a->nla_len > len)
			return;
		spot_add(s, off, a->nla_len);
		if (depth < 6 && a->nla_len > MNL_ATTR_HDRLEN &&
		    attrs_whole(base + off + MNL_ATTR_HDRLEN,
				a->nla_len - MNL_ATTR_HDRLEN))
			walk_attrs(base, off + MNL_ATTR_HDRLEN,
				   a->nla_len - MNL_ATTR_HDRLEN, s, depth + 1);
		if ((size_t)MNL_ALIGN(a->nla_len) >= len)
			return;
		len -= MNL_ALIGN(a->nla_len);
		off += MNL_ALIGN(a->nla_len);
	}
}

/* The attributes of every nf_tables message the recording's 'R' records
 * hold (u32 kind, u32 length, data padded to 4). */
static void find_spots(const uint8_t *data, size_t size, struct spots *s)
{
	const size_t hdr = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg));
	size_t off = 0, end, m;
	uint32_t kind, len;

	while (size - off >= 8) {
		memcpy(&kind, data + off, 4);
		memcpy(&len, data + off + 4, 4);
		off += 8;
		if (len > size - off)
			return;
		end = off + len;
		for (m = off; kind == 'R' && end - m >= hdr;) {
			const struct nlmsghdr *nlh = (const void *)(data + m);

			if (nlh->nlmsg_len < hdr || nlh->nlmsg_len > end - m)
				break;
			if ((nlh->nlmsg_type >> 8) == NFNL_SUBSYS_NFTABLES)
				walk_attrs(data, m + hdr, nlh->nlmsg_len - hdr,
					   s, 0);
			if ((size_t)MNL_ALIGN(nlh->nlmsg_len) >= end - m)
				break;
			m += MNL_ALIGN(nlh->nlmsg_len);
		}
		if (((len + 3) & ~3u) >= size - off)
			return;
		off += (len + 3) & ~3u;
	}
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	static struct spots s;
	struct nlattr *a;
	struct spot *sp;

	srand(seed);
	s.n = 0;
	find_spots(data, size, &s);
	if (!s.n || rand() % 16 == 0)
		return LLVMFuzzerMutate(data, size, max_size);
	sp = &s.v[(size_t)rand() % s.n];
	a = (struct nlattr *)(data + sp->off);
	if (rand() % 8 == 0) {
		/* another type: a duplicate, or one of the wrong kind */
		a->nla_type = (uint16_t)((a->nla_type & ~NLA_TYPE_MASK) |
					 (unsigned int)(rand() % 20));
		return size;
	}
	if (sp->len > MNL_ATTR_HDRLEN)
		/* in place: what LLVMFuzzerMutate shortens keeps its bytes */
		LLVMFuzzerMutate(data + sp->off + MNL_ATTR_HDRLEN,
				 sp->len - MNL_ATTR_HDRLEN,
				 sp->len - MNL_ATTR_HDRLEN);
	return size;
}
