// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fluxwall: one command, a table of verbs, options parsed in one place.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "metrics.h"


struct verb {
	const char *name;
	int (*run)(struct fw_opts *o, int argc, char **argv);
	unsigned int opts; /* enum fw_opt_bit accepted */
	const char *usage;
};

static const struct verb verbs[] = {
	{ "attach", cmd_attach, OPT_MODE | OPT_ACTION | OPT_CAPACITY,
	  "attach IFACE [--mode native|skb] [--action drop|nxdomain] [--capacity N]" },
	{ "detach", cmd_detach, OPT_PURGE, "detach IFACE [--purge] | detach --purge" },
	{ "status", cmd_status, OPT_JSON, "status [--json]" },
	{ "block", cmd_block,
	  OPT_EXACT | OPT_ACTION | OPT_JSON | OPT_SOURCE | OPT_CAPACITY | OPT_FORMAT |
		  OPT_SKIP_INVALID,
	  "block add NAME... [--exact] [--action drop|nxdomain] | block del NAME... | "
	  "block del --source NAME | block list [--json] | block import FILE|- [--format "
	  "auto|plain|hosts|rpz|adblock] [--source NAME] [--exact] [--skip-invalid] | "
	  "block export [--format plain|rpz]" },
	{ "allow", cmd_allow, OPT_EXACT | OPT_JSON | OPT_SOURCE | OPT_CAPACITY,
	  "allow add NAME... [--exact] | allow del NAME... | allow list [--json]" },
	{ "ports", cmd_ports, OPT_JSON, "ports list | ports add|del PORT..." },
	{ "run", cmd_run, OPT_IFACE | OPT_MODE | OPT_ACTION | OPT_CAPACITY,
	  "run [--iface IFACE] [--config FILE]" },
	{ "replay", cmd_replay, OPT_JSON | OPT_SCORE | OPT_TRACE,
	  "replay FILE.pcap [--json] [--score fluxwall|holz] [--trace NAME]" },
	{ "explain", cmd_explain, OPT_JSON, "explain NAME [--json]" },
	{ "stats", cmd_stats, OPT_JSON | OPT_PROM, "stats [--prom|--json]" },
	{ "top", cmd_top, 0, "top" },
	{ "config", cmd_config, OPT_DEFAULTS, "config [--defaults]" },
};

static const struct option long_opts[] = {
	{ "pin-path", required_argument, NULL, 'p' },
	{ "state-dir", required_argument, NULL, 'S' },
	{ "config", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, 'j' },
	{ "exact", no_argument, NULL, 'e' },
	{ "action", required_argument, NULL, 'a' },
	{ "mode", required_argument, NULL, 'm' },
	{ "capacity", required_argument, NULL, 'C' },
	{ "purge", no_argument, NULL, 'P' },
	{ "source", required_argument, NULL, 's' },
	{ "format", required_argument, NULL, 'f' },
	{ "skip-invalid", no_argument, NULL, 'k' },
	{ "iface", required_argument, NULL, 'i' },
	{ "score", required_argument, NULL, 'r' },
	{ "trace", required_argument, NULL, 't' },
	{ "prom", no_argument, NULL, 'M' },
	{ "defaults", no_argument, NULL, 'D' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{}
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: fluxwall [--pin-path DIR] [--state-dir DIR] VERB ...\n\nverbs:\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "  fluxwall %s\n", verbs[i].usage);
	fprintf(out, "\nSee fluxwall(8).\n");
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

/* One option; -1 with a message when its value is bad. */
static int take_option(struct fw_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'p': o->pin_path = arg; return 0;
	case 'S': o->state_dir = arg; return 0;
	case 'c': o->config = arg; return 0;
	case 'j': o->json = 1; o->given |= OPT_JSON; return 0;
	case 'e': o->exact = 1; o->given |= OPT_EXACT; return 0;
	case 'P': o->purge = 1; o->given |= OPT_PURGE; return 0;
	case 's':
		o->source = arg;
		o->given |= OPT_SOURCE;
		if (*arg && !strpbrk(arg, "\t\r\n"))
			return 0;
		fw_err("--source needs a name without tabs or line breaks, not '%s'", arg);
		return -1;
	case 'f': o->format = arg; o->given |= OPT_FORMAT; return 0;
	case 'k': o->skip_invalid = 1; o->given |= OPT_SKIP_INVALID; return 0;
	case 'i': o->iface = arg; o->given |= OPT_IFACE; return 0;
	case 'r': o->score = arg; o->given |= OPT_SCORE; return 0;
	case 't': o->trace = arg; o->given |= OPT_TRACE; return 0;
	case 'M': o->prom = 1; o->given |= OPT_PROM; return 0;
	case 'D': o->defaults = 1; o->given |= OPT_DEFAULTS; return 0;
	case 'a':
		o->given |= OPT_ACTION;
		if (!fw_action_parse(arg, &o->action) && o->action != FW_ACT_DEFAULT)
			return 0;
		fw_err("--action must be drop or nxdomain, not '%s'", arg);
		return -1;
	case 'm':
		o->given |= OPT_MODE;
		if (!parse_mode(arg, &o->mode))
			return 0;
		fw_err("--mode must be native or skb, not '%s'", arg);
		return -1;
	case 'C':
		o->given |= OPT_CAPACITY;
		if (!parse_capacity(arg, &o->capacity))
			return 0;
		fw_err("--capacity must be a number of names between 1 and 268435456, not '%s'",
		       arg);
		return -1;
	}
	return -1;
}

static const char *option_name(unsigned int bit)
{
	static const char *const names[] = { "--json",	 "--exact",	   "--action", "--mode",
					     "--capacity", "--purge",	   "--source", "--format",
					     "--skip-invalid", "--iface", "--score", "--prom",
					     "--defaults", "--trace" };
	int i;

	for (i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (bit == 1u << i)
			return names[i];
	return "?";
}

/*
 * Settings come from the defaults, then the config file, then the
 * environment (FLUXWALL_PIN_PATH, FLUXWALL_STATE_DIR), then the flags.
 */
static int load_settings(struct fw_opts *o, struct fw_conf *conf)
{
	const char *path = o->config ? o->config : FW_CONF_PATH;
	char err[1024];

	if (fw_conf_init(conf) || fw_conf_load_file(conf, path, o->config != NULL, err, sizeof(err)) ||
	    fw_conf_apply_env(conf, err, sizeof(err))) {
		fw_err("%s", err);
		return -1;
	}
	o->conf = conf;
	if (!o->pin_path)
		o->pin_path = conf->pin_path;
	if (!o->state_dir)
		o->state_dir = conf->state_dir;
	if (!(o->given & OPT_CAPACITY))
		o->capacity = (uint32_t)conf->capacity;
	if (!(o->given & OPT_MODE))
		o->mode = !strcmp(conf->mode, "native") ? FW_MODE_NATIVE :
			  !strcmp(conf->mode, "skb")	  ? FW_MODE_SKB :
							    FW_MODE_AUTO;
	return 0;
}

/* libbpf and libxdp are chatty about expected fallbacks; FLUXWALL_DEBUG shows them. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (!getenv("FLUXWALL_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, args);
}

static const struct verb *find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct verb *v;
	struct fw_opts o = {};
	struct fw_conf conf;
	unsigned int extra, bit;
	int c, ret;

	libbpf_set_print(libbpf_log);
	/* '+' would stop at the verb; options may come anywhere, as with git. */
	while ((c = getopt_long(argc, argv, "hV", long_opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == 'V') {
			printf("fluxwall %s\n", FW_VERSION);
			return 0;
		}
		if (c == '?' || take_option(&o, c, optarg)) {
			fprintf(stderr, "Try 'fluxwall --help'.\n");
			return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	v = find_verb(argv[optind]);
	if (!v) {
		fw_err("unknown verb '%s'; 'fluxwall --help' lists them", argv[optind]);
		return 1;
	}
	extra = o.given & ~v->opts;
	if (extra) {
		for (bit = 1; !(extra & bit); bit <<= 1)
			;
		fw_err("%s does not apply to '%s'; usage: fluxwall %s", option_name(bit), v->name,
		       v->usage);
		return 1;
	}
	if (load_settings(&o, &conf))
		return 1;
	ret = v->run(&o, argc - optind - 1, argv + optind + 1);
	fw_conf_free(&conf);
	return ret;
}
