// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libxdp prefers its multi-program dispatcher and falls back to attaching a
 * single program where the kernel refuses the dispatcher (EPERM here). We
 * capture libxdp's own log and tell the operator which of the two happened.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "dataplane/xdp_attach.h"
#include "dataplane/prog_load.h"
#include "fluxwall.skel.h"

static char xdp_log[2048];

static int capture_libxdp(enum libxdp_print_level level, const char *fmt, va_list args)
{
	size_t used = strlen(xdp_log);

	if (level == LIBXDP_DEBUG || used >= sizeof(xdp_log) - 1)
		return 0;
	vsnprintf(xdp_log + used, sizeof(xdp_log) - used, fmt, args);
	return 0;
}

int fw_ifindex(const char *ifname, char *err, size_t errlen)
{
	int ifindex = (int)if_nametoindex(ifname);

	if (!ifindex)
		snprintf(err, errlen, "there is no interface named '%s'; 'ip link' lists them",
			 ifname);
	return ifindex;
}

static const char *mode_name(enum xdp_attach_mode m)
{
	switch (m) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "skb";
	case XDP_MODE_HW:
		return "hw";
	default:
		return "unknown";
	}
}

static int prog_uses_map(int prog_fd, uint32_t map_id)
{
	struct bpf_prog_info info = {};
	/* zeroed: memcheck cannot see the kernel fill it through bpf() */
	uint32_t len = sizeof(info), ids[16] = {0}, i;

	info.nr_map_ids = 16;
	info.map_ids = (uint64_t)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	for (i = 0; i < info.nr_map_ids && i < 16; i++)
		if (ids[i] == map_id)
			return 1;
	return 0;
}

static int is_ours(struct xdp_program *p, uint32_t rules_map_id)
{
	if (!p || strcmp(xdp_program__name(p), FW_PROG_NAME))
		return 0;
	return !rules_map_id || prog_uses_map(xdp_program__fd(p), rules_map_id);
}

int fw_find_attachment(int ifindex, uint32_t rules_map_id, struct fw_attachment *out)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p = NULL;
	int found = 0;

	if (!mp || libxdp_get_error(mp))
		return 0;
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		found = is_ours(p, rules_map_id);
	} else {
		while ((p = xdp_multiprog__next_prog(p, mp)))
			if ((found = is_ours(p, rules_map_id)))
				break;
	}
	if (found) {
		memset(out, 0, sizeof(*out));
		out->ifindex = ifindex;
		if_indextoname(ifindex, out->ifname);
		out->mode = mode_name(xdp_multiprog__attach_mode(mp));
		out->prog_id = 0;
		{
			struct bpf_prog_info info = {};
			uint32_t len = sizeof(info);

			if (!bpf_obj_get_info_by_fd(xdp_program__fd(p), &info, &len))
				out->prog_id = info.id;
		}
		out->dispatcher = !xdp_multiprog__is_legacy(mp);
	}
	xdp_multiprog__close(mp);
	return found;
}

int fw_list_attachments(uint32_t rules_map_id, struct fw_attachment *out, int max)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int n = 0;

	if (!ifs)
		return 0;
	for (i = ifs; i->if_index && n < max; i++)
		if (fw_find_attachment((int)i->if_index, rules_map_id, &out[n]))
			n++;
	if_freenameindex(ifs);
	return n;
}

static int try_attach(struct xdp_program *prog, int ifindex, enum xdp_attach_mode mode)
{
	xdp_log[0] = '\0';
	return xdp_program__attach(prog, ifindex, mode, 0);
}

static void describe(const struct fw_attachment *a, int fell_back_to_skb, char *note, size_t len)
{
	snprintf(note, len, "fluxwall attached to %s in %s mode (program id %u), %s%s", a->ifname,
		 a->mode, a->prog_id,
		 a->dispatcher ? "through libxdp's multi-program dispatcher"
			       : "as a single program: libxdp's multi-program dispatcher is "
				 "not available on this kernel",
		 fell_back_to_skb ? "; the driver has no native XDP, so skb (generic) mode "
				    "is used"
				  : "");
}

int fw_attach(const char *pin_path, uint32_t capacity, uint32_t rules_map_id, const char *ifname,
	      enum fw_mode mode, struct fw_attachment *out, char *note, size_t notelen, char *err,
	      size_t errlen)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, opts, .prog_name = FW_PROG_NAME);
	int ifindex = fw_ifindex(ifname, err, errlen), ret, fell_back = 0;
	struct xdp_program *prog;
	struct fluxwall *skel;

	if (!ifindex)
		return -1;
	if (fw_find_attachment(ifindex, rules_map_id, out)) {
		snprintf(note, notelen, "fluxwall is already attached to %s in %s mode (program id %u)",
			 ifname, out->mode, out->prog_id);
		return 0;
	}
	/* A fluxwall program whose maps are no longer pinned (they were removed
	 * under it) would never see new rules: replace it. */
	if (fw_find_attachment(ifindex, 0, out) && fw_detach(ifname, err, errlen))
		return -1;
	if (fw_prog_open(pin_path, capacity, 0, &skel, err, errlen))
		return -1;
	opts.obj = skel->obj;
	libxdp_set_print(capture_libxdp);
	prog = xdp_program__create(&opts);
	ret = libxdp_get_error(prog);
	if (ret) {
		snprintf(err, errlen, "cannot prepare the XDP program: %s", strerror(-ret));
		fluxwall__destroy(skel);
		return -1;
	}
	ret = try_attach(prog, ifindex, mode == FW_MODE_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE);
	if (ret && mode == FW_MODE_AUTO && (ret == -EOPNOTSUPP || ret == -EINVAL)) {
		fell_back = 1;
		ret = try_attach(prog, ifindex, XDP_MODE_SKB);
	}
	if (ret) {
		char *nl = strchr(xdp_log, '\n');

		if (nl && !nl[1])
			*nl = '\0';
		snprintf(err, errlen, "cannot attach to %s in %s mode: %s%s%s", ifname,
			 mode == FW_MODE_SKB ? "skb" : "native", strerror(-ret),
			 xdp_log[0] ? "; libxdp said: " : "", xdp_log);
		if (mode == FW_MODE_NATIVE && ret == -EOPNOTSUPP)
			snprintf(err + strlen(err), errlen - strlen(err),
				 "; try --mode skb");
	} else if (!fw_find_attachment(ifindex, 0, out)) {
		snprintf(err, errlen, "attached to %s, but the program is not visible there", ifname);
		ret = -1;
	} else {
		describe(out, fell_back, note, notelen);
	}
	xdp_program__close(prog);
	fluxwall__destroy(skel);
	return ret ? -1 : 0;
}

int fw_detach(const char *ifname, char *err, size_t errlen)
{
	int ifindex = fw_ifindex(ifname, err, errlen), ret = -ENOENT;
	struct xdp_multiprog *mp;
	struct xdp_program *p = NULL;

	if (!ifindex)
		return -1;
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (!mp || libxdp_get_error(mp)) {
		snprintf(err, errlen, "fluxwall is not attached to %s", ifname);
		return -1;
	}
	if (xdp_multiprog__is_legacy(mp)) {
		if (is_ours(xdp_multiprog__main_prog(mp), 0))
			ret = xdp_multiprog__detach(mp);
	} else {
		while ((p = xdp_multiprog__next_prog(p, mp))) {
			if (is_ours(p, 0)) {
				ret = xdp_program__detach(p, ifindex,
							  xdp_multiprog__attach_mode(mp), 0);
				break;
			}
		}
	}
	xdp_multiprog__close(mp);
	if (ret == -ENOENT)
		snprintf(err, errlen, "fluxwall is not attached to %s", ifname);
	else if (ret)
		snprintf(err, errlen, "cannot detach from %s: %s", ifname, strerror(-ret));
	return ret ? -1 : 0;
}
