#!/usr/bin/env bash
# Installs everything Fester and its tests need on a fresh Debian machine, then builds Fester.
# Safe to run again: Debian packages are installed only when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the host toolchain, the cross toolchains and qemu-user for the cross
# targets, tools the tests use (prometheus/promtool: metrics and alert-rule tests), and peers
# the benchmarks compare with.
packages=(gcc g++ make binutils procps bsdutils ccache ninja-build
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi qemu-user
  btrfs-progs qemu-utils prometheus openssl bubblewrap distcc
  bazel-bootstrap
  chromium cockpit-ws cockpit-bridge)
need=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# npm packages exactly as locked, then the TypeScript build.
npm ci --no-audit --no-fund
npm run build
echo "fester is ready: node packages/cli/dist/bin.js --help"
