/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A 64-bit finaliser (MurmurHash3's fmix64) for userspace hash tables. */
#ifndef FW_HASH_MIX_H
#define FW_HASH_MIX_H

#include <stdint.h>

static inline uint64_t fw_fmix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

#endif /* FW_HASH_MIX_H */
