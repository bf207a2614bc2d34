// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The Holz et al. reference score and fluxwall's explainable flux score. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flux_score.h"

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
    {"score.threshold", P(threshold), 50.0, 0.0, 1000.0,
     "score at or above which a domain with enough evidence is flux"},
    {"score.min_answer_sets", P(min_answer_sets), 2.0, 1.0, 1000.0,
     "distinct answer sets needed before any verdict of flux"},
    {"score.min_ips", P(min_ips), 4.0, 1.0, 10000.0,
     "distinct IPs needed before any verdict of flux"},
    {"score.w_asn", P(w_asn), 15.0, -1000.0, 1000.0,
     "weight of ASN diversity: (ASNs - 1) / (asn_sat - 1)"},
    {"score.asn_sat", P(asn_sat), 8.0, 2.0, 1000.0,
     "distinct ASNs at which ASN diversity counts in full"},
    {"score.wide_prefix_sat", P(wide_prefix_sat), 8.0, 2.0, 1000.0,
     "without an ASN database: distinct /16 (/32) prefixes standing in for ASNs"},
    {"score.w_country", P(w_country), 5.0, -1000.0, 1000.0,
     "weight of country diversity: (countries - 1) / (country_sat - 1)"},
    {"score.country_sat", P(country_sat), 5.0, 2.0, 1000.0,
     "distinct countries at which country diversity counts in full"},
    {"score.w_entropy", P(w_entropy), 5.0, -1000.0, 1000.0,
     "weight of the normalised entropy of IPs over /24 (IPv4) and /48 (IPv6) prefixes"},
    {"score.w_geo", P(w_geo), 5.0, -1000.0, 1000.0,
     "weight of geographic spread: largest distance between IPs / geo_sat_km"},
    {"score.geo_sat_km", P(geo_sat_km), 5000.0, 1.0, 40000.0,
     "distance in km at which geographic spread counts in full"},
    {"score.w_ttl_low", P(w_ttl_low), 5.0, -1000.0, 1000.0,
     "weight of the share of IPs whose TTL is below 300 s"},
    {"score.w_rotation", P(w_rotation), 10.0, -1000.0, 1000.0,
     "weight of rotation: new IPs per new answer set, from rotation_floor to rotation_sat"},
    {"score.rotation_floor", P(rotation_floor), 1.0, 0.0, 1000.0,
     "new IPs per new answer set that still count as no rotation"},
    {"score.rotation_sat", P(rotation_sat), 6.0, 0.01, 1000.0,
     "new IPs per new answer set at which rotation counts in full"},
    {"score.w_rotation_net", P(w_rotation_net), 40.0, -1000.0, 1000.0,
     "weight of rotation across networks: rotation x ASN diversity x continent spread"},
    {"score.continent_sat", P(continent_sat), 3.0, 3.0, 7.0,
     "continents at which the spread of rotating answers counts in full (two count as none)"},
    {"score.w_ns_churn", P(w_ns_churn), 25.0, -1000.0, 1000.0,
     "weight of NS churn (double flux): new NS names and addresses / ns_churn_sat"},
    {"score.ns_churn_sat", P(ns_churn_sat), 4.0, 1.0, 1000.0,
     "new NS names plus NS addresses at which NS churn counts in full"},
    {"score.w_persistence", P(w_persistence), -10.0, -1000.0, 1000.0,
     "weight of the share of IPs seen in two or more answer sets (negative: stable pools)"},
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

int fw_score_param_set(struct fw_score_params *p, const char *name, const char *value, char *err,
		       size_t errlen)
{
	const struct fw_score_param_desc *d = NULL;
	char *end;
	double v;
	size_t i;

	for (i = 0; i < fw_score_param_count; i++)
		if (strcmp(fw_score_param_table[i].name, name) == 0)
			d = &fw_score_param_table[i];
	if (!d) {
		snprintf(err, errlen, "unknown score parameter '%s'; see docs/detection.md", name);
		return -1;
	}
	errno = 0;
	v = strtod(value, &end);
	if (errno || end == value || *end || !isfinite(v)) {
		snprintf(err, errlen, "%s: '%s' is not a number", name, value);
		return -1;
	}
	if (v < d->min || v > d->max) {
		snprintf(err, errlen, "%s: %g is out of range; use %g to %g", name, v, d->min,
			 d->max);
		return -1;
	}
	*param_field(p, d) = v;
	return 0;
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

static double rotation_input(const struct fw_score_params *p, double rotation)
{
	double span = p->rotation_sat - p->rotation_floor;

	if (span <= 0.0)
		return rotation > p->rotation_floor ? 1.0 : 0.0;
	return clamp01((rotation - p->rotation_floor) / span);
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
 * Answers that rotate across networks but stay on one or two continents are
 * what a resolver's regional pool looks like (an NTP pool zone behind GeoDNS);
 * botnet hosts are scattered over the world. Without country data the
 * spread cannot be told, so it does not hold the term back.
 */
static double continent_spread(const struct fw_score_params *p, const struct fw_features *f)
{
	if (!(f->geo_features & FW_GEO_HAS_COUNTRY))
		return 1.0;
	/* a regional pool spills into a neighbouring continent now and then */
	return f->n_continents <= 2 ? 0.0
				   : clamp01((f->n_continents - 2.0) / (p->continent_sat - 2.0));
}

static void check_evidence(const struct fw_score_params *p, const struct fw_features *f,
			   struct fw_score_result *r)
{
	r->enough_evidence = false;
	if (f->n_answer_sets < p->min_answer_sets)
		snprintf(r->evidence_note, sizeof(r->evidence_note),
			 "%u distinct answer set(s) seen, %g needed", f->n_answer_sets,
			 p->min_answer_sets);
	else if (f->n_ips < p->min_ips)
		snprintf(r->evidence_note, sizeof(r->evidence_note),
			 "%u distinct IP(s) seen, %g needed", f->n_ips, p->min_ips);
	else
		r->enough_evidence = true;
}

void fw_score(const struct fw_score_params *p, const struct fw_features *f,
	      struct fw_score_result *r)
{
	double net, rot;

	memset(r, 0, sizeof(*r));
	net = network_diversity(p, f, r);
	rot = rotation_input(p, f->rotation);
	set_term(r, FW_TERM_ASN, "asn_diversity", net, p->w_asn);
	set_term(r, FW_TERM_COUNTRY, "country_diversity", diversity(f->n_countries, p->country_sat),
		 p->w_country);
	set_term(r, FW_TERM_ENTROPY, "prefix_entropy", clamp01(f->prefix_entropy), p->w_entropy);
	set_term(r, FW_TERM_GEO, "geo_spread", clamp01(f->geo_spread_km / p->geo_sat_km), p->w_geo);
	set_term(r, FW_TERM_TTL_LOW, "low_ttl", clamp01(f->ttl_low_share), p->w_ttl_low);
	set_term(r, FW_TERM_ROTATION, "rotation", rot, p->w_rotation);
	set_term(r, FW_TERM_ROTATION_NET, "rotation_across_networks",
		 rot * net * continent_spread(p, f), p->w_rotation_net);
	set_term(r, FW_TERM_NS_CHURN, "ns_churn",
		 clamp01((f->ns_name_churn + f->ns_addr_churn) / p->ns_churn_sat), p->w_ns_churn);
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
