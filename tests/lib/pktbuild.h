/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small builder for crafted test frames: Ethernet, up to two VLAN tags,
 * IPv4 (options, fragments) or IPv6 (extension headers, fragment header),
 * UDP or one TCP segment, and a DNS message built field by field so that
 * malformed names, pointers and counts are as easy to write as good ones.
 * Also a verifier of lengths and checksums, to judge frames the XDP program
 * rewrote. Plain C, no cmocka, so benchmarks and tools can link it too.
 */
#ifndef PKTBUILD_H
#define PKTBUILD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PB_MAX_FRAME 65600 /* an IP packet of 65535 bytes, two VLAN tags */
#define PB_MAX_DNS   8192

/* Flags word of the DNS header, host order. */
#define PB_DNS_QR	   0x8000
#define PB_DNS_AA	   0x0400
#define PB_DNS_TC	   0x0200
#define PB_DNS_RD	   0x0100
#define PB_DNS_RA	   0x0080
#define PB_DNS_Z	   0x0040
#define PB_DNS_AD	   0x0020
#define PB_DNS_CD	   0x0010
#define PB_DNS_OPCODE(x)   (((x) & 0xf) << 11)
#define PB_DNS_RCODE(x)	   ((x) & 0xf)
#define PB_DNS_NXDOMAIN	   3
#define PB_TYPE_A	   1
#define PB_TYPE_NS	   2
#define PB_TYPE_AAAA	   28
#define PB_TYPE_OPT	   41
#define PB_CLASS_IN	   1
#define PB_QUESTION_OFF	   12 /* where the question name starts */

/* A DNS message under construction; writes past the end set overflow. */
struct pb_dns {
	uint8_t buf[PB_MAX_DNS];
	size_t len;
	int overflow;
};

void pb_dns_init(struct pb_dns *m, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an,
		 uint16_t ns, uint16_t ar);
void pb_dns_set_counts(struct pb_dns *m, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar);
void pb_dns_put(struct pb_dns *m, const void *p, size_t n);
void pb_dns_u8(struct pb_dns *m, uint8_t v);
void pb_dns_u16(struct pb_dns *m, uint16_t v);
void pb_dns_u32(struct pb_dns *m, uint32_t v);

/*
 * Append a name given as text ("evil.example", "" or "." for the root).
 * Nothing is validated: each label's length byte is its length modulo 256,
 * so a 64-byte label becomes the reserved type 0x40, and names may exceed
 * 255 bytes. Returns the offset the name starts at, for pointers to it.
 */
size_t pb_dns_name(struct pb_dns *m, const char *text);
/* Append a compression pointer to offset off. */
void pb_dns_ptr(struct pb_dns *m, uint16_t off);
/* Append a question: name as text, then type and class. */
void pb_dns_question(struct pb_dns *m, const char *name, uint16_t qtype, uint16_t qclass);
/* Append A / AAAA answers whose owner is a pointer to name_off. */
void pb_dns_rr_a(struct pb_dns *m, uint16_t name_off, uint32_t ttl, const char *addr);
void pb_dns_rr_aaaa(struct pb_dns *m, uint16_t name_off, uint32_t ttl, const char *addr);
/*
 * Append an NS record whose owner is a pointer to owner_off and whose data
 * is name, uncompressed. Returns the offset of that name, for glue.
 */
size_t pb_dns_rr_ns(struct pb_dns *m, uint16_t owner_off, uint32_t ttl, const char *name);
/* Append an EDNS OPT record (root owner) with no options. */
void pb_dns_opt(struct pb_dns *m, uint16_t udp_size);

/*
 * A typical authoritative answer: QR AA RD RA, one question (A IN), n_a A
 * records compressed against the question, one AAAA record and an OPT record.
 */
void pb_dns_response(struct pb_dns *m, uint16_t id, const char *qname, int n_a);

/*
 * The NXDOMAIN answer a filter must make of response `in`: the same ID,
 * opcode, AA, RD, RA and CD bits; TC cleared (the answer is now complete);
 * Z and AD cleared (nothing was authenticated); RCODE 3; QDCOUNT 1 and the
 * other counts 0; the message cut right after the question. Returns -1
 * when `in` has no parsable, uncompressed question.
 */
int pb_dns_expect_nxdomain(const struct pb_dns *in, struct pb_dns *out);

enum pb_csum {
	PB_CSUM_OK = 0, /* correct UDP / TCP checksum */
	PB_CSUM_ZERO,	/* UDP checksum 0: "none" over IPv4 */
	PB_CSUM_BAD,	/* deliberately wrong */
};

enum pb_tcp_prefix {
	PB_TCP_PREFIX = 0, /* two-byte DNS length prefix, plus tcp_prefix_adj */
	PB_TCP_NO_PREFIX,  /* payload as is: a continuation segment */
};

/* Everything about a frame; zero is a sensible default for every field. */
struct pb_spec {
	/* Layer 2: tags outermost first. With tpid 0 the outer of two tags is
	 * 802.1ad (0x88a8) and any other tag 802.1Q (0x8100). */
	int nvlan;
	uint16_t vlan_tpid[2];
	uint16_t vlan_tci[2];

	/* Layer 3. Addresses as text; NULL gives documentation addresses. */
	int ipv6;
	const char *src;
	const char *dst;
	uint8_t ip4_optlen;  /* IPv4 option bytes, multiple of 4, at most 40 */
	uint16_t ip4_frag;   /* IPv4 flags and fragment offset, host order */
	int next;	     /* IPv6 extension headers before L4, at most 8 */
	uint8_t ext[8];	     /* their types: hop-by-hop, routing, dest options */
	uint8_t ext_len[8];  /* their Hdr Ext Len: 8-byte units beyond the first */
	int ip6_frag;	     /* add a fragment header after the extensions */
	uint16_t ip6_frag_off; /* its offset field, host order: offset << 3 | M */

	/* Layer 4 */
	int tcp;
	uint16_t sport; /* 0 means 53 */
	uint16_t dport; /* 0 means 40000 */
	enum pb_csum csum;
	int udp_len_adj; /* added to the correct UDP length field */
	enum pb_tcp_prefix tcp_prefix;
	int tcp_prefix_adj; /* added to the correct length prefix */

	/* The DNS message (or any payload) and bytes after the IP packet. */
	const void *payload;
	size_t payload_len;
	size_t trailer; /* zero bytes after the IP packet, like Ethernet padding */
};

/* Build the frame into out; returns its length, or 0 if it does not fit. */
size_t pb_build(const struct pb_spec *s, uint8_t *out, size_t cap);

/* Shorthand: a UDP frame carrying message m, otherwise as spec s (may be NULL). */
size_t pb_build_dns(const struct pb_spec *s, const struct pb_dns *m, uint8_t *out, size_t cap);

/* Where the layers of a frame are, as found by pb_parse. */
struct pb_info {
	size_t l3_off;
	size_t l4_off;	/* 0 for fragments and unknown protocols */
	size_t l3_end;	/* end of the IP packet by its length field */
	size_t payload_off;
	size_t payload_len;
	int ipv6;
	int proto;
	int fragment;
	uint16_t sport, dport;
};

/*
 * Parse the headers of a frame. Returns 0, or -1 with a reason in why when
 * a header is truncated or inconsistent with the frame.
 */
int pb_parse(const uint8_t *f, size_t len, struct pb_info *info, char *why, size_t whylen);

/*
 * Check what a receiver checks: the IPv4 header checksum, that the IP
 * length ends exactly at the end of the frame, the UDP length, and the
 * UDP or TCP checksum (UDP checksum 0 is accepted over IPv4 only).
 * Returns 0, or -1 with a reason in why.
 */
int pb_verify(const uint8_t *f, size_t len, char *why, size_t whylen);

/*
 * Recompute the IPv4 header checksum and the UDP or TCP checksum of a frame
 * as pb_parse() reads it, after its bytes were changed; a UDP checksum of 0
 * over IPv4 stays 0. Returns 0, or -1 (frame unchanged) when it does not
 * parse.
 */
int pb_fix_checksums(uint8_t *f, size_t len);

/* Only the IPv4 header checksum; 0, or -1 when the frame does not parse. */
int pb_fix_ip4_csum(uint8_t *f, size_t len);

/* 1 when the IPv4 header checksum of a frame is right (or it is no IPv4). */
int pb_ip4_csum_ok(const uint8_t *f, size_t len);

/* Internet checksum of a buffer, folded, not complemented. */
uint16_t pb_csum_fold(uint32_t sum);
uint32_t pb_csum_add(uint32_t sum, const void *p, size_t n);

/* Print a hex dump of a frame, for failure messages. */
void pb_hexdump(FILE *fp, const char *title, const uint8_t *p, size_t n);

/* Print where two frames first differ, both dumped; returns 1 if they differ. */
int pb_diff(FILE *fp, const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len);

#endif /* PKTBUILD_H */
