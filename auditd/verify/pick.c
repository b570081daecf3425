// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pick.c - the probes of `fwaudit verify`, chosen from the model (the
 * order and the bound are described in pick.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "pick.h"

const char *pick_why_name(enum pick_why w)
{
	switch (w) {
	case PICK_EXPOSURE:
		return "exposure";
	case PICK_EDGE:
		return "edge";
	case PICK_LISTENER:
		return "listener";
	case PICK_REQUIRE:
		return "require";
	default:
		return "closed";
	}
}

#define CLS_GAP	((size_t)-1)	/* ports no segment covers: closed */

struct chosen {
	uint8_t bits[65536 / 8];
	struct pick_port *out;
	size_t n, max;
	bool full;
};

static void choose(struct chosen *c, uint16_t port, enum pick_why why)
{
	if (port == 0 || (c->bits[port / 8] & (1u << (port % 8))))
		return;
	if (c->n == c->max) {
		c->full = true;
		return;
	}
	c->bits[port / 8] |= 1u << (port % 8);
	c->out[c->n].port = port;
	c->out[c->n].why = why;
	c->n++;
}

int pick_ports(const struct pick_seg *seg, size_t n, const uint16_t *nl,
	       size_t nnl, size_t max, struct pick_port *out, size_t *nout,
	       size_t *nexp, size_t *nclosed)
{
	struct pick_seg *s;
	struct chosen *c;
	size_t i, k, ns = 0;
	uint32_t next = 1, lo, hi;

	s = calloc(2 * n + 2, sizeof(*s));
	c = calloc(1, sizeof(*c));
	if (!s || !c) {
		free(s);
		free(c);
		return -ENOMEM;
	}
	/* cover 1-65535: gaps are closed; adjacent runs of one fate merge */
	for (i = 0; i <= n; i++) {
		lo = i < n ? (seg[i].lo ? seg[i].lo : 1) : 65536;
		hi = i < n ? seg[i].hi : 65535;
		if (i < n && (hi < lo || hi < next))
			continue;
		if (lo < next)
			lo = next;
		if (lo > next) {
			struct pick_seg gap = { next, lo - 1, false, CLS_GAP };

			if (ns && !s[ns - 1].in && s[ns - 1].cls == CLS_GAP)
				s[ns - 1].hi = gap.hi;
			else
				s[ns++] = gap;
		}
		if (i == n)
			break;
		if (ns && s[ns - 1].in == seg[i].in &&
		    s[ns - 1].cls == seg[i].cls) {
			s[ns - 1].hi = hi;
		} else {
			s[ns] = seg[i];
			s[ns].lo = lo;
			s[ns].hi = hi;
			ns++;
		}
		next = hi + 1;
	}
	*nexp = *nclosed = 0;
	for (i = 0; i < ns; i++)
		*(s[i].in ? nexp : nclosed) += 1;
	c->out = out;
	c->max = max;
	for (i = 0; i < ns; i++)
		if (s[i].in)
			choose(c, s[i].lo, PICK_EXPOSURE);
	for (i = 0; i < ns; i++) {
		if (!s[i].in)
			continue;
		if (i > 0 && !s[i - 1].in)
			choose(c, s[i].lo - 1, PICK_EDGE);
		if (i + 1 < ns && !s[i + 1].in)
			choose(c, s[i].hi + 1, PICK_EDGE);
	}
	for (k = 0; k < nnl; k++)
		for (i = 0; i < ns; i++)
			if (!s[i].in && nl[k] >= s[i].lo && nl[k] <= s[i].hi)
				choose(c, nl[k], PICK_LISTENER);
	for (i = 0; i < ns; i++)
		if (!s[i].in)
			choose(c, s[i].lo, PICK_CLOSED);
	*nout = c->n;
	k = c->full;
	free(s);
	free(c);
	return k ? 1 : 0;
}

/* ---- from the model ---- */

static bool iv_has(const struct rs_interval *iv, rs_u128 v)
{
	return iv->lo <= v && v <= iv->hi;
}

/* Does box b hold probes from t (at any source port)? */
static bool box_for(const struct region_box *b, const struct pick_target *t)
{
	return iv_has(&b->iv[REGION_SADDR], t->saddr) &&
		iv_has(&b->iv[REGION_DADDR], t->daddr) &&
		iv_has(&b->iv[REGION_IIF], t->iif);
}

static bool rejects(const struct engine_piece *p);

/* Same fate for a probe: a reject answers where a drop is silent. */
static bool same_fate(const struct engine_piece *a,
		      const struct engine_piece *b)
{
	return rejects(a) == rejects(b) && a->state == b->state && a->fate == b->fate &&
		a->listener == b->listener && a->possible == b->possible &&
		a->nat == b->nat && a->nat_addr == b->nat_addr &&
		a->nat_port_lo == b->nat_port_lo;
}

/* The reject step that closes p, or NULL. */
static const struct engine_step *reject_step(const struct engine_piece *p)
{
	size_t i;

	for (i = 0; p->fate == ENGINE_DROPPED && i < p->nsteps; i++)
		if (p->steps[i].verdict == RS_V_REJECT)
			return &p->steps[i];
	return NULL;
}

static bool rejects(const struct engine_piece *p)
{
	return reject_step(p) != NULL;
}

/* What the host itself answers to probe p with expectation e, if it
 * answers: its stack where the probe is let in and nothing listens, or
 * the reject that closes it. */
static bool host_answer(const struct probe *p, const struct pick_expect *e,
			enum engine_answer *k)
{
	const struct engine_step *s;

	if (!e->piece)
		return false;
	if (e->reject) {
		s = reject_step(e->piece);
		*k = p->proto == IPPROTO_TCP && s->rule &&
		     s->rule->verdict.name &&
		     !strcmp(s->rule->verdict.name, "tcp-reset") ?
		     ENGINE_ANSWER_REJECT_RST : ENGINE_ANSWER_UNREACH;
		return true;
	}
	if (e->fate != ENGINE_LOCAL || e->state != ENGINE_OPEN)
		return false;
	*k = p->proto == IPPROTO_TCP ? ENGINE_ANSWER_RST :
	     ENGINE_ANSWER_UNREACH;
	return true;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct pick_seg *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void expect_of(const struct engine_result *res,
		      const struct pick_target *t, const struct probe *p,
		      struct pick_expect *e)
{
	rs_u128 pt[REGION_NDIMS];
	size_t i;

	pt[REGION_SADDR] = t->saddr;
	pt[REGION_SPORT] = p->sport;
	pt[REGION_DPORT] = p->port;
	pt[REGION_DADDR] = t->daddr;
	pt[REGION_IIF] = t->iif;
	e->piece = NULL;
	e->state = ENGINE_CLOSED;
	e->fate = ENGINE_DROPPED;
	e->possible = false;
	e->reject = false;
	for (i = 0; i < res->npieces; i++) {
		if (region_contains_point(res->pieces[i].region, pt)) {
			e->piece = &res->pieces[i];
			e->state = e->piece->state;
			e->fate = e->piece->fate;
			e->possible = e->piece->possible;
			e->reject = rejects(e->piece);
			return;
		}
	}
}

/* Walk the host's own answer to probe p (pick_expect's has_answer). */
static int answer_of(const struct ruleset *rs, const struct host *h,
		     const struct pick_target *t, const struct probe *p,
		     struct pick_expect *e)
{
	struct engine_answer_query q = {
		.family = p->family, .proto = p->proto,
		.saddr = t->saddr, .daddr = t->daddr,
		.sport = p->sport, .dport = p->port, .iif = t->iif,
	};
	int ret;

	e->has_answer = host_answer(p, e, &q.kind);
	if (!e->has_answer)
		return 0;
	e->answer = q.kind;
	ret = engine_answer(rs, h, &q, &e->answer_fate);
	/* too big to walk: the answer is taken to leave, as before */
	if (ret == -E2BIG) {
		e->has_answer = false;
		return 0;
	}
	return ret;
}

static int add_probe(struct pick *pk, const struct ruleset *rs,
		     const struct host *h, const struct engine_result *res,
		     const struct pick_target *t, size_t ti, uint8_t proto,
		     uint16_t port, uint16_t sport, enum pick_why why)
{
	struct probe p = { .family = t->family, .proto = proto,
			   .addr = t->daddr, .port = port, .sport = sport };
	struct pick_expect *e;
	size_t i;
	int ret;

	for (i = 0; i < pk->list.n; i++)
		if (pk->list.p[i].family == p.family &&
		    pk->list.p[i].proto == proto &&
		    pk->list.p[i].addr == p.addr &&
		    pk->list.p[i].port == port && pk->list.p[i].sport == sport)
			return 0;
	e = realloc(pk->expect, (pk->list.n + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	pk->expect = e;
	ret = probelist_add(&pk->list, &p);
	if (ret < 0)
		return ret;
	e = &pk->expect[pk->list.n - 1];
	e->target = ti;
	e->why = why;
	expect_of(res, t, &p, e);
	return answer_of(rs, h, t, &p, e);
}

/* The probes of one target and protocol from its walk res. */
static int pick_one(struct pick *pk, const struct ruleset *rs,
		    const struct engine_result *res, const struct host *h,
		    const struct pick_target *t, size_t ti, uint8_t proto,
		    size_t max, uint16_t sport, const struct pick_opts *o)
{
	struct pick_seg *seg = NULL, *ns;
	struct pick_port *ports = NULL;
	uint16_t *nl = NULL;
	size_t i, j, k, nb, nseg = 0, nnl = 0, nports = 0, nexp, ncl, room;
	const struct region_box *b;
	int ret = -ENOMEM;

	/* what the policy requires, whatever the bound */
	for (i = 0; o && i < o->nwant; i++) {
		if (o->want[i].proto != proto)
			continue;
		ret = add_probe(pk, rs, h, res, t, ti, proto,
				o->want[i].port_lo ?: 1, sport, PICK_REQUIRE);
		if (ret < 0)
			return ret;
	}
	ret = -ENOMEM;
	room = max > pk->list.n ? max - pk->list.n : 0;
	for (i = 0; i < res->npieces; i++) {
		b = region_boxes(res->pieces[i].region, &nb);
		for (j = 0; j < nb; j++) {
			if (!box_for(&b[j], t) ||
			    !iv_has(&b[j].iv[REGION_SPORT], sport))
				continue;
			ns = realloc(seg, (nseg + 1) * sizeof(*seg));
			if (!ns)
				goto out;
			seg = ns;
			seg[nseg].lo = b[j].iv[REGION_DPORT].lo;
			seg[nseg].hi = b[j].iv[REGION_DPORT].hi;
			seg[nseg].in = res->pieces[i].state != ENGINE_CLOSED;
			/* the first piece of the same fate names the class */
			for (k = 0; k < i; k++)
				if (same_fate(&res->pieces[k],
					      &res->pieces[i]))
					break;
			seg[nseg].cls = k;
			nseg++;
		}
	}
	if (nseg)
		qsort(seg, nseg, sizeof(*seg), seg_cmp);
	nl = calloc(h->nlisteners + 1, sizeof(*nl));
	ports = calloc(room + 1, sizeof(*ports));
	if (!nl || !ports)
		goto out;
	for (i = 0; i < h->nlisteners; i++) {
		const struct host_listener *l = &h->listeners[i];

		/* a dual-stack [::] socket takes IPv4 too */
		bool fam = l->family == t->family ||
			(t->family == NFPROTO_IPV4 && l->addr == 0 &&
			 l->v6only_known && !l->v6only);

		if (l->protocol == proto && fam &&
		    (l->addr == 0 || l->addr == t->daddr))
			nl[nnl++] = l->port;
	}
	ret = pick_ports(seg, nseg, nl, nnl, room, ports, &nports, &nexp,
			 &ncl);
	if (ret < 0)
		goto out;
	pk->truncated |= ret == 1;
	pk->nexposures += nexp;
	pk->nclosed += ncl;
	for (i = 0; i < nports; i++) {
		ret = add_probe(pk, rs, h, res, t, ti, proto, ports[i].port,
				sport, ports[i].why);
		if (ret < 0)
			goto out;
	}
	/* exposures only some source ports reach (`--sport 53 -j
	 * ACCEPT`): one probe from the first of them */
	for (i = 0; i < res->npieces; i++) {
		if (res->pieces[i].state == ENGINE_CLOSED)
			continue;
		b = region_boxes(res->pieces[i].region, &nb);
		for (j = 0; j < nb; j++) {
			const struct rs_interval *sp = &b[j].iv[REGION_SPORT];
			uint16_t p = b[j].iv[REGION_DPORT].lo ?: 1;
			uint16_t s = sp->lo ?: 1;

			if (!box_for(&b[j], t) || iv_has(sp, sport) ||
			    s > sp->hi || p > b[j].iv[REGION_DPORT].hi)
				continue;
			if (pk->list.n >= max) {
				pk->truncated = true;
				break;
			}
			pk->nexposures++;
			ret = add_probe(pk, rs, h, res, t, ti, proto, p, s,
					PICK_EXPOSURE);
			if (ret < 0)
				goto out;
		}
	}
	ret = 0;
out:
	free(seg);
	free(nl);
	free(ports);
	return ret;
}

int pick_probes(const struct ruleset *rs, const struct host *h,
		const struct pick_target *t, size_t nt,
		const struct pick_opts *o, struct pick *out)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct pick pk = { 0 };
	struct engine_result *res, **ne;
	size_t max = o && o->max ? o->max : PICK_MAX_DEFAULT, i, k;
	uint16_t sport = o && o->sport ? o->sport : PICK_SPORT_DEFAULT;
	int ret = 0;

	if (max > PROBELIST_MAX)
		max = PROBELIST_MAX;
	for (i = 0; i < nt && !ret; i++) {
		for (k = 0; k < sizeof(protos) && !ret; k++) {
			struct engine_input in = {
				.rs = rs, .host = h,
				.only_family = t[i].family,
				.only_proto = protos[k],
				.only_saddr = true, .saddr = t[i].saddr,
				.dropped = true,
			};

			ne = realloc(pk.engines, (pk.nengines + 1) *
				     sizeof(*ne));
			if (!ne) {
				ret = -ENOMEM;
				break;
			}
			pk.engines = ne;
			ret = engine_run(&in, &res);
			if (ret < 0)
				break;
			pk.engines[pk.nengines++] = res;
			ret = pick_one(&pk, rs, res, h, &t[i], i, protos[k],
				       max, sport, o);
		}
	}
	if (ret < 0) {
		pick_release(&pk);
		return ret;
	}
	if (o) {
		pk.want = o->want;
		pk.nwant = o->nwant;
	}
	*out = pk;
	return 0;
}

void pick_release(struct pick *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nengines; i++)
		engine_result_free(p->engines[i]);
	free(p->engines);
	free(p->expect);
	probelist_release(&p->list);
	memset(p, 0, sizeof(*p));
}
