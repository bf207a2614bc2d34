/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The part of a sample taken from scratch: the message, the question's type
 * and what the walk found. Pure, so the host tests build the very sample the
 * kernel would send and hand it to the daemon's decoder.
 */
#ifndef FW_SAMPLE_BODY_H
#define FW_SAMPLE_BODY_H

#include "scratch.h"

/*
 * Copy the first len bytes of src (at most max), in 64-byte blocks: a
 * sample carries only what is used, not the whole array. The rest of the
 * last block is copied too; what lies past it is left as it was. Both
 * arrays are 8-byte aligned, which keeps the copy to 8-byte words.
 */
static __always_inline void fw_copy_blocks(void *dst, const void *src, __u32 len, __u32 max)
{
	__u32 b;

	FW_UNROLL
	for (b = 0; b < max / 64; b++) {
		if (b * 64 >= len)
			break;
		__builtin_memcpy(__builtin_assume_aligned((__u8 *)dst + b * 64, 8),
				 __builtin_assume_aligned((const __u8 *)src + b * 64, 8), 64);
	}
}

static __always_inline void fw_sample_body(struct fw_sample *r, const struct fw_scratch *s,
					   const struct fw_question *q, __u32 dns_len, __u64 fp)
{
	__u32 qt = DNS_HDR_LEN + q->name_len;

	r->fingerprint = fp;
	r->dns_len = dns_len;
	r->msg_len = q->copied;
	r->qtype = (s->msg[qt & 0x1ff] << 8) | s->msg[(qt + 1) & 0x1ff];
	r->name_len = q->name_len;
	r->rcode = s->msg[3] & 0xf;
	r->n_rr = *(volatile __u8 *)&s->n_rr;
	r->flags = *(volatile __u32 *)&s->walk_flags;
	fw_copy_blocks(r->msg, s->msg, r->msg_len, sizeof(r->msg));
}

#endif /* FW_SAMPLE_BODY_H */
