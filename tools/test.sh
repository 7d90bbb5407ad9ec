#!/usr/bin/env bash
# Runs every test project in Release (the end-to-end training test needs optimized code)
# and ends with one summary line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
dotnet test DeepSharp.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
echo "${passed:-0} passed, ${failed:-0} failed"
rm -f "$log"
exit "$status"
