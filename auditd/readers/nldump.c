// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nldump.c - netlink dump conversations: live, recorded, replayed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "nldump.h"
#include "readfile.h"

/* Large enough for the biggest single message a dump skb can carry (a link
 * with many VFs); mnl_socket_recvfrom() reports -ENOSPC rather than
 * truncating if the kernel ever sends more. */
#define NLD_RECV_SIZE	(256u << 10)

/* The largest errno the kernel reports (MAX_ERRNO in linux/err.h). */
#define NLD_MAX_ERRNO	4095

struct nld_walk {
	const struct nld_handler *h;
	const struct nlmsghdr *req;	/* request being answered */
	uint32_t seq, portid;		/* 0 in a replay: not checked */
	bool replay;
	bool done;			/* the answer to req is complete */
	bool intr;			/* NLM_F_DUMP_INTR seen */
	int err;			/* first error from a callback */
};

static int nld_end(struct nld_walk *w, int kerr)
{
	int ret = w->h->done ? w->h->done(w->req, kerr, w->h->data) : kerr;

	w->done = true;
	if (ret < 0 && !w->err)
		w->err = ret;
	return 0;
}

int nld_check_buf(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh;
	size_t off = 0;
	uint32_t n;

	while (len - off >= sizeof(*nlh)) {
		nlh = (const struct nlmsghdr *)((const char *)buf + off);
		n = nlh->nlmsg_len;
		if (n < sizeof(*nlh) || n > len - off)
			return -EBADMSG;
		/* the last message may end unpadded */
		if (NLMSG_ALIGN(n) >= len - off)
			return 0;
		off += NLMSG_ALIGN(n);
	}
	return off == len ? 0 : -EBADMSG;
}

int nld_errno(int code)
{
	long long v = code;

	if (v < 0)
		v = -v;
	if (v > NLD_MAX_ERRNO)
		return -EPROTO;
	return -(int)v;
}

/* Walk whole messages in buf.  Returns 0 or -EBADMSG. */
static int nld_walk_buf(struct nld_walk *w, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len;

	if (len > (size_t)INT32_MAX)
		return -EFBIG;
	if (nld_check_buf(buf, len) < 0)
		return -EBADMSG;
	while (rem > 0) {
		if (!mnl_nlmsg_ok(nlh, rem))
			return -EBADMSG;
		if (w->replay && (nlh->nlmsg_flags & NLM_F_REQUEST)) {
			if (w->req && !w->done)
				return -EBADMSG;
			w->req = nlh;
			w->done = false;
			goto next;
		}
		if (!w->req || w->done)
			return -EBADMSG;
		if (!mnl_nlmsg_seq_ok(nlh, w->seq) ||
		    !mnl_nlmsg_portid_ok(nlh, w->portid))
			return -EBADMSG;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			w->intr = true;

		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_ERROR: {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
				return -EBADMSG;
			nld_end(w, nld_errno(e->error));
			break;
		}
		case NLMSG_DONE: {
			int kerr = 0;

			/* Since Linux 4.x a dump that failed midway says so in
			 * the payload of its NLMSG_DONE. */
			if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
				memcpy(&kerr, mnl_nlmsg_get_payload(nlh),
				       sizeof(kerr));
			nld_end(w, nld_errno(kerr));
			break;
		}
		case NLMSG_OVERRUN:
			return -EBADMSG;
		default:
			if (w->intr || w->err)
				break;	/* the answer is discarded anyway */
			w->err = w->h->msg(w->req, nlh, w->h->data);
			if (w->err > 0)
				w->err = 0;
			break;
		}
next:
		nlh = mnl_nlmsg_next(nlh, &rem);
	}
	return 0;
}

static int nld_result(const struct nld_walk *w)
{
	if (w->intr)
		return -EINTR;
	return w->err;
}

int nld_dump(struct mnl_socket *nl, struct nlmsghdr *req,
	     const struct nld_handler *h, FILE *rec)
{
	static uint32_t seq_counter;
	struct nld_walk w = { .h = h, .req = req };
	char *buf;
	int ret;

	buf = malloc(NLD_RECV_SIZE);
	if (!buf)
		return -ENOMEM;

	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	if (++seq_counter == 0)
		seq_counter = 1;	/* 0 would disable the check */
	req->nlmsg_seq = w.seq = seq_counter;
	w.portid = mnl_socket_get_portid(nl);

	if (rec && fwrite(req, req->nlmsg_len, 1, rec) != 1) {
		ret = -EIO;
		goto out;
	}
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	while (!w.done) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, NLD_RECV_SIZE);

		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0) {
			ret = -EBADMSG;
			goto out;
		}
		if (rec && fwrite(buf, (size_t)n, 1, rec) != 1) {
			ret = -EIO;
			goto out;
		}
		ret = nld_walk_buf(&w, buf, (size_t)n);
		if (ret < 0)
			goto out;
	}
	if (rec && fflush(rec) != 0) {
		ret = -EIO;
		goto out;
	}
	ret = nld_result(&w);
out:
	free(buf);
	return ret;
}

int nld_replay_buf(const void *buf, size_t len, const struct nld_handler *h)
{
	struct nld_walk w = { .h = h, .replay = true };
	int ret;

	if (len > NLD_REPLAY_MAX)
		return -EFBIG;
	ret = nld_walk_buf(&w, buf, len);
	if (ret < 0)
		return ret;
	/* An answer cut short is a partial answer. */
	if (w.req && !w.done)
		return -EBADMSG;
	return nld_result(&w);
}

int nld_replay(const char *path, const struct nld_handler *h)
{
	size_t len = 0;
	char *buf = NULL;
	int ret;

	ret = readfile_path(path, NLD_REPLAY_MAX, &buf, &len);
	if (ret < 0)
		return ret;
	ret = nld_replay_buf(buf, len, h);
	free(buf);
	return ret;
}

int nld_record_open(const char *env, FILE **rec)
{
	/* not from the environment of a set-user-ID caller */
	const char *path = secure_getenv(env);
	FILE *f;

	if (!path || !*path) {
		*rec = NULL;
		return 0;
	}
	f = fopen(path, "we");
	if (!f)
		return -errno;
	*rec = f;
	return 0;
}
