// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "record_rules.h"

#define QNAME_OFF   12 /* q.example */
#define EXAMPLE_OFF 14 /* example, inside the question */
#define CHAIN_OFF   39 /* the TXT record's data */
#define CHAIN_LEN   18
#define T_CNAME	    5
#define T_TXT	    16

/* Chain name i: one label ('a' + i), then a pointer to name i - 1. */
static uint16_t chain(int i)
{
	return CHAIN_OFF + 4 * i;
}

static void label(struct pb_dns *m, const char *l, size_t n)
{
	pb_dns_u8(m, (uint8_t)n);
	pb_dns_put(m, l, n);
}

static void w_plain(struct pb_dns *m)
{
	label(m, "www", 3);
	pb_dns_ptr(m, QNAME_OFF);
}

static void w_question(struct pb_dns *m)
{
	pb_dns_ptr(m, QNAME_OFF);
}

static void w_inside(struct pb_dns *m)
{
	pb_dns_ptr(m, EXAMPLE_OFF);
}

static void w_uncompressed(struct pb_dns *m)
{
	pb_dns_name(m, "ns1.other.test");
}

static void w_upper(struct pb_dns *m)
{
	label(m, "WwW", 3);
	pb_dns_ptr(m, QNAME_OFF);
}

static void w_dot(struct pb_dns *m)
{
	label(m, "a.b", 3);
	pb_dns_ptr(m, QNAME_OFF);
}

static void w_nul(struct pb_dns *m)
{
	label(m, "a\0", 2);
	pb_dns_ptr(m, QNAME_OFF);
}

static void w_to_pointer(struct pb_dns *m)
{
	pb_dns_ptr(m, chain(1) + 2);
}

static void w_16_jumps(struct pb_dns *m)
{
	pb_dns_ptr(m, chain(14)); /* this one, 14 in the chain, 1 to the question */
}

static void w_17_jumps(struct pb_dns *m)
{
	pb_dns_ptr(m, chain(15));
}

static void w_own_labels(struct pb_dns *m)
{
	uint16_t start = (uint16_t)m->len;

	label(m, "x", 1);
	pb_dns_ptr(m, start);
}

static void w_self(struct pb_dns *m)
{
	pb_dns_ptr(m, (uint16_t)m->len);
}

static void w_forward(struct pb_dns *m)
{
	pb_dns_ptr(m, (uint16_t)m->len + 2);
}

static void w_type_40(struct pb_dns *m)
{
	label(m, "ab", 2);
	m->buf[m->len - 3] |= 0x40;
	pb_dns_ptr(m, QNAME_OFF);
}

static void w_type_80(struct pb_dns *m)
{
	pb_dns_u8(m, 0x80);
	pb_dns_ptr(m, QNAME_OFF);
}

static void w_256(struct pb_dns *m)
{
	char l[63];

	memset(l, 'l', sizeof(l));
	label(m, l, 63);
	label(m, l, 63);
	label(m, l, 63);
	label(m, l, 52); /* 245 bytes here, 11 at the question: 256 */
	pb_dns_ptr(m, QNAME_OFF);
}

static void w_255(struct pb_dns *m)
{
	char l[63];

	memset(l, 'l', sizeof(l));
	label(m, l, 63);
	label(m, l, 63);
	label(m, l, 63);
	label(m, l, 51);
	pb_dns_ptr(m, QNAME_OFF);
}

#define L63 "lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll"
#define L51 "lllllllllllllllllllllllllllllllllllllllllllllllllll"

const struct rr_rule rr_rules[] = {
    {.what = "labels, then a pointer to the question",
     .write = w_plain,
     .jumps = 1,
     .walk_ok = 1,
     .text = "www.q.example"},
    {.what = "a pointer to the question",
     .write = w_question,
     .jumps = 1,
     .walk_ok = 1,
     .text = "q.example"},
    {.what = "a pointer into the question's labels",
     .write = w_inside,
     .jumps = 1,
     .walk_ok = 1,
     .text = "example"},
    {.what = "labels only",
     .write = w_uncompressed,
     .jumps = 0,
     .walk_ok = 1,
     .text = "ns1.other.test"},
    {.what = "upper case", .write = w_upper, .jumps = 1, .walk_ok = 1, .text = "www.q.example"},
    {.what = "a dot inside a label",
     .write = w_dot,
     .jumps = 1,
     .walk_ok = 1,
     .text = "a\\.b.q.example"},
    {.what = "a NUL inside a label",
     .write = w_nul,
     .jumps = 1,
     .walk_ok = 1,
     .text = "a\\000.q.example"},
    {.what = "a pointer to a pointer",
     .write = w_to_pointer,
     .jumps = 3,
     .walk_ok = 1,
     .text = "a.q.example"},
    {.what = "16 pointers in a chain",
     .write = w_16_jumps,
     .jumps = 16,
     .walk_ok = 1,
     .text = "o.n.m.l.k.j.i.h.g.f.e.d.c.b.a.q.example"},
    {.what = "255 bytes when expanded",
     .write = w_255,
     .jumps = 1,
     .walk_ok = 1,
     .text = L63 "." L63 "." L63 "." L51 ".q.example"},
    {.what = "17 pointers in a chain",
     .write = w_17_jumps,
     .walk_ok = 1,
     .why = "the decoder follows at most 16 pointers; the walk does not follow any"},
    {.what = "a pointer back into its own labels (a loop)",
     .write = w_own_labels,
     .walk_ok = 1,
     .why = "expands forever; the walk only needs the pointer to point back"},
    {.what = "256 bytes when expanded",
     .write = w_256,
     .walk_ok = 1,
     .why = "RFC 1035 limits a name to 255 bytes; the walk does not add lengths up"},
    {.what = "a pointer to itself",
     .write = w_self,
     .walk_ok = 0,
     .why = "a loop: points at no earlier name"},
    {.what = "a pointer forwards",
     .write = w_forward,
     .walk_ok = 0,
     .why = "points at no earlier name"},
    {.what = "label type 0x40",
     .write = w_type_40,
     .walk_ok = 0,
     .why = "reserved (RFC 6891 retired it)"},
    {.what = "label type 0x80", .write = w_type_80, .walk_ok = 0, .why = "reserved"},
    {.what = "a name running past its record's data",
     .write = w_plain,
     .walk_ok = 1,
     .data_only = 1,
     .why = "the record's length says the name is not all there"},
};

const size_t rr_n_rules = sizeof(rr_rules) / sizeof(rr_rules[0]);

/* A TXT record whose data is a chain of names: targets for the encodings. */
static void chain_record(struct pb_dns *m)
{
	int i;

	pb_dns_ptr(m, QNAME_OFF);
	pb_dns_u16(m, T_TXT);
	pb_dns_u16(m, PB_CLASS_IN);
	pb_dns_u32(m, 60);
	pb_dns_u16(m, 4 * CHAIN_LEN);
	for (i = 0; i < CHAIN_LEN; i++) {
		label(m, (const char[]){(char)('a' + i)}, 1);
		pb_dns_ptr(m, i ? chain(i - 1) : QNAME_OFF);
	}
}

static void rr_head(struct pb_dns *m, uint16_t owner, uint16_t type, uint32_t ttl)
{
	pb_dns_ptr(m, owner);
	pb_dns_u16(m, type);
	pb_dns_u16(m, PB_CLASS_IN);
	pb_dns_u32(m, ttl);
}

/* A record whose data is r's encoding; the start of that data is returned. */
static size_t name_record(struct pb_dns *m, const struct rr_rule *r, uint16_t owner, uint16_t type)
{
	size_t len_at, start;

	rr_head(m, owner, type, 300);
	len_at = m->len;
	pb_dns_u16(m, 0);
	start = m->len;
	r->write(m);
	m->buf[len_at] = (uint8_t)((m->len - start - r->data_only) >> 8);
	m->buf[len_at + 1] = (uint8_t)(m->len - start - r->data_only);
	return start;
}

static void a_record(struct pb_dns *m, uint16_t owner, const char *addr)
{
	rr_head(m, owner, PB_TYPE_A, 60);
	pb_dns_u16(m, 4);
	for (const char *p = addr; *p;) {
		pb_dns_u8(m, (uint8_t)strtoul(p, (char **)&p, 10));
		if (*p == '.')
			p++;
	}
}

size_t rr_build(const struct rr_rule *r, enum rr_place place, struct pb_dns *m)
{
	size_t ns_name;

	if (r->data_only && place != RRP_CNAME_DATA && place != RRP_NS_DATA)
		return 0;
	pb_dns_init(m, 0x4242, PB_DNS_QR | PB_DNS_RD | PB_DNS_RA, 1, 2, 0, 0);
	pb_dns_question(m, "q.example", PB_TYPE_A, PB_CLASS_IN);
	chain_record(m);
	switch (place) {
	case RRP_ANSWER_OWNER:
		r->write(m);
		pb_dns_u16(m, PB_TYPE_A);
		pb_dns_u16(m, PB_CLASS_IN);
		pb_dns_u32(m, 60);
		pb_dns_u16(m, 4);
		pb_dns_put(m, "\xc0\x00\x02\x01", 4);
		break;
	case RRP_CNAME_DATA:
		pb_dns_set_counts(m, 1, 3, 0, 0);
		a_record(m, QNAME_OFF, RR_ANSWER_ADDR);
		name_record(m, r, QNAME_OFF, T_CNAME);
		break;
	case RRP_NS_DATA:
		pb_dns_set_counts(m, 1, 2, 1, 0);
		a_record(m, QNAME_OFF, RR_ANSWER_ADDR);
		name_record(m, r, EXAMPLE_OFF, PB_TYPE_NS);
		break;
	case RRP_GLUE:
		pb_dns_set_counts(m, 1, 2, 1, 1);
		a_record(m, QNAME_OFF, RR_ANSWER_ADDR);
		ns_name = name_record(m, r, EXAMPLE_OFF, PB_TYPE_NS);
		a_record(m, (uint16_t)ns_name, RR_GLUE_ADDR);
		break;
	default:
		return 0;
	}
	return m->overflow ? 0 : m->len;
}

const char *rr_place_name(enum rr_place place)
{
	static const char *const names[RRP_N] = {"answer owner", "CNAME data", "NS data",
						 "glue owner"};

	return place < RRP_N ? names[place] : "?";
}
