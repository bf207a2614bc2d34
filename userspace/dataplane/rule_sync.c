// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The state holds one entry per (name, list, match, source); the data path
 * holds one merged fw_rule per name. Changes are computed as a diff of the
 * merged values, so adding a name that a feed already lists, or removing one
 * of two sources, touches the map only when the verdict really changes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "dataplane/rule_sync.h"
#include "dataplane/key_index.h"
#include "formats/dns_name.h"
#include "name_key.h"

struct keyed_state {
	const struct fw_state *st;
	struct fw_key *key;
	uint8_t *depth;
	struct fw_key_index ki;
};

static void keyed_free(struct keyed_state *k)
{
	free(k->key);
	free(k->depth);
	fw_ki_free(&k->ki);
}

static int keyed_build(const struct fw_state *st, const __u64 seed[2], struct keyed_state *k,
		       char *err, size_t errlen)
{
	struct fw_name name;
	char why[128];
	size_t i;

	memset(k, 0, sizeof(*k));
	k->st = st;
	k->key = calloc(st->n ? st->n : 1, sizeof(*k->key));
	k->depth = calloc(st->n ? st->n : 1, 1);
	if (!k->key || !k->depth || fw_ki_init(&k->ki, st->n)) {
		keyed_free(k);
		snprintf(err, errlen, "out of memory indexing %zu rules", st->n);
		return -1;
	}
	for (i = 0; i < st->n; i++) {
		if (fw_name_parse(st->e[i].name, &name, why, sizeof(why))) {
			snprintf(err, errlen, "stored name '%s' is invalid: %s", st->e[i].name, why);
			keyed_free(k);
			return -1;
		}
		fw_name_key(&name, seed, &k->key[i]);
		k->depth[i] = (uint8_t)name.nlabels;
		fw_ki_add(&k->ki, &k->key[i], (uint32_t)i);
	}
	return 0;
}

/* The keys of both states, under the maps' seed; cfg is left read. */
static int keyed_pair(struct fw_maps *m, const struct fw_state *from, const struct fw_state *to,
		      struct fw_config *cfg, struct keyed_state *kf, struct keyed_state *kt,
		      char *err, size_t errlen)
{
	if (fw_maps_get_config(m, cfg)) {
		snprintf(err, errlen, "cannot read %s/%s: %s", m->pin_path, FW_MAP_CONFIG,
			 strerror(errno));
		return -1;
	}
	if (keyed_build(from, cfg->seed, kf, err, errlen))
		return -1;
	if (keyed_build(to, cfg->seed, kt, err, errlen)) {
		keyed_free(kf);
		return -1;
	}
	return 0;
}

/* Manual entries outrank feeds, feeds outrank auto; the lower origin wins. */
static void merge_side(__u8 *action, __u8 *origin, int first, const struct fw_entry *e)
{
	if (first || e->origin < *origin || (e->origin == *origin && e->action > *action)) {
		*action = e->action;
		*origin = e->origin;
	}
}

void fw_merge_entry(struct fw_rule *r, const struct fw_entry *e)
{
	if (e->list == FW_LIST_ALLOW) {
		r->flags |= e->match == FW_MATCH_EXACT ? FW_ALLOW_EXACT : FW_ALLOW_SUBTREE;
		return;
	}
	if (e->match == FW_MATCH_EXACT) {
		merge_side(&r->exact_action, &r->exact_origin, !(r->flags & FW_BLOCK_EXACT), e);
		r->flags |= FW_BLOCK_EXACT;
	} else {
		merge_side(&r->subtree_action, &r->subtree_origin, !(r->flags & FW_BLOCK_SUBTREE),
			   e);
		r->flags |= FW_BLOCK_SUBTREE;
	}
}

static void merged_value(const struct keyed_state *k, const struct fw_key *key,
			 struct fw_rule *r)
{
	uint32_t i;

	memset(r, 0, sizeof(*r));
	for (i = fw_ki_first(&k->ki, key); i != FW_KI_NONE; i = k->ki.next[i])
		fw_merge_entry(r, &k->st->e[i]);
}

struct map_batch {
	struct fw_key *upd_key, *del_key;
	struct fw_rule *upd_val;
	size_t nupd, ndel;
	long added, removed; /* keys new to the map, keys gone from it */
};

static void diff_key(const struct keyed_state *from, const struct keyed_state *to,
		     const struct fw_key *key, int full, struct map_batch *b)
{
	struct fw_rule old, new;

	merged_value(to, key, &new);
	merged_value(from, key, &old);
	if (!new.flags) {
		if (old.flags || full)
			b->del_key[b->ndel++] = *key;
		b->removed += old.flags != 0;
		return;
	}
	b->added += !old.flags;
	if (full || memcmp(&old, &new, sizeof(old))) {
		b->upd_key[b->nupd] = *key;
		b->upd_val[b->nupd++] = new;
	}
}

/* Each distinct key of either state lands in the batch once. */
static void diff_states(const struct keyed_state *from, const struct keyed_state *to, int full,
			struct map_batch *b)
{
	size_t i;

	for (i = 0; i < to->st->n; i++)
		if (fw_ki_first(&to->ki, &to->key[i]) == i)
			diff_key(from, to, &to->key[i], full, b);
	for (i = 0; i < from->st->n; i++)
		if (fw_ki_first(&from->ki, &from->key[i]) == i &&
		    fw_ki_first(&to->ki, &from->key[i]) == FW_KI_NONE)
			diff_key(from, to, &from->key[i], full, b);
}

static int write_batch(struct fw_maps *m, struct map_batch *b)
{
	size_t i;

	if (b->nupd) {
		__u32 count = b->nupd;

		if (bpf_map_update_batch(m->rules_fd, b->upd_key, b->upd_val, &count, NULL)) {
			/* Older kernels lack batches for this map: one at a time. */
			for (i = 0; i < b->nupd; i++)
				if (bpf_map_update_elem(m->rules_fd, &b->upd_key[i], &b->upd_val[i],
							BPF_ANY))
					return -1;
		}
	}
	for (i = 0; i < b->ndel; i++)
		if (bpf_map_delete_elem(m->rules_fd, &b->del_key[i]) && errno != ENOENT)
			return -1;
	return 0;
}

static void depth_mask_of(const struct keyed_state *k, struct fw_config *cfg)
{
	size_t i;

	memset(cfg->depth_mask, 0, sizeof(cfg->depth_mask));
	cfg->max_depth = 0;
	for (i = 0; i < k->st->n; i++) {
		uint8_t d = k->depth[i];

		cfg->depth_mask[(d >> 6) & 1] |= 1ULL << (d & 63);
		if (d > cfg->max_depth)
			cfg->max_depth = d;
	}
}

static void filter_of(const struct keyed_state *k, uint64_t *bits, uint32_t mask)
{
	size_t i;

	for (i = 0; i < k->st->n; i++)
		bits[fw_filter_index(k->key[i].hi, mask)] |= fw_filter_bit(k->key[i].hi);
}

/*
 * Widen the filter and depth mask to cover both states before the rules
 * change, narrow them to the target after, so no rule is ever unreachable.
 */
static int publish_filter(struct fw_maps *m, const uint64_t *bits, int exact)
{
	uint32_t w;

	for (w = 0; w < m->filter_words; w++) {
		uint64_t want = exact ? bits[w] : (m->filter[w] | bits[w]);

		if (m->filter[w] != want)
			__atomic_store_n(&m->filter[w], want, __ATOMIC_RELEASE);
	}
	return 0;
}

static int publish_config(struct fw_maps *m, const struct fw_config *target, int exact)
{
	struct fw_config cfg;

	if (fw_maps_get_config(m, &cfg))
		return -1;
	if (exact) {
		memcpy(cfg.depth_mask, target->depth_mask, sizeof(cfg.depth_mask));
		cfg.max_depth = target->max_depth;
	} else {
		cfg.depth_mask[0] |= target->depth_mask[0];
		cfg.depth_mask[1] |= target->depth_mask[1];
		if (target->max_depth > cfg.max_depth)
			cfg.max_depth = target->max_depth;
	}
	return fw_maps_set_config(m, &cfg);
}

/*
 * narrow: make filter and depth mask exactly `to`'s. Without it (a change to a
 * few names) they only widen: a bit left by a deleted name costs a hash
 * lookup that misses, never a wrong verdict, and the next compaction or
 * resync narrows them again.
 */
static int apply(struct fw_maps *m, const struct keyed_state *from, const struct keyed_state *to,
		 int full, int narrow, struct map_batch *b)
{
	struct fw_config target = {};
	uint64_t *bits = calloc(m->filter_words, sizeof(*bits));
	int ret = -1;

	if (!bits)
		return -1;
	filter_of(to, bits, m->filter_words - 1);
	depth_mask_of(to, &target);
	diff_states(from, to, full, b);
	if (publish_filter(m, bits, 0) || publish_config(m, &target, 0))
		goto out;
	if (write_batch(m, b))
		goto out;
	if (narrow && (publish_filter(m, bits, 1) || publish_config(m, &target, 1)))
		goto out;
	ret = 0;
out:
	free(bits);
	return ret;
}

/*
 * `status` reads the number of names from the config map: walking 10^6 keys
 * took it most of a second. Every writer of fw_rules keeps it.
 */
static int set_names(struct fw_maps *m, long delta, long exact)
{
	struct fw_config cfg;

	if (fw_maps_get_config(m, &cfg))
		return -1;
	cfg.names = exact >= 0 ? (__u32)exact : (__u32)((long)cfg.names + delta);
	return fw_maps_set_config(m, &cfg);
}

static int sync_maps(struct fw_maps *m, const struct fw_state *from, const struct fw_state *to,
		     int full, int narrow, char *err, size_t errlen)
{
	struct keyed_state kf, kt;
	struct map_batch b = {};
	struct fw_config cfg;
	size_t room = from->n + to->n + 1;
	int ret = -1;

	if (keyed_pair(m, from, to, &cfg, &kf, &kt, err, errlen))
		return -1;
	if (kt.ki.nkeys > m->capacity) {
		snprintf(err, errlen,
			 "the rule map holds %u names and this change needs %zu; nothing was "
			 "changed. Remove names, or recreate the maps with a larger capacity "
			 "('fluxwall detach --purge', then attach with --capacity N)",
			 m->capacity, kt.ki.nkeys);
		goto out;
	}
	b.upd_key = calloc(room, sizeof(*b.upd_key));
	b.del_key = calloc(room, sizeof(*b.del_key));
	b.upd_val = calloc(room, sizeof(*b.upd_val));
	if (!b.upd_key || !b.del_key || !b.upd_val) {
		snprintf(err, errlen, "out of memory preparing %zu map updates", room);
		goto out;
	}
	if (apply(m, &kf, &kt, full, narrow, &b)) {
		int saved = errno;
		struct map_batch undo = b;

		undo.nupd = undo.ndel = 0;
		apply(m, &kt, &kf, 1, narrow, &undo);
		if (saved == E2BIG)
			snprintf(err, errlen,
				 "the rule map is full (%u names); nothing was changed. Remove "
				 "names, or recreate the maps with a larger capacity ('fluxwall "
				 "detach --purge', then attach with --capacity N)",
				 m->capacity);
		else
			snprintf(err, errlen,
				 "updating %s/%s failed (%s); the previous rules were restored",
				 m->pin_path, FW_MAP_RULES, strerror(saved));
		goto out;
	}
	if (set_names(m, b.added - b.removed, -1)) {
		snprintf(err, errlen, "cannot write %s/%s: %s", m->pin_path, FW_MAP_CONFIG,
			 strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(b.upd_key);
	free(b.del_key);
	free(b.upd_val);
	keyed_free(&kf);
	keyed_free(&kt);
	return ret;
}

int fw_sync_maps(struct fw_maps *m, const struct fw_state *from, const struct fw_state *to,
		 int full, char *err, size_t errlen)
{
	return sync_maps(m, from, to, full, 1, err, errlen);
}

int fw_names_fit(struct fw_maps *m, const struct fw_state *from, const struct fw_state *to,
		 char *err, size_t errlen)
{
	struct keyed_state kf, kt;
	struct fw_config cfg;
	long need, grows;

	if (keyed_pair(m, from, to, &cfg, &kf, &kt, err, errlen))
		return -1;
	grows = (long)kt.ki.nkeys - (long)kf.ki.nkeys;
	need = (long)cfg.names + grows;
	keyed_free(&kf);
	keyed_free(&kt);
	if (grows <= 0 || need <= (long)m->capacity)
		return 0;
	snprintf(err, errlen,
		 "the rule map holds %u names and this change needs %ld; nothing was changed. "
		 "Remove names, or recreate the maps with a larger capacity ('fluxwall detach "
		 "--purge', then attach with --capacity N)",
		 m->capacity, need);
	return -1;
}

int fw_sync_names(struct fw_maps *m, const struct fw_state *from, const struct fw_state *to,
		  char *err, size_t errlen)
{
	return sync_maps(m, from, to, 0, 0, err, errlen);
}

/* Keys in the map that `to` does not have, from an interrupted update. */
static int delete_strays(struct fw_maps *m, const struct keyed_state *to)
{
	struct fw_key cur, next;
	void *prev = NULL;
	size_t n = 0, cap = 0, i;
	struct fw_key *strays = NULL;
	int ret = 0;

	while (!bpf_map_get_next_key(m->rules_fd, prev, &next)) {
		if (fw_ki_first(&to->ki, &next) == FW_KI_NONE) {
			if (n == cap) {
				struct fw_key *ns;

				cap = cap ? cap * 2 : 1024;
				ns = realloc(strays, cap * sizeof(*ns));
				if (!ns) {
					free(strays);
					return -1;
				}
				strays = ns;
			}
			strays[n++] = next;
		}
		cur = next;
		prev = &cur;
	}
	for (i = 0; i < n; i++)
		if (bpf_map_delete_elem(m->rules_fd, &strays[i]) && errno != ENOENT)
			ret = -1;
	free(strays);
	return ret;
}

int fw_resync_maps(struct fw_maps *m, const struct fw_state *to, char *err, size_t errlen)
{
	struct fw_state empty = {};
	struct keyed_state kt;
	struct fw_config cfg;
	int ret;

	if (fw_maps_get_config(m, &cfg)) {
		snprintf(err, errlen, "cannot read %s/%s: %s", m->pin_path, FW_MAP_CONFIG,
			 strerror(errno));
		return -1;
	}
	if (fw_sync_maps(m, &empty, to, 1, err, errlen))
		return -1;
	if (keyed_build(to, cfg.seed, &kt, err, errlen))
		return -1;
	ret = delete_strays(m, &kt);
	if (!ret)
		ret = set_names(m, 0, (long)kt.ki.nkeys);
	keyed_free(&kt);
	if (ret)
		snprintf(err, errlen, "cannot remove stale rules from %s/%s: %s", m->pin_path,
			 FW_MAP_RULES, strerror(errno));
	return ret;
}
