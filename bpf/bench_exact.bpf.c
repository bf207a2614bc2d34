// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The reference for make bench: the simplest exact-match DNS filter, the
 * design most published XDP DNS filters use. It copies the question name of
 * an IPv4 UDP response from port 53 byte by byte into a fixed 256-byte key
 * and drops the packet when one hash lookup finds the key. No VLANs, IPv6,
 * TCP, subtrees, allow rules or case folding: what fluxwall costs beyond it
 * pays for those.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "bench_exact.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FW_DEFAULT_CAPACITY);
	__type(key, struct fw_exact_key);
	__type(value, __u8);
} exact_names SEC(".maps");

/* The key is too big for the 512-byte stack next to everything else. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fw_exact_key);
} exact_scratch SEC(".maps");

/* The question name, copied up to its root byte; 0 when it does not fit. */
static __always_inline int exact_copy_name(struct fw_exact_key *k, __u8 *name, void *end)
{
	int i;

	__builtin_memset(k->name, 0, sizeof(k->name));
	for (i = 0; i < FW_EXACT_KEY; i++) {
		if ((void *)(name + i + 1) > end)
			return 0;
		k->name[i] = name[i];
		if (!name[i])
			return 1;
	}
	return 0;
}

SEC("xdp")
int exact_match(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct fw_exact_key *k;
	struct udphdr *uh;
	struct iphdr *iph;
	__u8 *dns;
	__u32 zero = 0;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > end || iph->protocol != IPPROTO_UDP || iph->ihl < 5)
		return XDP_PASS;
	uh = (void *)iph + iph->ihl * 4;
	if ((void *)(uh + 1) > end || uh->source != bpf_htons(53))
		return XDP_PASS;
	dns = (void *)(uh + 1);
	if ((void *)(dns + 12) > end || !(dns[2] & 0x80))
		return XDP_PASS;
	k = bpf_map_lookup_elem(&exact_scratch, &zero);
	if (!k || !exact_copy_name(k, dns + 12, end))
		return XDP_PASS;
	return bpf_map_lookup_elem(&exact_names, k) ? XDP_DROP : XDP_PASS;
}
