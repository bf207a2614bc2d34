// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XDP program's question scan and record walk, built for the host from
 * their own source (tests/lib/host_walk.c), then the daemon's decoder on
 * the sample they make. The input is a DNS message as it would follow the
 * UDP header. What the walk accepts, the decoder must accept; and the
 * decoder must keep every answer address the walk found, and every CNAME
 * and NS name that the rules of tests/lib/record_rules.h let it expand,
 * checked here by a second, plain reading of those rules.
 * tests/bpf/test_record_rules_xdp.c runs this corpus through the loaded
 * program and checks that it makes the same samples.
 */
#include <string.h>

#include "fuzz_check.h"
#include "host_walk.h"
#include "dataplane/sample_decode.h"

#define T_A	1
#define T_NS	2
#define T_CNAME 5
#define T_AAAA	28
#define SEED	0x0123456789abcdefULL

/*
 * The rules, read plainly: labels under 64 bytes, each pointer to before
 * itself, at most FW_DECODE_MAX_POINTERS of them, 255 bytes in all, all
 * inside the copy. *end is where the name's own bytes stop.
 */
static int expandable(const uint8_t *m, size_t len, size_t off, size_t *end)
{
	size_t wire = 1, jumps = 0;

	*end = 0;
	while (off < len) {
		uint8_t l = m[off];
		size_t to;

		if (l == 0) {
			if (!jumps)
				*end = off + 1;
			return 1;
		}
		if ((l & 0xc0) != 0xc0) {
			if (l & 0xc0 || (wire += 1 + l) > FW_MAX_NAME)
				return 0;
			off += 1 + l;
			continue;
		}
		if (off + 1 >= len || ++jumps > FW_DECODE_MAX_POINTERS)
			return 0;
		if (jumps == 1)
			*end = off + 2;
		to = (size_t)(l & 0x3f) << 8 | m[off + 1];
		if (to >= off)
			return 0;
		off = to;
	}
	return 0;
}

static int class_in(const struct fw_sample *s, const struct fw_sample_rr *rr)
{
	return s->msg[rr->rdata_off - 8] == 0 && s->msg[rr->rdata_off - 7] == 1;
}

/* A record of data name the decoder must keep: expandable inside its data. */
static int name_kept(const struct fw_sample *s, const struct fw_sample_rr *rr)
{
	size_t end;

	return class_in(s, rr) && expandable(s->msg, s->msg_len, rr->rdata_off, &end) &&
	       end <= (size_t)rr->rdata_off + rr->rdlen;
}

static int min(int a, int b)
{
	return a < b ? a : b;
}

static void check_kept(const struct fw_sample *s, const struct fw_obs *o)
{
	struct fw_sample_rr all[FW_SAMPLE_MAX_RR];
	int addrs = 0, cnames = 0, ns = 0, n = fw_sample_records(s, all);

	FUZZ_CHECK(n == s->n_rr, "the walk finds %d records on the copy, the sample says %u", n,
		   s->n_rr);
	for (int i = 0; i < n; i++) {
		const struct fw_sample_rr *rr = &all[i];

		if (rr->section == FW_SEC_ANSWER && class_in(s, rr) &&
		    ((rr->type == T_A && rr->rdlen == 4) || (rr->type == T_AAAA && rr->rdlen == 16)))
			addrs++;
		else if (rr->section == FW_SEC_ANSWER && rr->type == T_CNAME)
			cnames += name_kept(s, rr);
		else if (rr->section != FW_SEC_ADDITIONAL && rr->type == T_NS)
			ns += name_kept(s, rr);
	}
	/* Addresses come first in no particular order: a full list may stop early. */
	FUZZ_CHECK(o->n_addrs == min(addrs, FW_OBS_MAX_ADDRS), "%u answer addresses kept of %d",
		   o->n_addrs, addrs);
	FUZZ_CHECK(o->n_cnames == min(cnames, FW_OBS_MAX_CNAMES), "%u CNAMEs kept of %d",
		   o->n_cnames, cnames);
	FUZZ_CHECK(o->n_ns == min(ns, FW_OBS_MAX_NS), "%u NS names kept of %d", o->n_ns, ns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fw_sample s;
	static struct fw_obs obs;
	enum fw_decode_res r;

	if (hw_sample(data, size, SEED, &s) != HW_SAMPLED)
		return 0;
	FUZZ_CHECK(s.msg_len <= FW_SAMPLE_MSG && s.n_rr <= FW_SAMPLE_MAX_RR, "%u bytes, %u records",
		   s.msg_len, s.n_rr);
	r = fw_sample_decode(&s, 1, &obs);
	FUZZ_CHECK(r == FW_DECODE_OK, "the walk sampled the message, the decoder said %d", r);
	check_kept(&s, &obs);
	return 0;
}
