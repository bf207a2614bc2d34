/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Frames from a capture file, as Ethernet, whatever its link type. */
#ifndef FW_PCAP_FRAMES_H
#define FW_PCAP_FRAMES_H

#include <stddef.h>
#include <stdint.h>

struct fw_pcap;

struct fw_pcap *fw_pcap_open(const char *path, char *err, size_t errlen);
void fw_pcap_close(struct fw_pcap *p);

/*
 * The next frame as Ethernet in buf; 1 with *len and *ts_ns set, 0 at the
 * end, -1 on a read error. Frames of other link types (Linux cooked, raw
 * IP, BSD loopback) get a synthetic Ethernet header.
 */
int fw_pcap_next(struct fw_pcap *p, uint8_t *buf, size_t cap, size_t *len, uint64_t *ts_ns);

/*
 * Frames passed over so far: shorter than an Ethernet header, larger than
 * the caller's buffer, or of a link type that cannot carry IP.
 */
uint64_t fw_pcap_skipped(const struct fw_pcap *p);

#endif /* FW_PCAP_FRAMES_H */
