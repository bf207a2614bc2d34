// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Prometheus textfile exposition; see textfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/atomic_file.h"
#include "formats/printable.h"
#include "formats/textfile.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const double fw_latency_bounds[FW_LATENCY_BOUNDS] = {
    0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01,
    0.025,   0.05,    0.1,    0.25,   0.5,   1,	     2.5,   10,
};

/*
 * One row per fw_counter; rows sharing a family become one metric with a
 * label. A counter without a row is not exported, and test_textfile fails
 * until it gets one.
 */
struct counter_row {
	const char *family;
	const char *help;
	const char *label; /* NULL: the family has no label */
	const char *value;
};

static const struct counter_row counter_rows[FW_CNT_MAX] = {
    [FW_CNT_PACKETS] = {"fluxwall_packets_total", "Packets seen by the XDP program."},
    [FW_CNT_PASSED] = {"fluxwall_packets_passed_total", "Packets passed on to the network stack."},
    [FW_CNT_NOT_DNS] = {"fluxwall_packets_not_dns_total",
			"Packets that were not UDP or TCP from a DNS port; passed."},
    [FW_CNT_DNS_QUERIES] = {"fluxwall_dns_queries_total",
			    "DNS queries (QR=0) from a DNS port; passed."},
    [FW_CNT_DNS_OTHER] = {"fluxwall_dns_other_opcode_total",
			  "DNS messages with an opcode other than QUERY; passed."},
    [FW_CNT_DNS_RESPONSES] = {"fluxwall_dns_responses_total",
			      "DNS responses whose question parsed."},
    [FW_CNT_BLOCK_DROP] = {"fluxwall_blocked_total", "Responses blocked, by action taken.",
			   "action", "drop"},
    [FW_CNT_BLOCK_NXDOMAIN] = {"fluxwall_blocked_total", "Responses blocked, by action taken.",
			       "action", "nxdomain"},
    [FW_CNT_BLOCK_MANUAL] = {"fluxwall_blocked_by_reason_total",
			     "Responses blocked, by origin of the matching rule.", "reason",
			     "manual"},
    [FW_CNT_BLOCK_FEED] = {"fluxwall_blocked_by_reason_total",
			   "Responses blocked, by origin of the matching rule.", "reason", "feed"},
    [FW_CNT_BLOCK_AUTO] = {"fluxwall_blocked_by_reason_total",
			   "Responses blocked, by origin of the matching rule.", "reason", "auto"},
    [FW_CNT_ALLOWED] = {"fluxwall_allowlisted_total",
			"Responses passed because an allow rule won over a block rule."},
    [FW_CNT_FRAGMENTS] = {"fluxwall_fragments_passed_total", "IP fragments passed untouched."},
    [FW_CNT_TCP_PARTIAL] = {"fluxwall_tcp_partial_passed_total",
			    "TCP segments without a whole DNS message; passed."},
    [FW_CNT_NXDOMAIN_FAILED] = {"fluxwall_nxdomain_rewrite_failed_total",
				"NXDOMAIN rewrites that were impossible; dropped instead."},
    [FW_CNT_MAL_L3] = {"fluxwall_malformed_total", "Malformed packets, by reason.", "reason", "l3"},
    [FW_CNT_MAL_UDP_LENGTH] = {"fluxwall_malformed_total", "Malformed packets, by reason.",
			       "reason", "udp_length"},
    [FW_CNT_MAL_SHORT] = {"fluxwall_malformed_total", "Malformed packets, by reason.", "reason",
			  "short_header"},
    [FW_CNT_MAL_QDCOUNT] = {"fluxwall_malformed_total", "Malformed packets, by reason.", "reason",
			    "qdcount"},
    [FW_CNT_MAL_LABEL] = {"fluxwall_malformed_total", "Malformed packets, by reason.", "reason",
			  "label"},
    [FW_CNT_MAL_POINTER] = {"fluxwall_malformed_total", "Malformed packets, by reason.", "reason",
			    "pointer"},
    [FW_CNT_MAL_NAME_LEN] = {"fluxwall_malformed_total", "Malformed packets, by reason.", "reason",
			     "name_length"},
    [FW_CNT_MAL_TRUNCATED] = {"fluxwall_malformed_total", "Malformed packets, by reason.", "reason",
			      "truncated"},
    [FW_CNT_MAL_RECORDS] = {"fluxwall_malformed_total", "Malformed packets, by reason.", "reason",
			    "records"},
    [FW_CNT_SAMPLES_SENT] = {"fluxwall_samples_sent_total", "Response samples sent to the scorer."},
    [FW_CNT_SAMPLES_SUPPRESSED] = {"fluxwall_samples_suppressed_total",
				   "Samples skipped because the answer set was unchanged."},
    [FW_CNT_SAMPLES_LOST] = {"fluxwall_samples_lost_total",
			     "Samples lost because the ring buffer was full."},
    [FW_CNT_SAMPLES_UNTRUSTED] = {"fluxwall_samples_untrusted_total",
				  "Responses not sampled: source is not a trusted resolver."},
};

static const char *const list_kind_label[FW_LIST_KIND_MAX] = {
    [FW_LIST_KIND_MANUAL] = "manual",
    [FW_LIST_KIND_FEED] = "feed",
    [FW_LIST_KIND_AUTO] = "auto",
    [FW_LIST_KIND_ALLOW] = "allow",
};

void fw_latency_observe(struct fw_latency_hist *h, double seconds)
{
	size_t i = 0;

	while (i < FW_LATENCY_BOUNDS && seconds > fw_latency_bounds[i])
		i++;
	h->bucket[i]++;
	h->count++;
	h->sum_seconds += seconds;
}

void fw_prom_escape_label(FILE *out, const char *value)
{
	for (; *value; value++) {
		if (*value == '\\')
			fputs("\\\\", out);
		else if (*value == '"')
			fputs("\\\"", out);
		else if (*value == '\n')
			fputs("\\n", out);
		else
			putc(*value, out);
	}
}

/* Prometheus float text: Go's ParseFloat reads %.15g, NaN and +Inf. */
static void put_float(FILE *out, double v)
{
	if (isnan(v))
		fputs("NaN", out);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", out);
	else
		fprintf(out, "%.15g", v);
}

static void put_header(FILE *out, const char *family, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", family, help, family, type);
}

static void put_labelled(FILE *out, const char *family, const char *label, const char *value)
{
	fputs(family, out);
	if (label) {
		fprintf(out, "{%s=\"", label);
		fw_prom_escape_label(out, value);
		fputs("\"}", out);
	}
}

static bool same_family(size_t a, size_t b)
{
	return counter_rows[a].family && counter_rows[b].family &&
	       strcmp(counter_rows[a].family, counter_rows[b].family) == 0;
}

/* One family: its header, then every counter of it, wherever in the enum. */
static void render_family(const struct fw_metrics *m, size_t first, FILE *out)
{
	const struct counter_row *r = &counter_rows[first];
	size_t i;

	put_header(out, r->family, "counter", r->help);
	for (i = first; i < ARRAY_SIZE(counter_rows); i++) {
		if (!same_family(first, i))
			continue;
		put_labelled(out, r->family, counter_rows[i].label, counter_rows[i].value);
		fprintf(out, " %" PRIu64 "\n", m->counters[i]);
	}
}

/* The exposition format wants each family once, with all its samples together. */
static void render_counters(const struct fw_metrics *m, FILE *out)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(counter_rows); i++) {
		if (!counter_rows[i].family)
			continue;
		for (j = 0; j < i && !same_family(i, j); j++)
			;
		if (j == i)
			render_family(m, i, out);
	}
}

static const char *const refusal_label[FW_REFUSAL_MAX] = {
    [FW_REFUSAL_ALLOWLISTED] = "allowlisted",
    [FW_REFUSAL_PROTECTED] = "protected",
    [FW_REFUSAL_RATE_LIMITED] = "rate_limited",
    [FW_REFUSAL_UNBLOCKABLE] = "unblockable",
};

/* A rate_limited refusal is the alert of an auto-block flood. */
static void render_refusals(const struct fw_metrics *m, FILE *out)
{
	size_t k;

	put_header(out, "fluxwall_auto_block_refusals_total", "counter",
		   "Flux verdicts not turned into a block since the daemon started, by reason; "
		   "each is also an alert event.");
	for (k = 0; k < FW_REFUSAL_MAX; k++) {
		put_labelled(out, "fluxwall_auto_block_refusals_total", "reason", refusal_label[k]);
		fprintf(out, " %" PRIu64 "\n", m->refusals_total[k]);
	}
}

static void render_lists(const struct fw_metrics *m, FILE *out)
{
	size_t k;

	put_header(out, "fluxwall_blocklist_entries", "gauge",
		   "Rules in the block and allow lists, by source kind.");
	for (k = 0; k < FW_LIST_KIND_MAX; k++) {
		put_labelled(out, "fluxwall_blocklist_entries", "kind", list_kind_label[k]);
		fprintf(out, " %" PRIu64 "\n", m->list_size[k]);
	}
	put_header(out, "fluxwall_tracked_domains", "gauge",
		   "Domains the scorer currently tracks.");
	fprintf(out, "fluxwall_tracked_domains %" PRIu64 "\n", m->tracked_domains);
	put_header(out, "fluxwall_auto_blocks_total", "counter",
		   "Names auto-blocked by the scorer since the daemon started.");
	fprintf(out, "fluxwall_auto_blocks_total %" PRIu64 "\n", m->auto_blocks_total);
	put_header(out, "fluxwall_expiries_total", "counter",
		   "Auto entries removed at expiry since the daemon started.");
	fprintf(out, "fluxwall_expiries_total %" PRIu64 "\n", m->expiries_total);
	render_refusals(m, out);
}

static void render_latency(const struct fw_latency_hist *h, FILE *out)
{
	const char *fam = "fluxwall_scorer_duration_seconds";
	uint64_t cumulative = 0;
	size_t i;

	put_header(out, fam, "histogram", "Time the scorer took per scoring run.");
	for (i = 0; i < FW_LATENCY_BOUNDS; i++) {
		cumulative += h->bucket[i];
		fprintf(out, "%s_bucket{le=\"", fam);
		put_float(out, fw_latency_bounds[i]);
		fprintf(out, "\"} %" PRIu64 "\n", cumulative);
	}
	/* +Inf equals _count by definition, whatever the buckets say. */
	fprintf(out, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", fam, h->count);
	fprintf(out, "%s_sum ", fam);
	put_float(out, h->sum_seconds);
	fprintf(out, "\n%s_count %" PRIu64 "\n", fam, h->count);
}

static void render_top(const struct fw_metrics *m, FILE *out)
{
	unsigned n = m->top_count < FW_TOP_N ? m->top_count : FW_TOP_N;
	char text[FW_PRINTABLE_MAX];
	unsigned i;

	if (!n)
		return; /* an empty family is legal but confuses some parsers */
	put_header(out, "fluxwall_top_domain_score", "gauge",
		   "Highest current flux scores; rank 1 is the highest.");
	for (i = 0; i < n; i++) {
		fprintf(out, "fluxwall_top_domain_score{rank=\"%u\",name=\"", i + 1);
		/* label values must be UTF-8: a name may be any bytes */
		fw_prom_escape_label(out, fw_printable(m->top[i].name, text, sizeof(text)));
		fputs("\"} ", out);
		put_float(out, m->top[i].score);
		putc('\n', out);
	}
}

static void render_rpz_zone(const struct fw_metrics_rpz *z, FILE *out)
{
	if (z->have_serial) {
		put_labelled(out, "fluxwall_rpz_serial", "zone", z->zone);
		fprintf(out, " %u\n", z->serial);
	}
	fputs("fluxwall_rpz_transfers_total{zone=\"", out);
	fw_prom_escape_label(out, z->zone);
	fprintf(out, "\",kind=\"axfr\"} %" PRIu64 "\n", z->axfr);
	fputs("fluxwall_rpz_transfers_total{zone=\"", out);
	fw_prom_escape_label(out, z->zone);
	fprintf(out, "\",kind=\"ixfr\"} %" PRIu64 "\n", z->ixfr);
	put_labelled(out, "fluxwall_rpz_failures", "zone", z->zone);
	fprintf(out, " %" PRIu64 "\n", z->failures);
}

static void render_fleet(const struct fw_metrics_fleet *f, FILE *out)
{
	unsigned i;

	if (f->nsubs) {
		put_header(out, "fluxwall_rpz_serial", "gauge",
			   "Serial of the subscribed zone's version in force.");
		put_header(out, "fluxwall_rpz_transfers_total", "counter",
			   "Zone transfers applied, by kind.");
		put_header(out, "fluxwall_rpz_failures", "gauge",
			   "Refreshes of the zone that failed in a row; 0 when the last worked.");
		for (i = 0; i < f->nsubs && i < FW_METRICS_RPZ_ZONES; i++)
			render_rpz_zone(&f->sub[i], out);
	}
	if (!f->publishing)
		return;
	put_header(out, "fluxwall_rpz_publish_queue", "gauge",
		   "Updates waiting for the fleet primary (kept on disk).");
	fprintf(out, "fluxwall_rpz_publish_queue %" PRIu64 "\n", f->queue);
	put_header(out, "fluxwall_rpz_published_total", "counter",
		   "Adds and deletes the fleet primary took since the daemon started.");
	fprintf(out, "fluxwall_rpz_published_total %" PRIu64 "\n", f->published);
	put_header(out, "fluxwall_rpz_publish_errors_total", "counter",
		   "Failed attempts to send updates since the daemon started.");
	fprintf(out, "fluxwall_rpz_publish_errors_total %" PRIu64 "\n", f->publish_errors);
}

static void render_build_info(const struct fw_metrics *m, FILE *out)
{
	put_header(out, "fluxwall_build_info", "gauge",
		   "Always 1; the version label says which fluxwall wrote the file.");
	put_labelled(out, "fluxwall_build_info", "version", m->version ? m->version : "unknown");
	fputs(" 1\n", out);
}

int fw_textfile_render(const struct fw_metrics *m, FILE *out)
{
	render_counters(m, out);
	render_lists(m, out);
	render_latency(&m->scorer_latency, out);
	render_top(m, out);
	render_fleet(&m->fleet, out);
	render_build_info(m, out);
	return ferror(out) ? -1 : 0;
}

static int render_fill(FILE *f, void *m)
{
	return fw_textfile_render(m, f);
}

int fw_textfile_write(const char *dir, const struct fw_metrics *m, char *err, size_t errlen)
{
	char dst[PATH_MAX];

	if (snprintf(dst, sizeof(dst), "%s/" FW_TEXTFILE_NAME, dir) >= (int)sizeof(dst)) {
		snprintf(err, errlen, "textfile directory path is too long: %.64s...", dir);
		return -1;
	}
	if (!fw_file_replace(dst, 0644, render_fill, (void *)m))
		return 0;
	if (errno == ENOENT || errno == EACCES || errno == EROFS)
		snprintf(err, errlen, "cannot create a file in textfile directory %s: %s; %s", dir,
			 strerror(errno),
			 errno == ENOENT ? "create it or set textfile_dir in fluxwall.conf"
					 : "check its permissions or set textfile_dir");
	else
		snprintf(err, errlen, "cannot write %s: %s; check free space and permissions", dst,
			 strerror(errno));
	return -1;
}
