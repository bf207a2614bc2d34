/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Files replaced whole or not at all. */
#ifndef FW_ATOMIC_FILE_H
#define FW_ATOMIC_FILE_H

#include <stdio.h>
#include <sys/types.h>

/* Writes a file's content to f; 0, or -1 with errno set. */
typedef int (*fw_fill_fn)(FILE *f, void *ctx);

/*
 * Replace path with what fill writes: into a hidden temporary file beside it
 * (".NAME.XXXXXX", so collectors that read *.prom never see it half
 * written), created with mode, synced, renamed over path, then the directory
 * synced. On failure path is as it was, the temporary is removed, and -1 is
 * returned with errno saying why.
 */
int fw_file_replace(const char *path, mode_t mode, fw_fill_fn fill, void *ctx);

/* fsync() the directory holding path, so a rename in it survives a crash. */
int fw_fsync_dir_of(const char *path);

#endif /* FW_ATOMIC_FILE_H */
