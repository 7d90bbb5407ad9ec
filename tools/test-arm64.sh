#!/usr/bin/env bash
# Runs the kernel tests (tests/DeepSharp.KernelTests: Compute, the Ops fast paths, Winograd, the CPU backend against the reference backend, the optimizers' vector
# updates; small shapes) as a self-contained linux-arm64 program under QEMU user-mode emulation, so the ARM64 paths
# (AdvSimd: the Kernel128 GEMM micro-kernel, the 128-bit vector kernels) are tested, not just compiled.
# Installs what it needs (qemu-user-static, arm64 multiarch libc/libstdc++/libssl/zlib; root), publishes, runs, and
# exits non-zero when a test fails. Recipe: ../shared/notes/arm64.md. Emulation is 12-40x slower than native.
# Usage: bash tools/test-arm64.sh [filter substrings passed to the runner]
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
dpkg -s qemu-user-static >/dev/null 2>&1 || need+=(qemu-user-static)
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  as_root dpkg --add-architecture arm64
  updated=0
else
  updated=1
fi
for pkg in libc6:arm64 libstdc++6:arm64 libssl3:arm64 zlib1g:arm64; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ] || [ "$updated" = 0 ]; then
  as_root apt-get update -q
  [ ${#need[@]} -gt 0 ] && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi

out=tests/DeepSharp.KernelTests/bin/arm64
dotnet publish tests/DeepSharp.KernelTests/DeepSharp.KernelTests.csproj -c Release -r linux-arm64 --self-contained true \
  -p:UseAppHost=true -o "$out" -nologo -v quiet
# ELF e_machine (bytes 18-19) is 0xb7 for AArch64.
[ "$(od -An -tx1 -j18 -N2 "$out/DeepSharp.KernelTests" | tr -d ' ')" = b700 ] \
  || { echo "test-arm64: $out/DeepSharp.KernelTests is not an arm64 executable"; exit 1; }

# The runner prints ProcessArchitecture and the vector paths first, one line per test, then "N passed, M failed";
# its exit code is 1 on any failure.
# Tiered compilation off: fully optimized code from the start ran the tests 2.8x faster under emulation (134 s
# against 375 s), since the hot loops never run as unoptimized tier-0 code.
export DOTNET_TieredCompilation=0
# Only the widths ARM64 accelerates (software Vector256/512 under emulation would take most of the time), and not
# the one large-shape case (Winograd over many tile chunks), which the native runs cover.
DEEPSHARP_TEST_EMULATED_WIDTHS=0 qemu-aarch64-static "$out/DeepSharp.KernelTests" -ManyTileChunks "$@"
