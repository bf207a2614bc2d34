// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The config file: values, errors with file, line and fix, defaults round trip. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "formats/conf.h"
#include "engine/engine_setup.h"

static int load_text(struct fw_conf *c, const char *text, char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	assert_non_null(f);
	ret = fw_conf_load_stream(c, f, "/etc/fluxwall/fluxwall.conf", err, errlen);
	fclose(f);
	return ret;
}

/* Load text into fresh defaults and expect exactly this error message. */
static void expect_error(const char *text, const char *message)
{
	struct fw_conf c;
	char err[512] = "";

	assert_int_equal(fw_conf_init(&c), 0);
	if (load_text(&c, text, err, sizeof(err)) == 0)
		fail_msg("\"%s\" was accepted; expected: %s", text, message);
	assert_string_equal(err, message);
	fw_conf_free(&c);
}

static void test_defaults(void **state)
{
	struct fw_conf c;

	assert_int_equal(fw_conf_init(&c), 0);
	assert_string_equal(c.pin_path, "/sys/fs/bpf/fluxwall");
	assert_string_equal(c.state_dir, "/var/lib/fluxwall");
	assert_int_equal(c.capacity, FW_DEFAULT_CAPACITY);
	assert_string_equal(c.default_action, "drop");
	assert_int_equal(fw_conf_default_action(&c), FW_ACT_DROP);
	assert_int_equal(c.dns_ports.n, 1);
	assert_int_equal(c.dns_ports.port[0], 53);
	assert_string_equal(c.mode, "auto");
	assert_string_equal(c.textfile_dir, "/var/lib/prometheus/node-exporter");
	assert_int_equal(c.textfile_interval, 15);
	assert_string_equal(c.event_log, "/var/log/fluxwall/events.jsonl");
	assert_int_equal(c.sample_interval, 60);
	assert_int_equal(c.trusted_resolvers.n, 0);
	assert_int_equal(c.max_domains, 200000);
	assert_int_equal(c.window, 3600);
	assert_true(c.auto_block);
	assert_int_equal(c.auto_expiry, 86400);
	assert_int_equal(c.auto_max_per_minute, 10);
	assert_string_equal(fw_conf_get(&c, "auto_expiry"), "24h");
	assert_null(fw_conf_get(&c, "no_such_key"));
	assert_int_equal(c.src[FW_CONF_OPT_capacity], FW_CONF_SRC_DEFAULT);
	fw_conf_free(&c);
}

static void test_file_values(void **state)
{
	const char *text = "\xef\xbb\xbf# fluxwall.conf\r\n"
			   "\n"
			   "capacity = 4096\r\n"
			   "  default_action=nxdomain   # answer NXDOMAIN\n"
			   "dns_ports = 53, 5353 53\n"
			   "textfile_interval = 1m30s\n"
			   "window = 7200\n"
			   "auto_block = No\n"
			   "event_log = \"-\"\n"
			   "textfile_dir =\n"
			   "trusted_resolvers = 192.0.2.53, 2001:db8::/32\n"
			   "score_threshold = 62.5\n"
			   "state_dir = /srv/fluxwall#1\n";
	struct fw_conf c;
	char err[512] = "", addr[INET6_ADDRSTRLEN];

	assert_int_equal(fw_conf_init(&c), 0);
	if (load_text(&c, text, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(c.capacity, 4096);
	assert_int_equal(fw_conf_default_action(&c), FW_ACT_NXDOMAIN);
	assert_int_equal(c.dns_ports.n, 2); /* 53 listed twice counts once */
	assert_int_equal(c.dns_ports.port[1], 5353);
	assert_int_equal(c.textfile_interval, 90);
	assert_int_equal(c.window, 7200);
	assert_false(c.auto_block);
	assert_string_equal(c.event_log, "-");
	assert_string_equal(c.textfile_dir, "");
	assert_int_equal(c.trusted_resolvers.n, 2);
	assert_int_equal(c.trusted_resolvers.a[0].family, AF_INET);
	assert_int_equal(c.trusted_resolvers.a[0].prefix, 32);
	inet_ntop(AF_INET6, c.trusted_resolvers.a[1].addr, addr, sizeof(addr));
	assert_string_equal(addr, "2001:db8::");
	assert_int_equal(c.trusted_resolvers.a[1].prefix, 32);
	assert_true(c.score_threshold == 62.5);
	/* '#' inside a value is kept: only " #" starts a comment. */
	assert_string_equal(c.state_dir, "/srv/fluxwall#1");
	assert_int_equal(c.src[FW_CONF_OPT_capacity], FW_CONF_SRC_FILE);
	assert_int_equal(c.line[FW_CONF_OPT_capacity], 3);
	assert_int_equal(c.src[FW_CONF_OPT_pin_path], FW_CONF_SRC_DEFAULT);
	fw_conf_free(&c);
}

/* Every score weight is a config key, and the detector gets what the file says. */
static void test_score_keys_reach_the_detector(void **state)
{
	struct fw_detector_params defaults, p;
	struct fw_conf c;
	char err[512] = "";
	size_t i;

	assert_int_equal(fw_conf_init(&c), 0);
	fw_engine_params(&c, &defaults);
	for (i = 0; i < fw_score_param_count; i++) {
		const struct fw_score_param_desc *d = &fw_score_param_table[i];
		const double *v = (const double *)((const char *)&defaults.score + d->offset);

		assert_non_null(fw_conf_get(&c, d->name));
		assert_true(*v == d->def);
	}
	if (load_text(&c,
		      "score_w_rotation_net = 30\nscore_rotation_floor = 2.5\n"
		      "score_w_persistence = -20\n",
		      err, sizeof(err)))
		fail_msg("%s", err);
	fw_engine_params(&c, &p);
	assert_true(p.score.w_rotation_net == 30.0);
	assert_true(p.score.rotation_floor == 2.5);
	assert_true(p.score.w_persistence == -20.0);
	assert_true(p.score.threshold == defaults.score.threshold);
	fw_conf_free(&c);
	expect_error("score_asn_sat = 1\n", "/etc/fluxwall/fluxwall.conf:1: score_asn_sat: 1 is out "
					   "of range; use a value from 2 to 1000");
}

static void test_unknown_keys(void **state)
{
	expect_error("# header\n\n\n\n\n\ncapacty = 5\n",
		     "/etc/fluxwall/fluxwall.conf:7: unknown key 'capacty'; did you mean "
		     "'capacity'?");
	expect_error("pin-path = /x\n", "/etc/fluxwall/fluxwall.conf:1: unknown key 'pin-path'; "
					"did you mean 'pin_path'?");
	expect_error("frobnicate = 1\n", "/etc/fluxwall/fluxwall.conf:1: unknown key "
					 "'frobnicate'; `fluxwall config --defaults` lists every "
					 "key");
}

static void test_bad_values(void **state)
{
	expect_error("capacity = 12k\n",
		     "/etc/fluxwall/fluxwall.conf:1: capacity: '12k' is not a whole number; "
		     "write digits only, from 1 to 16777216");
	expect_error("capacity = 0\n", "/etc/fluxwall/fluxwall.conf:1: capacity: 0 is out of "
				       "range; use a value from 1 to 16777216");
	expect_error("capacity = -1\n", "/etc/fluxwall/fluxwall.conf:1: capacity: '-1' is not a "
					"whole number; write digits only, from 1 to 16777216");
	expect_error("capacity = 99999999999999999999999\n",
		     "/etc/fluxwall/fluxwall.conf:1: capacity: '99999999999999999999999' is not "
		     "a whole number; write digits only, from 1 to 16777216");
	expect_error("textfile_interval = 15x\n",
		     "/etc/fluxwall/fluxwall.conf:1: textfile_interval: '15x' is not a duration; "
		     "write a number with a unit s, m, h or d, such as 15s, 24h or 1h30m (a bare "
		     "number is seconds)");
	expect_error("textfile_interval = 1h30\n",
		     "/etc/fluxwall/fluxwall.conf:1: textfile_interval: '1h30' is not a duration; "
		     "write a number with a unit s, m, h or d, such as 15s, 24h or 1h30m (a bare "
		     "number is seconds)");
	expect_error("textfile_interval = 2h\n", "/etc/fluxwall/fluxwall.conf:1: "
						 "textfile_interval: 2h is out of range; use a "
						 "duration from 1s to 1h");
	expect_error("auto_block = maybe\n", "/etc/fluxwall/fluxwall.conf:1: auto_block: "
					     "'maybe' is not a boolean; use true or false");
	expect_error("default_action = nxdomian\n",
		     "/etc/fluxwall/fluxwall.conf:1: default_action: 'nxdomian' is not one of "
		     "drop, nxdomain; did you mean 'nxdomain'?");
	expect_error("mode = generic\n", "/etc/fluxwall/fluxwall.conf:1: mode: 'generic' is not "
					 "one of auto, native, skb");
	expect_error("state_dir = var/lib/fluxwall\n",
		     "/etc/fluxwall/fluxwall.conf:1: state_dir: 'var/lib/fluxwall' is not an "
		     "absolute path; start it with '/'");
	expect_error("state_dir =\n", "/etc/fluxwall/fluxwall.conf:1: state_dir: the value is "
				      "empty; give a path such as /var/lib/fluxwall");
	expect_error("event_log = events.jsonl\n",
		     "/etc/fluxwall/fluxwall.conf:1: event_log: 'events.jsonl' is not an "
		     "absolute path; start it with '/', or write - for stdout");
	expect_error("dns_ports = 53, 0\n",
		     "/etc/fluxwall/fluxwall.conf:1: dns_ports: '0' is not a port; use numbers "
		     "from 1 to 65535 separated by commas");
	expect_error("dns_ports =\n", "/etc/fluxwall/fluxwall.conf:1: dns_ports: the list is "
				      "empty; give at least one entry, such as 53");
	expect_error("trusted_resolvers = 192.0.2\n",
		     "/etc/fluxwall/fluxwall.conf:1: trusted_resolvers: '192.0.2' is not an IP "
		     "address or prefix; write addresses such as 192.0.2.53 or 2001:db8::53, "
		     "separated by commas");
	expect_error("trusted_resolvers = 192.0.2.1/24\n",
		     "/etc/fluxwall/fluxwall.conf:1: trusted_resolvers: '192.0.2.1/24' has bits "
		     "set past the prefix; did you mean 192.0.2.0/24?");
	expect_error("trusted_resolvers = 192.0.2.0/33\n",
		     "/etc/fluxwall/fluxwall.conf:1: trusted_resolvers: '192.0.2.0/33': the "
		     "prefix length must be 0 to 32");
	expect_error("score_threshold = 1500\n", "/etc/fluxwall/fluxwall.conf:1: "
						 "score_threshold: 1500 is out of range; use a "
						 "value from 1 to 1000");
	expect_error("score_threshold = high\n",
		     "/etc/fluxwall/fluxwall.conf:1: score_threshold: 'high' is not a number; "
		     "write one like 55, from 1 to 1000");
}

static void test_bad_lines(void **state)
{
	expect_error("capacity 5\n", "/etc/fluxwall/fluxwall.conf:1: expected 'key = value', "
				     "found 'capacity 5'");
	expect_error("= 5\n", "/etc/fluxwall/fluxwall.conf:1: '' is not a key; keys are words "
			      "like capacity");
	expect_error("capacity = 5\nwindow = 1h\ncapacity = 6\n",
		     "/etc/fluxwall/fluxwall.conf:3: capacity is already set on line 1; keep one "
		     "of the two");
	expect_error("event_log = \"/var/log/x\n", "/etc/fluxwall/fluxwall.conf:1: event_log: "
						   "unbalanced quote; write \"value\" or no "
						   "quotes");
}

static void test_many_ports_rejected(void **state)
{
	char text[1024];
	size_t pos;
	int i;

	pos = (size_t)snprintf(text, sizeof(text), "dns_ports =");
	for (i = 1; i <= 65; i++)
		pos += (size_t)snprintf(text + pos, sizeof(text) - pos, " %d", 1000 + i);
	snprintf(text + pos, sizeof(text) - pos, "\n");
	expect_error(text, "/etc/fluxwall/fluxwall.conf:1: dns_ports: more than 64 entries; "
			   "list at most 64");
}

static void test_defaults_round_trip(void **state)
{
	struct fw_conf def, parsed;
	char *text = NULL, err[512] = "";
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int i;

	assert_non_null(f);
	fw_conf_print_defaults(f);
	fclose(f);
	assert_int_equal(fw_conf_init(&def), 0);
	assert_int_equal(fw_conf_init(&parsed), 0);
	/* Start from other values so that each default really comes from the text. */
	assert_int_equal(fw_conf_set(&parsed, "capacity", "7", err, sizeof(err)), 0);
	assert_int_equal(fw_conf_set(&parsed, "auto_block", "false", err, sizeof(err)), 0);
	if (load_text(&parsed, text, err, sizeof(err)))
		fail_msg("printed defaults do not parse: %s", err);
	for (i = 0; i < FW_CONF_OPT_COUNT; i++) {
		assert_string_equal(parsed.text[i], def.text[i]);
		assert_int_equal(parsed.src[i], FW_CONF_SRC_FILE);
	}
	assert_int_equal(parsed.capacity, def.capacity);
	assert_true(parsed.auto_block);
	/* Every key is documented with a type line. */
	assert_non_null(strstr(text, "# Type: duration, 1s to 1h.\ntextfile_interval = 15s\n"));
	assert_non_null(strstr(text, "# Type: one of drop, nxdomain.\ndefault_action = drop\n"));
	fw_conf_free(&def);
	fw_conf_free(&parsed);
	free(text);
}

static void test_effective_print_round_trip(void **state)
{
	struct fw_conf c, back;
	char *text = NULL, err[512] = "";
	size_t len = 0;
	FILE *f;
	int i;

	assert_int_equal(fw_conf_init(&c), 0);
	/* values that only keep their '#' and end blanks in quotes print in quotes */
	assert_int_equal(load_text(&c,
				   "window = 2h\ntrusted_resolvers = 10.0.0.1\n"
				   "iface = \"br #2\"\nstate_dir = \"/srv/fw \"\n",
				   err, sizeof(err)),
			 0);
	assert_int_equal(fw_conf_set(&c, "mode", "skb", err, sizeof(err)), 0);
	f = open_memstream(&text, &len);
	fw_conf_print(&c, f);
	fclose(f);
	assert_non_null(strstr(text, "window = 2h\t# /etc/fluxwall/fluxwall.conf:1\n"));
	assert_non_null(strstr(text, "mode = skb\t# command line\n"));
	assert_non_null(strstr(text, "capacity = 1048576\t# default\n"));
	assert_non_null(strstr(text, "iface = \"br #2\"\t# /etc/fluxwall/fluxwall.conf:3\n"));
	assert_non_null(
	    strstr(text, "state_dir = \"/srv/fw \"\t# /etc/fluxwall/fluxwall.conf:4\n"));
	assert_int_equal(fw_conf_init(&back), 0);
	if (load_text(&back, text, err, sizeof(err)))
		fail_msg("fw_conf_print output does not parse: %s", err);
	for (i = 0; i < FW_CONF_OPT_COUNT; i++)
		assert_string_equal(back.text[i], c.text[i]);
	fw_conf_free(&c);
	fw_conf_free(&back);
	free(text);
}

/* contrib/fluxwall.conf is what `fluxwall config --defaults` prints. */
static void test_shipped_config_is_current(void **state)
{
	char *want = NULL, have[65536];
	size_t len = 0, n;
	FILE *f = open_memstream(&want, &len);

	fw_conf_print_defaults(f);
	fclose(f);
	f = fopen("contrib/fluxwall.conf", "r");
	if (!f)
		fail_msg("contrib/fluxwall.conf is missing (run the tests from the top "
			 "directory); regenerate it with `fluxwall config --defaults`");
	n = fread(have, 1, sizeof(have) - 1, f);
	fclose(f);
	have[n] = '\0';
	if (strcmp(have, want))
		fail_msg("contrib/fluxwall.conf is out of date; regenerate it with "
			 "`fluxwall config --defaults > contrib/fluxwall.conf`");
	free(want);
}

static void test_set_from_command_line(void **state)
{
	struct fw_conf c;
	char err[512];

	assert_int_equal(fw_conf_init(&c), 0);
	assert_int_equal(fw_conf_set(&c, "capacity", "2048", err, sizeof(err)), 0);
	assert_int_equal(c.capacity, 2048);
	assert_int_equal(c.src[FW_CONF_OPT_capacity], FW_CONF_SRC_FLAG);
	assert_int_equal(fw_conf_set(&c, "capacity", "none", err, sizeof(err)), -1);
	assert_string_equal(err, "capacity: 'none' is not a whole number; write digits only, "
				 "from 1 to 16777216");
	assert_int_equal(c.capacity, 2048); /* a rejected value changes nothing */
	assert_int_equal(fw_conf_set(&c, "stat_dir", "/x", err, sizeof(err)), -1);
	assert_string_equal(err, "unknown option 'stat_dir'; did you mean 'state_dir'?");
	fw_conf_free(&c);
}

static void test_environment_overrides(void **state)
{
	struct fw_conf c;
	char err[512];

	assert_int_equal(fw_conf_init(&c), 0);
	assert_int_equal(
	    load_text(&c, "state_dir = /from/file\npin_path = /sys/fs/bpf/f\n", err, sizeof(err)),
	    0);
	setenv("FLUXWALL_STATE_DIR", "/from/env", 1);
	setenv("FLUXWALL_PIN_PATH", "", 1); /* empty: as if unset */
	assert_int_equal(fw_conf_apply_env(&c, err, sizeof(err)), 0);
	assert_string_equal(c.state_dir, "/from/env");
	assert_int_equal(c.src[FW_CONF_OPT_state_dir], FW_CONF_SRC_ENV);
	assert_string_equal(c.pin_path, "/sys/fs/bpf/f");
	/* Flags come last and win. */
	assert_int_equal(fw_conf_set(&c, "state_dir", "/from/flag", err, sizeof(err)), 0);
	assert_string_equal(c.state_dir, "/from/flag");

	setenv("FLUXWALL_PIN_PATH", "relative/pins", 1);
	assert_int_equal(fw_conf_apply_env(&c, err, sizeof(err)), -1);
	assert_string_equal(err, "environment variable FLUXWALL_PIN_PATH: 'relative/pins' is not "
				 "an absolute path; start it with '/'");
	unsetenv("FLUXWALL_PIN_PATH");
	unsetenv("FLUXWALL_STATE_DIR");
	fw_conf_free(&c);
}

static void test_load_file_missing(void **state)
{
	struct fw_conf c;
	char err[512] = "";

	assert_int_equal(fw_conf_init(&c), 0);
	assert_int_equal(
	    fw_conf_load_file(&c, "/nonexistent/fluxwall.conf", false, err, sizeof(err)), 0);
	assert_int_equal(
	    fw_conf_load_file(&c, "/nonexistent/fluxwall.conf", true, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot read config file /nonexistent/fluxwall.conf: No such "
				 "file or directory; create it with `fluxwall config --defaults > "
				 "FILE`");
	fw_conf_free(&c);
}

static void test_load_file_reports_its_path(void **state)
{
	char path[] = "/tmp/fw-conf-XXXXXX";
	int fd = mkstemp(path);
	struct fw_conf c;
	char err[512] = "", want[600];

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "window = 1h\nwindow2 = 1h\n", 25), 25);
	close(fd);
	assert_int_equal(fw_conf_init(&c), 0);
	assert_int_equal(fw_conf_load_file(&c, path, true, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: unknown key 'window2'; did you mean 'window'?", path);
	assert_string_equal(err, want);
	unlink(path);
	fw_conf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_file_values),
	    cmocka_unit_test(test_score_keys_reach_the_detector),
	    cmocka_unit_test(test_unknown_keys),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_bad_lines),
	    cmocka_unit_test(test_many_ports_rejected),
	    cmocka_unit_test(test_defaults_round_trip),
	    cmocka_unit_test(test_effective_print_round_trip),
	    cmocka_unit_test(test_shipped_config_is_current),
	    cmocka_unit_test(test_set_from_command_line),
	    cmocka_unit_test(test_environment_overrides),
	    cmocka_unit_test(test_load_file_missing),
	    cmocka_unit_test(test_load_file_reports_its_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
