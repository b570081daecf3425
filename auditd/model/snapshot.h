/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapshot.h - everything the engine reads, taken at one moment: the
 * ruleset of every source and the host facts.
 */
#ifndef FWAUDIT_SNAPSHOT_H
#define FWAUDIT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "docker.h"
#include "host.h"
#include "ruleset.h"

/* The ruleset as the host's own tools printed it, in the files `fwaudit
 * fix`'s proof loads (prove.h): what a snapshot file of format version 2 and later
 * keeps so that fix can prove a plan without the host. */
enum snapshot_text {
	SNAPSHOT_TEXT_NFT,	/* `nft list table` of each native table */
	SNAPSHOT_TEXT_IP4,	/* iptables-nft-save */
	SNAPSHOT_TEXT_IP6,	/* ip6tables-nft-save */
	SNAPSHOT_TEXT_LG4,	/* iptables-legacy-save */
	SNAPSHOT_TEXT_LG6,	/* ip6tables-legacy-save */
	SNAPSHOT_TEXT_EBT,	/* ebtables-nft-save (its nft bridge tables) */
	SNAPSHOT_TEXT_EBL,	/* ebtables-legacy-save */
	SNAPSHOT_TEXT_N,
};

struct snapshot {
	struct ruleset *rs;
	struct host *host;	/* NULL when auditing a ruleset file */
	/* Set only by a snapshot read from a file (snapfile.h): when it was
	 * taken (CLOCK_REALTIME, microseconds), and the container names
	 * Docker gave then, which the audit uses instead of asking Docker
	 * now.  0 / false for a live read. */
	uint64_t taken_usec;
	bool have_docker;
	struct docker_map docker;
	int docker_error;
	/* Set only by a snapshot read from a file: text[k] (text_len[k]
	 * bytes, NUL-terminated) is what the tool of k printed when it was
	 * taken, or NULL when the file does not hold it (version 1, or no
	 * such tables). */
	bool have_text;
	char *text[SNAPSHOT_TEXT_N];
	size_t text_len[SNAPSHOT_TEXT_N];
	/* Set only by a snapshot read from a file: the own namespaces of the
	 * macvlan and ipvlan containers as nsaudit.h read them then, in the
	 * order it read them (nnetns entries). */
	struct snapshot_netns *netns;
	size_t nnetns;
};

/* One container namespace of a snapshot file (snapfile.h). */
struct snapshot_netns {
	char *name, *image;	/* the container, as sandbox.h names it */
	uint8_t runtime;	/* enum docker_runtime */
	char driver[16];	/* "macvlan" or "ipvlan" */
	char *project;		/* LXD/Incus project but "default", or NULL */
	/* not 0: its namespace could not be read then (a negative errno,
	 * why says at which step) and snap is empty */
	int error;
	char *why;
	struct snapshot snap;	/* its ruleset and host facts */
};

/* Which part of a snapshot failed, for the caller's message. */
enum snapshot_stage {
	SNAPSHOT_NFT,
	SNAPSHOT_LEGACY,
	SNAPSHOT_HOST,
	SNAPSHOT_ANALYSIS,	/* not a read: the walk or the judgement */
};

/*
 * Read the nftables ruleset, the legacy x_tables and (with host true) the
 * host facts of the caller's network namespace.  On failure returns the
 * negative errno and, when stage is not NULL, which part failed; nothing is
 * allocated then.  -EPERM means CAP_NET_ADMIN is missing.
 */
int snapshot_read(struct snapshot *snap, bool host, enum snapshot_stage *stage);
/*
 * The same, with the nftables part from fwauditd's incremental reader
 * (nft_cache.h) and the legacy part from legacy_cache_read() (legacy.h;
 * NULL: read it whole, as snapshot_read()).  -EAGAIN from
 * the cache means "call again once its events are heard".
 */
struct nft_cache;
struct legacy_cache;
int snapshot_read_with(struct snapshot *snap, bool host,
		       struct nft_cache *cache, struct legacy_cache *lcache,
		       enum snapshot_stage *stage);
/* Frees what snap holds (rs, host, docker) and zeroes it; accepts NULL. */
void snapshot_release(struct snapshot *snap);
const char *snapshot_stage_name(enum snapshot_stage stage);

#endif
