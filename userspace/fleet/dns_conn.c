// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TCP exchanges with a DNS primary; ldns builds, signs and checks the messages. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "fleet/dns_conn.h"
#include "formats/dns_name.h"

#define TSIG_FUDGE 300

int fw_dns_peer_parse(const char *text, uint16_t dflt_port, struct fw_dns_peer *p, char *why,
		      size_t whylen)
{
	char host[64];
	const char *port = NULL;
	unsigned long pn = dflt_port;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&p->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&p->ss;
	const char *colon = strrchr(text, ':');
	size_t hl;

	memset(p, 0, sizeof(*p));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || (close[1] && close[1] != ':'))
			goto bad;
		hl = (size_t)(close - text - 1);
		memcpy(host, text + 1, hl < sizeof(host) ? hl : 0);
		port = close[1] ? close + 2 : NULL;
	} else if (colon && strchr(text, ':') == colon) {
		hl = (size_t)(colon - text);
		port = colon + 1;
	} else {
		hl = strlen(text);
	}
	if (hl == 0 || hl >= sizeof(host))
		goto bad;
	if (text[0] != '[')
		memcpy(host, text, hl);
	host[hl] = '\0';
	if (port) {
		char *end;

		pn = strtoul(port, &end, 10);
		if (*end || !*port || pn == 0 || pn > 65535)
			goto bad;
	}
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)pn);
		p->len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)pn);
		p->len = sizeof(*v6);
	} else {
		goto bad;
	}
	snprintf(p->text, sizeof(p->text), "%s", text);
	return 0;
bad:
	snprintf(why, whylen,
		 "'%.64s' is not an address with an optional port, such as 192.0.2.1:53 or "
		 "[2001:db8::1]:53",
		 text);
	return -1;
}

int fw_dns_open(struct fw_dns_conn *c, const struct fw_dns_peer *p, const struct fw_tsig_key *key,
		int timeout_ms)
{
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	int one = 1;

	memset(c, 0, sizeof(*c));
	c->key = key;
	c->fd = socket(p->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		goto fail;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (const struct sockaddr *)&p->ss, p->len))
		goto fail;
	return 0;
fail:
	snprintf(c->err, sizeof(c->err), "cannot connect to %s: %s", p->text, strerror(errno));
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	return -1;
}

void fw_dns_close(struct fw_dns_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	ldns_rdf_deep_free(c->mac);
	c->mac = NULL;
}

static int write_all(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w =
		    send(fd, b, n, MSG_NOSIGNAL); /* a closed peer is an error, not a signal */

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, uint8_t *b, size_t n)
{
	while (n) {
		ssize_t r = read(fd, b, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? -2 : -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static void keep_mac(struct fw_dns_conn *c, const ldns_pkt *p)
{
	ldns_rr *t = ldns_pkt_tsig(p);

	ldns_rdf_deep_free(c->mac);
	c->mac = t && ldns_rr_rd_count(t) > 3 ? ldns_rdf_clone(ldns_rr_rdf(t, 3)) : NULL;
}

int fw_dns_send(struct fw_dns_conn *c, ldns_pkt *q)
{
	uint8_t *wire = NULL, len[2];
	size_t n;

	if (c->key && ldns_pkt_tsig_sign(q, c->key->name, c->key->secret, TSIG_FUDGE, c->key->alg,
					 NULL) != LDNS_STATUS_OK) {
		snprintf(c->err, sizeof(c->err), "cannot sign with TSIG key %s", c->key->name);
		return -1;
	}
	if (ldns_pkt2wire(&wire, q, &n) != LDNS_STATUS_OK || n > 65535) {
		free(wire);
		snprintf(c->err, sizeof(c->err), "message too large (%zu bytes)", n);
		return -1;
	}
	len[0] = (uint8_t)(n >> 8);
	len[1] = (uint8_t)n;
	if (write_all(c->fd, len, 2) || write_all(c->fd, wire, n)) {
		free(wire);
		snprintf(c->err, sizeof(c->err), "write failed: %s", strerror(errno));
		return -1;
	}
	free(wire);
	keep_mac(c, q);
	c->answers = 0;
	return 0;
}

static int verify(struct fw_dns_conn *c, ldns_pkt *p, const uint8_t *wire, size_t n)
{
	char rc[64];
	bool ok;

	if (!c->key)
		return 0;
	if (!ldns_pkt_tsig(p)) {
		fw_dns_rcode_text(p, rc, sizeof(rc));
		snprintf(c->err, sizeof(c->err),
			 "answer (%s) is not signed with TSIG key %s; the primary does not "
			 "know the key or refused it",
			 rc, c->key->name);
		return -1;
	}
	if (c->answers == 0)
		ok = ldns_pkt_tsig_verify(p, wire, n, c->key->name, c->key->secret, c->mac);
	else
		ok = ldns_pkt_tsig_verify_next(p, wire, n, c->key->name, c->key->secret, c->mac, 1);
	if (!ok) {
		fw_dns_rcode_text(p, rc, sizeof(rc));
		snprintf(c->err, sizeof(c->err),
			 "answer (%s) fails TSIG with key %s: the primary and this node hold "
			 "different secrets, or the clocks differ by more than %d s",
			 rc, c->key->name, TSIG_FUDGE);
		return -1;
	}
	keep_mac(c, p);
	return 0;
}

/* The next message off the wire, parsed but not checked. */
static int read_msg(struct fw_dns_conn *c, ldns_pkt **out, uint8_t **wire, size_t *n)
{
	uint8_t len[2];
	int r;

	*out = NULL;
	*wire = NULL;
	r = read_all(c->fd, len, 2);
	if (r) {
		snprintf(c->err, sizeof(c->err), "%s",
			 r == -2	   ? "the primary closed the connection"
			 : errno == EAGAIN ? "the primary did not answer in time"
					   : strerror(errno));
		return -1;
	}
	*n = (size_t)len[0] << 8 | len[1];
	*wire = malloc(*n ? *n : 1);
	if (!*wire || read_all(c->fd, *wire, *n)) {
		snprintf(c->err, sizeof(c->err), "the connection broke inside a message");
		return -1;
	}
	if (ldns_wire2pkt(out, *wire, *n) != LDNS_STATUS_OK) {
		snprintf(c->err, sizeof(c->err), "malformed DNS message (%zu bytes)", *n);
		return -1;
	}
	return 0;
}

int fw_dns_recv(struct fw_dns_conn *c, ldns_pkt **out)
{
	uint8_t *wire;
	size_t n;
	int r = read_msg(c, out, &wire, &n);

	if (!r)
		r = verify(c, *out, wire, n);
	free(wire);
	if (r) {
		ldns_pkt_free(*out);
		*out = NULL;
		return -1;
	}
	c->answers++;
	return 0;
}

/* The answer to request i of a pipeline, checked against that request's MAC. */
static int recv_for(struct fw_dns_conn *c, ldns_pkt **qs, ldns_rdf **macs, ldns_pkt **answers,
		    size_t n)
{
	uint16_t base = ldns_pkt_id(qs[0]);
	uint8_t *wire;
	size_t len, i;
	int r = read_msg(c, &answers[n], &wire, &len);

	if (r)
		goto out;
	i = (uint16_t)(ldns_pkt_id(answers[n]) - base);
	if (i >= n || answers[i]) {
		snprintf(c->err, sizeof(c->err), "an answer to no request of ours (id %u)",
			 ldns_pkt_id(answers[n]));
		r = -1;
		goto out;
	}
	ldns_rdf_deep_free(c->mac);
	c->mac = macs[i];
	macs[i] = NULL;
	c->answers = 0;
	r = verify(c, answers[n], wire, len);
	if (!r) {
		answers[i] = answers[n];
		answers[n] = NULL;
	}
out:
	ldns_pkt_free(answers[n]);
	answers[n] = NULL;
	free(wire);
	return r;
}

int fw_dns_exchange_many(struct fw_dns_conn *c, ldns_pkt **qs, size_t n, ldns_pkt **answers)
{
	ldns_rdf **macs = calloc(n + 1, sizeof(*macs));
	uint16_t base = (uint16_t)ldns_get_random();
	size_t i;
	int r = -1;

	memset(answers, 0, (n + 1) * sizeof(*answers));
	if (!macs) {
		snprintf(c->err, sizeof(c->err), "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		ldns_pkt_set_id(qs[i], (uint16_t)(base + i)); /* distinct within the pipeline */
		if (fw_dns_send(c, qs[i]))
			goto out;
		macs[i] = c->mac;
		c->mac = NULL;
	}
	for (i = 0; i < n; i++)
		if (recv_for(c, qs, macs, answers, n))
			goto out;
	r = 0;
out:
	for (i = 0; i < n; i++)
		ldns_rdf_deep_free(macs[i]);
	free(macs);
	if (r)
		for (i = 0; i < n; i++) {
			ldns_pkt_free(answers[i]);
			answers[i] = NULL;
		}
	return r;
}

int fw_dns_exchange(struct fw_dns_conn *c, ldns_pkt *q, ldns_pkt **out)
{
	*out = NULL;
	if (fw_dns_send(c, q))
		return -1;
	for (;;) {
		if (fw_dns_recv(c, out))
			return -1;
		if (ldns_pkt_id(*out) == ldns_pkt_id(q))
			return 0;
		ldns_pkt_free(*out); /* a late answer to an abandoned request */
		*out = NULL;
	}
}

int fw_dns_name_text(const ldns_rdf *name, char *out, size_t len)
{
	struct fw_name n;

	if (!name || ldns_rdf_get_type(name) != LDNS_RDF_TYPE_DNAME ||
	    fw_name_from_wire(ldns_rdf_data(name), ldns_rdf_size(name), &n) ||
	    strlen(n.text) >= len)
		return -1;
	memcpy(out, n.text, strlen(n.text) + 1);
	return 0;
}

void fw_dns_rcode_text(const ldns_pkt *p, char *buf, size_t len)
{
	ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(p));
	ldns_rr *t = ldns_pkt_tsig(p);
	unsigned terr = 0;

	if (t && ldns_rr_rd_count(t) > 5)
		terr = ldns_rdf2native_int16(ldns_rr_rdf(t, 5));
	if (terr)
		snprintf(buf, len, "%s, TSIG error %s", lt ? lt->name : "?",
			 terr == 16   ? "BADSIG"
			 : terr == 17 ? "BADKEY"
			 : terr == 18 ? "BADTIME"
				      : "other");
	else
		snprintf(buf, len, "%s", lt ? lt->name : "?");
}
