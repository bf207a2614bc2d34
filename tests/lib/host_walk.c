// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "question_scan.h"
#include "answer_walk.h"
#include "sample_body.h"
#include "host_walk.h"

enum hw_res hw_sample(const uint8_t *msg, size_t len, uint64_t seed, struct fw_sample *out)
{
	static struct fw_scratch s;
	struct fw_question q = {0};
	__u32 copy = len > FW_SAMPLE_MSG ? FW_SAMPLE_MSG : (__u32)len;

	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(*out));
	if (len < DNS_HDR_LEN || len > 0xffff)
		return HW_NOT_FILTERED;
	memcpy(s.msg, msg, copy);
	if (fw_check_question(&s, copy, (__u32)len, &q))
		return HW_NOT_FILTERED;
	if (fw_walk_records(&s, q.name_len, q.copied, (__u32)len, seed))
		return HW_MALFORMED;
	if (!s.n_rr)
		return HW_EMPTY;
	fw_sample_body(out, &s, &q, (__u32)len, s.fingerprint);
	out->family = 4;
	return HW_SAMPLED;
}
