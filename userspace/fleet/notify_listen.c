// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The NOTIFY listener of the subscriptions, on UDP and TCP. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "fleet/notify_listen.h"

#define TCP_WAIT_MS 500 /* a peer that connects and sends nothing holds us no longer */
#define TSIG_FUDGE  300

static int bound(const struct fw_dns_peer *where, int type)
{
	int fd = socket(where->ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&where->ss, where->len) ||
	    (type == SOCK_STREAM && listen(fd, 16))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int fw_notify_open(struct fw_notify *n, const struct fw_dns_peer *where,
		   const struct fw_tsig_keys *keys, char *err, size_t errlen)
{
	n->keys = keys;
	n->udp = bound(where, SOCK_DGRAM);
	n->tcp = n->udp < 0 ? -1 : bound(where, SOCK_STREAM);
	if (n->tcp < 0) {
		snprintf(err, errlen, "cannot listen for NOTIFY on %s: %s; check notify_listen",
			 where->text, strerror(errno));
		fw_notify_close(n);
		return -1;
	}
	return 0;
}

void fw_notify_close(struct fw_notify *n)
{
	if (n->udp >= 0)
		close(n->udp);
	if (n->tcp >= 0)
		close(n->tcp);
	n->udp = n->tcp = -1;
}

int fw_notify_pollfds(const struct fw_notify *n, struct pollfd *p)
{
	if (n->udp < 0)
		return 0;
	p[0] = (struct pollfd){.fd = n->udp, .events = POLLIN};
	p[1] = (struct pollfd){.fd = n->tcp, .events = POLLIN};
	return 2;
}

static int zone_of(ldns_pkt *q, char *zone, size_t zlen)
{
	ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(q), 0);

	return qr ? fw_dns_name_text(ldns_rr_owner(qr), zone, zlen) : -1;
}

/* The key a signed NOTIFY names, checked; NULL for unsigned; -1 in *bad. */
static const struct fw_tsig_key *check_tsig(ldns_pkt *q, const uint8_t *msg, size_t len,
					    const struct fw_tsig_keys *keys, int *bad)
{
	ldns_rr *t = ldns_pkt_tsig(q);
	const struct fw_tsig_key *k;
	char *name;

	*bad = 0;
	if (!t)
		return NULL;
	name = ldns_rdf2str(ldns_rr_owner(t));
	k = name && keys ? fw_tsig_keys_find(keys, name) : NULL;
	free(name);
	if (!k || !ldns_pkt_tsig_verify(q, msg, len, k->name, k->secret, NULL))
		*bad = 1;
	return k;
}

int fw_notify_answer(const uint8_t *msg, size_t len, const struct fw_tsig_keys *keys, char *zone,
		     size_t zlen, uint8_t **ans, size_t *alen)
{
	const struct fw_tsig_key *k;
	ldns_pkt *q = NULL;
	ldns_rdf *mac = NULL;
	int bad, ret = -1;

	*ans = NULL;
	if (ldns_wire2pkt(&q, msg, len) != LDNS_STATUS_OK)
		return -1;
	if (ldns_pkt_get_opcode(q) != LDNS_PACKET_NOTIFY || ldns_pkt_qr(q) ||
	    ldns_pkt_qdcount(q) != 1 || zone_of(q, zone, zlen))
		goto out;
	k = check_tsig(q, msg, len, keys, &bad);
	if (bad)
		goto out;
	if (k)
		mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(q), 3));
	ldns_rr_free(ldns_pkt_tsig(q));
	ldns_pkt_set_tsig(q, NULL);
	ldns_pkt_set_qr(q, true);
	ldns_pkt_set_aa(q, true);
	ldns_pkt_set_rcode(q, LDNS_RCODE_NOERROR);
	if (k &&
	    ldns_pkt_tsig_sign(q, k->name, k->secret, TSIG_FUDGE, k->alg, mac) != LDNS_STATUS_OK)
		goto out;
	if (ldns_pkt2wire(ans, q, alen) == LDNS_STATUS_OK)
		ret = 0;
out:
	ldns_rdf_deep_free(mac);
	ldns_pkt_free(q);
	return ret;
}

static void serve_udp(struct fw_notify *n, fw_notify_fn seen, void *ctx)
{
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	char zone[300];
	uint8_t buf[4096], *ans;
	size_t alen;
	ssize_t r;

	while ((r = recvfrom(n->udp, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen)) >= 0) {
		if (!fw_notify_answer(buf, (size_t)r, n->keys, zone, sizeof(zone), &ans, &alen)) {
			sendto(n->udp, ans, alen, 0, (const struct sockaddr *)&from, flen);
			free(ans);
			seen(zone, &from, ctx);
		}
		flen = sizeof(from);
	}
}

static int read_full(int fd, uint8_t *b, size_t n)
{
	while (n) {
		ssize_t r = read(fd, b, n);

		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One connection: length-prefixed NOTIFYs until the primary closes it. */
static void serve_conn(struct fw_notify *n, int fd, const struct sockaddr_storage *from,
		       fw_notify_fn seen, void *ctx)
{
	struct timeval tv = {.tv_sec = 0, .tv_usec = TCP_WAIT_MS * 1000};
	uint8_t len[2], buf[65535], *ans;
	char zone[300];
	size_t alen;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (!read_full(fd, len, 2)) {
		size_t m = (size_t)len[0] << 8 | len[1];

		if (read_full(fd, buf, m) ||
		    fw_notify_answer(buf, m, n->keys, zone, sizeof(zone), &ans, &alen))
			return;
		len[0] = (uint8_t)(alen >> 8);
		len[1] = (uint8_t)alen;
		if (send(fd, len, 2, MSG_NOSIGNAL) == 2)
			send(fd, ans, alen, MSG_NOSIGNAL);
		free(ans);
		seen(zone, from, ctx);
	}
}

static void serve_tcp(struct fw_notify *n, fw_notify_fn seen, void *ctx)
{
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	int fd;

	while ((fd = accept4(n->tcp, (struct sockaddr *)&from, &flen, SOCK_CLOEXEC)) >= 0) {
		serve_conn(n, fd, &from, seen, ctx);
		close(fd);
		flen = sizeof(from);
	}
}

void fw_notify_serve(struct fw_notify *n, fw_notify_fn seen, void *ctx)
{
	if (n->udp < 0)
		return;
	serve_udp(n, seen, ctx);
	serve_tcp(n, seen, ctx);
}

int fw_notify_from(const struct sockaddr_storage *from, const struct fw_dns_peer *primary)
{
	if (from->ss_family != primary->ss.ss_family)
		return 0;
	if (from->ss_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)from)->sin_addr,
			       &((const struct sockaddr_in *)&primary->ss)->sin_addr,
			       sizeof(struct in_addr));
	return !memcmp(&((const struct sockaddr_in6 *)from)->sin6_addr,
		       &((const struct sockaddr_in6 *)&primary->ss)->sin6_addr,
		       sizeof(struct in6_addr));
}
