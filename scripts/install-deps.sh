#!/bin/sh
# Installs, from Debian's packages, whatever clm needs that is missing.
# Idempotent: does nothing (and no network) when everything is there.
# Usage: scripts/install-deps.sh   (run as root, or with sudo)
# chromium (and a font for it) is for the HTML report's browser test,
# tests/report; --with-browser, once needed for it, is still accepted. php-cli
# (with its FFI extension) runs the PHP binding's tests and example.
set -eu
packages="cmake make g++ gcc pkg-config binutils python3 libboost-graph-dev libboost-date-time-dev
libmsgsl-dev catch2 nlohmann-json3-dev libbenchmark-dev doxygen graphviz luajit php-cli abigail-tools libsqlite3-dev
chromium fonts-liberation python3-distributed"
missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    exit 0
fi
echo "clm: installing missing packages:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
