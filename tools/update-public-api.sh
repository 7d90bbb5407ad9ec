#!/usr/bin/env bash
# Regenerates the public API baseline of the two library packages (src/DeepSharp, src/DeepSharp.Vision, src/DeepSharp.Distributed, src/DeepSharp.Gpu):
# PublicAPI.Unshipped.txt is rewritten from the code as it is now (Microsoft.CodeAnalysis.PublicApiAnalyzers'
# own code fix for RS0016, applied by `dotnet format analyzers`); PublicAPI.Shipped.txt is left alone (it holds
# what a published release had: move the Unshipped lines there when a version ships).
# Run it after changing the public surface, then review `git diff -- '*PublicAPI*'` and commit.
# Local builds only warn (RS0016 new public symbol not in the baseline, RS0017 baseline symbol gone);
# CI builds (CI=true) treat them as errors.
# Usage: bash tools/update-public-api.sh        (unattended; exits non-zero if the baseline is still off)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

# If anything fails half-way, put the previous baseline back rather than leave an emptied one.
backup=$(mktemp -d)
for project in src/DeepSharp src/DeepSharp.Vision src/DeepSharp.Distributed src/DeepSharp.Gpu; do
  mkdir -p "$backup/$project"; cp "$project"/PublicAPI.*.txt "$backup/$project/" 2>/dev/null || true
done
restore() {
  echo "update-public-api: FAILED; the previous PublicAPI files are restored"
  for project in src/DeepSharp src/DeepSharp.Vision src/DeepSharp.Distributed src/DeepSharp.Gpu; do cp "$backup/$project"/PublicAPI.*.txt "$project/" 2>/dev/null || true; done
}
trap 'status=$?; [ $status -eq 0 ] || restore; rm -rf "$backup"; exit $status' EXIT

for project in src/DeepSharp src/DeepSharp.Vision src/DeepSharp.Distributed src/DeepSharp.Gpu; do
  [ -f "$project/PublicAPI.Shipped.txt" ] || printf '#nullable enable\n' > "$project/PublicAPI.Shipped.txt"
  # Start Unshipped from nothing, so symbols that were removed or renamed drop out too.
  printf '#nullable enable\n' > "$project/PublicAPI.Unshipped.txt"
  name=$(basename "$project")
  echo "update-public-api: $project"
  dotnet restore "$project/$name.csproj" -v:q
  # RS0016: add every public symbol that is not declared; RS0036/RS0037: nullable annotations of those lines.
  dotnet format analyzers "$project/$name.csproj" --no-restore --diagnostics RS0016 RS0036 RS0037 --severity info -v:q
  lines=$(grep -vc '^#' "$project/PublicAPI.Unshipped.txt" || true)
  echo "  $project/PublicAPI.Unshipped.txt: $lines symbols"
done

trap - EXIT; rm -rf "$backup"   # regenerated: from here on the new files stay, even if the check below complains

# The check: a build that reports no RS00xx left (other warnings are not this script's business).
log=$(mktemp)
dotnet build src/DeepSharp.Vision/DeepSharp.Vision.csproj -c Release --no-incremental -v:q -clp:NoSummary > "$log" 2>&1 || true
if grep -E 'warning RS00|error RS00' "$log" | sort -u | head -20 | grep .; then
  echo "update-public-api: FAILED: the analyzers still report the lines above"; rm -f "$log"; exit 1
fi
if grep -E ' error ' "$log" | head -5 | grep .; then
  echo "update-public-api: FAILED: the build has errors"; rm -f "$log"; exit 1
fi
rm -f "$log"

# Every public type should have a <summary> (CS1591 is off for members): list the ones the XML docs lack.
for project in src/DeepSharp src/DeepSharp.Vision src/DeepSharp.Distributed src/DeepSharp.Gpu; do
  name=$(basename "$project")
  xml="$project/bin/Release/net10.0/$name.xml"
  [ -f "$xml" ] || continue
  missing=$(comm -23 \
    <(grep -vE '\(|->|^#' "$project/PublicAPI.Unshipped.txt" "$project/PublicAPI.Shipped.txt" -h \
        | sed -E 's/^(static |sealed |abstract |override |virtual |readonly )+//; s/<.*//' | sort -u) \
    <(grep -oE 'name="T:[^"]+"' "$xml" | sed -E 's/name="T:([^"]+)"/\1/; s/`[0-9]+//' | sort -u))
  [ -z "$missing" ] || { echo "update-public-api: public types in $name without a <summary>:"; sed 's/^/  /' <<<"$missing"; }
done
echo "update-public-api: OK (git diff -- '*PublicAPI*' shows the change)"
