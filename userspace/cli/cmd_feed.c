// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fluxwall block import|export: threat-intel feeds in and out.
 *
 * An import replaces every entry of its source: a feed's new edition drops
 * the names it no longer lists. An entry listed by several sources stays
 * until each of them has dropped it. A single invalid line aborts the whole
 * import unless --skip-invalid is given; either way every bad line is shown.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "formats/feed_parse.h"
#include "dataplane/rule_sync.h"
#include "cli/cli_events.h"

struct import {
	struct fw_entry *e;
	size_t n, cap;
	const char *source, *file;
	unsigned long invalid;
	uint8_t action;
	int tty;
	time_t now;
};

static int keep_entry(const struct fw_feed_entry *fe, void *arg)
{
	struct import *im = arg;
	struct fw_entry *e;

	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 1024;
		struct fw_entry *ne = realloc(im->e, cap * sizeof(*ne));

		if (!ne)
			return -1;
		im->e = ne;
		im->cap = cap;
	}
	e = &im->e[im->n];
	memset(e, 0, sizeof(*e));
	e->name = strdup(fe->name);
	if (!e->name)
		return -1;
	e->list = fe->list == FW_FEED_ALLOW ? FW_LIST_ALLOW : FW_LIST_BLOCK;
	e->match = fe->match == FW_FEED_EXACT ? FW_MATCH_EXACT : FW_MATCH_SUBTREE;
	/* A feed's own policy (RPZ) wins over --action, which fills in the rest. */
	e->action = fe->action != FW_ACT_DEFAULT ? fe->action : im->action;
	e->origin = FW_ORIGIN_FEED;
	e->added = im->now;
	im->n++;
	if (im->tty && !(im->n % 65536))
		fprintf(stderr, "\rfluxwall: read %zu entries", im->n);
	return 0;
}

static void report_invalid(unsigned long line, const char *reason, void *arg)
{
	struct import *im = arg;

	im->invalid++;
	if (im->invalid <= 1000)
		fprintf(stderr, "%s:%lu: %s\n", im->file, line, reason);
	else if (im->invalid == 1001)
		fprintf(stderr, "%s: more invalid lines follow; not shown\n", im->file);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct fw_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->list != y->list)
		return x->list - y->list;
	return x->match - y->match;
}

/* A feed may list a name twice; keep its first action. */
static void dedup(struct import *im)
{
	size_t i, j = 0;

	qsort(im->e, im->n, sizeof(im->e[0]), cmp_entry);
	for (i = 0; i < im->n; i++) {
		if (j && !cmp_entry(&im->e[j - 1], &im->e[i])) {
			free(im->e[i].name);
			continue;
		}
		im->e[j++] = im->e[i];
	}
	im->n = j;
}

static int other_source(const struct fw_entry *e, void *arg)
{
	return strcmp(e->source, (const char *)arg) != 0;
}

static int build_next(struct fw_ctx *ctx, struct import *im, struct fw_state *next)
{
	size_t i;

	if (fw_state_clone(&ctx->state, next))
		return -1;
	fw_state_filter(next, other_source, (void *)im->source);
	for (i = 0; i < im->n; i++) {
		im->e[i].source = (char *)im->source;
		im->e[i].reason = "";
		if (fw_state_add(next, &im->e[i])) {
			fw_state_free(next);
			return -1;
		}
	}
	return 0;
}

static void free_import(struct import *im)
{
	size_t i;

	for (i = 0; i < im->n; i++)
		free(im->e[i].name);
	free(im->e);
}

static const char *default_source(const char *file, char *buf, size_t len)
{
	char copy[4096], *dot;

	if (!strcmp(file, "-"))
		return "stdin";
	snprintf(copy, sizeof(copy), "%s", file);
	snprintf(buf, len, "%s", basename(copy));
	dot = strrchr(buf, '.');
	if (dot && dot != buf)
		*dot = '\0';
	return buf;
}

static int parse_feed(struct fw_opts *o, const char *file, struct import *im)
{
	struct fw_feed_opts fo = { .format = FW_FEED_AUTO, .exact = o->exact };
	struct fw_feed_callbacks cb = { keep_entry, report_invalid, NULL, im };
	struct fw_feed_stats st;
	char err[512];
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	int ret;

	if (!f) {
		fw_err("cannot read %s: %s", file, strerror(errno));
		return -1;
	}
	if (o->format && fw_feed_format_parse(o->format, &fo.format, err, sizeof(err))) {
		fw_err("%s", err);
		ret = -1;
	} else {
		ret = fw_feed_parse(f, &fo, &cb, &st, err, sizeof(err));
		if (ret)
			fw_err("%s: %s", file, err);
	}
	if (f != stdin)
		fclose(f);
	if (im->tty && im->n >= 65536)
		fputc('\n', stderr);
	if (!ret && im->invalid && !o->skip_invalid) {
		fw_err("%s: %lu invalid lines; nothing was imported (--skip-invalid imports the "
		       "rest)",
		       file, im->invalid);
		return -1;
	}
	if (!ret)
		printf("%s: %lu lines read as %s, %zu entries%s\n", file, st.lines,
		       fw_feed_format_name(st.format), im->n,
		       im->invalid ? ", invalid lines skipped" : "");
	return ret;
}

static int import_feed(struct fw_opts *o, const char *file)
{
	struct import im = { .file = file, .tty = isatty(2), .now = time(NULL),
			     .action = o->action };
	struct fw_state next;
	size_t before;
	struct fw_ctx ctx;
	char srcbuf[256];
	int ret = 1;

	im.source = o->source ? o->source : default_source(file, srcbuf, sizeof(srcbuf));
	if (!strcmp(im.source, "manual") || !strcmp(im.source, "auto")) {
		fw_err("'%s' is reserved; name the feed with --source", im.source);
		return 1;
	}
	if (fw_require_root("block import") || parse_feed(o, file, &im)) {
		free_import(&im);
		return 1;
	}
	dedup(&im);
	if (fw_cli_lists_open(&ctx, o, 1)) {
		free_import(&im);
		return 1;
	}
	if (im.tty)
		fprintf(stderr, "fluxwall: applying %zu entries of source %s...\n", im.n, im.source);
	before = ctx.state.n;
	if (build_next(&ctx, &im, &next))
		fw_err("out of memory");
	else if (!fw_ctx_commit(&ctx, &next))
		ret = 0;
	if (!ret) {
		printf("source %s now has %zu entries\n", im.source, im.n);
		fw_cli_event_import(o, im.source, im.n, before - (ctx.state.n - im.n));
	}
	fw_ctx_close(&ctx);
	free_import(&im);
	return ret;
}

static const char *rpz_policy(uint8_t action, uint8_t default_action)
{
	if (action == FW_ACT_DEFAULT)
		action = default_action;
	return action == FW_ACT_NXDOMAIN ? "." : "rpz-drop.";
}

struct merged {
	const char *name;
	struct fw_rule r;
};

static int cmp_merged(const void *a, const void *b)
{
	return strcmp(((const struct merged *)a)->name, ((const struct merged *)b)->name);
}

static const struct fw_rule *rule_of(const struct merged *m, size_t n, const char *name)
{
	struct merged key = { .name = name };
	const struct merged *hit = bsearch(&key, m, n, sizeof(*m), cmp_merged);

	return hit ? &hit->r : NULL;
}

/*
 * What fluxwall does to a query for `name` (below == 0) or for any name
 * strictly below it (below == 1): an allow rule at any depth wins, then the
 * longest block rule. NULL means the query resolves.
 */
static const char *fluxwall_policy(const struct merged *m, size_t n, const char *name, int below,
				   uint8_t dflt)
{
	const char *best = NULL, *suffix = name, *dot;

	for (;;) {
		const struct fw_rule *r = rule_of(m, n, suffix);
		int exact = suffix == name && !below;

		if (r && ((r->flags & FW_ALLOW_SUBTREE) || (exact && (r->flags & FW_ALLOW_EXACT))))
			return "rpz-passthru.";
		/* the first block rule met walking up is the longest match */
		if (r && !best && exact && (r->flags & FW_BLOCK_EXACT))
			best = rpz_policy(r->exact_action, dflt);
		else if (r && !best && (r->flags & FW_BLOCK_SUBTREE))
			best = rpz_policy(r->subtree_action, dflt);
		dot = strchr(suffix, '.');
		if (!dot)
			return best;
		suffix = dot + 1;
	}
}

static int cmp_by_name(const void *a, const void *b)
{
	return strcmp((*(const struct fw_entry *const *)a)->name,
		      (*(const struct fw_entry *const *)b)->name);
}

/* A name may come from several sources; RPZ allows one policy per owner. */
static struct merged *merge_by_name(const struct fw_state *st, size_t *count)
{
	const struct fw_entry **by_name = calloc(st->n ? st->n : 1, sizeof(*by_name));
	struct merged *m = calloc(st->n ? st->n : 1, sizeof(*m));
	size_t i, j, n = 0;

	if (!by_name || !m) {
		free(by_name);
		free(m);
		return NULL;
	}
	for (i = 0; i < st->n; i++)
		by_name[i] = &st->e[i];
	qsort(by_name, st->n, sizeof(*by_name), cmp_by_name);
	for (i = 0; i < st->n; i = j) {
		m[n].name = by_name[i]->name;
		for (j = i; j < st->n && !strcmp(by_name[j]->name, by_name[i]->name); j++)
			fw_merge_entry(&m[n].r, by_name[j]);
		n++;
	}
	free(by_name);
	*count = n;
	return m;
}

/*
 * Every listed name becomes an owner in the zone, and an owner hides the
 * wildcards above it. So each owner gets the policy fluxwall gives it, and a
 * wildcard below it whenever fluxwall blocks or allows its subtree, even by
 * inheritance from a parent: then the zone answers every name as fluxwall.
 */
static int export_rpz(FILE *out, const struct fw_state *st, uint8_t dflt)
{
	size_t n, i;
	struct merged *m = merge_by_name(st, &n);

	if (!m)
		return -1;
	fprintf(out, "; fluxwall block and allow lists as a response policy zone\n"
		     "$TTL 300\n"
		     "@ IN SOA localhost. hostmaster.localhost. 1 3600 600 86400 300\n"
		     "@ IN NS localhost.\n");
	for (i = 0; i < n; i++) {
		const char *self = fluxwall_policy(m, n, m[i].name, 0, dflt);
		const char *below = fluxwall_policy(m, n, m[i].name, 1, dflt);

		fprintf(out, "%s CNAME %s\n", m[i].name, self ? self : "rpz-passthru.");
		if (below)
			fprintf(out, "*.%s CNAME %s\n", m[i].name, below);
	}
	free(m);
	return 0;
}

static int export_feed(struct fw_opts *o)
{
	uint8_t default_action = FW_ACT_DROP;
	struct fw_config cfg;
	struct fw_maps m;
	struct fw_state st;
	char err[1024];
	size_t i;

	if (o->format && strcmp(o->format, "plain") && strcmp(o->format, "rpz")) {
		fw_err("export writes --format plain or rpz, not '%s'", o->format);
		return 1;
	}
	if (fw_state_load(&st, o->state_dir, err, sizeof(err))) {
		fw_err("%s", err);
		return 1;
	}
	if (fw_maps_exist(o->pin_path) && !fw_maps_open(&m, o->pin_path, 0, 0, err, sizeof(err))) {
		if (!fw_maps_get_config(&m, &cfg))
			default_action = cfg.default_action;
		fw_maps_close(&m);
	}
	if (o->format && !strcmp(o->format, "rpz")) {
		if (export_rpz(stdout, &st, default_action)) {
			fw_err("out of memory");
			fw_state_free(&st);
			return 1;
		}
	} else {
		/* Plain lists cannot say exact or subtree; rpz can. */
		for (i = 0; i < st.n; i++)
			if (st.e[i].list == FW_LIST_BLOCK)
				printf("%s\n", st.e[i].name);
	}
	fw_state_free(&st);
	return 0;
}

int fw_cmd_import(struct fw_opts *o, int argc, char **argv)
{
	if (argc != 1) {
		return fw_usage_error(o, "import");
	}
	return import_feed(o, argv[0]);
}

int fw_cmd_export(struct fw_opts *o, int argc, char **argv)
{
	if (argc) {
		return fw_usage_error(o, "export");
	}
	return export_feed(o);
}
