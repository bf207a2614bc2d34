// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Names in presentation form for text outputs; see printable.h. */
#include <stdio.h>

#include "printable.h"

const char *fw_printable(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t pos = 0;

	if (!len)
		return buf;
	for (; *p; p++) {
		if (*p > ' ' && *p < 0x7f && *p != '\\') {
			if (pos + 1 >= len)
				break;
			buf[pos++] = (char)*p;
			continue;
		}
		if (pos + 4 >= len)
			break;
		snprintf(buf + pos, 5, "\\%03u", *p);
		pos += 4;
	}
	buf[pos] = '\0';
	return buf;
}
