// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Feed parsers: every format, bad lines with numbers, BOM, CRLF, IDN, speed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "formats/feed_parse.h"

#define MAX_SEEN 64

struct seen {
	struct fw_feed_entry e[MAX_SEEN];
	size_t ne;
	unsigned long bad_line[MAX_SEEN];
	char bad[MAX_SEEN][512];
	size_t nbad;
	unsigned long skip_line[MAX_SEEN];
	char skip[MAX_SEEN][512];
	size_t nskip;
	size_t stop_after; /* 0: never stop */
};

static int on_entry(const struct fw_feed_entry *e, void *ctx)
{
	struct seen *s = ctx;

	if (s->ne < MAX_SEEN)
		s->e[s->ne] = *e;
	s->ne++;
	return s->stop_after && s->ne >= s->stop_after;
}

static void on_invalid(unsigned long line, const char *reason, void *ctx)
{
	struct seen *s = ctx;

	if (s->nbad < MAX_SEEN) {
		s->bad_line[s->nbad] = line;
		snprintf(s->bad[s->nbad], sizeof(s->bad[0]), "%s", reason);
	}
	s->nbad++;
}

static void on_unsupported(unsigned long line, const char *reason, void *ctx)
{
	struct seen *s = ctx;

	if (s->nskip < MAX_SEEN) {
		s->skip_line[s->nskip] = line;
		snprintf(s->skip[s->nskip], sizeof(s->skip[0]), "%s", reason);
	}
	s->nskip++;
}

static int parse_text(const char *text, enum fw_feed_format fmt, bool exact, struct seen *s,
		      struct fw_feed_stats *st)
{
	struct fw_feed_opts o = {.format = fmt, .exact = exact};
	struct fw_feed_callbacks cb = {on_entry, on_invalid, on_unsupported, s};
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	char err[256];
	int ret;

	assert_non_null(f);
	ret = fw_feed_parse(f, &o, &cb, st, err, sizeof(err));
	fclose(f);
	return ret;
}

static void assert_entry(const struct seen *s, size_t i, const char *name, enum fw_feed_match match,
			 enum fw_feed_list list, enum fw_action action, unsigned long line)
{
	assert_true(i < s->ne);
	assert_string_equal(s->e[i].name, name);
	assert_int_equal(s->e[i].match, match);
	assert_int_equal(s->e[i].list, list);
	assert_int_equal(s->e[i].action, action);
	assert_int_equal(s->e[i].line, line);
}

static void assert_bad(const struct seen *s, size_t i, unsigned long line, const char *needle)
{
	assert_true(i < s->nbad);
	assert_int_equal(s->bad_line[i], line);
	if (!strstr(s->bad[i], needle))
		fail_msg("reason for line %lu is \"%s\"; expected it to mention \"%s\"", line,
			 s->bad[i], needle);
}

/* --- plain --- */

static void test_plain_comments_and_defaults(void **state)
{
	const char *text = "# a comment\n"
			   "; another\n"
			   "! and another\n"
			   "\n"
			   "Evil.Example\n"
			   "   second.example.   \n"
			   "third.example # trailing comment\n"
			   "*.wild.example\n";
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(parse_text(text, FW_FEED_PLAIN, false, &s, &st), 0);
	assert_int_equal(s.ne, 4);
	assert_int_equal(s.nbad, 0);
	assert_entry(&s, 0, "evil.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 5);
	assert_entry(&s, 1, "second.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 6);
	assert_entry(&s, 2, "third.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 7);
	assert_entry(&s, 3, "wild.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 8);
	assert_int_equal(st.lines, 8);
	assert_int_equal(st.entries, 4);
}

static void test_plain_exact_keeps_explicit_wildcards(void **state)
{
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(parse_text("a.example\n*.b.example\n", FW_FEED_PLAIN, true, &s, &st), 0);
	assert_entry(&s, 0, "a.example", FW_FEED_EXACT, FW_FEED_BLOCK, FW_ACT_DEFAULT, 1);
	assert_entry(&s, 1, "b.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 2);
}

static void test_plain_bad_lines_reported_with_numbers(void **state)
{
	char long_label[100];
	char text[1024];
	struct fw_feed_stats st;
	struct seen s = {0};

	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	snprintf(text, sizeof(text),
		 "good.example\n"
		 "exa$mple.com\n"
		 "two names.example\n"
		 "192.0.2.1\n"
		 "http://evil.example/path\n"
		 "%s.example\n"
		 "ev*l.example\n"
		 "a..b\n"
		 "also-good.example\n",
		 long_label);
	assert_int_equal(parse_text(text, FW_FEED_PLAIN, false, &s, &st), 0);
	assert_int_equal(s.ne, 2);
	assert_entry(&s, 0, "good.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 1);
	assert_entry(&s, 1, "also-good.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 9);
	assert_int_equal(st.invalid, 7);
	assert_int_equal(s.nbad, 7);
	assert_bad(&s, 0, 2, "'$' at byte 4");
	assert_bad(&s, 1, 3, "one name per line");
	assert_bad(&s, 2, 4, "IP address");
	assert_bad(&s, 3, 5, "URL");
	assert_bad(&s, 4, 6, "limit is 63");
	assert_bad(&s, 5, 7, "'*' is only allowed as a whole first label");
	assert_bad(&s, 6, 8, "empty label");
}

static void test_bom_crlf_trailing_blanks(void **state)
{
	const char *text = "\xef\xbb\xbf"
			   "first.example\r\n"
			   "second.example \t\r\n"
			   "# comment\r\n"
			   "third.example";
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(parse_text(text, FW_FEED_AUTO, false, &s, &st), 0);
	assert_int_equal(st.format, FW_FEED_PLAIN);
	assert_int_equal(s.nbad, 0);
	assert_int_equal(s.ne, 3);
	assert_entry(&s, 0, "first.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 1);
	assert_entry(&s, 1, "second.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 2);
	assert_entry(&s, 2, "third.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 4);
}

static void test_bom_on_hosts_file(void **state)
{
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(parse_text("\xef\xbb\xbf"
				    "0.0.0.0 evil.example\r\n",
				    FW_FEED_HOSTS, false, &s, &st),
			 0);
	assert_int_equal(s.nbad, 0);
	assert_entry(&s, 0, "evil.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 1);
}

static void test_idn_punycode_accepted_utf8_rejected(void **state)
{
	const char *text = "xn--bcher-kva.example\n"
			   "b\xc3\xbc"
			   "cher.example\n"
			   "XN--MNCHEN-3YA.example\n";
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(parse_text(text, FW_FEED_PLAIN, false, &s, &st), 0);
	assert_int_equal(s.ne, 2);
	assert_string_equal(s.e[0].name, "xn--bcher-kva.example");
	assert_string_equal(s.e[1].name, "xn--mnchen-3ya.example");
	assert_int_equal(s.nbad, 1);
	assert_bad(&s, 0, 2, "punycode");
	/* The raw bytes are shown escaped, not sent to the terminal as is. */
	assert_non_null(strstr(s.bad[0], "b\\xc3\\xbccher.example"));
}

static void test_nul_byte_is_invalid(void **state)
{
	static const char text[] = "good.example\nbad\0.example\nnext.example\n";
	struct fw_feed_opts o = {.format = FW_FEED_PLAIN};
	struct seen s = {0};
	struct fw_feed_callbacks cb = {on_entry, on_invalid, on_unsupported, &s};
	struct fw_feed_stats st;
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	char err[128];

	assert_int_equal(fw_feed_parse(f, &o, &cb, &st, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(s.ne, 2);
	assert_bad(&s, 0, 2, "NUL byte");
	assert_entry(&s, 1, "next.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 3);
}

/* --- hosts --- */

static void test_hosts_file(void **state)
{
	const char *text = "# StevenBlack-style header\n"
			   "127.0.0.1 localhost\n"
			   "127.0.0.1 localhost.localdomain\n"
			   "127.0.0.1 local\n"
			   "255.255.255.255 broadcasthost\n"
			   "::1 localhost ip6-localhost ip6-loopback\n"
			   "fe80::1%lo0 localhost\n"
			   "ff00::0 ip6-localnet\n"
			   "0.0.0.0 0.0.0.0\n"
			   "0.0.0.0 evil.example # tracker\n"
			   "127.0.0.1\ta.example b.example  c.example\n"
			   ":: six.example\n"
			   "198.51.100.7 redirect.example\n"
			   "evil.example\n"
			   "0.0.0.0\n"
			   "0.0.0.0 bad_name!.example ok.example\n";
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(parse_text(text, FW_FEED_HOSTS, false, &s, &st), 0);
	assert_int_equal(s.ne, 6);
	assert_entry(&s, 0, "evil.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 10);
	assert_entry(&s, 1, "a.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 11);
	assert_entry(&s, 2, "b.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 11);
	assert_entry(&s, 3, "c.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 11);
	assert_entry(&s, 4, "six.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 12);
	assert_entry(&s, 5, "ok.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 16);
	assert_int_equal(s.nbad, 4);
	assert_bad(&s, 0, 13, "not a sink");
	assert_bad(&s, 1, 14, "is not an IP address");
	assert_bad(&s, 2, 15, "no name after the address");
	assert_bad(&s, 3, 16, "'!' at byte");
}

static void test_hosts_exact(void **state)
{
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(parse_text("0.0.0.0 evil.example\n", FW_FEED_HOSTS, true, &s, &st), 0);
	assert_entry(&s, 0, "evil.example", FW_FEED_EXACT, FW_FEED_BLOCK, FW_ACT_DEFAULT, 1);
}

/* --- RPZ --- */

static const char rpz_zone[] = "$TTL 300\n"					/* 1 */
			       "$ORIGIN rpz.test.\n"				/* 2 */
			       "@ IN SOA ns.rpz.test. hostmaster.rpz.test. (\n" /* 3 */
			       "        2024010101 ; serial\n"			/* 4 */
			       "        3600 600 86400 60 )\n"			/* 5 */
			       "  IN NS ns.rpz.test.\n"				/* 6 */
			       "\n"						/* 7 */
			       "evil.example CNAME .\n"				/* 8 */
			       "*.evil.example CNAME .\n"			/* 9 */
			       "nodata.example 60 IN CNAME *.\n"		/* 10 */
			       "drop.example IN 60 CNAME rpz-drop.\n"		/* 11 */
			       "good.evil.example CNAME rpz-passthru.\n"	/* 12 */
			       "Abs.Example.rpz.test. CNAME .\n"		/* 13 */
			       "32.1.2.0.192.rpz-ip CNAME .\n"			/* 14 */
			       "walled.example CNAME garden.example.\n"		/* 15 */
			       "local.example A 192.0.2.1\n"			/* 16 */
			       "rel.example CNAME rpz-passthru\n"		/* 17 */
			       "other.zone. CNAME .\n"				/* 18 */
			       "$ORIGIN sub.example.rpz.test.\n"		/* 19 */
			       "www CNAME .  ; relative to the new origin\n"	/* 20 */
			       "    CNAME .\n"					/* 21: same owner */
			       "tcp.example.rpz.test. CNAME rpz-tcp-only.\n"	/* 22 */
			       "$INCLUDE other.zone\n";				/* 23 */

static void test_rpz_zone(void **state)
{
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(parse_text(rpz_zone, FW_FEED_RPZ, false, &s, &st), 0);
	assert_int_equal(s.ne, 8);
	assert_entry(&s, 0, "evil.example", FW_FEED_EXACT, FW_FEED_BLOCK, FW_ACT_NXDOMAIN, 8);
	assert_entry(&s, 1, "evil.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_NXDOMAIN, 9);
	assert_entry(&s, 2, "nodata.example", FW_FEED_EXACT, FW_FEED_BLOCK, FW_ACT_NXDOMAIN, 10);
	assert_entry(&s, 3, "drop.example", FW_FEED_EXACT, FW_FEED_BLOCK, FW_ACT_DROP, 11);
	assert_entry(&s, 4, "good.evil.example", FW_FEED_EXACT, FW_FEED_ALLOW, FW_ACT_DEFAULT, 12);
	assert_entry(&s, 5, "abs.example", FW_FEED_EXACT, FW_FEED_BLOCK, FW_ACT_NXDOMAIN, 13);
	assert_entry(&s, 6, "www.sub.example", FW_FEED_EXACT, FW_FEED_BLOCK, FW_ACT_NXDOMAIN, 20);
	assert_entry(&s, 7, "www.sub.example", FW_FEED_EXACT, FW_FEED_BLOCK, FW_ACT_NXDOMAIN, 21);

	assert_int_equal(st.unsupported, 1);
	assert_int_equal(s.skip_line[0], 14);
	assert_non_null(strstr(s.skip[0], "rpz-ip"));

	assert_int_equal(s.nbad, 6);
	assert_bad(&s, 0, 15, "local data");
	assert_bad(&s, 1, 16, "A record");
	assert_bad(&s, 2, 17, "write 'rpz-passthru.'");
	assert_bad(&s, 3, 18, "outside the policy zone rpz.test.");
	assert_bad(&s, 4, 22, "rpz-tcp-only");
	assert_bad(&s, 5, 23, "$INCLUDE");
}

static void test_rpz_exact_flag_does_not_change_wildcards(void **state)
{
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(
	    parse_text("$ORIGIN z.\n*.w.example CNAME .\n", FW_FEED_RPZ, true, &s, &st), 0);
	assert_entry(&s, 0, "w.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_NXDOMAIN, 2);
}

static void test_rpz_without_origin_uses_soa_owner(void **state)
{
	const char *text = "policy.example. 3600 IN SOA ns. host. 1 2 3 4 5\n"
			   "policy.example. NS ns.\n"
			   "bad.example CNAME .\n"
			   "also.bad.example.policy.example. CNAME rpz-drop.\n";
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(parse_text(text, FW_FEED_AUTO, false, &s, &st), 0);
	assert_int_equal(st.format, FW_FEED_RPZ);
	assert_int_equal(s.nbad, 0);
	assert_int_equal(s.ne, 2);
	assert_entry(&s, 0, "bad.example", FW_FEED_EXACT, FW_FEED_BLOCK, FW_ACT_NXDOMAIN, 3);
	assert_entry(&s, 1, "also.bad.example", FW_FEED_EXACT, FW_FEED_BLOCK, FW_ACT_DROP, 4);
}

static void test_rpz_malformed(void **state)
{
	const char *text = "$ORIGIN z.\n"
			   "x.example FOO .\n"
			   "*.z. CNAME .\n"
			   "x.example CNAME\n"
			   "$BOGUS 1\n"
			   "close.example CNAME . )\n"
			   "open.example CNAME ( .\n"
			   "next.example CNAME .\n";
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(parse_text(text, FW_FEED_RPZ, false, &s, &st), 0);
	assert_int_equal(s.ne, 0);
	assert_int_equal(s.nbad, 6);
	assert_bad(&s, 0, 2, "expected a record type");
	assert_bad(&s, 1, 3, "matches every name");
	assert_bad(&s, 2, 4, "without a target");
	assert_bad(&s, 3, 5, "unknown directive");
	assert_bad(&s, 4, 6, "')' without '('");
	/* The open parenthesis swallows the rest; it is reported at its line. */
	assert_bad(&s, 5, 7, "never closed");
}

static void test_rpz_crlf_and_bom(void **state)
{
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(parse_text("\xef\xbb\xbf$ORIGIN rpz.test.\r\nevil.example CNAME .\r\n",
				    FW_FEED_AUTO, false, &s, &st),
			 0);
	assert_int_equal(st.format, FW_FEED_RPZ);
	assert_int_equal(s.nbad, 0);
	assert_entry(&s, 0, "evil.example", FW_FEED_EXACT, FW_FEED_BLOCK, FW_ACT_NXDOMAIN, 2);
}

/* --- AdBlock --- */

static void test_adblock(void **state)
{
	const char *text = "[Adblock Plus 2.0]\n"	   /* 1 */
			   "! Title: test list\n"	   /* 2 */
			   "||evil.example^\n"		   /* 3 */
			   "@@||good.example^\n"	   /* 4 */
			   "||imp.example^$important\n"	   /* 5 */
			   "||tp.example^$third-party\n"   /* 6 */
			   "example.com##.ad-banner\n"	   /* 7 */
			   "/banner/*/img^\n"		   /* 8 */
			   "||ads*.example^\n"		   /* 9 */
			   "||prefix.example\n"		   /* 10 */
			   "bare.example\n"		   /* 11 */
			   "||b@d.example^\n"		   /* 12 */
			   "||*.sub.example^|\n"	   /* 13 */
			   "||path.example/ads^\n"	   /* 14 */
			   "# hash comment\n"		   /* 15 */
			   "0.0.0.0 hosts-style.example\n" /* 16 */
			   "-ad-banner-\n";		   /* 17 */
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(parse_text(text, FW_FEED_AUTO, false, &s, &st), 0);
	assert_int_equal(st.format, FW_FEED_ADBLOCK);
	assert_int_equal(s.ne, 6);
	assert_entry(&s, 0, "evil.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 3);
	assert_entry(&s, 1, "good.example", FW_FEED_SUBTREE, FW_FEED_ALLOW, FW_ACT_DEFAULT, 4);
	assert_entry(&s, 2, "imp.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 5);
	assert_entry(&s, 3, "bare.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 11);
	assert_entry(&s, 4, "sub.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 13);
	assert_entry(&s, 5, "hosts-style.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT,
		     16);

	assert_int_equal(s.nbad, 1);
	assert_bad(&s, 0, 12, "'@' at byte 2");

	assert_int_equal(st.unsupported, 7);
	assert_int_equal(s.skip_line[0], 6);
	assert_non_null(strstr(s.skip[0], "$third-party"));
	assert_int_equal(s.skip_line[1], 7);
	assert_non_null(strstr(s.skip[1], "cosmetic"));
	assert_int_equal(s.skip_line[2], 8);
	assert_int_equal(s.skip_line[3], 9);
	assert_int_equal(s.skip_line[4], 10);
	assert_non_null(strstr(s.skip[4], "'^'"));
	assert_int_equal(s.skip_line[5], 14);
	assert_int_equal(s.skip_line[6], 17);
}

static void test_adblock_exact(void **state)
{
	struct fw_feed_stats st;
	struct seen s = {0};

	assert_int_equal(
	    parse_text("||a.example^\n@@||b.example^\n", FW_FEED_ADBLOCK, true, &s, &st), 0);
	assert_entry(&s, 0, "a.example", FW_FEED_EXACT, FW_FEED_BLOCK, FW_ACT_DEFAULT, 1);
	assert_entry(&s, 1, "b.example", FW_FEED_EXACT, FW_FEED_ALLOW, FW_ACT_DEFAULT, 2);
}

/* --- detection, formats, callbacks --- */

static void test_detect_format(void **state)
{
	char *plain[] = {"# list", "a.example", "b.example"};
	char *hosts[] = {"# hosts", "127.0.0.1 localhost", "0.0.0.0 a.example"};
	char *rpz[] = {"$TTL 60", "@ SOA ns. h. (", "  1 2 3", "  4 5 )", "a CNAME ."};
	char *adblock[] = {"! list", "||a.example^", "b.example"};
	char *stray[] = {"a.example", "b.example", "c.example",
			 "d.example", "e.example", "x CNAME ."};
	char *empty[] = {"# nothing here"};

	assert_int_equal(fw_feed_detect_format(plain, 3), FW_FEED_PLAIN);
	assert_int_equal(fw_feed_detect_format(hosts, 3), FW_FEED_HOSTS);
	assert_int_equal(fw_feed_detect_format(rpz, 5), FW_FEED_RPZ);
	assert_int_equal(fw_feed_detect_format(adblock, 3), FW_FEED_ADBLOCK);
	/* One odd line does not turn a plain list into a zone file. */
	assert_int_equal(fw_feed_detect_format(stray, 6), FW_FEED_PLAIN);
	assert_int_equal(fw_feed_detect_format(empty, 1), FW_FEED_PLAIN);
}

static void test_auto_detects_hosts_after_long_comment_header(void **state)
{
	char *text = malloc(64 * 1024);
	size_t pos = 0;
	struct fw_feed_stats st;
	struct seen s = {0};
	int i;

	assert_non_null(text);
	/* More comment lines than DETECT_LINES: only lines with content count. */
	for (i = 0; i < 300; i++)
		pos += (size_t)sprintf(text + pos, "# header line %d\n", i);
	for (i = 0; i < 300; i++)
		pos += (size_t)sprintf(text + pos, "0.0.0.0 late-%d.example\n", i);
	assert_int_equal(parse_text(text, FW_FEED_AUTO, false, &s, &st), 0);
	assert_int_equal(st.format, FW_FEED_HOSTS);
	assert_int_equal(st.entries, 300);
	assert_int_equal(s.nbad, 0);
	assert_entry(&s, 0, "late-0.example", FW_FEED_SUBTREE, FW_FEED_BLOCK, FW_ACT_DEFAULT, 301);
	free(text);
}

static void test_format_names(void **state)
{
	enum fw_feed_format f;
	char err[128];

	assert_int_equal(fw_feed_format_parse("rpz", &f, err, sizeof(err)), 0);
	assert_int_equal(f, FW_FEED_RPZ);
	assert_int_equal(fw_feed_format_parse("adblock", &f, err, sizeof(err)), 0);
	assert_int_equal(f, FW_FEED_ADBLOCK);
	assert_int_equal(fw_feed_format_parse("zone", &f, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "unknown feed format 'zone'; use auto, plain, hosts, rpz or adblock");
	assert_string_equal(fw_feed_format_name(FW_FEED_HOSTS), "hosts");
}

static void test_entry_callback_can_stop(void **state)
{
	struct fw_feed_opts o = {.format = FW_FEED_PLAIN};
	struct seen s = {.stop_after = 2};
	struct fw_feed_callbacks cb = {on_entry, on_invalid, NULL, &s};
	const char *text = "a.example\nb.example\nc.example\n";
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct fw_feed_stats st;
	char err[128];

	assert_int_equal(fw_feed_parse(f, &o, &cb, &st, err, sizeof(err)), -1);
	fclose(f);
	assert_int_equal(s.ne, 2);
	assert_string_equal(err, "import stopped at line 2");
}

/* The sanitizer build (make build-asan) runs several times slower. */
#ifdef __SANITIZE_ADDRESS__
#define PARSE_BOUND_S 10.0
#else
#define PARSE_BOUND_S 1.0
#endif

/* 10^6 names must parse well within a second: imports of big feeds. */
static void test_million_plain_lines_fast(void **state)
{
	struct fw_feed_opts o = {.format = FW_FEED_AUTO};
	struct seen s = {0};
	struct fw_feed_callbacks cb = {on_entry, on_invalid, on_unsupported, &s};
	struct fw_feed_stats st;
	struct timespec t0, t1;
	FILE *f = tmpfile();
	char err[128];
	double secs;
	int i;

	assert_non_null(f);
	for (i = 0; i < 1000000; i++)
		fprintf(f, "host-%d.flux-%d.example\n", i, i % 977);
	rewind(f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(fw_feed_parse(f, &o, &cb, &st, err, sizeof(err)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fclose(f);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("parsed 10^6 plain lines in %.3f s\n", secs);
	assert_int_equal(st.entries, 1000000);
	assert_int_equal(st.invalid, 0);
	assert_string_equal(s.e[MAX_SEEN - 1].name, "host-63.flux-63.example");
	assert_true(secs < PARSE_BOUND_S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_comments_and_defaults),
	    cmocka_unit_test(test_plain_exact_keeps_explicit_wildcards),
	    cmocka_unit_test(test_plain_bad_lines_reported_with_numbers),
	    cmocka_unit_test(test_bom_crlf_trailing_blanks),
	    cmocka_unit_test(test_bom_on_hosts_file),
	    cmocka_unit_test(test_idn_punycode_accepted_utf8_rejected),
	    cmocka_unit_test(test_nul_byte_is_invalid),
	    cmocka_unit_test(test_hosts_file),
	    cmocka_unit_test(test_hosts_exact),
	    cmocka_unit_test(test_rpz_zone),
	    cmocka_unit_test(test_rpz_exact_flag_does_not_change_wildcards),
	    cmocka_unit_test(test_rpz_without_origin_uses_soa_owner),
	    cmocka_unit_test(test_rpz_malformed),
	    cmocka_unit_test(test_rpz_crlf_and_bom),
	    cmocka_unit_test(test_adblock),
	    cmocka_unit_test(test_adblock_exact),
	    cmocka_unit_test(test_detect_format),
	    cmocka_unit_test(test_auto_detects_hosts_after_long_comment_header),
	    cmocka_unit_test(test_format_names),
	    cmocka_unit_test(test_entry_callback_can_stop),
	    cmocka_unit_test(test_million_plain_lines_fast),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
