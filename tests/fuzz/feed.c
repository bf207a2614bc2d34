// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The feed parsers (userspace/formats/feed_parse.c), one target per format: the
 * Makefile builds this file as fuzz_feed_FORMAT with FEED_FORMAT set to
 * "plain", "hosts", "rpz", "adblock" or "auto".
 *
 * Every entry must be a name `block import` can store: canonical text
 * that fw_name_parse reads back unchanged, on a line the file has. The
 * callbacks must agree with the returned counts, and --exact may change
 * how entries match but never which lines give one.
 */
#include <string.h>

#include "formats/feed_parse.h"
#include "fuzz_check.h"

#ifndef FEED_FORMAT
#error "build with -DFEED_FORMAT='\"plain\"' (or hosts, rpz, adblock, auto)"
#endif

struct tally {
	unsigned long entries, invalid, unsupported, exact, max_line;
	enum fw_feed_format format;
};

static void check_line(struct tally *t, unsigned long line)
{
	FUZZ_CHECK(line >= 1 && line <= t->max_line, "line %lu of a %lu-line input", line,
		   t->max_line);
}

static int on_entry(const struct fw_feed_entry *e, void *ctx)
{
	struct tally *t = ctx;
	struct fw_name n;
	char err[256];

	check_line(t, e->line);
	FUZZ_CHECK(!fw_name_parse(e->name, &n, err, sizeof(err)), "entry '%s' is not a name: %s",
		   e->name, err);
	FUZZ_CHECK(!strcmp(n.text, e->name), "entry '%s' is not canonical ('%s')", e->name, n.text);
	FUZZ_CHECK(e->match == FW_FEED_SUBTREE || e->match == FW_FEED_EXACT, "match %d", e->match);
	FUZZ_CHECK(e->list == FW_FEED_BLOCK || e->list == FW_FEED_ALLOW, "list %d", e->list);
	FUZZ_CHECK(e->action == FW_ACT_DEFAULT || e->action == FW_ACT_DROP ||
		       e->action == FW_ACT_NXDOMAIN,
		   "action %d", e->action);
	FUZZ_CHECK(e->list == FW_FEED_BLOCK || e->action == FW_ACT_DEFAULT,
		   "allow entry '%s' with an action", e->name);
	t->entries++;
	t->exact += e->match == FW_FEED_EXACT;
	return 0;
}

static void on_invalid(unsigned long line, const char *reason, void *ctx)
{
	struct tally *t = ctx;

	check_line(t, line);
	FUZZ_CHECK(reason && reason[0], "invalid line %lu without a reason", line);
	t->invalid++;
}

static void on_unsupported(unsigned long line, const char *reason, void *ctx)
{
	struct tally *t = ctx;

	check_line(t, line);
	FUZZ_CHECK(reason && reason[0], "unsupported line %lu without a reason", line);
	t->unsupported++;
}

static unsigned long count_lines(const uint8_t *data, size_t size)
{
	unsigned long n = size && data[size - 1] != '\n';
	size_t i;

	for (i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

static void parse(const uint8_t *data, size_t size, enum fw_feed_format format, bool exact,
		  struct tally *t)
{
	struct fw_feed_opts o = {.format = format, .exact = exact};
	struct fw_feed_callbacks cb = {on_entry, on_invalid, on_unsupported, t};
	struct fw_feed_stats st;
	FILE *f = fuzz_stream(data, size);
	char err[256];
	int ret;

	memset(t, 0, sizeof(*t));
	t->max_line = count_lines(data, size);
	ret = fw_feed_parse(f, &o, &cb, &st, err, sizeof(err));
	fclose(f);
	FUZZ_CHECK(ret == 0, "a readable feed failed: %s", err);
	FUZZ_CHECK(st.entries == t->entries && st.invalid == t->invalid &&
		       st.unsupported == t->unsupported,
		   "counts %lu/%lu/%lu, callbacks %lu/%lu/%lu", st.entries, st.invalid,
		   st.unsupported, t->entries, t->invalid, t->unsupported);
	FUZZ_CHECK(st.lines == t->max_line, "%lu lines read of %lu", st.lines, t->max_line);
	FUZZ_CHECK(format == FW_FEED_AUTO ? st.format != FW_FEED_AUTO : st.format == format,
		   "format %d parsed as %d", format, st.format);
	t->format = st.format;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static enum fw_feed_format format = FW_FEED_AUTO;
	static int ready;
	struct tally subtree, exact;
	char err[128];

	if (!ready) {
		FUZZ_CHECK(!fw_feed_format_parse(FEED_FORMAT, &format, err, sizeof(err)), "%s",
			   err);
		ready = 1;
	}
	parse(data, size, format, false, &subtree);
	parse(data, size, format, true, &exact);
	FUZZ_CHECK(subtree.format == exact.format, "--exact changed the format");
	FUZZ_CHECK(subtree.entries == exact.entries && subtree.invalid == exact.invalid &&
		       subtree.unsupported == exact.unsupported,
		   "--exact changed the counts");
	FUZZ_CHECK(exact.exact >= subtree.exact, "--exact made fewer exact entries");
	return 0;
}
