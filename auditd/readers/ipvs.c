// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipvs.c - IPVS virtual services and real servers (generic netlink "IPVS").
 *
 * The layout is the kernel's (net/netfilter/ipvs/ip_vs_ctl.c,
 * ip_vs_genl_fill_service() and ip_vs_genl_fill_dest()): each answer is a
 * genlmsghdr and one nested IPVS_CMD_ATTR_SERVICE or IPVS_CMD_ATTR_DEST.
 * A destination dump is asked with the service's identity nested in the
 * request, so a replay finds the service of each answer in its request.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>

#include "host_read.h"
#include "ipvs.h"
#include "nldump.h"

/* What one read builds before it replaces h's services. */
struct ipvs_read {
	size_t nsvc;
	struct host_ipvs_svc *svc;
	int error;		/* a refused dump: for a note */
};

void ipvs_svcs_free(struct host_ipvs_svc *svc, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(svc[i].dests);
	free(svc);
}

void ipvs_free(struct host *h)
{
	if (!h)
		return;
	ipvs_svcs_free(h->ipvs, h->nipvs);
	h->ipvs = NULL;
	h->nipvs = 0;
}

const char *ipvs_fwd_name(uint8_t fwd)
{
	switch (fwd) {
	case HOST_IPVS_MASQ:	return "masq";
	case HOST_IPVS_LOCAL:	return "local";
	case HOST_IPVS_TUNNEL:	return "tunnel";
	case HOST_IPVS_ROUTE:	return "route";
	case HOST_IPVS_BYPASS:	return "bypass";
	default:		return "?";
	}
}

void ipvs_tun_text(uint8_t type, uint16_t port, char *buf, size_t size)
{
	switch (type) {
	case IP_VS_CONN_F_TUNNEL_TYPE_IPIP:
		snprintf(buf, size, "ipip");
		break;
	case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
		snprintf(buf, size, "gue udp/%u", port);
		break;
	case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
		snprintf(buf, size, "gre");
		break;
	default:
		snprintf(buf, size, "type %u", type);
		break;
	}
}

/* The attributes of one nest, each validated for its type; unknown ones
 * (newer kernels) are skipped. */
struct ipvs_attrs {
	const struct nlattr *tb[IPVS_SVC_ATTR_MAX > IPVS_DEST_ATTR_MAX ?
				IPVS_SVC_ATTR_MAX + 1 : IPVS_DEST_ATTR_MAX + 1];
	const enum mnl_attr_data_type *types;
	unsigned int max;
	int err;
};

static const enum mnl_attr_data_type svc_types[IPVS_SVC_ATTR_MAX + 1] = {
	[IPVS_SVC_ATTR_AF] = MNL_TYPE_U16,
	[IPVS_SVC_ATTR_PROTOCOL] = MNL_TYPE_U16,
	[IPVS_SVC_ATTR_ADDR] = MNL_TYPE_BINARY,
	[IPVS_SVC_ATTR_PORT] = MNL_TYPE_U16,
	[IPVS_SVC_ATTR_FWMARK] = MNL_TYPE_U32,
	[IPVS_SVC_ATTR_SCHED_NAME] = MNL_TYPE_NUL_STRING,
	[IPVS_SVC_ATTR_FLAGS] = MNL_TYPE_BINARY,
};

static const enum mnl_attr_data_type dest_types[IPVS_DEST_ATTR_MAX + 1] = {
	[IPVS_DEST_ATTR_ADDR] = MNL_TYPE_BINARY,
	[IPVS_DEST_ATTR_PORT] = MNL_TYPE_U16,
	[IPVS_DEST_ATTR_FWD_METHOD] = MNL_TYPE_U32,
	[IPVS_DEST_ATTR_WEIGHT] = MNL_TYPE_U32,
	[IPVS_DEST_ATTR_ADDR_FAMILY] = MNL_TYPE_U16,
	/* Linux 5.3 (ip_vs_genl_fill_dest()): u8, be16, u16 */
	[IPVS_DEST_ATTR_TUN_TYPE] = MNL_TYPE_U8,
	[IPVS_DEST_ATTR_TUN_PORT] = MNL_TYPE_U16,
	[IPVS_DEST_ATTR_TUN_FLAGS] = MNL_TYPE_U16,
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct ipvs_attrs *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type > t->max || t->types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, t->types[type]) < 0) {
		t->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	t->tb[type] = a;
	return MNL_CB_OK;
}

/* The nest of type outer in the genl message nlh (request or answer)
 * parsed into t. */
static int nest_parse(const struct nlmsghdr *nlh, uint16_t outer,
		      struct ipvs_attrs *t)
{
	const struct nlattr *a, *nest = NULL;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EBADMSG;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != outer)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return -EBADMSG;
		nest = a;
	}
	if (!nest)
		return -EBADMSG;
	t->err = 0;
	if (mnl_attr_parse_nested(nest, attr_cb, t) < 0)
		return t->err ? t->err : -EBADMSG;
	return 0;
}

/* An address attribute: the kernel sends union nf_inet_addr (16 bytes)
 * whatever the family; an IPv4 address is its first 4. */
static int addr_get(const struct nlattr *a, uint8_t af, rs_u128 *out)
{
	size_t need = af == AF_INET ? 4 : 16;

	if (!a || mnl_attr_get_payload_len(a) < need)
		return -EBADMSG;
	*out = host_addr_from_bytes(af, mnl_attr_get_payload(a));
	return 0;
}

static int af_get(const struct nlattr *a, uint8_t *af)
{
	uint16_t v;

	if (!a)
		return -EBADMSG;
	v = mnl_attr_get_u16(a);
	if (v != AF_INET && v != AF_INET6)
		return -EBADMSG;
	*af = (uint8_t)v;
	return 0;
}

/* A service's identity and description from its nest (an answer, or the
 * identity a destination request carries: then sched and flags absent). */
static int svc_parse(const struct nlmsghdr *nlh, bool answer,
		     struct host_ipvs_svc *s)
{
	struct ipvs_attrs t = { .types = svc_types, .max = IPVS_SVC_ATTR_MAX };
	const struct nlattr *const *tb = t.tb;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = nest_parse(nlh, IPVS_CMD_ATTR_SERVICE, &t);
	if (ret < 0)
		return ret;
	ret = af_get(tb[IPVS_SVC_ATTR_AF], &s->family);
	if (ret < 0)
		return ret;
	if (tb[IPVS_SVC_ATTR_FWMARK]) {
		s->fwmark = mnl_attr_get_u32(tb[IPVS_SVC_ATTR_FWMARK]);
		if (!s->fwmark)
			return -EBADMSG;
	} else {
		uint16_t proto;

		if (!tb[IPVS_SVC_ATTR_PROTOCOL] || !tb[IPVS_SVC_ATTR_PORT])
			return -EBADMSG;
		proto = mnl_attr_get_u16(tb[IPVS_SVC_ATTR_PROTOCOL]);
		if (proto != IPPROTO_TCP && proto != IPPROTO_UDP &&
		    proto != IPPROTO_SCTP)
			return -EBADMSG;
		s->proto = (uint8_t)proto;
		ret = addr_get(tb[IPVS_SVC_ATTR_ADDR], s->family, &s->addr);
		if (ret < 0)
			return ret;
		s->port = ntohs(mnl_attr_get_u16(tb[IPVS_SVC_ATTR_PORT]));
	}
	if (!answer)
		return 0;
	if (tb[IPVS_SVC_ATTR_SCHED_NAME]) {
		const char *n = mnl_attr_get_str(tb[IPVS_SVC_ATTR_SCHED_NAME]);

		if (strlen(n) >= sizeof(s->sched))
			return -EBADMSG;
		strcpy(s->sched, n);
	}
	if (tb[IPVS_SVC_ATTR_FLAGS]) {
		struct ip_vs_flags f;

		if (mnl_attr_get_payload_len(tb[IPVS_SVC_ATTR_FLAGS]) <
		    sizeof(f))
			return -EBADMSG;
		memcpy(&f, mnl_attr_get_payload(tb[IPVS_SVC_ATTR_FLAGS]),
		       sizeof(f));
		s->flags = f.flags;
	}
	return 0;
}

static bool svc_same(const struct host_ipvs_svc *a,
		     const struct host_ipvs_svc *b)
{
	if (a->family != b->family || a->fwmark != b->fwmark)
		return false;
	return a->fwmark || (a->proto == b->proto && a->addr == b->addr &&
			     a->port == b->port);
}

static int dest_parse(const struct nlmsghdr *nlh, uint8_t svc_af,
		      struct host_ipvs_dest *d)
{
	struct ipvs_attrs t = { .types = dest_types, .max = IPVS_DEST_ATTR_MAX };
	const struct nlattr *const *tb = t.tb;
	uint32_t fwd;
	int ret;

	memset(d, 0, sizeof(*d));
	ret = nest_parse(nlh, IPVS_CMD_ATTR_DEST, &t);
	if (ret < 0)
		return ret;
	/* before Linux 4.15 a real server has the service's family */
	d->family = svc_af;
	if (tb[IPVS_DEST_ATTR_ADDR_FAMILY]) {
		ret = af_get(tb[IPVS_DEST_ATTR_ADDR_FAMILY], &d->family);
		if (ret < 0)
			return ret;
	}
	ret = addr_get(tb[IPVS_DEST_ATTR_ADDR], d->family, &d->addr);
	if (ret < 0)
		return ret;
	if (!tb[IPVS_DEST_ATTR_PORT] || !tb[IPVS_DEST_ATTR_FWD_METHOD] ||
	    !tb[IPVS_DEST_ATTR_WEIGHT])
		return -EBADMSG;
	d->port = ntohs(mnl_attr_get_u16(tb[IPVS_DEST_ATTR_PORT]));
	fwd = mnl_attr_get_u32(tb[IPVS_DEST_ATTR_FWD_METHOD]) &
	      IP_VS_CONN_F_FWD_MASK;
	if (fwd > IP_VS_CONN_F_BYPASS)
		return -EBADMSG;
	d->fwd = (uint8_t)fwd;	/* enum host_ipvs_fwd follows the kernel */
	d->weight = mnl_attr_get_u32(tb[IPVS_DEST_ATTR_WEIGHT]);
	/* before Linux 5.3 every tunnel is IPIP (type 0) */
	/* (a type newer than GRE is kept: the engine names it undecided) */
	if (tb[IPVS_DEST_ATTR_TUN_TYPE])
		d->tun_type = mnl_attr_get_u8(tb[IPVS_DEST_ATTR_TUN_TYPE]);
	if (tb[IPVS_DEST_ATTR_TUN_PORT])
		d->tun_port = ntohs(mnl_attr_get_u16(tb[IPVS_DEST_ATTR_TUN_PORT]));
	if (tb[IPVS_DEST_ATTR_TUN_FLAGS])
		d->tun_flags = mnl_attr_get_u16(tb[IPVS_DEST_ATTR_TUN_FLAGS]);
	return 0;
}

static uint8_t genl_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g))
		return 0;
	g = mnl_nlmsg_get_payload(nlh);
	return g->cmd;
}

static int ipvs_msg(const struct nlmsghdr *req, const struct nlmsghdr *nlh,
		    void *data)
{
	struct ipvs_read *rd = data;
	struct host_ipvs_svc s, *ns = NULL;
	struct host_ipvs_dest d, *nd;
	size_t i;
	int ret;

	switch (genl_cmd(req)) {
	case IPVS_CMD_GET_SERVICE:
		if (genl_cmd(nlh) != IPVS_CMD_NEW_SERVICE)
			return -EBADMSG;
		ret = svc_parse(nlh, true, &s);
		if (ret < 0)
			return ret;
		for (i = 0; i < rd->nsvc; i++)
			if (svc_same(&rd->svc[i], &s))
				return -EBADMSG;
		ns = host_array_add((void **)&rd->svc, &rd->nsvc, sizeof(*ns),
				    IPVS_SVC_MAX);
		if (!ns)
			return -errno;
		*ns = s;
		return 0;
	case IPVS_CMD_GET_DEST:
		if (genl_cmd(nlh) != IPVS_CMD_NEW_DEST)
			return -EBADMSG;
		ret = svc_parse(req, false, &s);
		if (ret < 0)
			return ret;
		for (i = 0; i < rd->nsvc && !ns; i++)
			if (svc_same(&rd->svc[i], &s))
				ns = &rd->svc[i];
		if (!ns)
			return -EBADMSG;	/* no such service dumped */
		ret = dest_parse(nlh, ns->family, &d);
		if (ret < 0)
			return ret;
		nd = host_array_add((void **)&ns->dests, &ns->ndests,
				    sizeof(*nd), IPVS_DEST_MAX);
		if (!nd)
			return -errno;
		*nd = d;
		return 0;
	default:
		return -EBADMSG;
	}
}

static int ipvs_done(const struct nlmsghdr *req, int err, void *data)
{
	struct ipvs_read *rd = data;

	/* a refusal (no CAP_NET_ADMIN) or a service deleted between the two
	 * dumps is kept for a note; a moving table is retried by the
	 * caller (-EINTR) */
	if (err == -EINTR || err == -ENOMEM)
		return err;
	if (err < 0 && !rd->error)
		rd->error = err;
	return 0;
}

/* The generic netlink id of "IPVS" among the families the controller
 * answers (a dump: all of them on kernels that ignore the name). */
struct family_ans {
	uint16_t id;
	bool ipvs;
};

static int family_cb(const struct nlattr *a, void *data)
{
	struct family_ans *f = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
			f->id = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_FAMILY_NAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			f->ipvs = !strcmp(mnl_attr_get_str(a), IPVS_GENL_NAME);
		break;
	}
	return MNL_CB_OK;
}

static int family_msg(const struct nlmsghdr *req, const struct nlmsghdr *nlh,
		      void *data)
{
	struct family_ans f = { 0 };
	uint16_t *id = data;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EBADMSG;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_cb, &f);
	if (f.ipvs && f.id)
		*id = f.id;
	return 0;
}

static int family_done(const struct nlmsghdr *req, int err, void *data)
{
	return err;
}

/* a request: the headers and a service's identity (at most ~100 bytes) */
#define IPVS_REQ_MAX	256

static struct nlmsghdr *genl_req(char *buf, uint16_t type, uint8_t cmd,
				 uint8_t version)
{
	struct nlmsghdr *nlh;

	/* the requests are small: zeroed, so that no attribute's padding
	 * sends stack bytes to the kernel (libmnl may leave it as it was) */
	memset(buf, 0, IPVS_REQ_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static int family_id(struct mnl_socket *nl, uint16_t *id)
{
	struct nld_handler hd = { family_msg, family_done, id };
	char buf[IPVS_REQ_MAX];
	struct nlmsghdr *nlh;
	int ret;

	*id = 0;
	nlh = genl_req(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, IPVS_GENL_NAME);
	/* nld_dump asks a dump: older controllers answer every family */
	ret = nld_dump(nl, nlh, &hd, NULL);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	return *id ? 0 : -ENOENT;
}

/* The service's identity nested in a destination request. */
static void svc_put(struct nlmsghdr *nlh, const struct host_ipvs_svc *s)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
	uint8_t bytes[16] = { 0 };
	size_t k;

	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, s->family);
	if (s->fwmark) {
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_FWMARK, s->fwmark);
	} else {
		if (s->family == AF_INET) {
			for (k = 0; k < 4; k++)
				bytes[k] = (uint8_t)(s->addr >> (24 - 8 * k));
		} else {
			for (k = 0; k < 16; k++)
				bytes[k] = (uint8_t)(s->addr >> (120 - 8 * k));
		}
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PROTOCOL, s->proto);
		mnl_attr_put(nlh, IPVS_SVC_ATTR_ADDR, sizeof(bytes), bytes);
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PORT, htons(s->port));
	}
	mnl_attr_nest_end(nlh, nest);
}

static int ipvs_read_once(struct mnl_socket *nl, uint16_t id,
			  struct ipvs_read *rd, FILE *rec)
{
	struct nld_handler hd = { ipvs_msg, ipvs_done, rd };
	char buf[IPVS_REQ_MAX];
	struct nlmsghdr *nlh;
	size_t i, n;
	int ret;

	nlh = genl_req(buf, id, IPVS_CMD_GET_SERVICE, IPVS_GENL_VERSION);
	ret = nld_dump(nl, nlh, &hd, rec);
	if (ret < 0 || rd->error)
		return ret;
	n = rd->nsvc;	/* (the services do not move while we ask) */
	for (i = 0; i < n; i++) {
		nlh = genl_req(buf, id, IPVS_CMD_GET_DEST, IPVS_GENL_VERSION);
		svc_put(nlh, &rd->svc[i]);
		ret = nld_dump(nl, nlh, &hd, rec);
		if (ret < 0 || rd->error)
			return ret;
	}
	return 0;
}

static void dest_text(const struct host_ipvs_svc *s, struct host_ipvs_dest *d)
{
	char va[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN], svc[96], tun[32] = "";
	char tt[24];
	bool v6 = s->family == AF_INET6, d6 = d->family == AF_INET6;

	if (s->fwmark)
		snprintf(svc, sizeof(svc), "fwmark %u", s->fwmark);
	else
		snprintf(svc, sizeof(svc), "%s %s%s%s:%u",
			 s->proto == IPPROTO_TCP ? "tcp" :
			 s->proto == IPPROTO_UDP ? "udp" : "sctp",
			 v6 ? "[" : "", host_addr_str(s->family, s->addr, va,
						      sizeof(va)),
			 v6 ? "]" : "", s->port);
	/* an IPIP tunnel (every tunnel before Linux 5.3) reads as before */
	if (d->fwd == HOST_IPVS_TUNNEL && d->tun_type) {
		ipvs_tun_text(d->tun_type, d->tun_port, tt, sizeof(tt));
		snprintf(tun, sizeof(tun), " %s", tt);
	}
	snprintf(d->what, sizeof(d->what), "IPVS %s (%s): to real server "
		 "%s%s%s:%u (%s%s)", svc, s->sched[0] ? s->sched : "?",
		 d6 ? "[" : "", host_addr_str(d->family, d->addr, da,
					      sizeof(da)),
		 d6 ? "]" : "", d->port, ipvs_fwd_name(d->fwd), tun);
}

/* The services of one read into *svc, *n (replacing what they held) and
 * its refusal into *err. */
static void ipvs_set(struct ipvs_read *rd, struct host_ipvs_svc **svc,
		     size_t *n, int *err)
{
	size_t i, k;

	for (i = 0; i < rd->nsvc; i++)
		for (k = 0; k < rd->svc[i].ndests; k++)
			dest_text(&rd->svc[i], &rd->svc[i].dests[k]);
	ipvs_svcs_free(*svc, *n);
	*svc = NULL;
	*n = 0;
	if (rd->error) {
		/* a half-read table is no answer: only the note */
		ipvs_svcs_free(rd->svc, rd->nsvc);
	} else {
		*svc = rd->svc;
		*n = rd->nsvc;
	}
	*err = rd->error;
	rd->svc = NULL;
	rd->nsvc = 0;
}

int ipvs_read_into(const char *env, struct host_ipvs_svc **svc, size_t *n,
		   int *err)
{
	struct ipvs_read rd = { 0 };
	struct mnl_socket *nl;
	unsigned int attempt;
	FILE *rec = NULL;
	uint16_t id;
	int ret;

	nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl) {
		*err = -errno;
		return 0;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		*err = -errno;
		ret = 0;
		goto out;
	}
	ret = family_id(nl, &id);
	if (ret == -ENOENT) {
		/* no IPVS in this kernel: nothing to say */
		ipvs_set(&rd, svc, n, err);
		ret = 0;
		goto out;
	}
	if (ret < 0) {
		*err = ret;
		ret = 0;
		goto out;
	}
	ret = -EINTR;
	for (attempt = 0; attempt < NLD_INTR_RETRIES && ret == -EINTR;
	     attempt++) {
		ipvs_svcs_free(rd.svc, rd.nsvc);
		memset(&rd, 0, sizeof(rd));
		if (rec)
			fclose(rec);
		/* truncated: only the attempt that succeeded is on record */
		ret = nld_record_open(env, &rec);
		if (ret < 0)
			goto out;
		ret = ipvs_read_once(nl, id, &rd, rec);
	}
	if (ret == -ENOMEM)
		goto out;
	if (ret < 0 && !rd.error)
		rd.error = ret;
	if (rec) {
		ret = fclose(rec) == 0 ? 0 : -EIO;
		rec = NULL;
		if (ret < 0)
			goto out;
	}
	ipvs_set(&rd, svc, n, err);
	ret = 0;
out:
	if (rec)
		fclose(rec);
	ipvs_svcs_free(rd.svc, rd.nsvc);
	mnl_socket_close(nl);
	return ret;
}

int ipvs_read(struct host *h)
{
	return ipvs_read_into(IPVS_RECORD_ENV, &h->ipvs, &h->nipvs,
			      &h->ipvs_error);
}

/* A replay's end: its services set, or its error (nothing changed). */
static int replay_end(struct ipvs_read *rd, int ret,
		      struct host_ipvs_svc **svc, size_t *n, int *err)
{
	if (ret < 0) {
		ipvs_svcs_free(rd->svc, rd->nsvc);
		return ret == -ENOMEM ? ret : -EBADMSG;
	}
	ipvs_set(rd, svc, n, err);
	return 0;
}

int ipvs_replay_into(const void *buf, size_t len, struct host_ipvs_svc **svc,
		     size_t *n, int *err)
{
	struct ipvs_read rd = { 0 };
	struct nld_handler hd = { ipvs_msg, ipvs_done, &rd };

	return replay_end(&rd, nld_replay_buf(buf, len, &hd), svc, n, err);
}

int ipvs_replay_file(const char *path, struct host_ipvs_svc **svc,
		     size_t *n, int *err)
{
	struct ipvs_read rd = { 0 };
	struct nld_handler hd = { ipvs_msg, ipvs_done, &rd };

	return replay_end(&rd, nld_replay(path, &hd), svc, n, err);
}

int ipvs_replay_buf(struct host *h, const void *buf, size_t len)
{
	return ipvs_replay_into(buf, len, &h->ipvs, &h->nipvs,
				&h->ipvs_error);
}

int ipvs_replay(struct host *h, const char *path)
{
	return ipvs_replay_file(path, &h->ipvs, &h->nipvs, &h->ipvs_error);
}
