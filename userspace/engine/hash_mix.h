/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A 64-bit finaliser (MurmurHash3's fmix64) for userspace hash tables. */
#ifndef FW_HASH_MIX_H
#define FW_HASH_MIX_H

#include <stdint.h>
#include <string.h>

static inline uint64_t fw_fmix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

/* A 16-byte address (IPv4 v4-mapped) hashed with a seed. */
static inline uint64_t fw_addr_hash(const uint8_t addr[16], uint64_t seed)
{
	uint64_t hi, lo;

	memcpy(&hi, addr, 8);
	memcpy(&lo, addr + 8, 8);
	return fw_fmix64(hi ^ fw_fmix64(lo ^ seed));
}

#endif /* FW_HASH_MIX_H */
