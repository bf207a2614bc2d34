// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Feed parsers: plain, hosts, RPZ and AdBlock; see feed_parse.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "formats/feed_parse.h"
#include "formats/rpz_policy.h"

#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define NAME_BUF	 (FW_NAME_TEXT_MAX + 2)
#define DETECT_LINES	 256  /* non-comment lines read to guess the format */
#define DETECT_MAX_LINES 8192 /* at most this many lines in all */
#define SHOWN_MAX	 64   /* bytes of a bad token quoted in a message */
#define MAX_TOKENS	 32

/* RPZ zone-file position: the apex, $ORIGIN and the last owner. */
struct rpz_state {
	char apex[NAME_BUF]; /* lowercase, no trailing dot; "" for the root */
	char origin[NAME_BUF];
	char owner[NAME_BUF]; /* last owner, absolute, for blank-owner lines */
	bool have_apex, have_origin, have_owner;
	char *pending; /* a record that spans lines in parentheses */
	size_t pending_len, pending_cap;
	unsigned long pending_line;
	int depth;
	bool pending_blank_owner;
};

struct parser {
	const struct fw_feed_opts *opts;
	const struct fw_feed_callbacks *cb;
	struct fw_feed_stats *st;
	enum fw_feed_format format;
	unsigned long line;
	bool stop;
	struct rpz_state rpz;
};

struct tokens {
	char *v[MAX_TOKENS];
	int n;
	bool more; /* there were more than MAX_TOKENS */
};

const char *fw_feed_format_name(enum fw_feed_format format)
{
	switch (format) {
	case FW_FEED_AUTO:
		return "auto";
	case FW_FEED_PLAIN:
		return "plain";
	case FW_FEED_HOSTS:
		return "hosts";
	case FW_FEED_RPZ:
		return "rpz";
	case FW_FEED_ADBLOCK:
		return "adblock";
	}
	return "unknown";
}

int fw_feed_format_parse(const char *text, enum fw_feed_format *out, char *err, size_t errlen)
{
	enum fw_feed_format f;

	for (f = FW_FEED_AUTO; f <= FW_FEED_ADBLOCK; f++) {
		if (strcmp(text, fw_feed_format_name(f)) == 0) {
			*out = f;
			return 0;
		}
	}
	snprintf(err, errlen, "unknown feed format '%.32s'; use auto, plain, hosts, rpz or adblock",
		 text);
	return -1;
}

/* --- reporting --- */

/* tok, cut to SHOWN_MAX bytes, with unprintable bytes as \xNN. */
static const char *shown(const char *tok, char *buf, size_t len)
{
	size_t pos = 0, i;

	for (i = 0; tok[i] && pos + 8 < len; i++) {
		unsigned char c = (unsigned char)tok[i];

		if (i == SHOWN_MAX) {
			pos += (size_t)snprintf(buf + pos, len - pos, "...");
			break;
		}
		if (c < 0x20 || c >= 0x7f)
			pos += (size_t)snprintf(buf + pos, len - pos, "\\x%02x", c);
		else
			buf[pos++] = (char)c;
	}
	buf[pos] = '\0';
	return buf;
}

static void __attribute__((format(printf, 2, 3))) invalid(struct parser *p, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	p->st->invalid++;
	if (p->cb->invalid)
		p->cb->invalid(p->line, reason, p->cb->ctx);
}

static void __attribute__((format(printf, 2, 3)))
unsupported(struct parser *p, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	p->st->unsupported++;
	if (!p->cb->unsupported)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	p->cb->unsupported(p->line, reason, p->cb->ctx);
}

static void emit(struct parser *p, const struct fw_name *n, enum fw_feed_match match,
		 enum fw_feed_list list, enum fw_action action)
{
	struct fw_feed_entry e;

	memcpy(e.name, n->text, sizeof(e.name));
	e.match = match;
	e.list = list;
	e.action = action;
	e.line = p->line;
	p->st->entries++;
	if (p->cb->entry && p->cb->entry(&e, p->cb->ctx))
		p->stop = true;
}

/* Match kind for a name without an explicit wildcard: subtree unless --exact. */
static enum fw_feed_match default_match(const struct parser *p, bool wildcard)
{
	return wildcard || !p->opts->exact ? FW_FEED_SUBTREE : FW_FEED_EXACT;
}

/* --- names --- */

static bool is_ipv4(const char *s)
{
	struct in_addr a;

	/* Cheap test first: inet_pton on every name would slow big lists. */
	if (strspn(s, "0123456789.") != strlen(s))
		return false;
	return inet_pton(AF_INET, s, &a) == 1;
}

static bool is_ipv6(const char *s)
{
	struct in6_addr a;

	return strchr(s, ':') && inet_pton(AF_INET6, s, &a) == 1;
}

/* What one pass over a token finds, so that big lists are read once. */
struct tok_shape {
	bool non_ascii, slash, colon, star, digits_and_dots;
};

static void tok_shape(const char *s, struct tok_shape *sh)
{
	memset(sh, 0, sizeof(*sh));
	sh->digits_and_dots = true;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		sh->non_ascii |= c >= 0x80;
		sh->slash |= c == '/';
		sh->colon |= c == ':';
		sh->star |= c == '*';
		sh->digits_and_dots &= (c >= '0' && c <= '9') || c == '.';
	}
}

enum name_result {
	NAME_OK,
	NAME_BAD,      /* reason written */
	NAME_WILDCARD, /* '*' inside a label: a pattern we cannot express */
};

/*
 * Validate one name from a feed into n. A leading "*." sets *wildcard and is
 * removed. Writes the reason on failure.
 */
static enum name_result feed_name(const char *tok, struct fw_name *n, bool *wildcard, char *why,
				  size_t len)
{
	char show[SHOWN_MAX * 4 + 8], perr[160];
	struct tok_shape sh;

	*wildcard = false;
	tok_shape(tok, &sh);
	if (sh.non_ascii) {
		snprintf(why, len,
			 "'%s' is not ASCII; write internationalised names in punycode "
			 "(xn--...), for example with idn2",
			 shown(tok, show, sizeof(show)));
		return NAME_BAD;
	}
	if (sh.slash) {
		snprintf(why, len, "'%s' is a URL; list the host name only",
			 shown(tok, show, sizeof(show)));
		return NAME_BAD;
	}
	if ((sh.digits_and_dots && is_ipv4(tok)) || (sh.colon && is_ipv6(tok))) {
		snprintf(why, len, "'%s' is an IP address; fluxwall blocks names",
			 shown(tok, show, sizeof(show)));
		return NAME_BAD;
	}
	if (tok[0] == '*' && tok[1] == '.') {
		*wildcard = true;
		tok += 2;
	}
	if (sh.star && strchr(tok, '*')) {
		snprintf(why, len,
			 "'%s': '*' is only allowed as a whole first label, as in *.example",
			 shown(tok, show, sizeof(show)));
		return NAME_WILDCARD;
	}
	if (fw_name_parse(tok, n, perr, sizeof(perr))) {
		snprintf(why, len, "bad name '%s': %s", shown(tok, show, sizeof(show)), perr);
		return NAME_BAD;
	}
	return NAME_OK;
}

/* --- line helpers --- */

static char *skip_blanks(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Cut a comment that starts with one of chars after a blank or at the start. */
static void cut_comment(char *s, const char *chars)
{
	char *c = s;

	while ((c = strpbrk(c, chars))) {
		/* '#' always starts a comment: no name or address contains it */
		if (c == s || *c == '#' || c[-1] == ' ' || c[-1] == '\t') {
			*c = '\0';
			return;
		}
		c++;
	}
}

static void split_tokens(char *s, struct tokens *t)
{
	t->n = 0;
	t->more = false;
	for (;;) {
		s = skip_blanks(s);
		if (!*s)
			return;
		if (t->n == MAX_TOKENS) {
			t->more = true;
			return;
		}
		t->v[t->n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* --- plain --- */

static void plain_name(struct parser *p, const char *tok)
{
	struct fw_name n;
	bool wildcard;
	char why[400];

	if (feed_name(tok, &n, &wildcard, why, sizeof(why)) != NAME_OK) {
		invalid(p, "%s", why);
		return;
	}
	emit(p, &n, default_match(p, wildcard), FW_FEED_BLOCK, FW_ACT_DEFAULT);
}

static void parse_plain(struct parser *p, char *line)
{
	struct tokens t;

	cut_comment(line, "#;!");
	split_tokens(line, &t);
	if (t.n == 0)
		return;
	if (t.n > 1) {
		invalid(p, "%d fields; plain lists have one name per line%s", t.n,
			is_ipv4(t.v[0]) || is_ipv6(t.v[0])
			    ? " (for a hosts file use --format hosts)"
			    : "");
		return;
	}
	plain_name(p, t.v[0]);
}

/* --- hosts --- */

/* Names of the host itself that hosts files carry; never rules. */
static bool is_local_name(const char *name)
{
	static const char *const local[] = {"localhost",  "localhost.localdomain",
					    "local",	  "broadcasthost",
					    "localhost6", "localhost6.localdomain6"};
	size_t i;

	if (strncasecmp(name, "ip6-", 4) == 0)
		return true;
	for (i = 0; i < ARRAY_SIZE(local); i++)
		if (strcasecmp(name, local[i]) == 0)
			return true;
	return is_ipv4(name) || is_ipv6(name);
}

/* Addresses that mean "nowhere": the line blocks its names. */
static bool is_sink(const char *addr)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, addr, &a4) == 1) {
		uint32_t h = ntohl(a4.s_addr);

		return h == 0 || (h >> 24) == 127;
	}
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_UNSPECIFIED(&a6) || IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

static bool is_address(const char *s)
{
	char buf[64];
	const char *pct = strchr(s, '%'); /* fe80::1%lo0: scoped, as in hosts headers */

	snprintf(buf, sizeof(buf), "%.*s", pct ? (int)(pct - s) : (int)strlen(s), s);
	return is_ipv4(buf) || is_ipv6(buf);
}

static void parse_hosts_tokens(struct parser *p, struct tokens *t)
{
	char show[SHOWN_MAX * 4 + 8];
	int i, names = 0;

	if (!is_address(t->v[0])) {
		invalid(p,
			"'%s' is not an IP address; hosts lines look like '0.0.0.0 evil.example'",
			shown(t->v[0], show, sizeof(show)));
		return;
	}
	for (i = 1; i < t->n; i++)
		names += !is_local_name(t->v[i]);
	if (t->n == 1) {
		invalid(p, "no name after the address %s", shown(t->v[0], show, sizeof(show)));
		return;
	}
	if (names == 0)
		return; /* "127.0.0.1 localhost" and friends */
	if (!is_sink(t->v[0])) {
		invalid(p,
			"address %s is not a sink (0.0.0.0, 127.x.x.x, :: or ::1): the line "
			"redirects %s rather than blocking it",
			shown(t->v[0], show, sizeof(show)), t->v[1]);
		return;
	}
	if (t->more)
		invalid(p, "more than %d names on one line; put the rest on another line",
			MAX_TOKENS - 1);
	for (i = 1; i < t->n && !p->stop; i++)
		if (!is_local_name(t->v[i]))
			plain_name(p, t->v[i]);
}

static void parse_hosts(struct parser *p, char *line)
{
	struct tokens t;

	cut_comment(line, "#");
	split_tokens(line, &t);
	if (t.n)
		parse_hosts_tokens(p, &t);
}

/* --- adblock --- */

static bool is_cosmetic(const char *line)
{
	static const char *const marks[] = {"##", "#@#", "#?#", "#$#", "#%#", "#@$#", "#@?#"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(marks); i++)
		if (strstr(line, marks[i]))
			return true;
	return false;
}

/* 0 when every $modifier is one that means the same at the DNS level. */
static int check_modifiers(struct parser *p, char *mods)
{
	char *save = NULL, *m;

	for (m = strtok_r(mods, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		if (strcmp(m, "important") && strcmp(m, "all")) {
			unsupported(p, "modifier $%.64s has no DNS-level meaning; rule skipped", m);
			return -1;
		}
	}
	return 0;
}

/* "||name^[|][$mods]" with the "||" already removed. */
static void parse_adblock_domain(struct parser *p, char *rule, enum fw_feed_list list)
{
	char *end = rule + strcspn(rule, "^$"), why[400];
	struct fw_name n;
	bool wildcard;
	enum name_result r;

	if (*end != '^') {
		unsupported(p,
			    "rule without '^' also matches longer names; only ||name^ is imported");
		return;
	}
	*end++ = '\0';
	if (*end == '|')
		end++;
	if (*end == '$' && check_modifiers(p, end + 1))
		return;
	if (*end && *end != '$') {
		unsupported(p, "URL rule with a path or pattern after '^'; rule skipped");
		return;
	}
	r = feed_name(rule, &n, &wildcard, why, sizeof(why));
	if (r == NAME_WILDCARD || (r == NAME_BAD && strchr(rule, '/'))) {
		unsupported(p, "%s", why); /* a pattern, fine in a browser, not in DNS */
		return;
	}
	if (r == NAME_BAD) {
		invalid(p, "%s", why);
		return;
	}
	emit(p, &n, default_match(p, wildcard), list, FW_ACT_DEFAULT);
}

/* A line that is not a "||" rule: a bare name, a hosts line, or a pattern. */
static void parse_adblock_other(struct parser *p, char *line)
{
	struct tokens t;

	if (*line == '|' || *line == '/' || strchr(line, '$')) {
		unsupported(p, "URL or regular-expression rule; only ||name^ rules are imported");
		return;
	}
	split_tokens(line, &t);
	if (t.n > 1 && is_address(t.v[0])) {
		parse_hosts_tokens(p, &t);
		return;
	}
	if (t.n == 1 && strchr(t.v[0], '.') && t.v[0][0] != '.' && !strpbrk(t.v[0], "&?=/")) {
		plain_name(p, t.v[0]);
		return;
	}
	unsupported(p, "URL pattern rule; only ||name^ rules are imported");
}

static void parse_adblock(struct parser *p, char *line)
{
	enum fw_feed_list list = FW_FEED_BLOCK;

	line = skip_blanks(line);
	if (!*line || *line == '!' || *line == '[')
		return; /* comment or "[Adblock Plus 2.0]" */
	if (is_cosmetic(line)) {
		unsupported(p, "cosmetic (element hiding) rule; rule skipped");
		return;
	}
	if (*line == '#')
		return; /* AdGuard's DNS lists also use '#' comments */
	if (strncmp(line, "@@", 2) == 0) {
		list = FW_FEED_ALLOW;
		line += 2;
	}
	if (strncmp(line, "||", 2) == 0) {
		parse_adblock_domain(p, line + 2, list);
		return;
	}
	if (list == FW_FEED_ALLOW) {
		unsupported(p, "exception without ||name^; rule skipped");
		return;
	}
	parse_adblock_other(p, line);
}

/* --- RPZ --- */

static const char *const rr_types[] = {
    "A",    "AAAA",  "CNAME",	   "DNAME", "NS",    "SOA",   "TXT", "MX",     "PTR",
    "SRV",  "CAA",   "HINFO",	   "SVCB",  "HTTPS", "NAPTR", "DS",  "DNSKEY", "RRSIG",
    "NSEC", "NSEC3", "NSEC3PARAM", "LOC",   "SSHFP", "TLSA",  "URI", "SPF",    "ZONEMD",
};

static bool is_rr_type(const char *tok)
{
	size_t i;

	if (strncasecmp(tok, "TYPE", 4) == 0 && tok[4] &&
	    strspn(tok + 4, "0123456789") == strlen(tok + 4))
		return true; /* RFC 3597 TYPEnnn */
	for (i = 0; i < ARRAY_SIZE(rr_types); i++)
		if (strcasecmp(tok, rr_types[i]) == 0)
			return true;
	return false;
}

static bool is_class(const char *tok)
{
	return !strcasecmp(tok, "IN") || !strcasecmp(tok, "CH") || !strcasecmp(tok, "HS") ||
	       !strcasecmp(tok, "CS");
}

/* 3600, 1h, 1h30m, 1w: BIND TTL syntax. */
static bool is_ttl(const char *tok)
{
	const char *p = tok;

	if (!isdigit((unsigned char)*p))
		return false;
	while (*p) {
		while (isdigit((unsigned char)*p))
			p++;
		if (*p && !strchr("sSmMhHdDwW", *p++))
			return false;
		if (*p && !isdigit((unsigned char)*p))
			return false;
	}
	return true;
}

static void lower_copy(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/*
 * An owner or $ORIGIN name made absolute against the current origin, with
 * no trailing dot ("" for the root). -1 when it cannot fit.
 */
static int rpz_absolute(const struct rpz_state *z, const char *tok, char *out, size_t len)
{
	size_t n = strlen(tok);

	if (strcmp(tok, "@") == 0) {
		snprintf(out, len, "%s", z->have_origin ? z->origin : "");
		return 0;
	}
	if (n && tok[n - 1] == '.') {
		if (n - 1 >= len)
			return -1;
		lower_copy(out, tok, n); /* drops the trailing dot */
		return 0;
	}
	if (!z->have_origin || !z->origin[0]) {
		/* No origin known: the name stands for itself. */
		if (n >= len)
			return -1;
		lower_copy(out, tok, len);
		return 0;
	}
	if (snprintf(out, len, "%s.%s", tok, z->origin) >= (int)len)
		return -1;
	lower_copy(out, out, len);
	return 0;
}

/* The trigger: owner relative to the apex. 1: the apex itself, -1: outside. */
static int rpz_trigger(const struct rpz_state *z, const char *owner, char *out, size_t len)
{
	size_t no = strlen(owner), na = strlen(z->apex);

	if (!z->have_apex || na == 0) {
		snprintf(out, len, "%s", owner);
		return 0;
	}
	if (strcmp(owner, z->apex) == 0)
		return 1;
	if (no <= na + 1 || owner[no - na - 1] != '.' || strcmp(owner + no - na, z->apex))
		return -1;
	snprintf(out, len, "%.*s", (int)(no - na - 1), owner);
	return 0;
}

static void rpz_directive(struct parser *p, struct tokens *t)
{
	struct rpz_state *z = &p->rpz;
	char abs[NAME_BUF], show[SHOWN_MAX * 4 + 8];

	if (strcasecmp(t->v[0], "$TTL") == 0)
		return;
	if (strcasecmp(t->v[0], "$ORIGIN") == 0) {
		if (t->n != 2 || rpz_absolute(z, t->v[1], abs, sizeof(abs))) {
			invalid(p, "$ORIGIN needs one name, such as $ORIGIN rpz.example.");
			return;
		}
		snprintf(z->origin, sizeof(z->origin), "%s", abs);
		z->have_origin = true;
		if (!z->have_apex) {
			snprintf(z->apex, sizeof(z->apex), "%s", abs);
			z->have_apex = true;
		}
		return;
	}
	if (strcasecmp(t->v[0], "$INCLUDE") == 0) {
		invalid(p,
			"$INCLUDE is not supported; concatenate the files and import the result");
		return;
	}
	invalid(p, "unknown directive %s; zone files know $ORIGIN, $TTL and $INCLUDE",
		shown(t->v[0], show, sizeof(show)));
}

/* Policy of a QNAME trigger from its CNAME target; -1 when not one we enforce. */
static int rpz_policy(struct parser *p, const char *target, enum fw_feed_list *list,
		      enum fw_action *action)
{
	char show[SHOWN_MAX * 4 + 8], why[400];
	bool allow;

	/* The shown form differs only for targets that are local data anyway. */
	if (fw_rpz_policy(shown(target, show, sizeof(show)), &allow, action, why, sizeof(why))) {
		invalid(p, "%s", why);
		return -1;
	}
	*list = allow ? FW_FEED_ALLOW : FW_FEED_BLOCK;
	return 0;
}

static void rpz_qname_rule(struct parser *p, const char *trigger, const char *type,
			   const char *target)
{
	enum fw_feed_list list;
	enum fw_action action;
	struct fw_name n;
	bool wildcard;
	char why[400];

	if (strcasecmp(type, "CNAME")) {
		invalid(p,
			"%s record for %s is local data, which fluxwall cannot serve; use "
			"CNAME . (NXDOMAIN), rpz-drop. or rpz-passthru.",
			type, trigger);
		return;
	}
	if (!target) {
		invalid(p, "CNAME without a target");
		return;
	}
	if (rpz_policy(p, target, &list, &action))
		return;
	if (strcmp(trigger, "*") == 0) {
		invalid(p, "the wildcard *.%s matches every name; list the names to block",
			p->rpz.apex[0] ? p->rpz.apex : "(zone)");
		return;
	}
	if (feed_name(trigger, &n, &wildcard, why, sizeof(why)) != NAME_OK) {
		invalid(p, "%s", why);
		return;
	}
	/* RPZ states exact or wildcard itself: --exact does not apply. */
	emit(p, &n, wildcard ? FW_FEED_SUBTREE : FW_FEED_EXACT, list, action);
}

/* Index of the type token after the optional TTL and class; -1 when none. */
static int rpz_type_index(const struct tokens *t, int first)
{
	int i;

	for (i = first; i < t->n && i < first + 2; i++)
		if (!is_ttl(t->v[i]) && !is_class(t->v[i]))
			break;
	return i < t->n ? i : -1;
}

static int rpz_owner(struct parser *p, struct tokens *t, bool blank_owner, char *owner, size_t len)
{
	struct rpz_state *z = &p->rpz;
	char show[SHOWN_MAX * 4 + 8];

	if (blank_owner) {
		if (!z->have_owner) {
			invalid(p, "record without an owner name and no record before it");
			return -1;
		}
		snprintf(owner, len, "%s", z->owner);
		return 0;
	}
	if (rpz_absolute(z, t->v[0], owner, len)) {
		invalid(p, "owner name '%s' is too long", shown(t->v[0], show, sizeof(show)));
		return -1;
	}
	snprintf(z->owner, sizeof(z->owner), "%s", owner);
	z->have_owner = true;
	return 0;
}

static void rpz_record(struct parser *p, struct tokens *t, bool blank_owner)
{
	struct rpz_state *z = &p->rpz;
	char owner[NAME_BUF], trigger[NAME_BUF], show[SHOWN_MAX * 4 + 8];
	const char *type, *kind;
	int ti, where;

	if (rpz_owner(p, t, blank_owner, owner, sizeof(owner)))
		return;
	ti = rpz_type_index(t, blank_owner ? 0 : 1);
	if (ti < 0 || !is_rr_type(t->v[ti])) {
		invalid(p, "expected a record type such as CNAME, found '%s'",
			ti < 0 ? "" : shown(t->v[ti], show, sizeof(show)));
		return;
	}
	type = t->v[ti];
	if (strcasecmp(type, "SOA") == 0 && !z->have_apex) {
		snprintf(z->apex, sizeof(z->apex), "%s", owner);
		z->have_apex = true;
		if (!z->have_origin) {
			snprintf(z->origin, sizeof(z->origin), "%s", owner);
			z->have_origin = true;
		}
	}
	where = rpz_trigger(z, owner, trigger, sizeof(trigger));
	if (where == 1)
		return; /* the policy zone's own SOA, NS and the like */
	if (where < 0) {
		invalid(p, "owner %s. is outside the policy zone %s.", owner, z->apex);
		return;
	}
	if (!strcasecmp(type, "SOA") || !strcasecmp(type, "NS")) {
		unsupported(p, "%s record below the zone apex; skipped", type);
		return;
	}
	if (fw_rpz_other_trigger(trigger, &kind)) {
		unsupported(p, "%s triggers are not supported; fluxwall matches query names only",
			    kind);
		return;
	}
	rpz_qname_rule(p, trigger, type, ti + 1 < t->n ? t->v[ti + 1] : NULL);
}

/*
 * Remove a ';' comment (not inside quotes) and count parentheses. Returns
 * the change in nesting depth.
 */
static int rpz_strip(char *s)
{
	bool quoted = false;
	int depth = 0;

	for (; *s; s++) {
		if (*s == '\\' && quoted && s[1]) {
			s++;
			continue;
		}
		if (*s == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (*s == ';') {
			*s = '\0';
			break;
		} else if (*s == '(' || *s == ')') {
			depth += *s == '(' ? 1 : -1;
			*s = ' '; /* grouping only; a token break */
		}
	}
	return depth;
}

static int rpz_append(struct rpz_state *z, const char *s)
{
	size_t n = strlen(s);

	if (z->pending_len + n + 2 > z->pending_cap) {
		size_t cap = (z->pending_len + n + 2) * 2;
		char *np = realloc(z->pending, cap);

		if (!np)
			return -1;
		z->pending = np;
		z->pending_cap = cap;
	}
	memcpy(z->pending + z->pending_len, s, n);
	z->pending_len += n;
	z->pending[z->pending_len++] = ' ';
	z->pending[z->pending_len] = '\0';
	return 0;
}

static void rpz_logical_line(struct parser *p, char *line, bool blank_owner)
{
	struct tokens t;

	split_tokens(line, &t);
	if (t.n == 0)
		return;
	if (t.v[0][0] == '$' && !blank_owner)
		rpz_directive(p, &t);
	else
		rpz_record(p, &t, blank_owner);
}

static void parse_rpz(struct parser *p, char *line)
{
	struct rpz_state *z = &p->rpz;
	bool blank_owner = line[0] == ' ' || line[0] == '\t';
	int depth = rpz_strip(line);
	unsigned long here = p->line;

	if (z->depth == 0 && depth <= 0) {
		if (depth < 0)
			invalid(p, "')' without '('");
		else
			rpz_logical_line(p, line, blank_owner);
		return;
	}
	if (z->depth == 0) {
		z->pending_len = 0;
		z->pending_line = p->line;
		z->pending_blank_owner = blank_owner;
	}
	if (rpz_append(z, line)) {
		invalid(p, "out of memory joining a record in parentheses");
		return;
	}
	z->depth += depth;
	if (z->depth > 0)
		return;
	/* Errors in a record spanning lines are reported at its first line. */
	p->line = z->pending_line;
	if (z->depth < 0)
		invalid(p, "')' without '('");
	else
		rpz_logical_line(p, z->pending, z->pending_blank_owner);
	z->depth = 0;
	p->line = here;
}

static void rpz_finish(struct parser *p)
{
	if (p->rpz.depth > 0) {
		p->line = p->rpz.pending_line;
		invalid(p, "'(' is never closed; the record runs to the end of the file");
	}
	free(p->rpz.pending);
	p->rpz.pending = NULL;
}

/* --- format detection --- */

static enum fw_feed_format classify_line(char *line)
{
	char buf[512], *s;
	struct tokens t;
	int i;

	s = skip_blanks(line);
	if (strncmp(s, "[Adblock", 8) == 0 || strncmp(s, "||", 2) == 0 ||
	    strncmp(s, "@@", 2) == 0 || is_cosmetic(s))
		return FW_FEED_ADBLOCK;
	if (!strncasecmp(s, "$ORIGIN", 7) || !strncasecmp(s, "$TTL", 4))
		return FW_FEED_RPZ;
	if (!*s || strchr("#;!", *s))
		return FW_FEED_AUTO; /* says nothing */
	snprintf(buf, sizeof(buf), "%s", s);
	cut_comment(buf, "#;");
	split_tokens(buf, &t);
	for (i = 1; i < t.n; i++)
		if (!strcasecmp(t.v[i], "CNAME") || !strcasecmp(t.v[i], "SOA"))
			return FW_FEED_RPZ;
	if (t.n >= 2 && is_address(t.v[0]))
		return FW_FEED_HOSTS;
	return t.n == 1 ? FW_FEED_PLAIN : FW_FEED_AUTO;
}

enum fw_feed_format fw_feed_detect_format(char *const *lines, size_t n)
{
	unsigned votes[FW_FEED_ADBLOCK + 1] = {0}, total;
	size_t i;

	for (i = 0; i < n; i++)
		votes[classify_line(lines[i])]++;
	total = votes[FW_FEED_PLAIN] + votes[FW_FEED_HOSTS] + votes[FW_FEED_RPZ] +
		votes[FW_FEED_ADBLOCK];
	/*
	 * Zone files and AdBlock lists also hold lines that look plain (SOA
	 * numbers, bare names), so a quarter of such lines is enough; a stray
	 * line in a plain list is not.
	 */
	if (votes[FW_FEED_RPZ] && votes[FW_FEED_RPZ] * 4 >= total)
		return FW_FEED_RPZ;
	if (votes[FW_FEED_ADBLOCK] && votes[FW_FEED_ADBLOCK] * 4 >= total)
		return FW_FEED_ADBLOCK;
	if (votes[FW_FEED_HOSTS] && votes[FW_FEED_HOSTS] >= votes[FW_FEED_PLAIN])
		return FW_FEED_HOSTS;
	return FW_FEED_PLAIN;
}

/* --- driver --- */

/* Strip the line end and trailing blanks; the BOM on line 1. */
static char *clean_line(struct parser *p, char *line, size_t len)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' ||
		       line[len - 1] == '\t'))
		line[--len] = '\0';
	if (p->line == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
		line += 3;
	return line;
}

static void parse_line(struct parser *p, char *raw, size_t len)
{
	char *line;

	p->line++;
	p->st->lines++;
	if (strlen(raw) != len) {
		invalid(p, "NUL byte in the line; is this a text file?");
		return;
	}
	line = clean_line(p, raw, len);
	switch (p->format) {
	case FW_FEED_HOSTS:
		parse_hosts(p, line);
		break;
	case FW_FEED_RPZ:
		parse_rpz(p, line);
		break;
	case FW_FEED_ADBLOCK:
		parse_adblock(p, line);
		break;
	default:
		parse_plain(p, line);
		break;
	}
}

/* The first lines of a feed, kept to guess its format before parsing them. */
struct line_buf {
	char **lines;
	size_t *lens;
	size_t n, cap;
};

static void free_line_buf(struct line_buf *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->lines[i]);
	free(b->lines);
	free(b->lens);
}

static int line_buf_push(struct line_buf *b, char *line, size_t len)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char **lines = realloc(b->lines, cap * sizeof(*lines));
		size_t *lens;

		if (!lines)
			return -1;
		b->lines = lines;
		lens = realloc(b->lens, cap * sizeof(*lens));
		if (!lens)
			return -1;
		b->lens = lens;
		b->cap = cap;
	}
	b->lines[b->n] = line;
	b->lens[b->n++] = len;
	return 0;
}

/* A line that may tell the format: not blank, not a comment. */
static bool is_signal_line(const char *line)
{
	line += strspn(line, " \t\r\n");
	if (strncmp(line, "\xef\xbb\xbf", 3) == 0)
		line += 3;
	return *line && !strchr("#;!", *line);
}

/*
 * Read lines until DETECT_LINES of them say something, so that a long
 * comment header (hosts files have dozens of lines) does not hide the format.
 */
static int buffer_head(FILE *f, struct line_buf *b)
{
	size_t signal = 0;

	while (signal < DETECT_LINES && b->n < DETECT_MAX_LINES) {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n = getline(&line, &cap, f);

		if (n < 0) {
			free(line);
			break;
		}
		if (line_buf_push(b, line, (size_t)n)) {
			free(line);
			errno = ENOMEM;
			return -1;
		}
		signal += is_signal_line(line);
	}
	return ferror(f) ? -1 : 0;
}

static enum fw_feed_format detect_from_buffer(struct line_buf *b)
{
	enum fw_feed_format f = FW_FEED_PLAIN;
	char **copies = calloc(b->n ? b->n : 1, sizeof(*copies));
	size_t i;

	if (!copies)
		return f;
	for (i = 0; i < b->n; i++) {
		copies[i] = strdup(b->lines[i]);
		if (!copies[i])
			break;
		copies[i][strcspn(copies[i], "\r\n")] = '\0';
		if (i == 0 && strncmp(copies[0], "\xef\xbb\xbf", 3) == 0)
			memmove(copies[0], copies[0] + 3, strlen(copies[0] + 3) + 1);
	}
	f = fw_feed_detect_format(copies, i);
	while (i--)
		free(copies[i]);
	free(copies);
	return f;
}

static int read_rest(struct parser *p, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while (!p->stop && (n = getline(&line, &cap, f)) >= 0)
		parse_line(p, line, (size_t)n);
	free(line);
	return ferror(f) ? -1 : 0;
}

int fw_feed_parse(FILE *f, const struct fw_feed_opts *opts, const struct fw_feed_callbacks *cb,
		  struct fw_feed_stats *st, char *err, size_t errlen)
{
	struct parser p = {.opts = opts, .cb = cb, .st = st, .format = opts->format};
	struct line_buf head = {0};
	size_t i;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	if (p.format == FW_FEED_AUTO) {
		ret = buffer_head(f, &head);
		p.format = detect_from_buffer(&head);
	}
	st->format = p.format;
	for (i = 0; i < head.n && !p.stop; i++)
		parse_line(&p, head.lines[i], head.lens[i]);
	free_line_buf(&head);
	if (ret == 0 && !p.stop)
		ret = read_rest(&p, f);
	if (ret == 0 && !p.stop && p.format == FW_FEED_RPZ)
		rpz_finish(&p);
	free(p.rpz.pending);
	if (ret) {
		snprintf(err, errlen, "read error after line %lu: %s", p.line, strerror(errno));
		return -1;
	}
	if (p.stop) {
		snprintf(err, errlen, "import stopped at line %lu", p.line);
		return -1;
	}
	return 0;
}
