/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A chained hash table of names with intrusive nodes: the owner embeds a
 * struct fw_ntab_node in its own record and keeps the name text there, so
 * the table costs one pointer per bucket and no allocation per entry.
 */
#ifndef FW_NAME_TABLE_H
#define FW_NAME_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct fw_ntab_node {
	struct fw_ntab_node *next;
	uint64_t hash;
};

/* The name stored in the record that embeds node. */
typedef const char *(*fw_ntab_name_fn)(const struct fw_ntab_node *node);

struct fw_ntab {
	struct fw_ntab_node **bucket;
	size_t mask; /* buckets - 1, a power of two minus one */
	size_t count;
	uint64_t seed; /* random per table: crafted names cannot pile into one chain */
	fw_ntab_name_fn name_of;
};

/* Room for about `expected` names before the table grows; -1 out of memory. */
int fw_ntab_init(struct fw_ntab *t, size_t expected, fw_ntab_name_fn name_of);

/* Frees the buckets; the records stay the owner's. */
void fw_ntab_free(struct fw_ntab *t);

uint64_t fw_ntab_hash(const struct fw_ntab *t, const char *name);

struct fw_ntab_node *fw_ntab_find(const struct fw_ntab *t, const char *name, uint64_t hash);

/* Add a node whose name is not in the table yet. Grows the bucket array
 * when chains get long; if that allocation fails the table just stays
 * slower. */
void fw_ntab_insert(struct fw_ntab *t, struct fw_ntab_node *node, uint64_t hash);

void fw_ntab_remove(struct fw_ntab *t, struct fw_ntab_node *node);

/* Bytes of the bucket array. */
size_t fw_ntab_bytes(const struct fw_ntab *t);

#endif /* FW_NAME_TABLE_H */
