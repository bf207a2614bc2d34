/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The key of bpf/bench_exact.bpf.c, the reference make bench measures
 * fluxwall against: the question name as it lies on the wire, zero padded
 * to a fixed size. The benchmark fills the map with the same layout.
 */
#ifndef FLUXWALL_BENCH_EXACT_H
#define FLUXWALL_BENCH_EXACT_H

#include "fluxwall_abi.h"

#define FW_EXACT_KEY 256

struct fw_exact_key {
	__u8 name[FW_EXACT_KEY];
};

#endif /* FLUXWALL_BENCH_EXACT_H */
