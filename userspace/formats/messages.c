// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Messages to the operator, on stderr or into a buffer the daemon reports from. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "formats/messages.h"

/* Per thread: the daemon's fleet worker captures its own messages. */
static __thread char *err_buf;
static __thread size_t err_len;

void fw_err_capture(char *buf, size_t len)
{
	err_buf = len ? buf : NULL;
	err_len = len;
	if (err_buf)
		err_buf[0] = '\0';
}

void fw_err(const char *fmt, ...)
{
	va_list ap;

	if (err_buf) {
		size_t off = strlen(err_buf);

		if (off && off + 2 < err_len)
			off += (size_t)snprintf(err_buf + off, err_len - off, "; ");
		va_start(ap, fmt);
		if (off < err_len)
			vsnprintf(err_buf + off, err_len - off, fmt, ap);
		va_end(ap);
		return;
	}
	fputs("fluxwall: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int fw_require_root(const char *verb)
{
	if (geteuid() == 0)
		return 0;
	fw_err("'%s' needs root (it loads BPF programs and edits pinned maps); run it as root "
	       "or with sudo",
	       verb);
	return -1;
}
