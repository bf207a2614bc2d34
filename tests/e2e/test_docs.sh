#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The man page cannot drift from the CLI: docs/fluxwall.8 renders without
# warnings, documents every verb and subcommand that `fluxwall --help`
# lists, every option the help mentions, and every key of `fluxwall config
# --defaults`; and it documents no option the CLI does not have. Needs no
# root and no lab.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_begin "e2e docs"

FLUXWALL=${FLUXWALL:-$E2E_REPO/build/fluxwall}
MAN=$E2E_REPO/docs/fluxwall.8
for c in man groff; do
	command -v "$c" >/dev/null 2>&1 || e2e_skip_or_fail "missing command: $c"
done
[[ -x $FLUXWALL ]] || e2e_skip_or_fail "$FLUXWALL is not built (make)"
[[ -f $MAN ]] || e2e_skip_or_fail "missing $MAN"

help=$("$FLUXWALL" --help)
# The man source with groff's escaped hyphens made plain.
src=$(sed 's/\\-/-/g' "$MAN")

warn=$(groff -man -ww -z "$MAN" 2>&1 || true)
check_eq "groff -man -ww renders docs/fluxwall.8 without warnings" "" "$warn"
check_match "man -l renders the NAME section" "*fluxwall*XDP filter against fast-flux DNS*" \
	"$(MANWIDTH=100 man -l "$MAN" 2>/dev/null | head -n 8 | tr '\n' ' ')"
for section in NAME SYNOPSIS DESCRIPTION VERBS "GLOBAL OPTIONS" CONFIGURATION ENVIRONMENT \
	FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	check "section $section" grep -qx "\.SH \"\{0,1\}$section\"\{0,1\}" "$MAN"
done

# --- verbs and subcommands ----------------------------------------------------------
verbs=$(sed -n 's/^  fluxwall \([a-z]*\).*/\1/p' <<<"$help")
check_gt "fluxwall --help lists verbs" "$(wc -l <<<"$verbs")" 5
for v in $verbs; do
	check "verb '$v' has a .SS heading" grep -q "^\.SS \"$v\( \|\"\)" <<<"$src"
done
# every "VERB SUB" pair in the help: block add, allow list, ports del...
while read -r line; do
	v=$(awk '{ print $2 }' <<<"$line")
	for sub in $(grep -oE "(^|\| )(fluxwall )?$v [a-z]+(\|[a-z]+)*" <<<"$line" |
		awk '{ print $NF }' | tr '|' '\n' | sort -u); do
		[[ $sub =~ ^[a-z]+$ ]] || continue
		check "subcommand '$v $sub' is documented" grep -qE "^\.SS \"$v ([^\"]*\| *)?$sub|^\.SS \".*\| $v $sub|^\.SS \"$v [a-z]+\|$sub" <<<"$src"
	done
done < <(grep '^  fluxwall ' <<<"$help")

# --- options -------------------------------------------------------------------------
help_opts=$(grep -oE -- '--[a-z][a-z-]*' <<<"$help" | sort -u)
for o in $help_opts; do
	check "option $o from --help is documented" grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" <<<"$src"
done
# and the other way: the page documents no option the CLI lacks
man_opts=$(grep -oE -- '(^|[ "(\[|])--[a-z][a-z-]*' <<<"$src" | grep -oE -- '--[a-z-]+' | sort -u)
for o in $man_opts; do
	case $o in
	--help | --version) known=$("$FLUXWALL" "$o" >/dev/null 2>&1 && echo yes || echo no) ;;
	*) known=$(grep -qx -- "$o" <<<"$help_opts" && echo yes || echo no) ;;
	esac
	check_eq "option $o in the man page exists in the CLI" yes "$known"
done

# --- configuration keys ------------------------------------------------------------
if keys=$("$FLUXWALL" config --defaults 2>/dev/null | sed -n 's/^\([a-z_][a-z0-9_]*\) *=.*/\1/p') &&
	[[ -n $keys ]]; then
	for k in $keys; do
		check "config key '$k' is documented" grep -qE "^\.(B|BR|TP) .*\b$k\b|^\.B $k$" <<<"$src"
	done
else
	e2e_not_ok "fluxwall config --defaults lists the config keys"
fi

# --- environment ---------------------------------------------------------------------
for e in FLUXWALL_PIN_PATH FLUXWALL_STATE_DIR FLUXWALL_DEBUG; do
	check "environment $e is documented" grep -q "^\.B $e$" "$MAN"
	check "environment $e is read by fluxwall" grep -rqF "\"$e\"" "$E2E_REPO/userspace"
done

e2e_end
