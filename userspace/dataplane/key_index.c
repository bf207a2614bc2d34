// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Open addressing with linear probing; keys are already uniform hashes. */
#include <stdlib.h>
#include <string.h>

#include "dataplane/key_index.h"

int fw_ki_init(struct fw_key_index *ki, size_t n)
{
	size_t slots = 64;

	memset(ki, 0, sizeof(*ki));
	while (slots < 2 * n)
		slots <<= 1;
	ki->slot_key = calloc(slots, sizeof(*ki->slot_key));
	ki->slot_head = malloc(slots * sizeof(*ki->slot_head));
	ki->next = malloc((n ? n : 1) * sizeof(*ki->next));
	if (!ki->slot_key || !ki->slot_head || !ki->next) {
		fw_ki_free(ki);
		return -1;
	}
	memset(ki->slot_head, 0xff, slots * sizeof(*ki->slot_head));
	ki->nslots = slots;
	ki->nentries = n;
	return 0;
}

void fw_ki_free(struct fw_key_index *ki)
{
	free(ki->slot_key);
	free(ki->slot_head);
	free(ki->next);
	memset(ki, 0, sizeof(*ki));
}

static size_t find_slot(const struct fw_key_index *ki, const struct fw_key *key)
{
	size_t mask = ki->nslots - 1, i = key->lo & mask;

	while (ki->slot_head[i] != FW_KI_NONE &&
	       (ki->slot_key[i].hi != key->hi || ki->slot_key[i].lo != key->lo))
		i = (i + 1) & mask;
	return i;
}

void fw_ki_add(struct fw_key_index *ki, const struct fw_key *key, uint32_t idx)
{
	size_t i = find_slot(ki, key);

	if (ki->slot_head[i] == FW_KI_NONE) {
		ki->slot_key[i] = *key;
		ki->nkeys++;
	}
	ki->next[idx] = ki->slot_head[i];
	ki->slot_head[i] = idx;
}

uint32_t fw_ki_first(const struct fw_key_index *ki, const struct fw_key *key)
{
	return ki->slot_head[find_slot(ki, key)];
}
