// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The state file reader (userspace/formats/state_file.c), as `fluxwall attach`, `run`
 * and every list command read state_dir/state.tsv. A damaged file is
 * refused with the file and line named. A file it takes must survive the
 * next commit: written back, it reads again to the same rules and options,
 * or fluxwall would not start after the next change to the lists.
 */
#include <math.h>
#include <string.h>

#include "fuzz_check.h"
#include "formats/state_file.h"

#define PATH "/fuzz/state.tsv"

static int same_entry(const struct fw_entry *a, const struct fw_entry *b)
{
	int same_score = a->score == b->score || (isnan(a->score) && isnan(b->score));

	return !strcmp(a->name, b->name) && !strcmp(a->source, b->source) &&
	       !strcmp(a->reason, b->reason) && a->added == b->added && a->expires == b->expires &&
	       same_score && a->list == b->list && a->match == b->match && a->action == b->action &&
	       a->origin == b->origin;
}

/*
 * The options a file sets. sorted and counts describe the file itself:
 * fw_state_write computes them afresh, and the reader checks them.
 */
static int same_opts(const struct fw_state_opts *a, const struct fw_state_opts *b)
{
	return a->generation == b->generation && a->default_action == b->default_action &&
	       a->nports == b->nports && !memcmp(a->ports, b->ports, a->nports * sizeof(a->ports[0]));
}

static int entries_sorted(const struct fw_state *st)
{
	for (size_t i = 1; i < st->n; i++)
		if (strcmp(st->e[i - 1].name, st->e[i].name) > 0)
			return 0;
	return 1;
}

static void check_rewrite(const struct fw_state *st)
{
	struct fw_state back;
	char *text = NULL, err[1024];
	size_t len = 0, i;
	FILE *out = open_memstream(&text, &len);
	FILE *in;

	FUZZ_CHECK(out, "open_memstream failed");
	FUZZ_CHECK(!fw_state_write(st, out, err, sizeof(err)),
		   "an accepted state cannot be written: %s", err);
	fclose(out);
	in = fuzz_stream((const uint8_t *)text, len);
	FUZZ_CHECK(!fw_state_read(&back, in, PATH, err, sizeof(err)),
		   "a written state does not read back: %s", err);
	fclose(in);
	FUZZ_CHECK(back.n == st->n, "%zu rules read back of %zu", back.n, st->n);
	for (i = 0; i < st->n; i++)
		FUZZ_CHECK(same_entry(&st->e[i], &back.e[i]), "rule %zu (%s) changed", i,
			   st->e[i].name);
	FUZZ_CHECK(same_opts(&st->opts, &back.opts), "options changed");
	FUZZ_CHECK(back.opts.has_counts, "a written state has no counts");
	FUZZ_CHECK(back.opts.sorted == entries_sorted(st), "a written state says sorted %d wrongly",
		   back.opts.sorted);
	fw_state_free(&back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fuzz_stream(data, size);
	struct fw_state st;
	char err[1024];
	int ret;

	err[0] = '\0';
	ret = fw_state_read(&st, f, PATH, err, sizeof(err));
	fclose(f);
	if (ret) {
		FUZZ_CHECK(!strncmp(err, PATH ":", strlen(PATH ":")),
			   "the error does not name the file: %s", err);
		FUZZ_CHECK(st.n == 0 && !st.e, "a refused file left rules behind");
		return 0;
	}
	check_rewrite(&st);
	fw_state_free(&st);
	return 0;
}
