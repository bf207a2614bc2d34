// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Subscriptions: transfer, apply through the lists transaction, remember the serial. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fleet/rpz_subscribe.h"
#include "formats/atomic_file.h"
#include "formats/dns_name.h"
#include "lists/store.h"

#define XFR_TIMEOUT_MS 10000

int fw_sub_parse(const char *spec, struct fw_subscription *s, char *why, size_t whylen)
{
	char zone[300], peer[128], key[300] = "", pwhy[200];
	const char *at = strchr(spec, '@'), *slash;
	struct fw_name n;

	memset(s, 0, sizeof(*s));
	if (!at || at == spec || (size_t)(at - spec) >= sizeof(zone))
		goto bad;
	snprintf(zone, sizeof(zone), "%.*s", (int)(at - spec), spec);
	slash = strchr(at, '/');
	snprintf(peer, sizeof(peer), "%.*s", (int)(slash ? slash - at - 1 : (long)strlen(at + 1)),
		 at + 1);
	if (slash)
		snprintf(key, sizeof(key), "%s", slash + 1);
	if (fw_name_parse(zone, &n, pwhy, sizeof(pwhy))) {
		snprintf(why, whylen, "'%s' is not a valid zone name (%s)", zone, pwhy);
		return -1;
	}
	snprintf(s->zone, sizeof(s->zone), "%s", n.text);
	if (fw_dns_peer_parse(peer, 53, &s->primary, pwhy, sizeof(pwhy))) {
		snprintf(why, whylen, "subscription '%s': %s", spec, pwhy);
		return -1;
	}
	snprintf(s->key_name, sizeof(s->key_name), "%s", key);
	return 0;
bad:
	snprintf(why, whylen,
		 "subscription '%.100s' is not ZONE@ADDRESS[:PORT][/KEY], such as "
		 "rpz.fleet.example@192.0.2.1:53/fleet",
		 spec);
	return -1;
}

static void state_path(const struct fw_subscription *s, const char *dir, char *buf, size_t len)
{
	snprintf(buf, len, "%s/fleet/sub-%s.state", dir, s->zone);
}

void fw_sub_load(struct fw_subscription *s, const char *state_dir)
{
	char path[4400], line[700];
	unsigned long long v;
	FILE *f;

	state_path(s, state_dir, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "serial %llu", &v) == 1 && v <= UINT32_MAX) {
			s->serial = (uint32_t)v;
			s->have_serial = 1;
		}
		sscanf(line, "records %" SCNu64, &s->zone_records);
		sscanf(line, "axfr %" SCNu64, &s->transfers[0]);
		sscanf(line, "ixfr %" SCNu64, &s->transfers[1]);
		sscanf(line, "last_ok %" SCNd64, &s->last_ok);
	}
	fclose(f);
}

static int put_state(FILE *f, void *sub)
{
	const struct fw_subscription *s = sub;

	fprintf(f, "zone %s\nprimary %s\n", s->zone, s->primary.text);
	if (s->have_serial)
		fprintf(f, "serial %u\n", s->serial);
	fprintf(f, "records %" PRIu64 "\n", s->zone_records);
	fprintf(f, "axfr %" PRIu64 "\nixfr %" PRIu64 "\nlast_ok %" PRId64 "\n", s->transfers[0],
		s->transfers[1], s->last_ok);
	if (s->last_err[0])
		fprintf(f, "error %s\n", s->last_err);
	return ferror(f) ? -1 : 0;
}

static int save_state(const struct fw_subscription *s, const char *state_dir)
{
	char path[4400], dir[4200];

	snprintf(dir, sizeof(dir), "%s/fleet", state_dir);
	if (mkdir(dir, 0750) && errno != EEXIST)
		return -1;
	state_path(s, state_dir, path, sizeof(path));
	return fw_file_replace(path, 0640, put_state, (void *)s);
}

/* --- expiry heap --- */

static void heap_swap(struct fw_expiry *a, struct fw_expiry *b)
{
	struct fw_expiry t = *a;

	*a = *b;
	*b = t;
}

static int expiry_push(struct fw_subscription *s, int64_t at, const char *name)
{
	size_t i;

	if (s->nexp == s->capexp) {
		size_t cap = s->capexp ? s->capexp * 2 : 64;
		struct fw_expiry *n = realloc(s->exp, cap * sizeof(*n));

		if (!n)
			return -1;
		s->exp = n;
		s->capexp = cap;
	}
	s->exp[s->nexp] = (struct fw_expiry){.at = at, .name = strdup(name)};
	if (!s->exp[s->nexp].name)
		return -1;
	for (i = s->nexp++; i && s->exp[(i - 1) / 2].at > s->exp[i].at; i = (i - 1) / 2)
		heap_swap(&s->exp[i], &s->exp[(i - 1) / 2]);
	return 0;
}

static void expiry_pop(struct fw_subscription *s)
{
	size_t i = 0;

	free(s->exp[0].name);
	s->exp[0] = s->exp[--s->nexp];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < s->nexp && s->exp[l].at < s->exp[m].at)
			m = l;
		if (r < s->nexp && s->exp[r].at < s->exp[m].at)
			m = r;
		if (m == i)
			return;
		heap_swap(&s->exp[i], &s->exp[m]);
		i = m;
	}
}

int fw_sub_seed_expiry(struct fw_subscription *s, const struct fw_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->e[i].expires && !strcmp(st->e[i].source, s->zone) &&
		    expiry_push(s, st->e[i].expires, st->e[i].name))
			return -1;
	return 0;
}

/* --- applying --- */

struct pending {
	struct fw_change *c;
	size_t n, cap;
	struct fw_state keep; /* owns the strings the changes point to */
	size_t added, removed;
};

static int pend(struct pending *p, int del, const struct fw_entry *e)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct fw_change *n = realloc(p->c, cap * sizeof(*n));

		if (!n)
			return -1;
		p->c = n;
		p->cap = cap;
	}
	if (fw_state_add(&p->keep, e))
		return -1;
	p->c[p->n++] = (struct fw_change){.del = (uint8_t)del, .e = p->keep.e[p->keep.n - 1]};
	if (del)
		p->removed++;
	else
		p->added++;
	return 0;
}

static int same_rule(const struct fw_entry *a, const struct fw_entry *b)
{
	return a->list == b->list && a->match == b->match && a->action == b->action &&
	       a->expires == b->expires && a->score == b->score &&
	       !strcmp(a->reason ? a->reason : "", b->reason ? b->reason : "");
}

/* The changes that turn the zone's entries among cur into want. */
static int diff_name(struct pending *p, const char *zone, const struct fw_state *cur,
		     const struct fw_entry *want, size_t nwant)
{
	size_t i, k;

	for (i = 0; i < cur->n; i++) {
		const struct fw_entry *e = &cur->e[i];
		int kept = 0;

		if (strcmp(e->source, zone))
			continue;
		for (k = 0; k < nwant; k++)
			if (want[k].list == e->list && want[k].match == e->match)
				kept = 1;
		if (!kept && pend(p, 1, e))
			return -1;
	}
	for (k = 0; k < nwant; k++) {
		ssize_t at = fw_state_find(cur, want[k].name, want[k].list, want[k].match, zone);

		if (at >= 0 && same_rule(&cur->e[at], &want[k]))
			continue;
		if (pend(p, 0, &want[k]))
			return -1;
	}
	return 0;
}

static int by_name(const void *a, const void *b, void *arg)
{
	const struct fw_rpz_fact *f = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(f[x].name, f[y].name);

	/* a name's records keep their transfer order */
	return c ? c : (x < y ? -1 : x > y);
}

/* Positions of the facts, grouped by name; NULL when out of memory. */
static size_t *group_facts(const struct fw_xfr_result *r)
{
	size_t *idx = malloc(r->n * sizeof(*idx) + 1), i;

	if (!idx)
		return NULL;
	for (i = 0; i < r->n; i++)
		idx[i] = i;
	qsort_r(idx, r->n, sizeof(*idx), by_name, r->f);
	return idx;
}

/* The expiry the zone's entries among cur carry (they share one), or 0. */
static int64_t zone_expiry(const struct fw_state *cur, const char *zone)
{
	size_t i;

	for (i = 0; i < cur->n; i++)
		if (!strcmp(cur->e[i].source, zone))
			return cur->e[i].expires;
	return 0;
}

/* One name's records: its entries now, the view after, the changes between. */
static int apply_name(struct fw_ctx *ctx, struct pending *p, struct fw_subscription *s,
		      const struct fw_xfr_result *r, const size_t *idx, size_t from, size_t to,
		      const struct fw_state *all, int64_t now)
{
	char reasons[2][FW_RPZ_REASON_TEXT];
	const char *name = r->f[idx[from]].name;
	struct fw_entry want[2];
	struct fw_rpz_name v;
	struct fw_state cur = {0};
	size_t i, nwant;
	int ret;

	if (all) {
		/* AXFR: the zone's entries were gathered up front (see apply_axfr) */
		memset(&v, 0, sizeof(v));
		snprintf(v.name, sizeof(v.name), "%s", name);
	} else {
		/* each name comes once: the changes pended so far are other names' */
		if (fw_ctx_entries(ctx, name, NULL, 0, &cur))
			return -1;
		fw_rpz_name_from(&v, name, s->zone, &cur);
	}
	for (i = from; i < to; i++)
		fw_rpz_name_apply(&v, &r->f[idx[i]]);
	nwant = fw_rpz_name_entries(&v, s->zone, now, want, reasons);
	ret = diff_name(p, s->zone, all ? all : &cur, want, nwant);
	if (!ret && nwant && want[0].expires &&
	    want[0].expires != zone_expiry(all ? all : &cur, s->zone))
		ret = expiry_push(s, want[0].expires, name); /* once per new expiry */
	fw_state_free(&cur);
	return ret;
}

/* The zone's current entries of one name, from the whole lists sorted by name. */
static void zone_slice(const struct fw_state *zs, const char *name, size_t *pos,
		       struct fw_state *out)
{
	memset(out, 0, sizeof(*out));
	while (*pos < zs->n && strcmp(zs->e[*pos].name, name) < 0)
		(*pos)++;
	out->e = zs->e + *pos;
	while (*pos + out->n < zs->n && !strcmp(zs->e[*pos + out->n].name, name))
		out->n++;
}

static int keep_zone(const struct fw_entry *e, void *zone)
{
	return !strcmp(e->source, zone);
}

/*
 * A whole zone: every name it holds gets its entries, and the zone's
 * entries of names it no longer holds are taken out.
 */
static int apply_axfr(struct fw_ctx *ctx, struct pending *p, struct fw_subscription *s,
		      const struct fw_xfr_result *r, const size_t *idx, int64_t now)
{
	struct fw_state zs = {0}, slice;
	size_t i = 0, j, pos = 0, k;

	if (fw_ctx_full(ctx) || fw_state_clone(&ctx->state, &zs))
		return -1;
	fw_state_filter(&zs, keep_zone, s->zone);
	fw_state_sort(&zs);
	while (i < r->n) {
		const char *name = r->f[idx[i]].name;

		for (j = i; j < r->n && !strcmp(r->f[idx[j]].name, name); j++)
			;
		/* names of the old version before this one are gone from the zone */
		for (k = pos; k < zs.n && strcmp(zs.e[k].name, name) < 0; k++)
			if (pend(p, 1, &zs.e[k]))
				goto fail;
		zone_slice(&zs, name, &pos, &slice);
		if (apply_name(ctx, p, s, r, idx, i, j, &slice, now))
			goto fail;
		pos += slice.n;
		i = j;
	}
	for (; pos < zs.n; pos++)
		if (pend(p, 1, &zs.e[pos]))
			goto fail;
	fw_state_free(&zs);
	return 0;
fail:
	fw_state_free(&zs);
	return -1;
}

static int apply_ixfr(struct fw_ctx *ctx, struct pending *p, struct fw_subscription *s,
		      const struct fw_xfr_result *r, const size_t *idx, int64_t now)
{
	size_t i = 0, j;

	while (i < r->n) {
		for (j = i; j < r->n && !strcmp(r->f[idx[j]].name, r->f[idx[i]].name); j++)
			;
		if (apply_name(ctx, p, s, r, idx, i, j, NULL, now))
			return -1;
		i = j;
	}
	return 0;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The transfer's records into the lists, in one commit. */
static int apply(struct fw_subscription *s, const struct fw_lists_where *w,
		 const struct fw_xfr_result *r, struct fw_sub_report *rep, char *err, size_t errlen)
{
	struct pending p = {0};
	int64_t now = time(NULL);
	size_t *idx = group_facts(r);
	struct fw_ctx ctx;
	char cap[600] = "";
	int ret = -1;

	if (!idx) {
		snprintf(err, errlen, "out of memory applying %s", s->zone);
		return -1;
	}
	fw_err_capture(cap, sizeof(cap));
	if (fw_ctx_open_light(&ctx, w, 1))
		goto out_nctx;
	if (r->kind == FW_XFR_AXFR ? apply_axfr(&ctx, &p, s, r, idx, now)
				   : apply_ixfr(&ctx, &p, s, r, idx, now))
		goto out;
	if (p.n && fw_ctx_commit_changes(&ctx, p.c, p.n))
		goto out;
	rep->added = p.added;
	rep->removed = p.removed;
	ret = 0;
out:
	fw_ctx_close(&ctx);
out_nctx:
	fw_err_capture(NULL, 0);
	if (ret)
		snprintf(err, errlen, "applying %s to the lists failed: %s", s->zone,
			 cap[0] ? cap : "out of memory");
	free(p.c);
	fw_state_free(&p.keep);
	free(idx);
	return ret;
}

static int transfer(struct fw_subscription *s, size_t max_records, struct fw_xfr_result *r,
		    char *err, size_t errlen)
{
	struct fw_dns_conn c;
	int k, axfr = !s->have_serial;

	for (;;) {
		if (fw_dns_open(&c, &s->primary, s->key, XFR_TIMEOUT_MS)) {
			snprintf(err, errlen, "%s", c.err);
			return -1;
		}
		k = fw_zone_xfer(&c, s->zone, !axfr, s->serial, max_records, r, err, errlen);
		fw_dns_close(&c);
		if (k != 1 || axfr)
			return k ? -1 : 0;
		axfr = 1; /* the primary has no history from our serial */
	}
}

/*
 * The limit holds for the zone, not only for one transfer: IXFRs that each
 * pass it whole would otherwise grow the zone past it. 0, or -1 with err.
 */
static int zone_grows_past(struct fw_subscription *s, const struct fw_xfr_result *r,
			   size_t max_records, char *err, size_t errlen)
{
	uint64_t size = s->zone_records, adds = r->records - r->deleted;

	if (r->kind == FW_XFR_AXFR)
		size = r->records;
	else if (r->kind == FW_XFR_IXFR) /* deletions of records we never counted: 0 */
		size = size + adds > r->deleted ? size + adds - r->deleted : 0;
	if (size > max_records) {
		snprintf(err, errlen,
			 "%s would hold %llu records, more than subscribe_max_records (%zu); the "
			 "transfer is refused whole, the last version stays in force",
			 s->zone, (unsigned long long)size, max_records);
		return -1;
	}
	s->pending_records = size;
	return 0;
}

int fw_sub_refresh(struct fw_subscription *s, const struct fw_lists_where *w, const char *state_dir,
		   size_t max_records, struct fw_sub_report *rep, char *err, size_t errlen)
{
	struct fw_xfr_result r;
	double t0;

	memset(rep, 0, sizeof(*rep));
	if (transfer(s, max_records, &r, err, errlen))
		goto fail;
	if (zone_grows_past(s, &r, max_records, err, errlen)) {
		fw_xfr_result_free(&r);
		goto fail;
	}
	rep->kind = r.kind;
	rep->serial = r.serial;
	rep->records = r.records;
	rep->skipped = r.skipped;
	rep->bytes = r.bytes;
	s->refresh = r.refresh; /* read before the result is freed */
	t0 = mono_s();
	if (r.kind != FW_XFR_UP_TO_DATE && apply(s, w, &r, rep, err, errlen)) {
		fw_xfr_result_free(&r);
		goto fail;
	}
	rep->apply_s = mono_s() - t0;
	fw_xfr_result_free(&r);
	if (rep->kind != FW_XFR_UP_TO_DATE)
		s->transfers[rep->kind == FW_XFR_IXFR]++;
	s->serial = rep->serial;
	s->zone_records = s->pending_records;
	s->have_serial = 1;
	s->last_ok = time(NULL);
	s->last_err[0] = '\0';
	s->fails = 0;
	if (save_state(s, state_dir)) {
		snprintf(err, errlen, "applied %s serial %u, but cannot save it under %s/fleet: %s",
			 s->zone, s->serial, state_dir, strerror(errno));
		return -1;
	}
	return 0;
fail:
	s->fails++;
	snprintf(s->last_err, sizeof(s->last_err), "%s", err);
	save_state(s, state_dir);
	return -1;
}

long fw_sub_expire(struct fw_subscription *s, const struct fw_lists_where *w, int64_t now)
{
	struct pending p = {0};
	struct fw_ctx ctx;
	long ret = 0;
	size_t i;

	if (!s->nexp || s->exp[0].at > now)
		return 0;
	if (fw_ctx_open_light(&ctx, w, 1))
		return -1;
	while (s->nexp && s->exp[0].at <= now) {
		struct fw_state cur;

		if (fw_ctx_entries(&ctx, s->exp[0].name, p.c, p.n, &cur)) {
			ret = -1;
			break;
		}
		for (i = 0; i < cur.n; i++)
			if (!strcmp(cur.e[i].source, s->zone) && cur.e[i].expires &&
			    cur.e[i].expires <= now && pend(&p, 1, &cur.e[i]))
				ret = -1;
		fw_state_free(&cur);
		expiry_pop(s);
	}
	if (!ret && p.n && fw_ctx_commit_changes(&ctx, p.c, p.n))
		ret = -1;
	fw_ctx_close(&ctx);
	if (!ret)
		ret = (long)p.n;
	free(p.c);
	fw_state_free(&p.keep);
	return ret;
}

void fw_sub_free(struct fw_subscription *s)
{
	while (s->nexp)
		expiry_pop(s);
	free(s->exp);
	s->exp = NULL;
	s->capexp = 0;
}

void fw_sub_status(const char *state_dir, void (*fn)(const struct fw_sub_seen *s, void *ctx),
		   void *ctx)
{
	char dir[4200], path[4500], buf[800];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/fleet", state_dir);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct fw_sub_seen s = {.zone = "?", .serial = "none"};
		FILE *f;

		if (strncmp(de->d_name, "sub-", 4) || n < 10 ||
		    strcmp(de->d_name + n - 6, ".state"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = '\0';
			sscanf(buf, "zone %255s", s.zone);
			sscanf(buf, "serial %31s", s.serial);
			if (!strncmp(buf, "error ", 6))
				snprintf(s.error, sizeof(s.error), "%.699s", buf + 6);
		}
		fclose(f);
		fn(&s, ctx);
	}
	closedir(d);
}
