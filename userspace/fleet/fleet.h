/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's fleet worker: a thread that sends the publish queue to the
 * primary (in order, retried with backoff while it is unreachable), keeps
 * the subscriptions current (NOTIFY, SOA refresh timer, retries) and takes
 * out subscribed entries whose publishers' expiry passed. It commits to the
 * lists through the same lock as the daemon and the CLI.
 */
#ifndef FW_FLEET_H
#define FW_FLEET_H

#include <stdbool.h>
#include <stdint.h>

#include "formats/textfile.h"
#include "lists/txn.h"

#define FW_FLEET_MAX_SUBS FW_METRICS_RPZ_ZONES

struct fw_fleet;

struct fw_fleet_setup {
	struct fw_lists_where where;
	const char *node;      /* "" for the host name */
	const char *keys_path; /* "" when no key is used */
	const char *publish_zone, *publish_primary, *publish_key;
	const char *subscribe; /* comma-separated ZONE@ADDR[:PORT][/KEY] */
	const char *notify_listen;
	const char *event_log; /* "" none, "-" stdout */
	uint32_t refresh_max_s;
	uint64_t max_records;
};

/* NULL and no error when the setup asks for neither; NULL with err when it is wrong. */
struct fw_fleet *fw_fleet_start(const struct fw_fleet_setup *s, const struct fw_state *lists,
				char *err, size_t errlen);
void fw_fleet_stop(struct fw_fleet *f);

/*
 * Hold a publish (del 0: add) for the next fw_fleet_flush, which writes
 * everything held with one fsync: a commit of many auto-blocks costs one.
 */
int fw_fleet_publish(struct fw_fleet *f, int del, const char *name, uint8_t match, double score,
		     int64_t expires, const char *reason);
bool fw_fleet_publishing(const struct fw_fleet *f);

/*
 * Queue the held updates, durably and in order, and wake the worker. When
 * the queue file cannot be written (disk full) they stay held and the next
 * call retries; -1 then.
 */
int fw_fleet_flush(struct fw_fleet *f);

/* 1 when source is a subscribed zone (entries of it are not published again). */
bool fw_fleet_subscribed(const struct fw_fleet *f, const char *source);

void fw_fleet_stats(struct fw_fleet *f, struct fw_metrics_fleet *out);

/* Reopen the event log (SIGHUP). */
void fw_fleet_reopen_log(struct fw_fleet *f);

#endif /* FW_FLEET_H */
