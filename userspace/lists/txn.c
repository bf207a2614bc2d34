// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Opening the lists and maps together, under a lock, and committing whole lists. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lists/txn.h"
#include "dataplane/rule_sync.h"
#include "lists/txn_delta.h"

static int mkdir_p(const char *dir)
{
	char path[4096];
	char *p;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0700) && errno != EEXIST ? -1 : 0;
}

/* Serialise every fluxwall process that changes the lists, as xdp-filter does. */
static int lock_state_dir(const char *dir)
{
	char path[4200];
	int fd;

	if (mkdir_p(dir)) {
		fw_err("cannot create state directory %s: %s; set another with --state-dir", dir,
		       strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		fw_err("cannot lock %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Temp files of a writer that was killed; the lock says no writer is running now. */
static void remove_stale_temp_files(const char *dir)
{
	static const char *const names[] = { FW_STATE_FILE, FW_JOURNAL_FILE };
	char pattern[4200];
	glob_t g;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		snprintf(pattern, sizeof(pattern), "%s/%s.tmp.*", dir, names[k]);
		if (glob(pattern, GLOB_NOSORT, NULL, &g))
			continue;
		for (i = 0; i < g.gl_pathc; i++)
			unlink(g.gl_pathv[i]);
		globfree(&g);
	}
}

/* Settings stored with the lists: the default action and the DNS ports. */
static int apply_settings(struct fw_maps *m, const struct fw_state_opts *so)
{
	struct fw_config cfg;

	if (fw_maps_get_config(m, &cfg))
		return -1;
	if (so->default_action != FW_ACT_DEFAULT)
		cfg.default_action = so->default_action;
	if (fw_maps_set_config(m, &cfg) || !so->nports)
		return 0;
	return fw_maps_set_ports(m, so->ports, so->nports);
}

static int set_generation(struct fw_maps *m, uint64_t generation)
{
	struct fw_config cfg;

	if (fw_maps_get_config(m, &cfg))
		return -1;
	cfg.generation = generation;
	return fw_maps_set_config(m, &cfg);
}

int fw_ctx_full(struct fw_ctx *ctx)
{
	char err[1024];

	if (!ctx->light)
		return 0;
	if (fw_store_full(&ctx->store, &ctx->state, err, sizeof(err))) {
		fw_err("%s", err);
		return -1;
	}
	ctx->light = 0;
	/* validated whole: the next open may search it instead of reading it */
	if (!ctx->store.trusted && ctx->store.opts.sorted && ctx->store.opts.has_counts &&
	    fw_store_trust(&ctx->store, err, sizeof(err)))
		fprintf(stderr, "fluxwall: %s (the next command reads the whole list again)\n",
			err);
	return 0;
}

/*
 * New maps (after a reboot) or maps whose generation differs from the lists'
 * (an update was killed half-way) are rebuilt from the whole lists.
 */
static int reconcile(struct fw_ctx *ctx)
{
	struct fw_config cfg;
	char err[1024];

	if (fw_maps_get_config(&ctx->maps, &cfg))
		return -1;
	if (!ctx->maps.created && cfg.generation == ctx->state.opts.generation)
		return 0;
	if (fw_ctx_full(ctx))
		return -1;
	if (fw_resync_maps(&ctx->maps, &ctx->state, err, sizeof(err)) ||
	    apply_settings(&ctx->maps, &ctx->state.opts) ||
	    set_generation(&ctx->maps, ctx->state.opts.generation)) {
		fw_err("restoring %zu rules from %s: %s", ctx->state.n, ctx->state.path, err);
		return -1;
	}
	if (ctx->maps.created && ctx->state.n)
		fprintf(stderr, "fluxwall: restored %zu rules from %s\n", ctx->state.n,
			ctx->state.path);
	else if (!ctx->maps.created)
		fprintf(stderr,
			"fluxwall: the maps under %s did not match %s (an update was "
			"interrupted); they were rebuilt from it\n",
			ctx->where.pin_path, ctx->state.path);
	return 0;
}

static int ctx_open(struct fw_ctx *ctx, const struct fw_lists_where *o, int create, int light)
{
	char err[1024];

	memset(ctx, 0, sizeof(*ctx));
	ctx->where = *o;
	ctx->lock_fd = lock_state_dir(o->state_dir);
	if (ctx->lock_fd < 0)
		return -1;
	remove_stale_temp_files(o->state_dir);
	if (fw_store_open(&ctx->store, o->state_dir, 1, err, sizeof(err))) {
		fw_err("%s", err);
		goto fail;
	}
	snprintf(ctx->state.path, sizeof(ctx->state.path), "%s", ctx->store.base_path);
	ctx->state.opts = ctx->store.opts;
	ctx->state.opts.generation = ctx->store.generation;
	ctx->light = 1;
	if ((!light || !ctx->store.trusted) && fw_ctx_full(ctx))
		goto fail;
	if (fw_maps_open(&ctx->maps, o->pin_path, o->capacity, create, err, sizeof(err))) {
		fw_err("%s", err);
		goto fail;
	}
	ctx->maps_open = 1;
	if (reconcile(ctx))
		goto fail;
	return 0;
fail:
	fw_ctx_close(ctx);
	return -1;
}

int fw_ctx_open(struct fw_ctx *ctx, const struct fw_lists_where *o, int create)
{
	return ctx_open(ctx, o, create, 0);
}

int fw_ctx_open_light(struct fw_ctx *ctx, const struct fw_lists_where *o, int create)
{
	return ctx_open(ctx, o, create, 1);
}

void fw_ctx_close(struct fw_ctx *ctx)
{
	if (ctx->maps_open)
		fw_maps_close(&ctx->maps);
	ctx->maps_open = 0;
	fw_state_free(&ctx->state);
	fw_store_close(&ctx->store);
	if (ctx->lock_fd > 0)
		close(ctx->lock_fd);
	ctx->lock_fd = -1;
}

/* Write the whole lists as a new base, with an empty journal. */
static int save_all(struct fw_ctx *ctx, struct fw_state *st, char *err, size_t errlen)
{
	return fw_store_compact(&ctx->store, st, err, errlen);
}

/*
 * The files go first, with the next generation; the maps follow and record
 * that generation last. A kill anywhere leaves either both old, or a
 * generation mismatch that the next fw_ctx_open repairs from the files.
 */
int fw_ctx_commit(struct fw_ctx *ctx, struct fw_state *next)
{
	char err[1024], err2[1024];

	if (fw_ctx_full(ctx)) {
		fw_state_free(next);
		return -1;
	}
	next->opts.generation = ctx->state.opts.generation + 1;
	if (save_all(ctx, next, err, sizeof(err))) {
		fw_err("%s; nothing was changed", err);
		fw_state_free(next);
		return -1;
	}
	if (fw_sync_maps(&ctx->maps, &ctx->state, next, 0, err, sizeof(err)) ||
	    apply_settings(&ctx->maps, &next->opts) ||
	    set_generation(&ctx->maps, next->opts.generation)) {
		/* the maps were put back; put the files back too, as a newer generation */
		ctx->state.opts.generation = next->opts.generation + 1;
		if (save_all(ctx, &ctx->state, err2, sizeof(err2)) ||
		    set_generation(&ctx->maps, ctx->state.opts.generation))
			fw_err("and restoring %s failed too: %s", ctx->state.path, err2);
		fw_err("%s", err);
		fw_state_free(next);
		return -1;
	}
	fw_state_free(&ctx->state);
	ctx->state = *next;
	memset(next, 0, sizeof(*next));
	return 0;
}

int fw_ctx_entries(struct fw_ctx *ctx, const char *name, const struct fw_change *pending, size_t n,
		   struct fw_state *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (ctx->light)
		return fw_store_entries(&ctx->store, name, pending, n, out);
	for (i = 0; i < ctx->state.n; i++)
		if (!strcmp(ctx->state.e[i].name, name) && fw_state_add(out, &ctx->state.e[i]))
			return -1;
	for (i = 0; i < n; i++)
		if (!strcmp(pending[i].e.name, name) && fw_change_apply(out, &pending[i]))
			return -1;
	return 0;
}

void fw_ctx_counts(struct fw_ctx *ctx, uint64_t counts[2][3])
{
	if (ctx->light)
		fw_store_counts(&ctx->store, counts);
	else
		fw_state_count(&ctx->state, counts);
}

static int commit_full(struct fw_ctx *ctx, const struct fw_change *c, size_t n)
{
	struct fw_state next;
	size_t i;

	if (fw_state_clone(&ctx->state, &next))
		return -1;
	for (i = 0; i < n; i++) {
		if (fw_change_apply(&next, &c[i])) {
			fw_state_free(&next);
			fw_err("out of memory");
			return -1;
		}
	}
	return fw_ctx_commit(ctx, &next);
}

int fw_ctx_commit_changes(struct fw_ctx *ctx, const struct fw_change *c, size_t n)
{
	struct fw_delta d;
	int ret;

	if (!ctx->light)
		return commit_full(ctx, c, n);
	if (fw_delta_build(ctx, c, n, &d)) {
		fw_err("out of memory");
		return -1;
	}
	ret = fw_delta_commit(ctx, &d);
	fw_delta_free(&d);
	return ret;
}

int fw_ctx_apply_default_action(struct fw_ctx *ctx, uint8_t action)
{
	struct fw_state next;

	if (action == FW_ACT_DEFAULT || ctx->state.opts.default_action == action)
		return 0;
	if (fw_state_clone(&ctx->state, &next))
		return -1;
	next.opts.default_action = action;
	return fw_ctx_commit(ctx, &next);
}
