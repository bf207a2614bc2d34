// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The fleet: a detection published by node A, carried by a real Knot DNS
 * primary (loopback, private directory, NOTIFY over TCP), enforced by node
 * B. Times from A's publish to B's commit for 1, 100 and 10,000 new names,
 * as ratios to the time of one name; then the IXFR of 10,000 changes into
 * B's lists holding 10^6 rules, against the same into empty lists: bytes on
 * the wire and apply time. Both nodes are the daemon's fleet workers,
 * in-process, with private pins and state directories.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fleet/dns_conn.h"
#include "fleet/fleet.h"

#define ZONE   "rpz.bench.example"
#define IXFR_N 10000
#define WAIT_S 120
#define SECRET "YmVuY2gtZmxlZXQta2V5LW5vdC1hLXNlY3JldCEhIQ=="

extern char **environ;

struct node {
	char dir[300], pin[256], log[340];
	struct fw_fleet *f;
};

static char tmp[200], knot_conf[300];
static struct node a, b;
static pid_t knotd = -1;
static int port;
static long big_n = 1000000; /* FLUXWALL_BENCH_BIG: a smaller list, for profiling */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void cleanup(void)
{
	if (knotd > 0) {
		kill(knotd, SIGTERM);
		waitpid(knotd, NULL, 0);
		knotd = -1;
	}
	fw_fleet_stop(a.f);
	fw_fleet_stop(b.f);
	a.f = b.f = NULL;
	if (b.pin[0])
		nftw(b.pin, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	if (tmp[0])
		nftw(tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void die(const char *what)
{
	fprintf(stderr, "bench_fleet: %s\n", what);
	exit(1);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) || chmod(path, mode))
		die("cannot write the lab's files");
}

static void start_knot(void)
{
	char text[2048], zone[300], *argv[] = {"knotd", "-c", knot_conf, NULL};

	snprintf(zone, sizeof(zone), "%s/" ZONE ".zone", tmp);
	write_file(zone,
		   "$ORIGIN " ZONE ".\n$TTL 60\n@ SOA ns admin 1 1 1 3600 60\n@ NS ns\n"
		   "ns A 127.0.0.1\n",
		   0644);
	snprintf(text, sizeof(text),
		 "server:\n  listen: 127.0.0.1@%d\n  rundir: %s\n"
		 "key:\n  - id: fleet\n    algorithm: hmac-sha256\n    secret: " SECRET "\n"
		 "remote:\n  - id: b\n    address: 127.0.0.1@%d\n"
		 "acl:\n  - id: fleet\n    key: fleet\n    action: [update, transfer]\n"
		 "database:\n  storage: %s\n"
		 "log:\n  - target: %s/knot.log\n    any: warning\n"
		 "zone:\n  - domain: " ZONE "\n    file: %s\n    acl: fleet\n    notify: b\n"
		 /* deep enough that a subscriber a few hundred updates behind gets an IXFR */
		 "    zonefile-sync: -1\n    journal-content: all\n    journal-max-depth: 1000\n"
		 "    journal-max-usage: 512M\n",
		 port, tmp, port + 1, tmp, tmp, zone);
	write_file(knot_conf, text, 0600);
	if (posix_spawnp(&knotd, "knotd", NULL, NULL, argv, environ))
		die("cannot start knotd (apt-get install knot)");
}

/* The primary's serial; 0 while it does not answer. */
static uint32_t primary_serial(void)
{
	struct fw_dns_peer p;
	struct fw_dns_conn c;
	ldns_pkt *q, *r = NULL;
	char addr[64], why[200];
	uint32_t serial = 0;
	ldns_rr_list *soa;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	if (fw_dns_peer_parse(addr, 53, &p, why, sizeof(why)) || fw_dns_open(&c, &p, NULL, 1000))
		return 0;
	q = ldns_pkt_query_new(ldns_dname_new_frm_str(ZONE "."), LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN,
			       0);
	if (!fw_dns_exchange(&c, q, &r)) {
		soa = ldns_pkt_rr_list_by_type(r, LDNS_RR_TYPE_SOA, LDNS_SECTION_ANSWER);
		if (soa && ldns_rr_list_rr_count(soa))
			serial = ldns_rdf2native_int32(ldns_rr_rdf(ldns_rr_list_rr(soa, 0), 2));
		ldns_rr_list_deep_free(soa);
	}
	ldns_pkt_free(q);
	ldns_pkt_free(r);
	fw_dns_close(&c);
	return serial;
}

static void node_dirs(struct node *n, const char *name)
{
	snprintf(n->dir, sizeof(n->dir), "%s/%s", tmp, name);
	snprintf(n->log, sizeof(n->log), "%s/events.jsonl", n->dir);
	if (mkdir(n->dir, 0700))
		die("mkdir");
}

static struct fw_fleet *start_node(struct node *n, int publish, const char *keys)
{
	char prim[64], sub[128], notify[64], err[1024];
	struct fw_fleet_setup s = {.node = "bench-a",
				   .keys_path = keys,
				   .event_log = n->log,
				   .refresh_max_s = 60,
				   .max_records = 4000000};
	struct fw_fleet *f;

	snprintf(prim, sizeof(prim), "127.0.0.1:%d", port);
	snprintf(sub, sizeof(sub), ZONE "@127.0.0.1:%d/fleet", port);
	snprintf(notify, sizeof(notify), "127.0.0.1:%d", port + 1);
	snprintf(s.where.state_dir, sizeof(s.where.state_dir), "%s", n->dir);
	snprintf(s.where.pin_path, sizeof(s.where.pin_path), "%s", n->pin[0] ? n->pin : n->dir);
	s.where.capacity = 2097152;
	if (publish) {
		s.publish_zone = ZONE;
		s.publish_primary = prim;
		s.publish_key = "fleet";
	} else {
		s.subscribe = sub;
		s.notify_listen = notify;
	}
	f = fw_fleet_start(&s, NULL, err, sizeof(err));
	if (!f) {
		fprintf(stderr, "bench_fleet: %s\n", err);
		exit(1);
	}
	return f;
}

static struct fw_metrics_fleet stats(struct node *n)
{
	struct fw_metrics_fleet m;

	fw_fleet_stats(n->f, &m);
	return m;
}

static double drained_s; /* of the last propagate(): A's queue empty */

/* Publish names [from, from + count) on A; seconds until B has committed them. */
static double propagate(long from, long count)
{
	double t0 = now_s();
	uint32_t want;
	long i;

	for (i = from; i < from + count; i++) {
		char name[64];

		snprintf(name, sizeof(name), "p%07ld.bench.example", i);
		if (fw_fleet_publish(a.f, 0, name, FW_MATCH_SUBTREE, 90.0, 4102444800, "bench"))
			die("publish failed");
	}
	if (fw_fleet_flush(a.f))
		die("cannot write node A's publish queue");
	while (stats(&a).queue)
		if (now_s() - t0 > WAIT_S)
			die("node A's queue did not drain (see knot.log)");
		else
			usleep(1000);
	drained_s = now_s() - t0;
	want = primary_serial();
	while (stats(&b).sub[0].serial < want)
		if (now_s() - t0 > WAIT_S)
			die("node B did not reach the primary's serial");
		else
			usleep(1000);
	return now_s() - t0;
}

/* The rpz_apply events in B's log after the first skip ones, summed. */
static long sum_applies(long skip, double *apply_s, double *max_s, long *bytes, long *added)
{
	char line[1024], *p;
	FILE *f = fopen(b.log, "r");
	long n = 0;

	*apply_s = *max_s = 0;
	*bytes = *added = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (!strstr(line, "\"rpz_apply\"") || n++ < skip)
			continue;
		if (getenv("FLUXWALL_BENCH_VERBOSE"))
			fputs(line, stderr);
		if ((p = strstr(line, "\"apply_s\":"))) {
			double t = strtod(p + 10, NULL);

			*apply_s += t;
			if (t > *max_s)
				*max_s = t;
		}
		if ((p = strstr(line, "\"bytes\":")))
			*bytes += strtol(p + 8, NULL, 10);
		if ((p = strstr(line, "\"added\":")))
			*added += strtol(p + 8, NULL, 10);
	}
	if (f)
		fclose(f);
	return n;
}

/* B's lists grow by a 10^6-name feed, through the CLI as an operator would. */
static double load_big(void)
{
	char feed[300], cli[4096],
	    *argv[] = {cli, "block", "import", feed, "--source", "bulk", NULL};
	double t0 = now_s();
	pid_t pid;
	FILE *f;
	long i;
	int st;

	snprintf(feed, sizeof(feed), "%s/feed.txt", tmp);
	f = fopen(feed, "w");
	for (i = 0; f && i < big_n; i++)
		fprintf(f, "bulk%07ld.example.net\n", i);
	if (!f || fclose(f) || !realpath("build/fluxwall", cli))
		die("cannot write the feed, or build/fluxwall is missing");
	setenv("FLUXWALL_PIN_PATH", b.pin, 1);
	setenv("FLUXWALL_STATE_DIR", b.dir, 1);
	if (posix_spawn(&pid, cli, NULL, NULL, argv, environ) || waitpid(pid, &st, 0) < 0 ||
	    !WIFEXITED(st) || WEXITSTATUS(st))
		die("block import failed");
	unlink(feed);
	return now_s() - t0;
}

struct ixfr {
	double apply_s, max_s, total_s, drained_s; /* max_s: the slowest transfer's */
	long bytes, added, transfers;
};

/* IXFR_N new names: the transfers that carried them, summed. */
static struct ixfr ixfr_of(long from)
{
	struct ixfr x = {0};
	double d;
	long b0 = sum_applies(0, &d, &d, &x.bytes, &x.added);

	x.total_s = propagate(from, IXFR_N);
	x.drained_s = drained_s;
	x.transfers = sum_applies(b0, &x.apply_s, &x.max_s, &x.bytes, &x.added) - b0;
	return x;
}

int main(void)
{
	static const long sizes[] = {1, 100, 10000};
	double prop[3], drained[3], base, import_s;
	struct ixfr empty, big;
	char keys[300];
	FILE *json;
	int i;

	if (geteuid())
		die("run as root (pinned BPF maps)");
	if (getenv("FLUXWALL_BENCH_BIG"))
		big_n = atol(getenv("FLUXWALL_BENCH_BIG"));
	snprintf(tmp, sizeof(tmp), "/tmp/fluxwall-bench-fleet-XXXXXX");
	if (!mkdtemp(tmp))
		die("mkdtemp");
	atexit(cleanup);
	signal(SIGPIPE, SIG_IGN);
	port = 20000 + getpid() % 20000;
	snprintf(knot_conf, sizeof(knot_conf), "%s/knot.conf", tmp);
	snprintf(keys, sizeof(keys), "%s/keys", tmp);
	write_file(keys, "hmac-sha256:fleet:" SECRET "\n", 0600);
	start_knot();
	for (i = 0; i < 100 && !primary_serial(); i++)
		usleep(50000);
	if (!primary_serial())
		die("knotd does not answer");
	node_dirs(&a, "a");
	node_dirs(&b, "b");
	snprintf(b.pin, sizeof(b.pin), "/sys/fs/bpf/fluxwall-bench-fleet-%d", (int)getpid());
	a.f = start_node(&a, 1, keys);
	b.f = start_node(&b, 0, keys);
	while (!stats(&b).sub[0].have_serial)
		usleep(10000); /* B's first AXFR */

	/* propagation: 1, 100, 10,000 new names; the first is the baseline */
	for (i = 0; i < 3; i++) {
		prop[i] = propagate(i * 100000L, sizes[i]);
		drained[i] = drained_s;
	}
	base = prop[0];
	empty = ixfr_of(500000); /* into B's lists of about 10^4 names */
	import_s = load_big();
	big = ixfr_of(600000);

	printf("\nFleet: node A publishes, Knot carries, node B enforces (loopback)\n");
	printf("%-12s %14s %10s %8s %10s\n", "new names", "A published", "B enforced", "ratio",
	       "target");
	for (i = 0; i < 3; i++)
		printf("%-12ld %12.3f s %8.3f s %7.2fx %10s\n", sizes[i], drained[i], prop[i],
		       prop[i] / base, "<= 5 s");
	printf("IXFR of %d additions: %ld transfer(s), %ld bytes (%.1f per name), %ld "
	       "entries added\n",
	       IXFR_N, big.transfers, big.bytes, (double)big.bytes / IXFR_N, big.added);
	printf("  apply into ~10^4 rules %.3f s, into %ld rules %.3f s: %.2fx\n", empty.apply_s,
	       big_n, big.apply_s, big.apply_s / (empty.apply_s > 0 ? empty.apply_s : 1e-3));
	printf("  slowest transfer's apply: %.3f s (small list), %.3f s (%ld rules); a journal\n"
	       "  compaction, which rewrites the lists whole, falls in one of them now and then\n",
	       empty.max_s, big.max_s, big_n);
	printf("  apply without the slowest: %.3f s into %ld rules\n", big.apply_s - big.max_s,
	       big_n);
	printf("  (%ld-name feed import on B for the setup: %.1f s)\n", big_n, import_s);

	json = fopen("build/bench-fleet.json", "w");
	if (json) {
		fprintf(json,
			"{\"propagation_s\":{\"1\":%.4f,\"100\":%.4f,\"10000\":%.4f},"
			"\"published_s\":{\"1\":%.4f,\"100\":%.4f,\"10000\":%.4f},"
			"\"ixfr\":{\"changes\":%d,\"transfers\":%ld,\"bytes\":%ld,\"list\":%ld,"
			"\"apply_s_small\":%.4f,\"apply_s_big\":%.4f,\"ratio\":%.3f,"
			"\"slowest_s_small\":%.4f,\"slowest_s_big\":%.4f}}\n",
			prop[0], prop[1], prop[2], drained[0], drained[1], drained[2], IXFR_N,
			big.transfers, big.bytes, big_n, empty.apply_s, big.apply_s,
			big.apply_s / (empty.apply_s > 0 ? empty.apply_s : 1e-3), empty.max_s,
			big.max_s);
		fclose(json);
	}
	return 0;
}
