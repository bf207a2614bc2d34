// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* RFC 2136 updates to the fleet zone, with compare-and-swap prerequisites. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/rpz_publish.h"
#include "formats/rpz_policy.h"
#include "formats/state_file.h"

int fw_publish_meta_owner(const char *name, const char *zone, char *out, size_t len)
{
	int n = snprintf(out, len, "%s." FW_RPZ_META_LABEL ".%s.", name, zone);

	return n < 0 || (size_t)n >= len || n > 254 ? -1 : 0;
}

size_t fw_txt_strings(const ldns_rr *rr, char buf[][256], char **ptr, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < ldns_rr_rd_count(rr) && n < max; i++) {
		const ldns_rdf *d = ldns_rr_rdf(rr, i);
		const uint8_t *b = ldns_rdf_data(d);
		size_t l = ldns_rdf_size(d);

		if (ldns_rdf_get_type(d) != LDNS_RDF_TYPE_STR || l < 1 || b[0] + 1u > l)
			continue;
		memcpy(buf[n], b + 1, b[0]);
		buf[n][b[0]] = '\0';
		ptr[n] = buf[n];
		n++;
	}
	return n;
}

/* The node named in a TXT record of ours, or "" when it is not one. */
static void txt_node(const ldns_rr *rr, char *node, size_t len)
{
	char buf[FW_RPZ_TXT_STRINGS + 3][256], *p[FW_RPZ_TXT_STRINGS + 3], why[128];
	struct fw_rpz_meta m;
	size_t n = fw_txt_strings(rr, buf, p, FW_RPZ_TXT_STRINGS + 3);

	node[0] = '\0';
	if (!fw_rpz_meta_parse(p, n, &m, why, sizeof(why)))
		snprintf(node, len, "%s", m.node);
}

static ldns_rr *rr_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static ldns_rr *rr_text(const char *fmt, ...)
{
	char text[1400];
	ldns_rr *rr = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) != LDNS_STATUS_OK)
		return NULL;
	return rr;
}

/* An RRset deletion (class ANY) or an "RRset does not exist" (class NONE). */
static ldns_rr *rr_empty(const char *owner, ldns_rr_type type, ldns_rr_class cls)
{
	ldns_rr *rr = ldns_rr_new();
	ldns_rdf *o = ldns_dname_new_frm_str(owner);

	if (!rr || !o) {
		ldns_rr_free(rr);
		ldns_rdf_deep_free(o);
		return NULL;
	}
	ldns_rr_set_owner(rr, o);
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, cls);
	ldns_rr_set_ttl(rr, 0);
	return rr;
}

static int push(ldns_rr_list *l, ldns_rr *rr)
{
	if (!rr)
		return -1;
	if (!ldns_rr_list_push_rr(l, rr)) {
		ldns_rr_free(rr);
		return -1;
	}
	return 0;
}

/* The TXT set an answer holds at owner; -1 with err when the primary failed. */
static int set_of(ldns_pkt *a, const char *owner, ldns_rr_list **set, char *err, size_t errlen)
{
	ldns_pkt_rcode rc = ldns_pkt_get_rcode(a);

	*set = NULL;
	if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN) {
		char t[64];

		fw_dns_rcode_text(a, t, sizeof(t));
		snprintf(err, errlen, "reading %s from the primary: %s", owner, t);
		return -1;
	}
	*set = ldns_pkt_rr_list_by_type(a, LDNS_RR_TYPE_TXT, LDNS_SECTION_ANSWER);
	if (!*set)
		*set = ldns_rr_list_new();
	return *set ? 0 : -1;
}

/*
 * Each op's TXT set at the primary, as read just now, all in one round trip;
 * sets[i] stays NULL for an op whose owner is too long. -1 with err.
 */
static int read_sets(struct fw_dns_conn *c, const struct fw_publish_target *t,
		     const struct fw_pub_op *ops, size_t n, ldns_rr_list **sets, char *err,
		     size_t errlen)
{
	ldns_pkt **qs = calloc(n + 1, sizeof(*qs)), **as = calloc(n + 1, sizeof(*as));
	size_t *at = calloc(n + 1, sizeof(*at)), k = 0, i;
	char owner[600];
	int ret = -1;

	if (!qs || !as || !at) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		ldns_rdf *o;

		if (fw_publish_meta_owner(ops[i].name, t->zone, owner, sizeof(owner)))
			continue; /* too long to carry a TXT beside it: the caller drops it */
		o = ldns_dname_new_frm_str(owner);
		qs[k] = o ? ldns_pkt_query_new(o, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, 0) : NULL;
		if (!qs[k]) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		at[k++] = i;
	}
	if (k && fw_dns_exchange_many(c, qs, k, as)) {
		snprintf(err, errlen, "%s", c->err);
		goto out;
	}
	for (i = 0; i < k; i++) {
		fw_publish_meta_owner(ops[at[i]].name, t->zone, owner, sizeof(owner));
		if (set_of(as[i], owner, &sets[at[i]], err, errlen))
			goto out;
	}
	ret = 0;
out:
	for (i = 0; qs && i < n; i++) {
		ldns_pkt_free(qs[i]);
		ldns_pkt_free(as ? as[i] : NULL);
	}
	free(qs);
	free(as);
	free(at);
	return ret;
}

/* "NAME.ZONE." or, wild, "*.NAME.ZONE." */
static const char *owner_of(const char *name, const char *zone, int wild, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s.%s.", wild ? "*." : "", name, zone);
	return buf;
}

/* Prerequisite: the set is still what was read; update: this node's part. */
static int add_op(const struct fw_publish_target *t, const struct fw_pub_op *op, const char *owner,
		  ldns_rr_list *set, ldns_rr_list *pre, ldns_rr_list *up)
{
	size_t i, others = 0, mine = 0;
	char node[FW_RPZ_NODE_MAX], wild[600];

	if (ldns_rr_list_rr_count(set) == 0 &&
	    push(pre, rr_empty(owner, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_NONE)))
		return -1;
	for (i = 0; i < ldns_rr_list_rr_count(set); i++) {
		ldns_rr *rr = ldns_rr_list_rr(set, i), *p = ldns_rr_clone(rr), *d;

		if (p)
			ldns_rr_set_ttl(p, 0);
		if (push(pre, p))
			return -1;
		txt_node(rr, node, sizeof(node));
		if (strcmp(node, t->node)) {
			others++;
			continue;
		}
		mine++;
		d = ldns_rr_clone(rr);
		if (d) {
			ldns_rr_set_class(d, LDNS_RR_CLASS_NONE);
			ldns_rr_set_ttl(d, 0);
		}
		if (push(up, d))
			return -1;
	}
	if (!op->del) {
		char s[FW_RPZ_TXT_STRINGS][256];

		fw_rpz_meta_txt(&op->meta, s);
		if (push(up, rr_text("%s %d IN TXT \"%s\" \"%s\" \"%s\" \"%s\" \"%s\"", owner,
				     FW_PUBLISH_TTL, s[0], s[1], s[2], s[3], s[4])) ||
		    push(up, rr_text("%s.%s. %d IN CNAME .", op->name, t->zone, FW_PUBLISH_TTL)))
			return -1;
		if (op->meta.match == FW_MATCH_SUBTREE &&
		    push(up, rr_text("*.%s.%s. %d IN CNAME .", op->name, t->zone, FW_PUBLISH_TTL)))
			return -1;
		return 0;
	}
	if (others || !mine)
		return 0; /* another node still blocks it, or this one never did */
	return push(up, rr_empty(owner_of(op->name, t->zone, 0, wild, sizeof(wild)),
				 LDNS_RR_TYPE_CNAME, LDNS_RR_CLASS_ANY)) ||
	       push(up, rr_empty(owner_of(op->name, t->zone, 1, wild, sizeof(wild)),
				 LDNS_RR_TYPE_CNAME, LDNS_RR_CLASS_ANY));
}

/* Room for the TSIG record within a DNS message's 65535 bytes. */
#define FW_UPDATE_MAX 65000

static size_t wire_size(ldns_pkt *q)
{
	uint8_t *wire = NULL;
	size_t n = SIZE_MAX;

	if (ldns_pkt2wire(&wire, q, &n) != LDNS_STATUS_OK)
		n = SIZE_MAX;
	free(wire);
	return n;
}

static enum fw_publish_result send_update(struct fw_dns_conn *c, const char *zone,
					  ldns_rr_list *pre, ldns_rr_list *up, char *err,
					  size_t errlen)
{
	ldns_rdf *z = ldns_dname_new_frm_str(zone);
	ldns_pkt *q, *a = NULL;
	enum fw_publish_result r = FW_PUBLISH_ERROR;
	char t[64];

	q = z ? ldns_update_pkt_new(z, LDNS_RR_CLASS_IN, pre, up, NULL) : NULL;
	if (!q) {
		snprintf(err, errlen, "out of memory building an update");
		return FW_PUBLISH_ERROR;
	}
	ldns_pkt_set_random_id(q);
	ldns_update_set_prcount(q, (uint16_t)ldns_rr_list_rr_count(pre));
	ldns_update_set_upcount(q, (uint16_t)ldns_rr_list_rr_count(up));
	if (wire_size(q) > FW_UPDATE_MAX) {
		r = FW_PUBLISH_TOO_BIG;
		goto out;
	}
	if (fw_dns_exchange(c, q, &a)) {
		snprintf(err, errlen, "%s", c->err);
		goto out;
	}
	switch (ldns_pkt_get_rcode(a)) {
	case LDNS_RCODE_NOERROR:
		r = FW_PUBLISH_OK;
		break;
	case LDNS_RCODE_YXRRSET:
	case LDNS_RCODE_NXRRSET:
		r = FW_PUBLISH_CONFLICT;
		break;
	default:
		fw_dns_rcode_text(a, t, sizeof(t));
		snprintf(err, errlen, "the primary refused the update of %s: %s%s", zone, t,
			 ldns_pkt_get_rcode(a) == LDNS_RCODE_NOTAUTH ||
				 ldns_pkt_get_rcode(a) == LDNS_RCODE_REFUSED
			     ? " (check publish_key and the zone's update ACL)"
			     : "");
	}
out:
	ldns_pkt_free(a);
	/* the packet owns pre and up */
	ldns_pkt_free(q);
	return r;
}

enum fw_publish_result fw_publish_batch(struct fw_dns_conn *c, const struct fw_publish_target *t,
					const struct fw_pub_op *ops, size_t n, char *err,
					size_t errlen)
{
	ldns_rr_list *pre = ldns_rr_list_new(), *up = ldns_rr_list_new();
	ldns_rr_list **sets = calloc(n + 1, sizeof(*sets));
	enum fw_publish_result r = FW_PUBLISH_ERROR;
	char owner[600];
	size_t i;

	if (!pre || !up || !sets) {
		snprintf(err, errlen, "out of memory building an update");
		goto out;
	}
	if (read_sets(c, t, ops, n, sets, err, errlen))
		goto out;
	for (i = 0; i < n; i++) {
		if (!sets[i])
			continue;
		fw_publish_meta_owner(ops[i].name, t->zone, owner, sizeof(owner));
		if (add_op(t, &ops[i], owner, sets[i], pre, up)) {
			snprintf(err, errlen, "out of memory building an update");
			goto out;
		}
	}
	if (!ldns_rr_list_rr_count(up)) {
		r = FW_PUBLISH_OK; /* withdrawals of names this node never published */
		goto out;
	}
	r = send_update(c, t->zone, pre, up, err, errlen);
	pre = up = NULL; /* the update owned them */
out:
	for (i = 0; sets && i < n; i++)
		ldns_rr_list_deep_free(sets[i]);
	free(sets);
	ldns_rr_list_deep_free(pre);
	ldns_rr_list_deep_free(up);
	return r;
}
