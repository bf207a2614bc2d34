// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <bpf/libbpf.h>

#include "dataplane/sample_reader.h"

struct fw_sample_reader {
	struct ring_buffer *rb;
	fw_sample_fn fn;
	void *ctx;
};

static int deliver(void *ctx, void *data, size_t size)
{
	struct fw_sample_reader *r = ctx;

	if (size == sizeof(struct fw_sample))
		r->fn(r->ctx, data);
	return 0;
}

struct fw_sample_reader *fw_sample_reader_new(int samples_fd, fw_sample_fn fn, void *ctx)
{
	struct fw_sample_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->fn = fn;
	r->ctx = ctx;
	r->rb = ring_buffer__new(samples_fd, deliver, r, NULL);
	if (!r->rb) {
		free(r);
		return NULL;
	}
	return r;
}

int fw_sample_reader_fd(struct fw_sample_reader *r)
{
	return ring_buffer__epoll_fd(r->rb);
}

int fw_sample_reader_consume(struct fw_sample_reader *r)
{
	return ring_buffer__consume(r->rb);
}

void fw_sample_reader_free(struct fw_sample_reader *r)
{
	if (!r)
		return;
	ring_buffer__free(r->rb);
	free(r);
}
