// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The fleet's TXT records and the subscriber's reason text made of them. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/rpz_meta.h"
#include "formats/state_file.h"

int fw_rpz_node_check(const char *node, char *why, size_t whylen)
{
	size_t i, n = strlen(node);

	if (n == 0 || n >= FW_RPZ_NODE_MAX) {
		snprintf(why, whylen, "node name must be 1 to %d characters", FW_RPZ_NODE_MAX - 1);
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)node[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-') {
			snprintf(why, whylen,
				 "node name '%.63s' has '%c' at byte %zu; use letters, digits, "
				 "'.', '_' and '-'",
				 node, isprint(c) ? c : '?', i + 1);
			return -1;
		}
	}
	return 0;
}

/* Reason text as it can travel in a TXT string and an entry's reason. */
static void clean_reason(const char *in, char *out, size_t len)
{
	size_t i, o = 0;

	for (i = 0; in[i] && o + 1 < len; i++) {
		unsigned char c = (unsigned char)in[i];

		out[o++] =
		    (c < 0x20 || c >= 0x7f || c == ';' || c == '"' || c == '\\') ? ',' : (char)c;
	}
	out[o] = '\0';
}

void fw_rpz_meta_txt(const struct fw_rpz_meta *m, char out[FW_RPZ_TXT_STRINGS][256])
{
	char reason[FW_RPZ_REASON_MAX];

	clean_reason(m->reason, reason, sizeof(reason));
	snprintf(out[0], 256, "node=%s", m->node);
	snprintf(out[1], 256, "match=%s", fw_match_str(m->match));
	snprintf(out[2], 256, "score=%.3f", m->score);
	snprintf(out[3], 256, "expires=%" PRId64, m->expires);
	snprintf(out[4], 256, "reason=%s", reason);
}

static int parse_field(const char *s, struct fw_rpz_meta *m, unsigned *seen)
{
	char *end;

	if (!strncmp(s, "node=", 5) && !fw_rpz_node_check(s + 5, (char[8]){0}, 8)) {
		snprintf(m->node, sizeof(m->node), "%s", s + 5);
		*seen |= 1;
	} else if (!strcmp(s, "match=subtree") || !strcmp(s, "match=exact")) {
		m->match = s[6] == 'e' ? FW_MATCH_EXACT : FW_MATCH_SUBTREE;
	} else if (!strncmp(s, "score=", 6)) {
		m->score = strtod(s + 6, &end);
		if (*end || m->score != m->score)
			return -1;
	} else if (!strncmp(s, "expires=", 8)) {
		m->expires = strtoll(s + 8, &end, 10);
		if (*end || m->expires < 0)
			return -1;
		*seen |= 2;
	} else if (!strncmp(s, "reason=", 7)) {
		clean_reason(s + 7, m->reason, sizeof(m->reason));
	}
	return 0; /* unknown fields: from a newer node */
}

int fw_rpz_meta_parse(char *const *strings, size_t n, struct fw_rpz_meta *m, char *why,
		      size_t whylen)
{
	unsigned seen = 0;
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n; i++) {
		if (parse_field(strings[i], m, &seen)) {
			snprintf(why, whylen, "bad field \"%.40s\"", strings[i]);
			return -1;
		}
	}
	if (seen != 3) {
		snprintf(why, whylen, "a fleet TXT record needs node= and expires=");
		return -1;
	}
	return 0;
}

void fw_rpz_metas_encode(const struct fw_rpz_meta *m, size_t n, char *out, size_t outlen)
{
	size_t i, off = 0;

	out[0] = '\0';
	for (i = 0; i < n && off < outlen; i++) {
		char reason[FW_RPZ_REASON_MAX];

		clean_reason(m[i].reason, reason, sizeof(reason)); /* "; " separates nodes */
		off += (size_t)snprintf(out + off, outlen - off, "%s%s %" PRId64 " %.3f %s",
					i ? "; " : "", m[i].node, m[i].expires, m[i].score, reason);
	}
}

size_t fw_rpz_metas_decode(const char *reason, struct fw_rpz_meta *m, size_t max)
{
	const char *p = reason;
	size_t n = 0;

	while (*p && n < max) {
		const char *end = strstr(p, "; ");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char part[FW_RPZ_NODE_MAX + FW_RPZ_REASON_MAX + 64];
		int used = 0;

		if (len >= sizeof(part))
			return 0;
		memcpy(part, p, len);
		part[len] = '\0';
		memset(&m[n], 0, sizeof(m[n]));
		if (sscanf(part, "%63s %" SCNd64 " %lf %n", m[n].node, &m[n].expires, &m[n].score,
			   &used) != 3 ||
		    fw_rpz_node_check(m[n].node, (char[8]){0}, 8))
			return 0; /* not our text: a name without nodes' words */
		snprintf(m[n].reason, sizeof(m[n].reason), "%s", part + used);
		n++;
		p = end ? end + 2 : p + len;
	}
	return n;
}

int fw_rpz_metas_put(struct fw_rpz_meta *set, size_t *n, const struct fw_rpz_meta *m)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (!strcmp(set[i].node, m->node)) {
			set[i] = *m;
			return 0;
		}
	}
	if (*n == FW_RPZ_META_MAX)
		return -1;
	set[(*n)++] = *m;
	return 0;
}

void fw_rpz_metas_del(struct fw_rpz_meta *set, size_t *n, const char *node)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (!strcmp(set[i].node, node)) {
			set[i] = set[--*n];
			return;
		}
	}
}
