/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * DNS messages for the differential and mutation tests: random responses of
 * the shapes resolvers send (CNAME chains, A and AAAA answers, NS with glue,
 * SOA, other types, EDNS), each name written plain or compressed against
 * every name before it; and a list of edge cases. Every field a mutator may
 * want to hit (label lengths, pointers, counts, types, record lengths) is
 * noted with its offset.
 */
#ifndef DNS_GEN_H
#define DNS_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "pktbuild.h"
#include "test_rng.h"

enum dg_spot_kind {
	DG_LABEL = 0, /* a label's length byte */
	DG_POINTER,   /* the first byte of a compression pointer */
	DG_COUNT,     /* the first byte of a header count */
	DG_TYPE,      /* the first byte of a record's type */
	DG_RDLEN,     /* the first byte of a record's data length */
	DG_KINDS,
};

struct dg_spot {
	uint16_t off;
	uint8_t kind;
};

#define DG_MAX_SPOTS 512
#define DG_MAX_DICT  64

struct dg_msg {
	struct pb_dns m;
	struct dg_spot spot[DG_MAX_SPOTS];
	int n_spot;
	uint16_t count[4]; /* QD, AN, NS, AR so far, written by dg_finish() */
	struct {
		char text[256]; /* a suffix written so far, lowercase */
		uint16_t off;
	} dict[DG_MAX_DICT];
	int n_dict;
};

/* Header with these flags (host order) and no records yet. */
void dg_init(struct dg_msg *d, uint16_t id, uint16_t flags);

/*
 * A name as text ("" for the root): plain, or, with compress set, its
 * longest suffix already in the message as a pointer.
 */
void dg_name(struct dg_msg *d, const char *text, int compress);

/* The question (plain: a filter refuses pointers there). */
void dg_question(struct dg_msg *d, const char *qname, uint16_t qtype);

/* Records, in section order: answer (0), authority (1), additional (2). */
void dg_rr_addr(struct dg_msg *d, struct rng *r, int section, const char *owner, uint16_t type,
		uint32_t ttl, const uint8_t *addr);
void dg_rr_name(struct dg_msg *d, struct rng *r, int section, const char *owner, uint16_t type,
		uint32_t ttl, const char *target);
void dg_rr_raw(struct dg_msg *d, struct rng *r, int section, const char *owner, uint16_t type,
	       uint32_t ttl, const void *data, uint16_t len);
void dg_opt(struct dg_msg *d, struct rng *r);

/* Write the counts into the header. */
void dg_finish(struct dg_msg *d);

/* A random host name below zone, sometimes in mixed case. */
void dg_random_name(struct rng *r, char *out, size_t cap, const char *zone);

/* A random response for qname; names compressed or not at random. */
void dg_random_response(struct dg_msg *d, struct rng *r, const char *qname, uint16_t qtype);

/*
 * Edge case number i into m, with what it is in *what. Returns -1 past the
 * last one. Some are malformed on purpose (ldns refuses those).
 */
int dg_edge_case(unsigned i, struct pb_dns *m, const char **what);

#endif /* DNS_GEN_H */
