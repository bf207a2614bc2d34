/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Filling the metrics from the maps and the lists. */
#ifndef FW_METRICS_H
#define FW_METRICS_H

#include "dataplane/pinned_maps.h"
#include "formats/state_file.h"
#include "formats/textfile.h"

#define FW_VERSION "0.1.0"

/* Which list-size metric an entry counts towards. */
enum fw_list_kind fw_list_kind_of(const struct fw_entry *e);

/* Counters from the maps (passed derived from drops) and list sizes from st. */
void fw_metrics_fill(struct fw_metrics *m, struct fw_maps *maps, const struct fw_state *st);

#endif /* FW_METRICS_H */
