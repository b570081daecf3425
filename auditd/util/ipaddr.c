// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipaddr.c - IPv4 and IPv6 addresses as 128-bit integers and text.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "ipaddr.h"

unsigned __int128 ipaddr_from_bytes(int af, const void *bytes)
{
	const uint8_t *b = bytes;
	size_t i, len = af == AF_INET ? 4 : 16;
	unsigned __int128 v = 0;

	for (i = 0; i < len; i++)
		v = (v << 8) | b[i];
	return v;
}

void ipaddr_to_bytes(int af, unsigned __int128 a, void *out)
{
	size_t i, len = af == AF_INET ? 4 : 16;
	uint8_t *b = out;

	for (i = 0; i < len; i++)
		b[len - 1 - i] = (uint8_t)(a >> (8 * i));
}

const char *ipaddr_str(int af, unsigned __int128 a, char *buf, size_t len)
{
	uint8_t b[16];

	ipaddr_to_bytes(af, a, b);
	if (!inet_ntop(af == AF_INET ? AF_INET : AF_INET6, b, buf,
		       (socklen_t)len) && len)
		buf[0] = '\0';
	return buf;
}

int ipaddr_prefix_parse(int af, const char *s, int *afp,
			unsigned __int128 *addr, unsigned int *len)
{
	char buf[64], *slash;
	unsigned __int128 a;
	unsigned int l, bits, i;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (af == AF_UNSPEC)
		af = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (ipaddr_parse(af, buf, &a) < 0)
		return -EINVAL;
	bits = af == AF_INET ? 32 : 128;
	l = bits;
	if (slash) {
		/* digits only: strtoul() would take " 8", "+8" and "-0" */
		if (!*slash || strlen(slash) > 3)
			return -EINVAL;
		for (l = 0, i = 0; slash[i]; i++) {
			if (slash[i] < '0' || slash[i] > '9')
				return -EINVAL;
			l = l * 10 + (unsigned int)(slash[i] - '0');
		}
		if (l > bits)
			return -ERANGE;
	}
	*afp = af;
	*addr = a;
	*len = l;
	return 0;
}

int ipaddr_parse(int af, const char *s, unsigned __int128 *out)
{
	uint8_t b[16];

	if ((af != AF_INET && af != AF_INET6) || inet_pton(af, s, b) != 1)
		return -EINVAL;
	*out = ipaddr_from_bytes(af, b);
	return 0;
}
