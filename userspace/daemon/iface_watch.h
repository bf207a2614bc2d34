/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon keeps an eye on the interfaces fluxwall is attached to (its
 * own and any another `fluxwall attach` added): one deleted or detached
 * while it runs is reported, with the interfaces still served, and one
 * added is noted. The samples of every attached interface share one ring,
 * so the others are served on as before.
 */
#ifndef FW_IFACE_WATCH_H
#define FW_IFACE_WATCH_H

#include <stdint.h>

#include "dataplane/xdp_attach.h"

#define FW_IFACE_WATCH_MAX	64
#define FW_IFACE_WATCH_EVERY_NS 2000000000ull

struct fw_iface_watch {
	uint32_t rules_map_id;
	int n;
	struct fw_attachment att[FW_IFACE_WATCH_MAX];
	uint64_t next_ns;
};

/* Called with one line per change, e.g. "interface eth1 ... is gone; ...". */
typedef void (*fw_iface_report_fn)(const char *msg, int lost, void *ctx);

/* Learn the attachments of the program using rules_map_id; report them. */
void fw_iface_watch_init(struct fw_iface_watch *w, uint32_t rules_map_id, fw_iface_report_fn fn,
			 void *ctx);

/* At most every FW_IFACE_WATCH_EVERY_NS: report interfaces gone, detached or new. */
void fw_iface_watch_check(struct fw_iface_watch *w, uint64_t now_ns, fw_iface_report_fn fn,
			  void *ctx);

#endif /* FW_IFACE_WATCH_H */
