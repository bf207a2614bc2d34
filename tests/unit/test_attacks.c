// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The detector under attack. An attacker controls zones and the flux in
 * them; what they must not get is a block of somebody else's name:
 *   - a protected or allowlisted name, reached through a CNAME chain, the
 *     name's case, a trailing dot, an IDN look-alike, or an NS record;
 *   - a public suffix (blocking it blocks every domain below it);
 *   - an unrelated site whose NS host the attacker names with their glue;
 *   - a name no block rule can hold (control bytes, non-UTF-8), which
 *     must be refused, not left for the lists to choke on.
 * And floods: thousands of new flux domains a minute stay within the
 * rate limit and the memory bound while scoring goes on; a million
 * random names a minute leave real flux domains visible. Uses the
 * shipped protected list and the synthetic world of geo_world.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "daemon/daemon_lists.h"
#include "engine/detector.h"
#include "formats/dns_name.h"
#include "geo_world.h"

#define T0	       1700000000ull
#define S(x)	       ((uint64_t)(x)*1000000000ull)
#define PROTECTED_LIST "data/protected-domains.txt"

static uint32_t rng_state = 4242;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % n;
}

static struct fw_daemon_lists lists; /* the daemon's allowlist, via its predicate */

/* A detector with the shipped protected list and the given allowlist entries. */
static struct fw_detector *detector(struct fw_world *w, const char *const *allow, unsigned rate)
{
	struct fw_detector_params p;
	struct fw_state st = {0};
	struct fw_detector *d;
	struct fw_name n;
	char err[512];

	fw_detector_params_default(&p);
	p.net.max_addrs = 1 << 16;
	p.net.max_networks = 1 << 13;
	p.ab.max_new_per_min = rate;
	p.protected_path = PROTECTED_LIST;
	for (; allow && *allow; allow++) {
		/* as `fluxwall allow add` stores it: canonical text */
		assert_int_equal(fw_name_parse(*allow, &n, err, sizeof(err)), 0);
		assert_int_equal(fw_state_add(&st, &(struct fw_entry){.name = n.text,
								      .list = FW_LIST_ALLOW,
								      .match = FW_MATCH_SUBTREE}),
				 0);
	}
	d = fw_detector_new(&p, w->geo, fw_daemon_lists_allowed, &lists, err, sizeof(err));
	if (!d)
		fail_msg("%s", err);
	assert_int_equal(fw_daemon_lists_init(&lists, NULL, fw_detector_autoblock(d), &st), 0);
	fw_state_free(&st);
	return d;
}

static void detector_free(struct fw_detector *d)
{
	fw_daemon_lists_free(&lists);
	fw_detector_free(d);
}

/* Bot i of a botnet spread over every residential network of the world. */
static void bot(char *buf, size_t len, unsigned i)
{
	snprintf(buf, len, "11.%u.%u.%u", i % FW_WORLD_NETS, 1 + (i / FW_WORLD_NETS) % 250,
		 1 + (i / FW_WORLD_NETS / 250) % 250);
}

/* Eight fresh bots of [lo, lo + span) for qname at T0 + at_s. */
static void flux_answer(struct fw_obs *o, const char *qname, uint64_t at_s, unsigned lo,
			unsigned span)
{
	char ip[32];
	unsigned i;

	fw_obs_init(o, qname, S(T0 + at_s));
	for (i = 0; i < 8; i++) {
		bot(ip, sizeof(ip), lo + rnd(span));
		fw_obs_add_addr(o, ip, 60);
	}
}

/* Tally of the decisions of one call, pending ones included. */
struct tally {
	unsigned n[FW_AB_RATE_LIMITED + 2];
	char last_domain[256];
	char last_detail[640];
};

/* Feed o; fail when any decision would block a name outside `mine`. */
static void feed_sparing(struct fw_detector *d, const struct fw_obs *o, const char *mine,
			 struct tally *t)
{
	struct fw_detection det;
	int got = fw_detector_observe(d, o, &det);

	assert_true(got >= 0);
	do {
		if (got != 1)
			continue;
		t->n[det.decision]++;
		if ((det.decision == FW_AB_BLOCK || det.decision == FW_AB_REFRESH) &&
		    (!mine || !fw_name_is_under(det.domain, mine)))
			fail_msg("%s blocked (%s) by a response for %s", det.domain, det.reason,
				 o->qname);
		snprintf(t->last_domain, sizeof(t->last_domain), "%s", det.domain);
		snprintf(t->last_detail, sizeof(t->last_detail), "%s", det.detail);
	} while ((got = fw_detector_pending(d, &det)) == 1);
}

/* The key is tracked and its verdict is not flux. */
static void assert_not_flux(struct fw_detector *d, const char *name, uint64_t at_s)
{
	struct fw_score_result r;
	struct fw_features f;

	if (fw_detector_explain(d, name, S(T0 + at_s), &f, &r, NULL))
		return; /* never tracked: nothing to be flux */
	if (r.flux)
		fail_msg("%s is flux (score %.1f, %s)", name, r.score, r.evidence_basis);
}

/*
 * The attacker's name CNAMEs to www.google.com and answers with rotating
 * bots: the block is the queried name's registered domain, the attacker's.
 * And a protected site's name whose CNAME dangles into a zone the attacker
 * took over is refused as protected, never blocked.
 */
static void cname_chains_block_only_the_queried_domain(void **state)
{
	struct fw_detector *d = detector(*state, NULL, 1000);
	struct tally t = {0};
	struct fw_obs o;
	unsigned k;

	for (k = 0; k < 6; k++) {
		flux_answer(&o, "go.cname-attacker.example", k * 120, 0, 2000);
		snprintf(o.cnames[o.n_cnames++], FW_OBS_NAME_MAX, "www.google.com");
		feed_sparing(d, &o, "cname-attacker.example", &t);
	}
	assert_int_equal(t.n[FW_AB_BLOCK], 1);
	assert_string_equal(t.last_domain, "cname-attacker.example");
	assert_not_flux(d, "www.google.com", 720);
	assert_not_flux(d, "google.com", 720);

	memset(&t, 0, sizeof(t));
	for (k = 0; k < 6; k++) {
		flux_answer(&o, "shop.google.com", 1000 + k * 120, 3000, 2000);
		snprintf(o.cnames[o.n_cnames++], FW_OBS_NAME_MAX, "dangling.takeover.example");
		feed_sparing(d, &o, NULL, &t);
	}
	assert_true(t.n[FW_AB_PROTECTED] >= 1);
	assert_string_equal(t.last_domain, "google.com");
	assert_non_null(strstr(t.last_detail, "protected popular domain google.com"));
	detector_free(d);
}

/*
 * An allowlist entry typed with capitals and a trailing dot covers the
 * canonical names responses carry; the protected list likewise.
 */
static void allowlist_matches_whatever_case_and_dot_it_was_typed_with(void **state)
{
	static const char *const allow[] = {"Partner-CDN.Example.", NULL};
	struct fw_detector *d = detector(*state, allow, 1000);
	struct tally t = {0};
	struct fw_obs o;
	unsigned k;

	for (k = 0; k < 6; k++) {
		flux_answer(&o, "edge.partner-cdn.example", k * 120, 0, 2000);
		feed_sparing(d, &o, NULL, &t);
	}
	assert_true(t.n[FW_AB_ALLOWLISTED] >= 1);
	assert_string_equal(t.last_domain, "partner-cdn.example");
	detector_free(d);
}

/*
 * Internationalised names travel as punycode; fluxwall keeps names as
 * canonical LDH text. The punycode look-alike of a name is a domain of its
 * own and is blocked as such. The same name in raw UTF-8 bytes (no
 * resolver sends that for an IDN, but a zone may hold any byte) is no
 * host name at all: it is refused and the lists never see it.
 */
static void idn_look_alikes_block_themselves_and_raw_bytes_are_refused(void **state)
{
	struct fw_detector *d = detector(*state, NULL, 1000);
	struct tally t = {0};
	struct fw_obs o;
	unsigned k;

	/* "gооgle.com" with two Cyrillic o: xn--ggle-55da.com */
	for (k = 0; k < 6; k++) {
		flux_answer(&o, "www.xn--ggle-55da.com", k * 120, 0, 2000);
		feed_sparing(d, &o, "xn--ggle-55da.com", &t);
	}
	assert_int_equal(t.n[FW_AB_BLOCK], 1);
	assert_not_flux(d, "google.com", 720);

	memset(&t, 0, sizeof(t));
	for (k = 0; k < 6; k++) {
		flux_answer(&o, "www.g\xd0\xbe\xd0\xbegle.com", 1000 + k * 120, 3000, 2000);
		feed_sparing(d, &o, NULL, &t);
	}
	assert_int_equal(t.n[FW_AB_BLOCK], 0);
	assert_true(t.n[FW_AB_UNBLOCKABLE] >= 1);
	assert_non_null(strstr(t.last_detail, "not a host name"));
	detector_free(d);
}

/*
 * An attacker's zone names a victim's NS host (ns1.ns-victim.example) as
 * its own name server and sends rotating bots as its glue. A resolver
 * answering for the victim later, directly for that host or for the
 * victim's site with its real glue, must not find the attacker's glue
 * counted as the victim's addresses.
 */
static void borrowed_ns_host_never_condemns_its_owner(void **state)
{
	static const char *const hosts[] = {"ns1.ns-victim.example", "ns1.google.com"};
	struct fw_detector *d = detector(*state, NULL, 1000);
	struct tally t = {0};
	struct fw_obs o;
	unsigned k, h, i;
	char ip[32];

	for (k = 0; k < 24; k++) {
		/* the attacker: flux of its own, and the victims' hosts with bot glue */
		flux_answer(&o, "www.ns-attacker.example", k * 60, 0, 4000);
		for (h = 0; h < 2; h++) {
			fw_obs_add_ns(&o, hosts[h], 60);
			for (i = 0; i < 4; i++) {
				bot(ip, sizeof(ip), 5000 + rnd(4000));
				fw_obs_add_glue(&o, ip);
			}
		}
		feed_sparing(d, &o, "ns-attacker.example", &t);

		/* the victim's host looked up directly: its two real addresses */
		fw_obs_init(&o, hosts[0], S(T0 + k * 60 + 20));
		fw_obs_add_addr(&o, "14.0.0.53", 3600);
		fw_obs_add_addr(&o, k % 2 ? "14.0.0.54" : "13.0.0.54", 3600);
		feed_sparing(d, &o, NULL, &t);

		/* the victim's site, four multi-homed addresses, delegated to that host */
		fw_obs_init(&o, "www.ns-victim.example", S(T0 + k * 60 + 30));
		fw_obs_add_addr(&o, "14.0.0.80", 300);
		fw_obs_add_addr(&o, "13.0.1.80", 300);
		fw_obs_add_addr(&o, "12.0.2.80", 300);
		fw_obs_add_addr(&o, k % 3 ? "12.1.3.80" : "12.1.3.81", 300);
		fw_obs_add_ns(&o, hosts[0], 3600);
		fw_obs_add_glue(&o, "14.0.0.53");
		feed_sparing(d, &o, NULL, &t);
	}
	assert_true(t.n[FW_AB_BLOCK] >= 1); /* the attacker's own domain */
	assert_not_flux(d, "ns1.ns-victim.example", 24 * 60);
	assert_not_flux(d, "ns-victim.example", 24 * 60);
	assert_not_flux(d, "www.ns-victim.example", 24 * 60);
	detector_free(d);
}

/*
 * A public suffix answered with flux (a spoofed response, or a dynamic-DNS
 * provider's apex): blocking it would block every registrant below it.
 * A registrant below it is blocked alone.
 */
static void public_suffixes_are_never_blocked(void **state)
{
	static const char *const suffixes[] = {"github.io", "duckdns.org", "co.uk", "tk"};
	struct fw_detector *d = detector(*state, NULL, 1000);
	struct tally t = {0};
	struct fw_obs o;
	unsigned k, s;

	for (s = 0; s < 4; s++) {
		memset(&t, 0, sizeof(t));
		for (k = 0; k < 6; k++) {
			flux_answer(&o, suffixes[s], s * 1000 + k * 120, s * 4000, 2000);
			feed_sparing(d, &o, NULL, &t);
		}
		assert_true(t.n[FW_AB_UNBLOCKABLE] >= 1);
		assert_string_equal(t.last_domain, suffixes[s]);
		assert_non_null(strstr(t.last_detail, "public suffix"));
	}
	memset(&t, 0, sizeof(t));
	for (k = 0; k < 6; k++) {
		flux_answer(&o, "www.mallory.github.io", 5000 + k * 120, 20000, 2000);
		feed_sparing(d, &o, "mallory.github.io", &t);
	}
	assert_int_equal(t.n[FW_AB_BLOCK], 1);
	assert_string_equal(t.last_domain, "mallory.github.io");
	detector_free(d);
}

/*
 * Names whose bytes no block rule can hold: the lists accept letters,
 * digits, '-' and '_' only, and '*' would read as a wildcard in an RPZ
 * export. Each is refused with an alert, never handed over as a block.
 */
static void names_no_rule_can_hold_are_refused(void **state)
{
	static const char *const hostile[] = {
	    "a\"b.evil-tld",		 /* a registered domain with a quote */
	    "x\x1b[2J\x1b[31m.ansi-tld", /* terminal escapes */
	    "new\nline.nl-tld",		 /* a line break */
	    "back\\slash.bs-tld",	 /* a backslash */
	    "\xff\xfe.bytes-tld",	 /* not UTF-8 */
	    "*.star-tld",		 /* an RPZ wildcard */
	};
	struct fw_detector *d = detector(*state, NULL, 1000);
	struct tally t;
	struct fw_obs o;
	unsigned k, s;

	for (s = 0; s < sizeof(hostile) / sizeof(hostile[0]); s++) {
		memset(&t, 0, sizeof(t));
		for (k = 0; k < 6; k++) {
			flux_answer(&o, hostile[s], s * 1000 + k * 120, s * 3000, 2000);
			feed_sparing(d, &o, NULL, &t);
		}
		if (!t.n[FW_AB_UNBLOCKABLE])
			fail_msg("no refusal for hostile name %u", s);
		assert_non_null(strstr(t.last_detail, "not a host name"));
	}
	detector_free(d);
}

/*
 * Three thousand unrelated flux domains in one minute, each answering from
 * bots of its own (so no two share a network and its budget): at most
 * max_new_per_min are blocked in any 60 s, every other one is still
 * scored and refused as rate_limited to the end of the flood, the memory
 * per tracked key stays within its bound, and once the minute is over the
 * next flux domain is blocked again.
 */
static void auto_block_flood_stays_within_the_rate_limit(void **state)
{
	struct fw_detector *d = detector(*state, NULL, FW_AB_DEFAULT_MAX_PER_MIN);
	size_t empty = fw_domstate_mem_bytes(fw_detector_state(d));
	enum { DOMAINS = 3000 };
	static uint64_t block_at[DOMAINS];
	unsigned i, k, blocks = 0, limited = 0, last_limited = 0;
	struct fw_detection det;
	char name[64];
	struct fw_obs o;
	size_t keys;

	for (i = 0; i < DOMAINS; i++) {
		snprintf(name, sizeof(name), "www.flood%u.example", i);
		for (k = 0; k < 2; k++) {
			/* 50 new domains a second, a second answer set 5 s later */
			flux_answer(&o, name, i / 50 + k * 5, 100000 + i * 20, 20);
			if (fw_detector_observe(d, &o, &det) != 1)
				continue;
			assert_int_equal(fw_detector_pending(d, &det), 0);
			if (det.decision == FW_AB_BLOCK)
				block_at[blocks++] = o.ts_ns;
			if (det.decision == FW_AB_RATE_LIMITED) {
				limited++;
				last_limited = i;
				assert_non_null(strstr(det.detail, "alert only"));
			}
		}
	}
	/* no 60 s holds more than the limit */
	for (i = FW_AB_DEFAULT_MAX_PER_MIN; i < blocks; i++)
		assert_true(block_at[i] - block_at[i - FW_AB_DEFAULT_MAX_PER_MIN] >=
			    FW_AB_RATE_WINDOW_NS);
	assert_true(blocks >= FW_AB_DEFAULT_MAX_PER_MIN && blocks <= 2 * FW_AB_DEFAULT_MAX_PER_MIN);
	assert_true(blocks + limited >= DOMAINS * 9 / 10);
	assert_true(last_limited >= DOMAINS - 10); /* still scoring at the end */
	keys = fw_domstate_count(fw_detector_state(d));
	print_message("%u blocked, %u refused as rate_limited, %zu keys, %zu bytes a key\n", blocks,
		      limited, keys, (fw_domstate_mem_bytes(fw_detector_state(d)) - empty) / keys);
	assert_true(keys >= DOMAINS);
	/* what a key costs with its exact IP set full (docs/detection.md) */
	assert_true((fw_domstate_mem_bytes(fw_detector_state(d)) - empty) / keys <= 2048);

	flux_answer(&o, "www.after-the-flood.example", DOMAINS / 50 + 200, 900000, 40);
	fw_detector_observe(d, &o, &det);
	flux_answer(&o, "www.after-the-flood.example", DOMAINS / 50 + 205, 900000, 40);
	assert_int_equal(fw_detector_observe(d, &o, &det), 1);
	assert_int_equal(det.decision, FW_AB_BLOCK);
	detector_free(d);
}

/*
 * A random-subdomain flood of a million unique names in one minute:
 * random labels under a victim's domain (wildcard answers), the same as
 * NXDOMAIN, and random names under a wildcard public suffix, each a
 * registered domain of its own. Five real flux domains answer among them
 * every 15 s. The table stays within its bound, evicting, and the five
 * are caught within the minute.
 */
static void random_subdomain_flood_leaves_real_flux_visible(void **state)
{
	struct fw_detector *d = detector(*state, NULL, 1000);
	enum { NAMES = 1000000, FLUX = 5, PERIOD_S = 15 };
	struct fw_domstate_params dp;
	unsigned i, f, caught = 0;
	struct tally t = {0};
	char name[96], *qname;
	struct fw_obs o;
	uint64_t at_ns;
	bool blocked[FLUX] = {0};
	clock_t t0 = clock();

	fw_domstate_params_default(&dp);
	for (i = 0; i < NAMES; i++) {
		at_ns = S(T0) + (uint64_t)i * 60000ull; /* 10^6 in 60 s */
		switch (i % 5) {
		case 0:
		case 1:
		case 2: /* water torture with a wildcard: two CDN addresses */
			snprintf(name, sizeof(name), "%08x.victim-wt.example", rnd(1u << 30));
			fw_obs_init(&o, name, at_ns);
			fw_obs_add_addr(&o, "12.0.0.10", 300);
			fw_obs_add_addr(&o, "12.0.0.11", 300);
			break;
		case 3: /* the same, NXDOMAIN */
			snprintf(name, sizeof(name), "%08x.victim-nx.example", rnd(1u << 30));
			fw_obs_init(&o, name, at_ns);
			o.rcode = 3;
			break;
		default: /* a wildcard public suffix: each name its own registered domain */
			snprintf(name, sizeof(name), "%08x.github.io", rnd(1u << 30));
			fw_obs_init(&o, name, at_ns);
			fw_obs_add_addr(&o, "13.0.0.153", 3600);
			fw_obs_add_addr(&o, "13.0.1.153", 3600);
			break;
		}
		feed_sparing(d, &o, "github.io", &t);
		if (i % (NAMES / (60 / PERIOD_S)))
			continue;
		for (f = 0; f < FLUX; f++) { /* every 15 s: each flux domain's new answer */
			snprintf(name, sizeof(name), "www.real-flux%u.example", f);
			flux_answer(&o, name, 0, 50000 + f * 1000, 1000);
			o.ts_ns = at_ns;
			qname = strchr(name, '.') + 1;
			memset(&t, 0, sizeof(t));
			feed_sparing(d, &o, qname, &t);
			if (t.n[FW_AB_BLOCK] && !blocked[f]) {
				blocked[f] = true;
				caught++;
			}
		}
	}
	print_message("%u names in %.1f s, %zu keys, %llu evictions, %zu MiB; %u of %u flux caught\n",
		      NAMES, (double)(clock() - t0) / CLOCKS_PER_SEC,
		      fw_domstate_count(fw_detector_state(d)),
		      (unsigned long long)fw_domstate_evictions(fw_detector_state(d)),
		      fw_domstate_mem_bytes(fw_detector_state(d)) >> 20, caught, FLUX);
	assert_int_equal(caught, FLUX);
	assert_true(fw_domstate_count(fw_detector_state(d)) <= dp.max_domains);
	assert_true(fw_domstate_evictions(fw_detector_state(d)) > 0);
	assert_true(fw_domstate_mem_bytes(fw_detector_state(d)) <= (size_t)dp.max_domains * 1024);
	detector_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cname_chains_block_only_the_queried_domain),
	    cmocka_unit_test(allowlist_matches_whatever_case_and_dot_it_was_typed_with),
	    cmocka_unit_test(idn_look_alikes_block_themselves_and_raw_bytes_are_refused),
	    cmocka_unit_test(borrowed_ns_host_never_condemns_its_owner),
	    cmocka_unit_test(public_suffixes_are_never_blocked),
	    cmocka_unit_test(names_no_rule_can_hold_are_refused),
	    cmocka_unit_test(auto_block_flood_stays_within_the_rate_limit),
	    cmocka_unit_test(random_subdomain_flood_leaves_real_flux_visible),
	};

	return cmocka_run_group_tests_name("attacks", tests, fw_world_setup, fw_world_teardown);
}
