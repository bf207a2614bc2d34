// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * geo.c against MaxMind's test databases (tests/data/mmdb, MIT licence in
 * LICENSE-MIT.maxmind; expected values are from the .json sources there),
 * their deliberately broken databases, and flat-layout databases that
 * scripts/mkmmdb.pl builds at test time. Run from the repository root.
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

#include "engine/geo.h"

#define MMDB	"tests/data/mmdb/"
#define ASN_DB	MMDB "GeoLite2-ASN-Test.mmdb"
#define CC_DB	MMDB "GeoLite2-Country-Test.mmdb"
#define CITY_DB MMDB "GeoLite2-City-Test.mmdb"

static struct fw_geo_info look(struct fw_geo *g, const char *ip_text)
{
	struct fw_geo_info gi;
	struct fw_ip ip;

	assert_int_equal(fw_ip_parse(ip_text, &ip), 0);
	assert_int_equal(fw_geo_lookup(g, &ip, &gi), 0);
	return gi;
}

static struct fw_geo *open_all(void)
{
	char err[512] = "";
	struct fw_geo *g = fw_geo_open(ASN_DB, CC_DB, CITY_DB, err, sizeof(err));

	if (!g)
		fail_msg("opening the MaxMind test databases: %s", err);
	return g;
}

/* GeoLite2-ASN-Test.json: 1.128.0.0/11 AS1221, 12.81.92.0/22 AS7018, 2001:1700::/27 AS6730. */
static void asn_lookups_match_the_json(void **state)
{
	struct fw_geo *g = open_all();

	assert_int_equal(look(g, "1.128.0.1").asn, 1221);
	assert_int_equal(look(g, "1.159.255.254").asn, 1221);
	assert_int_equal(look(g, "12.81.92.7").asn, 7018);
	assert_int_equal(look(g, "2001:1700::1").asn, 6730);
	assert_int_equal(look(g, "1.1.1.1").asn, 0); /* not in the test data */
	fw_geo_close(g);
}

/* GeoLite2-City-Test.json: 81.2.69.160/27 GB 51.5142,-0.0931; 2001:218::/32 JP. */
static void city_lookups_give_country_and_coordinates(void **state)
{
	struct fw_geo *g = open_all();
	struct fw_geo_info gi;

	gi = look(g, "81.2.69.160");
	assert_string_equal(gi.country, "GB");
	assert_true(gi.has_location);
	assert_float_equal(gi.latitude, 51.5142, 1e-6);
	assert_float_equal(gi.longitude, -0.0931, 1e-6);

	gi = look(g, "2001:218::1");
	assert_string_equal(gi.country, "JP");
	assert_float_equal(gi.latitude, 35.68536, 1e-6);
	assert_float_equal(gi.longitude, 139.75309, 1e-6);

	gi = look(g, "175.16.199.1");
	assert_string_equal(gi.country, "CN");
	assert_float_equal(gi.longitude, 125.3228, 1e-6);
	fw_geo_close(g);
}

/* 2a02:d500::/29 has a location but no country in the City JSON. */
static void location_without_country_stays_countryless(void **state)
{
	struct fw_geo *g = open_all();
	struct fw_geo_info gi = look(g, "2a02:d500::1");

	assert_string_equal(gi.country, "");
	assert_true(gi.has_location);
	fw_geo_close(g);
}

/* GeoLite2-Country-Test.json: 50.114.0.0/22 US, only in the Country DB. */
static void country_db_answers_without_city(void **state)
{
	char err[512];
	struct fw_geo *g = fw_geo_open(NULL, CC_DB, NULL, err, sizeof(err));
	struct fw_geo_info gi;

	assert_non_null(g);
	gi = look(g, "50.114.0.1");
	assert_string_equal(gi.country, "US");
	assert_false(gi.has_location);
	assert_int_equal(fw_geo_features(g), FW_GEO_HAS_COUNTRY);
	assert_int_equal(fw_geo_layout(g, FW_GEO_DB_COUNTRY), FW_GEO_LAYOUT_MAXMIND);
	fw_geo_close(g);
}

static void maxmind_layout_is_detected_for_all_three(void **state)
{
	struct fw_geo *g = open_all();

	assert_int_equal(fw_geo_layout(g, FW_GEO_DB_ASN), FW_GEO_LAYOUT_MAXMIND);
	assert_int_equal(fw_geo_layout(g, FW_GEO_DB_COUNTRY), FW_GEO_LAYOUT_MAXMIND);
	assert_int_equal(fw_geo_layout(g, FW_GEO_DB_CITY), FW_GEO_LAYOUT_MAXMIND);
	assert_int_equal(fw_geo_features(g),
			 FW_GEO_HAS_ASN | FW_GEO_HAS_COUNTRY | FW_GEO_HAS_LOCATION);
	fw_geo_close(g);
}

static void expect_broken(const char *path)
{
	char err[512] = "";
	struct fw_geo *g = fw_geo_open(path, NULL, NULL, err, sizeof(err));

	assert_null(g);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "corrupt"));
}

static void broken_pointers_db_is_refused_by_name(void **state)
{
	expect_broken(MMDB "MaxMind-DB-test-broken-pointers-24.mmdb");
}

static void broken_search_tree_db_is_refused_by_name(void **state)
{
	expect_broken(MMDB "MaxMind-DB-test-broken-search-tree-24.mmdb");
}

static void non_mmdb_file_is_refused_by_name(void **state)
{
	char err[512] = "";
	struct fw_geo *g = fw_geo_new();

	assert_int_equal(
	    fw_geo_load(g, FW_GEO_DB_CITY, MMDB "LICENSE-MIT.maxmind", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "LICENSE-MIT.maxmind"));
	assert_non_null(strstr(err, "not a valid MaxMind DB"));
	assert_int_equal(fw_geo_features(g), 0);
	fw_geo_close(g);
}

static void missing_files_leave_features_unavailable(void **state)
{
	char err[512], status[1024];
	struct fw_geo *g = fw_geo_new();
	struct fw_geo_info gi;

	assert_int_equal(fw_geo_load(g, FW_GEO_DB_ASN, "/nonexistent/asn.mmdb", err, sizeof(err)),
			 1);
	assert_int_equal(fw_geo_load(g, FW_GEO_DB_CITY, NULL, err, sizeof(err)), 1);
	assert_int_equal(fw_geo_features(g), 0);
	fw_geo_status(g, status, sizeof(status));
	assert_non_null(
	    strstr(status, "asn: unavailable: ASN database /nonexistent/asn.mmdb not found"));
	assert_non_null(strstr(status, "location: unavailable: no city database configured"));
	gi = look(g, "81.2.69.160");
	assert_int_equal(gi.asn, 0);
	assert_string_equal(gi.country, "");
	fw_geo_close(g);
}

static void status_names_loaded_files_and_layouts(void **state)
{
	char err[512], status[2048];
	struct fw_geo *g = fw_geo_open(ASN_DB, NULL, CITY_DB, err, sizeof(err));

	assert_non_null(g);
	fw_geo_status(g, status, sizeof(status));
	assert_non_null(strstr(status, "asn: " ASN_DB " (MaxMind layout)"));
	assert_non_null(
	    strstr(status, "country: " CITY_DB " (MaxMind layout, from the city database)"));
	assert_non_null(strstr(status, "location: " CITY_DB));
	fw_geo_close(g);
}

static void null_geo_answers_unknown(void **state)
{
	struct fw_geo_info gi;
	struct fw_ip ip;

	fw_ip_parse("81.2.69.160", &ip);
	assert_int_equal(fw_geo_lookup(NULL, &ip, &gi), 0);
	assert_int_equal(gi.asn, 0);
	assert_false(gi.has_location);
}

/* ---- flat layout, built by scripts/mkmmdb.pl ---- */

struct flat {
	char dir[64];
	char city[128];
	char asn[128];
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int build_flat(void **state)
{
	static struct flat fl;
	char src[128], cmd[512];

	snprintf(fl.dir, sizeof(fl.dir), "/tmp/fw-test-geo-XXXXXX");
	if (!mkdtemp(fl.dir))
		return -1;
	snprintf(src, sizeof(src), "%s/city.json", fl.dir);
	write_file(src, "[{\"198.51.100.0/24\":{\"country_code\":\"NL\",\"latitude\":52.37,"
			"\"longitude\":4.89}},"
			"{\"2001:db8:1::/48\":{\"country_code\":\"BR\",\"latitude\":-23.55,"
			"\"longitude\":-46.63}}]");
	snprintf(fl.city, sizeof(fl.city), "%s/city.mmdb", fl.dir);
	snprintf(cmd, sizeof(cmd), "perl scripts/mkmmdb.pl --json --out %s %s", fl.city, src);
	if (system(cmd) != 0)
		return -1;
	snprintf(src, sizeof(src), "%s/asn.csv", fl.dir);
	write_file(src, "198.51.100.0,198.51.100.127,64496,Example One\n"
			"198.51.100.128,198.51.100.255,64497,\"Example, Two\"\n");
	snprintf(fl.asn, sizeof(fl.asn), "%s/asn.mmdb", fl.dir);
	snprintf(cmd, sizeof(cmd), "perl scripts/mkmmdb.pl --kind asn --out %s %s", fl.asn, src);
	if (system(cmd) != 0)
		return -1;
	*state = &fl;
	return 0;
}

static int remove_flat(void **state)
{
	struct flat *fl = *state;
	char cmd[128];

	if (!fl)
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fl->dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void flat_city_layout_is_detected_and_read(void **state)
{
	struct flat *fl = *state;
	char err[512];
	struct fw_geo *g = fw_geo_open(fl->asn, NULL, fl->city, err, sizeof(err));
	struct fw_geo_info gi;

	if (!g)
		fail_msg("%s", err);
	assert_int_equal(fw_geo_layout(g, FW_GEO_DB_CITY), FW_GEO_LAYOUT_FLAT);
	gi = look(g, "198.51.100.200");
	assert_string_equal(gi.country, "NL");
	assert_true(gi.has_location);
	assert_float_equal(gi.latitude, 52.37, 1e-9);
	assert_float_equal(gi.longitude, 4.89, 1e-9);
	assert_int_equal(gi.asn, 64497);
	gi = look(g, "2001:db8:1:2::9");
	assert_string_equal(gi.country, "BR");
	assert_float_equal(gi.latitude, -23.55, 1e-9);
	fw_geo_close(g);
}

static void asn_csv_ranges_become_networks(void **state)
{
	struct flat *fl = *state;
	char err[512];
	struct fw_geo *g = fw_geo_open(fl->asn, NULL, NULL, err, sizeof(err));

	assert_non_null(g);
	assert_int_equal(look(g, "198.51.100.0").asn, 64496);
	assert_int_equal(look(g, "198.51.100.127").asn, 64496);
	assert_int_equal(look(g, "198.51.100.128").asn, 64497);
	assert_int_equal(look(g, "198.51.101.1").asn, 0);
	fw_geo_close(g);
}

static int notes;
static void count_note(const char *msg, void *ctx)
{
	notes++;
	snprintf(ctx, 1024, "%s", msg);
}

/* cp SRC DST in place (DST keeps its inode), or cut DST to len bytes when src is NULL. */
static void rewrite_in_place(const char *src, const char *dst, long len)
{
	char cmd[1024];

	if (src)
		snprintf(cmd, sizeof(cmd), "cp %s %s", src, dst);
	else
		snprintf(cmd, sizeof(cmd), "truncate -s %ld %s", len, dst);
	assert_int_equal(system(cmd), 0);
}

/*
 * The daemon's view: a broken database leaves its features out and says
 * why; the good file written over it in place is picked up; cut short in
 * place while loaded, it leaves the loaded copy answering (no SIGBUS).
 */
static void broken_db_degrades_and_a_rewrite_in_place_is_picked_up(void **state)
{
	char tmp[] = "/tmp/fw-geo-XXXXXX", path[64], warn[1024], note[1024], status[2048];
	struct fw_geo *g;

	assert_non_null(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/asn.mmdb", tmp);
	rewrite_in_place(ASN_DB, path, 0);
	rewrite_in_place(NULL, path, 1000); /* no metadata */
	g = fw_geo_open_degraded(path, NULL, NULL, warn, sizeof(warn));
	assert_non_null(g);
	assert_non_null(strstr(warn, "not a valid MaxMind DB file"));
	assert_non_null(strstr(warn, "scoring goes on without it"));
	assert_int_equal(fw_geo_features(g), 0);
	fw_geo_status(g, status, sizeof(status));
	assert_non_null(strstr(status, "asn: unavailable: ASN database"));
	notes = 0;
	fw_geo_recheck(g, count_note, note);
	assert_int_equal(notes, 0); /* the same broken file is not tried again */

	rewrite_in_place(ASN_DB, path, 0);
	fw_geo_recheck(g, count_note, note);
	assert_int_equal(notes, 1);
	assert_non_null(strstr(note, "is usable now"));
	assert_int_equal(fw_geo_features(g), FW_GEO_HAS_ASN);
	assert_int_equal(look(g, "12.81.92.7").asn, 7018);

	rewrite_in_place(NULL, path, 1000);
	fw_geo_recheck(g, count_note, note);
	assert_int_equal(notes, 2);
	assert_non_null(strstr(note, "the copy loaded before stays in use"));
	assert_int_equal(look(g, "1.128.0.1").asn, 1221); /* not cached: read from the copy */
	fw_geo_close(g);
	unlink(path);
	rmdir(tmp);
}

int main(void)
{
	const struct CMUnitTest maxmind[] = {
	    cmocka_unit_test(asn_lookups_match_the_json),
	    cmocka_unit_test(city_lookups_give_country_and_coordinates),
	    cmocka_unit_test(location_without_country_stays_countryless),
	    cmocka_unit_test(country_db_answers_without_city),
	    cmocka_unit_test(maxmind_layout_is_detected_for_all_three),
	    cmocka_unit_test(broken_pointers_db_is_refused_by_name),
	    cmocka_unit_test(broken_search_tree_db_is_refused_by_name),
	    cmocka_unit_test(non_mmdb_file_is_refused_by_name),
	    cmocka_unit_test(missing_files_leave_features_unavailable),
	    cmocka_unit_test(status_names_loaded_files_and_layouts),
	    cmocka_unit_test(null_geo_answers_unknown),
	    cmocka_unit_test(broken_db_degrades_and_a_rewrite_in_place_is_picked_up),
	};
	const struct CMUnitTest flat[] = {
	    cmocka_unit_test(flat_city_layout_is_detected_and_read),
	    cmocka_unit_test(asn_csv_ranges_become_networks),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("geo_maxmind", maxmind, NULL, NULL);
	failed += cmocka_run_group_tests_name("geo_flat", flat, build_flat, remove_flat);
	return failed ? 1 : 0;
}
