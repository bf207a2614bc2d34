/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Bring the pinned maps in line with the state: rules, filter, depth mask. */
#ifndef FW_RULE_SYNC_H
#define FW_RULE_SYNC_H

#include <stddef.h>

#include "dataplane/pinned_maps.h"
#include "formats/state_file.h"

/*
 * Move the maps from what `from` describes to what `to` describes, writing
 * only the names whose merged rule changed (all of `to` when full is set, as
 * after a reboot). Refuses, changing nothing, when `to` needs more names than
 * the map holds. On a kernel error it restores `from` and returns -1.
 */
int fw_sync_maps(struct fw_maps *m, const struct fw_state *from, const struct fw_state *to,
		 int full, char *err, size_t errlen);

/*
 * The same for a change to a few names: from and to hold every entry of
 * those names, before and after, and nothing else. The filter and depth mask
 * only widen (a stale bit is harmless); a full sync narrows them again.
 */
int fw_sync_names(struct fw_maps *m, const struct fw_state *from, const struct fw_state *to,
		  char *err, size_t errlen);

/*
 * 0 when the names `to` adds over `from` fit in the rule map (by the count
 * fw_config keeps); -1 with the message the whole-list sync gives.
 */
int fw_names_fit(struct fw_maps *m, const struct fw_state *from, const struct fw_state *to,
		 char *err, size_t errlen);

/*
 * Make the maps hold exactly `to`, whatever they held: every rule written,
 * every other key deleted, filter and depth mask rebuilt. For maps that were
 * just created or that an interrupted update left behind.
 */
int fw_resync_maps(struct fw_maps *m, const struct fw_state *to, char *err, size_t errlen);

/* The value the data path sees for the given entries of one name. */
void fw_merge_entry(struct fw_rule *r, const struct fw_entry *e);

#endif /* FW_RULE_SYNC_H */
