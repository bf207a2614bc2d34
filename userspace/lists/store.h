/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The lists on disk: a base file (state.tsv, sorted by name) and a journal
 * of the changes made since (state.journal), each appended and fsynced
 * before it is acknowledged. A change to one name reads that name's lines of
 * the base by binary search and appends one record, so its cost does not
 * grow with the lists; the journal is folded into a new base (compaction)
 * when it passes a fraction of the base.
 */
#ifndef FW_STATE_JOURNAL_H
#define FW_STATE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "formats/state_file.h"

#define FW_JOURNAL_FILE "state.journal"

/* One entry put into the lists (del 0) or taken out of them (del 1). */
struct fw_change {
	uint8_t del;
	struct fw_entry e; /* owns its strings; a del carries the entry removed */
};

struct fw_journal_rec {
	uint64_t gen;
	struct fw_change c;
};

struct fw_store {
	char base_path[4096];
	char jpath[4200];
	const char *map; /* the base, mmapped; NULL when missing or empty */
	size_t maplen;
	size_t body, body_end;	   /* byte range of the base's rule lines */
	struct fw_state_opts opts; /* the base's header lines */
	int has_journal;
	int trusted;		    /* base unchanged since it was last validated */
	struct fw_journal_rec *rec; /* changes newer than the base, oldest first */
	size_t nrec, cap;
	size_t jlen;	     /* bytes of the journal that hold whole records */
	uint64_t generation; /* of the newest record, else of the base */
	/* Records by name, built once a store is asked for many names. */
	uint32_t *jhead, *jnext; /* chains of record indices, in record order */
	size_t jmask, jidx_n;	 /* jidx_n: records the index covers */
	unsigned jlookups;
};

/*
 * Map the base's header and read the journal. writable (the caller holds the
 * state lock exclusively): a torn last record, from a writer killed while
 * appending it and so never acknowledged, is cut off. A damaged record
 * before the end, or a journal written for another base, is an error.
 */
int fw_store_open(struct fw_store *s, const char *dir, int writable, char *err, size_t errlen);
void fw_store_close(struct fw_store *s);

/* The whole lists: every line of the base, validated, with the journal applied. */
int fw_store_full(struct fw_store *s, struct fw_state *out, char *err, size_t errlen);

/*
 * Record that the base as it is now was validated by fw_store_full, so the
 * next open may search it without reading it all. Needs the lock.
 */
int fw_store_trust(struct fw_store *s, char *err, size_t errlen);

/*
 * Every entry named `name` (base lines and journal), appended to out, plus
 * the effect of the n pending changes. Needs s->trusted.
 */
int fw_store_entries(const struct fw_store *s, const char *name, const struct fw_change *pending,
		     size_t n, struct fw_state *out);

/* Entries by list and origin, from the base's counts and the journal. */
void fw_store_counts(const struct fw_store *s, uint64_t counts[2][3]);

/* Append n changes as one record of generation gen and fsync it. Needs the lock. */
int fw_store_append(struct fw_store *s, const struct fw_change *c, size_t n, uint64_t gen,
		    char *err, size_t errlen);

/* 1 when the journal has grown past FW_JOURNAL_FRACTION of the base (or its floor). */
int fw_store_wants_compaction(const struct fw_store *s, int factor);

/*
 * Make full (its generation set by the caller) the new base: sorted, written
 * atomically with the old one kept as .bak, then an empty journal trusting
 * it. A kill between the two leaves a journal whose records the new base
 * already holds; the next open skips them. Needs the lock.
 */
int fw_store_compact(struct fw_store *s, struct fw_state *full, char *err, size_t errlen);

/* Apply one change to a whole state; -1 when out of memory. */
int fw_change_apply(struct fw_state *st, const struct fw_change *c);

void fw_change_free(struct fw_change *c);

#endif /* FW_STATE_JOURNAL_H */
