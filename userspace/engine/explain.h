/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `fluxwall explain NAME`: a domain's features, each score term's
 * contribution, the score, the verdict and the evidence (IPs, ASNs and
 * countries with first and last seen), as text or as JSON.
 *
 * JSON field names are stable API:
 *   name, verdict ("flux", "not_flux" or "not_enough_evidence"), score,
 *   threshold, enough_evidence, evidence_note, asn_proxy,
 *   terms[] {name, input, weight, contribution},
 *   reference {method: "holz2008", score, flux},
 *   features {window_s, first_seen, last_seen, responses, ips, ips_exact,
 *     ips_estimated, prefixes, wide_prefixes, prefix_entropy, asns,
 *     countries, effective_countries, continents, effective_continents,
 *     located, geo_spread_km, ttl_min, ttl_median, ttl_low_share,
 *     answer_sets, max_answer_size, rotation,
 *     ip_persistence, ns_names, ns_addrs, ns_name_churn, ns_addr_churn,
 *     asn_novelty, ns_host_churn, host_names,
 *     geo {asn, country, location}},
 *   evidence {ips[] {ip, first_seen, last_seen, asn, country, ttl (largest),
 *     answer_sets, latitude, longitude}, asns[] {asn, ips, first_seen,
 *     last_seen}, countries[] {country, ips, first_seen, last_seen}},
 *   evidence_basis ("answer_sets", "host_names", "ns_hosts" or "network"),
 *   network {id, domains, addresses, flux, flux_until, score, reason,
 *     members[] {domain, verdict}, shared_addresses[]} (only in a network
 *     of two or more domains).
 * Times are seconds of the observation clock (Unix time for live traffic
 * and captures). Unknown ASNs and countries are left out, not written as 0.
 */
#ifndef FW_EXPLAIN_H
#define FW_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/domain_state.h"
#include "engine/flux_network.h"
#include "engine/flux_score.h"
#include "formats/json_out.h"

/* A domain's flux network as `explain` shows it (detector.c fills it). */
struct fw_net_view {
	struct fw_net_info info;
	bool flux;			      /* marked flux now */
	bool scored;			      /* score holds the network's own score */
	bool via_ns; /* the domain's name servers answer from it */
	struct fw_score_result score;	      /* over all its domains' answers */
	const char *verdicts[FW_NET_MEMBERS]; /* of info.members: blocked, flux, ... */
	uint32_t n_shared;		      /* the domain's addresses in the network */
	struct fw_ip shared[FW_EVIDENCE_MAX];
};

/* "flux", "not_flux" or "not_enough_evidence" (over the threshold too early). */
const char *fw_verdict_name(const struct fw_score_result *r);

/* ev and net may be NULL to leave the evidence or the network out. */
void fw_explain_text(FILE *out, const char *name, const struct fw_features *f,
		     const struct fw_score_result *r, const struct fw_evidence *ev,
		     const struct fw_net_view *net);

/* Write the explanation as one JSON object into an open writer. */
void fw_explain_json(struct fw_json *j, const char *name, const struct fw_features *f,
		     const struct fw_score_result *r, const struct fw_evidence *ev,
		     const struct fw_net_view *net);

/* One JSON object and a newline on out; 0, or -1 when the stream failed. */
int fw_explain_json_file(FILE *out, const char *name, const struct fw_features *f,
			 const struct fw_score_result *r, const struct fw_evidence *ev,
			 const struct fw_net_view *net);

/*
 * The explanation in a malloc'd string: the text, or one JSON object without
 * the newline. NULL when out of memory.
 */
char *fw_explain_string(const char *name, const struct fw_features *f,
			const struct fw_score_result *r, const struct fw_evidence *ev,
			const struct fw_net_view *net, bool json);

#endif /* FW_EXPLAIN_H */
