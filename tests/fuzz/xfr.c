// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What a primary sends a subscriber: after a first byte that asks for an
 * AXFR (even) or an IXFR from serial 7 (odd), the input is a stream of
 * length-prefixed DNS messages, as on a TCP connection. A transfer that is
 * refused leaves nothing to apply; one that is taken gives only names the
 * block list can hold, deletions only in an IXFR, and fleet words only with
 * a valid node. Each message is also offered to the NOTIFY listener, whose
 * answer, if any, must be a response to it; and the input's first line to
 * the TSIG key parser.
 */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fleet/notify_listen.h"
#include "fleet/zone_xfer.h"
#include "formats/dns_name.h"
#include "formats/tsig_keys.h"
#include "fuzz_check.h"

#define ZONE "rpz.fleet.example"

static void check_facts(const struct fw_xfr_result *r)
{
	char why[256];
	size_t i;

	FUZZ_CHECK(r->deleted <= r->records, "%zu deletions of %zu records", r->deleted,
		   r->records);
	for (i = 0; i < r->n; i++) {
		const struct fw_rpz_fact *f = &r->f[i];
		struct fw_name n;

		FUZZ_CHECK(!fw_name_parse(f->name, &n, why, sizeof(why)) &&
			       !fw_name_check_host(n.text, why, sizeof(why)) &&
			       !strcmp(n.text, f->name),
			   "fact name '%s' is not a block-list name: %s", f->name, why);
		FUZZ_CHECK(r->kind == FW_XFR_IXFR || !f->del, "a deletion in a whole zone");
		if (f->kind == FW_RPZ_META)
			FUZZ_CHECK(!fw_rpz_node_check(f->meta.node, why, sizeof(why)),
				   "fleet word of node '%s': %s", f->meta.node, why);
		else
			FUZZ_CHECK(f->match <= FW_MATCH_EXACT, "match %u", f->match);
	}
}

static void transfer(const uint8_t *data, size_t size, int ixfr)
{
	struct fw_dns_conn c = {.fd = -1};
	struct fw_xfr_result r;
	char err[600];
	int sv[2], k;

	FUZZ_CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	/* the whole input fits the socket's buffer (max_len 65536) */
	FUZZ_CHECK(size == 0 || write(sv[1], data, size) == (ssize_t)size, "write");
	shutdown(sv[1], SHUT_WR);
	c.fd = sv[0];
	k = fw_zone_xfer(&c, ZONE, ixfr, 7, 1000, &r, err, sizeof(err));
	if (k == 0) {
		check_facts(&r);
		fw_xfr_result_free(&r);
	} else {
		FUZZ_CHECK(r.n == 0 && !r.f, "a refused transfer left %zu facts", r.n);
		FUZZ_CHECK(k == 1 || err[0], "a refused transfer without a reason");
	}
	fw_dns_close(&c);
	close(sv[1]);
}

static void notify(const uint8_t *data, size_t size)
{
	size_t off = 0;

	while (off + 2 <= size) {
		size_t len = (size_t)data[off] << 8 | data[off + 1], alen;
		uint8_t *ans;
		ldns_pkt *a = NULL;
		char zone[300];

		off += 2;
		if (len > size - off)
			break;
		if (!fw_notify_answer(data + off, len, NULL, zone, sizeof(zone), &ans, &alen)) {
			FUZZ_CHECK(ldns_wire2pkt(&a, ans, alen) == LDNS_STATUS_OK,
				   "the NOTIFY answer does not parse");
			FUZZ_CHECK(ldns_pkt_qr(a) && ldns_pkt_get_opcode(a) == LDNS_PACKET_NOTIFY,
				   "the NOTIFY answer is not a NOTIFY response");
			ldns_pkt_free(a);
			free(ans);
		}
		off += len;
	}
}

static void key_line(const uint8_t *data, size_t size)
{
	struct fw_tsig_key k;
	char line[512], why[300];
	size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;

	memcpy(line, data, n);
	line[n] = '\0';
	if (!fw_tsig_key_parse(line, &k, why, sizeof(why)))
		FUZZ_CHECK(k.name[strlen(k.name) - 1] == '.' && k.secret[0],
			   "key '%s' taken without a secret or an absolute name", k.name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size) {
		transfer(data + 1, size - 1, data[0] & 1);
		notify(data + 1, size - 1);
	}
	key_line(data, size);
	return 0;
}
