// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The state file, one rule a line, tab separated:
 *
 *   # fluxwall state v1
 *   # option generation <n>            (and default_action, ports)
 *   <list> <match> <action> <origin> <added> <expires> <score> <source> <name> <reason>
 *   # end <count>
 *
 * The end line lets a reader tell a complete file from a truncated one.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/state_file.h"
#include "formats/atomic_file.h"
#include "formats/dns_name.h"
#include "formats/printable.h"

#define STATE_MAGIC "# fluxwall state v1"

static const char *const list_names[] = { "block", "allow" };
static const char *const match_names[] = { "subtree", "exact" };

#define NAME_OF(tab, v) fw_name_of(tab, sizeof(tab) / sizeof(tab[0]), v)

const char *fw_list_str(uint8_t v)
{
	return NAME_OF(list_names, v);
}

const char *fw_match_str(uint8_t v)
{
	return NAME_OF(match_names, v);
}

void fw_state_free(struct fw_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		free(st->e[i].name);
		free(st->e[i].source);
		free(st->e[i].reason);
	}
	free(st->e);
	st->e = NULL;
	st->n = st->cap = 0;
}

int fw_state_add(struct fw_state *st, const struct fw_entry *e)
{
	struct fw_entry *d;

	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		struct fw_entry *ne = realloc(st->e, cap * sizeof(*ne));

		if (!ne)
			return -1;
		st->e = ne;
		st->cap = cap;
	}
	d = &st->e[st->n];
	*d = *e;
	d->name = strdup(e->name);
	d->source = strdup(e->source ? e->source : "manual");
	d->reason = strdup(e->reason ? e->reason : "");
	if (!d->name || !d->source || !d->reason) {
		free(d->name);
		free(d->source);
		free(d->reason);
		return -1;
	}
	st->n++;
	return 0;
}

ssize_t fw_state_find(const struct fw_state *st, const char *name, uint8_t list, uint8_t match,
		      const char *source)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		const struct fw_entry *e = &st->e[i];

		if (e->list == list && e->match == match && !strcmp(e->name, name) &&
		    (!source || !strcmp(e->source, source)))
			return (ssize_t)i;
	}
	return -1;
}

void fw_state_remove(struct fw_state *st, size_t i)
{
	free(st->e[i].name);
	free(st->e[i].source);
	free(st->e[i].reason);
	memmove(&st->e[i], &st->e[i + 1], (st->n - i - 1) * sizeof(st->e[0]));
	st->n--;
}

void fw_state_filter(struct fw_state *st, int (*keep)(const struct fw_entry *, void *), void *arg)
{
	size_t i, j = 0;

	for (i = 0; i < st->n; i++) {
		if (keep(&st->e[i], arg)) {
			st->e[j++] = st->e[i];
			continue;
		}
		free(st->e[i].name);
		free(st->e[i].source);
		free(st->e[i].reason);
	}
	st->n = j;
}

int fw_entry_same_key(const struct fw_entry *a, const struct fw_entry *b)
{
	return a->list == b->list && a->match == b->match && !strcmp(a->name, b->name) &&
	       !strcmp(a->source, b->source);
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct fw_entry *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	if (a->list != b->list)
		return a->list - b->list;
	if (a->match != b->match)
		return a->match - b->match;
	return strcmp(a->source, b->source);
}

void fw_state_sort(struct fw_state *st)
{
	if (st->n > 1)
		qsort(st->e, st->n, sizeof(st->e[0]), cmp_entry);
}

int fw_state_clone(const struct fw_state *src, struct fw_state *dst)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	memcpy(dst->path, src->path, sizeof(dst->path));
	dst->opts = src->opts;
	for (i = 0; i < src->n; i++) {
		if (fw_state_add(dst, &src->e[i])) {
			fw_state_free(dst);
			return -1;
		}
	}
	return 0;
}

/* Split a line on tabs in place; returns the number of fields, even past max. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;

	while (line) {
		if (n < max)
			f[n] = line;
		n++;
		line = strchr(line, '\t');
		if (line && n < max)
			*line = '\0';
		if (line)
			line++;
	}
	return n;
}

static int parse_int64(const char *s, int64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || end == s || *end;
}

int fw_entry_parse(char *line, struct fw_entry *e, char *why, size_t whylen)
{
	char *f[10], *end, nerr[128];
	struct fw_name name;
	int n = split_tabs(line, f, 10);

	if (n != 10) {
		snprintf(why, whylen, "expected 10 tab-separated fields, found %d", n);
		return -1;
	}
	memset(e, 0, sizeof(*e));
	if (fw_name_lookup(list_names, 2, f[0], &e->list)) {
		snprintf(why, whylen, "unknown list '%s'", f[0]);
		return -1;
	}
	if (fw_name_lookup(match_names, 2, f[1], &e->match)) {
		snprintf(why, whylen, "unknown match '%s'", f[1]);
		return -1;
	}
	if (fw_action_parse(f[2], &e->action)) {
		snprintf(why, whylen, "unknown action '%s'", f[2]);
		return -1;
	}
	if (fw_origin_parse(f[3], &e->origin)) {
		snprintf(why, whylen, "unknown origin '%s'", f[3]);
		return -1;
	}
	if (parse_int64(f[4], &e->added) || parse_int64(f[5], &e->expires)) {
		snprintf(why, whylen, "bad timestamp");
		return -1;
	}
	e->score = strtod(f[6], &end);
	if (end == f[6] || *end) {
		snprintf(why, whylen, "bad score '%s'", f[6]);
		return -1;
	}
	if (!*f[7]) {
		snprintf(why, whylen, "empty source");
		return -1;
	}
	if (fw_name_parse(f[8], &name, nerr, sizeof(nerr)) || strcmp(name.text, f[8])) {
		snprintf(why, whylen, "bad name '%s'", f[8]);
		return -1;
	}
	e->source = f[7];
	e->name = f[8];
	e->reason = f[9];
	return 0;
}

/* "counts B_MANUAL B_FEED B_AUTO A_MANUAL A_FEED A_AUTO": entries by list and origin. */
static int parse_counts(const char *rest, struct fw_state_opts *o)
{
	unsigned long long c[6];
	int used = 0, i;

	if (sscanf(rest, "%llu %llu %llu %llu %llu %llu%n", &c[0], &c[1], &c[2], &c[3], &c[4],
		   &c[5], &used) != 6 ||
	    rest[used])
		return -1;
	for (i = 0; i < 6; i++)
		o->counts[i / 3][i % 3] = c[i];
	o->has_counts = 1;
	return 0;
}

/* "# option KEY VALUE..." lines; 0, or -1 with why filled. */
int fw_state_parse_option(const char *line, struct fw_state_opts *o, char *why, size_t whylen)
{
	char key[32], rest[512], *tok, *save = NULL, *end;

	if (sscanf(line, "# option %31s %511[^\n]", key, rest) != 2) {
		snprintf(why, whylen, "bad option line");
		return -1;
	}
	if (!strcmp(key, "generation")) {
		o->generation = strtoull(rest, &end, 10);
		if (*end)
			goto bad;
	} else if (!strcmp(key, "default_action")) {
		if (fw_action_parse(rest, &o->default_action))
			goto bad;
	} else if (!strcmp(key, "sorted")) {
		if (strcmp(rest, "yes"))
			goto bad;
		o->sorted = 1;
	} else if (!strcmp(key, "counts")) {
		if (parse_counts(rest, o))
			goto bad;
	} else if (!strcmp(key, "ports")) {
		for (tok = strtok_r(rest, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			unsigned long p = strtoul(tok, &end, 10);

			if (*end || !p || p > 65535 || o->nports >= FW_STATE_MAX_PORTS)
				goto bad;
			o->ports[o->nports++] = (uint16_t)p;
		}
	} else {
		snprintf(why, whylen, "unknown option '%s'", key);
		return -1;
	}
	return 0;
bad:
	snprintf(why, whylen, "bad value for option '%s'", key);
	return -1;
}

static int state_error(char *err, size_t errlen, const char *path, size_t line, const char *why)
{
	snprintf(err, errlen,
		 "%s:%zu: %s; the state file is damaged: restore it from %s.bak or fix the line "
		 "(fluxwall will not start with a partial list)",
		 path, line, why, path);
	return -1;
}

/* A file that says it is sorted is searched by name without being read: it must be. */
static int entry_out_of_order(const struct fw_state *st, const struct fw_entry *e, char *why,
			      size_t whylen)
{
	if (!st->opts.sorted || !st->n || strcmp(st->e[st->n - 1].name, e->name) <= 0)
		return 0;
	snprintf(why, whylen, "'%s' after '%s' in a file that says it is sorted by name", e->name,
		 st->e[st->n - 1].name);
	return 1;
}

void fw_state_count(const struct fw_state *st, uint64_t counts[2][3])
{
	size_t i;

	memset(counts, 0, sizeof(uint64_t) * 6);
	for (i = 0; i < st->n; i++)
		counts[st->e[i].list & 1][st->e[i].origin % 3]++;
}

static int counts_disagree(const struct fw_state *st, char *why, size_t whylen)
{
	uint64_t c[2][3];

	if (!st->opts.has_counts)
		return 0;
	fw_state_count(st, c);
	if (!memcmp(c, st->opts.counts, sizeof(c)))
		return 0;
	snprintf(why, whylen, "the counts option does not match the entries read");
	return 1;
}

static int read_state_file(struct fw_state *st, FILE *f, char *err, size_t errlen)
{
	size_t lineno = 0, cap = 0, declared = 0;
	int seen_end = 0, seen_magic = 0;
	char *line = NULL, why[256];
	ssize_t len;

	while ((len = getline(&line, &cap, f)) > 0) {
		struct fw_entry e;

		lineno++;
		if (line[len - 1] != '\n') {
			free(line);
			return state_error(err, errlen, st->path, lineno, "last line is cut short");
		}
		line[len - 1] = '\0';
		if (seen_end) {
			free(line);
			return state_error(err, errlen, st->path, lineno, "text after the end line");
		}
		if (lineno == 1) {
			if (strcmp(line, STATE_MAGIC)) {
				free(line);
				return state_error(err, errlen, st->path, 1,
						   "not a fluxwall state file (no header line)");
			}
			seen_magic = 1;
			continue;
		}
		if (!strncmp(line, "# option ", 9)) {
			if (fw_state_parse_option(line, &st->opts, why, sizeof(why))) {
				free(line);
				return state_error(err, errlen, st->path, lineno, why);
			}
			continue;
		}
		if (!strncmp(line, "# end ", 6)) {
			declared = strtoull(line + 6, NULL, 10);
			seen_end = 1;
			continue;
		}
		if (fw_entry_parse(line, &e, why, sizeof(why)) ||
		    entry_out_of_order(st, &e, why, sizeof(why)) ||
		    (fw_state_add(st, &e) && snprintf(why, sizeof(why), "out of memory"))) {
			free(line);
			return state_error(err, errlen, st->path, lineno, why);
		}
	}
	free(line);
	if (!seen_magic)
		return state_error(err, errlen, st->path, 1, "the file is empty");
	if (!seen_end)
		return state_error(err, errlen, st->path, lineno,
				   "no end line: the file was truncated");
	if (declared != st->n) {
		snprintf(why, sizeof(why), "end line counts %zu entries but %zu were read", declared,
			 st->n);
		return state_error(err, errlen, st->path, lineno, why);
	}
	if (counts_disagree(st, why, sizeof(why)))
		return state_error(err, errlen, st->path, lineno, why);
	return 0;
}

int fw_state_read(struct fw_state *st, FILE *f, const char *path, char *err, size_t errlen)
{
	int ret;

	memset(st, 0, sizeof(*st));
	snprintf(st->path, sizeof(st->path), "%s", path);
	ret = read_state_file(st, f, err, errlen);
	if (ret)
		fw_state_free(st);
	return ret;
}

int fw_state_load_file(struct fw_state *st, const char *path, char *err, size_t errlen)
{
	FILE *f;
	int ret;

	memset(st, 0, sizeof(*st));
	f = fopen(path, "r");
	if (!f) {
		snprintf(st->path, sizeof(st->path), "%s", path);
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	ret = fw_state_read(st, f, path, err, errlen);
	fclose(f);
	return ret;
}

/* Three decimals when they say it all, else the digits that read back exactly. */
static void format_score(double v, char *buf, size_t len)
{
	static const char *const fmts[] = { "%.3f", "%.15g", "%.16g", "%.17g" };
	size_t i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		snprintf(buf, len, fmts[i], v);
		if (!isfinite(v) || strtod(buf, NULL) == v)
			return;
	}
}

void fw_entry_write(FILE *f, const struct fw_entry *e)
{
	char score[64];

	format_score(e->score, score, sizeof(score));
	fprintf(f, "%s\t%s\t%s\t%s\t%" PRId64 "\t%" PRId64 "\t%s\t%s\t%s\t%s\n",
		fw_list_str(e->list), fw_match_str(e->match), fw_action_str(e->action),
		fw_origin_str(e->origin), e->added, e->expires, score, e->source, e->name,
		e->reason);
}

/* What read_state_file() refuses must not be written: the next start would fail. */
int fw_entry_writable(const struct fw_entry *e, char *err, size_t errlen)
{
	char text[FW_PRINTABLE_MAX];
	const char *bad = !e->source[0]			 ? "an empty source"
			  : strpbrk(e->source, "\t\n") ? "a tab or line break in its source"
			  : strpbrk(e->reason, "\t\n") ? "a tab or line break in its reason"
			  : strpbrk(e->name, "\t\n")   ? "a tab or line break in its name"
							  : NULL;

	if (bad)
		snprintf(err, errlen, "the entry for %s has %s; the state file was not changed",
			 fw_printable(e->name, text, sizeof(text)), bad);
	return !bad;
}

static int is_sorted(const struct fw_state *st)
{
	size_t i;

	for (i = 1; i < st->n; i++)
		if (strcmp(st->e[i - 1].name, st->e[i].name) > 0)
			return 0;
	return 1;
}

static void write_options(FILE *f, const struct fw_state *st)
{
	const struct fw_state_opts *o = &st->opts;
	uint64_t c[2][3];
	unsigned i;

	fprintf(f, "# option generation %llu\n", (unsigned long long)o->generation);
	if (is_sorted(st))
		fprintf(f, "# option sorted yes\n");
	fw_state_count(st, c);
	fprintf(f, "# option counts %llu %llu %llu %llu %llu %llu\n", (unsigned long long)c[0][0],
		(unsigned long long)c[0][1], (unsigned long long)c[0][2],
		(unsigned long long)c[1][0], (unsigned long long)c[1][1],
		(unsigned long long)c[1][2]);
	if (o->default_action != FW_ACT_DEFAULT)
		fprintf(f, "# option default_action %s\n", fw_action_str(o->default_action));
	if (!o->nports)
		return;
	fprintf(f, "# option ports");
	for (i = 0; i < o->nports; i++)
		fprintf(f, " %u", o->ports[i]);
	fputc('\n', f);
}

/* Keep the previous good file as .bak, then replace it atomically. */
static int replace_file(const char *tmp, const char *path)
{
	char bak[4200];

	snprintf(bak, sizeof(bak), "%s.bak", path);
	if (link(path, bak) && errno == EEXIST) {
		unlink(bak);
		if (link(path, bak) && errno != ENOENT)
			return -1;
	}
	if (rename(tmp, path))
		return -1;
	return fw_fsync_dir_of(path);
}

int fw_state_write(const struct fw_state *st, FILE *f, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (!fw_entry_writable(&st->e[i], err, errlen))
			return -1;
	fprintf(f, "%s\n", STATE_MAGIC);
	write_options(f, st);
	for (i = 0; i < st->n; i++)
		fw_entry_write(f, &st->e[i]);
	fprintf(f, "# end %zu\n", st->n);
	if (fflush(f) || ferror(f)) {
		snprintf(err, errlen, "cannot write the state: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* A failed write names the file, the cause and what to do about it. */
static void write_error(const struct fw_state *st, const char *what, int e, char *err,
			size_t errlen)
{
	const char *fix = "check the state directory (--state-dir)";

	if (e == ENOSPC || e == EDQUOT)
		fix = "free space on the file system of the state directory and try again";
	else if (e == EROFS || e == EACCES || e == EPERM)
		fix = "make the state directory writable or set another with --state-dir";
	snprintf(err, errlen, "cannot %s %s: %s; %s", what, st->path, strerror(e), fix);
}

int fw_state_save(const struct fw_state *st, char *err, size_t errlen)
{
	char tmp[4200];
	FILE *f;
	size_t i;
	int fd;

	for (i = 0; i < st->n; i++)
		if (!fw_entry_writable(&st->e[i], err, errlen))
			return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", st->path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		write_error(st, "write", errno, err, errlen);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	errno = 0;
	if (fw_state_write(st, f, err, errlen) || fsync(fileno(f))) {
		write_error(st, "write", errno ? errno : EIO, err, errlen);
		fclose(f);
		unlink(tmp);
		return -1;
	}
	fclose(f);
	if (replace_file(tmp, st->path)) {
		write_error(st, "replace", errno, err, errlen);
		unlink(tmp);
		return -1;
	}
	return 0;
}
