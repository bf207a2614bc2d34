/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The header checks and the question scan on a message copied to scratch.
 * Pure: dns_parse.h copies the bytes in the kernel, the host tests and
 * fuzzers call the same functions on their own buffers.
 */
#ifndef FW_QUESTION_SCAN_H
#define FW_QUESTION_SCAN_H

#include "scratch.h"

/*
 * Walk the question's labels in scratch, recording where each starts. The
 * results go to scratch through volatile stores, and this is a global
 * function: the verifier checks it once, alone, so the 128 ways out of the
 * loop are not each carried through the rest of the program.
 */
FW_VERIFIED_ALONE int fw_scan_labels(struct fw_scratch *s, __u32 avail)
{
	__u32 off = 0, i;

	if (!s)
		return FW_CNT_MAL_TRUNCATED;
	FW_NO_UNROLL
	for (i = 0; i < FW_MAX_LABELS + 1; i++) {
		__u8 len;

		if (off >= avail)
			return FW_CNT_MAL_TRUNCATED;
		fw_opaque(off); /* keep the mask: the verifier needs it */
		len = s->msg[DNS_HDR_LEN + (off & 0xff)];
		if (len == 0) {
			*(volatile __u32 *)&s->nlabels = i;
			*(volatile __u32 *)&s->name_len = off + 1;
			return 0;
		}
		if ((len & 0xc0) == 0xc0)
			return FW_CNT_MAL_POINTER;
		if (len & 0xc0)
			return FW_CNT_MAL_LABEL;
		s->loff[i & 0x7f] = off;
		off += len + 1;
		/* The root byte still has to fit in FW_MAX_NAME. */
		if (off + 1 > FW_MAX_NAME)
			return FW_CNT_MAL_NAME_LEN;
	}
	return FW_CNT_MAL_NAME_LEN;
}

/*
 * The checks on copy bytes of a dns_len-byte message in scratch. Returns 0
 * and fills q, or a counter: malformed reasons, or FW_CNT_DNS_QUERIES /
 * FW_CNT_DNS_OTHER for well-formed messages that are not responses to a
 * standard query.
 */
static __always_inline int fw_check_question(struct fw_scratch *s, __u32 copy, __u32 dns_len,
					     struct fw_question *q)
{
	int res;

	if (!(s->msg[2] & 0x80))
		return FW_CNT_DNS_QUERIES;
	if (s->msg[2] & 0x78)
		return FW_CNT_DNS_OTHER;
	if (s->msg[4] != 0 || s->msg[5] != 1)
		return FW_CNT_MAL_QDCOUNT;

	res = fw_scan_labels(s, copy - DNS_HDR_LEN);
	fw_opaque(res); /* the caller indexes counters with it: keep its bound check */
	if (res)
		return res;
	q->copied = copy;
	q->name_len = *(volatile __u32 *)&s->name_len & 0x1ff;
	q->nlabels = *(volatile __u32 *)&s->nlabels & 0x7f;
	/* qtype and qclass must follow the name inside the message */
	if (DNS_HDR_LEN + q->name_len + 4 > dns_len)
		return FW_CNT_MAL_TRUNCATED;
	return 0;
}

#endif /* FW_QUESTION_SCAN_H */
