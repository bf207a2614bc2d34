/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Domain names as operators type them: validation and canonical forms. */
#ifndef FW_DNS_NAME_H
#define FW_DNS_NAME_H

#include <stddef.h>
#include <stdint.h>

#include "fluxwall_abi.h"

#define FW_NAME_TEXT_MAX 254 /* 253 characters, a trailing dot, NUL */

struct fw_name {
	uint8_t wire[FW_SCRATCH_MSG];	 /* canonical wire form, zero padded */
	char text[FW_NAME_TEXT_MAX + 2]; /* canonical text, no trailing dot */
	uint32_t wire_len;		 /* root byte included */
	uint32_t nlabels;
	uint8_t loff[FW_MAX_LABELS + 1]; /* offset of each label's length byte */
};

/*
 * Parse an operator-supplied name. Accepts letters, digits, '-', '_' and '*',
 * one optional trailing dot, labels of 1..63 bytes and at most 255 bytes on
 * the wire. Uppercase is folded to lowercase. On error returns -1 and writes
 * a message such as "space at byte 3" into err (bytes count from 1).
 */
int fw_name_parse(const char *text, struct fw_name *out, char *err, size_t errlen);

/*
 * Parse a name in wire form (no compression); -1 when malformed or when a
 * label holds a NUL or a '.', which the text form cannot show.
 */
int fw_name_from_wire(const uint8_t *wire, size_t len, struct fw_name *out);

/* The 128-bit map key of the name, under the given secret seed. */
void fw_name_key(const struct fw_name *n, const __u64 seed[2], struct fw_key *key);

/* Key of the suffix made of the last `depth` labels (1 <= depth <= nlabels). */
void fw_name_suffix_key(const struct fw_name *n, uint32_t depth, const __u64 seed[2],
			struct fw_key *key);

/*
 * 0 when a block rule can hold name exactly as it is: canonical text of
 * letters, digits, '-' and '_' (a zone can send any byte) and no '*',
 * which an RPZ export would read as a wildcard. -1 with why otherwise.
 */
int fw_name_check_host(const char *name, char *why, size_t whylen);

/* 1 when name equals parent or lies below it on a label boundary. */
int fw_name_is_under(const char *name, const char *parent);

#endif /* FW_DNS_NAME_H */
