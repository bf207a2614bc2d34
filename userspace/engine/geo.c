// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* MaxMind DB lookups for ASN, country and location, in either known layout. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/geo.h"

/* Data records decoded at load time to catch a corrupt data section early. */
#define GEO_CHECK_RECORDS 64

/* Which version of a file was last tried: a change means "load it again". */
struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime; /* all zero: no file */
};

struct geo_db {
	MMDB_s mmdb;
	bool open;
	enum fw_geo_layout layout;
	char path[PATH_MAX];
	char why_absent[PATH_MAX + 1024]; /* set when a configured file was missing or bad */
	char want[PATH_MAX];		  /* the configured path, watched by fw_geo_recheck */
	struct file_id seen;
};

#define FW_GEO_CACHE_SLOTS 262144 /* about 12 MiB */

struct geo_cache_entry {
	uint8_t family; /* 0: empty */
	uint8_t prefix[6];
	struct fw_geo_info info;
};

struct fw_geo {
	struct geo_db db[FW_GEO_DB_MAX];
	uint64_t errors;
	struct geo_cache_entry cache[FW_GEO_CACHE_SLOTS];
};

static const char *const db_label[FW_GEO_DB_MAX] = {"ASN", "country", "city"};
static const char *const db_flag[FW_GEO_DB_MAX] = {"--geo-asn", "--geo-country", "--geo-city"};

const char *fw_geo_layout_name(enum fw_geo_layout layout)
{
	switch (layout) {
	case FW_GEO_LAYOUT_MAXMIND:
		return "MaxMind layout";
	case FW_GEO_LAYOUT_FLAT:
		return "flat layout";
	default:
		return "none";
	}
}

struct fw_geo *fw_geo_new(void)
{
	return calloc(1, sizeof(struct fw_geo));
}

static void close_db(struct geo_db *d)
{
	if (d->open)
		MMDB_close(&d->mmdb);
	d->open = false;
	d->layout = FW_GEO_LAYOUT_NONE;
}

void fw_geo_close(struct fw_geo *g)
{
	int i;

	if (!g)
		return;
	for (i = 0; i < FW_GEO_DB_MAX; i++)
		close_db(&g->db[i]);
	free(g);
}

static bool has_value(MMDB_entry_s *entry, const char *const *path)
{
	MMDB_entry_data_s data;

	return MMDB_aget_value(entry, &data, path) == MMDB_SUCCESS && data.has_data;
}

/* Which layout a record uses, from the keys present at its top level. */
static enum fw_geo_layout layout_of_record(MMDB_entry_s *entry)
{
	static const char *const flat_cc[] = {"country_code", NULL};
	static const char *const flat_lat[] = {"latitude", NULL};
	static const char *const mm_cc[] = {"country", NULL};
	static const char *const mm_reg[] = {"registered_country", NULL};
	static const char *const mm_loc[] = {"location", NULL};
	static const char *const asn[] = {"autonomous_system_number", NULL};

	if (has_value(entry, flat_cc) || has_value(entry, flat_lat))
		return FW_GEO_LAYOUT_FLAT;
	if (has_value(entry, mm_cc) || has_value(entry, mm_reg) || has_value(entry, mm_loc) ||
	    has_value(entry, asn))
		return FW_GEO_LAYOUT_MAXMIND;
	return FW_GEO_LAYOUT_NONE;
}

/* Decode a whole record; a corrupt data section fails here. */
static int check_record(MMDB_s *mmdb, uint64_t record, const char **why)
{
	MMDB_entry_data_list_s *list = NULL;
	MMDB_entry_s entry = {.mmdb = mmdb};
	int rc;

	entry.offset = (uint32_t)(record - mmdb->metadata.node_count - 16);
	rc = MMDB_get_entry_data_list(&entry, &list);
	MMDB_free_entry_data_list(list);
	if (rc != MMDB_SUCCESS) {
		*why = MMDB_strerror(rc);
		return -1;
	}
	return 0;
}

struct tree_walk {
	uint32_t node[260];
	uint32_t depth[260];
	int top;
};

/*
 * Walk the search tree: every record must be a node, empty or data, and
 * the first data records must decode. Sets *layout from the first record
 * whose keys are known. Bounded: aliased IPv4 subtrees are walked a few
 * times at most and a cyclic (corrupt) tree stops at the visit budget.
 */
static int check_tree(MMDB_s *mmdb, enum fw_geo_layout *layout, const char **why)
{
	uint64_t budget = 4ull * mmdb->metadata.node_count + 16;
	uint32_t depth_max = mmdb->metadata.ip_version == 6 ? 128 : 32;
	struct tree_walk w = {.top = 0};
	unsigned checked = 0;

	*layout = FW_GEO_LAYOUT_NONE;
	w.node[0] = 0;
	w.depth[0] = 0;
	w.top = 1;
	while (w.top > 0 && budget-- > 0) {
		MMDB_search_node_s sn;
		uint32_t node, depth;
		int side;

		w.top--;
		node = w.node[w.top];
		depth = w.depth[w.top];
		if (MMDB_read_node(mmdb, node, &sn) != MMDB_SUCCESS) {
			*why = "search tree points outside itself";
			return -1;
		}
		for (side = 0; side < 2; side++) {
			uint64_t rec = side ? sn.right_record : sn.left_record;
			uint8_t type = side ? sn.right_record_type : sn.left_record_type;
			MMDB_entry_s entry = side ? sn.right_record_entry : sn.left_record_entry;

			switch (type) {
			case MMDB_RECORD_TYPE_SEARCH_NODE:
				if (depth + 1 >= depth_max) {
					*why = "search tree deeper than the address length";
					return -1;
				}
				w.node[w.top] = (uint32_t)rec;
				w.depth[w.top] = depth + 1;
				w.top++;
				break;
			case MMDB_RECORD_TYPE_DATA:
				if (checked >= GEO_CHECK_RECORDS)
					break;
				checked++;
				if (check_record(mmdb, rec, why) < 0)
					return -1;
				if (*layout == FW_GEO_LAYOUT_NONE)
					*layout = layout_of_record(&entry);
				break;
			case MMDB_RECORD_TYPE_EMPTY:
				break;
			default:
				*why = "search tree record points past the data section";
				return -1;
			}
		}
	}
	return 0;
}

static struct file_id id_of(const struct stat *st)
{
	return (struct file_id){
	    .dev = st->st_dev, .ino = st->st_ino, .size = st->st_size, .mtime = st->st_mtim};
}

static bool same_id(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/*
 * A private copy of the file, in memory: libmaxminddb maps the file it
 * opens, and a database rewritten in place (cp over it, an interrupted
 * download) would then pull pages out from under the lookups (SIGBUS).
 * The copy is what gets mapped. Returns its fd, or -1 with errno; *id is
 * the version of the file that was copied.
 */
static int private_copy(const char *path, struct file_id *id)
{
	int in = open(path, O_RDONLY | O_CLOEXEC), out = -1, e;
	struct stat st;
	off_t off = 0;

	if (in < 0 || fstat(in, &st))
		goto fail;
	*id = id_of(&st);
	out = memfd_create("fluxwall-geo", MFD_CLOEXEC);
	if (out < 0)
		goto fail;
	while (off < st.st_size) {
		ssize_t n = sendfile(out, in, &off, (size_t)(st.st_size - off));

		if (n < 0)
			goto fail;
		if (n == 0)
			break; /* shrunk while copied: the checks below judge what came */
	}
	close(in);
	return out;
fail:
	e = errno;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	errno = e;
	return -1;
}

static int open_checked(struct geo_db *d, enum fw_geo_db which, const char *path, char *err,
			size_t errlen)
{
	enum fw_geo_layout layout;
	const char *why = NULL;
	char copy[64];
	int rc, fd;

	fd = private_copy(path, &d->seen);
	if (fd < 0) {
		snprintf(err, errlen,
			 "%s database %s: cannot read it (%s); check the path and permissions",
			 db_label[which], path, strerror(errno));
		return -1;
	}
	snprintf(copy, sizeof(copy), "/proc/self/fd/%d", fd);
	rc = MMDB_open(copy, MMDB_MODE_MMAP, &d->mmdb);
	close(fd); /* the mapping keeps the copy */
	if (rc != MMDB_SUCCESS) {
		if (rc == MMDB_IO_ERROR)
			snprintf(
			    err, errlen,
			    "%s database %s: cannot read it (%s); check the path and permissions",
			    db_label[which], path, strerror(errno));
		else
			snprintf(
			    err, errlen,
			    "%s database %s: not a valid MaxMind DB file (%s); download it again",
			    db_label[which], path, MMDB_strerror(rc));
		return -1;
	}
	if (check_tree(&d->mmdb, &layout, &why) < 0) {
		snprintf(err, errlen, "%s database %s: corrupt (%s); download it again",
			 db_label[which], path, why);
		MMDB_close(&d->mmdb);
		return -1;
	}
	if (layout == FW_GEO_LAYOUT_NONE) {
		snprintf(err, errlen,
			 "%s database %s: records have none of the known fields "
			 "(autonomous_system_number, country, location, country_code, latitude); "
			 "is it the right kind of database?",
			 db_label[which], path);
		MMDB_close(&d->mmdb);
		return -1;
	}
	d->layout = layout;
	d->open = true;
	return 0;
}

int fw_geo_load(struct fw_geo *g, enum fw_geo_db which, const char *path, char *err, size_t errlen)
{
	struct geo_db *d = &g->db[which];
	struct geo_db fresh;

	if (!path || !*path)
		return 1;
	if (path != d->want) /* fw_geo_recheck passes it */
		snprintf(d->want, sizeof(d->want), "%s", path);
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		memset(&d->seen, 0, sizeof(d->seen));
		if (!d->open)
			snprintf(d->why_absent, sizeof(d->why_absent), "%s not found", path);
		return 1;
	}
	memset(&fresh, 0, sizeof(fresh));
	if (open_checked(&fresh, which, path, err, errlen) < 0) {
		d->seen = fresh.seen; /* that version is not tried again */
		return -1;
	}
	snprintf(fresh.path, sizeof(fresh.path), "%s", path);
	memcpy(fresh.want, d->want, sizeof(fresh.want));
	close_db(d);
	*d = fresh;
	memset(g->cache, 0, sizeof(g->cache)); /* answers of the old file */
	return 0;
}

struct fw_geo *fw_geo_open_degraded(const char *asn_path, const char *country_path,
				    const char *city_path, char *warn, size_t warnlen)
{
	const char *paths[FW_GEO_DB_MAX] = {asn_path, country_path, city_path};
	struct fw_geo *g = fw_geo_new();
	char err[PATH_MAX + 512];
	size_t off = 0;
	int i;

	if (warnlen)
		warn[0] = '\0';
	if (!g)
		return NULL;
	for (i = 0; i < FW_GEO_DB_MAX; i++) {
		if (fw_geo_load(g, (enum fw_geo_db)i, paths[i], err, sizeof(err)) >= 0)
			continue;
		snprintf(g->db[i].why_absent, sizeof(g->db[i].why_absent), "%s", err);
		if (off < warnlen)
			off += (size_t)snprintf(warn + off, warnlen - off,
						"%s; scoring goes on without it\n", err);
	}
	return g;
}

/* One watched database: reload it when its file changed since last tried. */
static void recheck_one(struct fw_geo *g, enum fw_geo_db which, fw_geo_note_fn fn, void *ctx)
{
	struct geo_db *d = &g->db[which];
	char err[PATH_MAX + 512], msg[PATH_MAX + 1024];
	struct file_id id = {0};
	struct stat st;
	bool was_open = d->open;

	if (!d->want[0])
		return;
	if (!stat(d->want, &st))
		id = id_of(&st);
	if (same_id(&id, &d->seen))
		return;
	d->seen = id;
	if (!id.ino) {
		snprintf(msg, sizeof(msg), "%s database %s was removed; %s", db_label[which],
			 d->want,
			 was_open ? "the copy loaded before stays in use"
				  : "its features stay unavailable");
	} else if (fw_geo_load(g, which, d->want, err, sizeof(err)) == 0) {
		snprintf(msg, sizeof(msg), "%s database %s %s (%s)", db_label[which], d->want,
			 was_open ? "changed: reloaded" : "is usable now: loaded",
			 fw_geo_layout_name(d->layout));
	} else {
		if (!was_open)
			snprintf(d->why_absent, sizeof(d->why_absent), "%s", err);
		snprintf(msg, sizeof(msg), "%s database changed but cannot be used: %s; %s",
			 db_label[which], err,
			 was_open ? "the copy loaded before stays in use"
				  : "its features stay unavailable");
	}
	fn(msg, ctx);
}

void fw_geo_recheck(struct fw_geo *g, fw_geo_note_fn fn, void *ctx)
{
	int i;

	for (i = 0; g && i < FW_GEO_DB_MAX; i++)
		recheck_one(g, (enum fw_geo_db)i, fn, ctx);
}

struct fw_geo *fw_geo_open(const char *asn_path, const char *country_path, const char *city_path,
			   char *err, size_t errlen)
{
	const char *paths[FW_GEO_DB_MAX] = {asn_path, country_path, city_path};
	struct fw_geo *g = fw_geo_new();
	int i;

	if (!g) {
		snprintf(err, errlen, "out of memory opening the geo databases");
		return NULL;
	}
	for (i = 0; i < FW_GEO_DB_MAX; i++) {
		if (fw_geo_load(g, (enum fw_geo_db)i, paths[i], err, errlen) < 0) {
			fw_geo_close(g);
			return NULL;
		}
	}
	return g;
}

static bool data_to_u32(const MMDB_entry_data_s *d, uint32_t *out)
{
	char *end;
	unsigned long v;

	switch (d->type) {
	case MMDB_DATA_TYPE_UINT16:
		*out = d->uint16;
		return true;
	case MMDB_DATA_TYPE_UINT32:
		*out = d->uint32;
		return true;
	case MMDB_DATA_TYPE_INT32:
		*out = d->int32 > 0 ? (uint32_t)d->int32 : 0;
		return true;
	case MMDB_DATA_TYPE_UINT64:
		*out = d->uint64 <= UINT32_MAX ? (uint32_t)d->uint64 : 0;
		return true;
	case MMDB_DATA_TYPE_UTF8_STRING: {
		char buf[16];
		size_t n = d->data_size < sizeof(buf) - 1 ? d->data_size : sizeof(buf) - 1;

		memcpy(buf, d->utf8_string, n);
		buf[n] = '\0';
		v = strtoul(buf[0] == 'A' && buf[1] == 'S' ? buf + 2 : buf, &end, 10);
		if (*end || v > UINT32_MAX)
			return false;
		*out = (uint32_t)v;
		return true;
	}
	default:
		return false;
	}
}

static bool data_to_double(const MMDB_entry_data_s *d, double *out)
{
	char buf[32], *end;
	size_t n;

	switch (d->type) {
	case MMDB_DATA_TYPE_DOUBLE:
		*out = d->double_value;
		return true;
	case MMDB_DATA_TYPE_FLOAT:
		*out = d->float_value;
		return true;
	case MMDB_DATA_TYPE_UTF8_STRING:
		n = d->data_size < sizeof(buf) - 1 ? d->data_size : sizeof(buf) - 1;
		memcpy(buf, d->utf8_string, n);
		buf[n] = '\0';
		*out = strtod(buf, &end);
		return end != buf && !*end;
	default:
		return false;
	}
}

/* -1 on a corrupt region, 0 when absent or of another type, 1 when read. */
static int get_data(MMDB_entry_s *entry, const char *const *path, MMDB_entry_data_s *data)
{
	int rc = MMDB_aget_value(entry, data, path);

	if (rc == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return 0;
	if (rc != MMDB_SUCCESS)
		return -1;
	return data->has_data ? 1 : 0;
}

static int get_u32(MMDB_entry_s *entry, const char *const *path, uint32_t *out)
{
	MMDB_entry_data_s data;
	int rc = get_data(entry, path, &data);

	if (rc <= 0)
		return rc;
	return data_to_u32(&data, out) ? 1 : 0;
}

static int get_double(MMDB_entry_s *entry, const char *const *path, double *out)
{
	MMDB_entry_data_s data;
	int rc = get_data(entry, path, &data);

	if (rc <= 0)
		return rc;
	return data_to_double(&data, out) ? 1 : 0;
}

static int get_country(MMDB_entry_s *entry, const char *const *path, char out[3])
{
	MMDB_entry_data_s data;
	int rc = get_data(entry, path, &data);

	if (rc <= 0)
		return rc;
	if (data.type != MMDB_DATA_TYPE_UTF8_STRING || data.data_size != 2)
		return 0;
	out[0] = data.utf8_string[0];
	out[1] = data.utf8_string[1];
	out[2] = '\0';
	return 1;
}

static void ip_to_sockaddr(const struct fw_ip *ip, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, ip->addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, ip->addr, 16);
	}
}

/*
 * 1 found, 0 not in this database, -1 corrupt. *longest grows to the prefix
 * length of the database node that answered, so the caller knows how wide
 * a network shares this answer.
 */
static int find_entry(struct geo_db *d, const struct fw_ip *ip, MMDB_entry_s *entry,
		      unsigned *longest)
{
	struct sockaddr_storage ss;
	MMDB_lookup_result_s res;
	int mmdb_err = MMDB_SUCCESS;

	if (!d->open)
		return 0;
	ip_to_sockaddr(ip, &ss);
	res = MMDB_lookup_sockaddr(&d->mmdb, (struct sockaddr *)&ss, &mmdb_err);
	if (mmdb_err == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
		return 0;
	if (mmdb_err != MMDB_SUCCESS)
		return -1;
	if (res.netmask > *longest)
		*longest = res.netmask;
	if (!res.found_entry)
		return 0;
	*entry = res.entry;
	return 1;
}

static int lookup_asn(struct geo_db *d, const struct fw_ip *ip, struct fw_geo_info *out,
		      unsigned *longest)
{
	static const char *const asn[] = {"autonomous_system_number", NULL};
	MMDB_entry_s entry;
	int rc = find_entry(d, ip, &entry, longest);

	if (rc <= 0)
		return rc;
	return get_u32(&entry, asn, &out->asn) < 0 ? -1 : 0;
}

static int lookup_country(struct geo_db *d, MMDB_entry_s *entry, struct fw_geo_info *out)
{
	static const char *const flat[] = {"country_code", NULL};
	static const char *const mm[] = {"country", "iso_code", NULL};
	static const char *const mm_reg[] = {"registered_country", "iso_code", NULL};
	int rc;

	if (d->layout == FW_GEO_LAYOUT_FLAT)
		return get_country(entry, flat, out->country);
	rc = get_country(entry, mm, out->country);
	if (rc == 0)
		rc = get_country(entry, mm_reg, out->country);
	return rc;
}

static int lookup_location(struct geo_db *d, MMDB_entry_s *entry, struct fw_geo_info *out)
{
	static const char *const flat_lat[] = {"latitude", NULL};
	static const char *const flat_lon[] = {"longitude", NULL};
	static const char *const mm_lat[] = {"location", "latitude", NULL};
	static const char *const mm_lon[] = {"location", "longitude", NULL};
	bool flat = d->layout == FW_GEO_LAYOUT_FLAT;
	double lat, lon;
	int a, b;

	a = get_double(entry, flat ? flat_lat : mm_lat, &lat);
	b = get_double(entry, flat ? flat_lon : mm_lon, &lon);
	if (a < 0 || b < 0)
		return -1;
	if (a && b && lat >= -90.0 && lat <= 90.0 && lon >= -180.0 && lon <= 180.0) {
		out->has_location = true;
		out->latitude = lat;
		out->longitude = lon;
	}
	return 1;
}

/* Country from the country database, else the city one; location from the city one. */
static int lookup_place(struct fw_geo *g, const struct fw_ip *ip, struct fw_geo_info *out,
			unsigned *longest)
{
	struct geo_db *country = &g->db[FW_GEO_DB_COUNTRY];
	struct geo_db *city = &g->db[FW_GEO_DB_CITY];
	MMDB_entry_s entry;
	int failed = 0, rc;

	rc = find_entry(country, ip, &entry, longest);
	if (rc > 0)
		rc = lookup_country(country, &entry, out);
	failed |= rc < 0;
	rc = find_entry(city, ip, &entry, longest);
	if (rc > 0) {
		if (!out->country[0])
			failed |= lookup_country(city, &entry, out) < 0;
		rc = lookup_location(city, &entry, out);
	}
	failed |= rc < 0;
	return failed ? -1 : 0;
}

/*
 * Answers are cached per /24 (IPv4) or /48 (IPv6), but only when every
 * database answered from a network at least that wide, so a cached answer
 * is exactly what a lookup would return. Flux answers bring new addresses
 * all the time, mostly from networks already seen.
 */
static size_t cache_slot(const struct fw_ip *ip)
{
	const uint8_t *a = ip->addr;
	uint64_t h = ip->family == AF_INET ? ((uint64_t)a[0] << 16 | a[1] << 8 | a[2])
					   : ((uint64_t)a[0] << 40 | (uint64_t)a[1] << 32 |
					      (uint64_t)a[2] << 24 | a[3] << 16 | a[4] << 8 | a[5]);

	h = (h ^ (ip->family == AF_INET6 ? 0x9e3779b97f4a7c15ULL : 0)) * 0xff51afd7ed558ccdULL;
	return (size_t)(h >> 48) & (FW_GEO_CACHE_SLOTS - 1);
}

static bool cache_key_equal(const struct geo_cache_entry *c, const struct fw_ip *ip)
{
	return c->family == ip->family &&
	       !memcmp(c->prefix, ip->addr, ip->family == AF_INET ? 3 : 6);
}

static int uncached_lookup(struct fw_geo *g, const struct fw_ip *ip, struct fw_geo_info *out,
			   unsigned *longest)
{
	int failed = 0;

	if (lookup_asn(&g->db[FW_GEO_DB_ASN], ip, out, longest) < 0) {
		out->asn = 0;
		failed = 1;
	}
	if (lookup_place(g, ip, out, longest) < 0)
		failed = 1;
	return failed;
}

int fw_geo_lookup(struct fw_geo *g, const struct fw_ip *ip, struct fw_geo_info *out)
{
	struct geo_cache_entry *c;
	unsigned longest = 0;

	memset(out, 0, sizeof(*out));
	if (!g || (ip->family != AF_INET && ip->family != AF_INET6))
		return 0;
	c = &g->cache[cache_slot(ip)];
	if (cache_key_equal(c, ip)) {
		*out = c->info;
		return 0;
	}
	if (uncached_lookup(g, ip, out, &longest)) {
		g->errors++;
		return -1;
	}
	if (longest <= (ip->family == AF_INET ? 24u : 48u)) {
		c->family = ip->family;
		memcpy(c->prefix, ip->addr, 6);
		c->info = *out;
	}
	return 0;
}

unsigned fw_geo_features(const struct fw_geo *g)
{
	unsigned f = 0;

	if (!g)
		return 0;
	if (g->db[FW_GEO_DB_ASN].open)
		f |= FW_GEO_HAS_ASN;
	if (g->db[FW_GEO_DB_COUNTRY].open || g->db[FW_GEO_DB_CITY].open)
		f |= FW_GEO_HAS_COUNTRY;
	if (g->db[FW_GEO_DB_CITY].open)
		f |= FW_GEO_HAS_LOCATION;
	return f;
}

enum fw_geo_layout fw_geo_layout(const struct fw_geo *g, enum fw_geo_db which)
{
	return g && g->db[which].open ? g->db[which].layout : FW_GEO_LAYOUT_NONE;
}

uint64_t fw_geo_errors(const struct fw_geo *g)
{
	return g ? g->errors : 0;
}

static void status_line(char *buf, size_t len, const char *feature, const struct geo_db *d,
			enum fw_geo_db which)
{
	size_t off = strlen(buf);

	if (off >= len)
		return;
	if (d && d->open)
		snprintf(buf + off, len - off, "%s: %s (%s)\n", feature, d->path,
			 fw_geo_layout_name(d->layout));
	else if (d && !strncmp(d->why_absent, db_label[which], strlen(db_label[which])))
		snprintf(buf + off, len - off, "%s: unavailable: %s\n", feature,
			 d->why_absent); /* the whole error of a broken file */
	else if (d && d->why_absent[0])
		snprintf(buf + off, len - off, "%s: unavailable: %s database %s (%s)\n", feature,
			 db_label[which], d->why_absent, db_flag[which]);
	else
		snprintf(buf + off, len - off, "%s: unavailable: no %s database configured (%s)\n",
			 feature, db_label[which], db_flag[which]);
}

void fw_geo_status(const struct fw_geo *g, char *buf, size_t len)
{
	const struct geo_db *country = g ? &g->db[FW_GEO_DB_COUNTRY] : NULL;
	const struct geo_db *city = g ? &g->db[FW_GEO_DB_CITY] : NULL;
	size_t off;

	if (!len)
		return;
	buf[0] = '\0';
	status_line(buf, len, "asn", g ? &g->db[FW_GEO_DB_ASN] : NULL, FW_GEO_DB_ASN);
	off = strlen(buf);
	/* A city database answers country questions too. */
	if (country && !country->open && city && city->open && off < len)
		snprintf(buf + off, len - off, "country: %s (%s, from the city database)\n",
			 city->path, fw_geo_layout_name(city->layout));
	else
		status_line(buf, len, "country", country, FW_GEO_DB_COUNTRY);
	status_line(buf, len, "location", city, FW_GEO_DB_CITY);
}
