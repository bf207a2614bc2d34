/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Turn a ring-buffer sample from the XDP program into an observation. */
#ifndef FW_SAMPLE_DECODE_H
#define FW_SAMPLE_DECODE_H

#include "fluxwall_abi.h"
#include "formats/observation.h"

enum fw_decode_res {
	FW_DECODE_OK = 0,
	FW_DECODE_BAD_NAME,   /* a name with a bad pointer, loop or overrun */
	FW_DECODE_BAD_SAMPLE, /* inconsistent offsets: never from our program */
};

/*
 * Decode s into obs. ts_ns is the time to stamp the observation with (the
 * sample's own clock is monotonic). Names are decompressed with at most
 * FW_DECODE_MAX_POINTERS pointers, each pointing backwards. A record whose
 * name does not decode, or whose class is not IN, is left out; the others
 * are still learnt from. A TTL with its top bit set reads as 0 (RFC 2181).
 */
enum fw_decode_res fw_sample_decode(const struct fw_sample *s, uint64_t ts_ns, struct fw_obs *obs);

/*
 * The records of s, found by running the XDP program's record walk
 * (bpf/answer_walk.h) again on the sample's copy, keeping each record's
 * type, section, TTL and offsets, which the kernel only counts. Returns how
 * many were put in rr, or -1 unless that is the kernel's count, each record
 * inside the copy.
 */
int fw_sample_records(const struct fw_sample *s, struct fw_sample_rr rr[FW_SAMPLE_MAX_RR]);

/*
 * Decode the name at off in msg into canonical text (see observation.h);
 * -1 when malformed or longer than outlen allows.
 */
int fw_msg_name(const uint8_t *msg, size_t len, size_t off, char *out, size_t outlen);

#define FW_DECODE_MAX_POINTERS 16

/*
 * Append one byte of a label to a name's text at *pos, as the decoder
 * writes every name ("\\." and "\\\\" for a dot and backslash in a label,
 * "\\DDD" for a control byte, lowercase): the one text of a name, which
 * the CLI also uses for a name an operator types. -1 when out is full.
 */
int fw_name_text_byte(uint8_t c, char *out, size_t *pos, size_t outlen);

#endif /* FW_SAMPLE_DECODE_H */
