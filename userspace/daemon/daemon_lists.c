// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Auto entries are queued and committed at most a few times a second, each
 * commit taking the lock and appending one journal record; the allowlist
 * snapshot follows the records written since the last commit (the CLI's
 * too), and is taken whole again only after a compaction. Expiry refreshes are only written
 * when they move the stored expiry by a tenth of its span, so a domain that
 * keeps fluxing does not rewrite the state file on every sample.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/daemon_lists.h"
#include "formats/dns_name.h"
#include "daemon/metrics.h"
#include "formats/printable.h"

static void free_allow(struct fw_daemon_lists *l)
{
	size_t i;

	for (i = 0; i < l->nallow; i++)
		free(l->allow[i]);
	free(l->allow);
	free(l->allow_exact);
	l->allow = NULL;
	l->allow_exact = NULL;
	l->nallow = l->allow_cap = 0;
}

static void allow_add(struct fw_daemon_lists *l, const char *name, int exact)
{
	if (l->nallow == l->allow_cap) {
		size_t cap = l->allow_cap ? l->allow_cap * 2 : 16;
		char **na = realloc(l->allow, cap * sizeof(*na));
		uint8_t *ne;

		if (!na)
			return;
		l->allow = na;
		ne = realloc(l->allow_exact, cap);
		if (!ne)
			return;
		l->allow_exact = ne;
		l->allow_cap = cap;
	}
	l->allow_exact[l->nallow] = (uint8_t)exact;
	l->allow[l->nallow] = strdup(name);
	if (l->allow[l->nallow])
		l->nallow++;
}

static void allow_del(struct fw_daemon_lists *l, const char *name, int exact)
{
	size_t i;

	for (i = 0; i < l->nallow; i++) {
		if (l->allow_exact[i] != exact || strcmp(l->allow[i], name))
			continue;
		free(l->allow[i]);
		l->allow[i] = l->allow[--l->nallow];
		l->allow_exact[i] = l->allow_exact[l->nallow];
		return;
	}
}

/* One entry in (dir 1) or out (dir -1) of the snapshot. */
static void snapshot_entry(struct fw_daemon_lists *l, const struct fw_entry *e, int dir)
{
	l->list_size[fw_list_kind_of(e)] += (uint64_t)(int64_t)dir;
	if (e->list != FW_LIST_ALLOW)
		return;
	if (dir > 0)
		allow_add(l, e->name, e->match == FW_MATCH_EXACT);
	else
		allow_del(l, e->name, e->match == FW_MATCH_EXACT);
}

static void snapshot(struct fw_daemon_lists *l, const struct fw_state *st)
{
	size_t i;

	free_allow(l);
	memset(l->list_size, 0, sizeof(l->list_size));
	for (i = 0; i < st->n; i++)
		snapshot_entry(l, &st->e[i], 1);
}

void fw_daemon_lists_seen(struct fw_daemon_lists *l, const struct fw_store *s)
{
	l->seen_base = s->opts.generation;
	l->seen_gen = s->generation;
}

/*
 * The records since the last look, or the whole lists after a compaction.
 * Records up to others_upto are others' changes, told to l->changed.
 */
static int follow(struct fw_daemon_lists *l, struct fw_ctx *ctx, uint64_t others_upto)
{
	const struct fw_store *s = &ctx->store;
	size_t i;

	if (!ctx->light || s->opts.generation != l->seen_base) {
		if (fw_ctx_full(ctx))
			return -1;
		snapshot(l, &ctx->state);
	} else {
		for (i = 0; i < s->nrec; i++) {
			const struct fw_journal_rec *r = &s->rec[i];

			if (r->gen <= l->seen_gen)
				continue;
			snapshot_entry(l, &r->c.e, r->c.del ? -1 : 1);
			if (l->changed && r->gen <= others_upto)
				l->changed(&r->c, l->changed_ctx);
		}
	}
	fw_daemon_lists_seen(l, s);
	return 0;
}

bool fw_daemon_lists_allowed(const char *name, void *ctx)
{
	struct fw_daemon_lists *l = ctx;
	size_t i;

	for (i = 0; i < l->nallow; i++) {
		/* blocking name's subtree would override an allow rule inside it */
		if (fw_name_is_under(l->allow[i], name))
			return true;
		if (!l->allow_exact[i] && fw_name_is_under(name, l->allow[i]))
			return true;
	}
	return false;
}

static void push(struct fw_daemon_lists *l, const char *name, double score, const char *reason,
		 uint64_t expires_ns, enum fw_change_kind kind)
{
	char why[200], text[FW_PRINTABLE_MAX];
	struct fw_daemon_change *c;

	/* one entry the lists cannot hold would fail every later commit with it */
	if (kind != FW_CHANGE_REMOVE && fw_name_check_host(name, why, sizeof(why))) {
		fw_err("not adding an auto entry for %s: %s",
		       fw_printable(name, text, sizeof(text)), why);
		return;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct fw_daemon_change *nq = realloc(l->q, cap * sizeof(*nq));

		if (!nq) {
			fw_err("out of memory queueing an auto entry for %s", name);
			return;
		}
		l->q = nq;
		l->cap = cap;
	}
	c = &l->q[l->n++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->reason, sizeof(c->reason), "%s", reason ? reason : "");
	c->score = score;
	c->expires_ns = expires_ns;
	c->kind = kind;
}

int fw_daemon_lists_init(struct fw_daemon_lists *l, const struct fw_lists_where *where,
			 struct fw_autoblock *ab,
			 const struct fw_state *st)
{
	int64_t now = time(NULL);
	size_t i;

	memset(l, 0, sizeof(*l));
	if (where) /* NULL: a snapshot only, never committed (the tests) */
		l->where = *where;
	snapshot(l, st);
	for (i = 0; i < st->n; i++) {
		const struct fw_entry *e = &st->e[i];

		if (e->origin != FW_ORIGIN_AUTO || e->list != FW_LIST_BLOCK)
			continue;
		if (e->expires && e->expires <= now)
			push(l, e->name, 0, NULL, 0, FW_CHANGE_REMOVE);
		else
			fw_autoblock_restore(ab, e->name, (uint64_t)e->expires * 1000000000ull);
	}
	return 0;
}

void fw_daemon_lists_free(struct fw_daemon_lists *l)
{
	free_allow(l);
	free(l->q);
	l->q = NULL;
	l->n = l->cap = 0;
}

void fw_daemon_lists_queue(struct fw_daemon_lists *l, const char *name, double score,
			   const char *reason, uint64_t expires_ns, int refresh)
{
	push(l, name, score, reason, expires_ns, refresh ? FW_CHANGE_REFRESH : FW_CHANGE_ADD);
}

void fw_daemon_lists_unqueue(struct fw_daemon_lists *l, const char *name)
{
	push(l, name, 0, NULL, 0, FW_CHANGE_REMOVE);
}

static ssize_t find_auto(const struct fw_state *st, const char *name)
{
	return fw_state_find(st, name, FW_LIST_BLOCK, FW_MATCH_SUBTREE, "auto");
}

struct pending {
	struct fw_change *c;
	size_t n, cap;
	struct fw_state keep; /* the strings of entries found, which changes point to */
};

static struct fw_change *more(struct pending *p)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct fw_change *nc = realloc(p->c, cap * sizeof(*nc));

		if (!nc)
			return NULL;
		p->c = nc;
		p->cap = cap;
	}
	memset(&p->c[p->n], 0, sizeof(p->c[0]));
	return &p->c[p->n++];
}

/* The change one queued item makes, given the auto entry there is (or NULL). */
static int to_change(const struct fw_daemon_change *c, const struct fw_entry *cur,
		     struct fw_change *out)
{
	int64_t expires = (int64_t)(c->expires_ns / 1000000000ull), now = time(NULL);

	if (c->kind == FW_CHANGE_REMOVE) {
		if (!cur)
			return 0;
		out->del = 1;
		out->e = *cur;
		return 1;
	}
	if (cur && c->kind == FW_CHANGE_REFRESH &&
	    llabs(cur->expires - expires) * 10 < expires - cur->added)
		return 0;
	out->e = cur ? *cur
		     : (struct fw_entry){ .name = (char *)c->name, .source = "auto",
					  .reason = (char *)c->reason, .added = now,
					  .list = FW_LIST_BLOCK, .match = FW_MATCH_SUBTREE,
					  .action = FW_ACT_DEFAULT, .origin = FW_ORIGIN_AUTO };
	out->e.expires = expires;
	out->e.score = c->score;
	if (c->reason[0])
		out->e.reason = (char *)c->reason;
	return 1;
}

/* 0, or -1 when out of memory. */
static int queue_change(struct fw_ctx *ctx, struct pending *p, const struct fw_daemon_change *c)
{
	struct fw_change *out;
	struct fw_state cur;
	ssize_t at;
	int ret = 0;

	if (fw_ctx_entries(ctx, c->name, p->c, p->n, &cur))
		return -1;
	at = find_auto(&cur, c->name);
	if (at >= 0 && fw_state_add(&p->keep, &cur.e[at]))
		ret = -1;
	else if (!(out = more(p)))
		ret = -1;
	else if (!to_change(c, at >= 0 ? &p->keep.e[p->keep.n - 1] : NULL, out))
		p->n--;
	fw_state_free(&cur);
	return ret;
}

int fw_daemon_lists_commit(struct fw_daemon_lists *l)
{
	struct pending p = { 0 };
	struct fw_ctx ctx;
	uint64_t others;
	int ret = -1;
	size_t i;

	if (!l->n)
		return 0;
	if (fw_ctx_open_light(&ctx, &l->where, 1))
		return -1;
	ctx.compact_factor = 4; /* the CLI's changes compact sooner; the daemon rarely stalls */
	for (i = 0; i < l->n; i++) {
		if (queue_change(&ctx, &p, &l->q[i])) {
			fw_err("out of memory applying %zu auto entries", l->n);
			goto out;
		}
	}
	others = ctx.store.generation;
	if (p.n && fw_ctx_commit_changes(&ctx, p.c, p.n))
		goto out;
	if (follow(l, &ctx, others))
		goto out;
	for (i = 0; l->changed && i < p.n; i++)
		l->changed(&p.c[i], l->changed_ctx);
	l->n = 0;
	ret = 0;
out:
	free(p.c);
	fw_state_free(&p.keep);
	fw_ctx_close(&ctx);
	return ret;
}

int fw_daemon_lists_poll(struct fw_daemon_lists *l)
{
	struct fw_ctx ctx;
	int ret;

	if (l->n)
		return fw_daemon_lists_commit(l);
	if (fw_ctx_open_light(&ctx, &l->where, 1))
		return -1;
	ret = follow(l, &ctx, UINT64_MAX);
	fw_ctx_close(&ctx);
	return ret;
}

void fw_daemon_lists_metrics(const struct fw_daemon_lists *l, struct fw_metrics *m)
{
	memcpy(m->list_size, l->list_size, sizeof(m->list_size));
}
