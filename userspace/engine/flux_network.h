/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Flux networks: which registered domains answer with the same addresses.
 *
 * A bounded index maps each answer address seen in the window to the
 * network it was first seen in. A response joins the network most of its
 * known addresses belong to, when it shares two of them with it (or its
 * only one): one address in common is as likely a hosting coincidence.
 * Otherwise it stays in the network its domain last answered from, or
 * founds one. Its new addresses join that network too. Networks never merge: a CDN's customers stay one
 * network of one CDN, and an address shared by two networks stays with
 * the first, so no chain of shared addresses grows a network over half
 * the Internet. The detector scores each network with two or more domains
 * as if it were one domain, over all its members' answers, and marks it
 * flux; a domain that answers from a network marked flux inherits the
 * verdict, at its first response.
 *
 * Memory: 40 bytes per address (entry and hash slot), 96 per network plus
 * its member names; both evict the least recently seen first. Bounded by
 * max_addrs and max_networks; fw_netidx_mem_bytes() reports the total.
 */
#ifndef FW_FLUX_NETWORK_H
#define FW_FLUX_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "formats/observation.h"

#define FW_NET_DEFAULT_MAX_ADDRS    (1u << 20)
#define FW_NET_DEFAULT_MAX_NETWORKS (1u << 17)
#define FW_NET_MEMBERS		    8 /* member domains remembered per network */

struct fw_netidx_params {
	uint32_t max_addrs;    /* addresses indexed; the least recently seen goes */
	uint32_t max_networks; /* networks; the least recently seen goes */
	uint32_t window_s;     /* an address not seen for this long leaves */
};

/* What one response did to the index. */
struct fw_net_join {
	uint32_t id;	    /* the network it joined or founded; 0: no address */
	uint32_t known;	    /* its addresses the network held before */
	bool founded;	    /* the domain founded the network with this response */
	bool new_member;    /* the domain was not a member yet */
	uint32_t n_domains; /* member domains after the join (saturates at 65535) */
};

struct fw_net_info {
	uint32_t id;
	uint32_t n_domains; /* domains that ever joined in the window */
	uint32_t n_addrs;   /* addresses held now */
	uint64_t first_seen_s, last_seen_s;
	uint64_t flux_until_s; /* 0: not marked flux */
	double flux_score;     /* the network's score when last marked */
	uint32_t n_members;
	const char *members[FW_NET_MEMBERS]; /* founder first; valid until the next join */
};

struct fw_netidx;

void fw_netidx_params_default(struct fw_netidx_params *p);

/* NULL with err when out of memory or a parameter is out of range. */
struct fw_netidx *fw_netidx_new(const struct fw_netidx_params *p, char *err, size_t errlen);
void fw_netidx_free(struct fw_netidx *x);

/*
 * Account the answer addresses of a response for domain at now_s. home is
 * the network the domain last answered from (0 for none): a response none
 * of whose addresses is known stays there rather than founding a network,
 * so a domain that rotates to all-new addresses keeps its network.
 */
int fw_netidx_join(struct fw_netidx *x, const char *domain, const struct fw_obs *obs,
		   uint32_t home, uint64_t now_s, struct fw_net_join *out);

/* The network ip belongs to now, 0 when none. */
uint32_t fw_netidx_of(const struct fw_netidx *x, const struct fw_ip *ip, uint64_t now_s);

/* Describe network id; -1 when it is gone. */
int fw_netidx_info(const struct fw_netidx *x, uint32_t id, struct fw_net_info *out);

/* Whether domain is one of the remembered members of network id. */
bool fw_netidx_is_member(const struct fw_netidx *x, uint32_t id, const char *domain);

/* Mark network id flux until until_s (extends, never shortens). */
void fw_netidx_mark_flux(struct fw_netidx *x, uint32_t id, uint64_t until_s, double score);

/* Whether network id is marked flux at now_s. */
bool fw_netidx_is_flux(const struct fw_netidx *x, uint32_t id, uint64_t now_s);

size_t fw_netidx_addr_count(const struct fw_netidx *x);
size_t fw_netidx_mem_bytes(const struct fw_netidx *x);
/* Addresses dropped because the index was full (not those that expired). */
uint64_t fw_netidx_evictions(const struct fw_netidx *x);

/*
 * The networks marked flux at now_s, with their members and addresses, as
 * text lines (fw_netidx_load reads them back): what a restart must not
 * forget. -1 when writing failed.
 */
int fw_netidx_save(const struct fw_netidx *x, FILE *out, uint64_t now_s);

/* Read what fw_netidx_save wrote; -1 with err naming the line. */
int fw_netidx_load(struct fw_netidx *x, FILE *in, uint64_t now_s, char *err, size_t errlen);

#endif /* FW_FLUX_NETWORK_H */
