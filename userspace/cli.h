/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What every command gets: parsed options, and the lists with their maps. */
#ifndef FW_CLI_H
#define FW_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "pinned_maps.h"
#include "state.h"
#include "state_journal.h"
#include "xdp_attach.h"

/* CLI_OPT_JSON...: each option's index in the table of cli_options.h. */
enum fw_cli_opt {
#define FW_CLI_OPT(id, name, letter, arg, kind, field, help) CLI_OPT_##id,
#include "cli_options.h"
#undef FW_CLI_OPT
	CLI_OPT_COUNT,
};

/* OPT_JSON...: the option's bit in fw_opts.given and in a verb's forms. */
enum fw_opt_bit {
#define FW_CLI_OPT(id, name, letter, arg, kind, field, help) OPT_##id = 1u << CLI_OPT_##id,
#include "cli_options.h"
#undef FW_CLI_OPT
};

/* Accepted by every verb. */
#define OPT_GLOBAL (OPT_CONFIG | OPT_PIN_PATH | OPT_STATE_DIR | OPT_HELP | OPT_VERSION)

struct fw_opts;

#define FW_VERB_FORMS 6

/* One way to call a verb, one alternative of its usage. */
struct fw_verb_form {
	const char *args;  /* words after the verb, as in usage: "add NAME..." */
	unsigned int opts; /* options shown in brackets */
	unsigned int need; /* options it cannot do without, shown bare */
};

/*
 * A verb takes the options of all its forms (and OPT_GLOBAL); its usage
 * and --help are made from the forms, so they cannot miss one.
 */
struct fw_verb {
	const char *name;
	int (*run)(struct fw_opts *o, int argc, char **argv);
	const char *summary;
	struct fw_verb_form forms[FW_VERB_FORMS];
};

extern const struct fw_verb fw_verbs[];
extern const size_t fw_nverbs;

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
	int json, exact, purge, skip_invalid, prom, defaults, help, version;
	unsigned int given;	    /* enum fw_opt_bit of the options on the command line */
	const struct fw_verb *verb; /* the verb being run, for its usage */
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

/*
 * Parse the options, wherever they are, and find the verb (the first word
 * that is not an option). 0: run o->verb with argv[*first..argc). 1: done,
 * exit 0 (--help, --version). -1: exit 1, the message names the option and
 * the verb. Reads the table of cli_options.h; callable more than once.
 */
int fw_cli_parse(struct fw_opts *o, int argc, char **argv, int *first);

/* Options a verb takes: those of its forms and the global ones. */
unsigned int fw_verb_opts(const struct fw_verb *v);

/*
 * The verb's usage: each form whose words start with sub (all for NULL or
 * ""), as "VERB ARGS [--opt ARG]...", joined by sep ("\n" for --help).
 */
void fw_verb_usage(const struct fw_verb *v, const char *sub, const char *sep, char *buf,
		   size_t len);

/* "usage: fluxwall ..." for o->verb (see fw_verb_usage); returns 1, the exit status. */
int fw_usage_error(const struct fw_opts *o, const char *sub);

/* Print --help: all the verbs, or v's forms and options, when v is set. */
void fw_cli_help(FILE *out, const struct fw_verb *v);

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
