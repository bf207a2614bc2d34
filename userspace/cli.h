/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What every command gets: parsed options, and the lists with their maps. */
#ifndef FW_CLI_H
#define FW_CLI_H

#include <stdint.h>

#include "conf.h"
#include "pinned_maps.h"
#include "state.h"
#include "state_journal.h"
#include "xdp_attach.h"

enum fw_opt_bit {
	OPT_JSON = 1 << 0,
	OPT_EXACT = 1 << 1,
	OPT_ACTION = 1 << 2,
	OPT_MODE = 1 << 3,
	OPT_CAPACITY = 1 << 4,
	OPT_PURGE = 1 << 5,
	OPT_SOURCE = 1 << 6,
	OPT_FORMAT = 1 << 7,
	OPT_SKIP_INVALID = 1 << 8,
	OPT_IFACE = 1 << 9,
	OPT_SCORE = 1 << 10,
	OPT_PROM = 1 << 11,
	OPT_DEFAULTS = 1 << 12,
	OPT_TRACE = 1 << 13,
};

struct fw_opts {
	const char *pin_path;
	const char *state_dir;
	const char *config;
	const char *source;
	const char *format;
	const char *iface;
	const char *score;    /* replay: fluxwall or holz */
	const char *trace;    /* replay: the domain whose scores to print */
	struct fw_conf *conf; /* the file, environment and flags, merged */
	uint32_t capacity;
	enum fw_mode mode;
	uint8_t action; /* FW_ACT_DEFAULT when not given */
	int json, exact, purge, skip_invalid, prom, defaults;
	unsigned int given; /* enum fw_opt_bit of the options on the command line */
};

/* The lists and the maps, opened together under the state lock. */
struct fw_ctx {
	struct fw_opts *o;
	struct fw_maps maps;
	struct fw_state state; /* empty but for opts and path while light */
	struct fw_store store; /* the files: base and journal */
	int light;	       /* state not loaded: changes go through the journal */
	int compact_factor;    /* compact past this many times the usual journal size */
	int lock_fd;
	int maps_open;
};

/* Print "fluxwall: <message>" to stderr. */
void fw_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * While buf is set, fw_err appends its messages there ("; " between them)
 * instead of printing them: the daemon decides how often to report them.
 * NULL prints again.
 */
void fw_err_capture(char *buf, size_t len);

/* Exit status 1 with a message unless running as root. */
int fw_require_root(const char *verb);

/*
 * Lock the state directory, load the state, open the maps (creating them if
 * create is set) and, when the maps are new, as after a reboot, restore every
 * rule into them.
 */
int fw_ctx_open(struct fw_ctx *ctx, struct fw_opts *o, int create);
void fw_ctx_close(struct fw_ctx *ctx);

/*
 * The same without reading the whole lists, when the base can be searched
 * (it is sorted and was validated as it is now): ctx->state stays empty
 * until fw_ctx_full. Otherwise the same as fw_ctx_open.
 */
int fw_ctx_open_light(struct fw_ctx *ctx, struct fw_opts *o, int create);

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
 * Make --action, or default_action from the config file, the default action
 * and keep it in the state file, so a reboot does not lose it.
 */
int fw_ctx_apply_default_action(struct fw_ctx *ctx);

/* Kernel id of the rules map, to recognise our own attachments. */
uint32_t fw_rules_map_id(struct fw_maps *m);

int cmd_attach(struct fw_opts *o, int argc, char **argv);
int cmd_detach(struct fw_opts *o, int argc, char **argv);
int cmd_status(struct fw_opts *o, int argc, char **argv);
int cmd_block(struct fw_opts *o, int argc, char **argv);
int cmd_allow(struct fw_opts *o, int argc, char **argv);
int cmd_ports(struct fw_opts *o, int argc, char **argv);
int cmd_replay(struct fw_opts *o, int argc, char **argv);
int cmd_run(struct fw_opts *o, int argc, char **argv);
int cmd_stats(struct fw_opts *o, int argc, char **argv);
int cmd_explain(struct fw_opts *o, int argc, char **argv);
int cmd_top(struct fw_opts *o, int argc, char **argv);
int cmd_config(struct fw_opts *o, int argc, char **argv);
int fw_cmd_import(struct fw_opts *o, int argc, char **argv);
int fw_cmd_export(struct fw_opts *o, int argc, char **argv);

#endif /* FW_CLI_H */
