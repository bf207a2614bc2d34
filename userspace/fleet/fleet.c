// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The fleet worker thread. The daemon's thread only appends to the publish
 * queue and reads counters; everything that waits on the network is here.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "fleet/fleet.h"
#include "fleet/notify_listen.h"
#include "fleet/publish_queue.h"
#include "fleet/rpz_publish.h"
#include "fleet/rpz_subscribe.h"
#include "formats/dns_name.h"
#include "formats/eventlog.h"
#include "formats/tsig_keys.h"

#define BATCH_MAX	 100
#define BACKOFF_MIN_NS	 500000000ull
#define BACKOFF_MAX_NS	 60000000000ull
#define REFRESH_MIN_S	 1
#define CONFLICT_RETRIES 8
#define TIMEOUT_MS	 5000

struct fw_fleet {
	struct fw_fleet_setup s;
	struct fw_tsig_keys keys;
	struct fw_eventlog *log;
	atomic_int reopen;
	/* publishing */
	int publishing;
	struct fw_publish_target target;
	struct fw_pub_queue q;
	struct fw_pub_op *held; /* the daemon thread's: not yet in the queue file */
	size_t nheld, capheld;
	int hold_failing; /* told once, until the queue takes writes again */
	uint64_t pub_due_ns, pub_backoff_ns;
	atomic_ullong published, publish_errors;
	/* subscribing */
	struct fw_subscription sub[FW_FLEET_MAX_SUBS];
	unsigned nsubs;
	struct fw_notify notify;
	pthread_mutex_t stats_mu;
	struct fw_metrics_fleet stats;
	/* the thread */
	pthread_t thread;
	int wake_fd;
	atomic_int stop;
	char scratch[1200];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void event(struct fw_fleet *f, enum fw_event_kind kind, const char *name,
		  const struct fw_event_rpz *r)
{
	struct fw_event ev = {.kind = kind, .name = name, .score = NAN, .rpz = r};
	char err[512];

	if (!f->log)
		return;
	if (atomic_exchange(&f->reopen, 0) && fw_eventlog_reopen(f->log, err, sizeof(err)))
		fprintf(stderr, "fluxwall: fleet: event log: %s\n", err);
	if (fw_eventlog_write(f->log, &ev, err, sizeof(err)))
		fprintf(stderr, "fluxwall: fleet: %s\n", err);
}

static void report_error(struct fw_fleet *f, const char *zone, const char *what, const char *err)
{
	struct fw_event_rpz r = {.zone = zone, .serial = -1, .apply_s = -1, .error = err};

	fprintf(stderr, "fluxwall: fleet: %s %s: %s\n", what, zone, err);
	event(f, FW_EV_RPZ_ERROR, NULL, &r);
}

/* --- setup --- */

static const struct fw_tsig_key *key_for(struct fw_fleet *f, const char *name, char *err,
					 size_t errlen)
{
	const struct fw_tsig_key *k;

	if (!name || !*name)
		return NULL;
	k = fw_tsig_keys_find(&f->keys, name);
	if (!k)
		snprintf(err, errlen, "TSIG key '%s' is not in %s; add it or fix the key name",
			 name, f->s.keys_path && *f->s.keys_path ? f->s.keys_path : "fleet_keys");
	return k;
}

static int setup_publish(struct fw_fleet *f, char *err, size_t errlen)
{
	struct fw_publish_target *t = &f->target;
	char why[300], host[64] = "";
	struct fw_name n;

	if (!f->s.publish_zone || !*f->s.publish_zone)
		return 0;
	if (fw_name_parse(f->s.publish_zone, &n, why, sizeof(why))) {
		snprintf(err, errlen, "publish_zone '%s' is not a valid zone name (%s)",
			 f->s.publish_zone, why);
		return -1;
	}
	snprintf(t->zone, sizeof(t->zone), "%s", n.text);
	if (!f->s.publish_primary || !*f->s.publish_primary) {
		snprintf(err, errlen,
			 "publish_zone is set but publish_primary is not; set the "
			 "primary's address, such as 192.0.2.1:53");
		return -1;
	}
	if (fw_dns_peer_parse(f->s.publish_primary, 53, &t->primary, why, sizeof(why))) {
		snprintf(err, errlen, "publish_primary: %s", why);
		return -1;
	}
	err[0] = '\0';
	t->key = key_for(f, f->s.publish_key, err, errlen);
	if (err[0])
		return -1;
	if (f->s.node && *f->s.node)
		snprintf(t->node, sizeof(t->node), "%s", f->s.node);
	else if (!gethostname(host, sizeof(host) - 1))
		snprintf(t->node, sizeof(t->node), "%s", host);
	if (fw_rpz_node_check(t->node, why, sizeof(why))) {
		snprintf(err, errlen, "node_name: %s", why);
		return -1;
	}
	if (fw_pubq_open(&f->q, f->s.where.state_dir, err, errlen))
		return -1;
	f->publishing = 1;
	return 0;
}

static int setup_subs(struct fw_fleet *f, const struct fw_state *lists, char *err, size_t errlen)
{
	char *list, *tok, *save = NULL;
	int ret = 0;

	if (!f->s.subscribe || !*f->s.subscribe)
		return 0;
	list = strdup(f->s.subscribe);
	if (!list)
		return -1;
	for (tok = strtok_r(list, ", ", &save); tok && !ret; tok = strtok_r(NULL, ", ", &save)) {
		struct fw_subscription *s = &f->sub[f->nsubs];

		if (f->nsubs == FW_FLEET_MAX_SUBS) {
			snprintf(err, errlen, "at most %d subscriptions", FW_FLEET_MAX_SUBS);
			ret = -1;
			break;
		}
		if (fw_sub_parse(tok, s, err, errlen)) {
			ret = -1;
			break;
		}
		err[0] = '\0';
		s->key = key_for(f, s->key_name, err, errlen);
		if (err[0]) {
			ret = -1;
			break;
		}
		fw_sub_load(s, f->s.where.state_dir);
		if (lists && fw_sub_seed_expiry(s, lists))
			ret = -1;
		f->nsubs++;
	}
	free(list);
	return ret;
}

static int setup_notify(struct fw_fleet *f, char *err, size_t errlen)
{
	struct fw_dns_peer where;
	char why[300];

	if (!f->s.notify_listen || !*f->s.notify_listen)
		return 0;
	if (fw_dns_peer_parse(f->s.notify_listen, 53, &where, why, sizeof(why))) {
		snprintf(err, errlen, "notify_listen: %s", why);
		return -1;
	}
	return fw_notify_open(&f->notify, &where, &f->keys, err, errlen);
}

/* --- publishing --- */

/* The oldest ops, up to the first name seen twice (prerequisites are per name). */
static size_t take_batch(struct fw_fleet *f, struct fw_pub_op *b)
{
	size_t n = fw_pubq_peek(&f->q, b, BATCH_MAX), i, j;

	for (i = 1; i < n; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(b[i].name, b[j].name))
				return i;
	return n;
}

static enum fw_publish_result send_batch(struct fw_fleet *f, const struct fw_pub_op *b, size_t n,
					 char *err, size_t errlen)
{
	enum fw_publish_result r = FW_PUBLISH_ERROR;
	struct fw_dns_conn c;
	int tries;

	if (fw_dns_open(&c, &f->target.primary, f->target.key, TIMEOUT_MS)) {
		snprintf(err, errlen, "%s", c.err);
		return FW_PUBLISH_ERROR;
	}
	for (tries = 0; tries < CONFLICT_RETRIES; tries++) {
		r = fw_publish_batch(&c, &f->target, b, n, err, errlen);
		if (r != FW_PUBLISH_CONFLICT)
			break;
	}
	fw_dns_close(&c);
	return r;
}

static void published(struct fw_fleet *f, const struct fw_pub_op *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct fw_event_rpz r = {.zone = f->target.zone,
					 .op = b[i].del ? "del" : "add",
					 .serial = -1,
					 .apply_s = -1};

		event(f, FW_EV_RPZ_PUBLISH, b[i].name, &r);
	}
	atomic_fetch_add(&f->published, n);
}

static void publish_some(struct fw_fleet *f, uint64_t now)
{
	struct fw_pub_op *b = malloc(BATCH_MAX * sizeof(*b));
	enum fw_publish_result r;
	char err[700] = "";
	size_t n;

	if (!b || now < f->pub_due_ns || !(n = take_batch(f, b))) {
		free(b);
		return;
	}
	r = send_batch(f, b, n, err, sizeof(err));
	while (r == FW_PUBLISH_TOO_BIG && n > 1) /* names with many nodes' records */
		r = send_batch(f, b, n /= 2, err, sizeof(err));
	if (r == FW_PUBLISH_TOO_BIG)
		snprintf(err, sizeof(err), "the update of %s alone passes 64 KiB", b[0].name);
	if (r == FW_PUBLISH_CONFLICT && n > 1)
		r = send_batch(f, b, 1, err, sizeof(err)), n = 1; /* one at a time wins through */
	if (r == FW_PUBLISH_OK && !fw_pubq_ack(&f->q, b[n - 1].seq, err, sizeof(err))) {
		published(f, b, n);
		f->pub_backoff_ns = 0;
		f->pub_due_ns = 0;
	} else {
		if (r == FW_PUBLISH_CONFLICT)
			snprintf(err, sizeof(err), "other nodes kept changing %s", b[0].name);
		atomic_fetch_add(&f->publish_errors, 1);
		f->pub_backoff_ns = f->pub_backoff_ns ? f->pub_backoff_ns * 2 : BACKOFF_MIN_NS;
		if (f->pub_backoff_ns > BACKOFF_MAX_NS)
			f->pub_backoff_ns = BACKOFF_MAX_NS;
		f->pub_due_ns = now + f->pub_backoff_ns;
		snprintf(f->scratch, sizeof(f->scratch),
			 "%s; %zu updates stay queued, retry in %.1f s", err, fw_pubq_len(&f->q),
			 f->pub_backoff_ns / 1e9);
		report_error(f, f->target.zone, "publishing to", f->scratch);
	}
	free(b);
}

/* --- subscribing --- */

static const char *kind_name(enum fw_xfr_kind k)
{
	return k == FW_XFR_AXFR ? "axfr" : k == FW_XFR_IXFR ? "ixfr" : "none";
}

static uint64_t refresh_ns(const struct fw_fleet *f, const struct fw_subscription *s)
{
	uint32_t r = s->refresh ? s->refresh : f->s.refresh_max_s;

	if (r > f->s.refresh_max_s)
		r = f->s.refresh_max_s;
	if (r < REFRESH_MIN_S)
		r = REFRESH_MIN_S;
	return (uint64_t)r * 1000000000ull;
}

static void refresh_one(struct fw_fleet *f, struct fw_subscription *s, uint64_t now)
{
	struct fw_sub_report rep;
	char err[700];

	if (fw_sub_refresh(s, &f->s.where, f->s.where.state_dir, f->s.max_records, &rep, err,
			   sizeof(err))) {
		uint64_t back = BACKOFF_MIN_NS << (s->fails < 8 ? s->fails : 8);

		s->due_ns = now + (back < refresh_ns(f, s) ? back : refresh_ns(f, s));
		report_error(f, s->zone, "refreshing", err);
		return;
	}
	s->due_ns = now + refresh_ns(f, s);
	if (rep.kind != FW_XFR_UP_TO_DATE) {
		struct fw_event_rpz r = {.zone = s->zone,
					 .kind = kind_name(rep.kind),
					 .serial = rep.serial,
					 .added = (long)rep.added,
					 .removed = (long)rep.removed,
					 .records = (long)rep.records,
					 .bytes = (long)rep.bytes,
					 .apply_s = rep.apply_s};

		event(f, FW_EV_RPZ_APPLY, NULL, &r);
	}
}

/* A NOTIFY from a subscription's primary makes it due now. */
static void on_notify(const char *zone, const struct sockaddr_storage *from, void *ctx)
{
	struct fw_fleet *f = ctx;
	unsigned i;

	for (i = 0; i < f->nsubs; i++)
		if (!strcmp(f->sub[i].zone, zone) && fw_notify_from(from, &f->sub[i].primary))
			f->sub[i].due_ns = 0;
}

static void subs_tick(struct fw_fleet *f, uint64_t now)
{
	int64_t real = time(NULL);
	unsigned i;

	for (i = 0; i < f->nsubs && !atomic_load(&f->stop); i++) {
		if (now >= f->sub[i].due_ns)
			refresh_one(f, &f->sub[i], mono_ns());
		if (fw_sub_expire(&f->sub[i], &f->s.where, real) < 0)
			report_error(f, f->sub[i].zone, "expiring entries of", "cannot commit");
	}
}

static void update_stats(struct fw_fleet *f)
{
	unsigned i;

	pthread_mutex_lock(&f->stats_mu);
	f->stats.publishing = f->publishing;
	f->stats.queue = f->publishing ? fw_pubq_len(&f->q) : 0;
	f->stats.published = atomic_load(&f->published);
	f->stats.publish_errors = atomic_load(&f->publish_errors);
	f->stats.nsubs = f->nsubs;
	for (i = 0; i < f->nsubs; i++) {
		struct fw_metrics_rpz *o = &f->stats.sub[i];

		memcpy(o->zone, f->sub[i].zone, sizeof(o->zone)); /* same size, NUL-terminated */
		o->have_serial = f->sub[i].have_serial;
		o->serial = f->sub[i].serial;
		o->axfr = f->sub[i].transfers[0];
		o->ixfr = f->sub[i].transfers[1];
		o->failures = f->sub[i].fails; /* in a row, 0 after a good refresh */
	}
	pthread_mutex_unlock(&f->stats_mu);
}

static int next_wait_ms(struct fw_fleet *f, uint64_t now)
{
	uint64_t due = now + 1000000000ull; /* expiries are looked at every second */
	unsigned i;

	if (f->publishing && fw_pubq_len(&f->q) && f->pub_due_ns < due)
		due = f->pub_due_ns;
	for (i = 0; i < f->nsubs; i++)
		if (f->sub[i].due_ns < due)
			due = f->sub[i].due_ns;
	return due <= now ? 0 : (int)((due - now) / 1000000ull);
}

static void *worker(void *arg)
{
	struct fw_fleet *f = arg;

	while (!atomic_load(&f->stop)) {
		struct pollfd p[3] = {{.fd = f->wake_fd, .events = POLLIN}};
		int n = 1 + fw_notify_pollfds(&f->notify, p + 1);
		uint64_t v;

		if (poll(p, (nfds_t)n, next_wait_ms(f, mono_ns())) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN && read(f->wake_fd, &v, sizeof(v)) < 0) {
		}
		if (n > 1 && (p[1].revents | p[2].revents) & POLLIN)
			fw_notify_serve(&f->notify, on_notify, f);
		if (f->publishing)
			publish_some(f, mono_ns());
		subs_tick(f, mono_ns());
		update_stats(f);
	}
	return NULL;
}

static void wake(struct fw_fleet *f)
{
	uint64_t one = 1;

	if (write(f->wake_fd, &one, sizeof(one)) < 0) {
	} /* already woken: the counter is full */
}

static void fleet_free(struct fw_fleet *f)
{
	unsigned i;

	for (i = 0; i < f->nsubs; i++)
		fw_sub_free(&f->sub[i]);
	if (f->publishing)
		fw_pubq_close(&f->q);
	fw_notify_close(&f->notify);
	if (f->wake_fd >= 0)
		close(f->wake_fd);
	fw_eventlog_close(f->log);
	free(f->held);
	pthread_mutex_destroy(&f->stats_mu);
	free(f);
}

struct fw_fleet *fw_fleet_start(const struct fw_fleet_setup *s, const struct fw_state *lists,
				char *err, size_t errlen)
{
	struct fw_fleet *f;

	err[0] = '\0';
	if ((!s->publish_zone || !*s->publish_zone) && (!s->subscribe || !*s->subscribe))
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->s = *s;
	f->wake_fd = -1;
	f->notify.udp = f->notify.tcp = -1;
	pthread_mutex_init(&f->stats_mu, NULL);
	if (s->keys_path && *s->keys_path && fw_tsig_keys_load(&f->keys, s->keys_path, err, errlen))
		goto fail;
	if (setup_publish(f, err, errlen) || setup_subs(f, lists, err, errlen) ||
	    setup_notify(f, err, errlen))
		goto fail;
	if (s->event_log && *s->event_log) {
		char lerr[512];

		f->log = fw_eventlog_open(s->event_log, lerr, sizeof(lerr));
	}
	f->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	update_stats(f);
	if (f->wake_fd < 0 || pthread_create(&f->thread, NULL, worker, f)) {
		snprintf(err, errlen, "cannot start the fleet worker: %s", strerror(errno));
		goto fail;
	}
	return f;
fail:
	if (!err[0])
		snprintf(err, errlen, "out of memory");
	fleet_free(f);
	return NULL;
}

void fw_fleet_stop(struct fw_fleet *f)
{
	if (!f)
		return;
	if (f->publishing && fw_fleet_flush(f))
		fprintf(stderr, "fluxwall: fleet: %zu updates could not be queued and are lost\n",
			f->nheld);
	atomic_store(&f->stop, 1);
	wake(f);
	pthread_join(f->thread, NULL);
	fleet_free(f);
}

/* Hold op in memory until the queue file takes it; -1 when out of memory. */
static int hold(struct fw_fleet *f, const struct fw_pub_op *op)
{
	if (f->nheld == f->capheld) {
		size_t cap = f->capheld ? f->capheld * 2 : 16;
		struct fw_pub_op *n = realloc(f->held, cap * sizeof(*n));

		if (!n)
			return -1;
		f->held = n;
		f->capheld = cap;
	}
	f->held[f->nheld++] = *op;
	return 0;
}

int fw_fleet_flush(struct fw_fleet *f)
{
	char err[600] = "";

	if (!f || !f->nheld)
		return 0;
	/* all or nothing, in order: the held ops go before any newer one */
	if (fw_pubq_push(&f->q, f->held, f->nheld, err, sizeof(err))) {
		if (!f->hold_failing++)
			fprintf(stderr,
				"fluxwall: fleet: %s; updates are held in memory and retried every "
				"second\n",
				err);
		return -1;
	}
	if (f->hold_failing)
		fprintf(stderr,
			"fluxwall: fleet: the publish queue is written again; %zu held "
			"updates queued\n",
			f->nheld);
	f->hold_failing = 0;
	f->nheld = 0;
	wake(f);
	return 0;
}

int fw_fleet_publish(struct fw_fleet *f, int del, const char *name, uint8_t match, double score,
		     int64_t expires, const char *reason)
{
	struct fw_pub_op op = {.del = (uint8_t)del};

	if (!f || !f->publishing)
		return 0;
	snprintf(op.name, sizeof(op.name), "%s", name);
	op.meta = (struct fw_rpz_meta){.match = match, .score = score, .expires = expires};
	snprintf(op.meta.node, sizeof(op.meta.node), "%s", f->target.node);
	snprintf(op.meta.reason, sizeof(op.meta.reason), "%s", reason ? reason : "");
	for (char *c = op.meta.reason; *c; c++)
		if (*c == '\t' || *c == '\n' || *c == '\r')
			*c = ' ';
	if (hold(f, &op)) {
		fprintf(stderr, "fluxwall: fleet: out of memory: the update of %s is lost\n", name);
		return -1;
	}
	return 0;
}

bool fw_fleet_publishing(const struct fw_fleet *f)
{
	return f && f->publishing;
}

bool fw_fleet_subscribed(const struct fw_fleet *f, const char *source)
{
	unsigned i;

	for (i = 0; f && i < f->nsubs; i++)
		if (!strcmp(f->sub[i].zone, source))
			return true;
	return false;
}

void fw_fleet_stats(struct fw_fleet *f, struct fw_metrics_fleet *out)
{
	memset(out, 0, sizeof(*out));
	if (!f)
		return;
	pthread_mutex_lock(&f->stats_mu);
	*out = f->stats;
	pthread_mutex_unlock(&f->stats_mu);
	/* the queue as it is now: the worker's copy lags a push by one round */
	if (f->publishing)
		out->queue = fw_pubq_len(&f->q) + f->nheld;
}

void fw_fleet_reopen_log(struct fw_fleet *f)
{
	if (f)
		atomic_store(&f->reopen, 1);
}
