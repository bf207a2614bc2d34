// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fluxwall.skel.h"
#include "dataplane/pinned_maps.h"
#include "dataplane/prog_load.h"
#include "dataplane/sandbox.h"

#define BPFFS	   "/sys/fs/bpf"
#define MAX_LIVE   8

/* Pin directories to remove if the process ends before fw_sandbox_close(). */
static char live[MAX_LIVE][256];

static void remove_pin(char *path)
{
	char err[256];

	if (path[0])
		fw_maps_purge(path, err, sizeof(err));
	path[0] = '\0';
}

static void remove_all(void)
{
	for (int i = 0; i < MAX_LIVE; i++)
		remove_pin(live[i]);
}

static void on_signal(int sig)
{
	remove_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int track(const char *path)
{
	static int installed;

	if (!installed) {
		installed = 1;
		atexit(remove_all);
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
		signal(SIGPIPE, on_signal); /* `fluxwall replay ... | head` */
	}
	for (int i = 0; i < MAX_LIVE; i++)
		if (!live[i][0]) {
			snprintf(live[i], sizeof(live[i]), "%s", path);
			return 0;
		}
	return -1;
}

static void untrack(const char *path)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (!strcmp(live[i], path))
			live[i][0] = '\0';
}

/* <name>-<pid> of a process that is gone: killed outright, it left its pins. */
static void remove_orphans(const char *name)
{
	size_t n = strlen(name);
	char path[600], *end;
	struct dirent *e;
	DIR *dir = opendir(BPFFS);
	long pid;

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, name, n) || e->d_name[n] != '-')
			continue;
		pid = strtol(e->d_name + n + 1, &end, 10);
		if (*end || pid <= 0 || !kill((pid_t)pid, 0) || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), BPFFS "/%s", e->d_name);
		remove_pin(path);
	}
	closedir(dir);
}

int fw_sandbox_open(struct fw_sandbox *sb, const char *name, uint32_t capacity, char *err,
		    size_t errlen)
{
	char path[512];

	memset(sb, 0, sizeof(*sb));
	sb->prog_fd = sb->stats_fd = -1;
	remove_orphans(name);
	snprintf(sb->pin, sizeof(sb->pin), BPFFS "/%s-%d", name, (int)getpid());
	if (track(sb->pin)) {
		snprintf(err, errlen, "more than %d sandboxes open at once", MAX_LIVE);
		return -1;
	}
	if (fw_prog_open_frags(sb->pin, capacity, &sb->skel, err, errlen))
		goto fail;
	sb->prog_fd = bpf_program__fd(sb->skel->progs.fluxwall_xdp);
	snprintf(path, sizeof(path), "%s/%s", sb->pin, FW_MAP_STATS);
	sb->stats_fd = bpf_obj_get(path);
	if (sb->stats_fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	fw_sandbox_close(sb);
	return -1;
}

int fw_sandbox_sample_all(struct fw_sandbox *sb, char *err, size_t errlen)
{
	struct fw_config cfg;
	struct fw_maps m;
	int bad;

	if (fw_maps_open(&m, sb->pin, 0, 0, err, errlen))
		return -1;
	bad = fw_maps_get_config(&m, &cfg);
	cfg.sampling = 1;
	cfg.sample_interval_ns = 0;
	bad = bad || fw_maps_set_config(&m, &cfg);
	fw_maps_close(&m);
	if (bad)
		snprintf(err, errlen, "cannot turn sampling on in %s: %s", sb->pin, strerror(errno));
	return bad ? -1 : 0;
}

int fw_sandbox_on_sample(struct fw_sandbox *sb, fw_sample_fn fn, void *ctx, char *err,
			 size_t errlen)
{
	fw_sample_reader_free(sb->reader);
	sb->reader = fw_sample_reader_new(bpf_map__fd(sb->skel->maps.fw_samples), fn, ctx);
	if (!sb->reader) {
		snprintf(err, errlen, "cannot read the sample ring buffer: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int fw_sandbox_run(struct fw_sandbox *sb, struct fw_sandbox_run *run)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = run->in, .data_size_in = (uint32_t)run->in_len,
		    .data_out = run->out, .data_size_out = run->out ? (uint32_t)run->out_cap : 0,
		    .repeat = run->repeat ? run->repeat : 1);

	run->out_len = 0;
	run->verdict = (uint32_t)-1;
	if (bpf_prog_test_run_opts(sb->prog_fd, &t))
		return -errno;
	run->verdict = t.retval;
	run->out_len = t.data_size_out;
	run->duration_ns = t.duration;
	if (!sb->hold)
		fw_sandbox_drain(sb);
	return 0;
}

void fw_sandbox_drain(struct fw_sandbox *sb)
{
	if (sb->reader)
		fw_sample_reader_consume(sb->reader);
}

int fw_sandbox_counters(struct fw_sandbox *sb, uint64_t out[FW_CNT_MAX])
{
	return fw_read_counters_fd(sb->stats_fd, out);
}

void fw_sandbox_close(struct fw_sandbox *sb)
{
	fw_sample_reader_free(sb->reader);
	sb->reader = NULL;
	if (sb->stats_fd >= 0)
		close(sb->stats_fd);
	sb->stats_fd = sb->prog_fd = -1;
	if (sb->skel)
		fluxwall__destroy(sb->skel);
	sb->skel = NULL;
	untrack(sb->pin);
	remove_pin(sb->pin);
}
