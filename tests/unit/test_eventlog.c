// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The JSON-lines event log: exact lines, valid JSON, reopen for logrotate. */
#include <fcntl.h>
#include <math.h>
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

#include "formats/eventlog.h"
#include "formats/json_out.h"

#define T0 1714564800123456789ull /* 2024-05-01T12:00:00.123Z */

struct tmp_log {
	char dir[64];
	char path[128];
};

static void tmp_log_init(struct tmp_log *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/fw-eventlog-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/events.jsonl", t->dir);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, 65535, f) < 65535);
	fclose(f);
	return buf;
}

/* Line n (from 0) of text, without its newline. */
static const char *nth_line(const char *text, int n, char *buf, size_t len)
{
	size_t l;

	while (n-- > 0) {
		text = strchr(text, '\n');
		assert_non_null(text);
		text++;
	}
	l = strcspn(text, "\n");
	assert_true(l < len);
	memcpy(buf, text, l);
	buf[l] = '\0';
	return buf;
}

static struct fw_eventlog *open_ok(const char *path)
{
	char err[256] = "";
	struct fw_eventlog *log = fw_eventlog_open(path, err, sizeof(err));

	if (!log)
		fail_msg("%s", err);
	return log;
}

static void write_ok(struct fw_eventlog *log, const struct fw_event *ev)
{
	char err[256] = "";

	if (fw_eventlog_write(log, ev, err, sizeof(err)))
		fail_msg("%s", err);
}

/* Every line of the file parses with Python's json module (a real consumer). */
static void assert_python_parses(const char *path, int lines)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; l=open(sys.argv[1]).read().splitlines(); "
		 "[json.loads(x) for x in l]; sys.exit(0 if len(l)==%d else 3)' %s",
		 lines, path);
	assert_int_equal(system(cmd), 0);
}

static const struct fw_event auto_block = {
    .kind = FW_EV_BLOCK,
    .name = "flux.example",
    .origin = FW_ORIGIN_AUTO,
    .source = "scorer",
    .action = FW_ACT_NXDOMAIN,
    .score = 0.93,
    .reason = "flux score 0.93 over threshold 0.5",
    .evidence = "{\"ips\":[\"192.0.2.1\",\"198.51.100.7\"],\"asns\":[64496,64511]}",
    .expires_ns = T0 + 86400ull * 1000000000ull,
    .time_ns = T0,
};

static void test_block_event_exact_line(void **state)
{
	struct tmp_log t;
	struct fw_eventlog *log;
	char *text;

	tmp_log_init(&t);
	log = open_ok(t.path);
	write_ok(log, &auto_block);
	fw_eventlog_close(log);
	text = slurp(t.path);
	assert_string_equal(text, "{\"ts\":\"2024-05-01T12:00:00.123Z\",\"event\":\"block\","
				  "\"name\":\"flux.example\",\"origin\":\"auto\","
				  "\"source\":\"scorer\",\"action\":\"nxdomain\",\"score\":0.93,"
				  "\"reason\":\"flux score 0.93 over threshold 0.5\","
				  "\"expires\":\"2024-05-02T12:00:00.123Z\","
				  "\"evidence\":{\"ips\":[\"192.0.2.1\",\"198.51.100.7\"],"
				  "\"asns\":[64496,64511]}}\n");
	assert_python_parses(t.path, 1);
	free(text);
	unlink(t.path);
	rmdir(t.dir);
}

static void test_every_kind_is_valid_json(void **state)
{
	struct fw_event manual = {.kind = FW_EV_BLOCK,
				  .name = "evil.example",
				  .origin = FW_ORIGIN_MANUAL,
				  .action = FW_ACT_DEFAULT,
				  .score = NAN,
				  .time_ns = T0};
	struct fw_event feed = {.kind = FW_EV_UNBLOCK,
				.name = "old.example",
				.origin = FW_ORIGIN_FEED,
				.source = "urlhaus",
				.action = FW_ACT_DROP,
				.score = NAN,
				.reason = "source removed",
				.time_ns = T0};
	struct fw_event expiry = {.kind = FW_EV_EXPIRY,
				  .name = "flux.example",
				  .origin = FW_ORIGIN_AUTO,
				  .action = FW_ACT_NXDOMAIN,
				  .score = 0.4,
				  .time_ns = T0};
	struct fw_event alert = {.kind = FW_EV_ALERT,
				 .score = NAN,
				 .reason = "auto-block limit of 10 per minute reached",
				 .evidence = "{\"held_back\":[\"a.example\",\"b.example\"]}",
				 .time_ns = T0};
	struct tmp_log t;
	struct fw_eventlog *log;
	char *text, line[512];

	tmp_log_init(&t);
	log = open_ok(t.path);
	write_ok(log, &manual);
	write_ok(log, &feed);
	write_ok(log, &expiry);
	write_ok(log, &alert);
	write_ok(log, &auto_block);
	fw_eventlog_close(log);
	assert_python_parses(t.path, 5);
	text = slurp(t.path);
	/* Members an event does not carry are left out, not written empty. */
	assert_non_null(strstr(text, "{\"ts\":\"2024-05-01T12:00:00.123Z\",\"event\":\"block\","
				     "\"name\":\"evil.example\",\"origin\":\"manual\","
				     "\"action\":\"default\"}\n"));
	assert_string_equal(nth_line(text, 1, line, sizeof(line)),
			    "{\"ts\":\"2024-05-01T12:00:00.123Z\",\"event\":\"unblock\","
			    "\"name\":\"old.example\",\"origin\":\"feed\",\"source\":\"urlhaus\","
			    "\"action\":\"drop\",\"reason\":\"source removed\"}");
	assert_non_null(strstr(text,
			       "\"event\":\"expiry\",\"name\":\"flux.example\","
			       "\"origin\":\"auto\",\"action\":\"nxdomain\",\"score\":0.4}\n"));
	/* An alert concerns no rule: no origin or action. */
	assert_non_null(strstr(text,
			       "{\"ts\":\"2024-05-01T12:00:00.123Z\",\"event\":\"alert\","
			       "\"reason\":\"auto-block limit of 10 per minute reached\","
			       "\"evidence\":{\"held_back\":[\"a.example\",\"b.example\"]}}\n"));
	free(text);
	unlink(t.path);
	rmdir(t.dir);
}

static void test_hostile_text_stays_one_valid_line(void **state)
{
	struct fw_event ev = {.kind = FW_EV_BLOCK,
			      .name = "x.example",
			      .origin = FW_ORIGIN_FEED,
			      .source = "feed\"with\nnewline\\and\xff",
			      .action = FW_ACT_DROP,
			      .score = INFINITY,
			      .reason = "tab\there\x01",
			      .evidence = "{\"unterminated\": [1, 2",
			      .time_ns = T0};
	struct tmp_log t;
	struct fw_eventlog *log;
	char *text;

	tmp_log_init(&t);
	log = open_ok(t.path);
	write_ok(log, &ev);
	fw_eventlog_close(log);
	assert_python_parses(t.path, 1);
	text = slurp(t.path);
	assert_string_equal(text, "{\"ts\":\"2024-05-01T12:00:00.123Z\",\"event\":\"block\","
				  "\"name\":\"x.example\",\"origin\":\"feed\","
				  "\"source\":\"feed\\\"with\\nnewline\\\\and\\ufffd\","
				  "\"action\":\"drop\",\"reason\":\"tab\\there\\u0001\","
				  "\"evidence_invalid\":\"{\\\"unterminated\\\": [1, 2\"}\n");
	free(text);
	unlink(t.path);
	rmdir(t.dir);
}

/* logrotate renames the file, then fluxwall reopens on SIGHUP. */
static void test_reopen_after_rename(void **state)
{
	struct fw_event first = auto_block, second = auto_block;
	char rotated[160], err[256];
	struct tmp_log t;
	struct fw_eventlog *log;
	char *old_text, *new_text;
	struct stat st;

	first.name = "first.example";
	second.name = "second.example";
	tmp_log_init(&t);
	snprintf(rotated, sizeof(rotated), "%s.1", t.path);
	log = open_ok(t.path);
	write_ok(log, &first);
	assert_int_equal(rename(t.path, rotated), 0);
	assert_int_equal(fw_eventlog_reopen(log, err, sizeof(err)), 0);
	write_ok(log, &second);
	fw_eventlog_close(log);

	old_text = slurp(rotated);
	new_text = slurp(t.path);
	assert_non_null(strstr(old_text, "first.example"));
	assert_null(strstr(old_text, "second.example"));
	assert_non_null(strstr(new_text, "second.example"));
	assert_null(strstr(new_text, "first.example"));
	assert_int_equal(stat(t.path, &st), 0);
	/* Evidence may name internal clients: never world-readable. */
	assert_int_equal(st.st_mode & 0137, 0);
	free(old_text);
	free(new_text);
	unlink(rotated);
	unlink(t.path);
	rmdir(t.dir);
}

/* A failed reopen keeps logging to the old file: no event is lost. */
static void test_failed_reopen_keeps_old_file(void **state)
{
	char moved_dir[96], moved_path[160], err[256] = "", want[300];
	struct fw_event ev = auto_block;
	struct tmp_log t;
	struct fw_eventlog *log;
	char *text;

	tmp_log_init(&t);
	snprintf(moved_dir, sizeof(moved_dir), "%s-moved", t.dir);
	snprintf(moved_path, sizeof(moved_path), "%s/events.jsonl", moved_dir);
	log = open_ok(t.path);
	assert_int_equal(rename(t.dir, moved_dir), 0);
	assert_int_equal(fw_eventlog_reopen(log, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "cannot open event log %s: No such file or directory; create its directory, "
		 "or set event_log in fluxwall.conf",
		 t.path);
	assert_string_equal(err, want);
	ev.name = "kept.example";
	write_ok(log, &ev);
	fw_eventlog_close(log);
	text = slurp(moved_path);
	assert_non_null(strstr(text, "kept.example"));
	free(text);
	unlink(moved_path);
	rmdir(moved_dir);
}

static void test_open_missing_directory(void **state)
{
	char err[256];

	assert_null(fw_eventlog_open("/nonexistent/dir/events.jsonl", err, sizeof(err)));
	assert_string_equal(err, "cannot open event log /nonexistent/dir/events.jsonl: No such "
				 "file or directory; create its directory, or set event_log in "
				 "fluxwall.conf");
}

static void test_stdout_log(void **state)
{
	char path[] = "/tmp/fw-stdout-XXXXXX", err[256];
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO);
	struct fw_eventlog *log;
	char *text;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stdout);
	assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	log = open_ok("-");
	write_ok(log, &auto_block);
	assert_int_equal(fw_eventlog_reopen(log, err, sizeof(err)), 0);
	write_ok(log, &auto_block);
	fw_eventlog_close(log); /* must not close stdout */
	assert_true(fcntl(STDOUT_FILENO, F_GETFD) >= 0);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	assert_python_parses(path, 2);
	text = slurp(path);
	assert_non_null(strstr(text, "\"name\":\"flux.example\""));
	free(text);
	unlink(path);
}

static void test_time_format(void **state)
{
	char buf[40];

	fw_ev_format_time(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	fw_ev_format_time(T0, buf, sizeof(buf));
	assert_string_equal(buf, "2024-05-01T12:00:00.123Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_block_event_exact_line),
	    cmocka_unit_test(test_every_kind_is_valid_json),
	    cmocka_unit_test(test_hostile_text_stays_one_valid_line),
	    cmocka_unit_test(test_reopen_after_rename),
	    cmocka_unit_test(test_failed_reopen_keeps_old_file),
	    cmocka_unit_test(test_open_missing_directory),
	    cmocka_unit_test(test_stdout_log),
	    cmocka_unit_test(test_time_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
