/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Event-log lines for the operator's own changes: manual edits and imports. */
#ifndef FW_CLI_EVENTS_H
#define FW_CLI_EVENTS_H

#include "cli/cli.h"
#include "formats/eventlog.h"

/* Log one manual block or unblock; a log that cannot be written only warns. */
void fw_cli_event(struct fw_opts *o, enum fw_event_kind kind, const struct fw_entry *e);

/* One line per import: a feed of 10^6 names is one decision, not 10^6. */
void fw_cli_event_import(struct fw_opts *o, const char *source, size_t entries, size_t before);

#endif /* FW_CLI_EVENTS_H */
