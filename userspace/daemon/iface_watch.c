// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Interfaces deleted, detached or added while the daemon runs; see iface_watch.h. */
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "daemon/iface_watch.h"

static int find(const struct fw_attachment *a, int n, int ifindex)
{
	int i;

	for (i = 0; i < n; i++)
		if (a[i].ifindex == ifindex)
			return i;
	return -1;
}

static void names(const struct fw_attachment *a, int n, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s (%s)", i ? ", " : "",
					a[i].ifname, a[i].mode);
	if (!n)
		snprintf(buf, len, "none");
}

void fw_iface_watch_init(struct fw_iface_watch *w, uint32_t rules_map_id, fw_iface_report_fn fn,
			 void *ctx)
{
	char list[1024], msg[1200];

	memset(w, 0, sizeof(*w));
	w->rules_map_id = rules_map_id;
	w->n = fw_list_attachments(rules_map_id, w->att, FW_IFACE_WATCH_MAX);
	names(w->att, w->n, list, sizeof(list));
	snprintf(msg, sizeof(msg), "serving interfaces: %s", list);
	fn(msg, 0, ctx);
}

static void report_lost(const struct fw_attachment *a, const char *still, fw_iface_report_fn fn,
			void *ctx)
{
	char name[IF_NAMESIZE], msg[1400];
	bool gone = !if_indextoname((unsigned)a->ifindex, name);

	snprintf(msg, sizeof(msg),
		 "interface %s (ifindex %d) %s: its DNS responses are no longer filtered; still "
		 "serving: %s%s",
		 a->ifname, a->ifindex,
		 gone ? "is gone (deleted)" : "has no fluxwall program any more (detached)", still,
		 gone ? "" : "; 'fluxwall attach' it again to filter there");
	fn(msg, 1, ctx);
}

void fw_iface_watch_check(struct fw_iface_watch *w, uint64_t now_ns, fw_iface_report_fn fn,
			  void *ctx)
{
	struct fw_attachment now[FW_IFACE_WATCH_MAX];
	char list[1024], msg[1200];
	int n, i;

	if (now_ns < w->next_ns)
		return;
	w->next_ns = now_ns + FW_IFACE_WATCH_EVERY_NS;
	n = fw_list_attachments(w->rules_map_id, now, FW_IFACE_WATCH_MAX);
	names(now, n, list, sizeof(list));
	for (i = 0; i < w->n; i++)
		if (find(now, n, w->att[i].ifindex) < 0)
			report_lost(&w->att[i], list, fn, ctx);
	for (i = 0; i < n; i++) {
		if (find(w->att, w->n, now[i].ifindex) >= 0)
			continue;
		snprintf(msg, sizeof(msg), "now also serving interface %s (%s)", now[i].ifname,
			 now[i].mode);
		fn(msg, 0, ctx);
	}
	memcpy(w->att, now, sizeof(now[0]) * (size_t)n);
	w->n = n;
}
