// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Events held until their list change is committed; see event_queue.h. */
#include <stdlib.h>
#include <string.h>

#include "daemon/event_queue.h"

static void free_event(struct fw_event *e)
{
	free((char *)e->name);
	free((char *)e->reason);
	free((char *)e->evidence);
}

int fw_event_queue_push(struct fw_event_queue *q, const struct fw_event *ev, char *evidence)
{
	struct fw_event *e;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		struct fw_event *ne = realloc(q->e, cap * sizeof(*ne));

		if (!ne) {
			free(evidence);
			return -1;
		}
		q->e = ne;
		q->cap = cap;
	}
	e = &q->e[q->n];
	*e = *ev;
	e->name = ev->name ? strdup(ev->name) : NULL;
	e->reason = ev->reason ? strdup(ev->reason) : NULL;
	e->evidence = evidence;
	if ((ev->name && !e->name) || (ev->reason && !e->reason)) {
		free_event(e);
		return -1;
	}
	q->n++;
	return 0;
}

size_t fw_event_queue_flush(struct fw_event_queue *q, struct fw_eventlog *log, char *err,
			    size_t errlen)
{
	size_t i, failed = 0;

	for (i = 0; i < q->n; i++) {
		if (log && fw_eventlog_write(log, &q->e[i], err, errlen))
			failed++;
		free_event(&q->e[i]);
	}
	q->n = 0;
	return failed;
}

void fw_event_queue_free(struct fw_event_queue *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		free_event(&q->e[i]);
	free(q->e);
	memset(q, 0, sizeof(*q));
}
