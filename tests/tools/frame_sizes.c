// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * frame_sizes --out FILE.pcap: a capture holding one Ethernet frame of each
 * size to test `fluxwall replay` with, and FILE.pcap.frames, one line per
 * frame: "size caplen kind domain".
 *
 * Sizes: every size from 0 to 2048 bytes, then every 97th size up to
 * 65535, and the boundaries around them (a page, 4 KiB, jumbo frames, 16
 * and 32 KiB, the largest IP datagram, replay's buffer of 64 KiB + 64,
 * libpcap's largest snapshot). A frame large enough is a valid DNS
 * response of exactly that size, for the domain s<size>.example (kind
 * "valid"); a shorter one is the start of such a response ("short").
 * Then valid responses cut by a snapshot length, caplen < len ("cut").
 */
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktbuild.h"

#define SNAPLEN	 262144 /* libpcap's largest */
#define MAX_MSG	 (65535 - 20 - 8)
#define RR_HEAD	 12 /* a compressed owner, type, class, TTL, data length */
#define T_OPAQUE 65280

static uint8_t frame[SNAPLEN];
static uint8_t msg[65536];

/*
 * A DNS response for domain framed as Ethernet, IPv4 and UDP in exactly n
 * bytes when n allows: an A answer, a record of a private type to grow the
 * message, Ethernet padding for what a record cannot take. Returns the
 * frame's length, less than n when n is too small for a response.
 */
static size_t response_of(size_t n, const char *domain)
{
	static struct pb_dns m;
	struct pb_spec s = {0};
	size_t base, extra, len;

	pb_dns_init(&m, (uint16_t)n, PB_DNS_QR | PB_DNS_AA | PB_DNS_RD | PB_DNS_RA, 1, 1, 0, 0);
	pb_dns_question(&m, domain, PB_TYPE_A, PB_CLASS_IN);
	pb_dns_rr_a(&m, PB_QUESTION_OFF, 300, "203.0.113.7");
	memcpy(msg, m.buf, m.len);
	len = m.len;
	base = 14 + 20 + 8 + len;
	extra = n > base ? n - base : 0;
	if (extra >= RR_HEAD) {
		size_t rdlen = extra - RR_HEAD;

		if (len + RR_HEAD + rdlen > MAX_MSG)
			rdlen = MAX_MSG - len - RR_HEAD;
		msg[7] = 2; /* ANCOUNT */
		memcpy(msg + len, "\xc0\x0c\xff\x00\x00\x01\x00\x00\x01\x2c", 10);
		msg[len + 10] = (uint8_t)(rdlen >> 8);
		msg[len + 11] = (uint8_t)rdlen;
		memset(msg + len + RR_HEAD, 'x', rdlen);
		len += RR_HEAD + rdlen;
		extra = n - (base + RR_HEAD + rdlen);
	}
	s.payload = msg;
	s.payload_len = len;
	s.trailer = extra;
	return pb_build(&s, frame, sizeof(frame));
}

static void put_frame(pcap_dumper_t *d, FILE *list, size_t len, size_t caplen, const char *kind,
		      const char *domain)
{
	struct pcap_pkthdr h = {.caplen = (bpf_u_int32)caplen, .len = (bpf_u_int32)len};

	h.ts.tv_sec = 1700000000 + (time_t)len;
	pcap_dump((u_char *)d, &h, frame);
	fprintf(list, "%zu %zu %s %s\n", len, caplen, kind, domain);
}

/* A frame of n bytes, a whole response when n is enough for one. */
static void sized(pcap_dumper_t *d, FILE *list, size_t n)
{
	char domain[64];
	size_t got;

	snprintf(domain, sizeof(domain), "s%zu.example", n);
	got = response_of(n, domain);
	if (got == n) {
		put_frame(d, list, n, n, "valid", domain);
		return;
	}
	/* too short for a response: its first n bytes (a zero frame past it) */
	if (got < n)
		memset(frame + got, 0, n - got);
	put_frame(d, list, n, n, "short", domain);
}

/* Valid response number i, of n bytes, captured with only its first caplen. */
static void cut(pcap_dumper_t *d, FILE *list, size_t i, size_t n, size_t caplen)
{
	char domain[64];

	snprintf(domain, sizeof(domain), "c%zu.example", i);
	/* the cut must take bytes of the IP packet, not only Ethernet padding */
	if (response_of(n, domain) != n || caplen >= 14 + (size_t)(frame[16] << 8 | frame[17])) {
		fprintf(stderr, "frame_sizes: %zu bytes cut to %zu keep a whole response\n", n,
			caplen);
		exit(1);
	}
	put_frame(d, list, n, caplen, "cut", domain);
}

int main(int argc, char **argv)
{
	static const size_t edges[] = {3519,  3520,  3521,  4095,  4096,   4097,   8191,
				       8192,  8193,  9000,  9216,  16383,  16384,  16385,
				       32767, 32768, 32769, 65535, 65549,  65550,  65598,
				       65599, 65600, 65601, 70000, 100000, SNAPLEN};
	static const size_t cuts[][2] = {{100, 13},    {100, 14},    {100, 34},	   {100, 60},
					 {100, 99},    {600, 98},    {1500, 200},  {1500, 1499},
					 {4000, 1500}, {9000, 3520}, {9000, 8999}, {65535, 65534}};
	const char *out = NULL;
	char path[4096];
	pcap_dumper_t *d;
	pcap_t *p;
	FILE *list;
	size_t n, i;
	int c;

	static const struct option opts[] = {{"out", required_argument, NULL, 'o'}, {0}};

	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1)
		if (c == 'o')
			out = optarg;
	if (!out) {
		fprintf(stderr, "usage: frame_sizes --out FILE.pcap\n");
		return 2;
	}
	p = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	d = p ? pcap_dump_open(p, out) : NULL;
	snprintf(path, sizeof(path), "%s.frames", out);
	list = fopen(path, "w");
	if (!d || !list) {
		fprintf(stderr, "frame_sizes: cannot write %s or %s\n", out, path);
		return 1;
	}
	for (n = 0; n <= 2048; n++)
		sized(d, list, n);
	for (n = 2048 + 97; n <= 65535; n += 97)
		sized(d, list, n);
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		sized(d, list, edges[i]);
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		cut(d, list, i, cuts[i][0], cuts[i][1]);
	pcap_dump_close(d);
	pcap_close(p);
	return fclose(list) ? 1 : 0;
}
