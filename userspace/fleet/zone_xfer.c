// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Zone transfers of policy zones; the SOAs delimit AXFR and IXFR sequences. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fleet/rpz_publish.h"
#include "fleet/zone_xfer.h"
#include "formats/dns_name.h"
#include "formats/rpz_policy.h"

#define XFR_TIMEOUT_MS 10000

/* The owner relative to the zone ("" for the apex); -1 when outside it. */
static int relative(const ldns_rr *rr, const char *zone, char *out, size_t len)
{
	char o[FW_NAME_TEXT_MAX + 2];
	size_t no, nz = strlen(zone);

	if (fw_dns_name_text(ldns_rr_owner(rr), o, sizeof(o)))
		return -1;
	no = strlen(o);
	if (!strcmp(o, zone)) {
		out[0] = '\0';
		return 0;
	}
	if (no > nz + 1 && o[no - nz - 1] == '.' && !strcmp(o + no - nz, zone) &&
	    no - nz - 1 < len) {
		snprintf(out, len, "%.*s", (int)(no - nz - 1), o);
		return 0;
	}
	return -1;
}

static int host_name(const char *text, char *out, size_t len)
{
	struct fw_name n;
	char why[128];

	if (fw_name_parse(text, &n, why, sizeof(why)) ||
	    fw_name_check_host(n.text, why, sizeof(why)))
		return -1;
	snprintf(out, len, "%s", n.text);
	return 0;
}

static int meta_fact(const ldns_rr *rr, const char *rel, size_t meta_at, struct fw_rpz_fact *f)
{
	char buf[FW_RPZ_TXT_STRINGS + 3][256], *p[FW_RPZ_TXT_STRINGS + 3], why[128], name[256];
	size_t n;

	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT || meta_at >= sizeof(name))
		return 1;
	snprintf(name, sizeof(name), "%.*s", (int)meta_at, rel);
	n = fw_txt_strings(rr, buf, p, FW_RPZ_TXT_STRINGS + 3);
	if (host_name(name, f->name, sizeof(f->name)) ||
	    fw_rpz_meta_parse(p, n, &f->meta, why, sizeof(why)))
		return 1;
	f->kind = FW_RPZ_META;
	return 0;
}

static int trigger_fact(const ldns_rr *rr, const char *rel, struct fw_rpz_fact *f)
{
	const char *kind, *name = rel;
	enum fw_action action;
	char why[300], *target;
	bool allow;
	int bad;

	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME || fw_rpz_other_trigger(rel, &kind))
		return 1;
	f->match = FW_MATCH_EXACT;
	if (!strncmp(rel, "*.", 2)) {
		name = rel + 2;
		f->match = FW_MATCH_SUBTREE;
	}
	if (host_name(name, f->name, sizeof(f->name)))
		return 1;
	if (f->del) /* deletions in an IXFR name the record; its target is not needed */
		return 0;
	target = ldns_rr_rd_count(rr) ? ldns_rdf2str(ldns_rr_rdf(rr, 0)) : NULL;
	if (!target)
		return 1;
	bad = fw_rpz_policy(target, &allow, &action, why, sizeof(why));
	free(target);
	if (bad)
		return 1;
	f->allow = allow;
	f->action = (uint8_t)action;
	return 0;
}

int fw_rpz_fact_from_rr(const ldns_rr *rr, const char *zone, int del, struct fw_rpz_fact *f)
{
	static const char meta[] = "." FW_RPZ_META_LABEL;
	char rel[300];
	size_t n;

	memset(f, 0, sizeof(*f));
	f->del = (uint8_t)del;
	if (relative(rr, zone, rel, sizeof(rel)) || !rel[0])
		return 1;
	n = strlen(rel);
	if (n > sizeof(meta) - 1 && !strcmp(rel + n - (sizeof(meta) - 1), meta))
		return meta_fact(rr, rel, n - (sizeof(meta) - 1), f);
	if (!strcmp(rel, FW_RPZ_META_LABEL))
		return 1;
	f->kind = FW_RPZ_TRIGGER;
	return trigger_fact(rr, rel, f);
}

void fw_xfr_result_free(struct fw_xfr_result *r)
{
	free(r->f);
	memset(r, 0, sizeof(*r));
}

static int push_fact(struct fw_xfr_result *r, const struct fw_rpz_fact *f)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct fw_rpz_fact *nf = realloc(r->f, cap * sizeof(*nf));

		if (!nf)
			return -1;
		r->f = nf;
		r->cap = cap;
	}
	r->f[r->n++] = *f;
	return 0;
}

struct walk {
	int soas;     /* SOAs seen so far */
	int ixfr;     /* 1: incremental; 0: whole zone; -1: not known yet */
	int deleting; /* in an IXFR: between an old SOA and its new one */
	int done;
	uint32_t serial; /* the primary's */
	uint32_t ours;
	int asked_ixfr;
	size_t max;
};

/* An SOA's 32-bit field i (2: serial, 3: refresh); 0 with ok cleared when absent. */
static uint32_t soa_field(const ldns_rr *soa, size_t i, int *ok)
{
	const ldns_rdf *f = ldns_rr_rd_count(soa) == 7 ? ldns_rr_rdf(soa, i) : NULL;

	if (!f || ldns_rdf_size(f) != 4) {
		*ok = 0;
		return 0;
	}
	return ldns_rdf2native_int32(f);
}

static int on_soa(struct walk *w, struct fw_xfr_result *r, const ldns_rr *rr, const char *zone,
		  char *err, size_t errlen)
{
	int ok = 1;
	uint32_t s = soa_field(rr, 2, &ok), refresh = soa_field(rr, 3, &ok);

	if (!ok) {
		snprintf(err, errlen, "the transfer of %s holds an SOA record without its fields",
			 zone);
		return -1;
	}
	w->soas++;
	if (w->soas == 1) {
		w->serial = r->serial = s;
		r->refresh = refresh;
		return 0;
	}
	if (w->ixfr < 0)
		w->ixfr = 1; /* SOA, SOA: differences follow */
	if (!w->ixfr) {
		w->done = 1; /* the closing SOA of a whole zone */
		return 0;
	}
	/* In an IXFR the SOAs alternate: old (deletions follow), new (additions). */
	if (w->soas % 2 == 0) {
		if (s == w->serial && !w->deleting && w->soas > 2) {
			w->done = 1;
			return 0;
		}
		w->deleting = 1;
	} else {
		w->deleting = 0;
	}
	return 0;
}

static int on_rr(struct walk *w, struct fw_xfr_result *r, const ldns_rr *rr, const char *zone,
		 char *err, size_t errlen)
{
	struct fw_rpz_fact f;
	int k;

	if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA)
		return on_soa(w, r, rr, zone, err, errlen);
	if (w->soas == 0) {
		snprintf(err, errlen, "the transfer of %s does not start with its SOA", zone);
		return -1;
	}
	if (w->ixfr < 0)
		w->ixfr = 0;
	if (++r->records > w->max) {
		snprintf(err, errlen,
			 "%s has more than %zu records (subscribe_max_records); refused whole, "
			 "the last version stays in force",
			 zone, w->max);
		return -1;
	}
	r->deleted += w->ixfr == 1 && w->deleting;
	k = fw_rpz_fact_from_rr(rr, zone, w->ixfr == 1 && w->deleting, &f);
	if (k == 1) {
		r->skipped++;
		return 0;
	}
	return k ? k : push_fact(r, &f);
}

static ldns_pkt *xfr_query(const char *zone, int have_serial, uint32_t serial)
{
	char text[600];
	ldns_rdf *z = ldns_dname_new_frm_str(zone);
	ldns_rr *soa = NULL;
	ldns_pkt *q;

	if (!z)
		return NULL;
	if (!have_serial) {
		q = ldns_pkt_query_new(z, LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, 0);
	} else {
		snprintf(text, sizeof(text), "%s. 0 IN SOA . . %u 0 0 0 0", zone, serial);
		if (ldns_rr_new_frm_str(&soa, text, 0, NULL, NULL) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(z);
			return NULL;
		}
		q = ldns_pkt_ixfr_request_new(z, LDNS_RR_CLASS_IN, 0, soa);
	}
	if (q)
		ldns_pkt_set_random_id(q);
	return q;
}

static int read_answers(struct fw_dns_conn *c, const char *zone, struct walk *w,
			struct fw_xfr_result *r, char *err, size_t errlen)
{
	while (!w->done) {
		ldns_pkt *a;
		ldns_rr_list *an;
		size_t i;
		char t[64];

		if (fw_dns_recv(c, &a)) {
			snprintf(err, errlen, "transfer of %s broke off: %s", zone, c->err);
			return -1;
		}
		r->bytes += ldns_pkt_size(a);
		if (ldns_pkt_get_rcode(a) != LDNS_RCODE_NOERROR) {
			fw_dns_rcode_text(a, t, sizeof(t));
			snprintf(err, errlen, "the primary refused the transfer of %s: %s", zone,
				 t);
			ldns_pkt_free(a);
			return -1;
		}
		an = ldns_pkt_answer(a);
		for (i = 0; i < ldns_rr_list_rr_count(an) && !w->done; i++) {
			if (on_rr(w, r, ldns_rr_list_rr(an, i), zone, err, errlen)) {
				ldns_pkt_free(a);
				return -1;
			}
		}
		/* One SOA alone, in its own message: nothing newer than our serial. */
		if (w->asked_ixfr && w->soas == 1 && w->ixfr < 0 && ldns_rr_list_rr_count(an) == 1)
			w->done = w->serial == w->ours ? 2 : 3; /* 3: another history */
		ldns_pkt_free(a);
	}
	return 0;
}

int fw_zone_xfer(struct fw_dns_conn *c, const char *zone, int have_serial, uint32_t serial,
		 size_t max_records, struct fw_xfr_result *r, char *err, size_t errlen)
{
	struct walk w = {.ixfr = -1, .max = max_records, .ours = serial, .asked_ixfr = have_serial};
	ldns_pkt *q = xfr_query(zone, have_serial, serial);
	int bad;

	memset(r, 0, sizeof(*r));
	r->kind = have_serial ? FW_XFR_IXFR : FW_XFR_AXFR;
	if (!q) {
		snprintf(err, errlen, "cannot build the transfer request for %s", zone);
		return -1;
	}
	bad = fw_dns_send(c, q);
	ldns_pkt_free(q);
	if (bad) {
		snprintf(err, errlen, "%s", c->err);
		return -1;
	}
	if (read_answers(c, zone, &w, r, err, errlen)) {
		fw_xfr_result_free(r);
		return -1;
	}
	if (w.done == 3) {
		fw_xfr_result_free(r);
		return 1;
	}
	if (w.done == 2)
		r->kind = FW_XFR_UP_TO_DATE;
	else if (w.ixfr == 0)
		r->kind = FW_XFR_AXFR;
	else
		r->kind = FW_XFR_IXFR;
	return 0;
}
