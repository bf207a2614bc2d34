// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XDP record walk, built for the host from its own source, and the
 * daemon's decoder, held to the one table of name encodings in
 * tests/lib/record_rules.c, at every place a name can sit. A message the
 * walk accepts must decode; a record the decoder leaves out must be one the
 * table says it refuses. If the two drift apart, a domain whose responses
 * the kernel marked as sampled would never be scored.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host_walk.h"
#include "record_rules.h"
#include "dataplane/sample_decode.h"

#define SEED 0x5eed5eed5eed5eedULL

struct run {
	struct pb_dns m;
	struct fw_sample s;
	struct fw_obs obs;
	enum hw_res res;
};

static struct run run;

static int is_addr(const struct fw_ip *ip, const char *text)
{
	uint8_t a[4];

	inet_pton(AF_INET, text, a);
	return ip->family == AF_INET && !memcmp(ip->addr, a, 4);
}

/* Walk and decode r at place; returns 0 when the rule does not apply there. */
static int walk_decode(const struct rr_rule *r, enum rr_place place)
{
	size_t len = rr_build(r, place, &run.m);

	if (!len)
		return 0;
	run.res = hw_sample(run.m.buf, len, SEED, &run.s);
	if (run.res == HW_SAMPLED)
		assert_int_equal(fw_sample_decode(&run.s, 1, &run.obs), FW_DECODE_OK);
	return 1;
}

static void check_owner(const struct rr_rule *r)
{
	if (!r->walk_ok) {
		assert_int_equal(run.res, HW_MALFORMED);
		return;
	}
	assert_int_equal(run.res, HW_SAMPLED);
	assert_int_equal(run.s.n_rr, 2); /* the TXT record and the A record */
	assert_int_equal(run.obs.n_addrs, 1);
	assert_true(is_addr(&run.obs.addrs[0].ip, RR_ANSWER_ADDR));
}

static void check_cname(const struct rr_rule *r)
{
	assert_int_equal(run.res, HW_SAMPLED);
	assert_int_equal(run.obs.n_addrs, 1); /* the rest of the response is learnt */
	assert_int_equal(run.obs.n_cnames, r->text ? 1 : 0);
	if (r->text)
		assert_string_equal(run.obs.cnames[0], r->text);
}

static void check_ns(const struct rr_rule *r, int glue)
{
	int linked;

	assert_int_equal(run.res, HW_SAMPLED);
	assert_int_equal(run.obs.n_addrs, 1);
	assert_int_equal(run.obs.n_ns, r->text ? 1 : 0);
	if (r->text)
		assert_string_equal(run.obs.ns[0].name, r->text);
	if (!glue)
		return;
	/* The glue's owner is one more pointer, to the NS name. */
	linked = r->text && r->jumps + 1 <= FW_DECODE_MAX_POINTERS;
	assert_int_equal(run.obs.n_glue, linked);
	if (linked)
		assert_true(is_addr(&run.obs.glue[0], RR_GLUE_ADDR));
}

static void check(const struct rr_rule *r, enum rr_place place)
{
	switch (place) {
	case RRP_ANSWER_OWNER:
		check_owner(r);
		break;
	case RRP_CNAME_DATA:
		check_cname(r);
		break;
	case RRP_NS_DATA:
		check_ns(r, 0);
		break;
	default:
		check_ns(r, 1);
		break;
	}
}

static void every_encoding_at_every_place(void **state)
{
	int tried = 0;

	for (size_t i = 0; i < rr_n_rules; i++) {
		for (int p = 0; p < RRP_N; p++) {
			if (!walk_decode(&rr_rules[i], p))
				continue;
			print_message("%-45s %-12s walk %d decoded %s\n", rr_rules[i].what,
				      rr_place_name(p), run.res, rr_rules[i].text ? "yes" : "no");
			check(&rr_rules[i], p);
			tried++;
		}
	}
	assert_true(tried >= (int)rr_n_rules * 3);
}

/* Every refusal in the table says why: the table is the documentation. */
static void every_refusal_has_a_reason(void **state)
{
	for (size_t i = 0; i < rr_n_rules; i++)
		if (!rr_rules[i].text || !rr_rules[i].walk_ok)
			assert_non_null(rr_rules[i].why);
}

/* The same answer set in another record order has the same fingerprint. */
static void fingerprint_ignores_order_and_ttl(void **state)
{
	struct pb_dns a, b;
	struct fw_sample sa, sb;

	pb_dns_init(&a, 1, PB_DNS_QR, 1, 2, 0, 0);
	pb_dns_question(&a, "q.example", PB_TYPE_A, PB_CLASS_IN);
	pb_dns_rr_a(&a, 12, 60, "192.0.2.1");
	pb_dns_rr_a(&a, 12, 60, "192.0.2.2");
	pb_dns_init(&b, 2, PB_DNS_QR, 1, 2, 0, 0);
	pb_dns_question(&b, "q.example", PB_TYPE_A, PB_CLASS_IN);
	pb_dns_rr_a(&b, 12, 5, "192.0.2.2");
	pb_dns_rr_a(&b, 12, 3600, "192.0.2.1");
	assert_int_equal(hw_sample(a.buf, a.len, SEED, &sa), HW_SAMPLED);
	assert_int_equal(hw_sample(b.buf, b.len, SEED, &sb), HW_SAMPLED);
	assert_true(sa.fingerprint == sb.fingerprint);
	pb_dns_init(&b, 2, PB_DNS_QR, 1, 2, 0, 0);
	pb_dns_question(&b, "q.example", PB_TYPE_A, PB_CLASS_IN);
	pb_dns_rr_a(&b, 12, 60, "192.0.2.1");
	pb_dns_rr_a(&b, 12, 60, "192.0.2.3");
	assert_int_equal(hw_sample(b.buf, b.len, SEED, &sb), HW_SAMPLED);
	assert_true(sa.fingerprint != sb.fingerprint);
}

/*
 * One fingerprint: the scorer's address-set fingerprint is the kernel's
 * sum over the same A and AAAA records (seed 0), whatever their order.
 */
static void scorer_fingerprint_is_the_kernels(void **state)
{
	struct pb_dns m;
	struct fw_sample s;
	struct fw_obs obs;

	pb_dns_init(&m, 1, PB_DNS_QR, 1, 4, 0, 0);
	pb_dns_question(&m, "q.example", PB_TYPE_A, PB_CLASS_IN);
	pb_dns_rr_a(&m, 12, 60, "198.51.100.7");
	pb_dns_rr_aaaa(&m, 12, 60, "2001:db8::1:2");
	pb_dns_rr_a(&m, 12, 60, "203.0.113.200");
	pb_dns_rr_aaaa(&m, 12, 60, "2001:db8:ffff::9");
	assert_int_equal(hw_sample(m.buf, m.len, 0, &s), HW_SAMPLED);
	assert_int_equal(fw_sample_decode(&s, 1, &obs), FW_DECODE_OK);
	assert_int_equal(obs.n_addrs, 4);
	assert_true(fw_obs_address_fp(&obs) == s.fingerprint);
	/* an NS record counts in the kernel's, not in the address set's */
	pb_dns_set_counts(&m, 1, 4, 1, 0);
	pb_dns_rr_ns(&m, 12, 60, "ns1.q.example");
	assert_int_equal(hw_sample(m.buf, m.len, 0, &s), HW_SAMPLED);
	assert_int_equal(fw_sample_decode(&s, 1, &obs), FW_DECODE_OK);
	assert_true(fw_obs_address_fp(&obs) != s.fingerprint);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_encoding_at_every_place),
	    cmocka_unit_test(every_refusal_has_a_reason),
	    cmocka_unit_test(fingerprint_ignores_order_and_ttl),
	    cmocka_unit_test(scorer_fingerprint_is_the_kernels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
