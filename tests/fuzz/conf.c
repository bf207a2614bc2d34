// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The config file parser (userspace/formats/conf.c), as `fluxwall` reads
 * /etc/fluxwall/fluxwall.conf. A file it refuses gets an error naming the
 * file and line. A file it takes prints, with `fluxwall config`, as lines
 * that read back to the same value of every option: what the command
 * shows is what is in effect.
 */
#include <string.h>

#include "formats/conf.h"
#include "fuzz_check.h"

#define NAME "fuzz.conf"

static const char *const KEYS[] = {
#define FW_OPT(key, type, def, min, max, choices, help) #key,
#include "formats/conf_options.h"
#undef FW_OPT
};

/* What `fluxwall config` prints for c, read back over the defaults. */
static void check_reprint(const struct fw_conf *c)
{
	struct fw_conf back;
	char *text = NULL, err[1024];
	size_t len = 0, i;
	FILE *out = open_memstream(&text, &len);
	FILE *in;

	FUZZ_CHECK(out, "open_memstream failed");
	fw_conf_print(c, out);
	fclose(out);
	FUZZ_CHECK(!fw_conf_init(&back), "out of memory");
	in = fuzz_stream((const uint8_t *)text, len);
	FUZZ_CHECK(!fw_conf_load_stream(&back, in, "printed", err, sizeof(err)),
		   "`fluxwall config` output does not read back: %s\n%s", err, text);
	fclose(in);
	for (i = 0; i < sizeof(KEYS) / sizeof(KEYS[0]); i++)
		FUZZ_CHECK(!strcmp(fw_conf_get(c, KEYS[i]), fw_conf_get(&back, KEYS[i])),
			   "%s is '%s' but reads back as '%s'", KEYS[i], fw_conf_get(c, KEYS[i]),
			   fw_conf_get(&back, KEYS[i]));
	fw_conf_free(&back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fuzz_stream(data, size);
	struct fw_conf c;
	char err[1024];
	int ret;

	FUZZ_CHECK(!fw_conf_init(&c), "out of memory");
	err[0] = '\0';
	ret = fw_conf_load_stream(&c, f, NAME, err, sizeof(err));
	fclose(f);
	if (ret) {
		FUZZ_CHECK(!strncmp(err, NAME ":", strlen(NAME ":")),
			   "the error does not name the file: %s", err);
	} else {
		check_reprint(&c);
	}
	fw_conf_free(&c);
	return 0;
}
