/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Open the XDP object with its maps pinned under one bpffs directory. */
#ifndef FW_PROG_LOAD_H
#define FW_PROG_LOAD_H

#include <stddef.h>
#include <stdint.h>

struct fluxwall;

/*
 * Open build/fluxwall.bpf.o (embedded through the skeleton) so that its maps
 * are pinned by name under pin_path, reusing maps already pinned there. The
 * capacity applies only when the maps are created; existing maps keep theirs.
 * When load is 0 the object is opened but not loaded (libxdp loads it).
 */
int fw_prog_open(const char *pin_path, uint32_t capacity, int load, struct fluxwall **skel,
		 char *err, size_t errlen);

/*
 * fw_prog_open() and load, the program declared multi-buffer (xdp.frags):
 * BPF_PROG_TEST_RUN then runs frames over a page whole, their bytes past
 * the first page in fragments, as replay needs for jumbo frames. A
 * single-buffer program would be given them too, and would see only the
 * first page of them.
 */
int fw_prog_open_frags(const char *pin_path, uint32_t capacity, struct fluxwall **skel, char *err,
		       size_t errlen);

/* libbpf and libxdp are chatty about expected fallbacks; FLUXWALL_DEBUG shows them. */
void fw_prog_quiet_logs(void);

/* Fail with a clear message unless pin_path's parent is bpffs; create pin_path. */
int fw_check_bpffs(const char *pin_path, char *err, size_t errlen);

/* Entries of the Bloom filter in front of the rules map, for a capacity. */
uint32_t fw_filter_words(uint32_t capacity);

#endif /* FW_PROG_LOAD_H */
