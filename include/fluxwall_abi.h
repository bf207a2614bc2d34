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
#define FW_SAMPLE_MSG	 512 /* message bytes copied for parsing and sampling */
#define FW_SCRATCH_MSG	 (FW_SAMPLE_MSG + 64) /* room for 8-byte reads past the copy */
#define FW_SAMPLE_MAX_RR 32

/* Map names, pinned under the pin directory (default /sys/fs/bpf/fluxwall). */
#define FW_MAP_RULES  "fw_rules"
#define FW_MAP_FILTER "fw_filter"
#define FW_MAP_CONFIG "fw_config"
#define FW_MAP_PORTS  "fw_ports"
#define FW_MAP_STATS  "fw_stats"
#define FW_MAP_SAMPLES "fw_samples"
#define FW_MAP_SEEN    "fw_seen"
#define FW_MAP_TRUSTED "fw_trusted"

#define FW_DEFAULT_CAPACITY 1048576
#define FW_PORT_WORDS	    1024 /* 65536 source ports, one bit each */
#define FW_SEEN_ENTRIES	    65536 /* slots of the table of answer sets last sampled; a power of two */
#define FW_TRUSTED_ENTRIES  256
#define FW_RINGBUF_BYTES    (4 << 20)

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
	__u8 sampling;			    /* 1: send samples to the daemon */
	__u8 pad;
	__u32 trusted_count;		    /* entries in fw_trusted; 0 trusts all */
	__u32 names;			    /* keys in fw_rules, kept by userspace */
	__u64 sample_interval_ns;	    /* resend an unchanged answer set after this */
	__u64 generation;		    /* of the state file the maps reflect */
};

/* Trusted resolver address: IPv4 as ::ffff:a.b.c.d. */
struct fw_addr {
	__u8 a[16];
};

/*
 * One slot of fw_seen, a direct-mapped table indexed by the low bits of the
 * (name, qtype) key: the answer set last sampled for the key it holds.
 */
struct fw_seen_slot {
	__u64 key;
	__u64 fingerprint;
	__u64 last_ns; /* when this set was last sent */
	__u64 bytes;   /* keyed digest of the message last read for it, ID aside */
};

enum fw_section {
	FW_SEC_ANSWER = 0,
	FW_SEC_AUTHORITY = 1,
	FW_SEC_ADDITIONAL = 2,
};

/* One resource record of a sampled message; offsets index fw_sample.msg. */
struct fw_sample_rr {
	__u16 type;
	__u16 rdlen;
	__u16 owner_off;
	__u16 rdata_off;
	__u32 ttl;
	__u8 section; /* enum fw_section */
	__u8 pad[3];
};

enum fw_sample_flag {
	FW_SAMPLE_MORE_RR = 1 << 0,   /* records beyond FW_SAMPLE_MAX_RR or the copy */
};

/*
 * One DNS response, as the XDP program saw it. Names stay in the copied
 * message (compressed, as on the wire); userspace decodes them from msg,
 * and finds the records by running the program's own walk on it again
 * (bpf/answer_walk.h), so the kernel stores no offsets on the common path.
 */
struct fw_sample {
	__u64 ts_ns; /* bpf_ktime_get_coarse_ns(): CLOCK_MONOTONIC_COARSE */
	__u64 fingerprint;
	__u32 ifindex;
	__u16 dns_len;	/* length of the whole message */
	__u16 msg_len;	/* bytes of it in msg */
	__u16 qtype;
	__u16 name_len; /* question name, wire length */
	__u8 family;	/* 4 or 6 */
	__u8 tcp;
	__u8 rcode;
	__u8 n_rr;
	__u8 flags;	/* enum fw_sample_flag */
	__u8 pad[7];
	__u8 resolver[16]; /* source address; IPv4 in the first 4 bytes */
	__u8 client[16];   /* destination address */
	__u8 msg[FW_SAMPLE_MSG];
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
	FW_CNT_MAL_RECORDS,	/* bad record section: forward pointer, overrun */
	FW_CNT_MAX,
};

struct fw_stats {
	__u64 c[FW_CNT_MAX];
};

#endif /* FLUXWALL_ABI_H */
