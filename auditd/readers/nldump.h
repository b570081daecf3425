/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nldump.h - a netlink dump conversation that can be recorded and replayed.
 *
 * A recording is the conversation itself: each request message followed by
 * the kernel's answer, raw, up to and including its NLMSG_DONE or
 * NLMSG_ERROR, one after the other.  Requests carry NLM_F_REQUEST and the
 * kernel's messages never do, so a replay knows which request each answer
 * belongs to without any framing of its own (iproute2's ss reads
 * TCPDIAG_FILE the same way, minus the requests).
 */
#ifndef FWAUDIT_NLDUMP_H
#define FWAUDIT_NLDUMP_H

#include <stdio.h>
#include <stdint.h>
#include <linux/netlink.h>

struct mnl_socket;

#define NLD_REPLAY_MAX	(256u << 20)	/* bytes of a recording */
#define NLD_INTR_RETRIES 8		/* attempts of an interrupted read */

struct nld_handler {
	/* One data message of the answer to req.  0 to go on, or a
	 * negative errno that ends the dump. */
	int (*msg)(const struct nlmsghdr *req, const struct nlmsghdr *nlh,
		   void *data);
	/* End of the answer to req: err is 0, or the kernel's negative errno
	 * (NLMSG_ERROR, or the error a NLMSG_DONE carries).  Return 0 to
	 * accept (e.g. -ENOENT for an absent module) or a negative errno. */
	int (*done)(const struct nlmsghdr *req, int err, void *data);
	void *data;
};

/* Send req on nl and read its whole answer through h; when rec is not NULL,
 * append req and the answer to it.  Returns 0, -EINTR when the kernel
 * flagged the dump NLM_F_DUMP_INTR (the caller restarts its whole read), or
 * a negative errno.  A message that does not fit the receive buffer fails
 * with -ENOSPC, never truncated. */
int nld_dump(struct mnl_socket *nl, struct nlmsghdr *req,
	     const struct nld_handler *h, FILE *rec);

/* Feed a recording at path through h, request by request.  Returns 0, or a
 * negative errno: -EINTR for a recorded interrupted dump, -EBADMSG for a
 * malformed file, -EFBIG beyond NLD_REPLAY_MAX. */
int nld_replay(const char *path, const struct nld_handler *h);
/* The same from a recording in memory (buf, len bytes: not changed). */
int nld_replay_buf(const void *buf, size_t len, const struct nld_handler *h);

/* Open the recording named by the environment variable env, if set:
 * *rec is the open file (truncated), or NULL when env is unset.  0 or a
 * negative errno. */
int nld_record_open(const char *env, FILE **rec);

/*
 * Check that buf (len bytes, as received or read from a recording) holds
 * whole netlink messages: each nlmsg_len at least a header and no more than
 * the bytes left.  Call it before libmnl walks a buffer: libmnl 1.0.4's
 * mnl_nlmsg_ok() compares nlmsg_len as a signed int, so a length of 2^31 or
 * more passes and moves the walk gigabytes ahead, and 0xfffffffd..0xffffffff
 * align to 0 and never move it.  Returns 0 or -EBADMSG.
 */
int nld_check_buf(const void *buf, size_t len);

/*
 * The negative errno for the error code a netlink message carries
 * (nlmsgerr.error, the payload of NLMSG_DONE, or errno as libmnl set it
 * from them; either sign).  0 stays 0.  A code no kernel sends (beyond
 * MAX_ERRNO, and INT_MIN, which has no negation) is -EPROTO.
 */
int nld_errno(int code);

#endif
