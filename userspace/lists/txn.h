/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The lists transaction: the lists on disk and the maps, opened together
 * under the state directory's lock, changed all or nothing. The CLI's list
 * verbs and the daemon's auto-blocks both commit through it.
 */
#ifndef FW_LISTS_TXN_H
#define FW_LISTS_TXN_H

#include <stdint.h>

#include "dataplane/pinned_maps.h"
#include "formats/messages.h"
#include "formats/state_file.h"
#include "lists/store.h"

/* Where the lists and the maps live, and the size of maps made anew. */
struct fw_lists_where {
	char pin_path[4096];
	char state_dir[4096];
	uint32_t capacity;
};

/* The lists and the maps, opened together under the state lock. */
struct fw_ctx {
	struct fw_lists_where where;
	struct fw_maps maps;
	struct fw_state state; /* empty but for opts and path while light */
	struct fw_store store; /* the files: base and journal */
	int light;	       /* state not loaded: changes go through the journal */
	int compact_factor;    /* compact past this many times the usual journal size */
	int lock_fd;
	int maps_open;
};

/*
 * Lock the state directory, load the state, open the maps (creating them if
 * create is set) and, when the maps are new, as after a reboot, restore every
 * rule into them.
 */
int fw_ctx_open(struct fw_ctx *ctx, const struct fw_lists_where *w, int create);
void fw_ctx_close(struct fw_ctx *ctx);

/*
 * The same without reading the whole lists, when the base can be searched
 * (it is sorted and was validated as it is now): ctx->state stays empty
 * until fw_ctx_full. Otherwise the same as fw_ctx_open.
 */
int fw_ctx_open_light(struct fw_ctx *ctx, const struct fw_lists_where *w, int create);

/* Load the whole lists into ctx->state (no-op when they are loaded). */
int fw_ctx_full(struct fw_ctx *ctx);

/* Every entry of one name, with the effect of n pending changes. */
int fw_ctx_entries(struct fw_ctx *ctx, const char *name, const struct fw_change *pending, size_t n,
		   struct fw_state *out);

/* Entries by list and origin. */
void fw_ctx_counts(struct fw_ctx *ctx, uint64_t counts[2][3]);

/*
 * Apply n changes, all or nothing: appended to the journal and fsynced, then
 * only the names they touch are written to the maps. A put replaces the
 * entry of the same name, list, match and source; a del of a missing entry
 * is dropped. With the whole lists loaded, a full commit.
 */
int fw_ctx_commit_changes(struct fw_ctx *ctx, const struct fw_change *c, size_t n);

/* Save `next`, then apply it to the maps; all or nothing. Takes ownership. */
int fw_ctx_commit(struct fw_ctx *ctx, struct fw_state *next);

/*
 * Make action the default action and keep it in the state file, so a
 * reboot does not lose it; FW_ACT_DEFAULT changes nothing.
 */
int fw_ctx_apply_default_action(struct fw_ctx *ctx, uint8_t action);

#endif /* FW_LISTS_TXN_H */
