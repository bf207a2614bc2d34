/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * DNS header checks and the question scan. The header and question are copied
 * into per-CPU scratch first, so every later read is a bounded map-value
 * access that the verifier can check once instead of per packet offset.
 */
#ifndef FW_DNS_PARSE_H
#define FW_DNS_PARSE_H

#include "fluxwall_abi.h"
#include "fw_maps.h"

#define DNS_HDR_LEN 12

/* Hide a value's range from the compiler so it keeps the masks we write. */
#define fw_opaque(x) asm volatile("" : "+r"(x))

struct fw_question {
	__u32 copied;	/* bytes of the message in scratch->msg */
	__u32 name_len; /* wire length of the name, root byte included */
	__u32 nlabels;
};

/*
 * Walk the question's labels in scratch, recording where each starts. The
 * results go to scratch through volatile stores, and this is a global
 * function: the verifier checks it once, alone, so the 128 ways out of the
 * loop are not each carried through the rest of the program.
 */
__attribute__((noinline)) int fw_scan_labels(struct fw_scratch *s, __u32 avail)
{
	__u32 off = 0, i;

	if (!s)
		return FW_CNT_MAL_TRUNCATED;
#pragma clang loop unroll(disable)
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
 * Copy header and question to scratch and walk the labels. Returns 0, or a
 * counter: malformed reasons, or FW_CNT_DNS_QUERIES / FW_CNT_DNS_OTHER for
 * well-formed messages that are not responses to a standard query.
 */
static __always_inline int fw_parse_question(struct xdp_md *ctx, const struct fw_pkt *pkt,
					     struct fw_scratch *s, struct fw_question *q)
{
	__u32 copy = pkt->dns_len;
	int res;

	if (copy < DNS_HDR_LEN)
		return FW_CNT_MAL_SHORT;
	if (copy > FW_SAMPLE_MSG)
		copy = FW_SAMPLE_MSG;
	if (bpf_xdp_load_bytes(ctx, pkt->dns_off, s->msg, copy))
		return FW_CNT_MAL_SHORT;
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
	if (DNS_HDR_LEN + q->name_len + 4 > pkt->dns_len)
		return FW_CNT_MAL_TRUNCATED;
	return 0;
}

#endif /* FW_DNS_PARSE_H */
