// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * domain_state.c: each feature against hand-computed values, the sliding
 * window, eviction, the cardinality sketch and memory per domain.
 * Run from the repository root (geo tests read tests/data/mmdb).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/domain_state.h"

#define S(x) ((uint64_t)(x)*1000000000ull)
#define T0   1700000000ull /* an arbitrary Unix time, seconds */

/* A response for name at T0 + at_s with addrs, a NULL-terminated list. */
static void answer(struct fw_obs *o, const char *name, uint64_t at_s, uint32_t ttl,
		   const char *const *addrs)
{
	fw_obs_init(o, name, S(T0 + at_s));
	for (; *addrs; addrs++)
		assert_int_equal(fw_obs_add_addr(o, *addrs, ttl), 0);
}

static struct fw_domstate *table(uint32_t max, uint32_t window, uint32_t exact)
{
	struct fw_domstate_params p = {.max_domains = max, .window_s = window, .exact_ips = exact};
	char err[128];
	struct fw_domstate *t = fw_domstate_new(&p, err, sizeof(err));

	assert_non_null(t);
	return t;
}

static int feed(struct fw_domstate *t, const char *name, uint64_t at_s, uint32_t ttl,
		const char *const *addrs)
{
	struct fw_obs o;

	answer(&o, name, at_s, ttl, addrs);
	return fw_domstate_observe(t, name, &o, NULL);
}

static struct fw_features features_at(struct fw_domstate *t, const char *name, uint64_t at_s)
{
	struct fw_features f;

	assert_int_equal(fw_domstate_features(t, name, S(T0 + at_s), &f), 0);
	return f;
}

/* 4 IPs over /24s 1.2.3 (2), 1.2.4 (1), 5.6.7 (1): H = 1.5 bits, / log2(4) = 0.75. */
static void ipv4_prefixes_and_entropy(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	const char *a[] = {"1.2.3.1", "1.2.3.2", "1.2.4.1", "5.6.7.8", NULL};
	struct fw_features f;

	feed(t, "x.example", 0, 60, a);
	f = features_at(t, "x.example", 1);
	assert_int_equal(f.n_ips, 4);
	assert_false(f.ips_estimated);
	assert_int_equal(f.n_prefixes, 3);
	assert_int_equal(f.n_wide_prefixes, 2);
	assert_float_equal(f.prefix_entropy, 0.75, 1e-9);
	fw_domstate_free(t);
}

/* /48s 2001:db8:1 (2 IPs) and 2001:db8:2 (1): H(2/3,1/3) / log2(3) = 0.5794. */
static void ipv6_prefixes_and_entropy(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	const char *a[] = {"2001:db8:1::1", "2001:db8:1::2", "2001:db8:2::1", NULL};
	struct fw_features f;

	feed(t, "v6.example", 0, 60, a);
	f = features_at(t, "v6.example", 0);
	assert_int_equal(f.n_prefixes, 2);
	assert_int_equal(f.n_wide_prefixes, 1);
	assert_float_equal(f.prefix_entropy, 0.918296 / 1.584963, 1e-5);
	fw_domstate_free(t);
}

static void one_ip_has_zero_entropy(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	const char *a[] = {"192.0.2.1", NULL};

	feed(t, "one.example", 0, 60, a);
	assert_float_equal(features_at(t, "one.example", 0).prefix_entropy, 0.0, 0.0);
	fw_domstate_free(t);
}

/* Latest TTLs 30, 60, 120, 600, 3600: min 30, lower median 120, 3 of 5 below 300. */
static void ttl_statistics(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	const uint32_t ttl[] = {600, 30, 3600, 120, 60};
	const char *ips[] = {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"};
	struct fw_features f;
	struct fw_obs o;
	int i;

	fw_obs_init(&o, "ttl.example", S(T0));
	for (i = 0; i < 5; i++)
		fw_obs_add_addr(&o, ips[i], ttl[i]);
	fw_domstate_observe(t, "ttl.example", &o, NULL);
	f = features_at(t, "ttl.example", 0);
	assert_int_equal(f.ttl_min, 30);
	assert_int_equal(f.ttl_median, 120);
	assert_int_equal(f.ttl_high, 3600); /* index 5 x 9 / 10 = 4 of the sorted five */
	assert_float_equal(f.ttl_low_share, 0.6, 1e-9);
	fw_domstate_free(t);
}

/*
 * A={1,2,3,4}, B={3,4,5,6,7} brings 3 new, C={1,2,8} brings 1, A again is
 * no new set: rotation (3+1)/2 = 2, 3 answer sets, largest answer 5, and
 * IPs 1-4 appeared in two sets: persistence 4/8.
 */
static void rotation_answer_sets_and_persistence(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	const char *a[] = {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", NULL};
	const char *a_shuffled[] = {"192.0.2.4", "192.0.2.2", "192.0.2.1", "192.0.2.3", NULL};
	const char *b[] = {"192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6", "192.0.2.7", NULL};
	const char *c[] = {"192.0.2.1", "192.0.2.2", "192.0.2.8", NULL};
	struct fw_features f;

	assert_int_equal(feed(t, "rot.example", 0, 60, a),
			 FW_DS_NEW_DOMAIN | FW_DS_NEW_ANSWER_SET | FW_DS_NEW_IPS);
	assert_int_equal(feed(t, "rot.example", 60, 60, b), FW_DS_NEW_ANSWER_SET | FW_DS_NEW_IPS);
	assert_int_equal(feed(t, "rot.example", 120, 60, c), FW_DS_NEW_ANSWER_SET | FW_DS_NEW_IPS);
	assert_int_equal(feed(t, "rot.example", 180, 60, a_shuffled), 0);
	f = features_at(t, "rot.example", 180);
	assert_int_equal(f.n_answer_sets, 3);
	assert_float_equal(f.rotation, 2.0, 1e-9);
	assert_int_equal(f.max_answer_size, 5);
	assert_int_equal(f.n_ips, 8);
	assert_float_equal(f.ip_persistence, 0.5, 1e-9);
	assert_int_equal(f.observations, 4);
	fw_domstate_free(t);
}

/* An IP is in the window while now - last_seen < window. */
static void ips_leave_the_window_exactly(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	const char *a[] = {"192.0.2.1", "192.0.2.2", NULL};
	const char *b[] = {"192.0.2.2", NULL};

	feed(t, "w.example", 0, 60, a);
	feed(t, "w.example", 1000, 60, b);
	assert_int_equal(features_at(t, "w.example", 3599).n_ips, 2);
	assert_int_equal(features_at(t, "w.example", 3600).n_ips, 1);
	assert_int_equal(features_at(t, "w.example", 4600).n_ips, 0);
	fw_domstate_free(t);
}

/* Counters live in quarter-window buckets: 900 s each for a 3600 s window. */
static void answer_sets_leave_by_bucket(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	const char *a[] = {"192.0.2.1", NULL};
	const char *b[] = {"192.0.2.2", NULL};

	feed(t, "b.example", 0, 60, a);	   /* bucket 0 */
	feed(t, "b.example", 1000, 60, b); /* bucket 1 */
	assert_int_equal(features_at(t, "b.example", 3599).n_answer_sets, 2);
	assert_int_equal(features_at(t, "b.example", 3600).n_answer_sets, 1);
	assert_int_equal(features_at(t, "b.example", 4500).n_answer_sets, 0);
	fw_domstate_free(t);
}

/* After the window passes, the same set is new again and is a first set. */
static void expired_state_starts_over(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	const char *a[] = {"192.0.2.1", "192.0.2.2", NULL};
	struct fw_features f;

	feed(t, "again.example", 0, 60, a);
	assert_int_equal(feed(t, "again.example", 7200, 60, a),
			 FW_DS_NEW_ANSWER_SET | FW_DS_NEW_IPS);
	f = features_at(t, "again.example", 7200);
	assert_int_equal(f.n_answer_sets, 1);
	assert_float_equal(f.rotation, 0.0, 0.0);
	fw_domstate_free(t);
}

/*
 * NS {ns1.a, ns2.a} + glue {1,2} is the first NS set: no churn. Then
 * {ns1.a, ns3.b} + {9} adds 1 name and 1 address; then {ns4.c, ns5.d} +
 * {8, 7} adds 2 and 2: churn 3 and 3, 5 names and 5 addresses seen.
 */
static void ns_name_and_address_churn(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	struct fw_features f;
	struct fw_obs o;

	fw_obs_init(&o, "df.example", S(T0));
	fw_obs_add_ns(&o, "ns1.a.example", 300);
	fw_obs_add_ns(&o, "ns2.a.example", 300);
	fw_obs_add_glue(&o, "198.51.100.1");
	fw_obs_add_glue(&o, "198.51.100.2");
	fw_domstate_observe(t, "df.example", &o, NULL);
	f = features_at(t, "df.example", 0);
	assert_int_equal(f.ns_name_churn, 0);
	assert_int_equal(f.ns_addr_churn, 0);

	fw_obs_init(&o, "df.example", S(T0 + 60));
	fw_obs_add_ns(&o, "ns1.a.example", 300);
	fw_obs_add_ns(&o, "ns3.b.example", 300);
	fw_obs_add_glue(&o, "198.51.100.9");
	fw_domstate_observe(t, "df.example", &o, NULL);

	fw_obs_init(&o, "df.example", S(T0 + 120));
	fw_obs_add_ns(&o, "ns4.c.example", 300);
	fw_obs_add_ns(&o, "ns5.d.example", 300);
	fw_obs_add_glue(&o, "198.51.100.8");
	fw_obs_add_glue(&o, "198.51.100.7");
	fw_domstate_observe(t, "df.example", &o, NULL);

	f = features_at(t, "df.example", 120);
	assert_int_equal(f.ns_name_churn, 3);
	assert_int_equal(f.ns_addr_churn, 3);
	assert_int_equal(f.n_ns_names, 5);
	assert_int_equal(f.n_ns_addrs, 5);
	fw_domstate_free(t);
}

static void least_recently_seen_is_evicted(void **state)
{
	struct fw_domstate *t = table(3, 3600, 32);
	const char *a[] = {"192.0.2.1", NULL};
	struct fw_features f;

	feed(t, "a.example", 0, 60, a);
	feed(t, "b.example", 1, 60, a);
	feed(t, "c.example", 2, 60, a);
	feed(t, "a.example", 3, 60, a); /* a is now the most recent */
	assert_int_equal(feed(t, "d.example", 4, 60, a) & FW_DS_NEW_DOMAIN, FW_DS_NEW_DOMAIN);
	assert_int_equal(fw_domstate_count(t), 3);
	assert_int_equal(fw_domstate_evictions(t), 1);
	assert_int_equal(fw_domstate_features(t, "b.example", S(T0 + 4), &f), -1);
	assert_int_equal(fw_domstate_features(t, "a.example", S(T0 + 4), &f), 0);
	assert_int_equal(fw_domstate_features(t, "c.example", S(T0 + 4), &f), 0);
	assert_int_equal(fw_domstate_features(t, "d.example", S(T0 + 4), &f), 0);
	fw_domstate_free(t);
}

/*
 * A flood of names seen once evicts only names seen once: the keys seen
 * again stay, and a key evicted once is known when it comes back.
 */
static void one_off_names_evict_each_other_not_returning_keys(void **state)
{
	struct fw_domstate *t = table(100, 3600, 32);
	const char *a[] = {"192.0.2.1", NULL};
	char name[32];
	unsigned i;

	feed(t, "steady.example", 0, 60, a);
	feed(t, "steady.example", 10, 60, a);
	feed(t, "once.example", 11, 60, a);
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "r%u.flood.example", i);
		feed(t, name, 12 + i / 100, 60, a);
	}
	assert_int_equal(fw_domstate_count(t), 100);
	assert_int_equal(fw_domstate_evictions(t), 1000 + 2 - 100);
	assert_int_equal(feed(t, "steady.example", 30, 60, a) & FW_DS_NEW_DOMAIN, 0);
	/* once.example went with the flood, and is remembered as evicted */
	assert_int_equal(feed(t, "once.example", 31, 60, a) & FW_DS_NEW_DOMAIN, FW_DS_NEW_DOMAIN);
	for (i = 1000; i < 2000; i++) {
		snprintf(name, sizeof(name), "r%u.flood.example", i);
		feed(t, name, 32 + i / 100, 60, a);
	}
	assert_int_equal(feed(t, "once.example", 60, 60, a) & FW_DS_NEW_DOMAIN, 0);
	assert_int_equal(feed(t, "steady.example", 60, 60, a) & FW_DS_NEW_DOMAIN, 0);
	fw_domstate_free(t);
}

static void forget_and_bad_keys(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	const char *a[] = {"192.0.2.1", NULL};
	char long_key[300];
	struct fw_obs o;

	answer(&o, "x", 0, 60, a);
	memset(long_key, 'a', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	assert_int_equal(fw_domstate_observe(t, "", &o, NULL), -1);
	assert_int_equal(fw_domstate_observe(t, long_key, &o, NULL), -1);
	feed(t, "gone.example", 0, 60, a);
	assert_int_equal(fw_domstate_forget(t, "gone.example"), 0);
	assert_int_equal(fw_domstate_forget(t, "gone.example"), -1);
	assert_int_equal(fw_domstate_count(t), 0);
	fw_domstate_free(t);
}

/* The caller's byte starts at 0, stays with its key, and goes with it. */
static void tag_stays_with_its_key(void **state)
{
	struct fw_domstate *t = table(2, 3600, 32);
	const char *a[] = {"192.0.2.1", NULL};

	assert_null(fw_domstate_tag(t, "www.example.org"));
	feed(t, "www.example.org", 0, 60, a);
	assert_int_equal(*fw_domstate_tag(t, "www.example.org"), 0);
	*fw_domstate_tag(t, "www.example.org") = 5;
	feed(t, "www.example.org", 0, 60, a); /* the same second: still seen once */
	assert_int_equal(*fw_domstate_tag(t, "www.example.org"), 5);
	feed(t, "b.example", 2, 60, a);
	feed(t, "c.example", 3, 60, a); /* evicts www.example.org, the least recent */
	assert_null(fw_domstate_tag(t, "www.example.org"));
	feed(t, "www.example.org", 4, 60, a);
	assert_int_equal(*fw_domstate_tag(t, "www.example.org"), 0);
	fw_domstate_free(t);
}

/* Behind a resolver an IP's TTL counts down between sightings; the zone's is the largest. */
static void an_ip_keeps_its_largest_ttl(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	const char *a[] = {"192.0.2.1", NULL};
	struct fw_features f;

	feed(t, "cached.example", 0, 150, a);
	feed(t, "cached.example", 100, 50, a); /* the same answer from the cache */
	f = features_at(t, "cached.example", 100);
	assert_int_equal(f.ttl_min, 150);
	feed(t, "cached.example", 200, 300, a); /* the zone raised it */
	f = features_at(t, "cached.example", 200);
	assert_int_equal(f.ttl_min, 300);
	fw_domstate_free(t);
}

static void params_are_checked(void **state)
{
	struct fw_domstate_params p;
	char err[128];

	fw_domstate_params_default(&p);
	assert_int_equal(p.max_domains, 200000);
	assert_int_equal(p.window_s, 3600);
	p.exact_ips = 200;
	assert_null(fw_domstate_new(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "use 4 to 64"));
	fw_domstate_params_default(&p);
	p.window_s = 2;
	assert_null(fw_domstate_new(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "window"));
}

/*
 * 100 distinct IPs in 10 answers of 10 with an exact set of 8: the sketch
 * estimates about 100 while the evidence keeps 8, and rotation (counted by
 * the sketch's growth past the exact set) is about 10. Replaying the same
 * 100 IPs gives 10 more distinct sets but no new IP, so rotation falls to
 * about 9/19 of what it was.
 */
static void sketch_counts_beyond_the_exact_set(void **state)
{
	struct fw_domstate *t = table(10, 3600, 8);
	double first_rotation = 0.0;
	char ips[100][20];
	const char *set[11];
	struct fw_features f;
	int pass, s, i;

	for (i = 0; i < 100; i++)
		snprintf(ips[i], sizeof(ips[i]), "203.0.%d.%d", i / 10, 10 + i);
	for (pass = 0; pass < 2; pass++) {
		for (s = 0; s < 10; s++) {
			for (i = 0; i < 10; i++)
				set[i] = ips[s * 10 + i];
			set[10] = NULL;
			feed(t, "big.example", (uint64_t)pass * 100 + s, 60, set);
		}
		f = features_at(t, "big.example", (uint64_t)pass * 100 + 9);
		if (pass == 0)
			first_rotation = f.rotation;
	}
	print_message("sketch: %u IPs estimated, rotation %.2f then %.2f\n", f.n_ips,
		      first_rotation, f.rotation);
	assert_true(first_rotation >= 7.0 && first_rotation <= 13.0);
	assert_true(f.ips_estimated);
	assert_int_equal(f.n_ips_exact, 8);
	assert_in_range(f.n_ips, 70, 130);
	assert_int_equal(f.n_answer_sets, 20);
	assert_true(f.rotation >= first_rotation * 9.0 / 19.0 - 1e-9);
	assert_true(f.rotation <= first_rotation * 0.55);
	fw_domstate_free(t);
}

/* ASNs, countries and distance from the MaxMind test databases. */
static void geo_features_from_the_test_databases(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	const char *a[] = {"1.128.0.1",	  "12.81.92.7",	   "2001:1700::1",
			   "81.2.69.160", "2.125.160.216", "2001:218::1",
			   NULL};
	char err[512];
	struct fw_geo *g = fw_geo_open("tests/data/mmdb/GeoLite2-ASN-Test.mmdb", NULL,
				       "tests/data/mmdb/GeoLite2-City-Test.mmdb", err, sizeof(err));
	struct fw_features f;
	struct fw_obs o;

	assert_non_null(g);
	answer(&o, "geo.example", 0, 60, a);
	fw_domstate_observe(t, "geo.example", &o, g);
	f = features_at(t, "geo.example", 0);
	assert_int_equal(f.n_asns, 3);	    /* 1221, 7018, 6730 */
	assert_int_equal(f.n_countries, 2); /* GB (twice), JP */
	assert_int_equal(f.n_located, 3);
	/* Boxford (51.75, -1.25) to Tokyo (35.69, 139.75): the furthest pair. */
	assert_float_equal(f.geo_spread_km, 9577.88, 1.0);
	assert_int_equal(f.geo_features, FW_GEO_HAS_ASN | FW_GEO_HAS_COUNTRY | FW_GEO_HAS_LOCATION);
	fw_domstate_free(t);
	fw_geo_close(g);
}

static void evidence_lists_ips_asns_and_countries(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	const char *first[] = {"1.128.0.1", "1.128.0.2", NULL};
	const char *second[] = {"1.128.0.2", "81.2.69.160", NULL};
	char err[512], ip[FW_IP_TEXT_MAX];
	struct fw_geo *g = fw_geo_open("tests/data/mmdb/GeoLite2-ASN-Test.mmdb", NULL,
				       "tests/data/mmdb/GeoLite2-City-Test.mmdb", err, sizeof(err));
	struct fw_evidence *ev = test_malloc(sizeof(*ev));
	struct fw_obs o;

	answer(&o, "ev.example", 10, 60, first);
	fw_domstate_observe(t, "ev.example", &o, g);
	answer(&o, "ev.example", 70, 30, second);
	fw_domstate_observe(t, "ev.example", &o, g);
	assert_int_equal(fw_domstate_evidence(t, "ev.example", S(T0 + 70), ev), 0);
	assert_int_equal(ev->n_ips, 3);
	/* Latest first: the two seen at +70, by address, then 1.128.0.1. */
	fw_ip_format(&ev->ips[0].ip, ip, sizeof(ip));
	assert_string_equal(ip, "1.128.0.2");
	assert_int_equal(ev->ips[0].first_seen_s, T0 + 10);
	assert_int_equal(ev->ips[0].last_seen_s, T0 + 70);
	assert_int_equal(ev->ips[0].n_sets, 2);
	assert_int_equal(ev->ips[0].ttl, 60); /* the largest seen: 60, then 30 */
	fw_ip_format(&ev->ips[2].ip, ip, sizeof(ip));
	assert_string_equal(ip, "1.128.0.1");
	assert_int_equal(ev->ips[2].last_seen_s, T0 + 10);
	assert_int_equal(ev->n_asns, 1);
	assert_int_equal(ev->asns[0].asn, 1221);
	assert_int_equal(ev->asns[0].n_ips, 2);
	assert_int_equal(ev->asns[0].first_seen_s, T0 + 10);
	assert_int_equal(ev->asns[0].last_seen_s, T0 + 70);
	assert_int_equal(ev->n_countries, 1);
	assert_string_equal(ev->countries[0].country, "GB");
	assert_int_equal(ev->countries[0].first_seen_s, T0 + 70);
	test_free(ev);
	fw_domstate_free(t);
	fw_geo_close(g);
}

/* Typical traffic: 1-4 IPs per name. The target is 1 KiB per tracked domain. */
static void memory_per_domain_stays_under_1kib(void **state)
{
	struct fw_domstate *t = table(20000, 3600, 32);
	char name[64], ips[4][20];
	const char *set[5];
	size_t per_domain;
	int d, i;

	for (d = 0; d < 20000; d++) {
		int n = 1 + d % 4;

		snprintf(name, sizeof(name), "host%d.domain%d.example", d, d / 3);
		for (i = 0; i < n; i++) {
			snprintf(ips[i], sizeof(ips[i]), "10.%d.%d.%d", d / 250 % 250, d % 250, i);
			set[i] = ips[i];
		}
		set[n] = NULL;
		feed(t, name, (uint64_t)d / 100, 300, set);
	}
	per_domain = fw_domstate_mem_bytes(t) / fw_domstate_count(t);
	print_message("memory per tracked domain, 1-4 IPs each: %zu bytes\n", per_domain);
	assert_in_range(per_domain, 200, 1024);
	fw_domstate_free(t);
}

/* A flux domain at the exact-set cap costs more; the mix above is the average case. */
static void memory_of_a_full_flux_domain(void **state)
{
	struct fw_domstate *t = table(10, 3600, 32);
	size_t empty = fw_domstate_mem_bytes(t), flux;
	char ips[64][20];
	const char *set[9];
	struct fw_obs o;
	int s, i;

	for (i = 0; i < 64; i++)
		snprintf(ips[i], sizeof(ips[i]), "198.51.%d.%d", i, i + 1);
	for (s = 0; s < 8; s++) {
		for (i = 0; i < 8; i++)
			set[i] = ips[s * 8 + i];
		set[8] = NULL;
		answer(&o, "flux.example", (uint64_t)s * 60, 60, set);
		fw_obs_add_ns(&o, "ns1.flux.example", 60);
		fw_domstate_observe(t, "flux.example", &o, NULL);
	}
	flux = fw_domstate_mem_bytes(t) - empty;
	print_message("memory of one flux domain (32 exact IPs, sketch, NS): %zu bytes\n", flux);
	/* record + 32 x 40-byte IPs + 136-byte sketch + NS tracking, with malloc rounding */
	assert_in_range(flux, 32 * 40 + 128, 2048);
	fw_domstate_free(t);
}

/* Host names of a registered domain: a, b, a again and the apex are three. */
static void host_names_under_a_domain(void **state)
{
	static const char *const ip[] = {"192.0.2.1", NULL};
	const char *const names[] = {"a.example.cn", "b.example.cn", "a.example.cn", "example.cn"};
	struct fw_domstate *t = table(10, 3600, 32);
	struct fw_obs o;
	int i;

	for (i = 0; i < 4; i++) {
		answer(&o, names[i], i, 60, ip);
		fw_domstate_observe(t, "example.cn", &o, NULL);
		fw_domstate_observe(t, names[i], &o, NULL);
	}
	assert_int_equal(features_at(t, "example.cn", 4).n_qnames, 3);
	assert_int_equal(features_at(t, "a.example.cn", 4).n_qnames, 1);
	assert_int_equal(features_at(t, "example.cn", 3604).n_qnames, 0); /* all gone */
	fw_domstate_free(t);
}

/*
 * An NS host tracked under its NS key: {1,2}, then {3,4} brings 2 new,
 * then {5} brings 1: address churn 3, which a domain it serves inherits.
 * The host's own name, answering for itself, is another key.
 */
static void ns_host_churn_reaches_the_domains_it_serves(void **state)
{
	static const char *const s1[] = {"198.51.100.1", "198.51.100.2", NULL};
	static const char *const s2[] = {"198.51.100.3", "198.51.100.4", NULL};
	static const char *const s3[] = {"198.51.100.5", NULL};
	static const char *const web[] = {"192.0.2.80", NULL};
	struct fw_domstate *t = table(10, 3600, 32);
	char host[64], stable[64];
	struct fw_obs o;

	assert_int_equal(fw_domstate_ns_key("ns1.host.example", host, sizeof(host)), 0);
	assert_string_equal(host, ".ns1.host.example");
	assert_int_equal(fw_domstate_ns_key("ns9.stable.example", stable, sizeof(stable)), 0);
	feed(t, host, 0, 300, s1);
	feed(t, host, 10, 300, s2);
	feed(t, host, 20, 300, s3);
	feed(t, stable, 20, 300, s1);
	feed(t, "ns1.host.example", 20, 300, web); /* its own name: no churn */
	answer(&o, "served.example", 30, 300, web);
	fw_obs_add_ns(&o, "ns1.host.example", 300);
	fw_domstate_observe(t, "served.example", &o, NULL);
	answer(&o, "calm.example", 30, 300, web);
	fw_obs_add_ns(&o, "ns9.stable.example", 300);
	fw_obs_add_ns(&o, "ns-unknown.example", 300);
	fw_domstate_observe(t, "calm.example", &o, NULL);
	assert_int_equal(features_at(t, "served.example", 30).ns_host_churn, 3);
	assert_int_equal(features_at(t, "calm.example", 30).ns_host_churn, 0);
	/* kept like the largest answer: in quarter-window buckets, gone after the window */
	assert_int_equal(features_at(t, "served.example", 2699).ns_host_churn, 3);
	assert_int_equal(features_at(t, "served.example", 3600).ns_host_churn, 0);
	fw_domstate_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ipv4_prefixes_and_entropy),
	    cmocka_unit_test(ipv6_prefixes_and_entropy),
	    cmocka_unit_test(one_ip_has_zero_entropy),
	    cmocka_unit_test(ttl_statistics),
	    cmocka_unit_test(rotation_answer_sets_and_persistence),
	    cmocka_unit_test(ips_leave_the_window_exactly),
	    cmocka_unit_test(answer_sets_leave_by_bucket),
	    cmocka_unit_test(expired_state_starts_over),
	    cmocka_unit_test(ns_name_and_address_churn),
	    cmocka_unit_test(least_recently_seen_is_evicted),
	    cmocka_unit_test(one_off_names_evict_each_other_not_returning_keys),
	    cmocka_unit_test(forget_and_bad_keys),
	    cmocka_unit_test(tag_stays_with_its_key),
	    cmocka_unit_test(an_ip_keeps_its_largest_ttl),
	    cmocka_unit_test(params_are_checked),
	    cmocka_unit_test(sketch_counts_beyond_the_exact_set),
	    cmocka_unit_test(geo_features_from_the_test_databases),
	    cmocka_unit_test(evidence_lists_ips_asns_and_countries),
	    cmocka_unit_test(memory_per_domain_stays_under_1kib),
	    cmocka_unit_test(memory_of_a_full_flux_domain),
	    cmocka_unit_test(host_names_under_a_domain),
	    cmocka_unit_test(ns_host_churn_reaches_the_domains_it_serves),
	};

	return cmocka_run_group_tests_name("domain_state", tests, NULL, NULL);
}
