/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* File descriptors of the maps pinned under the pin directory. */
#ifndef FW_PINNED_MAPS_H
#define FW_PINNED_MAPS_H

#include <stddef.h>
#include <stdint.h>

#include "fluxwall_abi.h"

#define FW_DEFAULT_PIN_PATH "/sys/fs/bpf/fluxwall"

struct fw_maps {
	char pin_path[4096];
	int rules_fd, filter_fd, config_fd, ports_fd, stats_fd;
	uint64_t *filter; /* fw_filter, mmapped */
	uint32_t filter_words;
	uint32_t capacity; /* max_entries of fw_rules */
	int created;	   /* the maps did not exist before this open */
};

/*
 * Open the pinned maps. When they are missing and create is set, load the
 * program once to create and pin them, and initialise the configuration
 * (random seed, drop as default action, source port 53).
 */
int fw_maps_open(struct fw_maps *m, const char *pin_path, uint32_t capacity, int create,
		 char *err, size_t errlen);
void fw_maps_close(struct fw_maps *m);

/* 1 when maps are pinned at pin_path. */
int fw_maps_exist(const char *pin_path);

/* Unpin every map; -1 if one could not be removed. */
int fw_maps_purge(const char *pin_path, char *err, size_t errlen);

int fw_maps_get_config(struct fw_maps *m, struct fw_config *cfg);
int fw_maps_set_config(struct fw_maps *m, const struct fw_config *cfg);

/* Counters summed over CPUs. */
/* The kernel's id of the rules map: what tells our program from another. */
uint32_t fw_maps_rules_id(struct fw_maps *m);

int fw_maps_read_counters(struct fw_maps *m, uint64_t out[FW_CNT_MAX]);
int fw_read_counters_fd(int stats_fd, uint64_t out[FW_CNT_MAX]);

/* Number of entries in fw_rules, by walking its keys (fw_config.names is quicker). */
long fw_maps_count_rules(struct fw_maps *m);

/* 1 when fw_rules holds at least one key. */
int fw_maps_has_rules(struct fw_maps *m);

int fw_maps_port_get(struct fw_maps *m, uint16_t port);

/* Make exactly these ports DNS source ports. */
int fw_maps_set_ports(struct fw_maps *m, const uint16_t *ports, unsigned n);

/* The DNS source ports, at most max of them; -1 on error. */
int fw_maps_get_ports(struct fw_maps *m, uint16_t *ports, unsigned max);
int fw_maps_port_set(struct fw_maps *m, uint16_t port, int on);

struct fw_conf_addrs;

/* Replace the trusted resolver set; an empty set trusts every source. */
int fw_maps_set_trusted(struct fw_maps *m, const struct fw_conf_addrs *addrs);

/* A new fd of the pinned sample ring buffer, or -1. */
int fw_maps_open_samples(struct fw_maps *m);

#endif /* FW_PINNED_MAPS_H */
