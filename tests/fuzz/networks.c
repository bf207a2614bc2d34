// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The flux-network file reader (fw_netidx_load in userspace/engine/flux_network.c):
 * `fluxwall run` reads state_dir/networks.tsv at start, so that networks
 * judged flux are still known after a restart. The index is small here, so
 * that eviction and the network limit are reached. A file it takes, saved
 * and read again, must save the same networks, members, addresses and
 * times: a restart changes nothing. Only the network ids, which just tie
 * address lines to network lines, may be numbered anew.
 */
#include <string.h>

#include "engine/flux_network.h"
#include "fuzz_check.h"

#define NOW 1700000000ull /* the time the daemon starts */

static struct fw_netidx *new_index(void)
{
	struct fw_netidx_params p = {.max_addrs = 16, .max_networks = 4, .window_s = 3600};
	char err[256];
	struct fw_netidx *x = fw_netidx_new(&p, err, sizeof(err));

	FUZZ_CHECK(x, "%s", err);
	return x;
}

/*
 * text with each network id replaced by the network's rank among the
 * network lines (0 for an id no network line has).
 */
static char *renumber(const char *text, size_t len)
{
	char *copy = fuzz_string((const uint8_t *)text, len), *line, *save = NULL, *out = NULL;
	unsigned long ids[64];
	size_t n_ids = 0, out_len = 0, i;
	FILE *f = open_memstream(&out, &out_len);

	FUZZ_CHECK(f, "open_memstream failed");
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), *rest;
		unsigned long id;

		if (!tab) {
			fprintf(f, "%s\n", line);
			continue;
		}
		id = strtoul(tab + 1, &rest, 10);
		if (!strncmp(line, "network\t", 8)) {
			FUZZ_CHECK(n_ids < 64, "more networks saved than the index holds");
			ids[n_ids++] = id;
		}
		for (i = 0; i < n_ids && ids[i] != id; i++)
			;
		fprintf(f, "%.*s\t#%zu%s\n", (int)(tab - line), line, i < n_ids ? i + 1 : 0, rest);
	}
	fclose(f);
	free(copy);
	return out;
}

/* What a daemon that loaded text would save at its next write. */
static char *reload(const char *text, size_t len, size_t *out_len)
{
	struct fw_netidx *x = new_index();
	FILE *in = fuzz_stream((const uint8_t *)text, len), *out;
	char *saved = NULL, err[256];

	FUZZ_CHECK(!fw_netidx_load(x, in, NOW, err, sizeof(err)),
		   "a saved file does not load: %s\n%.*s", err, (int)len, text);
	fclose(in);
	out = open_memstream(&saved, out_len);
	FUZZ_CHECK(out && !fw_netidx_save(x, out, NOW), "saving failed");
	fclose(out);
	fw_netidx_free(x);
	return saved;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_netidx *x = new_index();
	FILE *f = fuzz_stream(data, size), *out;
	char *first = NULL, *second, *a, *b, err[256];
	size_t first_len = 0, second_len;

	if (fw_netidx_load(x, f, NOW, err, sizeof(err))) {
		FUZZ_CHECK(!strncmp(err, "line ", 5), "the error does not name the line: %s", err);
		fclose(f);
		fw_netidx_free(x);
		return 0;
	}
	fclose(f);
	FUZZ_CHECK(fw_netidx_addr_count(x) <= 16, "%zu addresses in an index of 16",
		   fw_netidx_addr_count(x));
	out = open_memstream(&first, &first_len);
	FUZZ_CHECK(out && !fw_netidx_save(x, out, NOW), "saving failed");
	fclose(out);
	fw_netidx_free(x);

	second = reload(first, first_len, &second_len);
	a = renumber(first, first_len);
	b = renumber(second, second_len);
	FUZZ_CHECK(!strcmp(a, b), "a restart changed the networks:\n%s---\n%s", a, b);
	free(first);
	free(second);
	free(a);
	free(b);
	return 0;
}
