namespace DeepSharp.Applications;

/// <summary>
/// Finds the ONNX files of ResNet18's ImageNet weights: the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18
/// 0.23.1 (MIT), which DeepSharp's build brings into the NuGet cache with a <c>PackageDownload</c> (no ML.NET).
/// Looks in <c>$DEEPSHARP_RESNET18_DIR</c>, then in the NuGet cache (<c>$NUGET_PACKAGES</c> or <c>~/.nuget/packages</c>).
/// </summary>
internal static class ResNet18Files
{
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    public const string PackageVersion = "0.23.1";

    /// <summary>(ResNet18.onnx, ResNetPreprocess.onnx) from a DnnImageModels folder, or a clear error how to get them.</summary>
    public static (string Network, string Preprocess) Find(string? folder = null)
    {
        var candidates = new List<string>();
        if (folder is not null) candidates.Add(folder);
        else
        {
            if (Environment.GetEnvironmentVariable("DEEPSHARP_RESNET18_DIR") is { Length: > 0 } env) candidates.Add(env);
            var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } np ? np
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            candidates.Add(Path.Combine(cache, PackageId.ToLowerInvariant(), PackageVersion, "tools", "DnnImageModels"));
        }
        foreach (var dir in candidates)
        {
            var net = Path.Combine(dir, "ResNet18Onnx", "ResNet18.onnx");
            var prep = Path.Combine(dir, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
            if (File.Exists(net) && File.Exists(prep)) return (net, prep);
        }
        throw new FileNotFoundException(
            $"ResNet18's ImageNet weights were not found (looked for ResNet18Onnx/ResNet18.onnx and ResNetPrepOnnx/ResNetPreprocess.onnx in: {string.Join("; ", candidates)}). " +
            $"They come from the NuGet package {PackageId} {PackageVersion}: building DeepSharp from source restores it; in your own project add " +
            $"<PackageDownload Include=\"{PackageId}\" Version=\"[{PackageVersion}]\" /> and run dotnet restore once (online), " +
            "or set DEEPSHARP_RESNET18_DIR to a folder holding the package's tools/DnnImageModels contents.");
    }
}
