// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Open the skeleton with maps pinned under one bpffs directory. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fluxwall.skel.h"
#include "dataplane/prog_load.h"
#include "fluxwall_abi.h"

static uint32_t round_up_pow2(uint32_t v)
{
	uint32_t p = 1;

	while (p < v && p < (1u << 31))
		p <<= 1;
	return p;
}

/* Filter words for a capacity: 16 bits per rule keeps false positives near 6%. */
uint32_t fw_filter_words(uint32_t capacity)
{
	uint32_t words = round_up_pow2(capacity) / 4;

	return words < 64 ? 64 : words;
}

int fw_check_bpffs(const char *pin_path, char *err, size_t errlen)
{
	char parent[4096];
	struct statfs sfs;
	char *slash;

	snprintf(parent, sizeof(parent), "%s", pin_path);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (statfs(parent, &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		snprintf(err, errlen,
			 "%s is not on a bpffs; mount one with 'mount -t bpf bpf /sys/fs/bpf' or "
			 "choose another --pin-path",
			 parent);
		return -1;
	}
	if (mkdir(pin_path, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create pin directory %s: %s", pin_path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* max_entries of a map already pinned at pin_path/name, or 0. */
static uint32_t pinned_max_entries(const char *pin_path, const char *name)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_path, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.max_entries = 0;
	close(fd);
	return info.max_entries;
}

/*
 * fw_seen only caches what was last sampled, so a pin left by a version
 * whose table had another layout is removed rather than refused: the next
 * load makes a new one and loses nothing but a few suppressed samples.
 */
static void drop_stale_seen(const char *pin_path)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	char path[4096];
	int fd, stale;

	snprintf(path, sizeof(path), "%s/%s", pin_path, FW_MAP_SEEN);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	stale = !bpf_obj_get_info_by_fd(fd, &info, &len) &&
		(info.type != BPF_MAP_TYPE_ARRAY || info.key_size != sizeof(__u32) ||
		 info.value_size != sizeof(struct fw_seen_slot) ||
		 info.max_entries != FW_SEEN_ENTRIES);
	close(fd);
	if (stale)
		unlink(path);
}

static void load_error(const char *pin_path, int ret, char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "the kernel refused the XDP program or its maps under %s (%s); "
		 "if the maps were made by another fluxwall version, run "
		 "'fluxwall detach --purge'",
		 pin_path, strerror(-ret));
}

int fw_prog_open(const char *pin_path, uint32_t capacity, int load, struct fluxwall **out,
		 char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_path);
	uint32_t rules = pinned_max_entries(pin_path, FW_MAP_RULES);
	uint32_t words = pinned_max_entries(pin_path, FW_MAP_FILTER);
	struct fluxwall *skel;
	int ret;

	if (fw_check_bpffs(pin_path, err, errlen))
		return -1;
	drop_stale_seen(pin_path);
	if (!rules)
		rules = capacity ? capacity : FW_DEFAULT_CAPACITY;
	if (!words)
		words = fw_filter_words(rules);

	skel = fluxwall__open_opts(&opts);
	if (!skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	bpf_map__set_max_entries(skel->maps.fw_rules, rules);
	bpf_map__set_max_entries(skel->maps.fw_filter, words);
	if (load) {
		ret = fluxwall__load(skel);
		if (ret) {
			load_error(pin_path, ret, err, errlen);
			fluxwall__destroy(skel);
			return -1;
		}
	}
	*out = skel;
	return 0;
}

int fw_prog_open_frags(const char *pin_path, uint32_t capacity, struct fluxwall **out, char *err,
		       size_t errlen)
{
	struct bpf_program *prog;
	int ret;

	if (fw_prog_open(pin_path, capacity, 0, out, err, errlen))
		return -1;
	prog = (*out)->progs.fluxwall_xdp;
	bpf_program__set_flags(prog, bpf_program__flags(prog) | BPF_F_XDP_HAS_FRAGS);
	ret = fluxwall__load(*out);
	if (ret) {
		load_error(pin_path, ret, err, errlen);
		fluxwall__destroy(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int quiet_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (!getenv("FLUXWALL_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, args);
}

void fw_prog_quiet_logs(void)
{
	libbpf_set_print(quiet_log);
}
