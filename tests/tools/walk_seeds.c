// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Seeds for the walk_decode fuzzer: DNS messages as they follow the UDP
 * header. Every encoding of the record-rules table at every place, random
 * responses from dns_gen, and the messages inside the sample_decode corpus
 * (samples the XDP program made of the tests/data captures).
 *
 *   walk_seeds OUTDIR [SAMPLE_CORPUS_DIR]
 */
#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dns_gen.h"
#include "fluxwall_abi.h"
#include "record_rules.h"
#include "test_rng.h"

#define N_RANDOM 200

static int put(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		fprintf(stderr, "walk_seeds: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

static int table(const char *dir)
{
	struct pb_dns m;
	char name[64];

	for (size_t i = 0; i < rr_n_rules; i++)
		for (int p = 0; p < RRP_N; p++) {
			size_t len = rr_build(&rr_rules[i], p, &m);

			snprintf(name, sizeof(name), "rules-%02zu-%d", i, p);
			if (len && put(dir, name, m.buf, len))
				return -1;
		}
	return 0;
}

static int random_responses(const char *dir)
{
	static struct dg_msg d;
	struct rng r;
	char name[64], qname[256];

	rng_seed(&r, 20261129, 7);
	for (int i = 0; i < N_RANDOM; i++) {
		dg_random_name(&r, qname, sizeof(qname), "example.net");
		dg_random_response(&d, &r, qname, i % 3 ? 1 : 28);
		snprintf(name, sizeof(name), "random-%03d", i);
		if (put(dir, name, d.m.buf, d.m.len))
			return -1;
	}
	return 0;
}

/* The message of each sample in the sample_decode corpus. */
static int from_samples(const char *dir, const char *corpus)
{
	static struct fw_sample s;
	char path[4096 + 256], name[300];
	struct dirent *e;
	DIR *d = opendir(corpus);

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", corpus, e->d_name);
		memset(&s, 0, sizeof(s));
		f = fopen(path, "rb");
		if (!f)
			continue;
		if (fread(&s, 1, sizeof(s), f) == sizeof(s) && s.msg_len >= 12 &&
		    s.msg_len <= FW_SAMPLE_MSG) {
			snprintf(name, sizeof(name), "sample-%.200s", e->d_name);
			if (put(dir, name, s.msg, s.msg_len)) {
				fclose(f);
				closedir(d);
				return -1;
			}
		}
		fclose(f);
	}
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: walk_seeds OUTDIR [SAMPLE_CORPUS_DIR]\n");
		return 2;
	}
	if (table(argv[1]) || random_responses(argv[1]) ||
	    (argc == 3 && from_samples(argv[1], argv[2])))
		return 1;
	return 0;
}
