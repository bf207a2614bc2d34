// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The set of protected popular domains and the suffix checks against it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/dns_name.h"
#include "engine/name_table.h"
#include "engine/protected_list.h"

struct prot_rec {
	struct fw_ntab_node node;
	const char *listed; /* for an ancestor: the listed domain below it */
	char name[];
};

struct fw_protected {
	struct fw_ntab listed;	  /* the domains of the file */
	struct fw_ntab ancestors; /* every proper parent of a listed domain */
};

static const char *rec_name(const struct fw_ntab_node *n)
{
	return ((const struct prot_rec *)n)->name;
}

struct fw_protected *fw_protected_new(void)
{
	struct fw_protected *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (fw_ntab_init(&p->listed, 1024, rec_name) < 0) {
		free(p);
		return NULL;
	}
	if (fw_ntab_init(&p->ancestors, 1024, rec_name) < 0) {
		fw_ntab_free(&p->listed);
		free(p);
		return NULL;
	}
	return p;
}

static void free_table(struct fw_ntab *t)
{
	size_t i;

	for (i = 0; i <= t->mask; i++) {
		struct fw_ntab_node *n = t->bucket[i], *next;

		for (; n; n = next) {
			next = n->next;
			free(n);
		}
	}
	fw_ntab_free(t);
}

void fw_protected_free(struct fw_protected *p)
{
	if (!p)
		return;
	free_table(&p->listed);
	free_table(&p->ancestors);
	free(p);
}

size_t fw_protected_count(const struct fw_protected *p)
{
	return p->listed.count;
}

static struct prot_rec *find(const struct fw_ntab *t, const char *name)
{
	return (struct prot_rec *)fw_ntab_find(t, name, fw_ntab_hash(t, name));
}

/* Insert unless present; the existing or new record, NULL out of memory. */
static struct prot_rec *insert(struct fw_ntab *t, const char *name, const char *listed)
{
	struct prot_rec *r = find(t, name);
	size_t len = strlen(name);

	if (r)
		return r;
	r = calloc(1, sizeof(*r) + len + 1);
	if (!r)
		return NULL;
	memcpy(r->name, name, len + 1);
	r->listed = listed;
	fw_ntab_insert(t, &r->node, fw_ntab_hash(t, name));
	return r;
}

int fw_protected_add(struct fw_protected *p, const char *name, char *err, size_t errlen)
{
	struct fw_name n;
	struct prot_rec *r;
	const char *dot;

	if (fw_name_parse(name, &n, err, errlen) < 0)
		return -1;
	if (!n.text[0] || strchr(n.text, '*')) {
		snprintf(err, errlen, "'%s' is not a domain; list plain names like example.com",
			 name);
		return -1;
	}
	r = insert(&p->listed, n.text, NULL);
	if (!r)
		goto oom;
	for (dot = strchr(r->name, '.'); dot; dot = strchr(dot + 1, '.'))
		if (!insert(&p->ancestors, dot + 1, r->name))
			goto oom;
	return 0;
oom:
	snprintf(err, errlen, "out of memory adding protected domain %s", name);
	return -1;
}

static void strip(char *line)
{
	char *hash = strchr(line, '#');
	size_t len;

	if (hash)
		*hash = '\0';
	len = strlen(line);
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r' ||
		       line[len - 1] == '\n'))
		line[--len] = '\0';
}

struct fw_protected *fw_protected_load(const char *path, char *err, size_t errlen)
{
	struct fw_protected *p;
	char line[512], why[200];
	unsigned lineno = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "protected domain list %s: %s; check the path or the config",
			 path, strerror(errno));
		return NULL;
	}
	p = fw_protected_new();
	if (!p) {
		fclose(f);
		snprintf(err, errlen, "out of memory loading %s", path);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *s = line;

		lineno++;
		strip(line);
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			continue;
		if (fw_protected_add(p, s, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			fw_protected_free(p);
			fclose(f);
			return NULL;
		}
	}
	fclose(f);
	return p;
}

static void copy_which(char *which, size_t len, const char *name)
{
	if (which && len)
		snprintf(which, len, "%s", name);
}

bool fw_protected_covers(const struct fw_protected *p, const char *name, char *which,
			 size_t whichlen)
{
	const struct prot_rec *r;
	const char *s;

	if (!p)
		return false;
	/* The name itself, or any domain above it, is listed. */
	for (s = name; s; s = strchr(s, '.') ? strchr(s, '.') + 1 : NULL) {
		r = find(&p->listed, s);
		if (r) {
			copy_which(which, whichlen, r->name);
			return true;
		}
	}
	/* A listed domain lies below the name. */
	r = find(&p->ancestors, name);
	if (r) {
		copy_which(which, whichlen, r->listed);
		return true;
	}
	return false;
}
