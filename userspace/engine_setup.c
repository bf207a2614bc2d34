// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Detector parameters and geo databases from the configuration. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine_setup.h"

void fw_engine_params(const struct fw_conf *c, struct fw_detector_params *p)
{
	fw_detector_params_default(p);
	p->ds.max_domains = (uint32_t)c->max_domains;
	p->ds.window_s = (uint32_t)c->window;
	if (c->src[FW_CONF_OPT_score_threshold] != FW_CONF_SRC_DEFAULT)
		p->score.threshold = c->score_threshold;
	p->ab.expiry_s = (uint32_t)c->auto_expiry;
	p->ab.max_new_per_min = c->auto_block ? (uint32_t)c->auto_max_per_minute : 0;
	p->protected_path = c->protected_list;
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
