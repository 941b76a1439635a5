#!/bin/sh
# Installs clm from a build tree into a temporary prefix, then builds and
# runs a tiny outside project against it twice: with CMake's
# find_package(clm) and with pkg-config.
# Usage: run.sh BUILD_DIR WORK_DIR
set -eu
build="$1"
work="$2"
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"

# 1. CMake package.
cmake -S "$here/consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log"
cmake --build "$work/cmake-build" > "$work/build.log"
LD_LIBRARY_PATH="$prefix/lib:${LD_LIBRARY_PATH:-}" "$work/cmake-build/consumer"

# 2. pkg-config.
libdir=$(ls -d "$prefix"/lib*/pkgconfig | head -n 1)
export PKG_CONFIG_PATH="$libdir"
cc -std=c99 -Wall -Wextra -Werror -pedantic "$here/consumer/main.c" -o "$work/consumer-pc" $(pkg-config --cflags --libs clm)
LD_LIBRARY_PATH="$prefix/lib:${LD_LIBRARY_PATH:-}" "$work/consumer-pc"
[ "$(pkg-config --modversion clm)" = "$(LD_LIBRARY_PATH="$prefix/lib" "$work/consumer-pc" | sed -n 's/^version //p')" ]
echo "ok: find_package(clm) and pkg-config consumers built and ran"
