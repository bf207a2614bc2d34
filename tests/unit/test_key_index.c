// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * key_index.c: every entry added under a key is found on that key's chain,
 * exactly once; absent keys find nothing, also when their probe sequence
 * runs through long clusters of taken slots and wraps around the table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/key_index.h"

/* A deterministic spread of keys (splitmix64). */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static struct fw_key key_n(uint64_t n)
{
	struct fw_key k = { mix(n), mix(n ^ 0xabcdef) };

	return k;
}

/* The chain under key, as a count per entry index; returns its length. */
static size_t walk(const struct fw_key_index *ki, const struct fw_key *key, uint8_t *seen,
		   size_t n)
{
	size_t len = 0;
	uint32_t i;

	memset(seen, 0, n);
	for (i = fw_ki_first(ki, key); i != FW_KI_NONE; i = ki->next[i]) {
		if (i >= n)
			fail_msg("chain holds entry %u, beyond the %zu entries", i, n);
		if (seen[i]++)
			fail_msg("entry %u is on the chain twice", i);
		if (++len > n)
			fail_msg("chain longer than the number of entries: a loop");
	}
	return len;
}

static void test_empty_index(void **state)
{
	struct fw_key_index ki;
	struct fw_key k = key_n(1), zero = { 0, 0 };

	assert_int_equal(fw_ki_init(&ki, 0), 0);
	assert_int_equal(fw_ki_first(&ki, &k), FW_KI_NONE);
	assert_int_equal(fw_ki_first(&ki, &zero), FW_KI_NONE);
	assert_int_equal(ki.nkeys, 0);
	fw_ki_free(&ki);
}

/* Several entries under one key form one chain; others keep their own. */
static void test_chains(void **state)
{
	struct fw_key_index ki;
	struct fw_key a = key_n(10), b = key_n(20), c = key_n(30);
	uint8_t seen[8];

	assert_int_equal(fw_ki_init(&ki, 8), 0);
	fw_ki_add(&ki, &a, 0);
	fw_ki_add(&ki, &b, 1);
	fw_ki_add(&ki, &a, 2);
	fw_ki_add(&ki, &a, 5);
	fw_ki_add(&ki, &b, 7);
	assert_int_equal(ki.nkeys, 2);

	assert_int_equal(walk(&ki, &a, seen, 8), 3);
	assert_true(seen[0] && seen[2] && seen[5]);
	assert_int_equal(walk(&ki, &b, seen, 8), 2);
	assert_true(seen[1] && seen[7]);
	assert_int_equal(walk(&ki, &c, seen, 8), 0);
	fw_ki_free(&ki);
}

/* Keys equal in one half only are different keys. */
static void test_half_equal_keys(void **state)
{
	struct fw_key_index ki;
	struct fw_key k1 = { 1, 100 }, k2 = { 2, 100 }, k3 = { 1, 101 }, k4 = { 2, 101 };
	uint8_t seen[4];

	assert_int_equal(fw_ki_init(&ki, 4), 0);
	fw_ki_add(&ki, &k1, 0);
	fw_ki_add(&ki, &k2, 1);
	fw_ki_add(&ki, &k3, 2);
	assert_int_equal(ki.nkeys, 3);
	assert_int_equal(walk(&ki, &k1, seen, 4), 1);
	assert_true(seen[0]);
	assert_int_equal(walk(&ki, &k2, seen, 4), 1);
	assert_true(seen[1]);
	assert_int_equal(walk(&ki, &k3, seen, 4), 1);
	assert_true(seen[2]);
	assert_int_equal(fw_ki_first(&ki, &k4), FW_KI_NONE);
	fw_ki_free(&ki);
}

/* The all-zero key is a key like any other (slots start zeroed). */
static void test_zero_key(void **state)
{
	struct fw_key_index ki;
	struct fw_key zero = { 0, 0 }, other = { 0, 64 };

	assert_int_equal(fw_ki_init(&ki, 2), 0);
	assert_int_equal(fw_ki_first(&ki, &zero), FW_KI_NONE);
	fw_ki_add(&ki, &other, 1);
	assert_int_equal(fw_ki_first(&ki, &zero), FW_KI_NONE);
	fw_ki_add(&ki, &zero, 0);
	assert_int_equal(fw_ki_first(&ki, &zero), 0);
	assert_int_equal(ki.next[0], FW_KI_NONE);
	assert_int_equal(fw_ki_first(&ki, &other), 1);
	fw_ki_free(&ki);
}

/*
 * Keys that all want the same slot (equal low bits), placed in the last
 * slots so probing wraps past the end of the table: every one is still
 * found, and absent keys of that slot are not.
 */
static void test_collisions_and_wrap(void **state)
{
	enum { N = 32 };
	struct fw_key_index ki;
	struct fw_key k;
	uint8_t seen[N];
	size_t mask;
	uint32_t i;

	assert_int_equal(fw_ki_init(&ki, N), 0);
	assert_true(ki.nslots >= 2 * N);
	mask = ki.nslots - 1;
	for (i = 0; i < N; i++) {
		k.hi = 1000 + i;
		k.lo = (mask - 1) | ((uint64_t)i << 40); /* all start at slot mask - 1 */
		fw_ki_add(&ki, &k, i);
	}
	assert_int_equal(ki.nkeys, N);
	for (i = 0; i < N; i++) {
		k.hi = 1000 + i;
		k.lo = (mask - 1) | ((uint64_t)i << 40);
		assert_int_equal(walk(&ki, &k, seen, N), 1);
		assert_true(seen[i]);
	}
	for (i = N; i < N + 20; i++) {
		k.hi = 1000 + i;
		k.lo = (mask - 1) | ((uint64_t)i << 40);
		assert_int_equal(fw_ki_first(&ki, &k), FW_KI_NONE);
	}
	fw_ki_free(&ki);
}

/* 100000 entries over 30000 keys; every chain complete, 100000 absent keys miss. */
static void test_many_keys(void **state)
{
	enum { N = 100000, K = 30000 };
	struct fw_key_index ki;
	uint8_t *seen = malloc(N);
	size_t total = 0;
	uint32_t i;

	assert_non_null(seen);
	assert_int_equal(fw_ki_init(&ki, N), 0);
	for (i = 0; i < N; i++) {
		struct fw_key k = key_n(i % K);

		fw_ki_add(&ki, &k, i);
	}
	assert_int_equal(ki.nkeys, K);
	for (i = 0; i < K; i++) {
		struct fw_key k = key_n(i);
		size_t len = walk(&ki, &k, seen, N), j;

		if (len != (size_t)(N / K + (i < N % K)))
			fail_msg("key %u: chain of %zu entries", i, len);
		for (j = i; j < N; j += K)
			if (!seen[j])
				fail_msg("key %u: entry %zu missing from its chain", i, j);
		total += len;
	}
	assert_int_equal(total, N);
	for (i = K; i < K + N; i++) {
		struct fw_key k = key_n(i);

		if (fw_ki_first(&ki, &k) != FW_KI_NONE)
			fail_msg("absent key %u found", i);
	}
	free(seen);
	fw_ki_free(&ki);
}

/* Every entry with its own key, the table as full as init allows. */
static void test_full_table(void **state)
{
	enum { N = 4096 };
	struct fw_key_index ki;
	uint32_t i;

	assert_int_equal(fw_ki_init(&ki, N), 0);
	for (i = 0; i < N; i++) {
		struct fw_key k = { i, (uint64_t)i * 64 }; /* low bits alike: clustered */

		fw_ki_add(&ki, &k, i);
	}
	for (i = 0; i < N; i++) {
		struct fw_key k = { i, (uint64_t)i * 64 };

		assert_int_equal(fw_ki_first(&ki, &k), i);
		assert_int_equal(ki.next[i], FW_KI_NONE);
	}
	for (i = N; i < 2 * N; i++) {
		struct fw_key k = { i, (uint64_t)i * 64 };

		assert_int_equal(fw_ki_first(&ki, &k), FW_KI_NONE);
	}
	fw_ki_free(&ki);
}

static void test_free_resets(void **state)
{
	struct fw_key_index ki;
	struct fw_key k = key_n(3);

	assert_int_equal(fw_ki_init(&ki, 10), 0);
	fw_ki_add(&ki, &k, 9);
	fw_ki_free(&ki);
	assert_null(ki.slot_key);
	assert_null(ki.slot_head);
	assert_null(ki.next);
	assert_int_equal(ki.nslots, 0);
	assert_int_equal(ki.nkeys, 0);
	/* Reusable after free. */
	assert_int_equal(fw_ki_init(&ki, 10), 0);
	assert_int_equal(fw_ki_first(&ki, &k), FW_KI_NONE);
	fw_ki_free(&ki);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_index),
		cmocka_unit_test(test_chains),
		cmocka_unit_test(test_half_equal_keys),
		cmocka_unit_test(test_zero_key),
		cmocka_unit_test(test_collisions_and_wrap),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_free_resets),
	};

	return cmocka_run_group_tests_name("key_index", tests, NULL, NULL) ? 1 : 0;
}
