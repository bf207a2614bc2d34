/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every command-line option, in one table (an X-macro, as conf_options.h).
 * No include guard: cli.h makes the option ids and bits from it, and
 * cli_parse.c the parser's table, so they cannot disagree.
 *
 * To add an option, add one line here and name it in the forms of the verbs
 * that take it (cli_verbs.c); parsing, --help, usage messages and the checks
 * in test_cli_options (man page included) follow.
 *
 * FW_CLI_OPT(ID, NAME, LETTER, ARG, KIND, FIELD, HELP)
 *   ID      OPT_ID is its bit in fw_opts.given, CLI_OPT_ID its index
 *   NAME    the long name, without "--"
 *   LETTER  its short option, or 0
 *   ARG     its value as usage shows it ("N", "drop|nxdomain"); NULL: a flag
 *   KIND    how the value is read into FIELD: FLAG (int 1), STRING, ACTION,
 *           MODE, CAPACITY, SOURCE; HELP and VERSION are handled by main
 *   FIELD   the member of struct fw_opts it sets
 *   HELP    one line for --help
 *
 * The order is the order of usage lines and of --help.
 */
FW_CLI_OPT(IFACE, "iface", 0, "IFACE", STRING, iface,
	   "interface to attach to (default: iface in the config file)")
FW_CLI_OPT(MODE, "mode", 0, "native|skb", MODE, mode,
	   "XDP attach mode (default: native, falling back to skb)")
FW_CLI_OPT(EXACT, "exact", 0, NULL, FLAG, exact, "match the name only, not the names below it")
FW_CLI_OPT(ACTION, "action", 0, "drop|nxdomain", ACTION, action,
	   "action of these block rules; with attach and run, the default action")
FW_CLI_OPT(SOURCE, "source", 0, "NAME", SOURCE, source,
	   "the feed the entries belong to (default: manual, or the file name)")
FW_CLI_OPT(FORMAT, "format", 0, "FORMAT", STRING, format,
	   "auto, plain, hosts, rpz or adblock to import; plain or rpz to export")
FW_CLI_OPT(SKIP_INVALID, "skip-invalid", 0, NULL, FLAG, skip_invalid,
	   "import the valid lines of a feed with bad ones, and list the bad ones")
FW_CLI_OPT(CAPACITY, "capacity", 0, "N", CAPACITY, capacity,
	   "most names the maps hold, when they are created (1 to 268435456)")
FW_CLI_OPT(PURGE, "purge", 0, NULL, FLAG, purge, "also remove the maps and move the lists aside")
FW_CLI_OPT(JSON, "json", 0, NULL, FLAG, json, "print JSON")
FW_CLI_OPT(PROM, "prom", 0, NULL, FLAG, prom, "print Prometheus text")
FW_CLI_OPT(SCORE, "score", 0, "fluxwall|holz", STRING, score,
	   "the scorer: fluxwall's, or Holz et al.'s flux score")
FW_CLI_OPT(TRACE, "trace", 0, "NAME", STRING, trace,
	   "print every score of one domain (\"*\": of every domain)")
FW_CLI_OPT(DEFAULTS, "defaults", 0, NULL, FLAG, defaults,
	   "print every setting with its documented default")
FW_CLI_OPT(CONFIG, "config", 0, "FILE", STRING, config,
	   "configuration file (default /etc/fluxwall/fluxwall.conf)")
FW_CLI_OPT(PIN_PATH, "pin-path", 0, "DIR", STRING, pin_path,
	   "bpffs directory of the pinned maps (default /sys/fs/bpf/fluxwall)")
FW_CLI_OPT(STATE_DIR, "state-dir", 0, "DIR", STRING, state_dir,
	   "directory of the state file and the control socket (default /var/lib/fluxwall)")
FW_CLI_OPT(HELP, "help", 'h', NULL, HELP, help, "show the verbs, or one verb's usage, and exit")
FW_CLI_OPT(VERSION, "version", 'V', NULL, VERSION, version, "print the version and exit")
