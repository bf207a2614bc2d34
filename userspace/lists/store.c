// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The journal, one text file beside the base:
 *
 *   # fluxwall journal v1 base <gen> <ino> <size> <mtime ns> <ctime ns>
 *   +<TAB><rule line>                  an entry put in
 *   -<TAB><rule line>                  an entry (this key) taken out
 *   = <gen> <changes> <fnv1a-64 of the change lines, hex>
 *
 * A record is its change lines and the "=" line that seals them; it is
 * written with one write() and fsynced before the change is acknowledged.
 * The header stamps the base as it was when fluxwall last validated it: a
 * base whose inode, size or times differ (edited, restored, truncated) is
 * read and validated whole before it is trusted again.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lists/store.h"

#define JOURNAL_MAGIC	    "# fluxwall journal v1 base"
#define FW_JOURNAL_FRACTION 64		 /* compact past 1/64 of the base... */
#define FW_JOURNAL_FLOOR    (256 * 1024) /* ...or this, whichever is larger */

struct stamp {
	uint64_t gen, ino, size, mtime, ctime;
};

static uint64_t fnv1a_more(uint64_t h, const char *p, size_t n)
{
	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t fnv1a(const char *p, size_t n)
{
	return fnv1a_more(0xcbf29ce484222325ull, p, n);
}

void fw_change_free(struct fw_change *c)
{
	free(c->e.name);
	free(c->e.source);
	free(c->e.reason);
	memset(c, 0, sizeof(*c));
}

static int change_copy(struct fw_change *d, const struct fw_change *c)
{
	*d = *c;
	d->e.name = strdup(c->e.name);
	d->e.source = strdup(c->e.source ? c->e.source : "manual");
	d->e.reason = strdup(c->e.reason ? c->e.reason : "");
	if (d->e.name && d->e.source && d->e.reason)
		return 0;
	fw_change_free(d);
	return -1;
}

int fw_change_apply(struct fw_state *st, const struct fw_change *c)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		if (!fw_entry_same_key(&st->e[i], &c->e))
			continue;
		fw_state_remove(st, i);
		break;
	}
	return c->del ? 0 : fw_state_add(st, &c->e);
}

static void stamp_of(const struct stat *sb, uint64_t gen, struct stamp *st)
{
	st->gen = gen;
	st->ino = sb->st_ino;
	st->size = (uint64_t)sb->st_size;
	st->mtime = (uint64_t)sb->st_mtim.tv_sec * 1000000000ull + sb->st_mtim.tv_nsec;
	st->ctime = (uint64_t)sb->st_ctim.tv_sec * 1000000000ull + sb->st_ctim.tv_nsec;
}

/* ---------------------------------------------------------------- the base */

/* The header lines of the base (options) and where its rule lines are. */
static int read_base_header(struct fw_store *s, char *err, size_t errlen)
{
	const char *p = s->map, *end = s->map + s->maplen, *nl;
	char line[600], why[256];
	struct fw_state tmp;
	FILE *f;

	/* the header is short: read it with the ordinary parser, rules excluded */
	while (p < end && *p == '#' && (nl = memchr(p, '\n', end - p)))
		p = nl + 1;
	s->body = (size_t)(p - s->map);
	f = fmemopen((void *)s->map, s->body, "r");
	if (!f) {
		snprintf(err, errlen, "out of memory reading %s", s->base_path);
		return -1;
	}
	memset(&tmp, 0, sizeof(tmp));
	snprintf(tmp.path, sizeof(tmp.path), "%s", s->base_path);
	/* a header alone has no end line: fw_state_read would refuse it; parse options only */
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "# option ", 9) &&
		    fw_state_parse_option(line, &s->opts, why, sizeof(why)))
			break;
	}
	fclose(f);
	/* the end line is the last line; the rules lie between */
	s->body_end = s->maplen;
	if (s->maplen && s->map[s->maplen - 1] == '\n') {
		const char *q = s->map + s->maplen - 1;

		while (q > s->map + s->body && q[-1] != '\n')
			q--;
		s->body_end = (size_t)(q - s->map);
	}
	return 0;
}

static int map_base(struct fw_store *s, struct stat *sb, char *err, size_t errlen)
{
	int fd = open(s->base_path, O_RDONLY | O_CLOEXEC);

	memset(sb, 0, sizeof(*sb));
	if (fd < 0) {
		/* no file: empty lists, trivially sorted and counted */
		s->opts.sorted = s->opts.has_counts = errno == ENOENT;
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", s->base_path, strerror(errno));
		return -1;
	}
	if (fstat(fd, sb)) {
		snprintf(err, errlen, "cannot read %s: %s", s->base_path, strerror(errno));
		close(fd);
		return -1;
	}
	if (sb->st_size > 0) {
		void *m = mmap(NULL, (size_t)sb->st_size, PROT_READ, MAP_SHARED, fd, 0);

		if (m == MAP_FAILED) {
			snprintf(err, errlen, "cannot map %s: %s", s->base_path, strerror(errno));
			close(fd);
			return -1;
		}
		s->map = m;
		s->maplen = (size_t)sb->st_size;
	}
	close(fd);
	return read_base_header(s, err, errlen);
}

/* Field 9 of a rule line (the name) as a pointer and length. */
static const char *line_name(const char *line, const char *end, size_t *len)
{
	const char *p = line, *t;
	int tabs = 0;

	while (tabs < 8 && p < end && (t = memchr(p, '\t', (size_t)(end - p)))) {
		p = t + 1;
		tabs++;
	}
	t = p < end ? memchr(p, '\t', (size_t)(end - p)) : NULL;
	*len = t ? (size_t)(t - p) : 0;
	return p;
}

static int cmp_line_name(const char *line, const char *end, const char *name)
{
	size_t len, nlen = strlen(name);
	const char *n = line_name(line, end, &len);
	int c = memcmp(n, name, len < nlen ? len : nlen);

	if (c)
		return c;
	return len < nlen ? -1 : len > nlen;
}

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', end - p);

	return nl ? nl : end;
}

/* First rule line whose name is not below name (base sorted by strcmp). */
static const char *lower_bound(const struct fw_store *s, const char *name)
{
	const char *lo = s->map + s->body, *hi = s->map + s->body_end, *end = hi;

	while (lo < hi) {
		const char *mid = lo + (hi - lo) / 2;

		while (mid > lo && mid[-1] != '\n')
			mid--;
		if (cmp_line_name(mid, line_end(mid, end), name) < 0)
			lo = line_end(mid, end) + 1;
		else
			hi = mid;
	}
	return lo;
}

static int base_entries(const struct fw_store *s, const char *name, struct fw_state *out)
{
	const char *p, *end = s->map + s->body_end;
	char buf[2048], why[256];

	if (!s->map)
		return 0;
	for (p = lower_bound(s, name); p < end; p = line_end(p, end) + 1) {
		const char *le = line_end(p, end);
		struct fw_entry e;

		if (cmp_line_name(p, le, name))
			break;
		if ((size_t)(le - p) >= sizeof(buf))
			return -1;
		memcpy(buf, p, le - p);
		buf[le - p] = '\0';
		if (fw_entry_parse(buf, &e, why, sizeof(why)) || fw_state_add(out, &e))
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- the journal */

static int push_rec(struct fw_store *s, const struct fw_change *c, uint64_t gen)
{
	if (s->nrec == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct fw_journal_rec *n = realloc(s->rec, cap * sizeof(*n));

		if (!n)
			return -1;
		s->rec = n;
		s->cap = cap;
	}
	if (change_copy(&s->rec[s->nrec].c, c))
		return -1;
	s->rec[s->nrec++].gen = gen;
	return 0;
}

static int parse_change(char *line, struct fw_change *c, char *why, size_t whylen)
{
	memset(c, 0, sizeof(*c));
	if ((line[0] != '+' && line[0] != '-') || line[1] != '\t') {
		snprintf(why, whylen, "not a change line");
		return -1;
	}
	c->del = line[0] == '-';
	return fw_entry_parse(line + 2, &c->e, why, whylen);
}

struct reader {
	char *buf;
	size_t len, off, lineno;
	struct fw_change *pend;
	size_t npend, cap;
};

/* The next whole line, NUL-terminated in place; NULL at a cut-off end. */
static char *next_line(struct reader *r)
{
	char *p = r->buf + r->off, *nl;

	if (r->off >= r->len || !(nl = memchr(p, '\n', r->len - r->off)))
		return NULL;
	*nl = '\0';
	r->off = (size_t)(nl + 1 - r->buf);
	r->lineno++;
	return p;
}

/*
 * One record: its change lines up to the sealing "=" line. 1 for a record,
 * 0 at the end of the file or a torn record, -1 out of memory.
 */
static int read_record(struct reader *r, uint64_t *gen, int *damaged)
{
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned long long g, n;
	char *line, why[256];
	int used = 0;

	r->npend = 0;
	while ((line = next_line(r))) {
		if (line[0] == '=')
			break;
		if (r->npend == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 16;
			struct fw_change *np = realloc(r->pend, cap * sizeof(*np));

			if (!np)
				return -1;
			r->pend = np;
			r->cap = cap;
		}
		/* hashed as written, before parsing splits it in place */
		h = fnv1a_more(h, line, strlen(line));
		h = fnv1a_more(h, "\n", 1);
		if (parse_change(line, &r->pend[r->npend], why, sizeof(why))) {
			*damaged = 1;
			return 0;
		}
		r->npend++;
	}
	if (!line)
		return 0;
	if (sscanf(line, "= %llu %llu %*[0-9a-f]%n", &g, &n, &used) != 2 || line[used] ||
	    n != r->npend || strtoull(strrchr(line, ' ') + 1, NULL, 16) != h) {
		*damaged = 1;
		return 0;
	}
	*gen = g;
	return 1;
}

static int read_whole(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	ssize_t got = 0, n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) || !(*buf = malloc((size_t)sb.st_size + 1))) {
		close(fd);
		return -1;
	}
	while (got < sb.st_size && (n = read(fd, *buf + got, (size_t)(sb.st_size - got))) > 0)
		got += n;
	close(fd);
	(*buf)[got] = '\0';
	*len = (size_t)got;
	return 0;
}

static int parse_header(const char *line, struct stamp *st)
{
	unsigned long long v[5];
	int used = 0;

	if (sscanf(line, JOURNAL_MAGIC " %llu %llu %llu %llu %llu%n", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &used) != 5 ||
	    line[used])
		return -1;
	st->gen = v[0];
	st->ino = v[1];
	st->size = v[2];
	st->mtime = v[3];
	st->ctime = v[4];
	return 0;
}

static int journal_error(const struct fw_store *s, size_t line, const char *why, char *err,
			 size_t errlen)
{
	snprintf(err, errlen,
		 "%s:%zu: %s; the journal of changes since %s is damaged: fix the line, or "
		 "remove the journal to keep %s as it is (losing those changes)",
		 s->jpath, line, why, s->base_path, s->base_path);
	return -1;
}

/* Records newer than the base; a torn tail ends them, damage before it is an error. */
static int replay(struct fw_store *s, struct reader *r, char *err, size_t errlen)
{
	uint64_t gen, last = 0;
	int damaged = 0, got;
	size_t i, at;

	while ((at = r->lineno, got = read_record(r, &gen, &damaged)) == 1) {
		/* pending changes point into the buffer: copied, never freed */
		for (i = 0; i < r->npend && got > 0; i++)
			if (gen > s->opts.generation && push_rec(s, &r->pend[i], gen))
				got = -1;
		if (got < 0)
			break;
		if (gen <= last)
			return journal_error(s, r->lineno, "generations out of order", err, errlen);
		last = gen;
		s->jlen = r->off;
		if (gen > s->generation)
			s->generation = gen;
	}
	if (got < 0) {
		snprintf(err, errlen, "out of memory reading %s", s->jpath);
		return -1;
	}
	/* a torn record is the last thing in the file: nothing sealed follows it */
	if (damaged && memmem(r->buf + r->off, r->len - r->off, "\n= ", 3))
		return journal_error(s, at + 1, "a record fails its check", err, errlen);
	return 0;
}

static int read_journal(struct fw_store *s, const struct stamp *base, int writable, char *err,
			size_t errlen)
{
	struct reader r = {0};
	struct stamp js;
	char *line;
	int ret = -1;

	/* all of it, NUL bytes too: a record after one must not be missed */
	if (read_whole(s->jpath, &r.buf, &r.len)) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", s->jpath, strerror(errno));
		return -1;
	}
	s->has_journal = 1;
	line = next_line(&r);
	if (!line || parse_header(line, &js)) {
		/* a journal is created whole (rename); a bad header is damage */
		ret = journal_error(s, 1, "no journal header", err, errlen);
		goto out;
	}
	if (js.gen > s->opts.generation) {
		snprintf(err, errlen,
			 "%s was written for generation %llu of %s, which is at %llu (restored "
			 "from an older copy?); remove %s to keep %s as it is, or restore the "
			 "state file of generation %llu",
			 s->jpath, (unsigned long long)js.gen, s->base_path,
			 (unsigned long long)s->opts.generation, s->jpath, s->base_path,
			 (unsigned long long)js.gen);
		goto out;
	}
	s->trusted = !memcmp(&js, base, sizeof(js)) && s->opts.sorted && s->opts.has_counts;
	s->jlen = r.off;
	ret = replay(s, &r, err, errlen);
	if (!ret && writable && s->jlen < r.len && truncate(s->jpath, (off_t)s->jlen)) {
		snprintf(err, errlen, "cannot cut the torn last record off %s: %s", s->jpath,
			 strerror(errno));
		ret = -1;
	}
out:
	free(r.pend);
	free(r.buf);
	return ret;
}

int fw_store_open(struct fw_store *s, const char *dir, int writable, char *err, size_t errlen)
{
	struct stamp base;
	struct stat sb;

	memset(s, 0, sizeof(*s));
	snprintf(s->base_path, sizeof(s->base_path), "%s/%s", dir, FW_STATE_FILE);
	snprintf(s->jpath, sizeof(s->jpath), "%s/%s", dir, FW_JOURNAL_FILE);
	if (map_base(s, &sb, err, errlen))
		goto fail;
	s->generation = s->opts.generation;
	stamp_of(&sb, s->opts.generation, &base);
	if (read_journal(s, &base, writable, err, errlen))
		goto fail;
	return 0;
fail:
	fw_store_close(s);
	return -1;
}

static void jindex_free(struct fw_store *s);

void fw_store_close(struct fw_store *s)
{
	size_t i;

	if (s->map)
		munmap((void *)s->map, s->maplen);
	for (i = 0; i < s->nrec; i++)
		fw_change_free(&s->rec[i].c);
	free(s->rec);
	jindex_free(s);
	memset(s, 0, sizeof(*s));
}

/* FNV-1a over a string, from h: the tables' hash, not the maps' keys. */
static uint32_t fnv(uint32_t h, const char *p)
{
	for (; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h;
}

static uint32_t name_hash(const char *name)
{
	return fnv(2166136261u, name);
}

static uint32_t key_hash(const struct fw_entry *e)
{
	uint32_t h = name_hash(e->name);

	h = (h ^ e->list) * 16777619u;
	h = (h ^ e->match) * 16777619u;
	return fnv(h, e->source);
}

/* The slot of e's key among the live entries (0 in the slot: not there). */
static size_t key_slot(const struct fw_state *st, const uint32_t *tab, size_t mask,
		       const struct fw_entry *e)
{
	size_t i = key_hash(e) & mask;

	for (; tab[i]; i = (i + 1) & mask) {
		const struct fw_entry *x = &st->e[tab[i] - 1];

		if (x->name && fw_entry_same_key(x, e))
			return i;
	}
	return i;
}

static void mark_gone(struct fw_entry *e)
{
	free(e->name);
	free(e->source);
	free(e->reason);
	e->name = e->source = e->reason = NULL;
}

/* Drop the entries marked gone (name NULL), keeping the order of the rest. */
static void sweep_gone(struct fw_state *st)
{
	size_t i, j = 0;

	for (i = 0; i < st->n; i++)
		if (st->e[i].name)
			st->e[j++] = st->e[i];
	st->n = j;
}

/*
 * The journal onto the whole base, as fw_change_apply one by one would
 * (a put goes to the end, a removal keeps the order), through a table of
 * keys: in time proportional to base plus journal, not their product.
 */
static int apply_records(struct fw_state *st, const struct fw_journal_rec *rec, size_t nrec)
{
	size_t size = 64, mask, i;
	uint32_t *tab;

	while (size < 2 * (st->n + nrec))
		size *= 2;
	if (size > UINT32_MAX || !(tab = calloc(size, sizeof(*tab))))
		return -1;
	mask = size - 1;
	for (i = 0; i < st->n; i++) {
		size_t k = key_slot(st, tab, mask, &st->e[i]);

		if (!tab[k]) /* of two entries with one key, a change meets the first */
			tab[k] = (uint32_t)(i + 1);
	}
	for (i = 0; i < nrec; i++) {
		const struct fw_change *c = &rec[i].c;
		size_t k = key_slot(st, tab, mask, &c->e);

		if (tab[k])
			mark_gone(&st->e[tab[k] - 1]);
		if (c->del)
			continue;
		if (fw_state_add(st, &c->e)) {
			free(tab);
			return -1;
		}
		tab[k] = (uint32_t)st->n;
	}
	free(tab);
	sweep_gone(st);
	return 0;
}

int fw_store_full(struct fw_store *s, struct fw_state *out, char *err, size_t errlen)
{
	if (fw_state_load_file(out, s->base_path, err, errlen))
		return -1;
	if (apply_records(out, s->rec, s->nrec))
		goto oom;
	out->opts.generation = s->generation;
	return 0;
oom:
	fw_state_free(out);
	snprintf(err, errlen, "out of memory applying %s", s->jpath);
	return -1;
}

static void jindex_free(struct fw_store *s)
{
	free(s->jhead);
	free(s->jnext);
	s->jhead = s->jnext = NULL;
	s->jmask = s->jidx_n = 0;
}

/* Chain every record under its name's hash, oldest first; -1 when out of memory. */
static int jindex_build(struct fw_store *s)
{
	size_t size = 64, i;
	uint32_t *tail;

	jindex_free(s);
	while (size < 2 * s->nrec)
		size *= 2;
	s->jhead = malloc(size * sizeof(*s->jhead));
	s->jnext = malloc((s->nrec + 1) * sizeof(*s->jnext));
	tail = malloc(size * sizeof(*tail));
	if (!s->jhead || !s->jnext || !tail) {
		free(tail);
		jindex_free(s);
		return -1;
	}
	memset(s->jhead, 0xff, size * sizeof(*s->jhead));
	s->jmask = size - 1;
	for (i = 0; i < s->nrec; i++) {
		uint32_t b = name_hash(s->rec[i].c.e.name) & (uint32_t)s->jmask;

		s->jnext[i] = UINT32_MAX;
		if (s->jhead[b] == UINT32_MAX)
			s->jhead[b] = (uint32_t)i;
		else
			s->jnext[tail[b]] = (uint32_t)i;
		tail[b] = (uint32_t)i;
	}
	free(tail);
	s->jidx_n = s->nrec;
	return 0;
}

/* The journal's changes to name, in order: through the index once it pays. */
static int journal_entries(struct fw_store *s, const char *name, struct fw_state *out)
{
	size_t i;

	if (s->nrec > 64 && ++s->jlookups > 4 && s->jidx_n != s->nrec && jindex_build(s))
		return -1;
	if (s->jhead && s->jidx_n == s->nrec) {
		for (i = s->jhead[name_hash(name) & (uint32_t)s->jmask]; i != UINT32_MAX;
		     i = s->jnext[i])
			if (!strcmp(s->rec[i].c.e.name, name) && fw_change_apply(out, &s->rec[i].c))
				return -1;
		return 0;
	}
	for (i = 0; i < s->nrec; i++)
		if (!strcmp(s->rec[i].c.e.name, name) && fw_change_apply(out, &s->rec[i].c))
			return -1;
	return 0;
}

int fw_store_entries(const struct fw_store *s, const char *name, const struct fw_change *pending,
		     size_t n, struct fw_state *out)
{
	size_t i;

	if (base_entries(s, name, out))
		return -1;
	/* the index is a cache: building it changes nothing a caller sees */
	if (journal_entries((struct fw_store *)s, name, out))
		return -1;
	for (i = 0; i < n; i++)
		if (!strcmp(pending[i].e.name, name) && fw_change_apply(out, &pending[i]))
			return -1;
	return 0;
}

void fw_store_counts(const struct fw_store *s, uint64_t counts[2][3])
{
	size_t i;

	memcpy(counts, s->opts.counts, sizeof(s->opts.counts));
	for (i = 0; i < s->nrec; i++) {
		const struct fw_entry *e = &s->rec[i].c.e;

		counts[e->list & 1][e->origin % 3] += s->rec[i].c.del ? -1 : 1;
	}
}

int fw_store_wants_compaction(const struct fw_store *s, int factor)
{
	size_t limit = s->maplen / FW_JOURNAL_FRACTION;

	if (limit < FW_JOURNAL_FLOOR)
		limit = FW_JOURNAL_FLOOR;
	return s->jlen > limit * (size_t)factor;
}

/* ---------------------------------------------------------------- writing */

static void io_error(const char *path, const char *what, int e, char *err, size_t errlen)
{
	const char *fix = "check the state directory (--state-dir)";

	if (e == ENOSPC || e == EDQUOT)
		fix = "free space on the file system of the state directory and try again";
	else if (e == EROFS || e == EACCES || e == EPERM)
		fix = "make the state directory writable or set another with --state-dir";
	snprintf(err, errlen, "cannot %s %s: %s; %s", what, path, strerror(e), fix);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!w)
				errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The text of one record: its change lines, then the seal over them. */
static char *format_record(const struct fw_change *c, size_t n, uint64_t gen, size_t *len,
			   char *err, size_t errlen)
{
	char *buf = NULL;
	size_t blen = 0, i, body;
	FILE *f = open_memstream(&buf, &blen);

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (!fw_entry_writable(&c[i].e, err, errlen)) {
			fclose(f);
			free(buf);
			return NULL;
		}
		fprintf(f, "%c\t", c[i].del ? '-' : '+');
		fw_entry_write(f, &c[i].e);
	}
	fflush(f);
	body = blen;
	fprintf(f, "= %llu %zu %016llx\n", (unsigned long long)gen, n,
		(unsigned long long)fnv1a(buf, body));
	if (fclose(f)) {
		free(buf);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*len = blen;
	return buf;
}

int fw_store_append(struct fw_store *s, const struct fw_change *c, size_t n, uint64_t gen,
		    char *err, size_t errlen)
{
	size_t len, i;
	char *rec = format_record(c, n, gen, &len, err, errlen);
	int fd, e;

	if (!rec)
		return -1;
	fd = open(s->jpath, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || write_all(fd, rec, len) || fdatasync(fd)) {
		e = errno;
		/* a partial record is cut off now, or by the next open: never acknowledged */
		if (fd >= 0 && ftruncate(fd, (off_t)s->jlen))
			e = errno;
		io_error(s->jpath, "append to", e, err, errlen);
		if (fd >= 0)
			close(fd);
		free(rec);
		return -1;
	}
	close(fd);
	free(rec);
	s->jlen += len;
	s->generation = gen;
	for (i = 0; i < n; i++)
		if (push_rec(s, &c[i], gen))
			return -1; /* on disk already: the next open sees it */
	return 0;
}

static int fsync_dir(const char *path)
{
	char dir[4200], *slash;
	int fd, ret;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

/* A new journal: header stamping the base, then the records newer than it. */
static int write_journal(struct fw_store *s, char *err, size_t errlen)
{
	char tmp[4300], *text = NULL;
	size_t tlen = 0, i, j, len;
	struct stamp st = {0};
	struct stat sb;
	FILE *f;
	int fd = -1, ret = -1;

	errno = 0;
	if (!stat(s->base_path, &sb)) {
		stamp_of(&sb, s->opts.generation, &st);
	} else if (errno != ENOENT) {
		io_error(s->base_path, "read", errno, err, errlen);
		return -1;
	}
	f = open_memstream(&text, &tlen);
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fprintf(f, JOURNAL_MAGIC " %llu %llu %llu %llu %llu\n", (unsigned long long)st.gen,
		(unsigned long long)st.ino, (unsigned long long)st.size,
		(unsigned long long)st.mtime, (unsigned long long)st.ctime);
	fclose(f);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", s->jpath, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text, tlen))
		goto fail;
	len = tlen;
	/* records of one generation are consecutive; rewrite each as it was */
	for (i = 0; i < s->nrec; i = j) {
		char *rec;
		size_t rlen;

		for (j = i; j < s->nrec && s->rec[j].gen == s->rec[i].gen; j++)
			;
		{
			struct fw_change *cs = calloc(j - i, sizeof(*cs));
			size_t k;

			if (!cs)
				goto fail;
			for (k = i; k < j; k++)
				cs[k - i] = s->rec[k].c;
			rec = format_record(cs, j - i, s->rec[i].gen, &rlen, err, errlen);
			free(cs);
		}
		if (!rec || write_all(fd, rec, rlen)) {
			free(rec);
			goto fail;
		}
		free(rec);
		len += rlen;
	}
	if (fsync(fd))
		goto fail;
	close(fd);
	fd = -1;
	if (rename(tmp, s->jpath) || fsync_dir(s->jpath))
		goto fail;
	s->jlen = len;
	s->has_journal = 1;
	s->trusted = s->opts.sorted && s->opts.has_counts;
	ret = 0;
fail:
	if (ret) {
		io_error(s->jpath, "write", errno ? errno : EIO, err, errlen);
		unlink(tmp);
	}
	if (fd >= 0)
		close(fd);
	free(text);
	return ret;
}

int fw_store_trust(struct fw_store *s, char *err, size_t errlen)
{
	return write_journal(s, err, errlen);
}

int fw_store_compact(struct fw_store *s, struct fw_state *full, char *err, size_t errlen)
{
	struct stat sb;
	size_t i;

	fw_state_sort(full);
	snprintf(full->path, sizeof(full->path), "%s", s->base_path);
	if (fw_state_save(full, err, errlen))
		return -1;
	/* the new base holds every record: map it and start an empty journal */
	for (i = 0; i < s->nrec; i++)
		fw_change_free(&s->rec[i].c);
	s->nrec = 0;
	jindex_free(s);
	if (s->map)
		munmap((void *)s->map, s->maplen);
	s->map = NULL;
	s->maplen = 0;
	memset(&s->opts, 0, sizeof(s->opts));
	if (map_base(s, &sb, err, errlen))
		return -1;
	s->generation = s->opts.generation;
	return write_journal(s, err, errlen);
}

/* Readers without the lock: a shared lock keeps a compaction from passing under them. */
static int lock_shared(const char *dir)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_SH)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int fw_state_load(struct fw_state *st, const char *dir, char *err, size_t errlen)
{
	struct fw_store s;
	int lock = lock_shared(dir), ret = -1;

	memset(st, 0, sizeof(*st));
	if (!fw_store_open(&s, dir, 0, err, errlen)) {
		ret = fw_store_full(&s, st, err, errlen);
		fw_store_close(&s);
	}
	if (lock >= 0)
		close(lock);
	return ret;
}
