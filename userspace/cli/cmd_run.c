// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fluxwall run: the daemon. It attaches (or reuses the attachment), turns
 * sampling on, scores every sample and keeps auto entries in the lists. The
 * lists' lock is taken only while committing, so the CLI stays usable, and
 * the maps keep filtering when the daemon stops.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "cli/cli.h"
#include "daemon/ctl_socket.h"
#include "daemon/daemon_lists.h"
#include "engine/engine_setup.h"
#include "daemon/event_queue.h"
#include "fleet/fleet.h"
#include "formats/atomic_file.h"
#include "formats/eventlog.h"
#include "engine/explain.h"
#include "daemon/iface_watch.h"
#include "daemon/log_limit.h"
#include "daemon/metrics.h"
#include "formats/printable.h"
#include "dataplane/sample_decode.h"
#include "dataplane/sample_reader.h"
#include "engine/top_scores.h"

static volatile sig_atomic_t stop_requested, reopen_requested;

static void on_stop(int sig)
{
	stop_requested = 1;
}

static void on_hup(int sig)
{
	reopen_requested = 1;
}

struct daemon {
	struct fw_opts *o;
	struct fw_conf *c;
	struct fw_detector *det;
	struct fw_geo *geo;
	struct fw_eventlog *log;
	struct fw_daemon_lists lists;
	struct fw_metrics m;
	struct fw_top_scores top;
	int samples_fd;
	struct fw_ctl ctl;
	int64_t mono_to_real_ns;
	uint64_t samples, decode_errors;
	bool networks_dirty; /* a flux network changed since networks.tsv was written */
	uint64_t networks_saved_ns, networks_retry_ns;
	struct fw_iface_watch ifaces;
	struct fw_event_queue pending; /* events of list changes not yet committed */
	uint64_t commit_retry_ns, geo_check_ns;
	/* failures that repeat every second are reported once a minute */
	struct fw_log_limit commit_log, networks_log, textfile_log, events_log;
	uint64_t alert_minute_ns; /* start of the minute alert_evidence counts in */
	unsigned alert_evidence;
	struct fw_fleet *fleet; /* NULL: neither publishing nor subscribing */
	uint64_t fleet_poll_ns;
};

#define NETWORKS_FILE	  "networks.tsv"
#define NETWORKS_EVERY_NS (60 * 1000000000ull)
#define RETRY_NS	  1000000000ull /* after a failed write of the state directory */
#define GEO_CHECK_NS	  2000000000ull /* how often the geo files are checked for a change */
#define ALERT_EVIDENCE_PER_MIN 10

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The whole explanation (features, terms, IPs, ASNs, countries, network) as JSON. */
static char *evidence_json(struct daemon *d, const char *name)
{
	return fw_detector_explain_string(d->det, name, clock_ns(CLOCK_REALTIME), true);
}

/*
 * An auto-block flood refuses thousands of domains a minute, and a full
 * explanation is kilobytes: only the first few alerts of a minute carry
 * one, the rest their name, score and reason (the metric counts them all).
 */
static bool alert_evidence_left(struct daemon *d)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	if (now - d->alert_minute_ns >= 60 * 1000000000ull) {
		d->alert_minute_ns = now;
		d->alert_evidence = 0;
	}
	return d->alert_evidence++ < ALERT_EVIDENCE_PER_MIN;
}

static void log_event(struct daemon *d, enum fw_event_kind kind, const char *name, double score,
		      const char *reason, uint64_t expires_ns)
{
	struct fw_event ev = {.kind = kind,
			      .name = name,
			      .origin = FW_ORIGIN_AUTO,
			      .source = "auto",
			      .action = FW_ACT_DEFAULT,
			      .score = score,
			      .reason = reason,
			      .expires_ns = expires_ns};
	char err[512], *evidence = NULL;

	if (!d->log)
		return;
	if (kind == FW_EV_BLOCK || (kind == FW_EV_ALERT && alert_evidence_left(d)))
		evidence = evidence_json(d, name);
	if (kind != FW_EV_ALERT) {
		/* told once the change is in the state file */
		if (fw_event_queue_push(&d->pending, &ev, evidence))
			fw_err("out of memory: the %s event of %s is lost", fw_ev_kind_name(kind),
			       name);
		return;
	}
	ev.evidence = evidence;
	if (fw_eventlog_write(d->log, &ev, err, sizeof(err)))
		fw_log_fail(&d->events_log, clock_ns(CLOCK_MONOTONIC), "event log: %s", err);
	else
		fw_log_ok(&d->events_log, "event log: written again");
	free(evidence);
}

static void geo_note(const char *msg, void *ctx)
{
	fprintf(stderr, "fluxwall: geo: %s\n", msg);
}

/* An attached interface deleted or detached is an alert too: filtering stopped there. */
static void iface_report(const char *msg, int lost, void *ctx)
{
	struct daemon *d = ctx;
	struct fw_event ev = {.kind = FW_EV_ALERT, .score = NAN, .reason = msg};
	char err[512];

	fprintf(stderr, "fluxwall: %s\n", msg);
	if (lost && d->log && fw_eventlog_write(d->log, &ev, err, sizeof(err)))
		fw_log_fail(&d->events_log, clock_ns(CLOCK_MONOTONIC), "event log: %s", err);
}

/* Commit the queued auto entries, then tell their events; retried each second. */
static void commit_lists(struct daemon *d, uint64_t now)
{
	char err[1024];
	size_t failed;
	int rc;

	if (now < d->commit_retry_ns)
		return;
	fw_err_capture(err, sizeof(err));
	rc = fw_daemon_lists_commit(&d->lists);
	fw_err_capture(NULL, 0);
	if (rc) {
		fw_log_fail(&d->commit_log, now,
			    "cannot save %zu auto entries: %s; they wait, not enforced, and are "
			    "retried every second",
			    d->lists.n, err);
		d->commit_retry_ns = now + RETRY_NS;
		return;
	}
	fw_log_ok(&d->commit_log, "auto entries saved to %s/%s again", d->o->state_dir,
		  FW_JOURNAL_FILE);
	failed = fw_event_queue_flush(&d->pending, d->log, err, sizeof(err));
	if (failed)
		fw_log_fail(&d->events_log, now, "event log: %zu events lost: %s", failed, err);
	else if (d->log)
		fw_log_ok(&d->events_log, "event log: written again");
}

static void networks_path(const struct daemon *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", d->o->state_dir, NETWORKS_FILE);
}

/*
 * The flux networks go to the state directory whenever one changed, so a
 * restarted daemon blocks a known network's next domain at its first
 * response: written to a temporary file, synced, then renamed over.
 */
static int put_networks(FILE *f, void *daemon)
{
	struct daemon *d = daemon;

	return fw_netidx_save(fw_detector_networks(d->det), f,
			      clock_ns(CLOCK_REALTIME) / 1000000000ull);
}

static void save_networks(struct daemon *d)
{
	char path[4200];

	networks_path(d, path, sizeof(path));
	if (fw_file_replace(path, 0640, put_networks, d)) {
		fw_log_fail(&d->networks_log, clock_ns(CLOCK_MONOTONIC),
			    "cannot write %s: %s; flux networks will not survive a restart until "
			    "it can (free space in %s)",
			    path, strerror(errno), d->o->state_dir);
		d->networks_retry_ns = clock_ns(CLOCK_MONOTONIC) + RETRY_NS;
		return;
	}
	fw_log_ok(&d->networks_log, "%s written again", path);
	d->networks_dirty = false;
	d->networks_saved_ns = clock_ns(CLOCK_MONOTONIC);
}

static void load_networks(struct daemon *d)
{
	char path[4200], err[512];
	FILE *f;

	networks_path(d, path, sizeof(path));
	f = fopen(path, "r");
	if (!f) {
		if (errno != ENOENT)
			fw_err("cannot read %s: %s; starting without known flux networks", path,
			       strerror(errno));
		return;
	}
	if (fw_netidx_load(fw_detector_networks(d->det), f,
			   clock_ns(CLOCK_REALTIME) / 1000000000ull, err, sizeof(err)))
		fw_err("%s: %s; the networks before it were restored", path, err);
	fclose(f);
}

static enum fw_refusal refusal_of(enum fw_ab_decision decision)
{
	switch (decision) {
	case FW_AB_ALLOWLISTED:
		return FW_REFUSAL_ALLOWLISTED;
	case FW_AB_PROTECTED:
		return FW_REFUSAL_PROTECTED;
	case FW_AB_RATE_LIMITED:
		return FW_REFUSAL_RATE_LIMITED;
	default:
		return FW_REFUSAL_UNBLOCKABLE;
	}
}

static void act_on(struct daemon *d, const struct fw_detection *det)
{
	if (det->network)
		d->networks_dirty = true;
	switch (det->decision) {
	case FW_AB_BLOCK:
		fw_daemon_lists_queue(&d->lists, det->domain, det->result.score, det->reason,
				      det->expires_ns, 0);
		d->m.auto_blocks_total++;
		log_event(d, FW_EV_BLOCK, det->domain, det->result.score, det->reason,
			  det->expires_ns);
		break;
	case FW_AB_REFRESH:
		fw_daemon_lists_queue(&d->lists, det->domain, det->result.score, det->reason,
				      det->expires_ns, 1);
		break;
	case FW_AB_ALLOWLISTED:
	case FW_AB_PROTECTED:
	case FW_AB_RATE_LIMITED:
	case FW_AB_UNBLOCKABLE:
		d->m.refusals_total[refusal_of(det->decision)]++;
		log_event(d, FW_EV_ALERT, det->domain, det->result.score, det->detail, 0);
		break;
	default:
		break;
	}
	if (det->unblock)
		fw_daemon_lists_unqueue(&d->lists, det->domain);
}

static void on_sample(void *ctx, const struct fw_sample *s)
{
	struct daemon *d = ctx;
	struct fw_detection det;
	struct fw_obs obs;
	uint64_t t0;

	d->samples++;
	if (fw_sample_decode(s, s->ts_ns + d->mono_to_real_ns, &obs) != FW_DECODE_OK) {
		d->decode_errors++;
		return;
	}
	t0 = clock_ns(CLOCK_MONOTONIC);
	if (fw_detector_observe(d->det, &obs, &det) == 1)
		act_on(d, &det);
	if (det.domain[0])
		fw_top_offer(&d->top, det.domain, det.result.score);
	while (fw_detector_pending(d->det, &det))
		act_on(d, &det);
	fw_latency_observe(&d->m.scorer_latency, (clock_ns(CLOCK_MONOTONIC) - t0) / 1e9);
}

static void expire_one(const char *name, void *ctx)
{
	struct daemon *d = ctx;

	fw_daemon_lists_unqueue(&d->lists, name);
	d->m.expiries_total++;
	log_event(d, FW_EV_EXPIRY, name, NAN, "no flux seen for the expiry period", 0);
}

/* A top candidate's score now, as `explain` gives it; -1 when no longer tracked. */
static double rescore(const char *name, void *ctx)
{
	struct daemon *d = ctx;
	struct fw_score_result r;
	struct fw_features f;

	if (fw_detector_explain(d->det, name, clock_ns(CLOCK_REALTIME), &f, &r, NULL))
		return -1;
	return r.score;
}

static void refresh_metrics(struct daemon *d)
{
	struct fw_maps maps;
	char err[512];

	if (!fw_maps_open(&maps, d->o->pin_path, 0, 0, err, sizeof(err))) {
		fw_maps_read_counters(&maps, d->m.counters);
		fw_maps_close(&maps);
	}
	d->m.top_count = fw_top_read(&d->top, rescore, d, d->m.top, FW_TOP_N);
	d->m.tracked_domains = fw_domstate_count(fw_detector_state(d->det));
	fw_daemon_lists_metrics(&d->lists, &d->m);
	fw_fleet_stats(d->fleet, &d->m.fleet);
}

static void write_textfile(struct daemon *d)
{
	char err[1024];

	refresh_metrics(d);
	if (!d->c->textfile_dir || !*d->c->textfile_dir)
		return;
	if (fw_textfile_write(d->c->textfile_dir, &d->m, err, sizeof(err)))
		fw_log_fail(&d->textfile_log, clock_ns(CLOCK_MONOTONIC), "%s", err);
	else
		fw_log_ok(&d->textfile_log, "metrics written to %s/" FW_TEXTFILE_NAME " again",
			  d->c->textfile_dir);
}

static void explain_reply(struct daemon *d, const char *name, int json, FILE *out)
{
	char *text = fw_detector_explain_string(d->det, name, clock_ns(CLOCK_REALTIME), json);
	char shown[FW_PRINTABLE_MAX];

	if (!text) {
		fprintf(out, "ERR '%s' is not tracked: no response for it was seen in the window\n",
			fw_printable(name, shown, sizeof(shown)));
		return;
	}
	fprintf(out, "%s%s", text, json ? "\n" : "");
	free(text);
}

static void ctl_handler(const char *req, FILE *out, void *ctx)
{
	char text[FW_PRINTABLE_MAX];
	struct daemon *d = ctx;
	unsigned i;

	if (!strncmp(req, "explain ", 8)) {
		explain_reply(d, req + 8, 0, out);
	} else if (!strncmp(req, "explain-json ", 13)) {
		explain_reply(d, req + 13, 1, out);
	} else if (!strcmp(req, "metrics")) {
		refresh_metrics(d);
		fw_textfile_render(&d->m, out);
	} else if (!strcmp(req, "top")) {
		refresh_metrics(d);
		fprintf(out, "tracked %llu samples %llu auto_blocks %llu expiries %llu\n",
			(unsigned long long)d->m.tracked_domains, (unsigned long long)d->samples,
			(unsigned long long)d->m.auto_blocks_total,
			(unsigned long long)d->m.expiries_total);
		for (i = 0; i < d->m.top_count; i++)
			fprintf(out, "%.2f %s\n", d->m.top[i].score,
				fw_printable(d->m.top[i].name, text, sizeof(text)));
	} else {
		fprintf(out, "ERR unknown request\n");
	}
}

/*
 * What the fleet zone hears of the lists: this node's auto-blocks and their
 * end (expiry, `block del`), and a delete for every name allowlisted here.
 */
static void lists_changed(const struct fw_change *c, void *ctx)
{
	struct daemon *d = ctx;
	const struct fw_entry *e = &c->e;

	if (!fw_fleet_publishing(d->fleet))
		return;
	if (e->list == FW_LIST_BLOCK && e->origin == FW_ORIGIN_AUTO)
		fw_fleet_publish(d->fleet, c->del, e->name, e->match, e->score, e->expires,
				 e->reason);
	else if (e->list == FW_LIST_ALLOW && !c->del && !fw_fleet_subscribed(d->fleet, e->source))
		fw_fleet_publish(d->fleet, 1, e->name, e->match, 0, 0, NULL);
}

static int start_fleet(struct daemon *d, const struct fw_lists_where *where,
		       const struct fw_state *lists)
{
	const struct fw_conf *c = d->c;
	struct fw_fleet_setup s = { .where = *where,
				    .node = c->node_name,
				    .keys_path = c->fleet_keys,
				    .publish_zone = c->publish_zone,
				    .publish_primary = c->publish_primary,
				    .publish_key = c->publish_key,
				    .subscribe = c->subscribe,
				    .notify_listen = c->notify_listen,
				    .event_log = c->event_log,
				    .refresh_max_s = (uint32_t)c->subscribe_refresh_max,
				    .max_records = c->subscribe_max_records };
	char err[1024];

	d->fleet = fw_fleet_start(&s, lists, err, sizeof(err));
	if (!d->fleet && err[0]) {
		fw_err("fleet: %s", err);
		return -1;
	}
	if (d->fleet)
		fprintf(stderr, "fluxwall: fleet: %s%s%s\n",
			fw_fleet_publishing(d->fleet) ? "publishing to " : "",
			fw_fleet_publishing(d->fleet) ? c->publish_zone : "",
			*c->subscribe ? (fw_fleet_publishing(d->fleet) ? "; subscribed" : "subscribed") :
					"");
	d->lists.changed = lists_changed;
	d->lists.changed_ctx = d;
	return 0;
}

static int configure_data_path(struct daemon *d, struct fw_ctx *ctx)
{
	struct fw_config cfg;

	/* Ports set with `fluxwall ports` are kept in the state and win. */
	if (!ctx->state.opts.nports &&
	    fw_maps_set_ports(&ctx->maps, d->c->dns_ports.port, d->c->dns_ports.n))
		return -1;
	if (fw_maps_set_trusted(&ctx->maps, &d->c->trusted_resolvers))
		return -1;
	if (fw_ctx_apply_default_action(ctx, fw_opts_default_action(d->o)) ||
	    fw_maps_get_config(&ctx->maps, &cfg))
		return -1;
	cfg.sampling = 1;
	cfg.sample_interval_ns = d->c->sample_interval * 1000000000ull;
	return fw_maps_set_config(&ctx->maps, &cfg);
}

/* Attach, or keep the attachment that is there, and switch sampling on. */
static int start_data_path(struct daemon *d, const char *iface)
{
	struct fw_lists_where where;
	struct fw_attachment a;
	char note[512], err[1024];
	struct fw_ctx ctx;
	int ret = -1;

	if (fw_cli_lists_open(&ctx, d->o, 1))
		return -1;
	if (fw_attach(d->o->pin_path, ctx.maps.capacity, fw_maps_rules_id(&ctx.maps), iface,
		      d->o->mode, &a, note, sizeof(note), err, sizeof(err))) {
		fw_err("%s", err);
		goto out;
	}
	fprintf(stderr, "fluxwall: %s\n", note);
	if (configure_data_path(d, &ctx)) {
		fw_err("cannot configure the maps under %s: %s", d->o->pin_path, strerror(errno));
		goto out;
	}
	d->samples_fd = fw_maps_open_samples(&ctx.maps);
	if (d->samples_fd < 0) {
		fw_err("cannot open %s/%s: %s", d->o->pin_path, FW_MAP_SAMPLES, strerror(errno));
		goto out;
	}
	fw_opts_where(d->o, &where);
	ret = fw_daemon_lists_init(&d->lists, &where, fw_detector_autoblock(d->det), &ctx.state);
	fw_daemon_lists_seen(&d->lists, &ctx.store);
	if (!ret && start_fleet(d, &where, &ctx.state))
		ret = -1;
	fw_iface_watch_init(&d->ifaces, fw_maps_rules_id(&ctx.maps), iface_report, d);
out:
	fw_ctx_close(&ctx);
	return ret;
}

static void stop_sampling(struct daemon *d)
{
	struct fw_config cfg;
	struct fw_maps m;
	char err[512];

	if (fw_maps_open(&m, d->o->pin_path, 0, 0, err, sizeof(err)))
		return;
	if (!fw_maps_get_config(&m, &cfg)) {
		cfg.sampling = 0;
		fw_maps_set_config(&m, &cfg);
	}
	fw_maps_close(&m);
}

/* The default log directory does not exist on a fresh system. */
static void make_parent_dir(const char *path)
{
	char dir[4096], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir || !strcmp(path, "-"))
		return;
	*slash = '\0';
	if (mkdir(dir, 0750) && errno != EEXIST)
		return; /* fw_eventlog_open reports it */
}

static int open_engine(struct daemon *d)
{
	struct fw_detector_params p;
	char note[4096], err[4096], *line, *save = NULL;

	d->geo = fw_engine_geo_degraded(d->c, note, sizeof(note), err, sizeof(err));
	if (!d->geo) {
		fw_err("out of memory opening the geo databases");
		return -1;
	}
	for (line = strtok_r(err, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		fw_err("geo: %s", line);
	fprintf(stderr, "fluxwall: geo: %s\n", note);
	fw_engine_params(d->c, &p);
	d->det = fw_detector_new(&p, d->geo, fw_daemon_lists_allowed, &d->lists, err, sizeof(err));
	if (!d->det) {
		fw_err("%s", err);
		return -1;
	}
	load_networks(d);
	if (d->c->event_log && *d->c->event_log) {
		make_parent_dir(d->c->event_log);
		d->log = fw_eventlog_open(d->c->event_log, err, sizeof(err));
		if (!d->log) {
			fw_err("%s", err);
			return -1;
		}
	}
	return 0;
}

static void housekeeping(struct daemon *d, uint64_t *next_prom, uint64_t *next_sweep)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC), real = clock_ns(CLOCK_REALTIME);
	char err[512];

	d->mono_to_real_ns = (int64_t)(real - now);
	if (reopen_requested) {
		reopen_requested = 0;
		if (d->log && fw_eventlog_reopen(d->log, err, sizeof(err)))
			fw_err("event log: %s", err);
		fw_fleet_reopen_log(d->fleet);
	}
	if (fw_fleet_publishing(d->fleet) && now >= d->fleet_poll_ns) {
		/* others' changes (block del, allow) reach the fleet within a second */
		fw_err_capture(err, sizeof(err));
		if (fw_daemon_lists_poll(&d->lists))
			fw_log_fail(&d->commit_log, now, "reading the lists' changes: %s", err);
		fw_err_capture(NULL, 0);
		d->fleet_poll_ns = now + 1000000000ull;
	}
	if (now >= *next_sweep) {
		fw_autoblock_expire(fw_detector_autoblock(d->det), real, expire_one, d);
		*next_sweep = now + 1000000000ull;
	}
	commit_lists(d, now);
	fw_fleet_flush(d->fleet); /* what the commit and the poll told the fleet */
	fw_iface_watch_check(&d->ifaces, now, iface_report, d);
	if (now >= d->geo_check_ns) {
		fw_geo_recheck(d->geo, geo_note, NULL);
		d->geo_check_ns = now + GEO_CHECK_NS;
	}
	if ((d->networks_dirty && now >= d->networks_retry_ns) ||
	    now - d->networks_saved_ns >= NETWORKS_EVERY_NS)
		save_networks(d);
	if (now >= *next_prom) {
		write_textfile(d);
		*next_prom = now + d->c->textfile_interval * 1000000000ull;
	}
}

/*
 * Wait up to 200 ms for samples or a control client, whichever comes
 * first, so `explain` is answered at once even when no sample arrives.
 */
static int wait_and_consume(struct daemon *d, struct fw_sample_reader *rb)
{
	struct pollfd p[1 + FW_CTL_MAX_CLIENTS + 1];
	int n;

	p[0] = (struct pollfd){.fd = fw_sample_reader_fd(rb), .events = POLLIN};
	n = 1 + fw_ctl_pollfds(&d->ctl, p + 1, FW_CTL_MAX_CLIENTS + 1);
	if (poll(p, (nfds_t)n, 200) < 0 && errno != EINTR)
		return -errno;
	n = fw_sample_reader_consume(rb);
	fw_ctl_serve(&d->ctl);
	return n < 0 ? n : 0;
}

static int serve(struct daemon *d)
{
	struct fw_sample_reader *rb = fw_sample_reader_new(d->samples_fd, on_sample, d);
	uint64_t next_prom = 0, next_sweep = 0;
	char sock[4200];

	if (!rb) {
		fw_err("cannot read the sample ring buffer: %s", strerror(errno));
		return -1;
	}
	snprintf(sock, sizeof(sock), "%s/%s", d->o->state_dir, FW_CTL_SOCKET);
	if (fw_ctl_open(&d->ctl, sock, ctl_handler, d))
		fw_err("no control socket at %s (%s): explain and top will not work", sock,
		       strerror(errno));
	fprintf(stderr, "fluxwall: running; samples from %s, control socket %s\n", d->o->pin_path,
		sock);
	while (!stop_requested) {
		int n = wait_and_consume(d, rb);

		if (n < 0 && n != -EINTR) {
			fw_err("reading samples failed: %s", strerror(-n));
			break;
		}
		housekeeping(d, &next_prom, &next_sweep);
	}
	d->commit_retry_ns = 0;
	commit_lists(d, clock_ns(CLOCK_MONOTONIC));
	if (d->lists.n)
		fw_err("%zu auto entries were not saved; the scorer finds them again after a "
		       "restart if they still flux",
		       d->lists.n);
	save_networks(d);
	write_textfile(d);
	if (d->ctl.fd >= 0) {
		fw_ctl_close(&d->ctl);
		unlink(sock);
	}
	fw_sample_reader_free(rb);
	return 0;
}

int cmd_run(struct fw_opts *o, int argc, char **argv)
{
	struct daemon d = {.o = o, .c = o->conf, .samples_fd = -1, .ctl = {.fd = -1}};
	const char *iface = o->iface ? o->iface : o->conf->iface;
	int ret = 1;

	if (argc)
		return fw_usage_error(o, NULL);
	if (!iface || !*iface) {
		fw_err("run needs an interface: --iface IFACE, or iface in %s", FW_CONF_PATH);
		return 1;
	}
	if (fw_require_root("run"))
		return 1;
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGHUP, on_hup);
	signal(SIGPIPE, SIG_IGN);
	d.mono_to_real_ns = (int64_t)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC));
	if (open_engine(&d) || start_data_path(&d, iface))
		goto out;
	ret = serve(&d) ? 1 : 0;
	stop_sampling(&d);
	fprintf(stderr, "fluxwall: stopped; the program stays attached and the maps keep "
			"filtering\n");
out:
	fw_fleet_stop(d.fleet);
	fw_daemon_lists_free(&d.lists);
	fw_event_queue_free(&d.pending);
	if (d.samples_fd >= 0)
		close(d.samples_fd);
	fw_eventlog_close(d.log);
	fw_detector_free(d.det);
	if (d.geo)
		fw_geo_close(d.geo);
	return ret;
}
