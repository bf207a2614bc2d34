// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Names and their map keys (userspace/formats/dns_name.c, include/name_key.h).
 *
 * The input is read three ways: as a name in wire form
 * (fw_name_from_wire), as a question name the daemon reads from a sample
 * (fw_msg_name, which may follow pointers), and as a name an operator
 * types (fw_name_parse). The kernel's label scan (bpf/dns_parse.h) uses
 * BPF maps and iterators and is not compiled for userspace; what the
 * kernel computes from it, the key, comes from name_key.h, which is. So a
 * question's key is also computed here the way the XDP program does,
 * straight over the raw labels in a scratch buffer with mixed case and
 * other bytes around them, and must equal the key userspace stores when
 * the name the daemon decoded is blocked: otherwise an auto-block would
 * never match the responses it was made from.
 */
#include <ctype.h>
#include <string.h>

#include "formats/dns_name.h"
#include "fuzz_check.h"
#include "name_text.h"
#include "name_key.h"
#include "dataplane/sample_decode.h"

#define DNS_HDR_LEN 12 /* the question name's offset in the kernel's scratch */

static const __u64 SEED[2] = {0x0123456789abcdefULL, 0xfedcba9876543210ULL};

static int key_eq(const struct fw_key *a, const struct fw_key *b)
{
	return a->hi == b->hi && a->lo == b->lo;
}

/* The key of the last depth labels as the XDP program computes it. */
static void kernel_key(const __u8 *msg, const struct fw_name *n, __u32 depth, struct fw_key *k)
{
	struct fw_hstate h, fin;
	__u32 d;

	fw_hash_init(&h, SEED);
	for (d = 1; d <= depth; d++)
		fw_absorb_label(&h, msg + DNS_HDR_LEN, n->loff[n->nlabels - d]);
	k->hi = fw_key_hi(&h, &fin);
	k->lo = fw_key_lo(&fin);
}

static void check_canonical_text(const struct fw_name *n)
{
	size_t len = strlen(n->text), i;

	FUZZ_CHECK(len + 2 == n->wire_len || (n->nlabels == 0 && len == 0),
		   "text '%s' is %zu bytes for a wire form of %u", n->text, len, n->wire_len);
	for (i = 0; i < len; i++)
		FUZZ_CHECK(!isupper((unsigned char)n->text[i]), "uppercase in '%s'", n->text);
}

/* Every suffix key of n against the kernel's over the raw bytes of data. */
static void check_kernel_keys(const uint8_t *data, size_t size, const struct fw_name *n)
{
	size_t copy = size < FW_SAMPLE_MSG - DNS_HDR_LEN ? size : FW_SAMPLE_MSG - DNS_HDR_LEN;
	__u8 msg[FW_SCRATCH_MSG];
	struct fw_key user, kern;
	__u32 d;

	/* Scratch as the kernel has it: the header, the packet's bytes, then junk. */
	memset(msg, 0xa5, sizeof(msg));
	memcpy(msg + DNS_HDR_LEN, data, copy);
	for (d = 1; d <= n->nlabels; d++) {
		fw_name_suffix_key(n, d, SEED, &user);
		kernel_key(msg, n, d, &kern);
		FUZZ_CHECK(key_eq(&user, &kern), "key of the last %u labels of '%s' differs", d,
			   n->text);
	}
}

static void check_wire(const uint8_t *data, size_t size)
{
	struct fw_key k1, k2;
	struct fw_name n, t;
	char err[256];

	if (fw_name_from_wire(data, size, &n))
		return;
	FUZZ_CHECK(n.wire_len <= FW_MAX_NAME && n.nlabels <= FW_MAX_LABELS,
		   "%u bytes, %u labels accepted", n.wire_len, n.nlabels);
	FUZZ_CHECK(n.wire_len <= size, "wire form longer than the input");
	check_canonical_text(&n);
	check_kernel_keys(data, size, &n);
	/* the text form, typed back, is the same name */
	if (n.nlabels && !fw_name_parse(n.text, &t, err, sizeof(err))) {
		fw_name_key(&n, SEED, &k1);
		fw_name_key(&t, SEED, &k2);
		FUZZ_CHECK(t.nlabels == n.nlabels && key_eq(&k1, &k2),
			   "'%s' typed back is another name", n.text);
	}
}

/* The raw name at data is n's wire form but for case: no pointer was followed. */
static int same_wire(const uint8_t *data, size_t size, const struct fw_name *n)
{
	uint32_t i;

	if (size < n->wire_len)
		return 0;
	for (i = 0; i < n->wire_len; i++)
		if (tolower(data[i]) != n->wire[i])
			return 0;
	return 1;
}

/* The question as the daemon decodes it, then blocks it by its text. */
static void check_question(const uint8_t *data, size_t size)
{
	char text[FW_OBS_NAME_MAX], err[256];
	struct fw_name n;

	if (fw_msg_name(data, size, 0, text, sizeof(text)))
		return;
	fuzz_check_name_text("question", text);
	if (fw_name_parse(text, &n, err, sizeof(err)))
		return; /* not a name an operator can block: nothing to match */
	FUZZ_CHECK(!strcmp(n.text, text), "'%s' blocked as '%s'", text, n.text);
	if (same_wire(data, size, &n))
		check_kernel_keys(data, size, &n);
}

/* A typed name: canonical, and the same name and key through its wire form. */
static void check_text(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), err[256];
	struct fw_key k1, k2;
	struct fw_name n, w;
	uint32_t d;

	err[0] = '\0';
	if (fw_name_parse(text, &n, err, sizeof(err))) {
		FUZZ_CHECK(err[0], "refused '%.64s' without a reason", text);
		free(text);
		return;
	}
	check_canonical_text(&n);
	FUZZ_CHECK(n.nlabels >= 1, "'%s' accepted with no label", text);
	FUZZ_CHECK(!strncasecmp(n.text, text, strlen(n.text)), "'%s' became '%s'", text, n.text);
	FUZZ_CHECK(!fw_name_from_wire(n.wire, n.wire_len, &w), "wire form of '%s' refused", n.text);
	FUZZ_CHECK(!strcmp(w.text, n.text), "'%s' read back as '%s'", n.text, w.text);
	fw_name_key(&n, SEED, &k1);
	fw_name_key(&w, SEED, &k2);
	FUZZ_CHECK(key_eq(&k1, &k2), "'%s' has two keys", n.text);
	/* every suffix, on a label boundary, is a parent of the name */
	for (d = 1; d <= n.nlabels; d++) {
		/* a label starts at the same offset in the wire and the text forms */
		const char *suffix = n.text + n.loff[n.nlabels - d];

		FUZZ_CHECK(fw_name_is_under(n.text, suffix), "'%s' not under its suffix '%s'",
			   n.text, suffix);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_wire(data, size);
	check_question(data, size);
	check_text(data, size);
	return 0;
}
