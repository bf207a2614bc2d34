/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's control socket, state_dir/fluxwall.sock: one request line
 * ("explain NAME", "explain-json NAME", "metrics", "top N"), one text reply.
 * The daemon serves it without ever blocking: a client that sends nothing,
 * never reads or sends garbage only ever costs itself its connection.
 */
#ifndef FW_CTL_SOCKET_H
#define FW_CTL_SOCKET_H

#include <poll.h>
#include <stdint.h>
#include <stdio.h>

#define FW_CTL_SOCKET	   "fluxwall.sock"
#define FW_CTL_MAX_CLIENTS 64	/* served at once; more wait in the backlog */
#define FW_CTL_REQ_MAX	   512	/* a longer request line is cut there */
#define FW_CTL_CLIENT_MS   2000 /* a client's whole exchange, then it is dropped */

typedef void (*fw_ctl_handler)(const char *request, FILE *reply, void *ctx);

struct fw_ctl_client {
	int fd;
	uint64_t deadline_ns;
	size_t got;
	char req[FW_CTL_REQ_MAX];
	char *out; /* the reply, once the request is in */
	size_t out_len, out_off;
};

struct fw_ctl {
	int fd; /* listening; -1 when none */
	fw_ctl_handler handler;
	void *ctx;
	unsigned n;
	struct fw_ctl_client c[FW_CTL_MAX_CLIENTS];
};

/* Listen at path, replacing a stale socket; 0, or -1 with errno. */
int fw_ctl_open(struct fw_ctl *s, const char *path, fw_ctl_handler handler, void *ctx);

/* Drop every client and stop listening. */
void fw_ctl_close(struct fw_ctl *s);

/* What to wait for: fills up to max entries of p; returns how many. */
int fw_ctl_pollfds(const struct fw_ctl *s, struct pollfd *p, int max);

/* Accept, read, answer and drop clients as far as it goes without waiting. */
void fw_ctl_serve(struct fw_ctl *s);

/*
 * Send request to the daemon at path, copying its reply to out; -1 (errno)
 * if none runs or it did not answer within FW_CTL_WAIT_S seconds.
 */
#define FW_CTL_WAIT_S 10
int fw_ctl_request(const char *path, const char *request, FILE *out);

#endif /* FW_CTL_SOCKET_H */
