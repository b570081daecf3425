// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_sets.c - nftables sets, maps and their elements decoded into the
 * ruleset model, under the key layout the rules that look them up use:
 * part of the nftables reader (see nft.c and nft_build.h).
 */
#include "nft_build.h"
#include "util.h"

/*
 * Sets.
 */

struct nft_setx *nft_set_find(struct nft_build *b, uint8_t family,
			      const char *table, const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < b->nsets; i++) {
		struct rs_set *s = b->sets[i].set;

		if (s->family == family && !strcmp(s->table, table) &&
		    !strcmp(s->name, name))
			return &b->sets[i];
	}
	return NULL;
}

static bool nft_layout_eq(const struct nft_layout *a,
			  const struct nft_layout *b)
{
	unsigned int i;

	if (a->nfields != b->nfields)
		return false;
	for (i = 0; i < a->nfields; i++)
		if (a->f[i].width != b->f[i].width ||
		    a->f[i].host != b->f[i].host ||
		    a->f[i].shift != b->f[i].shift ||
		    a->f[i].fwidth != b->f[i].fwidth ||
		    a->f[i].fmask != b->f[i].fmask)
			return false;
	return true;
}

/* The key of a lookup starting at register sreg, as fields: each field
 * of a concatenation takes whole 32-bit registers.  Returns 0 or -EINVAL
 * when the registers do not hold named fields of the key's length. */
int nft_key_layout(struct nft_rctx *c, uint32_t sreg, uint32_t keylen,
		   struct nft_layout *l)
{
	uint32_t used = 0;
	int idx;

	memset(l, 0, sizeof(*l));
	if (nft_reg_index(sreg, &idx) < 0)
		return -EINVAL;
	while (used < keylen) {
		const struct nft_reg *g;
		const struct nft_part *p;
		struct nft_keyfield *k;
		rs_u128 full;
		unsigned int i, step;

		if (idx >= NFT_NREGS || l->nfields == RS_CONCAT_MAX)
			return -EINVAL;
		g = &c->regs[idx];
		if (g->kind != NREG_LOAD || g->nparts != 1 || g->raw ||
		    g->exists)
			return -EINVAL;
		p = &g->parts[0];
		/* set elements are not shifted by 40, nor split at the
		 * traffic class; a value that may be absent is handled by
		 * nft_lookup() for a key of that field alone */
		if (p->plus || p->tc6 ||
		    (g->absent_breaks && g->len != keylen))
			return -EINVAL;
		k = &l->f[l->nfields++];
		k->field = p->field;
		k->width = g->len;
		k->fwidth = p->fwidth;
		k->host = p->host;
		full = nft_ones(p->fwidth);
		if (p->host) {
			if (p->foff || p->len != p->fwidth || g->masked)
				return -EINVAL;
			k->fmask = full;
		} else {
			uint8_t m[16];

			for (i = 0; i < g->len; i++)
				m[i] = g->masked ? g->mask[i] : 0xff;
			k->shift = p->fwidth - p->foff - p->len;
			k->fmask = (nft_bytes_value(m, g->len, false) <<
				    (8 * k->shift)) & full;
			if (!nft_is_prefix(k->fmask, full) ||
			    (g->masked && memcmp(g->xor, (uint8_t[16]){ 0 },
						 g->len)))
				return -EINVAL;
		}
		step = (g->len + 3) & ~3u;
		/* a key of one field has its own length, not a padded one */
		used += used + g->len == keylen ? g->len : step;
		idx += (int)step / 4;
	}
	return used == keylen ? 0 : -EINVAL;
}

/* Default layout of a set no rule looks up: its own description. */
static void nft_set_own_layout(const struct nft_setx *x, struct nft_layout *l)
{
	const uint8_t *lens = NULL;
	uint32_t n = 0, i;

	memset(l, 0, sizeof(*l));
	if (nftnl_set_is_set(x->nl, NFTNL_SET_DESC_CONCAT))
		lens = nftnl_set_get_data(x->nl, NFTNL_SET_DESC_CONCAT, &n);
	if (!lens || n < 2 || n > RS_CONCAT_MAX) {
		n = 1;
		lens = NULL;
	}
	for (i = 0; i < n; i++) {
		uint8_t w = lens ? lens[i] : (uint8_t)(x->set->key_len > 16 ?
						       16 : x->set->key_len);

		l->f[i] = (struct nft_keyfield){
			.field = RS_F_PAYLOAD, .width = w, .fwidth = w,
			.fmask = nft_ones(w),
		};
	}
	l->nfields = (uint8_t)n;
}

struct nft_elem_item {
	struct rs_interval iv[RS_CONCAT_MAX];
	struct rs_elem_data data;
	bool end;		/* rbtree: NFT_SET_ELEM_INTERVAL_END */
	bool has_end;		/* pipapo: NFTA_SET_ELEM_KEY_END */
};

static int nft_key_decode(const struct nft_layout *l, const uint8_t *key,
			  uint32_t len, struct rs_interval *iv)
{
	uint32_t off = 0;
	unsigned int i;

	for (i = 0; i < l->nfields; i++) {
		const struct nft_keyfield *k = &l->f[i];
		rs_u128 v, low = ~k->fmask & nft_ones(k->fwidth);

		if (off + k->width > len)
			return -EINVAL;
		v = nft_bytes_value(key + off, k->width, k->host) <<
		    (8 * k->shift);
		iv[i].lo = v & k->fmask;
		iv[i].hi = (v & k->fmask) | low;
		off += (k->width + 3) & ~3u;
	}
	return 0;
}

int nft_verdict_set(struct rs_verdict *v, int32_t code,
		    const char *chain)
{
	memset(v, 0, sizeof(*v));
	switch (code) {
	case NF_ACCEPT:
		v->kind = RS_V_ACCEPT;
		break;
	case NF_DROP:
		v->kind = RS_V_DROP;
		break;
	case NFT_RETURN:
		v->kind = RS_V_RETURN;
		break;
	case NFT_CONTINUE:
		v->kind = RS_V_NONE;
		break;
	case NFT_JUMP:
	case NFT_GOTO:
		v->kind = code == NFT_JUMP ? RS_V_JUMP : RS_V_GOTO;
		if (!chain)
			return -EPROTO;
		v->chain = strdup(chain);
		if (!v->chain)
			return -ENOMEM;
		break;
	default:
		if ((code & NF_VERDICT_MASK) == NF_QUEUE) {
			v->kind = RS_V_QUEUE;
			v->queue_num = (uint32_t)code >> NF_VERDICT_QBITS;
			v->queue_bypass = code & NF_VERDICT_FLAG_QUEUE_BYPASS;
			break;
		}
		v->kind = RS_V_OTHER;
		if (asprintf(&v->name, "verdict %d", code) < 0) {
			v->name = NULL;
			return -ENOMEM;
		}
		break;
	}
	return 0;
}

/* Map data type ids of nftables (datatype.h): width and byte order of the
 * ones a map can hand to nat or meta. */
static bool nft_data_type_width(uint32_t type, uint8_t *width, bool *host)
{
	switch (type) {
	case 5:		/* TYPE_INET_PROTOCOL */
		*width = 1, *host = false;
		return true;
	case 7:		/* TYPE_IPADDR */
		*width = 4, *host = false;
		return true;
	case 8:		/* TYPE_IP6ADDR */
		*width = 16, *host = false;
		return true;
	case 13:	/* TYPE_INET_SERVICE */
		*width = 2, *host = false;
		return true;
	case 19:	/* TYPE_MARK */
		*width = 4, *host = true;
		return true;
	default:
		return false;
	}
}

/* Split map data into its components (addr . port): nftables packs a
 * concatenated type as 6-bit type ids, first component highest. */
int nft_data_layout(const struct rs_set *s, uint8_t *widths,
		    bool *host)
{
	uint32_t type = s->data_type, ids[4];
	unsigned int n = 0, i, total = 0;

	while (type && n < ARRAY_SIZE(ids)) {
		ids[n++] = type & 0x3f;
		type >>= 6;
	}
	if (type || n == 0 || n > 2)
		goto whole;
	for (i = 0; i < n; i++) {
		if (!nft_data_type_width(ids[n - 1 - i], &widths[i], &host[i]))
			goto whole;
		total += (widths[i] + 3u) & ~3u;
	}
	if (total != s->data_len && !(n == 1 && widths[0] == s->data_len))
		goto whole;
	return (int)n;
whole:
	widths[0] = (uint8_t)(s->data_len > 16 ? 16 : s->data_len);
	host[0] = false;
	return 1;
}

static int nft_elem_data(const struct rs_set *s, struct nftnl_set_elem *ne,
			 struct rs_elem_data *d)
{
	uint8_t widths[2];
	bool host[2];
	const uint8_t *p;
	uint32_t len = 0, off = 0;
	int i, n;

	if (!(s->flags & NFT_SET_MAP))
		return 0;
	if (s->data_type == NFT_DATA_VERDICT) {
		if (!nftnl_set_elem_is_set(ne, NFTNL_SET_ELEM_VERDICT))
			return -EPROTO;
		return nft_verdict_set(&d->verdict,
				       (int32_t)nftnl_set_elem_get_u32(ne,
						NFTNL_SET_ELEM_VERDICT),
				       nftnl_set_elem_is_set(ne,
						NFTNL_SET_ELEM_CHAIN) ?
				       nftnl_set_elem_get_str(ne,
						NFTNL_SET_ELEM_CHAIN) : NULL);
	}
	p = nftnl_set_elem_get(ne, NFTNL_SET_ELEM_DATA, &len);
	if (!p)
		return -EPROTO;
	n = nft_data_layout(s, widths, host);
	for (i = 0; i < n; i++) {
		if (off + widths[i] > len)
			return -EPROTO;
		d->value[i] = nft_bytes_value(p + off, widths[i], host[i]);
		off += (widths[i] + 3u) & ~3u;
	}
	d->nvalues = (uint8_t)n;
	return 0;
}

static int nft_elem_data_copy(struct rs_elem_data *dst,
			      const struct rs_elem_data *src)
{
	*dst = *src;
	dst->verdict.chain = NULL;
	dst->verdict.name = NULL;
	if (src->verdict.chain) {
		dst->verdict.chain = strdup(src->verdict.chain);
		if (!dst->verdict.chain)
			return -ENOMEM;
	}
	if (src->verdict.name) {
		dst->verdict.name = strdup(src->verdict.name);
		if (!dst->verdict.name)
			return -ENOMEM;
	}
	return 0;
}

static int nft_item_cmp(const void *a, const void *b, void *arg)
{
	const struct nft_elem_item *x = a, *y = b;
	unsigned int n = *(const uint8_t *)arg, i;

	for (i = 0; i < n; i++) {
		if (x->iv[i].lo != y->iv[i].lo)
			return x->iv[i].lo < y->iv[i].lo ? -1 : 1;
		if (x->iv[i].hi != y->iv[i].hi)
			return x->iv[i].hi < y->iv[i].hi ? -1 : 1;
	}
	/* rbtree: at the same key the end of one interval comes first */
	return (int)y->end - (int)x->end;
}

static void nft_items_free(struct nft_elem_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		rs_verdict_release(&items[i].data.verdict);
	free(items);
}

/* Decode the elements of x under layout l into intervals (sorted) and map
 * data.  rbtree interval sets hold start elements and end elements (the
 * first key after the interval); an element matches a key when it is the
 * greatest start <= key with no end in between, so a start reaches up to
 * the next element of any kind.  Concatenated intervals carry KEY_END. */
int nft_elems_decode(struct nft_build *b, struct nft_setx *x,
		     const struct nft_layout *l,
		     struct rs_interval **elems_out,
		     struct rs_elem_data **data_out, size_t *n_out)
{
	struct rs_set *s = x->set;
	struct nftnl_set_elems_iter *it = NULL;
	struct nft_elem_item *items = NULL, *tmp, catchall;
	struct rs_interval *elems = NULL;
	struct rs_elem_data *data = NULL;
	struct nftnl_set_elem *ne;
	size_t n = 0, cap = 0, i, j, out = 0;
	bool map = s->flags & NFT_SET_MAP, has_catchall = false;
	uint8_t nf = l->nfields;
	int ret;

	memset(&catchall, 0, sizeof(catchall));
	it = nftnl_set_elems_iter_create(x->nl);
	if (!it) {
		ret = -ENOMEM;
		goto out;
	}
	for (ne = nftnl_set_elems_iter_next(it); ne;
	     ne = nftnl_set_elems_iter_next(it)) {
		const void *key, *kend;
		uint32_t klen = 0, kelen = 0, flags = 0;
		struct nft_elem_item *item;

		if (nftnl_set_elem_is_set(ne, NFTNL_SET_ELEM_FLAGS))
			flags = nftnl_set_elem_get_u32(ne, NFTNL_SET_ELEM_FLAGS);
		if (flags & NFT_SET_ELEM_CATCHALL) {
			item = &catchall;
			has_catchall = true;
		} else {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				tmp = reallocarray(items, cap, sizeof(*items));
				if (!tmp) {
					ret = -ENOMEM;
					goto out;
				}
				items = tmp;
			}
			item = &items[n++];
			memset(item, 0, sizeof(*item));
			key = nftnl_set_elem_get(ne, NFTNL_SET_ELEM_KEY, &klen);
			if (!key || nft_key_decode(l, key, klen, item->iv) < 0) {
				ret = -EPROTO;
				goto out;
			}
			item->end = flags & NFT_SET_ELEM_INTERVAL_END;
			kend = nftnl_set_elem_get(ne, NFTNL_SET_ELEM_KEY_END,
						  &kelen);
			if (kend) {
				struct rs_interval hi[RS_CONCAT_MAX];

				if (nft_key_decode(l, kend, kelen, hi) < 0) {
					ret = -EPROTO;
					goto out;
				}
				for (j = 0; j < nf; j++)
					item->iv[j].hi = hi[j].hi;
				item->has_end = true;
			}
		}
		if (!item->end) {
			ret = nft_elem_data(s, ne, &item->data);
			if (ret < 0)
				goto out;
		}
	}
	if (n > 1)
		qsort_r(items, n, sizeof(*items), nft_item_cmp, &nf);

	elems = calloc((n + 1) * (has_catchall ? 2 : 1), nf * sizeof(*elems));
	if (map)
		data = calloc((n + 1) * (has_catchall ? 2 : 1), sizeof(*data));
	if (!elems || (map && !data)) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct nft_elem_item *it_i = &items[i];

		if (it_i->end)
			continue;
		for (j = 0; j < nf; j++)
			elems[out * nf + j] = it_i->iv[j];
		if ((s->flags & NFT_SET_INTERVAL) && nf == 1 && !it_i->has_end) {
			rs_u128 hi = nft_ones(l->f[0].fwidth);

			for (j = i + 1; j < n; j++)
				if (items[j].iv[0].lo > it_i->iv[0].lo) {
					hi = items[j].iv[0].lo - 1;
					break;
				}
			elems[out].hi = hi;
		}
		if (map) {
			data[out] = it_i->data;
			memset(&it_i->data, 0, sizeof(it_i->data));
		}
		out++;
	}
	if (has_catchall && nf != 1) {
		ret = ruleset_note(b->rs, "set %s %s %s: catch-all element of "
				   "a concatenation not decoded",
				   rs_family_name(s->family), s->table,
				   s->name);
		if (ret < 0)
			goto out;
	} else if (has_catchall) {
		/* "*" is whatever no other element matches: the gaps */
		rs_u128 next = 0, max = nft_ones(l->f[0].fwidth);
		size_t k = out;
		bool full = false;

		for (i = 0; i <= k && !full; i++) {
			rs_u128 lo = i < k ? elems[i].lo : max;

			if (i == k || lo > next) {
				elems[out].lo = next;
				elems[out].hi = i < k ? lo - 1 : max;
				if (map) {
					ret = nft_elem_data_copy(&data[out],
								 &catchall.data);
					if (ret < 0)
						goto out;
				}
				out++;
			}
			if (i == k || elems[i].hi == max)
				full = true;
			else if (elems[i].hi + 1 > next)
				next = elems[i].hi + 1;
		}
	}
	*elems_out = elems;
	*data_out = data;
	*n_out = out;
	elems = NULL;
	data = NULL;
	ret = 0;
out:
	if (it)
		nftnl_set_elems_iter_destroy(it);
	if (items)
		nft_items_free(items, n);
	rs_verdict_release(&catchall.data.verdict);
	free(elems);
	if (data) {
		for (i = 0; i < out; i++)
			rs_verdict_release(&data[i].verdict);
		free(data);
	}
	return ret;
}

/* Decode x under layout l into the set itself, once.  Returns 0 when the
 * set's elements fit l, 1 when the set was decoded with another layout
 * (the caller decodes privately), or a negative errno. */
int nft_set_prepare(struct nft_build *b, struct nft_setx *x,
		    const struct nft_layout *l)
{
	struct rs_set *s = x->set;
	unsigned int i;
	int ret;

	if (x->decoded)
		return nft_layout_eq(&x->layout, l) ? 0 : 1;
	ret = nft_elems_decode(b, x, l, &s->elems, &s->data, &s->nelems);
	if (ret < 0)
		return ret;
	s->nfields = l->nfields;
	for (i = 0; i < l->nfields; i++) {
		s->widths[i] = l->f[i].width;
		s->fields[i] = l->f[i].field;
	}
	x->layout = *l;
	x->decoded = true;
	return 0;
}

void nft_key_text(const struct nft_rctx *c, uint32_t sreg, char *buf,
		  size_t size)
{
	const struct nft_reg *g = nft_reg_read((struct nft_rctx *)c, sreg);

	if (!g)
		snprintf(buf, size, "?");
	else if (g->kind == NREG_LOAD && !g->raw && g->nparts)
		snprintf(buf, size, "%s", rs_field_info(g->parts[0].field)->name);
	else
		snprintf(buf, size, "%s", g->desc[0] ? g->desc : "?");
}

/* Do the one-field elements of s hold every value of [lo, hi]? */
bool nft_set_covers(const struct rs_set *s, uint32_t lo, uint32_t hi)
{
	uint64_t next = lo;
	bool grew = true;
	size_t i;

	if (s->nfields != 1)
		return false;
	/* few elements: sweep until nothing extends the covered prefix */
	while (grew && next <= hi) {
		grew = false;
		for (i = 0; i < s->nelems; i++) {
			if (s->elems[i].lo <= next && s->elems[i].hi >= next) {
				next = (uint64_t)s->elems[i].hi + 1;
				grew = true;
			}
		}
	}
	return next > hi;
}

static int nft_set_keyorder_cb(const struct nftnl_udata *attr, void *data)
{
	bool *host = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_KEYBYTEORDER &&
	    nftnl_udata_len(attr) == sizeof(uint32_t))
		/* nftables' BYTEORDER_HOST_ENDIAN */
		*host = nftnl_udata_get_u32(attr) == 1;
	return 0;
}

int nft_sets_build(struct nft_build *b)
{
	size_t i;
	int ret;

	b->sets = calloc(b->f->sets.n + 1, sizeof(*b->sets));
	if (!b->sets)
		return -ENOMEM;
	for (i = 0; i < b->f->sets.n; i++) {
		struct nftnl_set *ns = b->f->sets.v[i];
		struct rs_set *s = calloc(1, sizeof(*s));

		if (!s)
			return -ENOMEM;
		s->family = (uint8_t)nftnl_set_get_u32(ns, NFTNL_SET_FAMILY);
		s->table = strdup(nftnl_set_get_str(ns, NFTNL_SET_TABLE));
		s->name = strdup(nftnl_set_get_str(ns, NFTNL_SET_NAME));
		s->flags = nftnl_set_get_u32(ns, NFTNL_SET_FLAGS);
		s->key_type = nftnl_set_get_u32(ns, NFTNL_SET_KEY_TYPE);
		s->key_len = nftnl_set_get_u32(ns, NFTNL_SET_KEY_LEN);
		if (nftnl_set_is_set(ns, NFTNL_SET_DATA_TYPE))
			s->data_type = nftnl_set_get_u32(ns,
							 NFTNL_SET_DATA_TYPE);
		if (nftnl_set_is_set(ns, NFTNL_SET_DATA_LEN))
			s->data_len = nftnl_set_get_u32(ns, NFTNL_SET_DATA_LEN);
		if (!s->table || !s->name ||
		    (ret = ruleset_add_set(b->rs, s)) < 0) {
			rs_set_free(s);
			return -ENOMEM;
		}
		if (s->key_len == 0 || s->key_len > 64 || s->data_len > 64)
			return -EPROTO;
		b->sets[b->nsets].set = s;
		b->sets[b->nsets].nl = ns;
		b->nsets++;
	}
	return 0;
}

/* Sets no rule looked up (used by dynset, or not at all) are decoded with
 * their own description so that their elements are still there. */
int nft_sets_finish(struct nft_build *b)
{
	struct nft_layout l;
	size_t i;
	int ret;

	for (i = 0; i < b->nsets; i++) {
		struct nft_setx *x = &b->sets[i];
		bool host = false;
		uint32_t len = 0;
		const void *ud;

		if (x->decoded)
			continue;
		nft_set_own_layout(x, &l);
		if (l.nfields == 1 &&
		    nftnl_set_is_set(x->nl, NFTNL_SET_USERDATA)) {
			ud = nftnl_set_get_data(x->nl, NFTNL_SET_USERDATA, &len);
			if (ud && nft_udata_parse(ud, len, nft_set_keyorder_cb,
						  &host) == -EBADMSG &&
			    ruleset_note(b->rs, "%s %s set %s has malformed "
					 "user data: its key is read in "
					 "network byte order",
					 rs_family_name(x->set->family),
					 x->set->table, x->set->name) < 0)
				return -ENOMEM;
			l.f[0].host = host && l.f[0].width <= 16;
		}
		ret = nft_set_prepare(b, x, &l);
		if (ret < 0)
			return ret;
	}
	return 0;
}

