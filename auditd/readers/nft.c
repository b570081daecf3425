// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft.c - the nftables reader: netlink dumps (libmnl) parsed by libnftnl,
 * then the rule expressions decoded into the ruleset model.
 *
 * nft_fetch() reads between two reads of the ruleset generation and
 * retries while the generation moves: tables and sets with their elements
 * as libnftnl objects; chains, then rules (one dump per chain) built into a
 * private struct ruleset as soon as each message is parsed, and packed into
 * its arena.  That ruleset is moved into the caller's only when it is
 * complete; a failed attempt's is thrown away.
 *
 * Rule expressions run on a register machine.  struct nft_reg follows what
 * each register holds (a packet field, possibly a partial or masked one, an
 * immediate value, the data half of a map) and the comparing expressions
 * (cmp, range, lookup) turn that into matches.  Anything we cannot name
 * becomes an RS_F_PAYLOAD / RS_F_OTHER / RS_F_UNKNOWN match that says what
 * it is: never dropped, never guessed.
 */
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
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "nft.h"
#include "nldump.h"
#include "xt.h"

/* The whole read is retried this many times while the ruleset changes. */
#define NFT_DUMP_ATTEMPTS	10

/* What the kernel can make us allocate.  Far above real rulesets (a large
 * Kubernetes node has a few thousand chains), low enough to stay bounded. */
#define NFT_MAX_TABLES		4096
#define NFT_MAX_CHAINS		65536
#define NFT_MAX_SETS		65536
#define NFT_MAX_RULES		(1u << 20)
#define NFT_MAX_ELEMS		(1u << 21)	/* all sets together */
#define NFT_MAX_RECORD		(1u << 20)	/* one replay record */
#define NFT_BUFSIZ		65536		/* one recv() */
#define NFT_REQSIZ		1024		/* one request */

/* Internal: the snapshot was inconsistent, read it again. */
#define NFT_RETRY		1

/*
 * Replay seam.  With FWAUDIT_NFT_RECORD=path, nft_dump_ruleset() appends
 * one record per event to path; nft_replay_ruleset() plays a file back.
 * Record: u32 kind, u32 length (host byte order, as netlink itself), then
 * length bytes, padded to 4.  Kinds:
 *	'S'	start of a read (length 0)
 *	'O'	the netlink socket could not be opened: s32 errno
 *	'Q'	a request: the nlmsghdr as sent
 *	'R'	one recv() buffer: netlink messages as received
 *	'E'	a failed recv(): s32 errno
 * Replay plays the first read of the file: on each request it skips to the
 * next 'Q' (what an aborted dump left unread) and checks that it asks the
 * same thing; running out of records is -ENODATA.
 */
enum {
	NFT_REC_START	= 'S',
	NFT_REC_OPEN	= 'O',
	NFT_REC_REQUEST	= 'Q',
	NFT_REC_RECV	= 'R',
	NFT_REC_ERROR	= 'E',
};

struct nft_rec_hdr {
	uint32_t kind;
	uint32_t len;
};

struct nft_io {
	struct mnl_socket *nl;		/* live */
	FILE *replay;			/* replay */
	FILE *record;			/* FWAUDIT_NFT_RECORD */
	uint32_t portid;
	uint32_t seq;
	char *buf;
	size_t buflen;
	/* live: a second datagram received with the first, delivered by the
	 * next nft_io_recv() */
	char *next;
	size_t nextlen;
};

static int nft_rec_write(FILE *f, uint32_t kind, const void *data,
			 uint32_t len)
{
	static const char pad[4];
	struct nft_rec_hdr h = { .kind = kind, .len = len };

	if (!f)
		return 0;
	if (fwrite(&h, sizeof(h), 1, f) != 1 ||
	    (len && fwrite(data, len, 1, f) != 1) ||
	    (len % 4 && fwrite(pad, 4 - len % 4, 1, f) != 1) ||
	    fflush(f) != 0)
		return -EIO;
	return 0;
}

/* Read the next record into buf (at most max bytes).  Returns its length,
 * -ENODATA at the end of the file, another negative errno on a bad file. */
static int nft_rec_read(FILE *f, uint32_t *kind, void *buf, size_t max)
{
	struct nft_rec_hdr h;
	uint32_t padded;

	if (fread(&h, sizeof(h), 1, f) != 1)
		return feof(f) ? -ENODATA : -EIO;
	if (h.len > max || h.len > NFT_MAX_RECORD)
		return -EMSGSIZE;
	padded = (h.len + 3) & ~3u;
	if (padded && fread(buf, padded, 1, f) != 1)
		return -EINVAL;
	*kind = h.kind;
	return (int)h.len;
}

static void nft_io_close(struct nft_io *io)
{
	if (io->nl)
		mnl_socket_close(io->nl);
	if (io->replay)
		fclose(io->replay);
	if (io->record)
		fclose(io->record);
	free(io->buf);
	free(io->next);
	memset(io, 0, sizeof(*io));
}

/* Drop the live socket: what an aborted dump left in it must not be read as
 * the answer to the next request. */
static int nft_io_reopen(struct nft_io *io)
{
	int err;

	if (io->replay)
		return 0;
	io->nextlen = 0;
	if (io->nl) {
		mnl_socket_close(io->nl);
		io->nl = NULL;
	}
	io->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!io->nl)
		goto fail;
	if (mnl_socket_bind(io->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	io->portid = mnl_socket_get_portid(io->nl);
	return 0;
fail:
	err = errno ? errno : EIO;
	if (io->nl) {
		mnl_socket_close(io->nl);
		io->nl = NULL;
	}
	nft_rec_write(io->record, NFT_REC_OPEN, &err, sizeof(err));
	return -err;
}

static int nft_io_open_live(struct nft_io *io)
{
	/* not from the environment of a set-user-ID caller */
	const char *path = secure_getenv("FWAUDIT_NFT_RECORD");

	memset(io, 0, sizeof(*io));
	io->buflen = NFT_BUFSIZ;
	io->buf = malloc(io->buflen);
	io->next = malloc(io->buflen);
	if (!io->buf || !io->next)
		return -ENOMEM;
	io->seq = (uint32_t)time(NULL);
	if (path && *path) {
		io->record = fopen(path, "ae");
		if (!io->record)
			return -errno;
		if (nft_rec_write(io->record, NFT_REC_START, NULL, 0) < 0)
			return -EIO;
	}
	return nft_io_reopen(io);
}

static int nft_io_open_replay(struct nft_io *io, const char *path)
{
	uint32_t kind;
	int32_t err;
	int ret;

	memset(io, 0, sizeof(*io));
	io->buflen = NFT_BUFSIZ;
	io->buf = malloc(io->buflen);
	if (!io->buf)
		return -ENOMEM;
	io->replay = fopen(path, "re");
	if (!io->replay)
		return -errno;
	ret = nft_rec_read(io->replay, &kind, io->buf, io->buflen);
	if (ret < 0)
		return ret;
	if (kind != NFT_REC_START)
		return -EINVAL;
	/* A recorded failure to open the socket is replayed as such. */
	ret = nft_rec_read(io->replay, &kind, io->buf, io->buflen);
	if (ret == (int)sizeof(err) && kind == NFT_REC_OPEN) {
		memcpy(&err, io->buf, sizeof(err));
		return err > 0 ? -err : -EIO;
	}
	if (ret < 0)
		return ret;
	if (fseek(io->replay, -(long)(sizeof(struct nft_rec_hdr) +
				      ((ret + 3) & ~3)), SEEK_CUR) < 0)
		return -errno;
	return 0;
}

/* The same request, attribute padding aside (old libmnl leaves it as it
 * finds it). */
static bool nft_req_same(const struct nlmsghdr *a, const struct nlmsghdr *b)
{
	const size_t hdr = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg));
	const struct nlattr *x, *y;
	int len;

	if (a->nlmsg_len != b->nlmsg_len || a->nlmsg_len < hdr ||
	    a->nlmsg_type != b->nlmsg_type ||
	    memcmp(mnl_nlmsg_get_payload(a), mnl_nlmsg_get_payload(b),
		   sizeof(struct nfgenmsg)))
		return false;
	x = (const struct nlattr *)((const char *)a + hdr);
	y = (const struct nlattr *)((const char *)b + hdr);
	len = (int)(a->nlmsg_len - hdr);
	while (len > 0) {
		if (!mnl_attr_ok(x, len) || !mnl_attr_ok(y, len) ||
		    x->nla_type != y->nla_type || x->nla_len != y->nla_len ||
		    memcmp(mnl_attr_get_payload(x), mnl_attr_get_payload(y),
			   mnl_attr_get_payload_len(x)))
			return false;
		len -= MNL_ALIGN(x->nla_len);
		x = mnl_attr_next(x);
		y = mnl_attr_next(y);
	}
	return true;
}

static int nft_io_send(struct nft_io *io, struct nlmsghdr *nlh)
{
	const struct nlmsghdr *want;
	uint32_t kind;
	int ret;

	nlh->nlmsg_seq = ++io->seq;
	if (!io->replay) {
		if (mnl_socket_sendto(io->nl, nlh, nlh->nlmsg_len) < 0)
			return -errno;
		return nft_rec_write(io->record, NFT_REC_REQUEST, nlh,
				     nlh->nlmsg_len);
	}
	do {
		ret = nft_rec_read(io->replay, &kind, io->buf, io->buflen);
		if (ret < 0)
			return ret;
		if (kind == NFT_REC_START)
			return -ENODATA;
	} while (kind != NFT_REC_REQUEST);
	want = (const struct nlmsghdr *)io->buf;
	if ((size_t)ret != nlh->nlmsg_len || !nft_req_same(want, nlh))
		return -EPROTO;
	return 0;
}

/* Receive into io->buf, and into io->next what the kernel has already
 * queued behind it: a dump puts its next part (or NLMSG_DONE) in the queue
 * while the first is read, so one recvmmsg() takes both (a small chain's
 * rules and the end of its dump: one system call instead of two).
 * Returns the length of io->buf or a negative errno. */
static ssize_t nft_io_recv_live(struct nft_io *io)
{
	struct sockaddr_nl addr[2];
	struct iovec iov[2] = {
		{ .iov_base = io->buf, .iov_len = io->buflen },
		{ .iov_base = io->next, .iov_len = io->buflen },
	};
	struct mmsghdr mm[2];
	char *tmp;
	int i, n;

	if (io->nextlen) {
		tmp = io->buf;
		io->buf = io->next;
		io->next = tmp;
		n = (int)io->nextlen;
		io->nextlen = 0;
		return n;
	}
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < 2; i++) {
		mm[i].msg_hdr.msg_name = &addr[i];
		mm[i].msg_hdr.msg_namelen = sizeof(addr[i]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(mnl_socket_get_fd(io->nl), mm, 2, MSG_WAITFORONE, NULL);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++)
		/* what libmnl's mnl_socket_recvfrom() checks */
		if ((mm[i].msg_hdr.msg_flags & MSG_TRUNC) ||
		    mm[i].msg_hdr.msg_namelen != sizeof(addr[i]))
			return (mm[i].msg_hdr.msg_flags & MSG_TRUNC) ?
			       -ENOSPC : -EINVAL;
	if (n == 2)
		io->nextlen = mm[1].msg_len;
	return mm[0].msg_len;
}

/* Returns the number of bytes received into io->buf or a negative errno. */
static int nft_io_recv(struct nft_io *io)
{
	uint32_t kind;
	int32_t err;
	ssize_t n;
	int ret;

	if (!io->replay) {
		n = nft_io_recv_live(io);
		if (n < 0) {
			err = (int32_t)-n;
			nft_rec_write(io->record, NFT_REC_ERROR, &err,
				      sizeof(err));
			return -err;
		}
		ret = nft_rec_write(io->record, NFT_REC_RECV, io->buf,
				    (uint32_t)n);
		return ret < 0 ? ret : (int)n;
	}
	ret = nft_rec_read(io->replay, &kind, io->buf, io->buflen);
	if (ret < 0)
		return ret;
	switch (kind) {
	case NFT_REC_RECV:
		return ret;
	case NFT_REC_ERROR:
		if (ret != sizeof(err))
			return -EINVAL;
		memcpy(&err, io->buf, sizeof(err));
		return err > 0 ? -err : -EIO;
	default:
		return -ENODATA;
	}
}

/*
 * The collected snapshot: libnftnl objects, in dump order.
 */
struct nft_ptrs {
	void **v;
	size_t n, cap;
};

struct nft_build;

/* One attempt.  Rules are not collected: each is built into the model as
 * its message is parsed (sets and chains are known by then), so the libnftnl
 * rule objects never pile up. */
struct nft_fetch {
	struct nft_ptrs tables, sets;
	size_t nelems;
	size_t nrules;
	uint32_t genid;
	struct nftnl_set *elem_set;	/* set whose elements are dumped */
	struct nft_build *b;		/* where rules are built */
	struct rs_chain *chain;		/* chain whose rules are dumped */
	int err;			/* set by callbacks */
};

static int nft_ptrs_add(struct nft_ptrs *p, void *obj, size_t max)
{
	void **v;
	size_t cap;

	if (p->n >= max)
		return -E2BIG;
	if (p->n == p->cap) {
		cap = p->cap ? p->cap * 2 : 16;
		v = reallocarray(p->v, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = obj;
	return 0;
}

static void nft_fetch_release(struct nft_fetch *f)
{
	size_t i;

	for (i = 0; i < f->tables.n; i++)
		nftnl_table_free(f->tables.v[i]);
	for (i = 0; i < f->sets.n; i++)
		nftnl_set_free(f->sets.v[i]);
	free(f->tables.v);
	free(f->sets.v);
	memset(f, 0, sizeof(*f));
}

/* Common prologue of the dump callbacks: an interrupted dump is retried. */
static int nft_cb_check(const struct nlmsghdr *nlh, struct nft_fetch *f)
{
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
		f->err = NFT_RETRY;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int nft_cb_fail(struct nft_fetch *f, int err)
{
	f->err = err;
	return MNL_CB_ERROR;
}

/*
 * The nf_tables attribute policy, checked before libnftnl sees a message.
 * libnftnl 1.2.4 calls exit() ("nf_tables kernel ABI is broken") from
 * inside nftnl_*_nlmsg_parse() on an attribute that fails its own check,
 * dereferences NULL for an expression without a name, strdup()s a pointer
 * it never set for some verdicts, and leaks a string given twice.  The
 * kernel sends none of that, but a replay file or a snapshot read from a
 * file can, and an auditor must not exit or crash on its input.
 *
 * A policy is one letter per attribute type, from 1 (as the kernel's
 * nla_policy arrays in nf_tables_api.c and the nft_*.c expressions):
 *	'1' '2' '4' '8'	an integer of exactly that many bytes
 *	's'		a string, NUL-terminated
 *	'b'		bytes
 *	'-'		anything (padding)
 *	'd'		struct nft_data holding a value
 *	'D'		struct nft_data: a value, or a verdict (only where the
 *			kernel puts verdicts: libnftnl 1.2.4 leaks the chain
 *			of a verdict anywhere else)
 *	'x'		one expression (nested NFTA_EXPR_*)
 *	'e'		a list of expressions (NFTA_LIST_ELEM, each 'x')
 *	'n'		nested, checked by sub[type]
 *	'l'		a list of NFTA_LIST_ELEM, each checked by sub[type]
 *	'v'		a list of device names (NFTA_DEVICE_NAME strings)
 * Types beyond the string are ignored, as libnftnl ignores them, unless
 * the policy is closed; no type may come twice.
 */
#define NFT_POL_SUB	20

struct nft_pol {
	const char *types;
	bool closed;		/* a type beyond types is refused */
	const struct nft_pol *sub[NFT_POL_SUB];
};

/* nested expressions (a set's or dynset's) within a rule, at most */
#define NFT_POL_DEPTH	4

static const struct nft_pol nft_pol_gen = { .types = "44s" };
static const struct nft_pol nft_pol_table = { .types = "s448-b4" };
static const struct nft_pol nft_pol_hook = { .types = "44sv" };
static const struct nft_pol nft_pol_counters = { .types = "88-" };
static const struct nft_pol nft_pol_chain = {
	.types = "s8sn44sn-44b",
	.sub = { [NFTA_CHAIN_HOOK] = &nft_pol_hook,
		 [NFTA_CHAIN_COUNTERS] = &nft_pol_counters },
};
static const struct nft_pol nft_pol_field = { .types = "4" };
static const struct nft_pol nft_pol_desc = {
	.types = "4l", .sub = { [NFTA_SET_DESC_CONCAT] = &nft_pol_field },
};
static const struct nft_pol nft_pol_set = {
	.types = "ss444444n484b-48xe",
	.sub = { [NFTA_SET_DESC] = &nft_pol_desc },
};
/* libnftnl 1.2.4 bounds element attribute types by NFTA_SET_MAX, not
 * NFTA_SET_ELEM_MAX: a type in between is written past its table, on the
 * stack. */
static const struct nft_pol nft_pol_elem = {
	.types = "dD488bx-sde", .closed = true,
};
static const struct nft_pol nft_pol_elems = {
	.types = "ssl4", .sub = { [NFTA_SET_ELEM_LIST_ELEMENTS] = &nft_pol_elem },
};
static const struct nft_pol nft_pol_compat = { .types = "44" };
static const struct nft_pol nft_pol_rule = {
	.types = "ss8en8b-444", .sub = { [NFTA_RULE_COMPAT] = &nft_pol_compat },
};
static const struct nft_pol nft_pol_verdict = { .types = "4s4" };

/* The data of each expression libnftnl 1.2.4 knows. */
static const struct {
	const char *name;
	const char *types;
} nft_pol_exprs[] = {
	{ "payload", "44444444" },
	{ "cmp", "44d" },
	{ "meta", "444" },
	{ "immediate", "4D" },
	{ "counter", "88-" },
	{ "match", "s4b" },
	{ "target", "s4b" },
	{ "ct", "4414" },
	{ "bitwise", "444dd4d" },
	{ "lookup", "s4444" },
	{ "fib", "444" },
	{ "byteorder", "44444" },
	{ "range", "44dd" },
	{ "nat", "4444444" },
	{ "redir", "444" },
	{ "masq", "444" },
	{ "tproxy", "444" },
	{ "reject", "41" },
	{ "queue", "2224" },
	{ "log", "2s4244" },
	{ "limit", "88444-" },
	{ "quota", "84-8" },
	{ "connlimit", "44" },
	{ "notrack", "" },
	{ "objref", "4s4s4" },
	{ "dynset", "s44448x-4e" },
	{ "numgen", "4444s4" },
	{ "hash", "4444444s4" },
	{ "exthdr", "4144444" },
	{ "rt", "44" },
	{ "socket", "444" },
	{ "osf", "414" },
	{ "xfrm", "4414" },
	{ "tunnel", "444" },
	{ "synproxy", "214" },
	{ "fwd", "444" },
	{ "dup", "44" },
	{ "last", "48-" },
	{ "flow_offload", "s" },
};

static int nft_attrs_check(const void *buf, size_t len,
			   const struct nft_pol *pol, int depth);

static bool nft_attr_str_ok(const struct nlattr *a)
{
	uint16_t n = mnl_attr_get_payload_len(a);

	return n > 0 && ((const char *)mnl_attr_get_payload(a))[n - 1] == '\0';
}

static int nft_expr_check(const struct nlattr *nest, int depth)
{
	const struct nlattr *a, *name = NULL, *data = NULL;
	struct nft_pol pol = { .types = NULL };
	size_t i;

	if (depth > NFT_POL_DEPTH)
		return -EPROTO;
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case NFTA_EXPR_NAME:
			if (name || !nft_attr_str_ok(a))
				return -EPROTO;
			name = a;
			break;
		case NFTA_EXPR_DATA:
			if (data || mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return -EPROTO;
			data = a;
			break;
		}
	}
	/* libnftnl 1.2.4 strcmp()s a missing name */
	if (!name)
		return -EPROTO;
	/* the table is in the order of how often rules use them */
	for (i = 0; i < sizeof(nft_pol_exprs) / sizeof(nft_pol_exprs[0]); i++) {
		if (!strcmp(mnl_attr_get_str(name), nft_pol_exprs[i].name)) {
			pol.types = nft_pol_exprs[i].types;
			break;
		}
	}
	/* one libnftnl does not know fails its parse: no policy needed */
	if (!pol.types || !data)
		return 0;
	return nft_attrs_check(mnl_attr_get_payload(data),
			       mnl_attr_get_payload_len(data), &pol, depth + 1);
}

static int nft_data_check(const struct nlattr *nest, bool verdict_ok)
{
	const struct nlattr *a, *value = NULL, *verdict = NULL;
	const struct nlattr *code = NULL, *chain = NULL;
	int ret;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case NFTA_DATA_VALUE:
			if (value)
				return -EPROTO;
			value = a;
			break;
		case NFTA_DATA_VERDICT:
			if (verdict || mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return -EPROTO;
			verdict = a;
			break;
		}
	}
	/* one or the other: libnftnl keeps both in one union */
	if (!value == !verdict || (verdict && !verdict_ok))
		return -EPROTO;
	if (value)
		return mnl_attr_get_payload_len(value) == 0 ||
		       mnl_attr_get_payload_len(value) > NFT_DATA_VALUE_MAXLEN ?
		       -EPROTO : 0;
	ret = nft_attrs_check(mnl_attr_get_payload(verdict),
			      mnl_attr_get_payload_len(verdict),
			      &nft_pol_verdict, 0);
	if (ret < 0)
		return ret;
	mnl_attr_for_each_nested(a, verdict) {
		if (mnl_attr_get_type(a) == NFTA_VERDICT_CODE)
			code = a;
		else if (mnl_attr_get_type(a) == NFTA_VERDICT_CHAIN)
			chain = a;
	}
	if (!code)
		return -EPROTO;
	switch ((int32_t)ntohl(mnl_attr_get_u32(code))) {
	case NF_ACCEPT:
	case NF_DROP:
	case NF_QUEUE:
	case NFT_CONTINUE:
	case NFT_BREAK:
	case NFT_RETURN:
		return 0;
	case NFT_JUMP:
	case NFT_GOTO:
		/* libnftnl strdup()s the chain without looking */
		return chain ? 0 : -EPROTO;
	default:
		return -EPROTO;
	}
}

/* A nested list: each attribute NFTA_LIST_ELEM (NFTA_DEVICE_NAME for
 * devices, the same number) holding an expression (kind 'e'), a device
 * name ('v') or attributes checked by sub ('l'). */
static int nft_list_check(const struct nlattr *nest, char kind,
			  const struct nft_pol *sub, int depth)
{
	const struct nlattr *a;
	int ret = 0;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EPROTO;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != NFTA_LIST_ELEM)
			return -EPROTO;
		if (kind == 'v')
			ret = nft_attr_str_ok(a) ? 0 : -EPROTO;
		else if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			ret = -EPROTO;
		else if (kind == 'e')
			ret = nft_expr_check(a, depth);
		else
			ret = nft_attrs_check(mnl_attr_get_payload(a),
					      mnl_attr_get_payload_len(a),
					      sub, depth);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Check the attributes in buf (len bytes) against pol.  0 or -EPROTO. */
static int nft_attrs_check(const void *buf, size_t len,
			   const struct nft_pol *pol, int depth)
{
	const size_t ntypes = strlen(pol->types);
	const struct nlattr *a = buf;
	uint64_t seen = 0;
	uint16_t type, n;
	size_t step;
	int ret;

	if (depth > NFT_POL_DEPTH)
		return -EPROTO;
	while (len >= MNL_ATTR_HDRLEN) {
		if (a->nla_len < MNL_ATTR_HDRLEN || a->nla_len > len)
			return -EPROTO;
		type = mnl_attr_get_type(a);
		n = mnl_attr_get_payload_len(a);
		if (type < 64) {
			if (seen & ((uint64_t)1 << type))
				return -EPROTO;
			seen |= (uint64_t)1 << type;
		}
		if (pol->closed && (size_t)type > ntypes)
			return -EPROTO;
		ret = 0;
		switch (type >= 1 && (size_t)type <= ntypes ? pol->types[type - 1] :
			'-') {
		case '1':
			ret = n == 1 ? 0 : -EPROTO;
			break;
		case '2':
			ret = n == 2 ? 0 : -EPROTO;
			break;
		case '4':
			ret = n == 4 ? 0 : -EPROTO;
			break;
		case '8':
			ret = n == 8 ? 0 : -EPROTO;
			break;
		case 's':
			ret = nft_attr_str_ok(a) ? 0 : -EPROTO;
			break;
		case 'd':
		case 'D':
			ret = mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ?
			      -EPROTO :
			      nft_data_check(a, pol->types[type - 1] == 'D');
			break;
		case 'x':
			ret = mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ?
			      -EPROTO : nft_expr_check(a, depth + 1);
			break;
		case 'n':
			ret = mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
			      type >= NFT_POL_SUB || !pol->sub[type] ? -EPROTO :
			      nft_attrs_check(mnl_attr_get_payload(a), n,
					      pol->sub[type], depth + 1);
			break;
		case 'l':
			ret = type >= NFT_POL_SUB || !pol->sub[type] ? -EPROTO :
			      nft_list_check(a, 'l', pol->sub[type], depth + 1);
			break;
		case 'e':
		case 'v':
			ret = nft_list_check(a, pol->types[type - 1], NULL,
					     depth + 1);
			break;
		default:	/* 'b', '-' */
			break;
		}
		if (ret < 0)
			return ret;
		step = MNL_ALIGN((size_t)a->nla_len);
		if (step >= len)
			break;
		len -= step;
		a = (const struct nlattr *)((const char *)a + step);
	}
	return 0;
}

/* A message of nf_tables (nfgenmsg, then attributes) against pol. */
static int nft_msg_check(const struct nlmsghdr *nlh, const struct nft_pol *pol)
{
	const size_t hdr = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg));

	if (nlh->nlmsg_len < hdr)
		return -EPROTO;
	return nft_attrs_check((const char *)nlh + hdr, nlh->nlmsg_len - hdr,
			       pol, 0);
}

static int nft_gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nft_fetch *f = data;
	struct nftnl_gen *gen;
	int ret = MNL_CB_OK;

	if (nft_cb_check(nlh, f) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (nft_msg_check(nlh, &nft_pol_gen) < 0)
		return nft_cb_fail(f, -EPROTO);
	gen = nftnl_gen_alloc();
	if (!gen)
		return nft_cb_fail(f, -ENOMEM);
	if (nftnl_gen_nlmsg_parse(nlh, gen) < 0 ||
	    !nftnl_gen_is_set(gen, NFTNL_GEN_ID))
		ret = nft_cb_fail(f, -EPROTO);
	else
		f->genid = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
	nftnl_gen_free(gen);
	return ret;
}

static int nft_table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nft_fetch *f = data;
	struct nftnl_table *t;
	int ret;

	if (nft_cb_check(nlh, f) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (nft_msg_check(nlh, &nft_pol_table) < 0)
		return nft_cb_fail(f, -EPROTO);
	t = nftnl_table_alloc();
	if (!t)
		return nft_cb_fail(f, -ENOMEM);
	ret = nftnl_table_nlmsg_parse(nlh, t) < 0 ||
	      !nftnl_table_is_set(t, NFTNL_TABLE_NAME) ? -EPROTO :
	      nft_ptrs_add(&f->tables, t, NFT_MAX_TABLES);
	if (ret < 0) {
		nftnl_table_free(t);
		return nft_cb_fail(f, ret);
	}
	return MNL_CB_OK;
}

static int nft_set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nft_fetch *f = data;
	struct nftnl_set *s;
	int ret;

	if (nft_cb_check(nlh, f) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (nft_msg_check(nlh, &nft_pol_set) < 0)
		return nft_cb_fail(f, -EPROTO);
	s = nftnl_set_alloc();
	if (!s)
		return nft_cb_fail(f, -ENOMEM);
	ret = nftnl_set_nlmsg_parse(nlh, s) < 0 ||
	      !nftnl_set_is_set(s, NFTNL_SET_NAME) ||
	      !nftnl_set_is_set(s, NFTNL_SET_TABLE) ||
	      !nftnl_set_is_set(s, NFTNL_SET_KEY_LEN) ? -EPROTO :
	      nft_ptrs_add(&f->sets, s, NFT_MAX_SETS);
	if (ret < 0) {
		nftnl_set_free(s);
		return nft_cb_fail(f, ret);
	}
	return MNL_CB_OK;
}

static int nft_elem_list_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NFTA_SET_ELEM_LIST_MAX) < 0)
		return MNL_CB_OK;
	if (type == NFTA_SET_ELEM_LIST_ELEMENTS &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int nft_elem_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1] = {};
	struct nft_fetch *f = data;
	const struct nlattr *a;
	size_t n = 0;

	if (nft_cb_check(nlh, f) != MNL_CB_OK)
		return MNL_CB_ERROR;
	/* Count first: libnftnl would allocate whatever the message holds. */
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), nft_elem_list_cb,
			   tb) < 0)
		return nft_cb_fail(f, -EPROTO);
	if (tb[NFTA_SET_ELEM_LIST_ELEMENTS])
		mnl_attr_for_each_nested(a, tb[NFTA_SET_ELEM_LIST_ELEMENTS])
			n++;
	if (f->nelems + n > NFT_MAX_ELEMS)
		return nft_cb_fail(f, -E2BIG);
	if (nft_msg_check(nlh, &nft_pol_elems) < 0)
		return nft_cb_fail(f, -EPROTO);
	f->nelems += n;
	if (nftnl_set_elems_nlmsg_parse(nlh, f->elem_set) < 0)
		return nft_cb_fail(f, -EPROTO);
	return MNL_CB_OK;
}

/* Send one request and run cb over the answer until NLMSG_DONE / the ack.
 * Returns 0, NFT_RETRY, or a negative errno. */
static int nft_talk(struct nft_io *io, struct nlmsghdr *nlh, mnl_cb_t cb,
		    struct nft_fetch *f)
{
	uint32_t seq, portid;
	int n, ret;

	ret = nft_io_send(io, nlh);
	if (ret < 0)
		return ret;
	/* A replay does not know the socket it was recorded on. */
	seq = io->replay ? 0 : nlh->nlmsg_seq;
	portid = io->replay ? 0 : io->portid;
	f->err = 0;
	for (;;) {
		n = nft_io_recv(io);
		if (n < 0)
			return n == -EINTR || n == -EBUSY ? NFT_RETRY : n;
		ret = nld_check_buf(io->buf, (size_t)n);
		if (ret < 0)
			return ret;
		errno = 0;
		ret = mnl_cb_run(io->buf, (size_t)n, seq, portid, cb, f);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0) {
			if (f->err)
				return f->err;
			/* libmnl reports NLM_F_DUMP_INTR as EINTR */
			if (errno == EINTR || errno == EBUSY)
				return NFT_RETRY;
			/* an error reply's code, as libmnl copied it */
			return errno ? nld_errno(errno) : -EPROTO;
		}
	}
}

/* nft_talk() for the dump of one object's contents (a set's elements, a
 * chain's rules): ENOENT means that the object went away since it was
 * listed, so the genid moved too. */
static int nft_talk_object(struct nft_io *io, struct nlmsghdr *nlh,
			   mnl_cb_t cb, struct nft_fetch *f)
{
	int ret = nft_talk(io, nlh, cb, f);

	return ret == -ENOENT ? NFT_RETRY : ret;
}

static struct nlmsghdr *nft_req(char *buf, uint16_t cmd, uint16_t family,
				uint16_t flags)
{
	memset(buf, 0, NFT_REQSIZ);
	return nftnl_nlmsg_build_hdr(buf, cmd, family, flags, 0);
}

static int nft_fetch_genid(struct nft_io *io, struct nft_fetch *f,
			   uint32_t *genid)
{
	char buf[NFT_REQSIZ];
	int ret;

	ret = nft_talk(io, nft_req(buf, NFT_MSG_GETGEN, NFPROTO_UNSPEC,
				   NLM_F_ACK), nft_gen_cb, f);
	if (ret == 0)
		*genid = f->genid;
	return ret;
}

static int nft_fetch_elems(struct nft_io *io, struct nft_fetch *f)
{
	char buf[NFT_REQSIZ];
	struct nftnl_set *s, *q;
	struct nlmsghdr *nlh;
	size_t i;
	int ret;

	q = nftnl_set_alloc();
	if (!q)
		return -ENOMEM;
	for (i = 0; i < f->sets.n; i++) {
		s = f->sets.v[i];
		nftnl_set_set_str(q, NFTNL_SET_TABLE,
				  nftnl_set_get_str(s, NFTNL_SET_TABLE));
		nftnl_set_set_str(q, NFTNL_SET_NAME,
				  nftnl_set_get_str(s, NFTNL_SET_NAME));
		nlh = nft_req(buf, NFT_MSG_GETSETELEM,
			      nftnl_set_get_u32(s, NFTNL_SET_FAMILY),
			      NLM_F_DUMP);
		nftnl_set_elems_nlmsg_build_payload(nlh, q);
		f->elem_set = s;
		ret = nft_talk_object(io, nlh, nft_elem_cb, f);
		if (ret)
			goto out;
	}
	ret = 0;
out:
	f->elem_set = NULL;
	nftnl_set_free(q);
	return ret;
}

/*
 * Building the model.
 */

#define NFT_NREGS	16	/* 32-bit registers NFT_REG32_00 .. 15 */
#define NFT_REG_PARTS	4	/* fields one register load can hold */

_Static_assert(NFT_REG_PARTS <= RS_CONCAT_MAX,
	       "a multi-field compare becomes one concatenated match");

static const rs_u128 nft_u128_max = ~(rs_u128)0;

static rs_u128 nft_ones(unsigned int bytes)
{
	return bytes >= 16 ? nft_u128_max : (((rs_u128)1 << (8 * bytes)) - 1);
}

/* Bytes as the kernel compares them: big-endian, or host order for the
 * values the kernel stores natively (meta mark, ct state, ...). */
static rs_u128 nft_bytes_value(const uint8_t *p, unsigned int len, bool host)
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
	enum rs_field mapfields[RS_CONCAT_MAX];
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

static int nft_reg_index(uint32_t reg, int *idx)
{
	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		*idx = (int)(reg - NFT_REG_1) * 4;
	else if (reg >= NFT_REG32_00 && reg < NFT_REG32_00 + NFT_NREGS)
		*idx = (int)(reg - NFT_REG32_00);
	else
		return -EINVAL;
	return 0;
}

/* The register about to be written with len bytes: clear what it overlaps. */
static struct nft_reg *nft_reg_write(struct nft_rctx *c, uint32_t reg,
				     unsigned int len)
{
	unsigned int n = (len + 3) / 4, i;
	int idx, j;

	if (nft_reg_index(reg, &idx) < 0 || len == 0 || len > 16 ||
	    idx + n > NFT_NREGS)
		return NULL;
	/* a value that started before idx and reaches into it is gone */
	for (j = idx; j > 0 && c->regs[j].kind == NREG_CONT; j--)
		;
	for (; j < idx; j++)
		memset(&c->regs[j], 0, sizeof(c->regs[j]));
	for (i = 0; i < n; i++)
		memset(&c->regs[idx + i], 0, sizeof(c->regs[0]));
	for (i = idx + n; i < NFT_NREGS && c->regs[i].kind == NREG_CONT; i++)
		memset(&c->regs[i], 0, sizeof(c->regs[0]));
	for (i = 1; i < n; i++)
		c->regs[idx + i].kind = NREG_CONT;
	c->regs[idx].len = (uint8_t)len;
	return &c->regs[idx];
}

static struct nft_reg *nft_reg_read(struct nft_rctx *c, uint32_t reg)
{
	int idx;

	if (nft_reg_index(reg, &idx) < 0)
		return NULL;
	if (c->regs[idx].kind == NREG_NONE || c->regs[idx].kind == NREG_CONT)
		return NULL;
	return &c->regs[idx];
}

static void nft_reg_load1(struct nft_reg *g, enum rs_field field,
			  unsigned int width, bool host)
{
	g->kind = NREG_LOAD;
	g->nparts = 1;
	g->parts[0] = (struct nft_part){
		.field = field, .fwidth = (uint8_t)width, .foff = 0,
		.len = g->len, .roff = 0, .host = host,
	};
}

static void nft_reg_other(struct nft_reg *g, const char *name,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void nft_reg_other(struct nft_reg *g, const char *name,
			  const char *fmt, ...)
{
	va_list ap;

	g->kind = NREG_OTHER;
	g->name = name;
	va_start(ap, fmt);
	vsnprintf(g->desc, sizeof(g->desc), fmt, ap);
	va_end(ap);
}

/*
 * Adding to the rule.
 */

static void nft_fail(struct nft_rctx *c, int err)
{
	if (!c->err)
		c->err = err;
}

static struct rs_match *nft_match_new(struct nft_rctx *c)
{
	struct rs_match *m = rs_rule_add_match(c->r);

	if (!m)
		nft_fail(c, -ENOMEM);
	return m;
}

static void nft_match_other(struct nft_rctx *c, enum rs_field field,
			    const char *name, bool invert, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void nft_match_other(struct nft_rctx *c, enum rs_field field,
			    const char *name, bool invert, const char *fmt, ...)
{
	struct rs_match *m;
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	m = nft_match_new(c);
	if (m && rs_match_set_other(m, field, name, 0, text, invert) < 0)
		nft_fail(c, -ENOMEM);
}

static struct rs_stmt *nft_stmt(struct nft_rctx *c, const char *name,
				const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct rs_stmt *nft_stmt(struct nft_rctx *c, const char *name,
				const char *fmt, ...)
{
	struct rs_stmt *s;
	char text[256];
	va_list ap;

	s = rs_rule_add_stmt(c->r);
	if (!s)
		goto fail;
	s->name = strdup(name);
	if (!s->name)
		goto fail;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
		s->text = strdup(text);
		if (!s->text)
			goto fail;
	}
	return s;
fail:
	nft_fail(c, -ENOMEM);
	return NULL;
}

/* "0x" and the bytes in hex, cut to size: done for every comparison, so
 * without printf. */
static void nft_hex(char *buf, size_t size, const uint8_t *p, unsigned int len)
{
	static const char digits[] = "0123456789abcdef";
	size_t off = 2;
	unsigned int i;

	if (size < 3) {
		if (size)
			buf[0] = '\0';
		return;
	}
	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < len && off + 3 < size; i++) {
		buf[off++] = digits[p[i] >> 4];
		buf[off++] = digits[p[i] & 0xf];
	}
	buf[off] = '\0';
}

static const char *nft_cmp_op_name(uint32_t op)
{
	static const char *const names[] = {
		[NFT_CMP_EQ] = "==", [NFT_CMP_NEQ] = "!=", [NFT_CMP_LT] = "<",
		[NFT_CMP_LTE] = "<=", [NFT_CMP_GT] = ">", [NFT_CMP_GTE] = ">=",
	};

	return op < sizeof(names) / sizeof(names[0]) && names[op] ?
	       names[op] : "?";
}

/* The packet context a rule has established so far. */
static void nft_ctx_learn(struct nft_rctx *c, enum rs_field f, rs_u128 v)
{
	switch (f) {
	case RS_F_NFPROTO:
		c->l3 = (uint8_t)v;
		break;
	case RS_F_ETHERTYPE:
		if (v == ETH_P_IP)
			c->l3 = NFPROTO_IPV4;
		else if (v == ETH_P_IPV6)
			c->l3 = NFPROTO_IPV6;
		break;
	case RS_F_L4PROTO:
		c->l4 = (int)v;
		break;
	default:
		break;
	}
}

/* Append an interval match, or narrow the previous one on the same field:
 * nft writes "tcp dport 1000-2000" as cmp gte + cmp lte. */
static void nft_match_range(struct nft_rctx *c, enum rs_field f, rs_u128 lo,
			    rs_u128 hi, bool invert, bool empty)
{
	struct rs_match *m, *p;
	struct rs_rule *r = c->r;

	if (!invert && !empty && r->nmatches > 0) {
		p = &r->matches[r->nmatches - 1];
		if (p->op == RS_OP_IN && p->nfields == 1 && p->fields[0] == f &&
		    p->nelems == 1 && !p->set) {
			if (p->elems[0].lo < lo)
				p->elems[0].lo = lo;
			if (p->elems[0].hi > hi)
				p->elems[0].hi = hi;
			if (p->elems[0].lo > p->elems[0].hi)
				p->nelems = 0;
			return;
		}
	}
	m = nft_match_new(c);
	if (!m)
		return;
	if (empty) {
		/* a comparison that no packet can satisfy */
		m->op = invert ? RS_OP_NOT_IN : RS_OP_IN;
		m->nfields = 1;
		m->fields[0] = f;
		return;
	}
	if (rs_match_set_range(m, f, lo, hi, invert) < 0)
		nft_fail(c, -ENOMEM);
	else if (!invert && lo == hi)
		nft_ctx_learn(c, f, lo);
}

static void nft_match_mask(struct nft_rctx *c, enum rs_field f, rs_u128 mask,
			   rs_u128 value, bool ne)
{
	struct rs_match *m = nft_match_new(c);

	if (!m)
		return;
	m->op = ne ? RS_OP_MASK_NE : RS_OP_MASK_EQ;
	m->nfields = 1;
	m->fields[0] = f;
	m->mask = mask;
	m->value = value;
}

/* ct state holds exactly one bit per packet, so a mask test is a set of
 * states: "ct state established,related" is (state & 6) != 0. */
static void nft_match_ctstate(struct nft_rctx *c, rs_u128 mask, rs_u128 value,
			      bool ne)
{
	struct rs_match *m = nft_match_new(c);
	bool in;
	int bit;

	if (!m)
		return;
	m->nfields = 1;
	m->fields[0] = RS_F_CT_STATE;
	if (value == 0) {
		in = ne;
		for (bit = 0; bit < 32; bit++) {
			if (!(mask & ((rs_u128)1 << bit)))
				continue;
			if (rs_match_add_interval(m, (rs_u128)1 << bit,
						  (rs_u128)1 << bit) < 0)
				nft_fail(c, -ENOMEM);
		}
	} else {
		in = !ne;
		if ((value & (value - 1)) == 0 && (value & mask) == value &&
		    rs_match_add_interval(m, value, value) < 0)
			nft_fail(c, -ENOMEM);
	}
	m->op = in ? RS_OP_IN : RS_OP_NOT_IN;
}

static bool nft_is_prefix(rs_u128 fmask, rs_u128 full)
{
	rs_u128 low = ~fmask & full;

	return (low & (low + 1)) == 0;
}

static const char *nft_base_name(uint32_t base)
{
	switch (base) {
	case NFT_PAYLOAD_LL_HEADER:
		return "ll";
	case NFT_PAYLOAD_NETWORK_HEADER:
		return "nh";
	case NFT_PAYLOAD_TRANSPORT_HEADER:
		return "th";
	case NFT_PAYLOAD_INNER_HEADER:
		return "ih";
	default:
		return "?";
	}
}

static char *nft_put_u32(char *p, uint32_t v)
{
	char digits[10];
	int n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = digits[--n];
	return p;
}

/* "@th,16,16", nft's name for payload bytes: written for every payload
 * load, so without printf (buf holds at least 36 bytes). */
static void nft_payload_desc(char *buf, uint32_t base, uint32_t off,
			     uint32_t len)
{
	const char *name = nft_base_name(base);
	char *p = buf;

	*p++ = '@';
	while (*name)
		*p++ = *name++;
	*p++ = ',';
	p = nft_put_u32(p, off * 8);
	*p++ = ',';
	p = nft_put_u32(p, len * 8);
	*p = '\0';
}

/* The field bits a comparison of len register bytes with data looks at:
 * fmask/fvalue in field coordinates.  Returns false when the bytes do not
 * map onto one field (host-order fields compared partially). */
static bool nft_part_cmp(const struct nft_reg *g, const struct nft_part *p,
			 const uint8_t *data, unsigned int len, rs_u128 *fmask,
			 rs_u128 *fvalue)
{
	uint8_t m[16], d[16];
	unsigned int i, shift;

	if (len > p->len)
		return false;
	for (i = 0; i < len; i++) {
		m[i] = g->masked ? g->mask[p->roff + i] : 0xff;
		d[i] = data[i];
		if (g->masked)
			d[i] ^= g->xor[p->roff + i];
	}
	if (p->host) {
		if (p->foff != 0 || len != p->fwidth)
			return false;
		*fmask = nft_bytes_value(m, len, true);
		*fvalue = nft_bytes_value(d, len, true);
		return true;
	}
	shift = 8 * (p->fwidth - p->foff - len);
	*fmask = nft_bytes_value(m, len, false) << shift;
	*fvalue = nft_bytes_value(d, len, false) << shift;
	return true;
}

/*
 * A comparison left undecided says "payload" for bytes with no name, and
 * for the sender's header fields loaded from the payload in a way the
 * model cannot say (ip6 length in a set, traffic class bits mixed with the
 * flow label): they were unnamed bytes before they had fields.
 */
static bool nft_reg_payload(const struct nft_reg *g)
{
	unsigned int i;

	if (g->raw)
		return true;
	if (g->kind != NREG_LOAD || g->desc[0] != '@')
		return false;
	for (i = 0; i < g->nparts; i++) {
		switch (g->parts[i].field) {
		case RS_F_IP_TTL:
		case RS_F_IP_TOS:
		case RS_F_IP_LENGTH:
		case RS_F_IP_FRAGOFF:
			return true;
		default:
			break;
		}
	}
	return false;
}

static void nft_raw_text(char *buf, size_t size, const struct nft_reg *g)
{
	snprintf(buf, size, "%s", g->desc);
}

/*
 * An interval of one part's field: the ip6 payload length is the packet
 * length less 40; a packet length above 65535 (an IPv6 payload that big,
 * a meta length of a GSO packet) is no probe, so RS_F_IP_LENGTH stops
 * there.
 */
static void nft_match_part_range(struct nft_rctx *c, const struct nft_part *p,
				 rs_u128 lo, rs_u128 hi, bool invert,
				 bool empty)
{
	lo += p->plus;
	hi += p->plus;
	if (p->field == RS_F_IP_LENGTH && !empty) {
		if (lo > 0xffff)
			empty = true;
		else if (hi > 0xffff)
			hi = 0xffff;
	}
	nft_match_range(c, p->field, lo, hi, invert, empty);
}

/* The two header bytes of an IPv6 traffic class load as a 16-bit word:
 * version (4 bits), traffic class (8), flow label (top 4 of 20). */
static void nft_tc6_word(const struct nft_part *p, const uint8_t *b,
			 uint16_t *w)
{
	*w = p->len == 2 ? (uint16_t)(b[0] << 8 | b[1]) :
	     p->foff == 0 ? (uint16_t)(b[0] << 8) : b[0];
}

/* ip6 dscp / ip6 ecn: a masked compare of the IPv6 header's first bytes
 * that looks only at traffic class bits is a test of the TOS byte.
 * Returns false for anything else (the caller says it raw). */
static bool nft_compare_tc6(struct nft_rctx *c, const struct nft_reg *g,
			    const struct nft_part *p, uint32_t op,
			    const uint8_t *data, unsigned int len)
{
	uint8_t m[2] = { 0xff, 0xff }, d[2];
	uint16_t mw, dw;
	unsigned int i;
	bool ne = op == NFT_CMP_NEQ;

	if ((op != NFT_CMP_EQ && op != NFT_CMP_NEQ) || len != p->len)
		return false;
	for (i = 0; i < len; i++) {
		if (g->masked)
			m[i] = g->mask[p->roff + i];
		d[i] = data[i] ^ (g->masked ? g->xor[p->roff + i] : 0);
	}
	nft_tc6_word(p, m, &mw);
	nft_tc6_word(p, d, &dw);
	if (mw & ~0x0ff0)
		return false;
	if (dw & ~mw) {
		/* bits outside the mask are never equal */
		nft_match_range(c, RS_F_IP_TOS, 0, 0, ne, true);
		return true;
	}
	nft_match_mask(c, RS_F_IP_TOS, (mw >> 4) & 0xff, (dw >> 4) & 0xff, ne);
	return true;
}

/*
 * exthdr ... exists / missing, tcp option ... exists, ip option ...
 * exists: the register holds 1 or 0.  A header or option kind is a bit of
 * its field, except the routing header and the MSS option, whose fields
 * hold their value or RS_ABSENT.
 */
static void nft_exists(struct nft_rctx *c, enum rs_field f, rs_u128 bit,
		       bool present)
{
	switch (f) {
	case RS_F_IP6_RT_TYPE:
		if (present)
			nft_match_range(c, f, 0, 0xff, false, false);
		else
			nft_match_range(c, f, RS_ABSENT, RS_ABSENT, false,
					false);
		break;
	case RS_F_TCP_MSS:
		if (present)
			nft_match_range(c, f, 0, 0xffff, false, false);
		else
			nft_match_range(c, f, RS_ABSENT, RS_ABSENT, false,
					false);
		break;
	default:
		if (!bit) {
			/* a header no probe carries (mobility) */
			nft_match_range(c, f, 0, 0, !present, true);
			break;
		}
		nft_match_mask(c, f, bit, present ? bit : 0, false);
		break;
	}
}

/* One comparison of a register with a value: cmp (op), or range (op EQ/NEQ
 * with to != NULL). */
static void nft_compare_one(struct nft_rctx *c, const struct nft_reg *g,
			uint32_t op, const uint8_t *data, unsigned int len,
			const uint8_t *to)
{
	rs_u128 fmask, fvalue, tmask, tvalue, full, low, v;
	const struct nft_part *p;
	char hex[80], hex2[80] = "";
	enum rs_field f;
	unsigned int i;
	bool ne;

	nft_hex(hex, sizeof(hex), data, len);
	if (to)
		nft_hex(hex2, sizeof(hex2), to, len);
	if (!g) {
		nft_match_other(c, RS_F_UNKNOWN, "cmp", false,
				"compare of an empty register %s %s",
				nft_cmp_op_name(op), hex);
		return;
	}
	if (g->kind != NREG_LOAD) {
		const char *name = g->kind == NREG_OTHER ? g->name : "cmp";

		if (to)
			nft_match_other(c, RS_F_OTHER, name,
					op == NFT_RANGE_NEQ, "%s in %s-%s",
					g->desc, hex, hex2);
		else
			nft_match_other(c, RS_F_OTHER, name, false,
					"%s %s %s", g->desc,
					nft_cmp_op_name(op), hex);
		return;
	}
	if (to)
		op = op == NFT_RANGE_NEQ ? NFT_CMP_NEQ : NFT_CMP_EQ;
	ne = op == NFT_CMP_NEQ;

	if (g->exists) {
		if (to || g->masked || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ))
			goto raw;
		v = nft_bytes_value(data, len, true);
		if (v > 1)	/* never equal */
			nft_match_range(c, g->parts[0].field, 0, 0, ne, true);
		else
			nft_exists(c, g->parts[0].field, g->exbit,
				   (v == 1) != ne);
		return;
	}

	/* Several fields at once ("ip saddr . ip daddr" loaded as 8 bytes):
	 * equal means each part is equal; not equal is one tuple match. */
	if (g->nparts > 1 && !to && !g->raw &&
	    (op == NFT_CMP_EQ || op == NFT_CMP_NEQ) && len == g->len) {
		struct rs_match *m = NULL;
		struct rs_interval iv[NFT_REG_PARTS];

		for (i = 0; i < g->nparts; i++) {
			p = &g->parts[i];
			if (p->plus || p->tc6 ||
			    !nft_part_cmp(g, p, data + p->roff, p->len, &fmask,
					  &fvalue) ||
			    !nft_is_prefix(fmask, nft_ones(p->fwidth)))
				goto raw;
			low = ~fmask & nft_ones(p->fwidth);
			iv[i].lo = fvalue & fmask;
			iv[i].hi = (fvalue & fmask) | low;
		}
		if (!ne) {
			for (i = 0; i < g->nparts; i++)
				nft_match_range(c, g->parts[i].field, iv[i].lo,
						iv[i].hi, false, false);
			return;
		}
		m = nft_match_new(c);
		if (!m)
			return;
		m->op = RS_OP_NOT_IN;
		m->nfields = g->nparts;
		m->elems = calloc(g->nparts, sizeof(*m->elems));
		if (!m->elems) {
			nft_fail(c, -ENOMEM);
			return;
		}
		for (i = 0; i < g->nparts; i++) {
			m->fields[i] = g->parts[i].field;
			m->elems[i] = iv[i];
		}
		m->nelems = 1;
		return;
	}
	if (g->nparts != 1 || g->raw)
		goto raw;
	p = &g->parts[0];
	f = p->field;
	full = nft_ones(p->fwidth);
	if (p->tc6) {
		if (to || !nft_compare_tc6(c, g, p, op, data, len))
			goto raw;
		return;
	}

	/* fib ... present holds 0 or 1: "route exists" is oif != 0 */
	if (g->present && !to && (op == NFT_CMP_EQ || op == NFT_CMP_NEQ)) {
		v = nft_bytes_value(data, len, true);
		if (v > 1)
			goto raw;
		nft_match_range(c, f, 0, 0, (v != 0) != ne, false);
		return;
	}

	/* iifname "eth*" is a compare of fewer than IFNAMSIZ bytes;
	 * iptables-nft writes "-i eth0" as the 5 bytes "eth0\0" */
	if ((f == RS_F_IIFNAME || f == RS_F_OIFNAME) && !g->masked && !to &&
	    p->foff == 0 && (op == NFT_CMP_EQ || op == NFT_CMP_NEQ)) {
		char name[RS_IFNAMSIZ + 1] = "";
		bool wildcard = !memchr(data, 0, len) && len < RS_IFNAMSIZ;
		struct rs_match *m;

		memcpy(name, data, len < RS_IFNAMSIZ ? len : RS_IFNAMSIZ);
		m = nft_match_new(c);
		if (m && rs_match_set_ifname(m, f, name, wildcard, ne) < 0)
			nft_fail(c, -ENOMEM);
		return;
	}

	if (!nft_part_cmp(g, p, data, len, &fmask, &fvalue))
		goto raw;
	if (p->host && p->fwidth > 1 && op != NFT_CMP_EQ && op != NFT_CMP_NEQ)
		goto raw;	/* the kernel compares these bytes with memcmp */
	fmask &= full;
	fvalue &= full;
	low = ~fmask & full;

	if (f == RS_F_CT_STATE && !to && (op == NFT_CMP_EQ ||
					  op == NFT_CMP_NEQ)) {
		nft_match_ctstate(c, fmask, fvalue, ne);
		return;
	}
	/* ip dscp: a mask test, as xt_dscp says it, even where the mask is
	 * a prefix */
	if (f == RS_F_IP_TOS && g->masked && !to &&
	    (op == NFT_CMP_EQ || op == NFT_CMP_NEQ) && fmask != full) {
		nft_match_mask(c, f, fmask, fvalue, ne);
		return;
	}
	if (!nft_is_prefix(fmask, full)) {
		/* a mask on a value that may be absent or offset would
		 * need more than (field & mask) == value */
		if (to || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) ||
		    p->plus || g->absent_breaks)
			goto raw;
		nft_match_mask(c, f, fmask, fvalue, ne);
		return;
	}
	if (to) {
		if (!nft_part_cmp(g, p, to, len, &tmask, &tvalue))
			goto raw;
		tvalue &= full;
		nft_match_part_range(c, p, fvalue & fmask,
				     (tvalue & fmask) | low, ne, false);
		return;
	}
	v = fvalue & fmask;
	switch (op) {
	case NFT_CMP_EQ:
	case NFT_CMP_NEQ:
		/* bits outside the mask can never be equal */
		nft_match_part_range(c, p, v, v | low, ne,
				     (fvalue & low) != 0);
		break;
	case NFT_CMP_LT:
		nft_match_part_range(c, p, 0, v ? v - 1 : 0, false, v == 0);
		break;
	case NFT_CMP_LTE:
		nft_match_part_range(c, p, 0, v | low, false, false);
		break;
	case NFT_CMP_GT:
		nft_match_part_range(c, p, (v | low) + 1, full, false,
				     (v | low) == full);
		break;
	case NFT_CMP_GTE:
		nft_match_part_range(c, p, v, full, false, false);
		break;
	default:
		goto raw;
	}
	return;
raw:
	{
		bool payload = nft_reg_payload(g);
		const char *name = payload ? "payload" :
				   g->name ? g->name : "cmp";
		char text[160];

		nft_raw_text(text, sizeof(text), g);
		if (to)
			nft_match_other(c, payload ? RS_F_PAYLOAD : RS_F_OTHER,
					name, op == NFT_CMP_NEQ, "%s in %s-%s",
					text, hex, hex2);
		else
			nft_match_other(c, payload ? RS_F_PAYLOAD : RS_F_OTHER,
					name, false, "%s %s %s", text,
					nft_cmp_op_name(op), hex);
	}
}

/*
 * A comparison of a header or option value that the packet may lack: the
 * kernel ends the rule then (NFT_BREAK), so a "not equal" or "not in"
 * must not hold for RS_ABSENT.
 */
static void nft_compare(struct nft_rctx *c, const struct nft_reg *g,
			uint32_t op, const uint8_t *data, unsigned int len,
			const uint8_t *to)
{
	size_t n0 = c->r->nmatches, i;
	struct rs_match *m;

	nft_compare_one(c, g, op, data, len, to);
	if (!g || g->kind != NREG_LOAD || !g->absent_breaks)
		return;
	for (i = n0; i < c->r->nmatches; i++) {
		m = &c->r->matches[i];
		if (m->op == RS_OP_NOT_IN && m->nfields == 1 && !m->set &&
		    rs_match_add_interval(m, RS_ABSENT, RS_ABSENT) < 0)
			nft_fail(c, -ENOMEM);
	}
}

/*
 * Loads.
 */

struct nft_hdr_field {
	uint8_t off, len;
	enum rs_field field;
};

/* In header order: a load spanning several fields is split in parts. */
static const struct nft_hdr_field nft_ip_fields[] = {
	{ 1, 1, RS_F_IP_TOS }, { 2, 2, RS_F_IP_LENGTH },
	{ 6, 2, RS_F_IP_FRAGOFF }, { 8, 1, RS_F_IP_TTL },
	{ 9, 1, RS_F_L4PROTO }, { 12, 4, RS_F_IP_SADDR },
	{ 16, 4, RS_F_IP_DADDR }, { 0, 0, 0 },
};
/* The traffic class (bytes 0-1) is handled in nft_load_payload(); the
 * payload length is RS_F_IP_LENGTH less the 40 bytes of this header. */
static const struct nft_hdr_field nft_ip6_fields[] = {
	{ 4, 2, RS_F_IP_LENGTH }, { 6, 1, RS_F_L4PROTO },
	{ 7, 1, RS_F_IP_TTL }, { 8, 16, RS_F_IP6_SADDR },
	{ 24, 16, RS_F_IP6_DADDR }, { 0, 0, 0 },
};
static const struct nft_hdr_field nft_port_fields[] = {
	{ 0, 2, RS_F_SPORT }, { 2, 2, RS_F_DPORT }, { 0, 0, 0 },
};
static const struct nft_hdr_field nft_tcp_fields[] = {
	{ 0, 2, RS_F_SPORT }, { 2, 2, RS_F_DPORT },
	{ 13, 1, RS_F_TCP_FLAGS }, { 0, 0, 0 },
};
static const struct nft_hdr_field nft_icmp_fields[] = {
	{ 0, 1, RS_F_ICMP_TYPE }, { 1, 1, RS_F_ICMP_CODE }, { 0, 0, 0 },
};
static const struct nft_hdr_field nft_icmp6_fields[] = {
	{ 0, 1, RS_F_ICMPV6_TYPE }, { 1, 1, RS_F_ICMPV6_CODE }, { 0, 0, 0 },
};
static const struct nft_hdr_field nft_ether_fields[] = {
	{ 0, 6, RS_F_ETHER_DADDR }, { 6, 6, RS_F_ETHER_SADDR },
	{ 12, 2, RS_F_ETHERTYPE }, { 0, 0, 0 },
};

static const struct nft_hdr_field *nft_header_fields(const struct nft_rctx *c,
						     uint32_t base)
{
	switch (base) {
	case NFT_PAYLOAD_LL_HEADER:
		return nft_ether_fields;
	case NFT_PAYLOAD_NETWORK_HEADER:
		if (c->l3 == NFPROTO_IPV4)
			return nft_ip_fields;
		if (c->l3 == NFPROTO_IPV6)
			return nft_ip6_fields;
		return NULL;
	case NFT_PAYLOAD_TRANSPORT_HEADER:
		switch (c->l4) {
		case IPPROTO_ICMP:
			return nft_icmp_fields;
		case IPPROTO_ICMPV6:
			return nft_icmp6_fields;
		case IPPROTO_TCP:
			return nft_tcp_fields;
		case IPPROTO_UDP:
		case IPPROTO_UDPLITE:
		case IPPROTO_SCTP:
		case IPPROTO_DCCP:
		/* "th dport" with no protocol: the port of any of those */
		case -1:
			return nft_port_fields;
		default:
			return NULL;
		}
	default:
		return NULL;
	}
}

static void nft_load_payload(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	const struct nft_hdr_field *hf = nft_header_fields(c, base), *h;
	uint32_t covered = 0, s, t;
	struct nft_reg *g;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_SREG)) {
		nft_stmt(c, "payload set", "@%s,%u,%u", nft_base_name(base),
			 off * 8, len * 8);
		return;
	}
	g = nft_reg_write(c, nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG),
			  len);
	if (!g) {
		nft_match_other(c, RS_F_UNKNOWN, "payload", false,
				"bad register or length %u", len);
		return;
	}
	g->kind = NREG_LOAD;
	nft_payload_desc(g->desc, base, off, len);
	if (hf == nft_ip6_fields && off + len <= 2) {
		/* version, traffic class, flow label: 4 + 8 + 20 bits */
		g->nparts = 1;
		g->parts[0] = (struct nft_part){
			.field = RS_F_IP_TOS, .fwidth = 2, .foff = (uint8_t)off,
			.len = (uint8_t)len, .tc6 = true,
		};
		return;
	}
	for (h = hf; h && h->len; h++) {
		s = off > h->off ? off : h->off;
		t = off + len < (uint32_t)h->off + h->len ? off + len :
		    (uint32_t)h->off + h->len;
		if (s >= t)
			continue;
		if (g->nparts == NFT_REG_PARTS)
			break;
		g->parts[g->nparts++] = (struct nft_part){
			.field = h->field, .fwidth = h->len,
			.foff = (uint8_t)(s - h->off), .len = (uint8_t)(t - s),
			.roff = (uint8_t)(s - off),
			.plus = hf == nft_ip6_fields &&
				h->field == RS_F_IP_LENGTH ? 40 : 0,
		};
		covered += t - s;
	}
	if (!hf || covered != len) {
		g->nparts = 1;
		g->raw = true;
		g->parts[0] = (struct nft_part){
			.field = RS_F_PAYLOAD, .fwidth = (uint8_t)len,
			.len = (uint8_t)len,
		};
	}
}

static void nft_load_meta(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
	static const struct {
		uint32_t key;
		enum rs_field field;
		uint8_t width;
		bool host;
		const char *name;
	} keys[] = {
		{ NFT_META_IIFNAME, RS_F_IIFNAME, 16, false, "iifname" },
		{ NFT_META_OIFNAME, RS_F_OIFNAME, 16, false, "oifname" },
		{ NFT_META_IIF, RS_F_IIF, 4, true, "iif" },
		{ NFT_META_OIF, RS_F_OIF, 4, true, "oif" },
		{ NFT_META_IIFTYPE, RS_F_IIFTYPE, 2, true, "iiftype" },
		{ NFT_META_NFPROTO, RS_F_NFPROTO, 1, true, "nfproto" },
		{ NFT_META_PROTOCOL, RS_F_ETHERTYPE, 2, false, "protocol" },
		{ NFT_META_L4PROTO, RS_F_L4PROTO, 1, true, "l4proto" },
		{ NFT_META_MARK, RS_F_MARK, 4, true, "mark" },
		{ NFT_META_PKTTYPE, RS_F_PKTTYPE, 1, true, "pkttype" },
		{ NFT_META_SKUID, RS_F_SKUID, 4, true, "skuid" },
		{ NFT_META_SKGID, RS_F_SKGID, 4, true, "skgid" },
		/* skb->len: at the IP hooks the packet from its IP header
		 * on, the IPv4 total length / IPv6 payload length + 40 */
		{ NFT_META_LEN, RS_F_IP_LENGTH, 4, true, "length" },
	};
	static const char *const others[] = {
		[NFT_META_LEN] = "length", [NFT_META_PRIORITY] = "priority",
		[NFT_META_OIFTYPE] = "oiftype", [NFT_META_NFTRACE] = "nftrace",
		[NFT_META_RTCLASSID] = "rtclassid",
		[NFT_META_SECMARK] = "secmark",
		[NFT_META_BRI_IIFNAME] = "ibrname",
		[NFT_META_BRI_OIFNAME] = "obrname", [NFT_META_CPU] = "cpu",
		[NFT_META_IIFGROUP] = "iifgroup",
		[NFT_META_OIFGROUP] = "oifgroup", [NFT_META_CGROUP] = "cgroup",
		[NFT_META_PRANDOM] = "random", [NFT_META_SECPATH] = "ipsec",
		[NFT_META_IIFKIND] = "iifkind", [NFT_META_OIFKIND] = "oifkind",
		[NFT_META_BRI_IIFPVID] = "ibrpvid",
		[NFT_META_BRI_IIFVPROTO] = "ibrvproto",
		[NFT_META_TIME_NS] = "time", [NFT_META_TIME_DAY] = "day",
		[NFT_META_TIME_HOUR] = "hour", [NFT_META_SDIF] = "sdif",
		[NFT_META_SDIFNAME] = "sdifname",
	};
	const char *name = key < sizeof(others) / sizeof(others[0]) &&
			   others[key] ? others[key] : NULL;
	struct nft_reg *g;
	unsigned int i;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_META_SREG)) {
		const struct nft_reg *v = nft_reg_read(c,
				nftnl_expr_get_u32(e, NFTNL_EXPR_META_SREG));
		struct rs_stmt *s;

		if (key != NFT_META_MARK) {
			for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
				if (keys[i].key == key)
					name = keys[i].name;
			nft_stmt(c, "meta set", "meta %s set",
				 name ? name : "?");
			return;
		}
		s = nft_stmt(c, "meta mark set", NULL);
		if (!s || !v)
			return;
		if (v->kind == NREG_IMM && v->len == 4) {
			s->sets_mark = true;
			s->mark_mask = 0xffffffff;
			s->mark_value = (uint32_t)nft_bytes_value(v->data, 4,
								  true);
		} else if (v->kind == NREG_LOAD && v->nparts == 1 &&
			   v->parts[0].field == RS_F_MARK && v->masked) {
			/* meta mark set meta mark and M or V */
			s->sets_mark = true;
			s->mark_mask = ~(uint32_t)nft_bytes_value(v->mask, 4,
								  true);
			s->mark_value = (uint32_t)nft_bytes_value(v->xor, 4,
								  true);
		}
		if (s->sets_mark) {
			free(s->text);
			if (asprintf(&s->text, "0x%08x/0x%08x", s->mark_value,
				     s->mark_mask) < 0) {
				s->text = NULL;
				nft_fail(c, -ENOMEM);
			}
		} else {
			/* a value we cannot follow: say where it comes from */
			s->text = strdup(v->kind == NREG_LOAD && v->nparts ?
					 rs_field_info(v->parts[0].field)->name :
					 v->kind == NREG_MAP ? "map" :
					 v->desc);
			if (!s->text)
				nft_fail(c, -ENOMEM);
		}
		return;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].key != key)
			continue;
		g = nft_reg_write(c, nftnl_expr_get_u32(e,
				  NFTNL_EXPR_META_DREG), keys[i].width);
		if (g)
			nft_reg_load1(g, keys[i].field, keys[i].width,
				      keys[i].host);
		return;
	}
	/* the widths the kernel gives these keys; 16 covers names */
	g = nft_reg_write(c, nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG),
			  key == NFT_META_BRI_IIFNAME ||
			  key == NFT_META_BRI_OIFNAME ||
			  key == NFT_META_IIFKIND || key == NFT_META_OIFKIND ||
			  key == NFT_META_SDIFNAME ? 16 :
			  key == NFT_META_TIME_NS ? 8 : 4);
	if (g)
		nft_reg_other(g, "meta", "meta %s", name ? name : "?");
}

static void nft_load_ct(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);
	bool reply = nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR) &&
		     nftnl_expr_get_u8(e, NFTNL_EXPR_CT_DIR) == IP_CT_DIR_REPLY;
	const char *dir = !nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR) ? "" :
			  reply ? "reply " : "original ";
	enum rs_field f = RS_F__COUNT;
	unsigned int width = 4, loadlen = 0;
	bool host = false, v6;
	struct nft_reg *g;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_SREG)) {
		static const char *const sets[] = {
			[NFT_CT_MARK] = "ct mark set",
			[NFT_CT_HELPER] = "ct helper set",
			[NFT_CT_LABELS] = "ct label set",
			[NFT_CT_ZONE] = "ct zone set",
			[NFT_CT_EVENTMASK] = "ct event set",
			[NFT_CT_SECMARK] = "ct secmark set",
			[NFT_CT_EXPIRATION] = "ct expiration set",
		};

		nft_stmt(c, key < sizeof(sets) / sizeof(sets[0]) && sets[key] ?
			 sets[key] : "ct set", NULL);
		return;
	}
	v6 = c->l3 == NFPROTO_IPV6 || c->family == NFPROTO_IPV6;
	switch (key) {
	case NFT_CT_STATE:
		f = RS_F_CT_STATE, host = true;
		break;
	case NFT_CT_STATUS:
		f = RS_F_CT_STATUS, host = true;
		break;
	case NFT_CT_DIRECTION:
		f = RS_F_CT_DIRECTION, width = 1, host = true;
		break;
	case NFT_CT_MARK:
		f = RS_F_CT_MARK, host = true;
		break;
	case NFT_CT_SRC_IP:
		f = reply ? RS_F_CT_REPL_SADDR4 : RS_F_CT_ORIG_SADDR4;
		break;
	case NFT_CT_DST_IP:
		f = reply ? RS_F_CT_REPL_DADDR4 : RS_F_CT_ORIG_DADDR4;
		break;
	case NFT_CT_SRC_IP6:
		f = reply ? RS_F_CT_REPL_SADDR6 : RS_F_CT_ORIG_SADDR6;
		width = 16;
		break;
	case NFT_CT_DST_IP6:
		f = reply ? RS_F_CT_REPL_DADDR6 : RS_F_CT_ORIG_DADDR6;
		width = 16;
		break;
	case NFT_CT_SRC:
	case NFT_CT_DST:
		/* the kernel loads the 16-byte tuple address; an IPv4 one
		 * sits in its first 4 bytes */
		loadlen = 16;
		if (!v6 && c->l3 != NFPROTO_IPV4 &&
		    c->family != NFPROTO_IPV4)
			break;
		width = v6 ? 16 : 4;
		if (key == NFT_CT_SRC)
			f = v6 ? (reply ? RS_F_CT_REPL_SADDR6 :
				  RS_F_CT_ORIG_SADDR6) :
				 (reply ? RS_F_CT_REPL_SADDR4 :
				  RS_F_CT_ORIG_SADDR4);
		else
			f = v6 ? (reply ? RS_F_CT_REPL_DADDR6 :
				  RS_F_CT_ORIG_DADDR6) :
				 (reply ? RS_F_CT_REPL_DADDR4 :
				  RS_F_CT_ORIG_DADDR4);
		break;
	case NFT_CT_PROTO_SRC:
		f = reply ? RS_F_CT_REPL_SPORT : RS_F_CT_ORIG_SPORT;
		width = 2;
		break;
	case NFT_CT_PROTO_DST:
		f = reply ? RS_F_CT_REPL_DPORT : RS_F_CT_ORIG_DPORT;
		width = 2;
		break;
	default:
		break;
	}
	g = nft_reg_write(c, nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG),
			  loadlen ? loadlen : f != RS_F__COUNT ? width :
			  key == NFT_CT_LABELS ? 16 : key == NFT_CT_PKTS ||
			  key == NFT_CT_BYTES || key == NFT_CT_AVGPKT ||
			  key == NFT_CT_EXPIRATION ? 8 : 4);
	if (!g)
		return;
	if (f == RS_F__COUNT) {
		static const char *const names[] = {
			[NFT_CT_SECMARK] = "secmark",
			[NFT_CT_EXPIRATION] = "expiration",
			[NFT_CT_HELPER] = "helper",
			[NFT_CT_L3PROTOCOL] = "l3proto",
			[NFT_CT_SRC] = "saddr", [NFT_CT_DST] = "daddr",
			[NFT_CT_PROTOCOL] = "protocol",
			[NFT_CT_LABELS] = "label", [NFT_CT_PKTS] = "packets",
			[NFT_CT_BYTES] = "bytes", [NFT_CT_AVGPKT] = "avgpkt",
			[NFT_CT_ZONE] = "zone", [NFT_CT_ID] = "id",
		};

		nft_reg_other(g, "ct", "ct %s%s", dir,
			      key < sizeof(names) / sizeof(names[0]) &&
			      names[key] ? names[key] : "?");
		return;
	}
	nft_reg_load1(g, f, width, host);
	g->parts[0].len = (uint8_t)width;
}

static void nft_load_fib(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t result = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_RESULT);
	uint32_t flags = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_FLAGS);
	bool saddr = flags & NFTA_FIB_F_SADDR;
	enum rs_field f = RS_F__COUNT;
	struct nft_reg *g;

	g = nft_reg_write(c, nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_DREG),
			  result == NFT_FIB_RESULT_OIFNAME &&
			  !(flags & NFTA_FIB_F_PRESENT) ? 16 : 4);
	if (!g)
		return;
	if (result == NFT_FIB_RESULT_ADDRTYPE &&
	    !(flags & (NFTA_FIB_F_IIF | NFTA_FIB_F_OIF | NFTA_FIB_F_MARK |
		       NFTA_FIB_F_PRESENT)))
		f = saddr ? RS_F_FIB_SADDR_TYPE : RS_F_FIB_DADDR_TYPE;
	/* rpfilter: fib saddr [. iif] [. mark] oif; present only turns the
	 * ifindex into 0/1 */
	else if (result == NFT_FIB_RESULT_OIF && !(flags & NFTA_FIB_F_OIF))
		f = !saddr ? RS_F_FIB_DADDR_OIF :
		    flags & NFTA_FIB_F_IIF ? RS_F_FIB_SADDR_IIF_OIF :
		    RS_F_FIB_SADDR_OIF;
	if (f != RS_F__COUNT) {
		nft_reg_load1(g, f, 4, true);
		g->present = flags & NFTA_FIB_F_PRESENT;
		return;
	}
	nft_reg_other(g, "fib", "fib%s%s%s%s%s %s%s",
		      saddr ? " saddr" : "",
		      flags & NFTA_FIB_F_DADDR ? " daddr" : "",
		      flags & NFTA_FIB_F_MARK ? " . mark" : "",
		      flags & NFTA_FIB_F_IIF ? " . iif" : "",
		      flags & NFTA_FIB_F_OIF ? " . oif" : "",
		      result == NFT_FIB_RESULT_OIF ? "oif" :
		      result == NFT_FIB_RESULT_OIFNAME ? "oifname" :
		      result == NFT_FIB_RESULT_ADDRTYPE ? "type" : "?",
		      flags & NFTA_FIB_F_PRESENT ? " present" : "");
}

static void nft_bitwise(struct nft_rctx *c, struct nftnl_expr *e)
{
	const struct nft_reg *src;
	struct nft_reg tmp, *dst;
	const uint8_t *mask, *xor;
	uint32_t len, mlen = 0, xlen = 0, op = NFT_BITWISE_BOOL;
	unsigned int i;

	src = nft_reg_read(c, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG));
	len = nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_LEN);
	if (nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_OP))
		op = nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_OP);
	mask = nftnl_expr_get_data(e, NFTNL_EXPR_BITWISE_MASK, &mlen);
	xor = nftnl_expr_get_data(e, NFTNL_EXPR_BITWISE_XOR, &xlen);
	if (src)
		tmp = *src;
	else
		memset(&tmp, 0, sizeof(tmp));
	dst = nft_reg_write(c, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG),
			    len);
	if (!dst)
		return;
	if (!src || op != NFT_BITWISE_BOOL || !mask || !xor || mlen != len ||
	    xlen != len || len > tmp.len || tmp.kind != NREG_LOAD) {
		nft_reg_other(dst, "bitwise", "%s %s",
			      src ? (tmp.kind == NREG_LOAD ? tmp.desc[0] ?
				     tmp.desc : rs_field_info(tmp.parts[0].field)->name :
				     tmp.desc) : "?",
			      op == NFT_BITWISE_LSHIFT ? "<<" :
			      op == NFT_BITWISE_RSHIFT ? ">>" : "& ^");
		return;
	}
	if (!tmp.masked) {
		memset(tmp.mask, 0xff, sizeof(tmp.mask));
		memset(tmp.xor, 0, sizeof(tmp.xor));
	}
	/* ((v & m1) ^ x1) & m2 ^ x2 == (v & m1 & m2) ^ ((x1 & m2) ^ x2) */
	for (i = 0; i < len; i++) {
		tmp.mask[i] &= mask[i];
		tmp.xor[i] = (tmp.xor[i] & mask[i]) ^ xor[i];
	}
	tmp.masked = true;
	tmp.len = (uint8_t)len;
	*dst = tmp;
}

static void nft_byteorder(struct nft_rctx *c, struct nftnl_expr *e)
{
	const struct nft_reg *src;
	struct nft_reg tmp, *dst;
	uint32_t len, size, op;

	src = nft_reg_read(c, nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_SREG));
	len = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_LEN);
	size = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_SIZE);
	op = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_OP);
	if (src)
		tmp = *src;
	else
		memset(&tmp, 0, sizeof(tmp));
	dst = nft_reg_write(c, nftnl_expr_get_u32(e,
			    NFTNL_EXPR_BYTEORDER_DREG), len);
	if (!dst)
		return;
	/* meta mark > 10: the host-order mark is turned big-endian so that
	 * the kernel's memcmp orders it */
	if (src && tmp.kind == NREG_LOAD && tmp.nparts == 1 && !tmp.masked &&
	    tmp.len == len && size == len && tmp.parts[0].fwidth == len &&
	    ((op == NFT_BYTEORDER_HTON && tmp.parts[0].host) ||
	     (op == NFT_BYTEORDER_NTOH && !tmp.parts[0].host))) {
		tmp.parts[0].host = !tmp.parts[0].host;
		*dst = tmp;
		dst->len = (uint8_t)len;
		return;
	}
	nft_reg_other(dst, "byteorder", "byteorder %s",
		      src ? tmp.desc : "?");
}

/*
 * Sets.
 */

static struct nft_setx *nft_set_find(struct nft_build *b, uint8_t family,
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
static int nft_key_layout(struct nft_rctx *c, uint32_t sreg, uint32_t keylen,
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

static int nft_verdict_set(struct rs_verdict *v, int32_t code,
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
static int nft_data_layout(const struct rs_set *s, uint8_t *widths,
			   bool *host)
{
	uint32_t type = s->data_type, ids[4];
	unsigned int n = 0, i, total = 0;

	while (type && n < 4) {
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
static int nft_elems_decode(struct nft_build *b, struct nft_setx *x,
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
static int nft_set_prepare(struct nft_build *b, struct nft_setx *x,
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

static void nft_key_text(const struct nft_rctx *c, uint32_t sreg, char *buf,
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
static bool nft_set_covers(const struct rs_set *s, uint32_t lo, uint32_t hi)
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

static void nft_lookup(struct nft_rctx *c, struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
	uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG);
	bool has_dreg = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG);
	uint32_t dreg = has_dreg ? nftnl_expr_get_u32(e,
					NFTNL_EXPR_LOOKUP_DREG) : 0;
	bool inv = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) &&
		   (nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) &
		    NFT_LOOKUP_F_INV);
	struct nft_setx *x = nft_set_find(c->b, c->family, c->table, name);
	struct nft_layout l;
	struct rs_match *m;
	bool total = false;
	char key[96];
	unsigned int i, k;
	int ret;

	nft_key_text(c, sreg, key, sizeof(key));
	if (!x) {
		nft_match_other(c, RS_F_UNKNOWN, "lookup", inv,
				"%s @%s: no such set", key, name ? name : "?");
		goto dreg;
	}
	if (x->set->flags & NFT_SET_EVAL) {
		/* its contents depend on the packets seen so far */
		nft_match_other(c, RS_F_OTHER, "lookup", inv,
				"%s @%s: set updated from the packet path", key,
				name);
		goto dreg;
	}
	if (nft_key_layout(c, sreg, x->set->key_len, &l) < 0) {
		const struct nft_reg *g = nft_reg_read(c, sreg);
		bool raw = g && nft_reg_payload(g);

		nft_match_other(c, raw ? RS_F_PAYLOAD : RS_F_OTHER,
				raw ? "payload" : "lookup", inv, "%s @%s", key,
				name);
		goto dreg;
	}
	ret = nft_set_prepare(c->b, x, &l);
	if (ret < 0) {
		nft_fail(c, ret);
		return;
	}
	if (has_dreg && ret == 1) {
		nft_match_other(c, RS_F_UNKNOWN, "lookup", inv,
				"%s @%s: map used with two key layouts", key,
				name);
		goto dreg;
	}
	{
		const struct nft_reg *kg = nft_reg_read(c, sreg);

		total = ret == 0 && !inv && kg && kg->ng &&
			nft_set_covers(x->set, kg->ng_lo, kg->ng_hi);
	}
	if (has_dreg && dreg == NFT_REG_VERDICT) {
		/* a key not in the map breaks the rule, as a failed match;
		 * the engine splits on the map's elements */
		rs_verdict_release(&c->r->verdict);
		memset(&c->r->verdict, 0, sizeof(c->r->verdict));
		c->r->verdict.kind = RS_V_VMAP;
		c->r->verdict.map.nfields = l.nfields;
		for (i = 0; i < l.nfields; i++)
			c->r->verdict.map.fields[i] = l.f[i].field;
		c->r->verdict.map.set = x->set;
		c->r->verdict.map.total = total;
		return;
	}
	if (total)
		/* every value is in the map: no match to make */
		goto data;
	m = nft_match_new(c);
	if (!m)
		return;
	m->op = inv ? RS_OP_NOT_IN : RS_OP_IN;
	m->nfields = l.nfields;
	for (i = 0; i < l.nfields; i++)
		m->fields[i] = l.f[i].field;
	if (ret == 0) {
		m->set = x->set;
	} else {
		struct rs_elem_data *data = NULL;
		size_t n = 0, j;

		ret = nft_elems_decode(c->b, x, &l, &m->elems, &data, &n);
		if (ret < 0) {
			nft_fail(c, ret);
			return;
		}
		m->nelems = n;
		if (data) {
			for (j = 0; j < n; j++)
				rs_verdict_release(&data[j].verdict);
			free(data);
		}
	}
	if (inv && !has_dreg) {
		/* the header or option must be there for the lookup to run
		 * at all (nft_compare() says why) */
		const struct nft_reg *g = nft_reg_read(c, sreg);

		if (g && g->kind == NREG_LOAD && g->absent_breaks) {
			enum rs_field f = m->fields[0];

			m = nft_match_new(c);
			if (m && rs_match_set_range(m, f, RS_ABSENT, RS_ABSENT,
						    true) < 0)
				nft_fail(c, -ENOMEM);
		}
	}
	if (!has_dreg)
		return;
data:
	/* a data map: the key must be in it (the match above), and the
	 * value goes to the registers for nat / meta set */
	{
		struct nft_reg *g;
		uint8_t widths[2];
		bool host[2];
		int n, idx = 0;

		g = nft_reg_write(c, dreg, x->set->data_len);
		if (!g)
			return;
		n = nft_data_layout(x->set, widths, host);
		nft_reg_index(dreg, &idx);
		for (i = 0; i < (unsigned int)n; i++) {
			if (idx >= NFT_NREGS)
				break;
			g = &c->regs[idx];
			g->kind = NREG_MAP;
			g->map = x;
			g->mapcomp = (uint8_t)i;
			g->mapnf = l.nfields;
			g->maptotal = total;
			memset(g->mapfields, 0, sizeof(g->mapfields));
			for (k = 0; k < l.nfields; k++)
				g->mapfields[k] = l.f[k].field;
			snprintf(g->desc, sizeof(g->desc), "%.40s map @%.40s",
				 key, name);
			idx += (widths[i] + 3) / 4;
		}
	}
	return;
dreg:
	if (has_dreg && dreg != NFT_REG_VERDICT) {
		struct nft_reg *g = nft_reg_write(c, dreg, x ?
						  x->set->data_len : 4);

		if (g)
			nft_reg_other(g, "map", "%s map @%s", key,
				      name ? name : "?");
	} else if (has_dreg) {
		rs_verdict_release(&c->r->verdict);
		memset(&c->r->verdict, 0, sizeof(c->r->verdict));
		c->r->verdict.kind = RS_V_OTHER;
		if (asprintf(&c->r->verdict.name, "vmap @%s",
			     name ? name : "?") < 0) {
			c->r->verdict.name = NULL;
			nft_fail(c, -ENOMEM);
		}
	}
}

static void nft_cmp(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t len = 0;
	const uint8_t *data = nftnl_expr_get_data(e, NFTNL_EXPR_CMP_DATA, &len);
	const struct nft_reg *g;

	g = nft_reg_read(c, nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG));
	if (!data || len == 0 || len > 16) {
		nft_match_other(c, RS_F_UNKNOWN, "cmp", false, "bad data");
		return;
	}
	nft_compare(c, g, nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), data, len,
		    NULL);
}

static void nft_range(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t flen = 0, tlen = 0;
	const uint8_t *from, *to;
	const struct nft_reg *g;

	from = nftnl_expr_get_data(e, NFTNL_EXPR_RANGE_FROM_DATA, &flen);
	to = nftnl_expr_get_data(e, NFTNL_EXPR_RANGE_TO_DATA, &tlen);
	g = nft_reg_read(c, nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_SREG));
	if (!from || !to || flen != tlen || flen == 0 || flen > 16) {
		nft_match_other(c, RS_F_UNKNOWN, "range", false, "bad data");
		return;
	}
	nft_compare(c, g, nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP), from,
		    flen, to);
}

static void nft_immediate(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG);
	const uint8_t *data;
	struct nft_reg *g;
	uint32_t len = 0;
	int ret;

	if (dreg == NFT_REG_VERDICT) {
		rs_verdict_release(&c->r->verdict);
		ret = nft_verdict_set(&c->r->verdict,
				      (int32_t)nftnl_expr_get_u32(e,
						NFTNL_EXPR_IMM_VERDICT),
				      nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN) ?
				      nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN) :
				      NULL);
		if (ret < 0)
			nft_fail(c, ret);
		return;
	}
	data = nftnl_expr_get_data(e, NFTNL_EXPR_IMM_DATA, &len);
	g = data ? nft_reg_write(c, dreg, len) : NULL;
	if (!g)
		return;
	g->kind = NREG_IMM;
	memcpy(g->data, data, len);
	nft_hex(g->desc, sizeof(g->desc), data, len);
}

/* A nat/redirect/masquerade/tproxy parameter held in a register. */
static bool nft_nat_value(struct nft_rctx *c, struct nftnl_expr *e,
			  uint16_t attr, unsigned int width, rs_u128 *v,
			  struct rs_verdict *vd)
{
	const struct nft_reg *g;

	if (!nftnl_expr_is_set(e, attr))
		return false;
	g = nft_reg_read(c, nftnl_expr_get_u32(e, attr));
	if (g && g->kind == NREG_IMM && g->len >= width) {
		*v = nft_bytes_value(g->data, width, false);
		return true;
	}
	if (g && g->kind == NREG_MAP) {
		vd->map.set = g->map->set;
		vd->map.nfields = g->mapnf;
		vd->map.total = g->maptotal;
		memcpy(vd->map.fields, g->mapfields, sizeof(vd->map.fields));
		*v = 0;
		return true;
	}
	nft_match_other(c, RS_F_OTHER, "nat", false, "%s from %s",
			rs_verdict_name(vd->kind), g ? g->desc : "?");
	return false;
}

static void nft_nat_common(struct nft_rctx *c, struct nftnl_expr *e,
			   enum rs_verdict_kind kind, uint8_t family,
			   uint16_t amin, uint16_t amax, uint16_t pmin,
			   uint16_t pmax, uint16_t flags)
{
	struct rs_verdict *v = &c->r->verdict;
	unsigned int alen = family == NFPROTO_IPV6 ? 16 : 4;
	rs_u128 lo, hi;

	rs_verdict_release(v);
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->nat.family = family;
	if (flags && nftnl_expr_is_set(e, flags))
		v->nat.flags = nftnl_expr_get_u32(e, flags);
	if (amin && nft_nat_value(c, e, amin, alen, &lo, v)) {
		v->nat.has_addr = true;
		v->nat.addr_lo = v->nat.addr_hi = lo;
		if (amax && nft_nat_value(c, e, amax, alen, &hi, v))
			v->nat.addr_hi = hi;
	}
	if (pmin && nft_nat_value(c, e, pmin, 2, &lo, v)) {
		v->nat.has_port = true;
		v->nat.port_lo = v->nat.port_hi = (uint16_t)lo;
		if (pmax && nft_nat_value(c, e, pmax, 2, &hi, v))
			v->nat.port_hi = (uint16_t)hi;
	}
}

static uint8_t nft_l3(const struct nft_rctx *c)
{
	if (c->family == NFPROTO_IPV4 || c->family == NFPROTO_IPV6)
		return c->family;
	return c->l3;
}

static void nft_nat(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE);
	uint8_t family = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_FAMILY) ?
			 (uint8_t)nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY) :
			 nft_l3(c);

	nft_nat_common(c, e, type == NFT_NAT_DNAT ? RS_V_DNAT : RS_V_SNAT,
		       family, NFTNL_EXPR_NAT_REG_ADDR_MIN,
		       NFTNL_EXPR_NAT_REG_ADDR_MAX,
		       NFTNL_EXPR_NAT_REG_PROTO_MIN,
		       NFTNL_EXPR_NAT_REG_PROTO_MAX, NFTNL_EXPR_NAT_FLAGS);
}

static void nft_redir(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_nat_common(c, e, RS_V_REDIRECT, nft_l3(c), 0, 0,
		       NFTNL_EXPR_REDIR_REG_PROTO_MIN,
		       NFTNL_EXPR_REDIR_REG_PROTO_MAX, NFTNL_EXPR_REDIR_FLAGS);
}

static void nft_masq(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_nat_common(c, e, RS_V_MASQUERADE, nft_l3(c), 0, 0,
		       NFTNL_EXPR_MASQ_REG_PROTO_MIN,
		       NFTNL_EXPR_MASQ_REG_PROTO_MAX, NFTNL_EXPR_MASQ_FLAGS);
}

static void nft_tproxy(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint8_t family = nftnl_expr_is_set(e, NFTNL_EXPR_TPROXY_FAMILY) ?
			 (uint8_t)nftnl_expr_get_u32(e, NFTNL_EXPR_TPROXY_FAMILY) :
			 nft_l3(c);

	if (family == NFPROTO_UNSPEC)
		family = nft_l3(c);
	nft_nat_common(c, e, RS_V_TPROXY, family, NFTNL_EXPR_TPROXY_REG_ADDR,
		       0, NFTNL_EXPR_TPROXY_REG_PORT, 0, 0);
}

static void nft_reject(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_REJECT_TYPE);
	uint8_t code = nftnl_expr_get_u8(e, NFTNL_EXPR_REJECT_CODE);
	static const char *const icmp[] = {
		[0] = "net-unreachable", [1] = "host-unreachable",
		[2] = "prot-unreachable", [3] = "port-unreachable",
		[9] = "net-prohibited", [10] = "host-prohibited",
		[13] = "admin-prohibited",
	};
	static const char *const icmp6[] = {
		[0] = "no-route", [1] = "admin-prohibited",
		[3] = "addr-unreachable", [4] = "port-unreachable",
		[5] = "policy-fail", [6] = "reject-route",
	};
	static const char *const icmpx[] = {
		[0] = "no-route", [1] = "port-unreachable",
		[2] = "host-unreachable", [3] = "admin-prohibited",
	};
	struct rs_verdict *v = &c->r->verdict;
	const char *proto, *what = NULL;
	int ret;

	rs_verdict_release(v);
	memset(v, 0, sizeof(*v));
	v->kind = RS_V_REJECT;
	if (type == NFT_REJECT_TCP_RST) {
		v->name = strdup("tcp-reset");
		if (!v->name)
			nft_fail(c, -ENOMEM);
		return;
	}
	if (type == NFT_REJECT_ICMPX_UNREACH) {
		proto = "icmpx";
		if (code < sizeof(icmpx) / sizeof(icmpx[0]))
			what = icmpx[code];
	} else if (nft_l3(c) == NFPROTO_IPV6) {
		proto = "icmpv6";
		if (code < sizeof(icmp6) / sizeof(icmp6[0]))
			what = icmp6[code];
	} else {
		proto = "icmp";
		if (code < sizeof(icmp) / sizeof(icmp[0]))
			what = icmp[code];
	}
	ret = what ? asprintf(&v->name, "%s-%s", proto, what) :
		     asprintf(&v->name, "%s-code-%u", proto, code);
	if (ret < 0) {
		v->name = NULL;
		nft_fail(c, -ENOMEM);
	}
}

static void nft_queue(struct nft_rctx *c, struct nftnl_expr *e)
{
	struct rs_verdict *v = &c->r->verdict;
	uint16_t flags = 0;

	rs_verdict_release(v);
	memset(v, 0, sizeof(*v));
	v->kind = RS_V_QUEUE;
	if (nftnl_expr_is_set(e, NFTNL_EXPR_QUEUE_NUM))
		v->queue_num = nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_NUM);
	if (nftnl_expr_is_set(e, NFTNL_EXPR_QUEUE_FLAGS))
		flags = nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_FLAGS);
	v->queue_bypass = flags & NFT_QUEUE_FLAG_BYPASS;
}

static const char *nft_unit_name(uint64_t unit)
{
	switch (unit) {
	case 1:
		return "second";
	case 60:
		return "minute";
	case 3600:
		return "hour";
	case 86400:
		return "day";
	case 604800:
		return "week";
	default:
		return "?";
	}
}

static void nft_limit(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t flags = nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_FLAGS);
	bool bytes = nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_TYPE) ==
		     NFT_LIMIT_PKT_BYTES;

	/* "over" is part of what the match does, not a negation of it */
	nft_match_other(c, RS_F_OTHER, "limit", false,
			"rate %s%llu%s/%s burst %u%s",
			flags & NFT_LIMIT_F_INV ? "over " : "",
			(unsigned long long)nftnl_expr_get_u64(e,
						NFTNL_EXPR_LIMIT_RATE),
			bytes ? " bytes" : "",
			nft_unit_name(nftnl_expr_get_u64(e,
						NFTNL_EXPR_LIMIT_UNIT)),
			nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_BURST),
			bytes ? " bytes" : " packets");
}

static void nft_quota(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t flags = nftnl_expr_get_u32(e, NFTNL_EXPR_QUOTA_FLAGS);

	nft_match_other(c, RS_F_OTHER, "quota", false,
			"%s%llu bytes", flags & NFT_QUOTA_F_INV ? "over " : "",
			(unsigned long long)nftnl_expr_get_u64(e,
						NFTNL_EXPR_QUOTA_BYTES));
}

static void nft_connlimit(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t flags = nftnl_expr_get_u32(e, NFTNL_EXPR_CONNLIMIT_FLAGS);

	nft_match_other(c, RS_F_OTHER, "connlimit", false, "ct count %s%u",
			flags & NFT_CONNLIMIT_F_INV ? "over " : "",
			nftnl_expr_get_u32(e, NFTNL_EXPR_CONNLIMIT_COUNT));
}

static void nft_log(struct nft_rctx *c, struct nftnl_expr *e)
{
	const char *prefix = nftnl_expr_is_set(e, NFTNL_EXPR_LOG_PREFIX) ?
			     nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX) : NULL;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP))
		nft_stmt(c, "log", "group %u%s%s%s",
			 nftnl_expr_get_u16(e, NFTNL_EXPR_LOG_GROUP),
			 prefix ? " prefix \"" : "", prefix ? prefix : "",
			 prefix ? "\"" : "");
	else if (prefix)
		nft_stmt(c, "log", "prefix \"%s\"", prefix);
	else
		nft_stmt(c, "log", NULL);
}

static void nft_counter(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_stmt(c, "counter", NULL);
}

static void nft_notrack(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_stmt(c, "notrack", NULL);
}

/* Named objects: counters and helpers are side effects; quotas, limits
 * and connlimits decide whether the rule goes on. */
static void nft_objref_type(struct nft_rctx *c, uint32_t type,
			    const char *what)
{
	static const char *const names[] = {
		[NFT_OBJECT_COUNTER] = "counter", [NFT_OBJECT_QUOTA] = "quota",
		[NFT_OBJECT_CT_HELPER] = "ct helper",
		[NFT_OBJECT_LIMIT] = "limit",
		[NFT_OBJECT_CONNLIMIT] = "ct count",
		[NFT_OBJECT_TUNNEL] = "tunnel",
		[NFT_OBJECT_CT_TIMEOUT] = "ct timeout",
		[NFT_OBJECT_SECMARK] = "meta secmark",
		[NFT_OBJECT_CT_EXPECT] = "ct expectation",
		[NFT_OBJECT_SYNPROXY] = "synproxy",
	};
	const char *name = type < sizeof(names) / sizeof(names[0]) &&
			   names[type] ? names[type] : "object";

	switch (type) {
	case NFT_OBJECT_QUOTA:
	case NFT_OBJECT_LIMIT:
	case NFT_OBJECT_CONNLIMIT:
	case NFT_OBJECT_SYNPROXY:
		nft_match_other(c, RS_F_OTHER, "objref", false, "%s %s", name,
				what);
		break;
	default:
		nft_stmt(c, "objref", "%s %s", name, what);
		break;
	}
}

static void nft_objref(struct nft_rctx *c, struct nftnl_expr *e)
{
	char what[128];

	if (nftnl_expr_is_set(e, NFTNL_EXPR_OBJREF_IMM_NAME)) {
		nft_objref_type(c, nftnl_expr_get_u32(e,
						NFTNL_EXPR_OBJREF_IMM_TYPE),
				nftnl_expr_get_str(e,
						NFTNL_EXPR_OBJREF_IMM_NAME));
		return;
	}
	if (nftnl_expr_is_set(e, NFTNL_EXPR_OBJREF_SET_NAME)) {
		const char *name = nftnl_expr_get_str(e,
					NFTNL_EXPR_OBJREF_SET_NAME);
		struct nft_setx *x = nft_set_find(c->b, c->family, c->table,
						  name);

		snprintf(what, sizeof(what), "map @%s", name ? name : "?");
		nft_objref_type(c, x && nftnl_set_is_set(x->nl,
						NFTNL_SET_OBJ_TYPE) ?
				nftnl_set_get_u32(x->nl, NFTNL_SET_OBJ_TYPE) :
				0, what);
		return;
	}
	nft_match_other(c, RS_F_UNKNOWN, "objref", false, "no object");
}

static void nft_dynset(struct nft_rctx *c, struct nftnl_expr *e)
{
	static const char *const ops[] = { "add", "update", "delete" };
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_DYNSET_OP);
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_DYNSET_SET_NAME);
	const char *ops_name = op < 3 ? ops[op] : "?";
	bool stateful = nftnl_expr_is_set(e, NFTNL_EXPR_DYNSET_EXPR) ||
			nftnl_expr_is_set(e, NFTNL_EXPR_DYNSET_EXPRESSIONS);

	/* a meter ("add @m { ip saddr limit rate 10/second }") stops the
	 * rule when its expression does; a plain add/update goes on */
	if (stateful)
		nft_match_other(c, RS_F_OTHER, "dynset", false,
				"%s @%s with a stateful expression", ops_name,
				name ? name : "?");
	else
		nft_stmt(c, "dynset", "%s @%s", ops_name, name ? name : "?");
}

static void nft_numgen(struct nft_rctx *c, struct nftnl_expr *e)
{
	struct nft_reg *g = nft_reg_write(c, nftnl_expr_get_u32(e,
						NFTNL_EXPR_NG_DREG), 4);

	uint32_t mod = nftnl_expr_get_u32(e, NFTNL_EXPR_NG_MODULUS);
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_NG_OFFSET);

	if (!g)
		return;
	if (!mod || off > UINT32_MAX - (mod - 1)) {
		nft_reg_other(g, "numgen", "numgen %s mod %u offset %u",
			      nftnl_expr_get_u32(e, NFTNL_EXPR_NG_TYPE) ==
			      NFT_NG_RANDOM ? "random" : "inc", mod, off);
		return;
	}
	/* a field the engine cannot decide, but whose values are known:
	 * a map that has them all is always hit (kube-proxy's endpoint
	 * vmaps) */
	nft_reg_load1(g, RS_F_NUMGEN, 4, true);
	g->ng = true;
	g->ng_lo = off;
	g->ng_hi = off + (mod - 1);
}


static void nft_hash(struct nft_rctx *c, struct nftnl_expr *e)
{
	struct nft_reg *g = nft_reg_write(c, nftnl_expr_get_u32(e,
						NFTNL_EXPR_HASH_DREG), 4);

	if (g)
		nft_reg_other(g, "hash", "%s mod %u offset %u",
			      nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_TYPE) ==
			      NFT_HASH_SYM ? "symhash" : "jhash",
			      nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_MODULUS),
			      nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_OFFSET));
}

static void nft_exthdr(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_LEN);
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_OP);
	uint32_t flags = nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_FLAGS);
	static const char *const ops[] = {
		[NFT_EXTHDR_OP_IPV6] = "ip6 exthdr",
		[NFT_EXTHDR_OP_TCPOPT] = "tcp option",
		[NFT_EXTHDR_OP_IPV4] = "ip option",
		[NFT_EXTHDR_OP_SCTP] = "sctp chunk",
	};
	const char *opname = op < sizeof(ops) / sizeof(ops[0]) && ops[op] ?
			     ops[op] : "exthdr";
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_OFFSET);
	uint8_t type = nftnl_expr_get_u8(e, NFTNL_EXPR_EXTHDR_TYPE);
	enum rs_field f = RS_F_UNKNOWN;
	rs_u128 bit = 0;
	struct nft_reg *g;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_SREG)) {
		nft_stmt(c, "exthdr set", "%s %u", opname,
			 nftnl_expr_get_u8(e, NFTNL_EXPR_EXTHDR_TYPE));
		return;
	}
	g = nft_reg_write(c, nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_DREG),
			  flags & NFT_EXTHDR_F_PRESENT ? 1 : len);
	if (!g)
		return;
	nft_reg_other(g, "exthdr", "%s %u @%u,%u%s", opname, type, off, len,
		      flags & NFT_EXTHDR_F_PRESENT ? " exists" : "");
	if (flags & ~NFT_EXTHDR_F_PRESENT)
		return;
	if (flags & NFT_EXTHDR_F_PRESENT) {
		/* the header or option is there (1) or not (0) */
		switch (op) {
		case NFT_EXTHDR_OP_IPV6:
			if (type == IPPROTO_ROUTING)
				f = RS_F_IP6_RT_TYPE;
			else if (type < 128)
				bit = (rs_u128)1 << type;
			else if (type != IPPROTO_MH)
				return;
			/* the mobility header ends the chain: never in a
			 * TCP/UDP/SCTP probe, bit stays 0 */
			break;
		case NFT_EXTHDR_OP_TCPOPT:
			if (type == 2)
				f = RS_F_TCP_MSS;
			else if (type < 128)
				bit = (rs_u128)1 << type;
			else
				return;
			break;
		case NFT_EXTHDR_OP_IPV4:
			bit = (rs_u128)1 << (type & 0x1f);
			break;
		default:
			return;
		}
		if (f == RS_F_UNKNOWN)
			f = op == NFT_EXTHDR_OP_IPV6 ? RS_F_IP6_EXTHDRS :
			    op == NFT_EXTHDR_OP_TCPOPT ? RS_F_TCP_OPTIONS :
			    RS_F_IP_OPTIONS;
		g->kind = NREG_LOAD;
		g->exists = true;
		g->exbit = bit;
		nft_reg_load1(g, f, 1, true);
		return;
	}
	/* rt type, tcp option maxseg size: the values we name */
	if (op == NFT_EXTHDR_OP_IPV6 && type == IPPROTO_ROUTING && off == 2 &&
	    len == 1)
		f = RS_F_IP6_RT_TYPE;
	else if (op == NFT_EXTHDR_OP_TCPOPT && type == 2 && off == 2 &&
		 len == 2)
		f = RS_F_TCP_MSS;
	else
		return;
	g->absent_breaks = true;
	nft_reg_load1(g, f, len, false);
}

/* Loads we only name: rt, socket, osf, xfrm, tunnel. */
static void nft_load_other(struct nft_rctx *c, struct nftnl_expr *e,
			   const char *name, uint16_t dreg_attr,
			   unsigned int len)
{
	struct nft_reg *g;

	if (!nftnl_expr_is_set(e, dreg_attr)) {
		nft_stmt(c, name, NULL);
		return;
	}
	g = nft_reg_write(c, nftnl_expr_get_u32(e, dreg_attr), len);
	if (g)
		nft_reg_other(g, name, "%s", name);
}

static void nft_rt(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_RT_KEY);

	nft_load_other(c, e, "rt", NFTNL_EXPR_RT_DREG,
		       key == NFT_RT_NEXTHOP6 ? 16 : key == NFT_RT_TCPMSS ? 2 :
		       key == NFT_RT_XFRM ? 1 : 4);
}

static void nft_socket(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_SOCKET_KEY);

	nft_load_other(c, e, "socket", NFTNL_EXPR_SOCKET_DREG,
		       key == NFT_SOCKET_MARK ? 4 : key == 3 ? 8 : 1);
}

static void nft_osf(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_load_other(c, e, "osf", NFTNL_EXPR_OSF_DREG, 16);
}

static void nft_xfrm(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_XFRM_KEY);

	nft_load_other(c, e, "ipsec", NFTNL_EXPR_XFRM_DREG,
		       key == NFT_XFRM_KEY_DADDR_IP6 ||
		       key == NFT_XFRM_KEY_SADDR_IP6 ? 16 : 4);
}

static void nft_tunnel(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_load_other(c, e, "tunnel", NFTNL_EXPR_TUNNEL_DREG, 4);
}

static void nft_synproxy(struct nft_rctx *c, struct nftnl_expr *e)
{
	/* answers SYNs itself and lets validated ACKs through */
	nft_match_other(c, RS_F_OTHER, "synproxy", false, "mss %u wscale %u",
			nftnl_expr_get_u16(e, NFTNL_EXPR_SYNPROXY_MSS),
			nftnl_expr_get_u8(e, NFTNL_EXPR_SYNPROXY_WSCALE));
}

static void nft_fwd(struct nft_rctx *c, struct nftnl_expr *e)
{
	struct rs_verdict *v = &c->r->verdict;

	rs_verdict_release(v);
	memset(v, 0, sizeof(*v));
	v->kind = RS_V_OTHER;
	v->name = strdup("fwd");
	if (!v->name)
		nft_fail(c, -ENOMEM);
}

static void nft_dup(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_stmt(c, "dup", NULL);
}

static void nft_last(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_stmt(c, "last", NULL);
}

static void nft_flow_offload(struct nft_rctx *c, struct nftnl_expr *e)
{
	nft_stmt(c, "flow add", "@%s", nftnl_expr_is_set(e,
			NFTNL_EXPR_FLOW_TABLE_NAME) ?
		 nftnl_expr_get_str(e, NFTNL_EXPR_FLOW_TABLE_NAME) : "?");
}

static uint8_t nft_xt_family(const struct nft_rctx *c)
{
	uint8_t f = nft_l3(c);

	return f ? f : c->family;
}

static void nft_xt_match(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t len = 0;
	const void *info = nftnl_expr_get_data(e, NFTNL_EXPR_MT_INFO, &len);
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
	int ret;

	ret = xt_decode_match(c->r, nft_xt_family(c), name ? name : "?",
			      (uint8_t)nftnl_expr_get_u32(e, NFTNL_EXPR_MT_REV),
			      info, info ? len : 0);
	if (ret < 0)
		nft_fail(c, ret);
}

static void nft_xt_target(struct nft_rctx *c, struct nftnl_expr *e)
{
	uint32_t len = 0;
	const void *info = nftnl_expr_get_data(e, NFTNL_EXPR_TG_INFO, &len);
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);
	int ret;

	ret = xt_decode_target(c->r, nft_xt_family(c), name ? name : "?",
			       (uint8_t)nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV),
			       info, info ? len : 0);
	if (ret < 0)
		nft_fail(c, ret);
}

static const struct {
	const char *name;
	void (*decode)(struct nft_rctx *c, struct nftnl_expr *e);
} nft_exprs[] = {
	/* the lookup is linear: the most frequent first */
	{ "payload", nft_load_payload },
	{ "cmp", nft_cmp },
	{ "meta", nft_load_meta },
	{ "immediate", nft_immediate },
	{ "counter", nft_counter },
	{ "match", nft_xt_match },
	{ "target", nft_xt_target },
	{ "ct", nft_load_ct },
	{ "bitwise", nft_bitwise },
	{ "lookup", nft_lookup },
	{ "fib", nft_load_fib },
	{ "byteorder", nft_byteorder },
	{ "range", nft_range },
	{ "nat", nft_nat },
	{ "redir", nft_redir },
	{ "masq", nft_masq },
	{ "tproxy", nft_tproxy },
	{ "reject", nft_reject },
	{ "queue", nft_queue },
	{ "log", nft_log },
	{ "limit", nft_limit },
	{ "quota", nft_quota },
	{ "connlimit", nft_connlimit },
	{ "notrack", nft_notrack },
	{ "objref", nft_objref },
	{ "dynset", nft_dynset },
	{ "numgen", nft_numgen },
	{ "hash", nft_hash },
	{ "exthdr", nft_exthdr },
	{ "rt", nft_rt },
	{ "socket", nft_socket },
	{ "osf", nft_osf },
	{ "xfrm", nft_xfrm },
	{ "tunnel", nft_tunnel },
	{ "synproxy", nft_synproxy },
	{ "fwd", nft_fwd },
	{ "dup", nft_dup },
	{ "last", nft_last },
	{ "flow_offload", nft_flow_offload },
};

/*
 * Rule and set user data are opaque to the kernel: whoever wrote the ruleset
 * chose every byte.  libnftnl 1.2.4's nftnl_udata_parse() trusts each TLV's
 * own length, so the TLVs are checked against the bytes of the attribute
 * that holds them here, before any callback reads one.  Returns -EBADMSG
 * (cb not called) when a TLV does not lie inside ud, else what
 * nftnl_udata_parse() returns.
 */
static int nft_udata_parse(const void *ud, uint32_t len, nftnl_udata_cb_t cb,
			   void *data)
{
	const uint8_t *p = ud;
	uint32_t off = 0;

	while (off < len) {
		/* struct nftnl_udata: u8 type, u8 length, value */
		if (len - off < 2 || p[off + 1] > len - off - 2)
			return -EBADMSG;
		off += 2u + p[off + 1];
	}
	return nftnl_udata_parse(ud, len, cb, data);
}

static int nft_udata_comment_cb(const struct nftnl_udata *attr, void *data)
{
	const char **comment = data;
	const char *v = nftnl_udata_get(attr);
	uint8_t len = nftnl_udata_len(attr);

	if (nftnl_udata_type(attr) != NFTNL_UDATA_RULE_COMMENT)
		return 0;
	if (len == 0 || v[len - 1] != '\0')
		return -1;
	*comment = v;
	return 0;
}

static int nft_rule_build(struct nft_build *b, struct rs_chain *ch,
			  struct nftnl_rule *nr)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	struct nft_rctx c;
	struct rs_rule *r;
	unsigned int i;

	r = rs_chain_add_rule(ch);
	if (!r)
		return -ENOMEM;
	r->position = (unsigned int)ch->nrules;
	if (nftnl_rule_is_set(nr, NFTNL_RULE_HANDLE)) {
		r->handle = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
		r->has_handle = true;
	}
	memset(&c, 0, sizeof(c));
	c.b = b;
	c.r = r;
	c.family = ch->family;
	c.table = ch->table;
	c.l4 = -1;
	if (ch->family == NFPROTO_IPV4 || ch->family == NFPROTO_IPV6)
		c.l3 = ch->family;

	it = nftnl_expr_iter_create(nr);
	if (!it)
		return -ENOMEM;
	for (e = nftnl_expr_iter_next(it); e && !c.err;
	     e = nftnl_expr_iter_next(it)) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		for (i = 0; i < sizeof(nft_exprs) / sizeof(nft_exprs[0]); i++)
			if (name && !strcmp(name, nft_exprs[i].name))
				break;
		if (i < sizeof(nft_exprs) / sizeof(nft_exprs[0]))
			nft_exprs[i].decode(&c, e);
		else
			nft_match_other(&c, RS_F_UNKNOWN, name ? name : "?",
					false, "expression %s",
					name ? name : "?");
	}
	nftnl_expr_iter_destroy(it);
	if (c.err)
		return c.err;

	if (!r->comment && nftnl_rule_is_set(nr, NFTNL_RULE_USERDATA)) {
		const char *comment = NULL;
		uint32_t len = 0;
		const void *ud = nftnl_rule_get_data(nr, NFTNL_RULE_USERDATA,
						     &len);

		int ret = ud ? nft_udata_parse(ud, len, nft_udata_comment_cb,
					       &comment) : 0;

		if (ret == -EBADMSG &&
		    ruleset_note(b->rs, "%s %s %s: rule %u has malformed user "
				 "data: its comment is not shown",
				 rs_family_name(ch->family), ch->table,
				 ch->name, r->position) < 0)
			return -ENOMEM;
		if (ret >= 0 && comment) {
			r->comment = strdup(comment);
			if (!r->comment)
				return -ENOMEM;
		}
	}
	return ruleset_pack_rule(b->rs, r);
}

static int nft_tables_build(struct nft_build *b)
{
	size_t i;

	b->tables = calloc(b->f->tables.n + 1, sizeof(*b->tables));
	if (!b->tables)
		return -ENOMEM;
	for (i = 0; i < b->f->tables.n; i++) {
		struct nftnl_table *t = b->f->tables.v[i];
		struct nft_tablex *x = &b->tables[b->ntables++];

		x->family = (uint8_t)nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY);
		x->name = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
		x->dormant = nftnl_table_is_set(t, NFTNL_TABLE_FLAGS) &&
			     (nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS) &
			      NFT_TABLE_F_DORMANT);
	}
	return 0;
}

static bool nft_table_dormant(const struct nft_build *b, uint8_t family,
			      const char *name)
{
	size_t i;

	for (i = 0; i < b->ntables; i++)
		if (b->tables[i].family == family &&
		    !strcmp(b->tables[i].name, name))
			return b->tables[i].dormant;
	return false;
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

static int nft_sets_build(struct nft_build *b)
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
static int nft_sets_finish(struct nft_build *b)
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

static int nft_chain_build(struct nft_build *b, struct nftnl_chain *nc)
{
	uint8_t family = (uint8_t)nftnl_chain_get_u32(nc, NFTNL_CHAIN_FAMILY);
	const char *table = nftnl_chain_get_str(nc, NFTNL_CHAIN_TABLE);
	struct rs_chain *c;

	c = ruleset_add_chain(b->rs, RS_ORIGIN_NFT, family, table,
			      nftnl_chain_get_str(nc, NFTNL_CHAIN_NAME));
	if (!c)
		return -ENOMEM;
	if (!nftnl_chain_is_set(nc, NFTNL_CHAIN_HOOKNUM))
		return 0;
	c->hook = nftnl_chain_get_u32(nc, NFTNL_CHAIN_HOOKNUM);
	c->priority = (int32_t)nftnl_chain_get_u32(nc, NFTNL_CHAIN_PRIO);
	/* a dormant table's hooks are unregistered */
	c->base = !nft_table_dormant(b, family, table);
	c->policy = RS_V_ACCEPT;
	if (nftnl_chain_is_set(nc, NFTNL_CHAIN_POLICY) &&
	    nftnl_chain_get_u32(nc, NFTNL_CHAIN_POLICY) == NF_DROP)
		c->policy = RS_V_DROP;
	if (nftnl_chain_is_set(nc, NFTNL_CHAIN_TYPE)) {
		c->type = strdup(nftnl_chain_get_str(nc, NFTNL_CHAIN_TYPE));
		if (!c->type)
			return -ENOMEM;
	}
	if (nftnl_chain_is_set(nc, NFTNL_CHAIN_DEV)) {
		c->device = strdup(nftnl_chain_get_str(nc, NFTNL_CHAIN_DEV));
	} else if (nftnl_chain_is_set(nc, NFTNL_CHAIN_DEVICES)) {
		/* several devices: "eth0,eth1" */
		const char *const *devs = nftnl_chain_get(nc,
							  NFTNL_CHAIN_DEVICES);
		size_t len = 1, j;

		for (j = 0; devs && devs[j]; j++)
			len += strlen(devs[j]) + 1;
		c->device = calloc(1, len);
		for (j = 0; c->device && devs && devs[j]; j++) {
			if (j)
				strcat(c->device, ",");
			strcat(c->device, devs[j]);
		}
	} else {
		return 0;
	}
	return c->device ? 0 : -ENOMEM;
}

static int nft_tables_note(struct nft_build *b)
{
	size_t i;

	for (i = 0; i < b->ntables; i++)
		if (b->tables[i].dormant &&
		    ruleset_note(b->rs, "table %s %s is dormant: its base "
				 "chains are not attached",
				 rs_family_name(b->tables[i].family),
				 b->tables[i].name) < 0)
			return -ENOMEM;
	return 0;
}

/*
 * Reading: the dumps, with the model built as they arrive.
 */

static int nft_chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nft_fetch *f = data;
	struct nftnl_chain *c;
	int ret;

	if (nft_cb_check(nlh, f) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (f->b->rs->nchains >= NFT_MAX_CHAINS)
		return nft_cb_fail(f, -E2BIG);
	if (nft_msg_check(nlh, &nft_pol_chain) < 0)
		return nft_cb_fail(f, -EPROTO);
	c = nftnl_chain_alloc();
	if (!c)
		return nft_cb_fail(f, -ENOMEM);
	ret = nftnl_chain_nlmsg_parse(nlh, c) < 0 ||
	      !nftnl_chain_is_set(c, NFTNL_CHAIN_NAME) ||
	      !nftnl_chain_is_set(c, NFTNL_CHAIN_TABLE) ? -EPROTO :
	      nft_chain_build(f->b, c);
	nftnl_chain_free(c);
	if (ret < 0)
		return nft_cb_fail(f, ret);
	return MNL_CB_OK;
}

static int nft_rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nft_fetch *f = data;
	struct rs_chain *c = f->chain;
	struct nftnl_rule *r;
	int ret;

	if (nft_cb_check(nlh, f) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (f->nrules >= NFT_MAX_RULES)
		return nft_cb_fail(f, -E2BIG);
	if (nft_msg_check(nlh, &nft_pol_rule) < 0)
		return nft_cb_fail(f, -EPROTO);
	r = nftnl_rule_alloc();
	if (!r)
		return nft_cb_fail(f, -ENOMEM);
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0 ||
	    !nftnl_rule_is_set(r, NFTNL_RULE_TABLE) ||
	    !nftnl_rule_is_set(r, NFTNL_RULE_CHAIN)) {
		ret = -EPROTO;
	} else if ((uint8_t)nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) !=
		   c->family ||
		   strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), c->table) ||
		   strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), c->name)) {
		/* a kernel that ignores the dump filter sends every rule
		 * for every chain: each is built when its own chain is
		 * dumped */
		ret = 0;
	} else {
		f->nrules++;
		ret = nft_rule_build(f->b, c, r);
	}
	nftnl_rule_free(r);
	if (ret < 0)
		return nft_cb_fail(f, ret);
	return MNL_CB_OK;
}

/* One rule dump per chain, as iptables-nft-save does: the kernel answers a
 * filtered dump from the chain itself, where a global dump walks every rule
 * before the continuation point again at each recv(). */
static int nft_fetch_rules(struct nft_io *io, struct nft_fetch *f)
{
	struct ruleset *rs = f->b->rs;
	char buf[NFT_REQSIZ];
	struct nftnl_rule *q;
	struct nlmsghdr *nlh;
	size_t i;
	int ret = 0;

	q = nftnl_rule_alloc();
	if (!q)
		return -ENOMEM;
	for (i = 0; i < rs->nchains; i++) {
		struct rs_chain *c = &rs->chains[i];

		if (nftnl_rule_set_str(q, NFTNL_RULE_TABLE, c->table) < 0 ||
		    nftnl_rule_set_str(q, NFTNL_RULE_CHAIN, c->name) < 0) {
			ret = -ENOMEM;
			break;
		}
		nlh = nft_req(buf, NFT_MSG_GETRULE, c->family, NLM_F_DUMP);
		nftnl_rule_nlmsg_build_payload(nlh, q);
		f->chain = c;
		ret = nft_talk_object(io, nlh, nft_rule_cb, f);
		if (ret)
			break;
		ret = ruleset_pack_chain(rs, c);
		if (ret < 0)
			break;
	}
	f->chain = NULL;
	nftnl_rule_free(q);
	return ret;
}

/* One attempt, built into b->rs.  Returns 0, NFT_RETRY, or a negative
 * errno; *absent when this kernel has no nf_tables. */
static int nft_fetch_once(struct nft_io *io, struct nft_fetch *f,
			  struct nft_build *b, bool *absent)
{
	char buf[NFT_REQSIZ];
	uint32_t before, after;
	int ret;

	ret = nft_fetch_genid(io, f, &before);
	switch (ret) {
	case -ENOENT:
	case -EPROTONOSUPPORT:
	case -EAFNOSUPPORT:
	case -EOPNOTSUPP:
	/* nfnetlink answers EINVAL for a subsystem that is not loaded */
	case -EINVAL:
		*absent = true;
		return 0;
	default:
		if (ret)
			return ret;
	}
	b->f = f;
	f->b = b;
	ret = nft_talk(io, nft_req(buf, NFT_MSG_GETTABLE, NFPROTO_UNSPEC,
				   NLM_F_DUMP), nft_table_cb, f);
	if (ret)
		return ret;
	ret = nft_tables_build(b);
	if (ret < 0)
		return ret;
	/* chains are built as they arrive */
	ret = nft_talk(io, nft_req(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC,
				   NLM_F_DUMP), nft_chain_cb, f);
	if (ret)
		return ret;
	ret = nft_tables_note(b);
	if (ret < 0)
		return ret;
	ret = nft_talk(io, nft_req(buf, NFT_MSG_GETSET, NFPROTO_UNSPEC,
				   NLM_F_DUMP), nft_set_cb, f);
	if (ret)
		return ret;
	ret = nft_fetch_elems(io, f);
	if (ret)
		return ret;
	ret = nft_sets_build(b);
	if (ret < 0)
		return ret;
	ret = nft_fetch_rules(io, f);
	if (ret)
		return ret;
	ret = nft_fetch_genid(io, f, &after);
	if (ret)
		return ret;
	if (before != after)
		return NFT_RETRY;
	ret = nft_sets_finish(b);
	if (ret < 0)
		return ret;
	f->genid = after;
	return 0;
}

static void nft_build_release(struct nft_build *b)
{
	free(b->sets);
	free(b->tables);
	ruleset_free(b->rs);
	memset(b, 0, sizeof(*b));
}

/* Read until a consistent snapshot is built into *out (a new ruleset the
 * caller frees), or fail; what a failed attempt built is thrown away. */
static int nft_fetch(struct nft_io *io, struct ruleset **out,
		     uint32_t *genid, bool *absent)
{
	struct nft_fetch f = { 0 };
	struct nft_build b = { 0 };
	int attempt, ret = 0;

	*absent = false;
	for (attempt = 0; attempt < NFT_DUMP_ATTEMPTS; attempt++) {
		if (attempt) {
			ret = nft_io_reopen(io);
			if (ret < 0)
				break;
		}
		b.rs = ruleset_new();
		if (!b.rs) {
			ret = -ENOMEM;
			break;
		}
		ret = nft_fetch_once(io, &f, &b, absent);
		if (ret != NFT_RETRY)
			break;
		nft_fetch_release(&f);
		nft_build_release(&b);
	}
	if (ret == NFT_RETRY)
		ret = -EAGAIN;
	if (ret == 0 && !*absent) {
		*out = b.rs;
		*genid = f.genid;
		b.rs = NULL;
	}
	nft_build_release(&b);
	nft_fetch_release(&f);
	return ret;
}

static void nft_source_set(struct ruleset *rs, bool present, int error)
{
	struct rs_source_status *s;

	if (rs->nsources >= sizeof(rs->sources) / sizeof(rs->sources[0]))
		return;
	s = &rs->sources[rs->nsources++];
	s->name = "nftables";
	s->present = present;
	s->error = error;
}

static int nft_read(struct ruleset *rs, struct nft_io *io, int ret)
{
	struct ruleset *tmp = NULL;
	bool absent = false;
	uint32_t genid = 0;

	switch (ret) {
	case 0:
		break;
	case -EPROTONOSUPPORT:
	case -EAFNOSUPPORT:
		/* no nfnetlink at all */
		absent = true;
		ret = 0;
		goto done;
	default:
		goto done;
	}
	ret = nft_fetch(io, &tmp, &genid, &absent);
	if (ret < 0 || absent)
		goto done;
	ret = ruleset_append(rs, tmp);
	if (ret < 0)
		goto done;
	rs->nft_genid = genid;
done:
	nft_source_set(rs, (ret == 0 && !absent) || ret == -EAGAIN, ret);
	ruleset_free(tmp);
	nft_io_close(io);
	return ret;
}

int nft_dump_ruleset(struct ruleset *rs)
{
	struct nft_io io;

	return nft_read(rs, &io, nft_io_open_live(&io));
}

int nft_replay_ruleset(struct ruleset *rs, const char *path)
{
	struct nft_io io;

	return nft_read(rs, &io, nft_io_open_replay(&io, path));
}
