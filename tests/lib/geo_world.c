// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The synthetic geo databases of geo_world.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "geo_world.h"
#include "xdp_harness.h"

const char *const fw_world_cc[10] = {"US", "DE", "BR", "IN", "RU", "CN", "TR", "VN", "UA", "MX"};
static const double lat[10] = {40.7, 52.5, -23.5, 19.1, 55.8, 31.2, 41.0, 10.8, 50.4, 19.4};
static const double lon[10] = {-74.0, 13.4, -46.6, 72.9, 37.6, 121.5, 29.0, 106.7, 30.5, -99.1};

static int write_csvs(const char *dir)
{
	char path[128];
	FILE *a, *c;
	int n;

	snprintf(path, sizeof(path), "%s/asn.csv", dir);
	a = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/city.csv", dir);
	c = fopen(path, "w");
	if (!a || !c)
		return -1;
	for (n = 0; n < FW_WORLD_NETS; n++) {
		fprintf(a, "11.%d.0.0,11.%d.255.255,%d,Residential ISP %d\n", n, n, 64600 + n, n);
		fprintf(c, "11.%d.0.0,11.%d.255.255,%s,,,,,%.2f,%.2f,\n", n, n, fw_world_cc[n % 10],
			lat[n % 10] + n * 0.1, lon[n % 10]);
	}
	fprintf(a, "12.0.0.0,12.0.255.255,20940,CDN one\n12.1.0.0,12.1.255.255,16625,CDN two\n");
	fprintf(c, "12.0.0.0,12.1.255.255,US,,,,,42.36,-71.06,\n");
	fprintf(a, "13.0.0.0,13.15.255.255,16509,Cloud\n");
	fprintf(c, "13.0.0.0,13.15.255.255,US,,,,,39.04,-77.49,\n");
	fprintf(a, "14.0.0.0,14.0.0.255,64999,Hoster\n");
	fprintf(c, "14.0.0.0,14.0.0.255,DE,,,,,50.11,8.68,\n");
	return fclose(a) | fclose(c);
}

int fw_world_setup(void **state)
{
	static struct fw_world w;
	char asn_db[128], city_db[128], cmd[PATH_MAX * 2 + 512], err[512];

	snprintf(w.dir, sizeof(w.dir), "/tmp/fw-test-world-XXXXXX");
	if (!mkdtemp(w.dir) || write_csvs(w.dir))
		return -1;
	snprintf(asn_db, sizeof(asn_db), "%s/asn.mmdb", w.dir);
	snprintf(city_db, sizeof(city_db), "%s/city.mmdb", w.dir);
	snprintf(cmd, sizeof(cmd),
		 "perl %s/scripts/mkmmdb.pl --kind asn --out %s %s/asn.csv && "
		 "perl %s/scripts/mkmmdb.pl --kind city --out %s %s/city.csv",
		 fwh_repo_root(), asn_db, w.dir, fwh_repo_root(), city_db, w.dir);
	if (system(cmd) != 0)
		return -1;
	w.geo = fw_geo_open(asn_db, NULL, city_db, err, sizeof(err));
	if (!w.geo) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = &w;
	return 0;
}

int fw_world_teardown(void **state)
{
	struct fw_world *w = *state;
	char cmd[128];

	if (!w)
		return 0; /* the setup failed before making it */
	fw_geo_close(w->geo);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", w->dir);
	return system(cmd) == 0 ? 0 : -1;
}
