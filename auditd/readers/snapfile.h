/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapfile.h - a snapshot in a file (doc/snapshot.md): everything one audit
 * reads, as the readers read it, so that reading the file back through the
 * same readers (their replay seams) gives the same struct snapshot and so
 * the same output as the live command at that moment.
 *
 * A snapshot file is outside input: every size and count is bounded, every
 * field checked before use, and the recorded netlink conversations go
 * through the readers' own validation (nld_check_buf, nft.c's record
 * checks) as a live answer does.
 *
 * Error idiom: 0 or a negative errno; on failure err holds one line that
 * names the file and the field (or byte offset) that is wrong; nothing is
 * allocated then.  Library code: never prints.
 */
#ifndef FWAUDIT_SNAPFILE_H
#define FWAUDIT_SNAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sandbox.h"
#include "snapshot.h"

#define SNAPFILE_FORMAT		"fwaudit-snapshot"
/* 3: the nftables recording may hold the ct helper object dump
 * (NFT_MSG_GETOBJ), which a version 2 reader's replay refuses with no
 * better word than "does not replay"; the version tells it first.  Files
 * of versions 1 and 2 are read (their recordings replay as no objects). */
#define SNAPFILE_VERSION	3
/* Bytes of a snapshot file: four base64 recordings of at most
 * NLD_REPLAY_MAX each would not fit, but no host comes near. */
#define SNAPFILE_MAX		(768u << 20)
#define SNAPFILE_COMM_MAX	64		/* bytes of a process name */
#define SNAPFILE_NAME_MAX	256		/* container name, image, host */
#define SNAPFILE_CONTAINERS_MAX	65536
#define SNAPFILE_SAVE_MAX	(64u << 20)	/* an iptables-legacy-save */

/* The recordings of one live read, while it is taken. */
#define SNAPFILE_NRECS		7	/* its recording variables */
struct snapfile_rec {
	int nft_fd, rtnl_fd, diag_fd;	/* memfds the readers record to */
	int ipvs_fd;			/* ipvs.c's (empty without IPVS) */
	int swarm_fd;			/* swarm.c's sandbox IPVS */
	int ebt_fd;			/* ebtleg.c's (empty without tables) */
	int ipset_fd;			/* ipset.c's (empty without sets) */
	/* "container_netns": the containers' own namespaces, recorded by
	 * snapfile_netns_add() (NULL: none) */
	json_t *netns;
	uint64_t taken_usec;		/* CLOCK_REALTIME at the start */
};

/*
 * Start recording: point FWAUDIT_NFT_RECORD, FWAUDIT_RTNL_RECORD and
 * FWAUDIT_DIAG_RECORD (and FWAUDIT_IPVS_RECORD) at fresh in-memory files, so that the next
 * snapshot_read() records what it reads.  0 or a negative errno.
 */
int snapfile_record_begin(struct snapfile_rec *rec);

/*
 * Stop recording (the environment variables are unset) and build the
 * snapshot document from the recordings and snap (the read they recorded:
 * owners, sysctls), adding what has no netlink seam: the legacy x_tables as
 * iptables-legacy-save prints them (only when the read found them), the
 * Docker container names, the time and host name.  *out is a new JSON
 * object the caller json_decref()s.  Closes rec's files whatever happens.
 */
int snapfile_record_end(struct snapfile_rec *rec, const struct snapshot *snap,
			json_t **out, char *err, size_t errlen);

/*
 * Leave the recordings under way (fwauditd records while it audits) alone
 * while another namespace is read: saved[] takes the variables' values,
 * which are unset; resume sets them again and frees saved[].  0 or a
 * negative errno.
 */
int snapfile_record_pause(char *saved[SNAPFILE_NRECS]);
int snapfile_record_resume(char *saved[SNAPFILE_NRECS]);

/* Stop recording without a document: unset the variables, close the
 * files.  Accepts a rec whose begin failed. */
void snapfile_record_abort(struct snapfile_rec *rec);

/*
 * Write doc to path ("-" or NULL: standard output) as `fwaudit snapshot`
 * does: mode 0600 (it names processes and addresses), through a temporary
 * file in the same directory renamed over path, so that an existing file
 * is replaced atomically and a reader never sees half a file.  0 or a
 * negative errno.
 */
int snapfile_write(const json_t *doc, const char *path);

/*
 * snapfile_record_end() and snapfile_write() in one, without the document
 * in memory: the recordings and texts are base64-encoded from their files
 * and buffers straight into the output (the bytes written are those of
 * snapfile_write() of snapfile_record_end()'s document).  For `fwaudit
 * snapshot` without --redact, which maps the document in place.  Closes
 * rec's files whatever happens; 0 or a negative errno with err set.
 */
int snapfile_record_write(struct snapfile_rec *rec,
			  const struct snapshot *snap, const char *path,
			  char *err, size_t errlen);

/*
 * In the network namespace of the container sb (nsaudit_each(), or
 * nsaudit_run() while fwauditd records), between snapfile_record_begin()
 * of rec and its end: read that namespace as nsaudit_run() does, recording
 * it with recordings of its own (rec's, under way, are paused meanwhile:
 * they stay the host's), and append it to rec's "container_netns"
 * (doc/snapshot.md).  The snapshot read moves to *out when out is not
 * NULL (the audit of it then is the audit of what was recorded).  0 or a
 * negative errno (err set when the legacy tables could not be saved;
 * *out untouched).
 */
int snapfile_netns_add(struct snapfile_rec *rec, const struct sandbox *sb,
		       struct snapshot *out, char *err, size_t errlen);
/* A container whose namespace could not be read (error a negative errno,
 * why as nsaudit_run()'s note says it): an entry that replays as that
 * note.  0 or -ENOMEM. */
int snapfile_netns_failed(struct snapfile_rec *rec, const struct sandbox *sb,
			  int error, const char *why);

/* What snapfile_parse() rebuilds. */
enum {
	SNAPFILE_RULESET	= 1 << 0,	/* snap->rs: nftables + legacy */
	SNAPFILE_HOST		= 1 << 1,	/* snap->host, docker, time */
	/* check the legacy x_tables text but load nothing: loading needs a
	 * private network namespace (rsfile_load), which a fuzzer or a unit
	 * test cannot make at every input; snap->rs has no legacy source */
	SNAPFILE_NO_LEGACY	= 1 << 2,
	/* parse the JSON with json_loadb() whole, not with the walk that
	 * leaves the big base64 strings in the text (snapfile.c, scan_doc):
	 * for the fuzzer and the unit test, which require the same result
	 * and message both ways */
	SNAPFILE_WHOLE		= 1 << 3,
};

/*
 * Rebuild a snapshot from the file text buf[0..len) (name is for messages)
 * through the readers' replay seams.  With SNAPFILE_RULESET and without
 * SNAPFILE_NO_LEGACY this process moves into a private network namespace
 * (rsfile_load) where the legacy tables are loaded and read back: call it
 * before opening any netlink socket.  0 and *snap (snapshot_release()), or
 * a negative errno: -EBADMSG for a malformed file, -EPROTONOSUPPORT for a
 * format version this fwaudit does not read, -EFBIG beyond the bounds.
 */
int snapfile_parse(const char *buf, size_t len, const char *name,
		   unsigned int flags, struct snapshot *snap, char *err,
		   size_t errlen);

/* Do the first len bytes of a file look like a snapshot: a JSON object
 * whose first member is "format": "fwaudit-snapshot", as written?  For
 * telling it from a saved audit (`fwaudit diff`); the parse decides. */
bool snapfile_is_snapshot(const char *buf, size_t len);

/* For the fuzzer: does snapfile_parse()'s walk of buf, which leaves the
 * big base64 strings in the text (snapfile.c, scan_doc), build the tree
 * json_loadb() builds (or give up, leaving it to json_loadb)? */
bool snapfile_scan_agrees(const char *buf, size_t len);

/* snapfile_parse() of the file at path ("-": standard input). */
int snapfile_load(const char *path, unsigned int flags, struct snapshot *snap,
		  char *err, size_t errlen);

#endif
