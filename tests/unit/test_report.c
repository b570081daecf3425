// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_report.c - the text of report rows, without privileges: the
 * static helpers of report.c are reached by including it.
 */
#include "report.c"
#include "unit.h"

static char *display(uint8_t family, const char *const *l, size_t n)
{
	struct strbuf b = STRBUF_INIT;

	report_sources_text(&b, NULL, family, (char *const *)l, n);
	return strbuf_take(&b);
}

/* A port reachable from a few separate networks: the sources_display()
 * of old wrote the gaps over the prefixes it was still reading and
 * printed "any except 0.0.0.0/0" for them. */
static void test_display_separate(void)
{
	static const char *const four[] = {
		"10.1.0.0/16", "192.0.2.0/24", "198.51.100.0/24",
		"203.0.113.0/24",
	};
	char *s = display(NFPROTO_IPV4, four, 4);

	CHECK_STR(s, "10.1.0.0/16,192.0.2.0/24,198.51.100.0/24,"
		  "203.0.113.0/24");
	free(s);
}

/* Everything but 127.0.0.0/8 reads as what it leaves out (no policy:
 * the built-in zones). */
static void test_display_except(void)
{
	static const char *const most[] = {
		"0.0.0.0/2", "64.0.0.0/3", "96.0.0.0/4", "112.0.0.0/5",
		"120.0.0.0/6", "124.0.0.0/7", "126.0.0.0/8", "128.0.0.0/1",
	};
	char *s = display(NFPROTO_IPV4, most, 8);

	CHECK_STR(s, "any except 127.0.0.0/8");
	free(s);
	s = NULL;
	{
		struct srcview *sv = NULL;
		struct strbuf b = STRBUF_INIT;

		CHECK_EQ(srcview_new(NULL, &sv), 0);
		report_sources_text(&b, sv, NFPROTO_IPV4, (char *const *)most,
				    8);
		s = strbuf_take(&b);
		CHECK_STR(s, "any except loopback");
		srcview_free(sv);
	}
	free(s);
}

int main(void)
{
	test_display_separate();
	test_display_except();
	return unit_done();
}
