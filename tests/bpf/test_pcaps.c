// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcpdump's DNS test captures (tests/data/pcap, BSD licence in
 * LICENSE.tcpdump) through the XDP program with BPF_PROG_TEST_RUN. Real
 * traffic and real attacks on DNS parsers: none may crash the program, a
 * malformed packet is never dropped, and a captured answer is dropped or
 * rewritten into a valid NXDOMAIN once its name is blocked.
 *
 * Each packet's fate is predicted by a small reference parser here, written
 * independently of the BPF code: a UDP (or whole-message TCP) response from
 * port 53 with QR=1, opcode 0, one plain question under a blocked name is
 * blocked; everything else passes byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <cmocka.h>

#include "fluxwall_abi.h"
#include "pktbuild.h"
#include "xdp_harness.h"

/* enum xdp_action; linux/bpf.h cannot be included next to pcap's bpf.h. */
#define XDP_DROP 1
#define XDP_PASS 2

struct capture {
	const char *file;
	int malformed; /* nothing in it may ever be dropped */
	int packets;   /* how many it holds, so a lost file cannot pass silently */
};

static const struct capture captures[] = {
	{ "dns-badlabel.pcap", 1, 1 }, /* jumbo frame, labels that are pointers */
	{ "dns_fwdptr.pcap", 1, 1 },   /* the same with a forward pointer */
	{ "dns-zlip-1.pcap", 1, 1 },   /* pointer loops in the question */
	{ "dns-zlip-2.pcap", 1, 1 },
	{ "dns-zlip-3.pcap", 1, 1 },   /* long label then a pointer loop */
	{ "dns_udp_2.pcap", 1, 2 },    /* snaplen 98: the answer is cut short */
	{ "dns_udp.pcap", 0, 2 },      /* www.tcpdump.org, query and answer */
	{ "dns_tcp.pcap", 0, 11 },     /* the same over TCP, with the handshake */
	{ "edns-opts.pcap", 0, 42 },   /* example.com with many EDNS options */
	{ "dnssec.pcap", 0, 6 },       /* monadic.cynic.net, a 3 KB answer */
};

#define N_CAPTURES (sizeof(captures) / sizeof(captures[0]))

/* Subtrees that cover every name asked in the captures. */
static const char *const blocked[] = { "tcpdump.org", "example.com", "cynic.net" };

struct packet {
	uint8_t *data;
	size_t len;
};

static struct fwh H;
static struct fwh_result R;
static uint8_t W[PB_MAX_FRAME];

static int setup(void **state)
{
	return fwh_open_with_cli(&H, "pcap");
}

static int teardown(void **state)
{
	fwh_close(&H);
	return 0;
}

#define CLI(...) cli_run(__LINE__, (char *const[]){ __VA_ARGS__, NULL })

static void cli_run(int line, char *const args[])
{
	int rc = fwh_cli(&H, args);

	if (rc != 0)
		fail_msg("line %d: 'fluxwall %s %s ...' exited %d:\n%s", line, args[0],
			 args[1] ? args[1] : "", rc, H.cli_out);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* ---- reading captures ---- */

static void put_eth(uint8_t *out, uint16_t proto)
{
	static const uint8_t macs[12] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01 };

	memcpy(out, macs, sizeof(macs));
	put16(out + 12, proto);
}

static uint16_t proto_of_ip(const uint8_t *ip, size_t len)
{
	return (len && (ip[0] >> 4) == 6) ? 0x86dd : 0x0800;
}

/*
 * The XDP program sees Ethernet frames. Captures of other link types are
 * converted by giving them a synthetic Ethernet header: Linux cooked (SLL,
 * SLL2) keeps its protocol field, raw IP and BSD loopback get the
 * ethertype of their IP version. Returns the frame length, 0 if unknown.
 * (Every capture shipped today is Ethernet; the others are ready for more.)
 */
static size_t to_ethernet(int dlt, const uint8_t *p, size_t n, uint8_t *out)
{
	size_t skip;
	uint16_t proto;

	switch (dlt) {
	case DLT_EN10MB:
		memcpy(out, p, n);
		return n;
	case DLT_LINUX_SLL:
		skip = 16;
		proto = n >= skip ? get16(p + 14) : 0;
		break;
	case DLT_LINUX_SLL2:
		skip = 20;
		proto = n >= skip ? get16(p) : 0;
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		skip = 0;
		proto = proto_of_ip(p, n);
		break;
	case DLT_NULL:
	case DLT_LOOP:
		skip = 4;
		proto = n >= skip ? proto_of_ip(p + 4, n - 4) : 0;
		break;
	default:
		return 0;
	}
	if (n < skip || n - skip + 14 > PB_MAX_FRAME)
		return 0;
	put_eth(out, proto);
	memcpy(out + 14, p + skip, n - skip);
	return n - skip + 14;
}

/* All packets of a capture, as captured (a short snaplen stays short). */
static struct packet *load_capture(const char *file, int *count)
{
	char path[4096], err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	struct packet *pkts = NULL;
	const uint8_t *data;
	uint8_t *frame;
	pcap_t *pc;
	int n = 0, dlt;

	snprintf(path, sizeof(path), "%s/tests/data/pcap/%s", fwh_repo_root(), file);
	pc = pcap_open_offline(path, err);
	if (!pc)
		fail_msg("cannot read %s: %s", path, err);
	dlt = pcap_datalink(pc);
	frame = malloc(PB_MAX_FRAME);
	while (frame && pcap_next_ex(pc, &hdr, &data) == 1) {
		size_t len = to_ethernet(dlt, data, hdr->caplen, frame);

		if (!len) {
			pcap_close(pc);
			fail_msg("%s: link type %d or packet %d not convertible", file, dlt, n + 1);
		}
		pkts = realloc(pkts, sizeof(*pkts) * (size_t)(n + 1));
		assert_non_null(pkts);
		pkts[n].data = malloc(len);
		assert_non_null(pkts[n].data);
		memcpy(pkts[n].data, frame, len);
		pkts[n].len = len;
		n++;
	}
	free(frame);
	pcap_close(pc);
	*count = n;
	return pkts;
}

static void free_capture(struct packet *pkts, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(pkts[i].data);
	free(pkts);
}

/* ---- the reference model ---- */

struct dns_view {
	size_t off;	/* DNS message in the frame */
	size_t len;
	int tcp;
	char qname[300]; /* question name as lowercase text */
};

/* The question name as text, if it is plain labels ending in bounds. */
static int plain_qname(const uint8_t *m, size_t len, char *out, size_t cap)
{
	size_t off = 12, pos = 0;

	while (off < len && m[off]) {
		size_t l = m[off], i;

		if ((l & 0xc0) || off + 1 + l >= len || pos + l + 2 > cap)
			return -1;
		for (i = 0; i < l; i++)
			out[pos++] = (char)tolower(m[off + 1 + i]);
		out[pos++] = '.';
		off += 1 + l;
	}
	if (off >= len || off + 1 + 4 > len || off + 1 - 12 > FW_MAX_NAME)
		return -1;
	if (pos)
		pos--;
	out[pos] = '\0';
	return 0;
}

/* 1 when the frame is a DNS response the program should judge by name. */
static int judgeable_response(const uint8_t *f, size_t len, struct dns_view *v)
{
	struct pb_info in;
	const uint8_t *m;

	if (pb_parse(f, len, &in, NULL, 0) || in.fragment || in.sport != 53)
		return 0;
	if (in.proto == IPPROTO_UDP) {
		if (get16(f + in.l4_off + 4) != in.l3_end - in.l4_off)
			return 0;
		v->off = in.payload_off;
		v->len = in.payload_len;
		v->tcp = 0;
	} else if (in.proto == IPPROTO_TCP) {
		if (in.payload_len < 2 || get16(f + in.payload_off) != in.payload_len - 2)
			return 0;
		v->off = in.payload_off + 2;
		v->len = in.payload_len - 2;
		v->tcp = 1;
	} else {
		return 0;
	}
	m = f + v->off;
	if (v->len < 12 || !(m[2] & 0x80) || (m[2] & 0x78) || get16(m + 4) != 1)
		return 0;
	return plain_qname(m, v->len, v->qname, sizeof(v->qname)) == 0;
}

static int name_blocked(const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++) {
		size_t b = strlen(blocked[i]);

		if (n == b && !strcmp(name, blocked[i]))
			return 1;
		if (n > b && name[n - b - 1] == '.' && !strcmp(name + n - b, blocked[i]))
			return 1;
	}
	return 0;
}

static const unsigned int malformed_counters[] = {
	FW_CNT_MAL_L3,	   FW_CNT_MAL_UDP_LENGTH, FW_CNT_MAL_SHORT,    FW_CNT_MAL_QDCOUNT,
	FW_CNT_MAL_LABEL, FW_CNT_MAL_POINTER,	  FW_CNT_MAL_NAME_LEN, FW_CNT_MAL_TRUNCATED,
};

#define N_MAL (sizeof(malformed_counters) / sizeof(malformed_counters[0]))

/* Sum of the counters a malformed message may be passed under. */
static uint64_t malformed_moves(const struct fwh_result *r)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < N_MAL; i++)
		sum += r->delta[malformed_counters[i]];
	return sum;
}

static const char *malformed_name(const struct fwh_result *r)
{
	size_t i;

	for (i = 0; i < N_MAL; i++)
		if (r->delta[malformed_counters[i]])
			return fw_counter_name(malformed_counters[i]);
	return "no malformed counter";
}

/* ---- the expected NXDOMAIN frame, built from the captured one ---- */

/* Fix IP and UDP lengths and checksums after the DNS message changed size. */
static void fix_lengths(uint8_t *f, size_t len, const struct pb_info *in, int keep_zero_csum)
{
	uint8_t *ip = f + in->l3_off, *uh = f + in->l4_off;
	size_t udp_len = len - in->l4_off;
	uint32_t sum = 0;
	uint16_t c;

	if (in->ipv6) {
		put16(ip + 4, (uint16_t)(len - in->l3_off - 40));
	} else {
		put16(ip + 2, (uint16_t)(len - in->l3_off));
		put16(ip + 10, 0);
		put16(ip + 10, (uint16_t)~pb_csum_fold(pb_csum_add(0, ip, in->l4_off - in->l3_off)));
	}
	put16(uh + 4, (uint16_t)udp_len);
	if (keep_zero_csum && !get16(uh + 6))
		return;
	put16(uh + 6, 0);
	sum = pb_csum_add(sum, ip + (in->ipv6 ? 8 : 12), in->ipv6 ? 32 : 8);
	sum += IPPROTO_UDP + (uint32_t)udp_len;
	c = (uint16_t)~pb_csum_fold(pb_csum_add(sum, uh, udp_len));
	put16(uh + 6, c ? c : 0xffff);
}

static size_t expected_nxdomain(const uint8_t *f, size_t len, uint8_t *out)
{
	struct pb_dns in, want;
	struct pb_info info;

	assert_int_equal(pb_parse(f, len, &info, NULL, 0), 0);
	memset(&in, 0, sizeof(in));
	assert_true(info.payload_len <= sizeof(in.buf));
	memcpy(in.buf, f + info.payload_off, info.payload_len);
	in.len = info.payload_len;
	assert_int_equal(pb_dns_expect_nxdomain(&in, &want), 0);
	memcpy(out, f, info.payload_off);
	memcpy(out + info.payload_off, want.buf, want.len);
	fix_lengths(out, info.payload_off + want.len, &info, 1);
	return info.payload_off + want.len;
}

/* ---- running ---- */

/*
 * The harness loads the program multi-buffer, so frames over a page (the
 * jumbo frame of dns-badlabel) run whole, their tail in fragments. A kernel
 * without multi-buffer BPF_PROG_TEST_RUN refuses them with EINVAL, which
 * is not a crash, so that is accepted here.
 */
static int run_packet(const char *file, int i, const struct packet *p)
{
	if (fwh_run(&H, p->data, p->len, &R)) {
		if (R.err == -EINVAL && p->len > 3500) {
			print_message("  %s packet %d: %zu bytes, refused by the kernel\n", file,
				      i + 1, p->len);
			return 1;
		}
		fail_msg("%s packet %d: BPF_PROG_TEST_RUN failed: %s", file, i + 1,
			 strerror(-R.err));
	}
	if (R.delta[FW_CNT_PACKETS] != 1)
		fail_msg("%s packet %d: packets counter moved by %llu", file, i + 1,
			 (unsigned long long)R.delta[FW_CNT_PACKETS]);
	return 0;
}

static void expect_untouched(const char *file, int i, const struct packet *p)
{
	if (R.verdict != XDP_PASS || R.delta[FW_CNT_PASSED] != 1) {
		fwh_print_delta(&R);
		fail_msg("%s packet %d: want XDP_PASS", file, i + 1);
	}
	if (pb_diff(stderr, R.out, R.out_len, p->data, p->len))
		fail_msg("%s packet %d: a passed packet was modified", file, i + 1);
}

static void expect_blocked(const char *file, int i, const struct packet *p,
			   const struct dns_view *v, int nxdomain)
{
	size_t wlen;
	char why[256];

	if (!nxdomain || v->tcp) {
		if (R.verdict != XDP_DROP || R.delta[FW_CNT_BLOCK_DROP] != 1 ||
		    (nxdomain && R.delta[FW_CNT_NXDOMAIN_FAILED] != 1)) {
			fwh_print_delta(&R);
			fail_msg("%s packet %d (%s): want XDP_DROP", file, i + 1, v->qname);
		}
		return;
	}
	if (R.verdict != XDP_PASS || R.delta[FW_CNT_BLOCK_NXDOMAIN] != 1) {
		fwh_print_delta(&R);
		fail_msg("%s packet %d (%s): want an NXDOMAIN rewrite", file, i + 1, v->qname);
	}
	if (pb_verify(R.out, R.out_len, why, sizeof(why)))
		fail_msg("%s packet %d: rewritten answer invalid: %s", file, i + 1, why);
	wlen = expected_nxdomain(p->data, p->len, W);
	if (pb_diff(stderr, R.out, R.out_len, W, wlen))
		fail_msg("%s packet %d: rewritten answer differs from the expected one", file,
			 i + 1);
}

/*
 * Run every capture. With rules, judgeable responses under a blocked name
 * must be blocked; everything else must pass untouched. Returns how many
 * packets were blocked.
 */
static int run_all(int with_rules, int nxdomain)
{
	int c, i, n, blocked_count = 0;

	for (c = 0; c < (int)N_CAPTURES; c++) {
		const char *file = captures[c].file;
		struct packet *pkts = load_capture(file, &n);

		if (n != captures[c].packets)
			fail_msg("%s: %d packets, want %d", file, n, captures[c].packets);
		for (i = 0; i < n; i++) {
			struct dns_view v;
			int judge = judgeable_response(pkts[i].data, pkts[i].len, &v);

			if (run_packet(file, i, &pkts[i]))
				continue;
			if (captures[c].malformed && R.verdict == XDP_DROP)
				fail_msg("%s packet %d: a malformed capture was dropped", file,
					 i + 1);
			if (with_rules && judge && name_blocked(v.qname)) {
				expect_blocked(file, i, &pkts[i], &v, nxdomain);
				blocked_count++;
			} else {
				expect_untouched(file, i, &pkts[i]);
			}
		}
		free_capture(pkts, n);
	}
	return blocked_count;
}

static void add_rules(const char *action)
{
	size_t i;

	for (i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++)
		CLI("block", "add", (char *)blocked[i], "--action", (char *)action);
}

/* ---- tests ---- */

/* Without rules every captured packet passes untouched. */
static void test_captures_without_rules(void **state)
{
	run_all(0, 0);
}

/* Blocking the captured names drops exactly their answers. */
static void test_captures_blocked_drop(void **state)
{
	add_rules("drop");
	/* dns_udp 1 + dns_tcp 1 + edns-opts 21 + dnssec 3 answers. */
	assert_int_equal(run_all(1, 0), 26);
}

/* With nxdomain, UDP answers become valid NXDOMAIN answers, TCP ones drop. */
static void test_captures_blocked_nxdomain(void **state)
{
	add_rules("nxdomain");
	assert_int_equal(run_all(1, 1), 26);
}

/*
 * The malformed captures are queries (or opcode 9) and never reach the name
 * parser as they are. Turned into responses from port 53 (QR=1, opcode 0,
 * QDCOUNT 1, lengths fitted, at most 1400 bytes), their hostile names do:
 * they must still pass, counted as malformed. A rule for the 62-byte label
 * that precedes zlip-3's pointer loop catches a parser that stops at the
 * pointer instead of rejecting it.
 */
static size_t responsize(const struct packet *p, uint8_t *out)
{
	struct pb_info in;
	size_t len = p->len < 1400 ? p->len : 1400;
	uint8_t *udp, *dns;

	memcpy(out, p->data, len);
	/* The captured headers claim more than we keep: no pb_parse here. */
	memset(&in, 0, sizeof(in));
	in.l3_off = 14;
	in.l4_off = 14 + (size_t)(out[14] & 0xf) * 4;
	if (get16(out + 12) != 0x0800 || out[14 + 9] != IPPROTO_UDP || len < in.l4_off + 8 + 12)
		return 0;
	udp = out + in.l4_off;
	dns = udp + 8;
	put16(udp, 53);
	put16(udp + 2, 40000);
	put16(dns + 2, 0x8180);
	put16(dns + 4, 1);
	put16(udp + 6, 0);
	fix_lengths(out, len, &in, 1);
	return len;
}

static void test_malformed_as_responses(void **state)
{
	uint8_t *frame = malloc(PB_MAX_FRAME);
	int c, i, n, tried = 0;

	assert_non_null(frame);
	add_rules("drop");
	CLI("block", "add", "thisleetostringwillcrashyourlittlenameserverforsurehahahahahah");
	for (c = 0; c < (int)N_CAPTURES; c++) {
		struct packet *pkts;

		if (!captures[c].malformed || !strcmp(captures[c].file, "dns_udp_2.pcap"))
			continue;
		pkts = load_capture(captures[c].file, &n);
		for (i = 0; i < n; i++) {
			struct packet q = { frame, responsize(&pkts[i], frame) };

			if (!q.len)
				continue;
			tried++;
			if (run_packet(captures[c].file, i, &q))
				fail_msg("%s: a 1400-byte frame was refused", captures[c].file);
			expect_untouched(captures[c].file, i, &q);
			print_message("  %s as a response: %s\n", captures[c].file,
				      malformed_name(&R));
			if (malformed_moves(&R) != 1 || R.delta[FW_CNT_DNS_RESPONSES]) {
				fwh_print_delta(&R);
				fail_msg("%s packet %d: want a malformed counter", captures[c].file,
					 i + 1);
			}
		}
		free_capture(pkts, n);
	}
	free(frame);
	assert_int_equal(tried, 5);
}

/* The truncated capture is counted as malformed at L3: the IP length lies. */
static void test_truncated_capture_counted(void **state)
{
	struct packet *pkts;
	int n;

	add_rules("drop");
	pkts = load_capture("dns_udp_2.pcap", &n);
	assert_int_equal(n, 2);
	run_packet("dns_udp_2.pcap", 1, &pkts[1]);
	expect_untouched("dns_udp_2.pcap", 1, &pkts[1]);
	assert_int_equal(R.delta[FW_CNT_MAL_L3], 1);
	free_capture(pkts, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_captures_without_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_captures_blocked_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_captures_blocked_nxdomain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_as_responses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_capture_counted, setup, teardown),
	};

	return cmocka_run_group_tests_name("pcaps", tests, NULL, NULL) ? 1 : 0;
}
