/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The JSON-lines event log: one object per line for every block decision,
 * unblock, expiry and alert, for SIEMs and for operators asking "why".
 *
 * A line looks like (wrapped here):
 *   {"ts":"2024-05-01T12:00:00.123Z","event":"block","name":"evil.example",
 *    "origin":"auto","source":"auto","action":"nxdomain","score":0.93,
 *    "reason":"flux score over threshold","expires":"2024-05-02T12:00:00.000Z",
 *    "evidence":{...}}
 * Members that an event does not carry are left out, never written as "".
 *
 * Each line goes out in one write() on an O_APPEND descriptor, so the daemon
 * and CLI invocations may log to the same file without interleaving.
 */
#ifndef FW_EVENTLOG_H
#define FW_EVENTLOG_H

#include <stddef.h>
#include <stdint.h>

#include "fluxwall_abi.h"

enum fw_event_kind {
	FW_EV_BLOCK,	   /* a name was blocked (origin says by whom) */
	FW_EV_UNBLOCK,	   /* an operator or feed removal took a rule away */
	FW_EV_EXPIRY,	   /* an auto entry reached its expiry */
	FW_EV_ALERT,	   /* something needs a human, e.g. auto-block rate limit hit */
	FW_EV_RPZ_APPLY,   /* a subscribed zone's transfer went into the lists */
	FW_EV_RPZ_PUBLISH, /* the fleet primary took an add or a delete */
	FW_EV_RPZ_ERROR,   /* a transfer or an update failed; the last state holds */
};

/* What a fleet event says besides the common members. */
struct fw_event_rpz {
	const char *zone;
	const char *kind; /* transfers: "axfr", "ixfr" */
	const char *op;	  /* publishing: "add", "del" */
	int64_t serial;	  /* -1: none */
	long added, removed;
	long records, bytes; /* transfers: records and bytes on the wire */
	double apply_s;	     /* < 0: none */
	const char *error;
};

struct fw_event {
	enum fw_event_kind kind;
	const char *name;		/* canonical name; NULL when the event has none */
	enum fw_origin origin;		/* manual, feed or auto; ignored for alerts */
	const char *source;		/* feed or operator source name; NULL: none */
	enum fw_action action;		/* FW_ACT_DEFAULT is logged as "default" */
	double score;			/* NAN when there is no score */
	const char *reason;		/* short human text; NULL: none */
	const char *evidence;		/* JSON value made by the caller; NULL: none */
	uint64_t expires_ns;		/* wall-clock expiry, ns since the epoch; 0: never */
	uint64_t time_ns;		/* when it happened; 0: now */
	const struct fw_event_rpz *rpz; /* FW_EV_RPZ_*: their members */
};

struct fw_eventlog;

/*
 * Open the log at path, creating it with mode 0640, or "-" for stdout.
 * On error returns NULL with a message naming the path and the fix.
 */
struct fw_eventlog *fw_eventlog_open(const char *path, char *err, size_t errlen);

/*
 * Append one event. An evidence fragment that is not valid JSON is logged
 * as the string member "evidence_invalid" instead, so the line stays valid.
 * Returns 0, or -1 with a message when the write failed.
 */
int fw_eventlog_write(struct fw_eventlog *log, const struct fw_event *ev, char *err, size_t errlen);

/*
 * Reopen the same path, for logrotate: call it from the main loop after
 * SIGHUP. When the new open fails the old descriptor is kept, so no event
 * is lost, and -1 is returned with a message. A no-op for stdout.
 */
int fw_eventlog_reopen(struct fw_eventlog *log, char *err, size_t errlen);

void fw_eventlog_close(struct fw_eventlog *log);

/* Text used in the log for each kind; origins and actions: abi_names.h. */
const char *fw_ev_kind_name(enum fw_event_kind kind);

/* ns since the epoch as RFC 3339 UTC with milliseconds; buf needs 32 bytes. */
void fw_ev_format_time(uint64_t ns, char *buf, size_t len);

#endif /* FW_EVENTLOG_H */
