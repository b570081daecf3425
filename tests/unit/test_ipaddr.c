// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ipaddr.c - the one address codec (util/ipaddr.c): text to integer
 * and back for both families, the IPv4 address in the low 32 bits, the
 * IPv6 forms inet_ntop() writes (::, ::ffff:a.b.c.d, the longest zero
 * run), bytes in network order, refusals that leave the output alone.  No
 * privileges.  Prefixes: ipaddr_prefix_parse().
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "ipaddr.h"
#include "unit.h"
#include "util.h"

static void roundtrip(int af, const char *s, unsigned __int128 want)
{
	unsigned __int128 v = 0;
	char buf[INET6_ADDRSTRLEN];

	CHECK_EQ(ipaddr_parse(af, s, &v), 0);
	CHECK(v == want);
	CHECK_STR(ipaddr_str(af, v, buf, sizeof(buf)), s);
}

int main(void)
{
	static const char *bad4[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1",
				      "1.2.3.4/8", "::1", " 1.2.3.4" };
	static const char *bad6[] = { "", ":::", "1::2::3", "2001:db8::/32",
				      "1.2.3.4", "g::1" };
	unsigned __int128 v = 42;
	uint8_t b[16];
	char buf[INET6_ADDRSTRLEN];
	size_t i;

	roundtrip(AF_INET, "0.0.0.0", 0);
	roundtrip(AF_INET, "198.51.100.1", 0xc6336401u);
	roundtrip(AF_INET, "255.255.255.255", 0xffffffffu);
	roundtrip(AF_INET6, "::", 0);
	roundtrip(AF_INET6, "::1", 1);
	roundtrip(AF_INET6, "2001:db8::1",
		  ((unsigned __int128)0x20010db8u << 96) | 1);
	roundtrip(AF_INET6, "::ffff:192.0.2.1",
		  ((unsigned __int128)0xffffu << 32) | 0xc0000201u);
	roundtrip(AF_INET6, "1:0:0:1::1",
		  ((unsigned __int128)1 << 112) | ((unsigned __int128)1 << 64) |
		  1);
	roundtrip(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		  ~(unsigned __int128)0);

	/* bytes in network order, as the kernel gives them */
	ipaddr_to_bytes(AF_INET, 0xc6336401u, b);
	CHECK(b[0] == 198 && b[1] == 51 && b[2] == 100 && b[3] == 1);
	CHECK(ipaddr_from_bytes(AF_INET, b) == 0xc6336401u);
	CHECK_EQ(inet_pton(AF_INET6, "2001:db8::ff00:42:8329", b), 1);
	v = ipaddr_from_bytes(AF_INET6, b);
	CHECK_STR(ipaddr_str(AF_INET6, v, buf, sizeof(buf)),
		  "2001:db8::ff00:42:8329");
	memset(b, 0, sizeof(b));
	ipaddr_to_bytes(AF_INET6, v, b);
	CHECK(b[0] == 0x20 && b[1] == 0x01 && b[15] == 0x29);

	/* refused: *out untouched */
	for (i = 0; i < ARRAY_SIZE(bad4); i++) {
		v = 42;
		CHECK_EQ(ipaddr_parse(AF_INET, bad4[i], &v), -EINVAL);
		CHECK(v == 42);
	}
	for (i = 0; i < ARRAY_SIZE(bad6); i++) {
		v = 42;
		CHECK_EQ(ipaddr_parse(AF_INET6, bad6[i], &v), -EINVAL);
		CHECK(v == 42);
	}
	CHECK_EQ(ipaddr_parse(AF_UNIX, "1.2.3.4", &v), -EINVAL);
	CHECK(v == 42);
	/* prefixes: the family told by a colon under AF_UNSPEC, asked for
	 * otherwise; host bits kept as written; -ERANGE past the width */
	{
		unsigned int len = 99;
		int af = -1;

		CHECK_EQ(ipaddr_prefix_parse(AF_UNSPEC, "10.1.2.3/8", &af, &v,
					     &len), 0);
		CHECK(af == AF_INET && v == 0x0a010203u && len == 8);
		CHECK_EQ(ipaddr_prefix_parse(AF_UNSPEC, "2001:db8::", &af, &v,
					     &len), 0);
		CHECK(af == AF_INET6 && len == 128);
		CHECK_EQ(ipaddr_prefix_parse(AF_INET, "2001:db8::/32", &af, &v,
					     &len), -EINVAL);
		CHECK_EQ(ipaddr_prefix_parse(AF_INET6, "::/128", &af, &v,
					     &len), 0);
		CHECK(af == AF_INET6 && v == 0 && len == 128);
		af = -1;
		v = 42;
		len = 99;
		CHECK_EQ(ipaddr_prefix_parse(AF_UNSPEC, "10.0.0.0/33", &af, &v,
					     &len), -ERANGE);
		CHECK_EQ(ipaddr_prefix_parse(AF_UNSPEC, "::/129", &af, &v,
					     &len), -ERANGE);
		CHECK_EQ(ipaddr_prefix_parse(AF_UNSPEC, "10.0.0.0/-0", &af, &v,
					     &len), -EINVAL);
		CHECK_EQ(ipaddr_prefix_parse(AF_UNSPEC, "10.0.0.0/1234", &af,
					     &v, &len), -EINVAL);
		CHECK(af == -1 && v == 42 && len == 99);
	}

	/* a buffer too small: "" rather than a cut address */
	CHECK_STR(ipaddr_str(AF_INET, 0xc6336401u, buf, 5), "");
	return unit_done();
}
