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

#include "fluxwall.skel.h"
#include "fluxwall_abi.h"
#include "pcap_frames.h"
#include "pinned_maps.h"
#include "xdp_harness.h"

struct seeder {
	const char *out;
	const char *base; /* capture file name, for the seed names */
	int kept, max;
	int frame;
};

static int write_sample(void *ctx, void *data, size_t size)
{
	struct seeder *sd = ctx;
	char path[4096];
	FILE *f;

	if (size != sizeof(struct fw_sample) || sd->kept >= sd->max)
		return 0;
	snprintf(path, sizeof(path), "%s/%s-%d", sd->out, sd->base, sd->frame);
	f = fopen(path, "w");
	if (!f || fwrite(data, size, 1, f) != 1 || fclose(f)) {
		fprintf(stderr, "seed_samples: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	sd->kept++;
	return 0;
}

/* Every response sampled, none suppressed as unchanged. */
static int sample_everything(struct fwh *h)
{
	struct fw_config cfg;
	struct fw_maps m;
	char err[512];

	if (fw_maps_open(&m, h->pin, 0, 0, err, sizeof(err))) {
		fprintf(stderr, "seed_samples: %s\n", err);
		return -1;
	}
	if (fw_maps_get_config(&m, &cfg)) {
		fw_maps_close(&m);
		return -1;
	}
	cfg.sampling = 1;
	cfg.sample_interval_ns = 0;
	if (fw_maps_set_config(&m, &cfg)) {
		fw_maps_close(&m);
		return -1;
	}
	fw_maps_close(&m);
	return 0;
}

static int seed_capture(struct fwh *h, struct ring_buffer *rb, struct seeder *sd, char *file)
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
		if (ring_buffer__consume(rb) < 0) {
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
	struct ring_buffer *rb;
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
	if (fwh_open(&h, "seed") || sample_everything(&h))
		return 1;
	rb = ring_buffer__new(bpf_map__fd(h.skel->maps.fw_samples), write_sample, &sd, NULL);
	if (!rb) {
		fwh_close(&h);
		return 1;
	}
	for (; i < argc && !rc; i++)
		rc = seed_capture(&h, rb, &sd, argv[i]);
	ring_buffer__free(rb);
	fwh_close(&h);
	return rc ? 1 : 0;
}
