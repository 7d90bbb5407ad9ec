#!/usr/bin/env bash
# Runs the kernel tests (Compute, Optimizers, and Backends: the CPU backend against the reference backend) and the tests of
# everything that calls them against PyTorch goldens and finite differences (Layers, Losses, Metrics, Regularizers, the
# activation names, the Ops facade) under the .NET runtime's SIMD knobs, so the narrower vector paths
# are tested on any x64 machine: DOTNET_EnableAVX512=0 (.NET 10's name; only where the CPU has AVX-512),
# DOTNET_EnableAVX2=0 (Vector128 only: what ARM64 NEON and SSE-only machines get) and DOTNET_EnableHWIntrinsic=0
# (no SIMD: the scalar loops). Each run first prints the vector paths in effect and fails if the knob did not
# take effect. Expects a Release build (tools/test.sh builds one). Ends with one line per knob and exits non-zero
# on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

knobs=(DOTNET_EnableAVX2=0 DOTNET_EnableHWIntrinsic=0)
grep -qw avx512f /proc/cpuinfo 2>/dev/null && knobs=(DOTNET_EnableAVX512=0 "${knobs[@]}")

for project in tests/DeepSharp.KernelTests tests/DeepSharp.Tests; do
  dotnet build "$project" -c Release -nologo -v quiet >/dev/null || { echo "test-knobs: build of $project failed"; exit 1; }
done
summary=() status=0
for knob in "${knobs[@]}"; do
  echo "== $knob"
  log=$(mktemp)
  env "$knob" dotnet tests/DeepSharp.KernelTests/bin/Release/net10.0/DeepSharp.KernelTests.dll --paths || status=1
  env "$knob" dotnet test tests/DeepSharp.Tests -c Release --no-build \
    --filter "FullyQualifiedName~DeepSharp.Tests.Compute|FullyQualifiedName~DeepSharp.Tests.Optimizers|FullyQualifiedName~DeepSharp.Tests.Backends|FullyQualifiedName~DeepSharp.Tests.Layers|FullyQualifiedName~DeepSharp.Tests.Losses|FullyQualifiedName~DeepSharp.Tests.Metrics|FullyQualifiedName~DeepSharp.Tests.Regularizers|FullyQualifiedName~DeepSharp.Tests.ActivationNames|FullyQualifiedName~DeepSharp.Tests.Ops" 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
  passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
  failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
  summary+=("$knob: $passed passed, $failed failed")
  rm -f "$log"
done
printf '%s\n' "${summary[@]}"
exit $status
