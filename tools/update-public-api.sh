#!/usr/bin/env bash
# Brings the public API baselines of the library packages (src/DeepSharp, src/DeepSharp.Vision, src/DeepSharp.Distributed,
# src/DeepSharp.Gpu) up to date with the code. It builds them, reads the analyzers' own findings and edits
# PublicAPI.Unshipped.txt to match:
#   RS0016 "Symbol 'S' is not part of the declared public API"  -> the line S is added;
#   RS0017 "Symbol 'S' is part of the declared API, but is either not public or could not be found"
#                                                               -> S is deleted from Unshipped, or, if a release shipped it
#                                                                  (PublicAPI.Shipped.txt), "*REMOVED*S" is added.
# The symbol text is the analyzer's, nullable annotations included, so the lines are exactly what it expects.
# (Until 2026-12-08 this script emptied Unshipped and let `dotnet format analyzers` regenerate it; that code fix
# silently wrote nothing for three of the four projects, and a pipefail slip let the final check pass anyway.)
# PublicAPI.Shipped.txt is never edited: move the Unshipped lines there when a version ships.
# Run it after changing the public surface, review `git diff -- '*PublicAPI*'` and commit.
# Local builds only warn about RS0016/RS0017; CI builds (CI=true) treat them as errors.
# Usage: bash tools/update-public-api.sh     (exit 0: the baselines match; 1: they still do not, the reason printed)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
unset CI   # the analyzers must warn, not stop the build at the first error
projects=(src/DeepSharp src/DeepSharp.Vision src/DeepSharp.Distributed src/DeepSharp.Gpu)

build_log() {   # every project, rebuilt so that every analyzer runs; the warnings of all of them in one log
  local log=$1; : > "$log"
  for project in "${projects[@]}"; do
    [ -f "$project/$(basename "$project").csproj" ] || continue
    dotnet build "$project/$(basename "$project").csproj" -c Release --no-incremental -v:q -clp:NoSummary >> "$log" 2>&1 || true
  done
}

log=$(mktemp); trap 'rm -f "$log"' EXIT
echo "update-public-api: building ${projects[*]}"
build_log "$log"
if grep -E ': error ' "$log" | grep -v 'error RS00' | sort -u | head -5 | grep . ; then
  echo "update-public-api: FAILED: the build has errors (above); fix them first"; exit 1
fi

python3 - "$log" "${projects[@]}" <<'EOF'
import os, re, sys
log, projects = sys.argv[1], sys.argv[2:]
added = re.compile(r"warning RS0016: Symbol '(.*)' is not part of the declared public API.*\[(.*\.csproj)\]")
gone = re.compile(r"warning RS0017: Symbol '(.*)' is part of the declared API, but is either not public or could not be found.*\[(.*\.csproj)\]")
changes = {}
for line in open(log, encoding="utf-8", errors="replace"):
    for kind, rx in (("add", added), ("remove", gone)):
        m = rx.search(line)
        if m:
            changes.setdefault(os.path.dirname(m.group(2)), {"add": set(), "remove": set()})[kind].add(m.group(1))
for project in projects:
    d = os.path.abspath(project)
    c = changes.get(d)
    if not c: continue
    unshipped_path, shipped_path = os.path.join(d, "PublicAPI.Unshipped.txt"), os.path.join(d, "PublicAPI.Shipped.txt")
    lines = open(unshipped_path, encoding="utf-8").read().splitlines() if os.path.exists(unshipped_path) else ["#nullable enable"]
    shipped = set(open(shipped_path, encoding="utf-8").read().splitlines()) if os.path.exists(shipped_path) else set()
    body = [l for l in lines if l and not l.startswith("#")]
    header = [l for l in lines if l.startswith("#")] or ["#nullable enable"]
    body = [l for l in body if l not in c["remove"]]   # the existing lines keep their order (small diffs)
    body += sorted("*REMOVED*" + s for s in c["remove"] if s in shipped and "*REMOVED*" + s not in body)
    body += sorted(s for s in c["add"] if s not in body)
    tmp = unshipped_path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(header + body) + "\n")
    os.replace(tmp, unshipped_path)
    print(f"update-public-api: {project}/PublicAPI.Unshipped.txt: {len(c['add'])} added, {len(c['remove'])} removed")
EOF

# The check: a second build must report no RS0016/RS0017 at all.
build_log "$log"
left=$(grep -E 'warning RS001[67]|error RS001[67]' "$log" | sort -u || true)
if [ -n "$left" ]; then
  printf '%s\n' "$left" | head -20
  echo "update-public-api: FAILED: the analyzers still report the lines above"; exit 1
fi

# Every public type should have a <summary> (CS1591 is off for members): list the ones the XML docs lack.
for project in "${projects[@]}"; do
  name=$(basename "$project")
  xml="$project/bin/Release/net10.0/$name.xml"
  [ -f "$xml" ] || continue
  missing=$(comm -23 \
    <(grep -vE '\(|->|^#|^\*REMOVED\*' "$project/PublicAPI.Unshipped.txt" "$project/PublicAPI.Shipped.txt" -h \
        | sed -E 's/^(static |sealed |abstract |override |virtual |readonly )+//; s/<.*//' | sort -u) \
    <(grep -oE 'name="T:[^"]+"' "$xml" | sed -E 's/name="T:([^"]+)"/\1/; s/`[0-9]+//' | sort -u) || true)
  [ -z "$missing" ] || { echo "update-public-api: public types in $name without a <summary>:"; sed 's/^/  /' <<<"$missing"; }
done
echo "update-public-api: OK (git diff -- '*PublicAPI*' shows the change)"
