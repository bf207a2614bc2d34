/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every option of /etc/fluxwall/fluxwall.conf, in one table (an X-macro).
 * No include guard: conf.h and conf.c include this file several times with
 * different definitions of FW_OPT, to make the struct fw_conf field, the
 * parser's table row and the documented default from the same line.
 *
 * To add an option, add one FW_OPT line in the right section; the field
 * conf->KEY appears, the parser accepts KEY, and `fluxwall config
 * --defaults` and contrib/fluxwall.conf document it (regenerate the latter;
 * test_conf fails until you do).
 *
 * FW_OPT(KEY, TYPE, DEFAULT, MIN, MAX, CHOICES, HELP)
 *   TYPE      STRING, PATH, UINT, DOUBLE, DURATION, BOOL, ENUM, PORTS, ADDRS
 *   DEFAULT   text, parsed like a value from the file
 *   MIN, MAX  UINT and DOUBLE: the value; DURATION: seconds; STRING and
 *             PATH: length (MIN 0 lets the value be empty, which disables
 *             the feature); PORTS and ADDRS: number of entries
 *   CHOICES   ENUM: "a|b|c"; PATH: extra literal values accepted besides
 *             absolute paths ("-" for stdout); otherwise ""
 *   HELP      sentences, '\n' separated lines, for the config file comments
 */
#ifndef FW_OPT_SECTION
#define FW_OPT_SECTION(title)
#endif

FW_OPT_SECTION("Data path")
FW_OPT(pin_path, PATH, "/sys/fs/bpf/fluxwall", 1, 4095, "",
       "Directory in the BPF filesystem where the maps are pinned.\n"
       "The environment variable FLUXWALL_PIN_PATH overrides it.")
FW_OPT(capacity, UINT, "1048576", 1, 16777216, "",
       "Most block and allow rules the maps hold. Read when the maps are created;\n"
       "changing it later needs `fluxwall detach --purge` and a new attach.")
FW_OPT(default_action, ENUM, "drop", 0, 0, "drop|nxdomain",
       "What a block rule without its own action does to a response: drop it,\n"
       "or rewrite it to NXDOMAIN so that clients fail at once instead of retrying.")
FW_OPT(dns_ports, PORTS, "53", 1, 64, "",
       "Source ports of the DNS responses to filter, separated by commas.")
FW_OPT(iface, STRING, "", 0, 15, "",
       "Interface `fluxwall run` attaches to when --iface is not given.")
FW_OPT(mode, ENUM, "auto", 0, 0, "auto|native|skb",
       "XDP attach mode: native (in the driver), skb (generic, slower, works\n"
       "everywhere) or auto (native, falling back to skb).")

FW_OPT_SECTION("State")
FW_OPT(state_dir, PATH, "/var/lib/fluxwall", 1, 4095, "",
       "Directory of the state file that keeps every rule across reboots.\n"
       "The environment variable FLUXWALL_STATE_DIR overrides it.")

FW_OPT_SECTION("Metrics and events")
FW_OPT(textfile_dir, PATH, "/var/lib/prometheus/node-exporter", 0, 4095, "",
       "Directory of the node-exporter textfile collector; `fluxwall run` writes\n"
       "fluxwall.prom there. Empty: no metrics file.")
FW_OPT(textfile_interval, DURATION, "15s", 1, 3600, "",
       "How often `fluxwall run` rewrites fluxwall.prom.")
FW_OPT(event_log, PATH, "/var/log/fluxwall/events.jsonl", 0, 4095, "-",
       "JSON-lines log of every block, unblock, expiry and alert, reopened on SIGHUP.\n"
       "\"-\" writes to stdout (the journal under systemd). Empty: no event log.")

FW_OPT_SECTION("Detection")
FW_OPT(sample_interval, DURATION, "60s", 1, 86400, "",
       "An unchanged answer set is sampled again at most this often per domain.")
FW_OPT(trusted_resolvers, ADDRS, "", 0, 64, "",
       "Addresses (or prefixes like 192.0.2.0/24) of the resolvers whose responses\n"
       "feed the scorer, separated by commas. Empty: every response does.")
FW_OPT(geo_asn_db, PATH, "/var/lib/fluxwall/geo/asn.mmdb", 0, 4095, "",
       "MaxMind DB with autonomous system numbers (GeoLite2-ASN or compatible).\n"
       "Empty or missing: features that need it are left out.")
FW_OPT(geo_country_db, PATH, "/var/lib/fluxwall/geo/country.mmdb", 0, 4095, "",
       "MaxMind DB with countries (GeoLite2-Country or ip-location-db).")
FW_OPT(geo_city_db, PATH, "/var/lib/fluxwall/geo/city.mmdb", 0, 4095, "",
       "MaxMind DB with coordinates (GeoLite2-City or ip-location-db), for the\n"
       "geographic spread feature.")
FW_OPT(max_domains, UINT, "200000", 1, 100000000, "",
       "Most domains tracked at once; the least recently seen is evicted first.")
FW_OPT(window, DURATION, "1h", 60, 604800, "",
       "Sliding window over which per-domain features are counted.")
FW_OPT(max_addresses, UINT, "1048576", 16, 268435456, "",
       "Most answer addresses the flux-network index holds (40 bytes each); the\n"
       "least recently seen is evicted first.")

FW_OPT_SECTION("Score (docs/detection.md explains each weight)")
#define FW_SCORE_PARAM(name, def, min, max, help)                                                  \
	FW_OPT(score_##name, DOUBLE, #def, min, max, "", help)
#include "formats/score_params.h"
#undef FW_SCORE_PARAM

FW_OPT_SECTION("Auto-block")
FW_OPT(auto_block, BOOL, "true", 0, 0, "",
       "Block domains the scorer finds fluxing. false: log and alert only.")
FW_OPT(auto_expiry, DURATION, "24h", 5, 31536000, "",
       "How long an auto entry lives; refreshed while the domain keeps fluxing.")
FW_OPT(auto_max_per_minute, UINT, "10", 0, 100000, "",
       "Most new auto-blocks per minute; past it fluxwall alerts instead of blocking.")
FW_OPT(protected_list, PATH, "", 0, 4095, "",
       "Names that are never auto-blocked, one per line (popular domains).\n"
       "Empty: the top-500 list shipped with fluxwall (protected-domains.txt).")

FW_OPT_SECTION("Fleet (docs/fleet.md): sharing detections through RPZ on a DNS primary")
FW_OPT(node_name, STRING, "", 0, 63, "",
       "This node's name in the fleet zone's TXT records. Empty: the host name.")
FW_OPT(fleet_keys, PATH, "", 0, 4095, "",
       "TSIG keys, one ALGORITHM:NAME:SECRET line each (the form of kdig -y),\n"
       "mode 600. Empty: updates and transfers are not signed.")
FW_OPT(publish_zone, STRING, "", 0, 253, "",
       "RPZ zone that `fluxwall run` publishes its auto-blocks to, by dynamic\n"
       "updates. Empty: nothing is published.")
FW_OPT(publish_primary, STRING, "", 0, 80, "",
       "Address[:port] of the primary that takes the updates, such as 192.0.2.1:53.")
FW_OPT(publish_key, STRING, "", 0, 253, "",
       "Name of the key in fleet_keys that signs the updates.")
FW_OPT(subscribe, STRING, "", 0, 4000, "",
       "RPZ zones to enforce, comma-separated ZONE@ADDRESS[:PORT][/KEY]; AXFR\n"
       "first, then IXFR on NOTIFY and on the SOA refresh timer. Empty: none.")
FW_OPT(notify_listen, STRING, "", 0, 80, "",
       "Address:port where `fluxwall run` takes NOTIFY from the primaries, over UDP\n"
       "and TCP. Empty: subscriptions follow the SOA refresh timer only.")
FW_OPT(subscribe_refresh_max, DURATION, "1h", 1, 86400, "",
       "Longest wait between two checks of a subscribed zone (its SOA refresh\n"
       "is used when shorter).")
FW_OPT(subscribe_max_records, UINT, "4000000", 1, 100000000, "",
       "A subscribed zone with more records is refused whole; the last version\n"
       "stays in force.")

#undef FW_OPT_SECTION
