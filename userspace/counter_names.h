/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Stable names of the data path's counters, for status, JSON and metrics. */
#ifndef FW_COUNTER_NAMES_H
#define FW_COUNTER_NAMES_H

#include "fluxwall_abi.h"

extern const char *const fw_counter_names[FW_CNT_MAX];

#endif /* FW_COUNTER_NAMES_H */
