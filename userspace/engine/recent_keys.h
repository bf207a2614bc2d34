/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A bounded memory of key hashes seen recently: two generations of a Bloom
 * filter, 8 bits and 3 probes per entry (about 3% false positives when a
 * generation is full). When the newer generation has taken its share of
 * entries, the older is cleared and becomes the newer, so a hash is
 * remembered for between one and two generations' worth of additions.
 * The domain table remembers the keys it evicts here, so that a key that
 * comes back is known to be a returning one, not one of a flood of
 * one-off names.
 */
#ifndef FW_RECENT_KEYS_H
#define FW_RECENT_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fw_recent;

/* NULL out of memory. per_generation: entries before the generations turn. */
struct fw_recent *fw_recent_new(size_t per_generation);
void fw_recent_free(struct fw_recent *r);

void fw_recent_add(struct fw_recent *r, uint64_t hash);

/* True when hash was added recently (or, rarely, by a false positive). */
bool fw_recent_has(const struct fw_recent *r, uint64_t hash);

/* Bytes held, both generations. */
size_t fw_recent_bytes(const struct fw_recent *r);

#endif /* FW_RECENT_KEYS_H */
