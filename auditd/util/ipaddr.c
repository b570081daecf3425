// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipaddr.c - IPv4 and IPv6 addresses as 128-bit integers and text.
 */
#include <errno.h>
#include <stdint.h>
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

int ipaddr_parse(int af, const char *s, unsigned __int128 *out)
{
	uint8_t b[16];

	if ((af != AF_INET && af != AF_INET6) || inet_pton(af, s, b) != 1)
		return -EINVAL;
	*out = ipaddr_from_bytes(af, b);
	return 0;
}
