/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The XDP program's own question scan, record walk and sample body
 * (bpf/question_scan.h, answer_walk.h, sample_body.h), built for the host:
 * the sample the kernel would send for a DNS message, without a kernel.
 * tests/bpf/test_record_rules.c checks that this build and the loaded
 * program agree byte for byte.
 */
#ifndef HOST_WALK_H
#define HOST_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "fluxwall_abi.h"

enum hw_res {
	HW_SAMPLED = 0,	 /* a sample would be sent */
	HW_NOT_FILTERED, /* not a response to a query, or a bad header or question */
	HW_MALFORMED,	 /* the walk refused the records: counted, no sample */
	HW_EMPTY,	 /* no record to learn from: no sample */
};

/*
 * Scan and walk a DNS message of len bytes (only the first FW_SAMPLE_MSG
 * are read, as in the kernel) with the fingerprint seed, and fill out with
 * what the kernel's sample would hold apart from time, interface and
 * addresses (family is set to 4).
 */
enum hw_res hw_sample(const uint8_t *msg, size_t len, uint64_t seed, struct fw_sample *out);

#endif /* HOST_WALK_H */
