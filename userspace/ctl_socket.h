/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's control socket, state_dir/fluxwall.sock: one request line
 * ("explain NAME", "explain-json NAME", "metrics", "top N"), one text reply.
 */
#ifndef FW_CTL_SOCKET_H
#define FW_CTL_SOCKET_H

#include <stdio.h>

#define FW_CTL_SOCKET "fluxwall.sock"

typedef void (*fw_ctl_handler)(const char *request, FILE *reply, void *ctx);

/* Listen at path, replacing a stale socket; a non-blocking fd or -1. */
int fw_ctl_listen(const char *path);

/* Answer every pending connection on fd. */
void fw_ctl_serve(int fd, fw_ctl_handler handler, void *ctx);

/* Send request to the daemon at path, copying its reply to out; -1 if none runs. */
int fw_ctl_request(const char *path, const char *request, FILE *out);

#endif /* FW_CTL_SOCKET_H */
