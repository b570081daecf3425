// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rsprint.c - text and JSON views of the ruleset model.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "rsprint.h"
#include "strbuf.h"

static const char *proto_name(unsigned int p)
{
	switch (p) {
	case 1:		return "icmp";
	case 2:		return "igmp";
	case 6:		return "tcp";
	case 17:	return "udp";
	case 33:	return "dccp";
	case 41:	return "ipv6";
	case 47:	return "gre";
	case 50:	return "esp";
	case 51:	return "ah";
	case 58:	return "ipv6-icmp";
	case 132:	return "sctp";
	case 136:	return "udplite";
	default:	return NULL;
	}
}

static const char *fibtype_name(unsigned int t)
{
	static const char *const names[] = {
		[RTN_UNSPEC] = "unspec",	[RTN_UNICAST] = "unicast",
		[RTN_LOCAL] = "local",		[RTN_BROADCAST] = "broadcast",
		[RTN_ANYCAST] = "anycast",	[RTN_MULTICAST] = "multicast",
		[RTN_BLACKHOLE] = "blackhole",	[RTN_UNREACHABLE] = "unreachable",
		[RTN_PROHIBIT] = "prohibit",	[RTN_THROW] = "throw",
		[RTN_NAT] = "nat",		[RTN_XRESOLVE] = "xresolve",
	};

	return t < sizeof(names) / sizeof(names[0]) ? names[t] : NULL;
}

static const char *ctstate_name(unsigned int bit)
{
	switch (bit) {
	case RS_CT_STATE_INVALID:	return "invalid";
	case RS_CT_STATE_ESTABLISHED:	return "established";
	case RS_CT_STATE_RELATED:	return "related";
	case RS_CT_STATE_NEW:		return "new";
	case RS_CT_STATE_UNTRACKED:	return "untracked";
	default:			return NULL;
	}
}

/* Prefix length when [lo, hi] is exactly one CIDR block of a width-bit
 * space, else -1. */
static int interval_prefix(const struct rs_interval *iv, unsigned int bits)
{
	rs_u128 span = iv->hi - iv->lo;
	int host = 0;

	if (iv->hi < iv->lo)
		return -1;
	/* span + 1 must be a power of two and lo aligned to it */
	while (host < (int)bits && (span >> host) & 1)
		host++;
	if (host < 128 && (span >> host) != 0)
		return -1;
	if (host < 128 && (iv->lo & (((rs_u128)1 << host) - 1)) != 0)
		return -1;
	return (int)bits - host;
}

static void addr_str(char *buf, size_t size, rs_u128 v, bool v6)
{
	unsigned char b[16];
	int i;

	if (!v6) {
		uint32_t a = htonl((uint32_t)v);

		inet_ntop(AF_INET, &a, buf, size);
		return;
	}
	for (i = 15; i >= 0; i--) {
		b[i] = (unsigned char)v;
		v >>= 8;
	}
	inet_ntop(AF_INET6, b, buf, size);
}

static void u128_str(struct strbuf *b, rs_u128 v, bool hex)
{
	char tmp[48];
	int n = sizeof(tmp) - 1;

	tmp[n] = '\0';
	do {
		unsigned int d = (unsigned int)(v % (hex ? 16 : 10));

		tmp[--n] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= hex ? 16 : 10;
	} while (v && n > 2);
	if (hex)
		strbuf_add(b, "0x");
	strbuf_add(b, tmp + n);
}

static void value_str(struct strbuf *b, enum rs_kind kind, rs_u128 v)
{
	char buf[INET6_ADDRSTRLEN + RS_IFNAMSIZ];
	const char *name = NULL;

	switch (kind) {
	case RS_K_ADDR4:
	case RS_K_ADDR6:
		addr_str(buf, sizeof(buf), v, kind == RS_K_ADDR6);
		strbuf_add(b, buf);
		return;
	case RS_K_IFNAME:
		rs_ifname_str(v, buf);
		strbuf_add(b, buf);
		return;
	case RS_K_MAC:
		strbuf_addf(b, "%02x:%02x:%02x:%02x:%02x:%02x",
			    (unsigned int)(v >> 40) & 0xff,
			    (unsigned int)(v >> 32) & 0xff,
			    (unsigned int)(v >> 24) & 0xff,
			    (unsigned int)(v >> 16) & 0xff,
			    (unsigned int)(v >> 8) & 0xff, (unsigned int)v & 0xff);
		return;
	case RS_K_PROTO:
		name = v < 256 ? proto_name((unsigned int)v) : NULL;
		break;
	case RS_K_CTSTATE:
		name = v < 256 ? ctstate_name((unsigned int)v) : NULL;
		break;
	case RS_K_FIBTYPE:
		name = v < 256 ? fibtype_name((unsigned int)v) : NULL;
		break;
	case RS_K_HEX:
		u128_str(b, v, true);
		return;
	default:
		break;
	}
	if (name)
		strbuf_add(b, name);
	else
		u128_str(b, v, false);
}

static void interval_str(struct strbuf *b, enum rs_field f,
			 const struct rs_interval *iv)
{
	const struct rs_field_info *fi = rs_field_info(f);
	char buf[RS_IFNAMSIZ + 1];
	int plen;

	if (iv->lo == iv->hi) {
		value_str(b, fi->kind, iv->lo);
		return;
	}
	if (fi->kind == RS_K_ADDR4 || fi->kind == RS_K_ADDR6) {
		plen = interval_prefix(iv, fi->kind == RS_K_ADDR4 ? 32 : 128);
		if (plen >= 0) {
			value_str(b, fi->kind, iv->lo);
			strbuf_addf(b, "/%d", plen);
			return;
		}
	}
	if (fi->kind == RS_K_IFNAME) {
		plen = interval_prefix(iv, 128);
		if (plen >= 0 && plen % 8 == 0) {
			rs_ifname_str(iv->lo, buf);
			if ((int)strlen(buf) == plen / 8) {
				strbuf_addf(b, "%s*", buf);
				return;
			}
		}
	}
	if (fi->kind == RS_K_CTSTATE) {
		unsigned int bit;
		bool first = true;

		/* a state is one bit: list the bits the interval holds */
		for (bit = 1; bit <= 0x80; bit <<= 1) {
			if (bit < iv->lo || bit > iv->hi)
				continue;
			strbuf_addf(b, "%s", first ? "" : ",");
			value_str(b, fi->kind, bit);
			first = false;
		}
		return;
	}
	value_str(b, fi->kind, iv->lo);
	strbuf_add(b, "-");
	value_str(b, fi->kind, iv->hi);
}

static void elem_str(struct strbuf *b, const enum rs_field *fields,
		     unsigned int nfields, const struct rs_interval *elem)
{
	unsigned int i;

	for (i = 0; i < nfields; i++) {
		if (i)
			strbuf_add(b, " . ");
		interval_str(b, fields[i], &elem[i]);
	}
}

int rsprint_elem(char *buf, size_t size, const enum rs_field *fields,
		 unsigned int nfields, const struct rs_interval *elem)
{
	struct strbuf b = STRBUF_INIT;
	char *s;
	int n;

	elem_str(&b, fields, nfields, elem);
	s = strbuf_take(&b);
	if (!s) {
		if (size)
			buf[0] = '\0';
		return 0;
	}
	n = snprintf(buf, size, "%s", s);
	free(s);
	if (n < 0)
		return 0;
	return (size_t)n < size ? n : (int)size - 1;
}

static void fields_str(struct strbuf *b, const enum rs_field *fields,
		       unsigned int nfields)
{
	unsigned int i;

	for (i = 0; i < nfields; i++) {
		if (i)
			strbuf_add(b, " . ");
		strbuf_add(b, rs_field_info(fields[i])->name);
	}
}

/*
 * The parts of a match, shared by both views: field text, operator, and
 * either one value, a list of values, or a set name.
 */
struct match_view {
	char *field;
	const char *op;
	char *set;		/* "@name" for named sets */
	size_t nvalues;
	char **values;
	bool list;		/* print as { a, b } even with one value */
	char *mask;		/* MASK ops */
	char *name;		/* OTHER / UNKNOWN */
	int revision;		/* UNKNOWN, else -1 */
};

static void match_view_release(struct match_view *v)
{
	size_t i;

	free(v->field);
	free(v->set);
	for (i = 0; i < v->nvalues; i++)
		free(v->values[i]);
	free(v->values);
	free(v->mask);
	free(v->name);
}

static bool set_is_named(const struct rs_set *s)
{
	return s && s->name && strncmp(s->name, "__", 2) != 0;
}

static int match_view(const struct rs_match *m, struct match_view *v)
{
	struct strbuf b = STRBUF_INIT;
	const struct rs_interval *el;
	size_t n, i;

	memset(v, 0, sizeof(*v));
	v->revision = -1;
	if (m->op == RS_OP_OTHER) {
		v->field = strdup(rs_field_info(m->fields[0])->name);
		v->name = strdup(m->name ? m->name : "?");
		v->op = m->invert ? "!=" : "==";
		if (m->fields[0] == RS_F_UNKNOWN)
			v->revision = m->revision;
		if (m->text) {
			v->values = calloc(1, sizeof(char *));
			if (v->values && (v->values[0] = strdup(m->text)))
				v->nvalues = 1;
		}
		return v->field && v->name ? 0 : -ENOMEM;
	}
	fields_str(&b, m->fields, m->nfields);
	v->field = strbuf_take(&b);
	if (!v->field)
		return -ENOMEM;
	if (m->op == RS_OP_MASK_EQ || m->op == RS_OP_MASK_NE) {
		v->op = m->op == RS_OP_MASK_EQ ? "==" : "!=";
		u128_str(&b, m->mask, true);
		v->mask = strbuf_take(&b);
		v->values = calloc(1, sizeof(char *));
		if (!v->mask || !v->values)
			return -ENOMEM;
		u128_str(&b, m->value, true);
		if (!(v->values[0] = strbuf_take(&b)))
			return -ENOMEM;
		v->nvalues = 1;
		return 0;
	}
	el = rs_match_elems(m, &n);
	if (set_is_named(m->set)) {
		v->op = m->op == RS_OP_IN ? "in" : "not in";
		strbuf_addf(&b, "@%s", m->set->name);
		v->set = strbuf_take(&b);
		return v->set ? 0 : -ENOMEM;
	}
	v->list = n != 1 || m->set;
	if (m->op == RS_OP_IN)
		v->op = v->list ? "in" : "==";
	else
		v->op = v->list ? "not in" : "!=";
	if (n) {
		v->values = calloc(n, sizeof(char *));
		if (!v->values)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		elem_str(&b, m->fields, m->nfields, &el[i * m->nfields]);
		if (!(v->values[i] = strbuf_take(&b)))
			return -ENOMEM;
		v->nvalues++;
	}
	return 0;
}

/* The data of a map element: a verdict, or an address and/or a port
 * (nft's data types: 7 ipv4_addr, 8 ipv6_addr, 13 inet_service; a
 * concatenation packs one type per 6 bits). */
static void verdict_str(struct strbuf *b, const struct rs_verdict *vd);

static void elem_data_str(struct strbuf *b, const struct rs_set *s,
			  const struct rs_elem_data *d)
{
	uint32_t t = s->data_type;
	unsigned int i;

	if (d->verdict.kind != RS_V_NONE || !d->nvalues) {
		verdict_str(b, &d->verdict);
		return;
	}
	for (i = 0; i < d->nvalues && i < 2; i++) {
		/* the first type of a concatenation is in the high bits */
		uint32_t ti = d->nvalues == 2 ? (i == 0 ? t >> 6 : t & 0x3f) : t;

		if (i)
			strbuf_add(b, " . ");
		if (ti == 7)
			value_str(b, RS_K_ADDR4, d->value[i]);
		else if (ti == 8)
			value_str(b, RS_K_ADDR6, d->value[i]);
		else
			value_str(b, RS_K_INT, d->value[i]);
	}
}

static void map_inline_str(struct strbuf *b, const struct rs_set *s)
{
	size_t i;

	strbuf_add(b, "{ ");
	for (i = 0; i < s->nelems; i++) {
		if (i)
			strbuf_add(b, ", ");
		elem_str(b, s->fields, s->nfields, &s->elems[i * s->nfields]);
		if (s->data) {
			strbuf_add(b, " : ");
			elem_data_str(b, s, &s->data[i]);
		}
	}
	strbuf_add(b, " }");
}

static void map_ref_str(struct strbuf *b, const struct rs_set *s)
{
	if (set_is_named(s))
		strbuf_addf(b, "@%s", s->name);
	else
		map_inline_str(b, s);
}

static void nat_str(struct strbuf *b, const struct rs_verdict *vd)
{
	const struct rs_nat *n = &vd->nat;
	struct rs_interval iv;
	enum rs_field f = n->family == NFPROTO_IPV6 ? RS_F_IP6_DADDR :
						       RS_F_IP_DADDR;

	if (vd->map.set) {
		strbuf_add(b, " to ");
		fields_str(b, vd->map.fields, vd->map.nfields);
		strbuf_add(b, " map ");
		map_ref_str(b, vd->map.set);
		return;
	}
	if (!n->has_addr && !n->has_port)
		return;
	strbuf_add(b, " to ");
	if (n->has_addr) {
		iv.lo = n->addr_lo;
		iv.hi = n->addr_hi;
		if (n->family == NFPROTO_IPV6 && n->has_port)
			strbuf_add(b, "[");
		if (iv.lo == iv.hi)
			value_str(b, rs_field_info(f)->kind, iv.lo);
		else {
			value_str(b, rs_field_info(f)->kind, iv.lo);
			strbuf_add(b, "-");
			value_str(b, rs_field_info(f)->kind, iv.hi);
		}
		if (n->family == NFPROTO_IPV6 && n->has_port)
			strbuf_add(b, "]");
	}
	if (n->has_port) {
		strbuf_addf(b, ":%u", n->port_lo);
		if (n->port_hi != n->port_lo)
			strbuf_addf(b, "-%u", n->port_hi);
	}
}

static void verdict_str(struct strbuf *b, const struct rs_verdict *vd)
{
	switch (vd->kind) {
	case RS_V_NONE:
		return;
	case RS_V_JUMP:
	case RS_V_GOTO:
		strbuf_addf(b, "%s %s", rs_verdict_name(vd->kind),
			    vd->chain ? vd->chain : "?");
		return;
	case RS_V_REJECT:
		strbuf_add(b, "reject");
		if (vd->name)
			strbuf_addf(b, " with %s", vd->name);
		return;
	case RS_V_QUEUE:
		strbuf_addf(b, "queue num %u%s", vd->queue_num,
			    vd->queue_bypass ? " bypass" : "");
		return;
	case RS_V_VMAP:
		fields_str(b, vd->map.fields, vd->map.nfields);
		strbuf_add(b, " vmap ");
		if (vd->map.set)
			map_ref_str(b, vd->map.set);
		else
			strbuf_add(b, "?");
		return;
	case RS_V_OTHER:
		strbuf_addf(b, "target %s rev %u", vd->name ? vd->name : "?",
			    vd->revision);
		return;
	case RS_V_DNAT:
	case RS_V_SNAT:
	case RS_V_MASQUERADE:
	case RS_V_REDIRECT:
	case RS_V_TPROXY:
		strbuf_add(b, rs_verdict_name(vd->kind));
		nat_str(b, vd);
		return;
	default:
		strbuf_add(b, rs_verdict_name(vd->kind));
		return;
	}
}

static void str_quoted(struct strbuf *b, const char *s, bool quote)
{
	if (quote)
		strbuf_addf(b, "\"%s\"", s);
	else
		strbuf_add(b, s);
}

static void match_text(struct strbuf *b, const struct rs_match *m,
		       const struct match_view *v)
{
	bool quote = m->op != RS_OP_OTHER && m->nfields == 1 &&
		     rs_field_info(m->fields[0])->kind == RS_K_IFNAME;
	size_t i;

	if (m->op == RS_OP_OTHER) {
		if (m->invert)
			strbuf_add(b, "! ");
		if (m->fields[0] == RS_F_UNKNOWN)
			strbuf_addf(b, "unknown match %s rev %d", v->name,
				    v->revision);
		else if (v->nvalues && !strncmp(v->values[0], v->name,
						 strlen(v->name)) &&
			 v->values[0][strlen(v->name)] == ':')
			/* the decoder's text already names the match */
			strbuf_addf(b, "%s%s", v->name,
				    v->values[0] + strlen(v->name) + 1);
		else
			strbuf_addf(b, "%s%s%s", v->name, v->nvalues ? " " : "",
				    v->nvalues ? v->values[0] : "");
		return;
	}
	strbuf_add(b, v->field);
	if (v->mask) {
		strbuf_addf(b, " & %s %s %s", v->mask, v->op, v->values[0]);
		return;
	}
	if (v->set) {
		strbuf_addf(b, "%s %s", m->op == RS_OP_NOT_IN ? " !=" : "",
			    v->set);
		return;
	}
	if (strcmp(v->op, "==") && strcmp(v->op, "in"))
		strbuf_add(b, " !=");
	strbuf_add(b, " ");
	if (!v->list) {
		str_quoted(b, v->values[0], quote);
		return;
	}
	strbuf_add(b, "{ ");
	for (i = 0; i < v->nvalues; i++) {
		if (i)
			strbuf_add(b, ", ");
		str_quoted(b, v->values[i], quote);
	}
	strbuf_add(b, " }");
}

char *rsprint_match(const struct rs_match *m)
{
	struct strbuf b = STRBUF_INIT;
	struct match_view v;

	if (match_view(m, &v) < 0) {
		match_view_release(&v);
		return NULL;
	}
	match_text(&b, m, &v);
	match_view_release(&v);
	return strbuf_take(&b);
}

char *rsprint_rule(const struct rs_rule *r)
{
	struct strbuf b = STRBUF_INIT;
	struct match_view v;
	size_t i;

	for (i = 0; i < r->nmatches; i++) {
		if (match_view(&r->matches[i], &v) < 0) {
			match_view_release(&v);
			strbuf_release(&b);
			return NULL;
		}
		if (i)
			strbuf_add(&b, " ");
		match_text(&b, &r->matches[i], &v);
		match_view_release(&v);
	}
	for (i = 0; i < r->nstmts; i++) {
		strbuf_addf(&b, "%s%s", b.len ? " " : "", r->stmts[i].name);
		if (r->stmts[i].text)
			strbuf_addf(&b, " %s", r->stmts[i].text);
	}
	if (r->verdict.kind != RS_V_NONE) {
		if (b.len)
			strbuf_add(&b, " ");
		verdict_str(&b, &r->verdict);
	}
	if (r->comment)
		strbuf_addf(&b, " comment \"%s\"", r->comment);
	return strbuf_take(&b);
}

static const char *origin_name(enum rs_origin o)
{
	return o == RS_ORIGIN_NFT ? "nftables" : "iptables-legacy";
}

int rsprint_text(const struct ruleset *rs, FILE *f)
{
	const struct rs_chain *c, *prev = NULL;
	size_t i, j;
	char *line;

	for (i = 0; i < rs->nsources; i++)
		fprintf(f, "# source %s: %s\n", rs->sources[i].name,
			rs->sources[i].present ? "present" :
			rs->sources[i].error ? strerror(-rs->sources[i].error) :
			"absent");
	for (i = 0; i < rs->nchains; i++) {
		c = &rs->chains[i];
		if (!prev || prev->origin != c->origin ||
		    prev->family != c->family || strcmp(prev->table, c->table)) {
			if (prev)
				fprintf(f, "}\n");
			fprintf(f, "table %s %s {\t# %s\n",
				rs_family_name(c->family), c->table,
				origin_name(c->origin));
		}
		fprintf(f, "\tchain %s {\n", c->name);
		if (c->base) {
			fprintf(f, "\t\ttype %s hook %s", c->type ? c->type :
				"filter", rs_hook_name(c->family, c->hook));
			if (c->device)
				fprintf(f, " device \"%s\"", c->device);
			fprintf(f, " priority %d; policy %s;\n", c->priority,
				rs_verdict_name(c->policy));
		}
		for (j = 0; j < c->nrules; j++) {
			line = rsprint_rule(&c->rules[j]);
			if (!line)
				return -ENOMEM;
			if (c->rules[j].has_handle)
				fprintf(f, "\t\t%s # handle %llu\n", line,
					(unsigned long long)c->rules[j].handle);
			else
				fprintf(f, "\t\t%s # rule %u\n", line,
					c->rules[j].position);
			free(line);
		}
		fprintf(f, "\t}\n");
		prev = c;
	}
	if (prev)
		fprintf(f, "}\n");
	for (i = 0; i < rs->nnotes; i++)
		fprintf(f, "# note: %s\n", rs->notes[i]);
	return ferror(f) ? -EIO : 0;
}

/* jansson's *_new functions take ownership; a NULL from an inner call makes
 * the outer set fail, and we check the result once per object. */
static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *verdict_json(const struct rs_verdict *vd)
{
	struct strbuf b = STRBUF_INIT;
	json_t *o = json_object();
	char *s;

	if (!o)
		return NULL;
	json_object_set_new(o, "kind", json_string(rs_verdict_name(vd->kind)));
	if (vd->chain)
		json_object_set_new(o, "chain", json_string(vd->chain));
	if (vd->name)
		json_object_set_new(o, vd->kind == RS_V_REJECT ? "with" : "name",
				    json_string(vd->name));
	if (vd->kind == RS_V_OTHER)
		json_object_set_new(o, "revision", json_integer(vd->revision));
	if (vd->kind == RS_V_QUEUE)
		json_object_set_new(o, "num", json_integer(vd->queue_num));
	if (vd->map.set) {
		fields_str(&b, vd->map.fields, vd->map.nfields);
		s = strbuf_take(&b);
		json_object_set_new(o, "key", jstr(s));
		free(s);
		json_object_set_new(o, "map", json_string(vd->map.set->name));
		if (!set_is_named(vd->map.set)) {
			map_inline_str(&b, vd->map.set);
			s = strbuf_take(&b);
			json_object_set_new(o, "elements", jstr(s));
			free(s);
		}
	}
	if (vd->nat.has_addr || vd->nat.has_port) {
		nat_str(&b, vd);
		s = strbuf_take(&b);
		/* " to X": keep only X */
		json_object_set_new(o, "to", jstr(s ? s + 4 : NULL));
		free(s);
	}
	return o;
}

static json_t *match_json(const struct rs_match *m)
{
	struct match_view v;
	json_t *o = json_object(), *a;
	size_t i;

	if (!o || match_view(m, &v) < 0) {
		match_view_release(&v);
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "field", json_string(v.field));
	if (v.name)
		json_object_set_new(o, "name", json_string(v.name));
	if (v.revision >= 0)
		json_object_set_new(o, "revision", json_integer(v.revision));
	json_object_set_new(o, "op", json_string(v.op));
	if (v.mask)
		json_object_set_new(o, "mask", json_string(v.mask));
	if (v.set)
		json_object_set_new(o, "set", json_string(v.set));
	else if (v.list) {
		a = json_array();
		for (i = 0; a && i < v.nvalues; i++)
			json_array_append_new(a, json_string(v.values[i]));
		json_object_set_new(o, "value", a);
	} else if (v.nvalues)
		json_object_set_new(o, "value", json_string(v.values[0]));
	match_view_release(&v);
	return o;
}

static json_t *rule_json(const struct rs_rule *r)
{
	json_t *o = json_object(), *a, *s;
	size_t i;
	char *text;

	if (!o)
		return NULL;
	json_object_set_new(o, "position", json_integer(r->position));
	if (r->has_handle)
		json_object_set_new(o, "handle", json_integer((json_int_t)r->handle));
	a = json_array();
	for (i = 0; a && i < r->nmatches; i++)
		json_array_append_new(a, match_json(&r->matches[i]));
	json_object_set_new(o, "matches", a);
	if (r->nstmts) {
		a = json_array();
		for (i = 0; a && i < r->nstmts; i++) {
			s = json_object();
			json_object_set_new(s, "name", json_string(r->stmts[i].name));
			if (r->stmts[i].text)
				json_object_set_new(s, "text",
						    json_string(r->stmts[i].text));
			json_array_append_new(a, s);
		}
		json_object_set_new(o, "statements", a);
	}
	json_object_set_new(o, "verdict", verdict_json(&r->verdict));
	if (r->comment)
		json_object_set_new(o, "comment", json_string(r->comment));
	text = rsprint_rule(r);
	json_object_set_new(o, "text", jstr(text));
	free(text);
	return o;
}

static json_t *chain_json(const struct rs_chain *c)
{
	json_t *o = json_object(), *a;
	size_t i;

	if (!o)
		return NULL;
	json_object_set_new(o, "family", json_string(rs_family_name(c->family)));
	json_object_set_new(o, "source", json_string(origin_name(c->origin)));
	json_object_set_new(o, "table", json_string(c->table));
	json_object_set_new(o, "chain", json_string(c->name));
	json_object_set_new(o, "hook", c->base ?
			    json_string(rs_hook_name(c->family, c->hook)) :
			    json_null());
	json_object_set_new(o, "priority", c->base ?
			    json_integer(c->priority) : json_null());
	json_object_set_new(o, "policy", c->base ?
			    json_string(rs_verdict_name(c->policy)) :
			    json_null());
	if (c->base)
		json_object_set_new(o, "type", jstr(c->type));
	if (c->device)
		json_object_set_new(o, "device", json_string(c->device));
	a = json_array();
	for (i = 0; a && i < c->nrules; i++)
		json_array_append_new(a, rule_json(&c->rules[i]));
	json_object_set_new(o, "rules", a);
	return o;
}

static json_t *set_json(const struct rs_set *s)
{
	struct strbuf b = STRBUF_INIT;
	json_t *o = json_object(), *a, *e;
	size_t i;
	char *str;

	if (!o)
		return NULL;
	json_object_set_new(o, "family", json_string(rs_family_name(s->family)));
	json_object_set_new(o, "table", json_string(s->table));
	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "map", json_boolean(s->data != NULL));
	a = json_array();
	for (i = 0; a && i < s->nelems; i++) {
		elem_str(&b, s->fields, s->nfields, &s->elems[i * s->nfields]);
		str = strbuf_take(&b);
		e = json_object();
		json_object_set_new(e, "key", jstr(str));
		free(str);
		if (s->data && (s->data[i].verdict.kind != RS_V_NONE ||
				!s->data[i].nvalues)) {
			json_object_set_new(e, "data",
					    verdict_json(&s->data[i].verdict));
		} else if (s->data) {
			elem_data_str(&b, s, &s->data[i]);
			str = strbuf_take(&b);
			json_object_set_new(e, "data", jstr(str));
			free(str);
		}
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "elements", a);
	return o;
}

json_t *rsprint_json(const struct ruleset *rs)
{
	json_t *root = json_object(), *a, *src;
	size_t i;

	if (!root)
		return NULL;
	json_object_set_new(root, "version", json_integer(1));
	a = json_array();
	for (i = 0; a && i < rs->nsources; i++) {
		src = json_object();
		json_object_set_new(src, "name", json_string(rs->sources[i].name));
		json_object_set_new(src, "present",
				    json_boolean(rs->sources[i].present));
		if (rs->sources[i].error)
			json_object_set_new(src, "error",
					    json_string(strerror(-rs->sources[i].error)));
		json_array_append_new(a, src);
	}
	json_object_set_new(root, "sources", a);
	a = json_array();
	for (i = 0; a && i < rs->nchains; i++)
		json_array_append_new(a, chain_json(&rs->chains[i]));
	json_object_set_new(root, "chains", a);
	a = json_array();
	for (i = 0; a && i < rs->nsets; i++)
		if (set_is_named(rs->sets[i]))
			json_array_append_new(a, set_json(rs->sets[i]));
	json_object_set_new(root, "sets", a);
	a = json_array();
	for (i = 0; a && i < rs->nnotes; i++)
		json_array_append_new(a, json_string(rs->notes[i]));
	json_object_set_new(root, "notes", a);
	return root;
}
