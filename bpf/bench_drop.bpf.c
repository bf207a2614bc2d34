// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The floor for make bench-peers: an XDP program that drops every frame. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int trivial_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}
