/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Prometheus metrics in the text exposition format, written for the
 * node-exporter textfile collector (fluxwall.prom) or printed once by
 * `fluxwall stats --prom`.
 *
 * Cardinality is fixed: labels take values from small closed sets (action,
 * reason, kind, le), except the optional top-N score gauge, whose N is at
 * most FW_TOP_N.
 */
#ifndef FW_TEXTFILE_H
#define FW_TEXTFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "formats/dns_name.h"
#include "fluxwall_abi.h"

#define FW_TEXTFILE_NAME "fluxwall.prom"
#define FW_TOP_N	 10

/* Block-list sizes by where the entries came from. */
enum fw_list_kind {
	FW_LIST_KIND_MANUAL,
	FW_LIST_KIND_FEED,
	FW_LIST_KIND_AUTO,
	FW_LIST_KIND_ALLOW,
	FW_LIST_KIND_MAX,
};

/*
 * Scorer latency histogram, in seconds. Bucket i counts observations
 * <= fw_latency_bounds[i] and above the previous bound (not cumulative);
 * the last bucket is everything above the largest bound (+Inf).
 */
#define FW_LATENCY_BOUNDS 16
extern const double fw_latency_bounds[FW_LATENCY_BOUNDS];

struct fw_latency_hist {
	uint64_t bucket[FW_LATENCY_BOUNDS + 1];
	uint64_t count;
	double sum_seconds;
};

void fw_latency_observe(struct fw_latency_hist *h, double seconds);

/* Why a flux verdict was not turned into a block; each is also an alert event. */
enum fw_refusal {
	FW_REFUSAL_ALLOWLISTED,
	FW_REFUSAL_PROTECTED,
	FW_REFUSAL_RATE_LIMITED,
	FW_REFUSAL_UNBLOCKABLE,
	FW_REFUSAL_MAX,
};

struct fw_top_entry {
	char name[FW_NAME_TEXT_MAX + 2];
	double score;
};

#define FW_METRICS_RPZ_ZONES 8

struct fw_metrics_rpz {
	char zone[256];
	int have_serial;
	uint32_t serial;
	uint64_t axfr, ixfr, failures;
};

/* The fleet's side (fleet/fleet.h fills it). */
struct fw_metrics_fleet {
	int publishing;
	uint64_t queue, published, publish_errors;
	unsigned nsubs;
	struct fw_metrics_rpz sub[FW_METRICS_RPZ_ZONES];
};

struct fw_metrics {
	const char *version;	       /* build_info label; NULL: "unknown" */
	uint64_t counters[FW_CNT_MAX]; /* fw_stats summed over CPUs */
	uint64_t list_size[FW_LIST_KIND_MAX];
	uint64_t tracked_domains;
	uint64_t auto_blocks_total;		 /* since the daemon started */
	uint64_t expiries_total;		 /* since the daemon started */
	uint64_t refusals_total[FW_REFUSAL_MAX]; /* since the daemon started */
	struct fw_latency_hist scorer_latency;
	unsigned top_count; /* entries used in top[], highest score first */
	struct fw_top_entry top[FW_TOP_N];
	struct fw_metrics_fleet fleet;
};

/* Write the exposition text. Returns 0, or -1 when the stream failed. */
int fw_textfile_render(const struct fw_metrics *m, FILE *out);

/*
 * Replace dir/fluxwall.prom atomically: write a hidden temp file in dir
 * (the collector only reads *.prom), fsync it, rename it over the old file
 * and fsync the directory. The file is mode 0644 so node-exporter, running
 * as another user, can read it. On error nothing is left behind and err
 * names the directory and the fix.
 */
int fw_textfile_write(const char *dir, const struct fw_metrics *m, char *err, size_t errlen);

/* Write a Prometheus label value with \\, \" and \n escaped (no quotes). */
void fw_prom_escape_label(FILE *out, const char *value);

#endif /* FW_TEXTFILE_H */
