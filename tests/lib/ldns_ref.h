/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ldns (NLnet Labs) as the reference DNS parser fluxwall is checked against:
 * what a DNS message holds according to ldns, record by record with each
 * record's place in the message, and what the flux scorer should learn from
 * it. Written against ldns only; nothing here uses fluxwall's parsers.
 */
#ifndef LDNS_REF_H
#define LDNS_REF_H

#include <stddef.h>
#include <stdint.h>

#define LR_NAME_MAX 1024 /* text of any name, every byte escaped, NUL included */
#define LR_MAX_RECS 64	 /* records kept per message; more set lr_msg.more */

enum lr_section {
	LR_ANSWER = 0, /* the same numbers as enum fw_section */
	LR_AUTHORITY = 1,
	LR_ADDITIONAL = 2,
};

struct lr_rec {
	uint16_t type;
	uint16_t rclass;
	uint16_t rdlen;
	uint32_t ttl; /* as on the wire */
	uint8_t section;
	size_t start;	  /* where its owner starts */
	size_t rdata_off; /* where its data starts */
	size_t end;	  /* where ldns's reading of it ends: rdata_off + rdlen by RFC 1035 */
	char owner[LR_NAME_MAX];  /* canonical text, "" when it has none */
	int owner_text;		  /* 1 when owner holds the name's text */
	char target[LR_NAME_MAX]; /* NS and CNAME: the name in the data */
	int target_text;
	uint8_t addr[16]; /* A and AAAA: the first 4 or 16 bytes of the data */
};

struct lr_msg {
	uint16_t id;
	int qr, opcode, rcode;
	unsigned qdcount, ancount, nscount, arcount;
	char qname[LR_NAME_MAX]; /* the first question's name */
	int qname_text;
	uint8_t qwire[256]; /* ... uncompressed, as ldns read it */
	size_t qwire_len;
	int qname_compressed; /* the question's name uses a compression pointer */
	uint16_t qtype, qclass;
	size_t question_end;
	int n_rec;
	int more;			/* records beyond LR_MAX_RECS */
	struct lr_rec rec[LR_MAX_RECS]; /* every record, OPT included, in order; last */
};

/*
 * Parse a whole message with ldns_wire2pkt and record where each record
 * ends. Returns 0 (with qname "" when QDCOUNT is 0), or -1 when ldns
 * refuses the message (why names the ldns status).
 */
int lr_parse(const uint8_t *msg, size_t len, struct lr_msg *out, char *why, size_t whylen);

/*
 * Only the header and the first question, as a filter reads them: the rest
 * of the message may be anything. Returns 0, or -1 when there is no
 * question ldns can read.
 */
int lr_question(const uint8_t *msg, size_t len, struct lr_msg *out);

/*
 * Canonical text of a name in uncompressed wire form, as fluxwall's
 * documentation defines it: labels joined with dots, no trailing dot, ""
 * for the root; ASCII letters lowercase; a dot or backslash inside a label
 * escaped as "\." and "\\", control bytes (below 0x20, 0x7f) as "\DDD".
 * Returns -1 when the text does not fit in cap bytes.
 */
int lr_wire_text(const uint8_t *wire, size_t len, char *out, size_t cap);

/*
 * 1 when the question's name equals zone, or (unless exact) lies below it,
 * as ldns compares names: case-insensitively, label by label.
 */
int lr_qname_under(const struct lr_msg *m, const char *zone, int exact);

#endif /* LDNS_REF_H */
