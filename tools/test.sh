#!/usr/bin/env bash
# Runs every test project in Release (the end-to-end training test needs optimized code), then the docs and
# examples as tests (tools/DocTests: every ```csharp/```bash block of README.md and docs/*.md, every examples/
# project in its smoke setting), and ends with one summary line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
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
