// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Samples of tcpdump's real captures (tests/data/pcap, BSD licence in
 * LICENSE.tcpdump), checked against tcpdump's own decode of them. Each
 * packet runs through the XDP program with sampling on; every sample that
 * comes out of the ring buffer is decoded with fw_sample_decode and must
 * say what tcpdump says: the question, the A and AAAA answers, the NS names
 * and their glue, record by record as far as the sample's copy reaches.
 *
 * Two decodes of each capture are used:
 *   <capture>.out     tcpdump's test-suite output (plain), shipped with the
 *                     captures: answers' addresses and section counts;
 *   <capture>.vv.out  every record, from the tcpdump 4.99.3 of Debian 12:
 *                     TZ=UTC tcpdump -# -n -vv -r <capture>.pcap
 *
 * The malformed captures, as captured, turned into responses, and a real
 * answer with hostile records put in, give no sample or one that decodes
 * to an error, are passed untouched, and move the counters that say why.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>

#include "formats/abi_names.h"
#include "fluxwall_abi.h"
#include "formats/pcap_frames.h"
#include "dataplane/pinned_maps.h"
#include "pktbuild.h"
#include "dataplane/sample_decode.h"
#include "xdp_harness.h"

#define MAX_PKTS    64
#define MAX_RECS    40
#define MAX_SAMPLES 8

/* ---- captures ---- */

struct packet {
	uint8_t *data;
	size_t len;
};

struct capture {
	struct packet p[MAX_PKTS];
	int n;
};

static void load_capture(const char *file, struct capture *c)
{
	char path[4096], err[512];
	struct fw_pcap *pc;
	uint8_t *frame = malloc(PB_MAX_FRAME);
	uint64_t ts;
	size_t len;
	int got;

	assert_non_null(frame);
	snprintf(path, sizeof(path), "%s/tests/data/pcap/%s", fwh_repo_root(), file);
	pc = fw_pcap_open(path, err, sizeof(err));
	if (!pc)
		fail_msg("%s", err);
	c->n = 0;
	while ((got = fw_pcap_next(pc, frame, PB_MAX_FRAME, &len, &ts)) == 1) {
		assert_true(c->n < MAX_PKTS);
		c->p[c->n].data = malloc(len);
		assert_non_null(c->p[c->n].data);
		memcpy(c->p[c->n].data, frame, len);
		c->p[c->n++].len = len;
	}
	assert_int_equal(got, 0);
	fw_pcap_close(pc);
	free(frame);
}

static void free_capture(struct capture *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		free(c->p[i].data);
	c->n = 0;
}

/* ---- tcpdump's decodes ---- */

/* The text of each packet of a tcpdump -# output, continuation lines joined. */
struct decode {
	char *pkt[MAX_PKTS + 1]; /* by packet number, from 1 */
	int n;
};

static void load_decode(const char *file, struct decode *d)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	memset(d, 0, sizeof(*d));
	snprintf(path, sizeof(path), "%s/tests/data/pcap/%s", fwh_repo_root(), file);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	while ((len = getline(&line, &cap, f)) > 0) {
		char *end, *joined;
		long num;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		num = strtol(line, &end, 10);
		if (end != line && num == d->n + 1 && !strncmp(end, "  ", 2)) {
			assert_true(num <= MAX_PKTS);
			d->pkt[++d->n] = strdup(end + 2);
			continue;
		}
		assert_true(d->n > 0); /* a continuation of the packet before */
		assert_true(asprintf(&joined, "%s %s", d->pkt[d->n], line) > 0);
		free(d->pkt[d->n]);
		d->pkt[d->n] = joined;
	}
	free(line);
	fclose(f);
}

static void free_decode(struct decode *d)
{
	int i;

	for (i = 1; i <= d->n; i++)
		free(d->pkt[i]);
}

/* The n-th parenthesised match of re in s, or NULL. */
static int match(const char *pattern, const char *s, regmatch_t *m, size_t nm)
{
	regex_t re;
	int ret;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED), 0);
	ret = regexec(&re, s, nm, m, 0);
	regfree(&re);
	return ret == 0;
}

static void copy_match(char *out, size_t len, const char *s, const regmatch_t *m)
{
	snprintf(out, len, "%.*s", (int)(m->rm_eo - m->rm_so), s + m->rm_so);
}

struct rec {
	uint8_t section;
	uint16_t type;
	char owner[256]; /* canonical text: no trailing dot */
	char data[256];	 /* address or name as tcpdump prints it */
};

struct answer {
	char qname[256];
	uint16_t qtype;
	int an, ns, ar;
	struct rec r[MAX_RECS]; /* OPT left out, as the XDP program does */
	int nr;
};

static uint16_t type_code(const char *t)
{
	static const struct { const char *name; uint16_t code; } types[] = {
		{ "A", 1 },	  { "NS", 2 },	   { "CNAME", 5 },  { "SOA", 6 },   { "MX", 15 },
		{ "TXT", 16 },	  { "AAAA", 28 },  { "OPT", 41 },   { "DS", 43 },   { "SSHFP", 44 },
		{ "RRSIG", 46 }, { "NSEC", 47 },  { "DNSKEY", 48 },
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i].name, t))
			return types[i].code;
	fail_msg("tcpdump printed a record type this test does not know: %s", t);
	return 0;
}

static void strip_dot(char *name)
{
	size_t n = strlen(name);

	if (n && name[n - 1] == '.')
		name[n - 1] = '\0';
}

/* "owner TYPE data..." */
static void parse_rec(char *text, uint8_t section, struct answer *a)
{
	char type[16] = "";
	struct rec *r;
	int used = 0;

	if (sscanf(text, "%255s %15s %n", a->r[a->nr].owner, type, &used) < 2)
		fail_msg("cannot read the record '%s'", text);
	if (type_code(type) == 41)
		return;
	assert_true(a->nr < MAX_RECS);
	r = &a->r[a->nr++];
	r->section = section;
	r->type = type_code(type);
	strip_dot(r->owner);
	snprintf(r->data, sizeof(r->data), "%s", used ? text + used : "");
	strip_dot(r->data);
}

/* Records separated by ", ", except inside [EDNS options]. */
static void parse_section(char *s, uint8_t section, struct answer *a)
{
	char *start = s;
	int depth = 0;

	for (; *s; s++) {
		depth += (*s == '[') - (*s == ']');
		if (!depth && s[0] == ',' && s[1] == ' ') {
			*s = '\0';
			parse_rec(start, section, a);
			start = s + 2;
		}
	}
	if (*start)
		parse_rec(start, section, a);
}

/* A response as tcpdump -vv prints it; 0 when the packet is no response. */
static int parse_vv(const char *text, struct answer *a)
{
	regmatch_t m[8];
	char rest[8192], *ns, *ar;

	memset(a, 0, sizeof(*a));
	if (!match(" q: ([A-Z0-9]+)\\? ([^ ]+) ([0-9]+)/([0-9]+)/([0-9]+) (.*) \\([0-9]+\\)$", text,
		   m, 7))
		return 0;
	copy_match(rest, sizeof(rest), text, &m[1]);
	a->qtype = type_code(rest);
	copy_match(a->qname, sizeof(a->qname), text, &m[2]);
	strip_dot(a->qname);
	a->an = atoi(text + m[3].rm_so);
	a->ns = atoi(text + m[4].rm_so);
	a->ar = atoi(text + m[5].rm_so);
	rest[0] = ' ';
	copy_match(rest + 1, sizeof(rest) - 1, text, &m[6]);
	ns = strstr(rest, " ns: ");
	ar = strstr(rest, " ar: ");
	if (ar)
		*ar = '\0';
	if (ns)
		*ns = '\0';
	parse_section(rest + 1, FW_SEC_ANSWER, a);
	if (ns)
		parse_section(ns + 5, FW_SEC_AUTHORITY, a);
	if (ar)
		parse_section(ar + 5, FW_SEC_ADDITIONAL, a);
	return 1;
}

/* The plain decode of a response: its counts and the addresses it lists. */
struct plain {
	int an, ns, ar;
	char addr[16][64];
	int naddr;
};

static int parse_plain(const char *text, struct plain *p)
{
	regmatch_t m[6];
	char list[4096], *tok, *save = NULL;

	memset(p, 0, sizeof(*p));
	if (!match(" [0-9]+[*|$+-]* ([0-9]+)/([0-9]+)/([0-9]+) (.*) \\([0-9]+\\)$", text, m, 5))
		return 0;
	p->an = atoi(text + m[1].rm_so);
	p->ns = atoi(text + m[2].rm_so);
	p->ar = atoi(text + m[3].rm_so);
	copy_match(list, sizeof(list), text, &m[4]);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char type[16], addr[64];

		if (sscanf(tok, " %15s %63s", type, addr) == 2 &&
		    (!strcmp(type, "A") || !strcmp(type, "AAAA"))) {
			assert_true(p->naddr < 16);
			snprintf(p->addr[p->naddr++], 64, "%s", addr);
		}
	}
	return 1;
}

/* ---- the program, with sampling on ---- */

static struct fwh H;
static struct fwh_result R;
static struct fw_sample SAMPLES[MAX_SAMPLES];
static int NSAMPLES;

static void on_sample(void *ctx, const struct fw_sample *s)
{
	if (NSAMPLES < MAX_SAMPLES)
		SAMPLES[NSAMPLES] = *s;
	NSAMPLES++;
}

static int setup(void **state)
{
	/* every response is sampled */
	if (fwh_open(&H, "samples") || fwh_sampling(&H))
		return -1;
	return fwh_on_sample(&H, on_sample, NULL);
}

static int teardown(void **state)
{
	fwh_close(&H);
	return 0;
}

/*
 * Run a frame; it must pass untouched, whatever it holds. Returns the
 * number of samples it produced, or -1 when the kernel refused a frame
 * larger than a page (no single-buffer XDP program sees those).
 */
static int run(const char *what, const uint8_t *f, size_t len)
{
	NSAMPLES = 0;
	if (fwh_run(&H, f, len, &R)) {
		if (R.err == -EINVAL && len > 3500)
			return -1;
		fail_msg("%s: BPF_PROG_TEST_RUN failed: %s", what, strerror(-R.err));
	}
	if (R.verdict != XDP_PASS || R.out_len != len || memcmp(R.out, f, len)) {
		fwh_print_delta(&R);
		fail_msg("%s: not passed untouched (verdict %u)", what, R.verdict);
	}
	assert_true(NSAMPLES <= MAX_SAMPLES);
	if ((uint64_t)NSAMPLES != R.delta[FW_CNT_SAMPLES_SENT]) {
		fwh_print_delta(&R);
		fail_msg("%s: %d samples arrived, %s moved by %llu", what, NSAMPLES,
			 fw_counter_names[FW_CNT_SAMPLES_SENT],
			 (unsigned long long)R.delta[FW_CNT_SAMPLES_SENT]);
	}
	return NSAMPLES;
}

static void expect_counter(const char *what, unsigned int c, uint64_t want)
{
	if (R.delta[c] != want) {
		fwh_print_delta(&R);
		fail_msg("%s: %s moved by %llu, want %llu", what, fw_counter_names[c],
			 (unsigned long long)R.delta[c], (unsigned long long)want);
	}
}

/* ---- comparing a sample with tcpdump ---- */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The DNS message in a frame (after the length prefix over TCP). */
static const uint8_t *dns_of(const struct packet *p, size_t *len)
{
	struct pb_info in;

	assert_int_equal(pb_parse(p->data, p->len, &in, NULL, 0), 0);
	if (in.proto == IPPROTO_TCP) {
		*len = in.payload_len - 2;
		return p->data + in.payload_off + 2;
	}
	*len = in.payload_len;
	return p->data + in.payload_off;
}

static void name_at(const struct fw_sample *s, size_t off, char *out, const char *what)
{
	if (fw_msg_name(s->msg, s->msg_len, off, out, FW_OBS_NAME_MAX))
		fail_msg("%s: the name at offset %zu does not decode", what, off);
}

static int is_addr(uint16_t type)
{
	return type == 1 || type == 28;
}

static void assert_ip_is(const char *what, const struct fw_ip *ip, const char *text)
{
	char got[FW_IP_TEXT_MAX];

	fw_ip_format(ip, got, sizeof(got));
	if (strcmp(got, text))
		fail_msg("%s: address %s, tcpdump says %s", what, got, text);
}

/* Record i of the sample is record i of tcpdump's decode. */
static void compare_record(const char *what, const struct fw_sample *s, int i,
			   const struct rec *r)
{
	struct fw_sample_rr all[FW_SAMPLE_MAX_RR];
	const struct fw_sample_rr *rr = &all[i];
	char name[FW_OBS_NAME_MAX];
	uint8_t a[16];

	if (fw_sample_records(s, all) <= i)
		fail_msg("%s: the walk of the sample's copy does not find record %d", what, i);
	if (rr->type != r->type || rr->section != r->section)
		fail_msg("%s: record %d is type %u in section %u, tcpdump says %u in %u", what,
			 i, rr->type, rr->section, r->type, r->section);
	name_at(s, rr->owner_off, name, what);
	if (strcmp(name, r->owner))
		fail_msg("%s: record %d owner '%s', tcpdump says '%s'", what, i, name, r->owner);
	if (is_addr(r->type)) {
		int v6 = r->type == 28;

		assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, r->data, a), 1);
		assert_int_equal(rr->rdlen, v6 ? 16 : 4);
		if (memcmp(s->msg + rr->rdata_off, a, v6 ? 16 : 4))
			fail_msg("%s: record %d data differs from %s", what, i, r->data);
	} else if (r->type == 2 || r->type == 5) {
		name_at(s, rr->rdata_off, name, what);
		if (strcmp(name, r->data))
			fail_msg("%s: record %d target '%s', tcpdump says '%s'", what, i, name,
				 r->data);
	}
}

static int in_ns(const struct answer *a, int k, const char *name)
{
	int i;

	for (i = 0; i < k; i++)
		if (a->r[i].type == 2 && a->r[i].section != FW_SEC_ADDITIONAL &&
		    !strcmp(a->r[i].data, name))
			return 1;
	return 0;
}

/* The observation holds the first k records' addresses, NS names and glue. */
static void compare_obs(const char *what, const struct fw_obs *o, const struct answer *a, int k)
{
	int i, na = 0, nns = 0, ng = 0, nc = 0;

	if (strcmp(o->qname, a->qname) || o->qtype != a->qtype || o->rcode != 0)
		fail_msg("%s: observed %s type %u rcode %u, tcpdump says %s? %s", what, o->qname,
			 o->qtype, o->rcode, a->qname, "type");
	for (i = 0; i < k; i++) {
		const struct rec *r = &a->r[i];

		if (r->section == FW_SEC_ANSWER && is_addr(r->type) && na < FW_OBS_MAX_ADDRS) {
			assert_true(na < o->n_addrs);
			assert_ip_is(what, &o->addrs[na++].ip, r->data);
		} else if (r->section == FW_SEC_ANSWER && r->type == 5 && nc < FW_OBS_MAX_CNAMES) {
			assert_true(nc < o->n_cnames);
			assert_string_equal(o->cnames[nc++], r->data);
		} else if (r->section != FW_SEC_ADDITIONAL && r->type == 2 && nns < FW_OBS_MAX_NS) {
			assert_true(nns < o->n_ns);
			assert_string_equal(o->ns[nns++].name, r->data);
		} else if (r->section == FW_SEC_ADDITIONAL && is_addr(r->type) &&
			   in_ns(a, k, r->owner) && ng < FW_OBS_MAX_GLUE) {
			assert_true(ng < o->n_glue);
			assert_ip_is(what, &o->glue[ng++], r->data);
		}
	}
	if (o->n_addrs != na || o->n_cnames != nc || o->n_ns != nns || o->n_glue != ng)
		fail_msg("%s: observed %u addresses, %u cnames, %u NS, %u glue; tcpdump's "
			 "records give %d, %d, %d, %d",
			 what, o->n_addrs, o->n_cnames, o->n_ns, o->n_glue, na, nc, nns, ng);
}

/* One response and its one sample against both of tcpdump's decodes. */
static void check_sample(const char *what, const struct packet *p, const struct fw_sample *s,
			 const struct answer *a, const struct plain *pl, struct fw_obs *o)
{
	size_t dlen;
	const uint8_t *dns = dns_of(p, &dlen);
	int i, k = s->n_rr;

	/* The sample carries the message as it was on the wire. */
	assert_int_equal(s->dns_len, dlen);
	assert_int_equal(s->msg_len, dlen < FW_SAMPLE_MSG ? dlen : FW_SAMPLE_MSG);
	if (memcmp(s->msg, dns, s->msg_len))
		fail_msg("%s: the sampled message differs from the packet's", what);
	if (be16(s->msg + 6) != a->an || be16(s->msg + 8) != a->ns || be16(s->msg + 10) != a->ar)
		fail_msg("%s: counts differ from tcpdump's %d/%d/%d", what, a->an, a->ns, a->ar);
	if (pl && (pl->an != a->an || pl->ns != a->ns || pl->ar != a->ar))
		fail_msg("%s: the two tcpdump decodes disagree on the counts", what);

	/* Every record that fits the copy, none skipped; a cut is flagged. */
	assert_true(k >= 1 && k <= a->nr);
	if (dlen <= FW_SAMPLE_MSG && k != a->nr)
		fail_msg("%s: %d records sampled of %d in a whole message", what, k, a->nr);
	if (k < a->nr && !(s->flags & FW_SAMPLE_MORE_RR))
		fail_msg("%s: %d of %d records and no FW_SAMPLE_MORE_RR", what, k, a->nr);
	for (i = 0; i < k; i++)
		compare_record(what, s, i, &a->r[i]);

	if (fw_sample_decode(s, 1, o) != FW_DECODE_OK)
		fail_msg("%s: a real answer did not decode", what);
	compare_obs(what, o, a, k);
	/* What the plain decode lists among the answers is observed too. */
	for (i = 0; pl && i < pl->naddr; i++) {
		char got[FW_IP_TEXT_MAX];
		int j, found = 0;

		for (j = 0; j < o->n_addrs; j++) {
			fw_ip_format(&o->addrs[j].ip, got, sizeof(got));
			found |= !strcmp(got, pl->addr[i]);
		}
		if (!found)
			fail_msg("%s: tcpdump lists %s, not observed", what, pl->addr[i]);
	}
}

struct good {
	const char *pcap, *plain, *vv;
	int packets, responses;
};

/*
 * Every packet of a capture: each response gives one sample that matches
 * tcpdump, every other packet none. Returns the sum of NS names and glue
 * observed, so the caller can tell they were compared at all.
 */
static int run_good(const struct good *g, struct fw_obs *last)
{
	struct decode vv, plain = { 0 };
	struct capture c;
	int i, responses = 0, seen = 0;
	char what[128];

	load_capture(g->pcap, &c);
	load_decode(g->vv, &vv);
	if (g->plain)
		load_decode(g->plain, &plain);
	assert_int_equal(c.n, g->packets);
	assert_int_equal(vv.n, g->packets);
	assert_true(!g->plain || plain.n == g->packets);
	for (i = 0; i < c.n; i++) {
		struct answer a;
		struct plain pl;
		int resp = parse_vv(vv.pkt[i + 1], &a), n;

		snprintf(what, sizeof(what), "%s packet %d", g->pcap, i + 1);
		n = run(what, c.p[i].data, c.p[i].len);
		assert_true(n >= 0);
		if (!resp) {
			if (n)
				fail_msg("%s: no response, yet %d samples", what, n);
			expect_counter(what, FW_CNT_DNS_RESPONSES, 0);
			continue;
		}
		responses++;
		if (n != 1)
			fail_msg("%s: a response gave %d samples", what, n);
		expect_counter(what, FW_CNT_DNS_RESPONSES, 1);
		expect_counter(what, FW_CNT_MAL_RECORDS, 0);
		if (g->plain && !parse_plain(plain.pkt[i + 1], &pl))
			fail_msg("%s: the plain decode is no response", what);
		check_sample(what, &c.p[i], &SAMPLES[0], &a, g->plain ? &pl : NULL, last);
		seen += last->n_ns + last->n_glue;
	}
	assert_int_equal(responses, g->responses);
	free_decode(&vv);
	free_decode(&plain);
	free_capture(&c);
	return seen;
}

/* ---- tests ---- */

/* www.tcpdump.org: two A answers, two NS in authority, four glue addresses. */
static void test_dns_udp(void **state)
{
	static const struct good g = { "dns_udp.pcap", "dns_udp.out", "dns_udp.vv.out", 2, 1 };
	struct fw_obs o;

	assert_int_equal(run_good(&g, &o), 6);
	assert_string_equal(o.qname, "www.tcpdump.org");
	assert_int_equal(o.n_addrs, 2);
	assert_int_equal(o.n_ns, 2);
	assert_int_equal(o.n_glue, 4);
	assert_ip_is("dns_udp", &o.resolver, "209.87.249.18");
	assert_ip_is("dns_udp", &o.client, "192.168.1.11");
}

/* The same answer over TCP, among handshake and teardown segments. */
static void test_dns_tcp(void **state)
{
	static const struct good g = { "dns_tcp.pcap", "dns_tcp.out", "dns_tcp.vv.out", 11, 1 };
	struct fw_obs o;

	assert_int_equal(run_good(&g, &o), 6);
	assert_int_equal(o.n_addrs, 2);
}

/* example.com 21 times, with EDNS options and RRSIGs; no NS at all. */
static void test_edns_opts(void **state)
{
	static const struct good g = { "edns-opts.pcap", "edns-opts.out", "edns-opts.vv.out",
				       42, 21 };
	struct fw_obs o;

	assert_int_equal(run_good(&g, &o), 0);
	assert_int_equal(o.n_addrs, 1);
	assert_ip_is("edns-opts", &o.addrs[0].ip, "93.184.216.34");
}

/* A 3 KB DNSSEC answer is sampled as far as its first 512 bytes reach. */
static void test_dnssec(void **state)
{
	static const struct good g = { "dnssec.pcap", NULL, "dnssec.vv.out", 6, 3 };
	struct fw_obs o;

	assert_true(run_good(&g, &o) >= 8);
	assert_string_equal(o.qname, "monadic.cynic.net");
	assert_int_equal(o.qtype, 44); /* SSHFP */
	assert_int_equal(o.n_ns, 4);
	assert_int_equal(o.n_glue, 4);
}

/* A query sent from port 53 is counted as one and gives no sample. */
static void test_query_from_port_53(void **state)
{
	struct capture c;
	struct pb_info in;
	uint8_t *f;

	load_capture("dns_udp.pcap", &c);
	f = c.p[0].data;
	assert_int_equal(pb_parse(f, c.p[0].len, &in, NULL, 0), 0);
	assert_int_equal(in.dport, 53);
	/* Swapping the ports keeps the UDP checksum valid. */
	memcpy(f + in.l4_off, "\x00\x35\xab\xbe", 4);
	assert_int_equal(run("query from port 53", f, c.p[0].len), 0);
	expect_counter("query from port 53", FW_CNT_DNS_QUERIES, 1);
	expect_counter("query from port 53", FW_CNT_DNS_RESPONSES, 0);
	free_capture(&c);
}

/*
 * The malformed captures as captured: passed (or, by a kernel without
 * multi-buffer test runs, refused for their size), never sampled; tcpdump
 * found each of them malformed too.
 */
static void test_malformed_captures(void **state)
{
	static const char *const files[] = { "dns-badlabel", "dns_fwdptr", "dns-zlip-1",
					     "dns-zlip-2",   "dns-zlip-3", "dns_udp_2" };
	static const char *const marks[] = { "<BAD LABEL TYPE>", "<BAD PTR>", "(invalid)",
					     "(invalid)",	 "(invalid)", "[|domain]" };
	char name[64];
	size_t f;
	int i;

	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct decode d;
		struct capture c;
		int malformed = 0;

		snprintf(name, sizeof(name), "%s.out", files[f]);
		load_decode(name, &d);
		snprintf(name, sizeof(name), "%s.pcap", files[f]);
		load_capture(name, &c);
		assert_int_equal(c.n, d.n);
		for (i = 0; i < c.n; i++) {
			malformed |= strstr(d.pkt[i + 1], marks[f]) != NULL;
			if (run(name, c.p[i].data, c.p[i].len) > 0)
				fail_msg("%s packet %d: a malformed message was sampled", name,
					 i + 1);
		}
		if (!malformed)
			fail_msg("%s: tcpdump's decode does not say '%s'", name, marks[f]);
		free_decode(&d);
		free_capture(&c);
	}
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/*
 * The hostile names of the malformed captures, made into responses from
 * port 53 (QR=1, QDCOUNT 1, at most 1400 bytes, lengths fitted, UDP
 * checksum 0): a malformed-question counter moves, and nothing is sampled.
 */
static size_t as_response(const struct packet *p, uint8_t *out)
{
	size_t len = p->len < 1400 ? p->len : 1400, l4;
	uint8_t *ip = out + 14, *udp, *dns;
	uint32_t sum;

	memcpy(out, p->data, len);
	l4 = 14 + (size_t)(ip[0] & 0xf) * 4;
	if (be16(out + 12) != 0x0800 || ip[9] != IPPROTO_UDP || len < l4 + 8 + 12)
		return 0;
	udp = out + l4;
	dns = udp + 8;
	put16(udp, 53);
	put16(udp + 2, 40000);
	put16(udp + 4, (uint16_t)(len - l4));
	put16(udp + 6, 0);
	put16(dns + 2, 0x8180);
	put16(dns + 4, 1);
	put16(ip + 2, (uint16_t)(len - 14));
	put16(ip + 6, 0); /* no fragment bits */
	put16(ip + 10, 0);
	sum = pb_csum_add(0, ip, l4 - 14);
	put16(ip + 10, (uint16_t)~pb_csum_fold(sum));
	return len;
}

static const unsigned int question_counters[] = {
	FW_CNT_MAL_SHORT,   FW_CNT_MAL_QDCOUNT, FW_CNT_MAL_LABEL,
	FW_CNT_MAL_POINTER, FW_CNT_MAL_NAME_LEN, FW_CNT_MAL_TRUNCATED,
};

static void test_malformed_as_responses(void **state)
{
	static const char *const files[] = { "dns-badlabel.pcap", "dns_fwdptr.pcap",
					     "dns-zlip-1.pcap", "dns-zlip-2.pcap",
					     "dns-zlip-3.pcap" };
	uint8_t *frame = malloc(PB_MAX_FRAME);
	size_t f, k;
	int tried = 0;

	assert_non_null(frame);
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct capture c;
		uint64_t moved = 0;
		size_t len;

		load_capture(files[f], &c);
		len = as_response(&c.p[0], frame);
		assert_true(len > 0);
		tried++;
		assert_int_equal(run(files[f], frame, len), 0);
		for (k = 0; k < sizeof(question_counters) / sizeof(question_counters[0]); k++)
			moved += R.delta[question_counters[k]];
		if (moved != 1 || R.delta[FW_CNT_DNS_RESPONSES]) {
			fwh_print_delta(&R);
			fail_msg("%s as a response: want one malformed-question counter", files[f]);
		}
		expect_counter(files[f], FW_CNT_MAL_RECORDS, 0);
		free_capture(&c);
	}
	free(frame);
	assert_int_equal(tried, 5);
}

/* ---- hostile records in a real answer ---- */

struct real {
	struct capture c;
	struct fw_sample good; /* the untouched answer's sample: record offsets */
	uint8_t *dns;	       /* its DNS message inside the frame */
	size_t udp_csum;       /* offset of the UDP checksum in the frame */
};

static void load_real(struct real *r)
{
	struct pb_info in;

	load_capture("dns_udp.pcap", &r->c);
	assert_int_equal(run("dns_udp answer", r->c.p[1].data, r->c.p[1].len), 1);
	r->good = SAMPLES[0];
	assert_int_equal(r->good.n_rr, 8);
	assert_int_equal(pb_parse(r->c.p[1].data, r->c.p[1].len, &in, NULL, 0), 0);
	r->dns = r->c.p[1].data + in.payload_off;
	r->udp_csum = in.l4_off + 6;
}

/* The answer as changed, with a UDP checksum of 0 ("none"). */
static int run_changed(struct real *r, const char *what)
{
	put16(r->c.p[1].data + r->udp_csum, 0);
	return run(what, r->c.p[1].data, r->c.p[1].len);
}

/* The first record of a section in the good sample. */
static const struct fw_sample_rr *first_in(const struct real *r, uint8_t section, uint16_t type)
{
	static struct fw_sample_rr rr[FW_SAMPLE_MAX_RR];
	int i, n = fw_sample_records(&r->good, rr);

	for (i = 0; i < n; i++)
		if (rr[i].section == section && rr[i].type == type)
			return &rr[i];
	fail_msg("no record of type %u in section %u", type, section);
	return NULL;
}

static void ptr_at(uint8_t *p, uint16_t target)
{
	put16(p, 0xc000 | target);
}

/* Owners the walk must refuse: the record section is counted as malformed. */
static void test_hostile_owners(void **state)
{
	static const char *const what[] = { "forward pointer owner", "self pointer owner",
					    "reserved label type", "rdata past the end" };
	size_t i;

	for (i = 0; i < 4; i++) {
		const struct fw_sample_rr *an, *ar;
		struct real r;

		load_real(&r);
		an = first_in(&r, FW_SEC_ANSWER, 1);
		ar = first_in(&r, FW_SEC_ADDITIONAL, 1);
		switch (i) {
		case 0:
			ptr_at(r.dns + an->owner_off, an->rdata_off);
			break;
		case 1:
			ptr_at(r.dns + ar->owner_off, ar->owner_off);
			break;
		case 2:
			r.dns[ar->owner_off] = 0x41;
			break;
		default:
			put16(r.dns + an->rdata_off - 2, 600);
		}
		assert_int_equal(run_changed(&r, what[i]), 0);
		expect_counter(what[i], FW_CNT_MAL_RECORDS, 1);
		expect_counter(what[i], FW_CNT_DNS_RESPONSES, 1);
		free_capture(&r.c);
	}
}

/*
 * Names the walk does not follow (record data, or an owner that is one
 * backward pointer) reach the daemon. The decoder must refuse to follow
 * them, leave out only the record they are in, and learn the rest; a NUL
 * inside a question label is escaped, so "w\0w" cannot read as "w".
 */
static void test_hostile_names_in_samples(void **state)
{
	static const char *const what[] = { "NS target pointing at itself",
					    "two names pointing at each other",
					    "NUL inside a question label" };
	size_t i;

	for (i = 0; i < 3; i++) {
		const struct fw_sample_rr *ns, *ar;
		struct fw_obs o, good;
		struct real r;

		load_real(&r);
		assert_int_equal(fw_sample_decode(&r.good, 1, &good), FW_DECODE_OK);
		ns = first_in(&r, FW_SEC_AUTHORITY, 2);
		ar = first_in(&r, FW_SEC_ADDITIONAL, 1);
		switch (i) {
		case 0:
			ptr_at(r.dns + ns->rdata_off, ns->rdata_off);
			break;
		case 1: /* glue owner -> NS target -> glue owner */
			ptr_at(r.dns + ar->owner_off, ns->rdata_off);
			ptr_at(r.dns + ns->rdata_off, ar->owner_off);
			break;
		default: /* "www" becomes "w\0w": would read as "w" */
			r.dns[12 + 2] = 0;
		}
		if (run_changed(&r, what[i]) != 1)
			fail_msg("%s: want the one sample the walk lets through", what[i]);
		expect_counter(what[i], FW_CNT_MAL_RECORDS, 0);
		if (fw_sample_decode(&SAMPLES[0], 1, &o) != FW_DECODE_OK)
			fail_msg("%s: the sample does not decode", what[i]);
		assert_int_equal(o.n_addrs, good.n_addrs);
		assert_int_equal(o.n_ns, good.n_ns - (i < 2));
		/* the lost NS's glue is no glue; the other servers' is kept */
		assert_true(i == 2 ? o.n_glue == good.n_glue : o.n_glue > 0 && o.n_glue < good.n_glue);
		assert_string_equal(o.qname, i < 2 ? "www.tcpdump.org" : "w\\000w.tcpdump.org");
		free_capture(&r.c);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_dns_udp),
		T(test_dns_tcp),
		T(test_edns_opts),
		T(test_dnssec),
		T(test_query_from_port_53),
		T(test_malformed_captures),
		T(test_malformed_as_responses),
		T(test_hostile_owners),
		T(test_hostile_names_in_samples),
	};

	return cmocka_run_group_tests_name("samples", tests, NULL, NULL) ? 1 : 0;
}
