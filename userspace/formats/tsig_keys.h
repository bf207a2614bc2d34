/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * TSIG keys of the fleet: a file of "ALGORITHM:NAME:SECRET" lines, the form
 * kdig -y, knsupdate -y and keymgr/tsig-keygen output share. '#' starts a
 * comment. The secret is base64, as both servers write it.
 */
#ifndef FW_TSIG_KEYS_H
#define FW_TSIG_KEYS_H

#include <stddef.h>

#define FW_TSIG_MAX_KEYS 32

struct fw_tsig_key {
	char name[264];	  /* absolute, trailing dot */
	char alg[40];	  /* "hmac-sha256." and the like, as ldns names them */
	char secret[256]; /* base64 */
};

struct fw_tsig_keys {
	struct fw_tsig_key k[FW_TSIG_MAX_KEYS];
	size_t n;
};

/* Read the file; -1 with err naming the file, the line and the fix. */
int fw_tsig_keys_load(struct fw_tsig_keys *keys, const char *path, char *err, size_t errlen);

/* One "ALGORITHM:NAME:SECRET" text into k; -1 with why. */
int fw_tsig_key_parse(const char *text, struct fw_tsig_key *k, char *why, size_t whylen);

/* The key called name (with or without its trailing dot), or NULL. */
const struct fw_tsig_key *fw_tsig_keys_find(const struct fw_tsig_keys *keys, const char *name);

#endif /* FW_TSIG_KEYS_H */
