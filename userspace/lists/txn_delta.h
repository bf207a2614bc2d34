/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A change to a few names, committed in time proportional to it: the
 * journal record, then only those names' keys in the maps.
 */
#ifndef FW_CTX_DELTA_H
#define FW_CTX_DELTA_H

#include "lists/txn.h"

struct fw_delta {
	struct fw_change *c; /* as journaled: a del before every put that replaces */
	size_t n, cap;
	struct fw_state before, after; /* every entry of the names touched */
};

/* Resolve the changes against the lists as they are; -1 when out of memory. */
int fw_delta_build(struct fw_ctx *ctx, const struct fw_change *c, size_t n, struct fw_delta *d);

/* Journal, then maps; on a map error both are put back. fw_err on failure. */
int fw_delta_commit(struct fw_ctx *ctx, struct fw_delta *d);

void fw_delta_free(struct fw_delta *d);

#endif /* FW_CTX_DELTA_H */
