// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dns_name.c and name_key.h: the messages an operator sees for a bad name,
 * the canonical forms, and the map key shared with the XDP program. The key
 * is checked against a reference written from the description in
 * name_key.h, and suffix keys against keys of the parsed suffix names,
 * which is what lets the data path find a rule for any suffix of a packet's
 * question in one pass.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "formats/dns_name.h"
#include "name_key.h"

static const __u64 seed_a[2] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
static const __u64 seed_b[2] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0909ULL };

/* ---- helpers ---- */

static void parse_ok(const char *text, struct fw_name *n)
{
	char err[256] = "";

	if (fw_name_parse(text, n, err, sizeof(err)))
		fail_msg("'%s' was refused: %s", text, err);
}

/* The parse must fail with exactly this message. */
static void parse_err(const char *text, const char *want)
{
	struct fw_name n;
	char err[256] = "";

	if (!fw_name_parse(text, &n, err, sizeof(err)))
		fail_msg("'%s' was accepted, want \"%s\"", text, want);
	assert_string_equal(err, want);
}

static struct fw_key key_of(const char *text, const __u64 seed[2])
{
	struct fw_name n;
	struct fw_key k;

	parse_ok(text, &n);
	fw_name_key(&n, seed, &k);
	return k;
}

static int key_eq(const struct fw_key *a, const struct fw_key *b)
{
	return a->hi == b->hi && a->lo == b->lo;
}

/* A text of len bytes made of labels of at most label bytes, 'a'..'z'. */
static void make_name(char *out, size_t len, size_t label)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		if (run == label && i + 1 < len) {
			out[i] = '.';
			run = 0;
			continue;
		}
		out[i] = (char)('a' + i % 26);
		run++;
	}
	out[len] = '\0';
}

/* ---- validation messages ---- */

static void test_space_and_tab(void **state)
{
	parse_err("ex ample.com", "space at byte 3");
	parse_err(" example.com", "space at byte 1");
	parse_err("example.com ", "space at byte 12");
	parse_err("ex\tample.com", "tab at byte 3");
}

static void test_empty_names_and_labels(void **state)
{
	parse_err("", "the name is empty");
	parse_err(".", "the name is empty");
	parse_err("a..b", "empty label at byte 3");
	parse_err(".a", "empty label at byte 1");
	parse_err("a.b..", "empty label at byte 5");
	parse_err("..", "empty label at byte 1");
}

static void test_label_length(void **state)
{
	char text[200];
	struct fw_name n;

	memset(text, 'x', 63);
	text[63] = '\0';
	parse_ok(text, &n);
	assert_int_equal(n.wire[0], 63);

	memset(text, 'x', 64);
	text[64] = '\0';
	parse_err(text, "label at byte 1 is 64 bytes long; the limit is 63");

	/* The position is where the long label starts. */
	strcpy(text, "ab.");
	memset(text + 3, 'y', 70);
	strcpy(text + 73, ".com");
	parse_err(text, "label at byte 4 is 70 bytes long; the limit is 63");
}

/* 253 characters fill 255 wire bytes; one more is over the limit. */
static void test_name_length(void **state)
{
	char text[400];
	struct fw_name n;

	make_name(text, 253, 63);
	assert_int_equal(strlen(text), 253);
	parse_ok(text, &n);
	assert_int_equal(n.wire_len, 255);
	assert_string_equal(n.text, text);

	strcat(text, ".");
	parse_ok(text, &n);
	assert_int_equal(n.wire_len, 255);

	make_name(text, 254, 63);
	parse_err(text, "the name is 256 bytes long on the wire; the limit is 255");
	strcat(text, ".");
	parse_err(text, "the name is 256 bytes long on the wire; the limit is 255");

	make_name(text, 300, 10);
	parse_err(text, "the name is 302 bytes long on the wire; the limit is 255");

	/* The most labels a name can have: 127 one-byte labels. */
	make_name(text, 253, 1);
	parse_ok(text, &n);
	assert_int_equal(n.nlabels, 127);
	assert_int_equal(n.wire_len, 255);
}

static void test_bad_characters(void **state)
{
	struct fw_name n;
	char err[256];

	parse_err("a!b.example",
		  "'!' at byte 2; only letters, digits, '-', '_' and '*' are allowed");
	parse_err("evil.example/x",
		  "'/' at byte 13; only letters, digits, '-', '_' and '*' are allowed");
	parse_err("a@b", "'@' at byte 2; only letters, digits, '-', '_' and '*' are allowed");
	parse_err("http://x", "':' at byte 5; only letters, digits, '-', '_' and '*' are allowed");
	/* Control bytes: named by value and position (the punycode hint is moot). */
	assert_int_equal(fw_name_parse("a\x01" "b", &n, err, sizeof(err)), -1);
	assert_memory_equal(err, "byte 0x01 at byte 2", strlen("byte 0x01 at byte 2"));
	assert_int_equal(fw_name_parse("ab\x7f", &n, err, sizeof(err)), -1);
	assert_memory_equal(err, "byte 0x7f at byte 3", strlen("byte 0x7f at byte 3"));
}

/* UTF-8 is refused at its first byte, and the message points to punycode. */
static void test_utf8_suggests_punycode(void **state)
{
	struct fw_name n;
	char err[256];

	parse_err("caf\xc3\xa9.example",
		  "byte 0xc3 at byte 4; write internationalised names in punycode (xn--)");
	parse_err("\xe4\xbe\x8b.example",
		  "byte 0xe4 at byte 1; write internationalised names in punycode (xn--)");
	assert_int_equal(fw_name_parse("xn--caf-dma.example", &n, err, sizeof(err)), 0);
	assert_string_equal(n.text, "xn--caf-dma.example");
}

static void test_allowed_characters(void **state)
{
	struct fw_name n;

	parse_ok("*.a-b_c.EXAMPLE-9.", &n);
	assert_string_equal(n.text, "*.a-b_c.example-9");
	parse_ok("-", &n);
	assert_string_equal(n.text, "-");
}

/* A small error buffer gets a truncated, terminated message. */
static void test_small_error_buffer(void **state)
{
	struct fw_name n;
	char err[8];

	memset(err, 'Z', sizeof(err));
	assert_int_equal(fw_name_parse("ex ample", &n, err, sizeof(err)), -1);
	assert_string_equal(err, "space a");
}

/* ---- canonical forms ---- */

static void test_canonical_forms(void **state)
{
	static const uint8_t want[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p',
					'l', 'e', 3,   'c', 'o', 'm', 0 };
	struct fw_name n;
	size_t i;

	parse_ok("WWW.Example.COM.", &n);
	assert_string_equal(n.text, "www.example.com");
	assert_int_equal(n.wire_len, sizeof(want));
	assert_memory_equal(n.wire, want, sizeof(want));
	for (i = sizeof(want); i < sizeof(n.wire); i++)
		assert_int_equal(n.wire[i], 0);
	assert_int_equal(n.nlabels, 3);
	assert_int_equal(n.loff[0], 0);
	assert_int_equal(n.loff[1], 4);
	assert_int_equal(n.loff[2], 12);
}

static void assert_same_name(const struct fw_name *a, const struct fw_name *b)
{
	assert_string_equal(a->text, b->text);
	assert_int_equal(a->wire_len, b->wire_len);
	assert_memory_equal(a->wire, b->wire, sizeof(a->wire));
	assert_int_equal(a->nlabels, b->nlabels);
	assert_memory_equal(a->loff, b->loff, a->nlabels);
}

static void test_from_wire_round_trip(void **state)
{
	static const char *const names[] = { "a", "example", "www.example.com", "*.x-y_z.example" };
	char text[300];
	struct fw_name p, w;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		parse_ok(names[i], &p);
		assert_int_equal(fw_name_from_wire(p.wire, p.wire_len, &w), 0);
		assert_same_name(&p, &w);
	}
	make_name(text, 253, 63);
	parse_ok(text, &p);
	assert_int_equal(fw_name_from_wire(p.wire, p.wire_len, &w), 0);
	assert_same_name(&p, &w);
	make_name(text, 253, 1);
	parse_ok(text, &p);
	assert_int_equal(fw_name_from_wire(p.wire, p.wire_len, &w), 0);
	assert_same_name(&p, &w);
}

/* Wire names from packets are folded to lowercase; bytes after the root ignored. */
static void test_from_wire_folds_case(void **state)
{
	static const uint8_t wire[] = { 4, 'E', 'v', 'I', 'L', 7, 'E', 'X', 'A', 'M', 'P', 'L', 'E',
					0, 0xc0, 0x0c };
	struct fw_name w, p;

	assert_int_equal(fw_name_from_wire(wire, sizeof(wire), &w), 0);
	parse_ok("evil.example", &p);
	assert_same_name(&p, &w);
}

static void test_from_wire_malformed(void **state)
{
	static const uint8_t no_root[] = { 1, 'a' };
	static const uint8_t overrun[] = { 5, 'a', 'b', 0 };
	static const uint8_t pointer[] = { 1, 'a', 0xc0, 0x00 };
	static const uint8_t label64[] = { 0x40, 'a' };
	/* no text form: the first would read "", the second as a.b.example */
	static const uint8_t nul[] = { 1, 0, 0 };
	static const uint8_t dot[] = { 3, 'a', '.', 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	uint8_t big[300];
	struct fw_name w;
	size_t i;

	assert_int_equal(fw_name_from_wire(no_root, sizeof(no_root), &w), -1);
	assert_int_equal(fw_name_from_wire(overrun, sizeof(overrun), &w), -1);
	assert_int_equal(fw_name_from_wire(pointer, sizeof(pointer), &w), -1);
	assert_int_equal(fw_name_from_wire(label64, sizeof(label64), &w), -1);
	assert_int_equal(fw_name_from_wire(no_root, 0, &w), -1);
	assert_int_equal(fw_name_from_wire(nul, sizeof(nul), &w), -1);
	assert_int_equal(fw_name_from_wire(dot, sizeof(dot), &w), -1);

	/* 64 labels of 3 bytes: 257 bytes on the wire. */
	for (i = 0; i < 64 * 4; i += 4)
		memcpy(big + i, "\3abc", 4);
	big[256] = 0;
	assert_int_equal(fw_name_from_wire(big, 257, &w), -1);
	/* 63 of them and the root: 253 bytes, fine. */
	big[252] = 0;
	assert_int_equal(fw_name_from_wire(big, 253, &w), 0);
	assert_int_equal(w.nlabels, 63);
}

/* ---- fw_name_is_under ---- */

static void test_is_under(void **state)
{
	assert_true(fw_name_is_under("evil.example", "evil.example"));
	assert_true(fw_name_is_under("a.evil.example", "evil.example"));
	assert_true(fw_name_is_under("x.y.a.evil.example", "evil.example"));
	assert_true(fw_name_is_under("A.EVIL.Example", "evil.example"));
	assert_true(fw_name_is_under("evil.example", "example"));
	assert_false(fw_name_is_under("notevil.example", "evil.example"));
	assert_false(fw_name_is_under("a.notevil.example", "evil.example"));
	assert_false(fw_name_is_under("example", "evil.example"));
	assert_false(fw_name_is_under("evil.examples", "example"));
	assert_false(fw_name_is_under("evil.example", "a.evil.example"));
	assert_false(fw_name_is_under("vil.example", "evil.example"));
}

/* ---- the map key ---- */

/* SipHash's round, written from the paper rather than copied from name_key.h. */
#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
static void ref_round(__u64 v[4])
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13) ^ v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17) ^ v[2];
	v[2] = ROTL(v[2], 32);
}

static void ref_absorb(__u64 v[4], __u64 m)
{
	v[3] ^= m;
	ref_round(v);
	v[0] ^= m;
}

/*
 * The key as name_key.h describes it: labels from the right, each as its
 * length byte and lowercased bytes, zero padded to whole little-endian
 * words; then a block of depth << 56 | byte count; SipHash-1-3, 128 bits.
 */
static struct fw_key ref_key(const char *const *labels, int n, const __u64 seed[2])
{
	__u64 v[4] = { seed[0] ^ 0x736f6d6570736575ULL, seed[1] ^ 0x646f72616e646f6dULL ^ 0xee,
		       seed[0] ^ 0x6c7967656e657261ULL, seed[1] ^ 0x7465646279746573ULL };
	__u64 nbytes = 0;
	struct fw_key k;
	int i, r;

	for (i = n - 1; i >= 0; i--) {
		uint8_t block[72] = { 0 };
		size_t len = strlen(labels[i]), j;

		block[0] = (uint8_t)len;
		for (j = 0; j < len; j++)
			block[1 + j] = (uint8_t)tolower((unsigned char)labels[i][j]);
		for (j = 0; j < len + 1; j += 8) {
			__u64 m = 0;
			int b;

			for (b = 0; b < 8; b++)
				m |= (__u64)block[j + b] << (8 * b);
			ref_absorb(v, m);
		}
		nbytes += len + 1;
	}
	ref_absorb(v, ((__u64)n << 56) | nbytes);
	v[2] ^= 0xee;
	for (r = 0; r < 3; r++)
		ref_round(v);
	k.hi = v[0] ^ v[1] ^ v[2] ^ v[3];
	v[1] ^= 0xdd;
	for (r = 0; r < 3; r++)
		ref_round(v);
	k.lo = v[0] ^ v[1] ^ v[2] ^ v[3];
	return k;
}

static void test_key_matches_reference(void **state)
{
	static const char *const labels[] = { "Www", "evil", "example" };
	struct fw_key got = key_of("www.evil.example", seed_a);
	struct fw_key want = ref_key(labels, 3, seed_a);

	assert_true(key_eq(&got, &want));
}

/* Every label length, alone and under a suffix: tails and masks are right. */
static void test_key_every_label_length(void **state)
{
	char label[64], text[80];
	int len;

	for (len = 1; len <= 63; len++) {
		const char *two[2] = { label, "example" };
		struct fw_key got, want;

		memset(label, 'q', (size_t)len);
		label[len] = '\0';
		label[len / 2] = 'Q';
		got = key_of(label, seed_a);
		want = ref_key(two, 1, seed_a);
		if (!key_eq(&got, &want))
			fail_msg("label of %d bytes: key differs from the reference", len);
		snprintf(text, sizeof(text), "%s.example", label);
		got = key_of(text, seed_b);
		want = ref_key(two, 2, seed_b);
		if (!key_eq(&got, &want))
			fail_msg("%d-byte label under example: key differs from the reference",
				 len);
	}
}

/*
 * The XDP program hashes labels straight out of the packet: uppercase
 * bytes, whatever follows the label in the buffer. Neither may change the key.
 */
static void test_key_from_raw_packet_bytes(void **state)
{
	int len;

	for (len = 1; len <= 63; len++) {
		uint8_t buf[160];
		struct fw_hstate h, f;
		struct fw_name n;
		struct fw_key want, got;
		char text[64];
		int i;

		for (i = 0; i < len; i++)
			text[i] = (char)('a' + (i * 7) % 26);
		text[len] = '\0';
		parse_ok(text, &n);
		fw_name_key(&n, seed_a, &want);

		memset(buf, 0xa5, sizeof(buf)); /* garbage after the label */
		buf[10] = (uint8_t)len;
		for (i = 0; i < len; i++)
			buf[11 + i] = (uint8_t)toupper((unsigned char)text[i]);
		fw_hash_init(&h, seed_a);
		fw_absorb_label(&h, buf, 10);
		got.hi = fw_key_hi(&h, &f);
		got.lo = fw_key_lo(&f);
		if (!key_eq(&got, &want))
			fail_msg("%d-byte label: key from raw packet bytes differs", len);
	}
}

static void test_key_ignores_case(void **state)
{
	struct fw_key a = key_of("Evil.EXAMPLE", seed_a), b = key_of("evil.example.", seed_a);

	assert_true(key_eq(&a, &b));
}

static void test_keys_differ(void **state)
{
	struct fw_key a, b;

	a = key_of("ab.c", seed_a);
	b = key_of("a.bc", seed_a);
	assert_false(key_eq(&a, &b));
	a = key_of("evil.example", seed_a);
	b = key_of("evil.example", seed_b);
	assert_false(key_eq(&a, &b));
	a = key_of("evil.example", seed_a);
	b = key_of("a.evil.example", seed_a);
	assert_false(key_eq(&a, &b));
	a = key_of("example", seed_a);
	b = key_of("evil.example", seed_a);
	assert_false(key_eq(&a, &b));
	/* A label of eight bytes against two labels filling the same words. */
	a = key_of("abcdefg.h", seed_a);
	b = key_of("abcdefgh", seed_a);
	assert_false(key_eq(&a, &b));
	a = key_of("a-b", seed_a);
	b = key_of("a_b", seed_a);
	assert_false(key_eq(&a, &b));
}

static int cmp_key(const void *pa, const void *pb)
{
	const struct fw_key *a = pa, *b = pb;

	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

/* 20000 distinct names, many alike: 20000 distinct keys, halves distinct too. */
static void test_many_names_distinct_keys(void **state)
{
	enum { N = 20000 };
	struct fw_key *keys = calloc(N, sizeof(*keys));
	char text[64];
	int i;

	assert_non_null(keys);
	for (i = 0; i < N; i++) {
		switch (i % 4) {
		case 0:
			snprintf(text, sizeof(text), "h%d.example", i);
			break;
		case 1:
			snprintf(text, sizeof(text), "%d.%d.example", i / 100, i % 100);
			break;
		case 2:
			snprintf(text, sizeof(text), "%d%02d.example", i / 100, i % 100);
			break;
		default:
			snprintf(text, sizeof(text), "x.h%d", i);
		}
		keys[i] = key_of(text, seed_a);
	}
	qsort(keys, N, sizeof(*keys), cmp_key);
	for (i = 1; i < N; i++) {
		if (keys[i].hi == keys[i - 1].hi)
			fail_msg("two names share the high half of their key");
		assert_int_not_equal(cmp_key(&keys[i], &keys[i - 1]), 0);
	}
	free(keys);
}

/* The suffix of depth d has the key of the name made of the last d labels. */
static void test_suffix_key_is_key_of_suffix(void **state)
{
	static const char *const names[] = {
		"a.b.evil.example",
		"WWW.Some-Long-Label-Of-Many-Bytes.x.example.co.uk",
		"*.abcdefg.abcdefgh.abcdefghi.q",
	};
	struct fw_name n, s;
	struct fw_key want, got;
	size_t i;
	uint32_t d;

	parse_ok("a.b.evil.example", &n);
	fw_name_suffix_key(&n, 2, seed_a, &got);
	want = key_of("evil.example", seed_a);
	assert_true(key_eq(&got, &want));

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		parse_ok(names[i], &n);
		for (d = 1; d <= n.nlabels; d++) {
			/* Label i starts at the same offset in text and wire form. */
			parse_ok(n.text + n.loff[n.nlabels - d], &s);
			assert_int_equal(s.nlabels, d);
			fw_name_suffix_key(&n, d, seed_a, &got);
			fw_name_key(&s, seed_a, &want);
			if (!key_eq(&got, &want))
				fail_msg("%s, depth %u: suffix key differs from the key of %s",
					 names[i], d, s.text);
		}
		fw_name_key(&n, seed_a, &want);
		fw_name_suffix_key(&n, n.nlabels, seed_a, &got);
		assert_true(key_eq(&got, &want));
	}
}

/* Suffix keys of a 127-label name, each against the parsed suffix. */
static void test_suffix_keys_deepest_name(void **state)
{
	char text[300];
	struct fw_name n, s;
	struct fw_key got, want;
	uint32_t d;

	make_name(text, 253, 1);
	parse_ok(text, &n);
	for (d = 1; d <= n.nlabels; d++) {
		parse_ok(text + 2 * (n.nlabels - d), &s);
		assert_int_equal(s.nlabels, d);
		fw_name_suffix_key(&n, d, seed_a, &got);
		fw_name_key(&s, seed_a, &want);
		if (!key_eq(&got, &want))
			fail_msg("depth %u of a 127-label name: suffix key differs", d);
	}
}

/* ---- fw_lower8 ---- */

static uint8_t want_lower(uint8_t c)
{
	return c < 0x80 ? (uint8_t)tolower(c) : c;
}

static void check_word(__u64 w)
{
	__u64 got = fw_lower8(w);
	int b;

	for (b = 0; b < 8; b++) {
		uint8_t in = (uint8_t)(w >> (8 * b)), out = (uint8_t)(got >> (8 * b));

		if (out != want_lower(in))
			fail_msg("fw_lower8(%016llx): byte %d 0x%02x became 0x%02x, want 0x%02x",
				 (unsigned long long)w, b, in, out, want_lower(in));
	}
}

/* Every byte value in every position, beside every neighbour value. */
static void test_lower8_all_bytes(void **state)
{
	static const uint8_t fill[] = { 0x00, 0x40, 0x41, 0x5a, 0x5b, 0x60, 0x61,
					0x7a, 0x7f, 0x80, 0xc0, 0xc1, 0xda, 0xff };
	unsigned int pos, v, u, f;

	for (pos = 0; pos < 8; pos++)
		for (v = 0; v < 256; v++)
			for (f = 0; f < sizeof(fill); f++)
				check_word((FW_ONES * fill[f] & ~(0xffULL << (8 * pos))) |
					   ((__u64)v << (8 * pos)));
	/* Adjacent pairs: a carry or borrow between bytes would show here. */
	for (pos = 0; pos < 7; pos++)
		for (v = 0; v < 256; v++)
			for (u = 0; u < 256; u++)
				check_word(((__u64)v << (8 * pos)) | ((__u64)u << (8 * pos + 8)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_space_and_tab),
		cmocka_unit_test(test_empty_names_and_labels),
		cmocka_unit_test(test_label_length),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_bad_characters),
		cmocka_unit_test(test_utf8_suggests_punycode),
		cmocka_unit_test(test_allowed_characters),
		cmocka_unit_test(test_small_error_buffer),
		cmocka_unit_test(test_canonical_forms),
		cmocka_unit_test(test_from_wire_round_trip),
		cmocka_unit_test(test_from_wire_folds_case),
		cmocka_unit_test(test_from_wire_malformed),
		cmocka_unit_test(test_is_under),
		cmocka_unit_test(test_key_matches_reference),
		cmocka_unit_test(test_key_every_label_length),
		cmocka_unit_test(test_key_from_raw_packet_bytes),
		cmocka_unit_test(test_key_ignores_case),
		cmocka_unit_test(test_keys_differ),
		cmocka_unit_test(test_many_names_distinct_keys),
		cmocka_unit_test(test_suffix_key_is_key_of_suffix),
		cmocka_unit_test(test_suffix_keys_deepest_name),
		cmocka_unit_test(test_lower8_all_bytes),
	};

	return cmocka_run_group_tests_name("dns_name", tests, NULL, NULL) ? 1 : 0;
}
