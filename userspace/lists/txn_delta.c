// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The journal path of a commit. The record is fsynced before the maps are
 * touched and the maps record its generation last, so a kill anywhere
 * leaves either the old lists, or a generation mismatch that the next open
 * repairs from the files, as with a whole-list commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lists/txn_delta.h"
#include "dataplane/rule_sync.h"

static int push(struct fw_delta *d, const struct fw_entry *e, int del)
{
	struct fw_change *c;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct fw_change *nc = realloc(d->c, cap * sizeof(*nc));

		if (!nc)
			return -1;
		d->c = nc;
		d->cap = cap;
	}
	c = &d->c[d->n];
	memset(c, 0, sizeof(*c));
	c->del = (uint8_t)del;
	c->e = *e;
	c->e.name = strdup(e->name);
	c->e.source = strdup(e->source ? e->source : "manual");
	c->e.reason = strdup(e->reason ? e->reason : "");
	if (!c->e.name || !c->e.source || !c->e.reason) {
		fw_change_free(c);
		return -1;
	}
	d->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every entry of each name the changes touch, as the lists hold them now. */
static int load_before(struct fw_ctx *ctx, const struct fw_change *c, size_t n,
		       struct fw_state *before)
{
	const char **names = calloc(n ? n : 1, sizeof(*names));
	struct fw_state one;
	size_t i, j;
	int ret = 0;

	if (!names)
		return -1;
	for (i = 0; i < n; i++)
		names[i] = c[i].e.name;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && !ret; i++) {
		if (i && !strcmp(names[i - 1], names[i]))
			continue;
		ret = fw_ctx_entries(ctx, names[i], NULL, 0, &one);
		for (j = 0; j < one.n && !ret; j++)
			ret = fw_state_add(before, &one.e[j]);
		fw_state_free(&one);
	}
	free(names);
	return ret;
}

static ssize_t find_key(const struct fw_state *st, const struct fw_entry *e)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (fw_entry_same_key(&st->e[i], e))
			return (ssize_t)i;
	return -1;
}

static int by_name(const void *a, const void *b, void *arg)
{
	const struct fw_change *c = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(c[x].e.name, c[y].e.name);

	return r ? r : (x < y ? -1 : x > y); /* one name's changes keep their order */
}

/* One name's changes, in order, on its entries; what remains goes to d->after. */
static int build_name(struct fw_delta *d, const struct fw_change *c, const size_t *idx, size_t from,
		      size_t to, size_t *pos)
{
	const char *name = c[idx[from]].e.name;
	struct fw_state cur = {0};
	size_t i;
	int ret = 0;

	while (*pos < d->before.n && strcmp(d->before.e[*pos].name, name) < 0)
		(*pos)++;
	for (; *pos < d->before.n && !strcmp(d->before.e[*pos].name, name) && !ret; (*pos)++)
		ret = fw_state_add(&cur, &d->before.e[*pos]);
	for (i = from; i < to && !ret; i++) {
		const struct fw_change *ch = &c[idx[i]];
		ssize_t at = find_key(&cur, &ch->e);

		/* journaled as a del of what was there, then the put: counts stay exact */
		if (at >= 0) {
			ret = push(d, &cur.e[at], 1);
			fw_state_remove(&cur, (size_t)at);
		}
		if (!ret && !ch->del)
			ret = push(d, &ch->e, 0) || fw_state_add(&cur, &ch->e);
	}
	for (i = 0; i < cur.n && !ret; i++)
		ret = fw_state_add(&d->after, &cur.e[i]);
	fw_state_free(&cur);
	return ret;
}

/*
 * Changes grouped by name, so each name works on its own few entries: the
 * cost follows the changes, not their square.
 */
int fw_delta_build(struct fw_ctx *ctx, const struct fw_change *c, size_t n, struct fw_delta *d)
{
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx)), i, j, pos = 0;

	memset(d, 0, sizeof(*d));
	if (!idx || load_before(ctx, c, n, &d->before))
		goto fail;
	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), by_name, (void *)c);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && !strcmp(c[idx[j]].e.name, c[idx[i]].e.name); j++)
			;
		if (build_name(d, c, idx, i, j, &pos))
			goto fail;
	}
	free(idx);
	return 0;
fail:
	free(idx);
	fw_delta_free(d);
	return -1;
}

void fw_delta_free(struct fw_delta *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fw_change_free(&d->c[i]);
	free(d->c);
	fw_state_free(&d->before);
	fw_state_free(&d->after);
	memset(d, 0, sizeof(*d));
}

/* The record that takes the names back to `before`: after's entries out, before's in. */
static int journal_undo(struct fw_ctx *ctx, const struct fw_delta *d, uint64_t gen, char *err,
			size_t errlen)
{
	struct fw_delta u = {0};
	size_t i;
	int ret = -1;

	for (i = 0; i < d->after.n; i++)
		if (push(&u, &d->after.e[i], 1))
			goto out;
	for (i = 0; i < d->before.n; i++)
		if (push(&u, &d->before.e[i], 0))
			goto out;
	ret = fw_store_append(&ctx->store, u.c, u.n, gen, err, errlen);
out:
	if (ret && !err[0])
		snprintf(err, errlen, "out of memory");
	fw_delta_free(&u);
	return ret;
}

static int set_generation(struct fw_maps *m, uint64_t gen)
{
	struct fw_config cfg;

	if (fw_maps_get_config(m, &cfg))
		return -1;
	cfg.generation = gen;
	return fw_maps_set_config(m, &cfg);
}

/* Past its size, fold the journal into a new base and narrow the filter again. */
static void maybe_compact(struct fw_ctx *ctx)
{
	int factor = ctx->compact_factor ? ctx->compact_factor : 1;
	char err[1024];

	if (!fw_store_wants_compaction(&ctx->store, factor) || fw_ctx_full(ctx))
		return;
	if (fw_store_compact(&ctx->store, &ctx->state, err, sizeof(err)) ||
	    fw_sync_maps(&ctx->maps, &ctx->state, &ctx->state, 0, err, sizeof(err)))
		fprintf(stderr,
			"fluxwall: compacting the journal: %s (the change is saved; the "
			"next change tries again)\n",
			err);
}

int fw_delta_commit(struct fw_ctx *ctx, struct fw_delta *d)
{
	uint64_t gen = ctx->store.generation + 1;
	char err[4200 + 64] = "", err2[1024] = "";

	if (!d->n)
		return 0;
	if (fw_names_fit(&ctx->maps, &d->before, &d->after, err, sizeof(err))) {
		fw_err("%s", err);
		return -1;
	}
	if (fw_store_append(&ctx->store, d->c, d->n, gen, err, sizeof(err))) {
		fw_err("%s; nothing was changed", err);
		return -1;
	}
	if (fw_sync_names(&ctx->maps, &d->before, &d->after, err, sizeof(err)))
		goto undo;
	if (set_generation(&ctx->maps, gen)) {
		snprintf(err, sizeof(err), "cannot write %s/%s", ctx->where.pin_path,
			 FW_MAP_CONFIG);
		fw_sync_names(&ctx->maps, &d->after, &d->before, err2, sizeof(err2));
		goto undo;
	}
	ctx->state.opts.generation = gen;
	maybe_compact(ctx);
	return 0;
undo:
	/* the maps hold the old rules; a newer record says so in the journal too */
	if (journal_undo(ctx, d, gen + 1, err2, sizeof(err2)) ||
	    set_generation(&ctx->maps, gen + 1))
		fw_err("and restoring %s failed too: %s", ctx->store.jpath, err2);
	ctx->state.opts.generation = ctx->store.generation;
	fw_err("%s", err);
	return -1;
}
