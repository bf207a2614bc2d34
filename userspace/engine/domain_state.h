/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Per-domain flux state: a bounded table of domains, keyed by name text,
 * each with what its recent answers looked like. The daemon feeds every
 * observation twice, once under the queried name and once under its
 * registered domain, and reads features back for scoring.
 *
 * Sliding window, bounded:
 *   - IPs, answer-set fingerprints and NS names/addresses are kept exactly
 *     with a last-seen time each and drop out when older than the window
 *     (checked on every touch and on every read), so those are exact;
 *   - event counters (answer sets, new IPs, NS churn, responses) live in
 *     four buckets of a quarter window each, so they cover between 3/4 of
 *     the window and the whole window;
 *   - past the exact IP set (default 32 IPs) a 64-register HyperLogLog in
 *     two half-window generations estimates distinct IPs (about 13% error)
 *     over between half the window and the whole window; from then on the
 *     new IPs of an answer set (rotation) are counted as the growth of that
 *     estimate, so IPs that come back are not counted again.
 * Prefix, ASN, country, TTL and distance features come from the exact IP
 * set: for domains with more IPs than it holds they describe the most
 * recently seen ones and are lower bounds of the window's true counts.
 *
 * Eviction resists floods of one-off names: a new key waits in a
 * probation segment, and only a key seen again in a later second (or
 * coming back after it was evicted, which the table remembers for about
 * 16 x max_domains evictions) joins the main segment, at most 4/5 of the
 * table. The least recently seen key of probation is evicted first; a
 * main key that had to leave its segment goes back to probation, unless
 * it was seen often. A random-subdomain flood thus evicts its own names,
 * while domains that keep answering stay tracked.
 *
 * Memory: a domain costs its record (about 190 bytes plus its name), an
 * IP array grown 4, 8, 16, 32 (40 bytes per IP), and only for domains
 * that need them a sketch (128 bytes) and NS tracking (136 bytes); the
 * memory of evicted keys is 32-64 bytes per key of max_domains (8 MiB
 * for the default 200,000), allocated at once.
 * fw_domstate_mem_bytes() reports what the allocator really handed out.
 */
#ifndef FW_DOMAIN_STATE_H
#define FW_DOMAIN_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/geo.h"
#include "formats/observation.h"

#define FW_DS_DEFAULT_MAX_DOMAINS 200000
#define FW_DS_DEFAULT_WINDOW_S	  3600
#define FW_DS_DEFAULT_EXACT_IPS	  32
#define FW_DS_MAX_EXACT_IPS	  64
#define FW_DS_LOW_TTL		  300 /* ttl_low_share counts TTLs below this */
#define FW_DS_KEY_MAX		  255 /* longest key, in characters */

struct fw_domstate_params {
	uint32_t max_domains; /* past this a key is evicted, see below */
	uint32_t window_s;    /* sliding window, seconds (>= 4) */
	uint32_t exact_ips;   /* IPs kept exactly per domain, 4..FW_DS_MAX_EXACT_IPS */
};

/* What the scorer looks at, all over the window ending at `now`. */
struct fw_features {
	uint32_t window_s;
	uint64_t first_seen_s;	  /* first response for this key since tracked */
	uint64_t last_seen_s;	  /* latest response */
	uint32_t observations;	  /* responses in the window */
	uint32_t n_ips;		  /* distinct IPs; an estimate when ips_estimated */
	uint32_t n_ips_exact;	  /* IPs held exactly (evidence) */
	bool ips_estimated;	  /* more IPs than the exact set holds */
	uint32_t n_prefixes;	  /* distinct /24 (IPv4) and /48 (IPv6) */
	uint32_t n_wide_prefixes; /* distinct /16 (IPv4) and /32 (IPv6) */
	double prefix_entropy;	  /* of IPs over /24 and /48, / log2(IPs): 0..1 */
	uint32_t n_asns;	  /* distinct known ASNs */
	uint32_t n_countries;	  /* distinct known countries */
	uint32_t n_continents;	  /* distinct continents of the located IPs */
	double eff_countries;	  /* 1 / sum of squared country shares (inverse Simpson) */
	double eff_continents;	  /* the same over continents: 1 for a regional pool */
	uint32_t n_located;	  /* IPs with coordinates */
	double geo_spread_km;	  /* largest great-circle distance between IPs */
	uint32_t ttl_min;	  /* over each IP's largest TTL in the window */
	uint32_t ttl_median;	  /* lower median */
	uint32_t ttl_high;	  /* 90th percentile: cached answers only count down */
	double ttl_low_share;	  /* share of IPs whose TTL < FW_DS_LOW_TTL */
	uint32_t n_answer_sets;	  /* distinct answer sets (address sets) */
	uint32_t max_answer_size; /* most addresses in one response */
	double rotation;	  /* mean new IPs per new answer set after the first */
	double asn_novelty;	  /* share of later answer sets that brought a new ASN */
	double ip_persistence;	  /* share of IPs seen in two or more answer sets */
	uint32_t n_ns_names;	  /* NS names seen in the window */
	uint32_t n_ns_addrs;	  /* NS glue addresses seen in the window */
	uint32_t ns_name_churn;	  /* NS names that appeared after the first */
	uint32_t ns_addr_churn;	  /* NS addresses that appeared after the first */
	uint32_t ns_host_churn;	  /* most new addresses of one of its NS hosts */
	uint32_t n_qnames;	  /* distinct query names under the key (at most 8) */
	unsigned geo_features;	  /* FW_GEO_HAS_* of the databases that fed it */
};

#define FW_EVIDENCE_MAX FW_DS_MAX_EXACT_IPS

struct fw_ev_ip {
	struct fw_ip ip;
	uint64_t first_seen_s;
	uint64_t last_seen_s;
	uint32_t asn;
	char country[3];
	uint32_t ttl;	 /* largest in the window: caches count TTLs down */
	uint32_t n_sets; /* distinct answer sets it appeared in (saturates at 255) */
	bool has_location;
	double latitude;
	double longitude;
};

/* One ASN or one country, summed over the IPs in it. */
struct fw_ev_group {
	uint32_t asn;
	char country[3];
	uint64_t first_seen_s;
	uint64_t last_seen_s;
	uint32_t n_ips;
};

/* The window's IPs (latest first), ASNs and countries, for `explain`. */
struct fw_evidence {
	uint32_t n_ips;
	struct fw_ev_ip ips[FW_EVIDENCE_MAX];
	uint32_t n_asns;
	struct fw_ev_group asns[FW_EVIDENCE_MAX];
	uint32_t n_countries;
	struct fw_ev_group countries[FW_EVIDENCE_MAX];
};

/* Bits returned by fw_domstate_observe(). */
#define FW_DS_NEW_DOMAIN     (1 << 0) /* the key was not tracked */
#define FW_DS_NEW_ANSWER_SET (1 << 1) /* an address set not seen in the window */
#define FW_DS_NEW_IPS	     (1 << 2) /* at least one IP new to the window */

struct fw_domstate;

void fw_domstate_params_default(struct fw_domstate_params *p);

/* NULL when out of memory or a parameter is out of range (err says which). */
struct fw_domstate *fw_domstate_new(const struct fw_domstate_params *p, char *err, size_t errlen);
void fw_domstate_free(struct fw_domstate *t);

/*
 * Account one response under key (a queried name or a registered domain).
 * geo may be NULL; it is consulted once per IP new to the exact set.
 * Returns FW_DS_* bits, or -1 when key is empty or too long or memory ran out.
 */
int fw_domstate_observe(struct fw_domstate *t, const char *key, const struct fw_obs *obs,
			struct fw_geo *geo);

/*
 * The key an NS host's glue is accounted under: "." and the host's name,
 * a form no query name takes. A zone may name anybody's host as its name
 * server and send any glue for it; kept apart, that glue never becomes
 * the addresses of the host's own name, only the churn that the domains
 * naming the host read (ns_host_churn). -1 when too long.
 */
int fw_domstate_ns_key(const char *host, char *buf, size_t len);

/* Features of key over the window ending at now_ns; -1 when not tracked. */
int fw_domstate_features(const struct fw_domstate *t, const char *key, uint64_t now_ns,
			 struct fw_features *out);

/* Evidence of key over the window ending at now_ns; -1 when not tracked. */
int fw_domstate_evidence(const struct fw_domstate *t, const char *key, uint64_t now_ns,
			 struct fw_evidence *out);

/* Stop tracking key; -1 when it was not tracked. */
int fw_domstate_forget(struct fw_domstate *t, const char *key);

/*
 * A byte the caller keeps with a tracked key, 0 when the key is created
 * (the detector remembers there where the registered domain starts). NULL
 * when the key is not tracked; valid until the next call that may evict.
 */
uint8_t *fw_domstate_tag(struct fw_domstate *t, const char *key);

/*
 * A word the caller keeps with a tracked key, 0 when the key is created
 * (the detector remembers there the flux network a domain last answered
 * from). NULL when the key is not tracked; valid until the next call that
 * may evict.
 */
uint32_t *fw_domstate_network(struct fw_domstate *t, const char *key);

size_t fw_domstate_count(const struct fw_domstate *t);
uint64_t fw_domstate_evictions(const struct fw_domstate *t);

/* Bytes held by the table, allocator overhead included. */
size_t fw_domstate_mem_bytes(const struct fw_domstate *t);


#endif /* FW_DOMAIN_STATE_H */
