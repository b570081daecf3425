// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * srcview.c - source address sets named by the policy's zones.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "region.h"
#include "srcview.h"

struct sv_zone {
	char *name;
	size_t n[2];			/* [0] IPv4, [1] IPv6 */
	struct rs_interval *iv[2];
	rs_u128 size[2];		/* addresses, saturated */
};

struct srcview {
	size_t nzones;
	struct sv_zone *zones;
};

/* An interval set: sorted, disjoint, not adjacent. */
struct ivset {
	size_t n;
	struct rs_interval *iv;
};

static int fam_index(uint8_t family)
{
	return family == NFPROTO_IPV4 ? 0 : family == NFPROTO_IPV6 ? 1 : -1;
}

static rs_u128 fam_max(uint8_t family)
{
	return family == NFPROTO_IPV4 ? (rs_u128)0xffffffffu : ~(rs_u128)0;
}

void srcview_free(struct srcview *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->nzones; i++) {
		free(v->zones[i].name);
		free(v->zones[i].iv[0]);
		free(v->zones[i].iv[1]);
	}
	free(v->zones);
	free(v);
}

int srcview_new(const struct policy *p, struct srcview **out)
{
	static const uint8_t fams[2] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	size_t i, k, nz = policy_nzones(p);
	struct srcview *v;
	const char *name;
	int f, ret;

	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->zones = calloc(nz + 1, sizeof(*v->zones));
	if (!v->zones) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nz; i++) {
		struct sv_zone *z = &v->zones[v->nzones++];

		for (f = 0; f < 2; f++) {
			ret = policy_zone(p, i, fams[f], &name, &z->iv[f],
					  &z->n[f]);
			if (ret < 0)
				goto out;
			for (k = 0; k < z->n[f]; k++) {
				rs_u128 w = z->iv[f][k].hi - z->iv[f][k].lo;

				/* the whole IPv6 space does not fit: it
				 * stays the biggest zone all the same */
				z->size[f] = z->size[f] + w + 1 > z->size[f] ?
					     z->size[f] + w + 1 : ~(rs_u128)0;
			}
		}
		/* a zone called "none" would read as the empty set: it
		 * is not used to name sources */
		if (!strcmp(name, "none"))
			z->n[0] = z->n[1] = 0;
		z->name = strdup(name);
		if (!z->name) {
			ret = -ENOMEM;
			goto out;
		}
	}
	*out = v;
	return 0;
out:
	srcview_free(v);
	return ret;
}

/* ---------------------------------------------------------------------
 * Interval sets.
 */

/* a minus b, into a new set. */
static int ivs_minus(const struct ivset *a, const struct ivset *b,
		     struct ivset *out)
{
	struct rs_interval *r, cur;
	size_t i, j = 0, n = 0;

	/* each interval of b splits at most one interval of a in two */
	r = calloc(a->n + b->n + 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (i = 0; i < a->n; i++) {
		bool gone = false;

		cur = a->iv[i];
		while (j < b->n && b->iv[j].hi < cur.lo)
			j++;
		for (size_t k = j; k < b->n && b->iv[k].lo <= cur.hi; k++) {
			if (b->iv[k].lo > cur.lo)
				r[n++] = (struct rs_interval){ cur.lo,
							       b->iv[k].lo - 1 };
			if (b->iv[k].hi >= cur.hi) {
				gone = true;
				break;
			}
			cur.lo = b->iv[k].hi + 1;
		}
		if (!gone)
			r[n++] = cur;
	}
	out->n = n;
	out->iv = r;
	return 0;
}

/* a union b, into a new set. */
static int ivs_union(const struct ivset *a, const struct ivset *b,
		     struct ivset *out)
{
	struct rs_interval *r, x;
	size_t i = 0, j = 0, n = 0;

	r = calloc(a->n + b->n + 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	while (i < a->n || j < b->n) {
		if (j >= b->n || (i < a->n && a->iv[i].lo <= b->iv[j].lo))
			x = a->iv[i++];
		else
			x = b->iv[j++];
		if (n && (x.lo <= r[n - 1].hi ||
			  (r[n - 1].hi != ~(rs_u128)0 &&
			   x.lo == r[n - 1].hi + 1))) {
			if (x.hi > r[n - 1].hi)
				r[n - 1].hi = x.hi;
		} else {
			r[n++] = x;
		}
	}
	out->n = n;
	out->iv = r;
	return 0;
}

static bool ivs_equal(const struct ivset *a, const struct ivset *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->iv[i].lo != b->iv[i].lo || a->iv[i].hi != b->iv[i].hi)
			return false;
	return true;
}

/* a is within b. */
static bool ivs_subset(const struct ivset *a, const struct ivset *b)
{
	size_t i, j = 0;

	for (i = 0; i < a->n; i++) {
		while (j < b->n && b->iv[j].hi < a->iv[i].lo)
			j++;
		if (j == b->n || b->iv[j].lo > a->iv[i].lo ||
		    b->iv[j].hi < a->iv[i].hi)
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * Forms.
 */

/* A set as zones and prefixes: which zones (indexes into v->zones), and
 * the prefixes of what they leave. */
struct naming {
	size_t nz;
	size_t *z;
	size_t npx;
	struct region_prefix *px;
};

static void naming_release(struct naming *m)
{
	free(m->z);
	free(m->px);
}

static int count_prefixes(uint8_t family, const struct ivset *s, size_t *n,
			  struct region_prefix **px)
{
	struct region_prefix *p = NULL;
	int ret;

	*n = 0;
	if (!s->n) {
		if (px)
			*px = NULL;
		return 0;
	}
	ret = region_prefixes(family, s->iv, s->n, &p, n);
	if (ret < 0)
		return ret;
	if (px)
		*px = p;
	else
		free(p);
	return 0;
}

/* Name s with the zones that make it shorter: a zone within s is taken,
 * biggest first, when it leaves no more items (names plus prefixes) than
 * before; taking a zone can cut a prefix in many (office inside 10/8). */
struct size_ctx {
	const struct srcview *v;
	int f;
};

/* Bigger zones first, then in the order of the policy. */
static int size_cmp(const void *a, const void *b, void *ctx)
{
	const struct size_ctx *c = ctx;
	size_t i = *(const size_t *)a, k = *(const size_t *)b;
	rs_u128 x = c->v->zones[i].size[c->f], y = c->v->zones[k].size[c->f];

	if (x != y)
		return x > y ? -1 : 1;
	return i < k ? -1 : i > k;
}

static int name_set(const struct srcview *v, uint8_t family,
		    const struct ivset *s, struct naming *m)
{
	struct ivset taken = { 0, NULL }, rest = { 0, NULL }, t, r;
	int f = fam_index(family), ret;
	struct size_ctx ctx = { v, f };
	size_t best, npx, i, k, nc = 0, nz = v ? v->nzones : 0, *cand;

	memset(m, 0, sizeof(*m));
	m->z = calloc(nz + 1, sizeof(*m->z));
	cand = calloc(nz + 1, sizeof(*cand));
	if (!m->z || !cand) {
		ret = -ENOMEM;
		goto out;
	}
	ret = count_prefixes(family, s, &best, NULL);
	if (ret < 0)
		goto out;
	/* the zones within s, biggest first: each is taken unless what is
	 * taken already covers it or it leaves more to say */
	for (i = 0; i < nz; i++) {
		struct ivset z = { v->zones[i].n[f], v->zones[i].iv[f] };

		if (z.n && ivs_subset(&z, s))
			cand[nc++] = i;
	}
	qsort_r(cand, nc, sizeof(*cand), size_cmp, &ctx);
	for (k = 0; k < nc; k++) {
		struct ivset z = { v->zones[cand[k]].n[f],
				   v->zones[cand[k]].iv[f] };

		if (ivs_subset(&z, &taken))
			continue;
		ret = ivs_union(&taken, &z, &t);
		if (ret < 0)
			goto out;
		ret = ivs_minus(s, &t, &r);
		if (ret < 0) {
			free(t.iv);
			goto out;
		}
		ret = count_prefixes(family, &r, &npx, NULL);
		/* on a tie the name wins: "loopback" reads better than
		 * "::1" */
		if (ret < 0 || m->nz + 1 + npx > best) {
			free(t.iv);
			free(r.iv);
			if (ret < 0)
				goto out;
			continue;
		}
		m->z[m->nz++] = cand[k];
		best = m->nz + npx;
		free(taken.iv);
		free(rest.iv);
		taken = t;
		rest = r;
	}
	if (!m->nz) {
		ret = count_prefixes(family, s, &m->npx, &m->px);
	} else {
		ret = count_prefixes(family, &rest, &m->npx, &m->px);
		/* in the order of the policy: built-in zones first */
		for (i = 1; i < m->nz; i++)
			for (k = i; k && m->z[k - 1] > m->z[k]; k--) {
				size_t x = m->z[k];

				m->z[k] = m->z[k - 1];
				m->z[k - 1] = x;
			}
	}
out:
	free(cand);
	free(taken.iv);
	free(rest.iv);
	if (ret < 0)
		naming_release(m);
	return ret;
}

static void naming_text(const struct srcview *v, uint8_t family,
			const struct naming *m, struct strbuf *b)
{
	char buf[REGION_PREFIX_STRLEN], *slash;
	size_t i;

	if (!m->nz && !m->npx) {
		strbuf_add(b, "none");
		return;
	}
	for (i = 0; i < m->nz; i++)
		strbuf_addf(b, "%s%s", i ? "," : "", v->zones[m->z[i]].name);
	for (i = 0; i < m->npx; i++) {
		if (region_prefix_format(family, &m->px[i], buf,
					 sizeof(buf)) < 0)
			continue;
		/* a single address reads better without /32 or /128 */
		slash = strchr(buf, '/');
		if (slash && m->px[i].len == (family == NFPROTO_IPV4 ? 32 : 128))
			*slash = '\0';
		strbuf_addf(b, "%s%s", m->nz || i ? "," : "", buf);
	}
}

/* The items a form would print, or -ENOENT / -ENOMEM; *m filled for UNION,
 * EXCEPT and PREFIXES. */
static int form_naming(const struct srcview *v, uint8_t family,
		       const struct ivset *s, enum srcview_form form,
		       struct naming *m)
{
	struct rs_interval all = { 0, fam_max(family) };
	struct ivset full = { 1, &all }, c;
	int ret;

	memset(m, 0, sizeof(*m));
	switch (form) {
	case SRCVIEW_ANY:
		return ivs_equal(s, &full) ? 0 : -ENOENT;
	case SRCVIEW_UNION:
		return name_set(v, family, s, m);
	case SRCVIEW_EXCEPT:
		if (!s->n || ivs_equal(s, &full))
			return -ENOENT;
		ret = ivs_minus(&full, s, &c);
		if (ret < 0)
			return ret;
		ret = name_set(v, family, &c, m);
		free(c.iv);
		return ret;
	case SRCVIEW_PREFIXES:
		return count_prefixes(family, s, &m->npx, &m->px);
	default:
		return -ENOENT;
	}
}

int srcview_form(const struct srcview *v, uint8_t family,
		 const struct rs_interval *iv, size_t n,
		 enum srcview_form form, struct strbuf *b)
{
	struct ivset s = { n, (struct rs_interval *)iv };
	struct naming m;
	int ret;

	if (fam_index(family) < 0)
		return -EINVAL;
	ret = form_naming(v, family, &s, form, &m);
	if (ret < 0)
		return ret;
	if (form == SRCVIEW_ANY) {
		strbuf_add(b, "any");
		return 0;
	}
	if (form == SRCVIEW_EXCEPT)
		strbuf_add(b, "any except ");
	naming_text(v, family, &m, b);
	naming_release(&m);
	return 0;
}

int srcview_text(const struct srcview *v, uint8_t family,
		 const struct rs_interval *iv, size_t n, struct strbuf *b)
{
	struct ivset s = { n, (struct rs_interval *)iv };
	enum srcview_form f, best = SRCVIEW_PREFIXES;
	size_t items, fewest = (size_t)-1;
	struct naming m;
	int ret;

	if (fam_index(family) < 0)
		return -EINVAL;
	for (f = 0; f < SRCVIEW_NFORMS; f++) {
		ret = form_naming(v, family, &s, f, &m);
		if (ret == -ENOENT)
			continue;
		if (ret < 0)
			return ret;
		/* "any except" costs a word more than a plain list */
		items = f == SRCVIEW_ANY ? 1 : m.nz + m.npx +
			(f == SRCVIEW_EXCEPT);
		naming_release(&m);
		if (items < fewest) {
			fewest = items;
			best = f;
		}
	}
	return srcview_form(v, family, iv, n, best, b);
}

/* ---------------------------------------------------------------------
 * Reading a text back.
 */
static int add_word(const struct srcview *v, uint8_t family, const char *w,
		    struct ivset *s)
{
	struct rs_interval all = { 0, fam_max(family) }, iv;
	struct ivset add = { 1, &iv }, u;
	int f = fam_index(family), ret;
	size_t i;

	if (!strcmp(w, "any")) {
		iv = all;
	} else if ((w[0] >= '0' && w[0] <= '9') || strchr(w, ':') ||
		   strchr(w, '/')) {
		ret = region_prefix_parse(family, w, &iv);
		if (ret < 0)
			return ret;
	} else {
		for (i = 0; v && i < v->nzones; i++)
			if (!strcmp(v->zones[i].name, w))
				break;
		if (!v || i == v->nzones)
			return -EINVAL;
		add = (struct ivset){ v->zones[i].n[f], v->zones[i].iv[f] };
	}
	ret = ivs_union(s, &add, &u);
	if (ret < 0)
		return ret;
	free(s->iv);
	*s = u;
	return 0;
}

int srcview_parse(const struct srcview *v, uint8_t family, const char *s,
		  struct rs_interval **out, size_t *n)
{
	struct rs_interval all = { 0, fam_max(family) };
	struct ivset set = { 0, NULL }, full = { 1, &all }, c;
	char *copy, *w, *save = NULL;
	bool except = false;
	int ret = 0;

	if (fam_index(family) < 0)
		return -EINVAL;
	if (!strncmp(s, "any except ", 11)) {
		except = true;
		s += 11;
	}
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	if (strcmp(copy, "none")) {
		for (w = strtok_r(copy, ",", &save); w && !ret;
		     w = strtok_r(NULL, ",", &save))
			ret = add_word(v, family, w, &set);
		if (!ret && !set.n)
			ret = -EINVAL;
	} else if (except) {
		ret = -EINVAL;
	}
	free(copy);
	if (!ret && except) {
		ret = ivs_minus(&full, &set, &c);
		if (!ret) {
			free(set.iv);
			set = c;
		}
	}
	if (ret < 0) {
		free(set.iv);
		return ret;
	}
	*out = set.iv;
	*n = set.n;
	return 0;
}
