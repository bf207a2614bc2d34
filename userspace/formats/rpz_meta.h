/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a fleet node says beside each name it publishes to an RPZ zone: one
 * TXT record per node at NAME._fluxwall.ZONE,
 *
 *   "node=gw-1" "match=subtree" "score=0.930" "expires=1764460800" "reason=..."
 *
 * and how a subscriber keeps every node's word for a name in the reason of
 * the entry it makes ("node expires score reason; ..."), so that an IXFR
 * touching one node's record updates the entry without the rest of the zone.
 */
#ifndef FW_RPZ_META_H
#define FW_RPZ_META_H

#include <stddef.h>
#include <stdint.h>

#define FW_RPZ_NODE_MAX	   64
#define FW_RPZ_REASON_MAX  160
#define FW_RPZ_META_MAX	   16 /* nodes kept per name */
#define FW_RPZ_TXT_STRINGS 5

struct fw_rpz_meta {
	char node[FW_RPZ_NODE_MAX];
	char reason[FW_RPZ_REASON_MAX];
	double score;
	int64_t expires; /* unix seconds, 0 = never */
	uint8_t match;	 /* enum fw_match */
};

/* 0 when node is 1-63 of [A-Za-z0-9._-]; -1 with why. */
int fw_rpz_node_check(const char *node, char *why, size_t whylen);

/* The TXT strings of m (each under 256 bytes); reason loses ';' and quotes. */
void fw_rpz_meta_txt(const struct fw_rpz_meta *m, char out[FW_RPZ_TXT_STRINGS][256]);

/* Read a TXT record's strings back; -1 with why when it is not one of ours. */
int fw_rpz_meta_parse(char *const *strings, size_t n, struct fw_rpz_meta *m, char *why,
		      size_t whylen);

/* Every node's word as one entry reason, and back (at most max; count returned). */
void fw_rpz_metas_encode(const struct fw_rpz_meta *m, size_t n, char *out, size_t outlen);
size_t fw_rpz_metas_decode(const char *reason, struct fw_rpz_meta *m, size_t max);

/* Replace (or add) the word of m->node; remove the word of node. 0, or -1 when full. */
int fw_rpz_metas_put(struct fw_rpz_meta *set, size_t *n, const struct fw_rpz_meta *m);
void fw_rpz_metas_del(struct fw_rpz_meta *set, size_t *n, const char *node);

#endif /* FW_RPZ_META_H */
