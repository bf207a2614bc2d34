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
#include "fw_iter.h"

enum fw_verdict {
	FW_VERDICT_NONE = 0,
	FW_VERDICT_ALLOW,
	FW_VERDICT_BLOCK,
};

struct fw_match {
	__u8 verdict;
	__u8 action;
	__u8 origin;
};

/*
 * What one rule says about the question at this depth. Results are stored
 * in scratch through volatile writes, so the verifier does not carry every
 * combination of verdicts through the remaining iterations.
 */
static __always_inline int fw_apply_rule(struct fw_scratch *s, const struct fw_rule *rule,
					 int exact)
{
	if ((rule->flags & FW_ALLOW_SUBTREE) || (exact && (rule->flags & FW_ALLOW_EXACT))) {
		*(volatile __u8 *)&s->verdict = FW_VERDICT_ALLOW;
		return 1;
	}
	if (exact && (rule->flags & FW_BLOCK_EXACT)) {
		*(volatile __u8 *)&s->verdict = FW_VERDICT_BLOCK;
		*(volatile __u8 *)&s->action = rule->exact_action;
		*(volatile __u8 *)&s->origin = rule->exact_origin;
	} else if (rule->flags & FW_BLOCK_SUBTREE) {
		*(volatile __u8 *)&s->verdict = FW_VERDICT_BLOCK;
		*(volatile __u8 *)&s->action = rule->subtree_action;
		*(volatile __u8 *)&s->origin = rule->subtree_origin;
	}
	return 0;
}

/*
 * The rule stored for the suffix hashed so far, if the filter lets it
 * through. The key's first half is left in *hi.
 */
static __always_inline struct fw_rule *fw_lookup_suffix(const struct fw_hstate *h,
							const struct fw_config *cfg, __u64 *hi)
{
	struct fw_hstate fin;
	struct fw_key key;
	__u32 idx;
	__u64 *word;

	key.hi = fw_key_hi(h, &fin);
	*hi = key.hi;
	idx = fw_filter_index(key.hi, cfg->filter_mask);
	word = bpf_map_lookup_elem(&fw_filter, &idx);
	if (!word || !(*word & fw_filter_bit(key.hi)))
		return NULL;
	key.lo = fw_key_lo(&fin);
	return bpf_map_lookup_elem(&fw_rules, &key);
}

/* 1 when some rule has depth labels: the suffix of that depth is looked up. */
static __always_inline int fw_suffix_looked_up(const struct fw_config *cfg, __u32 depth)
{
	return depth && depth <= cfg->max_depth && fw_depth_used(cfg->depth_mask, depth);
}

/*
 * Walk the question's suffixes from the TLD inwards, up to the deepest rule
 * (or every label when sampling needs the whole name's hash). The verdict is
 * left in scratch. The whole name's hash is the first half of its key, so
 * when a rule depth equals the name's, the lookup's hash is kept rather than
 * computed twice. A global function: the verifier checks it once, alone.
 */
FW_VERIFIED_ALONE int fw_match_labels(struct fw_scratch *s, const struct fw_config *cfg,
				      __u32 nlabels)
{
	__u32 depths = nlabels & 0x7f;
	struct bpf_iter_num it;
	struct fw_hstate h;
	int *d;

	if (!s || !cfg)
		return 0;
	nlabels &= 0x7f;
	if (depths > cfg->max_depth && !cfg->sampling)
		depths = cfg->max_depth;
	*(volatile __u8 *)&s->verdict = FW_VERDICT_NONE;
	fw_hash_init(&h, cfg->seed);

	bpf_iter_num_new(&it, 1, depths + 1);
	while ((d = bpf_iter_num_next(&it))) {
		__u32 depth = *d & 0x7f;
		struct fw_rule *rule;
		__u64 hi;

		fw_absorb_label(&h, s->msg + DNS_HDR_LEN, s->loff[(nlabels - depth) & 0x7f]);
		if (!fw_suffix_looked_up(cfg, depth))
			continue;
		rule = fw_lookup_suffix(&h, cfg, &hi);
		*(volatile __u64 *)&s->name_hash = hi; /* the last one is the deepest */
		if (rule && fw_apply_rule(s, rule, depth == nlabels))
			break;
	}
	bpf_iter_num_destroy(&it);
	/* Only a name nothing matched is sampled: then every depth was looked at. */
	if (cfg->sampling && !fw_suffix_looked_up(cfg, nlabels)) {
		struct fw_hstate fin;

		*(volatile __u64 *)&s->name_hash = fw_key_hi(&h, &fin);
	}
	return 0;
}

static __always_inline void fw_match_question(const struct fw_config *cfg, struct fw_scratch *s,
					      const struct fw_question *q, struct fw_match *m)
{
	fw_match_labels(s, cfg, q->nlabels);
	m->verdict = *(volatile __u8 *)&s->verdict;
	m->action = *(volatile __u8 *)&s->action;
	m->origin = *(volatile __u8 *)&s->origin;
	if (m->verdict == FW_VERDICT_BLOCK && m->action == FW_ACT_DEFAULT)
		m->action = cfg->default_action;
}

#endif /* FW_RULE_MATCH_H */
