// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Registered domains through libpsl and Debian's public suffix list. */
#include <libpsl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/regdomain.h"

struct fw_regdom {
	psl_ctx_t *psl;
	bool builtin; /* psl_builtin() is static and must not be freed */
	char source[256];
};

static struct fw_regdom *wrap(psl_ctx_t *psl, bool builtin, const char *source)
{
	struct fw_regdom *r = calloc(1, sizeof(*r));

	if (!r) {
		if (!builtin)
			psl_free(psl);
		return NULL;
	}
	r->psl = psl;
	r->builtin = builtin;
	snprintf(r->source, sizeof(r->source), "%s", source);
	return r;
}

static struct fw_regdom *open_default(char *err, size_t errlen)
{
	static const char *const files[] = {FW_PSL_DAFSA, FW_PSL_DAT};
	const psl_ctx_t *builtin;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		psl_ctx_t *psl;

		if (access(files[i], R_OK) < 0)
			continue;
		psl = psl_load_file(files[i]);
		if (psl) {
			struct fw_regdom *r = wrap(psl, false, files[i]);

			if (!r)
				snprintf(err, errlen, "out of memory loading %s", files[i]);
			return r;
		}
	}
	builtin = psl_builtin();
	/* Debian builds libpsl without a built-in list; it then has no rules. */
	if (builtin && psl_suffix_count(builtin) > 0)
		return wrap((psl_ctx_t *)builtin, true, "libpsl built-in list");
	snprintf(err, errlen,
		 "no public suffix list: %s and %s are missing and libpsl has no built-in list; "
		 "install Debian's publicsuffix package",
		 FW_PSL_DAFSA, FW_PSL_DAT);
	return NULL;
}

struct fw_regdom *fw_regdom_open(const char *path, char *err, size_t errlen)
{
	struct fw_regdom *r;
	psl_ctx_t *psl;

	if (!path)
		return open_default(err, errlen);
	psl = psl_load_file(path);
	if (!psl) {
		snprintf(err, errlen,
			 "public suffix list %s: cannot load it; give a public_suffix_list.dat "
			 "or .dafsa file (Debian: package publicsuffix)",
			 path);
		return NULL;
	}
	r = wrap(psl, false, path);
	if (!r)
		snprintf(err, errlen, "out of memory loading the public suffix list %s", path);
	return r;
}

void fw_regdom_close(struct fw_regdom *r)
{
	if (!r)
		return;
	if (!r->builtin)
		psl_free(r->psl);
	free(r);
}

const char *fw_regdom_source(const struct fw_regdom *r)
{
	return r->source;
}

bool fw_regdom_is_suffix(const struct fw_regdom *r, const char *name)
{
	return psl_is_public_suffix(r->psl, name) != 0;
}

int fw_regdom_get(const struct fw_regdom *r, const char *name, char *out, size_t outlen)
{
	const char *reg = psl_registrable_domain(r->psl, name);
	size_t len;

	if (!reg)
		return -1;
	len = strlen(reg);
	if (len + 1 > outlen)
		return -1;
	memcpy(out, reg, len + 1);
	return 0;
}
