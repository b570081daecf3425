// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_snapfile.c - the snapshot file reader without privileges: a
 * snapshot taken in a namespace (tests/fuzz/corpus/snapshot/) rebuilt
 * through the replay seams, and the files it must refuse - newer and older
 * versions, missing, unknown and mistyped fields, an owner of no listener,
 * every truncation - each with the field or offset named.  The legacy
 * tables are checked, not loaded (that needs a namespace: snapshot.sh).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include <jansson.h>

#include "base64.h"
#include "docker.h"
#include "readfile.h"
#include "snapfile.h"
#include "unit.h"

#define FLAGS	(SNAPFILE_RULESET | SNAPFILE_HOST | SNAPFILE_NO_LEGACY)

static char *text;
static size_t textlen;

static int load_text(const char *path)
{
	FILE *f = fopen(path, "re");
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = malloc((size_t)n + 1);
	if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	text[n] = '\0';
	textlen = (size_t)n;
	return 0;
}

static void test_good(void)
{
	struct snapshot s;
	char err[1024] = "";
	size_t i;
	bool py = false;

	CHECK(snapfile_is_snapshot(text, textlen));
	CHECK(snapfile_is_snapshot(" {\n\t\"format\" : \"fwaudit-snapshot\"",
				   33));
	CHECK(!snapfile_is_snapshot("{\"version\": 1}", 14));
	CHECK(!snapfile_is_snapshot("{\"format\": \"fwaudit-snap", 24));
	CHECK_EQ(snapfile_parse(text, textlen, "t.json", FLAGS, &s, err,
				sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "%s\n", err);
	CHECK(s.rs != NULL && s.host != NULL);
	if (!s.rs || !s.host)
		return;
	CHECK(s.taken_usec > 0);
	CHECK(s.have_docker);
	CHECK(s.rs->nsources >= 1);
	CHECK_STR(s.rs->sources[0].name, "nftables");
	CHECK(s.rs->sources[0].present);
	CHECK(s.host->nlinks >= 2);
	for (i = 0; i < s.host->nlisteners; i++)
		if (s.host->listeners[i].port == 22 &&
		    s.host->listeners[i].comm &&
		    !strcmp(s.host->listeners[i].comm, "python3") &&
		    s.host->listeners[i].pid > 0)
			py = true;
	CHECK(py);
	snapshot_release(&s);

	/* the host alone: what --snapshot S --ruleset F reads of S */
	CHECK_EQ(snapfile_parse(text, textlen, "t.json", SNAPFILE_HOST, &s,
				err, sizeof(err)), 0);
	CHECK(s.rs == NULL && s.host != NULL);
	snapshot_release(&s);
}

/* The snapshot text after edit(root), new, or NULL. */
static char *edited(void (*edit)(json_t *))
{
	json_error_t je;
	json_t *root = json_loadb(text, textlen, 0, &je);
	char *buf;

	CHECK(root != NULL);
	if (!root)
		return NULL;
	edit(root);
	buf = json_dumps(root, JSON_PRESERVE_ORDER);
	json_decref(root);
	return buf;
}

/* Parse the snapshot after edit(root); expect ret and want in the
 * message. */
static void refused(void (*edit)(json_t *), int ret, const char *want)
{
	struct snapshot s = { .rs = NULL };
	char err[1024] = "", *buf = edited(edit);

	if (!buf)
		return;
	CHECK_EQ(snapfile_parse(buf, strlen(buf), "t.json", FLAGS, &s, err,
				sizeof(err)), ret);
	CHECK(s.rs == NULL && s.host == NULL);
	if (!strstr(err, want) || strncmp(err, "t.json", 6))
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err, want);
	CHECK(strstr(err, want) != NULL);
	free(buf);
}

static void vnext(json_t *r)
{
	json_object_set_new(r, "version", json_integer(SNAPFILE_VERSION + 1));
}
static void v0(json_t *r) { json_object_set_new(r, "version", json_integer(0)); }
static void vstr(json_t *r) { json_object_set_new(r, "version", json_string("1")); }
static void fmt(json_t *r) { json_object_set_new(r, "format", json_string("x")); }
static void nosys(json_t *r) { json_object_del(r, "sysctl"); }
static void extra(json_t *r) { json_object_set_new(r, "surprise", json_true()); }
static void nonft(json_t *r) { json_object_del(r, "nftables"); }

static void badb64(json_t *r)
{
	json_object_set_new(json_object_get(r, "rtnetlink"), "recording",
			    json_string("AAA*"));
}

static void shortrec(json_t *r)
{
	/* a whole netlink header announcing more than follows */
	json_object_set_new(json_object_get(r, "sock_diag"), "recording",
			    json_string("/wAAABQAAQMAAAAAAAAAAA=="));
}

static void ghost_owner(json_t *r)
{
	json_array_append_new(json_object_get(r, "owners"),
			      json_pack("{s:i,s:i}", "inode", 1, "pid", 7));
}

static void bad_sysctl(json_t *r)
{
	json_object_set_new(json_object_get(r, "sysctl"), "ip_forward",
			    json_integer(-5));
}

/* optional where the kernel has IPVS, bounded like the others */
static void bad_ipvs_ct(json_t *r)
{
	json_object_set_new(json_object_get(r, "sysctl"), "ipvs_conntrack",
			    json_integer(-5));
}

static void bad_link(json_t *r)
{
	json_t *l = json_array_get(json_object_get(json_object_get(r,
					"sysctl"), "links"), 0);

	json_object_set_new(l, "name", json_string("nosuchif0"));
}

static void bad_container(json_t *r)
{
	json_array_append_new(json_object_get(json_object_get(r, "docker"),
					      "containers"),
			      json_pack("{s:i,s:s,s:s,s:s}", "family", 4,
					"addr", "2001:db8::1", "name", "a",
					"image", "b"));
}

static void nul_save(json_t *r)
{
	/* "-A\0" */
	json_object_set_new(json_object_get(json_object_get(r, "legacy"),
					    "ipv4"), "save",
			    json_string("LUEA"));
}

/* version 1 never had ruleset_text */
static void v1_text(json_t *r)
{
	json_object_set_new(r, "ruleset_text", json_object());
}

static void v2_notext(json_t *r)
{
	json_object_set_new(r, "version", json_integer(2));
}

static void v2_nul(json_t *r)
{
	json_object_set_new(r, "version", json_integer(2));
	json_object_set_new(r, "ruleset_text", json_pack("{s:s}", "ip4",
							 "LUEA"));
}

/* version 2: the corpus file (version 1) with texts for fix */
static void v2_text(json_t *r)
{
	json_object_set_new(r, "version", json_integer(2));
	/* "table ip t {}\n" and "*filter\n" */
	json_object_set_new(r, "ruleset_text", json_pack("{s:s,s:s}",
			    "nft", "dGFibGUgaXAgdCB7fQo=", "ip6",
			    "KmZpbHRlcgo="));
}

static void test_v2(void)
{
	struct snapshot s = { .rs = NULL };
	char err[1024] = "", *buf = edited(v2_text);

	if (!buf)
		return;
	CHECK_EQ(snapfile_parse(buf, strlen(buf), "t.json", FLAGS, &s, err,
				sizeof(err)), 0);
	CHECK(s.have_text);
	CHECK_STR(s.text[SNAPSHOT_TEXT_NFT], "table ip t {}\n");
	CHECK_EQ(s.text_len[SNAPSHOT_TEXT_NFT], 14);
	CHECK_STR(s.text[SNAPSHOT_TEXT_IP6], "*filter\n");
	CHECK(s.text[SNAPSHOT_TEXT_IP4] == NULL);
	/* the legacy text of the file is the one fix loads */
	CHECK(s.text[SNAPSHOT_TEXT_LG4] != NULL);
	snapshot_release(&s);
	free(buf);
}

/* bpf.netfilter: two netfilter BPF links, as bpfq.c records them */
static json_t *nf_link(long long link, int pf, int hook, int prio,
		       const char *name, const char *tag)
{
	return json_pack("{s:I,s:I,s:i,s:i,s:i,s:i,s:s,s:s}", "link", link,
			 "prog", link + 100, "pf", pf, "hook", hook,
			 "priority", prio, "flags", 0, "name", name, "tag", tag);
}

static void nf_links(json_t *r)
{
	json_object_set_new(r, "bpf", json_pack("{s:i,s:[],s:[o,o],s:i}",
			    "error", 0, "links", "netfilter",
			    nf_link(7, 2, 1, 10, "fwa_nf", "59f4a931744dcdc6"),
			    nf_link(9, 10, 0, -250, "", ""),
			    "netfilter_error", 0));
}

static void nf_badtag(json_t *r)
{
	nf_links(r);
	json_object_set_new(json_array_get(json_object_get(json_object_get(r,
			    "bpf"), "netfilter"), 0), "tag",
			    json_string("59F4A931744DCDC6"));
}

static void nf_order(json_t *r)
{
	nf_links(r);
	json_object_set_new(json_array_get(json_object_get(json_object_get(r,
			    "bpf"), "netfilter"), 1), "link", json_integer(7));
}

static void nf_noerr(json_t *r)
{
	nf_links(r);
	json_object_del(json_object_get(r, "bpf"), "netfilter_error");
}

static void nf_blank(json_t *r)
{
	nf_links(r);
	json_object_set_new(json_array_get(json_object_get(json_object_get(r,
			    "bpf"), "netfilter"), 0), "name",
			    json_string("a b"));
}

static void test_nfbpf(void)
{
	struct snapshot s = { .rs = NULL };
	char err[1024] = "", *buf = edited(nf_links);
	const struct host_nfbpf *p;

	if (!buf)
		return;
	CHECK_EQ(snapfile_parse(buf, strlen(buf), "t.json", FLAGS, &s, err,
				sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "%s\n", err);
	CHECK(s.host != NULL);
	if (s.host) {
		CHECK_EQ(s.host->nnfbpf, 2);
		CHECK_EQ(s.host->nfbpf_error, 0);
		p = &s.host->nfbpf[0];
		CHECK_EQ(p->link_id, 7);
		CHECK_EQ(p->prog_id, 107);
		CHECK_EQ(p->pf, 2);
		CHECK_EQ(p->hooknum, 1);
		CHECK_EQ(p->priority, 10);
		CHECK_STR(p->name, "fwa_nf");
		CHECK_STR(p->tag, "59f4a931744dcdc6");
		CHECK_EQ(s.host->nfbpf[1].priority, -250);
		CHECK_STR(s.host->nfbpf[1].name, "");
	}
	snapshot_release(&s);
	free(buf);
	refused(nf_badtag, -EBADMSG, "bpf.netfilter[0]: a name or tag");
	refused(nf_blank, -EBADMSG, "bpf.netfilter[0]: a name or tag");
	refused(nf_order, -EBADMSG, "bpf.netfilter[1]: links out of order");
	refused(nf_noerr, -EBADMSG, "bpf.netfilter_error: missing");
}

static void test_refused(void)
{
	struct snapshot s;
	char err[1024];
	size_t cut;

	refused(vnext, -EPROTONOSUPPORT, "version 4 is newer than this fwaudit");
	refused(v1_text, -EBADMSG, "ruleset_text: no such field in snapshot "
		"format version 1");
	refused(v2_notext, -EBADMSG, "ruleset_text: missing");
	refused(v2_nul, -EBADMSG, "ruleset_text.ip4: holds a NUL");
	refused(v0, -EPROTONOSUPPORT, "version 0 was never written");
	refused(vstr, -EBADMSG, "version: not an integer");
	refused(fmt, -EBADMSG, "not an fwaudit snapshot");
	refused(nosys, -EBADMSG, "sysctl: missing");
	refused(extra, -EBADMSG, "surprise: no such field");
	refused(nonft, -EBADMSG, "nftables: missing");
	refused(badb64, -EBADMSG, "rtnetlink.recording: not base64");
	refused(shortrec, -EBADMSG, "sock_diag.recording: the recorded "
		"conversation does not replay");
	refused(ghost_owner, -EBADMSG, "owners");
	refused(bad_sysctl, -EBADMSG, "sysctl.ip_forward: -5 is outside");
	refused(bad_ipvs_ct, -EBADMSG, "sysctl.ipvs_conntrack: -5 is outside");
	refused(bad_link, -EBADMSG, "sysctl.links[0]: no recorded link");
	refused(bad_container, -EBADMSG, "addr is not an address");
	refused(nul_save, -EBADMSG, "legacy.ipv4.save: holds a NUL");
	/* every cut of the file is refused, naming the file and offset */
	for (cut = 0; cut < textlen; cut += 61) {
		err[0] = '\0';
		CHECK(snapfile_parse(text, cut, "t.json", FLAGS, &s, err,
				     sizeof(err)) < 0);
		CHECK(!strncmp(err, "t.json", 6));
	}
	CHECK_EQ(snapfile_parse("{\"format\": 1, \"format\": 2}", 26,
				"t.json", FLAGS, &s, err, sizeof(err)),
		 -EBADMSG);
	CHECK(strstr(err, "duplicate") != NULL);
}

/* text with its rtnetlink recording's string replaced by rec (NULL: kept)
 * and what follows the string by tail (NULL: kept). */
static char *with_rtnl(const char *rec, const char *tail)
{
	static const char key[] = "\"rtnetlink\": {\n  \"recording\": \"";
	const char *a = strstr(text, key), *b;
	char *out;

	if (!a)
		return NULL;
	a += sizeof(key) - 1;
	b = strchr(a, '"');
	out = malloc(textlen + (rec ? strlen(rec) : 0) +
		     (tail ? strlen(tail) : 0) + 1);
	if (!b || !out) {
		free(out);
		return NULL;
	}
	sprintf(out, "%.*s%.*s%s", (int)(a - text), text,
		rec ? (int)strlen(rec) : (int)(b - a), rec ? rec : a,
		tail ? tail : b);
	return out;
}

/* doc parsed from memory (the text kept, strings decoded where they are
 * read) and loaded from a file (decoded ahead, the text freed first):
 * want and msg both times, the same message. */
static void parses_as(const char *doc, int want, const char *msg)
{
	char path[] = "/tmp/t.json.XXXXXX", err[1024] = "", err2[1024] = "";
	struct snapshot s;
	int ret, fd;

	CHECK(doc != NULL);
	if (!doc)
		return;
	CHECK(snapfile_scan_agrees(doc, strlen(doc)));
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
	close(fd);
	ret = snapfile_parse(doc, strlen(doc), path, FLAGS, &s, err,
			     sizeof(err));
	CHECK_EQ(ret, want);
	if (!ret)
		snapshot_release(&s);
	if (msg && !strstr(err, msg))
		fprintf(stderr, "got: %s\n", err);
	CHECK(!msg || strstr(err, msg) != NULL);
	ret = snapfile_load(path, FLAGS, &s, err2, sizeof(err2));
	CHECK_EQ(ret, want);
	if (!ret)
		snapshot_release(&s);
	CHECK(strcmp(err, err2) == 0);
	unlink(path);
}

/* The walk that leaves big base64 strings in the text (snapfile.c,
 * scan_doc) reads what json_loadb() reads and refuses what it refuses,
 * with the same messages: the fixture's rtnetlink recording (2,240
 * characters: a big one) with padding in its middle, in a chunk before
 * the last, escaped, given twice, cut. */
static void test_scan(void)
{
	const char *b = strstr(text, "\"rtnetlink\"");
	char *big = malloc(200001), *doc, *rec = NULL;
	size_t i;

	CHECK(snapfile_scan_agrees(text, textlen));
	CHECK(b != NULL && big != NULL);
	if (!b || !big)
		goto out;
	/* as it is: read */
	doc = with_rtnl(NULL, NULL);
	parses_as(doc, 0, NULL);
	free(doc);
	rec = with_rtnl(NULL, "");
	/* rec: the text up to the end of the recording's characters */
	if (rec) {
		const char *r = strstr(rec, "\"rtnetlink\": {\n  \"recording\": \"");

		memmove(rec, r + 31, strlen(r + 31) + 1);
	}
	CHECK(rec != NULL && strlen(rec) > 1024);
	if (!rec)
		goto out;
	/* padding in the middle: not base64 */
	rec[400] = '=';
	doc = with_rtnl(rec, NULL);
	parses_as(doc, -EBADMSG, ": rtnetlink.recording: not base64");
	free(doc);
	rec[400] = 'A';
	/* a '/' escaped: not a big string to the walk; jansson reads it,
	 * and the recording (now with an A) still decodes */
	doc = malloc(strlen(rec) + 8);
	if (doc) {
		sprintf(doc, "\\/%s", rec + 1);
		free(rec);
		rec = doc;
		doc = with_rtnl(rec, NULL);
		/* '/' first: decodes, replays not */
		parses_as(doc, -EBADMSG, ": rtnetlink.recording: the "
			  "recorded conversation does not replay");
		free(doc);
	}
	/* a big string of many chunks, padding ('=') in the second */
	for (i = 0; i < 200000; i++)
		big[i] = "QUJD"[i % 4];
	big[200000] = '\0';
	big[70000] = '=';
	doc = with_rtnl(big, NULL);
	parses_as(doc, -EBADMSG, ": rtnetlink.recording: not base64");
	free(doc);
	/* padding at the very end of many chunks: decodes, replays not */
	big[70000] = 'Q';
	big[199999] = '=';
	doc = with_rtnl(big, NULL);
	parses_as(doc, -EBADMSG, "rtnetlink.recording: the recorded "
		  "conversation does not replay");
	free(doc);
	/* the member twice: jansson's message */
	doc = with_rtnl(big, "\", \"recording\": \"QUJD\"");
	if (doc) {
		char *end = strstr(doc, "\"QUJD\"");

		end = end ? strchr(end + 6, '"') : NULL;
		/* the tail stands where the closing quote stood: drop the
		 * original closing quote that follows it */
		if (end)
			memmove(end, end + 1, strlen(end));
	}
	parses_as(doc, -EBADMSG, "duplicate object key");
	free(doc);
	/* a long base64 string where no blob is: still judged as a string
	 * (a host name too long), not left in the text */
	doc = malloc(textlen + 2000);
	if (doc) {
		const char *h = strstr(text, "\"hostname\": \"");
		const char *he = h ? strchr(h + 13, '"') : NULL;

		if (he)
			sprintf(doc, "%.*s%.1500s%s", (int)(h + 13 - text),
				text, big, he);
		parses_as(he ? doc : NULL, -EBADMSG,
			  ": hostname: too long or holds a NUL");
	}
	free(doc);
	/* cut in the middle of the big string: jansson's message, with the
	 * line and column */
	doc = with_rtnl(big, NULL);
	if (doc) {
		struct snapshot s;
		char err[1024] = "";
		size_t cut = (size_t)(strstr(doc, big) - doc) + 100000;

		CHECK(snapfile_scan_agrees(doc, cut));
		CHECK_EQ(snapfile_parse(doc, cut, "t.json", FLAGS, &s, err,
					sizeof(err)), -EBADMSG);
		CHECK(strstr(err, "not a snapshot (byte") != NULL);
	}
	free(doc);
out:
	free(rec);
	free(big);
}

/* The recording at key.recording of the fixture, decoded into fd. */
static void put_recording(json_t *root, const char *key, int fd)
{
	const char *b = json_string_value(json_object_get(
				json_object_get(root, key), "recording"));
	size_t n = b ? strlen(b) : 0, len = 0;
	uint8_t *buf = malloc(n / 4 * 3 + 3);

	CHECK(b && buf);
	if (!b || !buf)
		goto out;
	CHECK_EQ(base64_decode(b, n, buf, n / 4 * 3 + 3, &len), 0);
	CHECK_EQ(write(fd, buf, len), (ssize_t)len);
out:
	free(buf);
}

/* Fill rec's memfds as the readers would have: the fixture's recordings,
 * and a big IPVS one that is not a multiple of the writer's chunks. */
static void record_like(struct snapfile_rec *rec, json_t *root,
			const uint8_t *big, size_t biglen)
{
	uint64_t t = rec->taken_usec;

	CHECK_EQ(snapfile_record_begin(rec), 0);
	rec->taken_usec = t;
	put_recording(root, "nftables", rec->nft_fd);
	put_recording(root, "rtnetlink", rec->rtnl_fd);
	put_recording(root, "sock_diag", rec->diag_fd);
	CHECK_EQ(write(rec->ipvs_fd, big, biglen), (ssize_t)biglen);
}

/* snapfile_record_write() (streamed) writes the bytes snapfile_write()
 * writes of snapfile_record_end()'s document (the tree), with recordings
 * and texts larger than the writer's chunks and of every length mod 3. */
static void test_stream_writer(void)
{
	char dir[] = "/tmp/snapstream.XXXXXX", pa[64], pb[64], err[1024];
	struct snapfile_rec rec = { .taken_usec = 1796582851564580ull };
	struct snapshot s;
	json_t *root, *doc = NULL;
	size_t la = 0, lb = 0, biglen, i;
	char *a = NULL, *b = NULL;
	uint8_t *big;
	int k;

	root = json_loadb(text, textlen, 0, NULL);
	CHECK(root != NULL);
	CHECK(mkdtemp(dir) != NULL);
	CHECK_EQ(snapfile_parse(text, textlen, "t.json", FLAGS, &s, err,
				sizeof(err)), 0);
	big = malloc(300001);
	CHECK(big != NULL);
	if (!root || !big)
		goto out;
	for (i = 0; i < 300001; i++)
		big[i] = (uint8_t)(i * 2654435761u >> 13);
	for (k = 0; k < 3; k++) {
		biglen = 300001 - (size_t)k;
		/* a text longer than a chunk, and one that is not */
		free(s.text[SNAPSHOT_TEXT_NFT]);
		s.text[SNAPSHOT_TEXT_NFT] = malloc(biglen + 1);
		CHECK(s.text[SNAPSHOT_TEXT_NFT] != NULL);
		if (!s.text[SNAPSHOT_TEXT_NFT])
			break;
		memset(s.text[SNAPSHOT_TEXT_NFT], 'x', biglen);
		s.text[SNAPSHOT_TEXT_NFT][biglen] = '\0';
		s.text_len[SNAPSHOT_TEXT_NFT] = biglen;
		snprintf(pa, sizeof(pa), "%s/a", dir);
		snprintf(pb, sizeof(pb), "%s/b", dir);
		record_like(&rec, root, big, biglen);
		CHECK_EQ(snapfile_record_end(&rec, &s, &doc, err, sizeof(err)),
			 0);
		CHECK_EQ(snapfile_write(doc, pa), 0);
		json_decref(doc);
		doc = NULL;
		record_like(&rec, root, big, biglen);
		CHECK_EQ(snapfile_record_write(&rec, &s, pb, err, sizeof(err)),
			 0);
		a = b = NULL;
		CHECK_EQ(readfile_path(pa, SIZE_MAX, &a, &la), 0);
		CHECK_EQ(readfile_path(pb, SIZE_MAX, &b, &lb), 0);
		CHECK(a && b && la > 2 * biglen);
		CHECK(a && b && la == lb && memcmp(a, b, la) == 0);
		/* and it reads back, up to the made-up IPVS recording */
		if (b) {
			struct snapshot s2;

			CHECK_EQ(snapfile_parse(b, lb, "b", FLAGS, &s2, err,
						sizeof(err)), -EBADMSG);
			CHECK(strstr(err, "b: ipvs.recording: the recorded "
				     "conversation does not replay") != NULL);
		}
		free(a);
		free(b);
		unlink(pa);
		unlink(pb);
	}
	rmdir(dir);
out:
	free(big);
	snapshot_release(&s);
	json_decref(root);
}

/* Thousands of damaged copies of the fixture (bytes changed, cut, a
 * recording's characters repeated): the walk and the whole-file parse
 * (SNAPFILE_WHOLE) give the same result and the same message. */
static void test_scan_mutants(void)
{
	uint32_t seed = 12345;
	size_t i, j, n, bad = 0;
	char *m = malloc(textlen * 2 + 1);
	char err[1024], err2[1024];
	struct snapshot s;
	int r1, r2;

	CHECK(m != NULL);
	for (i = 0; m && i < 3000; i++) {
		memcpy(m, text, textlen);
		n = textlen;
		for (j = 0; j < 1 + i % 3; j++) {
			size_t at;

			seed = seed * 1103515245u + 12345u;
			at = (seed >> 8) % n;
			switch ((seed >> 4) % 4) {
			case 0:	/* a byte changed */
				m[at] = "A=\"\\{}[],:/ 0x"[(seed >> 20) % 14];
				break;
			case 1:	/* cut */
				n = at;
				break;
			case 2:	/* a stretch repeated */
				if (n + 600 <= textlen * 2) {
					memmove(m + at + 600, m + at, n - at);
					n += 600;
				}
				break;
			default: /* a byte deleted */
				memmove(m + at, m + at + 1, n - at - 1);
				n--;
			}
			if (!n)
				break;
		}
		if (!snapfile_scan_agrees(m, n))
			bad++;
		err[0] = err2[0] = '\0';
		r1 = snapfile_parse(m, n, "m", FLAGS, &s, err, sizeof(err));
		if (!r1)
			snapshot_release(&s);
		r2 = snapfile_parse(m, n, "m", FLAGS | SNAPFILE_WHOLE, &s,
				    err2, sizeof(err2));
		if (!r2)
			snapshot_release(&s);
		if (r1 != r2 || strcmp(err, err2)) {
			if (!bad)
				fprintf(stderr, "mutant %zu: %d %s / %d %s\n",
					i, r1, err, r2, err2);
			bad++;
		}
	}
	CHECK_EQ(bad, 0);
	free(m);
}

/* A container namespace as the writer records it: the fixture's own
 * members under a container's name. */
static json_t *netns_entry(json_t *root, const char *name)
{
	static const char *const keys[] = { "nftables", "legacy",
		"rtnetlink", "sock_diag", "owners", "sysctl", NULL };
	json_t *o = json_pack("{s:s,s:s,s:i,s:s}", "name", name, "image",
			      "busybox", "runtime", 0, "driver", "macvlan");
	size_t i;

	for (i = 0; o && keys[i]; i++)
		json_object_set(o, keys[i], json_object_get(root, keys[i]));
	return o;
}

static void netns_unknown(json_t *root)
{
	json_t *e = netns_entry(root, "mv-fw");

	json_object_set_new(e, "colour", json_string("blue"));
	json_object_set_new(root, "container_netns", json_pack("[o]", e));
}

static void netns_runtime(json_t *root)
{
	json_t *e = netns_entry(root, "mv-fw");

	json_object_set_new(e, "runtime", json_integer(DOCKER_RT_N));
	json_object_set_new(root, "container_netns", json_pack("[o]", e));
}

static void netns_error_more(json_t *root)
{
	json_t *e = netns_entry(root, "mv-fw");

	json_object_set_new(e, "error", json_integer(2));
	json_object_set_new(e, "why", json_string("entering its namespace"));
	json_object_set_new(root, "container_netns", json_pack("[o]", e));
}

static void netns_empty(json_t *root)
{
	json_object_set_new(root, "container_netns", json_array());
}

static void netns_bad_recording(json_t *root)
{
	json_t *e = netns_entry(root, "mv-fw");

	json_object_set_new(e, "rtnetlink", json_pack("{s:s}", "recording",
						      "AAAA"));
	json_object_set_new(root, "container_netns", json_pack("[o]", e));
}

static void netns_swarm_bad(json_t *root)
{
	json_t *e = netns_entry(root, "mv-fw");

	json_object_set_new(e, "swarm_ingress_sbox", json_pack("{s:i,s:[s],"
			    "s:[],s:b}", "error", 0, "addrs", "2001:db8::1",
			    "marks", "marks_exact", 1));
	json_object_set_new(root, "container_netns", json_pack("[o]", e));
}

static void netns_swarm(json_t *root)
{
	json_t *e = netns_entry(root, "mv-fw");

	json_object_set_new(e, "swarm_ingress_sbox", json_pack("{s:i,s:[s],"
			    "s:[],s:b}", "error", -1, "addrs", "172.18.0.2",
			    "marks", "marks_exact", 1));
	json_object_set_new(root, "container_netns", json_pack("[o]", e));
}

/* Swarm's ingress sandbox as swarm.c read it from inside a container's
 * namespace (it opens the sandbox by its path, from any namespace): the
 * entry's own, replayed into that namespace's host as the top level's is
 * into the host's; refused, the entry named, when wrong. */
static void test_netns_swarm(void)
{
	struct snapshot s = { .rs = NULL };
	char err[1024] = "", *buf = edited(netns_swarm);

	CHECK(buf != NULL);
	if (!buf)
		return;
	CHECK_EQ(snapfile_parse(buf, strlen(buf), "t.json", FLAGS, &s, err,
				sizeof(err)), 0);
	CHECK_EQ(s.nnetns, 1);
	if (s.nnetns == 1 && s.netns[0].snap.host) {
		const struct host_swarm *w = &s.netns[0].snap.host->swarm;

		CHECK(w->present);
		CHECK_EQ(w->error, -1);
		CHECK_EQ(w->naddrs, 1);
		CHECK(w->naddrs == 1 && w->addrs[0] == 0xac120002u);
	}
	/* the host's own: none in the fixture */
	CHECK(s.host && !s.host->swarm.present);
	snapshot_release(&s);
	free(buf);
	refused(netns_swarm_bad, -EBADMSG, "t.json: container_netns[0]: "
		"swarm_ingress_sbox.addrs");
}

/* "container_netns": recorded by the writer (streamed and as a tree, the
 * same bytes), read back into the same snapshot as the host's own members
 * give, a namespace that could not be read kept as its error; and refused
 * when an entry is wrong, the entry named. */
static void test_netns(void)
{
	char dir[] = "/tmp/snapnetns.XXXXXX", pa[64], pb[64], err[1024];
	struct snapfile_rec rec = { .taken_usec = 1796582851564580ull };
	struct snapshot s, s2, s3;
	json_t *root, *doc = NULL;
	char *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;
	int k;

	root = json_loadb(text, textlen, 0, NULL);
	CHECK(root != NULL);
	CHECK(mkdtemp(dir) != NULL);
	CHECK_EQ(snapfile_parse(text, textlen, "t.json", FLAGS, &s, err,
				sizeof(err)), 0);
	if (!root)
		goto out;
	snprintf(pa, sizeof(pa), "%s/a", dir);
	snprintf(pb, sizeof(pb), "%s/b", dir);
	for (k = 0; k < 2; k++) {
		uint64_t t = rec.taken_usec;

		CHECK_EQ(snapfile_record_begin(&rec), 0);
		rec.taken_usec = t;
		put_recording(root, "nftables", rec.nft_fd);
		put_recording(root, "rtnetlink", rec.rtnl_fd);
		put_recording(root, "sock_diag", rec.diag_fd);
		rec.netns = json_pack("[o,{s:s,s:s,s:i,s:s,s:i,s:s}]",
				      netns_entry(root, "mv-fw"),
				      "name", "mv-gone", "image", "",
				      "runtime", 0, "driver", "ipvlan",
				      "error", ENOENT, "why",
				      "entering its namespace");
		CHECK(rec.netns != NULL);
		if (!k) {
			CHECK_EQ(snapfile_record_end(&rec, &s, &doc, err,
						     sizeof(err)), 0);
			CHECK_EQ(snapfile_write(doc, pa), 0);
			json_decref(doc);
			doc = NULL;
		} else {
			CHECK_EQ(snapfile_record_write(&rec, &s, pb, err,
						       sizeof(err)), 0);
		}
		CHECK(rec.netns == NULL);
	}
	CHECK_EQ(readfile_path(pa, SIZE_MAX, &a, &la), 0);
	CHECK_EQ(readfile_path(pb, SIZE_MAX, &b, &lb), 0);
	CHECK(a && b && la == lb && memcmp(a, b, la) == 0);
	if (!b)
		goto out;
	CHECK_EQ(snapfile_parse(b, lb, "b", FLAGS, &s2, err, sizeof(err)), 0);
	CHECK_EQ(snapfile_parse(b, lb, "b", FLAGS | SNAPFILE_WHOLE, &s3, err,
				sizeof(err)), 0);
	CHECK_EQ(s2.nnetns, 2);
	CHECK_EQ(s3.nnetns, 2);
	if (s2.nnetns == 2) {
		const struct snapshot_netns *e = &s2.netns[0];

		CHECK_STR(e->name, "mv-fw");
		CHECK_STR(e->image, "busybox");
		CHECK_STR(e->driver, "macvlan");
		CHECK_EQ(e->error, 0);
		CHECK(e->snap.rs && e->snap.host);
		if (e->snap.rs && e->snap.host) {
			CHECK_EQ(e->snap.rs->nsources, s.rs->nsources);
			CHECK_EQ(e->snap.host->nlinks, s.host->nlinks);
			CHECK_EQ(e->snap.host->naddrs, s.host->naddrs);
			CHECK_EQ(e->snap.host->nlisteners,
				 s.host->nlisteners);
		}
		e = &s2.netns[1];
		CHECK_STR(e->name, "mv-gone");
		CHECK_STR(e->driver, "ipvlan");
		CHECK_EQ(e->error, -ENOENT);
		CHECK_STR(e->why, "entering its namespace");
		CHECK(!e->snap.rs && !e->snap.host);
	}
	/* the host's own members are what they were */
	CHECK(s2.host && s2.host->nlinks == s.host->nlinks);
	snapshot_release(&s2);
	snapshot_release(&s3);
out:
	free(a);
	free(b);
	unlink(pa);
	unlink(pb);
	rmdir(dir);
	snapshot_release(&s);
	json_decref(root);
	/* nsaudit's own reads leave a recording under way alone */
	{
		char *saved[SNAPFILE_NRECS];

		CHECK_EQ(setenv("FWAUDIT_NFT_RECORD", "/x", 1), 0);
		CHECK_EQ(snapfile_record_pause(saved), 0);
		CHECK(getenv("FWAUDIT_NFT_RECORD") == NULL);
		CHECK(getenv("FWAUDIT_RTNL_RECORD") == NULL);
		CHECK_EQ(snapfile_record_resume(saved), 0);
		CHECK_STR(getenv("FWAUDIT_NFT_RECORD"), "/x");
		CHECK(getenv("FWAUDIT_RTNL_RECORD") == NULL);
		unsetenv("FWAUDIT_NFT_RECORD");
	}
	refused(netns_unknown, -EBADMSG, "t.json: container_netns[0]: colour: "
		"no such field in snapshot format version");
	refused(netns_runtime, -EBADMSG, "t.json: container_netns[0]: "
		"runtime");
	refused(netns_error_more, -EBADMSG, "t.json: container_netns[0]: "
		"error: a namespace that could not be read holds nothing");
	refused(netns_empty, -EBADMSG, "t.json: container_netns: empty");
	refused(netns_bad_recording, -EBADMSG, "t.json: container_netns[0]: "
		"rtnetlink.recording");
}

int main(void)
{
	const char *src = getenv("top_srcdir");
	char path[4096];

	snprintf(path, sizeof(path),
		 "%s/tests/fuzz/corpus/snapshot/nft-legacy.json",
		 src ? src : ".");
	if (load_text(path) < 0) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	test_good();
	test_refused();
	test_v2();
	test_nfbpf();
	test_stream_writer();
	test_netns_swarm();
	test_netns();
	test_scan();
	test_scan_mutants();
	free(text);
	return unit_done();
}
