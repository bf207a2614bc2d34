/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * AXFR and IXFR (RFC 5936, RFC 1995) of an RPZ zone into the records
 * fluxwall enforces. Nothing is applied here: a transfer that breaks off,
 * fails TSIG, is malformed or passes the size limit yields an error and no
 * records, so the caller keeps the last version whole.
 */
#ifndef FW_ZONE_XFER_H
#define FW_ZONE_XFER_H

#include <stddef.h>
#include <stdint.h>

#include "fleet/dns_conn.h"
#include "fleet/rpz_name.h"

enum fw_xfr_kind {
	FW_XFR_UP_TO_DATE,
	FW_XFR_AXFR, /* the whole zone: facts are all adds */
	FW_XFR_IXFR, /* differences, in order */
};

struct fw_xfr_result {
	enum fw_xfr_kind kind;
	uint32_t serial, refresh;
	struct fw_rpz_fact *f;
	size_t n, cap;
	size_t records; /* every record but the SOAs */
	size_t deleted; /* of those, deletions (IXFR) */
	size_t skipped; /* records fluxwall cannot enforce (local data, rpz-ip...) */
	size_t bytes;	/* on the wire */
};

/*
 * Transfer zone over c: IXFR from serial when have_serial, else AXFR. A
 * primary may answer an IXFR with the whole zone; r->kind says which came.
 * 1 when it has no history from serial (its serial is not ours, after a
 * reload): the caller asks for the whole zone.
 */
int fw_zone_xfer(struct fw_dns_conn *c, const char *zone, int have_serial, uint32_t serial,
		 size_t max_records, struct fw_xfr_result *r, char *err, size_t errlen);

void fw_xfr_result_free(struct fw_xfr_result *r);

/*
 * What one record of zone means (0), or that fluxwall skips it (1: apex
 * records, other triggers, local data); -1 when out of memory.
 */
int fw_rpz_fact_from_rr(const ldns_rr *rr, const char *zone, int del, struct fw_rpz_fact *f);

#endif /* FW_ZONE_XFER_H */
