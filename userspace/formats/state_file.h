/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The durable list of rules: every block and allow entry with its source,
 * action, score, reason and expiry. The pinned maps are derived from it.
 */
#ifndef FW_STATE_H
#define FW_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "formats/abi_names.h" /* fw_action_str and the other words of the contract */

enum fw_list {
	FW_LIST_BLOCK = 0,
	FW_LIST_ALLOW = 1,
};

enum fw_match {
	FW_MATCH_SUBTREE = 0,
	FW_MATCH_EXACT = 1,
};

struct fw_entry {
	char *name;	 /* canonical text */
	char *source;	 /* "manual", "auto" or a feed name */
	char *reason;	 /* free text, no tabs or newlines */
	int64_t added;	 /* unix seconds */
	int64_t expires; /* unix seconds, 0 = never */
	double score;
	uint8_t list;	/* enum fw_list */
	uint8_t match;	/* enum fw_match */
	uint8_t action; /* enum fw_action */
	uint8_t origin; /* enum fw_origin */
};

#define FW_STATE_MAX_PORTS 64

/* Settings kept with the lists, so they survive a reboot with them. */
struct fw_state_opts {
	uint64_t generation;   /* bumped by every commit; the maps record theirs */
	uint8_t default_action; /* FW_ACT_DEFAULT when never set */
	uint16_t nports;	/* 0: never set (port 53) */
	uint16_t ports[FW_STATE_MAX_PORTS];
	/* What a file says of itself; fw_state_write computes them afresh. */
	uint8_t sorted;		/* entries in strcmp order of their names */
	uint8_t has_counts;
	uint64_t counts[2][3]; /* entries by list and origin */
};

struct fw_state {
	struct fw_entry *e;
	size_t n, cap;
	struct fw_state_opts opts;
	char path[4096];
};

#define FW_STATE_FILE "state.tsv"

const char *fw_list_str(uint8_t list);
const char *fw_match_str(uint8_t match);

/*
 * Load dir/state.tsv with the changes journaled since (lists/store.h); a
 * missing file is an empty state, a damaged one an error.
 */
int fw_state_load(struct fw_state *st, const char *dir, char *err, size_t errlen);

/* The file at path alone; missing is empty, damaged an error. */
int fw_state_load_file(struct fw_state *st, const char *path, char *err, size_t errlen);

/* One rule line, split in place (pointers into line); -1 with why. */
int fw_entry_parse(char *line, struct fw_entry *e, char *why, size_t whylen);

/* A "# option KEY VALUE" line into o; -1 with why. */
int fw_state_parse_option(const char *line, struct fw_state_opts *o, char *why, size_t whylen);

/* One rule line, newline included. */
void fw_entry_write(FILE *f, const struct fw_entry *e);

/* 0, with err filled, when e holds what a rule line cannot (tabs, line breaks). */
int fw_entry_writable(const struct fw_entry *e, char *err, size_t errlen);

/* Entries by list (block, allow) and origin (manual, feed, auto). */
void fw_state_count(const struct fw_state *st, uint64_t counts[2][3]);

/* Order the entries by name, as a base file is kept (binary search). */
void fw_state_sort(struct fw_state *st);

/* Same name, list, match and source: the identity of an entry. */
int fw_entry_same_key(const struct fw_entry *a, const struct fw_entry *b);

/* The same from an open stream; path names it in messages and in st->path. */
int fw_state_read(struct fw_state *st, FILE *f, const char *path, char *err, size_t errlen);

/*
 * The state file's text to f. -1 with err when an entry cannot be written
 * (fw_state_read would refuse it) or the stream failed.
 */
int fw_state_write(const struct fw_state *st, FILE *f, char *err, size_t errlen);

/* Write atomically: temp file, fsync, rename, fsync of the directory. */
int fw_state_save(const struct fw_state *st, char *err, size_t errlen);

void fw_state_free(struct fw_state *st);

/* Append a copy of e (strings duplicated); -1 when out of memory. */
int fw_state_add(struct fw_state *st, const struct fw_entry *e);

/* Index of the entry with the same name, list, match and source, or -1. */
ssize_t fw_state_find(const struct fw_state *st, const char *name, uint8_t list, uint8_t match,
		      const char *source);

/* Remove entry i, keeping order. */
void fw_state_remove(struct fw_state *st, size_t i);

/* Remove entries for which keep() returns 0. */
void fw_state_filter(struct fw_state *st, int (*keep)(const struct fw_entry *, void *), void *arg);

/* A deep copy, for rolling back a change. */
int fw_state_clone(const struct fw_state *src, struct fw_state *dst);

#endif /* FW_STATE_H */
