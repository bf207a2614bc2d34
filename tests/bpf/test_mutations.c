// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The real XDP program on randomly mutated DNS responses, through
 * BPF_PROG_TEST_RUN, with rules loaded by the CLI and sampling on. Each
 * response is generated (dns_gen: CNAME chains, NS and glue, AAAA, EDNS),
 * then its bits, lengths, pointers, label counts and counts are mutated, it
 * is framed with random headers from Ethernet to TCP (VLAN tags, IPv4
 * options and IHL, IPv6 extension headers, UDP length, TCP length prefix,
 * ports, checksums), and the frame's bytes are mutated again. Invariants:
 *
 *   - no frame whose question is not blocked is ever dropped or changed,
 *     the question judged here from the mutated frame by a reference of
 *     its own (pktbuild's header parser, ldns for the question); a
 *     question that cannot be read must pass;
 *   - a blocked response the program documents it reads (two VLAN tags at
 *     most, no fragment, four IPv6 extension headers at most, one whole
 *     message, QDCOUNT 1, no pointer in the question) is never passed;
 *   - nothing returns XDP_ABORTED or any verdict but PASS and DROP;
 *   - every NXDOMAIN the program writes parses with ldns, answers the same
 *     question and has right IP, UDP and TCP lengths and checksums (an
 *     IPv4 header checksum that was wrong stays wrong);
 *   - every sample the kernel sends decodes (fw_sample_decode ==
 *     FW_DECODE_OK), for a response the reference reads, to its question.
 *
 * FW_MUTATIONS (default 500000) and FW_MUTATION_SEED (default 1) choose the
 * run; the seed of every failure is printed, with the frame.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <ldns/ldns.h>
#include <cmocka.h>

#include "dns_gen.h"
#include "fluxwall_abi.h"
#include "ldns_ref.h"
#include "pktbuild.h"
#include "dataplane/sample_decode.h"
#include "xdp_harness.h"

/* enum xdp_action; linux/bpf.h cannot be included next to ldns's headers. */
#define XDP_ABORTED 0
#define XDP_DROP    1
#define XDP_PASS    2

#define ETH_HLEN 14
#define RUN_MAX	 3520 /* the largest frame a single-buffer program is given */

static struct fwh H;
static struct fwh_result R;

/* ---- the rules, loaded through the CLI and judged here ---- */

struct rule {
	const char *zone;
	int exact;
	int allow;
	int nxdomain;
};

static const struct rule rules[] = {
    {"evil.example", 0, 0, 0},	     {"nx.example", 0, 0, 1}, {"exact.example", 1, 0, 0},
    {"x.y.z.deep.example", 0, 0, 1}, {"zz", 0, 0, 0},	      {"ok.evil.example", 0, 1, 0},
};

#define N_RULES (sizeof(rules) / sizeof(rules[0]))

/* Questions of the generated responses: blocked, allowed and look-alikes. */
static const char *const qnames[] = {
    "evil.example",
    "www.evil.example",
    "a.b.c.evil.example",
    "EVIL.Example",
    "x.nx.example",
    "nx.example",
    "exact.example",
    "www.exact.example",
    "q.x.y.z.deep.example",
    "y.z.deep.example",
    "host.zz",
    "ok.evil.example",
    "www.ok.evil.example",
    "notevil.example",
    "evil.example.com",
    "nx.examples",
    "example",
    "zz.example",
    "www.example.com",
    "",
};

#define N_QNAMES (sizeof(qnames) / sizeof(qnames[0]))

static int count_labels(const char *zone)
{
	int n = 1;

	for (; *zone; zone++)
		n += *zone == '.';
	return n;
}

/* The reference's verdict on a question: 1 blocked, with the action. */
static int judge_question(const struct lr_msg *q, int *nxdomain)
{
	int depth = 0, exact_won = 0;
	size_t i;

	for (i = 0; i < N_RULES; i++)
		if (rules[i].allow && lr_qname_under(q, rules[i].zone, rules[i].exact))
			return 0;
	for (i = 0; i < N_RULES; i++) {
		int d = count_labels(rules[i].zone);

		if (rules[i].allow || !lr_qname_under(q, rules[i].zone, rules[i].exact))
			continue;
		if (d > depth || (d == depth && rules[i].exact && !exact_won)) {
			depth = d;
			exact_won = rules[i].exact;
			*nxdomain = rules[i].nxdomain;
		}
	}
	return depth > 0;
}

/* ---- the reference's reading of a frame ---- */

struct ref {
	int response; /* a DNS response from port 53 whose question reads */
	int blocked;
	int nxdomain;
	int strict; /* ... and every condition the program documents holds */
	int tcp;
	int routed;
	size_t msg_off, msg_len;
	struct lr_msg q;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* IPv6 extension headers before L4: how many, and whether one routes on. */
static int ip6_exts(const uint8_t *f, const struct pb_info *in, int *routed)
{
	size_t off = in->l3_off + 40;
	uint8_t next = f[in->l3_off + 6];
	int n = 0;

	while (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS) {
		if (off + 8 > in->l3_end)
			return 99;
		if (next == IPPROTO_ROUTING && f[off + 3])
			*routed = 1;
		next = f[off];
		off += 8 * ((size_t)f[off + 1] + 1);
		n++;
	}
	return n;
}

/* Where the DNS message is, by the UDP length or the TCP length prefix. */
static int ref_message(const uint8_t *f, const struct pb_info *in, struct ref *r)
{
	if (in->proto == IPPROTO_UDP) {
		size_t ulen = be16(f + in->l4_off + 4);

		if (ulen < 8 || in->l4_off + ulen > in->l3_end)
			return -1; /* the stack drops such a datagram */
		r->msg_off = in->l4_off + 8;
		r->msg_len = ulen - 8;
		return 0;
	}
	if (in->proto != IPPROTO_TCP || in->payload_len < 2)
		return -1;
	r->msg_len = be16(f + in->payload_off);
	if (r->msg_len > in->payload_len - 2)
		return -1; /* the message is not whole in this segment */
	r->strict &= r->msg_len == in->payload_len - 2;
	r->msg_off = in->payload_off + 2;
	r->tcp = 1;
	return 0;
}

static void read_frame(const uint8_t *f, size_t len, struct ref *r)
{
	struct pb_info in;

	memset(r, 0, offsetof(struct ref, q));
	if (pb_parse(f, len, &in, NULL, 0) || in.fragment || !in.l4_off || in.sport != 53)
		return;
	r->strict = 1;
	if (in.ipv6 && (ip6_exts(f, &in, &r->routed) > 4 || in.l4_off >= 1024))
		r->strict = 0;
	if (ref_message(f, &in, r) || lr_question(f + r->msg_off, r->msg_len, &r->q))
		return;
	if (!r->q.qr || r->q.opcode)
		return; /* a query, or another opcode: never blocked */
	r->response = 1;
	r->strict &= r->q.qdcount == 1 && !r->q.qname_compressed;
	r->blocked = judge_question(&r->q, &r->nxdomain);
}

/* ---- generating and mutating ---- */

static const uint8_t odd_bytes[] = {0,	  1,	2,    0x3f, 0x40, 0x41, 0x7f,
				    0x80, 0xbf, 0xc0, 0xc1, 0xff, '.'};

static uint8_t odd_byte(struct rng *r)
{
	return rng_chance(r, 1, 3) ? (uint8_t)rng_next(r)
				   : odd_bytes[rng_below(r, sizeof(odd_bytes))];
}

static void insert_bytes(struct pb_dns *m, size_t at, const void *p, size_t n)
{
	if (at > m->len || m->len + n > sizeof(m->buf))
		return;
	memmove(m->buf + at + n, m->buf + at, m->len - at);
	memcpy(m->buf + at, p, n);
	m->len += n;
}

static void hit_spot(struct rng *r, struct dg_msg *d)
{
	const struct dg_spot *s;
	uint8_t *p;

	if (!d->n_spot)
		return;
	s = &d->spot[rng_below(r, (uint64_t)d->n_spot)];
	if (s->off + 1u >= d->m.len)
		return;
	p = d->m.buf + s->off;
	switch (s->kind) {
	case DG_LABEL:
		p[0] = rng_chance(r, 1, 2) ? (uint8_t)(p[0] + rng_range(r, 0, 2) - 1) : odd_byte(r);
		break;
	case DG_POINTER: /* backwards, forwards, at itself, at the header, out of range */
		p[1] = (uint8_t)rng_next(r);
		p[0] = (uint8_t)(0xc0 | (rng_chance(r, 1, 2) ? 0 : rng_below(r, 64)));
		if (rng_chance(r, 1, 4)) {
			p[0] = (uint8_t)(0xc0 | s->off >> 8);
			p[1] = (uint8_t)(s->off + rng_range(r, 0, 2) - 1);
		}
		break;
	case DG_COUNT:
		p[0] = rng_chance(r, 1, 8) ? 0xff : 0;
		p[1] = odd_byte(r);
		break;
	default: /* type or data length */
		if (rng_chance(r, 1, 2))
			p[1] = (uint8_t)(p[1] + rng_range(r, 0, 2) - 1);
		else
			p[rng_below(r, 2)] = odd_byte(r);
		break;
	}
}

/* A label too many, a label fewer, or labels enough to pass 255 bytes. */
static void relabel_question(struct rng *r, struct pb_dns *m)
{
	static const uint8_t label[64] = {63, 'a', 'b', 'c'};

	if (m->len <= 13 || m->buf[12] == 0 || (m->buf[12] & 0xc0))
		return;
	switch (rng_below(r, 3)) {
	case 0:
		insert_bytes(m, 12,
			     "\x03"
			     "www",
			     4);
		break;
	case 1: {
		size_t n = 1u + m->buf[12];

		if (12 + n < m->len) {
			memmove(m->buf + 12, m->buf + 12 + n, m->len - 12 - n);
			m->len -= n;
		}
		break;
	}
	default:
		for (int i = (int)rng_range(r, 1, 5); i > 0; i--)
			insert_bytes(m, 12, label, sizeof(label));
	}
}

static void mutate_message(struct rng *r, struct dg_msg *d)
{
	struct pb_dns *m = &d->m;
	int n = (int)rng_range(r, 0, 3);
	uint8_t junk[64];

	while (n-- > 0 && m->len > 12) {
		size_t at = rng_below(r, m->len);

		switch (rng_below(r, 8)) {
		case 0:
			m->buf[at] ^= (uint8_t)(1u << rng_below(r, 8));
			break;
		case 1:
			m->buf[at] = odd_byte(r);
			break;
		case 2:
		case 3:
			hit_spot(r, d);
			break;
		case 4:
			relabel_question(r, m);
			break;
		case 5:
			m->len = at;
			break;
		case 6:
			for (size_t i = 0; i < sizeof(junk); i++)
				junk[i] = odd_byte(r);
			insert_bytes(m, rng_chance(r, 1, 2) ? m->len : at, junk,
				     rng_range(r, 1, 64));
			break;
		default: { /* a stretch of the message copied over another place */
			size_t from = rng_below(r, m->len), k = rng_range(r, 1, 16);

			if (from + k <= m->len && at + k <= m->len)
				memmove(m->buf + at, m->buf + from, k);
		}
		}
	}
}

static void random_spec(struct rng *r, struct pb_spec *s)
{
	static const uint8_t ext_types[] = {IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS};

	memset(s, 0, sizeof(*s));
	s->ipv6 = rng_chance(r, 1, 3);
	s->nvlan = rng_chance(r, 3, 10) ? (int)rng_range(r, 1, 2) : 0;
	if (!s->ipv6 && rng_chance(r, 1, 5))
		s->ip4_optlen = (uint8_t)(4 * rng_range(r, 1, 10));
	if (!s->ipv6 && rng_chance(r, 1, 30))
		s->ip4_frag = (uint16_t)rng_next(r);
	if (s->ipv6 && rng_chance(r, 1, 4)) {
		s->next = (int)rng_range(r, 1, 6);
		for (int i = 0; i < s->next; i++) {
			s->ext[i] = ext_types[rng_below(r, 3)];
			s->ext_len[i] = (uint8_t)rng_range(r, 0, 2);
		}
	}
	s->ip6_frag = s->ipv6 && rng_chance(r, 1, 30);
	s->tcp = rng_chance(r, 1, 4);
	s->sport = rng_chance(r, 1, 15) ? (uint16_t)rng_next(r) : 0;
	if (rng_chance(r, 1, 10))
		s->udp_len_adj = (int)rng_range(r, 0, 40) - 20;
	if (rng_chance(r, 1, 10))
		s->tcp_prefix_adj = (int)rng_range(r, 0, 6) - 3;
	s->tcp_prefix = rng_chance(r, 1, 20) ? PB_TCP_NO_PREFIX : PB_TCP_PREFIX;
	s->csum = rng_chance(r, 1, 10)	 ? PB_CSUM_BAD
		  : rng_chance(r, 1, 10) ? PB_CSUM_ZERO
					 : PB_CSUM_OK;
	s->trailer = rng_chance(r, 1, 8) ? rng_range(r, 1, 64) : 0;
}

/* Bytes of the headers: flipped, set, a third VLAN tag, a frame cut short. */
static size_t mutate_frame(struct rng *r, uint8_t *f, size_t len)
{
	struct pb_info in;
	size_t hdr = 14;
	int n = (int)rng_range(r, 1, 2);

	if (!pb_parse(f, len, &in, NULL, 0))
		hdr = in.payload_off ? in.payload_off + (in.proto == IPPROTO_TCP ? 2 : 0)
				     : in.l3_off + 20;
	while (n-- > 0 && len) {
		size_t at = rng_below(r, hdr < len ? hdr : len);

		switch (rng_below(r, 6)) {
		case 0:
			f[at] ^= (uint8_t)(1u << rng_below(r, 8));
			break;
		case 1:
		case 2:
			f[at] = odd_byte(r);
			break;
		case 3:
			if (len + 4 <= PB_MAX_FRAME) {
				memmove(f + 16, f + 12, len - 12);
				f[12] = 0x81;
				f[13] = 0x00;
				len += 4;
			}
			break;
		case 4:
			len = rng_chance(r, 1, 10) ? rng_below(r, ETH_HLEN) : rng_below(r, len + 1);
			break;
		default: /* IPv6: the next header, a routing header's segments left; IPv4: IHL,
			    protocol */
			at = in.l3_off + (in.ipv6 ? (rng_chance(r, 1, 2) ? 6 : 40 + 3)
						  : (rng_chance(r, 1, 2) ? 0 : 9));
			if (in.l3_off && at < len)
				f[at] = odd_byte(r);
		}
	}
	return len;
}

/* One mutated frame of the run, from its own seed. */
static size_t make_frame(uint64_t seed, uint8_t *f, size_t cap)
{
	static const uint16_t qtypes[] = {1, 1, 1, 28, 28, 2, 15, 16};
	static struct dg_msg d;
	struct pb_spec spec;
	struct rng r;
	char qname[256];
	size_t len;

	rng_seed(&r, seed, 0x6d7574);
	if (rng_chance(&r, 1, 5))
		dg_random_name(&r, qname, sizeof(qname), qnames[rng_below(&r, N_QNAMES)]);
	else
		snprintf(qname, sizeof(qname), "%s", qnames[rng_below(&r, N_QNAMES)]);
	dg_random_response(&d, &r, qname, qtypes[rng_below(&r, 8)]);
	if (!rng_chance(&r, 1, 8))
		mutate_message(&r, &d);
	random_spec(&r, &spec);
	len = pb_build_dns(&spec, &d.m, f, cap);
	if (!len)
		return 0;
	if (rng_chance(&r, 3, 10))
		len = mutate_frame(&r, f, len);
	if (rng_chance(&r, 1, 2))
		pb_fix_checksums(f, len);
	return len;
}

/* ---- checking one frame ---- */

struct tally {
	unsigned long frames, too_short, passed, dropped, rewritten, samples;
	unsigned long responses, blocked, strict_blocked, blocked_passed;
};

static void fail_frame(uint64_t seed, const uint8_t *f, size_t len, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fwh_print_delta(&R);
	pb_hexdump(stderr, "frame", f, len);
	fail_msg("frame of seed %llu: %s (rerun: FW_MUTATION_SEED=%llu FW_MUTATIONS=1)",
		 (unsigned long long)seed, msg, (unsigned long long)seed);
}

/* The NXDOMAIN answer written into R.out answers ref's question. */
static void check_nxdomain(uint64_t seed, const uint8_t *f, size_t len, const struct ref *ref)
{
	static uint8_t copy[PB_MAX_FRAME];
	struct lr_msg out;
	struct pb_info in;
	ldns_pkt *pkt = NULL;
	char why[256];
	const uint8_t *m;
	size_t mlen;

	if (!ref->blocked || !ref->nxdomain || ref->tcp || ref->routed)
		fail_frame(seed, f, len, "rewritten, but the reference wants it %s",
			   ref->blocked ? "dropped" : "untouched");
	if (pb_ip4_csum_ok(R.out, R.out_len) != pb_ip4_csum_ok(f, len))
		fail_frame(seed, f, len, "the rewrite changed whether the IPv4 checksum is right");
	memcpy(copy, R.out, R.out_len);
	if (!pb_ip4_csum_ok(f, len)) /* wrong before, wrong after: judge the rest */
		pb_fix_ip4_csum(copy, R.out_len);
	if (pb_verify(copy, R.out_len, why, sizeof(why)))
		fail_frame(seed, f, len, "the NXDOMAIN frame is invalid: %s", why);
	pb_parse(R.out, R.out_len, &in, NULL, 0);
	m = R.out + in.payload_off;
	mlen = in.payload_len;
	if (ldns_wire2pkt(&pkt, m, mlen) != LDNS_STATUS_OK)
		fail_frame(seed, f, len, "ldns cannot parse the NXDOMAIN message");
	ldns_pkt_free(pkt);
	if (lr_question(m, mlen, &out) || out.id != ref->q.id || !out.qr || out.rcode != 3 ||
	    out.qdcount != 1 || out.ancount || out.nscount || out.arcount || (m[2] & 0x02) ||
	    out.qwire_len != ref->q.qwire_len || memcmp(out.qwire, ref->q.qwire, out.qwire_len) ||
	    out.qtype != ref->q.qtype || out.question_end != mlen)
		fail_frame(seed, f, len, "the NXDOMAIN message does not answer the question");
}

static void check_samples(uint64_t seed, const uint8_t *f, size_t len, const struct ref *ref,
			  struct tally *t)
{
	struct fw_obs obs;
	enum fw_decode_res res;

	if (!R.n_samples)
		return;
	t->samples += (unsigned long)R.n_samples;
	if (R.n_samples > 1)
		fail_frame(seed, f, len, "%d samples from one frame", R.n_samples);
	res = fw_sample_decode(&R.samples[0], 0, &obs);
	if (res != FW_DECODE_OK)
		fail_frame(seed, f, len, "the kernel's sample does not decode (%d)", res);
	if (!ref->response || !ref->strict || ref->blocked)
		fail_frame(seed, f, len,
			   "sampled, but the reference reads no response to learn from");
	if (strcmp(obs.qname, ref->q.qname) || obs.qtype != ref->q.qtype)
		fail_frame(seed, f, len,
			   "the sample's question is '%s' type %u, ldns reads '%s' %u", obs.qname,
			   obs.qtype, ref->q.qname, ref->q.qtype);
}

static void check_frame(uint64_t seed, const uint8_t *f, size_t len, struct tally *t)
{
	struct ref ref;

	t->frames++;
	if (fwh_run(&H, f, len, &R)) {
		if (R.err == -EINVAL && (len < ETH_HLEN || len > RUN_MAX)) {
			t->too_short++;
			return;
		}
		fail_frame(seed, f, len, "BPF_PROG_TEST_RUN failed: %s", strerror(-R.err));
	}
	read_frame(f, len, &ref);
	t->responses += (unsigned long)ref.response;
	t->blocked += (unsigned long)ref.blocked;
	t->strict_blocked += (unsigned long)(ref.blocked && ref.strict);
	if (R.verdict == XDP_ABORTED || (R.verdict != XDP_PASS && R.verdict != XDP_DROP))
		fail_frame(seed, f, len, "verdict %u", R.verdict);
	if (R.verdict == XDP_DROP) {
		t->dropped++;
		if (!ref.blocked)
			fail_frame(seed, f, len, "dropped, but its question '%s' is not blocked",
				   ref.response ? ref.q.qname : "(none)");
	} else if (R.delta[FW_CNT_BLOCK_NXDOMAIN]) { /* an NXDOMAIN may be rewritten to itself */
		t->rewritten++;
		check_nxdomain(seed, f, len, &ref);
	} else if (R.out_len != len || memcmp(R.out, f, len)) {
		fail_frame(seed, f, len, "passed, but changed");
	} else {
		t->passed++;
		if (ref.blocked && ref.strict)
			fail_frame(seed, f, len, "passed, but '%s' is blocked", ref.q.qname);
		t->blocked_passed += (unsigned long)ref.blocked;
	}
	check_samples(seed, f, len, &ref, t);
}

/* ---- the run ---- */

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

static int setup(void **state)
{
	char *args[8];
	size_t i;

	if (fwh_open_with_cli(&H, "mutate") || fwh_sampling(&H))
		return -1;
	for (i = 0; i < N_RULES; i++) {
		int n = 0;

		args[n++] = rules[i].allow ? "allow" : "block";
		args[n++] = "add";
		args[n++] = (char *)rules[i].zone;
		if (rules[i].exact)
			args[n++] = "--exact";
		if (!rules[i].allow) {
			args[n++] = "--action";
			args[n++] = rules[i].nxdomain ? "nxdomain" : "drop";
		}
		args[n] = NULL;
		if (fwh_cli(&H, args)) {
			fprintf(stderr, "fluxwall %s %s failed:\n%s", args[0], args[2], H.cli_out);
			return -1;
		}
	}
	return 0;
}

static int teardown(void **state)
{
	fwh_close(&H);
	return 0;
}

static void test_mutated_responses(void **state)
{
	static uint8_t frame[PB_MAX_FRAME];
	uint64_t n = env_u64("FW_MUTATIONS", 500000), seed = env_u64("FW_MUTATION_SEED", 1), i;
	struct tally t = {};
	struct timespec t0, t1;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		size_t len = make_frame(seed + i, frame, sizeof(frame));

		if (len) /* 0: pktbuild could not build it, or it was cut to nothing */
			check_frame(seed + i, frame, len, &t);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("  %lu frames from seed %llu in %.1f s (%.0f frames/s)\n", t.frames,
		      (unsigned long long)seed, secs, (double)t.frames / secs);
	print_message("  %lu passed, %lu dropped, %lu rewritten to NXDOMAIN, %lu refused by the "
		      "kernel (under 14 bytes)\n",
		      t.passed, t.dropped, t.rewritten, t.too_short);
	print_message("  %lu responses the reference reads, %lu of them blocked (%lu in the "
		      "documented form; %lu others passed), %lu samples, all decoded\n",
		      t.responses, t.blocked, t.strict_blocked, t.blocked_passed, t.samples);
	/* The mix must exercise every path, or the invariants prove little. */
	assert_true(t.dropped > n / 50 && t.rewritten > n / 100 && t.samples > n / 20);
	assert_true(t.passed > t.dropped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mutated_responses),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
