// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The control plane at 10^6 rules: `block add`, `block del`, `status` run as
 * an operator runs them, and the daemon's auto-block and expiry commits run
 * in-process as the daemon runs them. Each is timed with an empty list and
 * then with a 10^6-name feed loaded, in the same run, and reported as the
 * ratio of the two, with the CLI's peak RSS. Private pins and state dir.
 */
#include <errno.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "daemon/daemon_lists.h"

#define ROUNDS 15
#define BIG    1000000

extern char **environ;

struct bench {
	char pin[256], dir[256], conf[300], cli[4096];
	struct fw_lists_where where;
};

struct sample {
	double ms;
	long rss_kb;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Run the CLI with args; its wall time and peak RSS. Exits on failure. */
static struct sample run_cli(struct bench *b, const char *const *args)
{
	char *argv[16];
	struct rusage ru;
	struct sample s;
	pid_t pid;
	int i = 0, st;
	double t0;

	argv[i++] = b->cli;
	argv[i++] = "--config";
	argv[i++] = b->conf;
	for (; *args && i < 15; args++)
		argv[i++] = (char *)*args;
	argv[i] = NULL;
	t0 = now_ms();
	if (posix_spawn(&pid, b->cli, NULL, NULL, argv, environ)) {
		perror("bench: spawn");
		exit(1);
	}
	if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "bench: '%s %s' failed\n", b->cli, argv[3]);
		exit(1);
	}
	s.ms = now_ms() - t0;
	s.rss_kb = ru.ru_maxrss;
	return s;
}

static int quiet(void)
{
	int saved = dup(1);

	if (!freopen("/dev/null", "w", stdout))
		return -1;
	return saved;
}

static void loud(int saved)
{
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
}

struct figures {
	double add, del, status, commit, expire; /* median ms */
	long add_rss, status_rss;		 /* KiB */
};

/* block add/del of one name and status, ROUNDS times each; medians. */
static void time_cli(struct bench *b, struct figures *f)
{
	double add[ROUNDS], del[ROUNDS], st[ROUNDS];
	const char *a[] = { "block", "add", "one.bench.example", NULL };
	const char *d[] = { "block", "del", "one.bench.example", NULL };
	const char *s[] = { "status", NULL };
	int i, saved = quiet();

	f->add_rss = f->status_rss = 0;
	for (i = 0; i < ROUNDS; i++) {
		struct sample x = run_cli(b, a), y = run_cli(b, d), z = run_cli(b, s);

		add[i] = x.ms;
		del[i] = y.ms;
		st[i] = z.ms;
		if (x.rss_kb > f->add_rss)
			f->add_rss = x.rss_kb;
		if (y.rss_kb > f->add_rss)
			f->add_rss = y.rss_kb;
		if (z.rss_kb > f->status_rss)
			f->status_rss = z.rss_kb;
	}
	loud(saved);
	qsort(add, ROUNDS, sizeof(double), cmp_double);
	qsort(del, ROUNDS, sizeof(double), cmp_double);
	qsort(st, ROUNDS, sizeof(double), cmp_double);
	f->add = add[ROUNDS / 2];
	f->del = del[ROUNDS / 2];
	f->status = st[ROUNDS / 2];
}

/*
 * The daemon's way: its lists opened once at start, then each detection
 * queued and committed, each expiry unqueued and committed.
 */
static void time_daemon(struct bench *b, struct figures *f)
{
	double add[ROUNDS], exp[ROUNDS];
	struct fw_daemon_lists l;
	struct fw_ctx ctx;
	int i;

	if (fw_ctx_open(&ctx, &b->where, 1))
		exit(1);
	fw_daemon_lists_init(&l, &b->where, NULL, &ctx.state);
	fw_daemon_lists_seen(&l, &ctx.store);
	fw_ctx_close(&ctx);
	for (i = 0; i < ROUNDS; i++) {
		char name[64];
		double t0;

		snprintf(name, sizeof(name), "flux%02d.bench.example", i);
		t0 = now_ms();
		fw_daemon_lists_queue(&l, name, 77.0, "bench", 4102444800ull * 1000000000ull, 0);
		if (fw_daemon_lists_commit(&l))
			exit(1);
		add[i] = now_ms() - t0;
		t0 = now_ms();
		fw_daemon_lists_unqueue(&l, name);
		if (fw_daemon_lists_commit(&l))
			exit(1);
		exp[i] = now_ms() - t0;
	}
	fw_daemon_lists_free(&l);
	qsort(add, ROUNDS, sizeof(double), cmp_double);
	qsort(exp, ROUNDS, sizeof(double), cmp_double);
	f->commit = add[ROUNDS / 2];
	f->expire = exp[ROUNDS / 2];
}

static double load_feed(struct bench *b, const char *source, long n)
{
	const char *args[] = { "block", "import", NULL, "--source", source, NULL };
	char path[400];
	struct sample s;
	FILE *f;
	long i;
	int saved;

	snprintf(path, sizeof(path), "%s/feed.txt", b->dir);
	f = fopen(path, "w");
	for (i = 0; f && i < n; i++)
		fprintf(f, "bulk%07ld.example.net\n", i);
	if (!f || fclose(f)) {
		fprintf(stderr, "bench: cannot write %s\n", path);
		exit(1);
	}
	args[2] = path;
	saved = quiet();
	s = run_cli(b, args);
	loud(saved);
	return s.ms;
}

static long disk_bytes(const struct bench *b)
{
	static const char *const files[] = { FW_STATE_FILE, FW_JOURNAL_FILE };
	char path[400];
	struct stat sb;
	long total = 0;
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", b->dir, files[i]);
		if (!stat(path, &sb))
			total += sb.st_size;
	}
	return total;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static struct bench *cleanup_b;

static void cleanup(void)
{
	if (!cleanup_b)
		return;
	nftw(cleanup_b->pin, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	nftw(cleanup_b->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	cleanup_b = NULL;
}

static void setup(struct bench *b)
{
	FILE *f;

	memset(b, 0, sizeof(*b));
	/* bpffs refuses dots in names */
	snprintf(b->pin, sizeof(b->pin), "/sys/fs/bpf/fluxwall-bench-control-%d", (int)getpid());
	snprintf(b->dir, sizeof(b->dir), "/tmp/fluxwall-bench-control-XXXXXX");
	if (!mkdtemp(b->dir)) {
		perror("bench: mkdtemp");
		exit(1);
	}
	cleanup_b = b;
	atexit(cleanup);
	/* no event log, no geo databases: the lists' cost alone */
	snprintf(b->conf, sizeof(b->conf), "%s/fluxwall.conf", b->dir);
	f = fopen(b->conf, "w");
	if (!f) {
		perror("bench: config");
		exit(1);
	}
	fprintf(f, "event_log =\ngeo_asn_db =\ngeo_country_db =\ngeo_city_db =\n");
	fclose(f);
	if (!realpath("build/fluxwall", b->cli)) {
		fprintf(stderr, "bench: build/fluxwall is missing; run make\n");
		exit(1);
	}
	setenv("FLUXWALL_PIN_PATH", b->pin, 1);
	setenv("FLUXWALL_STATE_DIR", b->dir, 1);
	snprintf(b->where.pin_path, sizeof(b->where.pin_path), "%s", b->pin);
	snprintf(b->where.state_dir, sizeof(b->where.state_dir), "%s", b->dir);
	b->where.capacity = 1048576;
}

static double ratio(double big, double empty)
{
	return big / (empty > 0 ? empty : 1e-3);
}

int main(void)
{
	struct figures e, g;
	double t_import, t_reimport;
	long bytes;
	int misses = 0;
	struct bench b;
	FILE *json;

	if (geteuid()) {
		fprintf(stderr, "bench: run as root (pinned BPF maps)\n");
		return 1;
	}
	setup(&b);
	time_cli(&b, &e); /* the first creates the maps; not counted */
	time_cli(&b, &e);
	time_daemon(&b, &e);
	t_import = load_feed(&b, "bulk", BIG) / 1e3;
	time_cli(&b, &g);
	time_daemon(&b, &g);
	t_reimport = load_feed(&b, "bulk", BIG) / 1e3;
	bytes = disk_bytes(&b);

	printf("\nControl plane, empty list vs %d names (median of %d, ms)\n", BIG, ROUNDS);
	printf("%-26s %10s %10s %8s %10s\n", "operation", "empty", "10^6", "ratio", "target");
#define ROW(label, field, target)                                                         \
	do {                                                                              \
		printf("%-26s %10.2f %10.2f %7.2fx %9s\n", label, e.field, g.field,       \
		       ratio(g.field, e.field), "<= " #target " ms");                     \
		misses += g.field > target;                                               \
	} while (0)
	ROW("block add (CLI)", add, 20);
	ROW("block del (CLI)", del, 20);
	ROW("status (CLI)", status, 100);
	ROW("auto-block commit (daemon)", commit, 5);
	ROW("expiry commit (daemon)", expire, 5);
	printf("CLI peak RSS: block add/del %ld KiB (empty %ld), status %ld KiB (empty %ld); "
	       "target <= 64 MiB\n",
	       g.add_rss, e.add_rss, g.status_rss, e.status_rss);
	misses += g.add_rss > 64 * 1024 || g.status_rss > 64 * 1024;
	printf("import of %d names %.2f s, re-import unchanged %.2f s (target <= 5)\n", BIG,
	       t_import, t_reimport);
	misses += t_reimport > 5;
	printf("state file and journal: %.1f bytes per rule (target <= 100)\n",
	       (double)bytes / BIG);
	misses += (double)bytes / BIG > 100;
	if (misses)
		printf("%d target(s) missed\n", misses);

	json = fopen("build/bench-control.json", "w");
	if (json) {
		fprintf(json,
			"{\"names\":%d,\"rounds\":%d,"
			"\"block_add_ms\":[%.3f,%.3f],\"block_del_ms\":[%.3f,%.3f],"
			"\"status_ms\":[%.3f,%.3f],\"autoblock_commit_ms\":[%.3f,%.3f],"
			"\"expiry_commit_ms\":[%.3f,%.3f],"
			"\"ratio\":{\"block_add\":%.3f,\"block_del\":%.3f,\"status\":%.3f,"
			"\"autoblock_commit\":%.3f,\"expiry_commit\":%.3f},"
			"\"cli_rss_kib\":{\"edit\":[%ld,%ld],\"status\":[%ld,%ld]},"
			"\"import_s\":%.2f,\"reimport_s\":%.2f,\"disk_bytes_per_rule\":%.1f,"
			"\"targets_missed\":%d}\n",
			BIG, ROUNDS, e.add, g.add, e.del, g.del, e.status, g.status, e.commit,
			g.commit, e.expire, g.expire, ratio(g.add, e.add), ratio(g.del, e.del),
			ratio(g.status, e.status), ratio(g.commit, e.commit),
			ratio(g.expire, e.expire), e.add_rss, g.add_rss, e.status_rss,
			g.status_rss, t_import, t_reimport, (double)bytes / BIG, misses);
		fclose(json);
	}
	return 0;
}
