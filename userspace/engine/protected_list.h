/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Popular domains that auto-block must never touch, loaded from a text file
 * (data/protected-domains.txt): one name per line, '#' starts a comment.
 * A name is protected when it is a listed domain or lies under one; and a
 * name is refused for blocking when a listed domain lies under it, since
 * blocking it would block the listed one too.
 */
#ifndef FW_PROTECTED_LIST_H
#define FW_PROTECTED_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct fw_protected;

struct fw_protected *fw_protected_new(void);

/*
 * Load a list file into a new set. NULL with err ("FILE:LINE: ...", or the
 * file and the fix) when the file cannot be read or a line is not a name.
 */
struct fw_protected *fw_protected_load(const char *path, char *err, size_t errlen);

/* Add one name (any case, optional trailing dot); -1 with err when invalid. */
int fw_protected_add(struct fw_protected *p, const char *name, char *err, size_t errlen);

void fw_protected_free(struct fw_protected *p);

size_t fw_protected_count(const struct fw_protected *p);

/*
 * True when blocking name (canonical text) would block a protected domain.
 * which, when not NULL, receives the listed domain responsible.
 */
bool fw_protected_covers(const struct fw_protected *p, const char *name, char *which,
			 size_t whichlen);

#endif /* FW_PROTECTED_LIST_H */
