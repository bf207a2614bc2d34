/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one table of name encodings inside records, with what the XDP record
 * walk (bpf/answer_walk.h) and the daemon's decoder (sample_decode.c) each
 * do with them. tests/unit/test_record_rules.c holds both to it on the
 * host build of the walk, tests/bpf/test_record_rules_xdp.c on the loaded
 * program. The rule they share: a message the walk accepts is never
 * refused by the decoder; a record whose name the decoder cannot expand is
 * left out, for one of the reasons the table gives, and the rest is learnt.
 */
#ifndef RECORD_RULES_H
#define RECORD_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "pktbuild.h"

/* Where in a response the encoding under test is written. */
enum rr_place {
	RRP_ANSWER_OWNER, /* owner of an answer A record: the walk reads it */
	RRP_CNAME_DATA,	  /* data of an answer CNAME: only the decoder reads it */
	RRP_NS_DATA,	  /* data of an authority NS */
	RRP_GLUE,	  /* an NS name as above, its glue's owner pointing at it */
	RRP_N,
};

struct rr_rule {
	const char *what;
	/* Append the encoding to m; it starts at m->len. */
	void (*write)(struct pb_dns *m);
	int walk_ok;	  /* the walk skips it as an owner name */
	const char *text; /* the decoder's text, NULL when it refuses the name */
	int jumps;	  /* pointers the decoder follows to expand it */
	int data_only;	  /* tested in record data only (RRP_CNAME_DATA, RRP_NS_DATA) */
	const char *why;  /* why a refusal is right */
};

extern const struct rr_rule rr_rules[];
extern const size_t rr_n_rules;

/*
 * A response for q.example (A IN) that uses rule r at place: a TXT record
 * first (a chain of names for the encodings to point into), then the
 * records of the place. Returns the message length, 0 when r does not
 * apply at place.
 */
size_t rr_build(const struct rr_rule *r, enum rr_place place, struct pb_dns *m);

const char *rr_place_name(enum rr_place place);

#define RR_ANSWER_ADDR "192.0.2.1"
#define RR_GLUE_ADDR   "192.0.2.53"

#endif /* RECORD_RULES_H */
