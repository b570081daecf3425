/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipaddr.h - the one codec of IPv4 and IPv6 addresses as 128-bit integers
 * (the model's rs_u128: an IPv4 address in the low 32 bits), for every
 * layer: the host model's host_addr_*() wrap it, the policy and the
 * region printer use it directly.  (rsprint.c keeps its own faster
 * printer of the same text for big rulesets.)  af is AF_INET or AF_INET6,
 * whose values are NFPROTO_IPV4 and NFPROTO_IPV6 too.
 */
#ifndef FWAUDIT_IPADDR_H
#define FWAUDIT_IPADDR_H

#include <stddef.h>

/* An address from its bytes in network order (4 for AF_INET, else 16). */
unsigned __int128 ipaddr_from_bytes(int af, const void *bytes);
/* Inverse: 4 (AF_INET) or 16 bytes into out. */
void ipaddr_to_bytes(int af, unsigned __int128 a, void *out);
/* inet_ntop()'s text of a into buf (INET6_ADDRSTRLEN bytes suffice);
 * returns buf, "" when it does not fit. */
const char *ipaddr_str(int af, unsigned __int128 a, char *buf, size_t len);
/* inet_pton()'s numeric address of af: 0 and *out, or -EINVAL (also for
 * another af) with *out untouched. */
int ipaddr_parse(int af, const char *s, unsigned __int128 *out);

/* "addr" or "addr/len", len one to three decimal digits.  af AF_INET or
 * AF_INET6 asks for that family; AF_UNSPEC takes either (a colon makes it
 * IPv6).  0 with *afp, *addr (host bits as written) and *len (the
 * family's width without "/len"); -EINVAL when it is not that, -ERANGE
 * for a length beyond the family's width; nothing written on failure. */
int ipaddr_prefix_parse(int af, const char *s, int *afp,
			unsigned __int128 *addr, unsigned int *len);

#endif
