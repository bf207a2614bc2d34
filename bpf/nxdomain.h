/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Rewrite a UDP response in place into NXDOMAIN: RCODE 3, the question kept,
 * every record removed, the frame shortened, and the IPv4 header checksum,
 * IP and UDP lengths and the UDP checksum recomputed.
 */
#ifndef FW_NXDOMAIN_H
#define FW_NXDOMAIN_H

#include "fluxwall_abi.h"
#include "fw_maps.h"
#include "pkt_parse.h"
#include "dns_parse.h"

static __always_inline __u16 fw_csum_fold(__s64 sum)
{
	__u32 s = (__u32)sum;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* RFC 1624 incremental update, for the IPv4 header's new total length. */
static __always_inline void fw_csum_replace16(__u16 *check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~*check + (__u16)~old + new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*check = (__u16)~sum;
}

/* Header of an NXDOMAIN answer to the same question, built in scratch. */
static __always_inline void fw_nxdomain_header(struct fw_scratch *s)
{
	s->msg[2] &= ~0x02;			/* TC: the answer is whole */
	s->msg[3] = (s->msg[3] & 0x90) | 3; /* keep RA and CD; RCODE NXDOMAIN */
	__builtin_memset(&s->msg[6], 0, 6);	/* no answer, authority, additional */
}

struct fw_pseudo4 {
	__be32 saddr, daddr;
	__u8 zero, proto;
	__be16 len;
	struct udphdr uh;
};

struct fw_pseudo6 {
	struct in6_addr saddr, daddr;
	__be32 len;
	__u8 zero[3], next;
	struct udphdr uh;
};

/* UDP checksum of the new message; the message itself is in scratch. */
static __always_inline __u16 fw_udp_csum(struct fw_scratch *s, __u32 msg_len, void *pseudo,
					 __u32 pseudo_len)
{
	__u32 padded = (msg_len + 3) & 0x1fc; /* msg_len < 512 */
	__s64 sum;
	__u16 c;

	s->msg[msg_len & 0x1ff] = 0;
	s->msg[(msg_len + 1) & 0x1ff] = 0;
	s->msg[(msg_len + 2) & 0x1ff] = 0;
	if (padded > FW_SAMPLE_MSG)
		return 0;
	sum = bpf_csum_diff(0, 0, (__be32 *)s->msg, padded, 0);
	sum = bpf_csum_diff(0, 0, pseudo, pseudo_len, (__u32)sum);
	c = fw_csum_fold(sum);
	return c ? c : 0xffff;
}

static __always_inline int fw_fix_ipv4(struct xdp_md *ctx, const struct fw_pkt *pkt,
				       __u32 udp_len, struct fw_scratch *s, __u32 msg_len)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + (pkt->l3_off & 0x3f);
	struct fw_pseudo4 ph = {};
	struct udphdr *uh;
	__be16 old_len;

	if ((void *)(iph + 1) > end)
		return -1;
	old_len = iph->tot_len;
	iph->tot_len = bpf_htons(pkt->l4_off - pkt->l3_off + udp_len);
	fw_csum_replace16(&iph->check, old_len, iph->tot_len);

	uh = data + (pkt->l4_off & (FW_MAX_L4_OFF - 1));
	if ((void *)(uh + 1) > end)
		return -1;
	uh->len = bpf_htons(udp_len);
	if (!uh->check)
		return 0; /* the sender did not checksum; neither do we */
	uh->check = 0;
	ph.saddr = iph->saddr;
	ph.daddr = iph->daddr;
	ph.proto = IPPROTO_UDP;
	ph.len = uh->len;
	ph.uh = *uh;
	uh->check = fw_udp_csum(s, msg_len, &ph, sizeof(ph));
	return 0;
}

static __always_inline int fw_fix_ipv6(struct xdp_md *ctx, const struct fw_pkt *pkt,
				       __u32 udp_len, struct fw_scratch *s, __u32 msg_len)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + (pkt->l3_off & 0x3f);
	struct fw_pseudo6 ph = {};
	struct udphdr *uh;

	if ((void *)(ip6 + 1) > end)
		return -1;
	ip6->payload_len = bpf_htons(pkt->l4_off - pkt->l3_off - sizeof(*ip6) + udp_len);
	uh = data + (pkt->l4_off & (FW_MAX_L4_OFF - 1));
	if ((void *)(uh + 1) > end)
		return -1;
	uh->len = bpf_htons(udp_len);
	uh->check = 0;
	ph.saddr = ip6->saddr;
	ph.daddr = ip6->daddr;
	ph.len = bpf_htonl(udp_len);
	ph.next = IPPROTO_UDP;
	ph.uh = *uh;
	uh->check = fw_udp_csum(s, msg_len, &ph, sizeof(ph));
	return 0;
}

/* 0 when the packet now holds the NXDOMAIN answer; it must be dropped otherwise. */
static __always_inline int fw_rewrite_nxdomain(struct xdp_md *ctx, const struct fw_pkt *pkt,
					       struct fw_scratch *s, const struct fw_question *q)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 msg_len = DNS_HDR_LEN + q->name_len + 4;
	__u8 *hdr = data + (pkt->dns_off & (2 * FW_MAX_L4_OFF - 1));
	int frame_len = bpf_xdp_get_buff_len(ctx); /* fragments of a jumbo frame included */
	int delta;

	/*
	 * Shortening a TCP segment would desynchronise the byte stream, and with
	 * segments left in a routing header the checksum covers an address this
	 * hop does not see.
	 */
	if (pkt->tcp || pkt->routed)
		return -1;
	if ((void *)(hdr + DNS_HDR_LEN) > end)
		return -1;
	fw_nxdomain_header(s);
	__builtin_memcpy(hdr, s->msg, DNS_HDR_LEN);

	delta = (int)(pkt->dns_off + msg_len) - frame_len;
	if (delta > 0)
		return -1;
	if (delta && bpf_xdp_adjust_tail(ctx, delta))
		return -1;
	if (pkt->ipv6)
		return fw_fix_ipv6(ctx, pkt, 8 + msg_len, s, msg_len);
	return fw_fix_ipv4(ctx, pkt, 8 + msg_len, s, msg_len);
}

#endif /* FW_NXDOMAIN_H */
