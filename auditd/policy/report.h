/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report.h - the engine's pieces merged for people, and printed.
 *
 * report_build() turns the partition of the probe space into rows an
 * operator reads in five seconds: pieces with the same outcome are joined,
 * adjacent ports become ranges, source addresses become a minimal list of
 * prefixes, and listening sockets no probe reaches are listed as filtered.
 * Text and JSON are both printed from those rows.
 */
#ifndef FWAUDIT_REPORT_H
#define FWAUDIT_REPORT_H

#include <stdio.h>

#include "docker.h"
#include "engine.h"
#include "host.h"
#include "jsonw.h"
#include "srcview.h"
#include "strbuf.h"

struct report_row {
	uint8_t family;			/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	uint8_t proto;
	uint16_t port_lo, port_hi;	/* as the probes arrive */
	char *address;			/* "198.51.100.1" or "*" */
	size_t nsources;
	char **sources;			/* CIDR prefixes */
	size_t nsports;			/* 0: from any source port */
	struct rs_interval *sports;
	size_t nifaces;
	char **ifaces;			/* names; "eth*" wildcards; "*" any;
					 * "!eth0" any other than eth0 */
	enum engine_fate path;		/* LOCAL or FORWARDED */
	/* FORWARDED to a container network's addresses (the row's
	 * address) by direct routing, not DNAT: the backend is the
	 * container's address where one is known (JSON "route": "direct") */
	bool direct;
	enum engine_state state;
	bool possible;
	bool has_backend;		/* DNAT / REDIRECT target */
	char *backend_addr;
	uint16_t backend_port_lo, backend_port_hi;
	char *container;		/* the backend's container, or NULL */
	char *image;
	const char *runtime;		/* "docker", "podman", "lxd", ... */
	/* the backend is this IPVS real server (JSON backend "via":
	 * "ipvs"), else NULL */
	const struct host_ipvs_dest *ipvs;
	bool ipvs_sandbox;		/* that IPVS is Swarm's ingress
					 * sandbox's ("sandbox": "ingress_sbox") */
	const struct host_listener *listener;
	/* the container whose published port the listener holds for it
	 * (conmon, docker-proxy, rootlessport, lxd forkproxy), or NULL */
	const struct docker_port *held;
	size_t nunknown;
	char **unknown;			/* the matches that made it possible */
	const struct engine_piece *piece;	/* one piece, for its trace */
};

struct report_filtered {
	const struct host_listener *listener;
	const char *reason;		/* static text */
	/* the row whose DNAT takes the probes for this listener's port
	 * (docker-proxy behind a published port), or NULL */
	const struct report_row *dnat;
};

struct report {
	size_t nrows;
	struct report_row *rows;
	size_t nfiltered;
	struct report_filtered *filtered;
	bool symbolic;
	char **notes;			/* the engine result's, then added */
	size_t nnotes;
	const struct docker_map *dm;	/* borrowed, may be NULL */
	char **added;			/* owned: report_add_note()'s */
	size_t nadded;
	bool notes_owned;		/* notes is our own array */
};

/* Build the rows from res (and host, NULL when symbolic); dm (may be NULL)
 * names DNAT backends by container.  The report borrows res and host: free
 * it before them.  0 or -ENOMEM. */
int report_build(const struct engine_result *res, const struct host *host,
		 const struct docker_map *dm, struct report **out);
void report_free(struct report *rep);
/* Add a note of the audit's own after the engine's (a runtime that did
 * not answer).  0 or -ENOMEM. */
int report_add_note(struct report *rep, const char *note);
/* The container whose port l holds for it, from rep's map, or NULL. */
const struct docker_port *report_held(const struct report *rep,
				      const struct host_listener *l);

/* "tcp", "udp", "sctp" */
const char *report_proto_name(uint8_t proto);

/* The members "exposures", "filtered" and "notes" of `fwaudit audit
 * --format json`, written into the object w is in.  row_end (may be NULL)
 * adds members at the end of exposure object number row. */
typedef void (*report_row_cb)(const void *ctx, struct jsonw *w, size_t row);
void report_json(const struct report *rep, struct jsonw *w,
		 report_row_cb row_end, const void *ctx);
/* The table for people: exposed first, then open, then filtered; sources
 * named by the zones of sv (NULL: prefixes only). */
int report_text(const struct report *rep, const struct srcview *sv,
		FILE *f);
/* Append the sources of a row for people (see srcview_text()); the
 * prefixes as they are when they do not parse. */
void report_sources_text(struct strbuf *b, const struct srcview *sv,
			 uint8_t family, char *const *l, size_t n);

#endif
