// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Random and edge-case DNS messages; see dns_gen.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dns_gen.h"

#define T_A	1
#define T_NS	2
#define T_CNAME 5
#define T_SOA	6
#define T_MX	15
#define T_TXT	16
#define T_AAAA	28
#define T_SRV	33
#define T_OPT	41
#define T_CAA	257

static void spot(struct dg_msg *d, size_t off, enum dg_spot_kind kind)
{
	if (d->n_spot < DG_MAX_SPOTS && off < 0x10000) {
		d->spot[d->n_spot].off = (uint16_t)off;
		d->spot[d->n_spot++].kind = (uint8_t)kind;
	}
}

void dg_init(struct dg_msg *d, uint16_t id, uint16_t flags)
{
	memset(d, 0, sizeof(*d));
	pb_dns_init(&d->m, id, flags, 0, 0, 0, 0);
	spot(d, 4, DG_COUNT);
	spot(d, 6, DG_COUNT);
	spot(d, 8, DG_COUNT);
	spot(d, 10, DG_COUNT);
}

void dg_finish(struct dg_msg *d)
{
	pb_dns_set_counts(&d->m, d->count[0], d->count[1], d->count[2], d->count[3]);
}

static int dict_find(const struct dg_msg *d, const char *suffix)
{
	int i;

	for (i = 0; i < d->n_dict; i++)
		if (!strcasecmp(d->dict[i].text, suffix))
			return d->dict[i].off;
	return -1;
}

static void dict_add(struct dg_msg *d, const char *suffix, size_t off)
{
	char *p;

	if (d->n_dict == DG_MAX_DICT || off >= 0x3fff || dict_find(d, suffix) >= 0)
		return;
	snprintf(d->dict[d->n_dict].text, sizeof(d->dict[0].text), "%s", suffix);
	for (p = d->dict[d->n_dict].text; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	d->dict[d->n_dict++].off = (uint16_t)off;
}

void dg_name(struct dg_msg *d, const char *text, int compress)
{
	const char *p = text;

	while (*p && strcmp(p, ".")) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		int at = compress ? dict_find(d, p) : -1;

		if (at >= 0) {
			spot(d, d->m.len, DG_POINTER);
			pb_dns_ptr(&d->m, (uint16_t)at);
			return;
		}
		dict_add(d, p, d->m.len);
		spot(d, d->m.len, DG_LABEL);
		pb_dns_u8(&d->m, (uint8_t)n);
		pb_dns_put(&d->m, p, n);
		p += n;
		if (*p == '.')
			p++;
	}
	pb_dns_u8(&d->m, 0);
}

void dg_question(struct dg_msg *d, const char *qname, uint16_t qtype)
{
	dg_name(d, qname, 0);
	pb_dns_u16(&d->m, qtype);
	pb_dns_u16(&d->m, PB_CLASS_IN);
	d->count[0]++;
}

/* Compress four names in five, when there is an r to decide with. */
static int pick_compress(struct rng *r)
{
	return !r || !rng_chance(r, 1, 5);
}

/* Owner, type, class IN and TTL; returns where the data length goes. */
static size_t rr_head(struct dg_msg *d, struct rng *r, int section, const char *owner,
		      uint16_t type, uint32_t ttl)
{
	size_t rdlen_at;

	dg_name(d, owner, pick_compress(r));
	spot(d, d->m.len, DG_TYPE);
	pb_dns_u16(&d->m, type);
	pb_dns_u16(&d->m, PB_CLASS_IN);
	pb_dns_u32(&d->m, ttl);
	rdlen_at = d->m.len;
	spot(d, rdlen_at, DG_RDLEN);
	pb_dns_u16(&d->m, 0);
	d->count[1 + (section & 3) % 3]++;
	return rdlen_at;
}

static void set_rdlen(struct dg_msg *d, size_t at)
{
	size_t n = d->m.len - at - 2;

	if (at + 2 <= d->m.len) {
		d->m.buf[at] = (uint8_t)(n >> 8);
		d->m.buf[at + 1] = (uint8_t)n;
	}
}

void dg_rr_addr(struct dg_msg *d, struct rng *r, int section, const char *owner, uint16_t type,
		uint32_t ttl, const uint8_t *addr)
{
	size_t at = rr_head(d, r, section, owner, type, ttl);

	pb_dns_put(&d->m, addr, type == T_AAAA ? 16 : 4);
	set_rdlen(d, at);
}

void dg_rr_name(struct dg_msg *d, struct rng *r, int section, const char *owner, uint16_t type,
		uint32_t ttl, const char *target)
{
	size_t at = rr_head(d, r, section, owner, type, ttl);

	if (type == T_MX)
		pb_dns_u16(&d->m, 10);
	dg_name(d, target, pick_compress(r));
	set_rdlen(d, at);
}

void dg_rr_raw(struct dg_msg *d, struct rng *r, int section, const char *owner, uint16_t type,
	       uint32_t ttl, const void *data, uint16_t len)
{
	size_t at = rr_head(d, r, section, owner, type, ttl);

	pb_dns_put(&d->m, data, len);
	set_rdlen(d, at);
}

void dg_opt(struct dg_msg *d, struct rng *r)
{
	static const uint8_t cookie[12] = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
	size_t at;

	pb_dns_u8(&d->m, 0);
	spot(d, d->m.len, DG_TYPE);
	pb_dns_u16(&d->m, T_OPT);
	pb_dns_u16(&d->m, r && rng_chance(r, 1, 2) ? 4096 : 1232);
	pb_dns_u32(&d->m, r && rng_chance(r, 1, 3) ? 0x8000 : 0); /* DO */
	at = d->m.len;
	spot(d, at, DG_RDLEN);
	pb_dns_u16(&d->m, 0);
	if (r && rng_chance(r, 1, 2))
		pb_dns_put(&d->m, cookie, sizeof(cookie));
	if (r && rng_chance(r, 1, 4)) { /* padding, RFC 7830 */
		uint16_t n = (uint16_t)rng_below(r, 64);
		uint8_t zero[64] = {};

		pb_dns_u16(&d->m, 12);
		pb_dns_u16(&d->m, n);
		pb_dns_put(&d->m, zero, n);
	}
	set_rdlen(d, at);
	d->count[3]++;
}

void dg_random_name(struct rng *r, char *out, size_t cap, const char *zone)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	size_t pos = 0;
	int labels = (int)rng_range(r, 1, 3), i;

	for (i = 0; i < labels && pos + 16 < cap; i++) {
		int n = (int)rng_range(r, 1, 12), k;

		for (k = 0; k < n; k++) {
			char c = alpha[rng_below(r, k && k < n - 1 ? 37 : 36)];

			out[pos++] = rng_chance(r, 1, 10) ? (char)toupper(c) : c;
		}
		out[pos++] = '.';
	}
	snprintf(out + pos, cap - pos, "%s", zone);
}

static void random_addr(struct rng *r, uint8_t *a, int v6)
{
	int i;

	for (i = 0; i < (v6 ? 16 : 4); i++)
		a[i] = (uint8_t)rng_next(r);
}

static uint32_t random_ttl(struct rng *r)
{
	static const uint32_t odd[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff};

	if (rng_chance(r, 1, 20))
		return odd[rng_below(r, 5)];
	return rng_range(r, 0, 86400);
}

/* The zone of a name: its last two labels, or the name itself. */
static const char *zone_of(const char *name)
{
	const char *last = strrchr(name, '.'), *p;

	if (!last)
		return name;
	for (p = last - 1; p > name; p--)
		if (*p == '.')
			return p + 1;
	return name;
}

static void random_answers(struct dg_msg *d, struct rng *r, const char *qname, uint16_t qtype)
{
	static const char *const other_zones[] = {"cdn.example.net", "edge.test", "example.org"};
	char owner[256], target[256];
	uint8_t a[16];
	int chain = rng_chance(r, 3, 10) ? (int)rng_range(r, 1, 3) : 0, n, i;

	snprintf(owner, sizeof(owner), "%s", qname);
	for (i = 0; i < chain; i++) {
		dg_random_name(r, target, sizeof(target),
			       rng_chance(r, 1, 2) ? zone_of(qname) : other_zones[rng_below(r, 3)]);
		dg_rr_name(d, r, 0, owner, T_CNAME, random_ttl(r), target);
		snprintf(owner, sizeof(owner), "%s", target);
	}
	n = (int)rng_range(r, 0, rng_chance(r, 1, 8) ? 20 : 6);
	for (i = 0; i < n; i++) {
		if (qtype == T_A || qtype == T_AAAA) {
			random_addr(r, a, qtype == T_AAAA);
			dg_rr_addr(d, r, 0, owner, qtype, random_ttl(r), a);
		} else if (qtype == T_NS || qtype == T_MX) {
			dg_random_name(r, target, sizeof(target), zone_of(qname));
			dg_rr_name(d, r, 0, owner, qtype, random_ttl(r), target);
		} else {
			dg_rr_raw(d, r, 0, owner, T_TXT, random_ttl(r), "\x05hello", 6);
		}
	}
}

static void random_authority(struct dg_msg *d, struct rng *r, const char *qname, char ns[4][256],
			     int *n_ns)
{
	static const uint8_t soa[20] = {0, 0,	 0, 1,	  0,	0,    0x0e, 0x10, 0, 0,
					2, 0x58, 0, 0x09, 0x3a, 0x80, 0,    0,	  1, 0x2c};
	const char *zone = zone_of(qname);
	int i;

	*n_ns = 0;
	if (rng_chance(r, 1, 6)) { /* SOA: names then five numbers */
		size_t at = rr_head(d, r, 1, zone, T_SOA, random_ttl(r));

		dg_name(d, "ns1.example.net", pick_compress(r));
		dg_name(d, "hostmaster.example.net", pick_compress(r));
		pb_dns_put(&d->m, soa, sizeof(soa));
		set_rdlen(d, at);
		return;
	}
	if (!rng_chance(r, 1, 2))
		return;
	*n_ns = (int)rng_range(r, 1, 4);
	for (i = 0; i < *n_ns; i++) {
		dg_random_name(r, ns[i], 256, rng_chance(r, 1, 2) ? zone : "example.net");
		dg_rr_name(d, r, 1, zone, T_NS, random_ttl(r), ns[i]);
	}
}

void dg_random_response(struct dg_msg *d, struct rng *r, const char *qname, uint16_t qtype)
{
	uint16_t flags = PB_DNS_QR | PB_DNS_RD | PB_DNS_RA;
	char ns[4][256];
	uint8_t a[16];
	int n_ns, i;

	if (rng_chance(r, 1, 3))
		flags |= PB_DNS_AA;
	if (rng_chance(r, 1, 10))
		flags |= PB_DNS_RCODE(PB_DNS_NXDOMAIN);
	dg_init(d, (uint16_t)rng_next(r), flags);
	dg_question(d, qname, qtype);
	if (!(flags & 0xf))
		random_answers(d, r, qname, qtype);
	random_authority(d, r, qname, ns, &n_ns);
	for (i = 0; i < n_ns; i++) {
		if (rng_chance(r, 3, 5)) {
			random_addr(r, a, 0);
			dg_rr_addr(d, r, 2, ns[i], T_A, random_ttl(r), a);
		}
		if (rng_chance(r, 3, 10)) {
			random_addr(r, a, 1);
			dg_rr_addr(d, r, 2, ns[i], T_AAAA, random_ttl(r), a);
		}
	}
	if (rng_chance(r, 7, 10))
		dg_opt(d, r);
	dg_finish(d);
}

/* ---- edge cases ---- */

static const uint8_t ip4[4] = {203, 0, 113, 10};
static const uint8_t ip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

typedef void (*edge_fn)(struct dg_msg *d);

static void start(struct dg_msg *d, const char *qname, uint16_t qtype)
{
	dg_init(d, 0x4242, PB_DNS_QR | PB_DNS_RD | PB_DNS_RA);
	dg_question(d, qname, qtype);
}

static void e_one_a(struct dg_msg *d)
{
	start(d, "www.example.com", T_A);
	dg_rr_addr(d, NULL, 0, "www.example.com", T_A, 300, ip4);
}

static void e_nodata_soa(struct dg_msg *d)
{
	static const uint8_t soa[] = "\x03ns1\x00\x00\x00\x00\x00\x01\x00\x00\x0e\x10\x00\x00"
				     "\x02\x58\x00\x09\x3a\x80\x00\x00\x01\x2c";

	start(d, "www.example.com", T_AAAA);
	dg_rr_raw(d, NULL, 1, "example.com", T_SOA, 300, soa, sizeof(soa) - 1);
}

static void many_a(struct dg_msg *d, int n)
{
	uint8_t a[4] = {198, 51, 100, 0};
	int i;

	start(d, "pool.example.com", T_A);
	for (i = 0; i < n; i++) {
		a[3] = (uint8_t)i;
		dg_rr_addr(d, NULL, 0, "pool.example.com", T_A, 60, a);
	}
}

static void e_a17(struct dg_msg *d)
{
	many_a(d, 17);
}

static void e_a32(struct dg_msg *d)
{
	many_a(d, 32);
}

static void e_a33(struct dg_msg *d)
{
	many_a(d, 33);
}

static void e_a40(struct dg_msg *d)
{
	many_a(d, 40);
}

/* A record of a private type (opaque to every parser) holding these bytes. */
#define T_PRIVATE 65280

/* An opaque record sized so that the A record after it ends at byte `end`. */
static void ends_at(struct dg_msg *d, size_t end)
{
	uint8_t pad[600];
	size_t before;

	memset(pad, 'x', sizeof(pad));
	start(d, "edge.example.com", T_A);
	dg_rr_addr(d, NULL, 0, "edge.example.com", T_A, 60, ip4);
	before = d->m.len + 12 + 16; /* its head, then the A record */
	dg_rr_raw(d, NULL, 0, "edge.example.com", T_PRIVATE, 60, pad, (uint16_t)(end - before));
	dg_rr_addr(d, NULL, 0, "edge.example.com", T_A, 61, ip4);
}

static void e_end512(struct dg_msg *d)
{
	ends_at(d, 512);
}

static void e_end513(struct dg_msg *d)
{
	ends_at(d, 513);
}

static void e_long_labels(struct dg_msg *d)
{
	char name[256];

	memset(name, 'a', sizeof(name));
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0'; /* labels of 63, 63, 63, 61: 255 bytes on the wire */
	start(d, name, T_A);
	dg_rr_addr(d, NULL, 0, name, T_A, 60, ip4);
}

static void e_127_labels(struct dg_msg *d)
{
	char name[256];
	int i;

	for (i = 0; i < 127; i++) {
		name[2 * i] = (char)('a' + i % 26);
		name[2 * i + 1] = '.';
	}
	name[253] = '\0';
	start(d, name, T_A);
	dg_rr_addr(d, NULL, 0, name, T_A, 60, ip4);
}

static void e_256_bytes(struct dg_msg *d)
{
	char name[260];

	memset(name, 'b', sizeof(name));
	name[63] = name[127] = name[191] = '.';
	name[254] = '\0'; /* one byte over */
	start(d, name, T_A);
	dg_rr_addr(d, NULL, 0, name, T_A, 60, ip4);
}

static void e_label64(struct dg_msg *d)
{
	char name[80];

	memset(name, 'c', 64);
	snprintf(name + 64, sizeof(name) - 64, ".example");
	start(d, name, T_A);
}

static void e_upper(struct dg_msg *d)
{
	start(d, "WWW.Example.COM", T_A);
	dg_rr_name(d, NULL, 0, "WWW.Example.COM", T_CNAME, 60, "Edge.CDN.example.NET");
	dg_rr_addr(d, NULL, 0, "EDGE.cdn.EXAMPLE.net", T_A, 60, ip4);
}

/* A question whose first label holds `c` and the answer compressed to it. */
static void odd_byte(struct dg_msg *d, uint8_t c)
{
	static uint8_t label[] = "\x05"
				 "ab?cd\x07"
				 "example\x03"
				 "com";

	label[3] = c;
	dg_init(d, 0x4243, PB_DNS_QR | PB_DNS_RD | PB_DNS_RA);
	pb_dns_put(&d->m, label, sizeof(label)); /* with its root byte */
	pb_dns_u16(&d->m, T_A);
	pb_dns_u16(&d->m, PB_CLASS_IN);
	d->count[0] = 1;
	dg_rr_addr(d, NULL, 0, "example.com", T_A, 60, ip4);
	pb_dns_ptr(&d->m, 12);
	pb_dns_u16(&d->m, T_A);
	pb_dns_u16(&d->m, PB_CLASS_IN);
	pb_dns_u32(&d->m, 60);
	pb_dns_u16(&d->m, 4);
	pb_dns_put(&d->m, ip4, 4);
	d->count[1]++;
}

static void e_high_byte(struct dg_msg *d)
{
	odd_byte(d, 0xe9);
}

static void e_dot_byte(struct dg_msg *d)
{
	odd_byte(d, '.');
}

static void e_nul_byte(struct dg_msg *d)
{
	odd_byte(d, 0);
}

static void e_backslash(struct dg_msg *d)
{
	odd_byte(d, '\\');
}

static void e_space(struct dg_msg *d)
{
	odd_byte(d, ' ');
}

/* A CNAME target with a dot in a label; the question itself is plain. */
static void e_dot_in_target(struct dg_msg *d)
{
	start(d, "www.example.com", T_A);
	dg_rr_raw(d, NULL, 0, "www.example.com", T_CNAME, 60,
		  "\x03"
		  "a.b\x07"
		  "example\x00",
		  13);
	pb_dns_ptr(&d->m, (uint16_t)(d->m.len - 13)); /* owner: the target */
	pb_dns_u16(&d->m, T_A);
	pb_dns_u16(&d->m, PB_CLASS_IN);
	pb_dns_u32(&d->m, 60);
	pb_dns_u16(&d->m, 4);
	pb_dns_put(&d->m, ip4, 4);
	d->count[1]++;
}

static void e_root(struct dg_msg *d)
{
	start(d, "", T_NS);
	dg_rr_name(d, NULL, 0, "", T_NS, 518400, "a.root-servers.net");
	dg_rr_addr(d, NULL, 2, "a.root-servers.net", T_A, 518400, ip4);
}

static void e_ttls(struct dg_msg *d)
{
	static const uint32_t ttl[] = {0, 0x7fffffff, 0x80000000, 0xffffffff};
	uint8_t a[4] = {192, 0, 2, 0};
	int i;

	start(d, "ttl.example.com", T_A);
	for (i = 0; i < 4; i++) {
		a[3] = (uint8_t)i;
		dg_rr_addr(d, NULL, 0, "ttl.example.com", T_A, ttl[i], a);
	}
}

/* An answer record with every field as given. */
static void raw_rr(struct dg_msg *d, uint16_t owner, uint16_t type, uint16_t rclass, uint32_t ttl,
		   const void *data, uint16_t rdlen)
{
	pb_dns_ptr(&d->m, owner);
	pb_dns_u16(&d->m, type);
	pb_dns_u16(&d->m, rclass);
	pb_dns_u32(&d->m, ttl);
	pb_dns_u16(&d->m, rdlen);
	pb_dns_put(&d->m, data, rdlen);
	d->count[1]++;
}

static void e_class_ch(struct dg_msg *d)
{
	start(d, "www.example.com", T_A);
	raw_rr(d, 12, T_A, 3, 60, ip4, 4);
	raw_rr(d, 12, T_A, 1, 60, ip4, 4);
}

static void e_a_rdlen5(struct dg_msg *d)
{
	uint8_t five[5] = {192, 0, 2, 5, 5};

	start(d, "www.example.com", T_A);
	raw_rr(d, 12, T_A, 1, 60, ip4, 4);
	raw_rr(d, 12, T_A, 1, 60, five, 5);
}

static void e_aaaa_rdlen4(struct dg_msg *d)
{
	start(d, "www.example.com", T_AAAA);
	raw_rr(d, 12, T_AAAA, 1, 60, ip4, 4);
	raw_rr(d, 12, T_A, 1, 60, ip4, 4);
}

static void e_out_of_chain(struct dg_msg *d)
{
	start(d, "www.example.com", T_A);
	dg_rr_addr(d, NULL, 0, "victim.example.org", T_A, 60, ip4);
	dg_rr_addr(d, NULL, 0, "www.example.com", T_A, 60, ip4);
}

/* An owner that points forward, to a name after it. */
static void e_forward_pointer(struct dg_msg *d)
{
	start(d, "www.example.com", T_A);
	pb_dns_ptr(&d->m, (uint16_t)(d->m.len + 16)); /* past this record */
	pb_dns_u16(&d->m, T_A);
	pb_dns_u16(&d->m, PB_CLASS_IN);
	pb_dns_u32(&d->m, 60);
	pb_dns_u16(&d->m, 4);
	pb_dns_put(&d->m, ip4, 4);
	d->count[1]++;
	dg_rr_raw(d, NULL, 0, "www.example.com", T_TXT, 60,
		  "\x03"
		  "abc",
		  4);
}

/* A CNAME target reached through 17 pointers, each adding one label. */
static void e_17_pointers(struct dg_msg *d)
{
	size_t at, prev;
	int i;

	start(d, "www.example.com", T_A);
	at = rr_head(d, NULL, 0, "www.example.com", T_PRIVATE, 60);
	prev = 16;		   /* "example.com" in the question */
	for (i = 0; i < 17; i++) { /* opaque data holding names for the pointers */
		size_t here = d->m.len;

		pb_dns_u8(&d->m, 1);
		pb_dns_u8(&d->m, (uint8_t)('a' + i));
		pb_dns_ptr(&d->m, (uint16_t)prev);
		prev = here;
	}
	set_rdlen(d, at);
	at = rr_head(d, NULL, 0, "www.example.com", T_CNAME, 60);
	pb_dns_ptr(&d->m, (uint16_t)prev);
	set_rdlen(d, at);
}

static void e_qd0(struct dg_msg *d)
{
	dg_init(d, 0x4246, PB_DNS_QR | PB_DNS_RD | PB_DNS_RA);
	dg_rr_addr(d, NULL, 0, "www.example.com", T_A, 60, ip4);
}

static void e_qd2(struct dg_msg *d)
{
	start(d, "www.example.com", T_A);
	dg_question(d, "www.example.org", T_A);
	dg_rr_addr(d, NULL, 0, "www.example.com", T_A, 60, ip4);
}

static void e_query(struct dg_msg *d)
{
	e_one_a(d);
	d->m.buf[2] &= 0x7f;
}

static void e_notify(struct dg_msg *d)
{
	e_one_a(d);
	d->m.buf[2] |= 4 << 3;
}

static void e_servfail(struct dg_msg *d)
{
	e_one_a(d);
	d->m.buf[3] = (d->m.buf[3] & 0xf0) | 2;
}

/* A question name written as a label and a pointer back into the header. */
static void e_compressed_question(struct dg_msg *d)
{
	dg_init(d, 0x4244, PB_DNS_QR | PB_DNS_RD | PB_DNS_RA);
	pb_dns_put(&d->m, "\x03www", 4);
	pb_dns_ptr(&d->m, 4); /* QDCOUNT's high byte: 0, the root */
	pb_dns_u16(&d->m, T_A);
	pb_dns_u16(&d->m, PB_CLASS_IN);
	d->count[0] = 1;
	raw_rr(d, 12, T_A, 1, 60, ip4, 4);
}

static void e_long_chain(struct dg_msg *d)
{
	char owner[64] = "www.example.com", target[64];
	int i;

	start(d, owner, T_A);
	for (i = 0; i < 10; i++) {
		snprintf(target, sizeof(target), "c%d.cdn.example.net", i);
		dg_rr_name(d, NULL, 0, owner, T_CNAME, 60, target);
		snprintf(owner, sizeof(owner), "%s", target);
	}
	dg_rr_addr(d, NULL, 0, owner, T_A, 60, ip4);
}

static void e_ns_glue(struct dg_msg *d)
{
	char ns[64];
	uint8_t a[4] = {192, 0, 2, 0};
	int i;

	dg_init(d, 0x4245, PB_DNS_QR);
	dg_question(d, "www.example.com", T_A);
	for (i = 0; i < 10; i++) {
		snprintf(ns, sizeof(ns), "ns%d.example.net", i);
		dg_rr_name(d, NULL, 1, "example.com", T_NS, 172800, ns);
	}
	for (i = 0; i < 10; i++) {
		snprintf(ns, sizeof(ns), "ns%d.example.net", i);
		a[3] = (uint8_t)i;
		dg_rr_addr(d, NULL, 2, ns, T_A, 172800, a);
		dg_rr_addr(d, NULL, 2, ns, T_AAAA, 172800, ip6);
	}
	dg_rr_addr(d, NULL, 2, "other.example.net", T_A, 60, ip4); /* not glue */
	dg_opt(d, NULL);
}

static void e_ns_answer(struct dg_msg *d)
{
	start(d, "example.com", T_NS);
	dg_rr_name(d, NULL, 0, "example.com", T_NS, 3600, "a.iana-servers.net");
	dg_rr_name(d, NULL, 0, "example.com", T_NS, 3600, "b.iana-servers.net");
	dg_rr_addr(d, NULL, 2, "a.iana-servers.net", T_A, 3600, ip4);
	dg_rr_addr(d, NULL, 2, "b.iana-servers.net", T_AAAA, 3600, ip6);
}

static void e_mixed_types(struct dg_msg *d)
{
	start(d, "www.example.com", T_A);
	dg_rr_name(d, NULL, 0, "www.example.com", T_MX, 60, "mail.example.com");
	dg_rr_addr(d, NULL, 0, "www.example.com", T_A, 60, ip4);
	dg_rr_raw(d, NULL, 0, "www.example.com", T_TXT, 60, "\x02hi", 3);
	dg_rr_raw(d, NULL, 0, "www.example.com", T_SRV, 60,
		  "\x00\x01\x00\x02\x00\x35\x03ns1\x07"
		  "example\x03"
		  "com\x00",
		  23);
	dg_rr_raw(d, NULL, 0, "www.example.com", T_CAA, 60, "\x00\x05issueca.example", 16);
	dg_rr_addr(d, NULL, 0, "www.example.com", T_AAAA, 60, ip6);
}

static void e_opt_middle(struct dg_msg *d)
{
	start(d, "example.com", T_NS);
	dg_rr_name(d, NULL, 1, "example.com", T_NS, 3600, "ns1.example.com");
	dg_opt(d, NULL);
	dg_rr_addr(d, NULL, 2, "ns1.example.com", T_A, 3600, ip4);
}

/* A CNAME, the last record, whose data length stops one byte short of its name. */
static void e_short_rdata(struct dg_msg *d)
{
	start(d, "www.example.com", T_A);
	raw_rr(d, 12, T_A, 1, 60, ip4, 4);
	raw_rr(d, 12, T_CNAME, 1, 60, "\x01x\xc0", 3);
	pb_dns_u8(&d->m, 0x0c); /* the pointer's last byte, outside the data */
}

/* A CNAME target that points into the middle of a TXT record's label. */
static void e_mid_label_pointer(struct dg_msg *d)
{
	uint8_t ptr[2];
	size_t txt;

	start(d, "www.example.com", T_A);
	txt = d->m.len + 12; /* the TXT data, after a 2-byte owner and 10 bytes */
	dg_rr_raw(d, NULL, 0, "www.example.com", T_TXT, 60,
		  "\x07"
		  "a\x02"
		  "bc\x01"
		  "d\x00",
		  8);
	ptr[0] = (uint8_t)(0xc0 | (txt + 2) >> 8); /* at "\x02bc\x01d\x00" */
	ptr[1] = (uint8_t)(txt + 2);
	raw_rr(d, 12, T_CNAME, 1, 60, ptr, 2);
}

static void e_ns_rdlen0(struct dg_msg *d)
{
	start(d, "example.com", T_NS);
	raw_rr(d, 12, T_NS, 1, 60, "", 0);
	raw_rr(d, 12, T_A, 1, 60, ip4, 4);
}

static void e_aaaa_for_a(struct dg_msg *d)
{
	start(d, "www.example.com", T_A);
	dg_rr_addr(d, NULL, 0, "www.example.com", T_AAAA, 60, ip6);
}

static void e_big(struct dg_msg *d)
{
	uint8_t txt[256];
	int i;

	memset(txt, 'y', sizeof(txt));
	txt[0] = 255;
	start(d, "big.example.com", T_A);
	dg_rr_addr(d, NULL, 0, "big.example.com", T_A, 60, ip4);
	for (i = 0; i < 12; i++)
		dg_rr_raw(d, NULL, 0, "big.example.com", T_TXT, 60, txt, sizeof(txt));
	dg_rr_addr(d, NULL, 0, "big.example.com", T_A, 61, ip4);
}

static void e_glue_of_question(struct dg_msg *d)
{
	start(d, "www.example.com", T_A);
	dg_rr_addr(d, NULL, 2, "www.example.com", T_A, 60, ip4);
}

static const struct {
	edge_fn fn;
	const char *what;
} edges[] = {
    {e_one_a, "one A record"},
    {e_nodata_soa, "no answer, an SOA in authority"},
    {e_a17, "17 A records: one more than a sample keeps"},
    {e_a32, "32 A records"},
    {e_a33, "33 A records: one past a sample's records"},
    {e_a40, "40 A records: past 32 records and 512 bytes"},
    {e_end512, "a record that ends at byte 512"},
    {e_end513, "a record that ends at byte 513"},
    {e_long_labels, "a question of 255 bytes, 63-byte labels"},
    {e_127_labels, "a question of 127 one-byte labels"},
    {e_256_bytes, "a question of 256 bytes"},
    {e_label64, "a label of 64 bytes"},
    {e_upper, "upper case in names"},
    {e_high_byte, "a byte above 0x7f in a label"},
    {e_dot_byte, "a dot inside a label"},
    {e_nul_byte, "a NUL byte inside a label"},
    {e_backslash, "a backslash in a label"},
    {e_space, "a space in a label"},
    {e_dot_in_target, "a dot inside a label of a CNAME target"},
    {e_root, "the root as question"},
    {e_ttls, "TTLs 0, 2^31-1, 2^31 and 2^32-1"},
    {e_class_ch, "an A record of class CH"},
    {e_a_rdlen5, "an A record with 5 bytes of data"},
    {e_aaaa_rdlen4, "an AAAA record with 4 bytes of data"},
    {e_out_of_chain, "an answer owned by an unrelated name"},
    {e_forward_pointer, "an owner that points forward"},
    {e_17_pointers, "a name behind 17 pointers"},
    {e_qd0, "no question"},
    {e_qd2, "two questions"},
    {e_query, "a query with an answer"},
    {e_notify, "a NOTIFY response"},
    {e_servfail, "SERVFAIL with an answer"},
    {e_compressed_question, "a compressed question"},
    {e_long_chain, "a CNAME chain of 10"},
    {e_ns_glue, "10 NS with glue, and an address that is not glue"},
    {e_ns_answer, "NS in the answer, glue in additional"},
    {e_mixed_types, "MX, TXT, SRV and CAA between the addresses"},
    {e_opt_middle, "OPT between additional records"},
    {e_short_rdata, "a CNAME whose name runs past its data length"},
    {e_mid_label_pointer, "a pointer into the middle of a label"},
    {e_ns_rdlen0, "an NS record without data"},
    {e_aaaa_for_a, "an AAAA answer to an A question"},
    {e_big, "3 KB: an address past byte 512"},
    {e_glue_of_question, "an address of the question in additional"},
};

int dg_edge_case(unsigned i, struct pb_dns *m, const char **what)
{
	static struct dg_msg d;

	if (i >= sizeof(edges) / sizeof(edges[0]))
		return -1;
	edges[i].fn(&d);
	dg_finish(&d);
	*m = d.m;
	*what = edges[i].what;
	return 0;
}
