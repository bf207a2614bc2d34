// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Opening the lists and maps together, under a lock, and committing changes. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "rule_sync.h"

void fw_err(const char *fmt, ...)
{
	va_list ap;

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
		fw_err("cannot create state directory %s: %s; set another with --state-dir",
		       dir, strerror(errno));
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

int fw_ctx_open(struct fw_ctx *ctx, struct fw_opts *o, int create)
{
	struct fw_state empty = {};
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
	if (fw_maps_open(&ctx->maps, o->pin_path, o->capacity, create, err, sizeof(err))) {
		fw_err("%s", err);
		goto fail;
	}
	ctx->maps_open = 1;
	if (ctx->maps.created && ctx->state.n) {
		if (fw_sync_maps(&ctx->maps, &empty, &ctx->state, 1, err, sizeof(err))) {
			fw_err("restoring %zu rules from %s: %s", ctx->state.n, ctx->state.path,
			       err);
			goto fail;
		}
		fprintf(stderr, "fluxwall: restored %zu rules from %s\n", ctx->state.n,
			ctx->state.path);
	}
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

int fw_ctx_commit(struct fw_ctx *ctx, struct fw_state *next)
{
	char err[1024], err2[1024];

	memcpy(next->path, ctx->state.path, sizeof(next->path));
	if (fw_sync_maps(&ctx->maps, &ctx->state, next, 0, err, sizeof(err))) {
		fw_err("%s", err);
		fw_state_free(next);
		return -1;
	}
	if (fw_state_save(next, err, sizeof(err))) {
		if (fw_sync_maps(&ctx->maps, next, &ctx->state, 1, err2, sizeof(err2)))
			fw_err("and restoring the maps failed too: %s", err2);
		fw_err("%s; nothing was changed", err);
		fw_state_free(next);
		return -1;
	}
	fw_state_free(&ctx->state);
	ctx->state = *next;
	memset(next, 0, sizeof(*next));
	return 0;
}
