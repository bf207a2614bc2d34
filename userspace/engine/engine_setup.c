// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Detector parameters and geo databases from the configuration. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine_setup.h"

#ifndef FW_DATADIR
#define FW_DATADIR "/usr/local/share/fluxwall"
#endif

/*
 * The shipped protected list: installed under FW_DATADIR, under the share
 * directory next to the binary (whatever PREFIX it was installed with), or
 * in the source tree next to build/.
 */
static const char *shipped_protected_list(void)
{
	static const char *const rel[] = {"../share/fluxwall/protected-domains.txt",
					  "../data/protected-domains.txt"};
	static char path[4200];
	char exe[4096], *slash;
	ssize_t n;
	size_t i;

	if (!access(FW_DATADIR "/protected-domains.txt", R_OK))
		return FW_DATADIR "/protected-domains.txt";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", exe, rel[i]);
		if (!access(path, R_OK))
			return path;
	}
	return NULL;
}

void fw_engine_params(const struct fw_conf *c, struct fw_detector_params *p)
{
	fw_detector_params_default(p);
	p->ds.max_domains = (uint32_t)c->max_domains;
	p->ds.window_s = (uint32_t)c->window;
	p->net.window_s = (uint32_t)c->window;
	p->net.max_addrs = (uint32_t)c->max_addresses;
	p->net.max_networks = p->net.max_addrs / 8 > 4 ? p->net.max_addrs / 8 : 4;
#define FW_SCORE_PARAM(name, def, min, max, help) p->score.name = c->score_##name;
#include "formats/score_params.h"
#undef FW_SCORE_PARAM
	p->ab.expiry_s = (uint32_t)c->auto_expiry;
	p->ab.max_new_per_min = c->auto_block ? (uint32_t)c->auto_max_per_minute : 0;
	p->protected_path = c->protected_list;
	if (!p->protected_path || !*p->protected_path) {
		p->protected_path = shipped_protected_list();
		if (!p->protected_path)
			p->protected_path =
			    FW_DATADIR "/protected-domains.txt"; /* named in the error */
	}
}

static const char *present(const char *path)
{
	return path && *path && !access(path, R_OK) ? path : NULL;
}

struct fw_geo *fw_engine_geo(const struct fw_conf *c, char *note, size_t notelen, char *err,
			     size_t errlen)
{
	struct fw_geo *g = fw_geo_open(present(c->geo_asn_db), present(c->geo_country_db),
				       present(c->geo_city_db), err, errlen);

	if (g)
		fw_geo_status(g, note, notelen);
	return g;
}

struct fw_geo *fw_engine_geo_degraded(const struct fw_conf *c, char *note, size_t notelen,
				      char *warn, size_t warnlen)
{
	struct fw_geo *g =
	    fw_geo_open_degraded(c->geo_asn_db, c->geo_country_db, c->geo_city_db, warn, warnlen);

	if (g)
		fw_geo_status(g, note, notelen);
	return g;
}
