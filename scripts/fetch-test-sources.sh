#!/usr/bin/env bash
# Fetches the pristine upstream sources of the Debian packages the tests build
# (the .orig tarballs of lua5.4, zlib, tinyxml2, libzstd, cjson, json-c, fribidi, libogg, pixman and yaml-cpp) into test/.data/<package>/.
# Needs root and Debian's package archive: it adds a deb-src entry if none exists.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=test/.data
packages=(lua5.4 zlib tinyxml2 libzstd cjson json-c fribidi libogg pixman yaml-cpp)
need=()
for p in "${packages[@]}"; do [ -d "$dest/$p" ] || need+=("$p"); done
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "fetch-test-sources: run as root (apt-get source needs a deb-src entry), or unpack ${need[*]} into $dest/ by hand" >&2
  exit 1
fi
if ! grep -Eqs '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/*; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
  else
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >> /etc/apt/sources.list
  fi
  apt-get update -qq
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One package at a time, newest version first: a mirror may list a security
# update whose files it does not serve, and every version of a package shares
# the upstream tarball these tests want.
# Only the .orig tarball is used: a mirror missing the Debian diff still serves.
have_orig() { ls "$work"/"$1"_*.orig.tar.* >/dev/null 2>&1; }
fetch() {
  local p=$1 v
  (cd "$work" && apt-get source --download-only -qq "$p" >/dev/null 2>&1) || have_orig "$p" && return 0
  for v in $(apt-cache showsrc "$p" 2>/dev/null | sed -n 's/^Version: //p' | sort -rV); do
    (cd "$work" && apt-get source --download-only -qq "$p=$v" >/dev/null 2>&1) || have_orig "$p" && return 0
  done
  return 1
}
for p in "${need[@]}"; do
  fetch "$p" || { apt-get update -qq && fetch "$p"; } || { echo "fetch-test-sources: apt-get source $p failed (no version of it could be downloaded)" >&2; exit 1; }
done
mkdir -p "$dest"
for p in "${need[@]}"; do
  tarball=$(ls "$work"/"${p}"_*.orig.tar.* | head -n 1)
  mkdir -p "$dest/$p.tmp"
  tar -xf "$tarball" -C "$dest/$p.tmp" --strip-components=1
  mv "$dest/$p.tmp" "$dest/$p"
done
