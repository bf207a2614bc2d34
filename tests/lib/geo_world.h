/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small synthetic Internet for scorer tests: ASN and City databases made
 * with scripts/mkmmdb.pl in a private directory (run tests from the
 * repository root).
 *
 *   11.N.0.0/16   residential ISP N (N < FW_WORLD_NETS), ASN 64600+N, one of
 *                 ten countries on five continents (fw_world_cc[N % 10])
 *   12.0.0.0/16   CDN one, ASN 20940;  12.1.0.0/16 CDN two, ASN 16625; Boston
 *   13.0.0.0/12   a cloud, ASN 16509, Virginia
 *   14.0.0.0/24   a hoster, ASN 64999, Frankfurt
 */
#ifndef FW_TEST_GEO_WORLD_H
#define FW_TEST_GEO_WORLD_H

#include "engine/geo.h"

#define FW_WORLD_NETS 40

struct fw_world {
	char dir[64];
	struct fw_geo *geo;
};

extern const char *const fw_world_cc[10];

/* cmocka group setup and teardown: *state becomes a struct fw_world. */
int fw_world_setup(void **state);
int fw_world_teardown(void **state);

#endif /* FW_TEST_GEO_WORLD_H */
