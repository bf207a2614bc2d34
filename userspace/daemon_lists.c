// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Auto entries are queued and committed at most a few times a second, each
 * commit taking the lock, reloading the state file (the CLI may have changed
 * it) and writing it back with the maps. Expiry refreshes are only written
 * when they move the stored expiry by a tenth of its span, so a domain that
 * keeps fluxing does not rewrite the state file on every sample.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon_lists.h"
#include "dns_name.h"
#include "metrics.h"
#include "printable.h"

static void free_allow(struct fw_daemon_lists *l)
{
	size_t i;

	for (i = 0; i < l->nallow; i++)
		free(l->allow[i]);
	free(l->allow);
	free(l->allow_exact);
	l->allow = NULL;
	l->allow_exact = NULL;
	l->nallow = 0;
}

static void snapshot(struct fw_daemon_lists *l, const struct fw_state *st)
{
	size_t i;

	free_allow(l);
	memset(l->list_size, 0, sizeof(l->list_size));
	l->allow = calloc(st->n + 1, sizeof(*l->allow));
	l->allow_exact = calloc(st->n + 1, 1);
	for (i = 0; i < st->n; i++) {
		l->list_size[fw_list_kind_of(&st->e[i])]++;
		if (st->e[i].list != FW_LIST_ALLOW || !l->allow || !l->allow_exact)
			continue;
		l->allow_exact[l->nallow] = st->e[i].match == FW_MATCH_EXACT;
		l->allow[l->nallow] = strdup(st->e[i].name);
		if (l->allow[l->nallow])
			l->nallow++;
	}
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

int fw_daemon_lists_init(struct fw_daemon_lists *l, struct fw_opts *o, struct fw_autoblock *ab,
			 const struct fw_state *st)
{
	int64_t now = time(NULL);
	size_t i;

	memset(l, 0, sizeof(*l));
	l->o = o;
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

/* 1 when the state changed. */
static int apply_change(struct fw_state *st, const struct fw_daemon_change *c)
{
	int64_t expires = (int64_t)(c->expires_ns / 1000000000ull), now = time(NULL);
	ssize_t at = find_auto(st, c->name);
	struct fw_entry e = { .name = (char *)c->name, .source = "auto",
			      .reason = (char *)c->reason, .added = now, .expires = expires,
			      .score = c->score, .list = FW_LIST_BLOCK,
			      .match = FW_MATCH_SUBTREE, .action = FW_ACT_DEFAULT,
			      .origin = FW_ORIGIN_AUTO };

	if (c->kind == FW_CHANGE_REMOVE) {
		if (at < 0)
			return 0;
		fw_state_remove(st, (size_t)at);
		return 1;
	}
	if (at < 0)
		return fw_state_add(st, &e) ? 0 : 1;
	if (c->kind == FW_CHANGE_REFRESH &&
	    llabs(st->e[at].expires - expires) * 10 < expires - st->e[at].added)
		return 0;
	st->e[at].expires = expires;
	st->e[at].score = c->score;
	if (c->reason[0]) {
		char *r = strdup(c->reason);

		if (r) {
			free(st->e[at].reason);
			st->e[at].reason = r;
		}
	}
	return 1;
}

int fw_daemon_lists_commit(struct fw_daemon_lists *l)
{
	struct fw_state next;
	struct fw_ctx ctx;
	int changed = 0, ret = -1;
	size_t i;

	if (!l->n)
		return 0;
	if (fw_ctx_open(&ctx, l->o, 1))
		return -1;
	if (fw_state_clone(&ctx.state, &next))
		goto out;
	for (i = 0; i < l->n; i++)
		changed |= apply_change(&next, &l->q[i]);
	if (changed && fw_ctx_commit(&ctx, &next))
		goto out;
	if (!changed)
		fw_state_free(&next);
	snapshot(l, &ctx.state);
	l->n = 0;
	ret = 0;
out:
	fw_ctx_close(&ctx);
	return ret;
}

void fw_daemon_lists_metrics(const struct fw_daemon_lists *l, struct fw_metrics *m)
{
	memcpy(m->list_size, l->list_size, sizeof(m->list_size));
}
