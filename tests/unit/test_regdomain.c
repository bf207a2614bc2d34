// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* regdomain.c: registered domains from Debian's public suffix list via libpsl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/regdomain.h"

static int open_default(void **state)
{
	char err[256];

	*state = fw_regdom_open(NULL, err, sizeof(err));
	return *state ? 0 : -1;
}

static int close_it(void **state)
{
	fw_regdom_close(*state);
	return 0;
}

static void expect(struct fw_regdom *r, const char *name, const char *want)
{
	char out[256];

	assert_int_equal(fw_regdom_get(r, name, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void multi_label_suffixes_are_honoured(void **state)
{
	expect(*state, "a.b.example.co.uk", "example.co.uk");
	expect(*state, "www.google.com", "google.com");
	expect(*state, "google.com", "google.com");
	/* "*.kawasaki.jp" with the exception "!city.kawasaki.jp" */
	expect(*state, "x.y.foo.kawasaki.jp", "y.foo.kawasaki.jp");
	expect(*state, "x.y.city.kawasaki.jp", "city.kawasaki.jp");
}

/* Private-section suffixes: each customer of a hosting suffix is its own domain. */
static void private_suffixes_split_customers(void **state)
{
	expect(*state, "evil.blogspot.com", "evil.blogspot.com");
	expect(*state, "a.evil.github.io", "evil.github.io");
}

static void unknown_tld_uses_the_implicit_rule(void **state)
{
	expect(*state, "a.b.example.zzznotatld", "example.zzznotatld");
}

static void public_suffixes_have_no_registered_domain(void **state)
{
	char out[256];

	assert_int_equal(fw_regdom_get(*state, "co.uk", out, sizeof(out)), -1);
	assert_int_equal(fw_regdom_get(*state, "com", out, sizeof(out)), -1);
}

static void short_buffer_is_refused(void **state)
{
	char out[8];

	assert_int_equal(fw_regdom_get(*state, "www.example.com", out, sizeof(out)), -1);
}

static void default_source_is_debians_file(void **state)
{
	assert_string_equal(fw_regdom_source(*state), FW_PSL_DAFSA);
}

static void dat_file_loads_too(void **state)
{
	char err[256];
	struct fw_regdom *r = fw_regdom_open(FW_PSL_DAT, err, sizeof(err));

	assert_non_null(r);
	expect(r, "a.b.example.co.uk", "example.co.uk");
	fw_regdom_close(r);
}

static void bad_path_error_names_the_file(void **state)
{
	char err[256] = "";

	assert_null(fw_regdom_open("/nonexistent/psl.dat", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/psl.dat"));
	assert_non_null(strstr(err, "publicsuffix"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(multi_label_suffixes_are_honoured),
	    cmocka_unit_test(private_suffixes_split_customers),
	    cmocka_unit_test(unknown_tld_uses_the_implicit_rule),
	    cmocka_unit_test(public_suffixes_have_no_registered_domain),
	    cmocka_unit_test(short_buffer_is_refused),
	    cmocka_unit_test(default_source_is_debians_file),
	    cmocka_unit_test(dat_file_loads_too),
	    cmocka_unit_test(bad_path_error_names_the_file),
	};

	return cmocka_run_group_tests_name("regdomain", tests, open_default, close_it);
}
