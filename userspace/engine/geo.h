/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Address to network and place, from MaxMind DB files: an ASN database, a
 * country database and a city database, each optional. Two layouts are
 * understood and told apart per file:
 *   - MaxMind GeoLite2: autonomous_system_number; country.iso_code
 *     (registered_country.iso_code as a fallback); location.latitude and
 *     location.longitude;
 *   - the flat layout of the @ip-location-db packages: country_code,
 *     latitude, longitude (and autonomous_system_number for ASN files).
 */
#ifndef FW_GEO_H
#define FW_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/observation.h"

enum fw_geo_db {
	FW_GEO_DB_ASN,
	FW_GEO_DB_COUNTRY,
	FW_GEO_DB_CITY,
	FW_GEO_DB_MAX,
};

enum fw_geo_layout {
	FW_GEO_LAYOUT_NONE,    /* no database loaded */
	FW_GEO_LAYOUT_MAXMIND, /* nested GeoLite2 records */
	FW_GEO_LAYOUT_FLAT,    /* @ip-location-db records */
};

/* Bits of fw_geo_features(). */
#define FW_GEO_HAS_ASN	    (1u << 0)
#define FW_GEO_HAS_COUNTRY  (1u << 1)
#define FW_GEO_HAS_LOCATION (1u << 2)

struct fw_geo_info {
	uint32_t asn;	 /* 0: unknown */
	char country[3]; /* ISO 3166-1 alpha-2, "" when unknown */
	bool has_location;
	double latitude; /* degrees, valid when has_location */
	double longitude;
};

struct fw_geo;

/* An empty set: every lookup answers "unknown". NULL when out of memory. */
struct fw_geo *fw_geo_new(void);

/*
 * Load one database. Returns 0 when loaded; 1 when path is NULL, empty or
 * names no file (the features it gives stay unavailable and
 * fw_geo_status() says why); -1 when the file is unreadable, corrupt or of
 * an unknown layout, with err naming the file and the fix. A database
 * already loaded in that slot is replaced only on success.
 */
int fw_geo_load(struct fw_geo *g, enum fw_geo_db which, const char *path, char *err, size_t errlen);

/* fw_geo_new() plus the three loads; NULL (and err) when any file is broken. */
struct fw_geo *fw_geo_open(const char *asn_path, const char *country_path, const char *city_path,
			   char *err, size_t errlen);

/*
 * For the daemon: like fw_geo_open, but a broken file leaves its features
 * unavailable instead of failing (fw_geo_status() says why); warn gets one
 * line per broken file. NULL only when out of memory.
 */
struct fw_geo *fw_geo_open_degraded(const char *asn_path, const char *country_path,
				    const char *city_path, char *warn, size_t warnlen);

/*
 * Load again every configured database whose file changed (replaced,
 * rewritten, appeared, removed) since it was last tried; a broken new file
 * leaves the one loaded before in use. fn gets one line per change.
 * Databases are read into private memory, so a file rewritten in place
 * never disturbs the lookups.
 */
typedef void (*fw_geo_note_fn)(const char *msg, void *ctx);
void fw_geo_recheck(struct fw_geo *g, fw_geo_note_fn fn, void *ctx);

void fw_geo_close(struct fw_geo *g);

/*
 * Look ip up in every loaded database. Unknown parts stay 0/"". g may be
 * NULL. Returns -1 when a database failed while reading this address (a
 * corrupt region); the failure is counted in fw_geo_errors() and the other
 * databases still answer.
 */
int fw_geo_lookup(struct fw_geo *g, const struct fw_ip *ip, struct fw_geo_info *out);

/* FW_GEO_HAS_* bits of the features the loaded databases can give. */
unsigned fw_geo_features(const struct fw_geo *g);

enum fw_geo_layout fw_geo_layout(const struct fw_geo *g, enum fw_geo_db which);

/* Lookups that hit a corrupt database region since the set was made. */
uint64_t fw_geo_errors(const struct fw_geo *g);

/*
 * One line per feature for `status`, e.g.
 *   "asn: /var/lib/fluxwall/asn.mmdb (flat layout)\n"
 *   "location: unavailable: no city database configured (--geo-city)\n"
 */
void fw_geo_status(const struct fw_geo *g, char *buf, size_t len);

const char *fw_geo_layout_name(enum fw_geo_layout layout);

#endif /* FW_GEO_H */
