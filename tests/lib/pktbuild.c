// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Crafted test frames and a checksum verifier; see pktbuild.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <string.h>

#include "pktbuild.h"

#define ETH_HLEN      14
#define ETH_P_IP      0x0800
#define ETH_P_IPV6    0x86dd
#define ETH_P_8021Q   0x8100
#define ETH_P_8021AD  0x88a8
#define IP4_HLEN      20
#define IP6_HLEN      40
#define UDP_HLEN      8
#define TCP_HLEN      20
#define IP6_FRAG_HLEN 8

static const char *const def_src4 = "192.0.2.53";
static const char *const def_dst4 = "198.51.100.7";
static const char *const def_src6 = "2001:db8::53";
static const char *const def_dst6 = "2001:db8:1::7";

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- checksums ---- */

uint32_t pb_csum_add(uint32_t sum, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += get16(b + i);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	/* Fold per call: one call adds at most 32 K words, which fits in 32 bits. */
	return (sum & 0xffff) + (sum >> 16);
}

uint16_t pb_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Sum of the pseudo header; addresses point into the IP header. */
static uint32_t pseudo_sum(int ipv6, const uint8_t *saddr, const uint8_t *daddr, uint8_t proto,
			   uint32_t l4_len)
{
	size_t alen = ipv6 ? 16 : 4;
	uint32_t sum = 0;

	sum = pb_csum_add(sum, saddr, alen);
	sum = pb_csum_add(sum, daddr, alen);
	sum += proto;
	sum += l4_len >> 16;
	sum += l4_len & 0xffff;
	return sum;
}

/* ---- DNS messages ---- */

void pb_dns_put(struct pb_dns *m, const void *p, size_t n)
{
	if (m->len + n > sizeof(m->buf)) {
		m->overflow = 1;
		return;
	}
	memcpy(m->buf + m->len, p, n);
	m->len += n;
}

void pb_dns_u8(struct pb_dns *m, uint8_t v)
{
	pb_dns_put(m, &v, 1);
}

void pb_dns_u16(struct pb_dns *m, uint16_t v)
{
	uint8_t b[2];

	put16(b, v);
	pb_dns_put(m, b, 2);
}

void pb_dns_u32(struct pb_dns *m, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	pb_dns_put(m, b, 4);
}

void pb_dns_set_counts(struct pb_dns *m, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	put16(m->buf + 4, qd);
	put16(m->buf + 6, an);
	put16(m->buf + 8, ns);
	put16(m->buf + 10, ar);
}

void pb_dns_init(struct pb_dns *m, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an,
		 uint16_t ns, uint16_t ar)
{
	memset(m, 0, sizeof(*m));
	put16(m->buf, id);
	put16(m->buf + 2, flags);
	m->len = 12;
	pb_dns_set_counts(m, qd, an, ns, ar);
}

size_t pb_dns_name(struct pb_dns *m, const char *text)
{
	size_t start = m->len;
	const char *p = text;

	while (*p && strcmp(p, ".") != 0) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		pb_dns_u8(m, (uint8_t)n);
		pb_dns_put(m, p, n);
		p += n;
		if (*p == '.')
			p++;
	}
	pb_dns_u8(m, 0);
	return start;
}

void pb_dns_ptr(struct pb_dns *m, uint16_t off)
{
	pb_dns_u16(m, 0xc000 | (off & 0x3fff));
}

void pb_dns_question(struct pb_dns *m, const char *name, uint16_t qtype, uint16_t qclass)
{
	pb_dns_name(m, name);
	pb_dns_u16(m, qtype);
	pb_dns_u16(m, qclass);
}

static void rr_head(struct pb_dns *m, uint16_t name_off, uint16_t type, uint32_t ttl,
		    uint16_t rdlen)
{
	pb_dns_ptr(m, name_off);
	pb_dns_u16(m, type);
	pb_dns_u16(m, PB_CLASS_IN);
	pb_dns_u32(m, ttl);
	pb_dns_u16(m, rdlen);
}

void pb_dns_rr_a(struct pb_dns *m, uint16_t name_off, uint32_t ttl, const char *addr)
{
	uint8_t a[4] = {};

	inet_pton(AF_INET, addr, a);
	rr_head(m, name_off, PB_TYPE_A, ttl, sizeof(a));
	pb_dns_put(m, a, sizeof(a));
}

void pb_dns_rr_aaaa(struct pb_dns *m, uint16_t name_off, uint32_t ttl, const char *addr)
{
	uint8_t a[16] = {};

	inet_pton(AF_INET6, addr, a);
	rr_head(m, name_off, PB_TYPE_AAAA, ttl, sizeof(a));
	pb_dns_put(m, a, sizeof(a));
}

size_t pb_dns_rr_ns(struct pb_dns *m, uint16_t owner_off, uint32_t ttl, const char *name)
{
	size_t len_at, start;

	rr_head(m, owner_off, PB_TYPE_NS, ttl, 0);
	len_at = m->len - 2;
	start = pb_dns_name(m, name);
	if (!m->overflow) {
		m->buf[len_at] = (uint8_t)((m->len - start) >> 8);
		m->buf[len_at + 1] = (uint8_t)(m->len - start);
	}
	return start;
}

void pb_dns_opt(struct pb_dns *m, uint16_t udp_size)
{
	pb_dns_u8(m, 0);	    /* root owner */
	pb_dns_u16(m, PB_TYPE_OPT);
	pb_dns_u16(m, udp_size); /* class: requestor's UDP payload size */
	pb_dns_u32(m, 0);	    /* extended RCODE, version, DO and Z */
	pb_dns_u16(m, 0);	    /* no options */
}

void pb_dns_response(struct pb_dns *m, uint16_t id, const char *qname, int n_a)
{
	char addr[32];
	int i;

	pb_dns_init(m, id, PB_DNS_QR | PB_DNS_AA | PB_DNS_RD | PB_DNS_RA, 1, n_a, 0, 2);
	pb_dns_question(m, qname, PB_TYPE_A, PB_CLASS_IN);
	for (i = 0; i < n_a; i++) {
		snprintf(addr, sizeof(addr), "203.0.113.%d", 10 + i);
		pb_dns_rr_a(m, PB_QUESTION_OFF, 300, addr);
	}
	pb_dns_rr_aaaa(m, PB_QUESTION_OFF, 300, "2001:db8:f1::1");
	pb_dns_opt(m, 1232);
}

/* Offset just past the question, or 0 when it does not parse plainly. */
static size_t question_end(const struct pb_dns *m)
{
	size_t off = PB_QUESTION_OFF;

	while (off < m->len) {
		uint8_t l = m->buf[off];

		if (l == 0)
			return off + 1 + 4 <= m->len ? off + 1 + 4 : 0;
		if (l & 0xc0)
			return 0;
		off += 1 + l;
	}
	return 0;
}

int pb_dns_expect_nxdomain(const struct pb_dns *in, struct pb_dns *out)
{
	size_t end = question_end(in);
	uint16_t flags;

	if (in->len < 12 || !end)
		return -1;
	flags = get16(in->buf + 2);
	flags &= PB_DNS_QR | PB_DNS_OPCODE(0xf) | PB_DNS_AA | PB_DNS_RD | PB_DNS_RA | PB_DNS_CD;
	flags |= PB_DNS_RCODE(PB_DNS_NXDOMAIN);
	pb_dns_init(out, get16(in->buf), flags, 1, 0, 0, 0);
	pb_dns_put(out, in->buf + PB_QUESTION_OFF, end - PB_QUESTION_OFF);
	return 0;
}

/* ---- frames ---- */

struct builder {
	uint8_t *out;
	size_t cap;
	size_t len;
	int overflow;
};

static uint8_t *reserve(struct builder *b, size_t n)
{
	uint8_t *p;

	if (b->len + n > b->cap) {
		b->overflow = 1;
		return NULL;
	}
	p = b->out + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

static int build_eth(struct builder *b, const struct pb_spec *s)
{
	static const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint8_t *p = reserve(b, 12);
	int i;

	if (!p)
		return -1;
	memcpy(p, mac_dst, 6);
	memcpy(p + 6, mac_src, 6);
	for (i = 0; i < s->nvlan && i < 2; i++) {
		uint16_t tpid = s->vlan_tpid[i];

		if (!tpid)
			tpid = (s->nvlan == 2 && i == 0) ? ETH_P_8021AD : ETH_P_8021Q;
		p = reserve(b, 4);
		if (!p)
			return -1;
		put16(p, tpid);
		put16(p + 2, s->vlan_tci[i] ? s->vlan_tci[i] : (uint16_t)(100 + i));
	}
	p = reserve(b, 2);
	if (!p)
		return -1;
	put16(p, s->ipv6 ? ETH_P_IPV6 : ETH_P_IP);
	return 0;
}

/* Bytes of L4 header plus payload, as the IP header will count them. */
static size_t l4_bytes(const struct pb_spec *s)
{
	size_t prefix = (s->tcp && s->tcp_prefix == PB_TCP_PREFIX) ? 2 : 0;

	return (s->tcp ? TCP_HLEN : UDP_HLEN) + prefix + s->payload_len;
}

static size_t ext_bytes(const struct pb_spec *s)
{
	size_t n = s->ip6_frag ? IP6_FRAG_HLEN : 0;
	int i;

	for (i = 0; i < s->next && i < 8; i++)
		n += 8 * ((size_t)s->ext_len[i] + 1);
	return n;
}

static int build_ipv4(struct builder *b, const struct pb_spec *s, size_t *hdr)
{
	size_t hlen = IP4_HLEN + (s->ip4_optlen & ~3u);
	uint8_t *p = reserve(b, hlen);

	if (!p)
		return -1;
	*hdr = p - b->out;
	p[0] = 0x40 | (uint8_t)(hlen / 4);
	put16(p + 2, (uint16_t)(hlen + l4_bytes(s)));
	put16(p + 4, 0x1234);
	put16(p + 6, s->ip4_frag);
	p[8] = 64;
	p[9] = s->tcp ? IPPROTO_TCP : IPPROTO_UDP;
	inet_pton(AF_INET, s->src ? s->src : def_src4, p + 12);
	inet_pton(AF_INET, s->dst ? s->dst : def_dst4, p + 16);
	/* Options: NOPs, a valid if useless option list of any length. */
	memset(p + IP4_HLEN, 1, hlen - IP4_HLEN);
	put16(p + 10, (uint16_t)~pb_csum_fold(pb_csum_add(0, p, hlen)));
	return 0;
}

/* One extension header of type t; options are a single PadN, so valid. */
static int build_ext(struct builder *b, uint8_t t, uint8_t next, uint8_t elen)
{
	size_t n = 8 * ((size_t)elen + 1);
	uint8_t *p = reserve(b, n);

	if (!p)
		return -1;
	p[0] = next;
	p[1] = elen;
	if (t == IPPROTO_HOPOPTS || t == IPPROTO_DSTOPTS) {
		p[2] = 1; /* PadN */
		p[3] = (uint8_t)(n - 4);
	}
	/* A routing header stays all zero: type 0, segments left 0. */
	return 0;
}

static int build_ipv6(struct builder *b, const struct pb_spec *s, size_t *hdr)
{
	uint8_t l4 = s->tcp ? IPPROTO_TCP : IPPROTO_UDP;
	uint8_t *p = reserve(b, IP6_HLEN);
	int i;

	if (!p)
		return -1;
	*hdr = p - b->out;
	p[0] = 0x60;
	put16(p + 4, (uint16_t)(ext_bytes(s) + l4_bytes(s)));
	p[6] = s->next > 0 ? s->ext[0] : s->ip6_frag ? IPPROTO_FRAGMENT : l4;
	p[7] = 64;
	inet_pton(AF_INET6, s->src ? s->src : def_src6, p + 8);
	inet_pton(AF_INET6, s->dst ? s->dst : def_dst6, p + 24);
	for (i = 0; i < s->next && i < 8; i++) {
		uint8_t next = i + 1 < s->next ? s->ext[i + 1] : s->ip6_frag ? IPPROTO_FRAGMENT : l4;

		if (build_ext(b, s->ext[i], next, s->ext_len[i]))
			return -1;
	}
	if (s->ip6_frag) {
		p = reserve(b, IP6_FRAG_HLEN);
		if (!p)
			return -1;
		p[0] = l4;
		put16(p + 2, s->ip6_frag_off);
		put32(p + 4, 0xf1f2f3f4);
	}
	return 0;
}

static void put_payload(uint8_t *p, const struct pb_spec *s)
{
	if (s->payload_len)
		memcpy(p, s->payload, s->payload_len);
}

/* The L4 checksum field value for the segment at seg, len bytes. */
static uint16_t l4_csum(const uint8_t *f, size_t ip_hdr, int ipv6, uint8_t proto,
			const uint8_t *seg, size_t len)
{
	const uint8_t *saddr = f + ip_hdr + (ipv6 ? 8 : 12);
	const uint8_t *daddr = f + ip_hdr + (ipv6 ? 24 : 16);
	uint32_t sum = pseudo_sum(ipv6, saddr, daddr, proto, (uint32_t)len);
	uint16_t c = (uint16_t)~pb_csum_fold(pb_csum_add(sum, seg, len));

	/* 0 means "no checksum" in UDP, so a computed 0 is sent as 0xffff. */
	return (proto == IPPROTO_UDP && c == 0) ? 0xffff : c;
}

static uint16_t apply_csum_mode(uint16_t good, enum pb_csum mode)
{
	if (mode == PB_CSUM_ZERO)
		return 0;
	if (mode == PB_CSUM_BAD)
		return good == 0xfffe ? 0x1234 : (uint16_t)(good + 1);
	return good;
}

static int build_udp(struct builder *b, const struct pb_spec *s, size_t ip_hdr)
{
	size_t len = UDP_HLEN + s->payload_len;
	uint8_t *p = reserve(b, len);

	if (!p)
		return -1;
	put16(p, s->sport ? s->sport : 53);
	put16(p + 2, s->dport ? s->dport : 40000);
	put16(p + 4, (uint16_t)(len + s->udp_len_adj));
	put_payload(p + UDP_HLEN, s);
	put16(p + 6, apply_csum_mode(l4_csum(b->out, ip_hdr, s->ipv6, IPPROTO_UDP, p, len),
				     s->csum));
	return 0;
}

static int build_tcp(struct builder *b, const struct pb_spec *s, size_t ip_hdr)
{
	size_t prefix = s->tcp_prefix == PB_TCP_PREFIX ? 2 : 0;
	size_t len = TCP_HLEN + prefix + s->payload_len;
	uint8_t *p = reserve(b, len);

	if (!p)
		return -1;
	put16(p, s->sport ? s->sport : 53);
	put16(p + 2, s->dport ? s->dport : 40000);
	put32(p + 4, 0x10000001);
	put32(p + 8, 0x20000001);
	p[12] = (TCP_HLEN / 4) << 4;
	p[13] = 0x18; /* PSH ACK */
	put16(p + 14, 0xffff);
	if (prefix)
		put16(p + TCP_HLEN, (uint16_t)(s->payload_len + s->tcp_prefix_adj));
	put_payload(p + TCP_HLEN + prefix, s);
	put16(p + 16, apply_csum_mode(l4_csum(b->out, ip_hdr, s->ipv6, IPPROTO_TCP, p, len),
				      s->csum));
	return 0;
}

size_t pb_build(const struct pb_spec *s, uint8_t *out, size_t cap)
{
	struct builder b = { .out = out, .cap = cap };
	size_t ip_hdr = 0;

	if (build_eth(&b, s))
		return 0;
	if (s->ipv6 ? build_ipv6(&b, s, &ip_hdr) : build_ipv4(&b, s, &ip_hdr))
		return 0;
	if (s->tcp ? build_tcp(&b, s, ip_hdr) : build_udp(&b, s, ip_hdr))
		return 0;
	if (s->trailer && !reserve(&b, s->trailer))
		return 0;
	return b.overflow ? 0 : b.len;
}

size_t pb_build_dns(const struct pb_spec *s, const struct pb_dns *m, uint8_t *out, size_t cap)
{
	struct pb_spec spec = {};

	if (s)
		spec = *s;
	spec.payload = m->buf;
	spec.payload_len = m->len;
	return m->overflow ? 0 : pb_build(&spec, out, cap);
}

/* ---- parsing and verification ---- */

static int fail(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (why && n) {
		va_start(ap, fmt);
		vsnprintf(why, n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int parse_l2(const uint8_t *f, size_t len, size_t *off, uint16_t *proto, char *why,
		    size_t n)
{
	int tags = 0;

	if (len < ETH_HLEN)
		return fail(why, n, "frame of %zu bytes is shorter than Ethernet", len);
	*proto = get16(f + 12);
	*off = ETH_HLEN;
	while ((*proto == ETH_P_8021Q || *proto == ETH_P_8021AD) && tags++ < 2) {
		if (*off + 4 > len)
			return fail(why, n, "VLAN tag truncated");
		*proto = get16(f + *off + 2);
		*off += 4;
	}
	return 0;
}

static int parse_ipv4(const uint8_t *f, size_t len, struct pb_info *in, char *why, size_t n)
{
	const uint8_t *ip = f + in->l3_off;
	size_t hlen, tot;

	if (in->l3_off + IP4_HLEN > len)
		return fail(why, n, "IPv4 header truncated");
	hlen = (size_t)(ip[0] & 0xf) * 4;
	tot = get16(ip + 2);
	if ((ip[0] >> 4) != 4 || hlen < IP4_HLEN || tot < hlen || in->l3_off + tot > len)
		return fail(why, n, "IPv4 header inconsistent: ihl %zu total length %zu frame %zu",
			    hlen, tot, len);
	in->l3_end = in->l3_off + tot;
	in->proto = ip[9];
	in->fragment = (get16(ip + 6) & 0x3fff) != 0;
	in->l4_off = in->l3_off + hlen;
	return 0;
}

static int parse_ipv6(const uint8_t *f, size_t len, struct pb_info *in, char *why, size_t n)
{
	const uint8_t *ip = f + in->l3_off;
	size_t off = in->l3_off + IP6_HLEN;
	uint8_t next;

	if (off > len)
		return fail(why, n, "IPv6 header truncated");
	if ((ip[0] >> 4) != 6)
		return fail(why, n, "IPv6 header with version %u", ip[0] >> 4);
	in->ipv6 = 1;
	in->l3_end = off + get16(ip + 4);
	if (in->l3_end > len)
		return fail(why, n, "IPv6 payload length %u beyond the frame", get16(ip + 4));
	next = ip[6];
	while (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS ||
	       next == IPPROTO_FRAGMENT) {
		if (off + 8 > in->l3_end)
			return fail(why, n, "IPv6 extension header truncated");
		if (next == IPPROTO_FRAGMENT) {
			in->fragment = 1;
			next = f[off];
			off += 8;
			continue;
		}
		next = f[off];
		off += 8 * ((size_t)f[off + 1] + 1);
	}
	in->proto = next;
	in->l4_off = off;
	return 0;
}

static int parse_l4(const uint8_t *f, struct pb_info *in, char *why, size_t n)
{
	size_t hlen;

	if (in->proto == IPPROTO_UDP)
		hlen = UDP_HLEN;
	else if (in->proto == IPPROTO_TCP)
		hlen = TCP_HLEN;
	else
		return 0;
	if (in->l4_off + hlen > in->l3_end)
		return fail(why, n, "L4 header truncated");
	in->sport = get16(f + in->l4_off);
	in->dport = get16(f + in->l4_off + 2);
	if (in->proto == IPPROTO_TCP)
		hlen = (size_t)(f[in->l4_off + 12] >> 4) * 4;
	if (hlen < (in->proto == IPPROTO_TCP ? TCP_HLEN : UDP_HLEN) ||
	    in->l4_off + hlen > in->l3_end)
		return fail(why, n, "L4 header length %zu inconsistent", hlen);
	in->payload_off = in->l4_off + hlen;
	in->payload_len = in->l3_end - in->payload_off;
	return 0;
}

int pb_parse(const uint8_t *f, size_t len, struct pb_info *in, char *why, size_t n)
{
	uint16_t proto = 0;

	memset(in, 0, sizeof(*in));
	if (parse_l2(f, len, &in->l3_off, &proto, why, n))
		return -1;
	if (proto == ETH_P_IP) {
		if (parse_ipv4(f, len, in, why, n))
			return -1;
	} else if (proto == ETH_P_IPV6) {
		if (parse_ipv6(f, len, in, why, n))
			return -1;
	} else {
		return fail(why, n, "ethertype 0x%04x is not IP", proto);
	}
	if (in->fragment) {
		in->l4_off = 0;
		return 0;
	}
	return parse_l4(f, in, why, n);
}

static int verify_l4(const uint8_t *f, const struct pb_info *in, char *why, size_t n)
{
	const uint8_t *seg = f + in->l4_off;
	size_t seg_len = in->l3_end - in->l4_off;
	const uint8_t *saddr = f + in->l3_off + (in->ipv6 ? 8 : 12);
	const uint8_t *daddr = f + in->l3_off + (in->ipv6 ? 24 : 16);
	uint32_t sum;

	if (in->proto == IPPROTO_UDP) {
		if (get16(seg + 4) != seg_len)
			return fail(why, n, "UDP length %u, but %zu bytes follow the IP header",
				    get16(seg + 4), seg_len);
		if (get16(seg + 6) == 0) {
			if (in->ipv6)
				return fail(why, n, "UDP checksum 0 is not allowed over IPv6");
			return 0;
		}
	}
	sum = pseudo_sum(in->ipv6, saddr, daddr, (uint8_t)in->proto, (uint32_t)seg_len);
	sum = pb_csum_add(sum, seg, seg_len);
	if (pb_csum_fold(sum) != 0xffff)
		return fail(why, n, "%s checksum 0x%04x is wrong", in->proto == IPPROTO_UDP ?
			    "UDP" : "TCP", get16(seg + (in->proto == IPPROTO_UDP ? 6 : 16)));
	return 0;
}

int pb_verify(const uint8_t *f, size_t len, char *why, size_t n)
{
	struct pb_info in;

	if (pb_parse(f, len, &in, why, n))
		return -1;
	if (in.l3_end != len)
		return fail(why, n, "IP packet ends at %zu but the frame at %zu", in.l3_end, len);
	if (!in.ipv6) {
		size_t hlen = in.l4_off ? in.l4_off - in.l3_off : (size_t)(f[in.l3_off] & 0xf) * 4;

		if (pb_csum_fold(pb_csum_add(0, f + in.l3_off, hlen)) != 0xffff)
			return fail(why, n, "IPv4 header checksum 0x%04x is wrong",
				    get16(f + in.l3_off + 10));
	}
	if (in.fragment || (in.proto != IPPROTO_UDP && in.proto != IPPROTO_TCP))
		return 0;
	return verify_l4(f, &in, why, n);
}

static void fix_ip4_header(uint8_t *f, const struct pb_info *in)
{
	uint8_t *ip = f + in->l3_off;
	size_t hlen = (size_t)(ip[0] & 0xf) * 4;

	put16(ip + 10, 0);
	put16(ip + 10, (uint16_t)~pb_csum_fold(pb_csum_add(0, ip, hlen)));
}

int pb_fix_ip4_csum(uint8_t *f, size_t len)
{
	struct pb_info in;

	if (pb_parse(f, len, &in, NULL, 0))
		return -1;
	if (!in.ipv6)
		fix_ip4_header(f, &in);
	return 0;
}

int pb_fix_checksums(uint8_t *f, size_t len)
{
	struct pb_info in;
	uint8_t *seg;
	size_t at;

	if (pb_fix_ip4_csum(f, len) || pb_parse(f, len, &in, NULL, 0))
		return -1;
	if (in.fragment || (in.proto != IPPROTO_UDP && in.proto != IPPROTO_TCP))
		return 0;
	seg = f + in.l4_off;
	at = in.proto == IPPROTO_UDP ? 6 : 16;
	if (in.proto == IPPROTO_UDP && !in.ipv6 && !get16(seg + at))
		return 0;
	put16(seg + at, 0);
	put16(seg + at,
	      l4_csum(f, in.l3_off, in.ipv6, (uint8_t)in.proto, seg, in.l3_end - in.l4_off));
	return 0;
}

int pb_ip4_csum_ok(const uint8_t *f, size_t len)
{
	struct pb_info in;
	size_t hlen;

	if (pb_parse(f, len, &in, NULL, 0) || in.ipv6)
		return 1;
	hlen = (size_t)(f[in.l3_off] & 0xf) * 4;
	return pb_csum_fold(pb_csum_add(0, f + in.l3_off, hlen)) == 0xffff;
}

/* ---- diagnostics ---- */

void pb_hexdump(FILE *fp, const char *title, const uint8_t *p, size_t n)
{
	size_t i;

	fprintf(fp, "%s (%zu bytes):", title, n);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s%02x", i % 16 ? " " : "\n  ", p[i]);
	fputc('\n', fp);
}

int pb_diff(FILE *fp, const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	size_t i, n = got_len < want_len ? got_len : want_len;

	for (i = 0; i < n && got[i] == want[i]; i++)
		;
	if (i == n && got_len == want_len)
		return 0;
	fprintf(fp, "frames differ at byte %zu (got %zu bytes, want %zu)\n", i, got_len,
		want_len);
	pb_hexdump(fp, "got", got, got_len);
	pb_hexdump(fp, "want", want, want_len);
	return 1;
}
