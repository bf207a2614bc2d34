// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The Holz et al. reference score and fluxwall's explainable flux score. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/flux_score.h"

double fw_holz_score(unsigned n_a, unsigned n_asn)
{
	return FW_HOLZ_W_A * n_a + FW_HOLZ_W_ASN * n_asn + FW_HOLZ_BIAS;
}

bool fw_holz_is_flux(double f)
{
	return f > 0.0;
}

#define P(field) offsetof(struct fw_score_params, field)

const struct fw_score_param_desc fw_score_param_table[] = {
#define FW_SCORE_PARAM(name, def, min, max, help) {"score_" #name, P(name), def, min, max, help},
#include "formats/score_params.h"
#undef FW_SCORE_PARAM
};

const size_t fw_score_param_count = sizeof(fw_score_param_table) / sizeof(fw_score_param_table[0]);

static double *param_field(struct fw_score_params *p, const struct fw_score_param_desc *d)
{
	return (double *)((char *)p + d->offset);
}

void fw_score_params_default(struct fw_score_params *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < fw_score_param_count; i++)
		*param_field(p, &fw_score_param_table[i]) = fw_score_param_table[i].def;
}

static double clamp01(double x)
{
	return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

/* 0 for one value, 1 from `sat` distinct values on. */
static double diversity(unsigned n, double sat)
{
	return n <= 1 ? 0.0 : clamp01((n - 1.0) / (sat - 1.0));
}

/* 0 up to floor, 1 from sat on, linear between. */
static double ramp(double x, double floor, double sat)
{
	if (sat <= floor)
		return x > floor ? 1.0 : 0.0;
	return clamp01((x - floor) / (sat - floor));
}

static void set_term(struct fw_score_result *r, enum fw_score_term_id id, const char *name,
		     double input, double weight)
{
	struct fw_score_term *t = &r->terms[id];

	t->name = name;
	t->input = input;
	t->weight = weight;
	t->contribution = input * weight + 0.0; /* no "-0.0" in explanations */
	r->score += t->contribution;
}

/* Network diversity from ASNs, or from /16 prefixes when no ASN data exists. */
static double network_diversity(const struct fw_score_params *p, const struct fw_features *f,
				struct fw_score_result *r)
{
	if (f->geo_features & FW_GEO_HAS_ASN)
		return diversity(f->n_asns, p->asn_sat);
	r->asn_proxy = true;
	return diversity(f->n_wide_prefixes, p->wide_prefix_sat);
}

/*
 * Answers that rotate across networks but stay on one continent are what a
 * resolver's regional pool looks like (an NTP pool zone behind GeoDNS, with
 * a few servers that geolocation puts elsewhere); botnet hosts are
 * scattered over the world. Without country data the spread cannot be
 * told, so it does not hold the term back.
 */
static double continent_spread(const struct fw_score_params *p, const struct fw_features *f)
{
	if (!(f->geo_features & FW_GEO_HAS_COUNTRY))
		return 1.0;
	return ramp(f->eff_continents, p->continent_floor, p->continent_sat);
}

/*
 * Enough evidence needs the IPs to show diversity and something beyond one
 * response's content: a second answer set, or what a resolver's cache
 * cannot hide, the one set served for many host names of the domain, or
 * NS hosts whose own addresses keep changing (seen in other responses).
 */
static void check_evidence(const struct fw_score_params *p, const struct fw_features *f,
			   struct fw_score_result *r)
{
	r->enough_evidence = true;
	if (f->n_ips < p->min_ips) {
		snprintf(r->evidence_note, sizeof(r->evidence_note),
			 "%u distinct IP(s) seen, %g needed", f->n_ips, p->min_ips);
		r->enough_evidence = false;
	} else if (f->n_answer_sets >= p->min_answer_sets) {
		r->evidence_basis = "answer_sets";
	} else if (f->n_qnames >= p->min_names && f->observations >= 2 &&
		   f->n_asns >= p->min_wide_asns) {
		r->evidence_basis = "host_names";
	} else if (f->ns_host_churn >= p->ns_churn_sat) {
		r->evidence_basis = "ns_hosts";
	} else {
		snprintf(r->evidence_note, sizeof(r->evidence_note),
			 "%u distinct answer set(s) seen, %g needed", f->n_answer_sets,
			 p->min_answer_sets);
		r->enough_evidence = false;
	}
}

/*
 * 1 up to full, 0 from zero on, linear between: answers nobody may cache.
 * Behind a resolver most sightings show a TTL counted down, so the zone's
 * TTL is read from the high end of what was seen.
 */
static double uncacheable(const struct fw_score_params *p, const struct fw_features *f)
{
	return 1.0 - ramp(f->ttl_high, p->hopping_ttl_full, p->hopping_ttl_zero);
}

/* Double flux: the domain's own NS churn, or the most of one of its NS hosts. */
static double ns_churn(const struct fw_score_params *p, const struct fw_features *f)
{
	double own = f->ns_name_churn + f->ns_addr_churn;

	return clamp01((own > f->ns_host_churn ? own : f->ns_host_churn) / p->ns_churn_sat);
}

void fw_score(const struct fw_score_params *p, const struct fw_features *f,
	      struct fw_score_result *r)
{
	double net, rot;

	memset(r, 0, sizeof(*r));
	net = network_diversity(p, f, r);
	rot = ramp(f->rotation, p->rotation_floor, p->rotation_sat);
	set_term(r, FW_TERM_ASN, "asn_diversity", net, p->w_asn);
	set_term(r, FW_TERM_COUNTRY, "country_diversity", diversity(f->n_countries, p->country_sat),
		 p->w_country);
	set_term(r, FW_TERM_ENTROPY, "prefix_entropy", clamp01(f->prefix_entropy), p->w_entropy);
	set_term(r, FW_TERM_GEO, "geo_spread", clamp01(f->geo_spread_km / p->geo_sat_km), p->w_geo);
	set_term(r, FW_TERM_TTL_LOW, "low_ttl", clamp01(f->ttl_low_share), p->w_ttl_low);
	set_term(r, FW_TERM_ROTATION, "rotation", rot, p->w_rotation);
	set_term(r, FW_TERM_ROTATION_NET, "rotation_across_networks",
		 rot * net * continent_spread(p, f), p->w_rotation_net);
	set_term(r, FW_TERM_ANSWER_SIZE, "answer_size",
		 ramp(f->max_answer_size, p->answer_floor, p->answer_sat), p->w_answer_size);
	set_term(r, FW_TERM_HOPPING, "network_hopping",
		 clamp01(f->asn_novelty) * net * uncacheable(p, f), p->w_hopping);
	set_term(r, FW_TERM_NAMES, "host_name_spread",
		 ramp(f->n_qnames, p->min_names - 1, p->names_sat) * net, p->w_names);
	set_term(r, FW_TERM_NS_CHURN, "ns_churn", ns_churn(p, f), p->w_ns_churn);
	set_term(r, FW_TERM_PERSISTENCE, "ip_persistence", clamp01(f->ip_persistence),
		 p->w_persistence);
	r->threshold = p->threshold;
	r->over_threshold = r->score >= p->threshold;
	check_evidence(p, f, r);
	r->flux = r->over_threshold && r->enough_evidence;
	r->holz = fw_holz_score(f->n_ips, f->n_asns);
	r->holz_flux = fw_holz_is_flux(r->holz);
}

static int by_contribution_desc(const void *a, const void *b)
{
	const struct fw_score_term *x = *(const struct fw_score_term *const *)a;
	const struct fw_score_term *y = *(const struct fw_score_term *const *)b;

	return x->contribution < y->contribution ? 1 : x->contribution > y->contribution ? -1 : 0;
}

void fw_score_reason(const struct fw_score_result *r, char *buf, size_t len)
{
	const struct fw_score_term *order[FW_TERM_MAX];
	size_t off;
	int i, shown = 0;

	if (!len)
		return;
	for (i = 0; i < FW_TERM_MAX; i++)
		order[i] = &r->terms[i];
	qsort(order, FW_TERM_MAX, sizeof(order[0]), by_contribution_desc);
	snprintf(buf, len, "flux score %.1f %s %.1f", r->score, r->over_threshold ? ">=" : "<",
		 r->threshold);
	for (i = 0; i < FW_TERM_MAX && shown < 3; i++) {
		if (order[i]->contribution <= 0.0)
			break;
		off = strlen(buf);
		snprintf(buf + off, len - off, "%s%s %.1f", shown ? ", " : ": ", order[i]->name,
			 order[i]->contribution);
		shown++;
	}
	if (!r->enough_evidence && r->evidence_note[0]) {
		off = strlen(buf);
		snprintf(buf + off, len - off, "; not enough evidence: %s", r->evidence_note);
	}
}
