// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A subscribed name's view and its entries. */
#include <stdio.h>
#include <string.h>

#include "fleet/rpz_name.h"

void fw_rpz_name_from(struct fw_rpz_name *n, const char *name, const char *zone,
		      const struct fw_state *cur)
{
	size_t i;

	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	for (i = 0; i < cur->n; i++) {
		const struct fw_entry *e = &cur->e[i];
		struct fw_rpz_trigger *t;

		if (strcmp(e->name, name) || strcmp(e->source, zone) || e->match > 1)
			continue;
		t = &n->trig[e->match];
		t->on = true;
		t->allow = e->list == FW_LIST_ALLOW;
		t->action = e->action;
		if (!n->nmeta && e->reason)
			n->nmeta = fw_rpz_metas_decode(e->reason, n->meta, FW_RPZ_META_MAX);
	}
}

static void imply(struct fw_rpz_name *n, int match)
{
	if (!n->trig[match].on)
		n->trig[match] = (struct fw_rpz_trigger){.on = true, .action = FW_ACT_NXDOMAIN};
}

void fw_rpz_name_apply(struct fw_rpz_name *n, const struct fw_rpz_fact *f)
{
	if (f->kind == FW_RPZ_META) {
		if (f->del) {
			fw_rpz_metas_del(n->meta, &n->nmeta, f->meta.node);
			return;
		}
		/* when full, the 17th node's word is dropped */
		fw_rpz_metas_put(n->meta, &n->nmeta, &f->meta);
		/*
		 * A publisher adds its CNAMEs with its TXT, but an add of a CNAME
		 * the zone still holds is no change, so no IXFR carries it: after
		 * a local expiry took the entries out, the TXT alone says so.
		 */
		imply(n, FW_MATCH_EXACT);
		if (f->meta.match == FW_MATCH_SUBTREE)
			imply(n, FW_MATCH_SUBTREE);
		return;
	}
	n->trig[f->match] =
	    (struct fw_rpz_trigger){.on = !f->del, .allow = f->allow, .action = f->action};
}

int64_t fw_rpz_name_expires(const struct fw_rpz_name *n)
{
	int64_t max = 0;
	size_t i;

	for (i = 0; i < n->nmeta; i++) {
		if (!n->meta[i].expires)
			return 0;
		if (n->meta[i].expires > max)
			max = n->meta[i].expires;
	}
	return max;
}

static double best_score(const struct fw_rpz_name *n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n->nmeta; i++)
		if (n->meta[i].score > s)
			s = n->meta[i].score;
	return s;
}

size_t fw_rpz_name_entries(const struct fw_rpz_name *n, const char *zone, int64_t now,
			   struct fw_entry out[2], char reasons[2][FW_RPZ_REASON_TEXT])
{
	int64_t expires = fw_rpz_name_expires(n);
	size_t k = 0, m;

	if (n->nmeta && expires && expires <= now)
		return 0; /* every publisher's word has run out */
	for (m = 0; m < 2; m++) {
		const struct fw_rpz_trigger *t = &n->trig[m];

		if (!t->on)
			continue;
		if (n->nmeta)
			fw_rpz_metas_encode(n->meta, n->nmeta, reasons[k], FW_RPZ_REASON_TEXT);
		else
			snprintf(reasons[k], FW_RPZ_REASON_TEXT, "rpz %s", zone);
		out[k] = (struct fw_entry){.name = (char *)n->name,
					   .source = (char *)zone,
					   .reason = reasons[k],
					   .added = now,
					   .expires = expires,
					   .score = best_score(n),
					   .list = t->allow ? FW_LIST_ALLOW : FW_LIST_BLOCK,
					   .match = (uint8_t)m,
					   .action = t->action,
					   .origin = FW_ORIGIN_FEED};
		k++;
	}
	return k;
}
