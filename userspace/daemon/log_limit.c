// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Rate-limited messages for failures that repeat; see log_limit.h. */
#include <stdarg.h>
#include <stdio.h>

#include "formats/messages.h"
#include "daemon/log_limit.h"

void fw_log_fail(struct fw_log_limit *l, uint64_t now_ns, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (l->failing && now_ns < l->next_ns) {
		l->suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->suppressed)
		fw_err("%s (failed %llu more times since the last message)", msg,
		       (unsigned long long)l->suppressed);
	else
		fw_err("%s", msg);
	l->failing = true;
	l->suppressed = 0;
	l->next_ns = now_ns + FW_LOG_LIMIT_NS;
}

void fw_log_ok(struct fw_log_limit *l, const char *fmt, ...)
{
	va_list ap;

	if (!l->failing)
		return;
	fputs("fluxwall: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (l->suppressed)
		fprintf(stderr, " (after %llu more failures)", (unsigned long long)l->suppressed);
	fputc('\n', stderr);
	l->failing = false;
	l->suppressed = 0;
}
