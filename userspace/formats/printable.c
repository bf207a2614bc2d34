// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Names in presentation form for text outputs; see printable.h. */
#include <stdio.h>

#include "formats/printable.h"

/* Length of an escape the name decoder already wrote at p ("\\", "\\.", "\\DDD"), or 0. */
static size_t decoded_escape(const unsigned char *p)
{
	if (p[0] != '\\')
		return 0;
	if (p[1] == '\\' || p[1] == '.')
		return 2;
	if (p[1] >= '0' && p[1] <= '2' && p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9')
		return 4;
	return 0;
}

const char *fw_printable(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t pos = 0, esc;

	if (!len)
		return buf;
	while (*p) {
		esc = decoded_escape(p);
		if (esc || (*p > ' ' && *p < 0x7f && *p != '\\')) {
			esc = esc ? esc : 1;
			if (pos + esc >= len)
				break;
			while (esc--)
				buf[pos++] = (char)*p++;
			continue;
		}
		if (pos + 4 >= len)
			break;
		snprintf(buf + pos, 5, "\\%03u", *p++);
		pos += 4;
	}
	buf[pos] = '\0';
	return buf;
}
