/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Publishing to the fleet's RPZ zone by RFC 2136 updates, TSIG-signed.
 *
 * Several nodes may publish the same name. Each keeps one TXT record at
 * NAME._fluxwall.ZONE; the CNAMEs go when the last node's record goes.
 * Every update carries, as its prerequisite, the TXT set this node just
 * read, so the primary applies it only if no other node changed that set in
 * between (compare and swap): a node's withdrawal never removes a name
 * another node still blocks, and two withdrawals never leave the CNAMEs
 * behind.
 */
#ifndef FW_RPZ_PUBLISH_H
#define FW_RPZ_PUBLISH_H

#include <stddef.h>

#include "fleet/dns_conn.h"
#include "fleet/publish_queue.h"

#define FW_PUBLISH_TTL 60

struct fw_publish_target {
	char zone[256]; /* canonical, no trailing dot */
	struct fw_dns_peer primary;
	const struct fw_tsig_key *key;
	char node[FW_RPZ_NODE_MAX];
};

enum fw_publish_result {
	FW_PUBLISH_OK = 0,
	FW_PUBLISH_CONFLICT = 1, /* another node changed a name meanwhile: read again */
	FW_PUBLISH_TOO_BIG = 2,	 /* over a DNS message's 64 KiB: send fewer names */
	FW_PUBLISH_ERROR = -1,	 /* primary unreachable or refused: err says */
};

/*
 * Send ops (no name twice) as one update over c, after reading each name's
 * TXT set. On FW_PUBLISH_OK the primary has applied them all.
 */
enum fw_publish_result fw_publish_batch(struct fw_dns_conn *c, const struct fw_publish_target *t,
					const struct fw_pub_op *ops, size_t n, char *err,
					size_t errlen);

/* The owner of a name's TXT records; -1 when it would pass 255 bytes. */
int fw_publish_meta_owner(const char *name, const char *zone, char *out, size_t len);

/* A TXT record's strings (up to max, each NUL-terminated in buf); how many. */
size_t fw_txt_strings(const ldns_rr *rr, char buf[][256], char **ptr, size_t max);

#endif /* FW_RPZ_PUBLISH_H */
