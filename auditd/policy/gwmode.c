// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gwmode.c - notes naming the Docker gateway modes behind exposures.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter.h>

#include "gwmode.h"
#include "ipaddr.h"

/* Whether a forwarded row of rep goes into d's subnets of family. */
static bool concerns(const struct report *rep, const struct dknet *d,
		     uint8_t family)
{
	rs_u128 a;
	size_t i;

	for (i = 0; i < rep->nrows; i++) {
		const struct report_row *r = &rep->rows[i];

		if (r->path != ENGINE_FORWARDED || r->family != family)
			continue;
		/* one address of the network will do: the backend's, or
		 * the first the row is addressed to */
		if (r->has_backend && r->has_backend_address)
			a = r->backend_address;
		else if (r->naddrs)
			a = r->addrs[0].lo;
		else
			continue;
		if (dknet_find(&(struct dknet_list){ 1, (struct dknet *)d },
			       family == NFPROTO_IPV6 ? AF_INET6 : AF_INET, a))
			return true;
	}
	return false;
}

int gwmode_notes(const struct dknet_list *nets, struct report *rep)
{
	const char *t;
	size_t i;
	int ret = 0;

	for (i = 0; nets && i < nets->n && !ret; i++) {
		const struct dknet *d = &nets->nets[i];
		bool c4 = concerns(rep, d, NFPROTO_IPV4);
		bool c6 = concerns(rep, d, NFPROTO_IPV6);

		t = dknet_mode_text(d->mode4);
		if (t && c4)
			ret = report_add_note(rep, "network %s: gateway mode "
					       "ipv4 %s: %s", d->name,
					       d->mode4, t);
		t = dknet_mode_text(d->mode6);
		if (!ret && t && c6)
			ret = report_add_note(rep, "network %s: gateway mode "
					       "ipv6 %s: %s", d->name,
					       d->mode6, t);
		if (!ret && d->trusted && (c4 || c6))
			ret = report_add_note(rep, "network %s: trusted host "
					       "interfaces %s: packets arriving "
					       "there may reach the containers' "
					       "addresses directly", d->name,
					       d->trusted);
	}
	return ret;
}
