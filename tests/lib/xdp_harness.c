// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* BPF_PROG_TEST_RUN harness with private pinned maps; see xdp_harness.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/pinned_maps.h"
#include "xdp_harness.h"

#define TEST_CAPACITY 65536 /* small maps: tests hold a handful of rules */

/*
 * libbpf's output during a load, the verifier log included. Only its tail
 * is printed, and only when the load fails: a rejected program logs a
 * million instructions, and the reason is at the end.
 */
static char libbpf_tail[6144];
static size_t libbpf_tail_len;
static int load_failed; /* one refusal is enough; later tests fail fast */

static void tail_append(const char *p, size_t n)
{
	size_t cap = sizeof(libbpf_tail), keep;

	if (n > cap / 2) {
		p += n - cap / 2;
		n = cap / 2;
	}
	if (libbpf_tail_len + n > cap) {
		keep = cap / 2;
		memmove(libbpf_tail, libbpf_tail + libbpf_tail_len - keep, keep);
		libbpf_tail_len = keep;
	}
	memcpy(libbpf_tail + libbpf_tail_len, p, n);
	libbpf_tail_len += n;
}

static int libbpf_capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *msg;
	int n;

	if (level == LIBBPF_DEBUG)
		return 0;
	n = vasprintf(&msg, fmt, ap);
	if (n < 0)
		return 0;
	tail_append(msg, (size_t)n);
	free(msg);
	return 0;
}

/* The state directory to remove if the process ends before fwh_close(). */
static char cleanup_state[256];

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

/* rm -r; bpffs pins are removed with unlink like files. */
static void remove_tree(const char *path)
{
	if (path[0])
		nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void cleanup_now(void)
{
	remove_tree(cleanup_state);
	cleanup_state[0] = '\0';
}

static void cleanup_signal(int sig)
{
	cleanup_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_cleanup(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	atexit(cleanup_now);
	signal(SIGINT, cleanup_signal);
	signal(SIGTERM, cleanup_signal);
	signal(SIGHUP, cleanup_signal);
}

/*
 * The pid in "fluxwall-test-<tag>-<pid>" (pin) or "...-<pid>-XXXXXX"
 * (state), or 0 when the name does not end that way.
 */
static long owner_pid(const char *name, int state)
{
	char buf[256], *dash, *end;
	long pid;

	snprintf(buf, sizeof(buf), "%s", name);
	dash = strrchr(buf, '-');
	if (state && dash) {
		if (strlen(dash + 1) != 6) /* mkdtemp's XXXXXX */
			return 0;
		*dash = '\0';
		dash = strrchr(buf, '-');
	}
	if (!dash)
		return 0;
	pid = strtol(dash + 1, &end, 10);
	return *end ? 0 : pid;
}

/* Remove the state directories of test runs killed with SIGKILL. */
static void remove_stale(const char *dir, int state)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	if (!d)
		return;
	while ((e = readdir(d))) {
		long pid;

		if (strncmp(e->d_name, "fluxwall-test-", 14))
			continue;
		pid = owner_pid(e->d_name, state);
		if (pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		remove_tree(path);
	}
	closedir(d);
}

/* A file only the fluxwall repository has at its top. */
#define REPO_MARK "include/fluxwall_abi.h"

static int is_repo(const char *dir)
{
	char mark[PATH_MAX + sizeof(REPO_MARK)];

	snprintf(mark, sizeof(mark), "%s/" REPO_MARK, dir);
	return access(mark, R_OK) == 0;
}

/*
 * The nearest directory above the binary that holds REPO_MARK, so the
 * build tree (build/, build-asan/, ...) can be any depth below it.
 */
static int repo_above_exe(char *root, size_t len)
{
	char dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);

	if (n <= 0)
		return -1;
	dir[n] = '\0';
	/* dirname() may return its argument: copy through root each step. */
	do {
		snprintf(root, len, "%s", dirname(dir));
		snprintf(dir, sizeof(dir), "%s", root);
		if (is_repo(root))
			return 0;
	} while (strcmp(root, "/") && strcmp(root, "."));
	return -1;
}

const char *fwh_repo_root(void)
{
	static char root[PATH_MAX];

	if (root[0])
		return root;
	if (!repo_above_exe(root, sizeof(root)))
		return root;
	/* A binary copied out of the tree: the tree it was built from. */
	if (is_repo(FWH_SRCDIR)) {
		snprintf(root, sizeof(root), "%s", FWH_SRCDIR);
		return root;
	}
	fprintf(stderr, "tests: no fluxwall repository above this binary nor at %s (" REPO_MARK
		" is missing); rebuild the tests inside the repository\n",
		FWH_SRCDIR);
	snprintf(root, sizeof(root), ".");
	return root;
}

/* FLUXWALL_BIN, else the fluxwall of this build tree, else the repo's build/. */
static void find_cli(struct fwh *h)
{
	const char *env = getenv("FLUXWALL_BIN");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(h->cli, sizeof(h->cli), "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		/* BUILD/tests/test_x next to BUILD/fluxwall */
		snprintf(h->cli, sizeof(h->cli), "%s/../fluxwall", dirname(exe));
		if (access(h->cli, X_OK) == 0)
			return;
	}
	snprintf(h->cli, sizeof(h->cli), "%s/build/fluxwall", fwh_repo_root());
}

/* The CLI initialises seed, default action and port 53 on first open. */
static int init_config(struct fwh *h)
{
	struct fw_maps m;
	char err[512];

	if (fw_maps_open(&m, h->sb.pin, TEST_CAPACITY, 0, err, sizeof(err))) {
		fprintf(stderr, "fwh: %s\n", err);
		return -1;
	}
	fw_maps_close(&m);
	return 0;
}

int fwh_open(struct fwh *h, const char *tag)
{
	const char *cap = getenv("FWH_CAPACITY");
	char err[512], name[128];

	memset(h, 0, sizeof(*h));
	h->sb.prog_fd = h->sb.stats_fd = -1;
	install_cleanup();
	remove_stale("/tmp", 1);
	find_cli(h);
	snprintf(h->state, sizeof(h->state), "/tmp/fluxwall-test-%s-%d-XXXXXX", tag, (int)getpid());
	if (!mkdtemp(h->state)) {
		fprintf(stderr, "fwh: mkdtemp %s: %s\n", h->state, strerror(errno));
		return -1;
	}
	snprintf(cleanup_state, sizeof(cleanup_state), "%s", h->state);

	if (load_failed) {
		fprintf(stderr, "fwh: the program did not load earlier; not trying again\n");
		goto fail;
	}
	libbpf_tail_len = 0;
	libbpf_set_print(libbpf_capture);
	/* The benchmark needs room for 10^6 names; tests stay small. */
	snprintf(name, sizeof(name), "fluxwall-test-%s", tag);
	if (fw_sandbox_open(&h->sb, name, cap ? (uint32_t)atol(cap) : TEST_CAPACITY, err,
			    sizeof(err))) {
		load_failed = 1;
		fprintf(stderr, "fwh: libbpf output, last lines:\n%.*s\nfwh: %s\n",
			(int)libbpf_tail_len, libbpf_tail, err);
		goto fail;
	}
	if (init_config(h))
		goto fail;
	return 0;
fail:
	fwh_close(h);
	return -1;
}

void fwh_close(struct fwh *h)
{
	fw_sandbox_close(&h->sb);
	h->reading = 0;
	remove_tree(h->state);
	if (!strcmp(cleanup_state, h->state))
		cleanup_state[0] = '\0';
}

int fwh_open_with_cli(struct fwh *h, const char *tag)
{
	if (fwh_open(h, tag))
		return -1;
	if (access(h->cli, X_OK) == 0)
		return 0;
	fprintf(stderr, "%s is missing: run 'make build/fluxwall' first\n", h->cli);
	fwh_close(h);
	return -1;
}

static void run_child(struct fwh *h, char **argv, int out_fd)
{
	dup2(out_fd, STDOUT_FILENO);
	dup2(out_fd, STDERR_FILENO);
	setenv("FLUXWALL_PIN_PATH", h->sb.pin, 1);
	setenv("FLUXWALL_STATE_DIR", h->state, 1);
	execv(h->cli, argv);
	fprintf(stderr, "exec %s: %s\n", h->cli, strerror(errno));
	_exit(127);
}

static void read_output(struct fwh *h, int fd)
{
	size_t used = 0;
	ssize_t n;

	while (used + 1 < sizeof(h->cli_out) &&
	       (n = read(fd, h->cli_out + used, sizeof(h->cli_out) - 1 - used)) > 0)
		used += (size_t)n;
	h->cli_out[used] = '\0';
}

int fwh_cli(struct fwh *h, char *const args[])
{
	char *argv[256];
	int argc = 0, pipefd[2], status;
	pid_t pid;

	argv[argc++] = h->cli;
	while (argc < 255 && args[argc - 1]) {
		argv[argc] = args[argc - 1];
		argc++;
	}
	argv[argc] = NULL;

	h->cli_out[0] = '\0';
	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(pipefd[0]);
		run_child(h, argv, pipefd[1]);
	}
	close(pipefd[1]);
	read_output(h, pipefd[0]);
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int fwh_counters(struct fwh *h, uint64_t out[FW_CNT_MAX])
{
	return fw_sandbox_counters(&h->sb, out);
}

static void on_sample(void *ctx, const struct fw_sample *s)
{
	struct fwh *h = ctx;
	struct fwh_result *r = h->cur;

	if (r && r->n_samples < FWH_MAX_SAMPLES)
		r->samples[r->n_samples] = *s;
	if (r)
		r->n_samples++;
	if (h->user_fn)
		h->user_fn(h->user_ctx, s);
}

static int start_reading(struct fwh *h)
{
	char err[512];

	if (h->reading)
		return 0;
	if (fw_sandbox_on_sample(&h->sb, on_sample, h, err, sizeof(err))) {
		fprintf(stderr, "fwh: %s\n", err);
		return -1;
	}
	h->reading = 1;
	return 0;
}

int fwh_sampling(struct fwh *h)
{
	char err[512];

	if (fw_sandbox_sample_all(&h->sb, err, sizeof(err))) {
		fprintf(stderr, "fwh: %s\n", err);
		return -1;
	}
	return start_reading(h);
}

int fwh_on_sample(struct fwh *h, fw_sample_fn fn, void *ctx)
{
	h->user_fn = fn;
	h->user_ctx = ctx;
	return start_reading(h);
}

int fwh_run(struct fwh *h, const uint8_t *frame, size_t len, struct fwh_result *r)
{
	struct fw_sandbox_run run = {.in = frame, .in_len = len, .out = r->out, .out_cap = sizeof(r->out)};
	uint64_t before[FW_CNT_MAX], after[FW_CNT_MAX];
	int i;

	memset(r->delta, 0, sizeof(r->delta));
	r->verdict = (uint32_t)-1;
	r->out_len = 0;
	r->n_samples = 0;
	if (fwh_counters(h, before))
		return r->err = -errno;
	h->cur = r;
	r->err = fw_sandbox_run(&h->sb, &run);
	h->cur = NULL;
	if (r->err)
		return r->err;
	r->verdict = run.verdict;
	r->out_len = run.out_len;
	if (fwh_counters(h, after))
		return r->err = -errno;
	for (i = 0; i < FW_CNT_MAX; i++)
		r->delta[i] = after[i] - before[i];
	return 0;
}

void fwh_print_delta(const struct fwh_result *r)
{
	unsigned int i;

	fprintf(stderr, "  verdict %u, counters moved:", r->verdict);
	for (i = 0; i < FW_CNT_MAX; i++)
		if (r->delta[i])
			fprintf(stderr, " %s+%llu", fw_counter_name(i),
				(unsigned long long)r->delta[i]);
	fputc('\n', stderr);
}

char *fwh_slurp(const char *rel)
{
	char path[PATH_MAX + 256], *buf = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", fwh_repo_root(), rel);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "fwh: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0) {
		rewind(f);
		buf = calloc(1, (size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

int fwh_tmpdir(char *path, size_t len, const char *tag)
{
	snprintf(path, len, "/tmp/fw-test-%s-XXXXXX", tag);
	return mkdtemp(path) ? 0 : -1;
}

void fwh_rmtree(const char *path)
{
	remove_tree(path);
}
