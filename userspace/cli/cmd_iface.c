// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fluxwall attach, detach and ports: the data path's placement and inputs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static int check_capacity(struct fw_ctx *ctx, const struct fw_opts *o)
{
	if (!(o->given & OPT_CAPACITY) || ctx->maps.capacity == o->capacity)
		return 0;
	fw_err("the maps under %s already hold up to %u names; --capacity %u applies only when "
	       "they are created: run 'fluxwall detach --purge' first (the lists are kept in %s)",
	       ctx->where.pin_path, ctx->maps.capacity, o->capacity, ctx->where.state_dir);
	return -1;
}

int cmd_attach(struct fw_opts *o, int argc, char **argv)
{
	struct fw_attachment a;
	char note[512], err[1024];
	struct fw_ctx ctx;
	int ret = 1;

	if (argc != 1)
		return fw_usage_error(o, NULL);
	if (fw_require_root("attach") || !fw_ifindex(argv[0], err, sizeof(err))) {
		if (err[0])
			fw_err("%s", err);
		return 1;
	}
	if (fw_cli_lists_open(&ctx, o, 1))
		return 1;
	if (check_capacity(&ctx, o))
		goto out;
	if (fw_ctx_apply_default_action(&ctx, fw_opts_default_action(o)))
		goto out;
	if (fw_attach(o->pin_path, ctx.maps.capacity, fw_maps_rules_id(&ctx.maps), argv[0], o->mode,
		      &a, note, sizeof(note), err, sizeof(err))) {
		fw_err("%s", err);
		goto out;
	}
	printf("%s\n", note);
	ret = 0;
out:
	fw_ctx_close(&ctx);
	return ret;
}

static int detach_everywhere(struct fw_ctx *ctx)
{
	struct fw_attachment a[64];
	char err[1024];
	int n, i, ret = 0;

	n = fw_list_attachments(fw_maps_rules_id(&ctx->maps), a, 64);
	for (i = 0; i < n; i++) {
		if (fw_detach(a[i].ifname, err, sizeof(err))) {
			fw_err("%s", err);
			ret = -1;
			continue;
		}
		printf("fluxwall detached from %s\n", a[i].ifname);
	}
	return ret;
}

/* Purge removes the maps and the lists; the old list is kept aside, not lost. */
static int purge(struct fw_ctx *ctx)
{
	char err[1024], aside[4200];

	if (detach_everywhere(ctx))
		return -1;
	fw_maps_close(&ctx->maps);
	ctx->maps_open = 0;
	if (fw_maps_purge(ctx->where.pin_path, err, sizeof(err))) {
		fw_err("%s", err);
		return -1;
	}
	/* the journal folded into the file first, so the file moved aside is all of it */
	if (ctx->store.nrec && fw_store_compact(&ctx->store, &ctx->state, err, sizeof(err))) {
		fw_err("%s; the lists were not moved aside", err);
		return -1;
	}
	if (unlink(ctx->store.jpath) && errno != ENOENT) {
		fw_err("cannot remove %s: %s", ctx->store.jpath, strerror(errno));
		return -1;
	}
	snprintf(aside, sizeof(aside), "%s.purged", ctx->state.path);
	if (rename(ctx->state.path, aside) && errno != ENOENT) {
		fw_err("cannot move %s aside: %s", ctx->state.path, strerror(errno));
		return -1;
	}
	printf("removed the maps under %s; the lists were moved to %s\n", ctx->where.pin_path, aside);
	return 0;
}

int cmd_detach(struct fw_opts *o, int argc, char **argv)
{
	char err[1024];
	struct fw_ctx ctx;
	int ret = 0;

	if (argc > 1 || (!argc && !o->purge))
		return fw_usage_error(o, NULL);
	if (fw_require_root("detach"))
		return 1;
	if (argc == 1) {
		if (fw_detach(argv[0], err, sizeof(err))) {
			fw_err("%s", err);
			return 1;
		}
		printf("fluxwall detached from %s; the maps and lists stay under %s\n", argv[0],
		       o->pin_path);
	}
	if (!o->purge)
		return 0;
	if (!fw_maps_exist(o->pin_path)) {
		printf("no maps under %s\n", o->pin_path);
		return 0;
	}
	if (fw_cli_lists_open(&ctx, o, 0))
		return 1;
	ret = purge(&ctx) ? 1 : 0;
	fw_ctx_close(&ctx);
	return ret;
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < 1 || v > 65535) {
		fw_err("'%s' is not a port number (1-65535)", s);
		return -1;
	}
	*port = (uint16_t)v;
	return 0;
}

static void list_ports(struct fw_maps *m, int json)
{
	uint16_t ports[FW_STATE_MAX_PORTS];
	int n = fw_maps_get_ports(m, ports, FW_STATE_MAX_PORTS), i;

	printf(json ? "[" : "");
	for (i = 0; i < n; i++)
		printf("%s%u", i ? (json ? "," : " ") : "", ports[i]);
	printf(json ? "]\n" : "\n");
}

/* The ports the state file asks for after adding or removing some. */
static int edit_ports(struct fw_state_opts *so, const uint16_t *ports, int n, int on)
{
	int i, j;

	if (!so->nports)
		so->ports[so->nports++] = 53;
	for (i = 0; i < n; i++) {
		for (j = 0; j < so->nports && so->ports[j] != ports[i]; j++)
			;
		if (on && j == so->nports) {
			if (so->nports >= FW_STATE_MAX_PORTS) {
				fw_err("at most %d DNS source ports", FW_STATE_MAX_PORTS);
				return -1;
			}
			so->ports[so->nports++] = ports[i];
		} else if (!on && j < so->nports) {
			so->ports[j] = so->ports[--so->nports];
		}
	}
	if (!so->nports) {
		fw_err("at least one DNS source port must remain");
		return -1;
	}
	return 0;
}

int cmd_ports(struct fw_opts *o, int argc, char **argv)
{
	const char *sub = argc ? argv[0] : "list";
	uint16_t ports[FW_STATE_MAX_PORTS];
	struct fw_state next;
	struct fw_ctx ctx;
	int i, n = argc - 1, on = !strcmp(sub, "add"), ret = 1;

	if (!strcmp(sub, "list") && argc <= 1) {
		n = 0;
	} else if ((strcmp(sub, "add") && strcmp(sub, "del")) || n < 1 || n > FW_STATE_MAX_PORTS) {
		return fw_usage_error(o, NULL);
	}
	for (i = 0; i < n; i++)
		if (parse_port(argv[i + 1], &ports[i]))
			return 1;
	if (fw_require_root("ports") || fw_cli_lists_open(&ctx, o, 1))
		return 1;
	if (n) {
		if (fw_state_clone(&ctx.state, &next))
			goto out;
		if (edit_ports(&next.opts, ports, n, on)) {
			fw_state_free(&next);
			goto out;
		}
		if (fw_ctx_commit(&ctx, &next))
			goto out;
	}
	list_ports(&ctx.maps, o->json);
	ret = 0;
out:
	fw_ctx_close(&ctx);
	return ret;
}
