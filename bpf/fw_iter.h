/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Open-coded numeric iterators (kernel 6.4+). The verifier checks a loop
 * written with them by convergence instead of simulating every iteration,
 * which keeps a 127-label walk far below the instruction limit. A host
 * build gets a plain counter from host_compat.h.
 */
#ifndef FW_ITER_H
#define FW_ITER_H

#ifdef __bpf__
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;
#else
#include "host_compat.h"
#endif

#endif /* FW_ITER_H */
