/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Run the real XDP program on crafted frames with BPF_PROG_TEST_RUN, with
 * its maps pinned in a private bpffs directory and its rules managed by the
 * real CLI, as an operator would. No network interface is involved.
 */
#ifndef XDP_HARNESS_H
#define XDP_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "formats/abi_names.h" /* fw_counter_name() for messages */
#include "pktbuild.h"
#include "dataplane/sandbox.h"

struct fwh_result;

struct fwh {
	struct fw_sandbox sb; /* the program, in its private pin directory sb.pin */
	char state[256];      /* private state directory under /tmp */
	char cli[4096];	      /* the fluxwall binary */
	char cli_out[4096];   /* stdout and stderr of the last CLI run */
	int reading;	      /* the ring buffer is read: fwh_sampling() or fwh_on_sample() */
	struct fwh_result *cur; /* where the run in progress puts its samples */
	fw_sample_fn user_fn;
	void *user_ctx;
};

#define FWH_MAX_SAMPLES 2 /* one frame sends at most one */

struct fwh_result {
	int err;	  /* 0, or -errno from BPF_PROG_TEST_RUN */
	uint32_t verdict; /* XDP_PASS, XDP_DROP, ... */
	uint8_t out[PB_MAX_FRAME];
	size_t out_len;
	uint64_t delta[FW_CNT_MAX];		   /* how much each counter moved */
	struct fw_sample samples[FWH_MAX_SAMPLES]; /* with fwh_sampling() on */
	int n_samples;				   /* how many arrived, even past the array */
};

/*
 * Create /sys/fs/bpf/fluxwall-test-<tag>-<pid> and a state directory, load
 * the program there (a fw_sandbox) and initialise the configuration
 * (seed, drop by default, source port 53) as the CLI does. Both directories
 * are removed by fwh_close(), and at exit or on SIGINT/SIGTERM if a test
 * dies first. Returns 0, or -1 with a message on stderr.
 */
int fwh_open(struct fwh *h, const char *tag);
void fwh_close(struct fwh *h);

/*
 * Run the CLI with FLUXWALL_PIN_PATH and FLUXWALL_STATE_DIR pointing at the
 * private directories; args is NULL-terminated and excludes argv[0], as in
 * { "block", "add", "evil.example", NULL }. Returns the exit status, or -1
 * if it could not run; stdout and stderr are left in h->cli_out.
 */
int fwh_cli(struct fwh *h, char *const args[]);

/* fwh_open(), and -1 with a message (nothing left open) when the CLI is not built. */
int fwh_open_with_cli(struct fwh *h, const char *tag);

/*
 * Turn sampling on with an interval of 0, so every response that is not
 * blocked is sampled, as `replay` does; from then on fwh_run() collects the
 * frame's samples from the ring buffer into its result. Returns 0 or -1.
 */
int fwh_sampling(struct fwh *h);

/*
 * Also hand every sample to fn, whatever the sampling configuration (the
 * tests of suppression set their own). Returns 0 or -1.
 */
int fwh_on_sample(struct fwh *h, fw_sample_fn fn, void *ctx);

/* Run one frame through the program; counters are read before and after. */
int fwh_run(struct fwh *h, const uint8_t *frame, size_t len, struct fwh_result *r);

/* Counters summed over CPUs, read from the pinned fw_stats map. */
int fwh_counters(struct fwh *h, uint64_t out[FW_CNT_MAX]);

/* Print every counter that moved, for failure messages. */
void fwh_print_delta(const struct fwh_result *r);

/*
 * The repository the test binary was built in: the nearest directory above
 * /proc/self/exe holding include/fluxwall_abi.h, else FWH_SRCDIR (set by the
 * Makefile), so tests run from any working directory.
 */
const char *fwh_repo_root(void);

/* A fresh directory /tmp/fw-test-<tag>-XXXXXX into path; 0 or -1. */
int fwh_tmpdir(char *path, size_t len, const char *tag);

/* rm -r path (bpffs pins too). */
void fwh_rmtree(const char *path);

/* A file of the repository (path relative to its root), whole and NUL-terminated; free it. */
char *fwh_slurp(const char *rel);

#endif /* XDP_HARNESS_H */
