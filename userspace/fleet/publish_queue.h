/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The publisher's queue on disk (STATE_DIR/fleet/publish.queue): every add
 * and delete for the fleet zone, appended and fsynced before the daemon
 * goes on, sent in order and forgotten only once the primary took it
 * (publish.acked holds the last sequence number taken). A primary that is
 * down for days loses nothing; a restart resumes where the queue stands.
 */
#ifndef FW_PUBLISH_QUEUE_H
#define FW_PUBLISH_QUEUE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/rpz_meta.h"

struct fw_pub_op {
	uint64_t seq;
	uint8_t del;
	char name[256];
	struct fw_rpz_meta meta; /* node, match, score, expires, reason (adds) */
};

struct fw_pub_queue {
	pthread_mutex_t mu;
	char path[4200], acked_path[4200];
	int fd;
	struct fw_pub_op *op; /* pending, oldest first */
	size_t n, cap;
	uint64_t next_seq, acked;
};

/* Open (creating dir/fleet) and load what is not acked yet; -1 with err. */
int fw_pubq_open(struct fw_pub_queue *q, const char *state_dir, char *err, size_t errlen);
void fw_pubq_close(struct fw_pub_queue *q);

/* Append ops (seq assigned here) and fsync; -1 with err, nothing queued. */
int fw_pubq_push(struct fw_pub_queue *q, struct fw_pub_op *ops, size_t n, char *err, size_t errlen);

/* Copy up to max of the oldest pending ops; how many. */
size_t fw_pubq_peek(struct fw_pub_queue *q, struct fw_pub_op *out, size_t max);

/* Forget every op up to seq, durably; -1 with err. */
int fw_pubq_ack(struct fw_pub_queue *q, uint64_t seq, char *err, size_t errlen);

size_t fw_pubq_len(struct fw_pub_queue *q);

/* Pending ops of a queue on disk, for `fluxwall status` (no lock taken). */
long fw_pubq_count_dir(const char *state_dir);

#endif /* FW_PUBLISH_QUEUE_H */
