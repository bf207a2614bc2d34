// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* JSON output: escaping, the streaming writer and the fragment validator. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "formats/json_out.h"

struct capture {
	char *text;
	size_t len;
	FILE *f;
};

static void capture_start(struct capture *c)
{
	c->text = NULL;
	c->len = 0;
	c->f = open_memstream(&c->text, &c->len);
	assert_non_null(c->f);
}

/* Close the stream and return its text; the caller frees it. */
static char *capture_end(struct capture *c)
{
	fclose(c->f);
	return c->text;
}

static void assert_escapes_to(const char *in, const char *want)
{
	struct capture c;
	char *got;

	capture_start(&c);
	fw_json_write_string(c.f, in);
	got = capture_end(&c);
	assert_string_equal(got, want);
	assert_true(fw_json_valid(got));
	free(got);
}

static void test_escape_string(void **state)
{
	assert_escapes_to("plain.example", "\"plain.example\"");
	assert_escapes_to("quote\" back\\slash", "\"quote\\\" back\\\\slash\"");
	assert_escapes_to("line\nfeed\ttab\rcr", "\"line\\nfeed\\ttab\\rcr\"");
	assert_escapes_to("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	assert_escapes_to("", "\"\"");
	assert_escapes_to(NULL, "null");
}

static void test_escape_utf8(void **state)
{
	/* Valid UTF-8 passes through: é, €, U+1F600. */
	assert_escapes_to("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
			  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* Invalid bytes become U+FFFD so a SIEM never sees broken JSON. */
	assert_escapes_to("bad\xff", "\"bad\\ufffd\"");
	assert_escapes_to("trunc\xc3", "\"trunc\\ufffd\"");
	assert_escapes_to("overlong\xc0\xaf", "\"overlong\\ufffd\\ufffd\"");
	assert_escapes_to("surrogate\xed\xa0\x80", "\"surrogate\\ufffd\\ufffd\\ufffd\"");
}

static void test_writer_nested(void **state)
{
	struct fw_json j;
	struct capture c;
	char *got;

	capture_start(&c);
	fw_json_init(&j, c.f);
	fw_json_obj_begin(&j);
	fw_json_kv_str(&j, "name", "evil.example");
	fw_json_kv_uint(&j, "count", 18446744073709551615ull);
	fw_json_kv_int(&j, "delta", -5);
	fw_json_kv_double(&j, "score", 0.25);
	fw_json_kv_double(&j, "nan", NAN);
	fw_json_kv_bool(&j, "auto", true);
	fw_json_key(&j, "ips");
	fw_json_arr_begin(&j);
	fw_json_str(&j, "192.0.2.1");
	fw_json_str(&j, "2001:db8::1");
	fw_json_obj_begin(&j);
	fw_json_obj_end(&j);
	fw_json_arr_end(&j);
	fw_json_key(&j, "empty");
	fw_json_arr_begin(&j);
	fw_json_arr_end(&j);
	fw_json_key(&j, "raw");
	fw_json_raw(&j, "{\"a\":[1,2]}");
	fw_json_key(&j, "none");
	fw_json_null(&j);
	fw_json_obj_end(&j);
	assert_int_equal(fw_json_finish(&j), 0);
	got = capture_end(&c);
	assert_string_equal(got, "{\"name\":\"evil.example\",\"count\":18446744073709551615,"
				 "\"delta\":-5,\"score\":0.25,\"nan\":null,\"auto\":true,"
				 "\"ips\":[\"192.0.2.1\",\"2001:db8::1\",{}],\"empty\":[],"
				 "\"raw\":{\"a\":[1,2]},\"none\":null}");
	assert_true(fw_json_valid(got));
	free(got);
}

static void test_writer_top_level_array(void **state)
{
	struct fw_json j;
	struct capture c;
	char *got;
	int i;

	capture_start(&c);
	fw_json_init(&j, c.f);
	fw_json_arr_begin(&j);
	for (i = 0; i < 3; i++) {
		fw_json_obj_begin(&j);
		fw_json_kv_int(&j, "i", i);
		fw_json_obj_end(&j);
	}
	fw_json_arr_end(&j);
	assert_int_equal(fw_json_finish(&j), 0);
	got = capture_end(&c);
	assert_string_equal(got, "[{\"i\":0},{\"i\":1},{\"i\":2}]");
	free(got);
}

static void test_writer_detects_misuse(void **state)
{
	struct fw_json j;
	struct capture c;

	capture_start(&c);
	fw_json_init(&j, c.f);
	fw_json_obj_begin(&j);
	fw_json_key(&j, "dangling");
	assert_int_equal(fw_json_finish(&j), -1); /* key without value, object open */
	free(capture_end(&c));

	capture_start(&c);
	fw_json_init(&j, c.f);
	fw_json_arr_end(&j); /* closing what was never opened */
	assert_int_equal(fw_json_finish(&j), -1);
	free(capture_end(&c));
}

static void test_validator(void **state)
{
	static const char *const good[] = {
	    "{}",
	    "[]",
	    "0",
	    "-1.5e+3",
	    "\"s\"",
	    "true",
	    "false",
	    "null",
	    " {\"a\" : [1, {\"b\": null}], \"c\": \"\\u00e9\\n\"} ",
	    "{\"k\":\"caf\xc3\xa9\"}",
	};
	static const char *const bad[] = {
	    "",	   "{",	  "{\"a\":}", "{\"a\" 1}",	"[1,]",		 "[1 2]",      "01",
	    "1.",  "-",	  ".5",	      "\"unterminated", "\"tab\there\"", "\"bad\\x\"", "\"\\u12\"",
	    "tru", "nul", "{} {}",    "{'a':1}",	"{\"a\":1,}",	 "\"\xff\"",   "NaN",
	};
	char deep[200];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!fw_json_valid(good[i]))
			fail_msg("rejected valid JSON: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (fw_json_valid(bad[i]))
			fail_msg("accepted invalid JSON: %s", bad[i]);
	assert_false(fw_json_valid(NULL));
	/* Nesting is bounded, so a hostile fragment cannot exhaust the stack. */
	memset(deep, '[', FW_JSON_MAX_DEPTH);
	memset(deep + FW_JSON_MAX_DEPTH, ']', FW_JSON_MAX_DEPTH);
	deep[2 * FW_JSON_MAX_DEPTH] = '\0';
	assert_true(fw_json_valid(deep));
	memset(deep, '[', FW_JSON_MAX_DEPTH + 1);
	memset(deep + FW_JSON_MAX_DEPTH + 1, ']', FW_JSON_MAX_DEPTH + 1);
	deep[2 * FW_JSON_MAX_DEPTH + 2] = '\0';
	assert_false(fw_json_valid(deep));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_string),
	    cmocka_unit_test(test_escape_utf8),
	    cmocka_unit_test(test_writer_nested),
	    cmocka_unit_test(test_writer_top_level_array),
	    cmocka_unit_test(test_writer_detects_misuse),
	    cmocka_unit_test(test_validator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
