/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * /etc/fluxwall/fluxwall.conf: "key = value" lines, '#' comments. The options
 * are listed once, in conf_options.h.
 *
 * Precedence, lowest first: built-in defaults, the file, the environment
 * (FLUXWALL_PIN_PATH, FLUXWALL_STATE_DIR), command-line flags. Callers apply
 * them in that order: fw_conf_init, fw_conf_load_file, fw_conf_apply_env,
 * then fw_conf_set for each flag.
 *
 * Error messages name the place ("FILE:LINE: ", "FLUXWALL_STATE_DIR: ") and
 * the fix, but not the program; print them as "fluxwall: %s".
 */
#ifndef FW_CONF_H
#define FW_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fluxwall_abi.h"

#define FW_CONF_PATH	 "/etc/fluxwall/fluxwall.conf"
#define FW_CONF_LIST_MAX 64

struct fw_conf_ports {
	unsigned n;
	uint16_t port[FW_CONF_LIST_MAX];
};

struct fw_conf_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t prefix; /* 32 or 128 for a single address */
};

struct fw_conf_addrs {
	unsigned n;
	struct fw_conf_addr a[FW_CONF_LIST_MAX];
};

/* C type of each option type; durations are whole seconds. */
#define FW_CONF_CTYPE_STRING   char *
#define FW_CONF_CTYPE_PATH     char *
#define FW_CONF_CTYPE_ENUM     char *
#define FW_CONF_CTYPE_UINT     uint64_t
#define FW_CONF_CTYPE_DURATION uint64_t
#define FW_CONF_CTYPE_DOUBLE   double
#define FW_CONF_CTYPE_BOOL     bool
#define FW_CONF_CTYPE_PORTS    struct fw_conf_ports
#define FW_CONF_CTYPE_ADDRS    struct fw_conf_addrs

enum fw_conf_opt {
#define FW_OPT(key, type, def, min, max, choices, help) FW_CONF_OPT_##key,
#include "formats/conf_options.h"
#undef FW_OPT
	FW_CONF_OPT_COUNT,
};

enum fw_conf_src {
	FW_CONF_SRC_DEFAULT,
	FW_CONF_SRC_FILE,
	FW_CONF_SRC_ENV,
	FW_CONF_SRC_FLAG,
};

struct fw_conf {
	/* One field per option, named like the key: conf->capacity. */
#define FW_OPT(key, type, def, min, max, choices, help) FW_CONF_CTYPE_##type key;
#include "formats/conf_options.h"
#undef FW_OPT
	char *text[FW_CONF_OPT_COUNT];	  /* each value as written, trimmed */
	uint8_t src[FW_CONF_OPT_COUNT];	  /* enum fw_conf_src */
	unsigned line[FW_CONF_OPT_COUNT]; /* file line, for FW_CONF_SRC_FILE */
	char *file;			  /* the file loaded, if any */
};

/* Every option at its default. Returns 0, or -1 when out of memory. */
int fw_conf_init(struct fw_conf *c);
void fw_conf_free(struct fw_conf *c);

/*
 * Read a config file over c. A missing file is fine unless must_exist (give
 * must_exist for --config, not for the default path). Stops at the first
 * error, leaving c partly updated: the caller should exit.
 */
int fw_conf_load_file(struct fw_conf *c, const char *path, bool must_exist, char *err,
		      size_t errlen);

/* The same from an open stream; name is used in messages ("FILE:LINE: "). */
int fw_conf_load_stream(struct fw_conf *c, FILE *f, const char *name, char *err, size_t errlen);

/* FLUXWALL_PIN_PATH and FLUXWALL_STATE_DIR, when set and not empty. */
int fw_conf_apply_env(struct fw_conf *c, char *err, size_t errlen);

/* One option from the command line, validated like the file. */
int fw_conf_set(struct fw_conf *c, const char *key, const char *value, char *err, size_t errlen);

/* The value text of key as it is now, or NULL for an unknown key. */
const char *fw_conf_get(const struct fw_conf *c, const char *key);

/* default_action as the map wants it: FW_ACT_DROP or FW_ACT_NXDOMAIN. */
enum fw_action fw_conf_default_action(const struct fw_conf *c);

/*
 * The documented config file with every default (`fluxwall config
 * --defaults`, contrib/fluxwall.conf). Parsing it gives the defaults back.
 */
void fw_conf_print_defaults(FILE *out);

/* The values in effect, each with a comment saying where it came from. */
void fw_conf_print(const struct fw_conf *c, FILE *out);

#endif /* FW_CONF_H */
