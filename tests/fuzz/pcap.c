// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Capture reading (userspace/formats/pcap_frames.c), as `fluxwall replay FILE`
 * reads a capture it was handed: pcap or pcapng, any link type. libpcap
 * parses the file; fluxwall turns each frame into Ethernet for the XDP
 * program. Every frame it returns must fit the caller's buffer and hold at
 * least an Ethernet header, and reading must end.
 *
 * fw_pcap_open takes a path, so the input is put in a memfd and opened by
 * its /proc name: nothing is written to disk.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "formats/pcap_frames.h"

#define FRAME_MAX  (65535 + 64) /* as cmd_replay.c: an IP datagram and its link header */
#define MAX_FRAMES 100000

static int input_fd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-pcap", MFD_CLOEXEC);
	size_t off = 0;

	FUZZ_CHECK(fd >= 0, "memfd_create failed");
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		FUZZ_CHECK(n > 0, "writing the memfd failed");
		off += (size_t)n;
	}
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[FRAME_MAX];
	int fd = input_fd(data, size), got = 0, frames;
	char path[64], err[512];
	struct fw_pcap *p;
	uint64_t ts;
	size_t len;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	p = fw_pcap_open(path, err, sizeof(err));
	if (!p) {
		close(fd);
		return 0;
	}
	for (frames = 0; frames < MAX_FRAMES; frames++) {
		got = fw_pcap_next(p, frame, sizeof(frame), &len, &ts);
		if (got != 1)
			break;
		FUZZ_CHECK(len >= 14 && len <= sizeof(frame), "a frame of %zu bytes", len);
	}
	FUZZ_CHECK(frames < MAX_FRAMES, "%d frames from a %zu-byte file", frames, size);
	FUZZ_CHECK(got == 0 || got == -1, "fw_pcap_next returned %d", got);
	fw_pcap_close(p);
	close(fd);
	return 0;
}
