// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fluxwall status: where the program runs, what the maps hold, the counters. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "fleet/publish_queue.h"
#include "fleet/rpz_subscribe.h"
#include "formats/abi_names.h"
#include "formats/json_out.h"
#include "engine/engine_setup.h"

struct status {
	struct fw_attachment att[64];
	int natt;
	uint64_t cnt[FW_CNT_MAX];
	struct fw_config cfg;
	long map_names;
	uint64_t by_list_origin[2][3];
	char geo[512];
};

/* Which detection features the configured geo databases allow. */
static void geo_status(struct fw_opts *o, char *buf, size_t len)
{
	char err[512];
	struct fw_geo *g = fw_engine_geo(o->conf, buf, len, err, sizeof(err));
	char *nl;

	if (!g)
		snprintf(buf, len, "%s", err);
	else
		fw_geo_close(g);
	while ((nl = strchr(buf, '\n')))
		*nl = ';';
}

static void collect(struct fw_ctx *ctx, struct fw_opts *o, struct status *s)
{
	memset(s, 0, sizeof(*s));
	s->natt = fw_list_attachments(fw_maps_rules_id(&ctx->maps), s->att, 64);
	fw_maps_read_counters(&ctx->maps, s->cnt);
	fw_maps_get_config(&ctx->maps, &s->cfg);
	/* the count userspace keeps; maps from before it was kept hold 0: walk them */
	s->map_names = s->cfg.names;
	if (!s->map_names && fw_maps_has_rules(&ctx->maps))
		s->map_names = fw_maps_count_rules(&ctx->maps);
	geo_status(o, s->geo, sizeof(s->geo));
	/* from the base's counts and the journal: the lists are not read */
	fw_ctx_counts(ctx, s->by_list_origin);
}

struct fleet_out {
	struct fw_json *j; /* NULL: text */
};

static void print_sub(const struct fw_sub_seen *s, void *ctx)
{
	struct fleet_out *out = ctx;

	if (!out->j) {
		printf("fleet:         rpz %s serial %s%s%s\n", s->zone, s->serial,
		       s->error[0] ? ", last error: " : "", s->error);
		return;
	}
	fw_json_obj_begin(out->j);
	fw_json_kv_str(out->j, "zone", s->zone);
	if (strcmp(s->serial, "none"))
		fw_json_kv_uint(out->j, "serial", strtoull(s->serial, NULL, 10));
	if (s->error[0])
		fw_json_kv_str(out->j, "error", s->error);
	fw_json_obj_end(out->j);
}

/* Subscriptions' serials and the publish queue, from the state directory. */
static void fleet_status(const char *state_dir, struct fw_json *j)
{
	struct fleet_out out = {.j = j};
	long queued = fw_pubq_count_dir(state_dir);

	if (j) {
		fw_json_key(j, "rpz_subscriptions");
		fw_json_arr_begin(j);
	}
	fw_sub_status(state_dir, print_sub, &out);
	if (j) {
		fw_json_arr_end(j);
		if (queued >= 0)
			fw_json_kv_int(j, "rpz_publish_queue", queued);
	} else if (queued >= 0) {
		printf("fleet:         %ld updates queued for the primary\n", queued);
	}
}

static void print_text(struct fw_ctx *ctx, const struct status *s)
{
	int i;

	printf("pin path:      %s\n", ctx->where.pin_path);
	printf("state file:    %s\n", ctx->state.path);
	printf("default action: %s\n", fw_action_str(s->cfg.default_action));
	if (!s->natt)
		printf("interfaces:    none (run 'fluxwall attach IFACE')\n");
	for (i = 0; i < s->natt; i++)
		printf("interface:     %s  mode %s  program id %u  %s\n", s->att[i].ifname,
		       s->att[i].mode, s->att[i].prog_id,
		       s->att[i].dispatcher ? "libxdp dispatcher" : "single program");
	printf("block list:    %llu manual, %llu feed, %llu auto entries\n",
	       (unsigned long long)s->by_list_origin[0][0],
	       (unsigned long long)s->by_list_origin[0][1],
	       (unsigned long long)s->by_list_origin[0][2]);
	printf("allow list:    %llu entries\n",
	       (unsigned long long)(s->by_list_origin[1][0] + s->by_list_origin[1][1] +
				    s->by_list_origin[1][2]));
	printf("rule map:      %ld of %u names, filter %u KiB, deepest rule %u labels\n",
	       s->map_names, ctx->maps.capacity, ctx->maps.filter_words * 8 / 1024,
	       s->cfg.max_depth);
	printf("geo data:      %s\n", s->geo);
	fleet_status(ctx->where.state_dir, NULL);
	printf("counters:\n");
	for (i = 0; i < FW_CNT_MAX; i++)
		printf("  %-22s %llu\n", fw_counter_names[i], (unsigned long long)s->cnt[i]);
}

static void print_json(struct fw_ctx *ctx, const struct status *s)
{
	struct fw_json j;
	int i;

	fw_json_init(&j, stdout);
	fw_json_obj_begin(&j);
	fw_json_kv_str(&j, "pin_path", ctx->where.pin_path);
	fw_json_kv_str(&j, "state_file", ctx->state.path);
	fw_json_kv_str(&j, "default_action", fw_action_str(s->cfg.default_action));
	fw_json_key(&j, "interfaces");
	fw_json_arr_begin(&j);
	for (i = 0; i < s->natt; i++) {
		fw_json_obj_begin(&j);
		fw_json_kv_str(&j, "name", s->att[i].ifname);
		fw_json_kv_str(&j, "mode", s->att[i].mode);
		fw_json_kv_uint(&j, "program_id", s->att[i].prog_id);
		fw_json_kv_bool(&j, "dispatcher", s->att[i].dispatcher);
		fw_json_obj_end(&j);
	}
	fw_json_arr_end(&j);
	fw_json_key(&j, "block_entries");
	fw_json_obj_begin(&j);
	fw_json_kv_uint(&j, "manual", s->by_list_origin[0][0]);
	fw_json_kv_uint(&j, "feed", s->by_list_origin[0][1]);
	fw_json_kv_uint(&j, "auto", s->by_list_origin[0][2]);
	fw_json_obj_end(&j);
	fw_json_kv_uint(&j, "allow_entries",
			s->by_list_origin[1][0] + s->by_list_origin[1][1] +
			    s->by_list_origin[1][2]);
	fw_json_kv_int(&j, "map_names", s->map_names);
	fw_json_kv_uint(&j, "capacity", ctx->maps.capacity);
	fw_json_kv_uint(&j, "max_depth", s->cfg.max_depth);
	fw_json_kv_str(&j, "geo", s->geo);
	fleet_status(ctx->where.state_dir, &j);
	fw_json_key(&j, "counters");
	fw_json_obj_begin(&j);
	for (i = 0; i < FW_CNT_MAX; i++)
		fw_json_kv_uint(&j, fw_counter_names[i], s->cnt[i]);
	fw_json_obj_end(&j);
	fw_json_obj_end(&j);
	fputc('\n', stdout);
}

int cmd_status(struct fw_opts *o, int argc, char **argv)
{
	struct status s;
	struct fw_ctx ctx;

	if (argc)
		return fw_usage_error(o, NULL);
	if (fw_require_root("status") || fw_cli_lists_open_light(&ctx, o, 0))
		return 1;
	collect(&ctx, o, &s);
	if (o->json)
		print_json(&ctx, &s);
	else
		print_text(&ctx, &s);
	fw_ctx_close(&ctx);
	return 0;
}
