// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Event-log lines for the operator's own changes: manual edits and imports. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli_events.h"

static struct fw_eventlog *open_log(struct fw_opts *o)
{
	const char *path = o->conf ? o->conf->event_log : NULL;
	struct fw_eventlog *log;
	char err[512], dir[4096], *slash;

	/* stdout is for the command's own output */
	if (!path || !*path || !strcmp(path, "-"))
		return NULL;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0750);
	}
	log = fw_eventlog_open(path, err, sizeof(err));
	if (!log)
		fprintf(stderr, "fluxwall: warning: %s\n", err);
	return log;
}

static void write_event(struct fw_opts *o, const struct fw_event *ev)
{
	struct fw_eventlog *log = open_log(o);
	char err[512];

	if (!log)
		return;
	if (fw_eventlog_write(log, ev, err, sizeof(err)))
		fprintf(stderr, "fluxwall: warning: %s\n", err);
	fw_eventlog_close(log);
}

void fw_cli_event(struct fw_opts *o, enum fw_event_kind kind, const struct fw_entry *e)
{
	struct fw_event ev = { .kind = kind, .name = e->name, .origin = e->origin,
			       .source = e->source, .action = e->action, .score = NAN,
			       .reason = e->list == FW_LIST_ALLOW ? "allow rule" : "block rule" };

	write_event(o, &ev);
}

void fw_cli_event_import(struct fw_opts *o, const char *source, size_t entries, size_t before)
{
	char reason[160];
	struct fw_event ev = { .kind = FW_EV_BLOCK, .origin = FW_ORIGIN_FEED, .source = source,
			       .action = FW_ACT_DEFAULT, .score = NAN, .reason = reason };

	snprintf(reason, sizeof(reason), "feed import: %zu entries (previously %zu)", entries,
		 before);
	write_event(o, &ev);
}
