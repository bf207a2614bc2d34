// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Printing list entries as a table or as JSON with stable field names. */
#include <inttypes.h>
#include <time.h>

#include "cli/list_print.h"
#include "formats/json_out.h"

static void format_time(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!t) {
		snprintf(buf, len, "never");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void json_entry(struct fw_json *j, const struct fw_entry *e)
{
	char added[32], expires[32];

	format_time(e->added, added, sizeof(added));
	format_time(e->expires, expires, sizeof(expires));
	fw_json_obj_begin(j);
	fw_json_kv_str(j, "name", e->name);
	fw_json_kv_str(j, "list", fw_list_str(e->list));
	fw_json_kv_str(j, "match", fw_match_str(e->match));
	fw_json_kv_str(j, "action", fw_action_str(e->action));
	fw_json_kv_str(j, "origin", fw_origin_str(e->origin));
	fw_json_kv_str(j, "source", e->source);
	fw_json_kv_str(j, "added", added);
	fw_json_key(j, "expires");
	if (e->expires)
		fw_json_str(j, expires);
	else
		fw_json_null(j);
	fw_json_kv_double(j, "score", e->score);
	fw_json_kv_str(j, "reason", e->reason);
	fw_json_obj_end(j);
}

void fw_print_entries(FILE *out, const struct fw_state *st, uint8_t list, int json)
{
	struct fw_json j;
	size_t i;

	if (json) {
		fw_json_init(&j, out);
		fw_json_arr_begin(&j);
	} else {
		fprintf(out, "%-40s %-8s %-9s %-12s %s\n", "NAME", "MATCH", "ACTION", "SOURCE",
			"EXPIRES");
	}
	for (i = 0; i < st->n; i++) {
		const struct fw_entry *e = &st->e[i];
		char expires[32];

		if (e->list != list)
			continue;
		if (json) {
			json_entry(&j, e);
			continue;
		}
		format_time(e->expires, expires, sizeof(expires));
		fprintf(out, "%-40s %-8s %-9s %-12s %s\n", e->name, fw_match_str(e->match),
			list == FW_LIST_ALLOW ? "-" : fw_action_str(e->action), e->source, expires);
	}
	if (json) {
		fw_json_arr_end(&j);
		fputc('\n', out);
	}
}
