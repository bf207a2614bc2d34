// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * seed_samples: the samples the real XDP program makes of captured
 * responses, one file each (a struct fw_sample byte for byte): the seed
 * corpus of the sample_decode fuzzer, so that it starts from what the
 * kernel's record walk really produces.
 *
 *   seed_samples [--max N] OUTDIR FILE.pcap...
 *
 * At most N samples (default 64) are kept from each capture. Runs as root:
 * every frame goes through BPF_PROG_TEST_RUN, with the maps in a private
 * pin directory that is removed at exit.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "fluxwall_abi.h"
#include "formats/pcap_frames.h"
#include "dataplane/pinned_maps.h"
#include "xdp_harness.h"

struct seeder {
	const char *out;
	const char *base; /* capture file name, for the seed names */
	int kept, max;
	int frame;
	int failed;
};

static void write_sample(void *ctx, const struct fw_sample *s)
{
	struct seeder *sd = ctx;
	char path[4096];
	FILE *f;

	if (sd->kept >= sd->max)
		return;
	snprintf(path, sizeof(path), "%s/%s-%d", sd->out, sd->base, sd->frame);
	f = fopen(path, "w");
	if (!f || fwrite(s, sizeof(*s), 1, f) != 1 || fclose(f)) {
		fprintf(stderr, "seed_samples: cannot write %s: %s\n", path, strerror(errno));
		sd->failed = 1;
		return;
	}
	sd->kept++;
}

static int seed_capture(struct fwh *h, struct seeder *sd, char *file)
{
	static uint8_t frame[PB_MAX_FRAME];
	static struct fwh_result r;
	struct fw_pcap *pc;
	char err[512];
	uint64_t ts;
	size_t len;
	int got = 0;

	pc = fw_pcap_open(file, err, sizeof(err));
	if (!pc) {
		fprintf(stderr, "seed_samples: %s\n", err);
		return -1;
	}
	sd->base = basename(file);
	sd->kept = 0;
	for (sd->frame = 0; sd->kept < sd->max; sd->frame++) {
		got = fw_pcap_next(pc, frame, sizeof(frame), &len, &ts);
		if (got <= 0)
			break;
		if (fwh_run(h, frame, len, &r)) {
			/* the kernel refuses frames over a page: no XDP program sees those */
			if (r.err == -EINVAL)
				continue;
			fprintf(stderr, "seed_samples: %s: BPF_PROG_TEST_RUN: %s\n", sd->base,
				strerror(-r.err));
			got = -1;
			break;
		}
		if (sd->failed) {
			got = -1;
			break;
		}
	}
	fw_pcap_close(pc);
	printf("%s: %d samples\n", sd->base, sd->kept);
	return got < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct seeder sd = {.max = 64};
	struct fwh h;
	int i = 1, rc = 0;

	if (argc > 2 && !strcmp(argv[1], "--max")) {
		sd.max = atoi(argv[2]);
		i = 3;
	}
	if (argc - i < 2 || sd.max < 1) {
		fprintf(stderr, "usage: seed_samples [--max N] OUTDIR FILE.pcap...\n");
		return 2;
	}
	sd.out = argv[i++];
	/* Every response sampled, none suppressed as unchanged. */
	if (fwh_open(&h, "seed") || fwh_sampling(&h) || fwh_on_sample(&h, write_sample, &sd)) {
		fwh_close(&h);
		return 1;
	}
	for (; i < argc && !rc; i++)
		rc = seed_capture(&h, &sd, argv[i]);
	fwh_close(&h);
	return rc ? 1 : 0;
}
