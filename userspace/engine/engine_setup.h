/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Detector parameters and geo databases from the configuration. */
#ifndef FW_ENGINE_SETUP_H
#define FW_ENGINE_SETUP_H

#include <stddef.h>

#include "formats/conf.h"
#include "engine/detector.h"
#include "engine/geo.h"

void fw_engine_params(const struct fw_conf *c, struct fw_detector_params *p);

/*
 * Open the configured geo databases. A missing file only disables the
 * features that need it (note says which); a corrupt one is an error.
 */
struct fw_geo *fw_engine_geo(const struct fw_conf *c, char *note, size_t notelen, char *err,
			     size_t errlen);

/*
 * For the daemon: a broken or missing database leaves its features out
 * (warn says which and why) instead of stopping; NULL only when out of memory.
 */
struct fw_geo *fw_engine_geo_degraded(const struct fw_conf *c, char *note, size_t notelen,
				      char *warn, size_t warnlen);

#endif /* FW_ENGINE_SETUP_H */
