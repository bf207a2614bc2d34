/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Copy the DNS header and question into per-CPU scratch, then check them
 * (question_scan.h). Every later read is a bounded map-value access that
 * the verifier can check once instead of per packet offset.
 */
#ifndef FW_DNS_PARSE_H
#define FW_DNS_PARSE_H

#include "fluxwall_abi.h"
#include "fw_maps.h"
#include "pkt_parse.h"
#include "question_scan.h"

/* Returns 0, or the counter that says why the message is not filtered. */
static __always_inline int fw_parse_question(struct xdp_md *ctx, const struct fw_pkt *pkt,
					     struct fw_scratch *s, struct fw_question *q)
{
	__u32 copy = pkt->dns_len;

	if (copy < DNS_HDR_LEN)
		return FW_CNT_MAL_SHORT;
	if (copy > FW_SAMPLE_MSG)
		copy = FW_SAMPLE_MSG;
	if (bpf_xdp_load_bytes(ctx, pkt->dns_off, s->msg, copy))
		return FW_CNT_MAL_SHORT;
	return fw_check_question(s, copy, pkt->dns_len, q);
}

#endif /* FW_DNS_PARSE_H */
