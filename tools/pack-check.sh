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
for project in src/DeepSharp src/DeepSharp.Vision src/DeepSharp.Distributed src/DeepSharp.Gpu src/DeepSharp.Cli; do
  dotnet pack "$project" -c Release -o "$feed" --nologo -v:q
done
version=$(dotnet msbuild src/DeepSharp -getProperty:Version)
for id in DeepSharp DeepSharp.Vision DeepSharp.Distributed DeepSharp.Gpu DeepSharp.Cli; do
  for ext in nupkg snupkg; do
    f="$feed/$id.$version.$ext"
    [ -f "$f" ] || { echo "pack-check: FAILED: $f was not written"; exit 1; }
    echo "  $(basename "$f")  $(du -h "$f" | cut -f1)"
  done
done
# The core stays free of the GPU: DeepSharp's package does not depend on ILGPU (only DeepSharp.Gpu does).
if unzip -p "$feed/DeepSharp.$version.nupkg" DeepSharp.nuspec | grep -qi ilgpu; then echo "pack-check: FAILED: DeepSharp.$version.nupkg depends on ILGPU"; exit 1; fi
unzip -p "$feed/DeepSharp.Gpu.$version.nupkg" DeepSharp.Gpu.nuspec | grep -q 'id="ILGPU"' || { echo "pack-check: FAILED: DeepSharp.Gpu.$version.nupkg does not depend on ILGPU"; exit 1; }
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

# Pretrained weights for a tool user (issue 20): an empty model cache and no ResNet18 package in the NuGet cache, so
# `--base resnet18` fetches Microsoft.ML.DnnImageFeaturizer.ResNet18 from the feeds of the nuget.config in force (here the
# local folder feed, which gets the package this script's restore brought; no internet needed), checks its SHA-512 and
# keeps it in $DEEPSHARP_HOME/models; the second run, from a folder with no feed configured, works offline from that cache.
step "deepsharp extract-features --base resnet18 with an empty model cache (fetched from the feed, then offline)"
resnet_nupkg=$(find "$NUGET_PACKAGES/microsoft.ml.dnnimagefeaturizer.resnet18" -name '*.nupkg' | head -1)
[ -n "$resnet_nupkg" ] || { echo "pack-check: FAILED: the restore brought no Microsoft.ML.DnnImageFeaturizer.ResNet18 package"; exit 1; }
cp "$resnet_nupkg" "$feed/"
export DEEPSHARP_HOME="$work/deepsharp-home"
mkdir -p "$work/empty-nuget-cache" "$work/offline"
(cd "$work" && "$work/tools/deepsharp" make-dataset -o "$work/ds" --train 3 --validation 2 --test 1 --size 64 >/dev/null)
(cd "$work" && NUGET_PACKAGES="$work/empty-nuget-cache" "$work/tools/deepsharp" extract-features --base resnet18 --data "$work/ds/train" -o "$work/features.npz") | tee "$work/extract.log"
grep -q "verified (SHA-512) and unpacked into $DEEPSHARP_HOME/models" "$work/extract.log" || { echo "pack-check: FAILED: extract-features did not fetch ResNet18's package into $DEEPSHARP_HOME/models"; exit 1; }
[ -s "$work/features.npz" ] || { echo "pack-check: FAILED: extract-features wrote no $work/features.npz"; exit 1; }
(cd "$work/offline" && NUGET_PACKAGES="$work/empty-nuget-cache" "$work/tools/deepsharp" extract-features --base resnet18 --data "$work/ds/train" -o "$work/features2.npz") | tee "$work/extract2.log"
if grep -qE "Downloading|Taking" "$work/extract2.log"; then echo "pack-check: FAILED: the second run fetched the package again"; exit 1; fi
[ "$(unzip -p "$work/features.npz" features.npy | md5sum)" = "$(unzip -p "$work/features2.npz" features.npy | md5sum)" ] || { echo "pack-check: FAILED: the cached weights gave other features"; exit 1; }

step "deepsharp train --base resnet18 (no --output: a runs/ folder), then visualize gradcam and predict on the model it saved"
(cd "$work/offline" && NUGET_PACKAGES="$work/empty-nuget-cache" "$work/tools/deepsharp" train --data "$work/ds" --base resnet18 --epochs 1 --batch-size 3) | tee "$work/train.log"
run=$(sed -nE 's/^Output: ([^ ]+)$/\1/p' "$work/train.log" | tail -1)
[ -n "$run" ] && [ -f "$work/offline/$run/model.keras" ] || { echo "pack-check: FAILED: train named no run folder with model.keras on its last line"; exit 1; }
image=$(find "$work/ds/test" -name '*.jpg' | head -1)
(cd "$work/offline" && "$work/tools/deepsharp" visualize gradcam --model "$run/model.keras" --image "$image" -o gradcam)
[ -s "$work/offline/gradcam/heatmap.npy" ] || { echo "pack-check: FAILED: visualize gradcam wrote no heatmap"; exit 1; }
(cd "$work/offline" && "$work/tools/deepsharp" predict --model "$run/model.keras" --image "$image") | tee "$work/predict.log"
grep -q "$(basename "$image")" "$work/predict.log" || { echo "pack-check: FAILED: predict printed nothing for $image"; exit 1; }

step "OK: DeepSharp, DeepSharp.Vision and DeepSharp.Cli $version packed; the README snippet and the deepsharp tool ran from them"
