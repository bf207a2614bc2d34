// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Samples carry the message as it was on the wire. Here the XDP program's
 * own record walk finds the records again, names are decompressed and the
 * records sorted into what the scorer wants: answer addresses, the CNAME
 * chain, NS names and their glue.
 */
#include <ctype.h>
#include <string.h>
#include <sys/socket.h>

#include "dataplane/sample_decode.h"
#include "../../bpf/answer_walk.h" /* the walk itself, not a second copy of it */

#define T_A	1
#define T_NS	2
#define T_CNAME 5
#define T_AAAA	28

/*
 * Append one byte of a label. A dot or backslash inside a label is escaped
 * ("\." and "\\"), a control byte written as "\DDD": every name then has
 * exactly one text, and "google.com\0.attacker.example" cannot read as
 * "google.com".
 */
int fw_name_text_byte(uint8_t c, char *out, size_t *pos, size_t outlen)
{
	size_t p = *pos;

	if (c == '.' || c == '\\') {
		if (p + 3 > outlen)
			return -1;
		out[p++] = '\\';
		out[p++] = (char)c;
	} else if (c < 0x20 || c == 0x7f) {
		if (p + 5 > outlen)
			return -1;
		out[p++] = '\\';
		out[p++] = (char)('0' + c / 100);
		out[p++] = (char)('0' + c / 10 % 10);
		out[p++] = (char)('0' + c % 10);
	} else {
		if (p + 2 > outlen)
			return -1;
		out[p++] = (char)tolower(c);
	}
	*pos = p;
	return 0;
}

/*
 * The name at off as text; *in_place is set to the offset just past the
 * bytes the name occupies at off (up to its first pointer or root byte).
 */
static int decode_name(const uint8_t *msg, size_t len, size_t off, char *out, size_t outlen,
		       size_t *in_place)
{
	size_t pos = 0, pointers = 0, wire = 1; /* the root byte */
	int i;

	if (!outlen)
		return -1;
	*in_place = 0;
	for (i = 0; i < 256; i++) {
		uint8_t l;

		if (off >= len)
			return -1;
		l = msg[off];
		if (l == 0) {
			out[pos] = '\0';
			if (!pointers)
				*in_place = off + 1;
			return 0;
		}
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (off + 1 >= len || ++pointers > FW_DECODE_MAX_POINTERS)
				return -1;
			if (pointers == 1)
				*in_place = off + 2;
			target = ((size_t)(l & 0x3f) << 8) | msg[off + 1];
			/*
			 * Before the pointer itself: the XDP walk's rule
			 * (bpf/answer_walk.h). A loop this allows ends at the
			 * pointer limit or the length limit.
			 */
			if (target >= off)
				return -1;
			off = target;
			continue;
		}
		wire += 1 + l;
		if (l & 0xc0 || off + 1 + l > len || wire > FW_MAX_NAME)
			return -1;
		if (pos) {
			if (pos + 2 > outlen)
				return -1;
			out[pos++] = '.';
		}
		for (size_t k = 0; k < l; k++)
			if (fw_name_text_byte(msg[off + 1 + k], out, &pos, outlen))
				return -1;
		off += 1 + l;
	}
	return -1;
}

int fw_msg_name(const uint8_t *msg, size_t len, size_t off, char *out, size_t outlen)
{
	size_t in_place;

	return decode_name(msg, len, off, out, outlen, &in_place);
}

static void copy_ip(struct fw_ip *ip, const uint8_t *p, int v6)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = v6 ? AF_INET6 : AF_INET;
	memcpy(ip->addr, p, v6 ? 16 : 4);
}

#define C_IN 1

/* RFC 2181, section 8: a TTL with the top bit set is read as 0. */
static uint32_t rr_ttl(const struct fw_sample_rr *rr)
{
	return rr->ttl & 0x80000000u ? 0 : rr->ttl;
}

/* Class IN: the class sits 8 bytes before the record's data. */
static int rr_in(const struct fw_sample *s, const struct fw_sample_rr *rr)
{
	const uint8_t *c = s->msg + rr->rdata_off - 8;

	return c[0] == 0 && c[1] == C_IN;
}

static int rr_addr(const struct fw_sample *s, const struct fw_sample_rr *rr)
{
	return rr_in(s, rr) &&
	       ((rr->type == T_A && rr->rdlen == 4) || (rr->type == T_AAAA && rr->rdlen == 16));
}

/*
 * The name that is a record's data, into out. -1 when it does not decode or
 * does not start and end inside the data: such a record is left out, the
 * rest of the response is still learnt from.
 */
static int rdata_name(const struct fw_sample *s, const struct fw_sample_rr *rr, char *out)
{
	size_t in_place;

	if (decode_name(s->msg, s->msg_len, rr->rdata_off, out, FW_OBS_NAME_MAX, &in_place))
		return -1;
	return in_place <= (size_t)rr->rdata_off + rr->rdlen ? 0 : -1;
}

/* Answer records: addresses of the name or its CNAME chain, and the chain. */
static void take_answer(const struct fw_sample *s, const struct fw_sample_rr *rr,
			struct fw_obs *obs)
{
	const uint8_t *rd = s->msg + rr->rdata_off;

	if (!rr_in(s, rr))
		return;
	if (rr_addr(s, rr)) {
		if (obs->n_addrs < FW_OBS_MAX_ADDRS) {
			copy_ip(&obs->addrs[obs->n_addrs].ip, rd, rr->type == T_AAAA);
			obs->addrs[obs->n_addrs++].ttl = rr_ttl(rr);
		}
		return;
	}
	if (rr->type == T_CNAME && obs->n_cnames < FW_OBS_MAX_CNAMES) {
		if (!rdata_name(s, rr, obs->cnames[obs->n_cnames]))
			obs->n_cnames++;
		return;
	}
	if (rr->type == T_NS && obs->n_ns < FW_OBS_MAX_NS &&
	    !rdata_name(s, rr, obs->ns[obs->n_ns].name))
		obs->ns[obs->n_ns++].ttl = rr_ttl(rr);
}

/* Index of name among the NS names, -1 when it is none of them. */
static int ns_index(const struct fw_obs *obs, const char *name)
{
	int i;

	for (i = 0; i < obs->n_ns; i++)
		if (!strcmp(obs->ns[i].name, name))
			return i;
	return -1;
}

/* Additional records: the addresses of the NS names, i.e. glue. */
static void take_glue(const struct fw_sample *s, const struct fw_sample_rr *rr, struct fw_obs *obs)
{
	char owner[FW_OBS_NAME_MAX];
	int ns;

	if (!rr_addr(s, rr) || fw_msg_name(s->msg, s->msg_len, rr->owner_off, owner, sizeof(owner)))
		return;
	ns = ns_index(obs, owner);
	if (ns < 0 || obs->n_glue >= FW_OBS_MAX_GLUE)
		return;
	copy_ip(&obs->glue[obs->n_glue], s->msg + rr->rdata_off, rr->type == T_AAAA);
	obs->glue_ns[obs->n_glue] = (uint8_t)ns;
	obs->glue_ttl[obs->n_glue++] = rr_ttl(rr);
}

int fw_sample_records(const struct fw_sample *s, struct fw_sample_rr rr[FW_SAMPLE_MAX_RR])
{
	struct fw_scratch w;
	int i;

	if (s->msg_len > FW_SAMPLE_MSG || s->n_rr > FW_SAMPLE_MAX_RR || s->msg_len < 12 ||
	    s->name_len > s->msg_len || s->dns_len < s->msg_len)
		return -1;
	/* only the message and what follows it are read; the walk sets the rest */
	memcpy(w.msg, s->msg, s->msg_len);
	memset(w.msg + s->msg_len, 0, sizeof(w.msg) - s->msg_len);
	w.keep_rr = 1;
	if (fw_walk_records(&w, s->name_len, s->msg_len, s->dns_len, 0) || w.n_rr != s->n_rr)
		return -1;
	for (i = 0; i < w.n_rr; i++)
		if (w.rr[i].owner_off >= s->msg_len || w.rr[i].rdata_off < 12 + 10 ||
		    (size_t)w.rr[i].rdata_off + w.rr[i].rdlen > s->msg_len)
			return -1;
	memcpy(rr, w.rr, sizeof(w.rr[0]) * w.n_rr);
	return w.n_rr;
}

enum fw_decode_res fw_sample_decode(const struct fw_sample *s, uint64_t ts_ns, struct fw_obs *obs)
{
	struct fw_sample_rr rr[FW_SAMPLE_MAX_RR];
	char qname[FW_OBS_NAME_MAX];
	int i, n, v6 = s->family == 6;

	n = fw_sample_records(s, rr);
	if (n < 0)
		return FW_DECODE_BAD_SAMPLE;
	if (fw_msg_name(s->msg, s->msg_len, 12, qname, sizeof(qname)))
		return FW_DECODE_BAD_NAME;
	fw_obs_init(obs, qname, ts_ns);
	obs->qtype = s->qtype;
	obs->rcode = s->rcode;
	obs->ifindex = s->ifindex;
	copy_ip(&obs->resolver, s->resolver, v6);
	copy_ip(&obs->client, s->client, v6);
	/* Authority NS records come before additional glue in the message. */
	for (i = 0; i < n; i++) {
		if (rr[i].section == FW_SEC_ADDITIONAL ||
		    (rr[i].section == FW_SEC_AUTHORITY && rr[i].type != T_NS))
			continue;
		take_answer(s, &rr[i], obs);
	}
	for (i = 0; i < n; i++)
		if (rr[i].section == FW_SEC_ADDITIONAL)
			take_glue(s, &rr[i], obs);
	return FW_DECODE_OK;
}
