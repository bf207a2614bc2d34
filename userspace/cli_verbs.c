// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The verbs, each with the forms it is called in and the options of each
 * form. Usage, --help and which options a verb accepts all come from here.
 */
#include "cli.h"

const struct fw_verb fw_verbs[] = {
    {"attach",
     cmd_attach,
     "attach the XDP program to an interface",
     {{.args = "IFACE", .opts = OPT_MODE | OPT_ACTION | OPT_CAPACITY}}},
    {"detach",
     cmd_detach,
     "detach it, or remove the maps too",
     {{.args = "IFACE", .opts = OPT_PURGE}, {.args = "", .need = OPT_PURGE}}},
    {"status", cmd_status, "interfaces, maps and counters", {{.args = "", .opts = OPT_JSON}}},
    {"block",
     cmd_block,
     "edit, import and export the block list",
     {{.args = "add NAME...", .opts = OPT_EXACT | OPT_ACTION | OPT_SOURCE | OPT_CAPACITY},
      {.args = "del NAME...", .opts = OPT_EXACT | OPT_SOURCE},
      {.args = "del", .need = OPT_SOURCE},
      {.args = "list", .opts = OPT_JSON},
      {.args = "import FILE|-",
       .opts = OPT_FORMAT | OPT_SOURCE | OPT_EXACT | OPT_ACTION | OPT_SKIP_INVALID | OPT_CAPACITY},
      {.args = "export", .opts = OPT_FORMAT}}},
    {"allow",
     cmd_allow,
     "edit the allowlist, which wins over every block rule",
     {{.args = "add NAME...", .opts = OPT_EXACT | OPT_SOURCE | OPT_CAPACITY},
      {.args = "del NAME...", .opts = OPT_EXACT | OPT_SOURCE},
      {.args = "del", .need = OPT_SOURCE},
      {.args = "list", .opts = OPT_JSON}}},
    {"ports",
     cmd_ports,
     "the DNS source ports filtered",
     {{.args = "list", .opts = OPT_JSON}, {.args = "add|del PORT...", .opts = OPT_JSON}}},
    {"run",
     cmd_run,
     "the daemon: samples, scores, auto-blocks",
     {{.args = "", .opts = OPT_IFACE | OPT_CONFIG | OPT_MODE | OPT_ACTION | OPT_CAPACITY}}},
    {"replay",
     cmd_replay,
     "a capture through the real XDP program, offline",
     {{.args = "FILE.pcap", .opts = OPT_JSON | OPT_SCORE | OPT_TRACE}}},
    {"explain",
     cmd_explain,
     "why the daemon scores a domain as it does",
     {{.args = "NAME", .opts = OPT_JSON}}},
    {"stats", cmd_stats, "the metrics, once", {{.args = "", .opts = OPT_PROM | OPT_JSON}}},
    {"top", cmd_top, "the highest-scoring domains, live", {{.args = ""}}},
    {"config",
     cmd_config,
     "the settings in effect, or every default",
     {{.args = "", .opts = OPT_DEFAULTS}}},
};

const size_t fw_nverbs = sizeof(fw_verbs) / sizeof(fw_verbs[0]);
