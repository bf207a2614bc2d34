/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* An index from 128-bit name keys to chains of state entries. */
#ifndef FW_KEY_INDEX_H
#define FW_KEY_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "fluxwall_abi.h"

#define FW_KI_NONE UINT32_MAX

struct fw_key_index {
	struct fw_key *slot_key;
	uint32_t *slot_head; /* first entry of the chain, FW_KI_NONE when empty */
	uint32_t *next;	     /* next entry with the same key */
	size_t nslots, nentries, nkeys;
};

/* Room for n entries; -1 when out of memory. */
int fw_ki_init(struct fw_key_index *ki, size_t n);
void fw_ki_free(struct fw_key_index *ki);

/* Chain entry number idx under key; idx must be below the n given to init. */
void fw_ki_add(struct fw_key_index *ki, const struct fw_key *key, uint32_t idx);

/* First entry under key, or FW_KI_NONE; follow ki->next[] for the rest. */
uint32_t fw_ki_first(const struct fw_key_index *ki, const struct fw_key *key);

#endif /* FW_KEY_INDEX_H */
