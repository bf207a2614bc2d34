// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Address helpers and builders for scorer observations. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "answer_fp.h"
#include "formats/observation.h"

int fw_ip_parse(const char *text, struct fw_ip *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, out->addr) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, out->addr) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -1;
}

void fw_ip_format(const struct fw_ip *ip, char *buf, size_t len)
{
	if ((ip->family != AF_INET && ip->family != AF_INET6) ||
	    !inet_ntop(ip->family, ip->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

bool fw_ip_equal(const struct fw_ip *a, const struct fw_ip *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && memcmp(a->addr, b->addr, n) == 0;
}

/*
 * The arrays are only read up to their counts, so only the fields before
 * them are cleared: an observation is built for every sample, and clearing
 * all of its 5 KiB was a measurable share of the scorer's time.
 */
void fw_obs_init(struct fw_obs *obs, const char *qname, uint64_t ts_ns)
{
	memset(obs, 0, offsetof(struct fw_obs, addrs));
	snprintf(obs->qname, sizeof(obs->qname), "%s", qname);
	obs->ts_ns = ts_ns;
	obs->qtype = 1; /* A */
}

int fw_obs_add_addr(struct fw_obs *obs, const char *ip_text, uint32_t ttl)
{
	struct fw_obs_addr *a;

	if (obs->n_addrs >= FW_OBS_MAX_ADDRS)
		return -1;
	a = &obs->addrs[obs->n_addrs];
	if (fw_ip_parse(ip_text, &a->ip) < 0)
		return -1;
	a->ttl = ttl;
	obs->n_addrs++;
	return 0;
}

int fw_obs_add_ns(struct fw_obs *obs, const char *name, uint32_t ttl)
{
	if (obs->n_ns >= FW_OBS_MAX_NS)
		return -1;
	snprintf(obs->ns[obs->n_ns].name, FW_OBS_NAME_MAX, "%s", name);
	obs->ns[obs->n_ns].ttl = ttl;
	obs->n_ns++;
	return 0;
}

int fw_obs_add_glue(struct fw_obs *obs, const char *ip_text)
{
	if (obs->n_glue >= FW_OBS_MAX_GLUE || !obs->n_ns)
		return -1;
	if (fw_ip_parse(ip_text, &obs->glue[obs->n_glue]) < 0)
		return -1;
	obs->glue_ns[obs->n_glue] = obs->n_ns - 1;
	obs->glue_ttl[obs->n_glue] = obs->ns[obs->n_ns - 1].ttl;
	obs->n_glue++;
	return 0;
}

uint64_t fw_obs_address_fp(const struct fw_obs *obs)
{
	uint64_t sum = 0, hi, lo;
	uint32_t a4;
	uint8_t i;

	for (i = 0; i < obs->n_addrs && i < FW_OBS_MAX_ADDRS; i++) {
		const uint8_t *a = obs->addrs[i].ip.addr;

		if (obs->addrs[i].ip.family == AF_INET) {
			memcpy(&a4, a, 4);
			sum += fw_fp_a(a4, 0);
		} else {
			memcpy(&hi, a, 8);
			memcpy(&lo, a + 8, 8);
			sum += fw_fp_aaaa(hi, lo, 0);
		}
	}
	return sum;
}
