/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the pure parsing headers take from the BPF toolchain, for a host
 * build: the fuzzers and tests/unit/test_record_rules.c compile the data
 * path's own question scan and record walk instead of a copy of them.
 */
#ifndef FW_HOST_COMPAT_H
#define FW_HOST_COMPAT_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/*
 * Verified on its own in the kernel (a global function); in a host build
 * one translation unit holds it, so it is static there.
 */
#define FW_VERIFIED_ALONE static __attribute__((noinline, unused))

/* The kernel's open-coded numeric iterator, as a plain counter. */
struct bpf_iter_num {
	int cur, end;
};

static inline int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end)
{
	it->cur = start - 1;
	it->end = start <= end ? end : start;
	return start <= end ? 0 : -22;
}

static inline int *bpf_iter_num_next(struct bpf_iter_num *it)
{
	if (it->cur + 1 >= it->end)
		return (int *)0;
	it->cur++;
	return &it->cur;
}

static inline void bpf_iter_num_destroy(struct bpf_iter_num *it)
{
	(void)it;
}

#endif /* FW_HOST_COMPAT_H */
