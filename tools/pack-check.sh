#!/usr/bin/env bash
# Proves the packages work the way a new user meets them (issue 12), from outside this repository:
#   1. packs DeepSharp, DeepSharp.Vision and the DeepSharp.Cli tool into a local folder;
#   2. creates a fresh console project in a temp folder (no Directory.Build.props, global.json or
#      central package versions of ours apply there), adds DeepSharp from that folder only (NuGet.org
#      serves the dependencies: System.Numerics.Tensors, PureHDF), compiles the README's C# snippet
#      with the shipped MNIST sample and one epoch, runs it and checks the test accuracy;
#   3. installs the tool with `dotnet tool install --tool-path` from the same folder and runs
#      `deepsharp mnist --dataset mnist-sample --epochs 1`.
# A private NuGet cache is used, so no package from an earlier build of the same version is picked up.
# Usage: bash tools/pack-check.sh [--keep]   (--keep leaves the temp folder for a look)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/deepsharp-pack-check.XXXXXX")
if [ "${1:-}" = "--keep" ]; then echo "pack-check: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
feed="$work/feed"
export NUGET_PACKAGES="$work/nuget-packages"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
step() { echo; echo "pack-check: $*"; }

step "packing into $feed"
for project in src/DeepSharp src/DeepSharp.Vision src/DeepSharp.Distributed src/DeepSharp.Cli; do
  dotnet pack "$project" -c Release -o "$feed" --nologo -v:q
done
version=$(dotnet msbuild src/DeepSharp -getProperty:Version)
for id in DeepSharp DeepSharp.Vision DeepSharp.Distributed DeepSharp.Cli; do
  for ext in nupkg snupkg; do
    f="$feed/$id.$version.$ext"
    [ -f "$f" ] || { echo "pack-check: FAILED: $f was not written"; exit 1; }
    echo "  $(basename "$f")  $(du -h "$f" | cut -f1)"
  done
done
contents=$(unzip -l "$feed/DeepSharp.$version.nupkg")   # (not piped into grep -q: pipefail and SIGPIPE)
for entry in lib/net10.0/DeepSharp.dll lib/net10.0/DeepSharp.xml README.md LICENSE; do
  grep -qF "$entry" <<<"$contents" || { echo "pack-check: FAILED: DeepSharp.$version.nupkg has no $entry"; exit 1; }
done

# DeepSharp* only from the local folder (package source mapping); everything else from NuGet.org.
cat > "$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local">
      <package pattern="DeepSharp" />
      <package pattern="DeepSharp.*" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
EOF

step "fresh console project, dotnet add package DeepSharp $version"
app="$work/app"
dotnet new console -o "$app" -n ReadmeSnippet --framework net10.0 >/dev/null
cp "$work/nuget.config" "$app/nuget.config"
(cd "$app" && dotnet add package DeepSharp --version "$version")

# The README's snippet, as written, with two changes a test run needs: the shipped sample instead of the
# full MNIST download, and one epoch instead of five. It must still contain what it is replaced from.
snippet=$(awk '/^## The chapter.s code in C#/{f=1} f&&/^```csharp/{c=1;next} c&&/^```/{exit} c' README.md)
[ -n "$snippet" ] || { echo "pack-check: FAILED: no csharp block under \"## The chapter's code in C#\" in README.md"; exit 1; }
for needle in 'Mnist.Load()' 'epochs: 5' 'model.Evaluate('; do
  grep -qF "$needle" <<<"$snippet" || { echo "pack-check: FAILED: README snippet no longer contains '$needle'; update tools/pack-check.sh"; exit 1; }
done
{
  sed -e 's/Mnist\.Load()/Mnist.LoadSample()/' -e 's/epochs: 5/epochs: 1/' <<<"$snippet"
  echo 'System.Console.WriteLine($"readme snippet: test loss {loss:F4} - test accuracy {acc:F4}");'
  echo 'if (acc < 0.85) { System.Console.Error.WriteLine("accuracy below 0.85 after one epoch"); return 1; }'
  echo 'return 0;'
} > "$app/Program.cs"
echo "--- Program.cs"; cat "$app/Program.cs"; echo "---"

step "build and run the snippet"
dotnet build "$app" -c Release --nologo -v:q
dotnet "$app/bin/Release/net10.0/ReadmeSnippet.dll" | tee "$work/app.log"
grep -q 'readme snippet: test loss' "$work/app.log"

step "dotnet tool install DeepSharp.Cli $version --tool-path"
dotnet tool install DeepSharp.Cli --version "$version" --tool-path "$work/tools" --configfile "$work/nuget.config"
"$work/tools/deepsharp" mnist --dataset mnist-sample --epochs 1 | tee "$work/tool.log"
grep -q 'test accuracy' "$work/tool.log" || { echo "pack-check: FAILED: deepsharp mnist printed no test accuracy"; exit 1; }

step "OK: DeepSharp, DeepSharp.Vision and DeepSharp.Cli $version packed; the README snippet and the deepsharp tool ran from them"
