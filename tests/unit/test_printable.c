// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * printable.c: a name decoded from the wire, whatever its bytes, comes out
 * as one line of printable ASCII that reads back to the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "formats/printable.h"

static void host_names_are_unchanged(void **state)
{
	char buf[FW_PRINTABLE_MAX];

	assert_string_equal(fw_printable("www.example.co.uk", buf, sizeof(buf)),
			    "www.example.co.uk");
	assert_string_equal(fw_printable("_dmarc.xn--ggle-55da.com", buf, sizeof(buf)),
			    "_dmarc.xn--ggle-55da.com");
}

static void hostile_bytes_become_decimal_escapes(void **state)
{
	char buf[FW_PRINTABLE_MAX];

	assert_string_equal(fw_printable("x\x1b[2J.evil", buf, sizeof(buf)), "x\\027[2J.evil");
	assert_string_equal(fw_printable("new\nline\r", buf, sizeof(buf)), "new\\010line\\013");
	assert_string_equal(fw_printable("back\\slash sp", buf, sizeof(buf)),
			    "back\\092slash\\032sp");
	assert_string_equal(fw_printable("\xff\xfe\x7f", buf, sizeof(buf)), "\\255\\254\\127");
	assert_string_equal(fw_printable("a\"b", buf, sizeof(buf)), "a\"b");
}

/* Every byte 1..255, 255 of them: the worst case fits, and reads back. */
static void every_byte_fits_and_reads_back(void **state)
{
	char name[256], buf[FW_PRINTABLE_MAX], back[256];
	const char *p;
	size_t i, n = 0;

	for (i = 0; i < 255; i++)
		name[i] = (char)(i + 1);
	name[255] = '\0';
	fw_printable(name, buf, sizeof(buf));
	for (p = buf; *p; p++) {
		assert_true(*p >= 0x21 && *p < 0x7f);
		if (*p == '\\') {
			unsigned v;

			assert_int_equal(sscanf(p + 1, "%3u", &v), 1);
			back[n++] = (char)v;
			p += 3;
		} else {
			back[n++] = *p;
		}
	}
	back[n] = '\0';
	assert_string_equal(back, name);
}

/* A short buffer gets whole characters and whole escapes only. */
static void short_buffers_never_cut_an_escape(void **state)
{
	char buf[7];

	assert_string_equal(fw_printable("ab\x1b\x1b", buf, sizeof(buf)), "ab\\027");
	assert_string_equal(fw_printable("abcdefgh", buf, sizeof(buf)), "abcdef");
	assert_string_equal(fw_printable("abc\x01", buf, 7), "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(host_names_are_unchanged),
	    cmocka_unit_test(hostile_bytes_become_decimal_escapes),
	    cmocka_unit_test(every_byte_fits_and_reads_back),
	    cmocka_unit_test(short_buffers_never_cut_an_escape),
	};

	return cmocka_run_group_tests_name("printable", tests, NULL, NULL);
}
