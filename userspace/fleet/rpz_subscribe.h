/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A subscription to an RPZ zone: the first AXFR, then IXFRs, each applied
 * to the lists in one commit with the zone as the entries' source. Its
 * serial is kept in STATE_DIR/fleet/sub-ZONE.state, written after the
 * commit: applying a difference again after a crash between the two gives
 * the same lists, so a restart resumes by IXFR from that serial. Entries
 * that carry the publishers' expiry are taken out when it passes, whether
 * or not the zone still holds them.
 */
#ifndef FW_RPZ_SUBSCRIBE_H
#define FW_RPZ_SUBSCRIBE_H

#include <stdint.h>

#include "fleet/dns_conn.h"
#include "fleet/zone_xfer.h"
#include "lists/txn.h"

struct fw_expiry {
	int64_t at;
	char *name;
};

struct fw_subscription {
	char zone[256];
	struct fw_dns_peer primary;
	const struct fw_tsig_key *key;
	char key_name[256];
	int have_serial;
	uint32_t serial, refresh;
	uint64_t zone_records;	  /* the zone's size as the transfers told it */
	uint64_t pending_records; /* what it becomes once this transfer is applied */
	uint64_t transfers[2];	  /* axfr, ixfr */
	int64_t last_ok;	  /* unix seconds of the last good refresh */
	uint64_t due_ns;	  /* monotonic: next refresh */
	unsigned fails;
	char last_err[600];
	struct fw_expiry *exp; /* min-heap by at */
	size_t nexp, capexp;
};

/* What one refresh did, for the event log. */
struct fw_sub_report {
	enum fw_xfr_kind kind;
	uint32_t serial;
	size_t added, removed, skipped, records, bytes;
	double apply_s;
};

/* "ZONE@ADDR[:PORT][/KEY]" into s; -1 with why. */
int fw_sub_parse(const char *spec, struct fw_subscription *s, char *why, size_t whylen);

/* The serial and counters kept from a run before; a missing file is a first run. */
void fw_sub_load(struct fw_subscription *s, const char *state_dir);

/* Learn the expiries of the zone's entries already in the lists. */
int fw_sub_seed_expiry(struct fw_subscription *s, const struct fw_state *st);

/*
 * Transfer and apply. -1 with err: the lists and the serial are as before.
 */
int fw_sub_refresh(struct fw_subscription *s, const struct fw_lists_where *w, const char *state_dir,
		   size_t max_records, struct fw_sub_report *rep, char *err, size_t errlen);

/* Take out the entries whose expiry has passed; how many, or -1. */
long fw_sub_expire(struct fw_subscription *s, const struct fw_lists_where *w, int64_t now);

void fw_sub_free(struct fw_subscription *s);

/* What a subscription's state file says, for `fluxwall status`. */
struct fw_sub_seen {
	char zone[256];
	char serial[32]; /* "none" before the first transfer */
	char error[700]; /* "" when the last refresh worked */
};

/* Each subscription's state file in the state directory. */
void fw_sub_status(const char *state_dir, void (*fn)(const struct fw_sub_seen *s, void *ctx),
		   void *ctx);

#endif /* FW_RPZ_SUBSCRIBE_H */
