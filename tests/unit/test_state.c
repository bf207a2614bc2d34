// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * state.c: what is saved loads back unchanged, saving is atomic and keeps
 * the previous file, and a damaged file is refused with a message naming
 * the file and line, never read as a shorter (or empty) list.
 */
#include <dirent.h>
#include <errno.h>
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

#include "xdp_harness.h"

#include "formats/state_file.h"

#define DAMAGED_TAIL                                                                   \
	"; the state file is damaged: restore it from %s.bak or fix the line (fluxwall " \
	"will not start with a partial list)"

#define HEADER "# fluxwall state v1\n"
#define LINE1  "block\tsubtree\tdefault\tmanual\t1700000000\t0\t0.000\tmanual\tevil.example\t\n"
#define LINE2                                                                 \
	"allow\texact\tnxdomain\tfeed\t1700000001\t1800000000\t1.500\tabuse-feed\t" \
	"www.good.example\tlisted twice\n"

struct dir {
	char path[256];
	char file[300];
};

static int setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	if (fwh_tmpdir(d->path, sizeof(d->path), "state"))
		return -1;
	snprintf(d->file, sizeof(d->file), "%s/%s", d->path, FW_STATE_FILE);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dir *d = *state;

	fwh_rmtree(d->path);
	free(d);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static char *read_file(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Every directory entry except . and .., sorted, joined with spaces. */
static void list_dir(const char *path, char *out, size_t len)
{
	struct dirent **ents;
	int n, i;

	out[0] = '\0';
	n = scandir(path, &ents, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..")) {
			if (out[0])
				strncat(out, " ", len - strlen(out) - 1);
			strncat(out, ents[i]->d_name, len - strlen(out) - 1);
		}
		free(ents[i]);
	}
	free(ents);
}

static void fresh_state(struct fw_state *st, const struct dir *d)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->path, sizeof(st->path), "%s", d->file);
}

static void add(struct fw_state *st, const struct fw_entry *e)
{
	assert_int_equal(fw_state_add(st, e), 0);
}

/* Entries that exercise every field: every list, match, action and origin. */
static void sample_entries(struct fw_state *st)
{
	struct fw_entry e[] = {
		{ .name = "evil.example", .source = "manual", .reason = "", .added = 1700000000 },
		{ .name = "flux.example", .source = "auto",
		  .reason = "flux score 61.2 >= 50.0: asn_diversity 20.1, ip_churn 15.0",
		  .added = 1700000123, .expires = 1700086523, .score = 61.25,
		  .action = FW_ACT_DEFAULT, .origin = FW_ORIGIN_AUTO },
		{ .name = "www.good.example", .source = "manual", .reason = "the bank",
		  .added = -5, .list = FW_LIST_ALLOW, .match = FW_MATCH_EXACT },
		{ .name = "*.x-y_z.example", .source = "urlhaus", .reason = "  spaces  kept ",
		  .added = INT64_MAX, .expires = INT64_MIN, .score = -0.5,
		  .action = FW_ACT_NXDOMAIN, .origin = FW_ORIGIN_FEED, .match = FW_MATCH_EXACT },
		{ .name = "drop.example", .source = "manual", .reason = "r", .added = 1,
		  .score = 1e-9, .action = FW_ACT_DROP },
		{ .name = "precise.example", .source = "auto", .reason = "x", .added = 2,
		  .score = 87.654321, .origin = FW_ORIGIN_AUTO },
		{ .name = "sum.example", .source = "auto", .reason = "x", .added = 3,
		  .score = 0.1 + 0.2, .origin = FW_ORIGIN_AUTO },
	};
	size_t i;

	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		add(st, &e[i]);
}

static void assert_entries_equal(const struct fw_state *a, const struct fw_state *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		const struct fw_entry *x = &a->e[i], *y = &b->e[i];

		assert_string_equal(x->name, y->name);
		assert_string_equal(x->source, y->source);
		assert_string_equal(x->reason, y->reason);
		assert_int_equal(x->added, y->added);
		assert_int_equal(x->expires, y->expires);
		if (x->score != y->score)
			fail_msg("%s: score %.17g came back as %.17g", x->name, x->score,
				 y->score);
		assert_int_equal(x->list, y->list);
		assert_int_equal(x->match, y->match);
		assert_int_equal(x->action, y->action);
		assert_int_equal(x->origin, y->origin);
	}
}

static void load_ok(struct fw_state *st, const struct dir *d)
{
	char err[1024] = "";

	if (fw_state_load(st, d->path, err, sizeof(err)))
		fail_msg("load failed: %s", err);
}

static void save_ok(const struct fw_state *st)
{
	char err[1024] = "";

	if (fw_state_save(st, err, sizeof(err)))
		fail_msg("save failed: %s", err);
}

/* ---- round trip ---- */

static void test_round_trip(void **state)
{
	struct dir *d = *state;
	struct fw_state st, back;

	fresh_state(&st, d);
	sample_entries(&st);
	save_ok(&st);
	load_ok(&back, d);
	assert_string_equal(back.path, d->file);
	assert_entries_equal(&st, &back);
	/* Saving what was loaded writes the same bytes. */
	{
		char first[65536];

		snprintf(first, sizeof(first), "%s", read_file(d->file));
		save_ok(&back);
		assert_string_equal(read_file(d->file), first);
	}
	fw_state_free(&st);
	fw_state_free(&back);
}

/* A score the scorer could not compute is kept as such. */
static void test_round_trip_nan_score(void **state)
{
	struct dir *d = *state;
	struct fw_entry e = { .name = "n.example", .source = "manual", .reason = "",
			      .score = NAN };
	struct fw_state st, back;

	fresh_state(&st, d);
	add(&st, &e);
	save_ok(&st);
	load_ok(&back, d);
	assert_int_equal(back.n, 1);
	assert_true(isnan(back.e[0].score));
	fw_state_free(&st);
	fw_state_free(&back);
}

static void test_file_format(void **state)
{
	struct dir *d = *state;
	struct fw_entry e = { .name = "evil.example", .source = "manual", .reason = "",
			      .added = 1700000000 };
	struct fw_state st;
	char *text;

	fresh_state(&st, d);
	add(&st, &e);
	save_ok(&st);
	text = read_file(d->file);
	/* Header first, the entry as one line, the end line last. */
	assert_memory_equal(text, HEADER, strlen(HEADER));
	assert_non_null(strstr(text, "\n" LINE1));
	assert_string_equal(text + strlen(text) - strlen("\n# end 1\n"), "\n# end 1\n");
	fw_state_free(&st);
}

static void test_empty_state_round_trip(void **state)
{
	struct dir *d = *state;
	struct fw_state st, back;

	fresh_state(&st, d);
	save_ok(&st);
	assert_memory_equal(read_file(d->file), HEADER, strlen(HEADER));
	assert_non_null(strstr(read_file(d->file), "\n# end 0\n"));
	load_ok(&back, d);
	assert_int_equal(back.n, 0);
	fw_state_free(&back);
}

/* ---- atomic save ---- */

static void test_save_is_atomic_and_keeps_bak(void **state)
{
	struct dir *d = *state;
	struct fw_entry e1 = { .name = "one.example", .source = "manual", .reason = "" };
	struct fw_entry e2 = { .name = "two.example", .source = "manual", .reason = "" };
	char names[1024], bak[400], v1[65536], v2[65536];
	struct fw_state st;

	snprintf(bak, sizeof(bak), "%s.bak", d->file);
	fresh_state(&st, d);
	add(&st, &e1);
	save_ok(&st);
	list_dir(d->path, names, sizeof(names));
	assert_string_equal(names, "state.tsv"); /* no previous file, no .bak */
	snprintf(v1, sizeof(v1), "%s", read_file(d->file));

	add(&st, &e2);
	save_ok(&st);
	list_dir(d->path, names, sizeof(names));
	assert_string_equal(names, "state.tsv state.tsv.bak");
	assert_string_equal(read_file(bak), v1);
	snprintf(v2, sizeof(v2), "%s", read_file(d->file));
	assert_string_not_equal(v1, v2);

	fw_state_remove(&st, 0);
	save_ok(&st);
	list_dir(d->path, names, sizeof(names));
	assert_string_equal(names, "state.tsv state.tsv.bak");
	assert_string_equal(read_file(bak), v2);
	fw_state_free(&st);
}

static void test_save_into_missing_dir_fails(void **state)
{
	struct dir *d = *state;
	struct fw_state st;
	char err[1024] = "", want[1024];

	memset(&st, 0, sizeof(st));
	snprintf(st.path, sizeof(st.path), "%s/nodir/state.tsv", d->path);
	assert_int_equal(fw_state_save(&st, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "cannot write %s/nodir/state.tsv: %s; check the state directory (--state-dir)",
		 d->path, strerror(ENOENT));
	assert_string_equal(err, want);
}

/*
 * Whatever a save accepts must load again: a tab or newline in a source or
 * reason would make the next start refuse the file. Such an entry is
 * refused at save time and the file on disk stays as it was.
 */
static void test_save_refuses_what_load_would_refuse(void **state)
{
	static const struct {
		const char *source, *reason, *why;
	} bad[] = {
		{ "my\tfeed", "", "a tab or line break in its source" },
		{ "my\nfeed", "", "a tab or line break in its source" },
		{ "", "", "an empty source" },
		{ "manual", "a\tb", "a tab or line break in its reason" },
		{ "manual", "line\nbreak", "a tab or line break in its reason" },
	};
	struct dir *d = *state;
	struct fw_entry good = { .name = "good.example", .source = "manual", .reason = "" };
	struct fw_state st, back;
	char err[1024], want[256], before[65536];
	size_t i;

	fresh_state(&st, d);
	add(&st, &good);
	save_ok(&st);
	snprintf(before, sizeof(before), "%s", read_file(d->file));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fw_entry e = { .name = "bad.example", .source = (char *)bad[i].source,
				      .reason = (char *)bad[i].reason };

		add(&st, &e);
		err[0] = '\0';
		if (fw_state_save(&st, err, sizeof(err)) == 0) {
			load_ok(&back, d); /* then it must at least load back */
			assert_entries_equal(&st, &back);
			fw_state_free(&back);
			fail_msg("case %zu: saved and loaded back; the test wants a refusal", i);
		}
		snprintf(want, sizeof(want),
			 "the entry for bad.example has %s; the state file was not changed",
			 bad[i].why);
		assert_string_equal(err, want);
		assert_string_equal(read_file(d->file), before);
		load_ok(&back, d);
		assert_int_equal(back.n, 1);
		fw_state_free(&back);
		fw_state_remove(&st, 1);
	}
	fw_state_free(&st);
}

/* ---- first run ---- */

static void test_missing_file_is_empty_state(void **state)
{
	struct dir *d = *state;
	struct fw_state st;
	char err[64] = "untouched";

	assert_int_equal(fw_state_load(&st, d->path, err, sizeof(err)), 0);
	assert_int_equal(st.n, 0);
	assert_string_equal(st.path, d->file);
	fw_state_free(&st);

	/* A state directory that does not exist yet is a first run too. */
	{
		char sub[400];

		snprintf(sub, sizeof(sub), "%s/new", d->path);
		assert_int_equal(fw_state_load(&st, sub, err, sizeof(err)), 0);
		assert_int_equal(st.n, 0);
		fw_state_free(&st);
	}
}

/* ---- damaged files ---- */

/* Loading text must fail with "<file>:<line>: <why>; ..." and no entries. */
static void expect_damaged(const struct dir *d, const char *text, int line, const char *why)
{
	char err[1024] = "", want[2048];
	struct fw_state st;

	write_file(d->file, text);
	snprintf(want, sizeof(want), "%s:%d: %s" DAMAGED_TAIL, d->file, line, why, d->file);
	if (fw_state_load(&st, d->path, err, sizeof(err)) == 0)
		fail_msg("a damaged file loaded with %zu entries; want \"%s\"", st.n, want);
	assert_string_equal(err, want);
	assert_int_equal(st.n, 0);
	assert_null(st.e);
}

static void test_truncated_files(void **state)
{
	struct dir *d = *state;
	char cut[1024];

	/* Cut in the middle of the last entry. */
	snprintf(cut, sizeof(cut), HEADER LINE1 "%.*s", 30, LINE2);
	expect_damaged(d, cut, 3, "last line is cut short");
	/* Cut just before the end line's newline. */
	expect_damaged(d, HEADER LINE1 LINE2 "# end 2", 4, "last line is cut short");
	/* Cut at a line boundary: the end line is missing. */
	expect_damaged(d, HEADER LINE1 LINE2, 3, "no end line: the file was truncated");
	expect_damaged(d, HEADER, 1, "no end line: the file was truncated");
	expect_damaged(d, "# fluxwall st", 1, "last line is cut short");
}

static void test_empty_and_foreign_files(void **state)
{
	struct dir *d = *state;

	expect_damaged(d, "", 1, "the file is empty");
	expect_damaged(d, "# fluxwall state v2\n# end 0\n", 1,
		       "not a fluxwall state file (no header line)");
	expect_damaged(d, LINE1 "# end 1\n", 1, "not a fluxwall state file (no header line)");
	expect_damaged(d, "\n", 1, "not a fluxwall state file (no header line)");
}

static void test_count_mismatch(void **state)
{
	struct dir *d = *state;

	expect_damaged(d, HEADER LINE1 LINE2 "# end 3\n", 4,
		       "end line counts 3 entries but 2 were read");
	expect_damaged(d, HEADER LINE1 LINE2 "# end 1\n", 4,
		       "end line counts 1 entries but 2 were read");
}

static void test_text_after_end(void **state)
{
	struct dir *d = *state;

	expect_damaged(d, HEADER LINE1 "# end 1\n" LINE2, 4, "text after the end line");
	expect_damaged(d, HEADER LINE1 "# end 1\n\n", 4, "text after the end line");
	expect_damaged(d, HEADER "# end 0\n# end 0\n", 3, "text after the end line");
}

static void test_wrong_field_count(void **state)
{
	struct dir *d = *state;

	expect_damaged(d,
		       HEADER "block\tsubtree\tdefault\tmanual\t1\t0\t0.000\tmanual\t"
			      "evil.example\n# end 1\n",
		       2, "expected 10 tab-separated fields, found 9");
	expect_damaged(d, HEADER LINE1 "block subtree default\n# end 2\n", 3,
		       "expected 10 tab-separated fields, found 1");
	expect_damaged(d, HEADER "\n# end 1\n", 2, "expected 10 tab-separated fields, found 1");
	expect_damaged(d,
		       HEADER "block\tsubtree\tdefault\tmanual\t1\t0\t0.000\tmanual\tevil.example\t"
			      "why\textra\n# end 1\n",
		       2, "expected 10 tab-separated fields, found 11");
	expect_damaged(d,
		       HEADER "block\tsubtree\tdefault\tmanual\t1\t0\t0.000\tmanual\tevil.example\t"
			      "why\textra\tmore\n# end 1\n",
		       2, "expected 10 tab-separated fields, found 12");
}

/* One field of LINE1 replaced; the message names the field and value. */
static void expect_bad_field(const struct dir *d, int field, const char *value, const char *why)
{
	const char *fields[10] = { "block", "subtree", "default", "manual",       "1700000000",
				   "0",	    "0.000",   "manual",  "evil.example", "" };
	char text[2048];
	size_t off;
	int i;

	fields[field] = value;
	off = (size_t)snprintf(text, sizeof(text), HEADER LINE2);
	for (i = 0; i < 10; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s%s", fields[i],
					i < 9 ? "\t" : "\n");
	snprintf(text + off, sizeof(text) - off, "# end 2\n");
	expect_damaged(d, text, 3, why);
}

static void test_bad_fields(void **state)
{
	struct dir *d = *state;

	expect_bad_field(d, 0, "blok", "unknown list 'blok'");
	expect_bad_field(d, 1, "prefix", "unknown match 'prefix'");
	expect_bad_field(d, 2, "reject", "unknown action 'reject'");
	expect_bad_field(d, 3, "robot", "unknown origin 'robot'");
	expect_bad_field(d, 4, "yesterday", "bad timestamp");
	expect_bad_field(d, 4, "", "bad timestamp");
	expect_bad_field(d, 5, "12x", "bad timestamp");
	expect_bad_field(d, 5, "99999999999999999999", "bad timestamp");
	expect_bad_field(d, 6, "high", "bad score 'high'");
	expect_bad_field(d, 6, "", "bad score ''");
	expect_bad_field(d, 6, "0.5x", "bad score '0.5x'");
	expect_bad_field(d, 7, "", "empty source");
	expect_bad_field(d, 8, "Evil.Example", "bad name 'Evil.Example'");
	expect_bad_field(d, 8, "evil.example.", "bad name 'evil.example.'");
	expect_bad_field(d, 8, "ev il.example", "bad name 'ev il.example'");
	expect_bad_field(d, 8, "", "bad name ''");
}

/* A damaged file does not wipe the state the caller passed in later. */
static void test_good_file_after_damage(void **state)
{
	struct dir *d = *state;
	struct fw_state st;

	expect_damaged(d, HEADER LINE1, 2, "no end line: the file was truncated");
	write_file(d->file, HEADER LINE1 LINE2 "# end 2\n");
	load_ok(&st, d);
	assert_int_equal(st.n, 2);
	assert_string_equal(st.e[0].name, "evil.example");
	assert_string_equal(st.e[1].name, "www.good.example");
	assert_string_equal(st.e[1].reason, "listed twice");
	assert_string_equal(st.e[1].source, "abuse-feed");
	assert_int_equal(st.e[1].expires, 1800000000);
	assert_true(st.e[1].score == 1.5);
	assert_int_equal(st.e[1].action, FW_ACT_NXDOMAIN);
	assert_int_equal(st.e[1].origin, FW_ORIGIN_FEED);
	assert_int_equal(st.e[1].list, FW_LIST_ALLOW);
	assert_int_equal(st.e[1].match, FW_MATCH_EXACT);
	fw_state_free(&st);
}

/* ---- in-memory helpers ---- */

static int keep_not_auto(const struct fw_entry *e, void *arg)
{
	return strcmp(e->source, (const char *)arg) != 0;
}

static void test_find_remove_filter_clone(void **state)
{
	struct dir *d = *state;
	struct fw_state st, copy;

	fresh_state(&st, d);
	sample_entries(&st);
	assert_int_equal(fw_state_find(&st, "flux.example", FW_LIST_BLOCK, FW_MATCH_SUBTREE,
				       "auto"), 1);
	assert_int_equal(fw_state_find(&st, "flux.example", FW_LIST_BLOCK, FW_MATCH_SUBTREE,
				       NULL), 1);
	assert_int_equal(fw_state_find(&st, "flux.example", FW_LIST_BLOCK, FW_MATCH_SUBTREE,
				       "manual"), -1);
	assert_int_equal(fw_state_find(&st, "flux.example", FW_LIST_ALLOW, FW_MATCH_SUBTREE,
				       NULL), -1);
	assert_int_equal(fw_state_find(&st, "flux.example", FW_LIST_BLOCK, FW_MATCH_EXACT,
				       NULL), -1);

	assert_int_equal(fw_state_clone(&st, &copy), 0);
	assert_string_equal(copy.path, st.path);
	assert_entries_equal(&st, &copy);
	assert_ptr_not_equal(copy.e[0].name, st.e[0].name);

	fw_state_filter(&copy, keep_not_auto, "auto");
	assert_int_equal(copy.n, st.n - 3);
	assert_int_equal(fw_state_find(&copy, "flux.example", FW_LIST_BLOCK, FW_MATCH_SUBTREE,
				       NULL), -1);
	assert_string_equal(copy.e[1].name, "www.good.example");

	fw_state_remove(&copy, 0);
	assert_string_equal(copy.e[0].name, "www.good.example");
	assert_int_equal(copy.n, st.n - 4);
	/* The original is untouched by changes to its clone. */
	assert_int_equal(st.n, 7);
	assert_string_equal(st.e[0].name, "evil.example");
	fw_state_free(&copy);
	fw_state_free(&st);
}

static void test_word_names(void **state)
{
	uint8_t a = 99;

	assert_string_equal(fw_list_str(FW_LIST_ALLOW), "allow");
	assert_string_equal(fw_match_str(FW_MATCH_EXACT), "exact");
	assert_string_equal(fw_action_str(FW_ACT_NXDOMAIN), "nxdomain");
	assert_string_equal(fw_origin_str(FW_ORIGIN_FEED), "feed");
	assert_string_equal(fw_list_str(7), FW_NAME_UNKNOWN);
	assert_int_equal(fw_action_parse("drop", &a), 0);
	assert_int_equal(a, FW_ACT_DROP);
	assert_int_equal(fw_action_parse("DROP", &a), -1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_round_trip),
		T(test_round_trip_nan_score),
		T(test_file_format),
		T(test_empty_state_round_trip),
		T(test_save_is_atomic_and_keeps_bak),
		T(test_save_into_missing_dir_fails),
		T(test_save_refuses_what_load_would_refuse),
		T(test_missing_file_is_empty_state),
		T(test_truncated_files),
		T(test_empty_and_foreign_files),
		T(test_count_mismatch),
		T(test_text_after_end),
		T(test_wrong_field_count),
		T(test_bad_fields),
		T(test_good_file_after_damage),
		T(test_find_remove_filter_clone),
		T(test_word_names),
	};

	return cmocka_run_group_tests_name("state", tests, NULL, NULL) ? 1 : 0;
}
