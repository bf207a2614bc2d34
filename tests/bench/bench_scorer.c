// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * make bench: the scorer's throughput on one core (samples per second, with
 * MMDB lookups and the flux-network index) and its memory per tracked
 * domain. The baseline, run in the same process, is decoding the same
 * samples without scoring them. Then the flux-network index alone, filled
 * with 10^6 addresses: its memory, and that it evicts oldest-first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "engine/detector.h"
#include "engine/flux_network.h"
#include "engine/geo.h"
#include "formats/observation.h"
#include "dataplane/sample_decode.h"

/* Below the default max_domains of 200,000 keys (a name and its domain each). */
#define DOMAINS 50000
#define SAMPLES 2000000
#define POOL	65536 /* samples made before the clock starts; a power of two */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

/*
 * A sample as the XDP program would send it: question, then A records.
 * Returns 1 when the domain rotates its addresses: the timed loop then gives
 * it a fresh address each time, as new answers would.
 */
static int make_sample(struct fw_sample *s, uint32_t domain, uint64_t *seed)
{
	int rotating = 0;
	uint8_t *m = s->msg;
	size_t off = 12;
	int n = 1 + (domain % 4), i, len;
	char label[32];

	memset(s, 0, sizeof(*s));
	m[2] = 0x81;
	m[3] = 0x80;
	m[5] = 1;
	m[7] = (uint8_t)n;
	len = snprintf(label, sizeof(label), "www");
	m[off++] = (uint8_t)len;
	memcpy(m + off, label, len);
	off += len;
	len = snprintf(label, sizeof(label), "site%u", domain);
	m[off++] = (uint8_t)len;
	memcpy(m + off, label, len);
	off += len;
	memcpy(m + off, "\x03" "com" "\x00" "\x00\x01\x00\x01", 9);
	off += 9;
	s->name_len = (uint16_t)(off - 12 - 4);
	for (i = 0; i < n; i++) {
		/*
		 * Nine domains in ten keep their addresses (most of the web); one in
		 * ten rotates a new address into a quarter of its answers (CDNs,
		 * load balancers, flux).
		 */
		int rotates = domain % 10 == 0 && rng(seed) % 4 == 0;

		rotating |= rotates;
		uint32_t ip = (domain * 2654435761u) + (rotates ? rng(seed) : (uint32_t)i);

		memcpy(m + off, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04", 12);
		memcpy(m + off + 12, &ip, 4);
		off += 16;
	}
	s->n_rr = (uint8_t)n;
	s->msg_len = (uint16_t)off;
	s->dns_len = (uint16_t)off;
	s->family = 4;
	s->qtype = 1;
	return rotating;
}

/* A rotating domain's next answer: a fresh first address. */
static void rotate_sample(struct fw_sample *s, uint64_t *seed)
{
	uint32_t ip = rng(seed);

	memcpy(s->msg + 12 + s->name_len + 4 + 12, &ip, 4); /* the first record's data */
}

#define NET_DOMAINS 320000

/*
 * 320,000 domains of four addresses each, one in four sharing two with the
 * domain before it (networks of several domains): 1.12 million distinct
 * addresses, more than the index holds, so it must have dropped the oldest.
 */
static int bench_network_index(FILE *json)
{
	struct fw_netidx_params p;
	struct fw_net_join j;
	struct fw_netidx *x;
	struct fw_obs o;
	char err[256], name[32];
	uint32_t d, k, next = 0;
	struct fw_ip first;
	double t0, t;
	size_t mem;
	int ok;

	fw_netidx_params_default(&p);
	x = fw_netidx_new(&p, err, sizeof(err));
	if (!x) {
		fprintf(stderr, "bench_scorer: %s\n", err);
		return -1;
	}
	memset(&first, 0, sizeof(first));
	first.family = AF_INET;
	t0 = now_s();
	for (d = 0; d < NET_DOMAINS; d++) {
		snprintf(name, sizeof(name), "net%u.example", d);
		fw_obs_init(&o, name, 0);
		for (k = 0; k < 4; k++) {
			uint32_t ip = 0x0b000000u + (d % 4 == 1 && k < 2 ? next - 4 + k : next++);

			o.addrs[k].ip.family = AF_INET;
			memcpy(o.addrs[k].ip.addr, &ip, 4);
			o.addrs[k].ttl = 60;
		}
		o.n_addrs = 4;
		fw_netidx_join(x, name, &o, 0, 1700000000ull + d / 100, &j);
	}
	t = now_s() - t0;
	mem = fw_netidx_mem_bytes(x);
	memcpy(first.addr, &(uint32_t){0x0b000000u}, 4);
	ok = !fw_netidx_of(x, &first, 1700000000ull + d / 100) &&
	     fw_netidx_addr_count(x) <= p.max_addrs;
	printf("\nFlux-network index (%u addresses at most)\n", p.max_addrs);
	printf("  %zu addresses held, %llu evicted oldest-first%s, %.0f joins/s\n",
	       fw_netidx_addr_count(x), (unsigned long long)fw_netidx_evictions(x),
	       ok ? " (the first address is gone)" : " (WRONG: the first address is still there)",
	       d / t);
	printf("  memory %.1f MiB, %.0f bytes per address (target <= 64 MiB for 10^6)\n",
	       mem / 1048576.0, (double)mem / fw_netidx_addr_count(x));
	if (json)
		fprintf(json, ",\"netidx_addrs\":%zu,\"netidx_mib\":%.1f,\"netidx_joins_per_s\":%.0f",
			fw_netidx_addr_count(x), mem / 1048576.0, d / t);
	fw_netidx_free(x);
	return ok ? 0 : -1;
}

int main(void)
{
	static struct fw_sample samples[POOL];
	static uint8_t rotating[POOL];
	struct fw_detector_params p;
	struct fw_detection det;
	struct fw_obs obs;
	struct fw_detector *d;
	struct fw_geo *geo;
	uint64_t seed = 42, ts = 1700000000ull * 1000000000ull;
	double t0, t_decode, t_score;
	char err[512], note[512];
	long i, decoded = 0;
	FILE *json;

	geo = fw_geo_open("/var/lib/fluxwall/geo/asn.mmdb", "/var/lib/fluxwall/geo/country.mmdb",
			  "/var/lib/fluxwall/geo/city.mmdb", err, sizeof(err));
	if (!geo) {
		fprintf(stderr, "bench_scorer: %s\n", err);
		return 1;
	}
	fw_geo_status(geo, note, sizeof(note));
	fw_detector_params_default(&p);
	p.protected_path = NULL;
	d = fw_detector_new(&p, geo, NULL, NULL, err, sizeof(err));
	if (!d) {
		fprintf(stderr, "bench_scorer: %s\n", err);
		return 1;
	}
	/* Building samples (snprintf) is not the scorer's work: do it first. */
	for (i = 0; i < POOL; i++)
		rotating[i] = (uint8_t)make_sample(&samples[i], (uint32_t)(i % DOMAINS), &seed);

	t0 = now_s();
	for (i = 0; i < SAMPLES; i++) {
		if (rotating[i & (POOL - 1)])
			rotate_sample(&samples[i & (POOL - 1)], &seed);
		decoded += fw_sample_decode(&samples[i & (POOL - 1)], ts, &obs) == FW_DECODE_OK;
	}
	t_decode = now_s() - t0;

	t0 = now_s();
	for (i = 0; i < SAMPLES; i++) {
		struct fw_sample *s = &samples[i & (POOL - 1)];

		if (rotating[i & (POOL - 1)])
			rotate_sample(s, &seed);
		fw_sample_decode(s, ts + (uint64_t)i * 1000, &obs);
		fw_detector_observe(d, &obs, &det);
	}
	t_score = now_s() - t0;

	printf("\nScorer (one core, geo: %s)\n", note);
	printf("  decode only (baseline): %.0f samples/s\n", decoded / t_decode);
	printf("  decode + features + score + MMDB: %.0f samples/s (target >= 500000), %.1fx the "
	       "baseline's time\n",
	       SAMPLES / t_score, t_score / t_decode);
	printf("  tracked keys %zu (names and registered domains), %.0f bytes each "
	       "(target <= 1024)\n",
	       fw_domstate_count(fw_detector_state(d)),
	       (double)fw_domstate_mem_bytes(fw_detector_state(d)) /
		       fw_domstate_count(fw_detector_state(d)));
	json = fopen("build/bench-scorer.json", "w");
	if (json)
		fprintf(json,
			"{\"samples_per_s\":%.0f,\"baseline_decode_per_s\":%.0f,"
			"\"tracked\":%zu,\"bytes_per_tracked\":%.0f",
			SAMPLES / t_score, decoded / t_decode, fw_domstate_count(fw_detector_state(d)),
			(double)fw_domstate_mem_bytes(fw_detector_state(d)) /
				fw_domstate_count(fw_detector_state(d)));
	fw_detector_free(d);
	fw_geo_close(geo);
	i = bench_network_index(json);
	if (json) {
		fprintf(json, "}\n");
		fclose(json);
	}
	return i ? 1 : 0;
}
