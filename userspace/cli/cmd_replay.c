// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fluxwall replay FILE.pcap: every packet goes through the real XDP program
 * with BPF_PROG_TEST_RUN, its samples through the same scorer as `run`, with
 * time taken from the capture. Domains the scorer blocks are put in the
 * program's maps, so later responses for them are dropped as they would be
 * on a gateway. Maps live in a private pin directory removed at exit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine_setup.h"
#include "engine/explain.h"
#include "formats/json_out.h"
#include "engine/name_table.h"
#include "formats/pcap_frames.h"
#include "formats/printable.h"
#include "dataplane/rule_sync.h"
#include "dataplane/sample_decode.h"
#include "dataplane/sandbox.h"

struct dstat {
	struct fw_ntab_node node;
	char domain[256];
	uint64_t first_seen, blocked_at;
	uint32_t responses, responses_at_block, sets_at_block, max_sets;
	double score, max_score; /* at block time, and the highest seen */
	char reason[256];
	char *explanation; /* `explain` text at block time: the window moves on */
	int blocked;
	int flux;	      /* judged flux, blocked or not (allowlisted, rate limited) */
	char refusal[64]; /* why a flux verdict was not a block, "" when it was */
	struct dstat *next_all;
};

struct replay {
	struct fw_opts *o;
	struct fw_sandbox sb;
	struct fw_maps maps;
	struct fw_state blocks;
	struct fw_detector *det;
	struct fw_geo *geo;
	struct fw_ntab stats;
	struct dstat *all;
	char trace[256]; /* registered domain to trace, "" for none */
	uint64_t now_ns, packets, responses, samples, decode_errors;
	uint64_t refused, skipped; /* frames the kernel refused; frames not runnable */
	int failed;
};

/* The largest frame a capture can hold whole: an IP datagram and its link header. */
#define FRAME_MAX (65535 + 64)

static const char *dstat_name(const struct fw_ntab_node *n)
{
	return ((const struct dstat *)n)->domain;
}

static struct dstat *dstat_get(struct replay *r, const char *domain)
{
	uint64_t h = fw_ntab_hash(&r->stats, domain);
	struct fw_ntab_node *n = fw_ntab_find(&r->stats, domain, h);
	struct dstat *d;

	if (n)
		return (struct dstat *)n;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	snprintf(d->domain, sizeof(d->domain), "%s", domain);
	d->first_seen = r->now_ns;
	fw_ntab_insert(&r->stats, &d->node, h);
	d->next_all = r->all;
	r->all = d;
	return d;
}

/* Put the domain in the program's block map, as `run` would. */
static int block_domain(struct replay *r, const struct fw_detection *det)
{
	struct fw_entry e = {.name = (char *)det->domain,
			     .source = "auto",
			     .reason = (char *)det->reason,
			     .added = r->now_ns / 1000000000,
			     .expires = det->expires_ns / 1000000000,
			     .score = det->result.score,
			     .list = FW_LIST_BLOCK,
			     .origin = FW_ORIGIN_AUTO};
	struct fw_state next;
	char err[512];

	if (fw_state_clone(&r->blocks, &next) || fw_state_add(&next, &e))
		return -1;
	if (fw_sync_maps(&r->maps, &r->blocks, &next, 0, err, sizeof(err))) {
		fw_err("%s", err);
		fw_state_free(&next);
		return -1;
	}
	fw_state_free(&r->blocks);
	r->blocks = next;
	return 0;
}

/* Features move with every new answer set: keep the peak for the report. */
static void note_score(struct replay *r, struct dstat *d, const struct fw_detection *det)
{
	struct fw_features f;

	if (det->domain[0] && det->result.score > d->max_score)
		d->max_score = det->result.score;
	if (!fw_domstate_features(fw_detector_state(r->det), d->domain, r->now_ns, &f) &&
	    f.n_answer_sets > d->max_sets)
		d->max_sets = f.n_answer_sets;
}

static void note_block(struct replay *r, struct dstat *d, const struct fw_detection *det)
{
	d->blocked = 1;
	d->blocked_at = r->now_ns;
	d->responses_at_block = d->responses;
	d->sets_at_block = d->max_sets;
	d->score = det->result.score;
	snprintf(d->reason, sizeof(d->reason), "%s", det->reason);
	d->explanation = fw_detector_explain_string(r->det, det->domain, r->now_ns, false);
}

/* --trace: one line per scored response of the traced domain. */
static void trace_score(struct replay *r, const struct dstat *d, const struct fw_detection *det)
{
	const char *key = det->scored[0] ? det->scored : det->domain;
	char reason[256], dom[FW_PRINTABLE_MAX], text[FW_PRINTABLE_MAX];
	struct fw_features f;

	if (!r->trace[0] || (strcmp(r->trace, "*") && strcmp(r->trace, d->domain)) ||
	    fw_domstate_features(fw_detector_state(r->det), key, r->now_ns, &f))
		return;
	if (r->o->json) { /* JSON lines on stderr, as `explain --json` without evidence */
		fw_explain_json_file(stderr, key, &f, &det->result, NULL, NULL);
		return;
	}
	fw_score_reason(&det->result, reason, sizeof(reason));
	printf("trace %s +%.0fs %s: sets %u, IPs %u, ASNs %u, countries %u (%.1f effective), "
	       "continents %u, rotation %.2f: %s%s\n",
	       fw_printable(d->domain, dom, sizeof(dom)), (r->now_ns - d->first_seen) / 1e9,
	       fw_printable(key, text, sizeof(text)), f.n_answer_sets, f.n_ips, f.n_asns,
	       f.n_countries, f.eff_countries, f.n_continents, f.rotation, reason,
	       det->decision == FW_AB_BLOCK ? " -> BLOCK" : "");
}

static void act_on(struct replay *r, struct dstat *d, const struct fw_detection *det)
{
	if (det->decision == FW_AB_NONE || det->decision == FW_AB_REFRESH)
		return;
	d->flux = 1;
	if (det->decision != FW_AB_BLOCK) {
		if (!d->blocked)
			snprintf(d->refusal, sizeof(d->refusal), "%s",
				 fw_ab_decision_name(det->decision));
		return;
	}
	d->refusal[0] = '\0';
	if (block_domain(r, det))
		r->failed = 1;
	else
		note_block(r, d, det);
}

static int score_sample(struct replay *r, const struct fw_sample *s)
{
	struct fw_detection det;
	struct fw_obs obs;
	struct dstat *d;
	char domain[256];
	int got;

	r->samples++;
	if (fw_sample_decode(s, r->now_ns, &obs) != FW_DECODE_OK) {
		r->decode_errors++;
		return 0;
	}
	d = dstat_get(r, fw_detector_regdomain(r->det, obs.qname, domain, sizeof(domain)));
	if (!d)
		return -ENOMEM;
	d->responses++;
	got = fw_detector_observe(r->det, &obs, &det);
	if (got >= 0)
		note_score(r, d, &det);
	if (got >= 0 && det.domain[0])
		trace_score(r, d, &det);
	if (got == 1)
		act_on(r, d, &det);
	while (fw_detector_pending(r->det, &det)) {
		d = dstat_get(r, det.domain);
		if (!d)
			return -ENOMEM;
		act_on(r, d, &det);
	}
	return 0;
}

static void on_sample(void *ctx, const struct fw_sample *s)
{
	struct replay *r = ctx;

	if (score_sample(r, s))
		r->failed = 1;
}

/* 0, or -errno: -EINVAL for a frame the kernel will not run. */
static int run_frame(struct replay *r, const uint8_t *frame, size_t len)
{
	struct fw_sandbox_run run = {.in = frame, .in_len = len};
	int res = fw_sandbox_run(&r->sb, &run);

	if (!res)
		r->packets++;
	return res;
}

static int setup(struct replay *r, char *err, size_t errlen)
{
	struct fw_detector_params p;
	struct fw_config cfg;
	char note[512];

	/* Every response is sampled: the capture's clock, not the kernel's, is time here. */
	if (fw_sandbox_open(&r->sb, "fluxwall-replay", 65536, err, errlen) ||
	    fw_sandbox_sample_all(&r->sb, err, errlen) ||
	    fw_sandbox_on_sample(&r->sb, on_sample, r, err, errlen) ||
	    fw_maps_open(&r->maps, r->sb.pin, 0, 0, err, errlen) ||
	    fw_maps_get_config(&r->maps, &cfg))
		return -1;
	cfg.default_action = FW_ACT_DROP;
	if (fw_maps_set_config(&r->maps, &cfg))
		return -1;
	r->geo = fw_engine_geo(r->o->conf, note, sizeof(note), err, errlen);
	if (!r->geo)
		return -1;
	if (!r->o->json)
		fprintf(stderr, "fluxwall: geo: %s\n", note);
	fw_engine_params(r->o->conf, &p);
	p.mode = r->o->score && !strcmp(r->o->score, "holz") ? FW_SCORE_HOLZ : FW_SCORE_FLUXWALL;
	r->det = fw_detector_new(&p, r->geo, NULL, NULL, err, errlen);
	if (!r->det || fw_ntab_init(&r->stats, 1024, dstat_name))
		return -1;
	return 0;
}

static void print_domain_json(struct replay *r, struct fw_json *j, const struct dstat *d)
{
	fw_json_obj_begin(j);
	fw_json_kv_str(j, "domain", d->domain);
	fw_json_kv_bool(j, "flux", d->flux);
	fw_json_kv_bool(j, "blocked", d->blocked);
	if (d->refusal[0])
		fw_json_kv_str(j, "not_blocked_because", d->refusal);
	fw_json_kv_double(j, "score", d->blocked ? d->score : d->max_score);
	fw_json_kv_double(j, "max_score", d->max_score);
	fw_json_kv_str(j, "reason", d->reason);
	fw_json_kv_uint(j, "responses", d->responses);
	fw_json_kv_uint(j, "answer_sets", d->max_sets);
	fw_json_kv_double(j, "first_seen", d->first_seen / 1e9);
	fw_json_key(j, "blocked_at");
	if (d->blocked)
		fw_json_double(j, d->blocked_at / 1e9);
	else
		fw_json_null(j);
	fw_json_key(j, "responses_at_block");
	if (d->blocked)
		fw_json_uint(j, d->responses_at_block);
	else
		fw_json_null(j);
	fw_json_key(j, "answer_sets_at_block");
	if (d->blocked)
		fw_json_uint(j, d->sets_at_block);
	else
		fw_json_null(j);
	fw_json_obj_end(j);
}

static void report_json(struct replay *r)
{
	struct fw_json j;
	struct dstat *d;

	fw_json_init(&j, stdout);
	fw_json_obj_begin(&j);
	fw_json_kv_uint(&j, "packets", r->packets);
	fw_json_kv_uint(&j, "skipped", r->skipped);
	fw_json_kv_uint(&j, "responses", r->samples);
	fw_json_kv_uint(&j, "samples", r->samples);
	fw_json_kv_str(&j, "score", r->o->score ? r->o->score : "fluxwall");
	fw_json_key(&j, "domains");
	fw_json_arr_begin(&j);
	for (d = r->all; d; d = d->next_all)
		print_domain_json(r, &j, d);
	fw_json_arr_end(&j);
	fw_json_obj_end(&j);
	fputc('\n', stdout);
}

static void free_dstats(struct replay *r)
{
	struct dstat *d, *next;

	for (d = r->all; d; d = next) {
		next = d->next_all;
		free(d->explanation);
		free(d);
	}
	r->all = NULL;
}

static void report_text(struct replay *r)
{
	char text[FW_PRINTABLE_MAX];
	struct dstat *d;
	size_t blocked = 0, tracked = 0;

	for (d = r->all; d; d = d->next_all) {
		tracked++;
		if (!d->blocked) {
			if (d->flux)
				printf("FLUX %s, not blocked: %s\n\n",
				       fw_printable(d->domain, text, sizeof(text)), d->refusal);
			continue;
		}
		blocked++;
		printf("BLOCKED %s after %u responses, %u answer sets: %s\n",
		       fw_printable(d->domain, text, sizeof(text)), d->responses_at_block,
		       d->sets_at_block, d->reason);
		if (d->explanation)
			fputs(d->explanation, stdout);
		printf("\n");
	}
	printf("%lu packets, %lu samples, %zu domains, %zu blocked (%s score)\n",
	       (unsigned long)r->packets, (unsigned long)r->samples, tracked, blocked,
	       r->o->score ? r->o->score : "fluxwall");
}

int cmd_replay(struct fw_opts *o, int argc, char **argv)
{
	struct replay r = {.o = o};
	static uint8_t frame[FRAME_MAX];
	struct fw_pcap *pc;
	char err[1024], domain[256];
	size_t len;
	int got, ret = 1;

	if (argc != 1)
		return fw_usage_error(o, NULL);
	if (o->score && strcmp(o->score, "holz") && strcmp(o->score, "fluxwall")) {
		fw_err("--score must be fluxwall or holz, not '%s'", o->score);
		return 1;
	}
	if (fw_require_root("replay"))
		return 1;
	pc = fw_pcap_open(argv[0], err, sizeof(err));
	if (!pc) {
		fw_err("%s", err);
		return 1;
	}
	if (setup(&r, err, sizeof(err))) {
		fw_err("%s", err);
		goto out;
	}
	if (o->trace) /* "*": every domain */
		snprintf(r.trace, sizeof(r.trace), "%s",
			 strcmp(o->trace, "*")
			     ? fw_detector_regdomain(r.det, o->trace, domain, sizeof(domain))
			     : "*");
	while ((got = fw_pcap_next(pc, frame, sizeof(frame), &len, &r.now_ns)) == 1) {
		int res = run_frame(&r, frame, len);

		/* a frame the kernel will not run (EINVAL) is skipped, not fatal */
		if (res == -EINVAL) {
			r.refused++;
		} else if (res) {
			fw_err("BPF_PROG_TEST_RUN failed: %s", strerror(-res));
			goto out;
		}
	}
	if (got < 0)
		fw_err("%s: read error; the capture may be truncated", argv[0]);
	r.skipped = fw_pcap_skipped(pc) + r.refused;
	if (r.skipped && !o->json)
		fprintf(stderr,
			"fluxwall: %llu frame(s) skipped: shorter than an Ethernet header, over "
			"%zu bytes, or refused by the kernel\n",
			(unsigned long long)r.skipped, sizeof(frame));
	if (o->json)
		report_json(&r);
	else
		report_text(&r);
	ret = r.failed ? 1 : 0;
out:
	fw_pcap_close(pc);
	if (r.maps.rules_fd > 0)
		fw_maps_close(&r.maps);
	fw_sandbox_close(&r.sb);
	free_dstats(&r);
	return ret;
}
