// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The command line: options parsed in one place from the table of
 * cli_options.h, the verb found, usage and --help made from the verb table.
 */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "daemon/metrics.h" /* FW_VERSION */

enum opt_kind { K_FLAG, K_STRING, K_ACTION, K_MODE, K_CAPACITY, K_SOURCE, K_HELP, K_VERSION };

struct cli_opt {
	const char *name;
	int letter;
	const char *arg; /* NULL: takes no value */
	enum opt_kind kind;
	size_t off; /* of its field in struct fw_opts */
	const char *help;
};

static const struct cli_opt opts[CLI_OPT_COUNT] = {
#define FW_CLI_OPT(id, nm, ltr, a, k, field, h)                                                    \
	[CLI_OPT_##id] = {.name = nm,                                                              \
			  .letter = ltr,                                                           \
			  .arg = a,                                                                \
			  .kind = K_##k,                                                           \
			  .off = offsetof(struct fw_opts, field),                                  \
			  .help = h},
#include "cli/cli_options.h"
#undef FW_CLI_OPT
};

/* getopt's value for an option: its letter, or past every char. */
#define LONG_ONLY 0x100

static int opt_val(int i)
{
	return opts[i].letter ? opts[i].letter : LONG_ONLY + i;
}

static int opt_index(int val)
{
	int i;

	for (i = 0; i < CLI_OPT_COUNT; i++)
		if (opt_val(i) == val)
			return i;
	return -1;
}

static int parse_mode(const char *s, enum fw_mode *mode)
{
	if (!strcmp(s, "native"))
		*mode = FW_MODE_NATIVE;
	else if (!strcmp(s, "skb"))
		*mode = FW_MODE_SKB;
	else
		return -1;
	return 0;
}

static int parse_capacity(const char *s, uint32_t *cap)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end || v < 1 || v > (1ul << 28))
		return -1;
	*cap = (uint32_t)v;
	return 0;
}

/* Store one option's value in its field; -1 with a message when it is bad. */
static int take_value(struct fw_opts *o, const struct cli_opt *d, const char *arg)
{
	void *field = (char *)o + d->off;

	switch (d->kind) {
	case K_FLAG:
	case K_HELP:
	case K_VERSION:
		*(int *)field = 1;
		return 0;
	case K_STRING:
		*(const char **)field = arg;
		return 0;
	case K_SOURCE:
		*(const char **)field = arg;
		if (*arg && !strpbrk(arg, "\t\r\n"))
			return 0;
		fw_err("--source needs a name without tabs or line breaks, not '%s'", arg);
		return -1;
	case K_ACTION:
		if (!fw_action_parse(arg, field) && *(uint8_t *)field != FW_ACT_DEFAULT)
			return 0;
		fw_err("--action must be drop or nxdomain, not '%s'", arg);
		return -1;
	case K_MODE:
		if (!parse_mode(arg, field))
			return 0;
		fw_err("--mode must be native or skb, not '%s'", arg);
		return -1;
	case K_CAPACITY:
		if (!parse_capacity(arg, field))
			return 0;
		fw_err("--capacity must be a number of names between 1 and 268435456, not '%s'",
		       arg);
		return -1;
	}
	return -1;
}

static const struct fw_verb *find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < fw_nverbs; i++)
		if (!strcmp(fw_verbs[i].name, name))
			return &fw_verbs[i];
	return NULL;
}

unsigned int fw_verb_opts(const struct fw_verb *v)
{
	unsigned int all = OPT_GLOBAL;
	int i;

	for (i = 0; i < FW_VERB_FORMS && v->forms[i].args; i++)
		all |= v->forms[i].opts | v->forms[i].need;
	return all;
}

/* "--name ARG", "[--name ARG]" or "[--name]" into buf at *pos. */
static void put_opt(char *buf, size_t len, size_t *pos, int i, int bare)
{
	const struct cli_opt *d = &opts[i];
	int n;

	if (*pos >= len)
		return;
	n = snprintf(buf + *pos, len - *pos, " %s--%s%s%s%s", bare ? "" : "[", d->name,
		     d->arg ? " " : "", d->arg ? d->arg : "", bare ? "" : "]");
	*pos += n > 0 ? (size_t)n : 0;
}

static void put_form(const struct fw_verb *v, const struct fw_verb_form *f, char *buf, size_t len,
		     size_t *pos)
{
	int i, n;

	if (*pos >= len)
		return;
	n = snprintf(buf + *pos, len - *pos, "%s%s%s", v->name, *f->args ? " " : "", f->args);
	*pos += n > 0 ? (size_t)n : 0;
	for (i = 0; i < CLI_OPT_COUNT; i++)
		if ((f->need | f->opts) & (1u << i))
			put_opt(buf, len, pos, i, !!(f->need & (1u << i)));
}

void fw_verb_usage(const struct fw_verb *v, const char *sub, const char *sep, char *buf, size_t len)
{
	size_t pos = 0, sublen = sub ? strlen(sub) : 0;
	int i, n, shown = 0;

	buf[0] = '\0';
	for (i = 0; i < FW_VERB_FORMS && v->forms[i].args; i++) {
		const char *args = v->forms[i].args;

		if (sublen && (strncmp(args, sub, sublen) || (args[sublen] && args[sublen] != ' ')))
			continue;
		if (shown++ && pos < len) {
			n = snprintf(buf + pos, len - pos, "%s", sep);
			pos += n > 0 ? (size_t)n : 0;
		}
		put_form(v, &v->forms[i], buf, len, &pos);
	}
}

int fw_usage_error(const struct fw_opts *o, const char *sub)
{
	char use[1024];

	fw_verb_usage(o->verb, sub, " | fluxwall ", use, sizeof(use));
	fw_err("usage: fluxwall %s", use);
	return 1;
}

static void help_options(FILE *out, unsigned int which)
{
	char left[64];
	int i;

	for (i = 0; i < CLI_OPT_COUNT; i++) {
		if (!(which & (1u << i)))
			continue;
		snprintf(left, sizeof(left), "%s%c%s--%s%s%s", opts[i].letter ? "-" : "",
			 opts[i].letter ? opts[i].letter : ' ', opts[i].letter ? ", " : "  ",
			 opts[i].name, opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
		fprintf(out, "  %-28s %s\n", opts[i].letter ? left : left + 1, opts[i].help);
	}
}

void fw_cli_help(FILE *out, const struct fw_verb *v)
{
	char use[1024];
	size_t i;

	if (v) {
		fw_verb_usage(v, NULL, "\n       fluxwall ", use, sizeof(use));
		fprintf(out, "usage: fluxwall %s\n\n%s.\n\noptions:\n", use, v->summary);
		help_options(out, fw_verb_opts(v));
		fprintf(out, "\nSee fluxwall(8).\n");
		return;
	}
	fprintf(out, "usage: fluxwall [--pin-path DIR] [--state-dir DIR] [--config FILE] VERB ...\n"
		     "\nverbs:\n");
	for (i = 0; i < fw_nverbs; i++) {
		fw_verb_usage(&fw_verbs[i], NULL, " | ", use, sizeof(use));
		fprintf(out, "  fluxwall %s\n", use);
	}
	fprintf(out, "\noptions of every verb:\n");
	help_options(out, OPT_GLOBAL);
	fprintf(out, "\n'fluxwall VERB --help' shows a verb's options. See fluxwall(8).\n");
}

/* getopt's tables, made from opts[] once. */
static const struct option *long_options(const char **shortopts)
{
	static struct option lo[CLI_OPT_COUNT + 1];
	static char so[2 * CLI_OPT_COUNT + 2] = ":"; /* ':': tell a missing value apart */
	size_t n = 1;
	int i;

	*shortopts = so;
	if (lo[0].name)
		return lo;
	for (i = 0; i < CLI_OPT_COUNT; i++) {
		lo[i] = (struct option){opts[i].name, opts[i].arg ? required_argument : no_argument,
					NULL, opt_val(i)};
		if (!opts[i].letter)
			continue;
		so[n++] = (char)opts[i].letter;
		if (opts[i].arg)
			so[n++] = ':';
	}
	return lo;
}

/* What getopt refused, kept until the verb is known. */
struct bad_opt {
	char kind;	  /* '?': unknown or takes no value, ':' needs a value; 0: none */
	int index;	  /* into opts[], or -1 */
	int letter;	  /* a short option's letter, or 0 */
	const char *text; /* the long option as typed */
};

/* The option as typed: "--name" without "=value", or "-x". */
static void typed(const struct bad_opt *b, char *buf, size_t len)
{
	size_t n = strcspn(b->text, "=");

	if (b->letter)
		snprintf(buf, len, "-%c", b->letter);
	else
		snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), b->text);
}

/* Every option whose name starts with the typed "--pre", into buf; how many. */
static int candidates(const char *typed, char *buf, size_t len)
{
	size_t pos = 0;
	int i, n = 0, w;

	buf[0] = '\0';
	if (strncmp(typed, "--", 2))
		return 0;
	for (i = 0; i < CLI_OPT_COUNT; i++) {
		if (strncmp(opts[i].name, typed + 2, strlen(typed + 2)) || pos >= len)
			continue;
		w = snprintf(buf + pos, len - pos, "%s--%s", n++ ? ", " : "", opts[i].name);
		pos += w > 0 ? (size_t)w : 0;
	}
	return n;
}

static void report(const struct bad_opt *b, const struct fw_verb *v)
{
	char who[64], hint[96], opt[64], alt[256];
	const struct cli_opt *d = b->index >= 0 ? &opts[b->index] : NULL;

	if (v) {
		snprintf(who, sizeof(who), "'%s': ", v->name);
		snprintf(hint, sizeof(hint), "'fluxwall %s --help' lists its options", v->name);
	} else {
		who[0] = '\0';
		snprintf(hint, sizeof(hint), "'fluxwall --help' lists the options");
	}
	typed(b, opt, sizeof(opt));
	if (b->kind == ':')
		fw_err("%soption --%s needs a value, as in --%s %s; %s", who, d->name, d->name,
		       d->arg, hint);
	else if (d)
		fw_err("%soption --%s takes no value, not '%s'; %s", who, d->name,
		       b->text + strcspn(b->text, "=") + (b->text[strcspn(b->text, "=")] != 0),
		       hint);
	else if (candidates(opt, alt, sizeof(alt)) > 1)
		fw_err("%soption '%s' is ambiguous: %s; %s", who, opt, alt, hint);
	else
		fw_err("%sunknown option '%s'; %s", who, opt, hint);
}

/* getopt's answer c, taken or kept in *bad; -1 when a value is wrong. */
static int take(struct fw_opts *o, int c, char **argv, struct bad_opt *bad)
{
	int i = opt_index(c == '?' || c == ':' ? optopt : c);

	if (c != '?' && c != ':') {
		o->given |= 1u << i;
		return take_value(o, &opts[i], optarg);
	}
	if (!bad->kind) {
		bad->kind = (char)c;
		bad->index = optopt ? i : -1;
		bad->text = argv[optind - 1];
		/* "-x" (optopt 'x'), not "--x...": the letter, as getopt may be mid-cluster */
		bad->letter =
		    optopt && optopt < LONG_ONLY && strncmp(bad->text, "--", 2) ? optopt : 0;
	}
	return 0;
}

/* The first option that does not apply to v, or -1. */
static int foreign_option(const struct fw_opts *o, const struct fw_verb *v)
{
	unsigned int extra = o->given & ~fw_verb_opts(v);
	int i;

	for (i = 0; i < CLI_OPT_COUNT; i++)
		if (extra & (1u << i))
			return i;
	return -1;
}

int fw_cli_parse(struct fw_opts *o, int argc, char **argv, int *first)
{
	struct bad_opt bad = {0};
	const char *shortopts;
	const struct option *lo = long_options(&shortopts);
	char use[1024];
	int c, i;

	optind = 0; /* glibc: start over, with a new argv */
	opterr = 0;
	/* No '+': options may come anywhere, as with git. */
	while ((c = getopt_long(argc, argv, shortopts, lo, NULL)) != -1)
		if (take(o, c, argv, &bad))
			return -1;
	o->verb = optind < argc ? find_verb(argv[optind]) : NULL;
	*first = optind + 1;
	if (bad.kind) {
		report(&bad, o->verb);
		return -1;
	}
	if (o->version && !o->help) {
		printf("fluxwall %s\n", FW_VERSION);
		return 1;
	}
	if (o->help) {
		fw_cli_help(stdout, o->verb);
		return 1;
	}
	if (optind >= argc) {
		fw_cli_help(stderr, NULL);
		return -1;
	}
	if (!o->verb) {
		fw_err("unknown verb '%s'; 'fluxwall --help' lists them", argv[optind]);
		return -1;
	}
	i = foreign_option(o, o->verb);
	if (i >= 0) {
		fw_verb_usage(o->verb, NULL, " | ", use, sizeof(use));
		fw_err("--%s does not apply to '%s'; usage: fluxwall %s", opts[i].name,
		       o->verb->name, use);
		return -1;
	}
	return 0;
}

void fw_opts_where(const struct fw_opts *o, struct fw_lists_where *w)
{
	snprintf(w->pin_path, sizeof(w->pin_path), "%s", o->pin_path);
	snprintf(w->state_dir, sizeof(w->state_dir), "%s", o->state_dir);
	w->capacity = o->capacity;
}

int fw_cli_lists_open(struct fw_ctx *ctx, const struct fw_opts *o, int create)
{
	struct fw_lists_where w;

	fw_opts_where(o, &w);
	return fw_ctx_open(ctx, &w, create);
}

int fw_cli_lists_open_light(struct fw_ctx *ctx, const struct fw_opts *o, int create)
{
	struct fw_lists_where w;

	fw_opts_where(o, &w);
	return fw_ctx_open_light(ctx, &w, create);
}

uint8_t fw_opts_default_action(const struct fw_opts *o)
{
	if (o->action == FW_ACT_DEFAULT && o->conf &&
	    o->conf->src[FW_CONF_OPT_default_action] != FW_CONF_SRC_DEFAULT)
		return (uint8_t)fw_conf_default_action(o->conf);
	return o->action;
}

int fw_run_verb(struct fw_opts *o, int argc, char **argv)
{
	const struct fw_verb *v = o->verb;
	int i;

	for (i = 0; argc && i < FW_VERB_FORMS; i++) {
		const struct fw_verb_form *f = &v->forms[i];
		size_t n;

		if (!f->run || !f->args)
			continue;
		n = strcspn(f->args, " ");
		if (strlen(argv[0]) == n && !strncmp(argv[0], f->args, n))
			return f->run(o, argc - 1, argv + 1);
	}
	return v->run(o, argc, argv);
}
