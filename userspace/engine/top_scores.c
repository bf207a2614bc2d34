// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Top-N candidates, scored again only when read; see top_scores.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/top_scores.h"

static void update_low(struct fw_top_scores *t)
{
	unsigned i;

	t->low = t->n ? t->c[0].score : 0;
	for (i = 1; i < t->n; i++)
		if (t->c[i].score < t->low)
			t->low = t->c[i].score;
}

void fw_top_offer(struct fw_top_scores *t, const char *name, double score)
{
	unsigned i, at = t->n;

	/* the common case, a flood of low scores, costs one compare */
	if (t->n == FW_TOP_CANDIDATES && score <= t->low)
		return;
	for (i = 0; i < t->n; i++) {
		if (!strcmp(t->c[i].name, name))
			break;
		if (t->n == FW_TOP_CANDIDATES && t->c[i].score == t->low)
			at = i;
	}
	if (i < t->n)
		at = i;
	else if (t->n < FW_TOP_CANDIDATES)
		at = t->n++;
	snprintf(t->c[at].name, sizeof(t->c[at].name), "%s", name);
	t->c[at].score = score;
	if (t->n == FW_TOP_CANDIDATES)
		update_low(t);
}

static int by_score_desc(const void *a, const void *b)
{
	const struct fw_top_entry *x = a, *y = b;

	return (x->score < y->score) - (x->score > y->score);
}

unsigned fw_top_read(struct fw_top_scores *t, double (*rescore)(const char *name, void *ctx),
		     void *ctx, struct fw_top_entry *out, unsigned n)
{
	unsigned i, kept = 0;

	for (i = 0; i < t->n; i++) {
		double s = rescore(t->c[i].name, ctx);

		if (s < 0)
			continue;
		t->c[i].score = s;
		t->c[kept++] = t->c[i];
	}
	t->n = kept;
	qsort(t->c, t->n, sizeof(t->c[0]), by_score_desc);
	update_low(t);
	for (i = 0; i < n && i < t->n; i++)
		out[i] = t->c[i];
	return i;
}
