// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The NOTIFY listener of the subscriptions. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleet/notify_listen.h"

int fw_notify_open(const struct fw_dns_peer *where, char *err, size_t errlen)
{
	int fd = socket(where->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (const struct sockaddr *)&where->ss, where->len)) {
		snprintf(err, errlen, "cannot listen for NOTIFY on %s: %s; check notify_listen",
			 where->text, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void answer(int fd, ldns_pkt *q, const struct sockaddr_storage *from, socklen_t flen)
{
	uint8_t *wire = NULL;
	size_t n;

	ldns_pkt_set_qr(q, true);
	ldns_pkt_set_aa(q, true);
	ldns_pkt_set_rcode(q, LDNS_RCODE_NOERROR);
	ldns_rr_free(ldns_pkt_tsig(q));
	ldns_pkt_set_tsig(q, NULL); /* unsigned: the transfer is what is checked */
	if (ldns_pkt2wire(&wire, q, &n) == LDNS_STATUS_OK)
		sendto(fd, wire, n, 0, (const struct sockaddr *)from, flen);
	free(wire);
}

int fw_notify_read(int fd, char *zone, size_t zlen, struct sockaddr_storage *from)
{
	socklen_t flen = sizeof(*from);
	uint8_t buf[4096];
	ldns_pkt *q = NULL;
	ldns_rr *qr;
	char *z;
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)from, &flen);
	int ret = 0;

	if (n < 0)
		return -1;
	if (ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
		return 0;
	if (ldns_pkt_get_opcode(q) != LDNS_PACKET_NOTIFY || ldns_pkt_qr(q) ||
	    ldns_pkt_qdcount(q) != 1)
		goto out;
	qr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	z = qr ? ldns_rdf2str(ldns_rr_owner(qr)) : NULL;
	if (!z)
		goto out;
	for (char *c = z; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	if (strlen(z) > 1 && z[strlen(z) - 1] == '.')
		z[strlen(z) - 1] = '\0';
	snprintf(zone, zlen, "%s", z);
	free(z);
	answer(fd, q, from, flen);
	ret = 1;
out:
	ldns_pkt_free(q);
	return ret;
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
