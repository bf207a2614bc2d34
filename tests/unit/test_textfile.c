// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Prometheus textfile: exact exposition text, escaping, atomic replacement. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "formats/textfile.h"

/* A daemon's view after some traffic; every value distinct. */
static void sample_metrics(struct fw_metrics *m)
{
	int i;

	memset(m, 0, sizeof(*m));
	m->version = "0.1.0";
	for (i = 0; i < FW_CNT_MAX; i++)
		m->counters[i] = 100 + (uint64_t)i;
	m->list_size[FW_LIST_KIND_MANUAL] = 3;
	m->list_size[FW_LIST_KIND_FEED] = 1000;
	m->list_size[FW_LIST_KIND_AUTO] = 7;
	m->list_size[FW_LIST_KIND_ALLOW] = 2;
	m->tracked_domains = 12345;
	m->auto_blocks_total = 9;
	m->expiries_total = 4;
	m->refusals_total[FW_REFUSAL_ALLOWLISTED] = 1;
	m->refusals_total[FW_REFUSAL_PROTECTED] = 2;
	m->refusals_total[FW_REFUSAL_RATE_LIMITED] = 5000;
	m->refusals_total[FW_REFUSAL_UNBLOCKABLE] = 3;
	fw_latency_observe(&m->scorer_latency, 0.0002);
	fw_latency_observe(&m->scorer_latency, 0.003);
	fw_latency_observe(&m->scorer_latency, 20);
	m->top_count = 2;
	strcpy(m->top[0].name, "flux.example");
	m->top[0].score = 0.97;
	strcpy(m->top[1].name, "b.example");
	m->top[1].score = 0.5;
}

static const char expected_text[] =
    "# HELP fluxwall_packets_total Packets seen by the XDP program.\n"
    "# TYPE fluxwall_packets_total counter\n"
    "fluxwall_packets_total 100\n"
    "# HELP fluxwall_packets_passed_total Packets passed on to the network stack.\n"
    "# TYPE fluxwall_packets_passed_total counter\n"
    "fluxwall_packets_passed_total 101\n"
    "# HELP fluxwall_packets_not_dns_total Packets that were not UDP or TCP from a DNS port; "
    "passed.\n"
    "# TYPE fluxwall_packets_not_dns_total counter\n"
    "fluxwall_packets_not_dns_total 102\n"
    "# HELP fluxwall_dns_queries_total DNS queries (QR=0) from a DNS port; passed.\n"
    "# TYPE fluxwall_dns_queries_total counter\n"
    "fluxwall_dns_queries_total 103\n"
    "# HELP fluxwall_dns_other_opcode_total DNS messages with an opcode other than QUERY; passed.\n"
    "# TYPE fluxwall_dns_other_opcode_total counter\n"
    "fluxwall_dns_other_opcode_total 104\n"
    "# HELP fluxwall_dns_responses_total DNS responses whose question parsed.\n"
    "# TYPE fluxwall_dns_responses_total counter\n"
    "fluxwall_dns_responses_total 105\n"
    "# HELP fluxwall_blocked_total Responses blocked, by action taken.\n"
    "# TYPE fluxwall_blocked_total counter\n"
    "fluxwall_blocked_total{action=\"drop\"} 106\n"
    "fluxwall_blocked_total{action=\"nxdomain\"} 107\n"
    "# HELP fluxwall_blocked_by_reason_total Responses blocked, by origin of the matching rule.\n"
    "# TYPE fluxwall_blocked_by_reason_total counter\n"
    "fluxwall_blocked_by_reason_total{reason=\"manual\"} 108\n"
    "fluxwall_blocked_by_reason_total{reason=\"feed\"} 109\n"
    "fluxwall_blocked_by_reason_total{reason=\"auto\"} 110\n"
    "# HELP fluxwall_allowlisted_total Responses passed because an allow rule won over a block "
    "rule.\n"
    "# TYPE fluxwall_allowlisted_total counter\n"
    "fluxwall_allowlisted_total 111\n"
    "# HELP fluxwall_fragments_passed_total IP fragments passed untouched.\n"
    "# TYPE fluxwall_fragments_passed_total counter\n"
    "fluxwall_fragments_passed_total 112\n"
    "# HELP fluxwall_tcp_partial_passed_total TCP segments without a whole DNS message; passed.\n"
    "# TYPE fluxwall_tcp_partial_passed_total counter\n"
    "fluxwall_tcp_partial_passed_total 113\n"
    "# HELP fluxwall_nxdomain_rewrite_failed_total NXDOMAIN rewrites that were impossible; dropped "
    "instead.\n"
    "# TYPE fluxwall_nxdomain_rewrite_failed_total counter\n"
    "fluxwall_nxdomain_rewrite_failed_total 114\n"
    "# HELP fluxwall_malformed_total Malformed packets, by reason.\n"
    "# TYPE fluxwall_malformed_total counter\n"
    "fluxwall_malformed_total{reason=\"l3\"} 115\n"
    "fluxwall_malformed_total{reason=\"udp_length\"} 116\n"
    "fluxwall_malformed_total{reason=\"short_header\"} 117\n"
    "fluxwall_malformed_total{reason=\"qdcount\"} 118\n"
    "fluxwall_malformed_total{reason=\"label\"} 119\n"
    "fluxwall_malformed_total{reason=\"pointer\"} 120\n"
    "fluxwall_malformed_total{reason=\"name_length\"} 121\n"
    "fluxwall_malformed_total{reason=\"truncated\"} 122\n"
    "fluxwall_malformed_total{reason=\"records\"} 127\n"
    "# HELP fluxwall_samples_sent_total Response samples sent to the scorer.\n"
    "# TYPE fluxwall_samples_sent_total counter\n"
    "fluxwall_samples_sent_total 123\n"
    "# HELP fluxwall_samples_suppressed_total Samples skipped because the answer set was "
    "unchanged.\n"
    "# TYPE fluxwall_samples_suppressed_total counter\n"
    "fluxwall_samples_suppressed_total 124\n"
    "# HELP fluxwall_samples_lost_total Samples lost because the ring buffer was full.\n"
    "# TYPE fluxwall_samples_lost_total counter\n"
    "fluxwall_samples_lost_total 125\n"
    "# HELP fluxwall_samples_untrusted_total Responses not sampled: source is not a trusted "
    "resolver.\n"
    "# TYPE fluxwall_samples_untrusted_total counter\n"
    "fluxwall_samples_untrusted_total 126\n"
    "# HELP fluxwall_blocklist_entries Rules in the block and allow lists, by source kind.\n"
    "# TYPE fluxwall_blocklist_entries gauge\n"
    "fluxwall_blocklist_entries{kind=\"manual\"} 3\n"
    "fluxwall_blocklist_entries{kind=\"feed\"} 1000\n"
    "fluxwall_blocklist_entries{kind=\"auto\"} 7\n"
    "fluxwall_blocklist_entries{kind=\"allow\"} 2\n"
    "# HELP fluxwall_tracked_domains Domains the scorer currently tracks.\n"
    "# TYPE fluxwall_tracked_domains gauge\n"
    "fluxwall_tracked_domains 12345\n"
    "# HELP fluxwall_auto_blocks_total Names auto-blocked by the scorer since the daemon started.\n"
    "# TYPE fluxwall_auto_blocks_total counter\n"
    "fluxwall_auto_blocks_total 9\n"
    "# HELP fluxwall_expiries_total Auto entries removed at expiry since the daemon started.\n"
    "# TYPE fluxwall_expiries_total counter\n"
    "fluxwall_expiries_total 4\n"
    "# HELP fluxwall_auto_block_refusals_total Flux verdicts not turned into a block since the "
    "daemon started, by reason; each is also an alert event.\n"
    "# TYPE fluxwall_auto_block_refusals_total counter\n"
    "fluxwall_auto_block_refusals_total{reason=\"allowlisted\"} 1\n"
    "fluxwall_auto_block_refusals_total{reason=\"protected\"} 2\n"
    "fluxwall_auto_block_refusals_total{reason=\"rate_limited\"} 5000\n"
    "fluxwall_auto_block_refusals_total{reason=\"unblockable\"} 3\n"
    "# HELP fluxwall_scorer_duration_seconds Time the scorer took per scoring run.\n"
    "# TYPE fluxwall_scorer_duration_seconds histogram\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"1e-05\"} 0\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"5e-05\"} 0\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"0.0001\"} 0\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"0.0005\"} 1\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"0.001\"} 1\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"0.0025\"} 1\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"0.005\"} 2\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"0.01\"} 2\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"0.025\"} 2\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"0.05\"} 2\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"0.1\"} 2\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"0.25\"} 2\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"0.5\"} 2\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"1\"} 2\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"2.5\"} 2\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"10\"} 2\n"
    "fluxwall_scorer_duration_seconds_bucket{le=\"+Inf\"} 3\n"
    "fluxwall_scorer_duration_seconds_sum 20.0032\n"
    "fluxwall_scorer_duration_seconds_count 3\n"
    "# HELP fluxwall_top_domain_score Highest current flux scores; rank 1 is the highest.\n"
    "# TYPE fluxwall_top_domain_score gauge\n"
    "fluxwall_top_domain_score{rank=\"1\",name=\"flux.example\"} 0.97\n"
    "fluxwall_top_domain_score{rank=\"2\",name=\"b.example\"} 0.5\n"
    "# HELP fluxwall_build_info Always 1; the version label says which fluxwall wrote the file.\n"
    "# TYPE fluxwall_build_info gauge\n"
    "fluxwall_build_info{version=\"0.1.0\"} 1\n";

static char *render(const struct fw_metrics *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(fw_textfile_render(m, f), 0);
	fclose(f);
	return text;
}

static void test_exact_output(void **state)
{
	struct fw_metrics m;
	char *text;

	sample_metrics(&m);
	text = render(&m);
	assert_string_equal(text, expected_text);
	free(text);
}

/* Every counter of the ABI shows up, so a new counter cannot be forgotten. */
static void test_every_counter_exported(void **state)
{
	struct fw_metrics m;
	char *text, want[32];
	int i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < FW_CNT_MAX; i++)
		m.counters[i] = 7770000 + (uint64_t)i;
	text = render(&m);
	for (i = 0; i < FW_CNT_MAX; i++) {
		snprintf(want, sizeof(want), "} %d\n", 7770000 + i);
		if (!strstr(text, want)) {
			snprintf(want, sizeof(want), "_total %d\n", 7770000 + i);
			if (!strstr(text, want))
				fail_msg("counter %d is not in the textfile", i);
		}
	}
	free(text);
}

/*
 * The exposition format wants each family's samples together, after one
 * HELP and one TYPE line, and the collector rejects a family seen twice.
 */
static void test_families_are_contiguous_and_declared(void **state)
{
	struct fw_metrics m;
	char *text, *line, *save = NULL, declared[64][80] = {{0}}, current[80] = "";
	int ndeclared = 0, i;

	sample_metrics(&m);
	text = render(&m);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char fam[80];

		if (strncmp(line, "# HELP ", 7) == 0) {
			sscanf(line + 7, "%79s", fam);
			for (i = 0; i < ndeclared; i++)
				if (strcmp(declared[i], fam) == 0)
					fail_msg("family %s declared twice", fam);
			assert_true(ndeclared < 64);
			strcpy(declared[ndeclared++], fam);
			strcpy(current, fam);
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			sscanf(line + 7, "%79s", fam);
			assert_string_equal(fam, current);
			continue;
		}
		/* A sample: its name is the current family, or a histogram suffix of it. */
		if (strncmp(line, current, strlen(current)) != 0)
			fail_msg("sample \"%s\" outside its family %s", line, current);
	}
	free(text);
}

static void test_histogram_is_cumulative(void **state)
{
	struct fw_metrics m;
	char *text;

	memset(&m, 0, sizeof(m));
	fw_latency_observe(&m.scorer_latency, 0.00001); /* on a bound: counts in it */
	fw_latency_observe(&m.scorer_latency, 0.7);
	fw_latency_observe(&m.scorer_latency, 0.7);
	text = render(&m);
	assert_non_null(strstr(text, "fluxwall_scorer_duration_seconds_bucket{le=\"1e-05\"} 1\n"));
	assert_non_null(strstr(text, "fluxwall_scorer_duration_seconds_bucket{le=\"0.5\"} 1\n"));
	assert_non_null(strstr(text, "fluxwall_scorer_duration_seconds_bucket{le=\"1\"} 3\n"));
	assert_non_null(strstr(text, "fluxwall_scorer_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(text, "fluxwall_scorer_duration_seconds_sum 1.40001\n"));
	assert_non_null(strstr(text, "fluxwall_scorer_duration_seconds_count 3\n"));
	free(text);
}

static void test_label_escaping(void **state)
{
	struct fw_metrics m;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	fw_prom_escape_label(f, "a\\b\"c\nd");
	fclose(f);
	assert_string_equal(text, "a\\\\b\\\"c\\nd");
	free(text);

	memset(&m, 0, sizeof(m));
	m.version = "1.0 \"rc\"\n";
	text = render(&m);
	assert_non_null(strstr(text, "fluxwall_build_info{version=\"1.0 \\\"rc\\\"\\n\"} 1\n"));
	free(text);
}

/*
 * A top domain's name may be any bytes; label values must be UTF-8 on one
 * line, or node-exporter drops the whole file: the name is written in
 * presentation form, then escaped as a label.
 */
static void test_hostile_top_name_keeps_the_file_valid(void **state)
{
	struct fw_metrics m;
	const char *line;
	char *text;

	memset(&m, 0, sizeof(m));
	m.top_count = 1;
	strcpy(m.top[0].name, "a\"b\\c\n\x1b[31m\xff.evil");
	m.top[0].score = 99;
	text = render(&m);
	line = strstr(text, "fluxwall_top_domain_score{");
	assert_non_null(line);
	assert_int_equal(strncmp(line,
				 "fluxwall_top_domain_score{rank=\"1\",name=\"a\\\"b\\\\092c"
				 "\\\\010\\\\027[31m\\\\255.evil\"} 99\n",
				 strlen(line) - strlen(strchr(line, '\n')) + 1),
			 0);
	for (line = text; *line; line++)
		assert_true(*line == '\n' || (*line >= 0x20 && *line < 0x7f));
	free(text);
}

static void test_no_top_family_without_scores(void **state)
{
	struct fw_metrics m;
	char *text;

	memset(&m, 0, sizeof(m));
	text = render(&m);
	assert_null(strstr(text, "fluxwall_top_domain_score"));
	assert_non_null(strstr(text, "fluxwall_build_info{version=\"unknown\"} 1\n"));
	free(text);
}

static void test_top_n_is_bounded(void **state)
{
	struct fw_metrics m;
	char *text, *p;
	int n = 0;

	memset(&m, 0, sizeof(m));
	m.top_count = 1000; /* a caller bug must not grow the series count */
	text = render(&m);
	for (p = text; (p = strstr(p, "\nfluxwall_top_domain_score{")); p++)
		n++;
	assert_int_equal(n, FW_TOP_N);
	free(text);
}

/* Names in dir other than . and .. */
static int count_entries(const char *dir, char *first, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			if (n++ == 0)
				snprintf(first, len, "%s", e->d_name);
		}
	}
	closedir(d);
	return n;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, 65535, f) > 0);
	fclose(f);
	return buf;
}

static void test_atomic_write(void **state)
{
	char dir[] = "/tmp/fw-textfile-XXXXXX", path[256], name[256], err[512];
	struct fw_metrics m;
	struct stat stb;
	char *text;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fluxwall.prom", dir);
	sample_metrics(&m);
	assert_int_equal(fw_textfile_write(dir, &m, err, sizeof(err)), 0);
	text = read_file(path);
	assert_string_equal(text, expected_text);
	free(text);
	/* Readable by node-exporter, which runs as another user. */
	assert_int_equal(stat(path, &stb), 0);
	assert_int_equal(stb.st_mode & 0777, 0644);
	/* Only fluxwall.prom: no temp file left behind. */
	assert_int_equal(count_entries(dir, name, sizeof(name)), 1);
	assert_string_equal(name, "fluxwall.prom");

	/* A second write replaces the file. */
	m.counters[FW_CNT_PACKETS] = 424242;
	assert_int_equal(fw_textfile_write(dir, &m, err, sizeof(err)), 0);
	text = read_file(path);
	assert_non_null(strstr(text, "fluxwall_packets_total 424242\n"));
	free(text);
	assert_int_equal(count_entries(dir, name, sizeof(name)), 1);
	unlink(path);
	rmdir(dir);
}

static void test_write_into_missing_dir(void **state)
{
	struct fw_metrics m;
	char err[512];

	memset(&m, 0, sizeof(m));
	assert_int_equal(fw_textfile_write("/nonexistent/textfile", &m, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot create a file in textfile directory "
				 "/nonexistent/textfile: No such file or directory; create it or "
				 "set textfile_dir in fluxwall.conf");
}

/* A failed rename leaves neither a temp file nor a changed target. */
static void test_failed_write_leaves_nothing(void **state)
{
	char dir[] = "/tmp/fw-textfile-XXXXXX", target[256], name[256], err[512];
	struct fw_metrics m;

	assert_non_null(mkdtemp(dir));
	/* A directory where the file should go makes rename() fail. */
	snprintf(target, sizeof(target), "%s/fluxwall.prom", dir);
	assert_int_equal(mkdir(target, 0755), 0);
	memset(&m, 0, sizeof(m));
	assert_int_equal(fw_textfile_write(dir, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot write "));
	assert_non_null(strstr(err, "fluxwall.prom: Is a directory"));
	assert_int_equal(count_entries(dir, name, sizeof(name)), 1);
	assert_string_equal(name, "fluxwall.prom");
	rmdir(target);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exact_output),
	    cmocka_unit_test(test_every_counter_exported),
	    cmocka_unit_test(test_families_are_contiguous_and_declared),
	    cmocka_unit_test(test_histogram_is_cumulative),
	    cmocka_unit_test(test_label_escaping),
	    cmocka_unit_test(test_hostile_top_name_keeps_the_file_valid),
	    cmocka_unit_test(test_no_top_family_without_scores),
	    cmocka_unit_test(test_top_n_is_bounded),
	    cmocka_unit_test(test_atomic_write),
	    cmocka_unit_test(test_write_into_missing_dir),
	    cmocka_unit_test(test_failed_write_leaves_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
