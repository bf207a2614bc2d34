#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end: the fleet's main path with BIND (Debian's bind9) as the RPZ
# primary instead of Knot DNS: node A detects flux-one.example and publishes
# it by TSIG-signed dynamic updates (allow-update with the key), node B
# blocks it within 5 s (BIND sends NOTIFY at once, notify-delay 0), a real
# Unbound loading the zone answers NXDOMAIN for it, and an operator's
# `block del` on A removes it from the zone and from B. The labs, the
# checks and their helpers are those of tests/e2e/test_fleet.sh (its step
# 1, then the delete), which this file runs with FLEET_TEST_PRIMARY=bind.
#
# Run as root; under CI=true a missing prerequisite is a failure.
set -euo pipefail

FLEET_TEST_PRIMARY=bind
FLEET_TEST_MAIN_ONLY=1
# shellcheck source=SCRIPTDIR/test_fleet.sh
source "$(dirname "${BASH_SOURCE[0]}")/test_fleet.sh"
