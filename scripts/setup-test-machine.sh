#!/usr/bin/env bash
# What the integration and end-to-end tests need, installed if missing (the
# unit tests need only Node: npm run test:unit). Run by `npm test` before
# those tiers, and by .ci/run; run it by hand, as root, on a new machine.
# - Debian packages: the compilers, build systems and binutils the tests build
#   real projects with (gcc, g++, clang, make, CMake, Meson, Ninja, ccache,
#   pkg-config, GoogleTest), unshare for --isolate, unzip and openssl for the
#   Lambda and signed-wire tests, Chromium and what code-server's native
#   modules build with;
# - the pristine upstream sources of the Debian packages the tests build
#   (scripts/fetch-test-sources.sh);
# - code-server and playwright-core from the npm registry into
#   test/e2e/code-server (a package of its own, so the extension stays small).
# Not root and something missing: it names what is missing and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in gcc:gcc g++:g++ make:make unshare:util-linux unzip:unzip openssl:openssl cmake:cmake ninja:ninja-build meson:meson clang:clang \
  pkg-config:pkg-config ccache:ccache chromium:chromium rg:ripgrep python3:python3; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
done
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
[ -f /usr/include/gtest/gtest.h ] || need+=(libgtest-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-test-machine: missing Debian packages: ${need[*]}; install them (as root: bash scripts/setup-test-machine.sh), or run only the unit tests (npm run test:unit)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

bash scripts/fetch-test-sources.sh

dir=test/e2e/code-server
if [ -x "$dir/node_modules/.bin/code-server" ] && [ -d "$dir/node_modules/playwright-core" ]; then exit 0; fi
# @vscode/ripgrep downloads rg from GitHub in its postinstall; it takes Debian's from its cache instead.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/vscode-ripgrep-cache-1.15.11"
tar czf "$tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg
# As root, code-server's postinstall needs unsafe-perm; node-pty's `npx node-gyp` must not stop at a prompt.
TMPDIR="$tmp" npm_config_unsafe_perm=true npm_config_yes=true npm ci --prefix "$dir" --no-audit --no-fund
