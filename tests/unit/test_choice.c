// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_choice.c - the sender's choice of header values (auditd/engine/choice.c)
 * against brute force: random list and mask matches on every value field,
 * split again and again, must leave each value on exactly the side the
 * match puts it (every value of the 8-bit fields, the edges and a sample
 * of the larger ones); mask matches on bit fields against every assignment of a
 * few bits.  Includes choice.c to reach its internals.  No privileges.
 */
#include "../../auditd/engine/choice.c"

#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

/* a bump allocator for the test: freed all at once */
static char pool[1 << 24];
static size_t used;

static void *palloc(void *ctx, size_t size)
{
	void *p;

	(void)ctx;
	size = (size + 15) & ~(size_t)15;
	if (used + size > sizeof(pool))
		return NULL;
	p = pool + used;
	used += size;
	return p;
}

static const enum rs_field value_fields[] = {
	RS_F_IP_TTL, RS_F_IP_TOS, RS_F_IP_LENGTH, RS_F_IP_FRAGOFF,
	RS_F_IP6_RT_TYPE, RS_F_TCP_MSS, RS_F_TCP_FLAGS,
};

/* Is v among the values c leaves for field k? */
static bool open_value(const struct choice_dom *d, const struct choice *c,
		       int k, uint64_t v)
{
	struct choice_iv buf[16];
	const struct choice_iv *iv;
	size_t n, i;

	n = values_of(d, c, k, &iv, buf);
	for (i = 0; i < n; i++)
		if (iv[i].lo <= v && v <= iv[i].hi)
			return true;
	return false;
}

static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(random() % n);
}

static void random_match(struct rs_match *m, struct rs_interval *el,
			 enum rs_field f, uint32_t top)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->nfields = 1;
	m->fields[0] = f;
	switch (rnd(4)) {
	case 0:
	case 1:
		m->op = rnd(2) ? RS_OP_IN : RS_OP_NOT_IN;
		m->nelems = 1 + rnd(4);
		m->elems = el;
		for (i = 0; i < m->nelems; i++) {
			el[i].lo = rnd(top + 2);
			el[i].hi = el[i].lo + rnd(top / 4 + 1);
		}
		break;
	default:
		m->op = rnd(2) ? RS_OP_MASK_EQ : RS_OP_MASK_NE;
		m->mask = rnd(top + 1) | (1u << rnd(8));
		m->value = rnd(top + 1) & m->mask;
		break;
	}
}

/* Is v within 2 of an element's bound (where a split can go wrong)? */
static bool near_bound(const struct rs_match *m, uint64_t v)
{
	size_t i;

	for (i = 0; m->elems && i < m->nelems; i++)
		if ((v + 2 >= m->elems[i].lo && v <= m->elems[i].lo + 2) ||
		    (v + 2 >= m->elems[i].hi && v <= m->elems[i].hi + 2))
			return true;
	return false;
}

/* A chain of random splits of field k, each value checked at every step
 * against holds(): the yes side holds exactly the open values the match
 * takes, the no side the rest. */
static void walk_values(const struct choice_dom *d, int k, uint32_t top)
{
	const struct choice *c = NULL, *yes[CHOICE_ALT_MAX], *no[CHOICE_ALT_MAX];
	struct rs_interval el[8];
	struct rs_match m;
	size_t ny, nn;
	uint64_t v, lim = top == RS_ABSENT ? RS_ABSENT : top;
	int step, shift, ret;
	bool bad;

	for (step = 0; step < 6 && c != (void *)1; step++) {
		random_match(&m, el, value_fields[k], top > 255 ? 65535 : 255);
		shift = k == CV_TTL && rnd(2) ? -1 : 0;
		ret = choice_split(d, c, &m, shift, palloc, NULL, yes, &ny, no,
				   &nn);
		CHECK(ret >= 0);
		if (ret)
			return;
		CHECK(ny <= 1 && nn <= 1);
		/* the cheap question agrees with the split */
		CHECK_EQ(choice_uniform(d, c, &m, shift),
			 ny && nn ? -1 : ny ? 1 : 0);
		bad = false;
		for (v = 0; v <= lim && !bad; v++) {
			if (lim > 300 && v > 300 && v + 300 < lim &&
			    !near_bound(&m, v) && rnd(64))
				continue;
			bool was = open_value(d, c, k, v);
			bool y = ny && open_value(d, yes[0], k, v);
			bool n = nn && open_value(d, no[0], k, v);

			if (!was)
				bad = y || n;
			else if (holds(&m, k, v, shift))
				bad = !y || n;
			else
				bad = y || !n;
			if (bad)
				fprintf(stderr, "field %d value %llu: was %d "
					"yes %d no %d (op %d shift %d mask "
					"%#x value %#x el %u-%u)\n", k,
					(unsigned long long)v, was, y, n,
					m.op, shift, (unsigned int)m.mask,
					(unsigned int)m.value,
					(unsigned int)el[0].lo,
					(unsigned int)el[0].hi);
		}
		CHECK(!bad);
		/* go on with a side that is left */
		if (ny && (!nn || rnd(2)))
			c = yes[0];
		else if (nn)
			c = no[0];
		else
			break;
	}
}

/* Mask matches on a bit field against all assignments of bits 0..5 (and
 * the forced zeros of the domain). */
static void walk_bits(int k)
{
	const struct choice *c = NULL, *yes[CHOICE_ALT_MAX], *no[CHOICE_ALT_MAX];
	static const enum rs_field f[] = { RS_F_IP_OPTIONS, RS_F_IP6_EXTHDRS,
					   RS_F_TCP_OPTIONS };
	struct rs_match m = { .nfields = 1 };
	size_t ny, nn, i;
	unsigned int a;
	int step, ret;

	for (step = 0; step < 4; step++) {
		m.fields[0] = f[k];
		m.op = rnd(2) ? RS_OP_MASK_EQ : RS_OP_MASK_NE;
		m.mask = rnd(64) | 1;
		m.value = rnd(64) & m.mask;
		ret = choice_split(NULL, c, &m, 0, palloc, NULL, yes, &ny, no,
				   &nn);
		CHECK_EQ(ret, 0);
		for (a = 0; a < 64; a++) {
			rs_u128 v = a;
			bool ok = !(v & domain_zero(k)) &&
				  (!c || (!(v & c->zero[k]) &&
					  (v & c->one[k]) == c->one[k]));
			bool match = ((v & m.mask) == m.value) ==
				     (m.op == RS_OP_MASK_EQ);
			bool in_yes = false, in_no = false;

			if (c && (c->one[k] >> 6))
				ok = false;
			for (i = 0; i < ny; i++)
				in_yes |= !(v & (yes[i] ? yes[i]->zero[k] : 0)) &&
					  (v & (yes[i] ? yes[i]->one[k] : 0)) ==
					  (yes[i] ? yes[i]->one[k] : 0);
			for (i = 0; i < nn; i++)
				in_no |= !(v & (no[i] ? no[i]->zero[k] : 0)) &&
					 (v & (no[i] ? no[i]->one[k] : 0)) ==
					 (no[i] ? no[i]->one[k] : 0);
			if (!ok)
				continue;
			CHECK(match ? in_yes && !in_no : in_no && !in_yes);
		}
		if (ny && (!nn || rnd(2)))
			c = yes[rnd((uint32_t)ny)];
		else if (nn)
			c = no[rnd((uint32_t)nn)];
		else
			break;
	}
}

static void test_describe(void)
{
	struct choice_dom d = { NFPROTO_V4, IPPROTO_TCP, false, false };
	const struct choice *yes[CHOICE_ALT_MAX], *no[CHOICE_ALT_MAX];
	struct rs_interval el = { 0, 4 };
	struct rs_match m = { .op = RS_OP_IN, .nfields = 1,
			      .fields = { RS_F_IP_TTL }, .nelems = 1,
			      .elems = &el };
	struct strbuf sb = STRBUF_INIT;
	size_t ny, nn;
	char *t;

	CHECK_EQ(choice_split(&d, NULL, &m, 0, palloc, NULL, yes, &ny, no,
			      &nn), 0);
	CHECK(ny == 1 && nn == 1);
	choice_describe(&d, no[0], &sb);
	t = strbuf_take(&sb);
	CHECK(t && !strcmp(t, "ttl 5-255"));
	free(t);
	/* a match every value takes leaves the choice as it was */
	el.hi = 255;
	CHECK_EQ(choice_split(&d, NULL, &m, 0, palloc, NULL, yes, &ny, no,
			      &nn), 0);
	CHECK(ny == 1 && nn == 0 && yes[0] == NULL);
	/* SYN|FIN: no probe */
	m.op = RS_OP_MASK_EQ;
	m.fields[0] = RS_F_TCP_FLAGS;
	m.mask = m.value = 0x01;
	CHECK_EQ(choice_split(&d, NULL, &m, 0, palloc, NULL, yes, &ny, no,
			      &nn), 0);
	CHECK(ny == 0 && nn == 1);
	/* the MD5 option is never let through to a socket without keys */
	m.fields[0] = RS_F_TCP_OPTIONS;
	m.mask = m.value = (rs_u128)1 << 19;
	CHECK_EQ(choice_split(&d, NULL, &m, 0, palloc, NULL, yes, &ny, no,
			      &nn), 0);
	CHECK(ny == 0 && nn == 1);
	/* compatible / equal */
	CHECK(choice_compatible(NULL, no[0]));
	CHECK(choice_equal(NULL, NULL));
}

int main(void)
{
	struct choice_dom doms[] = {
		{ NFPROTO_V4, IPPROTO_TCP, false, false },
		{ NFPROTO_V4, IPPROTO_UDP, false, true },
		{ 10 /* NFPROTO_IPV6 */, IPPROTO_TCP, true, false },
	};
	unsigned int seed, dd;
	int k;

	test_describe();
	for (seed = 1; seed <= 40; seed++) {
		srandom(seed);
		used = 0;
		for (dd = 0; dd < 3; dd++)
			for (k = 0; k < CV__COUNT; k++)
				walk_values(&doms[dd], k,
					    k == CV_LENGTH ? 65575 :
					    k == CV_FRAGOFF ? 65535 :
					    k == CV_RT || k == CV_MSS ?
					    RS_ABSENT : 255);
		for (k = 0; k < CB__COUNT; k++)
			walk_bits(k);
	}
	return unit_done();
}
