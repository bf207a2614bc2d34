/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one definition of a name's map key, compiled into both the XDP program
 * and userspace.
 *
 * A rule for "evil.example" is stored under a 128-bit keyed hash of its
 * canonical wire form. The hash absorbs labels from the right (the TLD first),
 * so one pass over a packet's question yields the key of every suffix:
 * depth 1 is "example", depth 2 "evil.example", and so on. Each label is
 * absorbed with its length byte, eight bytes at a time, lowercased as a word.
 * A key is finished with a block holding the depth and byte count, so the
 * encoding is prefix-free and suffixes of different depths cannot collide
 * structurally.
 *
 * The function is SipHash-1-3 with 128-bit output, keyed with a 128-bit secret
 * drawn from getrandom() when the maps are created. Without the secret an
 * attacker cannot predict keys, so cannot search for a name that collides
 * with a rule. Treating SipHash as a PRF, a lookup falsely matches one of N
 * stored keys with probability at most N / 2^128: for N = 10^6 rules that is
 * below 3e-33 per lookup, or below 1e-18 over 10^15 lookups (a billion
 * packets a second for eleven days). docs/design.md gives the argument.
 */
#ifndef FLUXWALL_NAME_KEY_H
#define FLUXWALL_NAME_KEY_H

#include "fluxwall_abi.h"

#ifdef __BPF__
#define FW_INLINE static __always_inline
#else
#include <string.h>
#define FW_INLINE static inline __attribute__((always_inline))
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "name_key.h assumes a little-endian host and BPF target"
#endif

struct fw_hstate {
	__u64 v0, v1, v2, v3;
	__u32 nbytes; /* bytes absorbed so far, length bytes included */
	__u32 depth;  /* labels absorbed so far */
};

FW_INLINE __u64 fw_rotl(__u64 x, int b)
{
	return (x << b) | (x >> (64 - b));
}

FW_INLINE void fw_sipround(struct fw_hstate *s)
{
	s->v0 += s->v1;
	s->v1 = fw_rotl(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = fw_rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = fw_rotl(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = fw_rotl(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = fw_rotl(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = fw_rotl(s->v2, 32);
}

#define FW_ONES	 0x0101010101010101ULL
#define FW_HIGHS 0x8080808080808080ULL

/* ASCII-only lowercasing of eight bytes at once; other bytes are untouched. */
FW_INLINE __u64 fw_lower8(__u64 w)
{
	__u64 heptets = w & ~FW_HIGHS;
	__u64 above_z = heptets + FW_ONES * (0x7f - 'Z');
	__u64 from_a = heptets + FW_ONES * (0x80 - 'A');
	__u64 upper = ~w & (from_a ^ above_z) & FW_HIGHS;

	return w | (upper >> 2);
}

FW_INLINE void fw_hash_init(struct fw_hstate *s, const __u64 seed[2])
{
	s->v0 = seed[0] ^ 0x736f6d6570736575ULL;
	s->v1 = seed[1] ^ 0x646f72616e646f6dULL ^ 0xee;
	s->v2 = seed[0] ^ 0x6c7967656e657261ULL;
	s->v3 = seed[1] ^ 0x7465646279746573ULL;
	s->nbytes = 0;
	s->depth = 0;
}

FW_INLINE void fw_absorb(struct fw_hstate *s, __u64 m)
{
	s->v3 ^= m;
	fw_sipround(s);
	s->v0 ^= m;
}

FW_INLINE __u64 fw_load64(const __u8 *p)
{
#ifdef __BPF__
	return *(const __u64 *)p;
#else
	__u64 w;

	memcpy(&w, p, sizeof(w));
	return w;
#endif
}

/*
 * Absorb the label whose length byte is at buf[off]. buf must have at least
 * off + 64 readable bytes; bytes past the label are masked off, so
 * whatever follows the label in the buffer does not matter.
 */
FW_INLINE void fw_absorb_label(struct fw_hstate *s, const __u8 *buf, __u32 off)
{
	__u32 base = off & 0xff;
	__u32 total = (buf[base] & 0x3f) + 1;
	int k;

#ifdef __clang__
#pragma unroll
#endif
	for (k = 0; k < 8; k++) {
		__u32 rem;
		__u64 w;

		if ((__u32)k * 8 >= total)
			break;
		w = fw_load64(buf + base + k * 8);
		rem = total - k * 8;
		if (rem < 8)
			w &= (1ULL << (rem * 8)) - 1;
		fw_absorb(s, fw_lower8(w));
	}
	s->nbytes += total;
	s->depth++;
}

/* First half of the key of the labels absorbed so far; f keeps the rest. */
FW_INLINE __u64 fw_key_hi(const struct fw_hstate *s, struct fw_hstate *f)
{
	*f = *s;
	fw_absorb(f, ((__u64)s->depth << 56) | s->nbytes);
	f->v2 ^= 0xee;
	fw_sipround(f);
	fw_sipround(f);
	fw_sipround(f);
	return f->v0 ^ f->v1 ^ f->v2 ^ f->v3;
}

FW_INLINE __u64 fw_key_lo(struct fw_hstate *f)
{
	f->v1 ^= 0xdd;
	fw_sipround(f);
	fw_sipround(f);
	fw_sipround(f);
	return f->v0 ^ f->v1 ^ f->v2 ^ f->v3;
}

/* The filter is a one-hash Bloom filter: fw_filter[index] bit (hi & 63). */
FW_INLINE __u32 fw_filter_index(__u64 hi, __u32 filter_mask)
{
	return (__u32)(hi >> 6) & filter_mask;
}

FW_INLINE __u64 fw_filter_bit(__u64 hi)
{
	return 1ULL << (hi & 63);
}

FW_INLINE int fw_depth_used(const __u64 mask[FW_DEPTH_WORDS], __u32 depth)
{
	return (mask[(depth >> 6) & 1] >> (depth & 63)) & 1;
}

#endif /* FLUXWALL_NAME_KEY_H */
