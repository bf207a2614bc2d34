/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What an RPZ QNAME record means to fluxwall: one reading of the policy
 * (CNAME target) and the trigger kinds, shared by the RPZ feed parser and
 * the zone transfers of the fleet.
 */
#ifndef FW_RPZ_POLICY_H
#define FW_RPZ_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "fluxwall_abi.h"

/* The label below a fleet zone's apex that holds the publishers' TXT records. */
#define FW_RPZ_META_LABEL "_fluxwall"

/*
 * The policy of a CNAME target (absolute text, trailing dot): block with an
 * action (allow 0) or allow (allow 1). -1 with why when fluxwall cannot
 * enforce it (local data, rpz-tcp-only, a special name missing its dot).
 */
int fw_rpz_policy(const char *target, bool *allow, enum fw_action *action, char *why,
		  size_t whylen);

/* 1 when the trigger is of another kind than QNAME (rpz-ip...); *kind names it. */
bool fw_rpz_other_trigger(const char *trigger, const char **kind);

#endif /* FW_RPZ_POLICY_H */
