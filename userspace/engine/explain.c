// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Text and JSON explanations of a flux verdict. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/explain.h"
#include "formats/printable.h"

const char *fw_verdict_name(const struct fw_score_result *r)
{
	if (r->flux)
		return "flux";
	if (r->over_threshold)
		return "not_enough_evidence";
	return "not_flux";
}

static void format_time(uint64_t s, char *buf, size_t len)
{
	time_t t = (time_t)s;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%" PRIu64, s);
}

static void text_features(FILE *out, const struct fw_features *f)
{
	fprintf(out, "  features over the last %u s:\n", f->window_s);
	fprintf(out, "    responses %u, distinct answer sets %u, largest answer %u\n",
		f->observations, f->n_answer_sets, f->max_answer_size);
	fprintf(out, "    IPs %u%s, /24+/48 prefixes %u (entropy %.2f), /16+/32 prefixes %u\n",
		f->n_ips, f->ips_estimated ? " (estimated)" : "", f->n_prefixes, f->prefix_entropy,
		f->n_wide_prefixes);
	fprintf(out, "    ASNs %u%s, countries %u%s, continents %u (%.1f effective)\n", f->n_asns,
		f->geo_features & FW_GEO_HAS_ASN ? "" : " (no ASN database)", f->n_countries,
		f->geo_features & FW_GEO_HAS_COUNTRY ? "" : " (no country database)",
		f->n_continents, f->eff_continents);
	fprintf(out, "    geographic spread %.0f km over %u located IPs%s\n", f->geo_spread_km,
		f->n_located, f->geo_features & FW_GEO_HAS_LOCATION ? "" : " (no city database)");
	fprintf(out, "    TTL min %u s, median %u s, 90th percentile %u s, below %u s: %.0f%%\n",
		f->ttl_min, f->ttl_median, f->ttl_high, FW_DS_LOW_TTL, 100.0 * f->ttl_low_share);
	fprintf(out, "    rotation %.2f new IPs per new answer set, IPs in 2+ sets %.0f%%\n",
		f->rotation, 100.0 * f->ip_persistence);
	fprintf(out, "    later answer sets bringing a new ASN %.0f%%, host names %u\n",
		100.0 * f->asn_novelty, f->n_qnames);
	fprintf(out,
		"    NS names %u (churn %u), NS addresses %u (churn %u), "
		"most address churn of one NS host %u\n",
		f->n_ns_names, f->ns_name_churn, f->n_ns_addrs, f->ns_addr_churn, f->ns_host_churn);
}

static void text_terms(FILE *out, const struct fw_score_result *r)
{
	int i;

	fprintf(out, "  score terms (input x weight = contribution):\n");
	for (i = 0; i < FW_TERM_MAX; i++) {
		const struct fw_score_term *t = &r->terms[i];

		fprintf(out, "    %-26s %5.2f x %6.1f = %6.1f\n", t->name, t->input, t->weight,
			t->contribution);
	}
	fprintf(out, "    %-26s %23.1f (threshold %.1f)\n", "total", r->score, r->threshold);
	if (r->asn_proxy)
		fprintf(out, "    (no ASN database: asn_diversity counts /16 and /32 prefixes)\n");
}

static void text_group(FILE *out, const struct fw_ev_group *g, bool is_asn)
{
	char first[32], last[32];

	format_time(g->first_seen_s, first, sizeof(first));
	format_time(g->last_seen_s, last, sizeof(last));
	if (is_asn)
		fprintf(out, "    AS%-10u %3u IP(s)  first %s  last %s\n", g->asn, g->n_ips, first,
			last);
	else
		fprintf(out, "    %-12s %3u IP(s)  first %s  last %s\n", g->country, g->n_ips,
			first, last);
}

static void text_evidence(FILE *out, const struct fw_evidence *ev)
{
	char ip[FW_IP_TEXT_MAX], first[32], last[32];
	uint32_t i;

	fprintf(out, "  IPs (latest first):\n");
	for (i = 0; i < ev->n_ips; i++) {
		const struct fw_ev_ip *e = &ev->ips[i];
		char asn[16] = "-";

		if (e->asn)
			snprintf(asn, sizeof(asn), "AS%u", e->asn);
		fw_ip_format(&e->ip, ip, sizeof(ip));
		format_time(e->first_seen_s, first, sizeof(first));
		format_time(e->last_seen_s, last, sizeof(last));
		fprintf(out, "    %-39s %-11s %-2s ttl %-6u sets %-3u first %s  last %s\n", ip, asn,
			e->country[0] ? e->country : "-", e->ttl, e->n_sets, first, last);
	}
	if (ev->n_asns)
		fprintf(out, "  ASNs:\n");
	for (i = 0; i < ev->n_asns; i++)
		text_group(out, &ev->asns[i], true);
	if (ev->n_countries)
		fprintf(out, "  countries:\n");
	for (i = 0; i < ev->n_countries; i++)
		text_group(out, &ev->countries[i], false);
}

static void text_network(FILE *out, const struct fw_net_view *n)
{
	char when[32], reason[256], text[FW_PRINTABLE_MAX];
	uint32_t i;

	fprintf(out, "  flux network network#%u: %u domains, %u addresses", n->info.id,
		n->info.n_domains, n->info.n_addrs);
	if (n->flux) {
		format_time(n->info.flux_until_s, when, sizeof(when));
		fprintf(out, ", flux (last judged at score %.1f, marked until %s)",
			n->info.flux_score, when);
	}
	fputc('\n', out);
	if (n->scored) {
		fw_score_reason(&n->score, reason, sizeof(reason));
		fprintf(out, "    its answers together%s: %s\n",
			n->flux && !n->score.flux ? " (the mark stands from earlier answers)" : "",
			reason);
	}
	if (n->via_ns)
		fprintf(out, "    the domain's name servers answer from it\n");
	fprintf(out, "    addresses shared with it (%u):", n->n_shared);
	for (i = 0; i < n->n_shared; i++) {
		fw_ip_format(&n->shared[i], when, sizeof(when));
		fprintf(out, " %s", when);
	}
	fprintf(out, "\n    its domains:");
	for (i = 0; i < n->info.n_members; i++)
		fprintf(out, "%s %s (%s)", i ? "," : "",
			fw_printable(n->info.members[i], text, sizeof(text)), n->verdicts[i]);
	fputc('\n', out);
}

void fw_explain_text(FILE *out, const char *name, const struct fw_features *f,
		     const struct fw_score_result *r, const struct fw_evidence *ev,
		     const struct fw_net_view *net)
{
	char text[FW_PRINTABLE_MAX];

	fprintf(out, "%s: %s (score %.1f, threshold %.1f)\n",
		fw_printable(name, text, sizeof(text)), fw_verdict_name(r), r->score, r->threshold);
	if (r->flux && r->evidence_basis && !strcmp(r->evidence_basis, "network"))
		fprintf(out, "  evidence: network: it answers from a flux network (below)\n");
	else if (!r->enough_evidence)
		fprintf(out, "  not enough evidence yet: %s\n", r->evidence_note);
	else if (r->evidence_basis)
		fprintf(out, "  evidence: %s\n", r->evidence_basis);
	fprintf(
	    out,
	    "  reference (Holz et al. 2008): 1.32 x %u IPs + 18.54 x %u ASNs - 142.38 = %.2f: %s\n",
	    f->n_ips, f->n_asns, r->holz, r->holz_flux ? "flux" : "not flux");
	text_features(out, f);
	text_terms(out, r);
	if (net)
		text_network(out, net);
	if (ev)
		text_evidence(out, ev);
}

static void json_features(struct fw_json *j, const struct fw_features *f)
{
	fw_json_key(j, "features");
	fw_json_obj_begin(j);
	fw_json_kv_uint(j, "window_s", f->window_s);
	fw_json_kv_uint(j, "first_seen", f->first_seen_s);
	fw_json_kv_uint(j, "last_seen", f->last_seen_s);
	fw_json_kv_uint(j, "responses", f->observations);
	fw_json_kv_uint(j, "ips", f->n_ips);
	fw_json_kv_uint(j, "ips_exact", f->n_ips_exact);
	fw_json_kv_bool(j, "ips_estimated", f->ips_estimated);
	fw_json_kv_uint(j, "prefixes", f->n_prefixes);
	fw_json_kv_uint(j, "wide_prefixes", f->n_wide_prefixes);
	fw_json_kv_double(j, "prefix_entropy", f->prefix_entropy);
	fw_json_kv_uint(j, "asns", f->n_asns);
	fw_json_kv_uint(j, "countries", f->n_countries);
	fw_json_kv_double(j, "effective_countries", f->eff_countries);
	fw_json_kv_uint(j, "continents", f->n_continents);
	fw_json_kv_double(j, "effective_continents", f->eff_continents);
	fw_json_kv_uint(j, "located", f->n_located);
	fw_json_kv_double(j, "geo_spread_km", f->geo_spread_km);
	fw_json_kv_uint(j, "ttl_min", f->ttl_min);
	fw_json_kv_uint(j, "ttl_median", f->ttl_median);
	fw_json_kv_uint(j, "ttl_high", f->ttl_high);
	fw_json_kv_double(j, "ttl_low_share", f->ttl_low_share);
	fw_json_kv_uint(j, "answer_sets", f->n_answer_sets);
	fw_json_kv_uint(j, "max_answer_size", f->max_answer_size);
	fw_json_kv_double(j, "rotation", f->rotation);
	fw_json_kv_double(j, "ip_persistence", f->ip_persistence);
	fw_json_kv_uint(j, "ns_names", f->n_ns_names);
	fw_json_kv_uint(j, "ns_addrs", f->n_ns_addrs);
	fw_json_kv_uint(j, "ns_name_churn", f->ns_name_churn);
	fw_json_kv_uint(j, "ns_addr_churn", f->ns_addr_churn);
	fw_json_kv_double(j, "asn_novelty", f->asn_novelty);
	fw_json_kv_uint(j, "ns_host_churn", f->ns_host_churn);
	fw_json_kv_uint(j, "host_names", f->n_qnames);
	fw_json_key(j, "geo");
	fw_json_obj_begin(j);
	fw_json_kv_bool(j, "asn", f->geo_features & FW_GEO_HAS_ASN);
	fw_json_kv_bool(j, "country", f->geo_features & FW_GEO_HAS_COUNTRY);
	fw_json_kv_bool(j, "location", f->geo_features & FW_GEO_HAS_LOCATION);
	fw_json_obj_end(j);
	fw_json_obj_end(j);
}

static void json_terms(struct fw_json *j, const struct fw_score_result *r)
{
	int i;

	fw_json_key(j, "terms");
	fw_json_arr_begin(j);
	for (i = 0; i < FW_TERM_MAX; i++) {
		fw_json_obj_begin(j);
		fw_json_kv_str(j, "name", r->terms[i].name);
		fw_json_kv_double(j, "input", r->terms[i].input);
		fw_json_kv_double(j, "weight", r->terms[i].weight);
		fw_json_kv_double(j, "contribution", r->terms[i].contribution);
		fw_json_obj_end(j);
	}
	fw_json_arr_end(j);
	fw_json_key(j, "reference");
	fw_json_obj_begin(j);
	fw_json_kv_str(j, "method", "holz2008");
	fw_json_kv_double(j, "score", r->holz);
	fw_json_kv_bool(j, "flux", r->holz_flux);
	fw_json_obj_end(j);
}

static void json_ip(struct fw_json *j, const struct fw_ev_ip *e)
{
	char ip[FW_IP_TEXT_MAX];

	fw_ip_format(&e->ip, ip, sizeof(ip));
	fw_json_obj_begin(j);
	fw_json_kv_str(j, "ip", ip);
	fw_json_kv_uint(j, "first_seen", e->first_seen_s);
	fw_json_kv_uint(j, "last_seen", e->last_seen_s);
	if (e->asn)
		fw_json_kv_uint(j, "asn", e->asn);
	if (e->country[0])
		fw_json_kv_str(j, "country", e->country);
	fw_json_kv_uint(j, "ttl", e->ttl);
	fw_json_kv_uint(j, "answer_sets", e->n_sets);
	if (e->has_location) {
		fw_json_kv_double(j, "latitude", e->latitude);
		fw_json_kv_double(j, "longitude", e->longitude);
	}
	fw_json_obj_end(j);
}

static void json_groups(struct fw_json *j, const char *key, const struct fw_ev_group *g, uint32_t n,
			bool is_asn)
{
	uint32_t i;

	fw_json_key(j, key);
	fw_json_arr_begin(j);
	for (i = 0; i < n; i++) {
		fw_json_obj_begin(j);
		if (is_asn)
			fw_json_kv_uint(j, "asn", g[i].asn);
		else
			fw_json_kv_str(j, "country", g[i].country);
		fw_json_kv_uint(j, "ips", g[i].n_ips);
		fw_json_kv_uint(j, "first_seen", g[i].first_seen_s);
		fw_json_kv_uint(j, "last_seen", g[i].last_seen_s);
		fw_json_obj_end(j);
	}
	fw_json_arr_end(j);
}

static void json_evidence(struct fw_json *j, const struct fw_evidence *ev)
{
	uint32_t i;

	fw_json_key(j, "evidence");
	fw_json_obj_begin(j);
	fw_json_key(j, "ips");
	fw_json_arr_begin(j);
	for (i = 0; i < ev->n_ips; i++)
		json_ip(j, &ev->ips[i]);
	fw_json_arr_end(j);
	json_groups(j, "asns", ev->asns, ev->n_asns, true);
	json_groups(j, "countries", ev->countries, ev->n_countries, false);
	fw_json_obj_end(j);
}

static void json_network(struct fw_json *j, const struct fw_net_view *n)
{
	char text[FW_IP_TEXT_MAX], reason[256];
	uint32_t i;

	fw_json_key(j, "network");
	fw_json_obj_begin(j);
	snprintf(text, sizeof(text), "network#%u", n->info.id);
	fw_json_kv_str(j, "id", text);
	fw_json_kv_uint(j, "domains", n->info.n_domains);
	fw_json_kv_uint(j, "addresses", n->info.n_addrs);
	fw_json_kv_bool(j, "flux", n->flux);
	fw_json_kv_bool(j, "via_name_servers", n->via_ns);
	if (n->flux) {
		fw_json_kv_uint(j, "flux_until", n->info.flux_until_s);
		fw_json_kv_double(j, "flux_score", n->info.flux_score);
	}
	if (n->scored) {
		fw_json_kv_double(j, "score", n->score.score);
		fw_score_reason(&n->score, reason, sizeof(reason));
		fw_json_kv_str(j, "reason", reason);
	}
	fw_json_key(j, "members");
	fw_json_arr_begin(j);
	for (i = 0; i < n->info.n_members; i++) {
		fw_json_obj_begin(j);
		fw_json_kv_str(j, "domain", n->info.members[i]);
		fw_json_kv_str(j, "verdict", n->verdicts[i]);
		fw_json_obj_end(j);
	}
	fw_json_arr_end(j);
	fw_json_key(j, "shared_addresses");
	fw_json_arr_begin(j);
	for (i = 0; i < n->n_shared; i++) {
		fw_ip_format(&n->shared[i], text, sizeof(text));
		fw_json_str(j, text);
	}
	fw_json_arr_end(j);
	fw_json_obj_end(j);
}

void fw_explain_json(struct fw_json *j, const char *name, const struct fw_features *f,
		     const struct fw_score_result *r, const struct fw_evidence *ev,
		     const struct fw_net_view *net)
{
	fw_json_obj_begin(j);
	fw_json_kv_str(j, "name", name);
	fw_json_kv_str(j, "verdict", fw_verdict_name(r));
	fw_json_kv_double(j, "score", r->score);
	fw_json_kv_double(j, "threshold", r->threshold);
	fw_json_kv_bool(j, "enough_evidence", r->enough_evidence);
	if (r->evidence_note[0])
		fw_json_kv_str(j, "evidence_note", r->evidence_note);
	if (r->evidence_basis)
		fw_json_kv_str(j, "evidence_basis", r->evidence_basis);
	fw_json_kv_bool(j, "asn_proxy", r->asn_proxy);
	json_terms(j, r);
	json_features(j, f);
	if (net)
		json_network(j, net);
	if (ev)
		json_evidence(j, ev);
	fw_json_obj_end(j);
}

int fw_explain_json_file(FILE *out, const char *name, const struct fw_features *f,
			 const struct fw_score_result *r, const struct fw_evidence *ev,
			 const struct fw_net_view *net)
{
	struct fw_json j;

	fw_json_init(&j, out);
	fw_explain_json(&j, name, f, r, ev, net);
	if (fw_json_finish(&j) < 0)
		return -1;
	return fputc('\n', out) == EOF ? -1 : 0;
}

char *fw_explain_string(const char *name, const struct fw_features *f,
			const struct fw_score_result *r, const struct fw_evidence *ev,
			const struct fw_net_view *net, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (!mem)
		return NULL;
	if (json)
		fw_explain_json_file(mem, name, f, r, ev, net);
	else
		fw_explain_text(mem, name, f, r, ev, net);
	if (fclose(mem)) {
		free(text);
		return NULL;
	}
	if (json && len && text[len - 1] == '\n')
		text[len - 1] = '\0';
	return text;
}
