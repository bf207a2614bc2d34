// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* protected_list.c: what auto-block may never touch, and the shipped list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/protected_list.h"

static struct fw_protected *small_list(void)
{
	struct fw_protected *p = fw_protected_new();
	char err[256];

	assert_non_null(p);
	assert_int_equal(fw_protected_add(p, "Google.com.", err, sizeof(err)), 0);
	assert_int_equal(fw_protected_add(p, "sites.example.org", err, sizeof(err)), 0);
	return p;
}

static void listed_names_and_names_below_are_protected(void **state)
{
	struct fw_protected *p = small_list();
	char which[256];

	assert_true(fw_protected_covers(p, "google.com", which, sizeof(which)));
	assert_string_equal(which, "google.com");
	assert_true(fw_protected_covers(p, "mail.google.com", which, sizeof(which)));
	assert_string_equal(which, "google.com");
	assert_false(fw_protected_covers(p, "notgoogle.com", NULL, 0));
	assert_false(fw_protected_covers(p, "google.com.evil.example", NULL, 0));
	fw_protected_free(p);
}

/* Blocking example.org would block the listed sites.example.org. */
static void names_above_a_listed_domain_are_refused(void **state)
{
	struct fw_protected *p = small_list();
	char which[256];

	assert_true(fw_protected_covers(p, "example.org", which, sizeof(which)));
	assert_string_equal(which, "sites.example.org");
	assert_true(fw_protected_covers(p, "org", NULL, 0));
	assert_false(fw_protected_covers(p, "other.example.org", NULL, 0));
	fw_protected_free(p);
}

static void bad_lines_are_reported_with_file_and_line(void **state)
{
	char path[] = "/tmp/fw-test-prot-XXXXXX", err[512];
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# popular\nexample.com\n\nbad name.example\n", f);
	fclose(f);
	assert_null(fw_protected_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, ":4: space at byte 4"));
	unlink(path);
	assert_null(fw_protected_load("/nonexistent/list.txt", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/list.txt"));
}

static void shipped_list_loads_and_protects_the_obvious(void **state)
{
	char err[512];
	struct fw_protected *p = fw_protected_load("data/protected-domains.txt", err, sizeof(err));

	if (!p)
		fail_msg("%s", err);
	assert_in_range(fw_protected_count(p), 400, 600);
	assert_true(fw_protected_covers(p, "www.google.com", NULL, 0));
	assert_true(fw_protected_covers(p, "en.wikipedia.org", NULL, 0));
	assert_true(fw_protected_covers(p, "github.com", NULL, 0));
	assert_false(fw_protected_covers(p, "evil-flux.example", NULL, 0));
	fw_protected_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(listed_names_and_names_below_are_protected),
	    cmocka_unit_test(names_above_a_listed_domain_are_refused),
	    cmocka_unit_test(bad_lines_are_reported_with_file_and_line),
	    cmocka_unit_test(shipped_list_loads_and_protects_the_obvious),
	};

	return cmocka_run_group_tests_name("protected_list", tests, NULL, NULL);
}
