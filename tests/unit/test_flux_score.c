// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * flux_score.c: the Holz et al. reference against hand-computed values,
 * each term of fluxwall's score, the evidence rule, the parameter table;
 * then whole scenarios through domain_state with a generated geo database:
 * single and double flux must be caught by their third distinct answer
 * set, and the hard negatives (NTP pool, CDN, cloud load balancer, dynamic
 * DNS, round robin) must never be, although Holz flags the first two.
 * Run from the repository root (uses perl scripts/mkmmdb.pl).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/flux_score.h"
#include "geo_world.h"

/* ---- Holz et al. ---- */

static void holz_matches_hand_computation(void **state)
{
	/* 1.32*10 + 18.54*5 - 142.38 = 13.2 + 92.7 - 142.38 = -36.48 */
	assert_float_equal(fw_holz_score(10, 5), -36.48, 1e-9);
	/* 1.32*50 + 18.54*5 - 142.38 = 66 + 92.7 - 142.38 = 16.32 */
	assert_float_equal(fw_holz_score(50, 5), 16.32, 1e-9);
	assert_float_equal(fw_holz_score(0, 0), -142.38, 1e-9);
	/* 1.32*1 + 18.54*1 = 19.86: a static site is far from flux */
	assert_float_equal(fw_holz_score(1, 1), -122.52, 1e-9);
	assert_false(fw_holz_is_flux(fw_holz_score(10, 5)));
	assert_true(fw_holz_is_flux(fw_holz_score(50, 5)));
	assert_false(fw_holz_is_flux(0.0)); /* strictly greater than zero */
}

/* ---- fluxwall's score on hand-made features ---- */

static struct fw_features flux_like(void)
{
	struct fw_features f = {
	    .n_ips = 20,
	    .n_asns = 8,	     /* (8-1)/(8-1) = 1     -> 15 */
	    .n_countries = 3,	     /* (3-1)/(5-1) = 0.5   -> 2.5 */
	    .prefix_entropy = 0.9,   /* 0.9 x 5            -> 4.5 */
	    .geo_spread_km = 2500.0, /* 2500/5000 = 0.5    -> 2.5 */
	    .ttl_low_share = 1.0,    /* 1 x 5              -> 5 */
	    .rotation = 4.5,	     /* (4.5-3)/(6-3) = 0.5 -> 5, and 0.5 x 1 x 1 x 40 = 20 */
	    .n_continents = 4,
	    .eff_continents = 2.7,  /* (2.7-1.2)/(2.2-1.2) > 1, clamped: scattered */
	    .max_answer_size = 5,   /* (5-4)/(6-4) = 0.5 x 15 -> 7.5 */
	    .ns_name_churn = 1,
	    .ns_addr_churn = 1,	    /* 2/4 = 0.5 x 25     -> 12.5 */
	    .ip_persistence = 0.25, /* 0.25 x -10         -> -2.5 */
	    .n_answer_sets = 3,
	    .geo_features = FW_GEO_HAS_ASN | FW_GEO_HAS_COUNTRY | FW_GEO_HAS_LOCATION,
	};
	return f;
}

static void each_term_contributes_input_times_weight(void **state)
{
	struct fw_score_params p;
	struct fw_features f = flux_like();
	struct fw_score_result r;

	fw_score_params_default(&p);
	fw_score(&p, &f, &r);
	assert_float_equal(r.terms[FW_TERM_ASN].contribution, 15.0, 1e-9);
	assert_float_equal(r.terms[FW_TERM_COUNTRY].contribution, 2.5, 1e-9);
	assert_float_equal(r.terms[FW_TERM_ENTROPY].contribution, 4.5, 1e-9);
	assert_float_equal(r.terms[FW_TERM_GEO].contribution, 2.5, 1e-9);
	assert_float_equal(r.terms[FW_TERM_TTL_LOW].contribution, 5.0, 1e-9);
	assert_float_equal(r.terms[FW_TERM_ROTATION].contribution, 5.0, 1e-9);
	assert_float_equal(r.terms[FW_TERM_ROTATION_NET].contribution, 20.0, 1e-9);
	assert_float_equal(r.terms[FW_TERM_NS_CHURN].contribution, 12.5, 1e-9);
	assert_float_equal(r.terms[FW_TERM_ANSWER_SIZE].contribution, 7.5, 1e-9);
	assert_float_equal(r.terms[FW_TERM_PERSISTENCE].contribution, -2.5, 1e-9);
	assert_float_equal(r.score, 72.0, 1e-9);
	assert_true(r.over_threshold);
	assert_true(r.enough_evidence);
	assert_true(r.flux);
	assert_string_equal(r.terms[FW_TERM_ROTATION_NET].name, "rotation_across_networks");
	/* Holz on the same features: 1.32*20 + 18.54*8 - 142.38 = 32.34 */
	assert_float_equal(r.holz, 32.34, 1e-9);
	assert_true(r.holz_flux);
}

/* Diversity without rotation is what an NTP pool looks like: never enough. */
static void diversity_alone_cannot_reach_the_threshold(void **state)
{
	struct fw_score_params p;
	struct fw_features f = flux_like();
	struct fw_score_result r;

	fw_score_params_default(&p);
	f.n_countries = 50;
	f.geo_spread_km = 20000.0;
	f.prefix_entropy = 1.0;
	f.rotation = 3.0;	  /* at the floor: no rotation */
	f.max_answer_size = 4; /* a pool's answer */
	f.ns_name_churn = f.ns_addr_churn = 0;
	f.ip_persistence = 0.0;
	fw_score(&p, &f, &r);
	assert_float_equal(r.score, 35.0, 1e-9);
	assert_false(r.flux);
}

/* Rotation across networks on one or two continents is a regional pool. */
static void regional_rotation_does_not_count_across_networks(void **state)
{
	struct fw_score_params p;
	struct fw_features f = flux_like();
	struct fw_score_result r;

	fw_score_params_default(&p);
	f.eff_continents = 1.2; /* e.g. 11 IPs on one continent, one stray */
	fw_score(&p, &f, &r);
	assert_float_equal(r.terms[FW_TERM_ROTATION_NET].contribution, 0.0, 1e-9);
	assert_float_equal(r.score, 52.0, 1e-9);
	assert_false(r.flux);
	f.eff_continents = 2.2; /* (2.2-1.2)/(2.2-1.2) = 1: counts in full */
	fw_score(&p, &f, &r);
	assert_float_equal(r.terms[FW_TERM_ROTATION_NET].contribution, 20.0, 1e-9);
	p.continent_sat = 3.2; /* (2.2-1.2)/(3.2-1.2) = 0.5 */
	fw_score(&p, &f, &r);
	assert_float_equal(r.terms[FW_TERM_ROTATION_NET].contribution, 10.0, 1e-9);
	f.geo_features = FW_GEO_HAS_ASN; /* no country data: spread cannot be told */
	fw_score(&p, &f, &r);
	assert_float_equal(r.terms[FW_TERM_ROTATION_NET].contribution, 20.0, 1e-9);
}

static void too_few_answer_sets_is_not_enough_evidence(void **state)
{
	struct fw_score_params p;
	struct fw_features f = flux_like();
	struct fw_score_result r;

	fw_score_params_default(&p);
	f.n_answer_sets = 1;
	fw_score(&p, &f, &r);
	assert_true(r.over_threshold);
	assert_false(r.enough_evidence);
	assert_false(r.flux);
	assert_string_equal(r.evidence_note, "1 distinct answer set(s) seen, 2 needed");
	f.n_answer_sets = 2;
	f.n_ips = 3;
	fw_score(&p, &f, &r);
	assert_false(r.flux);
	assert_string_equal(r.evidence_note, "3 distinct IP(s) seen, 4 needed");
}

/* Without an ASN database, distinct /16s stand in for ASNs, and say so. */
static void wide_prefixes_stand_in_for_missing_asn_data(void **state)
{
	struct fw_score_params p;
	struct fw_features f = flux_like();
	struct fw_score_result r;

	fw_score_params_default(&p);
	f.geo_features = 0;
	f.n_asns = 0;
	f.n_wide_prefixes = 5; /* (5-1)/(8-1) */
	fw_score(&p, &f, &r);
	assert_true(r.asn_proxy);
	assert_float_equal(r.terms[FW_TERM_ASN].input, 4.0 / 7.0, 1e-9);
}

static void reason_names_the_top_terms(void **state)
{
	struct fw_score_params p;
	struct fw_features f = flux_like();
	struct fw_score_result r;
	char buf[256];

	fw_score_params_default(&p);
	fw_score(&p, &f, &r);
	fw_score_reason(&r, buf, sizeof(buf));
	assert_string_equal(buf, "flux score 72.0 >= 55.0: rotation_across_networks 20.0, "
				 "asn_diversity 15.0, ns_churn 12.5");
}

/*
 * Network hopping: 8 ASNs -> diversity 1; half the later sets brought a new
 * ASN; TTL 75 s at the 90th percentile -> uncacheable 1 - (75-30)/(120-30)
 * = 0.5; input 1 x 0.5 x 0.5 = 0.25, x 40 = 10.
 */
static void network_hopping_is_novelty_times_diversity_times_uncacheable(void **state)
{
	struct fw_score_params p;
	struct fw_features f = flux_like();
	struct fw_score_result r;

	fw_score_params_default(&p);
	f.asn_novelty = 0.5;
	f.ttl_high = 75;
	fw_score(&p, &f, &r);
	assert_string_equal(r.terms[FW_TERM_HOPPING].name, "network_hopping");
	assert_float_equal(r.terms[FW_TERM_HOPPING].contribution, 10.0, 1e-9);
	f.ttl_high = 150; /* an NTP pool's TTL: cacheable, no hopping */
	fw_score(&p, &f, &r);
	assert_float_equal(r.terms[FW_TERM_HOPPING].contribution, 0.0, 1e-9);
	f.ttl_high = 0;
	f.n_asns = 3; /* (3-1)/7 of 40 with every set hopping: a multi-cloud balancer */
	f.asn_novelty = 1.0;
	fw_score(&p, &f, &r);
	assert_float_equal(r.terms[FW_TERM_HOPPING].contribution, 40.0 * 2.0 / 7.0, 1e-9);
}

/* NS churn is the domain's own, or its busiest NS host's when that is larger. */
static void ns_churn_takes_the_larger_of_own_and_host(void **state)
{
	struct fw_score_params p;
	struct fw_features f = flux_like();
	struct fw_score_result r;

	fw_score_params_default(&p);
	f.ns_name_churn = f.ns_addr_churn = 0;
	f.ns_host_churn = 3; /* 3/4 x 25 = 18.75 */
	fw_score(&p, &f, &r);
	assert_float_equal(r.terms[FW_TERM_NS_CHURN].contribution, 18.75, 1e-9);
	f.ns_name_churn = 4; /* own 4 > host 3: full */
	fw_score(&p, &f, &r);
	assert_float_equal(r.terms[FW_TERM_NS_CHURN].contribution, 25.0, 1e-9);
}

/* What completes the evidence when a cache shows only one answer set. */
static void one_answer_set_needs_host_names_or_ns_host_churn(void **state)
{
	struct fw_score_params p;
	struct fw_features f = flux_like();
	struct fw_score_result r;

	fw_score_params_default(&p);
	f.n_answer_sets = 1;
	f.observations = 1;
	f.n_qnames = 5;
	fw_score(&p, &f, &r);
	assert_false(r.enough_evidence); /* one response alone: never */
	f.observations = 4;
	fw_score(&p, &f, &r);
	assert_true(r.enough_evidence);
	assert_string_equal(r.evidence_basis, "host_names");
	f.n_asns = 4; /* a set that is not wide: 4 ASNs < 5 */
	fw_score(&p, &f, &r);
	assert_false(r.enough_evidence);
	f.n_qnames = 2;
	f.n_asns = 8;
	fw_score(&p, &f, &r);
	assert_false(r.enough_evidence); /* www and the apex are not many names */
	f.ns_host_churn = 4;
	fw_score(&p, &f, &r);
	assert_true(r.enough_evidence);
	assert_string_equal(r.evidence_basis, "ns_hosts");
	f.n_answer_sets = 2;
	fw_score(&p, &f, &r);
	assert_string_equal(r.evidence_basis, "answer_sets");
}

static void params_table_defaults_in_range(void **state)
{
	struct fw_score_params p;
	size_t i;

	fw_score_params_default(&p);
	assert_float_equal(p.threshold, 55.0, 0.0);
	assert_float_equal(p.w_rotation_net, 40.0, 0.0);
	for (i = 0; i < fw_score_param_count; i++) {
		assert_non_null(fw_score_param_table[i].help);
		assert_true(fw_score_param_table[i].def >= fw_score_param_table[i].min);
		assert_true(fw_score_param_table[i].def <= fw_score_param_table[i].max);
	}
	assert_float_equal(p.asn_sat, 8.0, 0.0);
}

/* ---- scenarios through domain_state ---- */

#define T0   1700000000ull
#define S(x) ((uint64_t)(x)*1000000000ull)

static uint32_t rng_state = 12345;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % n;
}

/* One response of a scenario: fill o for set number k at time at_s. */
typedef void (*scenario_fn)(struct fw_obs *o, unsigned k, uint64_t at_s);

struct outcome {
	unsigned flux_at_set; /* distinct answer sets when first judged flux; 0 never */
	bool holz_flux_ever;
	double max_score;
};

/* Feed n responses, scoring after each one as the daemon does. */
static struct outcome run(struct fw_world *w, const char *name, scenario_fn fn, unsigned n,
			  unsigned interval_s)
{
	struct fw_domstate_params dp;
	struct fw_score_params sp;
	struct outcome out = {0};
	struct fw_score_result r;
	struct fw_features f;
	struct fw_domstate *t;
	char err[128];
	struct fw_obs o;
	unsigned k;

	fw_domstate_params_default(&dp);
	dp.max_domains = 16;
	fw_score_params_default(&sp);
	t = fw_domstate_new(&dp, err, sizeof(err));
	assert_non_null(t);
	for (k = 0; k < n; k++) {
		uint64_t at = (uint64_t)k * interval_s;

		fn(&o, k, at);
		assert_true(fw_domstate_observe(t, name, &o, w->geo) >= 0);
		assert_int_equal(fw_domstate_features(t, name, S(T0 + at), &f), 0);
		fw_score(&sp, &f, &r);
		if (r.score > out.max_score)
			out.max_score = r.score;
		if (r.flux && !out.flux_at_set)
			out.flux_at_set = f.n_answer_sets;
		out.holz_flux_ever |= r.holz_flux;
	}
	fw_domstate_free(t);
	return out;
}

static void start(struct fw_obs *o, const char *name, uint64_t at_s)
{
	fw_obs_init(o, name, S(T0 + at_s));
}

static void add(struct fw_obs *o, uint32_t ttl, const char *fmt, unsigned a, unsigned b, unsigned c)
{
	char ip[32];

	snprintf(ip, sizeof(ip), fmt, a, b, c);
	assert_int_equal(fw_obs_add_addr(o, ip, ttl), 0);
}

/* Residential bots: 5-10 new IPs per answer, each in a random network, TTL 0-300. */
static void single_flux(struct fw_obs *o, unsigned k, uint64_t at_s)
{
	unsigned n = 5 + rnd(6), i;

	start(o, "evil-flux.example", at_s);
	for (i = 0; i < n; i++)
		add(o, rnd(301), "11.%u.%u.%u", rnd(FW_WORLD_NETS), rnd(256), 1 + rnd(254));
}

static void double_flux(struct fw_obs *o, unsigned k, uint64_t at_s)
{
	char ns[64];
	unsigned i;

	single_flux(o, k, at_s);
	snprintf(o->qname, sizeof(o->qname), "evil-double.example");
	for (i = 0; i < 2; i++) {
		snprintf(ns, sizeof(ns), "ns%u.evil-double.example", rnd(1000));
		fw_obs_add_ns(o, ns, 300);
		add(o, 0, "11.%u.%u.%u", rnd(FW_WORLD_NETS), rnd(256), 1 + rnd(254));
		o->glue_ns[o->n_glue] = o->n_ns - 1;
		o->glue[o->n_glue++] = o->addrs[--o->n_addrs].ip;
	}
}

/*
 * NTP-pool-like: 40 long-lived servers in 40 ASNs and 10 countries; each
 * answer is 4 of them, TTL 150, and the pool's answer drifts slowly: one
 * server is replaced per new answer.
 */
static unsigned ntp_window[4] = {0, 1, 2, 3};

static void ntp_pool(struct fw_obs *o, unsigned k, uint64_t at_s)
{
	unsigned i;

	if (k == 0)
		for (i = 0; i < 4; i++)
			ntp_window[i] = i;
	else if (k % 4 == 0)
		ntp_window[rnd(4)] = rnd(FW_WORLD_NETS);
	start(o, "pool.ntp.example", at_s);
	for (i = 0; i < 4; i++)
		add(o, 150, "11.%u.0.%u", ntp_window[i], 123 + ntp_window[i] % 4, 0);
}

/* CDN: 128 edge IPs in two ASNs, 2 per answer picked at random, TTL 20-300. */
static void cdn(struct fw_obs *o, unsigned k, uint64_t at_s)
{
	unsigned i;

	start(o, "static.cdn.example", at_s);
	for (i = 0; i < 2; i++)
		add(o, 20 + rnd(281), "12.%u.%u.%u", rnd(2), rnd(8), 1 + rnd(8));
}

/* Cloud load balancer: 2 fresh IPs per answer inside one ASN, TTL 60. */
static void cloud_lb(struct fw_obs *o, unsigned k, uint64_t at_s)
{
	start(o, "app.cloudlb.example", at_s);
	add(o, 60, "13.%u.%u.%u", rnd(16), rnd(256), 1 + rnd(254));
	add(o, 60, "13.%u.%u.%u", rnd(16), rnd(256), 1 + rnd(254));
}

/* Dynamic DNS home host: one residential IP that changes every 30 answers. */
static void dyndns(struct fw_obs *o, unsigned k, uint64_t at_s)
{
	start(o, "home.dyndns.example", at_s);
	add(o, 60, "11.7.%u.%u", (k / 30) % 256, 10, 0);
}

/* Round robin: the same 6 IPs in one /24, shuffled. */
static void round_robin(struct fw_obs *o, unsigned k, uint64_t at_s)
{
	unsigned i;

	start(o, "www.rr.example", at_s);
	for (i = 0; i < 6; i++)
		add(o, 300, "14.0.0.%u", 1 + (i + k) % 6, 0, 0);
}

/*
 * One address per answer, TTL 0, each in a network new to the window, on
 * Europe mostly and Asia now and then, as the real trace showed.
 */
static const unsigned hop_nets[10] = {1, 4, 8, 11, 14, 18, 21, 24, 5, 28};

static void hopping_flux(struct fw_obs *o, unsigned k, uint64_t at_s)
{
	start(o, "hop.example", at_s);
	add(o, 0, "11.%u.%u.%u", hop_nets[k % 10], rnd(256), 1 + rnd(254));
}

/* A CDN that answers one edge address with TTL 0-20, in its two ASNs. */
static void cdn_single(struct fw_obs *o, unsigned k, uint64_t at_s)
{
	start(o, "cdn-single.example", at_s);
	add(o, rnd(21), "12.%u.%u.%u", rnd(2), rnd(8), 1 + rnd(8));
}

static void single_address_hopping_is_flux(void **state)
{
	struct outcome o = run(*state, "hop.example", hopping_flux, 10, 300);

	/* 6 ASNs: 5/7 x 40 + 5/7 x 15 + the static terms pass 55 */
	assert_true(o.flux_at_set >= 4 && o.flux_at_set <= 8);
}

static void single_address_cdn_is_not_flux(void **state)
{
	struct outcome o = run(*state, "cdn-single.example", cdn_single, 24 * 60, 5);

	assert_int_equal(o.flux_at_set, 0);
	assert_true(o.max_score < 30.0);
}

static void single_flux_is_caught_by_the_third_answer_set(void **state)
{
	struct outcome r;
	int run_no;

	for (run_no = 0; run_no < 20; run_no++) {
		rng_state = 1000 + run_no;
		r = run(*state, "evil-flux.example", single_flux, 10, 120);
		assert_in_range(r.flux_at_set, 2, 3);
	}
}

static void double_flux_is_caught_by_the_third_answer_set(void **state)
{
	struct outcome r;

	rng_state = 77;
	r = run(*state, "evil-double.example", double_flux, 10, 120);
	assert_in_range(r.flux_at_set, 2, 3);
	assert_true(r.max_score >= 80.0); /* NS churn adds to the A-record flux */
}

/* Two hours, a response every 150 s; Holz calls it flux, fluxwall must not. */
static void ntp_pool_is_not_flux_though_holz_says_so(void **state)
{
	struct outcome r;

	rng_state = 5;
	r = run(*state, "pool.ntp.example", ntp_pool, 48 * 4, 150);
	print_message("ntp pool: max score %.1f\n", r.max_score);
	assert_int_equal(r.flux_at_set, 0);
	assert_true(r.holz_flux_ever);
}

static void cdn_is_not_flux_though_holz_says_so(void **state)
{
	struct outcome r;

	rng_state = 6;
	r = run(*state, "static.cdn.example", cdn, 360, 20);
	print_message("cdn: max score %.1f\n", r.max_score);
	assert_int_equal(r.flux_at_set, 0);
	assert_true(r.holz_flux_ever);
}

static void cloud_lb_dyndns_and_round_robin_are_not_flux(void **state)
{
	struct outcome r;

	rng_state = 7;
	r = run(*state, "app.cloudlb.example", cloud_lb, 120, 60);
	print_message("cloud lb: max score %.1f\n", r.max_score);
	assert_int_equal(r.flux_at_set, 0);
	r = run(*state, "home.dyndns.example", dyndns, 240, 60);
	assert_int_equal(r.flux_at_set, 0);
	r = run(*state, "www.rr.example", round_robin, 120, 300);
	print_message("round robin: max score %.1f\n", r.max_score);
	assert_int_equal(r.flux_at_set, 0);
	/* its big answers count, but nothing else: far below the threshold */
	assert_true(r.max_score < 55.0 / 2);
}

int main(void)
{
	const struct CMUnitTest score[] = {
	    cmocka_unit_test(holz_matches_hand_computation),
	    cmocka_unit_test(each_term_contributes_input_times_weight),
	    cmocka_unit_test(diversity_alone_cannot_reach_the_threshold),
	    cmocka_unit_test(regional_rotation_does_not_count_across_networks),
	    cmocka_unit_test(too_few_answer_sets_is_not_enough_evidence),
	    cmocka_unit_test(wide_prefixes_stand_in_for_missing_asn_data),
	    cmocka_unit_test(reason_names_the_top_terms),
	    cmocka_unit_test(params_table_defaults_in_range),
	    cmocka_unit_test(network_hopping_is_novelty_times_diversity_times_uncacheable),
	    cmocka_unit_test(ns_churn_takes_the_larger_of_own_and_host),
	    cmocka_unit_test(one_answer_set_needs_host_names_or_ns_host_churn),
	};
	const struct CMUnitTest scenarios[] = {
	    cmocka_unit_test(single_flux_is_caught_by_the_third_answer_set),
	    cmocka_unit_test(double_flux_is_caught_by_the_third_answer_set),
	    cmocka_unit_test(ntp_pool_is_not_flux_though_holz_says_so),
	    cmocka_unit_test(cdn_is_not_flux_though_holz_says_so),
	    cmocka_unit_test(cloud_lb_dyndns_and_round_robin_are_not_flux),
	    cmocka_unit_test(single_address_hopping_is_flux),
	    cmocka_unit_test(single_address_cdn_is_not_flux),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("flux_score", score, NULL, NULL);
	failed +=
	    cmocka_run_group_tests_name("flux_scenarios", scenarios, fw_world_setup, fw_world_teardown);
	return failed ? 1 : 0;
}
