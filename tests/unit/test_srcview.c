// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_srcview.c - the text of a source set denotes exactly the set.
 *
 * For random sets of IPv4 and IPv6 intervals (fixed seeds: a failure is
 * reproduced by running the test again) and for the boundary cases (the
 * whole space, nothing, the first and last address, each zone and its
 * complement, a zone one address too big or too small at either end),
 * every form the printer can choose is read back with srcview_parse() and
 * must give the very same intervals as the JSON's prefixes do.  The zones
 * come from a policy file, as in `fwaudit audit`.
 */
#include <stdlib.h>
#include <unistd.h>

#include "srcview.c"
#include "unit.h"
#include "util.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: small, and the same on every machine */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static rs_u128 rnd128(uint8_t family)
{
	rs_u128 x = ((rs_u128)rnd() << 64) | rnd();

	return x & fam_max(family);
}

static struct srcview *view;
static unsigned long cases, forms_checked;

static void set_op(struct ivset *s, const struct rs_interval *iv, bool minus)
{
	struct ivset one = { 1, (struct rs_interval *)iv }, r;
	int ret = minus ? ivs_minus(s, &one, &r) : ivs_union(s, &one, &r);

	if (ret < 0)
		abort();
	free(s->iv);
	*s = r;
}

static void set_zone(struct ivset *s, const struct sv_zone *z, int f,
		     bool minus)
{
	size_t k;

	for (k = 0; k < z->n[f]; k++)
		set_op(s, &z->iv[f][k], minus);
}

static void dump(const struct ivset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		fprintf(stderr, "  [%016llx%016llx, %016llx%016llx]\n",
			(unsigned long long)(s->iv[i].lo >> 64),
			(unsigned long long)s->iv[i].lo,
			(unsigned long long)(s->iv[i].hi >> 64),
			(unsigned long long)s->iv[i].hi);
}

/* Every form of s, read back, is s. */
static void check_set(uint8_t family, const struct ivset *s)
{
	struct strbuf b = STRBUF_INIT;
	struct ivset back;
	enum srcview_form f;
	char *t;
	int ret;

	cases++;
	for (f = 0; f <= SRCVIEW_NFORMS; f++) {
		/* f == SRCVIEW_NFORMS: the one srcview_text() chooses */
		ret = f == SRCVIEW_NFORMS ?
		      srcview_text(view, family, s->iv, s->n, &b) :
		      srcview_form(view, family, s->iv, s->n, f, &b);
		t = strbuf_take(&b);
		if (ret == -ENOENT) {
			free(t);
			continue;
		}
		CHECK_EQ(ret, 0);
		CHECK(t != NULL);
		if (ret)
			dump(s);
		if (ret || !t) {
			free(t);
			continue;
		}
		ret = srcview_parse(view, family, t, &back.iv, &back.n);
		CHECK_EQ(ret, 0);
		if (!ret && !ivs_equal(&back, s)) {
			unit_failures++;
			fprintf(stderr, "form %d of a set of %zu intervals "
				"(family %u) reads \"%.200s\", which is not "
				"it:\n", (int)f, s->n, family, t);
			dump(s);
		}
		forms_checked++;
		if (!ret)
			free(back.iv);
		free(t);
	}
}

/* A random interval near the edges of the zones and of the space, where
 * an off-by-one would show. */
static struct rs_interval rnd_interval(uint8_t family)
{
	int f = fam_index(family);
	unsigned int bits = family == NFPROTO_IPV4 ? 32 : 128, len;
	struct rs_interval iv;
	rs_u128 m, a;

	switch (rnd() % 4) {
	case 0: {
		const struct sv_zone *z = &view->zones[rnd() % view->nzones];
		rs_u128 d = rnd() % 3;

		if (!z->n[f])
			goto prefix;
		iv = z->iv[f][rnd() % z->n[f]];
		/* one or two addresses more or less at either end */
		if (rnd() & 1)
			iv.lo = rnd() & 1 ? (iv.lo >= d ? iv.lo - d : 0) :
				(iv.hi - iv.lo >= d ? iv.lo + d : iv.lo);
		if (rnd() & 1)
			iv.hi = rnd() & 1 ? (iv.hi <= fam_max(family) - d ?
					     iv.hi + d : iv.hi) :
				(iv.hi - iv.lo >= d ? iv.hi - d : iv.hi);
		return iv;
	}
	case 1:
		a = rnd128(family);
		m = rnd128(family) >> (rnd() % bits);
		iv.lo = a;
		iv.hi = a + m < a || a + m > fam_max(family) ?
			fam_max(family) : a + m;
		return iv;
	case 2:
		/* the first or last addresses of the space */
		if (rnd() & 1)
			return (struct rs_interval){ 0, rnd() % 4 };
		return (struct rs_interval){ fam_max(family) - rnd() % 4,
					     fam_max(family) };
	default:
	prefix:
		len = (unsigned int)(rnd() % (bits + 1));
		m = len == 0 ? fam_max(family) :
		    (bits - len == 128 ? ~(rs_u128)0 :
		     (((rs_u128)1 << (bits - len)) - 1));
		a = rnd128(family) & ~m;
		return (struct rs_interval){ a, a | m };
	}
}

static void random_sets(uint8_t family, uint64_t seed, unsigned int n)
{
	struct rs_interval all = { 0, fam_max(family) }, iv;
	int f = fam_index(family);
	unsigned int i, k, ops;

	rng_state = seed;
	for (i = 0; i < n; i++) {
		struct ivset s = { 0, NULL };

		/* from nothing or from everything, a few cuts */
		if (rnd() & 1)
			set_op(&s, &all, false);
		ops = 1 + (unsigned int)(rnd() % 6);
		for (k = 0; k < ops; k++) {
			bool minus = rnd() % 3 == 0 ? !s.n : (rnd() & 1);

			if (rnd() % 4 == 0) {
				set_zone(&s, &view->zones[rnd() % view->nzones],
					 f, minus);
				continue;
			}
			iv = rnd_interval(family);
			set_op(&s, &iv, minus);
		}
		check_set(family, &s);
		free(s.iv);
	}
}

static void boundary_sets(uint8_t family)
{
	struct rs_interval all = { 0, fam_max(family) };
	struct rs_interval ends[] = {
		{ 0, 0 }, { fam_max(family), fam_max(family) },
		{ 0, fam_max(family) - 1 }, { 1, fam_max(family) },
		{ 0, fam_max(family) >> 1 }, { (fam_max(family) >> 1) + 1,
					       fam_max(family) },
	};
	int f = fam_index(family);
	struct ivset s;
	size_t i, k, d;

	s = (struct ivset){ 0, NULL };
	check_set(family, &s);
	s = (struct ivset){ 1, &all };
	check_set(family, &s);
	for (i = 0; i < ARRAY_SIZE(ends); i++) {
		s = (struct ivset){ 1, &ends[i] };
		check_set(family, &s);
		s = (struct ivset){ 0, NULL };
		set_op(&s, &all, false);
		set_op(&s, &ends[i], true);
		check_set(family, &s);
		free(s.iv);
	}
	for (i = 0; i < view->nzones; i++) {
		const struct sv_zone *z = &view->zones[i];

		s = (struct ivset){ 0, NULL };
		set_zone(&s, z, f, false);
		check_set(family, &s);
		free(s.iv);
		s = (struct ivset){ 0, NULL };
		set_op(&s, &all, false);
		set_zone(&s, z, f, true);
		check_set(family, &s);
		free(s.iv);
		/* one address more or less at each end of each interval */
		for (k = 0; k < z->n[f]; k++) {
			for (d = 0; d < 4; d++) {
				struct rs_interval iv = z->iv[f][k];
				bool minus = d & 2;

				s = (struct ivset){ 0, NULL };
				set_op(&s, &all, false);
				set_zone(&s, z, f, true);
				if (d & 1) {
					if (iv.hi == fam_max(family))
						goto next;
					iv.lo = iv.hi = iv.hi + 1;
				} else {
					if (!iv.lo)
						goto next;
					iv.lo = iv.hi = iv.lo - 1;
				}
				set_op(&s, &iv, minus);
				check_set(family, &s);
				/* and the complement of that */
				{
					struct ivset full = { 1, &all }, c;

					if (ivs_minus(&full, &s, &c) < 0)
						abort();
					check_set(family, &c);
					free(c.iv);
				}
			next:
				free(s.iv);
			}
		}
	}
}

/* The text of the set the prefixes l[0..n) cover (at most 64). */
static char *text_of(uint8_t family, const char *const *l, size_t n)
{
	struct strbuf b = STRBUF_INIT;
	struct rs_interval iv[64];
	size_t i;

	for (i = 0; i < n && i < 64; i++)
		if (region_prefix_parse(family, l[i], &iv[i]) < 0)
			return NULL;
	if (srcview_text(view, family, iv, region_ivs_merge(iv, i), &b) < 0)
		return NULL;
	return strbuf_take(&b);
}

#define TEXT_IS(fam, expect, ...) do {					\
	static const char *const _l[] = { __VA_ARGS__ };		\
	char *_t = text_of(fam, _l, ARRAY_SIZE(_l));	\
	CHECK_STR(_t, expect);						\
	free(_t);							\
} while (0)

/* What an operator reads for the sets that come up every day. */
static void test_texts(void)
{
	TEXT_IS(NFPROTO_IPV4, "any", "0.0.0.0/0");
	TEXT_IS(NFPROTO_IPV6, "any", "::/0");
	TEXT_IS(NFPROTO_IPV4, "private", "10.0.0.0/8", "172.16.0.0/12",
		"192.168.0.0/16");
	TEXT_IS(NFPROTO_IPV4, "office", "10.1.0.0/16", "192.168.10.0/24");
	TEXT_IS(NFPROTO_IPV4, "10.0.0.0/8", "10.0.0.0/8");
	/* the Docker host of issue 11 */
	TEXT_IS(NFPROTO_IPV4, "10.1.0.0/16,198.51.100.0/24", "10.1.0.0/16",
		"198.51.100.0/24");
	TEXT_IS(NFPROTO_IPV4, "192.0.2.7", "192.0.2.7/32");
	/* anyone but the private networks */
	TEXT_IS(NFPROTO_IPV4, "any except private", "0.0.0.0/5", "8.0.0.0/7",
		"11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3",
		"64.0.0.0/2", "128.0.0.0/3", "160.0.0.0/5", "168.0.0.0/6",
		"172.0.0.0/12", "172.32.0.0/11", "172.64.0.0/10",
		"172.128.0.0/9", "173.0.0.0/8", "174.0.0.0/7", "176.0.0.0/4",
		"192.0.0.0/9", "192.128.0.0/11", "192.160.0.0/13",
		"192.169.0.0/16", "192.170.0.0/15", "192.172.0.0/14",
		"192.176.0.0/12", "192.192.0.0/10", "193.0.0.0/8",
		"194.0.0.0/7", "196.0.0.0/6", "200.0.0.0/5", "208.0.0.0/4",
		"224.0.0.0/3");
	/* the same in IPv6, and without loopback, as the JSON lists them */
	{
		struct rs_interval all = { 0, ~(rs_u128)0 };
		struct rs_interval ula = { (rs_u128)0xfc << 120,
					   ((rs_u128)0xfe << 120) - 1 };
		struct rs_interval lo = { 1, 1 };
		struct ivset s = { 0, NULL };
		struct strbuf b = STRBUF_INIT;
		char *t;

		set_op(&s, &all, false);
		set_op(&s, &ula, true);
		set_op(&s, &lo, true);
		CHECK_EQ(srcview_text(view, NFPROTO_IPV6, s.iv, s.n, &b), 0);
		t = strbuf_take(&b);
		CHECK_STR(t, "any except private,loopback");
		free(t);
		free(s.iv);
	}
	TEXT_IS(NFPROTO_IPV6, "2001:db8:1::/48", "2001:db8:1::/48");
	TEXT_IS(NFPROTO_IPV6, "lab", "2001:db8:1::/48", "2001:db8:2::/48");
}

int main(void)
{
	char path[] = "/tmp/test_srcview.XXXXXX";
	struct policy_error err;
	struct policy *p = NULL;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return unit_done();
	f = fdopen(fd, "w");
	/* zones inside, around and beside the built-in ones */
	fputs("zone office = 10.1.0.0/16, 192.168.10.0/24\n"
	      "zone lab = 2001:db8:1::/48, 2001:db8:2::/48\n"
	      "zone upper = 128.0.0.0/1, 8000::/1\n"
	      "zone edge = 0.0.0.0/32, 255.255.255.255, ::/128, "
	      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n"
	      "zone docnets = 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24\n"
	      "zone none = 198.18.0.0/15\n"
	      "allow tcp 22 from office\n", f);
	fclose(f);
	memset(&err, 0, sizeof(err));
	CHECK_EQ(policy_load(path, &p, &err), 0);
	unlink(path);
	if (!p)
		return unit_done();
	CHECK_EQ(srcview_new(p, &view), 0);
	policy_free(p);
	if (!view)
		return unit_done();
	test_texts();
	boundary_sets(NFPROTO_IPV4);
	boundary_sets(NFPROTO_IPV6);
	random_sets(NFPROTO_IPV4, 0x11d0c0ffee, 4000);
	random_sets(NFPROTO_IPV6, 0x2001db8, 4000);
	random_sets(NFPROTO_IPV4, 42, 2000);
	random_sets(NFPROTO_IPV6, 4242, 2000);
	printf("%lu sets, %lu texts read back\n", cases, forms_checked);
	srcview_free(view);
	return unit_done();
}
