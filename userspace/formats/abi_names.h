/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The words for the numbers of the kernel contract (fluxwall_abi.h):
 * counters, actions and origins. Status, JSON, metrics, the state file,
 * the event log and the tests all print them from here, and all say
 * FW_NAME_UNKNOWN for a number outside the table.
 */
#ifndef FW_ABI_NAMES_H
#define FW_ABI_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "fluxwall_abi.h"

#define FW_NAME_UNKNOWN "unknown"

extern const char *const fw_counter_names[FW_CNT_MAX];

const char *fw_counter_name(unsigned int counter);
const char *fw_action_str(uint8_t action);
const char *fw_origin_str(uint8_t origin);

/* 0 and the number, or -1 when s is none of the words (case matters). */
int fw_action_parse(const char *s, uint8_t *action);
int fw_origin_parse(const char *s, uint8_t *origin);

/* tab[v], or FW_NAME_UNKNOWN when v is past the n entries or has no word. */
const char *fw_name_of(const char *const *tab, size_t n, unsigned int v);
/* The index of s in tab, as fw_action_parse. */
int fw_name_lookup(const char *const *tab, size_t n, const char *s, uint8_t *out);

#endif /* FW_ABI_NAMES_H */
