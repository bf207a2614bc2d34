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

struct fw_question {
	__u32 copied;	/* bytes of the message in scratch->msg */
	__u32 name_len; /* wire length of the name, root byte included */
	__u32 nlabels;
};

enum fw_scan_state {
	FW_SCAN_MORE = 0,
	FW_SCAN_DONE = 1,
};

struct fw_scan_ctx {
	__u32 off;	/* of the next length byte, relative to the name */
	__u32 avail;	/* name bytes available in scratch */
	__u32 nlabels;
	int result;	/* 0 when the name ended well, else a malformed counter */
	int done;
};

static long fw_scan_label(__u64 index, void *arg)
{
	struct fw_scan_ctx *sc = arg;
	__u32 zero = 0, off = sc->off;
	struct fw_scratch *s;
	__u8 len;

	s = bpf_map_lookup_elem(&fw_scratch_map, &zero);
	if (!s)
		return 1;
	if (off >= sc->avail) {
		sc->result = FW_CNT_MAL_TRUNCATED;
		return 1;
	}
	len = s->msg[DNS_HDR_LEN + (off & 0xff)];
	if (len == 0) {
		sc->done = 1;
		return 1;
	}
	if ((len & 0xc0) == 0xc0) {
		sc->result = FW_CNT_MAL_POINTER;
		return 1;
	}
	if (len & 0xc0) {
		sc->result = FW_CNT_MAL_LABEL;
		return 1;
	}
	s->loff[index & 0x7f] = off;
	sc->nlabels = index + 1;
	off += len + 1;
	/* The root byte still has to fit in FW_MAX_NAME. */
	if (off + 1 > FW_MAX_NAME) {
		sc->result = FW_CNT_MAL_NAME_LEN;
		return 1;
	}
	sc->off = off;
	return 0;
}

/*
 * Copy header and question to scratch and walk the labels. Returns 0, or a
 * counter: malformed reasons, or FW_CNT_DNS_QUERIES / FW_CNT_DNS_OTHER for
 * well-formed messages that are not responses to a standard query.
 */
static __always_inline int fw_parse_question(struct xdp_md *ctx, const struct fw_pkt *pkt,
					     struct fw_scratch *s, struct fw_question *q)
{
	struct fw_scan_ctx sc = {};
	__u32 copy = pkt->dns_len;

	if (copy < DNS_HDR_LEN)
		return FW_CNT_MAL_SHORT;
	if (copy > DNS_HDR_LEN + FW_QUESTION_COPY)
		copy = DNS_HDR_LEN + FW_QUESTION_COPY;
	if (bpf_xdp_load_bytes(ctx, pkt->dns_off, s->msg, copy))
		return FW_CNT_MAL_SHORT;
	if (!(s->msg[2] & 0x80))
		return FW_CNT_DNS_QUERIES;
	if (s->msg[2] & 0x78)
		return FW_CNT_DNS_OTHER;
	if (s->msg[4] != 0 || s->msg[5] != 1)
		return FW_CNT_MAL_QDCOUNT;

	sc.avail = copy - DNS_HDR_LEN;
	bpf_loop(FW_MAX_LABELS + 1, fw_scan_label, &sc, 0);
	if (sc.result)
		return sc.result;
	if (!sc.done)
		return FW_CNT_MAL_TRUNCATED;
	q->copied = copy;
	q->name_len = sc.off + 1;
	q->nlabels = sc.nlabels;
	/* qtype and qclass must follow the name inside the message */
	if (DNS_HDR_LEN + q->name_len + 4 > pkt->dns_len)
		return FW_CNT_MAL_TRUNCATED;
	return 0;
}

#endif /* FW_DNS_PARSE_H */
