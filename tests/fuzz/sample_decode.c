// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The daemon's sample decoder (userspace/dataplane/sample_decode.c) on whatever the
 * ring buffer could hold: the input is a struct fw_sample byte for byte,
 * zero-filled when short, as `fluxwall run` receives it.
 *
 * The decoder finds the records by running the XDP program's own walk
 * (bpf/answer_walk.h) on the sample's copy, so that walk is fuzzed here too,
 * on the bytes a kernel sample carries. The seed corpus is made of samples
 * the loaded program really produced (from the tests/data captures, by
 * tests/tools/seed_samples), and the fuzzer mutates from there. On top of
 * the sanitizers, a decoded observation must
 * be one the scorer can take: names in their one text (name_text.h),
 * counts within bounds, glue pointing at an NS name, and nothing read past
 * the bytes the sample says it holds.
 */
#include <string.h>

#include "fuzz_check.h"
#include "name_text.h"
#include "dataplane/sample_decode.h"

static void check_name(const char *what, const char *name)
{
	FUZZ_CHECK(strnlen(name, FW_OBS_NAME_MAX) < FW_OBS_NAME_MAX, "%s is not terminated", what);
	fuzz_check_name_text(what, name);
}

static void check_ip(const char *what, const struct fw_ip *ip)
{
	FUZZ_CHECK(ip->family == AF_INET || ip->family == AF_INET6, "%s has family %u", what,
		   ip->family);
}

static void check_obs(const struct fw_obs *o)
{
	int i;

	check_name("qname", o->qname);
	FUZZ_CHECK(o->n_addrs <= FW_OBS_MAX_ADDRS && o->n_cnames <= FW_OBS_MAX_CNAMES &&
		       o->n_ns <= FW_OBS_MAX_NS && o->n_glue <= FW_OBS_MAX_GLUE,
		   "counts %u %u %u %u", o->n_addrs, o->n_cnames, o->n_ns, o->n_glue);
	for (i = 0; i < o->n_addrs; i++)
		check_ip("answer", &o->addrs[i].ip);
	for (i = 0; i < o->n_cnames; i++)
		check_name("cname", o->cnames[i]);
	for (i = 0; i < o->n_ns; i++)
		check_name("ns", o->ns[i].name);
	for (i = 0; i < o->n_glue; i++) {
		check_ip("glue", &o->glue[i]);
		FUZZ_CHECK(o->glue_ns[i] < o->n_ns, "glue %d points at NS %u of %u", i,
			   o->glue_ns[i], o->n_ns);
	}
}

/* The parts of two observations the scorer reads. */
static int obs_equal(const struct fw_obs *a, const struct fw_obs *b)
{
	int i;

	if (strcmp(a->qname, b->qname) || a->n_addrs != b->n_addrs || a->n_cnames != b->n_cnames ||
	    a->n_ns != b->n_ns || a->n_glue != b->n_glue)
		return 0;
	for (i = 0; i < a->n_addrs; i++)
		if (memcmp(&a->addrs[i], &b->addrs[i], sizeof(a->addrs[i])))
			return 0;
	for (i = 0; i < a->n_cnames; i++)
		if (strcmp(a->cnames[i], b->cnames[i]))
			return 0;
	for (i = 0; i < a->n_ns; i++)
		if (strcmp(a->ns[i].name, b->ns[i].name) || a->ns[i].ttl != b->ns[i].ttl)
			return 0;
	for (i = 0; i < a->n_glue; i++)
		if (memcmp(&a->glue[i], &b->glue[i], sizeof(a->glue[i])) ||
		    a->glue_ns[i] != b->glue_ns[i])
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fw_sample s, t;
	static struct fw_obs o1, o2;
	enum fw_decode_res r1, r2;

	memset(&s, 0, sizeof(s));
	memcpy(&s, data, size < sizeof(s) ? size : sizeof(s));
	r1 = fw_sample_decode(&s, 1, &o1);
	FUZZ_CHECK(r1 == FW_DECODE_OK || r1 == FW_DECODE_BAD_NAME || r1 == FW_DECODE_BAD_SAMPLE,
		   "result %d", r1);
	if (r1 == FW_DECODE_OK)
		check_obs(&o1);

	/* The bytes past msg_len are not part of the message: changing them changes nothing. */
	if (s.msg_len > FW_SAMPLE_MSG)
		return 0;
	t = s;
	memset(t.msg + s.msg_len, 0xc0, FW_SAMPLE_MSG - s.msg_len);
	r2 = fw_sample_decode(&t, 1, &o2);
	FUZZ_CHECK(r1 == r2, "result %d, %d with other bytes past the message", r1, r2);
	FUZZ_CHECK(r1 != FW_DECODE_OK || obs_equal(&o1, &o2),
		   "bytes past the message changed what was decoded");
	return 0;
}
