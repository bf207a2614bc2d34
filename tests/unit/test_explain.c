// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* explain.c: what `fluxwall explain` prints, as text and as JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/explain.h"

#define S(x) ((uint64_t)(x)*1000000000ull)
#define T0   1700000000ull /* 2023-11-14T22:13:20Z */

struct case_data {
	struct fw_features f;
	struct fw_score_result r;
	struct fw_evidence ev;
};

static struct case_data cd;

/* Two answers: 1.128.0.1 and 12.81.92.7 (AS1221, AS7018), then 81.2.69.160 (GB). */
static int build(void **state)
{
	struct fw_domstate_params dp;
	struct fw_score_params sp;
	struct fw_domstate *t;
	struct fw_geo *g;
	struct fw_obs o;
	char err[512];

	g = fw_geo_open("tests/data/mmdb/GeoLite2-ASN-Test.mmdb", NULL,
			"tests/data/mmdb/GeoLite2-City-Test.mmdb", err, sizeof(err));
	fw_domstate_params_default(&dp);
	t = fw_domstate_new(&dp, err, sizeof(err));
	if (!g || !t)
		return -1;
	fw_obs_init(&o, "x.example", S(T0));
	fw_obs_add_addr(&o, "1.128.0.1", 120);
	fw_obs_add_addr(&o, "12.81.92.7", 120);
	fw_domstate_observe(t, "x.example", &o, g);
	fw_obs_init(&o, "x.example", S(T0 + 60));
	fw_obs_add_addr(&o, "81.2.69.160", 30);
	fw_domstate_observe(t, "x.example", &o, g);
	fw_domstate_features(t, "x.example", S(T0 + 60), &cd.f);
	fw_domstate_evidence(t, "x.example", S(T0 + 60), &cd.ev);
	fw_score_params_default(&sp);
	fw_score(&sp, &cd.f, &cd.r);
	fw_domstate_free(t);
	fw_geo_close(g);
	return 0;
}

static char *render(bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		assert_int_equal(fw_explain_json_file(f, "x.example", &cd.f, &cd.r, &cd.ev, NULL), 0);
	else
		fw_explain_text(f, "x.example", &cd.f, &cd.r, &cd.ev, NULL);
	fclose(f);
	return buf;
}

static void text_shows_verdict_reference_terms_and_evidence(void **state)
{
	char *s = render(false);

	assert_non_null(strstr(s, "x.example: not_flux (score "));
	assert_non_null(strstr(s, "not enough evidence yet: 3 distinct IP(s) seen, 4 needed"));
	assert_non_null(strstr(s, "reference (Holz et al. 2008): 1.32 x 3 IPs + 18.54 x 2 ASNs "
				  "- 142.38 = -101.34: not flux"));
	assert_non_null(strstr(s, "rotation_across_networks"));
	assert_non_null(strstr(s, "81.2.69.160"));
	assert_non_null(strstr(s, "AS1221"));
	assert_non_null(strstr(s, "first 2023-11-14T22:13:20Z"));
	assert_non_null(strstr(s, "GB             1 IP(s)"));
	free(s);
}

static void json_is_valid_with_stable_fields(void **state)
{
	char *s = render(true);

	assert_true(fw_json_valid(s));
	assert_non_null(strstr(s, "{\"name\":\"x.example\",\"verdict\":\"not_flux\","));
	assert_non_null(strstr(s, "\"enough_evidence\":false"));
	assert_non_null(strstr(s, "\"reference\":{\"method\":\"holz2008\",\"score\":-101.34"));
	assert_non_null(strstr(s, "{\"name\":\"asn_diversity\",\"input\":"));
	assert_non_null(strstr(s, "\"ips\":3,"));
	assert_non_null(strstr(s, "\"answer_sets\":2,"));
	assert_non_null(strstr(s, "{\"ip\":\"81.2.69.160\",\"first_seen\":1700000060,"
				  "\"last_seen\":1700000060,\"country\":\"GB\",\"ttl\":30"));
	assert_non_null(strstr(s, "{\"asn\":7018,\"ips\":1,\"first_seen\":1700000000,"
				  "\"last_seen\":1700000000}"));
	assert_non_null(strstr(s, "\"geo\":{\"asn\":true,\"country\":true,\"location\":true}"));
	assert_int_equal(s[strlen(s) - 1], '\n');
	free(s);
}

/* A hostile name is written in presentation form: no byte reaches a terminal raw. */
static void text_escapes_a_hostile_name(void **state)
{
	char *buf = NULL;
	const char *p;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fw_explain_text(f, "x\x1b]0;owned\x07\n\xff.example", &cd.f, &cd.r, &cd.ev, NULL);
	fclose(f);
	assert_non_null(strstr(buf, "x\\027]0;owned\\007\\010\\255.example: not_flux"));
	for (p = buf; *p; p++)
		assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
	free(buf);
}

static void verdict_names(void **state)
{
	struct fw_score_result r = {.flux = true, .over_threshold = true};

	assert_string_equal(fw_verdict_name(&r), "flux");
	r.flux = false;
	assert_string_equal(fw_verdict_name(&r), "not_enough_evidence");
	r.over_threshold = false;
	assert_string_equal(fw_verdict_name(&r), "not_flux");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(text_shows_verdict_reference_terms_and_evidence),
	    cmocka_unit_test(json_is_valid_with_stable_fields),
	    cmocka_unit_test(text_escapes_a_hostile_name),
	    cmocka_unit_test(verdict_names),
	};

	return cmocka_run_group_tests_name("explain", tests, build, NULL);
}
