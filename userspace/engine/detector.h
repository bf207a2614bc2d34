/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The detection pipeline shared by `fluxwall run` and `fluxwall replay`:
 * observations in, per-name and per-registered-domain features, a score,
 * and auto-block decisions out.
 */
#ifndef FW_DETECTOR_H
#define FW_DETECTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/autoblock_policy.h"
#include "engine/domain_state.h"
#include "engine/explain.h"
#include "engine/flux_network.h"
#include "engine/flux_score.h"
#include "engine/geo.h"
#include "formats/observation.h"

enum fw_score_mode {
	FW_SCORE_FLUXWALL = 0,
	FW_SCORE_HOLZ,
};

struct fw_detector_params {
	struct fw_domstate_params ds;
	struct fw_netidx_params net;
	struct fw_score_params score;
	struct fw_autoblock_params ab;
	enum fw_score_mode mode;
	const char *protected_path; /* NULL or "" for none */
	const char *psl_path;	    /* NULL: Debian's publicsuffix */
};

struct fw_detection {
	enum fw_ab_decision decision;
	char domain[256]; /* the registered domain */
	char scored[256]; /* the key whose score decided: name or domain */
	struct fw_score_result result;
	uint64_t expires_ns;
	bool unblock;
	char reason[256];
	char detail[640];
	uint32_t network; /* the flux network the verdict came from, 0 for none */
};

struct fw_detector;

void fw_detector_params_default(struct fw_detector_params *p);

struct fw_detector *fw_detector_new(const struct fw_detector_params *p, struct fw_geo *geo,
				    fw_allowed_fn allowed, void *allowed_ctx, char *err,
				    size_t errlen);
void fw_detector_free(struct fw_detector *d);

/*
 * Feed one observation. Returns 1 and fills out when the registered domain
 * needs action (block, refresh, or a logged refusal), 0 when not, -1 on a
 * name that cannot be tracked. When the answers brought something new,
 * out->domain and out->result hold the score even without a decision.
 * A network judged flux by this response also judges its other domains:
 * fetch those decisions with fw_detector_pending() after each call.
 */
int fw_detector_observe(struct fw_detector *d, const struct fw_obs *obs, struct fw_detection *out);

/* The next decision about another domain of a network; 0 when none is left. */
int fw_detector_pending(struct fw_detector *d, struct fw_detection *out);

/*
 * The flux network of a tracked name's registered domain: the one most of
 * its addresses belong to, when it has two or more domains. -1 when none.
 */
int fw_detector_network(struct fw_detector *d, const char *name, uint64_t now_ns,
			struct fw_net_view *out);

/*
 * Score a tracked name or registered domain now; -1 when not tracked. A
 * domain answering from a network marked flux is flux, on that basis.
 */
int fw_detector_explain(struct fw_detector *d, const char *name, uint64_t now_ns,
			struct fw_features *f, struct fw_score_result *r, struct fw_evidence *ev);

/*
 * The whole explanation, with the evidence and the flux network, as
 * `fluxwall explain` prints it (text or one JSON object); NULL when name
 * is not tracked or memory ran out.
 */
char *fw_detector_explain_string(struct fw_detector *d, const char *name, uint64_t now_ns,
				 bool json);

struct fw_domstate *fw_detector_state(struct fw_detector *d);
struct fw_netidx *fw_detector_networks(struct fw_detector *d);
struct fw_autoblock *fw_detector_autoblock(struct fw_detector *d);
const char *fw_detector_regdomain(struct fw_detector *d, const char *name, char *buf, size_t len);

#endif /* FW_DETECTOR_H */
