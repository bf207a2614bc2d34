// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The command line as data: every option a verb takes is accepted by the
 * parser, shown in the verb's usage and documented in its part of
 * docs/fluxwall.8; every other option is refused; and a bad option gets a
 * message that names the option and the verb.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "xdp_harness.h"

static const struct {
	const char *name, *arg;
} table[CLI_OPT_COUNT] = {
#define FW_CLI_OPT(id, nm, letter, a, kind, field, help) [CLI_OPT_##id] = { nm, a },
#include "cli/cli_options.h"
#undef FW_CLI_OPT
};

static char err[4096];

/* fw_cli_parse on a NULL-terminated argv; its message lands in err. */
static int parse(struct fw_opts *o, const char **args)
{
	char *argv[16];
	int argc = 0, first, ret;

	memset(o, 0, sizeof(*o));
	while (args[argc]) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	fw_err_capture(err, sizeof(err));
	ret = fw_cli_parse(o, argc, argv, &first);
	fw_err_capture(NULL, 0);
	return ret;
}

#define expect_err(...)                                                                            \
	do {                                                                                       \
		const char *want_[] = { __VA_ARGS__, NULL };                                       \
		int k_;                                                                            \
		for (k_ = 0; want_[k_]; k_++)                                                      \
			if (!strstr(err, want_[k_]))                                               \
				fail_msg("message '%s' lacks '%s'", err, want_[k_]);               \
	} while (0)

/* A value the option takes: the first of "a|b", a number for N, else a word. */
static const char *good_value(int i)
{
	static char buf[64];

	if (!strcmp(table[i].arg, "N"))
		return "3";
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(table[i].arg, "|"), table[i].arg);
	return strchr(table[i].arg, '|') ? buf : "x";
}

/* Each verb accepts exactly its forms' options and the global ones. */
static void verbs_accept_their_options_only(void **state)
{
	struct fw_opts o;
	size_t v;
	int i;

	for (v = 0; v < fw_nverbs; v++) {
		unsigned int takes = fw_verb_opts(&fw_verbs[v]);

		for (i = 0; i < CLI_OPT_COUNT; i++) {
			char opt[64];
			const char *args[] = { "fluxwall", fw_verbs[v].name, opt,
					       table[i].arg ? good_value(i) : NULL, NULL };

			if (i == CLI_OPT_HELP || i == CLI_OPT_VERSION)
				continue;
			snprintf(opt, sizeof(opt), "--%s", table[i].name);
			if (takes & (1u << i)) {
				if (parse(&o, args))
					fail_msg("%s %s: %s", fw_verbs[v].name, opt, err);
				assert_true(o.given & (1u << i));
				assert_ptr_equal(o.verb, &fw_verbs[v]);
			} else {
				assert_int_equal(parse(&o, args), -1);
				expect_err(opt, "does not apply to", fw_verbs[v].name, "usage:");
			}
		}
	}
}

/* The usage of a verb shows every option it takes but the global ones. */
static void usage_shows_every_option(void **state)
{
	char use[2048], want[64];
	size_t v;
	int i;

	for (v = 0; v < fw_nverbs; v++) {
		unsigned int takes = fw_verb_opts(&fw_verbs[v]) & ~OPT_GLOBAL;

		fw_verb_usage(&fw_verbs[v], NULL, " | ", use, sizeof(use));
		assert_true(strlen(use) < sizeof(use) - 1);
		for (i = 0; i < CLI_OPT_COUNT; i++) {
			snprintf(want, sizeof(want), "--%s", table[i].name);
			if ((takes & (1u << i)) && !strstr(use, want))
				fail_msg("usage of %s lacks %s: %s", fw_verbs[v].name, want, use);
		}
	}
}

static char *slurp_man(void)
{
	char *buf = fwh_slurp("docs/fluxwall.8"), *in, *out;

	assert_non_null(buf);
	/* groff's "\-" is a plain "-" here */
	for (in = out = buf; *in; in++)
		if (!(in[0] == '\\' && in[1] == '-'))
			*out++ = *in;
	*out = '\0';
	return buf;
}

/*
 * The text of the man page about verb: every .SS whose heading starts with
 * it, up to the next other .SS or .SH. Concatenated into out.
 */
static void man_part(const char *man, const char *verb, char *out, size_t len)
{
	const char *p = man, *end;
	char head[64];
	size_t pos = 0;

	snprintf(head, sizeof(head), "\n.SS \"%s", verb);
	out[0] = '\0';
	while ((p = strstr(p, head))) {
		const char *after = p + strlen(head);

		p = after;
		if (*after != ' ' && *after != '"')
			continue;
		for (end = after; *end; end++)
			if (!strncmp(end, "\n.SH", 4) ||
			    (!strncmp(end, "\n.SS \"", 6) && strncmp(end, head, strlen(head))))
				break;
		if (pos + (size_t)(end - p) + 1 < len) {
			memcpy(out + pos, p, (size_t)(end - p));
			pos += (size_t)(end - p);
			out[pos] = '\0';
		}
	}
}

/* docs/fluxwall.8 documents every option of a verb where it describes the verb. */
static void man_page_documents_every_option(void **state)
{
	static char part[65536];
	char *man = slurp_man(), want[64];
	size_t v;
	int i;

	for (v = 0; v < fw_nverbs; v++) {
		unsigned int takes = fw_verb_opts(&fw_verbs[v]) & ~OPT_GLOBAL;

		man_part(man, fw_verbs[v].name, part, sizeof(part));
		if (!part[0])
			fail_msg("docs/fluxwall.8 has no .SS \"%s ...\" section", fw_verbs[v].name);
		for (i = 0; i < CLI_OPT_COUNT; i++) {
			snprintf(want, sizeof(want), "--%s", table[i].name);
			if ((takes & (1u << i)) && !strstr(part, want))
				fail_msg("docs/fluxwall.8: the %s section does not mention %s",
					 fw_verbs[v].name, want);
		}
	}
	assert_non_null(strstr(man, "\n.SH GLOBAL OPTIONS"));
	strcpy(part, strstr(man, "\n.SH GLOBAL OPTIONS") + 1);
	if (strstr(part, "\n.SH"))
		*strstr(part, "\n.SH") = '\0';
	for (i = 0; i < CLI_OPT_COUNT; i++) {
		snprintf(want, sizeof(want), "--%s", table[i].name);
		if ((OPT_GLOBAL & (1u << i)) && !strstr(part, want))
			fail_msg("docs/fluxwall.8: GLOBAL OPTIONS does not mention %s", want);
	}
	free(man);
}

static void unknown_option_names_it_and_the_verb(void **state)
{
	struct fw_opts o;
	const char *after[] = { "fluxwall", "block", "add", "x.example", "--bogus", NULL };
	const char *before[] = { "fluxwall", "--bogus", "status", NULL };
	const char *shrt[] = { "fluxwall", "-x", "status", NULL };
	const char *none[] = { "fluxwall", "--bogus", NULL };
	const char *ambiguous[] = { "fluxwall", "block", "list", "--s", NULL };

	assert_int_equal(parse(&o, after), -1);
	expect_err("'block'", "unknown option '--bogus'", "fluxwall block --help");
	assert_int_equal(parse(&o, before), -1);
	expect_err("'status'", "unknown option '--bogus'");
	assert_int_equal(parse(&o, shrt), -1);
	expect_err("'status'", "unknown option '-x'");
	assert_int_equal(parse(&o, none), -1);
	expect_err("unknown option '--bogus'", "fluxwall --help");
	assert_int_equal(parse(&o, ambiguous), -1);
	expect_err("'block'", "'--s' is ambiguous", "--source", "--skip-invalid");
}

static void missing_or_extra_value_names_it_and_the_verb(void **state)
{
	struct fw_opts o;
	const char *missing[] = { "fluxwall", "block", "add", "x.example", "--action", NULL };
	const char *extra[] = { "fluxwall", "status", "--json=yes", NULL };

	assert_int_equal(parse(&o, missing), -1);
	expect_err("'block'", "--action needs a value", "--action drop|nxdomain");
	assert_int_equal(parse(&o, extra), -1);
	expect_err("'status'", "--json takes no value, not 'yes'");
}

/* The value checks and their messages, as before the table. */
static void bad_values_keep_their_messages(void **state)
{
	struct fw_opts o;
	const char *action[] = { "fluxwall", "attach", "eth9", "--action", "default", NULL };
	const char *mode[] = { "fluxwall", "attach", "eth9", "--mode", "fast", NULL };
	const char *cap[] = { "fluxwall", "attach", "eth9", "--capacity", "0", NULL };
	const char *source[] = { "fluxwall", "block", "del", "--source", "a\tb", NULL };
	const char *good[] = { "fluxwall",   "attach", "--capacity", "5",
			       "eth9",	     "--mode", "skb",	     "--action",
			       "nxdomain",   "--pin-path", "/p",	     NULL };

	assert_int_equal(parse(&o, action), -1);
	expect_err("--action must be drop or nxdomain, not 'default'");
	assert_int_equal(parse(&o, mode), -1);
	expect_err("--mode must be native or skb, not 'fast'");
	assert_int_equal(parse(&o, cap), -1);
	expect_err("--capacity must be a number of names between 1 and 268435456, not '0'");
	assert_int_equal(parse(&o, source), -1);
	expect_err("--source needs a name without tabs or line breaks");
	assert_int_equal(parse(&o, good), 0);
	assert_int_equal(o.capacity, 5);
	assert_int_equal(o.mode, FW_MODE_SKB);
	assert_int_equal(o.action, FW_ACT_NXDOMAIN);
	assert_string_equal(o.pin_path, "/p");
	assert_int_equal(o.given, OPT_CAPACITY | OPT_MODE | OPT_ACTION | OPT_PIN_PATH);
}

static void unknown_verb_is_named(void **state)
{
	struct fw_opts o;
	const char *args[] = { "fluxwall", "blok", "add", NULL };

	assert_int_equal(parse(&o, args), -1);
	expect_err("unknown verb 'blok'", "--help");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(verbs_accept_their_options_only),
		cmocka_unit_test(usage_shows_every_option),
		cmocka_unit_test(man_page_documents_every_option),
		cmocka_unit_test(unknown_option_names_it_and_the_verb),
		cmocka_unit_test(missing_or_extra_value_names_it_and_the_verb),
		cmocka_unit_test(bad_values_keep_their_messages),
		cmocka_unit_test(unknown_verb_is_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
