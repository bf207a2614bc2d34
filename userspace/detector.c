// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Each response is counted twice: under the queried name and under its
 * registered domain, since flux operators spread answers over many names of
 * one domain. Either key crossing the threshold with enough evidence flags
 * the registered domain, which is what gets blocked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detector.h"
#include "protected_list.h"
#include "regdomain.h"

struct fw_detector {
	struct fw_detector_params p;
	struct fw_domstate *ds;
	struct fw_autoblock *ab;
	struct fw_protected *prot;
	struct fw_regdom *psl;
	struct fw_geo *geo;
};

void fw_detector_params_default(struct fw_detector_params *p)
{
	memset(p, 0, sizeof(*p));
	fw_domstate_params_default(&p->ds);
	fw_score_params_default(&p->score);
	fw_autoblock_params_default(&p->ab);
}

struct fw_detector *fw_detector_new(const struct fw_detector_params *p, struct fw_geo *geo,
				    fw_allowed_fn allowed, void *allowed_ctx, char *err,
				    size_t errlen)
{
	struct fw_detector *d = calloc(1, sizeof(*d));

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->p = *p;
	d->geo = geo;
	d->psl = fw_regdom_open(p->psl_path, err, errlen);
	if (!d->psl)
		goto fail;
	d->ds = fw_domstate_new(&p->ds, err, errlen);
	if (!d->ds)
		goto fail;
	if (p->protected_path && *p->protected_path)
		d->prot = fw_protected_load(p->protected_path, err, errlen);
	else
		d->prot = fw_protected_new();
	if (!d->prot)
		goto fail;
	d->ab = fw_autoblock_new(&p->ab, allowed, allowed_ctx, d->prot, err, errlen);
	if (!d->ab)
		goto fail;
	return d;
fail:
	fw_detector_free(d);
	return NULL;
}

void fw_detector_free(struct fw_detector *d)
{
	if (!d)
		return;
	if (d->ab)
		fw_autoblock_free(d->ab);
	if (d->prot)
		fw_protected_free(d->prot);
	if (d->ds)
		fw_domstate_free(d->ds);
	if (d->psl)
		fw_regdom_close(d->psl);
	free(d);
}

const char *fw_detector_regdomain(struct fw_detector *d, const char *name, char *buf, size_t len)
{
	if (fw_regdom_get(d->psl, name, buf, len))
		snprintf(buf, len, "%s", name);
	return buf;
}

/* The reference mode keeps Holz's verdict but our evidence rule, for a fair race. */
static void score_key(struct fw_detector *d, const char *key, uint64_t now,
		      struct fw_score_result *r)
{
	struct fw_features f;

	memset(r, 0, sizeof(*r));
	if (fw_domstate_features(d->ds, key, now, &f))
		return;
	fw_score(&d->p.score, &f, r);
	if (d->p.mode == FW_SCORE_HOLZ) {
		r->score = r->holz;
		r->over_threshold = r->holz_flux;
		r->flux = r->holz_flux && r->enough_evidence;
	}
}

/*
 * The registered domain of a name just observed. The Public Suffix List
 * lookup is a fifth of the scorer's time, so its answer is kept with the
 * name's record: the offset where the registered domain starts, plus one.
 */
static const char *observed_regdomain(struct fw_detector *d, const char *name, char *buf,
				      size_t len)
{
	uint8_t *tag = fw_domstate_tag(d->ds, name);
	size_t off;

	if (tag && *tag)
		return name + (*tag - 1);
	fw_detector_regdomain(d, name, buf, len);
	off = strlen(name) - strlen(buf);
	if (!tag || off > 254 || strcmp(name + off, buf))
		return buf;
	*tag = (uint8_t)(off + 1);
	return name + off;
}

int fw_detector_observe(struct fw_detector *d, const struct fw_obs *obs, struct fw_detection *out)
{
	struct fw_score_result by_name, by_domain;
	const struct fw_score_result *best;
	struct fw_ab_verdict v;
	char buf[256];
	const char *domain;
	bool flux;

	int seen_name, seen_domain = 0;

	seen_name = fw_domstate_observe(d->ds, obs->qname, obs, d->geo);
	if (seen_name < 0)
		return -1;
	domain = observed_regdomain(d, obs->qname, buf, sizeof(buf));
	if (strcmp(domain, obs->qname)) {
		seen_domain = fw_domstate_observe(d->ds, domain, obs, d->geo);
		if (seen_domain < 0)
			return -1;
	}
	/* Nothing new, no new verdict: the score only moves with new answers. */
	memset(out, 0, sizeof(*out));
	if (!((seen_name | seen_domain) & (FW_DS_NEW_ANSWER_SET | FW_DS_NEW_IPS)))
		return 0;
	score_key(d, obs->qname, obs->ts_ns, &by_name);
	score_key(d, domain, obs->ts_ns, &by_domain);
	best = by_name.flux || (!by_domain.flux && by_name.score > by_domain.score) ? &by_name
										  : &by_domain;
	flux = by_name.flux || by_domain.flux;

	memset(out, 0, sizeof(*out));
	/* the score is reported even without a decision, for replay's record */
	out->result = *best;
	snprintf(out->domain, sizeof(out->domain), "%s", domain);
	if (fw_autoblock_decide(d->ab, domain, flux, obs->ts_ns, &v) == FW_AB_NONE && !v.unblock)
		return 0;
	out->decision = v.decision;
	out->expires_ns = v.expires_ns;
	out->unblock = v.unblock;
	out->result = *best;
	snprintf(out->domain, sizeof(out->domain), "%s", domain);
	snprintf(out->scored, sizeof(out->scored), "%s", best == &by_name ? obs->qname : domain);
	fw_score_reason(best, out->reason, sizeof(out->reason));
	snprintf(out->detail, sizeof(out->detail), "%s", v.detail);
	return 1;
}

int fw_detector_explain(struct fw_detector *d, const char *name, uint64_t now_ns,
			struct fw_features *f, struct fw_score_result *r, struct fw_evidence *ev)
{
	if (fw_domstate_features(d->ds, name, now_ns, f))
		return -1;
	score_key(d, name, now_ns, r);
	if (ev && fw_domstate_evidence(d->ds, name, now_ns, ev))
		return -1;
	return 0;
}

struct fw_domstate *fw_detector_state(struct fw_detector *d)
{
	return d->ds;
}

struct fw_autoblock *fw_detector_autoblock(struct fw_detector *d)
{
	return d->ab;
}
