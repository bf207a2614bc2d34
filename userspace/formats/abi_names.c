// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The words for the kernel contract's numbers; see abi_names.h. */
#include <string.h>

#include "formats/abi_names.h"

const char *const fw_counter_names[FW_CNT_MAX] = {
    [FW_CNT_PACKETS] = "packets",
    [FW_CNT_PASSED] = "passed",
    [FW_CNT_NOT_DNS] = "not_dns",
    [FW_CNT_DNS_QUERIES] = "dns_queries",
    [FW_CNT_DNS_OTHER] = "dns_other_opcode",
    [FW_CNT_DNS_RESPONSES] = "dns_responses",
    [FW_CNT_BLOCK_DROP] = "blocked_drop",
    [FW_CNT_BLOCK_NXDOMAIN] = "blocked_nxdomain",
    [FW_CNT_BLOCK_MANUAL] = "blocked_manual",
    [FW_CNT_BLOCK_FEED] = "blocked_feed",
    [FW_CNT_BLOCK_AUTO] = "blocked_auto",
    [FW_CNT_ALLOWED] = "allowed",
    [FW_CNT_FRAGMENTS] = "fragments",
    [FW_CNT_TCP_PARTIAL] = "tcp_partial",
    [FW_CNT_NXDOMAIN_FAILED] = "nxdomain_fallback_drop",
    [FW_CNT_MAL_L3] = "malformed_l3",
    [FW_CNT_MAL_UDP_LENGTH] = "malformed_udp_length",
    [FW_CNT_MAL_SHORT] = "malformed_short_header",
    [FW_CNT_MAL_QDCOUNT] = "malformed_qdcount",
    [FW_CNT_MAL_LABEL] = "malformed_label",
    [FW_CNT_MAL_POINTER] = "malformed_pointer",
    [FW_CNT_MAL_NAME_LEN] = "malformed_name_length",
    [FW_CNT_MAL_TRUNCATED] = "malformed_truncated",
    [FW_CNT_SAMPLES_SENT] = "samples_sent",
    [FW_CNT_SAMPLES_SUPPRESSED] = "samples_suppressed",
    [FW_CNT_SAMPLES_LOST] = "samples_lost",
    [FW_CNT_SAMPLES_UNTRUSTED] = "samples_untrusted",
    [FW_CNT_MAL_RECORDS] = "malformed_records",
};

static const char *const action_names[] = {
    [FW_ACT_DEFAULT] = "default",
    [FW_ACT_DROP] = "drop",
    [FW_ACT_NXDOMAIN] = "nxdomain",
};

static const char *const origin_names[] = {
    [FW_ORIGIN_MANUAL] = "manual",
    [FW_ORIGIN_FEED] = "feed",
    [FW_ORIGIN_AUTO] = "auto",
};

#define N_OF(tab) (sizeof(tab) / sizeof(tab[0]))

const char *fw_name_of(const char *const *tab, size_t n, unsigned int v)
{
	return v < n && tab[v] ? tab[v] : FW_NAME_UNKNOWN;
}

int fw_name_lookup(const char *const *tab, size_t n, const char *s, uint8_t *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (tab[i] && !strcmp(tab[i], s)) {
			*out = (uint8_t)i;
			return 0;
		}
	}
	return -1;
}

const char *fw_counter_name(unsigned int counter)
{
	return fw_name_of(fw_counter_names, FW_CNT_MAX, counter);
}

const char *fw_action_str(uint8_t action)
{
	return fw_name_of(action_names, N_OF(action_names), action);
}

const char *fw_origin_str(uint8_t origin)
{
	return fw_name_of(origin_names, N_OF(origin_names), origin);
}

int fw_action_parse(const char *s, uint8_t *action)
{
	return fw_name_lookup(action_names, N_OF(action_names), s, action);
}

int fw_origin_parse(const char *s, uint8_t *origin)
{
	return fw_name_lookup(origin_names, N_OF(origin_names), s, origin);
}
