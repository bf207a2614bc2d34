// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Validation and canonical forms of domain names; keys come from name_key.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "formats/dns_name.h"
#include "name_key.h"

static int name_char_ok(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '*';
}

static void describe_bad_char(unsigned char c, size_t pos, char *err, size_t errlen)
{
	if (c == ' ')
		snprintf(err, errlen, "space at byte %zu", pos);
	else if (c == '\t')
		snprintf(err, errlen, "tab at byte %zu", pos);
	else if (c < 0x20 || c >= 0x7f)
		snprintf(err, errlen,
			 "byte 0x%02x at byte %zu; write internationalised names in punycode (xn--)",
			 c, pos);
	else
		snprintf(err, errlen,
			 "'%c' at byte %zu; only letters, digits, '-', '_' and '*' are allowed", c,
			 pos);
}

/* Append one label to the wire form; the label is already validated. */
static void append_label(struct fw_name *out, const char *label, size_t len)
{
	size_t i;

	out->loff[out->nlabels++] = out->wire_len;
	out->wire[out->wire_len++] = (uint8_t)len;
	for (i = 0; i < len; i++)
		out->wire[out->wire_len++] = (uint8_t)tolower((unsigned char)label[i]);
}

static void finish_text(struct fw_name *out)
{
	size_t pos = 0;
	uint32_t i;

	for (i = 0; i < out->nlabels; i++) {
		uint8_t off = out->loff[i], len = out->wire[off];

		if (i)
			out->text[pos++] = '.';
		memcpy(out->text + pos, out->wire + off + 1, len);
		pos += len;
	}
	out->text[pos] = '\0';
}

int fw_name_parse(const char *text, struct fw_name *out, char *err, size_t errlen)
{
	size_t len = strlen(text), start = 0, i;

	memset(out, 0, sizeof(*out));
	if (len == 0 || (len == 1 && text[0] == '.')) {
		snprintf(err, errlen, "the name is empty");
		return -1;
	}
	if (text[len - 1] == '.')
		len--;
	for (i = 0; i <= len; i++) {
		size_t label_len;

		if (i < len && text[i] != '.') {
			if (!name_char_ok((unsigned char)text[i])) {
				describe_bad_char((unsigned char)text[i], i + 1, err, errlen);
				return -1;
			}
			continue;
		}
		label_len = i - start;
		if (label_len == 0) {
			snprintf(err, errlen, "empty label at byte %zu", i + 1);
			return -1;
		}
		if (label_len > FW_MAX_LABEL) {
			snprintf(err, errlen, "label at byte %zu is %zu bytes long; the limit is %d",
				 start + 1, label_len, FW_MAX_LABEL);
			return -1;
		}
		if (out->wire_len + 1 + label_len + 1 > FW_MAX_NAME) {
			snprintf(err, errlen, "the name is %zu bytes long on the wire; the limit is %d",
				 len + 2, FW_MAX_NAME);
			return -1;
		}
		append_label(out, text + start, label_len);
		start = i + 1;
	}
	out->wire[out->wire_len++] = 0;
	finish_text(out);
	return 0;
}

int fw_name_from_wire(const uint8_t *wire, size_t len, struct fw_name *out)
{
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	while (off < len) {
		uint8_t l = wire[off];

		if (l == 0) {
			out->wire[out->wire_len++] = 0;
			finish_text(out);
			return 0;
		}
		if (l > FW_MAX_LABEL || off + 1 + l > len || out->wire_len + l + 2 > FW_MAX_NAME ||
		    out->nlabels >= FW_MAX_LABELS)
			return -1;
		/* No text form: "a\0" would read "a", and "a.b" as two labels. */
		if (memchr(wire + off + 1, 0, l) || memchr(wire + off + 1, '.', l))
			return -1;
		append_label(out, (const char *)wire + off + 1, l);
		off += 1 + l;
	}
	return -1;
}

void fw_name_suffix_key(const struct fw_name *n, uint32_t depth, const __u64 seed[2],
			struct fw_key *key)
{
	struct fw_hstate h, fin;
	uint32_t d;

	fw_hash_init(&h, seed);
	for (d = 1; d <= depth && d <= n->nlabels; d++)
		fw_absorb_label(&h, n->wire, n->loff[n->nlabels - d]);
	key->hi = fw_key_hi(&h, &fin);
	key->lo = fw_key_lo(&fin);
}

void fw_name_key(const struct fw_name *n, const __u64 seed[2], struct fw_key *key)
{
	fw_name_suffix_key(n, n->nlabels, seed, key);
}

int fw_name_check_host(const char *name, char *why, size_t whylen)
{
	struct fw_name n;

	if (fw_name_parse(name, &n, why, whylen))
		return -1;
	if (strchr(name, '*') || strcmp(n.text, name)) {
		snprintf(why, whylen, "a '*' label, capitals or a trailing dot");
		return -1;
	}
	return 0;
}

int fw_name_is_under(const char *name, const char *parent)
{
	size_t nl = strlen(name), pl = strlen(parent);

	if (nl < pl || strcasecmp(name + nl - pl, parent) != 0)
		return 0;
	return nl == pl || name[nl - pl - 1] == '.';
}
