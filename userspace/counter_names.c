// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Stable names of the data path's counters, for status, JSON and metrics. */
#include "counter_names.h"

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
