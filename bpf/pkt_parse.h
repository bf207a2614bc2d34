/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Layer 2 to 4 parsing: Ethernet, up to two VLAN tags, IPv4 (any IHL), IPv6
 * with hop-by-hop, routing and destination-options headers, then UDP or a TCP
 * segment carrying one whole length-prefixed DNS message.
 */
#ifndef FW_PKT_PARSE_H
#define FW_PKT_PARSE_H

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>

#include "fluxwall_abi.h"

/* Headers deeper than this are not followed; such packets are passed. */
#define FW_MAX_L4_OFF 1024

struct fw_pkt {
	__u32 l3_off;
	__u32 l4_off;
	__u32 dns_off; /* first byte of the DNS message */
	__u32 dns_len; /* length of the DNS message */
	__u8 ipv6;
	__u8 tcp;
	__u8 routed; /* IPv6 routing header with segments left: the UDP pseudo-header
		      * uses another destination, so the packet cannot be rewritten */
};

/* Outcome of parsing, when it is not "a DNS message to look at". */
enum fw_parse_res {
	FW_PARSE_DNS = -1,
	/* otherwise an enum fw_counter naming why the packet is passed */
};

static __always_inline int fw_port_is_dns(__u16 port)
{
	__u32 word = port >> 6;
	__u64 *bits = bpf_map_lookup_elem(&fw_ports, &word);

	return bits && ((*bits >> (port & 63)) & 1);
}

static __always_inline int fw_parse_vlans(void *data, void *end, __u32 *off, __u16 *proto)
{
	int i;

#pragma unroll
	for (i = 0; i < 2; i++) {
		struct vlan_hdr {
			__be16 tci;
			__be16 proto;
		} *vh;

		if (*proto != bpf_htons(ETH_P_8021Q) && *proto != bpf_htons(ETH_P_8021AD))
			break;
		vh = data + *off;
		if ((void *)(vh + 1) > end)
			return -1;
		*proto = vh->proto;
		*off += sizeof(*vh);
	}
	return 0;
}

/*
 * 1 when the frame holds its first len bytes. A frame of several buffers
 * (a jumbo frame replayed, or from a driver with multi-buffer XDP) has
 * only its headers in the linear part: its whole length is asked of the
 * kernel then, and only then, so the common case costs no helper call.
 */
static __always_inline int fw_frame_holds(struct xdp_md *ctx, void *data, void *end, __u32 len)
{
	return len <= (__u32)(end - data) || len <= bpf_xdp_get_buff_len(ctx);
}

/* Returns the L4 protocol, or a counter why the packet is passed. */
static __always_inline int fw_parse_ipv4(struct xdp_md *ctx, void *data, void *end,
					 struct fw_pkt *pkt, __u32 *l3_end)
{
	struct iphdr *iph = data + (pkt->l3_off & 0x3f);
	__u32 hlen, tot;

	if ((void *)(iph + 1) > end)
		return -FW_CNT_MAL_L3;
	hlen = iph->ihl * 4;
	tot = bpf_ntohs(iph->tot_len);
	if (iph->version != 4 || hlen < sizeof(*iph) || tot < hlen ||
	    !fw_frame_holds(ctx, data, end, pkt->l3_off + tot))
		return -FW_CNT_MAL_L3;
	if (iph->frag_off & bpf_htons(0x3fff))
		return -FW_CNT_FRAGMENTS;
	pkt->l4_off = pkt->l3_off + hlen;
	*l3_end = pkt->l3_off + tot;
	return iph->protocol;
}

static __always_inline int fw_parse_ipv6(struct xdp_md *ctx, void *data, void *end,
					 struct fw_pkt *pkt, __u32 *l3_end)
{
	struct ipv6hdr *ip6 = data + (pkt->l3_off & 0x3f);
	__u32 off = pkt->l3_off + sizeof(*ip6);
	__u8 next;
	int i;

	if ((void *)(ip6 + 1) > end)
		return -FW_CNT_MAL_L3;
	if (ip6->version != 6 || !fw_frame_holds(ctx, data, end, off + bpf_ntohs(ip6->payload_len)))
		return -FW_CNT_MAL_L3;
	*l3_end = off + bpf_ntohs(ip6->payload_len);
	next = ip6->nexthdr;

#pragma unroll
	for (i = 0; i < 4; i++) {
		__u8 *ext;

		if (next == IPPROTO_FRAGMENT)
			return -FW_CNT_FRAGMENTS;
		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING &&
		    next != IPPROTO_DSTOPTS)
			break;
		ext = data + (off & (FW_MAX_L4_OFF - 1));
		if ((void *)(ext + 2) > end)
			return -FW_CNT_MAL_L3;
		if (next == IPPROTO_ROUTING) {
			if ((void *)(ext + 4) > end)
				return -FW_CNT_MAL_L3;
			pkt->routed |= ext[3] != 0;
		}
		next = ext[0];
		off += (ext[1] + 1) * 8;
		if (off >= FW_MAX_L4_OFF)
			return -FW_CNT_MAL_L3;
	}
	pkt->l4_off = off;
	pkt->ipv6 = 1;
	return next;
}

static __always_inline int fw_parse_udp(void *data, void *end, struct fw_pkt *pkt, __u32 l3_end)
{
	struct udphdr *uh = data + (pkt->l4_off & (FW_MAX_L4_OFF - 1));
	__u32 ulen;

	if ((void *)(uh + 1) > end)
		return FW_CNT_NOT_DNS;
	if (!fw_port_is_dns(bpf_ntohs(uh->source)))
		return FW_CNT_NOT_DNS;
	ulen = bpf_ntohs(uh->len);
	if (ulen < sizeof(*uh) || pkt->l4_off + ulen > l3_end)
		return FW_CNT_MAL_UDP_LENGTH;
	pkt->dns_off = pkt->l4_off + sizeof(*uh);
	pkt->dns_len = ulen - sizeof(*uh);
	return FW_PARSE_DNS;
}

static __always_inline int fw_parse_tcp(void *data, void *end, struct fw_pkt *pkt, __u32 l3_end)
{
	struct tcphdr *th = data + (pkt->l4_off & (FW_MAX_L4_OFF - 1));
	__u32 payload, plen;
	__u8 *prefix;

	if ((void *)(th + 1) > end)
		return FW_CNT_NOT_DNS;
	if (!fw_port_is_dns(bpf_ntohs(th->source)))
		return FW_CNT_NOT_DNS;
	payload = pkt->l4_off + th->doff * 4;
	if (th->doff < 5 || payload > l3_end)
		return FW_CNT_MAL_L3;
	plen = l3_end - payload;
	if (plen == 0)
		return FW_CNT_NOT_DNS; /* a bare ACK or FIN of a DNS connection */
	prefix = data + (payload & (2 * FW_MAX_L4_OFF - 1));
	if ((void *)(prefix + 2) > end)
		return FW_CNT_TCP_PARTIAL;
	if (plen < 2 || ((prefix[0] << 8) | prefix[1]) != plen - 2)
		return FW_CNT_TCP_PARTIAL;
	pkt->dns_off = payload + 2;
	pkt->dns_len = plen - 2;
	pkt->tcp = 1;
	return FW_PARSE_DNS;
}

/* FW_PARSE_DNS with pkt filled in, or the counter that explains a pass. */
static __always_inline int fw_parse_packet(struct xdp_md *ctx, struct fw_pkt *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 off = sizeof(*eth), l3_end = 0;
	__u16 proto;
	int l4;

	if ((void *)(eth + 1) > end)
		return FW_CNT_NOT_DNS;
	proto = eth->h_proto;
	if (fw_parse_vlans(data, end, &off, &proto))
		return FW_CNT_NOT_DNS;
	pkt->l3_off = off;
	if (proto == bpf_htons(ETH_P_IP))
		l4 = fw_parse_ipv4(ctx, data, end, pkt, &l3_end);
	else if (proto == bpf_htons(ETH_P_IPV6))
		l4 = fw_parse_ipv6(ctx, data, end, pkt, &l3_end);
	else
		return FW_CNT_NOT_DNS;
	if (l4 < 0)
		return -l4;
	if (l4 == IPPROTO_UDP)
		return fw_parse_udp(data, end, pkt, l3_end);
	if (l4 == IPPROTO_TCP)
		return fw_parse_tcp(data, end, pkt, l3_end);
	return FW_CNT_NOT_DNS;
}

#endif /* FW_PKT_PARSE_H */
