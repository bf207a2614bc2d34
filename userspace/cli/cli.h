/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What every command gets: parsed options, and the lists with their maps. */
#ifndef FW_CLI_H
#define FW_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "formats/conf.h"
#include "dataplane/pinned_maps.h"
#include "formats/messages.h"
#include "formats/state_file.h"
#include "lists/txn.h"
#include "lists/store.h"
#include "dataplane/xdp_attach.h"

/* CLI_OPT_JSON...: each option's index in the table of cli_options.h. */
enum fw_cli_opt {
#define FW_CLI_OPT(id, name, letter, arg, kind, field, help) CLI_OPT_##id,
#include "cli/cli_options.h"
#undef FW_CLI_OPT
	CLI_OPT_COUNT,
};

/* OPT_JSON...: the option's bit in fw_opts.given and in a verb's forms. */
enum fw_opt_bit {
#define FW_CLI_OPT(id, name, letter, arg, kind, field, help) OPT_##id = 1u << CLI_OPT_##id,
#include "cli/cli_options.h"
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
	/* A form whose first word is a subcommand run by its own file's handler. */
	int (*run)(struct fw_opts *o, int argc, char **argv);
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

/*
 * Run o->verb on its words: the handler of the form whose first word argv[0]
 * is, when that form has one (given the words after it), else the verb's.
 */
int fw_run_verb(struct fw_opts *o, int argc, char **argv);

/* Print --help: all the verbs, or v's forms and options, when v is set. */
void fw_cli_help(FILE *out, const struct fw_verb *v);

/* Where o says the lists and maps are. */
void fw_opts_where(const struct fw_opts *o, struct fw_lists_where *w);

/* fw_ctx_open and fw_ctx_open_light where o says the lists and maps are. */
int fw_cli_lists_open(struct fw_ctx *ctx, const struct fw_opts *o, int create);
int fw_cli_lists_open_light(struct fw_ctx *ctx, const struct fw_opts *o, int create);

/* --action, else default_action from the config file, else FW_ACT_DEFAULT. */
uint8_t fw_opts_default_action(const struct fw_opts *o);


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
