/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Messages to the operator: every layer reports through these. */
#ifndef FW_MESSAGES_H
#define FW_MESSAGES_H

#include <stddef.h>

/* Print "fluxwall: <message>" to stderr. */
void fw_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * While buf is set, fw_err appends its messages there ("; " between them)
 * instead of printing them: the daemon decides how often to report them.
 * NULL prints again.
 */
void fw_err_capture(char *buf, size_t len);

/* Exit status 1 with a message unless running as root. */
int fw_require_root(const char *verb);

#endif /* FW_MESSAGES_H */
