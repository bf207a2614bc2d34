/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * NOTIFY (RFC 1996) from the primaries of subscribed zones: answered, and
 * the zone it names refreshed at once. A NOTIFY only makes the subscriber
 * ask sooner; what it then transfers is checked with TSIG as always, so a
 * forged one costs a transfer and changes nothing.
 */
#ifndef FW_NOTIFY_LISTEN_H
#define FW_NOTIFY_LISTEN_H

#include <stddef.h>

#include "fleet/dns_conn.h"

/* A UDP socket bound to where; -1 with err. */
int fw_notify_open(const struct fw_dns_peer *where, char *err, size_t errlen);

/*
 * Read one datagram. When it is a NOTIFY, answer it and copy its zone
 * (canonical, no trailing dot) and sender to zone/from; 1 then, 0 for
 * anything else (dropped), -1 when nothing was waiting.
 */
int fw_notify_read(int fd, char *zone, size_t zlen, struct sockaddr_storage *from);

/* 1 when from is the primary's address (any port: NOTIFY comes from any). */
int fw_notify_from(const struct sockaddr_storage *from, const struct fw_dns_peer *primary);

#endif /* FW_NOTIFY_LISTEN_H */
