// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lists/store.c: changes appended to the journal read back over the base;
 * a torn last record (a writer killed mid-append, never acknowledged) is
 * ignored and cut off, damage before the end is refused naming the line;
 * compaction folds the journal into a sorted base that binary search finds
 * names in; a kill between the steps of a compaction loses nothing and
 * duplicates nothing; a base changed behind fluxwall's back is not trusted.
 */
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

#include "xdp_harness.h"

#include "lists/store.h"

struct dir {
	char path[256];
	char base[300], journal[300];
};

static int setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	if (fwh_tmpdir(d->path, sizeof(d->path), "journal"))
		return -1;
	snprintf(d->base, sizeof(d->base), "%s/%s", d->path, FW_STATE_FILE);
	snprintf(d->journal, sizeof(d->journal), "%s/%s", d->path, FW_JOURNAL_FILE);
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

static struct fw_entry entry(const char *name, const char *source, uint8_t list)
{
	return (struct fw_entry){ .name = (char *)name, .source = (char *)source,
				  .reason = "", .added = 1700000000, .list = list,
				  .origin = strcmp(source, "manual") ? FW_ORIGIN_FEED
								     : FW_ORIGIN_MANUAL };
}

static struct fw_change put(const char *name, const char *source)
{
	return (struct fw_change){ .e = entry(name, source, FW_LIST_BLOCK) };
}

static struct fw_change del(const char *name, const char *source)
{
	return (struct fw_change){ .del = 1, .e = entry(name, source, FW_LIST_BLOCK) };
}

static void open_ok(struct fw_store *s, const struct dir *d, int writable)
{
	char err[1024] = "";

	if (fw_store_open(s, d->path, writable, err, sizeof(err)))
		fail_msg("open failed: %s", err);
}

static void append_ok(struct fw_store *s, const struct fw_change *c, size_t n)
{
	char err[1024] = "";

	if (fw_store_append(s, c, n, s->generation + 1, err, sizeof(err)))
		fail_msg("append failed: %s", err);
}

/* The names of the whole lists, sorted and joined by spaces. */
static void names_of(struct fw_store *s, char *out, size_t len)
{
	struct fw_state st;
	char err[1024] = "";
	size_t i;

	if (fw_store_full(s, &st, err, sizeof(err)))
		fail_msg("full load failed: %s", err);
	fw_state_sort(&st);
	out[0] = '\0';
	for (i = 0; i < st.n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s/%s", i ? " " : "",
			 st.e[i].name, st.e[i].source);
	fw_state_free(&st);
}

static void expect_names(const struct dir *d, const char *want)
{
	struct fw_store s;
	char got[4096];

	open_ok(&s, d, 0);
	names_of(&s, got, sizeof(got));
	assert_string_equal(got, want);
	fw_store_close(&s);
}

/* A base of the given names (source "feed1") and an empty journal trusting it. */
static void make_base(const struct dir *d, const char *const *names, size_t n)
{
	struct fw_state st = { 0 };
	struct fw_store s;
	char err[1024] = "";
	size_t i;

	for (i = 0; i < n; i++) {
		struct fw_entry e = entry(names[i], "feed1", FW_LIST_BLOCK);

		assert_int_equal(fw_state_add(&st, &e), 0);
	}
	open_ok(&s, d, 1);
	st.opts.generation = 1;
	if (fw_store_compact(&s, &st, err, sizeof(err)))
		fail_msg("compact failed: %s", err);
	assert_true(s.trusted);
	fw_store_close(&s);
	fw_state_free(&st);
}

static off_t size_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

static void append_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* ---- replay ---- */

static void test_changes_read_back_over_the_base(void **state)
{
	static const char *const names[] = { "b.example", "a.example", "c.example" };
	struct fw_change c[] = { put("z.example", "manual"), del("a.example", "feed1"),
				 put("b.example", "manual") };
	struct fw_store s;
	uint64_t counts[2][3];

	make_base(*state, names, 3);
	open_ok(&s, *state, 1);
	append_ok(&s, &c[0], 1);
	append_ok(&s, &c[1], 2);
	fw_store_counts(&s, counts);
	assert_int_equal(counts[FW_LIST_BLOCK][FW_ORIGIN_FEED], 2);
	assert_int_equal(counts[FW_LIST_BLOCK][FW_ORIGIN_MANUAL], 2);
	fw_store_close(&s);
	expect_names(*state,
		     "b.example/feed1 b.example/manual c.example/feed1 z.example/manual");
	open_ok(&s, *state, 0);
	assert_true(s.trusted);
	assert_int_equal(s.generation, 3);
	assert_int_equal(s.nrec, 3);
	fw_store_close(&s);
}

static void test_entries_by_binary_search(void **state)
{
	const char *names[500];
	char buf[500][32], want[64];
	struct fw_change pend = put("n0250.example", "manual");
	struct fw_store s;
	struct fw_state st;
	size_t i;

	for (i = 0; i < 500; i++) {
		snprintf(buf[i], sizeof(buf[i]), "n%04zu.example", (i * 7) % 500);
		names[i] = buf[i];
	}
	make_base(*state, names, 500);
	open_ok(&s, *state, 1);
	for (i = 0; i < 500; i += 37) {
		snprintf(want, sizeof(want), "n%04zu.example", i);
		memset(&st, 0, sizeof(st));
		assert_int_equal(fw_store_entries(&s, want, NULL, 0, &st), 0);
		assert_int_equal(st.n, 1);
		assert_string_equal(st.e[0].name, want);
		fw_state_free(&st);
	}
	/* before the first, after the last, between two: nothing */
	static const char *const missing[] = { "a.example", "z.example", "n0001.exampl",
					       "n0001.example0" };
	for (i = 0; i < 4; i++) {
		memset(&st, 0, sizeof(st));
		assert_int_equal(fw_store_entries(&s, missing[i], NULL, 0, &st), 0);
		assert_int_equal(st.n, 0);
		fw_state_free(&st);
	}
	/* a pending change counts, a journaled one too */
	memset(&st, 0, sizeof(st));
	assert_int_equal(fw_store_entries(&s, "n0250.example", &pend, 1, &st), 0);
	assert_int_equal(st.n, 2);
	fw_state_free(&st);
	append_ok(&s, &(struct fw_change){ .del = 1, .e = entry("n0499.example", "feed1", 0) },
		  1);
	memset(&st, 0, sizeof(st));
	assert_int_equal(fw_store_entries(&s, "n0499.example", NULL, 0, &st), 0);
	assert_int_equal(st.n, 0);
	fw_state_free(&st);
	fw_store_close(&s);
}

/* ---- torn and damaged records ---- */

static void test_torn_last_record_is_ignored_and_cut(void **state)
{
	static const char *const names[] = { "a.example" };
	struct fw_change c = put("b.example", "manual");
	struct dir *d = *state;
	struct fw_store s;
	off_t good;

	make_base(d, names, 1);
	open_ok(&s, d, 1);
	append_ok(&s, &c, 1);
	fw_store_close(&s);
	good = size_of(d->journal);
	/* a writer killed mid-append: change lines without their seal, or half a line */
	append_text(d->journal, "+\tblock\tsubtree\tdefault\tmanual\t1\t0\t0.000\tmanual\tc.example\t\n");
	append_text(d->journal, "= 3 1 00");
	expect_names(d, "a.example/feed1 b.example/manual");
	assert_true(size_of(d->journal) > good); /* a reader without the lock leaves it */
	open_ok(&s, d, 1);
	assert_int_equal(s.generation, 2);
	fw_store_close(&s);
	assert_int_equal(size_of(d->journal), good); /* a writer cuts it off */
	/* and appends after the good records */
	open_ok(&s, d, 1);
	c = put("d.example", "manual");
	append_ok(&s, &c, 1);
	fw_store_close(&s);
	expect_names(d, "a.example/feed1 b.example/manual d.example/manual");
	/* a cut inside a change line */
	append_text(d->journal, "+\tblock\tsub");
	expect_names(d, "a.example/feed1 b.example/manual d.example/manual");
}

static void test_record_with_bad_check_at_end_is_torn(void **state)
{
	static const char *const names[] = { "a.example" };
	struct fw_change c = put("b.example", "manual");
	struct dir *d = *state;
	struct fw_store s;
	char *text, *seal;
	FILE *f;
	long len;

	make_base(d, names, 1);
	open_ok(&s, d, 1);
	append_ok(&s, &c, 1);
	fw_store_close(&s);
	/* a sealed record whose check fails (a block of zeros after a crash, say) */
	f = fopen(d->journal, "r+");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	text = calloc(1, len + 1);
	fseek(f, 0, SEEK_SET);
	assert_int_equal(fread(text, 1, len, f), (size_t)len);
	seal = strstr(text, "b.example");
	assert_non_null(seal);
	seal[0] = 'x';
	fseek(f, 0, SEEK_SET);
	fwrite(text, 1, len, f);
	fclose(f);
	free(text);
	expect_names(d, "a.example/feed1");
}

static void test_damage_before_the_end_is_refused(void **state)
{
	static const char *const names[] = { "a.example" };
	struct fw_change c1 = put("b.example", "manual"), c2 = put("c.example", "manual");
	struct dir *d = *state;
	struct fw_store s;
	char err[1024] = "", want[512];
	FILE *f;

	make_base(d, names, 1);
	open_ok(&s, d, 1);
	append_ok(&s, &c1, 1);
	append_ok(&s, &c2, 1);
	fw_store_close(&s);
	/* flip the first record's name: its check fails, a sealed record follows */
	f = fopen(d->journal, "r+");
	assert_non_null(f);
	{
		char buf[4096];
		size_t n = fread(buf, 1, sizeof(buf), f);
		char *p = memmem(buf, n, "b.example", 9);

		assert_non_null(p);
		*p = 'q';
		fseek(f, 0, SEEK_SET);
		fwrite(buf, 1, n, f);
	}
	fclose(f);
	assert_int_equal(fw_store_open(&s, d->path, 1, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: a record fails its check", d->journal);
	if (strncmp(err, want, strlen(want)))
		fail_msg("got '%s'", err);
	assert_non_null(strstr(err, "remove the journal"));
}

/* A NUL byte (a zeroed block) inside an early record: refused, never cut off. */
static void test_zeros_before_a_sealed_record_are_refused(void **state)
{
	static const char *const names[] = { "a.example" };
	struct fw_change c1 = put("b.example", "manual"), c2 = put("c.example", "manual");
	struct dir *d = *state;
	struct fw_store s;
	char err[1024] = "";
	off_t size;
	FILE *f;

	make_base(d, names, 1);
	open_ok(&s, d, 1);
	append_ok(&s, &c1, 1);
	append_ok(&s, &c2, 1);
	fw_store_close(&s);
	size = size_of(d->journal);
	f = fopen(d->journal, "r+");
	assert_non_null(f);
	{
		char buf[4096];
		size_t n = fread(buf, 1, sizeof(buf), f);
		char *p = memmem(buf, n, "b.example", 9);

		assert_non_null(p);
		memset(p, 0, 4);
		fseek(f, 0, SEEK_SET);
		fwrite(buf, 1, n, f);
	}
	fclose(f);
	assert_int_equal(fw_store_open(&s, d->path, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a record fails its check"));
	assert_int_equal(size_of(d->journal), size);
}

/* ---- compaction ---- */

static void test_compaction_folds_the_journal(void **state)
{
	static const char *const names[] = { "m.example" };
	struct dir *d = *state;
	struct fw_store s;
	struct fw_state full;
	char err[1024] = "", *before = malloc(1 << 20), *after = malloc(1 << 20);
	int i;

	assert_non_null(before);
	assert_non_null(after);
	make_base(d, names, 1);
	open_ok(&s, d, 1);
	for (i = 0; i < 20000 && !fw_store_wants_compaction(&s, 1); i++) {
		char name[64];
		struct fw_change c;

		snprintf(name, sizeof(name), "j%04d.example", i);
		c = put(name, "manual");
		append_ok(&s, &c, 1);
	}
	assert_true(fw_store_wants_compaction(&s, 1));
	assert_false(fw_store_wants_compaction(&s, 4)); /* the daemon waits longer */
	names_of(&s, before, 1 << 20);
	assert_int_equal(fw_store_full(&s, &full, err, sizeof(err)), 0);
	assert_int_equal(fw_store_compact(&s, &full, err, sizeof(err)), 0);
	assert_int_equal(s.nrec, 0);
	assert_false(fw_store_wants_compaction(&s, 1));
	fw_state_free(&full);
	fw_store_close(&s);
	open_ok(&s, d, 1);
	assert_true(s.trusted);
	assert_int_equal(s.nrec, 0);
	assert_int_equal(s.generation, s.opts.generation);
	names_of(&s, after, 1 << 20);
	fw_store_close(&s);
	assert_string_equal(before, after);
	assert_non_null(strstr(after, "j0007.example/manual"));
	free(before);
	free(after);
	/* the base holds them, sorted, and binary search finds one */
	open_ok(&s, d, 0);
	memset(&full, 0, sizeof(full));
	assert_int_equal(fw_store_entries(&s, "j0007.example", NULL, 0, &full), 0);
	assert_int_equal(full.n, 1);
	fw_state_free(&full);
	fw_store_close(&s);
}

/*
 * A compaction killed after the new base was renamed in but before the
 * journal was replaced: the old journal's records are all in the new base.
 */
static void test_kill_between_base_and_journal(void **state)
{
	static const char *const names[] = { "a.example" };
	struct fw_change c1 = put("b.example", "manual"), c2 = del("a.example", "feed1");
	struct dir *d = *state;
	struct fw_state full;
	struct fw_store s;
	char err[1024] = "";

	make_base(d, names, 1);
	open_ok(&s, d, 1);
	append_ok(&s, &c1, 1);
	append_ok(&s, &c2, 1);
	assert_int_equal(fw_store_full(&s, &full, err, sizeof(err)), 0);
	fw_store_close(&s);
	/* step one of a compaction only: the base, as fw_state_save writes it */
	fw_state_sort(&full);
	assert_int_equal(fw_state_save(&full, err, sizeof(err)), 0);
	fw_state_free(&full);
	open_ok(&s, d, 1);
	assert_false(s.trusted); /* a new base the journal did not stamp */
	assert_int_equal(s.nrec, 0);
	assert_int_equal(s.generation, 3);
	fw_store_close(&s);
	expect_names(d, "b.example/manual");
}

/* The other order: a kill after the append, before the maps; the record stands. */
static void test_kill_after_append_keeps_the_change(void **state)
{
	static const char *const names[] = { "a.example" };
	struct fw_change c = put("b.example", "manual");
	struct dir *d = *state;
	struct fw_store s;

	make_base(d, names, 1);
	open_ok(&s, d, 1);
	append_ok(&s, &c, 1);
	/* no close: the process "dies" here; the next open reads the record */
	{
		struct fw_store s2;

		open_ok(&s2, d, 1);
		assert_int_equal(s2.generation, 2);
		fw_store_close(&s2);
	}
	fw_store_close(&s);
	expect_names(d, "a.example/feed1 b.example/manual");
}

/* ---- a base changed behind fluxwall's back ---- */

static void test_edited_base_is_not_trusted(void **state)
{
	static const char *const names[] = { "a.example", "b.example" };
	struct dir *d = *state;
	struct fw_store s;
	char err[1024] = "";
	struct fw_state st;
	FILE *f;

	make_base(d, names, 2);
	/* damage the first rule line in place, as an editor would */
	f = fopen(d->base, "r+");
	assert_non_null(f);
	{
		char buf[4096];
		size_t n = fread(buf, 1, sizeof(buf), f);
		char *p = memmem(buf, n, "\nblock\t", 7);

		assert_non_null(p);
		p[1] = 'X';
		fseek(f, 0, SEEK_SET);
		fwrite(buf, 1, n, f);
	}
	fclose(f);
	open_ok(&s, d, 1);
	assert_false(s.trusted);
	assert_int_equal(fw_store_full(&s, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown list 'Xlock'"));
	fw_store_close(&s);
}

static void test_journal_of_a_newer_base_is_refused(void **state)
{
	static const char *const names[] = { "a.example" };
	struct fw_change c = put("b.example", "manual");
	struct dir *d = *state;
	struct fw_state full;
	struct fw_store s;
	char err[1024] = "", bak[400];

	make_base(d, names, 1);
	open_ok(&s, d, 1);
	append_ok(&s, &c, 1);
	assert_int_equal(fw_store_full(&s, &full, err, sizeof(err)), 0);
	assert_int_equal(fw_store_compact(&s, &full, err, sizeof(err)), 0);
	fw_state_free(&full);
	fw_store_close(&s);
	/* the operator restores the previous base, generation 1 */
	snprintf(bak, sizeof(bak), "%s.bak", d->base);
	assert_int_equal(rename(bak, d->base), 0);
	assert_int_equal(fw_store_open(&s, d->path, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "was written for generation 2"));
	assert_non_null(strstr(err, "remove"));
}

/* Sorted "name/source" text of a state, for comparing two. */
static void text_of(struct fw_state *st, char *out, size_t len)
{
	size_t i, off = 0;

	fw_state_sort(st);
	out[0] = '\0';
	for (i = 0; i < st->n && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, "%s/%s ", st->e[i].name,
					st->e[i].source);
}

/*
 * Hundreds of records putting, replacing and deleting names of a base: the
 * whole lists (keyed table) and each name's entries (name index) are what
 * the records applied one by one give.
 */
static void test_long_journal_matches_one_by_one(void **state)
{
	const char *names[200];
	char buf[200][32], got[65536], want[65536], err[1024] = "";
	static const char *const sources[] = { "feed1", "feed2", "manual" };
	struct fw_state full, naive = { 0 }, one;
	struct fw_store s;
	size_t i, k;

	for (i = 0; i < 200; i++) {
		snprintf(buf[i], sizeof(buf[i]), "n%04zu.example", i);
		names[i] = buf[i];
	}
	make_base(*state, names, 200);
	open_ok(&s, *state, 1);
	assert_int_equal(fw_state_load_file(&naive, s.base_path, err, sizeof(err)), 0);
	for (i = 0; i < 600; i++) {
		/* a fixed walk over names and sources: puts, replacements, deletions */
		const char *n = names[(i * 37) % 211 % 200], *src = sources[i % 3];
		struct fw_change c = (i % 4 == 3) ? del(n, src) : put(n, src);

		append_ok(&s, &c, 1);
		assert_int_equal(fw_change_apply(&naive, &c), 0);
	}
	assert_int_equal(fw_store_full(&s, &full, err, sizeof(err)), 0);
	assert_int_equal(full.n, naive.n);
	text_of(&full, got, sizeof(got));
	text_of(&naive, want, sizeof(want));
	assert_string_equal(got, want);
	for (k = 0; k < 200; k += 7) {
		size_t j, count = 0;

		memset(&one, 0, sizeof(one));
		assert_int_equal(fw_store_entries(&s, names[k], NULL, 0, &one), 0);
		for (j = 0; j < naive.n; j++)
			count += !strcmp(naive.e[j].name, names[k]);
		assert_int_equal(one.n, count);
		fw_state_free(&one);
	}
	fw_state_free(&full);
	fw_state_free(&naive);
	fw_store_close(&s);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_changes_read_back_over_the_base),
		T(test_entries_by_binary_search),
		T(test_long_journal_matches_one_by_one),
		T(test_torn_last_record_is_ignored_and_cut),
		T(test_record_with_bad_check_at_end_is_torn),
		T(test_damage_before_the_end_is_refused),
		T(test_zeros_before_a_sealed_record_are_refused),
		T(test_compaction_folds_the_journal),
		T(test_kill_between_base_and_journal),
		T(test_kill_after_append_keeps_the_change),
		T(test_edited_base_is_not_trusted),
		T(test_journal_of_a_newer_base_is_refused),
	};

	return cmocka_run_group_tests_name("journal", tests, NULL, NULL) ? 1 : 0;
}
