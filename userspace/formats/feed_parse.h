/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Threat-intel feeds: plain lists, hosts files, RPZ zone files and AdBlock
 * rules, read line by line into block and allow entries.
 *
 * The parser streams: it calls back for every entry, every invalid line
 * (with its number and the reason) and, optionally, every line it skips as
 * unsupported. It never stops at a bad line, so the caller sees them all and
 * can refuse the whole import, or apply the good lines (--skip-invalid).
 *
 * Formats, and the choices made where they do not map onto fluxwall rules:
 *
 * plain    One name per line. Comments start with '#', ';' or '!', at the
 *          start of a line or after a blank. "*.name" is a subtree rule
 *          for name.
 * hosts    "ADDRESS NAME [NAME...]". The address must be a sink: 0.0.0.0,
 *          any 127.0.0.0/8, :: or ::1. A line that maps a name to another
 *          address redirects rather than blocks, so it is invalid. Names
 *          of the local host (localhost, localhost.localdomain, local,
 *          broadcasthost, ip6-*) and names that are IP addresses
 *          ("0.0.0.0 0.0.0.0") are skipped silently.
 * rpz      A response policy zone (RFC-style master file). $ORIGIN, $TTL,
 *          "@", relative owners, blank owners (same as the line before),
 *          optional TTL and class in either order, and parenthesised
 *          records over several lines are understood. The zone apex is
 *          the first $ORIGIN, or the owner of the first SOA; its SOA and
 *          NS records are skipped. Owner names are triggers relative to
 *          the apex. Policies (CNAME targets):
 *            "."              NXDOMAIN block, exact
 *            "*."             NODATA; fluxwall cannot answer NODATA, so
 *                             this becomes an NXDOMAIN block as well
 *            "rpz-drop."      drop block
 *            "rpz-passthru."  allow rule
 *          "*.name" triggers become subtree rules for name. Note the
 *          subtree also covers name itself, which RPZ's wildcard does not;
 *          feeds normally list both. Triggers of other kinds (rpz-ip,
 *          rpz-nsdname, rpz-nsip, rpz-client-ip) are unsupported; local
 *          data (A, AAAA, other CNAME targets) and rpz-tcp-only are
 *          invalid, because fluxwall cannot enforce them and silently
 *          blocking instead would surprise. $INCLUDE is invalid.
 * adblock  "||name^" blocks name and below, "@@||name^" allows it. The
 *          modifiers $important and $all are accepted; other modifiers,
 *          cosmetic rules (##, #@#, #?#, #$#), URL and regex rules are
 *          unsupported. "!" lines and "[Adblock ...]" headers are
 *          comments. Bare names and hosts-style lines are read as in the
 *          plain and hosts formats.
 * auto     Chooses one of the above from the first lines; see
 *          fw_feed_detect_format.
 *
 * Entries match the name and everything below it (subtree) unless the
 * caller asks for exact matches (--exact). An explicit wildcard "*.name"
 * stays a subtree rule either way, and RPZ says exact or subtree itself.
 *
 * Every format: a UTF-8 BOM, CRLF line ends and trailing blanks are fine.
 * Names are validated with fw_name_parse and returned in canonical text.
 * Punycode (xn--) is accepted; raw UTF-8 names are invalid, with a message
 * to write them in punycode. '*' is only allowed as a whole first label.
 */
#ifndef FW_FEED_PARSE_H
#define FW_FEED_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "formats/dns_name.h"
#include "fluxwall_abi.h"

enum fw_feed_format {
	FW_FEED_AUTO,
	FW_FEED_PLAIN,
	FW_FEED_HOSTS,
	FW_FEED_RPZ,
	FW_FEED_ADBLOCK,
};

enum fw_feed_match {
	FW_FEED_SUBTREE,
	FW_FEED_EXACT,
};

enum fw_feed_list {
	FW_FEED_BLOCK,
	FW_FEED_ALLOW,
};

struct fw_feed_entry {
	char name[FW_NAME_TEXT_MAX + 2]; /* canonical text, no trailing dot */
	enum fw_feed_match match;
	enum fw_feed_list list;
	enum fw_action action; /* FW_ACT_DEFAULT unless the feed says (RPZ) */
	unsigned long line;
};

struct fw_feed_opts {
	enum fw_feed_format format;
	bool exact; /* --exact: entries without an explicit wildcard are exact */
};

struct fw_feed_callbacks {
	/* Every entry, in file order; a non-zero return stops the parse. */
	int (*entry)(const struct fw_feed_entry *e, void *ctx);
	/* Every invalid line. */
	void (*invalid)(unsigned long line, const char *reason, void *ctx);
	/* Lines skipped as unsupported (cosmetic rules...); may be NULL. */
	void (*unsupported)(unsigned long line, const char *reason, void *ctx);
	void *ctx;
};

struct fw_feed_stats {
	enum fw_feed_format format; /* the format used, after auto detection */
	unsigned long lines;
	unsigned long entries;
	unsigned long invalid;
	unsigned long unsupported;
};

/*
 * Parse the whole stream. Returns 0 when it was read to the end, whatever
 * the number of invalid lines (see st->invalid); -1 on a read error or when
 * the entry callback stopped the parse, with a message in err.
 */
int fw_feed_parse(FILE *f, const struct fw_feed_opts *opts, const struct fw_feed_callbacks *cb,
		  struct fw_feed_stats *st, char *err, size_t errlen);

/*
 * Guess the format of a feed from some of its first lines (NUL-terminated
 * each, without line ends). Falls back to plain.
 */
enum fw_feed_format fw_feed_detect_format(char *const *lines, size_t n);

const char *fw_feed_format_name(enum fw_feed_format format);

/* "auto", "plain", "hosts", "rpz" or "adblock"; -1 with a message otherwise. */
int fw_feed_format_parse(const char *text, enum fw_feed_format *out, char *err, size_t errlen);

#endif /* FW_FEED_PARSE_H */
