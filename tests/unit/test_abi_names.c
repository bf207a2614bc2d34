// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * abi_names.c: every counter, action and origin of include/fluxwall_abi.h
 * has one word, the words are distinct and read back, and a number outside
 * a table is FW_NAME_UNKNOWN whoever asks (state file, event log, status).
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "formats/abi_names.h"
#include "formats/eventlog.h"
#include "formats/state_file.h"
#include "xdp_harness.h"

/*
 * Each enumerator of "enum NAME {" in the header, but *_MAX, must have a
 * "[ENUMERATOR] =" entry in abi_names.c. Returns how many it checked.
 */
static int check_enum_named(const char *hdr, const char *names_src, const char *enum_name)
{
	char open[64], ident[64], want[80];
	const char *p, *end;
	int n = 0;

	snprintf(open, sizeof(open), "enum %s {", enum_name);
	p = strstr(hdr, open);
	if (!p)
		fail_msg("no '%s' in include/fluxwall_abi.h", open);
	end = strstr(p, "};");
	for (p += strlen(open); p < end; p++) {
		size_t len = 0;

		if (strncmp(p, "FW_", 3) || (p[-1] != '\t' && p[-1] != ' '))
			continue;
		while (len < sizeof(ident) - 1 && (isalnum((unsigned char)p[len]) || p[len] == '_'))
			len++;
		memcpy(ident, p, len);
		ident[len] = '\0';
		p += len;
		if (strlen(ident) > 4 && !strcmp(ident + strlen(ident) - 4, "_MAX"))
			continue;
		snprintf(want, sizeof(want), "[%s] =", ident);
		if (!strstr(names_src, want))
			fail_msg("%s of enum %s has no name in userspace/formats/abi_names.c; add '%s \"word\",'",
				 ident, enum_name, want);
		n++;
	}
	return n;
}

/* The header is read as text: a counter added there fails here until named. */
static void every_header_enumerator_is_named(void **state)
{
	char *hdr = fwh_slurp("include/fluxwall_abi.h");
	char *src = fwh_slurp("userspace/formats/abi_names.c");

	assert_non_null(hdr);
	assert_non_null(src);

	assert_int_equal(check_enum_named(hdr, src, "fw_counter"), FW_CNT_MAX);
	assert_int_equal(check_enum_named(hdr, src, "fw_action"), 3);
	assert_int_equal(check_enum_named(hdr, src, "fw_origin"), 3);
	free(hdr);
	free(src);
}

static void counter_names_are_distinct_snake_case(void **state)
{
	int i, j;

	for (i = 0; i < FW_CNT_MAX; i++) {
		const char *n = fw_counter_names[i];

		if (!n)
			fail_msg("counter %d has no name", i);
		assert_string_equal(fw_counter_name(i), n);
		for (j = 0; n[j]; j++)
			if (!islower((unsigned char)n[j]) && !isdigit((unsigned char)n[j]) &&
			    n[j] != '_')
				fail_msg("counter name '%s' is not snake_case", n);
		for (j = 0; j < i; j++)
			if (!strcmp(n, fw_counter_names[j]))
				fail_msg("counters %d and %d are both '%s'", j, i, n);
	}
}

static void actions_and_origins_read_back(void **state)
{
	uint8_t v, out;

	for (v = FW_ACT_DEFAULT; v <= FW_ACT_NXDOMAIN; v++) {
		assert_int_equal(fw_action_parse(fw_action_str(v), &out), 0);
		assert_int_equal(out, v);
	}
	for (v = FW_ORIGIN_MANUAL; v <= FW_ORIGIN_AUTO; v++) {
		assert_int_equal(fw_origin_parse(fw_origin_str(v), &out), 0);
		assert_int_equal(out, v);
	}
	assert_string_equal(fw_action_str(FW_ACT_NXDOMAIN), "nxdomain");
	assert_string_equal(fw_origin_str(FW_ORIGIN_AUTO), "auto");
	assert_int_equal(fw_action_parse("NXDOMAIN", &out), -1);
	assert_int_equal(fw_origin_parse(FW_NAME_UNKNOWN, &out), -1);
}

/* One fallback everywhere: the tables, the state file's words, the event log. */
static void out_of_range_is_unknown_everywhere(void **state)
{
	assert_string_equal(fw_counter_name(FW_CNT_MAX), FW_NAME_UNKNOWN);
	assert_string_equal(fw_action_str(200), FW_NAME_UNKNOWN);
	assert_string_equal(fw_origin_str(3), FW_NAME_UNKNOWN);
	assert_string_equal(fw_list_str(7), FW_NAME_UNKNOWN);
	assert_string_equal(fw_match_str(2), FW_NAME_UNKNOWN);
	assert_string_equal(fw_ev_kind_name((enum fw_event_kind)99), FW_NAME_UNKNOWN);
}

/* The event log writes the same words as the state file. */
static void event_log_uses_the_table(void **state)
{
	struct fw_event ev = {
	    .kind = FW_EV_BLOCK, .name = "x.example", .origin = 7, .action = 9, .time_ns = 1};
	char path[] = "/tmp/fw-abi-names-XXXXXX", err[256], line[512];
	struct fw_eventlog *log;
	FILE *f;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	log = fw_eventlog_open(path, err, sizeof(err));
	assert_non_null(log);
	ev.score = 0.0 / 0.0;
	assert_int_equal(fw_eventlog_write(log, &ev, err, sizeof(err)), 0);
	fw_eventlog_close(log);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
	close(fd);
	assert_non_null(strstr(line, "\"origin\":\"" FW_NAME_UNKNOWN "\""));
	assert_non_null(strstr(line, "\"action\":\"" FW_NAME_UNKNOWN "\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_header_enumerator_is_named),
	    cmocka_unit_test(counter_names_are_distinct_snake_case),
	    cmocka_unit_test(actions_and_origins_read_back),
	    cmocka_unit_test(out_of_range_is_unknown_everywhere),
	    cmocka_unit_test(event_log_uses_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
