// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Each response is counted twice: under the queried name and under its
 * registered domain, since flux operators spread answers over many names of
 * one domain. Either key crossing the threshold with enough evidence flags
 * the registered domain, which is what gets blocked.
 *
 * Two more views see what one domain cannot: each NS host is tracked under
 * its own name from the glue that names it (its address churn is double
 * flux for every domain it serves), and the registered domains that answer
 * with the same addresses form a flux network (flux_network.h), scored over
 * all their answers together; a domain answering from a network judged
 * flux inherits that verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/detector.h"
#include "engine/explain.h"
#include "engine/protected_list.h"
#include "engine/regdomain.h"

#define PENDING_MAX FW_NET_MEMBERS

struct fw_detector {
	struct fw_detector_params p;
	struct fw_domstate *ds;
	struct fw_domstate *nets; /* one key per flux network with 2+ domains */
	struct fw_netidx *idx;
	struct fw_obs scratch; /* an NS host's glue, or a network's seed */
	struct fw_detection pending[PENDING_MAX];
	unsigned n_pending;
	struct fw_autoblock *ab;
	struct fw_protected *prot;
	struct fw_regdom *psl;
	struct fw_geo *geo;
};

void fw_detector_params_default(struct fw_detector_params *p)
{
	memset(p, 0, sizeof(*p));
	fw_domstate_params_default(&p->ds);
	fw_netidx_params_default(&p->net);
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
	d->nets = fw_domstate_new(&p->ds, err, errlen);
	if (!d->nets)
		goto fail;
	d->idx = fw_netidx_new(&p->net, err, errlen);
	if (!d->idx)
		goto fail;
	if (p->protected_path && *p->protected_path)
		d->prot = fw_protected_load(p->protected_path, err, errlen);
	else
		d->prot = fw_protected_new();
	if (!d->prot)
		goto fail;
	d->ab = fw_autoblock_new(&p->ab, allowed, allowed_ctx, d->prot, d->psl, err, errlen);
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
	if (d->nets)
		fw_domstate_free(d->nets);
	fw_netidx_free(d->idx);
	if (d->psl)
		fw_regdom_close(d->psl);
	free(d);
}

const char *fw_detector_regdomain(struct fw_detector *d, const char *name, char *buf, size_t len)
{
	size_t n;

	if (!fw_regdom_get(d->psl, name, buf, len))
		return buf;
	/* No registered domain: the name stands for itself, if it fits. */
	n = strlen(name);
	if (n >= len)
		n = 0;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return buf;
}

/* The reference mode keeps Holz's verdict but our evidence rule, for a fair race. */
static void score_in(struct fw_detector *d, struct fw_domstate *t, const char *key, uint64_t now,
		     struct fw_score_result *r)
{
	struct fw_features f;

	memset(r, 0, sizeof(*r));
	if (fw_domstate_features(t, key, now, &f))
		return;
	fw_score(&d->p.score, &f, r);
	if (d->p.mode == FW_SCORE_HOLZ) {
		r->score = r->holz;
		r->over_threshold = r->holz_flux;
		r->flux = r->holz_flux && r->enough_evidence;
	}
}

static void score_key(struct fw_detector *d, const char *key, uint64_t now,
		      struct fw_score_result *r)
{
	score_in(d, d->ds, key, now, r);
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

/*
 * Track each NS host of the response under its NS key, with the glue that
 * gives its addresses: any zone can name any host with any glue, so that
 * is kept apart from what the host's own name answers.
 */
static void observe_ns_hosts(struct fw_detector *d, const struct fw_obs *obs)
{
	struct fw_obs *h = &d->scratch;
	char key[FW_OBS_NAME_MAX + 1];
	uint8_t i, g;

	for (i = 0; i < obs->n_ns && i < FW_OBS_MAX_NS; i++) {
		if (fw_domstate_ns_key(obs->ns[i].name, key, sizeof(key)))
			continue;
		fw_obs_init(h, key, obs->ts_ns);
		for (g = 0; g < obs->n_glue && g < FW_OBS_MAX_GLUE; g++) {
			if (obs->glue_ns[g] != i)
				continue;
			h->addrs[h->n_addrs].ip = obs->glue[g];
			h->addrs[h->n_addrs++].ttl = obs->glue_ttl[g];
		}
		if (h->n_addrs)
			fw_domstate_observe(d->ds, h->qname, h, d->geo);
	}
}

/*
 * A direct lookup of a known NS host counts for its NS key too, so the
 * host's churn comes from its glue and from its own answers; the glue,
 * which any zone may send for any host, still never counts for the name.
 */
static void observe_ns_host_lookup(struct fw_detector *d, const struct fw_obs *obs)
{
	char key[FW_OBS_NAME_MAX + 1];

	if (obs->n_addrs && !fw_domstate_ns_key(obs->qname, key, sizeof(key)) &&
	    fw_domstate_tag(d->ds, key))
		fw_domstate_observe(d->ds, key, obs, d->geo);
}

static void net_key(uint32_t id, char *buf, size_t len)
{
	snprintf(buf, len, "network#%u", id);
}

/*
 * A network's key starts when its second domain joins. The founder's
 * answers so far go in first, rebuilt from its addresses as one answer
 * set per time they were last seen, oldest first and none larger than the
 * largest answer it received: the network then sees its history, not one
 * answer bigger than any real one.
 */
static void seed_network(struct fw_detector *d, const char *key, const char *founder,
			 uint64_t now_ns)
{
	struct fw_obs *o = &d->scratch;
	struct fw_evidence ev;
	struct fw_features f;
	int i, j;

	if (fw_domstate_evidence(d->ds, founder, now_ns, &ev) || !ev.n_ips ||
	    fw_domstate_features(d->ds, founder, now_ns, &f))
		return;
	for (i = (int)ev.n_ips - 1; i >= 0; i = j) {
		fw_obs_init(o, founder, ev.ips[i].last_seen_s * 1000000000ull);
		for (j = i; j >= 0 && ev.ips[j].last_seen_s == ev.ips[i].last_seen_s; j--)
			if (o->n_addrs < f.max_answer_size && o->n_addrs < FW_OBS_MAX_ADDRS) {
				o->addrs[o->n_addrs].ip = ev.ips[j].ip;
				o->addrs[o->n_addrs++].ttl = ev.ips[j].ttl;
			}
		fw_domstate_observe(d->nets, key, o, d->geo);
	}
}

static void fill_detection(struct fw_detection *out, const struct fw_ab_verdict *v,
			   const char *domain, const char *scored, const struct fw_score_result *r,
			   uint32_t network, const char *via)
{
	memset(out, 0, sizeof(*out));
	out->decision = v->decision;
	out->expires_ns = v->expires_ns;
	out->unblock = v->unblock;
	out->result = *r;
	out->network = network;
	snprintf(out->domain, sizeof(out->domain), "%s", domain);
	snprintf(out->scored, sizeof(out->scored), "%s", scored);
	out->reason[0] = '\0';
	if (network)
		snprintf(out->reason, sizeof(out->reason), "%s %s: ", via, scored);
	fw_score_reason(r, out->reason + strlen(out->reason),
			sizeof(out->reason) - strlen(out->reason));
	snprintf(out->detail, sizeof(out->detail), "%s", v->detail);
}

/*
 * Whether a domain's own answers are wide enough to inherit a network's
 * verdict. An attacker can answer for their own flux domain with a
 * victim's addresses and so put the victim's site in their network; the
 * site's own one or two networks keep it out of the verdict, where a flux
 * sibling's answers span many.
 */
static bool can_inherit(struct fw_detector *d, const char *domain, uint64_t now_ns)
{
	struct fw_features f;
	unsigned networks;

	if (fw_domstate_features(d->ds, domain, now_ns, &f))
		return false;
	networks = f.geo_features & FW_GEO_HAS_ASN ? f.n_asns : f.n_wide_prefixes;
	return networks >= d->p.score.network_min_asns;
}

/*
 * Queue a decision for another domain of a network just judged flux. The
 * domain whose response turned the network spent the network's budget.
 */
static void judge_member(struct fw_detector *d, const char *member, uint32_t id,
			 const struct fw_score_result *r, uint64_t now_ns)
{
	struct fw_ab_verdict v;
	char key[32];

	if (d->n_pending >= PENDING_MAX || !can_inherit(d, member, now_ns) ||
	    fw_autoblock_decide(d->ab, member, true, true, now_ns, &v) == FW_AB_NONE)
		return;
	net_key(id, key, sizeof(key));
	fill_detection(&d->pending[d->n_pending++], &v, member, key, r, id, "flux network");
}

struct net_verdict {
	uint32_t id;
	bool scored, flux, was_flux;
	bool via_ns; /* the domain's name servers answer from the network */
	struct fw_score_result r;
};

/* A network marked flux that one of the response's NS glue addresses is in. */
static uint32_t ns_flux_network(struct fw_detector *d, const struct fw_obs *obs, uint64_t now_s)
{
	uint32_t id;
	uint8_t g;

	for (g = 0; g < obs->n_glue && g < FW_OBS_MAX_GLUE; g++) {
		id = fw_netidx_of(d->idx, &obs->glue[g], now_s);
		if (id && fw_netidx_is_flux(d->idx, id, now_s))
			return id;
	}
	return 0;
}

/* Score a network of two or more domains on the response; mark it when flux. */
static bool judge_network(struct fw_detector *d, const struct fw_obs *obs,
			  const struct fw_net_join *j, struct net_verdict *nv)
{
	uint64_t now_s = obs->ts_ns / 1000000000ull;
	struct fw_net_info info;
	char key[32];
	int seen;

	net_key(j->id, key, sizeof(key));
	if (j->new_member && j->n_domains == 2 && !fw_netidx_info(d->idx, j->id, &info))
		seed_network(d, key, info.members[0], obs->ts_ns);
	seen = fw_domstate_observe(d->nets, key, obs, d->geo);
	if (seen < 0 || j->n_domains < d->p.score.min_network_domains)
		return false;
	if (seen & (FW_DS_NEW_ANSWER_SET | FW_DS_NEW_IPS | FW_DS_NEW_DOMAIN) || j->new_member) {
		score_in(d, d->nets, key, obs->ts_ns, &nv->r);
		nv->scored = true;
		if (nv->r.flux)
			fw_netidx_mark_flux(d->idx, j->id, now_s + d->p.ds.window_s, nv->r.score);
	}
	return (seen & (FW_DS_NEW_ANSWER_SET | FW_DS_NEW_IPS)) || j->new_member;
}

/*
 * Account the response in the address index, judge its network, and
 * failing that look for its name servers in a network marked flux: a
 * double-flux domain's NS glue are the botnet's own hosts. Returns whether
 * the network learnt something new.
 */
static bool observe_network(struct fw_detector *d, const char *domain, const struct fw_obs *obs,
			    struct net_verdict *nv)
{
	uint64_t now_s = obs->ts_ns / 1000000000ull;
	uint32_t *home = fw_domstate_network(d->ds, domain);
	struct fw_net_join j = {.id = 0};
	bool news = false;
	uint32_t ns_net;

	memset(nv, 0, sizeof(*nv));
	if (obs->n_addrs && !fw_netidx_join(d->idx, domain, obs, home ? *home : 0, now_s, &j) &&
	    j.id) {
		nv->id = j.id;
		nv->was_flux = fw_netidx_is_flux(d->idx, j.id, now_s);
		if (j.n_domains >= 2)
			news = judge_network(d, obs, &j, nv);
		nv->flux = fw_netidx_is_flux(d->idx, j.id, now_s);
	}
	ns_net = nv->flux ? 0 : ns_flux_network(d, obs, now_s);
	if (ns_net) {
		memset(nv, 0, sizeof(*nv));
		nv->id = ns_net;
		nv->flux = nv->was_flux = nv->via_ns = true;
		news = true;
	}
	if (home && nv->id)
		*home = nv->id;
	return news;
}

/* A network turned flux: its other remembered domains are judged with it. */
static void judge_members(struct fw_detector *d, const char *domain, const struct net_verdict *nv,
			  uint64_t now_ns)
{
	struct fw_net_info info;
	uint32_t i;

	d->n_pending = 0;
	if (!nv->flux || nv->was_flux || !nv->scored || fw_netidx_info(d->idx, nv->id, &info))
		return;
	for (i = 0; i < info.n_members; i++)
		if (strcmp(info.members[i], domain))
			judge_member(d, info.members[i], nv->id, &nv->r, now_ns);
}

/* The score a network verdict stands on: its own, or the one it was marked with. */
static void network_result(struct fw_detector *d, const struct net_verdict *nv, uint64_t now_ns,
			   struct fw_score_result *r)
{
	char key[32];

	if (nv->scored)
		*r = nv->r;
	else {
		net_key(nv->id, key, sizeof(key));
		score_in(d, d->nets, key, now_ns, r);
	}
	r->flux = true;
	r->evidence_basis = "network";
}

int fw_detector_observe(struct fw_detector *d, const struct fw_obs *obs, struct fw_detection *out)
{
	struct fw_score_result by_name, by_domain, by_net;
	const struct fw_score_result *best;
	struct net_verdict nv;
	struct fw_ab_verdict v;
	char buf[256], key[32];
	const char *domain, *scored;
	int seen_name, seen_domain = 0;
	bool net_news, own, inherit;

	/* most samples bring nothing new: clear only what tells "no decision" */
	out->decision = FW_AB_NONE;
	out->domain[0] = '\0';
	out->network = 0;
	d->n_pending = 0;
	/* NXDOMAIN, NODATA: nothing to score, and no key for a flood of them */
	if (!obs->n_addrs && !obs->n_ns && !obs->n_glue)
		return 0;
	observe_ns_hosts(d, obs);
	/* A name escaped past a key's length is still scored by its domain. */
	seen_name = strnlen(obs->qname, FW_DS_KEY_MAX + 1) > FW_DS_KEY_MAX
			? 0
			: fw_domstate_observe(d->ds, obs->qname, obs, d->geo);
	if (seen_name < 0)
		return -1;
	if (seen_name & (FW_DS_NEW_ANSWER_SET | FW_DS_NEW_IPS))
		observe_ns_host_lookup(d, obs);
	domain = observed_regdomain(d, obs->qname, buf, sizeof(buf));
	if (strcmp(domain, obs->qname)) {
		seen_domain = fw_domstate_observe(d->ds, domain, obs, d->geo);
		if (seen_domain < 0)
			return -1;
	}
	/*
	 * Nothing new, no new verdict: the score only moves with new answers,
	 * and the network index only learns from them (an unchanged answer
	 * set costs no address lookups; it is the daemon's common case).
	 */
	if (!((seen_name | seen_domain) &
	      (FW_DS_NEW_ANSWER_SET | FW_DS_NEW_IPS | FW_DS_NEW_DOMAIN)))
		return 0;
	net_news = observe_network(d, domain, obs, &nv);
	if (!((seen_name | seen_domain) & (FW_DS_NEW_ANSWER_SET | FW_DS_NEW_IPS)) && !net_news)
		return 0;
	score_key(d, obs->qname, obs->ts_ns, &by_name);
	score_key(d, domain, obs->ts_ns, &by_domain);
	best = by_name.flux || (!by_domain.flux && by_name.score > by_domain.score) ? &by_name
										    : &by_domain;
	scored = best == &by_name ? obs->qname : domain;
	own = by_name.flux || by_domain.flux;
	inherit = !own && nv.flux && can_inherit(d, domain, obs->ts_ns);
	if (inherit) {
		network_result(d, &nv, obs->ts_ns, &by_net);
		best = &by_net;
		net_key(nv.id, key, sizeof(key));
		scored = key;
	}
	/* the score is reported even without a decision, for replay's record */
	memset(out, 0, sizeof(*out));
	out->result = *best;
	snprintf(out->domain, sizeof(out->domain), "%s", domain);
	judge_members(d, domain, &nv, obs->ts_ns);
	if (fw_autoblock_decide(d->ab, domain, own || inherit, inherit && nv.was_flux, obs->ts_ns,
				&v) == FW_AB_NONE &&
	    !v.unblock)
		return 0;
	fill_detection(out, &v, domain, scored, best, inherit ? nv.id : 0,
		       nv.via_ns ? "name servers in flux network" : "flux network");
	return 1;
}

int fw_detector_pending(struct fw_detector *d, struct fw_detection *out)
{
	if (!d->n_pending)
		return 0;
	*out = d->pending[--d->n_pending];
	return 1;
}

/*
 * The network of two or more domains that most of the domain's addresses
 * belong to, 0 when none.
 */
static uint32_t network_of(struct fw_detector *d, const struct fw_evidence *ev, uint64_t now_s)
{
	uint32_t id[FW_EVIDENCE_MAX], votes[FW_EVIDENCE_MAX], n = 0, i, j, best = 0;
	struct fw_net_info info;

	for (i = 0; i < ev->n_ips; i++) {
		uint32_t net = fw_netidx_of(d->idx, &ev->ips[i].ip, now_s);

		if (!net || fw_netidx_info(d->idx, net, &info) || info.n_domains < 2)
			continue;
		for (j = 0; j < n && id[j] != net; j++)
			;
		if (j == n) {
			id[n] = net;
			votes[n++] = 0;
		}
		if (++votes[j] > votes[best] || j == best)
			best = j;
	}
	return n ? id[best] : 0;
}

static const char *member_verdict(struct fw_detector *d, const char *member, uint64_t now_ns)
{
	struct fw_score_result r;

	if (fw_autoblock_active(d->ab, member, NULL))
		return "blocked";
	score_key(d, member, now_ns, &r);
	return r.threshold ? fw_verdict_name(&r) : "not_tracked";
}

int fw_detector_network(struct fw_detector *d, const char *name, uint64_t now_ns,
			struct fw_net_view *v)
{
	uint64_t now_s = now_ns / 1000000000ull;
	uint32_t i, id, *home;
	struct fw_evidence ev;
	char buf[256], key[32];
	const char *domain;

	memset(v, 0, sizeof(*v));
	domain = fw_detector_regdomain(d, name, buf, sizeof(buf));
	if (fw_domstate_evidence(d->ds, domain, now_ns, &ev))
		return -1;
	id = network_of(d, &ev, now_s);
	home = fw_domstate_network(d->ds, domain);
	/* a domain whose name servers answer from a flux network, not its addresses */
	if (!id && home && fw_netidx_is_flux(d->idx, *home, now_s)) {
		id = *home;
		v->via_ns = true;
	}
	if (fw_netidx_info(d->idx, id, &v->info) || v->info.n_domains < 2)
		return -1;
	v->flux = fw_netidx_is_flux(d->idx, v->info.id, now_s);
	net_key(v->info.id, key, sizeof(key));
	score_in(d, d->nets, key, now_ns, &v->score);
	v->scored = v->score.threshold > 0;
	for (i = 0; i < v->info.n_members; i++)
		v->verdicts[i] = member_verdict(d, v->info.members[i], now_ns);
	for (i = 0; i < ev.n_ips; i++)
		if (fw_netidx_of(d->idx, &ev.ips[i].ip, now_s) == v->info.id)
			v->shared[v->n_shared++] = ev.ips[i].ip;
	return 0;
}

int fw_detector_explain(struct fw_detector *d, const char *name, uint64_t now_ns,
			struct fw_features *f, struct fw_score_result *r, struct fw_evidence *ev)
{
	struct fw_net_view v;
	char buf[256];

	if (fw_domstate_features(d->ds, name, now_ns, f))
		return -1;
	score_key(d, name, now_ns, r);
	if (ev && fw_domstate_evidence(d->ds, name, now_ns, ev))
		return -1;
	if (!r->flux && !fw_detector_network(d, name, now_ns, &v) && v.flux &&
	    can_inherit(d, fw_detector_regdomain(d, name, buf, sizeof(buf)), now_ns)) {
		r->flux = true;
		r->evidence_basis = "network";
	}
	return 0;
}

char *fw_detector_explain_string(struct fw_detector *d, const char *name, uint64_t now_ns,
				 bool json)
{
	struct fw_score_result r;
	struct fw_net_view net;
	struct fw_evidence ev;
	struct fw_features f;
	bool has_net;

	if (fw_detector_explain(d, name, now_ns, &f, &r, &ev) || !f.observations)
		return NULL;
	has_net = !fw_detector_network(d, name, now_ns, &net);
	return fw_explain_string(name, &f, &r, &ev, has_net ? &net : NULL, json);
}

struct fw_domstate *fw_detector_state(struct fw_detector *d)
{
	return d->ds;
}

struct fw_netidx *fw_detector_networks(struct fw_detector *d)
{
	return d->idx;
}

struct fw_autoblock *fw_detector_autoblock(struct fw_detector *d)
{
	return d->ab;
}
