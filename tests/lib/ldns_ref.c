// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ldns as the reference DNS parser; see ldns_ref.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <ldns/ldns.h>

#include "ldns_ref.h"

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

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Append one byte of a label as fluxwall's canonical text writes it. */
static int put_text_byte(uint8_t c, char *out, size_t *pos, size_t cap)
{
	int n;

	if (c == '.' || c == '\\')
		n = snprintf(out + *pos, cap - *pos, "\\%c", c);
	else if (c < 0x20 || c == 0x7f)
		n = snprintf(out + *pos, cap - *pos, "\\%03u", c);
	else
		n = snprintf(out + *pos, cap - *pos, "%c", c >= 'A' && c <= 'Z' ? c + 32 : c);
	if (n < 0 || (size_t)n >= cap - *pos)
		return -1;
	*pos += (size_t)n;
	return 0;
}

int lr_wire_text(const uint8_t *wire, size_t len, char *out, size_t cap)
{
	size_t off = 0, pos = 0;

	if (!cap)
		return -1;
	out[0] = '\0';
	while (off < len && wire[off]) {
		size_t l = wire[off], i;

		if (off + 1 + l > len || (pos && pos + 2 > cap))
			return -1;
		if (pos)
			out[pos++] = '.';
		for (i = 0; i < l; i++)
			if (put_text_byte(wire[off + 1 + i], out, &pos, cap))
				return -1;
		off += 1 + l;
	}
	out[pos] = '\0';
	return 0;
}

/* Text of an ldns dname rdf; -1 (and "") when it has none. */
static int rdf_text(const ldns_rdf *rdf, char *out, size_t cap)
{
	out[0] = '\0';
	if (!rdf || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME)
		return -1;
	if (lr_wire_text(ldns_rdf_data(rdf), ldns_rdf_size(rdf), out, cap)) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/* 1 when the name at off is, or leads to, a compression pointer before its end. */
static int starts_compressed(const uint8_t *msg, size_t len, size_t off)
{
	while (off < len && msg[off] && (msg[off] & 0xc0) != 0xc0)
		off += 1 + msg[off];
	return off < len && (msg[off] & 0xc0) == 0xc0;
}

int lr_question(const uint8_t *msg, size_t len, struct lr_msg *out)
{
	ldns_rdf *name = NULL;
	size_t pos = 12;

	memset(out, 0, offsetof(struct lr_msg, rec));
	if (len < 12)
		return -1;
	out->id = be16(msg);
	out->qr = msg[2] >> 7;
	out->opcode = (msg[2] >> 3) & 0xf;
	out->rcode = msg[3] & 0xf;
	out->qdcount = be16(msg + 4);
	out->ancount = be16(msg + 6);
	out->nscount = be16(msg + 8);
	out->arcount = be16(msg + 10);
	if (!out->qdcount || ldns_wire2dname(&name, msg, len, &pos) != LDNS_STATUS_OK)
		return -1;
	if (pos + 4 > len || ldns_rdf_size(name) > sizeof(out->qwire)) {
		ldns_rdf_deep_free(name);
		return -1;
	}
	out->qname_compressed = starts_compressed(msg, len, 12);
	out->qwire_len = ldns_rdf_size(name);
	memcpy(out->qwire, ldns_rdf_data(name), out->qwire_len);
	out->qname_text = rdf_text(name, out->qname, sizeof(out->qname)) == 0;
	ldns_rdf_deep_free(name);
	out->qtype = be16(msg + pos);
	out->qclass = be16(msg + pos + 2);
	out->question_end = pos + 4;
	return 0;
}

static const ldns_pkt_section sections[] = {LDNS_SECTION_ANSWER, LDNS_SECTION_AUTHORITY,
					    LDNS_SECTION_ADDITIONAL};

/* Record the record that starts at *pos, read by ldns_wire2rr. */
static int take_rec(const uint8_t *msg, size_t len, size_t *pos, uint8_t section, struct lr_rec *r)
{
	size_t start = *pos, owner_end = *pos;
	ldns_rdf *owner = NULL;
	ldns_rr *rr = NULL;

	if (ldns_wire2dname(&owner, msg, len, &owner_end) != LDNS_STATUS_OK)
		return -1;
	ldns_rdf_deep_free(owner);
	if (ldns_wire2rr(&rr, msg, len, pos, sections[section]) != LDNS_STATUS_OK)
		return -1;
	memset(r, 0, sizeof(*r));
	r->type = (uint16_t)ldns_rr_get_type(rr);
	r->rclass = (uint16_t)ldns_rr_get_class(rr);
	r->ttl = ldns_rr_ttl(rr);
	r->section = section;
	r->end = *pos;
	r->rdlen = be16(msg + owner_end + 8);
	r->start = start;
	r->rdata_off = owner_end + 10;
	r->owner_text = rdf_text(ldns_rr_owner(rr), r->owner, sizeof(r->owner)) == 0;
	if ((r->type == LDNS_RR_TYPE_NS || r->type == LDNS_RR_TYPE_CNAME) && ldns_rr_rd_count(rr))
		r->target_text = rdf_text(ldns_rr_rdf(rr, 0), r->target, sizeof(r->target)) == 0;
	if (r->type == LDNS_RR_TYPE_A || r->type == LDNS_RR_TYPE_AAAA) {
		size_t n = r->type == LDNS_RR_TYPE_A ? 4 : 16;

		if (owner_end + 10 + n <= len)
			memcpy(r->addr, msg + owner_end + 10, n);
	}
	ldns_rr_free(rr);
	return 0;
}

static int walk_records(const uint8_t *msg, size_t len, struct lr_msg *m, char *why, size_t n)
{
	unsigned counts[3] = {m->ancount, m->nscount, m->arcount}, s, i;
	size_t pos = 12;

	for (i = 0; i < m->qdcount; i++) {
		ldns_rr *q = NULL;

		if (ldns_wire2rr(&q, msg, len, &pos, LDNS_SECTION_QUESTION) != LDNS_STATUS_OK)
			return fail(why, n, "ldns cannot read question %u it accepted", i + 1);
		ldns_rr_free(q);
	}
	for (s = 0; s < 3; s++) {
		for (i = 0; i < counts[s]; i++) {
			if (m->n_rec == LR_MAX_RECS) {
				m->more = 1;
				return 0;
			}
			if (take_rec(msg, len, &pos, (uint8_t)s, &m->rec[m->n_rec]))
				return fail(why, n, "ldns cannot read record %d it accepted",
					    m->n_rec + 1);
			m->n_rec++;
		}
	}
	return 0;
}

int lr_parse(const uint8_t *msg, size_t len, struct lr_msg *out, char *why, size_t whylen)
{
	ldns_pkt *pkt = NULL;
	ldns_status st = ldns_wire2pkt(&pkt, msg, len);

	memset(out, 0, offsetof(struct lr_msg, rec));
	if (st != LDNS_STATUS_OK)
		return fail(why, whylen, "ldns: %s", ldns_get_errorstr_by_id(st));
	ldns_pkt_free(pkt);
	if (lr_question(msg, len, out) && out->qdcount)
		return fail(why, whylen, "ldns cannot read the question it accepted");
	if (!out->qdcount)
		out->question_end = 12;
	return walk_records(msg, len, out, why, whylen);
}

int lr_qname_under(const struct lr_msg *m, const char *zone, int exact)
{
	ldns_rdf *q = ldns_dname_new_frm_data((uint16_t)m->qwire_len, m->qwire);
	ldns_rdf *z = ldns_dname_new_frm_str(zone);
	int res = 0;

	if (q && z)
		res = ldns_dname_compare(q, z) == 0 || (!exact && ldns_dname_is_subdomain(q, z));
	ldns_rdf_deep_free(q);
	ldns_rdf_deep_free(z);
	return res;
}
