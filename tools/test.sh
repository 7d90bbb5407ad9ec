#!/usr/bin/env bash
# Runs every test project in Release (the end-to-end training test needs optimized code), then the docs and
# examples as tests (tools/DocTests: every ```csharp/```bash block of README.md and docs/*.md, every examples/
# project in its smoke setting), and ends with one summary line "N passed, N failed".
# First it checks the Debian packages the tests read and installs the missing ones when it can (as root, with apt-get);
# otherwise it stops before building anything and prints the one apt-get line to run. `--install-only` stops after that
# step (.ci/run uses it before tools/pack-check.sh, so the list lives here only).
set -uo pipefail
cd "$(dirname "$0")/.."

# The Debian packages the tests use: the Fashion-MNIST files (real MNIST-format data), the fonts ScottPlot draws its
# text with, the ONNX project's node tests (the ONNX import's conformance cases), python3-onnx (onnx.checker judges
# every file SaveOnnx writes in the tests), openmpi-bin (mpirun: the distributed tests run two real ranks) and
# python3-pil (Pillow: docs/visualization.md's make_shapes.py, run by the doc tests).
packages=(dataset-fashion-mnist fonts-dejavu-core libonnx-testdata python3-onnx openmpi-bin python3-pil)
if ! command -v dpkg >/dev/null 2>&1; then
  echo "tools/test.sh: this is not a Debian-like system (no dpkg); the tests read files from these Debian packages: ${packages[*]}." >&2
  echo "tools/test.sh: install their equivalents, then run again with DEEPSHARP_TEST_DEPS=skip." >&2
  [ "${DEEPSHARP_TEST_DEPS:-}" = "skip" ] || exit 1
else
  need=()
  for pkg in "${packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
      echo "tools/test.sh: installing the Debian packages the tests need: ${need[*]}"
      apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" || {
        echo "tools/test.sh: apt-get could not install ${need[*]}; the tests would fail without them." >&2; exit 1; }
    else
      echo "tools/test.sh: the tests need Debian packages that are not installed: ${need[*]}. Install them, then run again:" >&2
      echo "  sudo apt-get install -y ${need[*]}" >&2
      exit 1
    fi
  fi
fi
[ "${1:-}" = "--install-only" ] && exit 0

log=$(mktemp)
dotnet test DeepSharp.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
# The docs and examples (dotnet test builds only the test projects and what they reference, so the runner is built here;
# it builds the examples, in one build, and the docs' C# blocks, in one project).
dotnet run -c Release --project tools/DocTests -- ${DOCTESTS_ARGS:-} 2>&1 | tee "$log"
doc_status=${PIPESTATUS[0]}
[ "$doc_status" -eq 0 ] || status=$doc_status
doc=$(grep -E '^doc tests: ' "$log" | tail -1)
doc_passed=$(sed -nE 's/^doc tests: ([0-9]+) passed.*/\1/p' <<<"$doc")
doc_failed=$(sed -nE 's/^doc tests: .* ([0-9]+) failed.*/\1/p' <<<"$doc")
passed=$((passed + ${doc_passed:-0}))
failed=$((failed + ${doc_failed:-0}))
[ -n "$doc" ] || failed=$((failed + 1))   # the runner itself did not report
echo "${passed:-0} passed, ${failed:-0} failed"
rm -f "$log"
exit "$status"
