/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every weight and threshold of fluxwall's score, in one table (an X-macro).
 * No include guard: flux_score.h makes the struct fw_score_params fields,
 * flux_score.c the defaults and ranges, and conf_options.h the config keys
 * (score_NAME) from the same lines, so the three cannot drift.
 * docs/detection.md explains each value.
 *
 * FW_SCORE_PARAM(NAME, DEFAULT, MIN, MAX, HELP)
 */
FW_SCORE_PARAM(threshold, 55, 1, 1000,
	       "Score from which a domain with enough evidence counts as fast flux\n"
	       "and may be auto-blocked.")
FW_SCORE_PARAM(min_answer_sets, 2, 1, 1000,
	       "Distinct answer sets needed before any verdict of flux.")
FW_SCORE_PARAM(min_ips, 4, 1, 10000, "Distinct IPs needed before any verdict of flux.")
FW_SCORE_PARAM(min_names, 3, 2, 1000,
	       "Host names of one registered domain that, answered with one wide set,\n"
	       "stand in for a second answer set: a resolver's cache hides rotation.")
FW_SCORE_PARAM(min_wide_asns, 5, 2, 1000,
	       "ASNs an answer set must span for min_names host names to stand in for\n"
	       "a second answer set.")
FW_SCORE_PARAM(network_min_asns, 3, 1, 1000,
	       "ASNs a domain's own answers must span to inherit a flux network's verdict:\n"
	       "a site's few addresses, borrowed by an attacker's flux domain, never\n"
	       "condemn it.")
FW_SCORE_PARAM(min_network_domains, 2, 2, 1000,
	       "Registered domains a flux network needs before its shared answers are\n"
	       "judged together.")
FW_SCORE_PARAM(w_asn, 15, -1000, 1000, "Weight of ASN diversity: (ASNs - 1) / (asn_sat - 1).")
FW_SCORE_PARAM(asn_sat, 8, 2, 1000, "Distinct ASNs at which ASN diversity counts in full.")
FW_SCORE_PARAM(wide_prefix_sat, 8, 2, 1000,
	       "Without an ASN database: distinct /16 (/32) prefixes standing in for ASNs.")
FW_SCORE_PARAM(w_country, 5, -1000, 1000,
	       "Weight of country diversity: (countries - 1) / (country_sat - 1).")
FW_SCORE_PARAM(country_sat, 5, 2, 1000,
	       "Distinct countries at which country diversity counts in full.")
FW_SCORE_PARAM(w_entropy, 5, -1000, 1000,
	       "Weight of the normalised entropy of IPs over /24 (IPv4) and /48 (IPv6) prefixes.")
FW_SCORE_PARAM(w_geo, 5, -1000, 1000,
	       "Weight of geographic spread: largest distance between IPs / geo_sat_km.")
FW_SCORE_PARAM(geo_sat_km, 5000, 1, 40000,
	       "Distance in km at which geographic spread counts in full.")
FW_SCORE_PARAM(w_ttl_low, 5, -1000, 1000, "Weight of the share of IPs whose TTL is below 300 s.")
FW_SCORE_PARAM(
    w_rotation, 10, -1000, 1000,
    "Weight of rotation: new IPs per new answer set, from rotation_floor to rotation_sat.")
FW_SCORE_PARAM(rotation_floor, 3, 0, 1000,
	       "New IPs per new answer set that still count as no rotation.")
FW_SCORE_PARAM(rotation_sat, 6, 0.01, 1000,
	       "New IPs per new answer set at which rotation counts in full.")
FW_SCORE_PARAM(w_rotation_net, 40, -1000, 1000,
	       "Weight of rotation across networks: rotation x ASN diversity x continent spread.")
FW_SCORE_PARAM(continent_floor, 1.2, 1, 7,
	       "Effective continents (inverse Simpson over the located IPs) up to which\n"
	       "rotating answers count as a regional pool: no spread.")
FW_SCORE_PARAM(continent_sat, 2.2, 1.01, 7,
	       "Effective continents at which the spread of rotating answers counts in full.")
FW_SCORE_PARAM(w_names, 10, -1000, 1000,
	       "Weight of host-name spread: distinct host names of the registered domain,\n"
	       "from min_names to names_sat, x ASN diversity (random names over a wide set).")
FW_SCORE_PARAM(names_sat, 8, 2, 8,
	       "Distinct host names at which host-name spread counts in full (8 are tracked).")
FW_SCORE_PARAM(w_hopping, 40, -1000, 1000,
	       "Weight of network hopping: share of later answer sets that brought a new\n"
	       "ASN x ASN diversity x uncacheable TTL (small answers that keep moving).")
FW_SCORE_PARAM(hopping_ttl_full, 30, 0, 86400,
	       "TTL (90th percentile over the IPs) up to which network hopping counts in full.")
FW_SCORE_PARAM(hopping_ttl_zero, 120, 1, 86400,
	       "TTL (90th percentile over the IPs) from which answers can be cached and\n"
	       "network hopping counts for nothing.")
FW_SCORE_PARAM(w_answer_size, 15, -1000, 1000,
	       "Weight of answer size: most addresses in one response, from answer_floor\n"
	       "to answer_sat.")
FW_SCORE_PARAM(answer_floor, 4, 0, 1000,
	       "Addresses per response that count as none: what pools and round robins send.")
FW_SCORE_PARAM(answer_sat, 6, 0.01, 1000,
	       "Addresses per response at which answer size counts in full.")
FW_SCORE_PARAM(w_ns_churn, 25, -1000, 1000,
	       "Weight of NS churn (double flux): new NS names and addresses / ns_churn_sat.")
FW_SCORE_PARAM(ns_churn_sat, 4, 1, 1000,
	       "New NS names plus NS addresses at which NS churn counts in full.")
FW_SCORE_PARAM(w_persistence, -10, -1000, 1000,
	       "Weight of the share of IPs seen in two or more answer sets\n"
	       "(negative: stable pools are benign).")
