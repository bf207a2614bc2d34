// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Filling the metrics from the maps and the lists. */
#include <string.h>

#include "daemon/metrics.h"

enum fw_list_kind fw_list_kind_of(const struct fw_entry *e)
{
	if (e->list == FW_LIST_ALLOW)
		return FW_LIST_KIND_ALLOW;
	if (e->origin == FW_ORIGIN_AUTO)
		return FW_LIST_KIND_AUTO;
	return e->origin == FW_ORIGIN_FEED ? FW_LIST_KIND_FEED : FW_LIST_KIND_MANUAL;
}

void fw_metrics_fill(struct fw_metrics *m, struct fw_maps *maps, const struct fw_state *st)
{
	size_t i;

	m->version = FW_VERSION;
	if (maps)
		fw_maps_read_counters(maps, m->counters);
	memset(m->list_size, 0, sizeof(m->list_size));
	for (i = 0; st && i < st->n; i++)
		m->list_size[fw_list_kind_of(&st->e[i])]++;
}
