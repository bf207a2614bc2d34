/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One decoded DNS response as the flux scorer sees it. The daemon fills it
 * from a ring-buffer sample (or replay does, from a capture); the scorer
 * only reads it. Names are canonical text: lowercase, no trailing dot, a dot
 * or backslash inside a label escaped ("\." and "\\"), a control byte as
 * "\DDD" (see fw_msg_name).
 */
#ifndef FW_OBSERVATION_H
#define FW_OBSERVATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define FW_OBS_NAME_MAX	  1024 /* any name of 255 bytes, every byte escaped */
#define FW_OBS_MAX_ADDRS  16
#define FW_OBS_MAX_CNAMES 8
#define FW_OBS_MAX_NS	  8
#define FW_OBS_MAX_GLUE	  8

/* Long enough for any IPv6 text form, NUL included. */
#define FW_IP_TEXT_MAX 46

/* An IPv4 or IPv6 address; IPv4 uses the first 4 bytes of addr. */
struct fw_ip {
	uint8_t family; /* AF_INET or AF_INET6; 0 when unset */
	uint8_t addr[16];
};

struct fw_obs_addr {
	struct fw_ip ip;
	uint32_t ttl;
};

struct fw_obs_ns {
	char name[FW_OBS_NAME_MAX];
	uint32_t ttl;
};

struct fw_obs {
	uint64_t ts_ns;		     /* capture or receive time, one clock per run */
	char qname[FW_OBS_NAME_MAX]; /* canonical question name */
	uint16_t qtype;
	uint8_t rcode;
	struct fw_ip resolver; /* source of the response */
	struct fw_ip client;   /* its destination */
	uint32_t ifindex;
	uint8_t n_addrs;
	uint8_t n_cnames;
	uint8_t n_ns;
	uint8_t n_glue;
	struct fw_obs_addr addrs[FW_OBS_MAX_ADDRS];	 /* A and AAAA answers */
	char cnames[FW_OBS_MAX_CNAMES][FW_OBS_NAME_MAX]; /* chain, in answer order */
	struct fw_obs_ns ns[FW_OBS_MAX_NS];
	struct fw_ip glue[FW_OBS_MAX_GLUE]; /* A/AAAA of the NS names */
	uint32_t glue_ttl[FW_OBS_MAX_GLUE];
	uint8_t glue_ns[FW_OBS_MAX_GLUE]; /* index into ns[] of its owner */
};

/* Parse "192.0.2.1" or "2001:db8::1"; -1 when it is neither. */
int fw_ip_parse(const char *text, struct fw_ip *out);

/* Write the address as text into buf (FW_IP_TEXT_MAX bytes suffice). */
void fw_ip_format(const struct fw_ip *ip, char *buf, size_t len);

/*
 * The address as 16 bytes, IPv4 v4-mapped: one key for both families.
 * Inline: the scorer maps every answer address, several times.
 */
static inline void fw_ip_mapped(const struct fw_ip *ip, uint8_t out[16])
{
	if (ip->family == AF_INET) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, ip->addr, 4);
	} else {
		memcpy(out, ip->addr, 16);
	}
}

bool fw_ip_equal(const struct fw_ip *a, const struct fw_ip *b);

/* Reset obs to an empty response for qname at ts_ns. */
void fw_obs_init(struct fw_obs *obs, const char *qname, uint64_t ts_ns);

/* Append an answer address; -1 when the text is no address or obs is full. */
int fw_obs_add_addr(struct fw_obs *obs, const char *ip_text, uint32_t ttl);

/* Append an NS name with its TTL; -1 when obs has no room left. */
int fw_obs_add_ns(struct fw_obs *obs, const char *name, uint32_t ttl);

/*
 * Append a glue address of the NS name last added (its owner, which NS
 * host tracking keys on); -1 when bad text, full, or no NS name yet.
 */
int fw_obs_add_glue(struct fw_obs *obs, const char *ip_text);

/*
 * The fingerprint of the response's address set: what the XDP program adds
 * up for its A and AAAA records with seed 0 (include/answer_fp.h).
 */
uint64_t fw_obs_address_fp(const struct fw_obs *obs);

#endif /* FW_OBSERVATION_H */
