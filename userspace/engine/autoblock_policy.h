/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Whether a domain the scorer calls flux goes into the block map as an
 * auto entry. Pure policy: it remembers which auto entries it granted and
 * when they expire, and the caller applies its decisions to the maps.
 *
 * Never auto-blocked:
 *   - a public suffix (it has no registrant: blocking it blocks all below
 *     it), or a name no block rule can hold (bytes other than letters,
 *     digits, '-' and '_', as a hostile zone may send): FW_AB_UNBLOCKABLE;
 *   - a name the allowlist predicate accepts;
 *   - a name on (or above) the protected list of popular domains;
 *   - more than max_new_per_min new domains in any 60 s: past that the
 *     decision is FW_AB_RATE_LIMITED, for the caller to log and alert.
 * An auto entry expires expiry_s after the last time its domain was seen
 * fluxing; refreshes do not count against the rate limit.
 */
#ifndef FW_AUTOBLOCK_POLICY_H
#define FW_AUTOBLOCK_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/protected_list.h"
#include "engine/regdomain.h"

#define FW_AB_DEFAULT_MAX_PER_MIN 10
#define FW_AB_DEFAULT_EXPIRY_S	  86400
#define FW_AB_RATE_WINDOW_NS	  60000000000ull

struct fw_autoblock_params {
	uint32_t max_new_per_min; /* 0: never block, only alert */
	uint32_t expiry_s;	  /* >= 1 */
};

/* Does the allowlist cover name (so that blocking it is forbidden)? */
typedef bool (*fw_allowed_fn)(const char *name, void *ctx);

enum fw_ab_decision {
	FW_AB_NONE,	    /* not flux: nothing to do */
	FW_AB_BLOCK,	    /* add an auto entry expiring at expires_ns */
	FW_AB_REFRESH,	    /* already auto-blocked: move its expiry to expires_ns */
	FW_AB_ALLOWLISTED,  /* flux but allowlisted: log it */
	FW_AB_PROTECTED,    /* flux but a protected popular domain: log it */
	FW_AB_RATE_LIMITED, /* flux but the per-minute budget is spent: log and alert */
	FW_AB_UNBLOCKABLE,  /* flux but a public suffix, or no host name: log it */
};

struct fw_ab_verdict {
	enum fw_ab_decision decision;
	uint64_t expires_ns; /* for BLOCK and REFRESH */
	bool unblock;	     /* an auto entry of this name must go: now allowed or protected */
	char detail[640];    /* one line for the log */
};

struct fw_autoblock;

void fw_autoblock_params_default(struct fw_autoblock_params *p);

/*
 * allowed, prot and psl (the public suffixes) may be NULL. NULL with err on
 * bad params or no memory.
 */
struct fw_autoblock *fw_autoblock_new(const struct fw_autoblock_params *p, fw_allowed_fn allowed,
				      void *allowed_ctx, const struct fw_protected *prot,
				      const struct fw_regdom *psl, char *err, size_t errlen);
void fw_autoblock_free(struct fw_autoblock *ab);

/*
 * Decide for a registered domain the scorer just judged (flux or not).
 * budget_spent: the domain joins a flux network one of whose domains was
 * already blocked, which spent the budget for the whole network (the
 * limit guards against a scoring fault across unrelated domains).
 */
enum fw_ab_decision fw_autoblock_decide(struct fw_autoblock *ab, const char *domain, bool flux,
					bool budget_spent, uint64_t now_ns,
					struct fw_ab_verdict *v);

/*
 * Forget every auto entry whose expiry is at or before now_ns, calling
 * unblock(name) first for each so the caller can delete it from the map.
 * Returns how many expired.
 */
size_t fw_autoblock_expire(struct fw_autoblock *ab, uint64_t now_ns,
			   void (*unblock)(const char *name, void *ctx), void *ctx);

/* Re-learn an auto entry found in the block map at start (no rate cost). */
int fw_autoblock_restore(struct fw_autoblock *ab, const char *domain, uint64_t expires_ns);

/* Forget an auto entry an operator removed; -1 when it was not one. */
int fw_autoblock_forget(struct fw_autoblock *ab, const char *domain);

/* True (and its expiry) when domain holds an auto entry. */
bool fw_autoblock_active(const struct fw_autoblock *ab, const char *domain, uint64_t *expires_ns);

size_t fw_autoblock_count(const struct fw_autoblock *ab);

const char *fw_ab_decision_name(enum fw_ab_decision d);

#endif /* FW_AUTOBLOCK_POLICY_H */
