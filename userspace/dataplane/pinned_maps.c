// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Open, create, initialise and remove the pinned maps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/pinned_maps.h"
#include "dataplane/prog_load.h"
#include "fluxwall.skel.h"
#include "formats/conf.h"

/* The first five are opened by fw_maps_open; purge removes them all. */
static const char *const pinned_names[] = { FW_MAP_RULES,   FW_MAP_FILTER, FW_MAP_CONFIG,
					    FW_MAP_PORTS,   FW_MAP_STATS,  FW_MAP_SAMPLES,
					    FW_MAP_SEEN,    FW_MAP_TRUSTED };

static int open_pinned(const char *pin_path, const char *name)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", pin_path, name);
	return bpf_obj_get(path);
}

int fw_maps_exist(const char *pin_path)
{
	int fd = open_pinned(pin_path, FW_MAP_RULES);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int create_maps(const char *pin_path, uint32_t capacity, char *err, size_t errlen)
{
	struct fluxwall *skel;

	if (fw_prog_open(pin_path, capacity, 1, &skel, err, errlen))
		return -1;
	fluxwall__destroy(skel);
	return 0;
}

static uint32_t map_max_entries(int fd)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.max_entries;
}

static int init_config(struct fw_maps *m, char *err, size_t errlen)
{
	struct fw_config cfg;

	if (fw_maps_get_config(m, &cfg))
		goto fail;
	if (cfg.seed[0] || cfg.seed[1])
		return 0;
	if (getrandom(cfg.seed, sizeof(cfg.seed), 0) != sizeof(cfg.seed))
		goto fail;
	cfg.default_action = FW_ACT_DROP;
	cfg.filter_mask = m->filter_words - 1;
	if (fw_maps_set_config(m, &cfg) || fw_maps_port_set(m, 53, 1))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot initialise %s/%s: %s", m->pin_path, FW_MAP_CONFIG,
		 strerror(errno));
	return -1;
}

int fw_maps_open(struct fw_maps *m, const char *pin_path, uint32_t capacity, int create,
		 char *err, size_t errlen)
{
	int *fds[] = { &m->rules_fd, &m->filter_fd, &m->config_fd, &m->ports_fd, &m->stats_fd };
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 5; i++)
		*fds[i] = -1;
	snprintf(m->pin_path, sizeof(m->pin_path), "%s", pin_path);
	if (fw_check_bpffs(pin_path, err, errlen))
		return -1;
	if (!fw_maps_exist(pin_path)) {
		if (!create) {
			snprintf(err, errlen,
				 "no fluxwall maps are pinned under %s; run 'fluxwall attach IFACE' "
				 "or 'fluxwall block add NAME' first",
				 pin_path);
			return -1;
		}
		if (create_maps(pin_path, capacity, err, errlen))
			return -1;
		m->created = 1;
	}
	for (i = 0; i < 5; i++) {
		*fds[i] = open_pinned(pin_path, pinned_names[i]);
		if (*fds[i] < 0) {
			snprintf(err, errlen,
				 "map %s/%s is missing or unreadable (%s); run 'fluxwall detach "
				 "--purge' and attach again",
				 pin_path, pinned_names[i], strerror(errno));
			fw_maps_close(m);
			return -1;
		}
	}
	m->capacity = map_max_entries(m->rules_fd);
	m->filter_words = map_max_entries(m->filter_fd);
	m->filter = mmap(NULL, (size_t)m->filter_words * 8, PROT_READ | PROT_WRITE, MAP_SHARED,
			 m->filter_fd, 0);
	if (m->filter == MAP_FAILED) {
		m->filter = NULL;
		snprintf(err, errlen, "cannot map %s/%s: %s", pin_path, FW_MAP_FILTER,
			 strerror(errno));
		fw_maps_close(m);
		return -1;
	}
	if (init_config(m, err, errlen)) {
		fw_maps_close(m);
		return -1;
	}
	return 0;
}

void fw_maps_close(struct fw_maps *m)
{
	int fds[] = { m->rules_fd, m->filter_fd, m->config_fd, m->ports_fd, m->stats_fd };
	size_t i;

	if (m->filter)
		munmap(m->filter, (size_t)m->filter_words * 8);
	m->filter = NULL;
	for (i = 0; i < 5; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	m->rules_fd = m->filter_fd = m->config_fd = m->ports_fd = m->stats_fd = -1;
}

int fw_maps_purge(const char *pin_path, char *err, size_t errlen)
{
	char path[4200];
	size_t i;

	for (i = 0; i < sizeof(pinned_names) / sizeof(pinned_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_path, pinned_names[i]);
		if (unlink(path) && errno != ENOENT) {
			snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
			return -1;
		}
	}
	if (rmdir(pin_path) && errno != ENOENT && errno != ENOTEMPTY) {
		snprintf(err, errlen, "cannot remove %s: %s", pin_path, strerror(errno));
		return -1;
	}
	return 0;
}

int fw_maps_get_config(struct fw_maps *m, struct fw_config *cfg)
{
	uint32_t zero = 0;

	return bpf_map_lookup_elem(m->config_fd, &zero, cfg);
}

int fw_maps_set_config(struct fw_maps *m, const struct fw_config *cfg)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(m->config_fd, &zero, cfg, BPF_ANY);
}

int fw_maps_read_counters(struct fw_maps *m, uint64_t out[FW_CNT_MAX])
{
	return fw_read_counters_fd(m->stats_fd, out);
}

int fw_read_counters_fd(int stats_fd, uint64_t out[FW_CNT_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), c, i;
	struct fw_stats *per_cpu;
	uint32_t zero = 0;

	memset(out, 0, sizeof(uint64_t) * FW_CNT_MAX);
	if (ncpu <= 0)
		return -1;
	per_cpu = calloc(ncpu, sizeof(*per_cpu));
	if (!per_cpu)
		return -1;
	if (bpf_map_lookup_elem(stats_fd, &zero, per_cpu)) {
		free(per_cpu);
		return -1;
	}
	for (c = 0; c < ncpu; c++)
		for (i = 0; i < FW_CNT_MAX; i++)
			out[i] += per_cpu[c].c[i];
	free(per_cpu);
	return 0;
}

int fw_maps_has_rules(struct fw_maps *m)
{
	struct fw_key next;

	return !bpf_map_get_next_key(m->rules_fd, NULL, &next);
}

/* One key at a time: kernels without batch lookups for hash maps. */
static long count_by_keys(struct fw_maps *m)
{
	struct fw_key key, next;
	long n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(m->rules_fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

/* In batches: a walk of 10^6 keys one syscall each took most of `status`. */
long fw_maps_count_rules(struct fw_maps *m)
{
	enum { BATCH = 8192 };
	struct fw_key *keys = malloc(BATCH * sizeof(*keys));
	struct fw_rule *vals = malloc(BATCH * sizeof(*vals));
	__u64 in = 0, out = 0;
	void *pin = NULL;
	long n = 0;
	int err = 0;

	while (keys && vals) {
		__u32 count = BATCH;

		err = bpf_map_lookup_batch(m->rules_fd, pin, &out, keys, vals, &count, NULL);
		if (err && errno != ENOENT)
			break;
		n += count;
		if (err)
			break; /* ENOENT: that was the last batch */
		in = out;
		pin = &in;
	}
	free(keys);
	free(vals);
	if (!keys || !vals || (err && errno != ENOENT))
		return count_by_keys(m);
	return n;
}

int fw_maps_port_get(struct fw_maps *m, uint16_t port)
{
	uint32_t word = port >> 6;
	uint64_t bits = 0;

	if (bpf_map_lookup_elem(m->ports_fd, &word, &bits))
		return -1;
	return (bits >> (port & 63)) & 1;
}

int fw_maps_port_set(struct fw_maps *m, uint16_t port, int on)
{
	uint32_t word = port >> 6;
	uint64_t bits = 0;

	if (bpf_map_lookup_elem(m->ports_fd, &word, &bits))
		return -1;
	if (on)
		bits |= 1ULL << (port & 63);
	else
		bits &= ~(1ULL << (port & 63));
	return bpf_map_update_elem(m->ports_fd, &word, &bits, BPF_ANY);
}

static void addr_key(const struct fw_conf_addr *a, struct fw_addr *key)
{
	memset(key, 0, sizeof(*key));
	if (a->family == AF_INET6) {
		memcpy(key->a, a->addr, 16);
		return;
	}
	key->a[10] = 0xff;
	key->a[11] = 0xff;
	memcpy(key->a + 12, a->addr, 4);
}

static int is_wanted(const struct fw_addr *k, const struct fw_conf_addrs *addrs)
{
	struct fw_addr want;
	unsigned i;

	for (i = 0; i < addrs->n; i++) {
		addr_key(&addrs->a[i], &want);
		if (!memcmp(&want, k, sizeof(want)))
			return 1;
	}
	return 0;
}

static int remove_stale_trusted(int fd, const struct fw_conf_addrs *addrs)
{
	struct fw_addr keys[FW_TRUSTED_ENTRIES], cur;
	unsigned n = 0, i;
	void *prev = NULL;

	while (n < FW_TRUSTED_ENTRIES && !bpf_map_get_next_key(fd, prev, &keys[n])) {
		cur = keys[n++];
		prev = &cur;
	}
	for (i = 0; i < n; i++)
		if (!is_wanted(&keys[i], addrs) && bpf_map_delete_elem(fd, &keys[i]))
			return -1;
	return 0;
}

int fw_maps_set_trusted(struct fw_maps *m, const struct fw_conf_addrs *addrs)
{
	char path[4200];
	struct fw_config cfg;
	struct fw_addr key;
	uint8_t one = 1;
	unsigned i;
	int fd, ret = -1;

	snprintf(path, sizeof(path), "%s/%s", m->pin_path, FW_MAP_TRUSTED);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -1;
	/* Count first, so a shrinking set never trusts more than the old or new one. */
	if (fw_maps_get_config(m, &cfg))
		goto out;
	cfg.trusted_count = addrs->n;
	for (i = 0; i < addrs->n; i++) {
		addr_key(&addrs->a[i], &key);
		if (bpf_map_update_elem(fd, &key, &one, BPF_ANY))
			goto out;
	}
	if (fw_maps_set_config(m, &cfg))
		goto out;
	if (remove_stale_trusted(fd, addrs))
		goto out;
	ret = 0;
out:
	close(fd);
	return ret;
}

int fw_maps_open_samples(struct fw_maps *m)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", m->pin_path, FW_MAP_SAMPLES);
	return bpf_obj_get(path);
}

int fw_maps_set_ports(struct fw_maps *m, const uint16_t *ports, unsigned n)
{
	static uint64_t want[FW_PORT_WORDS];
	uint32_t w;
	unsigned i;

	memset(want, 0, sizeof(want));
	for (i = 0; i < n; i++)
		want[ports[i] >> 6] |= 1ULL << (ports[i] & 63);
	for (w = 0; w < FW_PORT_WORDS; w++) {
		uint64_t have = 0;

		if (bpf_map_lookup_elem(m->ports_fd, &w, &have))
			return -1;
		if (have != want[w] && bpf_map_update_elem(m->ports_fd, &w, &want[w], BPF_ANY))
			return -1;
	}
	return 0;
}

int fw_maps_get_ports(struct fw_maps *m, uint16_t *ports, unsigned max)
{
	unsigned n = 0;
	uint32_t w;

	for (w = 0; w < FW_PORT_WORDS; w++) {
		uint64_t bits = 0;
		int b;

		if (bpf_map_lookup_elem(m->ports_fd, &w, &bits))
			return -1;
		for (b = 0; b < 64 && bits; b++)
			if (bits & (1ULL << b) && n < max)
				ports[n++] = (uint16_t)(w * 64 + b);
	}
	return (int)n;
}

uint32_t fw_maps_rules_id(struct fw_maps *m)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(m->rules_fd, &info, &len))
		return 0;
	return info.id;
}
