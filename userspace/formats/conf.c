// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The config file parser, driven by the table in conf_options.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "formats/conf.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum opt_type {
	OT_STRING,
	OT_PATH,
	OT_ENUM,
	OT_UINT,
	OT_DURATION,
	OT_DOUBLE,
	OT_BOOL,
	OT_PORTS,
	OT_ADDRS,
};

/* A row is either a section title (key NULL) or an option. */
struct opt_row {
	const char *section;
	const char *key;
	enum opt_type type;
	const char *def;
	double min, max;
	const char *choices;
	const char *help;
	size_t off;
	int id;
};

static const struct opt_row rows[] = {
#define FW_OPT_SECTION(title) {.section = title},
#define FW_OPT(k, ty, d, mn, mx, ch, h)                                                            \
	{.key = #k,                                                                                \
	 .type = OT_##ty,                                                                          \
	 .def = d,                                                                                 \
	 .min = mn,                                                                                \
	 .max = mx,                                                                                \
	 .choices = ch,                                                                            \
	 .help = h,                                                                                \
	 .off = offsetof(struct fw_conf, k),                                                       \
	 .id = FW_CONF_OPT_##k},
#include "formats/conf_options.h"
#undef FW_OPT
};

/* Variables that override one option each, after the file. */
static const struct {
	const char *var;
	const char *key;
} env_overrides[] = {
    {"FLUXWALL_PIN_PATH", "pin_path"},
    {"FLUXWALL_STATE_DIR", "state_dir"},
};

union opt_val {
	char *s;
	uint64_t u;
	double d;
	bool b;
	struct fw_conf_ports ports;
	struct fw_conf_addrs addrs;
};

static const struct opt_row *find_row(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rows); i++)
		if (rows[i].key && strcmp(rows[i].key, key) == 0)
			return &rows[i];
	return NULL;
}

/* --- suggestions for typos --- */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t prev[65], cur[65];

	if (la > 64 || lb > 64)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) !=
						    tolower((unsigned char)b[j - 1]));
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[lb];
}

static int close_enough(const char *typed, const char *candidate, size_t *best)
{
	size_t d = edit_distance(typed, candidate);

	if (d > 2 || d > strlen(typed) / 2 || d >= *best)
		return 0;
	*best = d;
	return 1;
}

static const char *suggest_key(const char *typed)
{
	const char *found = NULL;
	size_t best = (size_t)-1, i;

	for (i = 0; i < ARRAY_SIZE(rows); i++)
		if (rows[i].key && close_enough(typed, rows[i].key, &best))
			found = rows[i].key;
	return found;
}

/* The closest of the '|' separated choices, copied into out. */
static int suggest_choice(const char *typed, const char *choices, char *out, size_t outlen)
{
	char buf[256], *save = NULL, *tok;
	size_t best = (size_t)-1;
	int found = 0;

	snprintf(buf, sizeof(buf), "%s", choices);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		if (close_enough(typed, tok, &best)) {
			snprintf(out, outlen, "%s", tok);
			found = 1;
		}
	}
	return found;
}

/* --- value parsers: 0, or -1 with the fix in why --- */

static void format_duration(uint64_t secs, char *buf, size_t len)
{
	static const struct {
		char unit;
		uint64_t secs;
	} units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
	size_t pos = 0, i;

	if (secs == 0) {
		snprintf(buf, len, "0s");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(units) && pos < len; i++) {
		if (secs < units[i].secs)
			continue;
		pos += snprintf(buf + pos, len - pos, "%llu%c",
				(unsigned long long)(secs / units[i].secs), units[i].unit);
		secs %= units[i].secs;
	}
}

static int parse_uint_text(const char *v, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno || *end ? -1 : 0;
}

static int parse_uint(const struct opt_row *r, const char *v, union opt_val *out, char *why,
		      size_t len)
{
	if (parse_uint_text(v, &out->u)) {
		snprintf(why, len,
			 "'%s' is not a whole number; write digits only, from %.0f to %.0f", v,
			 r->min, r->max);
		return -1;
	}
	if ((double)out->u < r->min || (double)out->u > r->max) {
		snprintf(why, len, "%s is out of range; use a value from %.0f to %.0f", v, r->min,
			 r->max);
		return -1;
	}
	return 0;
}

static int parse_double(const struct opt_row *r, const char *v, union opt_val *out, char *why,
			size_t len)
{
	char *end;

	errno = 0;
	out->d = strtod(v, &end);
	if (!*v || *end || errno || !isfinite(out->d)) {
		snprintf(why, len, "'%s' is not a number; write one like %s, from %g to %g", v,
			 r->def, r->min, r->max);
		return -1;
	}
	if (out->d < r->min || out->d > r->max) {
		snprintf(why, len, "%s is out of range; use a value from %g to %g", v, r->min,
			 r->max);
		return -1;
	}
	return 0;
}

static int unit_seconds(char c, uint64_t *secs)
{
	switch (c) {
	case 's':
		*secs = 1;
		return 0;
	case 'm':
		*secs = 60;
		return 0;
	case 'h':
		*secs = 3600;
		return 0;
	case 'd':
		*secs = 86400;
		return 0;
	}
	return -1;
}

/* "15s", "24h", "1h30m", or a bare number of seconds. */
static int parse_duration_text(const char *v, uint64_t *out)
{
	const char *p = v;
	uint64_t total = 0;

	if (!*v)
		return -1;
	while (*p) {
		const char *digits = p;
		uint64_t n = 0, mult;

		for (; isdigit((unsigned char)*p); p++) {
			if (n > UINT32_MAX)
				return -1;
			n = n * 10 + (uint64_t)(*p - '0');
		}
		if (p == digits)
			return -1;
		if (!*p) {
			/* A bare number is seconds, but only alone: "1h30" is ambiguous. */
			if (digits != v)
				return -1;
			*out = n;
			return 0;
		}
		if (unit_seconds(*p++, &mult))
			return -1;
		total += n * mult;
	}
	*out = total;
	return 0;
}

static int parse_duration(const struct opt_row *r, const char *v, union opt_val *out, char *why,
			  size_t len)
{
	char lo[32], hi[32];

	format_duration((uint64_t)r->min, lo, sizeof(lo));
	format_duration((uint64_t)r->max, hi, sizeof(hi));
	if (parse_duration_text(v, &out->u)) {
		snprintf(why, len,
			 "'%s' is not a duration; write a number with a unit s, m, h or d, "
			 "such as 15s, 24h or 1h30m (a bare number is seconds)",
			 v);
		return -1;
	}
	if ((double)out->u < r->min || (double)out->u > r->max) {
		snprintf(why, len, "%s is out of range; use a duration from %s to %s", v, lo, hi);
		return -1;
	}
	return 0;
}

static int parse_bool(const struct opt_row *r, const char *v, union opt_val *out, char *why,
		      size_t len)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			out->b = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			out->b = false;
			return 0;
		}
	}
	snprintf(why, len, "'%s' is not a boolean; use true or false", v);
	return -1;
}

static int is_choice(const char *v, const char *choices)
{
	size_t n = strlen(v);
	const char *p = choices;

	while (n && (p = strstr(p, v))) {
		if ((p == choices || p[-1] == '|') && (p[n] == '|' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static void choices_text(const char *choices, char *out, size_t len)
{
	size_t i, pos = 0;

	for (i = 0; choices[i] && pos + 3 < len; i++) {
		if (choices[i] == '|') {
			out[pos++] = ',';
			out[pos++] = ' ';
		} else {
			out[pos++] = choices[i];
		}
	}
	out[pos] = '\0';
}

static int parse_enum(const struct opt_row *r, const char *v, union opt_val *out, char *why,
		      size_t len)
{
	char list[256], guess[64];

	if (is_choice(v, r->choices)) {
		out->s = strdup(v);
		return out->s ? 0 : -1;
	}
	choices_text(r->choices, list, sizeof(list));
	if (suggest_choice(v, r->choices, guess, sizeof(guess)))
		snprintf(why, len, "'%s' is not one of %s; did you mean '%s'?", v, list, guess);
	else
		snprintf(why, len, "'%s' is not one of %s", v, list);
	return -1;
}

static int parse_path(const struct opt_row *r, const char *v, union opt_val *out, char *why,
		      size_t len)
{
	size_t n = strlen(v);

	if (n == 0 && r->min > 0) {
		snprintf(why, len, "the value is empty; give a path such as %s", r->def);
		return -1;
	}
	if (n && v[0] != '/' && !is_choice(v, r->choices)) {
		snprintf(why, len, "'%s' is not an absolute path; start it with '/'%s", v,
			 is_choice("-", r->choices) ? ", or write - for stdout" : "");
		return -1;
	}
	if (n > r->max) {
		snprintf(why, len, "the path is %zu bytes long; the limit is %.0f", n, r->max);
		return -1;
	}
	out->s = strdup(v);
	return out->s ? 0 : -1;
}

static int parse_string(const struct opt_row *r, const char *v, union opt_val *out, char *why,
			size_t len)
{
	size_t n = strlen(v);

	if (n < r->min || n > r->max) {
		snprintf(why, len, "the value is %zu bytes long; use %.0f to %.0f", n, r->min,
			 r->max);
		return -1;
	}
	out->s = strdup(v);
	return out->s ? 0 : -1;
}

/* Split a list on commas and blanks; calls item() for each entry. */
static int for_each_item(const char *v, int (*item)(const char *tok, void *ctx), void *ctx)
{
	char buf[4096], *save = NULL, *tok;

	if (snprintf(buf, sizeof(buf), "%s", v) >= (int)sizeof(buf))
		return -2;
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save))
		if (item(tok, ctx))
			return -1;
	return 0;
}

struct list_ctx {
	const struct opt_row *r;
	union opt_val *out;
	char *why;
	size_t len;
};

static int too_many(struct list_ctx *lc, unsigned n)
{
	if (n < lc->r->max && n < FW_CONF_LIST_MAX)
		return 0;
	snprintf(lc->why, lc->len, "more than %.0f entries; list at most %.0f", lc->r->max,
		 lc->r->max);
	return 1;
}

static int port_item(const char *tok, void *ctx)
{
	struct list_ctx *lc = ctx;
	struct fw_conf_ports *p = &lc->out->ports;
	uint64_t port;
	unsigned i;

	if (parse_uint_text(tok, &port) || port < 1 || port > 65535) {
		snprintf(lc->why, lc->len,
			 "'%s' is not a port; use numbers from 1 to 65535 separated by commas",
			 tok);
		return -1;
	}
	for (i = 0; i < p->n; i++)
		if (p->port[i] == port)
			return 0; /* listed twice: harmless */
	if (too_many(lc, p->n))
		return -1;
	p->port[p->n++] = (uint16_t)port;
	return 0;
}

/* Zero the bits past the prefix; 1 when any was set. */
static int clear_host_bits(uint8_t *addr, unsigned bytes, unsigned prefix)
{
	int had = 0;
	unsigned i;

	for (i = 0; i < bytes; i++) {
		unsigned keep = prefix >= 8 * (i + 1) ? 8 : (prefix > 8 * i ? prefix - 8 * i : 0);
		uint8_t mask = keep ? (uint8_t)(0xff << (8 - keep)) : 0;

		had |= (addr[i] & ~mask) != 0;
		addr[i] &= mask;
	}
	return had;
}

static int parse_prefix_len(const char *s, unsigned max, unsigned *out)
{
	uint64_t v;

	if (parse_uint_text(s, &v) || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int addr_item(const char *tok, void *ctx)
{
	struct list_ctx *lc = ctx;
	struct fw_conf_addrs *as = &lc->out->addrs;
	struct fw_conf_addr a = {0};
	char host[64], shown[INET6_ADDRSTRLEN];
	const char *slash = strchr(tok, '/');
	unsigned max, prefix;

	snprintf(host, sizeof(host), "%.*s", slash ? (int)(slash - tok) : (int)strlen(tok), tok);
	if (inet_pton(AF_INET, host, a.addr) == 1)
		a.family = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, host, a.addr) == 1)
		a.family = AF_INET6, max = 128;
	else {
		snprintf(lc->why, lc->len,
			 "'%s' is not an IP address or prefix; write addresses such as "
			 "192.0.2.53 or 2001:db8::53, separated by commas",
			 tok);
		return -1;
	}
	prefix = max;
	if (slash && parse_prefix_len(slash + 1, max, &prefix)) {
		snprintf(lc->why, lc->len, "'%s': the prefix length must be 0 to %u", tok, max);
		return -1;
	}
	if (clear_host_bits(a.addr, max / 8, prefix)) {
		inet_ntop(a.family, a.addr, shown, sizeof(shown));
		snprintf(lc->why, lc->len, "'%s' has bits set past the prefix; did you mean %s/%u?",
			 tok, shown, prefix);
		return -1;
	}
	if (too_many(lc, as->n))
		return -1;
	a.prefix = (uint8_t)prefix;
	as->a[as->n++] = a;
	return 0;
}

static int parse_list(const struct opt_row *r, const char *v, union opt_val *out, char *why,
		      size_t len)
{
	struct list_ctx lc = {r, out, why, len};
	unsigned n;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = for_each_item(v, r->type == OT_PORTS ? port_item : addr_item, &lc);
	if (ret == -2)
		snprintf(why, len, "the list is too long; list at most %.0f entries", r->max);
	if (ret)
		return -1;
	n = r->type == OT_PORTS ? out->ports.n : out->addrs.n;
	if (n < r->min) {
		snprintf(why, len, "the list is empty; give at least one entry, such as %s",
			 r->def);
		return -1;
	}
	return 0;
}

static int parse_value(const struct opt_row *r, const char *v, union opt_val *out, char *why,
		       size_t len)
{
	switch (r->type) {
	case OT_STRING:
		return parse_string(r, v, out, why, len);
	case OT_PATH:
		return parse_path(r, v, out, why, len);
	case OT_ENUM:
		return parse_enum(r, v, out, why, len);
	case OT_UINT:
		return parse_uint(r, v, out, why, len);
	case OT_DURATION:
		return parse_duration(r, v, out, why, len);
	case OT_DOUBLE:
		return parse_double(r, v, out, why, len);
	case OT_BOOL:
		return parse_bool(r, v, out, why, len);
	case OT_PORTS:
	case OT_ADDRS:
		return parse_list(r, v, out, why, len);
	}
	return -1;
}

static size_t value_size(enum opt_type t)
{
	switch (t) {
	case OT_STRING:
	case OT_PATH:
	case OT_ENUM:
		return sizeof(char *);
	case OT_UINT:
	case OT_DURATION:
		return sizeof(uint64_t);
	case OT_DOUBLE:
		return sizeof(double);
	case OT_BOOL:
		return sizeof(bool);
	case OT_PORTS:
		return sizeof(struct fw_conf_ports);
	case OT_ADDRS:
		return sizeof(struct fw_conf_addrs);
	}
	return 0;
}

static int is_string_type(enum opt_type t)
{
	return t == OT_STRING || t == OT_PATH || t == OT_ENUM;
}

/* Parse v for row r and store it with its text and origin. */
static int set_option(struct fw_conf *c, const struct opt_row *r, const char *v,
		      enum fw_conf_src src, unsigned line, char *why, size_t len)
{
	union opt_val val;
	char *text;
	void *field = (char *)c + r->off;

	memset(&val, 0, sizeof(val));
	snprintf(why, len, "out of memory");
	if (parse_value(r, v, &val, why, len))
		return -1;
	text = strdup(v);
	if (!text) {
		if (is_string_type(r->type))
			free(val.s);
		return -1;
	}
	if (is_string_type(r->type))
		free(*(char **)field);
	memcpy(field, &val, value_size(r->type));
	free(c->text[r->id]);
	c->text[r->id] = text;
	c->src[r->id] = (uint8_t)src;
	c->line[r->id] = line;
	return 0;
}

/* set_option, with the key named in front of the reason. */
static int set_named(struct fw_conf *c, const struct opt_row *r, const char *v,
		     enum fw_conf_src src, unsigned line, char *err, size_t errlen)
{
	char why[512];

	if (set_option(c, r, v, src, line, why, sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "%s: %s", r->key, why);
	return -1;
}

int fw_conf_init(struct fw_conf *c)
{
	char err[1024];
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		if (!rows[i].key)
			continue;
		if (set_named(c, &rows[i], rows[i].def, FW_CONF_SRC_DEFAULT, 0, err, sizeof(err))) {
			/* Only a bad line in conf_options.h or ENOMEM gets here. */
			fprintf(stderr, "fluxwall: built-in default: %s\n", err);
			fw_conf_free(c);
			return -1;
		}
	}
	return 0;
}

void fw_conf_free(struct fw_conf *c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		if (!rows[i].key)
			continue;
		if (is_string_type(rows[i].type))
			free(*(char **)((char *)c + rows[i].off));
		free(c->text[rows[i].id]);
	}
	free(c->file);
	memset(c, 0, sizeof(*c));
}

int fw_conf_set(struct fw_conf *c, const char *key, const char *value, char *err, size_t errlen)
{
	const struct opt_row *r = find_row(key);
	const char *guess;

	if (!r) {
		guess = suggest_key(key);
		if (guess)
			snprintf(err, errlen, "unknown option '%s'; did you mean '%s'?", key,
				 guess);
		else
			snprintf(err, errlen,
				 "unknown option '%s'; `fluxwall config --defaults` lists them all",
				 key);
		return -1;
	}
	return set_named(c, r, value, FW_CONF_SRC_FLAG, 0, err, errlen);
}

const char *fw_conf_get(const struct fw_conf *c, const char *key)
{
	const struct opt_row *r = find_row(key);

	return r ? c->text[r->id] : NULL;
}

enum fw_action fw_conf_default_action(const struct fw_conf *c)
{
	return strcmp(c->default_action, "nxdomain") == 0 ? FW_ACT_NXDOMAIN : FW_ACT_DROP;
}

int fw_conf_apply_env(struct fw_conf *c, char *err, size_t errlen)
{
	char why[512];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(env_overrides); i++) {
		const char *v = getenv(env_overrides[i].var);
		const struct opt_row *r = find_row(env_overrides[i].key);

		if (!v || !*v)
			continue;
		if (set_option(c, r, v, FW_CONF_SRC_ENV, 0, why, sizeof(why))) {
			snprintf(err, errlen, "environment variable %s: %s", env_overrides[i].var,
				 why);
			return -1;
		}
	}
	return 0;
}

/* --- the file --- */

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Cut a '#' comment that starts the value or follows whitespace. */
static void cut_comment(char *v)
{
	char *p;

	for (p = v; *p; p++) {
		if (*p == '#' && (p == v || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

/* The value after '=': quoted ("...", no escapes) or bare up to a comment. */
static int split_value(char *raw, char **out)
{
	char *v = trim(raw), *close;

	if (*v != '"') {
		cut_comment(v);
		*out = trim(v);
		return 0;
	}
	close = strchr(v + 1, '"');
	if (!close)
		return -1;
	*close = '\0';
	cut_comment(close + 1);
	if (*trim(close + 1))
		return -1;
	*out = v + 1;
	return 0;
}

static int key_chars_ok(const char *k)
{
	if (!*k)
		return 0;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-' && *k != '.')
			return 0;
	return 1;
}

struct file_pos {
	const char *name;
	unsigned line;
};

static int line_error(const struct file_pos *pos, char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "%s:%u: %s", pos->name, pos->line, why);
	return -1;
}

static int unknown_key_error(const struct file_pos *pos, const char *key, char *err, size_t errlen)
{
	const char *guess = suggest_key(key);
	char why[256];

	if (guess)
		snprintf(why, sizeof(why), "unknown key '%.64s'; did you mean '%s'?", key, guess);
	else
		snprintf(why, sizeof(why),
			 "unknown key '%.64s'; `fluxwall config --defaults` lists every key", key);
	return line_error(pos, err, errlen, why);
}

/* One line; seen[] holds the line each key was set on, to catch duplicates. */
static int parse_line(struct fw_conf *c, char *line, const struct file_pos *pos, unsigned *seen,
		      char *err, size_t errlen)
{
	char *eq, *key, *value, why[600];
	const struct opt_row *r;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq) {
		snprintf(why, sizeof(why), "expected 'key = value', found '%.64s'", line);
		return line_error(pos, err, errlen, why);
	}
	*eq = '\0';
	key = trim(line);
	if (!key_chars_ok(key)) {
		snprintf(why, sizeof(why), "'%.64s' is not a key; keys are words like capacity",
			 key);
		return line_error(pos, err, errlen, why);
	}
	r = find_row(key);
	if (!r)
		return unknown_key_error(pos, key, err, errlen);
	if (seen[r->id]) {
		snprintf(why, sizeof(why), "%s is already set on line %u; keep one of the two", key,
			 seen[r->id]);
		return line_error(pos, err, errlen, why);
	}
	if (split_value(eq + 1, &value)) {
		snprintf(why, sizeof(why), "%s: unbalanced quote; write \"value\" or no quotes",
			 key);
		return line_error(pos, err, errlen, why);
	}
	if (set_named(c, r, value, FW_CONF_SRC_FILE, pos->line, why, sizeof(why)))
		return line_error(pos, err, errlen, why);
	seen[r->id] = pos->line;
	return 0;
}

int fw_conf_load_stream(struct fw_conf *c, FILE *f, const char *name, char *err, size_t errlen)
{
	unsigned seen[FW_CONF_OPT_COUNT] = {0};
	struct file_pos pos = {name, 0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;

	while (ret == 0 && (n = getline(&line, &cap, f)) >= 0) {
		char *p = line;

		pos.line++;
		if (pos.line == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3; /* UTF-8 BOM from Windows editors */
		if (strlen(line) != (size_t)n) {
			ret = line_error(&pos, err, errlen,
					 "NUL byte in the line; is it a text file?");
			break;
		}
		ret = parse_line(c, p, &pos, seen, err, errlen);
	}
	if (ret == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", name, strerror(errno));
		ret = -1;
	}
	free(line);
	if (ret == 0) {
		free(c->file);
		c->file = strdup(name);
	}
	return ret;
}

int fw_conf_load_file(struct fw_conf *c, const char *path, bool must_exist, char *err,
		      size_t errlen)
{
	FILE *f = fopen(path, "re");
	int ret;

	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "cannot read config file %s: %s%s", path, strerror(errno),
			 errno == ENOENT ? "; create it with `fluxwall config --defaults > FILE`"
					 : "");
		return -1;
	}
	ret = fw_conf_load_stream(c, f, path, err, errlen);
	fclose(f);
	return ret;
}

/* --- printing --- */

static void print_help(FILE *out, const char *help)
{
	const char *p = help;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(out, "# %.*s\n", n, p);
		p += n + (nl != NULL);
	}
}

static void print_type(FILE *out, const struct opt_row *r)
{
	char lo[32], hi[32], list[256];

	switch (r->type) {
	case OT_STRING:
		fprintf(out, "# Type: text.\n");
		break;
	case OT_PATH:
		fprintf(out, "# Type: absolute path%s%s.\n",
			is_choice("-", r->choices) ? ", or - for stdout" : "",
			r->min == 0 ? ", or empty to turn it off" : "");
		break;
	case OT_ENUM:
		choices_text(r->choices, list, sizeof(list));
		fprintf(out, "# Type: one of %s.\n", list);
		break;
	case OT_UINT:
		fprintf(out, "# Type: whole number, %.0f to %.0f.\n", r->min, r->max);
		break;
	case OT_DURATION:
		format_duration((uint64_t)r->min, lo, sizeof(lo));
		format_duration((uint64_t)r->max, hi, sizeof(hi));
		fprintf(out, "# Type: duration, %s to %s.\n", lo, hi);
		break;
	case OT_DOUBLE:
		fprintf(out, "# Type: number, %g to %g.\n", r->min, r->max);
		break;
	case OT_BOOL:
		fprintf(out, "# Type: true or false.\n");
		break;
	case OT_PORTS:
		fprintf(out, "# Type: list of ports, %.0f to %.0f of them.\n", r->min, r->max);
		break;
	case OT_ADDRS:
		fprintf(out, "# Type: list of addresses or prefixes, at most %.0f.\n", r->max);
		break;
	}
}

/* Whether value, written bare, would lose blanks at its ends or a comment. */
static int needs_quotes(const char *value)
{
	size_t n = strlen(value);
	const char *p;

	if (!n)
		return 0;
	if (isspace((unsigned char)value[0]) || isspace((unsigned char)value[n - 1]) ||
	    value[0] == '"')
		return 1;
	for (p = strchr(value, '#'); p; p = strchr(p + 1, '#'))
		if (p == value || isspace((unsigned char)p[-1]))
			return 1;
	return 0;
}

/* key = value, quoted when it must be, so that the line reads back the same. */
static void print_assignment(FILE *out, const char *key, const char *value)
{
	if (needs_quotes(value))
		fprintf(out, "%s = \"%s\"", key, value);
	else if (*value)
		fprintf(out, "%s = %s", key, value);
	else
		fprintf(out, "%s =", key);
}

static void print_preamble(FILE *out)
{
	fputs("# fluxwall configuration, read from " FW_CONF_PATH ".\n"
	      "#\n"
	      "# One \"key = value\" per line. '#' starts a comment at the start of a line\n"
	      "# or after a blank. Every option is listed with its default.\n"
	      "# Precedence, lowest first: defaults, this file, the environment variables\n"
	      "# FLUXWALL_PIN_PATH and FLUXWALL_STATE_DIR, command-line flags.\n"
	      "# Durations take a unit s, m, h or d (15s, 24h, 1h30m); a bare number is\n"
	      "# seconds. Lists are separated by commas.\n"
	      "#\n"
	      "# `fluxwall config --defaults` prints this file; `fluxwall config` prints\n"
	      "# the values in effect.\n",
	      out);
}

void fw_conf_print_defaults(FILE *out)
{
	size_t i;

	print_preamble(out);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct opt_row *r = &rows[i];

		if (!r->key) {
			fprintf(out, "\n## %s\n", r->section);
			continue;
		}
		fputc('\n', out);
		print_help(out, r->help);
		print_type(out, r);
		print_assignment(out, r->key, r->def);
		fputc('\n', out);
	}
}

static void print_source(FILE *out, const struct fw_conf *c, int id)
{
	size_t i;

	switch (c->src[id]) {
	case FW_CONF_SRC_DEFAULT:
		fputs("\t# default\n", out);
		return;
	case FW_CONF_SRC_FILE:
		fprintf(out, "\t# %s:%u\n", c->file ? c->file : "config file", c->line[id]);
		return;
	case FW_CONF_SRC_FLAG:
		fputs("\t# command line\n", out);
		return;
	case FW_CONF_SRC_ENV:
		for (i = 0; i < ARRAY_SIZE(env_overrides); i++)
			if (find_row(env_overrides[i].key)->id == id)
				fprintf(out, "\t# environment %s\n", env_overrides[i].var);
		return;
	}
}

void fw_conf_print(const struct fw_conf *c, FILE *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct opt_row *r = &rows[i];

		if (!r->key)
			continue;
		print_assignment(out, r->key, c->text[r->id]);
		print_source(out, c, r->id);
	}
}
