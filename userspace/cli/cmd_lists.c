// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fluxwall block|allow add|del|list: manual edits of the lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "formats/dns_name.h"
#include "cli/list_print.h"
#include "cli/cli_events.h"

struct wanted {
	struct fw_name name;
	uint8_t match;
};

/*
 * Parse every name first, so that one bad name changes nothing. A leading
 * "*." asks for the subtree of the rest, as in RPZ.
 */
static int parse_names(int argc, char **argv, int exact, struct wanted *out)
{
	int i, bad = 0;

	for (i = 0; i < argc; i++) {
		const char *text = argv[i];
		char why[160];

		out[i].match = exact ? FW_MATCH_EXACT : FW_MATCH_SUBTREE;
		if (!strncmp(text, "*.", 2)) {
			if (exact) {
				fw_err("'%s' asks for a subtree but --exact was given; drop one", text);
				bad++;
				continue;
			}
			text += 2;
		}
		if (fw_name_parse(text, &out[i].name, why, sizeof(why))) {
			fw_err("'%s' is not a valid domain name (%s)", argv[i], why);
			bad++;
		}
	}
	return bad ? -1 : 0;
}

static void log_names(struct fw_ctx *ctx, struct fw_opts *o, uint8_t list, const struct wanted *w, int n,
		      enum fw_event_kind kind)
{
	struct fw_entry e = { .source = o->source ? (char *)o->source : "manual",
			      .list = list, .action = o->action,
			      .origin = o->source ? FW_ORIGIN_FEED : FW_ORIGIN_MANUAL };
	int i;

	for (i = 0; i < n; i++) {
		e.name = (char *)w[i].name.text;
		e.match = w[i].match;
		fw_cli_event(o, kind, &e);
	}
}

/* Grow a change list by one; -1 when out of memory. */
static struct fw_change *more(struct fw_change **c, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct fw_change *nc = realloc(*c, ncap * sizeof(*nc));

		if (!nc)
			return NULL;
		*c = nc;
		*cap = ncap;
	}
	memset(&(*c)[*n], 0, sizeof(**c));
	return &(*c)[(*n)++];
}

/*
 * An entry already there keeps its date and reason and takes the new action.
 * The changes point into w and into keep, which holds the copies found.
 */
static int add_change(struct fw_ctx *ctx, struct fw_opts *o, const struct fw_change *c, size_t n,
		      struct fw_change *out, struct fw_state *keep)
{
	struct fw_state cur;
	size_t i;

	if (fw_ctx_entries(ctx, out->e.name, c, n, &cur))
		return -1;
	for (i = 0; i < cur.n; i++) {
		if (!fw_entry_same_key(&cur.e[i], &out->e))
			continue;
		if (fw_state_add(keep, &cur.e[i])) {
			fw_state_free(&cur);
			return -1;
		}
		out->e = keep->e[keep->n - 1];
		out->e.action = o->action;
		break;
	}
	fw_state_free(&cur);
	return 0;
}

static int add_names(struct fw_ctx *ctx, struct fw_opts *o, uint8_t list, const struct wanted *w, int n)
{
	const char *source = o->source ? o->source : "manual";
	struct fw_change *c = NULL, *one;
	struct fw_state keep = { 0 };
	size_t nc = 0, cap = 0;
	int i, ret = -1;

	/* room for every change up front: keep's entries must not move under them */
	keep.e = calloc(n ? n : 1, sizeof(*keep.e));
	keep.cap = n ? n : 1;
	for (i = 0; i < n && keep.e; i++) {
		one = more(&c, &nc, &cap);
		if (!one)
			goto out;
		one->e = (struct fw_entry){
			.name = (char *)w[i].name.text,
			.source = (char *)source,
			.reason = "",
			.added = time(NULL),
			.list = list,
			.match = w[i].match,
			.action = o->action,
			.origin = o->source ? FW_ORIGIN_FEED : FW_ORIGIN_MANUAL,
		};
		if (add_change(ctx, o, c, nc - 1, one, &keep))
			goto out;
	}
	if (i < n || !keep.e) {
		fw_err("out of memory");
		goto out;
	}
	ret = fw_ctx_commit_changes(ctx, c, nc);
	if (!ret)
		log_names(ctx, o, list, w, n, FW_EV_BLOCK);
out:
	free(c);
	fw_state_free(&keep);
	return ret;
}

struct del_filter {
	const struct wanted *w;
	int n;
	uint8_t list;
	int exact_given;
	const char *source;
	int *hit;
};

static int matches_del(const struct fw_entry *e, const struct del_filter *f, int i)
{
	if (e->list != f->list || strcmp(e->name, f->w[i].name.text))
		return 0;
	if (f->exact_given && e->match != FW_MATCH_EXACT)
		return 0;
	return !f->source || !strcmp(e->source, f->source);
}

/* A del for every entry of name i the filter picks; they go into found. */
static int del_changes(struct fw_ctx *ctx, struct del_filter *f, int i, struct fw_state *found)
{
	struct fw_state cur;
	size_t j;
	int ret = 0;

	if (fw_ctx_entries(ctx, f->w[i].name.text, NULL, 0, &cur))
		return -1;
	for (j = 0; j < cur.n && !ret; j++) {
		if (!matches_del(&cur.e[j], f, i))
			continue;
		f->hit[i] = 1;
		ret = fw_state_add(found, &cur.e[j]);
	}
	fw_state_free(&cur);
	return ret;
}

static int report_missing(struct fw_ctx *ctx, struct fw_opts *o, const struct del_filter *f)
{
	int i, missing = 0;

	for (i = 0; i < f->n; i++) {
		if (f->hit[i])
			continue;
		fw_err("'%s' is not in the %s list%s%s; 'fluxwall %s list' shows it",
		       f->w[i].name.text, fw_list_str(f->list), o->source ? " for source " : "",
		       o->source ? o->source : "", fw_list_str(f->list));
		missing++;
	}
	if (missing)
		fw_err("nothing was changed");
	return missing;
}

static int del_names(struct fw_ctx *ctx, struct fw_opts *o, uint8_t list, const struct wanted *w, int n)
{
	struct del_filter f = { w, n, list, o->exact, o->source, NULL };
	struct fw_state found = { 0 };
	struct fw_change *c = NULL;
	int i, ret = -1;
	size_t j;

	f.hit = calloc(n, sizeof(int));
	for (i = 0; i < n && f.hit; i++)
		if (del_changes(ctx, &f, i, &found))
			break;
	if (!f.hit || i < n || !(c = calloc(found.n ? found.n : 1, sizeof(*c)))) {
		fw_err("out of memory");
		goto out;
	}
	if (report_missing(ctx, o, &f))
		goto out;
	for (j = 0; j < found.n; j++) {
		c[j].del = 1;
		c[j].e = found.e[j];
	}
	ret = fw_ctx_commit_changes(ctx, c, found.n);
	if (!ret)
		log_names(ctx, o, list, w, n, FW_EV_UNBLOCK);
out:
	free(c);
	free(f.hit);
	fw_state_free(&found);
	return ret;
}

/* Remove every entry of one source, e.g. a feed that is no longer wanted. */
static int keep_other_sources(const struct fw_entry *e, void *arg)
{
	const struct del_filter *f = arg;

	return e->list != f->list || strcmp(e->source, f->source);
}

static int del_source(struct fw_ctx *ctx, struct fw_opts *o, uint8_t list)
{
	struct del_filter f = { .list = list, .source = o->source };
	struct fw_state next;
	size_t before;

	if (fw_ctx_full(ctx) || fw_state_clone(&ctx->state, &next))
		return -1;
	before = next.n;
	fw_state_filter(&next, keep_other_sources, &f);
	if (before == next.n) {
		fw_state_free(&next);
		fw_err("source '%s' has no entries in the %s list", f.source, fw_list_str(list));
		return -1;
	}
	printf("removed %zu entries of source %s\n", before - next.n, f.source);
	return fw_ctx_commit(ctx, &next);
}

static int edit_list(struct fw_opts *o, uint8_t list, int add, int argc, char **argv)
{
	struct wanted *w;
	struct fw_ctx ctx;
	int ret;

	if (!argc && !(!add && o->source)) {
		fw_err("'%s %s' needs at least one name", fw_list_str(list), add ? "add" : "del");
		return 1;
	}
	if (list == FW_LIST_ALLOW && (o->given & OPT_ACTION)) {
		fw_err("--action applies to block rules only");
		return 1;
	}
	w = calloc(argc ? argc : 1, sizeof(*w));
	if (!w)
		return 1;
	if (parse_names(argc, argv, o->exact, w)) {
		fw_err("nothing was changed");
		free(w);
		return 1;
	}
	if (fw_require_root(fw_list_str(list)) || fw_cli_lists_open_light(&ctx, o, 1)) {
		free(w);
		return 1;
	}
	if (add)
		ret = add_names(&ctx, o, list, w, argc);
	else if (!argc)
		ret = del_source(&ctx, o, list);
	else
		ret = del_names(&ctx, o, list, w, argc);
	fw_ctx_close(&ctx);
	free(w);
	return ret ? 1 : 0;
}

static int show_list(struct fw_opts *o, uint8_t list)
{
	struct fw_state st;
	char err[1024];

	if (fw_state_load(&st, o->state_dir, err, sizeof(err))) {
		fw_err("%s", err);
		return 1;
	}
	fw_print_entries(stdout, &st, list, o->json);
	fw_state_free(&st);
	return 0;
}

static int list_cmd(struct fw_opts *o, uint8_t list, int argc, char **argv)
{
	const char *sub = argc ? argv[0] : "";

	if (!strcmp(sub, "add"))
		return edit_list(o, list, 1, argc - 1, argv + 1);
	if (!strcmp(sub, "del"))
		return edit_list(o, list, 0, argc - 1, argv + 1);
	if (!strcmp(sub, "list") && argc == 1)
		return show_list(o, list);
	return fw_usage_error(o, NULL);
}

int cmd_block(struct fw_opts *o, int argc, char **argv)
{
	return list_cmd(o, FW_LIST_BLOCK, argc, argv);
}

int cmd_allow(struct fw_opts *o, int argc, char **argv)
{
	return list_cmd(o, FW_LIST_ALLOW, argc, argv);
}
