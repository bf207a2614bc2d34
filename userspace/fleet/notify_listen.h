/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * NOTIFY (RFC 1996) from the primaries of subscribed zones, over UDP (BIND)
 * and TCP (Knot 3.2 sends every request over TCP): answered, and the zone
 * it names refreshed at once. A signed NOTIFY is checked and answered
 * signed; an unsigned one is answered too. Either only makes the subscriber
 * ask sooner: what it then transfers is checked with TSIG as always, so a
 * forged NOTIFY costs a transfer and changes nothing.
 */
#ifndef FW_NOTIFY_LISTEN_H
#define FW_NOTIFY_LISTEN_H

#include <poll.h>
#include <stddef.h>

#include "fleet/dns_conn.h"
#include "formats/tsig_keys.h"

struct fw_notify {
	int udp, tcp;
	const struct fw_tsig_keys *keys;
};

typedef void (*fw_notify_fn)(const char *zone, const struct sockaddr_storage *from, void *ctx);

/* Listen on where, UDP and TCP; -1 with err. */
int fw_notify_open(struct fw_notify *n, const struct fw_dns_peer *where,
		   const struct fw_tsig_keys *keys, char *err, size_t errlen);
void fw_notify_close(struct fw_notify *n);

/* The two descriptors to wait on; how many (0 when closed). */
int fw_notify_pollfds(const struct fw_notify *n, struct pollfd *p);

/* Answer what is waiting; seen() hears each NOTIFY's zone (canonical) and sender. */
void fw_notify_serve(struct fw_notify *n, fw_notify_fn seen, void *ctx);

/*
 * One NOTIFY message: the answer to send back (malloc'd, *alen bytes) and
 * its zone; 0, or -1 when it is not a NOTIFY or fails its TSIG.
 */
int fw_notify_answer(const uint8_t *msg, size_t len, const struct fw_tsig_keys *keys, char *zone,
		     size_t zlen, uint8_t **ans, size_t *alen);

/* 1 when from is the primary's address (any port: NOTIFY comes from any). */
int fw_notify_from(const struct sockaddr_storage *from, const struct fw_dns_peer *primary);

#endif /* FW_NOTIFY_LISTEN_H */
