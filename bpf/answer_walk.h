/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Walk the answer, authority and additional sections of a response held in
 * scratch: note each record's type, TTL and offsets, and fold the record
 * data into an order-independent fingerprint of the answer set. Names are
 * skipped, not followed; a compression pointer must point backwards, so
 * loops and forward pointers are malformed.
 */
#ifndef FW_ANSWER_WALK_H
#define FW_ANSWER_WALK_H

#include "scratch.h"
#include "fw_iter.h"
#include "answer_fp.h"

#define FW_TYPE_A     1
#define FW_TYPE_NS    2
#define FW_TYPE_CNAME 5
#define FW_TYPE_OPT   41
#define FW_TYPE_AAAA  28

enum fw_walk_res {
	FW_WALK_OK = 0,
	FW_WALK_CUT = 1, /* ran past the copied bytes: stop, keep what we have */
	FW_WALK_MALFORMED = 2,
};

/*
 * Big-endian fields in one load each: scratch has room past msg[0x1ff] for
 * reads that start there (FW_SCRATCH_MSG).
 */
static __always_inline __u32 fw_be16(const struct fw_scratch *s, __u32 off)
{
	return __builtin_bswap16(fw_ld16(s->msg + (off & 0x1ff)));
}

static __always_inline __u32 fw_be32(const struct fw_scratch *s, __u32 off)
{
	return __builtin_bswap32(fw_ld32(s->msg + (off & 0x1ff)));
}

/* A record's contribution to the fingerprint (answer_fp.h). */
static __always_inline __u64 fw_rdata_mix(const struct fw_scratch *s, __u32 type, __u32 rdata,
					  __u32 rdlen, __u64 seed)
{
	const __u8 *p = s->msg + (rdata & 0x1ff);

	if (type == FW_TYPE_A && rdlen == 4)
		return fw_fp_a(fw_ld32(p), seed);
	if (type == FW_TYPE_AAAA && rdlen == 16)
		return fw_fp_aaaa(fw_ld64(p), fw_ld64(p + 8), seed);
	if (type != FW_TYPE_NS && type != FW_TYPE_CNAME)
		return 0;
	return fw_fp_name(type, rdlen, fw_ld64(p), seed);
}

/*
 * Offset just past the name at off, or a negative enum fw_walk_res. Verified
 * alone, once, instead of once per record of the walk that calls it.
 */
FW_VERIFIED_ALONE int fw_skip_name(const struct fw_scratch *s, __u32 off, __u32 copied)
{
	struct bpf_iter_num it;
	int *i, res = -FW_WALK_MALFORMED;

	if (!s)
		return res;
	bpf_iter_num_new(&it, 0, FW_MAX_LABELS + 1);
	while ((i = bpf_iter_num_next(&it))) {
		__u8 len;

		if (off >= copied) {
			res = -FW_WALK_CUT;
			break;
		}
		len = s->msg[off & 0x1ff];
		if (len == 0) {
			res = off + 1;
			break;
		}
		if ((len & 0xc0) == 0xc0) {
			if (off + 1 >= copied)
				res = -FW_WALK_CUT;
			else if ((__u32)(((len & 0x3f) << 8) | s->msg[(off + 1) & 0x1ff]) < off)
				res = off + 2;
			break;
		}
		if (len & 0xc0)
			break;
		off = (off + len + 1) & 0xffff;
	}
	bpf_iter_num_destroy(&it);
	return res;
}

static __always_inline __u8 fw_section_of(__u32 i, __u32 an, __u32 ns)
{
	if (i < an)
		return FW_SEC_ANSWER;
	return i < an + ns ? FW_SEC_AUTHORITY : FW_SEC_ADDITIONAL;
}

/*
 * Walk every record after the question. Results are left in scratch: n_rr,
 * fingerprint and walk_flags, and when the caller set s->keep_rr each
 * record's place in rr[]. The XDP program needs only the fingerprint, so it
 * does not keep them; the daemon walks a sample's copy again, keeping them.
 * Returns FW_WALK_MALFORMED or 0. Verified alone, once.
 */
FW_VERIFIED_ALONE int fw_walk_records(struct fw_scratch *s, __u32 name_len, __u32 copied,
				      __u32 dns_len, __u64 seed)
{
	__u32 an, ns, ar, total;
	struct bpf_iter_num it;
	int *i, res = FW_WALK_OK;

	if (!s)
		return FW_WALK_MALFORMED;
	an = fw_be16(s, 6);
	ns = fw_be16(s, 8);
	ar = fw_be16(s, 10);
	total = an + ns + ar;
	*(volatile __u32 *)&s->walk_off = DNS_HDR_LEN + (name_len & 0x1ff) + 4;
	*(volatile __u64 *)&s->fingerprint = 0;
	*(volatile __u8 *)&s->n_rr = 0;
	*(volatile __u32 *)&s->walk_flags = total > FW_SAMPLE_MAX_RR ? FW_SAMPLE_MORE_RR : 0;

	bpf_iter_num_new(&it, 0, total < FW_SAMPLE_MAX_RR ? total : FW_SAMPLE_MAX_RR);
	while ((i = bpf_iter_num_next(&it))) {
		__u32 owner = *(volatile __u32 *)&s->walk_off & 0xffff, type, rdlen, rdata;
		__u8 n = *(volatile __u8 *)&s->n_rr & (FW_SAMPLE_MAX_RR - 1);
		__u8 first = s->msg[owner & 0x1ff];
		int end;

		/* Most owners are one backward pointer: skip the call for them. */
		if ((first & 0xc0) == 0xc0 && owner + 1 < copied &&
		    (__u32)(((first & 0x3f) << 8) | s->msg[(owner + 1) & 0x1ff]) < owner)
			end = owner + 2;
		else
			end = fw_skip_name(s, owner, copied);

		if (end < 0) {
			res = -end;
			break;
		}
		if ((__u32)end + 10 > copied) {
			res = (__u32)end + 10 > dns_len ? FW_WALK_MALFORMED : FW_WALK_CUT;
			break;
		}
		type = fw_be16(s, end);
		rdlen = fw_be16(s, end + 8);
		rdata = end + 10;
		if (rdata + rdlen > dns_len) {
			res = FW_WALK_MALFORMED;
			break;
		}
		if (rdata + rdlen > copied) {
			res = FW_WALK_CUT;
			break;
		}
		*(volatile __u32 *)&s->walk_off = rdata + rdlen;
		if (type == FW_TYPE_OPT)
			continue;
		if (s->keep_rr) {
			s->rr[n].type = type;
			s->rr[n].rdlen = rdlen;
			s->rr[n].owner_off = owner;
			s->rr[n].rdata_off = rdata;
			s->rr[n].ttl = fw_be32(s, end + 4);
			s->rr[n].section = fw_section_of(*i, an, ns);
		}
		*(volatile __u64 *)&s->fingerprint += fw_rdata_mix(s, type, rdata, rdlen, seed);
		*(volatile __u8 *)&s->n_rr = n + 1;
	}
	bpf_iter_num_destroy(&it);
	if (res == FW_WALK_CUT)
		*(volatile __u32 *)&s->walk_flags |= FW_SAMPLE_MORE_RR;
	return res == FW_WALK_MALFORMED ? FW_WALK_MALFORMED : FW_WALK_OK;
}

#endif /* FW_ANSWER_WALK_H */
