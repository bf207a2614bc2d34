/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one definition of an answer-set fingerprint, compiled into both the
 * XDP program and userspace. A set's fingerprint is the sum of one mix per
 * record, so the order of the records does not change it; TTLs are left
 * out on purpose. The kernel adds every A, AAAA, NS and CNAME record it
 * walked, keyed with the map seed, to decide whether a sample is new; the
 * scorer adds the addresses alone (seed 0) to count distinct address sets.
 */
#ifndef FLUXWALL_ANSWER_FP_H
#define FLUXWALL_ANSWER_FP_H

#include "fluxwall_abi.h"

#ifdef __BPF__
#define FW_FP_INLINE static __always_inline
#else
#define FW_FP_INLINE static inline __attribute__((always_inline))
#endif

/* splitmix64's finaliser: a cheap, well-mixed 64-bit permutation. */
FW_FP_INLINE __u64 fw_mix64(__u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* An A record's data, its four bytes as they lie in memory. */
FW_FP_INLINE __u64 fw_fp_a(__u32 addr, __u64 seed)
{
	return fw_mix64(seed ^ (1ULL << 40) ^ addr);
}

/* An AAAA record's data, as two 8-byte words in memory order. */
FW_FP_INLINE __u64 fw_fp_aaaa(__u64 hi, __u64 lo, __u64 seed)
{
	return fw_mix64(seed ^ hi) + fw_mix64(~seed ^ lo);
}

/* An NS or CNAME record: its type, length and first eight bytes of data. */
FW_FP_INLINE __u64 fw_fp_name(__u32 type, __u32 rdlen, __u64 first8, __u64 seed)
{
	if (rdlen < 8)
		first8 &= (1ULL << (rdlen * 8)) - 1;
	return fw_mix64(seed ^ first8 ^ ((__u64)rdlen << 48) ^ ((__u64)type << 56));
}

#endif /* FLUXWALL_ANSWER_FP_H */
