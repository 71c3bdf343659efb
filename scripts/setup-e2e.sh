#!/usr/bin/env bash
# What the extension's end-to-end test needs, installed if missing: Debian's
# Chromium, the tools code-server's native modules build with, GoogleTest,
# CMake, Meson, Ninja and clang for the test projects (the Testing panel's and burst test's), openssl
# for the signed-wire test's HTTPS certificate, then
# code-server and playwright-core from the npm registry into
# test/e2e/code-server (a package of its own, so the extension stays small).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v g++ >/dev/null || need+=(build-essential)
command -v python3 >/dev/null || need+=(python3)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
[ -f /usr/include/gtest/gtest.h ] || need+=(libgtest-dev)
command -v cmake >/dev/null || need+=(cmake)
# The build systems the interception tests configure projects with, and clang.
command -v ninja >/dev/null || need+=(ninja-build)
command -v meson >/dev/null || need+=(meson)
command -v clang >/dev/null || need+=(clang)
# ccache: Meson puts it in front of the compiler where it is installed, as on most developers' machines; the build bench compares with it.
command -v ccache >/dev/null || need+=(ccache)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

dir=test/e2e/code-server
if [ -x "$dir/node_modules/.bin/code-server" ] && [ -d "$dir/node_modules/playwright-core" ]; then exit 0; fi
# @vscode/ripgrep downloads rg from GitHub in its postinstall; it takes Debian's from its cache instead.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/vscode-ripgrep-cache-1.15.11"
tar czf "$tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg
# As root, code-server's postinstall needs unsafe-perm; node-pty's `npx node-gyp` must not stop at a prompt.
TMPDIR="$tmp" npm_config_unsafe_perm=true npm_config_yes=true npm ci --prefix "$dir" --no-audit --no-fund
