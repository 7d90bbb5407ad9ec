#!/usr/bin/env bash
# Runs the GPU backend's tests (tests/DeepSharp.Gpu.Tests: every kernel against the reference backend, the device and
# its copies) on a real CUDA device: the same tests CI runs on ILGPU's CPU accelerator, with DEEPSHARP_GPU_TESTS=cuda.
# Usage:
#   bash tools/test-gpu.sh [FILTER...]   on a machine with an NVIDIA GPU: builds the tests with .NET and runs them there;
#                                        without .NET, runs out/gpu-tests.tar.xz (see --publish) instead
#   bash tools/test-gpu.sh --publish     writes out/gpu-tests.tar.xz: the tests as one self-contained linux-x64 program
#                                        (no .NET needed; ILGPU needs only the NVIDIA driver) to carry to a GPU machine
# FILTER: substrings of "Class.Method" (e.g. Conv2D). On a machine without a CUDA device it says so and exits 3,
# having run nothing (a skip is not a pass).
set -euo pipefail
cd "$(dirname "$0")/.."
archive=out/gpu-tests.tar.xz

if [ "${1:-}" = "--publish" ]; then
  rm -rf out/gpu-tests && mkdir -p out
  dotnet publish tests/DeepSharp.Gpu.Tests -c Release -r linux-x64 --self-contained true -m:1 -o out/gpu-tests --nologo -v:q
  tar -C out -cJf "$archive" gpu-tests
  echo "test-gpu: wrote $archive ($(du -h "$archive" | cut -f1)); on the GPU machine, in a checkout with it: bash tools/test-gpu.sh"
  exit 0
fi

if ! ls /dev/nvidia[0-9]* >/dev/null 2>&1; then
  echo "test-gpu: no NVIDIA GPU on this machine (no /dev/nvidia0: no GPU or no NVIDIA driver), so nothing was run."
  echo "test-gpu: here the same tests run on ILGPU's CPU accelerator: dotnet test tests/DeepSharp.Gpu.Tests -c Release"
  exit 3
fi
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/test-gpu: GPU: /'

export DEEPSHARP_GPU_TESTS=cuda
if command -v dotnet >/dev/null 2>&1; then
  dotnet build tests/DeepSharp.Gpu.Tests -c Release -m:1 --nologo -v:q
  exec dotnet tests/DeepSharp.Gpu.Tests/bin/Release/net10.0/DeepSharp.Gpu.Tests.dll "$@"
fi
[ -f "$archive" ] || { echo "test-gpu: no .NET here and no $archive: make it with 'bash tools/test-gpu.sh --publish' on a machine with .NET and carry it over." >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/deepsharp-gpu-tests.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xJf "$archive"
"$work/gpu-tests/DeepSharp.Gpu.Tests" "$@"
