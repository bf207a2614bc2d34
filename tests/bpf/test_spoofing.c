// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Spoofed flux through the real XDP program (BPF_PROG_TEST_RUN) and the
 * real detector. With trusted_resolvers set, responses from any other
 * source, made up to look like fast flux for a popular name, pass to the
 * client untouched but never reach the scorer: the name's score stays
 * what its resolver's answers made it. The same frames from the trusted
 * resolver do condemn the name, so the frames are flux enough to matter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>

#include "formats/conf.h"
#include "engine/detector.h"
#include "geo_world.h"
#include "dataplane/pinned_maps.h"
#include "pktbuild.h"
#include "dataplane/sample_decode.h"
#include "xdp_harness.h"

#define RESOLVER "192.0.2.53"
#define POPULAR	 "www.popular-site.example"
#define T0	 1700000000ull

static struct fwh H;
static struct fwh_result R;
static struct fw_world *W;
static struct fw_detector *DET;
static unsigned ROUND, SAMPLES;

/* Every sample goes to the detector, stamped one minute per round. */
static void on_sample(void *ctx, const struct fw_sample *s)
{
	struct fw_detection det;
	struct fw_obs obs;

	SAMPLES++;
	assert_int_equal(fw_sample_decode(s, (T0 + ROUND * 60ull) * 1000000000ull, &obs),
			 FW_DECODE_OK);
	assert_true(fw_detector_observe(DET, &obs, &det) >= 0);
}

static void configure(void)
{
	struct fw_conf_addrs set = {.n = 1};
	struct fw_config cfg;
	struct fw_maps m;
	struct fw_ip ip;
	char err[512];

	if (fw_maps_open(&m, H.sb.pin, 0, 0, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(fw_maps_get_config(&m, &cfg), 0);
	cfg.sampling = 1;
	cfg.sample_interval_ns = 0;
	assert_int_equal(fw_maps_set_config(&m, &cfg), 0);
	assert_int_equal(fw_ip_parse(RESOLVER, &ip), 0);
	set.a[0].family = ip.family;
	memcpy(set.a[0].addr, ip.addr, 16);
	set.a[0].prefix = 32;
	assert_int_equal(fw_maps_set_trusted(&m, &set), 0);
	fw_maps_close(&m);
}

static struct fw_detector *new_detector(void)
{
	struct fw_detector_params p;
	struct fw_detector *d;
	char err[512];

	fw_detector_params_default(&p);
	p.net.max_addrs = 4096;
	p.net.max_networks = 512;
	d = fw_detector_new(&p, W->geo, NULL, NULL, err, sizeof(err));
	if (!d)
		fail_msg("%s", err);
	return d;
}

static int setup(void **state)
{
	if (fw_world_setup(state))
		return -1;
	W = *state;
	if (fwh_open_with_cli(&H, "spoofing"))
		return -1;
	if (fwh_on_sample(&H, on_sample, NULL))
		return -1;
	configure();
	return 0;
}

static int teardown(void **state)
{
	fwh_close(&H);
	return fw_world_teardown(state);
}

/* A response for qname from src, with the given A records. */
static size_t response(uint8_t *f, const char *src, int ipv6, const char *const *addrs, unsigned n)
{
	struct pb_spec s = {.src = src, .ipv6 = ipv6, .dst = ipv6 ? "2001:db8::7" : NULL};
	struct pb_dns m;
	unsigned i;

	pb_dns_init(&m, (uint16_t)(ROUND + 1), PB_DNS_QR | PB_DNS_RD | PB_DNS_RA, 1, (uint16_t)n, 0,
		    0);
	pb_dns_question(&m, POPULAR, PB_TYPE_A, PB_CLASS_IN);
	for (i = 0; i < n; i++)
		pb_dns_rr_a(&m, PB_QUESTION_OFF, 30, addrs[i]);
	return pb_build_dns(&s, &m, f, PB_MAX_FRAME);
}

/* Run a frame: it must pass untouched. Returns the samples it produced. */
static unsigned run(const uint8_t *f, size_t len)
{
	unsigned before = SAMPLES;

	assert_int_equal(fwh_run(&H, f, len, &R), 0);
	assert_int_equal(R.verdict, XDP_PASS);
	assert_memory_equal(R.out, f, len);
	return SAMPLES - before;
}

/* The popular name's own answers: two addresses of its hoster. */
static void resolver_answers(void)
{
	static const char *const site[] = {"14.0.0.10", "14.0.0.11"};
	static uint8_t f[PB_MAX_FRAME];

	assert_int_equal(run(f, response(f, RESOLVER, 0, site, 2)), 1);
}

/* Eight bots of round k from residential networks on five continents. */
static void bots(char ip[8][32], const char *p[8], unsigned k)
{
	unsigned i;

	for (i = 0; i < 8; i++) {
		snprintf(ip[i], 32, "11.%u.%u.%u", (k * 8 + i) % FW_WORLD_NETS, 1 + k, 10 + i);
		p[i] = ip[i];
	}
}

static double score_of(const char *name)
{
	struct fw_score_result r;
	struct fw_features f;

	assert_int_equal(
	    fw_detector_explain(DET, name, (T0 + ROUND * 60ull) * 1000000000ull, &f, &r, NULL), 0);
	return r.score;
}

static void spoofed_flux_from_untrusted_sources_never_moves_a_score(void **state)
{
	static const char *const spoofers[] = {"203.0.113.66", "192.0.2.54", "198.51.100.53",
					       "2001:db8:666::53", "::ffff:192.0.2.53"};
	static uint8_t f[PB_MAX_FRAME];
	char ip[8][32];
	const char *p[8];
	struct fw_score_result r;
	struct fw_features feat;
	uint64_t untrusted = 0;
	double before;
	unsigned s;

	DET = new_detector();
	for (ROUND = 0; ROUND < 3; ROUND++)
		resolver_answers();
	before = score_of(POPULAR);
	for (ROUND = 3; ROUND < 13; ROUND++) {
		bots(ip, p, ROUND);
		for (s = 0; s < sizeof(spoofers) / sizeof(spoofers[0]); s++) {
			assert_int_equal(
			    run(f, response(f, spoofers[s], !!strchr(spoofers[s], ':'), p, 8)), 0);
			untrusted += R.delta[FW_CNT_SAMPLES_UNTRUSTED];
		}
		resolver_answers();
	}
	assert_int_equal(untrusted, 10 * sizeof(spoofers) / sizeof(spoofers[0]));
	assert_true(score_of(POPULAR) == before);
	assert_int_equal(fw_detector_explain(DET, POPULAR, (T0 + ROUND * 60ull) * 1000000000ull,
					     &feat, &r, NULL),
			 0);
	assert_int_equal(feat.n_ips, 2);
	assert_false(r.flux);
	fw_detector_free(DET);
}

/* The control: the very same frames from the trusted resolver are flux. */
static void the_same_frames_from_the_resolver_are_flux(void **state)
{
	static uint8_t f[PB_MAX_FRAME];
	struct fw_score_result r;
	struct fw_features feat;
	char ip[8][32];
	const char *p[8];

	DET = new_detector();
	for (ROUND = 3; ROUND < 13; ROUND++) {
		bots(ip, p, ROUND);
		assert_int_equal(run(f, response(f, RESOLVER, 0, p, 8)), 1);
	}
	assert_int_equal(fw_detector_explain(DET, POPULAR, (T0 + ROUND * 60ull) * 1000000000ull,
					     &feat, &r, NULL),
			 0);
	assert_true(r.flux);
	fw_detector_free(DET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(spoofed_flux_from_untrusted_sources_never_moves_a_score),
	    cmocka_unit_test(the_same_frames_from_the_resolver_are_flux),
	};

	return cmocka_run_group_tests_name("spoofing", tests, setup, teardown);
}
