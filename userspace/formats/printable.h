/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names as text for terminals, text reports, metric labels and line
 * protocols. A name decoded from the wire may hold any byte but NUL and
 * '.' in its labels (quotes, escape sequences, line breaks, non-UTF-8), so
 * every output that is not JSON writes it in DNS presentation form: each
 * byte that is not printable ASCII, space and backslash included, becomes
 * \DDD (decimal, RFC 1035 section 5.1). LDH names come out unchanged, and
 * so do the escapes the name decoder already wrote (fw_name_text_byte).
 */
#ifndef FW_PRINTABLE_H
#define FW_PRINTABLE_H

#include <stddef.h>

/* Room for any name of 255 bytes written with every byte escaped. */
#define FW_PRINTABLE_MAX (4 * 255 + 1)

/*
 * Write s into buf in presentation form and return buf. A too small buf
 * gets what fits, never half an escape.
 */
const char *fw_printable(const char *s, char *buf, size_t len);

#endif /* FW_PRINTABLE_H */
