/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's side of the lists: auto entries queued by the scorer and
 * committed in batches under the lists' lock, and a snapshot of the
 * allowlist for the never-block rule.
 */
#ifndef FW_DAEMON_LISTS_H
#define FW_DAEMON_LISTS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/autoblock_policy.h"
#include "formats/textfile.h"
#include "lists/txn.h"

enum fw_change_kind {
	FW_CHANGE_ADD,
	FW_CHANGE_REFRESH,
	FW_CHANGE_REMOVE,
};

struct fw_daemon_change {
	char name[256];
	char reason[256];
	double score;
	uint64_t expires_ns;
	enum fw_change_kind kind;
};

struct fw_daemon_lists {
	struct fw_lists_where where;
	struct fw_daemon_change *q;
	size_t n, cap;
	char **allow;	  /* allowlisted names */
	uint8_t *allow_exact;
	size_t nallow, allow_cap;
	/* what the snapshot has seen: the base's generation, the newest record's */
	uint64_t seen_base, seen_gen;
	uint64_t list_size[FW_LIST_KIND_MAX];
	/* Told every change to the lists, the daemon's and others' (the fleet publishes them). */
	void (*changed)(const struct fw_change *c, void *ctx);
	void *changed_ctx;
};

/*
 * Snapshot st, re-learn its live auto entries and queue removal of expired
 * ones. where is where commits go; NULL for a snapshot never committed.
 */
int fw_daemon_lists_init(struct fw_daemon_lists *l, const struct fw_lists_where *where,
			 struct fw_autoblock *ab,
			 const struct fw_state *st);
void fw_daemon_lists_free(struct fw_daemon_lists *l);

/* The files the snapshot was taken from; later commits read only what is newer. */
void fw_daemon_lists_seen(struct fw_daemon_lists *l, const struct fw_store *s);

void fw_daemon_lists_queue(struct fw_daemon_lists *l, const char *name, double score,
			   const char *reason, uint64_t expires_ns, int refresh);
void fw_daemon_lists_unqueue(struct fw_daemon_lists *l, const char *name);

/*
 * Apply the queue to the lists and maps in one commit, through the journal:
 * its cost follows the queue, not the lists. Keeps the queue on failure.
 */
int fw_daemon_lists_commit(struct fw_daemon_lists *l);

/*
 * Read the changes others made since the last look (for l->changed), when
 * there is nothing to commit. A compaction by someone else in between hides
 * theirs: the snapshot is taken whole again.
 */
int fw_daemon_lists_poll(struct fw_daemon_lists *l);

/* fw_allowed_fn for the autoblock policy. */
bool fw_daemon_lists_allowed(const char *name, void *ctx);

void fw_daemon_lists_metrics(const struct fw_daemon_lists *l, struct fw_metrics *m);

#endif /* FW_DAEMON_LISTS_H */
