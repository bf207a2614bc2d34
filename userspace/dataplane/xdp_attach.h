/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Attach and detach the XDP program through libxdp, and find attachments. */
#ifndef FW_XDP_ATTACH_H
#define FW_XDP_ATTACH_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#define FW_PROG_NAME "fluxwall_xdp"

enum fw_mode {
	FW_MODE_AUTO = 0, /* native, falling back to skb */
	FW_MODE_NATIVE,
	FW_MODE_SKB,
};

struct fw_attachment {
	int ifindex;
	char ifname[IF_NAMESIZE];
	const char *mode;  /* "native", "skb", "hw" */
	uint32_t prog_id;
	int dispatcher;	   /* 1: through libxdp's dispatcher, 0: a single program */
};

/*
 * Attach to ifname; what happened (mode, dispatcher or not) goes to note.
 * A fluxwall program already there is kept if it uses rules_map_id, and
 * replaced if it uses maps that are no longer pinned.
 */
int fw_attach(const char *pin_path, uint32_t capacity, uint32_t rules_map_id, const char *ifname,
	      enum fw_mode mode, struct fw_attachment *out, char *note, size_t notelen, char *err,
	      size_t errlen);

int fw_detach(const char *ifname, char *err, size_t errlen);

/* Our attachment on ifindex, if any: 1 found, 0 none. */
int fw_find_attachment(int ifindex, uint32_t rules_map_id, struct fw_attachment *out);

/* Every interface running fluxwall with the maps of rules_map_id (0: any). */
int fw_list_attachments(uint32_t rules_map_id, struct fw_attachment *out, int max);

int fw_ifindex(const char *ifname, char *err, size_t errlen);

#endif /* FW_XDP_ATTACH_H */
