/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One name of a subscribed RPZ zone: its triggers (NAME exact, *.NAME
 * subtree) and the publishing nodes' words, and the list entries they make
 * (source = the zone). The entries carry everything needed to rebuild this
 * view, so an IXFR touching a name reads that name's entries only.
 */
#ifndef FW_RPZ_NAME_H
#define FW_RPZ_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/rpz_meta.h"
#include "formats/state_file.h"

enum fw_rpz_fact_kind {
	FW_RPZ_TRIGGER,
	FW_RPZ_META,
};

/* One record of a transfer, as fluxwall reads it. */
struct fw_rpz_fact {
	uint8_t del;
	uint8_t kind;  /* enum fw_rpz_fact_kind */
	uint8_t match; /* trigger: enum fw_match */
	uint8_t action;
	bool allow;
	char name[256];
	struct fw_rpz_meta meta; /* FW_RPZ_META */
};

struct fw_rpz_trigger {
	bool on, allow;
	uint8_t action;
};

struct fw_rpz_name {
	char name[256];
	struct fw_rpz_trigger trig[2]; /* by enum fw_match */
	struct fw_rpz_meta meta[FW_RPZ_META_MAX];
	size_t nmeta;
};

#define FW_RPZ_REASON_TEXT 1400

/* The view the zone's entries among cur (every entry of one name) give. */
void fw_rpz_name_from(struct fw_rpz_name *n, const char *name, const char *zone,
		      const struct fw_state *cur);

/* One record added or deleted. */
void fw_rpz_name_apply(struct fw_rpz_name *n, const struct fw_rpz_fact *f);

/*
 * The entries the view makes at time now: none when the nodes' words have
 * all expired. reasons back the entries' reason strings.
 */
size_t fw_rpz_name_entries(const struct fw_rpz_name *n, const char *zone, int64_t now,
			   struct fw_entry out[2], char reasons[2][FW_RPZ_REASON_TEXT]);

/* The latest expiry of the nodes' words: 0 when none, or one never expires. */
int64_t fw_rpz_name_expires(const struct fw_rpz_name *n);

#endif /* FW_RPZ_NAME_H */
