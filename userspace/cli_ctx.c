// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Opening the lists and maps together, under a lock, and committing changes. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "rule_sync.h"

static char *err_buf;
static size_t err_len;

void fw_err_capture(char *buf, size_t len)
{
	err_buf = len ? buf : NULL;
	err_len = len;
	if (err_buf)
		err_buf[0] = '\0';
}

void fw_err(const char *fmt, ...)
{
	va_list ap;

	if (err_buf) {
		size_t off = strlen(err_buf);

		if (off && off + 2 < err_len)
			off += (size_t)snprintf(err_buf + off, err_len - off, "; ");
		va_start(ap, fmt);
		if (off < err_len)
			vsnprintf(err_buf + off, err_len - off, fmt, ap);
		va_end(ap);
		return;
	}
	fputs("fluxwall: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int fw_require_root(const char *verb)
{
	if (geteuid() == 0)
		return 0;
	fw_err("'%s' needs root (it loads BPF programs and edits pinned maps); run it as root "
	       "or with sudo",
	       verb);
	return -1;
}

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
static void remove_stale_temp_files(const char *state_path)
{
	char pattern[4200];
	glob_t g;
	size_t i;

	snprintf(pattern, sizeof(pattern), "%s.tmp.*", state_path);
	if (glob(pattern, GLOB_NOSORT, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++)
		unlink(g.gl_pathv[i]);
	globfree(&g);
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

/*
 * New maps (after a reboot) or maps whose generation differs from the state
 * file's (an update was killed half-way) are rebuilt from the state file.
 */
static int reconcile(struct fw_ctx *ctx)
{
	struct fw_config cfg;
	char err[1024];

	if (fw_maps_get_config(&ctx->maps, &cfg))
		return -1;
	if (!ctx->maps.created && cfg.generation == ctx->state.opts.generation)
		return 0;
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
			ctx->o->pin_path, ctx->state.path);
	return 0;
}

int fw_ctx_open(struct fw_ctx *ctx, struct fw_opts *o, int create)
{
	char err[1024];

	memset(ctx, 0, sizeof(*ctx));
	ctx->o = o;
	ctx->lock_fd = lock_state_dir(o->state_dir);
	if (ctx->lock_fd < 0)
		return -1;
	if (fw_state_load(&ctx->state, o->state_dir, err, sizeof(err))) {
		fw_err("%s", err);
		goto fail;
	}
	remove_stale_temp_files(ctx->state.path);
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

void fw_ctx_close(struct fw_ctx *ctx)
{
	if (ctx->maps_open)
		fw_maps_close(&ctx->maps);
	ctx->maps_open = 0;
	fw_state_free(&ctx->state);
	if (ctx->lock_fd > 0)
		close(ctx->lock_fd);
	ctx->lock_fd = -1;
}

/*
 * The state file goes first, with the next generation; the maps follow and
 * record that generation last. A kill anywhere leaves either both old, or a
 * generation mismatch that the next fw_ctx_open repairs from the file.
 */
int fw_ctx_commit(struct fw_ctx *ctx, struct fw_state *next)
{
	char err[1024], err2[1024];

	memcpy(next->path, ctx->state.path, sizeof(next->path));
	next->opts.generation = ctx->state.opts.generation + 1;
	if (fw_state_save(next, err, sizeof(err))) {
		fw_err("%s; nothing was changed", err);
		fw_state_free(next);
		return -1;
	}
	if (fw_sync_maps(&ctx->maps, &ctx->state, next, 0, err, sizeof(err)) ||
	    apply_settings(&ctx->maps, &next->opts) ||
	    set_generation(&ctx->maps, next->opts.generation)) {
		/* the maps were put back; put the file back too, as a newer generation */
		ctx->state.opts.generation = next->opts.generation + 1;
		if (fw_state_save(&ctx->state, err2, sizeof(err2)) ||
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

int fw_ctx_apply_default_action(struct fw_ctx *ctx)
{
	struct fw_opts *o = ctx->o;
	uint8_t action = o->action;
	struct fw_state next;

	if (action == FW_ACT_DEFAULT && o->conf &&
	    o->conf->src[FW_CONF_OPT_default_action] != FW_CONF_SRC_DEFAULT)
		action = (uint8_t)fw_conf_default_action(o->conf);
	if (action == FW_ACT_DEFAULT || ctx->state.opts.default_action == action)
		return 0;
	if (fw_state_clone(&ctx->state, &next))
		return -1;
	next.opts.default_action = action;
	return fw_ctx_commit(ctx, &next);
}
