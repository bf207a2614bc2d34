// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Frames from a capture file, as Ethernet, whatever its link type. */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "formats/pcap_frames.h"

#ifndef DLT_LINUX_SLL
#define DLT_LINUX_SLL 113
#endif

struct fw_pcap {
	pcap_t *pc;
	int dlt;
	int nano;
	uint64_t skipped;
};

/* The smallest frame a program can be run on: an Ethernet header. */
#define ETH_MIN 14

struct fw_pcap *fw_pcap_open(const char *path, char *err, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE];
	struct fw_pcap *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, pe);
	if (!p->pc) {
		snprintf(err, errlen, "cannot read capture %s: %s", path, pe);
		free(p);
		return NULL;
	}
	p->dlt = pcap_datalink(p->pc);
	return p;
}

void fw_pcap_close(struct fw_pcap *p)
{
	if (!p)
		return;
	pcap_close(p->pc);
	free(p);
}

static uint16_t ethertype_of_ip(const uint8_t *ip, size_t len)
{
	if (len && (ip[0] >> 4) == 6)
		return 0x86dd;
	return 0x0800;
}

/* Ethernet header with made-up addresses around an L3 packet. */
static int wrap(uint8_t *buf, size_t cap, const uint8_t *l3, size_t l3len, uint16_t type,
		size_t *len)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	if (l3len + 14 > cap)
		return -1;
	memcpy(buf, macs, 12);
	buf[12] = type >> 8;
	buf[13] = type & 0xff;
	memcpy(buf + 14, l3, l3len);
	*len = l3len + 14;
	return 0;
}

/* The frame as Ethernet in buf, or -1 when it cannot be one. */
static int to_ethernet(struct fw_pcap *p, const struct pcap_pkthdr *h, const uint8_t *d,
		       uint8_t *buf, size_t cap, size_t *len)
{
	switch (p->dlt) {
	case DLT_EN10MB:
		if (h->caplen > cap || h->caplen < ETH_MIN)
			return -1;
		memcpy(buf, d, h->caplen);
		*len = h->caplen;
		return 0;
	case DLT_LINUX_SLL:
		if (h->caplen < 16 ||
		    wrap(buf, cap, d + 16, h->caplen - 16, (d[14] << 8) | d[15], len))
			return -1;
		return 0;
	case DLT_RAW:
	case 228: /* DLT_IPV4 */
	case 229: /* DLT_IPV6 */
		return wrap(buf, cap, d, h->caplen, ethertype_of_ip(d, h->caplen), len) ? -1 : 0;
	case DLT_NULL:
	case DLT_LOOP:
		if (h->caplen < 4 ||
		    wrap(buf, cap, d + 4, h->caplen - 4, ethertype_of_ip(d + 4, h->caplen - 4), len))
			return -1;
		return 0;
	default:
		return -1;
	}
}

int fw_pcap_next(struct fw_pcap *p, uint8_t *buf, size_t cap, size_t *len, uint64_t *ts_ns)
{
	struct pcap_pkthdr *h;
	const uint8_t *d;
	int r;

	for (;;) {
		r = pcap_next_ex(p->pc, &h, &d);
		if (r == PCAP_ERROR_BREAK)
			return 0;
		if (r < 0)
			return -1;
		*ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		if (!to_ethernet(p, h, d, buf, cap, len))
			return 1;
		p->skipped++;
	}
}

uint64_t fw_pcap_skipped(const struct fw_pcap *p)
{
	return p->skipped;
}
