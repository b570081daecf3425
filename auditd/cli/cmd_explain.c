// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_explain.c - `fwaudit explain PROTO/PORT`: like a traceroute through
 * the ruleset, the path of such a probe hook by hook, with the rule that
 * decided each step.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <linux/netfilter.h>

#include "cli.h"
#include "snapfile.h"
#include "engine.h"
#include "nsaudit.h"
#include "report.h"
#include "rsprint.h"
#include "util.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s explain PROTO/PORT [--from ADDR] [--to ADDR] "
		"[--interface IF] [--snapshot FILE]\n"
		"Show the path of a new connection to PORT (tcp, udp or sctp) "
		"through every hook and chain, and what decides it.\n"
		"  --from ADDR          the stranger's address (default: any)\n"
		"  --to ADDR            the address it is sent to (default: "
		"any); a macvlan or\n"
		"                       ipvlan container's own address walks "
		"that container's\n"
		"                       namespace\n"
		"  -i, --interface IF   the ingress interface (default: all)\n"
		"  -S, --snapshot FILE  explain the host as FILE (`%s snapshot`)"
		" recorded it\n"
		"  -h, --help           this help\n", cli_prog, cli_prog);
}

static int parse_probe(const char *s, uint8_t *proto, uint16_t *port)
{
	char *end;
	unsigned long p;

	if (!strncmp(s, "tcp/", 4))
		*proto = IPPROTO_TCP;
	else if (!strncmp(s, "udp/", 4))
		*proto = IPPROTO_UDP;
	else if (!strncmp(s, "sctp/", 5))
		*proto = IPPROTO_SCTP;
	else
		return -EINVAL;
	s = strchr(s, '/') + 1;
	errno = 0;
	p = strtoul(s, &end, 10);
	if (errno || *end || end == s || p > 65535)
		return -EINVAL;
	*port = (uint16_t)p;
	return 0;
}

/* One dimension of a piece as text: "eth0", "198.51.100.1", "*". */
static void dim_text(const struct engine_piece *p, enum region_dim dim,
		     enum rs_field f, char *buf, size_t size)
{
	struct rs_interval *iv = NULL;
	size_t n = 0, i, len = 0;
	const uint8_t field = (uint8_t)f;

	buf[0] = '\0';
	if (region_project(p->region, dim, &iv, &n) < 0)
		return;
	for (i = 0; i < n && len + 2 < size; i++) {
		if (i)
			buf[len++] = ',';
		len += (size_t)rsprint_elem(buf + len, size - len, &field, 1,
					    &iv[i]);
	}
	free(iv);
}

static void print_step(const struct ruleset *rs,
		       const struct engine_piece *p,
		       const struct engine_step *s, unsigned int n)
{
	const char *hook;
	char *text;

	if (s->hook == ENGINE_HOOK_ROUTING)
		hook = "routing";
	else if (s->hook == ENGINE_HOOK_DELIVERY)
		hook = "delivery";
	else if (s->hook == ENGINE_HOOK_XDP)
		hook = "xdp";
	else if (s->chain)
		hook = rs_hook_name(s->chain->family, s->hook);
	else if (s->hook < NF_INET_NUMHOOKS)
		hook = host_nfhook_name((uint8_t)s->hook);
	else
		hook = "?";
	printf("  %2u. %-11s ", n, hook);
	if (!s->chain) {
		printf("%s\n", s->what ? s->what : "");
		return;
	}
	printf("%s %s %s [%s]: ", rs_family_name(s->chain->family),
	       s->chain->table, s->chain->name,
	       s->chain->origin == RS_ORIGIN_NFT ? "nftables" :
	       s->chain->family == NFPROTO_BRIDGE ? "ebtables-legacy" :
	       "iptables-legacy");
	if (!s->rule) {
		printf("policy %s\n", rs_verdict_name(s->verdict));
		return;
	}
	text = rsprint_rule(rs, s->rule);
	printf("rule %u: %s\n", s->rule->position, text ? text : "?");
	free(text);
}

/* Every piece of res: its probes, the steps that decided them, what was
 * assumed; rs is the ruleset walked (its ipsets named). */
static void print_pieces(const struct ruleset *rs,
			 const struct engine_result *res, uint16_t dport)
{
	size_t i, k;
	char ifs[256], dst[512], src_text[512], sport[256];

	if (!res->npieces)
		printf("No probe matches: no ingress interface or no local "
		       "address of that family.\n");
	for (i = 0; i < res->npieces; i++) {
		const struct engine_piece *p = &res->pieces[i];
		enum rs_field af = p->family == NFPROTO_IPV4 ? RS_F_IP_SADDR :
							       RS_F_IP6_SADDR;

		dim_text(p, REGION_IIF, RS_F_IIFNAME, ifs, sizeof(ifs));
		dim_text(p, REGION_DADDR, af, dst, sizeof(dst));
		dim_text(p, REGION_SADDR, af, src_text, sizeof(src_text));
		dim_text(p, REGION_SPORT, RS_F_SPORT, sport, sizeof(sport));
		printf("%s%s/%u from %s%s%s on %s to %s: %s%s",
		       i ? "\n" : "", report_proto_name(p->proto), dport,
		       src_text, strcmp(sport, "0-65535") ? " sport " : "",
		       strcmp(sport, "0-65535") ? sport : "", ifs, dst,
		       engine_state_name(p->state),
		       p->possible ? " (possible)" : "");
		if (p->fate == ENGINE_DROPPED && p->drop_reason)
			printf(" (%s)", p->drop_reason);
		if (p->chosen)
			printf(" (the sender chose %s)", p->chosen);
		printf("\n");
		for (k = 0; k < p->nsteps; k++)
			print_step(rs, p, &p->steps[k], (unsigned int)k + 1);
		for (k = 0; k < p->nassumptions; k++) {
			const struct engine_assumption *a = &p->assumptions[k];
			char *m = a->match ? rsprint_match(rs, a->match) :
					    NULL;

			if (a->cgroup)
				printf("      assuming the cgroup ingress BPF "
				       "program %u of %s %s",
				       a->cgroup->cgroup_prog,
				       a->cgroup->cgroup ? a->cgroup->cgroup :
							   "?",
				       a->matched ? "drops it" : "passes it");
			else if (a->ipvs)
				printf("      assuming the mark a rule sets "
				       "(fwaudit cannot follow it) %s IPVS "
				       "fwmark %u", a->matched ? "is" :
				       "is not", a->ipvs->fwmark);
			else if (a->nfbpf)
				printf("      assuming the netfilter BPF program "
				       "%u (%s, tag %s) on %s %s at priority %d "
				       "%s", a->nfbpf->prog_id,
				       a->nfbpf->name[0] ? a->nfbpf->name :
				       "no name", a->nfbpf->tag[0] ?
				       a->nfbpf->tag : "?",
				       host_nfproto_name(a->nfbpf->pf),
				       host_nfhook_name(a->nfbpf->hooknum),
				       (int)a->nfbpf->priority,
				       a->matched ? "drops it" : "passes it");
			else if (a->xdp && a->tc)
				printf("      assuming the tc ingress filters "
				       "(%s) on %s %s", a->xdp->tc_desc,
				       a->xdp->name, a->matched ? "drop it" :
				       "pass it");
			else if (a->xdp)
				printf("      assuming the XDP program %u (%s) "
				       "on %s %s", a->xdp->xdp_prog,
				       host_xdp_mode_name(a->xdp->xdp_mode),
				       a->xdp->name, a->matched ? "drops it" :
				       "passes it");
			else if (!m && a->elem)
				printf("      assuming element %zu of its map "
				       "is taken", a->elem);
			else if (!m && a->rule &&
				 a->rule->verdict.map.set && !a->matched)
				printf("      assuming no element of its map is "
				       "taken");
			else
				printf("      assuming %s %s",
				       m ? m : "its verdict",
				       a->matched ? "matches" :
				       "does not match");
			if (a->xdp || a->cgroup || a->ipvs || a->nfbpf) {
				printf("\n");
				free(m);
				continue;
			}
			printf(" (%s %s, rule %u)\n",
			       a->chain ? a->chain->table : "?",
			       a->chain ? a->chain->name : "?",
			       a->rule ? a->rule->position : 0);
			free(m);
		}
	}
}

/* ADDR of --from or --to into *out; both must be of one family. */
static int parse_addr(const char *s, struct engine_input *in, rs_u128 *out)
{
	uint8_t fam;

	if (host_addr_parse(AF_INET, s, out) == 0) {
		fam = NFPROTO_IPV4;
	} else if (host_addr_parse(AF_INET6, s, out) == 0) {
		fam = NFPROTO_IPV6;
	} else {
		fprintf(stderr, "%s explain: '%s' is not an IPv4 or IPv6 "
			"address\n", cli_prog, s);
		return -EINVAL;
	}
	if (in->only_family && in->only_family != fam) {
		fprintf(stderr, "%s explain: --from and --to must be of one "
			"family\n", cli_prog);
		return -EINVAL;
	}
	in->only_family = fam;
	return 0;
}

/* The container namespace of a that owns in->daddr and has links that
 * bypass host (their parents among in->ifaces, as audit takes them):
 * their names into names[], their parents' into par[], their number into
 * *nl; NULL when none does. */
static const struct nsaudit_ns *owner(const struct nsaudit *a,
				      const struct host *host,
				      const struct engine_input *in,
				      const struct host_link **links,
				      const char **names, const char **par,
				      size_t *nl)
{
	uint8_t af = in->only_family == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	size_t i, k, n;

	for (i = 0; a && i < a->n; i++) {
		const struct nsaudit_ns *ns = &a->ns[i];

		if (!ns->snap.host ||
		    !host_addr_is_local(ns->snap.host, af, in->daddr))
			continue;
		n = nsaudit_links(ns, host, in->ifaces, in->nifaces, links,
				  par, NSAUDIT_LINKS_MAX);
		if (!n)
			continue;
		for (k = 0; k < n; k++)
			names[k] = links[k]->name;
		*nl = n;
		return ns;
	}
	return NULL;
}

/* What the walk of a container's namespace is, for people. */
static void print_owner(const struct nsaudit_ns *ns, const char *proto,
			uint16_t dport, const char *to,
			const struct host_link **links, const char **par,
			size_t nl)
{
	size_t k;

	printf("%s/%u to %s: an address of container %s (%s), whose %s link",
	       proto, dport, to, ns->sb.name,
	       docker_runtime_name(ns->sb.runtime),
	       nsaudit_link_kind(links[0]));
	for (k = 0; k < nl; k++)
		printf("%s %s on %s", k ? "," : "", links[k]->name, par[k]);
	printf(" takes packets past this host's netfilter: the walk through "
	       "that container's own namespace, as audit decides it\n\n");
}

int cmd_explain(int argc, char **argv)
{
	struct engine_input in = { .dropped = true, .only_dport = true };
	struct engine_result *res = NULL;
	const char *from = NULL, *to = NULL, *iface = NULL;
	const char *names[NSAUDIT_LINKS_MAX], *par[NSAUDIT_LINKS_MAX];
	const struct host_link *links[NSAUDIT_LINKS_MAX];
	const struct nsaudit_ns *mine = NULL;
	struct nsaudit *ns = NULL;
	struct cli_source src;
	struct snapshot snap;
	size_t nl = 0;
	bool live;
	int ret;
	const struct cli_opt opts[] = {
		CLI_ROW("from", 0, CLI_OPT_ARG, &from),
		CLI_ROW("to", 0, CLI_OPT_ARG, &to),
		CLI_ROW("interface", 'i', CLI_OPT_ARG, &iface),
		CLI_ROW("snapshot", 'S', CLI_OPT_ARG, &src.snapfile),
	};

	cli_source_init(&src);
	ret = cli_parse("explain", argc, argv, opts, ARRAY_SIZE(opts), usage);
	if (ret != CLI_GO)
		return ret;
	if (optind != argc - 1 ||
	    parse_probe(argv[optind], &in.only_proto, &in.dport) < 0) {
		fprintf(stderr, "%s explain: expected one PROTO/PORT such as "
			"tcp/6379\n", cli_prog);
		return EXIT_UNKNOWN;
	}
	in.only_saddr = from != NULL;
	in.only_daddr = to != NULL;
	if ((from && parse_addr(from, &in, &in.saddr) < 0) ||
	    (to && parse_addr(to, &in, &in.daddr) < 0))
		return EXIT_UNKNOWN;
	if (iface) {
		in.ifaces = &iface;
		in.nifaces = 1;
	}
	ret = cli_source_read("explain", &src, false, &snap, &live, NULL);
	if (ret)
		return ret;
	in.rs = snap.rs;
	in.host = snap.host;
	/* an address that is not the host's: a macvlan or ipvlan container's
	 * own?  Its namespace is walked from its bypassing links */
	if (to && snap.host &&
	    !host_addr_is_local(snap.host, in.only_family == NFPROTO_IPV4 ?
				AF_INET : AF_INET6, in.daddr)) {
		ret = nsaudit_load(&snap, live, NULL, &ns);
		if (ret < 0) {
			snapshot_release(&snap);
			return cli_fail("failed to read the containers' "
					"namespaces", ret);
		}
		mine = owner(ns, snap.host, &in, links, names, par, &nl);
	}
	if (mine) {
		in.rs = mine->snap.rs;
		in.host = mine->snap.host;
		in.ifaces = names;
		in.nifaces = nl;
	}
	ret = engine_run(&in, &res);
	if (ret < 0) {
		nsaudit_free(ns);
		snapshot_release(&snap);
		return cli_fail("failed to explain", ret);
	}
	if (mine)
		print_owner(mine, report_proto_name(in.only_proto), in.dport,
			    to, links, par, nl);
	if (!res->npieces && in.only_daddr) {
		printf("No probe matches: %s is no address of this host nor of "
		       "a macvlan or ipvlan container's own namespace.\n", to);
		/* one it could not read may own it: said, never silence */
		for (size_t i = 0; ns && i < ns->n; i++)
			if (ns->ns[i].error)
				printf("The namespace of container %s (%s) "
				       "was not read: %s: %s.\n",
				       ns->ns[i].sb.name, ns->ns[i].sb.driver,
				       ns->ns[i].why ? ns->ns[i].why : "?",
				       strerror(-ns->ns[i].error));
	} else {
		print_pieces(in.rs, res, in.dport);
	}
	/* the pieces borrow the container's ruleset */
	engine_result_free(res);
	nsaudit_free(ns);
	snapshot_release(&snap);
	return EXIT_OK;
}
