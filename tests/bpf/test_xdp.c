// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XDP program on crafted frames, through BPF_PROG_TEST_RUN. Each test
 * gets the program loaded fresh in a private pin directory, manages its
 * rules with the real CLI, and checks what a user would see: the verdict,
 * the exact bytes of rewritten answers with valid checksums, frames passed
 * unmodified, and the counter that explains the verdict. Run as root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <cmocka.h>

#include "fluxwall_abi.h"
#include "pktbuild.h"
#include "xdp_harness.h"

static struct fwh H;
static struct fwh_result R;
static uint8_t F[PB_MAX_FRAME]; /* the frame under test */
static uint8_t W[PB_MAX_FRAME]; /* the frame we want back */
static struct pb_dns M, X;

static int setup(void **state)
{
	return fwh_open_with_cli(&H, "xdp");
}

static int teardown(void **state)
{
	fwh_close(&H);
	return 0;
}

/* ---- helpers ---- */

#define CLI(...) cli_run(__LINE__, (char *const[]){ __VA_ARGS__, NULL })

static void cli_run(int line, char *const args[])
{
	char cmd[1024] = "";
	int rc = fwh_cli(&H, args), i;

	if (rc == 0)
		return;
	for (i = 0; args[i]; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s", args[i]);
	fail_msg("line %d: 'fluxwall%s' exited %d:\n%s", line, cmd, rc, H.cli_out);
}

static void run(int line, const uint8_t *f, size_t len)
{
	if (!len)
		fail_msg("line %d: the test frame did not fit", line);
	if (fwh_run(&H, f, len, &R))
		fail_msg("line %d: BPF_PROG_TEST_RUN failed: %s", line, strerror(-R.err));
	if (R.delta[FW_CNT_PACKETS] != 1) {
		fwh_print_delta(&R);
		fail_msg("line %d: the packets counter moved by %llu, not 1", line,
			 (unsigned long long)R.delta[FW_CNT_PACKETS]);
	}
}

/* Passed, untouched, and counted as `counter` (and as passed). */
#define EXPECT_PASS(f, len, counter) expect_pass(__LINE__, f, len, counter)

static void expect_pass(int line, const uint8_t *f, size_t len, unsigned int counter)
{
	run(line, f, len);
	if (R.verdict != XDP_PASS || R.delta[counter] != 1 || R.delta[FW_CNT_PASSED] != 1 ||
	    R.delta[FW_CNT_BLOCK_DROP] || R.delta[FW_CNT_BLOCK_NXDOMAIN]) {
		fwh_print_delta(&R);
		pb_hexdump(stderr, "frame", f, len);
		fail_msg("line %d: want XDP_PASS counted as %s", line, fw_counter_name(counter));
	}
	if (pb_diff(stderr, R.out, R.out_len, f, len))
		fail_msg("line %d: a passed frame was modified", line);
}

/* Dropped as a block; extra is a counter that must move too, or 0. */
#define EXPECT_DROP(f, len, extra) expect_drop(__LINE__, f, len, extra)

static void expect_drop(int line, const uint8_t *f, size_t len, unsigned int extra)
{
	run(line, f, len);
	if (R.verdict != XDP_DROP || R.delta[FW_CNT_BLOCK_DROP] != 1 ||
	    R.delta[FW_CNT_BLOCK_MANUAL] != 1 || R.delta[FW_CNT_DNS_RESPONSES] != 1 ||
	    R.delta[FW_CNT_PASSED] || (extra && R.delta[extra] != 1)) {
		fwh_print_delta(&R);
		pb_hexdump(stderr, "frame", f, len);
		fail_msg("line %d: want XDP_DROP counted as block_drop%s%s", line,
			 extra ? " and " : "", extra ? fw_counter_name(extra) : "");
	}
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The DNS view of the rewritten answer, checked field by field. */
static void check_nxdomain_message(int line, const uint8_t *f, size_t len, size_t want_len)
{
	struct pb_info in;
	const uint8_t *d;
	char why[256];

	if (pb_parse(f, len, &in, why, sizeof(why)))
		fail_msg("line %d: rewritten frame does not parse: %s", line, why);
	d = f + in.payload_off;
	if (in.payload_len < 12)
		fail_msg("line %d: rewritten DNS message of %zu bytes", line, in.payload_len);
	if (!(d[2] & 0x80) || (d[3] & 0xf) != PB_DNS_NXDOMAIN)
		fail_msg("line %d: flags %04x: want QR=1 RCODE=3", line, get16(d + 2));
	if (get16(d + 4) != 1 || get16(d + 6) || get16(d + 8) || get16(d + 10))
		fail_msg("line %d: counts %u/%u/%u/%u: want 1/0/0/0", line, get16(d + 4),
			 get16(d + 6), get16(d + 8), get16(d + 10));
	if (in.payload_len != want_len)
		fail_msg("line %d: DNS message of %zu bytes: want %zu, cut after the question",
			 line, in.payload_len, want_len);
}

/*
 * Run response m in frame spec s and check the NXDOMAIN rewrite: XDP_PASS,
 * valid lengths and checksums, and the exact frame pb_dns_expect_nxdomain()
 * and the builder make of the same headers.
 */
#define EXPECT_NXDOMAIN(s, m) expect_nxdomain(__LINE__, s, m)

static void expect_nxdomain(int line, const struct pb_spec *s, const struct pb_dns *m)
{
	struct pb_spec ws = s ? *s : (struct pb_spec){};
	size_t len = pb_build_dns(s, m, F, sizeof(F)), wlen;
	char why[256];

	if (pb_dns_expect_nxdomain(m, &X))
		fail_msg("line %d: test message has no plain question", line);
	ws.trailer = 0; /* the rewrite ends the frame at the question */
	wlen = pb_build_dns(&ws, &X, W, sizeof(W));
	run(line, F, len);
	if (R.verdict != XDP_PASS || R.delta[FW_CNT_BLOCK_NXDOMAIN] != 1 ||
	    R.delta[FW_CNT_BLOCK_DROP] || R.delta[FW_CNT_NXDOMAIN_FAILED]) {
		fwh_print_delta(&R);
		fail_msg("line %d: want an NXDOMAIN rewrite (XDP_PASS, block_nxdomain)", line);
	}
	if (pb_verify(R.out, R.out_len, why, sizeof(why))) {
		pb_hexdump(stderr, "rewritten", R.out, R.out_len);
		fail_msg("line %d: rewritten frame is invalid: %s", line, why);
	}
	check_nxdomain_message(line, R.out, R.out_len, X.len);
	if (pb_diff(stderr, R.out, R.out_len, W, wlen))
		fail_msg("line %d: rewritten frame differs from the expected answer", line);
}

/* A response for qname in spec s (NULL: IPv4), two A records. */
static size_t response(const struct pb_spec *s, const char *qname)
{
	pb_dns_response(&M, 0x1234, qname, 2);
	return pb_build_dns(s, &M, F, sizeof(F));
}

/* A string of n copies of c. */
static const char *rep(char c, size_t n)
{
	static char bufs[8][300];
	static int next;
	char *b = bufs[next++ % 8];

	memset(b, c, n);
	b[n] = '\0';
	return b;
}

/* ---- encapsulations ---- */

struct encap {
	const char *what;
	struct pb_spec s;
};

static const struct encap encaps[] = {
	{ "IPv4", {} },
	{ "IPv4, UDP checksum 0", { .csum = PB_CSUM_ZERO } },
	{ "IPv4 with 4 option bytes", { .ip4_optlen = 4 } },
	{ "IPv4 with 40 option bytes", { .ip4_optlen = 40 } },
	{ "IPv4, DF set", { .ip4_frag = 0x4000 } },
	{ "IPv4, Ethernet padding", { .trailer = 18 } },
	{ "IPv6", { .ipv6 = 1 } },
	{ "IPv6, Ethernet padding", { .ipv6 = 1, .trailer = 7 } },
	{ "IPv6 hop-by-hop", { .ipv6 = 1, .next = 1, .ext = { IPPROTO_HOPOPTS } } },
	{ "IPv6 routing", { .ipv6 = 1, .next = 1, .ext = { IPPROTO_ROUTING }, .ext_len = { 2 } } },
	{ "IPv6 destination options",
	  { .ipv6 = 1, .next = 1, .ext = { IPPROTO_DSTOPTS }, .ext_len = { 1 } } },
	{ "IPv6 hop-by-hop, routing, destination options",
	  { .ipv6 = 1,
	    .next = 3,
	    .ext = { IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS },
	    .ext_len = { 0, 2, 1 } } },
	{ "IPv6 with four extension headers",
	  { .ipv6 = 1,
	    .next = 4,
	    .ext = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS } } },
	{ "802.1Q, IPv4", { .nvlan = 1 } },
	{ "802.1Q, IPv6", { .nvlan = 1, .ipv6 = 1 } },
	{ "802.1ad + 802.1Q, IPv4", { .nvlan = 2 } },
	{ "802.1Q + 802.1Q, IPv4", { .nvlan = 2, .vlan_tpid = { 0x8100, 0x8100 } } },
	{ "802.1ad + 802.1Q, IPv6 hop-by-hop",
	  { .nvlan = 2, .ipv6 = 1, .next = 1, .ext = { IPPROTO_HOPOPTS }, .ext_len = { 3 } } },
	{ "802.1ad + 802.1Q, IPv4 options, padding", { .nvlan = 2, .ip4_optlen = 12, .trailer = 3 } },
};

#define N_ENCAPS (sizeof(encaps) / sizeof(encaps[0]))

/* Without rules every response passes untouched, in every encapsulation. */
static void test_no_rules_pass_untouched(void **state)
{
	size_t i;

	for (i = 0; i < N_ENCAPS; i++) {
		print_message("  %s\n", encaps[i].what);
		EXPECT_PASS(F, response(&encaps[i].s, "evil.example"), FW_CNT_DNS_RESPONSES);
	}
}

/* Blocking works the same in every encapsulation, with both actions. */
static void test_block_every_encapsulation(void **state)
{
	size_t i;

	CLI("block", "add", "drop.example");
	CLI("block", "add", "nx.example", "--action", "nxdomain");
	for (i = 0; i < N_ENCAPS; i++) {
		print_message("  %s\n", encaps[i].what);
		EXPECT_DROP(F, response(&encaps[i].s, "drop.example"), 0);
		EXPECT_DROP(F, response(&encaps[i].s, "www.drop.example"), 0);
		pb_dns_response(&M, 0x4242, "www.nx.example", 3);
		EXPECT_NXDOMAIN(&encaps[i].s, &M);
		EXPECT_PASS(F, response(&encaps[i].s, "ok.example"), FW_CNT_DNS_RESPONSES);
	}
}

/*
 * A jumbo frame (a 9000-byte MTU): past its first page it arrives in
 * fragments, and it is judged by its whole length all the same. Dropped,
 * or cut back to its question as an NXDOMAIN with lengths and checksums
 * right; not blocked, it passes whole.
 */
static void test_jumbo_frames(void **state)
{
	struct pb_spec v6 = { .ipv6 = 1 };
	size_t len;

	CLI("block", "add", "drop.example");
	CLI("block", "add", "nx.example", "--action", "nxdomain");
	pb_dns_response(&M, 0x4343, "www.nx.example", 500); /* 8 KB */
	assert_true(M.len > 8000 && !M.overflow);
	EXPECT_NXDOMAIN(NULL, &M);
	EXPECT_NXDOMAIN(&v6, &M);
	pb_dns_response(&M, 0x4344, "www.drop.example", 500);
	len = pb_build_dns(NULL, &M, F, sizeof(F));
	assert_true(len > 8000);
	EXPECT_DROP(F, len, 0);
	pb_dns_response(&M, 0x4345, "www.ok.example", 500);
	EXPECT_PASS(F, pb_build_dns(&v6, &M, F, sizeof(F)), FW_CNT_DNS_RESPONSES);
}

/* ---- what is a response ---- */

/* A query (QR=0) from port 53, for a blocked name, passes. */
static void test_query_passes(void **state)
{
	struct pb_spec v6 = { .ipv6 = 1 };

	CLI("block", "add", "evil.example");
	pb_dns_init(&M, 7, PB_DNS_RD, 1, 0, 0, 0);
	pb_dns_question(&M, "evil.example", PB_TYPE_A, PB_CLASS_IN);
	EXPECT_PASS(F, pb_build_dns(NULL, &M, F, sizeof(F)), FW_CNT_DNS_QUERIES);
	EXPECT_PASS(F, pb_build_dns(&v6, &M, F, sizeof(F)), FW_CNT_DNS_QUERIES);
}

/* A response with another opcode (NOTIFY) is not a standard answer: passed. */
static void test_other_opcode_passes(void **state)
{
	CLI("block", "add", "evil.example");
	pb_dns_init(&M, 7, PB_DNS_QR | PB_DNS_AA | PB_DNS_OPCODE(4), 1, 0, 0, 0);
	pb_dns_question(&M, "evil.example", 6, PB_CLASS_IN);
	EXPECT_PASS(F, pb_build_dns(NULL, &M, F, sizeof(F)), FW_CNT_DNS_OTHER);
}

/* Only traffic from a DNS source port is looked at. */
static void test_non_dns_passes(void **state)
{
	struct pb_spec other = { .sport = 12345 };
	struct pb_spec to53 = { .sport = 40000, .dport = 53 };
	struct pb_spec tcp = { .tcp = 1, .sport = 8080 };
	static const uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1,
					 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1 };

	CLI("block", "add", "evil.example");
	EXPECT_PASS(F, response(&other, "evil.example"), FW_CNT_NOT_DNS);
	EXPECT_PASS(F, response(&to53, "evil.example"), FW_CNT_NOT_DNS);
	EXPECT_PASS(F, response(&tcp, "evil.example"), FW_CNT_NOT_DNS);
	EXPECT_PASS(arp, sizeof(arp), FW_CNT_NOT_DNS);
	/* Three tags are more than the parser follows: passed, not misread. */
	{
		struct pb_spec s = { .nvlan = 2 };
		size_t len = response(&s, "evil.example");

		memmove(F + 16, F + 12, len - 12);
		F[12] = 0x81;
		F[13] = 0x00;
		F[14] = 0;
		F[15] = 7;
		EXPECT_PASS(F, len + 4, FW_CNT_NOT_DNS);
	}
}

/*
 * More IPv6 extension headers than the parser follows: the packet must
 * still pass untouched (whatever it is counted as), never be dropped.
 */
static void test_too_many_extension_headers_pass(void **state)
{
	struct pb_spec s = { .ipv6 = 1, .next = 6 };
	int i;

	CLI("block", "add", "evil.example");
	for (i = 0; i < 6; i++)
		s.ext[i] = IPPROTO_DSTOPTS;
	EXPECT_PASS(F, response(&s, "evil.example"), FW_CNT_PASSED);
}

/* `fluxwall ports add` makes another source port count as DNS. */
static void test_configurable_port(void **state)
{
	struct pb_spec mdns = { .sport = 5353 };
	struct pb_spec mdns6 = { .sport = 5353, .ipv6 = 1, .tcp = 1 };

	CLI("block", "add", "evil.example");
	EXPECT_PASS(F, response(&mdns, "evil.example"), FW_CNT_NOT_DNS);
	CLI("ports", "add", "5353");
	EXPECT_DROP(F, response(&mdns, "evil.example"), 0);
	EXPECT_DROP(F, response(&mdns6, "evil.example"), 0);
	EXPECT_DROP(F, response(NULL, "evil.example"), 0);
	CLI("ports", "del", "5353");
	EXPECT_PASS(F, response(&mdns, "evil.example"), FW_CNT_NOT_DNS);
	EXPECT_DROP(F, response(NULL, "evil.example"), 0);
}

/* ---- matching ---- */

/* Subtree rules match on label boundaries only; exact rules only the name. */
static void test_exact_subtree_boundary(void **state)
{
	CLI("block", "add", "evil.example");
	CLI("block", "add", "only.example", "--exact");
	EXPECT_DROP(F, response(NULL, "evil.example"), 0);
	EXPECT_DROP(F, response(NULL, "a.evil.example"), 0);
	EXPECT_DROP(F, response(NULL, "x.y.z.evil.example"), 0);
	EXPECT_PASS(F, response(NULL, "notevil.example"), FW_CNT_DNS_RESPONSES);
	EXPECT_PASS(F, response(NULL, "evil.example.com"), FW_CNT_DNS_RESPONSES);
	EXPECT_PASS(F, response(NULL, "evil.examples"), FW_CNT_DNS_RESPONSES);
	EXPECT_PASS(F, response(NULL, "evilexample"), FW_CNT_DNS_RESPONSES);
	EXPECT_PASS(F, response(NULL, "example"), FW_CNT_DNS_RESPONSES);
	EXPECT_PASS(F, response(NULL, "."), FW_CNT_DNS_RESPONSES);
	EXPECT_DROP(F, response(NULL, "only.example"), 0);
	EXPECT_PASS(F, response(NULL, "www.only.example"), FW_CNT_DNS_RESPONSES);
	EXPECT_PASS(F, response(NULL, "notonly.example"), FW_CNT_DNS_RESPONSES);

	/* The same bytes split into other labels are another name. */
	CLI("block", "add", "ab.c.example");
	EXPECT_DROP(F, response(NULL, "ab.c.example"), 0);
	EXPECT_PASS(F, response(NULL, "a.bc.example"), FW_CNT_DNS_RESPONSES);
	EXPECT_PASS(F, response(NULL, "abc.example"), FW_CNT_DNS_RESPONSES);
	/* One label holding a dot, "evil.example" as a single label. */
	pb_dns_init(&M, 1, PB_DNS_QR | PB_DNS_AA, 1, 0, 0, 0);
	pb_dns_u8(&M, 12);
	pb_dns_put(&M, "evil.example", 12);
	pb_dns_u8(&M, 0);
	pb_dns_u32(&M, 0x00010001);
	EXPECT_PASS(F, pb_build_dns(NULL, &M, F, sizeof(F)), FW_CNT_DNS_RESPONSES);
}

/* Names compare case-insensitively, in rules and in packets. */
static void test_mixed_case(void **state)
{
	CLI("block", "add", "EvIl.ExAmPlE");
	CLI("block", "add", "lower.example", "--exact");
	EXPECT_DROP(F, response(NULL, "evil.example"), 0);
	EXPECT_DROP(F, response(NULL, "EVIL.EXAMPLE"), 0);
	EXPECT_DROP(F, response(NULL, "Www.eViL.eXaMpLe"), 0);
	EXPECT_DROP(F, response(NULL, "LoWeR.ExAmPlE"), 0);
	/*
	 * Only A-Z fold. Bytes that differ from a rule's characters by the
	 * 0x20 bit alone, or by the high bit, must not match: CR is not '-',
	 * 0x11 is not '1', 0xc5 and 0xe5 are not 'e'.
	 */
	CLI("block", "add", "a-b.example", "x1.example");
	EXPECT_DROP(F, response(NULL, "A-B.example"), 0);
	EXPECT_PASS(F, response(NULL, "a\rb.example"), FW_CNT_DNS_RESPONSES);
	EXPECT_PASS(F, response(NULL, "x\x11.example"), FW_CNT_DNS_RESPONSES);
	EXPECT_PASS(F, response(NULL, "\xc5vil.example"), FW_CNT_DNS_RESPONSES);
	EXPECT_PASS(F, response(NULL, "\xe5vil.example"), FW_CNT_DNS_RESPONSES);
}

/*
 * Every label length from 1 to 63, as exact rules: the BPF side hashes
 * labels a word at a time and must agree with the CLI for every tail length.
 */
static void test_every_label_length(void **state)
{
	char names[63][80], wrong[80];
	char *args[70];
	int i, n = 0;

	args[n++] = "block";
	args[n++] = "add";
	for (i = 1; i <= 63; i++) {
		snprintf(names[i - 1], sizeof(names[0]), "%.63s.example", rep('k', (size_t)i));
		args[n++] = names[i - 1];
	}
	args[n++] = "--exact";
	args[n] = NULL;
	cli_run(__LINE__, args);
	for (i = 1; i <= 63; i++) {
		EXPECT_DROP(F, response(NULL, names[i - 1]), 0);
		/* The same length with the last byte changed must not match. */
		memcpy(wrong, names[i - 1], sizeof(wrong));
		wrong[i - 1] = 'j';
		EXPECT_PASS(F, response(NULL, wrong), FW_CNT_DNS_RESPONSES);
	}
}

/* An allow rule wins over block rules above and below it. */
static void test_allow_precedence(void **state)
{
	CLI("block", "add", "example");
	CLI("allow", "add", "good.example");
	EXPECT_DROP(F, response(NULL, "bad.example"), 0);
	EXPECT_DROP(F, response(NULL, "example"), 0);
	EXPECT_PASS(F, response(NULL, "good.example"), FW_CNT_ALLOWED);
	EXPECT_PASS(F, response(NULL, "www.good.example"), FW_CNT_ALLOWED);
	EXPECT_DROP(F, response(NULL, "notgood.example"), 0);

	/* Allow above a block: the allow still wins. */
	CLI("allow", "add", "safe.test");
	CLI("block", "add", "evil.safe.test", "--action", "nxdomain");
	CLI("block", "add", "exact.safe.test", "--exact");
	EXPECT_PASS(F, response(NULL, "evil.safe.test"), FW_CNT_ALLOWED);
	EXPECT_PASS(F, response(NULL, "a.evil.safe.test"), FW_CNT_ALLOWED);
	EXPECT_PASS(F, response(NULL, "exact.safe.test"), FW_CNT_ALLOWED);

	/* Deleting the allow rule brings the blocks back. */
	CLI("allow", "del", "good.example");
	EXPECT_DROP(F, response(NULL, "good.example"), 0);
}

/* An exact allow rule covers that name only. */
static void test_allow_exact(void **state)
{
	CLI("block", "add", "example");
	CLI("allow", "add", "a.example", "--exact");
	EXPECT_PASS(F, response(NULL, "a.example"), FW_CNT_ALLOWED);
	EXPECT_DROP(F, response(NULL, "b.a.example"), 0);
}

/* Between block rules the longest match picks the action. */
static void test_longest_match_wins(void **state)
{
	CLI("block", "add", "example", "--action", "drop");
	CLI("block", "add", "evil.example", "--action", "nxdomain");
	CLI("block", "add", "test", "--action", "nxdomain");
	CLI("block", "add", "bad.test", "--action", "drop");

	pb_dns_response(&M, 1, "evil.example", 2);
	EXPECT_NXDOMAIN(NULL, &M);
	pb_dns_response(&M, 2, "a.b.evil.example", 2);
	EXPECT_NXDOMAIN(NULL, &M);
	EXPECT_DROP(F, response(NULL, "other.example"), 0);
	EXPECT_DROP(F, response(NULL, "example"), 0);

	EXPECT_DROP(F, response(NULL, "bad.test"), 0);
	EXPECT_DROP(F, response(NULL, "www.bad.test"), 0);
	pb_dns_response(&M, 3, "fine.test", 1);
	EXPECT_NXDOMAIN(NULL, &M);
}

/* At the same name, an exact rule beats a subtree rule for that name only. */
static void test_exact_beats_subtree_same_name(void **state)
{
	CLI("block", "add", "same.example", "--action", "drop");
	CLI("block", "add", "same.example", "--exact", "--action", "nxdomain");
	pb_dns_response(&M, 1, "same.example", 2);
	EXPECT_NXDOMAIN(NULL, &M);
	EXPECT_DROP(F, response(NULL, "www.same.example"), 0);
}

/* Deleting a rule restores resolution. */
static void test_delete_restores(void **state)
{
	CLI("block", "add", "evil.example");
	EXPECT_DROP(F, response(NULL, "evil.example"), 0);
	CLI("block", "del", "evil.example");
	EXPECT_PASS(F, response(NULL, "evil.example"), FW_CNT_DNS_RESPONSES);
}

/* Deep names: 100 one-byte labels, the 127-label maximum, 255 bytes exactly. */
static void test_many_labels(void **state)
{
	char name[600] = "", full[300], over[300];
	int i;

	CLI("block", "add", "evil.example");
	for (i = 0; i < 100; i++)
		strcat(name, "a.");
	strcat(name, "evil.example");
	EXPECT_DROP(F, response(NULL, name), 0);

	/* 120 one-byte labels + evil.example: 122 labels, 254 bytes on the wire. */
	name[0] = '\0';
	for (i = 0; i < 120; i++)
		strcat(name, i % 2 ? "B." : "c.");
	strcat(name, "EVIL.example");
	EXPECT_DROP(F, response(NULL, name), 0);

	/* 63 + 63 + 63 + 48 byte labels + evil.example: 255 bytes, the maximum. */
	snprintf(full, sizeof(full), "%s.%s.%s.%s.evil.example", rep('x', 63), rep('y', 63),
		 rep('z', 63), rep('w', 48));
	EXPECT_DROP(F, response(NULL, full), 0);
	CLI("block", "add", full, "--exact", "--action", "nxdomain");
	pb_dns_response(&M, 9, full, 1);
	EXPECT_NXDOMAIN(NULL, &M);
	pb_dns_response(&M, 9, full, 1);
	EXPECT_NXDOMAIN(&(struct pb_spec){ .ipv6 = 1 }, &M);

	/* One byte more is malformed, and passed even though evil.example is blocked. */
	snprintf(over, sizeof(over), "%s.%s.%s.%s.evil.example", rep('x', 63), rep('y', 63),
		 rep('z', 63), rep('w', 49));
	EXPECT_PASS(F, response(NULL, over), FW_CNT_MAL_NAME_LEN);
}

/* "x.x.x...x" with n labels. */
static const char *labels(int n)
{
	static char bufs[4][300];
	static int next;
	char *b = bufs[next++ % 4];
	int i;

	for (i = 0; i < n; i++) {
		b[2 * i] = 'x';
		b[2 * i + 1] = '.';
	}
	b[n ? 2 * n - 1 : 0] = '\0';
	return b;
}

/*
 * Rules at depths 63, 64, 65 and 127 (the most a 255-byte name holds): the
 * depth bitmap spans two words, and depth 127 is the last label a walk reaches.
 */
static void test_rule_depth_boundaries(void **state)
{
	static const int depth[] = { 63, 64, 65, 127 };
	static const int other[] = { 1, 62, 66, 126 };
	size_t i;

	for (i = 0; i < 4; i++)
		CLI("block", "add", (char *)labels(depth[i]), "--exact");
	for (i = 0; i < 4; i++) {
		EXPECT_DROP(F, response(NULL, labels(depth[i])), 0);
		EXPECT_PASS(F, response(NULL, labels(other[i])), FW_CNT_DNS_RESPONSES);
	}
	/* A subtree rule at depth 64 covers the deeper names, to 127 labels. */
	CLI("block", "add", (char *)labels(64), "--action", "nxdomain");
	pb_dns_response(&M, 5, labels(126), 1);
	EXPECT_NXDOMAIN(NULL, &M);
	EXPECT_DROP(F, response(NULL, labels(127)), 0); /* the exact rule is longer */
	EXPECT_PASS(F, response(NULL, labels(62)), FW_CNT_DNS_RESPONSES);
}

/* ---- NXDOMAIN rewrite details ---- */

/* Odd and even message lengths, both families: checksum padding is right. */
static void test_nxdomain_lengths(void **state)
{
	static const char *const names[] = { "nx.example",     "a.nx.example",   "ab.nx.example",
					     "abc.nx.example", "abcd.nx.example", "NX.EXAMPLE" };
	struct pb_spec v6 = { .ipv6 = 1 };
	size_t i;

	CLI("block", "add", "nx.example", "--action", "nxdomain");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		pb_dns_response(&M, (uint16_t)i, names[i], (int)i);
		EXPECT_NXDOMAIN(NULL, &M);
		EXPECT_NXDOMAIN(&v6, &M);
	}
}

/* Flags: TC and AD cleared, CD, RD, AA kept; OPT and records removed. */
static void test_nxdomain_flags_and_sections(void **state)
{
	struct pb_spec tagged6 = { .ipv6 = 1, .nvlan = 2 };
	int i;

	CLI("block", "add", "nx.example", "--action", "nxdomain");
	pb_dns_init(&M, 0xbeef,
		    PB_DNS_QR | PB_DNS_AA | PB_DNS_TC | PB_DNS_RD | PB_DNS_RA | PB_DNS_AD |
			    PB_DNS_CD,
		    1, 20, 0, 1);
	pb_dns_question(&M, "host.nx.example", PB_TYPE_AAAA, PB_CLASS_IN);
	for (i = 0; i < 20; i++)
		pb_dns_rr_aaaa(&M, PB_QUESTION_OFF, 60, "2001:db8::bad");
	pb_dns_opt(&M, 4096);
	EXPECT_NXDOMAIN(NULL, &M);
	/* The expected answer spells the flags out: QR AA RD RA CD, RCODE 3. */
	assert_int_equal(get16(X.buf + 2), PB_DNS_QR | PB_DNS_AA | PB_DNS_RD | PB_DNS_RA |
						   PB_DNS_CD | PB_DNS_NXDOMAIN);

	/* A response that already is just the question: nothing to cut. */
	pb_dns_init(&M, 0xcafe, PB_DNS_QR | PB_DNS_RD | PB_DNS_RA, 1, 0, 0, 0);
	pb_dns_question(&M, "nx.example", PB_TYPE_A, PB_CLASS_IN);
	EXPECT_NXDOMAIN(NULL, &M);
	EXPECT_NXDOMAIN(&tagged6, &M);
}

/*
 * A UDP checksum that computes to 0 must be sent as 0xffff, since 0 means
 * "no checksum" (and is invalid over IPv6). Find the message ID for which
 * the answer's checksum is 0, in each family, and check the rewrite.
 */
static void test_nxdomain_checksum_zero(void **state)
{
	struct pb_spec fam[2] = { {}, { .ipv6 = 1 } };
	struct pb_info in;
	int f, found;
	uint32_t id;

	CLI("block", "add", "nx.example", "--action", "nxdomain");
	for (f = 0; f < 2; f++) {
		found = 0;
		for (id = 0; id <= 0xffff && !found; id++) {
			size_t wlen;

			pb_dns_response(&M, (uint16_t)id, "nx.example", 1);
			pb_dns_expect_nxdomain(&M, &X);
			wlen = pb_build_dns(&fam[f], &X, W, sizeof(W));
			assert_int_equal(pb_parse(W, wlen, &in, NULL, 0), 0);
			found = get16(W + in.l4_off + 6) == 0xffff;
		}
		assert_true(found);
		EXPECT_NXDOMAIN(&fam[f], &M);
	}
}

/* IPv6 forbids UDP checksum 0; a rewritten answer gets a real one anyway. */
static void test_nxdomain_ipv6_zero_checksum_input(void **state)
{
	struct pb_spec in = { .ipv6 = 1, .csum = PB_CSUM_ZERO };
	struct pb_spec want = { .ipv6 = 1 };
	size_t len, wlen;
	char why[256];

	CLI("block", "add", "nx.example", "--action", "nxdomain");
	pb_dns_response(&M, 77, "a.nx.example", 2);
	len = pb_build_dns(&in, &M, F, sizeof(F));
	pb_dns_expect_nxdomain(&M, &X);
	wlen = pb_build_dns(&want, &X, W, sizeof(W));
	run(__LINE__, F, len);
	assert_int_equal(R.verdict, XDP_PASS);
	assert_int_equal(R.delta[FW_CNT_BLOCK_NXDOMAIN], 1);
	if (pb_verify(R.out, R.out_len, why, sizeof(why)))
		fail_msg("rewritten frame is invalid: %s", why);
	assert_int_equal(pb_diff(stderr, R.out, R.out_len, W, wlen), 0);
}

/* The global default action applies to rules without --action. */
static void test_default_action_is_drop(void **state)
{
	CLI("block", "add", "evil.example");
	EXPECT_DROP(F, response(NULL, "evil.example"), 0);
	EXPECT_DROP(F, response(&(struct pb_spec){ .ipv6 = 1 }, "evil.example"), 0);
}

/* ---- malformed messages: passed, never dropped, counted by reason ---- */

static size_t frame_of(const struct pb_dns *m)
{
	return pb_build_dns(NULL, m, F, sizeof(F));
}

static void test_malformed_short_header(void **state)
{
	CLI("block", "add", "evil.example");
	pb_dns_response(&M, 1, "evil.example", 1);
	M.len = 11;
	EXPECT_PASS(F, frame_of(&M), FW_CNT_MAL_SHORT);
	M.len = 0;
	EXPECT_PASS(F, frame_of(&M), FW_CNT_MAL_SHORT);
}

static void test_malformed_labels(void **state)
{
	char name[300];

	CLI("block", "add", "evil.example");

	/* 63 bytes is the longest label: blocked. */
	snprintf(name, sizeof(name), "%s.evil.example", rep('a', 63));
	EXPECT_DROP(F, response(NULL, name), 0);
	/* 64 bytes is the reserved label type 0x40: malformed. */
	snprintf(name, sizeof(name), "%s.evil.example", rep('a', 64));
	EXPECT_PASS(F, response(NULL, name), FW_CNT_MAL_LABEL);
	/* Type 0x80, also reserved. */
	pb_dns_init(&M, 1, PB_DNS_QR, 1, 0, 0, 0);
	pb_dns_u8(&M, 0x81);
	pb_dns_put(&M, "x", 1);
	pb_dns_name(&M, "evil.example");
	pb_dns_u32(&M, 0x00010001);
	EXPECT_PASS(F, frame_of(&M), FW_CNT_MAL_LABEL);
}

static void test_malformed_name_too_long(void **state)
{
	char name[400];

	CLI("block", "add", "evil.example");
	snprintf(name, sizeof(name), "%s.%s.%s.%s.evil.example", rep('a', 63), rep('b', 63),
		 rep('c', 63), rep('d', 63));
	EXPECT_PASS(F, response(NULL, name), FW_CNT_MAL_NAME_LEN);
	EXPECT_PASS(F, response(&(struct pb_spec){ .ipv6 = 1 }, name), FW_CNT_MAL_NAME_LEN);
}

static void test_malformed_pointer_in_question(void **state)
{
	CLI("block", "add", "evil.example");
	/* "www" then a pointer to "evil.example" in the answer section. */
	pb_dns_init(&M, 1, PB_DNS_QR, 1, 1, 0, 0);
	pb_dns_u8(&M, 3);
	pb_dns_put(&M, "www", 3);
	pb_dns_ptr(&M, 22);
	pb_dns_u32(&M, 0x00010001);
	pb_dns_name(&M, "evil.example");
	pb_dns_u16(&M, PB_TYPE_A);
	pb_dns_u16(&M, PB_CLASS_IN);
	pb_dns_u32(&M, 60);
	pb_dns_u16(&M, 4);
	pb_dns_u32(&M, 0x01020304);
	EXPECT_PASS(F, frame_of(&M), FW_CNT_MAL_POINTER);
	/* A pointer as the whole name, to itself. */
	pb_dns_init(&M, 1, PB_DNS_QR, 1, 0, 0, 0);
	pb_dns_ptr(&M, PB_QUESTION_OFF);
	pb_dns_u32(&M, 0x00010001);
	EXPECT_PASS(F, frame_of(&M), FW_CNT_MAL_POINTER);
}

static void test_malformed_qdcount(void **state)
{
	CLI("block", "add", "evil.example");
	pb_dns_response(&M, 1, "evil.example", 1);
	pb_dns_set_counts(&M, 0, 1, 0, 2);
	EXPECT_PASS(F, frame_of(&M), FW_CNT_MAL_QDCOUNT);

	pb_dns_init(&M, 1, PB_DNS_QR, 2, 0, 0, 0);
	pb_dns_question(&M, "evil.example", PB_TYPE_A, PB_CLASS_IN);
	pb_dns_question(&M, "evil.example", PB_TYPE_AAAA, PB_CLASS_IN);
	EXPECT_PASS(F, frame_of(&M), FW_CNT_MAL_QDCOUNT);
	pb_dns_set_counts(&M, 256 + 1, 0, 0, 0);
	EXPECT_PASS(F, frame_of(&M), FW_CNT_MAL_QDCOUNT);
}

/* The question runs past the end of the message. */
static void test_malformed_truncated_question(void **state)
{
	CLI("block", "add", "evil.example");
	pb_dns_init(&M, 1, PB_DNS_QR, 1, 0, 0, 0);
	pb_dns_question(&M, "evil.example", PB_TYPE_A, PB_CLASS_IN);
	M.len -= 4; /* no type and class */
	EXPECT_PASS(F, frame_of(&M), FW_CNT_MAL_TRUNCATED);
	M.len -= 3; /* cut inside "example" */
	EXPECT_PASS(F, frame_of(&M), FW_CNT_MAL_TRUNCATED);
	M.len = 12; /* no question at all */
	EXPECT_PASS(F, frame_of(&M), FW_CNT_MAL_TRUNCATED);
}

/* ---- malformed or special L3 / L4 ---- */

static void test_ipv4_fragments_pass(void **state)
{
	CLI("block", "add", "evil.example");
	/* First fragment (MF), a middle one, the last one. */
	EXPECT_PASS(F, response(&(struct pb_spec){ .ip4_frag = 0x2000 }, "evil.example"),
		    FW_CNT_FRAGMENTS);
	EXPECT_PASS(F, response(&(struct pb_spec){ .ip4_frag = 0x2000 | 185 }, "evil.example"),
		    FW_CNT_FRAGMENTS);
	EXPECT_PASS(F, response(&(struct pb_spec){ .ip4_frag = 185, .nvlan = 1 }, "evil.example"),
		    FW_CNT_FRAGMENTS);
}

static void test_ipv6_fragments_pass(void **state)
{
	CLI("block", "add", "evil.example");
	EXPECT_PASS(F, response(&(struct pb_spec){ .ipv6 = 1, .ip6_frag = 1, .ip6_frag_off = 1 },
				"evil.example"),
		    FW_CNT_FRAGMENTS);
	EXPECT_PASS(F,
		    response(&(struct pb_spec){ .ipv6 = 1,
						.next = 1,
						.ext = { IPPROTO_HOPOPTS },
						.ip6_frag = 1,
						.ip6_frag_off = 0x100 },
			     "evil.example"),
		    FW_CNT_FRAGMENTS);
	/* An atomic fragment (offset 0, M=0) is still a fragment header. */
	EXPECT_PASS(F, response(&(struct pb_spec){ .ipv6 = 1, .nvlan = 2, .ip6_frag = 1 },
				"evil.example"),
		    FW_CNT_FRAGMENTS);
}

static void test_udp_length_beyond_frame(void **state)
{
	CLI("block", "add", "evil.example");
	EXPECT_PASS(F, response(&(struct pb_spec){ .udp_len_adj = 10 }, "evil.example"),
		    FW_CNT_MAL_UDP_LENGTH);
	EXPECT_PASS(F, response(&(struct pb_spec){ .udp_len_adj = 1, .ipv6 = 1 }, "evil.example"),
		    FW_CNT_MAL_UDP_LENGTH);
	/* A UDP length under the header size is just as wrong. */
	pb_dns_response(&M, 1, "evil.example", 0);
	EXPECT_PASS(F,
		    pb_build_dns(&(struct pb_spec){ .udp_len_adj = -(int)M.len - 1 }, &M, F,
				 sizeof(F)),
		    FW_CNT_MAL_UDP_LENGTH);
}

/* Recompute the IPv4 header checksum after patching a test frame. */
static void fix_ip4_csum(uint8_t *ip)
{
	size_t hlen = (size_t)(ip[0] & 0xf) * 4;
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = (uint16_t)~pb_csum_fold(pb_csum_add(0, ip, hlen));
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
}

static void test_bad_ip_headers_pass(void **state)
{
	size_t len;

	CLI("block", "add", "evil.example");
	/* IPv4 total length beyond the frame. */
	len = response(NULL, "evil.example");
	F[14 + 2] += 1;
	fix_ip4_csum(F + 14);
	EXPECT_PASS(F, len, FW_CNT_MAL_L3);
	/* IHL under 5. */
	len = response(NULL, "evil.example");
	F[14] = 0x44;
	EXPECT_PASS(F, len, FW_CNT_MAL_L3);
	/* IPv6 payload length beyond the frame. */
	len = response(&(struct pb_spec){ .ipv6 = 1 }, "evil.example");
	F[14 + 5] += 8;
	EXPECT_PASS(F, len, FW_CNT_MAL_L3);
	/* Frames cut inside the IP header. */
	EXPECT_PASS(F, 14 + 10, FW_CNT_MAL_L3);
	response(&(struct pb_spec){ .nvlan = 2 }, "evil.example");
	EXPECT_PASS(F, 14 + 8 + 19, FW_CNT_MAL_L3);
}

/* ---- TCP ---- */

static void test_tcp_single_segment(void **state)
{
	struct pb_spec tcp4 = { .tcp = 1 };
	struct pb_spec tcp6 = { .tcp = 1, .ipv6 = 1, .nvlan = 1, .next = 1,
				.ext = { IPPROTO_DSTOPTS } };

	CLI("block", "add", "drop.example");
	CLI("block", "add", "nx.example", "--action", "nxdomain");
	EXPECT_PASS(F, response(&tcp4, "ok.example"), FW_CNT_DNS_RESPONSES);
	EXPECT_DROP(F, response(&tcp4, "drop.example"), 0);
	EXPECT_DROP(F, response(&tcp6, "www.drop.example"), 0);
	/*
	 * nxdomain falls back to drop over TCP: shortening a segment would
	 * desynchronise the byte stream. The fallback is counted.
	 */
	EXPECT_DROP(F, response(&tcp4, "nx.example"), FW_CNT_NXDOMAIN_FAILED);
	EXPECT_DROP(F, response(&tcp6, "a.nx.example"), FW_CNT_NXDOMAIN_FAILED);
}

/*
 * With segments left in a routing header, the UDP checksum covers the final
 * destination, which this hop does not see: nxdomain falls back to drop,
 * counted, instead of sending an answer the client would discard. With no
 * segments left the rewrite goes ahead as usual.
 */
static void test_routing_header_with_segments_left(void **state)
{
	struct pb_spec rt = { .ipv6 = 1, .next = 1, .ext = { IPPROTO_ROUTING } };
	const size_t segments_left = 14 + 40 + 3; /* Ethernet, IPv6, then the routing header */
	size_t len;

	CLI("block", "add", "seg.example", "--action", "nxdomain");
	len = response(&rt, "www.seg.example");
	F[segments_left] = 1;
	EXPECT_DROP(F, len, FW_CNT_NXDOMAIN_FAILED);
	len = response(&rt, "www.seg.example");
	assert_int_equal(F[segments_left], 0);
	run(__LINE__, F, len);
	assert_int_equal(R.verdict, XDP_PASS);
	assert_int_equal(R.delta[FW_CNT_BLOCK_NXDOMAIN], 1);
}

static void test_tcp_partial_segments_pass(void **state)
{
	CLI("block", "add", "evil.example");
	/* The prefix announces more than the segment holds. */
	EXPECT_PASS(F, response(&(struct pb_spec){ .tcp = 1, .tcp_prefix_adj = 100 }, "evil.example"),
		    FW_CNT_TCP_PARTIAL);
	/* A continuation segment: no prefix at all. */
	EXPECT_PASS(F, response(&(struct pb_spec){ .tcp = 1, .tcp_prefix = PB_TCP_NO_PREFIX },
				"evil.example"),
		    FW_CNT_TCP_PARTIAL);
	/* A segment holding only the first byte of the prefix. */
	pb_dns_init(&M, 0, 0, 0, 0, 0, 0);
	M.len = 1;
	EXPECT_PASS(F,
		    pb_build_dns(&(struct pb_spec){ .tcp = 1, .tcp_prefix = PB_TCP_NO_PREFIX }, &M,
				 F, sizeof(F)),
		    FW_CNT_TCP_PARTIAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_rules_pass_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_every_encapsulation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_opcode_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_dns_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_extension_headers_pass, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_configurable_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exact_subtree_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mixed_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_label_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_longest_match_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exact_beats_subtree_same_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_delete_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_depth_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nxdomain_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nxdomain_flags_and_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nxdomain_checksum_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nxdomain_ipv6_zero_checksum_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_default_action_is_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_short_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_name_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_pointer_in_question, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_malformed_qdcount, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_truncated_question, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipv4_fragments_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_fragments_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_length_beyond_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_ip_headers_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_single_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_partial_segments_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jumbo_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routing_header_with_segments_left, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("xdp", tests, NULL, NULL) ? 1 : 0;
}
