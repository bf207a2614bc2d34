// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One line per op: SEQ TAB add|del TAB NAME TAB NODE TAB MATCH TAB SCORE TAB
 * EXPIRES TAB REASON. A line without its newline was torn by a crash before
 * its fsync, so was never acknowledged to anyone: it is cut off at open.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fleet/publish_queue.h"
#include "formats/atomic_file.h"
#include "formats/state_file.h"

#define COMPACT_BYTES (1u << 20)

static int read_acked(struct fw_pub_queue *q)
{
	FILE *f = fopen(q->acked_path, "re");
	unsigned long long v = 0;
	int ok;

	if (!f)
		return errno == ENOENT ? 0 : -1;
	ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	q->acked = ok ? v : 0;
	return ok ? 0 : -1;
}

static int put_seq(FILE *f, void *seq)
{
	return fprintf(f, "%" PRIu64 "\n", *(uint64_t *)seq) > 0 ? 0 : -1;
}

static int write_acked(struct fw_pub_queue *q, uint64_t seq)
{
	return fw_file_replace(q->acked_path, 0640, put_seq, &seq);
}

static int grow(struct fw_pub_queue *q, size_t more)
{
	size_t cap = q->cap ? q->cap : 64;
	struct fw_pub_op *n;

	while (cap < q->n + more)
		cap *= 2;
	if (cap == q->cap)
		return 0;
	n = realloc(q->op, cap * sizeof(*n));
	if (!n)
		return -1;
	q->op = n;
	q->cap = cap;
	return 0;
}

static int parse_line(char *line, struct fw_pub_op *op)
{
	char *f[9], *save = NULL, *end;
	int i;

	memset(op, 0, sizeof(*op));
	for (i = 0; i < 9; i++) {
		f[i] = strtok_r(i ? NULL : line, "\t", &save);
		if (!f[i] && i < 8)
			return -1;
	}
	op->seq = strtoull(f[0], &end, 10);
	if (*end || (strcmp(f[1], "add") && strcmp(f[1], "del")))
		return -1;
	op->del = f[1][0] == 'd';
	snprintf(op->name, sizeof(op->name), "%s", f[2]);
	snprintf(op->meta.node, sizeof(op->meta.node), "%s", f[3]);
	op->meta.match = strcmp(f[4], "exact") ? FW_MATCH_SUBTREE : FW_MATCH_EXACT;
	op->meta.score = strtod(f[5], NULL);
	op->meta.expires = strtoll(f[6], NULL, 10);
	snprintf(op->meta.reason, sizeof(op->meta.reason), "%s", f[7] ? f[7] : "");
	return 0;
}

static int load(struct fw_pub_queue *q, char *err, size_t errlen)
{
	FILE *f = fdopen(dup(q->fd), "r");
	char line[1024];
	off_t good = 0;

	if (!f)
		return -1;
	q->next_seq = q->acked + 1;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		struct fw_pub_op op;

		if (!len || line[len - 1] != '\n')
			break; /* torn tail */
		line[len - 1] = '\0';
		if (parse_line(line, &op)) {
			snprintf(err, errlen,
				 "%s: damaged line at byte %lld; move the file away "
				 "to start an empty queue",
				 q->path, (long long)good);
			fclose(f);
			return -1;
		}
		good += (off_t)len;
		if (op.seq >= q->next_seq)
			q->next_seq = op.seq + 1;
		if (op.seq <= q->acked)
			continue;
		if (grow(q, 1)) {
			fclose(f);
			return -1;
		}
		q->op[q->n++] = op;
	}
	fclose(f);
	if (ftruncate(q->fd, good) || lseek(q->fd, 0, SEEK_END) < 0)
		return -1;
	return 0;
}

int fw_pubq_open(struct fw_pub_queue *q, const char *state_dir, char *err, size_t errlen)
{
	char dir[4100];

	memset(q, 0, sizeof(*q));
	pthread_mutex_init(&q->mu, NULL);
	snprintf(dir, sizeof(dir), "%s/fleet", state_dir);
	if (mkdir(dir, 0750) && errno != EEXIST) {
		snprintf(err, errlen, "cannot make %s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(q->path, sizeof(q->path), "%s/publish.queue", dir);
	snprintf(q->acked_path, sizeof(q->acked_path), "%s/publish.acked", dir);
	q->fd = open(q->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (q->fd < 0 || read_acked(q) || load(q, err, errlen)) {
		if (!err[0])
			snprintf(err, errlen, "cannot open the publish queue %s: %s", q->path,
				 strerror(errno));
		fw_pubq_close(q);
		return -1;
	}
	return 0;
}

void fw_pubq_close(struct fw_pub_queue *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->op);
	q->op = NULL;
	q->n = q->cap = 0;
	pthread_mutex_destroy(&q->mu);
}

static int format_op(char *buf, size_t len, const struct fw_pub_op *op)
{
	return snprintf(buf, len, "%" PRIu64 "\t%s\t%s\t%s\t%s\t%.3f\t%" PRId64 "\t%s\n", op->seq,
			op->del ? "del" : "add", op->name, op->meta.node,
			fw_match_str(op->meta.match), op->meta.score, op->meta.expires,
			op->meta.reason[0] ? op->meta.reason : "-");
}

int fw_pubq_push(struct fw_pub_queue *q, struct fw_pub_op *ops, size_t n, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *mem;
	int ret = -1;

	pthread_mutex_lock(&q->mu);
	mem = open_memstream(&buf, &len);
	if (!mem || grow(q, n))
		goto out;
	for (i = 0; i < n; i++) {
		char line[1024];

		ops[i].seq = q->next_seq + i;
		format_op(line, sizeof(line), &ops[i]);
		fputs(line, mem);
	}
	if (fclose(mem)) {
		mem = NULL;
		goto out;
	}
	mem = NULL;
	if (write(q->fd, buf, len) != (ssize_t)len || fsync(q->fd)) {
		off_t end = lseek(q->fd, 0, SEEK_END);

		if (end >= (off_t)len && ftruncate(q->fd, end - (off_t)len)) {
		} /* a failed write is taken back where it can be */
		snprintf(err, errlen, "cannot write the publish queue %s: %s", q->path,
			 strerror(errno));
		goto out;
	}
	memcpy(q->op + q->n, ops, n * sizeof(*ops));
	q->n += n;
	q->next_seq += n;
	ret = 0;
out:
	if (mem)
		fclose(mem);
	if (ret && !err[0])
		snprintf(err, errlen, "out of memory queueing %zu fleet updates", n);
	free(buf);
	pthread_mutex_unlock(&q->mu);
	return ret;
}

size_t fw_pubq_peek(struct fw_pub_queue *q, struct fw_pub_op *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&q->mu);
	n = q->n < max ? q->n : max;
	memcpy(out, q->op, n * sizeof(*out));
	pthread_mutex_unlock(&q->mu);
	return n;
}

size_t fw_pubq_len(struct fw_pub_queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->mu);
	n = q->n;
	pthread_mutex_unlock(&q->mu);
	return n;
}

int fw_pubq_ack(struct fw_pub_queue *q, uint64_t seq, char *err, size_t errlen)
{
	size_t k = 0;
	int ret = 0;

	pthread_mutex_lock(&q->mu);
	if (write_acked(q, seq)) {
		snprintf(err, errlen, "cannot write %s: %s", q->acked_path, strerror(errno));
		ret = -1;
		goto out;
	}
	q->acked = seq;
	while (k < q->n && q->op[k].seq <= seq)
		k++;
	memmove(q->op, q->op + k, (q->n - k) * sizeof(*q->op));
	q->n -= k;
	/* Everything sent: start the file afresh; the acked number stays. */
	if (!q->n && lseek(q->fd, 0, SEEK_END) > COMPACT_BYTES && ftruncate(q->fd, 0) == 0)
		fsync(q->fd);
out:
	pthread_mutex_unlock(&q->mu);
	return ret;
}

long fw_pubq_count_dir(const char *state_dir)
{
	struct fw_pub_queue q = {.fd = -1};
	char line[1024];
	long n = 0;
	FILE *f;

	/* Read only: the daemon may be appending this very moment. */
	snprintf(q.path, sizeof(q.path), "%s/fleet/publish.queue", state_dir);
	snprintf(q.acked_path, sizeof(q.acked_path), "%s/fleet/publish.acked", state_dir);
	f = fopen(q.path, "re");
	if (!f)
		return errno == ENOENT ? -1 : 0;
	if (read_acked(&q))
		q.acked = 0;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);

		if (len && line[len - 1] == '\n' && strtoull(line, NULL, 10) > q.acked)
			n++;
	}
	fclose(f);
	return n;
}
