// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * make bench: per-packet cost of the XDP program with BPF_PROG_TEST_RUN, as a
 * ratio to two programs run in the same process, so that noise from a shared
 * machine cancels out: a trivial XDP_PASS program, and bench_exact, the
 * simplest exact-match DNS filter (one 256-byte key, one hash lookup) holding
 * the same names. Also the rule map's kernel memory per name and the time to
 * bulk-load names through the CLI.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "xdp_harness.h"
#include "pktbuild.h"
#include "dataplane/pinned_maps.h"
#include "dataplane/rule_sync.h"
#include "formats/dns_name.h"
#include "formats/state_file.h"
#include "bench_exact.h"

#define REPEAT	1000000
#define ROUNDS	9

struct frame {
	const char *name;
	uint8_t buf[PB_MAX_FRAME];
	size_t len;
	double target; /* ratio to the trivial program */
	double ns[3];  /* per map size */
	double exact[3]; /* ratio to bench_exact, per map size */
	double exact_ns[3];
	const char *exact_name; /* what bench_exact must hold to drop it, or NULL */
	uint32_t verdict;	/* fluxwall's: an NXDOMAIN rewrite passes */
};

/* The reference program and its map of exact names. */
struct exact_ref {
	int prog_fd;
	int map_fd;
};

static double run_ns(int prog_fd, const uint8_t *frame, size_t len)
{
	static uint8_t out[PB_MAX_FRAME];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = REPEAT);

	if (bpf_prog_test_run_opts(prog_fd, &opts)) {
		fprintf(stderr, "bench: BPF_PROG_TEST_RUN failed: %s\n", strerror(errno));
		exit(1);
	}
	return opts.duration; /* average ns per run */
}

static struct bpf_object *load_object(const char *file)
{
	struct bpf_object *obj;
	char path[4200];

	snprintf(path, sizeof(path), "%s/build/%s", fwh_repo_root(), file);
	obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "bench: cannot load %s\n", path);
		exit(1);
	}
	return obj;
}

static int load_trivial(void)
{
	struct bpf_object *obj = load_object("bench_pass.bpf.o");

	return bpf_program__fd(bpf_object__find_program_by_name(obj, "trivial_pass"));
}

static void load_exact(struct exact_ref *x)
{
	struct bpf_object *obj = load_object("bench_exact.bpf.o");

	x->prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "exact_match"));
	x->map_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "exact_names"));
}

/* Store a name in bench_exact's map, in the layout its key has. */
static void exact_add(const struct exact_ref *x, const char *text)
{
	struct fw_exact_key key = {};
	struct fw_name n;
	char err[256];
	__u8 one = 1;

	if (fw_name_parse(text, &n, err, sizeof(err))) {
		fprintf(stderr, "bench: %s: %s\n", text, err);
		exit(1);
	}
	memcpy(key.name, n.wire, n.wire_len);
	if (bpf_map_update_elem(x->map_fd, &key, &one, BPF_ANY)) {
		fprintf(stderr, "bench: bench_exact map: %s\n", strerror(errno));
		exit(1);
	}
}

static void build_dns(struct frame *f, const char *qname)
{
	struct pb_dns m;
	char addr[32];
	int i;

	pb_dns_init(&m, 0x1234, PB_DNS_QR | PB_DNS_RD | PB_DNS_RA, 1, 4, 0, 0);
	pb_dns_question(&m, qname, PB_TYPE_A, PB_CLASS_IN);
	for (i = 0; i < 4; i++) {
		snprintf(addr, sizeof(addr), "198.51.100.%d", 10 + i);
		pb_dns_rr_a(&m, PB_QUESTION_OFF, 300, addr);
	}
	f->len = pb_build_dns(NULL, &m, f->buf, sizeof(f->buf));
}

static void build_not_dns(struct frame *f)
{
	static const uint8_t payload[64];
	struct pb_spec s = { .sport = 40001, .dport = 40002, .payload = payload,
			     .payload_len = sizeof(payload) };

	f->len = pb_build(&s, f->buf, sizeof(f->buf));
}

/* The i-th fill name: 2 to 6 labels, so every rule depth from 2 to 6 is in use. */
static void fill_name(char *name, size_t cap, long i)
{
	static const char *const tails[] = { "example", "f.example", "g.f.example",
					      "h.g.f.example", "i.h.g.f.example" };

	snprintf(name, cap, "n%07ld.%s", i, tails[i % 5]);
}

/* Fill the rules with n names through the library, as an import would. */
static void fill_rules(struct fwh *h, const struct exact_ref *x, long n)
{
	struct fw_state from, to;
	struct fw_maps m;
	char err[1024], name[64];
	long i;

	if (fw_state_load(&from, h->state, err, sizeof(err)) ||
	    fw_maps_open(&m, h->sb.pin, 0, 0, err, sizeof(err)) || fw_state_clone(&from, &to)) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	for (i = to.n; i < n; i++) {
		struct fw_entry e = { .name = name, .source = "bench", .reason = "",
				      .origin = FW_ORIGIN_FEED };

		fill_name(name, sizeof(name), i);
		fw_state_add(&to, &e);
		exact_add(x, name);
	}
	if (fw_sync_maps(&m, &from, &to, 0, err, sizeof(err)) || fw_state_save(&to, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	fw_state_free(&from);
	fw_state_free(&to);
	fw_maps_close(&m);
}

static long memlock_of(const char *pin, const char *map)
{
	char path[4200], line[256];
	long v = -1;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin, map);
	fd = bpf_obj_get(path);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	close(fd);
	return v;
}

/* Instructions the verifier processed to accept the program (limit 10^6). */
static unsigned int verified_insns(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(prog_fd, &info, &len) ? 0 : info.verified_insns;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median over rounds of the case's time divided by the trivial program's. */
static double measure_ratio(int trivial_fd, int prog_fd, const struct frame *f, double *ns)
{
	double ratio[ROUNDS], t, c;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		t = run_ns(trivial_fd, f->buf, f->len);
		c = run_ns(prog_fd, f->buf, f->len);
		ratio[r] = c / (t > 0 ? t : 1);
		ns[r] = c;
	}
	qsort(ratio, ROUNDS, sizeof(double), cmp_double);
	qsort(ns, ROUNDS, sizeof(double), cmp_double);
	return ratio[ROUNDS / 2];
}

/*
 * Median over rounds of b's time over a's, run back to back by the same
 * program: apart, the machine's drift between them is larger than the gap.
 */
static double measure_pair(int prog_fd, const struct frame *a, const struct frame *b)
{
	double ratio[ROUNDS], t;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		t = run_ns(prog_fd, a->buf, a->len);
		ratio[r] = run_ns(prog_fd, b->buf, b->len) / (t > 0 ? t : 1);
	}
	qsort(ratio, ROUNDS, sizeof(double), cmp_double);
	return ratio[ROUNDS / 2];
}

/*
 * The same against bench_exact, in rounds that alternate the two programs:
 * the median ratio to the reference, and the reference's median time.
 */
static double measure_exact(const struct exact_ref *x, int prog_fd, const struct frame *f,
			    double *exact_ns)
{
	double ratio[ROUNDS], ns[ROUNDS], e;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		e = run_ns(x->prog_fd, f->buf, f->len);
		ratio[r] = run_ns(prog_fd, f->buf, f->len) / (e > 0 ? e : 1);
		ns[r] = e;
	}
	qsort(ratio, ROUNDS, sizeof(double), cmp_double);
	qsort(ns, ROUNDS, sizeof(double), cmp_double);
	*exact_ns = ns[ROUNDS / 2];
	return ratio[ROUNDS / 2];
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Time `fluxwall block import` of n names into fresh maps, as an operator would. */
static double time_cli_import(struct fwh *h, long n)
{
	char list[4200], cmd[16384];
	double t0, t;
	FILE *f;
	long i;

	snprintf(list, sizeof(list), "%s/bulk.txt", h->state);
	f = fopen(list, "w");
	for (i = 0; f && i < n; i++)
		fprintf(f, "bulk%07ld.example.net\n", i);
	if (f)
		fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "FLUXWALL_PIN_PATH=%s-bulk FLUXWALL_STATE_DIR=%s/bulk %s block import %s "
		 "--source bulk >/dev/null",
		 h->sb.pin, h->state, h->cli, list);
	t0 = now_s();
	if (system(cmd)) {
		fprintf(stderr, "bench: '%s' failed\n", cmd);
		t = -1;
	} else {
		t = now_s() - t0;
	}
	snprintf(cmd, sizeof(cmd),
		 "FLUXWALL_PIN_PATH=%s-bulk FLUXWALL_STATE_DIR=%s/bulk %s detach --purge >/dev/null",
		 h->sb.pin, h->state, h->cli);
	if (system(cmd))
		fprintf(stderr, "bench: cleaning up %s-bulk failed\n", h->sb.pin);
	return t;
}

static void set_sampling(struct fwh *h, int on, uint64_t interval_ns)
{
	struct fw_config cfg;
	struct fw_maps m;
	char err[512];

	if (fw_maps_open(&m, h->sb.pin, 0, 0, err, sizeof(err)) || fw_maps_get_config(&m, &cfg)) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	cfg.sampling = on;
	cfg.sample_interval_ns = interval_ns;
	fw_maps_set_config(&m, &cfg);
	fw_maps_close(&m);
}

static void drain(void *ctx, const struct fw_sample *s)
{
}

/*
 * A sampled response writes a ring-buffer record each time; the buffer is
 * drained between short runs so every run measures a real reservation, not
 * the cheaper "buffer full" path.
 */
static double sent_ns(struct fwh *h, const struct frame *f)
{
	static uint8_t out[PB_MAX_FRAME];
	double sum = 0;
	int k;

	for (k = 0; k < 200; k++) {
		struct fw_sandbox_run o = { .in = f->buf, .in_len = f->len, .out = out,
					    .out_cap = sizeof(out), .repeat = 2000 };

		fw_sandbox_run(&h->sb, &o); /* drains the ring after the run */
		sum += o.duration_ns;
	}
	return sum / 200;
}

/* Sampling's cost, as time with sampling on over time with it off, round by round. */
struct sampling_cost {
	double vs_off;	   /* median of on / off */
	double vs_trivial; /* median of on / trivial */
	double ns;	   /* median time with sampling on */
};

static void measure_sampling(struct fwh *h, int trivial_fd, const struct frame *f,
			     uint64_t interval_ns, int sent, struct sampling_cost *c)
{
	double vs_off[ROUNDS], vs_trivial[ROUNDS], ns[ROUNDS], off, on;
	int r;

	fwh_on_sample(h, drain, NULL);
	for (r = 0; r < ROUNDS; r++) {
		set_sampling(h, 0, 0);
		off = run_ns(h->sb.prog_fd, f->buf, f->len);
		set_sampling(h, 1, interval_ns);
		on = sent ? sent_ns(h, f) : run_ns(h->sb.prog_fd, f->buf, f->len);
		vs_off[r] = on / (off > 0 ? off : 1);
		vs_trivial[r] = on / run_ns(trivial_fd, f->buf, f->len);
		ns[r] = on;
	}
	set_sampling(h, 0, 0);
	qsort(vs_off, ROUNDS, sizeof(double), cmp_double);
	qsort(vs_trivial, ROUNDS, sizeof(double), cmp_double);
	qsort(ns, ROUNDS, sizeof(double), cmp_double);
	c->vs_off = vs_off[ROUNDS / 2];
	c->vs_trivial = vs_trivial[ROUNDS / 2];
	c->ns = ns[ROUNDS / 2];
}

/* Each frame's verdict from both programs: the comparison is void if one is wrong. */
static void check_verdicts(struct fwh *h, const struct exact_ref *x, const struct frame *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, a, .data_in = f->buf, .data_size_in = f->len);
	LIBBPF_OPTS(bpf_test_run_opts, b, .data_in = f->buf, .data_size_in = f->len);
	uint32_t want = f->exact_name ? XDP_DROP : XDP_PASS;

	if (bpf_prog_test_run_opts(x->prog_fd, &a) || a.retval != want ||
	    bpf_prog_test_run_opts(h->sb.prog_fd, &b) || b.retval != f->verdict) {
		fprintf(stderr, "bench: '%s': bench_exact gave %u, fluxwall %u\n", f->name, a.retval,
			b.retval);
		exit(1);
	}
}

int main(void)
{
	static struct frame frames[4] = {
		{ .name = "non-DNS UDP", .target = 1.1, .verdict = XDP_PASS },
		{ .name = "DNS response, not blocked", .target = 2.0, .verdict = XDP_PASS },
		{ .name = "blocked, drop", .target = 2.5, .exact_name = "host.evil.example",
		  .verdict = XDP_DROP },
		{ .name = "blocked, nxdomain", .target = 2.5, .exact_name = "host.bad.example",
		  .verdict = XDP_PASS },
	};
	static const long sizes[3] = { 1, 10000, 1000000 };
	double ratio[4][3], ns[ROUNDS], t_import, triv_ns[ROUNDS], drop_vs;
	struct sampling_cost suppressed, sampled;
	long mem_small, mem_big, filter_bytes;
	int trivial_fd, s, i;
	struct exact_ref x;
	FILE *json;
	struct fwh h;

	setenv("FWH_CAPACITY", "1048576", 1);
	if (fwh_open(&h, "bench"))
		return 1;
	trivial_fd = load_trivial();
	load_exact(&x);
	build_not_dns(&frames[0]);
	build_dns(&frames[1], "www.example.com");
	build_dns(&frames[2], "host.evil.example");
	build_dns(&frames[3], "host.bad.example");
	fwh_cli(&h, (char *const[]){ "block", "add", "evil.example", "--action", "drop", NULL });
	fwh_cli(&h, (char *const[]){ "block", "add", "bad.example", "--action", "nxdomain", NULL });
	exact_add(&x, "host.evil.example");
	exact_add(&x, "host.bad.example");
	/* The fill names have 2 to 6 labels: give the small map the same depths. */
	for (i = 0; i < 5; i++) {
		char name[64];

		fill_name(name, sizeof(name), i);
		fwh_cli(&h, (char *const[]){ "block", "add", name, NULL });
	}

	mem_small = memlock_of(h.sb.pin, FW_MAP_RULES);
	for (s = 0; s < 3; s++) {
		fill_rules(&h, &x, sizes[s]);
		for (i = 0; i < 4; i++) {
			check_verdicts(&h, &x, &frames[i]);
			ratio[i][s] = measure_ratio(trivial_fd, h.sb.prog_fd, &frames[i], ns);
			frames[i].ns[s] = ns[ROUNDS / 2];
			frames[i].exact[s] = measure_exact(&x, h.sb.prog_fd, &frames[i], ns);
			frames[i].exact_ns[s] = ns[0];
		}
	}
	drop_vs = measure_pair(h.sb.prog_fd, &frames[1], &frames[2]); /* at 10^6 names */
	/* Samples: an unchanged answer set within the interval is suppressed. */
	measure_sampling(&h, trivial_fd, &frames[1], 60ull * 1000000000ull, 0, &suppressed);
	measure_sampling(&h, trivial_fd, &frames[1], 0, 1, &sampled);
	measure_ratio(trivial_fd, trivial_fd, &frames[1], triv_ns);
	mem_big = memlock_of(h.sb.pin, FW_MAP_RULES);
	filter_bytes = memlock_of(h.sb.pin, FW_MAP_FILTER);
	t_import = time_cli_import(&h, 1000000);

	printf("\nXDP per-packet cost (BPF_PROG_TEST_RUN, %d runs x %d rounds, median)\n", REPEAT,
	       ROUNDS);
	printf("ratio to the trivial program (ns), then to bench_exact holding the same names\n");
	printf("%-28s %-8s %22s %22s %22s\n", "case", "target", "1 name", "10^4 names",
	       "10^6 names");
	for (i = 0; i < 4; i++) {
		printf("%-28s <=%-6.2f", frames[i].name, frames[i].target);
		for (s = 0; s < 3; s++)
			printf("  %5.2fx %5.1fns %5.2fx", ratio[i][s], frames[i].ns[s],
			       frames[i].exact[s]);
		printf("\n");
	}
	printf("%-28s <=%-6.2f  %5.2fx %5.1fns   (10^6 names)\n", "not blocked, sample suppressed",
	       2.5, suppressed.vs_trivial, suppressed.ns);
	printf("%-28s <=%-6.2f  %5.2fx %5.1fns   (10^6 names)\n", "not blocked, sampled", 3.5,
	       sampled.vs_trivial, sampled.ns);
	printf("not blocked vs bench_exact, 10^6 names: %.2fx (target <= 0.80)\n",
	       frames[1].exact[2]);
	printf("blocked (drop) vs not blocked, 10^6 names: %.2fx (target <= 1.10)\n",
	       drop_vs);
	printf("sampling on, suppressed vs off, 10^6 names: %.2fx (target <= 1.30)\n",
	       suppressed.vs_off);
	printf("sampling on, sent vs off, 10^6 names: %.2fx (target <= 2.50)\n", sampled.vs_off);
	printf("10^6 vs 1 name, not blocked: %.3fx (target <= 1.15)\n",
	       ratio[1][2] / ratio[1][0]);
	printf("kernel memory per name: %.1f bytes (rule map %.1f + filter %.1f; target <= 128)\n",
	       (double)(mem_big - mem_small + filter_bytes) / 1e6,
	       (double)(mem_big - mem_small) / 1e6, (double)filter_bytes / 1e6);
	printf("bulk import of 10^6 names through the CLI: %.2f s (target <= 10)\n", t_import);
	printf("verifier: %u instructions processed (limit 1000000)\n",
	       verified_insns(h.sb.prog_fd));

	json = fopen("build/bench-xdp.json", "w");
	if (json) {
		fprintf(json, "{\"repeat\":%d,\"rounds\":%d,\"trivial_ns\":%.1f,\"cases\":[", REPEAT,
			ROUNDS, triv_ns[ROUNDS / 2]);
		for (i = 0; i < 4; i++) {
			fprintf(json, "%s{\"case\":\"%s\",\"target_ratio\":%.2f,\"ratio\":[", i ? "," : "",
				frames[i].name, frames[i].target);
			for (s = 0; s < 3; s++)
				fprintf(json, "%s%.3f", s ? "," : "", ratio[i][s]);
			fprintf(json, "],\"ns\":[");
			for (s = 0; s < 3; s++)
				fprintf(json, "%s%.1f", s ? "," : "", frames[i].ns[s]);
			fprintf(json, "],\"ratio_exact\":[");
			for (s = 0; s < 3; s++)
				fprintf(json, "%s%.3f", s ? "," : "", frames[i].exact[s]);
			fprintf(json, "],\"exact_ns\":[");
			for (s = 0; s < 3; s++)
				fprintf(json, "%s%.1f", s ? "," : "", frames[i].exact_ns[s]);
			fprintf(json, "],\"names\":[1,10000,1000000]}");
		}
		fprintf(json, "],\"sample_suppressed_ratio\":%.3f,\"sampled_ratio\":%.3f,"
			      "\"suppressed_vs_unsampled\":%.3f,\"sampled_vs_unsampled\":%.3f,"
			      "\"drop_vs_not_blocked\":%.3f,"
			      "\"scaling_1e6_vs_1\":%.3f,\"bytes_per_name\":%.1f,"
			      "\"bulk_import_1e6_s\":%.2f,\"verified_insns\":%u}\n",
			suppressed.vs_trivial, sampled.vs_trivial, suppressed.vs_off,
			sampled.vs_off, drop_vs, ratio[1][2] / ratio[1][0],
			(double)(mem_big - mem_small + filter_bytes) / 1e6, t_import,
			verified_insns(h.sb.prog_fd));
		fclose(json);
	}
	fwh_close(&h);
	return 0;
}
