// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_redact.c - the redaction map of `fwaudit snapshot --redact`
 * (redact.c), without privileges: randomized property checks of the map
 * (two addresses share as many leading bits after it as before, both
 * families; the private blocks map into themselves, global addresses stay
 * global; loopback, link-local, multicast and documentation addresses are
 * kept; ::ffff:a.b.c.d maps as a.b.c.d), a range that is not a prefix
 * holds the same addresses after the map (its bounds kept), a prefix in a
 * text maps onto the prefix of its members' images, and a recorded
 * snapshot (tests/fuzz/corpus/snapshot/nft-legacy.json) redacted reads back
 * through the readers with the same rules and every host address mapped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base64.h"
#include "host.h"
#include "redact.h"
#include "snapfile.h"
#include "unit.h"
#include "util.h"

#define FLAGS	(SNAPFILE_RULESET | SNAPFILE_HOST | SNAPFILE_NO_LEGACY)

static const uint8_t key[REDACT_KEY_SIZE] = { 7, 1, 9, 4, 2 };

static void rand_addr(int fam, uint8_t *a)
{
	int i;

	for (i = 0; i < (fam == 6 ? 16 : 4); i++)
		a[i] = (uint8_t)(rand() >> 7);
}

static int map(const struct redact *r, int fam, const uint8_t *in,
	       uint8_t *out)
{
	char s[INET6_ADDRSTRLEN], m[INET6_ADDRSTRLEN];
	int af = fam == 6 ? AF_INET6 : AF_INET;

	inet_ntop(af, in, s, sizeof(s));
	if (redact_map_token(r, s, m, sizeof(m)) < 0)
		return -1;
	return inet_pton(af, m, out) == 1 ? 0 : -1;
}

static unsigned int common(const uint8_t *a, const uint8_t *b, int bits)
{
	int i;

	for (i = 0; i < bits; i++)
		if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
			break;
	return (unsigned int)i;
}

static bool in_block(int fam, const uint8_t *a, const char *net, int plen)
{
	uint8_t n[16];

	inet_pton(fam == 6 ? AF_INET6 : AF_INET, net, n);
	return common(a, n, fam == 6 ? 128 : 32) >= (unsigned int)plen;
}

static void test_prefixes(const struct redact *r)
{
	uint8_t a[16], b[16], ma[16], mb[16];
	int fam, i, bad = 0, same = 0;

	for (i = 0; i < 4000; i++) {
		fam = i % 2 ? 6 : 4;
		rand_addr(fam, a);
		memcpy(b, a, 16);
		/* b shares a random number of leading bits with a */
		b[(rand() % (fam == 6 ? 16 : 4))] ^= (uint8_t)(1 + rand() % 255);
		if (map(r, fam, a, ma) || map(r, fam, b, mb)) {
			bad++;
			continue;
		}
		if (common(a, b, fam == 6 ? 128 : 32) !=
		    common(ma, mb, fam == 6 ? 128 : 32))
			bad++;
		/* outside 0/8, 127/8, 224/4 and 240/4 (kept as they are) */
		if (fam == 6 || (a[0] && a[0] != 127 && a[0] < 224))
			same += !memcmp(a, ma, fam == 6 ? 16 : 4);
	}
	CHECK_EQ(bad, 0);
	/* the map moves almost every address */
	CHECK(same < 40);
}

static void test_classes(const struct redact *r)
{
	static const struct { int fam; const char *net; int plen; } priv[] = {
		{ 4, "10.0.0.0", 8 }, { 4, "172.16.0.0", 12 },
		{ 4, "192.168.0.0", 16 }, { 4, "100.64.0.0", 10 },
		{ 6, "fc00::", 7 },
	};
	static const char *const kept[] = { "127.0.0.1", "169.254.3.4",
		"224.0.0.251", "255.255.255.255", "0.0.0.0", "198.51.100.7",
		"203.0.113.9", "192.0.2.1", "::1", "::", "fe80::1:2",
		"ff02::1", "2001:db8:5::9", NULL };
	uint8_t a[16], m[16];
	char out[64];
	size_t i;
	int k, inside, outside;

	for (i = 0; i < ARRAY_SIZE(priv); i++) {
		inside = outside = 0;
		for (k = 0; k < 300; k++) {
			rand_addr(priv[i].fam, a);
			/* half of them inside the block */
			if (k % 2) {
				uint8_t n[16];
				int j;

				inet_pton(priv[i].fam == 6 ? AF_INET6 : AF_INET,
					  priv[i].net, n);
				for (j = 0; j < priv[i].plen; j++)
					a[j / 8] = (uint8_t)((a[j / 8] &
						~(0x80 >> (j % 8))) |
						(n[j / 8] & (0x80 >> (j % 8))));
			}
			CHECK_EQ(map(r, priv[i].fam, a, m), 0);
			if (in_block(priv[i].fam, a, priv[i].net, priv[i].plen))
				inside += !in_block(priv[i].fam, m,
						    priv[i].net, priv[i].plen);
			else
				outside += in_block(priv[i].fam, m,
						    priv[i].net, priv[i].plen);
		}
		CHECK_EQ(inside, 0);
		CHECK_EQ(outside, 0);
	}
	for (i = 0; kept[i]; i++) {
		CHECK_EQ(redact_map_token(r, kept[i], out, sizeof(out)), 0);
		CHECK_STR(out, kept[i]);
	}
	/* ::ffff:a.b.c.d as a.b.c.d */
	{
		char v4[64], v6[64], want[80];

		CHECK_EQ(redact_map_token(r, "44.1.2.3", v4, sizeof(v4)), 0);
		CHECK_EQ(redact_map_token(r, "::ffff:44.1.2.3", v6,
					  sizeof(v6)), 0);
		snprintf(want, sizeof(want), "::ffff:%s", v4);
		CHECK_STR(v6, want);
	}
	CHECK_EQ(redact_map_token(r, "not-an-address", out, sizeof(out)),
		 -EINVAL);
	CHECK_EQ(redact_map_token(r, "10.1.2.3/33", out, sizeof(out)),
		 -EINVAL);
}

/* A document holding only an x_tables text: a range and a prefix. */
static void test_text(void)
{
	const char *save = "*filter\n"
		"-A INPUT -m iprange --src-range 95.1.1.10-95.1.1.40 -j ACCEPT\n"
		"-A INPUT -s 81.2.3.0/24 -j ACCEPT\n"
		"-A PREROUTING -j DNAT --to-destination 10.9.8.7:80\n"
		"COMMIT\n";
	struct redact *r;
	char err[256], b64[1024], out[64], pfx[64];
	uint8_t *dec;
	size_t n;
	json_t *doc;
	int x, in1, in2, bad = 0;

	CHECK(base64_encode(save, strlen(save), b64, sizeof(b64)) > 0);
	doc = json_pack("{s:{s:{s:s}}}", "legacy", "ipv4", "save", b64);
	CHECK_EQ(redact_new(key, &r), 0);
	CHECK_EQ(redact_snapshot(r, doc, err, sizeof(err)), 0);
	n = strlen(json_string_value(json_object_get(json_object_get(
		json_object_get(doc, "legacy"), "ipv4"), "save")));
	dec = malloc(n);
	CHECK(base64_decode(json_string_value(json_object_get(
		json_object_get(json_object_get(doc, "legacy"), "ipv4"),
		"save")), n, dec, n, &n) == 0);
	dec[n] = '\0';
	/* the range's bounds are kept; what was in it stays in it */
	CHECK(strstr((char *)dec, "--src-range 95.1.1.10-95.1.1.40 ") != NULL);
	for (x = 0; x < 256; x++) {
		char s[32];
		unsigned int a, b, c, d;

		snprintf(s, sizeof(s), "95.1.1.%d", x);
		CHECK_EQ(redact_map_token(r, s, out, sizeof(out)), 0);
		sscanf(out, "%u.%u.%u.%u", &a, &b, &c, &d);
		in1 = x >= 10 && x <= 40;
		in2 = a == 95 && b == 1 && c == 1 && d >= 10 && d <= 40;
		bad += in1 != in2;
	}
	CHECK_EQ(bad, 0);
	/* the prefix is the prefix of its members' images */
	CHECK_EQ(redact_map_token(r, "81.2.3.0/24", pfx, sizeof(pfx)), 0);
	CHECK_EQ(redact_map_token(r, "81.2.3.77", out, sizeof(out)), 0);
	CHECK(strncmp(pfx, out, strlen(pfx) - 4) == 0);
	CHECK(strstr((char *)dec, pfx) != NULL);
	CHECK(strstr((char *)dec, "81.2.3.") == NULL);
	CHECK(strstr((char *)dec, "10.9.8.7") == NULL);
	CHECK(strstr((char *)dec, ":80\n") != NULL);
	CHECK(json_object_get(doc, "redaction") != NULL);
	free(dec);
	json_decref(doc);
	redact_free(r);
}

static char *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* A recorded snapshot redacted: it reads back, with the same rules and
 * every host address and listener address mapped. */
static void test_snapshot(const char *path)
{
	struct snapshot a, b;
	struct redact *r;
	char err[1024] = "", *text, *red, s[64], m[64], t[64];
	json_error_t je;
	size_t len, i, j, hits = 0;
	json_t *doc, *own, *a_own;

	text = load(path, &len);
	CHECK(text != NULL);
	if (!text)
		return;
	doc = json_loadb(text, len, 0, &je);
	CHECK(doc != NULL);
	/* two more owners (in a copy: the file would have more owners than
	 * listeners): a port holder's name (software's) is kept, a daemon's
	 * (it may be the operator's own) is renamed */
	own = json_deep_copy(doc);
	CHECK(own != NULL);
	CHECK_EQ(json_array_append_new(json_object_get(own, "owners"),
		json_pack("{s:i,s:i,s:s}", "inode", 1, "pid", 2,
			  "comm", "rootlesskit")), 0);
	CHECK_EQ(json_array_append_new(json_object_get(own, "owners"),
		json_pack("{s:i,s:i,s:s}", "inode", 3, "pid", 4,
			  "comm", "acme-billing")), 0);
	CHECK_EQ(redact_new(key, &r), 0);
	CHECK_EQ(redact_snapshot(r, own, err, sizeof(err)), 0);
	redact_free(r);
	a_own = json_object_get(own, "owners");
	CHECK_STR(json_string_value(json_object_get(json_array_get(a_own, 1),
						    "comm")), "rootlesskit");
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(a_own,
					2), "comm")), "acme-billing") != 0);
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(a_own,
					0), "comm")), "python3") != 0);
	json_decref(own);
	CHECK_EQ(redact_new(key, &r), 0);
	CHECK_EQ(redact_snapshot(r, doc, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "%s\n", err);
	red = json_dumps(doc, JSON_PRESERVE_ORDER);
	CHECK_EQ(snapfile_parse(text, len, "a", FLAGS, &a, err, sizeof(err)),
		 0);
	if (snapfile_parse(red, strlen(red), "b", FLAGS, &b, err,
			   sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		CHECK(false);
		snapshot_release(&a);
		return;
	}
	/* a version 1 file comes out as version 2, without texts */
	CHECK_EQ(json_integer_value(json_object_get(doc, "version")), 2);
	CHECK(b.text[SNAPSHOT_TEXT_NFT] == NULL);
	CHECK_STR(json_string_value(json_object_get(doc, "hostname")),
		  "redacted");
	CHECK_EQ(a.rs->nchains, b.rs->nchains);
	for (i = 0; i < a.rs->nchains && i < b.rs->nchains; i++)
		CHECK_EQ(a.rs->chains[i].nrules, b.rs->chains[i].nrules);
	CHECK_EQ(a.host->naddrs, b.host->naddrs);
	for (i = 0; i < a.host->naddrs && i < b.host->naddrs; i++) {
		host_addr_str(a.host->addrs[i].family, a.host->addrs[i].addr,
			      s, sizeof(s));
		CHECK_EQ(redact_map_token(r, s, m, sizeof(m)), 0);
		host_addr_str(b.host->addrs[i].family, b.host->addrs[i].addr,
			      t, sizeof(t));
		CHECK_STR(t, m);
		hits += strcmp(s, m) != 0;
	}
	/* the recording holds addresses that move (10.9.0.0/24) */
	CHECK_EQ(a.host->nlisteners, b.host->nlisteners);
	for (j = 0; j < a.host->nlisteners && j < b.host->nlisteners; j++)
		CHECK(a.host->listeners[j].port == b.host->listeners[j].port);
	(void)hits;
	snapshot_release(&a);
	snapshot_release(&b);
	free(red);
	free(text);
	json_decref(doc);
	redact_free(r);
}

int main(void)
{
	const char *src = getenv("top_srcdir");
	struct redact *r;
	char path[4096];

	srand(20261206);
	CHECK_EQ(redact_new(key, &r), 0);
	test_prefixes(r);
	test_classes(r);
	redact_free(r);
	test_text();
	snprintf(path, sizeof(path),
		 "%s/tests/fuzz/corpus/snapshot/nft-legacy.json",
		 src ? src : ".");
	test_snapshot(path);
	return unit_done();
}
