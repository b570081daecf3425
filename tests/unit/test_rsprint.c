// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_rsprint.c - rsprint's own address and number formatting against
 * the libc functions it replaces for speed: inet_ntop() for IPv4 and IPv6
 * (every placement of zero runs, the IPv4-compatible and -mapped forms),
 * printf() for MAC addresses and numbers.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "rsprint.c"
#include "unit.h"

static unsigned long long rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void check_ip6(rs_u128 v)
{
	char want[INET6_ADDRSTRLEN], got[INET6_ADDRSTRLEN];
	unsigned char b[16];
	int i;

	for (i = 0; i < 16; i++)
		b[i] = (unsigned char)(v >> (8 * (15 - i)));
	inet_ntop(AF_INET6, b, want, sizeof(want));
	ip6_str(got, v);
	CHECK_STR(got, want);
}

static void test_ip6(void)
{
	rs_u128 v, mask;
	unsigned int m, i, round;

	check_ip6(0);
	check_ip6(1);
	check_ip6((rs_u128)0xffff << 32 | 0x01020304);	/* ::ffff:1.2.3.4 */
	check_ip6(0x01020304);				/* ::1.2.3.4 */
	check_ip6((rs_u128)1 << 32 | 0x01020304);	/* ::1:102:304 */
	/* every pattern of zero groups, with random non-zero groups */
	for (m = 0; m < 256; m++) {
		for (round = 0; round < 8; round++) {
			v = 0;
			for (i = 0; i < 8; i++) {
				unsigned int g = (unsigned int)rnd64() & 0xffff;

				/* small groups too: no leading zeros */
				if (round & 1)
					g &= 0xf << (4 * (rnd64() % 4));
				if (!g)
					g = 1;
				if (m & (1u << i))
					g = 0;
				if (round == 2 && i == 5 && (m & 0xe0) == 0)
					g = 0xffff;
				v = v << 16 | g;
			}
			check_ip6(v);
		}
	}
	for (i = 0; i < 10000; i++) {
		v = (rs_u128)rnd64() << 64 | rnd64();
		mask = (rs_u128)rnd64() << 64 | rnd64();
		check_ip6(v & mask & ((rs_u128)rnd64() << 64 | rnd64()));
	}
}

static void test_ip4_mac(void)
{
	char want[32], got[32];
	uint32_t a, n;
	uint64_t mac;
	unsigned int i;

	for (i = 0; i < 20000; i++) {
		a = (uint32_t)rnd64();
		if (i & 1)	/* small octets: 0, 1 and 2 digits */
			a &= 0x0f3f0f7f;
		n = htonl(a);
		inet_ntop(AF_INET, &n, want, sizeof(want));
		ip4_str(got, a);
		CHECK_STR(got, want);
		mac = rnd64() & 0xffffffffffffull;
		if (i & 1)
			mac &= 0x0f0f000f0ff0ull;
		snprintf(want, sizeof(want), "%02x:%02x:%02x:%02x:%02x:%02x",
			 (unsigned int)(mac >> 40) & 0xff,
			 (unsigned int)(mac >> 32) & 0xff,
			 (unsigned int)(mac >> 24) & 0xff,
			 (unsigned int)(mac >> 16) & 0xff,
			 (unsigned int)(mac >> 8) & 0xff,
			 (unsigned int)mac & 0xff);
		mac_str(got, mac);
		CHECK_STR(got, want);
	}
}

static void test_numbers(void)
{
	struct strbuf b = STRBUF_INIT;
	char want[64];
	uint64_t u;
	unsigned int i;
	char *s;

	for (i = 0; i < 20000; i++) {
		u = rnd64() >> (rnd64() % 64);
		uint_str(&b, u);
		s = strbuf_take(&b);
		snprintf(want, sizeof(want), "%llu", (unsigned long long)u);
		CHECK_STR(s, want);
		free(s);
		u128_str(&b, u, true);
		s = strbuf_take(&b);
		snprintf(want, sizeof(want), "0x%llx", (unsigned long long)u);
		CHECK_STR(s, want);
		free(s);
	}
	u128_str(&b, ~(rs_u128)0, false);
	s = strbuf_take(&b);
	CHECK_STR(s, "340282366920938463463374607431768211455");
	free(s);
	u128_str(&b, ~(rs_u128)0, true);
	s = strbuf_take(&b);
	CHECK_STR(s, "0xffffffffffffffffffffffffffffffff");
	free(s);
	u128_str(&b, (rs_u128)1 << 64, false);
	s = strbuf_take(&b);
	CHECK_STR(s, "18446744073709551616");
	free(s);
}

int main(void)
{
	test_ip6();
	test_ip4_mac();
	test_numbers();
	return unit_done();
}
