/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Events of auto-list changes (block, expiry) wait here until the change is
 * committed to the state file: the event log never tells of a block that a
 * full disk or a kill kept from happening, and a restarted daemon, which
 * finds the block in the state file, has nothing to tell again.
 */
#ifndef FW_EVENT_QUEUE_H
#define FW_EVENT_QUEUE_H

#include <stddef.h>

#include "formats/eventlog.h"

struct fw_event_queue {
	struct fw_event *e; /* name, reason and evidence owned by the queue */
	size_t n, cap;
};

/* Keep a copy of ev (taking ownership of evidence, which may be NULL); -1 on OOM. */
int fw_event_queue_push(struct fw_event_queue *q, const struct fw_event *ev, char *evidence);

/*
 * Write every queued event to log (may be NULL: they are dropped) and empty
 * the queue. Returns how many could not be written; err has the last reason.
 */
size_t fw_event_queue_flush(struct fw_event_queue *q, struct fw_eventlog *log, char *err,
			    size_t errlen);

void fw_event_queue_free(struct fw_event_queue *q);

#endif /* FW_EVENT_QUEUE_H */
