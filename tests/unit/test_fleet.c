// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The fleet's parts without a network: TSIG key lines, the TXT records and
 * the subscriber's view of a name, the publish queue across a crash, and
 * zone transfers read from a socket fed by the test (AXFR, IXFR, an IXFR
 * answered with the whole zone, up to date, broken off, too large).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fleet/notify_listen.h"
#include "fleet/publish_queue.h"
#include "fleet/rpz_name.h"
#include "fleet/zone_xfer.h"
#include "formats/tsig_keys.h"
#include "xdp_harness.h"

#define ZONE "rpz.fleet.example"

static void test_tsig_key_lines(void **state)
{
	struct fw_tsig_key k;
	char why[300];

	assert_int_equal(
	    fw_tsig_key_parse("hmac-sha256:fleet:c2VjcmV0c2VjcmV0", &k, why, sizeof(why)), 0);
	assert_string_equal(k.name, "fleet.");
	assert_string_equal(k.alg, "hmac-sha256.");
	assert_int_equal(fw_tsig_key_parse("hmac-sha999:fleet:c2VjcmV0", &k, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "unknown algorithm 'hmac-sha999'"));
	assert_int_equal(fw_tsig_key_parse("hmac-sha256:fleet:not base64!", &k, why, sizeof(why)),
			 -1);
	assert_int_equal(fw_tsig_key_parse("fleet-secret", &k, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "ALGORITHM:NAME:SECRET"));
}

static void test_tsig_key_file(void **state)
{
	struct fw_tsig_keys keys;
	char dir[256], path[300], err[600];
	FILE *f;

	assert_int_equal(fwh_tmpdir(dir, sizeof(dir), "fleetkeys"), 0);
	snprintf(path, sizeof(path), "%s/keys", dir);
	f = fopen(path, "w");
	fputs("# the fleet's keys\n\n  hmac-sha256:fleet:c2VjcmV0c2VjcmV0  # update\r\n"
	      "hmac-sha512:xfr.example.:b3RoZXJvdGhlcg==\n",
	      f);
	fclose(f);
	chmod(path, 0644);
	/* a secret others can read is refused, with the fix */
	assert_int_equal(fw_tsig_keys_load(&keys, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "chmod 600"));
	chmod(path, 0600);
	assert_int_equal(fw_tsig_keys_load(&keys, path, err, sizeof(err)), 0);
	assert_int_equal(keys.n, 2);
	assert_string_equal(keys.k[0].secret, "c2VjcmV0c2VjcmV0");
	assert_non_null(fw_tsig_keys_find(&keys, "xfr.example"));
	assert_null(fw_tsig_keys_find(&keys, "xfr"));
	/* a bad line names the file and the line */
	f = fopen(path, "a");
	fputs("fleet-secret\n", f);
	fclose(f);
	assert_int_equal(fw_tsig_keys_load(&keys, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "keys:5:"));
	assert_int_equal(keys.n, 0);
	fwh_rmtree(dir);
}

static struct fw_rpz_meta meta(const char *node, int64_t expires, double score)
{
	struct fw_rpz_meta m = {.expires = expires, .score = score, .match = FW_MATCH_SUBTREE};

	snprintf(m.node, sizeof(m.node), "%s", node);
	snprintf(m.reason, sizeof(m.reason), "flux; 5 ASNs \"quoted\"");
	return m;
}

static void test_txt_round_trip(void **state)
{
	struct fw_rpz_meta m = meta("gw-1.east", 1900000000, 0.93), back;
	char s[FW_RPZ_TXT_STRINGS][256], *p[FW_RPZ_TXT_STRINGS], why[128];
	int i;

	fw_rpz_meta_txt(&m, s);
	for (i = 0; i < FW_RPZ_TXT_STRINGS; i++)
		p[i] = s[i];
	assert_string_equal(s[0], "node=gw-1.east");
	assert_int_equal(fw_rpz_meta_parse(p, FW_RPZ_TXT_STRINGS, &back, why, sizeof(why)), 0);
	assert_string_equal(back.node, "gw-1.east");
	assert_int_equal(back.expires, 1900000000);
	/* ';' and quotes cannot travel: they would split or break the entry's reason */
	assert_null(strchr(back.reason, ';'));
	assert_null(strchr(back.reason, '"'));
	/* a TXT record that is not a node's word is refused */
	assert_int_equal(fw_rpz_meta_parse(p + 1, FW_RPZ_TXT_STRINGS - 1, &back, why, sizeof(why)),
			 -1);
}

static struct fw_rpz_fact fact(int del, int kind, int match, const struct fw_rpz_meta *m)
{
	struct fw_rpz_fact f = {.del = (uint8_t)del,
				.kind = (uint8_t)kind,
				.match = (uint8_t)match,
				.action = FW_ACT_NXDOMAIN};

	snprintf(f.name, sizeof(f.name), "evil.example");
	if (m)
		f.meta = *m;
	return f;
}

/* The entries of the view, kept as a state the next step reads back. */
static void entries_of(const struct fw_rpz_name *v, int64_t now, struct fw_state *st)
{
	char reasons[2][FW_RPZ_REASON_TEXT];
	struct fw_entry e[2];
	size_t i, n = fw_rpz_name_entries(v, ZONE, now, e, reasons);

	fw_state_free(st);
	for (i = 0; i < n; i++)
		assert_int_equal(fw_state_add(st, &e[i]), 0);
}

static void test_two_nodes_one_name(void **state)
{
	struct fw_rpz_meta a = meta("node-a", 2000, 0.9), b = meta("node-b", 3000, 0.7);
	struct fw_rpz_fact f[] = {fact(0, FW_RPZ_TRIGGER, FW_MATCH_EXACT, NULL),
				  fact(0, FW_RPZ_TRIGGER, FW_MATCH_SUBTREE, NULL),
				  fact(0, FW_RPZ_META, 0, &a), fact(0, FW_RPZ_META, 0, &b)};
	struct fw_state st = {0};
	struct fw_rpz_name v;
	size_t i;

	fw_rpz_name_from(&v, "evil.example", ZONE, &st);
	for (i = 0; i < 4; i++)
		fw_rpz_name_apply(&v, &f[i]);
	entries_of(&v, 1000, &st);
	assert_int_equal(st.n, 2); /* NAME and *.NAME */
	assert_int_equal(st.e[0].expires, 3000);
	assert_string_equal(st.e[0].source, ZONE);

	/* an IXFR that removes node-b's word: rebuilt from the entries alone */
	fw_rpz_name_from(&v, "evil.example", ZONE, &st);
	assert_int_equal(v.nmeta, 2);
	f[3].del = 1;
	fw_rpz_name_apply(&v, &f[3]);
	entries_of(&v, 1000, &st);
	assert_int_equal(st.n, 2);
	assert_int_equal(st.e[0].expires, 2000);

	/* node-a's expiry passed: nothing is enforced, whatever the zone holds */
	fw_rpz_name_from(&v, "evil.example", ZONE, &st);
	entries_of(&v, 2000, &st);
	assert_int_equal(st.n, 0);

	/* node-a renews: its CNAMEs never left the zone, so only its TXT comes */
	a.expires = 5000;
	f[2] = fact(0, FW_RPZ_META, 0, &a);
	fw_rpz_name_from(&v, "evil.example", ZONE, &st);
	fw_rpz_name_apply(&v, &f[2]);
	entries_of(&v, 2000, &st);
	assert_int_equal(st.n, 2);
	assert_int_equal(st.e[0].expires, 5000);
	fw_state_free(&st);
}

static void test_third_party_trigger(void **state)
{
	struct fw_rpz_fact f = fact(0, FW_RPZ_TRIGGER, FW_MATCH_EXACT, NULL);
	struct fw_state st = {0};
	struct fw_rpz_name v;

	fw_rpz_name_from(&v, "evil.example", ZONE, &st);
	fw_rpz_name_apply(&v, &f);
	entries_of(&v, 1000, &st);
	assert_int_equal(st.n, 1);
	assert_int_equal(st.e[0].expires, 0); /* no publisher: no expiry */
	assert_int_equal(st.e[0].match, FW_MATCH_EXACT);
	fw_state_free(&st);
}

static void test_queue_survives_a_crash(void **state)
{
	struct fw_pub_op ops[3] = {0}, out[8];
	struct fw_pub_queue q;
	char dir[256], err[512] = "", path[400];
	FILE *f;
	int i;

	assert_int_equal(fwh_tmpdir(dir, sizeof(dir), "fleetq"), 0);
	assert_int_equal(fw_pubq_open(&q, dir, err, sizeof(err)), 0);
	for (i = 0; i < 3; i++) {
		snprintf(ops[i].name, sizeof(ops[i].name), "n%d.example", i);
		snprintf(ops[i].meta.node, sizeof(ops[i].meta.node), "a");
		ops[i].del = i == 2;
	}
	assert_int_equal(fw_pubq_push(&q, ops, 3, err, sizeof(err)), 0);
	assert_int_equal(fw_pubq_ack(&q, ops[0].seq, err, sizeof(err)), 0);
	fw_pubq_close(&q);
	/* a writer killed in the middle of a line */
	snprintf(path, sizeof(path), "%s/fleet/publish.queue", dir);
	f = fopen(path, "a");
	fputs("99\tadd\ttorn.exa", f);
	fclose(f);
	assert_int_equal(fw_pubq_count_dir(dir), 2);
	assert_int_equal(fw_pubq_open(&q, dir, err, sizeof(err)), 0);
	assert_int_equal(fw_pubq_peek(&q, out, 8), 2);
	assert_string_equal(out[0].name, "n1.example"); /* in order, the acked one gone */
	assert_int_equal(out[1].del, 1);
	/* the torn line is cut, and numbering goes on after the last whole one */
	ops[0].del = 0;
	assert_int_equal(fw_pubq_push(&q, ops, 1, err, sizeof(err)), 0);
	assert_int_equal(ops[0].seq, out[1].seq + 1);
	fw_pubq_close(&q);
	fwh_rmtree(dir);
}

/* --- transfers from a socket the test writes --- */

static void send_msg(int fd, const char *const *rrs, size_t n)
{
	ldns_pkt *p = ldns_pkt_new();
	uint8_t *wire, len[2];
	size_t i, w;

	ldns_pkt_set_qr(p, true);
	for (i = 0; i < n; i++) {
		ldns_rr *rr = NULL;

		assert_int_equal(ldns_rr_new_frm_str(&rr, rrs[i], 0, NULL, NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	assert_int_equal(ldns_pkt2wire(&wire, p, &w), LDNS_STATUS_OK);
	len[0] = (uint8_t)(w >> 8);
	len[1] = (uint8_t)w;
	assert_int_equal(write(fd, len, 2), 2);
	assert_int_equal(write(fd, wire, w), (ssize_t)w);
	free(wire);
	ldns_pkt_free(p);
}

#define SOA(s) ZONE ". 60 IN SOA ns." ZONE ". admin." ZONE ". " #s " 5 5 3600 60"

/* Run a transfer against messages queued on a socket pair. */
static int xfer(int have_serial, uint32_t serial, size_t max, const char *const *const *msgs,
		const size_t *lens, size_t nmsg, int close_early, struct fw_xfr_result *r,
		char *err, size_t errlen)
{
	struct fw_dns_conn c = {.fd = -1};
	int sv[2], ret;
	size_t i;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (i = 0; i < nmsg; i++)
		send_msg(sv[1], msgs[i], lens[i]);
	if (close_early)
		shutdown(sv[1], SHUT_WR);
	c.fd = sv[0];
	ret = fw_zone_xfer(&c, ZONE, have_serial, serial, max, r, err, errlen);
	fw_dns_close(&c);
	close(sv[1]);
	return ret;
}

static const char *const axfr1[] = {SOA(7), "evil.example." ZONE ". 60 IN CNAME .",
				    "*.evil.example." ZONE ". 60 IN CNAME ."};
static const char *const axfr2[] = {"ok.example." ZONE ". 60 IN CNAME rpz-passthru.",
				    "www.example." ZONE ". 60 IN A 192.0.2.1", SOA(7)};

static void test_axfr_in_two_messages(void **state)
{
	const char *const *m[] = {axfr1, axfr2};
	size_t l[] = {3, 3};
	struct fw_xfr_result r;
	char err[600];

	assert_int_equal(xfer(0, 0, 100, m, l, 2, 0, &r, err, sizeof(err)), 0);
	assert_int_equal(r.kind, FW_XFR_AXFR);
	assert_int_equal(r.serial, 7);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.skipped, 1); /* local data: fluxwall cannot serve it */
	assert_int_equal(r.f[1].match, FW_MATCH_SUBTREE);
	assert_true(r.f[2].allow);
	fw_xfr_result_free(&r);
}

static void test_ixfr_differences(void **state)
{
	static const char *const d[] = {SOA(9),
					SOA(7),
					"evil.example." ZONE ". 60 IN CNAME .",
					SOA(8),
					"new.example." ZONE ". 60 IN CNAME .",
					SOA(8),
					SOA(9),
					"more.example." ZONE ". 60 IN CNAME rpz-drop.",
					SOA(9)};
	const char *const *m[] = {d};
	size_t l[] = {9};
	struct fw_xfr_result r;
	char err[600];

	assert_int_equal(xfer(1, 7, 100, m, l, 1, 0, &r, err, sizeof(err)), 0);
	assert_int_equal(r.kind, FW_XFR_IXFR);
	assert_int_equal(r.serial, 9);
	assert_int_equal(r.n, 3);
	/* the zone's size moves by additions minus deletions: +1 here */
	assert_int_equal(r.records, 3);
	assert_int_equal(r.deleted, 1);
	assert_int_equal(r.f[0].del, 1);
	assert_string_equal(r.f[1].name, "new.example");
	assert_int_equal(r.f[1].del, 0);
	assert_int_equal(r.f[2].action, FW_ACT_DROP);
	fw_xfr_result_free(&r);
}

static void test_ixfr_up_to_date_and_other_history(void **state)
{
	static const char *const same[] = {SOA(7)};
	const char *const *m[] = {same};
	size_t l[] = {1};
	struct fw_xfr_result r;
	char err[600];

	assert_int_equal(xfer(1, 7, 100, m, l, 1, 0, &r, err, sizeof(err)), 0);
	assert_int_equal(r.kind, FW_XFR_UP_TO_DATE);
	/* the primary's serial is not ours: it has no differences for us */
	assert_int_equal(xfer(1, 3, 100, m, l, 1, 0, &r, err, sizeof(err)), 1);
}

static void test_ixfr_answered_with_whole_zone(void **state)
{
	const char *const *m[] = {axfr1, axfr2};
	size_t l[] = {3, 3};
	struct fw_xfr_result r;
	char err[600];

	assert_int_equal(xfer(1, 5, 100, m, l, 2, 0, &r, err, sizeof(err)), 0);
	assert_int_equal(r.kind, FW_XFR_AXFR);
	assert_int_equal(r.n, 3);
	fw_xfr_result_free(&r);
}

static void test_broken_and_too_large_refused_whole(void **state)
{
	const char *const *m[] = {axfr1, axfr2};
	size_t l[] = {3, 3};
	struct fw_xfr_result r;
	char err[600];

	/* the primary goes away after the first message */
	assert_int_equal(xfer(0, 0, 100, m, l, 1, 1, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "broke off"));
	assert_int_equal(r.n, 0);
	assert_int_equal(xfer(0, 0, 2, m, l, 2, 0, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "subscribe_max_records"));
	assert_int_equal(r.n, 0);
}

/* A NOTIFY for ZONE, signed with key when given. */
static void notify_wire(const struct fw_tsig_key *key, uint8_t **wire, size_t *len)
{
	ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str(ZONE "."), LDNS_RR_TYPE_SOA,
					 LDNS_RR_CLASS_IN, 0);

	ldns_pkt_set_opcode(q, LDNS_PACKET_NOTIFY);
	ldns_pkt_set_id(q, 4242);
	if (key)
		assert_int_equal(ldns_pkt_tsig_sign(q, key->name, key->secret, 300, key->alg, NULL),
				 LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt2wire(wire, q, len), LDNS_STATUS_OK);
	ldns_pkt_free(q);
}

static void test_notify_answers(void **state)
{
	struct fw_tsig_keys keys = {.n = 1}, other = {.n = 1};
	uint8_t *wire, *ans;
	size_t len, alen;
	ldns_pkt *a = NULL;
	char zone[300], why[200];

	assert_int_equal(
	    fw_tsig_key_parse("hmac-sha256:fleet:c2VjcmV0c2VjcmV0", &keys.k[0], why, sizeof(why)),
	    0);
	assert_int_equal(
	    fw_tsig_key_parse("hmac-sha256:fleet:b3RoZXJvdGhlcg==", &other.k[0], why, sizeof(why)),
	    0);
	/* unsigned: answered, zone named */
	notify_wire(NULL, &wire, &len);
	assert_int_equal(fw_notify_answer(wire, len, &keys, zone, sizeof(zone), &ans, &alen), 0);
	assert_string_equal(zone, ZONE);
	assert_int_equal(ldns_wire2pkt(&a, ans, alen), LDNS_STATUS_OK);
	assert_true(ldns_pkt_qr(a));
	assert_int_equal(ldns_pkt_id(a), 4242);
	ldns_pkt_free(a);
	free(ans);
	free(wire);
	/* signed with our key: the answer is signed, and verifies against the request */
	notify_wire(&keys.k[0], &wire, &len);
	assert_int_equal(fw_notify_answer(wire, len, &keys, zone, sizeof(zone), &ans, &alen), 0);
	assert_int_equal(ldns_wire2pkt(&a, ans, alen), LDNS_STATUS_OK);
	assert_non_null(ldns_pkt_tsig(a));
	ldns_pkt_free(a);
	free(ans);
	/* the same under another secret: dropped */
	assert_int_equal(fw_notify_answer(wire, len, &other, zone, sizeof(zone), &ans, &alen), -1);
	free(wire);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tsig_key_lines),
	    cmocka_unit_test(test_tsig_key_file),
	    cmocka_unit_test(test_txt_round_trip),
	    cmocka_unit_test(test_two_nodes_one_name),
	    cmocka_unit_test(test_third_party_trigger),
	    cmocka_unit_test(test_queue_survives_a_crash),
	    cmocka_unit_test(test_axfr_in_two_messages),
	    cmocka_unit_test(test_ixfr_differences),
	    cmocka_unit_test(test_ixfr_up_to_date_and_other_history),
	    cmocka_unit_test(test_ixfr_answered_with_whole_zone),
	    cmocka_unit_test(test_broken_and_too_large_refused_whole),
	    cmocka_unit_test(test_notify_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
