// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fluxwall block|allow add|del|list: manual edits of the lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "dns_name.h"
#include "list_print.h"
#include "cli_events.h"

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

static void log_names(struct fw_ctx *ctx, uint8_t list, const struct wanted *w, int n,
		      enum fw_event_kind kind)
{
	struct fw_entry e = { .source = ctx->o->source ? (char *)ctx->o->source : "manual",
			      .list = list, .action = ctx->o->action,
			      .origin = ctx->o->source ? FW_ORIGIN_FEED : FW_ORIGIN_MANUAL };
	int i;

	for (i = 0; i < n; i++) {
		e.name = (char *)w[i].name.text;
		e.match = w[i].match;
		fw_cli_event(ctx->o, kind, &e);
	}
}

static int add_names(struct fw_ctx *ctx, uint8_t list, const struct wanted *w, int n)
{
	const char *source = ctx->o->source ? ctx->o->source : "manual";
	struct fw_state next;
	int i;

	if (fw_state_clone(&ctx->state, &next))
		return -1;
	for (i = 0; i < n; i++) {
		ssize_t at = fw_state_find(&next, w[i].name.text, list, w[i].match, source);
		struct fw_entry e = {
			.name = (char *)w[i].name.text,
			.source = (char *)source,
			.reason = "",
			.added = time(NULL),
			.list = list,
			.match = w[i].match,
			.action = ctx->o->action,
			.origin = ctx->o->source ? FW_ORIGIN_FEED : FW_ORIGIN_MANUAL,
		};

		if (at >= 0) {
			next.e[at].action = e.action;
			continue;
		}
		if (fw_state_add(&next, &e)) {
			fw_state_free(&next);
			fw_err("out of memory");
			return -1;
		}
	}
	if (fw_ctx_commit(ctx, &next))
		return -1;
	log_names(ctx, list, w, n, FW_EV_BLOCK);
	return 0;
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

static int keep_unless_deleted(const struct fw_entry *e, void *arg)
{
	struct del_filter *f = arg;
	int i;

	for (i = 0; i < f->n; i++) {
		if (matches_del(e, f, i)) {
			f->hit[i] = 1;
			return 0;
		}
	}
	return 1;
}

static int del_names(struct fw_ctx *ctx, uint8_t list, const struct wanted *w, int n)
{
	struct del_filter f = { w, n, list, ctx->o->exact, ctx->o->source, NULL };
	struct fw_state next;
	int i, missing = 0;

	f.hit = calloc(n, sizeof(int));
	if (!f.hit || fw_state_clone(&ctx->state, &next)) {
		free(f.hit);
		return -1;
	}
	fw_state_filter(&next, keep_unless_deleted, &f);
	for (i = 0; i < n; i++) {
		if (f.hit[i])
			continue;
		fw_err("'%s' is not in the %s list%s%s; 'fluxwall %s list' shows it", w[i].name.text,
		       fw_list_str(list), ctx->o->source ? " for source " : "",
		       ctx->o->source ? ctx->o->source : "", fw_list_str(list));
		missing++;
	}
	free(f.hit);
	if (missing) {
		fw_state_free(&next);
		fw_err("nothing was changed");
		return -1;
	}
	if (fw_ctx_commit(ctx, &next))
		return -1;
	log_names(ctx, list, w, n, FW_EV_UNBLOCK);
	return 0;
}

/* Remove every entry of one source, e.g. a feed that is no longer wanted. */
static int keep_other_sources(const struct fw_entry *e, void *arg)
{
	const struct del_filter *f = arg;

	return e->list != f->list || strcmp(e->source, f->source);
}

static int del_source(struct fw_ctx *ctx, uint8_t list)
{
	struct del_filter f = { .list = list, .source = ctx->o->source };
	struct fw_state next;
	size_t before;

	if (fw_state_clone(&ctx->state, &next))
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
	if (fw_require_root(fw_list_str(list)) || fw_ctx_open(&ctx, o, 1)) {
		free(w);
		return 1;
	}
	if (add)
		ret = add_names(&ctx, list, w, argc);
	else if (!argc)
		ret = del_source(&ctx, list);
	else
		ret = del_names(&ctx, list, w, argc);
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
	if (list == FW_LIST_BLOCK && !strcmp(sub, "import"))
		return fw_cmd_import(o, argc - 1, argv + 1);
	if (list == FW_LIST_BLOCK && !strcmp(sub, "export"))
		return fw_cmd_export(o, argc - 1, argv + 1);
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
