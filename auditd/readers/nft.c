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
 * This file: the dump and its replay recordings, the checks of the
 * kernel's attributes, tables and chains.  The parts (nft_build.h, private
 * to the reader): nft_expr.c decodes rule expressions on a register
 * machine; nft_sets.c decodes sets, maps and their elements.
 */
#include "array.h"
#include "nft_build.h"
#include "util.h"

/* The whole read is retried this many times while the ruleset changes. */
#define NFT_DUMP_ATTEMPTS	10

/* What the kernel can make us allocate.  Far above real rulesets (a large
 * Kubernetes node has a few thousand chains), low enough to stay bounded. */
#define NFT_MAX_TABLES		4096
#define NFT_MAX_CHAINS		65536
#define NFT_MAX_SETS		65536
#define NFT_MAX_RULES		(1u << 20)
#define NFT_MAX_ELEMS		(1u << 21)	/* all sets together */
#define NFT_MAX_OBJS		65536		/* ct helper objects */
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
 * same thing; running out of records is -ENODATA.  A request recordings
 * did not always make (the ct helper object dump, added after recordings
 * and snapshots were saved) is optional: when the next 'Q' asks something
 * else, the replay goes back to where it was and the request counts as
 * answered by nothing, so an old recording replays as before.
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

/* nft_io_send() of a request an older recording may lack: 0 when it was
 * sent (live) or recorded (replay), 1 when the recording goes on with
 * another request or ends (the replay is back where it was), or a
 * negative errno. */
static int nft_io_send_optional(struct nft_io *io, struct nlmsghdr *nlh)
{
	uint32_t seq = io->seq;
	off_t pos;
	int ret;

	if (!io->replay)
		return nft_io_send(io, nlh);
	pos = ftello(io->replay);
	if (pos < 0)
		return -errno;
	ret = nft_io_send(io, nlh);
	if (ret != -EPROTO && ret != -ENODATA)
		return ret;
	/* another request, the recording's end or its next read: not
	 * recorded (a malformed record failed above with its own errno) */
	if (fseeko(io->replay, pos, SEEK_SET) < 0)
		return -errno;
	clearerr(io->replay);
	io->seq = seq;
	return 1;
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

static int nft_ptrs_add(struct nft_ptrs *p, void *obj, size_t max)
{
	int ret;

	ret = array_grow(&p->v, &p->cap, p->n, sizeof(*p->v), max, 16);
	if (ret < 0)
		return ret;
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
	for (i = 0; i < f->objs.n; i++)
		nftnl_obj_free(f->objs.v[i]);
	free(f->tables.v);
	free(f->sets.v);
	free(f->objs.v);
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
/* NFTA_CT_HELPER_*: name, l3proto, l4proto */
static const struct nft_pol nft_pol_cthelper = { .types = "s21" };
static const struct nft_pol nft_pol_obj = {
	.types = "ss4n48-b",
	.sub = { [NFTA_OBJ_DATA] = &nft_pol_cthelper },
};

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
	for (i = 0; i < ARRAY_SIZE(nft_pol_exprs); i++) {
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

/* nft_dump_table(): whether an object of family/table is not the one
 * table read (a kernel may ignore the dump's table filter). */
static bool nft_other_table(const struct nft_fetch *f, uint8_t family,
			    const char *table)
{
	return f->only_table && (family != f->only_family ||
				 strcmp(table, f->only_table));
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
	      nft_other_table(f, (uint8_t)nftnl_set_get_u32(s,
			      NFTNL_SET_FAMILY),
			      nftnl_set_get_str(s, NFTNL_SET_TABLE)) ? 1 :
	      nft_ptrs_add(&f->sets, s, NFT_MAX_SETS);
	if (ret != 0)
		nftnl_set_free(s);
	if (ret < 0)
		return nft_cb_fail(f, ret);
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
static int nft_talk_answer(struct nft_io *io, struct nlmsghdr *nlh,
			   mnl_cb_t cb, struct nft_fetch *f);

/* The type an object message names, or 0 (no object type is 0). */
static uint32_t nft_obj_type(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFTA_OBJ_TYPE &&
		    mnl_attr_get_payload_len(a) == sizeof(uint32_t))
			return ntohl(mnl_attr_get_u32(a));
	return 0;
}

/* One ct helper object.  Other types (a kernel that ignores the dump's type
 * filter, a replay file) are passed over before libnftnl parses their
 * data, whose policy differs per type. */
static int nft_obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nft_fetch *f = data;
	struct nftnl_obj *o;
	int ret;

	if (nft_cb_check(nlh, f) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN +
			     MNL_ALIGN(sizeof(struct nfgenmsg)))
		return nft_cb_fail(f, -EPROTO);
	if (nft_obj_type(nlh) != NFT_OBJECT_CT_HELPER)
		return MNL_CB_OK;
	if (nft_msg_check(nlh, &nft_pol_obj) < 0)
		return nft_cb_fail(f, -EPROTO);
	o = nftnl_obj_alloc();
	if (!o)
		return nft_cb_fail(f, -ENOMEM);
	ret = nftnl_obj_nlmsg_parse(nlh, o) < 0 ||
	      !nftnl_obj_is_set(o, NFTNL_OBJ_TABLE) ||
	      !nftnl_obj_is_set(o, NFTNL_OBJ_NAME) ? -EPROTO :
	      nft_ptrs_add(&f->objs, o, NFT_MAX_OBJS);
	if (ret < 0) {
		nftnl_obj_free(o);
		return nft_cb_fail(f, ret);
	}
	return MNL_CB_OK;
}

struct nftnl_obj *nft_cthelper_find(const struct nft_fetch *f,
					  uint8_t family, const char *table,
					  const char *name)
{
	size_t i;

	for (i = 0; f && name && i < f->objs.n; i++) {
		struct nftnl_obj *o = f->objs.v[i];

		if ((uint8_t)nftnl_obj_get_u32(o, NFTNL_OBJ_FAMILY) == family &&
		    !strcmp(nftnl_obj_get_str(o, NFTNL_OBJ_TABLE), table) &&
		    !strcmp(nftnl_obj_get_str(o, NFTNL_OBJ_NAME), name))
			return o;
	}
	return NULL;
}

static int nft_talk(struct nft_io *io, struct nlmsghdr *nlh, mnl_cb_t cb,
		    struct nft_fetch *f)
{
	int ret = nft_io_send(io, nlh);

	return ret < 0 ? ret : nft_talk_answer(io, nlh, cb, f);
}

/* The answer to nlh, sent. */
static int nft_talk_answer(struct nft_io *io, struct nlmsghdr *nlh,
			   mnl_cb_t cb, struct nft_fetch *f)
{
	uint32_t seq, portid;
	int n, ret;

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

/* A chain or set dump: of every table, or of nft_dump_table()'s one (the
 * kernel filters by family and NFTA_{CHAIN,SET}_TABLE). */
static struct nlmsghdr *nft_req_table(char *buf, uint16_t cmd,
				      const struct nft_fetch *f)
{
	struct nlmsghdr *nlh;

	if (!f->only_table)
		return nft_req(buf, cmd, NFPROTO_UNSPEC, NLM_F_DUMP);
	nlh = nft_req(buf, cmd, f->only_family, NLM_F_DUMP);
	mnl_attr_put_strz(nlh, cmd == NFT_MSG_GETCHAIN ? NFTA_CHAIN_TABLE :
			  NFTA_SET_TABLE, f->only_table);
	return nlh;
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
/* The ct helper objects, for the rules that name them: of every table, or
 * of nft_dump_table()'s one.  A recording made before this dump was
 * replays as no objects.  Returns 0, NFT_RETRY, or a negative errno. */
static int nft_fetch_objs(struct nft_io *io, struct nft_fetch *f)
{
	char buf[NFT_REQSIZ];
	struct nftnl_obj *q;
	struct nlmsghdr *nlh;
	int ret;

	q = nftnl_obj_alloc();
	if (!q)
		return -ENOMEM;
	nftnl_obj_set_u32(q, NFTNL_OBJ_TYPE, NFT_OBJECT_CT_HELPER);
	if (f->only_table)
		nftnl_obj_set_str(q, NFTNL_OBJ_TABLE, f->only_table);
	nlh = nft_req(buf, NFT_MSG_GETOBJ, f->only_table ? f->only_family :
		      NFPROTO_UNSPEC, NLM_F_DUMP);
	nftnl_obj_nlmsg_build_payload(nlh, q);
	nftnl_obj_free(q);
	ret = nft_io_send_optional(io, nlh);
	if (ret == 1)
		return 0;
	if (ret == 0)
		ret = nft_talk_answer(io, nlh, nft_obj_cb, f);
	switch (ret) {
	case -ENOENT:
		/* the table went away since it was listed */
		return NFT_RETRY;
	case -EOPNOTSUPP:
	case -EINVAL:
		/* a kernel without objects (before 4.10: nfnetlink answers
		 * EINVAL for a message type it does not know) */
		return 0;
	default:
		return ret;
	}
}

static int nft_tables_build(struct nft_build *b)
{
	size_t i;

	b->tables = calloc(b->f->tables.n + 1, sizeof(*b->tables));
	if (!b->tables)
		return -ENOMEM;
	for (i = 0; i < b->f->tables.n; i++) {
		struct nftnl_table *t = b->f->tables.v[i];
		struct nft_tablex *x;

		if (nft_other_table(b->f, (uint8_t)nftnl_table_get_u32(t,
				    NFTNL_TABLE_FAMILY),
				    nftnl_table_get_str(t, NFTNL_TABLE_NAME)))
			continue;
		x = &b->tables[b->ntables++];

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
	      nft_other_table(f, (uint8_t)nftnl_chain_get_u32(c,
			      NFTNL_CHAIN_FAMILY),
			      nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE)) ? 0 :
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
	if (ret == 0)
		ruleset_link_jumps(rs);
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
	ret = nft_talk(io, nft_req_table(buf, NFT_MSG_GETCHAIN, f),
		       nft_chain_cb, f);
	if (ret)
		return ret;
	ret = nft_tables_note(b);
	if (ret < 0)
		return ret;
	ret = nft_talk(io, nft_req_table(buf, NFT_MSG_GETSET, f), nft_set_cb,
		       f);
	if (ret)
		return ret;
	ret = nft_fetch_elems(io, f);
	if (ret)
		return ret;
	ret = nft_sets_build(b);
	if (ret < 0)
		return ret;
	ret = nft_fetch_objs(io, f);
	if (ret)
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
		     uint32_t *genid, bool *absent, uint8_t only_family,
		     const char *only_table)
{
	struct nft_fetch f = { .only_family = only_family,
			       .only_table = only_table };
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
		f.only_family = only_family;
		f.only_table = only_table;
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

	if (rs->nsources >= ARRAY_SIZE(rs->sources))
		return;
	s = &rs->sources[rs->nsources++];
	s->name = "nftables";
	s->present = present;
	s->error = error;
}

static int nft_read(struct ruleset *rs, struct nft_io *io, int ret,
		    uint8_t only_family, const char *only_table)
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
	ret = nft_fetch(io, &tmp, &genid, &absent, only_family, only_table);
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

	return nft_read(rs, &io, nft_io_open_live(&io), 0, NULL);
}

int nft_dump_table(struct ruleset *rs, uint8_t family, const char *table)
{
	struct nft_io io;

	return nft_read(rs, &io, nft_io_open_live(&io), family, table);
}

int nft_list_tables(struct nft_table_id **out, size_t *n, uint32_t *genid)
{
	struct nft_fetch f = { 0 };
	struct nft_table_id *v = NULL;
	char buf[NFT_REQSIZ];
	uint32_t before = 0, after = 0;
	struct nft_io io;
	int attempt, ret;
	size_t i;

	ret = nft_io_open_live(&io);
	for (attempt = 0; ret == 0 && attempt < NFT_DUMP_ATTEMPTS; attempt++) {
		nft_fetch_release(&f);
		ret = nft_fetch_genid(&io, &f, &before);
		if (ret == 0)
			ret = nft_talk(&io, nft_req(buf, NFT_MSG_GETTABLE,
						    NFPROTO_UNSPEC, NLM_F_DUMP),
				       nft_table_cb, &f);
		if (ret == 0)
			ret = nft_fetch_genid(&io, &f, &after);
		if (ret == 0 && before == after)
			break;
		if (ret == 0 || ret == NFT_RETRY)
			ret = nft_io_reopen(&io);
	}
	if (ret == 0 && before != after)
		ret = -EAGAIN;
	if (ret == 0) {
		v = calloc(f.tables.n + 1, sizeof(*v));
		if (!v)
			ret = -ENOMEM;
	}
	for (i = 0; ret == 0 && i < f.tables.n; i++) {
		const char *name = nftnl_table_get_str(f.tables.v[i],
						       NFTNL_TABLE_NAME);

		v[i].family = (uint8_t)nftnl_table_get_u32(f.tables.v[i],
							   NFTNL_TABLE_FAMILY);
		if (snprintf(v[i].name, sizeof(v[i].name), "%s", name) >=
		    (int)sizeof(v[i].name))
			ret = -EPROTO;
	}
	if (ret == 0) {
		*out = v;
		*n = f.tables.n;
		*genid = after;
		v = NULL;
	}
	free(v);
	nft_fetch_release(&f);
	nft_io_close(&io);
	return ret == NFT_RETRY ? -EAGAIN : ret;
}

int nft_replay_ruleset(struct ruleset *rs, const char *path)
{
	struct nft_io io;

	return nft_read(rs, &io, nft_io_open_replay(&io, path), 0, NULL);
}
