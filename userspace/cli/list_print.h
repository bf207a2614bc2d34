/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Printing list entries as a table or as JSON with stable field names. */
#ifndef FW_LIST_PRINT_H
#define FW_LIST_PRINT_H

#include <stdio.h>

#include "formats/state_file.h"

void fw_print_entries(FILE *out, const struct fw_state *st, uint8_t list, int json);

#endif /* FW_LIST_PRINT_H */
