// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The fleet's TSIG key file. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "formats/dns_name.h"
#include "formats/tsig_keys.h"

static const char *const algs[] = {"hmac-md5",	  "hmac-sha1",	 "hmac-sha224",
				   "hmac-sha256", "hmac-sha384", "hmac-sha512"};

static int alg_known(const char *a)
{
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (!strcasecmp(a, algs[i]))
			return 1;
	return 0;
}

static int base64_ok(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!isalnum((unsigned char)*s) && *s != '+' && *s != '/' && *s != '=')
			return 0;
	return n > 0 && n % 4 == 0;
}

int fw_tsig_key_parse(const char *text, struct fw_tsig_key *k, char *why, size_t whylen)
{
	char alg[32], name[256], secret[256], extra;
	struct fw_name n;
	char nwhy[128];

	memset(k, 0, sizeof(*k));
	if (sscanf(text, "%31[^:]:%255[^:]:%255s %c", alg, name, secret, &extra) != 3) {
		snprintf(why, whylen,
			 "expected ALGORITHM:NAME:SECRET, such as "
			 "hmac-sha256:fleet:c2VjcmV0... (tsig-keygen or keymgr -t make one)");
		return -1;
	}
	if (!alg_known(alg)) {
		snprintf(why, whylen, "unknown algorithm '%s'; use hmac-sha256 (or hmac-sha512)",
			 alg);
		return -1;
	}
	if (fw_name_parse(name, &n, nwhy, sizeof(nwhy))) {
		snprintf(why, whylen, "key name '%s' is not a valid domain name (%s)", name, nwhy);
		return -1;
	}
	if (!base64_ok(secret)) {
		snprintf(why, whylen, "the secret of key '%s' is not base64", name);
		return -1;
	}
	snprintf(k->alg, sizeof(k->alg), "%s.", alg);
	for (char *c = k->alg; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	snprintf(k->name, sizeof(k->name), "%s.", n.text);
	snprintf(k->secret, sizeof(k->secret), "%s", secret);
	return 0;
}

int fw_tsig_keys_load(struct fw_tsig_keys *keys, const char *path, char *err, size_t errlen)
{
	char line[1024], why[300];
	unsigned lineno = 0;
	struct stat st;
	FILE *f;

	memset(keys, 0, sizeof(*keys));
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "cannot read the TSIG key file %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (!fstat(fileno(f), &st) && (st.st_mode & 077)) {
		snprintf(err, errlen,
			 "the TSIG key file %s is readable by others (mode %03o); chmod 600 it",
			 path, st.st_mode & 0777);
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *t = line + strspn(line, " \t");

		lineno++;
		t[strcspn(t, "#\r\n")] = '\0'; /* a comment, the line's end */
		if (!t[strspn(t, " \t")])
			continue;
		if (keys->n == FW_TSIG_MAX_KEYS) {
			snprintf(err, errlen, "%s:%u: more than %d keys", path, lineno,
				 FW_TSIG_MAX_KEYS);
			goto fail;
		}
		if (fw_tsig_key_parse(t, &keys->k[keys->n], why, sizeof(why))) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			goto fail;
		}
		keys->n++;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	memset(keys, 0, sizeof(*keys));
	return -1;
}

const struct fw_tsig_key *fw_tsig_keys_find(const struct fw_tsig_keys *keys, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < keys->n; i++) {
		const char *k = keys->k[i].name;

		if (!strncasecmp(k, name, n) && (k[n] == '\0' || (k[n] == '.' && !k[n + 1])))
			return &keys->k[i];
	}
	return NULL;
}
