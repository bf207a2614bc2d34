// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* autoblock_policy.c: never-block rules, the per-minute limit and expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/autoblock_policy.h"

#define S(x) ((uint64_t)(x)*1000000000ull)
#define T0   1700000000ull

static bool allow_bank(const char *name, void *ctx)
{
	(*(int *)ctx)++;
	return strcmp(name, "mybank.example") == 0;
}

struct fixture {
	struct fw_protected *prot;
	struct fw_autoblock *ab;
	int allow_calls;
};

static struct fixture fx;

static int setup(void **state)
{
	struct fw_autoblock_params p;
	char err[256];

	memset(&fx, 0, sizeof(fx));
	fx.prot = fw_protected_new();
	if (!fx.prot || fw_protected_add(fx.prot, "popular.example", err, sizeof(err)) < 0)
		return -1;
	fw_autoblock_params_default(&p);
	p.max_new_per_min = 3;
	fx.ab = fw_autoblock_new(&p, allow_bank, &fx.allow_calls, fx.prot, NULL, err, sizeof(err));
	*state = &fx;
	return fx.ab ? 0 : -1;
}

static int teardown(void **state)
{
	fw_autoblock_free(fx.ab);
	fw_protected_free(fx.prot);
	return 0;
}

static void defaults_are_ten_per_minute_and_a_day(void **state)
{
	struct fw_autoblock_params p;

	fw_autoblock_params_default(&p);
	assert_int_equal(p.max_new_per_min, 10);
	assert_int_equal(p.expiry_s, 86400);
}

static void flux_domain_is_blocked_for_24_hours(void **state)
{
	struct fw_ab_verdict v;
	uint64_t exp;

	assert_int_equal(fw_autoblock_decide(fx.ab, "evil.example", true, false, S(T0), &v), FW_AB_BLOCK);
	assert_int_equal(v.expires_ns, S(T0 + 86400));
	assert_true(fw_autoblock_active(fx.ab, "evil.example", &exp));
	assert_int_equal(exp, S(T0 + 86400));
	assert_string_equal(v.detail, "evil.example is flux: auto-blocked");
}

static void not_flux_does_nothing(void **state)
{
	struct fw_ab_verdict v;

	assert_int_equal(fw_autoblock_decide(fx.ab, "fine.example", false, false, S(T0), &v), FW_AB_NONE);
	assert_false(fw_autoblock_active(fx.ab, "fine.example", NULL));
	assert_int_equal(fx.allow_calls, 0);
}

static void allowlisted_name_is_never_blocked(void **state)
{
	struct fw_ab_verdict v;

	assert_int_equal(fw_autoblock_decide(fx.ab, "mybank.example", true, false, S(T0), &v),
			 FW_AB_ALLOWLISTED);
	assert_false(fw_autoblock_active(fx.ab, "mybank.example", NULL));
	assert_int_equal(fx.allow_calls, 1);
}

static void protected_name_is_never_blocked(void **state)
{
	struct fw_ab_verdict v;

	assert_int_equal(fw_autoblock_decide(fx.ab, "cdn.popular.example", true, false, S(T0), &v),
			 FW_AB_PROTECTED);
	assert_non_null(strstr(v.detail, "protected popular domain popular.example"));
	assert_false(fw_autoblock_active(fx.ab, "cdn.popular.example", NULL));
}

/* Limit 3 per minute: the 4th new domain within 60 s is an alert; refreshes are free. */
static void fourth_new_block_in_a_minute_is_only_an_alert(void **state)
{
	struct fw_ab_verdict v;

	assert_int_equal(fw_autoblock_decide(fx.ab, "a.example", true, false, S(T0), &v), FW_AB_BLOCK);
	assert_int_equal(fw_autoblock_decide(fx.ab, "b.example", true, false, S(T0 + 10), &v),
			 FW_AB_BLOCK);
	assert_int_equal(fw_autoblock_decide(fx.ab, "c.example", true, false, S(T0 + 20), &v),
			 FW_AB_BLOCK);
	assert_int_equal(fw_autoblock_decide(fx.ab, "a.example", true, false, S(T0 + 30), &v),
			 FW_AB_REFRESH);
	assert_int_equal(fw_autoblock_decide(fx.ab, "d.example", true, false, S(T0 + 59), &v),
			 FW_AB_RATE_LIMITED);
	assert_int_equal(v.expires_ns, 0);
	assert_false(fw_autoblock_active(fx.ab, "d.example", NULL));
	assert_non_null(strstr(v.detail, "alert only"));
	/* a.example's slot frees at T0 + 60. */
	assert_int_equal(fw_autoblock_decide(fx.ab, "d.example", true, false, S(T0 + 60), &v),
			 FW_AB_BLOCK);
	assert_int_equal(fw_autoblock_decide(fx.ab, "e.example", true, false, S(T0 + 61), &v),
			 FW_AB_RATE_LIMITED);
	assert_int_equal(fw_autoblock_count(fx.ab), 4);
}

/*
 * Samples from two CPUs reach the scorer a few milliseconds out of order:
 * a block stamped just after the verdict being decided still counts.
 */
static void blocks_stamped_a_little_later_still_count(void **state)
{
	struct fw_ab_verdict v;

	assert_int_equal(fw_autoblock_decide(fx.ab, "a.example", true, false, S(T0) + 3000000, &v),
			 FW_AB_BLOCK);
	assert_int_equal(fw_autoblock_decide(fx.ab, "b.example", true, false, S(T0) + 2000000, &v),
			 FW_AB_BLOCK);
	assert_int_equal(fw_autoblock_decide(fx.ab, "c.example", true, false, S(T0) + 5000000, &v),
			 FW_AB_BLOCK);
	assert_int_equal(fw_autoblock_decide(fx.ab, "d.example", true, false, S(T0), &v),
			 FW_AB_RATE_LIMITED);
	/* a clock stepped back by more than a minute does not stop blocking for good */
	assert_int_equal(fw_autoblock_decide(fx.ab, "e.example", true, false, S(T0 - 3600), &v),
			 FW_AB_BLOCK);
}

struct unblocked {
	int n;
	char last[64];
};

static void unblock_cb(const char *name, void *ctx)
{
	struct unblocked *u = ctx;

	u->n++;
	snprintf(u->last, sizeof(u->last), "%s", name);
}

/* Expiry is 24 h after the last time the domain was seen fluxing. */
static void refresh_moves_expiry_and_expired_entries_go(void **state)
{
	struct unblocked u = {0};
	struct fw_ab_verdict v;
	uint64_t exp;

	fw_autoblock_decide(fx.ab, "stay.example", true, false, S(T0), &v);
	fw_autoblock_decide(fx.ab, "go.example", true, false, S(T0), &v);
	assert_int_equal(fw_autoblock_decide(fx.ab, "stay.example", true, false, S(T0 + 3600), &v),
			 FW_AB_REFRESH);
	assert_int_equal(v.expires_ns, S(T0 + 3600 + 86400));
	/* Not fluxing any more: no refresh, the entry stays until it expires. */
	assert_int_equal(fw_autoblock_decide(fx.ab, "stay.example", false, false, S(T0 + 7200), &v),
			 FW_AB_NONE);
	assert_int_equal(fw_autoblock_expire(fx.ab, S(T0 + 86399), unblock_cb, &u), 0);
	assert_int_equal(fw_autoblock_expire(fx.ab, S(T0 + 86400), unblock_cb, &u), 1);
	assert_string_equal(u.last, "go.example");
	assert_false(fw_autoblock_active(fx.ab, "go.example", NULL));
	assert_true(fw_autoblock_active(fx.ab, "stay.example", &exp));
	assert_int_equal(exp, S(T0 + 90000));
	assert_int_equal(fw_autoblock_expire(fx.ab, S(T0 + 90000), unblock_cb, &u), 1);
	assert_int_equal(fw_autoblock_count(fx.ab), 0);
}

/* Allowlisting a name that holds an auto entry tells the caller to remove it. */
static void later_allowlisting_unblocks(void **state)
{
	struct fw_ab_verdict v;

	assert_int_equal(fw_autoblock_restore(fx.ab, "mybank.example", S(T0 + 100)), 0);
	assert_true(fw_autoblock_active(fx.ab, "mybank.example", NULL));
	assert_int_equal(fw_autoblock_decide(fx.ab, "mybank.example", true, false, S(T0), &v),
			 FW_AB_ALLOWLISTED);
	assert_true(v.unblock);
	assert_false(fw_autoblock_active(fx.ab, "mybank.example", NULL));
}

static void zero_limit_means_alert_only(void **state)
{
	struct fw_autoblock_params p = {.max_new_per_min = 0, .expiry_s = 60};
	char err[128];
	struct fw_autoblock *ab = fw_autoblock_new(&p, NULL, NULL, NULL, NULL, err, sizeof(err));
	struct fw_ab_verdict v;

	assert_non_null(ab);
	assert_int_equal(fw_autoblock_decide(ab, "x.example", true, false, S(T0), &v), FW_AB_RATE_LIMITED);
	assert_string_equal(fw_ab_decision_name(v.decision), "rate_limited");
	fw_autoblock_free(ab);
	p.expiry_s = 0;
	assert_null(fw_autoblock_new(&p, NULL, NULL, NULL, NULL, err, sizeof(err)));
	assert_string_equal(err, "auto-block expiry must be at least 1 s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_are_ten_per_minute_and_a_day),
	    cmocka_unit_test_setup_teardown(flux_domain_is_blocked_for_24_hours, setup, teardown),
	    cmocka_unit_test_setup_teardown(not_flux_does_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(allowlisted_name_is_never_blocked, setup, teardown),
	    cmocka_unit_test_setup_teardown(protected_name_is_never_blocked, setup, teardown),
	    cmocka_unit_test_setup_teardown(fourth_new_block_in_a_minute_is_only_an_alert, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(refresh_moves_expiry_and_expired_entries_go, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(later_allowlisting_unblocks, setup, teardown),
	    cmocka_unit_test_setup_teardown(blocks_stamped_a_little_later_still_count, setup,
					    teardown),
	    cmocka_unit_test(zero_limit_means_alert_only),
	};

	return cmocka_run_group_tests_name("autoblock_policy", tests, NULL, NULL);
}
