/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract between the XDP program and userspace: map names, key and
 * value layouts, counters and the sample format. Both sides include this
 * file and nothing else defines these layouts.
 */
#ifndef FLUXWALL_ABI_H
#define FLUXWALL_ABI_H

#ifdef __BPF__
#include <linux/types.h>
#else
#include <linux/types.h>
#endif

#define FW_MAX_NAME	 255 /* wire length of a name, root byte included */
#define FW_MAX_LABELS	 127
#define FW_MAX_LABEL	 63
#define FW_DEPTH_WORDS	 2   /* depth mask: bit d set when a rule has d labels */
#define FW_SCRATCH_NAME	 512 /* question copy; room for 8-byte reads past 255 */
#define FW_QUESTION_COPY 260 /* name (255) + qtype + qclass + slack */

/* Map names, pinned under the pin directory (default /sys/fs/bpf/fluxwall). */
#define FW_MAP_RULES  "fw_rules"
#define FW_MAP_FILTER "fw_filter"
#define FW_MAP_CONFIG "fw_config"
#define FW_MAP_PORTS  "fw_ports"
#define FW_MAP_STATS  "fw_stats"

#define FW_DEFAULT_CAPACITY 1048576
#define FW_PORT_WORDS	    1024 /* 65536 source ports, one bit each */

/* 128-bit keyed hash of a canonical name; see name_key.h. */
struct fw_key {
	__u64 hi;
	__u64 lo;
};

enum fw_rule_flag {
	FW_BLOCK_EXACT	 = 1 << 0,
	FW_BLOCK_SUBTREE = 1 << 1,
	FW_ALLOW_EXACT	 = 1 << 2,
	FW_ALLOW_SUBTREE = 1 << 3,
};

enum fw_action {
	FW_ACT_DEFAULT	= 0, /* use fw_config.default_action */
	FW_ACT_DROP	= 1,
	FW_ACT_NXDOMAIN = 2,
};

/* Why an entry is blocked; only used to split the blocked counters. */
enum fw_origin {
	FW_ORIGIN_MANUAL = 0,
	FW_ORIGIN_FEED	 = 1,
	FW_ORIGIN_AUTO	 = 2,
};

/* One value per name: every rule for that name, merged by userspace. */
struct fw_rule {
	__u8 flags;	     /* enum fw_rule_flag */
	__u8 exact_action;   /* enum fw_action */
	__u8 subtree_action; /* enum fw_action */
	__u8 exact_origin;   /* enum fw_origin */
	__u8 subtree_origin; /* enum fw_origin */
	__u8 pad[3];
};

struct fw_config {
	__u64 seed[2];			    /* SipHash key; secret, random per pin dir */
	__u64 depth_mask[FW_DEPTH_WORDS];   /* bit d: some rule has d labels */
	__u32 filter_mask;		    /* fw_filter entries - 1 (power of two) */
	__u8 default_action;		    /* enum fw_action, never FW_ACT_DEFAULT */
	__u8 max_depth;			    /* deepest rule, in labels */
	__u8 pad[2];
};

enum fw_counter {
	FW_CNT_PACKETS = 0,
	FW_CNT_PASSED,
	FW_CNT_NOT_DNS,		/* not UDP/TCP from a DNS source port */
	FW_CNT_DNS_QUERIES,	/* QR=0 from a DNS port: passed */
	FW_CNT_DNS_OTHER,	/* opcode other than QUERY: passed */
	FW_CNT_DNS_RESPONSES,	/* responses whose question parsed */
	FW_CNT_BLOCK_DROP,
	FW_CNT_BLOCK_NXDOMAIN,
	FW_CNT_BLOCK_MANUAL,
	FW_CNT_BLOCK_FEED,
	FW_CNT_BLOCK_AUTO,
	FW_CNT_ALLOWED,		/* an allow rule matched and won */
	FW_CNT_FRAGMENTS,	/* IP fragments: passed untouched */
	FW_CNT_TCP_PARTIAL,	/* TCP segment without a whole message: passed */
	FW_CNT_NXDOMAIN_FAILED, /* rewrite impossible: dropped instead */
	FW_CNT_MAL_L3,		/* bad IP header or truncated L3/L4 */
	FW_CNT_MAL_UDP_LENGTH,	/* UDP length larger than the frame or too small */
	FW_CNT_MAL_SHORT,	/* DNS header truncated */
	FW_CNT_MAL_QDCOUNT,	/* QDCOUNT != 1 */
	FW_CNT_MAL_LABEL,	/* label over 63 bytes or reserved label type */
	FW_CNT_MAL_POINTER,	/* compression pointer in the question */
	FW_CNT_MAL_NAME_LEN,	/* name over 255 bytes */
	FW_CNT_MAL_TRUNCATED,	/* question runs past the message */
	FW_CNT_SAMPLES_SENT,
	FW_CNT_SAMPLES_SUPPRESSED,
	FW_CNT_SAMPLES_LOST,
	FW_CNT_SAMPLES_UNTRUSTED,
	FW_CNT_MAX,
};

struct fw_stats {
	__u64 c[FW_CNT_MAX];
};

#endif /* FLUXWALL_ABI_H */
