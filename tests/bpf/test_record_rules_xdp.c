// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The loaded XDP program and the host build of its walk (tests/lib/
 * host_walk.c) agree byte for byte: on every encoding of the record-rules
 * table at every place, and on every message of the walk_decode fuzz
 * corpus. With that, what the host tests and fuzzers prove of the walk
 * holds for the program that runs on the NIC: every sample it sends
 * decodes in the daemon.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <cmocka.h>

#include "host_walk.h"
#include "dataplane/pinned_maps.h"
#include "record_rules.h"
#include "dataplane/sample_decode.h"
#include "xdp_harness.h"

#define CORPUS "tests/fuzz/corpus/walk_decode"

static struct fwh h;
static uint64_t seed;
static struct fwh_result res;
static uint8_t frame[PB_MAX_FRAME];

static int setup(void **state)
{
	struct fw_config cfg;
	struct fw_maps m;
	char err[256];

	if (fwh_open(&h, "rules") || fwh_sampling(&h))
		return -1;
	if (fw_maps_open(&m, h.sb.pin, 65536, 0, err, sizeof(err)))
		return -1;
	if (fw_maps_get_config(&m, &cfg)) {
		fw_maps_close(&m);
		return -1;
	}
	fw_maps_close(&m);
	seed = cfg.seed[0];
	return 0;
}

static int teardown(void **state)
{
	fwh_close(&h);
	return 0;
}

/* The first field of a sample's body where kernel and host differ, or NULL. */
static const char *body_differs(const struct fw_sample *k, const struct fw_sample *u)
{
	if (k->fingerprint != u->fingerprint)
		return "fingerprint";
	if (k->dns_len != u->dns_len || k->msg_len != u->msg_len)
		return "length";
	if (k->qtype != u->qtype || k->name_len != u->name_len || k->rcode != u->rcode)
		return "question";
	if (k->flags != u->flags)
		return "flags";
	if (k->n_rr != u->n_rr)
		return "records"; /* their places: the daemon's walk of msg, compared below */
	return memcmp(k->msg, u->msg, k->msg_len) ? "message" : NULL;
}

/* Run msg through the program; compare with the host walk. 1 when sampled. */
static int agree(const uint8_t *msg, size_t len, const char *what)
{
	struct pb_spec spec = { .payload = msg, .payload_len = len };
	struct fw_sample u;
	struct fw_obs obs;
	const char *differs;
	enum hw_res hr = hw_sample(msg, len, seed, &u);
	size_t flen = pb_build(&spec, frame, sizeof(frame));

	assert_true(flen > 0);
	assert_int_equal(fwh_run(&h, frame, flen, &res), 0);
	assert_int_equal(res.verdict, XDP_PASS);
	if (res.n_samples != (hr == HW_SAMPLED)) {
		fail_msg("%s: the program sent %d samples, the host walk says %d", what,
			 res.n_samples, hr);
	}
	assert_int_equal(res.delta[FW_CNT_MAL_RECORDS] != 0, hr == HW_MALFORMED);
	if (hr != HW_SAMPLED)
		return 0;
	differs = body_differs(&res.samples[0], &u);
	if (differs)
		fail_msg("%s: the program's sample differs from the host walk's in its %s", what,
			 differs);
	assert_int_equal(fw_sample_decode(&res.samples[0], 1, &obs), FW_DECODE_OK);
	return 1;
}

static void table_agrees(void **state)
{
	struct pb_dns m;
	char what[160];
	int n = 0;

	for (size_t i = 0; i < rr_n_rules; i++)
		for (int p = 0; p < RRP_N; p++) {
			size_t len = rr_build(&rr_rules[i], p, &m);

			if (!len)
				continue;
			snprintf(what, sizeof(what), "%s at %s", rr_rules[i].what,
				 rr_place_name(p));
			agree(m.buf, len, what);
			n++;
		}
	assert_true(n >= (int)rr_n_rules * 3);
}

static size_t read_input(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void corpus_agrees(void **state)
{
	static uint8_t msg[4096];
	char path[4096 + 256];
	int files = 0, sampled = 0;
	struct dirent *e;
	DIR *d = opendir(CORPUS);

	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", CORPUS, e->d_name);
		len = read_input(path, msg, sizeof(msg));
		if (len < 12)
			continue;
		files++;
		sampled += agree(msg, len, e->d_name);
	}
	closedir(d);
	print_message("%d corpus messages, %d sampled, all agree\n", files, sampled);
	assert_true(files >= 50 && sampled >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_agrees),
		cmocka_unit_test(corpus_agrees),
	};

	if (chdir(fwh_repo_root()))
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
