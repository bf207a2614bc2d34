// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Samples from the XDP program, through BPF_PROG_TEST_RUN: an unchanged
 * answer set is suppressed within the interval whatever its order, a changed
 * one is sent at once, untrusted resolvers feed nothing, a full ring buffer
 * costs samples but never packets, and blocked names are not sampled.
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
#include "fluxwall_abi.h"
#include "dataplane/pinned_maps.h"
#include "pktbuild.h"
#include "dataplane/sample_decode.h"
#include "xdp_harness.h"

static struct fwh H;
static struct fwh_result R;
static struct fw_obs LAST;
static int GOT;

static void on_sample(void *ctx, const struct fw_sample *s)
{
	GOT++;
	assert_int_equal(fw_sample_decode(s, 0, &LAST), FW_DECODE_OK);
}

static void configure(int sampling, uint64_t interval_ns)
{
	struct fw_config cfg;
	struct fw_maps m;
	char err[512];

	if (fw_maps_open(&m, H.sb.pin, 0, 0, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(fw_maps_get_config(&m, &cfg), 0);
	cfg.sampling = sampling;
	cfg.sample_interval_ns = interval_ns;
	assert_int_equal(fw_maps_set_config(&m, &cfg), 0);
	fw_maps_close(&m);
}

static void trust(const char *addr)
{
	struct fw_conf_addrs set = {};
	struct fw_maps m;
	char err[512];

	if (addr) {
		struct fw_ip ip;

		assert_int_equal(fw_ip_parse(addr, &ip), 0);
		set.n = 1;
		set.a[0].family = ip.family;
		memcpy(set.a[0].addr, ip.addr, 16);
		set.a[0].prefix = ip.family == AF_INET ? 32 : 128;
	}
	if (fw_maps_open(&m, H.sb.pin, 0, 0, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(fw_maps_set_trusted(&m, &set), 0);
	fw_maps_close(&m);
}

static int setup(void **state)
{
	if (fwh_open_with_cli(&H, "sampling"))
		return -1;
	return fwh_on_sample(&H, on_sample, NULL);
}

static int teardown(void **state)
{
	fwh_close(&H);
	return 0;
}

/* A response for qname with the given A records, from src. */
static size_t response(uint8_t *f, const char *qname, const char *const *addrs, int n,
		       const char *src)
{
	struct pb_spec s = { .src = src };
	struct pb_dns m;
	int i;

	pb_dns_init(&m, 7, PB_DNS_QR | PB_DNS_RD | PB_DNS_RA, 1, (uint16_t)n, 0, 0);
	pb_dns_question(&m, qname, PB_TYPE_A, PB_CLASS_IN);
	for (i = 0; i < n; i++)
		pb_dns_rr_a(&m, PB_QUESTION_OFF, 60, addrs[i]);
	return pb_build_dns(&s, &m, f, PB_MAX_FRAME);
}

/* Run a frame; it must pass untouched. Returns how many samples arrived. */
static int run_passed(const uint8_t *f, size_t len)
{
	GOT = 0;
	assert_int_equal(fwh_run(&H, f, len, &R), 0);
	assert_int_equal(R.verdict, XDP_PASS);
	assert_int_equal(R.out_len, len);
	assert_memory_equal(R.out, f, len);
	return GOT;
}

static void test_unchanged_set_is_suppressed_in_any_order(void **state)
{
	static const char *const a[] = { "192.0.2.10", "192.0.2.11", "192.0.2.12" };
	static const char *const b[] = { "192.0.2.12", "192.0.2.10", "192.0.2.11" };
	static uint8_t f[PB_MAX_FRAME];
	size_t len;

	configure(1, 60ull * 1000000000ull);
	trust(NULL);
	len = response(f, "www.order.example", a, 3, NULL);
	assert_int_equal(run_passed(f, len), 1);
	assert_int_equal(R.delta[FW_CNT_SAMPLES_SENT], 1);
	assert_string_equal(LAST.qname, "www.order.example");
	assert_int_equal(LAST.n_addrs, 3);

	assert_int_equal(run_passed(f, len), 0);
	assert_int_equal(R.delta[FW_CNT_SAMPLES_SUPPRESSED], 1);
	len = response(f, "www.order.example", b, 3, NULL);
	assert_int_equal(run_passed(f, len), 0);
	assert_int_equal(R.delta[FW_CNT_SAMPLES_SUPPRESSED], 1);
}

static void test_changed_set_is_sent_at_once(void **state)
{
	static const char *const a[] = { "198.51.100.1", "198.51.100.2" };
	static const char *const b[] = { "198.51.100.1", "203.0.113.9" };
	static const char *const c[] = { "198.51.100.1", "203.0.113.8" };
	static uint8_t f[PB_MAX_FRAME];
	size_t len;

	configure(1, 60ull * 1000000000ull);
	trust(NULL);
	len = response(f, "rotating.example", a, 2, NULL);
	assert_int_equal(run_passed(f, len), 1);
	len = response(f, "rotating.example", b, 2, NULL);
	assert_int_equal(run_passed(f, len), 1);
	assert_int_equal(R.delta[FW_CNT_SAMPLES_SENT], 1);
	assert_int_equal(LAST.n_addrs, 2);
	assert_int_equal(LAST.addrs[1].ip.addr[0], 203);

	/* once the program knows these bytes, a change in the last one still shows */
	assert_int_equal(run_passed(f, len), 0);
	assert_int_equal(R.delta[FW_CNT_SAMPLES_SUPPRESSED], 1);
	assert_int_equal(run_passed(f, len), 0);
	len = response(f, "rotating.example", c, 2, NULL); /* only the last byte differs */
	assert_int_equal(run_passed(f, len), 1);
	assert_int_equal(LAST.addrs[1].ip.addr[3], 8);
}

static void test_interval_zero_samples_every_response(void **state)
{
	static const char *const a[] = { "192.0.2.77" };
	static uint8_t f[PB_MAX_FRAME];
	size_t len;

	configure(1, 0);
	trust(NULL);
	len = response(f, "every.example", a, 1, NULL);
	assert_int_equal(run_passed(f, len), 1);
	assert_int_equal(run_passed(f, len), 1);
}

static void test_untrusted_resolver_feeds_nothing(void **state)
{
	static const char *const a[] = { "192.0.2.5" };
	static uint8_t f[PB_MAX_FRAME];
	size_t len;

	configure(1, 0);
	trust("192.0.2.53");
	len = response(f, "spoofed.example", a, 1, "192.0.2.66");
	assert_int_equal(run_passed(f, len), 0);
	assert_int_equal(R.delta[FW_CNT_SAMPLES_UNTRUSTED], 1);
	len = response(f, "trusted.example", a, 1, "192.0.2.53");
	assert_int_equal(run_passed(f, len), 1);
	assert_string_equal(LAST.qname, "trusted.example");
	trust(NULL);
}

static void test_sampling_off_sends_nothing(void **state)
{
	static const char *const a[] = { "192.0.2.5" };
	static uint8_t f[PB_MAX_FRAME];
	size_t len;

	configure(0, 0);
	len = response(f, "quiet.example", a, 1, NULL);
	assert_int_equal(run_passed(f, len), 0);
	assert_int_equal(R.delta[FW_CNT_SAMPLES_SENT], 0);
}

static void test_blocked_names_are_not_sampled(void **state)
{
	static const char *const a[] = { "192.0.2.5" };
	static uint8_t f[PB_MAX_FRAME];
	size_t len;

	configure(1, 0);
	assert_int_equal(fwh_cli(&H, (char *const[]){ "block", "add", "sampled-block.example",
						      NULL }),
			 0);
	len = response(f, "x.sampled-block.example", a, 1, NULL);
	GOT = 0;
	assert_int_equal(fwh_run(&H, f, len, &R), 0);
	assert_int_equal(R.verdict, XDP_DROP);
	assert_int_equal(GOT, 0);
}

/* With nobody reading, the ring fills: samples are lost, packets are not. */
static void test_full_ring_buffer_never_costs_a_packet(void **state)
{
	static const char *const a[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4" };
	static uint8_t f[PB_MAX_FRAME];
	int i, lost_seen = 0;
	size_t len;

	configure(1, 0);
	len = response(f, "flood.example", a, 4, NULL);
	H.sb.hold = 1;
	for (i = 0; i < 8000 && !lost_seen; i++) {
		assert_int_equal(fwh_run(&H, f, len, &R), 0);
		assert_int_equal(R.verdict, XDP_PASS);
		lost_seen = R.delta[FW_CNT_SAMPLES_LOST] == 1;
	}
	H.sb.hold = 0;
	assert_true(lost_seen);
	fw_sandbox_drain(&H.sb);
	assert_int_equal(run_passed(f, len), 1); /* drained: samples flow again */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unchanged_set_is_suppressed_in_any_order),
		cmocka_unit_test(test_changed_set_is_sent_at_once),
		cmocka_unit_test(test_interval_zero_samples_every_response),
		cmocka_unit_test(test_untrusted_resolver_feeds_nothing),
		cmocka_unit_test(test_sampling_off_sends_nothing),
		cmocka_unit_test(test_blocked_names_are_not_sampled),
		cmocka_unit_test(test_full_ring_buffer_never_costs_a_packet),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
