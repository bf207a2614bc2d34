// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Auto-block decisions: never-block rules, a per-minute budget, expiry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/autoblock_policy.h"
#include "formats/dns_name.h"
#include "engine/name_table.h"

struct ab_entry {
	struct fw_ntab_node node;
	uint64_t expires_ns;
	char name[];
};

struct fw_autoblock {
	struct fw_autoblock_params p;
	fw_allowed_fn allowed;
	void *allowed_ctx;
	const struct fw_protected *prot;
	const struct fw_regdom *psl;
	struct fw_ntab active;
	uint64_t *recent; /* times of the last max_new_per_min new blocks, a ring */
	uint32_t recent_next;
};

static const char *entry_name(const struct fw_ntab_node *n)
{
	return ((const struct ab_entry *)n)->name;
}

void fw_autoblock_params_default(struct fw_autoblock_params *p)
{
	p->max_new_per_min = FW_AB_DEFAULT_MAX_PER_MIN;
	p->expiry_s = FW_AB_DEFAULT_EXPIRY_S;
}

struct fw_autoblock *fw_autoblock_new(const struct fw_autoblock_params *p, fw_allowed_fn allowed,
				      void *allowed_ctx, const struct fw_protected *prot,
				      const struct fw_regdom *psl, char *err, size_t errlen)
{
	struct fw_autoblock *ab;

	if (p->expiry_s < 1) {
		snprintf(err, errlen, "auto-block expiry must be at least 1 s");
		return NULL;
	}
	ab = calloc(1, sizeof(*ab));
	if (!ab)
		goto oom;
	ab->p = *p;
	ab->allowed = allowed;
	ab->allowed_ctx = allowed_ctx;
	ab->prot = prot;
	ab->psl = psl;
	if (p->max_new_per_min) {
		ab->recent = calloc(p->max_new_per_min, sizeof(*ab->recent));
		if (!ab->recent)
			goto oom;
	}
	if (fw_ntab_init(&ab->active, 256, entry_name) < 0)
		goto oom;
	return ab;
oom:
	if (ab)
		free(ab->recent);
	free(ab);
	snprintf(err, errlen, "out of memory for the auto-block policy");
	return NULL;
}

static void drop(struct fw_autoblock *ab, struct ab_entry *e)
{
	fw_ntab_remove(&ab->active, &e->node);
	free(e);
}

void fw_autoblock_free(struct fw_autoblock *ab)
{
	size_t i;

	if (!ab)
		return;
	for (i = 0; i <= ab->active.mask; i++) {
		struct fw_ntab_node *n = ab->active.bucket[i], *next;

		for (; n; n = next) {
			next = n->next;
			free(n);
		}
	}
	fw_ntab_free(&ab->active);
	free(ab->recent);
	free(ab);
}

static struct ab_entry *find(const struct fw_autoblock *ab, const char *name)
{
	return (struct ab_entry *)fw_ntab_find(&ab->active, name, fw_ntab_hash(&ab->active, name));
}

static struct ab_entry *add(struct fw_autoblock *ab, const char *name, uint64_t expires_ns)
{
	size_t len = strlen(name);
	struct ab_entry *e = calloc(1, sizeof(*e) + len + 1);

	if (!e)
		return NULL;
	memcpy(e->name, name, len + 1);
	e->expires_ns = expires_ns;
	fw_ntab_insert(&ab->active, &e->node, fw_ntab_hash(&ab->active, name));
	return e;
}

/*
 * New blocks in the 60 s around now; the ring holds the latest ones.
 * Samples from two CPUs arrive a few milliseconds out of order, so a
 * block stamped after now counts too (within a window: a clock stepped
 * back further must not stop auto-blocking until it catches up).
 */
static bool budget_left(const struct fw_autoblock *ab, uint64_t now_ns)
{
	uint32_t i, used = 0;

	for (i = 0; i < ab->p.max_new_per_min; i++) {
		uint64_t t = ab->recent[i];

		if (t && (t <= now_ns ? now_ns - t : t - now_ns) < FW_AB_RATE_WINDOW_NS)
			used++;
	}
	return used < ab->p.max_new_per_min;
}

static void spend_budget(struct fw_autoblock *ab, uint64_t now_ns)
{
	/* 0 marks an empty slot, so a block at time 0 is stored as 1 ns. */
	ab->recent[ab->recent_next] = now_ns ? now_ns : 1;
	ab->recent_next = (ab->recent_next + 1) % ab->p.max_new_per_min;
}

static uint64_t expiry_from(const struct fw_autoblock *ab, uint64_t now_ns)
{
	return now_ns + (uint64_t)ab->p.expiry_s * 1000000000ull;
}

/*
 * The never-block rules; a refused name also loses any auto entry it had.
 * The detail names the domain in printable form: it may be hostile bytes.
 */
static bool refused(struct fw_autoblock *ab, const char *domain, struct fw_ab_verdict *v)
{
	struct ab_entry *e = find(ab, domain);
	char which[256], why[200];

	if (fw_name_check_host(domain, why, sizeof(why))) {
		v->decision = FW_AB_UNBLOCKABLE;
		snprintf(v->detail, sizeof(v->detail),
			 "a domain of %zu bytes is not a host name (%s): not auto-blocked",
			 strlen(domain), why);
	} else if (ab->psl && fw_regdom_is_suffix(ab->psl, domain)) {
		v->decision = FW_AB_UNBLOCKABLE;
		snprintf(v->detail, sizeof(v->detail),
			 "%s is a public suffix: blocking it would block every domain below it: "
			 "not auto-blocked",
			 domain);
	} else if (ab->allowed && ab->allowed(domain, ab->allowed_ctx)) {
		v->decision = FW_AB_ALLOWLISTED;
		snprintf(v->detail, sizeof(v->detail), "%s is allowlisted: not auto-blocked",
			 domain);
	} else if (fw_protected_covers(ab->prot, domain, which, sizeof(which))) {
		v->decision = FW_AB_PROTECTED;
		snprintf(v->detail, sizeof(v->detail),
			 "%s would block protected popular domain %s: not auto-blocked", domain,
			 which);
	} else {
		return false;
	}
	if (e) {
		v->unblock = true;
		drop(ab, e);
	}
	return true;
}

enum fw_ab_decision fw_autoblock_decide(struct fw_autoblock *ab, const char *domain, bool flux,
					bool budget_spent, uint64_t now_ns, struct fw_ab_verdict *v)
{
	struct ab_entry *e;

	memset(v, 0, sizeof(*v));
	if (!flux)
		return v->decision = FW_AB_NONE;
	if (refused(ab, domain, v))
		return v->decision;
	v->expires_ns = expiry_from(ab, now_ns);
	e = find(ab, domain);
	if (e) {
		e->expires_ns = v->expires_ns;
		snprintf(v->detail, sizeof(v->detail), "%s still fluxing: auto-block extended",
			 domain);
		return v->decision = FW_AB_REFRESH;
	}
	if (!ab->p.max_new_per_min || (!budget_spent && !budget_left(ab, now_ns))) {
		v->expires_ns = 0;
		snprintf(v->detail, sizeof(v->detail),
			 "%s is flux but %u new auto-blocks in the last minute is the limit: "
			 "alert only; raise the limit or block it by hand",
			 domain, ab->p.max_new_per_min);
		return v->decision = FW_AB_RATE_LIMITED;
	}
	if (!add(ab, domain, v->expires_ns)) {
		v->expires_ns = 0;
		snprintf(v->detail, sizeof(v->detail),
			 "%s is flux but out of memory recording the auto-block: alert only",
			 domain);
		return v->decision = FW_AB_RATE_LIMITED;
	}
	if (!budget_spent)
		spend_budget(ab, now_ns);
	snprintf(v->detail, sizeof(v->detail), "%s is flux: auto-blocked", domain);
	return v->decision = FW_AB_BLOCK;
}

size_t fw_autoblock_expire(struct fw_autoblock *ab, uint64_t now_ns,
			   void (*unblock)(const char *name, void *ctx), void *ctx)
{
	size_t expired = 0, i;

	for (i = 0; i <= ab->active.mask; i++) {
		struct fw_ntab_node *n = ab->active.bucket[i], *next;

		for (; n; n = next) {
			struct ab_entry *e = (struct ab_entry *)n;

			next = n->next;
			if (e->expires_ns > now_ns)
				continue;
			if (unblock)
				unblock(e->name, ctx);
			drop(ab, e);
			expired++;
		}
	}
	return expired;
}

int fw_autoblock_restore(struct fw_autoblock *ab, const char *domain, uint64_t expires_ns)
{
	struct ab_entry *e = find(ab, domain);

	if (e) {
		e->expires_ns = expires_ns;
		return 0;
	}
	return add(ab, domain, expires_ns) ? 0 : -1;
}

int fw_autoblock_forget(struct fw_autoblock *ab, const char *domain)
{
	struct ab_entry *e = find(ab, domain);

	if (!e)
		return -1;
	drop(ab, e);
	return 0;
}

bool fw_autoblock_active(const struct fw_autoblock *ab, const char *domain, uint64_t *expires_ns)
{
	const struct ab_entry *e = find(ab, domain);

	if (e && expires_ns)
		*expires_ns = e->expires_ns;
	return e != NULL;
}

size_t fw_autoblock_count(const struct fw_autoblock *ab)
{
	return ab->active.count;
}

const char *fw_ab_decision_name(enum fw_ab_decision d)
{
	switch (d) {
	case FW_AB_NONE:
		return "none";
	case FW_AB_BLOCK:
		return "block";
	case FW_AB_REFRESH:
		return "refresh";
	case FW_AB_ALLOWLISTED:
		return "allowlisted";
	case FW_AB_PROTECTED:
		return "protected";
	case FW_AB_RATE_LIMITED:
		return "rate_limited";
	case FW_AB_UNBLOCKABLE:
		return "unblockable";
	}
	return "unknown";
}
