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
	/* the host addresses the probes arrive at, of family: sorted,
	 * disjoint, not adjacent; none (0) for every address a probe can
	 * be sent to ("*" for people: report_address_text()) */
	size_t naddrs;
	struct rs_interval *addrs;
	size_t nsources;
	/* source addresses of family: sorted, disjoint, not adjacent;
	 * printed as their minimal prefixes (report_addrs_text()) */
	struct rs_interval *sources;
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
	/* the backend's address, of family, when the row knows it (a
	 * REDIRECT or a port-only DNAT has none: report_backend_str()) */
	bool has_backend_address;
	rs_u128 backend_address;
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
	/* from a container's own network namespace, reached on a macvlan
	 * or ipvlan link that bypasses the host's netfilter (nsaudit.h):
	 * the container, its image and runtime, the link's kind; NULL for
	 * the host's own rows (JSON "namespace") */
	char *inside;
	char *inside_image;
	const char *inside_runtime;
	char *inside_project;		/* LXD/Incus, when not "default" */
	const char *inside_link;
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
 * names DNAT backends by container; rs, the ruleset res walked (may be
 * NULL), names the ipsets of the set matches a row's unknown lists.  The
 * report borrows res and host: free it before them.  0 or -ENOMEM. */
int report_build(const struct engine_result *res, const struct ruleset *rs,
		 const struct host *host, const struct docker_map *dm,
		 struct report **out);
void report_free(struct report *rep);
/* Add a note of the audit's own (printf-style) after the engine's (a
 * runtime that did not answer).  0 or -ENOMEM. */
int report_add_note(struct report *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
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
 * prefixes when srcview cannot say them. */
void report_sources_text(struct strbuf *b, const struct srcview *sv,
			 uint8_t family, const struct rs_interval *iv,
			 size_t n);

/*
 * The printers of an address set: iv[0..n) of family (NFPROTO_IPV4 /
 * NFPROTO_IPV6; any order, may overlap) as its minimal prefixes,
 * ascending, a single address without its length ("198.51.100.7",
 * "10.0.0.0/8", "2001:db8::/32").  Rows and policy parts carry the
 * intervals; only these turn them into text.
 */
/* Append the prefixes to b, separated by sep (b fails on ENOMEM). */
void report_addrs_text(struct strbuf *b, uint8_t family,
		       const struct rs_interval *iv, size_t n, const char *sep);
/* The prefixes as a new array *out of *nout strings (free with
 * report_addrs_list_free()).  0, -EINVAL for a bad family or interval,
 * -ENOMEM. */
int report_addrs_list(uint8_t family, const struct rs_interval *iv,
		      size_t n, char ***out, size_t *nout);
void report_addrs_list_free(char **l, size_t n);
/* The prefixes as a JSON array of strings. */
void report_addrs_json(struct jsonw *w, uint8_t family,
		       const struct rs_interval *iv, size_t n);
/* The row's addresses for people: "*" for every address, else its
 * prefixes separated by sep ("198.51.100.1,198.51.100.2"). */
void report_address_text(struct strbuf *b, const struct report_row *r,
			 const char *sep);
/* The same with "," in a new string (free() it); NULL on ENOMEM. */
char *report_address_str(const struct report_row *r);
/* strcmp() of the two rows' report_address_str(): the order rows have
 * always been listed in. */
int report_address_cmp(const struct report_row *x,
		       const struct report_row *y);
/* The backend's address in buf (INET6_ADDRSTRLEN bytes), or NULL when
 * the row knows none. */
const char *report_backend_str(const struct report_row *r, char *buf,
			       size_t size);

#endif
