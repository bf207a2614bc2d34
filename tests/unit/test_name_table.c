// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* name_table.c: lookups survive growth and removal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/name_table.h"

struct rec {
	struct fw_ntab_node node;
	char name[32];
};

static const char *rec_name(const struct fw_ntab_node *n)
{
	return ((const struct rec *)n)->name;
}

static struct rec recs[1000];

static struct rec *lookup(struct fw_ntab *t, const char *name)
{
	return (struct rec *)fw_ntab_find(t, name, fw_ntab_hash(t, name));
}

/* 16 buckets grow to 1024 (one name a bucket) while 1000 go in; all stay findable. */
static void growth_keeps_every_name(void **state)
{
	struct fw_ntab t;
	char probe[32];
	int i;

	assert_int_equal(fw_ntab_init(&t, 1, rec_name), 0);
	assert_int_equal(fw_ntab_bytes(&t), 16 * sizeof(void *));
	for (i = 0; i < 1000; i++) {
		snprintf(recs[i].name, sizeof(recs[i].name), "host%d.example", i);
		fw_ntab_insert(&t, &recs[i].node, fw_ntab_hash(&t, recs[i].name));
	}
	assert_int_equal(t.count, 1000);
	assert_int_equal(fw_ntab_bytes(&t), 1024 * sizeof(void *));
	for (i = 0; i < 1000; i++) {
		snprintf(probe, sizeof(probe), "host%d.example", i);
		assert_ptr_equal(lookup(&t, probe), &recs[i]);
	}
	assert_null(lookup(&t, "host1000.example"));
	fw_ntab_free(&t);
}

static void removed_names_are_gone_others_stay(void **state)
{
	struct fw_ntab t;
	int i;

	assert_int_equal(fw_ntab_init(&t, 64, rec_name), 0);
	for (i = 0; i < 100; i++) {
		snprintf(recs[i].name, sizeof(recs[i].name), "n%d.example", i);
		fw_ntab_insert(&t, &recs[i].node, fw_ntab_hash(&t, recs[i].name));
	}
	for (i = 0; i < 100; i += 2)
		fw_ntab_remove(&t, &recs[i].node);
	assert_int_equal(t.count, 50);
	assert_null(lookup(&t, "n10.example"));
	assert_ptr_equal(lookup(&t, "n11.example"), &recs[11]);
	fw_ntab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(growth_keeps_every_name),
	    cmocka_unit_test(removed_names_are_gone_others_stay),
	};

	return cmocka_run_group_tests_name("name_table", tests, NULL, NULL);
}
