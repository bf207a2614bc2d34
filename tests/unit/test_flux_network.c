// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * flux_network.c: which network a response joins or founds, that networks
 * never merge, that addresses leave after the window and the least
 * recently seen go first when the index is full, flux marks, and that what
 * a restart saves comes back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/flux_network.h"

#define T0 1700000000ull

static struct fw_netidx *index_of(uint32_t max_addrs, uint32_t window_s)
{
	struct fw_netidx_params p;
	struct fw_netidx *x;
	char err[256];

	fw_netidx_params_default(&p);
	p.max_addrs = max_addrs;
	p.max_networks = 64;
	p.window_s = window_s;
	x = fw_netidx_new(&p, err, sizeof(err));
	assert_non_null(x);
	return x;
}

/* A response of "a.b.c.d" addresses, NULL-terminated. */
static void answer(struct fw_obs *o, const char *ip, ...)
{
	va_list ap;

	fw_obs_init(o, "x.example", 0);
	va_start(ap, ip);
	for (; ip; ip = va_arg(ap, const char *))
		assert_int_equal(fw_obs_add_addr(o, ip, 60), 0);
	va_end(ap);
}

static uint32_t net_of(struct fw_netidx *x, const char *text, uint64_t now)
{
	struct fw_ip ip;

	assert_int_equal(fw_ip_parse(text, &ip), 0);
	return fw_netidx_of(x, &ip, now);
}

static void join(struct fw_netidx *x, const char *domain, struct fw_obs *o, uint64_t now,
		 struct fw_net_join *j)
{
	assert_int_equal(fw_netidx_join(x, domain, o, 0, now, j), 0);
}

static void founders_and_joiners(void **state)
{
	struct fw_netidx *x = index_of(1024, 3600);
	struct fw_net_info info;
	struct fw_net_join a, b, c;
	struct fw_obs o;

	answer(&o, "11.0.0.1", "11.1.0.1", "11.2.0.1", NULL);
	join(x, "one.example", &o, T0, &a);
	assert_true(a.founded);
	assert_int_equal(a.known, 0);
	assert_int_equal(a.n_domains, 1);

	/* two of its three addresses are one.example's: it joins, 11.3.0.1 too */
	answer(&o, "11.1.0.1", "11.2.0.1", "11.3.0.1", NULL);
	join(x, "two.example", &o, T0 + 10, &b);
	assert_false(b.founded);
	assert_true(b.new_member);
	assert_int_equal(b.id, a.id);
	assert_int_equal(b.known, 2);
	assert_int_equal(b.n_domains, 2);
	assert_int_equal(net_of(x, "11.3.0.1", T0 + 10), a.id);

	/* the same domain again is no new member */
	join(x, "two.example", &o, T0 + 20, &b);
	assert_false(b.new_member);
	assert_int_equal(b.n_domains, 2);

	answer(&o, "14.0.0.9", NULL);
	join(x, "elsewhere.example", &o, T0 + 30, &c);
	assert_true(c.founded);
	assert_int_not_equal(c.id, a.id);

	assert_int_equal(fw_netidx_info(x, a.id, &info), 0);
	assert_int_equal(info.n_domains, 2);
	assert_int_equal(info.n_addrs, 4);
	assert_int_equal(info.n_members, 2);
	assert_string_equal(info.members[0], "one.example"); /* the founder first */
	assert_true(fw_netidx_is_member(x, a.id, "two.example"));
	assert_false(fw_netidx_is_member(x, a.id, "elsewhere.example"));
	assert_int_equal(fw_netidx_addr_count(x), 5);
	fw_netidx_free(x);
}

/*
 * An address of two networks stays with the first: no chain of sharing
 * merges them. Two shared addresses make a member; one is a coincidence.
 */
static void networks_never_merge(void **state)
{
	struct fw_netidx *x = index_of(1024, 3600);
	struct fw_net_join a, b, c;
	struct fw_obs o;

	answer(&o, "12.0.0.1", "12.0.0.2", "12.0.0.3", NULL);
	join(x, "cdn-a.example", &o, T0, &a);
	answer(&o, "13.0.0.1", "13.0.0.2", "13.0.0.3", NULL);
	join(x, "cloud.example", &o, T0, &b);
	/* two addresses of each: a tie goes to the older network */
	answer(&o, "12.0.0.1", "12.0.0.2", "13.0.0.1", "13.0.0.2", "13.0.0.9", NULL);
	join(x, "both.example", &o, T0 + 5, &c);
	assert_int_equal(c.id, a.id);
	assert_int_equal(c.known, 2);
	assert_int_equal(net_of(x, "13.0.0.1", T0 + 5), b.id); /* stays the cloud's */
	assert_int_equal(net_of(x, "13.0.0.9", T0 + 5), a.id); /* a new one joins the winner */
	/* a majority wins over age */
	answer(&o, "12.0.0.3", "13.0.0.1", "13.0.0.2", "13.0.0.3", NULL);
	join(x, "mostly-cloud.example", &o, T0 + 6, &c);
	assert_int_equal(c.id, b.id);
	assert_int_equal(c.known, 3);
	/* one address in common of three: a hosting coincidence, its own network */
	answer(&o, "12.0.0.1", "14.0.0.1", "14.0.0.2", NULL);
	join(x, "neighbour.example", &o, T0 + 7, &c);
	assert_true(c.founded);
	assert_int_equal(net_of(x, "12.0.0.1", T0 + 7), a.id);
	/* ... but a single-address answer that is a network's address joins it */
	answer(&o, "13.0.0.3", NULL);
	join(x, "one-address.example", &o, T0 + 8, &c);
	assert_int_equal(c.id, b.id);
	fw_netidx_free(x);
}

/* A domain whose next answer is all new stays in the network it answered from. */
static void a_rotating_domain_keeps_its_network(void **state)
{
	struct fw_netidx *x = index_of(1024, 3600);
	struct fw_net_join a, b, c;
	struct fw_obs o;

	answer(&o, "11.0.0.1", "11.1.0.1", NULL);
	join(x, "rot.example", &o, T0, &a);
	answer(&o, "11.2.0.1", "11.3.0.1", NULL);
	assert_int_equal(fw_netidx_join(x, "rot.example", &o, a.id, T0 + 60, &b), 0);
	assert_false(b.founded);
	assert_int_equal(b.id, a.id);
	assert_int_equal(net_of(x, "11.3.0.1", T0 + 60), a.id);
	/* a home the domain is no member of is no home: it founds its own */
	answer(&o, "11.4.0.1", NULL);
	assert_int_equal(fw_netidx_join(x, "other.example", &o, a.id, T0 + 70, &c), 0);
	assert_true(c.founded);
	fw_netidx_free(x);
}

static void addresses_leave_after_the_window(void **state)
{
	struct fw_netidx *x = index_of(1024, 600);
	struct fw_net_join a, b;
	struct fw_obs o;

	answer(&o, "11.0.0.1", "11.1.0.1", NULL);
	join(x, "old.example", &o, T0, &a);
	assert_int_equal(net_of(x, "11.0.0.1", T0 + 599), a.id);
	assert_int_equal(net_of(x, "11.0.0.1", T0 + 600), 0);
	join(x, "new.example", &o, T0 + 700, &b);
	assert_true(b.founded); /* nothing was left to join */
	fw_netidx_free(x);
}

/* Full: the least recently seen address goes first, not the oldest inserted. */
static void full_index_evicts_least_recently_seen(void **state)
{
	struct fw_netidx *x = index_of(16, 86400);
	struct fw_net_join j;
	struct fw_obs o;
	char ip[32];
	int i;

	for (i = 0; i < 16; i++) {
		snprintf(ip, sizeof(ip), "11.0.0.%d", i + 1);
		answer(&o, ip, NULL);
		join(x, "fill.example", &o, T0 + i, &j);
	}
	answer(&o, "11.0.0.1", NULL); /* seen again: now the most recent */
	join(x, "fill.example", &o, T0 + 20, &j);
	for (i = 0; i < 3; i++) {
		snprintf(ip, sizeof(ip), "11.9.0.%d", i + 1);
		answer(&o, ip, NULL);
		join(x, "more.example", &o, T0 + 30 + i, &j);
	}
	assert_int_equal(fw_netidx_addr_count(x), 16);
	assert_int_equal(fw_netidx_evictions(x), 3);
	assert_int_not_equal(net_of(x, "11.0.0.1", T0 + 40), 0);
	assert_int_equal(net_of(x, "11.0.0.2", T0 + 40), 0);
	assert_int_equal(net_of(x, "11.0.0.4", T0 + 40), 0);
	assert_int_not_equal(net_of(x, "11.0.0.5", T0 + 40), 0);
	assert_int_not_equal(net_of(x, "11.9.0.3", T0 + 40), 0);
	fw_netidx_free(x);
}

static void flux_marks_expire_and_only_extend(void **state)
{
	struct fw_netidx *x = index_of(1024, 3600);
	struct fw_net_info info;
	struct fw_net_join a;
	struct fw_obs o;

	answer(&o, "11.0.0.1", NULL);
	join(x, "f.example", &o, T0, &a);
	assert_false(fw_netidx_is_flux(x, a.id, T0));
	fw_netidx_mark_flux(x, a.id, T0 + 3600, 81.5);
	fw_netidx_mark_flux(x, a.id, T0 + 100, 90.0); /* never shortens */
	assert_true(fw_netidx_is_flux(x, a.id, T0 + 3599));
	assert_false(fw_netidx_is_flux(x, a.id, T0 + 3600));
	assert_int_equal(fw_netidx_info(x, a.id, &info), 0);
	assert_int_equal(info.flux_until_s, T0 + 3600);
	assert_false(fw_netidx_is_flux(x, 0, T0));
	assert_int_equal(fw_netidx_info(x, a.id + 1, &info), -1);
	fw_netidx_free(x);
}

/* What a restart keeps: networks marked flux, their members and addresses. */
static void saved_flux_networks_come_back(void **state)
{
	struct fw_netidx *x = index_of(1024, 3600), *y = index_of(1024, 3600);
	struct fw_net_join a, b, c;
	struct fw_net_info info;
	char *text = NULL, err[256];
	size_t len = 0;
	struct fw_obs o;
	FILE *f;

	answer(&o, "11.0.0.1", "11.1.0.1", "2001:db8::7", NULL);
	join(x, "evil-one.example", &o, T0, &a);
	answer(&o, "11.1.0.1", "2001:db8::7", "11.2.0.1", NULL);
	join(x, "evil-two.example", &o, T0 + 60, &b);
	assert_int_equal(b.id, a.id);
	answer(&o, "14.0.0.1", NULL);
	join(x, "benign.example", &o, T0, &c);
	fw_netidx_mark_flux(x, a.id, T0 + 3000, 77.25);

	f = open_memstream(&text, &len);
	assert_int_equal(fw_netidx_save(x, f, T0 + 100), 0);
	fclose(f);
	assert_non_null(strstr(text, "evil-one.example,evil-two.example"));
	assert_null(strstr(text, "14.0.0.1")); /* not flux: not worth keeping */

	f = fmemopen(text, len, "r");
	assert_int_equal(fw_netidx_load(y, f, T0 + 200, err, sizeof(err)), 0);
	fclose(f);
	b.id = net_of(y, "2001:db8::7", T0 + 200);
	assert_int_not_equal(b.id, 0);
	assert_int_equal(net_of(y, "11.2.0.1", T0 + 200), b.id);
	assert_true(fw_netidx_is_flux(y, b.id, T0 + 200));
	assert_int_equal(fw_netidx_info(y, b.id, &info), 0);
	assert_int_equal(info.flux_until_s, T0 + 3000);
	assert_int_equal(info.n_domains, 2);
	assert_string_equal(info.members[0], "evil-one.example");
	assert_int_equal(net_of(y, "14.0.0.1", T0 + 200), 0);

	/* a new domain answering from it joins the restored network */
	answer(&o, "11.2.0.1", "11.1.0.1", "11.5.0.1", NULL);
	join(y, "evil-three.example", &o, T0 + 300, &c);
	assert_int_equal(c.id, b.id);
	assert_true(fw_netidx_is_flux(y, c.id, T0 + 300));

	/* loaded past its expiry, nothing comes back */
	fw_netidx_free(y);
	y = index_of(1024, 3600);
	f = fmemopen(text, len, "r");
	assert_int_equal(fw_netidx_load(y, f, T0 + 4000, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(fw_netidx_addr_count(y), 0);
	free(text);
	fw_netidx_free(x);
	fw_netidx_free(y);
}

/* A restart keeps every time, also of a network older than the file's first one. */
static void a_restart_keeps_the_times_of_older_networks(void **state)
{
	char text[] = "# fluxwall flux networks 1\n"
		      "network\t1\t1699990000\t1699999000\t1700090000\t80.00\t2\tnew.example\n"
		      "network\t2\t1699900000\t1699999500\t1700090000\t90.00\t2\told.example\n"
		      "address\t2\t192.0.2.9\t1699999500\n",
	     *saved = NULL, err[256];
	struct fw_netidx *x = index_of(1024, 3600);
	struct fw_net_info info;
	size_t len = 0;
	FILE *f = fmemopen(text, strlen(text), "r");

	assert_int_equal(fw_netidx_load(x, f, T0, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(fw_netidx_info(x, net_of(x, "192.0.2.9", T0), &info), 0);
	assert_string_equal(info.members[0], "old.example");
	assert_int_equal(info.first_seen_s, 1699900000);
	assert_int_equal(info.last_seen_s, 1699999500);
	f = open_memstream(&saved, &len);
	assert_int_equal(fw_netidx_save(x, f, T0), 0);
	fclose(f);
	assert_non_null(strstr(saved, "\t1699900000\t1699999500\t1700090000\t90.00\t2\told.example\n"));
	assert_non_null(strstr(saved, "\t192.0.2.9\t1699999500\n"));
	free(saved);
	fw_netidx_free(x);
}

static void a_bad_networks_file_is_refused_with_its_line(void **state)
{
	struct fw_netidx *x = index_of(1024, 3600);
	char text[] = "# fluxwall flux networks 1\nnetwork\t1\tgarbage\n", err[256];
	FILE *f = fmemopen(text, strlen(text), "r");

	assert_int_equal(fw_netidx_load(x, f, T0, err, sizeof(err)), -1);
	fclose(f);
	assert_non_null(strstr(err, "line 2"));
	fw_netidx_free(x);
}

static void out_of_range_sizes_are_refused(void **state)
{
	struct fw_netidx_params p;
	char err[256];

	fw_netidx_params_default(&p);
	p.max_addrs = 3;
	assert_null(fw_netidx_new(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "out of range"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(founders_and_joiners),
	    cmocka_unit_test(networks_never_merge),
	    cmocka_unit_test(a_rotating_domain_keeps_its_network),
	    cmocka_unit_test(addresses_leave_after_the_window),
	    cmocka_unit_test(full_index_evicts_least_recently_seen),
	    cmocka_unit_test(flux_marks_expire_and_only_extend),
	    cmocka_unit_test(saved_flux_networks_come_back),
	    cmocka_unit_test(a_restart_keeps_the_times_of_older_networks),
	    cmocka_unit_test(a_bad_networks_file_is_refused_with_its_line),
	    cmocka_unit_test(out_of_range_sizes_are_refused),
	};

	return cmocka_run_group_tests_name("flux_network", tests, NULL, NULL);
}
