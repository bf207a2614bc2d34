/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * DNS messages to and from a primary over TCP, signed and checked with TSIG
 * by ldns: one exchange for queries and updates, a stream of answers for
 * zone transfers (each message's MAC chained to the one before, RFC 8945).
 */
#ifndef FW_DNS_CONN_H
#define FW_DNS_CONN_H

#include <ldns/ldns.h>
#include <sys/socket.h>

#include "formats/tsig_keys.h"

struct fw_dns_peer {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[80]; /* as the operator wrote it, for messages */
};

struct fw_dns_conn {
	int fd;
	const struct fw_tsig_key *key; /* NULL: unsigned */
	ldns_rdf *mac;		       /* the last MAC, which the next one covers */
	int answers;		       /* answers read since the last request */
	char err[600];
};

/* "ADDR", "ADDR:PORT" or "[V6]:PORT"; -1 with why. */
int fw_dns_peer_parse(const char *text, uint16_t dflt_port, struct fw_dns_peer *p, char *why,
		      size_t whylen);

/* Connect within timeout_ms; -1 with c->err. */
int fw_dns_open(struct fw_dns_conn *c, const struct fw_dns_peer *p, const struct fw_tsig_key *key,
		int timeout_ms);
void fw_dns_close(struct fw_dns_conn *c);

/* Sign q (when there is a key) and send it. */
int fw_dns_send(struct fw_dns_conn *c, ldns_pkt *q);

/*
 * The next message; its TSIG is checked against the request's MAC (first
 * answer) or the previous answer's. -1 with c->err: closed, timed out,
 * malformed, unsigned when a key is set, or signed by another key.
 */
int fw_dns_recv(struct fw_dns_conn *c, ldns_pkt **out);

/* Send q and read its one answer. */
int fw_dns_exchange(struct fw_dns_conn *c, ldns_pkt *q, ldns_pkt **out);

/*
 * Send the n requests (n <= 65535; their ids are set here) before reading
 * their answers, each checked against its own request's MAC: one round
 * trip for many queries. answers has room for n + 1; answers[i] is the
 * answer to qs[i]. -1 with c->err, and no answers.
 */
int fw_dns_exchange_many(struct fw_dns_conn *c, ldns_pkt **qs, size_t n, ldns_pkt **answers);

/*
 * A name in a message (an owner, a question) in fluxwall's canonical text
 * (formats/dns_name.h); -1 when it has none (a NUL or a dot in a label).
 */
int fw_dns_name_text(const ldns_rdf *name, char *out, size_t len);

/* "NOERROR", "REFUSED"... with the TSIG error when the answer carries one. */
void fw_dns_rcode_text(const ldns_pkt *p, char *buf, size_t len);

#endif /* FW_DNS_CONN_H */
