// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * detector.c on the patterns real flux traffic showed: a domain of a known
 * flux network is blocked at its first response; spam domains looked up
 * once each are caught as one network, the first of them too; NS hosts
 * whose glue keeps changing condemn a new domain they serve; and the hard
 * negatives: CDN customers sharing edges, and one response of an unknown
 * domain, are never blocked. Uses the synthetic world of geo_world.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/detector.h"
#include "geo_world.h"

#define T0   1700000000ull
#define S(x) ((uint64_t)(x)*1000000000ull)

static uint32_t rng_state = 777;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % n;
}

static struct fw_detector *detector(struct fw_world *w)
{
	struct fw_detector_params p;
	struct fw_detector *d;
	char err[512];

	fw_detector_params_default(&p);
	p.net.max_addrs = 4096;
	p.net.max_networks = 512;
	p.ab.max_new_per_min = 1000;
	d = fw_detector_new(&p, w->geo, NULL, NULL, err, sizeof(err));
	if (!d)
		fail_msg("%s", err);
	return d;
}

/* The botnet: bot i lives in residential network i % 40, all continents. */
static void bot(char *buf, size_t len, unsigned i)
{
	snprintf(buf, len, "11.%u.%u.%u", i % FW_WORLD_NETS, 1 + i / FW_WORLD_NETS, 7 + i % 200);
}

/* A response for qname with k bots drawn from [lo, lo + span). */
static void bots_answer(struct fw_obs *o, const char *qname, uint64_t at_s, unsigned k, unsigned lo,
			unsigned span)
{
	char ip[32];
	unsigned i;

	fw_obs_init(o, qname, S(T0 + at_s));
	for (i = 0; i < k; i++) {
		bot(ip, sizeof(ip), lo + rnd(span));
		fw_obs_add_addr(o, ip, 120);
	}
}

/*
 * A sibling domain's answer from the same botnet: three of the bots of
 * prev, the botnet's last answer, and five more from the pool.
 */
static void sibling_answer(struct fw_obs *o, const char *qname, uint64_t at_s,
			   const struct fw_obs *prev)
{
	char ip[32];
	unsigned i;

	fw_obs_init(o, qname, S(T0 + at_s));
	for (i = 0; i < 3; i++)
		fw_obs_add_addr(o, "0.0.0.0", 120), o->addrs[i].ip = prev->addrs[i].ip;
	for (i = 0; i < 5; i++) {
		bot(ip, sizeof(ip), rnd(60));
		fw_obs_add_addr(o, ip, 120);
	}
}

/* Feed one response; the decision about its domain, FW_AB_NONE when none. */
static enum fw_ab_decision feed(struct fw_detector *d, const struct fw_obs *o,
				struct fw_detection *det)
{
	int got = fw_detector_observe(d, o, det);

	assert_true(got >= 0);
	return got == 1 ? det->decision : FW_AB_NONE;
}

/*
 * evil-one.example fluxes on its own (8 bots of 60 per answer, every 5
 * minutes) until it is blocked; then the same botnet serves
 * evil-two.example, whose very first response must be blocked. Returns the
 * number of evil-one's responses; det holds evil-two's decision.
 */
static unsigned flux_network_of_two(struct fw_detector *d, struct fw_detection *det)
{
	bool blocked = false;
	struct fw_obs o, prev;
	unsigned k;

	for (k = 0; k < 6 && !blocked; k++) {
		bots_answer(&o, "www.evil-one.example", k * 300, 8, 0, 60);
		blocked = feed(d, &o, det) == FW_AB_BLOCK;
	}
	assert_true(blocked);
	prev = o;
	sibling_answer(&o, "evil-two.example", k * 300 + 10, &prev);
	assert_int_equal(feed(d, &o, det), FW_AB_BLOCK);
	return k;
}

static void known_network_blocks_a_new_domain_at_its_first_response(void **state)
{
	struct fw_detector *d = detector(*state);
	struct fw_detection det;
	struct fw_net_view view;
	unsigned k = flux_network_of_two(d, &det);

	assert_string_equal(det.domain, "evil-two.example");
	assert_int_not_equal(det.network, 0);
	assert_non_null(strstr(det.reason, "flux network network#"));

	assert_int_equal(fw_detector_network(d, "evil-two.example", S(T0 + k * 300 + 10), &view),
			 0);
	assert_true(view.flux);
	assert_int_equal(view.info.n_domains, 2);
	assert_string_equal(view.info.members[0], "evil-one.example");
	assert_string_equal(view.verdicts[0], "blocked");
	assert_string_equal(view.verdicts[1], "blocked");
	assert_true(view.n_shared >= 1);
	fw_detector_free(d);
}

/*
 * A double-flux domain whose name server's glue is a bot of a network
 * already judged flux, and whose own first answer (three bots of another
 * botnet) is far from flux on its own. A plain site with the same glue is
 * not condemned: that is what an attacker borrowing the address of a
 * site's name server would want.
 */
static void name_servers_in_a_flux_network_condemn_their_domain(void **state)
{
	struct fw_detector *d = detector(*state);
	struct fw_detection det;
	struct fw_net_view view;
	char glue[FW_IP_TEXT_MAX];
	unsigned k = flux_network_of_two(d, &det);
	struct fw_obs o;

	assert_int_equal(fw_detector_network(d, "evil-two.example", S(T0 + k * 300 + 10), &view),
			 0);
	fw_ip_format(&view.shared[0], glue, sizeof(glue));

	bots_answer(&o, "shop.df-victim.example", k * 300 + 20, 3, 7000, 3);
	fw_obs_add_ns(&o, "ns1.df-victim.example", 300);
	fw_obs_add_glue(&o, glue);
	assert_int_equal(feed(d, &o, &det), FW_AB_BLOCK);
	assert_string_equal(det.domain, "df-victim.example");
	assert_non_null(strstr(det.reason, "name servers in flux network network#"));
	assert_int_equal(fw_detector_network(d, "df-victim.example", S(T0 + k * 300 + 20), &view),
			 0);
	assert_true(view.via_ns);
	assert_true(view.flux);

	/* a plain site whose name server has that same address: not condemned */
	fw_obs_init(&o, "shop.plain.example", S(T0 + k * 300 + 30));
	fw_obs_add_addr(&o, "14.0.0.81", 300);
	fw_obs_add_ns(&o, "ns1.plain.example", 300);
	fw_obs_add_glue(&o, glue);
	assert_int_equal(feed(d, &o, &det), FW_AB_NONE);
	fw_detector_free(d);
}

/*
 * Poisoning the network index: an attacker's flux domain answers with a
 * victim site's two addresses among its rotating bots, so that the
 * victim's addresses and the bots are one network, judged flux. The
 * victim, seen before or after, is never blocked, nor a site whose name
 * server is one of the borrowed addresses.
 */
static void borrowed_addresses_never_condemn_their_site(void **state)
{
	struct fw_detector *d = detector(*state);
	static const char *const site[] = {"14.0.0.20", "14.0.0.21"};
	struct fw_detection det;
	struct fw_net_view view;
	unsigned k, i, victims = 0;
	bool attacker_blocked = false;
	const char *victim;
	char ip[32];
	struct fw_obs o;

	for (k = 0; k < 12; k++) {
		/* the victim, before and while it is borrowed */
		fw_obs_init(&o, "www.victim-shop.example", S(T0 + k * 300));
		fw_obs_add_addr(&o, site[0], 300);
		fw_obs_add_addr(&o, site[1], 300);
		assert_int_equal(feed(d, &o, &det), FW_AB_NONE);
		/* the attacker: the site's two addresses and six fresh bots */
		fw_obs_init(&o, "poison.example", S(T0 + k * 300 + 5));
		fw_obs_add_addr(&o, site[0], 60);
		fw_obs_add_addr(&o, site[1], 60);
		for (i = 0; i < 6; i++) {
			bot(ip, sizeof(ip), 5000 + k * 6 + i);
			fw_obs_add_addr(&o, ip, 60);
		}
		attacker_blocked |= feed(d, &o, &det) == FW_AB_BLOCK;
		while (fw_detector_pending(d, &det))
			victims += !strcmp(det.domain, "victim-shop.example");
		/* a later site on the same host, and one whose NS is the borrowed host */
		victim = k % 2 ? "late-victim.example" : "ns-victim.example";
		fw_obs_init(&o, victim, S(T0 + k * 300 + 9));
		fw_obs_add_addr(&o, k % 2 ? site[0] : "14.0.0.99", 300);
		fw_obs_add_addr(&o, k % 2 ? site[1] : "14.0.0.98", 300);
		fw_obs_add_ns(&o, "ns1.victim-host.example", 300);
		fw_obs_add_glue(&o, site[1]);
		assert_int_equal(feed(d, &o, &det), FW_AB_NONE);
	}
	assert_true(attacker_blocked);
	assert_int_equal(victims, 0);
	/* the site does sit in a flux network, and explain says so, but not flux */
	assert_int_equal(fw_detector_network(d, "victim-shop.example", S(T0 + 3600), &view), 0);
	assert_true(view.flux);
	assert_false(fw_detector_explain(d, "victim-shop.example", S(T0 + 3600),
					 &(struct fw_features){0}, &det.result, NULL) ||
		     det.result.flux);
	fw_detector_free(d);
}

/*
 * Spam domains looked up once each, 10 addresses from a pool of 30 bots:
 * no domain has a second answer set, their network has many.
 */
static void looked_up_once_domains_are_caught_as_one_network(void **state)
{
	struct fw_detector *d = detector(*state);
	struct fw_detection det;
	unsigned i, blocked = 0, first_blocked_at = 0, retro = 0;
	bool founder_blocked = false;
	char name[64];
	struct fw_obs o;

	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "spam%u.example", i);
		bots_answer(&o, name, 1000 + i * 20, 10, 400, 30);
		if (feed(d, &o, &det) == FW_AB_BLOCK) {
			blocked++;
			first_blocked_at = first_blocked_at ? first_blocked_at : i + 1;
		}
		while (fw_detector_pending(d, &det)) {
			assert_int_equal(det.decision, FW_AB_BLOCK);
			assert_int_equal(strncmp(det.domain, "spam", 4), 0);
			founder_blocked |= !strcmp(det.domain, "spam0.example");
			retro++;
		}
	}
	/*
	 * The first domain to share two addresses with another makes the
	 * network; it goes at once, the earlier members with it.
	 */
	assert_true(first_blocked_at >= 2 && first_blocked_at <= 3);
	assert_true(founder_blocked);
	/* one that shared a single address when it came founds its own network */
	assert_true(blocked + retro >= 11);
	fw_detector_free(d);
}

/* Twenty customers of one CDN share its edges: one network, never flux. */
static void cdn_customers_are_never_blocked(void **state)
{
	struct fw_detector *d = detector(*state);
	struct fw_detection det;
	struct fw_net_view view;
	char name[64], ip[32];
	unsigned i, k, n;
	struct fw_obs o;

	for (k = 0; k < 40; k++) {
		for (i = 0; i < 20; i++) {
			snprintf(name, sizeof(name), "www.customer%u.example", i);
			fw_obs_init(&o, name, S(T0 + k * 90 + i));
			for (n = 2 + rnd(3); n; n--) {
				snprintf(ip, sizeof(ip), "12.%u.%u.%u", rnd(2), rnd(4),
					 1 + rnd(16));
				fw_obs_add_addr(&o, ip, 20 + rnd(280));
			}
			assert_int_equal(feed(d, &o, &det), FW_AB_NONE);
			assert_int_equal(fw_detector_pending(d, &det), 0);
		}
	}
	/* customers that shared edges form networks, and none is flux */
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "customer%u.example", i);
		if (!fw_detector_network(d, name, S(T0 + 3600), &view))
			assert_false(view.flux);
	}
	fw_detector_free(d);
}

/* A wide, scattered answer, but one response of a domain nobody knows: no block. */
static void one_response_of_an_unknown_domain_never_blocks(void **state)
{
	struct fw_detector *d = detector(*state);
	struct fw_detection det;
	struct fw_obs o;

	bots_answer(&o, "lonely.example", 0, 12, 800, 40);
	feed(d, &o, &det);
	assert_true(det.result.over_threshold || det.result.score > 40.0);
	assert_false(det.result.flux);
	assert_int_equal(det.decision, FW_AB_NONE);
	fw_detector_free(d);
}

/*
 * ns1/ns2.bulletproof-ns.example serve many domains; their glue is a new
 * bot in nearly every response. A new domain they serve, each answer its
 * own bots, is double flux at its first response.
 */
static void churning_ns_hosts_condemn_the_domains_they_serve(void **state)
{
	struct fw_detector *d = detector(*state);
	struct fw_detection det;
	char name[64], ip[32];
	struct fw_obs o;
	unsigned i, h;

	for (i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "served%u.example", i);
		fw_obs_init(&o, name, S(T0 + i * 30));
		snprintf(ip, sizeof(ip), "14.0.0.%u", 10 + i); /* one address: not flux itself */
		fw_obs_add_addr(&o, ip, 300);
		for (h = 1; h <= 2; h++) {
			snprintf(name, sizeof(name), "ns%u.bulletproof-ns.example", h);
			fw_obs_add_ns(&o, name, 300);
			bot(ip, sizeof(ip), 2000 + i * 2 + h);
			fw_obs_add_glue(&o, ip);
		}
		assert_int_equal(feed(d, &o, &det), FW_AB_NONE);
	}
	bots_answer(&o, "newcomer.example", 400, 8, 3000, 40);
	fw_obs_add_ns(&o, "ns1.bulletproof-ns.example", 300);
	bot(ip, sizeof(ip), 2999);
	fw_obs_add_glue(&o, ip);
	assert_int_equal(feed(d, &o, &det), FW_AB_BLOCK);
	assert_string_equal(det.result.evidence_basis, "ns_hosts");
	assert_true(det.result.terms[FW_TERM_NS_CHURN].contribution >= 25.0);
	fw_detector_free(d);
}

/*
 * Names the decoder escapes can be longer than a key: 63 NUL bytes in a
 * label read as 252 characters. Malware asking such names of a flux domain
 * must not hide it: the domain is scored and blocked all the same.
 */
static void escaped_names_longer_than_a_key_are_scored_by_domain(void **state)
{
	struct fw_detector *d = detector(*state);
	struct fw_detection det;
	char qname[300] = "";
	bool blocked = false;
	struct fw_obs o;
	unsigned k;

	while (strlen(qname) < 63 * 4)
		strcat(qname, "\\000");
	strcat(qname, ".evil-one.example");
	for (k = 0; k < 6 && !blocked; k++) {
		bots_answer(&o, qname, k * 300, 8, 0, 60);
		blocked = feed(d, &o, &det) == FW_AB_BLOCK;
	}
	assert_true(blocked);
	assert_string_equal(det.domain, "evil-one.example");
	fw_detector_free(d);
}

/*
 * An NS host's churn counts its direct lookups too: the glue names one
 * steady address, but every lookup of the host itself answers a new bot.
 * A new domain it serves is double flux at its first response.
 */
static void direct_lookups_of_an_ns_host_count_for_its_churn(void **state)
{
	struct fw_detector *d = detector(*state);
	struct fw_detection det;
	char ip[32];
	struct fw_obs o;
	unsigned k;

	fw_obs_init(&o, "served.example", S(T0));
	fw_obs_add_addr(&o, "14.0.0.10", 300);
	fw_obs_add_ns(&o, "ns1.steady-glue.example", 300);
	fw_obs_add_glue(&o, "14.0.0.53");
	assert_int_equal(feed(d, &o, &det), FW_AB_NONE);
	for (k = 1; k <= 6; k++) {
		fw_obs_init(&o, "ns1.steady-glue.example", S(T0 + k * 60));
		bot(ip, sizeof(ip), 8000 + k);
		fw_obs_add_addr(&o, ip, 0);
		feed(d, &o, &det);
	}
	bots_answer(&o, "newcomer.example", 500, 8, 9000, 40);
	fw_obs_add_ns(&o, "ns1.steady-glue.example", 300);
	fw_obs_add_glue(&o, "14.0.0.53");
	assert_int_equal(feed(d, &o, &det), FW_AB_BLOCK);
	assert_string_equal(det.result.evidence_basis, "ns_hosts");
	fw_detector_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(known_network_blocks_a_new_domain_at_its_first_response),
	    cmocka_unit_test(name_servers_in_a_flux_network_condemn_their_domain),
	    cmocka_unit_test(borrowed_addresses_never_condemn_their_site),
	    cmocka_unit_test(looked_up_once_domains_are_caught_as_one_network),
	    cmocka_unit_test(cdn_customers_are_never_blocked),
	    cmocka_unit_test(one_response_of_an_unknown_domain_never_blocks),
	    cmocka_unit_test(churning_ns_hosts_condemn_the_domains_they_serve),
	    cmocka_unit_test(direct_lookups_of_an_ns_host_count_for_its_churn),
	    cmocka_unit_test(escaped_names_longer_than_a_key_are_scored_by_domain),
	};

	return cmocka_run_group_tests_name("detector", tests, fw_world_setup, fw_world_teardown);
}
