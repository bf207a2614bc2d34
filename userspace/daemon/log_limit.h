/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's messages about something that keeps failing (a full disk, a
 * read-only directory): the first failure at once, then at most one message
 * a minute saying how often it failed meanwhile, and one when it works
 * again. A retry every second must not write a line every second.
 */
#ifndef FW_LOG_LIMIT_H
#define FW_LOG_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define FW_LOG_LIMIT_NS (60ull * 1000000000ull)

struct fw_log_limit {
	uint64_t next_ns;    /* no message before this, while failing */
	uint64_t suppressed; /* failures not reported since the last message */
	bool failing;
};

/* A failure at now_ns (CLOCK_MONOTONIC): reported through fw_err, or counted. */
void fw_log_fail(struct fw_log_limit *l, uint64_t now_ns, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A success: says so (fmt, to stderr) when the last attempt had failed. */
void fw_log_ok(struct fw_log_limit *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* FW_LOG_LIMIT_H */
