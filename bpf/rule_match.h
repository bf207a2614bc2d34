/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Rule matching: hash the question's suffixes from the TLD inwards and look
 * up only the depths some rule uses, behind a one-hash Bloom filter, so a
 * name that matches nothing usually costs no hash-map lookup at all.
 * An allow rule at any depth wins; among block rules the longest match wins,
 * and at equal depth an exact rule beats a subtree rule.
 */
#ifndef FW_RULE_MATCH_H
#define FW_RULE_MATCH_H

#include "fluxwall_abi.h"
#include "name_key.h"
#include "fw_maps.h"
#include "dns_parse.h"

enum fw_verdict {
	FW_VERDICT_NONE = 0,
	FW_VERDICT_ALLOW,
	FW_VERDICT_BLOCK,
};

struct fw_match_ctx {
	struct fw_hstate h;
	__u32 nlabels;
	__u32 depths; /* how many labels to absorb */
	__u8 verdict;
	__u8 action;
	__u8 origin;
};

static __always_inline int fw_rule_applies(const struct fw_rule *r, int exact, __u8 exact_bit,
					    __u8 subtree_bit)
{
	return (r->flags & subtree_bit) || (exact && (r->flags & exact_bit));
}

static long fw_match_depth(__u64 index, void *arg)
{
	struct fw_match_ctx *mc = arg;
	__u32 zero = 0, depth = index + 1, label;
	struct fw_scratch *s;
	struct fw_config *cfg;
	struct fw_hstate fin;
	struct fw_rule *rule;
	struct fw_key key;
	__u64 *word;
	int exact;

	s = bpf_map_lookup_elem(&fw_scratch_map, &zero);
	cfg = bpf_map_lookup_elem(&fw_config, &zero);
	if (!s || !cfg)
		return 1;
	label = (mc->nlabels - depth) & 0x7f;
	fw_absorb_label(&mc->h, s->msg + DNS_HDR_LEN, s->loff[label]);
	if (!fw_depth_used(cfg->depth_mask, depth))
		return 0;

	key.hi = fw_key_hi(&mc->h, &fin);
	word = bpf_map_lookup_elem(&fw_filter, &(__u32){ fw_filter_index(key.hi, cfg->filter_mask) });
	if (!word || !(*word & fw_filter_bit(key.hi)))
		return 0;
	key.lo = fw_key_lo(&fin);
	rule = bpf_map_lookup_elem(&fw_rules, &key);
	if (!rule)
		return 0;

	exact = depth == mc->nlabels;
	if (fw_rule_applies(rule, exact, FW_ALLOW_EXACT, FW_ALLOW_SUBTREE)) {
		mc->verdict = FW_VERDICT_ALLOW;
		return 1;
	}
	if (exact && (rule->flags & FW_BLOCK_EXACT)) {
		mc->verdict = FW_VERDICT_BLOCK;
		mc->action = rule->exact_action;
		mc->origin = rule->exact_origin;
	} else if (rule->flags & FW_BLOCK_SUBTREE) {
		mc->verdict = FW_VERDICT_BLOCK;
		mc->action = rule->subtree_action;
		mc->origin = rule->subtree_origin;
	}
	return 0;
}

/* Fills mc->verdict, action and origin for the question in scratch. */
static __always_inline void fw_match_question(const struct fw_config *cfg,
					      const struct fw_question *q, struct fw_match_ctx *mc)
{
	__u32 depths = q->nlabels;

	if (depths > cfg->max_depth)
		depths = cfg->max_depth;
	fw_hash_init(&mc->h, cfg->seed);
	mc->nlabels = q->nlabels;
	mc->verdict = FW_VERDICT_NONE;
	if (depths)
		bpf_loop(depths, fw_match_depth, mc, 0);
	if (mc->verdict == FW_VERDICT_BLOCK && mc->action == FW_ACT_DEFAULT)
		mc->action = cfg->default_action;
}

#endif /* FW_RULE_MATCH_H */
