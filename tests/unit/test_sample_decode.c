// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sample_decode.c: ring-buffer samples built by hand, as the XDP program
 * fills them (the message as on the wire and its record count), decoded
 * into what the scorer reads; the decoder finds the records with the
 * program's own walk. Hostile names (pointer loops, forward
 * pointers, offsets out of range) are refused, never followed, and leave out
 * only their own record; bytes that would make the text of one name read as
 * another are escaped.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "pktbuild.h"
#include "dataplane/sample_decode.h"

#define T_A	1
#define T_NS	2
#define T_CNAME 5
#define T_SOA	6
#define T_MX	15
#define T_TXT	16
#define T_AAAA	28

#define TS 1234567890123ULL

struct sb {
	struct pb_dns m;
	struct fw_sample s;
	struct fw_sample_rr rr[FW_SAMPLE_MAX_RR]; /* where the builder put each record */
};

/* Labels of text without the root byte, for a name that ends in a pointer. */
static void put_labels(struct pb_dns *m, const char *text)
{
	struct pb_dns tmp;

	memset(&tmp, 0, sizeof(tmp));
	pb_dns_name(&tmp, text);
	pb_dns_put(m, tmp.buf, tmp.len - 1);
}

static void sb_init(struct sb *b, const char *qname, uint16_t qtype, uint16_t an, uint16_t ns,
		    uint16_t ar)
{
	memset(b, 0, sizeof(*b));
	pb_dns_init(&b->m, 0x1234, PB_DNS_QR | PB_DNS_RD | PB_DNS_RA, 1, an, ns, ar);
	pb_dns_question(&b->m, qname, qtype, PB_CLASS_IN);
	b->s.name_len = (uint16_t)(b->m.len - 12 - 4);
	b->s.qtype = qtype;
	b->s.family = 4;
	b->s.ifindex = 7;
	b->s.ts_ns = 42; /* monotonic: the decoder must stamp TS instead */
	memcpy(b->s.resolver, "\xc6\x33\x64\x35", 4); /* 198.51.100.53 */
	memcpy(b->s.client, "\xc0\x00\x02\x0a", 4);   /* 192.0.2.10 */
}

/* Start a record; the owner is a pointer when owner_ptr >= 0, else text. */
static struct fw_sample_rr *rr_begin(struct sb *b, uint8_t section, int owner_ptr,
				     const char *owner, uint16_t type, uint32_t ttl)
{
	struct fw_sample_rr *rr = &b->rr[b->s.n_rr++];

	rr->owner_off = (uint16_t)b->m.len;
	if (owner_ptr >= 0)
		pb_dns_ptr(&b->m, (uint16_t)owner_ptr);
	else
		pb_dns_name(&b->m, owner);
	pb_dns_u16(&b->m, type);
	pb_dns_u16(&b->m, PB_CLASS_IN);
	pb_dns_u32(&b->m, ttl);
	pb_dns_u16(&b->m, 0); /* rdlen, set by rr_end */
	rr->type = type;
	rr->ttl = ttl;
	rr->section = section;
	rr->rdata_off = (uint16_t)b->m.len;
	return rr;
}

static void rr_end(struct sb *b, struct fw_sample_rr *rr)
{
	rr->rdlen = (uint16_t)(b->m.len - rr->rdata_off);
	b->m.buf[rr->rdata_off - 2] = (uint8_t)(rr->rdlen >> 8);
	b->m.buf[rr->rdata_off - 1] = (uint8_t)rr->rdlen;
}

static void add_addr(struct sb *b, uint8_t section, int owner_ptr, const char *owner,
		     uint32_t ttl, const char *ip)
{
	int v6 = strchr(ip, ':') != NULL;
	struct fw_sample_rr *rr = rr_begin(b, section, owner_ptr, owner, v6 ? T_AAAA : T_A, ttl);
	uint8_t a[16];

	assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, ip, a), 1);
	pb_dns_put(&b->m, a, v6 ? 16 : 4);
	rr_end(b, rr);
}

/* A record whose rdata is a name: labels, then a pointer if ptr >= 0. */
static size_t add_name_rr(struct sb *b, uint8_t section, int owner_ptr, uint16_t type,
			  uint32_t ttl, const char *labels, int ptr)
{
	struct fw_sample_rr *rr = rr_begin(b, section, owner_ptr, NULL, type, ttl);
	size_t at = rr->rdata_off;

	if (ptr >= 0) {
		put_labels(&b->m, labels);
		pb_dns_ptr(&b->m, (uint16_t)ptr);
	} else {
		pb_dns_name(&b->m, labels);
	}
	rr_end(b, rr);
	return at;
}

/* Copy the message into the sample, as the XDP program does. */
static void sb_finish(struct sb *b)
{
	assert_false(b->m.overflow);
	assert_true(b->m.len <= FW_SAMPLE_MSG);
	memcpy(b->s.msg, b->m.buf, b->m.len);
	b->s.msg_len = (uint16_t)b->m.len;
	b->s.dns_len = (uint16_t)b->m.len;
}

static enum fw_decode_res decode(struct sb *b, struct fw_obs *obs)
{
	sb_finish(b);
	return fw_sample_decode(&b->s, TS, obs);
}

static void decode_ok(struct sb *b, struct fw_obs *obs)
{
	enum fw_decode_res r = decode(b, obs);

	if (r != FW_DECODE_OK)
		fail_msg("decode returned %d, want FW_DECODE_OK", r);
}

static void assert_ip(const struct fw_ip *ip, const char *want)
{
	char text[FW_IP_TEXT_MAX];

	fw_ip_format(ip, text, sizeof(text));
	assert_string_equal(text, want);
}

/* ---- good responses ---- */

static void test_a_answers(void **state)
{
	struct sb b;
	struct fw_obs obs;

	sb_init(&b, "WWW.Example.COM", T_A, 2, 0, 0);
	b.s.rcode = 0;
	add_addr(&b, FW_SEC_ANSWER, 12, NULL, 300, "192.0.2.1");
	add_addr(&b, FW_SEC_ANSWER, 12, NULL, 60, "198.51.100.7");
	decode_ok(&b, &obs);
	assert_string_equal(obs.qname, "www.example.com");
	assert_int_equal(obs.ts_ns, TS);
	assert_int_equal(obs.qtype, T_A);
	assert_int_equal(obs.ifindex, 7);
	assert_ip(&obs.resolver, "198.51.100.53");
	assert_ip(&obs.client, "192.0.2.10");
	assert_int_equal(obs.n_addrs, 2);
	assert_int_equal(obs.addrs[0].ip.family, AF_INET);
	assert_ip(&obs.addrs[0].ip, "192.0.2.1");
	assert_int_equal(obs.addrs[0].ttl, 300);
	assert_ip(&obs.addrs[1].ip, "198.51.100.7");
	assert_int_equal(obs.addrs[1].ttl, 60);
	assert_int_equal(obs.n_cnames, 0);
	assert_int_equal(obs.n_ns, 0);
	assert_int_equal(obs.n_glue, 0);
}

static void test_aaaa_over_ipv6(void **state)
{
	struct sb b;
	struct fw_obs obs;

	sb_init(&b, "v6.example", T_AAAA, 1, 0, 0);
	b.s.family = 6;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::53", b.s.resolver), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::10", b.s.client), 1);
	add_addr(&b, FW_SEC_ANSWER, 12, NULL, 3600, "2001:db8:1:2::abcd");
	decode_ok(&b, &obs);
	assert_int_equal(obs.qtype, T_AAAA);
	assert_int_equal(obs.n_addrs, 1);
	assert_int_equal(obs.addrs[0].ip.family, AF_INET6);
	assert_ip(&obs.addrs[0].ip, "2001:db8:1:2::abcd");
	assert_int_equal(obs.addrs[0].ttl, 3600);
	assert_ip(&obs.resolver, "2001:db8::53");
	assert_ip(&obs.client, "2001:db8::10");
}

/* NXDOMAIN with an SOA in authority: no addresses, the rcode kept. */
static void test_nxdomain(void **state)
{
	struct sb b;
	struct fw_obs obs;
	struct fw_sample_rr *rr;

	sb_init(&b, "nothing.example", T_A, 0, 1, 0);
	b.s.rcode = 3;
	rr = rr_begin(&b, FW_SEC_AUTHORITY, 20, NULL, T_SOA, 900);
	pb_dns_put(&b.m, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22);
	rr_end(&b, rr);
	decode_ok(&b, &obs);
	assert_int_equal(obs.rcode, 3);
	assert_string_equal(obs.qname, "nothing.example");
	assert_int_equal(obs.n_addrs + obs.n_ns + obs.n_cnames + obs.n_glue, 0);
}

/* www -> cdn alias -> edge alias -> two addresses; the chain in order. */
static void test_cname_chain(void **state)
{
	struct sb b;
	struct fw_obs obs;
	size_t c1, c2;

	sb_init(&b, "www.example.com", T_A, 4, 0, 0);
	/* "www.CDN" + pointer to "example.com" inside the question. */
	c1 = add_name_rr(&b, FW_SEC_ANSWER, 12, T_CNAME, 300, "www.CDN", 16);
	/* "edge" + pointer to "cdn.example.com" inside the first target. */
	c2 = add_name_rr(&b, FW_SEC_ANSWER, (int)c1, T_CNAME, 60, "edge", (int)c1 + 4);
	add_addr(&b, FW_SEC_ANSWER, (int)c2, NULL, 20, "203.0.113.5");
	add_addr(&b, FW_SEC_ANSWER, (int)c2, NULL, 20, "203.0.113.6");
	decode_ok(&b, &obs);
	assert_int_equal(obs.n_cnames, 2);
	assert_string_equal(obs.cnames[0], "www.cdn.example.com");
	assert_string_equal(obs.cnames[1], "edge.cdn.example.com");
	assert_int_equal(obs.n_addrs, 2);
	assert_ip(&obs.addrs[0].ip, "203.0.113.5");
	assert_ip(&obs.addrs[1].ip, "203.0.113.6");
}

/*
 * A referral-like answer: NS in authority, glue for them in additional,
 * and additional addresses of other names, which are not glue.
 */
static void test_ns_and_glue(void **state)
{
	struct sb b;
	struct fw_obs obs;
	size_t ns1, ns2;

	sb_init(&b, "a.flux.example", T_A, 1, 3, 4);
	add_addr(&b, FW_SEC_ANSWER, 12, NULL, 30, "192.0.2.77");
	/* ns1 + pointer to "flux.example" in the question (offset 14). */
	ns1 = add_name_rr(&b, FW_SEC_AUTHORITY, 14, T_NS, 86400, "ns1", 14);
	ns2 = add_name_rr(&b, FW_SEC_AUTHORITY, 14, T_NS, 3600, "NS2.elsewhere.example", -1);
	add_addr(&b, FW_SEC_AUTHORITY, 14, NULL, 5, "192.0.2.99"); /* not NS: ignored */
	add_addr(&b, FW_SEC_ADDITIONAL, (int)ns1, NULL, 86400, "198.51.100.1");
	add_addr(&b, FW_SEC_ADDITIONAL, (int)ns2, NULL, 3600, "2001:db8::2");
	add_addr(&b, FW_SEC_ADDITIONAL, -1, "other.example", 60, "198.51.100.99");
	add_addr(&b, FW_SEC_ADDITIONAL, -1, "Ns1.Flux.Example", 60, "198.51.100.3");
	decode_ok(&b, &obs);
	assert_int_equal(obs.n_addrs, 1);
	assert_ip(&obs.addrs[0].ip, "192.0.2.77");
	assert_int_equal(obs.n_ns, 2);
	assert_string_equal(obs.ns[0].name, "ns1.flux.example");
	assert_int_equal(obs.ns[0].ttl, 86400);
	assert_string_equal(obs.ns[1].name, "ns2.elsewhere.example");
	assert_int_equal(obs.ns[1].ttl, 3600);
	assert_int_equal(obs.n_glue, 3);
	assert_ip(&obs.glue[0], "198.51.100.1");
	assert_ip(&obs.glue[1], "2001:db8::2");
	assert_ip(&obs.glue[2], "198.51.100.3");
	/* each glue address knows its NS host, and keeps its own TTL */
	assert_int_equal(obs.glue_ns[0], 0);
	assert_int_equal(obs.glue_ns[1], 1);
	assert_int_equal(obs.glue_ns[2], 0);
	assert_int_equal(obs.glue_ttl[1], 3600);
	assert_int_equal(obs.glue_ttl[2], 60);
}

/* An NS query: the NS records are in the answer section. */
static void test_ns_in_answer(void **state)
{
	struct sb b;
	struct fw_obs obs;
	size_t ns1;

	sb_init(&b, "flux.example", T_NS, 1, 0, 1);
	ns1 = add_name_rr(&b, FW_SEC_ANSWER, 12, T_NS, 100, "ns", 12);
	add_addr(&b, FW_SEC_ADDITIONAL, (int)ns1, NULL, 100, "192.0.2.53");
	decode_ok(&b, &obs);
	assert_int_equal(obs.n_ns, 1);
	assert_string_equal(obs.ns[0].name, "ns.flux.example");
	assert_int_equal(obs.n_glue, 1);
	assert_ip(&obs.glue[0], "192.0.2.53");
}

/* Other types, and A/AAAA with the wrong length, give no address. */
static void test_other_records_ignored(void **state)
{
	struct sb b;
	struct fw_obs obs;
	struct fw_sample_rr *rr;

	sb_init(&b, "mixed.example", T_A, 4, 0, 0);
	rr = rr_begin(&b, FW_SEC_ANSWER, 12, NULL, T_TXT, 10);
	pb_dns_put(&b.m, "\x04text", 5);
	rr_end(&b, rr);
	rr = rr_begin(&b, FW_SEC_ANSWER, 12, NULL, T_MX, 10);
	pb_dns_put(&b.m, "\x00\x0a\xc0\x0c", 4);
	rr_end(&b, rr);
	rr = rr_begin(&b, FW_SEC_ANSWER, 12, NULL, T_A, 10);
	pb_dns_put(&b.m, "\x01\x02\x03\x04\x05", 5);
	rr_end(&b, rr);
	rr = rr_begin(&b, FW_SEC_ANSWER, 12, NULL, T_AAAA, 10);
	pb_dns_put(&b.m, "\x01\x02\x03\x04", 4);
	rr_end(&b, rr);
	decode_ok(&b, &obs);
	assert_int_equal(obs.n_addrs + obs.n_ns + obs.n_cnames + obs.n_glue, 0);
}

/* More records than an observation holds: the first ones are kept. */
static void test_limits(void **state)
{
	struct sb b;
	struct fw_obs obs;
	char ip[32];
	int i;

	sb_init(&b, "many.example", T_A, 20, 9, 0);
	for (i = 0; i < 20; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%d", i + 1);
		add_addr(&b, FW_SEC_ANSWER, 12, NULL, 1, ip);
	}
	for (i = 0; i < 9; i++) {
		char ns[16];

		snprintf(ns, sizeof(ns), "ns%d", i);
		add_name_rr(&b, FW_SEC_AUTHORITY, 12, T_NS, 1, ns, 12);
	}
	decode_ok(&b, &obs);
	assert_int_equal(obs.n_addrs, FW_OBS_MAX_ADDRS);
	assert_ip(&obs.addrs[FW_OBS_MAX_ADDRS - 1].ip, "10.0.0.16");
	assert_int_equal(obs.n_ns, FW_OBS_MAX_NS);
	assert_string_equal(obs.ns[FW_OBS_MAX_NS - 1].name, "ns7.many.example");
}

/* The root as question name decodes to the empty text. */
static void test_root_question(void **state)
{
	struct sb b;
	struct fw_obs obs;

	sb_init(&b, ".", T_NS, 0, 0, 0);
	decode_ok(&b, &obs);
	assert_string_equal(obs.qname, "");
}

/* ---- compression ---- */

/* A chain of backward pointers, each adding a label: decoded whole. */
static void test_pointer_chain(void **state)
{
	struct sb b;
	struct fw_obs obs;
	size_t t1, t2;

	sb_init(&b, "example.com", T_A, 3, 0, 0);
	t1 = add_name_rr(&b, FW_SEC_ANSWER, 12, T_CNAME, 1, "b", 12);
	t2 = add_name_rr(&b, FW_SEC_ANSWER, (int)t1, T_CNAME, 1, "a", (int)t1);
	add_name_rr(&b, FW_SEC_ANSWER, (int)t2, T_CNAME, 1, "z.y", (int)t2);
	decode_ok(&b, &obs);
	assert_string_equal(obs.cnames[0], "b.example.com");
	assert_string_equal(obs.cnames[1], "a.b.example.com");
	assert_string_equal(obs.cnames[2], "z.y.a.b.example.com");
}

/* Builds a name reached through n pointers; returns its offset. */
static size_t pointer_hops(struct sb *b, int n)
{
	size_t prev = 12, at = 12;
	int i;

	for (i = 0; i < n; i++) {
		at = b->m.len;
		pb_dns_put(&b->m, "\x01x", 2);
		pb_dns_ptr(&b->m, (uint16_t)prev);
		prev = at;
	}
	return at;
}

static void test_pointer_limit(void **state)
{
	char out[FW_OBS_NAME_MAX];
	struct sb b;
	size_t at;

	sb_init(&b, "example.com", T_A, 0, 0, 0);
	at = pointer_hops(&b, FW_DECODE_MAX_POINTERS);
	sb_finish(&b);
	assert_int_equal(fw_msg_name(b.s.msg, b.s.msg_len, at, out, sizeof(out)), 0);
	assert_int_equal(strlen(out), 2 * FW_DECODE_MAX_POINTERS + strlen("example.com"));

	sb_init(&b, "example.com", T_A, 0, 0, 0);
	at = pointer_hops(&b, FW_DECODE_MAX_POINTERS + 1);
	sb_finish(&b);
	assert_int_equal(fw_msg_name(b.s.msg, b.s.msg_len, at, out, sizeof(out)), -1);
}

/* ---- hostile names ---- */

/* Offset of the rdata of the first answer of a cname_raw sample. */
#define RAW_RDATA (12 + 17 + 4 + 12)

/*
 * A CNAME target given as raw bytes, after the question "www.example.com",
 * then an A record. Returns how many CNAMEs were learnt; the response must
 * decode and its address be learnt whatever the target holds.
 */
static int cname_raw(const void *rdata, size_t len, struct fw_obs *obs)
{
	struct fw_sample_rr *rr;
	struct sb b;

	sb_init(&b, "www.example.com", T_A, 2, 0, 0);
	rr = rr_begin(&b, FW_SEC_ANSWER, 12, NULL, T_CNAME, 1);
	assert_int_equal(rr->rdata_off, RAW_RDATA);
	pb_dns_put(&b.m, rdata, len);
	rr_end(&b, rr);
	add_addr(&b, FW_SEC_ANSWER, 12, NULL, 1, "192.0.2.1");
	decode_ok(&b, obs);
	assert_int_equal(obs->n_addrs, 1);
	return obs->n_cnames;
}

static void test_pointer_loops(void **state)
{
	static const uint8_t self[] = { 0xc0, RAW_RDATA };
	static const uint8_t two[] = { 0x01, 'a', 0xc0, RAW_RDATA + 4,
				       0x01, 'b', 0xc0, RAW_RDATA };
	struct fw_obs obs;
	struct sb b;

	/* The question is a pointer to itself (zlip). */
	memset(&b, 0, sizeof(b));
	pb_dns_init(&b.m, 1, PB_DNS_QR, 1, 0, 0, 0);
	pb_dns_ptr(&b.m, 12);
	pb_dns_u16(&b.m, 1);
	pb_dns_u16(&b.m, 1);
	assert_int_equal(decode(&b, &obs), FW_DECODE_BAD_NAME);

	/* A label, then a pointer back to that label. */
	memset(&b, 0, sizeof(b));
	pb_dns_init(&b.m, 1, PB_DNS_QR, 1, 0, 0, 0);
	pb_dns_put(&b.m, "\x03" "abc", 4);
	pb_dns_ptr(&b.m, 12);
	assert_int_equal(decode(&b, &obs), FW_DECODE_BAD_NAME);

	/* A CNAME target pointing at itself: that record is left out. */
	assert_int_equal(cname_raw(self, sizeof(self), &obs), 0);
	/* Two names pointing at each other: one of the pointers is forward. */
	assert_int_equal(cname_raw(two, sizeof(two), &obs), 0);
}

static void test_forward_pointer(void **state)
{
	/* Points past itself at a perfectly good name. */
	static const uint8_t fwd[] = { 0xc0, RAW_RDATA + 2, 0x03, 'f', 'o', 'o', 0x00 };
	struct fw_obs obs;

	assert_int_equal(cname_raw(fwd, sizeof(fwd), &obs), 0);
	/* The same name reached without the pointer is fine. */
	assert_int_equal(cname_raw(fwd + 2, sizeof(fwd) - 2, &obs), 1);
	assert_string_equal(obs.cnames[0], "foo");
}

static void test_out_of_range(void **state)
{
	static const uint8_t far[] = {0xc1, 0xff};	     /* offset 511 */
	static const uint8_t farthest[] = {0xff, 0xff};	     /* offset 16383 */
	static const uint8_t overrun[] = {0x3f, 'a', 'b'};   /* label past the end */
	static const uint8_t no_root[] = {0x01, 'a'};	     /* runs past its data */
	static const uint8_t half_ptr[] = {0x01, 'a', 0xc0}; /* pointer cut in half */
	static const uint8_t res40[] = {0x41, 'a', 0x00};    /* reserved label types */
	static const uint8_t res80[] = {0x81, 'a', 0x00};
	struct fw_obs obs;

	assert_int_equal(cname_raw(far, sizeof(far), &obs), 0);
	assert_int_equal(cname_raw(farthest, sizeof(farthest), &obs), 0);
	assert_int_equal(cname_raw(overrun, sizeof(overrun), &obs), 0);
	assert_int_equal(cname_raw(no_root, sizeof(no_root), &obs), 0);
	assert_int_equal(cname_raw(half_ptr, sizeof(half_ptr), &obs), 0);
	assert_int_equal(cname_raw(res40, sizeof(res40), &obs), 0);
	assert_int_equal(cname_raw(res80, sizeof(res80), &obs), 0);
}

/*
 * A bad name in a record's data leaves its own record out and nothing else:
 * an attacker who adds one to every response must not make the responses
 * unreadable. A bad owner name hides where the next record starts, so it
 * stops the walk, in the kernel and here alike.
 */
static void test_bad_name_in_any_section(void **state)
{
	struct fw_sample_rr *rr;
	struct fw_obs obs;
	struct sb b;
	size_t ns1;

	sb_init(&b, "flux.example", T_A, 1, 2, 0);
	add_addr(&b, FW_SEC_ANSWER, 12, NULL, 1, "192.0.2.1");
	rr = rr_begin(&b, FW_SEC_AUTHORITY, 17, NULL, T_NS, 1);
	pb_dns_put(&b.m, "\x02ns\xc1\x00", 5); /* forward pointer to 256 */
	rr_end(&b, rr);
	add_name_rr(&b, FW_SEC_AUTHORITY, 17, T_NS, 1, "ns2", 17);
	decode_ok(&b, &obs);
	assert_int_equal(obs.n_addrs, 1);
	assert_int_equal(obs.n_ns, 1);
	assert_string_equal(obs.ns[0].name, "ns2.example");

	sb_init(&b, "flux.example", T_A, 0, 1, 2);
	ns1 = add_name_rr(&b, FW_SEC_AUTHORITY, 17, T_NS, 1, "ns1", 17);
	rr = rr_begin(&b, FW_SEC_ADDITIONAL, -1, "x", T_A, 1);
	pb_dns_put(&b.m, "\x01\x02\x03\x04", 4);
	rr_end(&b, rr);
	b.m.buf[rr->owner_off] = 0xc0; /* owner: a pointer to itself */
	b.m.buf[rr->owner_off + 1] = (uint8_t)rr->owner_off;
	add_addr(&b, FW_SEC_ADDITIONAL, (int)ns1, NULL, 1, "192.0.2.53");
	/* the walk cannot find the records after it: the program sends no such
	 * sample (malformed_records), and the decoder refuses one whole */
	assert_int_equal(decode(&b, &obs), FW_DECODE_BAD_SAMPLE);
}

/* NS and CNAME data that holds no name of its own is no name. */
static void test_name_outside_its_data(void **state)
{
	struct fw_sample_rr *rr;
	struct fw_obs obs;
	struct sb b;

	sb_init(&b, "example.com", T_NS, 2, 0, 0);
	rr = rr_begin(&b, FW_SEC_ANSWER, 12, NULL, T_NS, 1); /* no data at all */
	rr_end(&b, rr);
	add_addr(&b, FW_SEC_ANSWER, 12, NULL, 1, "192.0.2.1"); /* whose owner follows */
	decode_ok(&b, &obs);
	assert_int_equal(obs.n_ns, 0);
	assert_int_equal(obs.n_addrs, 1);
}

/* Records of another class than IN are not the name's addresses or servers. */
static void test_class_not_in(void **state)
{
	struct fw_sample_rr *rr;
	struct fw_obs obs;
	struct sb b;

	sb_init(&b, "www.example.com", T_A, 3, 0, 0);
	add_addr(&b, FW_SEC_ANSWER, 12, NULL, 1, "192.0.2.1");
	add_addr(&b, FW_SEC_ANSWER, 12, NULL, 1, "192.0.2.2");
	add_name_rr(&b, FW_SEC_ANSWER, 12, T_NS, 1, "ns", 16);
	rr = &b.rr[2];
	b.m.buf[b.rr[1].rdata_off - 7] = 3; /* the second address: class CH */
	b.m.buf[rr->rdata_off - 7] = 4;	      /* the NS: class HS */
	decode_ok(&b, &obs);
	assert_int_equal(obs.n_addrs, 1);
	assert_int_equal(obs.addrs[0].ip.addr[3], 1);
	assert_int_equal(obs.n_ns, 0);
}

/* RFC 2181, section 8: a TTL with the top bit set is 0. */
static void test_ttl_top_bit(void **state)
{
	struct fw_obs obs;
	struct sb b;

	sb_init(&b, "www.example.com", T_A, 2, 0, 0);
	add_addr(&b, FW_SEC_ANSWER, 12, NULL, 0x7fffffff, "192.0.2.1");
	add_addr(&b, FW_SEC_ANSWER, 12, NULL, 0x80000005, "192.0.2.2");
	decode_ok(&b, &obs);
	assert_int_equal(obs.addrs[0].ttl, 0x7fffffff);
	assert_int_equal(obs.addrs[1].ttl, 0);
}

/* A question given as raw wire bytes. */
static enum fw_decode_res question_raw(const void *name, size_t len, struct fw_obs *obs)
{
	struct sb b;

	memset(&b, 0, sizeof(b));
	pb_dns_init(&b.m, 1, PB_DNS_QR, 1, 0, 0, 0);
	pb_dns_put(&b.m, name, len);
	pb_dns_u16(&b.m, 1);
	pb_dns_u16(&b.m, 1);
	return decode(&b, obs);
}

/*
 * Labels holding a NUL or a dot must not read as two names: "com\0" cut
 * short would make "google.com\0.attacker.example" read "google.com", and
 * the attacker's answers be scored against google.com. Escaped, they are
 * names of their own, still scored by their registered domain: a NUL in
 * every name an attacker's malware asks must not hide it from the scorer.
 */
static void test_ambiguous_label_bytes(void **state)
{
	static const char nul[] = "\x06google\x04"
				  "com\0\x08"
				  "attacker\x07"
				  "example";
	static const char dot[] = "\x0agoogle.com\x08"
				  "attacker\x07"
				  "example";
	static const char esc[] = "\x05"
				  "a\\b\tC\x07"
				  "example";
	uint8_t all[1 + 63 + 9];
	struct fw_obs obs;

	/* sizeof includes the terminating NUL: the root byte. */
	assert_int_equal(question_raw(nul, sizeof(nul), &obs), FW_DECODE_OK);
	assert_string_equal(obs.qname, "google.com\\000.attacker.example");
	assert_int_equal(question_raw(dot, sizeof(dot), &obs), FW_DECODE_OK);
	assert_string_equal(obs.qname, "google\\.com.attacker.example");
	assert_int_equal(question_raw(esc, sizeof(esc), &obs), FW_DECODE_OK);
	assert_string_equal(obs.qname, "a\\\\b\\009c.example");

	/* 63 NUL bytes: 252 characters of text, still one name. */
	memset(all, 0, sizeof(all));
	all[0] = 63;
	memcpy(all + 64,
	       "\x07"
	       "example",
	       8);
	assert_int_equal(question_raw(all, sizeof(all), &obs), FW_DECODE_OK);
	assert_int_equal(strlen(obs.qname), 63 * 4 + 8);
}

/* Names over 255 bytes on the wire are malformed, as in the question. */
static void test_name_too_long(void **state)
{
	char text[400], out[FW_OBS_NAME_MAX];
	struct pb_dns m;
	size_t i;

	/* 127 one-byte labels: 255 bytes on the wire, text of 253. */
	for (i = 0; i < 253; i++)
		text[i] = (i % 2) ? '.' : 'a';
	text[253] = '\0';
	memset(&m, 0, sizeof(m));
	pb_dns_name(&m, text);
	assert_int_equal(m.len, 255);
	assert_int_equal(fw_msg_name(m.buf, m.len, 0, out, sizeof(out)), 0);
	assert_string_equal(out, text);

	/* 64 labels of 3 bytes: 257 bytes on the wire, text of 255. */
	memset(&m, 0, sizeof(m));
	for (i = 0; i < 64; i++)
		pb_dns_put(&m, "\x03" "abc", 4);
	pb_dns_u8(&m, 0);
	assert_int_equal(m.len, 257);
	assert_int_equal(fw_msg_name(m.buf, m.len, 0, out, sizeof(out)), -1);
}

/* A short output buffer is never overrun. */
static void test_small_output(void **state)
{
	static const uint8_t name[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	char out[16];

	memset(out, 'Z', sizeof(out));
	assert_int_equal(fw_msg_name(name, sizeof(name), 0, out, 12), 0);
	assert_string_equal(out, "example.com");
	memset(out, 'Z', sizeof(out));
	assert_int_equal(fw_msg_name(name, sizeof(name), 0, out, 11), -1);
	assert_int_equal(out[11], 'Z');
	assert_int_equal(fw_msg_name(name, sizeof(name), sizeof(name), out, sizeof(out)), -1);
}

/* ---- inconsistent samples ---- */

static void test_bad_samples(void **state)
{
	struct fw_obs obs;
	uint16_t name_len;
	struct sb b;

	sb_init(&b, "x.example", T_A, 1, 0, 0);
	add_addr(&b, FW_SEC_ANSWER, 12, NULL, 1, "192.0.2.1");
	sb_finish(&b);
	assert_int_equal(fw_sample_decode(&b.s, TS, &obs), FW_DECODE_OK);

	/* the kernel counted another number of records than the message holds */
	b.s.n_rr = 2;
	assert_int_equal(fw_sample_decode(&b.s, TS, &obs), FW_DECODE_BAD_SAMPLE);
	b.s.n_rr = 1;
	/* a copy cut inside the record, though the message was longer */
	b.s.msg_len -= 2;
	assert_int_equal(fw_sample_decode(&b.s, TS, &obs), FW_DECODE_BAD_SAMPLE);
	b.s.msg_len += 2;
	/* a question name past the copy, or a message shorter than its copy */
	name_len = b.s.name_len;
	b.s.name_len = (uint16_t)(b.s.msg_len + 1);
	assert_int_equal(fw_sample_decode(&b.s, TS, &obs), FW_DECODE_BAD_SAMPLE);
	b.s.name_len = name_len;
	assert_int_equal(fw_sample_decode(&b.s, TS, &obs), FW_DECODE_OK);
	b.s.dns_len = (uint16_t)(b.s.msg_len - 1);
	assert_int_equal(fw_sample_decode(&b.s, TS, &obs), FW_DECODE_BAD_SAMPLE);

	sb_init(&b, "x.example", T_A, 0, 0, 0);
	sb_finish(&b);
	b.s.msg_len = FW_SAMPLE_MSG + 1;
	assert_int_equal(fw_sample_decode(&b.s, TS, &obs), FW_DECODE_BAD_SAMPLE);
	b.s.msg_len = 11;
	assert_int_equal(fw_sample_decode(&b.s, TS, &obs), FW_DECODE_BAD_SAMPLE);
	b.s.msg_len = 0;
	assert_int_equal(fw_sample_decode(&b.s, TS, &obs), FW_DECODE_BAD_SAMPLE);
	sb_finish(&b);
	b.s.n_rr = FW_SAMPLE_MAX_RR + 1;
	assert_int_equal(fw_sample_decode(&b.s, TS, &obs), FW_DECODE_BAD_SAMPLE);
}

/* Random damage to a good sample: any result but a crash or a bad string. */
static void test_random_damage(void **state)
{
	struct sb good, b;
	struct fw_obs obs;
	unsigned int seed = 12345;
	int i, j, ok = 0;
	size_t ns1;

	sb_init(&good, "www.flux.example", T_A, 3, 1, 1);
	add_name_rr(&good, FW_SEC_ANSWER, 12, T_CNAME, 1, "edge", 16);
	add_addr(&good, FW_SEC_ANSWER, 12, NULL, 1, "192.0.2.1");
	add_addr(&good, FW_SEC_ANSWER, 12, NULL, 1, "2001:db8::1");
	ns1 = add_name_rr(&good, FW_SEC_AUTHORITY, 16, T_NS, 1, "ns1", 16);
	add_addr(&good, FW_SEC_ADDITIONAL, (int)ns1, NULL, 1, "192.0.2.53");
	sb_finish(&good);
	for (i = 0; i < 200000; i++) {
		b.s = good.s;
		for (j = 0; j < 1 + i % 4; j++) {
			unsigned int r = (unsigned int)rand_r(&seed);

			if (r % 16 == 0)
				b.s.n_rr = (uint8_t)(r >> 12);
			else if (r % 16 == 1)
				b.s.name_len = (uint16_t)(r >> 12);
			else
				b.s.msg[r / 8 % b.s.msg_len] = (uint8_t)(r >> 20);
		}
		memset(&obs, 0x55, sizeof(obs));
		if (fw_sample_decode(&b.s, TS, &obs) != FW_DECODE_OK)
			continue;
		ok++;
		assert_true(strlen(obs.qname) < FW_OBS_NAME_MAX);
		assert_true(obs.n_addrs <= FW_OBS_MAX_ADDRS && obs.n_ns <= FW_OBS_MAX_NS &&
			    obs.n_cnames <= FW_OBS_MAX_CNAMES && obs.n_glue <= FW_OBS_MAX_GLUE);
		for (j = 0; j < obs.n_cnames; j++)
			assert_true(strlen(obs.cnames[j]) < FW_OBS_NAME_MAX);
		for (j = 0; j < obs.n_ns; j++)
			assert_true(strlen(obs.ns[j].name) < FW_OBS_NAME_MAX);
	}
	assert_true(ok > 0); /* some damage is harmless, e.g. to a TTL */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_answers),
	    cmocka_unit_test(test_aaaa_over_ipv6),
	    cmocka_unit_test(test_nxdomain),
	    cmocka_unit_test(test_cname_chain),
	    cmocka_unit_test(test_ns_and_glue),
	    cmocka_unit_test(test_ns_in_answer),
	    cmocka_unit_test(test_other_records_ignored),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_root_question),
	    cmocka_unit_test(test_pointer_chain),
	    cmocka_unit_test(test_pointer_limit),
	    cmocka_unit_test(test_pointer_loops),
	    cmocka_unit_test(test_forward_pointer),
	    cmocka_unit_test(test_out_of_range),
	    cmocka_unit_test(test_bad_name_in_any_section),
	    cmocka_unit_test(test_name_outside_its_data),
	    cmocka_unit_test(test_class_not_in),
	    cmocka_unit_test(test_ttl_top_bit),
	    cmocka_unit_test(test_ambiguous_label_bytes),
	    cmocka_unit_test(test_name_too_long),
	    cmocka_unit_test(test_small_output),
	    cmocka_unit_test(test_bad_samples),
	    cmocka_unit_test(test_random_damage),
	};

	return cmocka_run_group_tests_name("sample_decode", tests, NULL, NULL) ? 1 : 0;
}
