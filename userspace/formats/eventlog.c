// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The JSON-lines event log; see eventlog.h. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formats/abi_names.h"
#include "formats/eventlog.h"
#include "formats/json_out.h"

struct fw_eventlog {
	int fd;
	int is_stdout;
	char *path;
};

const char *fw_ev_kind_name(enum fw_event_kind kind)
{
	switch (kind) {
	case FW_EV_BLOCK:
		return "block";
	case FW_EV_UNBLOCK:
		return "unblock";
	case FW_EV_EXPIRY:
		return "expiry";
	case FW_EV_ALERT:
		return "alert";
	case FW_EV_RPZ_APPLY:
		return "rpz_apply";
	case FW_EV_RPZ_PUBLISH:
		return "rpz_publish";
	case FW_EV_RPZ_ERROR:
		return "rpz_error";
	}
	return FW_NAME_UNKNOWN;
}

void fw_ev_format_time(uint64_t ns, char *buf, size_t len)
{
	time_t secs = (time_t)(ns / 1000000000ull);
	unsigned ms = (unsigned)(ns % 1000000000ull / 1000000u);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int open_log_fd(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot open event log %s: %s; %s", path, strerror(e),
			 e == ENOENT ? "create its directory, or set event_log in fluxwall.conf"
				     : "check its permissions, or set event_log in fluxwall.conf");
	}
	return fd;
}

struct fw_eventlog *fw_eventlog_open(const char *path, char *err, size_t errlen)
{
	struct fw_eventlog *log = calloc(1, sizeof(*log));

	if (!log || !(log->path = strdup(path))) {
		snprintf(err, errlen, "out of memory opening event log %s", path);
		free(log);
		return NULL;
	}
	if (strcmp(path, "-") == 0) {
		log->fd = STDOUT_FILENO;
		log->is_stdout = 1;
		return log;
	}
	log->fd = open_log_fd(path, err, errlen);
	if (log->fd < 0) {
		free(log->path);
		free(log);
		return NULL;
	}
	return log;
}

int fw_eventlog_reopen(struct fw_eventlog *log, char *err, size_t errlen)
{
	int fd;

	if (log->is_stdout)
		return 0;
	fd = open_log_fd(log->path, err, errlen);
	if (fd < 0)
		return -1;
	close(log->fd);
	log->fd = fd;
	return 0;
}

void fw_eventlog_close(struct fw_eventlog *log)
{
	if (!log)
		return;
	if (!log->is_stdout)
		close(log->fd);
	free(log->path);
	free(log);
}

static void write_time_member(struct fw_json *j, const char *key, uint64_t ns)
{
	char buf[40];

	fw_ev_format_time(ns, buf, sizeof(buf));
	fw_json_kv_str(j, key, buf);
}

static void write_rpz_members(struct fw_json *j, const struct fw_event_rpz *r)
{
	if (r->zone)
		fw_json_kv_str(j, "zone", r->zone);
	if (r->kind)
		fw_json_kv_str(j, "kind", r->kind);
	if (r->op)
		fw_json_kv_str(j, "op", r->op);
	if (r->serial >= 0)
		fw_json_kv_int(j, "serial", r->serial);
	if (r->kind) {
		fw_json_kv_int(j, "added", r->added);
		fw_json_kv_int(j, "removed", r->removed);
		fw_json_kv_int(j, "records", r->records);
		fw_json_kv_int(j, "bytes", r->bytes);
	}
	if (r->apply_s >= 0)
		fw_json_kv_double(j, "apply_s", r->apply_s);
	if (r->error)
		fw_json_kv_str(j, "error", r->error);
}

static void write_event_object(FILE *f, const struct fw_event *ev)
{
	struct fw_json j;
	int has_rule =
	    ev->kind == FW_EV_BLOCK || ev->kind == FW_EV_UNBLOCK || ev->kind == FW_EV_EXPIRY;

	fw_json_init(&j, f);
	fw_json_obj_begin(&j);
	write_time_member(&j, "ts", ev->time_ns ? ev->time_ns : now_ns());
	fw_json_kv_str(&j, "event", fw_ev_kind_name(ev->kind));
	if (ev->name)
		fw_json_kv_str(&j, "name", ev->name);
	if (has_rule)
		fw_json_kv_str(&j, "origin", fw_origin_str(ev->origin));
	if (ev->source)
		fw_json_kv_str(&j, "source", ev->source);
	if (has_rule)
		fw_json_kv_str(&j, "action", fw_action_str(ev->action));
	if (isfinite(ev->score))
		fw_json_kv_double(&j, "score", ev->score);
	if (ev->reason)
		fw_json_kv_str(&j, "reason", ev->reason);
	if (ev->expires_ns)
		write_time_member(&j, "expires", ev->expires_ns);
	if (ev->rpz)
		write_rpz_members(&j, ev->rpz);
	if (ev->evidence && fw_json_valid(ev->evidence)) {
		fw_json_key(&j, "evidence");
		fw_json_raw(&j, ev->evidence);
	} else if (ev->evidence) {
		/* Keep the caller's text for debugging without breaking the line. */
		fw_json_kv_str(&j, "evidence_invalid", ev->evidence);
	}
	fw_json_obj_end(&j);
	putc('\n', f);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int fw_eventlog_write(struct fw_eventlog *log, const struct fw_event *ev, char *err, size_t errlen)
{
	char *line = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&line, &len);
	int ret;

	if (!mem) {
		snprintf(err, errlen, "out of memory formatting an event for %s", log->path);
		return -1;
	}
	write_event_object(mem, ev);
	if (fclose(mem)) {
		free(line);
		snprintf(err, errlen, "out of memory formatting an event for %s", log->path);
		return -1;
	}
	/* One write() per line: O_APPEND keeps concurrent writers' lines whole. */
	ret = write_all(log->fd, line, len);
	if (ret)
		snprintf(err, errlen, "cannot write event log %s: %s; check free space",
			 log->is_stdout ? "(stdout)" : log->path, strerror(errno));
	free(line);
	return ret;
}
