/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Flux scores over a domain's features (domain_state.h).
 *
 * Reference: Holz et al., "Measuring and Detecting Fast-Flux Service
 * Networks", NDSS 2008: f = 1.32 * n_A + 18.54 * n_ASN - 142.38, flux when
 * f > 0, with n_A the distinct A records and n_ASN the distinct ASNs.
 *
 * fluxwall's score: a weighted sum of terms, each a feature normalised to
 * 0..1 times its weight, so every point of the score can be shown to an
 * operator. Diversity terms alone cannot reach the threshold (an NTP pool
 * is diverse too); what only flux has is IPs that keep changing *across
 * networks*, which the rotation-across-networks term (rotation x ASN
 * diversity) measures. docs/detection.md explains each weight.
 */
#ifndef FW_FLUX_SCORE_H
#define FW_FLUX_SCORE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/domain_state.h"

#define FW_HOLZ_W_A   1.32
#define FW_HOLZ_W_ASN 18.54
#define FW_HOLZ_BIAS  -142.38

/* Holz et al. flux function of distinct A records and distinct ASNs. */
double fw_holz_score(unsigned n_a, unsigned n_asn);

/* The reference verdict: f > 0. */
bool fw_holz_is_flux(double f);

/* One field per row of score_params.h: p->threshold, p->w_asn, ... */
struct fw_score_params {
#define FW_SCORE_PARAM(name, def, min, max, help) double name;
#include "formats/score_params.h"
#undef FW_SCORE_PARAM
};

/* One row per parameter, for the config file and its documentation. */
struct fw_score_param_desc {
	const char *name; /* config key, e.g. "score_threshold" */
	size_t offset;	  /* into struct fw_score_params */
	double def;
	double min;
	double max;
	const char *help;
};

extern const struct fw_score_param_desc fw_score_param_table[];
extern const size_t fw_score_param_count;

void fw_score_params_default(struct fw_score_params *p);

enum fw_score_term_id {
	FW_TERM_ASN,
	FW_TERM_COUNTRY,
	FW_TERM_ENTROPY,
	FW_TERM_GEO,
	FW_TERM_TTL_LOW,
	FW_TERM_ROTATION,
	FW_TERM_ROTATION_NET,
	FW_TERM_ANSWER_SIZE,
	FW_TERM_HOPPING,
	FW_TERM_NAMES,
	FW_TERM_NS_CHURN,
	FW_TERM_PERSISTENCE,
	FW_TERM_MAX,
};

struct fw_score_term {
	const char *name; /* stable: JSON field and text label */
	double input;	  /* normalised feature, 0..1 */
	double weight;
	double contribution; /* input * weight */
};

struct fw_score_result {
	double score;
	double threshold;
	bool over_threshold;
	bool enough_evidence;
	bool flux;		    /* over the threshold with enough evidence */
	bool asn_proxy;		    /* no ASN data: /16 diversity stood in for ASNs */
	char evidence_note[96];	    /* why the evidence is not enough, else "" */
	const char *evidence_basis; /* what completed it: "answer_sets", "host_names", "ns_hosts" */
	struct fw_score_term terms[FW_TERM_MAX];
	double holz; /* reference score on the same features */
	bool holz_flux;
};

void fw_score(const struct fw_score_params *p, const struct fw_features *f,
	      struct fw_score_result *r);

/*
 * A one-line reason for the block map and the event log, e.g.
 * "flux score 86.2 >= 50.0: rotation_net 40.0, asn 15.0, rotation 10.0".
 */
void fw_score_reason(const struct fw_score_result *r, char *buf, size_t len);

#endif /* FW_FLUX_SCORE_H */
