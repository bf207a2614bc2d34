// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* JSON escaping, validation and a streaming writer; see json_out.h. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "formats/json_out.h"

/*
 * Length of the valid UTF-8 sequence at s, or 0 when the bytes there are not
 * one (overlong forms, surrogates and code points past U+10FFFF included).
 */
static size_t utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];
	uint32_t cp;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL terminator */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void write_escaped_char(FILE *f, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", f);
		break;
	case '\\':
		fputs("\\\\", f);
		break;
	case '\n':
		fputs("\\n", f);
		break;
	case '\r':
		fputs("\\r", f);
		break;
	case '\t':
		fputs("\\t", f);
		break;
	case '\b':
		fputs("\\b", f);
		break;
	case '\f':
		fputs("\\f", f);
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
}

void fw_json_write_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	while (*p) {
		size_t n;

		if (*p < 0x80) {
			write_escaped_char(f, *p++);
			continue;
		}
		n = utf8_seq_len(p);
		if (n) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			fputs("\\ufffd", f); /* keep the line valid JSON for SIEMs */
			p++;
		}
	}
	putc('"', f);
}

/* --- validator: RFC 8259 grammar, bounded nesting --- */

struct json_scan {
	const char *p;
	int depth;
};

static int scan_value(struct json_scan *s);

static void skip_ws(struct json_scan *s)
{
	while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
		s->p++;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int scan_string(struct json_scan *s)
{
	const unsigned char *p = (const unsigned char *)s->p + 1; /* past '"' */

	for (;;) {
		if (*p == '"') {
			s->p = (const char *)p + 1;
			return 0;
		}
		if (*p < 0x20)
			return -1; /* raw control character or end of input */
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				if (!is_hex(p[1]) || !is_hex(p[2]) || !is_hex(p[3]) ||
				    !is_hex(p[4]))
					return -1;
				p += 5;
			} else if (*p && strchr("\"\\/bfnrt", *p)) {
				p++;
			} else {
				return -1;
			}
		} else if (*p >= 0x80) {
			size_t n = utf8_seq_len(p);

			if (!n)
				return -1;
			p += n;
		} else {
			p++;
		}
	}
}

static int scan_digits(struct json_scan *s)
{
	const char *start = s->p;

	while (*s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start ? 0 : -1;
}

static int scan_number(struct json_scan *s)
{
	if (*s->p == '-')
		s->p++;
	if (*s->p == '0')
		s->p++;
	else if (scan_digits(s))
		return -1;
	if (*s->p == '.') {
		s->p++;
		if (scan_digits(s))
			return -1;
	}
	if (*s->p == 'e' || *s->p == 'E') {
		s->p++;
		if (*s->p == '+' || *s->p == '-')
			s->p++;
		if (scan_digits(s))
			return -1;
	}
	return 0;
}

static int scan_word(struct json_scan *s, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(s->p, word, n))
		return -1;
	s->p += n;
	return 0;
}

/* Members of an object or elements of an array, up to the closing char. */
static int scan_container(struct json_scan *s, char close, int is_object)
{
	if (++s->depth > FW_JSON_MAX_DEPTH)
		return -1;
	s->p++;
	skip_ws(s);
	if (*s->p == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (is_object) {
			skip_ws(s);
			if (*s->p != '"' || scan_string(s))
				return -1;
			skip_ws(s);
			if (*s->p++ != ':')
				return -1;
		}
		if (scan_value(s))
			return -1;
		skip_ws(s);
		if (*s->p == ',') {
			s->p++;
			continue;
		}
		if (*s->p != close)
			return -1;
		s->p++;
		s->depth--;
		return 0;
	}
}

static int scan_value(struct json_scan *s)
{
	skip_ws(s);
	switch (*s->p) {
	case '{':
		return scan_container(s, '}', 1);
	case '[':
		return scan_container(s, ']', 0);
	case '"':
		return scan_string(s);
	case 't':
		return scan_word(s, "true");
	case 'f':
		return scan_word(s, "false");
	case 'n':
		return scan_word(s, "null");
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return scan_number(s);
		return -1;
	}
}

int fw_json_valid(const char *str)
{
	struct json_scan s = {.p = str, .depth = 0};

	if (!str || scan_value(&s))
		return 0;
	skip_ws(&s);
	return *s.p == '\0';
}

/* --- streaming writer --- */

void fw_json_init(struct fw_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
}

/* Comma before every value but the first in its container, none after a key. */
static void before_value(struct fw_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		putc(',', j->f);
	j->first[j->depth] = false;
}

static void open_container(struct fw_json *j, char c)
{
	before_value(j);
	if (j->depth >= FW_JSON_MAX_DEPTH) {
		j->misuse = true;
		return;
	}
	putc(c, j->f);
	j->first[++j->depth] = true;
}

static void close_container(struct fw_json *j, char c)
{
	if (j->depth == 0 || j->after_key) {
		j->misuse = true;
		return;
	}
	putc(c, j->f);
	j->depth--;
}

void fw_json_obj_begin(struct fw_json *j)
{
	open_container(j, '{');
}

void fw_json_obj_end(struct fw_json *j)
{
	close_container(j, '}');
}

void fw_json_arr_begin(struct fw_json *j)
{
	open_container(j, '[');
}

void fw_json_arr_end(struct fw_json *j)
{
	close_container(j, ']');
}

void fw_json_key(struct fw_json *j, const char *key)
{
	if (j->after_key)
		j->misuse = true;
	before_value(j);
	fw_json_write_string(j->f, key);
	putc(':', j->f);
	j->after_key = true;
}

void fw_json_str(struct fw_json *j, const char *s)
{
	before_value(j);
	fw_json_write_string(j->f, s);
}

void fw_json_uint(struct fw_json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRIu64, v);
}

void fw_json_int(struct fw_json *j, int64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRId64, v);
}

void fw_json_double(struct fw_json *j, double v)
{
	before_value(j);
	if (!isfinite(v))
		fputs("null", j->f);
	else
		fprintf(j->f, "%.15g", v); /* %g never writes a bare "1." or "inf" here */
}

void fw_json_bool(struct fw_json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->f);
}

void fw_json_null(struct fw_json *j)
{
	before_value(j);
	fputs("null", j->f);
}

void fw_json_raw(struct fw_json *j, const char *fragment)
{
	before_value(j);
	fputs(fragment, j->f);
}

void fw_json_kv_str(struct fw_json *j, const char *key, const char *s)
{
	fw_json_key(j, key);
	fw_json_str(j, s);
}

void fw_json_kv_uint(struct fw_json *j, const char *key, uint64_t v)
{
	fw_json_key(j, key);
	fw_json_uint(j, v);
}

void fw_json_kv_int(struct fw_json *j, const char *key, int64_t v)
{
	fw_json_key(j, key);
	fw_json_int(j, v);
}

void fw_json_kv_double(struct fw_json *j, const char *key, double v)
{
	fw_json_key(j, key);
	fw_json_double(j, v);
}

void fw_json_kv_bool(struct fw_json *j, const char *key, bool v)
{
	fw_json_key(j, key);
	fw_json_bool(j, v);
}

int fw_json_finish(struct fw_json *j)
{
	if (j->misuse || j->depth != 0 || j->after_key || ferror(j->f))
		return -1;
	return 0;
}
