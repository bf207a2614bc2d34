/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The reader of the XDP program's sample ring buffer: the daemon's and the
 * sandbox's. A record that is not a whole struct fw_sample (a program of
 * another version) is skipped, never handed on.
 */
#ifndef FW_SAMPLE_READER_H
#define FW_SAMPLE_READER_H

#include "fluxwall_abi.h"

typedef void (*fw_sample_fn)(void *ctx, const struct fw_sample *s);

struct fw_sample_reader;

/* A reader of the ring buffer map samples_fd, or NULL with errno set. */
struct fw_sample_reader *fw_sample_reader_new(int samples_fd, fw_sample_fn fn, void *ctx);

/* A descriptor that polls readable when samples wait. */
int fw_sample_reader_fd(struct fw_sample_reader *r);

/* Hand every waiting sample to fn; the number handed, or -errno. */
int fw_sample_reader_consume(struct fw_sample_reader *r);

void fw_sample_reader_free(struct fw_sample_reader *r);

#endif /* FW_SAMPLE_READER_H */
