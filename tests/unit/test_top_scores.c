// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * top_scores.c: the top-N list shows the highest current scores among
 * the domains offered, whatever their order, without ever scoring more
 * than its candidates, and follows scores that fall or vanish.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/top_scores.h"

#define DOMAINS 5000

static double now_score[DOMAINS]; /* the "current" score; -1: not tracked */
static unsigned rescored;

static double rescore(const char *name, void *ctx)
{
	unsigned i;

	rescored++;
	assert_int_equal(sscanf(name, "d%u.example", &i), 1);
	return now_score[i];
}

static void offer(struct fw_top_scores *t, unsigned i)
{
	char name[32];

	snprintf(name, sizeof(name), "d%u.example", i);
	fw_top_offer(t, name, now_score[i]);
}

static void highest_current_scores_whatever_the_order(void **state)
{
	static struct fw_top_scores t;
	struct fw_top_entry top[FW_TOP_N];
	unsigned i, n;

	srand(7);
	for (i = 0; i < DOMAINS; i++)
		now_score[i] = rand() / (double)RAND_MAX * 100;
	now_score[4321] = 150; /* the flux domain, offered among the flood */
	for (i = 0; i < DOMAINS; i++)
		offer(&t, (i * 7919) % DOMAINS);
	rescored = 0;
	n = fw_top_read(&t, rescore, NULL, top, FW_TOP_N);
	assert_int_equal(n, FW_TOP_N);
	assert_true(rescored <= FW_TOP_CANDIDATES);
	assert_string_equal(top[0].name, "d4321.example");
	for (i = 1; i < n; i++)
		assert_true(top[i - 1].score >= top[i].score);
	/* the list is the true top ten of all that were offered */
	for (i = 0, n = 0; i < DOMAINS; i++)
		n += now_score[i] >= top[FW_TOP_N - 1].score;
	assert_int_equal(n, FW_TOP_N);
}

static void falling_and_vanished_scores_leave_the_list(void **state)
{
	static struct fw_top_scores t;
	struct fw_top_entry top[FW_TOP_N];
	unsigned i, n;

	for (i = 0; i < 20; i++) {
		now_score[i] = 50 + i;
		offer(&t, i);
	}
	now_score[19] = 1;  /* its window moved on */
	now_score[18] = -1; /* evicted */
	n = fw_top_read(&t, rescore, NULL, top, FW_TOP_N);
	assert_int_equal(n, FW_TOP_N);
	assert_string_equal(top[0].name, "d17.example");
	for (i = 0; i < n; i++)
		assert_true(strcmp(top[i].name, "d18.example") &&
			    strcmp(top[i].name, "d19.example"));
	assert_int_equal(t.n, 19);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(highest_current_scores_whatever_the_order),
	    cmocka_unit_test(falling_and_vanished_scores_leave_the_list),
	};

	return cmocka_run_group_tests_name("top_scores", tests, NULL, NULL);
}
