/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The highest-scoring registered domains, for `fluxwall top` and the
 * top-N gauge, without scoring the whole table each time: scoring 200,000
 * tracked keys took the daemon about a second, every textfile interval and
 * every `top`, while the samples of a flood piled up in the ring buffer.
 *
 * The detector gives a score with every response that brought something
 * new; the daemon offers it here, and the few candidates kept (4 x
 * FW_TOP_N) are scored again when the list is read. A domain's score only
 * rises with such a response, which offers it again; as its window slides
 * it falls, which the next read sees.
 */
#ifndef FW_TOP_SCORES_H
#define FW_TOP_SCORES_H

#include "formats/textfile.h"

#define FW_TOP_CANDIDATES (4 * FW_TOP_N)

struct fw_top_scores {
	struct fw_top_entry c[FW_TOP_CANDIDATES];
	unsigned n;
	double low; /* the lowest candidate's score, when all slots are taken */
};

/* Offer a domain's latest score: it replaces the lowest candidate if higher. */
void fw_top_offer(struct fw_top_scores *t, const char *name, double score);

/*
 * Score every candidate again with rescore (which returns -1 for a domain
 * no longer tracked, dropped then), and write the best n into out, highest
 * first. Returns how many were written.
 */
unsigned fw_top_read(struct fw_top_scores *t, double (*rescore)(const char *name, void *ctx),
		     void *ctx, struct fw_top_entry *out, unsigned n);

#endif /* FW_TOP_SCORES_H */
