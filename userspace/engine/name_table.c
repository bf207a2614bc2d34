// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Chained hash table of names with intrusive nodes and a per-table seed. */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "engine/hash_mix.h"
#include "engine/name_table.h"

static size_t pow2_at_least(size_t n)
{
	size_t p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

static uint64_t random_seed(void)
{
	uint64_t seed;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed))
		return seed;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec;
}

int fw_ntab_init(struct fw_ntab *t, size_t expected, fw_ntab_name_fn name_of)
{
	size_t n = pow2_at_least(expected);

	memset(t, 0, sizeof(*t));
	t->bucket = calloc(n, sizeof(*t->bucket));
	if (!t->bucket)
		return -1;
	t->mask = n - 1;
	t->seed = random_seed();
	t->name_of = name_of;
	return 0;
}

void fw_ntab_free(struct fw_ntab *t)
{
	free(t->bucket);
	t->bucket = NULL;
	t->count = 0;
}


uint64_t fw_ntab_hash(const struct fw_ntab *t, const char *name)
{
	uint64_t h = t->seed ^ 0xcbf29ce484222325ull;
	const unsigned char *p = (const unsigned char *)name;

	/* FNV-1a over the bytes, then a full avalanche keyed by the seed. */
	while (*p) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return fw_fmix64(h ^ t->seed);
}

struct fw_ntab_node *fw_ntab_find(const struct fw_ntab *t, const char *name, uint64_t hash)
{
	struct fw_ntab_node *n;

	for (n = t->bucket[hash & t->mask]; n; n = n->next)
		if (n->hash == hash && strcmp(t->name_of(n), name) == 0)
			return n;
	return NULL;
}

static void grow(struct fw_ntab *t)
{
	size_t n = (t->mask + 1) * 2, i;
	struct fw_ntab_node **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return;
	for (i = 0; i <= t->mask; i++) {
		struct fw_ntab_node *node = t->bucket[i], *next;

		for (; node; node = next) {
			next = node->next;
			node->next = nb[node->hash & (n - 1)];
			nb[node->hash & (n - 1)] = node;
		}
	}
	free(t->bucket);
	t->bucket = nb;
	t->mask = n - 1;
}

void fw_ntab_insert(struct fw_ntab *t, struct fw_ntab_node *node, uint64_t hash)
{
	struct fw_ntab_node **head;

	/* one node per bucket on average: each extra node in a chain is a cache miss */
	if (t->count >= t->mask + 1)
		grow(t);
	head = &t->bucket[hash & t->mask];
	node->hash = hash;
	node->next = *head;
	*head = node;
	t->count++;
}

void fw_ntab_remove(struct fw_ntab *t, struct fw_ntab_node *node)
{
	struct fw_ntab_node **pp = &t->bucket[node->hash & t->mask];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == node) {
			*pp = node->next;
			node->next = NULL;
			t->count--;
			return;
		}
	}
}

size_t fw_ntab_bytes(const struct fw_ntab *t)
{
	return (t->mask + 1) * sizeof(*t->bucket);
}
