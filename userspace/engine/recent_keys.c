// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Recently seen key hashes: a two-generation Bloom filter; see recent_keys.h. */
#include <stdlib.h>
#include <string.h>

#include "engine/hash_mix.h"
#include "engine/recent_keys.h"

#define BITS_PER_ENTRY 8
#define PROBES	       3

struct fw_recent {
	uint64_t *gen[2]; /* gen[cur] takes the additions */
	size_t words;	  /* per generation */
	uint64_t mask;	  /* bits per generation - 1 */
	size_t per_generation;
	size_t added; /* to gen[cur] */
	unsigned cur;
};

struct fw_recent *fw_recent_new(size_t per_generation)
{
	struct fw_recent *r = calloc(1, sizeof(*r));
	uint64_t bits = 64;

	if (!r)
		return NULL;
	while (bits < (uint64_t)per_generation * BITS_PER_ENTRY)
		bits <<= 1;
	r->words = bits / 64;
	r->mask = bits - 1;
	r->per_generation = per_generation ? per_generation : 1;
	r->gen[0] = malloc(r->words * sizeof(uint64_t));
	r->gen[1] = malloc(r->words * sizeof(uint64_t));
	if (!r->gen[0] || !r->gen[1]) {
		fw_recent_free(r);
		return NULL;
	}
	/* written now, not at the first turn of generations: RSS shows it all at once */
	memset(r->gen[0], 0, r->words * sizeof(uint64_t));
	memset(r->gen[1], 0, r->words * sizeof(uint64_t));
	return r;
}

void fw_recent_free(struct fw_recent *r)
{
	if (!r)
		return;
	free(r->gen[0]);
	free(r->gen[1]);
	free(r);
}

/* Probe i of hash: double hashing over the generation's bits. */
static uint64_t probe(const struct fw_recent *r, uint64_t hash, unsigned i)
{
	return (hash + i * (fw_fmix64(hash) | 1)) & r->mask;
}

static bool gen_has(const struct fw_recent *r, const uint64_t *g, uint64_t hash)
{
	unsigned i;

	for (i = 0; i < PROBES; i++) {
		uint64_t b = probe(r, hash, i);

		if (!(g[b / 64] & (1ull << (b % 64))))
			return false;
	}
	return true;
}

void fw_recent_add(struct fw_recent *r, uint64_t hash)
{
	uint64_t *g;
	unsigned i;

	if (r->added >= r->per_generation) {
		r->cur ^= 1;
		memset(r->gen[r->cur], 0, r->words * sizeof(uint64_t));
		r->added = 0;
	}
	g = r->gen[r->cur];
	for (i = 0; i < PROBES; i++) {
		uint64_t b = probe(r, hash, i);

		g[b / 64] |= 1ull << (b % 64);
	}
	r->added++;
}

bool fw_recent_has(const struct fw_recent *r, uint64_t hash)
{
	return gen_has(r, r->gen[0], hash) || gen_has(r, r->gen[1], hash);
}

size_t fw_recent_bytes(const struct fw_recent *r)
{
	return sizeof(*r) + 2 * r->words * sizeof(uint64_t);
}
