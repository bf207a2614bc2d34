/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A private copy of the XDP program that is never attached: its maps
 * pinned under /sys/fs/bpf/<name>-<pid>, frames run through it with
 * BPF_PROG_TEST_RUN, its samples handed to a callback. `replay`, the BPF
 * tests, the benchmarks and the tools all use this one.
 */
#ifndef FW_SANDBOX_H
#define FW_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include "fluxwall_abi.h"

#include "dataplane/sample_reader.h"

struct fluxwall;

struct fw_sandbox {
	char pin[256];
	struct fluxwall *skel;
	int prog_fd;
	int stats_fd;
	struct fw_sample_reader *reader;
	int hold; /* set: runs leave samples in the ring buffer, to fill it */
};

/* One run of a frame; out may be NULL when the output does not matter. */
struct fw_sandbox_run {
	const uint8_t *in;
	size_t in_len;
	uint8_t *out;
	size_t out_cap;
	size_t out_len;	     /* set by the run */
	uint32_t verdict;    /* set by the run: XDP_PASS, XDP_DROP, ... */
	uint32_t repeat;     /* 0 means 1 */
	uint32_t duration_ns; /* set by the run: mean time of one repetition */
};

/*
 * Load the program, declared multi-buffer so that frames over a page run
 * whole, with capacity rules, into /sys/fs/bpf/<name>-<pid>. Directories
 * of earlier <name>-<pid> sandboxes whose process is gone are removed
 * first; this one is removed by fw_sandbox_close(), at exit, and on
 * SIGINT, SIGTERM, SIGHUP and SIGPIPE.
 */
int fw_sandbox_open(struct fw_sandbox *sb, const char *name, uint32_t capacity, char *err,
		    size_t errlen);

/* Read the sample ring buffer: fn gets each sample after the run that made it. */
int fw_sandbox_on_sample(struct fw_sandbox *sb, fw_sample_fn fn, void *ctx, char *err,
			 size_t errlen);

/*
 * Sample every response that is not blocked, however recently its answer
 * set was sent (interval 0): a replay's time is the capture's, not the
 * kernel's.
 */
int fw_sandbox_sample_all(struct fw_sandbox *sb, char *err, size_t errlen);

/* 0, or -errno of BPF_PROG_TEST_RUN (EINVAL: a frame the kernel will not run). */
int fw_sandbox_run(struct fw_sandbox *sb, struct fw_sandbox_run *run);

/* Hand the samples in the ring buffer to the callback now. */
void fw_sandbox_drain(struct fw_sandbox *sb);

/* The data path's counters, summed over CPUs. */
int fw_sandbox_counters(struct fw_sandbox *sb, uint64_t out[FW_CNT_MAX]);

void fw_sandbox_close(struct fw_sandbox *sb);

#endif /* FW_SANDBOX_H */
