/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Samples for the daemon. An unchanged answer set for a name is sent at most
 * once per sample interval, so a flood of identical responses costs the ring
 * buffer almost nothing; a changed set is sent at once. A full ring buffer
 * only costs a sample, never a packet.
 */
#ifndef FW_SAMPLE_H
#define FW_SAMPLE_H

#include "fluxwall_abi.h"
#include "fw_maps.h"
#include "pkt_parse.h"
#include "answer_walk.h"
#include "sample_body.h"

/* Source and destination addresses, IPv4 in the first four bytes. */
static __always_inline int fw_copy_addrs(struct xdp_md *ctx, const struct fw_pkt *pkt, __u8 *src,
					 __u8 *dst)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (pkt->ipv6) {
		struct ipv6hdr *ip6 = data + (pkt->l3_off & 0x3f);

		if ((void *)(ip6 + 1) > end)
			return -1;
		__builtin_memcpy(src, &ip6->saddr, 16);
		__builtin_memcpy(dst, &ip6->daddr, 16);
	} else {
		struct iphdr *iph = data + (pkt->l3_off & 0x3f);

		if ((void *)(iph + 1) > end)
			return -1;
		__builtin_memcpy(src, &iph->saddr, 4);
		__builtin_memcpy(dst, &iph->daddr, 4);
	}
	return 0;
}

/*
 * IPv4 resolvers are keyed v4-mapped, so an IPv6 packet whose source is
 * ::ffff:a.b.c.d would pass for the IPv4 resolver a.b.c.d; no IPv6 packet
 * carries such a source on the wire (RFC 4291 section 2.5.5.2).
 */
static __always_inline int fw_resolver_trusted(const struct fw_pkt *pkt, const __u8 *src)
{
	struct fw_addr key = {};
	__u32 w[3];

	if (pkt->ipv6) {
		__builtin_memcpy(w, src, sizeof(w));
		if (!w[0] && !w[1] && w[2] == bpf_htonl(0xffff))
			return 0;
		__builtin_memcpy(key.a, src, 16);
	} else {
		key.a[10] = 0xff;
		key.a[11] = 0xff;
		__builtin_memcpy(key.a + 12, src, 4);
	}
	return bpf_map_lookup_elem(&fw_trusted, &key) != NULL;
}

/* The message ID in the first 8-byte word, and a word's first n bytes, in either byte order. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FW_ID_BITS	 0xffffull
#define FW_TAIL_BITS(n)	 ((1ull << ((n) * 8)) - 1) /* the first n bytes of a word */
#else
#define FW_ID_BITS	 (0xffffull << 48)
#define FW_TAIL_BITS(n)	 (~0ull << (64 - (n) * 8))
#endif

/*
 * A keyed digest of the copied message, its ID left out: responses served
 * from one cache entry differ only in the ID (and in TTLs once a second), so
 * equal bytes tell an unchanged answer set without walking its records.
 * Each step is a bijection of its word, so messages that differ in one word
 * always differ here. Eight bytes a step, unrolled: no helper, no loop.
 */
static __always_inline __u64 fw_msg_digest(const struct fw_scratch *s, __u32 copied, __u64 seed)
{
	__u64 h = seed ^ copied, w;
	__u32 b;

	FW_UNROLL
	for (b = 0; b < FW_SAMPLE_MSG / 8; b++) {
		if (b * 8 >= copied)
			break;
		w = fw_ld64(s->msg + b * 8);
		if (b == 0)
			w &= ~FW_ID_BITS;
		if (copied - b * 8 < 8) /* past the copy: another message's bytes */
			w &= FW_TAIL_BITS(copied - b * 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	}
	return h ^ (h >> 32);
}

/* 1 when the slot holds key and its set was sent less than interval ago. */
static __always_inline int fw_seen_fresh(const struct fw_seen_slot *seen, __u64 key, __u64 now,
					 __u64 interval)
{
	return seen->key == key && now - seen->last_ns < interval;
}

/*
 * Remember the set sent, and the digest of its message when it was taken
 * (0: unknown, learnt at the next suppression). Two CPUs writing one slot at
 * once can mix their fields; the worst outcome is a sample sent again.
 */
static __always_inline void fw_note_sampled(struct fw_seen_slot *seen, __u64 key, __u64 fp,
					    __u64 now, __u64 bytes)
{
	seen->key = key;
	seen->fingerprint = fp;
	seen->last_ns = now;
	seen->bytes = bytes;
}

static __always_inline void fw_fill_sample(struct fw_sample *r, struct xdp_md *ctx,
					   const struct fw_pkt *pkt, struct fw_scratch *s,
					   const struct fw_question *q, __u64 now, __u64 fp)
{
	r->ts_ns = now;
	r->ifindex = ctx->ingress_ifindex;
	r->family = pkt->ipv6 ? 6 : 4;
	r->tcp = pkt->tcp;
	fw_sample_body(r, s, q, pkt->dns_len, fp);
}

static __always_inline void fw_sample_response(struct xdp_md *ctx, struct fw_stats *st,
					       const struct fw_config *cfg,
					       const struct fw_pkt *pkt, struct fw_scratch *s,
					       const struct fw_question *q)
{
	__u8 src[16] = {}, dst[16] = {};
	__u64 key, now, fp, bytes = 0;
	struct fw_seen_slot *seen;
	struct fw_sample *r;
	__u32 slot;
	int fresh;

	/* the addresses are read here only when a trust list needs the source */
	if (cfg->trusted_count &&
	    (fw_copy_addrs(ctx, pkt, src, dst) || !fw_resolver_trusted(pkt, src))) {
		st->c[FW_CNT_SAMPLES_UNTRUSTED]++;
		return;
	}
	key = *(volatile __u64 *)&s->name_hash;
	key ^= fw_mix64(((__u64)s->msg[(DNS_HDR_LEN + q->name_len + 1) & 0x1ff]) + 1);
	slot = key & (FW_SEEN_ENTRIES - 1);
	seen = bpf_map_lookup_elem(&fw_seen, &slot);
	if (!seen)
		return; /* an array: never */
	now = bpf_ktime_get_coarse_ns(); /* a tick's precision is plenty against 60 s */
	/* a name new to the table, or due again, is sent whatever its bytes */
	fresh = fw_seen_fresh(seen, key, now, cfg->sample_interval_ns);
	if (fresh) {
		bytes = fw_msg_digest(s, q->copied, cfg->seed[1]);
		if (seen->bytes == bytes) {
			st->c[FW_CNT_SAMPLES_SUPPRESSED]++; /* the bytes last read: no walk */
			return;
		}
	}
	s->keep_rr = 0;
	if (fw_walk_records(s, q->name_len, q->copied, pkt->dns_len, cfg->seed[0])) {
		st->c[FW_CNT_MAL_RECORDS]++;
		return;
	}
	if (!*(volatile __u8 *)&s->n_rr)
		return; /* nothing to learn from an empty answer */
	fp = *(volatile __u64 *)&s->fingerprint;
	if (fresh && seen->fingerprint == fp) {
		seen->bytes = bytes; /* the same set in other bytes: its TTLs, its order */
		st->c[FW_CNT_SAMPLES_SUPPRESSED]++;
		return;
	}
	r = bpf_ringbuf_reserve(&fw_samples, sizeof(*r), 0);
	if (!r) {
		st->c[FW_CNT_SAMPLES_LOST]++;
		return;
	}
	if (!cfg->trusted_count && fw_copy_addrs(ctx, pkt, src, dst)) {
		bpf_ringbuf_discard(r, 0);
		return;
	}
	fw_fill_sample(r, ctx, pkt, s, q, now, fp);
	__builtin_memcpy(r->resolver, src, 16);
	__builtin_memcpy(r->client, dst, 16);
	fw_note_sampled(seen, key, fp, now, bytes);
	bpf_ringbuf_submit(r, 0);
	st->c[FW_CNT_SAMPLES_SENT]++;
}

#endif /* FW_SAMPLE_H */
