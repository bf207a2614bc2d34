// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fluxwall's XDP program: find DNS responses, match the question against the
 * block and allow rules, and drop or rewrite the blocked ones. Everything
 * else is passed untouched; malformed messages are counted, never dropped.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "fluxwall_abi.h"
#include "fw_maps.h"
#include "pkt_parse.h"
#include "dns_parse.h"
#include "rule_match.h"
#include "nxdomain.h"
#include "sample.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __always_inline void fw_count(struct fw_stats *st, __u32 counter)
{
	fw_opaque(counter); /* keep the bound check even where clang can prove it */
	if (counter < FW_CNT_MAX)
		st->c[counter]++;
}

static __always_inline int fw_pass(struct fw_stats *st, __u32 reason)
{
	fw_count(st, reason);
	fw_count(st, FW_CNT_PASSED);
	return XDP_PASS;
}

static __always_inline int fw_block(struct xdp_md *ctx, struct fw_stats *st,
				    const struct fw_pkt *pkt, struct fw_scratch *s,
				    const struct fw_question *q, const struct fw_match *mc)
{
	fw_count(st, FW_CNT_BLOCK_MANUAL + (mc->origin <= FW_ORIGIN_AUTO ? mc->origin : 0));
	if (mc->action == FW_ACT_NXDOMAIN) {
		if (!fw_rewrite_nxdomain(ctx, pkt, s, q)) {
			fw_count(st, FW_CNT_BLOCK_NXDOMAIN);
			return XDP_PASS;
		}
		fw_count(st, FW_CNT_NXDOMAIN_FAILED);
	}
	fw_count(st, FW_CNT_BLOCK_DROP);
	return XDP_DROP;
}

SEC("xdp")
int fluxwall_xdp(struct xdp_md *ctx)
{
	struct fw_match mc = {};
	struct fw_question q = {};
	struct fw_pkt pkt = {};
	struct fw_scratch *s;
	struct fw_config *cfg;
	struct fw_stats *st;
	__u32 zero = 0;
	int res;

	st = bpf_map_lookup_elem(&fw_stats, &zero);
	if (!st)
		return XDP_PASS;
	fw_count(st, FW_CNT_PACKETS);

	res = fw_parse_packet(ctx, &pkt);
	if (res != FW_PARSE_DNS)
		return fw_pass(st, res);
	/* only DNS responses need these: the rest of the traffic skips them */
	cfg = bpf_map_lookup_elem(&fw_config, &zero);
	s = bpf_map_lookup_elem(&fw_scratch_map, &zero);
	if (!cfg || !s)
		return XDP_PASS; /* array maps: never */
	res = fw_parse_question(ctx, &pkt, s, &q);
	if (res)
		return fw_pass(st, res);
	fw_count(st, FW_CNT_DNS_RESPONSES);

	fw_match_question(cfg, s, &q, &mc);
	if (mc.verdict == FW_VERDICT_ALLOW)
		return fw_pass(st, FW_CNT_ALLOWED);
	if (mc.verdict == FW_VERDICT_BLOCK)
		return fw_block(ctx, st, &pkt, s, &q, &mc);
	if (cfg->sampling)
		fw_sample_response(ctx, st, cfg, &pkt, s, &q);
	fw_count(st, FW_CNT_PASSED);
	return XDP_PASS;
}
