// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Differential check against ldns. For every DNS message ldns parses, what
 * the daemon learns of it must be what ldns reads in it: the question's name
 * and type, the answer addresses with their TTLs, the CNAME chain, the NS
 * names and their glue. fluxwall's side is its real path: the frame runs
 * through the XDP program with BPF_PROG_TEST_RUN, sampling on, and the sample
 * from the ring buffer is decoded by fw_sample_decode, as `fluxwall run`
 * does. A message fluxwall refuses must be refused for one of the documented
 * reasons (docs/reliability.md, "Differential check against ldns"), each
 * recognised here from ldns's own reading of the message.
 *
 * Messages: every DNS message in tcpdump's captures (tests/data/pcap), as
 * captured; generated ones (dns_gen, pktbuild) of the shapes resolvers send,
 * over UDP and TCP, IPv4 and IPv6, and the edge cases; and every file under
 * tests/fuzz/corpus and under the directories given as arguments, each a raw
 * message.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "dns_gen.h"
#include "fluxwall_abi.h"
#include "ldns_ref.h"
#include "formats/pcap_frames.h"
#include "pktbuild.h"
#include "dataplane/sample_decode.h"
#include "xdp_harness.h"

#define XDP_PASS 2

#define T_A	1
#define T_NS	2
#define T_CNAME 5
#define T_AAAA	28
#define T_OPT	41
#define C_IN	1

/* The largest frame of one buffer: a kernel may refuse larger ones (EINVAL). */
#define RUN_MAX 3520

static struct fwh H;
static struct fwh_result R;
static struct lr_msg L;
static uint8_t FRAME[PB_MAX_FRAME];

/* FW_DIFF_VERBOSE=1: one line per message, with its outcome. */
static int verbose;

/* Directories of raw messages: tests/fuzz/corpus and the arguments. */
static char **dirs;
static int n_dirs;

/* ---- outcomes ---- */

enum outcome {
	O_SAME,		/* the daemon learns what ldns reads */
	O_EMPTY,	/* no record to learn from: no sample, as ldns agrees */
	O_LDNS_REFUSED, /* not compared: ldns does not parse it */
	O_TO_PORT53,	/* sent to port 53, not from it: not a response */
	O_NOT_RESPONSE, /* QR=0: a query, passed */
	O_OPCODE,	/* opcode other than QUERY: passed */
	O_QDCOUNT,	/* QDCOUNT other than 1: refused as malformed */
	O_QPOINTER,	/* compression pointer in the question: refused */
	O_FWD_POINTER,	/* an owner points forward: the records are refused */
	O_RDLEN,	/* ldns reads a record's data past or short of its RDLENGTH */
	O_TOO_BIG,	/* frame over one page the kernel refuses to run (EINVAL) */
	O_MAX,
};

static const char *const outcome_text[O_MAX] = {
    [O_SAME] = "same as ldns",
    [O_EMPTY] = "no records, no sample",
    [O_LDNS_REFUSED] = "ldns refuses (not compared)",
    [O_TO_PORT53] = "sent to port 53, passed",
    [O_NOT_RESPONSE] = "query, not a response",
    [O_OPCODE] = "opcode not QUERY",
    [O_QDCOUNT] = "QDCOUNT not 1",
    [O_QPOINTER] = "pointer in the question",
    [O_FWD_POINTER] = "owner pointing forward",
    [O_RDLEN] = "ldns ignores RDLENGTH (not compared)",
    [O_TOO_BIG] = "over one page, refused by the kernel",
};

struct tally {
	const char *source;
	unsigned long n[O_MAX];
	unsigned long messages;
	unsigned long documented[8]; /* differences in what was learnt, by kind */
};

enum difference {
	D_CAP = 0,   /* beyond what an observation keeps */
	D_CUT,	     /* beyond the sample's 512 bytes or 32 records */
	D_NAME_RULE, /* a record's name decompresses against the pointer rule */
	D_N,
};

static const char *const difference_text[D_N] = {
    [D_CAP] = "records past an observation's limits",
    [D_CUT] = "records past the sample's 512 bytes or 32 records",
    [D_NAME_RULE] = "record names against the pointer rule, left out",
};

static void print_tally(const struct tally *t)
{
	int i;

	print_message("  %s: %lu messages\n", t->source, t->messages);
	for (i = 0; i < O_MAX; i++)
		if (t->n[i])
			print_message("    %-32s %lu\n", outcome_text[i], t->n[i]);
	for (i = 0; i < D_N; i++)
		if (t->documented[i])
			print_message("    with %-27s %lu\n", difference_text[i], t->documented[i]);
}

/* ---- what the daemon should learn, from ldns's reading ---- */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * The pointer rule of fluxwall's decoder, as documented: each pointer goes
 * strictly before every byte of the name read so far, at most 16 of them.
 * 1 when the name at off keeps it.
 */
static int keeps_pointer_rule(const uint8_t *msg, size_t len, size_t off)
{
	size_t floor = off;
	int pointers = 0;

	while (off < len && msg[off]) {
		if ((msg[off] & 0xc0) == 0xc0) {
			size_t target;

			if (off + 1 >= len || ++pointers > FW_DECODE_MAX_POINTERS)
				return 0;
			target = (size_t)(msg[off] & 0x3f) << 8 | msg[off + 1];
			if (target >= floor)
				return 0;
			off = floor = target;
			continue;
		}
		off += 1 + msg[off];
	}
	return off < len;
}

/* 1 when the owner at off ends in a pointer that does not point before itself. */
static int owner_points_forward(const uint8_t *msg, size_t copied, size_t off)
{
	while (off < copied && msg[off] && (msg[off] & 0xc0) != 0xc0)
		off += 1 + msg[off];
	return off + 1 < copied && (msg[off] & 0xc0) == 0xc0 &&
	       ((size_t)(msg[off] & 0x3f) << 8 | msg[off + 1]) >= off;
}

struct want {
	int n_rr;  /* records in the sample: OPT is left out */
	int more;  /* records past the sample's reach */
	int fwd;   /* an owner the walk meets points forward */
	int rdlen; /* ldns read a record the walk reaches to another end */
	const struct lr_rec *rr[FW_SAMPLE_MAX_RR];
	size_t rdata[FW_SAMPLE_MAX_RR]; /* where each record's data starts */
};

/*
 * The records the kernel's walk reaches: at most 32 (OPT included), each
 * ending within the first 512 bytes, in order.
 */
static void reach(const struct lr_msg *m, const uint8_t *msg, size_t len, struct want *w)
{
	size_t copied = len < FW_SAMPLE_MSG ? len : FW_SAMPLE_MSG, start = m->question_end;
	unsigned total = m->ancount + m->nscount + m->arcount, i;

	memset(w, 0, sizeof(*w));
	w->more = total > FW_SAMPLE_MAX_RR;
	for (i = 0; i < total && i < FW_SAMPLE_MAX_RR && (int)i < m->n_rec; i++) {
		const struct lr_rec *r = &m->rec[i];

		if (owner_points_forward(msg, copied, start)) {
			w->fwd = 1;
			return;
		}
		if (r->end != r->rdata_off + r->rdlen) {
			w->rdlen = 1;
			return;
		}
		if (r->end > copied) {
			w->more = 1;
			return;
		}
		if (r->type != T_OPT) {
			w->rdata[w->n_rr] = r->rdata_off;
			w->rr[w->n_rr++] = r;
		}
		start = r->end;
	}
}

/* RFC 2181, section 8: a TTL with the top bit set is 0 (ldns keeps it raw). */
static uint32_t ttl_of(const struct lr_rec *r)
{
	return r->ttl & 0x80000000u ? 0 : r->ttl;
}

static int is_addr(const struct lr_rec *r)
{
	return r->rclass == C_IN &&
	       ((r->type == T_A && r->rdlen == 4) || (r->type == T_AAAA && r->rdlen == 16));
}

/* The observation fluxwall should make, built from the reachable records. */
static void expected_obs(const struct lr_msg *m, const uint8_t *msg, size_t len,
			 const struct want *w, struct fw_obs *o, struct tally *t)
{
	size_t copied = len < FW_SAMPLE_MSG ? len : FW_SAMPLE_MSG;
	int i, j, capped = 0, rule = 0;

	memset(o, 0, sizeof(*o));
	snprintf(o->qname, sizeof(o->qname), "%s", m->qname);
	o->qtype = m->qtype;
	o->rcode = (uint8_t)m->rcode;
	for (i = 0; i < w->n_rr; i++) {
		const struct lr_rec *r = w->rr[i];

		if (r->section == LR_ADDITIONAL || r->rclass != C_IN)
			continue;
		if (r->section == LR_ANSWER && is_addr(r)) {
			if (o->n_addrs == FW_OBS_MAX_ADDRS) {
				capped = 1;
				continue;
			}
			o->addrs[o->n_addrs].ip.family = r->type == T_A ? AF_INET : AF_INET6;
			memcpy(o->addrs[o->n_addrs].ip.addr, r->addr, r->type == T_A ? 4 : 16);
			o->addrs[o->n_addrs++].ttl = ttl_of(r);
		} else if ((r->section == LR_ANSWER && r->type == T_CNAME) || r->type == T_NS) {
			int ns = r->type == T_NS;

			if (!r->target_text) /* no name in the data */
				continue;
			if (!keeps_pointer_rule(msg, copied, w->rdata[i])) {
				rule = 1;
				continue;
			}
			if ((ns ? o->n_ns == FW_OBS_MAX_NS : o->n_cnames == FW_OBS_MAX_CNAMES)) {
				capped = 1;
				continue;
			}
			if (ns) {
				snprintf(o->ns[o->n_ns].name, FW_OBS_NAME_MAX, "%s", r->target);
				o->ns[o->n_ns++].ttl = ttl_of(r);
			} else {
				snprintf(o->cnames[o->n_cnames++], FW_OBS_NAME_MAX, "%s",
					 r->target);
			}
		}
	}
	for (i = 0; i < w->n_rr; i++) {
		const struct lr_rec *r = w->rr[i];

		if (r->section != LR_ADDITIONAL || !is_addr(r))
			continue;
		if (!keeps_pointer_rule(msg, copied, r->start)) {
			rule = 1;
			continue;
		}
		for (j = 0; j < o->n_ns && strcmp(o->ns[j].name, r->owner); j++)
			;
		if (j == o->n_ns)
			continue;
		if (o->n_glue == FW_OBS_MAX_GLUE) {
			capped = 1;
			continue;
		}
		o->glue[o->n_glue].family = r->type == T_A ? AF_INET : AF_INET6;
		memcpy(o->glue[o->n_glue].addr, r->addr, r->type == T_A ? 4 : 16);
		o->glue_ns[o->n_glue] = (uint8_t)j;
		o->glue_ttl[o->n_glue++] = ttl_of(r);
	}
	t->documented[D_CAP] += capped;
	t->documented[D_NAME_RULE] += rule;
}

/* ---- comparing ---- */

static void dump_message(const char *what, const uint8_t *msg, size_t len)
{
	pb_hexdump(stderr, what, msg, len < 1024 ? len : 1024);
}

static void ip_text(const struct fw_ip *ip, char *buf)
{
	fw_ip_format(ip, buf, FW_IP_TEXT_MAX);
}

/*
 * A disagreement: reported with the message, counted, and the message left
 * there, so that one run lists them all. Each test fails at its end if any.
 */
static unsigned long failures;

static void report(const char *what, const uint8_t *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (++failures <= 200) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
		fwh_print_delta(&R);
		dump_message(what, msg, len);
	} else if (failures == 201) {
		fprintf(stderr, "(more disagreements: only the first 20 are shown)\n");
	}
}

#define DIFF(cond, ...)                                                                            \
	do {                                                                                       \
		if (cond) {                                                                        \
			report(what, msg, len, __VA_ARGS__);                                       \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

static int compare_obs(const char *what, const uint8_t *msg, size_t len, const struct fw_obs *got,
		       const struct fw_obs *want)
{
	char a[FW_IP_TEXT_MAX], b[FW_IP_TEXT_MAX];
	int i;

	DIFF(strcmp(got->qname, want->qname) || got->qtype != want->qtype ||
		 got->rcode != want->rcode,
	     "%s: fluxwall reads the question '%s' type %u rcode %u, ldns '%s' type %u rcode %u",
	     what, got->qname, got->qtype, got->rcode, want->qname, want->qtype, want->rcode);
	DIFF(got->n_addrs != want->n_addrs || got->n_cnames != want->n_cnames ||
		 got->n_ns != want->n_ns || got->n_glue != want->n_glue,
	     "%s: fluxwall learns %u addresses, %u CNAMEs, %u NS, %u glue; ldns %u, %u, %u, %u",
	     what, got->n_addrs, got->n_cnames, got->n_ns, got->n_glue, want->n_addrs,
	     want->n_cnames, want->n_ns, want->n_glue);
	for (i = 0; i < want->n_addrs; i++) {
		ip_text(&got->addrs[i].ip, a);
		ip_text(&want->addrs[i].ip, b);
		DIFF(strcmp(a, b) || got->addrs[i].ttl != want->addrs[i].ttl,
		     "%s: answer address %d: fluxwall %s TTL %u, ldns %s TTL %u", what, i, a,
		     got->addrs[i].ttl, b, want->addrs[i].ttl);
	}
	for (i = 0; i < want->n_cnames; i++)
		DIFF(strcmp(got->cnames[i], want->cnames[i]),
		     "%s: CNAME %d: fluxwall '%s', ldns '%s'", what, i, got->cnames[i],
		     want->cnames[i]);
	for (i = 0; i < want->n_ns; i++)
		DIFF(strcmp(got->ns[i].name, want->ns[i].name) || got->ns[i].ttl != want->ns[i].ttl,
		     "%s: NS %d: fluxwall '%s' TTL %u, ldns '%s' TTL %u", what, i, got->ns[i].name,
		     got->ns[i].ttl, want->ns[i].name, want->ns[i].ttl);
	for (i = 0; i < want->n_glue; i++) {
		ip_text(&got->glue[i], a);
		ip_text(&want->glue[i], b);
		DIFF(strcmp(a, b) || got->glue_ns[i] != want->glue_ns[i] ||
			 got->glue_ttl[i] != want->glue_ttl[i],
		     "%s: glue %d: fluxwall %s of NS %u, ldns %s of NS %u", what, i, a,
		     got->glue_ns[i], b, want->glue_ns[i]);
	}
	return 0;
}

/*
 * The walk saw the records ldns reads: the kernel's count, and the types,
 * sections and TTLs the same walk finds again on the sample's copy.
 */
static int compare_walk(const char *what, const uint8_t *msg, size_t len, const struct fw_sample *s,
			const struct want *w)
{
	struct fw_sample_rr rr[FW_SAMPLE_MAX_RR];
	int i;

	DIFF(s->dns_len != len || s->msg_len != (len < FW_SAMPLE_MSG ? len : FW_SAMPLE_MSG) ||
		 memcmp(s->msg, msg, s->msg_len),
	     "%s: the sample does not carry the message as it was (%u of %u bytes)", what,
	     s->msg_len, s->dns_len);
	DIFF(s->n_rr != w->n_rr || !!(s->flags & FW_SAMPLE_MORE_RR) != w->more,
	     "%s: the kernel's walk found %u records%s, ldns %d%s", what, s->n_rr,
	     s->flags & FW_SAMPLE_MORE_RR ? " and more" : "", w->n_rr, w->more ? " and more" : "");
	DIFF(fw_sample_records(s, rr) != w->n_rr,
	     "%s: the walk finds %d records again on the sample's copy, the kernel %u", what,
	     fw_sample_records(s, rr), s->n_rr);
	for (i = 0; i < w->n_rr; i++)
		DIFF(rr[i].type != w->rr[i]->type || rr[i].section != w->rr[i]->section ||
			 rr[i].ttl != w->rr[i]->ttl || rr[i].rdlen != w->rr[i]->rdlen ||
			 rr[i].rdata_off != w->rdata[i],
		     "%s: record %d: the kernel reads type %u section %u TTL %u, %u bytes at %u; "
		     "ldns type %u section %u TTL %u, %u bytes at %zu",
		     what, i, rr[i].type, rr[i].section, rr[i].ttl, rr[i].rdlen,
		     rr[i].rdata_off, w->rr[i]->type, w->rr[i]->section, w->rr[i]->ttl,
		     w->rr[i]->rdlen, w->rdata[i]);
	return 0;
}

/* Which counter the program must have passed a refused message under. */
static int expect_counter(const char *what, const uint8_t *msg, size_t len, unsigned c)
{
	DIFF(R.delta[c] != 1, "%s: fluxwall should have passed it as %s", what,
	     fw_counter_name(c));
	return 0;
}

/* The refusals fluxwall documents, recognised from ldns's reading. */
static enum outcome documented_refusal(const struct lr_msg *m, const uint8_t *frame, size_t flen)
{
	struct pb_info in;

	if (pb_parse(frame, flen, &in, NULL, 0) || in.sport != 53)
		return O_TO_PORT53;
	if (!m->qr)
		return O_NOT_RESPONSE;
	if (m->opcode)
		return O_OPCODE;
	if (m->qdcount != 1)
		return O_QDCOUNT;
	if (m->qname_compressed)
		return O_QPOINTER;
	return O_SAME;
}

static const unsigned refusal_counter[O_MAX] = {
    [O_TO_PORT53] = FW_CNT_NOT_DNS,    [O_NOT_RESPONSE] = FW_CNT_DNS_QUERIES,
    [O_OPCODE] = FW_CNT_DNS_OTHER,     [O_QDCOUNT] = FW_CNT_MAL_QDCOUNT,
    [O_QPOINTER] = FW_CNT_MAL_POINTER,
};

/*
 * One message in one frame: run it, and compare what the daemon would learn
 * with what ldns reads. Returns the outcome, or -1 on a disagreement.
 */
static int compare_message(struct tally *t, const char *what, const uint8_t *frame, size_t flen,
			   const uint8_t *msg, size_t len)
{
	struct fw_obs got, want_obs;
	struct want w;
	enum outcome o;
	enum fw_decode_res res;
	char why[256];

	if (lr_parse(msg, len, &L, why, sizeof(why))) {
		if (verbose)
			print_message("  %s: %s\n", what, why);
		return O_LDNS_REFUSED;
	}
	if (fwh_run(&H, frame, flen, &R)) {
		if (R.err == -EINVAL && flen > RUN_MAX)
			return O_TOO_BIG;
		fail_msg("%s: BPF_PROG_TEST_RUN failed: %s", what, strerror(-R.err));
	}
	DIFF(R.verdict != XDP_PASS || R.out_len != flen || memcmp(R.out, frame, flen),
	     "%s: not passed untouched, with no rule at all", what);
	o = documented_refusal(&L, frame, flen);
	if (o != O_SAME) {
		if (expect_counter(what, msg, len, refusal_counter[o]))
			return -1;
		DIFF(R.n_samples, "%s: refused (%s) but sampled", what, outcome_text[o]);
		return o;
	}
	DIFF(R.delta[FW_CNT_DNS_RESPONSES] != 1, "%s: ldns reads a response, fluxwall does not",
	     what);
	reach(&L, msg, len, &w);
	if (w.fwd) {
		if (expect_counter(what, msg, len, FW_CNT_MAL_RECORDS))
			return -1;
		DIFF(R.n_samples, "%s: an owner points forward, yet it was sampled", what);
		return O_FWD_POINTER;
	}
	DIFF(R.delta[FW_CNT_MAL_RECORDS], "%s: the kernel refuses records ldns reads", what);
	if (w.rdlen)
		return O_RDLEN;
	if (!w.n_rr) {
		DIFF(R.n_samples, "%s: sampled without any record", what);
		return O_EMPTY;
	}
	DIFF(R.n_samples != 1, "%s: %d samples, want 1", what, R.n_samples);
	if (compare_walk(what, msg, len, &R.samples[0], &w))
		return -1;
	res = fw_sample_decode(&R.samples[0], 0, &got);
	DIFF(res != FW_DECODE_OK, "%s: the sample does not decode (%d)", what, res);
	expected_obs(&L, msg, len, &w, &want_obs, t);
	if (compare_obs(what, msg, len, &got, &want_obs))
		return -1;
	t->documented[D_CUT] += w.more;
	return O_SAME;
}

static void check_message(struct tally *t, const char *what, const uint8_t *frame, size_t flen,
			  const uint8_t *msg, size_t len)
{
	int o = compare_message(t, what, frame, flen, msg, len);

	t->messages++;
	if (o < 0)
		return;
	t->n[o]++;
	if (verbose && o != O_LDNS_REFUSED)
		print_message("  %s: %s\n", what, outcome_text[o]);
}

/* Print what a source gave, and fail if fluxwall disagreed with ldns anywhere. */
static void finish(const struct tally *t)
{
	unsigned long n = failures;

	print_tally(t);
	failures = 0;
	if (n)
		fail_msg("%s: %lu disagreements with ldns", t->source, n);
}

/* ---- frames ---- */

static size_t frame_of(const uint8_t *msg, size_t len, int variant)
{
	struct pb_spec s = {.payload = msg, .payload_len = len};

	s.ipv6 = variant & 1;
	s.tcp = (variant >> 1) & 1;
	s.nvlan = (variant >> 2) & 3;
	return pb_build(&s, FRAME, sizeof(FRAME));
}

/* A message in the four frames of UDP and TCP over IPv4 and IPv6. */
static void check_everywhere(struct tally *t, const char *what, const uint8_t *msg, size_t len)
{
	char name[512];
	int v;

	for (v = 0; v < 4; v++) {
		size_t flen = frame_of(msg, len, v | (v == 3 ? 4 : 0));

		snprintf(name, sizeof(name), "%s (%s over IPv%d)", what, v & 2 ? "TCP" : "UDP",
			 v & 1 ? 6 : 4);
		if (flen)
			check_message(t, name, FRAME, flen, msg, len);
	}
}

/* ---- sources ---- */

/* The DNS message of a captured frame, if it has one. */
static const uint8_t *dns_in_frame(const uint8_t *f, size_t len, size_t *mlen)
{
	struct pb_info in;

	if (pb_parse(f, len, &in, NULL, 0) || in.fragment || (in.sport != 53 && in.dport != 53))
		return NULL;
	if (in.proto == IPPROTO_UDP) {
		size_t ulen = be16(f + in.l4_off + 4);

		if (ulen < 8 || in.l4_off + ulen > in.l3_end)
			return NULL;
		*mlen = ulen - 8;
		return f + in.l4_off + 8;
	}
	if (in.proto == IPPROTO_TCP && in.payload_len >= 2 &&
	    be16(f + in.payload_off) == in.payload_len - 2) {
		*mlen = in.payload_len - 2;
		return f + in.payload_off + 2;
	}
	return NULL;
}

static void check_capture(struct tally *t, const char *file)
{
	char path[4096], err[512], what[512];
	uint8_t *frame = malloc(PB_MAX_FRAME);
	struct fw_pcap *pc;
	uint64_t ts;
	size_t len, mlen;
	int got, n = 0;

	assert_non_null(frame);
	snprintf(path, sizeof(path), "%s/tests/data/pcap/%s", fwh_repo_root(), file);
	pc = fw_pcap_open(path, err, sizeof(err));
	if (!pc)
		fail_msg("%s", err);
	while ((got = fw_pcap_next(pc, frame, PB_MAX_FRAME, &len, &ts)) == 1) {
		const uint8_t *msg = dns_in_frame(frame, len, &mlen);

		n++;
		if (!msg)
			continue;
		snprintf(what, sizeof(what), "%s packet %d", file, n);
		check_message(t, what, frame, len, msg, mlen);
	}
	assert_int_equal(got, 0);
	fw_pcap_close(pc);
	free(frame);
}

static int setup(void **state)
{
	if (fwh_open(&H, "ldnsdiff") || fwh_sampling(&H))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	fwh_close(&H);
	return 0;
}

/* Every DNS message in tcpdump's captures, as captured. */
static void test_captures(void **state)
{
	static const char *const files[] = {
	    "dns-badlabel.pcap", "dns_fwdptr.pcap", "dns-zlip-1.pcap", "dns-zlip-2.pcap",
	    "dns-zlip-3.pcap",	 "dns_udp_2.pcap",  "dns_udp.pcap",    "dns_tcp.pcap",
	    "edns-opts.pcap",	 "dnssec.pcap",
	};
	struct tally t = {.source = "tcpdump's captures"};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		check_capture(&t, files[i]);
	finish(&t);
	/* dns_udp, dns_tcp, edns-opts and dnssec hold 26 answers, all compared. */
	assert_true(t.n[O_SAME] >= 26);
}

/* Every edge case of dns_gen, in every frame. */
static void test_edge_cases(void **state)
{
	struct tally t = {.source = "edge cases"};
	struct pb_dns m;
	const char *what;
	unsigned i;

	for (i = 0; dg_edge_case(i, &m, &what) == 0; i++)
		check_everywhere(&t, what, m.buf, m.len);
	finish(&t);
	assert_true(t.n[O_SAME] > 4 * 20);
}

/* Random responses of the shapes resolvers send. */
static void test_random_responses(void **state)
{
	static const uint16_t qtypes[] = {T_A, T_A, T_A, T_AAAA, T_AAAA, T_NS, 15, 16};
	struct tally t = {.source = "random responses"};
	static struct dg_msg d;
	struct rng r;
	char qname[256], what[64];
	int i;

	rng_seed(&r, 20240611, 1);
	for (i = 0; i < 10000; i++) {
		dg_random_name(&r, qname, sizeof(qname), i % 2 ? "example.com" : "flux.test");
		dg_random_response(&d, &r, qname, qtypes[rng_below(&r, 8)]);
		snprintf(what, sizeof(what), "random response %d", i);
		check_everywhere(&t, what, d.m.buf, d.m.len);
	}
	finish(&t);
	assert_int_equal(t.n[O_LDNS_REFUSED], 0); /* they are valid */
	assert_true(t.n[O_SAME] + t.n[O_EMPTY] == t.messages - t.n[O_TOO_BIG]);
}

/* ---- directories of raw messages ---- */

static void check_file(struct tally *t, const char *path)
{
	static uint8_t msg[65536];
	FILE *f = fopen(path, "rb");
	size_t len;

	if (!f)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	len = fread(msg, 1, sizeof(msg), f);
	fclose(f);
	if (len <= 65535 - 60)
		check_everywhere(t, path, msg, len);
}

static void check_dir(struct tally *t, const char *dir)
{
	struct dirent **names;
	char path[4096];
	struct stat st;
	int n, i;

	n = scandir(dir, &names, NULL, alphasort); /* sorted: the same order every run */
	if (n < 0)
		fail_msg("cannot read the directory %s: %s", dir, strerror(errno));
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			if (!stat(path, &st) && S_ISDIR(st.st_mode))
				check_dir(t, path);
			else if (S_ISREG(st.st_mode))
				check_file(t, path);
		}
		free(names[i]);
	}
	free(names);
}

static void test_message_dirs(void **state)
{
	struct tally t = {.source = "raw messages"};
	int i;

	for (i = 0; i < n_dirs; i++)
		check_dir(&t, dirs[i]);
	if (!n_dirs)
		print_message("  no tests/fuzz/corpus and no directory given: nothing to read\n");
	finish(&t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_captures),
	    cmocka_unit_test(test_edge_cases),
	    cmocka_unit_test(test_random_responses),
	    cmocka_unit_test(test_message_dirs),
	};
	static char corpus[4096];
	struct stat st;
	int i;

	verbose = getenv("FW_DIFF_VERBOSE") && atoi(getenv("FW_DIFF_VERBOSE"));
	dirs = calloc((size_t)argc + 1, sizeof(*dirs));
	if (!dirs)
		return 1;
	snprintf(corpus, sizeof(corpus), "%s/tests/fuzz/corpus", fwh_repo_root());
	if (!stat(corpus, &st) && S_ISDIR(st.st_mode))
		dirs[n_dirs++] = corpus;
	for (i = 1; i < argc; i++)
		dirs[n_dirs++] = argv[i];
	return cmocka_run_group_tests(tests, setup, teardown);
}
