/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the scorer may assume of a name the decoder wrote (fw_msg_name,
 * userspace/observation.h): labels of 1 to 63 bytes, lowercase, a dot or
 * backslash inside a label escaped as "\." and "\\", a control byte as
 * "\DDD", and 255 bytes at most on the wire. Checked independently of the
 * decoder, by reading the text back.
 */
#ifndef FUZZ_NAME_TEXT_H
#define FUZZ_NAME_TEXT_H

#include <ctype.h>
#include <string.h>

#include "fluxwall_abi.h"
#include "fuzz_check.h"

/* The byte an escape at s stands for, and its length in *n; -1 when not one. */
static inline int fuzz_unescape(const char *s, size_t *n)
{
	int v;

	if (s[1] == '.' || s[1] == '\\') {
		*n = 2;
		return (unsigned char)s[1];
	}
	if (!isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]) ||
	    !isdigit((unsigned char)s[3]))
		return -1;
	v = (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	*n = 4;
	/* only bytes that cannot be written as themselves are escaped */
	return v < 0x20 || v == 0x7f ? v : -1;
}

static inline void fuzz_check_name_text(const char *what, const char *s)
{
	size_t wire = 1, label = 0, i = 0, n;

	while (s[i]) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			FUZZ_CHECK(label > 0, "%s '%s' has an empty label", what, s);
			label = 0;
			i++;
			continue;
		}
		if (c == '\\') {
			FUZZ_CHECK(fuzz_unescape(s + i, &n) >= 0, "%s '%s': bad escape at %zu",
				   what, s, i);
			i += n;
		} else {
			FUZZ_CHECK(c >= 0x20 && c != 0x7f && !isupper(c),
				   "%s '%s': byte 0x%02x not escaped or not lowercase", what, s, c);
			i++;
		}
		wire += !label; /* the label's length byte */
		label++;
		wire++;
		FUZZ_CHECK(label <= FW_MAX_LABEL, "%s '%s' has a label over 63 bytes", what, s);
	}
	FUZZ_CHECK(i == 0 || label > 0, "%s '%s' ends with a dot", what, s);
	FUZZ_CHECK(wire <= FW_MAX_NAME, "%s '%s' is %zu bytes on the wire", what, s, wire);
}

#endif /* FUZZ_NAME_TEXT_H */
