/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Map definitions of the XDP program; layouts come from fluxwall_abi.h. */
#ifndef FW_MAPS_H
#define FW_MAPS_H

#include "fluxwall_abi.h"
#include "scratch.h"

/* Rules by name key. No prealloc: memory follows the rules actually stored. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FW_DEFAULT_CAPACITY);
	__type(key, struct fw_key);
	__type(value, struct fw_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fw_rules SEC(".maps");

/* One-hash Bloom filter in front of fw_rules; userspace mmaps it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, FW_DEFAULT_CAPACITY / 4);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fw_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fw_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fw_config SEC(".maps");

/* Source ports treated as DNS: a bitmap, word port / 64, bit port % 64. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FW_PORT_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fw_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fw_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fw_stats SEC(".maps");

/* Samples for the daemon. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FW_RINGBUF_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fw_samples SEC(".maps");

/*
 * The last sampled answer set per (name, qtype); bounds ring-buffer traffic.
 * An array, not an LRU hash: its lookup is inlined and takes no lock, and a
 * key that lands on a taken slot only costs an extra sample.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FW_SEEN_ENTRIES);
	__type(key, __u32);
	__type(value, struct fw_seen_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fw_seen SEC(".maps");

/* Resolvers whose responses feed the scorer. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FW_TRUSTED_ENTRIES);
	__type(key, struct fw_addr);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fw_trusted SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fw_scratch);
} fw_scratch_map SEC(".maps");

#endif /* FW_MAPS_H */
