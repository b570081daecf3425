/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsaudit.h - containers on macvlan and ipvlan links: packets to their
 * addresses go from the parent link straight into the container's own
 * network namespace, past every hook of the host's netfilter.  Their
 * namespace is read with the same readers (its nftables and x_tables
 * rules, its listeners), walked from the bypassing links, and its rows
 * are added to the host's report under the container's name, on the
 * parent link, with the container's addresses.
 */
#ifndef FWAUDIT_NSAUDIT_H
#define FWAUDIT_NSAUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "docker.h"
#include "engine.h"
#include "report.h"
#include "sandbox.h"
#include "snapshot.h"

struct snapfile_rec;

/* Bound on the bypassing links of one namespace. */
#define NSAUDIT_LINKS_MAX	64

/* One container's namespace: what its rows borrow (pieces, listeners). */
struct nsaudit_ns {
	struct sandbox sb;
	/* not 0: its namespace could not be read (a negative errno, why
	 * says at which step) and snap is empty */
	int error;
	char *why;
	struct snapshot snap;
	struct engine_result *engine;
	struct report *report;		/* its rows moved to the host's */
};

struct nsaudit {
	size_t n;
	struct nsaudit_ns *ns;
};

/*
 * The links of ns->snap.host that bypass host (as nsaudit_walk() takes
 * them), at most max: each link into in[], its parent's name into par[].
 * Their number (0 for a namespace that was not read).
 */
size_t nsaudit_links(const struct nsaudit_ns *ns, const struct host *host,
		     const char *const *ifaces, size_t nifaces,
		     const struct host_link **in, const char **par,
		     size_t max);
/* "macvlan" or "ipvlan": what a person knows a bypassing link by. */
const char *nsaudit_link_kind(const struct host_link *l);

/*
 * The links of ns->snap.host that bypass host: of kind macvlan, macvtap,
 * ipvlan or ipvtap, whose parent (IFLA_LINK) is a link of host (and among
 * ifaces when nifaces is not 0).  Walk the namespace's ruleset from those
 * links, build its rows and move them to the end of rep: interfaces named
 * by the parent links, the container named in each (report_row.inside);
 * the namespace's notes follow rep's, prefixed by the container.  ns
 * keeps what the rows borrow; ns->sb and ns->snap must be filled.
 * Returns the number of bypassing links (0: nothing was added), -ENOMEM,
 * or the engine's error.
 */
int nsaudit_walk(struct nsaudit_ns *ns, const struct host *host,
		 const char *const *ifaces, size_t nifaces,
		 const struct docker_map *dm, struct report *rep);

/*
 * The containers' namespaces, read but not walked: live, those of every
 * runtime's running containers on a macvlan or ipvlan network
 * (runtimes_sandboxes(): Docker, rootful Podman, LXD, Incus), entered and
 * read in their order (one that could not be entered or read is an entry
 * with its error; one sharing this process's namespace is left out);
 * else snap's (a snapshot file's snap->netns, which move to *out).  0 and
 * *out (NULL when there is none; free with nsaudit_free()), -ENOMEM, -EIO
 * (as nsaudit_run()).  rep (may be NULL) gets the note that this
 * process's own namespace could not be opened.
 */
int nsaudit_load(struct snapshot *snap, bool live, struct report *rep,
		 struct nsaudit **out);

/*
 * For every running container on a macvlan or ipvlan network
 * (nsaudit_load(): Docker, rootful Podman, LXD, Incus), enter its
 * namespace (the sandbox key, else /proc/PID/ns/net), read it and
 * nsaudit_walk() it.  A namespace that
 * cannot be entered or read is a note of rep, never silence.  With rec
 * (a recording under way, snapfile.h: fwauditd's kept snapshot), each is
 * read by snapfile_netns_add() and recorded into rec's "container_netns"
 * as `fwaudit snapshot` records it, a failed one with its note
 * (snapfile_netns_failed()); NULL records nothing.  Returns 0
 * and *out (NULL when no container qualifies; free with nsaudit_free()),
 * or a negative errno (-ENOMEM; -EIO when this process could not return
 * to its own namespace, which it must not go on in).
 */
int nsaudit_run(const struct host *host, const char *const *ifaces,
		size_t nifaces, const struct docker_map *dm,
		struct report *rep, struct snapfile_rec *rec,
		struct nsaudit **out);
/*
 * For a snapshot file (snapfile.h): the containers nsaudit_run() would
 * audit, in its order.  In the namespace of each, inside(sb, data) runs
 * (0 or a negative errno); where the namespace cannot be entered or
 * inside() fails, failed(sb, err, why, data) runs back home with the words
 * nsaudit_run() would note.  A container sharing this namespace is
 * skipped.  0 (no runtime: nothing runs), -ENOMEM, -EIO (as nsaudit_run()),
 * or failed()'s negative return.
 */
int nsaudit_each(int (*inside)(const struct sandbox *sb, void *data),
		 int (*failed)(const struct sandbox *sb, int err,
			       const char *why, void *data),
		 void *data);

/*
 * nsaudit_run() of a snapshot file: its container namespaces (snap->netns,
 * which move to *out: nsaudit_load()) walked as they were read then, and a note for each
 * that could not be read, in the order of the live audit.
 */
int nsaudit_replay(struct snapshot *snap, const char *const *ifaces,
		   size_t nifaces, const struct docker_map *dm,
		   struct report *rep, struct nsaudit **out);
/* Frees what the rows borrowed: after the report; accepts NULL. */
void nsaudit_free(struct nsaudit *a);

#endif
