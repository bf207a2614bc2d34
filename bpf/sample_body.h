/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The part of a sample taken from scratch: the message, the question's type
 * and the records the walk found. Pure, so the host tests build the very
 * sample the kernel would send and hand it to the daemon's decoder.
 */
#ifndef FW_SAMPLE_BODY_H
#define FW_SAMPLE_BODY_H

#include "scratch.h"

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
	__builtin_memcpy(r->rr, s->rr, sizeof(r->rr));
	__builtin_memcpy(r->msg, s->msg, sizeof(r->msg));
}

#endif /* FW_SAMPLE_BODY_H */
