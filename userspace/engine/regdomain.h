/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Registered domain (eTLD+1) of a name, from the Public Suffix List through
 * libpsl: "a.b.example.co.uk" -> "example.co.uk". Flux is scored both per
 * queried name and per registered domain, and auto-blocks target the latter.
 */
#ifndef FW_REGDOMAIN_H
#define FW_REGDOMAIN_H

#include <stdbool.h>
#include <stddef.h>

/* Debian's publicsuffix package; the DAFSA form loads fastest. */
#define FW_PSL_DAFSA "/usr/share/publicsuffix/public_suffix_list.dafsa"
#define FW_PSL_DAT   "/usr/share/publicsuffix/public_suffix_list.dat"

struct fw_regdom;

/*
 * Load the list from path; with path NULL, Debian's DAFSA file, then its
 * .dat file, then the list built into libpsl. NULL (and err naming the file
 * and the fix) when an explicit path cannot be loaded or nothing at all is
 * available.
 */
struct fw_regdom *fw_regdom_open(const char *path, char *err, size_t errlen);
void fw_regdom_close(struct fw_regdom *r);

/* Where the list came from: a file path, or "libpsl built-in list". */
const char *fw_regdom_source(const struct fw_regdom *r);

/*
 * Write the registered domain of name (canonical lowercase text, no
 * trailing dot) into out. Returns 0; -1 when name is itself a public
 * suffix (e.g. "co.uk") or has no registered domain, or out is too small.
 */
int fw_regdom_get(const struct fw_regdom *r, const char *name, char *out, size_t outlen);

/*
 * True when name is itself a public suffix ("co.uk", "github.io", or any
 * single label by the list's default rule): it has no registrant of its
 * own, and blocking it blocks every registered domain below it.
 */
bool fw_regdom_is_suffix(const struct fw_regdom *r, const char *name);

#endif /* FW_REGDOMAIN_H */
