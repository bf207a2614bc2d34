/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The per-CPU working memory of the XDP program and the question it holds.
 * Nothing here needs a map or a helper, so the parsing headers built on it
 * (question_scan.h, answer_walk.h, sample_body.h) also compile on the host,
 * where the fuzzers and the parser-agreement tests run the same code.
 */
#ifndef FW_SCRATCH_H
#define FW_SCRATCH_H

#ifdef __bpf__
/* A global function: the verifier checks it once, on its own. */
#define FW_VERIFIED_ALONE __attribute__((noinline))
#else
#include "host_compat.h"
#endif
#include "fluxwall_abi.h"

#if defined(__clang__)
#define FW_NO_UNROLL _Pragma("clang loop unroll(disable)")
#define FW_UNROLL    _Pragma("unroll")
#else
#define FW_NO_UNROLL
#define FW_UNROLL
#endif

#define DNS_HDR_LEN 12

/* Hide a value's range from the compiler so it keeps the masks we write. */
#define fw_opaque(x) asm volatile("" : "+r"(x))

/*
 * Loads at any byte offset. The BPF JIT does unaligned loads in one
 * instruction on the machines XDP runs on; C on the host wants memcpy.
 */
#ifdef __bpf__
#define fw_ld16(p) (*(const __u16 *)(p))
#define fw_ld32(p) (*(const __u32 *)(p))
#define fw_ld64(p) (*(const __u64 *)(p))
#else
static inline __u16 fw_ld16(const void *p)
{
	__u16 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline __u32 fw_ld32(const void *p)
{
	__u32 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline __u64 fw_ld64(const void *p)
{
	__u64 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}
#endif

/* Header, question and label offsets; the record walk's results. */
struct fw_scratch {
	__u8 msg[FW_SCRATCH_MSG];
	struct fw_sample_rr rr[FW_SAMPLE_MAX_RR];
	__u8 loff[128];
	__u32 nlabels; /* results kept out of registers; see fw_scan_labels */
	__u32 name_len;
	__u8 verdict;
	__u8 action;
	__u8 origin;
	__u8 n_rr;
	__u8 keep_rr; /* set by fw_walk_records' caller: fill rr[] */
	__u32 walk_off; /* loop-carried values of the record walk */
	__u32 walk_flags;
	__u64 fingerprint;
	__u64 name_hash; /* keyed hash of the whole question name */
};

struct fw_question {
	__u32 copied;	/* bytes of the message in scratch->msg */
	__u32 name_len; /* wire length of the name, root byte included */
	__u32 nlabels;
};

#endif /* FW_SCRATCH_H */
