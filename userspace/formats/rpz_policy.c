// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* RPZ policies and trigger kinds, as fluxwall enforces them. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "formats/rpz_policy.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

int fw_rpz_policy(const char *target, bool *allow, enum fw_action *action, char *why, size_t whylen)
{
	static const char *const specials[] = {"rpz-passthru", "rpz-drop", "rpz-tcp-only"};
	size_t i;

	*allow = false;
	*action = FW_ACT_NXDOMAIN;
	if (strcmp(target, ".") == 0 || strcmp(target, "*.") == 0)
		return 0; /* NXDOMAIN, and NODATA which fluxwall answers as NXDOMAIN */
	if (strcasecmp(target, "rpz-drop.") == 0) {
		*action = FW_ACT_DROP;
		return 0;
	}
	if (strcasecmp(target, "rpz-passthru.") == 0) {
		*allow = true;
		*action = FW_ACT_DEFAULT;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(specials); i++) {
		if (strcasecmp(target, specials[i]) == 0) {
			snprintf(why, whylen,
				 "target '%s' has no trailing dot, so it is a name in the zone; "
				 "write '%s.'",
				 specials[i], specials[i]);
			return -1;
		}
	}
	if (strcasecmp(target, "rpz-tcp-only.") == 0) {
		snprintf(why, whylen,
			 "rpz-tcp-only. is not supported; fluxwall can block "
			 "(CNAME . or rpz-drop.) or allow (rpz-passthru.)");
		return -1;
	}
	snprintf(why, whylen,
		 "CNAME %.80s rewrites the answer to local data, which fluxwall cannot do; "
		 "use CNAME . (NXDOMAIN), rpz-drop. or rpz-passthru.",
		 target);
	return -1;
}

bool fw_rpz_other_trigger(const char *trigger, const char **kind)
{
	static const char *const kinds[] = {"rpz-ip", "rpz-nsdname", "rpz-nsip", "rpz-client-ip"};
	const char *last = strrchr(trigger, '.');
	size_t i;

	last = last ? last + 1 : trigger;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (strcasecmp(last, kinds[i]) == 0) {
			*kind = kinds[i];
			return true;
		}
	}
	return false;
}
